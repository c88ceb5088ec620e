/* bb-session.c: the signed-in user's profile, store and identity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "bb-i18n.h"
#include "bb-record.h"
#include "bb-session.h"
#include "bb-time.h"
#include "bb-validate.h"

/* The user whose store holds records logged before anyone signs in. */
#define LOCAL_USER_KEY "local"

struct _BbSession
{
  GObject    parent_instance;

  char      *data_dir;
  char      *user_key;
  BbProfile *profile;
  BbStore   *store;

  char      *user_id;
  char      *display_name;
  char      *staff_number;
  BbRole     role;

  /* Sign-in, kept in the user's store (meta "sync.*"). */
  char      *server_url;
  char      *username;
  char      *device_id;
  char      *ca_file;
  gboolean   has_token;

  /* Strings replaced by a sign-in, sign-out or wipe, which a sync worker
   * thread may do while the UI thread still holds what a getter returned:
   * they are freed with the session, never under a reader's feet. */
  GPtrArray *retired;
};

G_DEFINE_FINAL_TYPE (BbSession, bb_session, G_TYPE_OBJECT)

enum {
  RECORDS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
bb_session_dispose (GObject *object)
{
  BbSession *self = (BbSession *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->profile);

  G_OBJECT_CLASS (bb_session_parent_class)->dispose (object);
}

static void
bb_session_finalize (GObject *object)
{
  BbSession *self = (BbSession *)object;

  g_free (self->data_dir);
  g_free (self->user_key);
  g_free (self->user_id);
  g_free (self->display_name);
  g_free (self->staff_number);
  g_free (self->server_url);
  g_free (self->username);
  g_free (self->device_id);
  g_free (self->ca_file);
  g_ptr_array_unref (self->retired);

  G_OBJECT_CLASS (bb_session_parent_class)->finalize (object);
}

static void
bb_session_class_init (BbSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bb_session_dispose;
  object_class->finalize = bb_session_finalize;

  /**
   * BbSession::records-changed:
   *
   * The records in the store changed outside the view that shows them (a
   * sync, a conflict resolved, a sign-out): whoever shows records reloads.
   * A widget tells through the session it was given, never by calling up
   * into the application that made it.
   */
  signals[RECORDS_CHANGED] = g_signal_new ("records-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
}

static void
bb_session_init (BbSession *self)
{
  self->retired = g_ptr_array_new_with_free_func (g_free);
}

static void
retire (BbSession  *self,
        char      **field)
{
  if (*field != NULL)
    g_ptr_array_add (self->retired, g_steal_pointer (field));
}

char *
bb_data_dir_default (void)
{
  return g_build_filename (g_get_user_data_dir (), "beatbook", NULL);
}

static void
load_identity (BbSession *self)
{
  g_autofree char *role = NULL;

  retire (self, &self->user_id);
  retire (self, &self->display_name);
  retire (self, &self->staff_number);

  self->user_id = bb_store_get_meta (self->store, "identity.user_id");
  self->display_name = bb_store_get_meta (self->store, "identity.display_name");
  self->staff_number = bb_store_get_meta (self->store, "identity.staff_number");
  role = bb_store_get_meta (self->store, "identity.role");
  self->role = bb_role_from_string (role);
}

static char *
user_dir (BbSession  *self,
          const char *user_key)
{
  return g_build_filename (self->data_dir, "users", user_key, NULL);
}

static char *
token_path (BbSession *self)
{
  return g_build_filename (self->data_dir, "users", self->user_key, "token", NULL);
}

static char *
device_file (BbSession *self)
{
  return g_build_filename (self->data_dir, "device.ini", NULL);
}

static char *
read_current_user (BbSession *self)
{
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autofree char *path = device_file (self);
  char *key;

  if (!g_key_file_load_from_file (keys, path, G_KEY_FILE_NONE, NULL))
    return g_strdup (LOCAL_USER_KEY);
  key = g_key_file_get_string (keys, "device", "current_user", NULL);
  /* A key is a folder name: never let the file point outside users/. */
  if (key == NULL || *key == '\0' || strchr (key, '/') != NULL || key[0] == '.')
    {
      g_free (key);
      return g_strdup (LOCAL_USER_KEY);
    }
  return key;
}

static gboolean
write_current_user (BbSession   *self,
                    const char  *user_key,
                    GError     **error)
{
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autofree char *path = device_file (self);

  g_key_file_set_string (keys, "device", "current_user", user_key);
  if (g_mkdir_with_parents (self->data_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot create “%s”: %s"), self->data_dir, g_strerror (saved));
      return FALSE;
    }
  return g_key_file_save_to_file (keys, path, error);
}

static BbStore *
open_user_store (BbSession   *self,
                 const char  *user_key,
                 GError     **error)
{
  g_autofree char *dir = user_dir (self, user_key);
  g_autofree char *path = g_build_filename (dir, "beatbook.db", NULL);

  /* Police data: only the user may read the folder. */
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot create “%s”: %s"), dir, g_strerror (saved));
      return NULL;
    }
  return bb_store_open (path, error);
}

static void
load_sign_in (BbSession *self)
{
  g_autofree char *path = token_path (self);
  g_autofree char *token = NULL;

  retire (self, &self->server_url);
  retire (self, &self->username);
  retire (self, &self->device_id);
  retire (self, &self->ca_file);
  self->has_token = FALSE;

  if (g_strcmp0 (self->user_key, LOCAL_USER_KEY) == 0)
    return;

  self->server_url = bb_store_get_meta (self->store, "sync.server_url");
  self->username = bb_store_get_meta (self->store, "sync.username");
  self->device_id = bb_store_get_meta (self->store, "sync.device_id");
  self->ca_file = bb_store_get_meta (self->store, "sync.ca_file");
  token = bb_secret_lookup (self->user_key, path);
  self->has_token = token != NULL && *token != '\0';
}

static gboolean
switch_user (BbSession   *self,
             const char  *user_key,
             GError     **error)
{
  g_autoptr(BbStore) store = open_user_store (self, user_key, error);

  if (store == NULL)
    return FALSE;
  if (!write_current_user (self, user_key, error))
    return FALSE;

  g_set_object (&self->store, store);
  g_free (self->user_key);
  self->user_key = g_strdup (user_key);
  load_identity (self);
  load_sign_in (self);
  return TRUE;
}

BbSession *
bb_session_new (const char  *data_dir,
                GError     **error)
{
  g_autoptr(BbSession) self = g_object_new (BB_TYPE_SESSION, NULL);

  self->data_dir = data_dir != NULL ? g_strdup (data_dir) : bb_data_dir_default ();
  self->user_key = read_current_user (self);

  self->profile = bb_profile_load_default (error);
  if (self->profile == NULL)
    return NULL;

  self->store = open_user_store (self, self->user_key, error);
  if (self->store == NULL)
    return NULL;

  load_identity (self);
  load_sign_in (self);

  return g_steal_pointer (&self);
}

const char *
bb_session_get_data_dir (BbSession *self)
{
  g_return_val_if_fail (BB_IS_SESSION (self), NULL);
  return self->data_dir;
}

BbProfile *
bb_session_get_profile (BbSession *self)
{
  g_return_val_if_fail (BB_IS_SESSION (self), NULL);
  return self->profile;
}

BbStore *
bb_session_get_store (BbSession *self)
{
  g_return_val_if_fail (BB_IS_SESSION (self), NULL);
  return self->store;
}

gboolean
bb_session_has_identity (BbSession *self)
{
  g_return_val_if_fail (BB_IS_SESSION (self), FALSE);
  return self->role != BB_ROLE_NONE && self->display_name != NULL;
}

gboolean
bb_session_set_identity (BbSession   *self,
                         const char  *display_name,
                         BbRole       role,
                         const char  *staff_number,
                         GError     **error)
{
  g_autofree char *name = NULL;
  g_autofree char *number = NULL;
  g_autofree char *user_id = NULL;

  g_return_val_if_fail (BB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (display_name != NULL, FALSE);

  name = g_strstrip (g_strdup (display_name));
  number = g_strstrip (g_strdup (staff_number != NULL ? staff_number : ""));

  if (*name == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Enter the name of the person using this device."));
      return FALSE;
    }
  if (bb_role_to_string (role) == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Choose a role: officer, warden, councillor or supervisor."));
      return FALSE;
    }

  /* The local user keeps one id for good, so records logged before a name
   * change still belong to it. */
  user_id = bb_store_get_meta (self->store, "identity.user_id");
  if (user_id == NULL)
    user_id = bb_uuid_new ();

  if (!bb_store_set_meta (self->store, "identity.user_id", user_id, error) ||
      !bb_store_set_meta (self->store, "identity.display_name", name, error) ||
      !bb_store_set_meta (self->store, "identity.role", bb_role_to_string (role), error) ||
      !bb_store_set_meta (self->store, "identity.staff_number", number, error))
    return FALSE;

  load_identity (self);
  return TRUE;
}

const char *
bb_session_get_user_id (BbSession *self)
{
  g_return_val_if_fail (BB_IS_SESSION (self), NULL);
  return self->user_id;
}

const char *
bb_session_get_display_name (BbSession *self)
{
  g_return_val_if_fail (BB_IS_SESSION (self), NULL);
  return self->display_name;
}

const char *
bb_session_get_staff_number (BbSession *self)
{
  g_return_val_if_fail (BB_IS_SESSION (self), NULL);
  return self->staff_number;
}

BbRole
bb_session_get_role (BbSession *self)
{
  g_return_val_if_fail (BB_IS_SESSION (self), BB_ROLE_NONE);
  return self->role;
}

static BbProblem *
problem_new (const char *path,
             const char *code,
             const char *message)
{
  BbProblem *p = g_new0 (BbProblem, 1);

  p->path = g_strdup (path);
  p->code = g_strdup (code);
  p->message = g_strdup (message);
  p->severity = BB_PROBLEM_ERROR;
  return p;
}

gboolean
bb_session_save_record (BbSession   *self,
                        BbRecord    *record,
                        GPtrArray  **problems,
                        GError     **error)
{
  g_autoptr(GPtrArray) found = NULL;
  const BbKindSpec *kind;
  JsonObject *fields;

  g_return_val_if_fail (BB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (BB_IS_RECORD (record), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (problems != NULL)
    *problems = NULL;

  /* Pulled copies carry what the server worked out; it is worked out again. */
  fields = bb_record_get_fields (record);
  bb_fields_strip_derived (bb_record_get_kind (record), fields);

  found = bb_validate_record (self->profile,
                              bb_record_get_kind (record),
                              bb_record_get_occurred_at (record),
                              bb_record_get_priority (record),
                              fields, NULL);

  kind = bb_record_get_kind_spec (record);
  if (kind != NULL && bb_record_get_rev (record) == 0 && !bb_kind_can_create (kind, self->role))
    g_ptr_array_insert (found, 0,
                        problem_new ("kind", "forbidden_kind",
                                     self->role == BB_ROLE_NONE
                                     ? _("Say who is using this device before logging records.")
                                     : _("Your role cannot log this kind of record.")));

  if (bb_problems_have_errors (found))
    {
      if (problems != NULL)
        *problems = g_steal_pointer (&found);
      return FALSE;
    }

  if (bb_record_get_rev (record) == 0 || bb_record_get_author_id (record) == NULL)
    bb_record_set_author (record, self->user_id, self->display_name, bb_role_to_string (self->role));

  bb_fields_add_derived (bb_record_get_kind (record), bb_record_get_occurred_at (record), fields);

  if (!bb_store_save_record (self->store, record, error))
    return FALSE;

  if (problems != NULL)
    *problems = g_steal_pointer (&found);
  return TRUE;
}

/* Sign-in */

gboolean
bb_session_sign_in (BbSession     *self,
                    const char    *server_url,
                    const char    *ca_file,
                    const char    *username,
                    const char    *password,
                    const char    *device_name,
                    BbSecretPlace *place,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(BbClient) client = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(BbStore) store = NULL;
  g_autofree char *key_source = NULL;
  g_autofree char *user_key = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *ca_absolute = NULL;
  JsonObject *user;
  const char *user_id, *role, *display_name, *staff_number, *token, *device_id;

  g_return_val_if_fail (BB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (server_url != NULL && username != NULL && password != NULL, FALSE);

  /* Kept for every later sync, which may run from another folder. */
  if (ca_file != NULL && *ca_file != '\0')
    ca_file = ca_absolute = g_canonicalize_filename (ca_file, NULL);

  client = bb_client_new (server_url, ca_file, error);
  if (client == NULL)
    return FALSE;

  answer = bb_client_login (client, username, password,
                            device_name != NULL ? device_name : g_get_host_name (),
                            cancellable, error);
  if (answer == NULL)
    return FALSE;

  user = json_object_get_object_member (answer, "user");
  user_id = json_object_get_string_member_with_default (user, "id", NULL);
  role = json_object_get_string_member_with_default (user, "role", NULL);
  display_name = json_object_get_string_member_with_default (user, "display_name", username);
  staff_number = json_object_get_string_member_with_default (user, "staff_number", "");
  token = json_object_get_string_member_with_default (answer, "token", NULL);
  device_id = json_object_get_string_member_with_default (answer, "device_id", "");
  if (user_id == NULL || bb_role_from_string (role) == BB_ROLE_NONE)
    {
      g_set_error_literal (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_SERVER,
                           _("The server’s answer to sign-in has no user id or role."));
      return FALSE;
    }

  /* One store per user and server, named so nothing of the user leaks into
   * the folder name. */
  key_source = g_strconcat (bb_client_get_base_url (client), "\n", user_id, NULL);
  user_key = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key_source, -1);
  user_key[16] = '\0';

  store = open_user_store (self, user_key, error);
  if (store == NULL)
    return FALSE;

  if (!bb_store_set_meta (store, "identity.user_id", user_id, error) ||
      !bb_store_set_meta (store, "identity.display_name", display_name, error) ||
      !bb_store_set_meta (store, "identity.role", role, error) ||
      !bb_store_set_meta (store, "identity.staff_number", staff_number != NULL ? staff_number : "", error) ||
      !bb_store_set_meta (store, "sync.server_url", bb_client_get_base_url (client), error) ||
      !bb_store_set_meta (store, "sync.username", username, error) ||
      !bb_store_set_meta (store, "sync.device_id", device_id, error) ||
      !bb_store_set_meta (store, "sync.ca_file", ca_file, error))
    return FALSE;

  token_file = g_build_filename (self->data_dir, "users", user_key, "token", NULL);
  if (!bb_secret_store (user_key, token_file, token, place, error))
    return FALSE;

  g_clear_object (&store);
  return switch_user (self, user_key, error);
}

gboolean
bb_session_is_signed_in (BbSession *self)
{
  g_return_val_if_fail (BB_IS_SESSION (self), FALSE);
  return self->has_token && self->server_url != NULL;
}

const char *
bb_session_get_server_url (BbSession *self)
{
  g_return_val_if_fail (BB_IS_SESSION (self), NULL);
  return self->server_url;
}

const char *
bb_session_get_username (BbSession *self)
{
  g_return_val_if_fail (BB_IS_SESSION (self), NULL);
  return self->username;
}

BbClient *
bb_session_create_client (BbSession  *self,
                          GError    **error)
{
  g_autofree char *path = NULL;
  g_autofree char *token = NULL;
  BbClient *client;

  g_return_val_if_fail (BB_IS_SESSION (self), NULL);

  if (self->server_url == NULL)
    {
      g_set_error_literal (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNAUTHORIZED,
                           _("Not signed in: sign in to a server to sync."));
      return NULL;
    }

  path = token_path (self);
  token = bb_secret_lookup (self->user_key, path);
  if (token == NULL)
    {
      g_set_error_literal (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNAUTHORIZED,
                           _("Signed out: sign in again to sync."));
      return NULL;
    }

  client = bb_client_new (self->server_url, self->ca_file, error);
  if (client != NULL)
    bb_client_set_token (client, token);
  return client;
}

gboolean
bb_session_sign_out (BbSession     *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(BbClient) client = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (BB_IS_SESSION (self), FALSE);

  if (g_strcmp0 (self->user_key, LOCAL_USER_KEY) == 0)
    return TRUE;

  /* Ending the session on the server is a courtesy: signing out must work
   * offline too. */
  client = bb_session_create_client (self, NULL);
  if (client != NULL)
    {
      g_autoptr(JsonNode) answer = bb_client_request (client, "DELETE", "/api/v1/sessions/current",
                                                      NULL, NULL, cancellable, NULL);
    }

  path = token_path (self);
  bb_secret_clear (self->user_key, path);
  return switch_user (self, LOCAL_USER_KEY, error);
}

guint
bb_session_count_local_records (BbSession *self)
{
  g_autoptr(BbStore) local = NULL;
  guint n = 0;

  g_return_val_if_fail (BB_IS_SESSION (self), 0);

  if (g_strcmp0 (self->user_key, LOCAL_USER_KEY) == 0)
    return 0;

  local = open_user_store (self, LOCAL_USER_KEY, NULL);
  if (local == NULL || !bb_store_count_records (local, NULL, &n, NULL))
    return 0;
  return n;
}

gboolean
bb_session_adopt_local_records (BbSession  *self,
                                guint      *n_adopted,
                                GError    **error)
{
  g_autoptr(BbStore) local = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *name = NULL;
  g_autofree char *role = NULL;
  g_autofree char *number = NULL;
  g_autofree char *id = NULL;

  g_return_val_if_fail (BB_IS_SESSION (self), FALSE);

  if (n_adopted != NULL)
    *n_adopted = 0;
  if (g_strcmp0 (self->user_key, LOCAL_USER_KEY) == 0)
    return TRUE;

  local = open_user_store (self, LOCAL_USER_KEY, error);
  if (local == NULL)
    return FALSE;
  records = bb_store_list_records (local, NULL, 0, G_MAXUINT, error);
  if (records == NULL)
    return FALSE;

  /* Saved by id: adopting again after an interruption edits, never doubles. */
  for (guint i = 0; i < records->len; i++)
    {
      BbRecord *record = g_ptr_array_index (records, i);

      bb_record_set_rev (record, 0);
      bb_record_set_base_rev (record, 0);
      bb_record_set_seq (record, 0);
      bb_record_set_author (record, self->user_id, self->display_name, bb_role_to_string (self->role));
      if (!bb_store_save_record (self->store, record, error))
        return FALSE;
    }

  /* The device keeps no second copy, but remembers who its local user is. */
  name = bb_store_get_meta (local, "identity.display_name");
  role = bb_store_get_meta (local, "identity.role");
  number = bb_store_get_meta (local, "identity.staff_number");
  id = bb_store_get_meta (local, "identity.user_id");
  if (!bb_store_wipe (local, error))
    return FALSE;
  if ((id != NULL && !bb_store_set_meta (local, "identity.user_id", id, error)) ||
      (name != NULL && !bb_store_set_meta (local, "identity.display_name", name, error)) ||
      (role != NULL && !bb_store_set_meta (local, "identity.role", role, error)) ||
      (number != NULL && !bb_store_set_meta (local, "identity.staff_number", number, error)))
    return FALSE;

  if (n_adopted != NULL)
    *n_adopted = records->len;
  return TRUE;
}

gboolean
bb_session_sync (BbSession     *self,
                 BbSyncStats   *stats,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(BbClient) client = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (BB_IS_SESSION (self), FALSE);

  client = bb_session_create_client (self, error);
  if (client == NULL)
    return FALSE;

  if (bb_sync_run (self->store, client, self->device_id, stats, cancellable, &local_error))
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autoptr(GError) purge_error = NULL;
      g_autoptr(GError) collect_error = NULL;

      /* Devices hold the minimum: the synced copy now says what was
       * reviewed, so what is old enough loses its personal details. The
       * sync itself succeeded; a failure here is tried again next time. */
      if (bb_store_purge_personal_data (self->store, self->profile, now, &purge_error) < 0)
        g_warning ("Removing personal details from this device failed: %s", purge_error->message);
      /* So do files that no record, draft or conflict lists any more (a
       * deleted record's, an attaching stopped as it ended), once a day
       * old: a file attached a moment ago may not be in a draft yet. */
      if (!bb_store_collect_evidence (self->store, 24 * 60 * 60, NULL, &collect_error))
        g_warning ("Removing files no record lists failed: %s", collect_error->message);
      return TRUE;
    }

  path = token_path (self);
  if (g_error_matches (local_error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_DEVICE_REVOKED))
    {
      g_autofree char *who = g_strdup (self->display_name);
      g_autoptr(GError) wipe_error = NULL;

      /* domain.md: a revoked device wipes its local data at its next contact. */
      bb_secret_clear (self->user_key, path);
      if (!bb_store_wipe (self->store, &wipe_error))
        g_warning ("Wiping the revoked device's data failed: %s", wipe_error->message);
      switch_user (self, LOCAL_USER_KEY, NULL);
      g_set_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_DEVICE_REVOKED,
                   _("An administrator revoked this device: the records of %s on it were wiped."),
                   who != NULL ? who : _("the signed-in user"));
      return FALSE;
    }

  if (g_error_matches (local_error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNAUTHORIZED))
    {
      bb_secret_clear (self->user_key, path);
      self->has_token = FALSE;
      g_set_error_literal (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNAUTHORIZED,
                           _("Signed out by the server: sign in again to sync. Nothing was lost."));
      return FALSE;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

void
bb_session_records_changed (BbSession *self)
{
  g_return_if_fail (BB_IS_SESSION (self));

  g_signal_emit (self, signals[RECORDS_CHANGED], 0);
}

GBytes *
bb_session_get_evidence (BbSession           *self,
                         const BbAttachment  *attachment,
                         GCancellable        *cancellable,
                         GError             **error)
{
  g_autoptr(BbClient) client = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (BB_IS_SESSION (self), NULL);
  g_return_val_if_fail (attachment != NULL, NULL);

  dir = bb_store_dup_evidence_dir (self->store);
  if (bb_store_get_blob_state (self->store, attachment->sha256) != BB_BLOB_STATE_ABSENT)
    {
      bytes = bb_evidence_read (dir, attachment->sha256, &local_error);
      if (bytes != NULL)
        return g_steal_pointer (&bytes);
      g_clear_error (&local_error);
    }

  /* Fetched when first shown, never before: a device holds only the
   * evidence someone here looked at (and the server logs each look). */
  client = bb_session_create_client (self, error);
  if (client == NULL)
    return NULL;
  bytes = bb_client_fetch_blob (client, attachment->sha256, cancellable, error);
  if (bytes == NULL)
    return NULL;
  if (!bb_store_cache_blob (self->store, attachment, bytes, error))
    return NULL;

  return g_steal_pointer (&bytes);
}
