/* bb-window-actions.c: what the main window does when asked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window's actions (win.new, win.save, win.undo ...), their keyboard
 * shortcuts, undo, and the quick start that opens a record from a few typed
 * words. Split from bb-window.c, which keeps the list, the detail pane and
 * the editors' comings and goings; both share the struct in
 * bb-window-private.h.
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include "bb-format.h"
#include "bb-i18n.h"
#include "bb-review-window.h"
#include "bb-typing.h"
#include "bb-window.h"
#include "bb-window-private.h"

/* Undo */

static void
perform_undo (BbWindow *self)
{
  BbStore *store = _bb_window_get_store (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(BbRecord) record = NULL;
  UndoKind kind = self->undo_kind;
  g_autofree char *id = g_strdup (self->undo_record_id);
  g_autoptr(BbRecord) previous = self->undo_previous != NULL ? g_object_ref (self->undo_previous) : NULL;
  BbDraft *draft = self->undo_draft != NULL ? _bb_window_draft_copy (self->undo_draft) : NULL;

  _bb_window_clear_undo (self);

  switch (kind)
    {
    case UNDO_NEW_RECORD:
      if (!bb_store_delete_record (store, id, &error))
        _bb_window_show_error_toast (self, _("Could not undo"), error);
      else
        {
          _bb_window_show_record_object (self, NULL);
          _bb_window_show_toast (self, _("Record removed"), FALSE);
        }
      break;

    case UNDO_EDIT:
      record = bb_store_get_record (store, id, &error);
      if (record == NULL)
        {
          _bb_window_show_error_toast (self, _("Could not undo"), error);
          break;
        }
      bb_record_set_fields (record, bb_record_get_fields (previous));
      bb_record_set_occurred_at (record, bb_record_get_occurred_at (previous));
      bb_record_set_priority (record, bb_record_get_priority (previous));
      /* The earlier content was valid when saved; the store takes it back as
       * a new revision without re-checking against today's clock. */
      if (!bb_store_save_record (store, record, &error))
        _bb_window_show_error_toast (self, _("Could not undo"), error);
      else
        {
          _bb_window_show_record_object (self, record);
          _bb_window_show_toast (self, _("Changes undone"), FALSE);
        }
      break;

    case UNDO_DELETE:
      record = bb_store_get_record (store, id, &error);
      if (record == NULL)
        {
          _bb_window_show_error_toast (self, _("Could not undo"), error);
          break;
        }
      bb_record_set_deleted (record, FALSE);
      if (!bb_store_save_record (store, record, &error))
        _bb_window_show_error_toast (self, _("Could not undo"), error);
      else
        {
          _bb_window_show_record_object (self, record);
          _bb_window_show_toast (self, _("Record restored"), FALSE);
        }
      break;

    case UNDO_DISCARD_DRAFT:
      if (draft == NULL ||
          !bb_store_save_draft (store, draft->id, draft->kind, draft->record_id, draft->json, &error))
        _bb_window_show_error_toast (self, _("Could not bring the draft back"), error);
      else
        _bb_window_show_toast (self, _("Draft restored to the list"), FALSE);
      break;

    case UNDO_NONE:
    default:
      break;
    }

  g_clear_pointer (&draft, bb_draft_free);
  bb_window_reload (self);
  if (record != NULL && kind != UNDO_NEW_RECORD)
    _bb_window_select_record (self, bb_record_get_id (record));
}

/* Quick start */

static void
quick_start_select (BbWindow *self,
                    guint     index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->start_list, index);

  if (row == NULL)
    return;
  self->start_selected = index;
  gtk_list_box_select_row (self->start_list, row);
}

static void
quick_start_rebuild (BbWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->start_entry));
  GtkListBoxRow *old;

  g_clear_pointer (&self->start_hits, g_ptr_array_unref);
  /* Rows only: the list's placeholder is one of its children too. */
  while ((old = gtk_list_box_get_row_at_index (self->start_list, 0)) != NULL)
    gtk_list_box_remove (self->start_list, GTK_WIDGET (old));
  self->start_selected = 0;

  if (self->session == NULL)
    return;

  self->start_hits = bb_quick_start_match (_bb_window_get_profile (self), _bb_window_get_role (self), text);
  for (guint i = 0; i < self->start_hits->len && i < QUICK_START_ROWS; i++)
    {
      BbQuickStart *start = g_ptr_array_index (self->start_hits, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name (start->kind->icon_name);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), start->title);
      if (start->subtitle != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), start->subtitle);
      gtk_widget_add_css_class (row, "property");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      /* The entry keeps focus; arrows move the choice. */
      gtk_widget_set_focusable (row, FALSE);
      gtk_list_box_append (self->start_list, row);
    }
  quick_start_select (self, 0);
}

