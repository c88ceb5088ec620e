/* bb-store.c: the device's local SQLite store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Durability: the database runs in WAL mode with synchronous=FULL, so the
 * commit that acknowledges a save is on disk before bb_store_save_record()
 * returns. NORMAL would already survive the process being killed (the WAL is
 * in the page cache), but not the power going: a patrol tablet with a flat
 * battery must still hold what it told the officer was saved.
 *
 * Search: records_fts holds, per record, the text of every field flagged
 * BB_FIELD_FLAG_SEARCHABLE in the kind's tables (bb-kind.h), walked in C so
 * that choice ids and numbers stay out of the index. Registration marks are
 * indexed as written and normalised ("AB12 CDE" and "AB12CDE"). Records of a
 * kind this build does not know index every string value instead.
 */
#define G_LOG_DOMAIN "beatbook-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "bb-i18n.h"
#include "bb-store.h"
#include "bb-store-private.h"

/* "BBk1": PRAGMA application_id, so a file is known to be Beatbook's. */
#define BB_STORE_APPLICATION_ID 0x42426b31

#define BUSY_TIMEOUT_MS 5000

G_DEFINE_FINAL_TYPE (BbStore, bb_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (bb-store-error-quark, bb_store_error)

/* Schema. Each step runs in its own transaction; a step, once released, is
 * never edited: databases in the field were made by it. */

static const char migration_1[] =
  "PRAGMA application_id = 1111649073;" /* BB_STORE_APPLICATION_ID */
  "CREATE TABLE meta ("
  "  key   TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL);"
  /* num is the stable rowid the search index refers to (an implicit rowid
   * may change on VACUUM). */
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

static const char migration_2[] =
  "CREATE VIRTUAL TABLE records_fts USING fts5 ("
  "  body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');";

static const char migration_3[] =
  /* The server's copy of a record in conflict, beside the local one. */
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

static const char migration_4[] =
  /* Lists hide deleted records: indexes of the live ones alone let a count
   * or a filtered page read the index without visiting every row. */
  "CREATE INDEX records_live_newest ON records (occurred_at DESC, id DESC)"
  "  WHERE deleted = 0;"
  "DROP INDEX records_kind_newest;"
  "CREATE INDEX records_kind_live_newest ON records (kind, occurred_at DESC, id DESC)"
  "  WHERE deleted = 0;"
  "DROP INDEX records_ward_newest;"
  "CREATE INDEX records_ward_live_newest ON records (ward, occurred_at DESC, id DESC)"
  "  WHERE deleted = 0;";

static const char migration_5[] =
  /* Reviews and export notices made offline, sent at the next sync. The
   * state and thread a review replaced are kept so a refused review can be
   * undone on this copy. No foreign key: a refused review outlives a record
   * the server has since erased, so the supervisor still reads why. */
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

static const char migration_6[] =
  /* Records written in bulk (a pull page; imports too, until they wrote
   * their own entries) whose search text is still to be indexed: the index is brought up to date in one transaction
   * at an idle moment, or before the next search. @indexed: the record may
   * already have an older entry to remove. */
  "CREATE TABLE search_pending ("
  "  num     INTEGER PRIMARY KEY,"
  "  indexed INTEGER NOT NULL);";

static const char migration_7[] =
  /* Evidence files (bb-evidence.h) live outside the database, named by
   * their hash; this says which this device holds and whether the server
   * has each: "waiting" (attached here, not yet uploaded), "uploaded", or
   * "cached" (fetched from the server to be shown). */
  "CREATE TABLE blobs ("
  "  sha256     TEXT PRIMARY KEY NOT NULL,"
  "  media_type TEXT NOT NULL,"
  "  size       INTEGER NOT NULL,"
  "  state      TEXT NOT NULL CHECK (state IN ('waiting', 'uploaded', 'cached')),"
  "  added_at   TEXT NOT NULL);"
  "CREATE INDEX blobs_waiting ON blobs (state) WHERE state = 'waiting';";

static const char migration_8[] =
  /* When this device removed a Section 59 warning's personal details
   * (bb_store_purge_personal_data()); the server keeps them. */
  "ALTER TABLE records ADD COLUMN personal_purged_at TEXT;";

static const char migration_9[] =
  /* The search index's rowid becomes a key in the list's order
   * (bb_store_search_key(): time bucket, then num), so a search reads its
   * first page and stops; search_keys says which key each record's entry
   * has. bb_store_rekey_search_index() copies the text over from the old
   * index. */
  "CREATE TABLE search_keys ("
  "  num INTEGER PRIMARY KEY,"
  "  key INTEGER NOT NULL);"
  "ALTER TABLE records_fts RENAME TO records_fts_by_num;"
  "CREATE VIRTUAL TABLE records_fts USING fts5 ("
  "  body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');";

typedef gboolean (*BbMigrationFill) (BbStore  *self,
                                     GError  **error);


static const struct {
  const char      *sql;
  BbMigrationFill  fill; /* data work done in C after the SQL, or NULL */
} migrations[] = {
  { migration_1, NULL },
  { migration_2, bb_store_fill_search_index },
  { migration_3, NULL },
  { migration_4, NULL },
  { migration_5, NULL },
  { migration_6, NULL },
  { migration_7, NULL },
  { migration_8, NULL },
  { migration_9, bb_store_rekey_search_index },
};

const char * const bb_store_sync_state_ids[] = {
  [BB_SYNC_STATE_PENDING] = "pending",
  [BB_SYNC_STATE_SYNCED] = "synced",
  [BB_SYNC_STATE_REJECTED] = "rejected",
  [BB_SYNC_STATE_CONFLICT] = "conflict",
};

BbSyncState
bb_store_sync_state_from_id (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (bb_store_sync_state_ids); i++)
    if (g_strcmp0 (bb_store_sync_state_ids[i], id) == 0)
      return (BbSyncState) i;

  return BB_SYNC_STATE_PENDING;
}

