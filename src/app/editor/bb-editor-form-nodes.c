/* bb-editor-form-nodes.c: a form's fields as a tree: text, choices and paths of each node
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-editor"

#include "config.h"

#include <math.h>
#include <string.h>

#include "bb-chip-row.h"
#include "bb-choice-row.h"
#include "bb-editor-form-private.h"

/* Helpers */

gboolean
bb_form_word_in_list (const char *word,
                      const char *list)
{
  g_auto(GStrv) words = NULL;

  if (word == NULL)
    return FALSE;

  words = g_strsplit (list, " ", -1);
  return g_strv_contains ((const char * const *) words, word);
}

gboolean
bb_form_text_is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

JsonNode *
bb_form_take_array (JsonArray *array)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  json_node_take_array (node, array);
  return node;
}

JsonNode *
bb_form_take_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return node;
}

const char *
bb_node_label (BbFieldNode *node)
{
  return node->spec != NULL && node->spec->label != NULL ? _(node->spec->label) : "";
}

gboolean
bb_node_required (BbFieldNode *node)
{
  return !node->is_item && node->spec != NULL &&
         (node->spec->flags & BB_FIELD_FLAG_REQUIRED) != 0;
}

void
bb_form_set_accessible_label (GtkWidget  *widget,
                              const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

/* The shortest text that reads back as exactly @value, so a latitude
 * survives a round trip through the form unchanged. */
char *
bb_form_format_number (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int precision = 1; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buf, sizeof buf, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }

  return g_strdup (buf);
}

gboolean
bb_form_parse_number (const char *text,
                      double     *value)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  char *end = NULL;

  if (trimmed[0] == '\0')
    return FALSE;

  /* People type a comma as the decimal mark on some keyboards. */
  g_strdelimit (trimmed, ",", '.');
  *value = g_ascii_strtod (trimmed, &end);

  return end != NULL && *end == '\0' && isfinite (*value);
}

char *
bb_node_dup_text (BbFieldNode *node)
{
  if (GTK_IS_TEXT_VIEW (node->input))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (node->input));
      GtkTextIter start, end;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    }

  if (GTK_IS_EDITABLE (node->input))
    return g_strdup (gtk_editable_get_text (GTK_EDITABLE (node->input)));

  return NULL;
}

void
bb_node_set_text (BbFieldNode *node,
                  const char  *text)
{
  if (text == NULL)
    text = "";

  if (GTK_IS_TEXT_VIEW (node->input))
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (node->input)), text, -1);
  else if (GTK_IS_EDITABLE (node->input))
    gtk_editable_set_text (GTK_EDITABLE (node->input), text);
}

const char *
bb_node_choice_id (BbFieldNode *node)
{
  if (BB_IS_CHOICE_ROW (node->input))
    return bb_choice_row_get_selected_id (BB_CHOICE_ROW (node->input));
  if (BB_IS_CHIP_ROW (node->input))
    return bb_chip_row_get_selected_id (BB_CHIP_ROW (node->input));

  return NULL;
}

void
bb_node_set_choice_id (BbFieldNode *node,
                       const char  *id)
{
  if (BB_IS_CHOICE_ROW (node->input))
    bb_choice_row_set_selected_id (BB_CHOICE_ROW (node->input), id);
  else if (BB_IS_CHIP_ROW (node->input))
    bb_chip_row_set_selected_id (BB_CHIP_ROW (node->input), id);
}

/* Nodes */

void
bb_node_update_path (BbFieldNode *node)
{
  g_free (node->path);

  if (node->is_item)
    node->path = g_strdup_printf ("%s[%d]", node->parent->path, node->index);
  else if (node->parent == NULL || node->parent->path == NULL || node->parent->path[0] == '\0')
    node->path = g_strdup (node->name != NULL ? node->name : "");
  else
    node->path = g_strdup_printf ("%s.%s", node->parent->path, node->name);

  for (guint i = 0; node->children != NULL && i < node->children->len; i++)
    bb_node_update_path (g_ptr_array_index (node->children, i));
}

BbFieldNode *
bb_node_new (BbForm            *form,
             BbFieldNode       *parent,
             const BbFieldSpec *spec,
             const char        *name)
{
  BbFieldNode *node = g_new0 (BbFieldNode, 1);

  node->form = form;
  node->parent = parent;
  node->spec = spec;
  node->name = g_strdup (name);
  node->index = -1;
  node->json_index = -1;
  node->children = g_ptr_array_new_with_free_func (bb_node_free);

  if (parent != NULL)
    g_ptr_array_add (parent->children, node);
  bb_node_update_path (node);

  return node;
}

void
bb_node_free (gpointer data)
{
  BbFieldNode *node = data;

  g_clear_pointer (&node->children, g_ptr_array_unref);
  g_clear_pointer (&node->choice_ids, g_ptr_array_unref);
  g_clear_pointer (&node->checks, g_hash_table_unref);
  g_clear_pointer (&node->passthrough, json_node_unref);
  g_clear_pointer (&node->extras, json_object_unref);
  g_free (node->name);
  g_free (node->path);
  g_free (node->shown_text);
  g_free (node->suggestion);
  g_free (node->shown_iso);
  g_free (node->local_message);
  g_free (node->message);
  g_free (node);
}

BbFieldNode *
bb_node_find_child (BbFieldNode *node,
                    const char  *name)
{
  for (guint i = 0; i < node->children->len; i++)
    {
      BbFieldNode *child = g_ptr_array_index (node->children, i);

      if (g_strcmp0 (child->name, name) == 0)
        return child;
    }

  return NULL;
}

void
bb_node_foreach (BbFieldNode *node,
                 GFunc        func,
                 gpointer     user_data)
{
  func (node, user_data);
  for (guint i = 0; i < node->children->len; i++)
    bb_node_foreach (g_ptr_array_index (node->children, i), func, user_data);
}

/* Hidden sections (fly-tipping details of a graffiti report) send nothing. */
gboolean
bb_node_is_hidden (BbFieldNode *node)
{
  for (; node != NULL; node = node->parent)
    if (node->section != NULL && !gtk_widget_get_visible (node->section))
      return TRUE;

  return FALSE;
}
