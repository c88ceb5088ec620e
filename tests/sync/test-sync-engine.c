/* test-sync-engine.c: the background sync engine against the real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define SYNC_FIXTURE_SERVER_ONLY
#include "sync-fixture.h"

/* Long enough for a loaded CI machine; a wait that runs out is a failure. */
#define WAIT_LIMIT_SECONDS 30


/* A device with its engine, driven by the test's main loop. */
typedef struct
{
  char         *dir;
  BbSession    *session;
  BbSyncEngine *engine;
  guint         n_synced;
  guint         n_store_changed;
  BbSyncStats   last_stats;
} Device;

static void
on_synced (BbSyncEngine *engine,
           BbSyncStats  *stats,
           Device       *device)
{
  device->n_synced++;
  device->last_stats = *stats;
}

static void
on_store_changed (BbSyncEngine *engine,
                  Device       *device)
{
  device->n_store_changed++;
}

static Device *
device_new (void)
{
  Device *device = g_new0 (Device, 1);
  g_autoptr(GError) error = NULL;

  device->dir = g_dir_make_tmp ("beatbook-engine-device-XXXXXX", &error);
  g_assert_no_error (error);
  device->session = bb_session_new (device->dir, &error);
  g_assert_no_error (error);
  device->engine = bb_sync_engine_new (device->session);
  /* The timer would sync behind the test's back. */
  bb_sync_engine_set_interval (device->engine, 0);
  bb_sync_engine_set_debounce (device->engine, 200);
  bb_sync_engine_set_seed (device->engine, 4521);
  g_signal_connect (device->engine, "synced", G_CALLBACK (on_synced), device);
  g_signal_connect (device->engine, "store-changed", G_CALLBACK (on_store_changed), device);
  return device;
}

static void
device_free (Device *device)
{
  bb_sync_engine_stop (device->engine);
  g_clear_object (&device->engine);
  g_clear_object (&device->session);
  bb_test_remove_tree (device->dir);
  g_free (device->dir);
  g_free (device);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Device, device_free)

static gboolean
time_is_up (gpointer data)
{
  gboolean *up = data;

  *up = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until @done says so; running out of time fails
 * the test (it says what it was waiting for). */
static void
wait_until (gboolean    (*done) (Device *device),
            Device       *device,
            const char   *what)
{
  gboolean up = FALSE;
  guint timeout_id = g_timeout_add_seconds (WAIT_LIMIT_SECONDS, time_is_up, &up);

  while (!done (device) && !up)
    g_main_context_iteration (NULL, TRUE);
  if (up)
    g_error ("Gave up waiting for %s", what);
  g_source_remove (timeout_id);
}

static guint synced_goal;

static gboolean
synced_enough (Device *device)
{
  return device->n_synced >= synced_goal;
}

static void
wait_for_synced (Device *device,
                 guint   n)
{
  synced_goal = n;
  wait_until (synced_enough, device, "a sync cycle to finish");
}

static gboolean
not_syncing (Device *device)
{
  return bb_sync_engine_get_state (device->engine) != BB_SYNC_ENGINE_STATE_SYNCING;
}

static void
wait_for_cycle_end (Device *device)
{
  wait_until (not_syncing, device, "the sync cycle to end");
}

typedef struct
{
  gboolean      done;
  gboolean      ok;
  BbSecretPlace place;
  GError       *error;
} SignIn;

static void
sign_in_done (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  SignIn *sign_in = data;

  sign_in->ok = bb_sync_engine_sign_in_finish (BB_SYNC_ENGINE (source), result,
                                               &sign_in->place, &sign_in->error);
  sign_in->done = TRUE;
}

static SignIn sign_in_result;

static gboolean
signed_in_answered (Device *device)
{
  return sign_in_result.done;
}

static gboolean
sign_in (Device     *device,
         Server     *server,
         const char *password,
         GError    **error)
{
  memset (&sign_in_result, 0, sizeof sign_in_result);
  bb_sync_engine_sign_in_async (device->engine, server->url, NULL, "officer1", password,
                                "Patrol laptop", NULL, sign_in_done, &sign_in_result);
  wait_until (signed_in_answered, device, "the sign-in to answer");
  if (!sign_in_result.ok)
    {
      g_propagate_error (error, sign_in_result.error);
      return FALSE;
    }
  g_assert_cmpint (sign_in_result.place, ==, BB_SECRET_FILE);
  return TRUE;
}

static void
sign_in_ok (Device *device,
            Server *server)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sign_in (device, server, PASSWORD, &error));
  g_assert_no_error (error);
  g_assert_true (bb_session_is_signed_in (device->session));
  /* A sign-in starts a first cycle: let it finish before the test goes on. */
  wait_for_cycle_end (device);
  /* Signing in replaced the store; the tests count later replacements. */
  device->n_store_changed = 0;
}

