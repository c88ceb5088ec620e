/* test-report.c: the partnership's figures, checked against a known data set
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "beatbook.h"

typedef struct
{
  char      *dir;
  BbStore   *store;
  BbProfile *profile;
} Fixture;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_assert_no_errno (g_unlink (child));
    }
  g_assert_no_errno (g_rmdir (path));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp ("beatbook-report-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "records.db", NULL);
  fixture->store = bb_store_open (path, &error);
  g_assert_no_error (error);
  fixture->profile = bb_profile_load_default (&error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->profile);
  remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* Saves one record with @fields_json (ward, place and the kind's fields). */
static BbRecord *
add_record (Fixture    *fixture,
            const char *kind,
            const char *occurred_at,
            int         priority,
            const char *fields_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (fields_json, &error);
  BbRecord *record;

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));

  record = bb_record_new (kind);
  bb_record_set_occurred_at (record, occurred_at);
  bb_record_set_priority (record, priority);
  bb_record_set_fields (record, json_node_get_object (node));
  bb_record_set_author (record, "7d0ac1a4-3f0e-4b55-9bd8-4c1a8a0f6b11", "PCSO 4521", "officer");
  bb_store_save_record (fixture->store, record, &error);
  g_assert_no_error (error);
  return record;
}

static void
add (Fixture    *fixture,
     const char *kind,
     const char *occurred_at,
     int         priority,
     const char *fields_json)
{
  g_autoptr(BbRecord) record = add_record (fixture, kind, occurred_at, priority, fields_json);
}

#define OBS BB_KIND_PATROL_OBSERVATION
#define S59 BB_KIND_S59_WARNING
#define EVENT BB_KIND_ENGAGEMENT_EVENT
#define WALK BB_KIND_VAWG_WALK

/* March 2026 against February 2026 (London time: GMT until 29 March, BST
 * after). The figures the tests expect are worked out by hand beside each
 * record. */
static void
add_known_data_set (Fixture *fixture)
{
  g_autoptr(BbRecord) deleted = NULL;
  g_autoptr(GError) error = NULL;

  /* March (this period): 6 observations, 2 s59, 2 events, 1 walk = 11 */
  add (fixture, OBS, "2026-03-01T00:00:00Z", 2,         /* the period's first second */
       "{\"ward\": \"town\", \"place\": \"High Street\", \"category\": \"asb_youths\"}");
  add (fixture, OBS, "2026-03-05T18:00:00Z", 2,
       "{\"ward\": \"town\", \"place\": \" high  street \", \"category\": \"asb_youths\"}");
  add (fixture, OBS, "2026-03-10T20:00:00Z", 2,
       "{\"ward\": \"darenth\", \"place\": \"Joyce Green Lane, \\\"the layby\\\"\", \"category\": \"fly_tipping\"}");
  add (fixture, OBS, "2026-03-31T22:30:00Z", 2,         /* 23:30 BST on 31 March */
       "{\"ward\": \"darenth\", \"place\": \"Joyce Green Lane, \\\"the layby\\\"\", \"category\": \"off_road_bike\"}");
  add (fixture, OBS, "2026-03-12T21:00:00Z", 2,
       "{\"ward\": \"greenhithe_knockhall\", \"place\": \"Crossways Boulevard\", \"category\": \"nuisance_vehicle\"}");
  add (fixture, OBS, "2026-03-15T14:00:00Z", 3,
       "{\"ward\": \"town\", \"place\": \"High Street\", \"category\": \"drug_dealing\"}");
  add (fixture, S59, "2026-03-03T22:15:00Z", 2,
       "{\"ward\": \"greenhithe_knockhall\", \"place\": \"Crossways Boulevard\", \"offence\": \"rta_s3\","
       " \"seizure\": {\"seized_at\": \"2026-03-03T22:40:00Z\", \"ground\": \"Second incident\"}}");
  add (fixture, S59, "2026-03-20T16:00:00Z", 2,
       "{\"ward\": \"darenth\", \"place\": \"Joyce Green Lane\", \"offence\": \"rta_s34\"}");
  add (fixture, EVENT, "2026-03-07T10:00:00Z", 4,
       "{\"ward\": \"town\", \"place\": \"Market Place\", \"attendees\": 40,"
       " \"partners\": [\"kent_police\", \"dartford_borough_council\"]}");
  add (fixture, EVENT, "2026-03-21T10:00:00Z", 4,
       "{\"ward\": \"heath\", \"place\": \"Dartford Heath\", \"attendees\": 25,"
       " \"partners\": [\"kent_police\", \"victim_support\"]}");
  add (fixture, WALK, "2026-03-14T20:00:00Z", 1,
       "{\"ward\": \"town\", \"place\": \"Central Park\", \"unsafe_spots\": ["
       "{\"place\": \"Central Park gate\", \"ward\": \"town\", \"category\": \"poor_street_lighting\"},"
       "{\"place\": \"Westgate car park\", \"ward\": \"town\", \"category\": \"cctv_gap\"}]}");

  /* Deleted: never counted. */
  deleted = add_record (fixture, OBS, "2026-03-08T12:00:00Z", 2,
                        "{\"ward\": \"town\", \"place\": \"High Street\", \"category\": \"asb_youths\"}");
  bb_store_delete_record (fixture->store, bb_record_get_id (deleted), &error);
  g_assert_no_error (error);

  /* 00:30 BST on 1 April: April, in neither period. */
  add (fixture, OBS, "2026-03-31T23:30:00Z", 2,
       "{\"ward\": \"town\", \"place\": \"High Street\", \"category\": \"asb_youths\"}");

  /* February (the previous period): 4 observations, 1 s59, 1 event = 6 */
  add (fixture, OBS, "2026-02-03T19:00:00Z", 2,
       "{\"ward\": \"town\", \"place\": \"High Street\", \"category\": \"asb_youths\"}");
  add (fixture, OBS, "2026-02-10T19:00:00Z", 2,
       "{\"ward\": \"town\", \"place\": \"HIGH STREET\", \"category\": \"asb_youths\"}");
  add (fixture, OBS, "2026-02-14T19:00:00Z", 2,
       "{\"ward\": \"town\", \"place\": \"High Street\", \"category\": \"asb_youths\"}");
  add (fixture, OBS, "2026-02-20T11:00:00Z", 2,
       "{\"ward\": \"darenth\", \"place\": \"joyce green lane, \\\"the layby\\\"\", \"category\": \"fly_tipping\"}");
  add (fixture, S59, "2026-02-11T23:00:00Z", 2,
       "{\"ward\": \"darenth\", \"place\": \"Joyce Green Lane\", \"offence\": \"rta_s34\","
       " \"seizure\": {\"seized_at\": \"2026-02-11T23:30:00Z\"}}");
  add (fixture, EVENT, "2026-02-28T23:59:59Z", 4,      /* the previous period's last second */
       "{\"ward\": \"town\", \"place\": \"Market Place\", \"attendees\": 30,"
       " \"partners\": [\"kent_police\"]}");

  /* January: before both periods. */
  add (fixture, OBS, "2026-01-31T12:00:00Z", 2,
       "{\"ward\": \"town\", \"place\": \"High Street\", \"category\": \"asb_youths\"}");
}

