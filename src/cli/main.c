/* main.c: beatbook-cli, the local store from a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-cli"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli-private.h"

static int cmd_help (BbCli *cli, int argc, char **argv);

/* One line per command. Commands still to come (login, logout, sync,
 * lookup, report) go here too, each with its own cli-NAME.c. */
static const BbCliCommand commands[] = {
  { "add",      N_("Add a record from a JSON file"),                  bb_cli_cmd_add },
  { "edit",     N_("Change a record from a JSON file"),               bb_cli_cmd_edit },
  { "delete",   N_("Delete a record"),                                bb_cli_cmd_delete },
  { "show",     N_("Show one record"),                                bb_cli_cmd_show },
  { "list",     N_("List records, newest first"),                     bb_cli_cmd_list },
  { "export",   N_("Export records as CSV or JSON"),                  bb_cli_cmd_export },
  { "import",   N_("Add many records from JSON Lines or CSV"),        bb_cli_cmd_import },
  { "status",   N_("Show the store, the outbox and who is signed in"), bb_cli_cmd_status },
  { "identity", N_("Show or set who is using this device"),           bb_cli_cmd_identity },
  { "kinds",    N_("List the record kinds and which you may create"), bb_cli_cmd_kinds },
  { "login",    N_("Sign in to a Beatbook server"),                   bb_cli_cmd_login },
  { "adopt",    N_("Make records logged before sign-in yours"),       bb_cli_cmd_adopt },
  { "sync",     N_("Send and receive records"),                       bb_cli_cmd_sync },
  { "lookup",   N_("Look for Section 59 warnings of the last year"),  bb_cli_cmd_lookup },
  { "report",   N_("Figures for a period as text, CSV or PDF"),       bb_cli_cmd_report },
  { "ward",     N_("Name the ward that holds a latitude and longitude"), bb_cli_cmd_ward },
  { "logout",   N_("Sign out"),                                       bb_cli_cmd_logout },
  { "help",     N_("Show the help of a command"),                     cmd_help },
};

const BbCliCommand *
bb_cli_find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_strcmp0 (commands[i].name, name) == 0)
      return &commands[i];

  return NULL;
}

static char *
dup_commands_summary (void)
{
  GString *out = g_string_new (_("Commands:"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_string_append (out, "\n  ");
      bb_cli_append_padded (out, commands[i].name, 10);
      g_string_append_printf (out, "  %s", _(commands[i].summary));
    }

  return g_string_free (out, FALSE);
}

static const char *
exit_codes_text (void)
{
  return _("Run “beatbook-cli COMMAND --help” for the options of a command.\n"
           "\n"
           "The data directory is --data-dir DIR, else $BEATBOOK_DATA_DIR, else\n"
           "$XDG_DATA_HOME/beatbook.\n"
           "\n"
           "Exit status:\n"
           "  0  success\n"
           "  1  invalid input, record not found, or the action was refused\n"
           "  2  usage error: unknown command or option, missing argument");
}

static int
cmd_help (BbCli *cli,
          int    argc,
          char **argv)
{
  const BbCliCommand *command;
  char *help_argv[] = { NULL, (char *) "--help", NULL };

  if (argc < 2)
    {
      g_autofree char *summary = dup_commands_summary ();

      g_print ("%s\n  beatbook-cli [--data-dir DIR] COMMAND [OPTION…]\n\n%s\n\n%s\n",
               _("Usage:"), summary, exit_codes_text ());
      return BB_CLI_EXIT_OK;
    }

  command = bb_cli_find_command (argv[1]);
  if (command != NULL && command->run == cmd_help)
    {
      char *program_argv[] = { argv[0], NULL };

      return cmd_help (cli, 1, program_argv);
    }
  if (command == NULL)
    {
      bb_cli_error (_("unknown command “%s”. Run “beatbook-cli --help” to see the commands."),
                    argv[1]);
      return BB_CLI_EXIT_USAGE;
    }

  /* The command's own --help prints and exits with 0. */
  help_argv[0] = (char *) command->name;
  return command->run (cli, 2, help_argv);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  const BbCliCommand *command;
  gboolean version = FALSE;
  g_autofree char *data_dir = NULL;
  BbCli cli = { NULL };
  int status;
  const GOptionEntry entries[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &cli.data_dir,
      N_("Keep the records in DIR"), N_("DIR") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      N_("Print the version and exit"), NULL },
    { NULL }
  };

  bb_i18n_init ();
  g_set_prgname ("beatbook-cli");

  context = g_option_context_new (_("COMMAND [OPTION…]"));
  summary = dup_commands_summary ();
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, exit_codes_text ());
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  /* Stop at the command: what follows it is the command's to parse. */
  g_option_context_set_strict_posix (context, TRUE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      bb_cli_error ("%s. %s", error->message,
                    _("Run “beatbook-cli --help” for usage."));
      return BB_CLI_EXIT_USAGE;
    }

  /* Freed on every return, early ones included. */
  data_dir = cli.data_dir;

  if (version)
    {
      g_print ("beatbook-cli %s\n", PACKAGE_VERSION);
      return BB_CLI_EXIT_OK;
    }

  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      bb_cli_error ("%s", _("a command is needed."));
      g_printerr ("\n%s", help);
      return BB_CLI_EXIT_USAGE;
    }

  command = bb_cli_find_command (argv[1]);
  if (command == NULL)
    {
      bb_cli_error (_("unknown command “%s”. Run “beatbook-cli --help” to see the commands."),
                    argv[1]);
      return BB_CLI_EXIT_USAGE;
    }

  status = command->run (&cli, argc - 1, argv + 1);

  g_clear_object (&cli.session);
  g_free (cli.cmd_data_dir);

  return status;
}
