/* test-api-docs.c: docs/api.md's examples, run against the real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/api.md is the API contract in the project's words. Its examples are
 * ```sh blocks (curl requests, beatbook-server commands) each followed by an
 * ```http block with the answer. This test runs them in order against a
 * fresh server and fails when an answer differs from the page, so the page
 * cannot drift from the server. The conventions it relies on are described
 * at the top of docs/api.md ("How to read the examples").
 */
#define G_LOG_DOMAIN "beatbook-api-docs-test"

#include "config.h"

#include <locale.h>

#include "api-helpers.h"
#include "test-db.h"

typedef struct
{
  char *lang;
  char *text;
  guint line;   /* of the opening fence, for messages */
} Block;

static void
block_free (Block *b)
{
  g_free (b->lang);
  g_free (b->text);
  g_free (b);
}

/* (element-type Block): every fenced block of @markdown, in order. */
static GPtrArray *
split_blocks (const char *markdown)
{
  g_auto(GStrv) lines = g_strsplit (markdown, "\n", -1);
  GPtrArray *blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) block_free);
  Block *open = NULL;
  GString *text = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "```"))
        {
          if (open == NULL)
            {
              open = g_new0 (Block, 1);
              open->lang = g_strstrip (g_strdup (lines[i] + 3));
              open->line = i + 1;
              text = g_string_new (NULL);
            }
          else
            {
              open->text = g_string_free (text, FALSE);
              g_ptr_array_add (blocks, open);
              open = NULL;
            }
          continue;
        }
      if (open != NULL)
        {
          g_string_append (text, lines[i]);
          g_string_append_c (text, '\n');
        }
    }
  if (open != NULL)
    g_error ("docs/api.md:%u: a code block is never closed", open->line);
  return blocks;
}

/* ------------------------------------------------------------------ */
/* Matching an answer against the page                                 */

static gboolean
is_variable (const char *s)
{
  if (s[0] != '$' || !(g_ascii_isupper (s[1]) || s[1] == '_'))
    return FALSE;
  for (s++; *s; s++)
    if (!g_ascii_isupper (*s) && !g_ascii_isdigit (*s) && *s != '_')
      return FALSE;
  return TRUE;
}

static gboolean
is_placeholder (const char *s)
{
  return s[0] == '<' && g_str_has_suffix (s, ">");
}

static char *
value_text (JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return json_to_string (node, FALSE);
}

/* Does @got (NULL: absent) match @want from the page? Binds $NAMEs into
 * @vars; on a mismatch, says where in @why. */
