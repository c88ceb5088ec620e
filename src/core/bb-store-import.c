/* bb-store-import.c: many new records in one transaction (beatbook-cli import)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A file of years of records goes in as one transaction, so one fsync makes
 * it durable and a file with a problem leaves nothing behind. Each record is
 * written as bb_store_save_record() writes a new one (rev 1, pending, in the
 * outbox) and its search entry goes in the same transaction, a batch at a
 * time in key order (bb-store-search-entries.c): when the commit returns,
 * every record is stored and found by a search.
 *
 * What a row needs that is not the store's (the fields written out once,
 * the search text) is made by bb_store_import_row_new() without the store,
 * so the import command makes the next rows on one thread while another
 * writes these. The writer keeps its two statements for the whole import
 * and counts outbox positions itself: a new record has no row, no outbox
 * entry and no search entry to update, so each is a plain INSERT.
 */
#define G_LOG_DOMAIN "beatbook-store"

#include "config.h"

#include <string.h>

#include "bb-i18n.h"
#include "bb-store-private.h"

/* Page cache during an import, in KiB. */
#define IMPORT_CACHE_KIB 262144

#define INSERT_RECORD_SQL \
  "INSERT INTO records (id, kind, rev, base_rev, seq, deleted, occurred_at," \
  " priority, fields, created_at, updated_at, author_id, author_name," \
  " author_role, review_state, review_comments, sync_state, sync_message, ward)" \
  " VALUES (?1, ?2, 1, 0, 0, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9, ?10, ?11, ?12," \
  " 'pending', NULL, ?13)"
#define INSERT_OUTBOX_SQL \
  "INSERT INTO outbox (id, rev, queued_at, position) VALUES (?1, 1, ?2, ?3)"

/* The text columns of a row. */
enum
{
  COLUMN_ID,
  COLUMN_KIND,
  COLUMN_OCCURRED_AT,
  COLUMN_FIELDS,
  COLUMN_AUTHOR_ID,
  COLUMN_AUTHOR_NAME,
  COLUMN_AUTHOR_ROLE,
  COLUMN_REVIEW_STATE,
  COLUMN_REVIEW_COMMENTS,
  COLUMN_WARD,
  N_COLUMNS
};

/* Everything a row needs, apart from the record it was made from: the
 * thread that writes rows frees one block per row, not a record and its
 * tree of fields. */
struct _BbStoreImportRow
{
  char     *block;               /* the columns' texts, each ending in NUL */
  int       offsets[N_COLUMNS];  /* into block; -1 for NULL */
  int       priority;
  gboolean  deleted;
  char     *search_text;         /* until taken by the search entries */
};

static void
add_column (GString          *block,
            BbStoreImportRow *row,
            guint             column,
            const char       *text)
{
  if (text == NULL)
    {
      row->offsets[column] = -1;
      return;
    }

  row->offsets[column] = (int) block->len;
  g_string_append_len (block, text, (gssize) strlen (text) + 1);
}

static const char *
column_text (const BbStoreImportRow *row,
             guint                   column)
{
  return row->offsets[column] >= 0 ? row->block + row->offsets[column] : NULL;
}

BbStoreImportRow *
bb_store_import_row_new (BbRecord *record)
{
  BbStoreImportRow *row;
  JsonObject *fields;
  g_autofree char *fields_text = NULL;
  g_autofree char *comments_text = NULL;
  const char *review_state;
  GString *block;

  g_return_val_if_fail (BB_IS_RECORD (record), NULL);

  fields = bb_record_get_fields (record);
  fields_text = bb_store_object_to_string (fields);
  comments_text = bb_store_array_to_string (bb_record_get_review_comments (record));
  review_state = bb_record_get_review_state (record);
  block = g_string_sized_new (strlen (fields_text) + 256);

  row = g_new0 (BbStoreImportRow, 1);
  add_column (block, row, COLUMN_ID, bb_record_get_id (record));
  add_column (block, row, COLUMN_KIND, bb_record_get_kind (record));
  add_column (block, row, COLUMN_OCCURRED_AT, bb_record_get_occurred_at (record));
  add_column (block, row, COLUMN_FIELDS, fields_text);
  add_column (block, row, COLUMN_AUTHOR_ID, bb_record_get_author_id (record));
  add_column (block, row, COLUMN_AUTHOR_NAME, bb_record_get_author_name (record));
  add_column (block, row, COLUMN_AUTHOR_ROLE, bb_record_get_author_role (record));
  add_column (block, row, COLUMN_REVIEW_STATE, review_state != NULL ? review_state : "new");
  add_column (block, row, COLUMN_REVIEW_COMMENTS, comments_text);
  add_column (block, row, COLUMN_WARD, bb_store_ward_of (fields));
  row->block = g_string_free (block, FALSE);
  row->priority = bb_record_get_priority (record);
  row->deleted = bb_record_get_deleted (record);
  row->search_text = bb_store_search_text_for (bb_record_get_kind (record), fields);
  return row;
}

void
bb_store_import_row_free (BbStoreImportRow *row)
{
  if (row == NULL)
    return;

  g_free (row->block);
  g_free (row->search_text);
  g_free (row);
}

static void
restore_cache (BbStore *self)
{
  sqlite3_exec (self->db, "PRAGMA cache_size = " G_STRINGIFY (BB_STORE_CACHE_SIZE), NULL, NULL, NULL);
  /* Give the memory back now, not when the store closes. */
  sqlite3_db_release_memory (self->db);
}

struct _BbStoreImport
{
  BbStore      *store;
  char         *now;
  gboolean      open;      /* the transaction is open and the lock held */
  sqlite3_stmt *insert_record;
  sqlite3_stmt *insert_outbox;
  gint64        position;  /* the outbox's last */
  BbSearchEntries *entries;  /* search entries not yet written */
};

