/* test-validate.c: the rules every entry point applies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "beatbook.h"

static BbProfile *profile;

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static GPtrArray *
validate (const char *kind,
          const char *occurred_at,
          int         priority,
          const char *fields_json)
{
  g_autoptr(JsonObject) fields = parse_object (fields_json);
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 3, 2, 12, 0, 0);

  return bb_validate_record (profile, kind, occurred_at, priority, fields, now);
}

/* The problem at @path, or NULL. */
static const BbProblem *
find_problem (GPtrArray  *problems,
              const char *path)
{
  for (guint i = 0; i < problems->len; i++)
    {
      const BbProblem *p = g_ptr_array_index (problems, i);

      if (g_strcmp0 (p->path, path) == 0)
        return p;
    }
  return NULL;
}

static void
assert_only_error_at (GPtrArray  *problems,
                      const char *path)
{
  const BbProblem *p = find_problem (problems, path);

  if (p == NULL || p->severity != BB_PROBLEM_ERROR)
    {
      g_autofree char *all = bb_problems_to_string (problems);
      g_error ("expected an error at %s, got: %s", path, all);
    }
  for (guint i = 0; i < problems->len; i++)
    {
      const BbProblem *q = g_ptr_array_index (problems, i);

      if (q->severity == BB_PROBLEM_ERROR && g_strcmp0 (q->path, path) != 0)
        g_error ("unexpected error at %s: %s", q->path, q->message);
    }
  g_assert_cmpstr (p->code, !=, NULL);
  g_assert_cmpuint (strlen (p->message), >, 5);
}

static void
assert_valid (GPtrArray *problems)
{
  if (bb_problems_have_errors (problems))
    {
      g_autofree char *all = bb_problems_to_string (problems);
      g_error ("expected no errors, got: %s", all);
    }
}

#define T "2026-03-01T21:14:00Z"

static const char *valid_walk =
  "{\"ward\": \"town\", \"place\": \"High Street\", \"walk_type\": \"group_walk\","
  " \"route\": \"Market Place to Central Park\", \"officers_present\": [\"PCSO 4521\"],"
  " \"partners\": [\"kent_police\", \"victim_support\"], \"public_engaged\": 12,"
  " \"unsafe_spots\": [{\"place\": \"Westgate car park\", \"ward\": \"town\","
  "   \"category\": \"poor_street_lighting\", \"description\": \"Two lamps out\"}],"
  " \"reports_taken\": 0, \"streetsafe_reports\": 2, \"referrals\": [],"
  " \"follow_up\": \"Report lighting\", \"ended_at\": \"2026-03-01T22:30:00Z\","
  " \"lat\": 51.4433, \"lon\": 0.2187}";

static const char *valid_observation =
  "{\"ward\": \"joydens_wood\", \"place\": \"Joyce Green Lane\", \"category\": \"fly_tipping\","
  " \"description\": \"Mattresses and rubble\", \"people_involved\": 0,"
  " \"vehicles\": [{\"vrm\": \"AB12 CDE\", \"make\": \"Ford\", \"model\": \"Transit\", \"colour\": \"white\"}],"
  " \"action_taken\": \"report\", \"severity\": \"medium\","
  " \"fly_tip\": {\"size\": \"small_van_load\", \"waste_type\": \"construction_demolition\","
  "   \"land_type\": \"highway\", \"evidence_checked\": true}}";

static const char *valid_s59 =
  "{\"ward\": \"greenhithe_knockhall\", \"place\": \"Crossways Boulevard\", \"offence\": \"rta_s3\","
  " \"alarm_distress\": \"is_causing\", \"circumstances\": \"Car cruising, wheel spins\","
  " \"vehicle\": {\"type\": \"car\", \"vrm\": \"ab12cde\", \"make\": \"BMW\"},"
  " \"warned_party\": \"driver\","
  " \"driver\": {\"name\": \"A Driver\", \"date_of_birth\": \"1990-04-01\", \"postcode\": \"DA1 1AA\"},"
  " \"delivery\": \"notice_handed_over\", \"bwv_reference\": \"BWV-1\","
  " \"seizure\": {\"seized_at\": \"2026-03-01T21:30:00Z\", \"ground\": \"second warning\", \"notice_served\": true}}";

