/* bb-store-search.c: the text records_fts holds, and the index kept from it
 *
 * Which fields of a record are searchable is the kind's to say (bb-kind.h);
 * this file walks them into one body per record, turns what a user types
 * into an FTS5 match, and fills the index when migration 2 creates it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-store"

#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "bb-i18n.h"
#include "bb-store-private.h"

/* Search text */

static void append_searchable_object (GString           *out,
                                      JsonObject        *object,
                                      const BbFieldSpec *table);

static void
append_text (GString    *out,
             const char *text)
{
  if (text == NULL || *text == '\0')
    return;

  if (out->len > 0)
    g_string_append_c (out, '\n');
  g_string_append (out, text);
}

static void
append_string_node (GString  *out,
                    JsonNode *node,
                    gboolean  is_vrm)
{
  const char *text;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return;

  text = json_node_get_string (node);
  append_text (out, text);

  /* People type marks with and without the space; the tokenizer would split
   * "AB12 CDE" in two, so the joined form is indexed as well. */
  if (is_vrm && text != NULL)
    {
      g_autoptr(GString) joined = g_string_new (NULL);

      for (const char *p = text; *p != '\0'; p++)
        if (g_ascii_isalnum (*p))
          g_string_append_c (joined, g_ascii_toupper (*p));

      if (joined->len > 0 && strcmp (joined->str, text) != 0)
        append_text (out, joined->str);
    }
}

static void
append_every_string (GString  *out,
                     JsonNode *node)
{
  if (node == NULL)
    return;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, NULL, &member))
          append_every_string (out, member);
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          append_every_string (out, json_array_get_element (array, i));
      }
      break;
    case JSON_NODE_VALUE:
      append_string_node (out, node, FALSE);
      break;
    case JSON_NODE_NULL:
    default:
      break;
    }
}

static void
append_searchable_member (GString           *out,
                          JsonNode          *node,
                          const BbFieldSpec *spec)
{
  switch (spec->type)
    {
    case BB_FIELD_OBJECT:
      if (JSON_NODE_HOLDS_OBJECT (node))
        append_searchable_object (out, json_node_get_object (node), spec->children);
      break;
    case BB_FIELD_OBJECT_LIST:
      if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *element = json_array_get_element (array, i);

              if (JSON_NODE_HOLDS_OBJECT (element))
                append_searchable_object (out, json_node_get_object (element),
                                          spec->children);
            }
        }
      break;
    case BB_FIELD_TEXT_LIST:
      if ((spec->flags & BB_FIELD_FLAG_SEARCHABLE) && JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);

          for (guint i = 0; i < json_array_get_length (array); i++)
            append_string_node (out, json_array_get_element (array, i), FALSE);
        }
      break;
    case BB_FIELD_TEXT:
    case BB_FIELD_VRM:
      if (spec->flags & BB_FIELD_FLAG_SEARCHABLE)
        append_string_node (out, node, spec->type == BB_FIELD_VRM);
      break;
    case BB_FIELD_COUNT:
    case BB_FIELD_BOOL:
    case BB_FIELD_NUMBER:
    case BB_FIELD_TIME:
    case BB_FIELD_DATE:
    case BB_FIELD_CHOICE:
    case BB_FIELD_CHOICE_LIST:
    case BB_FIELD_ID_LIST:
    default:
      break;
    }
}

static void
append_searchable_object (GString           *out,
                          JsonObject        *object,
                          const BbFieldSpec *table)
{
  if (object == NULL || table == NULL)
    return;

  for (const BbFieldSpec *spec = table; spec->name != NULL; spec++)
    {
      JsonNode *node = json_object_get_member (object, spec->name);

      if (node != NULL)
        append_searchable_member (out, node, spec);
    }
}

/* (transfer full): what records_fts indexes for a record. */
char *
bb_store_search_text_for (const char *kind,
                          JsonObject *fields)
{
  const BbKindSpec *spec = bb_kind_lookup (kind);
  GString *out = g_string_new (NULL);

  if (fields == NULL)
    return g_string_free (out, FALSE);

  if (spec != NULL)
    {
      append_searchable_object (out, fields, bb_kind_common_fields ());
      append_searchable_object (out, fields, spec->fields);
    }
  else
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (node, fields);
      append_every_string (out, node);
    }

  return g_string_free (out, FALSE);
}

/* (transfer full) (nullable): @search as an FTS5 query that cannot be a
 * syntax error: each word of letters and digits becomes a quoted prefix
 * term ("word"*), everything else separates words, so quotes, brackets,
 * AND/OR/NOT and emoji are plain input. NULL when there is no word. */
