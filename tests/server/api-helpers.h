/* api-helpers.h: a real beatbook-server under test, and an HTTP client for it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Header-only on purpose: tests/server/meson.build builds every
 * test-api*.c as one file, so shared code has to arrive by #include.
 * Every function is static inline so a file that uses only some of them
 * still builds warning-free.
 */
#pragma once

#include <errno.h>
#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

/* ------------------------------------------------------------------ */
/* Small JSON helpers                                                  */

static inline JsonNode *
api_json_parse (const char *text,
                gssize      length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, text, length, &error))
    g_error ("test JSON does not parse: %s\n%s", error->message, text);
  return json_node_copy (json_parser_get_root (parser));
}

static inline char *
api_json_to_string (JsonNode *node)
{
  if (node == NULL)
    return g_strdup ("(no body)");
  return json_to_string (node, FALSE);
}

/* (transfer full): a deep copy; json_node_copy() shares objects and arrays,
 * so editing its copy would edit the original too. */
static inline JsonNode *
api_json_copy (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  return api_json_parse (text, -1);
}

static inline JsonObject *
api_object (JsonNode   *node,
            const char *what)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *text = api_json_to_string (node);
      g_error ("%s is not a JSON object: %s", what, text);
    }
  return json_node_get_object (node);
}

/* The node at a dotted path with [n] indexes ("fields.vehicles[0].vrm"),
 * or NULL when any step is missing. */
static inline JsonNode *
api_json_get (JsonNode   *root,
              const char *path)
{
  g_auto(GStrv) steps = g_strsplit (path, ".", -1);
  JsonNode *node = root;

  for (guint i = 0; steps[i] != NULL && node != NULL; i++)
    {
      char *step = steps[i];
      char *bracket = strchr (step, '[');

      if (bracket != step)
        {
          g_autofree char *name = g_strndup (step, bracket ? (gsize) (bracket - step) : strlen (step));

          if (!JSON_NODE_HOLDS_OBJECT (node) ||
              !json_object_has_member (json_node_get_object (node), name))
            return NULL;
          node = json_object_get_member (json_node_get_object (node), name);
        }
      while (bracket != NULL && node != NULL)
        {
          guint64 index = g_ascii_strtoull (bracket + 1, NULL, 10);

          if (!JSON_NODE_HOLDS_ARRAY (node) ||
              index >= json_array_get_length (json_node_get_array (node)))
            return NULL;
          node = json_array_get_element (json_node_get_array (node), index);
          bracket = strchr (bracket + 1, '[');
        }
    }
  return node;
}

static inline const char *
api_json_string (JsonNode   *root,
                 const char *path)
{
  JsonNode *node = api_json_get (root, path);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autofree char *text = api_json_to_string (root);
      g_error ("“%s” is not a string in %s", path, text);
    }
  return json_node_get_string (node);
}

static inline gint64
api_json_int (JsonNode   *root,
              const char *path)
{
  JsonNode *node = api_json_get (root, path);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_autofree char *text = api_json_to_string (root);
      g_error ("“%s” is not an integer in %s", path, text);
    }
  return json_node_get_int (node);
}

static inline gboolean
api_json_bool (JsonNode   *root,
               const char *path)
{
  JsonNode *node = api_json_get (root, path);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_autofree char *text = api_json_to_string (root);
      g_error ("“%s” is not a boolean in %s", path, text);
    }
  return json_node_get_boolean (node);
}

static inline JsonArray *
api_json_array (JsonNode   *root,
                const char *path)
{
  JsonNode *node = api_json_get (root, path);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autofree char *text = api_json_to_string (root);
      g_error ("“%s” is not an array in %s", path, text);
    }
  return json_node_get_array (node);
}

static inline void
api_assert_has (JsonNode   *root,
                const char *path)
{
  if (api_json_get (root, path) == NULL)
    {
      g_autofree char *text = api_json_to_string (root);
      g_error ("“%s” is missing in %s", path, text);
    }
}

