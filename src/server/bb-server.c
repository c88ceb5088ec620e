/* bb-server.c: HTTP plumbing, routing, authentication, and /health and /profile
 *
 * libsoup reads and writes every connection on the main thread. The
 * requests that read or write records (push, pull, review, look-up, audit,
 * /me) are answered on a bounded pool of worker threads, each with its own
 * connection to the database, while their message waits, paused: a
 * hundred devices syncing at once are answered side by side rather than
 * one after another. A worker never touches the message; it leaves the
 * answer's JSON in the request and the main thread puts it on the message.
 * Sign-in checks passwords on a pool of its own (bb-server-sessions.c);
 * the rest (health, profile, sign-in and out, evidence files) is answered
 * on the main thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bb-i18n.h"
#include "bb-server-auth.h"
#include "bb-server-exchange-log.h"
#include "bb-server-openapi.h"
#include "bb-server-net.h"
#include "bb-server-private.h"
#include "bb-server-util.h"
#include "bb-record.h"
#include "bb-time.h"

struct _BbServer
{
  GObject        parent_instance;

  SoupServer    *soup;
  BbServerStore *store;
  BbProfile     *profile;
  GSocket       *listener;
  GSocket       *keepalive_peer;
  BbConnGuard   *guard;
  guint          max_connections;
  guint          idle_timeout;
  GThreadPool   *password_pool;
  GMainContext  *context;       /* the main thread's: answers go on messages there */
  GThreadPool   *request_pool;  /* nullable: every request on the main thread */
  GAsyncQueue   *idle_stores;   /* BbServerStore: workers' connections not in use */
  GPtrArray     *worker_stores; /* every connection opened for the workers */
  GMutex         stores_lock;
  GHashTable    *failures_by_address; /* address -> Attempts */
  GHashTable    *lockouts_logged;     /* username -> Attempts */
  BbServerBlobs *blobs;        /* nullable: no evidence files */
  GHashTable    *uploading;    /* hashes whose upload a request is writing */
  guint          sweep_id;
  guint          n_in_flight;
  BbExchangeLog *exchange_log;   /* nullable: tests only */
  gboolean       tls;
  gboolean       shutting_down;
};

G_DEFINE_FINAL_TYPE (BbServer, bb_server, G_TYPE_OBJECT)

typedef enum {
  ROUTE_HEALTH,
  ROUTE_OPENAPI,
  ROUTE_SESSIONS,
  ROUTE_SESSION_CURRENT,
  ROUTE_ME,
  ROUTE_PROFILE,
  ROUTE_PUSH,
  ROUTE_PULL,
  ROUTE_REVIEW,
  ROUTE_LOOKUP,
  ROUTE_AUDIT,
  ROUTE_AUDIT_EXPORTS,
  ROUTE_BLOB,
} Route;

typedef struct
{
  GByteArray *data;
  gboolean    too_large;
} BodyBuffer;

static const char body_buffer_key[] = "bb-server-body";

/* A password check, run on a worker thread. */
typedef struct
{
  char              *hash;      /* nullable: check against the dummy */
  char              *password;
  gboolean           ok;
  BbPasswordChecked  done;
  gpointer           data;
} PasswordJob;

/* A request answered on a worker thread. */
typedef struct
{
  BbRequest   req;
  Route       route;
  char       *record_id;
  char       *path;
  gboolean    finished;  /* the client went away meanwhile (main thread only) */
} RequestJob;

/* Failed sign-ins from one address, or lock-outs logged for one username,
 * within the current window. */
typedef struct
{
  gint64   since;      /* real time the window began */
  guint    count;
  gboolean reported;
} Attempts;

/* Helpers */

static void
body_buffer_free (BodyBuffer *buffer)
{
  g_byte_array_unref (buffer->data);
  g_free (buffer);
}

/* Authentication */

static void
unauthorized (BbRequest *req)
{
  bb_request_error (req, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                    _("Sign in first: the token is missing, unknown, expired or revoked."));
}

/* Sliding expiry: a session in use is good for BB_SERVER_TOKEN_LIFETIME_SECONDS
 * after its last use (written at most every BB_SERVER_RENEW_INTERVAL_SECONDS),
 * and never beyond BB_SERVER_SESSION_MAX_SECONDS after sign-in, so a
 * device on patrol is not asked for a password mid-shift. Only a live
 * session gets here: a revoked, expired or disabled one was refused. */
static void
renew_session (BbRequest *req)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expires = g_date_time_new_from_iso8601 (req->session->expires_at, NULL);
  g_autoptr(GDateTime) created = g_date_time_new_from_iso8601 (req->session->created_at, NULL);
  g_autoptr(GDateTime) wanted = NULL;
  g_autoptr(GDateTime) cap = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (expires == NULL || created == NULL)
    return;
  if (g_date_time_difference (expires, now) >
      (GTimeSpan) (BB_SERVER_TOKEN_LIFETIME_SECONDS - BB_SERVER_RENEW_INTERVAL_SECONDS) * G_TIME_SPAN_SECOND)
    return;

  wanted = g_date_time_add_seconds (now, BB_SERVER_TOKEN_LIFETIME_SECONDS);
  cap = g_date_time_add_seconds (created, BB_SERVER_SESSION_MAX_SECONDS);
  text = bb_server_time_format (g_date_time_compare (wanted, cap) < 0 ? wanted : cap);
  if (g_strcmp0 (text, req->session->expires_at) <= 0)
    return;

  /* A renewal that cannot be written is no reason to refuse the request:
   * the session stays good until its old expiry. */
  if (!bb_server_store_session_extend (req->store, req->session->token_hash, text, &error))
    g_warning ("Could not renew a session: %s", error->message);
  else
    {
      g_free (req->session->expires_at);
      req->session->expires_at = g_steal_pointer (&text);
    }
}

