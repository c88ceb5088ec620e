/* bb-editor-form-values.c: reading a form's values as record fields, and filling them in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-editor"

#include "config.h"

#include <string.h>

#include "bb-date-row.h"
#include "bb-editor-form-private.h"

/* Collecting */

static void
set_local (BbFieldNode       *node,
           const char        *message,
           BbProblemSeverity  severity)
{
  g_free (node->local_message);
  node->local_message = g_strdup (message);
  node->local_severity = severity;
}

static void
clear_local (gpointer data,
             gpointer user_data)
{
  BbFieldNode *node = data;

  g_clear_pointer (&node->local_message, g_free);
}

static JsonNode *collect_node (BbFieldNode *node, JsonObject *raw);

static JsonObject *
collect_object (BbFieldNode *node,
                JsonObject  *raw)
{
  JsonObject *object = json_object_new ();

  for (guint i = 0; i < node->children->len; i++)
    {
      BbFieldNode *child = g_ptr_array_index (node->children, i);
      JsonNode *value;

      if (child->is_meta)
        continue;

      value = collect_node (child, raw);
      if (value != NULL)
        json_object_set_member (object, child->name, value);
    }

  if (node->extras != NULL)
    {
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;

      json_object_iter_init (&iter, node->extras);
      while (json_object_iter_next (&iter, &key, &value))
        if (!json_object_has_member (object, key))
          json_object_set_member (object, key, json_node_copy (value));
    }

  return object;
}

static char *
collect_time (BbFieldNode *node,
              const char  *text,
              JsonObject  *raw)
{
  char *iso;

  if (node->shown_text != NULL && g_strcmp0 (text, node->shown_text) == 0)
    return g_strdup (node->shown_iso);

  iso = bb_date_row_parse_local (text, node->form->tz);
  if (iso == NULL)
    {
      set_local (node, _("Enter the date and time as 2026-03-01 21:14 (year, month, day, then hours and minutes)"),
                 BB_PROBLEM_ERROR);
      if (raw != NULL)
        json_object_set_string_member (raw, node->path, text);
    }

  return iso;
}

