/* bb-session.c: the signed-in user's profile, store and identity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

#include <glib/gstdio.h>

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
};

G_DEFINE_FINAL_TYPE (BbSession, bb_session, G_TYPE_OBJECT)

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

  G_OBJECT_CLASS (bb_session_parent_class)->finalize (object);
}

static void
bb_session_class_init (BbSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bb_session_dispose;
  object_class->finalize = bb_session_finalize;
}

static void
bb_session_init (BbSession *self)
{
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

  g_clear_pointer (&self->user_id, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->staff_number, g_free);

  self->user_id = bb_store_get_meta (self->store, "identity.user_id");
  self->display_name = bb_store_get_meta (self->store, "identity.display_name");
  self->staff_number = bb_store_get_meta (self->store, "identity.staff_number");
  role = bb_store_get_meta (self->store, "identity.role");
  self->role = bb_role_from_string (role);
}

BbSession *
bb_session_new (const char  *data_dir,
                GError     **error)
{
  g_autoptr(BbSession) self = g_object_new (BB_TYPE_SESSION, NULL);
  g_autofree char *path = NULL;

  self->data_dir = data_dir != NULL ? g_strdup (data_dir) : bb_data_dir_default ();
  self->user_key = g_strdup (LOCAL_USER_KEY);

  self->profile = bb_profile_load_default (error);
  if (self->profile == NULL)
    return NULL;

  path = g_build_filename (self->data_dir, "users", self->user_key, "beatbook.db", NULL);
  self->store = bb_store_open (path, error);
  if (self->store == NULL)
    return NULL;

  load_identity (self);

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
