/* bb-server-request.c: answering one request, for every handler
 *
 * Error and JSON replies, the checked request body, query parameters and
 * the audit entry of the caller. The handlers in bb-server.c and
 * bb-server-records.c call these; nothing here calls back into them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server"

#include "config.h"

#include <string.h>

#include "bb-i18n.h"
#include "bb-json-check.h"
#include "bb-server-private.h"
#include "bb-server-util.h"

JsonNode *
bb_server_error_body (const char *code,
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

void
bb_server_reply_json (SoupServerMessage *msg,
                      guint              status,
                      JsonNode          *node)
{
  g_autoptr(JsonNode) owned = node;

  bb_server_reply_json_text (msg, status, json_to_string (owned, FALSE));
}

void
bb_server_reply_json_text (SoupServerMessage *msg,
                           guint              status,
                           char              *text)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  /* Answers carry tokens and personal data: never cached on the way. */
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  /* libsoup 3.2 has no phrase for 429. */
  soup_server_message_set_status (msg, status, status == 429 ? "Too Many Requests" : NULL);
  /* set_response() appends: drop the error body every message starts
   * with (bb-server.c, on_request_started). */
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, strlen (text));
}

void
bb_request_reply_json (BbRequest *req,
                       guint      status,
                       JsonNode  *node)
{
  g_autoptr(JsonNode) owned = node;

  bb_request_reply_json_text (req, status, json_to_string (owned, FALSE));
}

void
bb_request_reply_json_text (BbRequest *req,
                            guint      status,
                            char      *text)
{
  if (!req->answer_later)
    {
      bb_server_reply_json_text (req->msg, status, text);
      return;
    }
  /* On a worker thread: the text is made there, off the main loop, and
   * only handed to the message on the main thread. A second answer
   * replaces the first, as it would on the message. */
  g_free (req->answer_text);
  req->answer_text = text;
  req->answer_status = status;
}

void
bb_request_error (BbRequest  *req,
                  guint       status,
                  const char *code,
                  const char *message)
{
  bb_request_reply_json (req, status, bb_server_error_body (code, message));
}

void
bb_request_storage_error (BbRequest    *req,
                          const GError *error)
{
  /* The detail goes to the log for the operator, not to the client. */
  g_warning ("Storage failed on %s %s: %s",
             req->method, req->path,
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

gboolean
bb_server_json_depth_ok (const char *data,
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

JsonNode *
bb_request_parse_body (BbRequest *req)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  const char *data;
  gsize length = 0;
  JsonNode *root;

  if (!req->body_is_json)
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
  /* Before json-glib sees it: it recurses without limit, cuts strings at
   * a NUL and wraps whole numbers past 64 bits into ordinary ones. */
  if (!bb_json_check_text (data, length, BB_SERVER_MAX_JSON_DEPTH, &error))
    {
      if (g_error_matches (error, BB_JSON_CHECK_ERROR, BB_JSON_CHECK_ERROR_TOO_DEEP))
        bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_json",
                          _("The request body nests objects or arrays too deeply."));
      else
        bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_json", error->message);
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
