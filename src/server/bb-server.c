/* bb-server.c: HTTP plumbing, routing, sessions, and the small endpoints
 *
 * Requests are answered synchronously in the handler: SQLite answers in
 * well under a millisecond, so one thread serves a partnership's devices.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server"

#include "config.h"

#include <string.h>

#include "bb-i18n.h"
#include "bb-server-auth.h"
#include "bb-server-private.h"
#include "bb-server-util.h"
#include "bb-record.h"
#include "bb-time.h"

/* json-glib parses recursively: a body of a million '[' would exhaust the
 * stack. No record nests deeper than a handful of levels. */
#define MAX_JSON_DEPTH 32

/* Limits on the sign-in form, well above any real value. */
#define MAX_USERNAME_LENGTH    200
#define MAX_DEVICE_NAME_LENGTH 200

struct _BbServer
{
  GObject        parent_instance;

  SoupServer    *soup;
  BbServerStore *store;
  BbProfile     *profile;
  guint          n_in_flight;
  gboolean       tls;
  gboolean       shutting_down;
};

G_DEFINE_FINAL_TYPE (BbServer, bb_server, G_TYPE_OBJECT)

typedef enum {
  ROUTE_HEALTH,
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
} Route;

typedef struct
{
  GByteArray *data;
  gboolean    too_large;
} BodyBuffer;

static const char body_buffer_key[] = "bb-server-body";

/* Helpers */

static void
body_buffer_free (BodyBuffer *buffer)
{
  g_byte_array_unref (buffer->data);
  g_free (buffer);
}

static JsonNode *
error_body (const char *code,
            const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
reply_json (SoupServerMessage *msg,
            guint              status,
            JsonNode          *node)
{
  g_autoptr(JsonNode) owned = node;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  gsize length = 0;
  char *text;

  text = json_to_string (owned, FALSE);
  length = strlen (text);
  /* Answers carry tokens and personal data: never cached on the way. */
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  /* libsoup 3.2 has no phrase for 429. */
  soup_server_message_set_status (msg, status, status == 429 ? "Too Many Requests" : NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, length);
}

void
bb_request_reply_json (BbRequest *req,
                       guint      status,
                       JsonNode  *node)
{
  reply_json (req->msg, status, node);
}

void
bb_request_error (BbRequest  *req,
                  guint       status,
                  const char *code,
                  const char *message)
{
  reply_json (req->msg, status, error_body (code, message));
}

void
bb_request_storage_error (BbRequest    *req,
                          const GError *error)
{
  /* The detail goes to the log for the operator, not to the client. */
  g_warning ("Storage failed on %s %s: %s",
             soup_server_message_get_method (req->msg), req->path,
             error != NULL ? error->message : "unknown error");
  bb_request_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "storage_failed",
                    _("The server could not read or write its database. Nothing was changed; try again later."));
}

gboolean
bb_request_audit (BbRequest   *req,
                  const char  *action,
                  const char  *record_id,
                  const char  *detail,
                  GError     **error)
{
  g_autofree char *now = bb_server_time_now ();
  BbServerAuditEntry entry = { 0 };

  entry.at = now;
  entry.user_id = req->user != NULL ? req->user->id : NULL;
  entry.device_id = req->device != NULL ? req->device->id : NULL;
  entry.action = (char *) action;
  entry.record_id = (char *) record_id;
  entry.detail = (char *) detail;

  return bb_server_store_audit_append (req->store, &entry, error);
}

gboolean
bb_request_query_int (BbRequest  *req,
                      const char *name,
                      gint64      min,
                      gint64      max,
                      gint64      fallback,
                      gint64     *value)
{
  const char *text = req->query != NULL ? g_hash_table_lookup (req->query, name) : NULL;
  g_autoptr(GError) error = NULL;
  gint64 parsed;

  if (text == NULL)
    {
      *value = fallback;
      return TRUE;
    }

  if (!g_ascii_string_to_signed (text, 10, min, max, &parsed, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The query parameter “%s” must be a whole number from %lld to %lld."),
                                                  name, (long long) min, (long long) max);
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", message);
      return FALSE;
    }

  *value = parsed;
  return TRUE;
}

