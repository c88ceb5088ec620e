/* test-editor.c: the record editor, driven through its real widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "bb-chip-row.h"
#include "bb-choice-row.h"
#include "bb-date-row.h"
#include "bb-editor.h"
#include "test-files.h"

typedef struct
{
  char      *dir;
  BbSession *session;
  GtkWidget *window;
  BbEditor  *editor;
  BbRecord  *saved;
} Fixture;

/* Helpers */

static gboolean
set_true (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_true, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
on_saved (BbEditor *editor,
          BbRecord *record,
          Fixture  *f)
{
  g_set_object (&f->saved, record);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("beatbook-editor-XXXXXX", &error);
  g_assert_no_error (error);
  f->session = bb_session_new (f->dir, &error);
  g_assert_no_error (error);
  bb_session_set_identity (f->session, "Sergeant (supervisor)", BB_ROLE_SUPERVISOR, "S 1024", &error);
  g_assert_no_error (error);
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 480, 800);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->saved);
  gtk_window_destroy (GTK_WINDOW (f->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->session);
  bb_test_remove_tree (f->dir);
  g_free (f->dir);
}

static BbEditor *
show_editor (Fixture  *f,
             BbEditor *editor)
{
  f->editor = editor;
  g_signal_connect (editor, "saved", G_CALLBACK (on_saved), f);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (editor));
  gtk_window_present (GTK_WINDOW (f->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return editor;
}

static BbEditor *
open_new (Fixture    *f,
          const char *kind)
{
  return show_editor (f, bb_editor_new (f->session, kind, NULL, NULL, NULL));
}

static GtkWidget *
field (Fixture    *f,
       const char *path)
{
  GtkWidget *widget = bb_editor_get_field_widget (f->editor, path);

  if (widget == NULL)
    g_error ("no widget for “%s”", path);
  return widget;
}

static void
type_text (Fixture    *f,
           const char *path,
           const char *text)
{
  GtkWidget *widget = field (f, path);

  if (GTK_IS_TEXT_VIEW (widget))
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget)), text, -1);
  else
    gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

static char *
read_text (Fixture    *f,
           const char *path)
{
  GtkWidget *widget = field (f, path);

  if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextIter start, end;
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    }
  return g_strdup (gtk_editable_get_text (GTK_EDITABLE (widget)));
}

/* Picks @id the way a person would: by its label in the list on screen. */
static void
choose (Fixture    *f,
        const char *path,
        const char *list,
        const char *id)
{
  GtkWidget *widget = field (f, path);
  const char *label = bb_profile_get_choice_label (bb_session_get_profile (f->session), list, id);

  g_assert_nonnull (label);

  if (BB_IS_CHOICE_ROW (widget))
    {
      GtkListBox *box = bb_choice_row_get_list (BB_CHOICE_ROW (widget));

      for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (box)); row != NULL;
           row = gtk_widget_get_next_sibling (row))
        if (g_strcmp0 (g_object_get_data (G_OBJECT (row), "bb-label"), label) == 0)
          {
            g_signal_emit_by_name (box, "row-activated", row);
            g_assert_cmpstr (bb_choice_row_get_selected_id (BB_CHOICE_ROW (widget)), ==, id);
            return;
          }
    }
  else if (BB_IS_CHIP_ROW (widget))
    {
      GtkWidget *button = bb_chip_row_get_button (BB_CHIP_ROW (widget), id);

      /* A tap on the chip that reads the label. */
      if (button != NULL && g_strcmp0 (g_object_get_data (G_OBJECT (button), "bb-label"), label) == 0)
        {
          g_signal_emit_by_name (button, "clicked");
          g_assert_cmpstr (bb_chip_row_get_selected_id (BB_CHIP_ROW (widget)), ==, id);
          return;
        }
    }

  g_error ("“%s” has no choice “%s”", path, label);
}

static void
set_count (Fixture    *f,
           const char *path,
           int         value)
{
  GtkWidget *widget = field (f, path);

  g_assert_true (GTK_IS_SPIN_BUTTON (widget));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (widget), value);
}

static void
click (Fixture    *f,
       const char *path)
{
  GtkWidget *widget = field (f, path);

  g_assert_true (GTK_IS_BUTTON (widget));
  g_signal_emit_by_name (widget, "clicked");
}

static guint
count_records (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  BbQuery query = { 0 };
  guint n = 0;

  bb_store_count_records (bb_session_get_store (f->session), &query, &n, &error);
  g_assert_no_error (error);
  return n;
}

static BbRecord *
stored (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  BbRecord *record;

  g_assert_nonnull (f->saved);
  record = bb_store_get_record (bb_session_get_store (f->session), bb_record_get_id (f->saved), &error);
  g_assert_no_error (error);
  return record;
}

static void
assert_message_mentions (Fixture    *f,
                         const char *path,
                         const char *word)
{
  const char *message = bb_editor_get_field_message (f->editor, path);
  g_autofree char *folded = NULL;

  if (message == NULL)
    g_error ("no message on “%s” (summary: %s)", path,
             bb_editor_get_summary (f->editor) ? bb_editor_get_summary (f->editor) : "none");
  folded = g_utf8_strdown (message, -1);
  if (strstr (folded, word) == NULL)
    g_error ("the message on “%s” (“%s”) does not mention “%s”", path, message, word);
}

static void
fill_observation (Fixture *f)
{
  choose (f, "ward", "wards", "temple_hill");
  type_text (f, "place", "Crossways Boulevard");
  choose (f, "category", "observation_category", "nuisance_vehicle");
  type_text (f, "description", "Cars revving in the car park after 22:00.");
}

