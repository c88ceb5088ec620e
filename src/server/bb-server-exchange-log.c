/* bb-server-exchange-log.c: every request and answer as JSON Lines, for tests
 *
 * When BEATBOOK_EXCHANGE_LOG names a file, `beatbook-server serve` appends
 * one JSON object per finished request: method, path, the route it matched,
 * query, status, the headers that matter and both bodies. The test suite
 * checks these lines against docs/openapi.yaml (tests/openapi). The log
 * holds tokens and personal data as they crossed the wire: it is for tests,
 * never for a server in service.
 *
 * Several servers of one test program append to the same file: each line
 * goes out in one write() on an O_APPEND descriptor, so lines never mix.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "bb-server-exchange-log.h"
#include "bb-server-private.h"

/* Bodies above this are logged by size only: the checker needs shapes,
 * and the limit tests send 8 MiB. */
#define MAX_LOGGED_BODY (1024 * 1024)

struct _BbExchangeLog
{
  int   fd;
  char *path;
};

BbExchangeLog *
bb_exchange_log_open (const char  *path,
                      GError     **error)
{
  BbExchangeLog *log;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  fd = g_open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "%s: %s", path, g_strerror (saved));
      return NULL;
    }

  log = g_new0 (BbExchangeLog, 1);
  log->fd = fd;
  log->path = g_strdup (path);
  return log;
}

void
bb_exchange_log_free (BbExchangeLog *log)
{
  if (log == NULL)
    return;
  g_close (log->fd, NULL);
  g_free (log->path);
  g_free (log);
}

/* The body as JSON when it is JSON, else its size and why not. */
static void
add_body (JsonBuilder *builder,
          GBytes      *body)
{
  g_autoptr(JsonParser) parser = NULL;
  const char *data;
  gsize length = 0;

  data = body != NULL ? g_bytes_get_data (body, &length) : NULL;
  json_builder_set_member_name (builder, "body_bytes");
  json_builder_add_int_value (builder, (gint64) length);
  json_builder_set_member_name (builder, "body");
  if (length == 0)
    {
      json_builder_add_null_value (builder);
      return;
    }

  parser = json_parser_new_immutable ();
  /* The server refuses what nests too deeply without parsing it: so does
   * its log, or the body that the refusal protects against would crash it. */
  if (length <= MAX_LOGGED_BODY && g_utf8_validate_len (data, length, NULL) &&
      bb_server_json_depth_ok (data, length, BB_SERVER_MAX_JSON_DEPTH) &&
      json_parser_load_from_data (parser, data, (gssize) length, NULL) &&
      json_parser_get_root (parser) != NULL)
    {
      json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
      return;
    }

  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "body_not_logged");
  json_builder_add_string_value (builder, length > MAX_LOGGED_BODY ? "too large" : "not JSON, or nested too deeply");
}

static void
add_header (const char *name,
            const char *value,
            gpointer    user_data)
{
  JsonBuilder *builder = user_data;
  g_autofree char *lower = g_ascii_strdown (name, -1);

  json_builder_set_member_name (builder, lower);
  /* Whether a token came, and how, matters to the check; the token does not. */
  if (g_str_equal (lower, "authorization"))
    json_builder_add_string_value (builder,
                                   g_ascii_strncasecmp (value, "Bearer ", 7) == 0 && value[7] != '\0'
                                   ? "Bearer" : "other");
  else
    json_builder_add_string_value (builder, value);
}

static void
add_headers (JsonBuilder        *builder,
             SoupMessageHeaders *headers)
{
  json_builder_set_member_name (builder, "headers");
  json_builder_begin_object (builder);
  soup_message_headers_foreach (headers, add_header, builder);
  json_builder_end_object (builder);
}

void
bb_exchange_log_append (BbExchangeLog     *log,
                        SoupServerMessage *msg,
                        const char        *route,
                        GBytes            *request_body)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) response_body = NULL;
  g_autofree char *line = NULL;
  GUri *uri = soup_server_message_get_uri (msg);
  const char *query = g_uri_get_query (uri);
  gsize length, written = 0;

  g_return_if_fail (log != NULL);

  response_body = soup_message_body_flatten (soup_server_message_get_response_body (msg));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, soup_server_message_get_method (msg));
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, g_uri_get_path (uri));
  json_builder_set_member_name (builder, "route");
  if (route != NULL)
    json_builder_add_string_value (builder, route);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "query");
  if (query != NULL)
    json_builder_add_string_value (builder, query);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder, soup_server_message_get_status (msg));

  json_builder_set_member_name (builder, "request");
  json_builder_begin_object (builder);
  add_headers (builder, soup_server_message_get_request_headers (msg));
  add_body (builder, request_body);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "response");
  json_builder_begin_object (builder);
  add_headers (builder, soup_server_message_get_response_headers (msg));
  add_body (builder, response_body);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  line = json_to_string (root, FALSE);
  length = strlen (line);
  line[length++] = '\n';   /* over the string's NUL: one write, one line */

  while (written < length)
    {
      gssize n = write (log->fd, line + written, length - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_warning ("Cannot append to the exchange log %s: %s", log->path, g_strerror (errno));
          return;
        }
      written += (gsize) n;
    }
}