/* Ends the transaction (rolled back unless committed) and lets go of the
 * store's lock. */
static void
import_close (BbStoreImport *import)
{
  /* The statements stay in the store's cache; they only need resetting. */
  if (import->insert_record != NULL)
    sqlite3_reset (import->insert_record);
  if (import->insert_outbox != NULL)
    sqlite3_reset (import->insert_outbox);
  import->insert_record = import->insert_outbox = NULL;
  g_clear_pointer (&import->entries, bb_store_search_entries_free);

  bb_store_rollback (import->store);
  restore_cache (import->store);
  import->open = FALSE;
  g_mutex_unlock (&import->store->lock);
}

BbStoreImport *
bb_store_import_begin (BbStore  *self,
                       GError  **error)
{
  g_autoptr(BbStoreImport) import = NULL;

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
  import->entries = bb_store_search_entries_new (BB_SEARCH_BULK_BATCH);

  /* The write lock is held (BEGIN IMMEDIATE): nobody else adds to the
   * outbox until the commit, so its positions can be counted here. */
  if (!bb_store_query_int (self, "SELECT COALESCE (MAX (position), 0) FROM outbox",
                           &import->position, error))
    return NULL;

  if (!bb_store_search_set_hashsize (self, BB_SEARCH_BULK_HASHSIZE, error))
    return NULL;

  import->insert_record = bb_store_get_stmt (self, INSERT_RECORD_SQL, error);
  if (import->insert_record == NULL)
    return NULL;
  import->insert_outbox = bb_store_get_stmt (self, INSERT_OUTBOX_SQL, error);
  if (import->insert_outbox == NULL)
    return NULL;

  return g_steal_pointer (&import);
}

/* Binds text that outlives the step, without a copy. */
static void
bind_static (sqlite3_stmt *stmt,
             int           index,
             const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

static gboolean
insert_record (BbStoreImport     *import,
               BbStoreImportRow  *row,
               gint64            *num,
               GError           **error)
{
  BbStore *self = import->store;
  sqlite3_stmt *stmt = import->insert_record;
  gboolean ok;

  bind_static (stmt, 1, column_text (row, COLUMN_ID));
  bind_static (stmt, 2, column_text (row, COLUMN_KIND));
  sqlite3_bind_int (stmt, 3, row->deleted ? 1 : 0);
  bind_static (stmt, 4, column_text (row, COLUMN_OCCURRED_AT));
  sqlite3_bind_int (stmt, 5, row->priority);
  bind_static (stmt, 6, column_text (row, COLUMN_FIELDS));
  bind_static (stmt, 7, import->now);
  bind_static (stmt, 8, column_text (row, COLUMN_AUTHOR_ID));
  bind_static (stmt, 9, column_text (row, COLUMN_AUTHOR_NAME));
  bind_static (stmt, 10, column_text (row, COLUMN_AUTHOR_ROLE));
  bind_static (stmt, 11, column_text (row, COLUMN_REVIEW_STATE));
  bind_static (stmt, 12, column_text (row, COLUMN_REVIEW_COMMENTS));
  bind_static (stmt, 13, column_text (row, COLUMN_WARD));

  ok = bb_store_step_done (self, stmt, _("Could not write the record"), error);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (ok)
    *num = sqlite3_last_insert_rowid (self->db);
  return ok;
}

static gboolean
insert_outbox (BbStoreImport  *import,
               const char     *id,
               GError        **error)
{
  sqlite3_stmt *stmt = import->insert_outbox;
  gboolean ok;

  bind_static (stmt, 1, id);
  bind_static (stmt, 2, import->now);
  sqlite3_bind_int64 (stmt, 3, import->position + 1);
  ok = bb_store_step_done (import->store, stmt, _("Could not queue the record for sync"), error);
  sqlite3_reset (stmt);
  if (ok)
    import->position++;
  return ok;
}

gboolean
bb_store_import_add_row (BbStoreImport     *import,
                         BbStoreImportRow  *row,
                         GError           **error)
{
  g_autoptr(BbStoreImportRow) owned = row;
  const char *id;
  const char *occurred_at;
  gint64 num = 0;

  g_return_val_if_fail (import != NULL && import->open, FALSE);
  g_return_val_if_fail (row != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  id = column_text (row, COLUMN_ID);
  occurred_at = column_text (row, COLUMN_OCCURRED_AT);
  if (id == NULL || *id == '\0' || column_text (row, COLUMN_KIND) == NULL || occurred_at == NULL)
    {
      g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
                   _("Could not save the record: it has no id, kind or time"));
      return FALSE;
    }

  if (!insert_record (import, row, &num, error) ||
      !insert_outbox (import, id, error))
    return FALSE;

  return bb_store_search_entries_add (import->store, import->entries, num, occurred_at,
                                      g_steal_pointer (&row->search_text), error);
}

gboolean
bb_store_import_add (BbStoreImport  *import,
                     BbRecord       *record,
                     GError        **error)
{
  g_return_val_if_fail (import != NULL && import->open, FALSE);
  g_return_val_if_fail (BB_IS_RECORD (record), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!bb_store_import_add_row (import, bb_store_import_row_new (record), error))
    return FALSE;

  bb_record_set_rev (record, 1);
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

  ok = bb_store_search_entries_write (import->store, import->entries, error) &&
       bb_store_search_set_hashsize (import->store, BB_SEARCH_HASHSIZE, error) &&
       bb_store_commit (import->store, error);
  import_close (import);
  bb_store_import_free (import);
  return ok;
}

void
bb_store_import_free (BbStoreImport *import)
{
  if (import == NULL)
    return;

  if (import->open)
    import_close (import);
  g_clear_object (&import->store);
  g_free (import->now);
  g_free (import);
}
