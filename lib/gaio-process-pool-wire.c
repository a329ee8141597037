/* gaio-process-pool-wire.c: the frames a process pool and its workers exchange
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * A process pool talks to each worker over two pipes in frames: a 16-byte
 * header (body length, kind, job id) and a body that is a serialized
 * GVariant of a type fixed by the kind. GVariant was chosen over a
 * hand-written encoding because job arguments and results are GVariants
 * already, and because GLib can check a serialized GVariant completely
 * (g_variant_is_normal_form()) before anything reads it.
 *
 * Everything a worker sends is untrusted: the worker runs arbitrary job
 * code, may be a different program (a worker executable, behind a
 * sandbox), and may have been started without the guard, in which case
 * its stdout is whatever the program prints. So the pool decodes every
 * frame here and nowhere else:
 *
 *  - the header is checked first: a known kind, zero padding, and a body
 *    length within the limit *before* any memory is set aside for it, so
 *    a worker cannot make the parent allocate gigabytes;
 *  - the body is copied out of the stream buffer into its own GBytes (so
 *    it is aligned as GVariant wants) and wrapped with the type of its
 *    kind, untrusted; a body that is not in normal form is refused;
 *  - the parsers then check what types cannot say (a known result kind
 *    whose value matches it; an error domain that is a short, printable
 *    quark name).
 *
 * Workers decode the pool's frames with the same code: they trust their
 * parent, but one decoder is one thing to fuzz (tests/fuzz/fuzz-wire.c).
 */

#include "config.h"

#include <string.h>

#include "gaio-process-pool-wire-private.h"

/* Quarks made for error domains named by workers are never freed; a
 * worker that sent a new domain with every error would grow the parent
 * for ever. Past this many new domains, errors keep their message but
 * arrive as GAIO_ERROR_FAILED. */
#define MAX_WORKER_QUARKS 256
#define MAX_DOMAIN_LENGTH 128

/* The reader grows its buffer by at least this much, so one read(2)
 * takes in many small frames. */
#define READER_CHUNK 65536

static const char * const body_types[GAIO_WIRE_N_KINDS] = {
  [GAIO_WIRE_HELLO] = "(ux)",
  [GAIO_WIRE_CONFIG] = "(utsmv)",
  [GAIO_WIRE_CALL] = "(smv)",
  [GAIO_WIRE_CANCEL] = "()",
  [GAIO_WIRE_RESULT] = "(tymv)",
  [GAIO_WIRE_ERROR] = "(sis)",
  [GAIO_WIRE_FATAL] = "(sis)",
  [GAIO_WIRE_INIT_FAILED] = "(sis)",
  [GAIO_WIRE_WITHDRAW] = "()",
};

static const char * const kind_names[GAIO_WIRE_N_KINDS] = {
  [GAIO_WIRE_HELLO] = "HELLO",
  [GAIO_WIRE_CONFIG] = "CONFIG",
  [GAIO_WIRE_CALL] = "CALL",
  [GAIO_WIRE_CANCEL] = "CANCEL",
  [GAIO_WIRE_RESULT] = "RESULT",
  [GAIO_WIRE_ERROR] = "ERROR",
  [GAIO_WIRE_FATAL] = "FATAL",
  [GAIO_WIRE_INIT_FAILED] = "INIT_FAILED",
  [GAIO_WIRE_WITHDRAW] = "WITHDRAW",
};

/* The type each result kind's value must have. */
static const char * const result_types[GAIO_WIRE_RESULT_N_KINDS] = {
  [GAIO_WIRE_RESULT_NONE] = NULL,
  [GAIO_WIRE_RESULT_VARIANT] = NULL,
  [GAIO_WIRE_RESULT_INT64] = "x",
  [GAIO_WIRE_RESULT_UINT64] = "t",
  [GAIO_WIRE_RESULT_DOUBLE] = "d",
  [GAIO_WIRE_RESULT_BOOLEAN] = "b",
  [GAIO_WIRE_RESULT_STRING] = "ms",
  [GAIO_WIRE_RESULT_BYTES] = "ay",
};

static gint n_worker_quarks;  /* (atomic) */

const GVariantType *
_gaio_wire_body_type (GaioWireKind kind)
{
  g_return_val_if_fail (kind > 0 && kind < GAIO_WIRE_N_KINDS, NULL);

  return G_VARIANT_TYPE (body_types[kind]);
}

