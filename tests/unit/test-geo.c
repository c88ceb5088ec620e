/* test-geo.c: ward boundaries (point in polygon), the profile's map and
 * boundaries keys, and the hotspot grid
 *
 * The boundaries are tests/profiles/testshire-wards.geojson: made-up
 * squares near 0° N 0° E, plainly test data. In degrees (lon x, lat y):
 *   north  [0, 0.01] x [0.01, 0.02], with a hole [0.004, 0.006] x [0.014, 0.016]
 *   centre the hole of north, as a ward of its own (after north in the file)
 *   south  [0, 0.01] x [0, 0.01] (its ring walks clockwise)
 *   east   [0.01, 0.02] x [0, 0.02] and [0.03, 0.04] x [0, 0.01] (MultiPolygon)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "bb-geo.h"
#include "bb-profile.h"

static BbProfile *
load_testshire (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "profiles",
                                                 "testshire.json", NULL);
  g_autoptr(GError) error = NULL;
  BbProfile *profile = bb_profile_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (profile);
  g_assert_nonnull (bb_profile_get_ward_boundaries (profile));
  return profile;
}

static void
assert_ward (BbProfile  *profile,
             double      lat,
             double      lon,
             const char *expected)
{
  const char *ward = bb_profile_find_ward (profile, lat, lon);

  if (g_strcmp0 (ward, expected) != 0)
    g_error ("(%g, %g): expected ward %s, got %s", lat, lon,
             expected ? expected : "none", ward ? ward : "none");
}

static void
test_inside_a_polygon (void)
{
  g_autoptr(BbProfile) profile = load_testshire ();

  assert_ward (profile, 0.005, 0.005, "south");
  assert_ward (profile, 0.018, 0.002, "north");
  assert_ward (profile, 0.001, 0.019, "east");
}

static void
test_a_hole_is_outside_its_polygon (void)
{
  g_autoptr(BbProfile) profile = load_testshire ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BbWardBoundaries) north_only = NULL;

  /* North comes first in the file, so had the hole counted as north the
   * answer would be north. */
  assert_ward (profile, 0.015, 0.005, "centre");

  /* With no ward filling it, the hole is in no ward at all. */
  json_parser_load_from_data (parser,
                              "{\"type\": \"FeatureCollection\", \"features\": ["
                              " {\"type\": \"Feature\", \"properties\": {\"ward\": \"north\"},"
                              "  \"geometry\": {\"type\": \"Polygon\", \"coordinates\": ["
                              "   [[0, 0.01], [0.01, 0.01], [0.01, 0.02], [0, 0.02], [0, 0.01]],"
                              "   [[0.004, 0.014], [0.004, 0.016], [0.006, 0.016], [0.006, 0.014], [0.004, 0.014]]]}}]}",
                              -1, &error);
  g_assert_no_error (error);
  north_only = bb_ward_boundaries_new_from_json (json_parser_get_root (parser),
                                                 "north.geojson", &error);
  g_assert_no_error (error);
  g_assert_null (bb_ward_boundaries_find_ward (north_only, 0.015, 0.005));
  g_assert_cmpstr (bb_ward_boundaries_find_ward (north_only, 0.013, 0.005), ==, "north");
  g_assert_cmpstr (bb_ward_boundaries_find_ward (north_only, 0.015, 0.003), ==, "north");
}

static void
test_a_multipolygon_is_one_ward (void)
{
  g_autoptr(BbProfile) profile = load_testshire ();

  assert_ward (profile, 0.005, 0.015, "east");
  assert_ward (profile, 0.005, 0.035, "east");
  /* The sea between the two parts. */
  assert_ward (profile, 0.005, 0.025, NULL);
}

static void
test_outside_every_ward (void)
{
  g_autoptr(BbProfile) profile = load_testshire ();

  assert_ward (profile, 51.4462, 0.2180, NULL);
  assert_ward (profile, -0.005, 0.005, NULL);
  assert_ward (profile, 0.005, -0.001, NULL);
  assert_ward (profile, 0.025, 0.005, NULL);
  assert_ward (profile, NAN, 0.005, NULL);
  assert_ward (profile, 0.005, INFINITY, NULL);
}

