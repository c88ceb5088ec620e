/* bb-store-import.c: many new records in one transaction (beatbook-cli import)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A file of years of records goes in as one transaction, so one fsync makes
 * it durable and a file with a problem leaves nothing behind. Each record is
 * written as bb_store_save_record() writes a new one (rev 1, pending, in the
 * outbox); only its search text waits, for bb_store_index_pending().
 */
#define G_LOG_DOMAIN "beatbook-store"

#include "config.h"

#include "bb-i18n.h"
#include "bb-store-private.h"

/* Page cache during an import, in KiB. */
#define IMPORT_CACHE_KIB 262144

static void
restore_cache (BbStore *self)
{
  sqlite3_exec (self->db, "PRAGMA cache_size = " G_STRINGIFY (BB_STORE_CACHE_SIZE), NULL, NULL, NULL);
  /* Give the memory back now, not when the store closes. */
  sqlite3_db_release_memory (self->db);
}

struct _BbStoreImport
{
  BbStore  *store;
  char     *now;
  gboolean  open;   /* the transaction is open and the lock held */
};

BbStoreImport *
bb_store_import_begin (BbStore  *self,
                       GError  **error)
{
  BbStoreImport *import;

  g_return_val_if_fail (BB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&self->lock);
  /* A million rows touch every page of six indexes in random order (ids are
   * random): with the usual 16 MiB of cache SQLite would write the same
   * pages out again and again. The import is a batch job, so it gets more. */
  sqlite3_exec (self->db, "PRAGMA cache_size = -" G_STRINGIFY (IMPORT_CACHE_KIB), NULL, NULL, NULL);
  if (!bb_store_begin (self, error))
    {
      restore_cache (self);
      g_mutex_unlock (&self->lock);
      return NULL;
    }

  import = g_new0 (BbStoreImport, 1);
  import->store = g_object_ref (self);
  import->now = bb_store_now_iso ();
  import->open = TRUE;
  return import;
}

gboolean
bb_store_import_add (BbStoreImport  *import,
                     BbRecord       *record,
                     GError        **error)
{
  BbStore *self;
  const char *id;
  BbRowState row = { 0, };

  g_return_val_if_fail (import != NULL && import->open, FALSE);
  g_return_val_if_fail (BB_IS_RECORD (record), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self = import->store;
  id = bb_record_get_id (record);
  if (id == NULL || *id == '\0' || bb_record_get_kind (record) == NULL ||
      bb_record_get_occurred_at (record) == NULL)
    {
      g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                   _("Could not save the record: it has no id, kind or time"));
      return FALSE;
    }

  row.rev = 1;
  row.created_at = import->now;
  row.updated_at = import->now;
  row.sync_state = BB_SYNC_STATE_PENDING;
  row.defer_index = TRUE;

  if (!bb_store_write_record_row (self, record, &row, error) ||
      !bb_store_enqueue (self, id, row.rev, import->now, error))
    return FALSE;

  bb_record_set_rev (record, row.rev);
  bb_record_set_created_at (record, import->now);
  bb_record_set_updated_at (record, import->now);
  bb_record_set_sync_state (record, BB_SYNC_STATE_PENDING);
  if (bb_record_get_review_state (record) == NULL)
    bb_record_set_review_state (record, "new");
  return TRUE;
}

gboolean
bb_store_import_commit (BbStoreImport  *import,
                        GError        **error)
{
  gboolean ok;

  g_return_val_if_fail (import != NULL && import->open, FALSE);

  ok = bb_store_commit (import->store, error);
  if (!ok)
    bb_store_rollback (import->store);
  import->open = FALSE;
  restore_cache (import->store);
  g_mutex_unlock (&import->store->lock);
  bb_store_import_free (import);
  return ok;
}

void
bb_store_import_free (BbStoreImport *import)
{
  if (import == NULL)
    return;

  if (import->open)
    {
      bb_store_rollback (import->store);
      restore_cache (import->store);
      g_mutex_unlock (&import->store->lock);
    }
  g_clear_object (&import->store);
  g_free (import->now);
  g_free (import);
}
