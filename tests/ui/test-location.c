/* test-location.c: "Use my location": the sources behind their interface,
 * GeoClue for real where it is not running, and the editor's row
 *
 * The editor runs on tests/profiles/testshire.json, whose ward boundaries
 * are made-up squares near 0° N 0° E (test data): north [0, 0.01] x
 * [0.01, 0.02] with a hole that the centre ward fills, south below it,
 * east beside both.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "bb-choice-row.h"
#include "bb-editor.h"
#include "bb-location-row.h"
#include "bb-location-source.h"
#include "test-files.h"

typedef struct
{
  char      *dir;
  BbSession *session;
  GtkWidget *window;
  BbEditor  *editor;
} Fixture;

typedef struct
{
  gboolean   done;
  gboolean   ok;
  BbLocation location;
  GError    *error;
} Answer;

static void
on_answer (GObject      *object,
           GAsyncResult *result,
           gpointer      data)
{
  Answer *answer = data;

  answer->ok = bb_location_source_locate_finish (BB_LOCATION_SOURCE (object), result,
                                                 &answer->location, &answer->error);
  answer->done = TRUE;
}

/* Asks @source and runs the main loop until it answers. The source's own
 * timeout is what bounds the wait: a hang fails the test by meson's. */
static void
ask (BbLocationSource *source,
     GCancellable     *cancellable,
     Answer           *answer)
{
  memset (answer, 0, sizeof *answer);
  bb_location_source_locate_async (source, cancellable, on_answer, answer);
  while (!answer->done)
    g_main_context_iteration (NULL, TRUE);
}

/* The sources */

static void
test_fixed_gives_the_position (void)
{
  g_autoptr(BbLocationFixed) source = bb_location_fixed_new (51.4462, 0.218, 35);
  Answer answer;

  ask (BB_LOCATION_SOURCE (source), NULL, &answer);
  g_assert_no_error (answer.error);
  g_assert_true (answer.ok);
  g_assert_cmpfloat (answer.location.latitude, ==, 51.4462);
  g_assert_cmpfloat (answer.location.longitude, ==, 0.218);
  g_assert_cmpfloat (answer.location.accuracy, ==, 35);
  g_assert_cmpuint (bb_location_fixed_get_asked (source), ==, 1);
}

static void
test_refused_and_absent_say_what_to_do (void)
{
  g_autoptr(BbLocationFixed) denied = bb_location_fixed_new_error (BB_LOCATION_ERROR_DENIED);
  g_autoptr(BbLocationFixed) absent = bb_location_fixed_new_error (BB_LOCATION_ERROR_UNAVAILABLE);
  Answer answer;

  ask (BB_LOCATION_SOURCE (denied), NULL, &answer);
  g_assert_false (answer.ok);
  g_assert_error (answer.error, BB_LOCATION_ERROR, BB_LOCATION_ERROR_DENIED);
  g_assert_nonnull (strstr (answer.error->message, "refused"));
  g_assert_nonnull (strstr (answer.error->message, "type the latitude and longitude"));
  g_clear_error (&answer.error);

  ask (BB_LOCATION_SOURCE (absent), NULL, &answer);
  g_assert_false (answer.ok);
  g_assert_error (answer.error, BB_LOCATION_ERROR, BB_LOCATION_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (answer.error->message, "No location service"));
  g_clear_error (&answer.error);
}

static void
test_silence_times_out (void)
{
  g_autoptr(BbLocationFixed) silent = bb_location_fixed_new_silent ();
  guint saved = bb_location_get_timeout_seconds ();
  Answer answer;

  bb_location_set_timeout_seconds (1);
  ask (BB_LOCATION_SOURCE (silent), NULL, &answer);
  bb_location_set_timeout_seconds (saved);

  g_assert_false (answer.ok);
  g_assert_error (answer.error, BB_LOCATION_ERROR, BB_LOCATION_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (answer.error->message, "No position came within 1 seconds"));
  g_clear_error (&answer.error);
}

