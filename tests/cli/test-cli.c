/* test-cli.c: beatbook-cli run for real, against a temporary data directory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "beatbook.h"
#include "csv-reader.h"
#include "test-files.h"

typedef struct
{
  char *tmp;
  char *data_dir;
} Fixture;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static const char *
cli_path (void)
{
  const char *path = g_getenv ("BEATBOOK_CLI");

  return path != NULL ? path : BEATBOOK_CLI_PATH;
}

static char *
data_file (const char *name)
{
  return g_build_filename (CLI_TEST_DATA_DIR, name, NULL);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmp = g_dir_make_tmp ("beatbook-cli-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->tmp, "data", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  bb_test_remove_tree (f->tmp);
  g_free (f->data_dir);
  g_free (f->tmp);
}

/* Runs the binary with @args (NULL-terminated), @input on standard input.
 * @data_dir is passed as --data-dir when not NULL; @env_data_dir as
 * $BEATBOOK_DATA_DIR. */
static void
run_full (Fixture            *f,
          Run                *run,
          const char         *input,
          const char         *data_dir,
          const char         *env_data_dir,
          const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *xdg = g_build_filename (f->tmp, "xdg", NULL);

  g_ptr_array_add (argv, (char *) cli_path ());
  if (data_dir != NULL)
    {
      g_ptr_array_add (argv, (char *) "--data-dir");
      g_ptr_array_add (argv, (char *) data_dir);
    }
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* Nothing may reach the real home directory. */
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", xdg, TRUE);
  if (env_data_dir != NULL)
    g_subprocess_launcher_setenv (launcher, "BEATBOOK_DATA_DIR", env_data_dir, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "BEATBOOK_DATA_DIR");

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input != NULL ? input : "", NULL,
                                 &run->out, &run->err, &error);
  g_assert_no_error (error);

  /* A crash is never an answer to bad input. */
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);

  if (g_test_verbose ())
    g_printerr ("$ beatbook-cli ... %s\n[%d]\n%s%s", args[0], run->status, run->out, run->err);
}

#define run_cli(f, run, input, ...) \
  run_full ((f), (run), (input), (f)->data_dir, NULL, (const char * const[]) { __VA_ARGS__, NULL })

static gboolean
has_line_starting (const char *text,
                   const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return TRUE;

  return FALSE;
}

static char *
write_temp (Fixture    *f,
            const char *name,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->tmp, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
set_identity (Fixture    *f,
              const char *name,
              const char *role)
{
  g_auto(Run) run = { 0 };

  run_cli (f, &run, NULL, "identity", "--name", name, "--role", role);
  g_assert_cmpint (run.status, ==, 0);
}

/* Adds a record from a file of tests/cli/data and returns its id. */
static char *
add_file (Fixture    *f,
          const char *kind,
          const char *name)
{
  g_autofree char *path = data_file (name);
  g_auto(Run) run = { 0 };

  run_cli (f, &run, NULL, "add", kind, "--json", path);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);
  g_strstrip (run.out);
  g_assert_true (bb_uuid_is_valid (run.out));

  return g_strdup (run.out);
}

static char *
add_json (Fixture    *f,
          const char *kind,
          const char *json)
{
  g_auto(Run) run = { 0 };

  run_cli (f, &run, json, "add", kind, "--json", "-");
  g_assert_cmpint (run.status, ==, 0);
  g_strstrip (run.out);
  g_assert_true (bb_uuid_is_valid (run.out));

  return g_strdup (run.out);
}

/* A NUL inside a string (which C would cut the value at) and a whole
 * number json-glib would wrap are refused, naming why, and nothing is
 * saved. */
static void
test_add_refuses_nul_and_wrapping_numbers (Fixture       *f,
                                           gconstpointer  data)
{
  static const char * const bodies[] = {
    "{\"fields\": {\"ward\": \"town\", \"category\": \"asb_youths\", \"description\": \"Youths\\u0000 by the shops\"}}",
    "{\"fields\": {\"ward\": \"town\", \"category\": \"asb_youths\", \"description\": \"Youths\", \"people_involved\": 18446744073709551621}}",
  };
  static const char * const why[] = { "NUL", "out of range" };

  set_identity (f, "PCSO 4521", "officer");
  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_auto(Run) run = { 0 };
      g_auto(Run) list = { 0 };

      run_cli (f, &run, bodies[i], "add", "patrol_observation", "--json", "-");
      g_assert_cmpint (run.status, !=, 0);
      if (strstr (run.err, why[i]) == NULL)
        g_error ("the message does not say %s: %s", why[i], run.err);
      run_cli (f, &list, NULL, "list");
      g_assert_null (strstr (list.out, "Youths"));
    }
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

/* (transfer full): `list --json` (deleted ones too with @deleted). */
static JsonNode *
list_json (Fixture  *f,
           gboolean  deleted)
{
  g_auto(Run) run = { 0 };
  JsonNode *node;

  if (deleted)
    run_cli (f, &run, NULL, "list", "--json", "--deleted");
  else
    run_cli (f, &run, NULL, "list", "--json");
  g_assert_cmpint (run.status, ==, 0);
  node = parse_json (run.out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  return node;
}

static guint
count_records (Fixture *f)
{
  g_autoptr(JsonNode) node = list_json (f, FALSE);

  return json_array_get_length (json_node_get_array (node));
}

static JsonObject *
show_json (Fixture    *f,
           const char *id)
{
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) node = NULL;

  run_cli (f, &run, NULL, "show", id, "--json");
  g_assert_cmpint (run.status, ==, 0);
  node = parse_json (run.out);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

static JsonObject *
load_data_fields (const char *name)
{
  g_autofree char *path = data_file (name);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_object_ref (json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                                         "fields"));
}

static BbProfile *
load_profile (void)
{
  g_autoptr(GError) error = NULL;
  BbProfile *profile = bb_profile_load_default (&error);

  g_assert_no_error (error);
  return profile;
}

/* --- help and usage ------------------------------------------------------ */

static const char * const command_names[] = {
  "add", "edit", "delete", "show", "list", "export", "import", "status", "identity", "kinds",
  "ward",
};

static void
test_help_for_the_program_and_every_command (Fixture       *f,
                                             gconstpointer  data)
{
  g_auto(Run) program = { 0 };

  run_cli (f, &program, NULL, "--help");
  g_assert_cmpint (program.status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (command_names); i++)
    g_assert_nonnull (strstr (program.out, command_names[i]));
  /* The exit codes are documented. */
  g_assert_nonnull (strstr (program.out, "Exit status"));
  g_assert_nonnull (strstr (program.out, "2  usage error"));

  for (guint i = 0; i < G_N_ELEMENTS (command_names); i++)
    {
      g_auto(Run) run = { 0 };
      g_auto(Run) via_help = { 0 };
      g_autofree char *usage = g_strdup_printf ("beatbook-cli [OPTION…] %s", command_names[i]);

      run_cli (f, &run, NULL, command_names[i], "--help");
      g_assert_cmpint (run.status, ==, 0);
      g_assert_nonnull (strstr (run.out, usage));
      g_assert_nonnull (strstr (run.out, "Exit status"));

      run_cli (f, &via_help, NULL, "help", command_names[i]);
      g_assert_cmpint (via_help.status, ==, 0);
      g_assert_cmpstr (via_help.out, ==, run.out);
    }

  {
    g_auto(Run) edit = { 0 };

    /* Edit says that fields are replaced as a whole. */
    run_cli (f, &edit, NULL, "edit", "--help");
    g_assert_nonnull (strstr (edit.out, "AS A WHOLE"));
  }

  /* Help alone must not create a store. */
  g_assert_false (g_file_test (f->data_dir, G_FILE_TEST_EXISTS));
}

static void
test_unknown_command_exits_two (Fixture       *f,
                                gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) help = { 0 };
  g_auto(Run) none = { 0 };

  run_cli (f, &run, NULL, "frobnicate");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "frobnicate"));
  g_assert_cmpstr (run.out, ==, "");

  run_cli (f, &help, NULL, "help", "frobnicate");
  g_assert_cmpint (help.status, ==, 2);

  run_full (f, &none, NULL, f->data_dir, NULL, (const char * const[]) { NULL });
  g_assert_cmpint (none.status, ==, 2);
  g_assert_nonnull (strstr (none.err, "Usage"));
}

static void
test_unknown_option_exits_two (Fixture       *f,
                               gconstpointer  data)
{
  g_auto(Run) global = { 0 };
  g_auto(Run) command = { 0 };
  g_auto(Run) format = { 0 };

  run_cli (f, &global, NULL, "--frobnicate", "list");
  g_assert_cmpint (global.status, ==, 2);
  g_assert_nonnull (strstr (global.err, "--frobnicate"));

  run_cli (f, &command, NULL, "list", "--frobnicate");
  g_assert_cmpint (command.status, ==, 2);
  g_assert_nonnull (strstr (command.err, "--frobnicate"));

  run_cli (f, &format, NULL, "export", "--format", "xlsx", "--kind", "vawg_walk");
  g_assert_cmpint (format.status, ==, 2);
  g_assert_nonnull (strstr (format.err, "xlsx"));
}

