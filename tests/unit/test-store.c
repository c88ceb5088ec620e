/* test-store.c: the device's local store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "beatbook.h"
#include "bb-store-private.h"
#include "test-files.h"
#include "test-store-fixture.h"

typedef struct
{
  char    *dir;
  char    *path;
  BbStore *store;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->store = bb_test_store_new ("beatbook-store-XXXXXX", "user/beatbook.db",
                                      &fixture->dir, &fixture->path);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  bb_test_store_free (&fixture->store, &fixture->dir, &fixture->path);
}

/* A patrol observation as an officer's device makes it. */
static BbRecord *
make_observation (const char *description,
                  const char *place,
                  const char *ward,
                  const char *occurred_at)
{
  BbRecord *record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
  g_autoptr(JsonObject) fields = json_object_new ();

  json_object_set_string_member (fields, "ward", ward);
  json_object_set_string_member (fields, "category", "fly_tipping");
  json_object_set_string_member (fields, "description", description);
  if (place != NULL)
    json_object_set_string_member (fields, "place", place);
  bb_record_set_fields (record, fields);
  bb_record_set_occurred_at (record, occurred_at);
  bb_record_set_author (record, "user-4521", "PCSO 4521", "officer");
  return record;
}

static BbRecord *
save_observation (BbStore    *store,
                  const char *description,
                  const char *place,
                  const char *ward,
                  const char *occurred_at)
{
  g_autoptr(GError) error = NULL;
  BbRecord *record = make_observation (description, place, ward, occurred_at);

  g_assert_true (bb_store_save_record (store, record, &error));
  g_assert_no_error (error);
  return record;
}

static guint
count (BbStore       *store,
       const BbQuery *query)
{
  g_autoptr(GError) error = NULL;
  guint n = G_MAXUINT;

  g_assert_true (bb_store_count_records (store, query, &n, &error));
  g_assert_no_error (error);
  return n;
}

static GPtrArray *
list (BbStore       *store,
      const BbQuery *query)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *records = bb_store_list_records (store, query, 0, G_MAXUINT, &error);

  g_assert_no_error (error);
  g_assert_nonnull (records);
  return records;
}

static void
assert_ids (GPtrArray  *records,
            BbRecord  **expected,
            guint       n_expected)
{
  g_assert_cmpuint (records->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    g_assert_cmpstr (bb_record_get_id (g_ptr_array_index (records, i)), ==,
                     bb_record_get_id (expected[i]));
}

static BbRecord *
get (BbStore    *store,
     const char *id)
{
  g_autoptr(GError) error = NULL;
  BbRecord *record = bb_store_get_record (store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (record);
  return record;
}

/* Saving */

static void
test_save_new (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(BbRecord) record = make_observation ("Mattress and bin bags dumped",
                                                 "Joyce Green Lane", "bridge",
                                                 "2026-03-01T21:14:00Z");
  g_autoptr(BbRecord) stored = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (bb_record_get_rev (record), ==, 0);
  g_assert_true (bb_store_save_record (fixture->store, record, &error));
  g_assert_no_error (error);

  g_assert_cmpint (bb_record_get_rev (record), ==, 1);
  g_assert_cmpint (bb_record_get_base_rev (record), ==, 0);
  g_assert_cmpint (bb_record_get_sync_state (record), ==, BB_SYNC_STATE_PENDING);
  g_assert_nonnull (bb_record_get_created_at (record));
  g_assert_cmpstr (bb_record_get_created_at (record), ==, bb_record_get_updated_at (record));

  g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 1);
  outbox = bb_store_outbox_list (fixture->store, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 1);
  g_assert_cmpstr (bb_record_get_id (g_ptr_array_index (outbox, 0)), ==, bb_record_get_id (record));
  g_assert_cmpint (bb_record_get_rev (g_ptr_array_index (outbox, 0)), ==, 1);

  stored = get (fixture->store, bb_record_get_id (record));
  g_assert_cmpstr (bb_record_get_kind (stored), ==, BB_KIND_PATROL_OBSERVATION);
  g_assert_cmpint (bb_record_get_rev (stored), ==, 1);
  g_assert_cmpstr (bb_record_get_occurred_at (stored), ==, "2026-03-01T21:14:00Z");
  g_assert_cmpint (bb_record_get_priority (stored), ==, bb_record_get_priority (record));
  g_assert_cmpstr (bb_record_get_field_string (stored, "description"), ==,
                   "Mattress and bin bags dumped");
  g_assert_cmpstr (bb_record_get_field_string (stored, "ward"), ==, "bridge");
  g_assert_cmpstr (bb_record_get_author_id (stored), ==, "user-4521");
  g_assert_cmpstr (bb_record_get_author_name (stored), ==, "PCSO 4521");
  g_assert_cmpstr (bb_record_get_author_role (stored), ==, "officer");
  g_assert_cmpstr (bb_record_get_review_state (stored), ==, "new");
  g_assert_cmpstr (bb_record_get_created_at (stored), ==, bb_record_get_created_at (record));
  g_assert_cmpint (bb_record_get_sync_state (stored), ==, BB_SYNC_STATE_PENDING);
  g_assert_false (bb_record_get_deleted (stored));
}

static void
test_save_edit (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(BbRecord) record = save_observation (fixture->store, "Sofa dumped", NULL,
                                                 "bridge", "2026-03-01T21:14:00Z");
  g_autoptr(BbRecord) stored = NULL;
  g_autoptr(BbRecord) again = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *created_at = g_strdup (bb_record_get_created_at (record));
  JsonObject *fields;

  stored = get (fixture->store, bb_record_get_id (record));
  fields = bb_record_get_fields (stored);
  json_object_set_string_member (fields, "description", "Sofa and fridge dumped");
  /* An editor's copy may say anything about created_at: the first one stays. */
  bb_record_set_created_at (stored, "2020-01-01T00:00:00Z");
  g_assert_true (bb_store_save_record (fixture->store, stored, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bb_record_get_rev (stored), ==, 2);

  g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 1);
  outbox = bb_store_outbox_list (fixture->store, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 1);
  g_assert_cmpint (bb_record_get_rev (g_ptr_array_index (outbox, 0)), ==, 2);

  again = get (fixture->store, bb_record_get_id (record));
  g_assert_cmpint (bb_record_get_rev (again), ==, 2);
  g_assert_cmpstr (bb_record_get_field_string (again, "description"), ==, "Sofa and fridge dumped");
  g_assert_cmpstr (bb_record_get_created_at (again), ==, created_at);

  /* An editor holding the old rev 1 copy still produces rev 3, not rev 2. */
  g_assert_true (bb_store_save_record (fixture->store, record, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bb_record_get_rev (record), ==, 3);
}

static void
test_save_without_id_is_refused (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(BbRecord) record = make_observation ("No id", NULL, "bridge",
                                                 "2026-03-01T21:14:00Z");
  g_autoptr(GError) error = NULL;
  guint n;

  bb_record_set_id (record, NULL);
  g_assert_false (bb_store_save_record (fixture->store, record, &error));
  g_assert_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_true (bb_store_count_records (fixture->store, NULL, &n, &error));
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 0);
}

static void
test_delete_tombstone (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(BbRecord) keep = save_observation (fixture->store, "Kept", NULL, "bridge",
                                               "2026-03-01T21:00:00Z");
  g_autoptr(BbRecord) gone = save_observation (fixture->store, "Deleted", NULL, "bridge",
                                               "2026-03-02T21:00:00Z");
  g_autoptr(BbRecord) tombstone = NULL;
  g_autoptr(GPtrArray) visible = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GError) error = NULL;
  BbQuery with_deleted = { .include_deleted = TRUE };

  g_assert_true (bb_store_delete_record (fixture->store, bb_record_get_id (gone), &error));
  g_assert_no_error (error);

  tombstone = get (fixture->store, bb_record_get_id (gone));
  g_assert_true (bb_record_get_deleted (tombstone));
  g_assert_cmpint (bb_record_get_rev (tombstone), ==, 2);
  g_assert_cmpstr (bb_record_get_field_string (tombstone, "description"), ==, "Deleted");

  visible = list (fixture->store, NULL);
  assert_ids (visible, (BbRecord *[]) { keep }, 1);
  g_assert_cmpuint (count (fixture->store, NULL), ==, 1);
  all = list (fixture->store, &with_deleted);
  assert_ids (all, (BbRecord *[]) { gone, keep }, 2);
  g_assert_cmpuint (count (fixture->store, &with_deleted), ==, 2);

  /* The tombstone travels: the outbox holds it at its new rev. */
  outbox = bb_store_outbox_list (fixture->store, 10, &error);
  g_assert_cmpuint (outbox->len, ==, 2);
  g_assert_cmpstr (bb_record_get_id (g_ptr_array_index (outbox, 1)), ==, bb_record_get_id (gone));
  g_assert_cmpint (bb_record_get_rev (g_ptr_array_index (outbox, 1)), ==, 2);
  g_assert_true (bb_record_get_deleted (g_ptr_array_index (outbox, 1)));

  /* Deleting again changes nothing; an unknown id is not found. */
  g_assert_true (bb_store_delete_record (fixture->store, bb_record_get_id (gone), &error));
  g_clear_object (&tombstone);
  tombstone = get (fixture->store, bb_record_get_id (gone));
  g_assert_cmpint (bb_record_get_rev (tombstone), ==, 2);
  g_assert_false (bb_store_delete_record (fixture->store, "6f1c1d2e-0000-4000-8000-000000000000", &error));
  g_assert_error (error, BB_STORE_ERROR, BB_STORE_ERROR_NOT_FOUND);
}

