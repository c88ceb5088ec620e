/* bb-review-date.h: a button that shows a date and picks one from a calendar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BB_TYPE_REVIEW_DATE (bb_review_date_get_type ())
G_DECLARE_FINAL_TYPE (BbReviewDate, bb_review_date, BB, REVIEW_DATE, GtkWidget)

/* @placeholder: what the button says with no date ("Any date"); NULL makes
 * a date required (no Clear button). */
GtkWidget  *bb_review_date_new      (const char   *accessible_label,
                                     const char   *placeholder);
/* "2026-03-01" or NULL. Emits "changed" when it differs. */
void        bb_review_date_set_date (BbReviewDate *self,
                                     const char   *date);
const char *bb_review_date_get_date (BbReviewDate *self);

G_END_DECLS
