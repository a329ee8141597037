/* gaio-exception-context.c: what an exception handler is told
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * asyncio passes its exception handlers a dict. Here it is a boxed,
 * reference-counted map from string keys to GValues, so bindings can
 * read any key, with typed accessors for the keys asyncio defines. The
 * default handler's text is produced here too: asyncio's format, keys in
 * sorted order, and a nested context (the `context` key of "Unhandled
 * error in exception handler") as Python prints a dict: keys in the order
 * they were first set, which the context keeps beside its table.
 */

#include "config.h"

#include "gaio-exception-context-private.h"
#include "gaio-log-private.h"

/* asyncio's key names. */
#define KEY_MESSAGE          "message"
#define KEY_EXCEPTION        "exception"
#define KEY_FUTURE           "future"
#define KEY_TASK             "task"
#define KEY_HANDLE           "handle"
#define KEY_SOURCE_TRACEBACK "source_traceback"
#define KEY_HANDLE_TRACEBACK "handle_traceback"

/* Set once, by _gaio_exception_context_register_future_type(). */
static GType              future_type;       /* (atomic) */
static GaioValueDescriber future_describer;  /* (atomic) */

struct _GaioExceptionContext
{
  gint        ref_count;  /* (atomic) */
  GHashTable *values;     /* (owned) char* -> GValue*, both owned */
  /* The keys of @values in the order they were first set, as a Python
   * dict keeps them: a key set again keeps its place, a key removed and
   * set again goes last. */
  GPtrArray  *order;      /* (owned) (element-type utf8) */
};

/**
 * GaioExceptionContext:
 *
 * What a [callback@Gaio.ExceptionHandler] is told about an error:
 * asyncio's context dict. It maps string keys to values; the keys asyncio
 * defines have typed accessors: `message` (a string), `exception` (a
 * #GError), `future` and `task` (a [struct@Gaio.Future]), `handle` (a
 * [struct@Gaio.Handle]) and `source_traceback` (a string array of frames).
 * Any other key may be set with [method@Gaio.ExceptionContext.set_value].
 *
 * A context is reference counted. It is not thread-safe: it is filled in,
 * then handed to the handler.
 *
 * Since: 1.0
 */

G_DEFINE_BOXED_TYPE (GaioExceptionContext, gaio_exception_context,
                     gaio_exception_context_ref, gaio_exception_context_unref)

static void
free_value (gpointer data)
{
  GValue *value = data;

  g_value_unset (value);
  g_free (value);
}

/**
 * gaio_exception_context_new:
 * @message: (nullable): the message
 *
 * Creates a context holding @message.
 *
 * Returns: (transfer full): a new #GaioExceptionContext
 *
 * Since: 1.0
 */
GaioExceptionContext *
gaio_exception_context_new (const char *message)
{
  GaioExceptionContext *context = g_new0 (GaioExceptionContext, 1);

  context->ref_count = 1;
  context->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_value);
  context->order = g_ptr_array_new_with_free_func (g_free);
  if (message != NULL)
    gaio_exception_context_set_message (context, message);

  return context;
}

/**
 * gaio_exception_context_ref:
 * @context: a #GaioExceptionContext
 *
 * Takes a reference on @context.
 *
 * Returns: (transfer full): @context
 *
 * Since: 1.0
 */
GaioExceptionContext *
gaio_exception_context_ref (GaioExceptionContext *context)
{
  g_return_val_if_fail (context != NULL, NULL);

  g_atomic_int_inc (&context->ref_count);

  return context;
}

/**
 * gaio_exception_context_unref:
 * @context: (transfer full): a #GaioExceptionContext
 *
 * Drops a reference on @context.
 *
 * Since: 1.0
 */
void
gaio_exception_context_unref (GaioExceptionContext *context)
{
  g_return_if_fail (context != NULL);

  if (!g_atomic_int_dec_and_test (&context->ref_count))
    return;

  g_hash_table_unref (context->values);
  g_ptr_array_unref (context->order);
  g_free (context);
}

static const GValue *
lookup (GaioExceptionContext *context,
        const char           *key,
        GType                 type)
{
  const GValue *value = g_hash_table_lookup (context->values, key);

  if (value == NULL || !G_VALUE_HOLDS (value, type))
    return NULL;

  return value;
}

