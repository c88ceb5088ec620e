/* bb-window.c: the main window: the records list beside the detail pane
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include "bb-format.h"
#include "bb-i18n.h"
#include "bb-record-row.h"
#include "bb-sync-indicator.h"
#include "bb-window.h"
#include "bb-window-private.h"

/* The list, the detail pane, the editors' comings and goings and the public
 * API; the actions, their shortcuts, undo and the quick start are in
 * bb-window-actions.c. */

G_DEFINE_FINAL_TYPE (BbWindow, bb_window, ADW_TYPE_APPLICATION_WINDOW)

/* Helpers */

BbProfile *
_bb_window_get_profile (BbWindow *self)
{
  return self->session != NULL ? bb_session_get_profile (self->session) : NULL;
}

BbStore *
_bb_window_get_store (BbWindow *self)
{
  return self->session != NULL ? bb_session_get_store (self->session) : NULL;
}

BbRole
_bb_window_get_role (BbWindow *self)
{
  return self->session != NULL ? bb_session_get_role (self->session) : BB_ROLE_NONE;
}

static GSettings *
settings_new_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* Run from the build tree without GSETTINGS_SCHEMA_DIR: work, just forget
   * the window size instead of aborting. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_message ("Settings schema %s not installed: window size and filter are not kept", APP_ID);
      return NULL;
    }

  return g_settings_new (APP_ID);
}

void
_bb_window_show_toast (BbWindow   *self,
                       const char *title,
                       gboolean    with_undo)
{
  AdwToast *toast = adw_toast_new (title);

  g_free (self->last_toast);
  self->last_toast = g_strdup (title);

  if (with_undo)
    {
      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_action_name (toast, "win.undo");
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      g_set_object (&self->undo_toast, toast);
    }

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
_bb_window_show_error_toast (BbWindow     *self,
                             const char   *what,
                             const GError *error)
{
  g_autofree char *message = g_strdup_printf ("%s: %s", what, error != NULL ? error->message : _("unknown error"));

  _bb_window_show_toast (self, message, FALSE);
}

void
_bb_window_clear_undo (BbWindow *self)
{
  self->undo_kind = UNDO_NONE;
  g_clear_pointer (&self->undo_record_id, g_free);
  g_clear_object (&self->undo_previous);
  g_clear_pointer (&self->undo_draft, bb_draft_free);
  if (self->undo_toast != NULL)
    {
      adw_toast_dismiss (self->undo_toast);
      g_clear_object (&self->undo_toast);
    }
}

BbDraft *
_bb_window_draft_copy (const BbDraft *draft)
{
  BbDraft *copy = g_new0 (BbDraft, 1);

  copy->id = g_strdup (draft->id);
  copy->kind = g_strdup (draft->kind);
  copy->record_id = g_strdup (draft->record_id);
  copy->json = g_strdup (draft->json);
  copy->updated_at = g_strdup (draft->updated_at);
  return copy;
}

BbDraft *
_bb_window_find_draft (BbWindow   *self,
                       const char *draft_id,
                       GError    **error)
{
  g_autoptr(GPtrArray) drafts = bb_store_list_drafts (_bb_window_get_store (self), error);

  if (drafts == NULL)
    return NULL;

  for (guint i = 0; i < drafts->len; i++)
    {
      BbDraft *draft = g_ptr_array_index (drafts, i);

      if (g_strcmp0 (draft->id, draft_id) == 0)
        return _bb_window_draft_copy (draft);
    }

  g_set_error (error, BB_STORE_ERROR, BB_STORE_ERROR_NOT_FOUND,
               _("The draft is no longer there"));
  return NULL;
}

/* The list */

static void
update_empty_state (BbWindow *self)
{
  const char *search = bb_record_list_model_get_search (self->model);
  const char *kind_id = bb_record_list_model_get_kind (self->model);
  const BbKindSpec *kind = bb_kind_lookup (kind_id);
  const GError *error = bb_record_list_model_get_error (self->model);
  g_autofree char *title = NULL;
  const char *description = NULL;
  const char *icon = "document-new-symbolic";

  if (g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0)
    {
      gtk_stack_set_visible_child_name (self->list_stack, "list");
      return;
    }

  if (error != NULL)
    {
      icon = "dialog-error-symbolic";
      title = g_strdup (_("The Records Could Not Be Read"));
      description = error->message;
    }
  else if (search != NULL)
    {
      icon = "edit-find-symbolic";
      title = g_strdup_printf (_("No Results for “%s”"), search);
      description = kind != NULL
        ? _("Check the spelling, try a registration mark, a place or a word from the notes, or show all kinds of record.")
        : _("Check the spelling, or try a registration mark, a place or a word from the notes.");
    }
  else if (kind != NULL)
    {
      title = g_strdup (bb_format_kind_none_yet (kind));
      description = bb_kind_can_create (kind, _bb_window_get_role (self))
        ? _("Press New (Ctrl+N) to log one, or show all kinds of record.")
        : _("Your role cannot create these. Show all kinds of record to see the others.");
    }
  else
    {
      title = g_strdup (_("No Records Yet"));
      description = _("Press New (Ctrl+N) to log one. Everything is saved on this device first and synced later.");
    }

  adw_status_page_set_icon_name (self->empty_page, icon);
  adw_status_page_set_title (self->empty_page, title);
  adw_status_page_set_description (self->empty_page, description);
  gtk_stack_set_visible_child_name (self->list_stack, "empty");
}

static void
on_model_n_items (BbWindow *self)
{
  update_empty_state (self);
}

static void
row_clicked (GtkGestureClick *gesture,
             int              n_press,
             double           x,
             double           y,
             GtkListItem     *item)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  guint position = gtk_list_item_get_position (item);

  /* One tap opens a record (a tablet has no double click); the list's own
   * handling still selects it. */
  if (n_press == 1 && position != GTK_INVALID_LIST_POSITION)
    gtk_widget_activate_action (row, "list.activate-item", "u", position);
}

