/* test-sync.c: devices sync with the real server, and nothing is ever lost
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "sync-fixture.h"

static void
test_offline_records_sync_when_the_server_appears (void)
{
  g_autoptr(Device) device = device_new ();
  g_autoptr(Server) server = NULL;
  g_autoptr(GHashTable) held = NULL;
  g_autoptr(GError) error = NULL;
  guint adopted = 0;
  BbSyncStats stats;

  /* Logged with no server at all, as the device's local user. */
  g_assert_true (bb_session_set_identity (device->session, "PCSO 4521", BB_ROLE_OFFICER, "4521", &error));
  g_object_unref (log_observation (device, "Group of youths, fireworks"));
  g_object_unref (log_observation (device, "Cars revving"));

  server = server_new ();
  sign_in (device, server, "officer1");
  g_assert_cmpuint (bb_session_count_local_records (device->session), ==, 2);
  g_assert_cmpuint (count (device, NULL), ==, 0);
  g_assert_true (bb_session_adopt_local_records (device->session, &adopted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (adopted, ==, 2);
  g_assert_cmpuint (bb_session_count_local_records (device->session), ==, 0);

  stats = sync_ok (device);
  g_assert_cmpuint (stats.pushed, ==, 2);
  g_assert_cmpuint (stats.rejected, ==, 0);
  g_assert_cmpuint (bb_store_outbox_count (bb_session_get_store (device->session)), ==, 0);

  held = server_records (server);
  g_assert_cmpuint (g_hash_table_size (held), ==, 2);

  /* A second cycle has nothing to do. */
  stats = sync_ok (device);
  g_assert_cmpuint (stats.pushed, ==, 0);
}

static void
test_unreachable_server_loses_nothing (void)
{
  g_autoptr(Device) device = device_new ();
  g_autoptr(Server) server = server_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) held = NULL;

  sign_in (device, server, "officer1");
  server_kill (server, SIGKILL);
  g_object_unref (log_observation (device, "logged while the server is down"));

  g_assert_false (bb_session_sync (device->session, NULL, NULL, &error));
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNREACHABLE);
  g_assert_cmpuint (bb_store_outbox_count (bb_session_get_store (device->session)), ==, 1);
  g_assert_true (bb_session_is_signed_in (device->session));

  server_start (server, 0);
  device_point_at (device, server);

  sync_ok (device);
  g_assert_cmpuint (bb_store_outbox_count (bb_session_get_store (device->session)), ==, 0);
  held = server_records (server);
  g_assert_cmpuint (g_hash_table_size (held), ==, 1);
}

static void
test_lost_answer_is_retried_as_duplicate (void)
{
  g_autoptr(Device) device = device_new ();
  g_autoptr(Server) server = server_new ();
  g_autoptr(BbClient) client = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GHashTable) held = NULL;
  g_autoptr(GError) error = NULL;
  BbSyncStats stats;

  sign_in (device, server, "officer1");
  for (int i = 0; i < 5; i++)
    g_object_unref (log_observation (device, "batch whose answer is lost"));

  /* The server applies the batch, but the answer never reaches the device. */
  client = bb_session_create_client (device->session, &error);
  g_assert_no_error (error);
  outbox = bb_store_outbox_list (bb_session_get_store (device->session), 500, &error);
  g_assert_no_error (error);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device_id");
  json_builder_add_string_value (builder, "");
  json_builder_set_member_name (builder, "changes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < outbox->len; i++)
    json_builder_add_value (builder, bb_record_to_change_json (g_ptr_array_index (outbox, i)));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  answer = bb_client_request (client, "POST", "/api/v1/sync/push", body, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bb_store_outbox_count (bb_session_get_store (device->session)), ==, 5);

  /* The retry is answered "duplicate": the outbox empties, nothing doubles. */
  stats = sync_ok (device);
  g_assert_cmpuint (stats.pushed, ==, 5);
  g_assert_cmpuint (bb_store_outbox_count (bb_session_get_store (device->session)), ==, 0);
  held = server_records (server);
  g_assert_cmpuint (g_hash_table_size (held), ==, 5);
}

