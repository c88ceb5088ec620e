/* bb-store.h: the device's local SQLite store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "bb-evidence.h"
#include "bb-profile.h"
#include "bb-record.h"

G_BEGIN_DECLS

#define BB_STORE_ERROR (bb_store_error_quark ())

typedef enum {
  BB_STORE_ERROR_FAILED,    /* SQLite said no; the message says why */
  BB_STORE_ERROR_NOT_FOUND, /* no record with that id */
  BB_STORE_ERROR_CORRUPT,   /* the file is not a Beatbook database */
  BB_STORE_ERROR_TOO_NEW,   /* written by a newer Beatbook */
} BbStoreError;

/* What a list shows. Every member is optional (NULL / 0 = no filter). */
typedef struct
{
  const char *kind;          /* one kind id */
  const char *search;        /* words typed by a person; matched as prefixes */
  const char *ward;
  const char *author_id;
  const char *review_state;
  const char *from;          /* occurred_at >= from (ISO UTC) */
  const char *to;            /* occurred_at <  to   (ISO UTC) */
  int         priority;      /* 1..4 */
  gboolean    include_deleted;
  const char *sync_state;    /* "pending", "synced", "rejected" or "conflict" */
} BbQuery;

/* A draft: an editor's unsaved state, kept across crashes. */
typedef struct
{
  char *id;
  char *kind;
  char *record_id;   /* the record being edited, NULL for a new one */
  char *json;        /* the editor's state, opaque to the store */
  char *updated_at;
} BbDraft;

void       bb_draft_free              (BbDraft *draft);

#define BB_TYPE_STORE (bb_store_get_type ())
G_DECLARE_FINAL_TYPE (BbStore, bb_store, BB, STORE, GObject)

GQuark     bb_store_error_quark       (void);

/* The schema version this build writes (PRAGMA user_version). */
#define BB_STORE_SCHEMA_VERSION bb_store_schema_version ()
int        bb_store_schema_version    (void);

/* Opens (creating and migrating as needed) the database at @path. */
BbStore   *bb_store_open              (const char  *path,
                                       GError     **error);
const char *bb_store_get_path         (BbStore     *self);

/* Saves a new record (rev 0 in @record) or an edit: in one transaction it
 * writes the record with rev + 1, created_at/updated_at, sync state pending,
 * and puts it in the outbox. @record is updated to what was stored. Returns
 * only after commit. */
gboolean   bb_store_save_record       (BbStore     *self,
                                       BbRecord    *record,
                                       GError     **error);
/* Tombstones the record (deleted, rev + 1, outbox), in one transaction. */
gboolean   bb_store_delete_record     (BbStore     *self,
                                       const char  *id,
                                       GError     **error);
/* A bulk import (beatbook-cli import): one transaction for every record
 * added, each saved as bb_store_save_record() would (rev 1, pending, in the
 * outbox) with its search entry. The store is locked to other threads from
 * begin to commit or free, which must run on the thread that began; free
 * without commit rolls everything back. */
typedef struct _BbStoreImport BbStoreImport;

BbStoreImport *bb_store_import_begin  (BbStore        *self,
                                       GError        **error);
/* @record must be new here (a fresh id); it is updated as saved. */
gboolean   bb_store_import_add        (BbStoreImport  *import,
                                       BbRecord       *record,
                                       GError        **error);
/* Commits and frees @import; the records are durable, and found by a
 * search, when it returns TRUE. */
gboolean   bb_store_import_commit     (BbStoreImport  *import,
                                       GError        **error);
void       bb_store_import_free       (BbStoreImport  *import);

/* bb_store_import_add() in two halves: the row is made from a new @record
 * without the store (on any thread: its columns copied, its fields written
 * out, its search text), then added under the import's lock; @record is
 * not updated. add_row takes @row. */
typedef struct _BbStoreImportRow BbStoreImportRow;

BbStoreImportRow *bb_store_import_row_new  (BbRecord          *record);
void              bb_store_import_row_free (BbStoreImportRow  *row);
gboolean          bb_store_import_add_row  (BbStoreImport     *import,
                                            BbStoreImportRow  *row,
                                            GError           **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbStoreImportRow, bb_store_import_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbStoreImport, bb_store_import_free)

/* Indexes for search every record written in bulk since the last call
 * (pull pages; an import indexes its own), in one transaction. Searches do it first themselves,
 * so no search misses a record; callers run it at an idle moment so the
 * search does not wait. @n_indexed (optional) gets how many. */
gboolean   bb_store_index_pending     (BbStore     *self,
                                       guint       *n_indexed,
                                       GError     **error);