/* Tests: one per kind, filled through the widgets and saved */

static void
test_observation_saves (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(BbRecord) record = NULL;
  JsonObject *fields;
  JsonArray *vehicles;

  open_new (f, BB_KIND_PATROL_OBSERVATION);
  fill_observation (f);
  set_count (f, "people_involved", 6);
  click (f, "vehicles/add");
  type_text (f, "vehicles[0].vrm", "ab12 cde");
  type_text (f, "vehicles[0].colour", "Red");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (field (f, "referred_to/dartford_borough_council")), TRUE);

  g_assert_true (bb_editor_get_modified (f->editor));
  g_assert_true (bb_editor_save (f->editor));
  g_assert_false (bb_editor_get_modified (f->editor));
  g_assert_cmpuint (count_records (f), ==, 1);

  record = stored (f);
  g_assert_cmpstr (bb_record_get_kind (record), ==, BB_KIND_PATROL_OBSERVATION);
  g_assert_cmpint (bb_record_get_rev (record), ==, 1);
  g_assert_cmpint (bb_record_get_priority (record), ==, 2);
  fields = bb_record_get_fields (record);
  g_assert_cmpstr (json_object_get_string_member (fields, "ward"), ==, "temple_hill");
  g_assert_cmpstr (json_object_get_string_member (fields, "place"), ==, "Crossways Boulevard");
  g_assert_cmpstr (json_object_get_string_member (fields, "category"), ==, "nuisance_vehicle");
  g_assert_cmpstr (json_object_get_string_member (fields, "description"), ==,
                   "Cars revving in the car park after 22:00.");
  g_assert_cmpint (json_object_get_int_member (fields, "people_involved"), ==, 6);
  vehicles = json_object_get_array_member (fields, "vehicles");
  g_assert_cmpuint (json_array_get_length (vehicles), ==, 1);
  /* Marks are stored normalised. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (vehicles, 0), "vrm"),
                   ==, "AB12CDE");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (fields, "referred_to"), 0),
                   ==, "dartford_borough_council");
  /* Nothing was typed in these: they are left out, not sent empty. */
  g_assert_false (json_object_has_member (fields, "crime_reference"));
  g_assert_false (json_object_has_member (fields, "fly_tip"));
  g_assert_false (json_object_has_member (fields, "lat"));
}

static void
test_s59_saves (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(BbRecord) record = NULL;
  JsonObject *fields, *vehicle;

  open_new (f, BB_KIND_S59_WARNING);
  choose (f, "ward", "wards", "joydens_wood");
  choose (f, "offence", "offence", "rta_s34");
  choose (f, "alarm_distress", "alarm_distress", "is_causing");
  type_text (f, "circumstances", "Off-road bike ridden across the playing field.");
  choose (f, "vehicle.type", "vehicle_type", "off_road_bike");
  choose (f, "warned_party", "warned_party", "driver");
  type_text (f, "driver.name", "Rider (driver)");
  type_text (f, "driver.date_of_birth", "2001-05-17");
  gtk_switch_set_active (GTK_SWITCH (field (f, "seizure.notice_served")), TRUE);

  g_assert_true (bb_editor_save (f->editor));

  record = stored (f);
  fields = bb_record_get_fields (record);
  g_assert_cmpstr (json_object_get_string_member (fields, "offence"), ==, "rta_s34");
  vehicle = json_object_get_object_member (fields, "vehicle");
  g_assert_cmpstr (json_object_get_string_member (vehicle, "type"), ==, "off_road_bike");
  /* Off-road bikes often carry no mark: none typed, none sent. */
  g_assert_false (json_object_has_member (vehicle, "vrm"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (fields, "driver"),
                                                  "date_of_birth"), ==, "2001-05-17");
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (fields, "seizure"),
                                                 "notice_served"));
}

static void
test_walk_saves (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(BbRecord) record = NULL;
  JsonObject *fields, *spot;
  JsonArray *officers;

  open_new (f, BB_KIND_VAWG_WALK);
  choose (f, "ward", "wards", "town");
  choose (f, "walk_type", "walk_type", "night_time_economy_walk");
  click (f, "officers_present/add");
  type_text (f, "officers_present[0]", "PCSO 4521");
  click (f, "officers_present/add");
  type_text (f, "officers_present[1]", "PC 1187");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (field (f, "partners/victim_support")), TRUE);
  click (f, "unsafe_spots/add");
  choose (f, "unsafe_spots[0].category", "unsafe_spot_category", "poor_street_lighting");
  type_text (f, "unsafe_spots[0].place", "Lowfield Street");

  g_assert_true (bb_editor_save (f->editor));

  record = stored (f);
  g_assert_cmpint (bb_record_get_priority (record), ==, 1);
  fields = bb_record_get_fields (record);
  officers = json_object_get_array_member (fields, "officers_present");
  g_assert_cmpuint (json_array_get_length (officers), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (officers, 1), ==, "PC 1187");
  spot = json_array_get_object_element (json_object_get_array_member (fields, "unsafe_spots"), 0);
  g_assert_cmpstr (json_object_get_string_member (spot, "category"), ==, "poor_street_lighting");
  g_assert_cmpstr (json_object_get_string_member (spot, "place"), ==, "Lowfield Street");
}