static void
test_get_unknown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbRecord) record = NULL;

  record = bb_store_get_record (fixture->store, "6f1c1d2e-0000-4000-8000-000000000000", &error);
  g_assert_null (record);
  g_assert_error (error, BB_STORE_ERROR, BB_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "6f1c1d2e-0000-4000-8000-000000000000"));
}

/* Listing */

static void
test_list_order_and_paging (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) saved = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GPtrArray) empty = NULL;
  g_autoptr(GError) error = NULL;
  guint64 before;

  /* 25 records at 5 different times, inserted out of order. */
  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *when = g_strdup_printf ("2026-03-%02uT10:00:00Z", 1 + (i * 7) % 5);
      g_autofree char *what = g_strdup_printf ("Observation %u", i);

      g_ptr_array_add (saved, save_observation (fixture->store, what, NULL, "bridge", when));
    }

  all = list (fixture->store, NULL);
  g_assert_cmpuint (all->len, ==, 25);
  for (guint i = 1; i < all->len; i++)
    {
      BbRecord *a = g_ptr_array_index (all, i - 1);
      BbRecord *b = g_ptr_array_index (all, i);
      int by_time = strcmp (bb_record_get_occurred_at (a), bb_record_get_occurred_at (b));

      g_assert_cmpint (by_time, >=, 0);
      if (by_time == 0)
        g_assert_cmpint (strcmp (bb_record_get_id (a), bb_record_get_id (b)), >, 0);
    }

  before = bb_store_get_rows_fetched (fixture->store);
  page = bb_store_list_records (fixture->store, NULL, 10, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 7);
  /* A page reads only its own rows. */
  g_assert_cmpuint (bb_store_get_rows_fetched (fixture->store) - before, ==, 7);
  for (guint i = 0; i < 7; i++)
    g_assert_cmpstr (bb_record_get_id (g_ptr_array_index (page, i)), ==,
                     bb_record_get_id (g_ptr_array_index (all, 10 + i)));

  g_clear_pointer (&page, g_ptr_array_unref);
  page = bb_store_list_records (fixture->store, NULL, 20, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 5);

  empty = bb_store_list_records (fixture->store, NULL, 30, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (empty->len, ==, 0);
  g_clear_pointer (&empty, g_ptr_array_unref);
  empty = bb_store_list_records (fixture->store, NULL, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (empty->len, ==, 0);
}

static void
check_filter (BbStore       *store,
              const BbQuery *query,
              BbRecord     **expected,
              guint          n_expected)
{
  g_autoptr(GPtrArray) records = list (store, query);

  assert_ids (records, expected, n_expected);
  g_assert_cmpuint (count (store, query), ==, n_expected);
}

static void
test_list_filters (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(BbRecord) a = make_observation ("Bikes on the heath", "Dartford Heath",
                                            "heath", "2026-03-01T10:00:00Z");
  g_autoptr(BbRecord) b = make_observation ("Cars cruising", "Crossways Boulevard",
                                            "greenhithe_knockhall", "2026-03-02T22:30:00Z");
  g_autoptr(BbRecord) c = bb_record_new (BB_KIND_ENGAGEMENT_EVENT);
  g_autoptr(BbRecord) d = make_observation ("Deleted one", NULL, "heath",
                                            "2026-03-04T10:00:00Z");
  g_autoptr(JsonObject) event_fields = json_object_new ();
  g_autoptr(GError) error = NULL;

  json_object_set_string_member (event_fields, "ward", "town");
  json_object_set_string_member (event_fields, "event_type", "street_briefing");
  json_object_set_string_member (event_fields, "title", "Market Place street briefing");
  json_object_set_int_member (event_fields, "attendees", 14);
  bb_record_set_fields (c, event_fields);
  bb_record_set_occurred_at (c, "2026-03-03T12:00:00Z");
  bb_record_set_priority (c, 4);
  bb_record_set_author (c, "user-warden-7", "Community warden 7", "warden");

  bb_record_set_priority (a, 2);
  bb_record_set_priority (b, 3);
  bb_record_set_review_state (b, "returned");

  for (guint i = 0; i < 4; i++)
    {
      g_assert_true (bb_store_save_record (fixture->store, (BbRecord *[]) { a, b, c, d }[i], &error));
      g_assert_no_error (error);
    }
  g_assert_true (bb_store_delete_record (fixture->store, bb_record_get_id (d), &error));
  g_assert_no_error (error);

  check_filter (fixture->store, NULL, (BbRecord *[]) { c, b, a }, 3);
  check_filter (fixture->store, &(BbQuery) { .kind = BB_KIND_PATROL_OBSERVATION },
                (BbRecord *[]) { b, a }, 2);
  check_filter (fixture->store, &(BbQuery) { .kind = BB_KIND_PATROL_OBSERVATION, .include_deleted = TRUE },
                (BbRecord *[]) { d, b, a }, 3);
  check_filter (fixture->store, &(BbQuery) { .kind = BB_KIND_S59_WARNING }, NULL, 0);
  check_filter (fixture->store, &(BbQuery) { .ward = "heath" }, (BbRecord *[]) { a }, 1);
  check_filter (fixture->store, &(BbQuery) { .ward = "heath", .include_deleted = TRUE },
                (BbRecord *[]) { d, a }, 2);
  check_filter (fixture->store, &(BbQuery) { .author_id = "user-warden-7" }, (BbRecord *[]) { c }, 1);
  check_filter (fixture->store, &(BbQuery) { .author_id = "user-4521" }, (BbRecord *[]) { b, a }, 2);
  check_filter (fixture->store, &(BbQuery) { .review_state = "returned" }, (BbRecord *[]) { b }, 1);
  check_filter (fixture->store, &(BbQuery) { .review_state = "new" }, (BbRecord *[]) { c, a }, 2);
  check_filter (fixture->store, &(BbQuery) { .from = "2026-03-02T22:30:00Z" },
                (BbRecord *[]) { c, b }, 2);
  check_filter (fixture->store, &(BbQuery) { .to = "2026-03-02T22:30:00Z" }, (BbRecord *[]) { a }, 1);
  check_filter (fixture->store,
                &(BbQuery) { .from = "2026-03-02T00:00:00Z", .to = "2026-03-03T00:00:00Z" },
                (BbRecord *[]) { b }, 1);
  check_filter (fixture->store, &(BbQuery) { .priority = 4 }, (BbRecord *[]) { c }, 1);
  check_filter (fixture->store, &(BbQuery) { .priority = 3 }, (BbRecord *[]) { b }, 1);
  check_filter (fixture->store, &(BbQuery) { .priority = 1 }, NULL, 0);
  check_filter (fixture->store, &(BbQuery) { .sync_state = "pending" }, (BbRecord *[]) { c, b, a }, 3);
  check_filter (fixture->store, &(BbQuery) { .sync_state = "synced" }, NULL, 0);
  check_filter (fixture->store, &(BbQuery) { .search = "heath" }, (BbRecord *[]) { a }, 1);
  /* Filters combine. */
  check_filter (fixture->store,
                &(BbQuery) { .kind = BB_KIND_PATROL_OBSERVATION, .ward = "heath", .priority = 2,
                             .author_id = "user-4521", .review_state = "new",
                             .from = "2026-03-01T00:00:00Z", .to = "2026-03-05T00:00:00Z",
                             .search = "bikes", .sync_state = "pending" },
                (BbRecord *[]) { a }, 1);
  check_filter (fixture->store,
                &(BbQuery) { .kind = BB_KIND_PATROL_OBSERVATION, .ward = "town" }, NULL, 0);
}

/* Search */

static void
test_search_prefixes (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(BbRecord) lane = save_observation (fixture->store, "Fridge and tyres by the gate",
                                               "Joyce Green Lane", "bridge",
                                               "2026-03-01T10:00:00Z");
  g_autoptr(BbRecord) cafe = save_observation (fixture->store, "Youths outside the Café",
                                               "Lowfield Street", "town",
                                               "2026-03-02T10:00:00Z");
  g_autoptr(BbRecord) warning = bb_record_new (BB_KIND_S59_WARNING);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) vehicle = json_object_new ();
  g_autoptr(JsonObject) driver = json_object_new ();
  g_autoptr(GError) error = NULL;

  json_object_set_string_member (fields, "ward", "stone_castle");
  json_object_set_string_member (fields, "offence", "rta_s3");
  json_object_set_string_member (fields, "circumstances", "Wheel spins in the car park");
  json_object_set_string_member (vehicle, "type", "car");
  json_object_set_string_member (vehicle, "vrm", "AB12 CDE");
  json_object_set_string_member (vehicle, "make", "Vauxhall");
  json_object_set_object_member (fields, "vehicle", g_steal_pointer (&vehicle));
  json_object_set_string_member (driver, "name", "Driver Example");
  json_object_set_string_member (driver, "postcode", "DA1 1AA");
  json_object_set_object_member (fields, "driver", g_steal_pointer (&driver));
  bb_record_set_fields (warning, fields);
  bb_record_set_occurred_at (warning, "2026-03-03T10:00:00Z");
  g_assert_true (bb_store_save_record (fixture->store, warning, &error));
  g_assert_no_error (error);

  check_filter (fixture->store, &(BbQuery) { .search = "joy" }, (BbRecord *[]) { lane }, 1);
  check_filter (fixture->store, &(BbQuery) { .search = "JOYCE gre" }, (BbRecord *[]) { lane }, 1);
  check_filter (fixture->store, &(BbQuery) { .search = "tyre" }, (BbRecord *[]) { lane }, 1);
  /* Every word must match. */
  check_filter (fixture->store, &(BbQuery) { .search = "joyce lowfield" }, NULL, 0);
  /* Accents do not matter. */
  check_filter (fixture->store, &(BbQuery) { .search = "cafe" }, (BbRecord *[]) { cafe }, 1);
  check_filter (fixture->store, &(BbQuery) { .search = "café" }, (BbRecord *[]) { cafe }, 1);
  /* Registration marks with or without the space, names inside objects. */
  check_filter (fixture->store, &(BbQuery) { .search = "AB12CDE" }, (BbRecord *[]) { warning }, 1);
  check_filter (fixture->store, &(BbQuery) { .search = "ab12 cd" }, (BbRecord *[]) { warning }, 1);
  check_filter (fixture->store, &(BbQuery) { .search = "ab12c" }, (BbRecord *[]) { warning }, 1);
  check_filter (fixture->store, &(BbQuery) { .search = "vaux" }, (BbRecord *[]) { warning }, 1);
  check_filter (fixture->store, &(BbQuery) { .search = "driver exam" }, (BbRecord *[]) { warning }, 1);
  /* Fields not flagged searchable (postcode, choice ids) stay out. */
  check_filter (fixture->store, &(BbQuery) { .search = "DA1" }, NULL, 0);
  check_filter (fixture->store, &(BbQuery) { .search = "stone_castle" }, NULL, 0);
  check_filter (fixture->store, &(BbQuery) { .search = "rta" }, NULL, 0);

  /* An edit re-indexes: the old words no longer match. */
  json_object_set_string_member (bb_record_get_fields (lane), "place", "Cotton Lane");
  g_assert_true (bb_store_save_record (fixture->store, lane, &error));
  g_assert_no_error (error);
  check_filter (fixture->store, &(BbQuery) { .search = "joyce" }, NULL, 0);
  check_filter (fixture->store, &(BbQuery) { .search = "cotton" }, (BbRecord *[]) { lane }, 1);
}

