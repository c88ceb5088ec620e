/* test-window.c: the whole flow in the real window, as a person would go
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <gtk/gtk.h>

#include "bb-application.h"
#include "bb-chip-row.h"
#include "bb-choice-row.h"
#include "bb-format.h"
#include "bb-record-row.h"
#include "bb-window.h"
#include "test-files.h"

/* Helpers */

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Runs the main loop until @done says so, or 10 s have passed (a hang, not a
 * timing check: the caller asserts on the state, not on the time). */
static void
wait_for (gboolean (*done) (gpointer data),
          gpointer  data)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!done (data) && g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  iterate ();
}

static void
wait_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  iterate ();
}

typedef struct
{
  char          *dir;
  BbApplication *app;
  BbWindow      *window;
} Fixture;

static BbStore *
fixture_store (Fixture *f)
{
  return bb_session_get_store (bb_application_get_session (f->app));
}

static void
fixture_open_window (Fixture *f,
                     int      width,
                     int      height)
{
  static guint n_apps = 0;
  g_autoptr(GError) error = NULL;
  /* One id per instance: an earlier one may still be on the session bus. */
  g_autofree char *app_id = g_strdup_printf ("%s.Test%u", APP_ID, ++n_apps);

  f->app = g_object_new (BB_TYPE_APPLICATION,
                         "application-id", app_id,
                         "flags", G_APPLICATION_NON_UNIQUE,
                         "resource-base-path", "/org/beatbook/Beatbook",
                         "data-dir", f->dir,
                         NULL);
  g_application_register (G_APPLICATION (f->app), NULL, &error);
  g_assert_no_error (error);

  f->window = bb_window_new (f->app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), width, height);
  gtk_window_present (GTK_WINDOW (f->window));
  wait_ms (150);
}

static void
fixture_close_window (Fixture *f)
{
  if (f->window != NULL)
    {
      gtk_window_close (GTK_WINDOW (f->window));
      f->window = NULL;
    }
  iterate ();
  g_clear_object (&f->app);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("beatbook-test-window-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  fixture_close_window (f);
  bb_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* Sets up who uses the device without the first-run page. */
static void
given_identity (Fixture    *f,
                const char *name,
                BbRole      role)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbSession) session = bb_session_new (f->dir, &error);

  g_assert_no_error (error);
  bb_session_set_identity (session, name, role, "4521", &error);
  g_assert_no_error (error);
}

static void
activate (Fixture    *f,
          const char *action,
          GVariant   *target)
{
  g_autofree char *name = g_strdup (action);

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->window), name, target));
  iterate ();
}

/* The label a person sees for choice @id of the field at @path ("vehicle.type"). */
static const char *
choice_label (BbProfile  *profile,
              const char *kind_id,
              const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  const BbKindSpec *kind = bb_kind_lookup (kind_id);
  const BbFieldSpec *table = kind->fields;
  const BbFieldSpec *spec = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      spec = bb_field_spec_find (table, parts[i]);
      if (spec == NULL && i == 0)
        spec = bb_field_spec_find (bb_kind_common_fields (), parts[i]);
      g_assert_nonnull (spec);
      table = spec->children;
    }

  return spec->choices;
}

/* Types @value into the editor's real input for @path. */
static void
set_field (BbEditor   *editor,
           const char *path,
           const char *value)
{
  GtkWidget *widget = bb_editor_get_field_widget (editor, path);

  if (widget == NULL)
    g_error ("The editor has no input for “%s”", path);

  if (BB_IS_CHIP_ROW (widget))
    {
      /* Picked by its label, as a person does: a tap on the chip. */
      BbProfile *profile = bb_session_get_profile (bb_application_get_session (
        BB_APPLICATION (g_application_get_default ())));
      const char *list = choice_label (profile, bb_editor_get_kind (editor), path);
      const char *label = bb_profile_get_choice_label (profile, list, value);
      GtkWidget *button = bb_chip_row_get_button (BB_CHIP_ROW (widget), value);

      g_assert_nonnull (label);
      g_assert_nonnull (button);
      g_assert_cmpstr (g_object_get_data (G_OBJECT (button), "bb-label"), ==, label);
      g_signal_emit_by_name (button, "clicked");
      g_assert_cmpstr (bb_chip_row_get_selected_id (BB_CHIP_ROW (widget)), ==, value);
    }
  else if (BB_IS_CHOICE_ROW (widget))
    {
      bb_choice_row_set_selected_id (BB_CHOICE_ROW (widget), value);
      g_assert_cmpstr (bb_choice_row_get_selected_id (BB_CHOICE_ROW (widget)), ==, value);
    }
  else if (GTK_IS_SPIN_BUTTON (widget))
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (widget), g_ascii_strtod (value, NULL));
  else if (GTK_IS_EDITABLE (widget))
    gtk_editable_set_text (GTK_EDITABLE (widget), value);
  else if (GTK_IS_TEXT_VIEW (widget))
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget)), value, -1);
  else if (GTK_IS_SWITCH (widget))
    gtk_switch_set_active (GTK_SWITCH (widget), g_str_equal (value, "true"));
  else if (GTK_IS_CHECK_BUTTON (widget))
    gtk_check_button_set_active (GTK_CHECK_BUTTON (widget), g_str_equal (value, "true"));
  else
    g_error ("Do not know how to type into a %s for “%s”", G_OBJECT_TYPE_NAME (widget), path);

  iterate ();
}

/* path, value pairs, NULL-terminated, per kind: what a person must type. */
static const char * const patrol_values[] = {
  "ward", "greenhithe_knockhall",
  "place", "Crossways Boulevard",
  "category", "nuisance_vehicle",
  "description", "Cars revving in convoy by the roundabout",
  NULL
};

static const char * const s59_values[] = {
  "ward", "joydens_wood",
  "place", "Joyce Green Lane",
  "offence", "rta_s34",
  "alarm_distress", "is_causing",
  "circumstances", "Off-road bike ridden across the footpath",
  "vehicle.type", "off_road_bike",
  "vehicle.vrm", "AB12 CDE",
  "warned_party", "driver",
  "driver.name", "Driver seen at the scene",
  NULL
};

static const char * const vawg_values[] = {
  "ward", "town",
  "place", "Westgate car park",
  "walk_type", "night_time_economy_walk",
  "route", "Market Place to the station by Lowfield Street",
  NULL
};

static const char * const engagement_values[] = {
  "ward", "heath",
  "place", "Dartford Heath",
  "event_type", "community_engagement_day",
  "title", "Heath fire safety day",
  "attendees", "40",
  NULL
};

static gboolean
editor_is_open (gpointer data)
{
  return bb_window_get_editor (data) != NULL;
}

static gboolean
editor_is_closed (gpointer data)
{
  return bb_window_get_editor (data) == NULL;
}

/* Opens a new @kind, types @values and saves with the Save action (Ctrl+S).
 * Returns (transfer full) the id of the saved record. */