char *
bb_store_now_iso (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

/* Errors */

void
bb_store_set_db_error (BbStore     *self,
                       GError     **error,
                       const char  *doing)
{
  int code = sqlite3_errcode (self->db);
  BbStoreError store_code = BB_STORE_ERROR_FAILED;

  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
    store_code = BB_STORE_ERROR_CORRUPT;

  /* TRANSLATORS: "Could not save the record in “/path/beatbook.db”: disk I/O error" */
  g_set_error (error, BB_STORE_ERROR, store_code, _("%s in “%s”: %s"),
               doing, self->path, sqlite3_errmsg (self->db));
}

/* Statements */

BbCachedStmt *
bb_store_get_stmt (BbStore     *self,
                   const char  *sql,
                   GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->stmts, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                          &stmt, NULL) != SQLITE_OK)
    {
      bb_store_set_db_error (self, error, _("Could not prepare a query"));
      sqlite3_finalize (stmt);
      return NULL;
    }

  g_hash_table_insert (self->stmts, g_strdup (sql), stmt);
  return stmt;
}

void
bb_store_bind_text (sqlite3_stmt *stmt,
                    int           index,
                    const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

void
bb_store_bind_named_text (sqlite3_stmt *stmt,
                          const char   *name,
                          const char   *text)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    bb_store_bind_text (stmt, index, text);
}

gboolean
bb_store_step_done (BbStore       *self,
                    sqlite3_stmt  *stmt,
                    const char    *doing,
                    GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;

  if (rc != SQLITE_DONE)
    {
      bb_store_set_db_error (self, error, doing);
      return FALSE;
    }

  return TRUE;
}

/* Runs one cached statement with no parameters to completion. */
static gboolean
exec_cached (BbStore     *self,
             const char  *sql,
             const char  *doing,
             GError     **error)
{
  g_autoptr(BbCachedStmt) stmt = bb_store_get_stmt (self, sql, error);

  if (stmt == NULL)
    return FALSE;

  return bb_store_step_done (self, stmt, doing, error);
}

static gboolean
exec_script (BbStore     *self,
             const char  *sql,
             const char  *doing,
             GError     **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      bb_store_set_db_error (self, error, doing);
      return FALSE;
    }

  return TRUE;
}

/* Reads one integer from a statement with no parameters. */
gboolean
bb_store_query_int (BbStore     *self,
                    const char  *sql,
                    gint64      *value,
                    GError     **error)
{
  g_autoptr(BbCachedStmt) stmt = bb_store_get_stmt (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                     _("Could not read “%s”: the query returned nothing"), self->path);
      else
        bb_store_set_db_error (self, error, _("Could not read the database"));
      return FALSE;
    }

  *value = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* Transactions */

gboolean
bb_store_begin (BbStore  *self,
                GError  **error)
{
  /* IMMEDIATE takes the write lock now, so a busy database waits here
   * (busy_timeout) rather than failing half-way through. */
  return exec_cached (self, "BEGIN IMMEDIATE", _("Could not start writing"), error);
}

