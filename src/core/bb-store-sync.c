/* bb-store-sync.c: the store's side of sync
 *
 * The outbox, what a push answered (pushed, rejected, in conflict), the
 * server's copy kept beside a record in conflict and its resolution, and
 * the pages a pull brings in. Each change runs in one transaction.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-store"

#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "bb-i18n.h"
#include "bb-store-private.h"

/* Outbox */

/* One page of the outbox (OUTBOX_PAGE_SQL) after position @after, each
 * row made into an item by @row; NULL on a failure. */
static GPtrArray *
outbox_page (BbStore         *self,
             gint64           after,
             guint            limit,
             gint64          *last_position,
             gpointer       (*row) (BbStore *, sqlite3_stmt *, GError **),
             GDestroyNotify   free_item,
             GError         **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (free_item);
  g_autoptr(BbCachedStmt) stmt = NULL;
  gint64 last = after;
  int rc;

  locker = g_mutex_locker_new (&self->lock);
  stmt = bb_store_get_stmt (self, OUTBOX_PAGE_SQL, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, after);
  sqlite3_bind_int64 (stmt, 2, limit == G_MAXUINT ? -1 : (gint64) limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gpointer item = row (self, stmt, error);

      if (item == NULL)
        return NULL;
      g_ptr_array_add (items, item);
      last = sqlite3_column_int64 (stmt, 19);
    }
  if (rc != SQLITE_DONE)
    {
      bb_store_set_db_error (self, error, _("Could not read the outbox"));
      return NULL;
    }

  if (last_position != NULL)
    *last_position = last;
  return g_steal_pointer (&items);
}

static gpointer
row_to_record (BbStore       *self,
               sqlite3_stmt  *stmt,
               GError       **error)
{
  return bb_store_row_to_record (self, stmt, error);
}

GPtrArray *
bb_store_outbox_list_after (BbStore  *self,
                            gint64    after,
                            guint     limit,
                            gint64   *last_position,
                            GError  **error)
{
  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return outbox_page (self, after, limit, last_position, row_to_record, g_object_unref, error);
}

void
bb_outbox_change_free (BbOutboxChange *change)
{
  if (change == NULL)
    return;
  g_free (change->id);
  g_free (change->change);
  g_free (change);
}

/* The change for the row @stmt is on (OUTBOX_PAGE_SQL's columns): a
 * BbOutboxChange. */
static gpointer
row_to_change (BbStore       *self,
               sqlite3_stmt  *stmt,
               GError       **error)
{
  g_autoptr(BbOutboxChange) change = g_new0 (BbOutboxChange, 1);

  change->id = g_strdup (bb_store_column_text (stmt, 0));
  change->rev = sqlite3_column_int64 (stmt, 2);
  change->change = bb_change_text_from_stored (change->id,
                                               bb_store_column_text (stmt, 1),
                                               change->rev,
                                               sqlite3_column_int64 (stmt, 3),
                                               sqlite3_column_int (stmt, 5) != 0,
                                               bb_store_column_text (stmt, 6),
                                               sqlite3_column_int (stmt, 7),
                                               bb_store_column_text (stmt, 8));
  if (change->change == NULL)
    {
      /* Through the record: it reports damaged fields, and strips what is
       * derived. */
      g_autoptr(BbRecord) record = bb_store_row_to_record (self, stmt, error);
      g_autoptr(JsonNode) node = NULL;

      if (record == NULL)
        return NULL;
      node = bb_record_to_change_json (record);
      change->change = json_to_string (node, FALSE);
    }
  else
    self->rows_fetched++;
  return g_steal_pointer (&change);
}

GPtrArray *
bb_store_outbox_changes_after (BbStore  *self,
                               gint64    after,
                               guint     limit,
                               gint64   *last_position,
                               GError  **error)
{
  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return outbox_page (self, after, limit, last_position, row_to_change,
                      (GDestroyNotify) bb_outbox_change_free, error);
}

GPtrArray *
bb_store_outbox_list (BbStore  *self,
                      guint     limit,
                      GError  **error)
{
  return bb_store_outbox_list_after (self, G_MININT64, limit, NULL, error);
}

