/* bb-editor-form.c: the editor's form, built from the kinds' field tables
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-editor"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bb-choice-row.h"
#include "bb-date-row.h"
#include "bb-editor-form.h"
#include "bb-location-row.h"

/* Lists longer than this get a searchable picker instead of a drop-down. */
#define LONG_LIST 12

typedef struct
{
  GtkBox              *box;       /* new sections are appended here */
  AdwPreferencesGroup *group;     /* rows go here; NULL: start a group */
  AdwExpanderRow      *expander;  /* rows go here instead, when set */
  const char          *group_title;
} BuildCtx;

/* What the field tables cannot say: how each kind lays out its form. */
static const struct {
  const char *kind;
  const char *section;
  const char *controller;
  const char *values;  /* space separated */
} conditions[] = {
  { BB_KIND_PATROL_OBSERVATION, "fly_tip", "category", "fly_tipping" },
  { BB_KIND_PATROL_OBSERVATION, "pspo", "category", "pspo_breach" },
};

static const struct {
  const char *kind;
  const char *section;
  const char *controller;
  const char *values;
  const char *description;
} requirements[] = {
  { BB_KIND_S59_WARNING, "driver", "warned_party", "driver both",
    N_("Required: the warning was given to the driver, so their name is needed.") },
};

static const struct {
  const char *kind;
  const char *name;
  const char *subtitle;
} collapsible[] = {
  { BB_KIND_S59_WARNING, "owner", N_("Only when the owner is not the driver") },
  { BB_KIND_S59_WARNING, "prior_check", N_("Earlier warnings for this vehicle or person") },
  { BB_KIND_S59_WARNING, "seizure", N_("Only when the vehicle was seized") },
};

static const struct {
  const char *kind;
  const char *label;
} occurred_labels[] = {
  { BB_KIND_PATROL_OBSERVATION, N_("Seen at") },
  { BB_KIND_S59_WARNING, N_("Issued at") },
  { BB_KIND_VAWG_WALK, N_("Started") },
  { BB_KIND_ENGAGEMENT_EVENT, N_("Started") },
};

static const struct {
  const char *name;
  const char *add_label;
  const char *item_title;   /* %u: the item's number, from 1 */
  const char *remove_label; /* %u: the item's number, from 1 */
} list_labels[] = {
  { "vehicles", N_("Add vehicle"), N_("Vehicle %u"), N_("Remove vehicle %u") },
  { "unsafe_spots", N_("Add unsafe spot"), N_("Unsafe spot %u"), N_("Remove unsafe spot %u") },
  { "concerns", N_("Add concern"), N_("Concern %u"), N_("Remove concern %u") },
  { "actions", N_("Add action"), N_("Action %u"), N_("Remove action %u") },
  { "officers_present", N_("Add officer"), N_("Officer %u"), N_("Remove officer %u") },
  { "councillors_present", N_("Add councillor"), N_("Councillor %u"), N_("Remove councillor %u") },
  { "staff_present", N_("Add person"), N_("Person %u"), N_("Remove person %u") },
};

static const BbFieldSpec occurred_at_spec = {
  "occurred_at", BB_FIELD_TIME, BB_FIELD_FLAG_REQUIRED, NULL, N_("When")
};
static const BbFieldSpec priority_spec = {
  "priority", BB_FIELD_CHOICE, BB_FIELD_FLAG_REQUIRED, NULL, N_("CSP priority")
};

static void build_node (BbForm *form, BbFieldNode *node, BuildCtx *ctx);
static void fill_node  (BbFieldNode *node, JsonNode *value);

/* Helpers */

static gboolean
word_in_list (const char *word,
              const char *list)
{
  g_auto(GStrv) words = NULL;

  if (word == NULL)
    return FALSE;

  words = g_strsplit (list, " ", -1);
  return g_strv_contains ((const char * const *) words, word);
}

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

static JsonNode *
take_array (JsonArray *array)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  json_node_take_array (node, array);
  return node;
}

static JsonNode *
take_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return node;
}

static const char *
node_label (BbFieldNode *node)
{
  return node->spec != NULL && node->spec->label != NULL ? _(node->spec->label) : "";
}

static gboolean
node_required (BbFieldNode *node)
{
  return !node->is_item && node->spec != NULL &&
         (node->spec->flags & BB_FIELD_FLAG_REQUIRED) != 0;
}

static guint
list_label_index (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (list_labels); i++)
    if (g_strcmp0 (list_labels[i].name, name) == 0)
      return i;
  return G_MAXUINT;
}

/* The labels come from a table, so the number goes in by hand rather than
 * through a printf format the compiler cannot check. */
static char *
with_number (const char *translated,
             guint       number)
{
  GString *text = g_string_new (translated);
  char digits[16];

  g_snprintf (digits, sizeof digits, "%u", number);
  g_string_replace (text, "%u", digits, 1);

  return g_string_free (text, FALSE);
}

