/* test-disk-full.c: a full disk on the device and on the server, with the
 * real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * BEATBOOK_TEST_MAX_PAGE_COUNT (tests only) keeps the device's store and
 * the server's SQLite database from growing, as a full disk would. The
 * device's save must then fail with a message that says so, losing nothing
 * already saved; the server must answer a push with a clear 5xx error, not
 * crash, and the device must keep its outbox. When space returns (the limit
 * gone, the process restarted) one sync brings every record across.
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include "../sync/sync-fixture.h"

static void
assert_integrity (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static char *
device_db_path (Device *device)
{
  g_autofree char *users_dir = g_build_filename (device->dir, "users", NULL);
  g_autoptr(GError) error = NULL;
  GDir *users = g_dir_open (users_dir, 0, &error);
  const char *name;
  char *path = NULL;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (users)) != NULL)
    if (!g_str_equal (name, "local"))
      path = g_build_filename (users_dir, name, "beatbook.db", NULL);
  g_dir_close (users);
  g_assert_nonnull (path);
  return path;
}

static void
reopen (Device *device)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&device->session);
  device->session = bb_session_new (device->dir, &error);
  g_assert_no_error (error);
}

static void
save (Device     *device,
      GHashTable *saved,
      const char *text)
{
  g_autoptr(BbRecord) record = log_observation (device, text);

  g_hash_table_add (saved, g_strdup (bb_record_get_id (record)));
}

static void
test_disk_full_on_both_sides (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(GHashTable) saved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) held = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *device_db = NULL;
  g_autofree char *filler = g_strnfill (2000, 'x');
  gboolean full = FALSE;
  guint before, n_full = 0;
  GHashTableIter iter;
  const char *id;

  sign_in (device, server, "officer1");
  device_db = device_db_path (device);
  for (guint i = 0; i < 3; i++)
    save (device, saved, "Before the disk filled");
  sync_ok (device);

  /* The device's disk fills. */
  g_setenv ("BEATBOOK_TEST_MAX_PAGE_COUNT", "1", TRUE);
  reopen (device);
  g_unsetenv ("BEATBOOK_TEST_MAX_PAGE_COUNT");
  before = count (device, BB_KIND_PATROL_OBSERVATION);
  for (guint i = 0; i < 2000 && !full; i++)
    {
      g_autoptr(BbRecord) record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
      g_autoptr(GPtrArray) problems = NULL;
      g_autoptr(GError) save_error = NULL;
      g_autofree char *text = g_strdup_printf ("%u %s", i, filler);
      JsonObject *fields = bb_record_get_fields (record);

      json_object_set_string_member (fields, "ward", "town");
      json_object_set_string_member (fields, "category", "asb_youths");
      json_object_set_string_member (fields, "description", text);
      if (bb_session_save_record (device->session, record, &problems, &save_error))
        {
          g_hash_table_add (saved, g_strdup (bb_record_get_id (record)));
          continue;
        }
      full = TRUE;
      g_assert_null (problems);
      g_assert_error (save_error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED);
      g_test_message ("the device says: %s", save_error->message);
      g_assert_nonnull (strstr (save_error->message, "full"));
      /* Not saved: not there. */
      g_assert_null (bb_store_get_record (bb_session_get_store (device->session),
                                          bb_record_get_id (record), NULL));
    }
  g_assert_true (full);
  /* Nothing already saved is lost. */
  g_assert_cmpuint (count (device, BB_KIND_PATROL_OBSERVATION), ==, g_hash_table_size (saved));
  g_assert_cmpuint (count (device, BB_KIND_PATROL_OBSERVATION), >=, before);
  g_clear_object (&device->session);
  assert_integrity (device_db);

  /* Space returns on the device. */
  reopen (device);
  for (guint i = 0; i < 5; i++)
    save (device, saved, "After space returned on the device");

  /* The server's disk fills. */
  server_kill (server, SIGTERM);
  g_setenv ("BEATBOOK_TEST_MAX_PAGE_COUNT", "1", TRUE);
  server_start (server, server->port);
  g_unsetenv ("BEATBOOK_TEST_MAX_PAGE_COUNT");
  for (guint i = 0; i < 40; i++)
    save (device, saved, filler);
  for (guint attempt = 0; attempt < 3; attempt++)
    {
      g_autoptr(GError) sync_error = NULL;
      BbSyncStats stats;

      g_assert_false (bb_session_sync (device->session, &stats, NULL, &sync_error));
      g_test_message ("the server says: %s", sync_error->message);
      g_assert_error (sync_error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_SERVER);
      g_assert_cmpuint (bb_store_outbox_count (bb_session_get_store (device->session)), >, 0);
      n_full++;
    }
  /* Still serving, not crashed. */
  g_assert_nonnull (g_subprocess_get_identifier (server->process));
  g_assert_cmpuint (count (device, BB_KIND_PATROL_OBSERVATION), ==, g_hash_table_size (saved));
  server_kill (server, SIGTERM);
  assert_integrity (server->db);

  /* Space returns on the server. */
  server_start (server, server->port);
  sync_ok (device);
  g_assert_cmpuint (bb_store_outbox_count (bb_session_get_store (device->session)), ==, 0);
  held = server_records (server);
  g_assert_cmpuint (g_hash_table_size (held), ==, g_hash_table_size (saved));
  g_hash_table_iter_init (&iter, saved);
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
    g_assert_true (g_hash_table_contains (held, id));
  g_test_message ("%u records across, %u refused pushes while full", g_hash_table_size (saved), n_full);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* The limit is SQLite's. */
  g_assert_false (test_db_is_postgresql ());

  g_test_add_func ("/faults/disk-full/both-sides-refuse-clearly-lose-nothing-and-recover",
                   test_disk_full_on_both_sides);

  return g_test_run ();
}