static gboolean
remove_key (GaioExceptionContext *context,
            const char           *key)
{
  if (!g_hash_table_remove (context->values, key))
    return FALSE;

  for (guint i = 0; i < context->order->len; i++)
    if (g_str_equal (g_ptr_array_index (context->order, i), key))
      {
        g_ptr_array_remove_index (context->order, i);
        break;
      }

  return TRUE;
}

/* Stores @value (taking it over) under @key, or removes the key when
 * @value is NULL. */
static void
store (GaioExceptionContext *context,
       const char           *key,
       GValue               *value)
{
  if (value == NULL)
    {
      remove_key (context, key);
      return;
    }

  if (!g_hash_table_contains (context->values, key))
    g_ptr_array_add (context->order, g_strdup (key));
  g_hash_table_replace (context->values, g_strdup (key), value);
}

static void
store_boxed (GaioExceptionContext *context,
             const char           *key,
             GType                 type,
             gconstpointer         boxed)
{
  GValue *value;

  if (boxed == NULL)
    {
      store (context, key, NULL);
      return;
    }

  value = g_new0 (GValue, 1);
  g_value_init (value, type);
  g_value_set_boxed (value, boxed);
  store (context, key, value);
}

/* A future is made only after its type was registered (see
 * _gaio_exception_context_register_future_type()). */
static void
store_future (GaioExceptionContext *context,
              const char           *key,
              GaioFuture           *future)
{
  GType type = (GType) g_atomic_pointer_get (&future_type);

  g_return_if_fail (future == NULL || type != 0);

  if (future == NULL)
    store (context, key, NULL);
  else
    store_boxed (context, key, type, future);
}

void
_gaio_exception_context_register_future_type (GType              type,
                                              GaioValueDescriber describe)
{
  g_atomic_pointer_set (&future_describer, describe);
  g_atomic_pointer_set (&future_type, type);
}

/**
 * gaio_exception_context_get_message:
 * @context: a #GaioExceptionContext
 *
 * Gets the `message` key.
 *
 * Returns: (nullable): the message
 *
 * Since: 1.0
 */
const char *
gaio_exception_context_get_message (GaioExceptionContext *context)
{
  /* Checked here too, so that the critical names the call the caller made
   * rather than the getter it delegates to. */
  g_return_val_if_fail (context != NULL, NULL);

  return gaio_exception_context_get_string (context, KEY_MESSAGE);
}

/**
 * gaio_exception_context_set_message:
 * @context: a #GaioExceptionContext
 * @message: (nullable): the message
 *
 * Sets the `message` key.
 *
 * Since: 1.0
 */
void
gaio_exception_context_set_message (GaioExceptionContext *context,
                                    const char           *message)
{
  /* As in gaio_exception_context_get_message(). */
  g_return_if_fail (context != NULL);

  gaio_exception_context_set_string (context, KEY_MESSAGE, message);
}

/**
 * gaio_exception_context_get_error:
 * @context: a #GaioExceptionContext
 *
 * Gets the `exception` key.
 *
 * Returns: (transfer none) (nullable): the error
 *
 * Since: 1.0
 */
const GError *
gaio_exception_context_get_error (GaioExceptionContext *context)
{
  const GValue *value;

  g_return_val_if_fail (context != NULL, NULL);

  value = lookup (context, KEY_EXCEPTION, G_TYPE_ERROR);
  return value != NULL ? g_value_get_boxed (value) : NULL;
}

/**
 * gaio_exception_context_set_error:
 * @context: a #GaioExceptionContext
 * @error: (nullable): the error, copied
 *
 * Sets the `exception` key.
 *
 * Since: 1.0
 */
void
gaio_exception_context_set_error (GaioExceptionContext *context,
                                  const GError         *error)
{
  g_return_if_fail (context != NULL);

  store_boxed (context, KEY_EXCEPTION, G_TYPE_ERROR, error);
}

/**
 * gaio_exception_context_get_future:
 * @context: a #GaioExceptionContext
 *
 * Gets the `future` key.
 *
 * Returns: (transfer none) (nullable): the future
 *
 * Since: 1.0
 */
