/* test-clock-skew.c: devices whose clocks are hours ahead or behind,
 * syncing with the real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A device checks a record's time against its own clock; the server checks
 * it again against its own (sync-api.md: occurred_at may not lie more than
 * 10 minutes in the future). A device whose clock runs hours ahead saves
 * records the server must refuse, with the contract's message, and the
 * device must keep them as refused, not lose them. What the server records
 * on receipt (seq, updated_at, the pull cursor) is the server's own: the
 * order of receipt, whatever times the devices claim.
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include "../sync/sync-fixture.h"

#define FUTURE_MESSAGE "The time is in the future: check the date and time."

/* Saves an observation as a device whose clock reads real time plus
 * @clock_offset seconds: the time of the record is the device's "now" plus
 * @occurred_offset seconds, and the device's own check (against its own
 * clock) passes. */
static char *
log_on_skewed_clock (Device     *device,
                     gint64      clock_offset,
                     gint64      occurred_offset,
                     const char *description)
{
  g_autoptr(BbRecord) record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
  g_autoptr(GDateTime) real_now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) device_now = g_date_time_add_seconds (real_now, (gdouble) clock_offset);
  g_autoptr(GDateTime) occurred = g_date_time_add_seconds (device_now, (gdouble) occurred_offset);
  g_autofree char *occurred_iso = bb_time_format_iso (occurred);
  g_autofree char *device_now_iso = bb_time_format_iso (device_now);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  BbSession *session = device->session;
  JsonObject *fields = bb_record_get_fields (record);

  json_object_set_string_member (fields, "ward", "town");
  json_object_set_string_member (fields, "place", "High Street");
  json_object_set_string_member (fields, "category", "asb_youths");
  json_object_set_string_member (fields, "description", description);
  bb_record_set_occurred_at (record, occurred_iso);
  bb_record_set_created_at (record, device_now_iso);
  bb_record_set_updated_at (record, device_now_iso);

  /* What the device's own check says, by its own clock. */
  problems = bb_validate_record (bb_session_get_profile (session), BB_KIND_PATROL_OBSERVATION,
                                 occurred_iso, bb_record_get_priority (record), fields, device_now);
  if (bb_problems_have_errors (problems))
    {
      g_autofree char *text = bb_problems_to_string (problems);
      g_error ("the device's own check refused %s: %s", occurred_iso, text);
    }
  bb_record_set_author (record, bb_session_get_user_id (session),
                        bb_session_get_display_name (session),
                        bb_role_to_string (bb_session_get_role (session)));
  g_assert_true (bb_store_save_record (bb_session_get_store (session), record, &error));
  g_assert_no_error (error);
  return g_strdup (bb_record_get_id (record));
}

/* The server's changes since 0, in the order it gives them. */
static JsonArray *
pull_all (Server *server,
          gint64 *next_out)
{
  g_autoptr(Device) supervisor = device_new ();
  g_autoptr(BbClient) client = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *all = json_array_new ();
  gint64 since = 0;
  gboolean more = TRUE;

  sign_in (supervisor, server, "sergeant");
  client = bb_session_create_client (supervisor->session, &error);
  g_assert_no_error (error);
  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/sync/pull?since=%" G_GINT64_FORMAT "&limit=300", since);
      g_autoptr(JsonNode) answer = bb_client_request (client, "GET", path, NULL, NULL, NULL, &error);
      JsonArray *changes;

      g_assert_no_error (error);
      changes = json_object_get_array_member (json_node_get_object (answer), "changes");
      for (guint i = 0; i < json_array_get_length (changes); i++)
        json_array_add_element (all, json_node_copy (json_array_get_element (changes, i)));
      since = json_object_get_int_member (json_node_get_object (answer), "next");
      more = json_object_get_boolean_member (json_node_get_object (answer), "more");
    }
  *next_out = since;
  return all;
}

