/* test-a11y.c: every input in every view has a name a screen reader can say
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <gtk/gtk.h>

#include "bb-application.h"
#include "bb-window.h"
#include "test-files.h"

/* What counts as named:
 * - the accessible "label" property, or a "labelled-by" relation;
 * - a button or check button with visible text of its own (the name comes
 *   from its content);
 * - for an editable that delegates to an inner text (an entry row, a spin
 *   button), a name on either.
 * A compound control (entry, drop down, menu or split button, combo row) is
 * checked as one: its inner parts are not walked. */

static gboolean
is_input (GtkWidget *widget)
{
  return GTK_IS_EDITABLE (widget) ||
         GTK_IS_TOGGLE_BUTTON (widget) ||
         GTK_IS_DROP_DOWN (widget) ||
         GTK_IS_CHECK_BUTTON (widget) ||
         GTK_IS_SWITCH (widget) ||
         GTK_IS_SPIN_BUTTON (widget) ||
         GTK_IS_TEXT_VIEW (widget) ||
         GTK_IS_MENU_BUTTON (widget) ||
         ADW_IS_SPLIT_BUTTON (widget) ||
         ADW_IS_COMBO_ROW (widget) ||
         /* An icon-only button is as mute as an unlabelled entry. */
         (GTK_IS_BUTTON (widget) && gtk_widget_get_focusable (widget));
}

static gboolean
is_compound (GtkWidget *widget)
{
  return GTK_IS_EDITABLE (widget) ||
         GTK_IS_DROP_DOWN (widget) ||
         GTK_IS_MENU_BUTTON (widget) ||
         ADW_IS_SPLIT_BUTTON (widget) ||
         ADW_IS_COMBO_ROW (widget);
}

static gboolean
has_text_content (GtkWidget *widget)
{
  const char *label = NULL;

  if (GTK_IS_CHECK_BUTTON (widget))
    label = gtk_check_button_get_label (GTK_CHECK_BUTTON (widget));
  else if (GTK_IS_BUTTON (widget))
    {
      GtkWidget *child = gtk_button_get_child (GTK_BUTTON (widget));

      label = gtk_button_get_label (GTK_BUTTON (widget));
      if ((label == NULL || *label == '\0') && GTK_IS_LABEL (child))
        label = gtk_label_get_text (GTK_LABEL (child));
      if ((label == NULL || *label == '\0') && ADW_IS_BUTTON_CONTENT (child))
        label = adw_button_content_get_label (ADW_BUTTON_CONTENT (child));
      /* An icon-only button shows no words: gtk_button_get_label() is then
       * the icon name, which no one should hear. */
      if (gtk_button_get_icon_name (GTK_BUTTON (widget)) != NULL && GTK_IS_IMAGE (child))
        label = NULL;
    }

  return label != NULL && *label != '\0';
}

static gboolean
labelled_by_own_icon (GtkWidget *widget)
{
  GtkWidget *child;
  g_autofree char *mismatch = NULL;

  if (!GTK_IS_BUTTON (widget))
    return FALSE;
  child = gtk_button_get_child (GTK_BUTTON (widget));
  if (!GTK_IS_IMAGE (child))
    return FALSE;

  /* GTK labels an icon button by its image, which says nothing. */
  mismatch = gtk_test_accessible_check_relation (GTK_ACCESSIBLE (widget),
                                                 GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                                 child, NULL);
  return mismatch == NULL;
}

static gboolean
has_own_name (GtkWidget *widget)
{
  GtkAccessible *accessible = GTK_ACCESSIBLE (widget);

  return gtk_test_accessible_has_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL) ||
         (gtk_test_accessible_has_relation (accessible, GTK_ACCESSIBLE_RELATION_LABELLED_BY) &&
          !labelled_by_own_icon (widget)) ||
         has_text_content (widget);
}

