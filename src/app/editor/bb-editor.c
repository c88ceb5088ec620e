/* bb-editor.c: the record editor, one generic form for every kind
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-editor"

#include "config.h"

#include <string.h>

#include "bb-editor.h"
#include "bb-format.h"
#include "bb-editor-form.h"
#include "bb-attachments-row.h"
#include "bb-s59-lookup.h"

/* Checks run this long after the last keystroke... */
#define VALIDATE_DELAY_MS 300
/* ...and the draft is written this long after it: well under a second. */
#define DRAFT_DELAY_MS    500
#define DRAFT_VERSION     1

struct _BbEditor
{
  AdwBin             parent_instance;

  GtkScrolledWindow *scroller;
  GtkWidget         *notice_box;
  GtkLabel          *notice_label;
  GtkWidget         *summary_box;
  GtkLabel          *summary_label;
  GtkBox            *sections_box;
  GtkWidget         *attachments_row;
  GtkButton         *save_button;

  BbSession         *session;
  char              *kind;
  const BbKindSpec  *kind_spec;
  BbRecord          *record;      /* the copy being edited; NULL for a new record */
  char              *draft_id;
  char              *title;
  char              *summary;
  BbForm            *form;
  BbS59Lookup       *s59_lookup;  /* Section 59 only */

  guint              validate_source;
  guint              draft_source;
  gboolean           modified;
  gboolean           save_attempted;
  gboolean           closed;
  /* Save was asked for while files were still being copied in: it happens
   * when they are, unless one of them was refused meanwhile. */
  gboolean           save_waiting;
  guint              refused_at_save;
};

G_DEFINE_FINAL_TYPE (BbEditor, bb_editor, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_KIND,
  PROP_TITLE,
  PROP_MODIFIED,
  PROP_DRAFT_ID,
  N_PROPS
};

enum {
  SAVED,
  CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Helpers */

static void
set_notice (BbEditor   *self,
            const char *text)
{
  gtk_label_set_label (self->notice_label, text != NULL ? text : "");
  gtk_widget_set_visible (self->notice_box, text != NULL);
}

/* Said where it is seen wherever the form is scrolled to: the window's
 * toasts (the notice is at the top of the form). */
static void
show_toast (BbEditor   *self,
            const char *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void
set_modified (BbEditor *self,
              gboolean  modified)
{
  if (self->modified == modified)
    return;

  self->modified = modified;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
}

static void
update_title (BbEditor *self)
{
  const char *title;

  /* A header bar title: header case (bb-format.h). */
  if (self->kind_spec != NULL)
    title = self->record != NULL ? bb_format_kind_edit_title (self->kind_spec)
                                 : bb_format_kind_new_title (self->kind_spec);
  else
    title = _("Record");

  g_free (self->title);
  self->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

/* Problems */

typedef struct
{
  gboolean show_all;
  gboolean has_errors;
} LocalState;

static void
show_local_message (gpointer data,
                    gpointer user_data)
{
  BbFieldNode *node = data;
  LocalState *state = user_data;

  if (node->local_message == NULL)
    return;

  if (node->local_severity == BB_PROBLEM_ERROR)
    state->has_errors = TRUE;

  if (state->show_all || node->touched)
    bb_form_set_node_message (node, node->local_message, node->local_severity);
}

/* The field a problem belongs to: its path, or the nearest enclosing field
 * ("vehicles[1].vrm" -> "vehicles[1]" -> "vehicles"). */
static BbFieldNode *
node_for_problem (BbForm     *form,
                  const char *path)
{
  g_autofree char *p = g_strdup (path);

  while (p != NULL && p[0] != '\0')
    {
      BbFieldNode *node = bb_form_find_node (form, p, TRUE);
      char *dot, *bracket, *cut;

      if (node != NULL)
        return node;

      dot = strrchr (p, '.');
      bracket = strrchr (p, '[');
      cut = dot > bracket ? dot : bracket;
      if (cut == NULL)
        break;
      *cut = '\0';
    }

  return NULL;
}

/* Shows the form's own problems and @problems on their fields; returns TRUE
 * when any of them is an error. Fields the person has not reached yet stay
 * quiet until they try to save (@show_all). */
static gboolean
show_problems (BbEditor  *self,
               GPtrArray *problems,
               gboolean   show_all)
{
  LocalState state = { show_all, FALSE };
  g_autoptr(GString) summary = g_string_new (NULL);

  bb_form_clear_messages (self->form);
  bb_form_foreach (self->form, show_local_message, &state);

  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      BbProblem *problem = g_ptr_array_index (problems, i);
      BbFieldNode *node = node_for_problem (self->form, problem->path);

      if (problem->severity == BB_PROBLEM_ERROR)
        state.has_errors = TRUE;

      if (node != NULL)
        {
          /* One message per field: an error beats a warning, the first wins. */
          if (node->message != NULL &&
              (node->severity == BB_PROBLEM_ERROR || problem->severity == BB_PROBLEM_WARNING))
            continue;
          if (show_all || node->touched)
            bb_form_set_node_message (node, problem->message, problem->severity);
        }
      else if (show_all)
        {
          if (summary->len > 0)
            g_string_append_c (summary, '\n');
          g_string_append_printf (summary, "%s: %s",
                                  problem->path != NULL ? problem->path : "",
                                  problem->message != NULL ? problem->message : "");
        }
    }

  g_clear_pointer (&self->summary, g_free);
  if (summary->len > 0)
    self->summary = g_strdup (summary->str);
  gtk_label_set_label (self->summary_label, self->summary != NULL ? self->summary : "");
  gtk_widget_set_visible (self->summary_box, self->summary != NULL);

  return state.has_errors;
}

/* Runs every check on the form as it stands; TRUE when an error blocks. */
static gboolean
validate (BbEditor *self,
          gboolean  show_all)
{
  g_autoptr(JsonObject) fields = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *occurred_at = NULL;

  fields = bb_form_collect_fields (self->form, NULL);
  occurred_at = bb_form_get_occurred_at (self->form);
  problems = bb_validate_record (bb_session_get_profile (self->session),
                                 self->kind,
                                 occurred_at != NULL ? occurred_at : "",
                                 bb_form_get_priority (self->form),
                                 fields, NULL);

  return show_problems (self, problems, show_all);
}

static void
focus_first_problem (BbEditor *self)
{
  BbFieldNode *node = bb_form_first_error (self->form);

  if (node != NULL)
    bb_form_focus_node (node);
  else if (self->summary != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->summary_label));
}

/* Drafts */

static JsonNode *
build_state (BbEditor *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) raw = json_object_new ();
  g_autoptr(JsonObject) fields = NULL;
  g_autofree char *occurred_at = NULL;
  JsonNode *node;

