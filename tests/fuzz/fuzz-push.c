/* fuzz-push.c: the push handler of the real server against any body
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A BbServer over an in-memory store listens on loopback in a thread of
 * its own; each input is sent as the body of POST /api/v1/sync/push by a
 * signed-in officer. The server must answer (never crash, never 500).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "beatbook.h"
#include <libsoup/soup.h>

#include "bb-server.h"
#include "bb-server-auth.h"
#include "bb-server-store.h"
#include "bb-server-util.h"

#define TOKEN "fuzz-token-0123456789abcdef0123456789abcdef"

static SoupSession *session;
static char *push_url;

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gpointer
serve (gpointer data)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_main_loop_run (loop);
  return NULL;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbProfile) profile = NULL;
  g_autofree char *token_hash = bb_server_token_hash (TOKEN);
  g_autofree char *now = bb_server_time_now ();
  g_autofree char *expires = bb_server_time_from_now (24 * 3600);
  g_autofree char *uri = NULL;
  BbServerUser user = { 0 };
  BbServerDevice device = { 0 };
  BbServerSession token = { 0 };
  BbServerStore *store;
  BbServer *server;

  g_log_set_always_fatal (G_LOG_LEVEL_ERROR);
  profile = bb_profile_load_default (&error);
  g_assert_no_error (error);
  store = bb_server_store_sqlite_open (":memory:", &error);
  g_assert_no_error (error);

  user.id = (char *) "00000000-0000-4000-8000-000000000001";
  user.username = (char *) "officer";
  user.display_name = (char *) "PCSO 4521";
  user.role = (char *) "officer";
  user.password_hash = (char *) "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  user.created_at = now;
  device.id = (char *) "00000000-0000-4000-8000-000000000002";
  device.name = (char *) "Fuzz laptop";
  device.user_id = user.id;
  device.created_at = now;
  token.token_hash = token_hash;
  token.user_id = user.id;
  token.device_id = device.id;
  token.created_at = now;
  token.expires_at = expires;
  if (!bb_server_store_user_add (store, &user, &error) ||
      !bb_server_store_device_add (store, &device, &error) ||
      !bb_server_store_session_add (store, &token, &error))
    g_error ("setting up the store: %s", error->message);

  server = bb_server_new (store, profile);
  if (!bb_server_listen (server, "127.0.0.1", 0, NULL, &error))
    g_error ("listen: %s", error->message);
  uri = bb_server_dup_uri (server);
  push_url = g_strconcat (uri, "/api/v1/sync/push", NULL);
  g_thread_new ("server", serve, NULL);

  /* The client's requests run on a context of their own: the default one
   * belongs to the server's thread. */
  g_main_context_push_thread_default (g_main_context_new ());
  session = soup_session_new ();
  soup_session_set_timeout (session, 30);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", push_url);
  g_autoptr(GBytes) body = g_bytes_new (data, size);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  soup_message_headers_replace (soup_message_get_request_headers (msg),
                                "Authorization", "Bearer " TOKEN);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  if (answer == NULL)
    g_error ("no answer from the server: %s", error->message);
  status = soup_message_get_status (msg);
  if (status != 200 && status != 400 && status != 413)
    g_error ("push answered %u: %.*s", status, (int) MIN (g_bytes_get_size (answer), 300),
             (const char *) g_bytes_get_data (answer, NULL));
  return 0;
}
