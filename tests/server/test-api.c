/* test-api.c: does a beatbook-server keep the sync API contract?
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Written from docs/api.md (the contract) alone, against the real server
 * binary: every test group gets its own server on loopback and its own
 * fresh database.
 *
 * Where the contract leaves a detail open, the choice made here is marked
 * "Choice:" in a comment.
 */
#define G_LOG_DOMAIN "beatbook-api-test"

#include "config.h"

#include <locale.h>

#include "beatbook.h"
#include "api-helpers.h"
#include "test-db.h"
#include "test-files.h"

/* ------------------------------------------------------------------ */
/* Users every test group starts with                                  */

typedef enum {
  OFFICER,
  OFFICER2,
  WARDEN,
  COUNCILLOR,
  SUPERVISOR,
  ADMIN,
  N_USERS
} User;

static const struct {
  const char *username;
  const char *role;
  const char *display_name;
  const char *staff_number;
} users[N_USERS] = {
  [OFFICER]    = { "pcso4521", "officer", "PCSO 4521", "4521" },
  [OFFICER2]   = { "pc1187", "officer", "PC 1187", "1187" },
  [WARDEN]     = { "warden12", "warden", "Community warden 12", NULL },
  [COUNCILLOR] = { "cllr_town", "councillor", "Councillor (Town ward)", NULL },
  [SUPERVISOR] = { "sgt_csu", "supervisor", "Sergeant (supervisor)", "2290" },
  [ADMIN]      = { "sysadmin", "admin", "System administrator", NULL },
};

static char *
password_for (User u)
{
  return g_strdup_printf ("pw-%s-correct horse", users[u].username);
}

/* One database with the users in it, copied for every group: adding users
 * hashes passwords, which is slow on purpose. */
static char *template_dir;
static char *template_db;

typedef struct
{
  char      *dir;
  char      *db;
  ApiServer *server;
  char      *token[N_USERS];
  char      *device_id[N_USERS];
  /* A second device of each user (its office desktop), which pull() reads
   * with: a device is not sent back its own revisions. */
  char      *reader_token[N_USERS];
  char      *user_id[N_USERS];
} Fixture;

static void
make_template (void)
{
  g_autoptr(GError) error = NULL;

  template_dir = g_dir_make_tmp ("beatbook-api-template-XXXXXX", &error);
  g_assert_no_error (error);
  template_db = test_db_new (template_dir, "server.db");
  for (guint u = 0; u < N_USERS; u++)
    {
      g_autofree char *pw = password_for (u);
      api_user_add (template_db, users[u].username, users[u].role, users[u].display_name,
                    users[u].staff_number, pw);
    }
}

static char *
fixture_db (Fixture *fx)
{
  return g_strdup (fx->db);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (template_dir == NULL)
    make_template ();
  fx->dir = g_dir_make_tmp ("beatbook-api-XXXXXX", &error);
  g_assert_no_error (error);
  /* No server has the template open, so a copy is consistent. */
  fx->db = test_db_new_from (fx->dir, "server.db", template_db);
  fx->server = api_server_start (fx->db);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  api_server_stop (fx->server);
  for (guint u = 0; u < N_USERS; u++)
    {
      g_free (fx->token[u]);
      g_free (fx->reader_token[u]);
      g_free (fx->device_id[u]);
      g_free (fx->user_id[u]);
    }
  test_db_drop (fx->db);
  g_free (fx->db);
  bb_test_remove_tree (fx->dir);
  g_free (fx->dir);
}

static ApiResponse *
sign_in (Fixture    *fx,
         const char *username,
         const char *password,
         const char *device_name)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "username");
  json_builder_add_string_value (b, username);
  json_builder_set_member_name (b, "password");
  json_builder_add_string_value (b, password);
  json_builder_set_member_name (b, "device_name");
  json_builder_add_string_value (b, device_name);
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  return api_request (fx->server, "POST", "/api/v1/sessions", NULL, body);
}

/* Signs @u in on first use, so groups only pay for the users they need. */
static const char *
token (Fixture *fx,
       User     u)
{
  if (fx->token[u] == NULL)
    {
      g_autofree char *pw = password_for (u);
      g_autofree char *device = g_strdup_printf ("Patrol laptop of %s", users[u].display_name);
      g_autoptr(ApiResponse) r = sign_in (fx, users[u].username, pw, device);

      api_expect_status (r, 201);
      fx->token[u] = g_strdup (api_json_string (r->body, "token"));
      fx->device_id[u] = g_strdup (api_json_string (r->body, "device_id"));
      fx->user_id[u] = g_strdup (api_json_string (r->body, "user.id"));
    }
  return fx->token[u];
}

static ApiResponse *
call (Fixture    *fx,
      User        u,
      const char *method,
      const char *path,
      JsonNode   *body)
{
  return api_request (fx->server, method, path, token (fx, u), body);
}

/* The token of @u's second device, signed in on first use. */
static const char *
reader_token (Fixture *fx,
              User     u)
{
  if (fx->reader_token[u] == NULL)
    {
      g_autofree char *pw = password_for (u);
      g_autofree char *device = g_strdup_printf ("Office desktop of %s", users[u].display_name);
      g_autoptr(ApiResponse) r = sign_in (fx, users[u].username, pw, device);

      api_expect_status (r, 201);
      fx->reader_token[u] = g_strdup (api_json_string (r->body, "token"));
    }
  return fx->reader_token[u];
}

/* ------------------------------------------------------------------ */
/* Records                                                             */

static const char *
valid_fields (const char *kind)
{
  if (g_str_equal (kind, "vawg_walk"))
    return "{\"ward\": \"town\", \"place\": \"High Street\", \"walk_type\": \"group_walk\","
           " \"route\": \"Market Place to Central Park\", \"partners\": [\"kent_police\"],"
           " \"public_engaged\": 12, \"unsafe_spots\": [{\"place\": \"Westgate car park\","
           " \"ward\": \"town\", \"category\": \"poor_street_lighting\","
           " \"description\": \"Two lamps out\"}], \"reports_taken\": 0}";
  if (g_str_equal (kind, "patrol_observation"))
    return "{\"ward\": \"temple_hill\", \"place\": \"Joyce Green Lane\","
           " \"category\": \"asb_youths\", \"description\": \"Group of youths by the shops\","
           " \"people_involved\": 5, \"action_taken\": \"dispersal\", \"severity\": \"medium\","
           " \"vehicles\": [{\"vrm\": \"ab12 cde\", \"make\": \"Ford\", \"model\": \"Fiesta\","
           " \"colour\": \"blue\"}]}";
  if (g_str_equal (kind, "s59_warning"))
    return "{\"ward\": \"town\", \"place\": \"Crossways Boulevard\", \"offence\": \"rta_s3\","
           " \"alarm_distress\": \"is_causing\", \"circumstances\": \"Revving and wheel spins\","
           " \"vehicle\": {\"type\": \"car\", \"vrm\": \"AB12 CDE\", \"make\": \"Vauxhall\","
           " \"model\": \"Corsa\", \"colour\": \"black\"}, \"warned_party\": \"driver\","
           " \"driver\": {\"name\": \"Test Driver\", \"date_of_birth\": \"1990-04-01\","
           " \"postcode\": \"DA1 1AA\"}, \"delivery\": \"verbal\"}";
  if (g_str_equal (kind, "engagement_event"))
    return "{\"ward\": \"bean_village_park\", \"event_type\": \"street_briefing\","
           " \"title\": \"Street briefing at the parade\", \"attendees\": 25,"
           " \"topics\": [\"asb\", \"road_safety\"], \"concerns\": [{\"concern\":"
           " \"parking_irresponsible_driving\", \"count\": 4}]}";
  g_assert_not_reached ();
}

static const int default_priority[] = { 1, 2, 2, 4 };
static const char * const kinds[] = {
  "vawg_walk", "patrol_observation", "s59_warning", "engagement_event",
};

/* (transfer full): a new record of @kind, rev 1, base_rev 0, occurred
 * @seconds_ago before now. */
static JsonNode *
new_change (const char *kind,
            gint64      seconds_ago)
{
  g_autofree char *id = api_uuid ();
  g_autofree char *when = api_time_from_now (-seconds_ago);
  int priority = 2;

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_str_equal (kinds[i], kind))
      priority = default_priority[i];
  return api_change_new (id, kind, 1, 0, when, priority, valid_fields (kind));
}

static const char *
change_id (JsonNode *change)
{
  return api_json_string (change, "id");
}

static void
set_field_json (JsonNode   *change,
                const char *name,
                const char *json)
{
  json_object_set_member (api_change_fields (change), name, api_json_parse (json, -1));
}

/* Pushes the NULL-terminated changes as @u; (transfer full) the 200 body. */
static JsonNode *
push_array (Fixture   *fx,
            User       u,
            JsonArray *changes)
{
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);
  JsonObject *obj = json_object_new ();
  g_autoptr(ApiResponse) r = NULL;
  JsonArray *results;

  token (fx, u);
  json_object_set_string_member (obj, "device_id", fx->device_id[u]);
  json_object_set_array_member (obj, "changes", json_array_ref (changes));
  json_node_take_object (body, obj);
  r = call (fx, u, "POST", "/api/v1/sync/push", body);
  api_expect_status (r, 200);
  results = api_json_array (r->body, "results");
  g_assert_cmpuint (json_array_get_length (results), ==, json_array_get_length (changes));
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonNode *res = json_array_get_element (results, i);
      JsonNode *ch = json_array_get_element (changes, i);

      /* Same order as the changes, and the four keys on every result. */
      if (JSON_NODE_HOLDS_OBJECT (ch) && json_object_has_member (json_node_get_object (ch), "id"))
        g_assert_cmpstr (api_json_string (res, "id"), ==, api_json_string (ch, "id"));
      api_json_string (res, "status");
      api_assert_has (res, "rev");
      api_assert_has (res, "seq");
    }
  return g_steal_pointer (&r->body);
}

static JsonNode *
push (Fixture *fx,
      User     u,
      ...)
{
  g_autoptr(JsonArray) changes = json_array_new ();
  va_list ap;
  JsonNode *ch;

  va_start (ap, u);
  while ((ch = va_arg (ap, JsonNode *)) != NULL)
    json_array_add_element (changes, api_json_copy (ch));
  va_end (ap);
  return push_array (fx, u, changes);
}

static JsonNode *
result_at (JsonNode   *push_body,
           guint       i,
           const char *status)
{
  JsonNode *res = json_array_get_element (api_json_array (push_body, "results"), i);
  const char *got = api_json_string (res, "status");

  if (g_strcmp0 (got, status) != 0)
    {
      g_autofree char *text = api_json_to_string (res);
      g_error ("push result %u: expected “%s”, got %s", i, status, text);
    }
  return res;
}

/* The push of @change by @u must be rejected with @code (any snake_case
 * code when NULL) and a field path containing every "|"-separated
 * alternative's one match. */
static void
expect_rejected (JsonNode   *res,
                 const char *code,
                 const char *field_part)
{
  g_autofree char *text = api_json_to_string (res);
  const char *got_code;
  const char *field;
  gboolean field_ok = FALSE;

  if (g_strcmp0 (api_json_string (res, "status"), "rejected") != 0)
    g_error ("expected a rejection, got %s", text);
  got_code = api_json_string (res, "error.code");
  api_json_string (res, "error.message");
  g_assert_true (api_is_snake_case (got_code));
  if (code != NULL && g_strcmp0 (got_code, code) != 0)
    g_error ("expected rejection code “%s”: %s", code, text);
  if (field_part == NULL)
    return;
  field = api_json_string (res, "error.field");
  {
    g_auto(GStrv) parts = g_strsplit (field_part, "|", -1);
    for (guint i = 0; parts[i] != NULL; i++)
      if (strstr (field, parts[i]) != NULL)
        field_ok = TRUE;
  }
  if (!field_ok)
    g_error ("expected error.field to name “%s”: %s", field_part, text);
}

typedef struct
{
  JsonArray *changes;   /* every change object of every page, in order */
  gint64     next;
  guint      pages;
} Pulled;

static void
pulled_free (Pulled *p)
{
  g_clear_pointer (&p->changes, json_array_unref);
  g_free (p);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pulled, pulled_free)

/* Pulls pages of @limit (0: the server's default) from @since until `more`
 * is false, checking the page shape and that seq strictly increases, with
 * @token (NULL: @u's second device, which sees what @u's pushes stored). */
static Pulled *
pull_with (Fixture    *fx,
           User        u,
           const char *with_token,
           gint64      since,
           guint       limit)
{
  Pulled *p = g_new0 (Pulled, 1);
  gint64 last_seq = -1;
  gboolean more = TRUE;

  p->changes = json_array_new ();
  p->next = since;
  while (more)
    {
      g_autofree char *path = limit ? g_strdup_printf ("/api/v1/sync/pull?since=%" G_GINT64_FORMAT "&limit=%u", p->next, limit)
                                    : g_strdup_printf ("/api/v1/sync/pull?since=%" G_GINT64_FORMAT, p->next);
      g_autoptr(ApiResponse) r = api_request (fx->server, "GET", path,
                                              with_token != NULL ? with_token : reader_token (fx, u),
                                              NULL);
      JsonArray *page;

      api_expect_status (r, 200);
      page = api_json_array (r->body, "changes");
      more = api_json_bool (r->body, "more");
      p->next = api_json_int (r->body, "next");
      p->pages++;
      /* Exactly @limit on every page but the last: a server that returns
       * short pages while saying "more" would make devices crawl. */
      if (limit && more)
        g_assert_cmpuint (json_array_get_length (page), ==, limit);
      else if (limit)
        g_assert_cmpuint (json_array_get_length (page), <=, limit);
      for (guint i = 0; i < json_array_get_length (page); i++)
        {
          JsonNode *ch = json_array_get_element (page, i);
          gint64 seq = api_json_int (ch, "seq");

          g_assert_cmpint (seq, >, last_seq);
          last_seq = seq;
          json_array_add_element (p->changes, json_node_copy (ch));
        }
      /* A page that says there is more must carry something. */
      if (more)
        g_assert_cmpuint (json_array_get_length (page), >, 0);
      g_assert_cmpuint (p->pages, <, 10000);
    }
  return p;
}

static Pulled *
pull (Fixture *fx,
      User     u,
      gint64   since,
      guint    limit)
{
  return pull_with (fx, u, NULL, since, limit);
}

/* (transfer none) (nullable): the last copy of record @id in @p. */
static JsonNode *
pulled_find (Pulled     *p,
             const char *id)
{
  JsonNode *found = NULL;

  for (guint i = 0; i < json_array_get_length (p->changes); i++)
    {
      JsonNode *ch = json_array_get_element (p->changes, i);
      if (g_strcmp0 (api_json_string (ch, "id"), id) == 0)
        found = ch;
    }
  return found;
}

static guint
pulled_count (Pulled     *p,
              const char *id)
{
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (p->changes); i++)
    if (g_strcmp0 (api_json_string (json_array_get_element (p->changes, i), "id"), id) == 0)
      n++;
  return n;
}

