/* bb-server-private.h: what the request handlers of beatbook-server share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "bb-kind.h"
#include "bb-server.h"
#include "bb-server-blobs.h"

G_BEGIN_DECLS

/* One request being answered: who asks, from which device, with what. */
typedef struct
{
  BbServer          *server;
  BbServerStore     *store;
  BbProfile         *profile;
  SoupServerMessage *msg;
  GHashTable        *query;      /* nullable */
  const char        *path;
  GBytes            *body;       /* nullable */
  BbServerBlobs     *blobs;      /* nullable: no evidence files served */
  /* Read from the message on the main thread before any handler runs, so
   * a handler on a worker thread never touches the message. */
  const char        *method;
  char              *authorization; /* nullable: the Authorization header */
  gboolean           body_is_json;  /* Content-Type: application/json */
  /* Answered on a worker thread: the answer waits here, made, until the
   * main thread puts it on the message (bb-server.c). */
  gboolean           answer_later;
  guint              answer_status;
  char              *answer_text;
  /* Set once authenticated. */
  BbServerSession   *session;
  BbServerDevice    *device;
  BbServerUser      *user;
  BbRole             role;
} BbRequest;

/* Request helpers, in bb-server-request.c: the handlers call these, and
 * nothing there calls back into bb-server.c or the handlers. */

/* json-glib parses recursively: a body of a million '[' would exhaust the
 * stack. No record nests deeper than a handful of levels. */
#define BB_SERVER_MAX_JSON_DEPTH 32

/* Whether @data nests no deeper than @max_depth, without building it. */
gboolean    bb_server_json_depth_ok   (const char  *data,
                                       gsize        length,
                                       guint        max_depth);
/* The contract's error body {"error": {"code": ..., "message": ...}}.
 * (transfer full) */
JsonNode   *bb_server_error_body      (const char  *code,
                                       const char  *message);
/* Answers @msg with @status and @node as the body, never cached (takes
 * ownership of @node). */
void        bb_server_reply_json      (SoupServerMessage *msg,
                                       guint        status,
                                       JsonNode    *node);
/* The same with @text, the JSON already written (takes ownership). */
void        bb_server_reply_json_text (SoupServerMessage *msg,
                                       guint        status,
                                       char        *text);
/* Answers with the contract's error body
 * {"error": {"code": ..., "message": ...}}. */
void        bb_request_error          (BbRequest   *req,
                                       guint        status,
                                       const char  *code,
                                       const char  *message);
/* Answers @status with @node as the body (takes ownership of @node). */
void        bb_request_reply_json     (BbRequest   *req,
                                       guint        status,
                                       JsonNode    *node);
/* The same with @text, the JSON already written (takes ownership). */
void        bb_request_reply_json_text (BbRequest  *req,
                                        guint       status,
                                        char       *text);
/* The body as JSON, checked: Content-Type, size, UTF-8, nesting, syntax,
 * and a top-level object. NULL after answering 4xx. (transfer full) */
JsonNode   *bb_request_parse_body     (BbRequest   *req);
/* Answers 500 for a storage failure (never caused by client input). */
void        bb_request_storage_error  (BbRequest   *req,
                                       const GError *error);
/* Appends an audit entry for the caller; FALSE only on storage failure. */
gboolean    bb_request_audit          (BbRequest   *req,
                                       const char  *action,
                                       const char  *record_id,
                                       const char  *detail,
                                       GError     **error);
/* Reads an integer query parameter in [@min, @max]; answers 400 and returns
 * FALSE when present but not such a number. */
gboolean    bb_request_query_int      (BbRequest   *req,
                                       const char  *name,
                                       gint64       min,
                                       gint64       max,
                                       gint64       fallback,
                                       gint64      *value);

/* Sign-in attempts, in bb-server.c. */

/* Failed sign-ins from one address within the lockout window beyond
 * which it is refused outright (no password check, no audit entry each). */
#define BB_SERVER_ADDRESS_MAX_FAILURES 30
/* Addresses (and usernames) remembered at once. */
#define BB_SERVER_MAX_TRACKED_ADDRESSES 10000

typedef void (*BbPasswordChecked) (gboolean ok,
                                   gpointer data);

/* Checks @password against @hash (NULL: the dummy hash, so an unknown
 * user costs the same time) on a worker thread, then calls @done on the
 * main context. */
void        bb_server_check_password  (BbServer          *self,
                                       const char        *hash,
                                       const char        *password,
                                       BbPasswordChecked  done,
                                       gpointer           data);
/* Whether sign-ins from @address are refused for now; @first is TRUE
 * for the first refusal of the window (the one worth an audit entry). */
gboolean    bb_server_sign_in_refused (BbServer    *self,
                                       const char  *address,
                                       gboolean    *first);
/* Counts a failed sign-in from @address. */
void        bb_server_sign_in_failed  (BbServer    *self,
                                       const char  *address);
/* TRUE the first time in a window that @username is found locked out. */
gboolean    bb_server_lockout_first_seen (BbServer *self,
                                       const char  *username);

/* Handlers in bb-server-sessions.c. */
void        bb_server_handle_login    (BbRequest   *req);
void        bb_server_handle_logout   (BbRequest   *req);
void        bb_server_handle_me       (BbRequest   *req);

/* Handlers in bb-server-audit.c. */
void        bb_server_handle_audit    (BbRequest   *req);
void        bb_server_handle_audit_exports (BbRequest *req);

/* Handlers in bb-server-records.c. */
void        bb_server_handle_push     (BbRequest   *req);
void        bb_server_handle_pull     (BbRequest   *req);
void        bb_server_handle_review   (BbRequest   *req,
                                       const char  *record_id);
void        bb_server_handle_lookup   (BbRequest   *req);
/* Fills @scope with what the caller may see (as pull); returns the s59
 * window start it points into, for the caller to free. (transfer full) */
char       *bb_request_scope          (BbRequest     *req,
                                       BbServerScope *scope);

/* Evidence files, in bb-server-evidence.c. The upload of a PUT is started
 * by bb_server_blob_put_early() once the headers are in (answering at once
 * when it must be refused), its bytes written to disk as they arrive. */
gboolean    bb_server_blob_put_early  (BbRequest   *req,
                                       const char  *sha256,
                                       GHashTable  *uploading);
void        bb_server_handle_blob     (BbRequest   *req,
                                       const char  *sha256);
/* Bytes of an upload's body that arrived (-1: @msg is no upload). */
gint64      bb_server_blob_upload_received (SoupServerMessage *msg);
/* Whether the connection of upload @msg broke before its body was in (so
 * no answer went out). */
gboolean    bb_server_blob_upload_cut_off (SoupServerMessage *msg);

G_END_DECLS
