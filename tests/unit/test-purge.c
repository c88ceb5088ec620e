/* test-purge.c: devices hold the minimum (personal details purged after
 * review) and offline look-ups queued for the server's audit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "beatbook.h"

typedef struct
{
  char      *dir;
  BbStore   *store;
  BbProfile *profile;
  GDateTime *now;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp ("beatbook-purge-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "beatbook.db", NULL);
  fixture->store = bb_store_open (path, &error);
  g_assert_no_error (error);
  fixture->profile = bb_profile_load_default (&error);
  g_assert_no_error (error);
  g_assert_cmpint (bb_profile_get_device_personal_data_days (fixture->profile), ==, 30);
  fixture->now = g_date_time_new_now_utc ();
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "beatbook.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_clear_object (&fixture->store);
  g_clear_object (&fixture->profile);
  g_clear_pointer (&fixture->now, g_date_time_unref);
  g_remove (path);
  g_remove (wal);
  g_remove (shm);
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static char *
days_ago (Fixture *fixture,
          int      days)
{
  g_autoptr(GDateTime) then = g_date_time_add_days (fixture->now, -days);

  return g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
}

/* A warning as the server sends it: rev 2, @review_state, last changed
 * @changed_days_ago days ago. (transfer full) */
static BbRecord *
server_warning (Fixture    *fixture,
                const char *vrm,
                const char *surname,
                const char *review_state,
                int         changed_days_ago)
{
  g_autoptr(BbRecord) record = bb_record_new ("s59_warning");
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *occurred = days_ago (fixture, changed_days_ago + 1);
  g_autofree char *changed = days_ago (fixture, changed_days_ago);
  g_autofree char *json = g_strdup_printf (
    "{\"ward\": \"town\", \"place\": \"Crossways Boulevard\", \"offence\": \"rta_s3\","
    " \"vehicle\": {\"type\": \"car\", \"vrm\": \"%s\"}, \"warned_party\": \"both\","
    " \"driver\": {\"name\": \"Alex %s\", \"date_of_birth\": \"1990-04-01\","
    "  \"address\": \"1 High Street\", \"postcode\": \"DA1 1AA\"},"
    " \"owner\": {\"name\": \"Sam %s\", \"address\": \"2 High Street\", \"postcode\": \"DA1 1AB\"}}",
    vrm, surname, surname);
  g_autoptr(JsonNode) fields = json_from_string (json, NULL);

  g_assert_nonnull (fields);
  bb_record_set_id (record, id);
  bb_record_set_occurred_at (record, occurred);
  bb_record_set_fields (record, json_node_get_object (fields));
  bb_record_set_rev (record, 2);
  bb_record_set_base_rev (record, 2);
  bb_record_set_seq (record, 10);
  bb_record_set_created_at (record, occurred);
  bb_record_set_updated_at (record, changed);
  bb_record_set_author (record, "user-officer", "PC (officer)", "officer");
  bb_record_set_review_state (record, review_state);
  bb_record_set_sync_state (record, BB_SYNC_STATE_SYNCED);
  return g_steal_pointer (&record);
}

static void
pull (Fixture  *fixture,
      BbRecord *record)
{
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (page, bb_record_copy (record));
  g_assert_true (bb_store_apply_pull_page (fixture->store, page, "sync.cursor", 10, &error));
  g_assert_no_error (error);
}

static gint64
purge (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  gint64 n = bb_store_purge_personal_data (fixture->store, fixture->profile, fixture->now, &error);

  g_assert_no_error (error);
  return n;
}