/* The pull shape of sync-api.md for one record. */
static void
assert_pull_shape (JsonNode *ch)
{
  const char *state;

  api_json_string (ch, "id");
  api_json_string (ch, "kind");
  api_json_int (ch, "rev");
  api_json_int (ch, "seq");
  api_json_bool (ch, "deleted");
  g_assert_true (api_is_iso_utc (api_json_string (ch, "updated_at")));
  api_json_string (ch, "author.id");
  api_json_string (ch, "author.display_name");
  api_json_string (ch, "author.role");
  state = api_json_string (ch, "review.state");
  g_assert_true (g_strv_contains ((const char *[]) { "new", "reviewed", "returned", "closed", NULL }, state));
  api_json_array (ch, "review.comments");
  if (!api_json_bool (ch, "deleted"))
    {
      g_assert_true (api_is_iso_utc (api_json_string (ch, "occurred_at")));
      g_assert_cmpint (api_json_int (ch, "priority"), >=, 1);
      g_assert_cmpint (api_json_int (ch, "priority"), <=, 4);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (api_json_get (ch, "fields")));
    }
}

static void
assert_same_time (const char *a,
                  const char *b)
{
  g_autoptr(GDateTime) da = g_date_time_new_from_iso8601 (a, NULL);
  g_autoptr(GDateTime) db = g_date_time_new_from_iso8601 (b, NULL);

  if (da == NULL || db == NULL || !g_date_time_equal (da, db))
    g_error ("times differ: “%s” and “%s”", a, b);
}

/* Whether @needle occurs in the server's database files (main or WAL). */
static gboolean
db_contains (Fixture    *fx,
             const char *needle)
{
  const char *suffixes[] = { "", "-wal", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s%s", fx->server->db, suffixes[i]);
      g_autofree char *data = NULL;
      gsize len = 0;

      if (!g_file_get_contents (path, &data, &len, NULL))
        continue;
      for (gsize at = 0; at + strlen (needle) <= len; at++)
        if (memcmp (data + at, needle, strlen (needle)) == 0)
          return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Health and sessions                                                 */

static void
test_health (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(ApiResponse) r = api_request (fx->server, "GET", "/healthz", NULL, NULL);

  api_expect_status (r, 200);
  g_assert_cmpstr (api_json_string (r->body, "status"), ==, "ok");
}

/* The description is compiled in: the installed server needs no docs, and
 * what it serves is what the build made of docs/openapi.yaml. */
static void
test_openapi (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(ApiResponse) r = api_request (fx->server, "GET", "/api/v1/openapi.json", NULL, NULL);
  g_autoptr(ApiResponse) head = api_request (fx->server, "HEAD", "/api/v1/openapi.json", NULL, NULL);
  g_autoptr(ApiResponse) post = api_request (fx->server, "POST", "/api/v1/openapi.json", NULL, NULL);
  g_autofree char *built_path = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "..", "src", "server",
                                                  "openapi.json", NULL);
  g_autofree char *built = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  const char *served;
  gsize served_length = 0;

  api_expect_status (r, 200);
  g_assert_cmpstr (r->content_type, ==, "application/json");
  g_assert_true (g_str_has_prefix (api_json_string (r->body, "openapi"), "3.1."));
  api_assert_has (r->body, "paths./api/v1/sync/push.post");
  api_assert_has (r->body, "components.securitySchemes.bearer");

  g_file_get_contents (built_path, &built, &length, &error);
  g_assert_no_error (error);
  served = g_bytes_get_data (r->raw, &served_length);
  g_assert_cmpmem (served, served_length, built, length);

  api_expect_status (head, 200);
  g_assert_cmpuint (g_bytes_get_size (head->raw), ==, 0);
  api_expect_error (post, 405, "method_not_allowed");
}

static void
test_sessions_sign_in (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *pw = password_for (OFFICER);
  g_autoptr(ApiResponse) r = sign_in (fx, users[OFFICER].username, pw, "Patrol laptop 7");
  g_autoptr(ApiResponse) r2 = NULL;
  g_autoptr(ApiResponse) me = NULL;
  g_autoptr(GDateTime) expires = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  const char *tok;

  api_expect_status (r, 201);
  tok = api_json_string (r->body, "token");
  /* At least 128 bits, however it is spelled (hex is 32, base64 22). */
  g_assert_cmpuint (strlen (tok), >=, 22);
  g_assert_true (api_is_iso_utc (api_json_string (r->body, "expires_at")));
  expires = g_date_time_new_from_iso8601 (api_json_string (r->body, "expires_at"), NULL);
  g_assert_cmpint (g_date_time_compare (expires, now), >, 0);
  g_assert_cmpstr (api_json_string (r->body, "device_id"), !=, "");
  g_assert_cmpstr (api_json_string (r->body, "user.id"), !=, "");
  g_assert_cmpstr (api_json_string (r->body, "user.username"), ==, users[OFFICER].username);
  g_assert_cmpstr (api_json_string (r->body, "user.display_name"), ==, users[OFFICER].display_name);
  g_assert_cmpstr (api_json_string (r->body, "user.role"), ==, "officer");
  g_assert_cmpstr (api_json_string (r->body, "user.staff_number"), ==, "4521");

  /* The token works, and /me names the same user and device. */
  me = api_request (fx->server, "GET", "/api/v1/me", tok, NULL);
  api_expect_status (me, 200);
  g_assert_cmpstr (api_json_string (me->body, "user.id"), ==, api_json_string (r->body, "user.id"));
  g_assert_cmpstr (api_json_string (me->body, "user.username"), ==, users[OFFICER].username);
  g_assert_cmpstr (api_json_string (me->body, "user.display_name"), ==, users[OFFICER].display_name);
  g_assert_cmpstr (api_json_string (me->body, "user.role"), ==, "officer");
  api_assert_has (me->body, "user.staff_number");
  g_assert_cmpstr (api_json_string (me->body, "device.id"), ==, api_json_string (r->body, "device_id"));
  g_assert_cmpstr (api_json_string (me->body, "device.name"), ==, "Patrol laptop 7");
  g_assert_false (api_json_bool (me->body, "wipe"));

  /* Tokens and passwords are kept only as hashes. */
  g_assert_false (db_contains (fx, tok));
  g_assert_false (db_contains (fx, pw));

  /* A second sign-in gets a different token; a user without a staff number
   * gets null rather than a made-up one. Choice: staff_number is JSON null
   * when the user has none. */
  {
    g_autofree char *wpw = password_for (WARDEN);
    r2 = sign_in (fx, users[WARDEN].username, wpw, "Warden tablet");
    api_expect_status (r2, 201);
    g_assert_cmpstr (api_json_string (r2->body, "token"), !=, tok);
    g_assert_cmpstr (api_json_string (r2->body, "user.role"), ==, "warden");
    g_assert_true (JSON_NODE_HOLDS_NULL (api_json_get (r2->body, "user.staff_number")));
  }
}

static void
test_sessions_bad_credentials (Fixture       *fx,
                               gconstpointer  data)
{
  g_autoptr(ApiResponse) wrong = sign_in (fx, users[OFFICER].username, "not the password", "Laptop");
  g_autoptr(ApiResponse) unknown = sign_in (fx, "no_such_user", "not the password", "Laptop");
  g_autoptr(ApiResponse) empty = NULL;

  api_expect_error (wrong, 401, "invalid_credentials");
  api_expect_error (unknown, 401, "invalid_credentials");
  /* Same answer whether or not the user exists: nothing to enumerate. */
  g_assert_cmpstr (api_json_string (wrong->body, "error.message"), ==,
                   api_json_string (unknown->body, "error.message"));

  empty = api_request_raw (fx->server, "POST", "/api/v1/sessions", NULL, NULL,
                           g_bytes_new_static ("{\"username\": 7}", 15));
  api_expect_error (empty, 400, NULL);
}

static void
test_sessions_lockout (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *pw = password_for (OFFICER);
  g_autofree char *pw2 = password_for (OFFICER2);
  g_autoptr(ApiResponse) locked = NULL;
  g_autoptr(ApiResponse) still = NULL;
  g_autoptr(ApiResponse) other = NULL;

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(ApiResponse) r = sign_in (fx, users[OFFICER].username, "guess", "Laptop");
      api_expect_error (r, 401, "invalid_credentials");
    }
  /* The right password does not help inside the window. */
  locked = sign_in (fx, users[OFFICER].username, pw, "Laptop");
  api_expect_error (locked, 429, "too_many_attempts");
  still = sign_in (fx, users[OFFICER].username, "guess", "Laptop");
  api_expect_error (still, 429, "too_many_attempts");
  /* The lock is per username: others still sign in. */
  other = sign_in (fx, users[OFFICER2].username, pw2, "Laptop");
  api_expect_status (other, 201);
}

static void
test_sessions_delete (Fixture       *fx,
                      gconstpointer  data)
{
  g_autofree char *tok = g_strdup (token (fx, OFFICER));
  g_autoptr(ApiResponse) del = NULL;
  g_autoptr(ApiResponse) me = NULL;
  g_autoptr(ApiResponse) other = NULL;

  token (fx, OFFICER2);
  del = api_request (fx->server, "DELETE", "/api/v1/sessions/current", tok, NULL);
  api_expect_status (del, 204);
  g_assert_cmpuint (g_bytes_get_size (del->raw), ==, 0);
  me = api_request (fx->server, "GET", "/api/v1/me", tok, NULL);
  api_expect_error (me, 401, NULL);
  /* Only that session ends. */
  other = call (fx, OFFICER2, "GET", "/api/v1/me", NULL);
  api_expect_status (other, 200);
}

static void
test_auth_required (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *id = api_uuid ();
  g_autofree char *review = g_strdup_printf ("/api/v1/records/%s/review", id);
  struct { const char *method; const char *path; } routes[] = {
    { "GET", "/api/v1/me" },
    { "GET", "/api/v1/profile" },
    { "POST", "/api/v1/sync/push" },
    { "GET", "/api/v1/sync/pull?since=0" },
    { "POST", review },
    { "GET", "/api/v1/s59/lookup?vrm=AB12CDE" },
    { "GET", "/api/v1/audit?since=0" },
    { "DELETE", "/api/v1/sessions/current" },
  };
  const char *bad_tokens[] = { NULL, "", "garbage", "0000000000000000000000000000000000000000" };

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    for (guint t = 0; t < G_N_ELEMENTS (bad_tokens); t++)
      {
        g_autoptr(GBytes) body = g_str_equal (routes[i].method, "POST") ? g_bytes_new_static ("{}", 2) : NULL;
        g_autoptr(ApiResponse) r = api_request_raw (fx->server, routes[i].method, routes[i].path,
                                                    bad_tokens[t], NULL, body);
        api_expect_error (r, 401, NULL);
      }

  /* Not a bearer token at all. */
  {
    g_autofree char *url = g_strconcat (fx->server->base_url, "/api/v1/me", NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
    g_autoptr(GBytes) raw = NULL;

    soup_message_headers_replace (soup_message_get_request_headers (msg),
                                  "Authorization", "Basic cGNzbzQ1MjE6cGFzc3dvcmQ=");
    raw = soup_session_send_and_read (fx->server->soup, msg, NULL, NULL);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 401);
  }
}

/* ------------------------------------------------------------------ */
/* Profile                                                             */

static void
assert_choice_list (JsonNode   *profile,
                    const char *path)
{
  JsonArray *list = api_json_array (profile, path);

  g_assert_cmpuint (json_array_get_length (list), >, 0);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *c = json_array_get_element (list, i);
      api_json_get (c, "id");
      g_assert_nonnull (api_json_get (c, "id"));
      g_assert_cmpstr (api_json_string (c, "label"), !=, "");
    }
}

static gboolean
choice_list_has (JsonNode   *profile,
                 const char *path,
                 const char *id)
{
  JsonArray *list = api_json_array (profile, path);

  for (guint i = 0; i < json_array_get_length (list); i++)
    if (g_strcmp0 (api_json_string (json_array_get_element (list, i), "id"), id) == 0)
      return TRUE;
  return FALSE;
}

static void
test_profile (Fixture       *fx,
              gconstpointer  data)
{
  static const char * const enum_keys[] = {
    "walk_type", "age_band", "unsafe_spot_category", "observation_category",
    "action_taken", "severity", "fly_tip_size", "waste_type", "land_type",
    "pspo_order", "pspo_outcome", "offence", "alarm_distress", "vehicle_type",
    "warned_party", "delivery", "event_type", "topic", "concern",
  };
  g_autoptr(ApiResponse) r = call (fx, WARDEN, "GET", "/api/v1/profile", NULL);
  JsonArray *priorities;
  JsonObject *retention;

  api_expect_status (r, 200);
  g_assert_cmpstr (api_json_string (r->body, "id"), ==, "dartford");
  g_assert_cmpstr (api_json_string (r->body, "name"), !=, "");
  g_assert_cmpstr (api_json_string (r->body, "timezone"), ==, "Europe/London");
  assert_choice_list (r->body, "wards");
  assert_choice_list (r->body, "partners");
  for (const char * const *w = (const char *[]) { "town", "temple_hill", "bean_village_park", NULL }; *w; w++)
    g_assert_true (choice_list_has (r->body, "wards", *w));

  priorities = api_json_array (r->body, "priorities");
  g_assert_cmpuint (json_array_get_length (priorities), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      JsonNode *p = json_array_get_element (priorities, i);
      g_assert_cmpint (api_json_int (p, "id"), ==, i + 1);
      g_assert_cmpstr (api_json_string (p, "label"), !=, "");
    }

  for (guint i = 0; i < G_N_ELEMENTS (enum_keys); i++)
    {
      g_autofree char *path = g_strconcat ("enums.", enum_keys[i], NULL);
      assert_choice_list (r->body, path);
    }
  g_assert_true (choice_list_has (r->body, "enums.observation_category", "fly_tipping"));
  g_assert_true (choice_list_has (r->body, "enums.observation_category", "pspo_breach"));
  for (const char * const *w = (const char *[]) { "driver", "owner", "both", NULL }; *w; w++)
    g_assert_true (choice_list_has (r->body, "enums.warned_party", *w));
  g_assert_true (choice_list_has (r->body, "enums.offence", "rta_s3"));
  g_assert_true (choice_list_has (r->body, "enums.offence", "rta_s34"));

  api_json_bool (r->body, "policy.warning_required_before_seizure");
  g_assert_cmpint (api_json_int (r->body, "policy.s59_window_days"), ==, 365);
  g_assert_cmpint (api_json_int (r->body, "policy.device_personal_data_days"), >, 0);
  retention = api_object (api_json_get (r->body, "policy.retention_days"), "policy.retention_days");
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *path = g_strconcat ("policy.retention_days.", kinds[i], NULL);
      g_assert_true (json_object_has_member (retention, kinds[i]));
      g_assert_cmpint (api_json_int (r->body, path), >, 0);
    }

  /* The same profile the partnership ships (BEATBOOK_PROFILE in tests). */
  if (g_getenv ("BEATBOOK_PROFILE") != NULL)
    {
      g_autofree char *text = NULL;
      g_autoptr(JsonNode) file = NULL;
      JsonArray *wards;

      g_assert_true (g_file_get_contents (g_getenv ("BEATBOOK_PROFILE"), &text, NULL, NULL));
      file = api_json_parse (text, -1);
      wards = api_json_array (file, "wards");
      g_assert_cmpuint (json_array_get_length (wards), ==,
                        json_array_get_length (api_json_array (r->body, "wards")));
      for (guint i = 0; i < json_array_get_length (wards); i++)
        g_assert_true (choice_list_has (r->body, "wards",
                                        api_json_string (json_array_get_element (wards, i), "id")));
    }
}

/* ------------------------------------------------------------------ */
/* Push                                                                */

