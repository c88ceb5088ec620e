/* sync-fixture.h: a real beatbook-server on loopback, and devices that sync with it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Header-only: each sync test and benchmark is one file. Functions are
 * static and marked unused so a file may use only some of them.
 */
#pragma once

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "beatbook.h"
#include "test-db.h"
#include "test-files.h"

#if defined(__GNUC__)
# pragma GCC diagnostic ignored "-Wunused-function"
#endif

#define PASSWORD "correct horse battery"

typedef struct
{
  char        *dir;
  char        *db;
  GSubprocess *process;
  char        *url;
  guint        port;
} Server;

/* A test that aborts must not leave its server behind (holding the test
 * runner's output open until the timeout). */
static void
die_with_parent (gpointer data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

static GSubprocess *
spawn_server (GError **error,
              ...)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;
  const char *arg;

  va_start (args, error);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  return g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
}

static void
run_admin (const char *stdin_text,
           ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  va_list args;
  const char *arg;

  g_ptr_array_add (argv, (gpointer) g_getenv ("BEATBOOK_SERVER"));
  va_start (args, stdin_text);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, stdin_text, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (proc))
    g_error ("beatbook-server %s failed: %s%s", (char *) argv->pdata[1], out, err);
}

/* BEATBOOK_EXCHANGE_LOG (set by the suite's meson.build) names the file
 * where this program's servers append every request and answer, which
 * tests/openapi checks against docs/openapi.yaml. It is emptied when the
 * program starts, however it then starts its servers, so it holds this
 * run's exchanges only. */
__attribute__((constructor)) static void
exchange_log_reset (void)
{
  const char *path = g_getenv ("BEATBOOK_EXCHANGE_LOG");
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL || *path == '\0')
    return;
  dir = g_path_get_dirname (path);
  g_mkdir_with_parents (dir, 0755);
  if (!g_file_set_contents (path, "", 0, &error))
    g_error ("cannot empty the exchange log: %s", error->message);
}

/* @port 0: any free port; otherwise the one it had before a restart. */
static void
server_start (Server *server,
              guint   port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autofree char *port_arg = g_strdup_printf ("%u", port);
  g_autofree char *blob_dir = g_build_filename (server->dir, "blobs", NULL);
  const char *colon;

  /* Evidence files in the server's directory, whichever the database. */
  server->process = spawn_server (&error,
                                  g_getenv ("BEATBOOK_SERVER"), "serve", "--db", server->db,
                                  "--blob-dir", blob_dir,
                                  "--address", "127.0.0.1", "--port", port_arg, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on http://127.0.0.1:"));
  g_free (server->url);
  server->url = g_strdup (line + strlen ("listening on "));
  colon = strrchr (server->url, ':');
  server->port = (guint) g_ascii_strtoull (colon + 1, NULL, 10);
  g_assert_cmpuint (server->port, >, 0);
  if (port != 0)
    g_assert_cmpuint (server->port, ==, port);
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
  g_clear_object (&server->process);
}

static void
add_user (Server     *server,
          const char *username,
          const char *role,
          const char *display_name)
{
  run_admin (PASSWORD "\n", "user", "add", "--db", server->db, "--username", username,
             "--role", role, "--display-name", display_name, NULL);
}

static Server *
server_new (void)
{
  Server *server = g_new0 (Server, 1);
  g_autoptr(GError) error = NULL;

  server->dir = g_dir_make_tmp ("beatbook-sync-XXXXXX", &error);
  g_assert_no_error (error);
  server->db = test_db_new (server->dir, "server.db");
  add_user (server, "officer1", "officer", "PCSO 4521");
  add_user (server, "officer2", "officer", "PCSO 4522");
  add_user (server, "sergeant", "supervisor", "Sergeant (supervisor)");
  server_start (server, 0);
  return server;
}

static void
server_free (Server *server)
{
  server_kill (server, SIGTERM);
  bb_test_remove_tree (server->dir);
  g_free (server->dir);
  test_db_drop (server->db);
  g_free (server->db);
  g_free (server->url);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

/* Files that bring their own devices take the server part only. */
#ifndef SYNC_FIXTURE_SERVER_ONLY

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
  bb_test_remove_tree (device->dir);
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

#endif /* SYNC_FIXTURE_SERVER_ONLY */