static void
factory_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               BbWindow                 *self)
{
  GtkWidget *row = bb_record_row_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "released", G_CALLBACK (row_clicked), item);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (click));
  gtk_list_item_set_child (item, row);
}

static void
factory_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              BbWindow                 *self)
{
  BbRecord *record = gtk_list_item_get_item (item);
  GtkWidget *row = gtk_list_item_get_child (item);
  g_autofree char *title = NULL;

  bb_record_row_set_search (BB_RECORD_ROW (row), bb_record_list_model_get_search (self->model));
  bb_record_row_set_record (BB_RECORD_ROW (row), record, _bb_window_get_profile (self));
  if (record != NULL)
    {
      /* A screen reader reads the row as one sentence-like line. */
      title = bb_record_row_dup_text (BB_RECORD_ROW (row));
      g_strdelimit (title, "\n", ',');
      gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
    }
}

static void
factory_unbind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                BbWindow                 *self)
{
  bb_record_row_set_record (BB_RECORD_ROW (gtk_list_item_get_child (item)), NULL, NULL);
}

void
_bb_window_select_record (BbWindow   *self,
                          const char *id)
{
  guint position = bb_record_list_model_find (self->model, id, FIND_LIMIT);

  self->suppress_selection++;
  if (position == G_MAXUINT)
    gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  else
    {
      gtk_single_selection_set_selected (self->selection, position);
      gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
    }
  self->suppress_selection--;
}

/* A reload tells the list "everything changed". GtkListView 4.8 then looks
 * for its tracked rows (anchor, focus, selection) among every added item,
 * reading the whole list; GtkSingleSelection does the same for a selected
 * item. So the view lets go of the model, with nothing selected, while it
 * changes, and starts again from the top of the new list. */
static void
begin_model_change (BbWindow *self)
{
  self->suppress_selection++;
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  gtk_list_view_set_model (self->list_view, NULL);
}

static void
end_model_change (BbWindow *self)
{
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  self->suppress_selection--;
}

/* The detail pane */

static void
set_detail_title (BbWindow   *self,
                  const char *title)
{
  gtk_label_set_text (self->detail_title, title);
  gtk_widget_set_visible (GTK_WIDGET (self->detail_title), title != NULL && *title != '\0');
}

static void
set_detail_subtitle (BbWindow   *self,
                     const char *subtitle)
{
  gtk_label_set_text (self->detail_subtitle, subtitle);
  gtk_widget_set_visible (GTK_WIDGET (self->detail_subtitle), subtitle != NULL && *subtitle != '\0');
}

static void
update_detail_header (BbWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->detail_stack);
  gboolean editing = g_strcmp0 (page, "editor") == 0;
  gboolean viewing = g_strcmp0 (page, "view") == 0;
  gboolean folded = adw_leaflet_get_folded (self->leaflet);

  gtk_widget_set_visible (self->save_button, editing);
  gtk_widget_set_visible (self->back_button, folded || editing);
  gtk_widget_set_tooltip_text (self->back_button,
                               editing ? _("Close the editor; the draft is kept (Escape)")
                                       : _("Back to the list (Alt+Left)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->back_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  editing ? _("Close the editor") : _("Back to the list"),
                                  -1);

  /* The window's own title names what is open, for window lists and
   * screen readers (and the keyboard tests, which wait on it). */
  if (editing && self->editor != NULL)
    {
      g_autofree char *window_title = g_strdup_printf ("%s – %s", bb_editor_get_title (self->editor),
                                                       _("Beatbook"));

      gtk_window_set_title (GTK_WINDOW (self), window_title);
    }
  else
    gtk_window_set_title (GTK_WINDOW (self), _("Beatbook"));

  if (editing && self->editor != NULL)
    {
      set_detail_title (self, bb_editor_get_title (self->editor));
      set_detail_subtitle (self, _("Saved as a draft while you type"));
    }
  else if (viewing && bb_record_view_get_record (self->record_view) != NULL)
    {
      BbRecord *record = bb_record_view_get_record (self->record_view);
      const BbKindSpec *kind = bb_record_get_kind_spec (record);

      set_detail_title (self, kind != NULL ? bb_format_kind_title (kind) : bb_record_get_kind (record));
      set_detail_subtitle (self,
                                     bb_sync_state_get_label (bb_record_get_sync_state (record)));
    }
  else
    {
      set_detail_title (self, "");
      set_detail_subtitle (self, "");
    }
}

static void
set_detail_page (BbWindow   *self,
                 const char *page)
{
  gtk_stack_set_visible_child_name (self->detail_stack, page);
  update_detail_header (self);
  _bb_window_update_actions (self);
}

static void
show_detail_pane (BbWindow *self)
{
  adw_leaflet_set_visible_child (self->leaflet, self->detail_pane);
}

void
_bb_window_show_list_pane (BbWindow *self)
{
  adw_leaflet_set_visible_child (self->leaflet, self->list_pane);
}

/* Focus on the list, where typing starts the next record and Ctrl+N, the
 * arrows and Tab work: on its rows when it has any, else on New. Focus must
 * never be left on nothing (a closed editor, a hidden list), or the next
 * key goes nowhere until a click. */