static const char *valid_event =
  "{\"ward\": \"heath\", \"place\": \"Dartford Heath\", \"event_type\": \"community_engagement_day\","
  " \"title\": \"Heath fire safety day\", \"attendees\": 85, \"topics\": [\"fire_safety_wildfire\", \"asb\"],"
  " \"concerns\": [{\"concern\": \"nuisance_bikes_vehicles\", \"count\": 7}],"
  " \"items_distributed\": 120, \"actions\": [{\"text\": \"Extra patrols\", \"owner\": \"Ward team\", \"due\": \"2026-04-01\"}]}";

static void
test_valid_records_of_every_kind (void)
{
  g_autoptr(GPtrArray) a = validate ("vawg_walk", T, 1, valid_walk);
  g_autoptr(GPtrArray) b = validate ("patrol_observation", T, 2, valid_observation);
  g_autoptr(GPtrArray) c = validate ("s59_warning", T, 2, valid_s59);
  g_autoptr(GPtrArray) d = validate ("engagement_event", T, 4, valid_event);

  assert_valid (a);
  assert_valid (b);
  assert_valid (c);
  assert_valid (d);
  g_assert_cmpuint (a->len, ==, 0);
  g_assert_cmpuint (d->len, ==, 0);
}

static void
test_required_fields_are_all_reported (void)
{
  g_autoptr(GPtrArray) problems = validate ("s59_warning", T, 2, "{}");
  const char *required[] = { "ward", "offence", "alarm_distress", "circumstances",
                             "vehicle", "warned_party" };

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      const BbProblem *p = find_problem (problems, required[i]);

      g_assert_nonnull (p);
      g_assert_cmpint (p->severity, ==, BB_PROBLEM_ERROR);
      g_assert_cmpstr (p->code, ==, "invalid_field");
    }
}

static void
test_empty_text_counts_as_missing (void)
{
  g_autoptr(GPtrArray) problems =
    validate ("engagement_event", T, 4,
              "{\"ward\": \"heath\", \"event_type\": \"ward_surgery\", \"title\": \"   \", \"attendees\": 3}");

  assert_only_error_at (problems, "title");
}

static void
test_unknown_keys_are_rejected (void)
{
  g_autoptr(GPtrArray) top = validate ("engagement_event", T, 4,
    "{\"ward\": \"heath\", \"event_type\": \"ward_surgery\", \"title\": \"x\", \"attendees\": 3, \"atendees\": 4}");
  g_autoptr(GPtrArray) nested = validate ("patrol_observation", T, 2,
    "{\"ward\": \"town\", \"category\": \"asb_youths\", \"description\": \"x\","
    " \"vehicles\": [{\"vrm\": \"AB12CDE\"}, {\"vrm\": \"AB12CDE\", \"wheels\": 4}]}");

  assert_only_error_at (top, "atendees");
  assert_only_error_at (nested, "vehicles[1].wheels");
}

static void
test_derived_keys_are_refused (void)
{
  g_autoptr(GPtrArray) problems = validate ("s59_warning", T, 2,
    "{\"ward\": \"town\", \"offence\": \"rta_s34\", \"alarm_distress\": \"is_causing\","
    " \"circumstances\": \"x\", \"vehicle\": {\"type\": \"off_road_bike\", \"vrm_normalised\": \"X\"},"
    " \"warned_party\": \"owner\", \"expires_at\": \"2027-03-01T21:14:00Z\"}");

  g_assert_nonnull (find_problem (problems, "vehicle.vrm_normalised"));
  g_assert_nonnull (find_problem (problems, "expires_at"));
}