static gboolean
cancel_later (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancelling_ends_the_question (void)
{
  g_autoptr(BbLocationFixed) silent = bb_location_fixed_new_silent ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Answer answer;

  /* The 30 s default timeout is far off: only the cancel can end this. */
  g_timeout_add (50, cancel_later, cancellable);
  ask (BB_LOCATION_SOURCE (silent), cancellable, &answer);
  g_assert_false (answer.ok);
  g_assert_error (answer.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&answer.error);
}

/* GeoClue for real: on a private bus where no GeoClue runs, and with no
 * system bus at all, the answer is "no location service", from the bus
 * itself, not from the timeout (set to 10 minutes here, longer than the
 * test may run). Each in its own process: the system bus connection is
 * made once per process. */
static void
geoclue_answers (const char *system_bus_address)
{
  g_autoptr(BbLocationSource) source = bb_location_geoclue_new ();
  Answer answer;

  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", system_bus_address, TRUE);
  bb_location_set_timeout_seconds (600);

  g_assert_nonnull (source);
  ask (source, NULL, &answer);
  g_assert_false (answer.ok);
  if (!g_error_matches (answer.error, BB_LOCATION_ERROR, BB_LOCATION_ERROR_UNAVAILABLE))
    g_error ("expected “no location service”, got: %s", answer.error->message);
  g_assert_nonnull (strstr (answer.error->message, "No location service on this device"));
  g_clear_error (&answer.error);
}

static void
test_geoclue_not_running_on_a_private_bus (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);

      g_test_dbus_up (bus);
      geoclue_answers (g_test_dbus_get_bus_address (bus));
      g_test_dbus_down (bus);
      return;
    }

  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_geoclue_without_a_system_bus (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = g_dir_make_tmp ("beatbook-nobus-XXXXXX", NULL);
      g_autofree char *address = g_strdup_printf ("unix:path=%s/no-such-socket", dir);

      geoclue_answers (address);
      g_rmdir (dir);
      return;
    }

  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_accuracy_in_words (void)
{
  const struct { double metres; const char *words; } cases[] = {
    { 3.2, "Accurate to about 3 m (GeoClue)." },
    { 0.2, "Accurate to about 1 m (GeoClue)." },
    { 37, "Accurate to about 35 m (GeoClue)." },
    { 123, "Accurate to about 120 m (GeoClue)." },
    { 1500, "Accurate to about 1.5 km (GeoClue): rough, check the numbers." },
    { 0, "Found by GeoClue, which does not say how accurately." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *words = bb_location_describe_accuracy (cases[i].metres, "GeoClue");

      g_assert_cmpstr (words, ==, cases[i].words);
    }
}

/* The editor */

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("beatbook-location-XXXXXX", &error);
  g_assert_no_error (error);
  f->session = bb_session_new (f->dir, &error);
  g_assert_no_error (error);
  bb_session_set_identity (f->session, "PCSO 4521", BB_ROLE_OFFICER, "4521", &error);
  g_assert_no_error (error);
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 480, 800);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  bb_location_source_set_default (NULL);
  g_clear_object (&f->session);
  bb_test_remove_tree (f->dir);
  g_free (f->dir);
}

