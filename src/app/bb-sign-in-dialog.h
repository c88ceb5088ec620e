/* bb-sign-in-dialog.h: sign in to the partnership's server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "beatbook.h"

G_BEGIN_DECLS

#define BB_TYPE_SIGN_IN_DIALOG (bb_sign_in_dialog_get_type ())
G_DECLARE_FINAL_TYPE (BbSignInDialog, bb_sign_in_dialog, BB, SIGN_IN_DIALOG, AdwWindow)

/* Asks for the server, username and password (and an optional CA file),
 * signs in through @engine off the UI thread, shows problems inline, then
 * asks whether records logged before sign-in go with the new user.
 * Signal "signed-in" when the user is signed in. */
BbSignInDialog *bb_sign_in_dialog_new               (BbSyncEngine   *engine,
                                                     GtkWindow      *parent);

/* For tests: fill the form and press Sign In. */
void            bb_sign_in_dialog_set_fields        (BbSignInDialog *self,
                                                     const char     *server_url,
                                                     const char     *username,
                                                     const char     *password);
void            bb_sign_in_dialog_submit            (BbSignInDialog *self);
/* "form", "working", "asking" (the question about earlier records is open)
 * or "done". */
const char     *bb_sign_in_dialog_get_stage         (BbSignInDialog *self);
/* (nullable): the problem shown under the form. */
const char     *bb_sign_in_dialog_get_message       (BbSignInDialog *self);
/* (nullable): what the done page says (where the sign-in is kept). */
const char     *bb_sign_in_dialog_get_done_text     (BbSignInDialog *self);
/* (nullable) (transfer none): the open "send earlier records?" question. */
AdwMessageDialog *bb_sign_in_dialog_get_adopt_question (BbSignInDialog *self);

G_END_DECLS