char *
bb_store_search_to_match (const char *search)
{
  g_autofree char *normal = NULL;
  g_autoptr(GString) match = g_string_new (NULL);
  gboolean in_word = FALSE;

  if (search == NULL || !g_utf8_validate (search, -1, NULL))
    return NULL;

  normal = g_utf8_normalize (search, -1, G_NORMALIZE_DEFAULT_COMPOSE);
  if (normal == NULL)
    return NULL;

  for (const char *p = normal; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean word_char = g_unichar_isalnum (c) || g_unichar_ismark (c);

      if (word_char && !in_word)
        {
          if (match->len > 0)
            g_string_append_c (match, ' ');
          g_string_append_c (match, '"');
        }
      else if (!word_char && in_word)
        g_string_append (match, "\"*");

      if (word_char)
        g_string_append_unichar (match, c);
      in_word = word_char;
    }

  if (in_word)
    g_string_append (match, "\"*");

  if (match->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&match), FALSE);
}

/* Search keys
 *
 * records_fts's rowid is not the record's num but a key that follows the
 * list's order: the time bucket of occurred_at above, num below. A search
 * walks the index from the largest key down and stops once it has a page,
 * instead of asking FTS5 for every match and sorting those by time. The
 * bucket is monotonic in the byte order of occurred_at (the list's order)
 * for any string at all, so rows of a lower bucket are always older; the
 * list's exact order (occurred_at, id) is restored within a bucket. */

/* Digits of "YYYY-MM-DDTHH:MM:SS" as one number, 10^remaining. */
static gint64
power_of_ten (int n)
{
  gint64 value = 1;

  while (n-- > 0)
    value *= 10;
  return value;
}

/* The largest YYYYMMDDhhmmss of a string shaped "dddd-dd-ddTdd:dd:dd"
 * (any digits) that sorts at or before @s in byte order, or -1 when none
 * does: so that a < b implies floor (a) <= floor (b). */
static gint64
floor_digits (const char *s)
{
  static const char shape[] = "dddd-dd-ddTdd:dd:dd";
  gint64 value = 0;
  int remaining = 14;

  for (guint i = 0; i < sizeof shape - 1; i++)
    {
      guchar c = (guchar) s[i];
      gboolean is_digit = shape[i] == 'd';
      guchar low = is_digit ? '0' : (guchar) shape[i];
      guchar high = is_digit ? '9' : (guchar) shape[i];

      if (c < low)   /* the end of @s too: every such string sorts after it */
        return value * power_of_ten (remaining) - 1;
      if (c > high)  /* every such string with this prefix sorts before it */
        return (value + 1) * power_of_ten (remaining) - 1;
      if (is_digit)
        {
          value = value * 10 + (c - '0');
          remaining--;
        }
    }

  return value;
}

gint64
bb_store_search_bucket (const char *occurred_at)
{
  static const int lows[6] = { BB_SEARCH_FIRST_YEAR, 0, 0, 0, 0, 0 };
  static const int highs[6] = { BB_SEARCH_FIRST_YEAR + BB_SEARCH_YEARS - 1, 12, 31, 23, 59, 59 };
  static const int radix[6] = { BB_SEARCH_YEARS, 13, 32, 24, 60, 60 };
  gint64 digits = floor_digits (occurred_at != NULL ? occurred_at : "");
  int parts[6];
  gint64 bucket = 0;

  if (digits < 0)
    return 0;

  parts[0] = (int) (digits / 10000000000);
  parts[1] = (int) (digits / 100000000 % 100);
  parts[2] = (int) (digits / 1000000 % 100);
  parts[3] = (int) (digits / 10000 % 100);
  parts[4] = (int) (digits / 100 % 100);
  parts[5] = (int) (digits % 100);

  /* Each part into its range; one out of range takes the ones after it to
   * the same end, which keeps the order (a floor or a ceiling in the
   * ranges). */
  for (guint i = 0; i < 6; i++)
    {
      if (parts[i] < lows[i] || parts[i] > highs[i])
        {
          gboolean below = parts[i] < lows[i];

          for (guint j = i; j < 6; j++)
            parts[j] = below ? lows[j] : highs[j];
          break;
        }
    }

  for (guint i = 0; i < 6; i++)
    bucket = bucket * radix[i] + (parts[i] - lows[i]);

  return bucket;
}

