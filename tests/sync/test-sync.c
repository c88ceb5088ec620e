/* test-sync.c: devices sync with the real server, and nothing is ever lost
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "beatbook.h"

#define PASSWORD "correct horse battery"

typedef struct
{
  char        *dir;
  char        *db;
  GSubprocess *process;
  char        *url;
} Server;

static void
run_admin (Server     *server,
           const char *stdin_text,
           ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  va_list args;
  const char *arg;

  g_ptr_array_add (argv, (gpointer)g_getenv ("BEATBOOK_SERVER"));
  va_start (args, stdin_text);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *)argv->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, stdin_text, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (proc))
    g_error ("beatbook-server %s failed: %s%s", (char *)argv->pdata[1], out, err);
}

static void
add_user (Server     *server,
          const char *username,
          const char *role)
{
  run_admin (server, PASSWORD "\n", "user", "add", "--db", server->db, "--username", username,
             "--role", role, "--display-name", username, NULL);
}

static void
server_start (Server *server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;

  server->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                      g_getenv ("BEATBOOK_SERVER"), "serve", "--db", server->db,
                                      "--address", "127.0.0.1", "--port", "0", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on http://127.0.0.1:"));
  g_free (server->url);
  server->url = g_strdup (line + strlen ("listening on "));
}

static void
server_kill (Server *server,
             int     signum)
{
  g_autoptr(GError) error = NULL;

  if (server->process == NULL)
    return;
  g_subprocess_send_signal (server->process, signum);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);
  if (signum == SIGTERM)
    g_assert_true (g_subprocess_get_successful (server->process));
  g_clear_object (&server->process);
}

static Server *
server_new (void)
{
  Server *server = g_new0 (Server, 1);
  g_autoptr(GError) error = NULL;

  server->dir = g_dir_make_tmp ("beatbook-sync-XXXXXX", &error);
  g_assert_no_error (error);
  server->db = g_build_filename (server->dir, "server.db", NULL);
  add_user (server, "officer1", "officer");
  add_user (server, "officer2", "officer");
  add_user (server, "sergeant", "supervisor");
  server_start (server);
  return server;
}

static void
rm_rf (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                                   G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                                                   NULL, NULL);
  GFileInfo *info;

  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        rm_rf (child);
      else
        g_unlink (child);
      g_object_unref (info);
    }
  g_rmdir (path);
}

static void
server_free (Server *server)
{
  server_kill (server, SIGTERM);
  rm_rf (server->dir);
  g_free (server->dir);
  g_free (server->db);
  g_free (server->url);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

/* A device: a data directory of its own. */
typedef struct
{
  char      *dir;
  BbSession *session;
} Device;

static Device *
device_new (void)
{
  Device *device = g_new0 (Device, 1);
  g_autoptr(GError) error = NULL;

  device->dir = g_dir_make_tmp ("beatbook-device-XXXXXX", &error);
  g_assert_no_error (error);
  device->session = bb_session_new (device->dir, &error);
  g_assert_no_error (error);
  return device;
}

static void
device_free (Device *device)
{
  g_clear_object (&device->session);
  rm_rf (device->dir);
  g_free (device->dir);
  g_free (device);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Device, device_free)

static void
sign_in (Device     *device,
         Server     *server,
         const char *username)
{
  g_autoptr(GError) error = NULL;
  BbSecretPlace place;

  bb_session_sign_in (device->session, server->url, NULL, username, PASSWORD, "Patrol laptop",
                      &place, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (bb_session_is_signed_in (device->session));
  g_assert_cmpint (place, ==, BB_SECRET_FILE);
}

static BbRecord *
log_observation (Device     *device,
                 const char *description)
{
  g_autoptr(BbRecord) record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *fields = bb_record_get_fields (record);

  json_object_set_string_member (fields, "ward", "town");
  json_object_set_string_member (fields, "place", "High Street");
  json_object_set_string_member (fields, "category", "asb_youths");
  json_object_set_string_member (fields, "description", description);
  if (!bb_session_save_record (device->session, record, &problems, &error))
    {
      g_autofree char *text = bb_problems_to_string (problems);
      g_error ("save failed: %s %s", error ? error->message : "", text);
    }
  return g_steal_pointer (&record);
}

static BbSyncStats
sync_ok (Device *device)
{
  BbSyncStats stats;
  g_autoptr(GError) error = NULL;

  bb_session_sync (device->session, &stats, NULL, &error);
  g_assert_no_error (error);
  return stats;
}

static guint
count (Device     *device,
       const char *kind)
{
  BbQuery query = { .kind = kind };
  guint n = 0;

  g_assert_true (bb_store_count_records (bb_session_get_store (device->session), &query, &n, NULL));
  return n;
}

/* What the server holds, seen by a supervisor: id -> number of times seen. */
static GHashTable *
server_records (Server *server)
{
  g_autoptr(Device) supervisor = device_new ();
  g_autoptr(BbClient) client = NULL;
  g_autoptr(GError) error = NULL;
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
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
        {
          JsonObject *c = json_array_get_object_element (changes, i);
          const char *id = json_object_get_string_member (c, "id");

          if (json_object_get_boolean_member (c, "deleted"))
            g_hash_table_remove (seen, id);
          else
            g_hash_table_insert (seen, g_strdup (id), GUINT_TO_POINTER (1));
        }
      since = json_object_get_int_member (json_node_get_object (answer), "next");
      more = json_object_get_boolean_member (json_node_get_object (answer), "more");
    }

  return seen;
}

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

/* The restarted server listens on a new port: tell the device, as an
 * operator would tell it a new address. */
static void
device_point_at (Device *device,
                 Server *server)
{
  g_autofree char *users_dir = g_build_filename (device->dir, "users", NULL);
  g_autoptr(GError) error = NULL;
  GDir *users = g_dir_open (users_dir, 0, &error);
  const char *name;

  g_assert_no_error (error);
  g_clear_object (&device->session);
  while ((name = g_dir_read_name (users)) != NULL)
    if (!g_str_equal (name, "local"))
      {
        g_autofree char *path = g_build_filename (users_dir, name, "beatbook.db", NULL);
        g_autoptr(BbStore) store = bb_store_open (path, &error);

        g_assert_no_error (error);
        g_assert_true (bb_store_set_meta (store, "sync.server_url", server->url, &error));
      }
  g_dir_close (users);
  device->session = bb_session_new (device->dir, &error);
  g_assert_no_error (error);
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

  server_start (server);
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
      server_start (server);
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

  run_admin (server, "", "device", "revoke", "--db", server->db, "--device-id", device_id, NULL);

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
  run_admin (server, "", "user", "disable", "--db", server->db, "--username", "officer1", NULL);

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
  g_assert_nonnull (strstr (out, "officer1"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (dir, NULL, &out, "sync", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "pushed 1, pulled 1, conflicts 0, rejected 0\n");
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
  server_start (server);

  g_assert_cmpint (run_cli (dir, NULL, &out, "logout", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (dir, NULL, &out, "sync", NULL), ==, 1);
  rm_rf (dir);
}

int
main (int argc, char *argv[])
{
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
