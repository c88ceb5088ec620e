/* cli-export.c: the export command
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-cli"

#include "config.h"

#include <glib/gstdio.h>

#include "cli-private.h"

typedef struct
{
  GOutputStream *out;
  BbProfile     *profile;
  guint          n_records;
  GPtrArray     *ids;       /* every record written, for the export notice */
} ExportState;

static gboolean
write_csv_record (BbRecord  *record,
                  gpointer   user_data,
                  GError   **error)
{
  ExportState *state = user_data;

  state->n_records++;
  g_ptr_array_add (state->ids, g_strdup (bb_record_get_id (record)));
  return bb_csv_write_record (state->out, state->profile, record, NULL, error);
}

static gboolean
write_json_record (BbRecord  *record,
                   gpointer   user_data,
                   GError   **error)
{
  ExportState *state = user_data;
  g_autoptr(JsonNode) node = bb_record_to_json (record, TRUE);
  g_autofree char *text = bb_cli_json_to_string (node, TRUE);
  const char *separator = state->n_records > 0 ? ",\n" : "\n";

  state->n_records++;
  g_ptr_array_add (state->ids, g_strdup (bb_record_get_id (record)));
  return g_output_stream_write_all (state->out, separator, strlen (separator), NULL, NULL, error) &&
         g_output_stream_write_all (state->out, text, strlen (text), NULL, NULL, error);
}

/* Writes one file (or standard output for NULL). On failure an old file at
 * @path is left as it was and a new one is removed, so no half export is
 * mistaken for a whole one. */
static gboolean
export_to (const char  *path,
           BbSession   *session,
           const char  *format,
           const char  *kind,
           GPtrArray   *ids,
           guint       *n_records,
           GError     **error)
{
  g_autoptr(GOutputStream) file_out = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  gboolean existed = path != NULL && g_file_test (path, G_FILE_TEST_EXISTS);
  BbQuery query = { NULL };
  ExportState state = { NULL };
  gboolean ok;

  file_out = bb_cli_open_output (path, error);
  if (file_out == NULL)
    return FALSE;
  out = g_buffered_output_stream_new (file_out);

  state.out = out;
  state.profile = bb_session_get_profile (session);
  state.ids = ids;
  query.kind = kind;

  if (g_strcmp0 (format, "csv") == 0)
    ok = bb_csv_write_header (out, kind, NULL, error) &&
         bb_cli_foreach_record (bb_session_get_store (session), &query, 0,
                                write_csv_record, &state, error);
  else
    ok = g_output_stream_write_all (out, "[", 1, NULL, NULL, error) &&
         bb_cli_foreach_record (bb_session_get_store (session), &query, 0,
                                write_json_record, &state, error) &&
         g_output_stream_write_all (out, state.n_records > 0 ? "\n]\n" : "]\n",
                                    state.n_records > 0 ? 3 : 2, NULL, NULL, error);

  if (!ok)
    {
      /* A cancelled close does not replace the old file. */
      cancellable = g_cancellable_new ();
      g_cancellable_cancel (cancellable);
      g_output_stream_close (out, cancellable, NULL);
      if (path != NULL && !existed)
        g_unlink (path);
      return FALSE;
    }

  if (!g_output_stream_close (out, NULL, error))
    return FALSE;

  *n_records = state.n_records;
  return TRUE;
}

