/* bb-application.h: the app, owning the one BbSession
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "beatbook.h"

G_BEGIN_DECLS

#define BB_TYPE_APPLICATION (bb_application_get_type ())
G_DECLARE_FINAL_TYPE (BbApplication, bb_application, BB, APPLICATION, AdwApplication)

/* The app as `beatbook` runs it (unique, --data-dir on the command line). */
BbApplication *bb_application_new               (void);

/* The data directory given with --data-dir or the "data-dir" property;
 * NULL means the default ($XDG_DATA_HOME/beatbook). */
const char    *bb_application_get_data_dir      (BbApplication *self);

/* (nullable) (transfer none): the session opened at startup; NULL before
 * startup or when it failed to open (see bb_application_get_session_error). */
BbSession     *bb_application_get_session       (BbApplication *self);
/* (nullable) (transfer none): why the session could not be opened. */
const GError  *bb_application_get_session_error (BbApplication *self);

/* Hook for whoever changes the store behind the windows' back (the sync
 * engine after a push or pull): emits BbSession::records-changed, on which
 * every window reloads its list and its state line. */
void           bb_application_records_changed   (BbApplication *self);
/* Lighter hook: only the header's state line (e.g. after "sync.last_success"
 * changed with no record changing). */
void           bb_application_refresh_state     (BbApplication *self);

G_END_DECLS