static BbRecord *
get (Fixture    *fixture,
     const char *id)
{
  g_autoptr(GError) error = NULL;
  BbRecord *record = bb_store_get_record (fixture->store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (record);
  return record;
}

static gboolean
has_personal (BbRecord *record)
{
  static const char * const paths[] = {
    "driver.name", "driver.date_of_birth", "driver.address", "driver.postcode",
    "owner.name", "owner.address", "owner.postcode", NULL
  };

  for (guint i = 0; paths[i] != NULL; i++)
    if (bb_record_get_field_string (record, paths[i]) != NULL)
      return TRUE;
  return FALSE;
}

static guint
search_count (Fixture    *fixture,
              const char *words)
{
  g_autoptr(GError) error = NULL;
  BbQuery q = { .search = words };
  guint n = 0;

  g_assert_true (bb_store_count_records (fixture->store, &q, &n, &error));
  g_assert_no_error (error);
  return n;
}

static guint
lookup_count (Fixture             *fixture,
              const BbLookupQuery *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = bb_lookup_offline (fixture->store, query, 365, &error);

  g_assert_no_error (error);
  return found->len;
}

/* Reviewed or closed and unchanged for more than the profile's 30 days:
 * purged; younger, or not yet reviewed: kept. */
static void
test_age_and_review_rule (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(BbRecord) old_reviewed = server_warning (fixture, "AA11AAA", "Oldreviewed", "reviewed", 31);
  g_autoptr(BbRecord) old_closed = server_warning (fixture, "BB11BBB", "Oldclosed", "closed", 40);
  g_autoptr(BbRecord) young = server_warning (fixture, "CC11CCC", "Young", "reviewed", 29);
  g_autoptr(BbRecord) unreviewed = server_warning (fixture, "DD11DDD", "Unreviewed", "new", 60);
  g_autoptr(BbRecord) returned = server_warning (fixture, "EE11EEE", "Returned", "returned", 60);
  BbRecord *all[] = { old_reviewed, old_closed, young, unreviewed, returned };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    pull (fixture, all[i]);

  g_assert_cmpint (purge (fixture), ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      g_autoptr(BbRecord) stored = get (fixture, bb_record_get_id (all[i]));
      gboolean expect_purged = i < 2;

      g_assert_cmpint (has_personal (stored), ==, !expect_purged);
      if (expect_purged)
        {
          g_assert_nonnull (bb_record_get_personal_purged_at (stored));
          /* The rest of the warning stays. */
          g_assert_cmpstr (bb_record_get_field_string (stored, "vehicle.vrm"), ==,
                           bb_record_get_field_string (all[i], "vehicle.vrm"));
          g_assert_cmpstr (bb_record_get_field_string (stored, "offence"), ==, "rta_s3");
          g_assert_cmpstr (bb_record_get_field_string (stored, "warned_party"), ==, "both");
        }
      else
        g_assert_null (bb_record_get_personal_purged_at (stored));
    }

  /* Run again: nothing more to do. */
  g_assert_cmpint (purge (fixture), ==, 0);
}

/* The purge is this copy's alone: no outbox entry, still synced, the same
 * revision; names leave the search index and the look-up by name, the
 * mark still finds it. */
static void
test_local_only_and_lookups (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(BbRecord) warning = server_warning (fixture, "AB12CDE", "Purgeable", "reviewed", 31);
  g_autoptr(BbRecord) stored = NULL;
  BbLookupQuery by_name = { .surname = "Purgeable", .date_of_birth = "1990-04-01" };
  BbLookupQuery by_mark = { .vrm = "AB12 CDE" };

  pull (fixture, warning);
  g_assert_cmpuint (search_count (fixture, "Purgeable"), ==, 1);
  g_assert_cmpuint (lookup_count (fixture, &by_name), ==, 1);
  g_assert_cmpuint (lookup_count (fixture, &by_mark), ==, 1);

  g_assert_cmpint (purge (fixture), ==, 1);

  g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 0);
  stored = get (fixture, bb_record_get_id (warning));
  g_assert_cmpint (bb_record_get_sync_state (stored), ==, BB_SYNC_STATE_SYNCED);
  g_assert_cmpint (bb_record_get_rev (stored), ==, 2);
  g_assert_cmpuint (search_count (fixture, "Purgeable"), ==, 0);
  g_assert_cmpuint (search_count (fixture, "Crossways"), ==, 1);
  g_assert_cmpuint (lookup_count (fixture, &by_name), ==, 0);
  g_assert_cmpuint (lookup_count (fixture, &by_mark), ==, 1);

  /* An edit here would send the details to the server as erased: refused,
   * nothing queued. */
  {
    g_autoptr(GError) error = NULL;

    json_object_set_string_member (bb_record_get_fields (stored), "circumstances", "Changed");
    g_assert_false (bb_store_save_record (fixture->store, stored, &error));
    g_assert_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, "removed from this device"));
    g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 0);
  }
}

/* The server sends the same revision again (a repeated page) or a newer
 * one: the details go again at once, before any search sees them. */
