/* test-time.c: times on the wire (UTC) and on screen (Europe/London)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <string.h>

#include "bb-time.h"

static void
assert_parses_to (const char *input,
                  const char *expected)
{
  g_autoptr(GDateTime) dt = bb_time_parse (input);
  g_autofree char *iso = NULL;

  g_test_message ("“%s”", input);
  g_assert_nonnull (dt);
  g_assert_cmpint (g_date_time_get_utc_offset (dt), ==, 0);
  iso = bb_time_format_iso (dt);
  g_assert_cmpstr (iso, ==, expected);
}

static void
test_parse_utc (void)
{
  assert_parses_to ("2026-03-01T21:14:00Z", "2026-03-01T21:14:00Z");
  assert_parses_to ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z");
  /* Whole seconds on the way out. */
  assert_parses_to ("2026-03-01T21:14:59.999Z", "2026-03-01T21:14:59Z");
}

static void
test_parse_offsets (void)
{
  /* Summer time in London: 22:14 BST is 21:14 UTC. */
  assert_parses_to ("2026-07-01T22:14:00+01:00", "2026-07-01T21:14:00Z");
  assert_parses_to ("2026-07-01T22:14:00+0100", "2026-07-01T21:14:00Z");
  assert_parses_to ("2026-07-01T22:14:00+00:00", "2026-07-01T22:14:00Z");
  assert_parses_to ("2026-12-31T20:00:00-05:00", "2027-01-01T01:00:00Z");
  assert_parses_to ("2026-07-01T05:44:00+05:30", "2026-07-01T00:14:00Z");
}

static void
test_parse_refuses_incomplete_and_invalid (void)
{
  static const char * const bad[] = {
    "",
    "now",
    "2026-03-01",                 /* no time */
    "2026-03-01T21:14:00",        /* no zone */
    "21:14:00Z",                  /* no date */
    "2026-03-01 21:14:00Z",       /* not the wire form */
    "2026-02-30T10:00:00Z",       /* no such day */
    "2026-13-01T10:00:00Z",
    "2026-03-01T25:00:00Z",
    "2026-03-01T21:61:00Z",
    "2026-W09-7T10:00:00Z",       /* week date */
    "2026-03-01T21:14:00Zjunk",
    "2026-03-01T21:14:00+1",
    "20260301T211400Z",
  };

  g_assert_null (bb_time_parse (NULL));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GDateTime) dt = bb_time_parse (bad[i]);

      g_test_message ("“%s”", bad[i]);
      g_assert_null (dt);
    }
}

static void
test_format_iso_converts_to_utc (void)
{
  g_autoptr(GTimeZone) london = bb_time_zone_local (NULL);
  g_autoptr(GDateTime) summer = g_date_time_new (london, 2026, 6, 15, 9, 30, 12.75);
  g_autoptr(GDateTime) winter = g_date_time_new (london, 2026, 12, 15, 9, 30, 0);
  g_autofree char *summer_iso = bb_time_format_iso (summer);
  g_autofree char *winter_iso = bb_time_format_iso (winter);

  g_assert_cmpstr (summer_iso, ==, "2026-06-15T08:30:12Z");
  g_assert_cmpstr (winter_iso, ==, "2026-12-15T09:30:00Z");
}

static void
test_now_is_iso_utc (void)
{
  g_autoptr(GDateTime) before = g_date_time_new_now_utc ();
  g_autofree char *now = bb_time_now_iso ();
  g_autoptr(GDateTime) after = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) parsed = bb_time_parse (now);
  g_autoptr(GDateTime) floor_before = NULL;

  g_assert_nonnull (parsed);
  g_assert_true (g_str_has_suffix (now, "Z"));
  g_assert_cmpuint (strlen (now), ==, strlen ("2026-03-01T21:14:00Z"));
  floor_before = g_date_time_new_from_unix_utc (g_date_time_to_unix (before));
  g_assert_cmpint (g_date_time_compare (floor_before, parsed), <=, 0);
  g_assert_cmpint (g_date_time_compare (parsed, after), <=, 0);
}

static void
test_date_parse (void)
{
  static const char * const bad[] = {
    "", "2026-02-29", "2026-02-30", "2026-04-31", "2026-13-01", "2026-00-10",
    "2026-01-00", "0000-01-01", "2026-4-1", "26-04-01", "2026/04/01",
    "2026-04-01T00:00:00Z", "2026-04-01 ", "１９９０-04-01",
  };
  g_autoptr(GDateTime) dob = bb_date_parse ("1990-04-01");
  g_autoptr(GDateTime) leap = bb_date_parse ("2024-02-29");
  g_autofree char *dob_iso = NULL;

  g_assert_nonnull (dob);
  dob_iso = bb_time_format_iso (dob);
  g_assert_cmpstr (dob_iso, ==, "1990-04-01T00:00:00Z");
  g_assert_nonnull (leap);
  g_assert_cmpint (g_date_time_get_day_of_month (leap), ==, 29);

  g_assert_null (bb_date_parse (NULL));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GDateTime) dt = bb_date_parse (bad[i]);

      g_test_message ("“%s”", bad[i]);
      g_assert_null (dt);
    }
}

static void
assert_add_months (const char *iso,
                   int         months,
                   const char *expected)
{
  g_autofree char *result = bb_time_add_months_iso (iso, months);

  g_test_message ("%s + %d months", iso, months);
  g_assert_cmpstr (result, ==, expected);
}