static void
test_search_odd_input (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(BbRecord) lane = save_observation (fixture->store, "Bikes AND quads (three) near the gate",
                                               "Joyce Green Lane", "bridge",
                                               "2026-03-01T10:00:00Z");
  const char *odd[] = {
    "\"", "\"\"", "\"joyce", "joyce\"", "AND(", "AND", "OR", "NOT", "NEAR(a b)",
    "(", ")", "*", "joy*", "^joyce", "place:joyce", "-joyce", "+", "a AND OR NOT b",
    "🚲", "🚲🚲 🛴", "'", "''; DROP TABLE records; --", "\\", "%", "_", "   ", "",
    "{joyce}", "joyce:", "\t\n", "ÿ", "\xf0\x9f", /* a cut-off UTF-8 sequence */
  };
  /* Inputs whose words still find the record. */
  const char *finds[] = {
    "\"joyce", "joyce\"", "(joyce)", "joyce AND(", "🚲 joyce", "JOYCE*", "gate:joyce",
    "quads AND", "three)", "\"green lane\"",
  };

  for (guint i = 0; i < G_N_ELEMENTS (odd); i++)
    {
      g_autoptr(GPtrArray) records = NULL;
      g_autoptr(GError) error = NULL;
      BbQuery query = { .search = odd[i] };
      guint n = G_MAXUINT;

      g_test_message ("search for “%s”", odd[i]);
      records = bb_store_list_records (fixture->store, &query, 0, 50, &error);
      g_assert_no_error (error);
      g_assert_nonnull (records);
      g_assert_true (bb_store_count_records (fixture->store, &query, &n, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (n, ==, records->len);
    }

  for (guint i = 0; i < G_N_ELEMENTS (finds); i++)
    {
      g_test_message ("search for “%s”", finds[i]);
      check_filter (fixture->store, &(BbQuery) { .search = finds[i] }, (BbRecord *[]) { lane }, 1);
    }

  /* Operators are words to look for, not operators. */
  check_filter (fixture->store, &(BbQuery) { .search = "lane OR nothing" }, NULL, 0);
  check_filter (fixture->store, &(BbQuery) { .search = "NOT joyce" }, NULL, 0);
}

/* Drafts and meta */

static void
test_drafts (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GError) error = NULL;
  BbDraft *draft;

  g_assert_true (bb_store_save_draft (fixture->store, "draft-a", BB_KIND_VAWG_WALK, NULL,
                                      "{\"route\": \"High Street\"}", &error));
  g_assert_no_error (error);
  g_assert_true (bb_store_save_draft (fixture->store, "draft-b", BB_KIND_PATROL_OBSERVATION,
                                      "6f1c1d2e-0000-4000-8000-000000000001", "{}", &error));
  g_assert_no_error (error);

  drafts = bb_store_list_drafts (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (drafts->len, ==, 2);
  draft = g_ptr_array_index (drafts, 0);
  g_assert_cmpstr (draft->id, ==, "draft-b");
  g_assert_cmpstr (draft->record_id, ==, "6f1c1d2e-0000-4000-8000-000000000001");
  draft = g_ptr_array_index (drafts, 1);
  g_assert_cmpstr (draft->id, ==, "draft-a");
  g_assert_null (draft->record_id);
  g_assert_cmpstr (draft->kind, ==, BB_KIND_VAWG_WALK);
  g_assert_nonnull (draft->updated_at);

  /* Saving again replaces it and makes it the newest. */
  g_assert_true (bb_store_save_draft (fixture->store, "draft-a", BB_KIND_VAWG_WALK, NULL,
                                      "{\"route\": \"High Street, Market Place\"}", &error));
  g_clear_pointer (&drafts, g_ptr_array_unref);
  drafts = bb_store_list_drafts (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (drafts->len, ==, 2);
  draft = g_ptr_array_index (drafts, 0);
  g_assert_cmpstr (draft->id, ==, "draft-a");
  g_assert_cmpstr (draft->json, ==, "{\"route\": \"High Street, Market Place\"}");

  g_assert_true (bb_store_delete_draft (fixture->store, "draft-a", &error));
  g_assert_no_error (error);
  g_clear_pointer (&drafts, g_ptr_array_unref);
  drafts = bb_store_list_drafts (fixture->store, &error);
  g_assert_cmpuint (drafts->len, ==, 1);
  g_assert_cmpstr (((BbDraft *) g_ptr_array_index (drafts, 0))->id, ==, "draft-b");

  /* Drafts survive closing and reopening. */
  g_clear_object (&fixture->store);
  fixture->store = bb_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_clear_pointer (&drafts, g_ptr_array_unref);
  drafts = bb_store_list_drafts (fixture->store, &error);
  g_assert_cmpuint (drafts->len, ==, 1);
}

static void
test_meta (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = bb_store_get_meta (fixture->store, "sync.cursor");
  g_autofree char *value = NULL;
  g_autofree char *cleared = NULL;

  g_assert_null (missing);
  g_assert_true (bb_store_set_meta (fixture->store, "sync.cursor", "41", &error));
  g_assert_true (bb_store_set_meta (fixture->store, "sync.cursor", "42", &error));
  g_assert_no_error (error);
  value = bb_store_get_meta (fixture->store, "sync.cursor");
  g_assert_cmpstr (value, ==, "42");
  g_assert_true (bb_store_set_meta (fixture->store, "sync.cursor", NULL, &error));
  g_assert_no_error (error);
  cleared = bb_store_get_meta (fixture->store, "sync.cursor");
  g_assert_null (cleared);
}

/* Sync support */

static void
test_sync_mark_pushed (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(BbRecord) record = save_observation (fixture->store, "Pushed", NULL, "bridge",
                                                 "2026-03-01T10:00:00Z");
  g_autoptr(BbRecord) stored = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (bb_store_mark_pushed (fixture->store, bb_record_get_id (record), 1, 1, 17, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 0);

  stored = get (fixture->store, bb_record_get_id (record));
  g_assert_cmpint (bb_record_get_sync_state (stored), ==, BB_SYNC_STATE_SYNCED);
  g_assert_cmpint (bb_record_get_rev (stored), ==, 1);
  g_assert_cmpint (bb_record_get_base_rev (stored), ==, 1);
  g_assert_cmpint (bb_record_get_seq (stored), ==, 17);

  /* The next edit is based on the server's rev 1. */
  g_assert_true (bb_store_save_record (fixture->store, stored, &error));
  g_assert_cmpint (bb_record_get_rev (stored), ==, 2);
  g_assert_cmpint (bb_record_get_base_rev (stored), ==, 1);
  g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 1);

  g_assert_false (bb_store_mark_pushed (fixture->store, "6f1c1d2e-0000-4000-8000-000000000000",
                                        1, 1, 18, &error));
  g_assert_error (error, BB_STORE_ERROR, BB_STORE_ERROR_NOT_FOUND);
}

static void
test_sync_mark_pushed_edit_in_flight (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(BbRecord) record = save_observation (fixture->store, "First", NULL, "bridge",
                                                 "2026-03-01T10:00:00Z");
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(BbRecord) stored = NULL;
  g_autoptr(GError) error = NULL;

  batch = bb_store_outbox_list (fixture->store, 500, &error);
  g_assert_cmpuint (batch->len, ==, 1);

  /* The user edits while the push of rev 1 is on the wire. */
  json_object_set_string_member (bb_record_get_fields (record), "description", "Second");
  g_assert_true (bb_store_save_record (fixture->store, record, &error));
  g_assert_cmpint (bb_record_get_rev (record), ==, 2);

  g_assert_true (bb_store_mark_pushed (fixture->store, bb_record_get_id (record),
                                       bb_record_get_rev (g_ptr_array_index (batch, 0)),
                                       1, 5, &error));
  g_assert_no_error (error);

  outbox = bb_store_outbox_list (fixture->store, 500, &error);
  g_assert_cmpuint (outbox->len, ==, 1);
  stored = g_object_ref (g_ptr_array_index (outbox, 0));
  g_assert_cmpint (bb_record_get_rev (stored), ==, 2);
  g_assert_cmpint (bb_record_get_base_rev (stored), ==, 1);
  g_assert_cmpint (bb_record_get_sync_state (stored), ==, BB_SYNC_STATE_PENDING);
  g_assert_cmpstr (bb_record_get_field_string (stored, "description"), ==, "Second");
}

static void
test_sync_rejected (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(BbRecord) record = save_observation (fixture->store, "Refused", NULL, "bridge",
                                                 "2026-03-01T10:00:00Z");
  g_autoptr(BbRecord) other = save_observation (fixture->store, "Accepted", NULL, "bridge",
                                                "2026-03-01T11:00:00Z");
  g_autoptr(BbRecord) stored = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GError) error = NULL;
  const char *id = bb_record_get_id (record);

  g_assert_true (bb_store_mark_rejected (fixture->store, id, 1,
                                         "ward: not a ward of this partnership", &error));
  g_assert_no_error (error);

  stored = get (fixture->store, id);
  g_assert_cmpint (bb_record_get_sync_state (stored), ==, BB_SYNC_STATE_REJECTED);
  g_assert_cmpstr (bb_record_get_sync_message (stored), ==, "ward: not a ward of this partnership");
  g_assert_cmpstr (bb_record_get_field_string (stored, "description"), ==, "Refused");

  /* Kept, but not pushed again as it is. */
  outbox = bb_store_outbox_list (fixture->store, 500, &error);
  assert_ids (outbox, (BbRecord *[]) { other }, 1);
  g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 1);
  check_filter (fixture->store, &(BbQuery) { .sync_state = "rejected" }, (BbRecord *[]) { record }, 1);

  /* A rejection of an older rev does not touch a newer edit. */
  g_assert_true (bb_store_save_record (fixture->store, stored, &error));
  g_assert_cmpint (bb_record_get_sync_state (stored), ==, BB_SYNC_STATE_PENDING);
  g_assert_null (bb_record_get_sync_message (stored));
  g_assert_true (bb_store_mark_rejected (fixture->store, id, 1, "late answer", &error));
  g_clear_object (&stored);
  stored = get (fixture->store, id);
  g_assert_cmpint (bb_record_get_sync_state (stored), ==, BB_SYNC_STATE_PENDING);

  g_clear_pointer (&outbox, g_ptr_array_unref);
  outbox = bb_store_outbox_list (fixture->store, 500, &error);
  assert_ids (outbox, (BbRecord *[]) { record, other }, 2);
}

/* The server's copy of @record at @rev, edited elsewhere. */
static BbRecord *
server_copy_of (BbRecord   *record,
                gint64      rev,
                gint64      seq,
                const char *description)
{
  BbRecord *copy = bb_record_copy (record);

  bb_record_set_rev (copy, rev);
  bb_record_set_base_rev (copy, rev);
  bb_record_set_seq (copy, seq);
  bb_record_set_updated_at (copy, "2026-03-05T09:00:00Z");
  bb_record_set_sync_state (copy, BB_SYNC_STATE_SYNCED);
  json_object_set_string_member (bb_record_get_fields (copy), "description", description);
  return copy;
}

static void
put_in_conflict (Fixture   *fixture,
                 BbRecord **mine)
{
  g_autoptr(BbRecord) theirs = NULL;
  g_autoptr(BbRecord) copy = NULL;
  g_autoptr(BbRecord) stored = NULL;
  g_autoptr(GError) error = NULL;
  const char *id;

  *mine = save_observation (fixture->store, "Original", "Central Park", "town",
                            "2026-03-01T10:00:00Z");
  id = bb_record_get_id (*mine);
  g_assert_true (bb_store_mark_pushed (fixture->store, id, 1, 1, 1, &error));
  json_object_set_string_member (bb_record_get_fields (*mine), "description", "Mine");
  g_assert_true (bb_store_save_record (fixture->store, *mine, &error));
  g_assert_no_error (error);

  theirs = server_copy_of (*mine, 2, 9, "Theirs");
  bb_record_set_review_state (theirs, "reviewed");
  g_assert_true (bb_store_mark_conflict (fixture->store, id, theirs, &error));
  g_assert_no_error (error);

  stored = get (fixture->store, id);
  g_assert_cmpint (bb_record_get_sync_state (stored), ==, BB_SYNC_STATE_CONFLICT);
  g_assert_nonnull (bb_record_get_sync_message (stored));
  g_assert_cmpstr (bb_record_get_field_string (stored, "description"), ==, "Mine");
  copy = bb_store_get_conflict_copy (fixture->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bb_record_get_field_string (copy, "description"), ==, "Theirs");
  g_assert_cmpint (bb_record_get_rev (copy), ==, 2);
  g_assert_cmpstr (bb_record_get_review_state (copy), ==, "reviewed");

  /* Both copies kept; the conflict waits for the user, not the outbox. */
  g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 0);
  check_filter (fixture->store, &(BbQuery) { .sync_state = "conflict" }, (BbRecord *[]) { *mine }, 1);

  /* An edit meanwhile does not settle it. */
  g_assert_true (bb_store_save_record (fixture->store, stored, &error));
  g_assert_cmpint (bb_record_get_sync_state (stored), ==, BB_SYNC_STATE_CONFLICT);
  g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 0);
  g_clear_object (mine);
  *mine = g_steal_pointer (&stored);
}

