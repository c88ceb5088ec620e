/* test-query-plans.c: the queries run for every list page and sync batch
 * start from an index
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A query that SQLite answers by reading the whole records table is fast
 * with a hundred records and takes seconds with a million: no timing test
 * catches that on a small database, the query plan does. Each hot query
 * (bb_store_hot_queries(), the store's own SQL) is explained against a real
 * store; a full table scan or a sort of every row fails the test.
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "beatbook.h"
#include "bb-store-private.h"

/* The steps of @sql's plan, one "detail" a line. */
static char *
explain (sqlite3    *db,
         const char *sql)
{
  g_autofree char *explain_sql = g_strconcat ("EXPLAIN QUERY PLAN ", sql, NULL);
  g_autoptr(GString) plan = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, explain_sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (plan, "%s\n", (const char *) sqlite3_column_text (stmt, 3));
  sqlite3_finalize (stmt);

  return g_string_free (g_steal_pointer (&plan), FALSE);
}

/* "SCAN records" (every row) or a sort of every row. "SCAN records USING
 * INDEX ..." reads every entry of an index: fine for a page, which walks the
 * index in the order asked and stops at its LIMIT, not for a count. */
static gboolean
reads_every_row (const char *sql,
                 const char *plan,
                 gboolean    whole_table)
{
  gboolean paged = strstr (sql, " LIMIT ") != NULL;

  g_auto(GStrv) steps = g_strsplit (plan, "\n", -1);

  for (guint i = 0; steps[i] != NULL; i++)
    {
      const char *step = g_strstrip (steps[i]);

      if (strstr (step, "USE TEMP B-TREE FOR ORDER BY") != NULL)
        return TRUE;
      if (g_str_equal (step, "SCAN CONSTANT ROW"))
        continue;
      /* The rows a subquery hands on: its own steps are checked. */
      if (g_str_has_prefix (step, "SCAN (subquery-"))
        continue;
      /* A count of a whole table may read its narrowest index, never the
       * rows themselves. */
      if (whole_table && g_str_has_prefix (step, "SCAN ") &&
          strstr (step, " USING COVERING INDEX ") != NULL)
        continue;
      if (g_str_has_prefix (step, "SCAN ") && strstr (step, "VIRTUAL TABLE") == NULL &&
          (!paged || strstr (step, " USING ") == NULL))
        return TRUE;
    }

  return FALSE;
}

/* A search page walks the search index newest first and looks each record
 * up by num: it never asks for every match and sorts them (the plan of
 * "num IN (SELECT rowid FROM records_fts ...) ORDER BY occurred_at"). */
static gboolean
walks_the_search_index (const char *plan)
{
  return g_str_has_prefix (plan, "SCAN records_fts VIRTUAL TABLE") &&
         strstr (plan, "SEARCH records USING INTEGER PRIMARY KEY (rowid=?)") != NULL &&
         strstr (plan, "TEMP B-TREE") == NULL;
}

/* The same walk inside a subquery: a capped count ("SELECT count(*) FROM
 * (SELECT 1 ... LIMIT n)"), which SQLite runs as a co-routine. */
static gboolean
walks_the_search_index_in_a_subquery (const char *plan)
{
  const char *inner;

  if (!g_str_has_prefix (plan, "CO-ROUTINE "))
    return FALSE;
  inner = strchr (plan, '\n');
  return inner != NULL && walks_the_search_index (inner + 1);
}

static void
test_hot_queries_start_from_an_index (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("beatbook-plans-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "beatbook.db", NULL);
  g_autoptr(BbStore) store = NULL;
  g_autoptr(GPtrArray) queries = bb_store_hot_queries ();
  sqlite3 *db = NULL;
  guint failures = 0;
  guint n_searches = 0;
  guint n_capped = 0;

  g_assert_no_error (error);
  store = bb_store_open (path, &error);
  g_assert_no_error (error);

  /* Some rows, so the plan is the one a real store gets. */
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(BbRecord) record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
      g_autoptr(JsonObject) fields = json_object_new ();

      json_object_set_string_member (fields, "ward", i % 2 ? "town" : "heath");
      json_object_set_string_member (fields, "category", "asb_youths");
      json_object_set_string_member (fields, "description", "youths by the shop");
      bb_record_set_fields (record, fields);
      bb_record_set_occurred_at (record, "2026-03-01T21:14:00Z");
      bb_record_set_priority (record, 2);
      g_assert_true (bb_store_save_record (store, record, &error));
      g_assert_no_error (error);
    }

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpuint (queries->len, >=, 6);
  for (guint i = 0; i < queries->len; i++)
    {
      BbStoreHotQuery *query = g_ptr_array_index (queries, i);
      g_autofree char *plan = explain (db, query->sql);

      g_test_message ("%s:\n%s", query->name, plan);
      if (reads_every_row (query->sql, plan, query->whole_table))
        {
          g_printerr ("“%s” reads every row:\n%s\n%s\n", query->name, query->sql, plan);
          failures++;
        }
      if (g_str_has_prefix (query->name, "search page"))
        {
          n_searches++;
          if (!walks_the_search_index (plan))
            {
              g_printerr ("“%s” does not walk the search index in order:\n%s\n%s\n",
                          query->name, query->sql, plan);
              failures++;
            }
        }
      /* The Review view's count: it stops at its cap (a LIMIT inside),
       * and a search's walks the index rather than listing every match. */
      if (g_str_has_prefix (query->name, "capped count"))
        {
          n_capped++;
          if (strstr (query->sql, " LIMIT :limit)") == NULL)
            {
              g_printerr ("“%s” has no cap:\n%s\n", query->name, query->sql);
              failures++;
            }
          if (strstr (query->name, "search") != NULL && !walks_the_search_index_in_a_subquery (plan))
            {
              g_printerr ("“%s” does not walk the search index in order:\n%s\n%s\n",
                          query->name, query->sql, plan);
              failures++;
            }
        }
    }
  sqlite3_close (db);
  g_clear_object (&store);

  g_assert_cmpuint (failures, ==, 0);
  g_assert_cmpuint (n_searches, >=, 2);
  g_assert_cmpuint (n_capped, >=, 3);

  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *child = g_build_filename (dir, name, NULL);

        g_remove (child);
      }
    g_rmdir (dir);
  }
}

