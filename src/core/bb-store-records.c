/* bb-store-records.c: the store's records and drafts
 *
 * Saving, deleting, reading, listing and counting records, the row each is
 * written to (with its search text and outbox entry), and the drafts an
 * editor keeps while it is open. The sync files reuse the row writer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-store"

#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "bb-i18n.h"
#include "bb-store-private.h"

/* (transfer full): the record in the current row (RECORD_COLUMNS order). */
BbRecord *
bb_store_row_to_record (BbStore       *self,
                        sqlite3_stmt  *stmt,
                        GError       **error)
{
  const char *id = bb_store_column_text (stmt, 0);
  g_autoptr(BbRecord) record = bb_record_new (bb_store_column_text (stmt, 1));
  g_autoptr(JsonNode) fields = bb_store_parse_json (bb_store_column_text (stmt, 8));
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
  bb_record_set_occurred_at (record, bb_store_column_text (stmt, 6));
  bb_record_set_priority (record, sqlite3_column_int (stmt, 7));
  bb_record_set_fields (record, json_node_get_object (fields));
  bb_record_set_created_at (record, bb_store_column_text (stmt, 9));
  bb_record_set_updated_at (record, bb_store_column_text (stmt, 10));
  bb_record_set_author (record, bb_store_column_text (stmt, 11), bb_store_column_text (stmt, 12),
                        bb_store_column_text (stmt, 13));
  bb_record_set_review_state (record, bb_store_column_text (stmt, 14));

  comments = bb_store_parse_json (bb_store_column_text (stmt, 15));
  if (comments != NULL && JSON_NODE_HOLDS_ARRAY (comments))
    bb_record_set_review_comments (record, json_node_get_array (comments));
  else
    bb_record_set_review_comments (record, NULL);

  bb_record_set_sync_state (record, bb_store_sync_state_from_id (bb_store_column_text (stmt, 16)));
  bb_record_set_sync_message (record, bb_store_column_text (stmt, 17));
  bb_record_set_personal_purged_at (record, bb_store_column_text (stmt, 18));

  return g_steal_pointer (&record);
}

/* Steps @stmt to the end, appending a record per row; @what says what was
 * being read if SQLite fails. */
gboolean
bb_store_append_record_rows (BbStore       *self,
                             sqlite3_stmt  *stmt,
                             GPtrArray     *records,
                             const char    *what,
                             GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      BbRecord *record = bb_store_row_to_record (self, stmt, error);

      if (record == NULL)
        return FALSE;
      g_ptr_array_add (records, record);
    }

  if (rc != SQLITE_DONE)
    {
      bb_store_set_db_error (self, error, what);
      return FALSE;
    }

  return TRUE;
}

static gpointer
row_to_draft (sqlite3_stmt *stmt)
{
  BbDraft *draft = g_new0 (BbDraft, 1);

  draft->id = g_strdup (bb_store_column_text (stmt, 0));
  draft->kind = g_strdup (bb_store_column_text (stmt, 1));
  draft->record_id = g_strdup (bb_store_column_text (stmt, 2));
  draft->json = g_strdup (bb_store_column_text (stmt, 3));
  draft->updated_at = g_strdup (bb_store_column_text (stmt, 4));
  return draft;
}

/* { id, display name (the id when the records carry none), NULL } */
static gpointer
row_to_author (sqlite3_stmt *stmt)
{
  char **pair = g_new0 (char *, 3);
  const char *name = bb_store_column_text (stmt, 1);

  pair[0] = g_strdup (bb_store_column_text (stmt, 0));
  pair[1] = g_strdup (name != NULL && *name != '\0' ? name : pair[0]);
  return pair;
}