guint
bb_store_outbox_count (BbStore *self)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GError) error = NULL;
  gint64 count = 0;

  g_return_val_if_fail (BB_IS_STORE (self), 0);

  locker = g_mutex_locker_new (&self->lock);
  if (!bb_store_query_int (self,
                           OUTBOX_COUNT_SQL,
                           &count, &error))
    {
      g_warning ("%s", error->message);
      return 0;
    }

  return (guint) count;
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

  if (!bb_store_read_local_state (self, id, &local, error))
    return FALSE;

  *found = local.found;
  if (!local.found || local.rev < pushed_rev)
    return TRUE;

  if (local.rev == pushed_rev)
    {
      g_autoptr(BbCachedStmt) stmt =
        bb_store_get_stmt (self,
                           "UPDATE records SET rev = ?2, base_rev = ?2, seq = ?3,"
                           " sync_state = 'synced', sync_message = NULL WHERE id = ?1",
                           error);

      if (stmt == NULL)
        return FALSE;
      bb_store_bind_text (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, server_rev);
      sqlite3_bind_int64 (stmt, 3, seq);
      if (!bb_store_step_done (self, stmt, _("Could not record the server’s answer"), error))
        return FALSE;

      return bb_store_run_with_id (self, "DELETE FROM outbox WHERE id = ?1", id,
                                   _("Could not record the server’s answer"), error) &&
             bb_store_run_with_id (self, "DELETE FROM conflicts WHERE id = ?1", id,
                                   _("Could not record the server’s answer"), error);
    }
  else
    {
      /* Edited while the push was in flight: the queued edit now starts
       * from what the server holds. */
      g_autoptr(BbCachedStmt) stmt =
        bb_store_get_stmt (self, "UPDATE records SET base_rev = ?2, seq = ?3 WHERE id = ?1", error);

      if (stmt == NULL)
        return FALSE;
      bb_store_bind_text (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, server_rev);
      sqlite3_bind_int64 (stmt, 3, seq);
      return bb_store_step_done (self, stmt, _("Could not record the server’s answer"), error);
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
    bb_store_get_stmt (self,
                       "UPDATE records SET sync_state = 'rejected', sync_message = ?3"
                       " WHERE id = ?1 AND rev = ?2 AND sync_state != 'conflict'",
                       error);
  g_auto(BbLocalState) local = { 0, };

  if (stmt == NULL || !bb_store_read_local_state (self, id, &local, error))
    return FALSE;

  *found = local.found;
  bb_store_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, rev);
  bb_store_bind_text (stmt, 3, message != NULL ? message : _("The server refused this change"));
  return bb_store_step_done (self, stmt, _("Could not record the server’s answer"), error);
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
  g_autofree char *now = bb_store_now_iso ();
  const char *review_state;

  if (!bb_store_read_local_state (self, id, &local, error))
    return FALSE;

  *found = local.found;
  if (!local.found)
    return TRUE;

  fields_text = bb_store_object_to_string (bb_record_get_fields (server_copy));
  comments_text = bb_store_array_to_string (bb_record_get_review_comments (server_copy));
  review_state = bb_record_get_review_state (server_copy);

  stmt = bb_store_get_stmt (self,
                            "INSERT OR REPLACE INTO conflicts (id, kind, rev, seq, deleted,"
                            " occurred_at, priority, fields, created_at, updated_at,"
                            " author_id, author_name, author_role, review_state,"
                            " review_comments, received_at)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                            " ?13, ?14, ?15, ?16)",
                            error);
  if (stmt == NULL)
    return FALSE;

  bb_store_bind_text (stmt, 1, id);
  bb_store_bind_text (stmt, 2, bb_record_get_kind (server_copy));
  sqlite3_bind_int64 (stmt, 3, bb_record_get_rev (server_copy));
  sqlite3_bind_int64 (stmt, 4, bb_record_get_seq (server_copy));
  sqlite3_bind_int (stmt, 5, bb_record_get_deleted (server_copy) ? 1 : 0);
  bb_store_bind_text (stmt, 6, bb_record_get_occurred_at (server_copy));
  sqlite3_bind_int (stmt, 7, bb_record_get_priority (server_copy));
  bb_store_bind_text (stmt, 8, fields_text);
  bb_store_bind_text (stmt, 9, bb_record_get_created_at (server_copy));
  bb_store_bind_text (stmt, 10, bb_record_get_updated_at (server_copy));
  bb_store_bind_text (stmt, 11, bb_record_get_author_id (server_copy));
  bb_store_bind_text (stmt, 12, bb_record_get_author_name (server_copy));
  bb_store_bind_text (stmt, 13, bb_record_get_author_role (server_copy));
  bb_store_bind_text (stmt, 14, review_state != NULL ? review_state : "new");
  bb_store_bind_text (stmt, 15, comments_text);
  bb_store_bind_text (stmt, 16, now);
  if (!bb_store_step_done (self, stmt, _("Could not keep the server’s copy"), error))
    return FALSE;

  {
    g_autoptr(BbCachedStmt) update =
      bb_store_get_stmt (self,
                         "UPDATE records SET sync_state = 'conflict', sync_message = ?2"
                         " WHERE id = ?1",
                         error);

    if (update == NULL)
      return FALSE;
    bb_store_bind_text (update, 1, id);
    bb_store_bind_text (update, 2, bb_record_get_deleted (server_copy)
                                   ? _("Deleted elsewhere while you changed it here: "
                                       "choose which copy to keep")
                                   : _("Changed elsewhere while you changed it here: "
                                       "choose which copy to keep"));
    return bb_store_step_done (self, update, _("Could not keep the server’s copy"), error);
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

  if (!bb_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < n_outcomes; i++)
    {
      gboolean found = FALSE;

      if (outcomes[i].id == NULL)
        {
          g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                       _("The server’s answer %u names no record"), i + 1);
          bb_store_rollback (self);
          return FALSE;
        }

      if (!apply_outcome_locked (self, &outcomes[i], &found, error))
        {
          bb_store_rollback (self);
          return FALSE;
        }

      if (must_exist && !found)
        {
          bb_store_set_not_found (error, outcomes[i].id);
          bb_store_rollback (self);
          return FALSE;
        }
    }

  return bb_store_commit (self, error);
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
  return bb_store_get_record_locked (self,
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
  now = bb_store_now_iso ();

  if (!bb_store_begin (self, error))
    return FALSE;

  theirs = bb_store_get_record_locked (self,
                                       "SELECT " CONFLICT_COLUMNS " FROM conflicts WHERE id = ?1",
                                       id, error);
  if (theirs == NULL)
    goto fail;

  if (keep_mine)
    {
      g_autoptr(BbCachedStmt) stmt = NULL;
      g_autofree char *comments = bb_store_array_to_string (bb_record_get_review_comments (theirs));
      gint64 rev;

      /* A rev above both copies, based on the server's: the next push
       * supersedes the server's version instead of conflicting again. */
      stmt = bb_store_get_stmt (self,
                                "UPDATE records SET rev = MAX (rev, ?2) + 1, base_rev = ?2,"
                                " seq = ?3, review_state = ?4, review_comments = ?5,"
                                " updated_at = ?6, sync_state = 'pending', sync_message = NULL"
                                " WHERE id = ?1 RETURNING rev",
                                error);
      if (stmt == NULL)
        goto fail;

      bb_store_bind_text (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, bb_record_get_rev (theirs));
      sqlite3_bind_int64 (stmt, 3, bb_record_get_seq (theirs));
      bb_store_bind_text (stmt, 4, bb_record_get_review_state (theirs));
      bb_store_bind_text (stmt, 5, comments);
      bb_store_bind_text (stmt, 6, now);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          bb_store_set_db_error (self, error, _("Could not keep your copy"));
          goto fail;
        }
      rev = sqlite3_column_int64 (stmt, 0);
      if (!bb_store_step_done (self, stmt, _("Could not keep your copy"), error) ||
          !bb_store_enqueue (self, id, rev, now, error))
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

      if (!bb_store_write_record_row (self, theirs, &row, error) ||
          !bb_store_run_with_id (self, "DELETE FROM outbox WHERE id = ?1", id,
                                 _("Could not take the server’s copy"), error))
        goto fail;
    }

  if (!bb_store_run_with_id (self, "DELETE FROM conflicts WHERE id = ?1", id,
                             _("Could not settle the conflict"), error) ||
      !bb_store_commit (self, error))
    goto fail;

  return TRUE;