static void
test_a_shared_edge_belongs_to_one_ward (void)
{
  g_autoptr(BbProfile) profile = load_testshire ();

  /* East-west edge between south and north: the ward to the north. */
  assert_ward (profile, 0.01, 0.005, "north");
  /* North-south edges: the ward to the east. */
  assert_ward (profile, 0.005, 0.01, "east");
  assert_ward (profile, 0.015, 0.01, "east");
  /* The corner where three wards meet. */
  assert_ward (profile, 0.01, 0.01, "east");
  /* The hole's edge: the area east or north of it, whichever ward has it. */
  assert_ward (profile, 0.015, 0.004, "centre");
  assert_ward (profile, 0.015, 0.006, "north");
  assert_ward (profile, 0.014, 0.005, "centre");
  assert_ward (profile, 0.016, 0.005, "north");
}

static void
test_the_outer_edge_is_half_open (void)
{
  g_autoptr(BbProfile) profile = load_testshire ();

  /* West and south edges are in, east and north edges out. */
  assert_ward (profile, 0.005, 0.0, "south");
  assert_ward (profile, 0.0, 0.005, "south");
  assert_ward (profile, 0.005, 0.04, NULL);
  assert_ward (profile, 0.01, 0.035, NULL);
  assert_ward (profile, 0.02, 0.005, NULL);
  assert_ward (profile, 0.0, 0.03, "east");
}

static void
test_every_point_of_a_line_gets_one_answer (void)
{
  g_autoptr(BbProfile) profile = load_testshire ();

  /* A walk north along the shared edge x = 0.01 and east along y = 0.01:
   * every point is in exactly the ward east or north of it. */
  for (int i = 1; i < 200; i++)
    {
      double t = i * 0.0001;

      assert_ward (profile, t, 0.01, "east");
      if (t < 0.01)
        assert_ward (profile, 0.01, t, "north");
      else if (t < 0.02)
        assert_ward (profile, 0.01, t, "east");
    }
}

static void
test_profile_without_boundaries (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbProfile) dartford = bb_profile_load_default (&error);

  g_assert_no_error (error);
  /* No boundaries are shipped until a published source is (roadmap.md). */
  g_assert_null (bb_profile_get_ward_boundaries (dartford));
  g_assert_null (bb_profile_find_ward (dartford, 51.4462, 0.2180));
  g_assert_null (bb_profile_get_map_tile_url (dartford));
  g_assert_cmpint (bb_profile_get_map_max_zoom (dartford), ==, 0);
}

static void
test_to_json_carries_the_boundaries (void)
{
  g_autoptr(BbProfile) profile = load_testshire ();
  g_autoptr(JsonNode) json = bb_profile_to_json (profile);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BbProfile) again = NULL;
  JsonNode *boundaries;

  boundaries = json_object_get_member (json_node_get_object (json), "ward_boundaries");
  g_assert_nonnull (boundaries);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (boundaries));

  /* A device that fetched it can load it with no file beside it. */
  json_generator_set_root (generator, json);
  text = json_generator_to_data (generator, NULL);
  again = bb_profile_new_from_data (text, -1, "fetched", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bb_profile_find_ward (again, 0.015, 0.005), ==, "centre");
}

/* Writes a copy of testshire.json with @key set to @value_json (or the
 * boundaries file replaced by @geojson) into a new directory; returns the
 * profile's path there. */
static char *
write_profile (const char *dir,
               const char *key,
               const char *value_json,
               const char *geojson)
{
  g_autofree char *source = g_test_build_filename (G_TEST_DIST, "profiles",
                                                   "testshire.json", NULL);
  g_autofree char *geo_source = g_test_build_filename (G_TEST_DIST, "profiles",
                                                       "testshire-wards.geojson", NULL);
  g_autofree char *text = NULL;
  g_autofree char *geo_text = NULL;
  g_autofree char *path = g_build_filename (dir, "testshire.json", NULL);
  g_autofree char *geo_path = g_build_filename (dir, "testshire-wards.geojson", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) value_parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (geo_source, &geo_text, NULL, NULL));
  g_assert_true (g_file_set_contents (geo_path, geojson ? geojson : geo_text, -1, NULL));

  json_parser_load_from_file (parser, source, &error);
  g_assert_no_error (error);
  if (key != NULL)
    {
      json_parser_load_from_data (value_parser, value_json, -1, &error);
      g_assert_no_error (error);
      json_object_set_member (json_node_get_object (json_parser_get_root (parser)), key,
                              json_node_copy (json_parser_get_root (value_parser)));
    }
  json_generator_set_root (generator, json_parser_get_root (parser));
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return g_steal_pointer (&path);
}