static inline void
api_assert_lacks (JsonNode   *root,
                  const char *path)
{
  if (api_json_get (root, path) != NULL)
    {
      g_autofree char *text = api_json_to_string (root);
      g_error ("“%s” should not be in %s", path, text);
    }
}

static inline gboolean
api_is_snake_case (const char *s)
{
  if (s == NULL || *s == '\0' || !g_ascii_islower (*s))
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_islower (*s) && !g_ascii_isdigit (*s) && *s != '_')
      return FALSE;
  return TRUE;
}

/* True for "2026-03-01T21:14:00Z" (UTC, whole seconds or a fraction). */
static inline gboolean
api_is_iso_utc (const char *s)
{
  g_autoptr(GDateTime) dt = NULL;

  if (s == NULL || !g_str_has_suffix (s, "Z"))
    return FALSE;
  dt = g_date_time_new_from_iso8601 (s, NULL);
  return dt != NULL;
}

/* (transfer full): now + @seconds as "2026-03-01T21:14:00Z". */
static inline char *
api_time_from_now (gint64 seconds)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_seconds (now, (gdouble) seconds);

  return g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
}

/* (transfer full): @iso plus @months calendar months, same form. */
static inline char *
api_time_add_months (const char *iso,
                     int         months)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (iso, NULL);
  g_autoptr(GDateTime) then = NULL;

  g_assert_nonnull (dt);
  then = g_date_time_add_months (dt, months);
  return g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
}

/* ------------------------------------------------------------------ */
/* The server process                                                  */

#define API_DAY (24 * 60 * 60)

/* The binary under test: $BEATBOOK_SERVER, else the one this build tree made.
 * A missing binary fails the test (never skips it): a suite that passes
 * without a server proves nothing. */
static inline const char *
api_server_binary (void)
{
  static char *path = NULL;

  if (path == NULL)
    {
      const char *env = g_getenv ("BEATBOOK_SERVER");
      const char *builddir = g_getenv ("G_TEST_BUILDDIR");

      if (env != NULL && *env != '\0')
        path = g_strdup (env);
      else if (builddir != NULL)
        path = g_build_filename (builddir, "..", "..", "src", "server", "beatbook-server", NULL);
      else
        path = g_strdup ("beatbook-server");

      if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        g_error ("beatbook-server not found at “%s”: set BEATBOOK_SERVER", path);
    }
  return path;
}