static void
test_missing_argument_exits_two_with_usage (Fixture       *f,
                                            gconstpointer  data)
{
  const char * const cases[][4] = {
    { "show", NULL },
    { "delete", NULL },
    { "edit", "00000000-0000-4000-8000-000000000000", NULL },
    { "add", NULL },
    { "add", "vawg_walk", NULL },
    { "export", NULL },
    { "export", "--format", "csv", NULL },
    { "identity", "--name", "PCSO 4521", NULL },
    { "list", "--limit", "0", NULL },
    /* Commands that take options only refuse a stray argument. */
    { "status", "extra", NULL },
    { "sync", "now", NULL },
    { "logout", "everyone", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };

      run_full (f, &run, NULL, f->data_dir, NULL, cases[i]);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_nonnull (strstr (run.err, "Usage"));
      g_assert_cmpstr (run.out, ==, "");
    }
}

/* --- identity ------------------------------------------------------------ */

static void
test_identity_is_needed_before_add (Fixture       *f,
                                    gconstpointer  data)
{
  g_autofree char *path = data_file ("vawg-walk.json");
  g_auto(Run) add = { 0 };
  g_auto(Run) show = { 0 };
  g_auto(Run) set = { 0 };
  g_auto(Run) shown = { 0 };
  g_auto(Run) bad_role = { 0 };

  run_cli (f, &add, NULL, "add", "vawg_walk", "--json", path);
  g_assert_cmpint (add.status, ==, 1);
  g_assert_nonnull (strstr (add.err, "beatbook-cli identity"));
  g_assert_cmpuint (count_records (f), ==, 0);

  run_cli (f, &show, NULL, "identity");
  g_assert_cmpint (show.status, ==, 1);

  run_cli (f, &bad_role, NULL, "identity", "--name", "PCSO 4521", "--role", "sheriff");
  g_assert_cmpint (bad_role.status, ==, 1);
  g_assert_nonnull (strstr (bad_role.err, "sheriff"));
  g_assert_nonnull (strstr (bad_role.err, "officer"));

  run_cli (f, &set, NULL, "identity", "--name", "PCSO 4521", "--role", "officer",
           "--staff-number", "4521");
  g_assert_cmpint (set.status, ==, 0);

  run_cli (f, &shown, NULL, "identity");
  g_assert_cmpint (shown.status, ==, 0);
  g_assert_true (has_line_starting (shown.out, "Name:"));
  g_assert_nonnull (strstr (shown.out, "PCSO 4521"));
  g_assert_nonnull (strstr (shown.out, "officer"));
  g_assert_nonnull (strstr (shown.out, "4521"));
}

static void
test_role_that_may_not_create_the_kind_is_refused (Fixture       *f,
                                                   gconstpointer  data)
{
  g_autofree char *path = data_file ("s59-warning.json");
  g_auto(Run) add = { 0 };
  g_auto(Run) kinds = { 0 };

  set_identity (f, "Community warden", "warden");

  run_cli (f, &add, NULL, "add", "s59_warning", "--json", path);
  g_assert_cmpint (add.status, ==, 1);
  g_assert_nonnull (strstr (add.err, "s59_warning"));
  g_assert_cmpuint (count_records (f), ==, 0);

  run_cli (f, &kinds, NULL, "kinds");
  g_assert_cmpint (kinds.status, ==, 0);
  g_assert_true (has_line_starting (kinds.out, "s59_warning"));
  {
    g_auto(GStrv) lines = g_strsplit (kinds.out, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
      {
        if (g_str_has_prefix (lines[i], "s59_warning"))
          g_assert_true (g_str_has_suffix (lines[i], "may not create"));
        if (g_str_has_prefix (lines[i], "patrol_observation"))
          g_assert_true (g_str_has_suffix (lines[i], " may create"));
      }
  }
}

/* --- add, show, list ----------------------------------------------------- */

static void
test_add_each_kind_from_json (Fixture       *f,
                              gconstpointer  data)
{
  const struct { const char *kind; const char *file; int priority; } cases[] = {
    { "patrol_observation", "patrol-fly-tipping.json", 2 },
    { "s59_warning", "s59-warning.json", 2 },
    { "vawg_walk", "vawg-walk.json", 1 },
    { "engagement_event", "engagement-event.json", 4 },
  };
  g_autoptr(JsonNode) list = NULL;

  set_identity (f, "PCSO 4521", "officer");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = NULL;
      g_autoptr(JsonObject) record = NULL;
      JsonObject *author;

      if (strcmp (cases[i].kind, "patrol_observation") == 0)
        {
          /* This file has an unrecognised mark: saved, with a warning. */
          g_autofree char *path = data_file (cases[i].file);
          g_auto(Run) run = { 0 };

          run_cli (f, &run, NULL, "add", cases[i].kind, "--json", path);
          g_assert_cmpint (run.status, ==, 0);
          id = g_strdup (g_strstrip (run.out));
        }
      else
        id = add_file (f, cases[i].kind, cases[i].file);

      record = show_json (f, id);
      g_assert_cmpstr (json_object_get_string_member (record, "id"), ==, id);
      g_assert_cmpstr (json_object_get_string_member (record, "kind"), ==, cases[i].kind);
      g_assert_cmpint (json_object_get_int_member (record, "priority"), ==, cases[i].priority);
      author = json_object_get_object_member (record, "author");
      g_assert_cmpstr (json_object_get_string_member (author, "display_name"), ==, "PCSO 4521");
      g_assert_cmpstr (json_object_get_string_member (author, "role"), ==, "officer");
    }

  list = list_json (f, FALSE);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, G_N_ELEMENTS (cases));
}

static void
test_add_defaults_time_and_priority (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GDateTime) before = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) earliest = g_date_time_add_seconds (before, -1);
  g_autoptr(GDateTime) occurred = NULL;
  g_autoptr(GDateTime) latest = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autofree char *id = NULL;

  set_identity (f, "PCSO 4521", "officer");

  /* domain.md: drug dealing observations default to priority 3. */
  id = add_json (f, "patrol_observation",
                 "{\"fields\": {\"ward\": \"town\", \"category\": \"drug_dealing\","
                 " \"description\": \"Exchange seen by the war memorial\"}}");
  record = show_json (f, id);
  g_assert_cmpint (json_object_get_int_member (record, "priority"), ==, 3);

  occurred = bb_time_parse (json_object_get_string_member (record, "occurred_at"));
  latest = g_date_time_new_now_utc ();
  g_assert_nonnull (occurred);
  g_assert_cmpint (g_date_time_compare (occurred, earliest), >=, 0);
  g_assert_cmpint (g_date_time_compare (occurred, latest), <=, 0);
}

static void
test_show_is_readable (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(BbProfile) profile = load_profile ();
  g_autofree char *id = NULL;
  g_autofree char *summer = NULL;
  g_auto(Run) run = { 0 };
  g_auto(Run) summer_run = { 0 };
  g_auto(Run) missing = { 0 };

  set_identity (f, "PCSO 4521", "officer");
  id = add_file (f, "s59_warning", "s59-warning.json");

  run_cli (f, &run, NULL, "show", id);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Section 59 warning"));
  g_assert_nonnull (strstr (run.out, id));
  /* 19:30 UTC in February is 19:30 in London (GMT). */
  g_assert_nonnull (strstr (run.out, "14 February 2026 19:30 GMT"));
  /* Enum ids are shown with their labels, fields with theirs. */
  g_assert_nonnull (strstr (run.out, bb_profile_get_choice_label (profile, "wards", "greenhithe_knockhall")));
  g_assert_nonnull (strstr (run.out, bb_profile_get_choice_label (profile, "offence", "rta_s3")));
  g_assert_nonnull (strstr (run.out, bb_profile_get_choice_label (profile, "vehicle_type", "car")));
  g_assert_null (strstr (run.out, "rta_s3"));
  g_assert_true (has_line_starting (run.out, "Circumstances: Car cruising meet"));
  g_assert_true (has_line_starting (run.out, "  Registration mark: AB12 CDE"));
  g_assert_nonnull (strstr (run.out, bb_sync_state_get_label (BB_SYNC_STATE_PENDING)));

  summer = add_json (f, "engagement_event",
                     "{\"occurred_at\": \"2026-06-01T12:00:00Z\", \"fields\": {\"ward\": \"heath\","
                     " \"event_type\": \"public_meeting\", \"title\": \"Summer meeting\", \"attendees\": 12}}");
  run_cli (f, &summer_run, NULL, "show", summer);
  g_assert_cmpint (summer_run.status, ==, 0);
  g_assert_nonnull (strstr (summer_run.out, "1 June 2026 13:00 BST"));
  g_assert_true (has_line_starting (summer_run.out, "Title: Summer meeting"));

  run_cli (f, &missing, NULL, "show", "00000000-0000-4000-8000-000000000000");
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_nonnull (strstr (missing.err, "00000000-0000-4000-8000-000000000000"));
}

static void
test_show_json_is_the_pull_shape (Fixture       *f,
                                  gconstpointer  data)
{
  const char * const members[] = {
    "id", "kind", "rev", "seq", "deleted", "occurred_at", "updated_at",
    "priority", "author", "fields", "review", "sync_state",
  };
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) expected_fields = load_data_fields ("vawg-walk.json");
  g_autofree char *id = NULL;
  JsonObject *fields;
  JsonObject *review;

  set_identity (f, "PCSO 4521", "officer");
  id = add_file (f, "vawg_walk", "vawg-walk.json");
  record = show_json (f, id);

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    g_assert_true (json_object_has_member (record, members[i]));

  g_assert_cmpint (json_object_get_int_member (record, "rev"), ==, 1);
  g_assert_false (json_object_get_boolean_member (record, "deleted"));
  g_assert_cmpstr (json_object_get_string_member (record, "occurred_at"), ==, "2026-02-20T20:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (record, "sync_state"), ==, "pending");
  review = json_object_get_object_member (record, "review");
  g_assert_cmpstr (json_object_get_string_member (review, "state"), ==, "new");

  /* Every field given comes back unchanged. */
  fields = json_object_get_object_member (record, "fields");
  {
    g_autoptr(GList) names = json_object_get_members (expected_fields);

    for (GList *l = names; l != NULL; l = l->next)
      g_assert_true (json_node_equal (json_object_get_member (expected_fields, l->data),
                                      json_object_get_member (fields, l->data)));
  }
  g_assert_cmpstr (json_object_get_string_member (fields, "regime"), ==, "uk_gdpr");
}

