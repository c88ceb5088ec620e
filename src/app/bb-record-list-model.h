/* bb-record-list-model.h: the store's records as a paged GListModel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "beatbook.h"

G_BEGIN_DECLS

/* Records are read from the store this many at a time. */
#define BB_RECORD_LIST_MODEL_PAGE_SIZE 50

#define BB_TYPE_RECORD_LIST_MODEL (bb_record_list_model_get_type ())
G_DECLARE_FINAL_TYPE (BbRecordListModel, bb_record_list_model, BB, RECORD_LIST_MODEL, GObject)

BbRecordListModel *bb_record_list_model_new        (BbStore           *store);
BbStore           *bb_record_list_model_get_store  (BbRecordListModel *self);

/* NULL or "" for every kind. Changing it reloads the list. */
void               bb_record_list_model_set_kind   (BbRecordListModel *self,
                                                    const char        *kind);
const char        *bb_record_list_model_get_kind   (BbRecordListModel *self);
/* The words typed in the search entry (NULL or blank: no search). */
void               bb_record_list_model_set_search (BbRecordListModel *self,
                                                    const char        *search);
const char        *bb_record_list_model_get_search (BbRecordListModel *self);

/* The Review view's filters beyond kind and search: ward, author_id,
 * review_state, from, to and priority of @filter (its kind, search,
 * include_deleted and sync_state are ignored). NULL clears them. Reloads. */
void               bb_record_list_model_set_filter (BbRecordListModel *self,
                                                    const BbQuery     *filter);

/* Forgets every cached page and reads the first one again: call after the
 * store changed.
 * Emits one items-changed for the whole list; a GtkListView showing the model
 * should let go of it meanwhile (GtkListView 4.8 searches every added item
 * for the rows it tracks). */
void               bb_record_list_model_reload     (BbRecordListModel *self);

/* The position of the record @id among the first @max_scan items, or
 * G_MAXUINT when it is not there. Reads pages as needed, growing the list. */
guint              bb_record_list_model_find       (BbRecordListModel *self,
                                                    const char        *id,
                                                    guint              max_scan);

/* The list holds the pages read so far (n-items), and grows by a page when
 * a row near its end is asked for. This reads the next page now: FALSE when
 * there is none. */
gboolean           bb_record_list_model_load_more  (BbRecordListModel *self);
/* The End key: reads the list's last page (by key from the end, not every
 * page before it) and adds it after the pages read from the start, so the
 * last item is the last record. Until the two meet, the rows between them
 * are missing: a row shown next to the gap reads the page beside it from
 * an idle, the head's downwards and the tail's upwards. FALSE when there
 * was nothing to read (the list is complete, or its end is read already). */
gboolean           bb_record_list_model_load_last  (BbRecordListModel *self);
/* Reads the next page above the end read by load_last() now (as a row
 * shown at the top of it would): FALSE when there is none (the gap is
 * closed). */
gboolean           bb_record_list_model_fill_gap   (BbRecordListModel *self);
/* TRUE once every record is held: the last page was read from the start,
 * or the pages from the start and from the end met. */
gboolean           bb_record_list_model_get_complete (BbRecordListModel *self);
/* How many records the list will hold when complete: counted in the store
 * on this thread (once per reload, on demand), every match: seconds at a
 * million. The Review view counts up to a cap on a worker thread instead
 * (bb_record_list_model_count_async()). */
guint              bb_record_list_model_get_total  (BbRecordListModel *self);

/* Counts the records of the list's query up to @limit on a worker thread
 * (bb_store_count_records_up_to()): the UI never waits for it, and pages
 * are read meanwhile. The query is taken as it is now; a later change of
 * kind, search or filter does not change what this counts (cancel it). */
void               bb_record_list_model_count_async  (BbRecordListModel   *self,
                                                      guint                limit,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
/* *@n_records gets min (matches, limit). */
gboolean           bb_record_list_model_count_finish (BbRecordListModel  *self,
                                                      GAsyncResult       *result,
                                                      guint              *n_records,
                                                      GError            **error);

/* (nullable) (transfer none): why the last read failed, NULL when it did not. */
const GError      *bb_record_list_model_get_error  (BbRecordListModel *self);

/* How many pages are held in memory now (for tests). */
guint              bb_record_list_model_get_n_cached_pages (BbRecordListModel *self);

G_END_DECLS
