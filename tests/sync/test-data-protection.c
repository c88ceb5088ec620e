/* test-data-protection.c: retention, erasure, the audit of who saw what,
 * and sessions that last a shift, against the real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"


#include "sync-fixture.h"

static BbStore *
store_of (Device *device)
{
  return bb_session_get_store (device->session);
}

/* Saves an observation occurred @days_ago days ago; (transfer full) its id. */
static char *
log_old_observation (Device     *device,
                     const char *description,
                     int         days_ago)
{
  g_autoptr(BbRecord) record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_days (now, -days_ago);
  g_autofree char *when = g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *fields = bb_record_get_fields (record);

  bb_record_set_occurred_at (record, when);
  json_object_set_string_member (fields, "ward", "town");
  json_object_set_string_member (fields, "place", "High Street");
  json_object_set_string_member (fields, "category", "asb_youths");
  json_object_set_string_member (fields, "description", description);
  if (!bb_session_save_record (device->session, record, &problems, &error))
    {
      g_autofree char *text = bb_problems_to_string (problems);
      g_error ("save failed: %s %s", error ? error->message : "", text);
    }
  return g_strdup (bb_record_get_id (record));
}

/* Runs "beatbook-server ARGS..."; (transfer full) its standard output. */
static char *
server_command (const char *first,
                ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  g_autofree char *err = NULL;
  va_list args;
  const char *arg;

  g_ptr_array_add (argv, (gpointer) g_getenv ("BEATBOOK_SERVER"));
  g_ptr_array_add (argv, (gpointer) first);
  va_start (args, first);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (proc))
    g_error ("beatbook-server %s failed: %s%s", first, out, err);
  return out;
}

/* Every audit entry, as a supervisor reads them. */
static JsonArray *
audit_entries (Server *server)
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
      g_autofree char *path = g_strdup_printf ("/api/v1/audit?since=%" G_GINT64_FORMAT "&limit=1000", since);
      g_autoptr(JsonNode) answer = bb_client_request (client, "GET", path, NULL, NULL, NULL, &error);
      JsonObject *object;
      JsonArray *entries;

      g_assert_no_error (error);
      object = json_node_get_object (answer);
      entries = json_object_get_array_member (object, "entries");
      for (guint i = 0; i < json_array_get_length (entries); i++)
        json_array_add_element (all, json_node_copy (json_array_get_element (entries, i)));
      since = json_object_get_int_member (object, "next");
      more = json_object_get_boolean_member (object, "more");
    }
  return all;
}

static guint
count_entries (JsonArray  *entries,
               const char *action,
               const char *record_id,
               const char *detail_part)
{
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *e = json_array_get_object_element (entries, i);
      const char *detail = json_object_get_string_member_with_default (e, "detail", NULL);

      if (g_strcmp0 (json_object_get_string_member_with_default (e, "action", NULL), action) != 0)
        continue;
      if (record_id != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (e, "record_id", NULL), record_id) != 0)
        continue;
      if (detail_part != NULL && (detail == NULL || strstr (detail, detail_part) == NULL))
        continue;
      n++;
    }
  return n;
}