static BbReport *
make_report (Fixture    *fixture,
             const char *from,
             const char *to)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbReport) report = bb_report_new (fixture->profile, from, to, &error);

  g_assert_no_error (error);
  g_assert_nonnull (report);
  bb_report_set_generated_by (report, "Sergeant (supervisor)");
  bb_report_set_generated_at (report, "2026-04-01T08:00:00Z");
  bb_report_collect (report, fixture->store, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&report);
}

static void
assert_item (BbReport   *report,
             const char *section,
             const char *key,
             gint64      current,
             gint64      previous,
             const char *change)
{
  const BbReportItem *item = bb_report_find_item (report, section, key);
  g_autofree char *got = NULL;

  if (item == NULL)
    g_error ("no item “%s” in section “%s”", key, section);
  g_assert_cmpint (item->current, ==, current);
  g_assert_cmpint (item->previous, ==, previous);
  got = bb_report_format_change (item->current, item->previous);
  g_assert_cmpstr (got, ==, change);
}

static void
assert_n_items (BbReport   *report,
                const char *section,
                guint       n)
{
  GPtrArray *items = bb_report_get_items (report, section);

  g_assert_nonnull (items);
  g_assert_cmpuint (items->len, ==, n);
}

static void
test_period_bounds (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbProfile) profile = bb_profile_load_default (&error);
  struct {
    const char *from, *to, *from_utc, *to_utc, *previous_from_utc, *previous_from_date;
  } cases[] = {
    /* GMT to BST (clocks went forward on 29 March 2026) */
    { "2026-03-01", "2026-04-01", "2026-03-01T00:00:00Z", "2026-03-31T23:00:00Z",
      "2026-02-01T00:00:00Z", "2026-02-01" },
    /* BST to GMT (clocks go back on 25 October 2026) */
    { "2026-10-01", "2026-11-01", "2026-09-30T23:00:00Z", "2026-11-01T00:00:00Z",
      "2026-08-31T23:00:00Z", "2026-09-01" },
    /* A quarter against the quarter before, not 91 days before */
    { "2026-04-01", "2026-07-01", "2026-03-31T23:00:00Z", "2026-06-30T23:00:00Z",
      "2026-01-01T00:00:00Z", "2026-01-01" },
    /* A year against the year before */
    { "2025-04-01", "2026-04-01", "2025-03-31T23:00:00Z", "2026-03-31T23:00:00Z",
      "2024-03-31T23:00:00Z", "2024-04-01" },
    /* A week: the same number of days before */
    { "2026-03-26", "2026-04-02", "2026-03-26T00:00:00Z", "2026-04-01T23:00:00Z",
      "2026-03-19T00:00:00Z", "2026-03-19" },
  };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BbReport) report = bb_report_new (profile, cases[i].from, cases[i].to, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (bb_report_get_from_utc (report), ==, cases[i].from_utc);
      g_assert_cmpstr (bb_report_get_to_utc (report), ==, cases[i].to_utc);
      g_assert_cmpstr (bb_report_get_previous_from_utc (report), ==, cases[i].previous_from_utc);
      g_assert_cmpstr (bb_report_get_previous_from_date (report), ==, cases[i].previous_from_date);
      g_assert_cmpstr (bb_report_get_from_date (report), ==, cases[i].from);
      g_assert_cmpstr (bb_report_get_to_date (report), ==, cases[i].to);
    }
}

