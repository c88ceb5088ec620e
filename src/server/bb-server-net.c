/* bb-server-net.c: the listening socket and a guard over its connections
 *
 * libsoup 3.2 keeps a connection open for as long as the client does, and
 * its listener stops accepting for good after the first accept() that
 * fails (too many open files, or a mere EAGAIN when a burst of devices
 * arrives). One client holding a thousand idle connections so locked every
 * device out. The guard below accepts the connections itself and hands
 * each to libsoup (soup_server_accept_iostream), so the server's own rules
 * hold: accepting never stops, idle connections close, and the number of
 * connections stays under the limit on open files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server"

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bb-server-net.h"

/* How often idle connections are looked for. */
#define SWEEP_INTERVAL_MS 1000
/* How long accepting rests when the process is out of file descriptors. */
#define FD_PAUSE_MS 100
/* Connections accepted per wake-up, so a burst cannot starve the rest. */
#define ACCEPT_BATCH 64
/* At most one warning of a kind per this many seconds. */
#define WARN_INTERVAL_US (60 * G_USEC_PER_SEC)

typedef struct
{
  guint64   serial;      /* tells a reused peer port from the old connection */
  char     *key;         /* the peer's address and port */
  GSocket  *socket;      /* owned by the connection below */
  gint64    last_active; /* monotonic */
  gboolean  busy;        /* a request is being read or answered */
  gboolean  closing;     /* shut down by the guard; gone once libsoup notices */
} Conn;

struct _BbConnGuard
{
  gint             ref_count;
  gboolean         dead;
  SoupServer      *soup;      /* weak: the server owns the guard */
  GSocket         *listener;
  GTlsCertificate *certificate;
  GSource         *accept_source;
  guint            resume_id;
  GHashTable      *conns;     /* key -> Conn* */
  guint            max_connections;
  guint            idle_timeout;
  guint            n_open;    /* in conns and not closing */
  gulong           started_id;
  guint            sweep_id;
  guint            n_evicted; /* since the last warning */
  guint64          next_serial;
  gint64           last_evict_warning;
  gint64           last_fd_warning;
};

guint
bb_server_raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return 0;
  if (limit.rlim_cur < limit.rlim_max)
    {
      rlim_t old = limit.rlim_cur;

      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        {
          g_warning ("Could not raise the limit on open files from %lu: %s",
                     (unsigned long) old, g_strerror (errno));
          getrlimit (RLIMIT_NOFILE, &limit);
        }
    }
  return limit.rlim_cur > G_MAXUINT ? G_MAXUINT : (guint) limit.rlim_cur;
}

GSocket *
bb_server_listen_socket_new (GSocketAddress  *address,
                             int              backlog,
                             GError         **error)
{
  g_autoptr(GSocket) socket = NULL;
  GSocketFamily family;

  g_return_val_if_fail (G_IS_SOCKET_ADDRESS (address), NULL);

  family = g_socket_address_get_family (address);
  socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (socket == NULL)
    return NULL;
  if (family == G_SOCKET_FAMILY_IPV6)
    g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, TRUE, NULL);
  g_socket_set_listen_backlog (socket, backlog);
  if (!g_socket_bind (socket, address, TRUE, error) ||
      !g_socket_listen (socket, error))
    return NULL;

  return g_steal_pointer (&socket);
}

/* Connections */

static BbConnGuard *
guard_ref (BbConnGuard *guard)
{
  guard->ref_count++;
  return guard;
}

static void
guard_unref (BbConnGuard *guard)
{
  if (--guard->ref_count > 0)
    return;
  g_hash_table_unref (guard->conns);
  g_clear_object (&guard->listener);
  g_clear_object (&guard->certificate);
  g_free (guard);
}

static void
guard_unref_closure (gpointer  data,
                     GClosure *closure)
{
  guard_unref (data);
}