static void
test_enum_ids_come_from_the_profile (void)
{
  g_autoptr(GPtrArray) ward = validate ("vawg_walk", T, 1, "{\"ward\": \"atlantis\", \"walk_type\": \"group_walk\"}");
  g_autoptr(GPtrArray) list = validate ("vawg_walk", T, 1,
    "{\"ward\": \"town\", \"walk_type\": \"group_walk\", \"partners\": [\"kent_police\", \"nobody\"]}");
  g_autoptr(GPtrArray) nested = validate ("vawg_walk", T, 1,
    "{\"ward\": \"town\", \"walk_type\": \"group_walk\", \"unsafe_spots\": [{\"category\": \"ghosts\"}]}");
  g_autoptr(GPtrArray) label = validate ("vawg_walk", T, 1, "{\"ward\": \"Town\", \"walk_type\": \"group_walk\"}");

  assert_only_error_at (ward, "ward");
  g_assert_nonnull (strstr (((BbProblem *)g_ptr_array_index (ward, 0))->message, "atlantis"));
  assert_only_error_at (list, "partners[1]");
  assert_only_error_at (nested, "unsafe_spots[0].category");
  /* A label is not an id. */
  assert_only_error_at (label, "ward");
}

static void
test_counts_are_whole_and_not_negative (void)
{
  g_autoptr(GPtrArray) negative = validate ("engagement_event", T, 4,
    "{\"ward\": \"heath\", \"event_type\": \"ward_surgery\", \"title\": \"x\", \"attendees\": -1}");
  g_autoptr(GPtrArray) fraction = validate ("engagement_event", T, 4,
    "{\"ward\": \"heath\", \"event_type\": \"ward_surgery\", \"title\": \"x\", \"attendees\": 2.5}");
  g_autoptr(GPtrArray) text = validate ("engagement_event", T, 4,
    "{\"ward\": \"heath\", \"event_type\": \"ward_surgery\", \"title\": \"x\", \"attendees\": \"12\"}");
  g_autoptr(GPtrArray) nested = validate ("engagement_event", T, 4,
    "{\"ward\": \"heath\", \"event_type\": \"ward_surgery\", \"title\": \"x\", \"attendees\": 0,"
    " \"concerns\": [{\"concern\": \"robbery\", \"count\": -3}]}");

  assert_only_error_at (negative, "attendees");
  assert_only_error_at (fraction, "attendees");
  assert_only_error_at (text, "attendees");
  assert_only_error_at (nested, "concerns[0].count");
}

static void
test_times_and_dates (void)
{
  g_autoptr(GPtrArray) bad_time = validate ("vawg_walk", "yesterday", 1, "{\"ward\": \"town\", \"walk_type\": \"group_walk\"}");
  g_autoptr(GPtrArray) future = validate ("vawg_walk", "2026-03-02T12:30:00Z", 1, "{\"ward\": \"town\", \"walk_type\": \"group_walk\"}");
  g_autoptr(GPtrArray) skew = validate ("vawg_walk", "2026-03-02T12:05:00Z", 1, "{\"ward\": \"town\", \"walk_type\": \"group_walk\"}");
  g_autoptr(GPtrArray) ended = validate ("vawg_walk", T, 1,
    "{\"ward\": \"town\", \"walk_type\": \"group_walk\", \"ended_at\": \"2026-03-01T20:00:00Z\"}");
  g_autoptr(GPtrArray) dob = validate ("s59_warning", T, 2,
    "{\"ward\": \"town\", \"offence\": \"rta_s3\", \"alarm_distress\": \"is_causing\", \"circumstances\": \"x\","
    " \"vehicle\": {\"type\": \"car\"}, \"warned_party\": \"driver\","
    " \"driver\": {\"name\": \"A Driver\", \"date_of_birth\": \"1990-02-30\"}}");
  g_autoptr(GPtrArray) due = validate ("engagement_event", T, 4,
    "{\"ward\": \"heath\", \"event_type\": \"ward_surgery\", \"title\": \"x\", \"attendees\": 1,"
    " \"actions\": [{\"text\": \"x\", \"due\": \"next week\"}]}");

  assert_only_error_at (bad_time, "occurred_at");
  assert_only_error_at (future, "occurred_at");
  assert_valid (skew);
  assert_only_error_at (ended, "ended_at");
  assert_only_error_at (dob, "driver.date_of_birth");
  assert_only_error_at (due, "actions[0].due");
}