static char *
create_record (Fixture            *f,
               const char         *kind,
               const char * const *values)
{
  BbEditor *editor;
  BbRecord *shown;

  activate (f, "win.new", g_variant_new_string (kind));
  wait_for (editor_is_open, f->window);
  editor = bb_window_get_editor (f->window);
  g_assert_nonnull (editor);
  g_assert_cmpstr (bb_editor_get_kind (editor), ==, kind);
  g_assert_cmpstr (bb_window_get_detail_page (f->window), ==, "editor");

  for (guint i = 0; values[i] != NULL; i += 2)
    set_field (editor, values[i], values[i + 1]);

  activate (f, "win.save", NULL);
  wait_for (editor_is_closed, f->window);
  if (bb_window_get_editor (f->window) != NULL)
    g_error ("The %s was not saved: %s", kind,
             bb_editor_get_summary (bb_window_get_editor (f->window)));

  g_assert_cmpstr (bb_window_get_last_toast (f->window), ==, "Saved offline");
  g_assert_cmpstr (bb_window_get_detail_page (f->window), ==, "view");
  shown = bb_record_view_get_record (bb_window_get_record_view (f->window));
  g_assert_nonnull (shown);
  g_assert_cmpstr (bb_record_get_kind (shown), ==, kind);
  return g_strdup (bb_record_get_id (shown));
}

static guint
list_n_items (Fixture *f)
{
  return g_list_model_get_n_items (G_LIST_MODEL (bb_window_get_model (f->window)));
}

static gboolean
list_contains (Fixture    *f,
               const char *id)
{
  return bb_record_list_model_find (bb_window_get_model (f->window), id, 1000) != G_MAXUINT;
}

static void
search_for (Fixture    *f,
            const char *words)
{
  GtkWidget *entry = bb_window_get_search_entry (f->window);

  activate (f, "win.search", NULL);
  g_assert_true (gtk_widget_has_focus (entry) || gtk_widget_is_focus (entry) ||
                 gtk_widget_get_focus_child (entry) != NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), words);
  /* The entry waits for a pause in typing before it searches. */
  wait_ms (400);
}

static void
collect_type (GtkWidget *widget,
              GType      type,
              GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_type (child, type, found);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }

  return NULL;
}

/* Tests */

static void
test_first_run_then_home (Fixture       *f,
                          gconstpointer  data)
{
  BbFirstRun *first_run;
  GtkWidget *name_row, *role_row, *number_row, *start;
  BbSession *session;

  fixture_open_window (f, 1366, 768);
  g_assert_cmpstr (bb_window_get_page (f->window), ==, "first-run");

  first_run = bb_window_get_first_run (f->window);
  name_row = bb_first_run_get_name_row (first_run);
  role_row = bb_first_run_get_role_row (first_run);
  number_row = bb_first_run_get_number_row (first_run);
  start = bb_first_run_get_start_button (first_run);

  /* Nothing typed: nothing to start with. */
  g_assert_false (gtk_widget_get_sensitive (start));

  gtk_editable_set_text (GTK_EDITABLE (name_row), "PCSO 4521");
  adw_combo_row_set_selected (ADW_COMBO_ROW (role_row), 0);
  g_assert_cmpint (bb_first_run_role_at (0), ==, BB_ROLE_OFFICER);
  /* An officer is identified by a force number: still not enough. */
  g_assert_false (gtk_widget_get_sensitive (start));

  gtk_editable_set_text (GTK_EDITABLE (number_row), "  4521 ");
  g_assert_true (gtk_widget_get_sensitive (start));
  g_signal_emit_by_name (start, "clicked");
  iterate ();

  g_assert_null (bb_first_run_get_message (first_run));
  g_assert_cmpstr (bb_window_get_page (f->window), ==, "home");

  session = bb_application_get_session (f->app);
  g_assert_true (bb_session_has_identity (session));
  g_assert_cmpstr (bb_session_get_display_name (session), ==, "PCSO 4521");
  g_assert_cmpstr (bb_session_get_staff_number (session), ==, "4521");
  g_assert_cmpint (bb_session_get_role (session), ==, BB_ROLE_OFFICER);

  /* An empty list says what to do. */
  g_assert_cmpstr (bb_window_get_list_page (f->window), ==, "empty");
  g_assert_cmpstr (bb_window_get_empty_title (f->window), ==, "No Records Yet");
  g_assert_nonnull (strstr (bb_window_get_state_line (f->window), "Not synced yet"));

  /* The identity is kept: the next start goes straight home. */
  fixture_close_window (f);
  fixture_open_window (f, 1366, 768);
  g_assert_cmpstr (bb_window_get_page (f->window), ==, "home");
}

/* At 360x640 the form fills the screen: Start, and a message when there
 * is one, stay inside the window without scrolling. */
static void
test_first_run_start_in_sight_when_narrow (Fixture       *f,
                                           gconstpointer  data)
{
  BbFirstRun *first_run;
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  GtkWidget *start, *message;
  GtkWidget *window;
  graphene_rect_t bounds;
  int height;

  fixture_open_window (f, 360, 640);
  g_assert_cmpstr (bb_window_get_page (f->window), ==, "first-run");
  window = GTK_WIDGET (f->window);
  first_run = bb_window_get_first_run (f->window);
  start = bb_first_run_get_start_button (first_run);
  height = gtk_widget_get_height (window);
  g_assert_cmpint (height, >, 0);
  g_assert_cmpint (height, <=, 640);

  g_assert_true (gtk_widget_get_mapped (start));
  g_assert_true (gtk_widget_compute_bounds (start, window, &bounds));
  g_test_message ("Start at y %.0f, %.0f high, in a window %d high",
                  bounds.origin.y, bounds.size.height, height);
  g_assert_cmpfloat (bounds.origin.y, >=, 0);
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, height);

  /* A refusal (here: no store to save to) is shown beside Start. */
  bb_first_run_set_session (first_run, NULL);
  gtk_editable_set_text (GTK_EDITABLE (bb_first_run_get_name_row (first_run)), "PCSO 4521");
  gtk_editable_set_text (GTK_EDITABLE (bb_first_run_get_number_row (first_run)), "4521");
  g_signal_emit_by_name (start, "clicked");
  wait_ms (150);
  g_assert_nonnull (bb_first_run_get_message (first_run));
  collect_type (GTK_WIDGET (first_run), GTK_TYPE_LABEL, labels);
  message = NULL;
  for (guint i = 0; i < labels->len; i++)
    if (g_strcmp0 (gtk_label_get_text (g_ptr_array_index (labels, i)),
                   bb_first_run_get_message (first_run)) == 0)
      message = g_ptr_array_index (labels, i);
  g_assert_nonnull (message);
  g_assert_true (gtk_widget_get_mapped (message));
  g_assert_true (gtk_widget_compute_bounds (message, window, &bounds));
  g_assert_cmpfloat (bounds.origin.y, >=, 0);
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, height);
}

static void
test_first_run_role_picker_describes_roles (void)
{
  g_autofree char *councillor = NULL;
  g_autofree char *officer = NULL;

  g_assert_cmpuint (bb_first_run_n_roles (), ==, 4);
  g_assert_cmpint (bb_first_run_role_at (4), ==, BB_ROLE_NONE);

  councillor = bb_first_run_describe_role (BB_ROLE_COUNCILLOR);
  officer = bb_first_run_describe_role (BB_ROLE_OFFICER);
  g_assert_nonnull (strstr (officer, "Section 59 warnings"));
  g_assert_null (strstr (councillor, "Section 59 warnings"));
  g_assert_nonnull (strstr (councillor, "VAWG walks"));
}