static void
test_erase_expired_reaches_devices (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(JsonArray) entries = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  /* Dartford keeps patrol observations 730 days. */
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 731);
  g_autofree char *as_of = g_date_time_format (later, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *kept = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *out = NULL;
  g_autofree char *again = NULL;

  sign_in (device, server, "officer1");
  gone = log_old_observation (device, "Youths by the parade, named ERASEME", 10);
  kept = log_old_observation (device, "Recent: still within its period", 0);
  sync_ok (device);

  /* At a time past the first record's period but not the second's... */
  {
    g_autoptr(GDateTime) cut = g_date_time_add_days (now, 730 - 5);
    g_autofree char *at = g_date_time_format (cut, "%Y-%m-%dT%H:%M:%SZ");

    out = server_command ("erase-expired", "--db", server->db, "--as-of", at, NULL);
    g_assert_cmpstr (out, ==, "erased 1\n");
  }
  /* ...and doing it again finds nothing more. */
  {
    g_autoptr(GDateTime) cut = g_date_time_add_days (now, 730 - 5);
    g_autofree char *at = g_date_time_format (cut, "%Y-%m-%dT%H:%M:%SZ");

    again = server_command ("erase-expired", "--db", server->db, "--as-of", at, NULL);
    g_assert_cmpstr (again, ==, "erased 0\n");
  }

  /* The device pulls the tombstone and drops its copy. */
  sync_ok (device);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BbRecord) local = bb_store_get_record (store_of (device), gone, &error);

    g_assert_true (local == NULL || bb_record_get_deleted (local));
    if (local != NULL)
      g_assert_null (bb_record_get_field_string (local, "description"));
  }
  g_assert_cmpuint (count (device, BB_KIND_PATROL_OBSERVATION), ==, 1);

  /* The server keeps no trace of the words; the audit entry keeps the
   * metadata and the rule only. */
  server_kill (server, SIGTERM);
  g_assert_false (test_db_contains (server->db, "ERASEME"));
  server_start (server, 0);
  device_point_at (device, server);
  entries = audit_entries (server);
  g_assert_cmpuint (count_entries (entries, "erase", gone, "retention_days.patrol_observation=730"), ==, 1);
  g_assert_cmpuint (count_entries (entries, "erase", gone, "\"kind\":\"patrol_observation\""), ==, 1);
  g_assert_cmpuint (count_entries (entries, "erase", gone, "ERASEME"), ==, 0);
  g_assert_cmpuint (count_entries (entries, "erase", kept, NULL), ==, 0);

  /* Later still, the second goes too; as_of is that far. */
  {
    g_autofree char *last = server_command ("erase-expired", "--db", server->db, "--as-of", as_of, NULL);
    g_assert_cmpstr (last, ==, "erased 1\n");
  }
}

static void
test_serve_sweeps_at_start (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(JsonArray) entries = NULL;
  g_autofree char *old = NULL;
  g_autofree char *fresh = NULL;

  sign_in (device, server, "officer1");
  /* Older than the 730 days a patrol observation is kept. */
  old = log_old_observation (device, "Logged long ago", 800);
  fresh = log_old_observation (device, "Logged today", 0);
  sync_ok (device);

  /* A restart is a start: the sweep runs before the first request. */
  server_kill (server, SIGTERM);
  server_start (server, 0);
  device_point_at (device, server);
  entries = audit_entries (server);
  g_assert_cmpuint (count_entries (entries, "erase", old, NULL), ==, 1);
  g_assert_cmpuint (count_entries (entries, "erase", fresh, NULL), ==, 0);

  sync_ok (device);
  g_assert_cmpuint (count (device, BB_KIND_PATROL_OBSERVATION), ==, 1);
}

static void
test_audit_names_the_records_seen (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) author = device_new ();
  g_autoptr(Device) reader = device_new ();
  g_autoptr(JsonArray) entries = NULL;
  g_autoptr(BbClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  sign_in (author, server, "officer1");
  a = log_old_observation (author, "First", 1);
  b = log_old_observation (author, "Second", 1);
  sync_ok (author);

  /* A supervisor's pull names both records in its view entry. */
  sign_in (reader, server, "sergeant");
  sync_ok (reader);
  entries = audit_entries (server);
  g_assert_cmpuint (count_entries (entries, "view", NULL, a), >, 0);
  g_assert_cmpuint (count_entries (entries, "view", NULL, b), >, 0);
  g_clear_pointer (&entries, json_array_unref);

  /* A look-up names the warnings it matched (none here: the ids part is
   * there, and empty). */
  client = bb_session_create_client (reader->session, &error);
  g_assert_no_error (error);
  {
    g_autoptr(JsonNode) answer = bb_client_request (client, "GET", "/api/v1/s59/lookup?vrm=AB12CDE",
                                                    NULL, NULL, NULL, &error);
    g_assert_no_error (error);
  }
  entries = audit_entries (server);
  g_assert_cmpuint (count_entries (entries, "lookup", NULL, "matches=0 ids="), ==, 1);
}

