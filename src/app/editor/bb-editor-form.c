/* bb-editor-form.c: the editor's form, built from the kinds' field tables
 *
 * Building the form lives here; reading and filling values in
 * bb-editor-form-values.c, finding fields, messages and focus in
 * bb-editor-form-focus.c, and what every part shares about a field (its
 * text, its choice, its place in the tree) in bb-editor-form-nodes.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-editor"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bb-chip-row.h"
#include "bb-choice-row.h"
#include "bb-date-row.h"
#include "bb-editor-form-private.h"
#include "bb-location-row.h"


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
  { "waypoints", N_("Add waypoint"), N_("Waypoint %u"), N_("Remove waypoint %u") },
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

/* Labels of lists */

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
  return g_strdup_printf ("%s %u", bb_node_label (list), index + 1);
}

static char *
remove_label (BbFieldNode *list,
              guint        index)
{
  guint i = list_label_index (list->name);

  if (i != G_MAXUINT)
    return with_number (_(list_labels[i].remove_label), index + 1);
  /* TRANSLATORS: "Remove Vehicles 2": the list's name and the item's number */
  return g_strdup_printf (_("Remove %s %u"), bb_node_label (list), index + 1);
}

static const char *
add_label (BbFieldNode *list)
{
  guint i = list_label_index (list->name);

  return i != G_MAXUINT ? _(list_labels[i].add_label) : _("Add");
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

void
bb_node_update_choice_list_subtitle (BbFieldNode *node)
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

  bb_node_update_choice_list_subtitle (node);
  node_changed (node);
}

/* Enter moves on to the next field rather than submitting half a form; in
 * an empty field with a remembered value offered, it takes the offer. */
static void
on_entry_activated (GtkWidget   *row,
                    BbFieldNode *node)
{
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (row));
  g_autofree char *text = bb_node_dup_text (node);

  if (node->suggestion != NULL && bb_form_text_is_blank (text))
    {
      bb_form_use_suggestion (node);
      return;
    }

  if (root != NULL)
    gtk_widget_child_focus (root, GTK_DIR_TAB_FORWARD);
}

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

  text = bb_node_dup_text (node);
  if (bb_form_text_is_blank (text))
    return;

  display = bb_vrm_format_display (text);
  if (display != NULL && g_strcmp0 (display, text) != 0)
    bb_node_set_text (node, display);
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
  if (!bb_node_required (node) || node->is_meta)
    return;

  if (BB_IS_CHIP_ROW (node->row))
    bb_chip_row_set_required (BB_CHIP_ROW (node->row), TRUE);
  else if (ADW_IS_ACTION_ROW (node->row))
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
on_suggestion_used (BbFieldNode *node)
{
  bb_form_use_suggestion (node);
}

/* Under a text field: a value remembered from an earlier record, offered
 * rather than filled in (bb_form_suggest_text). Hidden until offered. */
static void
add_suggestion_row (BbFieldNode *node,
                    BuildCtx    *ctx)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Use It"));
  GtkWidget *icon = gtk_image_new_from_icon_name ("document-open-recent-symbolic");

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_set_focusable (row, FALSE);
  gtk_widget_add_css_class (row, "bb-suggestion");
  gtk_widget_set_visible (row, FALSE);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_suggestion_used), node);

  node->suggestion_row = row;
  node->suggestion_button = button;
  add_row (ctx, row);
}

static void
build_entry (BbFieldNode *node,
             GtkWidget   *row)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), bb_node_label (node));
  g_signal_connect_swapped (row, "changed", G_CALLBACK (on_input_changed), node);
  g_signal_connect (row, "entry-activated", G_CALLBACK (on_entry_activated), node);
  node->input = node->row = row;
}

static void
build_multiline (BbFieldNode *node,
                 BuildCtx    *ctx)
{
  /* A preferences row, or the group would put it below its list. */
  GtkWidget *row = adw_preferences_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *title = gtk_label_new (bb_node_label (node));
  GtkWidget *view = gtk_text_view_new ();

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_widget_add_css_class (title, "bb-row-title");
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  /* Tab leaves the field: keyboard users must be able to get out. */
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_widget_add_css_class (view, "bb-multiline");
  gtk_widget_set_size_request (view, -1, 88);
  bb_form_set_accessible_label (view, bb_node_label (node));
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

  if (bb_node_required (node))
    {
      g_autofree char *text = g_strdup_printf ("%s · %s", bb_node_label (node), _("Required"));

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

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), bb_node_label (node));
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  bb_form_set_accessible_label (spin, bb_node_label (node));
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

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), bb_node_label (node));
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  bb_form_set_accessible_label (toggle, bb_node_label (node));
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
  guint n = choices != NULL ? choices->len : 0;

  if (bb_choice_presentation_for (node->spec->choices, n) == BB_CHOICE_CHIPS)
    {
      GtkWidget *row = bb_chip_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), bb_node_label (node));
      bb_chip_row_set_choices (BB_CHIP_ROW (row), choices);
      g_signal_connect_swapped (row, "notify::selected-id", G_CALLBACK (on_input_changed), node);
      g_signal_connect_swapped (row, "chosen", G_CALLBACK (on_choice_chosen), node);
      node->input = node->row = row;
    }
  else
    {
      GtkWidget *row = bb_choice_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), bb_node_label (node));
      bb_choice_row_set_choices (BB_CHOICE_ROW (row), choices,
                                 bb_node_required (node) ? NULL : _("Not set"));
      g_signal_connect_swapped (row, "notify::selected-id", G_CALLBACK (on_input_changed), node);
      g_signal_connect_swapped (row, "chosen", G_CALLBACK (on_choice_chosen), node);
      node->input = node->row = row;
    }

  add_row (ctx, node->row);
}