static void
test_pull_does_not_bring_them_back (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(BbRecord) warning = server_warning (fixture, "AB12CDE", "Returning", "reviewed", 31);
  g_autoptr(BbRecord) stored = NULL;
  g_autoptr(BbRecord) again = NULL;
  g_autofree char *purged_at = NULL;

  pull (fixture, warning);
  g_assert_cmpint (purge (fixture), ==, 1);
  stored = get (fixture, bb_record_get_id (warning));
  purged_at = g_strdup (bb_record_get_personal_purged_at (stored));
  g_clear_object (&stored);

  pull (fixture, warning);
  stored = get (fixture, bb_record_get_id (warning));
  g_assert_false (has_personal (stored));
  g_assert_cmpstr (bb_record_get_personal_purged_at (stored), ==, purged_at);
  g_assert_cmpuint (search_count (fixture, "Returning"), ==, 0);
  g_clear_object (&stored);

  bb_record_set_rev (warning, 3);
  bb_record_set_base_rev (warning, 3);
  pull (fixture, warning);
  stored = get (fixture, bb_record_get_id (warning));
  g_assert_false (has_personal (stored));
  g_assert_cmpint (bb_record_get_rev (stored), ==, 3);
  g_assert_cmpuint (search_count (fixture, "Returning"), ==, 0);
  g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 0);
}

/* A record with a local edit waiting (not synced) keeps its details: the
 * edit must reach the server whole. */
static void
test_pending_edit_is_kept (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(BbRecord) warning = server_warning (fixture, "AB12CDE", "Edited", "reviewed", 31);
  g_autoptr(BbRecord) mine = NULL;
  g_autoptr(BbRecord) stored = NULL;
  g_autoptr(GError) error = NULL;

  pull (fixture, warning);
  mine = get (fixture, bb_record_get_id (warning));
  json_object_set_string_member (bb_record_get_fields (mine), "circumstances", "Corrected");
  g_assert_true (bb_store_save_record (fixture->store, mine, &error));
  g_assert_no_error (error);

  g_assert_cmpint (purge (fixture), ==, 0);
  stored = get (fixture, bb_record_get_id (warning));
  g_assert_true (has_personal (stored));
}

/* Each offline look-up is queued for the server's audit with the ids it
 * matched and how it looked, never the values looked for. */
static void
test_lookup_queues_a_notice (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(BbRecord) warning = server_warning (fixture, "AB12CDE", "Noticed", "new", 1);
  BbLookupQuery by_name = { .surname = "Noticed", .date_of_birth = "1990-04-01" };
  BbLookupQuery by_mark = { .vrm = "XY99XYZ" };
  g_autoptr(GPtrArray) notices = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  JsonObject *o;

  pull (fixture, warning);
  g_assert_cmpuint (lookup_count (fixture, &by_name), ==, 1);
  g_assert_cmpuint (lookup_count (fixture, &by_mark), ==, 0);

  notices = bb_store_list_export_notices (fixture->store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (notices->len, ==, 2);

  first = json_from_string (((BbExportNotice *) notices->pdata[0])->body, &error);
  g_assert_no_error (error);
  o = json_node_get_object (first);
  g_assert_cmpstr (json_object_get_string_member (o, "what"), ==, "lookup");
  g_assert_cmpint (json_object_get_int_member (o, "count"), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (o, "record_ids"), 0),
                   ==, bb_record_get_id (warning));
  g_assert_cmpstr (json_object_get_string_member (o, "filter"), ==, "surname and date of birth");
  g_assert_null (strstr (((BbExportNotice *) notices->pdata[0])->body, "Noticed"));
  g_assert_null (strstr (((BbExportNotice *) notices->pdata[0])->body, "1990"));

  second = json_from_string (((BbExportNotice *) notices->pdata[1])->body, &error);
  g_assert_no_error (error);
  o = json_node_get_object (second);
  g_assert_cmpint (json_object_get_int_member (o, "count"), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "record_ids")), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "filter"), ==, "registration mark");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/purge/age-and-review-rule", Fixture, NULL,
              fixture_setup, test_age_and_review_rule, fixture_teardown);
  g_test_add ("/purge/local-only-name-look-up-misses-mark-hits", Fixture, NULL,
              fixture_setup, test_local_only_and_lookups, fixture_teardown);
  g_test_add ("/purge/pull-does-not-bring-them-back", Fixture, NULL,
              fixture_setup, test_pull_does_not_bring_them_back, fixture_teardown);
  g_test_add ("/purge/pending-edit-is-kept", Fixture, NULL,
              fixture_setup, test_pending_edit_is_kept, fixture_teardown);
  g_test_add ("/purge/look-up-queues-a-notice", Fixture, NULL,
              fixture_setup, test_lookup_queues_a_notice, fixture_teardown);

  return g_test_run ();
}
