/* test-kind.c: the field tables agree with the profile and the contract
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "beatbook.h"

static BbProfile *profile;

static void
check_table (const BbFieldSpec *table,
             const char        *where)
{
  g_assert_nonnull (table);
  for (const BbFieldSpec *f = table; f->name != NULL; f++)
    {
      /* Wire keys are snake_case ASCII. */
      for (const char *c = f->name; *c; c++)
        if (!g_ascii_islower (*c) && !g_ascii_isdigit (*c) && *c != '_')
          g_error ("%s.%s is not snake_case", where, f->name);

      g_assert_nonnull (f->label);
      if (f->type == BB_FIELD_CHOICE || f->type == BB_FIELD_CHOICE_LIST)
        {
          GPtrArray *choices;

          if (f->choices == NULL)
            g_error ("%s.%s names no profile list", where, f->name);
          choices = bb_profile_get_choices (profile, f->choices);
          if (choices == NULL || choices->len == 0)
            g_error ("%s.%s uses list “%s”, which the profile lacks", where, f->name, f->choices);
        }
      if (f->type == BB_FIELD_OBJECT || f->type == BB_FIELD_OBJECT_LIST)
        {
          g_autofree char *inner = g_strdup_printf ("%s.%s", where, f->name);

          g_assert_nonnull (f->children);
          check_table (f->children, inner);
        }
      else
        g_assert_null (f->children);

      /* No name twice in one table. */
      for (const BbFieldSpec *g = f + 1; g->name != NULL; g++)
        g_assert_cmpstr (f->name, !=, g->name);
    }
}

static void
test_tables_match_the_profile (void)
{
  const BbKindSpec * const *kinds = bb_kind_all ();
  guint n = 0;

  check_table (bb_kind_common_fields (), "common");
  for (; kinds[n] != NULL; n++)
    {
      check_table (kinds[n]->fields, kinds[n]->id);
      /* No kind field shadows a common one. */
      for (const BbFieldSpec *f = kinds[n]->fields; f->name != NULL; f++)
        g_assert_null (bb_field_spec_find (bb_kind_common_fields (), f->name));
      g_assert_true (bb_kind_lookup (kinds[n]->id) == kinds[n]);
      g_assert_cmpint (kinds[n]->default_priority, >=, 1);
      g_assert_cmpint (kinds[n]->default_priority, <=, 4);
    }
  g_assert_cmpuint (n, ==, 4);
  g_assert_null (bb_kind_lookup ("memo"));
  g_assert_null (bb_kind_lookup (NULL));
}

