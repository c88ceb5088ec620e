/* test-store-import.c: a bulk import stores every record, queued and
 * indexed, in one transaction, or nothing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The import writes each record as a save of a new one would (rev 1,
 * pending, one outbox entry at the end of the queue) and its search entry
 * in the same transaction, a batch at a time. These tests read the file
 * itself as well as asking the store, because a search would index
 * anything left pending first and so hide an entry the import forgot.
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "beatbook.h"
#include "test-files.h"
#include "test-store-fixture.h"

/* More than two of the import's search batches (16,000 entries). */
#define N_MANY 32001

typedef struct
{
  char    *dir;
  char    *path;
  BbStore *store;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->store = bb_test_store_new ("beatbook-import-XXXXXX", "beatbook.db",
                                      &fixture->dir, &fixture->path);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  bb_test_store_free (&fixture->store, &fixture->dir, &fixture->path);
}

/* A word of letters only that no other record holds, nor a prefix of one
 * (search matches prefixes): "wq" and four base-26 digits of @i. */
static char *
unique_word (guint i)
{
  GString *word = g_string_new ("wq");

  for (guint digit = 0; digit < 4; digit++, i /= 26)
    g_string_append_c (word, 'a' + i % 26);
  return g_string_free (word, FALSE);
}

/* Record @i of an import: times scattered over years (so the search keys
 * come in no order), its own word in the description. */
static BbRecord *
make_record (guint i)
{
  BbRecord *record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *word = unique_word (i);
  g_autofree char *description = g_strdup_printf ("seen by the shops %s", word);
  g_autofree char *time = g_strdup_printf ("20%02u-%02u-%02uT%02u:%02u:00Z", 20 + (i * 7) % 6,
                                           1 + (i * 5) % 12, 1 + (i * 11) % 28,
                                           (i * 13) % 24, (i * 17) % 60);

  json_object_set_string_member (fields, "ward", i % 2 ? "town" : "heath");
  json_object_set_string_member (fields, "category", "fly_tipping");
  json_object_set_string_member (fields, "description", description);
  bb_record_set_fields (record, fields);
  bb_record_set_occurred_at (record, time);
  bb_record_set_priority (record, 1 + i % 4);
  bb_record_set_author (record, "user-4521", "PCSO 4521", "officer");
  return record;
}

static void
save_one (BbStore *store,
          guint    i)
{
  g_autoptr(BbRecord) record = make_record (i);
  g_autoptr(GError) error = NULL;

  g_assert_true (bb_store_save_record (store, record, &error));
  g_assert_no_error (error);
}

/* Imports records @first to @first + @n - 1, half through each half of the
 * API; commits when @commit. */
static void
import_records (BbStore  *store,
                guint     first,
                guint     n,
                gboolean  commit)
{
  g_autoptr(BbStoreImport) import = NULL;
  g_autoptr(GError) error = NULL;

  import = bb_store_import_begin (store, &error);
  g_assert_no_error (error);
  for (guint i = first; i < first + n; i++)
    {
      g_autoptr(BbRecord) record = make_record (i);

      if (i % 2)
        {
          g_assert_true (bb_store_import_add (import, record, &error));
          g_assert_cmpint (bb_record_get_rev (record), ==, 1);
          g_assert_cmpint (bb_record_get_sync_state (record), ==, BB_SYNC_STATE_PENDING);
        }
      else
        g_assert_true (bb_store_import_add_row (import, bb_store_import_row_new (record), &error));
      g_assert_no_error (error);
    }

  if (commit)
    {
      g_assert_true (bb_store_import_commit (g_steal_pointer (&import), &error));
      g_assert_no_error (error);
    }
}

static guint
count_matches (BbStore    *store,
               const char *search)
{
  BbQuery query = { .search = search };
  g_autoptr(GError) error = NULL;
  guint n = 0;

  g_assert_true (bb_store_count_records (store, &query, &n, &error));
  g_assert_no_error (error);
  return n;
}

