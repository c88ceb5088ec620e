/* test-migrations.c: opening databases written by every older schema
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The SQL below is a frozen copy of each released schema step, as devices in
 * the field ran it. It must not follow later edits to bb-store.c: the point
 * is to build the files those older versions really left behind.
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "beatbook.h"
#include "test-files.h"

static const char schema_step_1[] =
  "PRAGMA application_id = 1111649073;"
  "CREATE TABLE meta ("
  "  key   TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL);"
  "CREATE TABLE records ("
  "  num             INTEGER PRIMARY KEY,"
  "  id              TEXT NOT NULL UNIQUE,"
  "  kind            TEXT NOT NULL,"
  "  rev             INTEGER NOT NULL,"
  "  base_rev        INTEGER NOT NULL DEFAULT 0,"
  "  seq             INTEGER NOT NULL DEFAULT 0,"
  "  deleted         INTEGER NOT NULL DEFAULT 0,"
  "  occurred_at     TEXT NOT NULL,"
  "  priority        INTEGER NOT NULL,"
  "  fields          TEXT NOT NULL DEFAULT '{}',"
  "  created_at      TEXT,"
  "  updated_at      TEXT,"
  "  author_id       TEXT,"
  "  author_name     TEXT,"
  "  author_role     TEXT,"
  "  review_state    TEXT NOT NULL DEFAULT 'new',"
  "  review_comments TEXT,"
  "  sync_state      TEXT NOT NULL DEFAULT 'pending',"
  "  sync_message    TEXT,"
  "  ward            TEXT);"
  "CREATE INDEX records_newest ON records (occurred_at DESC, id DESC);"
  "CREATE INDEX records_kind_newest ON records (kind, occurred_at DESC, id DESC);"
  "CREATE TABLE outbox ("
  "  id        TEXT PRIMARY KEY NOT NULL REFERENCES records (id) ON DELETE CASCADE,"
  "  rev       INTEGER NOT NULL,"
  "  queued_at TEXT NOT NULL,"
  "  position  INTEGER NOT NULL);"
  "CREATE INDEX outbox_order ON outbox (position);"
  "CREATE TABLE drafts ("
  "  id         TEXT PRIMARY KEY NOT NULL,"
  "  kind       TEXT NOT NULL,"
  "  record_id  TEXT,"
  "  json       TEXT NOT NULL,"
  "  updated_at TEXT NOT NULL,"
  "  touched    INTEGER NOT NULL);"
  "CREATE INDEX drafts_newest ON drafts (touched DESC);";

static const char schema_step_2[] =
  "CREATE VIRTUAL TABLE records_fts USING fts5 ("
  "  body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');";

static const char schema_step_3[] =
  "CREATE TABLE conflicts ("
  "  id              TEXT PRIMARY KEY NOT NULL REFERENCES records (id) ON DELETE CASCADE,"
  "  kind            TEXT NOT NULL,"
  "  rev             INTEGER NOT NULL,"
  "  seq             INTEGER NOT NULL DEFAULT 0,"
  "  deleted         INTEGER NOT NULL DEFAULT 0,"
  "  occurred_at     TEXT NOT NULL,"
  "  priority        INTEGER NOT NULL,"
  "  fields          TEXT NOT NULL DEFAULT '{}',"
  "  created_at      TEXT,"
  "  updated_at      TEXT,"
  "  author_id       TEXT,"
  "  author_name     TEXT,"
  "  author_role     TEXT,"
  "  review_state    TEXT NOT NULL DEFAULT 'new',"
  "  review_comments TEXT,"
  "  received_at     TEXT NOT NULL);"
  "CREATE INDEX records_ward_newest ON records (ward, occurred_at DESC, id DESC);"
  "CREATE INDEX records_sync_state ON records (sync_state) WHERE sync_state != 'synced';";

static const char schema_step_4[] =
  "CREATE INDEX records_live_newest ON records (occurred_at DESC, id DESC)"
  "  WHERE deleted = 0;"
  "DROP INDEX records_kind_newest;"
  "CREATE INDEX records_kind_live_newest ON records (kind, occurred_at DESC, id DESC)"
  "  WHERE deleted = 0;"
  "DROP INDEX records_ward_newest;"
  "CREATE INDEX records_ward_live_newest ON records (ward, occurred_at DESC, id DESC)"
  "  WHERE deleted = 0;";

static const char schema_step_5[] =
  "CREATE TABLE review_queue ("
  "  num               INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  record_id         TEXT NOT NULL,"
  "  state             TEXT NOT NULL,"
  "  comment           TEXT,"
  "  queued_at         TEXT NOT NULL,"
  "  previous_state    TEXT,"
  "  previous_comments TEXT,"
  "  error             TEXT);"
  "CREATE INDEX review_queue_record ON review_queue (record_id, num);"
  "CREATE TABLE export_notices ("
  "  num       INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  body      TEXT NOT NULL,"
  "  queued_at TEXT NOT NULL,"
  "  error     TEXT);";

static const char schema_step_6[] =
  "CREATE TABLE search_pending ("
  "  num     INTEGER PRIMARY KEY,"
  "  indexed INTEGER NOT NULL);";

static const char schema_step_7[] =
  "CREATE TABLE blobs ("
  "  sha256     TEXT PRIMARY KEY NOT NULL,"
  "  media_type TEXT NOT NULL,"
  "  size       INTEGER NOT NULL,"
  "  state      TEXT NOT NULL CHECK (state IN ('waiting', 'uploaded', 'cached')),"
  "  added_at   TEXT NOT NULL);"
  "CREATE INDEX blobs_waiting ON blobs (state) WHERE state = 'waiting';";

static const char schema_step_8[] =
  "ALTER TABLE records ADD COLUMN personal_purged_at TEXT;";

static const char * const schema_steps[] = {
  schema_step_1, schema_step_2, schema_step_3, schema_step_4, schema_step_5,
  schema_step_6, schema_step_7, schema_step_8
};

#define PULLED_ID  "0b7e0a52-6c1e-4b43-9d55-3e2f3a1b0001"
#define PENDING_ID "0b7e0a52-6c1e-4b43-9d55-3e2f3a1b0002"
#define DAMAGED_ID "0b7e0a52-6c1e-4b43-9d55-3e2f3a1b0003"

/* What a device at every old version could hold: a synced record, one
 * waiting in the outbox, one whose fields text got damaged, a draft and the
 * sync cursor. */