/* Empties and hides the quick start: once an editor opens (by any way, a
 * click on New included), or a search starts, it has done its work. */
void
_bb_window_close_quick_start (BbWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->start_entry), "");
  gtk_search_bar_set_search_mode (self->start_bar, FALSE);
}

/* Opens an editor for the @index'th hit, with its preset fields. */
static void
quick_start_take (BbWindow *self,
                  guint     index)
{
  BbQuickStart *start;
  g_autoptr(JsonObject) fields = NULL;
  const BbKindSpec *kind;

  /* The hits follow the text as it changes (no search delay), so Enter
   * straight after typing takes what was typed. */
  if (self->start_hits == NULL)
    quick_start_rebuild (self);
  if (self->start_hits == NULL || index >= self->start_hits->len)
    {
      gtk_widget_error_bell (GTK_WIDGET (self->start_entry));
      return;
    }

  start = g_ptr_array_index (self->start_hits, index);
  kind = start->kind;
  fields = json_object_ref (start->fields);
  _bb_window_close_quick_start (self);

  _bb_window_open_editor (self, bb_editor_new_with_fields (self->session, kind->id, fields), NULL);
}

static void
on_start_changed (BbWindow *self)
{
  quick_start_rebuild (self);
}

static void
on_start_activate (BbWindow *self)
{
  quick_start_take (self, self->start_selected);
}

static void
on_start_row_activated (BbWindow      *self,
                        GtkListBoxRow *row)
{
  quick_start_take (self, gtk_list_box_row_get_index (row));
}

static void
on_start_stopped (BbWindow *self)
{
  _bb_window_close_quick_start (self);
  _bb_window_focus_list (self);
}

static gboolean
on_start_key_pressed (BbWindow        *self,
                      guint            keyval,
                      guint            keycode,
                      GdkModifierType  state)
{
  guint shown = self->start_hits != NULL ? MIN (self->start_hits->len, QUICK_START_ROWS) : 0;

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0)
    return FALSE;

  switch (keyval)
    {
    /* Enter is taken here, before the entry: right after the search bar
     * opens on a typed key, GtkSearchEntry (GTK 4.8) may drop a quick
     * Enter instead of emitting "activate". */
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
      quick_start_take (self, self->start_selected);
      return TRUE;
    default:
      break;
    }

  if (shown == 0)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      quick_start_select (self, MIN (self->start_selected + 1, shown - 1));
      return TRUE;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      quick_start_select (self, self->start_selected > 0 ? self->start_selected - 1 : 0);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
quick_start_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  BbWindow *self = BB_WINDOW (widget);

  if (adw_leaflet_get_folded (self->leaflet))
    _bb_window_show_list_pane (self);
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  gtk_search_bar_set_search_mode (self->start_bar, TRUE);
  quick_start_rebuild (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->start_entry));
}

/* Actions */

static const BbKindSpec *
most_used_kind (BbWindow *self)
{
  g_autoptr(GPtrArray) kinds = bb_window_dup_creatable_kinds (self);

  return kinds->len > 0 ? g_ptr_array_index (kinds, 0) : NULL;
}

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  bb_window_new_record (BB_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
new_default_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  BbWindow *self = BB_WINDOW (widget);
  const BbKindSpec *kind = most_used_kind (self);

  if (kind != NULL)
    bb_window_new_record (self, kind->id);
}

static void
repeat_last_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  BbWindow *self = BB_WINDOW (widget);
  BbQuery query = { 0 };
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  BbRecord *previous = NULL;

  query.kind = bb_record_list_model_get_kind (self->model);
  records = bb_store_list_records (_bb_window_get_store (self), &query, 0, 20, &error);
  if (records == NULL)
    {
      _bb_window_show_error_toast (self, _("Could not read the last record"), error);
      return;
    }

  for (guint i = 0; i < records->len && previous == NULL; i++)
    {
      BbRecord *record = g_ptr_array_index (records, i);
      const BbKindSpec *kind = bb_record_get_kind_spec (record);

      if (kind != NULL && bb_kind_can_create (kind, _bb_window_get_role (self)))
        previous = record;
    }

  if (previous == NULL)
    {
      _bb_window_show_toast (self, _("Nothing to repeat yet: save a record first"), FALSE);
      return;
    }

  _bb_window_open_editor (self, bb_editor_new_from_previous (self->session, previous), NULL);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  BbWindow *self = BB_WINDOW (widget);

  if (self->editor != NULL)
    bb_editor_save (self->editor);
}