  fields = bb_form_collect_fields (self->form, raw);
  occurred_at = bb_form_get_occurred_at (self->form);
  if (occurred_at == NULL)
    {
      const char *text = gtk_editable_get_text (GTK_EDITABLE (self->form->occurred_at->input));

      json_object_set_string_member (raw, "occurred_at", text);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, DRAFT_VERSION);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, self->kind);
  json_builder_set_member_name (builder, "record_id");
  if (self->record != NULL)
    json_builder_add_string_value (builder, bb_record_get_id (self->record));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "occurred_at");
  if (occurred_at != NULL)
    json_builder_add_string_value (builder, occurred_at);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "priority");
  json_builder_add_int_value (builder, bb_form_get_priority (self->form));
  json_builder_set_member_name (builder, "priority_set");
  json_builder_add_boolean_value (builder, self->form->priority_set);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  json_object_set_object_member (json_node_get_object (node), "fields",
                                 json_object_ref (fields));
  json_object_set_object_member (json_node_get_object (node), "raw", json_object_ref (raw));

  return node;
}

char *
bb_editor_dup_state_json (BbEditor *self)
{
  g_autoptr(JsonNode) state = NULL;

  g_return_val_if_fail (BB_IS_EDITOR (self), NULL);

  if (self->form == NULL)
    return NULL;

  state = build_state (self);
  return json_to_string (state, FALSE);
}

gboolean
bb_editor_save_draft (BbEditor  *self,
                      GError   **error)
{
  g_autofree char *json = NULL;

  g_return_val_if_fail (BB_IS_EDITOR (self), FALSE);

  g_clear_handle_id (&self->draft_source, g_source_remove);

  if (self->form == NULL || self->session == NULL || !self->modified)
    return TRUE;

  json = bb_editor_dup_state_json (self);
  return bb_store_save_draft (bb_session_get_store (self->session),
                              self->draft_id, self->kind,
                              self->record != NULL ? bb_record_get_id (self->record) : NULL,
                              json, error);
}

static void
save_draft_or_say_why (BbEditor *self)
{
  g_autoptr(GError) error = NULL;

  if (!bb_editor_save_draft (self, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Your typing could not be kept as a draft: %s. "
                                                 "Keep this editor open and save the record."),
                                               error->message);

      set_notice (self, text);
    }
}

static gboolean
draft_timeout (gpointer user_data)
{
  BbEditor *self = BB_EDITOR (user_data);

  self->draft_source = 0;
  save_draft_or_say_why (self);

  return G_SOURCE_REMOVE;
}

static gboolean
validate_timeout (gpointer user_data)
{
  BbEditor *self = BB_EDITOR (user_data);

  self->validate_source = 0;
  validate (self, self->save_attempted);

  return G_SOURCE_REMOVE;
}