static char *
address_key (GSocketAddress *address)
{
  g_autofree char *host = NULL;

  if (address == NULL || !G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;
  host = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  return g_strdup_printf ("%s %u", host, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

static void
conn_free (Conn *conn)
{
  g_free (conn->key);
  g_free (conn);
}

typedef struct
{
  BbConnGuard *guard;
  char        *key;
  guint64      serial;
} Gone;

/* The connection libsoup held is finalised: the descriptor is closed. */
static void
conn_gone (gpointer  data,
           GObject  *where_it_was)
{
  Gone *gone = data;
  BbConnGuard *guard = gone->guard;
  Conn *conn = g_hash_table_lookup (guard->conns, gone->key);

  if (conn != NULL && conn->serial == gone->serial)
    {
      if (!conn->closing)
        guard->n_open--;
      g_hash_table_remove (guard->conns, gone->key);
    }
  g_free (gone->key);
  g_free (gone);
  guard_unref (guard);
}

static void
conn_close (BbConnGuard *guard,
            Conn        *conn)
{
  /* Shutting down, not closing: libsoup owns the descriptor, sees the end
   * of the stream at its next read and tears the connection down itself. */
  conn->closing = TRUE;
  guard->n_open--;
  g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
}

static void
warn_evicted (BbConnGuard *guard)
{
  gint64 now = g_get_monotonic_time ();

  guard->n_evicted++;
  if (guard->last_evict_warning != 0 && now - guard->last_evict_warning < WARN_INTERVAL_US)
    return;
  g_warning ("At the limit of %u open connections: closed %u idle ones to make room "
             "(a client holding many connections open?)",
             guard->max_connections, guard->n_evicted);
  guard->n_evicted = 0;
  guard->last_evict_warning = now;
}

/* The connection idle the longest, other than @except. */
static Conn *
oldest_idle (BbConnGuard *guard,
             Conn        *except)
{
  GHashTableIter iter;
  Conn *conn, *oldest = NULL;

  g_hash_table_iter_init (&iter, guard->conns);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &conn))
    if (conn != except && !conn->closing && !conn->busy &&
        (oldest == NULL || conn->last_active < oldest->last_active))
      oldest = conn;
  return oldest;
}

/* Makes room for @fresh once the limit is passed: the connection idle the
 * longest goes, or @fresh itself when every other one is busy. */
static void
enforce_limit (BbConnGuard *guard,
               Conn        *fresh)
{
  while (guard->n_open > guard->max_connections)
    {
      Conn *oldest = oldest_idle (guard, fresh);

      conn_close (guard, oldest != NULL ? oldest : fresh);
      warn_evicted (guard);
      if (oldest == NULL)
        break;
    }
}

static Conn *
conn_for_message (BbConnGuard       *guard,
                  SoupServerMessage *msg)
{
  g_autofree char *key = address_key (soup_server_message_get_remote_address (msg));

  return key != NULL ? g_hash_table_lookup (guard->conns, key) : NULL;
}

static void
on_got_headers (SoupServerMessage *msg,
                BbConnGuard       *guard)
{
  Conn *conn = guard->dead ? NULL : conn_for_message (guard, msg);

  if (conn != NULL)
    {
      conn->busy = TRUE;
      conn->last_active = g_get_monotonic_time ();
    }
}

static void
on_finished (SoupServerMessage *msg,
             BbConnGuard       *guard)
{
  Conn *conn = guard->dead ? NULL : conn_for_message (guard, msg);

  if (conn != NULL)
    {
      conn->busy = FALSE;
      conn->last_active = g_get_monotonic_time ();
    }
}

/* Emitted for every request a connection starts. */
static void
on_request_started (SoupServer        *soup,
                    SoupServerMessage *msg,
                    BbConnGuard       *guard)
{
  Conn *conn = conn_for_message (guard, msg);

  g_signal_connect_data (msg, "got-headers", G_CALLBACK (on_got_headers),
                         guard_ref (guard), guard_unref_closure, 0);
  g_signal_connect_data (msg, "finished", G_CALLBACK (on_finished),
                         guard_ref (guard), guard_unref_closure, 0);
  if (conn != NULL)
    {
      conn->busy = FALSE;
      conn->last_active = g_get_monotonic_time ();
    }
}

/* Closes the connections idle for longer than the timeout: between
 * requests, or connected and silent (a request trickling in byte by byte
 * counts as silent until its headers are complete). */
static gboolean
sweep_idle (gpointer data)
{
  BbConnGuard *guard = data;
  gint64 limit = g_get_monotonic_time () - (gint64) guard->idle_timeout * G_USEC_PER_SEC;
  GHashTableIter iter;
  Conn *conn;

  g_hash_table_iter_init (&iter, guard->conns);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &conn))
    if (!conn->closing && !conn->busy && conn->last_active < limit)
      conn_close (guard, conn);

  return G_SOURCE_CONTINUE;
}

/* Accepting */

static gboolean accept_ready (GSocket *socket, GIOCondition condition, gpointer data);