static void
open_editor (Fixture          *f,
             BbLocationSource *source)
{
  bb_location_source_set_default (source);
  f->editor = bb_editor_new (f->session, BB_KIND_PATROL_OBSERVATION, NULL, NULL, NULL);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->editor));
  gtk_window_present (GTK_WINDOW (f->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static BbLocationRow *
location_row (Fixture *f)
{
  GtkWidget *row = find_widget (GTK_WIDGET (f->editor), BB_TYPE_LOCATION_ROW);

  g_assert_nonnull (row);
  return BB_LOCATION_ROW (row);
}

/* The row's buttons, in order: "Use My Location", then "Set Ward". */
static GtkWidget *
row_button (BbLocationRow *row,
            guint          index)
{
  GtkWidget *found = NULL;
  GPtrArray *stack = g_ptr_array_new ();
  guint seen = 0;

  g_ptr_array_add (stack, row);
  /* Depth first, in widget order. */
  while (stack->len > 0 && found == NULL)
    {
      GtkWidget *widget = g_ptr_array_steal_index (stack, stack->len - 1);
      GPtrArray *children = g_ptr_array_new ();

      if (GTK_IS_BUTTON (widget) && seen++ == index)
        found = widget;
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        g_ptr_array_add (children, child);
      for (guint i = children->len; i > 0; i--)
        g_ptr_array_add (stack, g_ptr_array_index (children, i - 1));
      g_ptr_array_unref (children);
    }
  g_ptr_array_unref (stack);
  g_assert_nonnull (found);
  return found;
}

static void
press_use_my_location (Fixture       *f,
                       BbLocationRow *row)
{
  GtkWidget *button = row_button (row, 0);

  g_assert_true (gtk_widget_get_sensitive (button));
  g_assert_false (bb_location_row_get_locating (row));
  gtk_widget_grab_focus (button);
  g_signal_emit_by_name (button, "clicked");
  /* Nothing else waits: the rest of the form stays usable meanwhile, and
   * the focus stays on the button (the form does not scroll away). */
  g_assert_cmpstr (bb_location_row_get_status (row), ==, "Finding where you are…");
  g_assert_true (bb_location_row_get_locating (row));
  g_assert_true (gtk_widget_get_sensitive (bb_editor_get_field_widget (f->editor, "place")));
  /* A second press while asking asks nothing more. */
  g_signal_emit_by_name (button, "clicked");
  while (bb_location_row_get_locating (row))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gtk_widget_has_focus (button));
  g_assert_cmpstr (bb_location_row_get_status (row), !=, "Finding where you are…");
}

static const char *
text_of (Fixture    *f,
         const char *path)
{
  return gtk_editable_get_text (GTK_EDITABLE (bb_editor_get_field_widget (f->editor, path)));
}

static const char *
ward_of (Fixture *f)
{
  return bb_choice_row_get_selected_id (BB_CHOICE_ROW (bb_editor_get_field_widget (f->editor, "ward")));
}

static void
test_editor_fills_the_numbers_and_offers_the_ward (Fixture       *f,
                                                   gconstpointer  data)
{
  g_autoptr(BbLocationFixed) source = bb_location_fixed_new (0.015, 0.005, 12);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  BbLocationRow *row;
  JsonObject *fields;

  open_editor (f, BB_LOCATION_SOURCE (source));
  row = location_row (f);
  bb_choice_row_set_selected_id (BB_CHOICE_ROW (bb_editor_get_field_widget (f->editor, "ward")),
                                 "south");

  press_use_my_location (f, row);
  g_assert_cmpuint (bb_location_fixed_get_asked (source), ==, 1);
  g_assert_cmpstr (text_of (f, "lat"), ==, "0.015");
  g_assert_cmpstr (text_of (f, "lon"), ==, "0.005");
  g_assert_cmpstr (bb_location_row_get_status (row), ==,
                   "Accurate to about 10 m (test location).");

  /* The point is in the centre ward (north's hole): offered, not set. */
  g_assert_cmpstr (bb_location_row_get_suggested_ward (row), ==, "centre");
  g_assert_cmpstr (ward_of (f), ==, "south");
  g_assert_true (gtk_widget_get_visible (row_button (row, 1)));

  g_signal_emit_by_name (row_button (row, 1), "clicked");
  g_assert_cmpstr (ward_of (f), ==, "centre");
  g_assert_false (gtk_widget_get_visible (row_button (row, 1)));

  /* The numbers stay editable: typed ones get their own suggestion. */
  gtk_editable_set_text (GTK_EDITABLE (bb_editor_get_field_widget (f->editor, "lat")), "0.005");
  g_assert_cmpstr (bb_location_row_get_suggested_ward (row), ==, "south");
  g_assert_cmpstr (ward_of (f), ==, "centre");
  gtk_editable_set_text (GTK_EDITABLE (bb_editor_get_field_widget (f->editor, "lon")), "0.025");
  g_assert_null (bb_location_row_get_suggested_ward (row));
  gtk_editable_set_text (GTK_EDITABLE (bb_editor_get_field_widget (f->editor, "lon")), "0.0051");

  /* Saved as shown. */
  {
    GtkWidget *category = bb_editor_get_field_widget (f->editor, "category");
    GPtrArray *choices = bb_profile_get_choices (bb_session_get_profile (f->session),
                                                 "observation_category");
    BbChoice *first = g_ptr_array_index (choices, 0);

    if (BB_IS_CHOICE_ROW (category))
      bb_choice_row_set_selected_id (BB_CHOICE_ROW (category), first->id);
    else
      adw_combo_row_set_selected (ADW_COMBO_ROW (category), 1);
  }
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (
                              bb_editor_get_field_widget (f->editor, "description"))),
                            "Bins set alight behind the shops.", -1);
  if (!bb_editor_save (f->editor))
    g_error ("the record was not saved");
  records = bb_store_list_records (bb_session_get_store (f->session), &(BbQuery) { NULL }, 0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  fields = bb_record_get_fields (g_ptr_array_index (records, 0));
  g_assert_cmpfloat (json_object_get_double_member (fields, "lat"), ==, 0.005);
  g_assert_cmpfloat (json_object_get_double_member (fields, "lon"), ==, 0.0051);
  g_assert_cmpstr (json_object_get_string_member (fields, "ward"), ==, "centre");
}