static void
on_form_changed (BbForm      *form,
                 BbFieldNode *node,
                 gpointer     user_data)
{
  BbEditor *self = BB_EDITOR (user_data);

  if (self->closed)
    return;

  /* Observations: priority follows the category until someone chooses one. */
  if (!form->priority_set && node->parent == form->root &&
      g_strcmp0 (node->name, "category") == 0)
    {
      g_autoptr(JsonObject) fields = bb_form_collect_fields (form, NULL);

      bb_form_set_priority (form, bb_kind_default_priority (self->kind_spec, fields));
    }

  set_modified (self, TRUE);

  if (self->s59_lookup != NULL)
    bb_s59_lookup_changed (self->s59_lookup, node);

  g_clear_handle_id (&self->validate_source, g_source_remove);
  self->validate_source = g_timeout_add (VALIDATE_DELAY_MS, validate_timeout, self);
  g_clear_handle_id (&self->draft_source, g_source_remove);
  self->draft_source = g_timeout_add (DRAFT_DELAY_MS, draft_timeout, self);
}

/* Files being attached: a save asked for meanwhile waits for them. */
static void
on_attachments_busy (BbEditor *self)
{
  BbAttachmentsRow *row = BB_ATTACHMENTS_ROW (self->attachments_row);

  if (self->closed || !self->save_waiting || bb_attachments_row_get_busy (row))
    return;

  self->save_waiting = FALSE;
  if (bb_attachments_row_get_n_refused (row) != self->refused_at_save)
    {
      const char *why = bb_attachments_row_get_message (row);
      g_autofree char *text =
        g_strdup_printf (_("Not saved: a file could not be attached (%s). "
                           "Nothing you typed is lost; save again to keep the record without it."),
                         why != NULL ? why : "");

      set_notice (self, text);
      show_toast (self, _("Not saved: a file was refused"));
      return;
    }
  bb_editor_save (self);
}

/* Loading */

/* "Last place, 3 hours ago" */
static char *
describe_place_age (const char *saved_at)
{
  g_autoptr(GDateTime) then = saved_at != NULL ? g_date_time_new_from_iso8601 (saved_at, NULL) : NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GTimeSpan age;
  gint64 hours;

  if (then == NULL)
    return g_strdup (_("Place of your last record: use it only if you are still there"));

  age = g_date_time_difference (now, then);
  hours = age / G_TIME_SPAN_HOUR;
  if (age < 0 || hours < 1)
    return g_strdup (_("Place of your last record: use it only if you are still there"));
  if (hours < 48)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Place of your last record, %lld hour ago",
                                         "Place of your last record, %lld hours ago",
                                         hours),
                            (long long) hours);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Place of your last record, %lld day ago",
                                       "Place of your last record, %lld days ago",
                                       hours / 24),
                          (long long) (hours / 24));
}

/* A remembered place is filled in only when it is recent (the same patrol);
 * an older one is offered under the field, taken with one key, so a record
 * is never saved with another incident's place unseen. */
static void
offer_or_fill_place (BbEditor   *self,
                     JsonObject *fields,
                     const char *place,
                     const char *saved_at)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *explanation = NULL;

  if (place == NULL || place[0] == '\0')
    return;

  if (bb_place_is_fresh (saved_at, now))
    {
      json_object_set_string_member (fields, "place", place);
      return;
    }

  json_object_remove_member (fields, "place");
  explanation = describe_place_age (saved_at);
  bb_form_suggest_text (self->form, "place", place, explanation);
}

static void
apply_defaults (BbEditor *self)
{
  BbStore *store = bb_session_get_store (self->session);
  BbProfile *profile = bb_session_get_profile (self->session);
  g_autofree char *now = bb_time_now_iso ();
  g_autofree char *ward = bb_store_get_meta (store, "editor.last_ward");
  g_autofree char *place = bb_store_get_meta (store, "editor.last_place");
  g_autofree char *place_at = bb_store_get_meta (store, "editor.last_place_at");
  g_autoptr(JsonObject) fields = json_object_new ();

  if (ward != NULL && bb_profile_has_choice (profile, "wards", ward))
    json_object_set_string_member (fields, "ward", ward);

  bb_form_set_occurred_at (self->form, now);
  offer_or_fill_place (self, fields, place, place_at);
  bb_form_fill_fields (self->form, fields);
  bb_form_set_priority (self->form, bb_kind_default_priority (self->kind_spec, NULL));
}

static void
load_record (BbEditor *self,
             BbRecord *record)
{
  bb_form_set_occurred_at (self->form, bb_record_get_occurred_at (record));
  bb_form_fill_fields (self->form, bb_record_get_fields (record));
  bb_form_set_priority (self->form, bb_record_get_priority (record));
  self->form->priority_set = TRUE;
}

