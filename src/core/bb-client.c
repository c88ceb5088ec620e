/* bb-client.c: the device's side of the sync API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-sync"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "bb-client.h"
#include "bb-i18n.h"

/* A patrol car's signal comes and goes: give up on a request that long
 * silent and let the backoff try again. */
#define REQUEST_TIMEOUT_SECONDS 30
/* Times a request that may safely be sent again is sent before its
 * timeout is reported. */
#define REQUEST_ATTEMPTS 2

struct _BbClient
{
  SoupSession *session;
  char        *base_url;
  char        *token;
  gboolean     plain;     /* http://, to loopback only */
  guint        timeout;   /* seconds of silence before a request gives up */
};

G_DEFINE_QUARK (bb-client-error-quark, bb_client_error)

/* Whether @host is this machine: decided by the address, never by the
 * name (a name beginning "127." may resolve anywhere). A name counts only
 * when every address it resolves to is loopback. */
static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) literal = NULL;
  g_autoptr(GResolver) resolver = NULL;
  g_autofree char *bare = NULL;
  GList *addresses;
  gboolean loopback;

  if (host == NULL || *host == '\0')
    return FALSE;

  bare = g_strdup (host);
  if (bare[0] == '[' && g_str_has_suffix (bare, "]"))
    {
      memmove (bare, bare + 1, strlen (bare));
      bare[strlen (bare) - 1] = '\0';
    }

  literal = g_inet_address_new_from_string (bare);
  if (literal != NULL)
    return g_inet_address_get_is_loopback (literal);

  resolver = g_resolver_get_default ();
  addresses = g_resolver_lookup_by_name (resolver, bare, NULL, NULL);
  loopback = addresses != NULL;
  for (GList *l = addresses; l != NULL; l = l->next)
    if (!g_inet_address_get_is_loopback (l->data))
      loopback = FALSE;
  g_resolver_free_addresses (addresses);

  return loopback;
}

/* Plain http goes to loopback only: the address connected to is checked
 * again, so a name that resolved to loopback a moment ago and elsewhere
 * now gets nothing either. */
static void
on_network_event (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  GCancellable *refuse = user_data;
  g_autoptr(GSocketAddress) remote = NULL;

  if (event != G_SOCKET_CLIENT_CONNECTED || !G_IS_SOCKET_CONNECTION (connection))
    return;
  remote = g_socket_connection_get_remote_address (G_SOCKET_CONNECTION (connection), NULL);
  if (remote == NULL || !G_IS_INET_SOCKET_ADDRESS (remote) ||
      !g_inet_address_get_is_loopback (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote))))
    g_cancellable_cancel (refuse);
}

BbClient *
bb_client_new (const char  *base_url,
               const char  *ca_file,
               GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  BbClient *self;
  const char *scheme;

  g_return_val_if_fail (base_url != NULL, NULL);

  uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, &local_error);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_strcmp0 (scheme, "https") != 0 && g_strcmp0 (scheme, "http") != 0))
    {
      g_set_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_BAD_REQUEST,
                   _("“%s” is not a server address: use https://host or https://host:port."),
                   base_url);
      return NULL;
    }

  if (g_strcmp0 (scheme, "http") == 0 && !host_is_loopback (g_uri_get_host (uri)))
    {
      g_set_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_INSECURE,
                   _("“%s” is not encrypted: police data only travels over https:// to another machine."),
                   base_url);
      return NULL;
    }

  self = g_new0 (BbClient, 1);
  self->plain = g_strcmp0 (scheme, "http") == 0;
  self->timeout = REQUEST_TIMEOUT_SECONDS;
  /* Tests only (tests/faults): a shorter wait, so a stalled answer is met
   * in seconds. */
  if (g_getenv ("BEATBOOK_TEST_REQUEST_TIMEOUT") != NULL)
    self->timeout = (guint) CLAMP (g_ascii_strtoull (g_getenv ("BEATBOOK_TEST_REQUEST_TIMEOUT"), NULL, 10),
                                   1, REQUEST_TIMEOUT_SECONDS);
  self->session = soup_session_new_with_options ("timeout", self->timeout,
                                                 "user-agent", "beatbook/" PACKAGE_VERSION,
                                                 NULL);
  if (ca_file != NULL && *ca_file != '\0')
    {
      /* Named as a person would find it: a relative name is read from the
       * current folder, and the message gives the whole path. */
      g_autofree char *absolute = g_canonicalize_filename (ca_file, NULL);
      g_autoptr(GTlsDatabase) db = g_tls_file_database_new (absolute, &local_error);

      if (db == NULL)
        {
          g_set_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_CERTIFICATE,
                       _("Cannot read the certificate authority file “%s”: %s"),
                       absolute, local_error->message);
          bb_client_free (self);
          return NULL;
        }
      soup_session_set_tls_database (self->session, db);
    }

  /* No trailing slash: paths are appended as "/api/v1/...". */
  self->base_url = g_strdup (base_url);
  while (g_str_has_suffix (self->base_url, "/"))
    self->base_url[strlen (self->base_url) - 1] = '\0';

  return self;
}