/* The edges themselves: 10 minutes ahead is allowed, a second more is
 * not; each pole and the antimeridian are on the map, a hair beyond is
 * not. (Mutating any comparison to < or >= fails one of these.) */
static void
test_exact_boundaries (void)
{
  static const struct {
    const char *occurred_at;
    const char *extra;       /* inside the fields object */
    const char *error_at;    /* NULL: valid */
  } cases[] = {
    { "2026-03-02T12:10:00Z", "", NULL },
    { "2026-03-02T12:10:01Z", "", "occurred_at" },
    { "2026-03-02T12:09:59Z", "", NULL },
    { T, ", \"lat\": 90, \"lon\": 0", NULL },
    { T, ", \"lat\": 90.000001, \"lon\": 0", "lat" },
    { T, ", \"lat\": -90, \"lon\": 0", NULL },
    { T, ", \"lat\": -90.000001, \"lon\": 0", "lat" },
    { T, ", \"lat\": 0, \"lon\": 180", NULL },
    { T, ", \"lat\": 0, \"lon\": 180.000001", "lon" },
    { T, ", \"lat\": 0, \"lon\": -180", NULL },
    { T, ", \"lat\": 0, \"lon\": -180.000001", "lon" },
  };

  g_assert_cmpint (BB_FUTURE_SKEW_SECONDS, ==, 600);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *fields = g_strdup_printf ("{\"ward\": \"town\", \"walk_type\": \"group_walk\"%s}",
                                                 cases[i].extra);
      g_autoptr(GPtrArray) problems = validate ("vawg_walk", cases[i].occurred_at, 1, fields);

      g_test_message ("case %u: %s %s", i, cases[i].occurred_at, cases[i].extra);
      if (cases[i].error_at == NULL)
        assert_valid (problems);
      else
        assert_only_error_at (problems, cases[i].error_at);
    }
}

static void
test_latitude_and_longitude (void)
{
  g_autoptr(GPtrArray) only_lat = validate ("vawg_walk", T, 1, "{\"ward\": \"town\", \"walk_type\": \"group_walk\", \"lat\": 51.4}");
  g_autoptr(GPtrArray) only_lon = validate ("vawg_walk", T, 1, "{\"ward\": \"town\", \"walk_type\": \"group_walk\", \"lon\": 0.2}");
  g_autoptr(GPtrArray) range = validate ("vawg_walk", T, 1,
    "{\"ward\": \"town\", \"walk_type\": \"group_walk\", \"lat\": 91, \"lon\": 0.2}");
  g_autoptr(GPtrArray) lon_range = validate ("vawg_walk", T, 1,
    "{\"ward\": \"town\", \"walk_type\": \"group_walk\", \"lat\": 51, \"lon\": -180.5}");
  g_autoptr(GPtrArray) text = validate ("vawg_walk", T, 1,
    "{\"ward\": \"town\", \"walk_type\": \"group_walk\", \"lat\": \"51\", \"lon\": 0}");
  g_autoptr(GPtrArray) ints = validate ("vawg_walk", T, 1,
    "{\"ward\": \"town\", \"walk_type\": \"group_walk\", \"lat\": 51, \"lon\": 0}");

  assert_only_error_at (only_lat, "lon");
  assert_only_error_at (only_lon, "lat");
  assert_only_error_at (range, "lat");
  assert_only_error_at (lon_range, "lon");
  assert_only_error_at (text, "lat");
  assert_valid (ints);
}

/* A walk's optional waypoints: a place each, and a position that is whole
 * and in range when given. */
