/* bb-review-window.h: the supervisor's window: Review and Figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "beatbook.h"
#include "bb-dashboard.h"
#include "bb-review-view.h"

G_BEGIN_DECLS

#define BB_TYPE_REVIEW_WINDOW (bb_review_window_get_type ())
G_DECLARE_FINAL_TYPE (BbReviewWindow, bb_review_window, BB, REVIEW_WINDOW, AdwApplicationWindow)

/* @application may be NULL (tests). */
BbReviewWindow *bb_review_window_new           (GtkApplication *application,
                                                BbSession      *session);
BbReviewView   *bb_review_window_get_review    (BbReviewWindow *self);
BbDashboard    *bb_review_window_get_dashboard (BbReviewWindow *self);
/* "review" or "dashboard". */
void            bb_review_window_show_page     (BbReviewWindow *self,
                                                const char     *page);

G_END_DECLS
