/* test-record.c: records, their JSON codec and derived fields
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "beatbook.h"

static BbProfile *profile;

static JsonNode *
parse (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  return json_node_ref (json_parser_get_root (parser));
}

static char *
to_string (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

static void
test_new_record_defaults (void)
{
  g_autoptr(BbRecord) a = bb_record_new (BB_KIND_ENGAGEMENT_EVENT);
  g_autoptr(BbRecord) b = bb_record_new (BB_KIND_ENGAGEMENT_EVENT);
  g_autoptr(GDateTime) occurred = bb_time_parse (bb_record_get_occurred_at (a));

  g_assert_true (bb_uuid_is_valid (bb_record_get_id (a)));
  g_assert_cmpstr (bb_record_get_id (a), !=, bb_record_get_id (b));
  /* UUID version 4 */
  g_assert_cmpint (bb_record_get_id (a)[14], ==, '4');
  g_assert_cmpint (bb_record_get_rev (a), ==, 0);
  g_assert_cmpint (bb_record_get_priority (a), ==, 4);
  g_assert_nonnull (occurred);
  g_assert_cmpstr (bb_record_get_review_state (a), ==, "new");
  g_assert_cmpint (bb_record_get_sync_state (a), ==, BB_SYNC_STATE_PENDING);
  g_assert_cmpuint (json_object_get_size (bb_record_get_fields (a)), ==, 0);
}

static void
test_pull_shape_round_trip (void)
{
  g_autoptr(JsonNode) in = parse (
    "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"kind\": \"s59_warning\", \"rev\": 3, \"seq\": 41,"
    " \"deleted\": false, \"occurred_at\": \"2026-03-01T21:14:00Z\", \"updated_at\": \"2026-03-01T22:00:00Z\","
    " \"priority\": 2, \"author\": {\"id\": \"u1\", \"display_name\": \"PCSO 4521\", \"role\": \"officer\"},"
    " \"fields\": {\"ward\": \"town\", \"vehicle\": {\"type\": \"car\", \"vrm\": \"AB12CDE\"},"
    "   \"driver\": {\"name\": \"A Driver\"}, \"notes\": \"line1\\nline2 \\\"quoted\\\" café\"},"
    " \"review\": {\"state\": \"returned\", \"comments\": [{\"author\": \"Sergeant\", \"at\": \"2026-03-02T09:00:00Z\", \"text\": \"Add the BWV reference\"}]}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(BbRecord) record = bb_record_new_from_json (in, &error);
  g_autoptr(JsonNode) out = NULL;
  g_autoptr(BbRecord) again = NULL;
  g_autofree char *s1 = NULL;
  g_autofree char *s2 = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (bb_record_get_rev (record), ==, 3);
  g_assert_cmpint (bb_record_get_seq (record), ==, 41);
  g_assert_cmpstr (bb_record_get_author_name (record), ==, "PCSO 4521");
  g_assert_cmpstr (bb_record_get_review_state (record), ==, "returned");
  g_assert_cmpuint (json_array_get_length (bb_record_get_review_comments (record)), ==, 1);
  g_assert_cmpstr (bb_record_get_field_string (record, "vehicle.vrm"), ==, "AB12CDE");
  g_assert_cmpstr (bb_record_get_field_string (record, "driver.name"), ==, "A Driver");
  g_assert_null (bb_record_get_field_string (record, "driver.nope"));

  out = bb_record_to_json (record, TRUE);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (out), "sync_state"), ==, "pending");
  again = bb_record_new_from_json (out, &error);
  g_assert_no_error (error);

  /* What goes out comes back the same. */
  {
    g_autoptr(JsonNode) a = bb_record_to_json (record, FALSE);
    g_autoptr(JsonNode) b = bb_record_to_json (again, FALSE);

    s1 = to_string (a);
    s2 = to_string (b);
    g_assert_cmpstr (s1, ==, s2);
  }
  g_assert_nonnull (strstr (s1, "caf\xc3\xa9"));
}