/* Devices hold the minimum: removes the personal fields (driver's name,
 * date of birth, address, postcode; owner's name, address, postcode) of
 * each Section 59 warning that is synced, reviewed or closed, and unchanged
 * for the profile's device_personal_data_days before @now, from this copy
 * and its search index, in one transaction. Nothing is queued for the
 * server, which keeps them; a later pull of such a record is purged again
 * as it is applied. Returns how many records were purged, or -1. */
gint64     bb_store_purge_personal_data (BbStore    *self,
                                         BbProfile  *profile,
                                         GDateTime  *now,
                                         GError    **error);

/* (transfer full): the record, deleted ones included; NULL and
 * BB_STORE_ERROR_NOT_FOUND when there is none. */
BbRecord  *bb_store_get_record        (BbStore     *self,
                                       const char  *id,
                                       GError     **error);
/* (transfer full) (element-type BbRecord): newest first (occurred_at, then id),
 * at most @limit (G_MAXUINT: all) from @offset. @query may be NULL. */
GPtrArray *bb_store_list_records      (BbStore     *self,
                                       const BbQuery *query,
                                       guint        offset,
                                       guint        limit,
                                       GError     **error);
/* Keyset paging: (transfer full) (element-type BbRecord): at most @limit
 * records of @query that come after @after in the list's order (newest
 * first: occurred_at, then id), the first ones when @after is NULL. Each
 * page starts where the last one ended, from an index (or, for a search,
 * from the search index walked newest first): as fast at the end of the
 * list as at its start, and no record is skipped or listed twice when
 * several share a time. */
GPtrArray *bb_store_list_records_after (BbStore       *self,
                                        const BbQuery *query,
                                        BbRecord      *after,
                                        guint          limit,
                                        GError       **error);
/* Keyset paging from the end (the End key): (transfer full) (element-type
 * BbRecord): at most @limit records of @query that come just before
 * @before in the list's order (the newer ones nearest it), or the last
 * @limit of the list (the oldest) when @before is NULL; returned in the
 * list's order, newest first. The mirror of bb_store_list_records_after(),
 * from the same indexes read the other way. */
GPtrArray *bb_store_list_records_before (BbStore       *self,
                                         const BbQuery *query,
                                         BbRecord      *before,
                                         guint          limit,
                                         GError       **error);
/* (transfer full) (element-type utf8 guint): how many of the newest
 * @n_newest live records are of each kind (what is used lately, read from
 * an index without counting every record). */
GHashTable *bb_store_count_recent_kinds (BbStore  *self,
                                         guint     n_newest,
                                         GError  **error);
gboolean   bb_store_count_records     (BbStore     *self,
                                       const BbQuery *query,
                                       guint       *n_records,
                                       GError     **error);
/* Counts the records of @query, but stops at @limit: *@n_records gets
 * min (matches, @limit), so @limit means "@limit or more". A count of
 * every match walks every matching row (seconds at a million); this one
 * reads at most @limit of them from the same index a page starts from.
 * Meant for a worker thread: it reads on a connection of its own and
 * never holds the lock the other calls take, so pages are read while it
 * runs. Stops with G_IO_ERROR_CANCELLED when @cancellable is cancelled. */
gboolean   bb_store_count_records_up_to (BbStore       *self,
                                         const BbQuery *query,
                                         guint          limit,
                                         guint         *n_records,
                                         GCancellable  *cancellable,
                                         GError       **error);
/* How many record rows list/get have read from SQLite since the store was
 * opened (for tests that prove lists are paged). */
guint64    bb_store_get_rows_fetched  (BbStore     *self);

/* The outbox: records saved here and not yet answered for by the server,
 * oldest first. Rejected and conflicting records keep their entry but are not
 * listed or counted here: they wait for the user (a new save, or
 * bb_store_resolve_conflict()). (transfer full) (element-type BbRecord) */
GPtrArray *bb_store_outbox_list       (BbStore     *self,
                                       guint        limit,
                                       GError     **error);
guint      bb_store_outbox_count      (BbStore     *self);
/* The next page of the outbox: up to @limit entries after position @after
 * (G_MININT64 for the first page); *@last_position gets the position of the
 * last one, to ask for the page after it. An entry queued again while it
 * was being sent keeps its place, so a walk from the start to the end sees
 * every entry once. */
GPtrArray *bb_store_outbox_list_after (BbStore     *self,
                                       gint64       after,
                                       guint        limit,
                                       gint64      *last_position,
                                       GError     **error);

/* One outbox entry as the change a push sends. */
typedef struct
{
  char   *id;
  gint64  rev;
  char   *change;   /* the change's JSON text, as bb_record_to_change_json() writes out */
} BbOutboxChange;

