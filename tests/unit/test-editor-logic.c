/* test-editor-logic.c: the editor's rules that need no display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include "bb-editor-logic.h"

static void
test_short_list_threshold (void)
{
  g_assert_cmpint (bb_choice_presentation_for ("severity", 3), ==, BB_CHOICE_CHIPS);
  g_assert_cmpint (bb_choice_presentation_for ("fly_tip_size", BB_SHORT_LIST_MAX), ==, BB_CHOICE_CHIPS);
  g_assert_cmpint (bb_choice_presentation_for ("land_type", 8), ==, BB_CHOICE_CHIPS);
  g_assert_cmpint (bb_choice_presentation_for ("waste_type", BB_SHORT_LIST_MAX + 1), ==, BB_CHOICE_PICKER);
  g_assert_cmpint (bb_choice_presentation_for ("waste_type", 10), ==, BB_CHOICE_PICKER);
  g_assert_cmpint (bb_choice_presentation_for ("observation_category", 19), ==, BB_CHOICE_PICKER);
  /* Wards are searched by any word of their name, however few there are. */
  g_assert_cmpint (bb_choice_presentation_for ("wards", 2), ==, BB_CHOICE_PICKER);
  g_assert_cmpint (bb_choice_presentation_for (NULL, 0), ==, BB_CHOICE_CHIPS);
}

static void
test_place_age (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 ("2026-03-01T21:14:00Z", NULL);

  g_assert_true (bb_place_is_fresh ("2026-03-01T21:14:00Z", now));
  g_assert_true (bb_place_is_fresh ("2026-03-01T20:14:00Z", now));
  g_assert_false (bb_place_is_fresh ("2026-03-01T20:13:59Z", now));
  g_assert_false (bb_place_is_fresh ("2026-02-28T21:14:00Z", now));
  /* A time ahead of the clock is not trusted. */
  g_assert_false (bb_place_is_fresh ("2026-03-01T21:20:00Z", now));
  g_assert_false (bb_place_is_fresh ("yesterday", now));
  g_assert_false (bb_place_is_fresh ("", now));
  g_assert_false (bb_place_is_fresh (NULL, now));
}

static void
test_focus_pick (void)
{
  /* when, ward (required, empty), place, category (required, empty), description (required, empty) */
  BbFocusCandidate form[] = {
    { TRUE, FALSE }, { TRUE, TRUE }, { FALSE, TRUE }, { TRUE, TRUE }, { TRUE, TRUE }, { FALSE, TRUE },
  };
  BbFocusCandidate filled[] = {
    { TRUE, FALSE }, { TRUE, FALSE }, { FALSE, TRUE },
  };

  /* On opening: the first required field still empty. */
  g_assert_cmpint (bb_focus_pick (form, G_N_ELEMENTS (form), -1), ==, 1);
  /* After the ward: skips the optional place to the category. */
  g_assert_cmpint (bb_focus_pick (form, G_N_ELEMENTS (form), 1), ==, 3);
  g_assert_cmpint (bb_focus_pick (form, G_N_ELEMENTS (form), 3), ==, 4);
  /* Nothing required left: the next field, then nothing past the end. */
  g_assert_cmpint (bb_focus_pick (form, G_N_ELEMENTS (form), 4), ==, 5);
  g_assert_cmpint (bb_focus_pick (form, G_N_ELEMENTS (form), 5), ==, -1);
  /* Everything required filled: the caller's default on opening. */
  g_assert_cmpint (bb_focus_pick (filled, G_N_ELEMENTS (filled), -1), ==, -1);
  g_assert_cmpint (bb_focus_pick (filled, G_N_ELEMENTS (filled), 0), ==, 1);
  g_assert_cmpint (bb_focus_pick (NULL, 0, -1), ==, -1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/editor-logic/short-lists-are-chips-up-to-six", test_short_list_threshold);
  g_test_add_func ("/editor-logic/remembered-place-is-filled-only-within-an-hour", test_place_age);
  g_test_add_func ("/editor-logic/focus-goes-to-the-first-empty-required-field", test_focus_pick);

  return g_test_run ();
}
