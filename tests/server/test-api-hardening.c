/* test-api-hardening.c: the server against a hostile network and hostile input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test reproduces one attack that once worked against the real
 * beatbook-server binary (idle connections, a burst of devices, a login
 * flood, numbers that wrap, NUL in strings, broken percent-encoding, ...),
 * and checks the server now stands. Everything runs on loopback, bounded in
 * count and time.
 */
#define G_LOG_DOMAIN "beatbook-api-test"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "beatbook.h"
#include "api-helpers.h"
#include "test-files.h"

#define PASSWORD "correct horse battery"

typedef struct
{
  char        *dir;
  char        *db;
  GSubprocess *proc;
  GThread     *drain;
  GThread     *err_drain;
  GString     *log;     /* the server's stderr */
  GMutex       lock;
  ApiServer    api;     /* base_url and soup, for api_request() */
  guint        port;
} Server;

typedef struct
{
  GInputStream *in;
  Server       *server;
} Drain;

static gpointer
drain_stderr (gpointer data)
{
  Drain *d = data;
  char buf[4096];
  gssize n;

  while ((n = g_input_stream_read (d->in, buf, sizeof buf, NULL, NULL)) > 0)
    {
      g_mutex_lock (&d->server->lock);
      g_string_append_len (d->server->log, buf, n);
      g_mutex_unlock (&d->server->lock);
    }
  g_object_unref (d->in);
  g_free (d);
  return NULL;
}

/* The server's limit on open files: soft and hard (0: as the test's). */
static struct rlimit fd_limit_for_child;

static void
child_setup (gpointer data)
{
  api_child_setup (NULL);
  if (fd_limit_for_child.rlim_cur > 0)
    setrlimit (RLIMIT_NOFILE, &fd_limit_for_child);
}

static void
server_add_users (Server *server)
{
  api_user_add (server->db, "officer", "officer", "PCSO 4521", "4521", PASSWORD);
  api_user_add (server->db, "admin", "admin", "System administrator", NULL, PASSWORD);
}

/* Starts "beatbook-server serve" with @extra (NULL-terminated, may be
 * NULL) on a fresh database holding two users. */
static Server *
server_start_with (const char * const *extra,
                   rlim_t               fd_soft,
                   rlim_t               fd_hard)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  Server *server = g_new0 (Server, 1);
  Drain *d;

  server->dir = g_dir_make_tmp ("beatbook-hardening-XXXXXX", &error);
  g_assert_no_error (error);
  server->db = g_build_filename (server->dir, "server.db", NULL);
  server->log = g_string_new (NULL);
  g_mutex_init (&server->lock);
  server_add_users (server);

  g_ptr_array_add (argv, (char *) api_server_binary ());
  g_ptr_array_add (argv, "serve");
  g_ptr_array_add (argv, "--db");
  g_ptr_array_add (argv, server->db);
  g_ptr_array_add (argv, "--address");
  g_ptr_array_add (argv, "127.0.0.1");
  g_ptr_array_add (argv, "--port");
  g_ptr_array_add (argv, "0");
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra[i]);
  g_ptr_array_add (argv, NULL);

  fd_limit_for_child.rlim_cur = fd_soft;
  fd_limit_for_child.rlim_max = fd_hard;
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  server->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  fd_limit_for_child.rlim_cur = 0;
  g_assert_no_error (error);

  d = g_new0 (Drain, 1);
  d->in = g_object_ref (g_subprocess_get_stderr_pipe (server->proc));
  d->server = server;
  server->err_drain = g_thread_new ("server-stderr", drain_stderr, d);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->proc));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL || (!g_str_has_prefix (line, "listening on http://127.0.0.1:") &&
                       !g_str_has_prefix (line, "listening on https://127.0.0.1:")))
    {
      g_subprocess_wait (server->proc, NULL, NULL);
      g_error ("beatbook-server did not start: %s\n%s", line ? line : "(no output)", server->log->str);
    }
  server->api.base_url = g_strdup (line + strlen ("listening on "));
  server->port = (guint) g_ascii_strtoull (strrchr (server->api.base_url, ':') + 1, NULL, 10);
  server->api.db = g_strdup (server->db);
  server->api.soup = soup_session_new ();
  soup_session_set_timeout (server->api.soup, 20);
  server->drain = g_thread_new ("server-stdout", api_drain_thread, g_object_ref (lines));

  return server;
}

static Server *
server_start (void)
{
  return server_start_with (NULL, 0, 0);
}

static char *
server_log (Server *server)
{
  char *copy;

  g_mutex_lock (&server->lock);
  copy = g_strdup (server->log->str);
  g_mutex_unlock (&server->lock);
  return copy;
}