static void
test_sync_conflict_keep_mine (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(BbRecord) mine = NULL;
  g_autoptr(BbRecord) stored = NULL;
  g_autoptr(BbRecord) copy = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GError) error = NULL;

  put_in_conflict (fixture, &mine);
  g_assert_true (bb_store_resolve_conflict (fixture->store, bb_record_get_id (mine), TRUE, &error));
  g_assert_no_error (error);

  stored = get (fixture->store, bb_record_get_id (mine));
  g_assert_cmpstr (bb_record_get_field_string (stored, "description"), ==, "Mine");
  g_assert_cmpint (bb_record_get_base_rev (stored), ==, 2);
  g_assert_cmpint (bb_record_get_rev (stored), >, 2);
  g_assert_cmpint (bb_record_get_sync_state (stored), ==, BB_SYNC_STATE_PENDING);
  g_assert_cmpstr (bb_record_get_review_state (stored), ==, "reviewed");

  outbox = bb_store_outbox_list (fixture->store, 500, &error);
  g_assert_cmpuint (outbox->len, ==, 1);
  g_assert_cmpint (bb_record_get_rev (g_ptr_array_index (outbox, 0)), ==, bb_record_get_rev (stored));

  copy = bb_store_get_conflict_copy (fixture->store, bb_record_get_id (mine), &error);
  g_assert_null (copy);
  g_assert_error (error, BB_STORE_ERROR, BB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Nothing left to resolve. */
  g_assert_false (bb_store_resolve_conflict (fixture->store, bb_record_get_id (mine), TRUE, &error));
  g_assert_error (error, BB_STORE_ERROR, BB_STORE_ERROR_NOT_FOUND);
}