gint64
bb_store_search_key (const char *occurred_at,
                     gint64      num)
{
  g_return_val_if_fail (num >= 0 && num <= BB_SEARCH_NUM_MASK, -1);

  return (bb_store_search_bucket (occurred_at) << BB_SEARCH_NUM_BITS) | num;
}

/* Removes the entry of record @num from the index, if it has one. */
static gboolean
unindex_num (BbStore  *self,
             gint64    num,
             GError  **error)
{
  gint64 key;

  {
    g_autoptr(BbCachedStmt) stmt =
      bb_store_get_stmt (self, "DELETE FROM search_keys WHERE num = ?1 RETURNING key", error);
    int rc;

    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, num);
    rc = sqlite3_step (stmt);
    if (rc == SQLITE_DONE)
      return TRUE;
    if (rc != SQLITE_ROW)
      {
        bb_store_set_db_error (self, error, _("Could not update the search index"));
        return FALSE;
      }
    key = sqlite3_column_int64 (stmt, 0);
    if (!bb_store_step_done (self, stmt, _("Could not update the search index"), error))
      return FALSE;
  }

  {
    g_autoptr(BbCachedStmt) stmt =
      bb_store_get_stmt (self, "DELETE FROM records_fts WHERE rowid = ?1", error);

    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, key);
    return bb_store_step_done (self, stmt, _("Could not update the search index"), error);
  }
}

gboolean
bb_store_index_record (BbStore     *self,
                       gint64       num,
                       const char  *occurred_at,
                       const char  *kind,
                       JsonObject  *fields,
                       gboolean     was_indexed,
                       GError     **error)
{
  g_autofree char *text = bb_store_search_text_for (kind, fields);

  if (was_indexed && !unindex_num (self, num, error))
    return FALSE;

  if (*text == '\0')
    return TRUE;

  return bb_store_search_check_num (self, num, error) &&
         bb_store_search_insert_entry (self, num, bb_store_search_key (occurred_at, num), text, error);
}

/* Migration 2: index the records written before search existed, as step 2
 * did (the index's rowid was the record's num until step 9). */
gboolean
bb_store_fill_search_index (BbStore  *self,
                            GError  **error)
{
  g_autoptr(BbCachedStmt) stmt =
    bb_store_get_stmt (self, "SELECT num, kind, fields FROM records ORDER BY num", error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(JsonNode) node = bb_store_parse_json ((const char *) sqlite3_column_text (stmt, 2));
      g_autofree char *text = NULL;
      g_autoptr(BbCachedStmt) insert = NULL;

      text = bb_store_search_text_for ((const char *) sqlite3_column_text (stmt, 1),
                                       node != NULL && JSON_NODE_HOLDS_OBJECT (node)
                                       ? json_node_get_object (node) : NULL);
      if (*text == '\0')
        continue;

      insert = bb_store_get_stmt (self, "INSERT INTO records_fts (rowid, body) VALUES (?1, ?2)", error);
      if (insert == NULL)
        return FALSE;
      sqlite3_bind_int64 (insert, 1, sqlite3_column_int64 (stmt, 0));
      bb_store_bind_text (insert, 2, text);
      if (!bb_store_step_done (self, insert, _("Could not build the search index"), error))
        return FALSE;
    }

  if (rc != SQLITE_DONE)
    {
      bb_store_set_db_error (self, error, _("Could not build the search index"));
      return FALSE;
    }

  return TRUE;
}

/* Migration 9: the text of records_fts_by_num (rowid = num) into the new
 * records_fts under each record's key (search_keys, filled by the step's
 * SQL), in key order; then the old index goes. */
gboolean
bb_store_rekey_search_index (BbStore  *self,
                             GError  **error)
{
  {
    g_autoptr(BbSearchEntries) entries = bb_store_search_entries_new (BB_SEARCH_ENTRY_BATCH);
    g_autoptr(BbCachedStmt) old =
      bb_store_get_stmt (self,
                         "SELECT o.rowid, o.body, r.occurred_at FROM records_fts_by_num o"
                         " JOIN records r ON r.num = o.rowid",
                         error);
    int rc;

    if (old == NULL)
      return FALSE;

    while ((rc = sqlite3_step (old)) == SQLITE_ROW)
      if (!bb_store_search_entries_add (self, entries, sqlite3_column_int64 (old, 0),
                                        bb_store_column_text (old, 2),
                                        g_strdup (bb_store_column_text (old, 1)), error))
        return FALSE;

    if (rc != SQLITE_DONE)
      {
        bb_store_set_db_error (self, error, _("Could not build the search index"));
        return FALSE;
      }
    if (!bb_store_search_entries_write (self, entries, error))
      return FALSE;
  }

  if (sqlite3_exec (self->db, "DROP TABLE records_fts_by_num", NULL, NULL, NULL) != SQLITE_OK)
    {
      bb_store_set_db_error (self, error, _("Could not build the search index"));
      return FALSE;
    }

  return TRUE;
}