static void
server_stop (Server *server)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&server->api.soup);
  g_subprocess_send_signal (server->proc, SIGTERM);
  g_subprocess_wait (server->proc, NULL, &error);
  g_assert_no_error (error);
  g_thread_join (server->drain);
  if (!g_subprocess_get_if_exited (server->proc) || g_subprocess_get_exit_status (server->proc) != 0)
    {
      g_autofree char *log = server_log (server);
      g_error ("beatbook-server did not exit 0 on SIGTERM (%s %d):\n%s",
               g_subprocess_get_if_exited (server->proc) ? "exit status" : "signal",
               g_subprocess_get_if_exited (server->proc) ? g_subprocess_get_exit_status (server->proc)
                                                         : g_subprocess_get_term_sig (server->proc),
               log);
    }
  g_clear_object (&server->proc);
  bb_test_remove_tree (server->dir);
  g_free (server->dir);
  g_free (server->db);
  g_free (server->api.base_url);
  g_free (server->api.db);
  /* The stderr thread ends when the exited server's pipe closes. */
  g_thread_join (server->err_drain);
  g_string_free (server->log, TRUE);
  g_mutex_clear (&server->lock);
  g_free (server);
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */

static ApiResponse *
sign_in (Server     *server,
         const char *username,
         const char *password)
{
  g_autofree char *body = g_strdup_printf ("{\"username\": \"%s\", \"password\": \"%s\", "
                                           "\"device_name\": \"Patrol laptop\"}", username, password);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

  return api_request_raw (&server->api, "POST", "/api/v1/sessions", NULL, NULL, bytes);
}

static char *
token_for (Server     *server,
           const char *username)
{
  g_autoptr(ApiResponse) r = sign_in (server, username, PASSWORD);

  api_expect_status (r, 201);
  return g_strdup (api_json_string (r->body, "token"));
}

static const char observation_fields[] =
  "{\"ward\": \"town\", \"place\": \"High Street\", \"category\": \"asb_youths\","
  " \"description\": \"Group of youths by the shops\"}";

/* (transfer full): the text of a push body with one change whose members
 * are @members_json (the text inside the braces). */
static char *
push_body_text (const char *members_json)
{
  return g_strdup_printf ("{\"device_id\": \"d\", \"changes\": [{%s}]}", members_json);
}

static char *
change_members (const char *id,
                const char *kind,
                const char *rev,
                const char *priority,
                const char *fields)
{
  g_autofree char *when = api_time_from_now (-600);

  return g_strdup_printf ("\"id\": \"%s\", \"kind\": \"%s\", \"rev\": %s, \"base_rev\": 0,"
                          " \"deleted\": false, \"occurred_at\": \"%s\", \"priority\": %s,"
                          " \"fields\": %s", id, kind, rev, when, priority, fields);
}

static ApiResponse *
push_text (Server     *server,
           const char *token,
           const char *body)
{
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

  return api_request_raw (&server->api, "POST", "/api/v1/sync/push", token, NULL, bytes);
}

/* A 400 for the whole body, or the one change rejected: either way, not
 * stored. */
static void
expect_refused (ApiResponse *r,
                const char  *what)
{
  if (r->status == 400)
    {
      api_expect_error (r, 400, NULL);
      return;
    }
  api_expect_status (r, 200);
  if (g_strcmp0 (api_json_string (r->body, "results[0].status"), "rejected") != 0)
    {
      g_autofree char *text = api_json_to_string (r->body);
      g_error ("%s was not refused: %s", what, text);
    }
}

static gboolean
server_holds (Server     *server,
              const char *token,
              const char *id)
{
  g_autoptr(ApiResponse) r = api_request (&server->api, "GET", "/api/v1/sync/pull?since=0&limit=1000", token, NULL);
  JsonArray *changes;

  api_expect_status (r, 200);
  changes = api_json_array (r->body, "changes");
  for (guint i = 0; i < json_array_get_length (changes); i++)
    if (g_strcmp0 (api_json_string (json_array_get_element (changes, i), "id"), id) == 0)
      return TRUE;
  return FALSE;
}

static void
push_one_ok (Server     *server,
             const char *token)
{
  g_autofree char *id = api_uuid ();
  g_autofree char *members = change_members (id, "patrol_observation", "1", "2", observation_fields);
  g_autofree char *body = push_body_text (members);
  g_autoptr(ApiResponse) r = push_text (server, token, body);

  api_expect_status (r, 200);
  g_assert_cmpstr (api_json_string (r->body, "results[0].status"), ==, "applied");
}

/* ------------------------------------------------------------------ */
/* Raw sockets                                                         */

static int
tcp_connect (guint    port,
             gboolean nonblocking)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (port) };
  int fd = socket (AF_INET, SOCK_STREAM | (nonblocking ? SOCK_NONBLOCK : 0), 0);

  g_assert_cmpint (fd, >=, 0);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) != 0 && errno != EINPROGRESS)
    g_error ("connect to 127.0.0.1:%u: %s", port, g_strerror (errno));
  return fd;
}