static JsonNode *
collect_node (BbFieldNode *node,
              JsonObject  *raw)
{
  const BbFieldSpec *spec = node->spec;
  g_autofree char *text = NULL;

  if (node->section != NULL && !node->is_item && !gtk_widget_get_visible (node->section))
    return NULL;

  switch (spec->type)
    {
    case BB_FIELD_TEXT:
      text = bb_node_dup_text (node);
      return bb_form_text_is_blank (text) ? NULL : json_node_init_string (json_node_alloc (), text);

    case BB_FIELD_VRM:
      {
        g_autofree char *normalised = NULL;

        text = bb_node_dup_text (node);
        if (bb_form_text_is_blank (text))
          return NULL;
        normalised = bb_vrm_normalise (text);
        if (bb_vrm_recognise (normalised) == BB_VRM_UNRECOGNISED)
          set_local (node, _("Registration mark not recognised: check it, or save anyway"),
                     BB_PROBLEM_WARNING);
        return json_node_init_string (json_node_alloc (), normalised);
      }

    case BB_FIELD_NUMBER:
      {
        double value;

        text = bb_node_dup_text (node);
        if (bb_form_text_is_blank (text))
          return NULL;
        if (bb_form_parse_number (text, &value))
          return json_node_init_double (json_node_alloc (), value);

        /* The example is of the field's own kind: a longitude shows a longitude. */
        if (g_strcmp0 (node->name, "lon") == 0)
          set_local (node, _("Enter the longitude as a number of degrees, such as 0.2180"), BB_PROBLEM_ERROR);
        else if (g_strcmp0 (node->name, "lat") == 0)
          set_local (node, _("Enter the latitude as a number of degrees, such as 51.4462"), BB_PROBLEM_ERROR);
        else
          set_local (node, _("Enter a number, such as 12.5"), BB_PROBLEM_ERROR);
        if (raw != NULL)
          json_object_set_string_member (raw, node->path, text);
        return NULL;
      }

    case BB_FIELD_TIME:
      {
        g_autofree char *iso = NULL;

        text = bb_node_dup_text (node);
        if (bb_form_text_is_blank (text))
          return NULL;
        iso = collect_time (node, text, raw);
        return iso != NULL ? json_node_init_string (json_node_alloc (), iso) : NULL;
      }

    case BB_FIELD_DATE:
      {
        g_autofree char *date = NULL;

        text = bb_node_dup_text (node);
        if (bb_form_text_is_blank (text))
          return NULL;
        date = bb_date_row_parse_date (text);
        if (date != NULL)
          return json_node_init_string (json_node_alloc (), date);

        /* Sent as typed: the draft keeps it and the check below names it. */
        set_local (node, _("Enter the date as 1990-04-01 (year, month, day)"), BB_PROBLEM_ERROR);
        return json_node_init_string (json_node_alloc (), g_strstrip (text));
      }

    case BB_FIELD_COUNT:
      gtk_spin_button_update (GTK_SPIN_BUTTON (node->input));
      if (!node->has_value && !bb_node_required (node))
        return NULL;
      return json_node_init_int (json_node_alloc (),
                                 gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (node->input)));

    case BB_FIELD_BOOL:
      if (!node->has_value)
        return NULL;
      return json_node_init_boolean (json_node_alloc (),
                                     gtk_switch_get_active (GTK_SWITCH (node->input)));

    case BB_FIELD_CHOICE:
      {
        const char *id = bb_node_choice_id (node);

        return id != NULL ? json_node_init_string (json_node_alloc (), id) : NULL;
      }

    case BB_FIELD_CHOICE_LIST:
      {
        JsonArray *array = json_array_new ();

        for (guint i = 0; i < node->choice_ids->len; i++)
          {
            const char *id = g_ptr_array_index (node->choice_ids, i);
            GtkCheckButton *check = g_hash_table_lookup (node->checks, id);

            if (gtk_check_button_get_active (check))
              json_array_add_string_element (array, id);
          }

        if (json_array_get_length (array) == 0)
          {
            json_array_unref (array);
            return NULL;
          }
        return bb_form_take_array (array);
      }

    case BB_FIELD_ID_LIST:
      return node->passthrough != NULL ? json_node_copy (node->passthrough) : NULL;

    case BB_FIELD_OBJECT:
      {
        JsonObject *object = collect_object (node, raw);

        if (json_object_get_size (object) == 0)
          {
            json_object_unref (object);
            return NULL;
          }
        return bb_form_take_object (object);
      }

    case BB_FIELD_OBJECT_LIST:
    case BB_FIELD_TEXT_LIST:
      {
        JsonArray *array = json_array_new ();

        for (guint i = 0; i < node->children->len; i++)
          {
            BbFieldNode *item = g_ptr_array_index (node->children, i);

            item->json_index = -1;
            if (spec->type == BB_FIELD_OBJECT_LIST)
              {
                JsonObject *object = collect_object (item, raw);

                /* An item added and left empty is no item at all. */
                if (json_object_get_size (object) == 0)
                  {
                    json_object_unref (object);
                    continue;
                  }
                json_array_add_object_element (array, object);
              }
            else
              {
                g_autofree char *item_text = bb_node_dup_text (item);

                if (bb_form_text_is_blank (item_text))
                  continue;
                json_array_add_string_element (array, item_text);
              }
            item->json_index = json_array_get_length (array) - 1;
          }

        if (json_array_get_length (array) == 0)
          {
            json_array_unref (array);
            return NULL;
          }
        return bb_form_take_array (array);
      }

    default:
      return NULL;
    }
}

JsonObject *
bb_form_collect_fields (BbForm     *form,
                        JsonObject *raw)
{
  g_return_val_if_fail (form != NULL, NULL);

  bb_node_foreach (form->root, clear_local, NULL);

  return collect_object (form->root, raw);
}

char *
bb_form_get_occurred_at (BbForm *form)
{
  BbFieldNode *node = form->occurred_at;
  g_autofree char *text = bb_node_dup_text (node);

  clear_local (node, NULL);
  if (bb_form_text_is_blank (text))
    {
      set_local (node, _("Enter when it happened"), BB_PROBLEM_ERROR);
      return NULL;
    }

  return collect_time (node, text, NULL);
}

int
bb_form_get_priority (BbForm *form)
{
  const char *id = bb_node_choice_id (form->priority);

  /* Required, and set from the kind's default: never empty in practice. */
  return id != NULL ? (int) g_ascii_strtoll (id, NULL, 10) : 0;
}

/* Filling */

void
bb_form_set_occurred_at (BbForm     *form,
                         const char *iso)
{
  g_autoptr(JsonNode) value = iso != NULL ? json_node_init_string (json_node_alloc (), iso) : NULL;

  form->filling++;
  bb_node_fill (form->occurred_at, value);
  form->filling--;
}

void
bb_form_set_priority (BbForm *form,
                      int     priority)
{
  g_autofree char *id = g_strdup_printf ("%d", CLAMP (priority, 1, 4));

  form->filling++;
  bb_node_set_choice_id (form->priority, id);
  form->filling--;
}

