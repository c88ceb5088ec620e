/* bb-store-evidence.c: which evidence files this device holds, and for whom
 *
 * The bytes are files beside the database (bb-evidence.c); the blobs table
 * says whether the server has each. A file is kept while any live record,
 * conflict copy or draft lists it: a count worked out from those lists when
 * collecting, rather than a counter kept beside them, so it cannot drift
 * from what the records say after a crash or a wipe.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-store"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "bb-i18n.h"
#include "bb-store-private.h"
#include "bb-time.h"

static const char * const state_ids[] = {
  [BB_BLOB_STATE_ABSENT] = NULL,
  [BB_BLOB_STATE_WAITING] = "waiting",
  [BB_BLOB_STATE_UPLOADED] = "uploaded",
  [BB_BLOB_STATE_CACHED] = "cached",
};

char *
bb_store_dup_evidence_dir (BbStore *self)
{
  g_return_val_if_fail (BB_IS_STORE (self), NULL);

  return bb_evidence_dir_for_store (self->path);
}

static gboolean
insert_blob (BbStore             *self,
             const BbAttachment  *attachment,
             BbBlobState          state,
             GError             **error)
{
  g_autoptr(BbCachedStmt) stmt = NULL;
  g_autofree char *now = bb_store_now_iso ();

  stmt = bb_store_get_stmt (self,
                            "INSERT INTO blobs (sha256, media_type, size, state, added_at)"
                            " VALUES (?1, ?2, ?3, ?4, ?5)"
                            /* Attached again: it waits (again) unless the
                             * server is known to hold it. */
                            " ON CONFLICT (sha256) DO UPDATE SET added_at = ?5,"
                            "  state = CASE WHEN state = 'uploaded' THEN state"
                            "               WHEN ?4 = 'cached' THEN state ELSE ?4 END",
                            error);
  if (stmt == NULL)
    return FALSE;
  bb_store_bind_text (stmt, 1, attachment->sha256);
  bb_store_bind_text (stmt, 2, attachment->media_type);
  sqlite3_bind_int64 (stmt, 3, attachment->size);
  bb_store_bind_text (stmt, 4, state_ids[state]);
  bb_store_bind_text (stmt, 5, now);
  return bb_store_step_done (self, stmt, _("Could not remember the attached file"), error);
}

/* bb_store_import_evidence(), and @offer (nullable) receives what the
 * photo's EXIF says, read from the bytes the import had in memory. */
static BbAttachment *
import_evidence (BbStore                 *self,
                 BbProfile               *profile,
                 guint                    n_attached,
                 GFile                   *file,
                 const char              *name,
                 GBytes                  *bytes,
                 GCancellable            *cancellable,
                 BbEvidenceProgressFunc   progress_func,
                 gpointer                 progress_data,
                 BbExifOffer             *offer,
                 GError                 **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BbAttachment) attachment = NULL;
  g_autofree char *dir = NULL;

  dir = bb_store_dup_evidence_dir (self);
  if (file != NULL)
    attachment = bb_evidence_import_file (dir, profile, n_attached, file, cancellable,
                                          progress_func, progress_data, offer, error);
  else
    attachment = bb_evidence_import_bytes (dir, profile, n_attached, name, bytes, cancellable,
                                           progress_func, progress_data, offer, error);
  if (attachment == NULL)
    return NULL;

  locker = g_mutex_locker_new (&self->lock);
  if (!insert_blob (self, attachment, BB_BLOB_STATE_WAITING, error))
    return NULL;

  return g_steal_pointer (&attachment);
}

BbAttachment *
bb_store_import_evidence (BbStore                 *self,
                          BbProfile               *profile,
                          guint                    n_attached,
                          GFile                   *file,
                          const char              *name,
                          GBytes                  *bytes,
                          GCancellable            *cancellable,
                          BbEvidenceProgressFunc   progress_func,
                          gpointer                 progress_data,
                          GError                 **error)
{
  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (file != NULL || (name != NULL && bytes != NULL), NULL);

  return import_evidence (self, profile, n_attached, file, name, bytes, cancellable,
                          progress_func, progress_data, NULL, error);
}

typedef struct
{
  BbProfile              *profile;
  guint                   n_attached;
  GFile                  *file;
  char                   *name;
  GBytes                 *bytes;
  BbEvidenceProgressFunc  progress_func;
  gpointer                progress_data;
  BbExifOffer             offer;
} ImportJob;

static void
import_job_free (ImportJob *job)
{
  g_clear_object (&job->profile);
  g_clear_object (&job->file);
  g_free (job->name);
  g_clear_pointer (&job->bytes, g_bytes_unref);
  bb_exif_offer_clear (&job->offer);
  g_free (job);
}