void
bb_store_rollback (BbStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

gboolean
bb_store_commit (BbStore  *self,
                 GError  **error)
{
  if (!exec_cached (self, "COMMIT", _("Could not finish writing"), error))
    {
      bb_store_rollback (self);
      return FALSE;
    }

  return TRUE;
}

/* JSON */

char *
bb_store_object_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  if (object != NULL)
    json_node_set_object (node, object);
  else
    json_node_take_object (node, json_object_new ());

  return json_to_string (node, FALSE);
}

char *
bb_store_array_to_string (JsonArray *array)
{
  g_autoptr(JsonNode) node = NULL;

  if (array == NULL)
    return NULL;

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, array);
  return json_to_string (node, FALSE);
}

/* (transfer full) (nullable): the JSON in @text, or NULL if it is not JSON. */
JsonNode *
bb_store_parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL))
    return NULL;

  return json_parser_steal_root (parser);
}
/* Records: rows <-> objects */

const char *
bb_store_column_text (sqlite3_stmt *stmt,
                      int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

/* Steps @stmt to the end, appending what @row makes of each row to @items;
 * @what says what was being read if SQLite fails. */
gboolean
bb_store_collect_rows (BbStore       *self,
                       sqlite3_stmt  *stmt,
                       GPtrArray     *items,
                       RowFunc        row,
                       const char    *what,
                       GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, row (stmt));

  if (rc != SQLITE_DONE)
    {
      bb_store_set_db_error (self, error, what);
      return FALSE;
    }

  return TRUE;
}

/* GObject */

static void
bb_store_finalize (GObject *object)
{
  BbStore *self = (BbStore *) object;

  /* Statements first: a connection with live statements does not close. */
  g_clear_pointer (&self->stmts, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close (self->db);
  if (self->count_db != NULL)
    sqlite3_close (self->count_db);
  g_clear_pointer (&self->path, g_free);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->count_lock);

  G_OBJECT_CLASS (bb_store_parent_class)->finalize (object);
}

static void
bb_store_class_init (BbStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bb_store_finalize;
}

static void
bb_store_init (BbStore *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->count_lock);
  self->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) sqlite3_finalize);
}

/* Opening */

int
bb_store_schema_version (void)
{
  return (int) G_N_ELEMENTS (migrations);
}

static void
set_foreign_error (GError     **error,
                   const char  *path)
{
  g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_CORRUPT,
               _("“%s” is an SQLite database of another program, not "
                 "Beatbook’s; it was left as it is"), path);
}

/* Reads a file that already exists without writing to it or beside it:
 * immutable, so SQLite takes no locks and makes no -wal or -shm files. It
 * also ignores a WAL, so migrate() checks again once the file is open for
 * writing. */
static gboolean
check_existing_file (const char  *path,
                     GError     **error)
{
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  g_autofree char *file_uri = NULL;
  g_autofree char *uri = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 values[3] = { 0, };
  const char *queries[] = {
    "PRAGMA application_id",
    "PRAGMA user_version",
    "SELECT count(*) FROM sqlite_master",
  };
  gboolean ok = TRUE;
  int rc;

  /* A process killed while it wrote (the first migration included) leaves a
   * WAL beside the file that holds what it committed, and the file itself may
   * not yet say it is ours. Only SQLite reading through that WAL can tell:
   * check_ours() does so inside the first write transaction, before anything
   * is written. */
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);

    if (g_file_test (wal, G_FILE_TEST_EXISTS))
      return TRUE;
  }

  file_uri = g_filename_to_uri (absolute, NULL, error);
  if (file_uri == NULL)
    return FALSE;
  uri = g_strconcat (file_uri, "?immutable=1", NULL);

  rc = sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                   _("Could not open “%s”: %s"), path,
                   db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);

  for (guint i = 0; ok && i < G_N_ELEMENTS (queries); i++)
    {
      rc = sqlite3_prepare_v2 (db, queries[i], -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        rc = sqlite3_step (stmt);

      if (rc == SQLITE_ROW)
        values[i] = sqlite3_column_int64 (stmt, 0);
      else if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
        {
          g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_CORRUPT,
                       _("“%s” is not a Beatbook database (it is not an SQLite "
                         "database, or it is damaged); it was left as it is"),
                       path);
          ok = FALSE;
        }
      else
        {
          g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                       _("Could not read “%s”: %s"), path, sqlite3_errmsg (db));
          ok = FALSE;
        }
      g_clear_pointer (&stmt, sqlite3_finalize);
    }
  sqlite3_close (db);

  if (!ok)
    return FALSE;

  /* An empty SQLite file is a new database; anything else must say it is ours. */
  if (values[0] == 0 && values[2] == 0)
    return TRUE;

  if (values[0] != BB_STORE_APPLICATION_ID)
    {
      set_foreign_error (error, path);
      return FALSE;
    }

  if (values[1] > bb_store_schema_version ())
    {
      g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_TOO_NEW,
                   _("“%s” was written by a newer version of Beatbook (data "
                     "version %d; this version reads up to %d): update Beatbook "
                     "to open it"),
                   path, (int) values[1], bb_store_schema_version ());
      return FALSE;
    }

  return TRUE;
}