static gboolean
authenticate (BbRequest *req)
{
  const char *header = req->authorization;
  g_autoptr(GError) error = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *now = NULL;
  const char *token;

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    {
      unauthorized (req);
      return FALSE;
    }
  token = header + 7;
  while (*token == ' ')
    token++;
  if (*token == '\0' || strlen (token) > 512)
    {
      unauthorized (req);
      return FALSE;
    }

  /* Only the hash is stored, so looking it up by equality leaks nothing
   * about the token itself through timing. */
  token_hash = bb_server_token_hash (token);
  req->session = bb_server_store_session_get (req->store, token_hash, &error);
  if (error != NULL)
    {
      bb_request_storage_error (req, error);
      return FALSE;
    }
  if (req->session == NULL)
    {
      unauthorized (req);
      return FALSE;
    }

  /* A revoked device hears so even on an old token: the client wipes. */
  req->device = bb_server_store_device_get (req->store, req->session->device_id, &error);
  if (error != NULL)
    {
      bb_request_storage_error (req, error);
      return FALSE;
    }
  if (req->device == NULL || req->device->revoked_at != NULL)
    {
      bb_request_error (req, SOUP_STATUS_UNAUTHORIZED, "device_revoked",
                        _("This device has been revoked by an administrator; its local data must be wiped."));
      return FALSE;
    }

  now = bb_server_time_now ();
  if (req->session->revoked || g_strcmp0 (req->session->expires_at, now) <= 0)
    {
      unauthorized (req);
      return FALSE;
    }

  req->user = bb_server_store_user_find (req->store, NULL, req->session->user_id, &error);
  if (error != NULL)
    {
      bb_request_storage_error (req, error);
      return FALSE;
    }
  if (req->user == NULL || req->user->disabled)
    {
      unauthorized (req);
      return FALSE;
    }

  req->role = bb_role_from_string (req->user->role);
  renew_session (req);
  return TRUE;
}

/* Endpoints */

static void
handle_health (BbRequest *req)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "ok");
  json_builder_end_object (builder);
  bb_request_reply_json (req, SOUP_STATUS_OK, json_builder_get_root (builder));
}

/* docs/openapi.yaml, compiled in: the installed server needs no docs. */
static void
handle_openapi (BbRequest *req)
{
  g_autoptr(GBytes) json = bb_server_openapi_json ();

  /* The same for every caller and for the life of this binary. */
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "Cache-Control", "no-cache");
  soup_server_message_set_status (req->msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (req->msg, "application/json", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (json, NULL), g_bytes_get_size (json));
}

static void
handle_profile (BbRequest *req)
{
  bb_request_reply_json (req, SOUP_STATUS_OK, bb_profile_to_json (req->profile));
}

/* Routing */

static gboolean
match_route (const char  *path,
             Route       *route,
             char       **record_id)
{
  static const struct { const char *path; Route route; } fixed[] = {
    { "/healthz", ROUTE_HEALTH },
    { "/api/v1/openapi.json", ROUTE_OPENAPI },
    { "/api/v1/sessions", ROUTE_SESSIONS },
    { "/api/v1/sessions/current", ROUTE_SESSION_CURRENT },
    { "/api/v1/me", ROUTE_ME },
    { "/api/v1/profile", ROUTE_PROFILE },
    { "/api/v1/sync/push", ROUTE_PUSH },
    { "/api/v1/sync/pull", ROUTE_PULL },
    { "/api/v1/s59/lookup", ROUTE_LOOKUP },
    { "/api/v1/audit", ROUTE_AUDIT },
    { "/api/v1/audit/exports", ROUTE_AUDIT_EXPORTS },
  };
  static const char records_prefix[] = "/api/v1/records/";
  static const char review_suffix[] = "/review";
  static const char blobs_prefix[] = "/api/v1/blobs/";

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    if (g_str_equal (path, fixed[i].path))
      {
        *route = fixed[i].route;
        return TRUE;
      }

  if (g_str_has_prefix (path, records_prefix) && g_str_has_suffix (path, review_suffix))
    {
      gsize start = strlen (records_prefix);
      gsize end = strlen (path) - strlen (review_suffix);

      if (end > start && memchr (path + start, '/', end - start) == NULL)
        {
          *record_id = g_strndup (path + start, end - start);
          *route = ROUTE_REVIEW;
          return TRUE;
        }
    }

  if (g_str_has_prefix (path, blobs_prefix) && path[strlen (blobs_prefix)] != '\0' &&
      strchr (path + strlen (blobs_prefix), '/') == NULL)
    {
      *record_id = g_strdup (path + strlen (blobs_prefix));
      *route = ROUTE_BLOB;
      return TRUE;
    }

  return FALSE;
}