static void
test_sync_conflict_take_theirs (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(BbRecord) mine = NULL;
  g_autoptr(BbRecord) stored = NULL;
  g_autoptr(GError) error = NULL;

  put_in_conflict (fixture, &mine);
  g_assert_true (bb_store_resolve_conflict (fixture->store, bb_record_get_id (mine), FALSE, &error));
  g_assert_no_error (error);

  stored = get (fixture->store, bb_record_get_id (mine));
  g_assert_cmpstr (bb_record_get_field_string (stored, "description"), ==, "Theirs");
  g_assert_cmpint (bb_record_get_rev (stored), ==, 2);
  g_assert_cmpint (bb_record_get_base_rev (stored), ==, 2);
  g_assert_cmpint (bb_record_get_seq (stored), ==, 9);
  g_assert_cmpint (bb_record_get_sync_state (stored), ==, BB_SYNC_STATE_SYNCED);
  g_assert_null (bb_record_get_sync_message (stored));
  g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 0);
  check_filter (fixture->store, &(BbQuery) { .search = "mine" }, NULL, 0);
  check_filter (fixture->store, &(BbQuery) { .search = "theirs" }, (BbRecord *[]) { mine }, 1);
}

static void
test_sync_pull_new_records (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(BbRecord) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *when = g_strdup_printf ("2026-02-0%uT08:00:00Z", i + 1);
      g_autoptr(BbRecord) local = make_observation ("From the server", "Westgate car park",
                                                    "town", when);

      bb_record_set_author (local, "user-supervisor", "Sergeant (supervisor)", "supervisor");
      g_ptr_array_add (page, server_copy_of (local, 3, 100 + i, "From the server"));
    }

  g_assert_true (bb_store_apply_pull_page (fixture->store, page, "sync.cursor", 102, &error));
  g_assert_no_error (error);
  cursor = bb_store_get_meta (fixture->store, "sync.cursor");
  g_assert_cmpstr (cursor, ==, "102");

  g_assert_cmpuint (count (fixture->store, NULL), ==, 3);
  g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 0);
  stored = get (fixture->store, bb_record_get_id (g_ptr_array_index (page, 0)));
  g_assert_cmpint (bb_record_get_rev (stored), ==, 3);
  g_assert_cmpint (bb_record_get_base_rev (stored), ==, 3);
  g_assert_cmpint (bb_record_get_seq (stored), ==, 100);
  g_assert_cmpint (bb_record_get_sync_state (stored), ==, BB_SYNC_STATE_SYNCED);
  g_assert_cmpstr (bb_record_get_author_name (stored), ==, "Sergeant (supervisor)");
  g_assert_cmpuint (count (fixture->store, &(BbQuery) { .search = "westgate" }), ==, 3);

  /* The same page again (a retry after a crash) changes nothing. */
  g_assert_true (bb_store_apply_pull_page (fixture->store, page, "sync.cursor", 102, &error));
  g_assert_cmpuint (count (fixture->store, &(BbQuery) { .include_deleted = TRUE }), ==, 3);

  /* A later tombstone hides the record. */
  bb_record_set_deleted (g_ptr_array_index (page, 0), TRUE);
  bb_record_set_rev (g_ptr_array_index (page, 0), 4);
  g_assert_true (bb_store_apply_pull_page (fixture->store, page, "sync.cursor", 110, &error));
  g_assert_cmpuint (count (fixture->store, NULL), ==, 2);
}