static void
accept_start (BbConnGuard *guard)
{
  guard->accept_source = g_socket_create_source (guard->listener, G_IO_IN, NULL);
  g_source_set_callback (guard->accept_source, (GSourceFunc) (void (*) (void)) accept_ready, guard, NULL);
  g_source_attach (guard->accept_source, NULL);
}

static gboolean
accept_resume (gpointer data)
{
  BbConnGuard *guard = data;

  guard->resume_id = 0;
  accept_start (guard);
  return G_SOURCE_REMOVE;
}

/* Out of file descriptors: make room and rest a moment, then go on. */
static void
accept_pause (BbConnGuard *guard,
              const GError *error)
{
  gint64 now = g_get_monotonic_time ();
  Conn *oldest = oldest_idle (guard, NULL);

  if (guard->last_fd_warning == 0 || now - guard->last_fd_warning >= WARN_INTERVAL_US)
    {
      g_warning ("Cannot accept a connection (%s) with %u open: closing the longest idle one "
                 "and going on", error->message, guard->n_open);
      guard->last_fd_warning = now;
    }
  if (oldest != NULL)
    conn_close (guard, oldest);

  g_source_destroy (guard->accept_source);
  g_clear_pointer (&guard->accept_source, g_source_unref);
  guard->resume_id = g_timeout_add (FD_PAUSE_MS, accept_resume, guard);
}

static gboolean
accept_one (BbConnGuard *guard)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  Conn *conn;
  Gone *gone;

  socket = g_socket_accept (guard->listener, NULL, &error);
  if (socket == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return FALSE;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
        {
          accept_pause (guard, error);
          return FALSE;
        }
      /* A connection reset before it was accepted, and the like: next. */
      g_debug ("accept: %s", error->message);
      return TRUE;
    }

  local = g_socket_get_local_address (socket, NULL);
  remote = g_socket_get_remote_address (socket, NULL);
  if (local == NULL || remote == NULL)
    return TRUE;
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  connection = g_socket_connection_factory_create_connection (socket);
  if (guard->certificate != NULL)
    {
      stream = g_tls_server_connection_new (G_IO_STREAM (connection), guard->certificate, &error);
      if (stream == NULL)
        {
          g_warning ("Cannot start TLS on a connection: %s", error->message);
          return TRUE;
        }
    }
  else
    stream = g_object_ref (G_IO_STREAM (connection));

  conn = g_new0 (Conn, 1);
  conn->serial = ++guard->next_serial;
  conn->key = address_key (remote);
  conn->socket = socket;
  conn->last_active = g_get_monotonic_time ();
  {
    /* The peer's port may come again before libsoup let go of the old
     * connection on it: that one no longer counts. */
    Conn *old = g_hash_table_lookup (guard->conns, conn->key);

    if (old != NULL && !old->closing)
      guard->n_open--;
  }
  g_hash_table_replace (guard->conns, g_strdup (conn->key), conn);
  guard->n_open++;
  gone = g_new0 (Gone, 1);
  gone->guard = guard_ref (guard);
  gone->key = g_strdup (conn->key);
  gone->serial = conn->serial;
  g_object_weak_ref (G_OBJECT (connection), conn_gone, gone);

  soup_server_accept_iostream (guard->soup, stream, local, remote, NULL);
  enforce_limit (guard, conn);
  return TRUE;
}

static gboolean
accept_ready (GSocket      *socket,
              GIOCondition  condition,
              gpointer      data)
{
  BbConnGuard *guard = data;

  for (guint i = 0; i < ACCEPT_BATCH; i++)
    if (!accept_one (guard))
      break;
  /* accept_pause() may have replaced this source. */
  return guard->accept_source != NULL ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

BbConnGuard *
bb_conn_guard_new (SoupServer      *soup,
                   GSocket         *listener,
                   GTlsCertificate *certificate,
                   guint            max_connections,
                   guint            idle_timeout)
{
  BbConnGuard *guard;

  g_return_val_if_fail (SOUP_IS_SERVER (soup), NULL);
  g_return_val_if_fail (G_IS_SOCKET (listener), NULL);

  guard = g_new0 (BbConnGuard, 1);
  guard->ref_count = 1;
  guard->soup = soup;
  guard->listener = g_object_ref (listener);
  guard->certificate = certificate != NULL ? g_object_ref (certificate) : NULL;
  guard->max_connections = MAX (max_connections, 1);
  guard->idle_timeout = MAX (idle_timeout, 1);
  guard->conns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) conn_free);
  guard->started_id = g_signal_connect (soup, "request-started",
                                        G_CALLBACK (on_request_started), guard);
  guard->sweep_id = g_timeout_add (SWEEP_INTERVAL_MS, sweep_idle, guard);
  g_socket_set_blocking (listener, FALSE);
  accept_start (guard);

  return guard;
}

