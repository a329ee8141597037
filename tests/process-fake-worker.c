/* process-fake-worker.c: a worker that breaks the protocol, on purpose
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Everything a worker sends its pool is untrusted input. This program
 * is started by the tests as a pool's worker executable and, depending
 * on its first argument, sends what a broken or hostile worker could:
 * garbage, oversized or truncated frames, bodies of the wrong type or
 * not in normal form, results for jobs it was never given. The pool
 * must break with a clear error, and never crash, hang or leak.
 */

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gaio-process-pool-wire-private.h"

static void
write_bytes (const void *data,
             gsize       size)
{
  const guint8 *p = data;

  while (size > 0)
    {
      gssize n = write (STDOUT_FILENO, p, size);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        exit (1);
      p += n;
      size -= n;
    }
}

static void
send_frame (GaioWireKind  kind,
            guint64       id,
            GVariant     *body)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  _gaio_wire_append (out, kind, id, body, G_MAXUINT32, NULL);
  write_bytes (out->data, out->len);
}

/* A header with any content, then @body_size raw bytes. */
static void
send_raw (guint32       length,
          guint8        kind,
          guint8        pad,
          guint64       id,
          const guint8 *body,
          gsize         body_size)
{
  guint8 header[GAIO_WIRE_HEADER_SIZE] = { 0 };
  guint32 length_le = GUINT32_TO_LE (length);
  guint64 id_le = GUINT64_TO_LE (id);

  memcpy (header, &length_le, 4);
  header[4] = kind;
  header[5] = pad;
  memcpy (header + 8, &id_le, 8);
  write_bytes (header, sizeof header);
  if (body_size > 0)
    write_bytes (body, body_size);
}

static GaioWireReader reader;

static void
read_frame (GaioWireFrame *frame)
{
  for (;;)
    {
      gsize available;
      guint8 *space;
      gssize n;

      if (_gaio_wire_reader_pop (&reader, frame, NULL) == GAIO_WIRE_POP_FRAME)
        return;
      space = _gaio_wire_reader_reserve (&reader, &available);
      n = read (STDIN_FILENO, space, available);
      if (n <= 0)
        exit (0);
      _gaio_wire_reader_commit (&reader, n);
    }
}

static void
hello (guint32 version)
{
  send_frame (GAIO_WIRE_HELLO, 0, g_variant_new ("(ux)", version, (gint64) getpid ()));
}

/* HELLO, CONFIG, and the first CALL: returns its id. */
static guint64
first_call (void)
{
  GaioWireFrame frame = { 0 };
  guint64 id;

  hello (GAIO_WIRE_VERSION);
  read_frame (&frame);          /* CONFIG */
  _gaio_wire_frame_clear (&frame);
  read_frame (&frame);          /* CALL */
  id = frame.job_id;
  _gaio_wire_frame_clear (&frame);

  return id;
}

int
main (int    argc,
      char **argv)
{
  const char *mode = argc > 1 ? argv[1] : "";
  static const guint8 junk[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
  guint64 id;

  _gaio_wire_reader_init (&reader, GAIO_WIRE_DEFAULT_MAX_BODY);

  if (g_str_equal (mode, "garbage"))
    {
      write_bytes ("Hello, I am a program, not a worker.\n", 37);
      g_usleep (G_USEC_PER_SEC);
      return 0;
    }
  if (g_str_equal (mode, "hang"))
    {
      g_usleep (60 * G_USEC_PER_SEC);
      return 0;
    }
  if (g_str_equal (mode, "exit-before-hello"))
    return 3;
  if (g_str_equal (mode, "bad-version"))
    {
      hello (GAIO_WIRE_VERSION + 100);
      g_usleep (G_USEC_PER_SEC);
      return 0;
    }

  id = first_call ();

  if (g_str_equal (mode, "oversized"))
    send_raw (0xfffffff0u, GAIO_WIRE_RESULT, 0, id, NULL, 0);
  else if (g_str_equal (mode, "truncated"))
    {
      send_raw (64, GAIO_WIRE_RESULT, 0, id, junk, 10);
      return 0;
    }
  else if (g_str_equal (mode, "not-normal"))
    send_raw (sizeof junk, GAIO_WIRE_RESULT, 0, id, junk, sizeof junk);
  else if (g_str_equal (mode, "wrong-type"))
    send_frame (GAIO_WIRE_RESULT, id,
                g_variant_new ("(tymv)", (guint64) 1, (guint8) 2 /* INT64 */,
                               g_variant_new_string ("not an int64")));
  else if (g_str_equal (mode, "bad-result-kind"))
    send_frame (GAIO_WIRE_RESULT, id,
                g_variant_new ("(tymv)", (guint64) 1, (guint8) 200, g_variant_new_int32 (1)));
  else if (g_str_equal (mode, "bad-kind"))
    send_raw (1, 99, 0, id, junk, 1);
  else if (g_str_equal (mode, "bad-padding"))
    send_raw (1, GAIO_WIRE_RESULT, 7, id, junk, 1);
  else if (g_str_equal (mode, "unknown-id"))
    send_frame (GAIO_WIRE_RESULT, id + 1000,
                g_variant_new ("(tymv)", (guint64) 1, (guint8) 0, NULL));
  else if (g_str_equal (mode, "bad-domain"))
    send_frame (GAIO_WIRE_ERROR, id,
                g_variant_new ("(sis)", "not a quark name!", 1, "message"));
  else if (g_str_equal (mode, "hello-twice"))
    hello (GAIO_WIRE_VERSION);
  else if (g_str_equal (mode, "call-from-worker"))
    send_frame (GAIO_WIRE_CALL, id, g_variant_new ("(smv)", "x", NULL));
  else
    return 2;

  /* Stay alive: the pool must kill us rather than wait. */
  g_usleep (30 * G_USEC_PER_SEC);
  return 0;
}