static void
test_sync_pull_keeps_local_changes (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(BbRecord) reviewed = save_observation (fixture->store, "Edited here", NULL, "bridge",
                                                   "2026-03-01T10:00:00Z");
  g_autoptr(BbRecord) clashing = save_observation (fixture->store, "Edited here too", NULL, "bridge",
                                                   "2026-03-01T11:00:00Z");
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(BbRecord) stored = NULL;
  g_autoptr(BbRecord) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) comments = json_array_new ();
  g_autoptr(JsonObject) comment = json_object_new ();
  g_autofree char *cursor = NULL;
  BbRecord *server;

  /* Both synced at rev 1, then edited here (rev 2, based on 1). */
  g_assert_true (bb_store_mark_pushed (fixture->store, bb_record_get_id (reviewed), 1, 1, 1, &error));
  g_assert_true (bb_store_mark_pushed (fixture->store, bb_record_get_id (clashing), 1, 1, 2, &error));
  g_assert_true (bb_store_save_record (fixture->store, reviewed, &error));
  g_assert_true (bb_store_save_record (fixture->store, clashing, &error));
  g_assert_no_error (error);

  /* The server: rev 1 of one, reviewed; rev 2 of the other, edited elsewhere. */
  server = server_copy_of (reviewed, 1, 20, "Server text");
  bb_record_set_review_state (server, "returned");
  json_object_set_string_member (comment, "author", "Sergeant (supervisor)");
  json_object_set_string_member (comment, "at", "2026-03-02T09:00:00Z");
  json_object_set_string_member (comment, "text", "Add the crime reference");
  json_array_add_object_element (comments, g_steal_pointer (&comment));
  bb_record_set_review_comments (server, comments);
  g_ptr_array_add (page, server);
  g_ptr_array_add (page, server_copy_of (clashing, 2, 21, "Changed elsewhere"));

  g_assert_true (bb_store_apply_pull_page (fixture->store, page, "sync.cursor", 21, &error));
  g_assert_no_error (error);
  cursor = bb_store_get_meta (fixture->store, "sync.cursor");
  g_assert_cmpstr (cursor, ==, "21");

  stored = get (fixture->store, bb_record_get_id (reviewed));
  g_assert_cmpstr (bb_record_get_field_string (stored, "description"), ==, "Edited here");
  g_assert_cmpint (bb_record_get_rev (stored), ==, 2);
  g_assert_cmpint (bb_record_get_sync_state (stored), ==, BB_SYNC_STATE_PENDING);
  g_assert_cmpstr (bb_record_get_review_state (stored), ==, "returned");
  g_assert_nonnull (bb_record_get_review_comments (stored));
  g_assert_cmpuint (json_array_get_length (bb_record_get_review_comments (stored)), ==, 1);

  g_clear_object (&stored);
  stored = get (fixture->store, bb_record_get_id (clashing));
  g_assert_cmpstr (bb_record_get_field_string (stored, "description"), ==, "Edited here too");
  g_assert_cmpint (bb_record_get_sync_state (stored), ==, BB_SYNC_STATE_CONFLICT);
  copy = bb_store_get_conflict_copy (fixture->store, bb_record_get_id (clashing), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bb_record_get_field_string (copy, "description"), ==, "Changed elsewhere");

  /* Only the reviewed one goes out at the next push. */
  g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 1);
}

static void
test_sync_pull_page_is_atomic (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(BbRecord) good = make_observation ("Good", NULL, "town", "2026-03-01T10:00:00Z");
  g_autoptr(BbRecord) bad = make_observation ("Bad", NULL, "town", "2026-03-01T10:00:00Z");
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;

  g_assert_true (bb_store_set_meta (fixture->store, "sync.cursor", "7", &error));
  bb_record_set_rev (good, 1);
  bb_record_set_rev (bad, 1);
  bb_record_set_occurred_at (bad, NULL);
  g_ptr_array_add (page, g_object_ref (good));
  g_ptr_array_add (page, g_object_ref (bad));

  g_assert_false (bb_store_apply_pull_page (fixture->store, page, "sync.cursor", 9, &error));
  g_assert_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED);
  g_assert_cmpuint (count (fixture->store, &(BbQuery) { .include_deleted = TRUE }), ==, 0);
  cursor = bb_store_get_meta (fixture->store, "sync.cursor");
  g_assert_cmpstr (cursor, ==, "7");
}

static void
test_sync_push_outcomes (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(BbRecord) applied = save_observation (fixture->store, "Applied", NULL, "town",
                                                  "2026-03-01T10:00:00Z");
  g_autoptr(BbRecord) duplicate = save_observation (fixture->store, "Duplicate", NULL, "town",
                                                    "2026-03-01T11:00:00Z");
  g_autoptr(BbRecord) rejected = save_observation (fixture->store, "Rejected", NULL, "town",
                                                   "2026-03-01T12:00:00Z");
  g_autoptr(BbRecord) clashing = save_observation (fixture->store, "Clashing", NULL, "town",
                                                   "2026-03-01T13:00:00Z");
  g_autoptr(BbRecord) theirs = server_copy_of (clashing, 4, 33, "Theirs");
  g_autoptr(BbRecord) stored = NULL;
  g_autoptr(GError) error = NULL;
  BbPushOutcome outcomes[] = {
    { .id = bb_record_get_id (applied), .pushed_rev = 1, .status = BB_PUSH_APPLIED,
      .server_rev = 1, .seq = 30 },
    { .id = bb_record_get_id (duplicate), .pushed_rev = 1, .status = BB_PUSH_DUPLICATE,
      .server_rev = 1, .seq = 12 },
    { .id = bb_record_get_id (rejected), .pushed_rev = 1, .status = BB_PUSH_REJECTED,
      .message = "forbidden_kind" },
    { .id = bb_record_get_id (clashing), .pushed_rev = 1, .status = BB_PUSH_CONFLICT,
      .server_copy = theirs },
    /* Wiped or resolved meanwhile: ignored. */
    { .id = "6f1c1d2e-0000-4000-8000-000000000000", .pushed_rev = 1, .status = BB_PUSH_APPLIED,
      .server_rev = 1, .seq = 31 },
  };
  BbPushOutcome broken = { .id = bb_record_get_id (clashing), .pushed_rev = 1,
                           .status = BB_PUSH_CONFLICT, .server_copy = NULL };

  g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 4);

  /* A batch with a broken answer applies none of it. */
  {
    BbPushOutcome two[] = { outcomes[0], broken };

    g_assert_false (bb_store_apply_push_outcomes (fixture->store, two, 2, &error));
    g_assert_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED);
    g_clear_error (&error);
    g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 4);
  }

  g_assert_true (bb_store_apply_push_outcomes (fixture->store, outcomes,
                                               G_N_ELEMENTS (outcomes), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 0);

  stored = get (fixture->store, bb_record_get_id (applied));
  g_assert_cmpint (bb_record_get_sync_state (stored), ==, BB_SYNC_STATE_SYNCED);
  g_assert_cmpint (bb_record_get_seq (stored), ==, 30);
  g_clear_object (&stored);
  stored = get (fixture->store, bb_record_get_id (duplicate));
  g_assert_cmpint (bb_record_get_sync_state (stored), ==, BB_SYNC_STATE_SYNCED);
  g_clear_object (&stored);
  stored = get (fixture->store, bb_record_get_id (rejected));
  g_assert_cmpint (bb_record_get_sync_state (stored), ==, BB_SYNC_STATE_REJECTED);
  g_assert_cmpstr (bb_record_get_sync_message (stored), ==, "forbidden_kind");
  g_clear_object (&stored);
  stored = get (fixture->store, bb_record_get_id (clashing));
  g_assert_cmpint (bb_record_get_sync_state (stored), ==, BB_SYNC_STATE_CONFLICT);
}

/* Wipe */

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;

  /* Binary: g_strstr_len() would stop at the first NUL byte. */
  for (gsize i = 0; i + strlen (needle) <= length; i++)
    if (memcmp (contents + i, needle, strlen (needle)) == 0)
      return TRUE;

  return FALSE;
}

/* The changes a push sends, written from the stored text, are byte for
 * byte what the records' trees write out (the server hashes those bytes
 * to tell a resend from another edit), for every kind of value; fields
 * with a derived member go through the record and lose it. */