static void
test_push_each_kind (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(JsonArray) changes = json_array_new ();
  g_autoptr(JsonNode) res = NULL;
  g_autoptr(Pulled) p = NULL;
  gint64 last_seq = -1;

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    json_array_add_element (changes, new_change (kinds[i], 3600));
  res = push_array (fx, OFFICER, changes);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      JsonNode *r = result_at (res, i, "applied");
      gint64 seq = api_json_int (r, "seq");

      g_assert_cmpint (api_json_int (r, "rev"), ==, 1);
      g_assert_cmpint (seq, >, last_seq);
      last_seq = seq;
    }

  /* They are stored as sent, with the server's author. */
  p = pull (fx, OFFICER, 0, 0);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      JsonNode *sent = json_array_get_element (changes, i);
      JsonNode *got = pulled_find (p, change_id (sent));

      g_assert_nonnull (got);
      assert_pull_shape (got);
      g_assert_cmpstr (api_json_string (got, "kind"), ==, kinds[i]);
      g_assert_cmpint (api_json_int (got, "rev"), ==, 1);
      g_assert_false (api_json_bool (got, "deleted"));
      assert_same_time (api_json_string (got, "occurred_at"), api_json_string (sent, "occurred_at"));
      g_assert_cmpint (api_json_int (got, "priority"), ==, api_json_int (sent, "priority"));
      g_assert_cmpstr (api_json_string (got, "author.id"), ==, fx->user_id[OFFICER]);
      g_assert_cmpstr (api_json_string (got, "author.display_name"), ==, "PCSO 4521");
      g_assert_cmpstr (api_json_string (got, "author.role"), ==, "officer");
      g_assert_cmpstr (api_json_string (got, "review.state"), ==, "new");
      g_assert_cmpstr (api_json_string (got, "fields.ward"), ==, api_json_string (sent, "fields.ward"));
    }
  g_assert_cmpint (api_json_int (pulled_find (p, change_id (json_array_get_element (changes, 3))), "fields.attendees"), ==, 25);
}

/* The server never takes the author from the client. */
static void
test_push_author_from_token (Fixture       *fx,
                             gconstpointer  data)
{
  g_autoptr(JsonNode) forged = new_change ("patrol_observation", 600);
  g_autoptr(JsonNode) plain = NULL;
  g_autoptr(JsonNode) res = NULL;
  g_autoptr(JsonNode) res2 = NULL;
  g_autoptr(Pulled) p = NULL;
  JsonNode *got;

  token (fx, SUPERVISOR);
  token (fx, WARDEN);
  {
    JsonObject *author = json_object_new ();

    json_object_set_string_member (author, "id", fx->user_id[SUPERVISOR]);
    json_object_set_string_member (author, "display_name", "Sergeant (supervisor)");
    json_object_set_string_member (author, "role", "supervisor");
    json_object_set_object_member (json_node_get_object (forged), "author", author);
  }
  /* A change naming its own author is refused as a whole (the key is not
   * part of a change), so nothing is stored under the forged name... */
  res = push (fx, WARDEN, forged, NULL);
  expect_rejected (json_array_get_element (api_json_array (res, "results"), 0), "invalid_field", "author");

  /* ...and the same change without it is stored as the caller's, whatever
   * the supervisor's id the device might know. */
  plain = api_json_copy (forged);
  json_object_remove_member (json_node_get_object (plain), "author");
  res2 = push (fx, WARDEN, plain, NULL);
  result_at (res2, 0, "applied");
  p = pull (fx, SUPERVISOR, 0, 0);
  got = pulled_find (p, change_id (plain));
  g_assert_nonnull (got);
  g_assert_cmpstr (api_json_string (got, "author.id"), ==, fx->user_id[WARDEN]);
  g_assert_cmpstr (api_json_string (got, "author.id"), !=, fx->user_id[SUPERVISOR]);
  g_assert_cmpstr (api_json_string (got, "author.role"), ==, "warden");
  g_assert_cmpstr (api_json_string (got, "author.display_name"), ==, users[WARDEN].display_name);
}

static void
test_push_retry_is_duplicate (Fixture       *fx,
                              gconstpointer  data)
{
  g_autoptr(JsonNode) a = new_change ("patrol_observation", 600);
  g_autoptr(JsonNode) b = new_change ("engagement_event", 600);
  g_autoptr(JsonNode) a2 = api_change_next_rev (a);
  g_autoptr(JsonNode) first = push (fx, WARDEN, a, b, NULL);
  g_autoptr(JsonNode) again = push (fx, WARDEN, a, b, NULL);
  g_autoptr(JsonNode) edit = NULL;
  g_autoptr(JsonNode) late = NULL;
  g_autoptr(Pulled) p = NULL;

  for (guint i = 0; i < 2; i++)
    {
      JsonNode *r1 = result_at (first, i, "applied");
      JsonNode *r2 = result_at (again, i, "duplicate");

      g_assert_cmpint (api_json_int (r2, "rev"), ==, api_json_int (r1, "rev"));
      g_assert_cmpint (api_json_int (r2, "seq"), ==, api_json_int (r1, "seq"));
    }

  /* Choice: "same answer as the first time" holds even after a later edit,
   * because a slow retry of an old batch can arrive after it. */
  set_field_json (a2, "notes", "\"Edited after the first push\"");
  edit = push (fx, WARDEN, a2, NULL);
  g_assert_cmpint (api_json_int (result_at (edit, 0, "applied"), "rev"), ==, 2);
  late = push (fx, WARDEN, a, NULL);
  g_assert_cmpint (api_json_int (result_at (late, 0, "duplicate"), "rev"), ==, 1);
  g_assert_cmpint (api_json_int (result_at (late, 0, "duplicate"), "seq"), ==,
                   api_json_int (result_at (first, 0, "applied"), "seq"));

  p = pull (fx, WARDEN, 0, 0);
  g_assert_cmpuint (pulled_count (p, change_id (a)), ==, 1);
  g_assert_cmpuint (pulled_count (p, change_id (b)), ==, 1);
  g_assert_cmpuint (json_array_get_length (p->changes), ==, 2);
  /* The late retry did not roll the record back. */
  g_assert_cmpint (api_json_int (pulled_find (p, change_id (a)), "rev"), ==, 2);
  g_assert_cmpstr (api_json_string (pulled_find (p, change_id (a)), "fields.notes"), ==,
                   "Edited after the first push");
}

/* Pushes @text, a whole body written by hand, as @u; (transfer full) the
 * result of its one change. */
static JsonNode *
push_text (Fixture    *fx,
           User        u,
           const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(ApiResponse) r = api_request_raw (fx->server, "POST", "/api/v1/sync/push",
                                              token (fx, u), NULL, bytes);
  JsonArray *results;

  api_expect_status (r, 200);
  results = api_json_array (r->body, "results");
  g_assert_cmpuint (json_array_get_length (results), ==, 1);
  return json_node_copy (json_array_get_element (results, 0));
}

/* The server knows a change by the bytes sent (whitespace between tokens
 * aside), so it need not write each one out again to hash it; a change
 * hashed the old way, from json-glib's writing of it, is still known. */
static void
test_push_retry_known_by_its_bytes (Fixture       *fx,
                                    gconstpointer  data)
{
  g_autoptr(JsonNode) spaced = new_change ("patrol_observation", 600);
  g_autoptr(JsonNode) accented = new_change ("patrol_observation", 600);
  g_autoptr(JsonNode) disguised = new_change ("patrol_observation", 600);
  g_autofree char *pretty = NULL;
  g_autofree char *pretty_body = NULL;
  g_autofree char *compact = NULL;
  g_autofree char *escaped_body = NULL;
  g_autofree char *disguised_body = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(JsonNode) r1 = NULL;
  g_autoptr(JsonNode) r2 = NULL;
  g_autoptr(JsonNode) r3 = NULL;
  g_autoptr(JsonNode) r4 = NULL;
  g_autoptr(JsonNode) r5 = NULL;
  g_autoptr(Pulled) p = NULL;
  const char *at;

  /* Sent pretty-printed, then again compact: one change. */
  pretty = json_to_string (spaced, TRUE);
  pretty_body = g_strdup_printf ("{\n  \"device_id\" : \"%s\",\n  \"changes\" : [\n %s \n ]\n}\n",
                                 fx->device_id[WARDEN], pretty);
  r1 = push_text (fx, WARDEN, pretty_body);
  g_assert_cmpstr (api_json_string (r1, "status"), ==, "applied");
  first = push (fx, WARDEN, spaced, NULL);
  g_assert_cmpint (api_json_int (result_at (first, 0, "duplicate"), "seq"), ==,
                   api_json_int (r1, "seq"));

  /* Sent as json-glib writes it ("é" as is), then with "\u00e9": the
   * bytes differ, the change read from them is the one first sent. */
  set_field_json (accented, "description", "\"Caf\\u00e9 window broken\"");
  again = push (fx, WARDEN, accented, NULL);
  result_at (again, 0, "applied");
  compact = json_to_string (accented, FALSE);
  at = strstr (compact, "Café");
  g_assert_nonnull (at);
  escaped_body = g_strdup_printf ("{\"changes\":[%.*sCaf\\u00e9%s]}", (int) (at - compact), compact,
                                  at + strlen ("Café"));
  r2 = push_text (fx, WARDEN, escaped_body);
  g_assert_cmpstr (api_json_string (r2, "status"), ==, "duplicate");
  g_assert_cmpint (api_json_int (r2, "seq"), ==, api_json_int (result_at (again, 0, "applied"), "seq"));
  /* And the escaped bytes, sent again, are known as themselves. */
  r3 = push_text (fx, WARDEN, escaped_body);
  g_assert_cmpstr (api_json_string (r3, "status"), ==, "duplicate");

  /* A body whose changes cannot be told apart for certain ("changes"
   * spelled with an escape) is read from the parsed tree, as before. */
  compact = (g_free (compact), json_to_string (disguised, FALSE));
  disguised_body = g_strdup_printf ("{\"chang\\u0065s\": [%s]}", compact);
  r4 = push_text (fx, WARDEN, disguised_body);
  g_assert_cmpstr (api_json_string (r4, "status"), ==, "applied");
  r5 = push_text (fx, WARDEN, disguised_body);
  g_assert_cmpstr (api_json_string (r5, "status"), ==, "duplicate");

  /* The fields stored as sent read back as sent. */
  p = pull (fx, WARDEN, 0, 0);
  g_assert_cmpuint (json_array_get_length (p->changes), ==, 3);
  g_assert_cmpstr (api_json_string (pulled_find (p, change_id (spaced)), "fields.description"), ==,
                   api_json_string (spaced, "fields.description"));
  g_assert_cmpint (api_json_int (pulled_find (p, change_id (spaced)), "fields.people_involved"), ==, 5);
  g_assert_cmpstr (api_json_string (pulled_find (p, change_id (spaced)), "fields.vehicles[0].vrm_normalised"), ==,
                   "AB12CDE");
  g_assert_cmpstr (api_json_string (pulled_find (p, change_id (accented)), "fields.description"), ==,
                   "Café window broken");
  g_assert_nonnull (pulled_find (p, change_id (disguised)));
}

/* Fields stored from the bytes sent still list their files for the
 * server's checks, even under a key written with escapes. */
static void
test_push_files_listed_under_an_escaped_key (Fixture       *fx,
                                             gconstpointer  data)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R' };
  g_autoptr(JsonNode) change = new_change ("patrol_observation", 600);
  g_autoptr(GBytes) bytes = g_bytes_new_static (png, sizeof png);
  g_autofree char *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, png, sizeof png);
  g_autofree char *attachments = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GString) body = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(ApiResponse) put = NULL;
  g_autoptr(ApiResponse) get = NULL;

  attachments = g_strdup_printf ("[{\"sha256\": \"%s\", \"name\": \"a.png\", \"media_type\": \"image/png\","
                                 " \"size\": %u}]", sha256, (guint) sizeof png);
  set_field_json (change, "attachments", attachments);
  {
    g_autofree char *text = json_to_string (change, FALSE);

    body = g_string_new (text);
  }
  g_assert_cmpuint (g_string_replace (body, "\"attachments\"", "\"\\u0061ttachments\"", 0), ==, 1);
  g_string_prepend (body, "{\"changes\": [");
  g_string_append (body, "]}");
  result = push_text (fx, WARDEN, body->str);
  g_assert_cmpstr (api_json_string (result, "status"), ==, "applied");

  path = g_strdup_printf ("/api/v1/blobs/%s", sha256);
  put = api_request_raw (fx->server, "PUT", path, token (fx, WARDEN), "image/png", bytes);
  g_assert_cmpuint (put->status, ==, 201);
  /* Its author may fetch it: a record the server knows lists it. */
  get = api_request_raw (fx->server, "GET", path, token (fx, WARDEN), NULL, NULL);
  g_assert_cmpuint (get->status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (get->raw), ==, sizeof png);
}

/* Pull pages are written from the stored text where no rule needs the
 * parsed fields: every kind reads back as sent, plus what the server
 * derives, whichever way it was written (tricky text, an empty list, a
 * tombstone, a reviewed record with a comment, marks and an expiry). */
static void
test_pull_reads_back_as_sent (Fixture       *fx,
                              gconstpointer  data)
{
  g_autoptr(JsonArray) sent = json_array_new ();
  g_autoptr(JsonNode) tricky = new_change ("patrol_observation", 900);
  g_autoptr(JsonNode) gone = new_change ("engagement_event", 900);
  g_autoptr(JsonNode) tombstone = NULL;
  g_autoptr(JsonNode) res = NULL;
  g_autoptr(JsonNode) res2 = NULL;
  g_autoptr(Pulled) p = NULL;
  g_autoptr(ApiResponse) review = NULL;
  g_autoptr(JsonNode) review_body = api_json_parse ("{\"state\": \"reviewed\", \"comment\": \"Seen \\\"ok\\\"\\nthanks\"}", -1);
  g_autofree char *review_path = NULL;

  json_object_remove_member (api_change_fields (tricky), "vehicles");
  set_field_json (tricky, "description", "\"Quotes \\\" and a backslash \\\\ , a line\\nbreak, a tab\\t, caf\\u00e9 \\u20ac, braces } { ] [\"");
  set_field_json (tricky, "referred_to", "[]");
  json_array_add_element (sent, api_json_copy (tricky));
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    json_array_add_element (sent, new_change (kinds[i], 900));
  json_array_add_element (sent, api_json_copy (gone));
  res = push_array (fx, SUPERVISOR, sent);
  for (guint i = 0; i < json_array_get_length (sent); i++)
    result_at (res, i, "applied");

  tombstone = api_change_next_rev (gone);
  json_object_set_boolean_member (json_node_get_object (tombstone), "deleted", TRUE);
  res2 = push (fx, SUPERVISOR, tombstone, NULL);
  result_at (res2, 0, "applied");

  review_path = g_strdup_printf ("/api/v1/records/%s/review", change_id (tricky));
  review = call (fx, SUPERVISOR, "POST", review_path, review_body);
  api_expect_status (review, 200);

  p = pull (fx, SUPERVISOR, 0, 0);
  g_assert_cmpuint (json_array_get_length (p->changes), ==, json_array_get_length (sent));
  for (guint i = 0; i < json_array_get_length (sent); i++)
    {
      JsonNode *change = json_array_get_element (sent, i);
      JsonNode *got = pulled_find (p, change_id (change));
      g_autoptr(JsonNode) fields = NULL;
      g_autoptr(JsonNode) expected = NULL;
      const char *kind = api_json_string (change, "kind");

      g_assert_nonnull (got);
      assert_pull_shape (got);
      g_assert_cmpstr (api_json_string (got, "kind"), ==, kind);
      g_assert_cmpstr (api_json_string (got, "author.id"), ==, fx->user_id[SUPERVISOR]);
      if (g_str_equal (change_id (change), change_id (gone)))
        {
          g_assert_true (api_json_bool (got, "deleted"));
          g_assert_cmpuint (json_object_get_size (api_object (api_json_get (got, "fields"), "fields")), ==, 0);
          continue;
        }

      /* The derived fields are there; less them, the fields are as sent. */
      fields = api_json_copy (api_json_get (got, "fields"));
      g_assert_cmpstr (api_json_string (fields, "regime"), ==,
                       g_str_equal (kind, "s59_warning") || g_str_equal (kind, "patrol_observation")
                       ? "law_enforcement" : "uk_gdpr");
      bb_fields_strip_derived (kind, json_node_get_object (fields));
      expected = api_json_copy (api_json_get (change, "fields"));
      if (!json_node_equal (fields, expected))
        {
          g_autofree char *a = api_json_to_string (fields);
          g_autofree char *b = api_json_to_string (expected);

          g_error ("%s read back as %s, sent as %s", kind, a, b);
        }
      if (g_str_equal (kind, "s59_warning"))
        api_json_string (got, "fields.expires_at");
    }
  g_assert_cmpstr (api_json_string (pulled_find (p, change_id (tricky)), "review.state"), ==, "reviewed");
  g_assert_cmpstr (api_json_string (pulled_find (p, change_id (tricky)), "review.comments[0].text"), ==,
                   "Seen \"ok\"\nthanks");
}