typedef struct
{
  Device   *device;
  gboolean  ok;
  GError   *error;
} SyncJob;

static gpointer
sync_in_thread (gpointer data)
{
  SyncJob *job = data;

  job->ok = bb_session_sync (job->device->session, NULL, NULL, &job->error);
  return NULL;
}

static void
test_server_killed_mid_push (void)
{
  g_autoptr(Device) device = device_new ();
  g_autoptr(Server) server = server_new ();
  g_autoptr(GHashTable) held = NULL;
  const guint n = 1500;
  guint failures = 0;

  sign_in (device, server, "officer1");
  for (guint i = 0; i < n; i++)
    g_object_unref (log_observation (device, "many records"));

  /* SIGKILL the server while a cycle pushes, at different moments; every
   * retry picks up where the last applied answer left off. */
  for (guint round = 0; round < 4; round++)
    {
      SyncJob job = { device, FALSE, NULL };
      GThread *thread = g_thread_new ("sync", sync_in_thread, &job);

      g_usleep (g_test_rand_int_range (2, 40) * 1000);
      server_kill (server, SIGKILL);
      g_thread_join (thread);
      if (!job.ok)
        {
          g_assert_error (job.error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNREACHABLE);
          failures++;
        }
      g_clear_error (&job.error);
      server_start (server, 0);
      device_point_at (device, server);
    }

  sync_ok (device);
  g_assert_cmpuint (bb_store_outbox_count (bb_session_get_store (device->session)), ==, 0);
  held = server_records (server);
  g_assert_cmpuint (g_hash_table_size (held), ==, n);
  g_test_message ("%u of 4 cycles were cut short by the kill", failures);
}

static void
test_conflict_between_two_devices (void)
{
  g_autoptr(Device) laptop = device_new ();
  g_autoptr(Device) office = device_new ();
  g_autoptr(Server) server = server_new ();
  g_autoptr(BbRecord) record = NULL;
  g_autoptr(BbRecord) theirs = NULL;
  g_autoptr(BbRecord) mine = NULL;
  g_autoptr(BbRecord) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  BbSyncStats stats;
  BbStore *store;

  sign_in (laptop, server, "officer1");
  sign_in (office, server, "sergeant");
  record = log_observation (laptop, "first version");
  sync_ok (laptop);
  sync_ok (office);

  /* Both edit the same revision. */
  theirs = bb_store_get_record (bb_session_get_store (office->session), bb_record_get_id (record), &error);
  g_assert_no_error (error);
  json_object_set_string_member (bb_record_get_fields (theirs), "description", "supervisor's version");
  g_assert_true (bb_session_save_record (office->session, theirs, NULL, &error));
  sync_ok (office);

  mine = bb_store_get_record (bb_session_get_store (laptop->session), bb_record_get_id (record), &error);
  json_object_set_string_member (bb_record_get_fields (mine), "description", "officer's version");
  g_assert_true (bb_session_save_record (laptop->session, mine, &problems, &error));
  stats = sync_ok (laptop);
  g_assert_cmpuint (stats.conflicts, ==, 1);

  /* Both copies are kept until the user chooses. */
  store = bb_session_get_store (laptop->session);
  copy = bb_store_get_conflict_copy (store, bb_record_get_id (record), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bb_record_get_field_string (copy, "description"), ==, "supervisor's version");
  g_clear_object (&mine);
  mine = bb_store_get_record (store, bb_record_get_id (record), &error);
  g_assert_cmpstr (bb_record_get_field_string (mine, "description"), ==, "officer's version");
  g_assert_cmpint (bb_record_get_sync_state (mine), ==, BB_SYNC_STATE_CONFLICT);

  /* Keep mine: it syncs, and the supervisor receives it. */
  g_assert_true (bb_store_resolve_conflict (store, bb_record_get_id (record), TRUE, &error));
  g_assert_no_error (error);
  stats = sync_ok (laptop);
  g_assert_cmpuint (stats.conflicts, ==, 0);
  g_assert_cmpuint (bb_store_outbox_count (store), ==, 0);
  sync_ok (office);
  g_clear_object (&theirs);
  theirs = bb_store_get_record (bb_session_get_store (office->session), bb_record_get_id (record), &error);
  g_assert_cmpstr (bb_record_get_field_string (theirs, "description"), ==, "officer's version");
}