static const char old_rows[] =
  "INSERT INTO records (id, kind, rev, base_rev, seq, occurred_at, priority,"
  " fields, created_at, updated_at, author_id, author_name, author_role,"
  " review_state, sync_state, ward) VALUES"
  " ('" PULLED_ID "', 'patrol_observation', 2, 2, 40, '2026-01-10T20:00:00Z', 2,"
  "  '{\"ward\":\"town\",\"category\":\"fly_tipping\",\"place\":\"Lowfield Street\","
  "\"description\":\"Builders rubble behind the shops\"}',"
  "  '2026-01-10T20:05:00Z', '2026-01-11T09:00:00Z', 'user-4521', 'PCSO 4521',"
  "  'officer', 'reviewed', 'synced', 'town'),"
  " ('" PENDING_ID "', 'vawg_walk', 1, 0, 0, '2026-01-12T21:00:00Z', 1,"
  "  '{\"ward\":\"bridge\",\"walk_type\":\"night_time_economy\","
  "\"route\":\"Market Place to Central Park\"}',"
  "  '2026-01-12T22:00:00Z', '2026-01-12T22:00:00Z', 'user-4521', 'PCSO 4521',"
  "  'officer', 'new', 'pending', 'bridge'),"
  " ('" DAMAGED_ID "', 'patrol_observation', 1, 1, 41, '2026-01-09T10:00:00Z', 2,"
  "  '{\"ward\": broken', '2026-01-09T10:00:00Z', '2026-01-09T10:00:00Z',"
  "  'user-4521', 'PCSO 4521', 'officer', 'new', 'synced', NULL);"
  "INSERT INTO outbox (id, rev, queued_at, position) VALUES"
  " ('" PENDING_ID "', 1, '2026-01-12T22:00:00Z', 1);"
  "INSERT INTO drafts (id, kind, record_id, json, updated_at, touched) VALUES"
  " ('draft-1', 'engagement_event', NULL, '{\"title\":\"Ward surgery\"}',"
  "  '2026-01-13T08:00:00Z', 1);"
  "INSERT INTO meta (key, value) VALUES ('sync.cursor', '41');";