static void
test_engagement_saves (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(BbRecord) record = NULL;
  JsonObject *fields, *concern;

  open_new (f, BB_KIND_ENGAGEMENT_EVENT);
  choose (f, "ward", "wards", "heath");
  choose (f, "event_type", "event_type", "community_engagement_day");
  type_text (f, "title", "Dartford Heath engagement day");
  set_count (f, "attendees", 140);
  click (f, "concerns/add");
  choose (f, "concerns[0].concern", "concern", "poor_street_lighting");
  set_count (f, "concerns[0].count", 9);
  click (f, "actions/add");
  type_text (f, "actions[0].text", "Report the lamp columns on the heath path");
  type_text (f, "actions[0].due", "2026-12-15");

  g_assert_true (bb_editor_save (f->editor));

  record = stored (f);
  g_assert_cmpint (bb_record_get_priority (record), ==, 4);
  fields = bb_record_get_fields (record);
  g_assert_cmpint (json_object_get_int_member (fields, "attendees"), ==, 140);
  concern = json_array_get_object_element (json_object_get_array_member (fields, "concerns"), 0);
  g_assert_cmpstr (json_object_get_string_member (concern, "concern"), ==, "poor_street_lighting");
  g_assert_cmpint (json_object_get_int_member (concern, "count"), ==, 9);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (fields, "actions"), 0), "due"), ==, "2026-12-15");
}

/* Tests: what the editor refuses, and how it says so */

static void
test_missing_required_field_is_named (Fixture       *f,
                                      gconstpointer  data)
{
  g_autofree char *description = NULL;
  GtkWidget *focus;

  open_new (f, BB_KIND_PATROL_OBSERVATION);
  choose (f, "ward", "wards", "town");
  type_text (f, "description", "Graffiti on the underpass wall.");

  g_assert_false (bb_editor_save (f->editor));
  g_assert_cmpuint (count_records (f), ==, 0);
  g_assert_nonnull (bb_editor_get_field_message (f->editor, "category"));
  g_assert_true (gtk_widget_has_css_class (field (f, "category"), "error"));
  g_assert_null (bb_editor_get_field_message (f->editor, "description"));

  /* The first problem has the focus; what was typed is still there. */
  focus = gtk_root_get_focus (GTK_ROOT (f->window));
  g_assert_nonnull (focus);
  g_assert_true (focus == field (f, "category") || gtk_widget_is_ancestor (focus, field (f, "category")));
  description = read_text (f, "description");
  g_assert_cmpstr (description, ==, "Graffiti on the underpass wall.");

  /* Putting it right clears the message and saves. */
  choose (f, "category", "observation_category", "criminal_damage");
  wait_ms (500);
  g_assert_null (bb_editor_get_field_message (f->editor, "category"));
  g_assert_true (bb_editor_save (f->editor));
  g_assert_cmpuint (count_records (f), ==, 1);
}

static void
test_bad_date_of_birth_is_named (Fixture       *f,
                                 gconstpointer  data)
{
  g_autofree char *typed = NULL;

  open_new (f, BB_KIND_S59_WARNING);
  choose (f, "ward", "wards", "brent");
  choose (f, "offence", "offence", "rta_s3");
  choose (f, "alarm_distress", "alarm_distress", "has_been_causing");
  type_text (f, "circumstances", "Wheel spins at the retail park.");
  choose (f, "vehicle.type", "vehicle_type", "car");
  choose (f, "warned_party", "warned_party", "driver");
  type_text (f, "driver.name", "Driver (warned)");
  type_text (f, "driver.date_of_birth", "1990-02-31");

  /* Shown while typing, after the short pause, not only on save. */
  wait_ms (500);
  assert_message_mentions (f, "driver.date_of_birth", "date");

  g_assert_false (bb_editor_save (f->editor));
  g_assert_cmpuint (count_records (f), ==, 0);
  assert_message_mentions (f, "driver.date_of_birth", "date");
  typed = read_text (f, "driver.date_of_birth");
  g_assert_cmpstr (typed, ==, "1990-02-31");
}

static void
test_driver_name_required_for_driver (Fixture       *f,
                                      gconstpointer  data)
{
  open_new (f, BB_KIND_S59_WARNING);
  choose (f, "ward", "wards", "brent");
  choose (f, "offence", "offence", "rta_s3");
  choose (f, "alarm_distress", "alarm_distress", "is_likely_to_cause");
  type_text (f, "circumstances", "Driving at speed around the car park.");
  choose (f, "vehicle.type", "vehicle_type", "car");
  choose (f, "warned_party", "warned_party", "both");

  g_assert_false (bb_editor_save (f->editor));
  g_assert_nonnull (bb_editor_get_field_message (f->editor, "driver.name"));
  g_assert_cmpuint (count_records (f), ==, 0);

  choose (f, "warned_party", "warned_party", "owner");
  g_assert_true (bb_editor_save (f->editor));
}

static void
test_bad_position_is_named (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *lat = NULL;

  open_new (f, BB_KIND_PATROL_OBSERVATION);
  fill_observation (f);
  type_text (f, "lat", "north");
  type_text (f, "lon", "0.2236");

  g_assert_false (bb_editor_save (f->editor));
  assert_message_mentions (f, "lat", "number");
  g_assert_cmpuint (count_records (f), ==, 0);
  lat = read_text (f, "lat");
  g_assert_cmpstr (lat, ==, "north");

  /* A number out of range is the validator's to refuse. */
  type_text (f, "lat", "95");
  g_assert_false (bb_editor_save (f->editor));
  g_assert_nonnull (bb_editor_get_field_message (f->editor, "lat"));
  g_assert_cmpuint (count_records (f), ==, 0);

  /* The hint under a bad longitude shows a longitude, not a latitude. */
  type_text (f, "lat", "51.4462");
  type_text (f, "lon", "east");
  g_assert_false (bb_editor_save (f->editor));
  assert_message_mentions (f, "lon", "0.2180");

  type_text (f, "lon", "0.2236");
  g_assert_true (bb_editor_save (f->editor));
}

