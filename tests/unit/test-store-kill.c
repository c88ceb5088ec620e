/* test-store-kill.c: what the store reported as saved survives SIGKILL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The test runs itself again as a child (`test-store-kill --child DIR`) that
 * saves records, edits and drafts in a loop and prints a line for each one
 * only after the store said it was saved. The parent kills the child at
 * random moments, several times over the same database, then checks that the
 * file is sound and holds everything that was reported.
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "beatbook.h"
#include "test-files.h"

#define N_ROUNDS 8

static char *self_exe;

/* Child */

static BbRecord *
make_record (guint n)
{
  BbRecord *record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *description = g_strdup_printf ("Kill test observation %u", n);

  json_object_set_string_member (fields, "ward", "town");
  json_object_set_string_member (fields, "category", "street_drinking");
  json_object_set_string_member (fields, "description", description);
  json_object_set_string_member (fields, "place", "High Street");
  bb_record_set_fields (record, fields);
  bb_record_set_author (record, "user-4521", "PCSO 4521", "officer");
  return record;
}

static void
report (const char *line)
{
  /* One write per line, flushed: the parent only counts whole lines. */
  fputs (line, stdout);
  fflush (stdout);
}

static int
child_main (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "beatbook.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BbStore) store = bb_store_open (path, &error);
  g_autoptr(BbRecord) last = NULL;

  if (store == NULL)
    {
      g_printerr ("child: %s\n", error->message);
      return 2;
    }

  for (guint n = 0; ; n++)
    {
      g_autofree char *line = NULL;

      if (n % 4 == 3 && last != NULL)
        {
          /* An edit of the last record. */
          json_object_set_int_member (bb_record_get_fields (last), "people_involved", n);
          if (!bb_store_save_record (store, last, &error))
            break;
          line = g_strdup_printf ("E %s %" G_GINT64_FORMAT "\n",
                                  bb_record_get_id (last), bb_record_get_rev (last));
        }
      else if (n % 4 == 2)
        {
          g_autofree char *draft_id = g_strdup_printf ("draft-%d-%u", (int) getpid (), n);
          g_autofree char *json = g_strdup_printf ("{\"notes\": \"draft %u\"}", n);

          if (!bb_store_save_draft (store, draft_id, BB_KIND_VAWG_WALK, NULL, json, &error))
            break;
          line = g_strdup_printf ("D %s\n", draft_id);
        }
      else
        {
          g_clear_object (&last);
          last = make_record (n);
          if (!bb_store_save_record (store, last, &error))
            break;
          line = g_strdup_printf ("S %s\n", bb_record_get_id (last));
        }

      report (line);
    }

  g_printerr ("child: %s\n", error->message);
  return 3;
}

/* Parent */

typedef struct
{
  GHashTable *records; /* id -> highest reported rev (GINT_TO_POINTER) */
  GHashTable *drafts;  /* set of draft ids */
  guint       n_lines;
} Reported;

static void
read_reports (GInputStream *stream,
              Reported     *reported)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  guint8 buffer[4096];
  gssize n;
  gsize start = 0;

  while ((n = g_input_stream_read (stream, buffer, sizeof buffer, NULL, &error)) > 0)
    g_byte_array_append (bytes, buffer, n);
  g_assert_no_error (error);

  /* A line cut short by the kill was never reported. */
  for (gsize i = 0; i < bytes->len; i++)
    {
      g_autofree char *line = NULL;
      g_auto(GStrv) parts = NULL;

      if (bytes->data[i] != '\n')
        continue;

      line = g_strndup ((const char *) bytes->data + start, i - start);
      start = i + 1;
      parts = g_strsplit (line, " ", 3);
      reported->n_lines++;

      if (g_strcmp0 (parts[0], "S") == 0 && parts[1] != NULL)
        {
          g_assert_true (bb_uuid_is_valid (parts[1]));
          g_hash_table_insert (reported->records, g_strdup (parts[1]), GINT_TO_POINTER (1));
        }
      else if (g_strcmp0 (parts[0], "E") == 0 && parts[1] != NULL && parts[2] != NULL)
        g_hash_table_insert (reported->records, g_strdup (parts[1]),
                             GINT_TO_POINTER ((int) g_ascii_strtoll (parts[2], NULL, 10)));
      else if (g_strcmp0 (parts[0], "D") == 0 && parts[1] != NULL)
        g_hash_table_add (reported->drafts, g_strdup (parts[1]));
      else
        g_error ("unexpected line from the child: “%s”", line);
    }
}

