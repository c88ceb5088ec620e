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
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "bb-i18n.h"
#include "bb-store.h"

/* "BBk1": PRAGMA application_id, so a file is known to be Beatbook's. */
#define BB_STORE_APPLICATION_ID 0x42426b31

#define BUSY_TIMEOUT_MS 5000

struct _BbStore
{
  GObject     parent_instance;

  char       *path;
  sqlite3    *db;
  /* SQL text -> sqlite3_stmt, prepared once and reset for reuse. */
  GHashTable *stmts;
  /* The store may be used from GTask worker threads; statements are not. */
  GMutex      lock;
  guint64     rows_fetched;
};

G_DEFINE_FINAL_TYPE (BbStore, bb_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (bb-store-error-quark, bb_store_error)

/* A cached statement: "freeing" it resets it, so an early return never leaves
 * a read transaction open (which would pin a WAL snapshot). */
typedef sqlite3_stmt BbCachedStmt;

static void
bb_cached_stmt_release (BbCachedStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbCachedStmt, bb_cached_stmt_release)

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

typedef gboolean (*BbMigrationFill) (BbStore  *self,
                                     GError  **error);

static gboolean fill_search_index (BbStore  *self,
                                   GError  **error);

static const struct {
  const char      *sql;
  BbMigrationFill  fill; /* data work done in C after the SQL, or NULL */
} migrations[] = {
  { migration_1, NULL },
  { migration_2, fill_search_index },
  { migration_3, NULL },
  { migration_4, NULL },
  { migration_5, NULL },
};

/* The columns a BbRecord is read from, in row_to_record() order. */
#define RECORD_COLUMNS \
  "id, kind, rev, base_rev, seq, deleted, occurred_at, priority, fields, " \
  "created_at, updated_at, author_id, author_name, author_role, " \
  "review_state, review_comments, sync_state, sync_message"
#define RECORD_COLUMNS_R \
  "r.id, r.kind, r.rev, r.base_rev, r.seq, r.deleted, r.occurred_at, " \
  "r.priority, r.fields, r.created_at, r.updated_at, r.author_id, " \
  "r.author_name, r.author_role, r.review_state, r.review_comments, " \
  "r.sync_state, r.sync_message"
/* A conflict copy is the server's: synced, by definition. */
#define CONFLICT_COLUMNS \
  "id, kind, rev, rev, seq, deleted, occurred_at, priority, fields, " \
  "created_at, updated_at, author_id, author_name, author_role, " \
  "review_state, review_comments, 'synced', NULL"

static const char * const sync_state_ids[] = {
  [BB_SYNC_STATE_PENDING] = "pending",
  [BB_SYNC_STATE_SYNCED] = "synced",
  [BB_SYNC_STATE_REJECTED] = "rejected",
  [BB_SYNC_STATE_CONFLICT] = "conflict",
};

static BbSyncState
sync_state_from_id (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (sync_state_ids); i++)
    if (g_strcmp0 (sync_state_ids[i], id) == 0)
      return (BbSyncState) i;

  return BB_SYNC_STATE_PENDING;
}

static char *
now_iso (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

/* Errors */

static void
set_db_error (BbStore     *self,
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

static BbCachedStmt *
get_stmt (BbStore     *self,
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
      set_db_error (self, error, _("Could not prepare a query"));
      sqlite3_finalize (stmt);
      return NULL;
    }

  g_hash_table_insert (self->stmts, g_strdup (sql), stmt);
  return stmt;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static void
bind_named_text (sqlite3_stmt *stmt,
                 const char   *name,
                 const char   *text)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    bind_text (stmt, index, text);
}

static gboolean
step_done (BbStore       *self,
           sqlite3_stmt  *stmt,
           const char    *doing,
           GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;

  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error, doing);
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
  g_autoptr(BbCachedStmt) stmt = get_stmt (self, sql, error);

  if (stmt == NULL)
    return FALSE;

  return step_done (self, stmt, doing, error);
}

static gboolean
exec_script (BbStore     *self,
             const char  *sql,
             const char  *doing,
             GError     **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      set_db_error (self, error, doing);
      return FALSE;
    }

  return TRUE;
}

/* Reads one integer from a statement with no parameters. */
static gboolean
query_int (BbStore     *self,
           const char  *sql,
           gint64      *value,
           GError     **error)
{
  g_autoptr(BbCachedStmt) stmt = get_stmt (self, sql, error);
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
        set_db_error (self, error, _("Could not read the database"));
      return FALSE;
    }

  *value = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* Transactions */

static gboolean
begin (BbStore  *self,
       GError  **error)
{
  /* IMMEDIATE takes the write lock now, so a busy database waits here
   * (busy_timeout) rather than failing half-way through. */
  return exec_cached (self, "BEGIN IMMEDIATE", _("Could not start writing"), error);
}

static void
rollback (BbStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
commit (BbStore  *self,
        GError  **error)
{
  if (!exec_cached (self, "COMMIT", _("Could not finish writing"), error))
    {
      rollback (self);
      return FALSE;
    }

  return TRUE;
}

/* JSON */

static char *
object_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  if (object != NULL)
    json_node_set_object (node, object);
  else
    json_node_take_object (node, json_object_new ());

  return json_to_string (node, FALSE);
}

static char *
array_to_string (JsonArray *array)
{
  g_autoptr(JsonNode) node = NULL;

  if (array == NULL)
    return NULL;

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, array);
  return json_to_string (node, FALSE);
}

/* (transfer full) (nullable): the JSON in @text, or NULL if it is not JSON. */
static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL))
    return NULL;

  return json_parser_steal_root (parser);
}

/* Search text */

static void append_searchable_object (GString           *out,
                                      JsonObject        *object,
                                      const BbFieldSpec *table);

static void
append_text (GString    *out,
             const char *text)
{
  if (text == NULL || *text == '\0')
    return;

  if (out->len > 0)
    g_string_append_c (out, '\n');
  g_string_append (out, text);
}

static void
append_string_node (GString  *out,
                    JsonNode *node,
                    gboolean  is_vrm)
{
  const char *text;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return;

  text = json_node_get_string (node);
  append_text (out, text);

  /* People type marks with and without the space; the tokenizer would split
   * "AB12 CDE" in two, so the joined form is indexed as well. */
  if (is_vrm && text != NULL)
    {
      g_autoptr(GString) joined = g_string_new (NULL);

      for (const char *p = text; *p != '\0'; p++)
        if (g_ascii_isalnum (*p))
          g_string_append_c (joined, g_ascii_toupper (*p));

      if (joined->len > 0 && strcmp (joined->str, text) != 0)
        append_text (out, joined->str);
    }
}

static void
append_every_string (GString  *out,
                     JsonNode *node)
{
  if (node == NULL)
    return;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, NULL, &member))
          append_every_string (out, member);
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          append_every_string (out, json_array_get_element (array, i));
      }
      break;
    case JSON_NODE_VALUE:
      append_string_node (out, node, FALSE);
      break;
    case JSON_NODE_NULL:
    default:
      break;
    }
}

static void
append_searchable_member (GString           *out,
                          JsonNode          *node,
                          const BbFieldSpec *spec)
{
  switch (spec->type)
    {
    case BB_FIELD_OBJECT:
      if (JSON_NODE_HOLDS_OBJECT (node))
        append_searchable_object (out, json_node_get_object (node), spec->children);
      break;
    case BB_FIELD_OBJECT_LIST:
      if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *element = json_array_get_element (array, i);

              if (JSON_NODE_HOLDS_OBJECT (element))
                append_searchable_object (out, json_node_get_object (element),
                                          spec->children);
            }
        }
      break;
    case BB_FIELD_TEXT_LIST:
      if ((spec->flags & BB_FIELD_FLAG_SEARCHABLE) && JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);

          for (guint i = 0; i < json_array_get_length (array); i++)
            append_string_node (out, json_array_get_element (array, i), FALSE);
        }
      break;
    case BB_FIELD_TEXT:
    case BB_FIELD_VRM:
      if (spec->flags & BB_FIELD_FLAG_SEARCHABLE)
        append_string_node (out, node, spec->type == BB_FIELD_VRM);
      break;
    case BB_FIELD_COUNT:
    case BB_FIELD_BOOL:
    case BB_FIELD_NUMBER:
    case BB_FIELD_TIME:
    case BB_FIELD_DATE:
    case BB_FIELD_CHOICE:
    case BB_FIELD_CHOICE_LIST:
    case BB_FIELD_ID_LIST:
    default:
      break;
    }
}