static void
test_contract_fields_are_present (void)
{
  /* sync-api.md "Records on the wire": the required keys per kind. */
  struct { const char *kind; const char *field; } required[] = {
    { "vawg_walk", "walk_type" },
    { "patrol_observation", "category" },
    { "patrol_observation", "description" },
    { "s59_warning", "offence" },
    { "s59_warning", "alarm_distress" },
    { "s59_warning", "circumstances" },
    { "s59_warning", "vehicle" },
    { "s59_warning", "warned_party" },
    { "engagement_event", "event_type" },
    { "engagement_event", "title" },
    { "engagement_event", "attendees" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      const BbKindSpec *kind = bb_kind_lookup (required[i].kind);
      const BbFieldSpec *f = bb_field_spec_find (kind->fields, required[i].field);

      g_assert_nonnull (f);
      g_assert_true (f->flags & BB_FIELD_FLAG_REQUIRED);
    }

  g_assert_true (bb_field_spec_find (bb_kind_common_fields (), "ward")->flags & BB_FIELD_FLAG_REQUIRED);
  g_assert_true (bb_field_spec_find (bb_kind_lookup ("s59_warning")->fields, "driver")->flags &
                 BB_FIELD_FLAG_PERSONAL);
}

static void
test_roles_decide_what_can_be_created (void)
{
  const BbKindSpec *walk = bb_kind_lookup (BB_KIND_VAWG_WALK);
  const BbKindSpec *obs = bb_kind_lookup (BB_KIND_PATROL_OBSERVATION);
  const BbKindSpec *s59 = bb_kind_lookup (BB_KIND_S59_WARNING);
  const BbKindSpec *event = bb_kind_lookup (BB_KIND_ENGAGEMENT_EVENT);

  /* domain.md "Users and roles". */
  g_assert_true (bb_kind_can_create (s59, BB_ROLE_OFFICER));
  g_assert_true (bb_kind_can_create (s59, BB_ROLE_SUPERVISOR));
  g_assert_false (bb_kind_can_create (s59, BB_ROLE_WARDEN));
  g_assert_false (bb_kind_can_create (s59, BB_ROLE_COUNCILLOR));
  g_assert_true (bb_kind_can_create (obs, BB_ROLE_WARDEN));
  g_assert_false (bb_kind_can_create (obs, BB_ROLE_COUNCILLOR));
  g_assert_true (bb_kind_can_create (walk, BB_ROLE_COUNCILLOR));
  g_assert_true (bb_kind_can_create (event, BB_ROLE_COUNCILLOR));
  g_assert_false (bb_kind_can_create (event, BB_ROLE_ADMIN));
  g_assert_false (bb_kind_can_create (walk, BB_ROLE_NONE));

  g_assert_cmpint (bb_role_from_string ("warden"), ==, BB_ROLE_WARDEN);
  g_assert_cmpint (bb_role_from_string ("sergeant"), ==, BB_ROLE_NONE);
  g_assert_cmpstr (bb_role_to_string (BB_ROLE_COUNCILLOR), ==, "councillor");
}

static void
test_default_priorities (void)
{
  g_autoptr(JsonObject) dealing = json_object_new ();
  g_autoptr(JsonObject) drinking = json_object_new ();

  json_object_set_string_member (dealing, "category", "drug_dealing");
  json_object_set_string_member (drinking, "category", "street_drinking");

  g_assert_cmpint (bb_kind_default_priority (bb_kind_lookup (BB_KIND_VAWG_WALK), NULL), ==, 1);
  g_assert_cmpint (bb_kind_default_priority (bb_kind_lookup (BB_KIND_PATROL_OBSERVATION), drinking), ==, 2);
  g_assert_cmpint (bb_kind_default_priority (bb_kind_lookup (BB_KIND_PATROL_OBSERVATION), dealing), ==, 3);
  g_assert_cmpint (bb_kind_default_priority (bb_kind_lookup (BB_KIND_S59_WARNING), NULL), ==, 2);
  g_assert_cmpint (bb_kind_default_priority (bb_kind_lookup (BB_KIND_ENGAGEMENT_EVENT), NULL), ==, 4);

  /* Every strategy priority has an observation category that defaults to it. */
  {
    static const struct { const char *category; int priority; } cases[] = {
      { "weapons_knife_concern", 1 },
      { "asb_youths", 2 },
      { "licensing_visit", 3 },
      { "safeguarding_concern", 4 },
      { "exploitation_concern", 4 },
      { "hate_incident", 4 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(JsonObject) fields = json_object_new ();

        json_object_set_string_member (fields, "category", cases[i].category);
        g_assert_cmpint (bb_kind_default_priority (bb_kind_lookup (BB_KIND_PATROL_OBSERVATION), fields),
                         ==, cases[i].priority);
      }
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

  g_test_add_func ("/kind/tables/match-the-profile", test_tables_match_the_profile);
  g_test_add_func ("/kind/tables/have-the-contract-fields", test_contract_fields_are_present);
  g_test_add_func ("/kind/roles/decide-what-can-be-created", test_roles_decide_what_can_be_created);
  g_test_add_func ("/kind/priority/defaults-follow-the-kind-and-category", test_default_priorities);

  ret = g_test_run ();
  g_clear_object (&profile);
  return ret;
}