static void
test_push_conflict (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(JsonNode) mine = new_change ("patrol_observation", 600);
  g_autoptr(JsonNode) theirs = api_change_next_rev (mine);
  g_autoptr(JsonNode) local1 = api_change_next_rev (mine);
  g_autoptr(JsonNode) local2 = api_change_next_rev (local1);
  g_autoptr(JsonNode) r1 = push (fx, OFFICER, mine, NULL);
  g_autoptr(JsonNode) r2 = NULL;
  g_autoptr(JsonNode) r3 = NULL;
  g_autoptr(JsonNode) r4 = NULL;
  g_autoptr(Pulled) p = NULL;
  JsonNode *conflict;
  JsonNode *server_copy;

  result_at (r1, 0, "applied");
  /* The supervisor edits on the server: server rev 2. */
  set_field_json (theirs, "notes", "\"Supervisor added the crime reference\"");
  r2 = push (fx, SUPERVISOR, theirs, NULL);
  g_assert_cmpint (api_json_int (result_at (r2, 0, "applied"), "rev"), ==, 2);

  /* The officer edited twice offline from rev 1: rev 3, base_rev 1. */
  set_field_json (local2, "notes", "\"Officer's offline edit\"");
  json_object_set_int_member (json_node_get_object (local2), "base_rev", 1);
  r3 = push (fx, OFFICER, local2, NULL);
  conflict = result_at (r3, 0, "conflict");
  server_copy = api_json_get (conflict, "server");
  g_assert_nonnull (server_copy);
  g_assert_cmpstr (api_json_string (server_copy, "id"), ==, change_id (mine));
  g_assert_cmpint (api_json_int (server_copy, "rev"), ==, 2);
  g_assert_cmpstr (api_json_string (server_copy, "fields.notes"), ==,
                   "Supervisor added the crime reference");
  assert_pull_shape (server_copy);

  /* Nothing stored. */
  p = pull (fx, SUPERVISOR, 0, 0);
  g_assert_cmpint (api_json_int (pulled_find (p, change_id (mine)), "rev"), ==, 2);
  g_assert_cmpstr (api_json_string (pulled_find (p, change_id (mine)), "fields.notes"), ==,
                   "Supervisor added the crime reference");

  /* After resolving, an edit from the server's rev applies. */
  json_object_set_int_member (json_node_get_object (local2), "base_rev", 2);
  r4 = push (fx, OFFICER, local2, NULL);
  g_assert_cmpint (api_json_int (result_at (r4, 0, "applied"), "rev"), ==, 3);

  /* An edit of a record the server does not hold starts from a revision
   * the server never had. Choice: that is a conflict too (the server's
   * revision is 0, not base_rev), with "server" null as there is no copy;
   * storing it would create a record at rev 2 from nothing. */
  {
    g_autoptr(JsonNode) orphan = new_change ("patrol_observation", 600);
    g_autoptr(JsonNode) orphan_edit = api_change_next_rev (orphan);
    g_autoptr(JsonNode) r5 = push (fx, OFFICER, orphan_edit, NULL);
    JsonNode *res = result_at (r5, 0, "conflict");
    g_autoptr(Pulled) p2 = pull (fx, SUPERVISOR, 0, 0);

    g_assert_true (api_json_get (res, "server") == NULL || JSON_NODE_HOLDS_NULL (api_json_get (res, "server")));
    g_assert_null (pulled_find (p2, change_id (orphan)));
  }
}

static void
test_push_rejected (Fixture       *fx,
                    gconstpointer  data)
{
  struct {
    const char *kind;
    const char *field;    /* a field to set (NULL: none) */
    const char *json;     /* its value, or NULL to remove it */
    const char *code;     /* expected rejection code (NULL: any) */
    const char *path;     /* what error.field must name */
  } cases[] = {
    /* Unknown keys, nested and at the top of fields. */
    { "patrol_observation", "vehicles", "[{\"vrm\": \"AB12CDE\", \"colur\": \"red\"}]", "invalid_field", "colur" },
    { "engagement_event", "atendees", "3", "invalid_field", "atendees" },
    { "patrol_observation", "category", "\"not_a_category\"", NULL, "category" },
    { "vawg_walk", "walk_type", "\"moonlight_stroll\"", NULL, "walk_type" },
    { "engagement_event", "topics", "[\"asb\", \"no_such_topic\"]", NULL, "topics" },
    { "patrol_observation", "people_involved", "-1", NULL, "people_involved" },
    { "engagement_event", "attendees", "2.5", NULL, "attendees" },
    { "patrol_observation", "lat", "51.44", NULL, "lat|lon" },
    { "patrol_observation", "ward", "\"atlantis\"", NULL, "ward" },
    { "patrol_observation", "ward", NULL, NULL, "ward" },
    { "patrol_observation", "category", "\"fly_tipping\"", NULL, "fly_tip" },
    { "patrol_observation", "category", "\"pspo_breach\"", NULL, "pspo" },
    { "s59_warning", "driver", "{\"date_of_birth\": \"1990-04-01\"}", NULL, "driver" },
    { "s59_warning", "vehicle", "{\"vrm\": \"AB12CDE\"}", NULL, "type" },
    { "s59_warning", "offence", "\"rta_s99\"", NULL, "offence" },
    /* Derived fields are the server's: a client sending one is refused
     * like any key not in the kind's table. */
    { "s59_warning", "expires_at", "\"2099-01-01T00:00:00Z\"", "invalid_field", "expires_at" },
    { "engagement_event", "regime", "\"law_enforcement\"", "invalid_field", "regime" },
  };
  g_autoptr(JsonArray) changes = json_array_new ();
  g_autoptr(JsonNode) res = NULL;
  g_autoptr(JsonNode) future = new_change ("patrol_observation", -3600);
  g_autoptr(JsonNode) unknown_kind = new_change ("patrol_observation", 60);
  g_autoptr(JsonNode) ended_before = new_change ("vawg_walk", 3600);
  g_autoptr(JsonNode) bad_priority = new_change ("vawg_walk", 3600);
  g_autoptr(Pulled) p = NULL;
  guint n = G_N_ELEMENTS (cases);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *ch = new_change (cases[i].kind, 3600);

      if (cases[i].json != NULL)
        set_field_json (ch, cases[i].field, cases[i].json);
      else
        json_object_remove_member (api_change_fields (ch), cases[i].field);
      json_array_add_element (changes, ch);
    }
  json_object_set_string_member (json_node_get_object (unknown_kind), "kind", "stop_and_search");
  {
    g_autofree char *before = api_time_from_now (-7200);
    json_object_set_string_member (api_change_fields (ended_before), "ended_at", before);
  }
  json_object_set_int_member (json_node_get_object (bad_priority), "priority", 5);
  json_array_add_element (changes, json_node_copy (future));
  json_array_add_element (changes, json_node_copy (unknown_kind));
  json_array_add_element (changes, json_node_copy (ended_before));
  json_array_add_element (changes, json_node_copy (bad_priority));

  res = push_array (fx, OFFICER, changes);
  for (guint i = 0; i < n; i++)
    {
      g_test_message ("case %u: %s.%s", i, cases[i].kind, cases[i].field);
      expect_rejected (result_at (res, i, "rejected"), cases[i].code, cases[i].path);
    }
  expect_rejected (result_at (res, n, "rejected"), NULL, "occurred_at");
  expect_rejected (result_at (res, n + 1, "rejected"), "unknown_kind", NULL);
  expect_rejected (result_at (res, n + 2, "rejected"), NULL, "ended_at");
  expect_rejected (result_at (res, n + 3, "rejected"), NULL, "priority");

  /* The same fields pass once the rule is met: the valid templates apply. */
  {
    g_autoptr(JsonNode) skew = new_change ("vawg_walk", -5 * 60);
    g_autoptr(JsonNode) far_lat = new_change ("vawg_walk", 60);
    g_autoptr(JsonNode) rs = NULL;

    /* Five minutes ahead is clock skew the contract allows (ten). */
    set_field_json (far_lat, "lat", "95.0");
    set_field_json (far_lat, "lon", "0.2");
    rs = push (fx, OFFICER, skew, far_lat, NULL);
    result_at (rs, 0, "applied");
    expect_rejected (result_at (rs, 1, "rejected"), NULL, "lat");
  }
  {
    g_autoptr(JsonNode) fly = new_change ("patrol_observation", 60);
    g_autoptr(JsonNode) pspo = new_change ("patrol_observation", 60);
    g_autoptr(JsonNode) both = new_change ("s59_warning", 60);
    g_autoptr(JsonNode) owner = new_change ("s59_warning", 60);
    g_autoptr(JsonNode) ok = NULL;

    set_field_json (fly, "category", "\"fly_tipping\"");
    set_field_json (fly, "fly_tip", "{\"size\": \"small_van_load\", \"waste_type\": \"household\","
                    " \"land_type\": \"back_alley\", \"evidence_checked\": true}");
    set_field_json (pspo, "category", "\"pspo_breach\"");
    set_field_json (pspo, "pspo", "{\"order\": \"town_centre_pspo_2024\", \"prohibition\": \"Drinking\","
                    " \"outcome\": \"fixed_penalty_notice_issued\", \"fpn_reference\": \"FPN 0042\"}");
    set_field_json (both, "warned_party", "\"both\"");
    set_field_json (owner, "warned_party", "\"owner\"");
    json_object_remove_member (api_change_fields (owner), "driver");
    set_field_json (owner, "owner", "{\"name\": \"Registered Keeper\", \"postcode\": \"DA2 6AA\"}");
    set_field_json (owner, "lat", "51.4462");
    set_field_json (owner, "lon", "0.2195");
    ok = push (fx, OFFICER, fly, pspo, both, owner, NULL);
    for (guint i = 0; i < 4; i++)
      result_at (ok, i, "applied");
  }

  /* Nothing of the rejected changes was stored. */
  p = pull (fx, SUPERVISOR, 0, 0);
  for (guint i = 0; i < json_array_get_length (changes); i++)
    g_assert_null (pulled_find (p, change_id (json_array_get_element (changes, i))));
  g_assert_cmpuint (json_array_get_length (p->changes), ==, 5);
}

static void
test_push_roles (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(JsonNode) c_obs = new_change ("patrol_observation", 60);
  g_autoptr(JsonNode) c_s59 = new_change ("s59_warning", 60);
  g_autoptr(JsonNode) c_event = new_change ("engagement_event", 60);
  g_autoptr(JsonNode) c_walk = new_change ("vawg_walk", 60);
  g_autoptr(JsonNode) w_s59 = new_change ("s59_warning", 60);
  g_autoptr(JsonNode) w_obs = new_change ("patrol_observation", 60);
  g_autoptr(JsonNode) s_s59 = new_change ("s59_warning", 60);
  g_autoptr(JsonNode) rc = push (fx, COUNCILLOR, c_obs, c_s59, c_event, c_walk, NULL);
  g_autoptr(JsonNode) rw = push (fx, WARDEN, w_s59, w_obs, NULL);
  g_autoptr(JsonNode) rs = push (fx, SUPERVISOR, s_s59, NULL);
  g_autoptr(JsonNode) ra = NULL;
  g_autoptr(Pulled) p = NULL;

  expect_rejected (result_at (rc, 0, "rejected"), "forbidden_kind", NULL);
  expect_rejected (result_at (rc, 1, "rejected"), "forbidden_kind", NULL);
  result_at (rc, 2, "applied");
  result_at (rc, 3, "applied");
  expect_rejected (result_at (rw, 0, "rejected"), "forbidden_kind", NULL);
  result_at (rw, 1, "applied");
  result_at (rs, 0, "applied");

  /* Choice: an admin manages users and devices and creates no records
   * (domain.md "may create" lists none), so any kind is forbidden_kind. */
  {
    g_autoptr(JsonNode) a_event = new_change ("engagement_event", 60);
    ra = push (fx, ADMIN, a_event, NULL);
    expect_rejected (result_at (ra, 0, "rejected"), "forbidden_kind", NULL);
  }

  p = pull (fx, SUPERVISOR, 0, 0);
  g_assert_null (pulled_find (p, change_id (c_obs)));
  g_assert_null (pulled_find (p, change_id (c_s59)));
  g_assert_null (pulled_find (p, change_id (w_s59)));
  g_assert_nonnull (pulled_find (p, change_id (c_event)));
  g_assert_cmpstr (api_json_string (pulled_find (p, change_id (c_event)), "author.role"), ==, "councillor");
}