static inline void
api_child_setup (gpointer user_data)
{
#ifdef __linux__
  /* A test that aborts must not leave a server listening behind it. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

static inline GSubprocessLauncher *
api_launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (launcher, api_child_setup, NULL, NULL);
  return launcher;
}

/* Runs "beatbook-server ARGS..." to completion with @stdin_text on stdin
 * and asserts it exits 0. */
static inline void
api_run_command (const char         *stdin_text,
                 const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = api_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                              G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                              G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_ptr_array_add (argv, (char *) api_server_binary ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, stdin_text ? stdin_text : "", NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    {
      g_autofree char *cmd = g_strjoinv (" ", (char **) args);
      g_error ("beatbook-server %s failed:\n%s%s", cmd, out, err);
    }
}

static inline void
api_user_add (const char *db,
              const char *username,
              const char *role,
              const char *display_name,
              const char *staff_number,
              const char *password)
{
  g_autofree char *stdin_text = g_strconcat (password, "\n", NULL);
  const char *args[] = {
    "user", "add", "--db", db, "--username", username, "--role", role,
    "--display-name", display_name,
    staff_number ? "--staff-number" : NULL, staff_number, NULL
  };

  api_run_command (stdin_text, args);
}

typedef struct
{
  char        *db;
  GSubprocess *proc;
  GThread     *drain;
  char        *base_url;   /* "http://127.0.0.1:PORT" */
  char        *blob_dir;   /* evidence files, with PostgreSQL: a directory of the test's */
  SoupSession *soup;
} ApiServer;

static inline gpointer
api_drain_thread (gpointer data)
{
  GInputStream *in = data;
  char buf[4096];

  /* Keeps the server from blocking on a full stdout pipe. */
  while (g_input_stream_read (in, buf, sizeof buf, NULL, NULL) > 0)
    ;
  g_object_unref (in);
  return NULL;
}

/* BEATBOOK_EXCHANGE_LOG (set by the suite's meson.build) names the file
 * where this program's servers append every request and answer, which
 * tests/openapi checks against docs/openapi.yaml. It is emptied when the
 * program starts, however it then starts its servers, so it holds this
 * run's exchanges only. */
__attribute__((constructor)) static void
api_exchange_log_reset (void)
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

/* Starts "beatbook-server serve" on @db, port 0, and waits for its
 * "listening on http://ADDRESS:PORT" line. */
static inline ApiServer *
api_server_start (const char *db)
{
  g_autoptr(GSubprocessLauncher) launcher = api_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  ApiServer *server = g_new0 (ApiServer, 1);
  const char *prefix = "listening on ";

  server->db = g_strdup (db);
  /* SQLite keeps evidence files beside its file; PostgreSQL needs a place. */
  if (g_str_has_prefix (db, "postgres"))
    {
      server->blob_dir = g_dir_make_tmp ("beatbook-api-blobs-XXXXXX", &error);
      g_assert_no_error (error);
    }
  if (server->blob_dir != NULL)
    server->proc = g_subprocess_launcher_spawn (launcher, &error, api_server_binary (),
                                                "serve", "--db", db, "--blob-dir", server->blob_dir,
                                                "--address", "127.0.0.1", "--port", "0",
                                                NULL);
  else
    server->proc = g_subprocess_launcher_spawn (launcher, &error, api_server_binary (),
                                                "serve", "--db", db,
                                                "--address", "127.0.0.1", "--port", "0",
                                                NULL);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->proc));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL || !g_str_has_prefix (line, prefix))
    g_error ("beatbook-server serve did not print “listening on http://ADDRESS:PORT” first, "
             "but “%s”", line ? line : "(end of output)");
  server->base_url = g_strdup (line + strlen (prefix));
  g_strchomp (server->base_url);
  if (g_str_has_suffix (server->base_url, "/"))
    server->base_url[strlen (server->base_url) - 1] = '\0';
  g_assert_true (g_str_has_prefix (server->base_url, "http://127.0.0.1:"));

  /* Anything buffered after the first line belongs to the drain too. */
  server->drain = g_thread_new ("server-stdout", api_drain_thread, g_object_ref (lines));

  server->soup = soup_session_new ();
  soup_session_set_timeout (server->soup, 30);
  soup_session_set_user_agent (server->soup, "beatbook-api-test");
  return server;
}