const char *
bb_store_ward_of (JsonObject *fields)
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
gboolean
bb_store_write_record_row (BbStore           *self,
                           BbRecord          *record,
                           const BbRowState  *state,
                           GError           **error)
{
  g_autoptr(BbCachedStmt) stmt = NULL;
  JsonObject *fields = bb_record_get_fields (record);
  g_autofree char *fields_text = bb_store_object_to_string (fields);
  g_autofree char *comments_text = bb_store_array_to_string (bb_record_get_review_comments (record));
  const char *review_state = bb_record_get_review_state (record);
  gint64 num;

  stmt = bb_store_get_stmt (self,
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

  bb_store_bind_text (stmt, 1, bb_record_get_id (record));
  bb_store_bind_text (stmt, 2, bb_record_get_kind (record));
  sqlite3_bind_int64 (stmt, 3, state->rev);
  sqlite3_bind_int64 (stmt, 4, state->base_rev);
  sqlite3_bind_int64 (stmt, 5, state->seq);
  sqlite3_bind_int (stmt, 6, bb_record_get_deleted (record) ? 1 : 0);
  bb_store_bind_text (stmt, 7, bb_record_get_occurred_at (record));
  sqlite3_bind_int (stmt, 8, bb_record_get_priority (record));
  bb_store_bind_text (stmt, 9, fields_text);
  bb_store_bind_text (stmt, 10, state->created_at);
  bb_store_bind_text (stmt, 11, state->updated_at);
  bb_store_bind_text (stmt, 12, bb_record_get_author_id (record));
  bb_store_bind_text (stmt, 13, bb_record_get_author_name (record));
  bb_store_bind_text (stmt, 14, bb_record_get_author_role (record));
  bb_store_bind_text (stmt, 15, review_state != NULL ? review_state : "new");
  bb_store_bind_text (stmt, 16, comments_text);
  bb_store_bind_text (stmt, 17, bb_store_sync_state_ids[state->sync_state]);
  bb_store_bind_text (stmt, 18, state->sync_message);
  bb_store_bind_text (stmt, 19, bb_store_ward_of (fields));

  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      bb_store_set_db_error (self, error, _("Could not write the record"));
      return FALSE;
    }
  num = sqlite3_column_int64 (stmt, 0);
  if (!bb_store_step_done (self, stmt, _("Could not write the record"), error))
    return FALSE;

  if (state->defer_index)
    {
      g_autoptr(BbCachedStmt) pending =
        bb_store_get_stmt (self,
                           "INSERT INTO search_pending (num, indexed) VALUES (?1, ?2)"
                           " ON CONFLICT (num) DO UPDATE"
                           " SET indexed = max (indexed, excluded.indexed)",
                           error);

      if (pending == NULL)
        return FALSE;
      sqlite3_bind_int64 (pending, 1, num);
      sqlite3_bind_int (pending, 2, state->was_indexed ? 1 : 0);
      return bb_store_step_done (self, pending, _("Could not update the search index"), error);
    }

  return bb_store_index_record (self, num, bb_record_get_occurred_at (record),
                                bb_record_get_kind (record), fields, TRUE, error);
}

/* Puts @id in the outbox at @rev; an entry already there keeps its place. */
gboolean
bb_store_enqueue (BbStore     *self,
                  const char  *id,
                  gint64       rev,
                  const char  *now,
                  GError     **error)
{
  g_autoptr(BbCachedStmt) stmt =
    bb_store_get_stmt (self,
                       "INSERT INTO outbox (id, rev, queued_at, position)"
                       " VALUES (?1, ?2, ?3, (SELECT COALESCE (MAX (position), 0) + 1 FROM outbox))"
                       " ON CONFLICT (id) DO UPDATE SET rev = excluded.rev",
                       error);

  if (stmt == NULL)
    return FALSE;

  bb_store_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, rev);
  bb_store_bind_text (stmt, 3, now);
  return bb_store_step_done (self, stmt, _("Could not queue the record for sync"), error);
}

gboolean
bb_store_run_with_id (BbStore     *self,
                      const char  *sql,
                      const char  *id,
                      const char  *doing,
                      GError     **error)
{
  g_autoptr(BbCachedStmt) stmt = bb_store_get_stmt (self, sql, error);

  if (stmt == NULL)
    return FALSE;

  bb_store_bind_text (stmt, 1, id);
  return bb_store_step_done (self, stmt, doing, error);
}

gboolean
bb_store_read_local_state (BbStore       *self,
                           const char    *id,
                           BbLocalState  *state,
                           GError       **error)
{
  g_autoptr(BbCachedStmt) stmt =
    bb_store_get_stmt (self,
                       "SELECT rev, base_rev, seq, deleted, created_at,"
                       " EXISTS (SELECT 1 FROM outbox WHERE id = ?1),"
                       " EXISTS (SELECT 1 FROM conflicts WHERE id = ?1), sync_message"
                       " FROM records WHERE id = ?1",
                       error);
  int rc;

  memset (state, 0, sizeof *state);
  if (stmt == NULL)
    return FALSE;

  bb_store_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      state->found = TRUE;
      state->rev = sqlite3_column_int64 (stmt, 0);
      state->base_rev = sqlite3_column_int64 (stmt, 1);
      state->seq = sqlite3_column_int64 (stmt, 2);
      state->deleted = sqlite3_column_int (stmt, 3) != 0;
      state->created_at = g_strdup (bb_store_column_text (stmt, 4));
      state->queued = sqlite3_column_int (stmt, 5) != 0;
      state->in_conflict = sqlite3_column_int (stmt, 6) != 0;
      state->sync_message = g_strdup (bb_store_column_text (stmt, 7));
      return TRUE;
    }
  if (rc == SQLITE_DONE)
    return TRUE;

  bb_store_set_db_error (self, error, _("Could not read the record"));
  return FALSE;
}