void
_bb_window_focus_list (BbWindow *self)
{
  GtkWidget *focus;

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->list_stack), "list") == 0 &&
      g_list_model_get_n_items (G_LIST_MODEL (self->selection)) > 0)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
      /* On a row, not the bare list: Enter opens it, arrows move from it. */
      if (gtk_root_get_focus (GTK_ROOT (self)) == GTK_WIDGET (self->list_view))
        gtk_widget_child_focus (GTK_WIDGET (self->list_view), GTK_DIR_TAB_FORWARD);
    }

  focus = gtk_root_get_focus (GTK_ROOT (self));
  if (focus == NULL ||
      (focus != GTK_WIDGET (self->list_view) && !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list_view))))
    gtk_widget_grab_focus (GTK_WIDGET (self->new_button));
}

void
_bb_window_show_record_object (BbWindow *self,
                               BbRecord *record)
{
  bb_record_view_set_record (self->record_view, record, _bb_window_get_profile (self));
  set_detail_page (self, record != NULL ? "view" : "empty");
}

/* Editors */

static gboolean
release_retired_editors (gpointer data)
{
  BbWindow *self = data;

  GtkWidget *child = adw_bin_get_child (self->editor_bin);

  self->retire_idle_id = 0;
  /* Out of the widget tree only now, outside the editor's own signal
   * emission and the key or click handler that led to it. */
  if (child != NULL && g_ptr_array_find (self->retired_editors, child, NULL))
    adw_bin_set_child (self->editor_bin, NULL);
  g_ptr_array_set_size (self->retired_editors, 0);
  return G_SOURCE_REMOVE;
}

static void on_editor_saved  (BbWindow *self, BbRecord *record, BbEditor *editor);
static void on_editor_closed (BbWindow *self, BbEditor *editor);

/* Takes the editor out of the window: its page is hidden at once, and it is
 * unparented and released from an idle, not here. This runs inside its own
 * "saved"/"closed" emissions, themselves inside a key press or a click on
 * one of its widgets; unparenting it there, with the focus, a picker's
 * popover or an input method still inside it, crashed GTK now and then. */
static BbEditor *
detach_editor (BbWindow *self)
{
  BbEditor *editor = self->editor;

  if (editor == NULL)
    return NULL;

  g_signal_handlers_disconnect_by_func (editor, on_editor_saved, self);
  g_signal_handlers_disconnect_by_func (editor, on_editor_closed, self);
  g_ptr_array_add (self->retired_editors, g_steal_pointer (&self->editor));
  if (self->retire_idle_id == 0)
    self->retire_idle_id = g_idle_add (release_retired_editors, self);

  set_detail_page (self, bb_record_view_get_record (self->record_view) != NULL ? "view" : "empty");
  return editor;
}

/* Leaves the open editor; the draft is kept unless @discard. */
void
_bb_window_close_editor (BbWindow *self,
                         gboolean  discard)
{
  BbEditor *editor;
  gboolean modified;

  if (self->editor == NULL)
    return;

  modified = bb_editor_get_modified (self->editor);
  editor = detach_editor (self);
  g_clear_object (&self->editing_previous);
  bb_editor_close (editor, discard);

  if (modified && !discard)
    _bb_window_show_toast (self, _("Draft kept: restore it from the list to finish it"), FALSE);

  _bb_window_refresh_drafts (self);
}

void
_bb_window_open_editor (BbWindow *self,
                        BbEditor *editor,
                        BbRecord *record)
{
  g_assert (BB_IS_EDITOR (editor));

  _bb_window_close_editor (self, FALSE);
  _bb_window_close_quick_start (self);

  self->editor = g_object_ref_sink (editor);
  g_clear_object (&self->editing_previous);
  if (record != NULL)
    self->editing_previous = bb_record_copy (record);
  g_signal_connect_swapped (editor, "saved", G_CALLBACK (on_editor_saved), self);
  g_signal_connect_swapped (editor, "closed", G_CALLBACK (on_editor_closed), self);

  adw_bin_set_child (self->editor_bin, GTK_WIDGET (editor));
  set_detail_page (self, "editor");
  show_detail_pane (self);
  _bb_window_refresh_drafts (self);

  /* The editor knows its first empty required field (bb_editor_grab_focus). */
  gtk_widget_grab_focus (GTK_WIDGET (editor));
}

static void
on_editor_closed (BbWindow *self,
                  BbEditor *editor)
{
  if (editor != self->editor)
    return;

  detach_editor (self);
  g_clear_object (&self->editing_previous);
  _bb_window_refresh_drafts (self);
}

static void
on_editor_saved (BbWindow *self,
                 BbRecord *record,
                 BbEditor *editor)
{
  g_autoptr(BbRecord) previous = NULL;
  g_autoptr(BbRecord) stored = NULL;
  g_autofree char *id = NULL;

  if (editor != self->editor || record == NULL)
    return;

  id = g_strdup (bb_record_get_id (record));
  previous = g_steal_pointer (&self->editing_previous);

  detach_editor (self);
  /* The record is saved: its draft has no more use. */
  bb_editor_close (editor, TRUE);

  if (self->settings != NULL)
    {
      const char *ward = bb_record_get_field_string (record, "ward");
      const char *place = bb_record_get_field_string (record, "place");

      /* Device-wide fallback for the editor's defaults (it keeps its own
       * per user in the store). */
      g_settings_set_string (self->settings, "last-ward", ward != NULL ? ward : "");
      g_settings_set_string (self->settings, "last-place", place != NULL ? place : "");
    }

  _bb_window_clear_undo (self);
  self->undo_kind = previous != NULL ? UNDO_EDIT : UNDO_NEW_RECORD;
  self->undo_record_id = g_strdup (id);
  self->undo_previous = g_steal_pointer (&previous);

  stored = bb_store_get_record (_bb_window_get_store (self), id, NULL);
  bb_window_reload (self);
  _bb_window_show_record_object (self, stored != NULL ? stored : record);
  _bb_window_select_record (self, id);

  /* ux.md: the editor closes to the list. */
  if (adw_leaflet_get_folded (self->leaflet))
    _bb_window_show_list_pane (self);
  _bb_window_focus_list (self);

  _bb_window_show_toast (self, _("Saved offline"), TRUE);
  _bb_window_update_actions (self);
}