/* SIGTERM, and the contract says: exit 0 after closing the store cleanly. */
static inline void
api_server_stop (ApiServer *server)
{
  g_autoptr(GError) error = NULL;

  if (server == NULL)
    return;
  g_clear_object (&server->soup);
  g_subprocess_send_signal (server->proc, SIGTERM);
  g_subprocess_wait (server->proc, NULL, &error);
  g_assert_no_error (error);
  g_thread_join (server->drain);
  if (!g_subprocess_get_if_exited (server->proc))
    g_error ("beatbook-server did not exit on SIGTERM but was killed by signal %d",
             g_subprocess_get_term_sig (server->proc));
  g_assert_cmpint (g_subprocess_get_exit_status (server->proc), ==, 0);
  g_clear_object (&server->proc);
  if (server->blob_dir != NULL)
    {
      g_autofree char *partial = g_build_filename (server->blob_dir, "partial", NULL);
      const char *dirs[] = { partial, server->blob_dir };

      for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
        {
          g_autoptr(GDir) listing = g_dir_open (dirs[d], 0, NULL);
          const char *name;

          while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
            {
              g_autofree char *file = g_build_filename (dirs[d], name, NULL);

              g_unlink (file);
            }
          g_rmdir (dirs[d]);
        }
    }
  g_free (server->blob_dir);
  g_free (server->db);
  g_free (server->base_url);
  g_free (server);
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */

typedef struct
{
  char     *method;
  char     *path;
  guint     status;
  char     *content_type;
  GBytes   *raw;
  JsonNode *body;     /* NULL when the response had no body, or not JSON */
  SoupMessageHeaders *headers;
} ApiResponse;

static inline void
api_response_free (ApiResponse *r)
{
  if (r == NULL)
    return;
  g_free (r->method);
  g_free (r->path);
  g_free (r->content_type);
  g_clear_pointer (&r->raw, g_bytes_unref);
  g_clear_pointer (&r->body, json_node_unref);
  g_clear_pointer (&r->headers, soup_message_headers_unref);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ApiResponse, api_response_free)

/* Sends @body (may be NULL) as is, so tests can send broken bytes, with
 * @headers ("Name: value" strings, may be NULL) added.
 * A response body must be JSON with Content-Type application/json. */
static inline ApiResponse *
api_request_full (ApiServer          *server,
                  const char         *method,
                  const char         *path,
                  const char * const *headers,
                  GBytes             *body)
{
  g_autofree char *url = g_strconcat (server->base_url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  ApiResponse *r = g_new0 (ApiResponse, 1);
  SoupMessageHeaders *req_headers;
  const char *content_type = "application/json";
  const char *ctype;
  gsize len;
  const char *data;

  if (msg == NULL)
    g_error ("cannot make a request for “%s”", url);
  req_headers = soup_message_get_request_headers (msg);
  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    {
      const char *colon = strchr (headers[i], ':');
      g_autofree char *name = NULL;
      const char *value;

      if (colon == NULL)
        g_error ("header “%s” has no colon", headers[i]);
      name = g_strndup (headers[i], (gsize) (colon - headers[i]));
      value = colon + 1;
      while (*value == ' ')
        value++;
      if (g_ascii_strcasecmp (name, "Content-Type") == 0)
        content_type = value;
      else
        soup_message_headers_replace (req_headers, name, value);
    }
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);

  r->method = g_strdup (method);
  r->path = g_strdup (path);
  r->raw = soup_session_send_and_read (server->soup, msg, NULL, &error);
  if (error != NULL)
    g_error ("%s %s: no HTTP answer: %s", method, path, error->message);
  r->status = soup_message_get_status (msg);
  ctype = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
  r->content_type = g_strdup (ctype);
  r->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));

  data = g_bytes_get_data (r->raw, &len);
  /* Evidence files come back as themselves: the bytes are the answer. */
  if (len > 0 && ctype != NULL &&
      (g_str_equal (ctype, "image/jpeg") || g_str_equal (ctype, "image/png") ||
       g_str_equal (ctype, "application/pdf")))
    return r;
  if (len > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (!json_parser_load_from_data (parser, data, (gssize) len, &error))
        g_error ("%s %s: answer %u is not JSON (%s): %.*s", method, path, r->status,
                 error->message, (int) MIN (len, 500), data);
      if (g_strcmp0 (ctype, "application/json") != 0)
        g_error ("%s %s: JSON answer with Content-Type “%s”, not application/json",
                 method, path, ctype ? ctype : "(none)");
      r->body = json_node_copy (json_parser_get_root (parser));
    }
  return r;
}

static inline ApiResponse *
api_request_raw (ApiServer  *server,
                 const char *method,
                 const char *path,
                 const char *token,
                 const char *content_type,
                 GBytes     *body)
{
  g_autofree char *auth = token ? g_strconcat ("Authorization: Bearer ", token, NULL) : NULL;
  g_autofree char *ctype = g_strconcat ("Content-Type: ", content_type ? content_type : "application/json", NULL);
  const char *headers[3] = { ctype, auth, NULL };

  return api_request_full (server, method, path, headers, body);
}