static void
assert_refused (const char *key,
                const char *value_json,
                const char *geojson,
                const char *expected)
{
  g_autofree char *dir = g_dir_make_tmp ("beatbook-geo-XXXXXX", NULL);
  g_autofree char *path = write_profile (dir, key, value_json, geojson);
  g_autofree char *geo_path = g_build_filename (dir, "testshire-wards.geojson", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BbProfile) profile = bb_profile_new_from_file (path, &error);

  g_assert_null (profile);
  g_assert_error (error, BB_PROFILE_ERROR, BB_PROFILE_ERROR_INVALID);
  if (strstr (error->message, expected) == NULL)
    g_error ("“%s” does not say “%s”", error->message, expected);
  g_unlink (path);
  g_unlink (geo_path);
  g_rmdir (dir);
}

static void
test_broken_boundaries_are_named (void)
{
  assert_refused (NULL, NULL, "{\"type\": \"Feature\"}", "FeatureCollection");
  assert_refused (NULL, NULL,
                  "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\","
                  " \"properties\": {\"ward\": \"north\"}, \"geometry\": {\"type\": \"LineString\","
                  " \"coordinates\": [[0, 0], [1, 1]]}}]}",
                  "features[0]: “geometry.type” must be “Polygon” or “MultiPolygon”");
  assert_refused (NULL, NULL,
                  "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\","
                  " \"properties\": {\"ward\": \"north\"}, \"geometry\": {\"type\": \"Polygon\","
                  " \"coordinates\": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}}]}",
                  "features[0].geometry.coordinates[0]: a ring must end where it starts");
  assert_refused (NULL, NULL,
                  "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\","
                  " \"properties\": {}, \"geometry\": {\"type\": \"Polygon\","
                  " \"coordinates\": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}",
                  "“properties.ward”");
  assert_refused (NULL, NULL,
                  "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\","
                  " \"properties\": {\"ward\": \"atlantis\"}, \"geometry\": {\"type\": \"Polygon\","
                  " \"coordinates\": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}",
                  "“atlantis” is not a ward of the profile");
  assert_refused (NULL, NULL,
                  "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\","
                  " \"properties\": {\"ward\": \"north\"}, \"geometry\": {\"type\": \"Polygon\","
                  " \"coordinates\": [[[0, 0], [200, 0], [1, 1], [0, 0]]]}}]}",
                  "position 1 is not a longitude and latitude");
  assert_refused (NULL, NULL, "not json", "are not JSON");
  assert_refused ("ward_boundaries", "\"missing.geojson\"", NULL,
                  "cannot read the ward boundaries");
  assert_refused ("ward_boundaries", "42", NULL,
                  "“ward_boundaries” must be a file name or a GeoJSON object");
}

static void
test_boundaries_by_name_need_a_file (void)
{
  g_autofree char *source = g_test_build_filename (G_TEST_DIST, "profiles",
                                                   "testshire.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BbProfile) profile = NULL;

  g_assert_true (g_file_get_contents (source, &text, NULL, NULL));
  profile = bb_profile_new_from_data (text, -1, "testshire.json", &error);
  g_assert_null (profile);
  g_assert_error (error, BB_PROFILE_ERROR, BB_PROFILE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "was not read from a file"));
}

static void
test_map_key (void)
{
  g_autofree char *dir = g_dir_make_tmp ("beatbook-geo-XXXXXX", NULL);
  g_autofree char *path = write_profile (dir, "map",
                                         "{\"tile_url\": \"https://tiles.example.org/{z}/{x}/{y}.png\","
                                         " \"attribution\": \"Test tiles\"}", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BbProfile) profile = bb_profile_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (bb_profile_get_map_tile_url (profile), ==,
                   "https://tiles.example.org/{z}/{x}/{y}.png");
  g_assert_cmpstr (bb_profile_get_map_attribution (profile), ==, "Test tiles");
  g_assert_cmpint (bb_profile_get_map_max_zoom (profile), ==, 19);

  assert_refused ("map", "{\"tile_url\": \"https://tiles.example.org/{z}/{x}.png\","
                  " \"attribution\": \"x\"}", NULL, "{z}, {x} and {y}");
  assert_refused ("map", "{\"tile_url\": \"file:///tmp/{z}/{x}/{y}.png\","
                  " \"attribution\": \"x\"}", NULL, "http or https");
  assert_refused ("map", "{\"tile_url\": \"https://t.example.org/{z}/{x}/{y}.png\"}",
                  NULL, "“attribution” is missing");
  assert_refused ("map", "{\"tile_url\": \"https://t.example.org/{z}/{x}/{y}.png\","
                  " \"attribution\": \"x\", \"max_zoom\": 40}", NULL,
                  "“max_zoom” must be from 1 to 22");
  assert_refused ("map", "\"https://t.example.org/{z}/{x}/{y}.png\"", NULL,
                  "“map” must be an object");

  g_unlink (path);
  {
    g_autofree char *geo = g_build_filename (dir, "testshire-wards.geojson", NULL);
    g_unlink (geo);
  }
  g_rmdir (dir);
}