void
bb_client_free (BbClient *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->session);
  g_free (self->base_url);
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_free (self);
}

void
bb_client_set_token (BbClient   *self,
                     const char *token)
{
  g_return_if_fail (self != NULL);

  g_free (self->token);
  self->token = g_strdup (token);
}

const char *
bb_client_get_base_url (BbClient *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->base_url;
}

static void
cancel_too (GCancellable *cancellable,
            GCancellable *also)
{
  g_cancellable_cancel (also);
}

static void
set_error_from_answer (guint        status,
                       JsonNode    *answer,
                       GError     **error)
{
  const char *code = NULL;
  const char *message = NULL;
  BbClientError kind;

  if (answer != NULL && JSON_NODE_HOLDS_OBJECT (answer))
    {
      JsonObject *object = json_node_get_object (answer);
      JsonNode *err = json_object_get_member (object, "error");

      if (err != NULL && JSON_NODE_HOLDS_OBJECT (err))
        {
          code = json_object_get_string_member_with_default (json_node_get_object (err), "code", NULL);
          message = json_object_get_string_member_with_default (json_node_get_object (err), "message", NULL);
        }
    }

  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      if (g_strcmp0 (code, "device_revoked") == 0)
        kind = BB_CLIENT_ERROR_DEVICE_REVOKED;
      else if (g_strcmp0 (code, "invalid_credentials") == 0)
        kind = BB_CLIENT_ERROR_INVALID_CREDENTIALS;
      else
        kind = BB_CLIENT_ERROR_UNAUTHORIZED;
      break;
    case SOUP_STATUS_FORBIDDEN:
      kind = BB_CLIENT_ERROR_FORBIDDEN;
      break;
    case SOUP_STATUS_NOT_FOUND:
      kind = BB_CLIENT_ERROR_NOT_FOUND;
      break;
    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
      kind = BB_CLIENT_ERROR_TOO_LARGE;
      break;
    case 429: /* Too Many Requests: libsoup 3.2 has no name for it */
      kind = BB_CLIENT_ERROR_TOO_MANY_ATTEMPTS;
      break;
    case SOUP_STATUS_BAD_REQUEST:
      kind = BB_CLIENT_ERROR_BAD_REQUEST;
      break;
    case SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE:
      kind = BB_CLIENT_ERROR_UNSUPPORTED_TYPE;
      break;
    default:
      kind = BB_CLIENT_ERROR_SERVER;
      break;
    }

  if (message != NULL)
    g_set_error (error, BB_CLIENT_ERROR, kind, "%s", message);
  else
    g_set_error (error, BB_CLIENT_ERROR, kind,
                 _("The server answered %u %s."), status, soup_status_get_phrase (status));
}

/* Whether sending @method @path twice does what sending it once does. */
static gboolean
request_is_repeatable (const char *method,
                       const char *path)
{
  return g_str_equal (method, "GET") || g_str_equal (method, "HEAD") ||
         (g_str_equal (method, "POST") && g_str_equal (path, "/api/v1/sync/push"));
}

