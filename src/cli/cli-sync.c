/* cli-sync.c: the login, logout, adopt, sync and lookup commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-cli"

#include "config.h"

#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "cli-private.h"

/* Exit status of `sync` when the server can't be reached (sync-api.md's
 * client contract: nothing is lost, try again later). */
#define EXIT_UNREACHABLE 2

static char *
read_password (void)
{
  struct termios old, quiet;
  gboolean tty = isatty (STDIN_FILENO);
  char buffer[1024];
  char *line;

  if (tty)
    {
      g_printerr ("%s", _("Password: "));
      tcgetattr (STDIN_FILENO, &old);
      quiet = old;
      quiet.c_lflag &= ~(tcflag_t)ECHO;
      tcsetattr (STDIN_FILENO, TCSANOW, &quiet);
    }
  line = fgets (buffer, sizeof buffer, stdin);
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSANOW, &old);
      g_printerr ("\n");
    }
  if (line == NULL)
    return NULL;
  buffer[strcspn (buffer, "\r\n")] = '\0';
  return g_strdup (buffer);
}

int
bb_cli_cmd_login (BbCli  *cli,
                  int     argc,
                  char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *server = NULL;
  g_autofree char *username = NULL;
  g_autofree char *ca_file = NULL;
  g_autofree char *device_name = NULL;
  g_autofree char *password = NULL;
  gboolean adopt = FALSE;
  BbSecretPlace place;
  BbSession *session;
  guint local;
  const GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, N_("The server’s address (https://…)"), N_("URL") },
    { "username", 'u', 0, G_OPTION_ARG_STRING, &username, N_("Your user name on the server"), N_("USER") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, N_("Trust only this certificate authority"), N_("FILE") },
    { "device-name", 0, 0, G_OPTION_ARG_STRING, &device_name, N_("How the server lists this device"), N_("NAME") },
    { "adopt-local", 0, 0, G_OPTION_ARG_NONE, &adopt,
      N_("Send records logged here before anyone signed in, as yours"), NULL },
    { NULL }
  };

  context = bb_cli_option_context_new (cli, argv[0], NULL,
                                       _("Sign in to a Beatbook server. The password is read from\n"
                                         "standard input and never stored; the sync token is kept in\n"
                                         "the desktop keyring, or, where none is running, in a file\n"
                                         "only you can read."),
                                       NULL, entries);
  if (!bb_cli_parse_no_arguments (context, argv[0], &argc, &argv))
    return BB_CLI_EXIT_USAGE;
  if (server == NULL || username == NULL)
    return bb_cli_usage_error (context, argv[0], "%s", _("--server and --username are required."));

  session = bb_cli_get_session (cli);
  if (session == NULL)
    return BB_CLI_EXIT_INVALID;

  password = read_password ();
  if (password == NULL || *password == '\0')
    {
      bb_cli_error ("%s", _("no password on standard input."));
      return BB_CLI_EXIT_INVALID;
    }

  if (!bb_session_sign_in (session, server, ca_file, username, password, device_name,
                           &place, NULL, &error))
    {
      bb_cli_error ("%s", error->message);
      return g_error_matches (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNREACHABLE)
             ? EXIT_UNREACHABLE : BB_CLI_EXIT_INVALID;
    }

  g_print (_("Signed in as %s (%s) at %s.\n"), bb_session_get_display_name (session),
           bb_role_get_label (bb_session_get_role (session)), bb_session_get_server_url (session));
  if (place == BB_SECRET_KEYRING)
    g_print ("%s\n", _("The sync token is kept in the desktop keyring."));
  else
    g_print ("%s\n", _("No desktop keyring is running: the sync token is kept in a file only you can read, in the data directory."));

  local = bb_session_count_local_records (session);
  if (local > 0 && adopt)
    {
      guint n = 0;

      if (!bb_session_adopt_local_records (session, &n, &error))
        {
          bb_cli_error ("%s", error->message);
          return BB_CLI_EXIT_INVALID;
        }
      g_print (g_dngettext (GETTEXT_PACKAGE, "%u record logged before sign-in is now yours and will be sent at the next sync.\n",
                            "%u records logged before sign-in are now yours and will be sent at the next sync.\n", n), n);
    }
  else if (local > 0)
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "%u record was logged here before anyone signed in. To send it as yours, run “beatbook-cli adopt”.\n",
                          "%u records were logged here before anyone signed in. To send them as yours, run “beatbook-cli adopt”.\n",
                          local), local);

  return BB_CLI_EXIT_OK;
}

