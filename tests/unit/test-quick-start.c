/* test-quick-start.c: starting a record from a few typed letters
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include "beatbook.h"

static BbProfile *profile;

static BbQuickStart *
first_hit (GPtrArray *hits)
{
  g_assert_nonnull (hits);
  g_assert_cmpuint (hits->len, >, 0);
  return g_ptr_array_index (hits, 0);
}

static const char *
preset (BbQuickStart *start,
        const char   *key)
{
  return json_object_get_string_member_with_default (start->fields, key, NULL);
}

static void
test_category_words_start_a_patrol_observation (void)
{
  g_autoptr(GPtrArray) fly = bb_quick_start_match (profile, BB_ROLE_OFFICER, "fly");
  g_autoptr(GPtrArray) asb = bb_quick_start_match (profile, BB_ROLE_WARDEN, "ASB");
  g_autoptr(GPtrArray) graffiti = bb_quick_start_match (profile, BB_ROLE_OFFICER, "graf");
  BbQuickStart *start;

  start = first_hit (fly);
  g_assert_cmpstr (start->kind->id, ==, BB_KIND_PATROL_OBSERVATION);
  g_assert_cmpstr (preset (start, "category"), ==, "fly_tipping");
  g_assert_cmpstr (start->title, ==, "Fly-tipping");
  g_assert_cmpstr (start->subtitle, ==, "Patrol observation");

  start = first_hit (asb);
  g_assert_cmpstr (start->kind->id, ==, BB_KIND_PATROL_OBSERVATION);
  g_assert_cmpstr (preset (start, "category"), ==, "asb_youths");
  g_assert_cmpuint (json_object_get_size (start->fields), ==, 1);

  /* A word inside the label counts as well as the first. */
  start = first_hit (graffiti);
  g_assert_cmpstr (preset (start, "category"), ==, "criminal_damage");
}

static void
test_every_word_must_match (void)
{
  g_autoptr(GPtrArray) two = bb_quick_start_match (profile, BB_ROLE_OFFICER, "drug deal");
  g_autoptr(GPtrArray) none = bb_quick_start_match (profile, BB_ROLE_OFFICER, "fly zebra");
  g_autoptr(GPtrArray) drug = bb_quick_start_match (profile, BB_ROLE_OFFICER, "drug");

  g_assert_cmpuint (two->len, ==, 1);
  g_assert_cmpstr (preset (first_hit (two), "category"), ==, "drug_dealing");
  g_assert_cmpuint (none->len, ==, 0);
  /* Both drug categories, in the profile's order. */
  g_assert_cmpuint (drug->len, ==, 2);
  g_assert_cmpstr (preset (g_ptr_array_index (drug, 0), "category"), ==, "drug_dealing");
  g_assert_cmpstr (preset (g_ptr_array_index (drug, 1), "category"), ==, "drug_use");
}

static void
test_kind_names_start_a_kind (void)
{
  g_autoptr(GPtrArray) s59 = bb_quick_start_match (profile, BB_ROLE_OFFICER, "s59");
  g_autoptr(GPtrArray) section = bb_quick_start_match (profile, BB_ROLE_OFFICER, "section");
  g_autoptr(GPtrArray) patrol = bb_quick_start_match (profile, BB_ROLE_OFFICER, "patrol");
  g_autoptr(GPtrArray) walk = bb_quick_start_match (profile, BB_ROLE_COUNCILLOR, "walk");
  g_autoptr(GPtrArray) briefing = bb_quick_start_match (profile, BB_ROLE_COUNCILLOR, "briefing");
  BbQuickStart *start;

  start = first_hit (s59);
  g_assert_cmpstr (start->kind->id, ==, BB_KIND_S59_WARNING);
  g_assert_cmpuint (json_object_get_size (start->fields), ==, 0);
  g_assert_cmpstr (first_hit (section)->kind->id, ==, BB_KIND_S59_WARNING);

  /* The kind itself before each of its categories. */
  start = first_hit (patrol);
  g_assert_cmpstr (start->kind->id, ==, BB_KIND_PATROL_OBSERVATION);
  g_assert_cmpuint (json_object_get_size (start->fields), ==, 0);
  g_assert_cmpuint (patrol->len, >, 10);

  start = first_hit (walk);
  g_assert_cmpstr (start->kind->id, ==, BB_KIND_VAWG_WALK);
  g_assert_null (preset (start, "walk_type"));
  g_assert_cmpuint (walk->len, >, 1);
  g_assert_nonnull (preset (g_ptr_array_index (walk, 1), "walk_type"));

  start = first_hit (briefing);
  g_assert_cmpstr (start->kind->id, ==, BB_KIND_ENGAGEMENT_EVENT);
  g_assert_cmpstr (preset (start, "event_type"), ==, "street_briefing");
}

