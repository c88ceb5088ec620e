/* test-kill.c: the server and the device SIGKILLed at random moments
 * while the device saves and syncs, with the real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The device runs in a child process (this program with --device), saving
 * a growing set of records and syncing after each, and writes the id of
 * every save that returned to stdout. In each round the server and the
 * device are killed with SIGKILL at random moments (seeded; the seed is
 * printed, and BEATBOOK_FAULT_SEED replays a run) and started again. At the
 * end, with both restarted and one clean sync, the server must hold exactly
 * the device's records, each once, every save the device reported must be
 * on both, and both SQLite databases must pass PRAGMA integrity_check.
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "../sync/sync-fixture.h"

/* The child: saves and syncs until it is killed. */
static int
run_device (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbSession) session = bb_session_new (dir, &error);
  Device device = { .dir = (char *) dir };

  if (session == NULL)
    g_error ("the device cannot start: %s", error->message);
  device.session = session;
  for (guint n = 0;; n++)
    {
      g_autofree char *text = g_strdup_printf ("Record %u of process %d", n, (int) getpid ());
      g_autoptr(BbRecord) record = log_observation (&device, text);
      g_autoptr(GError) sync_error = NULL;

      /* Written only once the save has returned. */
      printf ("saved %s\n", bb_record_get_id (record));
      fflush (stdout);
      if (n % 2 == 1 && !bb_session_sync (session, NULL, NULL, &sync_error))
        {
          /* With the server killed or starting, only these may happen. */
          if (!g_error_matches (sync_error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNREACHABLE) &&
              !g_error_matches (sync_error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_SERVER))
            g_error ("unexpected sync error: %s", sync_error->message);
        }
    }
  return 0;
}

static GSubprocess *
device_spawn (const char *dir)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  g_autofree char *self = g_file_read_link ("/proc/self/exe", &error);
  GSubprocess *process;

  g_assert_no_error (error);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, self, "--device", dir, NULL);
  g_assert_no_error (error);
  return process;
}

/* Kills the device and takes the ids it reported. */
static void
device_kill (GSubprocess *process,
             GHashTable  *saved)
{
  g_autoptr(GDataInputStream) out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_autoptr(GError) error = NULL;
  char *line;

  g_subprocess_send_signal (process, SIGKILL);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  /* Killed, not ended by a failure of its own. */
  g_assert_true (g_subprocess_get_if_signaled (process));
  g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGKILL);
  /* A line cut by the kill has no newline: read_line_utf8 still returns it,
   * so take only whole ids. */
  while ((line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error)) != NULL)
    {
      if (g_str_has_prefix (line, "saved ") && bb_uuid_is_valid (line + 6))
        g_hash_table_add (saved, g_strdup (line + 6));
      g_free (line);
    }
}

static void
assert_integrity (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") != 0)
    g_error ("%s: integrity_check says %s", path, sqlite3_column_text (stmt, 0));
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
test_kill_server_and_device (void)
{
  enum { ROUNDS = 10 };
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(GHashTable) saved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) held = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *device_db = NULL;
  const char *seed_text = g_getenv ("BEATBOOK_FAULT_SEED");
  guint32 seed = seed_text != NULL ? (guint32) g_ascii_strtoull (seed_text, NULL, 10) : g_random_int ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint server_kills = 0;

  g_test_message ("fault seed %u (BEATBOOK_FAULT_SEED=%u replays this run)", seed, seed);
  g_printerr ("fault seed %u\n", seed);
  sign_in (device, server, "officer1");
  g_clear_object (&device->session);

  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autoptr(GSubprocess) child = device_spawn (device->dir);
      guint before = (guint) g_rand_int_range (rand, 20, 400);
      guint after = (guint) g_rand_int_range (rand, 20, 400);
      gboolean kill_server = g_rand_boolean (rand);

      g_usleep (before * 1000);
      if (kill_server)
        {
          server_kill (server, SIGKILL);
          server_kills++;
          server_start (server, server->port);
        }
      g_usleep (after * 1000);
      device_kill (child, saved);
      g_test_message ("round %u: %s, device killed after %u ms, %u saves reported so far",
                      round, kill_server ? "server killed" : "server left", before + after,
                      g_hash_table_size (saved));
    }
  /* The server too, once more, at the end of a round of saving. */
  server_kill (server, SIGKILL);
  server_start (server, server->port);

  g_assert_cmpuint (g_hash_table_size (saved), >, 0);

  /* Both restarted: one clean sync. */
  device->session = bb_session_new (device->dir, &error);
  g_assert_no_error (error);
  sync_ok (device);
  g_assert_cmpuint (bb_store_outbox_count (bb_session_get_store (device->session)), ==, 0);

  /* Every reported save is on the device and on the server; the server
   * holds exactly the device's records. */
  records = bb_store_list_records (bb_session_get_store (device->session), NULL, 0, G_MAXUINT, &error);
  g_assert_no_error (error);
  held = server_records (server);
  g_test_message ("%u saves reported, %u records on the device, %u on the server, %u server kills",
                  g_hash_table_size (saved), records->len, g_hash_table_size (held), server_kills);
  g_assert_cmpuint (g_hash_table_size (held), ==, records->len);
  for (guint i = 0; i < records->len; i++)
    {
      const char *id = bb_record_get_id (g_ptr_array_index (records, i));

      if (!g_hash_table_contains (held, id))
        g_error ("record %s is on the device but not on the server (seed %u)", id, seed);
      g_hash_table_remove (held, id);
    }
  {
    GHashTableIter iter;
    const char *id;

    g_hash_table_iter_init (&iter, saved);
    while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
      {
        g_autoptr(BbRecord) record = bb_store_get_record (bb_session_get_store (device->session), id, &error);

        if (record == NULL)
          g_error ("save %s was reported but is not on the device (seed %u)", id, seed);
        g_assert_cmpint (bb_record_get_sync_state (record), ==, BB_SYNC_STATE_SYNCED);
      }
  }

  device_db = device_db_path (device);
  g_clear_object (&device->session);
  assert_integrity (device_db);
  server_kill (server, SIGTERM);
  assert_integrity (server->db);
}

int
main (int    argc,
      char **argv)
{
  if (argc == 3 && g_str_equal (argv[1], "--device"))
    return run_device (argv[2]);

  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);
  /* The SQLite backend: integrity_check is SQLite's. */
  g_assert_false (test_db_is_postgresql ());

  g_test_add_func ("/faults/kill/server-and-device-sigkilled-lose-and-double-nothing",
                   test_kill_server_and_device);

  return g_test_run ();
}