static void
test_change_shape_has_exactly_the_contract_keys (void)
{
  g_autoptr(BbRecord) record = bb_record_new (BB_KIND_S59_WARNING);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) vehicle = json_object_new ();
  g_autoptr(JsonNode) change = NULL;
  JsonObject *o;
  const char *keys[] = { "id", "kind", "rev", "base_rev", "deleted", "occurred_at", "priority", "fields" };

  json_object_set_string_member (vehicle, "type", "car");
  json_object_set_string_member (vehicle, "vrm", "ab12 cde");
  json_object_set_object_member (fields, "vehicle", json_object_ref (vehicle));
  json_object_set_string_member (fields, "ward", "town");
  bb_fields_add_derived (BB_KIND_S59_WARNING, "2026-03-01T21:14:00Z", fields);
  bb_record_set_fields (record, fields);
  bb_record_set_rev (record, 2);
  bb_record_set_base_rev (record, 1);

  change = bb_record_to_change_json (record);
  o = json_node_get_object (change);
  g_assert_cmpuint (json_object_get_size (o), ==, G_N_ELEMENTS (keys));
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_assert_true (json_object_has_member (o, keys[i]));
  g_assert_cmpint (json_object_get_int_member (o, "base_rev"), ==, 1);

  /* Derived fields never go out... */
  o = json_object_get_object_member (o, "fields");
  g_assert_false (json_object_has_member (o, "regime"));
  g_assert_false (json_object_has_member (o, "expires_at"));
  g_assert_false (json_object_has_member (json_object_get_object_member (o, "vehicle"), "vrm_normalised"));
  /* ...and the record itself keeps them. */
  g_assert_true (json_object_has_member (bb_record_get_fields (record), "expires_at"));
}

static void
test_derived_fields (void)
{
  g_autoptr(JsonNode) node = parse (
    "{\"ward\": \"town\", \"vehicles\": [{\"vrm\": \"ab12 cde\"}, {\"vrm\": \"TRADE 1\"}, {\"make\": \"Ford\"}]}");
  JsonObject *fields = json_node_get_object (node);
  JsonArray *vehicles;
  g_autoptr(JsonNode) s59 = parse ("{\"vehicle\": {\"type\": \"car\", \"vrm\": \"A123BCD\"}}");
  JsonObject *s59_fields = json_node_get_object (s59);

  bb_fields_add_derived (BB_KIND_PATROL_OBSERVATION, "2026-03-01T21:14:00Z", fields);
  g_assert_cmpstr (json_object_get_string_member (fields, "regime"), ==, "law_enforcement");
  g_assert_false (json_object_has_member (fields, "expires_at"));
  vehicles = json_object_get_array_member (fields, "vehicles");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (vehicles, 0), "vrm_normalised"), ==, "AB12CDE");
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (vehicles, 0), "vrm_recognised"));
  g_assert_false (json_object_get_boolean_member (json_array_get_object_element (vehicles, 1), "vrm_recognised"));
  g_assert_false (json_object_has_member (json_array_get_object_element (vehicles, 2), "vrm_normalised"));

  bb_fields_add_derived (BB_KIND_S59_WARNING, "2024-02-29T10:00:00Z", s59_fields);
  g_assert_cmpstr (json_object_get_string_member (s59_fields, "expires_at"), ==, "2025-02-28T10:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (s59_fields, "vehicle"), "vrm_normalised"), ==, "A123BCD");

  bb_fields_strip_derived (BB_KIND_PATROL_OBSERVATION, fields);
  g_assert_false (json_object_has_member (fields, "regime"));
  g_assert_false (json_object_has_member (json_array_get_object_element (vehicles, 0), "vrm_normalised"));
  g_assert_false (json_object_has_member (json_array_get_object_element (vehicles, 0), "vrm_recognised"));
}

static void
test_regime_follows_the_kind (void)
{
  const char *kinds[] = { BB_KIND_S59_WARNING, BB_KIND_PATROL_OBSERVATION, BB_KIND_ENGAGEMENT_EVENT };
  const char *regimes[] = { "law_enforcement", "law_enforcement", "uk_gdpr" };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr(JsonObject) fields = json_object_new ();

      bb_fields_add_derived (kinds[i], "2026-03-01T21:14:00Z", fields);
      g_assert_cmpstr (json_object_get_string_member (fields, "regime"), ==, regimes[i]);
    }
}

static void
test_bad_json_is_refused (void)
{
  const char *bad[] = {
    "[]",
    "{\"kind\": \"vawg_walk\", \"occurred_at\": \"2026-03-01T21:14:00Z\"}",
    "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"kind\": \"memo\", \"occurred_at\": \"2026-03-01T21:14:00Z\"}",
    "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"kind\": \"vawg_walk\", \"rev\": \"3\", \"occurred_at\": \"2026-03-01T21:14:00Z\"}",
    "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"kind\": \"vawg_walk\", \"fields\": [], \"occurred_at\": \"2026-03-01T21:14:00Z\"}",
    "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"kind\": \"vawg_walk\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) node = parse (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(BbRecord) record = bb_record_new_from_json (node, &error);

      g_assert_null (record);
      g_assert_error (error, BB_RECORD_ERROR, BB_RECORD_ERROR_INVALID);
    }
}