static void
test_future_time_is_refused (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 2);
  g_autofree char *text = g_date_time_format (later, "%Y-%m-%d %H:%M");

  open_new (f, BB_KIND_PATROL_OBSERVATION);
  fill_observation (f);
  type_text (f, "occurred_at", text);
  g_assert_false (bb_editor_save (f->editor));
  g_assert_nonnull (bb_editor_get_field_message (f->editor, "occurred_at"));

  type_text (f, "occurred_at", "yesterday at nine");
  g_assert_false (bb_editor_save (f->editor));
  assert_message_mentions (f, "occurred_at", "2026-03-01 21:14");
  g_assert_cmpuint (count_records (f), ==, 0);
}

static void
test_unrecognised_mark_warns_and_saves (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(BbRecord) record = NULL;
  JsonObject *vehicle;

  open_new (f, BB_KIND_PATROL_OBSERVATION);
  fill_observation (f);
  click (f, "vehicles/add");
  type_text (f, "vehicles[0].vrm", "XYZ-12-AB-99");
  wait_ms (500);
  assert_message_mentions (f, "vehicles[0].vrm", "not recognised");
  g_assert_true (gtk_widget_has_css_class (field (f, "vehicles[0].vrm"), "warning"));

  g_assert_true (bb_editor_save (f->editor));
  assert_message_mentions (f, "vehicles[0].vrm", "not recognised");

  record = stored (f);
  vehicle = json_array_get_object_element (json_object_get_array_member (bb_record_get_fields (record),
                                                                         "vehicles"), 0);
  g_assert_cmpstr (json_object_get_string_member (vehicle, "vrm"), ==, "XYZ12AB99");
}

/* Tests: editing, sections, defaults */

static void
test_edit_loads_every_field_and_saves_rev_2 (Fixture       *f,
                                             gconstpointer  data)
{
  g_autoptr(BbRecord) first = NULL;
  g_autoptr(BbRecord) second = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(JsonNode) original = NULL;
  g_autofree char *state_json = NULL;
  g_autofree char *vrm = NULL;
  g_autofree char *description = NULL;
  JsonObject *loaded;

  open_new (f, BB_KIND_PATROL_OBSERVATION);
  choose (f, "ward", "wards", "swanscombe");
  type_text (f, "place", "Joyce Green Lane");
  choose (f, "category", "observation_category", "fly_tipping");
  type_text (f, "description", "Builders' waste across the lane.\nAbout ten bags.");
  type_text (f, "lat", "51.4621375");
  type_text (f, "lon", "0.2236");
  type_text (f, "ended_at", "2026-03-01 21:40");
  type_text (f, "occurred_at", "2026-03-01 21:14");
  set_count (f, "people_involved", 0);
  click (f, "vehicles/add");
  type_text (f, "vehicles[0].vrm", "AB12CDE");
  type_text (f, "vehicles[0].make", "Ford");
  choose (f, "fly_tip.size", "fly_tip_size", "small_van_load");
  choose (f, "fly_tip.waste_type", "waste_type", "construction_demolition");
  choose (f, "fly_tip.land_type", "land_type", "highway");
  gtk_switch_set_active (GTK_SWITCH (field (f, "fly_tip.evidence_checked")), FALSE);
  bb_choice_row_set_selected_id (BB_CHOICE_ROW (field (f, "priority")), "3");
  g_assert_true (bb_editor_save (f->editor));
  first = stored (f);
  g_clear_object (&f->saved);

  /* A second editor on the stored record shows everything... */
  show_editor (f, bb_editor_new (f->session, NULL, first, NULL, NULL));
  g_assert_false (bb_editor_get_modified (f->editor));
  g_assert_cmpstr (bb_choice_row_get_selected_id (BB_CHOICE_ROW (field (f, "ward"))), ==, "swanscombe");
  description = read_text (f, "description");
  g_assert_cmpstr (description, ==, "Builders' waste across the lane.\nAbout ten bags.");
  vrm = read_text (f, "vehicles[0].vrm");
  g_assert_cmpstr (vrm, ==, "AB12 CDE");
  g_assert_true (gtk_widget_is_visible (field (f, "fly_tip.size")));
  g_assert_cmpstr (bb_chip_row_get_selected_id (BB_CHIP_ROW (field (f, "fly_tip.land_type"))), ==, "highway");

  /* ...and reads back exactly what was stored. */
  state_json = bb_editor_dup_state_json (f->editor);
  state = json_from_string (state_json, NULL);
  loaded = json_object_get_object_member (json_node_get_object (state), "fields");
  before = json_node_init_object (json_node_alloc (), loaded);
  {
    g_autoptr(JsonNode) wrapper = json_node_init_object (json_node_alloc (), bb_record_get_fields (first));
    g_autofree char *text = json_to_string (wrapper, FALSE);

    original = json_from_string (text, NULL);
    bb_fields_strip_derived (BB_KIND_PATROL_OBSERVATION, json_node_get_object (original));
  }
  if (!json_node_equal (before, original))
    g_error ("round trip differs:\n%s\n%s", json_to_string (before, TRUE), json_to_string (original, TRUE));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (state), "occurred_at"), ==,
                   bb_record_get_occurred_at (first));

  type_text (f, "place", "Joyce Green Lane, by the gate");
  g_assert_true (bb_editor_save (f->editor));
  second = stored (f);
  g_assert_cmpstr (bb_record_get_id (second), ==, bb_record_get_id (first));
  g_assert_cmpint (bb_record_get_rev (second), ==, 2);
  g_assert_cmpstr (bb_record_get_field_string (second, "place"), ==, "Joyce Green Lane, by the gate");
  g_assert_cmpstr (bb_record_get_field_string (second, "fly_tip.size"), ==, "small_van_load");
  g_assert_cmpuint (count_records (f), ==, 1);
}