static gboolean
match_json (JsonNode   *want,
            JsonNode   *got,
            const char *path,
            GHashTable *vars,
            GString    *why)
{
  if (JSON_NODE_HOLDS_VALUE (want) && json_node_get_value_type (want) == G_TYPE_STRING)
    {
      const char *w = json_node_get_string (want);

      if (is_placeholder (w))
        {
          if (got == NULL)
            g_string_append_printf (why, "%s: missing", path);
          return got != NULL;
        }
      if (is_variable (w))
        {
          if (got == NULL || JSON_NODE_HOLDS_NULL (got))
            {
              g_string_append_printf (why, "%s: missing or null, the page names it %s", path, w);
              return FALSE;
            }
          g_hash_table_insert (vars, g_strdup (w + 1), value_text (got));
          return TRUE;
        }
    }

  if (got == NULL)
    {
      g_string_append_printf (why, "%s: missing", path);
      return FALSE;
    }

  if (JSON_NODE_HOLDS_OBJECT (want))
    {
      JsonObject *w = json_node_get_object (want);
      g_autoptr(GList) members = json_object_get_members (w);

      if (!JSON_NODE_HOLDS_OBJECT (got))
        {
          g_string_append_printf (why, "%s: not an object", path);
          return FALSE;
        }
      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *name = l->data;
          g_autofree char *child = g_strdup_printf ("%s.%s", path, name);
          JsonObject *g = json_node_get_object (got);

          if (!match_json (json_object_get_member (w, name),
                           json_object_has_member (g, name) ? json_object_get_member (g, name) : NULL,
                           child, vars, why))
            return FALSE;
        }
      return TRUE;
    }

  if (JSON_NODE_HOLDS_ARRAY (want))
    {
      JsonArray *w = json_node_get_array (want);
      guint n = json_array_get_length (w);
      gboolean open_ended = FALSE;
      JsonArray *g;

      if (!JSON_NODE_HOLDS_ARRAY (got))
        {
          g_string_append_printf (why, "%s: not an array", path);
          return FALSE;
        }
      g = json_node_get_array (got);
      if (n > 0)
        {
          JsonNode *last = json_array_get_element (w, n - 1);
          if (JSON_NODE_HOLDS_VALUE (last) && json_node_get_value_type (last) == G_TYPE_STRING &&
              g_str_equal (json_node_get_string (last), "..."))
            {
              open_ended = TRUE;
              n--;
            }
        }
      if (open_ended ? json_array_get_length (g) < n : json_array_get_length (g) != n)
        {
          g_string_append_printf (why, "%s: %u entries, the page shows %s%u", path,
                                  json_array_get_length (g), open_ended ? "at least " : "", n);
          return FALSE;
        }
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *child = g_strdup_printf ("%s[%u]", path, i);
          if (!match_json (json_array_get_element (w, i), json_array_get_element (g, i), child, vars, why))
            return FALSE;
        }
      return TRUE;
    }

  if (JSON_NODE_HOLDS_NULL (want))
    {
      if (!JSON_NODE_HOLDS_NULL (got))
        {
          g_autofree char *text = json_to_string (got, FALSE);
          g_string_append_printf (why, "%s: %s, the page says null", path, text);
          return FALSE;
        }
      return TRUE;
    }

  /* A plain value. */
  {
    g_autofree char *w = json_to_string (want, FALSE);
    g_autofree char *g = json_to_string (got, FALSE);
    gboolean same;

    if (JSON_NODE_HOLDS_VALUE (got) && json_node_get_value_type (want) == G_TYPE_DOUBLE &&
        (json_node_get_value_type (got) == G_TYPE_DOUBLE || json_node_get_value_type (got) == G_TYPE_INT64))
      same = G_APPROX_VALUE (json_node_get_double (want), json_node_get_double (got), 1e-9);
    else
      same = g_str_equal (w, g);
    if (!same)
      g_string_append_printf (why, "%s: %s, the page says %s", path, g, w);
    return same;
  }
}

/* ------------------------------------------------------------------ */
/* Running the page                                                    */

typedef struct
{
  char       *dir;
  char       *db;
  ApiServer  *server;
  GHashTable *vars;        /* NAME -> value */
  GHashTable *endpoints;   /* "METHOD /path" seen */
  guint       n_examples;
  /* The request waiting for its ```http answer. */
  ApiResponse *pending;
  guint        pending_line;
} Run;

/* Replaces $(date -u ...) forms and $NAME with their values. */
static char *
expand (Run        *run,
        const char *text,
        guint       line)
{
  g_autoptr(GRegex) date_re = g_regex_new ("\\$\\(date -u (-d '([0-9]+) days ago' )?\\+%Y-%m-%dT%H:%M:%SZ\\)", 0, 0, NULL);
  g_autoptr(GRegex) var_re = g_regex_new ("\\$([A-Z_][A-Z0-9_]*)", 0, 0, NULL);
  g_autoptr(GMatchInfo) mi = NULL;
  GString *out = g_string_new (NULL);
  const char *p = text;

  /* Dates first: they contain no $NAME of their own. */
  while (g_regex_match (date_re, p, 0, &mi))
    {
      int start, end;
      g_autofree char *days = g_match_info_fetch (mi, 2);
      g_autofree char *when = NULL;

      g_match_info_fetch_pos (mi, 0, &start, &end);
      when = api_time_from_now (days && *days ? -(gint64) g_ascii_strtoll (days, NULL, 10) * API_DAY : 0);
      g_string_append_len (out, p, start);
      g_string_append (out, when);
      p += end;
      g_clear_pointer (&mi, g_match_info_free);
    }
  g_string_append (out, p);
  g_clear_pointer (&mi, g_match_info_free);

  {
    g_autofree char *dated = g_string_free (out, FALSE);
    GString *res = g_string_new (NULL);

    p = dated;
    while (g_regex_match (var_re, p, 0, &mi))
      {
        int start, end;
        g_autofree char *name = g_match_info_fetch (mi, 1);
        const char *value = g_hash_table_lookup (run->vars, name);

        if (value == NULL)
          g_error ("docs/api.md:%u: $%s is used before an answer names it", line, name);
        g_match_info_fetch_pos (mi, 0, &start, &end);
        g_string_append_len (res, p, start);
        g_string_append (res, value);
        p += end;
        g_clear_pointer (&mi, g_match_info_free);
      }
    g_string_append (res, p);
    return g_string_free (res, FALSE);
  }
}

