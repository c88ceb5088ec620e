/* test-scale-out.c: three servers on one PostgreSQL, fifty devices at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three real beatbook-server processes share one database; fifty devices
 * (threads, each with its own HTTP session) push new records and edits and
 * pull from their cursors for a bounded time (BEATBOOK_SCALE_SECONDS, 20 by
 * default), each request through any of the three servers. Afterwards
 * every device's pull stream must be in seq order with nothing twice and
 * none of its own revisions (a pull leaves those out), what it pulled and
 * pushed together must hold the last revision of every record its user may
 * see and nothing else, and the audit log must have exactly one entry per
 * applied change.
 *
 * Runs on PostgreSQL (BEATBOOK_TEST_BACKEND=postgresql): one SQLite file is
 * for one server process. As a benchmark (tests/bench/meson.build) it
 * prints the load it carried; BEATBOOK_SCALE_SERVERS=1 then also runs it on
 * SQLite, for the figures in docs/operations.md.
 */
#define G_LOG_DOMAIN "beatbook-scale-test"

#include "config.h"

#include <locale.h>

#include "test-db.h"

#define MAX_SERVERS 3
#define N_DEVICES 50
#define N_USERS   10   /* two supervisors, eight officers; five devices each */
#define PASSWORD  "scale-out correct horse"
#define DEVICE_NAME "Scale device %u"

#include "device-crowd.h"

static guint n_servers = MAX_SERVERS;
static char *bases[MAX_SERVERS];
static gint64 deadline;

static const char *
username_of (guint user)
{
  static const char *names[N_USERS] = {
    "sgt1", "sgt2", "pcso1", "pcso2", "pcso3", "pcso4", "pcso5", "pcso6", "pcso7", "pcso8",
  };

  return names[user];
}

static gboolean
is_supervisor (guint user)
{
  return user < 2;
}

static char *
crowd_username (guint user)
{
  return g_strdup (username_of (user));
}

/* Each request goes to one of the servers, at random. */
static const char *
crowd_base_url (void)
{
  return bases[g_random_int_range (0, (gint32) n_servers)];
}

static gboolean
push (Device      *d,
      SoupSession *session)
{
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) revs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *prefix = g_strdup_printf ("{\"device_id\": \"%s\", \"changes\": [", d->device_id);
  guint n_new = (guint) g_random_int_range (1, 4);
  JsonArray *results;
  int edit = -1;

  g_string_append (body, prefix);
  for (guint i = 0; i < n_new; i++)
    {
      char *id = g_uuid_string_random ();
      gint64 rev = 1;

      append_change (body, id, rev, ids->len);
      g_ptr_array_add (ids, id);
      g_array_append_val (revs, rev);
    }
  if (d->own->len > 0 && g_random_boolean ())
    {
      Change *c;
      gint64 rev;

      edit = g_random_int_range (0, (gint32) d->own->len);
      c = &g_array_index (d->own, Change, edit);
      rev = c->rev + 1;
      append_change (body, c->id, rev, ids->len);
      g_ptr_array_add (ids, g_strdup (c->id));
      g_array_append_val (revs, rev);
    }
  g_string_append (body, "]}");

  reply = http (d, session, "POST", "/api/v1/sync/push", body->str);
  if (reply == NULL)
    return FALSE;
  results = json_object_get_array_member (json_node_get_object (reply), "results");
  if (json_array_get_length (results) != ids->len)
    return fail (d, "push of %u changes answered %u results", ids->len, json_array_get_length (results));

  for (guint i = 0; i < ids->len; i++)
    {
      JsonObject *r = json_array_get_object_element (results, i);
      const char *status = json_object_get_string_member (r, "status");
      Change applied = { 0 };

      if (g_strcmp0 (status, "applied") != 0)
        return fail (d, "change %s rev %" G_GINT64_FORMAT " was %s, not applied",
                     (char *) ids->pdata[i], g_array_index (revs, gint64, i), status);
      applied.id = g_strdup (ids->pdata[i]);
      applied.rev = json_object_get_int_member (r, "rev");
      applied.seq = json_object_get_int_member (r, "seq");
      g_array_append_val (d->applied, applied);

      if (edit >= 0 && i == ids->len - 1)
        {
          g_array_index (d->own, Change, edit).rev = applied.rev;
        }
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
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);

  /* Devices come online over a second or so, not in one instant: a burst
   * of fifty connects overflows a listen backlog of ten (the server's
   * hardening sees to that; this test is about seq and the audit). */
  g_usleep (d->index * 20 * 1000);
  while (g_get_monotonic_time () < deadline)
    {
      if (!push (d, session) || !pull (d, session))
        return NULL;
    }
  return NULL;
}

static void
add_users (const char *db)
{
  for (guint u = 0; u < N_USERS; u++)
    {
      g_autofree char *display = g_strdup_printf ("Scale user %u", u);

      api_user_add (db, username_of (u), is_supervisor (u) ? "supervisor" : "officer",
                    display, NULL, PASSWORD);
    }
}