static void
test_push_edit_rights (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(JsonNode) rec = new_change ("s59_warning", 600);
  g_autoptr(JsonNode) by_other = api_change_next_rev (rec);
  g_autoptr(JsonNode) by_sgt = api_change_next_rev (rec);
  g_autoptr(JsonNode) by_author = NULL;
  g_autoptr(JsonNode) r1 = push (fx, OFFICER, rec, NULL);
  g_autoptr(JsonNode) r2 = NULL;
  g_autoptr(JsonNode) r3 = NULL;
  g_autoptr(JsonNode) r4 = NULL;
  g_autoptr(Pulled) p = NULL;
  JsonNode *got;

  result_at (r1, 0, "applied");
  set_field_json (by_other, "circumstances", "\"Rewritten by another officer\"");
  r2 = push (fx, OFFICER2, by_other, NULL);
  expect_rejected (result_at (r2, 0, "rejected"), "forbidden", NULL);
  api_assert_lacks (result_at (r2, 0, "rejected"), "server");

  /* A stale edit of a record the caller may not even see is refused as
   * forbidden, never answered with a conflict carrying the server's copy:
   * that would hand the record to someone the pull rules keep it from. */
  {
    g_autoptr(JsonNode) obs = new_change ("patrol_observation", 600);
    g_autoptr(JsonNode) obs_edit = api_change_next_rev (obs);
    g_autoptr(JsonNode) ro = push (fx, OFFICER, obs, NULL);
    g_autoptr(JsonNode) rw = NULL;
    JsonNode *res;

    result_at (ro, 0, "applied");
    json_object_set_int_member (json_node_get_object (obs_edit), "rev", 7);
    json_object_set_int_member (json_node_get_object (obs_edit), "base_rev", 6);
    rw = push (fx, WARDEN, obs_edit, NULL);
    res = result_at (rw, 0, "rejected");
    expect_rejected (res, "forbidden", NULL);
    api_assert_lacks (res, "server");
  }

  set_field_json (by_sgt, "circumstances", "\"Clarified by the sergeant\"");
  r3 = push (fx, SUPERVISOR, by_sgt, NULL);
  g_assert_cmpint (api_json_int (result_at (r3, 0, "applied"), "rev"), ==, 2);

  /* The author is still the officer who issued it. */
  p = pull (fx, SUPERVISOR, 0, 0);
  got = pulled_find (p, change_id (rec));
  g_assert_cmpstr (api_json_string (got, "fields.circumstances"), ==, "Clarified by the sergeant");
  token (fx, OFFICER);
  g_assert_cmpstr (api_json_string (got, "author.id"), ==, fx->user_id[OFFICER]);

  /* And the author may edit on from there. */
  by_author = api_change_next_rev (by_sgt);
  r4 = push (fx, OFFICER, by_author, NULL);
  g_assert_cmpint (api_json_int (result_at (r4, 0, "applied"), "rev"), ==, 3);

  /* Deleting is editing: another officer may not tombstone it. */
  {
    g_autoptr(JsonNode) del = api_change_next_rev (by_author);
    g_autoptr(JsonNode) r5 = NULL;

    json_object_set_boolean_member (json_node_get_object (del), "deleted", TRUE);
    r5 = push (fx, OFFICER2, del, NULL);
    expect_rejected (result_at (r5, 0, "rejected"), "forbidden", NULL);
  }
}

static void
test_push_partial_batch (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(JsonNode) good1 = new_change ("patrol_observation", 120);
  g_autoptr(JsonNode) bad = new_change ("patrol_observation", 120);
  g_autoptr(JsonNode) good2 = new_change ("vawg_walk", 120);
  g_autoptr(JsonNode) res = NULL;
  g_autoptr(Pulled) p = NULL;

  /* Valid up to a nested list, so a half-applied change would show. */
  set_field_json (bad, "vehicles", "[{\"vrm\": \"AB12CDE\"}, {\"vrm\": 42}]");
  res = push (fx, WARDEN, good1, bad, good2, NULL);
  result_at (res, 0, "applied");
  expect_rejected (result_at (res, 1, "rejected"), NULL, "vehicles");
  result_at (res, 2, "applied");

  p = pull (fx, WARDEN, 0, 0);
  g_assert_nonnull (pulled_find (p, change_id (good1)));
  g_assert_nonnull (pulled_find (p, change_id (good2)));
  g_assert_null (pulled_find (p, change_id (bad)));
}

static void
test_push_limits (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(JsonArray) changes = json_array_new ();
  g_autoptr(JsonNode) ok = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(ApiResponse) too_many = NULL;
  g_autoptr(ApiResponse) too_big = NULL;
  g_autoptr(ApiResponse) health = NULL;
  g_autoptr(Pulled) p = NULL;
  GString *big;

  token (fx, OFFICER);
  for (guint i = 0; i < 500; i++)
    json_array_add_element (changes, new_change ("engagement_event", 60 + i));

  /* 500 is allowed... */
  ok = push_array (fx, OFFICER, changes);
  for (guint i = 0; i < 500; i++)
    result_at (ok, i, "applied");

  /* ...501 is not, and nothing of it is applied. */
  json_array_add_element (changes, new_change ("engagement_event", 30));
  body = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (body, json_object_new ());
  json_object_set_string_member (json_node_get_object (body), "device_id", fx->device_id[OFFICER]);
  json_object_set_array_member (json_node_get_object (body), "changes", json_array_ref (changes));
  too_many = call (fx, OFFICER, "POST", "/api/v1/sync/push", body);
  api_expect_error (too_many, 413, "payload_too_large");

  /* Over 8 MiB, however few the changes. */
  big = g_string_new (NULL);
  {
    g_autoptr(JsonNode) one = new_change ("patrol_observation", 60);
    g_autofree char *change_text = NULL;
    GString *notes = g_string_sized_new (8 * 1024 * 1024 + 64);

    for (gsize i = 0; i < 8 * 1024 * 1024 + 16; i++)
      g_string_append_c (notes, 'a');
    json_object_set_string_member (api_change_fields (one), "notes", notes->str);
    g_string_free (notes, TRUE);
    change_text = json_to_string (one, FALSE);
    g_string_append_printf (big, "{\"device_id\": \"%s\", \"changes\": [%s]}",
                            fx->device_id[OFFICER], change_text);
  }
  too_big = api_request_raw (fx->server, "POST", "/api/v1/sync/push", token (fx, OFFICER), NULL,
                             g_string_free_to_bytes (big));
  api_expect_error (too_big, 413, "payload_too_large");

  health = api_request (fx->server, "GET", "/healthz", NULL, NULL);
  api_expect_status (health, 200);
  p = pull (fx, OFFICER, 0, 1000);
  g_assert_cmpuint (json_array_get_length (p->changes), ==, 500);
}

static void
test_push_malformed (Fixture       *fx,
                     gconstpointer  data)
{
  g_autofree char *dev = NULL;
  g_autofree char *change_text = NULL;
  g_autoptr(JsonNode) one = new_change ("patrol_observation", 60);
  GString *deep = g_string_new (NULL);
  g_autoptr(ApiResponse) deep_r = NULL;
  g_autoptr(ApiResponse) health = NULL;
  g_autoptr(Pulled) p = NULL;
  const char *bodies[] = {
    "",
    "not json at all",
    "{\"device_id\": \"x\", \"changes\": [",
    "[]",
    "null",
    "{}",
    "{\"device_id\": \"@DEVICE@\"}",
    "{\"device_id\": \"@DEVICE@\", \"changes\": {}}",
    "{\"device_id\": \"@DEVICE@\", \"changes\": \"all of them\"}",
    "{\"device_id\": \"@DEVICE@\", \"changes\": [42]}",
    "{\"device_id\": \"@DEVICE@\", \"changes\": null}",
    "{\"device_id\": 17, \"changes\": []}",
    "{\"device_id\": \"@DEVICE@\", \"changes\": [], \"changes\": [] ,}",
  };

  token (fx, OFFICER);
  dev = g_strdup (fx->device_id[OFFICER]);
  change_text = json_to_string (one, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_auto(GStrv) pieces = g_strsplit (bodies[i], "@DEVICE@", -1);
      g_autofree char *text = g_strjoinv (dev, pieces);
      g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
      g_autoptr(ApiResponse) r = api_request_raw (fx->server, "POST", "/api/v1/sync/push",
                                                  token (fx, OFFICER), NULL, bytes);
      g_test_message ("body: %s", text);
      api_expect_error (r, 400, NULL);
    }

  /* A change that is not valid UTF-8: the body as a whole is malformed. */
  {
    g_autofree char *prefix = g_strdup_printf ("{\"device_id\": \"%s\", \"changes\": [", dev);
    g_autofree char *bad_change = g_strdup (change_text);
    char *place = strstr (bad_change, "Joyce");
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(ApiResponse) r = NULL;
    GString *s;

    g_assert_nonnull (place);
    place[0] = (char) 0xC3;   /* a lead byte followed by ASCII */
    place[1] = (char) 0x28;
    s = g_string_new (prefix);
    g_string_append (s, bad_change);
    g_string_append (s, "]}");
    bytes = g_string_free_to_bytes (s);
    r = api_request_raw (fx->server, "POST", "/api/v1/sync/push", token (fx, OFFICER), NULL, bytes);
    api_expect_error (r, 400, NULL);
  }

  /* Deep nesting must not exhaust the server's stack. */
  g_string_append_printf (deep, "{\"device_id\": \"%s\", \"changes\": ", dev);
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  deep_r = api_request_raw (fx->server, "POST", "/api/v1/sync/push", token (fx, OFFICER), NULL,
                            g_string_free_to_bytes (deep));
  api_expect_error (deep_r, 400, NULL);

  /* Same answers on the other JSON endpoints. */
  {
    g_autofree char *path = NULL;
    g_autofree char *id = api_uuid ();
    g_autoptr(ApiResponse) r1 = NULL;
    g_autoptr(ApiResponse) r2 = NULL;

    path = g_strdup_printf ("/api/v1/records/%s/review", id);
    r1 = api_request_raw (fx->server, "POST", path, token (fx, SUPERVISOR), NULL,
                          g_bytes_new_static ("{\"state\": ", 10));
    api_expect_error (r1, 400, NULL);
    r2 = api_request_raw (fx->server, "POST", "/api/v1/sessions", NULL, NULL,
                          g_bytes_new_static ("{\"username\": ", 13));
    api_expect_error (r2, 400, NULL);
  }

  /* Still up, and nothing was stored. */
  health = api_request (fx->server, "GET", "/healthz", NULL, NULL);
  api_expect_status (health, 200);
  p = pull (fx, OFFICER, 0, 0);
  g_assert_cmpuint (json_array_get_length (p->changes), ==, 0);
}

static void
test_routes (Fixture       *fx,
             gconstpointer  data)
{
  g_autofree char *id = api_uuid ();
  g_autofree char *review = g_strdup_printf ("/api/v1/records/%s/review", id);
  const char *unknown[] = {
    "/api/v1/nothing-here", "/api/v2/sync/pull?since=0", "/api/v1/sync", "/api/v1/records", "/",
  };
  struct { const char *method; const char *path; } wrong[] = {
    { "GET", "/api/v1/sync/push" },
    { "POST", "/api/v1/sync/pull" },
    { "DELETE", "/api/v1/profile" },
    { "PUT", "/api/v1/me" },
    { "GET", "/api/v1/sessions" },
    { "GET", review },
    { "POST", "/api/v1/s59/lookup" },
    { "DELETE", "/api/v1/audit" },
    { "PUT", "/api/v1/audit" },
    { "POST", "/healthz" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (unknown); i++)
    {
      g_autoptr(ApiResponse) r = call (fx, SUPERVISOR, "GET", unknown[i], NULL);
      api_expect_error (r, 404, NULL);
    }
  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);
      g_autoptr(ApiResponse) r = api_request_raw (fx->server, wrong[i].method, wrong[i].path,
                                                  token (fx, SUPERVISOR), NULL, body);
      api_expect_error (r, 405, NULL);
    }
}

/* ------------------------------------------------------------------ */
/* Pull                                                                */

static void
test_pull_derived_fields (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(JsonNode) s59 = new_change ("s59_warning", 2 * API_DAY);
  g_autoptr(JsonNode) obs = new_change ("patrol_observation", 3600);
  g_autoptr(JsonNode) event = new_change ("engagement_event", 3600);
  g_autoptr(JsonNode) walk = new_change ("vawg_walk", 3600);
  g_autoptr(JsonNode) res = NULL;
  g_autoptr(Pulled) p = NULL;
  g_autofree char *expires = NULL;
  JsonNode *got;

  /* Fixed times keep month arithmetic honest (31 March + 12 months). */
  json_object_set_string_member (json_node_get_object (s59), "occurred_at", "2026-03-31T23:30:00Z");
  set_field_json (s59, "vehicle", "{\"type\": \"car\", \"vrm\": \"ab12 cde\", \"make\": \"Ford\"}");
  set_field_json (obs, "vehicles", "[{\"vrm\": \"a123 bcd\"}, {\"vrm\": \"D-FOREIGN 99\"}, {\"make\": \"Unknown\"}]");
  res = push (fx, OFFICER, s59, obs, event, walk, NULL);
  for (guint i = 0; i < 4; i++)
    result_at (res, i, "applied");

  p = pull (fx, OFFICER, 0, 0);
  got = pulled_find (p, change_id (s59));
  expires = api_time_add_months ("2026-03-31T23:30:00Z", 12);
  assert_same_time (api_json_string (got, "fields.expires_at"), expires);
  g_assert_cmpstr (api_json_string (got, "fields.regime"), ==, "law_enforcement");
  g_assert_cmpstr (api_json_string (got, "fields.vehicle.vrm_normalised"), ==, "AB12CDE");
  g_assert_true (api_json_bool (got, "fields.vehicle.vrm_recognised"));

  got = pulled_find (p, change_id (obs));
  g_assert_cmpstr (api_json_string (got, "fields.regime"), ==,
                   bb_regime_to_string (bb_kind_lookup ("patrol_observation")->regime));
  api_assert_lacks (got, "fields.expires_at");
  g_assert_cmpstr (api_json_string (got, "fields.vehicles[0].vrm_normalised"), ==, "A123BCD");
  g_assert_true (api_json_bool (got, "fields.vehicles[0].vrm_recognised"));
  /* Unrecognised marks are kept and flagged, never refused. */
  g_assert_cmpstr (api_json_string (got, "fields.vehicles[1].vrm_normalised"), ==, "DFOREIGN99");
  g_assert_false (api_json_bool (got, "fields.vehicles[1].vrm_recognised"));
  api_assert_lacks (got, "fields.vehicles[2].vrm_normalised");

  got = pulled_find (p, change_id (event));
  g_assert_cmpstr (api_json_string (got, "fields.regime"), ==, "uk_gdpr");
  api_assert_lacks (got, "fields.expires_at");
  got = pulled_find (p, change_id (walk));
  g_assert_cmpstr (api_json_string (got, "fields.regime"), ==,
                   bb_regime_to_string (bb_kind_lookup ("vawg_walk")->regime));
}

static void
test_pull_scoped_by_role (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(JsonNode) a_obs = new_change ("patrol_observation", 3600);
  g_autoptr(JsonNode) a_s59 = new_change ("s59_warning", 3600);
  g_autoptr(JsonNode) a_event = new_change ("engagement_event", 3600);
  g_autoptr(JsonNode) b_obs = new_change ("patrol_observation", 3600);
  g_autoptr(JsonNode) b_s59 = new_change ("s59_warning", 30 * API_DAY);
  g_autoptr(JsonNode) b_old_s59 = new_change ("s59_warning", 400 * API_DAY);
  g_autoptr(JsonNode) w_obs = new_change ("patrol_observation", 3600);
  g_autoptr(JsonNode) c_event = new_change ("engagement_event", 3600);
  g_autoptr(JsonNode) s_walk = new_change ("vawg_walk", 3600);
  g_autoptr(JsonNode) s_s59 = new_change ("s59_warning", 3600);
  JsonNode *all[] = { a_obs, a_s59, a_event, b_obs, b_s59, b_old_s59, w_obs, c_event, s_walk, s_s59 };
  struct { User u; JsonNode *sees[10]; } expect[] = {
    { OFFICER, { a_obs, a_s59, a_event, b_s59, s_s59 } },
    { OFFICER2, { b_obs, b_s59, b_old_s59, a_s59, s_s59 } },
    { WARDEN, { w_obs } },
    { COUNCILLOR, { c_event } },
    { SUPERVISOR, { a_obs, a_s59, a_event, b_obs, b_s59, b_old_s59, w_obs, c_event, s_walk, s_s59 } },
    /* domain.md: admin sees "audit log; everything". */
    { ADMIN, { a_obs, a_s59, a_event, b_obs, b_s59, b_old_s59, w_obs, c_event, s_walk, s_s59 } },
  };
  g_autoptr(JsonNode) r1 = push (fx, OFFICER, a_obs, a_s59, a_event, NULL);
  g_autoptr(JsonNode) r2 = push (fx, OFFICER2, b_obs, b_s59, b_old_s59, NULL);
  g_autoptr(JsonNode) r3 = push (fx, WARDEN, w_obs, NULL);
  g_autoptr(JsonNode) r4 = push (fx, COUNCILLOR, c_event, NULL);
  g_autoptr(JsonNode) r5 = push (fx, SUPERVISOR, s_walk, s_s59, NULL);

  for (guint i = 0; i < 3; i++)
    {
      result_at (r1, i, "applied");
      result_at (r2, i, "applied");
    }
  result_at (r3, 0, "applied");
  result_at (r4, 0, "applied");
  result_at (r5, 0, "applied");
  result_at (r5, 1, "applied");

  for (guint e = 0; e < G_N_ELEMENTS (expect); e++)
    {
      g_autoptr(Pulled) p = pull (fx, expect[e].u, 0, 0);
      guint n_expected = 0;

      for (guint i = 0; i < G_N_ELEMENTS (all); i++)
        {
          gboolean should = FALSE;

          for (guint k = 0; k < G_N_ELEMENTS (expect[e].sees) && expect[e].sees[k]; k++)
            should |= (expect[e].sees[k] == all[i]);
          n_expected += should;
          if (should != (pulled_find (p, change_id (all[i])) != NULL))
            g_error ("%s %s record %u (%s)", users[expect[e].u].username,
                     should ? "does not see" : "sees", i,
                     api_json_string (all[i], "kind"));
        }
      g_assert_cmpuint (json_array_get_length (p->changes), ==, n_expected);
      for (guint i = 0; i < json_array_get_length (p->changes); i++)
        assert_pull_shape (json_array_get_element (p->changes, i));
    }
}