GaioFuture *
gaio_exception_context_get_future (GaioExceptionContext *context)
{
  const GValue *value;

  g_return_val_if_fail (context != NULL, NULL);

  value = lookup (context, KEY_FUTURE, (GType) g_atomic_pointer_get (&future_type));
  return value != NULL ? g_value_get_boxed (value) : NULL;
}

/**
 * gaio_exception_context_set_future:
 * @context: a #GaioExceptionContext
 * @future: (nullable): the future
 *
 * Sets the `future` key.
 *
 * Since: 1.0
 */
void
gaio_exception_context_set_future (GaioExceptionContext *context,
                                   GaioFuture           *future)
{
  g_return_if_fail (context != NULL);

  store_future (context, KEY_FUTURE, future);
}

/**
 * gaio_exception_context_get_task:
 * @context: a #GaioExceptionContext
 *
 * Gets the `task` key: the task the error comes from.
 *
 * Returns: (transfer none) (nullable): the task
 *
 * Since: 1.0
 */
GaioFuture *
gaio_exception_context_get_task (GaioExceptionContext *context)
{
  const GValue *value;

  g_return_val_if_fail (context != NULL, NULL);

  value = lookup (context, KEY_TASK, (GType) g_atomic_pointer_get (&future_type));
  return value != NULL ? g_value_get_boxed (value) : NULL;
}

/**
 * gaio_exception_context_set_task:
 * @context: a #GaioExceptionContext
 * @task: (nullable): the task
 *
 * Sets the `task` key.
 *
 * Since: 1.0
 */
void
gaio_exception_context_set_task (GaioExceptionContext *context,
                                 GaioFuture           *task)
{
  g_return_if_fail (context != NULL);

  store_future (context, KEY_TASK, task);
}

/**
 * gaio_exception_context_get_handle:
 * @context: a #GaioExceptionContext
 *
 * Gets the `handle` key.
 *
 * Returns: (transfer none) (nullable): the handle
 *
 * Since: 1.0
 */
GaioHandle *
gaio_exception_context_get_handle (GaioExceptionContext *context)
{
  const GValue *value;

  g_return_val_if_fail (context != NULL, NULL);

  value = lookup (context, KEY_HANDLE, GAIO_TYPE_HANDLE);
  return value != NULL ? g_value_get_boxed (value) : NULL;
}

/**
 * gaio_exception_context_set_handle:
 * @context: a #GaioExceptionContext
 * @handle: (nullable): the handle
 *
 * Sets the `handle` key.
 *
 * Since: 1.0
 */
void
gaio_exception_context_set_handle (GaioExceptionContext *context,
                                   GaioHandle           *handle)
{
  g_return_if_fail (context != NULL);

  store_boxed (context, KEY_HANDLE, GAIO_TYPE_HANDLE, handle);
}

/**
 * gaio_exception_context_get_source_traceback:
 * @context: a #GaioExceptionContext
 *
 * Gets the `source_traceback` key: where the object the error concerns
 * was created, most recent call last.
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the frames
 *
 * Since: 1.0
 */
const char * const *
gaio_exception_context_get_source_traceback (GaioExceptionContext *context)
{
  const GValue *value;

  g_return_val_if_fail (context != NULL, NULL);

  value = lookup (context, KEY_SOURCE_TRACEBACK, G_TYPE_STRV);
  return value != NULL ? g_value_get_boxed (value) : NULL;
}

/**
 * gaio_exception_context_set_source_traceback:
 * @context: a #GaioExceptionContext
 * @frames: (nullable) (array zero-terminated=1): the frames, most recent
 *   call last
 *
 * Sets the `source_traceback` key.
 *
 * Since: 1.0
 */
void
gaio_exception_context_set_source_traceback (GaioExceptionContext *context,
                                             const char * const   *frames)
{
  g_return_if_fail (context != NULL);

  store_boxed (context, KEY_SOURCE_TRACEBACK, G_TYPE_STRV, frames);
}

/**
 * gaio_exception_context_get_value:
 * @context: a #GaioExceptionContext
 * @key: the key
 *
 * Gets the value of any key.
 *
 * Returns: (transfer none) (nullable): the value, or %NULL if @key is not set
 *
 * Since: 1.0
 */