static void
test_period_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbProfile) profile = bb_profile_load_default (&error);
  struct { const char *from, *to, *named; } cases[] = {
    { "2026-02-30", "2026-04-01", "2026-02-30" },
    { "2026-3-1", "2026-04-01", "2026-3-1" },
    { "yesterday", "2026-04-01", "yesterday" },
    { "2026-03-01", "2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z" },
    { "", "2026-04-01", "from" },
    { "2026-03-01", NULL, "to" },
    { "2026-04-01", "2026-04-01", "2026-04-01" },
    { "2026-04-01", "2026-03-01", "2026-03-01" },
  };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BbReport) report = bb_report_new (profile, cases[i].from, cases[i].to, &error);

      g_assert_null (report);
      g_assert_error (error, BB_REPORT_ERROR, BB_REPORT_ERROR_INVALID_PERIOD);
      if (strstr (error->message, cases[i].named) == NULL)
        g_error ("“%s” does not name “%s”", error->message, cases[i].named);
      g_clear_error (&error);
    }
}

static void
test_change_format (void)
{
  struct { gint64 current, previous; const char *expected; } cases[] = {
    { 12, 17, "-29.4%" },
    { 3, 2, "+50.0%" },
    { 5, 5, "0.0%" },
    { 2, 3, "-33.3%" },
    { 1, 3, "-66.7%" },
    { 0, 4, "-100.0%" },
    { 65, 30, "+116.7%" },
    { 10001, 10000, "0.0%" },   /* +0.01%: not "+0.0%" */
    { 9999, 10000, "0.0%" },    /* -0.01%: not "-0.0%" */
    { 10005, 10000, "+0.1%" },  /* half a tenth rounds away from zero */
    { 1, 0, NULL },
    { 0, 0, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = bb_report_format_change (cases[i].current, cases[i].previous);

      g_assert_cmpstr (got, ==, cases[i].expected);
    }
}

static void
test_figures (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(BbReport) report = NULL;
  const BbReportItem *item;

  add_known_data_set (fixture);
  report = make_report (fixture, "2026-03-01", "2026-04-01");

  assert_item (report, BB_REPORT_SECTION_TOTAL, "records", 11, 6, "+83.3%");

  assert_n_items (report, BB_REPORT_SECTION_KIND, 4);
  assert_item (report, BB_REPORT_SECTION_KIND, OBS, 6, 4, "+50.0%");
  assert_item (report, BB_REPORT_SECTION_KIND, S59, 2, 1, "+100.0%");
  assert_item (report, BB_REPORT_SECTION_KIND, EVENT, 2, 1, "+100.0%");
  assert_item (report, BB_REPORT_SECTION_KIND, WALK, 1, 0, NULL);

  assert_n_items (report, BB_REPORT_SECTION_PRIORITY, 4);
  assert_item (report, BB_REPORT_SECTION_PRIORITY, "1", 1, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_PRIORITY, "2", 7, 5, "+40.0%");
  assert_item (report, BB_REPORT_SECTION_PRIORITY, "3", 1, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_PRIORITY, "4", 2, 1, "+100.0%");
  item = bb_report_find_item (report, BB_REPORT_SECTION_PRIORITY, "2");
  g_assert_nonnull (strstr (item->label, "anti-social behaviour"));

  /* Every ward of the profile, quiet ones too, in the profile's order. */
  assert_n_items (report, BB_REPORT_SECTION_WARD,
                  bb_profile_get_choices (fixture->profile, "wards")->len);
  assert_item (report, BB_REPORT_SECTION_WARD, "town", 5, 4, "+25.0%");
  assert_item (report, BB_REPORT_SECTION_WARD, "darenth", 3, 2, "+50.0%");
  assert_item (report, BB_REPORT_SECTION_WARD, "greenhithe_knockhall", 2, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_WARD, "heath", 1, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_WARD, "brent", 0, 0, NULL);
  item = g_ptr_array_index (bb_report_get_items (report, BB_REPORT_SECTION_WARD), 0);
  g_assert_cmpstr (item->key, ==, "bean_village_park");
  item = bb_report_find_item (report, BB_REPORT_SECTION_WARD, "greenhithe_knockhall");
  g_assert_cmpstr (item->label, ==, "Greenhithe & Knockhall");

  assert_n_items (report, BB_REPORT_SECTION_PRIORITY_WARD, 7);
  assert_item (report, BB_REPORT_SECTION_PRIORITY_WARD, "1/town", 1, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_PRIORITY_WARD, "2/town", 2, 3, "-33.3%");
  assert_item (report, BB_REPORT_SECTION_PRIORITY_WARD, "2/darenth", 3, 2, "+50.0%");
  assert_item (report, BB_REPORT_SECTION_PRIORITY_WARD, "2/greenhithe_knockhall", 2, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_PRIORITY_WARD, "3/town", 1, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_PRIORITY_WARD, "4/town", 1, 1, "0.0%");
  assert_item (report, BB_REPORT_SECTION_PRIORITY_WARD, "4/heath", 1, 0, NULL);

  assert_n_items (report, BB_REPORT_SECTION_MONTH, 1);
  assert_item (report, BB_REPORT_SECTION_MONTH, "2026-03", 11, 6, "+83.3%");
  item = bb_report_find_item (report, BB_REPORT_SECTION_MONTH, "2026-03");
  g_assert_cmpstr (item->previous_key, ==, "2026-02");
  g_assert_cmpstr (item->label, ==, "March 2026");
  g_assert_cmpstr (item->previous_label, ==, "February 2026");

  assert_n_items (report, BB_REPORT_SECTION_CATEGORY,
                  bb_profile_get_choices (fixture->profile, "observation_category")->len);
  assert_item (report, BB_REPORT_SECTION_CATEGORY, "asb_youths", 2, 3, "-33.3%");
  assert_item (report, BB_REPORT_SECTION_CATEGORY, "fly_tipping", 1, 1, "0.0%");
  assert_item (report, BB_REPORT_SECTION_CATEGORY, "off_road_bike", 1, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_CATEGORY, "nuisance_vehicle", 1, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_CATEGORY, "drug_dealing", 1, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_CATEGORY, "street_drinking", 0, 0, NULL);

  /* "How much ASB did we log per ward against last period" */
  assert_n_items (report, BB_REPORT_SECTION_CATEGORY_WARD, 5);
  assert_item (report, BB_REPORT_SECTION_CATEGORY_WARD, "asb_youths/town", 2, 3, "-33.3%");
  assert_item (report, BB_REPORT_SECTION_CATEGORY_WARD, "fly_tipping/darenth", 1, 1, "0.0%");
  assert_item (report, BB_REPORT_SECTION_CATEGORY_WARD, "off_road_bike/darenth", 1, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_CATEGORY_WARD, "nuisance_vehicle/greenhithe_knockhall", 1, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_CATEGORY_WARD, "drug_dealing/town", 1, 0, NULL);
  item = g_ptr_array_index (bb_report_get_items (report, BB_REPORT_SECTION_CATEGORY_WARD), 0);
  g_assert_cmpstr (item->label, ==, "ASB youths · Town");

  /* Places typed differently are one place; most observations first. */
  assert_n_items (report, BB_REPORT_SECTION_HOTSPOT, 3);
  item = g_ptr_array_index (bb_report_get_items (report, BB_REPORT_SECTION_HOTSPOT), 0);
  g_assert_cmpstr (item->label, ==, "High Street (Town)");
  g_assert_cmpint (item->current, ==, 3);
  g_assert_cmpint (item->previous, ==, 3);
  item = g_ptr_array_index (bb_report_get_items (report, BB_REPORT_SECTION_HOTSPOT), 1);
  g_assert_cmpstr (item->label, ==, "Joyce Green Lane, \"the layby\" (Darenth)");
  g_assert_cmpint (item->current, ==, 2);
  g_assert_cmpint (item->previous, ==, 1);
  item = g_ptr_array_index (bb_report_get_items (report, BB_REPORT_SECTION_HOTSPOT), 2);
  g_assert_cmpstr (item->label, ==, "Crossways Boulevard (Greenhithe & Knockhall)");
  g_assert_cmpint (item->current, ==, 1);
  g_assert_cmpint (item->previous, ==, 0);

  assert_item (report, BB_REPORT_SECTION_S59, "warnings", 2, 1, "+100.0%");
  assert_item (report, BB_REPORT_SECTION_S59, "seizures", 1, 1, "0.0%");

  assert_item (report, BB_REPORT_SECTION_ENGAGEMENT, "events", 2, 1, "+100.0%");
  assert_item (report, BB_REPORT_SECTION_ENGAGEMENT, "attendees", 65, 30, "+116.7%");
  assert_item (report, BB_REPORT_SECTION_ENGAGEMENT, "partners", 3, 1, "+200.0%");

  assert_item (report, BB_REPORT_SECTION_VAWG, "walks", 1, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_VAWG, "unsafe_spots", 2, 0, NULL);
  assert_n_items (report, BB_REPORT_SECTION_UNSAFE_SPOT,
                  bb_profile_get_choices (fixture->profile, "unsafe_spot_category")->len);
  assert_item (report, BB_REPORT_SECTION_UNSAFE_SPOT, "poor_street_lighting", 1, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_UNSAFE_SPOT, "cctv_gap", 1, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_UNSAFE_SPOT, "vandalism", 0, 0, NULL);
}

static void
test_hotspot_limit (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbReport) report = NULL;
  const BbReportItem *item;

  add_known_data_set (fixture);
  report = bb_report_new (fixture->profile, "2026-03-01", "2026-04-01", &error);
  g_assert_no_error (error);
  bb_report_set_hotspot_limit (report, 2);
  bb_report_collect (report, fixture->store, NULL, &error);
  g_assert_no_error (error);

  assert_n_items (report, BB_REPORT_SECTION_HOTSPOT, 2);
  item = g_ptr_array_index (bb_report_get_items (report, BB_REPORT_SECTION_HOTSPOT), 1);
  g_assert_cmpint (item->current, ==, 2);
}