static void
log_observation (Device     *device,
                 const char *description)
{
  g_autoptr(BbRecord) record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *fields = bb_record_get_fields (record);

  json_object_set_string_member (fields, "ward", "town");
  json_object_set_string_member (fields, "place", "High Street");
  json_object_set_string_member (fields, "category", "asb_youths");
  json_object_set_string_member (fields, "description", description);
  if (!bb_session_save_record (device->session, record, &problems, &error))
    {
      g_autofree char *text = bb_problems_to_string (problems);
      g_error ("save failed: %s %s", error ? error->message : "", text);
    }
}

/* Records the server holds for officer1, through a client of its own. */
static guint
server_count (Server *server)
{
  g_autoptr(BbClient) client = bb_client_new (server->url, NULL, NULL);
  g_autoptr(JsonObject) login = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *changes;
  guint n = 0;

  login = bb_client_login (client, "officer1", PASSWORD, "Counting laptop", NULL, &error);
  g_assert_no_error (error);
  bb_client_set_token (client, json_object_get_string_member (login, "token"));
  answer = bb_client_request (client, "GET", "/api/v1/sync/pull?since=0&limit=500",
                              NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  changes = json_object_get_array_member (json_node_get_object (answer), "changes");
  for (guint i = 0; i < json_array_get_length (changes); i++)
    if (!json_object_get_boolean_member (json_array_get_object_element (changes, i), "deleted"))
      n++;
  return n;
}

static BbSyncEngineState
failed_state (void)
{
  /* With no network at all the header says offline rather than error. */
  return g_network_monitor_get_network_available (g_network_monitor_get_default ())
         ? BB_SYNC_ENGINE_STATE_ERROR : BB_SYNC_ENGINE_STATE_OFFLINE;
}

/* Tests without a server */

static void
test_backoff_doubles_from_two_seconds_to_five_minutes (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  guint previous_base = 0;

  for (guint attempt = 1; attempt <= 40; attempt++)
    {
      guint64 base = MIN ((guint64) BB_SYNC_BACKOFF_FIRST_MS << MIN (attempt - 1, 20),
                          (guint64) BB_SYNC_BACKOFF_MAX_MS);
      guint delay = bb_sync_backoff_delay_ms (attempt, rand);

      g_assert_cmpuint (delay, >=, base * 8 / 10);
      g_assert_cmpuint (delay, <=, MIN (base * 12 / 10, BB_SYNC_BACKOFF_MAX_MS));
      g_assert_cmpuint (base, >=, previous_base);
      previous_base = (guint) base;
    }

  /* The first retry is about 2 s, the tenth is at the 5 min cap. */
  g_assert_cmpuint (bb_sync_backoff_delay_ms (1, rand), <=, 2400);
  g_assert_cmpuint (bb_sync_backoff_delay_ms (10, rand), >=, BB_SYNC_BACKOFF_MAX_MS * 8 / 10);
  g_assert_cmpuint (bb_sync_backoff_delay_ms (G_MAXUINT, rand), <=, BB_SYNC_BACKOFF_MAX_MS);
}

static void
test_backoff_jitter_follows_the_seed (void)
{
  g_autoptr(GRand) a = g_rand_new_with_seed (4521);
  g_autoptr(GRand) b = g_rand_new_with_seed (4521);
  g_autoptr(GRand) c = g_rand_new_with_seed (1234);
  gboolean differs = FALSE;
  gboolean spread = FALSE;
  guint first = 0;

  for (guint i = 0; i < 20; i++)
    {
      guint da = bb_sync_backoff_delay_ms (3, a);
      guint db = bb_sync_backoff_delay_ms (3, b);
      guint dc = bb_sync_backoff_delay_ms (3, c);

      g_assert_cmpuint (da, ==, db);
      if (da != dc)
        differs = TRUE;
      if (i == 0)
        first = da;
      else if (da != first)
        spread = TRUE;
    }
  /* Devices with other seeds wait other times: they do not come back as one. */
  g_assert_true (differs);
  g_assert_true (spread);
}

static void
test_errors_are_described_in_plain_words (void)
{
  g_autoptr(GError) unreachable = g_error_new_literal (BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNREACHABLE, "x");
  g_autoptr(GError) cert = g_error_new_literal (BB_CLIENT_ERROR, BB_CLIENT_ERROR_CERTIFICATE, "x");
  g_autoptr(GError) unauth = g_error_new_literal (BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNAUTHORIZED, "x");
  g_autoptr(GError) revoked = g_error_new_literal (BB_CLIENT_ERROR, BB_CLIENT_ERROR_DEVICE_REVOKED,
                                                   "An administrator revoked this device.");
  g_autoptr(GError) server = g_error_new_literal (BB_CLIENT_ERROR, BB_CLIENT_ERROR_SERVER, "x");

  g_assert_cmpstr (bb_sync_error_describe (unreachable), ==, "Server unreachable");
  g_assert_cmpstr (bb_sync_error_describe (cert), ==, "Certificate not trusted");
  g_assert_cmpstr (bb_sync_error_describe (unauth), ==, "Signed out: sign in again");
  g_assert_cmpstr (bb_sync_error_describe (revoked), ==, "An administrator revoked this device.");
  g_assert_cmpstr (bb_sync_error_describe (server), ==, "The server had a problem");
  g_assert_null (bb_sync_error_describe (NULL));
}

static void
test_signed_out_device_does_not_sync (void)
{
  g_autoptr(Device) device = device_new ();

  g_assert_cmpint (bb_sync_engine_get_state (device->engine), ==, BB_SYNC_ENGINE_STATE_SIGNED_OUT);
  bb_sync_engine_sync_now (device->engine);
  g_assert_cmpint (bb_sync_engine_get_state (device->engine), ==, BB_SYNC_ENGINE_STATE_SIGNED_OUT);
  g_assert_cmpuint (device->n_synced, ==, 0);
}

/* Tests against the server */

static void
test_wrong_password_is_refused_and_nothing_changes (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (sign_in (device, server, "not the password", &error));
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_INVALID_CREDENTIALS);
  g_assert_false (bb_session_is_signed_in (device->session));
  g_assert_cmpint (bb_sync_engine_get_state (device->engine), ==, BB_SYNC_ENGINE_STATE_SIGNED_OUT);
}