static char *
item_title (BbFieldNode *list,
            guint        index)
{
  guint i = list_label_index (list->name);

  if (i != G_MAXUINT)
    return with_number (_(list_labels[i].item_title), index + 1);
  return g_strdup_printf ("%s %u", node_label (list), index + 1);
}

static char *
remove_label (BbFieldNode *list,
              guint        index)
{
  guint i = list_label_index (list->name);

  if (i != G_MAXUINT)
    return with_number (_(list_labels[i].remove_label), index + 1);
  /* TRANSLATORS: "Remove Vehicles 2": the list's name and the item's number */
  return g_strdup_printf (_("Remove %s %u"), node_label (list), index + 1);
}

static const char *
add_label (BbFieldNode *list)
{
  guint i = list_label_index (list->name);

  return i != G_MAXUINT ? _(list_labels[i].add_label) : _("Add");
}

static void
set_accessible_label (GtkWidget  *widget,
                      const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

/* The shortest text that reads back as exactly @value, so a latitude
 * survives a round trip through the form unchanged. */
static char *
format_number (double value)
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

static gboolean
parse_number (const char *text,
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

static char *
node_dup_text (BbFieldNode *node)
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

static void
node_set_text (BbFieldNode *node,
               const char  *text)
{
  if (text == NULL)
    text = "";

  if (GTK_IS_TEXT_VIEW (node->input))
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (node->input)), text, -1);
  else if (GTK_IS_EDITABLE (node->input))
    gtk_editable_set_text (GTK_EDITABLE (node->input), text);
}

static const char *
node_choice_id (BbFieldNode *node)
{
  if (BB_IS_CHOICE_ROW (node->input))
    return bb_choice_row_get_selected_id (BB_CHOICE_ROW (node->input));

  if (ADW_IS_COMBO_ROW (node->input) && node->choice_ids != NULL)
    {
      guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (node->input));

      if (selected < node->choice_ids->len)
        return g_ptr_array_index (node->choice_ids, selected);
    }

  return NULL;
}

static void
node_set_choice_id (BbFieldNode *node,
                    const char  *id)
{
  if (BB_IS_CHOICE_ROW (node->input))
    {
      bb_choice_row_set_selected_id (BB_CHOICE_ROW (node->input), id);
      return;
    }

  if (ADW_IS_COMBO_ROW (node->input) && node->choice_ids != NULL)
    {
      GtkStringList *model;

      for (guint i = 0; i < node->choice_ids->len; i++)
        if (g_strcmp0 (g_ptr_array_index (node->choice_ids, i), id) == 0)
          {
            adw_combo_row_set_selected (ADW_COMBO_ROW (node->input), i);
            return;
          }

      /* An id the profile no longer has: kept and shown as it is. */
      model = GTK_STRING_LIST (adw_combo_row_get_model (ADW_COMBO_ROW (node->input)));
      gtk_string_list_append (model, id);
      g_ptr_array_add (node->choice_ids, g_strdup (id));
      adw_combo_row_set_selected (ADW_COMBO_ROW (node->input), node->choice_ids->len - 1);
    }
}

/* Nodes */

static void
node_update_path (BbFieldNode *node)
{
  g_free (node->path);

  if (node->is_item)
    node->path = g_strdup_printf ("%s[%d]", node->parent->path, node->index);
  else if (node->parent == NULL || node->parent->path == NULL || node->parent->path[0] == '\0')
    node->path = g_strdup (node->name != NULL ? node->name : "");
  else
    node->path = g_strdup_printf ("%s.%s", node->parent->path, node->name);

  for (guint i = 0; node->children != NULL && i < node->children->len; i++)
    node_update_path (g_ptr_array_index (node->children, i));
}

static void node_free (gpointer data);

static BbFieldNode *
node_new (BbForm            *form,
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
  node->children = g_ptr_array_new_with_free_func (node_free);

  if (parent != NULL)
    g_ptr_array_add (parent->children, node);
  node_update_path (node);

  return node;
}

static void
node_free (gpointer data)
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
  g_free (node->shown_iso);
  g_free (node->local_message);
  g_free (node->message);
  g_free (node);
}