static void
test_returned_review_reaches_the_author (void)
{
  g_autoptr(Device) laptop = device_new ();
  g_autoptr(Device) office = device_new ();
  g_autoptr(Server) server = server_new ();
  g_autoptr(BbRecord) record = NULL;
  g_autoptr(BbRecord) after = NULL;
  g_autoptr(BbClient) client = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  JsonObject *comment;

  sign_in (laptop, server, "officer1");
  sign_in (office, server, "sergeant");
  record = log_observation (laptop, "needs more detail");
  sync_ok (laptop);

  client = bb_session_create_client (office->session, &error);
  g_assert_no_error (error);
  body = json_from_string ("{\"state\": \"returned\", \"comment\": \"Add the crime reference\"}", &error);
  g_assert_no_error (error);
  path = g_strdup_printf ("/api/v1/records/%s/review", bb_record_get_id (record));
  answer = bb_client_request (client, "POST", path, body, NULL, NULL, &error);
  g_assert_no_error (error);

  sync_ok (laptop);
  after = bb_store_get_record (bb_session_get_store (laptop->session), bb_record_get_id (record), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bb_record_get_review_state (after), ==, "returned");
  g_assert_nonnull (bb_record_get_review_comments (after));
  comment = json_array_get_object_element (bb_record_get_review_comments (after), 0);
  g_assert_cmpstr (json_object_get_string_member (comment, "text"), ==, "Add the crime reference");
}

static void
test_revoked_device_wipes (void)
{
  g_autoptr(Device) laptop = device_new ();
  g_autoptr(Server) server = server_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *device_id = NULL;

  sign_in (laptop, server, "officer1");
  g_object_unref (log_observation (laptop, "before revocation"));
  sync_ok (laptop);
  g_assert_cmpuint (count (laptop, NULL), ==, 1);
  device_id = bb_store_get_meta (bb_session_get_store (laptop->session), "sync.device_id");
  g_assert_nonnull (device_id);

  run_admin ("", "device", "revoke", "--db", server->db, "--device-id", device_id, NULL);

  g_assert_false (bb_session_sync (laptop->session, NULL, NULL, &error));
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_DEVICE_REVOKED);
  g_assert_false (bb_session_is_signed_in (laptop->session));
  g_assert_cmpuint (count (laptop, NULL), ==, 0);

  /* Signing in again as that user finds nothing left behind. */
  g_clear_error (&error);
  sign_in (laptop, server, "officer1");
  g_assert_cmpuint (count (laptop, NULL), ==, 0);
}

static void
test_pagination_across_many_pages (void)
{
  g_autoptr(Device) laptop = device_new ();
  g_autoptr(Device) office = device_new ();
  g_autoptr(Server) server = server_new ();
  BbSyncStats stats;

  sign_in (laptop, server, "officer1");
  sign_in (office, server, "sergeant");
  for (guint i = 0; i < 1234; i++)
    g_object_unref (log_observation (laptop, "page filler"));
  stats = sync_ok (laptop);
  g_assert_cmpuint (stats.pushed, ==, 1234);

  stats = sync_ok (office);
  g_assert_cmpuint (stats.pulled, ==, 1234);
  g_assert_cmpuint (count (office, NULL), ==, 1234);
}