static void
test_fly_tip_section_follows_category (Fixture       *f,
                                       gconstpointer  data)
{
  open_new (f, BB_KIND_PATROL_OBSERVATION);
  g_assert_false (gtk_widget_is_visible (field (f, "fly_tip.size")));
  g_assert_false (gtk_widget_is_visible (field (f, "pspo.order")));

  fill_observation (f);
  g_assert_false (gtk_widget_is_visible (field (f, "fly_tip.size")));

  choose (f, "category", "observation_category", "fly_tipping");
  g_assert_true (gtk_widget_is_visible (field (f, "fly_tip.size")));
  g_assert_false (gtk_widget_is_visible (field (f, "pspo.order")));

  /* Fly-tipping needs its details. */
  g_assert_false (bb_editor_save (f->editor));
  g_assert_true (bb_editor_get_field_message (f->editor, "fly_tip") != NULL ||
                 bb_editor_get_field_message (f->editor, "fly_tip.size") != NULL);

  choose (f, "fly_tip.size", "fly_tip_size", "single_bag");
  choose (f, "category", "observation_category", "pspo_breach");
  g_assert_false (gtk_widget_is_visible (field (f, "fly_tip.size")));
  g_assert_true (gtk_widget_is_visible (field (f, "pspo.order")));
  choose (f, "pspo.order", "pspo_order", "town_centre_pspo_2024");
  choose (f, "pspo.outcome", "pspo_outcome", "engaged_and_advised");

  /* Hidden details are not sent. */
  g_assert_true (bb_editor_save (f->editor));
  {
    g_autoptr(BbRecord) record = stored (f);

    g_assert_false (json_object_has_member (bb_record_get_fields (record), "fly_tip"));
    g_assert_cmpstr (bb_record_get_field_string (record, "pspo.order"), ==, "town_centre_pspo_2024");
  }
}

static void
test_priority_follows_category_until_chosen (Fixture       *f,
                                             gconstpointer  data)
{
  BbChoiceRow *priority;

  open_new (f, BB_KIND_PATROL_OBSERVATION);
  priority = BB_CHOICE_ROW (field (f, "priority"));
  g_assert_cmpstr (bb_choice_row_get_selected_id (priority), ==, "2");

  choose (f, "category", "observation_category", "drug_dealing");
  g_assert_cmpstr (bb_choice_row_get_selected_id (priority), ==, "3");
  choose (f, "category", "observation_category", "street_drinking");
  g_assert_cmpstr (bb_choice_row_get_selected_id (priority), ==, "2");

  bb_choice_row_set_selected_id (priority, "4");
  choose (f, "category", "observation_category", "drug_dealing");
  g_assert_cmpstr (bb_choice_row_get_selected_id (priority), ==, "4");
}

static void
test_last_ward_and_place_are_defaults (Fixture       *f,
                                       gconstpointer  data)
{
  g_autofree char *place = NULL;

  open_new (f, BB_KIND_PATROL_OBSERVATION);
  fill_observation (f);
  g_assert_true (bb_editor_save (f->editor));

  show_editor (f, bb_editor_new (f->session, BB_KIND_VAWG_WALK, NULL, NULL, NULL));
  g_assert_cmpstr (bb_choice_row_get_selected_id (BB_CHOICE_ROW (field (f, "ward"))), ==, "temple_hill");
  place = read_text (f, "place");
  g_assert_cmpstr (place, ==, "Crossways Boulevard");
  g_assert_false (bb_editor_get_modified (f->editor));
}

/* A place saved more than an hour ago is offered, not filled in: one key
 * (Enter in the empty field) takes it. */
static void
test_old_place_is_offered_not_assumed (Fixture       *f,
                                       gconstpointer  data)
{
  BbStore *store = bb_session_get_store (f->session);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_minutes (now, -90);
  g_autofree char *then_iso = g_date_time_format_iso8601 (then);
  g_autofree char *place = NULL;
  g_autofree char *taken = NULL;
  GtkWidget *row;

  g_assert_true (bb_store_set_meta (store, "editor.last_ward", "town", NULL));
  g_assert_true (bb_store_set_meta (store, "editor.last_place", "Joyce Green Lane", NULL));
  g_assert_true (bb_store_set_meta (store, "editor.last_place_at", then_iso, NULL));

  open_new (f, BB_KIND_S59_WARNING);
  g_assert_cmpstr (bb_choice_row_get_selected_id (BB_CHOICE_ROW (field (f, "ward"))), ==, "town");
  place = read_text (f, "place");
  g_assert_cmpstr (place, ==, "");
  g_assert_cmpstr (bb_editor_get_suggestion (f->editor, "place"), ==, "Joyce Green Lane");

  /* Enter in the empty place takes the offer. */
  row = field (f, "place");
  gtk_widget_grab_focus (row);
  g_signal_emit_by_name (row, "entry-activated");
  taken = read_text (f, "place");
  g_assert_cmpstr (taken, ==, "Joyce Green Lane");
  g_assert_null (bb_editor_get_suggestion (f->editor, "place"));
  g_assert_true (bb_editor_get_modified (f->editor));

  /* Within the hour it is filled in as before. */
  g_clear_pointer (&then_iso, g_free);
  g_clear_pointer (&place, g_free);
  then_iso = bb_time_now_iso ();
  g_assert_true (bb_store_set_meta (store, "editor.last_place_at", then_iso, NULL));
  open_new (f, BB_KIND_PATROL_OBSERVATION);
  place = read_text (f, "place");
  g_assert_cmpstr (place, ==, "Joyce Green Lane");
}