int
bb_cli_cmd_adopt (BbCli  *cli,
                  int     argc,
                  char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  BbSession *session;
  guint n = 0;

  context = bb_cli_option_context_new (cli, argv[0], NULL,
                                       _("Make the records logged on this device before anyone signed in\n"
                                         "yours, so the next sync sends them as yours."),
                                       NULL, NULL);
  if (!bb_cli_parse_no_arguments (context, argv[0], &argc, &argv))
    return BB_CLI_EXIT_USAGE;

  session = bb_cli_get_session (cli);
  if (session == NULL)
    return BB_CLI_EXIT_INVALID;
  if (!bb_session_is_signed_in (session))
    {
      bb_cli_error ("%s", _("not signed in: run “beatbook-cli login” first."));
      return BB_CLI_EXIT_INVALID;
    }
  if (!bb_session_adopt_local_records (session, &n, &error))
    {
      bb_cli_error ("%s", error->message);
      return BB_CLI_EXIT_INVALID;
    }
  g_print (g_dngettext (GETTEXT_PACKAGE, "%u record is now yours.\n", "%u records are now yours.\n", n), n);
  return BB_CLI_EXIT_OK;
}

int
bb_cli_cmd_logout (BbCli  *cli,
                   int     argc,
                   char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  BbSession *session;

  context = bb_cli_option_context_new (cli, argv[0], NULL,
                                       _("Sign out: the server forgets the session (when it can be\n"
                                         "reached) and this device forgets the token. Your records stay\n"
                                         "on the device, unseen by other users, for your next sign-in."),
                                       NULL, NULL);
  if (!bb_cli_parse_no_arguments (context, argv[0], &argc, &argv))
    return BB_CLI_EXIT_USAGE;

  session = bb_cli_get_session (cli);
  if (session == NULL)
    return BB_CLI_EXIT_INVALID;
  if (!bb_session_is_signed_in (session) && bb_session_get_server_url (session) == NULL)
    {
      g_print ("%s\n", _("Not signed in."));
      return BB_CLI_EXIT_OK;
    }
  if (!bb_session_sign_out (session, NULL, &error))
    {
      bb_cli_error ("%s", error->message);
      return BB_CLI_EXIT_INVALID;
    }
  g_print ("%s\n", _("Signed out."));
  return BB_CLI_EXIT_OK;
}

int
bb_cli_cmd_sync (BbCli  *cli,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  BbSyncStats stats = { 0 };
  BbSession *session;

  context = bb_cli_option_context_new (cli, argv[0], NULL,
                                       _("Send what was logged here and receive what you may see.\n"
                                         "Prints “pushed N, pulled M, conflicts C, rejected R, uploaded U”\n"
                                         "(U: photos and files the server now holds).\n"
                                         "Exit status: 0 synced, 1 refused (signed out, revoked),\n"
                                         "2 the server cannot be reached (nothing is lost: try again later)."),
                                       NULL, NULL);
  if (!bb_cli_parse_no_arguments (context, argv[0], &argc, &argv))
    return BB_CLI_EXIT_USAGE;

  session = bb_cli_get_session (cli);
  if (session == NULL)
    return BB_CLI_EXIT_INVALID;

  if (!bb_session_sync (session, &stats, NULL, &error))
    {
      bb_cli_error ("%s", error->message);
      if (g_error_matches (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNREACHABLE))
        {
          g_printerr ("%s\n", _("Nothing was lost: the records stay queued for the next sync."));
          return EXIT_UNREACHABLE;
        }
      return BB_CLI_EXIT_INVALID;
    }

  g_print ("pushed %u, pulled %u, conflicts %u, rejected %u, uploaded %u\n",
           stats.pushed, stats.pulled, stats.conflicts, stats.rejected, stats.uploaded);
  return BB_CLI_EXIT_OK;
}