static void
test_every_record_indexed_and_queued (Fixture       *fixture,
                                      gconstpointer  data)
{
  /* Two saved before, so the import's outbox positions follow theirs. */
  save_one (fixture->store, 100000);
  save_one (fixture->store, 100001);
  import_records (fixture->store, 0, N_MANY, TRUE);

  /* In the file as the commit left it, before any search ran. */
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT count(*) FROM records"), ==, N_MANY + 2);
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT count(*) FROM search_pending"), ==, 0);
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT count(*) FROM search_keys"), ==, N_MANY + 2);
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT count(*) FROM records_fts"), ==, N_MANY + 2);
  g_assert_cmpint (bb_test_sql_int (fixture->path,
                            "SELECT count(*) FROM records r JOIN search_keys k ON k.num = r.num"
                            " JOIN records_fts f ON f.rowid = k.key"
                            " WHERE f.body LIKE '%' || json_extract (r.fields, '$.description') || '%'"),
                   ==, N_MANY + 2);
  g_assert_cmpint (bb_test_sql_int (fixture->path,
                            "SELECT count(*) FROM records WHERE rev = 1 AND base_rev = 0 AND seq = 0"
                            " AND sync_state = 'pending' AND review_state = 'new'"
                            " AND created_at = updated_at AND deleted = 0"
                            " AND ward = json_extract (fields, '$.ward')"),
                   ==, N_MANY + 2);
  /* One outbox entry each, at rev 1, positions 1.. with no gap, in the
   * order they were added. */
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT count(*) FROM outbox WHERE rev = 1"), ==, N_MANY + 2);
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT min(position) FROM outbox"), ==, 1);
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT max(position) FROM outbox"), ==, N_MANY + 2);
  g_assert_cmpint (bb_test_sql_int (fixture->path,
                            "SELECT count(*) FROM outbox o JOIN records r ON r.id = o.id"
                            " WHERE o.position = r.num"),
                   ==, N_MANY + 2);

  /* Every record found by its own word, first, middle and last batch. */
  for (guint i = 0; i < N_MANY; i += (i < 10 || i > N_MANY - 10) ? 1 : 97)
    {
      g_autofree char *word = unique_word (i);

      g_assert_cmpuint (count_matches (fixture->store, word), ==, 1);
    }
  g_assert_cmpuint (count_matches (fixture->store, "shops"), ==, N_MANY + 2);
  g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, N_MANY + 2);

  /* FTS5's buffer, larger during the import, is back to its usual size. */
  g_assert_cmpint (bb_test_sql_int (fixture->path,
                            "SELECT COALESCE ((SELECT v FROM records_fts_config WHERE k = 'hashsize'),"
                            " 1048576)"),
                   ==, 1048576);
}

static void
test_free_without_commit_keeps_nothing (Fixture       *fixture,
                                        gconstpointer  data)
{
  save_one (fixture->store, 100000);
  import_records (fixture->store, 0, N_MANY, FALSE);

  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT count(*) FROM records"), ==, 1);
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT count(*) FROM outbox"), ==, 1);
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT count(*) FROM search_keys"), ==, 1);
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT count(*) FROM records_fts"), ==, 1);
  g_assert_cmpint (bb_test_sql_int (fixture->path,
                            "SELECT count(*) FROM records_fts_config WHERE k = 'hashsize'"), ==, 0);

  /* The store is unlocked and the next import starts its queue after the
   * one record kept. */
  import_records (fixture->store, 0, 3, TRUE);
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT max(position) FROM outbox"), ==, 4);
  g_assert_cmpuint (count_matches (fixture->store, "shops"), ==, 4);
}

static void
test_a_record_already_there_fails_the_import (Fixture       *fixture,
                                              gconstpointer  data)
{
  g_autoptr(BbRecord) saved = make_record (1);
  g_autoptr(BbRecord) again = NULL;
  g_autoptr(BbStoreImport) import = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (bb_store_save_record (fixture->store, saved, &error));
  g_assert_no_error (error);

  /* An import adds new records only: the same id again is an error, not an
   * overwrite of the record the user had. */
  again = make_record (2);
  bb_record_set_id (again, bb_record_get_id (saved));
  import = bb_store_import_begin (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_false (bb_store_import_add (import, again, &error));
  g_assert_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED);
  g_clear_pointer (&import, bb_store_import_free);

  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT count(*) FROM records"), ==, 1);
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT rev FROM records"), ==, 1);
  g_assert_cmpuint (count_matches (fixture->store, "wqbaaa"), ==, 1);   /* record 1 */
  g_assert_cmpuint (count_matches (fixture->store, "wqcaaa"), ==, 0);   /* record 2 */
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/store/import/every-record-indexed-and-queued-in-the-commit",
       test_every_record_indexed_and_queued);
  ADD ("/store/import/free-without-commit-keeps-nothing", test_free_without_commit_keeps_nothing);
  ADD ("/store/import/a-record-already-there-fails-the-import",
       test_a_record_already_there_fails_the_import);

  return g_test_run ();
}