static BbFieldNode *
node_find_child (BbFieldNode *node,
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

static void
foreach_node (BbFieldNode *node,
              GFunc        func,
              gpointer     user_data)
{
  func (node, user_data);
  for (guint i = 0; i < node->children->len; i++)
    foreach_node (g_ptr_array_index (node->children, i), func, user_data);
}

/* Hidden sections (fly-tipping details of a graffiti report) send nothing. */
static gboolean
node_is_hidden (BbFieldNode *node)
{
  for (; node != NULL; node = node->parent)
    if (node->section != NULL && !gtk_widget_get_visible (node->section))
      return TRUE;

  return FALSE;
}

/* Changes */

static void
node_changed (BbFieldNode *node)
{
  BbForm *form = node->form;

  if (form->filling > 0)
    return;

  for (BbFieldNode *n = node; n != NULL; n = n->parent)
    n->touched = TRUE;

  if (node->spec != NULL &&
      (node->spec->type == BB_FIELD_COUNT || node->spec->type == BB_FIELD_BOOL))
    node->has_value = TRUE;

  if (node == form->priority)
    form->priority_set = TRUE;

  if (node->parent == form->root)
    bb_form_update_conditions (form);

  if (form->changed != NULL)
    form->changed (form, node, form->user_data);
}

static void
on_input_changed (BbFieldNode *node)
{
  node_changed (node);
}

static void
update_choice_list_subtitle (BbFieldNode *node)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < node->choice_ids->len; i++)
    {
      const char *id = g_ptr_array_index (node->choice_ids, i);
      GtkCheckButton *check = g_hash_table_lookup (node->checks, id);

      if (check != NULL && gtk_check_button_get_active (check))
        {
          const char *label = bb_profile_get_choice_label (node->form->profile,
                                                           node->spec->choices, id);

          if (text->len > 0)
            g_string_append (text, ", ");
          g_string_append (text, label != NULL ? label : id);
        }
    }

  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (node->input),
                                 text->len > 0 ? text->str : _("None"));
}

static void
on_check_toggled (BbFieldNode *node)
{
  /* Filling updates the subtitle once at the end; teardown not at all. */
  if (node->form->filling > 0)
    return;

  update_choice_list_subtitle (node);
  node_changed (node);
}

/* Enter moves on to the next field rather than submitting half a form. */
static void
on_entry_activated (GtkWidget *row)
{
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (row));

  if (root != NULL)
    gtk_widget_child_focus (root, GTK_DIR_TAB_FORWARD);
}

/* A registration mark is shown as people write it once they move on. */
/* A choice made from a picker moves on to the next field that needs one. */
static void
on_choice_chosen (BbFieldNode *node)
{
  bb_form_focus_next (node->form, node);
}

/* A registration mark is shown as people write it once they move on. */
static void
on_vrm_focus_leave (GtkEventControllerFocus *controller,
                    BbFieldNode             *node)
{
  g_autofree char *text = NULL;
  g_autofree char *display = NULL;

  if (node->form->filling > 0)
    return;

  text = node_dup_text (node);
  if (is_blank (text))
    return;

  display = bb_vrm_format_display (text);
  if (display != NULL && g_strcmp0 (display, text) != 0)
    node_set_text (node, display);
}

/* Building */

static void
add_row (BuildCtx  *ctx,
         GtkWidget *row)
{
  if (ctx->expander != NULL)
    {
      adw_expander_row_add_row (ctx->expander, row);
      return;
    }

  if (ctx->group == NULL)
    {
      ctx->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
      if (ctx->group_title != NULL)
        adw_preferences_group_set_title (ctx->group, ctx->group_title);
      ctx->group_title = NULL;
      gtk_box_append (ctx->box, GTK_WIDGET (ctx->group));
    }

  adw_preferences_group_add (ctx->group, row);
}

static void
add_message_row (BbFieldNode *node,
                 BuildCtx    *ctx)
{
  /* A preferences row, or the group would put it below its list. */
  GtkWidget *row = adw_preferences_row_new ();
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (row, "bb-field-message");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  gtk_widget_set_visible (row, FALSE);

  node->message_row = row;
  node->message_label = label;
  add_row (ctx, row);
}

/* Messages of whole sections and lists sit under the section's rows. */
static void
add_section_message (BbFieldNode         *node,
                     AdwPreferencesGroup *group)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "bb-section-message");
  gtk_widget_set_visible (label, FALSE);
  node->message_label = label;
  adw_preferences_group_add (group, label);
}

static void
mark_required (BbFieldNode *node)
{
  if (!node_required (node) || node->is_meta)
    return;

  if (ADW_IS_ACTION_ROW (node->row))
    adw_action_row_set_subtitle (ADW_ACTION_ROW (node->row), _("Required"));
  else if (ADW_IS_ENTRY_ROW (node->row))
    {
      GtkWidget *label = gtk_label_new (_("Required"));

      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_add_css_class (label, "caption");
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (node->row), label);
    }
}

static void
build_entry (BbFieldNode *node,
             GtkWidget   *row)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), node_label (node));
  g_signal_connect_swapped (row, "changed", G_CALLBACK (on_input_changed), node);
  g_signal_connect (row, "entry-activated", G_CALLBACK (on_entry_activated), NULL);
  node->input = node->row = row;
}