void       bb_outbox_change_free      (BbOutboxChange *change);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbOutboxChange, bb_outbox_change_free)

/* As bb_store_outbox_list_after(), but each entry is the change to send
 * (element-type BbOutboxChange): written from the stored text where that
 * is certain to give the same bytes, through the record otherwise. */
GPtrArray *bb_store_outbox_changes_after (BbStore  *self,
                                          gint64    after,
                                          guint     limit,
                                          gint64   *last_position,
                                          GError  **error);

/* Drafts. @draft_id is the caller's (a UUID); saving again replaces it. */
gboolean   bb_store_save_draft        (BbStore     *self,
                                       const char  *draft_id,
                                       const char  *kind,
                                       const char  *record_id,
                                       const char  *json,
                                       GError     **error);
/* (transfer full) (element-type BbDraft): newest first. */
GPtrArray *bb_store_list_drafts       (BbStore     *self,
                                       GError     **error);
gboolean   bb_store_delete_draft      (BbStore     *self,
                                       const char  *draft_id,
                                       GError     **error);

/* Small settings kept with the data: identity, sync cursor, last sync. */
char      *bb_store_get_meta          (BbStore     *self,
                                       const char  *key);
gboolean   bb_store_set_meta          (BbStore     *self,
                                       const char  *key,
                                       const char  *value,
                                       GError     **error);

/* Sync support, for the sync engine.
 *
 * What the server answered for one pushed change (sync-api.md "Push"). */
typedef enum {
  BB_PUSH_APPLIED,   /* stored: @server_rev and @seq are the server's */
  BB_PUSH_DUPLICATE, /* already stored earlier: handled as applied */
  BB_PUSH_CONFLICT,  /* @server_copy holds the server's current copy */
  BB_PUSH_REJECTED,  /* @message is the server's sentence for a person */
} BbPushStatus;

typedef struct
{
  const char   *id;
  gint64        pushed_rev;  /* the rev that was sent */
  BbPushStatus  status;
  gint64        server_rev;  /* applied / duplicate */
  gint64        seq;         /* applied / duplicate */
  const char   *message;     /* rejected */
  BbRecord     *server_copy; /* conflict */
} BbPushOutcome;

/* Applies the answers to one push batch in one transaction: all of them or
 * none. Answers for records this store does not hold are ignored (the record
 * was wiped or resolved meanwhile). */
gboolean   bb_store_apply_push_outcomes (BbStore             *self,
                                         const BbPushOutcome *outcomes,
                                         guint                n_outcomes,
                                         GError             **error);

/* The server stored @pushed_rev of @id as @server_rev with change number
 * @seq: base_rev becomes @server_rev. The outbox entry leaves and the record
 * becomes synced only if its local rev is still @pushed_rev; an edit made while
 * the push was in flight stays queued (now based on @server_rev). */
gboolean   bb_store_mark_pushed       (BbStore     *self,
                                       const char  *id,
                                       gint64       pushed_rev,
                                       gint64       server_rev,
                                       gint64       seq,
                                       GError     **error);
/* The server refused @rev of @id: the record and its outbox entry are kept,
 * marked rejected with @message; the outbox list skips it until the record is
 * saved again. Ignored when the record has been edited since @rev. */
gboolean   bb_store_mark_rejected     (BbStore     *self,
                                       const char  *id,
                                       gint64       rev,
                                       const char  *message,
                                       GError     **error);
/* The server holds another change to @id: @server_copy is kept beside the
 * local record, which is marked conflict (and skipped by the outbox list)
 * until bb_store_resolve_conflict(). */
gboolean   bb_store_mark_conflict     (BbStore     *self,
                                       const char  *id,
                                       BbRecord    *server_copy,
                                       GError     **error);
/* (transfer full): the server's copy of a record in conflict; NULL and
 * BB_STORE_ERROR_NOT_FOUND when @id is not in conflict. */
BbRecord  *bb_store_get_conflict_copy (BbStore     *self,
                                       const char  *id,
                                       GError     **error);
/* The user's choice. Mine: the local fields stay, now based on the server's
 * rev (rev becomes greater than both), review state taken from the server,
 * and the record is queued again. Theirs: the server copy replaces the local
 * one, synced, and the outbox entry is removed. */
gboolean   bb_store_resolve_conflict  (BbStore     *self,
                                       const char  *id,
                                       gboolean     keep_mine,
                                       GError     **error);