/* Observations with coordinates by 100 m cells, labelled by the place typed
 * most in each; the rest by place text. Points near Dartford's town centre
 * (a degree of latitude is 111.3 km, of longitude there 69.4 km). */
static void
test_hotspots_by_grid (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(BbReport) report = NULL;
  GPtrArray *items;
  const BbReportItem *first, *second, *typed;
  gint64 total = 0;

  /* Three reports within 20 m of each other, the place typed three ways:
   * one cell, named by the spelling used twice. */
  add (fixture, OBS, "2026-03-03T21:00:00Z", 2,
       "{\"ward\": \"town\", \"place\": \"Joyce Green Lane\", \"category\": \"asb_youths\","
       " \"lat\": 51.44580, \"lon\": 0.21805}");
  add (fixture, OBS, "2026-03-04T21:00:00Z", 2,
       "{\"ward\": \"town\", \"place\": \"joyce green  lane\", \"category\": \"asb_youths\","
       " \"lat\": 51.44585, \"lon\": 0.21810}");
  add (fixture, OBS, "2026-03-05T21:00:00Z", 2,
       "{\"ward\": \"town\", \"place\": \"Behind the library\", \"category\": \"asb_youths\","
       " \"lat\": 51.44575, \"lon\": 0.21800}");
  /* 300 m north: another cell, with no place typed. */
  add (fixture, OBS, "2026-03-06T21:00:00Z", 2,
       "{\"ward\": \"town\", \"category\": \"asb_youths\","
       " \"lat\": 51.44850, \"lon\": 0.21860}");
  /* The same place text without coordinates stays a hotspot of its own. */
  add (fixture, OBS, "2026-03-07T21:00:00Z", 2,
       "{\"ward\": \"town\", \"place\": \"Joyce Green Lane\", \"category\": \"asb_youths\"}");
  /* February, in the first cell: its previous count. */
  add (fixture, OBS, "2026-02-10T21:00:00Z", 2,
       "{\"ward\": \"town\", \"place\": \"Library\", \"category\": \"asb_youths\","
       " \"lat\": 51.44582, \"lon\": 0.21808}");

  report = make_report (fixture, "2026-03-01", "2026-04-01");
  items = bb_report_get_items (report, BB_REPORT_SECTION_HOTSPOT);
  g_assert_cmpuint (items->len, ==, 3);
  for (guint i = 0; i < items->len; i++)
    total += ((const BbReportItem *) g_ptr_array_index (items, i))->current;
  g_assert_cmpint (total, ==, 5);

  first = g_ptr_array_index (items, 0);
  g_assert_true (g_str_has_prefix (first->key, "geo:51.445"));
  g_assert_cmpint (first->current, ==, 3);
  g_assert_cmpint (first->previous, ==, 1);
  /* Labelled by the place typed most (twice; as typed the latest time),
   * with the cell's point to four decimals. */
  g_assert_true (g_regex_match_simple ("^joyce green lane, around 51\\.445[0-9], 0\\.21[78][0-9]$",
                                       first->label, 0, 0));

  second = g_ptr_array_index (items, 1);
  typed = g_ptr_array_index (items, 2);
  if (!g_str_has_prefix (second->key, "geo:"))
    {
      const BbReportItem *swap = second;

      second = typed;
      typed = swap;
    }
  g_assert_cmpint (second->current, ==, 1);
  g_assert_true (g_str_has_prefix (second->key, "geo:51.448"));
  g_assert_true (g_regex_match_simple ("^Around 51\\.448[0-9], 0\\.21[78][0-9]$", second->label, 0, 0));
  g_assert_cmpstr (typed->key, ==, "joyce green lane/town");
  g_assert_cmpint (typed->current, ==, 1);

  /* The text report shows the cell's name. */
  {
    g_autofree char *text = bb_report_to_text (report);

    g_assert_nonnull (strstr (text, first->label));
  }
}