static void
test_outbox_changes_match_the_records (Fixture       *fixture,
                                       gconstpointer  data)
{
  static const char *const descriptions[] = {
    "Plain words",
    "Quotes \" and a backslash \\ and a slash /",
    "A tab\there, a line\nbreak and a bell \a",
    "Acute é, Polish ł, an emoji 🚲 and a zero-width joiner \u200d",
  };
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  gint64 last_change = 0, last_record = 0;
  guint n_as_stored = 0;

  for (guint i = 0; i < G_N_ELEMENTS (descriptions); i++)
    {
      g_autoptr(BbRecord) record = make_observation (descriptions[i], i % 2 ? "Market Street" : NULL,
                                                     "town", "2026-03-01T21:14:00Z");
      g_autoptr(JsonObject) fields = json_object_ref (bb_record_get_fields (record));
      g_autoptr(JsonArray) list = json_array_new ();

      json_object_set_int_member (fields, "people_involved", i * 7);
      json_object_set_double_member (fields, "latitude", 51.4457 + i / 3.0);
      json_object_set_boolean_member (fields, "flag", i % 2 == 0);
      json_object_set_null_member (fields, "nothing");
      json_array_add_string_element (list, "advice_given");
      json_array_add_int_element (list, -3);
      json_object_set_array_member (fields, "action_taken", g_steal_pointer (&list));
      bb_record_set_fields (record, fields);
      /* As the app and the cli save them: the regime last. */
      bb_fields_add_derived (BB_KIND_PATROL_OBSERVATION, "2026-03-01T21:14:00Z", bb_record_get_fields (record));
      g_assert_true (json_object_has_member (bb_record_get_fields (record), "regime"));
      bb_record_set_priority (record, 1 + i % 4);
      g_assert_true (bb_store_save_record (fixture->store, record, &error));
      g_assert_no_error (error);
    }
  /* Edited after its derived members were set: the regime is no longer
   * last, so the change goes through the record. */
  {
    g_autoptr(BbRecord) edited = make_observation ("Edited later", NULL, "town", "2026-03-01T21:30:00Z");

    bb_fields_add_derived (BB_KIND_PATROL_OBSERVATION, "2026-03-01T21:30:00Z", bb_record_get_fields (edited));
    json_object_set_string_member (bb_record_get_fields (edited), "place", "Added after");
    g_assert_true (bb_store_save_record (fixture->store, edited, &error));
    g_assert_no_error (error);
  }
  /* A Section 59 warning: stored with its derived members (expires_at,
   * regime, the normalised mark), which a push leaves out. */
  {
    g_autoptr(BbRecord) warning = bb_record_new (BB_KIND_S59_WARNING);
    g_autoptr(JsonObject) fields = json_object_new ();
    g_autoptr(JsonObject) vehicle = json_object_new ();

    json_object_set_string_member (vehicle, "vrm", "ab12 cde");
    json_object_set_string_member (vehicle, "vehicle_type", "car");
    json_object_set_object_member (fields, "vehicle", g_steal_pointer (&vehicle));
    json_object_set_string_member (fields, "ward", "town");
    json_object_set_string_member (fields, "offence", "s59_1_a_s3");
    bb_record_set_fields (warning, fields);
    bb_record_set_occurred_at (warning, "2026-03-01T22:00:00Z");
    bb_fields_add_derived (BB_KIND_S59_WARNING, "2026-03-01T22:00:00Z", bb_record_get_fields (warning));
    g_assert_true (bb_store_save_record (fixture->store, warning, &error));
    g_assert_no_error (error);
  }

  changes = bb_store_outbox_changes_after (fixture->store, G_MININT64, G_MAXUINT, &last_change, &error);
  g_assert_no_error (error);
  records = bb_store_outbox_list_after (fixture->store, G_MININT64, G_MAXUINT, &last_record, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, G_N_ELEMENTS (descriptions) + 2);
  g_assert_cmpuint (changes->len, ==, records->len);
  g_assert_cmpint (last_change, ==, last_record);

  for (guint i = 0; i < changes->len; i++)
    {
      BbOutboxChange *change = g_ptr_array_index (changes, i);
      BbRecord *record = g_ptr_array_index (records, i);
      g_autoptr(JsonNode) tree = bb_record_to_change_json (record);
      g_autofree char *expected = json_to_string (tree, FALSE);
      g_autoptr(JsonNode) fields = json_node_init_object (json_node_alloc (), bb_record_get_fields (record));
      g_autofree char *fields_text = json_to_string (fields, FALSE);
      g_autofree char *stored = NULL;

      g_assert_cmpstr (change->id, ==, bb_record_get_id (record));
      g_assert_cmpint (change->rev, ==, bb_record_get_rev (record));
      g_assert_cmpstr (change->change, ==, expected);
      g_assert_null (strstr (change->change, "vrm_normalised"));
      g_assert_null (strstr (change->change, "expires_at"));
      g_assert_null (strstr (change->change, "regime"));

      stored = bb_change_text_from_stored (bb_record_get_id (record), bb_record_get_kind (record),
                                           bb_record_get_rev (record), bb_record_get_base_rev (record),
                                           bb_record_get_deleted (record),
                                           bb_record_get_occurred_at (record),
                                           bb_record_get_priority (record), fields_text);
      if (stored != NULL)
        n_as_stored++;
    }
  /* Every observation went as stored; the edited one and the warning
   * through their records. */
  g_assert_cmpuint (n_as_stored, ==, G_N_ELEMENTS (descriptions));

  /* Fields that are not one JSON object are never sent as they are. */
  g_assert_null (bb_change_text_from_stored ("id-1", "patrol_observation", 1, 0, FALSE,
                                             "2026-03-01T21:14:00Z", 2, "{\"a\":1} {"));
  g_assert_null (bb_change_text_from_stored ("id-\"1", "patrol_observation", 1, 0, FALSE,
                                             "2026-03-01T21:14:00Z", 2, "{}"));
  {
    g_autofree char *plain = bb_change_text_from_stored ("id-1", "patrol_observation", 1, 0, FALSE,
                                                         "2026-03-01T21:14:00Z", 2, "{}");

    g_assert_cmpstr (plain, ==, "{\"id\":\"id-1\",\"kind\":\"patrol_observation\",\"rev\":1,\"base_rev\":0,"
                                "\"deleted\":false,\"occurred_at\":\"2026-03-01T21:14:00Z\",\"priority\":2,"
                                "\"fields\":{}}");
  }
}

/* A record whose stored fields are damaged stops the push's reading with
 * an error naming it, as the record path does. */
static void
test_outbox_changes_report_damaged_fields (Fixture       *fixture,
                                           gconstpointer  data)
{
  g_autoptr(BbRecord) record = save_observation (fixture->store, "Cans on the wall", NULL, "town",
                                                 "2026-03-01T21:14:00Z");
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("UPDATE records SET fields = '{\"ward\": broken' WHERE id = '%s'",
                                          bb_record_get_id (record));
  sqlite3 *db = NULL;

  g_clear_object (&fixture->store);
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  fixture->store = bb_store_open (fixture->path, &error);
  g_assert_no_error (error);

  changes = bb_store_outbox_changes_after (fixture->store, G_MININT64, 500, NULL, &error);
  g_assert_null (changes);
  g_assert_error (error, BB_STORE_ERROR, BB_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, bb_record_get_id (record)));
}

/* PRAGMA secure_delete on the store's own connection. */
static gint64
secure_delete (BbStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 value = -1;

  g_assert_true (bb_store_query_int (store, "PRAGMA secure_delete", &value, &error));
  g_assert_no_error (error);
  return value;
}