/* Why no answer came to @msg: a timeout says so (the server was reached,
 * and may only be busy) rather than passing on libsoup's words. */
static void
set_transport_error (BbClient     *self,
                     SoupMessage  *msg,
                     const GError *local_error,
                     guint         attempts,
                     GError      **error)
{
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error_literal (error, local_error->domain, local_error->code, local_error->message);
  else if (local_error->domain == G_TLS_ERROR ||
           soup_message_get_tls_peer_certificate_errors (msg) != 0)
    g_set_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_CERTIFICATE,
                 _("The server’s certificate is not trusted (%s). Nothing was sent."),
                 local_error->message);
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) && attempts > 1)
    g_set_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNREACHABLE,
                 _("The server did not answer within %u seconds, asked %u times: it is too busy "
                   "or the connection stalled."),
                 self->timeout, attempts);
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_set_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNREACHABLE,
                 _("The server did not answer within %u seconds: it is too busy or the "
                   "connection stalled."),
                 self->timeout);
  else
    g_set_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNREACHABLE,
                 _("The server cannot be reached: %s"), local_error->message);
}

JsonNode *
bb_client_request (BbClient      *self,
                   const char    *method,
                   const char    *path,
                   JsonNode      *body,
                   guint         *status,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GBytes) text = NULL;

  if (body != NULL)
    {
      char *json = json_to_string (body, FALSE);

      text = g_bytes_new_take (json, strlen (json));
    }
  return bb_client_request_text (self, method, path, text, status, cancellable, error);
}

JsonNode *
bb_client_request_text (BbClient      *self,
                        const char    *method,
                        const char    *path,
                        GBytes        *body,
                        guint         *status,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GCancellable) refuse = NULL;
  gulong cancel_id = 0;
  JsonNode *answer = NULL;
  guint code;
  gsize len = 0;
  const char *data;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (method != NULL && path != NULL, NULL);

  /* A token that would break the header line (a token file edited by
   * hand) is refused here, before libsoup sees it. */
  if (self->token != NULL)
    for (const char *c = self->token; *c != '\0'; c++)
      if (g_ascii_iscntrl (*c) || *c == ' ')
        {
          g_set_error_literal (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNAUTHORIZED,
                               _("The saved sync token is damaged (it holds a line break, a space or another control character): sign in again."));
          return NULL;
        }

  url = g_strconcat (self->base_url, path, NULL);
  /* A request that timed out is asked once more when asking twice is safe
   * (a read, or a push: the server answers a resent change `duplicate`),
   * so a moment's crowd at the server does not fail the whole sync. */
  for (guint attempt = 1; ; attempt++)
    {
      g_clear_object (&msg);
      g_clear_object (&refuse);
      g_clear_error (&local_error);
      msg = soup_message_new (method, url);
      if (msg == NULL)
        {
          g_set_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_BAD_REQUEST,
                       _("“%s” is not a valid address."), url);
          return NULL;
        }

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept", "application/json");
      if (self->token != NULL)
        {
          g_autofree char *auth = g_strconcat ("Bearer ", self->token, NULL);

          soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
        }
      if (body != NULL)
        soup_message_set_request_body_from_bytes (msg, "application/json", body);

      if (self->plain)
        {
          refuse = g_cancellable_new ();
          if (cancellable != NULL)
            cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancel_too), g_object_ref (refuse), g_object_unref);
          g_signal_connect (msg, "network-event", G_CALLBACK (on_network_event), refuse);
        }

      bytes = soup_session_send_and_read (self->session, msg, refuse != NULL ? refuse : cancellable, &local_error);
      if (cancel_id != 0)
        g_cancellable_disconnect (cancellable, cancel_id);
      cancel_id = 0;
      if (bytes == NULL && refuse != NULL && g_cancellable_is_cancelled (refuse) &&
          (cancellable == NULL || !g_cancellable_is_cancelled (cancellable)))
        {
          g_set_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_INSECURE,
                       _("“%s” is not encrypted and did not lead to this machine: nothing was sent."),
                       self->base_url);
          return NULL;
        }
      if (bytes != NULL)
        break;
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) &&
          attempt < REQUEST_ATTEMPTS && request_is_repeatable (method, path))
        {
          g_debug ("%s %s timed out; asking again", method, path);
          continue;
        }
      set_transport_error (self, msg, local_error, attempt, error);
      return NULL;
    }

  code = soup_message_get_status (msg);
  if (status != NULL)
    *status = code;

  data = g_bytes_get_data (bytes, &len);
  if (len > 0)
    {
      parser = json_parser_new_immutable ();
      if (json_parser_load_from_data (parser, data, (gssize)len, NULL))
        answer = json_node_ref (json_parser_get_root (parser));
    }

  if (code < 200 || code >= 300)
    {
      set_error_from_answer (code, answer, error);
      g_clear_pointer (&answer, json_node_unref);
      return NULL;
    }

  if (answer == NULL)
    {
      if (len > 0)
        {
          g_set_error_literal (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_SERVER,
                               _("The server’s answer is not JSON."));
          return NULL;
        }
      answer = json_node_init_object (json_node_alloc (), json_object_new ());
      json_object_unref (json_node_get_object (answer));
    }

  return answer;
}