/* "/api/v1/records/UUID/review?x" -> "/api/v1/records/{id}/review" */
static char *
endpoint_of (const char *method,
             const char *path)
{
  g_autofree char *bare = g_strndup (path, strcspn (path, "?"));
  g_autoptr(GRegex) uuid = g_regex_new ("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                                        G_REGEX_CASELESS, 0, NULL);
  g_autoptr(GRegex) sha = g_regex_new ("/blobs/[0-9a-f]{64}$", 0, 0, NULL);
  g_autofree char *by_id = g_regex_replace_literal (uuid, bare, -1, 0, "{id}", 0, NULL);
  g_autofree char *templ = g_regex_replace_literal (sha, by_id, -1, 0, "/blobs/{sha256}", 0, NULL);

  return g_strdup_printf ("%s %s", method, templ);
}

static void
run_curl (Run         *run,
          char       **argv,
          const char  *heredoc,
          guint        line)
{
  g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *method = NULL;
  g_autofree char *url = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GBytes) body = NULL;
  const char *path;

  if (run->server == NULL)
    g_error ("docs/api.md:%u: a request comes before “beatbook-server serve”", line);
  if (run->pending != NULL)
    g_error ("docs/api.md:%u: the request of line %u has no ```http answer", line, run->pending_line);

  for (guint i = 1; argv[i] != NULL; i++)
    {
      const char *a = argv[i];

      if (g_str_equal (a, "-X") || g_str_equal (a, "--request"))
        method = g_strdup (argv[++i]);
      else if (g_str_equal (a, "-H") || g_str_equal (a, "--header"))
        g_ptr_array_add (headers, expand (run, argv[++i], line));
      else if (g_str_equal (a, "-d") || g_str_equal (a, "--data") || g_str_equal (a, "--data-binary"))
        {
          const char *v = argv[++i];
          if (g_str_equal (v, "@-"))
            {
              if (heredoc == NULL)
                g_error ("docs/api.md:%u: --data-binary @- without a <<EOF body", line);
              data = expand (run, heredoc, line);
            }
          else
            data = expand (run, v, line);
        }
      else if (g_str_has_prefix (a, "http://") || g_str_has_prefix (a, "https://"))
        url = expand (run, a, line);
      else if (g_str_equal (a, "-i") || g_str_equal (a, "-s") || g_str_equal (a, "-sS") ||
               g_str_equal (a, "--silent") || g_str_equal (a, "--show-error"))
        continue;
      else if (g_str_has_prefix (a, "<<"))
        continue;
      else
        g_error ("docs/api.md:%u: curl option “%s” is not understood by this test", line, a);
    }
  if (url == NULL)
    g_error ("docs/api.md:%u: curl without a URL", line);
  if (method == NULL)
    method = g_strdup (data ? "POST" : "GET");
  path = strchr (strstr (url, "://") + 3, '/');
  if (path == NULL)
    g_error ("docs/api.md:%u: URL “%s” has no path", line, url);
  if (data != NULL)
    body = g_bytes_new (data, strlen (data));
  g_ptr_array_add (headers, NULL);

  g_test_message ("docs/api.md:%u: %s %s", line, method, path);
  run->pending = api_request_full (run->server, method, path,
                                   (const char * const *) headers->pdata, body);
  run->pending_line = line;
  g_hash_table_add (run->endpoints, endpoint_of (method, path));
}