static gboolean
load_draft (BbEditor    *self,
            JsonObject  *state,
            GError     **error)
{
  JsonObject *fields = NULL;

  if (json_object_has_member (state, "fields"))
    {
      JsonNode *node = json_object_get_member (state, "fields");

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("“fields” is not an object"));
          return FALSE;
        }
      fields = json_node_get_object (node);
    }

  if (json_object_has_member (state, "occurred_at"))
    {
      const char *occurred_at = json_object_get_string_member_with_default (state, "occurred_at", NULL);

      if (occurred_at != NULL)
        bb_form_set_occurred_at (self->form, occurred_at);
    }

  bb_form_fill_fields (self->form, fields);

  if (json_object_has_member (state, "raw") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (state, "raw")))
    {
      JsonObject *raw = json_object_get_object_member (state, "raw");

      bb_form_fill_raw (self->form, raw);
      if (json_object_has_member (raw, "occurred_at"))
        {
          self->form->filling++;
          gtk_editable_set_text (GTK_EDITABLE (self->form->occurred_at->input),
                                 json_object_get_string_member_with_default (raw, "occurred_at", ""));
          self->form->filling--;
        }
    }

  if (json_object_has_member (state, "priority"))
    bb_form_set_priority (self->form, json_object_get_int_member_with_default (state, "priority", 2));
  self->form->priority_set = json_object_get_boolean_member_with_default (state, "priority_set",
                                                                          self->record != NULL);

  return TRUE;
}

static JsonObject *
parse_draft (const char  *draft_json,
             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, draft_json, -1, error))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("it is not a JSON object"));
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

/* Builds the form once session, kind and record are known. */
static void
setup (BbEditor   *self,
       const char *kind,
       BbRecord   *record,
       const char *draft_id,
       const char *draft_json)
{
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;

  if (draft_json != NULL)
    {
      state = parse_draft (draft_json, &error);
      if (state == NULL)
        problem = g_strdup_printf (_("The saved draft could not be read (%s). It is still kept; "
                                     "this form starts empty."), error->message);
      g_clear_error (&error);
    }

  if (record != NULL)
    kind = bb_record_get_kind (record);
  if (kind == NULL && state != NULL)
    kind = json_object_get_string_member_with_default (state, "kind", NULL);

  /* A draft of an edit names its record: edit the stored copy again. */
  if (record == NULL && state != NULL)
    {
      const char *record_id = json_object_get_string_member_with_default (state, "record_id", NULL);

      if (record_id != NULL)
        {
          g_autoptr(BbRecord) stored = bb_store_get_record (bb_session_get_store (self->session),
                                                            record_id, &error);

          /* A record deleted since (here, or elsewhere and synced) is not
           * brought back by its draft: the typing becomes a new record. */
          if (stored != NULL && !bb_record_get_deleted (stored))
            self->record = bb_record_copy (stored);
          else if (stored != NULL)
            problem = g_strdup (_("The record this draft changes has been deleted. "
                                  "Saving makes a new record."));
          else
            problem = g_strdup_printf (_("The record this draft changes is no longer on this "
                                         "device (%s). Saving makes a new record."),
                                       error != NULL ? error->message : record_id);
          g_clear_error (&error);
        }
    }
  else if (record != NULL)
    self->record = bb_record_copy (record);

  if (self->record != NULL)
    kind = bb_record_get_kind (self->record);

  self->kind = g_strdup (kind);
  self->kind_spec = bb_kind_lookup (kind);

  /* A draft the editor can use keeps its id; an unreadable one is left alone. */
  if (draft_id != NULL && state != NULL)
    self->draft_id = g_strdup (draft_id);
  else
    self->draft_id = bb_uuid_new ();

  if (self->kind_spec == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Beatbook does not know the kind of record “%s”, "
                                                 "so it cannot be edited here."),
                                               kind != NULL ? kind : "");

      set_notice (self, text);
      gtk_widget_set_visible (GTK_WIDGET (self->save_button), FALSE);
      update_title (self);
      return;
    }

  self->form = bb_form_new (bb_session_get_profile (self->session), self->kind_spec,
                            self->sections_box, on_form_changed, self);

  if (self->record != NULL)
    load_record (self, self->record);
  else
    apply_defaults (self);

  if (state != NULL)
    {
      if (!load_draft (self, state, &error))
        problem = g_strdup_printf (_("Part of the saved draft could not be read (%s)."),
                                   error->message);
      /* Restored typing is unsaved work: closing keeps the draft. */
      set_modified (self, TRUE);
    }

  if (problem != NULL)
    set_notice (self, problem);

  /* Photos and files, below the form; files dropped anywhere on it count. */
  self->attachments_row = bb_attachments_row_new (self->session, self->form,
                                                  GTK_WIDGET (self->sections_box));
  gtk_box_append (self->sections_box, self->attachments_row);
  g_signal_connect_swapped (self->attachments_row, "notify::busy",
                            G_CALLBACK (on_attachments_busy), self);

  /* Earlier warnings show as soon as a mark or a driver is known. */
  if (g_strcmp0 (self->kind, BB_KIND_S59_WARNING) == 0)
    {
      self->s59_lookup = bb_s59_lookup_new (self->session, self->form,
                                            self->record != NULL ? bb_record_get_id (self->record) : NULL);
      g_object_set_data (G_OBJECT (self), "bb-s59-lookup", self->s59_lookup);
      bb_s59_lookup_show (self->s59_lookup);
    }

  update_title (self);
}