const char *
_gaio_wire_kind_to_string (GaioWireKind kind)
{
  if (kind <= 0 || kind >= GAIO_WIRE_N_KINDS)
    return "(unknown)";

  return kind_names[kind];
}

void
_gaio_wire_frame_clear (GaioWireFrame *frame)
{
  g_clear_pointer (&frame->body, g_variant_unref);
  frame->kind = 0;
  frame->job_id = 0;
}

static void
malformed (GError     **error,
           const char  *format,
           ...) G_GNUC_PRINTF (2, 3);

static void
malformed (GError     **error,
           const char  *format,
           ...)
{
  va_list args;
  g_autofree char *detail = NULL;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Malformed frame: %s", detail);
}

/* Reads and checks a header. */
static gboolean
decode_header (const guint8  *data,
               gsize          max_body,
               GaioWireKind  *kind,
               gsize         *body_length,
               guint64       *job_id,
               GError       **error)
{
  guint32 length;
  guint64 id;

  memcpy (&length, data, sizeof length);
  length = GUINT32_FROM_LE (length);
  memcpy (&id, data + 8, sizeof id);

  if (data[4] == 0 || data[4] >= GAIO_WIRE_N_KINDS)
    {
      malformed (error, "unknown frame kind %u", data[4]);
      return FALSE;
    }
  if (data[5] != 0 || data[6] != 0 || data[7] != 0)
    {
      malformed (error, "non-zero padding in the header of a %s frame",
                 kind_names[data[4]]);
      return FALSE;
    }
  if (length > max_body)
    {
      malformed (error, "a %s frame of %u bytes is over the limit of %" G_GSIZE_FORMAT " bytes",
                 kind_names[data[4]], length, max_body);
      return FALSE;
    }

  *kind = data[4];
  *body_length = length;
  *job_id = GUINT64_FROM_LE (id);

  return TRUE;
}

/* The body, copied so that it is aligned and owned, and checked. */
static GVariant *
decode_body (GaioWireKind   kind,
             const guint8  *data,
             gsize          length,
             GError       **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, length);
  g_autoptr(GVariant) body = NULL;

  body = g_variant_ref_sink (g_variant_new_from_bytes (_gaio_wire_body_type (kind), bytes, FALSE));
  if (!g_variant_is_normal_form (body))
    {
      malformed (error, "the body of a %s frame (%" G_GSIZE_FORMAT " bytes) is not a "
                 "normal-form GVariant of type %s", kind_names[kind], length, body_types[kind]);
      return NULL;
    }

  return g_steal_pointer (&body);
}

GaioWirePop
_gaio_wire_decode (const guint8   *data,
                   gsize           size,
                   gsize           max_body,
                   GaioWireFrame  *frame,
                   gsize          *consumed,
                   GError        **error)
{
  GaioWireKind kind;
  gsize length;
  guint64 job_id;
  GVariant *body;

  *consumed = 0;
  if (size < GAIO_WIRE_HEADER_SIZE)
    return GAIO_WIRE_POP_NEED_MORE;
  if (!decode_header (data, max_body, &kind, &length, &job_id, error))
    return GAIO_WIRE_POP_ERROR;
  if (size - GAIO_WIRE_HEADER_SIZE < length)
    return GAIO_WIRE_POP_NEED_MORE;

  body = decode_body (kind, data + GAIO_WIRE_HEADER_SIZE, length, error);
  if (body == NULL)
    return GAIO_WIRE_POP_ERROR;

  frame->kind = kind;
  frame->job_id = job_id;
  frame->body = body;
  *consumed = GAIO_WIRE_HEADER_SIZE + length;

  return GAIO_WIRE_POP_FRAME;
}

void
_gaio_wire_reader_init (GaioWireReader *reader,
                        gsize           max_body)
{
  memset (reader, 0, sizeof *reader);
  reader->max_body = max_body;
}

void
_gaio_wire_reader_clear (GaioWireReader *reader)
{
  g_clear_pointer (&reader->data, g_free);
  reader->start = reader->end = reader->alloc = 0;
}