static void
test_two_users_on_one_device_are_kept_apart (void)
{
  g_autoptr(Device) laptop = device_new ();
  g_autoptr(Server) server = server_new ();
  g_autoptr(GError) error = NULL;

  sign_in (laptop, server, "officer1");
  g_object_unref (log_observation (laptop, "officer one's unsynced draft record"));
  g_assert_true (bb_session_sign_out (laptop->session, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (bb_session_is_signed_in (laptop->session));

  sign_in (laptop, server, "officer2");
  g_assert_cmpuint (count (laptop, NULL), ==, 0);
  g_object_unref (log_observation (laptop, "officer two's record"));
  g_assert_true (bb_session_sign_out (laptop->session, NULL, &error));

  /* Back to the first: their record is there, unsynced, and only theirs. */
  sign_in (laptop, server, "officer1");
  g_assert_cmpuint (count (laptop, NULL), ==, 1);
  g_assert_cmpuint (bb_store_outbox_count (bb_session_get_store (laptop->session)), ==, 1);
}

static void
test_signed_out_by_server_keeps_records (void)
{
  g_autoptr(Device) laptop = device_new ();
  g_autoptr(Server) server = server_new ();
  g_autoptr(GError) error = NULL;

  sign_in (laptop, server, "officer1");
  g_object_unref (log_observation (laptop, "kept while signed out"));
  run_admin ("", "user", "disable", "--db", server->db, "--username", "officer1", NULL);

  g_assert_false (bb_session_sync (laptop->session, NULL, NULL, &error));
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNAUTHORIZED);
  g_assert_false (bb_session_is_signed_in (laptop->session));
  g_assert_cmpuint (count (laptop, NULL), ==, 1);
  g_assert_cmpuint (bb_store_outbox_count (bb_session_get_store (laptop->session)), ==, 1);
}

static void
test_plain_http_only_to_this_machine (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbClient) remote = bb_client_new ("http://beatbook.example.org", NULL, &error);
  g_autoptr(BbClient) local = NULL;

  g_assert_null (remote);
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_INSECURE);
  g_clear_error (&error);
  local = bb_client_new ("http://127.0.0.1:9", NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&local, bb_client_free);
  local = bb_client_new ("ftp://127.0.0.1", NULL, &error);
  g_assert_null (local);
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_BAD_REQUEST);
}

/* beatbook-cli from a terminal: login, sync, lookup, logout. */
static int
run_cli (const char  *data_dir,
         const char  *stdin_text,
         char       **out,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  va_list args;
  const char *arg;

  g_ptr_array_add (argv, (gpointer)g_getenv ("BEATBOOK_CLI"));
  g_ptr_array_add (argv, (gpointer)"--data-dir");
  g_ptr_array_add (argv, (gpointer)data_dir);
  va_start (args, out);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *)argv->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, stdin_text, NULL, out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("beatbook-cli %s: %s%s", (char *)argv->pdata[3], out && *out ? *out : "", err);
  return g_subprocess_get_exit_status (proc);
}