/* Sends @request (HTTP/1.1 with "Connection: close") on a new connection
 * and returns the whole answer. */
static char *
raw_http (guint       port,
          const char *request)
{
  int fd = tcp_connect (port, FALSE);
  GString *answer = g_string_new (NULL);
  struct timeval tv = { 20, 0 };
  char buf[4096];
  gssize n;

  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  g_assert_cmpint (write (fd, request, strlen (request)), ==, (gssize) strlen (request));
  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (answer, buf, n);
  close (fd);
  return g_string_free (answer, FALSE);
}

/* The status of a raw answer, and its body parsed as the contract's error. */
static void
expect_raw_json_error (const char *answer,
                       guint       status)
{
  const char *body = strstr (answer, "\r\n\r\n");
  g_autofree char *first = g_strndup (answer, strcspn (answer, "\r\n"));
  g_autofree char *expected = g_strdup_printf ("HTTP/1.1 %u ", status);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (!g_str_has_prefix (answer, expected))
    g_error ("expected %u, got “%s”", status, first);
  if (strstr (answer, "application/json") == NULL)
    g_error ("answer %u is not JSON:\n%s", status, answer);
  g_assert_nonnull (body);
  if (!json_parser_load_from_data (parser, body + 4, -1, &error))
    g_error ("answer %u has no JSON body (%s):\n%s", status, error->message, answer);
  root = json_parser_get_root (parser);
  g_assert_true (api_is_snake_case (api_json_string (root, "error.code")));
  g_assert_cmpstr (api_json_string (root, "error.message"), !=, "");
}

static void
raise_own_fd_limit (guint wanted)
{
  struct rlimit limit;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < wanted)
    g_error ("this test needs %u open files, the hard limit is %lu", wanted, (unsigned long) limit.rlim_max);
  if (limit.rlim_cur < wanted)
    {
      limit.rlim_cur = wanted;
      g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limit), ==, 0);
    }
}

/* Whether the server closed @fd within @timeout_ms (a read gives 0),
 * reading whatever it still had to say before that. */
static gboolean
closed_by_peer (int  fd,
                int  timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  char buf[1024];

  while (g_get_monotonic_time () < deadline)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      int left = (int) ((deadline - g_get_monotonic_time ()) / 1000);

      if (poll (&pfd, 1, MAX (left, 1)) != 1)
        return FALSE;
      if (read (fd, buf, sizeof buf) <= 0)
        return TRUE;
    }
  return FALSE;
}

/* Opens @n connections that say nothing, one after the other as a
 * client holding them open would, each waiting (a second at most) for the
 * handshake. Once the kernel's queue is full because nobody accepts, the
 * rest would only wait too: those are left unopened (-1). */
static void
open_idle (guint  port,
           int   *fds,
           guint  n)
{
  guint opened = 0;

  for (guint i = 0; i < n; i++)
    fds[i] = -1;
  for (guint i = 0; i < n; i++)
    {
      struct pollfd pfd = { .events = POLLOUT };

      fds[i] = pfd.fd = tcp_connect (port, TRUE);
      if (poll (&pfd, 1, 1000) != 1)
        break;
      opened++;
      /* Gives the server a moment to accept, as a real client's pace would. */
      if (i % 50 == 49)
        g_usleep (G_USEC_PER_SEC / 100);
    }
  g_test_message ("%u of %u idle connections opened", opened, n);
  g_assert_cmpuint (opened, ==, n);
}

static void
close_all (int   *fds,
           guint  n)
{
  for (guint i = 0; i < n; i++)
    if (fds[i] >= 0)
      close (fds[i]);
}

/* ------------------------------------------------------------------ */
/* 1. Idle connections and running out of file descriptors             */