/* The path as docs/openapi.yaml writes it. */
static const char *
route_template (Route route)
{
  switch (route)
    {
    case ROUTE_HEALTH:
      return "/healthz";
    case ROUTE_OPENAPI:
      return "/api/v1/openapi.json";
    case ROUTE_SESSIONS:
      return "/api/v1/sessions";
    case ROUTE_SESSION_CURRENT:
      return "/api/v1/sessions/current";
    case ROUTE_ME:
      return "/api/v1/me";
    case ROUTE_PROFILE:
      return "/api/v1/profile";
    case ROUTE_PUSH:
      return "/api/v1/sync/push";
    case ROUTE_PULL:
      return "/api/v1/sync/pull";
    case ROUTE_REVIEW:
      return "/api/v1/records/{id}/review";
    case ROUTE_LOOKUP:
      return "/api/v1/s59/lookup";
    case ROUTE_AUDIT:
      return "/api/v1/audit";
    case ROUTE_AUDIT_EXPORTS:
      return "/api/v1/audit/exports";
    case ROUTE_BLOB:
      return "/api/v1/blobs/{sha256}";
    default:
      g_assert_not_reached ();
    }
}

static const char *
route_methods (Route route)
{
  switch (route)
    {
    case ROUTE_SESSIONS:
    case ROUTE_PUSH:
    case ROUTE_REVIEW:
    case ROUTE_AUDIT_EXPORTS:
      return "POST";
    case ROUTE_SESSION_CURRENT:
      return "DELETE";
    case ROUTE_HEALTH:
    case ROUTE_OPENAPI:
    case ROUTE_ME:
    case ROUTE_PROFILE:
    case ROUTE_PULL:
    case ROUTE_LOOKUP:
    case ROUTE_AUDIT:
      return "GET, HEAD";
    case ROUTE_BLOB:
      return "GET, HEAD, PUT";
    default:
      g_assert_not_reached ();
    }
}

static gboolean
method_allowed (Route       route,
                const char *method)
{
  const char *allowed = route_methods (route);

  if (g_str_equal (allowed, "GET, HEAD, PUT"))
    return g_str_equal (method, "GET") || g_str_equal (method, "HEAD") || g_str_equal (method, "PUT");
  if (g_str_equal (allowed, "GET, HEAD"))
    return g_str_equal (method, "GET") || g_str_equal (method, "HEAD");
  return g_str_equal (method, allowed);
}

/* Everything a handler reads of the message, read now on the main thread. */
static void
request_init (BbRequest         *req,
              BbServer          *self,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *type = soup_message_headers_get_content_type (headers, NULL);

  memset (req, 0, sizeof *req);
  req->server = self;
  req->store = self->store;
  req->profile = self->profile;
  req->blobs = self->blobs;
  req->msg = msg;
  req->query = query;
  req->path = path;
  req->method = soup_server_message_get_method (msg);
  req->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  req->body_is_json = type != NULL && g_ascii_strcasecmp (type, "application/json") == 0;
}

static void
request_clear (BbRequest *req)
{
  g_clear_pointer (&req->session, bb_server_session_free);
  g_clear_pointer (&req->device, bb_server_device_free);
  g_clear_pointer (&req->user, bb_server_user_free);
  g_clear_pointer (&req->body, g_bytes_unref);
  g_clear_pointer (&req->authorization, g_free);
  g_clear_pointer (&req->answer_text, g_free);
}

/* Whether @route reads or writes records and goes to a worker: its
 * handler answers through bb_request_reply_json() and bb_request_error()
 * only, and uses nothing of the server but the store it is given. */
static gboolean
route_on_worker (Route route)
{
  switch (route)
    {
    case ROUTE_ME:
    case ROUTE_PUSH:
    case ROUTE_PULL:
    case ROUTE_REVIEW:
    case ROUTE_LOOKUP:
    case ROUTE_AUDIT:
    case ROUTE_AUDIT_EXPORTS:
      return TRUE;
    case ROUTE_HEALTH:
    case ROUTE_OPENAPI:
    case ROUTE_SESSIONS:
    case ROUTE_SESSION_CURRENT:
    case ROUTE_PROFILE:
    case ROUTE_BLOB:
    default:
      return FALSE;
    }
}