/* The check itself must be able to fail. */
static void
test_a_full_scan_is_caught (void)
{
  sqlite3 *db = NULL;
  g_autofree char *scan = NULL;
  g_autofree char *sorted = NULL;
  g_autofree char *indexed = NULL;
  g_autofree char *whole_index = NULL;
  g_autofree char *page = NULL;
  g_autofree char *all_matches = NULL;
  g_autofree char *walked = NULL;
  g_autofree char *capped_all_matches = NULL;
  g_autofree char *capped_walked = NULL;
  g_autofree char *uncapped = NULL;
  g_autofree char *capped = NULL;

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE records (num INTEGER PRIMARY KEY, t);"
                                 "CREATE INDEX records_t ON records (t);"
                                 "CREATE VIRTUAL TABLE records_fts USING fts5 (body);",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  all_matches = explain (db, "SELECT * FROM records WHERE num IN (SELECT rowid FROM records_fts"
                             " WHERE records_fts MATCH 'a*') ORDER BY t DESC LIMIT 50");
  walked = explain (db, "SELECT * FROM records_fts CROSS JOIN records ON records.num = records_fts.rowid"
                        " WHERE records_fts MATCH 'a*' ORDER BY records_fts.rowid DESC");
  capped_all_matches = explain (db, "SELECT count(*) FROM (SELECT 1 FROM records WHERE num IN"
                                    " (SELECT rowid FROM records_fts WHERE records_fts MATCH 'a*') LIMIT 10)");
  capped_walked = explain (db, "SELECT count(*) FROM (SELECT 1 FROM records_fts CROSS JOIN records"
                               " ON records.num = records_fts.rowid WHERE records_fts MATCH 'a*' LIMIT 10)");
  g_assert_false (walks_the_search_index (all_matches));
  g_assert_true (walks_the_search_index (walked));
  g_assert_false (walks_the_search_index_in_a_subquery (capped_all_matches));
  g_assert_true (walks_the_search_index_in_a_subquery (capped_walked));
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE t (a, b); CREATE INDEX t_a ON t (a);",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  scan = explain (db, "SELECT count(*) FROM t WHERE b = 1");
  sorted = explain (db, "SELECT * FROM t WHERE a > 1 ORDER BY b LIMIT 5");
  indexed = explain (db, "SELECT * FROM t WHERE a = 1");
  whole_index = explain (db, "SELECT count(*) FROM t INDEXED BY t_a WHERE b = 1");
  page = explain (db, "SELECT * FROM t ORDER BY a LIMIT 5");
  uncapped = explain (db, "SELECT count(*) FROM (SELECT 1 FROM t WHERE b = 1)");
  capped = explain (db, "SELECT count(*) FROM (SELECT 1 FROM t INDEXED BY t_a WHERE b = 1 LIMIT 5)");
  sqlite3_close (db);

  g_assert_true (reads_every_row ("SELECT count(*) FROM t WHERE b = 1", scan, FALSE));
  g_assert_true (reads_every_row ("SELECT * FROM t WHERE a > 1 ORDER BY b LIMIT 5", sorted, FALSE));
  g_assert_false (reads_every_row ("SELECT * FROM t WHERE a = 1", indexed, FALSE));
  g_assert_true (reads_every_row ("SELECT count(*) FROM t INDEXED BY t_a WHERE b = 1", whole_index, FALSE));
  g_assert_false (reads_every_row ("SELECT * FROM t ORDER BY a LIMIT 5", page, FALSE));
  g_assert_true (reads_every_row ("SELECT count(*) FROM (SELECT 1 FROM t WHERE b = 1)", uncapped, FALSE));
  g_assert_false (reads_every_row ("SELECT count(*) FROM (SELECT 1 FROM t INDEXED BY t_a WHERE b = 1 LIMIT 5)",
                                   capped, FALSE));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/query-plans/check/catches-a-full-scan", test_a_full_scan_is_caught);
  g_test_add_func ("/query-plans/hot-queries/start-from-an-index", test_hot_queries_start_from_an_index);

  return g_test_run ();
}