static inline ApiResponse *
api_request (ApiServer  *server,
             const char *method,
             const char *path,
             const char *token,
             JsonNode   *body)
{
  g_autoptr(GBytes) bytes = NULL;

  if (body != NULL)
    {
      char *text = json_to_string (body, FALSE);
      bytes = g_bytes_new_take (text, strlen (text));
    }
  return api_request_raw (server, method, path, token, NULL, bytes);
}

static inline void
api_expect_status (ApiResponse *r,
                   guint        status)
{
  if (r->status != status)
    {
      g_autofree char *text = api_json_to_string (r->body);
      g_error ("%s %s: expected status %u, got %u: %s",
               r->method, r->path, status, r->status, text);
    }
}

/* The contract's error shape {"error": {"code", "message"}}, the status and,
 * when @code is not NULL, the code. */
static inline void
api_expect_error (ApiResponse *r,
                  guint        status,
                  const char  *code)
{
  JsonNode *err;
  const char *got_code;
  const char *message;

  api_expect_status (r, status);
  if (r->body == NULL)
    g_error ("%s %s: error %u without the {\"error\": …} body", r->method, r->path, status);
  err = api_json_get (r->body, "error");
  if (err == NULL || !JSON_NODE_HOLDS_OBJECT (err))
    {
      g_autofree char *text = api_json_to_string (r->body);
      g_error ("%s %s: error %u body lacks the “error” object: %s", r->method, r->path, status, text);
    }
  got_code = api_json_string (r->body, "error.code");
  message = api_json_string (r->body, "error.message");
  if (!api_is_snake_case (got_code))
    g_error ("%s %s: error code “%s” is not snake_case", r->method, r->path, got_code);
  if (*message == '\0')
    g_error ("%s %s: error “%s” has an empty message", r->method, r->path, got_code);
  if (code != NULL && g_strcmp0 (got_code, code) != 0)
    g_error ("%s %s: expected error code “%s”, got “%s” (%s)",
             r->method, r->path, code, got_code, message);
}

/* ------------------------------------------------------------------ */
/* Records                                                             */

/* (transfer full): a change in the push shape. @fields_json is the text of
 * the fields object. */
static inline JsonNode *
api_change_new (const char *id,
                const char *kind,
                gint64      rev,
                gint64      base_rev,
                const char *occurred_at,
                int         priority,
                const char *fields_json)
{
  g_autoptr(JsonNode) fields = api_json_parse (fields_json, -1);
  JsonObject *change = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (change, "id", id);
  json_object_set_string_member (change, "kind", kind);
  json_object_set_int_member (change, "rev", rev);
  json_object_set_int_member (change, "base_rev", base_rev);
  json_object_set_boolean_member (change, "deleted", FALSE);
  json_object_set_string_member (change, "occurred_at", occurred_at);
  json_object_set_int_member (change, "priority", priority);
  json_object_set_member (change, "fields", json_node_copy (fields));
  json_node_take_object (node, change);
  return node;
}

static inline JsonObject *
api_change_fields (JsonNode *change)
{
  return json_node_get_object (json_object_get_member (json_node_get_object (change), "fields"));
}

/* (transfer full): a copy of @change as the next revision (rev + 1, base_rev
 * the old rev), as a device makes for an edit of a synced record. */
static inline JsonNode *
api_change_next_rev (JsonNode *change)
{
  JsonNode *next = api_json_copy (change);
  JsonObject *obj = json_node_get_object (next);
  gint64 rev = json_object_get_int_member (obj, "rev");

  json_object_set_int_member (obj, "rev", rev + 1);
  json_object_set_int_member (obj, "base_rev", rev);
  return next;
}

static inline char *
api_uuid (void)
{
  return g_uuid_string_random ();
}
