/* cli-import.c: the import command (JSON Lines, or the CSV export writes)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Partnerships bring years of spreadsheets. Every line is checked as `add`
 * checks a record and every problem is reported with its line, before
 * anything is kept: a file with errors stores nothing unless --skip-invalid.
 * The records go in one transaction with their search entries (one fsync
 * for the file): once it reports success, every record is stored, queued
 * for sync and found by a search.
 */
#define G_LOG_DOMAIN "beatbook-cli"

#include "config.h"

#include <string.h>

#include <gio/gunixinputstream.h>

#include "cli-private.h"

/* Rows go from the reading thread to the writing one in batches of this
 * many, at most BATCHES_IN_FLIGHT at once (a few megabytes): reading,
 * checking and writing out the fields of the next lines goes on while
 * SQLite writes the rows before them. */
#define BATCH_ROWS 256
#define BATCHES_IN_FLIGHT 4

typedef struct
{
  /* Set before the reading thread starts, read-only after. */
  const char    *file_name;  /* for messages */
  BbProfile     *profile;
  BbRole         role;
  const char    *author_id;
  const char    *author_name;
  gboolean       skip_invalid;
  gboolean       csv;
  GInputStream  *in;

  /* The reading thread's own until it ends (joined). */
  gboolean       storing;    /* FALSE once a line is wrong without --skip-invalid */
  GPtrArray     *batch;      /* (element-type BbStoreImportRow) being filled */
  guint          n_invalid;
  guint          n_printed;  /* problems printed: beyond a limit, counted only */
  GError        *read_error;

  /* Between the threads. */
  GAsyncQueue   *full;       /* batches to write, then end_of_rows */
  GAsyncQueue   *free_slots; /* one token per batch that may be in flight */
  gint           stop;       /* (atomic) writing failed: read no further */
} ImportState;

static char end_of_rows;

/* More than a screenful of the same mistake helps nobody. */
#define MAX_PRINTED_PROBLEMS 200

static void
print_line_problems (ImportState *state,
                     guint        line,
                     GPtrArray   *problems)
{
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < problems->len; i++)
      {
        BbProblem *problem = g_ptr_array_index (problems, i);
        gboolean warning = problem->severity == BB_PROBLEM_WARNING;

        if (warning != (pass == 1))
          continue;
        if (state->n_printed++ >= MAX_PRINTED_PROBLEMS)
          return;

        /* "file.jsonl:12: fields.ward: ..." as compilers say it, so editors
         * jump to the line. */
        g_printerr ("%s:%u: %s%s: %s\n", state->file_name, line,
                    warning ? "warning: " : "",
                    problem->path != NULL && *problem->path != '\0' ? problem->path : "record",
                    problem->message);
      }
}

/* Hands the batch being filled to the writer and waits for room for the
 * next one. */
static void
send_batch (ImportState *state)
{
  g_async_queue_push (state->full, g_steal_pointer (&state->batch));
  g_async_queue_pop (state->free_slots);
  state->batch = g_ptr_array_new_full (BATCH_ROWS, (GDestroyNotify) bb_store_import_row_free);
}

/* Checks one record and, when it is sound and there is somewhere to put
 * it, passes it on to be stored. FALSE only when the writer failed (and
 * asked for no more). */