/* Actions */

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  bb_editor_save (BB_EDITOR (widget));
}

static void
discard_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  bb_editor_close (BB_EDITOR (widget), TRUE);
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  bb_editor_close (BB_EDITOR (widget), FALSE);
}

/* Keyboard */

/* Focus goes where typing is needed: the first required field still empty
 * (the time, ward and place are usually filled in already), at any size,
 * for a new record, a repeat or a draft alike. */
static gboolean
bb_editor_grab_focus (GtkWidget *widget)
{
  BbEditor *self = BB_EDITOR (widget);
  BbFieldNode *node;

  if (self->form == NULL)
    return GTK_WIDGET_CLASS (bb_editor_parent_class)->grab_focus (widget);

  node = bb_form_first_empty_required (self->form);
  if (node == NULL)
    node = bb_form_first_kind_field (self->form);
  bb_form_focus_node (node != NULL ? node : self->form->occurred_at);

  return TRUE;
}

/* Focus coming in from outside (the window after opening the editor, or
 * Tab from the header) lands where grab_focus puts it, not on whatever
 * widget happens to come first. */
static gboolean
bb_editor_focus (GtkWidget        *widget,
                 GtkDirectionType  direction)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (direction == GTK_DIR_TAB_FORWARD &&
      (focus == NULL || !gtk_widget_is_ancestor (focus, widget)))
    return bb_editor_grab_focus (widget);

  return GTK_WIDGET_CLASS (bb_editor_parent_class)->focus (widget, direction);
}

/* Class */

static void
load_css_once (void)
{
  static gboolean loaded;
  GdkDisplay *display = gdk_display_get_default ();
  g_autoptr(GtkCssProvider) provider = NULL;

  if (loaded || display == NULL)
    return;

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/org/beatbook/Beatbook/editor/editor.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  loaded = TRUE;
}

static void
bb_editor_dispose (GObject *object)
{
  BbEditor *self = BB_EDITOR (object);

  /* Never lose typing: an editor torn down unsaved leaves its draft. */
  if (!self->closed && self->modified && self->form != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!bb_editor_save_draft (self, &error))
        g_message ("Draft %s could not be kept: %s", self->draft_id, error->message);
    }
  self->closed = TRUE;
  if (self->attachments_row != NULL)
    bb_attachments_row_cancel (BB_ATTACHMENTS_ROW (self->attachments_row));

  g_clear_handle_id (&self->validate_source, g_source_remove);
  g_clear_handle_id (&self->draft_source, g_source_remove);

  /* The widgets go away now; their handlers must not reach the form. */
  if (self->form != NULL)
    self->form->filling = G_MAXINT / 2;
  if (self->s59_lookup != NULL)
    {
      bb_s59_lookup_stop (self->s59_lookup);
      g_object_set_data (G_OBJECT (self), "bb-s59-lookup", NULL);
      g_clear_object (&self->s59_lookup);
    }

  G_OBJECT_CLASS (bb_editor_parent_class)->dispose (object);
}

static void
bb_editor_finalize (GObject *object)
{
  BbEditor *self = BB_EDITOR (object);

  g_clear_pointer (&self->form, bb_form_free);
  g_clear_object (&self->session);
  g_clear_object (&self->record);
  g_free (self->kind);
  g_free (self->draft_id);
  g_free (self->title);
  g_free (self->summary);

  G_OBJECT_CLASS (bb_editor_parent_class)->finalize (object);
}

