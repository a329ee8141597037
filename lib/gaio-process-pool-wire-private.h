/* gaio-process-pool-wire-private.h: the frames a process pool and its workers exchange
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 */

#pragma once

#include "gaio.h"

G_BEGIN_DECLS

/* Bumped whenever a frame changes: a worker speaking another version is
 * refused at the handshake. */
#define GAIO_WIRE_VERSION 2

/* u32 body length, u8 kind, 3 zero bytes, u64 job id; little-endian. */
#define GAIO_WIRE_HEADER_SIZE 16

/* The largest frame a pool accepts from a worker unless told otherwise
 * (GaioProcessPoolExecutor:max-message-size). */
#define GAIO_WIRE_DEFAULT_MAX_BODY (64u * 1024u * 1024u)

/* Frames, with the GVariant type of their body:
 *
 *   HELLO        worker -> pool  (ux)    protocol version, worker pid
 *   CONFIG       pool -> worker  (utsmv) max tasks (0: no limit), largest body the
 *                                        pool accepts, initializer name ("" for none),
 *                                        initializer arguments
 *   CALL         pool -> worker  (smv)   function name, arguments
 *   CANCEL       pool -> worker  ()      cancel job `id`
 *   RESULT       worker -> pool  (tymv)  run time in us, result kind, result
 *   ERROR        worker -> pool  (sis)   job `id` failed: domain, code, message
 *   FATAL        worker -> pool  (sis)   the worker cannot serve (the guard is missing...)
 *   INIT_FAILED  worker -> pool  (sis)   the initializer failed
 *   WITHDRAW     pool -> worker  ()      drop job `id` unless it started: it then
 *                                        fails with G_IO_ERROR_CANCELLED, never
 *                                        runs (shutdown's cancel_futures; version 2)
 */
typedef enum {
  GAIO_WIRE_HELLO = 1,
  GAIO_WIRE_CONFIG,
  GAIO_WIRE_CALL,
  GAIO_WIRE_CANCEL,
  GAIO_WIRE_RESULT,
  GAIO_WIRE_ERROR,
  GAIO_WIRE_FATAL,
  GAIO_WIRE_INIT_FAILED,
  GAIO_WIRE_WITHDRAW,
  GAIO_WIRE_N_KINDS,
} GaioWireKind;

/* What a RESULT carries, so that a job function behaves the same in a
 * thread pool and a process pool: the future gets the GValue type the
 * function set, not always a GVariant. */
typedef enum {
  GAIO_WIRE_RESULT_NONE,      /* no value: the future's result is NULL */
  GAIO_WIRE_RESULT_VARIANT,   /* any type: G_TYPE_VARIANT */
  GAIO_WIRE_RESULT_INT64,     /* x */
  GAIO_WIRE_RESULT_UINT64,    /* t */
  GAIO_WIRE_RESULT_DOUBLE,    /* d */
  GAIO_WIRE_RESULT_BOOLEAN,   /* b */
  GAIO_WIRE_RESULT_STRING,    /* ms: G_TYPE_STRING, possibly NULL */
  GAIO_WIRE_RESULT_BYTES,     /* ay: G_TYPE_BYTES */
  GAIO_WIRE_RESULT_N_KINDS,
} GaioWireResultKind;

/* One decoded frame: its body has the type of its kind, in normal form. */
typedef struct
{
  GaioWireKind  kind;
  guint64       job_id;
  GVariant     *body;     /* (owned) */
} GaioWireFrame;

void          _gaio_wire_frame_clear   (GaioWireFrame *frame);

const GVariantType *_gaio_wire_body_type (GaioWireKind kind);

/* The decoder: bytes in, frames out.
 *
 * Bytes read from a worker go into the space _gaio_wire_reader_reserve()
 * returns and are committed; _gaio_wire_reader_pop() then returns
 * complete frames one by one. A frame whose header is wrong (unknown
 * kind, padding not zero, a body longer than the limit) or whose body is
 * not a normal-form GVariant of its kind's type is an error, and the
 * reader stays failed: the stream cannot be trusted past it. */
typedef enum {
  GAIO_WIRE_POP_FRAME,
  GAIO_WIRE_POP_NEED_MORE,
  GAIO_WIRE_POP_ERROR,
} GaioWirePop;

typedef struct
{
  guint8  *data;        /* (owned) */
  gsize    start;       /* first byte not yet decoded */
  gsize    end;         /* one past the last byte committed */
  gsize    alloc;
  gsize    max_body;
  gboolean failed;
} GaioWireReader;

void        _gaio_wire_reader_init    (GaioWireReader  *reader,
                                       gsize            max_body);
void        _gaio_wire_reader_clear   (GaioWireReader  *reader);
guint8     *_gaio_wire_reader_reserve (GaioWireReader  *reader,
                                       gsize           *available);
void        _gaio_wire_reader_commit  (GaioWireReader  *reader,
                                       gsize            n_bytes);
GaioWirePop _gaio_wire_reader_pop     (GaioWireReader  *reader,
                                       GaioWireFrame   *frame,
                                       GError         **error);
/* Bytes committed and not yet decoded (a frame cut by the end of the
 * stream leaves some). */
gsize       _gaio_wire_reader_pending (GaioWireReader  *reader);

/* Decodes a frame from @data alone (the fuzzer's and the tests' entry
 * point); @consumed is how many bytes it used. */
GaioWirePop _gaio_wire_decode         (const guint8    *data,
                                       gsize            size,
                                       gsize            max_body,
                                       GaioWireFrame   *frame,
                                       gsize           *consumed,
                                       GError         **error);

/* Appends one frame to @out. @body (a floating reference is sunk) must
 * have the type of @kind. Fails with GAIO_ERROR_NOT_SERIALIZABLE if the
 * body is larger than @max_body. */
gboolean    _gaio_wire_append         (GByteArray      *out,
                                       GaioWireKind     kind,
                                       guint64          job_id,
                                       GVariant        *body,
                                       gsize            max_body,
                                       GError         **error);

/* Bodies. The parsers check what the type cannot: known result kinds
 * whose value has the kind's type, error domains that are short,
 * printable names. They are the only way the pool reads a body. */
GVariant   *_gaio_wire_result_body    (const GValue    *value,
                                       guint64          run_us,
                                       GError         **error);
gboolean    _gaio_wire_parse_result   (GVariant        *body,
                                       GValue          *value,
                                       guint64         *run_us,
                                       GError         **error);
GVariant   *_gaio_wire_call_body      (const char      *function_name,
                                       GVariant        *args);
/* The function name and the arguments (nullable) of a CALL, owned. */
char       *_gaio_wire_parse_call     (GVariant        *body,
                                       GVariant       **args);
GVariant   *_gaio_wire_error_body     (const GError    *error);
GError     *_gaio_wire_parse_error    (GVariant        *body,
                                       GError         **error);
gboolean    _gaio_wire_parse_hello    (GVariant        *body,
                                       guint32         *version,
                                       gint64          *pid,
                                       GError         **error);

const char *_gaio_wire_kind_to_string (GaioWireKind     kind);

G_END_DECLS
