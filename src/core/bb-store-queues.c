/* bb-store-queues.c: what was done offline and waits for the next sync
 *
 * Reviews a supervisor made with no connection (with what they replaced, so
 * a refused one can be undone on this copy) and export notices, each held
 * until bb-sync sends it and marked sent or failed by its outcome.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-store"

#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "bb-i18n.h"
#include "bb-store-private.h"

static gpointer
row_to_export_notice (sqlite3_stmt *stmt)
{
  BbExportNotice *notice = g_new0 (BbExportNotice, 1);

  notice->id = sqlite3_column_int64 (stmt, 0);
  notice->body = g_strdup (bb_store_column_text (stmt, 1));
  notice->queued_at = g_strdup (bb_store_column_text (stmt, 2));
  notice->error = g_strdup (bb_store_column_text (stmt, 3));
  return notice;
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
  now = bb_store_now_iso ();

  if (!bb_store_begin (self, error))
    return FALSE;

  read = bb_store_get_stmt (self,
                            "SELECT review_state, review_comments FROM records"
                            " WHERE id = ?1 AND deleted = 0",
                            error);
  if (read == NULL)
    goto fail;
  bb_store_bind_text (read, 1, record_id);
  rc = sqlite3_step (read);
  if (rc == SQLITE_DONE)
    {
      bb_store_set_not_found (error, record_id);
      goto fail;
    }
  if (rc != SQLITE_ROW)
    {
      bb_store_set_db_error (self, error, _("Could not read the record"));
      goto fail;
    }
  previous_state = g_strdup (bb_store_column_text (read, 0));
  previous_comments = g_strdup (bb_store_column_text (read, 1));
  g_clear_pointer (&read, bb_cached_stmt_release);

  thread = bb_store_parse_json (previous_comments);
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
      bb_store_get_stmt (self,
                         "UPDATE records SET review_state = ?2, review_comments = ?3 WHERE id = ?1",
                         error);

    if (update == NULL)
      goto fail;
    bb_store_bind_text (update, 1, record_id);
    bb_store_bind_text (update, 2, state);
    bb_store_bind_text (update, 3, comments_text);
    if (!bb_store_step_done (self, update, _("Could not save the review"), error))
      goto fail;
  }
  {
    g_autoptr(BbCachedStmt) insert =
      bb_store_get_stmt (self,
                         "INSERT INTO review_queue (record_id, state, comment, queued_at,"
                         " previous_state, previous_comments) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         error);

    if (insert == NULL)
      goto fail;
    bb_store_bind_text (insert, 1, record_id);
    bb_store_bind_text (insert, 2, state);
    bb_store_bind_text (insert, 3, text);
    bb_store_bind_text (insert, 4, now);
    bb_store_bind_text (insert, 5, previous_state);
    bb_store_bind_text (insert, 6, previous_comments);
    if (!bb_store_step_done (self, insert, _("Could not queue the review for sync"), error))
      goto fail;
  }

  if (!bb_store_commit (self, error))
    goto fail;
  return TRUE;

fail:
  bb_store_rollback (self);
  return FALSE;
}

static gpointer
row_to_queued_review (sqlite3_stmt *stmt)
{
  BbQueuedReview *review = g_new0 (BbQueuedReview, 1);

  review->id = sqlite3_column_int64 (stmt, 0);
  review->record_id = g_strdup (bb_store_column_text (stmt, 1));
  review->state = g_strdup (bb_store_column_text (stmt, 2));
  review->comment = g_strdup (bb_store_column_text (stmt, 3));
  review->queued_at = g_strdup (bb_store_column_text (stmt, 4));
  review->error = g_strdup (bb_store_column_text (stmt, 5));
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
  stmt = bb_store_get_stmt (self,
                            with_failed
                            ? "SELECT num, record_id, state, comment, queued_at, error"
                              " FROM review_queue ORDER BY num"
                            : "SELECT num, record_id, state, comment, queued_at, error"
                              " FROM review_queue WHERE error IS NULL ORDER BY num",
                            error);
  if (stmt == NULL)
    return NULL;

  reviews = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_queued_review_free);
  if (!bb_store_collect_rows (self, stmt, reviews, row_to_queued_review,
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
  stmt = bb_store_get_stmt (self,
                            "SELECT num, record_id, state, comment, queued_at, error"
                            " FROM review_queue WHERE record_id = ?1 ORDER BY num DESC LIMIT 1",
                            &error);
  if (stmt == NULL)
    {
      g_warning ("%s", error->message);
      return NULL;
    }

  bb_store_bind_text (stmt, 1, record_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return row_to_queued_review (stmt);
  if (rc != SQLITE_DONE)
    {
      bb_store_set_db_error (self, &error, _("Could not read the queued reviews"));
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
  g_autoptr(BbCachedStmt) stmt = bb_store_get_stmt (self, sql, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, num);
  if (sqlite3_bind_parameter_count (stmt) >= 2)
    bb_store_bind_text (stmt, 2, text);
  return bb_store_step_done (self, stmt, doing, error);
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

  if (!bb_store_begin (self, error))
    return FALSE;

  if (!run_with_num (self, "DELETE FROM review_queue WHERE num = ?1", queue_id, NULL,
                     _("Could not update the review queue"), error) ||
      (server_copy != NULL && !bb_store_apply_pulled_record (self, server_copy, error)) ||
      !bb_store_commit (self, error))
    {
      bb_store_rollback (self);
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

  if (!bb_store_begin (self, error))
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
      !bb_store_commit (self, error))
    {
      bb_store_rollback (self);
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

static gboolean
queue_notice (BbStore            *self,
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

  now = bb_store_now_iso ();
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
  stmt = bb_store_get_stmt (self, "INSERT INTO export_notices (body, queued_at) VALUES (?1, ?2)", error);
  if (stmt == NULL)
    return FALSE;
  bb_store_bind_text (stmt, 1, body_text);
  bb_store_bind_text (stmt, 2, now);
  return bb_store_step_done (self, stmt, _("Could not queue the export notice for sync"), error);
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
  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_strcmp0 (what, "csv") != 0 && g_strcmp0 (what, "pdf") != 0 && g_strcmp0 (what, "json") != 0)
    {
      g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                   _("An export is a CSV, a JSON file or a PDF, not “%s”"), what != NULL ? what : "");
      return FALSE;
    }

  return queue_notice (self, what, record_ids, count, period_from, period_to, filter, recipient, error);
}

gboolean
bb_store_queue_lookup_notice (BbStore            *self,
                              const char * const *record_ids,
                              guint               count,
                              const char         *by,
                              GError            **error)
{
  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return queue_notice (self, "lookup", record_ids, count, NULL, NULL, by, NULL, error);
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
  stmt = bb_store_get_stmt (self,
                            with_failed
                            ? "SELECT num, body, queued_at, error FROM export_notices ORDER BY num"
                            : "SELECT num, body, queued_at, error FROM export_notices"
                              " WHERE error IS NULL ORDER BY num",
                            error);
  if (stmt == NULL)
    return NULL;

  notices = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_export_notice_free);
  if (!bb_store_collect_rows (self, stmt, notices, row_to_export_notice,
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