static void
bb_editor_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  BbEditor *self = BB_EDITOR (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_KIND:
      g_value_set_string (value, self->kind);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_MODIFIED:
      g_value_set_boolean (value, self->modified);
      break;
    case PROP_DRAFT_ID:
      g_value_set_string (value, self->draft_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bb_editor_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  BbEditor *self = BB_EDITOR (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bb_editor_class_init (BbEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bb_editor_dispose;
  object_class->finalize = bb_editor_finalize;
  object_class->get_property = bb_editor_get_property;
  object_class->set_property = bb_editor_set_property;
  widget_class->grab_focus = bb_editor_grab_focus;
  widget_class->focus = bb_editor_focus;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, BB_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIND] =
    g_param_spec_string ("kind", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODIFIED] =
    g_param_spec_boolean ("modified", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DRAFT_ID] =
    g_param_spec_string ("draft-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BbEditor::saved:
   * @record: (transfer none): the record as stored
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, BB_TYPE_RECORD);
  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/beatbook/Beatbook/editor/bb-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, BbEditor, scroller);
  gtk_widget_class_bind_template_child (widget_class, BbEditor, notice_box);
  gtk_widget_class_bind_template_child (widget_class, BbEditor, notice_label);
  gtk_widget_class_bind_template_child (widget_class, BbEditor, summary_box);
  gtk_widget_class_bind_template_child (widget_class, BbEditor, summary_label);
  gtk_widget_class_bind_template_child (widget_class, BbEditor, sections_box);
  gtk_widget_class_bind_template_child (widget_class, BbEditor, save_button);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "editor.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "editor.discard", NULL, discard_action);
}

static void
bb_editor_init (BbEditor *self)
{
  load_css_once ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Public API */

BbEditor *
bb_editor_new (BbSession  *session,
               const char *kind,
               BbRecord   *record,
               const char *draft_id,
               const char *draft_json)
{
  BbEditor *self;

  g_return_val_if_fail (BB_IS_SESSION (session), NULL);
  g_return_val_if_fail (kind != NULL || record != NULL || draft_json != NULL, NULL);
  g_return_val_if_fail (record == NULL || BB_IS_RECORD (record), NULL);

  self = g_object_new (BB_TYPE_EDITOR, "session", session, NULL);
  setup (self, kind, record, draft_id, draft_json);

  return self;
}

/* Drops what belongs to one incident only, following the field table. */
static JsonObject *
repeat_object (const BbFieldSpec *table,
               const BbFieldSpec *common,
               JsonObject        *fields)
{
  JsonObject *out = json_object_new ();
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  json_object_iter_init (&iter, fields);
  while (json_object_iter_next (&iter, &key, &value))
    {
      const BbFieldSpec *spec = bb_field_spec_find (table, key);

      if (spec == NULL && common != NULL)
        spec = bb_field_spec_find (common, key);
      if (spec == NULL)
        continue;

      switch (spec->type)
        {
        case BB_FIELD_TIME:
        case BB_FIELD_COUNT:
        case BB_FIELD_VRM:
        case BB_FIELD_ID_LIST:
          continue;
        case BB_FIELD_TEXT:
          if (spec->flags & BB_FIELD_FLAG_MULTILINE)
            continue;
          break;
        default:
          break;
        }
      if (spec->flags & (BB_FIELD_FLAG_PERSONAL | BB_FIELD_FLAG_DERIVED))
        continue;

      if (spec->type == BB_FIELD_OBJECT && JSON_NODE_HOLDS_OBJECT (value))
        {
          JsonObject *inner = repeat_object (spec->children, NULL, json_node_get_object (value));

          if (json_object_get_size (inner) > 0)
            json_object_set_object_member (out, key, inner);
          else
            json_object_unref (inner);
        }
      else if (spec->type == BB_FIELD_OBJECT_LIST && JSON_NODE_HOLDS_ARRAY (value))
        {
          JsonArray *array = json_node_get_array (value);
          JsonArray *items = json_array_new ();

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *element = json_array_get_element (array, i);
              JsonObject *inner;

              if (!JSON_NODE_HOLDS_OBJECT (element))
                continue;
              inner = repeat_object (spec->children, NULL, json_node_get_object (element));
              if (json_object_get_size (inner) > 0)
                json_array_add_object_element (items, inner);
              else
                json_object_unref (inner);
            }

          if (json_array_get_length (items) > 0)
            json_object_set_array_member (out, key, items);
          else
            json_array_unref (items);
        }
      else
        json_object_set_member (out, key, json_node_copy (value));
    }

  return out;
}

JsonObject *
bb_editor_fields_for_repeat (const char *kind,
                             JsonObject *fields)
{
  const BbKindSpec *spec = bb_kind_lookup (kind);

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (fields != NULL, NULL);

  return repeat_object (spec->fields, bb_kind_common_fields (), fields);
}

BbEditor *
bb_editor_new_from_previous (BbSession *session,
                             BbRecord  *previous)
{
  BbEditor *self;
  g_autoptr(JsonObject) fields = NULL;
  int priority;

  g_return_val_if_fail (BB_IS_SESSION (session), NULL);
  g_return_val_if_fail (BB_IS_RECORD (previous), NULL);

  self = bb_editor_new (session, bb_record_get_kind (previous), NULL, NULL, NULL);
  if (self->form == NULL)
    return self;

  fields = bb_editor_fields_for_repeat (self->kind, bb_record_get_fields (previous));
  if (json_object_has_member (fields, "place"))
    {
      g_autofree char *place = g_strdup (json_object_get_string_member_with_default (fields, "place", NULL));

      offer_or_fill_place (self, fields, place, bb_record_get_occurred_at (previous));
    }
  bb_form_fill_fields (self->form, fields);

  priority = bb_record_get_priority (previous);
  bb_form_set_priority (self->form, priority);
  /* A priority the person chose last time stays chosen; a default follows. */
  self->form->priority_set = priority != bb_kind_default_priority (self->kind_spec, fields);

  return self;
}

BbEditor *
bb_editor_new_with_fields (BbSession  *session,
                           const char *kind,
                           JsonObject *fields)
{
  BbEditor *self;
  g_autoptr(JsonObject) merged = NULL;
  g_autoptr(GList) members = NULL;

  g_return_val_if_fail (BB_IS_SESSION (session), NULL);
  g_return_val_if_fail (kind != NULL, NULL);

  self = bb_editor_new (session, kind, NULL, NULL, NULL);
  if (self->form == NULL || fields == NULL || json_object_get_size (fields) == 0)
    return self;

  /* The defaults (ward, place) stay; the given fields go over them. */
  merged = bb_form_collect_fields (self->form, NULL);
  members = json_object_get_members (fields);
  for (GList *l = members; l != NULL; l = l->next)
    json_object_set_member (merged, l->data,
                            json_node_copy (json_object_get_member (fields, l->data)));
  bb_form_fill_fields (self->form, merged);
  if (!self->form->priority_set)
    bb_form_set_priority (self->form, bb_kind_default_priority (self->kind_spec, merged));

  if (self->s59_lookup != NULL)
    bb_s59_lookup_run (self->s59_lookup);

  return self;
}

gboolean
bb_editor_save (BbEditor *self)
{
  g_autoptr(JsonObject) fields = NULL;
  g_autoptr(BbRecord) record = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *occurred_at = NULL;
  BbStore *store;
  const char *ward, *place;

  g_return_val_if_fail (BB_IS_EDITOR (self), FALSE);

  if (self->form == NULL || self->closed)
    return FALSE;

  g_clear_handle_id (&self->validate_source, g_source_remove);
  self->save_attempted = TRUE;

  if (validate (self, TRUE))
    {
      focus_first_problem (self);
      return FALSE;
    }

  /* Never a record listing a file that is not kept yet: wait for it. */
  if (self->attachments_row != NULL &&
      bb_attachments_row_get_busy (BB_ATTACHMENTS_ROW (self->attachments_row)))
    {
      guint n = bb_attachments_row_get_n_waiting (BB_ATTACHMENTS_ROW (self->attachments_row));
      g_autofree char *text = NULL;

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Saving as soon as the file being attached is in (%u left).",
                                           "Saving as soon as the files being attached are in (%u left).",
                                           n),
                              n);
      set_notice (self, text);
      if (!self->save_waiting)
        {
          self->refused_at_save = bb_attachments_row_get_n_refused (BB_ATTACHMENTS_ROW (self->attachments_row));
          /* Short: a toast is one line at 360 px. */
          show_toast (self, _("Saving once files are in"));
        }
      self->save_waiting = TRUE;
      return FALSE;
    }
  self->save_waiting = FALSE;

  fields = bb_form_collect_fields (self->form, NULL);
  occurred_at = bb_form_get_occurred_at (self->form);

  record = self->record != NULL ? bb_record_copy (self->record) : bb_record_new (self->kind);
  bb_record_set_occurred_at (record, occurred_at);
  bb_record_set_priority (record, bb_form_get_priority (self->form));
  bb_record_set_fields (record, fields);

  if (!bb_session_save_record (self->session, record, &problems, &error))
    {
      if (error != NULL)
        {
          g_autofree char *text = g_strdup_printf (_("Not saved: %s. Nothing you typed is lost; "
                                                     "try again."), error->message);

          set_notice (self, text);
          save_draft_or_say_why (self);
        }
      else
        {
          show_problems (self, problems, TRUE);
          focus_first_problem (self);
        }
      return FALSE;
    }

  set_notice (self, NULL);
  store = bb_session_get_store (self->session);

  g_clear_handle_id (&self->draft_source, g_source_remove);
  if (!bb_store_delete_draft (store, self->draft_id, &error))
    {
      g_debug ("Draft %s not deleted: %s", self->draft_id, error->message);
      g_clear_error (&error);
    }

  /* The next record starts where this one was: same ward, same place. */
  ward = json_object_get_string_member_with_default (fields, "ward", NULL);
  place = json_object_get_string_member_with_default (fields, "place", NULL);
  if (ward != NULL && !bb_store_set_meta (store, "editor.last_ward", ward, &error))
    {
      g_debug ("Last ward not kept: %s", error->message);
      g_clear_error (&error);
    }
  if (!bb_store_set_meta (store, "editor.last_place", place != NULL ? place : "", &error))
    {
      g_debug ("Last place not kept: %s", error->message);
      g_clear_error (&error);
    }
  else
    {
      /* When the place was last confirmed: an hour on, it is asked again. */
      g_autofree char *saved_at = bb_time_now_iso ();

      if (!bb_store_set_meta (store, "editor.last_place_at", saved_at, &error))
        {
          g_debug ("Time of the last place not kept: %s", error->message);
          g_clear_error (&error);
        }
    }

  g_set_object (&self->record, record);
  set_modified (self, FALSE);
  update_title (self);
  show_problems (self, problems, FALSE);

  g_signal_emit (self, signals[SAVED], 0, record);

  return TRUE;
}