/* Applies one pull page (element-type BbRecord, as the server sent them) and
 * sets meta @cursor_key to @next, all in one transaction. A record with no
 * local change waiting is stored as synced (rev = base_rev = the server's).
 * A record with a local change waiting keeps it: if the server's rev equals
 * its base_rev only the review state, comments and seq are taken (the
 * supervisor reviewed the version this edit started from); if the server's
 * rev is newer, the server copy is kept as a conflict; an older one is
 * ignored. */
gboolean   bb_store_apply_pull_page   (BbStore     *self,
                                       GPtrArray   *records,
                                       const char  *cursor_key,
                                       gint64       next,
                                       GError     **error);
/* Deletes every record, outbox entry, conflict, draft and meta value (a
 * revoked device), overwriting the freed pages. The store stays usable. */
gboolean   bb_store_wipe              (BbStore     *self,
                                       GError     **error);

/* (transfer full) (element-type GStrv): every author of a live record as
 * {id, display name, NULL}, by name: the Review view's author filter. */
GPtrArray *bb_store_list_authors      (BbStore     *self,
                                       GError     **error);

/* Supervisor review made on this device (sync-api.md "Review"): applied to
 * the local copy at once and queued until the next sync sends it. */
typedef struct
{
  gint64  id;          /* the queue's own number, oldest first */
  char   *record_id;
  char   *state;       /* "reviewed", "returned" or "closed" */
  char   *comment;     /* (nullable) */
  char   *queued_at;
  char   *error;       /* (nullable): why the server refused it; kept */
} BbQueuedReview;

void       bb_queued_review_free      (BbQueuedReview *review);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbQueuedReview, bb_queued_review_free)

/* Sets the local copy's review state to @state at once, adds @comment (by
 * @author_name, marked "pending": true until the server's thread replaces
 * it) and queues the review, in one transaction. "returned" needs a comment
 * that is not blank (BB_STORE_ERROR_FAILED with a sentence saying so). */
gboolean   bb_store_queue_review      (BbStore     *self,
                                       const char  *record_id,
                                       const char  *state,
                                       const char  *comment,
                                       const char  *author_name,
                                       GError     **error);
/* (transfer full) (element-type BbQueuedReview): oldest first; waiting ones
 * only, or the failed ones too when @with_failed. */
GPtrArray *bb_store_list_queued_reviews (BbStore   *self,
                                         gboolean   with_failed,
                                         GError   **error);
/* (transfer full) (nullable): the newest queued review of @record_id. */
BbQueuedReview *bb_store_get_queued_review (BbStore    *self,
                                            const char *record_id);
/* The server took review @queue_id and answered with its copy (pull shape):
 * the entry leaves the queue and the copy is applied as a pulled record. */
gboolean   bb_store_mark_review_sent  (BbStore     *self,
                                       gint64       queue_id,
                                       BbRecord    *server_copy,
                                       GError     **error);
/* The server refused review @queue_id (unknown record, not allowed): the
 * entry stays with @message and the local copy gets back the state and
 * thread it had before, unless it changed since. */
gboolean   bb_store_mark_review_failed (BbStore    *self,
                                        gint64      queue_id,
                                        const char *message,
                                        GError    **error);
/* Forgets a failed review once the user has read why. */
gboolean   bb_store_dismiss_review    (BbStore     *self,
                                       gint64       queue_id,
                                       GError     **error);

/* Exports of personal data made on this device, to be logged on the server
 * as disclosures (POST /api/v1/audit/exports) at the next sync. */
typedef struct
{
  gint64  id;
  char   *body;        /* the JSON request body */
  char   *queued_at;
  char   *error;       /* (nullable): why the server refused it; kept */
} BbExportNotice;

void       bb_export_notice_free      (BbExportNotice *notice);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbExportNotice, bb_export_notice_free)

/* Record ids are listed in a notice up to this many; a larger export is
 * described by its filter and count alone. */
#define BB_EXPORT_NOTICE_MAX_IDS 10000

/* Queues a notice: @what "csv" or "pdf"; @record_ids (nullable,
 * NULL-terminated) the records disclosed; @count how many; @period_from and
 * @period_to (nullable) the report's local dates; @filter and @recipient
 * (nullable) in words ("json" for beatbook-cli's JSON). The notice gets its own UUID and the time now. */
gboolean   bb_store_queue_export_notice (BbStore            *self,
                                         const char         *what,
                                         const char * const *record_ids,
                                         guint               count,
                                         const char         *period_from,
                                         const char         *period_to,
                                         const char         *filter,
                                         const char         *recipient,
                                         GError            **error);
/* An offline Section 59 look-up made on this device, queued the same way
 * (what "lookup"): @record_ids the warnings it matched, @by how it looked
 * ("registration mark" or "surname and date of birth", never the values). */