static void
append_searchable_object (GString           *out,
                          JsonObject        *object,
                          const BbFieldSpec *table)
{
  if (object == NULL || table == NULL)
    return;

  for (const BbFieldSpec *spec = table; spec->name != NULL; spec++)
    {
      JsonNode *node = json_object_get_member (object, spec->name);

      if (node != NULL)
        append_searchable_member (out, node, spec);
    }
}

/* (transfer full): what records_fts indexes for a record. */
static char *
search_text_for (const char *kind,
                 JsonObject *fields)
{
  const BbKindSpec *spec = bb_kind_lookup (kind);
  GString *out = g_string_new (NULL);

  if (fields == NULL)
    return g_string_free (out, FALSE);

  if (spec != NULL)
    {
      append_searchable_object (out, fields, bb_kind_common_fields ());
      append_searchable_object (out, fields, spec->fields);
    }
  else
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (node, fields);
      append_every_string (out, node);
    }

  return g_string_free (out, FALSE);
}

/* (transfer full) (nullable): @search as an FTS5 query that cannot be a
 * syntax error: each word of letters and digits becomes a quoted prefix
 * term ("word"*), everything else separates words, so quotes, brackets,
 * AND/OR/NOT and emoji are plain input. NULL when there is no word. */
static char *
search_to_match (const char *search)
{
  g_autofree char *normal = NULL;
  g_autoptr(GString) match = g_string_new (NULL);
  gboolean in_word = FALSE;

  if (search == NULL || !g_utf8_validate (search, -1, NULL))
    return NULL;

  normal = g_utf8_normalize (search, -1, G_NORMALIZE_DEFAULT_COMPOSE);
  if (normal == NULL)
    return NULL;

  for (const char *p = normal; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean word_char = g_unichar_isalnum (c) || g_unichar_ismark (c);

      if (word_char && !in_word)
        {
          if (match->len > 0)
            g_string_append_c (match, ' ');
          g_string_append_c (match, '"');
        }
      else if (!word_char && in_word)
        g_string_append (match, "\"*");

      if (word_char)
        g_string_append_unichar (match, c);
      in_word = word_char;
    }

  if (in_word)
    g_string_append (match, "\"*");

  if (match->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&match), FALSE);
}

static gboolean
index_record (BbStore     *self,
              gint64       num,
              const char  *kind,
              JsonObject  *fields,
              GError     **error)
{
  g_autofree char *text = search_text_for (kind, fields);

  {
    g_autoptr(BbCachedStmt) stmt =
      get_stmt (self, "DELETE FROM records_fts WHERE rowid = ?1", error);

    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, num);
    if (!step_done (self, stmt, _("Could not update the search index"), error))
      return FALSE;
  }

  if (*text == '\0')
    return TRUE;

  {
    g_autoptr(BbCachedStmt) stmt =
      get_stmt (self, "INSERT INTO records_fts (rowid, body) VALUES (?1, ?2)", error);

    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, num);
    bind_text (stmt, 2, text);
    return step_done (self, stmt, _("Could not update the search index"), error);
  }
}

/* Migration 2: index the records written before search existed. */
static gboolean
fill_search_index (BbStore  *self,
                   GError  **error)
{
  g_autoptr(BbCachedStmt) stmt =
    get_stmt (self, "SELECT num, kind, fields FROM records", error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(JsonNode) node = parse_json ((const char *) sqlite3_column_text (stmt, 2));
      JsonObject *fields = NULL;

      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        fields = json_node_get_object (node);

      if (!index_record (self, sqlite3_column_int64 (stmt, 0),
                         (const char *) sqlite3_column_text (stmt, 1), fields, error))
        return FALSE;
    }

  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error, _("Could not build the search index"));
      return FALSE;
    }

  return TRUE;
}

/* Records: rows <-> objects */

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

/* (transfer full): the record in the current row (RECORD_COLUMNS order). */
static BbRecord *
row_to_record (BbStore       *self,
               sqlite3_stmt  *stmt,
               GError       **error)
{
  const char *id = column_text (stmt, 0);
  g_autoptr(BbRecord) record = bb_record_new (column_text (stmt, 1));
  g_autoptr(JsonNode) fields = parse_json (column_text (stmt, 8));
  g_autoptr(JsonNode) comments = NULL;

  self->rows_fetched++;

  if (fields == NULL || !JSON_NODE_HOLDS_OBJECT (fields))
    {
      g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_CORRUPT,
                   _("The fields of record %s in “%s” are damaged"), id, self->path);
      return NULL;
    }

  bb_record_set_id (record, id);
  bb_record_set_rev (record, sqlite3_column_int64 (stmt, 2));
  bb_record_set_base_rev (record, sqlite3_column_int64 (stmt, 3));
  bb_record_set_seq (record, sqlite3_column_int64 (stmt, 4));
  bb_record_set_deleted (record, sqlite3_column_int (stmt, 5) != 0);
  bb_record_set_occurred_at (record, column_text (stmt, 6));
  bb_record_set_priority (record, sqlite3_column_int (stmt, 7));
  bb_record_set_fields (record, json_node_get_object (fields));
  bb_record_set_created_at (record, column_text (stmt, 9));
  bb_record_set_updated_at (record, column_text (stmt, 10));
  bb_record_set_author (record, column_text (stmt, 11), column_text (stmt, 12),
                        column_text (stmt, 13));
  bb_record_set_review_state (record, column_text (stmt, 14));

  comments = parse_json (column_text (stmt, 15));
  if (comments != NULL && JSON_NODE_HOLDS_ARRAY (comments))
    bb_record_set_review_comments (record, json_node_get_array (comments));
  else
    bb_record_set_review_comments (record, NULL);

  bb_record_set_sync_state (record, sync_state_from_id (column_text (stmt, 16)));
  bb_record_set_sync_message (record, column_text (stmt, 17));

  return g_steal_pointer (&record);
}

/* Steps @stmt to the end, appending a record per row; @what says what was
 * being read if SQLite fails. */
static gboolean
append_record_rows (BbStore       *self,
                    sqlite3_stmt  *stmt,
                    GPtrArray     *records,
                    const char    *what,
                    GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      BbRecord *record = row_to_record (self, stmt, error);

      if (record == NULL)
        return FALSE;
      g_ptr_array_add (records, record);
    }

  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error, what);
      return FALSE;
    }

  return TRUE;
}

/* Builds one item from the current row of a statement. */
typedef gpointer (*RowFunc) (sqlite3_stmt *stmt);

/* Steps @stmt to the end, appending what @row makes of each row to @items;
 * @what says what was being read if SQLite fails. */
static gboolean
collect_rows (BbStore       *self,
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
      set_db_error (self, error, what);
      return FALSE;
    }

  return TRUE;
}

static gpointer
row_to_draft (sqlite3_stmt *stmt)
{
  BbDraft *draft = g_new0 (BbDraft, 1);

  draft->id = g_strdup (column_text (stmt, 0));
  draft->kind = g_strdup (column_text (stmt, 1));
  draft->record_id = g_strdup (column_text (stmt, 2));
  draft->json = g_strdup (column_text (stmt, 3));
  draft->updated_at = g_strdup (column_text (stmt, 4));
  return draft;
}

/* { id, display name (the id when the records carry none), NULL } */
static gpointer
row_to_author (sqlite3_stmt *stmt)
{
  char **pair = g_new0 (char *, 3);
  const char *name = column_text (stmt, 1);

  pair[0] = g_strdup (column_text (stmt, 0));
  pair[1] = g_strdup (name != NULL && *name != '\0' ? name : pair[0]);
  return pair;
}

static gpointer
row_to_export_notice (sqlite3_stmt *stmt)
{
  BbExportNotice *notice = g_new0 (BbExportNotice, 1);

  notice->id = sqlite3_column_int64 (stmt, 0);
  notice->body = g_strdup (column_text (stmt, 1));
  notice->queued_at = g_strdup (column_text (stmt, 2));
  notice->error = g_strdup (column_text (stmt, 3));
  return notice;
}

/* What a write puts in the columns that are the store's, not the record's. */
typedef struct
{
  gint64      rev;
  gint64      base_rev;
  gint64      seq;
  const char *created_at;
  const char *updated_at;
  BbSyncState sync_state;
  const char *sync_message;
} BbRowState;