/* Nothing before: every change is n/a, never a division by zero. */
static void
test_previous_missing (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(BbReport) report = NULL;

  add_known_data_set (fixture);
  report = make_report (fixture, "2026-01-01", "2026-02-01");

  assert_item (report, BB_REPORT_SECTION_TOTAL, "records", 1, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_WARD, "town", 1, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_CATEGORY_WARD, "asb_youths/town", 1, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_MONTH, "2026-01", 1, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_S59, "warnings", 0, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_ENGAGEMENT, "partners", 0, 0, NULL);
}

/* Nothing now, something before: -100.0%; nothing anywhere: all zero. */
static void
test_period_zero (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(BbReport) april = NULL;
  g_autoptr(BbReport) may = NULL;
  g_autoptr(BbReport) empty = NULL;

  add_known_data_set (fixture);

  /* April holds only the record logged at 00:30 BST on 1 April. */
  april = make_report (fixture, "2026-04-01", "2026-05-01");
  assert_item (april, BB_REPORT_SECTION_TOTAL, "records", 1, 11, "-90.9%");
  assert_item (april, BB_REPORT_SECTION_MONTH, "2026-04", 1, 11, "-90.9%");

  may = make_report (fixture, "2026-05-01", "2026-06-01");
  assert_item (may, BB_REPORT_SECTION_TOTAL, "records", 0, 1, "-100.0%");
  assert_item (may, BB_REPORT_SECTION_CATEGORY_WARD, "asb_youths/town", 0, 1, "-100.0%");
  /* A place quiet this period is not a hotspot. */
  assert_n_items (may, BB_REPORT_SECTION_HOTSPOT, 0);

  empty = make_report (fixture, "2027-05-01", "2027-06-01");
  assert_item (empty, BB_REPORT_SECTION_TOTAL, "records", 0, 0, NULL);
  assert_item (empty, BB_REPORT_SECTION_KIND, OBS, 0, 0, NULL);
  assert_item (empty, BB_REPORT_SECTION_MONTH, "2027-05", 0, 0, NULL);
  assert_n_items (empty, BB_REPORT_SECTION_CATEGORY_WARD, 0);
  assert_n_items (empty, BB_REPORT_SECTION_PRIORITY_WARD, 0);
  assert_n_items (empty, BB_REPORT_SECTION_HOTSPOT, 0);
}