static void
dispatch (BbRequest  *req,
          Route       route,
          const char *record_id)
{
  switch (route)
    {
    case ROUTE_HEALTH:
      handle_health (req);
      break;
    case ROUTE_OPENAPI:
      handle_openapi (req);
      break;
    case ROUTE_SESSIONS:
      bb_server_handle_login (req);
      break;
    case ROUTE_SESSION_CURRENT:
      bb_server_handle_logout (req);
      break;
    case ROUTE_ME:
      bb_server_handle_me (req);
      break;
    case ROUTE_PROFILE:
      handle_profile (req);
      break;
    case ROUTE_PUSH:
      bb_server_handle_push (req);
      break;
    case ROUTE_PULL:
      bb_server_handle_pull (req);
      break;
    case ROUTE_REVIEW:
      bb_server_handle_review (req, record_id);
      break;
    case ROUTE_LOOKUP:
      bb_server_handle_lookup (req);
      break;
    case ROUTE_AUDIT:
      bb_server_handle_audit (req);
      break;
    case ROUTE_AUDIT_EXPORTS:
      bb_server_handle_audit_exports (req);
      break;
    case ROUTE_BLOB:
      bb_server_handle_blob (req, record_id);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Workers */

static void
request_job_free (RequestJob *job)
{
  g_signal_handlers_disconnect_by_data (job->req.msg, job);
  g_clear_pointer (&job->req.query, g_hash_table_unref);
  request_clear (&job->req);
  g_object_unref (job->req.msg);
  g_free (job->record_id);
  g_free (job->path);
  g_free (job);
}

static void
request_job_message_finished (SoupServerMessage *msg,
                              RequestJob        *job)
{
  job->finished = TRUE;
}

/* On the main thread: the worker's answer goes on the message. */
static gboolean
request_job_answer (gpointer data)
{
  RequestJob *job = data;

  if (job->finished)
    return G_SOURCE_REMOVE;
  if (job->req.answer_text != NULL)
    bb_server_reply_json_text (job->req.msg, job->req.answer_status,
                               g_steal_pointer (&job->req.answer_text));
  else
    {
      /* Every handler on a worker answers; this is a bug, not the client's. */
      g_critical ("No answer was made for %s %s", job->req.method, job->path);
      bb_server_reply_json (job->req.msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                            bb_server_error_body ("internal_error",
                                                  _("The server could not answer this request.")));
    }
  soup_server_message_unpause (job->req.msg);
  return G_SOURCE_REMOVE;
}

/* A connection for the calling worker: the store itself when it may be
 * shared, else one of the workers' own, opened the first time one is
 * missing (at most one per worker thread). */
static BbServerStore *
worker_store_take (BbServer  *self,
                   GError   **error)
{
  BbServerStore *store;

  if (bb_server_store_is_thread_safe (self->store))
    return self->store;
  store = g_async_queue_try_pop (self->idle_stores);
  if (store != NULL)
    return store;
  store = bb_server_store_reopen (self->store, error);
  if (store == NULL)
    return NULL;
  g_mutex_lock (&self->stores_lock);
  g_ptr_array_add (self->worker_stores, store);
  g_mutex_unlock (&self->stores_lock);
  return store;
}

static void
worker_store_give_back (BbServer      *self,
                        BbServerStore *store)
{
  if (store != self->store)
    g_async_queue_push (self->idle_stores, store);
}

static void
request_job_run (gpointer data,
                 gpointer user_data)
{
  RequestJob *job = data;
  BbServer *self = user_data;
  g_autoptr(GError) error = NULL;
  BbServerStore *store;
  GSource *source;

  store = worker_store_take (self, &error);
  if (store == NULL)
    bb_request_storage_error (&job->req, error);
  else
    {
      job->req.store = store;
      if (authenticate (&job->req))
        dispatch (&job->req, job->route, job->record_id);
      job->req.store = NULL;
      worker_store_give_back (self, store);
    }

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, request_job_answer, job, (GDestroyNotify) request_job_free);
  g_source_set_static_name (source, "[beatbook-server] answer");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/* Hands @req to a worker (taking what it owns); the message waits, paused. */
static void
request_to_worker (BbServer   *self,
                   BbRequest  *req,
                   Route       route,
                   char      **record_id)
{
  RequestJob *job = g_new0 (RequestJob, 1);

  job->req = *req;
  memset (req, 0, sizeof *req);
  job->req.answer_later = TRUE;
  job->req.store = NULL;
  job->req.server = NULL;   /* no handler on a worker calls back into the server */
  if (job->req.query != NULL)
    g_hash_table_ref (job->req.query);
  job->path = g_strdup (job->req.path);
  job->req.path = job->path;
  job->route = route;
  job->record_id = g_steal_pointer (record_id);
  g_object_ref (job->req.msg);
  g_signal_connect (job->req.msg, "finished", G_CALLBACK (request_job_message_finished), job);
  soup_server_message_pause (job->req.msg);
  g_thread_pool_push (self->request_pool, job, NULL);
}

static void
server_callback (SoupServer        *soup,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  BbServer *self = user_data;
  BbRequest req;
  g_autofree char *record_id = NULL;
  const char *method = soup_server_message_get_method (msg);
  BodyBuffer *buffer;
  Route route;

  /* An evidence upload refused early has its answer already. */
  if (soup_server_message_get_status (msg) != 0)
    return;

  request_init (&req, self, msg, path, query);

  if (!match_route (path, &route, &record_id))
    {
      bb_request_error (&req, SOUP_STATUS_NOT_FOUND, "not_found",
                        _("There is no such address in the Beatbook sync API."));
      request_clear (&req);
      return;
    }
  if (!method_allowed (route, method))
    {
      g_autofree char *message = g_strdup_printf (_("This address answers %s only."), route_methods (route));

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", route_methods (route));
      bb_request_error (&req, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed", message);
      request_clear (&req);
      return;
    }

  buffer = g_object_get_data (G_OBJECT (msg), body_buffer_key);
  if (buffer != NULL && buffer->too_large)
    {
      bb_request_error (&req, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                        _("The request body is larger than 8 MiB; send fewer changes at a time."));
      request_clear (&req);
      return;
    }
  if (buffer != NULL && buffer->data->len > 0)
    req.body = g_bytes_new (buffer->data->data, buffer->data->len);

  /* Authenticated on the worker too: the session look-up is a query. */
  if (self->request_pool != NULL && route_on_worker (route))
    {
      request_to_worker (self, &req, route, &record_id);
      return;
    }

  if (route != ROUTE_HEALTH && route != ROUTE_OPENAPI && route != ROUTE_SESSIONS &&
      !authenticate (&req))
    {
      request_clear (&req);
      return;
    }

  dispatch (&req, route, record_id);
  request_clear (&req);
}

static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              BodyBuffer        *buffer)
{
  gsize size = g_bytes_get_size (chunk);

  if (buffer->too_large)
    return;
  if (buffer->data->len + size > BB_SERVER_MAX_BODY_BYTES)
    {
      /* Keep reading (HTTP needs the body consumed) but keep nothing. */
      buffer->too_large = TRUE;
      g_byte_array_set_size (buffer->data, 0);
      return;
    }
  g_byte_array_append (buffer->data, g_bytes_get_data (chunk, NULL), (guint) size);
}

static void
on_message_finished (SoupServerMessage *msg,
                     BbServer          *self)
{
  g_assert (self->n_in_flight > 0);
  self->n_in_flight--;

  /* An upload whose connection broke mid-body was never answered: libsoup
   * marks it 500 on its own, but nothing crossed the wire to log. */
  if (self->exchange_log != NULL && !bb_server_blob_upload_cut_off (msg))
    {
      BodyBuffer *buffer = g_object_get_data (G_OBJECT (msg), body_buffer_key);
      g_autoptr(GBytes) body = NULL;
      g_autofree char *record_id = NULL;
      Route route;
      gboolean matched = match_route (g_uri_get_path (soup_server_message_get_uri (msg)),
                                      &route, &record_id);

      if (buffer != NULL && !buffer->too_large)
        body = g_bytes_new (buffer->data->data, buffer->data->len);
      else if (bb_server_blob_upload_received (msg) > 0)
        /* An evidence upload went to disk, not here: the log needs its
         * size only (its bytes are never logged). */
        body = g_bytes_new_take (g_malloc0 ((gsize) bb_server_blob_upload_received (msg)),
                                 (gsize) bb_server_blob_upload_received (msg));
      bb_exchange_log_append (self->exchange_log, msg,
                              matched ? route_template (route) : NULL, body);
    }
}

/* libsoup answers a request it cannot read (a bad percent-encoding such
 * as "%zz" or "%00" in the address, a malformed header) with a bare status
 * before any handler runs, and without a signal in between. So every
 * message starts out holding the contract's error body, and loses it
 * again as soon as its headers turn out readable. */
static void
on_got_headers_checked (SoupServerMessage *msg,
                        gpointer           user_data)
{
  /* Connected after libsoup's own handler, so it sees its verdict. */
  if (soup_server_message_get_status (msg) != 0)
    return;
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_message_headers_remove (soup_server_message_get_response_headers (msg), "Content-Type");
}

static void
on_request_started (SoupServer        *soup,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  g_autoptr(JsonNode) body = bb_server_error_body ("invalid_request",
                                                  _("The request cannot be read: its address or headers are malformed "
                                                    "(check the percent-encoding, such as %zz or %00)."));
  char *text = json_to_string (body, FALSE);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control", "no-store");
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, strlen (text));
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers_checked), NULL);
}