static gboolean
is_named (GtkWidget *widget)
{
  if (has_own_name (widget))
    return TRUE;

  if (GTK_IS_EDITABLE (widget))
    {
      GtkEditable *delegate = gtk_editable_get_delegate (GTK_EDITABLE (widget));

      if (delegate != NULL && GTK_WIDGET (delegate) != widget && has_own_name (GTK_WIDGET (delegate)))
        return TRUE;
    }

  return FALSE;
}

static char *
describe (GtkWidget *widget)
{
  GString *path = g_string_new (NULL);

  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    {
      const char *title = ADW_IS_PREFERENCES_ROW (w) ? adw_preferences_row_get_title (ADW_PREFERENCES_ROW (w)) : NULL;

      g_string_prepend (path, G_OBJECT_TYPE_NAME (w));
      if (title != NULL && *title != '\0')
        {
          g_string_insert (path, strlen (G_OBJECT_TYPE_NAME (w)), "]");
          g_string_insert (path, strlen (G_OBJECT_TYPE_NAME (w)), title);
          g_string_insert (path, strlen (G_OBJECT_TYPE_NAME (w)), "[");
        }
      if (gtk_widget_get_parent (w) != NULL)
        g_string_prepend (path, " > ");
    }

  return g_string_free (path, FALSE);
}

static void
collect_unnamed (GtkWidget *widget,
                 GPtrArray *unnamed,
                 guint     *n_checked)
{
  /* What cannot be seen cannot be reached either. */
  if (!gtk_widget_get_visible (widget))
    return;

  if (is_input (widget))
    {
      (*n_checked)++;
      if (!is_named (widget))
        g_ptr_array_add (unnamed, describe (widget));
    }

  if (is_compound (widget))
    return;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_unnamed (child, unnamed, n_checked);
}

/* Fails with the path of every unnamed input under @root. */
static void
assert_all_inputs_named (GtkWidget  *root,
                         const char *view,
                         guint       min_inputs)
{
  g_autoptr(GPtrArray) unnamed = g_ptr_array_new_with_free_func (g_free);
  guint n_checked = 0;

  collect_unnamed (root, unnamed, &n_checked);
  g_test_message ("%s: %u inputs checked", view, n_checked);

  /* A view with no inputs found means the walk is broken, not that all is well. */
  g_assert_cmpuint (n_checked, >=, min_inputs);

  if (unnamed->len > 0)
    {
      GString *message = g_string_new (NULL);

      g_string_append_printf (message, "%s: %u input(s) with no accessible name:\n", view, unnamed->len);
      for (guint i = 0; i < unnamed->len; i++)
        g_string_append_printf (message, "  %s\n", (char *) g_ptr_array_index (unnamed, i));
      g_test_message ("%s", message->str);
      g_test_fail_printf ("%s", message->str);
      g_string_free (message, TRUE);
    }
}

/* Fixture */