static void
test_editor_says_when_location_is_refused (Fixture       *f,
                                           gconstpointer  data)
{
  g_autoptr(BbLocationFixed) source = bb_location_fixed_new_error (BB_LOCATION_ERROR_DENIED);
  BbLocationRow *row;

  open_editor (f, BB_LOCATION_SOURCE (source));
  row = location_row (f);
  press_use_my_location (f, row);

  g_assert_nonnull (strstr (bb_location_row_get_status (row), "Location was refused"));
  g_assert_cmpstr (text_of (f, "lat"), ==, "");
  g_assert_null (bb_location_row_get_suggested_ward (row));
  /* Typing works as before, and the ward is still offered. */
  gtk_editable_set_text (GTK_EDITABLE (bb_editor_get_field_widget (f->editor, "lat")), "0.018");
  gtk_editable_set_text (GTK_EDITABLE (bb_editor_get_field_widget (f->editor, "lon")), "0,002");
  g_assert_cmpstr (bb_location_row_get_suggested_ward (row), ==, "north");
  /* Asking again asks again (once per press, not twice). */
  press_use_my_location (f, row);
  g_assert_cmpuint (bb_location_fixed_get_asked (source), ==, 2);
}

static void
test_editor_says_when_there_is_no_service (Fixture       *f,
                                           gconstpointer  data)
{
  g_autoptr(BbLocationFixed) source = bb_location_fixed_new_error (BB_LOCATION_ERROR_UNAVAILABLE);
  BbLocationRow *row;

  open_editor (f, BB_LOCATION_SOURCE (source));
  row = location_row (f);
  press_use_my_location (f, row);
  g_assert_nonnull (strstr (bb_location_row_get_status (row), "No location service on this device"));
  g_assert_cmpstr (text_of (f, "lat"), ==, "");
  g_assert_cmpstr (text_of (f, "lon"), ==, "");
}

static void
test_editor_closed_while_asking (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(BbLocationFixed) source = bb_location_fixed_new_silent ();
  BbLocationRow *row;

  open_editor (f, BB_LOCATION_SOURCE (source));
  row = location_row (f);
  g_signal_emit_by_name (row_button (row, 0), "clicked");
  g_assert_cmpuint (bb_location_fixed_get_asked (source), ==, 1);
  /* Closing the editor cancels the question; nothing is left to call a
   * freed row back (valgrind and ASan builds would see it). */
  gtk_window_set_child (GTK_WINDOW (f->window), NULL);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *profile = NULL;

  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
  g_test_init (&argc, &argv, NULL);

  /* The sources need no display. */
  g_test_add_func ("/location/source/fixed-gives-the-position", test_fixed_gives_the_position);
  g_test_add_func ("/location/source/refused-and-absent-say-what-to-do", test_refused_and_absent_say_what_to_do);
  g_test_add_func ("/location/source/silence-times-out", test_silence_times_out);
  g_test_add_func ("/location/source/cancelling-ends-the-question", test_cancelling_ends_the_question);
  g_test_add_func ("/location/geoclue/not-running-on-a-private-bus-says-no-service",
                   test_geoclue_not_running_on_a_private_bus);
  g_test_add_func ("/location/geoclue/without-a-system-bus-says-no-service",
                   test_geoclue_without_a_system_bus);
  g_test_add_func ("/location/row/accuracy-in-words", test_accuracy_in_words);

  if (g_test_subprocess ())
    return g_test_run ();

  if (!gtk_init_check ())
    {
      g_printerr ("test-location: no display, skipping (run under xvfb-run -a)\n");
      return 77;
    }
  adw_init ();

  profile = g_test_build_filename (G_TEST_DIST, "profiles", "testshire.json", NULL);
  g_setenv ("BEATBOOK_PROFILE", profile, TRUE);

#define ADD(path, func) g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)
  ADD ("/location/editor/fills-the-numbers-and-offers-the-ward", test_editor_fills_the_numbers_and_offers_the_ward);
  ADD ("/location/editor/says-when-location-is-refused", test_editor_says_when_location_is_refused);
  ADD ("/location/editor/says-when-there-is-no-service", test_editor_says_when_there_is_no_service);
  ADD ("/location/editor/closed-while-asking", test_editor_closed_while_asking);
#undef ADD

  return g_test_run ();
}