void
bb_editor_close (BbEditor *self,
                 gboolean  discard)
{
  g_return_if_fail (BB_IS_EDITOR (self));

  if (self->closed)
    return;

  g_clear_handle_id (&self->validate_source, g_source_remove);

  /* Copies still running are stopped: their files are not listed. */
  self->save_waiting = FALSE;
  if (self->attachments_row != NULL)
    bb_attachments_row_cancel (BB_ATTACHMENTS_ROW (self->attachments_row));

  if (discard)
    {
      g_autoptr(GError) error = NULL;

      g_clear_handle_id (&self->draft_source, g_source_remove);
      if (self->session != NULL &&
          !bb_store_delete_draft (bb_session_get_store (self->session), self->draft_id, &error))
        g_debug ("Draft %s not deleted: %s", self->draft_id, error->message);
    }
  else
    save_draft_or_say_why (self);

  self->closed = TRUE;
  g_signal_emit (self, signals[CLOSED], 0);
}

const char *
bb_editor_get_kind (BbEditor *self)
{
  g_return_val_if_fail (BB_IS_EDITOR (self), NULL);

  return self->kind;
}

const char *
bb_editor_get_draft_id (BbEditor *self)
{
  g_return_val_if_fail (BB_IS_EDITOR (self), NULL);

  return self->draft_id;
}