static void
build_multiline (BbFieldNode *node,
                 BuildCtx    *ctx)
{
  /* A preferences row, or the group would put it below its list. */
  GtkWidget *row = adw_preferences_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *title = gtk_label_new (node_label (node));
  GtkWidget *view = gtk_text_view_new ();

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_widget_add_css_class (title, "bb-row-title");
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  /* Tab leaves the field: keyboard users must be able to get out. */
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_widget_add_css_class (view, "bb-multiline");
  gtk_widget_set_size_request (view, -1, 88);
  set_accessible_label (view, node_label (node));
  gtk_accessible_update_relation (GTK_ACCESSIBLE (view),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, title, NULL,
                                  -1);

  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), view);
  gtk_widget_add_css_class (box, "bb-multiline-box");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);

  if (node_required (node))
    {
      g_autofree char *text = g_strdup_printf ("%s · %s", node_label (node), _("Required"));

      gtk_label_set_label (GTK_LABEL (title), text);
    }

  g_signal_connect_swapped (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), "changed",
                            G_CALLBACK (on_input_changed), node);
  node->input = view;
  node->row = row;
  add_row (ctx, row);
}

static void
build_count (BbFieldNode *node,
             BuildCtx    *ctx)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (0, 99999, 1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), node_label (node));
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  set_accessible_label (spin, node_label (node));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  /* One Tab stop per field: straight into the number. */
  gtk_widget_set_focusable (row, FALSE);
  g_signal_connect_swapped (spin, "value-changed", G_CALLBACK (on_input_changed), node);

  node->input = spin;
  node->row = row;
  add_row (ctx, row);
}

static void
build_bool (BbFieldNode *node,
            BuildCtx    *ctx)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), node_label (node));
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  set_accessible_label (toggle, node_label (node));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  gtk_widget_set_focusable (row, FALSE);
  g_signal_connect_swapped (toggle, "notify::active", G_CALLBACK (on_input_changed), node);

  node->input = toggle;
  node->row = row;
  add_row (ctx, row);
}

static void
build_choice (BbFieldNode *node,
              BuildCtx    *ctx)
{
  GPtrArray *choices = bb_profile_get_choices (node->form->profile, node->spec->choices);
  const char *none = node_required (node) ? NULL : _("Not set");
  guint n = choices != NULL ? choices->len : 0;

  if (n > LONG_LIST || g_strcmp0 (node->spec->choices, "wards") == 0)
    {
      GtkWidget *row = bb_choice_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), node_label (node));
      bb_choice_row_set_choices (BB_CHOICE_ROW (row), choices, none);
      g_signal_connect_swapped (row, "notify::selected-id", G_CALLBACK (on_input_changed), node);
      g_signal_connect_swapped (row, "chosen", G_CALLBACK (on_choice_chosen), node);
      node->input = node->row = row;
    }
  else
    {
      GtkWidget *row = adw_combo_row_new ();
      GtkStringList *model = gtk_string_list_new (NULL);

      node->choice_ids = g_ptr_array_new_with_free_func (g_free);
      /* Position 0 is "nothing chosen yet", even for required fields: a
       * default nobody picked would pass validation unseen. */
      gtk_string_list_append (model, none != NULL ? none : _("Choose…"));
      g_ptr_array_add (node->choice_ids, NULL);
      for (guint i = 0; i < n; i++)
        {
          BbChoice *choice = g_ptr_array_index (choices, i);

          gtk_string_list_append (model, choice->label);
          g_ptr_array_add (node->choice_ids, g_strdup (choice->id));
        }

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), node_label (node));
      adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
      g_object_unref (model);
      g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (on_input_changed), node);
      node->input = node->row = row;
    }

  add_row (ctx, node->row);
}

static void
build_priority (BbFieldNode *node,
                BuildCtx    *ctx)
{
  GtkWidget *row = adw_combo_row_new ();
  GtkStringList *model = gtk_string_list_new (NULL);

  node->choice_ids = g_ptr_array_new_with_free_func (g_free);
  for (int p = 1; p <= 4; p++)
    {
      const char *label = bb_profile_get_priority_label (node->form->profile, p);
      g_autofree char *text = label != NULL ? g_strdup_printf ("%d · %s", p, label)
                                            : g_strdup_printf ("%d", p);

      gtk_string_list_append (model, text);
      g_ptr_array_add (node->choice_ids, g_strdup_printf ("%d", p));
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), node_label (node));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
  g_object_unref (model);
  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (on_input_changed), node);
  node->input = node->row = row;
  add_row (ctx, row);
}

static GtkWidget *
add_choice_check (BbFieldNode *node,
                  const char  *id,
                  const char  *label)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), label);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  set_accessible_label (check, label);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  gtk_widget_set_focusable (row, FALSE);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (node->input), row);
  g_signal_connect_swapped (check, "toggled", G_CALLBACK (on_check_toggled), node);

  g_hash_table_insert (node->checks, g_strdup (id), check);
  g_ptr_array_add (node->choice_ids, g_strdup (id));

  return check;
}