static void
test_list_filters_by_kind_search_and_limit (Fixture       *f,
                                            gconstpointer  data)
{
  g_autofree char *patrol = NULL;
  g_autofree char *walk = NULL;
  g_autofree char *event = NULL;
  g_auto(Run) table = { 0 };
  g_auto(Run) search = { 0 };
  g_auto(Run) kind = { 0 };
  g_auto(Run) limit = { 0 };
  g_auto(Run) nothing = { 0 };
  g_auto(Run) bad_kind = { 0 };

  set_identity (f, "PCSO 4521", "officer");
  {
    g_auto(Run) run = { 0 };
    g_autofree char *path = data_file ("patrol-fly-tipping.json");

    run_cli (f, &run, NULL, "add", "patrol_observation", "--json", path);
    g_assert_cmpint (run.status, ==, 0);
    patrol = g_strdup (g_strstrip (run.out));
  }
  walk = add_file (f, "vawg_walk", "vawg-walk.json");
  event = add_file (f, "engagement_event", "engagement-event.json");

  run_cli (f, &table, NULL, "list");
  g_assert_cmpint (table.status, ==, 0);
  g_assert_true (has_line_starting (table.out, "ID "));
  /* Newest first: the patrol (March), the walk (February), the event (January). */
  {
    const char *p = strstr (table.out, patrol);
    const char *w = strstr (table.out, walk);
    const char *e = strstr (table.out, event);

    g_assert_true (p != NULL && w != NULL && e != NULL);
    g_assert_true (p < w && w < e);
  }
  g_assert_nonnull (strstr (table.out, "2026-02-20 20:00"));
  g_assert_nonnull (strstr (table.out, "Heath fires engagement day"));

  run_cli (f, &search, NULL, "list", "--search", "Joyce");
  g_assert_cmpint (search.status, ==, 0);
  g_assert_nonnull (strstr (search.out, patrol));
  g_assert_null (strstr (search.out, walk));
  g_assert_null (strstr (search.out, event));

  run_cli (f, &kind, NULL, "list", "--kind", "engagement_event", "--json");
  g_assert_cmpint (kind.status, ==, 0);
  {
    g_autoptr(JsonNode) node = parse_json (kind.out);
    JsonArray *array = json_node_get_array (node);

    g_assert_cmpuint (json_array_get_length (array), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "id"), ==, event);
    g_assert_true (json_object_has_member (json_array_get_object_element (array, 0), "sync_state"));
  }

  run_cli (f, &limit, NULL, "list", "--limit", "2", "--json");
  g_assert_cmpint (limit.status, ==, 0);
  {
    g_autoptr(JsonNode) node = parse_json (limit.out);

    g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 2);
  }

  run_cli (f, &nothing, NULL, "list", "--search", "nosuchwordanywhere");
  g_assert_cmpint (nothing.status, ==, 0);
  g_assert_null (strstr (nothing.out, patrol));

  run_cli (f, &bad_kind, NULL, "list", "--kind", "nope");
  g_assert_cmpint (bad_kind.status, ==, 1);
  g_assert_nonnull (strstr (bad_kind.err, "vawg_walk"));
}

/* --- edit and delete ----------------------------------------------------- */

static void
test_edit_replaces_the_fields_as_a_whole (Fixture       *f,
                                          gconstpointer  data)
{
  g_autofree char *id = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) after_bad = NULL;
  g_auto(Run) edit = { 0 };
  g_auto(Run) bad = { 0 };
  g_auto(Run) missing = { 0 };
  JsonObject *fields;

  set_identity (f, "PCSO 4521", "officer");
  id = add_file (f, "vawg_walk", "vawg-walk.json");

  run_cli (f, &edit, "{\"fields\": {\"ward\": \"brent\", \"walk_type\": \"group_walk\"}}",
           "edit", id, "--json", "-");
  g_assert_cmpint (edit.status, ==, 0);
  g_assert_cmpstr (g_strstrip (edit.out), ==, id);

  record = show_json (f, id);
  g_assert_cmpint (json_object_get_int_member (record, "rev"), ==, 2);
  /* Not given: kept. */
  g_assert_cmpint (json_object_get_int_member (record, "priority"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (record, "occurred_at"), ==, "2026-02-20T20:00:00Z");
  fields = json_object_get_object_member (record, "fields");
  g_assert_cmpstr (json_object_get_string_member (fields, "ward"), ==, "brent");
  g_assert_false (json_object_has_member (fields, "route"));
  g_assert_false (json_object_has_member (fields, "unsafe_spots"));

  /* An invalid edit changes nothing. */
  run_cli (f, &bad, "{\"priority\": 7, \"fields\": {\"ward\": \"brent\"}}",
           "edit", id, "--json", "-");
  g_assert_cmpint (bad.status, ==, 1);
  g_assert_true (has_line_starting (bad.err, "priority: "));
  g_assert_true (has_line_starting (bad.err, "walk_type: "));
  after_bad = show_json (f, id);
  g_assert_cmpint (json_object_get_int_member (after_bad, "rev"), ==, 2);

  run_cli (f, &missing, "{\"fields\": {}}", "edit", "00000000-0000-4000-8000-000000000000",
           "--json", "-");
  g_assert_cmpint (missing.status, ==, 1);
}

static void
test_delete_leaves_a_tombstone (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *keep = NULL;
  g_autofree char *gone = NULL;
  g_autoptr(JsonNode) all = NULL;
  g_auto(Run) del = { 0 };
  g_auto(Run) again = { 0 };
  g_auto(Run) unknown = { 0 };
  g_auto(Run) show = { 0 };
  g_auto(Run) edit = { 0 };
  g_autoptr(JsonObject) tombstone = NULL;

  set_identity (f, "PCSO 4521", "officer");
  keep = add_file (f, "engagement_event", "engagement-event.json");
  gone = add_file (f, "vawg_walk", "vawg-walk.json");

  run_cli (f, &del, NULL, "delete", gone);
  g_assert_cmpint (del.status, ==, 0);

  g_assert_cmpuint (count_records (f), ==, 1);
  all = list_json (f, TRUE);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (all)), ==, 2);

  tombstone = show_json (f, gone);
  g_assert_true (json_object_get_boolean_member (tombstone, "deleted"));
  g_assert_cmpint (json_object_get_int_member (tombstone, "rev"), ==, 2);

  run_cli (f, &show, NULL, "show", gone);
  g_assert_cmpint (show.status, ==, 0);
  g_assert_true (has_line_starting (show.out, "Deleted:"));

  run_cli (f, &again, NULL, "delete", gone);
  g_assert_cmpint (again.status, ==, 1);

  run_cli (f, &edit, "{\"fields\": {\"ward\": \"brent\", \"walk_type\": \"group_walk\"}}",
           "edit", gone, "--json", "-");
  g_assert_cmpint (edit.status, ==, 1);

  run_cli (f, &unknown, NULL, "delete", "00000000-0000-4000-8000-000000000000");
  g_assert_cmpint (unknown.status, ==, 1);
  g_assert_cmpuint (count_records (f), ==, 1);
}

/* --- bad input ----------------------------------------------------------- */

static void
test_bad_json_names_the_file_and_line (Fixture       *f,
                                       gconstpointer  data)
{
  g_autofree char *bad = write_temp (f, "broken.json",
                                     "{\n  \"fields\": {\n    \"ward\": \"town\",\n  }\n}\n");
  g_autofree char *empty = write_temp (f, "empty.json", "");
  g_autofree char *missing = g_build_filename (f->tmp, "no-such-file.json", NULL);
  g_auto(Run) run = { 0 };
  g_auto(Run) from_stdin = { 0 };
  g_auto(Run) empty_run = { 0 };
  g_auto(Run) missing_run = { 0 };
  g_auto(Run) array_run = { 0 };

  set_identity (f, "PCSO 4521", "officer");

  run_cli (f, &run, NULL, "add", "vawg_walk", "--json", bad);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "broken.json:3:"));
  g_assert_cmpstr (run.out, ==, "");

  run_cli (f, &from_stdin, "{\"fields\": \n\n [", "add", "vawg_walk", "--json", "-");
  g_assert_cmpint (from_stdin.status, ==, 1);
  g_assert_nonnull (strstr (from_stdin.err, "standard input:3:"));

  run_cli (f, &empty_run, NULL, "add", "vawg_walk", "--json", empty);
  g_assert_cmpint (empty_run.status, ==, 1);
  g_assert_nonnull (strstr (empty_run.err, "empty.json"));

  run_cli (f, &missing_run, NULL, "add", "vawg_walk", "--json", missing);
  g_assert_cmpint (missing_run.status, ==, 1);
  g_assert_nonnull (strstr (missing_run.err, "no-such-file.json"));

  run_cli (f, &array_run, "[1, 2]", "add", "vawg_walk", "--json", "-");
  g_assert_cmpint (array_run.status, ==, 1);
  g_assert_true (has_line_starting (array_run.err, "record: "));

  g_assert_cmpuint (count_records (f), ==, 0);
}

