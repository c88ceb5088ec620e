/* bb-server.h: the sync API of sync-api.md over HTTP(S)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "bb-profile.h"
#include "bb-server-blobs.h"
#include "bb-server-store.h"

G_BEGIN_DECLS

/* sync-api.md "Push": at most 500 changes and 8 MiB per request. */
#define BB_SERVER_MAX_CHANGES    500
#define BB_SERVER_MAX_BODY_BYTES (8 * 1024 * 1024)
/* How long a session token works after its last use (12 hours: a long
 * shift); renewed as it is used (sliding expiry), at most every 15
 * minutes, and never beyond 7 days after sign-in. */
#define BB_SERVER_TOKEN_LIFETIME_SECONDS (12 * 3600)
#define BB_SERVER_RENEW_INTERVAL_SECONDS (15 * 60)
#define BB_SERVER_SESSION_MAX_SECONDS    (7 * 24 * 3600)
/* sync-api.md "Sessions": 5 failures for one username within 15 minutes. */
#define BB_SERVER_LOCKOUT_FAILURES 5
#define BB_SERVER_LOCKOUT_WINDOW_SECONDS (15 * 60)

#define BB_TYPE_SERVER (bb_server_get_type ())
G_DECLARE_FINAL_TYPE (BbServer, bb_server, BB, SERVER, GObject)

/* Serves @store (borrowed: it must outlive the server) with @profile. */
BbServer   *bb_server_new              (BbServerStore    *store,
                                        BbProfile        *profile);
/* Listens on @address:@port (0 picks a free port); HTTPS when
 * @certificate is given. */
gboolean    bb_server_listen           (BbServer         *self,
                                        const char       *address,
                                        guint             port,
                                        GTlsCertificate  *certificate,
                                        GError          **error);
/* Before listening: at most @max_connections open at once (the longest
 * idle is closed to make room) and each closed after @idle_timeout
 * seconds with nothing moving (0: never). */
void        bb_server_set_connection_limits (BbServer    *self,
                                        guint             max_connections,
                                        guint             idle_timeout);
/* (transfer full): "http://127.0.0.1:8080" (https with TLS) for the first
 * listening socket, as clients should reach it. */
char       *bb_server_dup_uri          (BbServer         *self);
/* For tests: appends every exchange to @path as JSON Lines (NULL: stop). */
gboolean    bb_server_set_exchange_log (BbServer         *self,
                                        const char       *path,
                                        GError          **error);
/* Answers new requests 503 from now on; requests already under way are
 * still answered while the main context runs. */
void        bb_server_begin_shutdown   (BbServer         *self);
/* Closes the listening sockets and every connection. */
void        bb_server_close            (BbServer         *self);
/* Requests whose headers arrived and whose answer is not yet written. */
guint       bb_server_get_n_in_flight  (BbServer         *self);
/* Serves evidence files from @blobs (takes ownership), sweeping files no
 * record lists at once and hourly. */
void        bb_server_set_blobs        (BbServer         *self,
                                        BbServerBlobs    *blobs);
/* Runs the sweep now; how many files went (-1 on error, logged). */
gint        bb_server_sweep_blobs      (BbServer         *self);

G_END_DECLS