static void
free_choice (gpointer data)
{
  BbChoice *choice = data;

  g_free (choice->id);
  g_free (choice->label);
  g_free (choice);
}

/* Four priorities with long names: a picker, where each reads in full. */
static void
build_priority (BbFieldNode *node,
                BuildCtx    *ctx)
{
  GtkWidget *row = bb_choice_row_new ();
  g_autoptr(GPtrArray) choices = g_ptr_array_new_with_free_func (free_choice);

  for (int p = 1; p <= 4; p++)
    {
      const char *label = bb_profile_get_priority_label (node->form->profile, p);
      BbChoice *choice = g_new0 (BbChoice, 1);

      choice->id = g_strdup_printf ("%d", p);
      choice->label = label != NULL ? g_strdup_printf ("%d · %s", p, label) : g_strdup (choice->id);
      g_ptr_array_add (choices, choice);
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), bb_node_label (node));
  bb_choice_row_set_choices (BB_CHOICE_ROW (row), choices, NULL);
  g_signal_connect_swapped (row, "notify::selected-id", G_CALLBACK (on_input_changed), node);
  node->input = node->row = row;
  add_row (ctx, row);
}

GtkWidget *
bb_form_add_choice_check (BbFieldNode *node,
                          const char  *id,
                          const char  *label)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), label);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  bb_form_set_accessible_label (check, label);
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

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), bb_node_label (node));
  node->input = node->row = row;
  node->checks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  node->choice_ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; choices != NULL && i < choices->len; i++)
    {
      BbChoice *choice = g_ptr_array_index (choices, i);

      bb_form_add_choice_check (node, choice->id, choice->label);
    }

  bb_node_update_choice_list_subtitle (node);
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
      bb_node_update_path (other);
      if (other->section != NULL)
        adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (other->group), title);
      else
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (other->row), title);
      gtk_widget_set_tooltip_text (other->remove_button, remove);
      bb_form_set_accessible_label (other->remove_button, remove);
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
  bb_form_set_accessible_label (button, label);
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

  item = bb_node_new (form, list, list->spec, NULL);
  item->is_item = TRUE;
  item->index = list->children->len - 1;
  bb_node_update_path (item);
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
        build_node (form, bb_node_new (form, item, child, child->name), &ctx);

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

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), bb_node_label (node));
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

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), bb_node_label (node));
          adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), subtitle);
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), expander);
          node->expander = expander;
          inner.expander = ADW_EXPANDER_ROW (expander);
        }
      else
        adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), bb_node_label (node));

      add_section_message (node, ADW_PREFERENCES_GROUP (group));
      node->input = node->expander;
      /* Scalars after a section start a group of their own. */
      ctx->group = NULL;
    }
  else
    add_message_row (node, &inner);

  for (const BbFieldSpec *child = node->spec->children; child != NULL && child->name != NULL; child++)
    build_node (form, bb_node_new (form, node, child, child->name), &inner);

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

/* The controller of a section shown only for some of its values (the
 * fly-tipping details for the fly-tipping category), or NULL. */
static const char *
conditional_controller (const BbKindSpec *kind,
                        const char       *section)
{
  for (guint i = 0; i < G_N_ELEMENTS (conditions); i++)
    if (g_strcmp0 (conditions[i].kind, kind->id) == 0 &&
        g_strcmp0 (conditions[i].section, section) == 0)
      return conditions[i].controller;

  return NULL;
}

/* A section that a choice brings up goes right under that choice, before
 * the free text: its details are what the choice asks for next (Flycapture's
 * size, waste and land type), and the description comes last. */
