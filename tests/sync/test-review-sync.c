/* test-review-sync.c: supervisor reviews and export notices, made offline,
 * reach the real server and the author's device
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include "sync-fixture.h"

/* A device signed in as @username (or, with no server, nobody's yet). */
static Device *
signed_in_device (Server     *server,
                  const char *username)
{
  Device *device = device_new ();

  if (server != NULL)
    sign_in (device, server, username);
  return device;
}

static BbStore *
store_of (Device *device)
{
  return bb_session_get_store (device->session);
}

static BbRecord *
get (Device     *device,
     const char *id)
{
  g_autoptr(GError) error = NULL;
  BbRecord *record = bb_store_get_record (store_of (device), id, &error);

  g_assert_no_error (error);
  return record;
}

static char *
log_observation_id (Device     *device,
                    const char *description)
{
  g_autoptr(BbRecord) record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
  g_autoptr(GError) error = NULL;
  JsonObject *fields = bb_record_get_fields (record);

  json_object_set_string_member (fields, "ward", "town");
  json_object_set_string_member (fields, "place", "High Street");
  json_object_set_string_member (fields, "category", "asb_youths");
  json_object_set_string_member (fields, "description", description);
  g_assert_true (bb_session_save_record (device->session, record, NULL, &error));
  g_assert_no_error (error);
  return g_strdup (bb_record_get_id (record));
}

static const char *
last_comment (BbRecord  *record,
              gboolean  *pending)
{
  JsonArray *comments = bb_record_get_review_comments (record);
  JsonObject *last;

  if (comments == NULL || json_array_get_length (comments) == 0)
    return NULL;
  last = json_array_get_object_element (comments, json_array_get_length (comments) - 1);
  if (pending != NULL)
    *pending = json_object_get_boolean_member_with_default (last, "pending", FALSE);
  return json_object_get_string_member_with_default (last, "text", NULL);
}

static guint
n_queued_reviews (Device   *device,
                  gboolean  with_failed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) reviews = bb_store_list_queued_reviews (store_of (device), with_failed, &error);

  g_assert_no_error (error);
  return reviews->len;
}

static void
test_returned_offline_reaches_the_author_and_comes_back (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) officer = signed_in_device (server, "officer1");
  g_autoptr(Device) sergeant = signed_in_device (server, "sergeant");
  g_autoptr(BbClient) dead = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = log_observation_id (officer, "Youths on the bus shelter roof");
  g_autoptr(BbRecord) seen = NULL;
  g_autoptr(BbRecord) at_officer = NULL;
  g_autoptr(BbRecord) back = NULL;
  BbSyncStats stats;
  gboolean pending = FALSE;

  sync_ok (officer);
  sync_ok (sergeant);

  /* Returned with no connection: the supervisor's copy changes at once. */
  g_assert_true (bb_store_queue_review (store_of (sergeant), id, "returned",
                                        "  Which way did they leave?  ", "sergeant", &error));
  g_assert_no_error (error);
  seen = get (sergeant, id);
  g_assert_cmpstr (bb_record_get_review_state (seen), ==, "returned");
  g_assert_cmpstr (last_comment (seen, &pending), ==, "Which way did they leave?");
  g_assert_true (pending);
  g_assert_cmpuint (n_queued_reviews (sergeant, FALSE), ==, 1);

  /* An unreachable server keeps the review queued. */
  dead = bb_client_new ("http://127.0.0.1:9", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (bb_sync_run (store_of (sergeant), dead, NULL, NULL, NULL, &error));
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNREACHABLE);
  g_clear_error (&error);
  g_assert_cmpuint (n_queued_reviews (sergeant, TRUE), ==, 1);

  /* The next sync sends it; the server's thread replaces the pending one. */
  stats = sync_ok (sergeant);
  g_assert_cmpuint (stats.rejected, ==, 0);
  g_assert_cmpuint (n_queued_reviews (sergeant, TRUE), ==, 0);
  g_clear_object (&seen);
  seen = get (sergeant, id);
  g_assert_cmpstr (bb_record_get_review_state (seen), ==, "returned");
  g_assert_cmpstr (last_comment (seen, &pending), ==, "Which way did they leave?");
  g_assert_false (pending);

  /* The author sees it returned, with the comment. */
  sync_ok (officer);
  at_officer = get (officer, id);
  g_assert_cmpstr (bb_record_get_review_state (at_officer), ==, "returned");
  g_assert_cmpstr (last_comment (at_officer, NULL), ==, "Which way did they leave?");

  /* The author adds what was missing and sends it again... */
  json_object_set_string_member (bb_record_get_fields (at_officer), "notes",
                                 "They left towards the station.");
  g_assert_true (bb_session_save_record (officer->session, at_officer, NULL, &error));
  g_assert_no_error (error);
  stats = sync_ok (officer);
  g_assert_cmpuint (stats.pushed, ==, 1);

  /* ...and the supervisor sees it come back, new, with the thread kept. */
  sync_ok (sergeant);
  back = get (sergeant, id);
  g_assert_cmpstr (bb_record_get_review_state (back), ==, "new");
  g_assert_cmpstr (bb_record_get_field_string (back, "notes"), ==, "They left towards the station.");
  g_assert_cmpstr (last_comment (back, NULL), ==, "Which way did they leave?");

  /* Reviewed, then closed, offline: both go, in order. */
  g_assert_true (bb_store_queue_review (store_of (sergeant), id, "reviewed", NULL, "sergeant", &error));
  g_assert_true (bb_store_queue_review (store_of (sergeant), id, "closed", "Done", "sergeant", &error));
  g_assert_no_error (error);
  stats = sync_ok (sergeant);
  g_assert_cmpuint (stats.pushed, ==, 2);
  sync_ok (officer);
  g_clear_object (&at_officer);
  at_officer = get (officer, id);
  g_assert_cmpstr (bb_record_get_review_state (at_officer), ==, "closed");
}