/* Inside the write transaction, before anything is written. */
static gboolean
check_ours (BbStore  *self,
            gint64    version,
            GError  **error)
{
  gint64 application_id, n_objects;

  if (!bb_store_query_int (self, "PRAGMA application_id", &application_id, error) ||
      !bb_store_query_int (self, "SELECT count(*) FROM sqlite_master", &n_objects, error))
    return FALSE;

  if (application_id == BB_STORE_APPLICATION_ID ||
      (application_id == 0 && version == 0 && n_objects == 0))
    return TRUE;

  set_foreign_error (error, self->path);
  return FALSE;
}

static gboolean
migrate (BbStore  *self,
         GError  **error)
{
  for (;;)
    {
      gint64 version;
      g_autofree char *set_version = NULL;

      if (!bb_store_begin (self, error))
        return FALSE;

      /* Read inside the write transaction: another process opening the same
       * file at the same moment must not run a step twice. */
      if (!bb_store_query_int (self, "PRAGMA user_version", &version, error))
        {
          bb_store_rollback (self);
          return FALSE;
        }

      if (!check_ours (self, version, error))
        {
          bb_store_rollback (self);
          return FALSE;
        }

      if (version >= bb_store_schema_version ())
        {
          bb_store_rollback (self);
          if (version > bb_store_schema_version ())
            {
              g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_TOO_NEW,
                           _("“%s” was written by a newer version of Beatbook "
                             "(data version %d; this version reads up to %d): "
                             "update Beatbook to open it"),
                           self->path, (int) version, bb_store_schema_version ());
              return FALSE;
            }
          return TRUE;
        }

      g_debug ("Migrating %s from version %d", self->path, (int) version);
      set_version = g_strdup_printf ("PRAGMA user_version = %d", (int) version + 1);

      if (!exec_script (self, migrations[version].sql, _("Could not upgrade the database"), error) ||
          (migrations[version].fill != NULL && !migrations[version].fill (self, error)) ||
          !exec_script (self, set_version, _("Could not upgrade the database"), error))
        {
          bb_store_rollback (self);
          return FALSE;
        }

      if (!bb_store_commit (self, error))
        return FALSE;
    }
}

static gboolean
configure (BbStore  *self,
           GError  **error)
{
  const char *max_pages = g_getenv ("BEATBOOK_TEST_MAX_PAGE_COUNT");

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  /* Tests only (tests/faults): a database that cannot grow past this many
   * pages (SQLite keeps at least the pages it has), as on a full disk. */
  if (max_pages != NULL && *max_pages != '\0')
    {
      g_autofree char *sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GUINT64_FORMAT,
                                              g_ascii_strtoull (max_pages, NULL, 10));

      if (!exec_script (self, sql, _("Could not open the database"), error))
        return FALSE;
    }

  return exec_script (self,
                      "PRAGMA synchronous = FULL;"
                      "PRAGMA foreign_keys = ON;"
                      /* 16 MiB of page cache: a pull page of thousands of
                       * records (and the search index it updates) stays in
                       * memory instead of going back and forth to the disk. */
                      "PRAGMA cache_size = " G_STRINGIFY (BB_STORE_CACHE_SIZE) ";"
                      "PRAGMA temp_store = MEMORY;"
                      /* What is deleted (a record, personal details past
                       * their time, a wiped device's data) is overwritten
                       * with zeroes, not left readable in free pages:
                       * whatever SQLite's build chose. */
                      "PRAGMA secure_delete = ON;",
                      _("Could not open the database"), error);
}

/* After migrate(): switching to WAL writes to the file, which must be known
 * to be ours first. */
static gboolean
use_wal (BbStore  *self,
         GError  **error)
{
  g_autoptr(BbCachedStmt) stmt = bb_store_get_stmt (self, "PRAGMA journal_mode = WAL", error);
  const char *mode;

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      bb_store_set_db_error (self, error, _("Could not open the database"));
      return FALSE;
    }

  mode = bb_store_column_text (stmt, 0);
  if (g_strcmp0 (mode, "wal") != 0)
    g_debug ("%s: journal mode is %s, not WAL (file system without shared memory?)",
             self->path, mode);

  return TRUE;
}

