/* bb-record-view.h: a saved record, read-only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "beatbook.h"

G_BEGIN_DECLS

#define BB_TYPE_RECORD_VIEW (bb_record_view_get_type ())
G_DECLARE_FINAL_TYPE (BbRecordView, bb_record_view, BB, RECORD_VIEW, AdwBin)

GtkWidget *bb_record_view_new        (void);
/* Shows every non-empty field of @record with its label (NULL clears). */
void       bb_record_view_set_record (BbRecordView *self,
                                      BbRecord     *record,
                                      BbProfile    *profile);
BbRecord  *bb_record_view_get_record (BbRecordView *self);
/* The session a conflict is resolved in; it is told when records change. */
void       bb_record_view_set_session (BbRecordView *self,
                                       BbSession    *session);
/* (transfer full): what the view shows, "Label: value" one per line (tests). */
char      *bb_record_view_dup_text   (BbRecordView *self);

G_END_DECLS