static void
run_and_kill (const char *dir,
              guint       delay_ms,
              Reported   *reported)
{
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  guint before = reported->n_lines;

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            self_exe, "--child", dir, NULL);
  g_assert_no_error (error);

  g_usleep (delay_ms * G_TIME_SPAN_MILLISECOND);
  g_subprocess_send_signal (child, SIGKILL);

  read_reports (g_subprocess_get_stdout_pipe (child), reported);
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);

  /* It must have died by our hand, not given up on its own. */
  if (!g_subprocess_get_if_signaled (child))
    g_error ("the child exited with status %d before it was killed",
             g_subprocess_get_exit_status (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);

  g_test_message ("killed after %u ms: %u lines reported", delay_ms,
                  reported->n_lines - before);
}

static char *
sql_text (sqlite3    *db,
          const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *text;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

static void
check_database (const char *path,
                Reported   *reported)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbStore) store = bb_store_open (path, &error);
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GHashTable) draft_ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *integrity = NULL;
  g_autofree char *unqueued = NULL;
  g_autofree char *unindexed = NULL;
  GHashTableIter iter;
  gpointer key, value;
  sqlite3 *db = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (store);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  integrity = sql_text (db, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");
  /* Record, outbox entry and search row were written together or not at all. */
  unqueued = sql_text (db, "SELECT count(*) FROM records r WHERE NOT EXISTS"
                           " (SELECT 1 FROM outbox o WHERE o.id = r.id AND o.rev = r.rev)");
  g_assert_cmpstr (unqueued, ==, "0");
  unindexed = sql_text (db, "SELECT (SELECT count(*) FROM records) -"
                            " (SELECT count(*) FROM records_fts)");
  g_assert_cmpstr (unindexed, ==, "0");
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO records_fts (records_fts)"
                                     " VALUES ('integrity-check')", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);

  g_hash_table_iter_init (&iter, reported->records);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(BbRecord) record = bb_store_get_record (store, key, &error);

      g_assert_no_error (error);
      g_assert_nonnull (record);
      g_assert_cmpint (bb_record_get_rev (record), >=, GPOINTER_TO_INT (value));
    }

  drafts = bb_store_list_drafts (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < drafts->len; i++)
    g_hash_table_add (draft_ids, ((BbDraft *) g_ptr_array_index (drafts, i))->id);
  g_hash_table_iter_init (&iter, reported->drafts);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_assert_true (g_hash_table_contains (draft_ids, key));

  /* Every record saved is queued for sync: nothing new was lost from it. */
  g_assert_cmpuint (bb_store_outbox_count (store), >=, g_hash_table_size (reported->records));
}

static void
test_kill_keeps_reported_saves (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("beatbook-kill-XXXXXX", &error);
  g_autofree char *path = NULL;
  Reported reported = {
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
    0,
  };

  g_assert_no_error (error);
  path = g_build_filename (dir, "beatbook.db", NULL);

  for (guint round = 0; round < N_ROUNDS; round++)
    {
      /* The first round may die while creating the schema. */
      guint delay = round == 0 ? 15 : (guint) g_test_rand_int_range (40, 700);

      run_and_kill (dir, delay, &reported);
    }

  g_test_message ("%u records and %u drafts reported in all",
                  g_hash_table_size (reported.records), g_hash_table_size (reported.drafts));
  g_assert_cmpuint (g_hash_table_size (reported.records), >, 0);

  check_database (path, &reported);

  g_hash_table_unref (reported.records);
  g_hash_table_unref (reported.drafts);
  bb_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && strcmp (argv[1], "--child") == 0)
    return child_main (argv[2]);

  if (strchr (argv[0], G_DIR_SEPARATOR) != NULL)
    self_exe = g_canonicalize_filename (argv[0], NULL);
  else
    self_exe = g_find_program_in_path (argv[0]);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/kill/reported-saves-survive-sigkill", test_kill_keeps_reported_saves);

  return g_test_run ();
}