static const char *
ward_of (JsonObject *fields)
{
  JsonNode *node;

  if (fields == NULL)
    return NULL;

  node = json_object_get_member (fields, "ward");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* Inserts or updates the row of @record (keeping its num and its first
 * created_at) and its search text. */
static gboolean
write_record_row (BbStore           *self,
                  BbRecord          *record,
                  const BbRowState  *state,
                  GError           **error)
{
  g_autoptr(BbCachedStmt) stmt = NULL;
  JsonObject *fields = bb_record_get_fields (record);
  g_autofree char *fields_text = object_to_string (fields);
  g_autofree char *comments_text = array_to_string (bb_record_get_review_comments (record));
  const char *review_state = bb_record_get_review_state (record);
  gint64 num;

  stmt = get_stmt (self,
                   "INSERT INTO records (id, kind, rev, base_rev, seq, deleted,"
                   " occurred_at, priority, fields, created_at, updated_at,"
                   " author_id, author_name, author_role, review_state,"
                   " review_comments, sync_state, sync_message, ward)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                   " ?13, ?14, ?15, ?16, ?17, ?18, ?19)"
                   " ON CONFLICT (id) DO UPDATE SET kind = excluded.kind,"
                   " rev = excluded.rev, base_rev = excluded.base_rev,"
                   " seq = excluded.seq, deleted = excluded.deleted,"
                   " occurred_at = excluded.occurred_at,"
                   " priority = excluded.priority, fields = excluded.fields,"
                   " created_at = COALESCE (records.created_at, excluded.created_at),"
                   " updated_at = excluded.updated_at,"
                   " author_id = excluded.author_id,"
                   " author_name = excluded.author_name,"
                   " author_role = excluded.author_role,"
                   " review_state = excluded.review_state,"
                   " review_comments = excluded.review_comments,"
                   " sync_state = excluded.sync_state,"
                   " sync_message = excluded.sync_message,"
                   " ward = excluded.ward"
                   " RETURNING num",
                   error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, bb_record_get_id (record));
  bind_text (stmt, 2, bb_record_get_kind (record));
  sqlite3_bind_int64 (stmt, 3, state->rev);
  sqlite3_bind_int64 (stmt, 4, state->base_rev);
  sqlite3_bind_int64 (stmt, 5, state->seq);
  sqlite3_bind_int (stmt, 6, bb_record_get_deleted (record) ? 1 : 0);
  bind_text (stmt, 7, bb_record_get_occurred_at (record));
  sqlite3_bind_int (stmt, 8, bb_record_get_priority (record));
  bind_text (stmt, 9, fields_text);
  bind_text (stmt, 10, state->created_at);
  bind_text (stmt, 11, state->updated_at);
  bind_text (stmt, 12, bb_record_get_author_id (record));
  bind_text (stmt, 13, bb_record_get_author_name (record));
  bind_text (stmt, 14, bb_record_get_author_role (record));
  bind_text (stmt, 15, review_state != NULL ? review_state : "new");
  bind_text (stmt, 16, comments_text);
  bind_text (stmt, 17, sync_state_ids[state->sync_state]);
  bind_text (stmt, 18, state->sync_message);
  bind_text (stmt, 19, ward_of (fields));

  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      set_db_error (self, error, _("Could not write the record"));
      return FALSE;
    }
  num = sqlite3_column_int64 (stmt, 0);
  if (!step_done (self, stmt, _("Could not write the record"), error))
    return FALSE;

  return index_record (self, num, bb_record_get_kind (record), fields, error);
}

/* Puts @id in the outbox at @rev; an entry already there keeps its place. */
static gboolean
enqueue (BbStore     *self,
         const char  *id,
         gint64       rev,
         const char  *now,
         GError     **error)
{
  g_autoptr(BbCachedStmt) stmt =
    get_stmt (self,
              "INSERT INTO outbox (id, rev, queued_at, position)"
              " VALUES (?1, ?2, ?3, (SELECT COALESCE (MAX (position), 0) + 1 FROM outbox))"
              " ON CONFLICT (id) DO UPDATE SET rev = excluded.rev",
              error);

  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, rev);
  bind_text (stmt, 3, now);
  return step_done (self, stmt, _("Could not queue the record for sync"), error);
}

static gboolean
run_with_id (BbStore     *self,
             const char  *sql,
             const char  *id,
             const char  *doing,
             GError     **error)
{
  g_autoptr(BbCachedStmt) stmt = get_stmt (self, sql, error);

  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, id);
  return step_done (self, stmt, doing, error);
}

/* What the store holds about a record before a write. */
typedef struct
{
  gboolean found;
  gint64   rev;
  gint64   base_rev;
  gint64   seq;
  gboolean deleted;
  gboolean queued;       /* has an outbox entry */
  gboolean in_conflict;  /* has a server copy waiting */
  char    *created_at;
  char    *sync_message;
} BbLocalState;

static void
local_state_clear (BbLocalState *state)
{
  g_clear_pointer (&state->created_at, g_free);
  g_clear_pointer (&state->sync_message, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BbLocalState, local_state_clear)

static gboolean
read_local_state (BbStore       *self,
                  const char    *id,
                  BbLocalState  *state,
                  GError       **error)
{
  g_autoptr(BbCachedStmt) stmt =
    get_stmt (self,
              "SELECT rev, base_rev, seq, deleted, created_at,"
              " EXISTS (SELECT 1 FROM outbox WHERE id = ?1),"
              " EXISTS (SELECT 1 FROM conflicts WHERE id = ?1), sync_message"
              " FROM records WHERE id = ?1",
              error);
  int rc;

  memset (state, 0, sizeof *state);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      state->found = TRUE;
      state->rev = sqlite3_column_int64 (stmt, 0);
      state->base_rev = sqlite3_column_int64 (stmt, 1);
      state->seq = sqlite3_column_int64 (stmt, 2);
      state->deleted = sqlite3_column_int (stmt, 3) != 0;
      state->created_at = g_strdup (column_text (stmt, 4));
      state->queued = sqlite3_column_int (stmt, 5) != 0;
      state->in_conflict = sqlite3_column_int (stmt, 6) != 0;
      state->sync_message = g_strdup (column_text (stmt, 7));
      return TRUE;
    }
  if (rc == SQLITE_DONE)
    return TRUE;

  set_db_error (self, error, _("Could not read the record"));
  return FALSE;
}

static void
set_not_found (GError     **error,
               const char  *id)
{
  g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_NOT_FOUND,
               _("There is no record %s on this device"), id);
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
  g_clear_pointer (&self->path, g_free);
  g_mutex_clear (&self->lock);

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

  if (!query_int (self, "PRAGMA application_id", &application_id, error) ||
      !query_int (self, "SELECT count(*) FROM sqlite_master", &n_objects, error))
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

      if (!begin (self, error))
        return FALSE;

      /* Read inside the write transaction: another process opening the same
       * file at the same moment must not run a step twice. */
      if (!query_int (self, "PRAGMA user_version", &version, error))
        {
          rollback (self);
          return FALSE;
        }

      if (!check_ours (self, version, error))
        {
          rollback (self);
          return FALSE;
        }

      if (version >= bb_store_schema_version ())
        {
          rollback (self);
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
          rollback (self);
          return FALSE;
        }

      if (!commit (self, error))
        return FALSE;
    }
}

static gboolean
configure (BbStore  *self,
           GError  **error)
{
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  return exec_script (self,
                      "PRAGMA synchronous = FULL;"
                      "PRAGMA foreign_keys = ON;"
                      /* 16 MiB of page cache: a pull page of thousands of
                       * records (and the search index it updates) stays in
                       * memory instead of going back and forth to the disk. */
                      "PRAGMA cache_size = -16384;"
                      "PRAGMA temp_store = MEMORY;",
                      _("Could not open the database"), error);
}

/* After migrate(): switching to WAL writes to the file, which must be known
 * to be ours first. */
static gboolean
use_wal (BbStore  *self,
         GError  **error)
{
  g_autoptr(BbCachedStmt) stmt = get_stmt (self, "PRAGMA journal_mode = WAL", error);
  const char *mode;

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      set_db_error (self, error, _("Could not open the database"));
      return FALSE;
    }

  mode = column_text (stmt, 0);
  if (g_strcmp0 (mode, "wal") != 0)
    g_debug ("%s: journal mode is %s, not WAL (file system without shared memory?)",
             self->path, mode);

  return TRUE;
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

/* Records */