static void
test_repeat_last_keeps_the_setting_not_the_incident (Fixture       *f,
                                                     gconstpointer  data)
{
  g_autoptr(BbRecord) previous = NULL;
  g_autofree char *description = NULL;
  g_autofree char *vrm = NULL;
  g_autofree char *colour = NULL;

  open_new (f, BB_KIND_PATROL_OBSERVATION);
  fill_observation (f);
  set_count (f, "people_involved", 4);
  click (f, "vehicles/add");
  type_text (f, "vehicles[0].vrm", "AB12CDE");
  type_text (f, "vehicles[0].colour", "Blue");
  g_assert_true (bb_editor_save (f->editor));
  previous = stored (f);

  show_editor (f, bb_editor_new_from_previous (f->session, previous));
  g_assert_cmpstr (bb_editor_get_kind (f->editor), ==, BB_KIND_PATROL_OBSERVATION);
  g_assert_cmpstr (bb_choice_row_get_selected_id (BB_CHOICE_ROW (field (f, "category"))), ==,
                   "nuisance_vehicle");
  description = read_text (f, "description");
  g_assert_cmpstr (description, ==, "");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (field (f, "people_involved"))), ==, 0);
  vrm = read_text (f, "vehicles[0].vrm");
  g_assert_cmpstr (vrm, ==, "");
  colour = read_text (f, "vehicles[0].colour");
  g_assert_cmpstr (colour, ==, "Blue");

  /* The new record is a record of its own. */
  type_text (f, "description", "Second car, same car park.");
  g_assert_true (bb_editor_save (f->editor));
  g_assert_cmpuint (count_records (f), ==, 2);
  g_assert_cmpstr (bb_record_get_id (f->saved), !=, bb_record_get_id (previous));
}

static void
test_removing_an_item_renumbers_the_rest (Fixture       *f,
                                          gconstpointer  data)
{
  g_autofree char *vrm = NULL;

  open_new (f, BB_KIND_PATROL_OBSERVATION);
  click (f, "vehicles/add");
  click (f, "vehicles/add");
  type_text (f, "vehicles[0].vrm", "AB12CDE");
  type_text (f, "vehicles[1].vrm", "CD34EFG");
  click (f, "vehicles[0]/remove");

  g_assert_null (bb_editor_get_field_widget (f->editor, "vehicles[1].vrm"));
  vrm = bb_vrm_normalise (gtk_editable_get_text (GTK_EDITABLE (field (f, "vehicles[0].vrm"))));
  g_assert_cmpstr (vrm, ==, "CD34EFG");
}

static void
test_ward_search_matches_any_word (Fixture       *f,
                                   gconstpointer  data)
{
  GtkWidget *ward;
  GtkListBox *list;
  guint shown = 0;

  g_assert_true (bb_choice_label_matches ("Wilmington, Sutton-at-Hone & Hawley", "sutton"));
  g_assert_true (bb_choice_label_matches ("Wilmington, Sutton-at-Hone & Hawley", "haw wil"));
  g_assert_true (bb_choice_label_matches ("Joyden's Wood", "joydens"));
  g_assert_false (bb_choice_label_matches ("Town", "temple"));
  g_assert_false (bb_choice_label_matches ("Stone House", "ton"));

  open_new (f, BB_KIND_PATROL_OBSERVATION);
  ward = field (f, "ward");
  g_assert_true (BB_IS_CHOICE_ROW (ward));
  list = bb_choice_row_get_list (BB_CHOICE_ROW (ward));
  gtk_widget_activate (ward);
  for (guint i = 0; i < 100 && !gtk_widget_get_mapped (GTK_WIDGET (list)); i++)
    wait_ms (20);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (list)));
  gtk_editable_set_text (bb_choice_row_get_search_entry (BB_CHOICE_ROW (ward)), "hill");
  wait_ms (400);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (gtk_widget_get_child_visible (row))
      {
        const char *label = g_object_get_data (G_OBJECT (row), "bb-label");

        if (strstr (label, "Hill") == NULL)
          g_error ("“%s” shown for “hill”", label);
        shown++;
      }
  g_assert_cmpuint (shown, ==, 2);

  /* Enter takes the first match. */
  g_signal_emit_by_name (bb_choice_row_get_search_entry (BB_CHOICE_ROW (ward)), "activate");
  g_assert_cmpstr (bb_choice_row_get_selected_id (BB_CHOICE_ROW (ward)), ==, "temple_hill");

  /* Enter straight after typing, before the search entry's delayed
   * "search-changed" has narrowed the list (a quick typist, a loaded
   * machine), takes the first match of what was typed, not the first ward. */
  gtk_widget_activate (ward);
  for (guint i = 0; i < 100 && !gtk_widget_get_mapped (GTK_WIDGET (list)); i++)
    wait_ms (20);
  gtk_editable_set_text (bb_choice_row_get_search_entry (BB_CHOICE_ROW (ward)), "town");
  g_signal_emit_by_name (bb_choice_row_get_search_entry (BB_CHOICE_ROW (ward)), "activate");
  g_assert_cmpstr (bb_choice_row_get_selected_id (BB_CHOICE_ROW (ward)), ==, "town");
}