static void
test_create_each_kind_and_find_it (Fixture       *f,
                                   gconstpointer  data)
{
  static const struct {
    const char         *kind;
    const char * const *values;
    const char         *search;
    const char         *shown;
  } cases[] = {
    { BB_KIND_PATROL_OBSERVATION, patrol_values, "Crossways", "Cars revving in convoy" },
    { BB_KIND_S59_WARNING, s59_values, "AB12", "AB12 CDE" },
    { BB_KIND_VAWG_WALK, vawg_values, "Lowfield", "Westgate car park" },
    { BB_KIND_ENGAGEMENT_EVENT, engagement_values, "Heath fire", "Heath fire safety day" },
  };
  g_autofree char *ids[G_N_ELEMENTS (cases)] = { NULL };

  given_identity (f, "PCSO 4521", BB_ROLE_OFFICER);
  fixture_open_window (f, 1366, 768);
  g_assert_cmpstr (bb_window_get_page (f->window), ==, "home");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *view_text = NULL;
      g_autofree char *waiting = g_strdup_printf (i == 0 ? "%u change waiting" : "%u changes waiting", i + 1);
      GtkSelectionModel *selection;

      ids[i] = create_record (f, cases[i].kind, cases[i].values);

      /* In the list and selected there; shown in full beside it. */
      g_assert_cmpuint (list_n_items (f), ==, i + 1);
      g_assert_cmpstr (bb_window_get_list_page (f->window), ==, "list");
      selection = bb_window_get_selection (f->window);
      g_assert_cmpstr (bb_record_get_id (gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (selection))),
                       ==, ids[i]);
      view_text = bb_record_view_dup_text (bb_window_get_record_view (f->window));
      if (strstr (view_text, cases[i].shown) == NULL)
        g_error ("The record view of the %s does not show “%s”:\n%s", cases[i].kind, cases[i].shown, view_text);
      g_assert_nonnull (strstr (view_text, bb_sync_state_get_label (BB_SYNC_STATE_PENDING)));

      /* The header says what is waiting to go. */
      g_assert_nonnull (strstr (bb_window_get_state_line (f->window), waiting));
    }

  /* Each is found by a word typed into search, as you type. */
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      search_for (f, cases[i].search);
      g_assert_cmpuint (list_n_items (f), >=, 1);
      g_assert_true (list_contains (f, ids[i]));
      for (guint j = 0; j < G_N_ELEMENTS (cases); j++)
        if (j != i)
          g_assert_false (list_contains (f, ids[j]));
    }

  search_for (f, "nowordlikethis");
  g_assert_cmpuint (list_n_items (f), ==, 0);
  g_assert_cmpstr (bb_window_get_list_page (f->window), ==, "empty");
  g_assert_cmpstr (bb_window_get_empty_title (f->window), ==, "No Results for “nowordlikethis”");

  search_for (f, "");
  g_assert_cmpuint (list_n_items (f), ==, G_N_ELEMENTS (cases));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_free (g_steal_pointer (&ids[i]));
}

static void
test_kind_filter_changes_the_list (Fixture       *f,
                                   gconstpointer  data)
{
  GtkDropDown *dropdown;
  g_autofree char *patrol = NULL;
  g_autofree char *walk = NULL;
  g_autofree char *second_walk = NULL;

  given_identity (f, "Community warden 12", BB_ROLE_WARDEN);
  fixture_open_window (f, 1366, 768);

  patrol = create_record (f, BB_KIND_PATROL_OBSERVATION, patrol_values);
  walk = create_record (f, BB_KIND_VAWG_WALK, vawg_values);
  second_walk = create_record (f, BB_KIND_VAWG_WALK, vawg_values);
  g_assert_cmpuint (list_n_items (f), ==, 3);

  dropdown = GTK_DROP_DOWN (bb_window_get_kind_dropdown (f->window));
  /* 0 is "All records", then the kinds in bb_kind_all() order. */
  gtk_drop_down_set_selected (dropdown, 3);
  iterate ();
  g_assert_cmpstr (bb_record_list_model_get_kind (bb_window_get_model (f->window)), ==, BB_KIND_VAWG_WALK);
  g_assert_cmpuint (list_n_items (f), ==, 2);
  g_assert_true (list_contains (f, walk));
  g_assert_false (list_contains (f, patrol));

  gtk_drop_down_set_selected (dropdown, 2);
  iterate ();
  g_assert_cmpuint (list_n_items (f), ==, 0);
  g_assert_cmpstr (bb_window_get_empty_title (f->window), ==, "No Section 59 Warnings Yet");

  gtk_drop_down_set_selected (dropdown, 1);
  iterate ();
  g_assert_cmpuint (list_n_items (f), ==, 1);
  g_assert_true (list_contains (f, patrol));

  gtk_drop_down_set_selected (dropdown, 0);
  iterate ();
  g_assert_cmpuint (list_n_items (f), ==, 3);

  /* The filter is remembered for the next start. */
  gtk_drop_down_set_selected (dropdown, 3);
  iterate ();
  fixture_close_window (f);
  fixture_open_window (f, 1366, 768);
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (bb_window_get_kind_dropdown (f->window))), ==, 3);
  g_assert_cmpuint (list_n_items (f), ==, 2);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (bb_window_get_kind_dropdown (f->window)), 0);
}

static void
test_delete_asks_then_undo_restores (Fixture       *f,
                                     gconstpointer  data)
{
  g_autofree char *id = NULL;
  g_autoptr(BbRecord) stored = NULL;
  AdwMessageDialog *dialog;
  gint64 rev_deleted;

  given_identity (f, "PCSO 4521", BB_ROLE_OFFICER);
  fixture_open_window (f, 1366, 768);
  id = create_record (f, BB_KIND_PATROL_OBSERVATION, patrol_values);

  g_assert_true (bb_window_show_record (f->window, id));

  /* Cancel first: nothing happens. */
  activate (f, "win.delete", NULL);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  iterate ();
  g_assert_true (list_contains (f, id));

  activate (f, "win.delete", NULL);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "undo"));
  adw_message_dialog_response (dialog, "delete");
  gtk_window_destroy (GTK_WINDOW (dialog));
  iterate ();

  g_assert_false (list_contains (f, id));
  g_assert_cmpuint (list_n_items (f), ==, 0);
  g_assert_cmpstr (bb_window_get_last_toast (f->window), ==, "Record deleted");
  g_assert_cmpstr (bb_window_get_detail_page (f->window), ==, "empty");
  /* A tombstone, so the deletion syncs. */
  stored = bb_store_get_record (fixture_store (f), id, NULL);
  g_assert_nonnull (stored);
  g_assert_true (bb_record_get_deleted (stored));
  rev_deleted = bb_record_get_rev (stored);
  g_clear_object (&stored);

  activate (f, "win.undo", NULL);
  g_assert_true (list_contains (f, id));
  g_assert_cmpstr (bb_window_get_last_toast (f->window), ==, "Record restored");
  stored = bb_store_get_record (fixture_store (f), id, NULL);
  g_assert_false (bb_record_get_deleted (stored));
  /* Restored as a new revision, not by rewriting history. */
  g_assert_cmpint (bb_record_get_rev (stored), >, rev_deleted);
  g_assert_cmpstr (bb_record_get_field_string (stored, "place"), ==, "Crossways Boulevard");

  /* Undo is spent: a second one changes nothing. */
  gtk_widget_activate_action_variant (GTK_WIDGET (f->window), "win.undo", NULL);
  iterate ();
  g_assert_true (list_contains (f, id));
  g_clear_object (&stored);
  stored = bb_store_get_record (fixture_store (f), id, NULL);
  g_assert_false (bb_record_get_deleted (stored));
}