static void
build_choice_list (BbFieldNode *node,
                   BuildCtx    *ctx)
{
  GPtrArray *choices = bb_profile_get_choices (node->form->profile, node->spec->choices);
  GtkWidget *row = adw_expander_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), node_label (node));
  node->input = node->row = row;
  node->checks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  node->choice_ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; choices != NULL && i < choices->len; i++)
    {
      BbChoice *choice = g_ptr_array_index (choices, i);

      add_choice_check (node, choice->id, choice->label);
    }

  update_choice_list_subtitle (node);
  add_row (ctx, row);
}

static void
on_remove_item_clicked (GtkButton   *button,
                        BbFieldNode *item)
{
  BbFieldNode *list = item->parent;
  guint index;

  if (item->section != NULL)
    gtk_box_remove (GTK_BOX (list->items_box), item->section);
  else
    {
      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (list->group), item->row);
      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (list->group), item->message_row);
    }

  g_ptr_array_find (list->children, item, &index);
  g_ptr_array_remove_index (list->children, index);

  for (guint i = 0; i < list->children->len; i++)
    {
      BbFieldNode *other = g_ptr_array_index (list->children, i);
      g_autofree char *title = item_title (list, i);
      g_autofree char *remove = remove_label (list, i);

      other->index = i;
      node_update_path (other);
      if (other->section != NULL)
        adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (other->group), title);
      else
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (other->row), title);
      gtk_widget_set_tooltip_text (other->remove_button, remove);
      set_accessible_label (other->remove_button, remove);
    }

  /* Focus must not fall out of the form with the removed widgets. */
  gtk_widget_grab_focus (list->add_button);
  node_changed (list);
}

static GtkWidget *
make_remove_button (BbFieldNode *item)
{
  g_autofree char *label = remove_label (item->parent, item->index);
  GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  set_accessible_label (button, label);
  g_signal_connect (button, "clicked", G_CALLBACK (on_remove_item_clicked), item);

  return button;
}

BbFieldNode *
bb_form_add_item (BbFieldNode *list)
{
  BbForm *form = list->form;
  BbFieldNode *item;
  g_autofree char *title = NULL;

  g_return_val_if_fail (list->spec->type == BB_FIELD_OBJECT_LIST ||
                        list->spec->type == BB_FIELD_TEXT_LIST, NULL);

  item = node_new (form, list, list->spec, NULL);
  item->is_item = TRUE;
  item->index = list->children->len - 1;
  node_update_path (item);
  title = item_title (list, item->index);
  item->remove_button = make_remove_button (item);

  if (list->spec->type == BB_FIELD_OBJECT_LIST)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
      GtkWidget *group = adw_preferences_group_new ();
      BuildCtx ctx = { GTK_BOX (box), ADW_PREFERENCES_GROUP (group), NULL, NULL };

      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
      adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group), item->remove_button);
      gtk_box_append (GTK_BOX (box), group);
      item->section = box;
      item->group = group;
      add_section_message (item, ADW_PREFERENCES_GROUP (group));

      for (const BbFieldSpec *child = list->spec->children; child != NULL && child->name != NULL; child++)
        build_node (form, node_new (form, item, child, child->name), &ctx);

      gtk_box_append (GTK_BOX (list->items_box), box);
    }
  else
    {
      GtkWidget *row = adw_entry_row_new ();
      BuildCtx ctx = { NULL, ADW_PREFERENCES_GROUP (list->group), NULL, NULL };

      build_entry (item, row);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), item->remove_button);
      add_row (&ctx, row);
      add_message_row (item, &ctx);
    }

  return item;
}

static void
on_add_item_clicked (GtkButton   *button,
                     BbFieldNode *list)
{
  BbFieldNode *item = bb_form_add_item (list);

  bb_form_focus_node (item);
  node_changed (item);
}

static GtkWidget *
make_add_button (BbFieldNode *list)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *content = adw_button_content_new ();

  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), "list-add-symbolic");
  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), add_label (list));
  gtk_button_set_child (GTK_BUTTON (button), content);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect (button, "clicked", G_CALLBACK (on_add_item_clicked), list);
  list->add_button = button;

  return button;
}

static void
build_list (BbForm      *form,
            BbFieldNode *node,
            BuildCtx    *ctx)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), node_label (node));
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group), make_add_button (node));
  node->group = group;
  node->input = node->add_button;

  if (node->spec->type == BB_FIELD_OBJECT_LIST)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);

      node->items_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
      gtk_box_append (GTK_BOX (box), group);
      gtk_box_append (GTK_BOX (box), node->items_box);
      node->section = box;
    }
  else
    node->section = group;

  add_section_message (node, ADW_PREFERENCES_GROUP (group));
  gtk_box_append (ctx->box, node->section);
  ctx->group = NULL;
}