static void
build_conditional_sections (BbForm     *form,
                            const char *controller,
                            BuildCtx   *ctx)
{
  for (guint i = 0; i < G_N_ELEMENTS (conditions); i++)
    {
      const BbFieldSpec *spec;

      if (g_strcmp0 (conditions[i].kind, form->kind->id) != 0 ||
          g_strcmp0 (conditions[i].controller, controller) != 0)
        continue;
      for (spec = form->kind->fields; spec->name != NULL; spec++)
        if (g_strcmp0 (spec->name, conditions[i].section) == 0)
          break;
      if (spec->name != NULL)
        build_node (form, bb_node_new (form, form->root, spec, spec->name), ctx);
    }
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
  form->root = bb_node_new (form, NULL, NULL, NULL);
  form->filling++;

  /* "When and where" first, on every kind's form: filled in (now, the last
   * ward and place) and checked at a glance before anything is typed, so a
   * record is never saved silently with an earlier record's place. */
  ctx.group_title = _("When and where");
  form->occurred_at = bb_node_new (form, form->root, &occurred_at_spec, "occurred_at");
  form->occurred_at->is_meta = TRUE;
  build_node (form, form->occurred_at, &ctx);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (form->occurred_at->row), occurred_label (kind));

  /* Times first: "when" reads as one block, then "where". */
  for (const BbFieldSpec *spec = common; spec->name != NULL; spec++)
    if (spec->type == BB_FIELD_TIME)
      build_node (form, bb_node_new (form, form->root, spec, spec->name), &ctx);

  for (const BbFieldSpec *spec = common; spec->name != NULL; spec++)
    {
      BbFieldNode *node;

      /* Photos and files have a widget of their own (BbAttachmentsRow);
       * the form carries the list as loaded (bb_form_set_attachments). */
      if (spec->type == BB_FIELD_TIME || g_strcmp0 (spec->name, "notes") == 0 ||
          (spec->flags & BB_FIELD_FLAG_EVIDENCE))
        continue;
      node = bb_node_new (form, form->root, spec, spec->name);
      build_node (form, node, &ctx);
      if (spec->type == BB_FIELD_TEXT)
        add_suggestion_row (node, &ctx);
      /* "Use my location" under the numbers it fills (bb-location-row.c). */
      if (g_strcmp0 (spec->name, "lon") == 0)
        add_row (&ctx, bb_location_row_new (form, NULL));
    }

  /* Then the kind's own sections: what must be typed. */
  ctx.group = NULL;
  ctx.expander = NULL;
  ctx.group_title = bb_kind_get_label (kind);
  for (const BbFieldSpec *spec = kind->fields; spec != NULL && spec->name != NULL; spec++)
    {
      if (conditional_controller (kind, spec->name) != NULL)
        continue;
      build_node (form, bb_node_new (form, form->root, spec, spec->name), &ctx);
      build_conditional_sections (form, spec->name, &ctx);
    }

  /* Last, the priority (defaulted from the kind) and the notes, in a group
   * without a heading of its own: the notes field names itself. */
  ctx.group = NULL;
  ctx.expander = NULL;
  ctx.group_title = NULL;
  form->priority = bb_node_new (form, form->root, &priority_spec, "priority");
  form->priority->is_meta = TRUE;
  build_node (form, form->priority, &ctx);
  for (const BbFieldSpec *spec = common; spec->name != NULL; spec++)
    if (g_strcmp0 (spec->name, "notes") == 0)
      build_node (form, bb_node_new (form, form->root, spec, spec->name), &ctx);

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

  g_clear_pointer (&form->root, bb_node_free);
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
      section = bb_node_find_child (form->root, conditions[i].section);
      controller = bb_node_find_child (form->root, conditions[i].controller);
      if (section == NULL || controller == NULL || section->section == NULL)
        continue;

      gtk_widget_set_visible (section->section,
                              bb_form_word_in_list (bb_node_choice_id (controller), conditions[i].values));
    }

  for (guint i = 0; i < G_N_ELEMENTS (requirements); i++)
    {
      BbFieldNode *section, *controller;
      gboolean required;

      if (g_strcmp0 (requirements[i].kind, form->kind->id) != 0)
        continue;
      section = bb_node_find_child (form->root, requirements[i].section);
      controller = bb_node_find_child (form->root, requirements[i].controller);
      if (section == NULL || controller == NULL || section->group == NULL)
        continue;

      required = bb_form_word_in_list (bb_node_choice_id (controller), requirements[i].values);
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (section->group),
                                             required ? _(requirements[i].description) : NULL);
    }
}

GPtrArray *
bb_form_dup_attachments (BbForm *form)
{
  g_return_val_if_fail (form != NULL, NULL);

  return bb_attachments_from_fields (form->root->extras);
}

void
bb_form_set_attachments (BbForm    *form,
                         GPtrArray *attachments)
{
  g_return_if_fail (form != NULL);

  if (form->root->extras == NULL)
    form->root->extras = json_object_new ();
  bb_attachments_set_in_fields (form->root->extras, attachments);
  if (form->filling == 0 && form->changed != NULL)
    form->changed (form, form->root, form->user_data);
}
