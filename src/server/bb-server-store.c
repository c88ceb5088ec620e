/* bb-server-store.c: the storage interface, dispatching to an engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server"

#include "config.h"

#include <string.h>

#include "bb-server-store.h"

G_DEFINE_QUARK (bb-server-store-error-quark, bb_server_store_error)

BbServerStore *
bb_server_store_open (const char  *db,
                      GError     **error)
{
  g_return_val_if_fail (db != NULL, NULL);

  if (bb_server_store_is_pg_uri (db))
    return bb_server_store_pg_open (db, error);
  return bb_server_store_sqlite_open (db, error);
}

void
bb_server_store_close (BbServerStore *self)
{
  if (self != NULL)
    self->vtable->close (self);
}

gboolean
bb_server_store_is_thread_safe (BbServerStore *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->reopen == NULL;
}

BbServerStore *
bb_server_store_reopen (BbServerStore  *self,
                        GError        **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->vtable->reopen != NULL, NULL);

  return self->vtable->reopen (self, error);
}

gboolean
bb_server_store_begin (BbServerStore *self,
                       GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->begin (self, error);
}

gboolean
bb_server_store_commit (BbServerStore *self,
                        GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->commit (self, error);
}

void
bb_server_store_rollback (BbServerStore *self)
{
  g_return_if_fail (self != NULL);

  self->vtable->rollback (self);
}

gboolean
bb_server_store_savepoint (BbServerStore *self,
                           GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->savepoint (self, error);
}

gboolean
bb_server_store_release (BbServerStore *self,
                         GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->release (self, error);
}

void
bb_server_store_rollback_to (BbServerStore *self)
{
  g_return_if_fail (self != NULL);

  self->vtable->rollback_to (self);
}

gboolean
bb_server_store_user_add (BbServerStore *self,
                          const BbServerUser *user,
                          GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->user_add (self, user, error);
}

BbServerUser   *
bb_server_store_user_find (BbServerStore *self,
                           const char *username,
                           const char *id,
                           GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->vtable->user_find (self, username, id, error);
}

gboolean
bb_server_store_user_set_disabled (BbServerStore *self,
                                   const char *username,
                                   gboolean disabled,
                                   GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->user_set_disabled (self, username, disabled, error);
}

gboolean
bb_server_store_device_add (BbServerStore *self,
                            const BbServerDevice *device,
                            GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->device_add (self, device, error);
}

BbServerDevice *
bb_server_store_device_get (BbServerStore *self,
                            const char *id,
                            GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->vtable->device_get (self, id, error);
}

gboolean
bb_server_store_device_revoke (BbServerStore *self,
                               const char *id,
                               const char *at,
                               GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->device_revoke (self, id, at, error);
}

gboolean
bb_server_store_session_add (BbServerStore *self,
                             const BbServerSession *session,
                             GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->session_add (self, session, error);
}

BbServerSession*
bb_server_store_session_get (BbServerStore *self,
                             const char *token_hash,
                             GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->vtable->session_get (self, token_hash, error);
}

gboolean
bb_server_store_session_extend (BbServerStore *self,
                                const char    *token_hash,
                                const char    *expires_at,
                                GError       **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (token_hash != NULL && expires_at != NULL, FALSE);

  return self->vtable->session_extend (self, token_hash, expires_at, error);
}

gboolean
bb_server_store_session_revoke (BbServerStore *self,
                                const char *token_hash,
                                GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->session_revoke (self, token_hash, error);
}

gboolean
bb_server_store_login_failure_add (BbServerStore *self,
                                   const char *username,
                                   const char *at,
                                   GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->login_failure_add (self, username, at, error);
}

gboolean
bb_server_store_login_failures_count (BbServerStore *self,
                                      const char *username,
                                      const char *since,
                                      guint *count,
                                      GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->login_failures_count (self, username, since, count, error);
}

BbServerRecord *
bb_server_store_record_get (BbServerStore *self,
                            const char *id,
                            GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->vtable->record_get (self, id, error);
}

gboolean
bb_server_store_record_rev_find (BbServerStore *self,
                                 const char *id,
                                 gint64 rev,
                                 gboolean *found,
                                 char **change_hash,
                                 gint64 *seq,
                                 GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->record_rev_find (self, id, rev, found, change_hash, seq, error);
}

gboolean
bb_server_store_record_put (BbServerStore *self,
                            BbServerRecord *record,
                            const char *change_hash,
                            GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->record_put (self, record, change_hash, error);
}

gboolean
bb_server_store_blob_find (BbServerStore       *self,
                           const char          *sha256,
                           const BbServerScope *scope,
                           const char          *except,
                           char               **record_id,
                           GError             **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (sha256 != NULL, FALSE);
  g_return_val_if_fail (scope != NULL, FALSE);
  g_return_val_if_fail (record_id != NULL, FALSE);

  return self->vtable->blob_find (self, sha256, scope, except, record_id, error);
}

GPtrArray *
bb_server_store_record_blobs (BbServerStore *self,
                              const char    *record_id,
                              GError       **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (record_id != NULL, NULL);

  return self->vtable->record_blobs (self, record_id, error);
}

GPtrArray      *
bb_server_store_records_pull (BbServerStore *self,
                              const BbServerScope *scope,
                              gint64 since,
                              guint limit,
                              gboolean *more,
                              GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->vtable->records_pull (self, scope, since, limit, more, error);
}

GPtrArray      *
bb_server_store_s59_lookup (BbServerStore *self,
                            const char *vrm,
                            const char *surname,
                            const char *dob,
                            const char *issued_since,
                            GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->vtable->s59_lookup (self, vrm, surname, dob, issued_since, error);
}

gboolean
bb_server_store_audit_append (BbServerStore *self,
                              const BbServerAuditEntry *entry,
                              GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->audit_append (self, entry, error);
}

gboolean
bb_server_store_audit_append_many (BbServerStore              *self,
                                   BbServerAuditEntry * const *entries,
                                   guint                       n_entries,
                                   GError                    **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (entries != NULL || n_entries == 0, FALSE);

  if (n_entries == 0)
    return TRUE;
  if (self->vtable->audit_append_many != NULL)
    return self->vtable->audit_append_many (self, entries, n_entries, error);

  for (guint i = 0; i < n_entries; i++)
    if (!self->vtable->audit_append (self, entries[i], error))
      return FALSE;
  return TRUE;
}

GPtrArray      *
bb_server_store_audit_list (BbServerStore *self,
                            gint64 since,
                            guint limit,
                            gboolean *more,
                            GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->vtable->audit_list (self, since, limit, more, error);
}

void
bb_server_user_free (BbServerUser *user)
{
  if (user == NULL)
    return;
  g_free (user->id);
  g_free (user->username);
  g_free (user->display_name);
  g_free (user->role);
  g_free (user->staff_number);
  if (user->password_hash != NULL)
    memset (user->password_hash, 0, strlen (user->password_hash));
  g_free (user->password_hash);
  g_free (user->created_at);
  g_free (user);
}

void
bb_server_device_free (BbServerDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->id);
  g_free (device->name);
  g_free (device->user_id);
  g_free (device->created_at);
  g_free (device->revoked_at);
  g_free (device);
}

void
bb_server_session_free (BbServerSession *session)
{
  if (session == NULL)
    return;
  g_free (session->token_hash);
  g_free (session->user_id);
  g_free (session->device_id);
  g_free (session->created_at);
  g_free (session->expires_at);
  g_free (session);
}

void
bb_server_record_free (BbServerRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->id);
  g_free (record->kind);
  g_free (record->occurred_at);
  g_free (record->created_at);
  g_free (record->updated_at);
  g_free (record->author_id);
  g_free (record->author_name);
  g_free (record->author_role);
  g_free (record->fields_json);
  g_free (record->review_state);
  g_free (record->review_json);
  g_free (record->lookup_vrm);
  g_free (record->lookup_surname);
  g_free (record->lookup_dob);
  g_free (record->written_by);
  g_free (record);
}

void
bb_server_audit_entry_free (BbServerAuditEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->at);
  g_free (entry->user_id);
  g_free (entry->username);
  g_free (entry->device_id);
  g_free (entry->action);
  g_free (entry->record_id);
  g_free (entry->detail);
  g_free (entry);
}
