/* cli-common.c: helpers the beatbook-cli commands share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-cli"

#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>

#include "cli-private.h"

/* Lists are read in pages of this many records, never all at once. */
#define PAGE_SIZE 200

void
bb_cli_error (const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("beatbook-cli: %s\n", message);
}

BbSession *
bb_cli_get_session (BbCli *cli)
{
  g_autoptr(GError) error = NULL;
  const char *data_dir;

  if (cli->session != NULL)
    return cli->session;

  data_dir = cli->cmd_data_dir;
  if (data_dir == NULL)
    data_dir = cli->data_dir;
  if (data_dir == NULL || *data_dir == '\0')
    data_dir = g_getenv ("BEATBOOK_DATA_DIR");
  if (data_dir != NULL && *data_dir == '\0')
    data_dir = NULL;

  cli->session = bb_session_new (data_dir, &error);
  if (cli->session == NULL)
    {
      g_autofree char *fallback = NULL;

      if (data_dir == NULL)
        data_dir = fallback = bb_data_dir_default ();
      bb_cli_error (_("can not open the records in %s: %s"), data_dir, error->message);
      return NULL;
    }

  return cli->session;
}

GOptionContext *
bb_cli_option_context_new (BbCli              *cli,
                           const char         *command,
                           const char         *parameters,
                           const char         *summary,
                           const char         *description,
                           const GOptionEntry *entries)
{
  GOptionContext *context;
  g_autofree char *parameter_string = NULL;
  const GOptionEntry common_entries[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &cli->cmd_data_dir,
      N_("Keep the records in DIR"), N_("DIR") },
    { NULL }
  };

  /* Usage reads "beatbook-cli [OPTION…] add KIND" otherwise; the command
   * belongs first. */
  g_set_prgname ("beatbook-cli");
  parameter_string = parameters != NULL ? g_strdup_printf ("%s %s", command, parameters)
                                        : g_strdup (command);

  context = g_option_context_new (parameter_string);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (summary != NULL)
    g_option_context_set_summary (context, summary);
  {
    const char *exit_status = _("Exit status: 0 success; 1 invalid input, not found or refused;\n"
                                "2 usage error (unknown option, missing argument).");
    g_autofree char *text = description != NULL
      ? g_strdup_printf ("%s\n\n%s", description, exit_status)
      : g_strdup (exit_status);

    g_option_context_set_description (context, text);
  }
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, common_entries, GETTEXT_PACKAGE);

  return context;
}

gboolean
bb_cli_parse (GOptionContext   *context,
              const char       *command,
              int              *argc,
              char           ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hint = NULL;

  if (g_option_context_parse (context, argc, argv, &error))
    return TRUE;

  hint = g_strdup_printf (_("Run “beatbook-cli %s --help” for usage."), command);
  bb_cli_error ("%s: %s. %s", command, error->message, hint);
  return FALSE;
}

gboolean
bb_cli_parse_no_arguments (GOptionContext   *context,
                           const char       *command,
                           int              *argc,
                           char           ***argv)
{
  if (!bb_cli_parse (context, command, argc, argv))
    return FALSE;
  if (*argc > 1)
    {
      bb_cli_usage_error (context, command, _("unexpected argument “%s”."), (*argv)[1]);
      return FALSE;
    }
  return TRUE;
}

int
bb_cli_usage_error (GOptionContext *context,
                    const char     *command,
                    const char     *format,
                    ...)
{
  g_autofree char *message = NULL;
  g_autofree char *help = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  bb_cli_error ("%s: %s", command, message);
  help = g_option_context_get_help (context, TRUE, NULL);
  g_printerr ("\n%s", help);

  return BB_CLI_EXIT_USAGE;
}

BbProblem *
bb_cli_problem_new (const char        *path,
                    const char        *code,
                    BbProblemSeverity  severity,
                    const char        *format,
                    ...)
{
  BbProblem *problem = g_new0 (BbProblem, 1);
  va_list args;

  va_start (args, format);
  problem->message = g_strdup_vprintf (format, args);
  va_end (args);
  problem->path = g_strdup (path);
  problem->code = g_strdup (code);
  problem->severity = severity;

  return problem;
}