/* Runs once the headers are in, before the body is read. */
static void
early_callback (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  BbServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  BodyBuffer *buffer;

  /* Counted from here, not from the connection: an idle keep-alive
   * connection is no request in flight. */
  self->n_in_flight++;
  g_signal_connect_object (msg, "finished", G_CALLBACK (on_message_finished), self, 0);

  if (self->shutting_down)
    {
      bb_server_reply_json (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                            bb_server_error_body ("shutting_down",
                                                  _("The server is shutting down; try again in a moment.")));
      soup_message_headers_replace (response_headers, "Connection", "close");
      return;
    }

  /* The body is collected here, capped, instead of by libsoup, which would
   * keep however much a client cares to send. */
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);

  /* An evidence file goes to disk as it arrives, after its sender is known
   * and its size allowed (bb-server-evidence.c). */
  if (g_str_equal (soup_server_message_get_method (msg), "PUT"))
    {
      g_autofree char *sha256 = NULL;
      Route route;

      if (match_route (path, &route, &sha256) && route == ROUTE_BLOB)
        {
          BbRequest req;

          request_init (&req, self, msg, path, query);
          if (!authenticate (&req))
            soup_message_headers_replace (response_headers, "Connection", "close");
          else
            bb_server_blob_put_early (&req, sha256, self->uploading);
          request_clear (&req);
          return;
        }
    }

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > BB_SERVER_MAX_BODY_BYTES)
    {
      bb_server_reply_json (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                            bb_server_error_body ("payload_too_large",
                                                  _("The request body is larger than 8 MiB; send fewer changes at a time.")));
      soup_message_headers_replace (response_headers, "Connection", "close");
      return;
    }

  buffer = g_new0 (BodyBuffer, 1);
  buffer->data = g_byte_array_new ();
  g_object_set_data_full (G_OBJECT (msg), body_buffer_key, buffer,
                          (GDestroyNotify) body_buffer_free);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), buffer);
}