static gboolean
take_record (ImportState  *state,
             guint         line,
             const char   *kind_id,
             const char   *occurred_at,
             gboolean      has_priority,
             int           priority,
             JsonObject   *fields,
             GPtrArray    *problems)
{
  g_autoptr(BbRecord) record = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *now = NULL;
  const BbKindSpec *kind = kind_id != NULL ? bb_kind_lookup (kind_id) : NULL;

  if (kind == NULL)
    {
      if (!bb_problems_have_errors (problems))
        g_ptr_array_add (problems,
                         bb_cli_problem_new ("kind", "unknown_kind", BB_PROBLEM_ERROR,
                                             kind_id != NULL
                                             ? _("is not a kind of record (run “beatbook-cli kinds”)")
                                             : _("is missing: each record names its kind")));
    }
  else
    {
      if (occurred_at == NULL)
        occurred_at = now = bb_time_now_iso ();
      if (!has_priority)
        priority = bb_kind_default_priority (kind, fields);

      found = bb_validate_record (state->profile, kind->id, occurred_at, priority, fields, NULL);
      g_ptr_array_extend_and_steal (problems, g_steal_pointer (&found));

      if (!bb_kind_can_create (kind, state->role))
        g_ptr_array_add (problems,
                         bb_cli_problem_new ("kind", "forbidden_kind", BB_PROBLEM_ERROR,
                                             _("your role (%s) may not create a record of kind “%s”"),
                                             bb_role_get_label (state->role), kind->id));
    }

  if (problems->len > 0)
    print_line_problems (state, line, problems);

  if (bb_problems_have_errors (problems))
    {
      state->n_invalid++;
      /* Once a line is wrong, nothing of this file will be kept: stop storing. */
      if (!state->skip_invalid)
        state->storing = FALSE;
      return TRUE;
    }

  if (!state->storing)
    return TRUE;
  if (g_atomic_int_get (&state->stop))
    return FALSE;

  record = bb_record_new (kind->id);
  bb_record_set_occurred_at (record, occurred_at);
  bb_record_set_priority (record, priority);
  bb_record_set_fields (record, fields);
  bb_record_set_author (record, state->author_id, state->author_name,
                        bb_role_to_string (state->role));
  bb_fields_add_derived (kind->id, occurred_at, bb_record_get_fields (record));

  g_ptr_array_add (state->batch, bb_store_import_row_new (record));
  if (state->batch->len == BATCH_ROWS)
    send_batch (state);
  return TRUE;
}

/* One JSON Lines record: {"kind", "occurred_at", "priority", "fields"}. */
static gboolean
import_json_line (ImportState  *state,
                  JsonParser   *parser,
                  guint         line,
                  const char   *text,
                  gsize         length)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_problem_free);
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(JsonObject) fields = NULL;
  g_autoptr(GList) members = NULL;
  const char *kind = NULL;
  const char *occurred_at = NULL;
  gboolean has_priority = FALSE;
  int priority = 0;
  JsonNode *root;
  JsonObject *object;

  if (!bb_json_check_text (text, length, 64, &parse_error) ||
      !json_parser_load_from_data (parser, text, (gssize) length, &parse_error))
    {
      g_ptr_array_add (problems,
                       bb_cli_problem_new ("record", "invalid_json", BB_PROBLEM_ERROR,
                                           _("not JSON: %s"), parse_error->message));
      return take_record (state, line, NULL, NULL, FALSE, 0, NULL, problems);
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_ptr_array_add (problems,
                       bb_cli_problem_new ("record", "invalid_json", BB_PROBLEM_ERROR,
                                           _("each line must be one JSON object with “kind” and “fields”")));
      return take_record (state, line, NULL, NULL, FALSE, 0, NULL, problems);
    }

  object = json_node_get_object (root);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *node = json_object_get_member (object, key);
      gboolean is_string = JSON_NODE_HOLDS_VALUE (node) &&
                           json_node_get_value_type (node) == G_TYPE_STRING;

      if (strcmp (key, "kind") == 0)
        {
          if (is_string)
            kind = json_node_get_string (node);
          else
            g_ptr_array_add (problems,
                             bb_cli_problem_new (key, "invalid_type", BB_PROBLEM_ERROR,
                                                 _("must be a kind as text, like “patrol_observation”")));
        }
      else if (strcmp (key, "occurred_at") == 0)
        {
          if (is_string)
            occurred_at = json_node_get_string (node);
          else
            g_ptr_array_add (problems,
                             bb_cli_problem_new (key, "invalid_type", BB_PROBLEM_ERROR,
                                                 _("must be a UTC time as text, like “2026-03-01T21:14:00Z”")));
        }
      else if (strcmp (key, "priority") == 0)
        {
          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
            {
              has_priority = TRUE;
              /* Out of range values are left for the validator to name. */
              priority = (int) CLAMP (json_node_get_int (node), G_MININT, G_MAXINT);
            }
          else
            g_ptr_array_add (problems,
                             bb_cli_problem_new (key, "invalid_type", BB_PROBLEM_ERROR,
                                                 _("must be a whole number from 1 to 4")));
        }
      else if (strcmp (key, "fields") == 0)
        {
          if (JSON_NODE_HOLDS_OBJECT (node))
            fields = json_object_ref (json_node_get_object (node));
          else
            g_ptr_array_add (problems,
                             bb_cli_problem_new (key, "invalid_type", BB_PROBLEM_ERROR,
                                                 _("must be an object of the record's fields")));
        }
      else
        g_ptr_array_add (problems,
                         bb_cli_problem_new (key, "invalid_field", BB_PROBLEM_ERROR,
                                             _("is not a known key: a line holds only “kind”, “occurred_at”, “priority” and “fields”")));
    }

  if (fields == NULL)
    fields = json_object_new ();

  return take_record (state, line, kind, occurred_at, has_priority, priority,
                      fields, problems);
}