static void
run_beatbook_server (Run         *run,
                     char       **argv,
                     const char  *stdin_text,
                     guint        line)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);

  if (argv[1] != NULL && g_str_equal (argv[1], "serve"))
    {
      if (run->server != NULL)
        g_error ("docs/api.md:%u: the server is started twice", line);
      /* The page's address and port are for people; the test takes a free
       * port on loopback and the page's URLs are mapped onto it. */
      run->server = api_server_start (run->db);
      return;
    }
  for (guint i = 1; argv[i] != NULL; i++)
    {
      if (g_str_equal (argv[i], "--db") && argv[i + 1] != NULL)
        {
          g_ptr_array_add (args, g_strdup ("--db"));
          g_ptr_array_add (args, g_strdup (run->db));
          i++;
        }
      else
        g_ptr_array_add (args, expand (run, argv[i], line));
    }
  g_ptr_array_add (args, NULL);
  api_run_command (stdin_text, (const char * const *) args->pdata);
}

/* Runs the commands of one ```sh block: joins "\" continuations, takes
 * <<EOF bodies, splits "printf '%s\n' PW | beatbook-server ..." pipes. */
static void
run_sh_block (Run   *run,
              Block *b)
{
  g_auto(GStrv) lines = g_strsplit (b->text, "\n", -1);
  guint i = 0;

  while (lines[i] != NULL)
    {
      GString *cmd = g_string_new (NULL);
      g_autofree char *command = NULL;
      g_autofree char *heredoc = NULL;
      g_auto(GStrv) argv = NULL;
      g_autoptr(GError) error = NULL;
      guint line = b->line + 1 + i;
      char **words;
      g_autofree char *stdin_text = NULL;

      while (lines[i] != NULL)
        {
          char *l = lines[i++];
          gsize len = strlen (l);

          if (len > 0 && l[len - 1] == '\\')
            {
              g_string_append_len (cmd, l, len - 1);
              g_string_append_c (cmd, ' ');
              continue;
            }
          g_string_append (cmd, l);
          break;
        }
      command = g_strstrip (g_string_free (cmd, FALSE));
      if (*command == '\0' || command[0] == '#')
        continue;

      if (strstr (command, "<<EOF") != NULL)
        {
          GString *doc = g_string_new (NULL);

          while (lines[i] != NULL && !g_str_equal (lines[i], "EOF"))
            {
              g_string_append (doc, lines[i++]);
              g_string_append_c (doc, '\n');
            }
          if (lines[i] == NULL)
            g_error ("docs/api.md:%u: <<EOF body never ends", line);
          i++;
          heredoc = g_string_free (doc, FALSE);
        }

      if (!g_shell_parse_argv (command, NULL, &argv, &error))
        g_error ("docs/api.md:%u: cannot read the command: %s", line, error->message);

      words = argv;
      if (g_str_equal (words[0], "printf"))
        {
          /* printf '%s\n' PASSWORD | beatbook-server ... */
          if (words[1] == NULL || words[2] == NULL || words[3] == NULL || !g_str_equal (words[3], "|"))
            g_error ("docs/api.md:%u: only “printf '%%s\\n' PASSWORD | …” is understood", line);
          stdin_text = g_strconcat (words[2], "\n", NULL);
          words += 4;
        }
      if (g_str_equal (words[0], "curl"))
        run_curl (run, words, heredoc, line);
      else if (g_str_equal (words[0], "beatbook-server"))
        run_beatbook_server (run, words, stdin_text, line);
      else
        g_error ("docs/api.md:%u: command “%s” is not understood by this test", line, words[0]);
    }
}

