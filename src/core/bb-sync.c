/* bb-sync.c: one sync cycle: push the outbox, queued reviews and export
 * notices, then pull until done
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-sync"

#include "config.h"

#include <string.h>

#include "bb-i18n.h"
#include "bb-record.h"
#include "bb-sync.h"
#include "bb-time.h"

static BbPushStatus
status_from_string (const char *status,
                    gboolean   *known)
{
  *known = TRUE;
  if (g_strcmp0 (status, "applied") == 0)
    return BB_PUSH_APPLIED;
  if (g_strcmp0 (status, "duplicate") == 0)
    return BB_PUSH_DUPLICATE;
  if (g_strcmp0 (status, "conflict") == 0)
    return BB_PUSH_CONFLICT;
  if (g_strcmp0 (status, "rejected") == 0)
    return BB_PUSH_REJECTED;
  *known = FALSE;
  return BB_PUSH_REJECTED;
}

static gboolean
protocol_error (GError     **error,
                const char  *what)
{
  g_set_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_SERVER,
               _("The server’s answer does not follow the sync API: %s."), what);
  return FALSE;
}

/* Requests in flight at once, each on its own connection and thread: the
 * server works on one batch while this device builds the next and stores
 * the answers to the last. Batches hold different records (the outbox has
 * one entry per record), so the order in which the server applies them
 * does not matter; answers are stored in the order the batches were read. */
#define PUSH_IN_FLIGHT 3

/* One push request, sent and answered on its own thread. The records are
 * only read there; the caller stores the answers once the thread ends. */
typedef struct
{
  BbClient     *client;
  const char   *device_id;
  GPtrArray    *batch;       /* (element-type BbOutboxChange) */
  gint64        start;       /* outbox position before the batch */
  GCancellable *cancellable;
  GThread      *thread;
  JsonNode     *answer;
  GError       *error;
} PushJob;

static void
push_job_free (PushJob *job)
{
  if (job->thread != NULL)
    g_thread_join (job->thread);
  g_clear_pointer (&job->batch, g_ptr_array_unref);
  g_clear_pointer (&job->answer, json_node_unref);
  g_clear_error (&job->error);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PushJob, push_job_free)

static gpointer
push_job_run (gpointer data)
{
  PushJob *job = data;
  g_autoptr(JsonNode) device = json_node_init_string (json_node_alloc (),
                                                      job->device_id != NULL ? job->device_id : "");
  g_autofree char *device_text = json_to_string (device, FALSE);
  g_autoptr(GBytes) body = NULL;
  GString *text;
  gsize size = 64;

  /* Written as json-glib would write the tree of the same changes, from
   * each change's text: no tree is built for a batch. */
  for (guint i = 0; i < job->batch->len; i++)
    size += strlen (((BbOutboxChange *) g_ptr_array_index (job->batch, i))->change) + 1;
  text = g_string_sized_new (size);
  g_string_append (text, "{\"device_id\":");
  g_string_append (text, device_text);
  g_string_append (text, ",\"changes\":[");
  for (guint i = 0; i < job->batch->len; i++)
    {
      if (i > 0)
        g_string_append_c (text, ',');
      g_string_append (text, ((BbOutboxChange *) g_ptr_array_index (job->batch, i))->change);
    }
  g_string_append (text, "]}");
  body = g_string_free_to_bytes (text);

  job->answer = bb_client_request_text (job->client, "POST", "/api/v1/sync/push", body, NULL,
                                        job->cancellable, &job->error);
  return NULL;
}