static void
test_idle_connection_is_closed (void)
{
  const char *extra[] = { "--idle-timeout", "1", NULL };
  Server *server = server_start_with (extra, 0, 0);
  int idle = tcp_connect (server->port, FALSE);
  int talking = tcp_connect (server->port, FALSE);
  const char request[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  char buf[1024];

  /* A keep-alive connection that asked once and then fell silent is idle
   * too. */
  g_assert_cmpint (write (talking, request, strlen (request)), ==, (gssize) strlen (request));
  g_assert_cmpint (read (talking, buf, sizeof buf), >, 0);

  g_assert_true (closed_by_peer (idle, 10000));
  g_assert_true (closed_by_peer (talking, 10000));
  close (idle);
  close (talking);
  server_stop (server);
}

static void
test_idle_flood_then_sync (void)
{
  enum { N_IDLE = 1100 };
  Server *server = NULL;
  g_autofree char *token = NULL;
  int fds[N_IDLE];

  struct rlimit limit;

  raise_own_fd_limit (N_IDLE + 200);
  /* The server starts with the usual soft limit of 1,024 open files (it
   * may raise it up to the hard one). */
  getrlimit (RLIMIT_NOFILE, &limit);
  server = server_start_with (NULL, 1024, limit.rlim_max);
  /* 1,100 connections that say nothing: more than that limit. */
  open_idle (server->port, fds, N_IDLE);

  token = token_for (server, "officer");
  push_one_ok (server, token);

  close_all (fds, N_IDLE);
  /* And the server still takes new devices after that client has gone. */
  push_one_ok (server, token);
  {
    g_autofree char *log = server_log (server);
    g_test_message ("server log:\n%s", log);
  }
  server_stop (server);
}

static void
test_out_of_descriptors_keeps_accepting (void)
{
  enum { N_IDLE = 300 };
  Server *server = NULL;
  g_autofree char *token = NULL;
  g_autofree char *log = NULL;
  int fds[N_IDLE];

  raise_own_fd_limit (N_IDLE + 200);
  /* The server may open only 128 files: the idle flood would exhaust them. */
  server = server_start_with (NULL, 128, 128);
  open_idle (server->port, fds, N_IDLE);

  token = token_for (server, "officer");
  push_one_ok (server, token);
  close_all (fds, N_IDLE);
  push_one_ok (server, token);

  /* The operator hears about it. */
  log = server_log (server);
  if (strstr (log, "connections") == NULL)
    g_error ("nothing logged about the connection flood:\n%s", log);
  server_stop (server);
}

/* ------------------------------------------------------------------ */
/* 2. A hundred devices connecting at once                             */

static void
test_hundred_devices_at_once (void)
{
  enum { N_DEVICES = 100 };
  Server *server = server_start ();
  int fds[N_DEVICES];
  struct pollfd pfds[N_DEVICES];
  gint64 deadline;
  guint connected = 0;
  const char request[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

  /* While the server is stopped, only the kernel's listen queue holds the
   * connections: with a short backlog, the rest are dropped or reset. */
  g_subprocess_send_signal (server->proc, SIGSTOP);
  for (guint i = 0; i < N_DEVICES; i++)
    {
      fds[i] = tcp_connect (server->port, TRUE);
      pfds[i].fd = fds[i];
      pfds[i].events = POLLOUT;
    }
  deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (connected < N_DEVICES && g_get_monotonic_time () < deadline)
    {
      connected = 0;
      poll (pfds, N_DEVICES, 100);
      for (guint i = 0; i < N_DEVICES; i++)
        if (pfds[i].revents & POLLOUT)
          connected++;
    }
  g_subprocess_send_signal (server->proc, SIGCONT);
  g_assert_cmpuint (connected, ==, N_DEVICES);

  for (guint i = 0; i < N_DEVICES; i++)
    {
      int err = 0;
      socklen_t len = sizeof err;

      getsockopt (fds[i], SOL_SOCKET, SO_ERROR, &err, &len);
      g_assert_cmpint (err, ==, 0);
      g_assert_cmpint (write (fds[i], request, strlen (request)), ==, (gssize) strlen (request));
    }
  for (guint i = 0; i < N_DEVICES; i++)
    {
      char buf[512];
      struct pollfd pfd = { .fd = fds[i], .events = POLLIN };
      gssize n;

      g_assert_cmpint (poll (&pfd, 1, 20000), ==, 1);
      n = read (fds[i], buf, sizeof buf - 1);
      if (n <= 0)
        g_error ("device %u: no answer (%s)", i, n < 0 ? g_strerror (errno) : "closed");
      buf[n] = '\0';
      g_assert_true (g_str_has_prefix (buf, "HTTP/1.1 200"));
      close (fds[i]);
    }
  server_stop (server);
}

/* ------------------------------------------------------------------ */
/* 3. A login flood does not hold up a push                            */

typedef struct
{
  Server       *server;
  guint         index;
  gint         *n_done;
} Flooder;

static gpointer
flood_login (gpointer data)
{
  Flooder *f = data;
  g_autoptr(SoupSession) soup = soup_session_new ();
  g_autofree char *url = g_strconcat (f->server->api.base_url, "/api/v1/sessions", NULL);
  g_autofree char *body = g_strdup_printf ("{\"username\": \"nobody%u\", \"password\": \"guess %u\"}",
                                           f->index, f->index);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) answer = NULL;

  soup_session_set_timeout (soup, 60);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  answer = soup_session_send_and_read (soup, msg, NULL, NULL);
  g_atomic_int_inc (f->n_done);
  return NULL;
}

static void
test_login_flood_does_not_hold_up_a_push (void)
{
  enum { N_LOGINS = 24 };
  Server *server = server_start ();
  g_autofree char *token = token_for (server, "officer");
  GThread *threads[N_LOGINS];
  Flooder flooders[N_LOGINS];
  gint n_done = 0;
  gint done_when_pushed;

  /* Warm: the connection for the push is open already. */
  push_one_ok (server, token);

  for (guint i = 0; i < N_LOGINS; i++)
    {
      flooders[i] = (Flooder) { server, i, &n_done };
      threads[i] = g_thread_new ("flood", flood_login, &flooders[i]);
    }
  /* Every login is in the server's hands before the push is sent. */
  g_usleep (G_USEC_PER_SEC / 10);
  push_one_ok (server, token);
  done_when_pushed = g_atomic_int_get (&n_done);
  for (guint i = 0; i < N_LOGINS; i++)
    g_thread_join (threads[i]);

  /* Each failed sign-in costs an Argon2 hash (tens of milliseconds): when
   * they ran on the server's only thread, the push waited behind all of
   * them (every one was answered first). Off that thread, the push is
   * answered while most still wait. How many finish first depends on the
   * machine's load, so the bound is half: far from "all of them", and
   * never reached by a worker pool on a busy two-core machine. */
  g_test_message ("%d of %d sign-ins were answered before the push", done_when_pushed, N_LOGINS);
  g_assert_cmpint (done_when_pushed, <, N_LOGINS / 2);
  server_stop (server);
}

/* ------------------------------------------------------------------ */
/* 5. Failed sign-ins do not grow the audit log without bound          */

static guint
audit_count (Server     *server,
             const char *token)
{
  gint64 since = 0;
  guint n = 0;
  gboolean more = TRUE;

  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/audit?since=%" G_GINT64_FORMAT "&limit=1000", since);
      g_autoptr(ApiResponse) r = api_request (&server->api, "GET", path, token, NULL);

      api_expect_status (r, 200);
      n += json_array_get_length (api_json_array (r->body, "entries"));
      since = api_json_int (r->body, "next");
      more = api_json_bool (r->body, "more");
    }
  return n;
}