/* Sign-in attempts */

static gboolean
password_job_finish (gpointer data)
{
  PasswordJob *job = data;

  job->done (job->ok, job->data);
  return G_SOURCE_REMOVE;
}

static void
password_job_free (PasswordJob *job)
{
  g_free (job->hash);
  if (job->password != NULL)
    memset (job->password, 0, strlen (job->password));
  g_free (job->password);
  g_free (job);
}

static void
password_job_run (gpointer data,
                  gpointer user_data)
{
  PasswordJob *job = data;

  job->ok = bb_server_password_verify (job->hash, job->password);
  memset (job->password, 0, strlen (job->password));
  g_idle_add_full (G_PRIORITY_DEFAULT, password_job_finish, job,
                   (GDestroyNotify) password_job_free);
}

void
bb_server_check_password (BbServer          *self,
                          const char        *hash,
                          const char        *password,
                          BbPasswordChecked  done,
                          gpointer           data)
{
  PasswordJob *job;

  g_return_if_fail (BB_IS_SERVER (self));
  g_return_if_fail (password != NULL && done != NULL);

  job = g_new0 (PasswordJob, 1);
  job->hash = g_strdup (hash);
  job->password = g_strdup (password);
  job->done = done;
  job->data = data;
  g_thread_pool_push (self->password_pool, job, NULL);
}

/* The Attempts of @key in @table, a new window when the old one passed. */
static Attempts *
attempts_for (GHashTable *table,
              const char *key)
{
  gint64 now = g_get_real_time ();
  gint64 window = (gint64) BB_SERVER_LOCKOUT_WINDOW_SECONDS * G_USEC_PER_SEC;
  Attempts *attempts = g_hash_table_lookup (table, key);

  if (attempts != NULL && now - attempts->since < window)
    return attempts;

  /* Forgets passed windows before the table grows large: one flood must
   * not fill the memory instead of the disk. */
  if (g_hash_table_size (table) >= BB_SERVER_MAX_TRACKED_ADDRESSES)
    {
      GHashTableIter iter;
      Attempts *old;

      g_hash_table_iter_init (&iter, table);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &old))
        if (now - old->since >= window)
          g_hash_table_iter_remove (&iter);
      if (g_hash_table_size (table) >= BB_SERVER_MAX_TRACKED_ADDRESSES)
        g_hash_table_remove_all (table);
    }

  attempts = g_new0 (Attempts, 1);
  attempts->since = now;
  g_hash_table_replace (table, g_strdup (key), attempts);
  return attempts;
}

gboolean
bb_server_sign_in_refused (BbServer   *self,
                           const char *address,
                           gboolean   *first)
{
  Attempts *attempts;

  g_return_val_if_fail (BB_IS_SERVER (self), FALSE);

  attempts = attempts_for (self->failures_by_address, address != NULL ? address : "");
  *first = FALSE;
  if (attempts->count < BB_SERVER_ADDRESS_MAX_FAILURES)
    return FALSE;
  *first = !attempts->reported;
  attempts->reported = TRUE;
  return TRUE;
}

void
bb_server_sign_in_failed (BbServer   *self,
                          const char *address)
{
  g_return_if_fail (BB_IS_SERVER (self));

  attempts_for (self->failures_by_address, address != NULL ? address : "")->count++;
}

gboolean
bb_server_lockout_first_seen (BbServer   *self,
                              const char *username)
{
  Attempts *attempts;

  g_return_val_if_fail (BB_IS_SERVER (self), FALSE);

  attempts = attempts_for (self->lockouts_logged, username);
  if (attempts->reported)
    return FALSE;
  attempts->reported = TRUE;
  return TRUE;
}

/* GObject */

static void
bb_server_dispose (GObject *object)
{
  BbServer *self = (BbServer *) object;

  g_clear_pointer (&self->guard, bb_conn_guard_free);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_object (&self->listener);
  g_clear_object (&self->keepalive_peer);
  if (self->password_pool != NULL)
    {
      /* Lets the checks under way end; their answers are not sent. */
      g_thread_pool_free (self->password_pool, TRUE, TRUE);
      self->password_pool = NULL;
    }
  if (self->request_pool != NULL)
    {
      /* Lets every request handed over end first (they use the store,
       * which the caller closes after the server); their answers go out
       * only if the main context runs again. */
      g_thread_pool_free (self->request_pool, FALSE, TRUE);
      self->request_pool = NULL;
    }
  if (self->idle_stores != NULL)
    {
      /* Every worker gave its connection back when its request ended. */
      while (g_async_queue_try_pop (self->idle_stores) != NULL)
        ;
      g_clear_pointer (&self->idle_stores, g_async_queue_unref);
    }
  g_clear_pointer (&self->worker_stores, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->failures_by_address, g_hash_table_unref);
  g_clear_pointer (&self->lockouts_logged, g_hash_table_unref);
  g_clear_handle_id (&self->sweep_id, g_source_remove);
  g_clear_object (&self->profile);
  g_clear_pointer (&self->exchange_log, bb_exchange_log_free);

  G_OBJECT_CLASS (bb_server_parent_class)->dispose (object);
}