static void
iterate (void)
{
  gint64 end = g_get_monotonic_time () + 100 * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

typedef struct
{
  char          *dir;
  BbApplication *app;
  BbWindow      *window;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static guint n_apps = 0;
  g_autoptr(GError) error = NULL;
  g_autofree char *app_id = g_strdup_printf ("%s.A11yTest%u", APP_ID, ++n_apps);
  BbRole role = GPOINTER_TO_INT (data);

  f->dir = g_dir_make_tmp ("beatbook-test-a11y-XXXXXX", &error);
  g_assert_no_error (error);

  if (role != BB_ROLE_NONE)
    {
      g_autoptr(BbSession) session = bb_session_new (f->dir, &error);

      g_assert_no_error (error);
      bb_session_set_identity (session, "PCSO 4521", role, "4521", &error);
      g_assert_no_error (error);
    }

  f->app = g_object_new (BB_TYPE_APPLICATION,
                         "application-id", app_id,
                         "flags", G_APPLICATION_NON_UNIQUE,
                         "resource-base-path", "/org/beatbook/Beatbook",
                         "data-dir", f->dir,
                         NULL);
  g_application_register (G_APPLICATION (f->app), NULL, &error);
  g_assert_no_error (error);

  f->window = bb_window_new (f->app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1366, 768);
  gtk_window_present (GTK_WINDOW (f->window));
  iterate ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_close (GTK_WINDOW (f->window));
  iterate ();
  g_clear_object (&f->app);
  bb_test_remove_tree (f->dir);
  g_free (f->dir);
}

static BbSession *
fixture_session (Fixture *f)
{
  return bb_application_get_session (f->app);
}

static char *
save_record (Fixture    *f,
             const char *kind,
             const char *json_fields)
{
  g_autoptr(BbRecord) record = bb_record_new (kind);
  g_autoptr(JsonNode) node = json_from_string (json_fields, NULL);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (node);
  bb_record_set_fields (record, json_node_get_object (node));
  bb_session_save_record (fixture_session (f), record, &problems, &error);
  g_assert_no_error (error);
  if (problems != NULL && bb_problems_have_errors (problems))
    g_error ("Test record refused: %s", bb_problems_to_string (problems));

  return g_strdup (bb_record_get_id (record));
}

static void
activate (Fixture    *f,
          const char *action,
          GVariant   *target)
{
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->window), action, target));
  iterate ();
}

/* Tests */

static void
test_first_run (Fixture       *f,
                gconstpointer  data)
{
  g_assert_cmpstr (bb_window_get_page (f->window), ==, "first-run");
  /* Name, number, and the menu button. */
  assert_all_inputs_named (GTK_WIDGET (bb_window_get_first_run (f->window)), "first run", 2);
  assert_all_inputs_named (GTK_WIDGET (f->window), "first run window", 3);
}

static void
test_home (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *id = save_record (f, BB_KIND_VAWG_WALK,
                                     "{\"ward\": \"town\", \"walk_type\": \"group_walk\"}");
  g_autoptr(GError) error = NULL;

  /* A draft row (restore, discard) and the search bar open. */
  bb_store_save_draft (bb_session_get_store (fixture_session (f)), "5b0fa3a6-1d7e-4c27-8f61-0d3c1b9a7e21",
                       BB_KIND_PATROL_OBSERVATION, NULL, "{}", &error);
  g_assert_no_error (error);
  bb_window_reload (f->window);
  activate (f, "win.search", NULL);
  g_assert_cmpuint (bb_window_get_n_drafts (f->window), ==, 1);
  g_assert_cmpstr (bb_window_get_page (f->window), ==, "home");

  /* New, its menu, search, main menu, kind filter, search entry, restore, discard. */
  assert_all_inputs_named (GTK_WIDGET (f->window), "home", 8);
}

static void
test_record_view (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *id = save_record (f, BB_KIND_S59_WARNING,
                                     "{\"ward\": \"joydens_wood\", \"place\": \"Joyce Green Lane\","
                                     " \"offence\": \"rta_s34\", \"alarm_distress\": \"is_causing\","
                                     " \"circumstances\": \"Ridden across the footpath\","
                                     " \"vehicle\": {\"type\": \"off_road_bike\"},"
                                     " \"warned_party\": \"driver\","
                                     " \"driver\": {\"name\": \"Rider at the scene\"}}");

  g_assert_true (bb_window_show_record (f->window, id));
  iterate ();
  g_assert_cmpstr (bb_window_get_detail_page (f->window), ==, "view");
  /* Edit and Delete in the header, at least. */
  assert_all_inputs_named (GTK_WIDGET (f->window), "record view", 2);
}

static void
press_add (BbEditor   *editor,
           const char *list_path)
{
  GtkWidget *add = bb_editor_get_field_widget (editor, list_path);

  /* Lists of parts are empty at first: add one so its inputs are walked too. */
  if (add != NULL && GTK_IS_BUTTON (add))
    {
      g_signal_emit_by_name (add, "clicked");
      iterate ();
    }
}