/* A quarter: its months pair with the previous quarter's, in order. */
static void
test_quarter_months (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(BbReport) report = NULL;
  GPtrArray *months;
  const char *expected[][2] = {
    { "2026-01", "2025-10" }, { "2026-02", "2025-11" }, { "2026-03", "2025-12" },
  };
  gint64 counts[] = { 1, 6, 11 };

  add_known_data_set (fixture);
  add (fixture, OBS, "2025-11-15T12:00:00Z", 2,
       "{\"ward\": \"town\", \"place\": \"High Street\", \"category\": \"asb_youths\"}");
  report = make_report (fixture, "2026-01-01", "2026-04-01");

  months = bb_report_get_items (report, BB_REPORT_SECTION_MONTH);
  g_assert_cmpuint (months->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      const BbReportItem *item = g_ptr_array_index (months, i);

      g_assert_cmpstr (item->key, ==, expected[i][0]);
      g_assert_cmpstr (item->previous_key, ==, expected[i][1]);
      g_assert_cmpint (item->current, ==, counts[i]);
      g_assert_cmpint (item->previous, ==, i == 1 ? 1 : 0);
    }
  assert_item (report, BB_REPORT_SECTION_CATEGORY_WARD, "asb_youths/town", 6, 1, "+500.0%");
}

/* BST ends on 25 October 2026: 23:30 UTC on 31 October is still 31 October
 * in London, and 23:30 UTC on 30 September is already 1 October. */
static void
test_october_boundaries (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(BbReport) report = NULL;

  add (fixture, OBS, "2026-09-30T22:30:00Z", 2,   /* 23:30 BST, 30 September */
       "{\"ward\": \"town\", \"category\": \"asb_youths\"}");
  add (fixture, OBS, "2026-09-30T23:30:00Z", 2,   /* 00:30 BST, 1 October */
       "{\"ward\": \"town\", \"category\": \"asb_youths\"}");
  add (fixture, OBS, "2026-10-31T23:30:00Z", 2,   /* 23:30 GMT, 31 October */
       "{\"ward\": \"town\", \"category\": \"asb_youths\"}");
  add (fixture, OBS, "2026-11-01T00:00:00Z", 2,   /* midnight GMT, 1 November */
       "{\"ward\": \"town\", \"category\": \"asb_youths\"}");
  add (fixture, OBS, "2026-10-25T01:30:00Z", 2,   /* the hour the clocks went back */
       "{\"category\": \"asb_youths\"}");

  report = make_report (fixture, "2026-10-01", "2026-11-01");
  assert_item (report, BB_REPORT_SECTION_TOTAL, "records", 3, 1, "+200.0%");
  assert_item (report, BB_REPORT_SECTION_MONTH, "2026-10", 3, 1, "+200.0%");
  assert_item (report, BB_REPORT_SECTION_WARD, "town", 2, 1, "+100.0%");
  /* A record without a ward is counted, under its own line. */
  assert_item (report, BB_REPORT_SECTION_WARD, "", 1, 0, NULL);
  g_assert_cmpstr (bb_report_find_item (report, BB_REPORT_SECTION_WARD, "")->label, ==,
                   "Ward not given");
  assert_item (report, BB_REPORT_SECTION_CATEGORY_WARD, "asb_youths/", 1, 0, NULL);
  g_assert_cmpstr (bb_report_find_item (report, BB_REPORT_SECTION_MONTH, "2026-10")->previous_key,
                   ==, "2026-09");
}

/* More records than one page of the store holds. */
static void
test_many_records (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(BbReport) report = NULL;
  const guint n = 1234;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *at = g_strdup_printf ("2026-03-%02uT%02u:%02u:00Z",
                                             1 + i % 28, (i / 28) % 24, i % 60);

      add (fixture, OBS, at, 2,
           i % 2 == 0 ? "{\"ward\": \"town\", \"place\": \"High Street\", \"category\": \"asb_youths\"}"
                      : "{\"ward\": \"brent\", \"place\": \"Market Place\", \"category\": \"street_drinking\"}");
    }

  report = make_report (fixture, "2026-03-01", "2026-04-01");
  assert_item (report, BB_REPORT_SECTION_TOTAL, "records", n, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_WARD, "town", n / 2, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_WARD, "brent", n / 2, 0, NULL);
  assert_item (report, BB_REPORT_SECTION_CATEGORY_WARD, "street_drinking/brent", n / 2, 0, NULL);
}

/* The line of @text that starts with "  @label", its figures with single
 * spaces. */
static char *
text_figures (const char *text,
              const char *label)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *start = g_strdup_printf ("  %s ", label);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], start))
        {
          g_auto(GStrv) words = g_strsplit (g_strstrip (lines[i] + strlen (start)), " ", -1);
          GString *out = g_string_new (NULL);

          for (guint w = 0; words[w] != NULL; w++)
            {
              if (*words[w] == '\0')
                continue;
              if (out->len > 0)
                g_string_append_c (out, ' ');
              g_string_append (out, words[w]);
            }
          return g_string_free (out, FALSE);
        }
    }

  return NULL;
}