/* import_json_lines() and import_csv() read every line, or stop early when
 * the writer failed; FALSE only when the file could not be read. */
static gboolean
import_json_lines (ImportState   *state,
                   GInputStream  *in,
                   GError       **error)
{
  g_autoptr(GDataInputStream) data = g_data_input_stream_new (in);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  guint line = 0;

  g_data_input_stream_set_newline_type (data, G_DATA_STREAM_NEWLINE_TYPE_LF);
  for (;;)
    {
      g_autoptr(GError) read_error = NULL;
      g_autofree char *text = NULL;
      gsize length = 0;

      text = g_data_input_stream_read_line (data, &length, NULL, &read_error);
      if (text == NULL)
        {
          if (read_error != NULL)
            {
              g_set_error (error, G_IO_ERROR, read_error->code,
                           _("%s: can not read line %u: %s"), state->file_name,
                           line + 1, read_error->message);
              return FALSE;
            }
          return TRUE;
        }

      line++;
      if (length > 0 && text[length - 1] == '\r')
        text[--length] = '\0';
      /* Blank lines (a trailing newline, a gap) carry nothing. */
      if (strspn (text, " \t") == length)
        continue;

      if (!import_json_line (state, parser, line, text, length))
        return TRUE;
    }
}

static gboolean
import_csv (ImportState   *state,
            GInputStream  *in,
            GError       **error)
{
  g_autoptr(BbCsvReader) reader = bb_csv_reader_new (in);
  g_auto(GStrv) header = NULL;
  g_autoptr(GError) read_error = NULL;
  guint line = 0;

  header = bb_csv_reader_next (reader, &line, &read_error);
  if (header == NULL)
    {
      if (read_error != NULL)
        g_set_error (error, G_IO_ERROR, read_error->code, "%s: %s",
                     state->file_name, read_error->message);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("%s: the file is empty"), state->file_name);
      return FALSE;
    }

  for (;;)
    {
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_problem_free);
      g_autoptr(JsonObject) fields = NULL;
      g_auto(GStrv) row = NULL;
      g_autofree char *kind = NULL;
      g_autofree char *occurred_at = NULL;
      int priority = 0;

      row = bb_csv_reader_next (reader, &line, &read_error);
      if (row == NULL)
        {
          if (read_error != NULL)
            {
              g_set_error (error, G_IO_ERROR, read_error->code, "%s: %s",
                           state->file_name, read_error->message);
              return FALSE;
            }
          return TRUE;
        }
      /* An empty last line. */
      if (row[0] != NULL && row[1] == NULL && *row[0] == '\0')
        continue;

      bb_csv_read_record (state->profile, header, row, &kind, &occurred_at,
                          &priority, &fields, problems);
      if (!take_record (state, line, kind, occurred_at, priority != 0, priority,
                        fields, problems))
        return TRUE;
    }
}

/* The reading thread: every line read, checked and made into a row; the
 * last batch, then end_of_rows. */