static void
test_pull_pages (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(JsonArray) changes = json_array_new ();
  g_autoptr(JsonNode) res = NULL;
  g_autoptr(Pulled) paged = NULL;
  g_autoptr(Pulled) whole = NULL;
  g_autoptr(Pulled) after = NULL;
  g_autoptr(ApiResponse) first = NULL;

  for (guint i = 0; i < 7; i++)
    json_array_add_element (changes, new_change ("vawg_walk", 600 + i));
  res = push_array (fx, COUNCILLOR, changes);

  first = api_request (fx->server, "GET", "/api/v1/sync/pull?since=0&limit=3",
                       reader_token (fx, COUNCILLOR), NULL);
  api_expect_status (first, 200);
  g_assert_cmpuint (json_array_get_length (api_json_array (first->body, "changes")), ==, 3);
  g_assert_true (api_json_bool (first->body, "more"));

  paged = pull (fx, COUNCILLOR, 0, 3);
  g_assert_cmpuint (paged->pages, ==, 3);
  g_assert_cmpuint (json_array_get_length (paged->changes), ==, 7);
  for (guint i = 0; i < 7; i++)
    g_assert_cmpuint (pulled_count (paged, change_id (json_array_get_element (changes, i))), ==, 1);

  /* The default limit (500) takes it all in one page. */
  whole = pull (fx, COUNCILLOR, 0, 0);
  g_assert_cmpuint (whole->pages, ==, 1);
  g_assert_cmpuint (json_array_get_length (whole->changes), ==, 7);

  /* From the last cursor there is nothing new, and the cursor stays. */
  after = pull (fx, COUNCILLOR, paged->next, 3);
  g_assert_cmpuint (json_array_get_length (after->changes), ==, 0);
  g_assert_cmpint (after->next, ==, paged->next);
}

static JsonNode *review_body (const char *state,
                              const char *comment);

/* A device is not sent back what it pushed, but the cursor moves past it;
 * what others do to those records (a review, an edit, and the deletion's
 * tombstone, which the server stored differently) still comes. */
static void
test_pull_leaves_out_own_revisions (Fixture       *fx,
                                    gconstpointer  data)
{
  g_autoptr(JsonArray) changes = json_array_new ();
  g_autoptr(JsonNode) res = NULL;
  g_autoptr(JsonNode) other = NULL;
  g_autoptr(JsonNode) pushed_other = NULL;
  g_autoptr(JsonNode) tombstone = NULL;
  g_autoptr(JsonNode) deleted = NULL;
  g_autoptr(Pulled) own = NULL;
  g_autoptr(Pulled) again = NULL;
  g_autoptr(Pulled) desktop = NULL;
  g_autoptr(Pulled) after_review = NULL;
  g_autoptr(Pulled) after_delete = NULL;
  g_autoptr(ApiResponse) reviewed = NULL;
  g_autoptr(JsonNode) returned = review_body ("returned", "Which way did they go?");
  g_autofree char *path = NULL;
  const char *laptop = token (fx, OFFICER);
  JsonNode *got;

  for (guint i = 0; i < 5; i++)
    json_array_add_element (changes, new_change ("patrol_observation", 600 + i));
  res = push_array (fx, OFFICER, changes);
  for (guint i = 0; i < 5; i++)
    result_at (res, i, "applied");
  /* Someone else's record in between. */
  other = new_change ("patrol_observation", 300);
  pushed_other = push (fx, SUPERVISOR, other, NULL);
  result_at (pushed_other, 0, "applied");

  /* Pages of 2: the laptop's five are read past, never sent. */
  own = pull_with (fx, OFFICER, laptop, 0, 2);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (pulled_count (own, change_id (json_array_get_element (changes, i))), ==, 0);
  g_assert_cmpuint (pulled_count (own, change_id (other)), ==, 0); /* an officer sees only its own */
  g_assert_cmpint (own->next, >, 0);
  again = pull_with (fx, OFFICER, laptop, own->next, 2);
  g_assert_cmpuint (json_array_get_length (again->changes), ==, 0);
  g_assert_cmpint (again->next, ==, own->next);

  /* The officer's other device gets all five. */
  desktop = pull (fx, OFFICER, 0, 0);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (pulled_count (desktop, change_id (json_array_get_element (changes, i))), ==, 1);

  /* A review of one reaches the laptop that wrote it. */
  path = g_strdup_printf ("/api/v1/records/%s/review", change_id (json_array_get_element (changes, 2)));
  reviewed = call (fx, SUPERVISOR, "POST", path, returned);
  api_expect_status (reviewed, 200);
  after_review = pull_with (fx, OFFICER, laptop, own->next, 0);
  g_assert_cmpuint (json_array_get_length (after_review->changes), ==, 1);
  got = pulled_find (after_review, change_id (json_array_get_element (changes, 2)));
  g_assert_nonnull (got);
  g_assert_cmpstr (api_json_string (got, "review.state"), ==, "returned");

  /* A deletion: the server keeps a tombstone without the fields, which the
   * laptop must learn. */
  tombstone = json_node_copy (json_array_get_element (changes, 0));
  json_object_set_boolean_member (json_node_get_object (tombstone), "deleted", TRUE);
  json_object_set_int_member (json_node_get_object (tombstone), "rev", 2);
  json_object_set_int_member (json_node_get_object (tombstone), "base_rev", 1);
  deleted = push (fx, OFFICER, tombstone, NULL);
  result_at (deleted, 0, "applied");
  after_delete = pull_with (fx, OFFICER, laptop, after_review->next, 0);
  got = pulled_find (after_delete, change_id (tombstone));
  g_assert_nonnull (got);
  g_assert_true (api_json_bool (got, "deleted"));
}

static void
test_pull_pages_while_pushing (Fixture       *fx,
                               gconstpointer  data)
{
  g_autoptr(GHashTable) pushed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) latest = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  gint64 since = 0;
  gboolean more = TRUE;
  guint round = 0;

  for (guint i = 0; i < 6; i++)
    {
      g_autoptr(JsonNode) ch = new_change ("patrol_observation", 600);
      g_autoptr(JsonNode) r = push (fx, OFFICER, ch, NULL);
      result_at (r, 0, "applied");
      g_hash_table_insert (pushed, g_strdup (change_id (ch)), GINT_TO_POINTER (1));
      g_ptr_array_add (records, g_steal_pointer (&ch));
    }

  /* The supervisor pages through with limit 2 while the officer keeps
   * pushing new records and editing old ones between pages. */
  while (more || round < 4)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/sync/pull?since=%" G_GINT64_FORMAT "&limit=2", since);
      g_autoptr(ApiResponse) r = call (fx, SUPERVISOR, "GET", path, NULL);
      JsonArray *page;

      api_expect_status (r, 200);
      page = api_json_array (r->body, "changes");
      for (guint i = 0; i < json_array_get_length (page); i++)
        {
          JsonNode *ch = json_array_get_element (page, i);
          g_autofree char *key = g_strdup_printf ("%s#%" G_GINT64_FORMAT,
                                                  api_json_string (ch, "id"), api_json_int (ch, "rev"));
          gint64 prev = GPOINTER_TO_INT (g_hash_table_lookup (latest, api_json_string (ch, "id")));

          if (g_hash_table_contains (seen, key))
            g_error ("pull sent %s twice", key);
          g_hash_table_add (seen, g_steal_pointer (&key));
          g_assert_cmpint (api_json_int (ch, "rev"), >, prev);
          g_hash_table_insert (latest, g_strdup (api_json_string (ch, "id")),
                               GINT_TO_POINTER ((int) api_json_int (ch, "rev")));
        }
      since = api_json_int (r->body, "next");
      more = api_json_bool (r->body, "more");

      if (round < 4)
        {
          g_autoptr(JsonNode) fresh = new_change ("patrol_observation", 60);
          JsonNode *old = g_ptr_array_index (records, round);
          g_autoptr(JsonNode) edit = api_change_next_rev (old);
          g_autoptr(JsonNode) pr = NULL;

          set_field_json (edit, "notes", "\"Edited between pages\"");
          pr = push (fx, OFFICER, fresh, edit, NULL);
          result_at (pr, 0, "applied");
          result_at (pr, 1, "applied");
          g_hash_table_insert (pushed, g_strdup (change_id (fresh)), GINT_TO_POINTER (1));
          g_hash_table_insert (pushed, g_strdup (change_id (edit)), GINT_TO_POINTER (2));
          json_node_unref (g_ptr_array_index (records, round));
          g_ptr_array_index (records, round) = g_steal_pointer (&edit);
          g_ptr_array_add (records, g_steal_pointer (&fresh));
        }
      round++;
      g_assert_cmpuint (round, <, 100);
    }

  /* Every record arrived, at its latest revision. */
  {
    GHashTableIter iter;
    gpointer key, value;

    g_assert_cmpuint (g_hash_table_size (latest), ==, g_hash_table_size (pushed));
    g_hash_table_iter_init (&iter, pushed);
    while (g_hash_table_iter_next (&iter, &key, &value))
      g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (latest, key)), ==, GPOINTER_TO_INT (value));
  }
}

typedef struct
{
  Fixture    *fx;
  User        u;
  GPtrArray  *ids;   /* what this pusher stored */
} Pusher;

static gpointer
pusher_thread (gpointer data)
{
  Pusher *pu = data;
  g_autoptr(SoupSession) soup = soup_session_new ();
  ApiServer own = *pu->fx->server;

  /* A SoupSession belongs to one thread: each pusher has its own. */
  own.soup = soup;
  for (guint round = 0; round < 10; round++)
    {
      g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);
      JsonObject *obj = json_object_new ();
      JsonArray *changes = json_array_new ();
      g_autoptr(ApiResponse) r = NULL;

      for (guint i = 0; i < 5; i++)
        {
          JsonNode *ch = new_change ("engagement_event", 60);
          g_ptr_array_add (pu->ids, g_strdup (change_id (ch)));
          json_array_add_element (changes, ch);
        }
      json_object_set_string_member (obj, "device_id", pu->fx->device_id[pu->u]);
      json_object_set_array_member (obj, "changes", changes);
      json_node_take_object (body, obj);
      r = api_request (&own, "POST", "/api/v1/sync/push", pu->fx->token[pu->u], body);
      api_expect_status (r, 200);
      for (guint i = 0; i < 5; i++)
        result_at (r->body, i, "applied");
    }
  return NULL;
}

static void
test_pull_concurrent_pushes (Fixture       *fx,
                             gconstpointer  data)
{
  User who[] = { OFFICER, OFFICER2, WARDEN, COUNCILLOR };
  Pusher pushers[G_N_ELEMENTS (who)];
  GThread *threads[G_N_ELEMENTS (who)];
  g_autoptr(Pulled) p = NULL;
  g_autoptr(GHashTable) seqs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  guint total = 0;

  for (guint i = 0; i < G_N_ELEMENTS (who); i++)
    {
      token (fx, who[i]);
      pushers[i] = (Pusher) { fx, who[i], g_ptr_array_new_with_free_func (g_free) };
    }
  for (guint i = 0; i < G_N_ELEMENTS (who); i++)
    threads[i] = g_thread_new ("pusher", pusher_thread, &pushers[i]);
  for (guint i = 0; i < G_N_ELEMENTS (who); i++)
    g_thread_join (threads[i]);

  /* Every change got its own seq, and a supervisor sees each record once. */
  p = pull (fx, SUPERVISOR, 0, 7);
  for (guint i = 0; i < json_array_get_length (p->changes); i++)
    {
      JsonNode *ch = json_array_get_element (p->changes, i);
      gint64 *seq = g_new (gint64, 1);

      *seq = api_json_int (ch, "seq");
      g_assert_false (g_hash_table_contains (seqs, seq));
      g_hash_table_add (seqs, seq);
    }
  for (guint i = 0; i < G_N_ELEMENTS (who); i++)
    {
      for (guint k = 0; k < pushers[i].ids->len; k++)
        g_assert_cmpuint (pulled_count (p, g_ptr_array_index (pushers[i].ids, k)), ==, 1);
      total += pushers[i].ids->len;
      g_ptr_array_unref (pushers[i].ids);
    }
  g_assert_cmpuint (json_array_get_length (p->changes), ==, total);
}

static void
test_pull_bad_parameters (Fixture       *fx,
                          gconstpointer  data)
{
  const char *bad[] = {
    "/api/v1/sync/pull?since=0&limit=0",
    "/api/v1/sync/pull?since=0&limit=1001",
    "/api/v1/sync/pull?since=0&limit=-5",
    "/api/v1/sync/pull?since=0&limit=ten",
    "/api/v1/sync/pull?since=0&limit=",
    "/api/v1/sync/pull?since=zero",
    "/api/v1/sync/pull?since=-1",
    "/api/v1/sync/pull?since=0&limit=99999999999999999999999",
  };
  const char *good[] = {
    "/api/v1/sync/pull?since=0&limit=1",
    "/api/v1/sync/pull?since=0&limit=1000",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(ApiResponse) r = call (fx, OFFICER, "GET", bad[i], NULL);
      api_expect_error (r, 400, NULL);
    }
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(ApiResponse) r = call (fx, OFFICER, "GET", good[i], NULL);
      api_expect_status (r, 200);
      g_assert_false (api_json_bool (r->body, "more"));
    }
}