static void
close_editor_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  BbWindow *self = BB_WINDOW (widget);

  _bb_window_close_editor (self, FALSE);
  if (adw_leaflet_get_folded (self->leaflet))
    _bb_window_show_list_pane (self);
  /* The editor took the focus with it: give it back somewhere useful. */
  _bb_window_focus_list (self);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  BbWindow *self = BB_WINDOW (widget);

  if (self->editor != NULL)
    _bb_window_close_editor (self, FALSE);
  _bb_window_show_list_pane (self);
  _bb_window_focus_list (self);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  BbWindow *self = BB_WINDOW (widget);
  BbRecord *shown = bb_record_view_get_record (self->record_view);
  g_autoptr(BbRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  if (shown == NULL)
    return;

  /* Edit what the store holds now, not what was shown a while ago. */
  record = bb_store_get_record (_bb_window_get_store (self), bb_record_get_id (shown), &error);
  if (record == NULL)
    {
      _bb_window_show_error_toast (self, _("Could not open the record"), error);
      return;
    }

  _bb_window_open_editor (self, bb_editor_new (self->session, NULL, record, NULL, NULL), record);
}

static void
delete_response (AdwMessageDialog *dialog,
                 const char       *response,
                 BbWindow         *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "record-id");
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "delete") != 0 || id == NULL)
    return;

  if (!bb_store_delete_record (_bb_window_get_store (self), id, &error))
    {
      _bb_window_show_error_toast (self, _("Could not delete the record"), error);
      return;
    }

  _bb_window_clear_undo (self);
  self->undo_kind = UNDO_DELETE;
  self->undo_record_id = g_strdup (id);

  _bb_window_show_record_object (self, NULL);
  bb_window_reload (self);
  if (adw_leaflet_get_folded (self->leaflet))
    _bb_window_show_list_pane (self);
  _bb_window_focus_list (self);
  _bb_window_show_toast (self, _("Record deleted"), TRUE);
  _bb_window_update_actions (self);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  BbWindow *self = BB_WINDOW (widget);
  BbRecord *record = bb_record_view_get_record (self->record_view);
  g_autofree char *title = NULL;
  GtkWidget *dialog;

  if (record == NULL)
    return;

  title = bb_record_dup_title (record, _bb_window_get_profile (self));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Delete This Record?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” is removed from this device, and from the server at the next sync. "
                                    "You can undo this straight after."),
                                  title);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "record-id",
                          g_strdup (bb_record_get_id (record)), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (delete_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Supervisors: Review and Figures, one window per application. */
static void
review_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  BbWindow *self = BB_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  GtkWindow *review = NULL;

  if (self->session == NULL || _bb_window_get_role (self) != BB_ROLE_SUPERVISOR)
    return;
  for (GList *l = app != NULL ? gtk_application_get_windows (app) : NULL; l != NULL; l = l->next)
    if (BB_IS_REVIEW_WINDOW (l->data))
      review = l->data;
  if (review == NULL)
    review = GTK_WINDOW (bb_review_window_new (app, self->session));
  gtk_window_present (review);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  BbWindow *self = BB_WINDOW (widget);

  if (adw_leaflet_get_folded (self->leaflet))
    _bb_window_show_list_pane (self);
  _bb_window_close_quick_start (self);
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  perform_undo (BB_WINDOW (widget));
}

static void
restore_draft_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  BbWindow *self = BB_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(BbRecord) record = NULL;
  BbDraft *draft;

  draft = _bb_window_find_draft (self, g_variant_get_string (parameter, NULL), &error);
  if (draft == NULL)
    {
      _bb_window_show_error_toast (self, _("Could not restore the draft"), error);
      _bb_window_refresh_drafts (self);
      return;
    }

  if (draft->record_id != NULL)
    {
      record = bb_store_get_record (_bb_window_get_store (self), draft->record_id, NULL);
      /* The record went away (deleted on another device and synced): the
       * draft's content is still worth keeping, as a new record. */
      if (record != NULL && bb_record_get_deleted (record))
        g_clear_object (&record);
    }

  _bb_window_open_editor (self,
                          bb_editor_new (self->session, draft->kind, record, draft->id, draft->json),
                          record);
  bb_draft_free (draft);
}