/* Whether @data nests no deeper than @max_depth, without building it. */
static gboolean
json_depth_ok (const char *data,
               gsize       length,
               guint       max_depth)
{
  gboolean in_string = FALSE, escaped = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }

  return TRUE;
}

static gboolean
content_type_is_json (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *type = soup_message_headers_get_content_type (headers, NULL);

  return type != NULL && g_ascii_strcasecmp (type, "application/json") == 0;
}

JsonNode *
bb_request_parse_body (BbRequest *req)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  const char *data;
  gsize length = 0;
  JsonNode *root;

  if (!content_type_is_json (req->msg))
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "unsupported_media_type",
                        _("The request body must be JSON, sent with “Content-Type: application/json”."));
      return NULL;
    }

  data = req->body != NULL ? g_bytes_get_data (req->body, &length) : NULL;
  if (length == 0)
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_json",
                        _("The request body is empty; a JSON object was expected."));
      return NULL;
    }
  if (!g_utf8_validate_len (data, length, NULL))
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_json",
                        _("The request body is not valid UTF-8."));
      return NULL;
    }
  if (!json_depth_ok (data, length, MAX_JSON_DEPTH))
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_json",
                        _("The request body nests objects or arrays too deeply."));
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The request body is not valid JSON: %s"),
                                                  error->message);
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_json", message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_json",
                        _("The request body must be a JSON object."));
      return NULL;
    }

  return json_node_ref (root);
}

/* A string member of @object: FALSE (after answering 400) when present but
 * not a string, or missing while @required, or longer than @max_length. */
static gboolean
get_string_member (BbRequest   *req,
                   JsonObject  *object,
                   const char  *name,
                   gboolean     required,
                   gsize        max_length,
                   const char **value)
{
  JsonNode *node = json_object_get_member (object, name);

  *value = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        {
          g_autofree char *message = g_strdup_printf (_("“%s” is missing."), name);
          bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request", message);
          return FALSE;
        }
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autofree char *message = g_strdup_printf (_("“%s” must be a string."), name);
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request", message);
      return FALSE;
    }
  *value = json_node_get_string (node);
  if (required && **value == '\0')
    {
      g_autofree char *message = g_strdup_printf (_("“%s” is empty."), name);
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request", message);
      return FALSE;
    }
  if (g_utf8_strlen (*value, -1) > (glong) max_length)
    {
      g_autofree char *message = g_strdup_printf (_("“%s” is longer than %u characters."),
                                                  name, (guint) max_length);
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request", message);
      return FALSE;
    }

  return TRUE;
}

static void
add_user_json (JsonBuilder        *builder,
               const BbServerUser *user)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, user->id);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, user->username);
  json_builder_set_member_name (builder, "display_name");
  json_builder_add_string_value (builder, user->display_name);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, user->role);
  json_builder_set_member_name (builder, "staff_number");
  if (user->staff_number != NULL)
    json_builder_add_string_value (builder, user->staff_number);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
}

static void
add_nullable_string (JsonBuilder *builder,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* Authentication */

static void
unauthorized (BbRequest *req)
{
  bb_request_error (req, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                    _("Sign in first: the token is missing, unknown, expired or revoked."));
}

static gboolean
authenticate (BbRequest *req)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *header = soup_message_headers_get_one (headers, "Authorization");
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

static void
login_failed (BbRequest   *req,
              const char  *username,
              const char  *user_id,
              const char  *why,
              const char  *now)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = g_strdup_printf ("username=%s; %s", username, why);
  BbServerAuditEntry entry = { 0 };

  entry.at = (char *) now;
  entry.user_id = (char *) user_id;
  entry.action = (char *) "login_failed";
  entry.detail = detail;

  if (!bb_server_store_begin (req->store, &error) ||
      !bb_server_store_login_failure_add (req->store, username, now, &error) ||
      !bb_server_store_audit_append (req->store, &entry, &error) ||
      !bb_server_store_commit (req->store, &error))
    {
      bb_server_store_rollback (req->store);
      bb_request_storage_error (req, error);
      return;
    }

  bb_request_error (req, SOUP_STATUS_UNAUTHORIZED, "invalid_credentials",
                    _("The username or password is wrong."));
}