gboolean   bb_store_queue_lookup_notice (BbStore            *self,
                                         const char * const *record_ids,
                                         guint               count,
                                         const char         *by,
                                         GError            **error);
/* (transfer full) (element-type BbExportNotice): oldest first. */
GPtrArray *bb_store_list_export_notices (BbStore  *self,
                                         gboolean  with_failed,
                                         GError  **error);
/* The server logged it: the notice leaves the queue. */
gboolean   bb_store_mark_export_notice_sent (BbStore  *self,
                                             gint64    notice_id,
                                             GError  **error);
gboolean   bb_store_mark_export_notice_failed (BbStore    *self,
                                               gint64      notice_id,
                                               const char *message,
                                               GError    **error);

/* Evidence files (bb-evidence.h), in bb-store-evidence.c.
 *
 * Where this device holds a file and whether the server has it. */
typedef enum {
  BB_BLOB_STATE_ABSENT,   /* not on this device: fetch it to show it */
  BB_BLOB_STATE_WAITING,  /* attached here, the server does not have it yet */
  BB_BLOB_STATE_UPLOADED, /* attached here and held by the server */
  BB_BLOB_STATE_CACHED,   /* fetched from the server */
} BbBlobState;

/* The directory of this store's files: "evidence" beside the database. */
char      *bb_store_dup_evidence_dir  (BbStore     *self);
/* Keeps the file or bytes (@file, or @name and @bytes) as evidence under
 * its hash, after the profile's checks (@n_attached files are on the record
 * already), and remembers it as waiting to upload. Blocks while the file is
 * read, hashed and synced (bb_evidence_import_file): the cli calls it as it
 * is, the app through bb_store_import_evidence_async. (transfer full) */
BbAttachment *bb_store_import_evidence (BbStore    *self,
                                       BbProfile   *profile,
                                       guint        n_attached,
                                       GFile       *file,
                                       const char  *name,
                                       GBytes      *bytes,
                                       GCancellable *cancellable,
                                       BbEvidenceProgressFunc progress_func,
                                       gpointer     progress_data,
                                       GError     **error);
/* The same in a worker thread. @progress_func (nullable) is called in that
 * thread, so @progress_data must outlive the import (until @callback). A
 * cancel before the file is kept leaves nothing behind: no temporary file,
 * no file, no row; the result is then G_IO_ERROR_CANCELLED. (A cancel in
 * the moment after the rename is reported the same way, and leaves a whole
 * file that nothing lists, for bb_store_collect_evidence.) */
void       bb_store_import_evidence_async  (BbStore     *self,
                                            BbProfile   *profile,
                                            guint        n_attached,
                                            GFile       *file,
                                            const char  *name,
                                            GBytes      *bytes,
                                            BbEvidenceProgressFunc progress_func,
                                            gpointer     progress_data,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer     user_data);
/* (transfer full): the attachment kept; @offer (nullable) receives what the
 * photo's EXIF says (read in the worker, so the caller need not read the
 * file again). */
BbAttachment *bb_store_import_evidence_finish (BbStore      *self,
                                               GAsyncResult *result,
                                               BbExifOffer  *offer,
                                               GError      **error);
BbBlobState bb_store_get_blob_state   (BbStore     *self,
                                       const char  *sha256);
/* The server has @sha256 now. */
gboolean   bb_store_mark_blob_uploaded (BbStore    *self,
                                       const char  *sha256,
                                       GError     **error);
/* Keeps @bytes fetched from the server as @attachment's file (checked
 * against its hash), as a cached copy. */
gboolean   bb_store_cache_blob        (BbStore     *self,
                                       const BbAttachment *attachment,
                                       GBytes      *bytes,
                                       GError     **error);
/* (transfer full) (element-type utf8): files waiting to upload whose record
 * the server holds already (the record goes first, then its files). */
GPtrArray *bb_store_list_blobs_to_upload (BbStore  *self,
                                       GError     **error);
/* Files attached here that the server does not have yet. */
guint      bb_store_count_waiting_blobs (BbStore   *self);
/* How many of @record's files wait to upload. */
guint      bb_store_count_record_waiting_blobs (BbStore *self,
                                       BbRecord    *record);
/* Removes the files that no live record, conflict copy or draft lists and
 * that were added at least @min_age_seconds ago (so a file attached a
 * moment ago, before its draft is saved, stays). */
gboolean   bb_store_collect_evidence  (BbStore     *self,
                                       gint64       min_age_seconds,
                                       guint       *n_removed,
                                       GError     **error);

G_END_DECLS