static void
remove_items (BbFieldNode *list)
{
  while (list->children->len > 0)
    {
      BbFieldNode *item = g_ptr_array_index (list->children, list->children->len - 1);

      if (item->section != NULL)
        gtk_box_remove (GTK_BOX (list->items_box), item->section);
      else
        {
          adw_preferences_group_remove (ADW_PREFERENCES_GROUP (list->group), item->row);
          adw_preferences_group_remove (ADW_PREFERENCES_GROUP (list->group), item->message_row);
        }
      g_ptr_array_remove_index (list->children, list->children->len - 1);
    }
}

static char *
value_as_text (JsonNode *value)
{
  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (value));
  /* Not the type the field holds: shown as JSON so nothing is dropped, and
   * the check on save says what is wrong. */
  return json_to_string (value, FALSE);
}

static void
fill_object (BbFieldNode *node,
             JsonObject  *object)
{
  gboolean any = FALSE;

  g_clear_pointer (&node->extras, json_object_unref);

  for (guint i = 0; i < node->children->len; i++)
    {
      BbFieldNode *child = g_ptr_array_index (node->children, i);
      JsonNode *value = NULL;

      if (child->is_meta)
        continue;
      if (object != NULL && json_object_has_member (object, child->name))
        value = json_object_get_member (object, child->name);
      bb_node_fill (child, value);
      any |= value != NULL;
    }

  if (object != NULL)
    {
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;

      json_object_iter_init (&iter, object);
      while (json_object_iter_next (&iter, &key, &value))
        if (bb_node_find_child (node, key) == NULL)
          {
            if (node->extras == NULL)
              node->extras = json_object_new ();
            json_object_set_member (node->extras, key, json_node_copy (value));
          }
    }

  if (node->expander != NULL && any)
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (node->expander), TRUE);
}

void
bb_node_fill (BbFieldNode *node,
              JsonNode    *value)
{
  const BbFieldSpec *spec = node->spec;
  g_autofree char *text = NULL;

  if (value != NULL && JSON_NODE_HOLDS_NULL (value))
    value = NULL;

  switch (spec->type)
    {
    case BB_FIELD_TEXT:
    case BB_FIELD_DATE:
      text = value_as_text (value);
      bb_node_set_text (node, text);
      break;

    case BB_FIELD_VRM:
      text = value_as_text (value);
      if (text != NULL)
        {
          g_autofree char *display = bb_vrm_format_display (text);

          bb_node_set_text (node, display != NULL ? display : text);
        }
      else
        bb_node_set_text (node, NULL);
      break;

    case BB_FIELD_NUMBER:
      if (value != NULL && JSON_NODE_HOLDS_VALUE (value) &&
          (json_node_get_value_type (value) == G_TYPE_DOUBLE ||
           json_node_get_value_type (value) == G_TYPE_INT64))
        text = bb_form_format_number (json_node_get_double (value));
      else
        text = value_as_text (value);
      bb_node_set_text (node, text);
      break;

    case BB_FIELD_TIME:
      g_clear_pointer (&node->shown_text, g_free);
      g_clear_pointer (&node->shown_iso, g_free);
      text = value_as_text (value);
      if (text != NULL)
        {
          node->shown_text = bb_date_row_format_local (text, node->form->tz);
          if (node->shown_text != NULL)
            node->shown_iso = g_strdup (text);
        }
      bb_node_set_text (node, node->shown_text != NULL ? node->shown_text : text);
      break;

    case BB_FIELD_COUNT:
      node->has_value = value != NULL;
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (node->input),
                                 value != NULL && JSON_NODE_HOLDS_VALUE (value)
                                   ? json_node_get_int (value) : 0);
      break;

    case BB_FIELD_BOOL:
      node->has_value = value != NULL;
      gtk_switch_set_active (GTK_SWITCH (node->input),
                             value != NULL && JSON_NODE_HOLDS_VALUE (value) &&
                             json_node_get_boolean (value));
      break;

    case BB_FIELD_CHOICE:
      text = value_as_text (value);
      bb_node_set_choice_id (node, text);
      break;

    case BB_FIELD_CHOICE_LIST:
      {
        GHashTableIter iter;
        gpointer check;

        g_hash_table_iter_init (&iter, node->checks);
        while (g_hash_table_iter_next (&iter, NULL, &check))
          gtk_check_button_set_active (check, FALSE);

        if (value != NULL && JSON_NODE_HOLDS_ARRAY (value))
          {
            JsonArray *array = json_node_get_array (value);

            for (guint i = 0; i < json_array_get_length (array); i++)
              {
                g_autofree char *id = value_as_text (json_array_get_element (array, i));
                GtkWidget *button;

                if (id == NULL)
                  continue;
                button = g_hash_table_lookup (node->checks, id);
                if (button == NULL)
                  button = bb_form_add_choice_check (node, id, id);
                gtk_check_button_set_active (GTK_CHECK_BUTTON (button), TRUE);
              }
          }
        bb_node_update_choice_list_subtitle (node);
      }
      break;

    case BB_FIELD_ID_LIST:
      g_clear_pointer (&node->passthrough, json_node_unref);
      if (value != NULL)
        node->passthrough = json_node_copy (value);
      break;

    case BB_FIELD_OBJECT:
      fill_object (node, value != NULL && JSON_NODE_HOLDS_OBJECT (value)
                           ? json_node_get_object (value) : NULL);
      break;

    case BB_FIELD_OBJECT_LIST:
    case BB_FIELD_TEXT_LIST:
      remove_items (node);
      if (value != NULL && JSON_NODE_HOLDS_ARRAY (value))
        {
          JsonArray *array = json_node_get_array (value);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *element = json_array_get_element (array, i);
              BbFieldNode *item = bb_form_add_item (node);

              if (spec->type == BB_FIELD_OBJECT_LIST)
                fill_object (item, JSON_NODE_HOLDS_OBJECT (element)
                                     ? json_node_get_object (element) : NULL);
              else
                {
                  g_autofree char *item_text = value_as_text (element);

                  bb_node_set_text (item, item_text);
                }
            }
        }
      break;

    default:
      break;
    }
}