static void
test_unknown_kind_lists_the_kinds (Fixture       *f,
                                   gconstpointer  data)
{
  g_autofree char *path = data_file ("vawg-walk.json");
  g_auto(Run) run = { 0 };
  const BbKindSpec * const *kinds = bb_kind_all ();

  set_identity (f, "PCSO 4521", "officer");

  run_cli (f, &run, NULL, "add", "safety_walk", "--json", path);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "safety_walk"));
  for (guint i = 0; kinds[i] != NULL; i++)
    g_assert_nonnull (strstr (run.err, kinds[i]->id));
  g_assert_cmpuint (count_records (f), ==, 0);
}

static void
test_invalid_fields_print_every_problem (Fixture       *f,
                                         gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) s59 = { 0 };

  set_identity (f, "PCSO 4521", "officer");

  run_cli (f, &run,
           "{\"occurred_at\": \"2026-03-01T21:14:00Z\", \"colour\": \"red\","
           " \"fields\": {\"ward\": \"atlantis\", \"walk_type\": \"sprint\","
           " \"public_engaged\": -3, \"lat\": 51.4, \"wlak_type\": 1}}",
           "add", "vawg_walk", "--json", "-");
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  /* Every problem, each as "path: message". */
  g_assert_true (has_line_starting (run.err, "colour: "));
  g_assert_true (has_line_starting (run.err, "ward: "));
  g_assert_true (has_line_starting (run.err, "walk_type: "));
  g_assert_true (has_line_starting (run.err, "public_engaged: "));
  g_assert_true (has_line_starting (run.err, "wlak_type: "));
  g_assert_true (has_line_starting (run.err, "lat: ") || has_line_starting (run.err, "lon: "));

  /* Nested paths, with the conditional driver name. */
  run_cli (f, &s59,
           "{\"fields\": {\"ward\": \"town\", \"offence\": \"rta_s3\", \"alarm_distress\": \"is_causing\","
           " \"circumstances\": \"x\", \"vehicle\": {\"type\": \"hovercraft\"}, \"warned_party\": \"driver\"}}",
           "add", "s59_warning", "--json", "-");
  g_assert_cmpint (s59.status, ==, 1);
  g_assert_true (has_line_starting (s59.err, "vehicle.type: "));
  g_assert_true (has_line_starting (s59.err, "driver.name: ") || has_line_starting (s59.err, "driver: "));

  g_assert_cmpuint (count_records (f), ==, 0);
}

static void
test_unrecognised_mark_is_saved_with_a_warning (Fixture       *f,
                                                gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_autoptr(JsonObject) record = NULL;
  JsonObject *vehicle;

  set_identity (f, "PCSO 4521", "officer");

  run_cli (f, &run,
           "{\"fields\": {\"ward\": \"town\", \"offence\": \"rta_s34\", \"alarm_distress\": \"is_causing\","
           " \"circumstances\": \"Foreign plate, off-road on the heath\","
           " \"vehicle\": {\"type\": \"car\", \"vrm\": \"WOB-ZZ 123\"}, \"warned_party\": \"owner\"}}",
           "add", "s59_warning", "--json", "-");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (has_line_starting (run.err, "warning: vehicle.vrm: "));
  g_strstrip (run.out);
  g_assert_true (bb_uuid_is_valid (run.out));

  record = show_json (f, run.out);
  vehicle = json_object_get_object_member (json_object_get_object_member (record, "fields"), "vehicle");
  g_assert_false (json_object_get_boolean_member (vehicle, "vrm_recognised"));
  g_assert_cmpuint (count_records (f), ==, 1);
}

/* --- export and status --------------------------------------------------- */

static GPtrArray *
read_csv_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GPtrArray *rows;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  /* UTF-8 with a BOM, so spreadsheet programs pick the encoding. */
  g_assert_true (g_str_has_prefix (text, "\xEF\xBB\xBF" "id,kind,occurred_at,"));
  g_assert_true (g_utf8_validate (text, -1, NULL));

  rows = test_csv_parse (text, &error);
  g_assert_no_error (error);
  return rows;
}

static GPtrArray *
find_row (GPtrArray  *rows,
          const char *id)
{
  for (guint i = 1; i < rows->len; i++)
    {
      GPtrArray *row = g_ptr_array_index (rows, i);

      if (g_strcmp0 (g_ptr_array_index (row, 0), id) == 0)
        return row;
    }

  g_error ("no row for %s", id);
}

static const char *
cell (GPtrArray  *rows,
      GPtrArray  *row,
      const char *column)
{
  int i = test_csv_column (g_ptr_array_index (rows, 0), column);

  g_assert_cmpint (i, >=, 0);
  return g_ptr_array_index (row, i);
}

static void
test_export_csv_round_trips_in_a_spreadsheet (Fixture       *f,
                                              gconstpointer  data)
{
  g_autoptr(JsonObject) original = load_data_fields ("patrol-fly-tipping.json");
  g_autofree char *patrol = NULL;
  g_autofree char *west = NULL;
  g_autofree char *file = g_build_filename (f->tmp, "patrol.csv", NULL);
  g_autofree char *description = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_auto(Run) run = { 0 };
  g_auto(Run) to_stdout = { 0 };
  GPtrArray *row;

  set_identity (f, "PCSO 4521", "officer");
  {
    g_autofree char *path = data_file ("patrol-fly-tipping.json");

    run_cli (f, &run, NULL, "add", "patrol_observation", "--json", path);
    g_assert_cmpint (run.status, ==, 0);
    patrol = g_strdup (g_strstrip (run.out));
  }
  west = add_json (f, "patrol_observation",
                   "{\"fields\": {\"ward\": \"town\", \"lat\": 51.44, \"lon\": -0.0123,"
                   " \"category\": \"street_drinking\", \"description\": \"-2 cans; +1 bottle @ bench\"}}");
  g_free (add_file (f, "vawg_walk", "vawg-walk.json"));

  {
    g_auto(Run) export = { 0 };

    run_cli (f, &export, NULL, "export", "--format", "csv", "--kind", "patrol_observation",
             "--output", file);
    g_assert_cmpint (export.status, ==, 0);
  }

  rows = read_csv_file (file);
  g_assert_cmpuint (rows->len, ==, 3);
  for (guint i = 1; i < rows->len; i++)
    g_assert_cmpuint (((GPtrArray *) g_ptr_array_index (rows, i))->len, ==,
                      ((GPtrArray *) g_ptr_array_index (rows, 0))->len);

  row = find_row (rows, patrol);
  /* Commas, quotes, newlines and UTF-8 come back exactly. */
  g_assert_cmpstr (cell (rows, row, "place"), ==, json_object_get_string_member (original, "place"));
  g_assert_cmpstr (cell (rows, row, "notes"), ==, json_object_get_string_member (original, "notes"));
  g_assert_nonnull (strchr (cell (rows, row, "notes"), '\n'));
  g_assert_nonnull (strstr (cell (rows, row, "vehicles"), "café, bar"));
  g_assert_nonnull (strstr (cell (rows, row, "vehicles"), "Zażółć"));
  /* A formula is shown, never run. */
  description = g_strdup_printf ("'%s", json_object_get_string_member (original, "description"));
  g_assert_cmpstr (cell (rows, row, "description"), ==, description);
  g_assert_cmpstr (cell (rows, row, "lat"), ==, "51.4612");
  g_assert_cmpstr (cell (rows, row, "occurred_at"), ==, "2026-03-01 21:14");
  g_assert_cmpstr (cell (rows, row, "occurred_at_utc"), ==, "2026-03-01T21:14:00Z");
  g_assert_cmpstr (cell (rows, row, "fly_tip.evidence_checked"), ==, "yes");

  row = find_row (rows, west);
  /* A negative longitude stays a number. */
  g_assert_cmpstr (cell (rows, row, "lon"), ==, "-0.0123");
  g_assert_cmpstr (cell (rows, row, "description"), ==, "'-2 cans; +1 bottle @ bench");

  /* With --kind and no --output: standard output, the same bytes. */
  run_cli (f, &to_stdout, NULL, "export", "--format", "csv", "--kind", "patrol_observation");
  g_assert_cmpint (to_stdout.status, ==, 0);
  {
    g_autofree char *contents = NULL;

    g_file_get_contents (file, &contents, NULL, NULL);
    g_assert_cmpstr (to_stdout.out, ==, contents);
  }
}