static void
test_three_servers_fifty_devices (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("beatbook-scale-XXXXXX", &error);
  g_autofree char *db = NULL;
  g_autoptr(GHashTable) final = g_hash_table_new (g_str_hash, g_str_equal);   /* id -> Change */
  g_autoptr(GHashTable) author = g_hash_table_new (g_str_hash, g_str_equal);  /* id -> user index */
  g_autoptr(GHashTable) audit = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);
  ApiServer *servers[MAX_SERVERS];
  GThread *threads[N_DEVICES];
  Device devices[N_DEVICES];
  const char *seconds = g_getenv ("BEATBOOK_SCALE_SECONDS");
  guint n_applied = 0, n_seen = 0, n_requests = 0, n_audit = 0;
  gint64 start;
  double elapsed;
  PGconn *conn;
  PGresult *res;

  g_assert_no_error (error);
  db = test_db_new (dir, "server.db");
  add_users (db);
  for (guint s = 0; s < n_servers; s++)
    {
      servers[s] = api_server_start (db);
      bases[s] = servers[s]->base_url;
    }

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
      /* Signing in hashes a password: one after another, before the load. */
      if (!sign_in (d, session))
        g_error ("device %u: %s", i, d->failure);
    }
  start = g_get_monotonic_time ();
  deadline = start + (seconds != NULL ? g_ascii_strtoll (seconds, NULL, 10) : 20) * G_USEC_PER_SEC;
  for (guint i = 0; i < N_DEVICES; i++)
    {
      threads[i] = g_thread_new ("device", device_run, &devices[i]);
    }
  for (guint i = 0; i < N_DEVICES; i++)
    g_thread_join (threads[i]);
  elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  for (guint i = 0; i < N_DEVICES; i++)
    if (devices[i].failure != NULL)
      g_error ("device %u: %s", i, devices[i].failure);

  /* Every push has been answered: a last pull brings each device level. */
  for (guint i = 0; i < N_DEVICES; i++)
    {
      if (!pull (&devices[i], session))
        g_error ("device %u: %s", i, devices[i].failure);
    }

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
  g_assert_cmpuint (n_applied, >, N_DEVICES);

  for (guint i = 0; i < N_DEVICES; i++)
    {
      Device *d = &devices[i];
      device_check_pulls (d, i, is_supervisor (d->user), final, author);
      n_seen += d->seen->len;
      n_requests += d->n_requests;
    }

  /* One audit entry per applied change. */
  if (!test_db_is_postgresql ())
    goto figures;
  conn = PQconnectdb (db);
  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, "SELECT record_id, count(*) FROM audit"
                      " WHERE action IN ('create', 'update') GROUP BY record_id");
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  for (int r = 0; r < PQntuples (res); r++)
    {
      guint n = (guint) g_ascii_strtoull (PQgetvalue (res, r, 1), NULL, 10);

      g_hash_table_insert (audit, g_strdup (PQgetvalue (res, r, 0)), GUINT_TO_POINTER (n));
      n_audit += n;
    }
  PQclear (res);
  PQfinish (conn);
  g_assert_cmpuint (n_audit, ==, n_applied);
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, final);
    while (g_hash_table_iter_next (&iter, &key, &value))
      g_assert_cmpint (GPOINTER_TO_UINT (g_hash_table_lookup (audit, key)), ==, ((Change *) value)->rev);
  }

figures:
  g_print ("# %s, %u server(s), %u devices, %.1f s: %u requests (%.0f/s), "
           "%u changes applied (%.0f/s, %u records), %u pulled (%.0f/s), %u audit entries%s\n",
           test_db_is_postgresql () ? "PostgreSQL" : "SQLite", n_servers, N_DEVICES, elapsed,
           n_requests, n_requests / elapsed, n_applied, n_applied / elapsed,
           g_hash_table_size (final), n_seen, n_seen / elapsed, n_audit,
           test_db_is_postgresql () ? "" : " (not counted on SQLite)");

  g_clear_pointer (&final, g_hash_table_unref);
  g_clear_pointer (&author, g_hash_table_unref);
  for (guint i = 0; i < N_DEVICES; i++)
    device_clear (&devices[i]);
  for (guint s = 0; s < n_servers; s++)
    api_server_stop (servers[s]);
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

  if (g_getenv ("BEATBOOK_SCALE_SERVERS") != NULL)
    n_servers = (guint) CLAMP (g_ascii_strtoull (g_getenv ("BEATBOOK_SCALE_SERVERS"), NULL, 10),
                               1, MAX_SERVERS);
  if (!test_db_is_postgresql () && n_servers > 1)
    {
      g_printerr ("test-scale-out runs several servers on PostgreSQL only: set "
                  "BEATBOOK_TEST_BACKEND=postgresql (or BEATBOOK_SCALE_SERVERS=1)\n");
      return 1;
    }

  g_test_add_func ("/scale-out/servers-and-fifty-devices-miss-nothing-and-double-nothing",
                   test_three_servers_fifty_devices);
  return g_test_run ();
}