static void
test_a_mark_starts_a_warning_with_it (void)
{
  g_autoptr(GPtrArray) mark = bb_quick_start_match (profile, BB_ROLE_OFFICER, "ab12 cde");
  g_autoptr(GPtrArray) prefixed = bb_quick_start_match (profile, BB_ROLE_OFFICER, "s59 ab12cde");
  g_autoptr(GPtrArray) foreign = bb_quick_start_match (profile, BB_ROLE_OFFICER, "s59 B-123XY");
  g_autoptr(GPtrArray) warden = bb_quick_start_match (profile, BB_ROLE_WARDEN, "AB12CDE");
  BbQuickStart *start;
  JsonObject *vehicle;
  JsonArray *vehicles;

  start = first_hit (mark);
  g_assert_cmpstr (start->kind->id, ==, BB_KIND_S59_WARNING);
  g_assert_cmpstr (start->title, ==, "AB12 CDE");
  vehicle = json_object_get_object_member (start->fields, "vehicle");
  g_assert_cmpstr (json_object_get_string_member (vehicle, "vrm"), ==, "AB12CDE");
  /* A nuisance vehicle is logged with the same mark. */
  g_assert_cmpuint (mark->len, ==, 2);
  start = g_ptr_array_index (mark, 1);
  g_assert_cmpstr (start->kind->id, ==, BB_KIND_PATROL_OBSERVATION);
  vehicles = json_object_get_array_member (start->fields, "vehicles");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (vehicles, 0), "vrm"),
                   ==, "AB12CDE");

  g_assert_cmpuint (prefixed->len, ==, 1);
  vehicle = json_object_get_object_member (first_hit (prefixed)->fields, "vehicle");
  g_assert_cmpstr (json_object_get_string_member (vehicle, "vrm"), ==, "AB12CDE");

  /* After "s59", an unrecognised mark is still taken: foreign plates exist. */
  vehicle = json_object_get_object_member (first_hit (foreign)->fields, "vehicle");
  g_assert_cmpstr (json_object_get_string_member (vehicle, "vrm"), ==, "B123XY");

  /* A warden may not issue warnings: the mark still starts an observation. */
  g_assert_cmpuint (warden->len, ==, 1);
  g_assert_cmpstr (first_hit (warden)->kind->id, ==, BB_KIND_PATROL_OBSERVATION);
}

static void
test_the_role_decides_the_kinds (void)
{
  g_autoptr(GPtrArray) councillor = bb_quick_start_match (profile, BB_ROLE_COUNCILLOR, "fly");
  g_autoptr(GPtrArray) warden = bb_quick_start_match (profile, BB_ROLE_WARDEN, "s59");
  g_autoptr(GPtrArray) admin = bb_quick_start_match (profile, BB_ROLE_ADMIN, "");
  g_autoptr(GPtrArray) all = bb_quick_start_match (profile, BB_ROLE_OFFICER, "  ");

  /* "fly" is no category of a walk or an event. */
  g_assert_cmpuint (councillor->len, ==, 0);
  g_assert_cmpuint (warden->len, ==, 0);
  g_assert_cmpuint (admin->len, ==, 0);

  /* Nothing typed: every kind the role may create, in the New menu's order. */
  g_assert_cmpuint (all->len, ==, 4);
  for (guint i = 0; i < all->len; i++)
    {
      BbQuickStart *start = g_ptr_array_index (all, i);

      g_assert_true (start->kind == bb_kind_all ()[i]);
      g_assert_cmpuint (json_object_get_size (start->fields), ==, 0);
    }
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  profile = bb_profile_load_default (&error);
  g_assert_no_error (error);

  g_test_add_func ("/quick-start/category-words/start-a-patrol-observation",
                   test_category_words_start_a_patrol_observation);
  g_test_add_func ("/quick-start/words/every-one-must-match", test_every_word_must_match);
  g_test_add_func ("/quick-start/kind-names/start-a-kind", test_kind_names_start_a_kind);
  g_test_add_func ("/quick-start/marks/start-a-warning-with-the-mark", test_a_mark_starts_a_warning_with_it);
  g_test_add_func ("/quick-start/roles/decide-the-kinds", test_the_role_decides_the_kinds);

  ret = g_test_run ();
  g_clear_object (&profile);
  return ret;
}