/* Waits for @job's answer and stores it. */
static gboolean
push_job_finish (BbStore       *store,
                 PushJob       *job,
                 BbSyncStats   *stats,
                 GError       **error)
{
  GPtrArray *batch = job->batch;
  g_autoptr(GPtrArray) copies = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autofree BbPushOutcome *outcomes = NULL;
  JsonNode *answer;
  JsonArray *results;

  g_thread_join (g_steal_pointer (&job->thread));
  if (job->answer == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&job->error));
      return FALSE;
    }
  answer = job->answer;

  if (!JSON_NODE_HOLDS_OBJECT (answer) ||
      !json_object_has_member (json_node_get_object (answer), "results") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (answer), "results")))
    return protocol_error (error, "no “results” list");

  results = json_object_get_array_member (json_node_get_object (answer), "results");
  if (json_array_get_length (results) != batch->len)
    return protocol_error (error, "one result per change expected");

  outcomes = g_new0 (BbPushOutcome, batch->len);
  for (guint i = 0; i < batch->len; i++)
    {
      BbOutboxChange *sent = g_ptr_array_index (batch, i);
      JsonNode *node = json_array_get_element (results, i);
      JsonObject *result;
      gboolean known;
      BbPushOutcome *o = &outcomes[i];

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return protocol_error (error, "a result is not an object");
      result = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member_with_default (result, "id", NULL),
                     sent->id) != 0)
        return protocol_error (error, "results are not in the order of the changes");

      o->id = sent->id;
      o->pushed_rev = sent->rev;
      o->status = status_from_string (json_object_get_string_member_with_default (result, "status", NULL),
                                      &known);
      if (!known)
        return protocol_error (error, "unknown result status");

      switch (o->status)
        {
        case BB_PUSH_APPLIED:
        case BB_PUSH_DUPLICATE:
          o->server_rev = json_object_get_int_member_with_default (result, "rev", 0);
          o->seq = json_object_get_int_member_with_default (result, "seq", 0);
          break;

        case BB_PUSH_REJECTED:
          {
            JsonNode *err = json_object_get_member (result, "error");
            char *message = NULL;

            if (err != NULL && JSON_NODE_HOLDS_OBJECT (err))
              {
                JsonObject *e = json_node_get_object (err);
                const char *field = json_object_get_string_member_with_default (e, "field", NULL);
                const char *text = json_object_get_string_member_with_default (e, "message", NULL);

                message = field != NULL && *field != '\0' && text != NULL
                          ? g_strdup_printf ("%s: %s", field, text)
                          : g_strdup (text);
                if (message != NULL)
                  g_ptr_array_add (messages, message);
              }
            o->message = message != NULL ? message : _("The server refused this change.");
          }
          break;

        case BB_PUSH_CONFLICT:
          {
            JsonNode *server = json_object_get_member (result, "server");
            g_autoptr(GError) parse_error = NULL;
            BbRecord *copy;

            if (server == NULL || (copy = bb_record_new_from_json (server, &parse_error)) == NULL)
              return protocol_error (error, "a conflict without the server’s copy");
            bb_record_set_sync_state (copy, BB_SYNC_STATE_SYNCED);
            g_ptr_array_add (copies, copy);
            o->server_copy = copy;
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }

  if (!bb_store_apply_push_outcomes (store, outcomes, batch->len, error))
    return FALSE;

  /* Counted once stored, so the figures never claim an answer that a
   * failure of the store then lost. */
  for (guint i = 0; i < batch->len; i++)
    {
      if (outcomes[i].status == BB_PUSH_APPLIED || outcomes[i].status == BB_PUSH_DUPLICATE)
        stats->pushed++;
      else if (outcomes[i].status == BB_PUSH_REJECTED)
        stats->rejected++;
    }
  return TRUE;
}

