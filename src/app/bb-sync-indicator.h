/* bb-sync-indicator.h: the header's small "where syncing stands" button
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "beatbook.h"

G_BEGIN_DECLS

/* (transfer full): the indicator's words, e.g. "Offline · 3 waiting",
 * "Synced 14:02", "Syncing…", "Signed out", "Server unreachable — will
 * retry"; @icon_name (out) (optional) (transfer none) the icon beside them.
 * Pure: @now may be NULL for the current time. */
char       *bb_sync_format_status        (BbSyncEngineState  state,
                                          guint              pending,
                                          guint              attention,
                                          const char        *last_success,
                                          const char        *last_error,
                                          GDateTime         *now,
                                          const char       **icon_name);

/* (nullable) (transfer none): the sync engine of the application @widget
 * belongs to (BbApplication:sync-engine), or of the default application. */
BbSyncEngine *bb_sync_engine_from_widget (GtkWidget *widget);

#define BB_TYPE_SYNC_INDICATOR (bb_sync_indicator_get_type ())
G_DECLARE_FINAL_TYPE (BbSyncIndicator, bb_sync_indicator, BB, SYNC_INDICATOR, GtkWidget)

GtkWidget  *bb_sync_indicator_new        (void);
/* Follows @engine (NULL: shows nothing). Its buttons use the actions
 * app.sync, app.sign-in and app.sign-out. */
void        bb_sync_indicator_set_engine (BbSyncIndicator *self,
                                          BbSyncEngine    *engine);
/* What the indicator says (tests). */
const char *bb_sync_indicator_get_text   (BbSyncIndicator *self);

G_END_DECLS