static void
test_walk_waypoints (void)
{
  g_autoptr(GPtrArray) good = validate ("vawg_walk", T, 1,
    "{\"ward\": \"town\", \"walk_type\": \"group_walk\", \"waypoints\": ["
    "{\"place\": \"Central Park gates\", \"lat\": 51.4452, \"lon\": 0.2148},"
    "{\"place\": \"Westgate car park\"}]}");
  g_autoptr(GPtrArray) no_place = validate ("vawg_walk", T, 1,
    "{\"ward\": \"town\", \"walk_type\": \"group_walk\", \"waypoints\": [{\"lat\": 51.4, \"lon\": 0.2}]}");
  g_autoptr(GPtrArray) half = validate ("vawg_walk", T, 1,
    "{\"ward\": \"town\", \"walk_type\": \"group_walk\", \"waypoints\": ["
    "{\"place\": \"A\"}, {\"place\": \"B\", \"lat\": 51.4}]}");
  g_autoptr(GPtrArray) range = validate ("vawg_walk", T, 1,
    "{\"ward\": \"town\", \"walk_type\": \"group_walk\", \"waypoints\": ["
    "{\"place\": \"B\", \"lat\": 51.4, \"lon\": 181}]}");
  g_autoptr(GPtrArray) unknown = validate ("vawg_walk", T, 1,
    "{\"ward\": \"town\", \"walk_type\": \"group_walk\", \"waypoints\": [{\"place\": \"B\", \"height\": 3}]}");

  assert_valid (good);
  assert_only_error_at (no_place, "waypoints[0].place");
  assert_only_error_at (half, "waypoints[1].lon");
  assert_only_error_at (range, "waypoints[0].lon");
  g_assert_nonnull (find_problem (unknown, "waypoints[0].height"));
}

static void
test_conditional_parts (void)
{
  g_autoptr(GPtrArray) fly = validate ("patrol_observation", T, 2,
    "{\"ward\": \"town\", \"category\": \"fly_tipping\", \"description\": \"bags\"}");
  g_autoptr(GPtrArray) fly_part = validate ("patrol_observation", T, 2,
    "{\"ward\": \"town\", \"category\": \"fly_tipping\", \"description\": \"bags\","
    " \"fly_tip\": {\"size\": \"single_bag\", \"waste_type\": \"household\"}}");
  g_autoptr(GPtrArray) pspo = validate ("patrol_observation", T, 2,
    "{\"ward\": \"town\", \"category\": \"pspo_breach\", \"description\": \"drinking\"}");
  g_autoptr(GPtrArray) pspo_ok = validate ("patrol_observation", T, 2,
    "{\"ward\": \"town\", \"category\": \"pspo_breach\", \"description\": \"drinking\","
    " \"pspo\": {\"order\": \"town_centre_pspo_2024\", \"prohibition\": \"alcohol\", \"outcome\": \"complied\"}}");
  g_autoptr(GPtrArray) driver = validate ("s59_warning", T, 2,
    "{\"ward\": \"town\", \"offence\": \"rta_s3\", \"alarm_distress\": \"is_causing\", \"circumstances\": \"x\","
    " \"vehicle\": {\"type\": \"car\"}, \"warned_party\": \"both\"}");
  g_autoptr(GPtrArray) owner = validate ("s59_warning", T, 2,
    "{\"ward\": \"town\", \"offence\": \"rta_s3\", \"alarm_distress\": \"is_causing\", \"circumstances\": \"x\","
    " \"vehicle\": {\"type\": \"car\"}, \"warned_party\": \"owner\"}");
  g_autoptr(GPtrArray) vehicle_type = validate ("s59_warning", T, 2,
    "{\"ward\": \"town\", \"offence\": \"rta_s3\", \"alarm_distress\": \"is_causing\", \"circumstances\": \"x\","
    " \"vehicle\": {\"vrm\": \"AB12CDE\"}, \"warned_party\": \"owner\"}");

  assert_only_error_at (fly, "fly_tip");
  assert_only_error_at (fly_part, "fly_tip.land_type");
  assert_only_error_at (pspo, "pspo");
  assert_valid (pspo_ok);
  assert_only_error_at (driver, "driver.name");
  assert_valid (owner);
  assert_only_error_at (vehicle_type, "vehicle.type");
}

