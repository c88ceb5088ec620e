/* cli-report.c: the report command (the partnership's figures for a period)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-cli"

#include "config.h"

#include <glib/gstdio.h>

#include "cli-private.h"

/* Writes the report to @path (standard output for NULL). On failure an old
 * file at @path is left as it was and a new one removed: a monthly job must
 * never leave half a report where a whole one was. */
static gboolean
report_to (BbReport    *report,
           const char  *path,
           const char  *format,
           GError     **error)
{
  g_autoptr(GOutputStream) file_out = NULL;
  g_autoptr(GOutputStream) out = NULL;
  gboolean existed = path != NULL && g_strcmp0 (path, "-") != 0
                     && g_file_test (path, G_FILE_TEST_EXISTS);
  gboolean ok;

  file_out = bb_cli_open_output (path, error);
  if (file_out == NULL)
    return FALSE;
  out = g_buffered_output_stream_new (file_out);

  if (g_str_equal (format, "csv"))
    ok = bb_report_write_csv (report, out, NULL, error);
  else if (g_str_equal (format, "pdf"))
    ok = bb_report_write_pdf (report, out, NULL, error);
  else
    ok = bb_report_write_text (report, out, NULL, error);

  if (!ok)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();

      /* A cancelled close does not replace the old file. */
      g_cancellable_cancel (cancellable);
      g_output_stream_close (out, cancellable, NULL);
      if (path != NULL && g_strcmp0 (path, "-") != 0 && !existed)
        g_unlink (path);
      return FALSE;
    }

  return g_output_stream_close (out, NULL, error);
}

int
bb_cli_cmd_report (BbCli  *cli,
                   int     argc,
                   char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BbReport) report = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *format = NULL;
  g_autofree char *output = NULL;
  int hotspots = G_MININT;
  BbSession *session;
  const char *display_name;
  const GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &from,
      N_("First day of the period (local date)"), N_("YYYY-MM-DD") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to,
      N_("Day after the period’s last day (local date)"), N_("YYYY-MM-DD") },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      N_("text (the default), csv or pdf"), N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write to PATH instead of standard output"), N_("PATH") },
    { "hotspots", 0, 0, G_OPTION_ARG_INT, &hotspots,
      N_("How many hotspots to list (10 unless given)"), N_("N") },
    { NULL }
  };

  context = bb_cli_option_context_new (cli, argv[0], NULL,
                                       _("The partnership’s figures for a period, against the period before."),
                                       _("Counts the live records in this device’s store from London midnight\n"
                                         "on --from to London midnight on --to: --from 2026-03-01 --to 2026-04-01\n"
                                         "is March 2026. The previous period is as long and ends where this one\n"
                                         "starts (whole months when both dates are the 1st of a month, so a\n"
                                         "quarter is compared with the quarter before).\n"
                                         "\n"
                                         "Figures: records by kind, CSP priority, ward, priority and ward, month;\n"
                                         "patrol observations by category, by category and ward, and the places\n"
                                         "with most of them; Section 59 warnings and seizures; engagement reach;\n"
                                         "VAWG walks and unsafe spots. Each with the previous period's count and\n"
                                         "the change (\"n/a\" when the previous count is 0).\n"
                                         "\n"
                                         "csv is one table: section, item, current, previous, change.\n"
                                         "pdf is an A4 report with tables and bar charts."),
                                       entries);
  if (!bb_cli_parse (context, argv[0], &argc, &argv))
    return BB_CLI_EXIT_USAGE;

  if (argc > 1)
    return bb_cli_usage_error (context, argv[0], _("unexpected argument “%s”."), argv[1]);
  if (from == NULL || to == NULL)
    return bb_cli_usage_error (context, argv[0],
                               _("give the period as --from YYYY-MM-DD --to YYYY-MM-DD."));
  if (format == NULL)
    format = g_strdup ("text");
  if (!g_str_equal (format, "text") && !g_str_equal (format, "csv") && !g_str_equal (format, "pdf"))
    return bb_cli_usage_error (context, argv[0],
                               _("unknown format “%s”: use text, csv or pdf."), format);
  if (output != NULL && *output == '\0')
    return bb_cli_usage_error (context, argv[0], _("--output needs a file name."));
  if (output != NULL && g_file_test (output, G_FILE_TEST_IS_DIR))
    return bb_cli_usage_error (context, argv[0],
                               _("%s is a directory: --output needs a file name."), output);
  if (hotspots != G_MININT && hotspots < 1)
    return bb_cli_usage_error (context, argv[0],
                               _("--hotspots needs a number of places, 1 or more."));

  session = bb_cli_get_session (cli);
  if (session == NULL)
    return BB_CLI_EXIT_INVALID;

  report = bb_report_new (bb_session_get_profile (session), from, to, &error);
  if (report == NULL)
    return bb_cli_usage_error (context, argv[0], "%s.", error->message);

  if (hotspots != G_MININT)
    bb_report_set_hotspot_limit (report, hotspots);
  display_name = bb_session_get_display_name (session);
  if (display_name != NULL && *display_name != '\0')
    bb_report_set_generated_by (report, display_name);

  if (!bb_report_collect (report, bb_session_get_store (session), NULL, &error))
    {
      bb_cli_error (_("can not read the records: %s"), error->message);
      return BB_CLI_EXIT_INVALID;
    }

  if (!report_to (report, output, format, &error))
    {
      bb_cli_error (_("can not write the report to %s: %s"),
                    output != NULL ? output : _("standard output"), error->message);
      return BB_CLI_EXIT_INVALID;
    }

  return BB_CLI_EXIT_OK;
}
