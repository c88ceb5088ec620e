/* bb-editor-form-focus.c: finding a form's fields, showing their messages, moving the focus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-editor"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bb-editor-form-private.h"

/* Finding */

BbFieldNode *
bb_form_find_node (BbForm     *form,
                   const char *path,
                   gboolean    by_json_index)
{
  g_auto(GStrv) parts = NULL;
  BbFieldNode *node;

  g_return_val_if_fail (form != NULL, NULL);

  if (path == NULL || path[0] == '\0')
    return NULL;

  /* Problems about fields may be spelled "fields.ward". */
  if (g_str_has_prefix (path, "fields."))
    path += strlen ("fields.");

  node = form->root;
  parts = g_strsplit (path, ".", -1);
  for (guint i = 0; parts[i] != NULL && node != NULL; i++)
    {
      char *bracket = strchr (parts[i], '[');
      int index = -1;

      if (bracket != NULL)
        {
          char *end = NULL;

          index = (int) strtol (bracket + 1, &end, 10);
          if (end == NULL || *end != ']' || index < 0)
            return NULL;
          *bracket = '\0';
        }

      node = bb_node_find_child (node, parts[i]);
      if (node != NULL && index >= 0)
        {
          BbFieldNode *item = NULL;

          for (guint j = 0; j < node->children->len && item == NULL; j++)
            {
              BbFieldNode *candidate = g_ptr_array_index (node->children, j);

              if ((by_json_index ? candidate->json_index : candidate->index) == index)
                item = candidate;
            }
          node = item;
        }
    }

  return node != form->root ? node : NULL;
}

/* Messages */

static void
clear_message (gpointer data,
               gpointer user_data)
{
  bb_form_set_node_message (data, NULL, BB_PROBLEM_ERROR);
}

void
bb_form_clear_messages (BbForm *form)
{
  bb_node_foreach (form->root, clear_message, NULL);
}

void
bb_form_set_node_message (BbFieldNode       *node,
                          const char        *message,
                          BbProblemSeverity  severity)
{
  GtkWidget *target;

  if (g_strcmp0 (node->message, message) == 0 && node->severity == severity)
    return;

  g_free (node->message);
  node->message = g_strdup (message);
  node->severity = severity;

  if (node->message_label != NULL)
    {
      gtk_label_set_label (GTK_LABEL (node->message_label), message != NULL ? message : "");
      gtk_widget_set_visible (node->message_label, message != NULL);
      gtk_widget_remove_css_class (node->message_label, "error");
      gtk_widget_remove_css_class (node->message_label, "warning");
      if (message != NULL)
        gtk_widget_add_css_class (node->message_label,
                                  severity == BB_PROBLEM_ERROR ? "error" : "warning");
    }
  if (node->message_row != NULL)
    gtk_widget_set_visible (node->message_row, message != NULL);

  if (node->row != NULL)
    {
      gtk_widget_remove_css_class (node->row, "error");
      gtk_widget_remove_css_class (node->row, "warning");
      if (message != NULL)
        gtk_widget_add_css_class (node->row,
                                  severity == BB_PROBLEM_ERROR ? "error" : "warning");
    }

  target = node->input != NULL ? node->input : node->section;
  if (target == NULL)
    return;

  if (message != NULL)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (target),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                      -1);
      gtk_accessible_update_state (GTK_ACCESSIBLE (target),
                                   GTK_ACCESSIBLE_STATE_INVALID,
                                   severity == BB_PROBLEM_ERROR ? GTK_ACCESSIBLE_INVALID_TRUE
                                                                : GTK_ACCESSIBLE_INVALID_FALSE,
                                   -1);
    }
  else
    {
      gtk_accessible_reset_property (GTK_ACCESSIBLE (target), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      gtk_accessible_reset_state (GTK_ACCESSIBLE (target), GTK_ACCESSIBLE_STATE_INVALID);
    }
}

static BbFieldNode *
first_error_in (BbFieldNode *node)
{
  if (node->message != NULL && node->severity == BB_PROBLEM_ERROR && !bb_node_is_hidden (node))
    return node;

  for (guint i = 0; i < node->children->len; i++)
    {
      BbFieldNode *found = first_error_in (g_ptr_array_index (node->children, i));

      if (found != NULL)
        return found;
    }

  return NULL;
}