gboolean
bb_store_save_record (BbStore   *self,
                      BbRecord  *record,
                      GError   **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_auto(BbLocalState) local = { 0, };
  g_autofree char *now = NULL;
  const char *id;
  BbRowState row = { 0, };

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (BB_IS_RECORD (record), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  id = bb_record_get_id (record);
  if (id == NULL || *id == '\0' || bb_record_get_kind (record) == NULL ||
      bb_record_get_occurred_at (record) == NULL)
    {
      g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                   _("Could not save the record: it has no id, kind or time"));
      return FALSE;
    }

  locker = g_mutex_locker_new (&self->lock);
  now = now_iso ();

  if (!begin (self, error))
    return FALSE;

  if (!read_local_state (self, id, &local, error))
    goto fail;

  /* The stored rev is the truth: an editor may hold an older copy. */
  row.rev = (local.found ? local.rev : bb_record_get_rev (record)) + 1;
  row.base_rev = local.found ? local.base_rev : bb_record_get_base_rev (record);
  row.seq = local.found ? local.seq : bb_record_get_seq (record);
  row.created_at = local.created_at != NULL ? local.created_at : now;
  row.updated_at = now;
  /* An edit does not settle a conflict: the user still has to choose. */
  row.sync_state = local.in_conflict ? BB_SYNC_STATE_CONFLICT : BB_SYNC_STATE_PENDING;
  row.sync_message = local.in_conflict ? local.sync_message : NULL;

  if (!write_record_row (self, record, &row, error) ||
      !enqueue (self, id, row.rev, now, error) ||
      !commit (self, error))
    goto fail;

  bb_record_set_rev (record, row.rev);
  bb_record_set_base_rev (record, row.base_rev);
  bb_record_set_seq (record, row.seq);
  bb_record_set_created_at (record, row.created_at);
  bb_record_set_updated_at (record, now);
  bb_record_set_sync_state (record, row.sync_state);
  bb_record_set_sync_message (record, row.sync_message);
  if (bb_record_get_review_state (record) == NULL)
    bb_record_set_review_state (record, "new");

  return TRUE;

fail:
  rollback (self);
  return FALSE;
}

gboolean
bb_store_delete_record (BbStore     *self,
                        const char  *id,
                        GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_auto(BbLocalState) local = { 0, };
  g_autofree char *now = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  now = now_iso ();

  if (!begin (self, error))
    return FALSE;

  if (!read_local_state (self, id, &local, error))
    goto fail;

  if (!local.found)
    {
      set_not_found (error, id);
      goto fail;
    }

  if (local.deleted)
    {
      /* Deleting twice changes nothing. */
      rollback (self);
      return TRUE;
    }

  {
    g_autoptr(BbCachedStmt) stmt =
      get_stmt (self,
                "UPDATE records SET deleted = 1, rev = ?2, updated_at = ?3,"
                " sync_state = CASE WHEN sync_state = 'conflict' THEN 'conflict'"
                " ELSE 'pending' END,"
                " sync_message = CASE WHEN sync_state = 'conflict' THEN sync_message"
                " ELSE NULL END"
                " WHERE id = ?1",
                error);

    if (stmt == NULL)
      goto fail;
    bind_text (stmt, 1, id);
    sqlite3_bind_int64 (stmt, 2, local.rev + 1);
    bind_text (stmt, 3, now);
    if (!step_done (self, stmt, _("Could not delete the record"), error))
      goto fail;
  }

  if (!enqueue (self, id, local.rev + 1, now, error) || !commit (self, error))
    goto fail;

  return TRUE;

fail:
  rollback (self);
  return FALSE;
}

static BbRecord *
get_record_locked (BbStore     *self,
                   const char  *sql,
                   const char  *id,
                   GError     **error)
{
  g_autoptr(BbCachedStmt) stmt = get_stmt (self, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;

  bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return row_to_record (self, stmt, error);

  if (rc == SQLITE_DONE)
    set_not_found (error, id);
  else
    set_db_error (self, error, _("Could not read the record"));

  return NULL;
}

BbRecord *
bb_store_get_record (BbStore     *self,
                     const char  *id,
                     GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  return get_record_locked (self,
                            "SELECT " RECORD_COLUMNS " FROM records WHERE id = ?1",
                            id, error);
}

/* The WHERE clause for @query; *@match gets the FTS query, if any. */
static char *
query_where (const BbQuery  *query,
             char          **match)
{
  GString *sql = g_string_new (" WHERE 1");

  *match = NULL;

  if (query == NULL || !query->include_deleted)
    g_string_append (sql, " AND deleted = 0");

  if (query == NULL)
    return g_string_free (sql, FALSE);

  if (query->kind != NULL)
    g_string_append (sql, " AND kind = :kind");
  if (query->ward != NULL)
    g_string_append (sql, " AND ward = :ward");
  if (query->author_id != NULL)
    g_string_append (sql, " AND author_id = :author_id");
  if (query->review_state != NULL)
    g_string_append (sql, " AND review_state = :review_state");
  if (query->from != NULL)
    g_string_append (sql, " AND occurred_at >= :from");
  if (query->to != NULL)
    g_string_append (sql, " AND occurred_at < :to");
  if (query->priority > 0)
    g_string_append (sql, " AND priority = :priority");
  if (query->sync_state != NULL)
    g_string_append (sql, " AND sync_state = :sync_state");

  *match = search_to_match (query->search);
  if (*match != NULL)
    g_string_append (sql, " AND num IN (SELECT rowid FROM records_fts"
                          " WHERE records_fts MATCH :match)");

  return g_string_free (sql, FALSE);
}

static void
bind_query (sqlite3_stmt  *stmt,
            const BbQuery *query,
            const char    *match)
{
  if (query == NULL)
    return;

  bind_named_text (stmt, ":kind", query->kind);
  bind_named_text (stmt, ":ward", query->ward);
  bind_named_text (stmt, ":author_id", query->author_id);
  bind_named_text (stmt, ":review_state", query->review_state);
  bind_named_text (stmt, ":from", query->from);
  bind_named_text (stmt, ":to", query->to);
  bind_named_text (stmt, ":sync_state", query->sync_state);
  bind_named_text (stmt, ":match", match);
  if (query->priority > 0)
    sqlite3_bind_int (stmt, sqlite3_bind_parameter_index (stmt, ":priority"),
                      query->priority);
}

GPtrArray *
bb_store_list_records (BbStore       *self,
                       const BbQuery *query,
                       guint          offset,
                       guint          limit,
                       GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(BbCachedStmt) stmt = NULL;
  g_autofree char *match = NULL;
  g_autofree char *where = NULL;
  g_autofree char *sql = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  records = g_ptr_array_new_with_free_func (g_object_unref);
  if (limit == 0)
    return g_steal_pointer (&records);

  where = query_where (query, &match);
  sql = g_strconcat ("SELECT " RECORD_COLUMNS " FROM records", where,
                     " ORDER BY occurred_at DESC, id DESC LIMIT :limit OFFSET :offset",
                     NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = get_stmt (self, sql, error);
  if (stmt == NULL)
    return NULL;

  bind_query (stmt, query, match);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":limit"),
                      limit == G_MAXUINT ? -1 : (gint64) limit);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":offset"), offset);

  if (!append_record_rows (self, stmt, records, _("Could not list the records"), error))
    return NULL;

  return g_steal_pointer (&records);
}

gboolean
bb_store_count_records (BbStore       *self,
                        const BbQuery *query,
                        guint         *n_records,
                        GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BbCachedStmt) stmt = NULL;
  g_autofree char *match = NULL;
  g_autofree char *where = NULL;
  g_autofree char *sql = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (n_records != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  where = query_where (query, &match);
  sql = g_strconcat ("SELECT count(*) FROM records", where, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = get_stmt (self, sql, error);
  if (stmt == NULL)
    return FALSE;

  bind_query (stmt, query, match);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      set_db_error (self, error, _("Could not count the records"));
      return FALSE;
    }

  *n_records = (guint) sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* Outbox */

GPtrArray *
bb_store_outbox_list (BbStore  *self,
                      guint     limit,
                      GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(BbCachedStmt) stmt = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  records = g_ptr_array_new_with_free_func (g_object_unref);

  locker = g_mutex_locker_new (&self->lock);
  stmt = get_stmt (self,
                   "SELECT " RECORD_COLUMNS_R " FROM outbox o"
                   " JOIN records r ON r.id = o.id"
                   " WHERE r.sync_state = 'pending'"
                   " ORDER BY o.position LIMIT ?1",
                   error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, limit == G_MAXUINT ? -1 : (gint64) limit);
  if (!append_record_rows (self, stmt, records, _("Could not read the outbox"), error))
    return NULL;

  return g_steal_pointer (&records);
}

guint
bb_store_outbox_count (BbStore *self)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GError) error = NULL;
  gint64 count = 0;

  g_return_val_if_fail (BB_IS_STORE (self), 0);

  locker = g_mutex_locker_new (&self->lock);
  if (!query_int (self,
                  "SELECT count(*) FROM outbox o JOIN records r ON r.id = o.id"
                  " WHERE r.sync_state = 'pending'",
                  &count, &error))
    {
      g_warning ("%s", error->message);
      return 0;
    }

  return (guint) count;
}