static void
handle_login (BbRequest *req)
{
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BbServerUser) user = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *now = NULL;
  g_autofree char *window_start = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *expires_at = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *detail = NULL;
  const char *username, *password, *device_name;
  BbServerDevice device = { 0 };
  BbServerSession session = { 0 };
  BbServerAuditEntry entry = { 0 };
  JsonObject *object;
  guint failures = 0;
  gboolean ok;

  body = bb_request_parse_body (req);
  if (body == NULL)
    return;
  object = json_node_get_object (body);
  if (!get_string_member (req, object, "username", TRUE, MAX_USERNAME_LENGTH, &username) ||
      !get_string_member (req, object, "password", TRUE, BB_SERVER_PASSWORD_MAX_LENGTH, &password) ||
      !get_string_member (req, object, "device_name", FALSE, MAX_DEVICE_NAME_LENGTH, &device_name))
    return;
  if (device_name == NULL || *device_name == '\0')
    device_name = _("Unnamed device");

  now = bb_server_time_now ();
  window_start = bb_server_time_from_now (-BB_SERVER_LOCKOUT_WINDOW_SECONDS);
  if (!bb_server_store_login_failures_count (req->store, username, window_start, &failures, &error))
    {
      bb_request_storage_error (req, error);
      return;
    }
  user = bb_server_store_user_find (req->store, username, NULL, &error);
  if (error != NULL)
    {
      bb_request_storage_error (req, error);
      return;
    }

  if (failures >= BB_SERVER_LOCKOUT_FAILURES)
    {
      g_autofree char *locked = g_strdup_printf ("username=%s; locked out", username);

      /* Attempts while locked out are logged, but do not extend the lock:
       * it ends when the window passes, as the contract says. */
      entry.at = now;
      entry.user_id = user != NULL ? user->id : NULL;
      entry.action = (char *) "login_failed";
      entry.detail = locked;
      if (!bb_server_store_audit_append (req->store, &entry, &error))
        {
          bb_request_storage_error (req, error);
          return;
        }
      bb_request_error (req, 429 /* Too Many Requests: not in libsoup 3.2's enum */, "too_many_attempts",
                        _("Too many failed sign-in attempts for this username. Wait 15 minutes and try again."));
      return;
    }

  /* Verify even for an unknown user (against a dummy hash): the time taken
   * must not tell whether the username exists. */
  ok = bb_server_password_verify (user != NULL ? user->password_hash : NULL, password);
  if (!ok || user->disabled)
    {
      login_failed (req, username, user != NULL ? user->id : NULL,
                    user == NULL ? "unknown user" : !ok ? "wrong password" : "user disabled",
                    now);
      return;
    }

  token = bb_server_token_new (&error);
  if (token == NULL)
    {
      bb_request_storage_error (req, error);
      return;
    }
  token_hash = bb_server_token_hash (token);
  expires_at = bb_server_time_from_now (BB_SERVER_TOKEN_LIFETIME_SECONDS);
  device_id = g_uuid_string_random ();

  device.id = device_id;
  device.name = (char *) device_name;
  device.user_id = user->id;
  device.created_at = now;
  session.token_hash = token_hash;
  session.user_id = user->id;
  session.device_id = device_id;
  session.created_at = now;
  session.expires_at = expires_at;
  detail = g_strdup_printf ("device_name=%s", device_name);
  entry.at = now;
  entry.user_id = user->id;
  entry.device_id = device_id;
  entry.action = (char *) "login";
  entry.detail = detail;

  if (!bb_server_store_begin (req->store, &error) ||
      !bb_server_store_device_add (req->store, &device, &error) ||
      !bb_server_store_session_add (req->store, &session, &error) ||
      !bb_server_store_audit_append (req->store, &entry, &error) ||
      !bb_server_store_commit (req->store, &error))
    {
      bb_server_store_rollback (req->store);
      bb_request_storage_error (req, error);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token);
  json_builder_set_member_name (builder, "expires_at");
  json_builder_add_string_value (builder, expires_at);
  json_builder_set_member_name (builder, "device_id");
  json_builder_add_string_value (builder, device_id);
  json_builder_set_member_name (builder, "user");
  add_user_json (builder, user);
  json_builder_end_object (builder);
  bb_request_reply_json (req, SOUP_STATUS_CREATED, json_builder_get_root (builder));
}