static gboolean
push_all (BbStore       *store,
          BbClient      *client,
          const char    *device_id,
          BbSyncStats   *stats,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(GQueue) in_flight = g_queue_new ();
  g_autoptr(GError) first_error = NULL;
  guint batch_size = BB_SYNC_MAX_BATCH;
  gint64 position = G_MININT64;
  gint64 retry_from = G_MININT64;
  gboolean walked = FALSE, smaller = FALSE;

  /* One walk through the outbox in its order, nothing counted: each batch
   * starts after the last one read, so the walk ends. An entry edited while
   * its push was in flight keeps its place and goes at the next sync.
   *
   * Up to PUSH_IN_FLIGHT batches travel at once. The first failure stops
   * the reading; the batches already sent are still waited for and their
   * answers stored (what the server applied is known here as soon as it
   * can be), and the failed batch's entries stay in the outbox, sent again
   * next time (the server answers "duplicate" for any it had applied). */
  for (;;)
    {
      g_autoptr(PushJob) job = NULL;
      g_autoptr(GError) local_error = NULL;

      while (!walked && first_error == NULL && g_queue_get_length (in_flight) < PUSH_IN_FLIGHT)
        {
          g_autoptr(GPtrArray) batch = NULL;
          gint64 last = position;

          batch = bb_store_outbox_changes_after (store, position, batch_size, &last, &first_error);
          if (batch == NULL || batch->len == 0)
            {
              walked = TRUE;
              break;
            }

          job = g_new0 (PushJob, 1);
          job->client = client;
          job->device_id = device_id;
          job->batch = g_steal_pointer (&batch);
          job->start = position;
          job->cancellable = cancellable;
          job->thread = g_thread_new ("bb-push", push_job_run, job);
          g_queue_push_tail (in_flight, g_steal_pointer (&job));
          position = last;
        }

      if (g_queue_is_empty (in_flight))
        {
          if (!smaller || first_error != NULL)
            break;
          /* Entries of later batches that were stored left the outbox;
           * the rest are read again from where the refused batch began. */
          position = retry_from;
          walked = smaller = FALSE;
          continue;
        }

      job = g_queue_pop_head (in_flight);
      if (push_job_finish (store, job, stats, &local_error))
        continue;

      /* No more reading: the failure is dealt with once the batches in
       * flight are answered. */
      walked = TRUE;
      if (smaller || first_error != NULL)
        {
          /* A later batch of the same walk: read again, or reported by
           * the first failure. */
          if (first_error == NULL && !g_error_matches (local_error, BB_CLIENT_ERROR,
                                                       BB_CLIENT_ERROR_TOO_LARGE))
            first_error = g_steal_pointer (&local_error);
        }
      else if (g_error_matches (local_error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_TOO_LARGE) &&
               MIN (batch_size, job->batch->len) > 1)
        {
          /* 413: the same changes in smaller requests. A single change
           * too large for the server is a real problem, reported as such. */
          batch_size = MAX (1, MIN (batch_size, job->batch->len) / 2);
          retry_from = job->start;
          smaller = TRUE;
        }
      else
        first_error = g_steal_pointer (&local_error);
    }

  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  return TRUE;
}

/* The server answered for this item alone: the item is refused, the cycle
 * goes on. Anything else (offline, signed out, a broken server) stops it
 * with the item still queued. */
static gboolean
is_refusal (const GError *error)
{
  return g_error_matches (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_NOT_FOUND) ||
         g_error_matches (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_FORBIDDEN) ||
         g_error_matches (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_BAD_REQUEST) ||
         g_error_matches (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_TOO_LARGE) ||
         g_error_matches (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNSUPPORTED_TYPE);
}

/* Reviews made offline, oldest first, one request each (sync-api.md
 * "Review"), after the outbox so a review of a record saved here finds it
 * on the server. */
static gboolean
push_reviews (BbStore       *store,
              BbClient      *client,
              BbSyncStats   *stats,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GPtrArray) reviews = bb_store_list_queued_reviews (store, FALSE, error);

  if (reviews == NULL)
    return FALSE;

  for (guint i = 0; i < reviews->len; i++)
    {
      BbQueuedReview *review = g_ptr_array_index (reviews, i);
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) body = NULL;
      g_autoptr(JsonNode) answer = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(BbRecord) copy = NULL;
      g_autofree char *escaped = g_uri_escape_string (review->record_id, NULL, FALSE);
      g_autofree char *path = g_strdup_printf ("/api/v1/records/%s/review", escaped);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, review->state);
      if (review->comment != NULL)
        {
          json_builder_set_member_name (builder, "comment");
          json_builder_add_string_value (builder, review->comment);
        }
      json_builder_end_object (builder);
      body = json_builder_get_root (builder);

      answer = bb_client_request (client, "POST", path, body, NULL, cancellable, &local_error);
      if (answer == NULL)
        {
          if (!is_refusal (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          if (!bb_store_mark_review_failed (store, review->id, local_error->message, error))
            return FALSE;
          stats->rejected++;
          continue;
        }

      /* The answer is the record as in pull; without it the next pull
       * brings the same. */
      copy = bb_record_new_from_json (answer, NULL);
      if (copy != NULL)
        bb_record_set_sync_state (copy, BB_SYNC_STATE_SYNCED);
      if (!bb_store_mark_review_sent (store, review->id, copy, error))
        return FALSE;
      stats->pushed++;
    }

  return TRUE;
}

