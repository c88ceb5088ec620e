/* test-profile.c: loading and checking partnership profiles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <string.h>

#include "bb-profile.h"

/* Every list sync-api.md "Profile" names. */
static const char * const all_lists[] = {
  "wards", "partners",
  "walk_type", "age_band", "unsafe_spot_category", "observation_category",
  "action_taken", "severity", "fly_tip_size", "waste_type", "land_type",
  "pspo_order", "pspo_outcome", "offence", "alarm_distress", "vehicle_type",
  "warned_party", "delivery", "event_type", "topic", "concern",
};

static char *
fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "unit", "profiles", name, NULL);
}

static BbProfile *
load_dartford (void)
{
  g_autoptr(GError) error = NULL;
  BbProfile *profile;

  /* meson points BEATBOOK_PROFILE at data/profiles/dartford.json. */
  g_assert_nonnull (g_getenv ("BEATBOOK_PROFILE"));
  profile = bb_profile_load_default (&error);
  g_assert_no_error (error);
  g_assert_nonnull (profile);
  return profile;
}

static void
test_dartford_loads (void)
{
  g_autoptr(BbProfile) profile = load_dartford ();

  g_assert_cmpstr (bb_profile_get_id (profile), ==, "dartford");
  g_assert_cmpstr (bb_profile_get_timezone (profile), ==, "Europe/London");
  g_assert_nonnull (bb_profile_get_name (profile));
  g_assert_true (g_str_has_prefix (bb_profile_get_name (profile), "Dartford"));
}

static void
test_dartford_has_every_list (void)
{
  g_autoptr(BbProfile) profile = load_dartford ();

  for (guint i = 0; i < G_N_ELEMENTS (all_lists); i++)
    {
      GPtrArray *choices = bb_profile_get_choices (profile, all_lists[i]);

      g_test_message ("list %s", all_lists[i]);
      g_assert_nonnull (choices);
      g_assert_cmpuint (choices->len, >, 0);
      for (guint j = 0; j < choices->len; j++)
        {
          BbChoice *choice = g_ptr_array_index (choices, j);

          g_assert_cmpstr (bb_profile_get_choice_label (profile, all_lists[i], choice->id),
                           ==, choice->label);
        }
    }

  g_assert_null (bb_profile_get_choices (profile, "no_such_list"));
}

static void
test_dartford_has_the_wards_and_partners (void)
{
  g_autoptr(BbProfile) profile = load_dartford ();

  g_assert_cmpuint (bb_profile_get_choices (profile, "wards")->len, ==, 20);
  g_assert_cmpstr (bb_profile_get_choice_label (profile, "wards", "bean_village_park"),
                   ==, "Bean & Village Park");
  g_assert_true (bb_profile_has_choice (profile, "wards", "wilmington_sutton_at_hone_hawley"));
  g_assert_true (bb_profile_has_choice (profile, "wards", "joydens_wood"));
  g_assert_true (bb_profile_has_choice (profile, "partners", "kent_police"));
  g_assert_true (bb_profile_has_choice (profile, "partners", "kent_fire_and_rescue_service"));
  /* The statutory and frequent partners, and the county's adult and
   * children's services that safeguarding referrals go to. */
  g_assert_true (bb_profile_has_choice (profile, "partners", "kcc_adult_social_care"));
  g_assert_true (bb_profile_has_choice (profile, "partners", "kcc_childrens_front_door"));
  g_assert_cmpuint (bb_profile_get_choices (profile, "partners")->len, ==, 18);
  g_assert_false (bb_profile_has_choice (profile, "wards", "kent_police"));
  g_assert_false (bb_profile_has_choice (profile, "wards", NULL));
  g_assert_false (bb_profile_has_choice (profile, "wards", ""));
}