static const char *
collapsible_subtitle (BbForm      *form,
                      BbFieldNode *node)
{
  for (guint i = 0; i < G_N_ELEMENTS (collapsible); i++)
    if (g_strcmp0 (collapsible[i].kind, form->kind->id) == 0 &&
        node->parent == form->root &&
        g_strcmp0 (collapsible[i].name, node->name) == 0)
      return _(collapsible[i].subtitle);

  return NULL;
}

static void
build_object (BbForm      *form,
              BbFieldNode *node,
              BuildCtx    *ctx)
{
  BuildCtx inner = *ctx;

  if (node->parent == form->root)
    {
      GtkWidget *group = adw_preferences_group_new ();
      const char *subtitle = collapsible_subtitle (form, node);

      gtk_box_append (ctx->box, group);
      node->section = node->group = group;
      inner.group = ADW_PREFERENCES_GROUP (group);
      inner.expander = NULL;

      if (subtitle != NULL)
        {
          GtkWidget *expander = adw_expander_row_new ();

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), node_label (node));
          adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), subtitle);
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), expander);
          node->expander = expander;
          inner.expander = ADW_EXPANDER_ROW (expander);
        }
      else
        adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), node_label (node));

      add_section_message (node, ADW_PREFERENCES_GROUP (group));
      node->input = node->expander;
      /* Scalars after a section start a group of their own. */
      ctx->group = NULL;
    }
  else
    add_message_row (node, &inner);

  for (const BbFieldSpec *child = node->spec->children; child != NULL && child->name != NULL; child++)
    build_node (form, node_new (form, node, child, child->name), &inner);

  if (node->parent != form->root)
    {
      /* Later siblings go where this object's rows went. */
      ctx->group = inner.group;
      ctx->expander = inner.expander;
    }
}

static void
build_node (BbForm      *form,
            BbFieldNode *node,
            BuildCtx    *ctx)
{
  const BbFieldSpec *spec = node->spec;

  if (node->is_meta && node == form->priority)
    {
      build_priority (node, ctx);
      add_message_row (node, ctx);
      return;
    }

  switch (spec->type)
    {
    case BB_FIELD_TEXT:
      if (spec->flags & BB_FIELD_FLAG_MULTILINE)
        build_multiline (node, ctx);
      else
        {
          build_entry (node, adw_entry_row_new ());
          add_row (ctx, node->row);
        }
      break;

    case BB_FIELD_VRM:
      {
        GtkEventController *focus = gtk_event_controller_focus_new ();

        build_entry (node, adw_entry_row_new ());
        adw_entry_row_set_input_hints (ADW_ENTRY_ROW (node->row),
                                       GTK_INPUT_HINT_UPPERCASE_CHARS | GTK_INPUT_HINT_NO_SPELLCHECK);
        g_signal_connect (focus, "leave", G_CALLBACK (on_vrm_focus_leave), node);
        gtk_widget_add_controller (node->row, focus);
        add_row (ctx, node->row);
      }
      break;

    case BB_FIELD_NUMBER:
      build_entry (node, adw_entry_row_new ());
      adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (node->row), GTK_INPUT_PURPOSE_NUMBER);
      add_row (ctx, node->row);
      break;

    case BB_FIELD_TIME:
    case BB_FIELD_DATE:
      build_entry (node, bb_date_row_new (spec->type == BB_FIELD_TIME, form->tz));
      add_row (ctx, node->row);
      break;

    case BB_FIELD_COUNT:
      build_count (node, ctx);
      break;

    case BB_FIELD_BOOL:
      build_bool (node, ctx);
      break;

    case BB_FIELD_CHOICE:
      build_choice (node, ctx);
      break;

    case BB_FIELD_CHOICE_LIST:
      build_choice_list (node, ctx);
      break;

    case BB_FIELD_ID_LIST:
      /* Filled by the prior-warning look-up, never typed: carried as loaded. */
      return;

    case BB_FIELD_OBJECT:
      build_object (form, node, ctx);
      return;

    case BB_FIELD_OBJECT_LIST:
    case BB_FIELD_TEXT_LIST:
      build_list (form, node, ctx);
      return;

    default:
      g_warn_if_reached ();
      return;
    }

  mark_required (node);
  add_message_row (node, ctx);
}

static const char *
occurred_label (const BbKindSpec *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (occurred_labels); i++)
    if (g_strcmp0 (occurred_labels[i].kind, kind->id) == 0)
      return _(occurred_labels[i].label);

  return _(occurred_at_spec.label);
}