static void
test_pull_tombstones (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(JsonNode) rec = new_change ("engagement_event", 600);
  g_autoptr(JsonNode) keep = new_change ("engagement_event", 600);
  g_autoptr(JsonNode) del = api_change_next_rev (rec);
  g_autoptr(JsonNode) r1 = push (fx, WARDEN, rec, keep, NULL);
  g_autoptr(JsonNode) r2 = NULL;
  g_autoptr(Pulled) before = pull (fx, WARDEN, 0, 0);
  g_autoptr(Pulled) after = NULL;
  g_autoptr(Pulled) sgt = NULL;
  JsonNode *tomb;

  result_at (r1, 0, "applied");
  json_object_set_boolean_member (json_node_get_object (del), "deleted", TRUE);
  r2 = push (fx, WARDEN, del, NULL);
  g_assert_cmpint (api_json_int (result_at (r2, 0, "applied"), "rev"), ==, 2);

  after = pull (fx, WARDEN, before->next, 0);
  g_assert_cmpuint (json_array_get_length (after->changes), ==, 1);
  tomb = pulled_find (after, change_id (rec));
  g_assert_nonnull (tomb);
  g_assert_true (api_json_bool (tomb, "deleted"));
  g_assert_cmpint (api_json_int (tomb, "rev"), ==, 2);
  assert_pull_shape (tomb);

  /* Others who could see it get the tombstone too. */
  sgt = pull (fx, SUPERVISOR, 0, 0);
  g_assert_true (api_json_bool (pulled_find (sgt, change_id (rec)), "deleted"));
  g_assert_false (api_json_bool (pulled_find (sgt, change_id (keep)), "deleted"));

  /* A deleted Section 59 warning reaches the other officers who hold it
   * (they got it through the 12-month rule), and leaves the look-up.
   * Choice: a deleted warning is no longer a warning to be found. */
  {
    g_autoptr(JsonNode) s59 = new_change ("s59_warning", 3 * API_DAY);
    g_autoptr(JsonNode) s59_del = api_change_next_rev (s59);
    g_autoptr(JsonNode) r3 = push (fx, OFFICER, s59, NULL);
    g_autoptr(Pulled) seen = pull (fx, OFFICER2, 0, 0);
    g_autoptr(JsonNode) r4 = NULL;
    g_autoptr(Pulled) gone = NULL;
    g_autoptr(ApiResponse) lk = NULL;
    JsonNode *t;

    result_at (r3, 0, "applied");
    g_assert_nonnull (pulled_find (seen, change_id (s59)));
    json_object_set_boolean_member (json_node_get_object (s59_del), "deleted", TRUE);
    r4 = push (fx, OFFICER, s59_del, NULL);
    result_at (r4, 0, "applied");
    gone = pull (fx, OFFICER2, seen->next, 0);
    t = pulled_find (gone, change_id (s59));
    g_assert_nonnull (t);
    g_assert_true (api_json_bool (t, "deleted"));

    lk = call (fx, OFFICER2, "GET", "/api/v1/s59/lookup?vrm=AB12CDE", NULL);
    api_expect_status (lk, 200);
    g_assert_cmpuint (json_array_get_length (api_json_array (lk->body, "matches")), ==, 0);
  }
}

/* ------------------------------------------------------------------ */
/* Review                                                              */

static JsonNode *
review_body (const char *state,
             const char *comment)
{
  g_autofree char *text = comment ? g_strdup_printf ("{\"state\": \"%s\", \"comment\": \"%s\"}", state, comment)
                                  : g_strdup_printf ("{\"state\": \"%s\"}", state);
  return api_json_parse (text, -1);
}

static gboolean
has_comment (JsonNode   *record,
             const char *text)
{
  JsonArray *comments = api_json_array (record, "review.comments");

  for (guint i = 0; i < json_array_get_length (comments); i++)
    {
      JsonNode *c = json_array_get_element (comments, i);
      if (g_strcmp0 (api_json_string (c, "text"), text) == 0)
        {
          api_assert_has (c, "author");
          g_assert_true (api_is_iso_utc (api_json_string (c, "at")));
          return TRUE;
        }
    }
  return FALSE;
}

static void
test_review (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(JsonNode) rec = new_change ("patrol_observation", 600);
  g_autoptr(JsonNode) r1 = push (fx, OFFICER, rec, NULL);
  g_autoptr(Pulled) mine = pull (fx, OFFICER, 0, 0);
  g_autofree char *path = g_strdup_printf ("/api/v1/records/%s/review", change_id (rec));
  g_autoptr(JsonNode) ret = review_body ("returned", "Please add the crime reference");
  g_autoptr(JsonNode) ok = review_body ("reviewed", "Thank you");
  g_autoptr(JsonNode) closed = review_body ("closed", "Closed");
  g_autoptr(ApiResponse) rr = NULL;
  g_autoptr(ApiResponse) rv = NULL;
  g_autoptr(ApiResponse) rc = NULL;
  g_autoptr(Pulled) next = NULL;
  g_autoptr(Pulled) later = NULL;
  JsonNode *got;

  result_at (r1, 0, "applied");
  g_assert_cmpstr (api_json_string (pulled_find (mine, change_id (rec)), "review.state"), ==, "new");

  rr = call (fx, SUPERVISOR, "POST", path, ret);
  api_expect_status (rr, 200);
  assert_pull_shape (rr->body);
  g_assert_cmpstr (api_json_string (rr->body, "id"), ==, change_id (rec));
  g_assert_cmpstr (api_json_string (rr->body, "review.state"), ==, "returned");
  g_assert_true (has_comment (rr->body, "Please add the crime reference"));

  /* The author's next pull brings it back with the comment. */
  next = pull (fx, OFFICER, mine->next, 0);
  got = pulled_find (next, change_id (rec));
  g_assert_nonnull (got);
  g_assert_cmpstr (api_json_string (got, "review.state"), ==, "returned");
  g_assert_true (has_comment (got, "Please add the crime reference"));
  g_assert_cmpint (api_json_int (got, "seq"), >, api_json_int (pulled_find (mine, change_id (rec)), "seq"));

  rv = call (fx, SUPERVISOR, "POST", path, ok);
  api_expect_status (rv, 200);
  g_assert_cmpstr (api_json_string (rv->body, "review.state"), ==, "reviewed");
  /* Comments accumulate: the history of the review stays. */
  g_assert_true (has_comment (rv->body, "Please add the crime reference"));
  g_assert_true (has_comment (rv->body, "Thank you"));

  rc = call (fx, SUPERVISOR, "POST", path, closed);
  api_expect_status (rc, 200);
  g_assert_cmpstr (api_json_string (rc->body, "review.state"), ==, "closed");

  later = pull (fx, OFFICER, next->next, 0);
  g_assert_cmpstr (api_json_string (pulled_find (later, change_id (rec)), "review.state"), ==, "closed");
}

static void
test_review_refused (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) rec = new_change ("patrol_observation", 600);
  g_autoptr(JsonNode) r1 = push (fx, OFFICER, rec, NULL);
  g_autofree char *path = g_strdup_printf ("/api/v1/records/%s/review", change_id (rec));
  g_autofree char *unknown_id = api_uuid ();
  g_autofree char *unknown = g_strdup_printf ("/api/v1/records/%s/review", unknown_id);
  g_autoptr(JsonNode) body = review_body ("reviewed", "Fine");
  g_autoptr(JsonNode) bad_state = review_body ("approved", "Fine");
  User not_allowed[] = { OFFICER, OFFICER2, WARDEN, COUNCILLOR, ADMIN };
  g_autoptr(ApiResponse) r404 = NULL;
  g_autoptr(ApiResponse) r400 = NULL;
  g_autoptr(Pulled) p = NULL;

  result_at (r1, 0, "applied");
  for (guint i = 0; i < G_N_ELEMENTS (not_allowed); i++)
    {
      g_autoptr(ApiResponse) r = call (fx, not_allowed[i], "POST", path, body);
      api_expect_error (r, 403, NULL);
    }
  r404 = call (fx, SUPERVISOR, "POST", unknown, body);
  api_expect_error (r404, 404, NULL);
  r400 = call (fx, SUPERVISOR, "POST", path, bad_state);
  api_expect_error (r400, 400, NULL);

  p = pull (fx, OFFICER, 0, 0);
  g_assert_cmpstr (api_json_string (pulled_find (p, change_id (rec)), "review.state"), ==, "new");
}

/* ------------------------------------------------------------------ */
/* Section 59 look-up                                                  */

static JsonArray *
lookup (Fixture     *fx,
        User         u,
        const char  *query,
        ApiResponse **keep)
{
  g_autofree char *path = g_strconcat ("/api/v1/s59/lookup?", query, NULL);
  ApiResponse *r = call (fx, u, "GET", path, NULL);

  api_expect_status (r, 200);
  g_assert_cmpint (api_json_int (r->body, "window_days"), ==, 365);
  *keep = r;
  return api_json_array (r->body, "matches");
}

static void
test_lookup (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(JsonNode) recent = new_change ("s59_warning", 20 * API_DAY);
  g_autoptr(JsonNode) old = new_change ("s59_warning", 400 * API_DAY);
  g_autoptr(JsonNode) other = new_change ("s59_warning", 5 * API_DAY);
  g_autoptr(JsonNode) r1 = NULL;
  g_autoptr(JsonNode) r2 = NULL;
  g_autoptr(ApiResponse) k1 = NULL;
  g_autoptr(ApiResponse) k2 = NULL;
  g_autoptr(ApiResponse) k3 = NULL;
  g_autoptr(ApiResponse) k4 = NULL;
  g_autoptr(ApiResponse) k5 = NULL;
  g_autoptr(ApiResponse) k6 = NULL;
  g_autofree char *expires = NULL;
  JsonArray *m;
  JsonNode *match;

  set_field_json (other, "vehicle", "{\"type\": \"off_road_bike\", \"make\": \"Honda\"}");
  set_field_json (other, "driver", "{\"name\": \"Someone Else\", \"date_of_birth\": \"2001-09-09\"}");
  r1 = push (fx, OFFICER, recent, other, NULL);
  r2 = push (fx, SUPERVISOR, old, NULL);
  result_at (r1, 0, "applied");
  result_at (r1, 1, "applied");
  result_at (r2, 0, "applied");

  /* By mark, in any spelling: only the warning inside the window. */
  m = lookup (fx, OFFICER2, "vrm=ab12%20cde", &k1);
  g_assert_cmpuint (json_array_get_length (m), ==, 1);
  match = json_array_get_element (m, 0);
  g_assert_cmpstr (api_json_string (match, "id"), ==, change_id (recent));
  assert_same_time (api_json_string (match, "issued_at"), api_json_string (recent, "occurred_at"));
  expires = api_time_add_months (api_json_string (recent, "occurred_at"), 12);
  assert_same_time (api_json_string (match, "expires_at"), expires);
  for (const char * const *k = (const char *[]) { "vrm", "driver_name", "location", "officer", NULL }; *k; k++)
    api_assert_has (match, *k);

  m = lookup (fx, SUPERVISOR, "vrm=AB12CDE", &k2);
  g_assert_cmpuint (json_array_get_length (m), ==, 1);

  /* By person: surname and date of birth. Choice: the surname is the last
   * word of driver.name. */
  m = lookup (fx, OFFICER, "surname=Driver&dob=1990-04-01", &k3);
  g_assert_cmpuint (json_array_get_length (m), ==, 1);
  g_assert_cmpstr (api_json_string (json_array_get_element (m, 0), "id"), ==, change_id (recent));
  m = lookup (fx, OFFICER, "surname=Driver&dob=1990-04-02", &k4);
  g_assert_cmpuint (json_array_get_length (m), ==, 0);
  m = lookup (fx, OFFICER, "vrm=ZZ99ZZZ", &k5);
  g_assert_cmpuint (json_array_get_length (m), ==, 0);
  m = lookup (fx, OFFICER, "surname=Else&dob=2001-09-09", &k6);
  g_assert_cmpuint (json_array_get_length (m), ==, 1);

  /* Choice: a look-up with nothing to look for is a bad request. */
  {
    g_autoptr(ApiResponse) r = call (fx, OFFICER, "GET", "/api/v1/s59/lookup", NULL);
    g_autoptr(ApiResponse) r2b = call (fx, OFFICER, "GET", "/api/v1/s59/lookup?surname=Driver", NULL);
    api_expect_error (r, 400, NULL);
    api_expect_error (r2b, 400, NULL);
  }
}

static void
test_lookup_roles (Fixture       *fx,
                   gconstpointer  data)
{
  User refused[] = { WARDEN, COUNCILLOR };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(ApiResponse) r = call (fx, refused[i], "GET", "/api/v1/s59/lookup?vrm=AB12CDE", NULL);
      g_autoptr(ApiResponse) r2 = call (fx, refused[i], "GET", "/api/v1/s59/lookup?surname=Driver&dob=1990-04-01", NULL);
      api_expect_error (r, 403, NULL);
      api_expect_error (r2, 403, NULL);
    }
}

/* ------------------------------------------------------------------ */
/* Audit                                                               */

/* Choice: an entry's "user" may name the user by id or username, as a
 * string or as an object with "id"/"username". */
static gboolean
audit_user_is (Fixture  *fx,
               JsonNode *entry,
               User      u)
{
  JsonNode *user = api_json_get (entry, "user");

  if (user == NULL || JSON_NODE_HOLDS_NULL (user))
    return FALSE;
  if (JSON_NODE_HOLDS_VALUE (user) && json_node_get_value_type (user) == G_TYPE_STRING)
    return g_strcmp0 (json_node_get_string (user), fx->user_id[u]) == 0 ||
           g_strcmp0 (json_node_get_string (user), users[u].username) == 0;
  if (JSON_NODE_HOLDS_OBJECT (user))
    {
      JsonObject *o = json_node_get_object (user);
      return g_strcmp0 (json_object_get_string_member_with_default (o, "id", ""), fx->user_id[u]) == 0 ||
             g_strcmp0 (json_object_get_string_member_with_default (o, "username", ""), users[u].username) == 0;
    }
  return FALSE;
}

static JsonNode *
audit_find (Fixture    *fx,
            JsonArray  *entries,
            const char *action,
            int         u,
            const char *record_id)
{
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonNode *e = json_array_get_element (entries, i);
      JsonNode *rid = api_json_get (e, "record_id");

      if (g_strcmp0 (api_json_string (e, "action"), action) != 0)
        continue;
      if (u >= 0 && !audit_user_is (fx, e, u))
        continue;
      if (record_id != NULL &&
          (rid == NULL || !JSON_NODE_HOLDS_VALUE (rid) || g_strcmp0 (json_node_get_string (rid), record_id) != 0))
        continue;
      return e;
    }
  return NULL;
}

static JsonArray *
audit_all (Fixture *fx,
           User     u,
           guint    limit)
{
  JsonArray *all = json_array_new ();
  gint64 since = 0;
  gint64 last_seq = -1;
  gboolean more = TRUE;

  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/audit?since=%" G_GINT64_FORMAT "&limit=%u", since, limit);
      g_autoptr(ApiResponse) r = call (fx, u, "GET", path, NULL);
      JsonArray *entries;

      api_expect_status (r, 200);
      entries = api_json_array (r->body, "entries");
      for (guint i = 0; i < json_array_get_length (entries); i++)
        {
          JsonNode *e = json_array_get_element (entries, i);

          for (const char * const *k = (const char *[]) { "seq", "at", "user", "device", "action", "record_id", "detail", NULL }; *k; k++)
            api_assert_has (e, *k);
          g_assert_cmpint (api_json_int (e, "seq"), >, last_seq);
          last_seq = api_json_int (e, "seq");
          g_assert_true (api_is_iso_utc (api_json_string (e, "at")));
          json_array_add_element (all, json_node_copy (e));
        }
      since = api_json_int (r->body, "next");
      more = api_json_bool (r->body, "more");
      g_assert_cmpuint (json_array_get_length (entries), <=, limit);
      if (more)
        g_assert_cmpuint (json_array_get_length (entries), >, 0);
    }
  return all;
}