static void
test_undo_a_new_record_and_an_edit (Fixture       *f,
                                    gconstpointer  data)
{
  g_autofree char *id = NULL;
  g_autofree char *second = NULL;
  g_autoptr(BbRecord) stored = NULL;
  BbEditor *editor;

  given_identity (f, "PCSO 4521", BB_ROLE_OFFICER);
  fixture_open_window (f, 1366, 768);

  /* Undo after a new save removes it. */
  id = create_record (f, BB_KIND_VAWG_WALK, vawg_values);
  g_assert_cmpuint (list_n_items (f), ==, 1);
  activate (f, "win.undo", NULL);
  g_assert_cmpuint (list_n_items (f), ==, 0);
  g_assert_cmpstr (bb_window_get_last_toast (f->window), ==, "Record removed");

  /* Undo after an edit puts the earlier content back. */
  second = create_record (f, BB_KIND_VAWG_WALK, vawg_values);
  g_assert_true (bb_window_show_record (f->window, second));
  activate (f, "win.edit", NULL);
  wait_for (editor_is_open, f->window);
  editor = bb_window_get_editor (f->window);
  g_assert_nonnull (editor);
  g_assert_cmpstr (bb_record_get_id (bb_editor_get_record (editor)), ==, second);
  set_field (editor, "place", "Central Park");
  activate (f, "win.save", NULL);
  wait_for (editor_is_closed, f->window);
  g_assert_null (bb_window_get_editor (f->window));

  stored = bb_store_get_record (fixture_store (f), second, NULL);
  g_assert_cmpstr (bb_record_get_field_string (stored, "place"), ==, "Central Park");
  g_clear_object (&stored);

  activate (f, "win.undo", NULL);
  stored = bb_store_get_record (fixture_store (f), second, NULL);
  g_assert_cmpstr (bb_record_get_field_string (stored, "place"), ==, "Westgate car park");
  g_assert_cmpint (bb_record_get_rev (stored), ==, 3);
  g_assert_cmpstr (bb_window_get_last_toast (f->window), ==, "Changes undone");
}

static void
test_escape_keeps_the_draft_and_it_is_offered (Fixture       *f,
                                               gconstpointer  data)
{
  BbEditor *editor;
  g_autofree char *draft_id = NULL;
  g_autoptr(GPtrArray) drafts = NULL;

  given_identity (f, "PCSO 4521", BB_ROLE_OFFICER);
  fixture_open_window (f, 1366, 768);
  g_assert_cmpuint (bb_window_get_n_drafts (f->window), ==, 0);

  activate (f, "win.new", g_variant_new_string (BB_KIND_PATROL_OBSERVATION));
  editor = bb_window_get_editor (f->window);
  g_assert_nonnull (editor);
  set_field (editor, "place", "Joyce Green Lane");
  set_field (editor, "description", "Fly-tipped mattresses by the gate");
  g_assert_true (bb_editor_get_modified (editor));
  draft_id = g_strdup (bb_editor_get_draft_id (editor));

  /* Escape: leave, keeping what was typed. */
  activate (f, "win.close-editor", NULL);
  g_assert_null (bb_window_get_editor (f->window));
  g_assert_nonnull (strstr (bb_window_get_last_toast (f->window), "Draft kept"));
  g_assert_cmpuint (bb_window_get_n_drafts (f->window), ==, 1);

  /* Offered again on the next start. */
  fixture_close_window (f);
  fixture_open_window (f, 1366, 768);
  g_assert_cmpuint (bb_window_get_n_drafts (f->window), ==, 1);

  /* Restore brings the typing back in the real editor. */
  activate (f, "win.restore-draft", g_variant_new_string (draft_id));
  editor = bb_window_get_editor (f->window);
  g_assert_nonnull (editor);
  g_assert_cmpstr (bb_editor_get_draft_id (editor), ==, draft_id);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (bb_editor_get_field_widget (editor, "place"))), ==,
                   "Joyce Green Lane");
  /* The open draft is not offered twice. */
  g_assert_cmpuint (bb_window_get_n_drafts (f->window), ==, 0);

  activate (f, "win.close-editor", NULL);
  g_assert_cmpuint (bb_window_get_n_drafts (f->window), ==, 1);

  /* Discard is explicit, and can be undone. */
  activate (f, "win.discard-draft", g_variant_new_string (draft_id));
  g_assert_cmpuint (bb_window_get_n_drafts (f->window), ==, 0);
  drafts = bb_store_list_drafts (fixture_store (f), NULL);
  g_assert_cmpuint (drafts->len, ==, 0);
  g_clear_pointer (&drafts, g_ptr_array_unref);

  activate (f, "win.undo", NULL);
  g_assert_cmpuint (bb_window_get_n_drafts (f->window), ==, 1);
  drafts = bb_store_list_drafts (fixture_store (f), NULL);
  g_assert_cmpuint (drafts->len, ==, 1);
  g_assert_cmpstr (((BbDraft *) g_ptr_array_index (drafts, 0))->id, ==, draft_id);
}

static void
test_role_limits_what_can_be_created (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GPtrArray) kinds = NULL;

  given_identity (f, "Ward councillor", BB_ROLE_COUNCILLOR);
  fixture_open_window (f, 1366, 768);

  kinds = bb_window_dup_creatable_kinds (f->window);
  g_assert_cmpuint (kinds->len, ==, 2);
  for (guint i = 0; i < kinds->len; i++)
    {
      const BbKindSpec *kind = g_ptr_array_index (kinds, i);

      g_assert_true (bb_kind_can_create (kind, BB_ROLE_COUNCILLOR));
    }

  activate (f, "win.new", g_variant_new_string (BB_KIND_S59_WARNING));
  g_assert_null (bb_window_get_editor (f->window));
  g_assert_nonnull (strstr (bb_window_get_last_toast (f->window), "cannot create"));

  /* Ctrl+N opens a kind the role may create. */
  activate (f, "win.new-default", NULL);
  g_assert_nonnull (bb_window_get_editor (f->window));
  g_assert_true (bb_kind_can_create (bb_kind_lookup (bb_editor_get_kind (bb_window_get_editor (f->window))),
                                     BB_ROLE_COUNCILLOR));
  bb_editor_close (bb_window_get_editor (f->window), TRUE);
  iterate ();
  g_assert_null (bb_window_get_editor (f->window));
}