/* Drafts */

void
bb_draft_free (BbDraft *draft)
{
  if (draft == NULL)
    return;

  g_free (draft->id);
  g_free (draft->kind);
  g_free (draft->record_id);
  g_free (draft->json);
  g_free (draft->updated_at);
  g_free (draft);
}

gboolean
bb_store_save_draft (BbStore     *self,
                     const char  *draft_id,
                     const char  *kind,
                     const char  *record_id,
                     const char  *json,
                     GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BbCachedStmt) stmt = NULL;
  g_autofree char *now = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (draft_id != NULL, FALSE);
  g_return_val_if_fail (kind != NULL, FALSE);
  g_return_val_if_fail (json != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  now = now_iso ();

  /* touched orders drafts saved within the same second. */
  stmt = get_stmt (self,
                   "INSERT INTO drafts (id, kind, record_id, json, updated_at, touched)"
                   " VALUES (?1, ?2, ?3, ?4, ?5,"
                   " (SELECT COALESCE (MAX (touched), 0) + 1 FROM drafts))"
                   " ON CONFLICT (id) DO UPDATE SET kind = excluded.kind,"
                   " record_id = excluded.record_id, json = excluded.json,"
                   " updated_at = excluded.updated_at, touched = excluded.touched",
                   error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, draft_id);
  bind_text (stmt, 2, kind);
  bind_text (stmt, 3, record_id);
  bind_text (stmt, 4, json);
  bind_text (stmt, 5, now);
  return step_done (self, stmt, _("Could not save the draft"), error);
}

GPtrArray *
bb_store_list_drafts (BbStore  *self,
                      GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(BbCachedStmt) stmt = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  drafts = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_draft_free);

  locker = g_mutex_locker_new (&self->lock);
  stmt = get_stmt (self,
                   "SELECT id, kind, record_id, json, updated_at FROM drafts"
                   " ORDER BY touched DESC",
                   error);
  if (stmt == NULL)
    return NULL;

  if (!collect_rows (self, stmt, drafts, row_to_draft, _("Could not read the drafts"), error))
    return NULL;

  return g_steal_pointer (&drafts);
}

gboolean
bb_store_delete_draft (BbStore     *self,
                       const char  *draft_id,
                       GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (draft_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  return run_with_id (self, "DELETE FROM drafts WHERE id = ?1", draft_id,
                      _("Could not delete the draft"), error);
}

/* Meta */

static gboolean
set_meta_locked (BbStore     *self,
                 const char  *key,
                 const char  *value,
                 GError     **error)
{
  g_autoptr(BbCachedStmt) stmt = NULL;

  if (value == NULL)
    return run_with_id (self, "DELETE FROM meta WHERE key = ?1", key,
                        _("Could not save a setting"), error);

  stmt = get_stmt (self,
                   "INSERT INTO meta (key, value) VALUES (?1, ?2)"
                   " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, key);
  bind_text (stmt, 2, value);
  return step_done (self, stmt, _("Could not save a setting"), error);
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
  stmt = get_stmt (self, "SELECT value FROM meta WHERE key = ?1", &error);
  if (stmt == NULL)
    {
      g_warning ("%s", error->message);
      return NULL;
    }

  bind_text (stmt, 1, key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_strdup (column_text (stmt, 0));

  if (rc != SQLITE_DONE)
    {
      set_db_error (self, &error, _("Could not read a setting"));
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
  return set_meta_locked (self, key, value, error);
}

/* Sync support. The *_locked helpers run inside the caller's transaction. */

static gboolean
mark_pushed_locked (BbStore     *self,
                    const char  *id,
                    gint64       pushed_rev,
                    gint64       server_rev,
                    gint64       seq,
                    gboolean    *found,
                    GError     **error)
{
  g_auto(BbLocalState) local = { 0, };

  if (!read_local_state (self, id, &local, error))
    return FALSE;

  *found = local.found;
  if (!local.found || local.rev < pushed_rev)
    return TRUE;

  if (local.rev == pushed_rev)
    {
      g_autoptr(BbCachedStmt) stmt =
        get_stmt (self,
                  "UPDATE records SET rev = ?2, base_rev = ?2, seq = ?3,"
                  " sync_state = 'synced', sync_message = NULL WHERE id = ?1",
                  error);

      if (stmt == NULL)
        return FALSE;
      bind_text (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, server_rev);
      sqlite3_bind_int64 (stmt, 3, seq);
      if (!step_done (self, stmt, _("Could not record the server’s answer"), error))
        return FALSE;

      return run_with_id (self, "DELETE FROM outbox WHERE id = ?1", id,
                          _("Could not record the server’s answer"), error) &&
             run_with_id (self, "DELETE FROM conflicts WHERE id = ?1", id,
                          _("Could not record the server’s answer"), error);
    }
  else
    {
      /* Edited while the push was in flight: the queued edit now starts
       * from what the server holds. */
      g_autoptr(BbCachedStmt) stmt =
        get_stmt (self, "UPDATE records SET base_rev = ?2, seq = ?3 WHERE id = ?1", error);

      if (stmt == NULL)
        return FALSE;
      bind_text (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, server_rev);
      sqlite3_bind_int64 (stmt, 3, seq);
      return step_done (self, stmt, _("Could not record the server’s answer"), error);
    }
}

static gboolean
mark_rejected_locked (BbStore     *self,
                      const char  *id,
                      gint64       rev,
                      const char  *message,
                      gboolean    *found,
                      GError     **error)
{
  g_autoptr(BbCachedStmt) stmt =
    get_stmt (self,
              "UPDATE records SET sync_state = 'rejected', sync_message = ?3"
              " WHERE id = ?1 AND rev = ?2 AND sync_state != 'conflict'",
              error);
  g_auto(BbLocalState) local = { 0, };

  if (stmt == NULL || !read_local_state (self, id, &local, error))
    return FALSE;

  *found = local.found;
  bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, rev);
  bind_text (stmt, 3, message != NULL ? message : _("The server refused this change"));
  return step_done (self, stmt, _("Could not record the server’s answer"), error);
}

static gboolean
mark_conflict_locked (BbStore     *self,
                      const char  *id,
                      BbRecord    *server_copy,
                      gboolean    *found,
                      GError     **error)
{
  g_autoptr(BbCachedStmt) stmt = NULL;
  g_auto(BbLocalState) local = { 0, };
  g_autofree char *fields_text = NULL;
  g_autofree char *comments_text = NULL;
  g_autofree char *now = now_iso ();
  const char *review_state;

  if (!read_local_state (self, id, &local, error))
    return FALSE;

  *found = local.found;
  if (!local.found)
    return TRUE;

  fields_text = object_to_string (bb_record_get_fields (server_copy));
  comments_text = array_to_string (bb_record_get_review_comments (server_copy));
  review_state = bb_record_get_review_state (server_copy);

  stmt = get_stmt (self,
                   "INSERT OR REPLACE INTO conflicts (id, kind, rev, seq, deleted,"
                   " occurred_at, priority, fields, created_at, updated_at,"
                   " author_id, author_name, author_role, review_state,"
                   " review_comments, received_at)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                   " ?13, ?14, ?15, ?16)",
                   error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, id);
  bind_text (stmt, 2, bb_record_get_kind (server_copy));
  sqlite3_bind_int64 (stmt, 3, bb_record_get_rev (server_copy));
  sqlite3_bind_int64 (stmt, 4, bb_record_get_seq (server_copy));
  sqlite3_bind_int (stmt, 5, bb_record_get_deleted (server_copy) ? 1 : 0);
  bind_text (stmt, 6, bb_record_get_occurred_at (server_copy));
  sqlite3_bind_int (stmt, 7, bb_record_get_priority (server_copy));
  bind_text (stmt, 8, fields_text);
  bind_text (stmt, 9, bb_record_get_created_at (server_copy));
  bind_text (stmt, 10, bb_record_get_updated_at (server_copy));
  bind_text (stmt, 11, bb_record_get_author_id (server_copy));
  bind_text (stmt, 12, bb_record_get_author_name (server_copy));
  bind_text (stmt, 13, bb_record_get_author_role (server_copy));
  bind_text (stmt, 14, review_state != NULL ? review_state : "new");
  bind_text (stmt, 15, comments_text);
  bind_text (stmt, 16, now);
  if (!step_done (self, stmt, _("Could not keep the server’s copy"), error))
    return FALSE;

  {
    g_autoptr(BbCachedStmt) update =
      get_stmt (self,
                "UPDATE records SET sync_state = 'conflict', sync_message = ?2"
                " WHERE id = ?1",
                error);

    if (update == NULL)
      return FALSE;
    bind_text (update, 1, id);
    bind_text (update, 2, bb_record_get_deleted (server_copy)
                          ? _("Deleted elsewhere while you changed it here: "
                              "choose which copy to keep")
                          : _("Changed elsewhere while you changed it here: "
                              "choose which copy to keep"));
    return step_done (self, update, _("Could not keep the server’s copy"), error);
  }
}

static gboolean
apply_outcome_locked (BbStore             *self,
                      const BbPushOutcome *outcome,
                      gboolean            *found,
                      GError             **error)
{
  switch (outcome->status)
    {
    case BB_PUSH_APPLIED:
    case BB_PUSH_DUPLICATE:
      return mark_pushed_locked (self, outcome->id, outcome->pushed_rev,
                                 outcome->server_rev, outcome->seq, found, error);
    case BB_PUSH_REJECTED:
      return mark_rejected_locked (self, outcome->id, outcome->pushed_rev,
                                   outcome->message, found, error);
    case BB_PUSH_CONFLICT:
      if (outcome->server_copy == NULL)
        {
          g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                       _("The server answered “conflict” for record %s without "
                         "its copy"), outcome->id);
          return FALSE;
        }
      return mark_conflict_locked (self, outcome->id, outcome->server_copy, found, error);
    default:
      g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                   _("Unknown answer %d from the server for record %s"),
                   (int) outcome->status, outcome->id);
      return FALSE;
    }
}

