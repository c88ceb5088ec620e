/* bb-store-search-entries.c: writing entries into the search index
 *
 * An entry is a record's search text in records_fts under its key, and the
 * key in search_keys. One record's entry is written as it is saved; many
 * (an import, pull pages, an upgrade) go a batch at a time in key order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-store"

#include "config.h"

#include <sqlite3.h>

#include "bb-i18n.h"
#include "bb-store-private.h"

#define KEY_SQL "INSERT INTO search_keys (num, key) VALUES (?1, ?2)"
#define TEXT_SQL "INSERT INTO records_fts (rowid, body) VALUES (?1, ?2)"

gboolean
bb_store_search_check_num (BbStore  *self,
                           gint64    num,
                           GError  **error)
{
  g_autofree char *number = NULL;

  if (num >= 0 && num <= BB_SEARCH_NUM_MASK)
    return TRUE;

  number = g_strdup_printf ("%" G_GINT64_FORMAT, num);
  g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED,
               /* Translators: the file, then the record's number in it */
               _("Could not update the search index in “%s”: record number %s is out of its range"),
               self->path, number);
  return FALSE;
}

/* One entry through the two statements, which are left reset. @text is
 * bound without a copy: it lives until the statement is reset. */
static gboolean
write_entry (BbStore       *self,
             sqlite3_stmt  *key_stmt,
             sqlite3_stmt  *text_stmt,
             gint64         num,
             gint64         key,
             const char    *text,
             GError       **error)
{
  gboolean ok;

  sqlite3_bind_int64 (key_stmt, 1, num);
  sqlite3_bind_int64 (key_stmt, 2, key);
  ok = bb_store_step_done (self, key_stmt, _("Could not update the search index"), error);
  sqlite3_reset (key_stmt);
  if (!ok)
    return FALSE;

  sqlite3_bind_int64 (text_stmt, 1, key);
  sqlite3_bind_text (text_stmt, 2, text, -1, SQLITE_STATIC);
  ok = bb_store_step_done (self, text_stmt, _("Could not update the search index"), error);
  sqlite3_reset (text_stmt);
  sqlite3_clear_bindings (text_stmt);
  return ok;
}

gboolean
bb_store_search_insert_entry (BbStore     *self,
                              gint64       num,
                              gint64       key,
                              const char  *text,
                              GError     **error)
{
  g_autoptr(BbCachedStmt) key_stmt = bb_store_get_stmt (self, KEY_SQL, error);
  g_autoptr(BbCachedStmt) text_stmt = NULL;

  if (key_stmt == NULL)
    return FALSE;
  text_stmt = bb_store_get_stmt (self, TEXT_SQL, error);
  if (text_stmt == NULL)
    return FALSE;

  return write_entry (self, key_stmt, text_stmt, num, key, text, error);
}

/* Entries written in bulk go in key order a batch at a time: FTS5 writes
 * its pending terms out whenever a rowid is not above the last one, so
 * entries in num order (times at random) would write a segment each, and
 * a sort of them all would hold every text in memory or read the records
 * in random order. */
typedef struct
{
  gint64  key;
  gint64  num;
  char   *text;
} Entry;

struct _BbSearchEntries
{
  GArray *array;  /* (element-type Entry) */
  guint   batch;
};

static void
entry_clear (gpointer data)
{
  g_free (((Entry *) data)->text);
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  gint64 x = ((const Entry *) a)->key, y = ((const Entry *) b)->key;

  return (x > y) - (x < y);
}

BbSearchEntries *
bb_store_search_entries_new (guint batch)
{
  BbSearchEntries *entries = g_new0 (BbSearchEntries, 1);

  entries->batch = MAX (batch, 1);
  entries->array = g_array_sized_new (FALSE, FALSE, sizeof (Entry), entries->batch);
  g_array_set_clear_func (entries->array, entry_clear);
  return entries;
}

void
bb_store_search_entries_free (BbSearchEntries *entries)
{
  if (entries == NULL)
    return;

  g_array_unref (entries->array);
  g_free (entries);
}

gboolean
bb_store_search_entries_write (BbStore          *self,
                               BbSearchEntries  *entries,
                               GError          **error)
{
  GArray *array = entries->array;
  g_autoptr(BbCachedStmt) key_stmt = NULL;
  g_autoptr(BbCachedStmt) text_stmt = NULL;

  if (array->len == 0)
    return TRUE;

  key_stmt = bb_store_get_stmt (self, KEY_SQL, error);
  if (key_stmt == NULL)
    return FALSE;
  text_stmt = bb_store_get_stmt (self, TEXT_SQL, error);
  if (text_stmt == NULL)
    return FALSE;

  g_array_sort (array, compare_entries);
  for (guint i = 0; i < array->len; i++)
    {
      Entry *entry = &g_array_index (array, Entry, i);

      if (!write_entry (self, key_stmt, text_stmt, entry->num, entry->key, entry->text, error))
        return FALSE;
    }
  g_array_set_size (array, 0);
  return TRUE;
}

gboolean
bb_store_search_entries_add (BbStore          *self,
                             BbSearchEntries  *entries,
                             gint64            num,
                             const char       *occurred_at,
                             char             *text,
                             GError          **error)
{
  Entry entry = { 0, num, text };

  if (*text == '\0')
    {
      g_free (text);
      return TRUE;
    }
  if (!bb_store_search_check_num (self, num, error))
    {
      g_free (text);
      return FALSE;
    }

  entry.key = bb_store_search_key (occurred_at, num);
  g_array_append_val (entries->array, entry);
  return entries->array->len < entries->batch ||
         bb_store_search_entries_write (self, entries, error);
}

gboolean
bb_store_search_set_hashsize (BbStore   *self,
                              gint64     bytes,
                              GError   **error)
{
  g_autofree char *sql =
    g_strdup_printf ("INSERT INTO records_fts (records_fts, rank) VALUES ('hashsize', %" G_GINT64_FORMAT ")",
                     bytes);

  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      bb_store_set_db_error (self, error, _("Could not update the search index"));
      return FALSE;
    }
  return TRUE;
}