/* One request with raw bytes both ways. Returns the answer's bytes (any
 * status), or NULL when no answer came. */
static GBytes *
send_raw (BbClient            *self,
          const char          *method,
          const char          *path,
          GBytes              *body,
          const char          *content_range,
          SoupMessage        **out_msg,
          GCancellable        *cancellable,
          GError             **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *url = g_strconcat (self->base_url, path, NULL);
  SoupMessageHeaders *headers;
  GBytes *answer;

  msg = soup_message_new (method, url);
  if (msg == NULL)
    {
      g_set_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_BAD_REQUEST,
                   _("“%s” is not a valid address."), url);
      return NULL;
    }
  headers = soup_message_get_request_headers (msg);
  if (self->token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (headers, "Authorization", auth);
    }
  if (content_range != NULL)
    soup_message_headers_replace (headers, "Content-Range", content_range);
  if (body != NULL)
    {
      soup_message_set_request_body_from_bytes (msg, "application/octet-stream", body);
      /* libsoup would resend a part cut off on a reused connection by
       * itself, with its body already consumed (Content-Length 0). On a
       * connection of its own, a cut part fails instead, and the next
       * attempt asks the server where to go on from. */
      soup_message_add_flags (msg, SOUP_MESSAGE_NEW_CONNECTION);
    }

  answer = soup_session_send_and_read (self->session, msg, cancellable, &local_error);
  if (answer == NULL)
    {
      set_transport_error (self, msg, local_error, 1, error);
      return NULL;
    }

  *out_msg = g_steal_pointer (&msg);
  return answer;
}

static void
set_error_from_bytes (guint    status,
                      GBytes  *bytes,
                      GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  gsize len = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;
  JsonNode *answer = NULL;

  if (len > 0 && json_parser_load_from_data (parser, data, (gssize) len, NULL))
    answer = json_parser_get_root (parser);
  set_error_from_answer (status, answer, error);
}

static gint64
upload_offset (SoupMessage *msg)
{
  const char *text = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                   "Upload-Offset");
  guint64 value = 0;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, NULL))
    return -1;
  return (gint64) value;
}

/* How much of @sha256 the server holds: the size when whole (@complete). */
static gboolean
held_offset (BbClient      *self,
             const char    *path,
             gint64        *offset,
             gboolean      *complete,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) answer = NULL;
  guint status;

  answer = send_raw (self, "HEAD", path, NULL, NULL, &msg, cancellable, error);
  if (answer == NULL)
    return FALSE;

  status = soup_message_get_status (msg);
  *complete = status == SOUP_STATUS_OK;
  if (*complete)
    {
      *offset = soup_message_headers_get_content_length (soup_message_get_response_headers (msg));
      return TRUE;
    }
  if (status == SOUP_STATUS_NOT_FOUND && upload_offset (msg) >= 0)
    {
      *offset = upload_offset (msg);
      return TRUE;
    }
  set_error_from_bytes (status, answer, error);
  return FALSE;
}