static void
test_dartford_has_the_ids_code_relies_on (void)
{
  g_autoptr(BbProfile) profile = load_dartford ();
  static const struct { const char *list; const char *id; } needed[] = {
    { "observation_category", "fly_tipping" },
    { "observation_category", "pspo_breach" },
    { "observation_category", "drug_dealing" },
    { "observation_category", "asb_youths" },
    { "observation_category", "nuisance_vehicle" },
    { "observation_category", "off_road_bike" },
    { "observation_category", "e_scooter" },
    { "observation_category", "other" },
    /* Each has a default priority in bb-kind.c. */
    { "observation_category", "weapons_knife_concern" },
    { "observation_category", "safeguarding_concern" },
    { "observation_category", "exploitation_concern" },
    { "observation_category", "hate_incident" },
    { "observation_category", "licensing_visit" },
    { "warned_party", "driver" },
    { "warned_party", "owner" },
    { "warned_party", "both" },
    { "offence", "rta_s3" },
    { "offence", "rta_s34" },
    { "age_band", "18_24" },
    { "age_band", "65_plus" },
    { "age_band", "under_18_with_adult" },
    { "severity", "low" },
    { "severity", "high" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (needed); i++)
    {
      g_test_message ("%s: %s", needed[i].list, needed[i].id);
      g_assert_true (bb_profile_has_choice (profile, needed[i].list, needed[i].id));
    }
  g_assert_cmpuint (bb_profile_get_choices (profile, "observation_category")->len, ==, 19);
}

static void
test_dartford_priorities_and_policy (void)
{
  g_autoptr(BbProfile) profile = load_dartford ();

  g_assert_true (g_str_has_prefix (bb_profile_get_priority_label (profile, 1),
                                   "Serious violent crime"));
  g_assert_true (g_str_has_prefix (bb_profile_get_priority_label (profile, 4),
                                   "Protecting vulnerable people"));
  g_assert_null (bb_profile_get_priority_label (profile, 0));
  g_assert_null (bb_profile_get_priority_label (profile, 5));

  g_assert_false (bb_profile_get_warning_required_before_seizure (profile));
  g_assert_cmpint (bb_profile_get_s59_window_days (profile), ==, 365);
  g_assert_cmpint (bb_profile_get_retention_days (profile, "vawg_walk"), ==, 1095);
  g_assert_cmpint (bb_profile_get_retention_days (profile, "s59_warning"), ==, 730);
  g_assert_cmpint (bb_profile_get_retention_days (profile, "no_such_kind"), ==, 0);
  g_assert_cmpint (bb_profile_get_device_personal_data_days (profile), ==, 30);
}

static void
test_built_in_profile_matches_the_file (void)
{
  g_autoptr(BbProfile) from_file = load_dartford ();
  g_autoptr(BbProfile) built_in = NULL;
  g_autoptr(JsonNode) a = NULL;
  g_autoptr(JsonNode) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("BEATBOOK_PROFILE"));

  g_unsetenv ("BEATBOOK_PROFILE");
  built_in = bb_profile_load_default (&error);
  g_setenv ("BEATBOOK_PROFILE", saved, TRUE);
  g_assert_no_error (error);

  a = bb_profile_to_json (from_file);
  b = bb_profile_to_json (built_in);
  g_assert_true (json_node_equal (a, b));
}

static void
test_to_json_is_a_deep_copy (void)
{
  g_autoptr(BbProfile) profile = load_dartford ();
  g_autoptr(JsonNode) copy = bb_profile_to_json (profile);
  g_autoptr(JsonNode) again = NULL;
  JsonObject *root = json_node_get_object (copy);
  JsonArray *wards = json_object_get_array_member (root, "wards");
  JsonObject *enums = json_object_get_object_member (root, "enums");

  g_assert_cmpstr (json_object_get_string_member (root, "id"), ==, "dartford");
  g_assert_cmpuint (json_array_get_length (wards), ==, 20);
  g_assert_true (json_object_has_member (enums, "concern"));
  g_assert_true (json_object_has_member (json_object_get_object_member (root, "policy"),
                                         "retention_days"));

  json_array_remove_element (wards, 0);
  json_object_remove_member (enums, "concern");

  again = bb_profile_to_json (profile);
  root = json_node_get_object (again);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "wards")), ==, 20);
  g_assert_true (json_object_has_member (json_object_get_object_member (root, "enums"),
                                         "concern"));
}