/* Saves a Section 59 warning given to a driver yesterday; (transfer full)
 * its id. */
static char *
log_warning (Device     *device,
             const char *vrm)
{
  g_autoptr(BbRecord) record = bb_record_new ("s59_warning");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_days (now, -1);
  g_autofree char *when = g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *json = g_strdup_printf (
    "{\"ward\": \"greenhithe_knockhall\", \"place\": \"Crossways Boulevard\", \"offence\": \"rta_s3\","
    " \"alarm_distress\": \"is_causing\", \"circumstances\": \"Car cruising\", \"vehicle\": {\"type\": \"car\", \"vrm\": \"%s\"},"
    " \"warned_party\": \"driver\","
    " \"driver\": {\"name\": \"Alex Example\", \"date_of_birth\": \"1990-04-01\"}}", vrm);
  g_autoptr(JsonNode) fields = json_from_string (json, NULL);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (fields);
  bb_record_set_occurred_at (record, when);
  bb_record_set_fields (record, json_node_get_object (fields));
  if (!bb_session_save_record (device->session, record, &problems, &error))
    {
      g_autofree char *text = bb_problems_to_string (problems);
      g_error ("save failed: %s %s", error ? error->message : "", text);
    }
  return g_strdup (bb_record_get_id (record));
}

/* An offline look-up on a device reaches the server's audit at the next
 * sync as "lookup" entries naming the warnings it matched. */
static void
test_offline_lookup_reaches_the_audit (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(JsonArray) before = NULL;
  g_autoptr(JsonArray) entries = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GPtrArray) missed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  BbLookupQuery by_vrm = { .vrm = "AB12 CDE" };
  BbLookupQuery by_other = { .vrm = "ZZ99 ZZZ" };

  sign_in (device, server, "officer1");
  id = log_warning (device, "AB12CDE");
  sync_ok (device);
  before = audit_entries (server);
  g_assert_cmpuint (count_entries (before, "lookup", id, NULL), ==, 0);

  found = bb_lookup_offline (store_of (device), &by_vrm, 365, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  missed = bb_lookup_offline (store_of (device), &by_other, 365, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (missed->len, ==, 0);

  /* Nothing reaches the server before the sync. */
  entries = audit_entries (server);
  g_assert_cmpuint (count_entries (entries, "lookup", NULL, "\"lookup_id\""), ==, 0);
  g_clear_pointer (&entries, json_array_unref);

  sync_ok (device);
  entries = audit_entries (server);
  /* One entry for the look-up that matched and one naming its record; one
   * for the look-up that found nothing. */
  g_assert_cmpuint (count_entries (entries, "lookup", id, "\"lookup_id\""), ==, 1);
  g_assert_cmpuint (count_entries (entries, "lookup", NULL, "\"count\":1"), ==, 1);
  g_assert_cmpuint (count_entries (entries, "lookup", NULL, "\"count\":0"), ==, 1);
  g_assert_cmpuint (count_entries (entries, "lookup", NULL, "registration mark"), ==, 2);
  /* The look-up's values never leave the device in the notice. */
  g_assert_cmpuint (count_entries (entries, "lookup", NULL, "AB12"), ==, 0);
  {
    g_autoptr(GPtrArray) left = bb_store_list_export_notices (store_of (device), TRUE, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (left->len, ==, 0);
  }
}

static void
test_cli_export_queues_a_notice (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(JsonArray) entries = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  sign_in (device, server, "sergeant");
  id = log_old_observation (device, "Exported by the command line", 1);
  sync_ok (device);

  out_path = g_build_filename (device->dir, "export.csv", NULL);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           g_getenv ("BEATBOOK_CLI"), "--data-dir", device->dir, "export",
                           "--format", "csv", "--kind", "patrol_observation", "--output", out_path, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (proc))
    g_error ("beatbook-cli export failed: %s%s", out, err);
  g_assert_nonnull (strstr (err, "export notice"));

  /* The next sync tells the server, which logs the disclosure with the
   * record it named. */
  sync_ok (device);
  entries = audit_entries (server);
  g_assert_cmpuint (count_entries (entries, "export", NULL, "\"filter\":\"beatbook-cli export --format csv --kind patrol_observation\""), ==, 1);
  g_assert_cmpuint (count_entries (entries, "export", id, NULL), ==, 1);
}

/* Sets every session's expiry in the server's file to now + @seconds. */
static void
set_session_expiry (Server *server,
                    gint64  seconds)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_seconds (now, (gdouble) seconds);
  g_autofree char *at = g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *sql = g_strdup_printf ("UPDATE sessions SET expires_at = '%s'", at);

  test_db_exec (server->db, sql);
}