static void
test_editor (Fixture       *f,
             gconstpointer  data)
{
  const BbKindSpec * const *kinds = bb_kind_all ();

  for (guint i = 0; kinds[i] != NULL; i++)
    {
      BbEditor *editor;
      g_autofree char *view = g_strdup_printf ("%s editor", kinds[i]->id);

      activate (f, "win.new", g_variant_new_string (kinds[i]->id));
      editor = bb_window_get_editor (f->window);
      g_assert_nonnull (editor);
      g_assert_cmpstr (bb_editor_get_kind (editor), ==, kinds[i]->id);

      for (const BbFieldSpec *spec = kinds[i]->fields; spec->name != NULL; spec++)
        if (spec->type == BB_FIELD_OBJECT_LIST)
          {
            g_autofree char *add = g_strdup_printf ("%s/add", spec->name);

            press_add (editor, add);
          }

      /* Every kind has at least ward, place, time, notes and its own fields. */
      assert_all_inputs_named (GTK_WIDGET (editor), view, 5);
      /* The header's Save and Back around it too. */
      assert_all_inputs_named (GTK_WIDGET (f->window), "window with an editor", 7);

      bb_editor_close (editor, TRUE);
      iterate ();
      g_assert_null (bb_window_get_editor (f->window));
    }
}

static void
test_the_walk_finds_an_unnamed_input (void)
{
  g_autoptr(GPtrArray) unnamed = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *named = gtk_entry_new ();
  GtkWidget *mute = gtk_entry_new ();
  GtkWidget *mute_switch = gtk_switch_new ();
  GtkWidget *icon_button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  GtkWidget *text_button = gtk_button_new_with_label ("Delete");
  guint n_checked = 0;

  g_object_ref_sink (box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (named), GTK_ACCESSIBLE_PROPERTY_LABEL, "Place", -1);
  gtk_box_append (GTK_BOX (box), named);
  gtk_box_append (GTK_BOX (box), mute);
  gtk_box_append (GTK_BOX (box), mute_switch);
  gtk_box_append (GTK_BOX (box), icon_button);
  gtk_box_append (GTK_BOX (box), text_button);

  /* The check itself must be able to fail. */
  collect_unnamed (box, unnamed, &n_checked);
  g_assert_cmpuint (n_checked, >=, 5);
  g_assert_cmpuint (unnamed->len, ==, 3);
  g_assert_nonnull (strstr (g_ptr_array_index (unnamed, 0), "GtkEntry"));
  g_assert_nonnull (strstr (g_ptr_array_index (unnamed, 1), "GtkSwitch"));
  g_assert_nonnull (strstr (g_ptr_array_index (unnamed, 2), "GtkButton"));

  g_object_unref (box);
}

int
main (int   argc,
      char *argv[])
{
  /* The "test" accessibility backend keeps what widgets say about themselves
   * so it can be read back; "none" keeps nothing. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      g_printerr ("test-a11y: no display could be opened: skipped (run under xvfb-run -a)\n");
      return 77;
    }
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/a11y/check/finds-an-unnamed-input", test_the_walk_finds_an_unnamed_input);
  g_test_add ("/a11y/first-run/every-input-is-named", Fixture, GINT_TO_POINTER (BB_ROLE_NONE),
              fixture_set_up, test_first_run, fixture_tear_down);
  g_test_add ("/a11y/home/every-input-is-named", Fixture, GINT_TO_POINTER (BB_ROLE_OFFICER),
              fixture_set_up, test_home, fixture_tear_down);
  g_test_add ("/a11y/record-view/every-input-is-named", Fixture, GINT_TO_POINTER (BB_ROLE_OFFICER),
              fixture_set_up, test_record_view, fixture_tear_down);
  g_test_add ("/a11y/editor/every-input-of-every-kind-is-named", Fixture, GINT_TO_POINTER (BB_ROLE_OFFICER),
              fixture_set_up, test_editor, fixture_tear_down);

  return g_test_run ();
}