/* Exports of personal data made here, for the server's audit log. */
static gboolean
push_export_notices (BbStore       *store,
                     BbClient      *client,
                     BbSyncStats   *stats,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GPtrArray) notices = bb_store_list_export_notices (store, FALSE, error);

  if (notices == NULL)
    return FALSE;

  for (guint i = 0; i < notices->len; i++)
    {
      BbExportNotice *notice = g_ptr_array_index (notices, i);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonNode) answer = NULL;
      g_autoptr(GError) local_error = NULL;

      if (!json_parser_load_from_data (parser, notice->body, -1, &local_error))
        {
          if (!bb_store_mark_export_notice_failed (store, notice->id, local_error->message, error))
            return FALSE;
          stats->rejected++;
          continue;
        }

      answer = bb_client_request (client, "POST", "/api/v1/audit/exports",
                                  json_parser_get_root (parser), NULL, cancellable, &local_error);
      if (answer == NULL)
        {
          if (!is_refusal (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          if (!bb_store_mark_export_notice_failed (store, notice->id, local_error->message, error))
            return FALSE;
          stats->rejected++;
          continue;
        }

      if (!bb_store_mark_export_notice_sent (store, notice->id, error))
        return FALSE;
    }

  return TRUE;
}

/* Evidence files of records the server holds, after the records (so the
 * server knows who may see each as soon as it has it). */
static gboolean
push_blobs (BbStore       *store,
            BbClient      *client,
            BbSyncStats   *stats,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GPtrArray) hashes = bb_store_list_blobs_to_upload (store, error);
  g_autofree char *dir = NULL;

  if (hashes == NULL)
    return FALSE;

  dir = bb_store_dup_evidence_dir (store);
  for (guint i = 0; i < hashes->len; i++)
    {
      const char *sha256 = hashes->pdata[i];
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) local_error = NULL;

      bytes = bb_evidence_read (dir, sha256, &local_error);
      if (bytes == NULL)
        {
          g_message ("Evidence file %s cannot be uploaded: %s", sha256, local_error->message);
          continue;
        }

      if (!bb_client_upload_blob (client, sha256, bytes, BB_SYNC_BLOB_PART_BYTES, NULL,
                                  cancellable, &local_error))
        {
          if (!is_refusal (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          /* Refused (it cannot be the bytes: the hash is theirs): kept,
           * waiting, and said; the other files go on. */
          g_message ("The server refused evidence file %s: %s", sha256, local_error->message);
          stats->rejected++;
          continue;
        }

      if (!bb_store_mark_blob_uploaded (store, sha256, error))
        return FALSE;
      stats->uploaded++;
    }

  return TRUE;
}

/* One pull page, asked for and read into records on its own thread, so the
 * next page travels while this device stores the last one. */
typedef struct
{
  BbClient     *client;
  gint64        since;
  GCancellable *cancellable;
  GThread      *thread;
  GPtrArray    *records;   /* (element-type BbRecord) */
  gint64        next;
  gboolean      more;
  GError       *error;
} PullJob;

static void
pull_job_free (PullJob *job)
{
  if (job->thread != NULL)
    g_thread_join (job->thread);
  g_clear_pointer (&job->records, g_ptr_array_unref);
  g_clear_error (&job->error);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PullJob, pull_job_free)

static gboolean
pull_job_read (PullJob  *job,
               GError  **error)
{
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) answer = NULL;
  JsonObject *object;
  JsonArray *changes;
  JsonNode *next_node;
  guint n_changes;

  path = g_strdup_printf ("/api/v1/sync/pull?since=%" G_GINT64_FORMAT "&limit=%d",
                          job->since, BB_SYNC_PULL_LIMIT);
  answer = bb_client_request (job->client, "GET", path, NULL, NULL, job->cancellable, error);
  if (answer == NULL)
    return FALSE;

  if (!JSON_NODE_HOLDS_OBJECT (answer))
    return protocol_error (error, "the pull answer is not an object");
  object = json_node_get_object (answer);
  if (!json_object_has_member (object, "changes") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "changes")))
    return protocol_error (error, "no “changes” list");
  next_node = json_object_get_member (object, "next");
  if (next_node == NULL || !JSON_NODE_HOLDS_VALUE (next_node) ||
      json_node_get_value_type (next_node) != G_TYPE_INT64)
    return protocol_error (error, "no “next” cursor");

  changes = json_object_get_array_member (object, "changes");
  n_changes = json_array_get_length (changes);
  job->records = g_ptr_array_new_full (n_changes, g_object_unref);
  for (guint i = 0; i < n_changes; i++)
    {
      g_autoptr(GError) parse_error = NULL;
      BbRecord *record = bb_record_new_from_json (json_array_get_element (changes, i), &parse_error);

      if (record == NULL)
        return protocol_error (error, parse_error->message);
      bb_record_set_sync_state (record, BB_SYNC_STATE_SYNCED);
      g_ptr_array_add (job->records, record);
    }

  job->next = json_node_get_int (next_node);
  job->more = json_object_get_boolean_member_with_default (object, "more", FALSE);

  /* A server whose cursor does not move would keep us here for ever. */
  if (job->more && job->next <= job->since)
    return protocol_error (error, "the cursor did not move");
  return TRUE;
}

