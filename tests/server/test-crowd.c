/* test-crowd.c: fifty devices syncing with one server at the same moment
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A shift change: fifty devices (threads, each with its own HTTP session
 * and connection) sign in at once to one real beatbook-server on loopback,
 * then each runs a fixed number of rounds, all starting together: push a
 * few new records and an edit of one of its own, send that same push again
 * (a request whose answer was lost, retried), and pull from its cursor to
 * the end. Ten devices share each user, so every device pulls what its
 * user's nine others push (and the supervisors' devices everything).
 *
 * No request may fail (transport error or any answer but 200/201), the
 * retry must be answered `duplicate` with the first answer's rev and seq,
 * every device's pull stream must be in seq order with nothing twice and
 * none of its own revisions, what it pulled and pushed must hold the last
 * revision of every record its user may see, and the database must hold
 * one audit entry per applied change and nothing else. Nothing here is
 * timed: the work is a fixed number of rounds, however long it takes.
 *
 * Runs on SQLite (one server process, its request workers each with a
 * connection of their own) and on PostgreSQL (BEATBOOK_TEST_BACKEND).
 */
#define G_LOG_DOMAIN "beatbook-crowd-test"

#include "config.h"

#include <locale.h>

#include "test-db.h"

#define N_DEVICES 50
#define N_USERS   5    /* one supervisor, four officers; ten devices each */
#define N_ROUNDS  6
#define PASSWORD  "crowd correct horse battery"
#define DEVICE_NAME "Crowd device %u"

#include "device-crowd.h"

static char *base_url;

/* Every device starts its rounds at once. */
static GMutex start_lock;
static GCond start_cond;
static guint n_waiting;
static gboolean started;

static gboolean
is_supervisor (guint user)
{
  return user == 0;
}

static char *
crowd_username (guint user)
{
  return is_supervisor (user) ? g_strdup ("crowd-sgt") : g_strdup_printf ("crowd-pcso%u", user);
}

static const char *
crowd_base_url (void)
{
  return base_url;
}

/* Sends @body; checks every result is @want, and returns the results. */
static JsonArray *
push_once (Device      *d,
           SoupSession *session,
           const char  *body,
           guint        n_changes,
           const char  *want,
           JsonNode   **reply)
{
  JsonArray *results;

  *reply = http (d, session, "POST", "/api/v1/sync/push", body);
  if (*reply == NULL)
    return NULL;
  results = json_object_get_array_member (json_node_get_object (*reply), "results");
  if (json_array_get_length (results) != n_changes)
    {
      fail (d, "push of %u changes answered %u results", n_changes, json_array_get_length (results));
      return NULL;
    }
  for (guint i = 0; i < n_changes; i++)
    {
      const char *status = json_object_get_string_member (json_array_get_object_element (results, i),
                                                          "status");

      if (g_strcmp0 (status, want) != 0)
        {
          fail (d, "change %u of a push was %s, not %s", i, status, want);
          return NULL;
        }
    }
  return results;
}