static void
test_queued_save_is_pushed_after_the_debounce (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  guint synced_before;

  sign_in_ok (device, server);
  g_assert_cmpint (bb_sync_engine_get_state (device->engine), ==, BB_SYNC_ENGINE_STATE_IDLE);
  g_assert_nonnull (bb_sync_engine_get_last_success (device->engine));
  synced_before = device->n_synced;

  log_observation (device, "Group of youths by the shops");
  bb_sync_engine_queue (device->engine);
  /* Counted at once, sent only after the debounce. */
  g_assert_cmpuint (bb_sync_engine_get_pending (device->engine), ==, 1);
  g_assert_cmpint (bb_sync_engine_get_state (device->engine), ==, BB_SYNC_ENGINE_STATE_IDLE);

  /* Saves in quick succession make one cycle, not one each. */
  log_observation (device, "Second group, same place");
  bb_sync_engine_queue (device->engine);
  g_assert_cmpuint (bb_sync_engine_get_pending (device->engine), ==, 2);

  wait_for_synced (device, synced_before + 1);
  g_assert_cmpuint (device->n_synced, ==, synced_before + 1);
  g_assert_cmpuint (device->last_stats.pushed, ==, 2);
  g_assert_cmpuint (bb_sync_engine_get_pending (device->engine), ==, 0);
  g_assert_cmpint (bb_sync_engine_get_state (device->engine), ==, BB_SYNC_ENGINE_STATE_IDLE);
  g_assert_null (bb_sync_engine_get_last_error (device->engine));
  g_assert_cmpuint (server_count (server), ==, 2);
}