const GValue *
gaio_exception_context_get_value (GaioExceptionContext *context,
                                  const char           *key)
{
  g_return_val_if_fail (context != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return g_hash_table_lookup (context->values, key);
}

/**
 * gaio_exception_context_dup_value: (rename-to gaio_exception_context_get_value)
 * @context: a #GaioExceptionContext
 * @key: the key
 *
 * Gets a copy of the value of any key: the form bindings see as
 * `get_value`. The copy owns what it holds, so it outlives @context
 * (PyGObject 3.42 keeps a boxed value of a returned #GValue without a
 * reference of its own).
 *
 * Returns: (transfer full) (nullable): a copy of the value, to free with
 *   `g_boxed_free (G_TYPE_VALUE, value)`, or %NULL if @key is not set
 *
 * Since: 1.0
 */
GValue *
gaio_exception_context_dup_value (GaioExceptionContext *context,
                                  const char           *key)
{
  const GValue *value;
  GValue *copy;

  g_return_val_if_fail (context != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  value = g_hash_table_lookup (context->values, key);
  if (value == NULL)
    return NULL;

  copy = g_new0 (GValue, 1);
  g_value_init (copy, G_VALUE_TYPE (value));
  g_value_copy (value, copy);

  return copy;
}

/**
 * gaio_exception_context_set_value:
 * @context: a #GaioExceptionContext
 * @key: the key
 * @value: (nullable): the value, copied; %NULL removes @key
 *
 * Sets any key.
 *
 * Since: 1.0
 */
void
gaio_exception_context_set_value (GaioExceptionContext *context,
                                  const char           *key,
                                  const GValue         *value)
{
  GValue *copy = NULL;

  g_return_if_fail (context != NULL);
  g_return_if_fail (key != NULL);
  g_return_if_fail (value == NULL || G_IS_VALUE (value));

  if (value != NULL)
    {
      copy = g_new0 (GValue, 1);
      g_value_init (copy, G_VALUE_TYPE (value));
      g_value_copy (value, copy);
    }

  store (context, key, copy);
}

/**
 * gaio_exception_context_get_string:
 * @context: a #GaioExceptionContext
 * @key: the key
 *
 * Gets a key that holds a string.
 *
 * Returns: (nullable): the string, or %NULL if @key is not set or holds
 *   something else
 *
 * Since: 1.0
 */
const char *
gaio_exception_context_get_string (GaioExceptionContext *context,
                                   const char           *key)
{
  const GValue *value;

  g_return_val_if_fail (context != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  value = lookup (context, key, G_TYPE_STRING);
  return value != NULL ? g_value_get_string (value) : NULL;
}

/**
 * gaio_exception_context_set_string:
 * @context: a #GaioExceptionContext
 * @key: the key
 * @value: (nullable): the string; %NULL removes @key
 *
 * Sets a key to a string.
 *
 * Since: 1.0
 */
void
gaio_exception_context_set_string (GaioExceptionContext *context,
                                   const char           *key,
                                   const char           *value)
{
  GValue *copy = NULL;

  g_return_if_fail (context != NULL);
  g_return_if_fail (key != NULL);

  if (value != NULL)
    {
      copy = g_new0 (GValue, 1);
      g_value_init (copy, G_TYPE_STRING);
      g_value_set_string (copy, value);
    }

  store (context, key, copy);
}

/**
 * gaio_exception_context_contains:
 * @context: a #GaioExceptionContext
 * @key: the key
 *
 * Whether @key is set.
 *
 * Returns: %TRUE if @key is set
 *
 * Since: 1.0
 */
gboolean
gaio_exception_context_contains (GaioExceptionContext *context,
                                 const char           *key)
{
  g_return_val_if_fail (context != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  return g_hash_table_contains (context->values, key);
}

/**
 * gaio_exception_context_remove:
 * @context: a #GaioExceptionContext
 * @key: the key
 *
 * Removes @key.
 *
 * Returns: %TRUE if @key was set
 *
 * Since: 1.0
 */
gboolean
gaio_exception_context_remove (GaioExceptionContext *context,
                               const char           *key)
{
  g_return_val_if_fail (context != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  return remove_key (context, key);
}

static gint
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * gaio_exception_context_dup_keys:
 * @context: a #GaioExceptionContext
 *
 * Lists the keys that are set, in sorted (byte) order, as asyncio's
 * default handler prints them.
 *
 * Returns: (transfer full) (array zero-terminated=1): the keys
 *
 * Since: 1.0
 */
char **
gaio_exception_context_dup_keys (GaioExceptionContext *context)
{
  char **keys;
  guint n_keys;

  g_return_val_if_fail (context != NULL, NULL);

  keys = (char **) g_hash_table_get_keys_as_array (context->values, &n_keys);
  for (guint i = 0; i < n_keys; i++)
    keys[i] = g_strdup (keys[i]);
  qsort (keys, n_keys, sizeof (char *), compare_keys);

  return keys;
}

static char *
error_to_string (const GError *error)
{
  return g_strdup_printf ("%s: %s (%d)", g_quark_to_string (error->domain),
                          error->message, error->code);
}

static char *
frames_to_string (const char *title,
                  const char * const *frames)
{
  GString *text = g_string_new (title);

  for (guint i = 0; frames != NULL && frames[i] != NULL; i++)
    g_string_append_printf (text, "\n%s", frames[i]);

  return g_string_free (text, FALSE);
}

/* Python's repr() of a str: single quotes, unless the text holds a single
 * quote and no double quote. */
static char *
repr_string (const char *string)
{
  char quote = (strchr (string, '\'') != NULL && strchr (string, '"') == NULL) ? '"' : '\'';
  GString *text = g_string_new (NULL);

  g_string_append_c (text, quote);
  for (const char *p = string; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '\n':
          g_string_append (text, "\\n");
          break;
        case '\r':
          g_string_append (text, "\\r");
          break;
        case '\t':
          g_string_append (text, "\\t");
          break;
        case '\\':
          g_string_append (text, "\\\\");
          break;
        default:
          if (*p == quote)
            g_string_append_c (text, '\\');
          g_string_append_c (text, *p);
        }
    }
  g_string_append_c (text, quote);

  return g_string_free (text, FALSE);
}

static char *render_context (GaioExceptionContext *context);

/* How one value of the context is written: asyncio prints repr(value). */
static char *
render_value (const char   *key,
              const GValue *value)
{
  GType type_of_futures = (GType) g_atomic_pointer_get (&future_type);

  if (G_VALUE_HOLDS (value, G_TYPE_STRV) &&
      (g_str_equal (key, KEY_SOURCE_TRACEBACK) || g_str_equal (key, KEY_HANDLE_TRACEBACK)))
    return frames_to_string (g_str_equal (key, KEY_SOURCE_TRACEBACK)
                               ? "Object created at (most recent call last):"
                               : "Handle created at (most recent call last):",
                             g_value_get_boxed (value));

  if (G_VALUE_HOLDS_STRING (value))
    return g_value_get_string (value) != NULL ? repr_string (g_value_get_string (value))
                                              : g_strdup ("None");

  if (G_VALUE_HOLDS (value, GAIO_TYPE_HANDLE) && g_value_get_boxed (value) != NULL)
    return gaio_handle_to_string (g_value_get_boxed (value));

  if (type_of_futures != 0 && G_VALUE_HOLDS (value, type_of_futures) &&
      g_value_get_boxed (value) != NULL)
    return ((GaioValueDescriber) g_atomic_pointer_get (&future_describer)) (g_value_get_boxed (value));

  if (G_VALUE_HOLDS (value, G_TYPE_ERROR) && g_value_get_boxed (value) != NULL)
    return error_to_string (g_value_get_boxed (value));

  if (G_VALUE_HOLDS (value, GAIO_TYPE_EXCEPTION_CONTEXT) && g_value_get_boxed (value) != NULL)
    return render_context (g_value_get_boxed (value));

  if (G_VALUE_HOLDS_BOOLEAN (value))
    return g_strdup (g_value_get_boolean (value) ? "True" : "False");

  return g_strdup_value_contents (value);
}

/* A nested context (the `context` key of "Unhandled error in exception
 * handler") is written as Python writes a dict: {'key': value, ...}, in
 * the order the keys were set, each value as in any other report (EH-15). */
static char *
render_context (GaioExceptionContext *context)
{
  GString *text = g_string_new ("{");

  for (guint i = 0; i < context->order->len; i++)
    {
      const char *name = g_ptr_array_index (context->order, i);
      g_autofree char *key = repr_string (name);
      g_autofree char *value = render_value (name, g_hash_table_lookup (context->values, name));

      g_string_append_printf (text, "%s%s: %s", i > 0 ? ", " : "", key, value);
    }
  g_string_append_c (text, '}');

  return g_string_free (text, FALSE);
}

/**
 * gaio_exception_context_to_string:
 * @context: a #GaioExceptionContext
 *
 * Formats @context as asyncio's default exception handler does: the
 * message (or `Unhandled exception in event loop` when there is none),
 * then one `key: value` line per other key in sorted order (strings
 * quoted as Python's `repr` does, handles and futures described by their
 * `to_string`, tracebacks as `Object created at (most recent call
 * last):` and the frames), then, in place of Python's traceback, the
 * error as `DOMAIN: MESSAGE (CODE)`.
 *
 * Returns: (transfer full): the text
 *
 * Since: 1.0
 */
char *
gaio_exception_context_to_string (GaioExceptionContext *context)
{
  g_auto(GStrv) keys = NULL;
  const char *message;
  const GError *error;
  GString *text;

  g_return_val_if_fail (context != NULL, NULL);

  message = gaio_exception_context_get_message (context);
  text = g_string_new (message != NULL && *message != '\0'
                         ? message : "Unhandled exception in event loop");

  keys = gaio_exception_context_dup_keys (context);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autofree char *value = NULL;

      if (g_str_equal (keys[i], KEY_MESSAGE) || g_str_equal (keys[i], KEY_EXCEPTION))
        continue;

      value = render_value (keys[i], g_hash_table_lookup (context->values, keys[i]));
      g_string_append_printf (text, "\n%s: %s", keys[i], value);
    }

  error = gaio_exception_context_get_error (context);
  if (error != NULL)
    {
      g_autofree char *line = error_to_string (error);

      g_string_append_printf (text, "\n%s", line);
    }

  return g_string_free (text, FALSE);
}

void
_gaio_exception_context_log (GaioExceptionContext *context,
                             GLogLevelFlags        level)
{
  g_autofree char *message = gaio_exception_context_to_string (context);
  g_auto(GStrv) keys = gaio_exception_context_dup_keys (context);
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) fields = g_array_new (FALSE, FALSE, sizeof (GLogField));
  const GError *error = gaio_exception_context_get_error (context);
  GLogField field;

  field = (GLogField) { "MESSAGE", message, -1 };
  g_array_append_val (fields, field);

  if (error != NULL)
    {
      char *code = g_strdup_printf ("%d", error->code);

      g_ptr_array_add (owned, code);
      field = (GLogField) { "GAIO_ERROR_DOMAIN", g_quark_to_string (error->domain), -1 };
      g_array_append_val (fields, field);
      field = (GLogField) { "GAIO_ERROR_CODE", code, -1 };
      g_array_append_val (fields, field);
      field = (GLogField) { "GAIO_ERROR_MESSAGE", error->message, -1 };
      g_array_append_val (fields, field);
    }

  for (guint i = 0; keys[i] != NULL; i++)
    {
      char *name, *value;

      if (g_str_equal (keys[i], KEY_EXCEPTION))
        continue;

      name = g_strconcat ("GAIO_CONTEXT_", keys[i], NULL);
      for (char *p = name; *p != '\0'; p++)
        *p = g_ascii_isalnum (*p) ? g_ascii_toupper (*p) : '_';
      value = render_value (keys[i], g_hash_table_lookup (context->values, keys[i]));
      g_ptr_array_add (owned, name);
      g_ptr_array_add (owned, value);

      field = (GLogField) { name, value, -1 };
      g_array_append_val (fields, field);
    }

  _gaio_log_fields (level, (GLogField *) fields->data, fields->len);
}