static void
test_unrecognised_mark_is_a_warning (void)
{
  g_autoptr(GPtrArray) problems = validate ("patrol_observation", T, 2,
    "{\"ward\": \"town\", \"category\": \"nuisance_vehicle\", \"description\": \"x\","
    " \"vehicles\": [{\"vrm\": \"AB12 CDE\"}, {\"vrm\": \"WXY-99-ZZ-1\"}]}");
  const BbProblem *p = find_problem (problems, "vehicles[1].vrm");

  g_assert_false (bb_problems_have_errors (problems));
  g_assert_nonnull (p);
  g_assert_cmpint (p->severity, ==, BB_PROBLEM_WARNING);
  g_assert_null (find_problem (problems, "vehicles[0].vrm"));
}

static void
test_priority_and_types (void)
{
  g_autoptr(GPtrArray) zero = validate ("vawg_walk", T, 0, "{\"ward\": \"town\", \"walk_type\": \"group_walk\"}");
  g_autoptr(GPtrArray) five = validate ("vawg_walk", T, 5, "{\"ward\": \"town\", \"walk_type\": \"group_walk\"}");
  g_autoptr(GPtrArray) types = validate ("patrol_observation", T, 2,
    "{\"ward\": \"town\", \"category\": \"asb_youths\", \"description\": \"x\", \"vehicles\": {\"vrm\": \"A1\"},"
    " \"fly_tip\": [1], \"referred_to\": \"kent_police\", \"crime_reference\": 42}");
  g_autoptr(GPtrArray) toolong = NULL;
  g_autofree char *long_place = g_strnfill (201, 'x');
  g_autofree char *json = g_strdup_printf ("{\"ward\": \"town\", \"walk_type\": \"group_walk\", \"place\": \"%s\"}", long_place);

  toolong = validate ("vawg_walk", T, 1, json);
  assert_only_error_at (zero, "priority");
  assert_only_error_at (five, "priority");
  g_assert_nonnull (find_problem (types, "vehicles"));
  g_assert_nonnull (find_problem (types, "fly_tip"));
  g_assert_nonnull (find_problem (types, "referred_to"));
  g_assert_nonnull (find_problem (types, "crime_reference"));
  g_assert_cmpuint (types->len, ==, 4);
  assert_only_error_at (toolong, "place");
}

static void
test_unknown_kind (void)
{
  g_autoptr(GPtrArray) problems = validate ("parking_ticket", T, 2, "{}");
  const BbProblem *p;

  g_assert_cmpuint (problems->len, ==, 1);
  p = g_ptr_array_index (problems, 0);
  g_assert_cmpstr (p->code, ==, "unknown_kind");
}

static GPtrArray *
validate_change (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 3, 2, 12, 0, 0);

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  return bb_validate_change (profile, json_parser_get_root (parser), now);
}