static void
test_cli_sync_and_lookup (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("beatbook-cli-XXXXXX", &error);
  g_autofree char *json_path = g_build_filename (dir, "s59.json", NULL);
  g_autofree char *out = NULL;
  g_autofree char *now = bb_time_now_iso ();
  g_autofree char *json = g_strdup_printf (
    "{\"occurred_at\": \"%s\", \"fields\": {\"ward\": \"greenhithe_knockhall\","
    " \"place\": \"Crossways Boulevard\", \"offence\": \"rta_s3\", \"alarm_distress\": \"is_causing\","
    " \"circumstances\": \"Car cruising\", \"vehicle\": {\"type\": \"car\", \"vrm\": \"AB12 CDE\"},"
    " \"warned_party\": \"driver\", \"driver\": {\"name\": \"Alex Example\", \"date_of_birth\": \"1990-04-01\"}}}", now);

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (json_path, json, -1, NULL));

  /* Logged offline before signing in, then adopted and synced. */
  g_assert_cmpint (run_cli (dir, NULL, NULL, "identity", "--name", "PC 1234", "--role", "officer", NULL), ==, 0);
  g_assert_cmpint (run_cli (dir, NULL, NULL, "add", "s59_warning", "--json", json_path, NULL), ==, 0);
  g_assert_cmpint (run_cli (dir, "wrong password\n", NULL, "login", "--server", server->url,
                            "--username", "officer1", NULL), ==, 1);
  g_assert_cmpint (run_cli (dir, PASSWORD "\n", &out, "login", "--server", server->url,
                            "--username", "officer1", "--adopt-local", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Signed in as PCSO 4521"));
  g_clear_pointer (&out, g_free);

  /* Its own revision is not sent back to it. */
  g_assert_cmpint (run_cli (dir, NULL, &out, "sync", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "pushed 1, pulled 0, conflicts 0, rejected 0, uploaded 0\n");
  g_clear_pointer (&out, g_free);

  /* The look-up finds it on the device and on the server, whatever the spacing. */
  g_assert_cmpint (run_cli (dir, NULL, &out, "lookup", "--vrm", "ab12cde", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "on this device"));
  g_assert_nonnull (strstr (out, "on the server"));
  g_assert_null (strstr (out, "No Section 59"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (dir, NULL, &out, "lookup", "--surname", "EXAMPLE", "--dob", "1990-04-01", NULL), ==, 0);
  g_assert_null (strstr (out, "No Section 59"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (dir, NULL, &out, "lookup", "--vrm", "ZZ99ZZZ", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "No Section 59"));
  g_clear_pointer (&out, g_free);

  /* Server gone: exit 2 and nothing lost. */
  g_assert_cmpint (run_cli (dir, NULL, NULL, "add", "s59_warning", "--json", json_path, NULL), ==, 0);
  server_kill (server, SIGKILL);
  g_assert_cmpint (run_cli (dir, NULL, NULL, "sync", NULL), ==, 2);
  g_assert_cmpint (run_cli (dir, NULL, &out, "lookup", "--vrm", "AB12CDE", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "on this device"));
  g_assert_nonnull (strstr (out, "not asked"));
  g_clear_pointer (&out, g_free);
  server_start (server, 0);

  g_assert_cmpint (run_cli (dir, NULL, &out, "logout", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (dir, NULL, &out, "sync", NULL), ==, 1);
  bb_test_remove_tree (dir);
}

int
main (int argc, char *argv[])
{
  test_db_require ();
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("BEATBOOK_SERVER") == NULL)
    {
      g_printerr ("BEATBOOK_SERVER is not set: run this test with meson test\n");
      return 1;
    }

  g_test_add_func ("/sync/offline/records-sync-when-the-server-appears", test_offline_records_sync_when_the_server_appears);
  g_test_add_func ("/sync/offline/unreachable-server-loses-nothing", test_unreachable_server_loses_nothing);
  g_test_add_func ("/sync/retry/lost-answer-is-retried-as-duplicate", test_lost_answer_is_retried_as_duplicate);
  g_test_add_func ("/sync/robustness/server-killed-mid-push-loses-and-doubles-nothing", test_server_killed_mid_push);
  g_test_add_func ("/sync/conflict/both-copies-kept-until-the-user-chooses", test_conflict_between_two_devices);
  g_test_add_func ("/sync/review/returned-record-reaches-the-author", test_returned_review_reaches_the_author);
  g_test_add_func ("/sync/revoke/revoked-device-wipes-its-data", test_revoked_device_wipes);
  g_test_add_func ("/sync/pull/pagination-across-many-pages", test_pagination_across_many_pages);
  g_test_add_func ("/sync/users/two-users-on-one-device-are-kept-apart", test_two_users_on_one_device_are_kept_apart);
  g_test_add_func ("/sync/auth/signed-out-by-the-server-keeps-records", test_signed_out_by_server_keeps_records);
  g_test_add_func ("/sync/security/plain-http-only-to-this-machine", test_plain_http_only_to_this_machine);
  g_test_add_func ("/sync/cli/login-sync-lookup-logout", test_cli_sync_and_lookup);

  return g_test_run ();
}
