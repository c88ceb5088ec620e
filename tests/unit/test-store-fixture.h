/* test-store-fixture.h: a store of its own in a temporary folder
 *
 * Header-only, for the unit tests of the store: each test opens a new
 * store file in a new folder, and the folder goes with all it holds when
 * the test ends.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "beatbook.h"
#include "test-files.h"

/* A new store at @name (which may hold a subfolder) in a new temporary
 * folder made from @dir_template; the folder and the file are returned in
 * @dir and @path. The test fails if the store cannot be opened. */
static inline BbStore *
bb_test_store_new (const char  *dir_template,
                   const char  *name,
                   char       **dir,
                   char       **path)
{
  g_autoptr(GError) error = NULL;
  BbStore *store;

  *dir = g_dir_make_tmp (dir_template, &error);
  g_assert_no_error (error);
  *path = g_build_filename (*dir, name, NULL);
  store = bb_store_open (*path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

/* Closes the store bb_test_store_new() opened (if the test has not) and
 * removes its folder with all it holds. */
static inline void
bb_test_store_free (BbStore  **store,
                    char     **dir,
                    char     **path)
{
  g_clear_object (store);
  bb_test_remove_tree (*dir);
  g_clear_pointer (path, g_free);
  g_clear_pointer (dir, g_free);
}