static void
test_failed_sign_ins_are_bounded (void)
{
  enum { N_ATTEMPTS = 200 };
  Server *server = server_start ();
  g_autofree char *admin = token_for (server, "admin");
  guint before, after_same, after_unique;
  guint n_429 = 0;

  before = audit_count (server, admin);
  /* One username, well past its lockout. */
  for (guint i = 0; i < N_ATTEMPTS; i++)
    {
      g_autoptr(ApiResponse) r = sign_in (server, "officer", "a guess");

      g_assert_true (r->status == 401 || r->status == 429);
      api_expect_error (r, r->status, NULL);
    }
  after_same = audit_count (server, admin);
  g_test_message ("%u attempts on one username added %u audit entries", N_ATTEMPTS, after_same - before);
  g_assert_cmpuint (after_same - before, <=, 20);

  /* A new username every time (no lockout applies), from one address. */
  for (guint i = 0; i < N_ATTEMPTS; i++)
    {
      g_autofree char *name = g_strdup_printf ("guess%u", i);
      g_autoptr(ApiResponse) r = sign_in (server, name, "a guess");

      g_assert_true (r->status == 401 || r->status == 429);
      if (r->status == 429)
        n_429++;
    }
  after_unique = audit_count (server, admin);
  g_test_message ("%u unique usernames added %u audit entries", N_ATTEMPTS, after_unique - after_same);
  g_assert_cmpuint (after_unique - after_same, <=, 40);
  g_assert_cmpuint (n_429, >, 0);

  /* A signed-in device from the same address carries on. */
  g_assert_cmpuint (audit_count (server, admin), ==, after_unique);
  server_stop (server);
}

/* ------------------------------------------------------------------ */
/* 6. Numbers out of range                                             */

