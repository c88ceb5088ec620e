/* test-migrate.c: a partnership moved from SQLite to PostgreSQL syncs on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Devices sync with a server on a SQLite file; the server stops,
 * "beatbook-server migrate" moves the file into PostgreSQL, and a server on
 * PostgreSQL takes the same address. The devices go on with the tokens and
 * cursors they hold (and the evidence files move with the records): an
 * officer's new record reaches the supervisor's
 * device, and the supervisor's device pulls only that. Runs on PostgreSQL
 * only (BEATBOOK_TEST_BACKEND=postgresql).
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include "sync-fixture.h"

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

static Run
run_server_command (const char *from,
                    const char *to,
                    const char *blob_dir)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  Run run = { 0 };

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           g_getenv ("BEATBOOK_SERVER"), "migrate", "--from", from, "--to", to,
                           blob_dir != NULL ? "--blob-dir" : NULL, blob_dir, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &run.out, &run.err, &error);
  g_assert_no_error (error);
  run.status = g_subprocess_get_exit_status (proc);
  return run;
}

/* The row count migrate printed for @table, or -1. */
static int
rows_of (const char *out,
         const char *table)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit_set (lines[i], " ", -1);
      g_autoptr(GPtrArray) w = g_ptr_array_new ();

      for (guint j = 0; words[j] != NULL; j++)
        if (*words[j] != '\0')
          g_ptr_array_add (w, words[j]);
      if (w->len >= 4 && g_str_equal (w->pdata[0], table) && g_str_equal (w->pdata[2], "->"))
        {
          g_assert_cmpstr (w->pdata[1], ==, w->pdata[3]);
          g_assert_nonnull (strstr (lines[i], "match"));
          return atoi (w->pdata[1]);
        }
      if (w->len >= 5 && g_str_equal (w->pdata[0], table) && g_str_equal (w->pdata[3], "->"))
        {
          g_assert_cmpstr (w->pdata[2], ==, w->pdata[4]);
          g_assert_nonnull (strstr (lines[i], "checked"));
          return atoi (w->pdata[2]);
        }
    }
  return -1;
}