static void
test_text (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(BbReport) report = NULL;
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;

  add_known_data_set (fixture);
  report = make_report (fixture, "2026-03-01", "2026-04-01");
  text = bb_report_to_text (report);

  g_assert_true (g_str_has_prefix (text, "Dartford Community Safety Partnership\n"));
  g_assert_nonnull (strstr (text, "Period: 1 March 2026 to 31 March 2026 (Europe/London)\n"));
  g_assert_nonnull (strstr (text, "Compared with: 1 February 2026 to 28 February 2026\n"));
  /* 08:00 UTC on 1 April is 09:00 BST. */
  g_assert_nonnull (strstr (text, "Generated 1 April 2026 09:00 by Sergeant (supervisor)\n"));

  for (const char * const *s = bb_report_list_sections (); *s != NULL; s++)
    g_assert_nonnull (strstr (text, bb_report_section_get_title (*s)));

  line = text_figures (text, "ASB youths · Town");
  g_assert_cmpstr (line, ==, "2 3 -33.3%");
  g_clear_pointer (&line, g_free);
  line = text_figures (text, "Town");
  g_assert_cmpstr (line, ==, "5 4 +25.0%");
  g_clear_pointer (&line, g_free);
  line = text_figures (text, "VAWG walks");
  g_assert_cmpstr (line, ==, "1 0 n/a");
  g_clear_pointer (&line, g_free);
  line = text_figures (text, "March 2026 against February 2026");
  g_assert_cmpstr (line, ==, "11 6 +83.3%");
  g_clear_pointer (&line, g_free);
  line = text_figures (text, "Attendees");
  g_assert_cmpstr (line, ==, "65 30 +116.7%");
  g_clear_pointer (&line, g_free);
  /* A label too long for its column keeps every word; figures follow. */
  g_assert_nonnull (strstr (text, "Priority 1: Serious violent crime, including violence against women and girls (VAWG) and domestic abuse\n"));
}

static void
test_csv (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(BbReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_items = 0;

  add_known_data_set (fixture);
  add (fixture, OBS, "2026-03-16T12:00:00Z", 2,
       "{\"ward\": \"town\", \"place\": \"=HYPERLINK(\\\"x\\\")\", \"category\": \"other\"}");
  report = make_report (fixture, "2026-03-01", "2026-04-01");

  bb_report_write_csv (report, out, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
  csv = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));

  g_assert_true (g_str_has_prefix (csv, "section,item,current,previous,change\r\n"));
  g_assert_true (g_str_has_suffix (csv, "\r\n"));
  /* A comma and quotes in a place: quoted, quotes doubled. */
  g_assert_nonnull (strstr (csv, "\r\nHotspots: places with most patrol observations,"
                                 "\"Joyce Green Lane, \"\"the layby\"\" (Darenth)\",2,1,+100.0%\r\n"));
  /* A place that looks like a formula is shown as text. */
  g_assert_nonnull (strstr (csv, "\r\nHotspots: places with most patrol observations,"
                                 "\"'=HYPERLINK(\"\"x\"\") (Town)\",1,0,n/a\r\n"));
  g_assert_nonnull (strstr (csv, "\r\nRecords by ward,Town,6,4,+50.0%\r\n"));
  g_assert_nonnull (strstr (csv, "\r\nPatrol observations by category and ward,ASB youths · Town,2,3,-33.3%\r\n"));
  g_assert_nonnull (strstr (csv, "\r\nRecords by month,March 2026 against February 2026,12,6,+100.0%\r\n"));
  g_assert_nonnull (strstr (csv, "\r\nEngagement reach,Partners involved,3,1,+200.0%\r\n"));
  g_assert_nonnull (strstr (csv, "\r\nRecords by ward,Brent,0,0,n/a\r\n"));

  /* One row per item, no more. */
  for (const char * const *s = bb_report_list_sections (); *s != NULL; s++)
    n_items += bb_report_get_items (report, *s)->len;
  lines = g_strsplit (csv, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + n_items + 1);
  g_assert_cmpstr (lines[n_items + 1], ==, "");
}

static char *
pdf_to_text (const char *pdf_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  const char *argv[] = { NULL, "-layout", pdf_path, "-", NULL };

  if (pdftotext == NULL)
    {
      g_test_fail_printf ("pdftotext is needed to read the report's PDF back: "
                          "install poppler-utils");
      return NULL;
    }

  argv[0] = pdftotext;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("pdftotext could not read the report: %s: %s", error->message, err);
  return g_steal_pointer (&out);
}

static void
test_pdf (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(BbReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "report.pdf", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;
  const char *expected[] = {
    "Dartford Community Safety Partnership",
    "Community safety figures",
    "Period: 1 March 2026 to 31 March 2026 (Europe/London)",
    "Compared with: 1 February 2026 to 28 February 2026",
    "Generated 1 April 2026 09:00 by Sergeant (supervisor)",
    "Records in the period: 11 (previous period: 6, change: +83.3%)",
    "Records by ward",
    "Patrol observations by category and ward",
    "Hotspots: places with most patrol observations",
    "Joyce Green Lane, \"the layby\" (Darenth)",
    "+116.7%",
    "-33.3%",
    "Partners involved",
    "Poor street lighting",
    "Page 2",
  };

  add_known_data_set (fixture);
  report = make_report (fixture, "2026-03-01", "2026-04-01");

  file = g_file_new_for_path (path);
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  bb_report_write_pdf (report, G_OUTPUT_STREAM (out), NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error);
  g_assert_no_error (error);

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 1000);
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));

  text = pdf_to_text (path);
  if (text == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    if (strstr (text, expected[i]) == NULL)
      g_error ("the PDF's text lacks “%s”:\n%s", expected[i], text);

  /* The ward table's row for Town, with its figures. */
  g_assert_true (g_regex_match_simple ("\\bTown +5 +4 +\\+25\\.0%", text, 0, 0));
  g_assert_true (g_regex_match_simple ("ASB youths · Town +2 +3 +-33\\.3%", text, 0, 0));
}