static void
test_export_csv_of_every_kind_needs_a_directory (Fixture       *f,
                                                 gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->tmp, "export", NULL);
  g_autofree char *plain_file = write_temp (f, "not-a-dir", "x");
  const BbKindSpec * const *kinds = bb_kind_all ();
  g_auto(Run) run = { 0 };
  g_auto(Run) no_output = { 0 };
  g_auto(Run) onto_file = { 0 };

  set_identity (f, "PCSO 4521", "officer");
  g_free (add_file (f, "vawg_walk", "vawg-walk.json"));
  g_free (add_file (f, "engagement_event", "engagement-event.json"));
  g_free (add_file (f, "s59_warning", "s59-warning.json"));

  run_cli (f, &no_output, NULL, "export", "--format", "csv");
  g_assert_cmpint (no_output.status, ==, 2);
  g_assert_nonnull (strstr (no_output.err, "--output"));

  run_cli (f, &onto_file, NULL, "export", "--format", "csv", "--output", plain_file);
  g_assert_cmpint (onto_file.status, ==, 1);

  run_cli (f, &run, NULL, "export", "--format", "csv", "--output", dir);
  g_assert_cmpint (run.status, ==, 0);

  for (guint i = 0; kinds[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.csv", kinds[i]->id);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GPtrArray) rows = read_csv_file (path);
      guint expected = strcmp (kinds[i]->id, "patrol_observation") == 0 ? 0 : 1;

      g_assert_cmpuint (rows->len, ==, 1 + expected);
      for (guint r = 1; r < rows->len; r++)
        g_assert_cmpstr (g_ptr_array_index ((GPtrArray *) g_ptr_array_index (rows, r), 1), ==,
                         kinds[i]->id);
    }
}

static void
test_export_json_is_one_array (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *file = g_build_filename (f->tmp, "all.json", NULL);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };
  g_auto(Run) del = { 0 };
  g_auto(Run) walks = { 0 };
  g_auto(Run) empty = { 0 };
  JsonArray *array;

  set_identity (f, "PCSO 4521", "officer");

  run_cli (f, &empty, NULL, "export", "--format", "json");
  g_assert_cmpint (empty.status, ==, 0);
  {
    g_autoptr(JsonNode) none = parse_json (empty.out);

    g_assert_cmpuint (json_array_get_length (json_node_get_array (none)), ==, 0);
  }

  a = add_file (f, "vawg_walk", "vawg-walk.json");
  b = add_file (f, "engagement_event", "engagement-event.json");
  c = add_file (f, "s59_warning", "s59-warning.json");
  run_cli (f, &del, NULL, "delete", c);
  g_assert_cmpint (del.status, ==, 0);

  run_cli (f, &run, NULL, "export", "--format", "json", "--output", file);
  g_assert_cmpint (run.status, ==, 0);
  g_file_get_contents (file, &contents, NULL, &error);
  g_assert_no_error (error);
  node = parse_json (contents);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  array = json_node_get_array (node);
  /* Deleted records are not exported. */
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *record = json_array_get_object_element (array, i);
      const char *id = json_object_get_string_member (record, "id");

      g_assert_true (g_strcmp0 (id, a) == 0 || g_strcmp0 (id, b) == 0);
      g_assert_cmpstr (json_object_get_string_member (record, "sync_state"), ==, "pending");
      g_assert_true (json_object_has_member (record, "fields"));
    }

  run_cli (f, &walks, NULL, "export", "--format", "json", "--kind", "vawg_walk");
  g_assert_cmpint (walks.status, ==, 0);
  {
    g_autoptr(JsonNode) only = parse_json (walks.out);

    g_assert_cmpuint (json_array_get_length (json_node_get_array (only)), ==, 1);
  }
}

static void
test_long_lists_are_read_across_pages (Fixture       *f,
                                       gconstpointer  data)
{
  /* More than two of the cli's pages (200), and not a multiple of one. */
  const guint n_records = 450;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *dir = g_build_filename (f->tmp, "export", NULL);
  g_autofree char *csv = g_build_filename (dir, "engagement_event.csv", NULL);
  g_autoptr(GPtrArray) rows = NULL;
  g_auto(Run) run = { 0 };
  g_auto(Run) limited = { 0 };
  g_auto(Run) export = { 0 };
  JsonArray *array;
  const char *previous = NULL;

  {
    g_autoptr(BbSession) session = bb_session_new (f->data_dir, &error);

    g_assert_no_error (error);
    g_assert_true (bb_session_set_identity (session, "PCSO 4521", BB_ROLE_OFFICER, NULL, &error));
    for (guint i = 0; i < n_records; i++)
      {
        g_autoptr(BbRecord) record = bb_record_new (BB_KIND_ENGAGEMENT_EVENT);
        g_autoptr(JsonObject) fields = json_object_new ();
        g_autoptr(GDateTime) base = g_date_time_new_utc (2026, 1, 1, 0, 0, 0);
        g_autoptr(GDateTime) when = g_date_time_add_hours (base, i);
        g_autofree char *iso = bb_time_format_iso (when);
        g_autofree char *title = g_strdup_printf ("Street briefing %u", i);

        json_object_set_string_member (fields, "ward", "town");
        json_object_set_string_member (fields, "event_type", "street_briefing");
        json_object_set_string_member (fields, "title", title);
        json_object_set_int_member (fields, "attendees", i % 30);
        bb_record_set_occurred_at (record, iso);
        bb_record_set_fields (record, fields);
        g_assert_true (bb_session_save_record (session, record, NULL, &error));
        g_assert_no_error (error);
      }
  }

  run_cli (f, &run, NULL, "list", "--json");
  g_assert_cmpint (run.status, ==, 0);
  node = parse_json (run.out);
  array = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (array), ==, n_records);

  /* Every record once, newest first. */
  for (guint i = 0; i < n_records; i++)
    {
      JsonObject *record = json_array_get_object_element (array, i);
      const char *occurred = json_object_get_string_member (record, "occurred_at");

      g_assert_false (g_hash_table_contains (seen, json_object_get_string_member (record, "id")));
      g_hash_table_add (seen, (char *) json_object_get_string_member (record, "id"));
      if (previous != NULL)
        g_assert_cmpstr (previous, >, occurred);
      previous = occurred;
    }

  run_cli (f, &limited, NULL, "list", "--json", "--limit", "250");
  g_assert_cmpint (limited.status, ==, 0);
  {
    g_autoptr(JsonNode) part = parse_json (limited.out);

    g_assert_cmpuint (json_array_get_length (json_node_get_array (part)), ==, 250);
  }

  run_cli (f, &export, NULL, "export", "--format", "csv", "--output", dir);
  g_assert_cmpint (export.status, ==, 0);
  rows = read_csv_file (csv);
  g_assert_cmpuint (rows->len, ==, 1 + n_records);
}

static void
test_status_counts_records_and_pending_changes (Fixture       *f,
                                                gconstpointer  data)
{
  g_auto(Run) fresh = { 0 };
  g_auto(Run) after = { 0 };
  g_auto(Run) deleted = { 0 };
  g_auto(Run) del = { 0 };
  g_autofree char *id = NULL;

  run_cli (f, &fresh, NULL, "status");
  g_assert_cmpint (fresh.status, ==, 0);
  g_assert_true (has_line_starting (fresh.out, "Records:          0"));
  g_assert_true (has_line_starting (fresh.out, "Pending changes:  0"));
  g_assert_true (has_line_starting (fresh.out, "User:             not signed in"));
  g_assert_true (has_line_starting (fresh.out, "Last sync:        never"));

  set_identity (f, "PCSO 4521", "officer");
  id = add_file (f, "vawg_walk", "vawg-walk.json");
  g_free (add_file (f, "engagement_event", "engagement-event.json"));

  run_cli (f, &after, NULL, "status");
  g_assert_cmpint (after.status, ==, 0);
  g_assert_true (has_line_starting (after.out, "Records:          2"));
  g_assert_true (has_line_starting (after.out, "Pending changes:  2"));
  g_assert_nonnull (strstr (after.out, "local user: PCSO 4521"));

  run_cli (f, &del, NULL, "delete", id);
  g_assert_cmpint (del.status, ==, 0);
  run_cli (f, &deleted, NULL, "status");
  g_assert_true (has_line_starting (deleted.out, "Records:          1"));
}

static void
test_report_prints_the_figures_and_a_pdf (Fixture       *f,
                                          gconstpointer  data)
{
  g_auto(Run) text = { 0 };
  g_auto(Run) csv = { 0 };
  g_auto(Run) pdf = { 0 };
  g_auto(Run) bad = { 0 };
  g_auto(Run) backwards = { 0 };
  g_autofree char *pdf_path = g_build_filename (f->tmp, "march.pdf", NULL);
  g_autofree char *pdf_data = NULL;
  gsize pdf_len = 0;

  set_identity (f, "Sergeant 12", "supervisor");
  /* March 2026: one fly-tipping observation; February: a walk and a warning. */
  g_free (add_json (f, "patrol_observation",
                     "{\"occurred_at\": \"2026-03-01T21:14:00Z\", \"fields\": {\"ward\": \"town\","
                     " \"category\": \"asb_youths\", \"description\": \"Fireworks at the bus stop\"}}"));
  g_free (add_file (f, "vawg_walk", "vawg-walk.json"));
  g_free (add_file (f, "s59_warning", "s59-warning.json"));

  run_cli (f, &text, NULL, "report", "--from", "2026-03-01", "--to", "2026-04-01");
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "Generated"));
  g_assert_nonnull (strstr (text.out, "Sergeant 12"));
  g_assert_true (g_regex_match_simple ("Records +1 +2 +-50\\.0%", text.out, 0, 0));

  run_cli (f, &csv, NULL, "report", "--from", "2026-03-01", "--to", "2026-04-01", "--format", "csv");
  g_assert_cmpint (csv.status, ==, 0);
  g_assert_nonnull (strstr (csv.out, "\r\n"));

  run_cli (f, &pdf, NULL, "report", "--from", "2026-03-01", "--to", "2026-04-01",
           "--format", "pdf", "--output", pdf_path);
  g_assert_cmpint (pdf.status, ==, 0);
  g_assert_true (g_file_get_contents (pdf_path, &pdf_data, &pdf_len, NULL));
  g_assert_true (pdf_len > 1000 && memcmp (pdf_data, "%PDF-", 5) == 0);

  run_cli (f, &bad, NULL, "report", "--from", "2026-02-30", "--to", "2026-04-01");
  g_assert_cmpint (bad.status, ==, 2);
  g_assert_nonnull (strstr (bad.err, "2026-02-30"));
  run_cli (f, &backwards, NULL, "report", "--from", "2026-04-01", "--to", "2026-03-01");
  g_assert_cmpint (backwards.status, ==, 2);
}