/* Haversine distance in metres, to check the grid against. */
static double
distance (double lat1, double lon1, double lat2, double lon2)
{
  double r = 6371000.0, p = G_PI / 180.0;
  double a = pow (sin ((lat2 - lat1) * p / 2), 2)
             + cos (lat1 * p) * cos (lat2 * p) * pow (sin ((lon2 - lon1) * p / 2), 2);

  return 2 * r * asin (sqrt (a));
}

static void
test_grid_cells_are_about_100_m (void)
{
  gint64 row, column, row2, column2;
  double lat, lon;

  /* Dartford town centre. */
  bb_geo_grid_cell (51.4462, 0.2180, 100, &row, &column, &lat, &lon);
  /* The centre of a cell is within half its diagonal of any point in it. */
  g_assert_cmpfloat (distance (51.4462, 0.2180, lat, lon), <=, 72.0);
  /* The centre is in its own cell. */
  bb_geo_grid_cell (lat, lon, 100, &row2, &column2, NULL, NULL);
  g_assert_cmpint (row, ==, row2);
  g_assert_cmpint (column, ==, column2);

  /* 300 m apart: never the same cell, east-west or north-south. */
  bb_geo_grid_cell (51.4462, 0.2180 + 300 / (111320.0 * cos (51.4462 * G_PI / 180)), 100,
                    &row2, &column2, NULL, NULL);
  g_assert_true (row != row2 || column != column2);
  bb_geo_grid_cell (51.4462 + 300 / 111320.0, 0.2180, 100, &row2, &column2, NULL, NULL);
  g_assert_cmpint (row, !=, row2);

  /* A walk of 1 km east crosses about ten cells, not one or a hundred. */
  {
    gint64 first, last;

    bb_geo_grid_cell (51.4462, 0.2180, 100, NULL, &first, NULL, NULL);
    bb_geo_grid_cell (51.4462, 0.2180 + 1000 / (111320.0 * cos (51.4462 * G_PI / 180)),
                      100, NULL, &last, NULL, NULL);
    g_assert_cmpint (last - first, >=, 9);
    g_assert_cmpint (last - first, <=, 11);
  }

  /* Near a pole nothing divides by zero. */
  bb_geo_grid_cell (90.0, 179.99, 100, &row, &column, &lat, &lon);
  g_assert_true (isfinite (lat) && isfinite (lon));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/geo/ward/inside-a-polygon", test_inside_a_polygon);
  g_test_add_func ("/geo/ward/a-hole-is-outside-its-polygon", test_a_hole_is_outside_its_polygon);
  g_test_add_func ("/geo/ward/a-multipolygon-is-one-ward", test_a_multipolygon_is_one_ward);
  g_test_add_func ("/geo/ward/outside-every-ward", test_outside_every_ward);
  g_test_add_func ("/geo/ward/a-shared-edge-belongs-to-one-ward", test_a_shared_edge_belongs_to_one_ward);
  g_test_add_func ("/geo/ward/the-outer-edge-is-half-open", test_the_outer_edge_is_half_open);
  g_test_add_func ("/geo/ward/every-point-of-a-line-gets-one-answer", test_every_point_of_a_line_gets_one_answer);
  g_test_add_func ("/geo/profile/dartford-has-no-boundaries-or-map", test_profile_without_boundaries);
  g_test_add_func ("/geo/profile/to-json-carries-the-boundaries", test_to_json_carries_the_boundaries);
  g_test_add_func ("/geo/profile/broken-boundaries-are-named", test_broken_boundaries_are_named);
  g_test_add_func ("/geo/profile/boundaries-by-name-need-a-file", test_boundaries_by_name_need_a_file);
  g_test_add_func ("/geo/profile/map-key", test_map_key);
  g_test_add_func ("/geo/grid/cells-are-about-100-m", test_grid_cells_are_about_100_m);

  return g_test_run ();
}
