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
  gboolean  stop;
  guint     counts[N_FAULTS];
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
  char buf[16384];

  if (c->fault == FAULT_DROP)
    {
      close (c->client);
      g_free (c);
      return NULL;
    }
  up = connect_to (c->proxy->upstream_port);
  if (up < 0)
    {
      close (c->client);
      g_free (c);
      return NULL;
    }

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

  if (c->client >= 0)
    close (c->client);
  close (up);
  if (replay >= 0)
    {
      /* Let the replayed request reach the server before hanging up. */
      g_usleep (G_USEC_PER_SEC / 20);
      close (replay);
    }
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
      c->fault = proxy->faults_on ? (Fault) g_rand_int_range (proxy->rand, 0, N_FAULTS) : FAULT_NONE;
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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);

  g_test_add_func ("/faults/network/delays-drops-resets-truncations-and-replays-lose-and-double-nothing",
                   test_sync_through_a_faulty_network);

  return g_test_run ();
}
