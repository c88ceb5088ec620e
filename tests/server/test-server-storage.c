/* test-server-storage.c: the server's storage layer, without HTTP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server-test"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "bb-server-auth.h"
#include "bb-server-store.h"
#include "bb-server-util.h"
#include "test-db.h"
#include "test-files.h"

typedef struct
{
  char          *dir;
  char          *path;
  BbServerStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("bb-server-storage-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = test_db_new (f->dir, "server.db");
  f->store = bb_server_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->store, bb_server_store_close);
  test_db_drop (f->path);
  bb_test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* Like memmem(), which the file's NUL bytes rule g_strstr_len() out for. */
static gboolean
contains_bytes (const char *haystack,
                gsize       length,
                const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= length; i++)
    if (memcmp (haystack + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static BbServerUser *
make_user (const char *username,
           const char *role,
           const char *password)
{
  g_autoptr(GError) error = NULL;
  BbServerUser *user = g_new0 (BbServerUser, 1);

  user->id = g_uuid_string_random ();
  user->username = g_strdup (username);
  user->display_name = g_strdup_printf ("%s (display)", username);
  user->role = g_strdup (role);
  user->staff_number = g_strdup ("4521");
  user->password_hash = bb_server_password_hash (password, &error);
  g_assert_no_error (error);
  user->created_at = bb_server_time_now ();

  return user;
}

static BbServerUser *
add_user (Fixture    *f,
          const char *username,
          const char *role)
{
  g_autoptr(GError) error = NULL;
  BbServerUser *user = make_user (username, role, "correct horse battery");

  bb_server_store_user_add (f->store, user, &error);
  g_assert_no_error (error);
  return user;
}

static BbServerRecord *
make_record (const char *author_id,
             const char *kind,
             gint64      rev)
{
  BbServerRecord *record = g_new0 (BbServerRecord, 1);

  record->id = g_uuid_string_random ();
  record->kind = g_strdup (kind);
  record->rev = rev;
  record->occurred_at = bb_server_time_from_now (-3600);
  record->created_at = bb_server_time_now ();
  record->updated_at = bb_server_time_now ();
  record->priority = 2;
  record->author_id = g_strdup (author_id);
  record->fields_json = g_strdup ("{\"ward\":\"town\"}");
  record->review_state = g_strdup ("new");
  record->review_json = g_strdup ("[]");
  return record;
}

static void
put_record (Fixture        *f,
            BbServerRecord *record,
            const char     *hash)
{
  g_autoptr(GError) error = NULL;

  bb_server_store_begin (f->store, &error);
  g_assert_no_error (error);
  bb_server_store_record_put (f->store, record, hash, &error);
  g_assert_no_error (error);
  bb_server_store_commit (f->store, &error);
  g_assert_no_error (error);
}

static void
test_user_add_and_find (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbServerUser) user = add_user (f, "pcso4521", "officer");
  g_autoptr(BbServerUser) by_name = NULL;
  g_autoptr(BbServerUser) by_id = NULL;
  g_autoptr(BbServerUser) missing = NULL;
  g_autoptr(BbServerUser) again = make_user ("pcso4521", "warden", "another password");

  by_name = bb_server_store_user_find (f->store, "pcso4521", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (by_name);
  g_assert_cmpstr (by_name->id, ==, user->id);
  g_assert_cmpstr (by_name->role, ==, "officer");
  g_assert_cmpstr (by_name->staff_number, ==, "4521");
  g_assert_false (by_name->disabled);

  by_id = bb_server_store_user_find (f->store, NULL, user->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (by_id->username, ==, "pcso4521");

  missing = bb_server_store_user_find (f->store, "nobody", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (missing);

  g_assert_false (bb_server_store_user_add (f->store, again, &error));
  g_assert_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_EXISTS);
}

static void
test_password_hash_and_verify (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = bb_server_password_hash ("correct horse battery", &error);
  g_autofree char *hash2 = bb_server_password_hash ("correct horse battery", &error);

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (hash, "$argon2id$"));
  g_assert_null (strstr (hash, "correct horse battery"));
  /* A fresh salt every time. */
  g_assert_cmpstr (hash, !=, hash2);

  g_assert_true (bb_server_password_verify (hash, "correct horse battery"));
  g_assert_false (bb_server_password_verify (hash, "correct horse batterY"));
  g_assert_false (bb_server_password_verify (hash, ""));
  /* An unknown user never matches, whatever the password. */
  g_assert_false (bb_server_password_verify (NULL, "correct horse battery"));
}

static void
test_session_stores_only_hash (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbServerUser) user = add_user (f, "warden7", "warden");
  g_autofree char *token = bb_server_token_new (&error);
  g_autofree char *token2 = bb_server_token_new (&error);
  g_autofree char *hash = bb_server_token_hash (token);
  g_autoptr(BbServerSession) found = NULL;
  g_autoptr(BbServerSession) by_token = NULL;
  BbServerDevice device = { 0 };
  BbServerSession session = { 0 };
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (strlen (token), ==, BB_SERVER_TOKEN_BYTES * 2);
  g_assert_cmpstr (token, !=, token2);
  g_assert_cmpstr (hash, !=, token);

  device.id = g_uuid_string_random ();
  device.name = (char *) "Patrol laptop 7";
  device.user_id = user->id;
  device.created_at = (char *) "2026-03-01T21:14:00Z";
  bb_server_store_device_add (f->store, &device, &error);
  g_assert_no_error (error);

  session.token_hash = hash;
  session.user_id = user->id;
  session.device_id = device.id;
  session.created_at = (char *) "2026-03-01T21:14:00Z";
  session.expires_at = (char *) "2026-03-02T09:14:00Z";
  bb_server_store_session_add (f->store, &session, &error);
  g_assert_no_error (error);

  found = bb_server_store_session_get (f->store, hash, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpstr (found->user_id, ==, user->id);
  g_assert_cmpstr (found->device_id, ==, device.id);
  g_assert_false (found->revoked);

  /* Looking up by the token itself finds nothing: only its hash is kept. */
  by_token = bb_server_store_session_get (f->store, token, &error);
  g_assert_no_error (error);
  g_assert_null (by_token);

  /* Nor is the token anywhere in the file (or the tables). */
  bb_server_store_close (f->store);
  f->store = NULL;
  if (test_db_is_postgresql ())
    {
      PGconn *conn = PQconnectdb (f->path);
      PGresult *res = PQexec (conn, "SELECT string_agg (t, ' ') FROM ("
                                    " SELECT s::text AS t FROM sessions s UNION ALL"
                                    " SELECT d::text FROM devices d UNION ALL"
                                    " SELECT u::text FROM users u UNION ALL"
                                    " SELECT a::text FROM audit a) rows");

      g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
      contents = g_strdup (PQgetvalue (res, 0, 0));
      length = strlen (contents);
      PQclear (res);
      PQfinish (conn);
    }
  else
    {
      g_file_get_contents (f->path, &contents, &length, &error);
      g_assert_no_error (error);
    }
  g_assert_false (contains_bytes (contents, length, token));
  g_assert_true (contains_bytes (contents, length, hash));

  g_free (device.id);
}

static void
test_user_disable_revokes_sessions (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbServerUser) user = add_user (f, "councillor3", "councillor");
  g_autoptr(BbServerSession) found = NULL;
  g_autoptr(BbServerUser) reread = NULL;
  BbServerDevice device = { 0 };
  BbServerSession session = { 0 };

  device.id = (char *) "0d7a1a3e-8f52-4c1e-9a59-3c1b2f0e5d11";
  device.name = (char *) "Tablet";
  device.user_id = user->id;
  device.created_at = (char *) "2026-03-01T21:14:00Z";
  bb_server_store_device_add (f->store, &device, &error);
  g_assert_no_error (error);
  session.token_hash = (char *) "abc";
  session.user_id = user->id;
  session.device_id = device.id;
  session.created_at = device.created_at;
  session.expires_at = (char *) "2099-01-01T00:00:00Z";
  bb_server_store_session_add (f->store, &session, &error);
  g_assert_no_error (error);

  bb_server_store_user_set_disabled (f->store, "councillor3", TRUE, &error);
  g_assert_no_error (error);
  found = bb_server_store_session_get (f->store, "abc", &error);
  g_assert_no_error (error);
  g_assert_true (found->revoked);
  reread = bb_server_store_user_find (f->store, "councillor3", NULL, &error);
  g_assert_true (reread->disabled);

  g_assert_false (bb_server_store_user_set_disabled (f->store, "nobody", TRUE, &error));
  g_assert_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_NOT_FOUND);
}