static gboolean
focus_is_in (Fixture    *f,
             const char *path)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (f->window));
  GtkWidget *widget = field (f, path);

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static void
test_keyboard_flow (Fixture       *f,
                    gconstpointer  data)
{
  open_new (f, BB_KIND_PATROL_OBSERVATION);
  fill_observation (f);
  g_assert_true (bb_editor_save (f->editor));
  g_clear_object (&f->saved);

  /* The next record: ward and place are known, so typing starts at the
   * category. */
  open_new (f, BB_KIND_PATROL_OBSERVATION);
  gtk_widget_grab_focus (GTK_WIDGET (f->editor));
  g_assert_true (focus_is_in (f, "category"));

  /* Tab follows the form, one stop per field. */
  gtk_widget_grab_focus (field (f, "place"));
  gtk_widget_child_focus (f->window, GTK_DIR_TAB_FORWARD);
  g_assert_true (focus_is_in (f, "lat"));
  gtk_widget_child_focus (f->window, GTK_DIR_TAB_FORWARD);
  g_assert_true (focus_is_in (f, "lon"));

  /* Enter in a field moves on; it never submits half a form. */
  type_text (f, "crime_reference", "CR/0412/26");
  gtk_widget_grab_focus (field (f, "crime_reference"));
  g_signal_emit_by_name (field (f, "crime_reference"), "entry-activated");
  g_assert_false (focus_is_in (f, "crime_reference"));
  g_assert_null (f->saved);
  g_assert_cmpuint (count_records (f), ==, 1);
}

/* The picker's search takes the focus when it opens (a picker whose button
 * could not take focus kept it from the popover too, so typing went nowhere)
 * and gives it back to the button when it closes. */
static void
test_picker_search_takes_the_focus (Fixture       *f,
                                    gconstpointer  data)
{
  GtkWidget *category;
  GtkEditable *search;

  open_new (f, BB_KIND_PATROL_OBSERVATION);
  category = field (f, "category");
  search = bb_choice_row_get_search_entry (BB_CHOICE_ROW (category));

  gtk_widget_grab_focus (category);
  g_assert_true (focus_is_in (f, "category"));
  bb_choice_row_open (BB_CHOICE_ROW (category));
  for (guint i = 0; i < 100 && !gtk_widget_get_mapped (GTK_WIDGET (search)); i++)
    wait_ms (20);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (search)));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (search)) ||
                 gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f->window)), GTK_WIDGET (search)));

  /* Enter takes the highlighted match and moves on to the next empty
   * required field (the ward of a first record). */
  gtk_editable_set_text (search, "asb");
  wait_ms (100);
  g_signal_emit_by_name (search, "activate");
  g_assert_cmpstr (bb_choice_row_get_selected_id (BB_CHOICE_ROW (category)), ==, "asb_youths");
  g_assert_false (focus_is_in (f, "category"));

  /* Escape closes it and the focus is back on the picker. */
  gtk_widget_grab_focus (category);
  bb_choice_row_open (BB_CHOICE_ROW (category));
  for (guint i = 0; i < 100 && !gtk_widget_get_mapped (GTK_WIDGET (search)); i++)
    wait_ms (20);
  g_signal_emit_by_name (search, "stop-search");
  wait_ms (100);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (search)));
  g_assert_true (focus_is_in (f, "category"));
}

static void
test_local_times_convert_to_utc (void)
{
  g_autoptr(GTimeZone) london = bb_time_zone_local ("Europe/London");
  struct {
    const char *text;
    const char *iso;
  } cases[] = {
    { "2026-03-01 21:14", "2026-03-01T21:14:00Z" },
    { "2026-07-01 21:14", "2026-07-01T20:14:00Z" },
    { "01/07/2026 21:14", "2026-07-01T20:14:00Z" },
    { "2026-07-01T21:14:30", "2026-07-01T20:14:30Z" },
    { "2026-02-30 10:00", NULL },
    { "2026-03-01 24:00", NULL },
    { "2026-03-01", NULL },
    { "21:14", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *iso = bb_date_row_parse_local (cases[i].text, london);

      g_assert_cmpstr (iso, ==, cases[i].iso);
    }

  {
    g_autofree char *shown = bb_date_row_format_local ("2026-07-01T20:14:00Z", london);
    g_autofree char *date = bb_date_row_parse_date ("17/05/2001");
    g_autofree char *bad = bb_date_row_parse_date ("2001-13-01");

    g_assert_cmpstr (shown, ==, "2026-07-01 21:14");
    g_assert_cmpstr (date, ==, "2001-05-17");
    g_assert_null (bad);
  }
}

static GtkWidget *
find_text (GtkWidget  *widget,
           const char *text)
{
  if (GTK_IS_INSCRIPTION (widget) && g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (widget)), text) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_text (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* How many lines @text takes in @widget's font at its allocated width. */
static int
lines_needed (GtkWidget  *widget,
              const char *text)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);

  pango_layout_set_width (layout, gtk_widget_get_width (widget) * PANGO_SCALE);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  return pango_layout_get_line_count (layout);
}