static gpointer
read_rows (gpointer data)
{
  ImportState *state = data;

  g_async_queue_pop (state->free_slots);
  state->batch = g_ptr_array_new_full (BATCH_ROWS, (GDestroyNotify) bb_store_import_row_free);

  if (state->csv)
    import_csv (state, state->in, &state->read_error);
  else
    import_json_lines (state, state->in, &state->read_error);

  g_async_queue_push (state->full, g_steal_pointer (&state->batch));
  g_async_queue_push (state->full, &end_of_rows);
  return NULL;
}

/* Writes the rows the reading thread sends until it ends; on a failure
 * (@error set) frees @import, tells the reader to stop and takes what is
 * still sent. Returns how many rows were added. */
static guint
write_rows (ImportState    *state,
            BbStoreImport **import,
            GError        **error)
{
  guint n_added = 0;

  for (;;)
    {
      g_autoptr(GPtrArray) batch = NULL;
      gpointer item = g_async_queue_pop (state->full);

      if (item == &end_of_rows)
        return n_added;

      batch = item;
      for (guint i = 0; i < batch->len && *import != NULL; i++)
        {
          BbStoreImportRow *row = g_steal_pointer (&batch->pdata[i]);

          if (!bb_store_import_add_row (*import, row, error))
            {
              g_clear_pointer (import, bb_store_import_free);
              g_atomic_int_set (&state->stop, 1);
            }
          else
            n_added++;
        }
      g_async_queue_push (state->free_slots, GINT_TO_POINTER (1));
    }
}

static gboolean
is_csv_name (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  return g_str_has_suffix (lower, ".csv");
}