static void
print_matches (GPtrArray  *matches,
               const char *where)
{
  if (matches->len == 0)
    {
      /* TRANSLATORS: %s says where: "on this device" or "on the server" */
      g_print (_("No Section 59 warning in the last 12 months %s.\n"), where);
      return;
    }

  g_print (g_dngettext (GETTEXT_PACKAGE, "%u warning in the last 12 months %s:\n",
                        "%u warnings in the last 12 months %s:\n", matches->len), matches->len, where);
  for (guint i = 0; i < matches->len; i++)
    {
      BbLookupMatch *m = g_ptr_array_index (matches, i);
      g_autofree char *issued = bb_cli_format_local_time (m->issued_at);
      g_autofree char *expires = bb_cli_format_local_time (m->expires_at);

      g_print (_("  issued %s at %s by %s, expires %s; vehicle %s; driver %s (%s)\n"),
               issued, m->location ? m->location : "?", m->officer ? m->officer : "?",
               expires, m->vrm ? m->vrm : "-", m->driver_name ? m->driver_name : "-", m->id);
    }
}

int
bb_cli_cmd_lookup (BbCli  *cli,
                   int     argc,
                   char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) offline = NULL;
  g_autoptr(GPtrArray) online = NULL;
  g_autoptr(BbClient) client = NULL;
  g_autofree char *vrm = NULL;
  g_autofree char *surname = NULL;
  g_autofree char *dob = NULL;
  BbLookupQuery query;
  BbSession *session;
  const GOptionEntry entries[] = {
    { "vrm", 0, 0, G_OPTION_ARG_STRING, &vrm, N_("Registration mark"), N_("MARK") },
    { "surname", 0, 0, G_OPTION_ARG_STRING, &surname, N_("Driver’s surname"), N_("NAME") },
    { "dob", 0, 0, G_OPTION_ARG_STRING, &dob, N_("Driver’s date of birth"), N_("YYYY-MM-DD") },
    { NULL }
  };

  context = bb_cli_option_context_new (cli, argv[0], NULL,
                                       _("Look for Section 59 warnings of the last 12 months, by\n"
                                         "registration mark or by surname and date of birth: on this\n"
                                         "device’s synced copy, and on the server when it can be reached.\n"
                                         "The answer says where it looked; Beatbook is not the police\n"
                                         "national record."),
                                       NULL, entries);
  if (!bb_cli_parse_no_arguments (context, argv[0], &argc, &argv))
    return BB_CLI_EXIT_USAGE;
  if ((vrm == NULL) == (surname == NULL) || (surname != NULL && dob == NULL))
    return bb_cli_usage_error (context, argv[0], "%s", _("give --vrm, or --surname with --dob."));

  session = bb_cli_get_session (cli);
  if (session == NULL)
    return BB_CLI_EXIT_INVALID;

  query = (BbLookupQuery) { vrm, surname, dob };
  offline = bb_lookup_offline (bb_session_get_store (session), &query,
                               bb_profile_get_s59_window_days (bb_session_get_profile (session)), &error);
  if (offline == NULL)
    {
      bb_cli_error ("%s", error->message);
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT)
             ? BB_CLI_EXIT_USAGE : BB_CLI_EXIT_INVALID;
    }
  print_matches (offline, _("on this device (its synced copy)"));

  if (!bb_session_is_signed_in (session))
    {
      g_print ("%s\n", _("Not signed in: the server was not asked."));
      return BB_CLI_EXIT_OK;
    }

  client = bb_session_create_client (session, &error);
  if (client != NULL)
    online = bb_lookup_online (client, &query, NULL, &error);
  if (online == NULL)
    {
      g_print (_("The server was not asked: %s\n"), error->message);
      return BB_CLI_EXIT_OK;
    }
  print_matches (online, _("on the server"));
  return BB_CLI_EXIT_OK;
}