guint8 *
_gaio_wire_reader_reserve (GaioWireReader *reader,
                           gsize          *available)
{
  /* Decoded bytes are dropped by moving the rest to the front, which is
   * cheap: what is left is at most one partial frame. */
  if (reader->start > 0)
    {
      memmove (reader->data, reader->data + reader->start, reader->end - reader->start);
      reader->end -= reader->start;
      reader->start = 0;
    }

  if (reader->alloc - reader->end < READER_CHUNK / 4)
    {
      reader->alloc = MAX (reader->alloc * 2, reader->end + READER_CHUNK);
      reader->data = g_realloc (reader->data, reader->alloc);
    }

  *available = reader->alloc - reader->end;
  return reader->data + reader->end;
}

void
_gaio_wire_reader_commit (GaioWireReader *reader,
                          gsize           n_bytes)
{
  g_assert (n_bytes <= reader->alloc - reader->end);

  reader->end += n_bytes;
}

gsize
_gaio_wire_reader_pending (GaioWireReader *reader)
{
  return reader->end - reader->start;
}

GaioWirePop
_gaio_wire_reader_pop (GaioWireReader  *reader,
                       GaioWireFrame   *frame,
                       GError         **error)
{
  GaioWirePop pop;
  gsize consumed;

  if (reader->failed)
    {
      malformed (error, "the stream failed earlier");
      return GAIO_WIRE_POP_ERROR;
    }

  pop = _gaio_wire_decode (reader->data + reader->start, reader->end - reader->start,
                           reader->max_body, frame, &consumed, error);
  if (pop == GAIO_WIRE_POP_ERROR)
    reader->failed = TRUE;
  reader->start += consumed;

  return pop;
}

gboolean
_gaio_wire_append (GByteArray    *out,
                   GaioWireKind   kind,
                   guint64        job_id,
                   GVariant      *body,
                   gsize          max_body,
                   GError       **error)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (body);
  gsize size = g_variant_get_size (owned);
  guint8 header[GAIO_WIRE_HEADER_SIZE] = { 0 };
  guint32 length_le;
  guint64 id_le;
  guint old_len;

  g_return_val_if_fail (g_variant_is_of_type (owned, _gaio_wire_body_type (kind)), FALSE);

  if (size > max_body || size > G_MAXUINT32)
    {
      g_set_error (error, GAIO_ERROR, GAIO_ERROR_NOT_SERIALIZABLE,
                   "A %s message of %" G_GSIZE_FORMAT " bytes is over the limit of %"
                   G_GSIZE_FORMAT " bytes (GaioProcessPoolExecutor:max-message-size)",
                   kind_names[kind], size, max_body);
      return FALSE;
    }

  length_le = GUINT32_TO_LE ((guint32) size);
  id_le = GUINT64_TO_LE (job_id);
  memcpy (header, &length_le, sizeof length_le);
  header[4] = kind;
  memcpy (header + 8, &id_le, sizeof id_le);

  old_len = out->len;
  g_byte_array_set_size (out, old_len + GAIO_WIRE_HEADER_SIZE + size);
  memcpy (out->data + old_len, header, GAIO_WIRE_HEADER_SIZE);
  /* Not g_variant_store(): it wants its destination aligned for the
   * type, and frames follow each other at any offset. */
  if (size > 0)
    memcpy (out->data + old_len + GAIO_WIRE_HEADER_SIZE, g_variant_get_data (owned), size);

  return TRUE;
}

