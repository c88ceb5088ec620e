/* bb-server-sessions.c: signing in and out, and who the caller is
 *
 * POST and DELETE /sessions and GET /me: the password check, the device and
 * token a sign-in creates, and the user a session belongs to.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server"

#include "config.h"

#include <string.h>

#include "bb-i18n.h"
#include "bb-record.h"
#include "bb-server-auth.h"
#include "bb-server-private.h"
#include "bb-server-util.h"
#include "bb-time.h"

/* Limits on the sign-in form, well above any real value. */
#define MAX_USERNAME_LENGTH    200
#define MAX_DEVICE_NAME_LENGTH 200

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

/* A sign-in waiting for its password check. */
typedef struct
{
  BbServer          *server;
  BbServerStore     *store;
  SoupServerMessage *msg;
  BbServerUser      *user;      /* nullable: no such username */
  char              *username;
  char              *device_name;
  char              *address;
  gboolean           finished;  /* the client went away meanwhile */
} SignIn;

static void
sign_in_free (SignIn *sign_in)
{
  g_signal_handlers_disconnect_by_data (sign_in->msg, sign_in);
  g_object_unref (sign_in->msg);
  g_object_unref (sign_in->server);
  g_clear_pointer (&sign_in->user, bb_server_user_free);
  g_free (sign_in->username);
  g_free (sign_in->device_name);
  g_free (sign_in->address);
  g_free (sign_in);
}

static void
sign_in_message_finished (SoupServerMessage *msg,
                          SignIn            *sign_in)
{
  sign_in->finished = TRUE;
}

static void
refuse_address (BbRequest  *req,
                const char *address,
                gboolean    first)
{
  if (first)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *now = bb_server_time_now ();
      g_autofree char *detail = g_strdup_printf ("address=%s; %d failed sign-ins within %d minutes: "
                                                 "further attempts from it are refused, unlogged, until the window passes",
                                                 address, BB_SERVER_ADDRESS_MAX_FAILURES,
                                                 BB_SERVER_LOCKOUT_WINDOW_SECONDS / 60);
      BbServerAuditEntry entry = { 0 };

      entry.at = now;
      entry.action = (char *) "login_failed";
      entry.detail = detail;
      if (!bb_server_store_audit_append (req->store, &entry, &error))
        {
          bb_request_storage_error (req, error);
          return;
        }
    }
  bb_request_error (req, 429 /* Too Many Requests: not in libsoup 3.2's enum */, "too_many_attempts",
                    _("Too many failed sign-in attempts from this network address. Wait 15 minutes and try again."));
}

static void
sign_in_complete (BbRequest          *req,
                  const BbServerUser *user,
                  const char         *device_name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *now = bb_server_time_now ();
  g_autofree char *token = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *expires_at = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *detail = NULL;
  BbServerDevice device = { 0 };
  BbServerSession session = { 0 };
  BbServerAuditEntry entry = { 0 };

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
sign_in_checked (gboolean ok,
                 gpointer data)
{
  SignIn *sign_in = data;
  BbRequest req = { 0 };

  if (sign_in->finished)
    {
      sign_in_free (sign_in);
      return;
    }

  req.server = sign_in->server;
  req.store = sign_in->store;
  req.msg = sign_in->msg;
  req.path = "/api/v1/sessions";
  req.method = "POST";

  if (!ok || sign_in->user->disabled)
    {
      g_autofree char *now = bb_server_time_now ();

      bb_server_sign_in_failed (sign_in->server, sign_in->address);
      login_failed (&req, sign_in->username, sign_in->user != NULL ? sign_in->user->id : NULL,
                    sign_in->user == NULL ? "unknown user" : !ok ? "wrong password" : "user disabled",
                    now);
    }
  else
    sign_in_complete (&req, sign_in->user, sign_in->device_name);

  soup_server_message_unpause (sign_in->msg);
  sign_in_free (sign_in);
}

void
bb_server_handle_login (BbRequest *req)
{
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BbServerUser) user = NULL;
  g_autofree char *now = NULL;
  g_autofree char *window_start = NULL;
  const char *username, *password, *device_name;
  const char *address = soup_server_message_get_remote_host (req->msg);
  BbServerAuditEntry entry = { 0 };
  JsonObject *object;
  SignIn *sign_in;
  guint failures = 0;
  gboolean first = FALSE;

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
  if (address == NULL)
    address = "unknown";

  /* A flood from one address (a new username each time, so no lockout
   * applies) is refused before it costs a password check or a row. */
  if (bb_server_sign_in_refused (req->server, address, &first))
    {
      refuse_address (req, address, first);
      return;
    }

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
      bb_server_sign_in_failed (req->server, address);
      /* One entry says the username is locked; the attempts that follow
       * within the window add nothing each (they only count towards the
       * address's limit), and do not extend the lock: it ends when the
       * window passes, as the contract says. */
      if (bb_server_lockout_first_seen (req->server, username))
        {
          g_autofree char *locked = g_strdup_printf ("username=%s; locked out; further attempts within %d minutes are refused unlogged",
                                                     username, BB_SERVER_LOCKOUT_WINDOW_SECONDS / 60);

          entry.at = now;
          entry.user_id = user != NULL ? user->id : NULL;
          entry.action = (char *) "login_failed";
          entry.detail = locked;
          if (!bb_server_store_audit_append (req->store, &entry, &error))
            {
              bb_request_storage_error (req, error);
              return;
            }
        }
      bb_request_error (req, 429 /* Too Many Requests: not in libsoup 3.2's enum */, "too_many_attempts",
                        _("Too many failed sign-in attempts for this username. Wait 15 minutes and try again."));
      return;
    }

  /* Verify even for an unknown user (against a dummy hash): the time taken
   * must not tell whether the username exists. The check runs on a worker
   * thread; the message waits, paused. */
  sign_in = g_new0 (SignIn, 1);
  sign_in->server = g_object_ref (req->server);
  sign_in->store = req->store;
  sign_in->msg = g_object_ref (req->msg);
  sign_in->user = g_steal_pointer (&user);
  sign_in->username = g_strdup (username);
  sign_in->device_name = g_strdup (device_name);
  sign_in->address = g_strdup (address);
  g_signal_connect (req->msg, "finished", G_CALLBACK (sign_in_message_finished), sign_in);
  soup_server_message_pause (req->msg);
  bb_server_check_password (req->server, sign_in->user != NULL ? sign_in->user->password_hash : NULL,
                            password, sign_in_checked, sign_in);
}

void
bb_server_handle_logout (BbRequest *req)
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

void
bb_server_handle_me (BbRequest *req)
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