static void
test_migrated_partnership_syncs_on (void)
{
  g_autoptr(GError) error = NULL;
  Server sqlite_server = { 0 };
  g_autofree char *pg_uri = NULL;
  g_autoptr(Device) officer = device_new ();
  g_autoptr(Device) sergeant = device_new ();
  g_autoptr(BbRecord) first = NULL;
  g_autoptr(BbRecord) second = NULL;
  g_autoptr(BbRecord) after = NULL;
  g_autoptr(GHashTable) held = NULL;
  Run refused, moved, again;
  const char *evidence = "%PDF-1.4 a scanned notice";
  g_autofree char *blobs = NULL;
  g_autofree char *blob_dir = NULL;
  g_autofree char *evidence_hash = NULL;
  g_autofree char *evidence_path = NULL;
  BbSyncStats stats;
  guint port;

  sqlite_server.dir = g_dir_make_tmp ("beatbook-migrate-XXXXXX", &error);
  g_assert_no_error (error);
  sqlite_server.db = g_build_filename (sqlite_server.dir, "server.db", NULL);
  add_user (&sqlite_server, "officer1", "officer", "PCSO 4521");
  add_user (&sqlite_server, "sergeant", "supervisor", "Sergeant (supervisor)");
  server_start (&sqlite_server, 0);
  port = sqlite_server.port;

  /* Life on SQLite: two records, an edit, and both devices level. */
  sign_in (officer, &sqlite_server, "officer1");
  sign_in (sergeant, &sqlite_server, "sergeant");
  first = log_observation (officer, "Group of youths by the shops");
  second = log_observation (officer, "Bike left in the alley");
  sync_ok (officer);
  json_object_set_string_member (bb_record_get_fields (first), "description", "Group of youths moved on");
  g_assert_true (bb_session_save_record (officer->session, first, NULL, &error));
  g_assert_no_error (error);
  sync_ok (officer);
  stats = sync_ok (sergeant);
  g_assert_cmpuint (stats.pulled, ==, 2);
  g_assert_cmpuint (count (sergeant, NULL), ==, 2);
  server_kill (&sqlite_server, SIGTERM);

  /* An evidence file beside the database, as the server keeps them. */
  blobs = g_strconcat (sqlite_server.db, ".blobs", NULL);
  g_assert_cmpint (g_mkdir_with_parents (blobs, 0700), ==, 0);
  evidence_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, evidence, -1);
  evidence_path = g_build_filename (blobs, evidence_hash, NULL);
  g_file_set_contents (evidence_path, evidence, -1, &error);
  g_assert_no_error (error);
  blob_dir = g_build_filename (sqlite_server.dir, "pg-blobs", NULL);

  /* The move: without a place for the evidence it is refused. */
  pg_uri = test_db_new (sqlite_server.dir, "unused");
  refused = run_server_command (sqlite_server.db, pg_uri, NULL);
  g_assert_cmpint (refused.status, ==, 1);
  g_assert_nonnull (strstr (refused.err, "--blob-dir"));
  moved = run_server_command (sqlite_server.db, pg_uri, blob_dir);
  if (moved.status != 0)
    g_error ("migrate failed: %s%s", moved.out, moved.err);
  g_test_message ("%s", moved.out);
  g_assert_cmpint (rows_of (moved.out, "users"), ==, 2);
  g_assert_cmpint (rows_of (moved.out, "devices"), ==, 2);
  g_assert_cmpint (rows_of (moved.out, "sessions"), ==, 2);
  g_assert_cmpint (rows_of (moved.out, "records"), ==, 2);
  g_assert_cmpint (rows_of (moved.out, "record_revisions"), ==, 3);
  g_assert_cmpint (rows_of (moved.out, "audit"), >=, 5);
  g_assert_cmpint (rows_of (moved.out, "evidence"), ==, 1);
  g_assert_nonnull (strstr (moved.out, "checksums match"));
  {
    g_autofree char *copied_path = g_build_filename (blob_dir, evidence_hash, NULL);
    g_autofree char *copied = NULL;

    g_file_get_contents (copied_path, &copied, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (copied, ==, evidence);
  }

  /* Twice is refused, and changes nothing. */
  again = run_server_command (sqlite_server.db, pg_uri, blob_dir);
  g_assert_cmpint (again.status, ==, 1);
  g_assert_nonnull (strstr (again.err, "already holds"));

  /* The same address, now on PostgreSQL. */
  g_free (sqlite_server.db);
  sqlite_server.db = g_strdup (pg_uri);
  server_start (&sqlite_server, port);

  after = log_observation (officer, "Fly-tip reported after the move");
  stats = sync_ok (officer);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_assert_cmpuint (stats.rejected, ==, 0);
  /* The sergeant's cursor is still good: only the new record comes. */
  stats = sync_ok (sergeant);
  g_assert_cmpuint (stats.pulled, ==, 1);
  g_assert_cmpuint (count (sergeant, NULL), ==, 3);

  held = server_records (&sqlite_server);
  g_assert_cmpuint (g_hash_table_size (held), ==, 3);
  g_assert_true (g_hash_table_contains (held, bb_record_get_id (first)));
  g_assert_true (g_hash_table_contains (held, bb_record_get_id (after)));

  server_kill (&sqlite_server, SIGTERM);
  test_db_drop (pg_uri);
  bb_test_remove_tree (sqlite_server.dir);
  g_free (sqlite_server.dir);
  g_free (sqlite_server.db);
  g_free (sqlite_server.url);
  run_clear (&refused);
  run_clear (&moved);
  run_clear (&again);
}

int
main (int   argc,
      char *argv[])
{
  test_db_require ();
  g_test_init (&argc, &argv, NULL);

  if (!test_db_is_postgresql ())
    {
      g_printerr ("test-migrate runs on PostgreSQL only: set BEATBOOK_TEST_BACKEND=postgresql\n");
      return 1;
    }

  g_test_add_func ("/migrate/sqlite-to-postgresql/devices-sync-on-with-their-cursors",
                   test_migrated_partnership_syncs_on);
  return g_test_run ();
}