static void
test_numbers_out_of_range (void)
{
  Server *server = server_start ();
  g_autofree char *token = token_for (server, "officer");
  const char *revs[] = { "-9223372036854775809", "9223372036854775808", "9223372036854775807",
                         "99999999999999999999", "18446744073709551617" };

  for (guint i = 0; i < G_N_ELEMENTS (revs); i++)
    {
      g_autofree char *id = api_uuid ();
      g_autofree char *members = change_members (id, "patrol_observation", revs[i], "2", observation_fields);
      g_autofree char *body = push_body_text (members);
      g_autoptr(ApiResponse) r = push_text (server, token, body);

      expect_refused (r, revs[i]);
      g_assert_false (server_holds (server, token, id));
    }

  /* A count and a priority that json-glib would wrap into valid values
   * (18446744073709551641 reads as 25, 18446744073709551618 as 2). */
  {
    g_autofree char *id = api_uuid ();
    g_autofree char *fields = g_strdup ("{\"ward\": \"town\", \"place\": \"High Street\","
                                        " \"category\": \"asb_youths\", \"description\": \"Youths\","
                                        " \"people_involved\": 18446744073709551641}");
    g_autofree char *members = change_members (id, "patrol_observation", "1", "2", fields);
    g_autofree char *body = push_body_text (members);
    g_autoptr(ApiResponse) r = push_text (server, token, body);

    expect_refused (r, "a count of 18446744073709551641");
    g_assert_false (server_holds (server, token, id));
  }
  {
    g_autofree char *id = api_uuid ();
    g_autofree char *members = change_members (id, "patrol_observation", "1", "18446744073709551618", observation_fields);
    g_autofree char *body = push_body_text (members);
    g_autoptr(ApiResponse) r = push_text (server, token, body);

    expect_refused (r, "a priority of 18446744073709551618");
    g_assert_false (server_holds (server, token, id));
  }
  /* The query string too. */
  {
    g_autoptr(ApiResponse) r = api_request (&server->api, "GET", "/api/v1/sync/pull?since=9223372036854775808",
                                            token, NULL);
    api_expect_error (r, 400, NULL);
  }

  /* And the largest sound revision still works. */
  push_one_ok (server, token);
  server_stop (server);
}

/* ------------------------------------------------------------------ */
/* 7. NUL in strings                                                   */

static void
test_nul_in_strings_is_refused (void)
{
  Server *server = server_start ();
  g_autofree char *token = token_for (server, "officer");

  {
    g_autofree char *id = api_uuid ();
    g_autofree char *members = change_members (id, "patrol_observation\\u0000", "1", "2", observation_fields);
    g_autofree char *body = push_body_text (members);
    g_autoptr(ApiResponse) r = push_text (server, token, body);

    expect_refused (r, "a kind with \\u0000");
    g_assert_false (server_holds (server, token, id));
  }
  {
    g_autofree char *id = api_uuid ();
    g_autofree char *fields = g_strdup ("{\"ward\": \"town\", \"place\": \"High\\u0000 Street\","
                                        " \"category\": \"asb_youths\", \"description\": \"Youths\"}");
    g_autofree char *members = change_members (id, "patrol_observation", "1", "2", fields);
    g_autofree char *body = push_body_text (members);
    g_autoptr(ApiResponse) r = push_text (server, token, body);

    expect_refused (r, "a field with \\u0000");
    g_assert_false (server_holds (server, token, id));
  }
  {
    const char body[] = "{\"username\": \"officer\\u0000x\", \"password\": \"" PASSWORD "\"}";
    g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
    g_autoptr(ApiResponse) r = api_request_raw (&server->api, "POST", "/api/v1/sessions", NULL, NULL, bytes);

    api_expect_error (r, 400, NULL);
  }
  server_stop (server);
}

/* ------------------------------------------------------------------ */
/* 8. Bad percent-encoding                                             */

static void
test_bad_percent_encoding_is_json_400 (void)
{
  Server *server = server_start ();
  g_autofree char *token = token_for (server, "officer");
  const char *targets[] = {
    "/api/v1/sync/pull?x=%zz",
    "/api/v1/sync/pull?since=%",
    "/api/v1/records/%00/review",
    "/api/v1/records/%zz/review",
    "/healthz%",
  };

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      const char *method = strstr (targets[i], "review") != NULL ? "POST" : "GET";
      g_autofree char *request = g_strdup_printf ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                  "Authorization: Bearer %s\r\n"
                                                  "Content-Type: application/json\r\n"
                                                  "Content-Length: 2\r\nConnection: close\r\n\r\n{}",
                                                  method, targets[i], token);
      g_autofree char *answer = raw_http (server->port, request);

      g_test_message ("%s %s", method, targets[i]);
      expect_raw_json_error (answer, 400);
    }
  server_stop (server);
}

/* ------------------------------------------------------------------ */
/* 9. Files, certificates                                              */

static void
test_database_is_owner_only (void)
{
  Server *server = server_start ();
  g_autofree char *token = token_for (server, "officer");
  const char *suffixes[] = { "", "-wal", "-shm" };
  mode_t old = umask (022);

  push_one_ok (server, token);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (server->db, suffixes[i], NULL);
      struct stat st;

      if (g_stat (path, &st) != 0)
        continue;
      if ((st.st_mode & 0077) != 0)
        g_error ("%s is mode %o: others may read the server's data", path, st.st_mode & 0777);
    }
  umask (old);
  server_stop (server);
}

static char *
test_file (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "server", "data", name, NULL);
}

