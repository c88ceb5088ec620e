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

void
bb_server_handle_login (BbRequest *req)
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