static void
test_most_used_kind_comes_first (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GPtrArray) kinds = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  given_identity (f, "PCSO 4521", BB_ROLE_OFFICER);
  fixture_open_window (f, 1366, 768);

  kinds = bb_window_dup_creatable_kinds (f->window);
  g_assert_cmpuint (kinds->len, ==, 4);
  /* With nothing logged, the table's order: patrol observations first. */
  g_assert_cmpstr (((const BbKindSpec *) g_ptr_array_index (kinds, 0))->id, ==, BB_KIND_PATROL_OBSERVATION);
  g_clear_pointer (&kinds, g_ptr_array_unref);

  a = create_record (f, BB_KIND_ENGAGEMENT_EVENT, engagement_values);
  b = create_record (f, BB_KIND_ENGAGEMENT_EVENT, engagement_values);
  kinds = bb_window_dup_creatable_kinds (f->window);
  g_assert_cmpstr (((const BbKindSpec *) g_ptr_array_index (kinds, 0))->id, ==, BB_KIND_ENGAGEMENT_EVENT);

  activate (f, "win.new-default", NULL);
  g_assert_cmpstr (bb_editor_get_kind (bb_window_get_editor (f->window)), ==, BB_KIND_ENGAGEMENT_EVENT);
  activate (f, "win.close-editor", NULL);
}

static void
test_repeat_last_prefills_from_the_newest (Fixture       *f,
                                           gconstpointer  data)
{
  g_autofree char *id = NULL;
  BbEditor *editor;
  GtkWidget *ward;

  given_identity (f, "PCSO 4521", BB_ROLE_OFFICER);
  fixture_open_window (f, 1366, 768);

  activate (f, "win.repeat-last", NULL);
  g_assert_null (bb_window_get_editor (f->window));
  g_assert_nonnull (strstr (bb_window_get_last_toast (f->window), "Nothing to repeat"));

  id = create_record (f, BB_KIND_PATROL_OBSERVATION, patrol_values);
  activate (f, "win.repeat-last", NULL);
  editor = bb_window_get_editor (f->window);
  g_assert_nonnull (editor);
  g_assert_cmpstr (bb_editor_get_kind (editor), ==, BB_KIND_PATROL_OBSERVATION);
  /* A new record, not an edit of the last one. */
  g_assert_null (bb_editor_get_record (editor));
  ward = bb_editor_get_field_widget (editor, "ward");
  g_assert_cmpstr (bb_choice_row_get_selected_id (BB_CHOICE_ROW (ward)), ==, "greenhithe_knockhall");
  activate (f, "win.close-editor", NULL);
}

static void
test_corrupt_database_shows_the_file (Fixture       *f,
                                      gconstpointer  data)
{
  g_autofree char *user_dir = g_build_filename (f->dir, "users", "local", NULL);
  g_autofree char *db = g_build_filename (user_dir, "beatbook.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *kept = NULL;
  AdwStatusPage *page;
  g_autoptr(GPtrArray) pages = g_ptr_array_new ();
  gboolean named = FALSE;

  g_assert_cmpint (g_mkdir_with_parents (user_dir, 0700), ==, 0);
  g_file_set_contents (db, "This is not a database, it is a shopping list.\n", -1, &error);
  g_assert_no_error (error);

  g_test_expect_message ("beatbook-app", G_LOG_LEVEL_WARNING, "Could not open the data in *");
  fixture_open_window (f, 1366, 768);
  g_test_assert_expected_messages ();
  g_assert_null (bb_application_get_session (f->app));
  g_assert_nonnull (bb_application_get_session_error (f->app));
  g_assert_cmpstr (bb_window_get_page (f->window), ==, "error");

  collect_type (GTK_WIDGET (f->window), ADW_TYPE_STATUS_PAGE, pages);
  for (guint i = 0; i < pages->len; i++)
    {
      page = g_ptr_array_index (pages, i);
      if (adw_status_page_get_description (page) != NULL &&
          strstr (adw_status_page_get_description (page), f->dir) != NULL)
        named = TRUE;
    }
  g_assert_true (named);

  /* Nothing was overwritten. */
  g_file_get_contents (db, &kept, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kept, ==, "This is not a database, it is a shopping list.\n");

  /* Nothing to do there but read and quit: no action that needs the store. */
  gtk_widget_activate_action_variant (GTK_WIDGET (f->window), "win.new-default", NULL);
  iterate ();
  g_assert_null (bb_window_get_editor (f->window));
  g_assert_cmpstr (bb_window_get_page (f->window), ==, "error");
}

static AdwLeaflet *
find_leaflet (BbWindow *window)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_type (GTK_WIDGET (window), ADW_TYPE_LEAFLET, found);
  g_assert_cmpuint (found->len, ==, 1);
  return g_ptr_array_index (found, 0);
}

static void
test_narrow_one_pane_at_a_time (Fixture       *f,
                                gconstpointer  data)
{
  AdwLeaflet *leaflet;
  g_autofree char *id = NULL;
  GtkWidget *visible;

  given_identity (f, "PCSO 4521", BB_ROLE_OFFICER);
  fixture_open_window (f, 360, 640);
  leaflet = find_leaflet (f->window);
  g_assert_true (adw_leaflet_get_folded (leaflet));

  activate (f, "win.new", g_variant_new_string (BB_KIND_VAWG_WALK));
  visible = adw_leaflet_get_visible_child (leaflet);
  /* The editor is the one pane shown. */
  g_assert_true (gtk_widget_is_ancestor (GTK_WIDGET (bb_window_get_editor (f->window)), visible));

  id = create_record (f, BB_KIND_VAWG_WALK, vawg_values);
  /* Saved: back to the list (ux.md "the editor closes to the list"). */
  visible = adw_leaflet_get_visible_child (leaflet);
  g_assert_true (gtk_widget_is_ancestor (bb_window_get_list_view (f->window), visible));

  g_assert_true (bb_window_show_record (f->window, id));
  visible = adw_leaflet_get_visible_child (leaflet);
  g_assert_true (gtk_widget_is_ancestor (GTK_WIDGET (bb_window_get_record_view (f->window)), visible));

  activate (f, "win.back", NULL);
  visible = adw_leaflet_get_visible_child (leaflet);
  g_assert_true (gtk_widget_is_ancestor (bb_window_get_list_view (f->window), visible));

  /* Side by side when there is room. */
  fixture_close_window (f);
  fixture_open_window (f, 1366, 768);
  g_assert_false (adw_leaflet_get_folded (find_leaflet (f->window)));
}