int
bb_cli_cmd_export (BbCli  *cli,
                   int     argc,
                   char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format = NULL;
  g_autofree char *kind_id = NULL;
  g_autofree char *output = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  gboolean to_directory;
  BbSession *session;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      N_("csv or json"), N_("FORMAT") },
    { "kind", 'k', 0, G_OPTION_ARG_STRING, &kind_id,
      N_("Only records of KIND"), N_("KIND") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write to PATH (a file, or a directory for CSV of every kind) instead of standard output"),
      N_("PATH") },
    { NULL }
  };

  context = bb_cli_option_context_new (cli, argv[0], NULL,
                                       _("Export records (deleted ones left out) as CSV or JSON."),
                                       _("CSV has one kind per file, in UTF-8 with a BOM and CRLF line ends,\n"
                                         "times in local time, ids shown as labels. Without --kind,\n"
                                         "--output must name a directory: it gets one KIND.csv per kind.\n"
                                         "Cells that a spreadsheet would run as a formula (starting with\n"
                                         "=, +, -, @) get a leading apostrophe; plain numbers stay numbers.\n"
                                         "\n"
                                         "JSON is one array of records in the sync API's pull shape plus\n"
                                         "sync_state."),
                                       entries);
  if (!bb_cli_parse (context, argv[0], &argc, &argv))
    return BB_CLI_EXIT_USAGE;

  if (argc > 1)
    return bb_cli_usage_error (context, argv[0], _("unexpected argument “%s”."), argv[1]);
  if (format == NULL)
    return bb_cli_usage_error (context, argv[0], _("--format csv or --format json is missing."));
  if (g_strcmp0 (format, "csv") != 0 && g_strcmp0 (format, "json") != 0)
    return bb_cli_usage_error (context, argv[0],
                               _("unknown format “%s”: use csv or json."), format);
  if (output != NULL && *output == '\0')
    return bb_cli_usage_error (context, argv[0], _("--output needs a file name."));

  to_directory = g_strcmp0 (format, "csv") == 0 && kind_id == NULL;
  if (to_directory && output == NULL)
    return bb_cli_usage_error (context, argv[0],
                               _("CSV without --kind writes one file per kind: give --output DIRECTORY, "
                                 "or --kind KIND for one file."));

  if (kind_id != NULL && bb_cli_lookup_kind (kind_id) == NULL)
    return BB_CLI_EXIT_INVALID;

  if (to_directory)
    {
      if (g_file_test (output, G_FILE_TEST_EXISTS) && !g_file_test (output, G_FILE_TEST_IS_DIR))
        {
          bb_cli_error (_("%s is a file: CSV without --kind needs a directory (one KIND.csv per kind)."),
                        output);
          return BB_CLI_EXIT_INVALID;
        }
      if (g_mkdir_with_parents (output, 0700) != 0)
        {
          bb_cli_error (_("can not create the directory %s: %s"), output, g_strerror (errno));
          return BB_CLI_EXIT_INVALID;
        }
    }
  else if (output != NULL && g_file_test (output, G_FILE_TEST_IS_DIR))
    {
      if (kind_id == NULL)
        {
          bb_cli_error (_("%s is a directory: JSON export needs a file name."), output);
          return BB_CLI_EXIT_INVALID;
        }
      else
        {
          /* --kind with a directory: the same name as a whole export. */
          char *path = g_strdup_printf ("%s%c%s.%s", output, G_DIR_SEPARATOR, kind_id, format);

          g_free (output);
          output = path;
        }
    }

  session = bb_cli_get_session (cli);
  if (session == NULL)
    return BB_CLI_EXIT_INVALID;
  ids = g_ptr_array_new_with_free_func (g_free);

  if (to_directory)
    {
      const BbKindSpec * const *kinds = bb_kind_all ();

      for (guint i = 0; kinds[i] != NULL; i++)
        {
          g_autofree char *name = g_strdup_printf ("%s.csv", kinds[i]->id);
          g_autofree char *path = g_build_filename (output, name, NULL);
          guint n_records = 0;

          if (!export_to (path, session, format, kinds[i]->id, ids, &n_records, &error))
            {
              bb_cli_error (_("the export to %s failed: %s"), path, error->message);
              return BB_CLI_EXIT_INVALID;
            }
          g_print (g_dngettext (GETTEXT_PACKAGE, "%s: %u record\n", "%s: %u records\n", n_records),
                   path, n_records);
        }
    }
  else
    {
      guint n_records = 0;

      if (!export_to (output, session, format, kind_id, ids, &n_records, &error))
        {
          bb_cli_error (_("the export to %s failed: %s"),
                        output != NULL ? output : _("standard output"), error->message);
          return BB_CLI_EXIT_INVALID;
        }
      if (output != NULL && g_strcmp0 (output, "-") != 0)
        g_print (g_dngettext (GETTEXT_PACKAGE, "%s: %u record\n", "%s: %u records\n", n_records),
                 output, n_records);
    }

  /* A disclosure of personal data (DPA 2018 s62), logged on the server at
   * the next sync, as the app does for its exports. */
  if (ids->len > 0)
    {
      g_autofree char *filter = g_strdup_printf ("beatbook-cli export --format %s%s%s", format,
                                                 kind_id != NULL ? " --kind " : "",
                                                 kind_id != NULL ? kind_id : "");
      guint n = ids->len;

      g_ptr_array_add (ids, NULL);
      if (!bb_store_queue_export_notice (bb_session_get_store (session), format,
                                         n <= BB_EXPORT_NOTICE_MAX_IDS ? (const char * const *) ids->pdata : NULL,
                                         n, NULL, NULL, filter, NULL, &error))
        {
          bb_cli_error (_("the export was written, but its notice for the audit log could not be queued: %s"),
                        error->message);
          return BB_CLI_EXIT_INVALID;
        }
      g_printerr ("%s\n", _("An export notice goes to the server's audit log at the next sync."));
    }

  return BB_CLI_EXIT_OK;
}