static void
check_answer (Run   *run,
              Block *b)
{
  g_autoptr(ApiResponse) got = g_steal_pointer (&run->pending);
  const char *text = b->text;
  const char *blank = strstr (text, "\n\n");
  g_autofree char *head = blank ? g_strndup (text, (gsize) (blank - text)) : g_strdup (text);
  g_autofree char *body_text = blank ? g_strstrip (g_strdup (blank + 2)) : g_strdup ("");
  g_auto(GStrv) head_lines = g_strsplit (g_strstrip (head), "\n", -1);
  g_auto(GStrv) status_words = NULL;
  guint status;

  if (got == NULL)
    g_error ("docs/api.md:%u: an answer without a request before it", b->line);
  status_words = g_strsplit (head_lines[0], " ", 3);
  if (!g_str_has_prefix (status_words[0], "HTTP/") || status_words[1] == NULL)
    g_error ("docs/api.md:%u: an answer must start with “HTTP/1.1 STATUS”", b->line);
  status = (guint) g_ascii_strtoull (status_words[1], NULL, 10);
  if (got->status != status)
    {
      g_autofree char *gt = api_json_to_string (got->body);
      g_error ("docs/api.md:%u: %s %s answered %u, the page says %u: %s",
               b->line, got->method, got->path, got->status, status, gt);
    }

  for (guint i = 1; head_lines[i] != NULL; i++)
    {
      const char *colon = strchr (head_lines[i], ':');
      g_autofree char *name = NULL;

      if (colon == NULL)
        g_error ("docs/api.md:%u: header line “%s” has no colon", b->line, head_lines[i]);
      name = g_strndup (head_lines[i], (gsize) (colon - head_lines[i]));
      if (g_ascii_strcasecmp (name, "Content-Type") == 0)
        {
          g_autofree char *expected = g_strstrip (g_strdup (colon + 1));

          g_assert_cmpstr (got->content_type, ==, expected);
        }
      else if (g_ascii_strcasecmp (name, "Upload-Offset") == 0 ||
               g_ascii_strcasecmp (name, "Content-Length") == 0)
        {
          g_autofree char *expected = g_strstrip (g_strdup (colon + 1));
          g_autofree char *length = NULL;
          const char *value = soup_message_headers_get_one (got->headers, name);

          /* libsoup keeps Content-Length apart from the other headers. */
          if (value == NULL && g_ascii_strcasecmp (name, "Content-Length") == 0)
            value = length = g_strdup_printf ("%" G_GINT64_FORMAT,
                                              soup_message_headers_get_content_length (got->headers));
          if (g_strcmp0 (value, expected) != 0)
            g_error ("docs/api.md:%u: %s %s answered %s: %s, the page says %s",
                     b->line, got->method, got->path, name, value ? value : "(none)", expected);
        }
      else
        g_error ("docs/api.md:%u: header “%s” is not checked by this test", b->line, name);
    }

  if (*body_text == '\0')
    {
      if (g_bytes_get_size (got->raw) != 0)
        g_error ("docs/api.md:%u: %s %s answered with a body, the page shows none",
                 b->line, got->method, got->path);
    }
  else if (got->body == NULL && got->raw != NULL && g_bytes_get_size (got->raw) > 0)
    {
      /* An evidence file: the page shows its bytes as they are. */
      gsize len = 0;
      const char *data = g_bytes_get_data (got->raw, &len);

      if (len != strlen (body_text) || memcmp (data, body_text, len) != 0)
        g_error ("docs/api.md:%u: %s %s answered “%.*s”, the page shows “%s”",
                 b->line, got->method, got->path, (int) MIN (len, 200), data, body_text);
    }
  else
    {
      g_autoptr(JsonNode) want = api_json_parse (body_text, -1);
      g_autoptr(GString) why = g_string_new (NULL);

      if (!match_json (want, got->body, "answer", run->vars, why))
        {
          g_autofree char *gt = api_json_to_string (got->body);
          g_error ("docs/api.md:%u: %s %s: %s\nwhole answer: %s",
                   b->line, got->method, got->path, why->str, gt);
        }
    }
  run->n_examples++;
}

static char *
docs_path (void)
{
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");

  if (srcdir == NULL)
    g_error ("G_TEST_SRCDIR is not set: it must name the tests/ directory");
  return g_build_filename (srcdir, "..", "docs", "api.md", NULL);
}