static void
test_copy_is_deep (void)
{
  g_autoptr(JsonNode) node = parse (
    "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"kind\": \"patrol_observation\","
    " \"occurred_at\": \"2026-03-01T21:14:00Z\", \"fields\": {\"vehicles\": [{\"vrm\": \"AB12CDE\"}]}}");
  g_autoptr(BbRecord) record = bb_record_new_from_json (node, NULL);
  g_autoptr(BbRecord) copy = bb_record_copy (record);
  JsonObject *vehicle = json_array_get_object_element (
    json_object_get_array_member (bb_record_get_fields (copy), "vehicles"), 0);

  json_object_set_string_member (vehicle, "vrm", "CHANGED");
  g_assert_cmpstr (json_object_get_string_member (
    json_array_get_object_element (json_object_get_array_member (bb_record_get_fields (record), "vehicles"), 0),
    "vrm"), ==, "AB12CDE");
  g_assert_cmpstr (bb_record_get_id (copy), ==, bb_record_get_id (record));
}

static void
test_titles (void)
{
  g_autoptr(JsonNode) obs_node = parse (
    "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"kind\": \"patrol_observation\","
    " \"occurred_at\": \"2026-03-01T21:14:00Z\", \"fields\": {\"category\": \"fly_tipping\"}}");
  g_autoptr(JsonNode) s59_node = parse (
    "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"kind\": \"s59_warning\","
    " \"occurred_at\": \"2026-03-01T21:14:00Z\", \"fields\": {\"vehicle\": {\"type\": \"car\", \"vrm\": \"ab12cde\"}}}");
  g_autoptr(JsonNode) bike_node = parse (
    "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"kind\": \"s59_warning\","
    " \"occurred_at\": \"2026-03-01T21:14:00Z\", \"fields\": {\"vehicle\": {\"type\": \"off_road_bike\"}}}");
  g_autoptr(JsonNode) event_node = parse (
    "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"kind\": \"engagement_event\","
    " \"occurred_at\": \"2026-03-01T21:14:00Z\", \"fields\": {\"title\": \"Heath day\"}}");
  g_autoptr(BbRecord) obs = bb_record_new_from_json (obs_node, NULL);
  g_autoptr(BbRecord) s59 = bb_record_new_from_json (s59_node, NULL);
  g_autoptr(BbRecord) bike = bb_record_new_from_json (bike_node, NULL);
  g_autoptr(BbRecord) event = bb_record_new_from_json (event_node, NULL);
  g_autoptr(BbRecord) empty = bb_record_new (BB_KIND_VAWG_WALK);
  g_autofree char *t1 = bb_record_dup_title (obs, profile);
  g_autofree char *t2 = bb_record_dup_title (s59, profile);
  g_autofree char *t3 = bb_record_dup_title (bike, profile);
  g_autofree char *t4 = bb_record_dup_title (event, profile);
  g_autofree char *t5 = bb_record_dup_title (empty, profile);

  g_assert_cmpstr (t1, ==, bb_profile_get_choice_label (profile, "observation_category", "fly_tipping"));
  g_assert_nonnull (strstr (t2, "AB12 CDE"));
  g_assert_nonnull (strstr (t3, bb_profile_get_choice_label (profile, "vehicle_type", "off_road_bike")));
  g_assert_cmpstr (t4, ==, "Heath day");
  g_assert_cmpstr (t5, ==, "VAWG walk");
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  profile = bb_profile_load_default (&error);
  g_assert_no_error (error);

  g_test_add_func ("/record/new/has-sensible-defaults", test_new_record_defaults);
  g_test_add_func ("/record/json/pull-shape-round-trips", test_pull_shape_round_trip);
  g_test_add_func ("/record/json/change-shape-has-exactly-the-contract-keys", test_change_shape_has_exactly_the_contract_keys);
  g_test_add_func ("/record/json/bad-json-is-refused", test_bad_json_is_refused);
  g_test_add_func ("/record/derived/marks-expiry-and-regime", test_derived_fields);
  g_test_add_func ("/record/derived/regime-follows-the-kind", test_regime_follows_the_kind);
  g_test_add_func ("/record/copy/is-deep", test_copy_is_deep);
  g_test_add_func ("/record/title/describes-the-record", test_titles);

  ret = g_test_run ();
  g_clear_object (&profile);
  return ret;
}