/* The GValue a job function set, as the (kind, value) of a RESULT. */
static gboolean
value_to_wire (const GValue        *value,
               GaioWireResultKind  *kind,
               GVariant           **variant,
               GError             **error)
{
  GType type = value != NULL ? G_VALUE_TYPE (value) : G_TYPE_INVALID;
  GBytes *bytes;

  *variant = NULL;
  if (type == G_TYPE_INVALID)
    *kind = GAIO_WIRE_RESULT_NONE;
  else if (type == G_TYPE_VARIANT)
    {
      *kind = g_value_get_variant (value) != NULL ? GAIO_WIRE_RESULT_VARIANT
                                                  : GAIO_WIRE_RESULT_NONE;
      *variant = g_value_dup_variant (value);
    }
  else if (type == G_TYPE_INT64)
    *kind = GAIO_WIRE_RESULT_INT64, *variant = g_variant_new_int64 (g_value_get_int64 (value));
  else if (type == G_TYPE_UINT64)
    *kind = GAIO_WIRE_RESULT_UINT64, *variant = g_variant_new_uint64 (g_value_get_uint64 (value));
  else if (type == G_TYPE_DOUBLE)
    *kind = GAIO_WIRE_RESULT_DOUBLE, *variant = g_variant_new_double (g_value_get_double (value));
  else if (type == G_TYPE_BOOLEAN)
    *kind = GAIO_WIRE_RESULT_BOOLEAN,
    *variant = g_variant_new_boolean (g_value_get_boolean (value));
  else if (type == G_TYPE_STRING)
    *kind = GAIO_WIRE_RESULT_STRING,
    *variant = g_variant_new_maybe (G_VARIANT_TYPE_STRING,
                                    g_value_get_string (value) != NULL
                                    ? g_variant_new_string (g_value_get_string (value)) : NULL);
  else if (type == G_TYPE_BYTES && (bytes = g_value_get_boxed (value)) != NULL)
    *kind = GAIO_WIRE_RESULT_BYTES,
    *variant = g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, bytes, TRUE);
  else
    {
      g_set_error (error, GAIO_ERROR, GAIO_ERROR_NOT_SERIALIZABLE,
                   "A result of type %s cannot leave a worker process: set a GVariant "
                   "(gaio_job_set_result_variant()), a number, a boolean, a string or bytes",
                   g_type_name (type));
      return FALSE;
    }

  /* Owned either way: a floating reference becomes ours, a full one
   * (g_value_dup_variant()) already is. */
  if (*variant != NULL)
    g_variant_take_ref (*variant);
  return TRUE;
}

GVariant *
_gaio_wire_result_body (const GValue  *value,
                        guint64        run_us,
                        GError       **error)
{
  GaioWireResultKind kind;
  g_autoptr(GVariant) variant = NULL;

  GVariant *children[3];

  if (!value_to_wire (value, &kind, &variant, error))
    return NULL;

  /* Built directly, not from a format string: this runs for every job. */
  children[0] = g_variant_new_uint64 (run_us);
  children[1] = g_variant_new_byte (kind);
  children[2] = g_variant_new_maybe (G_VARIANT_TYPE_VARIANT,
                                     variant != NULL ? g_variant_new_variant (variant) : NULL);
  return g_variant_new_tuple (children, 3);
}

/* Checks a RESULT's value against its kind and makes the GValue. */
static gboolean
value_from_wire (GaioWireResultKind   kind,
                 GVariant            *variant,
                 GValue              *value,
                 GError             **error)
{
  if (kind >= GAIO_WIRE_RESULT_N_KINDS ||
      (kind == GAIO_WIRE_RESULT_NONE) != (variant == NULL) ||
      (result_types[kind] != NULL &&
       !g_variant_is_of_type (variant, G_VARIANT_TYPE (result_types[kind]))))
    {
      malformed (error, "a RESULT of kind %u holds a value of type %s", kind,
                 variant != NULL ? g_variant_get_type_string (variant) : "(none)");
      return FALSE;
    }

  switch (kind)
    {
    case GAIO_WIRE_RESULT_NONE:
      break;
    case GAIO_WIRE_RESULT_VARIANT:
      g_value_init (value, G_TYPE_VARIANT);
      g_value_set_variant (value, variant);
      break;
    case GAIO_WIRE_RESULT_INT64:
      g_value_init (value, G_TYPE_INT64);
      g_value_set_int64 (value, g_variant_get_int64 (variant));
      break;
    case GAIO_WIRE_RESULT_UINT64:
      g_value_init (value, G_TYPE_UINT64);
      g_value_set_uint64 (value, g_variant_get_uint64 (variant));
      break;
    case GAIO_WIRE_RESULT_DOUBLE:
      g_value_init (value, G_TYPE_DOUBLE);
      g_value_set_double (value, g_variant_get_double (variant));
      break;
    case GAIO_WIRE_RESULT_BOOLEAN:
      g_value_init (value, G_TYPE_BOOLEAN);
      g_value_set_boolean (value, g_variant_get_boolean (variant));
      break;
    case GAIO_WIRE_RESULT_STRING:
      {
        g_autoptr(GVariant) inner = g_variant_get_maybe (variant);

        g_value_init (value, G_TYPE_STRING);
        if (inner != NULL)
          g_value_set_string (value, g_variant_get_string (inner, NULL));
      }
      break;
    case GAIO_WIRE_RESULT_BYTES:
      g_value_init (value, G_TYPE_BYTES);
      g_value_take_boxed (value, g_variant_get_data_as_bytes (variant));
      break;
    default:
      g_assert_not_reached ();
    }

  return TRUE;
}