static void
test_rows_show_states_in_words (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autofree char *text = NULL;

  given_identity (f, "PCSO 4521", BB_ROLE_OFFICER);
  fixture_open_window (f, 1366, 768);
  id = create_record (f, BB_KIND_S59_WARNING, s59_values);
  wait_ms (100);

  collect_type (bb_window_get_list_view (f->window), BB_TYPE_RECORD_ROW, rows);
  g_assert_cmpuint (rows->len, >=, 1);
  for (guint i = 0; i < rows->len && text == NULL; i++)
    {
      BbRecord *record = bb_record_row_get_record (g_ptr_array_index (rows, i));

      if (record != NULL && g_strcmp0 (bb_record_get_id (record), id) == 0)
        text = bb_record_row_dup_text (g_ptr_array_index (rows, i));
    }
  g_assert_nonnull (text);
  /* Title, ward and place; a fresh record awaiting review and waiting to
   * sync is the common case, which the row leaves unsaid. */
  g_assert_nonnull (strstr (text, "AB12 CDE"));
  g_assert_nonnull (strstr (text, "Joyden's Wood"));
  g_assert_nonnull (strstr (text, "Joyce Green Lane"));
  g_assert_null (strstr (text, "Awaiting review"));
  g_assert_null (strstr (text, bb_sync_state_get_label (BB_SYNC_STATE_PENDING)));

  /* What needs attention shows in words: returned, refused. */
  {
    g_autoptr(BbRecord) record = bb_store_get_record (fixture_store (f), id, NULL);
    g_autoptr(JsonArray) comments = json_array_new ();
    g_autoptr(JsonObject) comment = json_object_new ();
    GtkWidget *row = g_object_ref_sink (bb_record_row_new ());
    g_autofree char *returned = NULL;

    json_object_set_string_member (comment, "text", "Add the crime reference");
    json_array_add_object_element (comments, json_object_ref (comment));
    bb_record_set_review_comments (record, comments);
    bb_record_set_review_state (record, "returned");
    bb_record_set_sync_state (record, BB_SYNC_STATE_REJECTED);
    bb_record_set_sync_message (record, "ward: not a known choice");
    bb_record_row_set_record (BB_RECORD_ROW (row), record, bb_session_get_profile (bb_application_get_session (f->app)));
    returned = bb_record_row_dup_text (BB_RECORD_ROW (row));
    g_assert_nonnull (strstr (returned, "Returned: Add the crime reference"));
    g_assert_nonnull (strstr (returned, "Refused: ward: not a known choice"));
    g_object_unref (row);
  }
}

/* ux.md: a shift's records at a glance. Rows carry two lines (title;
 * ward, place and time) unless a state needs attention, so at 1366x768 at
 * least ten rows are on screen whole. */
static void
test_ten_rows_fit_at_768 (Fixture       *f,
                          gconstpointer  data)
{
  BbSession *session;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  GtkWidget *list;
  GtkWidget *scroller;
  guint whole = 0;
  int height;

  given_identity (f, "PCSO 4521", BB_ROLE_OFFICER);
  fixture_open_window (f, 1366, 768);
  session = bb_application_get_session (f->app);
  for (guint i = 0; i < 16; i++)
    {
      g_autoptr(BbRecord) record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
      g_autoptr(JsonObject) fields = json_object_new ();
      g_autofree char *when = g_strdup_printf ("2026-11-28T%02u:10:00Z", i);
      g_autoptr(GError) error = NULL;

      json_object_set_string_member (fields, "category", "street_drinking");
      json_object_set_string_member (fields, "ward", "greenhithe_knockhall");
      json_object_set_string_member (fields, "place", "Crossways Boulevard");
      json_object_set_string_member (fields, "description", "Group with cans on the benches");
      bb_record_set_fields (record, fields);
      bb_record_set_occurred_at (record, when);
      g_assert_true (bb_session_save_record (session, record, NULL, &error));
      g_assert_no_error (error);
    }
  bb_window_reload (f->window);
  wait_ms (300);

  list = bb_window_get_list_view (f->window);
  scroller = gtk_widget_get_ancestor (list, GTK_TYPE_SCROLLED_WINDOW);
  height = gtk_widget_get_height (scroller);
  g_assert_cmpint (height, >, 0);
  collect_type (list, BB_TYPE_RECORD_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);
      graphene_rect_t bounds;

      if (!gtk_widget_get_mapped (row) || bb_record_row_get_record (BB_RECORD_ROW (row)) == NULL ||
          !gtk_widget_compute_bounds (row, scroller, &bounds))
        continue;
      if (bounds.origin.y >= 0 && bounds.origin.y + bounds.size.height <= height)
        whole++;
    }
  g_test_message ("%u rows on screen whole in a list %d px high", whole, height);
  g_assert_cmpuint (whole, >=, 10);
}

static void
test_shortcuts_and_about (Fixture       *f,
                          gconstpointer  data)
{
  GtkShortcutsWindow *overlay;
  g_autoptr(GPtrArray) shortcuts = g_ptr_array_new ();
  GListModel *toplevels;
  AdwAboutWindow *about = NULL;
  gboolean saw_new = FALSE, saw_save = FALSE, saw_search = FALSE;

  given_identity (f, "PCSO 4521", BB_ROLE_OFFICER);
  fixture_open_window (f, 1366, 768);

  /* The shortcuts window comes from gtk/help-overlay.ui in the resources. */
  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (f->window));
  g_assert_nonnull (overlay);
  collect_type (GTK_WIDGET (overlay), GTK_TYPE_SHORTCUTS_SHORTCUT, shortcuts);
  for (guint i = 0; i < shortcuts->len; i++)
    {
      g_autofree char *accel = NULL;

      g_object_get (g_ptr_array_index (shortcuts, i), "accelerator", &accel, NULL);
      saw_new |= g_strcmp0 (accel, "<Control>n") == 0;
      saw_save |= g_strcmp0 (accel, "<Control>s") == 0;
      saw_search |= g_strcmp0 (accel, "<Control>f") == 0;
    }
  g_assert_true (saw_new && saw_save && saw_search);

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "about", NULL);
  iterate ();
  toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_ABOUT_WINDOW (window))
        about = ADW_ABOUT_WINDOW (window);
    }
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_version (about), ==, PACKAGE_VERSION);
  g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
  g_assert_cmpstr (adw_about_window_get_developer_name (about), ==, "The Beatbook project");
  gtk_window_destroy (GTK_WINDOW (about));
}

/* The pure functions behind the words on screen */

static void
test_format_state_line (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 28, 21, 30, 0);
  g_autofree char *never = bb_format_state_line (0, NULL, now);
  g_autofree char *one = bb_format_state_line (1, "not a time", now);
  g_autofree char *today = bb_format_state_line (3, "2026-11-28T20:05:00Z", now);
  g_autofree char *earlier = bb_format_state_line (0, "2026-11-20T09:00:00Z", now);
  g_autofree char *summer = bb_format_state_line (0, "2026-07-01T12:00:00Z", now);

  g_assert_cmpstr (never, ==, "Nothing waiting to send · Not synced yet");
  g_assert_cmpstr (one, ==, "1 change waiting · Not synced yet");
  g_assert_cmpstr (today, ==, "3 changes waiting · Last synced 20:05");
  g_assert_cmpstr (earlier, ==, "Nothing waiting to send · Last synced 20 Nov, 09:00");
  /* Shown in London time: BST in July. */
  g_assert_cmpstr (summer, ==, "Nothing waiting to send · Last synced 1 Jul, 13:00");
}