static void
import_in_thread (GTask        *task,
                  gpointer      source,
                  gpointer      data,
                  GCancellable *cancellable)
{
  BbStore *self = source;
  ImportJob *job = data;
  GError *error = NULL;
  BbAttachment *attachment;

  attachment = import_evidence (self, job->profile, job->n_attached, job->file, job->name,
                                job->bytes, cancellable, job->progress_func,
                                job->progress_data, &job->offer, &error);
  if (attachment == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, attachment, (GDestroyNotify) bb_attachment_free);
}

void
bb_store_import_evidence_async (BbStore                 *self,
                                BbProfile               *profile,
                                guint                    n_attached,
                                GFile                   *file,
                                const char              *name,
                                GBytes                  *bytes,
                                BbEvidenceProgressFunc   progress_func,
                                gpointer                 progress_data,
                                GCancellable            *cancellable,
                                GAsyncReadyCallback      callback,
                                gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  ImportJob *job;

  g_return_if_fail (BB_IS_STORE (self));
  g_return_if_fail (file != NULL || (name != NULL && bytes != NULL));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  job = g_new0 (ImportJob, 1);
  job->profile = profile != NULL ? g_object_ref (profile) : NULL;
  job->n_attached = n_attached;
  job->file = file != NULL ? g_object_ref (file) : NULL;
  job->name = g_strdup (name);
  job->bytes = bytes != NULL ? g_bytes_ref (bytes) : NULL;
  job->progress_func = progress_func;
  job->progress_data = progress_data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bb_store_import_evidence_async);
  g_task_set_name (task, "[beatbook] import evidence");
  g_task_set_task_data (task, job, (GDestroyNotify) import_job_free);
  g_task_run_in_thread (task, import_in_thread);
}

BbAttachment *
bb_store_import_evidence_finish (BbStore       *self,
                                 GAsyncResult  *result,
                                 BbExifOffer   *offer,
                                 GError       **error)
{
  BbAttachment *attachment;

  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bb_store_import_evidence_async, NULL);

  attachment = g_task_propagate_pointer (G_TASK (result), error);
  if (attachment != NULL && offer != NULL)
    {
      ImportJob *job = g_task_get_task_data (G_TASK (result));

      bb_exif_offer_clear (offer);
      *offer = job->offer;
      memset (&job->offer, 0, sizeof job->offer);
    }
  return attachment;
}

BbBlobState
bb_store_get_blob_state (BbStore    *self,
                         const char *sha256)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BbCachedStmt) stmt = NULL;
  g_autofree char *dir = NULL;
  BbBlobState state = BB_BLOB_STATE_ABSENT;

  g_return_val_if_fail (BB_IS_STORE (self), BB_BLOB_STATE_ABSENT);

  locker = g_mutex_locker_new (&self->lock);
  stmt = bb_store_get_stmt (self, "SELECT state FROM blobs WHERE sha256 = ?", NULL);
  if (stmt == NULL)
    return BB_BLOB_STATE_ABSENT;
  bb_store_bind_text (stmt, 1, sha256);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *id = bb_store_column_text (stmt, 0);

      for (guint i = 1; i < G_N_ELEMENTS (state_ids); i++)
        if (g_strcmp0 (state_ids[i], id) == 0)
          state = (BbBlobState) i;
    }

  /* The row says so, but the file must be there too. */
  dir = bb_store_dup_evidence_dir (self);
  if (state != BB_BLOB_STATE_ABSENT && !bb_evidence_has (dir, sha256))
    state = BB_BLOB_STATE_ABSENT;
  return state;
}

gboolean
bb_store_mark_blob_uploaded (BbStore     *self,
                             const char  *sha256,
                             GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  return bb_store_run_with_id (self, "UPDATE blobs SET state = 'uploaded' WHERE sha256 = ?",
                               sha256, _("Could not mark the file uploaded"), error);
}

gboolean
bb_store_cache_blob (BbStore             *self,
                     const BbAttachment  *attachment,
                     GBytes              *bytes,
                     GError             **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (attachment != NULL, FALSE);

  dir = bb_store_dup_evidence_dir (self);
  if (!bb_evidence_store_fetched (dir, attachment->sha256, bytes, error))
    return FALSE;

  locker = g_mutex_locker_new (&self->lock);
  return insert_blob (self, attachment, BB_BLOB_STATE_CACHED, error);
}

/* Whether a live record (or a conflict copy, or a draft) lists b.sha256. */
#define LISTED_BY_RECORD \
  "EXISTS (SELECT 1 FROM records r, json_each (r.fields, '$.attachments') a" \
  "  WHERE r.deleted = 0 AND json_extract (a.value, '$.sha256') = b.sha256)"