static void
bb_server_finalize (GObject *object)
{
  BbServer *self = (BbServer *) object;

  g_clear_pointer (&self->blobs, bb_server_blobs_free);
  g_clear_pointer (&self->uploading, g_hash_table_unref);
  g_mutex_clear (&self->stores_lock);

  G_OBJECT_CLASS (bb_server_parent_class)->finalize (object);
}

static void
bb_server_class_init (BbServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bb_server_dispose;
  object_class->finalize = bb_server_finalize;
}

static void
bb_server_init (BbServer *self)
{
  self->max_connections = 1024 - BB_SERVER_FD_RESERVE;
  self->idle_timeout = BB_SERVER_IDLE_TIMEOUT_DEFAULT;
  self->failures_by_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->lockouts_logged = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* Argon2 takes tens of milliseconds of one core by design: on the main
   * loop, a flood of sign-ins would hold up every push. One core stays
   * for the main loop. */
  self->password_pool = g_thread_pool_new (password_job_run, NULL,
                                           MAX (1, (int) g_get_num_processors () - 1),
                                           FALSE, NULL);
  self->uploading = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_mutex_init (&self->stores_lock);
}

/* The request workers: two per core, at least four (a worker waiting on
 * the disk or on another's write holds no core), and no more threads
 * than a store serves at once. */
static guint
n_request_workers (void)
{
  const char *forced = g_getenv ("BEATBOOK_SERVER_WORKERS");

  if (forced != NULL && *forced != '\0')
    return (guint) MIN (g_ascii_strtoull (forced, NULL, 10), BB_SERVER_STORE_MAX_THREADS);
  return CLAMP (2 * g_get_num_processors (), 4, BB_SERVER_STORE_MAX_THREADS);
}

/* Starts the request workers, unless the store cannot be shared nor
 * opened again (an in-memory database): every request is then answered
 * on the main thread. A first connection is opened now, so a database that
 * cannot be opened twice is found at start, not at the first push. */
static void
start_request_workers (BbServer *self)
{
  g_autoptr(GError) error = NULL;
  guint n = n_request_workers ();

  if (n == 0)
    return;
  if (!bb_server_store_is_thread_safe (self->store))
    {
      BbServerStore *first = bb_server_store_reopen (self->store, &error);

      if (first == NULL)
        {
          g_debug ("Answering every request on the main thread: %s", error->message);
          return;
        }
      self->worker_stores = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_server_store_close);
      g_ptr_array_add (self->worker_stores, first);
      self->idle_stores = g_async_queue_new ();
      g_async_queue_push (self->idle_stores, first);
    }
  self->request_pool = g_thread_pool_new (request_job_run, self, (int) n, FALSE, NULL);
}

/* Public API */

BbServer *
bb_server_new (BbServerStore *store,
               BbProfile     *profile)
{
  BbServer *self;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (BB_IS_PROFILE (profile), NULL);

  /* Makes the dummy hash for unknown users now, so the first failed
   * sign-in takes no longer than the others. */
  bb_server_password_verify (NULL, "");

  self = g_object_new (BB_TYPE_SERVER, NULL);
  self->store = store;
  self->profile = g_object_ref (profile);
  self->context = g_main_context_ref_thread_default ();
  start_request_workers (self);
  self->soup = soup_server_new ("server-header", "beatbook-server/" PACKAGE_VERSION " ", NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (on_request_started), NULL);
  soup_server_add_early_handler (self->soup, NULL, early_callback, self, NULL);
  soup_server_add_handler (self->soup, NULL, server_callback, self, NULL);

  return self;
}

/* libsoup keeps a connection open after a request only while it has a
 * listener of its own; connections handed over by the guard would close
 * after every answer. One end of a socket pair, which nobody else can
 * reach and which never says anything, serves as that listener. */
static gboolean
keep_alive_on (BbServer  *self,
               GError   **error)
{
  g_autoptr(GSocket) ours = NULL;
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "socketpair: %s", g_strerror (saved));
      return FALSE;
    }
  ours = g_socket_new_from_fd (fds[0], error);
  if (ours == NULL)
    {
      close (fds[0]);
      close (fds[1]);
      return FALSE;
    }
  self->keepalive_peer = g_socket_new_from_fd (fds[1], error);
  if (self->keepalive_peer == NULL)
    {
      close (fds[1]);
      return FALSE;
    }
  return soup_server_listen_socket (self->soup, ours, 0, error);
}