int
bb_cli_cmd_import (BbCli  *cli,
                   int     argc,
                   char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format = NULL;
  ImportState state = { NULL };
  BbSession *session;
  BbStoreImport *import;
  GThread *reader;
  gboolean skip_invalid = FALSE;
  gboolean csv;
  guint n_imported;
  gint64 start;
  double seconds;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      N_("jsonl or csv (by default: csv for a FILE ending in .csv, else jsonl)"), N_("FORMAT") },
    { "skip-invalid", 0, 0, G_OPTION_ARG_NONE, &skip_invalid,
      N_("Import the sound records of a file that has problems, leaving the others out"), NULL },
    { NULL }
  };

  context = bb_cli_option_context_new (cli, argv[0], _("FILE"),
                                       _("Add many records at once from FILE (“-” for standard input),\n"
                                         "as the device's current user."),
                                       _("JSON Lines: one record per line, a JSON object with the kind:\n"
                                         "  {\"kind\": \"patrol_observation\", \"occurred_at\": \"2026-03-01T21:14:00Z\",\n"
                                         "   \"priority\": 2, \"fields\": {\"ward\": \"town\", ...}}\n"
                                         "occurred_at (UTC, default now) and priority are optional, as for add.\n"
                                         "CSV: a file as “beatbook-cli export --format csv” writes it (labels,\n"
                                         "local times, “; ” lists); its id, author, review_state and sync_state\n"
                                         "columns are not read: every imported record is new. A list of several\n"
                                         "parts (vehicles, unsafe spots...) can not be read back from CSV.\n"
                                         "\n"
                                         "Every line is checked as add checks a record; each problem is printed\n"
                                         "as FILE:LINE: FIELD: MESSAGE. A file with any problem stores nothing,\n"
                                         "unless --skip-invalid. The records are saved in one transaction."),
                                       entries);
  if (!bb_cli_parse (context, argv[0], &argc, &argv))
    return BB_CLI_EXIT_USAGE;

  if (argc < 2)
    return bb_cli_usage_error (context, argv[0], _("the file to import is missing."));
  if (argc > 2)
    return bb_cli_usage_error (context, argv[0], _("unexpected argument “%s”."), argv[2]);
  if (format != NULL && g_strcmp0 (format, "jsonl") != 0 && g_strcmp0 (format, "csv") != 0)
    return bb_cli_usage_error (context, argv[0], _("unknown format “%s”: use jsonl or csv."), format);

  csv = format != NULL ? g_str_equal (format, "csv") : is_csv_name (argv[1]);

  if (g_strcmp0 (argv[1], "-") == 0)
    {
      in = g_unix_input_stream_new (0, FALSE);
      state.file_name = _("standard input");
    }
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (argv[1]);

      in = G_INPUT_STREAM (g_file_read (file, NULL, &error));
      if (in == NULL)
        {
          bb_cli_error (_("can not read “%s”: %s"), argv[1], error->message);
          return BB_CLI_EXIT_INVALID;
        }
      state.file_name = argv[1];
    }

  session = bb_cli_get_session (cli);
  if (session == NULL)
    return BB_CLI_EXIT_INVALID;
  if (!bb_session_has_identity (session))
    {
      bb_cli_error ("%s",
                    _("nobody is set up on this device yet, so the records would have no author.\n"
                      "Run “beatbook-cli identity --name NAME --role ROLE” first "
                      "(roles: officer, warden, councillor, supervisor, admin)."));
      return BB_CLI_EXIT_INVALID;
    }
  state.profile = bb_session_get_profile (session);
  state.role = bb_session_get_role (session);
  state.author_id = bb_session_get_user_id (session);
  state.author_name = bb_session_get_display_name (session);
  state.skip_invalid = skip_invalid;
  state.csv = csv;
  state.in = in;
  state.storing = TRUE;

  start = g_get_monotonic_time ();
  /* The store's lock is this thread's from begin to commit: the rows are
   * written here, and read and checked on a thread of their own. */
  import = bb_store_import_begin (bb_session_get_store (session), &error);
  if (import == NULL)
    {
      bb_cli_error (_("nothing was imported: %s"), error->message);
      return BB_CLI_EXIT_INVALID;
    }

  state.full = g_async_queue_new ();
  state.free_slots = g_async_queue_new ();
  for (guint i = 0; i < BATCHES_IN_FLIGHT; i++)
    g_async_queue_push (state.free_slots, GINT_TO_POINTER (1));
  reader = g_thread_new ("import-reader", read_rows, &state);
  n_imported = write_rows (&state, &import, &error);
  g_thread_join (reader);
  g_async_queue_unref (state.full);
  g_async_queue_unref (state.free_slots);

  if (state.read_error != NULL || import == NULL)
    {
      g_clear_pointer (&import, bb_store_import_free);
      bb_cli_error (_("nothing was imported: %s"),
                    state.read_error != NULL ? state.read_error->message : error->message);
      g_clear_error (&state.read_error);
      return BB_CLI_EXIT_INVALID;
    }

  if (state.n_printed > MAX_PRINTED_PROBLEMS)
    g_printerr (_("%s: … %u more problems not shown\n"), state.file_name,
                state.n_printed - MAX_PRINTED_PROBLEMS);

  if (state.n_invalid > 0 && !skip_invalid)
    {
      g_clear_pointer (&import, bb_store_import_free);
      bb_cli_error (ngettext ("nothing was imported: %u record has problems (listed above). "
                              "Correct them, or import the others with --skip-invalid.",
                              "nothing was imported: %u records have problems (listed above). "
                              "Correct them, or import the others with --skip-invalid.",
                              state.n_invalid),
                    state.n_invalid);
      return BB_CLI_EXIT_INVALID;
    }

  if (!bb_store_import_commit (g_steal_pointer (&import), &error))
    {
      bb_cli_error (_("nothing was imported: %s"), error->message);
      return BB_CLI_EXIT_INVALID;
    }
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  /* The imported records are indexed already; this is for what a pull left
   * waiting, if anything. A failure only delays that until the next search
   * indexes it itself. */
  if (!bb_store_index_pending (bb_session_get_store (session), NULL, &error))
    g_printerr ("beatbook-cli: %s\n", error->message);

  if (state.n_invalid > 0)
    g_print (ngettext ("imported %u records; left out %u with problems\n",
                       "imported %u records; left out %u with problems\n",
                       state.n_invalid),
             n_imported, state.n_invalid);
  else
    g_print (ngettext ("imported %u record\n", "imported %u records\n", n_imported),
             n_imported);
  g_debug ("stored and indexed in %.3f s (%.0f records/s)", seconds,
           seconds > 0 ? n_imported / seconds : 0.0);

  return BB_CLI_EXIT_OK;
}