static void
test_add_months (void)
{
  assert_add_months ("2026-03-01T21:14:00Z", 12, "2027-03-01T21:14:00Z");
  assert_add_months ("2024-02-29T10:00:00Z", 12, "2025-02-28T10:00:00Z");
  assert_add_months ("2024-02-29T10:00:00Z", 48, "2028-02-29T10:00:00Z");
  assert_add_months ("2023-02-28T10:00:00Z", 12, "2024-02-28T10:00:00Z");
  assert_add_months ("2024-01-31T23:59:59Z", 1, "2024-02-29T23:59:59Z");
  assert_add_months ("2023-01-31T23:59:59Z", 1, "2023-02-28T23:59:59Z");
  assert_add_months ("2026-08-31T12:00:00Z", 1, "2026-09-30T12:00:00Z");
  assert_add_months ("2026-12-15T12:00:00Z", 1, "2027-01-15T12:00:00Z");
  assert_add_months ("2026-03-31T12:00:00Z", -1, "2026-02-28T12:00:00Z");
  assert_add_months ("2026-07-01T22:14:00+01:00", 12, "2027-07-01T21:14:00Z");
  assert_add_months ("2026-03-01T21:14:00Z", 0, "2026-03-01T21:14:00Z");
  assert_add_months ("not a time", 12, NULL);
  assert_add_months (NULL, 12, NULL);
}

static void
assert_local (const char *iso,
              const char *expected)
{
  g_autofree char *local = bb_time_format_local (iso, "%Y-%m-%d %H:%M:%S %Z %z");

  g_test_message ("%s", iso);
  g_assert_cmpstr (local, ==, expected);
}

/* The tests run with TZ=UTC, so these also show that the machine's zone
 * does not leak into what is shown. */
static void
test_local_around_march_change (void)
{
  /* Clocks go forward at 01:00 UTC on the last Sunday of March. */
  assert_local ("2026-03-29T00:59:59Z", "2026-03-29 00:59:59 GMT +0000");
  assert_local ("2026-03-29T01:00:00Z", "2026-03-29 02:00:00 BST +0100");
  assert_local ("2026-03-28T23:30:00Z", "2026-03-28 23:30:00 GMT +0000");
}

static void
test_local_around_october_change (void)
{
  /* Clocks go back at 01:00 UTC on the last Sunday of October, so 01:30
   * local happens twice; UTC tells the two apart. */
  assert_local ("2026-10-25T00:30:00Z", "2026-10-25 01:30:00 BST +0100");
  assert_local ("2026-10-25T01:30:00Z", "2026-10-25 01:30:00 GMT +0000");
  assert_local ("2026-10-24T23:30:00Z", "2026-10-25 00:30:00 BST +0100");
}

static void
test_local_keeps_what_it_cannot_read (void)
{
  g_autofree char *bad = bb_time_format_local ("yesterday evening", "%H:%M");
  g_autofree char *none = bb_time_format_local (NULL, "%H:%M");
  g_autofree char *summer = bb_time_format_local ("2026-07-01T21:14:00Z", "%d/%m/%Y %H:%M");

  g_assert_cmpstr (bad, ==, "yesterday evening");
  g_assert_null (none);
  g_assert_cmpstr (summer, ==, "01/07/2026 22:14");
}

static void
test_zones (void)
{
  g_autoptr(GTimeZone) london = bb_time_zone_local (NULL);
  g_autoptr(GTimeZone) named = bb_time_zone_local ("Europe/London");
  g_autoptr(GTimeZone) paris = bb_time_zone_local ("Europe/Paris");
  g_autoptr(GDateTime) winter = g_date_time_new_utc (2026, 1, 15, 12, 0, 0);
  g_autoptr(GDateTime) summer = g_date_time_new_utc (2026, 7, 15, 12, 0, 0);
  g_autoptr(GDateTime) a = g_date_time_to_timezone (winter, london);
  g_autoptr(GDateTime) b = g_date_time_to_timezone (summer, london);
  g_autoptr(GDateTime) c = g_date_time_to_timezone (summer, named);
  g_autoptr(GDateTime) d = g_date_time_to_timezone (summer, paris);

  g_assert_cmpstr (g_time_zone_get_identifier (london), ==, "Europe/London");
  g_assert_cmpint (g_date_time_get_utc_offset (a), ==, 0);
  g_assert_cmpint (g_date_time_get_utc_offset (b), ==, G_TIME_SPAN_HOUR);
  g_assert_cmpint (g_date_time_get_utc_offset (c), ==, G_TIME_SPAN_HOUR);
  g_assert_cmpint (g_date_time_get_utc_offset (d), ==, 2 * G_TIME_SPAN_HOUR);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/time/parse/accepts-utc", test_parse_utc);
  g_test_add_func ("/time/parse/converts-offsets-to-utc", test_parse_offsets);
  g_test_add_func ("/time/parse/refuses-incomplete-and-invalid", test_parse_refuses_incomplete_and_invalid);
  g_test_add_func ("/time/format-iso/converts-to-utc", test_format_iso_converts_to_utc);
  g_test_add_func ("/time/now/is-iso-utc", test_now_is_iso_utc);
  g_test_add_func ("/time/date/accepts-only-real-dates", test_date_parse);
  g_test_add_func ("/time/add-months/clamps-at-month-end", test_add_months);
  g_test_add_func ("/time/local/shows-the-march-change", test_local_around_march_change);
  g_test_add_func ("/time/local/shows-the-october-change", test_local_around_october_change);
  g_test_add_func ("/time/local/keeps-what-it-cannot-read", test_local_keeps_what_it_cannot_read);
  g_test_add_func ("/time/zone/is-london-by-default", test_zones);

  return g_test_run ();
}
