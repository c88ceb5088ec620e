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
static char *
search_text_for (const char *kind,
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

gboolean
bb_store_index_record (BbStore     *self,
                       gint64       num,
                       const char  *kind,
                       JsonObject  *fields,
                       gboolean     was_indexed,
                       GError     **error)
{
  g_autofree char *text = search_text_for (kind, fields);

  if (was_indexed)
    {
      g_autoptr(BbCachedStmt) stmt =
        bb_store_get_stmt (self, "DELETE FROM records_fts WHERE rowid = ?1", error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, num);
      if (!bb_store_step_done (self, stmt, _("Could not update the search index"), error))
        return FALSE;
    }

  if (*text == '\0')
    return TRUE;

  {
    g_autoptr(BbCachedStmt) stmt =
      bb_store_get_stmt (self, "INSERT INTO records_fts (rowid, body) VALUES (?1, ?2)", error);

    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, num);
    bb_store_bind_text (stmt, 2, text);
    return bb_store_step_done (self, stmt, _("Could not update the search index"), error);
  }
}

/* Migration 2: index the records written before search existed. */
gboolean
bb_store_fill_search_index (BbStore  *self,
                            GError  **error)
{
  g_autoptr(BbCachedStmt) stmt =
    bb_store_get_stmt (self, "SELECT num, kind, fields FROM records", error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(JsonNode) node = bb_store_parse_json ((const char *) sqlite3_column_text (stmt, 2));
      JsonObject *fields = NULL;

      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        fields = json_node_get_object (node);

      if (!bb_store_index_record (self, sqlite3_column_int64 (stmt, 0),
                                  (const char *) sqlite3_column_text (stmt, 1), fields,
                                  TRUE, error))
        return FALSE;
    }

  if (rc != SQLITE_DONE)
    {
      bb_store_set_db_error (self, error, _("Could not build the search index"));
      return FALSE;
    }

  return TRUE;
}

/* Search text of the rows in search_pending, then the table emptied: in the
 * caller's transaction. */
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
                         "SELECT p.num, r.kind, r.fields, p.indexed FROM search_pending p"
                         " JOIN records r ON r.num = p.num",
                         error);

    if (stmt == NULL)
      return FALSE;

    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        g_autoptr(JsonNode) node = bb_store_parse_json ((const char *) sqlite3_column_text (stmt, 2));
        JsonObject *fields = NULL;

        if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
          fields = json_node_get_object (node);

        if (!bb_store_index_record (self, sqlite3_column_int64 (stmt, 0),
                                    (const char *) sqlite3_column_text (stmt, 1), fields,
                                    sqlite3_column_int (stmt, 3) != 0, error))
          return FALSE;
        n++;
      }

    if (rc != SQLITE_DONE)
      {
        bb_store_set_db_error (self, error, _("Could not update the search index"));
        return FALSE;
      }
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