static void
test_mismatched_certificate_and_key_are_refused (void)
{
  g_autofree char *dir = g_dir_make_tmp ("beatbook-tls-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "server.db", NULL);
  g_autofree char *cert = test_file ("tls-cert.pem");
  g_autofree char *key = test_file ("tls-key.pem");
  g_autofree char *other_key = test_file ("tls-other-key.pem");
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           api_server_binary (), "serve", "--db", db, "--address", "127.0.0.1",
                           "--port", "0", "--tls-cert", cert, "--tls-key", other_key, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  /* It never announced https. */
  g_assert_null (strstr (out, "listening on"));
  if (strstr (err, "key") == NULL || strstr (err, "certificate") == NULL)
    g_error ("the message does not say the key and certificate do not match: %s", err);

  /* The matching pair starts. */
  {
    g_autoptr(GSubprocess) good = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                                    api_server_binary (), "serve", "--db", db, "--address", "127.0.0.1",
                                                    "--port", "0", "--tls-cert", cert, "--tls-key", key, NULL);
    g_autoptr(GDataInputStream) lines = NULL;
    g_autofree char *line = NULL;

    g_assert_no_error (error);
    lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (good));
    line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (line);
    g_assert_true (g_str_has_prefix (line, "listening on https://127.0.0.1:"));
    g_subprocess_send_signal (good, SIGTERM);
    g_subprocess_wait (good, NULL, NULL);
  }
  bb_test_remove_tree (dir);
}

/* ------------------------------------------------------------------ */
/* 4. Loopback is an address, not a name                               */

static void
test_loopback_is_decided_by_address (void)
{
  Server *server = server_start ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BbClient) ip = NULL;
  g_autoptr(BbClient) name = NULL;
  g_autoptr(BbClient) tricky = NULL;
  g_autofree char *localhost_url = g_strdup_printf ("http://localhost:%u", server->port);

  /* A name that only looks like loopback must not get a password over
   * plain http: it may resolve anywhere. */
  tricky = bb_client_new ("http://127.0.0.1.beatbook-test.invalid:8080", NULL, &error);
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_INSECURE);
  g_assert_null (tricky);
  g_clear_error (&error);
  tricky = bb_client_new ("http://127.beatbook-test.invalid", NULL, &error);
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_INSECURE);
  g_clear_error (&error);

  /* The loopback address itself, and a name that resolves only to it. */
  ip = bb_client_new (server->api.base_url, NULL, &error);
  g_assert_no_error (error);
  name = bb_client_new (localhost_url, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(JsonNode) health = bb_client_request (ip, "GET", "/healthz", NULL, NULL, NULL, &error);
    g_assert_no_error (error);
  }
  server_stop (server);
}

static void
test_device_database_is_owner_only (void)
{
  g_autofree char *dir = g_dir_make_tmp ("beatbook-device-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "beatbook.db", NULL);
  g_autoptr(GError) error = NULL;
  mode_t old = umask (022);
  const char *suffixes[] = { "", "-wal", "-shm" };

  {
    g_autoptr(BbStore) store = bb_store_open (path, &error);

    g_assert_no_error (error);
    g_assert_true (bb_store_set_meta (store, "test.key", "value", &error));
    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
        struct stat st;

        if (g_stat (file, &st) != 0)
          continue;
        if ((st.st_mode & 0077) != 0)
          g_error ("%s is mode %o: others may read the device's records", file, st.st_mode & 0777);
      }
  }
  /* A file left readable by an older version is closed up when opened. */
  g_chmod (path, 0644);
  {
    g_autoptr(BbStore) store = bb_store_open (path, &error);
    struct stat st;

    g_assert_no_error (error);
    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0077, ==, 0);
  }
  umask (old);
  bb_test_remove_tree (dir);
}

static void
test_damaged_token_is_a_clear_error (void)
{
  Server *server = server_start ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BbClient) client = bb_client_new (server->api.base_url, NULL, &error);
  g_autoptr(JsonNode) answer = NULL;

  g_assert_no_error (error);
  /* What a token file edited on another system holds. */
  bb_client_set_token (client, "abc\r\ndef");
  answer = bb_client_request (client, "GET", "/api/v1/me", NULL, NULL, NULL, &error);
  g_assert_null (answer);
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNAUTHORIZED);
  g_assert_nonnull (strstr (error->message, "sign in again"));
  server_stop (server);
}

