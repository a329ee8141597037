/* fuzz-wire.c: libFuzzer target for the process-pool wire decoder
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * Feeds arbitrary bytes to the decoder the pool runs on everything its
 * workers send (gaio-process-pool-wire.c), the way the pool does: in chunks of
 * arbitrary sizes through a reader, then every frame through the parser
 * of its kind. Nothing may crash, read out of bounds, leak, or allocate
 * more than the frame limit.
 *
 * The first input byte picks the chunk size, so the fuzzer also explores
 * frames split across reads.
 */

#include "config.h"

#include <string.h>

#include "gaio-process-pool-wire-private.h"

/* Small, so that the fuzzer reaches the limit checks. */
#define FUZZ_MAX_BODY 4096

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
parse_frame (GaioWireFrame *frame)
{
  GValue value = G_VALUE_INIT;
  guint64 run_us;
  guint32 version;
  gint64 pid;
  GError *error = NULL;
  GError *remote;

  switch (frame->kind)
    {
    case GAIO_WIRE_RESULT:
      if (_gaio_wire_parse_result (frame->body, &value, &run_us, &error) && G_IS_VALUE (&value))
        g_value_unset (&value);
      break;
    case GAIO_WIRE_ERROR:
    case GAIO_WIRE_FATAL:
    case GAIO_WIRE_INIT_FAILED:
      remote = _gaio_wire_parse_error (frame->body, &error);
      g_clear_error (&remote);
      break;
    case GAIO_WIRE_HELLO:
      _gaio_wire_parse_hello (frame->body, &version, &pid, &error);
      break;
    default:
      /* The pool rejects the other kinds from workers; touch the body
       * the way a worker reads it. */
      g_variant_unref (g_variant_get_normal_form (frame->body));
      break;
    }

  g_clear_error (&error);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  GaioWireReader reader;
  gsize chunk;
  gsize offset = 0;

  if (size == 0)
    return 0;
  chunk = 1 + data[0] * 7;
  data++;
  size--;

  _gaio_wire_reader_init (&reader, FUZZ_MAX_BODY);
  while (offset < size)
    {
      gsize n = MIN (chunk, size - offset);
      gsize available;
      guint8 *space = _gaio_wire_reader_reserve (&reader, &available);
      GaioWireFrame frame = { 0 };
      GaioWirePop pop;

      n = MIN (n, available);
      memcpy (space, data + offset, n);
      _gaio_wire_reader_commit (&reader, n);
      offset += n;

      while ((pop = _gaio_wire_reader_pop (&reader, &frame, NULL)) == GAIO_WIRE_POP_FRAME)
        {
          parse_frame (&frame);
          _gaio_wire_frame_clear (&frame);
        }
      if (pop == GAIO_WIRE_POP_ERROR)
        break;
    }

  _gaio_wire_reader_clear (&reader);
  return 0;
}