gboolean
bb_server_listen (BbServer         *self,
                  const char       *address,
                  guint             port,
                  GTlsCertificate  *certificate,
                  GError          **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocket) listener = NULL;

  g_return_val_if_fail (BB_IS_SERVER (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (self->guard == NULL, FALSE);

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    {
      g_set_error (error, BB_SERVER_ERROR, BB_SERVER_ERROR_INVALID,
                   _("“%s” is not an IP address (for example 127.0.0.1 or ::1)"), address);
      return FALSE;
    }
  if (port > 65535)
    {
      g_set_error (error, BB_SERVER_ERROR, BB_SERVER_ERROR_INVALID,
                   _("%u is not a port number (0 to 65535)"), port);
      return FALSE;
    }

  self->tls = certificate != NULL;

  /* The socket is made here rather than by soup_server_listen(), whose
   * listen queue of 10 drops devices arriving together at a shift change,
   * and the guard accepts on it (bb-server-net.c says why). */
  socket_address = g_inet_socket_address_new (inet, (guint16) port);
  listener = bb_server_listen_socket_new (socket_address, BB_SERVER_LISTEN_BACKLOG, error);
  if (listener == NULL)
    return FALSE;
  self->listener = g_steal_pointer (&listener);
  if (!keep_alive_on (self, error))
    return FALSE;
  self->guard = bb_conn_guard_new (self->soup, self->listener, certificate,
                                   self->max_connections, self->idle_timeout);
  return TRUE;
}

void
bb_server_set_connection_limits (BbServer *self,
                                 guint     max_connections,
                                 guint     idle_timeout)
{
  g_return_if_fail (BB_IS_SERVER (self));
  g_return_if_fail (self->guard == NULL);

  self->max_connections = MAX (max_connections, 1);
  self->idle_timeout = idle_timeout;
}

char *
bb_server_dup_uri (BbServer *self)
{
  g_autoptr(GSocketAddress) local = NULL;
  g_autofree char *host = NULL;
  GInetAddress *inet;
  guint16 port;

  g_return_val_if_fail (BB_IS_SERVER (self), NULL);

  if (self->listener == NULL)
    return NULL;
  local = g_socket_get_local_address (self->listener, NULL);
  if (local == NULL || !G_IS_INET_SOCKET_ADDRESS (local))
    return NULL;

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  host = g_inet_address_to_string (inet);

  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("%s://[%s]:%u", self->tls ? "https" : "http", host, port);
  return g_strdup_printf ("%s://%s:%u", self->tls ? "https" : "http", host, port);
}

/**
 * bb_server_set_exchange_log:
 * @path: (nullable): a file to append every exchange to, or %NULL for none
 *
 * For tests: every finished request is appended to @path as one line of
 * JSON (see bb-server-exchange-log.c). The log holds tokens and personal
 * data; a server in service never keeps one.
 */
gboolean
bb_server_set_exchange_log (BbServer    *self,
                            const char  *path,
                            GError     **error)
{
  BbExchangeLog *log = NULL;

  g_return_val_if_fail (BB_IS_SERVER (self), FALSE);

  if (path != NULL && (log = bb_exchange_log_open (path, error)) == NULL)
    return FALSE;
  g_clear_pointer (&self->exchange_log, bb_exchange_log_free);
  self->exchange_log = log;
  return TRUE;
}

void
bb_server_begin_shutdown (BbServer *self)
{
  g_return_if_fail (BB_IS_SERVER (self));

  /* The listening socket stays open until bb_server_close(), so a device
   * arriving meanwhile hears 503 rather than nothing. */
  self->shutting_down = TRUE;
}

void
bb_server_close (BbServer *self)
{
  g_return_if_fail (BB_IS_SERVER (self));

  if (self->guard != NULL)
    bb_conn_guard_stop_accepting (self->guard);
  soup_server_disconnect (self->soup);
}

guint
bb_server_get_n_in_flight (BbServer *self)
{
  g_return_val_if_fail (BB_IS_SERVER (self), 0);

  return self->n_in_flight;
}

static gboolean
on_sweep (gpointer user_data)
{
  bb_server_sweep_blobs (user_data);
  return G_SOURCE_CONTINUE;
}

void
bb_server_set_blobs (BbServer      *self,
                     BbServerBlobs *blobs)
{
  g_return_if_fail (BB_IS_SERVER (self));
  g_return_if_fail (self->blobs == NULL);

  self->blobs = blobs;
  /* At start, then hourly: a file no record lists goes 24 hours after its
   * upload, an unfinished upload 24 hours after its last byte. */
  bb_server_sweep_blobs (self);
  self->sweep_id = g_timeout_add_seconds (3600, on_sweep, self);
}

gint
bb_server_sweep_blobs (BbServer *self)
{
  g_autoptr(GError) error = NULL;
  gint n;

  g_return_val_if_fail (BB_IS_SERVER (self), -1);

  if (self->blobs == NULL)
    return 0;
  /* Under the write lock: a push on a worker could otherwise list a file
   * between its look-up here and its removal. */
  if (!bb_server_store_begin (self->store, &error))
    n = -1;
  else if ((n = bb_server_blobs_sweep (self->blobs, self->store, BB_SERVER_BLOBS_UNLISTED_SECONDS, &error)) < 0)
    bb_server_store_rollback (self->store);
  else if (!bb_server_store_commit (self->store, &error))
    n = -1;
  if (n < 0)
    g_warning ("Sweeping evidence files failed: %s", error->message);
  else if (n > 0)
    g_message ("Dropped %d evidence files that no record lists", n);
  return n;
}