static void
handle_logout (BbRequest *req)
{
  g_autoptr(GError) error = NULL;

  if (!bb_server_store_session_revoke (req->store, req->session->token_hash, &error))
    {
      bb_request_storage_error (req, error);
      return;
    }
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_status (req->msg, SOUP_STATUS_NO_CONTENT, NULL);
}

static void
handle_me (BbRequest *req)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "user");
  add_user_json (builder, req->user);
  json_builder_set_member_name (builder, "device");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, req->device->id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, req->device->name);
  json_builder_end_object (builder);
  /* A revoked device never gets this far (401 device_revoked), so a device
   * that can read this answer has nothing to wipe. */
  json_builder_set_member_name (builder, "wipe");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);
  bb_request_reply_json (req, SOUP_STATUS_OK, json_builder_get_root (builder));
}

static void
handle_profile (BbRequest *req)
{
  bb_request_reply_json (req, SOUP_STATUS_OK, bb_profile_to_json (req->profile));
}

static void
handle_audit (BbRequest *req)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  gint64 since, limit, next;
  gboolean more = FALSE;

  if (req->role != BB_ROLE_ADMIN && req->role != BB_ROLE_SUPERVISOR)
    {
      bb_request_error (req, SOUP_STATUS_FORBIDDEN, "forbidden",
                        _("Only administrators and supervisors may read the audit log."));
      return;
    }
  if (!bb_request_query_int (req, "since", 0, G_MAXINT64, 0, &since) ||
      !bb_request_query_int (req, "limit", 1, 1000, 500, &limit))
    return;

  entries = bb_server_store_audit_list (req->store, since, (guint) limit, &more, &error);
  if (entries == NULL)
    {
      bb_request_storage_error (req, error);
      return;
    }

  next = since;
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "entries");
  json_builder_begin_array (builder);
  for (guint i = 0; i < entries->len; i++)
    {
      BbServerAuditEntry *entry = entries->pdata[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "seq");
      json_builder_add_int_value (builder, entry->seq);
      json_builder_set_member_name (builder, "at");
      json_builder_add_string_value (builder, entry->at);
      add_nullable_string (builder, "user", entry->username);
      add_nullable_string (builder, "device", entry->device_id);
      add_nullable_string (builder, "action", entry->action);
      add_nullable_string (builder, "record_id", entry->record_id);
      add_nullable_string (builder, "detail", entry->detail);
      json_builder_end_object (builder);
      next = entry->seq;
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "next");
  json_builder_add_int_value (builder, next);
  json_builder_set_member_name (builder, "more");
  json_builder_add_boolean_value (builder, more);
  json_builder_end_object (builder);
  bb_request_reply_json (req, SOUP_STATUS_OK, json_builder_get_root (builder));
}

/* Export notices: a device tells the server what personal data it wrote
 * out (DPA 2018 s62, disclosure), at its next sync after the export. */

#define MAX_EXPORT_RECORD_IDS  10000
#define MAX_EXPORT_FILTER      1000
#define MAX_EXPORT_RECIPIENT   200

static const char *
export_string (JsonObject *object,
               const char *name,
               gboolean   *bad)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      *bad = TRUE;
      return NULL;
    }
  return json_node_get_string (node);
}

static gboolean
is_plain_date (const char *text)
{
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL || strlen (text) != 10)
    return FALSE;
  dt = bb_date_parse (text);
  return dt != NULL;
}