static void
test_data_dir_comes_from_the_environment (Fixture       *f,
                                          gconstpointer  data)
{
  g_autofree char *env_dir = g_build_filename (f->tmp, "from-env", NULL);
  g_auto(Run) set = { 0 };
  g_auto(Run) shown = { 0 };
  g_auto(Run) other = { 0 };
  g_auto(Run) after_command = { 0 };
  g_auto(Run) xdg_set = { 0 };
  g_autofree char *xdg_dir = g_build_filename (f->tmp, "xdg", "beatbook", NULL);

  run_full (f, &set, NULL, NULL, env_dir,
            (const char * const[]) { "identity", "--name", "PCSO 4521", "--role", "officer", NULL });
  g_assert_cmpint (set.status, ==, 0);
  g_assert_true (g_file_test (env_dir, G_FILE_TEST_IS_DIR));

  run_full (f, &shown, NULL, NULL, env_dir, (const char * const[]) { "identity", NULL });
  g_assert_cmpint (shown.status, ==, 0);

  /* --data-dir wins over the environment. */
  run_full (f, &other, NULL, f->data_dir, env_dir, (const char * const[]) { "identity", NULL });
  g_assert_cmpint (other.status, ==, 1);

  /* It may follow the command too. */
  run_full (f, &after_command, NULL, NULL, NULL,
            (const char * const[]) { "identity", "--data-dir", env_dir, NULL });
  g_assert_cmpint (after_command.status, ==, 0);
  g_assert_nonnull (strstr (after_command.out, "PCSO 4521"));

  /* Neither: $XDG_DATA_HOME/beatbook. */
  run_full (f, &xdg_set, NULL, NULL, NULL,
            (const char * const[]) { "identity", "--name", "Community warden", "--role", "warden", NULL });
  g_assert_cmpint (xdg_set.status, ==, 0);
  g_assert_true (g_file_test (xdg_dir, G_FILE_TEST_IS_DIR));
}

/* --- ward ---------------------------------------------------------------- */

/* The test profile's boundaries (tests/profiles/testshire-wards.geojson)
 * are made-up squares near 0° N 0° E: test data, no real place. */
static void
test_ward_names_the_ward_of_a_point (Fixture       *f,
                                     gconstpointer  data)
{
  g_autofree char *testshire = g_test_build_filename (G_TEST_DIST, "profiles",
                                                      "testshire.json", NULL);
  g_autofree char *dartford = g_strdup (g_getenv ("BEATBOOK_PROFILE"));
  const struct {
    const char *lat, *lon;
    int status;
    const char *out, *err;
  } cases[] = {
    { "0.005", "0.005", 0, "south\tSouth Test Ward\n", "" },
    /* In north's hole, which the centre ward fills. */
    { "0.015", "0.005", 0, "centre\tCentre Test Ward\n", "" },
    /* The far part of a MultiPolygon. */
    { "0.005", "0.035", 0, "east\tEast Test Ward (two parts)\n", "" },
    /* On the edge south and north share: the ward north of it. */
    { "0.01", "0.005", 0, "north\tNorth Test Ward\n", "" },
    /* Between the parts of east; west of Greenwich with no "--". */
    { "0.005", "0.025", 1, "", "outside every ward of the profile" },
    { "-0.005", "-0.5", 1, "", "outside every ward of the profile" },
    { "91", "0", 2, "", "latitude must be from -90 to 90, not 91" },
    { "0", "-180.5", 2, "", "longitude must be from -180 to 180, not -180.5" },
    { "0,005", "0.005", 2, "", "“0,005” is not a number of degrees" },
    { "0.005N", "0.005", 2, "", "“0.005N” is not a number of degrees" },
    { "nan", "0.005", 2, "", "not a number of degrees" },
    { "0.005", NULL, 2, "", "give a latitude and a longitude" },
  };

  g_setenv ("BEATBOOK_PROFILE", testshire, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };

      run_cli (f, &run, NULL, "ward", cases[i].lat, cases[i].lon);
      g_assert_cmpint (run.status, ==, cases[i].status);
      g_assert_cmpstr (run.out, ==, cases[i].out);
      if (strstr (run.err, cases[i].err) == NULL)
        g_error ("ward %s %s: “%s” does not say “%s”", cases[i].lat, cases[i].lon,
                 run.err, cases[i].err);
    }

  /* The built-in profile has no boundaries: a clear word, exit 2. */
  g_setenv ("BEATBOOK_PROFILE", dartford, TRUE);
  {
    g_auto(Run) run = { 0 };

    run_cli (f, &run, NULL, "ward", "51.4462", "0.2180");
    g_assert_cmpint (run.status, ==, 2);
    g_assert_cmpstr (run.out, ==, "");
    g_assert_nonnull (strstr (run.err, "has no ward boundaries"));
  }

  /* Looking up a ward needs no store. */
  g_assert_false (g_file_test (f->data_dir, G_FILE_TEST_EXISTS));
}

/* --- import -------------------------------------------------------------- */

static const char import_good[] =
  "{\"kind\": \"patrol_observation\", \"occurred_at\": \"2026-02-01T20:00:00Z\", \"priority\": 2,"
  " \"fields\": {\"ward\": \"town\", \"category\": \"asb_youths\","
  " \"description\": \"Youths gathering by the kingfisher mural\"}}\n"
  "\n"
  "{\"kind\": \"vawg_walk\", \"occurred_at\": \"2026-02-02T21:00:00Z\","
  " \"fields\": {\"ward\": \"bridge\", \"walk_type\": \"night_time_economy_walk\","
  " \"route\": \"Market Place to Central Park\"}}\r\n"
  "{\"kind\": \"patrol_observation\","
  " \"fields\": {\"ward\": \"heath\", \"category\": \"fly_tipping\", \"description\": \"Mattress\","
  " \"fly_tip\": {\"size\": \"small_van_load\", \"waste_type\": \"household\","
  " \"land_type\": \"highway\", \"evidence_checked\": false}}}\n";

static void
test_import_json_lines_stores_every_record (Fixture       *f,
                                            gconstpointer  data)
{
  g_autofree char *path = write_temp (f, "good.jsonl", import_good);
  g_auto(Run) run = { 0 };
  g_auto(Run) search = { 0 };
  g_autoptr(JsonNode) list = NULL;
  JsonArray *records;
  gboolean found_walk = FALSE;

  set_identity (f, "PCSO 4521", "officer");
  run_cli (f, &run, NULL, "import", path);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "imported 3 records\n");

  list = list_json (f, FALSE);
  records = json_node_get_array (list);
  g_assert_cmpuint (json_array_get_length (records), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);
      JsonObject *author = json_object_get_object_member (record, "author");

      /* Saved as add saves: the device's user is the author, rev 1, queued. */
      g_assert_cmpstr (json_object_get_string_member (author, "display_name"), ==, "PCSO 4521");
      g_assert_cmpint (json_object_get_int_member (record, "rev"), ==, 1);
      g_assert_cmpstr (json_object_get_string_member (record, "sync_state"), ==, "pending");
      if (g_strcmp0 (json_object_get_string_member (record, "kind"), "vawg_walk") == 0)
        {
          found_walk = TRUE;
          g_assert_cmpstr (json_object_get_string_member (record, "occurred_at"), ==,
                           "2026-02-02T21:00:00Z");
          /* The kind's default priority when the line gives none. */
          g_assert_cmpint (json_object_get_int_member (record, "priority"), >=, 1);
        }
    }
  g_assert_true (found_walk);

  /* The search index caught up: a word of one record finds it alone. */
  run_cli (f, &search, NULL, "list", "--search", "kingfish", "--json");
  g_assert_cmpint (search.status, ==, 0);
  {
    g_autoptr(JsonNode) found = parse_json (search.out);

    g_assert_cmpuint (json_array_get_length (json_node_get_array (found)), ==, 1);
  }
}

/* Lines 2 and 4 are wrong in two ways each; line 5 is not JSON. */
static const char import_bad[] =
  "{\"kind\": \"patrol_observation\", \"fields\": {\"ward\": \"town\", \"category\": \"asb_youths\", \"description\": \"one\"}}\n"
  "{\"kind\": \"patrol_observation\", \"fields\": {\"ward\": \"atlantis\", \"category\": \"asb_youths\", \"description\": \"two\", \"colour\": \"red\"}}\n"
  "{\"kind\": \"patrol_observation\", \"fields\": {\"ward\": \"town\", \"category\": \"asb_youths\", \"description\": \"three\"}}\n"
  "{\"kind\": \"patrol_observation\", \"priority\": 9, \"fields\": {\"ward\": \"town\", \"category\": \"asb_youths\"}}\n"
  "{\"kind\": \"patrol_observation\", \"fields\": \n"
  "{\"kind\": \"submarine\", \"fields\": {}}\n";