fail:
  bb_store_rollback (self);
  return FALSE;
}

gboolean
bb_store_apply_pulled_record (BbStore   *self,
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

  if (!bb_store_read_local_state (self, id, &local, error))
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
        /* A page of thousands: their search text goes in after the sync,
         * in one transaction (bb_store_index_pending()). */
        .defer_index = TRUE,
        .was_indexed = local.found,
      };

      if (!bb_store_write_record_row (self, record, &row, error))
        return FALSE;
      /* Only a warning held here before can have been purged (a new row
       * has nothing to purge again): a page of new records skips it. */
      if (local.found && g_strcmp0 (bb_record_get_kind (record), BB_KIND_S59_WARNING) == 0 &&
          !bb_store_repurge_pulled_locked (self, id, error))
        return FALSE;
      return !local.in_conflict ||
             bb_store_run_with_id (self, "DELETE FROM conflicts WHERE id = ?1", id,
                                   _("Could not apply the server’s changes"), error);
    }

  if (server_rev == local.base_rev)
    {
      /* The version this edit started from, reviewed meanwhile. */
      g_autoptr(BbCachedStmt) stmt =
        bb_store_get_stmt (self,
                           "UPDATE records SET review_state = ?2, review_comments = ?3,"
                           " seq = ?4 WHERE id = ?1",
                           error);
      g_autofree char *comments = bb_store_array_to_string (bb_record_get_review_comments (record));
      const char *review_state = bb_record_get_review_state (record);

      if (stmt == NULL)
        return FALSE;
      bb_store_bind_text (stmt, 1, id);
      bb_store_bind_text (stmt, 2, review_state != NULL ? review_state : "new");
      bb_store_bind_text (stmt, 3, comments);
      sqlite3_bind_int64 (stmt, 4, bb_record_get_seq (record));
      return bb_store_step_done (self, stmt, _("Could not apply the server’s changes"), error);
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

  if (!bb_store_begin (self, error))
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

      if (!bb_store_apply_pulled_record (self, record, error))
        goto fail;
    }

  /* The cursor moves in the same transaction: a crash repeats the page,
   * never skips it. */
  next_text = g_strdup_printf ("%" G_GINT64_FORMAT, next);
  if (cursor_key != NULL && !bb_store_set_meta_locked (self, cursor_key, next_text, error))
    goto fail;

  return bb_store_commit (self, error);

fail:
  bb_store_rollback (self);
  return FALSE;
}