/* At 360 px a long choice wraps, whole, inside the window (the ends of
 * "Wilmington, Sutton-at-Hone & Hawley" or of a strategy priority are what
 * tell them apart); a short one stays on one line. */
static void
test_long_choice_wraps_not_cut (void)
{
  const char *long_label = "2 · Serious violent crime, including violence against women and girls (VAWG) and domestic abuse";
  BbChoice choices[] = {
    { (char *) "short", (char *) "ASB youths" },
    { (char *) "long", (char *) long_label },
  };
  g_autoptr(PangoLayout) one_line = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_list_box_new ();
  GtkWidget *row = bb_choice_row_new ();
  GtkWidget *value;
  graphene_rect_t bounds;
  int width, line_height, lines;

  for (guint i = 0; i < G_N_ELEMENTS (choices); i++)
    g_ptr_array_add (list, &choices[i]);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), "CSP priority");
  bb_choice_row_set_choices (BB_CHOICE_ROW (row), list, NULL);
  gtk_list_box_append (GTK_LIST_BOX (box), row);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);

  bb_choice_row_set_selected_id (BB_CHOICE_ROW (row), "long");
  gtk_window_present (GTK_WINDOW (window));
  wait_ms (300);
  width = gtk_widget_get_width (window);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (width, <=, 360);

  value = find_text (row, long_label);
  g_assert_nonnull (value);
  g_assert_true (gtk_widget_compute_bounds (value, window, &bounds));
  g_test_message ("value at x %.0f, %.0f x %.0f, in a window %d wide",
                  bounds.origin.x, bounds.size.width, bounds.size.height, width);
  /* Inside the window... */
  g_assert_cmpfloat (bounds.origin.x, >=, 0);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, width);
  /* ...and tall enough for every line the text takes at that width (a
   * pixel a line of rounding aside: a cut line would be missing whole). */
  one_line = gtk_widget_create_pango_layout (value, "Ag");
  pango_layout_get_pixel_size (one_line, NULL, &line_height);
  lines = lines_needed (value, long_label);
  g_assert_cmpint (lines, >, 1);
  g_assert_cmpfloat (bounds.size.height + lines, >=, lines * line_height);

  bb_choice_row_set_selected_id (BB_CHOICE_ROW (row), "short");
  wait_ms (150);
  value = find_text (row, "ASB youths");
  g_assert_nonnull (value);
  g_assert_cmpint (lines_needed (value, "ASB youths"), ==, 1);
  g_assert_cmpint (gtk_widget_get_height (value), <, 2 * line_height);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      g_printerr ("test-editor: no display, skipping (run under xvfb-run -a)\n");
      return 77;
    }
  adw_init ();

#define ADD(path, func) g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)
  ADD ("/editor/patrol-observation/saves-what-was-entered", test_observation_saves);
  ADD ("/editor/s59-warning/saves-what-was-entered", test_s59_saves);
  ADD ("/editor/vawg-walk/saves-what-was-entered", test_walk_saves);
  ADD ("/editor/engagement-event/saves-what-was-entered", test_engagement_saves);
  ADD ("/editor/refuses/a-missing-required-field-and-names-it", test_missing_required_field_is_named);
  ADD ("/editor/refuses/an-impossible-date-of-birth-and-names-it", test_bad_date_of_birth_is_named);
  ADD ("/editor/refuses/a-warning-to-a-driver-without-their-name", test_driver_name_required_for_driver);
  ADD ("/editor/refuses/a-position-that-is-not-a-number-or-out-of-range", test_bad_position_is_named);
  ADD ("/editor/refuses/a-time-in-the-future-or-unreadable", test_future_time_is_refused);
  ADD ("/editor/warns/about-an-unrecognised-mark-and-saves-anyway", test_unrecognised_mark_warns_and_saves);
  ADD ("/editor/edit/loads-every-field-and-saves-rev-2", test_edit_loads_every_field_and_saves_rev_2);
  ADD ("/editor/sections/fly-tipping-and-pspo-follow-the-category", test_fly_tip_section_follows_category);
  ADD ("/editor/defaults/priority-follows-category-until-chosen", test_priority_follows_category_until_chosen);
  ADD ("/editor/defaults/last-ward-and-place-start-the-next-record", test_last_ward_and_place_are_defaults);
  ADD ("/editor/defaults/an-old-place-is-offered-not-assumed", test_old_place_is_offered_not_assumed);
  ADD ("/editor/repeat-last/keeps-the-setting-not-the-incident", test_repeat_last_keeps_the_setting_not_the_incident);
  ADD ("/editor/lists/removing-an-item-renumbers-the-rest", test_removing_an_item_renumbers_the_rest);
  ADD ("/editor/ward/search-matches-any-word", test_ward_search_matches_any_word);
  ADD ("/editor/keyboard/starts-at-the-first-empty-field-and-enter-never-saves", test_keyboard_flow);
  ADD ("/editor/keyboard/picker-search-takes-the-focus-and-gives-it-back", test_picker_search_takes_the_focus);
#undef ADD
  g_test_add_func ("/editor/time/local-text-converts-to-utc", test_local_times_convert_to_utc);
  g_test_add_func ("/editor/picker/a-long-choice-wraps-not-cut", test_long_choice_wraps_not_cut);

  return g_test_run ();
}
