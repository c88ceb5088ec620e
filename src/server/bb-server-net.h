/* bb-server-net.h: the listening socket and a guard over its connections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Room in the kernel's queue for every device of a partnership connecting
 * at the same moment (a shift change); the kernel caps it at somaxconn. */
#define BB_SERVER_LISTEN_BACKLOG 1024

/* Seconds a connection may sit with nothing moving before it is closed. */
#define BB_SERVER_IDLE_TIMEOUT_DEFAULT 60

/* File descriptors kept back from connections, for the database, its
 * journal and the log. */
#define BB_SERVER_FD_RESERVE 64

/* Raises the soft limit on open files to the hard limit, and returns the
 * limit now in force (0 when it cannot be read). */
guint    bb_server_raise_fd_limit      (void);

/* (transfer full): a TCP socket bound to @address and listening with a
 * queue of @backlog, ready for soup_server_listen_socket(). */
GSocket *bb_server_listen_socket_new   (GSocketAddress *address,
                                        int             backlog,
                                        GError        **error);

/* Whether @certificate's private key belongs to it: a TLS handshake with
 * itself, in memory. A mismatched pair loads without complaint and then
 * fails every handshake, so serve checks before it announces https. */
gboolean bb_server_tls_certificate_check (GTlsCertificate *certificate,
                                          GError         **error);

typedef struct _BbConnGuard BbConnGuard;

/* Accepts the connections on @listener and hands each to @soup (over TLS
 * with @certificate when given). Accepting never stops: out of file
 * descriptors, it closes the longest idle connection and rests a moment.
 * Past @max_connections the longest idle one is closed to make room, and
 * each connection that sits idle for @idle_timeout seconds is closed. */
BbConnGuard *bb_conn_guard_new         (SoupServer       *soup,
                                        GSocket          *listener,
                                        GTlsCertificate  *certificate,
                                        guint             max_connections,
                                        guint             idle_timeout);
/* Closes the listening socket; the connections stay. */
void         bb_conn_guard_stop_accepting (BbConnGuard   *guard);
void         bb_conn_guard_free        (BbConnGuard      *guard);
guint        bb_conn_guard_get_n_connections (BbConnGuard *guard);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbConnGuard, bb_conn_guard_free)

G_END_DECLS