/* Search text of the rows in search_pending, then the table emptied: in the
 * caller's transaction. The old entries go first and the new ones follow in
 * key order: FTS5 writes its pending terms out whenever a rowid is not
 * above the last one, so a bulk insert in any other order would write a
 * segment per record. */
static gboolean
index_pending_locked (BbStore  *self,
                      guint    *n_indexed,
                      GError  **error)
{
  guint n = 0;
  int rc;

  {
    g_autoptr(BbCachedStmt) stmt =
      bb_store_get_stmt (self,
                         "DELETE FROM records_fts WHERE rowid IN"
                         " (SELECT k.key FROM search_pending p"
                         "  JOIN search_keys k ON k.num = p.num ORDER BY k.key)",
                         error);

    if (stmt == NULL ||
        !bb_store_step_done (self, stmt, _("Could not update the search index"), error))
      return FALSE;
  }

  {
    g_autoptr(BbCachedStmt) stmt =
      bb_store_get_stmt (self,
                         "DELETE FROM search_keys WHERE num IN (SELECT num FROM search_pending)",
                         error);

    if (stmt == NULL ||
        !bb_store_step_done (self, stmt, _("Could not update the search index"), error))
      return FALSE;
  }

  /* What a pull left can be a whole partnership's records: written in
   * larger batches, and FTS5 set back before the caller's commit. */
  if (!bb_store_search_set_hashsize (self, BB_SEARCH_PULL_HASHSIZE, error))
    return FALSE;

  {
    g_autoptr(BbSearchEntries) entries = bb_store_search_entries_new (BB_SEARCH_PULL_BATCH);
    g_autoptr(BbCachedStmt) stmt =
      bb_store_get_stmt (self,
                         "SELECT p.num, r.occurred_at, r.kind, r.fields FROM search_pending p"
                         " JOIN records r ON r.num = p.num",
                         error);

    if (stmt == NULL)
      return FALSE;

    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        g_autoptr(JsonNode) node = bb_store_parse_json (bb_store_column_text (stmt, 3));

        if (!bb_store_search_entries_add (self, entries, sqlite3_column_int64 (stmt, 0),
                                          bb_store_column_text (stmt, 1),
                                          bb_store_search_text_for (bb_store_column_text (stmt, 2),
                                                                    node != NULL && JSON_NODE_HOLDS_OBJECT (node)
                                                                    ? json_node_get_object (node) : NULL),
                                          error))
          return FALSE;
        n++;
      }

    if (rc != SQLITE_DONE)
      {
        bb_store_set_db_error (self, error, _("Could not update the search index"));
        return FALSE;
      }
    if (!bb_store_search_entries_write (self, entries, error) ||
        !bb_store_search_set_hashsize (self, BB_SEARCH_HASHSIZE, error))
      return FALSE;
  }

  if (n_indexed != NULL)
    *n_indexed = n;

  {
    g_autoptr(BbCachedStmt) stmt = bb_store_get_stmt (self, "DELETE FROM search_pending", error);

    return stmt != NULL &&
           bb_store_step_done (self, stmt, _("Could not update the search index"), error);
  }
}

gboolean
bb_store_flush_search_pending_locked (BbStore  *self,
                                      guint    *n_indexed,
                                      GError  **error)
{
  gint64 waiting = 0;

  if (n_indexed != NULL)
    *n_indexed = 0;

  if (!bb_store_query_int (self, "SELECT EXISTS (SELECT 1 FROM search_pending)", &waiting, error))
    return FALSE;
  if (!waiting)
    return TRUE;

  if (!bb_store_begin (self, error))
    return FALSE;
  if (!index_pending_locked (self, n_indexed, error))
    {
      bb_store_rollback (self);
      return FALSE;
    }

  return bb_store_commit (self, error);
}

gboolean
bb_store_index_pending (BbStore  *self,
                        guint    *n_indexed,
                        GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (BB_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  return bb_store_flush_search_pending_locked (self, n_indexed, error);
}