/* Creates @path readable by its owner only, or takes the others' rights
 * away from an existing one (and its -wal and -shm): the records are
 * police and personal data, and a usual umask (022) would let every local
 * account read them. SQLite gives the journal files the database's mode. */
static void
restrict_to_owner (const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };
  GStatBuf st;
  int fd;

  if (g_stat (path, &st) != 0)
    {
      fd = g_open (path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
      if (fd >= 0)
        close (fd);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      if (g_stat (file, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & 0077) != 0)
        g_chmod (file, st.st_mode & 0700);
    }
}

BbStore *
bb_store_open (const char  *path,
               GError     **error)
{
  g_autoptr(BbStore) self = NULL;
  g_autofree char *dir = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                   _("Could not create the folder “%s”: %s"), dir,
                   g_strerror (saved_errno));
      return NULL;
    }

  if (g_file_test (path, G_FILE_TEST_EXISTS) && !check_existing_file (path, error))
    return NULL;

  self = g_object_new (BB_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  restrict_to_owner (path);
  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                   _("Could not open “%s”: %s"), path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }

  if (!configure (self, error) || !migrate (self, error) || !use_wal (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
bb_store_get_path (BbStore *self)
{
  g_return_val_if_fail (BB_IS_STORE (self), NULL);

  return self->path;
}

guint64
bb_store_get_rows_fetched (BbStore *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), 0);

  locker = g_mutex_locker_new (&self->lock);
  return self->rows_fetched;
}

/* Meta */

gboolean
bb_store_set_meta_locked (BbStore     *self,
                          const char  *key,
                          const char  *value,
                          GError     **error)
{
  g_autoptr(BbCachedStmt) stmt = NULL;

  if (value == NULL)
    return bb_store_run_with_id (self, "DELETE FROM meta WHERE key = ?1", key,
                                 _("Could not save a setting"), error);

  stmt = bb_store_get_stmt (self,
                            "INSERT INTO meta (key, value) VALUES (?1, ?2)"
                            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                            error);
  if (stmt == NULL)
    return FALSE;

  bb_store_bind_text (stmt, 1, key);
  bb_store_bind_text (stmt, 2, value);
  return bb_store_step_done (self, stmt, _("Could not save a setting"), error);
}

char *
bb_store_get_meta (BbStore    *self,
                   const char *key)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BbCachedStmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  int rc;

  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = bb_store_get_stmt (self, "SELECT value FROM meta WHERE key = ?1", &error);
  if (stmt == NULL)
    {
      g_warning ("%s", error->message);
      return NULL;
    }

  bb_store_bind_text (stmt, 1, key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_strdup (bb_store_column_text (stmt, 0));

  if (rc != SQLITE_DONE)
    {
      bb_store_set_db_error (self, &error, _("Could not read a setting"));
      g_warning ("%s", error->message);
    }

  return NULL;
}

gboolean
bb_store_set_meta (BbStore     *self,
                   const char  *key,
                   const char  *value,
                   GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  return bb_store_set_meta_locked (self, key, value, error);
}

gboolean
bb_store_wipe (BbStore  *self,
               GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gboolean ok;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);

  /* secure_delete (on since the store was opened) zeroes freed pages,
   * VACUUM drops them and the checkpoint truncates the WAL: a revoked
   * device keeps no readable copy. */
  ok = bb_store_begin (self, error) &&
       exec_script (self,
                    "DELETE FROM conflicts;"
                    "DELETE FROM search_pending;"
                    "DELETE FROM outbox;"
                    "DELETE FROM search_keys;"
                    "DELETE FROM records_fts;"
                    /* Old index segments still hold the words until rebuilt. */
                    "INSERT INTO records_fts (records_fts) VALUES ('rebuild');"
                    "DELETE FROM records;"
                    "DELETE FROM drafts;"
                    "DELETE FROM review_queue;"
                    "DELETE FROM export_notices;"
                    "DELETE FROM blobs;"
                    "DELETE FROM meta;",
                    _("Could not wipe the data"), error) &&
       bb_store_commit (self, error);
  if (!ok)
    bb_store_rollback (self);

  if (!ok)
    return FALSE;

  /* The evidence files go with the records that listed them. */
  if (!bb_store_remove_evidence_files (self, error))
    return FALSE;

  return exec_script (self,
                      "VACUUM;"
                      "PRAGMA wal_checkpoint(TRUNCATE);",
                      _("Could not wipe the data"), error);
}