/* The latest expiry of any session in the server's file, from now. */
static gint64
session_seconds_left (Server *server)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expires = NULL;
  g_autofree char *latest = test_db_query (server->db, "SELECT max(expires_at) FROM sessions");

  g_assert_nonnull (latest);
  expires = g_date_time_new_from_iso8601 (latest, NULL);
  g_assert_nonnull (expires);
  return g_date_time_difference (expires, now) / G_TIME_SPAN_SECOND;
}

static void
test_session_slides_while_used (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(GError) error = NULL;
  BbSyncStats stats;

  sign_in (device, server, "officer1");
  /* Two minutes of the shift's token left... */
  set_session_expiry (server, 120);
  g_assert_cmpint (session_seconds_left (server), <=, 120);
  /* ...a sync renews it for another 12 hours. */
  sync_ok (device);
  g_assert_cmpint (session_seconds_left (server), >, 11 * 3600);
  g_assert_cmpint (session_seconds_left (server), <=, 12 * 3600);

  /* An expired token is not revived. */
  set_session_expiry (server, -1);
  bb_session_sync (device->session, &stats, NULL, &error);
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  g_assert_cmpint (session_seconds_left (server), <, 0);

  /* Revocation wins over a fresh renewal: sign in, renew, sign out; the
   * old token then fails. */
  g_clear_object (&device->session);
  device->session = bb_session_new (device->dir, &error);
  g_assert_no_error (error);
  sign_in (device, server, "officer1");
  set_session_expiry (server, 120);
  sync_ok (device);
  g_assert_cmpint (session_seconds_left (server), >, 11 * 3600);
  {
    g_autoptr(BbClient) client = bb_session_create_client (device->session, &error);
    g_autoptr(JsonNode) gone = NULL;

    g_assert_no_error (error);
    g_assert_true (bb_session_sign_out (device->session, NULL, &error));
    g_assert_no_error (error);
    gone = bb_client_request (client, "GET", "/api/v1/me", NULL, NULL, NULL, &error);
    g_assert_null (gone);
    g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNAUTHORIZED);
  }
}

int
main (int    argc,
      char **argv)
{
  test_db_require ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/data-protection/erase-expired/tombstones-reach-devices-and-the-log-keeps-metadata",
                   test_erase_expired_reaches_devices);
  g_test_add_func ("/data-protection/erase-expired/serve-sweeps-at-start", test_serve_sweeps_at_start);
  g_test_add_func ("/data-protection/audit/views-and-look-ups-name-the-records", test_audit_names_the_records_seen);
  g_test_add_func ("/data-protection/sessions/slide-while-used-revocation-wins", test_session_slides_while_used);
  g_test_add_func ("/data-protection/audit/cli-export-queues-a-notice", test_cli_export_queues_a_notice);
  g_test_add_func ("/data-protection/audit/offline-look-ups-reach-the-log", test_offline_lookup_reaches_the_audit);

  return g_test_run ();
}