/* Drafts */

void
_bb_window_refresh_drafts (BbWindow *self)
{
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GError) error = NULL;
  const char *open_draft = self->editor != NULL ? bb_editor_get_draft_id (self->editor) : NULL;

  for (guint i = 0; i < self->draft_rows->len; i++)
    adw_preferences_group_remove (self->drafts_group, g_ptr_array_index (self->draft_rows, i));
  g_ptr_array_set_size (self->draft_rows, 0);

  if (_bb_window_get_store (self) == NULL || !bb_session_has_identity (self->session))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->drafts_group), FALSE);
      return;
    }

  drafts = bb_store_list_drafts (_bb_window_get_store (self), &error);
  if (drafts == NULL)
    {
      g_warning ("Could not list drafts: %s", error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->drafts_group), FALSE);
      return;
    }

  for (guint i = 0; i < drafts->len; i++)
    {
      BbDraft *draft = g_ptr_array_index (drafts, i);
      const BbKindSpec *kind = bb_kind_lookup (draft->kind);
      GtkWidget *row, *icon, *restore, *discard;
      g_autofree char *when = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *restore_label = NULL;
      g_autofree char *discard_label = NULL;
      const char *kind_label = kind != NULL ? bb_kind_get_label (kind) : draft->kind;

      if (open_draft != NULL && g_strcmp0 (draft->id, open_draft) == 0)
        continue;

      when = bb_format_time_short (draft->updated_at, NULL);
      subtitle = draft->record_id != NULL
        /* Translators: a draft of changes to a saved record, "Changes not saved · Today, 21:14" */
        ? g_strdup_printf (_("Changes to a saved record · %s"), when)
        : g_strdup_printf (_("New, not saved · %s"), when);

      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), kind_label);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

      icon = gtk_image_new_from_icon_name (kind != NULL ? kind->icon_name : "document-edit-symbolic");
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, kind_label, -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

      restore = gtk_button_new_with_mnemonic (_("_Restore"));
      gtk_widget_set_valign (restore, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (restore), "win.restore-draft");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (restore), "s", draft->id);
      restore_label = g_strdup_printf (_("Restore the %s draft"), kind_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (restore), GTK_ACCESSIBLE_PROPERTY_LABEL, restore_label, -1);

      discard = gtk_button_new_from_icon_name ("user-trash-symbolic");
      gtk_widget_set_valign (discard, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (discard, "flat");
      gtk_widget_set_tooltip_text (discard, _("Discard draft"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (discard), "win.discard-draft");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (discard), "s", draft->id);
      discard_label = g_strdup_printf (_("Discard the %s draft"), kind_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (discard), GTK_ACCESSIBLE_PROPERTY_LABEL, discard_label, -1);

      adw_action_row_add_suffix (ADW_ACTION_ROW (row), restore);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), discard);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), restore);

      adw_preferences_group_add (self->drafts_group, row);
      g_ptr_array_add (self->draft_rows, row);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->drafts_group), self->draft_rows->len > 0);
}

/* State */

static void
rebuild_new_menu (BbWindow *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) kinds_section = g_menu_new ();
  g_autoptr(GMenu) repeat_section = g_menu_new ();
  g_autoptr(GMenuItem) repeat = NULL;
  g_autoptr(GPtrArray) kinds = bb_window_dup_creatable_kinds (self);
  const BbKindSpec * const *all = bb_kind_all ();

  for (guint i = 0; i < kinds->len; i++)
    {
      const BbKindSpec *kind = g_ptr_array_index (kinds, i);
      g_autoptr(GMenuItem) item = g_menu_item_new (bb_format_kind_title (kind), NULL);

      g_menu_item_set_action_and_target_value (item, "win.new", g_variant_new_string (kind->id));
      for (guint k = 0; all[k] != NULL && k < 9; k++)
        if (all[k] == kind)
          {
            g_autofree char *accel = g_strdup_printf ("<Control>%u", k + 1);

            g_menu_item_set_attribute (item, "accel", "s", accel);
          }
      g_menu_append_item (kinds_section, item);
    }

  repeat = g_menu_item_new (_("_Repeat Last Record"), "win.repeat-last");
  g_menu_item_set_attribute (repeat, "accel", "s", "<Control><Shift>n");
  g_menu_append_item (repeat_section, repeat);

  g_menu_append_section (menu, NULL, G_MENU_MODEL (kinds_section));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (repeat_section));
  adw_split_button_set_menu_model (self->new_button, G_MENU_MODEL (menu));

  if (kinds->len > 0)
    {
      const BbKindSpec *first = g_ptr_array_index (kinds, 0);
      /* Translators: the New button's tooltip, "New patrol observation (Ctrl+N)" */
      g_autofree char *tooltip = g_strdup_printf (_("%s (Ctrl+N)"), bb_format_kind_new_sentence (first));

      gtk_widget_set_tooltip_text (GTK_WIDGET (self->new_button), tooltip);
    }
}

/* Whether the user's role may create some kind of record. Asked at every
 * change of selection or page: bb_window_dup_creatable_kinds() would read
 * the newest records from the store each time only to order the kinds. */
static gboolean
can_create_any (BbWindow *self)
{
  const BbKindSpec * const *all = bb_kind_all ();
  BbRole role = _bb_window_get_role (self);

  for (guint i = 0; all[i] != NULL; i++)
    if (bb_kind_can_create (all[i], role))
      return TRUE;
  return FALSE;
}