gboolean
bb_client_upload_blob (BbClient      *self,
                       const char    *sha256,
                       GBytes        *bytes,
                       gsize          part_size,
                       gint64        *sent,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autofree char *path = NULL;
  gint64 offset = 0, total;
  gboolean complete = FALSE;
  guint restarts = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (sha256 != NULL, FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);

  if (sent != NULL)
    *sent = 0;
  total = (gint64) g_bytes_get_size (bytes);
  if (part_size == 0)
    part_size = (gsize) MAX (total, 1);
  path = g_strconcat ("/api/v1/blobs/", sha256, NULL);

  if (!held_offset (self, path, &offset, &complete, cancellable, error))
    return FALSE;
  if (complete)
    return TRUE;
  if (offset > total)
    offset = 0;

  for (;;)
    {
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(GBytes) answer = NULL;
      g_autoptr(GBytes) part = NULL;
      g_autofree char *range = NULL;
      gint64 length = MIN ((gint64) part_size, total - offset);
      guint status;

      part = g_bytes_new_from_bytes (bytes, (gsize) offset, (gsize) length);
      range = g_strdup_printf ("bytes %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                               offset, offset + length - 1, total);
      answer = send_raw (self, "PUT", path, part, range, &msg, cancellable, error);
      if (answer == NULL)
        return FALSE;

      status = soup_message_get_status (msg);
      if (sent != NULL && (status == SOUP_STATUS_ACCEPTED || status == SOUP_STATUS_CREATED))
        *sent += length;
      if (status == SOUP_STATUS_CREATED || status == SOUP_STATUS_OK)
        return TRUE;
      if (status == SOUP_STATUS_ACCEPTED && upload_offset (msg) > offset)
        {
          offset = upload_offset (msg);
          continue;
        }
      /* The server holds another amount than thought (another device's
       * upload, a part lost): go on from what it says, a few times. */
      if (status == SOUP_STATUS_CONFLICT && upload_offset (msg) >= 0 && restarts++ < 3)
        {
          offset = upload_offset (msg);
          continue;
        }
      set_error_from_bytes (status, answer, error);
      return FALSE;
    }
}

GBytes *
bb_client_fetch_blob (BbClient      *self,
                      const char    *sha256,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *path = NULL;
  guint status;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (sha256 != NULL, NULL);

  path = g_strconcat ("/api/v1/blobs/", sha256, NULL);
  answer = send_raw (self, "GET", path, NULL, NULL, &msg, cancellable, error);
  if (answer == NULL)
    return NULL;

  status = soup_message_get_status (msg);
  if (status != SOUP_STATUS_OK)
    {
      set_error_from_bytes (status, answer, error);
      return NULL;
    }
  return g_steal_pointer (&answer);
}

JsonObject *
bb_client_login (BbClient      *self,
                 const char    *username,
                 const char    *password,
                 const char    *device_name,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) answer = NULL;
  JsonObject *object;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, username);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_set_member_name (builder, "device_name");
  json_builder_add_string_value (builder, device_name);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  answer = bb_client_request (self, "POST", "/api/v1/sessions", body, NULL, cancellable, error);
  if (answer == NULL)
    return NULL;

  object = JSON_NODE_HOLDS_OBJECT (answer) ? json_node_get_object (answer) : NULL;
  if (object == NULL ||
      json_object_get_string_member_with_default (object, "token", NULL) == NULL ||
      !json_object_has_member (object, "user") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "user")))
    {
      g_set_error_literal (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_SERVER,
                           _("The server’s answer to sign-in is not what the sync API says."));
      return NULL;
    }

  return json_object_ref (object);
}