static void
test_format_times_and_states (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 28, 21, 30, 0);
  g_autofree char *today = bb_format_time_short ("2026-11-28T00:30:00Z", now);
  g_autofree char *this_year = bb_format_time_short ("2026-03-29T01:30:00Z", now);
  g_autofree char *last_year = bb_format_time_short ("2025-12-31T23:59:00Z", now);
  g_autofree char *bad = bb_format_time_short ("yesterday", now);

  g_assert_cmpstr (today, ==, "Today, 00:30");
  /* The first hour of BST. */
  g_assert_cmpstr (this_year, ==, "29 Mar, 02:30");
  g_assert_cmpstr (last_year, ==, "31 Dec 2025, 23:59");
  g_assert_cmpstr (bad, ==, "yesterday");

  g_assert_cmpstr (bb_review_state_get_label ("returned"), ==, "Returned for more information");
  g_assert_cmpstr (bb_review_state_get_label (NULL), ==, "Awaiting review");
  g_assert_cmpstr (bb_review_state_get_label ("nonsense"), ==, "Awaiting review");
  /* Every state has its own icon, so it never rests on colour. */
  g_assert_cmpstr (bb_sync_state_get_icon (BB_SYNC_STATE_PENDING), !=, bb_sync_state_get_icon (BB_SYNC_STATE_SYNCED));
  g_assert_cmpstr (bb_sync_state_get_icon (BB_SYNC_STATE_REJECTED), !=, bb_sync_state_get_icon (BB_SYNC_STATE_CONFLICT));
  g_assert_cmpstr (bb_review_state_get_icon ("reviewed"), !=, bb_review_state_get_icon ("closed"));

  /* A returned record says what the supervisor asked for; a refused change
   * says why, right in the list. */
  {
    g_autoptr(BbRecord) record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
    g_autoptr(JsonArray) comments = json_array_new ();
    g_autoptr(JsonObject) first = json_object_new ();
    g_autoptr(JsonObject) latest = json_object_new ();
    g_autofree char *plain = bb_format_review_line (record);
    g_autofree char *returned = NULL;
    g_autofree char *pending = bb_format_sync_line (record);
    g_autofree char *refused = NULL;

    json_object_set_string_member (first, "text", "Looks fine");
    json_object_set_string_member (latest, "text", "Add the crime reference");
    json_array_add_object_element (comments, json_object_ref (first));
    json_array_add_object_element (comments, json_object_ref (latest));
    bb_record_set_review_comments (record, comments);
    bb_record_set_review_state (record, "returned");
    returned = bb_format_review_line (record);
    bb_record_set_sync_state (record, BB_SYNC_STATE_REJECTED);
    bb_record_set_sync_message (record, "ward: “atlantis” is not a known choice for Ward.");
    refused = bb_format_sync_line (record);

    g_assert_cmpstr (plain, ==, "Awaiting review");
    g_assert_cmpstr (returned, ==, "Returned: Add the crime reference");
    g_assert_cmpstr (pending, ==, "Waiting to sync");
    g_assert_cmpstr (refused, ==, "Refused: ward: “atlantis” is not a known choice for Ward.");
  }
}

static void
test_format_row_states_only_when_they_need_attention (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 28, 21, 30, 0);
  g_autoptr(BbRecord) record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
  g_autofree char *fresh_review = NULL;
  g_autofree char *fresh_sync = NULL;
  g_autofree char *old_sync = NULL;
  g_autofree char *conflict = NULL;
  g_autofree char *synced = NULL;
  g_autofree char *reviewed = NULL;

  bb_record_set_updated_at (record, "2026-11-28T12:00:00Z");
  fresh_review = bb_format_row_review_line (record);
  fresh_sync = bb_format_row_sync_line (record, now);
  g_assert_null (fresh_review);
  g_assert_null (fresh_sync);

  /* Saved a day and more ago and still on the device only. */
  bb_record_set_updated_at (record, "2026-11-27T21:00:00Z");
  old_sync = bb_format_row_sync_line (record, now);
  g_assert_cmpstr (old_sync, ==, "Not synced since 27 Nov, 21:00");

  bb_record_set_sync_state (record, BB_SYNC_STATE_SYNCED);
  synced = bb_format_row_sync_line (record, now);
  g_assert_null (synced);
  bb_record_set_sync_state (record, BB_SYNC_STATE_CONFLICT);
  conflict = bb_format_row_sync_line (record, now);
  g_assert_cmpstr (conflict, ==, bb_sync_state_get_label (BB_SYNC_STATE_CONFLICT));

  bb_record_set_review_state (record, "reviewed");
  reviewed = bb_format_row_review_line (record);
  g_assert_null (reviewed);
}

static void
test_format_highlight_marks_word_beginnings (void)
{
  g_autofree char *one = bb_format_highlight ("Town · Market Place · Today", "market");
  g_autofree char *two = bb_format_highlight ("Joyden's Wood · Joyce Green Lane", "joy gre");
  g_autofree char *inside = bb_format_highlight ("Supermarket car park", "market");
  g_autofree char *escaped = bb_format_highlight ("Fish & chips <shop>", "fish");
  g_autofree char *none = bb_format_highlight ("A & B", NULL);
  g_autofree char *accent = bb_format_highlight ("Café quarter", "cafe");

  g_assert_cmpstr (one, ==, "Town · <b>Market</b> Place · Today");
  g_assert_cmpstr (two, ==, "<b>Joy</b>den&apos;s Wood · <b>Joy</b>ce <b>Gre</b>en Lane");
  /* A search matches word beginnings only, and so does the bold. */
  g_assert_cmpstr (inside, ==, "Supermarket car park");
  g_assert_cmpstr (escaped, ==, "<b>Fish</b> &amp; chips &lt;shop&gt;");
  g_assert_cmpstr (none, ==, "A &amp; B");
  g_assert_cmpstr (accent, ==, "<b>Café</b> quarter");
}

static void
test_format_field_values (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbProfile) profile = bb_profile_load_default (&error);
  const BbFieldSpec *common = bb_kind_common_fields ();
  const BbKindSpec *patrol = bb_kind_lookup (BB_KIND_PATROL_OBSERVATION);
  const BbKindSpec *s59 = bb_kind_lookup (BB_KIND_S59_WARNING);
  const BbFieldSpec *vehicle = bb_field_spec_find (s59->fields, "vehicle");
  g_autoptr(JsonNode) ward = json_from_string ("\"joydens_wood\"", NULL);
  g_autoptr(JsonNode) partners = json_from_string ("[\"kent_police\", \"no_such_partner\"]", NULL);
  g_autoptr(JsonNode) yes = json_from_string ("true", NULL);
  g_autoptr(JsonNode) count = json_from_string ("12", NULL);
  g_autoptr(JsonNode) empty = json_from_string ("\"\"", NULL);
  g_autoptr(JsonNode) vrm = json_from_string ("\"ab12cde\"", NULL);
  g_autoptr(JsonNode) when = json_from_string ("\"2026-11-21T19:40:00Z\"", NULL);
  g_autofree char *ward_text = NULL, *partners_text = NULL, *yes_text = NULL;
  g_autofree char *count_text = NULL, *empty_text = NULL, *vrm_text = NULL, *when_text = NULL;

  g_assert_no_error (error);
  ward_text = bb_format_field_value (profile, bb_field_spec_find (common, "ward"), ward);
  partners_text = bb_format_field_value (profile, bb_field_spec_find (patrol->fields, "referred_to"), partners);
  yes_text = bb_format_field_value (profile,
                                    bb_field_spec_find (bb_field_spec_find (patrol->fields, "fly_tip")->children,
                                                        "evidence_checked"),
                                    yes);
  count_text = bb_format_field_value (profile, bb_field_spec_find (patrol->fields, "people_involved"), count);
  empty_text = bb_format_field_value (profile, bb_field_spec_find (common, "place"), empty);
  vrm_text = bb_format_field_value (profile, bb_field_spec_find (vehicle->children, "vrm"), vrm);
  when_text = bb_format_field_value (profile, bb_field_spec_find (common, "ended_at"), when);

  g_assert_cmpstr (ward_text, ==, "Joyden's Wood");
  /* An id the profile does not know is shown as it is, not dropped. */
  g_assert_cmpstr (partners_text, ==, "Kent Police, no_such_partner");
  g_assert_cmpstr (yes_text, ==, "Yes");
  g_assert_cmpstr (count_text, ==, "12");
  g_assert_null (empty_text);
  g_assert_cmpstr (vrm_text, ==, "AB12 CDE");
  g_assert_cmpstr (when_text, ==, "21 Nov 2026, 19:40");
  g_assert_null (bb_format_field_value (profile, vehicle, NULL));
}