void
_bb_window_update_actions (BbWindow *self)
{
  gboolean home = g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "home") == 0;
  const char *page = gtk_stack_get_visible_child_name (self->detail_stack);
  gboolean editing = home && self->editor != NULL;
  gboolean viewing = home && !editing && g_strcmp0 (page, "view") == 0;
  BbRecord *shown = viewing ? bb_record_view_get_record (self->record_view) : NULL;
  gboolean can_create = home && can_create_any (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new", can_create);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-default", can_create);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.repeat-last", can_create);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.quick-start", can_create);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save", editing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.close-editor", editing);
  /* A record whose personal details this device removed cannot be saved
   * again from here (the save would be refused): it is not offered. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.edit",
                                 viewing && shown != NULL &&
                                 bb_record_get_personal_purged_at (shown) == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.delete", viewing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", home);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", home);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo", home && self->undo_kind != UNDO_NONE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.restore-draft", home);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.discard-draft", home);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.review",
                                 home && _bb_window_get_role (self) == BB_ROLE_SUPERVISOR);
}

static void
show_home (BbWindow *self)
{
  gtk_stack_set_visible_child_name (self->main_stack, "home");
  rebuild_new_menu (self);
  bb_window_refresh_state (self);
  _bb_window_refresh_drafts (self);
  update_empty_state (self);
  update_detail_header (self);
  _bb_window_update_actions (self);
  _bb_window_focus_list (self);
}

/* Callbacks */

static gboolean
refocus_idle (gpointer data)
{
  BbWindow *self = data;

  self->refocus_id = 0;
  if (gtk_root_get_focus (GTK_ROOT (self)) == NULL &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "home") == 0)
    {
      if (self->editor != NULL)
        gtk_widget_grab_focus (GTK_WIDGET (self->editor));
      else
        _bb_window_focus_list (self);
    }
  return G_SOURCE_REMOVE;
}

/* Esc on a list with nothing selected, a row or an editor going away: GTK
 * then leaves the window with no focus. Put it back once things settle. */
static void
on_focus_widget_changed (BbWindow *self)
{
  if (gtk_root_get_focus (GTK_ROOT (self)) == NULL && self->refocus_id == 0)
    self->refocus_id = g_idle_add (refocus_idle, self);
}

static void
on_identity_set (BbWindow *self)
{
  bb_window_reload (self);
  show_home (self);
}

static void
on_folded_changed (BbWindow *self)
{
  gboolean folded = adw_leaflet_get_folded (self->leaflet);

  adw_header_bar_set_show_end_title_buttons (self->list_header, folded);
  /* At 360 px minimise and maximise cost the titles their room (a phone's
   * shell shows only close): one pane keeps close alone. */
  adw_header_bar_set_decoration_layout (self->list_header, folded ? ":close" : NULL);
  adw_header_bar_set_decoration_layout (self->detail_header, folded ? ":close" : NULL);
  /* At 360 px the filter's "Show" gives its room to the sync status. */
  gtk_widget_set_visible (self->filter_label, !folded);
  adw_header_bar_set_show_start_title_buttons (self->detail_header, folded);
  update_detail_header (self);
}

/* On a narrow window the first run's header keeps the close button alone, as
 * the list's does, so "Welcome to Beatbook" is not cut at 360 px. */
static void
on_width_changed (BbWindow *self)
{
  int width = 0, height = 0;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  adw_header_bar_set_decoration_layout (self->first_run_header,
                                        width > 0 && width < 500 ? ":close" : NULL);
}

static void
on_state_squeezed (BbWindow *self)
{
  /* Nothing is lost when the header has no room for its title: the sync
   * indicator beside the kind filter says what waits and when it last
   * synced. The title's tooltip keeps the full line for a pointer. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->state_squeezer),
                               adw_window_title_get_subtitle (self->state_title));
}

static void
on_search_changed (BbWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  /* GtkSearchEntry already waits for a pause in typing (search-delay). */
  if (g_strcmp0 (*stripped != '\0' ? stripped : NULL, bb_record_list_model_get_search (self->model)) == 0)
    return;

  begin_model_change (self);
  bb_record_list_model_set_search (self->model, text);
  end_model_change (self);
}

static void
on_search_activate (BbWindow *self)
{
  /* Enter opens the best match, so "type, Enter" finds a record. */
  on_search_changed (self);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0)
    {
      gtk_single_selection_set_selected (self->selection, 0);
      gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.activate-item", "u", 0);
    }
}

static void
on_search_stopped (BbWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  on_search_changed (self);
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  _bb_window_focus_list (self);
}

static void
on_kind_filter_changed (BbWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->kind_dropdown);
  const BbKindSpec * const *kinds = bb_kind_all ();
  const char *kind = NULL;

  if (self->model == NULL)
    return;

  if (selected != GTK_INVALID_LIST_POSITION && selected > 0)
    kind = kinds[selected - 1]->id;

  begin_model_change (self);
  bb_record_list_model_set_kind (self->model, kind);
  end_model_change (self);
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "kind-filter", kind != NULL ? kind : "");
  update_empty_state (self);
}

static void
on_selection_changed (BbWindow *self)
{
  g_autoptr(BbRecord) record = NULL;

  if (self->suppress_selection > 0 || self->editor != NULL)
    return;

  record = gtk_single_selection_get_selected_item (self->selection);
  if (record == NULL)
    return;
  g_object_ref (record);

  /* Wide: the detail pane follows the selection, as in a mail app. Narrow:
   * moving through the list does not leave it; activation does. */
  _bb_window_show_record_object (self, record);
}

