/* bb-conflict-view.h: a record changed here and on the server: compare, choose
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "beatbook.h"

G_BEGIN_DECLS

#define BB_TYPE_CONFLICT_VIEW (bb_conflict_view_get_type ())
G_DECLARE_FINAL_TYPE (BbConflictView, bb_conflict_view, BB, CONFLICT_VIEW, AdwWindow)

/* Both copies of record @id field by field, with "Keep Mine" and "Keep
 * Theirs". NULL with an error when the record is not in conflict.
 * Signal "resolved" (gboolean keep_mine) after the store took the choice. */
BbConflictView *bb_conflict_view_new              (BbSession       *session,
                                                   const char      *id,
                                                   GtkWindow       *parent,
                                                   GError         **error);
/* What the buttons do (tests call it too). */
gboolean        bb_conflict_view_choose           (BbConflictView  *self,
                                                   gboolean         keep_mine,
                                                   GError         **error);
/* How many compared fields differ. */
guint           bb_conflict_view_get_n_differences (BbConflictView *self);
/* (transfer full): one line per field, "Label: mine | theirs", with
 * " (differs)" where they do (tests). */
char           *bb_conflict_view_dup_text         (BbConflictView  *self);

G_END_DECLS
