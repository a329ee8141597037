/* gaio-process-pool-registry.c: how functions travel to worker processes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * A function pointer means nothing in another process, even one running
 * the same program: address-space layout randomisation puts the code
 * elsewhere. So a process-pool job carries its function's name, and the
 * worker finds the function again by that name, as pickle sends a
 * function by its qualified name.
 *
 * Names come from two places, looked up in this order:
 *
 *  1. The registry: gaio_process_pool_executor_register() binds a name to a
 *     function in both processes (it runs before the worker guard, so a
 *     worker has the same entries as its parent). It is the only way for
 *     static functions, and the way for programs not linked with
 *     -rdynamic.
 *  2. The dynamic symbol table: dladdr() names an exported function in
 *     the parent and dlsym() finds it in the worker. This covers
 *     functions of shared libraries and of programs linked with -rdynamic
 *     (meson's export_dynamic) without any registration.
 *
 * dladdr() also answers for addresses inside a function, with the
 * nearest symbol before them: only an exact match of the symbol's address
 * is taken, so a static function next to an exported one is never sent
 * under its neighbour's name.
 */

#include "config.h"

#include <dlfcn.h>

#include "gaio-process-pool-registry-private.h"
#include "gaio-tsan-private.h"

/* Protected by registry_lock: */
static GMutex      registry_lock;
static GHashTable *functions_by_name;   /* (owned) interned name -> GaioJobFunc */
static GHashTable *names_by_function;   /* (owned) GaioJobFunc -> interned name */

/* The lock, told to ThreadSanitizer (see gaio-tsan-private.h). */
static inline void
registry_lock_ (void)
{
  g_mutex_lock (&registry_lock);
  GAIO_TSAN_ACQUIRE (&registry_lock);
}

static inline void
registry_unlock (void)
{
  GAIO_TSAN_RELEASE (&registry_lock);
  g_mutex_unlock (&registry_lock);
}

static void
ensure_tables (void)
{
  if (functions_by_name != NULL)
    return;

  functions_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  names_by_function = g_hash_table_new (g_direct_hash, g_direct_equal);
}

/**
 * gaio_process_pool_executor_register: (skip)
 * @name: the name the function travels under; any non-empty string
 * @func: the function
 *
 * Registers @func under @name so that a [class@Gaio.ProcessPoolExecutor]
 * can run it in its worker processes: a job carries its function's name,
 * and the worker finds the function again by it.
 *
 * Call it in every process that uses the function: before
 * [func@Gaio.ProcessPoolExecutor.worker_guard] in a program whose workers are
 * the program itself (so its workers register it too), and in the
 * worker executable given to [ctor@Gaio.ProcessPoolExecutor.new_for_worker].
 * [func@Gaio.PROCESS_POOL_REGISTER] registers a function under its own
 * name.
 *
 * Functions that are exported (in a shared library, or in a program
 * linked with `-rdynamic`, meson's `export_dynamic: true`) travel under
 * their symbol name without being registered; static functions must be.
 *
 * Registering the same pair again is allowed. Thread-safe.
 *
 * Returns: %TRUE, or %FALSE (with a critical) if @name is already bound to
 *   another function
 *
 * Since: 1.0
 */
gboolean
gaio_process_pool_executor_register (const char  *name,
                                     GaioJobFunc  func)
{
  const char *interned;
  gpointer existing;

  g_return_val_if_fail (name != NULL && *name != '\0', FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  interned = g_intern_string (name);

  registry_lock_ ();
  ensure_tables ();
  existing = g_hash_table_lookup (functions_by_name, interned);
  if (existing == NULL)
    {
      g_hash_table_insert (functions_by_name, (gpointer) interned, func);
      /* A function registered under several names travels under the first. */
      if (!g_hash_table_contains (names_by_function, func))
        g_hash_table_insert (names_by_function, func, (gpointer) interned);
    }
  registry_unlock ();

  if (existing != NULL && existing != (gpointer) func)
    {
      g_critical ("gaio_process_pool_executor_register: the name '%s' is already registered for "
                  "another function", name);
      return FALSE;
    }

  return TRUE;
}

static const char *
registered_name (GaioJobFunc func)
{
  const char *name = NULL;

  registry_lock_ ();
  if (names_by_function != NULL)
    name = g_hash_table_lookup (names_by_function, func);
  registry_unlock ();

  return name;
}

static GaioJobFunc
registered_function (const char *name)
{
  GaioJobFunc func = NULL;

  registry_lock_ ();
  if (functions_by_name != NULL)
    func = g_hash_table_lookup (functions_by_name, name);
  registry_unlock ();

  return func;
}

const char *
_gaio_process_registry_name_of (GaioJobFunc   func,
                                GError      **error)
{
  const char *name = registered_name (func);
  Dl_info info;

  if (name != NULL)
    return name;

  if (dladdr ((gpointer) func, &info) != 0 && info.dli_sname != NULL &&
      info.dli_saddr == (gpointer) func)
    {
      /* Remembered: dladdr() searches symbol tables, and a pool asks
       * again for every job. */
      name = g_intern_string (info.dli_sname);
      registry_lock_ ();
      ensure_tables ();
      g_hash_table_insert (names_by_function, func, (gpointer) name);
      registry_unlock ();
      return name;
    }

  g_set_error (error, GAIO_ERROR, GAIO_ERROR_NOT_SERIALIZABLE,
               "Cannot send the function at %p to a worker process: it has no name a worker "
               "can find it by. Register it in both processes with "
               "gaio_process_pool_executor_register (\"name\", func) or "
               "GAIO_PROCESS_POOL_REGISTER (func) before calling "
               "gaio_process_pool_executor_worker_guard(), or export it (not static, and "
               "the program linked with -rdynamic); from a language binding, use "
               "gaio_process_pool_executor_submit_named() with a function of the worker",
               (gpointer) func);
  return NULL;
}

GaioJobFunc
_gaio_process_registry_lookup (const char  *name,
                               GError     **error)
{
  GaioJobFunc func = registered_function (name);

  if (func != NULL)
    return func;

  func = (GaioJobFunc) dlsym (RTLD_DEFAULT, name);
  if (func != NULL)
    return func;

  g_set_error (error, GAIO_ERROR, GAIO_ERROR_NOT_SERIALIZABLE,
               "The worker process has no function called '%s': register it with "
               "gaio_process_pool_executor_register() before "
               "gaio_process_pool_executor_worker_guard() (or in the worker executable), "
               "or export it", name);
  return NULL;
}