BbFieldNode *
bb_form_first_error (BbForm *form)
{
  return first_error_in (form->root);
}

void
bb_form_foreach (BbForm   *form,
                 GFunc     func,
                 gpointer  user_data)
{
  bb_node_foreach (form->root, func, user_data);
}

static GtkWidget *
focus_target (BbFieldNode *node)
{
  if (node->input != NULL && gtk_widget_get_focusable (node->input))
    return node->input;
  if (node->input != NULL && ADW_IS_ENTRY_ROW (node->input))
    return node->input;

  for (guint i = 0; i < node->children->len; i++)
    {
      GtkWidget *target = focus_target (g_ptr_array_index (node->children, i));

      if (target != NULL)
        return target;
    }

  if (node->add_button != NULL)
    return node->add_button;

  return node->input;
}

void
bb_form_focus_node (BbFieldNode *node)
{
  GtkWidget *target;

  for (BbFieldNode *n = node; n != NULL; n = n->parent)
    if (n->expander != NULL)
      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (n->expander), TRUE);

  target = focus_target (node);
  if (target != NULL)
    gtk_widget_grab_focus (target);
}

/* Where the focus goes next */

static gboolean
bb_node_is_empty (BbFieldNode *node)
{
  g_autofree char *text = NULL;

  switch (node->spec->type)
    {
    case BB_FIELD_CHOICE:
      return bb_node_choice_id (node) == NULL;
    case BB_FIELD_COUNT:
    case BB_FIELD_BOOL:
      return !node->has_value;
    case BB_FIELD_TEXT:
    case BB_FIELD_VRM:
    case BB_FIELD_NUMBER:
    case BB_FIELD_TIME:
    case BB_FIELD_DATE:
      text = bb_node_dup_text (node);
      return bb_form_text_is_blank (text);
    case BB_FIELD_OBJECT_LIST:
    case BB_FIELD_TEXT_LIST:
      return node->children->len == 0;
    default:
      return FALSE;
    }
}

/* The fields a person fills, in the order of the form, as candidates for
 * the focus: containers are walked, hidden sections left out. */
static void
collect_candidates (BbFieldNode *node,
                    GPtrArray   *nodes,
                    GArray      *candidates)
{
  for (guint i = 0; i < node->children->len; i++)
    {
      BbFieldNode *child = g_ptr_array_index (node->children, i);
      BbFocusCandidate candidate;

      if (child->section != NULL && !gtk_widget_get_visible (child->section))
        continue;
      if (child->spec->type == BB_FIELD_OBJECT)
        {
          collect_candidates (child, nodes, candidates);
          continue;
        }
      if (child->input == NULL || child->is_item)
        continue;

      candidate.required = bb_node_required (child);
      candidate.empty = bb_node_is_empty (child);
      g_ptr_array_add (nodes, child);
      g_array_append_val (candidates, candidate);
    }
}

static BbFieldNode *
pick_node (BbForm      *form,
           BbFieldNode *after)
{
  g_autoptr(GPtrArray) nodes = g_ptr_array_new ();
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (BbFocusCandidate));
  int start = -1;
  int chosen;

  collect_candidates (form->root, nodes, candidates);
  if (after != NULL)
    {
      guint index;

      if (g_ptr_array_find (nodes, after, &index))
        start = (int) index;
    }

  chosen = bb_focus_pick (&g_array_index (candidates, BbFocusCandidate, 0),
                          candidates->len, start);
  return chosen >= 0 ? g_ptr_array_index (nodes, chosen) : NULL;
}

BbFieldNode *
bb_form_first_kind_field (BbForm *form)
{
  g_return_val_if_fail (form != NULL, NULL);

  for (guint i = 0; i < form->root->children->len; i++)
    {
      BbFieldNode *node = g_ptr_array_index (form->root->children, i);

      if (!node->is_meta && bb_field_spec_find (form->kind->fields, node->name) == node->spec)
        return node;
    }

  return NULL;
}

BbFieldNode *
bb_form_first_empty_required (BbForm *form)
{
  g_return_val_if_fail (form != NULL, NULL);

  return pick_node (form, NULL);
}

void
bb_form_focus_next (BbForm      *form,
                    BbFieldNode *after)
{
  BbFieldNode *next;

  g_return_if_fail (form != NULL);

  next = pick_node (form, after);
  if (next != NULL)
    bb_form_focus_node (next);
}