static void
test_wipe (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(BbRecord) record = save_observation (fixture->store, "Zanzibarquokka sighting",
                                                 NULL, "town", "2026-03-01T10:00:00Z");
  g_autoptr(BbRecord) theirs = server_copy_of (record, 2, 5, "Zanzibarquokka elsewhere");
  g_autoptr(BbRecord) again = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autofree char *meta = NULL;

  g_assert_true (bb_store_mark_conflict (fixture->store, bb_record_get_id (record), theirs, &error));
  g_assert_true (bb_store_save_draft (fixture->store, "draft-a", BB_KIND_VAWG_WALK, NULL,
                                      "{\"notes\": \"Zanzibarquokka draft\"}", &error));
  g_assert_true (bb_store_set_meta (fixture->store, "identity.user_id", "user-4521", &error));
  g_assert_no_error (error);

  g_assert_true (bb_store_wipe (fixture->store, &error));
  g_assert_no_error (error);
  /* What is deleted afterwards is overwritten too. */
  g_assert_cmpint (secure_delete (fixture->store), ==, 1);

  g_assert_cmpuint (count (fixture->store, &(BbQuery) { .include_deleted = TRUE }), ==, 0);
  g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 0);
  g_assert_null (bb_store_get_conflict_copy (fixture->store, bb_record_get_id (record), &error));
  g_assert_error (error, BB_STORE_ERROR, BB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  drafts = bb_store_list_drafts (fixture->store, &error);
  g_assert_cmpuint (drafts->len, ==, 0);
  meta = bb_store_get_meta (fixture->store, "identity.user_id");
  g_assert_null (meta);
  check_filter (fixture->store, &(BbQuery) { .search = "zanzibarquokka" }, NULL, 0);

  /* Nothing readable is left in the files either. */
  g_assert_false (file_contains (fixture->path, "Zanzibarquokka"));
  g_assert_false (file_contains (wal, "Zanzibarquokka"));
  /* The search index keeps words folded to lower case. */
  g_assert_false (file_contains (fixture->path, "zanzibarquokka"));
  g_assert_false (file_contains (wal, "zanzibarquokka"));

  /* Still usable. */
  again = save_observation (fixture->store, "After the wipe", NULL, "town", "2026-03-02T10:00:00Z");
  g_assert_cmpint (bb_record_get_rev (again), ==, 1);
  g_assert_cmpuint (count (fixture->store, NULL), ==, 1);
}

/* Opening */

static void
test_open_settings (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(BbRecord) record = save_observation (fixture->store, "Kept", NULL, "town",
                                                 "2026-03-01T10:00:00Z");
  g_autoptr(BbRecord) stored = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  char *mode = NULL;

  g_assert_cmpstr (bb_store_get_path (fixture->store), ==, fixture->path);
  g_assert_cmpint (BB_STORE_SCHEMA_VERSION, >=, 2);
  g_assert_cmpint (bb_test_sql_int (fixture->path, "PRAGMA user_version"), ==, BB_STORE_SCHEMA_VERSION);

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    mode = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    sqlite3_finalize (stmt);
  }
  sqlite3_close (db);
  g_assert_cmpstr (mode, ==, "wal");
  g_free (mode);
  /* Deleted content is overwritten, not left in free pages. */
  g_assert_cmpint (secure_delete (fixture->store), ==, 1);

  /* Closing and opening again keeps everything. */
  g_clear_object (&fixture->store);
  fixture->store = bb_store_open (fixture->path, &error);
  g_assert_no_error (error);
  stored = get (fixture->store, bb_record_get_id (record));
  g_assert_cmpstr (bb_record_get_field_string (stored, "description"), ==, "Kept");
  g_assert_cmpuint (bb_store_outbox_count (fixture->store), ==, 1);
}

static void
assert_refused_untouched (const char *path,
                          int         code)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  gsize before_length, after_length;
  g_autoptr(GError) error = NULL;
  g_autoptr(BbStore) store = NULL;

  g_assert_true (g_file_get_contents (path, &before, &before_length, NULL));
  store = bb_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, BB_STORE_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));

  g_assert_true (g_file_get_contents (path, &after, &after_length, NULL));
  g_assert_cmpmem (before, before_length, after, after_length);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
}

static void
test_open_not_a_database (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *text = g_build_filename (fixture->dir, "notes.db", NULL);
  g_autofree char *big = g_build_filename (fixture->dir, "big.db", NULL);
  g_autoptr(GString) junk = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (text, "Shift handover notes, not a database\n", -1, &error));
  assert_refused_untouched (text, BB_STORE_ERROR_CORRUPT);

  /* Long enough to have a "header" SQLite could misread. */
  for (guint i = 0; i < 8192; i++)
    g_string_append_c (junk, (char) (i * 31 + 7));
  g_assert_true (g_file_set_contents (big, junk->str, junk->len, &error));
  assert_refused_untouched (big, BB_STORE_ERROR_CORRUPT);
}

static void
test_open_foreign_database (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "other.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE photos (name TEXT); "
                                     "INSERT INTO photos VALUES ('holiday');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  assert_refused_untouched (path, BB_STORE_ERROR_CORRUPT);
}

static void
test_open_too_new (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d",
                                          BB_STORE_SCHEMA_VERSION + 1);
  sqlite3 *db = NULL;

  g_clear_object (&fixture->store);
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  assert_refused_untouched (fixture->path, BB_STORE_ERROR_TOO_NEW);
  g_assert_cmpint (bb_test_sql_int (fixture->path, "PRAGMA user_version"), ==, BB_STORE_SCHEMA_VERSION + 1);
}

static void
test_open_unwritable_folder (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *file = g_build_filename (fixture->dir, "plain-file", NULL);
  g_autofree char *path = g_build_filename (file, "beatbook.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BbStore) store = NULL;

  /* The parent "folder" is a file: a clear error, no crash. */
  g_assert_true (g_file_set_contents (file, "x", 1, &error));
  store = bb_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, file));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/store/save/new-record-is-rev-1-with-one-outbox-entry", test_save_new);
  ADD ("/store/save/edit-is-rev-2-and-keeps-one-outbox-entry", test_save_edit);
  ADD ("/store/save/record-without-id-is-refused", test_save_without_id_is_refused);
  ADD ("/store/delete/leaves-a-tombstone-hidden-from-lists", test_delete_tombstone);
  ADD ("/store/get/unknown-id-is-not-found", test_get_unknown);
  ADD ("/store/list/is-newest-first-and-paged", test_list_order_and_paging);
  ADD ("/store/list/honours-every-filter", test_list_filters);
  ADD ("/store/search/matches-word-prefixes", test_search_prefixes);
  ADD ("/store/search/odd-input-never-errors", test_search_odd_input);
  ADD ("/store/drafts/replace-list-newest-first-and-delete", test_drafts);
  ADD ("/store/meta/sets-gets-and-clears", test_meta);
  ADD ("/store/sync/mark-pushed-empties-the-outbox", test_sync_mark_pushed);
  ADD ("/store/sync/mark-pushed-keeps-an-edit-made-in-flight", test_sync_mark_pushed_edit_in_flight);
  ADD ("/store/sync/rejected-is-kept-and-waits-for-an-edit", test_sync_rejected);
  ADD ("/store/sync/conflict-resolved-keeping-mine", test_sync_conflict_keep_mine);
  ADD ("/store/sync/conflict-resolved-taking-theirs", test_sync_conflict_take_theirs);
  ADD ("/store/sync/pull-stores-records-and-moves-the-cursor", test_sync_pull_new_records);
  ADD ("/store/sync/pull-keeps-local-changes", test_sync_pull_keeps_local_changes);
  ADD ("/store/sync/pull-page-is-all-or-nothing", test_sync_pull_page_is_atomic);
  ADD ("/store/sync/push-outcomes-apply-in-one-transaction", test_sync_push_outcomes);
  ADD ("/store/sync/outbox-changes-are-the-records-bytes", test_outbox_changes_match_the_records);
  ADD ("/store/sync/outbox-changes-report-damaged-fields", test_outbox_changes_report_damaged_fields);
  ADD ("/store/wipe/removes-everything-and-stays-usable", test_wipe);
  ADD ("/store/open/uses-wal-and-keeps-data-across-reopen", test_open_settings);
  ADD ("/store/open/refuses-a-file-that-is-not-a-database", test_open_not_a_database);
  ADD ("/store/open/refuses-another-programs-database", test_open_foreign_database);
  ADD ("/store/open/refuses-a-newer-schema", test_open_too_new);
  ADD ("/store/open/reports-a-folder-it-cannot-create", test_open_unwritable_folder);

  return g_test_run ();
}