void
bb_store_set_not_found (GError     **error,
                        const char  *id)
{
  g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_NOT_FOUND,
               _("There is no record %s on this device"), id);
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
  now = bb_store_now_iso ();

  if (!bb_store_begin (self, error))
    return FALSE;

  if (!bb_store_read_local_state (self, id, &local, error))
    goto fail;

  /* An edit of a copy without its personal details would send them to
   * the server as erased: it is made where they are, on the server. */
  {
    g_autoptr(BbCachedStmt) stmt =
      bb_store_get_stmt (self, "SELECT 1 FROM records WHERE id = ?1 AND personal_purged_at IS NOT NULL",
                         error);
    int rc;

    if (stmt == NULL)
      goto fail;
    bb_store_bind_text (stmt, 1, id);
    rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW)
      {
        g_set_error_literal (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                             _("The personal details of this warning were removed from this device, "
                               "so it cannot be changed here: the server keeps them."));
        goto fail;
      }
    if (rc != SQLITE_DONE)
      {
        bb_store_set_db_error (self, error, _("Could not save the record"));
        goto fail;
      }
  }

  /* The stored rev is the truth: an editor may hold an older copy. */
  row.rev = (local.found ? local.rev : bb_record_get_rev (record)) + 1;
  row.base_rev = local.found ? local.base_rev : bb_record_get_base_rev (record);
  row.seq = local.found ? local.seq : bb_record_get_seq (record);
  row.created_at = local.created_at != NULL ? local.created_at : now;
  row.updated_at = now;
  /* An edit does not settle a conflict: the user still has to choose. */
  row.sync_state = local.in_conflict ? BB_SYNC_STATE_CONFLICT : BB_SYNC_STATE_PENDING;
  row.sync_message = local.in_conflict ? local.sync_message : NULL;

  if (!bb_store_write_record_row (self, record, &row, error) ||
      !bb_store_enqueue (self, id, row.rev, now, error) ||
      !bb_store_commit (self, error))
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
  bb_store_rollback (self);
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
  now = bb_store_now_iso ();

  if (!bb_store_begin (self, error))
    return FALSE;

  if (!bb_store_read_local_state (self, id, &local, error))
    goto fail;

  if (!local.found)
    {
      bb_store_set_not_found (error, id);
      goto fail;
    }

  if (local.deleted)
    {
      /* Deleting twice changes nothing. */
      bb_store_rollback (self);
      return TRUE;
    }

  {
    g_autoptr(BbCachedStmt) stmt =
      bb_store_get_stmt (self,
                         "UPDATE records SET deleted = 1, rev = ?2, updated_at = ?3,"
                         " sync_state = CASE WHEN sync_state = 'conflict' THEN 'conflict'"
                         " ELSE 'pending' END,"
                         " sync_message = CASE WHEN sync_state = 'conflict' THEN sync_message"
                         " ELSE NULL END"
                         " WHERE id = ?1",
                         error);

    if (stmt == NULL)
      goto fail;
    bb_store_bind_text (stmt, 1, id);
    sqlite3_bind_int64 (stmt, 2, local.rev + 1);
    bb_store_bind_text (stmt, 3, now);
    if (!bb_store_step_done (self, stmt, _("Could not delete the record"), error))
      goto fail;
  }

  if (!bb_store_enqueue (self, id, local.rev + 1, now, error) || !bb_store_commit (self, error))
    goto fail;

  return TRUE;

fail:
  bb_store_rollback (self);
  return FALSE;
}