static void
test_refused_review_is_kept_with_the_reason (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) officer = signed_in_device (server, "officer1");
  g_autoptr(Device) sergeant = signed_in_device (server, "sergeant");
  g_autoptr(GError) error = NULL;
  g_autofree char *id = log_observation_id (officer, "Logged in error");
  g_autoptr(GPtrArray) failed = NULL;
  g_autoptr(BbQueuedReview) latest = NULL;
  BbQueuedReview *review;
  BbSyncStats stats;

  sync_ok (officer);
  sync_ok (sergeant);

  /* The author deletes it before the supervisor's review reaches the server. */
  g_assert_true (bb_store_delete_record (store_of (officer), id, &error));
  g_assert_no_error (error);
  sync_ok (officer);
  g_assert_true (bb_store_queue_review (store_of (sergeant), id, "reviewed", "Fine", "sergeant", &error));
  g_assert_no_error (error);

  stats = sync_ok (sergeant);
  g_assert_cmpuint (stats.rejected, ==, 1);
  g_assert_cmpuint (n_queued_reviews (sergeant, FALSE), ==, 0);
  failed = bb_store_list_queued_reviews (store_of (sergeant), TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (failed->len, ==, 1);
  review = g_ptr_array_index (failed, 0);
  g_assert_cmpstr (review->record_id, ==, id);
  g_assert_cmpstr (review->comment, ==, "Fine");
  /* The server's sentence, not a code. */
  g_assert_nonnull (review->error);
  g_assert_nonnull (strstr (review->error, "no record"));
  latest = bb_store_get_queued_review (store_of (sergeant), id);
  g_assert_nonnull (latest);
  g_assert_cmpstr (latest->error, ==, review->error);

  /* A refused review is not sent again; once read, it can be dismissed. */
  stats = sync_ok (sergeant);
  g_assert_cmpuint (stats.rejected, ==, 0);
  g_assert_true (bb_store_dismiss_review (store_of (sergeant), review->id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_queued_reviews (sergeant, TRUE), ==, 0);
}

static void
test_refused_review_restores_the_copy (void)
{
  g_autoptr(Device) device = signed_in_device (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) queued = NULL;
  g_autoptr(BbRecord) record = NULL;

  g_assert_true (bb_session_set_identity (device->session, "Sergeant (supervisor)",
                                          BB_ROLE_SUPERVISOR, "2290", &error));
  id = log_observation_id (device, "Bins alight");

  /* A returned record needs a comment; a blank one is none. */
  g_assert_false (bb_store_queue_review (store_of (device), id, "returned", "   ", "Sergeant", &error));
  g_assert_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (bb_store_queue_review (store_of (device), id, "approved", NULL, "Sergeant", &error));
  g_assert_error (error, BB_STORE_ERROR, BB_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (bb_store_queue_review (store_of (device), "00000000-0000-4000-8000-000000000000",
                                         "reviewed", NULL, "Sergeant", &error));
  g_assert_error (error, BB_STORE_ERROR, BB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (n_queued_reviews (device, TRUE), ==, 0);

  g_assert_true (bb_store_queue_review (store_of (device), id, "returned", "Add the time", "Sergeant", &error));
  g_assert_no_error (error);
  queued = bb_store_list_queued_reviews (store_of (device), FALSE, &error);
  g_assert_cmpuint (queued->len, ==, 1);

  /* Refused: the copy shows again what the server holds. */
  g_assert_true (bb_store_mark_review_failed (store_of (device),
                                              ((BbQueuedReview *) g_ptr_array_index (queued, 0))->id,
                                              "Only supervisors review records.", &error));
  g_assert_no_error (error);
  record = get (device, id);
  g_assert_cmpstr (bb_record_get_review_state (record), ==, "new");
  g_assert_null (last_comment (record, NULL));
}

static void
test_export_notice_becomes_an_audit_entry (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) officer = signed_in_device (server, "officer1");
  g_autoptr(Device) sergeant = signed_in_device (server, "sergeant");
  g_autoptr(BbClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = log_observation_id (officer, "Scooter on the footpath");
  g_autoptr(GPtrArray) notices = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) answer = NULL;
  const char *ids[] = { id, NULL };
  const char *notice_id;
  JsonArray *entries;
  gboolean summary = FALSE, per_record = FALSE;
  BbSyncStats stats;

  sync_ok (officer);
  sync_ok (sergeant);

  g_assert_true (bb_store_queue_export_notice (store_of (sergeant), "csv", ids, 1, NULL, NULL,
                                               "Ward: Town", "CSP board", &error));
  g_assert_no_error (error);
  notices = bb_store_list_export_notices (store_of (sergeant), FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (notices->len, ==, 1);
  body = json_from_string (((BbExportNotice *) g_ptr_array_index (notices, 0))->body, &error);
  g_assert_no_error (error);
  notice_id = json_object_get_string_member (json_node_get_object (body), "id");
  g_assert_true (bb_uuid_is_valid (notice_id));

  sync_ok (sergeant);
  g_clear_pointer (&notices, g_ptr_array_unref);
  notices = bb_store_list_export_notices (store_of (sergeant), TRUE, &error);
  g_assert_cmpuint (notices->len, ==, 0);

  client = bb_session_create_client (sergeant->session, &error);
  g_assert_no_error (error);
  answer = bb_client_request (client, "GET", "/api/v1/audit?since=0&limit=1000", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  entries = json_object_get_array_member (json_node_get_object (answer), "entries");
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *e = json_array_get_object_element (entries, i);
      const char *detail = json_object_get_string_member_with_default (e, "detail", NULL);
      const char *record_id = json_object_get_string_member_with_default (e, "record_id", NULL);

      if (g_strcmp0 (json_object_get_string_member (e, "action"), "export") != 0 ||
          detail == NULL || strstr (detail, notice_id) == NULL)
        continue;
      g_assert_cmpstr (json_object_get_string_member (e, "user"), ==, "sergeant");
      if (record_id == NULL)
        summary = strstr (detail, "CSP board") != NULL;
      else if (g_str_equal (record_id, id))
        per_record = TRUE;
    }
  g_assert_true (summary);
  g_assert_true (per_record);

  /* An officer's device is refused: the notice stays, with the reason. */
  g_assert_true (bb_store_queue_export_notice (store_of (officer), "pdf", NULL, 3,
                                               "2026-01-01", "2026-04-01", NULL, NULL, &error));
  g_assert_no_error (error);
  stats = sync_ok (officer);
  g_assert_cmpuint (stats.rejected, ==, 1);
  g_clear_pointer (&notices, g_ptr_array_unref);
  notices = bb_store_list_export_notices (store_of (officer), TRUE, &error);
  g_assert_cmpuint (notices->len, ==, 1);
  g_assert_nonnull (((BbExportNotice *) g_ptr_array_index (notices, 0))->error);
}

int
main (int   argc,
      char *argv[])
{
  test_db_require ();
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("BEATBOOK_SERVER") == NULL)
    {
      g_printerr ("BEATBOOK_SERVER is not set: run this test through meson\n");
      return 77;
    }

  g_test_add_func ("/review-sync/returned-offline/reaches-the-author-and-comes-back-new",
                   test_returned_offline_reaches_the_author_and_comes_back);
  g_test_add_func ("/review-sync/refused-review/is-kept-with-the-server-reason",
                   test_refused_review_is_kept_with_the_reason);
  g_test_add_func ("/review-sync/refused-review/restores-the-local-copy",
                   test_refused_review_restores_the_copy);
  g_test_add_func ("/review-sync/export-notice/becomes-an-audit-entry",
                   test_export_notice_becomes_an_audit_entry);

  return g_test_run ();
}