static void
test_device_revoke (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbServerUser) user = add_user (f, "sergeant", "supervisor");
  g_autoptr(BbServerDevice) got = NULL;
  BbServerDevice device = { 0 };

  device.id = (char *) "6b0f2a8e-1c3d-4e5f-8a9b-0c1d2e3f4a5b";
  device.name = (char *) "Patrol laptop 2";
  device.user_id = user->id;
  device.created_at = (char *) "2026-03-01T21:14:00Z";
  bb_server_store_device_add (f->store, &device, &error);
  g_assert_no_error (error);

  bb_server_store_device_revoke (f->store, device.id, "2026-03-02T08:00:00Z", &error);
  g_assert_no_error (error);
  got = bb_server_store_device_get (f->store, device.id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->revoked_at, ==, "2026-03-02T08:00:00Z");

  g_assert_false (bb_server_store_device_revoke (f->store, "no-such-device", "2026-03-02T08:00:00Z", &error));
  g_assert_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_NOT_FOUND);
}

static void
test_login_failures_counted_in_window (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint count = 99;

  bb_server_store_login_failure_add (f->store, "pcso4521", "2026-03-01T21:00:00Z", &error);
  bb_server_store_login_failure_add (f->store, "pcso4521", "2026-03-01T21:10:00Z", &error);
  bb_server_store_login_failure_add (f->store, "pcso4521", "2026-03-01T21:20:00Z", &error);
  bb_server_store_login_failure_add (f->store, "other", "2026-03-01T21:20:00Z", &error);
  g_assert_no_error (error);

  /* A window starting 21:05 holds the last two failures of this user only. */
  bb_server_store_login_failures_count (f->store, "pcso4521", "2026-03-01T21:05:00Z", &count, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 2);
  bb_server_store_login_failures_count (f->store, "pcso4521", "2026-03-01T20:00:00Z", &count, &error);
  g_assert_cmpuint (count, ==, 3);
  bb_server_store_login_failures_count (f->store, "pcso4521", "2026-03-01T21:30:00Z", &count, &error);
  g_assert_cmpuint (count, ==, 0);
}