BbForm *
bb_form_new (BbProfile         *profile,
             const BbKindSpec  *kind,
             GtkBox            *box,
             BbFormChangedFunc  changed,
             gpointer           user_data)
{
  BbForm *form = g_new0 (BbForm, 1);
  const BbFieldSpec *common = bb_kind_common_fields ();
  BuildCtx ctx = { box, NULL, NULL, NULL };
  g_autofree char *details = NULL;

  form->profile = g_object_ref (profile);
  form->kind = kind;
  form->box = box;
  form->changed = changed;
  form->user_data = user_data;
  form->tz = bb_time_zone_local (bb_profile_get_timezone (profile));
  form->root = node_new (form, NULL, NULL, NULL);
  form->filling++;

  /* The kind's own sections first: they are what must be typed, while
   * time, ward and place come filled in (now, the last used), so the common
   * case needs no scrolling (ux.md: a record in 30 seconds). */
  ctx.group_title = bb_kind_get_label (kind);
  for (const BbFieldSpec *spec = kind->fields; spec != NULL && spec->name != NULL; spec++)
    build_node (form, node_new (form, form->root, spec, spec->name), &ctx);

  /* Then "When and where": the common fields, priority and notes. */
  ctx.group = NULL;
  ctx.expander = NULL;
  ctx.group_title = _("When and where");
  form->occurred_at = node_new (form, form->root, &occurred_at_spec, "occurred_at");
  form->occurred_at->is_meta = TRUE;
  build_node (form, form->occurred_at, &ctx);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (form->occurred_at->row), occurred_label (kind));

  /* Times first: "when" reads as one block, then "where". */
  for (const BbFieldSpec *spec = common; spec->name != NULL; spec++)
    if (spec->type == BB_FIELD_TIME)
      build_node (form, node_new (form, form->root, spec, spec->name), &ctx);

  for (const BbFieldSpec *spec = common; spec->name != NULL; spec++)
    {
      if (spec->type == BB_FIELD_TIME)
        continue;
      if (g_strcmp0 (spec->name, "notes") == 0)
        {
          form->priority = node_new (form, form->root, &priority_spec, "priority");
          form->priority->is_meta = TRUE;
          build_node (form, form->priority, &ctx);
          ctx.group = NULL;
          ctx.group_title = _(spec->label);
        }
      build_node (form, node_new (form, form->root, spec, spec->name), &ctx);
      /* "Use my location" under the numbers it fills (bb-location-row.c). */
      if (g_strcmp0 (spec->name, "lon") == 0)
        add_row (&ctx, bb_location_row_new (form, NULL));
    }

  if (form->priority == NULL)
    {
      form->priority = node_new (form, form->root, &priority_spec, "priority");
      form->priority->is_meta = TRUE;
      build_node (form, form->priority, &ctx);
    }

  bb_form_set_priority (form, bb_kind_default_priority (kind, NULL));
  form->filling--;
  bb_form_update_conditions (form);

  return form;
}

void
bb_form_free (BbForm *form)
{
  if (form == NULL)
    return;

  g_clear_pointer (&form->root, node_free);
  g_clear_pointer (&form->tz, g_time_zone_unref);
  g_clear_object (&form->profile);
  g_free (form);
}

/* Conditions */

void
bb_form_update_conditions (BbForm *form)
{
  for (guint i = 0; i < G_N_ELEMENTS (conditions); i++)
    {
      BbFieldNode *section, *controller;

      if (g_strcmp0 (conditions[i].kind, form->kind->id) != 0)
        continue;
      section = node_find_child (form->root, conditions[i].section);
      controller = node_find_child (form->root, conditions[i].controller);
      if (section == NULL || controller == NULL || section->section == NULL)
        continue;

      gtk_widget_set_visible (section->section,
                              word_in_list (node_choice_id (controller), conditions[i].values));
    }

  for (guint i = 0; i < G_N_ELEMENTS (requirements); i++)
    {
      BbFieldNode *section, *controller;
      gboolean required;

      if (g_strcmp0 (requirements[i].kind, form->kind->id) != 0)
        continue;
      section = node_find_child (form->root, requirements[i].section);
      controller = node_find_child (form->root, requirements[i].controller);
      if (section == NULL || controller == NULL || section->group == NULL)
        continue;

      required = word_in_list (node_choice_id (controller), requirements[i].values);
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (section->group),
                                             required ? _(requirements[i].description) : NULL);
    }
}

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
      text = node_dup_text (node);
      return is_blank (text) ? NULL : json_node_init_string (json_node_alloc (), text);

    case BB_FIELD_VRM:
      {
        g_autofree char *normalised = NULL;

        text = node_dup_text (node);
        if (is_blank (text))
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

        text = node_dup_text (node);
        if (is_blank (text))
          return NULL;
        if (parse_number (text, &value))
          return json_node_init_double (json_node_alloc (), value);

        set_local (node, _("Enter a number, such as 51.4462"), BB_PROBLEM_ERROR);
        if (raw != NULL)
          json_object_set_string_member (raw, node->path, text);
        return NULL;
      }

    case BB_FIELD_TIME:
      {
        g_autofree char *iso = NULL;

        text = node_dup_text (node);
        if (is_blank (text))
          return NULL;
        iso = collect_time (node, text, raw);
        return iso != NULL ? json_node_init_string (json_node_alloc (), iso) : NULL;
      }

    case BB_FIELD_DATE:
      {
        g_autofree char *date = NULL;

        text = node_dup_text (node);
        if (is_blank (text))
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
      if (!node->has_value && !node_required (node))
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
        const char *id = node_choice_id (node);

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
        return take_array (array);
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
        return take_object (object);
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
                g_autofree char *item_text = node_dup_text (item);

                if (is_blank (item_text))
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
        return take_array (array);
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

  foreach_node (form->root, clear_local, NULL);

  return collect_object (form->root, raw);
}