void
bb_form_fill_fields (BbForm     *form,
                     JsonObject *fields)
{
  g_autoptr(JsonNode) copy = NULL;
  JsonObject *object = NULL;

  g_return_if_fail (form != NULL);

  if (fields != NULL)
    {
      g_autoptr(JsonNode) wrapper = json_node_init_object (json_node_alloc (), fields);
      g_autofree char *text = json_to_string (wrapper, FALSE);

      /* json_node_copy() shares the object: stripping it would change the
       * caller's record, so the copy goes through text. */
      copy = json_from_string (text, NULL);
      object = json_node_get_object (copy);
      /* Derived keys come back from the server; the editor never sends them. */
      bb_fields_strip_derived (form->kind->id, object);
    }

  form->filling++;
  fill_object (form->root, object);
  form->filling--;
  bb_form_update_conditions (form);
}

void
bb_form_fill_raw (BbForm     *form,
                  JsonObject *raw)
{
  JsonObjectIter iter;
  const char *path;
  JsonNode *value;

  if (raw == NULL)
    return;

  form->filling++;
  json_object_iter_init (&iter, raw);
  while (json_object_iter_next (&iter, &path, &value))
    {
      BbFieldNode *node = bb_form_find_node (form, path, FALSE);

      if (node != NULL && JSON_NODE_HOLDS_VALUE (value) &&
          json_node_get_value_type (value) == G_TYPE_STRING)
        bb_node_set_text (node, json_node_get_string (value));
    }
  form->filling--;
}

/* Suggestions */

void
bb_form_suggest_text (BbForm     *form,
                      const char *path,
                      const char *text,
                      const char *explanation)
{
  BbFieldNode *node;

  g_return_if_fail (form != NULL);

  node = bb_form_find_node (form, path, FALSE);
  if (node == NULL || node->suggestion_row == NULL)
    return;

  g_clear_pointer (&node->suggestion, g_free);
  if (text != NULL && !bb_form_text_is_blank (text))
    node->suggestion = g_strdup (text);

  if (node->suggestion != NULL)
    {
      g_autofree char *accessible = NULL;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (node->suggestion_row), node->suggestion);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (node->suggestion_row),
                                   explanation != NULL ? explanation : "");
      /* TRANSLATORS: read out for the button that fills a remembered place */
      accessible = g_strdup_printf (_("Use %s"), node->suggestion);
      gtk_accessible_update_property (GTK_ACCESSIBLE (node->suggestion_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                      -1);
    }
  gtk_widget_set_visible (node->suggestion_row, node->suggestion != NULL);
}

const char *
bb_form_get_suggestion (BbForm     *form,
                        const char *path)
{
  BbFieldNode *node;

  g_return_val_if_fail (form != NULL, NULL);

  node = bb_form_find_node (form, path, FALSE);
  return node != NULL ? node->suggestion : NULL;
}

void
bb_form_use_suggestion (BbFieldNode *node)
{
  g_autofree char *text = NULL;

  g_return_if_fail (node != NULL);

  if (node->suggestion == NULL)
    return;

  text = g_steal_pointer (&node->suggestion);
  gtk_widget_set_visible (node->suggestion_row, FALSE);
  /* Typed by the person, in effect: it counts as a change. */
  bb_node_set_text (node, text);
  if (node->input != NULL)
    gtk_widget_grab_focus (node->input);
}