static void
test_clock_skew_of_hours (void)
{
  const gint64 hour = 3600;
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) ahead = device_new ();
  g_autoptr(Device) behind = device_new ();
  g_autoptr(JsonArray) changes = NULL;
  g_autoptr(GDateTime) before = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) after = NULL;
  g_autofree char *refused = NULL, *refused_too = NULL;
  g_autofree char *cursor = NULL;
  char *order[4] = { NULL, };
  g_autoptr(BbRecord) kept = NULL;
  g_autoptr(GError) error = NULL;
  BbSyncStats stats;
  gint64 next = 0, last_seq = 0;

  sign_in (ahead, server, "officer1");
  sign_in (behind, server, "officer2");

  /* Received in this order: ahead's record 8 minutes after real time
   * (within the allowance), then behind's record of its "now", 5 hours
   * back, then ahead's record of its "now", 3 hours on (refused), then
   * behind's record 26 hours back. */
  order[0] = log_on_skewed_clock (ahead, 8 * 60, 0, "Eight minutes ahead");
  refused = log_on_skewed_clock (ahead, 3 * hour, 0, "Three hours ahead");
  refused_too = log_on_skewed_clock (ahead, 3 * hour, -30 * 60, "Two and a half hours ahead");
  stats = sync_ok (ahead);
  g_assert_cmpuint (stats.rejected, ==, 2);
  order[1] = log_on_skewed_clock (behind, -5 * hour, 0, "Five hours behind");
  order[2] = log_on_skewed_clock (behind, -5 * hour, -21 * hour, "Twenty-six hours behind");
  stats = sync_ok (behind);
  g_assert_cmpuint (stats.rejected, ==, 0);
  order[3] = log_on_skewed_clock (ahead, 9 * 60, 0, "Nine minutes ahead");
  stats = sync_ok (ahead);
  g_assert_cmpuint (stats.rejected, ==, 0);
  after = g_date_time_new_now_utc ();

  /* Refused with the contract's message, kept on the device, not queued
   * again on every sync. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(BbRecord) record = bb_store_get_record (bb_session_get_store (ahead->session),
                                                       i == 0 ? refused : refused_too, &error);

      g_assert_no_error (error);
      g_assert_nonnull (record);
      g_assert_cmpint (bb_record_get_sync_state (record), ==, BB_SYNC_STATE_REJECTED);
      g_assert_nonnull (strstr (bb_record_get_sync_message (record), FUTURE_MESSAGE));
    }
  g_assert_cmpuint (count (ahead, BB_KIND_PATROL_OBSERVATION), ==, 4);
  g_assert_cmpuint (bb_store_outbox_count (bb_session_get_store (ahead->session)), ==, 0);

  /* The server holds the four it accepted, in the order it received them
   * (seq), whatever their times; updated_at is the server's clock. */
  changes = pull_all (server, &next);
  g_assert_cmpuint (json_array_get_length (changes), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      JsonObject *c = json_array_get_object_element (changes, i);
      gint64 seq = json_object_get_int_member (c, "seq");
      g_autoptr(GDateTime) updated = bb_time_parse (json_object_get_string_member (c, "updated_at"));

      g_assert_cmpstr (json_object_get_string_member (c, "id"), ==, order[i]);
      g_assert_cmpint (seq, >, last_seq);
      last_seq = seq;
      g_assert_nonnull (updated);
      g_assert_cmpint (g_date_time_difference (updated, before), >=, -G_TIME_SPAN_SECOND);
      g_assert_cmpint (g_date_time_difference (updated, after), <=, G_TIME_SPAN_SECOND);
    }
  g_assert_cmpint (next, ==, last_seq);

  /* The device's cursor is the server's seq, not a time. */
  cursor = bb_store_get_meta (bb_session_get_store (ahead->session), BB_SYNC_META_CURSOR);
  g_assert_nonnull (cursor);
  g_assert_cmpint (g_ascii_strtoll (cursor, NULL, 10), ==, last_seq);

  /* The user corrects the time of a refused record: it goes through. */
  kept = bb_store_get_record (bb_session_get_store (ahead->session), refused, &error);
  g_assert_no_error (error);
  {
    g_autofree char *now = bb_time_now_iso ();
    g_autoptr(GPtrArray) problems = NULL;

    bb_record_set_occurred_at (kept, now);
    g_assert_true (bb_session_save_record (ahead->session, kept, &problems, &error));
    g_assert_no_error (error);
  }
  stats = sync_ok (ahead);
  g_assert_cmpuint (stats.rejected, ==, 0);
  {
    g_autoptr(GHashTable) held = server_records (server);

    g_assert_cmpuint (g_hash_table_size (held), ==, 5);
    g_assert_true (g_hash_table_contains (held, refused));
    g_assert_false (g_hash_table_contains (held, refused_too));
  }
  for (guint i = 0; i < 4; i++)
    g_free (order[i]);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_db_require ();

  g_test_add_func ("/faults/clock/hours-of-skew-refuse-future-times-keep-them-and-leave-seq-alone",
                   test_clock_skew_of_hours);

  return g_test_run ();
}