static void
test_relative_ca_file_is_kept_whole (void)
{
  g_autofree char *cert = test_file ("tls-cert.pem");
  g_autofree char *key = test_file ("tls-key.pem");
  const char *extra[] = { "--tls-cert", cert, "--tls-key", key, NULL };
  Server *server = server_start_with (extra, 0, 0);
  g_autofree char *here = g_get_current_dir ();
  g_autofree char *data_dir = g_dir_make_tmp ("beatbook-device-XXXXXX", NULL);
  g_autofree char *cert_dir = g_path_get_dirname (cert);
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u", server->port);
  g_autoptr(GError) error = NULL;
  g_autoptr(BbSession) session = bb_session_new (data_dir, &error);
  g_autoptr(BbClient) missing = NULL;
  BbSecretPlace place;

  g_assert_no_error (error);
  g_assert_cmpint (chdir (cert_dir), ==, 0);
  g_assert_true (bb_session_sign_in (session, url, "tls-cert.pem", "officer", PASSWORD, "Laptop",
                                     &place, NULL, &error));
  g_assert_no_error (error);

  /* The next sync runs from somewhere else. */
  g_assert_cmpint (chdir ("/"), ==, 0);
  {
    g_autoptr(BbClient) client = bb_session_create_client (session, &error);
    g_autoptr(JsonNode) me = NULL;

    g_assert_no_error (error);
    me = bb_client_request (client, "GET", "/api/v1/me", NULL, NULL, NULL, &error);
    g_assert_no_error (error);
  }

  /* A file that is not there is named in full. */
  missing = bb_client_new (url, "no-such-ca.pem", &error);
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_CERTIFICATE);
  g_assert_nonnull (strstr (error->message, "/no-such-ca.pem"));

  g_assert_cmpint (chdir (here), ==, 0);
  g_clear_object (&session);
  bb_test_remove_tree (data_dir);
  server_stop (server);
}

/* The sweep at start (under the write lock, as a push on a worker may list
 * a file at the same moment) drops a file no record lists once it is a day
 * old, and keeps a younger one. */
static void
test_old_unlisted_evidence_is_swept_at_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("beatbook-sweep-XXXXXX", &error);
  g_autofree char *old_hash = g_strnfill (64, 'a');
  g_autofree char *young_hash = g_strnfill (64, 'b');
  g_autofree char *old_path = NULL;
  g_autofree char *young_path = NULL;
  const char *extra[] = { "--blob-dir", NULL, NULL };
  struct timeval two_days_ago[2] = { { 0 } };
  Server *server;

  g_assert_no_error (error);
  old_path = g_build_filename (dir, old_hash, NULL);
  young_path = g_build_filename (dir, young_hash, NULL);
  g_assert_true (g_file_set_contents (old_path, "x", 1, &error));
  g_assert_true (g_file_set_contents (young_path, "x", 1, &error));
  two_days_ago[0].tv_sec = two_days_ago[1].tv_sec = time (NULL) - 2 * 24 * 3600;
  g_assert_cmpint (utimes (old_path, two_days_ago), ==, 0);

  extra[1] = dir;
  server = server_start_with (extra, 0, 0);
  g_assert_false (g_file_test (old_path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (young_path, G_FILE_TEST_EXISTS));
  server_stop (server);
  bb_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);

  g_test_add_func ("/hardening/idle/connection-is-closed-after-the-timeout", test_idle_connection_is_closed);
  g_test_add_func ("/hardening/idle/1100-idle-connections-then-a-sync-succeeds", test_idle_flood_then_sync);
  g_test_add_func ("/hardening/idle/out-of-descriptors-the-server-keeps-accepting", test_out_of_descriptors_keeps_accepting);
  g_test_add_func ("/hardening/backlog/100-devices-connecting-at-once-none-reset", test_hundred_devices_at_once);
  g_test_add_func ("/hardening/login/a-flood-does-not-hold-up-a-push", test_login_flood_does_not_hold_up_a_push);
  g_test_add_func ("/hardening/login/failures-grow-the-audit-log-only-so-far", test_failed_sign_ins_are_bounded);
  g_test_add_func ("/hardening/input/numbers-out-of-range-are-refused", test_numbers_out_of_range);
  g_test_add_func ("/hardening/input/nul-in-strings-is-refused", test_nul_in_strings_is_refused);
  g_test_add_func ("/hardening/input/bad-percent-encoding-is-a-json-400", test_bad_percent_encoding_is_json_400);
  g_test_add_func ("/hardening/files/database-is-owner-only", test_database_is_owner_only);
  g_test_add_func ("/hardening/tls/mismatched-certificate-and-key-are-refused", test_mismatched_certificate_and_key_are_refused);
  g_test_add_func ("/hardening/client/loopback-is-decided-by-address", test_loopback_is_decided_by_address);
  g_test_add_func ("/hardening/files/device-database-is-owner-only", test_device_database_is_owner_only);
  g_test_add_func ("/hardening/client/damaged-token-is-a-clear-error", test_damaged_token_is_a_clear_error);
  g_test_add_func ("/hardening/client/relative-ca-file-is-kept-whole", test_relative_ca_file_is_kept_whole);
  g_test_add_func ("/hardening/files/old-unlisted-evidence-is-swept-at-start",
                   test_old_unlisted_evidence_is_swept_at_start);

  return g_test_run ();
}