static void
handle_audit_exports (BbRequest *req)
{
  static const char * const known[] = {
    "id", "what", "count", "record_ids", "period", "made_at", "filter", "recipient", NULL
  };
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) detail_builder = NULL;
  g_autoptr(JsonNode) detail_node = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *record_detail = NULL;
  g_autofree char *made_at = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *object;
  JsonNode *count_node, *ids_node, *period_node;
  JsonArray *ids = NULL;
  const char *id, *what, *filter, *recipient, *made_at_text;
  const char *period_from = NULL, *period_to = NULL;
  gboolean bad = FALSE;
  gint64 count;
  guint n_entries = 0;

  if (req->role != BB_ROLE_ADMIN && req->role != BB_ROLE_SUPERVISOR)
    {
      bb_request_error (req, SOUP_STATUS_FORBIDDEN, "forbidden",
                        _("Only administrators and supervisors export records."));
      return;
    }

  body = bb_request_parse_body (req);
  if (body == NULL)
    return;
  object = json_node_get_object (body);

  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (known, l->data))
      {
        g_autofree char *message = g_strdup_printf (_("“%s” is not part of an export notice."),
                                                    (const char *) l->data);

        bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", message);
        return;
      }

  id = export_string (object, "id", &bad);
  if (bad || !bb_uuid_is_valid (id))
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        _("“id” must be a UUID made by the device for this export."));
      return;
    }
  what = export_string (object, "what", &bad);
  if (bad || (g_strcmp0 (what, "csv") != 0 && g_strcmp0 (what, "pdf") != 0))
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        _("“what” must be “csv” or “pdf”."));
      return;
    }
  count_node = json_object_get_member (object, "count");
  if (count_node == NULL || !JSON_NODE_HOLDS_VALUE (count_node) ||
      json_node_get_value_type (count_node) != G_TYPE_INT64 ||
      (count = json_node_get_int (count_node)) < 0)
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        _("“count” must be the number of records exported, 0 or more."));
      return;
    }

  ids_node = json_object_get_member (object, "record_ids");
  if (ids_node != NULL && !JSON_NODE_HOLDS_NULL (ids_node))
    {
      if (!JSON_NODE_HOLDS_ARRAY (ids_node))
        bad = TRUE;
      else
        {
          ids = json_node_get_array (ids_node);
          for (guint i = 0; i < json_array_get_length (ids) && !bad; i++)
            {
              JsonNode *element = json_array_get_element (ids, i);

              bad = !JSON_NODE_HOLDS_VALUE (element) ||
                    json_node_get_value_type (element) != G_TYPE_STRING ||
                    !bb_uuid_is_valid (json_node_get_string (element));
            }
        }
      if (bad)
        {
          bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                            _("“record_ids” must be a list of record ids."));
          return;
        }
      if (json_array_get_length (ids) > MAX_EXPORT_RECORD_IDS)
        {
          bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                            _("“record_ids” lists more than 10000 records; describe a larger export by its filter and count."));
          return;
        }
    }

  period_node = json_object_get_member (object, "period");
  if (period_node != NULL && !JSON_NODE_HOLDS_NULL (period_node))
    {
      JsonObject *period = JSON_NODE_HOLDS_OBJECT (period_node) ? json_node_get_object (period_node) : NULL;

      if (period != NULL)
        {
          period_from = export_string (period, "from", &bad);
          period_to = export_string (period, "to", &bad);
        }
      if (period == NULL || bad || !is_plain_date (period_from) || !is_plain_date (period_to) ||
          strcmp (period_from, period_to) >= 0)
        {
          bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                            _("“period” must be {\"from\": DATE, \"to\": DATE} with from before to."));
          return;
        }
    }

  made_at_text = export_string (object, "made_at", &bad);
  if (!bad && made_at_text != NULL)
    made_at = bb_server_time_canonical (made_at_text);
  if (bad || (made_at_text != NULL && made_at == NULL))
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        _("“made_at” must be an ISO 8601 time."));
      return;
    }
  filter = export_string (object, "filter", &bad);
  recipient = export_string (object, "recipient", &bad);
  if (bad ||
      (filter != NULL && g_utf8_strlen (filter, -1) > MAX_EXPORT_FILTER) ||
      (recipient != NULL && g_utf8_strlen (recipient, -1) > MAX_EXPORT_RECIPIENT))
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        _("“filter” (up to 1000 characters) and “recipient” (up to 200) must be text."));
      return;
    }

  /* The entry's detail is JSON, so a reader's tool can take it apart. */
  detail_builder = json_builder_new ();
  json_builder_begin_object (detail_builder);
  json_builder_set_member_name (detail_builder, "export_id");
  json_builder_add_string_value (detail_builder, id);
  json_builder_set_member_name (detail_builder, "what");
  json_builder_add_string_value (detail_builder, what);
  json_builder_set_member_name (detail_builder, "count");
  json_builder_add_int_value (detail_builder, count);
  if (made_at != NULL)
    {
      json_builder_set_member_name (detail_builder, "made_at");
      json_builder_add_string_value (detail_builder, made_at);
    }
  if (period_from != NULL)
    {
      json_builder_set_member_name (detail_builder, "period");
      json_builder_begin_object (detail_builder);
      json_builder_set_member_name (detail_builder, "from");
      json_builder_add_string_value (detail_builder, period_from);
      json_builder_set_member_name (detail_builder, "to");
      json_builder_add_string_value (detail_builder, period_to);
      json_builder_end_object (detail_builder);
    }
  if (filter != NULL)
    {
      json_builder_set_member_name (detail_builder, "filter");
      json_builder_add_string_value (detail_builder, filter);
    }
  if (recipient != NULL)
    {
      json_builder_set_member_name (detail_builder, "recipient");
      json_builder_add_string_value (detail_builder, recipient);
    }
  json_builder_end_object (detail_builder);
  detail_node = json_builder_get_root (detail_builder);
  detail = json_to_string (detail_node, FALSE);
  record_detail = g_strdup_printf ("{\"export_id\":\"%s\",\"what\":\"%s\"}", id, what);

  /* One entry for the export, and one per record listed so that a record's
   * own history shows every disclosure of it. */
  if (!bb_server_store_begin (req->store, &error))
    goto storage_failed;
  if (!bb_request_audit (req, "export", NULL, detail, &error))
    goto storage_failed_rollback;
  n_entries++;
  for (guint i = 0; ids != NULL && i < json_array_get_length (ids); i++)
    {
      if (!bb_request_audit (req, "export", json_array_get_string_element (ids, i),
                             record_detail, &error))
        goto storage_failed_rollback;
      n_entries++;
    }
  if (!bb_server_store_commit (req->store, &error))
    goto storage_failed_rollback;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "entries");
  json_builder_add_int_value (builder, n_entries);
  json_builder_end_object (builder);
  bb_request_reply_json (req, SOUP_STATUS_CREATED, json_builder_get_root (builder));
  return;

