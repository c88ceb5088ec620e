/* test-faulty-network.c: a device syncing through a network that delays,
 * drops, resets, truncates and replays, with the real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A proxy on loopback sits between the device and the server and, for each
 * connection, picks a fault at random (seeded; the seed is printed, and
 * BEATBOOK_FAULT_SEED replays a run). After many rounds of saving and
 * syncing through it, one clean sync must leave the server with exactly
 * the device's records, each once.
 *
 * The same proxy also stalls pushes on purpose: the server gets the push
 * and applies it, and its answer never comes back. The device must ask
 * again after its timeout (BEATBOOK_TEST_REQUEST_TIMEOUT, seconds, tests
 * only), be answered `duplicate`, and double nothing; a server that never
 * answers must be reported as such, with everything kept queued.
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../sync/sync-fixture.h"

typedef enum {
  FAULT_NONE,
  FAULT_DELAY,      /* hold each direction a while */
  FAULT_DROP,       /* close before forwarding anything */
  FAULT_RESET,      /* forward the request, then reset instead of answering */
  FAULT_TRUNCATE,   /* forward half the answer, then close */
  FAULT_REPLAY,     /* send the request to the server twice */
  N_FAULTS
} Fault;

static const char * const fault_names[] = { "none", "delay", "drop", "reset", "truncate", "replay" };

typedef struct
{
  int       listen_fd;
  guint     port;
  guint     upstream_port;
  GRand    *rand;
  GMutex    lock;
  gboolean  faults_on;
  guint     stall_pushes;  /* pushes still to stall (their answer kept back) */
  guint     n_stalled;
  gboolean  stop;
  guint     counts[N_FAULTS];
  /* A fault for each connection in the order accepted, instead of random
   * ones (then none after the last). */
  const Fault *plan;
  guint     plan_len;
  guint     accepted;
  guint     open;       /* connections open now */
  guint     max_open;   /* the most at once */
  GThread  *thread;
} Proxy;

typedef struct
{
  Proxy *proxy;
  int    client;
  Fault  fault;
  guint  delay_ms;
} Conn;