char *
bb_form_get_occurred_at (BbForm *form)
{
  BbFieldNode *node = form->occurred_at;
  g_autofree char *text = node_dup_text (node);

  clear_local (node, NULL);
  if (is_blank (text))
    {
      set_local (node, _("Enter when it happened"), BB_PROBLEM_ERROR);
      return NULL;
    }

  return collect_time (node, text, NULL);
}

int
bb_form_get_priority (BbForm *form)
{
  return (int) adw_combo_row_get_selected (ADW_COMBO_ROW (form->priority->input)) + 1;
}

/* Filling */

void
bb_form_set_occurred_at (BbForm     *form,
                         const char *iso)
{
  g_autoptr(JsonNode) value = iso != NULL ? json_node_init_string (json_node_alloc (), iso) : NULL;

  form->filling++;
  fill_node (form->occurred_at, value);
  form->filling--;
}

void
bb_form_set_priority (BbForm *form,
                      int     priority)
{
  form->filling++;
  adw_combo_row_set_selected (ADW_COMBO_ROW (form->priority->input),
                              CLAMP (priority, 1, 4) - 1);
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
      fill_node (child, value);
      any |= value != NULL;
    }

  if (object != NULL)
    {
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;

      json_object_iter_init (&iter, object);
      while (json_object_iter_next (&iter, &key, &value))
        if (node_find_child (node, key) == NULL)
          {
            if (node->extras == NULL)
              node->extras = json_object_new ();
            json_object_set_member (node->extras, key, json_node_copy (value));
          }
    }

  if (node->expander != NULL && any)
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (node->expander), TRUE);
}

static void
fill_node (BbFieldNode *node,
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
      node_set_text (node, text);
      break;

    case BB_FIELD_VRM:
      text = value_as_text (value);
      if (text != NULL)
        {
          g_autofree char *display = bb_vrm_format_display (text);

          node_set_text (node, display != NULL ? display : text);
        }
      else
        node_set_text (node, NULL);
      break;

    case BB_FIELD_NUMBER:
      if (value != NULL && JSON_NODE_HOLDS_VALUE (value) &&
          (json_node_get_value_type (value) == G_TYPE_DOUBLE ||
           json_node_get_value_type (value) == G_TYPE_INT64))
        text = format_number (json_node_get_double (value));
      else
        text = value_as_text (value);
      node_set_text (node, text);
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
      node_set_text (node, node->shown_text != NULL ? node->shown_text : text);
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
      node_set_choice_id (node, text);
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
                  button = add_choice_check (node, id, id);
                gtk_check_button_set_active (GTK_CHECK_BUTTON (button), TRUE);
              }
          }
        update_choice_list_subtitle (node);
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

                  node_set_text (item, item_text);
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
        node_set_text (node, json_node_get_string (value));
    }
  form->filling--;
}

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

      node = node_find_child (node, parts[i]);
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
  foreach_node (form->root, clear_message, NULL);
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
  if (node->message != NULL && node->severity == BB_PROBLEM_ERROR && !node_is_hidden (node))
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
  foreach_node (form->root, func, user_data);
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
node_is_empty (BbFieldNode *node)
{
  g_autofree char *text = NULL;

  switch (node->spec->type)
    {
    case BB_FIELD_CHOICE:
      return node_choice_id (node) == NULL;
    case BB_FIELD_COUNT:
    case BB_FIELD_BOOL:
      return !node->has_value;
    case BB_FIELD_TEXT:
    case BB_FIELD_VRM:
    case BB_FIELD_NUMBER:
    case BB_FIELD_TIME:
    case BB_FIELD_DATE:
      text = node_dup_text (node);
      return is_blank (text);
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

      candidate.required = node_required (child);
      candidate.empty = node_is_empty (child);
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