static void
test_minimal_profile_loads (void)
{
  g_autofree char *path = fixture_path ("minimal.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(BbProfile) profile = bb_profile_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (bb_profile_get_id (profile), ==, "testshire");
  g_assert_cmpuint (bb_profile_get_choices (profile, "walk_type")->len, ==, 3);
  g_assert_cmpuint (bb_profile_get_choices (profile, "concern")->len, ==, 0);
  g_assert_true (bb_profile_get_warning_required_before_seizure (profile));
  g_assert_cmpint (bb_profile_get_retention_days (profile, "patrol_observation"), ==, 0);
  g_assert_cmpint (bb_profile_get_retention_days (profile, "s59_warning"), ==, 730);
  g_assert_cmpstr (bb_profile_get_priority_label (profile, 2), ==, "Anti-social behaviour");
}

static void
assert_load_fails (const char *name,
                   int         code,
                   const char *expected)
{
  g_autofree char *path = fixture_path (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(BbProfile) profile = bb_profile_new_from_file (path, &error);

  g_assert_null (profile);
  g_assert_error (error, BB_PROFILE_ERROR, code);
  g_test_message ("%s", error->message);
  if (strstr (error->message, expected) == NULL)
    g_error ("expected “%s” in “%s”", expected, error->message);
}

static void
test_not_json_is_a_syntax_error (void)
{
  assert_load_fails ("not-json.json", BB_PROFILE_ERROR_SYNTAX, "not-json.json:1:");
}

static void
test_truncated_file_is_a_syntax_error (void)
{
  /* The file has 20 lines; the parser runs out of text after the last one. */
  assert_load_fails ("truncated.json", BB_PROFILE_ERROR_SYNTAX, "truncated.json:21:");
}

static void
test_missing_wards_is_named (void)
{
  assert_load_fails ("missing-wards.json", BB_PROFILE_ERROR_INVALID,
                     "missing-wards.json:1: “wards” is missing");
}

static void
test_duplicate_id_names_both_lines (void)
{
  assert_load_fails ("duplicate-id.json", BB_PROFILE_ERROR_INVALID,
                     "duplicate-id.json:8: wards[2]: “id” “north” is used twice");
  assert_load_fails ("duplicate-id.json", BB_PROFILE_ERROR_INVALID, "line 6");
}

static void
test_label_not_text_is_named (void)
{
  assert_load_fails ("label-not-string.json", BB_PROFILE_ERROR_INVALID,
                     "label-not-string.json:22: enums.walk_type[2]: “label” must be text");
}

static void
test_missing_id_points_at_the_start_of_the_entry (void)
{
  /* The entry spans lines 22 to 25; the error points where it starts. */
  assert_load_fails ("id-missing.json", BB_PROFILE_ERROR_INVALID,
                     "id-missing.json:22: enums.walk_type[2]: “id” is missing");
}

static void
test_priority_out_of_range_is_named (void)
{
  assert_load_fails ("priorities-wrong.json", BB_PROFILE_ERROR_INVALID,
                     "priorities-wrong.json:16: priorities[3]: “id” must be from 1 to 4");
}

static void
test_missing_enum_is_named (void)
{
  assert_load_fails ("enum-missing.json", BB_PROFILE_ERROR_INVALID,
                     "enum-missing.json:18: enums: “topic” is missing");
}

static void
test_policy_type_is_checked (void)
{
  assert_load_fails ("policy-wrong.json", BB_PROFILE_ERROR_INVALID,
                     "policy-wrong.json:46: policy.retention_days: “s59_warning” must be a whole number");
}

static void
test_unknown_file_is_not_found (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbProfile) profile = bb_profile_new_from_file ("no-such-profile.json", &error);

  g_assert_null (profile);
  g_assert_error (error, BB_PROFILE_ERROR, BB_PROFILE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no-such-profile.json"));
}

static void
assert_data_fails (const char *json,
                   int         code,
                   const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbProfile) profile = bb_profile_new_from_data (json, -1, "inline.json", &error);

  g_assert_null (profile);
  g_assert_error (error, BB_PROFILE_ERROR, code);
  g_test_message ("%s", error->message);
  if (strstr (error->message, expected) == NULL)
    g_error ("expected “%s” in “%s”", expected, error->message);
}

static void
test_other_shapes_are_refused (void)
{
  assert_data_fails ("", BB_PROFILE_ERROR_SYNTAX, "inline.json:1: the file is empty");
  assert_data_fails ("[1, 2]", BB_PROFILE_ERROR_INVALID, "inline.json:1: a profile must be a JSON object");
  assert_data_fails ("{\n\"id\": \"x\",\n\"id\": \"y\"}", BB_PROFILE_ERROR_INVALID,
                     "inline.json:3: “id” appears twice");
  assert_data_fails ("{\"id\": \"Dart Ford\"}", BB_PROFILE_ERROR_INVALID,
                     "inline.json:1: “id” “Dart Ford” may only use");
  assert_data_fails ("{\"id\": \"x\", \"name\": \"  \"}", BB_PROFILE_ERROR_INVALID,
                     "“name” is empty");
  assert_data_fails ("{\"id\": \"x\", \"name\": \"X\", \"timezone\": \"Europe/London\",\n"
                     "\"wards\": []}", BB_PROFILE_ERROR_INVALID,
                     "inline.json:2: wards: the list is empty");
  assert_data_fails ("{\"id\": \"x\", \"name\": \"X\", \"timezone\": \"Europe/London\",\n"
                     "\"wards\": [\"north\"]}", BB_PROFILE_ERROR_INVALID,
                     "inline.json:2: wards[0]: must be an object");
  assert_data_fails ("{\"id\": \"x\", \"name\": \"X\", \"timezone\": \"Europe/London\",\n"
                     "\"wards\": {\"north\": \"North\"}}", BB_PROFILE_ERROR_INVALID,
                     "inline.json:2: wards: must be a list");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/profile/dartford/loads", test_dartford_loads);
  g_test_add_func ("/profile/dartford/has-every-list-of-the-api", test_dartford_has_every_list);
  g_test_add_func ("/profile/dartford/has-the-wards-and-partners", test_dartford_has_the_wards_and_partners);
  g_test_add_func ("/profile/dartford/has-the-ids-code-relies-on", test_dartford_has_the_ids_code_relies_on);
  g_test_add_func ("/profile/dartford/has-priorities-and-policy", test_dartford_priorities_and_policy);
  g_test_add_func ("/profile/built-in/matches-the-file", test_built_in_profile_matches_the_file);
  g_test_add_func ("/profile/to-json/is-a-deep-copy", test_to_json_is_a_deep_copy);
  g_test_add_func ("/profile/minimal/loads", test_minimal_profile_loads);
  g_test_add_func ("/profile/broken/not-json-is-a-syntax-error", test_not_json_is_a_syntax_error);
  g_test_add_func ("/profile/broken/truncated-is-a-syntax-error", test_truncated_file_is_a_syntax_error);
  g_test_add_func ("/profile/broken/missing-wards-is-named", test_missing_wards_is_named);
  g_test_add_func ("/profile/broken/duplicate-id-names-both-lines", test_duplicate_id_names_both_lines);
  g_test_add_func ("/profile/broken/label-not-text-is-named", test_label_not_text_is_named);
  g_test_add_func ("/profile/broken/missing-id-points-at-the-entry", test_missing_id_points_at_the_start_of_the_entry);
  g_test_add_func ("/profile/broken/priority-out-of-range-is-named", test_priority_out_of_range_is_named);
  g_test_add_func ("/profile/broken/missing-enum-is-named", test_missing_enum_is_named);
  g_test_add_func ("/profile/broken/policy-type-is-checked", test_policy_type_is_checked);
  g_test_add_func ("/profile/broken/unknown-file-is-not-found", test_unknown_file_is_not_found);
  g_test_add_func ("/profile/broken/other-shapes-are-refused", test_other_shapes_are_refused);

  return g_test_run ();
}