static void
test_import_reports_problems_by_line_and_stores_nothing (Fixture       *f,
                                                         gconstpointer  data)
{
  g_autofree char *path = write_temp (f, "bad.jsonl", import_bad);
  g_autofree char *line2 = g_strdup_printf ("%s:2: ward: ", path);
  g_autofree char *line2b = g_strdup_printf ("%s:2: colour: ", path);
  g_autofree char *line4 = g_strdup_printf ("%s:4: priority: ", path);
  g_autofree char *line4b = g_strdup_printf ("%s:4: description: ", path);
  g_autofree char *line5 = g_strdup_printf ("%s:5: record: ", path);
  g_autofree char *line6 = g_strdup_printf ("%s:6: kind: ", path);
  g_autofree char *line1 = g_strdup_printf ("%s:1:", path);
  g_autofree char *line3 = g_strdup_printf ("%s:3:", path);
  g_auto(Run) run = { 0 };

  set_identity (f, "PCSO 4521", "officer");
  run_cli (f, &run, NULL, "import", path);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_true (has_line_starting (run.err, line2));
  g_assert_true (has_line_starting (run.err, line2b));
  g_assert_true (has_line_starting (run.err, line4));
  g_assert_true (has_line_starting (run.err, line4b));
  g_assert_true (has_line_starting (run.err, line5));
  g_assert_true (has_line_starting (run.err, line6));
  /* The sound lines are not blamed. */
  g_assert_false (has_line_starting (run.err, line1));
  g_assert_false (has_line_starting (run.err, line3));
  g_assert_nonnull (strstr (run.err, "nothing was imported: 4 records have problems"));
  g_assert_nonnull (strstr (run.err, "--skip-invalid"));

  g_assert_cmpuint (count_records (f), ==, 0);
}

static void
test_import_skip_invalid_keeps_the_sound_records (Fixture       *f,
                                                  gconstpointer  data)
{
  g_autofree char *path = write_temp (f, "bad.jsonl", import_bad);
  g_autofree char *line2 = g_strdup_printf ("%s:2: ward: ", path);
  g_auto(Run) run = { 0 };
  g_auto(Run) list = { 0 };

  set_identity (f, "PCSO 4521", "officer");
  run_cli (f, &run, NULL, "import", "--skip-invalid", path);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "imported 2 records; left out 4 with problems\n");
  /* Still told what was left out, line by line. */
  g_assert_true (has_line_starting (run.err, line2));

  g_assert_cmpuint (count_records (f), ==, 2);
  run_cli (f, &list, NULL, "list", "--search", "three", "--json");
  g_assert_cmpint (list.status, ==, 0);
  {
    g_autoptr(JsonNode) found = parse_json (list.out);

    g_assert_cmpuint (json_array_get_length (json_node_get_array (found)), ==, 1);
  }
}

/* @n lines, each a sound observation with "kestrel" and a word of its own
 * ("ref" and its line number spelt in letters, so no word is the prefix of
 * another) in its description, times scattered over years; the lines in
 * @bad (0-terminated, 1-based) name a ward that does not exist. */
static char *
many_lines (guint        n,
            const guint *bad)
{
  GString *text = g_string_new (NULL);

  for (guint line = 1; line <= n; line++)
    {
      gboolean wrong = FALSE;

      for (const guint *b = bad; *b != 0; b++)
        wrong = wrong || *b == line;
      g_string_append_printf (text,
                              "{\"kind\": \"patrol_observation\", \"occurred_at\": "
                              "\"20%02u-%02u-%02uT%02u:%02u:00Z\", \"fields\": {\"ward\": \"%s\","
                              " \"category\": \"asb_youths\", \"description\": \"kestrel ref%c%c%c\"}}\n",
                              20 + line % 6, 1 + line * 5 % 12, 1 + line * 11 % 28, line * 13 % 24,
                              line * 17 % 60, wrong ? "atlantis" : "town",
                              'a' + line / 676 % 26, 'a' + line / 26 % 26, 'a' + line % 26);
    }
  return g_string_free (text, FALSE);
}

static guint
count_search (Fixture    *f,
              const char *words)
{
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) found = NULL;

  run_cli (f, &run, NULL, "list", "--search", words, "--json");
  g_assert_cmpint (run.status, ==, 0);
  found = parse_json (run.out);
  return json_array_get_length (json_node_get_array (found));
}

/* More lines than the import hands from its reading thread to its writing
 * one in several batches. */
#define MANY_LINES 2000

static void
test_import_many_lines_every_one_found (Fixture       *f,
                                        gconstpointer  data)
{
  static const guint none[] = { 0 };
  g_autofree char *text = many_lines (MANY_LINES, none);
  g_autofree char *path = write_temp (f, "many.jsonl", text);
  g_auto(Run) run = { 0 };
  g_auto(Run) status = { 0 };

  set_identity (f, "PCSO 4521", "officer");
  run_cli (f, &run, NULL, "import", path);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "imported 2000 records\n");

  g_assert_cmpuint (count_records (f), ==, MANY_LINES);
  g_assert_cmpuint (count_search (f, "kestrel"), ==, MANY_LINES);
  /* The first line, the last, and lines at the edges of the batches. */
  g_assert_cmpuint (count_search (f, "refaab"), ==, 1);
  g_assert_cmpuint (count_search (f, "refajw"), ==, 1);    /* 256 */
  g_assert_cmpuint (count_search (f, "refajx"), ==, 1);    /* 257 */
  g_assert_cmpuint (count_search (f, "refcyy"), ==, 1);    /* 2000 */
  g_assert_cmpuint (count_search (f, "refcyz"), ==, 0);    /* 2001 */

  /* Every record waits for sync, once. */
  run_cli (f, &status, NULL, "status");
  g_assert_cmpint (status.status, ==, 0);
  g_assert_true (has_line_starting (status.out, "Pending changes:  2000"));
}

static void
test_import_error_on_the_last_line_stores_nothing (Fixture       *f,
                                                   gconstpointer  data)
{
  static const guint last[] = { MANY_LINES, 0 };
  g_autofree char *text = many_lines (MANY_LINES, last);
  g_autofree char *path = write_temp (f, "many.jsonl", text);
  g_autofree char *line_last = g_strdup_printf ("%s:%u: ward: ", path, MANY_LINES);
  g_autofree char *line_before = g_strdup_printf ("%s:%u:", path, MANY_LINES - 1);
  g_auto(Run) run = { 0 };

  set_identity (f, "PCSO 4521", "officer");
  run_cli (f, &run, NULL, "import", path);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_true (has_line_starting (run.err, line_last));
  g_assert_false (has_line_starting (run.err, line_before));
  g_assert_nonnull (strstr (run.err, "nothing was imported: 1 record has problems"));

  /* The 1,999 sound lines before it were written, then rolled back. */
  g_assert_cmpuint (count_records (f), ==, 0);
  g_assert_cmpuint (count_search (f, "kestrel"), ==, 0);
}

static void
test_import_skip_invalid_many_lines (Fixture       *f,
                                     gconstpointer  data)
{
  static const guint bad[] = { 1, 1000, MANY_LINES, 0 };
  g_autofree char *text = many_lines (MANY_LINES, bad);
  g_autofree char *path = write_temp (f, "many.jsonl", text);
  g_autofree char *line_first = g_strdup_printf ("%s:1: ward: ", path);
  g_autofree char *line_middle = g_strdup_printf ("%s:1000: ward: ", path);
  g_autofree char *line_last = g_strdup_printf ("%s:%u: ward: ", path, MANY_LINES);
  g_auto(Run) run = { 0 };

  set_identity (f, "PCSO 4521", "officer");
  run_cli (f, &run, NULL, "import", "--skip-invalid", path);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "imported 1997 records; left out 3 with problems\n");
  g_assert_true (has_line_starting (run.err, line_first));
  g_assert_true (has_line_starting (run.err, line_middle));
  g_assert_true (has_line_starting (run.err, line_last));

  g_assert_cmpuint (count_records (f), ==, MANY_LINES - 3);
  g_assert_cmpuint (count_search (f, "kestrel"), ==, MANY_LINES - 3);
  g_assert_cmpuint (count_search (f, "refbmm"), ==, 0);   /* 1000 */
  g_assert_cmpuint (count_search (f, "refbml"), ==, 1);   /* 999 */
}

/* The store cannot grow (tests/faults' full disk) a few hundred records
 * in: the writing thread fails while the reading thread still sends rows.
 * The import stops, says why, and keeps nothing. */
static void
test_import_full_disk_stores_nothing (Fixture       *f,
                                      gconstpointer  data)
{
  static const guint none[] = { 0 };
  g_autofree char *text = many_lines (MANY_LINES, none);
  g_autofree char *path = write_temp (f, "many.jsonl", text);
  g_autofree char *db = g_build_filename (f->data_dir, "users", "local", "beatbook.db", NULL);
  g_autofree char *max_pages = NULL;
  g_auto(Run) run = { 0 };
  GStatBuf info;

  set_identity (f, "PCSO 4521", "officer");
  g_assert_cmpint (g_stat (db, &info), ==, 0);
  /* Room for a batch or two of rows: 400 KiB. */
  max_pages = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) info.st_size / 4096 + 100);
  g_setenv ("BEATBOOK_TEST_MAX_PAGE_COUNT", max_pages, TRUE);
  run_cli (f, &run, NULL, "import", path);
  g_setenv ("BEATBOOK_TEST_MAX_PAGE_COUNT", "", TRUE);

  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "nothing was imported: "));
  g_assert_nonnull (strstr (run.err, "full"));
  g_assert_cmpuint (count_records (f), ==, 0);

  /* With room again, the same file goes in whole. */
  {
    g_auto(Run) again = { 0 };

    run_cli (f, &again, NULL, "import", path);
    g_assert_cmpint (again.status, ==, 0);
    g_assert_cmpuint (count_search (f, "kestrel"), ==, MANY_LINES);
  }
}

