/* bb-review-view.h: a supervisor's view of every record, to review and export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "beatbook.h"

G_BEGIN_DECLS

#define BB_TYPE_REVIEW_VIEW (bb_review_view_get_type ())
G_DECLARE_FINAL_TYPE (BbReviewView, bb_review_view, BB, REVIEW_VIEW, GtkWidget)

GtkWidget  *bb_review_view_new               (BbSession    *session);
/* Reads the store again (after a sync), keeping filters and the record shown. */
void        bb_review_view_reload            (BbReviewView *self);
/* The quick filter: records of last month (local dates) awaiting review. */
void        bb_review_view_show_unreviewed_last_month (BbReviewView *self);
void        bb_review_view_clear_filters     (BbReviewView *self);

guint       bb_review_view_get_n_records     (BbReviewView *self);
/* (transfer none): "12 records". */
const char *bb_review_view_get_count_text    (BbReviewView *self);
/* The filter's query as the list uses it (strings owned by the view). */
void        bb_review_view_get_query         (BbReviewView *self,
                                              BbQuery      *query);

/* For tests and keyboard users' actions: a filter's input widget ("search",
 * "kind", "ward", "author", "priority", "review-state", "from", "to",
 * "unreviewed"). */
GtkWidget  *bb_review_view_get_filter_widget (BbReviewView *self,
                                              const char   *name);

/* The records the filters select on a map instead of the list (when the
 * profile has a tile source; FALSE and nothing changes otherwise). */
gboolean    bb_review_view_set_show_map      (BbReviewView *self,
                                              gboolean      show);
/* (transfer none) (nullable): the map, NULL when the profile has no tile
 * source. Its type is BbMap (bb-map.h). */
GtkWidget  *bb_review_view_get_map           (BbReviewView *self);

/* Shows the record @id in the review pane. */
gboolean    bb_review_view_select            (BbReviewView *self,
                                              const char   *id);
/* (transfer none) (nullable) */
BbRecord   *bb_review_view_get_record        (BbReviewView *self);
/* Reviews the record shown with @state ("reviewed", "returned", "closed")
 * and the comment typed, as the buttons do. A return without a comment is
 * refused on the comment field and nothing changes. */
gboolean    bb_review_view_review            (BbReviewView *self,
                                              const char   *state);
GtkWidget  *bb_review_view_get_comment_widget (BbReviewView *self);
/* (transfer none) (nullable): the message shown under the comment. */
const char *bb_review_view_get_comment_message (BbReviewView *self);
/* (transfer none): the review state line, e.g. "Returned: Add the time". */
const char *bb_review_view_get_state_text    (BbReviewView *self);

/* Writes the filtered records into @folder, one CSV file per kind that has
 * any, and queues the export notice for the server's audit log. */
gboolean    bb_review_view_export_csv        (BbReviewView *self,
                                              GFile        *folder,
                                              guint        *n_files,
                                              guint        *n_records,
                                              GError      **error);

G_END_DECLS
