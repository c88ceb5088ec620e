/* bb-session.h: the signed-in user's profile, store and identity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "bb-kind.h"
#include "bb-profile.h"
#include "bb-store.h"

G_BEGIN_DECLS

#define BB_TYPE_SESSION (bb_session_get_type ())
G_DECLARE_FINAL_TYPE (BbSession, bb_session, BB, SESSION, GObject)

/* (transfer full): $XDG_DATA_HOME/beatbook */
char       *bb_data_dir_default              (void);

/* Opens the profile and the store of the device's current user under
 * @data_dir (NULL: bb_data_dir_default()). Before anyone signs in, the
 * current user is the device's local user ("local"). */
BbSession  *bb_session_new                   (const char  *data_dir,
                                              GError     **error);
const char *bb_session_get_data_dir          (BbSession   *self);
BbProfile  *bb_session_get_profile           (BbSession   *self);
BbStore    *bb_session_get_store             (BbSession   *self);

/* Who is using the device: set on first run, replaced by sign-in later. */
gboolean    bb_session_has_identity          (BbSession   *self);
gboolean    bb_session_set_identity          (BbSession   *self,
                                              const char  *display_name,
                                              BbRole       role,
                                              const char  *staff_number,
                                              GError     **error);
const char *bb_session_get_user_id           (BbSession   *self);
const char *bb_session_get_display_name      (BbSession   *self);
const char *bb_session_get_staff_number      (BbSession   *self);
BbRole      bb_session_get_role              (BbSession   *self);

/* Saves @record as the current user (author set, validated with the profile
 * first). Problems (warnings included) are returned in @problems; the save is
 * refused with FALSE and no error set when any is an error.
 * (out) (element-type BbProblem) (transfer full) @problems may be NULL. */
gboolean    bb_session_save_record           (BbSession   *self,
                                              BbRecord    *record,
                                              GPtrArray  **problems,
                                              GError     **error);

G_END_DECLS