/* End (Ctrl+End, Shift+End) goes to the last record, not the last one
 * read so far: the list's last page is read by key from the end first,
 * then GtkListView's own End moves there. Home needs nothing: the first
 * page is always read. */
static gboolean
on_list_key_pressed (BbWindow        *self,
                     guint            keyval,
                     guint            keycode,
                     GdkModifierType  state)
{
  if (keyval == GDK_KEY_End || keyval == GDK_KEY_KP_End)
    bb_record_list_model_load_last (self->model);
  return GDK_EVENT_PROPAGATE;
}

static void
on_list_activate (BbWindow *self,
                  guint     position)
{
  g_autoptr(BbRecord) record = g_list_model_get_item (G_LIST_MODEL (self->model), position);

  if (record == NULL)
    return;

  _bb_window_close_editor (self, FALSE);
  _bb_window_show_record_object (self, record);
  /* Opened by Enter or a tap: marked in the list as well. */
  self->suppress_selection++;
  gtk_single_selection_set_selected (self->selection, position);
  self->suppress_selection--;
  show_detail_pane (self);
}

static gboolean
bb_window_close_request (GtkWindow *window)
{
  BbWindow *self = BB_WINDOW (window);

  /* Leaving with an editor open keeps its draft, offered at the next start. */
  _bb_window_close_editor (self, FALSE);

  if (self->settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
    }

  return GTK_WINDOW_CLASS (bb_window_parent_class)->close_request (window);
}

/* A model on the session's current store; again when the store changed
 * (someone signed in or out). */
static void
attach_model (BbWindow *self)
{
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_func (self->selection, on_selection_changed, self);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_model_n_items, self);
  g_clear_object (&self->selection);
  g_clear_object (&self->model);

  self->model = bb_record_list_model_new (bb_session_get_store (self->session));
  g_signal_connect_swapped (self->model, "notify::n-items", G_CALLBACK (on_model_n_items), self);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_swapped (self->selection, "notify::selected", G_CALLBACK (on_selection_changed), self);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
}

/* Not in constructed(): GtkWindow:application is set after it runs. */
static void
set_up (BbWindow      *self,
        BbApplication *app)
{
  const GError *error;

  self->session = bb_application_get_session (app);
  if (self->session != NULL)
    g_object_ref (self->session);

  if (self->session == NULL)
    {
      g_autofree char *data_dir = NULL;
      g_autofree char *description = NULL;

      error = bb_application_get_session_error (app);
      data_dir = bb_application_get_data_dir (app) != NULL
        ? g_strdup (bb_application_get_data_dir (app))
        : bb_data_dir_default ();
      /* Name the place and the reason: the person fixing it needs both. */
      description = g_markup_printf_escaped (_("Beatbook keeps its records in <b>%s</b>. "
                                               "They could not be opened: %s\n\n"
                                               "Nothing has been changed or deleted. Ask your "
                                               "administrator to check the file, or start Beatbook "
                                               "with another folder (--data-dir)."),
                                             data_dir,
                                             error != NULL ? error->message : _("unknown error"));
      adw_status_page_set_description (self->error_page, description);
      gtk_stack_set_visible_child_name (self->main_stack, "error");
      _bb_window_update_actions (self);
      return;
    }

  bb_first_run_set_session (self->first_run, self->session);
  bb_record_view_set_session (self->record_view, self->session);
  /* A sync, a conflict resolved, a sign-out: the session says records
   * changed, whoever changed them. */
  g_signal_connect_object (self->session, "records-changed", G_CALLBACK (bb_window_reload), self,
                           G_CONNECT_SWAPPED);

  attach_model (self);

  if (self->settings != NULL)
    {
      g_autofree char *kind = g_settings_get_string (self->settings, "kind-filter");
      const BbKindSpec * const *kinds = bb_kind_all ();

      for (guint i = 0; kinds[i] != NULL; i++)
        if (g_strcmp0 (kinds[i]->id, kind) == 0)
          gtk_drop_down_set_selected (self->kind_dropdown, i + 1);
    }
  on_kind_filter_changed (self);

  if (bb_session_has_identity (self->session))
    show_home (self);
  else
    {
      gtk_stack_set_visible_child_name (self->main_stack, "first-run");
      _bb_window_update_actions (self);
    }
}

static void
bb_window_dispose (GObject *object)
{
  BbWindow *self = BB_WINDOW (object);

  if (self->editor != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->editor, on_editor_saved, self);
      g_signal_handlers_disconnect_by_func (self->editor, on_editor_closed, self);
      g_clear_object (&self->editor);
    }
  g_clear_handle_id (&self->retire_idle_id, g_source_remove);
  g_clear_handle_id (&self->refocus_id, g_source_remove);
  if (self->retired_editors != NULL)
    g_ptr_array_set_size (self->retired_editors, 0);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_func (self->selection, on_selection_changed, self);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_model_n_items, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), BB_TYPE_WINDOW);

  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_clear_object (&self->editing_previous);
  g_clear_object (&self->undo_previous);
  g_clear_object (&self->undo_toast);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (bb_window_parent_class)->dispose (object);
}

static void
bb_window_finalize (GObject *object)
{
  BbWindow *self = BB_WINDOW (object);

  g_clear_pointer (&self->undo_record_id, g_free);
  g_clear_pointer (&self->undo_draft, bb_draft_free);
  g_clear_pointer (&self->last_toast, g_free);
  g_clear_pointer (&self->draft_rows, g_ptr_array_unref);
  g_clear_pointer (&self->start_hits, g_ptr_array_unref);
  g_clear_pointer (&self->retired_editors, g_ptr_array_unref);

  G_OBJECT_CLASS (bb_window_parent_class)->finalize (object);
}