BbRecord *
bb_store_get_record_locked (BbStore     *self,
                            const char  *sql,
                            const char  *id,
                            GError     **error)
{
  g_autoptr(BbCachedStmt) stmt = bb_store_get_stmt (self, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;

  bb_store_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return bb_store_row_to_record (self, stmt, error);

  if (rc == SQLITE_DONE)
    bb_store_set_not_found (error, id);
  else
    bb_store_set_db_error (self, error, _("Could not read the record"));

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
  return bb_store_get_record_locked (self,
                                     "SELECT " RECORD_COLUMNS " FROM records WHERE id = ?1",
                                     id, error);
}

/* How a query's WHERE clause reaches the search index. */
typedef enum
{
  MATCH_IN,    /* num IN (every match): for counts */
  MATCH_JOIN,  /* records_fts joined first, walked in key order */
} MatchStyle;

/* Where a page of the list starts. */
typedef enum
{
  FROM_START,  /* the newest first */
  AFTER,       /* the records after :after_at, :after_id, newest first */
  FROM_END,    /* the oldest first, to be turned round */
  BEFORE,      /* the records before :before_at, :before_id, nearest first */
} ListBound;

static gboolean
bound_backwards (ListBound bound)
{
  return bound == FROM_END || bound == BEFORE;
}

/* The WHERE clause for @query; *@match gets the FTS query, if any.
 * @bound: AFTER and BEFORE leave out the records up to the one given, in
 * the list's order (newest first). */
static char *
query_where (const BbQuery  *query,
             MatchStyle      style,
             ListBound       bound,
             char          **match)
{
  GString *sql = g_string_new (" WHERE 1");

  *match = NULL;

  if (query == NULL || !query->include_deleted)
    g_string_append (sql, " AND deleted = 0");

  /* Written so that the range on occurred_at can start from an index. */
  if (bound == AFTER)
    g_string_append (sql, " AND occurred_at <= :after_at"
                          " AND (occurred_at < :after_at OR id < :after_id)");
  else if (bound == BEFORE)
    g_string_append (sql, " AND occurred_at >= :before_at"
                          " AND (occurred_at > :before_at OR id > :before_id)");

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
    {
      g_string_append (sql, " AND sync_state = :sync_state");
      /* Spelt out so SQLite may use the partial index of unsynced rows
       * (records_sync_state): it cannot see that a bound value differs. */
      if (g_strcmp0 (query->sync_state, "synced") != 0)
        g_string_append (sql, " AND sync_state != 'synced'");
    }

  *match = bb_store_search_to_match (query->search);
  if (*match != NULL && style == MATCH_IN)
    g_string_append (sql, " AND num IN (SELECT rowid & " BB_SEARCH_NUM_MASK_SQL
                          " FROM records_fts WHERE records_fts MATCH :match)");
  else if (*match != NULL && bound_backwards (bound))
    g_string_append (sql, " AND records_fts MATCH :match AND records_fts.rowid >= :key_from");
  else if (*match != NULL)
    g_string_append (sql, " AND records_fts MATCH :match AND records_fts.rowid < :key_below");

  return g_string_free (sql, FALSE);
}

static char *
list_sql (const BbQuery  *query,
          ListBound       bound,
          char          **match)
{
  g_autofree char *where = query_where (query, MATCH_IN, bound, match);

  return g_strconcat ("SELECT " RECORD_COLUMNS " FROM records", where,
                      bound_backwards (bound)
                      ? " ORDER BY occurred_at ASC, id ASC LIMIT :limit OFFSET :offset"
                      : " ORDER BY occurred_at DESC, id DESC LIMIT :limit OFFSET :offset",
                      NULL);
}

/* A search walks the index from the newest key down (from the oldest up,
 * backwards), each entry's record found by num; the caller stops stepping
 * once it has its page. CROSS JOIN keeps SQLite from starting at the
 * records instead. */
static char *
search_sql (const BbQuery  *query,
            ListBound       bound,
            char          **match)
{
  g_autofree char *where = query_where (query, MATCH_JOIN, bound, match);

  return g_strconcat ("SELECT " RECORD_COLUMNS ", records_fts.rowid FROM records_fts"
                      " CROSS JOIN records ON records.num = (records_fts.rowid & "
                      BB_SEARCH_NUM_MASK_SQL ")",
                      where,
                      bound_backwards (bound)
                      ? " ORDER BY records_fts.rowid ASC"
                      : " ORDER BY records_fts.rowid DESC", NULL);
}

static char *
count_sql (const BbQuery  *query,
           char          **match)
{
  g_autofree char *where = query_where (query, MATCH_IN, FROM_START, match);

  return g_strconcat ("SELECT count(*) FROM records", where, NULL);
}

/* At most :limit matching rows, counted. A search walks the search index
 * as a page does (in key order, each record found by num) and stops at the
 * limit, where "num IN (every match)" would list every match first. */
static char *
count_up_to_sql (const BbQuery  *query,
                 char          **match)
{
  g_autofree char *where = NULL;

  if (query != NULL && query->search != NULL &&
      (where = query_where (query, MATCH_JOIN, FROM_START, match)) != NULL && *match != NULL)
    return g_strconcat ("SELECT count(*) FROM (SELECT 1 FROM records_fts"
                        " CROSS JOIN records ON records.num = (records_fts.rowid & "
                        BB_SEARCH_NUM_MASK_SQL ")",
                        where, " LIMIT :limit)", NULL);

  g_clear_pointer (&where, g_free);
  g_clear_pointer (match, g_free);
  where = query_where (query, MATCH_IN, FROM_START, match);
  return g_strconcat ("SELECT count(*) FROM (SELECT 1 FROM records", where, " LIMIT :limit)", NULL);
}

static void
bind_query (sqlite3_stmt  *stmt,
            const BbQuery *query,
            const char    *match)
{
  if (query == NULL)
    return;

  bb_store_bind_named_text (stmt, ":kind", query->kind);
  bb_store_bind_named_text (stmt, ":ward", query->ward);
  bb_store_bind_named_text (stmt, ":author_id", query->author_id);
  bb_store_bind_named_text (stmt, ":review_state", query->review_state);
  bb_store_bind_named_text (stmt, ":from", query->from);
  bb_store_bind_named_text (stmt, ":to", query->to);
  bb_store_bind_named_text (stmt, ":sync_state", query->sync_state);
  bb_store_bind_named_text (stmt, ":match", match);
  if (query->priority > 0)
    sqlite3_bind_int (stmt, sqlite3_bind_parameter_index (stmt, ":priority"),
                      query->priority);
}

static void
bind_bound (sqlite3_stmt *stmt,
            ListBound     bound,
            BbRecord     *record)
{
  if (bound == AFTER)
    {
      bb_store_bind_named_text (stmt, ":after_at", bb_record_get_occurred_at (record));
      bb_store_bind_named_text (stmt, ":after_id", bb_record_get_id (record));
    }
  else if (bound == BEFORE)
    {
      bb_store_bind_named_text (stmt, ":before_at", bb_record_get_occurred_at (record));
      bb_store_bind_named_text (stmt, ":before_id", bb_record_get_id (record));
    }
}

/* The list's order: newest first, then id, as SQLite compares text. */
static int
compare_list_order (gconstpointer a,
                    gconstpointer b)
{
  BbRecord *x = *(BbRecord * const *) a;
  BbRecord *y = *(BbRecord * const *) b;
  int by_time = strcmp (bb_record_get_occurred_at (y), bb_record_get_occurred_at (x));

  return by_time != 0 ? by_time : strcmp (bb_record_get_id (y), bb_record_get_id (x));
}

/* The list's order turned round: oldest first. */
static int
compare_list_order_backwards (gconstpointer a,
                              gconstpointer b)
{
  return compare_list_order (b, a);
}

/* Appends to @records the records of a search @offset to @offset + @limit
 * from @bound (@from: the one it starts after or before). The index comes
 * in key order, which is the list's order between time buckets but not
 * within one: rows are read until there are enough and the bucket of the
 * last one is complete, then sorted. Backwards, the rows are the oldest
 * first (nearest @from first). Lock held. */
static gboolean
list_search_locked (BbStore        *self,
                    const BbQuery  *query,
                    ListBound       bound,
                    BbRecord       *from,
                    guint           offset,
                    guint           limit,
                    GPtrArray      *records,
                    GError        **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(BbCachedStmt) stmt = NULL;
  g_autofree char *match = NULL;
  g_autofree char *sql = search_sql (query, bound, &match);
  guint64 want = (guint64) offset + limit;
  gint64 last_bucket = -1;
  int rc;

  if (!bb_store_flush_search_pending_locked (self, NULL, error))
    return FALSE;
  stmt = bb_store_get_stmt (self, sql, error);
  if (stmt == NULL)
    return FALSE;

  bind_query (stmt, query, match);
  bind_bound (stmt, bound, from);
  if (bound_backwards (bound))
    /* From the first key of @from's bucket up. */
    sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":key_from"),
                        bound == BEFORE
                        ? bb_store_search_bucket (bb_record_get_occurred_at (from)) << BB_SEARCH_NUM_BITS
                        : G_MININT64);
  else
    sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":key_below"),
                        bound == AFTER
                        ? (bb_store_search_bucket (bb_record_get_occurred_at (from)) + 1) << BB_SEARCH_NUM_BITS
                        : G_MAXINT64);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 bucket = sqlite3_column_int64 (stmt, 19) >> BB_SEARCH_NUM_BITS;
      BbRecord *record;

      if (limit != G_MAXUINT && found->len >= want && bucket != last_bucket)
        break;

      record = bb_store_row_to_record (self, stmt, error);
      if (record == NULL)
        return FALSE;
      g_ptr_array_add (found, record);
      last_bucket = bucket;
    }

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      bb_store_set_db_error (self, error, _("Could not search the records"));
      return FALSE;
    }

  g_ptr_array_sort (found, bound_backwards (bound) ? compare_list_order_backwards : compare_list_order);
  for (guint i = offset; i < found->len && i < want; i++)
    g_ptr_array_add (records, g_object_ref (g_ptr_array_index (found, i)));

  return TRUE;
}