void
bb_cli_print_problems (GPtrArray *problems)
{
  if (problems == NULL)
    return;

  /* Errors first: they are why nothing was saved. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < problems->len; i++)
      {
        BbProblem *problem = g_ptr_array_index (problems, i);
        gboolean warning = problem->severity == BB_PROBLEM_WARNING;

        if (warning != (pass == 1))
          continue;

        g_printerr ("%s%s: %s\n",
                    warning ? "warning: " : "",
                    problem->path != NULL && *problem->path != '\0' ? problem->path : "record",
                    problem->message);
      }
}

JsonNode *
bb_cli_read_json (const char  *path,
                  GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  const char *name;
  JsonNode *root;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_strcmp0 (path, "-") == 0)
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (0, FALSE);
      g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();

      name = _("standard input");
      if (g_output_stream_splice (mem, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                  NULL, &local_error) < 0)
        {
          g_set_error (error, G_IO_ERROR, local_error->code,
                       _("can not read standard input: %s"), local_error->message);
          return NULL;
        }
      length = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (mem));
      contents = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (mem));
    }
  else
    {
      name = path;
      if (!g_file_get_contents (path, &contents, &length, &local_error))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "%s", local_error->message);
          return NULL;
        }
    }

  if (length == 0 || contents == NULL)
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                   _("%s: the file is empty; a JSON object is needed"), name);
      return NULL;
    }

  if (!g_utf8_validate (contents, length, NULL))
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                   _("%s: the file is not UTF-8 text"), name);
      return NULL;
    }

  /* A NUL in a string or a number json-glib would wrap is refused, as
   * the server refuses it. */
  if (!bb_json_check_text (contents, length, 64, &local_error))
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                   "%s: %s", name, local_error->message);
      return NULL;
    }

  if (!json_parser_load_from_data (parser, contents, length, &local_error))
    {
      const char *message = local_error->message;

      /* json-glib names in-memory data "<data>"; name the real file so the
       * line number can be found: "event.json:4:1: Parse error: ...". */
      if (g_str_has_prefix (message, "<data>"))
        g_set_error (error, JSON_PARSER_ERROR, local_error->code,
                     "%s%s", name, message + strlen ("<data>"));
      else
        g_set_error (error, JSON_PARSER_ERROR, local_error->code,
                     "%s: %s", name, message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                   _("%s: the file holds no JSON value; a JSON object is needed"), name);
      return NULL;
    }

  return json_node_copy (root);
}

char *
bb_cli_json_to_string (JsonNode *node,
                       gboolean  pretty)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, pretty);
  json_generator_set_indent (generator, 2);

  return json_generator_to_data (generator, NULL);
}

GOutputStream *
bb_cli_open_output (const char  *path,
                    GError     **error)
{
  g_autoptr(GFile) file = NULL;

  if (path == NULL || g_strcmp0 (path, "-") == 0)
    return g_unix_output_stream_new (1, FALSE);

  file = g_file_new_for_commandline_arg (path);

  return G_OUTPUT_STREAM (g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE,
                                          NULL, error));
}

gboolean
bb_cli_foreach_record (BbStore         *store,
                       const BbQuery   *query,
                       guint            limit,
                       BbCliRecordFunc  func,
                       gpointer         user_data,
                       GError         **error)
{
  guint offset = 0;

  for (;;)
    {
      g_autoptr(GPtrArray) page = NULL;
      guint want = PAGE_SIZE;

      if (limit > 0)
        {
          if (offset >= limit)
            break;
          want = MIN (want, limit - offset);
        }

      page = bb_store_list_records (store, query, offset, want, error);
      if (page == NULL)
        return FALSE;

      for (guint i = 0; i < page->len; i++)
        if (!func (g_ptr_array_index (page, i), user_data, error))
          return FALSE;

      offset += page->len;
      if (page->len < want)
        break;
    }

  return TRUE;
}

char *
bb_cli_format_local_time (const char *iso)
{
  if (iso == NULL || *iso == '\0')
    return g_strdup ("");

  return bb_time_format_local (iso, "%Y-%m-%d %H:%M");
}

char *
bb_cli_format_number (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  char *end;

  /* Six decimals are ten centimetres of latitude: more is noise. */
  g_ascii_formatd (buffer, sizeof buffer, "%.6f", value);
  end = buffer + strlen (buffer);
  while (end > buffer && end[-1] == '0')
    *--end = '\0';
  if (end > buffer && end[-1] == '.')
    *--end = '\0';

  return g_strdup (buffer);
}

void
bb_cli_append_padded (GString    *out,
                      const char *str,
                      guint       width)
{
  glong len;

  if (str == NULL)
    str = "";

  len = g_utf8_strlen (str, -1);
  if ((guint) len > width && width > 0)
    {
      const char *end = g_utf8_offset_to_pointer (str, width - 1);

      g_string_append_len (out, str, end - str);
      g_string_append (out, "…");
      return;
    }

  g_string_append (out, str);
  for (guint i = len; i < width; i++)
    g_string_append_c (out, ' ');
}

const BbKindSpec *
bb_cli_lookup_kind (const char *kind_id)
{
  const BbKindSpec *kind = bb_kind_lookup (kind_id);
  const BbKindSpec * const *all;
  g_autoptr(GString) ids = NULL;

  if (kind != NULL)
    return kind;

  all = bb_kind_all ();
  ids = g_string_new (NULL);
  for (guint i = 0; all[i] != NULL; i++)
    g_string_append_printf (ids, "%s%s", i > 0 ? ", " : "", all[i]->id);

  bb_cli_error (_("unknown kind “%s”. The kinds are: %s."), kind_id, ids->str);

  return NULL;
}