/* Long tables run on over pages, each page with its footer. */
static void
test_pdf_long (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(BbReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "long.pdf", NULL);
  g_autofree char *text = NULL;
  GPtrArray *wards = bb_profile_get_choices (fixture->profile, "wards");
  GPtrArray *categories = bb_profile_get_choices (fixture->profile, "observation_category");
  guint n_pages = 0;

  /* Every category in every ward: 280 rows of category and ward. */
  for (guint w = 0; w < wards->len; w++)
    for (guint c = 0; c < categories->len; c++)
      {
        g_autofree char *fields =
          g_strdup_printf ("{\"ward\": \"%s\", \"place\": \"Street %u\", \"category\": \"%s\"}",
                           ((BbChoice *) g_ptr_array_index (wards, w))->id, c,
                           ((BbChoice *) g_ptr_array_index (categories, c))->id);

        add (fixture, OBS, "2026-03-10T12:00:00Z", 2, fields);
      }
  report = make_report (fixture, "2026-03-01", "2026-04-01");
  assert_n_items (report, BB_REPORT_SECTION_CATEGORY_WARD, wards->len * categories->len);

  file = g_file_new_for_path (path);
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  bb_report_write_pdf (report, G_OUTPUT_STREAM (out), NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error);
  g_assert_no_error (error);

  text = pdf_to_text (path);
  if (text == NULL)
    return;
  for (const char *p = text; (p = strchr (p, '\f')) != NULL; p++)
    n_pages++;
  /* 280 rows at about 55 a page, plus the title page and the rest. */
  g_assert_cmpuint (n_pages, >=, 7);
  g_assert_nonnull (strstr (text, "Patrol observations by category and ward (continued)"));
  g_assert_nonnull (strstr (text, "Other · Wilmington, Sutton-at-Hone & Hawley"));
}

/* A stream that can not take the PDF: an error, not a crash. An empty
 * period still makes a whole PDF. */
static void
test_pdf_errors (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(BbReport) report = make_report (fixture, "2026-03-01", "2026-04-01");
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) closed = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  g_output_stream_close (closed, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (bb_report_write_pdf (report, closed, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (bb_report_write_csv (report, closed, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);

  g_assert_true (bb_report_write_pdf (report, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)), >, 1000);
  g_assert_cmpmem (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)), 5, "%PDF-", 5);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/report/period/is-london-midnight-to-london-midnight", test_period_bounds);
  g_test_add_func ("/report/period/refuses-bad-dates-naming-them", test_period_refused);
  g_test_add_func ("/report/change/is-formatted-with-one-decimal", test_change_format);
  g_test_add ("/report/figures/match-a-known-data-set", Fixture, NULL,
              fixture_set_up, test_figures, fixture_tear_down);
  g_test_add ("/report/hotspots/are-limited-to-the-top-places", Fixture, NULL,
              fixture_set_up, test_hotspot_limit, fixture_tear_down);
  g_test_add ("/report/hotspots/use-a-100-m-grid-where-records-have-coordinates", Fixture, NULL,
              fixture_set_up, test_hotspots_by_grid, fixture_tear_down);
  g_test_add ("/report/previous-period/when-missing-gives-no-change", Fixture, NULL,
              fixture_set_up, test_previous_missing, fixture_tear_down);
  g_test_add ("/report/period/when-zero-drops-by-100-percent", Fixture, NULL,
              fixture_set_up, test_period_zero, fixture_tear_down);
  g_test_add ("/report/months/pair-with-the-previous-quarter", Fixture, NULL,
              fixture_set_up, test_quarter_months, fixture_tear_down);
  g_test_add ("/report/months/follow-london-time-when-bst-ends", Fixture, NULL,
              fixture_set_up, test_october_boundaries, fixture_tear_down);
  g_test_add ("/report/store/is-read-across-pages", Fixture, NULL,
              fixture_set_up, test_many_records, fixture_tear_down);
  g_test_add ("/report/text/shows-every-section-and-figure", Fixture, NULL,
              fixture_set_up, test_text, fixture_tear_down);
  g_test_add ("/report/csv/quotes-places-and-has-one-row-per-item", Fixture, NULL,
              fixture_set_up, test_csv, fixture_tear_down);
  g_test_add ("/report/pdf/is-a-pdf-whose-text-has-the-figures", Fixture, NULL,
              fixture_set_up, test_pdf, fixture_tear_down);
  g_test_add ("/report/pdf/runs-long-tables-over-pages", Fixture, NULL,
              fixture_set_up, test_pdf_long, fixture_tear_down);
  g_test_add ("/report/pdf/reports-a-stream-that-fails", Fixture, NULL,
              fixture_set_up, test_pdf_errors, fixture_tear_down);

  return g_test_run ();
}