gboolean
bb_editor_get_modified (BbEditor *self)
{
  g_return_val_if_fail (BB_IS_EDITOR (self), FALSE);

  return self->modified;
}

const char *
bb_editor_get_title (BbEditor *self)
{
  g_return_val_if_fail (BB_IS_EDITOR (self), NULL);

  return self->title;
}

BbRecord *
bb_editor_get_record (BbEditor *self)
{
  g_return_val_if_fail (BB_IS_EDITOR (self), NULL);

  return self->record;
}

GtkWidget *
bb_editor_get_field_widget (BbEditor   *self,
                            const char *path)
{
  g_autofree char *base = NULL;
  const char *slash;
  BbFieldNode *node;

  g_return_val_if_fail (BB_IS_EDITOR (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (self->form == NULL)
    return NULL;

  slash = strrchr (path, '/');
  base = slash != NULL ? g_strndup (path, slash - path) : g_strdup (path);
  node = bb_form_find_node (self->form, base, FALSE);
  if (node == NULL)
    return NULL;

  if (slash == NULL)
    return node->input;
  if (g_str_equal (slash + 1, "add"))
    return node->add_button;
  if (g_str_equal (slash + 1, "remove"))
    return node->remove_button;
  if (node->checks != NULL)
    return g_hash_table_lookup (node->checks, slash + 1);

  return NULL;
}

const char *
bb_editor_get_field_message (BbEditor   *self,
                             const char *path)
{
  BbFieldNode *node;

  g_return_val_if_fail (BB_IS_EDITOR (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (self->form == NULL)
    return NULL;

  node = bb_form_find_node (self->form, path, FALSE);
  return node != NULL ? node->message : NULL;
}

const char *
bb_editor_get_suggestion (BbEditor   *self,
                          const char *path)
{
  g_return_val_if_fail (BB_IS_EDITOR (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return self->form != NULL ? bb_form_get_suggestion (self->form, path) : NULL;
}

const char *
bb_editor_get_summary (BbEditor *self)
{
  g_return_val_if_fail (BB_IS_EDITOR (self), NULL);

  return self->summary;
}