static int
connect_to (guint port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static void
reset (int fd)
{
  struct linger linger = { 1, 0 };

  setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
  close (fd);
}

/* Copies both ways until either side closes, applying the fault. */
static gpointer
conn_run (gpointer data)
{
  Conn *c = data;
  int up = -1, replay = -1;
  gboolean request_seen = FALSE;
  gboolean stalled = FALSE;
  char buf[16384];
  static const char push_line[] = "POST /api/v1/sync/push ";

  if (c->fault == FAULT_DROP)
    goto out;
  up = connect_to (c->proxy->upstream_port);
  if (up < 0)
    goto out;

  for (;;)
    {
      struct pollfd pfds[2] = { { .fd = c->client, .events = POLLIN }, { .fd = up, .events = POLLIN } };
      gssize n;

      if (poll (pfds, 2, 15000) <= 0)
        break;
      if (pfds[0].revents & (POLLIN | POLLHUP | POLLERR))
        {
          n = read (c->client, buf, sizeof buf);
          if (n <= 0)
            break;
          /* A push whose answer is to be kept back: the server gets it
           * whole, the device hears nothing more on this connection. */
          if (!stalled && (gsize) n >= strlen (push_line) &&
              memcmp (buf, push_line, strlen (push_line)) == 0)
            {
              g_mutex_lock (&c->proxy->lock);
              if (c->proxy->stall_pushes > 0)
                {
                  c->proxy->stall_pushes--;
                  c->proxy->n_stalled++;
                  stalled = TRUE;
                }
              g_mutex_unlock (&c->proxy->lock);
            }
          if (c->fault == FAULT_DELAY)
            g_usleep (c->delay_ms * 1000);
          if (write (up, buf, (size_t) n) != n)
            break;
          /* The same bytes again on a second connection: the server sees
           * the request twice, the device one answer. */
          if (c->fault == FAULT_REPLAY && !request_seen)
            {
              replay = connect_to (c->proxy->upstream_port);
              if (replay >= 0 && write (replay, buf, (size_t) n) != n)
                {
                  close (replay);
                  replay = -1;
                }
            }
          request_seen = TRUE;
        }
      if (pfds[1].revents & (POLLIN | POLLHUP | POLLERR))
        {
          n = read (up, buf, sizeof buf);
          if (n <= 0)
            break;
          if (stalled)
            continue;
          if (c->fault == FAULT_RESET)
            {
              reset (c->client);
              c->client = -1;
              break;
            }
          if (c->fault == FAULT_TRUNCATE)
            {
              if (write (c->client, buf, (size_t) (n / 2)) < 0)
                break;
              break;
            }
          if (c->fault == FAULT_DELAY)
            g_usleep (c->delay_ms * 1000);
          if (write (c->client, buf, (size_t) n) != n)
            break;
        }
    }

  if (replay >= 0)
    {
      /* Let the replayed request reach the server before hanging up. */
      g_usleep (G_USEC_PER_SEC / 20);
      close (replay);
    }
out:
  if (c->client >= 0)
    close (c->client);
  if (up >= 0)
    close (up);
  g_mutex_lock (&c->proxy->lock);
  c->proxy->open--;
  g_mutex_unlock (&c->proxy->lock);
  g_free (c);
  return NULL;
}

static gpointer
proxy_run (gpointer data)
{
  Proxy *proxy = data;

  while (!proxy->stop)
    {
      struct pollfd pfd = { .fd = proxy->listen_fd, .events = POLLIN };
      Conn *c;
      int fd;

      if (poll (&pfd, 1, 100) <= 0)
        continue;
      fd = accept (proxy->listen_fd, NULL, NULL);
      if (fd < 0)
        continue;
      c = g_new0 (Conn, 1);
      c->proxy = proxy;
      c->client = fd;
      g_mutex_lock (&proxy->lock);
      if (!proxy->faults_on)
        c->fault = FAULT_NONE;
      else if (proxy->plan != NULL)
        c->fault = proxy->accepted < proxy->plan_len ? proxy->plan[proxy->accepted] : FAULT_NONE;
      else
        c->fault = (Fault) g_rand_int_range (proxy->rand, 0, N_FAULTS);
      proxy->accepted++;
      proxy->open++;
      proxy->max_open = MAX (proxy->max_open, proxy->open);
      c->delay_ms = (guint) g_rand_int_range (proxy->rand, 10, 300);
      proxy->counts[c->fault]++;
      g_mutex_unlock (&proxy->lock);
      g_thread_unref (g_thread_new ("proxy-conn", conn_run, c));
    }
  return NULL;
}

static Proxy *
proxy_new (guint   upstream_port,
           guint32 seed)
{
  Proxy *proxy = g_new0 (Proxy, 1);
  struct sockaddr_in addr = { .sin_family = AF_INET };
  socklen_t len = sizeof addr;

  proxy->upstream_port = upstream_port;
  proxy->rand = g_rand_new_with_seed (seed);
  g_mutex_init (&proxy->lock);
  proxy->faults_on = TRUE;
  proxy->listen_fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (proxy->listen_fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (proxy->listen_fd, 128), ==, 0);
  g_assert_cmpint (getsockname (proxy->listen_fd, (struct sockaddr *) &addr, &len), ==, 0);
  proxy->port = ntohs (addr.sin_port);
  proxy->thread = g_thread_new ("proxy", proxy_run, proxy);
  return proxy;
}

static void
proxy_free (Proxy *proxy)
{
  proxy->stop = TRUE;
  g_thread_join (proxy->thread);
  close (proxy->listen_fd);
  g_rand_free (proxy->rand);
  g_mutex_clear (&proxy->lock);
  g_free (proxy);
}

/* Points the signed-in device's store at @url. */
static void
device_use_url (Device     *device,
                const char *url)
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
        g_assert_true (bb_store_set_meta (store, "sync.server_url", url, &error));
      }
  g_dir_close (users);
  device->session = bb_session_new (device->dir, &error);
  g_assert_no_error (error);
}