static gboolean
push (Device      *d,
      SoupSession *session)
{
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autofree char *prefix = g_strdup_printf ("{\"device_id\": \"%s\", \"changes\": [", d->device_id);
  guint n_new = (guint) g_random_int_range (1, 4);
  JsonArray *results, *retried;
  int edit = -1;

  g_string_append (body, prefix);
  for (guint i = 0; i < n_new; i++)
    {
      char *id = g_uuid_string_random ();

      append_change (body, id, 1, ids->len);
      g_ptr_array_add (ids, id);
    }
  if (d->own->len > 0)
    {
      Change *c;

      edit = g_random_int_range (0, (gint32) d->own->len);
      c = &g_array_index (d->own, Change, edit);
      append_change (body, c->id, c->rev + 1, ids->len);
      g_ptr_array_add (ids, g_strdup (c->id));
    }
  g_string_append (body, "]}");

  results = push_once (d, session, body->str, ids->len, "applied", &reply);
  if (results == NULL)
    return FALSE;
  /* The answer lost on the way, the same batch sent again. */
  retried = push_once (d, session, body->str, ids->len, "duplicate", &again);
  if (retried == NULL)
    return FALSE;

  for (guint i = 0; i < ids->len; i++)
    {
      JsonObject *r = json_array_get_object_element (results, i);
      JsonObject *r2 = json_array_get_object_element (retried, i);
      Change applied = { 0 };

      applied.id = g_strdup (ids->pdata[i]);
      applied.rev = json_object_get_int_member (r, "rev");
      applied.seq = json_object_get_int_member (r, "seq");
      if (json_object_get_int_member (r2, "rev") != applied.rev ||
          json_object_get_int_member (r2, "seq") != applied.seq)
        {
          fail (d, "the retry of %s answered rev %" G_GINT64_FORMAT " seq %" G_GINT64_FORMAT
                ", the first rev %" G_GINT64_FORMAT " seq %" G_GINT64_FORMAT, applied.id,
                json_object_get_int_member (r2, "rev"), json_object_get_int_member (r2, "seq"),
                applied.rev, applied.seq);
          change_clear (&applied);
          return FALSE;
        }
      d->n_duplicates++;
      g_array_append_val (d->applied, applied);

      if (edit >= 0 && i == ids->len - 1)
        g_array_index (d->own, Change, edit).rev = applied.rev;
      else
        {
          Change own = { g_strdup (applied.id), applied.rev, applied.seq };
          g_array_append_val (d->own, own);
        }
    }
  return TRUE;
}

static gpointer
device_run (gpointer data)
{
  Device *d = data;
  /* Far longer than any answer takes even under a sanitizer: a request
   * that still times out is a failure the test reports, not a timing. */
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 600, NULL);
  gboolean ok;

  /* Everyone signs in at once, as at the start of a shift. */
  ok = sign_in (d, session);

  g_mutex_lock (&start_lock);
  n_waiting++;
  g_cond_broadcast (&start_cond);
  while (!started)
    g_cond_wait (&start_cond, &start_lock);
  g_mutex_unlock (&start_lock);

  for (guint round = 0; ok && round < N_ROUNDS; round++)
    ok = push (d, session) && pull (d, session);
  return NULL;
}

static guint
query_count (const char *db,
             const char *sql)
{
  g_autofree char *value = test_db_query (db, sql);

  g_assert_nonnull (value);
  return (guint) g_ascii_strtoull (value, NULL, 10);
}