static void
test_unreachable_server_backs_off_and_loses_nothing (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  guint port, delay, synced_before;

  sign_in_ok (device, server);
  port = server->port;
  server_kill (server, SIGKILL);

  log_observation (device, "Logged while the server is down");
  bb_sync_engine_sync_now (device->engine);
  g_assert_cmpint (bb_sync_engine_get_state (device->engine), ==, BB_SYNC_ENGINE_STATE_SYNCING);
  wait_for_cycle_end (device);

  g_assert_cmpint (bb_sync_engine_get_state (device->engine), ==, failed_state ());
  g_assert_cmpstr (bb_sync_engine_get_last_error (device->engine), ==, "Server unreachable");
  g_assert_cmpuint (bb_sync_engine_get_attempt (device->engine), ==, 1);
  delay = bb_sync_engine_get_retry_delay_ms (device->engine);
  g_assert_cmpuint (delay, >=, 1600);
  g_assert_cmpuint (delay, <=, 2400);
  g_assert_cmpuint (bb_sync_engine_get_pending (device->engine), ==, 1);
  g_assert_true (bb_session_is_signed_in (device->session));

  /* The user tries again: still down, and the next wait is longer. */
  bb_sync_engine_sync_now (device->engine);
  wait_for_cycle_end (device);
  g_assert_cmpuint (bb_sync_engine_get_attempt (device->engine), ==, 2);
  delay = bb_sync_engine_get_retry_delay_ms (device->engine);
  g_assert_cmpuint (delay, >=, 3200);
  g_assert_cmpuint (delay, <=, 4800);

  /* A save while backing off waits for the retry instead of hammering. */
  log_observation (device, "Second record while down");
  bb_sync_engine_queue (device->engine);
  g_assert_cmpuint (bb_sync_engine_get_pending (device->engine), ==, 2);
  g_assert_cmpint (bb_sync_engine_get_state (device->engine), ==, failed_state ());

  /* Back on the same address: the scheduled retry sends everything. */
  server_start (server, port);
  synced_before = device->n_synced;
  wait_for_synced (device, synced_before + 1);
  g_assert_cmpuint (device->last_stats.pushed, ==, 2);
  g_assert_cmpuint (bb_sync_engine_get_attempt (device->engine), ==, 0);
  g_assert_cmpuint (bb_sync_engine_get_retry_delay_ms (device->engine), ==, 0);
  g_assert_null (bb_sync_engine_get_last_error (device->engine));
  g_assert_cmpint (bb_sync_engine_get_state (device->engine), ==, BB_SYNC_ENGINE_STATE_IDLE);
  g_assert_cmpuint (bb_sync_engine_get_pending (device->engine), ==, 0);
  g_assert_cmpuint (server_count (server), ==, 2);
}

static void
test_401_stops_and_signs_out (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();

  sign_in_ok (device, server);
  log_observation (device, "Kept while signed out");
  run_admin ("", "user", "disable", "--db", server->db, "--username", "officer1", NULL);

  bb_sync_engine_sync_now (device->engine);
  wait_for_cycle_end (device);

  g_assert_cmpint (bb_sync_engine_get_state (device->engine), ==, BB_SYNC_ENGINE_STATE_SIGNED_OUT);
  g_assert_cmpstr (bb_sync_engine_get_last_error (device->engine), ==, "Signed out: sign in again");
  /* No retry: only signing in again can help. */
  g_assert_cmpuint (bb_sync_engine_get_retry_delay_ms (device->engine), ==, 0);
  g_assert_cmpuint (bb_sync_engine_get_attempt (device->engine), ==, 0);
  /* The record waits for the next sign-in. */
  g_assert_cmpuint (bb_sync_engine_get_pending (device->engine), ==, 1);
  g_assert_cmpuint (device->n_store_changed, ==, 0);

  bb_sync_engine_sync_now (device->engine);
  g_assert_cmpint (bb_sync_engine_get_state (device->engine), ==, BB_SYNC_ENGINE_STATE_SIGNED_OUT);
}

