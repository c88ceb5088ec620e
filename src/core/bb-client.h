/* bb-client.h: the device's side of the sync API (sync-api.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BB_CLIENT_ERROR (bb_client_error_quark ())

/* What went wrong, in the terms a person acts on. */
typedef enum {
  BB_CLIENT_ERROR_UNREACHABLE,       /* no answer: offline, DNS, refused, timed out */
  BB_CLIENT_ERROR_CERTIFICATE,       /* the server's certificate is not trusted */
  BB_CLIENT_ERROR_INSECURE,          /* http:// to a server that is not on this machine */
  BB_CLIENT_ERROR_UNAUTHORIZED,      /* 401: sign in again */
  BB_CLIENT_ERROR_DEVICE_REVOKED,    /* 401 device_revoked: wipe */
  BB_CLIENT_ERROR_INVALID_CREDENTIALS, /* 401 at sign-in */
  BB_CLIENT_ERROR_TOO_MANY_ATTEMPTS, /* 429 */
  BB_CLIENT_ERROR_FORBIDDEN,         /* 403 */
  BB_CLIENT_ERROR_NOT_FOUND,         /* 404 */
  BB_CLIENT_ERROR_TOO_LARGE,         /* 413: split the batch */
  BB_CLIENT_ERROR_BAD_REQUEST,       /* 400 */
  BB_CLIENT_ERROR_UNSUPPORTED_TYPE,  /* 415: a file of a type the server does not take */
  BB_CLIENT_ERROR_SERVER,            /* 5xx or an answer that is not the contract */
} BbClientError;

GQuark      bb_client_error_quark (void);

typedef struct _BbClient BbClient;

/* A client of the server at @base_url ("https://host[:port]", no path).
 * @ca_file (nullable): trust only this CA bundle (a partnership's own CA,
 * or a test CA). Plain http is refused unless the host is loopback. */
BbClient   *bb_client_new         (const char   *base_url,
                                   const char   *ca_file,
                                   GError      **error);
void        bb_client_free        (BbClient     *self);
void        bb_client_set_token   (BbClient     *self,
                                   const char   *token);
const char *bb_client_get_base_url (BbClient    *self);

/* One request, synchronously (call it from a worker thread in a UI).
 * @body (nullable) is sent as JSON. Returns the parsed JSON answer for 2xx
 * (an empty object for 204) with the status in @status; any other status is
 * a BB_CLIENT_ERROR with the server's message. (transfer full) */
JsonNode   *bb_client_request     (BbClient     *self,
                                   const char   *method,
                                   const char   *path,
                                   JsonNode     *body,
                                   guint        *status,
                                   GCancellable *cancellable,
                                   GError      **error);
/* The same with @body (nullable) already written as JSON text. */
JsonNode   *bb_client_request_text (BbClient     *self,
                                    const char   *method,
                                    const char   *path,
                                    GBytes       *body,
                                    guint        *status,
                                    GCancellable *cancellable,
                                    GError      **error);

/* POST /api/v1/sessions. (transfer full): the answer object
 * ({"token", "expires_at", "device_id", "user"}). */
JsonObject *bb_client_login       (BbClient     *self,
                                   const char   *username,
                                   const char   *password,
                                   const char   *device_name,
                                   GCancellable *cancellable,
                                   GError      **error);

/* Evidence files (sync-api.md "Evidence (blobs)").
 *
 * Sends @bytes as the file @sha256, in parts of @part_size bytes (0: one
 * part). Asks first how much the server holds (HEAD) and goes on from
 * there, so an upload cut off by a dropped connection resumes where the
 * server's copy ends. @sent (out) (optional): bytes that travelled this
 * time (0 when the server had the file). */
gboolean    bb_client_upload_blob (BbClient     *self,
                                   const char   *sha256,
                                   GBytes       *bytes,
                                   gsize         part_size,
                                   gint64       *sent,
                                   GCancellable *cancellable,
                                   GError      **error);
/* GET /api/v1/blobs/@sha256. (transfer full): the bytes, as received. */
GBytes     *bb_client_fetch_blob  (BbClient     *self,
                                   const char   *sha256,
                                   GCancellable *cancellable,
                                   GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbClient, bb_client_free)

G_END_DECLS
