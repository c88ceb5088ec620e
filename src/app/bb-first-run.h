/* bb-first-run.h: "Who Is Using This Device?"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "beatbook.h"

G_BEGIN_DECLS

#define BB_TYPE_FIRST_RUN (bb_first_run_get_type ())
G_DECLARE_FINAL_TYPE (BbFirstRun, bb_first_run, BB, FIRST_RUN, GtkBox)

/* Asks for name, role and staff or force number, and sets them on @session
 * (bb_session_set_identity); then emits "identity-set". */
GtkWidget *bb_first_run_new                 (BbSession  *session);
void       bb_first_run_set_session         (BbFirstRun *self,
                                             BbSession  *session);

/* The roles offered, in the order of the picker. */
BbRole     bb_first_run_role_at             (guint       position);
guint      bb_first_run_n_roles             (void);

/* (transfer full): "Can create: patrol observations, ..." for @role. */
char      *bb_first_run_describe_role       (BbRole      role);

/* For tests: the real input widgets. */
GtkWidget *bb_first_run_get_name_row        (BbFirstRun *self);
GtkWidget *bb_first_run_get_role_row        (BbFirstRun *self);
GtkWidget *bb_first_run_get_number_row      (BbFirstRun *self);
GtkWidget *bb_first_run_get_start_button    (BbFirstRun *self);
/* (nullable): the message shown under the form, NULL when none. */
const char *bb_first_run_get_message        (BbFirstRun *self);

G_END_DECLS