static void
reverse_records (GPtrArray *records)
{
  for (guint i = 0, j = records->len; j-- > i + 1; i++)
    {
      gpointer swap = records->pdata[i];

      records->pdata[i] = records->pdata[j];
      records->pdata[j] = swap;
    }
}

/* The list's records, by offset from @bound (@from: the one it starts
 * after or before), in the list's order. Lock held. */
static GPtrArray *
list_records_locked (BbStore        *self,
                     const BbQuery  *query,
                     ListBound       bound,
                     BbRecord       *from,
                     guint           offset,
                     guint           limit,
                     GError        **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(BbCachedStmt) stmt = NULL;
  g_autofree char *match = NULL;
  g_autofree char *sql = NULL;

  if (limit == 0)
    return g_steal_pointer (&records);

  if (query != NULL && (match = bb_store_search_to_match (query->search)) != NULL)
    {
      if (!list_search_locked (self, query, bound, from, offset, limit, records, error))
        return NULL;
      if (bound_backwards (bound))
        reverse_records (records);
      return g_steal_pointer (&records);
    }

  sql = list_sql (query, bound, &match);
  stmt = bb_store_get_stmt (self, sql, error);
  if (stmt == NULL)
    return NULL;

  bind_query (stmt, query, NULL);
  bind_bound (stmt, bound, from);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":limit"),
                      limit == G_MAXUINT ? -1 : (gint64) limit);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":offset"), offset);

  if (!bb_store_append_record_rows (self, stmt, records, _("Could not list the records"), error))
    return NULL;

  if (bound_backwards (bound))
    reverse_records (records);
  return g_steal_pointer (&records);
}