static void
test_audit (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(JsonNode) rec = new_change ("s59_warning", 600);
  g_autoptr(JsonNode) edit = api_change_next_rev (rec);
  g_autoptr(JsonNode) r1 = NULL;
  g_autoptr(JsonNode) r2 = NULL;
  g_autoptr(JsonNode) review = review_body ("reviewed", "Checked");
  g_autoptr(ApiResponse) rv = NULL;
  g_autoptr(ApiResponse) lk = NULL;
  g_autoptr(ApiResponse) failed = NULL;
  g_autoptr(JsonArray) entries = NULL;
  g_autoptr(JsonArray) small_pages = NULL;
  g_autofree char *path = g_strdup_printf ("/api/v1/records/%s/review", change_id (rec));
  User refused[] = { OFFICER, WARDEN, COUNCILLOR };

  failed = sign_in (fx, users[OFFICER2].username, "wrong password", "Laptop");
  api_expect_error (failed, 401, "invalid_credentials");
  r1 = push (fx, OFFICER, rec, NULL);
  result_at (r1, 0, "applied");
  set_field_json (edit, "bwv_reference", "\"BWV 7781\"");
  r2 = push (fx, OFFICER, edit, NULL);
  result_at (r2, 0, "applied");
  rv = call (fx, SUPERVISOR, "POST", path, review);
  api_expect_status (rv, 200);
  lk = call (fx, OFFICER, "GET", "/api/v1/s59/lookup?vrm=AB12CDE", NULL);
  api_expect_status (lk, 200);

  entries = audit_all (fx, SUPERVISOR, 1000);
  g_assert_nonnull (audit_find (fx, entries, "login", OFFICER, NULL));
  g_assert_nonnull (audit_find (fx, entries, "login", SUPERVISOR, NULL));
  g_assert_nonnull (audit_find (fx, entries, "login_failed", -1, NULL));
  g_assert_nonnull (audit_find (fx, entries, "create", OFFICER, change_id (rec)));
  g_assert_nonnull (audit_find (fx, entries, "update", OFFICER, change_id (rec)));
  g_assert_nonnull (audit_find (fx, entries, "review", SUPERVISOR, change_id (rec)));
  g_assert_nonnull (audit_find (fx, entries, "lookup", OFFICER, NULL));
  /* Entries name who acted: nobody else created anything. */
  g_assert_null (audit_find (fx, entries, "create", WARDEN, NULL));
  g_assert_null (audit_find (fx, entries, "create", SUPERVISOR, NULL));

  /* Admins read it too, and pages of 2 give the same entries. */
  small_pages = audit_all (fx, ADMIN, 2);
  /* The admin's own sign-in and reads come after: the supervisor's entries
   * are exactly the first ones of the admin's, seq for seq. */
  g_assert_cmpuint (json_array_get_length (small_pages), >, json_array_get_length (entries));
  for (guint i = 0; i < json_array_get_length (entries); i++)
    g_assert_cmpint (api_json_int (json_array_get_element (small_pages, i), "seq"), ==,
                     api_json_int (json_array_get_element (entries, i), "seq"));
  g_assert_cmpint (api_json_int (json_array_get_element (small_pages, json_array_get_length (entries)), "seq"), >,
                   api_json_int (json_array_get_element (entries, json_array_get_length (entries) - 1), "seq"));

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(ApiResponse) r = call (fx, refused[i], "GET", "/api/v1/audit?since=0", NULL);
      api_expect_error (r, 403, NULL);
    }
}

static JsonNode *
export_notice (const char *id,
               const char *extra)
{
  g_autofree char *text = g_strdup_printf ("{\"id\": \"%s\", \"what\": \"csv\", \"count\": 2%s%s}",
                                           id, extra != NULL ? ", " : "", extra != NULL ? extra : "");

  return api_json_parse (text, -1);
}

static void
test_audit_exports (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *notice_id = api_uuid ();
  g_autofree char *record_a = api_uuid ();
  g_autofree char *record_b = api_uuid ();
  g_autofree char *extra = g_strdup_printf ("\"record_ids\": [\"%s\", \"%s\"],"
                                            " \"period\": {\"from\": \"2026-01-01\", \"to\": \"2026-04-01\"},"
                                            " \"made_at\": \"2026-03-02T09:30:00Z\","
                                            " \"filter\": \"Ward: Town\", \"recipient\": \"CSP board\"",
                                            record_a, record_b);
  g_autoptr(JsonNode) body = export_notice (notice_id, extra);
  g_autoptr(ApiResponse) r = NULL;
  g_autoptr(JsonArray) entries = NULL;
  g_autoptr(JsonNode) detail = NULL;
  JsonNode *summary, *per_record;
  User refused[] = { OFFICER, WARDEN, COUNCILLOR };
  static const char * const bad_extras[] = {
    "\"record_ids\": [\"not-a-uuid\"]",
    "\"record_ids\": \"all\"",
    "\"period\": {\"from\": \"2026-04-01\", \"to\": \"2026-01-01\"}",
    "\"period\": {\"from\": \"last month\", \"to\": \"2026-01-01\"}",
    "\"made_at\": \"yesterday\"",
    "\"recipient\": 42",
    "\"recipients\": \"typo\"",
  };

  r = call (fx, SUPERVISOR, "POST", "/api/v1/audit/exports", body);
  api_expect_status (r, 201);
  g_assert_cmpstr (api_json_string (r->body, "id"), ==, notice_id);
  g_assert_cmpint (api_json_int (r->body, "entries"), ==, 3);

  entries = audit_all (fx, ADMIN, 1000);
  per_record = audit_find (fx, entries, "export", SUPERVISOR, record_b);
  g_assert_nonnull (per_record);
  g_assert_nonnull (strstr (api_json_string (per_record, "detail"), notice_id));
  g_assert_nonnull (audit_find (fx, entries, "export", SUPERVISOR, record_a));

  /* The export's own entry carries the notice, recipient included. */
  summary = NULL;
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonNode *e = json_array_get_element (entries, i);

      if (g_strcmp0 (api_json_string (e, "action"), "export") == 0 &&
          JSON_NODE_HOLDS_NULL (api_json_get (e, "record_id")))
        summary = e;
    }
  g_assert_nonnull (summary);
  g_assert_true (audit_user_is (fx, summary, SUPERVISOR));
  detail = api_json_parse (api_json_string (summary, "detail"), -1);
  g_assert_cmpstr (api_json_string (detail, "export_id"), ==, notice_id);
  g_assert_cmpstr (api_json_string (detail, "what"), ==, "csv");
  g_assert_cmpint (api_json_int (detail, "count"), ==, 2);
  g_assert_cmpstr (api_json_string (detail, "recipient"), ==, "CSP board");
  g_assert_cmpstr (api_json_string (detail, "period.from"), ==, "2026-01-01");
  g_assert_cmpstr (api_json_string (detail, "made_at"), ==, "2026-03-02T09:30:00Z");

  /* Admins may log an export too; a PDF needs no record ids. */
  {
    g_autofree char *pdf_id = api_uuid ();
    g_autofree char *text = g_strdup_printf ("{\"id\": \"%s\", \"what\": \"pdf\", \"count\": 40}", pdf_id);
    g_autoptr(JsonNode) pdf = api_json_parse (text, -1);
    g_autoptr(ApiResponse) ok = call (fx, ADMIN, "POST", "/api/v1/audit/exports", pdf);

    api_expect_status (ok, 201);
    g_assert_cmpint (api_json_int (ok->body, "entries"), ==, 1);
  }

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(ApiResponse) no = call (fx, refused[i], "POST", "/api/v1/audit/exports", body);
      api_expect_error (no, 403, "forbidden");
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad_extras); i++)
    {
      g_autoptr(JsonNode) bad = export_notice (notice_id, bad_extras[i]);
      g_autoptr(ApiResponse) no = NULL;

      g_test_message ("refusing %s", bad_extras[i]);
      no = call (fx, SUPERVISOR, "POST", "/api/v1/audit/exports", bad);
      api_expect_error (no, 400, NULL);
    }
  {
    g_autoptr(JsonNode) no_id = api_json_parse ("{\"what\": \"csv\", \"count\": 1}", -1);
    g_autoptr(JsonNode) negative = api_json_parse ("{\"id\": \"5d0c7a3e-2f4b-4c1d-8e6a-9b3f1d7c2e50\", \"what\": \"csv\", \"count\": -1}", -1);
    g_autoptr(ApiResponse) r1 = call (fx, SUPERVISOR, "POST", "/api/v1/audit/exports", no_id);
    g_autoptr(ApiResponse) r2 = call (fx, SUPERVISOR, "POST", "/api/v1/audit/exports", negative);
    g_autoptr(ApiResponse) r3 = call (fx, SUPERVISOR, "GET", "/api/v1/audit/exports", NULL);
    g_autoptr(JsonNode) xlsx = api_json_parse ("{\"id\": \"5d0c7a3e-2f4b-4c1d-8e6a-9b3f1d7c2e50\", \"what\": \"xlsx\", \"count\": 1}", -1);
    g_autoptr(ApiResponse) r4 = call (fx, SUPERVISOR, "POST", "/api/v1/audit/exports", xlsx);

    api_expect_error (r1, 400, NULL);
    api_expect_error (r2, 400, NULL);
    api_expect_error (r3, 405, NULL);
    api_expect_error (r4, 400, NULL);
  }
}

/* ------------------------------------------------------------------ */
/* Administration from the command line while the server runs           */

static void
test_user_disable (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *db = fixture_db (fx);
  g_autoptr(ApiResponse) before = call (fx, WARDEN, "GET", "/api/v1/me", NULL);
  g_autoptr(ApiResponse) after = NULL;
  g_autoptr(ApiResponse) again = NULL;
  g_autoptr(ApiResponse) other = NULL;
  g_autofree char *pw = password_for (WARDEN);
  const char *args[] = { "user", "disable", "--db", db, "--username", users[WARDEN].username, NULL };

  api_expect_status (before, 200);
  token (fx, COUNCILLOR);
  api_run_command (NULL, args);

  after = call (fx, WARDEN, "GET", "/api/v1/me", NULL);
  api_expect_error (after, 401, NULL);
  /* Choice: a disabled user cannot sign in again (still 401, no hint). */
  again = sign_in (fx, users[WARDEN].username, pw, "Laptop");
  api_expect_error (again, 401, NULL);
  other = call (fx, COUNCILLOR, "GET", "/api/v1/me", NULL);
  api_expect_status (other, 200);
}

static void
test_device_revoke (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *db = fixture_db (fx);
  g_autoptr(ApiResponse) me = NULL;
  g_autoptr(ApiResponse) pull_r = NULL;
  g_autoptr(ApiResponse) other = NULL;
  g_autofree char *device = NULL;

  token (fx, OFFICER);
  token (fx, OFFICER2);
  device = g_strdup (fx->device_id[OFFICER]);
  {
    const char *args[] = { "device", "revoke", "--db", db, "--device-id", device, NULL };
    api_run_command (NULL, args);
  }
  me = call (fx, OFFICER, "GET", "/api/v1/me", NULL);
  api_expect_error (me, 401, "device_revoked");
  pull_r = call (fx, OFFICER, "GET", "/api/v1/sync/pull?since=0", NULL);
  api_expect_error (pull_r, 401, "device_revoked");
  other = call (fx, OFFICER2, "GET", "/api/v1/me", NULL);
  api_expect_status (other, 200);
  g_assert_false (api_json_bool (other->body, "wipe"));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  test_db_require ();
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/api/health/answers-ok-without-a-token", test_health);
  ADD ("/api/openapi/is-served-without-a-token-as-built", test_openapi);
  ADD ("/api/sessions/sign-in-returns-a-working-token", test_sessions_sign_in);
  ADD ("/api/sessions/bad-credentials-answer-the-same-for-unknown-users", test_sessions_bad_credentials);
  ADD ("/api/sessions/five-failures-lock-the-username", test_sessions_lockout);
  ADD ("/api/sessions/delete-current-ends-the-token", test_sessions_delete);
  ADD ("/api/auth/missing-or-garbage-token-is-401", test_auth_required);
  ADD ("/api/profile/has-every-list-and-policy", test_profile);
  ADD ("/api/push/applies-each-kind-with-rev-and-seq", test_push_each_kind);
  ADD ("/api/push/author-comes-from-the-token-not-the-body", test_push_author_from_token);
  ADD ("/api/push/retry-is-a-duplicate-with-the-same-answer", test_push_retry_is_duplicate);
  ADD ("/api/push/retry-is-known-by-its-bytes-spacing-aside", test_push_retry_known_by_its_bytes);
  ADD ("/api/push/files-listed-under-an-escaped-key-are-listed", test_push_files_listed_under_an_escaped_key);
  ADD ("/api/pull/every-kind-reads-back-as-sent", test_pull_reads_back_as_sent);
  ADD ("/api/push/stale-base-rev-is-a-conflict-with-the-server-copy", test_push_conflict);
  ADD ("/api/push/invalid-changes-are-rejected-naming-the-field", test_push_rejected);
  ADD ("/api/push/roles-limit-the-kinds-created", test_push_roles);
  ADD ("/api/push/only-the-author-or-a-supervisor-edits", test_push_edit_rights);
  ADD ("/api/push/one-bad-change-does-not-block-the-others", test_push_partial_batch);
  ADD ("/api/push/too-many-changes-or-bytes-is-413", test_push_limits);
  ADD ("/api/push/malformed-bodies-are-400", test_push_malformed);
  ADD ("/api/routes/unknown-is-404-wrong-method-is-405", test_routes);
  ADD ("/api/pull/carries-derived-fields", test_pull_derived_fields);
  ADD ("/api/pull/is-scoped-by-role", test_pull_scoped_by_role);
  ADD ("/api/pull/pages-with-cursor-and-more", test_pull_pages);
  ADD ("/api/pull/pages-miss-nothing-while-others-push", test_pull_pages_while_pushing);
  ADD ("/api/pull/leaves-out-the-devices-own-revisions", test_pull_leaves_out_own_revisions);
  ADD ("/api/pull/concurrent-pushes-get-distinct-seqs", test_pull_concurrent_pushes);
  ADD ("/api/pull/bad-since-or-limit-is-400", test_pull_bad_parameters);
  ADD ("/api/pull/deletions-arrive-as-tombstones", test_pull_tombstones);
  ADD ("/api/review/supervisor-returns-and-the-author-sees-it", test_review);
  ADD ("/api/review/other-roles-403-unknown-id-404", test_review_refused);
  ADD ("/api/lookup/finds-by-mark-and-by-person-within-the-window", test_lookup);
  ADD ("/api/lookup/wardens-and-councillors-are-refused", test_lookup_roles);
  ADD ("/api/audit/records-each-action-for-supervisors-and-admins", test_audit);
  ADD ("/api/audit/export-notices-log-the-export-and-each-record", test_audit_exports);
  ADD ("/api/admin/disabled-user-loses-its-token", test_user_disable);
  ADD ("/api/admin/revoked-device-gets-device-revoked", test_device_revoke);
#undef ADD

  ret = g_test_run ();
  test_db_drop (template_db);
  g_free (template_db);
  if (template_dir != NULL)
    bb_test_remove_tree (template_dir);
  g_free (template_dir);
  return ret;
}