static void
exec_ok (sqlite3    *db,
         const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

/* The file a device left at schema @version, in WAL mode as the store keeps
 * it, holding old_rows. An FTS row is written as that version's store did
 * (rowid = num); from version 6 the pending record's entry is out of date
 * and waits in search_pending, as after a pull. */
static void
make_old_database (const char *path,
                   int         version)
{
  sqlite3 *db = NULL;
  g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", version);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  exec_ok (db, "PRAGMA journal_mode = WAL");
  for (int step = 0; step < version; step++)
    {
      exec_ok (db, "BEGIN");
      exec_ok (db, schema_steps[step]);
      exec_ok (db, set_version);
      exec_ok (db, "COMMIT");
    }

  exec_ok (db, old_rows);
  if (version >= 2)
    exec_ok (db, "INSERT INTO records_fts (rowid, body)"
                 " SELECT num, json_extract (fields, '$.place') || ' ' ||"
                 " json_extract (fields, '$.description') FROM records"
                 " WHERE id = '" PULLED_ID "';"
                 "INSERT INTO records_fts (rowid, body)"
                 " SELECT num, json_extract (fields, '$.route') FROM records"
                 " WHERE id = '" PENDING_ID "';");
  if (version >= 6)
    exec_ok (db, "UPDATE records_fts SET body = 'outdated words'"
                 " WHERE rowid = (SELECT num FROM records WHERE id = '" PENDING_ID "');"
                 "INSERT INTO search_pending (num, indexed)"
                 " SELECT num, 1 FROM records WHERE id = '" PENDING_ID "';");
  sqlite3_close (db);
}

static guint
count_search (BbStore    *store,
              const char *words)
{
  g_autoptr(GError) error = NULL;
  BbQuery query = { .search = words };
  guint n = G_MAXUINT;

  g_assert_true (bb_store_count_records (store, &query, &n, &error));
  g_assert_no_error (error);
  return n;
}

static void
check_migrated (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbStore) store = NULL;
  g_autoptr(BbRecord) pulled = NULL;
  g_autoptr(BbRecord) damaged = NULL;
  g_autoptr(BbRecord) fresh = NULL;
  g_autoptr(BbRecord) theirs = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *cursor = NULL;

  store = bb_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_cmpint (bb_test_sql_int (path, "PRAGMA user_version"), ==, BB_STORE_SCHEMA_VERSION);
  g_assert_cmpint (bb_test_sql_int (path, "PRAGMA application_id"), ==, 1111649073);

  /* Data kept. */
  pulled = bb_store_get_record (store, PULLED_ID, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bb_record_get_rev (pulled), ==, 2);
  g_assert_cmpint (bb_record_get_seq (pulled), ==, 40);
  g_assert_cmpint (bb_record_get_sync_state (pulled), ==, BB_SYNC_STATE_SYNCED);
  g_assert_cmpstr (bb_record_get_review_state (pulled), ==, "reviewed");
  g_assert_cmpstr (bb_record_get_field_string (pulled, "place"), ==, "Lowfield Street");

  outbox = bb_store_outbox_list (store, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 1);
  g_assert_cmpstr (bb_record_get_id (g_ptr_array_index (outbox, 0)), ==, PENDING_ID);

  drafts = bb_store_list_drafts (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (drafts->len, ==, 1);
  g_assert_cmpstr (((BbDraft *) g_ptr_array_index (drafts, 0))->json, ==, "{\"title\":\"Ward surgery\"}");

  cursor = bb_store_get_meta (store, "sync.cursor");
  g_assert_cmpstr (cursor, ==, "41");

  /* A damaged row is reported, not a crash, and blocks nothing else. */
  damaged = bb_store_get_record (store, DAMAGED_ID, &error);
  g_assert_null (damaged);
  g_assert_error (error, BB_STORE_ERROR, BB_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, DAMAGED_ID));
  g_clear_error (&error);

  /* Search works over the old records, indexed during the upgrade. */
  g_assert_cmpuint (count_search (store, "lowfield"), ==, 1);
  g_assert_cmpuint (count_search (store, "rubble"), ==, 1);
  g_assert_cmpuint (count_search (store, "market plac"), ==, 1);
  g_assert_cmpuint (count_search (store, "outdated"), ==, 0);
  {
    g_autoptr(GPtrArray) found = NULL;
    BbQuery query = { .search = "lowfield" };

    found = bb_store_list_records (store, &query, 0, 50, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (found->len, ==, 1);
    g_assert_cmpstr (bb_record_get_id (g_ptr_array_index (found, 0)), ==, PULLED_ID);
  }
  /* Every entry of the index under its record's key (step 9). */
  g_assert_cmpint (bb_test_sql_int (path, "SELECT count(*) FROM records_fts"), ==, 2);
  g_assert_cmpint (bb_test_sql_int (path, "SELECT count(*) FROM records_fts f"
                                  " JOIN search_keys k ON k.key = f.rowid"
                                  " JOIN records r ON r.num = k.num"
                                  " AND r.num = (f.rowid & 1073741823)"), ==, 2);
  g_assert_cmpint (bb_test_sql_int (path, "SELECT count(*) FROM sqlite_master"
                                  " WHERE name LIKE 'records_fts_by_num%'"), ==, 0);

  /* New records and the newest tables work too. */
  fresh = bb_record_new (BB_KIND_PATROL_OBSERVATION);
  json_object_set_string_member (fields, "ward", "town");
  json_object_set_string_member (fields, "category", "street_drinking");
  json_object_set_string_member (fields, "description", "Group on the War Memorial steps");
  bb_record_set_fields (fresh, fields);
  g_assert_true (bb_store_save_record (store, fresh, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_search (store, "memorial"), ==, 1);

  theirs = bb_record_copy (g_ptr_array_index (outbox, 0));
  bb_record_set_rev (theirs, 3);
  g_assert_true (bb_store_mark_conflict (store, PENDING_ID, theirs, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bb_store_outbox_count (store), ==, 1);
}

static void
test_from_version (gconstpointer data)
{
  int version = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("beatbook-migrations-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "beatbook.db", NULL);

  g_assert_no_error (error);
  g_assert_cmpint (version, <, BB_STORE_SCHEMA_VERSION);
  make_old_database (path, version);
  g_assert_cmpint (bb_test_sql_int (path, "PRAGMA user_version"), ==, version);

  check_migrated (path);
  /* Opening the upgraded file again changes nothing. */
  {
    g_autoptr(BbStore) again = bb_store_open (path, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (count_search (again, "lowfield"), ==, 1);
    g_assert_cmpint (bb_test_sql_int (path, "PRAGMA user_version"), ==, BB_STORE_SCHEMA_VERSION);
  }

  bb_test_remove_tree (dir);
}

static void
test_from_empty_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("beatbook-migrations-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "beatbook.db", NULL);
  g_autoptr(BbStore) store = NULL;
  guint n = G_MAXUINT;

  /* A zero-length file (e.g. made by a backup tool) is a new database. */
  g_assert_true (g_file_set_contents (path, "", 0, &error));
  store = bb_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (bb_store_count_records (store, NULL, &n, &error));
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpint (bb_test_sql_int (path, "PRAGMA user_version"), ==, BB_STORE_SCHEMA_VERSION);

  g_clear_object (&store);
  bb_test_remove_tree (dir);
}

static void
test_failed_step_rolls_back (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("beatbook-migrations-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "beatbook.db", NULL);
  g_autoptr(BbStore) store = NULL;
  sqlite3 *db = NULL;
  int last_old = BB_STORE_SCHEMA_VERSION - 1;

  /* A database two steps behind, where the last step cannot run: the
   * table it makes is already there. The step before it runs and stays. */
  make_old_database (path, last_old - 1);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  exec_ok (db, "CREATE TABLE search_keys (num INTEGER PRIMARY KEY, key TEXT);");
  sqlite3_close (db);

  store = bb_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, path));
  g_test_message ("%s", error->message);

  /* The step left nothing half-done. */
  g_assert_cmpint (bb_test_sql_int (path, "PRAGMA user_version"), ==, last_old);
  g_assert_cmpint (bb_test_sql_int (path, "SELECT count(*) FROM records"), ==, 3);
  g_assert_cmpint (bb_test_sql_int (path, "SELECT count(*) FROM sqlite_master"
                                  " WHERE name = 'blobs_waiting'"), ==, 1);
  g_assert_cmpint (bb_test_sql_int (path, "SELECT count(*) FROM pragma_table_info ('records')"
                                  " WHERE name = 'personal_purged_at' AND type = 'TEXT'"), ==, 1);
  /* The old index is whole, under its old name. */
  g_assert_cmpint (bb_test_sql_int (path, "SELECT count(*) FROM records_fts"), ==, 2);
  g_assert_cmpint (bb_test_sql_int (path, "SELECT count(*) FROM sqlite_master"
                                  " WHERE name LIKE 'records_fts_by_num%'"), ==, 0);

  bb_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_assert_cmpint (G_N_ELEMENTS (schema_steps), ==, BB_STORE_SCHEMA_VERSION - 1);

  for (int version = 1; version < BB_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *test_path =
        g_strdup_printf ("/migrations/from-version-%d/keeps-data-and-search", version);

      g_test_add_data_func (test_path, GINT_TO_POINTER (version), test_from_version);
    }
  g_test_add_func ("/migrations/from-an-empty-file/makes-a-new-database", test_from_empty_file);
  g_test_add_func ("/migrations/failed-step/rolls-back-to-the-older-version",
                   test_failed_step_rolls_back);

  return g_test_run ();
}