gboolean
_gaio_wire_parse_result (GVariant  *body,
                         GValue    *value,
                         guint64   *run_us,
                         GError   **error)
{
  g_autoptr(GVariant) run = g_variant_get_child_value (body, 0);
  g_autoptr(GVariant) kind = g_variant_get_child_value (body, 1);
  g_autoptr(GVariant) maybe = g_variant_get_child_value (body, 2);
  g_autoptr(GVariant) boxed = g_variant_get_maybe (maybe);
  g_autoptr(GVariant) variant = boxed != NULL ? g_variant_get_variant (boxed) : NULL;

  g_return_val_if_fail (g_variant_is_of_type (body, G_VARIANT_TYPE ("(tymv)")), FALSE);

  *run_us = g_variant_get_uint64 (run);

  return value_from_wire (g_variant_get_byte (kind), variant, value, error);
}

GVariant *
_gaio_wire_call_body (const char *function_name,
                      GVariant   *args)
{
  GVariant *children[2];

  children[0] = g_variant_new_string (function_name);
  children[1] = g_variant_new_maybe (G_VARIANT_TYPE_VARIANT,
                                     args != NULL ? g_variant_new_variant (args) : NULL);
  return g_variant_new_tuple (children, 2);
}

char *
_gaio_wire_parse_call (GVariant  *body,
                       GVariant **args)
{
  g_autoptr(GVariant) name = g_variant_get_child_value (body, 0);
  g_autoptr(GVariant) maybe = g_variant_get_child_value (body, 1);
  g_autoptr(GVariant) boxed = g_variant_get_maybe (maybe);

  g_return_val_if_fail (g_variant_is_of_type (body, G_VARIANT_TYPE ("(smv)")), NULL);

  *args = boxed != NULL ? g_variant_get_variant (boxed) : NULL;

  return g_variant_dup_string (name, NULL);
}

GVariant *
_gaio_wire_error_body (const GError *error)
{
  const char *domain = g_quark_to_string (error->domain);

  return g_variant_new ("(sis)", domain != NULL ? domain : "", error->code,
                        error->message != NULL ? error->message : "");
}

/* A domain a worker may name: what G_DEFINE_QUARK and friends make. */
static gboolean
domain_name_is_valid (const char *domain)
{
  gsize length = strlen (domain);

  if (length == 0 || length > MAX_DOMAIN_LENGTH)
    return FALSE;
  for (const char *p = domain; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;

  return TRUE;
}

/* The quark of a domain named by a worker, within the budget. */
static GQuark
worker_domain_quark (const char *domain)
{
  GQuark quark;

  if (!domain_name_is_valid (domain))
    return 0;

  quark = g_quark_try_string (domain);
  if (quark != 0)
    return quark;

  if (g_atomic_int_add (&n_worker_quarks, 1) >= MAX_WORKER_QUARKS)
    return 0;

  return g_quark_from_string (domain);
}

GError *
_gaio_wire_parse_error (GVariant  *body,
                        GError   **error)
{
  const char *domain;
  const char *message;
  gint32 code;
  GQuark quark;

  g_return_val_if_fail (g_variant_is_of_type (body, G_VARIANT_TYPE ("(sis)")), NULL);

  g_variant_get (body, "(&si&s)", &domain, &code, &message);

  quark = worker_domain_quark (domain);
  if (quark == 0)
    {
      if (!domain_name_is_valid (domain))
        {
          malformed (error, "an error domain of %" G_GSIZE_FORMAT " bytes that is not a quark "
                     "name", strlen (domain));
          return NULL;
        }
      return g_error_new (GAIO_ERROR, GAIO_ERROR_FAILED, "%s (%d): %s", domain, code, message);
    }

  return g_error_new_literal (quark, code, message);
}

gboolean
_gaio_wire_parse_hello (GVariant  *body,
                        guint32   *version,
                        gint64    *pid,
                        GError   **error)
{
  g_return_val_if_fail (g_variant_is_of_type (body, G_VARIANT_TYPE ("(ux)")), FALSE);

  g_variant_get (body, "(ux)", version, pid);
  if (*pid <= 0 || *pid > G_MAXINT32)
    {
      malformed (error, "a HELLO with the process id %" G_GINT64_FORMAT, *pid);
      return FALSE;
    }

  return TRUE;
}