static void
test_sync_through_a_faulty_network (void)
{
  enum { ROUNDS = 40 };
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(GHashTable) saved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) held = NULL;
  g_autofree char *proxy_url = NULL;
  const char *seed_text = g_getenv ("BEATBOOK_FAULT_SEED");
  guint32 seed = seed_text != NULL ? (guint32) g_ascii_strtoull (seed_text, NULL, 10) : g_random_int ();
  guint failed = 0;
  Proxy *proxy;

  g_test_message ("fault seed %u (BEATBOOK_FAULT_SEED=%u replays this run)", seed, seed);
  g_printerr ("fault seed %u\n", seed);
  sign_in (device, server, "officer1");
  proxy = proxy_new (server->port, seed);
  proxy_url = g_strdup_printf ("http://127.0.0.1:%u", proxy->port);
  device_use_url (device, proxy_url);

  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autoptr(GError) error = NULL;
      BbSyncStats stats;

      for (guint i = 0; i < 2; i++)
        {
          g_autofree char *text = g_strdup_printf ("Round %u, record %u", round, i);
          g_autoptr(BbRecord) record = log_observation (device, text);

          g_hash_table_add (saved, g_strdup (bb_record_get_id (record)));
        }
      if (!bb_session_sync (device->session, &stats, NULL, &error))
        {
          /* A fault shows as an error the device retries later, never as
           * a sign-out: the token is still good. */
          g_assert_true (g_error_matches (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNREACHABLE) ||
                         g_error_matches (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_SERVER));
          failed++;
        }
    }

  /* The network heals: one clean sync sends everything still queued. */
  g_mutex_lock (&proxy->lock);
  proxy->faults_on = FALSE;
  g_mutex_unlock (&proxy->lock);
  sync_ok (device);
  g_assert_cmpuint (bb_store_outbox_count (bb_session_get_store (device->session)), ==, 0);

  for (guint f = 0; f < N_FAULTS; f++)
    g_test_message ("%s: %u connections", fault_names[f], proxy->counts[f]);
  g_test_message ("%u of %u syncs failed on the way", failed, ROUNDS);
  /* The run did meet the faults it is about. */
  g_assert_cmpuint (failed, >, 0);

  held = server_records (server);
  g_assert_cmpuint (g_hash_table_size (held), ==, g_hash_table_size (saved));
  {
    GHashTableIter iter;
    const char *id;

    g_hash_table_iter_init (&iter, saved);
    while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
      if (!g_hash_table_contains (held, id))
        g_error ("record %s was saved on the device but is not on the server (seed %u)", id, seed);
  }
  g_assert_cmpuint (count (device, BB_KIND_PATROL_OBSERVATION), ==, g_hash_table_size (saved));
  proxy_free (proxy);
}

/* @n observations saved on @device at once (a bulk import), each
 * @text_length characters of description and of notes. */
static void
import_observations (Device *device,
                     guint   n,
                     guint   text_length)
{
  BbStore *store = bb_session_get_store (device->session);
  g_autoptr(BbStoreImport) import = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strnfill (text_length, 'x');

  import = bb_store_import_begin (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BbRecord) record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
      JsonObject *fields = bb_record_get_fields (record);
      g_autofree char *number = g_strdup_printf ("%u ", i);

      memcpy (text, number, strlen (number));
      json_object_set_string_member (fields, "ward", "town");
      json_object_set_string_member (fields, "place", "High Street");
      json_object_set_string_member (fields, "category", "asb_youths");
      json_object_set_string_member (fields, "description", text);
      json_object_set_string_member (fields, "notes", text);
      bb_record_set_author (record, bb_session_get_user_id (device->session),
                            bb_session_get_display_name (device->session), "officer");
      g_assert_true (bb_store_import_add (import, record, &error));
      g_assert_no_error (error);
    }
  g_assert_true (bb_store_import_commit (g_steal_pointer (&import), &error));
  g_assert_no_error (error);
}