static void
discard_draft_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  BbWindow *self = BB_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  BbDraft *draft;

  draft = _bb_window_find_draft (self, g_variant_get_string (parameter, NULL), &error);
  if (draft == NULL)
    {
      _bb_window_show_error_toast (self, _("Could not discard the draft"), error);
      _bb_window_refresh_drafts (self);
      return;
    }

  if (!bb_store_delete_draft (_bb_window_get_store (self), draft->id, &error))
    {
      _bb_window_show_error_toast (self, _("Could not discard the draft"), error);
      bb_draft_free (draft);
      return;
    }

  _bb_window_clear_undo (self);
  self->undo_kind = UNDO_DISCARD_DRAFT;
  self->undo_draft = draft;
  _bb_window_refresh_drafts (self);
  _bb_window_show_toast (self, _("Draft discarded"), TRUE);
  _bb_window_update_actions (self);
}

/* Class */

void
_bb_window_class_init_actions (GtkWidgetClass *widget_class)
{
  const BbKindSpec * const *kinds = bb_kind_all ();

  gtk_widget_class_bind_template_callback (widget_class, on_start_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_start_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_start_stopped);
  gtk_widget_class_bind_template_callback (widget_class, on_start_row_activated);

  gtk_widget_class_install_action (widget_class, "win.new", "s", new_action);
  gtk_widget_class_install_action (widget_class, "win.new-default", NULL, new_default_action);
  gtk_widget_class_install_action (widget_class, "win.repeat-last", NULL, repeat_last_action);
  gtk_widget_class_install_action (widget_class, "win.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "win.close-editor", NULL, close_editor_action);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "win.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "win.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.quick-start", NULL, quick_start_action);
  gtk_widget_class_install_action (widget_class, "win.review", NULL, review_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.restore-draft", "s", restore_draft_action);
  gtk_widget_class_install_action (widget_class, "win.discard-draft", "s", discard_draft_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-default", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.repeat-last", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_N, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.repeat-last", NULL);
  for (guint i = 0; kinds[i] != NULL && i < 9; i++)
    {
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_CONTROL_MASK,
                                           "win.new", "s", kinds[i]->id);
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_1 + i, GDK_CONTROL_MASK,
                                           "win.new", "s", kinds[i]->id);
    }
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.close-editor", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.edit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "win.quick-start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "win.undo", NULL);
}

/* Keys typed straight after Ctrl+F or Ctrl+K (or the first letter typed on
 * the list), before the bar has shown its entry: the bar slides in, and until
 * its entry is mapped GTK gives it no key events, so quick typing lost its
 * first letters. Seen before the window's own handling: while the focus is in
 * an entry not yet mapped, printable keys are added to it, Backspace takes
 * one off and Enter activates it, as the entry itself would. */
static gboolean
on_early_entry_key (BbWindow        *self,
                    guint            keyval,
                    guint            keycode,
                    GdkModifierType  state)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  GtkEditable *entry = NULL;

  if (focus == NULL)
    return FALSE;
  if (gtk_widget_is_ancestor (focus, GTK_WIDGET (self->search_entry)))
    entry = GTK_EDITABLE (self->search_entry);
  else if (gtk_widget_is_ancestor (focus, GTK_WIDGET (self->start_entry)))
    entry = GTK_EDITABLE (self->start_entry);
  if (entry == NULL || gtk_widget_get_mapped (GTK_WIDGET (entry)))
    return FALSE;
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) != 0)
    return FALSE;

  if (keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter)
    {
      g_signal_emit_by_name (entry, "activate");
      return TRUE;
    }

  return bb_editable_type_key (entry, keyval);
}

void
_bb_window_init_quick_start (BbWindow *self)
{
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkWidget *nothing = gtk_label_new (_("Nothing to start for these words: try what happened "
                                        "(“fly”, “asb”, “drug”) or a registration mark"));

  gtk_label_set_wrap (GTK_LABEL (nothing), TRUE);
  gtk_label_set_justify (GTK_LABEL (nothing), GTK_JUSTIFY_CENTER);
  gtk_widget_set_margin_top (nothing, 12);
  gtk_widget_set_margin_bottom (nothing, 12);
  gtk_widget_set_margin_start (nothing, 12);
  gtk_widget_set_margin_end (nothing, 12);
  gtk_widget_add_css_class (nothing, "dim-label");
  gtk_list_box_set_placeholder (self->start_list, nothing);

  /* Before the entry sees them: arrows move the choice, Enter takes it. */
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (key, "key-pressed", G_CALLBACK (on_start_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->start_entry), key);

  key = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (key, "key-pressed", G_CALLBACK (on_early_entry_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
}