#define LISTED_BY_SYNCED_RECORD \
  "EXISTS (SELECT 1 FROM records r, json_each (r.fields, '$.attachments') a" \
  "  WHERE r.deleted = 0 AND r.sync_state = 'synced'" \
  "  AND json_extract (a.value, '$.sha256') = b.sha256)"
#define LISTED_BY_CONFLICT \
  "EXISTS (SELECT 1 FROM conflicts c, json_each (c.fields, '$.attachments') a" \
  "  WHERE json_extract (a.value, '$.sha256') = b.sha256)"
/* A draft is the editor's state, opaque to the store: the hash is 64 hex
 * digits, so finding it in the text is finding it listed. */
#define LISTED_BY_DRAFT \
  "EXISTS (SELECT 1 FROM drafts d WHERE instr (d.json, b.sha256) > 0)"

GPtrArray *
bb_store_list_blobs_to_upload (BbStore  *self,
                               GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BbCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) hashes = g_ptr_array_new_with_free_func (g_free);
  int rc;

  g_return_val_if_fail (BB_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = bb_store_get_stmt (self,
                            "SELECT b.sha256 FROM blobs b WHERE b.state = 'waiting'"
                            " AND " LISTED_BY_SYNCED_RECORD
                            " ORDER BY b.added_at, b.sha256", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (hashes, g_strdup (bb_store_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      bb_store_set_db_error (self, error, _("Could not list the files to upload"));
      return NULL;
    }

  return g_steal_pointer (&hashes);
}

guint
bb_store_count_waiting_blobs (BbStore *self)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gint64 n = 0;

  g_return_val_if_fail (BB_IS_STORE (self), 0);

  locker = g_mutex_locker_new (&self->lock);
  if (!bb_store_query_int (self,
                           "SELECT count(*) FROM blobs b WHERE b.state = 'waiting'"
                           " AND " LISTED_BY_RECORD, &n, NULL))
    return 0;
  return (guint) n;
}

guint
bb_store_count_record_waiting_blobs (BbStore  *self,
                                     BbRecord *record)
{
  g_autoptr(GPtrArray) attachments = NULL;
  guint n = 0;

  g_return_val_if_fail (BB_IS_STORE (self), 0);
  g_return_val_if_fail (BB_IS_RECORD (record), 0);

  attachments = bb_attachments_from_fields (bb_record_get_fields (record));
  for (guint i = 0; i < attachments->len; i++)
    {
      BbAttachment *attachment = attachments->pdata[i];

      if (bb_store_get_blob_state (self, attachment->sha256) == BB_BLOB_STATE_WAITING)
        n++;
    }
  return n;
}

gboolean
bb_store_collect_evidence (BbStore  *self,
                           gint64    min_age_seconds,
                           guint    *n_removed,
                           GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) hashes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) cutoff_dt = g_date_time_add_seconds (now, (gdouble) -min_age_seconds);
  g_autofree char *cutoff = bb_time_format_iso (cutoff_dt);
  g_autofree char *dir = NULL;
  g_autoptr(BbCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);

  if (n_removed != NULL)
    *n_removed = 0;
  dir = bb_store_dup_evidence_dir (self);

  locker = g_mutex_locker_new (&self->lock);
  stmt = bb_store_get_stmt (self,
                            "SELECT b.sha256 FROM blobs b WHERE b.added_at <= ?"
                            " AND NOT " LISTED_BY_RECORD
                            " AND NOT " LISTED_BY_CONFLICT
                            " AND NOT " LISTED_BY_DRAFT, error);
  if (stmt == NULL)
    return FALSE;
  bb_store_bind_text (stmt, 1, cutoff);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (hashes, g_strdup (bb_store_column_text (stmt, 0)));
  g_clear_pointer (&stmt, bb_cached_stmt_release);
  if (rc != SQLITE_DONE)
    {
      bb_store_set_db_error (self, error, _("Could not list the files no record lists"));
      return FALSE;
    }

  for (guint i = 0; i < hashes->len; i++)
    {
      /* The row goes first: a crash in between leaves a file with no row,
       * which nothing shows, rather than a row with no file. */
      if (!bb_store_run_with_id (self, "DELETE FROM blobs WHERE sha256 = ?", hashes->pdata[i],
                                 _("Could not forget a file"), error) ||
          !bb_evidence_remove (dir, hashes->pdata[i], error))
        return FALSE;
      if (n_removed != NULL)
        (*n_removed)++;
    }

  return TRUE;
}

gboolean
bb_store_remove_evidence_files (BbStore  *self,
                                GError  **error)
{
  g_autofree char *dir = bb_store_dup_evidence_dir (self);
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved = errno;

          g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                       _("Could not remove “%s”: %s"), path, g_strerror (saved));
          return FALSE;
        }
    }
  return TRUE;
}