static void
bb_window_class_init (BbWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = bb_window_dispose;
  object_class->finalize = bb_window_finalize;
  window_class->close_request = bb_window_close_request;

  g_type_ensure (BB_TYPE_FIRST_RUN);
  g_type_ensure (BB_TYPE_RECORD_VIEW);
  g_type_ensure (BB_TYPE_SYNC_INDICATOR);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/beatbook/Beatbook/bb-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BbWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, first_run);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, list_pane);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, list_header);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, state_title);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, state_squeezer);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, new_button);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, first_run_header);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, start_bar);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, start_entry);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, start_list);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, filter_label);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, drafts_group);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, detail_pane);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, detail_header);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, detail_title);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, detail_subtitle);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, save_button);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, record_view);
  gtk_widget_class_bind_template_child (widget_class, BbWindow, editor_bin);
  gtk_widget_class_bind_template_callback (widget_class, on_identity_set);
  gtk_widget_class_bind_template_callback (widget_class, on_folded_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_state_squeezed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_search_stopped);
  gtk_widget_class_bind_template_callback (widget_class, on_kind_filter_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_list_key_pressed);

  _bb_window_class_init_actions (widget_class);
}

static void
bb_window_init (BbWindow *self)
{
  g_autoptr(GtkStringList) filters = gtk_string_list_new (NULL);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  const BbKindSpec * const *kinds = bb_kind_all ();

  self->draft_rows = g_ptr_array_new ();
  self->retired_editors = g_ptr_array_new_with_free_func (g_object_unref);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = settings_new_if_installed ();
  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }
  else
    gtk_window_set_default_size (GTK_WINDOW (self), 1100, 720);

  gtk_string_list_append (filters, _("All records"));
  for (guint i = 0; kinds[i] != NULL; i++)
    gtk_string_list_append (filters, _(kinds[i]->plural_label));
  gtk_drop_down_set_model (self->kind_dropdown, G_LIST_MODEL (filters));

  g_signal_connect (factory, "setup", G_CALLBACK (factory_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (factory_bind), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (factory_unbind), self);
  gtk_list_view_set_factory (self->list_view, factory);

  g_signal_connect_swapped (self, "notify::default-width", G_CALLBACK (on_width_changed), self);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_connect_entry (self->start_bar, GTK_EDITABLE (self->start_entry));
  /* Typing on the list starts a record by what happened (the records are
   * searched with Ctrl+F); typing in the editor must do neither. */
  gtk_search_bar_set_key_capture_widget (self->start_bar, self->list_pane);
  _bb_window_init_quick_start (self);
  g_signal_connect (self, "notify::focus-widget", G_CALLBACK (on_focus_widget_changed), NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->new_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("New record"), -1);

  on_folded_changed (self);
}

/* Public API */

BbWindow *
bb_window_new (BbApplication *application)
{
  BbWindow *self;

  g_return_val_if_fail (BB_IS_APPLICATION (application), NULL);

  self = g_object_new (BB_TYPE_WINDOW, "application", application, NULL);
  set_up (self, application);
  return self;
}

void
bb_window_reload (BbWindow *self)
{
  BbRecord *shown;
  g_autofree char *shown_id = NULL;

  g_return_if_fail (BB_IS_WINDOW (self));

  if (self->model == NULL)
    return;

  if (bb_record_list_model_get_store (self->model) != _bb_window_get_store (self))
    {
      /* Another user's store: nothing of the last one stays on screen. */
      _bb_window_close_editor (self, FALSE);
      _bb_window_show_record_object (self, NULL);
      _bb_window_clear_undo (self);
      attach_model (self);
      on_kind_filter_changed (self);
      if (!bb_session_has_identity (self->session))
        {
          gtk_stack_set_visible_child_name (self->main_stack, "first-run");
          _bb_window_update_actions (self);
          return;
        }
      show_home (self);
    }

  shown = bb_record_view_get_record (self->record_view);
  if (shown != NULL)
    shown_id = g_strdup (bb_record_get_id (shown));

  begin_model_change (self);
  bb_record_list_model_reload (self->model);
  end_model_change (self);

  if (shown_id != NULL)
    {
      g_autoptr(BbRecord) fresh = bb_store_get_record (_bb_window_get_store (self), shown_id, NULL);

      if (fresh == NULL || bb_record_get_deleted (fresh))
        _bb_window_show_record_object (self, NULL);
      else
        {
          if (self->editor == NULL)
            _bb_window_show_record_object (self, fresh);
          else
            bb_record_view_set_record (self->record_view, fresh, _bb_window_get_profile (self));
          _bb_window_select_record (self, shown_id);
        }
    }

  update_empty_state (self);
  rebuild_new_menu (self);
  _bb_window_refresh_drafts (self);
  bb_window_refresh_state (self);
  _bb_window_update_actions (self);

  /* A save, delete or undo may have left a change to send: the engine sends
   * it after its debounce (and does nothing when none waits). */
  if (bb_sync_engine_from_widget (GTK_WIDGET (self)) != NULL)
    bb_sync_engine_queue (bb_sync_engine_from_widget (GTK_WIDGET (self)));
}

void
bb_window_refresh_state (BbWindow *self)
{
  BbStore *store;
  g_autofree char *last_sync = NULL;
  g_autofree char *line = NULL;

  g_return_if_fail (BB_IS_WINDOW (self));

  store = _bb_window_get_store (self);
  if (store == NULL)
    return;

  last_sync = bb_store_get_meta (store, "sync.last_success");
  line = bb_format_state_line (bb_store_outbox_count (store), last_sync, NULL);
  adw_window_title_set_subtitle (self->state_title, line);
}