static void
test_docs_examples (void)
{
  static const char * const endpoints[] = {
    "GET /healthz",
    "GET /api/v1/openapi.json",
    "POST /api/v1/sessions",
    "DELETE /api/v1/sessions/current",
    "GET /api/v1/me",
    "GET /api/v1/profile",
    "POST /api/v1/sync/push",
    "GET /api/v1/sync/pull",
    "POST /api/v1/records/{id}/review",
    "GET /api/v1/s59/lookup",
    "GET /api/v1/audit",
    "PUT /api/v1/blobs/{sha256}",
    "HEAD /api/v1/blobs/{sha256}",
    "GET /api/v1/blobs/{sha256}",
  };
  g_autofree char *path = docs_path ();
  g_autofree char *markdown = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) blocks = NULL;
  Run run = { 0 };

  g_file_get_contents (path, &markdown, NULL, &error);
  g_assert_no_error (error);
  blocks = split_blocks (markdown);

  run.dir = g_dir_make_tmp ("beatbook-api-docs-XXXXXX", &error);
  g_assert_no_error (error);
  run.db = test_db_new (run.dir, "beatbook.db");
  run.vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  run.endpoints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < blocks->len; i++)
    {
      Block *b = g_ptr_array_index (blocks, i);

      if (g_str_equal (b->lang, "sh"))
        run_sh_block (&run, b);
      else if (g_str_equal (b->lang, "http"))
        check_answer (&run, b);
    }
  if (run.pending != NULL)
    g_error ("docs/api.md:%u: the request has no ```http answer", run.pending_line);

  /* The page documents every endpoint with a working example. */
  for (guint i = 0; i < G_N_ELEMENTS (endpoints); i++)
    if (!g_hash_table_contains (run.endpoints, endpoints[i]))
      g_error ("docs/api.md has no example of %s", endpoints[i]);
  g_assert_cmpuint (run.n_examples, >=, 20);

  api_server_stop (run.server);
  g_hash_table_unref (run.vars);
  g_hash_table_unref (run.endpoints);
  {
    const char *names[] = { "beatbook.db", "beatbook.db-wal", "beatbook.db-shm", NULL };
    for (guint i = 0; names[i]; i++)
      {
        g_autofree char *f = g_build_filename (run.dir, names[i], NULL);
        g_unlink (f);
      }
  }
  g_rmdir (run.dir);
  g_free (run.dir);
  test_db_drop (run.db);
  g_free (run.db);
}

/* The matcher itself: a page that disagrees must fail. */
static gboolean
matches (const char *want,
         const char *got,
         GHashTable *vars)
{
  g_autoptr(JsonNode) w = api_json_parse (want, -1);
  g_autoptr(JsonNode) g = api_json_parse (got, -1);
  g_autoptr(GString) why = g_string_new (NULL);

  return match_json (w, g, "answer", vars, why);
}

static void
test_docs_matcher (void)
{
  g_autoptr(GHashTable) vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_assert_true (matches ("{\"a\": 1}", "{\"a\": 1, \"b\": 2}", vars));
  g_assert_false (matches ("{\"a\": 1}", "{\"a\": 2}", vars));
  g_assert_false (matches ("{\"a\": 1}", "{\"b\": 1}", vars));
  g_assert_false (matches ("{\"a\": \"1\"}", "{\"a\": 1}", vars));
  g_assert_true (matches ("{\"a\": \"<any>\"}", "{\"a\": null}", vars));
  g_assert_false (matches ("{\"a\": \"<any>\"}", "{}", vars));
  g_assert_true (matches ("[1, \"...\"]", "[1, 2, 3]", vars));
  g_assert_false (matches ("[1, \"...\"]", "[2, 1]", vars));
  g_assert_false (matches ("[1, 2]", "[1, 2, 3]", vars));
  g_assert_false (matches ("{\"a\": null}", "{\"a\": false}", vars));
  g_assert_true (matches ("{\"n\": 51.25}", "{\"n\": 51.25}", vars));
  g_assert_true (matches ("{\"t\": \"$TOKEN\"}", "{\"t\": \"abc\"}", vars));
  g_assert_cmpstr (g_hash_table_lookup (vars, "TOKEN"), ==, "abc");
  g_assert_true (matches ("{\"n\": \"$NEXT\"}", "{\"n\": 42}", vars));
  g_assert_cmpstr (g_hash_table_lookup (vars, "NEXT"), ==, "42");
  g_assert_false (matches ("{\"t\": \"$OTHER\"}", "{\"t\": null}", vars));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  test_db_require ();
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/api-docs/matcher/fails-on-a-wrong-answer", test_docs_matcher);
  g_test_add_func ("/api-docs/every-example-answers-as-the-page-says", test_docs_examples);
  return g_test_run ();
}