static void
test_change_envelope (void)
{
  g_autofree char *good_json = g_strdup_printf (
    "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"kind\": \"vawg_walk\", \"rev\": 1,"
    " \"base_rev\": 0, \"deleted\": false, \"occurred_at\": \"%s\", \"priority\": 1,"
    " \"fields\": %s}", T, valid_walk);
  g_autoptr(GPtrArray) good = validate_change (good_json);
  g_autoptr(GPtrArray) bad_id = validate_change (
    "{\"id\": \"42\", \"kind\": \"vawg_walk\", \"rev\": 1, \"base_rev\": 0, \"occurred_at\": \"" T "\","
    " \"priority\": 1, \"fields\": {\"ward\": \"town\", \"walk_type\": \"group_walk\"}}");
  g_autoptr(GPtrArray) extra = validate_change (
    "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"kind\": \"vawg_walk\", \"rev\": 1, \"base_rev\": 0,"
    " \"occurred_at\": \"" T "\", \"priority\": 1, \"author\": \"me\","
    " \"fields\": {\"ward\": \"town\", \"walk_type\": \"group_walk\"}}");
  g_autoptr(GPtrArray) revs = validate_change (
    "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"kind\": \"vawg_walk\", \"rev\": 2, \"base_rev\": 2,"
    " \"occurred_at\": \"" T "\", \"priority\": 1, \"fields\": {\"ward\": \"town\", \"walk_type\": \"group_walk\"}}");
  g_autoptr(GPtrArray) tombstone = validate_change (
    "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"kind\": \"vawg_walk\", \"rev\": 3, \"base_rev\": 2,"
    " \"deleted\": true}");
  g_autoptr(GPtrArray) kind = validate_change (
    "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"kind\": \"memo\", \"rev\": 1, \"base_rev\": 0}");
  g_autoptr(GPtrArray) not_object = validate_change ("[1, 2]");
  g_autoptr(GPtrArray) field = validate_change (
    "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"kind\": \"vawg_walk\", \"rev\": 1, \"base_rev\": 0,"
    " \"occurred_at\": \"" T "\", \"priority\": 1, \"fields\": {\"ward\": \"town\"}}");

  assert_valid (good);
  assert_only_error_at (bad_id, "id");
  assert_only_error_at (extra, "author");
  assert_only_error_at (revs, "base_rev");
  assert_valid (tombstone);
  g_assert_cmpstr (((BbProblem *)g_ptr_array_index (kind, 0))->code, ==, "unknown_kind");
  g_assert_true (bb_problems_have_errors (not_object));
  assert_only_error_at (field, "walk_type");
}

static void
test_problems_print_as_path_and_message (void)
{
  g_autoptr(GPtrArray) problems = validate ("engagement_event", T, 4, "{\"ward\": \"heath\", \"attendees\": -2}");
  g_autofree char *text = bb_problems_to_string (problems);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_true (g_str_has_prefix (lines[0], "attendees: "));
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);

  profile = bb_profile_load_default (&error);
  g_assert_no_error (error);

  g_test_add_func ("/validate/every-kind/accepts-a-complete-record", test_valid_records_of_every_kind);
  g_test_add_func ("/validate/required/reports-every-missing-field", test_required_fields_are_all_reported);
  g_test_add_func ("/validate/required/blank-text-is-missing", test_empty_text_counts_as_missing);
  g_test_add_func ("/validate/keys/unknown-keys-are-rejected-with-their-path", test_unknown_keys_are_rejected);
  g_test_add_func ("/validate/keys/derived-keys-are-refused", test_derived_keys_are_refused);
  g_test_add_func ("/validate/enums/ids-come-from-the-profile", test_enum_ids_come_from_the_profile);
  g_test_add_func ("/validate/counts/are-whole-and-not-negative", test_counts_are_whole_and_not_negative);
  g_test_add_func ("/validate/times/future-skew-end-and-dates", test_times_and_dates);
  g_test_add_func ("/validate/location/lat-and-lon-go-together-in-range", test_latitude_and_longitude);
  g_test_add_func ("/validate/location/walk-waypoints-have-a-place-and-a-whole-position", test_walk_waypoints);
  g_test_add_func ("/validate/edges/skew-poles-and-antimeridian-exactly", test_exact_boundaries);
  g_test_add_func ("/validate/rules/conditional-parts", test_conditional_parts);
  g_test_add_func ("/validate/vrm/unrecognised-mark-is-a-warning", test_unrecognised_mark_is_a_warning);
  g_test_add_func ("/validate/types/priority-types-and-lengths", test_priority_and_types);
  g_test_add_func ("/validate/kind/unknown-kind", test_unknown_kind);
  g_test_add_func ("/validate/change/envelope", test_change_envelope);
  g_test_add_func ("/validate/problems/print-as-path-and-message", test_problems_print_as_path_and_message);

  {
    int ret = g_test_run ();

    g_clear_object (&profile);
    return ret;
  }
}