GPtrArray *
bb_store_list_records (BbStore       *self,
                       const BbQuery *query,
                       guint          offset,
                       guint          limit,
                       GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  return list_records_locked (self, query, FROM_START, NULL, offset, limit, error);
}

GPtrArray *
bb_store_list_records_after (BbStore       *self,
                             const BbQuery *query,
                             BbRecord      *after,
                             guint          limit,
                             GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (after == NULL || BB_IS_RECORD (after), NULL);
  g_return_val_if_fail (after == NULL ||
                        (bb_record_get_occurred_at (after) != NULL &&
                         bb_record_get_id (after) != NULL), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  return list_records_locked (self, query, after != NULL ? AFTER : FROM_START, after, 0, limit, error);
}

GPtrArray *
bb_store_list_records_before (BbStore       *self,
                              const BbQuery *query,
                              BbRecord      *before,
                              guint          limit,
                              GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (before == NULL || BB_IS_RECORD (before), NULL);
  g_return_val_if_fail (before == NULL ||
                        (bb_record_get_occurred_at (before) != NULL &&
                         bb_record_get_id (before) != NULL), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  return list_records_locked (self, query, before != NULL ? BEFORE : FROM_END, before, 0, limit, error);
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
  g_autofree char *sql = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (n_records != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  sql = count_sql (query, &match);

  locker = g_mutex_locker_new (&self->lock);
  if (match != NULL && !bb_store_flush_search_pending_locked (self, NULL, error))
    return FALSE;
  stmt = bb_store_get_stmt (self, sql, error);
  if (stmt == NULL)
    return FALSE;

  bind_query (stmt, query, match);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      bb_store_set_db_error (self, error, _("Could not count the records"));
      return FALSE;
    }

  *n_records = (guint) sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static int
count_cancelled (void *data)
{
  return g_cancellable_is_cancelled (data);
}

/* The counting connection, opened on first use. count_lock held. */
static sqlite3 *
count_db_locked (BbStore  *self,
                 GError  **error)
{
  sqlite3 *db = NULL;
  int rc;

  if (self->count_db != NULL)
    return self->count_db;

  rc = sqlite3_open_v2 (self->path, &db, SQLITE_OPEN_READONLY, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                   _("Could not count the records in “%s”: %s"), self->path,
                   db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, 5000);
  self->count_db = db;
  return db;
}

gboolean
bb_store_count_records_up_to (BbStore       *self,
                              const BbQuery *query,
                              guint          limit,
                              guint         *n_records,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GCancellable) never = NULL;
  g_autofree char *match = NULL;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (n_records != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *n_records = 0;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  sql = count_up_to_sql (query, &match);

  /* Text waiting to be indexed is written on the main connection first,
   * as a search page does, so the count sees every record. */
  if (match != NULL)
    {
      g_autoptr(GMutexLocker) main_locker = g_mutex_locker_new (&self->lock);

      if (!bb_store_flush_search_pending_locked (self, NULL, error))
        return FALSE;
    }

  locker = g_mutex_locker_new (&self->count_lock);
  db = count_db_locked (self, error);
  if (db == NULL)
    return FALSE;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                   _("Could not count the records in “%s”: %s"), self->path, sqlite3_errmsg (db));
      sqlite3_finalize (stmt);
      return FALSE;
    }

  bind_query (stmt, query, match);
  if (match != NULL)
    sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":key_below"), G_MAXINT64);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":limit"), limit);

  if (cancellable == NULL)
    cancellable = never = g_cancellable_new ();
  sqlite3_progress_handler (db, 1000, count_cancelled, cancellable);
  rc = sqlite3_step (stmt);
  sqlite3_progress_handler (db, 0, NULL, NULL);

  if (rc == SQLITE_ROW)
    *n_records = (guint) sqlite3_column_int64 (stmt, 0);
  else if ((rc & 0xff) == SQLITE_INTERRUPT || g_cancellable_is_cancelled (cancellable))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The count was cancelled"));
  else
    g_set_error (error, BB_STORE_ERROR,
                 (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB ? BB_STORE_ERROR_CORRUPT : BB_STORE_ERROR_FAILED,
                 _("Could not count the records in “%s”: %s"), self->path, sqlite3_errmsg (db));
  sqlite3_finalize (stmt);

  return rc == SQLITE_ROW;
}