static void
test_import_needs_an_identity_and_a_readable_file (Fixture       *f,
                                                   gconstpointer  data)
{
  g_autofree char *path = write_temp (f, "good.jsonl", import_good);
  g_autofree char *missing = g_build_filename (f->tmp, "missing.jsonl", NULL);
  g_auto(Run) nobody = { 0 };
  g_auto(Run) no_file = { 0 };
  g_auto(Run) bad_format = { 0 };

  run_cli (f, &nobody, NULL, "import", path);
  g_assert_cmpint (nobody.status, ==, 1);
  g_assert_nonnull (strstr (nobody.err, "identity"));

  set_identity (f, "PCSO 4521", "officer");
  run_cli (f, &no_file, NULL, "import", missing);
  g_assert_cmpint (no_file.status, ==, 1);
  g_assert_nonnull (strstr (no_file.err, missing));

  run_cli (f, &bad_format, NULL, "import", "--format", "xml", path);
  g_assert_cmpint (bad_format.status, ==, 2);
  g_assert_cmpuint (count_records (f), ==, 0);
}

/* Every row's cells but the id, by column name. */
static GHashTable *
row_without_id (GPtrArray *rows,
                guint      index)
{
  GPtrArray *header = g_ptr_array_index (rows, 0);
  GPtrArray *row = g_ptr_array_index (rows, index);
  GHashTable *cells = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (row->len, ==, header->len);
  for (guint i = 0; i < header->len; i++)
    if (!g_str_equal (g_ptr_array_index (header, i), "id"))
      g_hash_table_insert (cells, g_ptr_array_index (header, i), g_ptr_array_index (row, i));
  return cells;
}

static void
test_import_reads_back_an_export_csv (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(JsonObject) original = load_data_fields ("patrol-fly-tipping.json");
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *first = g_build_filename (f->tmp, "first.csv", NULL);
  g_autofree char *second = g_build_filename (f->tmp, "second.csv", NULL);
  g_autofree char *other_dir = g_build_filename (f->tmp, "other", NULL);
  g_autofree char *json = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  char *original_dir = f->data_dir;

  /* A list of several parts (vehicles) can not come back from CSV. */
  json_object_remove_member (original, "vehicles");
  json_node_set_object (node, original);
  json = json_to_string (node, FALSE);
  body = g_strdup_printf ("{\"occurred_at\": \"2026-03-01T21:14:00Z\", \"fields\": %s}", json);

  set_identity (f, "PCSO 4521", "officer");
  g_free (add_json (f, "patrol_observation", body));
  g_free (add_json (f, "patrol_observation",
                    "{\"occurred_at\": \"2026-03-02T08:30:00Z\", \"fields\": {\"ward\": \"town\","
                    " \"lat\": 51.44, \"lon\": -0.0123, \"category\": \"street_drinking\","
                    " \"description\": \"-2 cans; +1 bottle @ bench\", \"people_involved\": 3}}"));
  {
    g_auto(Run) export = { 0 };

    run_cli (f, &export, NULL, "export", "--format", "csv", "--kind", "patrol_observation",
             "--output", first);
    g_assert_cmpint (export.status, ==, 0);
  }

  /* Into another device, by the same person, then out again. */
  f->data_dir = other_dir;
  set_identity (f, "PCSO 4521", "officer");
  {
    g_auto(Run) import = { 0 };
    g_auto(Run) export = { 0 };

    run_cli (f, &import, NULL, "import", first);
    g_assert_cmpstr (import.err, ==, "");
    g_assert_cmpint (import.status, ==, 0);
    g_assert_cmpstr (import.out, ==, "imported 2 records\n");

    run_cli (f, &export, NULL, "export", "--format", "csv", "--kind", "patrol_observation",
             "--output", second);
    g_assert_cmpint (export.status, ==, 0);
  }
  f->data_dir = original_dir;

  before = read_csv_file (first);
  after = read_csv_file (second);
  g_assert_cmpuint (before->len, ==, 3);
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 1; i < before->len; i++)
    {
      g_autoptr(GHashTable) a = row_without_id (before, i);
      g_autoptr(GHashTable) b = row_without_id (after, i);
      GHashTableIter iter;
      gpointer column, value;

      g_assert_cmpuint (g_hash_table_size (a), ==, g_hash_table_size (b));
      g_hash_table_iter_init (&iter, a);
      while (g_hash_table_iter_next (&iter, &column, &value))
        {
          if (g_test_verbose () && g_strcmp0 (value, g_hash_table_lookup (b, column)) != 0)
            g_printerr ("%s: %s != %s\n", (char *) column, (char *) value,
                        (char *) g_hash_table_lookup (b, column));
          g_assert_cmpstr (g_hash_table_lookup (b, column), ==, value);
        }
    }
  /* The first export really held the hard cases. */
  g_assert_nonnull (strchr (cell (before, g_ptr_array_index (before, 2), "notes"), '\n'));
  g_assert_true (g_str_has_prefix (cell (before, g_ptr_array_index (before, 2), "description"), "'="));
  g_assert_cmpstr (cell (before, g_ptr_array_index (before, 2), "fly_tip.evidence_checked"), ==, "yes");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/cli/help/is-there-for-the-program-and-every-command", test_help_for_the_program_and_every_command);
  ADD ("/cli/usage/unknown-command-exits-with-two", test_unknown_command_exits_two);
  ADD ("/cli/usage/unknown-option-exits-with-two", test_unknown_option_exits_two);
  ADD ("/cli/usage/missing-argument-exits-with-two-and-usage", test_missing_argument_exits_two_with_usage);
  ADD ("/cli/identity/is-needed-before-add", test_identity_is_needed_before_add);
  ADD ("/cli/identity/role-that-may-not-create-the-kind-is-refused", test_role_that_may_not_create_the_kind_is_refused);
  ADD ("/cli/add/saves-each-kind-from-json", test_add_each_kind_from_json);
  ADD ("/cli/add/defaults-time-and-priority", test_add_defaults_time_and_priority);
  ADD ("/cli/add/refuses-nul-and-wrapping-numbers", test_add_refuses_nul_and_wrapping_numbers);
  ADD ("/cli/add/bad-json-names-the-file-and-line", test_bad_json_names_the_file_and_line);
  ADD ("/cli/add/unknown-kind-lists-the-kinds", test_unknown_kind_lists_the_kinds);
  ADD ("/cli/add/invalid-fields-print-every-problem", test_invalid_fields_print_every_problem);
  ADD ("/cli/add/unrecognised-mark-is-saved-with-a-warning", test_unrecognised_mark_is_saved_with_a_warning);
  ADD ("/cli/import/json-lines-stores-every-record", test_import_json_lines_stores_every_record);
  ADD ("/cli/import/reports-problems-by-line-and-stores-nothing", test_import_reports_problems_by_line_and_stores_nothing);
  ADD ("/cli/import/skip-invalid-keeps-the-sound-records", test_import_skip_invalid_keeps_the_sound_records);
  ADD ("/cli/import/many-lines-every-one-found", test_import_many_lines_every_one_found);
  ADD ("/cli/import/error-on-the-last-line-stores-nothing", test_import_error_on_the_last_line_stores_nothing);
  ADD ("/cli/import/skip-invalid-many-lines", test_import_skip_invalid_many_lines);
  ADD ("/cli/import/full-disk-stores-nothing", test_import_full_disk_stores_nothing);
  ADD ("/cli/import/needs-an-identity-and-a-readable-file", test_import_needs_an_identity_and_a_readable_file);
  ADD ("/cli/import/reads-back-an-export-csv", test_import_reads_back_an_export_csv);
  ADD ("/cli/show/is-readable", test_show_is_readable);
  ADD ("/cli/show/json-is-the-pull-shape", test_show_json_is_the_pull_shape);
  ADD ("/cli/list/filters-by-kind-search-and-limit", test_list_filters_by_kind_search_and_limit);
  ADD ("/cli/edit/replaces-the-fields-as-a-whole", test_edit_replaces_the_fields_as_a_whole);
  ADD ("/cli/delete/leaves-a-tombstone", test_delete_leaves_a_tombstone);
  ADD ("/cli/export/csv-round-trips-in-a-spreadsheet", test_export_csv_round_trips_in_a_spreadsheet);
  ADD ("/cli/export/csv-of-every-kind-needs-a-directory", test_export_csv_of_every_kind_needs_a_directory);
  ADD ("/cli/export/json-is-one-array", test_export_json_is_one_array);
  ADD ("/cli/list/reads-long-lists-across-pages", test_long_lists_are_read_across_pages);
  ADD ("/cli/status/counts-records-and-pending-changes", test_status_counts_records_and_pending_changes);
  ADD ("/cli/data-dir/comes-from-the-environment", test_data_dir_comes_from_the_environment);
  ADD ("/cli/report/prints-the-figures-and-a-pdf", test_report_prints_the_figures_and_a_pdf);
  ADD ("/cli/ward/names-the-ward-of-a-point", test_ward_names_the_ward_of_a_point);

#undef ADD

  return g_test_run ();
}