static void
assert_server_holds_each_once (Server *server,
                               Device *device,
                               guint   n)
{
  g_autoptr(GHashTable) held = server_records (server);
  BbQuery conflicts = { .sync_state = "conflict" };
  g_autoptr(GError) error = NULL;
  guint n_conflicts = 0;

  g_assert_cmpuint (g_hash_table_size (held), ==, n);
  g_assert_cmpuint (count (device, BB_KIND_PATROL_OBSERVATION), ==, n);
  g_assert_cmpuint (bb_store_outbox_count (bb_session_get_store (device->session)), ==, 0);
  /* A batch sent twice was answered "duplicate", not taken for someone
   * else's edit of the same revision. */
  g_assert_true (bb_store_count_records (bb_session_get_store (device->session), &conflicts,
                                         &n_conflicts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_conflicts, ==, 0);
}

/* Several push batches travel at once; the second connection fails (its
 * request lost on the way, or applied and its answer lost). The batches
 * around it are stored, the failed one stays queued, and the next sync
 * leaves the server with each record once. */
static void
test_pipelined_push_with_a_failed_batch (gconstpointer data)
{
  Fault fault = GPOINTER_TO_INT (data);
  const Fault plan[] = { FAULT_NONE, fault };
  const guint n = 3000;
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(GHashTable) held = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *proxy_url = NULL;
  BbSyncStats stats;
  guint synced, pending;
  Proxy *proxy;

  sign_in (device, server, "officer1");
  import_observations (device, n, 40);
  proxy = proxy_new (server->port, 1);
  proxy->plan = plan;
  proxy->plan_len = G_N_ELEMENTS (plan);
  proxy_url = g_strdup_printf ("http://127.0.0.1:%u", proxy->port);
  device_use_url (device, proxy_url);

  g_assert_false (bb_session_sync (device->session, &stats, NULL, &error));
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNREACHABLE);
  g_clear_error (&error);

  /* The batches were in flight together. */
  g_test_message ("%u connections, %u at once at most", proxy->accepted, proxy->max_open);
  g_assert_cmpuint (proxy->max_open, >=, 2);

  /* What the device knows the server holds is what it holds, less the
   * one batch applied whose answer was lost. */
  pending = bb_store_outbox_count (bb_session_get_store (device->session));
  synced = n - pending;
  g_assert_cmpuint (pending, >=, 500);
  held = server_records (server);
  g_assert_cmpuint (g_hash_table_size (held), ==, synced + (fault == FAULT_RESET ? 500 : 0));

  stats = sync_ok (device);
  g_assert_cmpuint (stats.pushed, ==, pending);
  g_assert_cmpuint (stats.rejected, ==, 0);
  assert_server_holds_each_once (server, device, n);
  proxy_free (proxy);
}

/* Batches too large for the server (413) while others are in flight are
 * sent again in halves; none is lost or sent twice. */
static void
test_pipelined_push_halves_batches_too_large (void)
{
  const guint n = 1200;
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  BbSyncStats stats;

  sign_in (device, server, "officer1");
  /* 500 of them are about 9.5 MB: over the server's 8 MiB. */
  import_observations (device, n, 9500);

  stats = sync_ok (device);
  g_assert_cmpuint (stats.pushed, ==, n);
  g_assert_cmpuint (stats.rejected, ==, 0);
  assert_server_holds_each_once (server, device, n);
}

/* A proxy that passes everything; set_stall_pushes() keeps answers back. */
static Proxy *
stalling_proxy_for (Device *device,
                    Server *server)
{
  g_autofree char *proxy_url = NULL;
  Proxy *proxy = proxy_new (server->port, 1);

  g_mutex_lock (&proxy->lock);
  proxy->faults_on = FALSE;
  g_mutex_unlock (&proxy->lock);
  proxy_url = g_strdup_printf ("http://127.0.0.1:%u", proxy->port);
  device_use_url (device, proxy_url);
  return proxy;
}

static void
set_stall_pushes (Proxy *proxy,
                  guint  n)
{
  g_mutex_lock (&proxy->lock);
  proxy->stall_pushes = n;
  g_mutex_unlock (&proxy->lock);
}

static guint
n_stalled (Proxy *proxy)
{
  guint n;

  g_mutex_lock (&proxy->lock);
  n = proxy->n_stalled;
  g_mutex_unlock (&proxy->lock);
  return n;
}

/* Every record of @saved is on the server, once, and nothing else. */
static void
assert_server_holds (Server     *server,
                     GHashTable *saved)
{
  g_autoptr(GHashTable) held = server_records (server);
  GHashTableIter iter;
  const char *id;

  g_assert_cmpuint (g_hash_table_size (held), ==, g_hash_table_size (saved));
  g_hash_table_iter_init (&iter, saved);
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
    if (!g_hash_table_contains (held, id))
      g_error ("record %s was saved on the device but is not on the server", id);
}