void
bb_window_new_record (BbWindow   *self,
                      const char *kind_id)
{
  const BbKindSpec *kind;

  g_return_if_fail (BB_IS_WINDOW (self));

  kind = bb_kind_lookup (kind_id);
  if (kind == NULL || self->session == NULL)
    return;

  if (!bb_kind_can_create (kind, _bb_window_get_role (self)))
    {
      /* Translators: "A Ward councillor cannot create Section 59 warnings" */
      g_autofree char *message = g_strdup_printf (_("Your role (%s) cannot create %s"),
                                                  bb_role_get_label (_bb_window_get_role (self)),
                                                  _(kind->plural_label));

      _bb_window_show_toast (self, message, FALSE);
      return;
    }

  _bb_window_open_editor (self, bb_editor_new (self->session, kind->id, NULL, NULL, NULL), NULL);
}

gboolean
bb_window_show_record (BbWindow   *self,
                       const char *id)
{
  g_autoptr(BbRecord) record = NULL;

  g_return_val_if_fail (BB_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (_bb_window_get_store (self) == NULL)
    return FALSE;

  record = bb_store_get_record (_bb_window_get_store (self), id, NULL);
  if (record == NULL || bb_record_get_deleted (record))
    return FALSE;

  _bb_window_close_editor (self, FALSE);
  _bb_window_show_record_object (self, record);
  _bb_window_select_record (self, id);
  show_detail_pane (self);
  return TRUE;
}

GPtrArray *
bb_window_dup_creatable_kinds (BbWindow *self)
{
  const BbKindSpec * const *all = bb_kind_all ();
  GPtrArray *kinds = g_ptr_array_new ();
  guint counts[16] = { 0 };
  g_autoptr(GHashTable) recent = NULL;
  BbRole role;

  g_return_val_if_fail (BB_IS_WINDOW (self), kinds);

  /* Most used among the newest records: counting each kind's records
   * read every one of them, at each change of page. */
  if (_bb_window_get_store (self) != NULL)
    recent = bb_store_count_recent_kinds (_bb_window_get_store (self), RECENT_KINDS, NULL);
  role = _bb_window_get_role (self);
  for (guint i = 0; all[i] != NULL && i < G_N_ELEMENTS (counts); i++)
    {
      if (!bb_kind_can_create (all[i], role))
        continue;
      if (recent != NULL)
        counts[i] = GPOINTER_TO_UINT (g_hash_table_lookup (recent, all[i]->id));
      g_ptr_array_add (kinds, (gpointer) all[i]);
    }

  /* Most used first; the table's own order (most used in general) breaks ties. */
  for (guint i = 1; i < kinds->len; i++)
    for (guint j = i; j > 0; j--)
      {
        const BbKindSpec *a = g_ptr_array_index (kinds, j - 1);
        const BbKindSpec *b = g_ptr_array_index (kinds, j);
        guint ia = 0, ib = 0;

        for (guint k = 0; all[k] != NULL; k++)
          {
            if (all[k] == a)
              ia = k;
            if (all[k] == b)
              ib = k;
          }
        if (counts[ib] <= counts[ia])
          break;
        kinds->pdata[j - 1] = (gpointer) b;
        kinds->pdata[j] = (gpointer) a;
      }

  return kinds;
}

const char *
bb_window_get_page (BbWindow *self)
{
  g_return_val_if_fail (BB_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->main_stack);
}

const char *
bb_window_get_detail_page (BbWindow *self)
{
  g_return_val_if_fail (BB_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->detail_stack);
}

const char *
bb_window_get_list_page (BbWindow *self)
{
  g_return_val_if_fail (BB_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->list_stack);
}

BbFirstRun *
bb_window_get_first_run (BbWindow *self)
{
  g_return_val_if_fail (BB_IS_WINDOW (self), NULL);

  return self->first_run;
}

BbRecordListModel *
bb_window_get_model (BbWindow *self)
{
  g_return_val_if_fail (BB_IS_WINDOW (self), NULL);

  return self->model;
}

GtkSelectionModel *
bb_window_get_selection (BbWindow *self)
{
  g_return_val_if_fail (BB_IS_WINDOW (self), NULL);

  return GTK_SELECTION_MODEL (self->selection);
}

BbRecordView *
bb_window_get_record_view (BbWindow *self)
{
  g_return_val_if_fail (BB_IS_WINDOW (self), NULL);

  return self->record_view;
}

BbEditor *
bb_window_get_editor (BbWindow *self)
{
  g_return_val_if_fail (BB_IS_WINDOW (self), NULL);

  return self->editor;
}

GtkWidget *
bb_window_get_search_entry (BbWindow *self)
{
  g_return_val_if_fail (BB_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->search_entry);
}

GtkWidget *
bb_window_get_kind_dropdown (BbWindow *self)
{
  g_return_val_if_fail (BB_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->kind_dropdown);
}

GtkWidget *
bb_window_get_list_view (BbWindow *self)
{
  g_return_val_if_fail (BB_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->list_view);
}

const char *
bb_window_get_empty_title (BbWindow *self)
{
  g_return_val_if_fail (BB_IS_WINDOW (self), NULL);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->list_stack), "empty") != 0)
    return NULL;

  return adw_status_page_get_title (self->empty_page);
}

const char *
bb_window_get_state_line (BbWindow *self)
{
  g_return_val_if_fail (BB_IS_WINDOW (self), NULL);

  return adw_window_title_get_subtitle (self->state_title);
}

const char *
bb_window_get_last_toast (BbWindow *self)
{
  g_return_val_if_fail (BB_IS_WINDOW (self), NULL);

  return self->last_toast;
}

guint
bb_window_get_n_drafts (BbWindow *self)
{
  g_return_val_if_fail (BB_IS_WINDOW (self), 0);

  return self->draft_rows->len;
}