/* Counted here: a GROUP BY over the subquery reads the same rows. */
#define RECENT_KINDS_SQL \
  "SELECT kind FROM records WHERE deleted = 0" \
  " ORDER BY occurred_at DESC, id DESC LIMIT ?1"

GHashTable *
bb_store_count_recent_kinds (BbStore  *self,
                             guint     n_newest,
                             GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GHashTable) counts = NULL;
  g_autoptr(BbCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  locker = g_mutex_locker_new (&self->lock);
  stmt = bb_store_get_stmt (self, RECENT_KINDS_SQL, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, n_newest);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *kind = bb_store_column_text (stmt, 0);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, kind));

      g_hash_table_replace (counts, g_strdup (kind), GUINT_TO_POINTER (n + 1));
    }
  if (rc != SQLITE_DONE)
    {
      bb_store_set_db_error (self, error, _("Could not count the records"));
      return NULL;
    }

  return g_steal_pointer (&counts);
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
  now = bb_store_now_iso ();

  /* touched orders drafts saved within the same second. */
  stmt = bb_store_get_stmt (self,
                            "INSERT INTO drafts (id, kind, record_id, json, updated_at, touched)"
                            " VALUES (?1, ?2, ?3, ?4, ?5,"
                            " (SELECT COALESCE (MAX (touched), 0) + 1 FROM drafts))"
                            " ON CONFLICT (id) DO UPDATE SET kind = excluded.kind,"
                            " record_id = excluded.record_id, json = excluded.json,"
                            " updated_at = excluded.updated_at, touched = excluded.touched",
                            error);
  if (stmt == NULL)
    return FALSE;

  bb_store_bind_text (stmt, 1, draft_id);
  bb_store_bind_text (stmt, 2, kind);
  bb_store_bind_text (stmt, 3, record_id);
  bb_store_bind_text (stmt, 4, json);
  bb_store_bind_text (stmt, 5, now);
  return bb_store_step_done (self, stmt, _("Could not save the draft"), error);
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
  stmt = bb_store_get_stmt (self,
                            "SELECT id, kind, record_id, json, updated_at FROM drafts"
                            " ORDER BY touched DESC",
                            error);
  if (stmt == NULL)
    return NULL;

  if (!bb_store_collect_rows (self, stmt, drafts, row_to_draft, _("Could not read the drafts"), error))
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
  return bb_store_run_with_id (self, "DELETE FROM drafts WHERE id = ?1", draft_id,
                               _("Could not delete the draft"), error);
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
  stmt = bb_store_get_stmt (self,
                            "SELECT author_id, MAX (author_name) FROM records"
                            " WHERE deleted = 0 AND author_id IS NOT NULL"
                            " GROUP BY author_id ORDER BY 2 COLLATE NOCASE, 1",
                            error);
  if (stmt == NULL)
    return NULL;

  authors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  if (!bb_store_collect_rows (self, stmt, authors, row_to_author, _("Could not read the authors"), error))
    return NULL;

  return g_steal_pointer (&authors);
}