static void
save_some (Device     *device,
           GHashTable *saved,
           guint       n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("Stalled answer, record %u", g_hash_table_size (saved));
      g_autoptr(BbRecord) record = log_observation (device, text);

      g_hash_table_add (saved, g_strdup (bb_record_get_id (record)));
    }
}

static void
test_a_push_whose_answer_stalls_is_asked_again (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(GHashTable) saved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  BbSyncStats stats;
  Proxy *proxy;

  /* Long enough for the second attempt to be answered on a loaded machine
   * under a sanitizer; the stalled one waits it out once. */
  g_setenv ("BEATBOOK_TEST_REQUEST_TIMEOUT", "6", TRUE);
  sign_in (device, server, "officer1");
  proxy = stalling_proxy_for (device, server);
  save_some (device, saved, 3);

  /* The first push reaches the server and is applied; its answer never
   * arrives. The device asks again and hears `duplicate`: the sync
   * succeeds, and the server holds each record once. */
  set_stall_pushes (proxy, 1);
  stats = sync_ok (device);
  g_assert_cmpuint (n_stalled (proxy), ==, 1);
  g_assert_cmpuint (stats.pushed, ==, 3);
  g_assert_cmpuint (stats.rejected, ==, 0);
  g_assert_cmpuint (stats.conflicts, ==, 0);
  g_assert_cmpuint (bb_store_outbox_count (bb_session_get_store (device->session)), ==, 0);
  assert_server_holds (server, saved);

  proxy_free (proxy);
  g_unsetenv ("BEATBOOK_TEST_REQUEST_TIMEOUT");
}

static void
test_a_server_that_never_answers_is_reported (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(GHashTable) saved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  BbSyncStats stats;
  Proxy *proxy;

  g_setenv ("BEATBOOK_TEST_REQUEST_TIMEOUT", "6", TRUE);
  sign_in (device, server, "officer1");
  proxy = stalling_proxy_for (device, server);
  save_some (device, saved, 3);

  /* Every answer to a push kept back: asked twice, then said plainly. */
  set_stall_pushes (proxy, 1000);
  g_assert_false (bb_session_sync (device->session, &stats, NULL, &error));
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, "did not answer within 6 seconds, asked 2 times"));
  g_assert_cmpuint (n_stalled (proxy), ==, 2);
  /* Nothing was confirmed, so everything stays queued... */
  g_assert_cmpuint (bb_store_outbox_count (bb_session_get_store (device->session)), ==, 3);

  /* ...and the next sync, answered, doubles nothing the server kept. */
  set_stall_pushes (proxy, 0);
  stats = sync_ok (device);
  g_assert_cmpuint (stats.pushed, ==, 3);
  g_assert_cmpuint (bb_store_outbox_count (bb_session_get_store (device->session)), ==, 0);
  assert_server_holds (server, saved);

  proxy_free (proxy);
  g_unsetenv ("BEATBOOK_TEST_REQUEST_TIMEOUT");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);

  g_test_add_func ("/faults/network/delays-drops-resets-truncations-and-replays-lose-and-double-nothing",
                   test_sync_through_a_faulty_network);
  g_test_add_data_func ("/faults/network/pipelined-push-with-a-batch-lost-on-the-way-loses-nothing",
                        GINT_TO_POINTER (FAULT_DROP), test_pipelined_push_with_a_failed_batch);
  g_test_add_data_func ("/faults/network/pipelined-push-with-an-answer-lost-doubles-nothing",
                        GINT_TO_POINTER (FAULT_RESET), test_pipelined_push_with_a_failed_batch);
  g_test_add_func ("/faults/network/pipelined-push-halves-batches-too-large",
                   test_pipelined_push_halves_batches_too_large);
  g_test_add_func ("/faults/network/a-push-whose-answer-stalls-is-asked-again-and-doubles-nothing",
                   test_a_push_whose_answer_stalls_is_asked_again);
  g_test_add_func ("/faults/network/a-server-that-never-answers-is-reported-and-loses-nothing",
                   test_a_server_that_never_answers_is_reported);

  return g_test_run ();
}