storage_failed_rollback:
  bb_server_store_rollback (req->store);
storage_failed:
  bb_request_storage_error (req, error);
}

/* Routing */

static gboolean
match_route (const char  *path,
             Route       *route,
             char       **record_id)
{
  static const struct { const char *path; Route route; } fixed[] = {
    { "/healthz", ROUTE_HEALTH },
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

  return FALSE;
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
    case ROUTE_ME:
    case ROUTE_PROFILE:
    case ROUTE_PULL:
    case ROUTE_LOOKUP:
    case ROUTE_AUDIT:
      return "GET, HEAD";
    default:
      g_assert_not_reached ();
    }
}

static gboolean
method_allowed (Route       route,
                const char *method)
{
  const char *allowed = route_methods (route);

  if (g_str_equal (allowed, "GET, HEAD"))
    return g_str_equal (method, "GET") || g_str_equal (method, "HEAD");
  return g_str_equal (method, allowed);
}

static void
request_clear (BbRequest *req)
{
  g_clear_pointer (&req->session, bb_server_session_free);
  g_clear_pointer (&req->device, bb_server_device_free);
  g_clear_pointer (&req->user, bb_server_user_free);
  g_clear_pointer (&req->body, g_bytes_unref);
}

static void
server_callback (SoupServer        *soup,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  BbServer *self = user_data;
  BbRequest req = { 0 };
  g_autofree char *record_id = NULL;
  const char *method = soup_server_message_get_method (msg);
  BodyBuffer *buffer;
  Route route;

  req.server = self;
  req.store = self->store;
  req.profile = self->profile;
  req.msg = msg;
  req.query = query;
  req.path = path;

  if (!match_route (path, &route, &record_id))
    {
      bb_request_error (&req, SOUP_STATUS_NOT_FOUND, "not_found",
                        _("There is no such address in the Beatbook sync API."));
      return;
    }
  if (!method_allowed (route, method))
    {
      g_autofree char *message = g_strdup_printf (_("This address answers %s only."), route_methods (route));

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", route_methods (route));
      bb_request_error (&req, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed", message);
      return;
    }

  buffer = g_object_get_data (G_OBJECT (msg), body_buffer_key);
  if (buffer != NULL && buffer->too_large)
    {
      bb_request_error (&req, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                        _("The request body is larger than 8 MiB; send fewer changes at a time."));
      return;
    }
  if (buffer != NULL && buffer->data->len > 0)
    req.body = g_bytes_new (buffer->data->data, buffer->data->len);

  if (route != ROUTE_HEALTH && route != ROUTE_SESSIONS && !authenticate (&req))
    {
      request_clear (&req);
      return;
    }

  switch (route)
    {
    case ROUTE_HEALTH:
      handle_health (&req);
      break;
    case ROUTE_SESSIONS:
      handle_login (&req);
      break;
    case ROUTE_SESSION_CURRENT:
      handle_logout (&req);
      break;
    case ROUTE_ME:
      handle_me (&req);
      break;
    case ROUTE_PROFILE:
      handle_profile (&req);
      break;
    case ROUTE_PUSH:
      bb_server_handle_push (&req);
      break;
    case ROUTE_PULL:
      bb_server_handle_pull (&req);
      break;
    case ROUTE_REVIEW:
      bb_server_handle_review (&req, record_id);
      break;
    case ROUTE_LOOKUP:
      bb_server_handle_lookup (&req);
      break;
    case ROUTE_AUDIT:
      handle_audit (&req);
      break;
    case ROUTE_AUDIT_EXPORTS:
      handle_audit_exports (&req);
      break;
    default:
      g_assert_not_reached ();
    }

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
      reply_json (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                  error_body ("shutting_down",
                              _("The server is shutting down; try again in a moment.")));
      soup_message_headers_replace (response_headers, "Connection", "close");
      return;
    }

  /* The body is collected here, capped, instead of by libsoup, which would
   * keep however much a client cares to send. */
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > BB_SERVER_MAX_BODY_BYTES)
    {
      reply_json (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                  error_body ("payload_too_large",
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

/* GObject */

static void
bb_server_dispose (GObject *object)
{
  BbServer *self = (BbServer *) object;

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_object (&self->profile);

  G_OBJECT_CLASS (bb_server_parent_class)->dispose (object);
}

static void
bb_server_class_init (BbServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bb_server_dispose;
}

static void
bb_server_init (BbServer *self)
{
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
  self->soup = soup_server_new ("server-header", "beatbook-server/" PACKAGE_VERSION " ", NULL);
  soup_server_add_early_handler (self->soup, NULL, early_callback, self, NULL);
  soup_server_add_handler (self->soup, NULL, server_callback, self, NULL);

  return self;
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
  SoupServerListenOptions options = 0;

  g_return_val_if_fail (BB_IS_SERVER (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

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

  if (certificate != NULL)
    {
      soup_server_set_tls_certificate (self->soup, certificate);
      options |= SOUP_SERVER_LISTEN_HTTPS;
      self->tls = TRUE;
    }

  socket_address = g_inet_socket_address_new (inet, (guint16) port);
  return soup_server_listen (self->soup, socket_address, options, error);
}

char *
bb_server_dup_uri (BbServer *self)
{
  GSList *listeners;
  g_autoptr(GSocketAddress) local = NULL;
  g_autofree char *host = NULL;
  GInetAddress *inet;
  guint16 port;

  g_return_val_if_fail (BB_IS_SERVER (self), NULL);

  listeners = soup_server_get_listeners (self->soup);
  if (listeners == NULL)
    return NULL;
  local = g_socket_get_local_address (listeners->data, NULL);
  g_slist_free (listeners);
  if (local == NULL || !G_IS_INET_SOCKET_ADDRESS (local))
    return NULL;

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  host = g_inet_address_to_string (inet);

  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("%s://[%s]:%u", self->tls ? "https" : "http", host, port);
  return g_strdup_printf ("%s://%s:%u", self->tls ? "https" : "http", host, port);
}

void
bb_server_begin_shutdown (BbServer *self)
{
  g_return_if_fail (BB_IS_SERVER (self));

  /* The listening sockets stay open until bb_server_close(): closing them
   * the only public way, soup_server_disconnect(), also drops connections
   * whose answers are still being written. New requests get 503 meanwhile. */
  self->shutting_down = TRUE;
}

void
bb_server_close (BbServer *self)
{
  g_return_if_fail (BB_IS_SERVER (self));

  soup_server_disconnect (self->soup);
}

guint
bb_server_get_n_in_flight (BbServer *self)
{
  g_return_val_if_fail (BB_IS_SERVER (self), 0);

  return self->n_in_flight;
}