static void
test_seq_strictly_increasing (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(BbServerUser) user = add_user (f, "pcso4521", "officer");
  g_autoptr(BbServerRecord) a = make_record (user->id, "vawg_walk", 1);
  g_autoptr(BbServerRecord) b = make_record (user->id, "engagement_event", 1);
  g_autoptr(BbServerRecord) reread = NULL;
  g_autoptr(GError) error = NULL;
  gint64 first, second;

  put_record (f, a, "h1");
  first = a->seq;
  put_record (f, b, "h2");
  second = b->seq;
  g_assert_cmpint (first, >, 0);
  g_assert_cmpint (second, >, first);

  /* An edit of an existing record gets a new, higher seq too. */
  a->rev = 2;
  put_record (f, a, "h3");
  g_assert_cmpint (a->seq, >, second);

  reread = bb_server_store_record_get (f->store, a->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (reread->seq, ==, a->seq);
  g_assert_cmpint (reread->rev, ==, 2);
  g_assert_cmpstr (reread->author_name, ==, "pcso4521 (display)");
  g_assert_cmpstr (reread->author_role, ==, "officer");
}

static void
test_seq_not_used_by_rolled_back_change (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(BbServerUser) user = add_user (f, "pcso4521", "officer");
  g_autoptr(BbServerRecord) a = make_record (user->id, "vawg_walk", 1);
  g_autoptr(BbServerRecord) b = make_record (user->id, "vawg_walk", 1);
  g_autoptr(BbServerRecord) c = make_record (user->id, "vawg_walk", 1);
  g_autoptr(BbServerRecord) gone = NULL;
  g_autoptr(GError) error = NULL;
  gboolean found = TRUE;

  bb_server_store_begin (f->store, &error);
  g_assert_no_error (error);
  bb_server_store_savepoint (f->store, &error);
  bb_server_store_record_put (f->store, a, "ha", &error);
  bb_server_store_release (f->store, &error);
  g_assert_no_error (error);
  /* The second change fails halfway: its savepoint is rolled back. */
  bb_server_store_savepoint (f->store, &error);
  bb_server_store_record_put (f->store, b, "hb", &error);
  g_assert_no_error (error);
  bb_server_store_rollback_to (f->store);
  bb_server_store_savepoint (f->store, &error);
  bb_server_store_record_put (f->store, c, "hc", &error);
  bb_server_store_release (f->store, &error);
  bb_server_store_commit (f->store, &error);
  g_assert_no_error (error);

  gone = bb_server_store_record_get (f->store, b->id, &error);
  g_assert_no_error (error);
  g_assert_null (gone);
  bb_server_store_record_rev_find (f->store, b->id, 1, &found, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (found);
  /* The rolled-back seq is handed out again: no gap, still increasing. */
  g_assert_cmpint (c->seq, ==, a->seq + 1);
}

static void
test_revision_remembered_for_retries (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(BbServerUser) user = add_user (f, "pcso4521", "officer");
  g_autoptr(BbServerRecord) a = make_record (user->id, "s59_warning", 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  gboolean found = FALSE;
  gint64 seq = 0, first_seq;

  put_record (f, a, "change-hash-1");
  first_seq = a->seq;

  bb_server_store_record_rev_find (f->store, a->id, 1, &found, &hash, &seq, &error);
  g_assert_no_error (error);
  g_assert_true (found);
  g_assert_cmpstr (hash, ==, "change-hash-1");
  g_assert_cmpint (seq, ==, first_seq);

  /* A review gives the record a new seq but is no pushed revision: the
   * retry of revision 1 still finds the seq it was first given. */
  g_free (a->review_state);
  a->review_state = g_strdup ("reviewed");
  put_record (f, a, NULL);
  g_assert_cmpint (a->seq, >, first_seq);
  g_clear_pointer (&hash, g_free);
  bb_server_store_record_rev_find (f->store, a->id, 1, &found, &hash, &seq, &error);
  g_assert_true (found);
  g_assert_cmpint (seq, ==, first_seq);

  /* Storing the same revision twice is refused by the store itself. */
  bb_server_store_begin (f->store, &error);
  g_assert_false (bb_server_store_record_put (f->store, a, "change-hash-1", &error));
  g_assert_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_FAILED);
  bb_server_store_rollback (f->store);

  bb_server_store_record_rev_find (f->store, a->id, 2, &found, NULL, NULL, &error);
  g_assert_false (found);
}

static void
test_pull_scoped_by_role (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(BbServerUser) officer = add_user (f, "pc1", "officer");
  g_autoptr(BbServerUser) other = add_user (f, "pc2", "officer");
  g_autoptr(BbServerRecord) own = make_record (officer->id, "vawg_walk", 1);
  g_autoptr(BbServerRecord) others_walk = make_record (other->id, "vawg_walk", 1);
  g_autoptr(BbServerRecord) others_s59 = make_record (other->id, "s59_warning", 1);
  g_autoptr(BbServerRecord) old_s59 = make_record (other->id, "s59_warning", 1);
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cutoff = bb_server_time_from_now (-365 * 24 * 3600);
  BbServerScope scope = { officer->id, FALSE, cutoff };
  BbServerScope own_only = { officer->id, FALSE, NULL };
  BbServerScope all = { officer->id, TRUE, NULL };
  gboolean more = TRUE;

  g_free (old_s59->occurred_at);
  old_s59->occurred_at = bb_server_time_from_now (-400 * 24 * 3600);
  put_record (f, own, "1");
  put_record (f, others_walk, "2");
  put_record (f, others_s59, "3");
  put_record (f, old_s59, "4");

  page = bb_server_store_records_pull (f->store, &scope, 0, 100, &more, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_cmpstr (((BbServerRecord *) page->pdata[0])->id, ==, own->id);
  g_assert_cmpstr (((BbServerRecord *) page->pdata[1])->id, ==, others_s59->id);
  g_assert_false (more);
  g_clear_pointer (&page, g_ptr_array_unref);

  page = bb_server_store_records_pull (f->store, &own_only, 0, 100, &more, &error);
  g_assert_cmpuint (page->len, ==, 1);
  g_clear_pointer (&page, g_ptr_array_unref);

  page = bb_server_store_records_pull (f->store, &all, 0, 100, &more, &error);
  g_assert_cmpuint (page->len, ==, 4);
}

static void
test_pull_pages_see_everything_once (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(BbServerUser) user = add_user (f, "sergeant", "supervisor");
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  BbServerScope all = { user->id, TRUE, NULL };
  gint64 since = 0, last_seq = 0;
  gboolean more = TRUE;
  guint pages = 0;

  for (int i = 0; i < 25; i++)
    {
      g_autoptr(BbServerRecord) r = make_record (user->id, "engagement_event", 1);
      put_record (f, r, "h");
    }

  while (more)
    {
      g_autoptr(GPtrArray) page = bb_server_store_records_pull (f->store, &all, since, 7, &more, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (page->len, <=, 7);
      for (guint i = 0; i < page->len; i++)
        {
          BbServerRecord *r = page->pdata[i];

          g_assert_cmpint (r->seq, >, last_seq);
          last_seq = r->seq;
          g_assert_true (g_hash_table_add (seen, g_strdup (r->id)));
        }
      if (page->len > 0)
        since = last_seq;
      pages++;
      g_assert_cmpuint (pages, <=, 10);
    }

  g_assert_cmpuint (g_hash_table_size (seen), ==, 25);
  g_assert_cmpuint (pages, ==, 4);
}

static void
test_s59_lookup_by_vrm_and_person (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(BbServerUser) user = add_user (f, "pc1", "officer");
  g_autoptr(BbServerRecord) w = make_record (user->id, "s59_warning", 1);
  g_autoptr(BbServerRecord) old = make_record (user->id, "s59_warning", 1);
  g_autoptr(GPtrArray) by_vrm = NULL;
  g_autoptr(GPtrArray) by_person = NULL;
  g_autoptr(GPtrArray) wrong_dob = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cutoff = bb_server_time_from_now (-365 * 24 * 3600);

  w->lookup_vrm = g_strdup ("AB12CDE");
  w->lookup_surname = g_strdup ("smith");
  w->lookup_dob = g_strdup ("1990-04-01");
  old->lookup_vrm = g_strdup ("AB12CDE");
  g_free (old->occurred_at);
  old->occurred_at = bb_server_time_from_now (-400 * 24 * 3600);
  put_record (f, w, "1");
  put_record (f, old, "2");

  by_vrm = bb_server_store_s59_lookup (f->store, "AB12CDE", NULL, NULL, cutoff, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (by_vrm->len, ==, 1);
  g_assert_cmpstr (((BbServerRecord *) by_vrm->pdata[0])->id, ==, w->id);

  by_person = bb_server_store_s59_lookup (f->store, NULL, "smith", "1990-04-01", cutoff, &error);
  g_assert_cmpuint (by_person->len, ==, 1);
  wrong_dob = bb_server_store_s59_lookup (f->store, NULL, "smith", "1990-04-02", cutoff, &error);
  g_assert_cmpuint (wrong_dob->len, ==, 0);
}

/* A second server process committing a change while the first still has
 * one in flight: seq must follow commit order, or a reader between the two
 * commits passes the first change's seq before it is visible and never
 * sees it (docs/architecture.md, "seq across several servers"). */
typedef struct
{
  const char     *db;
  BbServerRecord *record;
  gint            committed;
} LateWriter;

static gpointer
late_writer_run (gpointer data)
{
  LateWriter *w = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BbServerStore) store = bb_server_store_open (w->db, &error);

  g_assert_no_error (error);
  bb_server_store_begin (store, &error);
  g_assert_no_error (error);
  bb_server_store_record_put (store, w->record, "late", &error);
  g_assert_no_error (error);
  bb_server_store_commit (store, &error);
  g_assert_no_error (error);
  g_atomic_int_set (&w->committed, 1);
  return NULL;
}

static void
collect_ids (GPtrArray  *page,
             GPtrArray  *ids,
             gint64     *next)
{
  for (guint i = 0; i < page->len; i++)
    {
      BbServerRecord *r = page->pdata[i];

      g_assert_cmpint (r->seq, >, *next);
      *next = r->seq;
      g_ptr_array_add (ids, g_strdup (r->id));
    }
}

static void
test_pull_never_passes_a_change_in_flight (Fixture       *f,
                                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbServerUser) user = add_user (f, "pcso4521", "officer");
  g_autoptr(BbServerRecord) early = make_record (user->id, "vawg_walk", 1);
  g_autoptr(BbServerRecord) late = make_record (user->id, "vawg_walk", 1);
  g_autoptr(BbServerStore) reader = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  BbServerScope everything = { .user_id = user->id, .everything = TRUE };
  LateWriter writer = { .db = f->path, .record = late };
  GThread *thread;
  gboolean more = FALSE;
  gint64 next = 0;

  /* Server 1 takes its seq and has not committed yet. */
  bb_server_store_begin (f->store, &error);
  g_assert_no_error (error);
  bb_server_store_record_put (f->store, early, "early", &error);
  g_assert_no_error (error);

  /* Server 2 commits another change meanwhile, if it is let through. */
  thread = g_thread_new ("late-writer", late_writer_run, &writer);
  for (guint i = 0; i < 150 && !g_atomic_int_get (&writer.committed); i++)
    g_usleep (10 * 1000);

  /* A device pulls between the two commits. */
  reader = bb_server_store_open (f->path, &error);
  g_assert_no_error (error);
  first = bb_server_store_records_pull (reader, &everything, 0, 100, &more, &error);
  g_assert_no_error (error);
  collect_ids (first, ids, &next);

  bb_server_store_commit (f->store, &error);
  g_assert_no_error (error);
  g_thread_join (thread);
  g_assert_true (g_atomic_int_get (&writer.committed));

  /* ... and goes on from its cursor: it must get both, once each. */
  second = bb_server_store_records_pull (reader, &everything, next, 100, &more, &error);
  g_assert_no_error (error);
  collect_ids (second, ids, &next);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_true (g_ptr_array_find_with_equal_func (ids, early->id, g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (ids, late->id, g_str_equal, NULL));
  g_assert_cmpint (early->seq, <, late->seq);
}

static void
test_audit_append_only (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(BbServerUser) user = add_user (f, "admin", "admin");
  BbServerAuditEntry entry = { 0 };
  sqlite3 *db = NULL;
  gboolean more = TRUE;
  char *message = NULL;
  int rc;

  entry.at = (char *) "2026-03-01T21:14:00Z";
  entry.user_id = user->id;
  entry.action = (char *) "login";
  bb_server_store_audit_append (f->store, &entry, &error);
  entry.action = (char *) "lookup";
  entry.detail = (char *) "vrm=AB12CDE";
  bb_server_store_audit_append (f->store, &entry, &error);
  g_assert_no_error (error);

  entries = bb_server_store_audit_list (f->store, 0, 1, &more, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_true (more);
  g_assert_cmpstr (((BbServerAuditEntry *) entries->pdata[0])->username, ==, "admin");
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = bb_server_store_audit_list (f->store, 1, 10, &more, &error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_false (more);
  g_assert_cmpstr (((BbServerAuditEntry *) entries->pdata[0])->detail, ==, "vrm=AB12CDE");

  /* Even plain SQL on the database cannot change or remove an entry. */
  if (test_db_is_postgresql ())
    {
      const char *refused[] = { "UPDATE audit SET action = 'view'", "DELETE FROM audit",
                                "TRUNCATE audit", NULL };
      PGconn *conn = PQconnectdb (f->path);

      g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
      for (guint i = 0; refused[i] != NULL; i++)
        {
          PGresult *res = PQexec (conn, refused[i]);

          g_assert_cmpint (PQresultStatus (res), ==, PGRES_FATAL_ERROR);
          g_assert_nonnull (strstr (PQresultErrorMessage (res), "append-only"));
          PQclear (res);
        }
      PQfinish (conn);
    }
  else
    {
      g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
      sqlite3_busy_timeout (db, 2000);
      rc = sqlite3_exec (db, "UPDATE audit SET action = 'view'", NULL, NULL, &message);
      g_assert_cmpint (rc, !=, SQLITE_OK);
      g_assert_nonnull (strstr (message, "append-only"));
      sqlite3_free (message);
      rc = sqlite3_exec (db, "DELETE FROM audit", NULL, NULL, NULL);
      g_assert_cmpint (rc, !=, SQLITE_OK);
      sqlite3_close (db);
    }

  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = bb_server_store_audit_list (f->store, 0, 10, &more, &error);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpstr (((BbServerAuditEntry *) entries->pdata[0])->action, ==, "login");
}

/* The grants docs/operations.md gives the servers' role, word for word. */
static const char app_role_grants[] =
  "GRANT USAGE ON SCHEMA public TO %1$s;"
  "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %1$s;"
  "REVOKE UPDATE, DELETE, TRUNCATE ON audit FROM %1$s;"
  "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO %1$s;";

/* PostgreSQL: the servers' role may append to the audit log and read it,
 * and nothing else, even without the trigger. */
static void
test_audit_app_role_may_only_append (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbServerUser) user = add_user (f, "admin", "admin");
  g_autoptr(BbServerRecord) record = make_record (user->id, "vawg_walk", 1);
  g_autoptr(BbServerStore) as_app = NULL;
  g_autofree char *role = g_strdup_printf ("bbtest_app_%08x", g_random_int ());
  g_autofree char *create = g_strdup_printf ("CREATE ROLE %s LOGIN", role);
  g_autofree char *grants = g_strdup_printf (app_role_grants, role);
  g_autofree char *drop = NULL;
  g_autofree char *dbname = test_db_pg_name (f->path);
  g_autofree char *app_uri = NULL;
  const char *refused[] = { "UPDATE audit SET action = 'view'", "DELETE FROM audit",
                            "TRUNCATE audit", NULL };
  BbServerAuditEntry entry = { 0 };
  PQconninfoOption *options;
  const char *host = NULL, *port = NULL;
  PGconn *conn;

  test_db_pg_exec (NULL, create);
  test_db_pg_exec (f->path, grants);
  options = PQconninfoParse (f->path, NULL);
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    {
      if (g_str_equal (o->keyword, "host"))
        host = o->val;
      else if (g_str_equal (o->keyword, "port"))
        port = o->val;
    }
  app_uri = g_strdup_printf ("postgresql://%s@%s:%s/%s", role, host, port, dbname);
  PQconninfoFree (options);

  /* The server works as that role ... */
  as_app = bb_server_store_open (app_uri, &error);
  g_assert_no_error (error);
  entry.at = (char *) "2026-03-01T21:14:00Z";
  entry.user_id = user->id;
  entry.action = (char *) "create";
  entry.record_id = record->id;
  bb_server_store_begin (as_app, &error);
  g_assert_no_error (error);
  bb_server_store_record_put (as_app, record, "h", &error);
  g_assert_no_error (error);
  bb_server_store_audit_append (as_app, &entry, &error);
  g_assert_no_error (error);
  bb_server_store_commit (as_app, &error);
  g_assert_no_error (error);
  g_clear_pointer (&as_app, bb_server_store_close);

  /* ... and may not change the log, whatever the trigger says. */
  conn = PQconnectdb (app_uri);
  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  for (guint i = 0; refused[i] != NULL; i++)
    {
      PGresult *res = PQexec (conn, refused[i]);

      g_assert_cmpint (PQresultStatus (res), ==, PGRES_FATAL_ERROR);
      g_assert_cmpstr (PQresultErrorField (res, PG_DIAG_SQLSTATE), ==, "42501");
      PQclear (res);
    }
  PQfinish (conn);

  test_db_drop (f->path);
  g_clear_pointer (&f->path, g_free);
  f->path = test_db_new (f->dir, "server.db");
  drop = g_strdup_printf ("DROP ROLE %s", role);
  test_db_pg_exec (NULL, drop);
}

static void
test_reopen_keeps_data_and_refuses_foreign_files (Fixture       *f,
                                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbServerUser) user = add_user (f, "pcso4521", "officer");
  g_autoptr(BbServerUser) again = NULL;
  g_autofree char *junk = g_build_filename (f->dir, "junk.db", NULL);
  g_autofree char *other = g_build_filename (f->dir, "other.db", NULL);
  BbServerStore *bad;
  sqlite3 *db = NULL;

  bb_server_store_close (f->store);
  f->store = bb_server_store_open (f->path, &error);
  g_assert_no_error (error);
  again = bb_server_store_user_find (f->store, "pcso4521", NULL, &error);
  g_assert_nonnull (again);

  if (test_db_is_postgresql ())
    {
      /* Another program's database is left alone. */
      g_autofree char *foreign = test_db_new (f->dir, "other.db");

      test_db_pg_exec (foreign, "CREATE TABLE notes (t text)");
      bad = bb_server_store_open (foreign, &error);
      g_assert_null (bad);
      g_assert_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_CORRUPT);
      test_db_drop (foreign);
      return;
    }

  g_file_set_contents (junk, "this is not a database, just some text that is long enough", -1, &error);
  g_assert_no_error (error);
  bad = bb_server_store_sqlite_open (junk, &error);
  g_assert_null (bad);
  g_assert_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_CORRUPT);
  g_clear_error (&error);

  /* Another program's SQLite database is left alone. */
  g_assert_cmpint (sqlite3_open (other, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE notes (t TEXT)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  bad = bb_server_store_sqlite_open (other, &error);
  g_assert_null (bad);
  g_assert_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_CORRUPT);
}

static void
test_secure_equal (void)
{
  g_assert_true (bb_server_secure_equal ("abc", "abc"));
  g_assert_false (bb_server_secure_equal ("abc", "abd"));
  g_assert_false (bb_server_secure_equal ("abc", "abcd"));
  g_assert_false (bb_server_secure_equal ("abcd", "abc"));
  g_assert_false (bb_server_secure_equal ("", "a"));
  g_assert_false (bb_server_secure_equal (NULL, "a"));
}

static void
test_time_canonical (void)
{
  g_autofree char *a = bb_server_time_canonical ("2026-03-01T22:14:00+01:00");
  g_autofree char *b = bb_server_time_canonical ("2026-03-01T21:14:00.250Z");
  g_autofree char *c = bb_server_time_canonical ("yesterday");

  g_assert_cmpstr (a, ==, "2026-03-01T21:14:00Z");
  g_assert_cmpstr (b, ==, "2026-03-01T21:14:00Z");
  g_assert_null (c);
}

int
main (int   argc,
      char *argv[])
{
  test_db_require ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/server/storage/users/are-added-and-found-by-name-or-id", test_user_add_and_find);
  g_test_add_func ("/server/storage/passwords/are-hashed-with-argon2id-and-verified", test_password_hash_and_verify);
  ADD ("/server/storage/sessions/keep-only-the-token-hash", test_session_stores_only_hash);
  ADD ("/server/storage/users/disabling-revokes-their-sessions", test_user_disable_revokes_sessions);
  ADD ("/server/storage/devices/can-be-revoked", test_device_revoke);
  ADD ("/server/storage/login-failures/are-counted-within-the-window", test_login_failures_counted_in_window);
  ADD ("/server/storage/records/get-strictly-increasing-seq", test_seq_strictly_increasing);
  ADD ("/server/storage/records/rolled-back-change-leaves-nothing", test_seq_not_used_by_rolled_back_change);
  ADD ("/server/storage/records/applied-revisions-are-remembered-for-retries", test_revision_remembered_for_retries);
  ADD ("/server/storage/pull/is-scoped-by-role", test_pull_scoped_by_role);
  ADD ("/server/storage/pull/pages-see-everything-once", test_pull_pages_see_everything_once);
  ADD ("/server/storage/pull/never-passes-a-change-still-in-flight", test_pull_never_passes_a_change_in_flight);
  ADD ("/server/storage/s59/lookup-by-mark-and-by-person", test_s59_lookup_by_vrm_and_person);
  ADD ("/server/storage/audit/is-append-only", test_audit_append_only);
  if (test_db_is_postgresql ())
    ADD ("/server/storage/audit/the-servers-role-may-only-append", test_audit_app_role_may_only_append);
  ADD ("/server/storage/file/reopens-and-refuses-foreign-files", test_reopen_keeps_data_and_refuses_foreign_files);
  g_test_add_func ("/server/storage/util/secure-equal-compares-whole-strings", test_secure_equal);
  g_test_add_func ("/server/storage/util/times-are-made-canonical-utc", test_time_canonical);

  return g_test_run ();
}