/* Runs @n outcomes in one transaction; with @must_exist, an unknown id is
 * BB_STORE_ERROR_NOT_FOUND. */
static gboolean
apply_outcomes (BbStore             *self,
                const BbPushOutcome *outcomes,
                guint                n_outcomes,
                gboolean             must_exist,
                GError             **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (!begin (self, error))
    return FALSE;

  for (guint i = 0; i < n_outcomes; i++)
    {
      gboolean found = FALSE;

      if (outcomes[i].id == NULL)
        {
          g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                       _("The server’s answer %u names no record"), i + 1);
          rollback (self);
          return FALSE;
        }

      if (!apply_outcome_locked (self, &outcomes[i], &found, error))
        {
          rollback (self);
          return FALSE;
        }

      if (must_exist && !found)
        {
          set_not_found (error, outcomes[i].id);
          rollback (self);
          return FALSE;
        }
    }

  return commit (self, error);
}

gboolean
bb_store_apply_push_outcomes (BbStore             *self,
                              const BbPushOutcome *outcomes,
                              guint                n_outcomes,
                              GError             **error)
{
  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (outcomes != NULL || n_outcomes == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return apply_outcomes (self, outcomes, n_outcomes, FALSE, error);
}

gboolean
bb_store_mark_pushed (BbStore     *self,
                      const char  *id,
                      gint64       pushed_rev,
                      gint64       server_rev,
                      gint64       seq,
                      GError     **error)
{
  BbPushOutcome outcome = {
    .id = id, .pushed_rev = pushed_rev, .status = BB_PUSH_APPLIED,
    .server_rev = server_rev, .seq = seq,
  };

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return apply_outcomes (self, &outcome, 1, TRUE, error);
}

gboolean
bb_store_mark_rejected (BbStore     *self,
                        const char  *id,
                        gint64       rev,
                        const char  *message,
                        GError     **error)
{
  BbPushOutcome outcome = {
    .id = id, .pushed_rev = rev, .status = BB_PUSH_REJECTED, .message = message,
  };

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return apply_outcomes (self, &outcome, 1, TRUE, error);
}

gboolean
bb_store_mark_conflict (BbStore     *self,
                        const char  *id,
                        BbRecord    *server_copy,
                        GError     **error)
{
  BbPushOutcome outcome = {
    .id = id, .status = BB_PUSH_CONFLICT, .server_copy = server_copy,
  };

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (BB_IS_RECORD (server_copy), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return apply_outcomes (self, &outcome, 1, TRUE, error);
}

BbRecord *
bb_store_get_conflict_copy (BbStore     *self,
                            const char  *id,
                            GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  return get_record_locked (self,
                            "SELECT " CONFLICT_COLUMNS " FROM conflicts WHERE id = ?1",
                            id, error);
}

gboolean
bb_store_resolve_conflict (BbStore     *self,
                           const char  *id,
                           gboolean     keep_mine,
                           GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BbRecord) theirs = NULL;
  g_autofree char *now = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  now = now_iso ();

  if (!begin (self, error))
    return FALSE;

  theirs = get_record_locked (self,
                              "SELECT " CONFLICT_COLUMNS " FROM conflicts WHERE id = ?1",
                              id, error);
  if (theirs == NULL)
    goto fail;

  if (keep_mine)
    {
      g_autoptr(BbCachedStmt) stmt = NULL;
      g_autofree char *comments = array_to_string (bb_record_get_review_comments (theirs));
      gint64 rev;

      /* A rev above both copies, based on the server's: the next push
       * supersedes the server's version instead of conflicting again. */
      stmt = get_stmt (self,
                       "UPDATE records SET rev = MAX (rev, ?2) + 1, base_rev = ?2,"
                       " seq = ?3, review_state = ?4, review_comments = ?5,"
                       " updated_at = ?6, sync_state = 'pending', sync_message = NULL"
                       " WHERE id = ?1 RETURNING rev",
                       error);
      if (stmt == NULL)
        goto fail;

      bind_text (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, bb_record_get_rev (theirs));
      sqlite3_bind_int64 (stmt, 3, bb_record_get_seq (theirs));
      bind_text (stmt, 4, bb_record_get_review_state (theirs));
      bind_text (stmt, 5, comments);
      bind_text (stmt, 6, now);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          set_db_error (self, error, _("Could not keep your copy"));
          goto fail;
        }
      rev = sqlite3_column_int64 (stmt, 0);
      if (!step_done (self, stmt, _("Could not keep your copy"), error) ||
          !enqueue (self, id, rev, now, error))
        goto fail;
    }
  else
    {
      BbRowState row = {
        .rev = bb_record_get_rev (theirs),
        .base_rev = bb_record_get_rev (theirs),
        .seq = bb_record_get_seq (theirs),
        .created_at = bb_record_get_created_at (theirs),
        .updated_at = bb_record_get_updated_at (theirs),
        .sync_state = BB_SYNC_STATE_SYNCED,
      };

      if (!write_record_row (self, theirs, &row, error) ||
          !run_with_id (self, "DELETE FROM outbox WHERE id = ?1", id,
                        _("Could not take the server’s copy"), error))
        goto fail;
    }

  if (!run_with_id (self, "DELETE FROM conflicts WHERE id = ?1", id,
                    _("Could not settle the conflict"), error) ||
      !commit (self, error))
    goto fail;

  return TRUE;

fail:
  rollback (self);
  return FALSE;
}