static void
test_revoked_device_is_wiped_and_says_why (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autofree char *device_id = NULL;
  guint n = 99;

  sign_in_ok (device, server);
  log_observation (device, "Before revocation");
  device_id = bb_store_get_meta (bb_session_get_store (device->session), "sync.device_id");
  run_admin ("", "device", "revoke", "--db", server->db, "--device-id", device_id, NULL);

  bb_sync_engine_sync_now (device->engine);
  wait_for_cycle_end (device);

  g_assert_cmpint (bb_sync_engine_get_state (device->engine), ==, BB_SYNC_ENGINE_STATE_SIGNED_OUT);
  g_assert_nonnull (strstr (bb_sync_engine_get_last_error (device->engine), "revoked"));
  g_assert_cmpuint (device->n_store_changed, ==, 1);
  g_assert_cmpuint (bb_sync_engine_get_pending (device->engine), ==, 0);
  g_assert_true (bb_store_count_records (bb_session_get_store (device->session), NULL, &n, NULL));
  g_assert_cmpuint (n, ==, 0);
}

static void
test_timer_syncs_without_being_asked (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  guint synced_before;

  sign_in_ok (device, server);
  log_observation (device, "Sent by the timer");
  synced_before = device->n_synced;
  bb_sync_engine_set_interval (device->engine, 1);
  wait_for_synced (device, synced_before + 1);
  g_assert_cmpuint (bb_sync_engine_get_pending (device->engine), ==, 0);
  g_assert_cmpuint (server_count (server), ==, 1);
}

static void
test_sign_out_returns_to_the_local_user (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  sign_in_ok (device, server);
  log_observation (device, "Stays for the next sign-in");
  bb_sync_engine_sign_out_async (device->engine, NULL, (GAsyncReadyCallback) NULL, NULL);
  /* Nothing to wait on but the state: the callback is optional. */
  while (!done)
    {
      g_main_context_iteration (NULL, TRUE);
      done = !bb_session_is_signed_in (device->session) &&
             bb_sync_engine_get_state (device->engine) == BB_SYNC_ENGINE_STATE_SIGNED_OUT;
    }
  g_assert_cmpuint (device->n_store_changed, ==, 1);
  g_assert_cmpuint (bb_sync_engine_get_pending (device->engine), ==, 0);

  sign_in_ok (device, server);
  g_assert_cmpuint (server_count (server), ==, 1);
  g_assert_cmpuint (bb_sync_engine_get_pending (device->engine), ==, 0);
}

int
main (int argc, char *argv[])
{
  test_db_require ();
  g_test_init (&argc, &argv, NULL);
  g_setenv ("BEATBOOK_NO_KEYRING", "1", TRUE);

  g_test_add_func ("/sync-engine/backoff/doubles-from-two-seconds-to-five-minutes",
                   test_backoff_doubles_from_two_seconds_to_five_minutes);
  g_test_add_func ("/sync-engine/backoff/jitter-follows-the-seed", test_backoff_jitter_follows_the_seed);
  g_test_add_func ("/sync-engine/errors/are-described-in-plain-words", test_errors_are_described_in_plain_words);
  g_test_add_func ("/sync-engine/signed-out/device-does-not-sync", test_signed_out_device_does_not_sync);

  if (g_getenv ("BEATBOOK_SERVER") == NULL)
    {
      g_printerr ("BEATBOOK_SERVER is not set: only the tests without a server run\n");
      return g_test_run ();
    }

  g_test_add_func ("/sync-engine/sign-in/wrong-password-is-refused-and-nothing-changes",
                   test_wrong_password_is_refused_and_nothing_changes);
  g_test_add_func ("/sync-engine/queue/a-save-is-pushed-after-the-debounce",
                   test_queued_save_is_pushed_after_the_debounce);
  g_test_add_func ("/sync-engine/backoff/unreachable-server-backs-off-and-loses-nothing",
                   test_unreachable_server_backs_off_and_loses_nothing);
  g_test_add_func ("/sync-engine/auth/401-stops-and-signs-out", test_401_stops_and_signs_out);
  g_test_add_func ("/sync-engine/revoke/revoked-device-is-wiped-and-says-why",
                   test_revoked_device_is_wiped_and_says_why);
  g_test_add_func ("/sync-engine/timer/syncs-without-being-asked", test_timer_syncs_without_being_asked);
  g_test_add_func ("/sync-engine/sign-out/returns-to-the-local-user", test_sign_out_returns_to_the_local_user);

  return g_test_run ();
}
