/* bb-session.h: the signed-in user's profile, store and identity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "bb-kind.h"
#include "bb-profile.h"
#include "bb-secret.h"
#include "bb-store.h"
#include "bb-sync.h"

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

/* Sign-in (sync-api.md "Sessions").
 *
 * Each signed-in user has a store of their own under the data directory, so
 * users of a shared laptop never see each other's records. The device's
 * local user keeps records logged before anyone signed in, until a user
 * adopts them (bb_session_adopt_local_records(), after asking). */

/* Signs in at @server_url (https, or http to this machine), keeps the token
 * (keyring or private file: @place says which) and makes that user current.
 * Nothing is stored when the server says no. */
gboolean    bb_session_sign_in               (BbSession     *self,
                                              const char    *server_url,
                                              const char    *ca_file,
                                              const char    *username,
                                              const char    *password,
                                              const char    *device_name,
                                              BbSecretPlace *place,
                                              GCancellable  *cancellable,
                                              GError       **error);
gboolean    bb_session_is_signed_in          (BbSession     *self);
/* (nullable) */
const char *bb_session_get_server_url        (BbSession     *self);
const char *bb_session_get_username          (BbSession     *self);
/* Ends the session on the server when it can be reached, forgets the token
 * and returns to the device's local user. The user's records stay on the
 * device for their next sign-in. */
gboolean    bb_session_sign_out              (BbSession     *self,
                                              GCancellable  *cancellable,
                                              GError       **error);
/* Records logged by the local user before anyone signed in. */
guint       bb_session_count_local_records   (BbSession     *self);
/* Moves them into the signed-in user's store, as that user's, to be pushed. */
gboolean    bb_session_adopt_local_records   (BbSession     *self,
                                              guint         *n_adopted,
                                              GError       **error);
/* (transfer full): a client for the signed-in user's server, with the token. */
BbClient   *bb_session_create_client         (BbSession     *self,
                                              GError       **error);
/* One sync cycle for the signed-in user. On device_revoked the user's local
 * data is wiped and the error says why; on 401 the token is forgotten. */
gboolean    bb_session_sync                  (BbSession     *self,
                                              BbSyncStats   *stats,
                                              GCancellable  *cancellable,
                                              GError       **error);

/* Emits BbSession::records-changed (main thread only): the store's records
 * changed, and every view of them should reload. */
void        bb_session_records_changed       (BbSession     *self);

/* The bytes of @attachment (of a record this device holds): the copy on
 * this device, or else fetched from the server once and kept (checked
 * against the hash) for the next time. Synchronous: call it from a worker
 * thread in a UI. (transfer full) */
GBytes     *bb_session_get_evidence          (BbSession     *self,
                                              const BbAttachment *attachment,
                                              GCancellable  *cancellable,
                                              GError       **error);

G_END_DECLS