static gboolean
apply_pulled_record (BbStore   *self,
                     BbRecord  *record,
                     GError   **error)
{
  g_auto(BbLocalState) local = { 0, };
  const char *id = bb_record_get_id (record);
  gint64 server_rev = bb_record_get_rev (record);

  if (id == NULL || bb_record_get_kind (record) == NULL ||
      bb_record_get_occurred_at (record) == NULL)
    {
      g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                   _("The server sent a record without an id, kind or time"));
      return FALSE;
    }

  if (!read_local_state (self, id, &local, error))
    return FALSE;

  if (!local.queued)
    {
      const char *updated_at = bb_record_get_updated_at (record);
      const char *created_at = bb_record_get_created_at (record);
      BbRowState row = {
        .rev = server_rev,
        .base_rev = server_rev,
        .seq = bb_record_get_seq (record),
        /* Pull carries no created_at: first seen here is when it was written. */
        .created_at = created_at != NULL ? created_at : updated_at,
        .updated_at = updated_at,
        .sync_state = BB_SYNC_STATE_SYNCED,
      };

      return write_record_row (self, record, &row, error) &&
             run_with_id (self, "DELETE FROM conflicts WHERE id = ?1", id,
                          _("Could not apply the server’s changes"), error);
    }

  if (server_rev == local.base_rev)
    {
      /* The version this edit started from, reviewed meanwhile. */
      g_autoptr(BbCachedStmt) stmt =
        get_stmt (self,
                  "UPDATE records SET review_state = ?2, review_comments = ?3,"
                  " seq = ?4 WHERE id = ?1",
                  error);
      g_autofree char *comments = array_to_string (bb_record_get_review_comments (record));
      const char *review_state = bb_record_get_review_state (record);

      if (stmt == NULL)
        return FALSE;
      bind_text (stmt, 1, id);
      bind_text (stmt, 2, review_state != NULL ? review_state : "new");
      bind_text (stmt, 3, comments);
      sqlite3_bind_int64 (stmt, 4, bb_record_get_seq (record));
      return step_done (self, stmt, _("Could not apply the server’s changes"), error);
    }

  if (server_rev > local.base_rev)
    {
      gboolean found;

      return mark_conflict_locked (self, id, record, &found, error);
    }

  /* Older than what this edit started from: nothing to learn. */
  return TRUE;
}

gboolean
bb_store_apply_pull_page (BbStore     *self,
                          GPtrArray   *records,
                          const char  *cursor_key,
                          gint64       next,
                          GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *next_text = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (records != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);

  if (!begin (self, error))
    return FALSE;

  for (guint i = 0; i < records->len; i++)
    {
      BbRecord *record = g_ptr_array_index (records, i);

      if (!BB_IS_RECORD (record))
        {
          g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                       _("Item %u of the pulled page is not a record"), i + 1);
          goto fail;
        }

      if (!apply_pulled_record (self, record, error))
        goto fail;
    }

  /* The cursor moves in the same transaction: a crash repeats the page,
   * never skips it. */
  next_text = g_strdup_printf ("%" G_GINT64_FORMAT, next);
  if (cursor_key != NULL && !set_meta_locked (self, cursor_key, next_text, error))
    goto fail;

  return commit (self, error);

fail:
  rollback (self);
  return FALSE;
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

  /* secure_delete zeroes freed pages, VACUUM drops them and the checkpoint
   * truncates the WAL: a revoked device keeps no readable copy. */
  if (!exec_script (self, "PRAGMA secure_delete = ON", _("Could not wipe the data"), error))
    return FALSE;

  ok = begin (self, error) &&
       exec_script (self,
                    "DELETE FROM conflicts;"
                    "DELETE FROM outbox;"
                    "DELETE FROM records_fts;"
                    /* Old index segments still hold the words until rebuilt. */
                    "INSERT INTO records_fts (records_fts) VALUES ('rebuild');"
                    "DELETE FROM records;"
                    "DELETE FROM drafts;"
                    "DELETE FROM review_queue;"
                    "DELETE FROM export_notices;"
                    "DELETE FROM meta;",
                    _("Could not wipe the data"), error) &&
       commit (self, error);
  if (!ok)
    rollback (self);

  sqlite3_exec (self->db, "PRAGMA secure_delete = OFF", NULL, NULL, NULL);
  if (!ok)
    return FALSE;

  return exec_script (self,
                      "VACUUM;"
                      "PRAGMA wal_checkpoint(TRUNCATE);",
                      _("Could not wipe the data"), error);
}

GPtrArray *
bb_store_list_authors (BbStore  *self,
                       GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BbCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) authors = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  /* One name per id, whichever the records carry. */
  stmt = get_stmt (self,
                   "SELECT author_id, MAX (author_name) FROM records"
                   " WHERE deleted = 0 AND author_id IS NOT NULL"
                   " GROUP BY author_id ORDER BY 2 COLLATE NOCASE, 1",
                   error);
  if (stmt == NULL)
    return NULL;

  authors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  if (!collect_rows (self, stmt, authors, row_to_author, _("Could not read the authors"), error))
    return NULL;

  return g_steal_pointer (&authors);
}

/* Reviews made offline */

void
bb_queued_review_free (BbQueuedReview *review)
{
  if (review == NULL)
    return;

  g_free (review->record_id);
  g_free (review->state);
  g_free (review->comment);
  g_free (review->queued_at);
  g_free (review->error);
  g_free (review);
}

static gboolean
is_review_state (const char *state)
{
  return g_strcmp0 (state, "reviewed") == 0 ||
         g_strcmp0 (state, "returned") == 0 ||
         g_strcmp0 (state, "closed") == 0;
}

gboolean
bb_store_queue_review (BbStore     *self,
                       const char  *record_id,
                       const char  *state,
                       const char  *comment,
                       const char  *author_name,
                       GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BbCachedStmt) read = NULL;
  g_autoptr(JsonNode) thread = NULL;
  g_autofree char *text = NULL;
  g_autofree char *now = NULL;
  g_autofree char *previous_state = NULL;
  g_autofree char *previous_comments = NULL;
  g_autofree char *comments_text = NULL;
  int rc;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (record_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!is_review_state (state))
    {
      g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                   _("A review marks a record reviewed, returned or closed, not “%s”"),
                   state != NULL ? state : "");
      return FALSE;
    }
  if (comment != NULL)
    text = g_strstrip (g_strdup (comment));
  if (text != NULL && *text == '\0')
    g_clear_pointer (&text, g_free);
  if (text == NULL && g_str_equal (state, "returned"))
    {
      g_set_error_literal (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                           _("A returned record needs a comment telling the author what is missing"));
      return FALSE;
    }
  if (text != NULL && g_utf8_strlen (text, -1) > BB_FIELD_DEFAULT_MAX_LENGTH)
    {
      g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                   _("The comment is longer than %d characters"), BB_FIELD_DEFAULT_MAX_LENGTH);
      return FALSE;
    }

  locker = g_mutex_locker_new (&self->lock);
  now = now_iso ();

  if (!begin (self, error))
    return FALSE;

  read = get_stmt (self,
                   "SELECT review_state, review_comments FROM records"
                   " WHERE id = ?1 AND deleted = 0",
                   error);
  if (read == NULL)
    goto fail;
  bind_text (read, 1, record_id);
  rc = sqlite3_step (read);
  if (rc == SQLITE_DONE)
    {
      set_not_found (error, record_id);
      goto fail;
    }
  if (rc != SQLITE_ROW)
    {
      set_db_error (self, error, _("Could not read the record"));
      goto fail;
    }
  previous_state = g_strdup (column_text (read, 0));
  previous_comments = g_strdup (column_text (read, 1));
  g_clear_pointer (&read, bb_cached_stmt_release);

  thread = parse_json (previous_comments);
  if (thread == NULL || !JSON_NODE_HOLDS_ARRAY (thread))
    {
      g_clear_pointer (&thread, json_node_unref);
      thread = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (thread, json_array_new ());
    }
  else
    {
      /* The parser's nodes are immutable: the thread grows in a copy. */
      JsonNode *copy = bb_json_node_copy (thread);

      json_node_unref (thread);
      thread = copy;
    }
  if (text != NULL)
    {
      JsonObject *entry = json_object_new ();

      json_object_set_string_member (entry, "author", author_name != NULL ? author_name : "");
      json_object_set_string_member (entry, "at", now);
      json_object_set_string_member (entry, "text", text);
      /* Until the server's thread replaces it at the next sync. */
      json_object_set_boolean_member (entry, "pending", TRUE);
      json_array_add_object_element (json_node_get_array (thread), entry);
    }
  comments_text = json_to_string (thread, FALSE);

  {
    g_autoptr(BbCachedStmt) update =
      get_stmt (self,
                "UPDATE records SET review_state = ?2, review_comments = ?3 WHERE id = ?1",
                error);

    if (update == NULL)
      goto fail;
    bind_text (update, 1, record_id);
    bind_text (update, 2, state);
    bind_text (update, 3, comments_text);
    if (!step_done (self, update, _("Could not save the review"), error))
      goto fail;
  }
  {
    g_autoptr(BbCachedStmt) insert =
      get_stmt (self,
                "INSERT INTO review_queue (record_id, state, comment, queued_at,"
                " previous_state, previous_comments) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                error);

    if (insert == NULL)
      goto fail;
    bind_text (insert, 1, record_id);
    bind_text (insert, 2, state);
    bind_text (insert, 3, text);
    bind_text (insert, 4, now);
    bind_text (insert, 5, previous_state);
    bind_text (insert, 6, previous_comments);
    if (!step_done (self, insert, _("Could not queue the review for sync"), error))
      goto fail;
  }

  if (!commit (self, error))
    goto fail;
  return TRUE;

fail:
  rollback (self);
  return FALSE;
}