/* Hot queries, for the plan test */

void
bb_store_hot_query_free (BbStoreHotQuery *query)
{
  g_free (query->sql);
  g_free (query);
}

static BbStoreHotQuery *
add_hot (GPtrArray  *queries,
         const char *name,
         char       *sql)
{
  BbStoreHotQuery *query = g_new0 (BbStoreHotQuery, 1);

  query->name = name;
  query->sql = sql;
  g_ptr_array_add (queries, query);
  return query;
}

GPtrArray *
bb_store_hot_queries (void)
{
  GPtrArray *queries = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_store_hot_query_free);
  const BbQuery by_kind = { .kind = "patrol_observation" };
  const BbQuery by_ward = { .ward = "town" };
  const BbQuery conflicts = { .sync_state = "conflict" };
  const BbQuery pending = { .sync_state = "pending" };
  const BbQuery search = { .search = "gat" };
  const BbQuery search_ward = { .search = "gat", .ward = "town" };
  g_autofree char *match = NULL;

  add_hot (queries, "list page", list_sql (NULL, FROM_START, &match));
  add_hot (queries, "list page of a kind", list_sql (&by_kind, FROM_START, &match));
  add_hot (queries, "list page of a ward", list_sql (&by_ward, FROM_START, &match));
  add_hot (queries, "list page after a record (keyset)", list_sql (NULL, AFTER, &match));
  add_hot (queries, "list page of a kind after a record", list_sql (&by_kind, AFTER, &match));
  add_hot (queries, "list page from the end (the End key)", list_sql (NULL, FROM_END, &match));
  add_hot (queries, "list page of a ward from the end", list_sql (&by_ward, FROM_END, &match));
  add_hot (queries, "list page before a record (keyset, upwards)", list_sql (NULL, BEFORE, &match));
  add_hot (queries, "list page of a kind before a record", list_sql (&by_kind, BEFORE, &match));
  g_clear_pointer (&match, g_free);
  add_hot (queries, "search page", search_sql (&search, FROM_START, &match));
  g_clear_pointer (&match, g_free);
  add_hot (queries, "search page after a record", search_sql (&search_ward, AFTER, &match));
  g_clear_pointer (&match, g_free);
  add_hot (queries, "search page from the end", search_sql (&search, FROM_END, &match));
  g_clear_pointer (&match, g_free);
  add_hot (queries, "search page before a record", search_sql (&search_ward, BEFORE, &match));
  g_clear_pointer (&match, g_free);
  add_hot (queries, "count of a kind", count_sql (&by_kind, &match));
  add_hot (queries, "count of conflicts (every sync)", count_sql (&conflicts, &match));
  add_hot (queries, "count of pending records", count_sql (&pending, &match));
  g_clear_pointer (&match, g_free);
  add_hot (queries, "capped count (the Review view)", count_up_to_sql (NULL, &match));
  g_clear_pointer (&match, g_free);
  add_hot (queries, "capped count of a ward (the Review view)", count_up_to_sql (&by_ward, &match));
  g_clear_pointer (&match, g_free);
  add_hot (queries, "capped count of a search (the Review view)", count_up_to_sql (&search_ward, &match));
  g_clear_pointer (&match, g_free);
  add_hot (queries, "kinds of the newest records (the New menu)", g_strdup (RECENT_KINDS_SQL));
  add_hot (queries, "outbox page (every push batch)", g_strdup (OUTBOX_PAGE_SQL));
  add_hot (queries, "outbox count (the app's start)", g_strdup (OUTBOX_COUNT_SQL))->whole_table = TRUE;

  return queries;
}