void
bb_conn_guard_stop_accepting (BbConnGuard *guard)
{
  g_return_if_fail (guard != NULL);

  g_clear_handle_id (&guard->resume_id, g_source_remove);
  if (guard->accept_source != NULL)
    {
      g_source_destroy (guard->accept_source);
      g_clear_pointer (&guard->accept_source, g_source_unref);
    }
  g_socket_close (guard->listener, NULL);
}

void
bb_conn_guard_free (BbConnGuard *guard)
{
  if (guard == NULL)
    return;

  bb_conn_guard_stop_accepting (guard);
  if (guard->soup != NULL)
    g_clear_signal_handler (&guard->started_id, guard->soup);
  g_clear_handle_id (&guard->sweep_id, g_source_remove);
  guard->dead = TRUE;
  guard->soup = NULL;
  guard_unref (guard);
}

guint
bb_conn_guard_get_n_connections (BbConnGuard *guard)
{
  g_return_val_if_fail (guard != NULL, 0);

  return guard->n_open;
}

/* The certificate */

typedef struct
{
  GIOStream *tls;
  GError    *error;
} Handshake;

static gpointer
server_handshake (gpointer data)
{
  Handshake *side = data;

  g_tls_connection_handshake (G_TLS_CONNECTION (side->tls), NULL, &side->error);
  return NULL;
}

static gboolean
accept_own_certificate (GTlsConnection       *conn,
                        GTlsCertificate      *peer_cert,
                        GTlsCertificateFlags  errors,
                        gpointer              data)
{
  /* Only the pair is under test here, not who issued it. */
  return TRUE;
}

gboolean
bb_server_tls_certificate_check (GTlsCertificate  *certificate,
                                 GError          **error)
{
  g_autoptr(GSocket) server_socket = NULL;
  g_autoptr(GSocket) client_socket = NULL;
  g_autoptr(GSocketConnection) server_conn = NULL;
  g_autoptr(GSocketConnection) client_conn = NULL;
  g_autoptr(GIOStream) client_tls = NULL;
  g_autoptr(GError) client_error = NULL;
  Handshake server = { 0 };
  GThread *thread;
  int fds[2];
  gboolean ok;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), FALSE);

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "socketpair: %s", g_strerror (errno));
      return FALSE;
    }
  server_socket = g_socket_new_from_fd (fds[0], error);
  if (server_socket == NULL)
    {
      close (fds[0]);
      close (fds[1]);
      return FALSE;
    }
  client_socket = g_socket_new_from_fd (fds[1], error);
  if (client_socket == NULL)
    {
      close (fds[1]);
      return FALSE;
    }
  /* Neither side may wait for ever on the other. */
  g_socket_set_timeout (server_socket, 10);
  g_socket_set_timeout (client_socket, 10);
  server_conn = g_socket_connection_factory_create_connection (server_socket);
  client_conn = g_socket_connection_factory_create_connection (client_socket);

  server.tls = g_tls_server_connection_new (G_IO_STREAM (server_conn), certificate, error);
  if (server.tls == NULL)
    return FALSE;
  client_tls = g_tls_client_connection_new (G_IO_STREAM (client_conn), NULL, error);
  if (client_tls == NULL)
    {
      g_object_unref (server.tls);
      return FALSE;
    }
  g_signal_connect (client_tls, "accept-certificate", G_CALLBACK (accept_own_certificate), NULL);

  thread = g_thread_new ("tls-check", server_handshake, &server);
  ok = g_tls_connection_handshake (G_TLS_CONNECTION (client_tls), NULL, &client_error);
  /* Closing our end wakes the server side should it still wait. */
  g_io_stream_close (client_tls, NULL, NULL);
  g_thread_join (thread);
  g_io_stream_close (server.tls, NULL, NULL);
  g_object_unref (server.tls);

  if (ok && server.error == NULL)
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               "%s", server.error != NULL ? server.error->message : client_error->message);
  g_clear_error (&server.error);
  return FALSE;
}