static void
test_fifty_devices_at_once (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("beatbook-crowd-XXXXXX", &error);
  g_autofree char *db = NULL;
  g_autoptr(GHashTable) final = g_hash_table_new (g_str_hash, g_str_equal);   /* id -> Change */
  g_autoptr(GHashTable) author = g_hash_table_new (g_str_hash, g_str_equal);  /* id -> user index */
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 600, NULL);
  ApiServer *server;
  GThread *threads[N_DEVICES];
  Device devices[N_DEVICES];
  guint n_applied = 0, n_seen = 0, n_requests = 0, n_duplicates = 0;
  gint64 sum_revs = 0;
  GHashTableIter iter;
  gpointer key, value;

  g_assert_no_error (error);
  db = test_db_new (dir, "server.db");
  for (guint u = 0; u < N_USERS; u++)
    {
      g_autofree char *username = crowd_username (u);
      g_autofree char *display = g_strdup_printf ("Crowd user %u", u);

      api_user_add (db, username, is_supervisor (u) ? "supervisor" : "officer",
                    display, NULL, PASSWORD);
    }
  server = api_server_start (db);
  base_url = server->base_url;

  memset (devices, 0, sizeof devices);
  for (guint i = 0; i < N_DEVICES; i++)
    {
      Device *d = &devices[i];

      d->index = i;
      d->user = i % N_USERS;
      d->applied = g_array_new (FALSE, FALSE, sizeof (Change));
      d->seen = g_array_new (FALSE, FALSE, sizeof (Change));
      d->own = g_array_new (FALSE, FALSE, sizeof (Change));
      g_array_set_clear_func (d->applied, change_clear);
      g_array_set_clear_func (d->seen, change_clear);
      g_array_set_clear_func (d->own, change_clear);
      threads[i] = g_thread_new ("device", device_run, d);
    }
  g_mutex_lock (&start_lock);
  while (n_waiting < N_DEVICES)
    g_cond_wait (&start_cond, &start_lock);
  started = TRUE;
  g_cond_broadcast (&start_cond);
  g_mutex_unlock (&start_lock);
  for (guint i = 0; i < N_DEVICES; i++)
    g_thread_join (threads[i]);

  /* No request failed: not one transport error, not one answer but 2xx. */
  for (guint i = 0; i < N_DEVICES; i++)
    if (devices[i].failure != NULL)
      g_error ("device %u: %s", i, devices[i].failure);

  /* Every push has been answered: a last pull brings each device level. */
  for (guint i = 0; i < N_DEVICES; i++)
    if (!pull (&devices[i], session))
      g_error ("device %u: %s", i, devices[i].failure);

  /* What the server applied, from the devices' push results. */
  for (guint i = 0; i < N_DEVICES; i++)
    for (guint j = 0; j < devices[i].applied->len; j++)
      {
        Change *c = &g_array_index (devices[i].applied, Change, j);
        Change *known = g_hash_table_lookup (final, c->id);

        if (known == NULL || known->seq < c->seq)
          g_hash_table_insert (final, c->id, c);
        g_hash_table_insert (author, c->id, GUINT_TO_POINTER (devices[i].user));
        n_applied++;
      }
  /* Each round: at least one new record, and from the second an edit. */
  g_assert_cmpuint (n_applied, >=, N_DEVICES * (2 * N_ROUNDS - 1));

  for (guint i = 0; i < N_DEVICES; i++)
    {
      Device *d = &devices[i];
      device_check_pulls (d, i, is_supervisor (d->user), final, author);
      n_seen += d->seen->len;
      n_requests += d->n_requests;
      n_duplicates += d->n_duplicates;
    }
  /* Every applied change was retried once, and answered `duplicate`. */
  g_assert_cmpuint (n_duplicates, ==, n_applied);

  /* Every revision of every record was applied once: the revs add up to
   * the applied changes, and the database agrees, one audit entry each. */
  g_hash_table_iter_init (&iter, final);
  while (g_hash_table_iter_next (&iter, &key, &value))
    sum_revs += ((Change *) value)->rev;
  g_assert_cmpint (sum_revs, ==, n_applied);
  api_server_stop (server);
  g_assert_cmpuint (query_count (db, "SELECT count(*) FROM records"), ==, g_hash_table_size (final));
  g_assert_cmpuint (query_count (db, "SELECT count(*) FROM audit WHERE action IN ('create', 'update')"),
                    ==, n_applied);
  g_assert_cmpuint (query_count (db, "SELECT count(DISTINCT record_id) FROM audit"
                                     " WHERE action IN ('create', 'update')"),
                    ==, g_hash_table_size (final));
  g_assert_cmpuint (query_count (db, "SELECT count(*) FROM audit WHERE action = 'login'"),
                    ==, N_DEVICES);

  g_print ("# %s, %u devices, %u rounds: %u requests, %u changes applied (%u records), "
           "%u retries answered duplicate, %u pulled\n",
           test_db_is_postgresql () ? "PostgreSQL" : "SQLite", N_DEVICES, N_ROUNDS,
           n_requests, n_applied, g_hash_table_size (final), n_duplicates, n_seen);

  g_clear_pointer (&final, g_hash_table_unref);
  g_clear_pointer (&author, g_hash_table_unref);
  for (guint i = 0; i < N_DEVICES; i++)
    device_clear (&devices[i]);
  test_db_drop (db);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  test_db_require ();
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/crowd/fifty-devices-at-once-fail-nothing-lose-nothing-double-nothing",
                   test_fifty_devices_at_once);
  return g_test_run ();
}