static gpointer
pull_job_run (gpointer data)
{
  PullJob *job = data;

  if (!pull_job_read (job, &job->error))
    g_clear_pointer (&job->records, g_ptr_array_unref);
  return NULL;
}

static PullJob *
pull_job_start (BbClient     *client,
                gint64        since,
                GCancellable *cancellable)
{
  PullJob *job = g_new0 (PullJob, 1);

  job->client = client;
  job->since = since;
  job->cancellable = cancellable;
  job->thread = g_thread_new ("bb-pull", pull_job_run, job);
  return job;
}

static gboolean
pull_all (BbStore       *store,
          BbClient      *client,
          BbSyncStats   *stats,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autofree char *cursor = bb_store_get_meta (store, BB_SYNC_META_CURSOR);
  g_autoptr(PullJob) job = NULL;

  job = pull_job_start (client, cursor != NULL ? g_ascii_strtoll (cursor, NULL, 10) : 0,
                        cancellable);

  /* Each page is stored with the cursor after it in one transaction, in
   * order; the next page is already asked for (from that same cursor)
   * while it is stored. A failure anywhere leaves the cursor after the
   * last page stored: nothing missed, nothing seen twice. */
  for (;;)
    {
      g_autoptr(PullJob) next_job = NULL;

      g_thread_join (g_steal_pointer (&job->thread));
      if (job->records == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&job->error));
          return FALSE;
        }

      if (job->more)
        next_job = pull_job_start (client, job->next, cancellable);

      if (!bb_store_apply_pull_page (store, job->records, BB_SYNC_META_CURSOR, job->next, error))
        return FALSE;
      stats->pulled += job->records->len;

      if (next_job == NULL)
        return TRUE;
      g_clear_pointer (&job, pull_job_free);
      job = g_steal_pointer (&next_job);
    }
}

gboolean
bb_sync_run (BbStore       *store,
             BbClient      *client,
             const char    *device_id,
             BbSyncStats   *stats,
             GCancellable  *cancellable,
             GError       **error)
{
  BbSyncStats local_stats = { 0 };
  BbQuery conflicts = { .sync_state = "conflict" };
  g_autofree char *now = NULL;

  g_return_val_if_fail (BB_IS_STORE (store), FALSE);
  g_return_val_if_fail (client != NULL, FALSE);

  if (stats == NULL)
    stats = &local_stats;
  memset (stats, 0, sizeof *stats);

  if (!push_all (store, client, device_id, stats, cancellable, error))
    return FALSE;
  if (!push_blobs (store, client, stats, cancellable, error))
    return FALSE;
  if (!push_reviews (store, client, stats, cancellable, error))
    return FALSE;
  if (!push_export_notices (store, client, stats, cancellable, error))
    return FALSE;
  if (!pull_all (store, client, stats, cancellable, error))
    return FALSE;

  /* The idle moment after a pull: what it wrote goes into the search index
   * in one transaction. The records are safe already; should this fail, the
   * next search indexes them itself. */
  {
    g_autoptr(GError) index_error = NULL;

    if (!bb_store_index_pending (store, NULL, &index_error))
      g_warning ("%s", index_error->message);
  }

  if (!bb_store_count_records (store, &conflicts, &stats->conflicts, error))
    return FALSE;

  now = bb_time_now_iso ();
  return bb_store_set_meta (store, BB_SYNC_META_LAST_SUCCESS, now, error);
}