/* Whether the record view's Edit button can be used (it follows win.edit). */
static gboolean
edit_offered (Fixture *f)
{
  GtkWidget *view = GTK_WIDGET (bb_window_get_record_view (f->window));
  GtkWidget *widget = view;

  /* Depth first through the view for the button bound to win.edit. */
  while (widget != NULL)
    {
      if (GTK_IS_ACTIONABLE (widget) &&
          g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "win.edit") == 0)
        return gtk_widget_is_sensitive (widget);

      if (gtk_widget_get_first_child (widget) != NULL)
        widget = gtk_widget_get_first_child (widget);
      else
        {
          while (widget != view && gtk_widget_get_next_sibling (widget) == NULL)
            widget = gtk_widget_get_parent (widget);
          widget = widget != view ? gtk_widget_get_next_sibling (widget) : NULL;
        }
    }

  g_error ("the record view has no Edit button");
  return FALSE;
}

/* A warning whose personal details this device removed says so, and
 * shows what it still holds. */
static void
test_purged_warning_says_so (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(BbRecord) warning = bb_record_new (BB_KIND_S59_WARNING);
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_days (now, -40);
  g_autofree char *when = g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *today = g_date_time_format (now, "%-d %b %Y");
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(JsonNode) fields = json_from_string (
    "{\"ward\": \"town\", \"place\": \"Crossways Boulevard\", \"offence\": \"rta_s3\","
    " \"vehicle\": {\"type\": \"car\", \"vrm\": \"AB12CDE\"}, \"warned_party\": \"driver\","
    " \"driver\": {\"name\": \"Alex Purgeview\", \"date_of_birth\": \"1990-04-01\"}}", NULL);
  g_autoptr(GError) error = NULL;

  given_identity (f, "PCSO 4521", BB_ROLE_OFFICER);
  fixture_open_window (f, 1366, 768);

  bb_record_set_id (warning, id);
  bb_record_set_occurred_at (warning, when);
  bb_record_set_fields (warning, json_node_get_object (fields));
  bb_record_set_rev (warning, 2);
  bb_record_set_updated_at (warning, when);
  bb_record_set_author (warning, "user-officer", "PCSO 4521", "officer");
  bb_record_set_review_state (warning, "reviewed");
  g_ptr_array_add (page, g_object_ref (warning));
  g_assert_true (bb_store_apply_pull_page (fixture_store (f), page, "sync.cursor", 1, &error));
  g_assert_no_error (error);

  g_assert_true (bb_window_show_record (f->window, id));
  text = bb_record_view_dup_text (bb_window_get_record_view (f->window));
  g_assert_nonnull (strstr (text, "Alex Purgeview"));
  g_assert_null (strstr (text, "Personal details removed"));
  g_assert_true (edit_offered (f));
  g_clear_pointer (&text, g_free);

  g_assert_cmpint (bb_store_purge_personal_data (fixture_store (f), bb_session_get_profile (
                     bb_application_get_session (f->app)), now, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (bb_window_show_record (f->window, id));
  text = bb_record_view_dup_text (bb_window_get_record_view (f->window));
  expected = g_strdup_printf ("Personal details removed from this device on %s; the server keeps them.", today);
  if (strstr (text, expected) == NULL)
    g_error ("The record view does not say “%s”:\n%s", expected, text);
  g_assert_null (strstr (text, "Alex Purgeview"));
  g_assert_nonnull (strstr (text, "Crossways Boulevard"));
  /* Saving it again would be refused: Edit is not offered. */
  g_assert_false (edit_offered (f));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      g_printerr ("test-window: no display could be opened: skipped (run under xvfb-run -a)\n");
      return 77;
    }
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/window/format/state-line-says-what-waits-and-when-it-last-synced", test_format_state_line);
  g_test_add_func ("/window/format/times-in-london-and-states-in-words", test_format_times_and_states);
  g_test_add_func ("/window/format/row-states-only-when-they-need-attention",
                   test_format_row_states_only_when_they_need_attention);
  g_test_add_func ("/window/format/highlight-marks-word-beginnings", test_format_highlight_marks_word_beginnings);
  g_test_add_func ("/window/format/field-values-read-as-people-write-them", test_format_field_values);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/window/first-run/asks-who-uses-the-device-then-shows-the-list", test_first_run_then_home);
  ADD ("/window/first-run/start-in-sight-at-360", test_first_run_start_in_sight_when_narrow);
  ADD ("/window/record-view/purged-warning-says-so", test_purged_warning_says_so);
  g_test_add_func ("/window/first-run/role-picker-says-what-each-role-may-create",
                   test_first_run_role_picker_describes_roles);
  ADD ("/window/new/creates-each-kind-in-the-real-editor-and-finds-it-by-search",
       test_create_each_kind_and_find_it);
  ADD ("/window/list/kind-filter-changes-the-list-and-is-remembered", test_kind_filter_changes_the_list);
  ADD ("/window/list/rows-show-only-the-states-that-need-attention", test_rows_show_states_in_words);
  ADD ("/window/list/ten-rows-fit-at-768-px", test_ten_rows_fit_at_768);
  ADD ("/window/delete/asks-first-tombstones-and-undo-restores", test_delete_asks_then_undo_restores);
  ADD ("/window/undo/removes-a-new-record-or-restores-an-edit", test_undo_a_new_record_and_an_edit);
  ADD ("/window/drafts/escape-keeps-the-draft-and-it-is-offered-again",
       test_escape_keeps_the_draft_and_it_is_offered);
  ADD ("/window/new/role-limits-what-can-be-created", test_role_limits_what_can_be_created);
  ADD ("/window/new/most-used-kind-comes-first", test_most_used_kind_comes_first);
  ADD ("/window/new/repeat-last-prefills-from-the-newest-record", test_repeat_last_prefills_from_the_newest);
  ADD ("/window/error/corrupt-database-names-the-file-and-changes-nothing", test_corrupt_database_shows_the_file);
  ADD ("/window/layout/narrow-shows-one-pane-at-a-time", test_narrow_one_pane_at_a_time);
  ADD ("/window/help/shortcuts-window-and-about-are-there", test_shortcuts_and_about);

  return g_test_run ();
}