static gpointer
row_to_queued_review (sqlite3_stmt *stmt)
{
  BbQueuedReview *review = g_new0 (BbQueuedReview, 1);

  review->id = sqlite3_column_int64 (stmt, 0);
  review->record_id = g_strdup (column_text (stmt, 1));
  review->state = g_strdup (column_text (stmt, 2));
  review->comment = g_strdup (column_text (stmt, 3));
  review->queued_at = g_strdup (column_text (stmt, 4));
  review->error = g_strdup (column_text (stmt, 5));
  return review;
}

GPtrArray *
bb_store_list_queued_reviews (BbStore   *self,
                              gboolean   with_failed,
                              GError   **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BbCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) reviews = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = get_stmt (self,
                   with_failed
                   ? "SELECT num, record_id, state, comment, queued_at, error"
                     " FROM review_queue ORDER BY num"
                   : "SELECT num, record_id, state, comment, queued_at, error"
                     " FROM review_queue WHERE error IS NULL ORDER BY num",
                   error);
  if (stmt == NULL)
    return NULL;

  reviews = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_queued_review_free);
  if (!collect_rows (self, stmt, reviews, row_to_queued_review,
                     _("Could not read the queued reviews"), error))
    return NULL;

  return g_steal_pointer (&reviews);
}

BbQueuedReview *
bb_store_get_queued_review (BbStore    *self,
                            const char *record_id)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BbCachedStmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  int rc;

  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (record_id != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = get_stmt (self,
                   "SELECT num, record_id, state, comment, queued_at, error"
                   " FROM review_queue WHERE record_id = ?1 ORDER BY num DESC LIMIT 1",
                   &error);
  if (stmt == NULL)
    {
      g_warning ("%s", error->message);
      return NULL;
    }

  bind_text (stmt, 1, record_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return row_to_queued_review (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, &error, _("Could not read the queued reviews"));
      g_warning ("%s", error->message);
    }

  return NULL;
}

static gboolean
run_with_num (BbStore     *self,
              const char  *sql,
              gint64       num,
              const char  *text,
              const char  *doing,
              GError     **error)
{
  g_autoptr(BbCachedStmt) stmt = get_stmt (self, sql, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, num);
  if (sqlite3_bind_parameter_count (stmt) >= 2)
    bind_text (stmt, 2, text);
  return step_done (self, stmt, doing, error);
}

gboolean
bb_store_mark_review_sent (BbStore     *self,
                           gint64       queue_id,
                           BbRecord    *server_copy,
                           GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (server_copy == NULL || BB_IS_RECORD (server_copy), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);

  if (!begin (self, error))
    return FALSE;

  if (!run_with_num (self, "DELETE FROM review_queue WHERE num = ?1", queue_id, NULL,
                     _("Could not update the review queue"), error) ||
      (server_copy != NULL && !apply_pulled_record (self, server_copy, error)) ||
      !commit (self, error))
    {
      rollback (self);
      return FALSE;
    }

  return TRUE;
}

gboolean
bb_store_mark_review_failed (BbStore    *self,
                             gint64      queue_id,
                             const char *message,
                             GError    **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  const char *doing = _("Could not update the review queue");

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);

  if (!begin (self, error))
    return FALSE;

  /* The copy goes back to what it was before this review, unless the
   * server or a later review has set it since. */
  if (!run_with_num (self,
                     "UPDATE records SET review_state = COALESCE (q.previous_state, 'new'),"
                     " review_comments = q.previous_comments"
                     " FROM review_queue q"
                     " WHERE q.num = ?1 AND records.id = q.record_id"
                     " AND records.review_state = q.state"
                     " AND NOT EXISTS (SELECT 1 FROM review_queue later"
                     "   WHERE later.record_id = q.record_id AND later.num > q.num)",
                     queue_id, NULL, doing, error) ||
      !run_with_num (self, "UPDATE review_queue SET error = ?2 WHERE num = ?1", queue_id,
                     message != NULL && *message != '\0' ? message : _("The server refused this review."),
                     doing, error) ||
      !commit (self, error))
    {
      rollback (self);
      return FALSE;
    }

  return TRUE;
}

gboolean
bb_store_dismiss_review (BbStore     *self,
                         gint64       queue_id,
                         GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  /* Only a refused one: a waiting review is the supervisor's decision. */
  return run_with_num (self, "DELETE FROM review_queue WHERE num = ?1 AND error IS NOT NULL",
                       queue_id, NULL, _("Could not update the review queue"), error);
}

/* Export notices */

void
bb_export_notice_free (BbExportNotice *notice)
{
  if (notice == NULL)
    return;

  g_free (notice->body);
  g_free (notice->queued_at);
  g_free (notice->error);
  g_free (notice);
}

gboolean
bb_store_queue_export_notice (BbStore            *self,
                              const char         *what,
                              const char * const *record_ids,
                              guint               count,
                              const char         *period_from,
                              const char         *period_to,
                              const char         *filter,
                              const char         *recipient,
                              GError            **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BbCachedStmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *body_text = NULL;
  g_autofree char *now = NULL;
  g_autofree char *notice_id = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_strcmp0 (what, "csv") != 0 && g_strcmp0 (what, "pdf") != 0)
    {
      g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                   _("An export is a CSV or a PDF, not “%s”"), what != NULL ? what : "");
      return FALSE;
    }

  now = now_iso ();
  notice_id = bb_uuid_new ();
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, notice_id);
  json_builder_set_member_name (builder, "what");
  json_builder_add_string_value (builder, what);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, count);
  json_builder_set_member_name (builder, "made_at");
  json_builder_add_string_value (builder, now);
  if (record_ids != NULL && g_strv_length ((char **) record_ids) <= BB_EXPORT_NOTICE_MAX_IDS)
    {
      json_builder_set_member_name (builder, "record_ids");
      json_builder_begin_array (builder);
      for (guint i = 0; record_ids[i] != NULL; i++)
        json_builder_add_string_value (builder, record_ids[i]);
      json_builder_end_array (builder);
    }
  if (period_from != NULL && period_to != NULL)
    {
      json_builder_set_member_name (builder, "period");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "from");
      json_builder_add_string_value (builder, period_from);
      json_builder_set_member_name (builder, "to");
      json_builder_add_string_value (builder, period_to);
      json_builder_end_object (builder);
    }
  if (filter != NULL && *filter != '\0')
    {
      json_builder_set_member_name (builder, "filter");
      json_builder_add_string_value (builder, filter);
    }
  if (recipient != NULL && *recipient != '\0')
    {
      json_builder_set_member_name (builder, "recipient");
      json_builder_add_string_value (builder, recipient);
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  body_text = json_to_string (body, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  stmt = get_stmt (self, "INSERT INTO export_notices (body, queued_at) VALUES (?1, ?2)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, body_text);
  bind_text (stmt, 2, now);
  return step_done (self, stmt, _("Could not queue the export notice for sync"), error);
}

GPtrArray *
bb_store_list_export_notices (BbStore  *self,
                              gboolean  with_failed,
                              GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BbCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) notices = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = get_stmt (self,
                   with_failed
                   ? "SELECT num, body, queued_at, error FROM export_notices ORDER BY num"
                   : "SELECT num, body, queued_at, error FROM export_notices"
                     " WHERE error IS NULL ORDER BY num",
                   error);
  if (stmt == NULL)
    return NULL;

  notices = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_export_notice_free);
  if (!collect_rows (self, stmt, notices, row_to_export_notice,
                     _("Could not read the export notices"), error))
    return NULL;

  return g_steal_pointer (&notices);
}

gboolean
bb_store_mark_export_notice_sent (BbStore  *self,
                                  gint64    notice_id,
                                  GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  return run_with_num (self, "DELETE FROM export_notices WHERE num = ?1", notice_id, NULL,
                       _("Could not update the export notices"), error);
}

gboolean
bb_store_mark_export_notice_failed (BbStore    *self,
                                    gint64      notice_id,
                                    const char *message,
                                    GError    **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  return run_with_num (self, "UPDATE export_notices SET error = ?2 WHERE num = ?1", notice_id,
                       message != NULL && *message != '\0' ? message : _("The server refused this export notice."),
                       _("Could not update the export notices"), error);
}
