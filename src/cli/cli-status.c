/* cli-status.c: the status, identity and kinds commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-cli"

#include "config.h"

#include "cli-private.h"

/* The sync engine's key for the time of the last complete sync. */
#ifdef BB_SYNC_META_LAST_SUCCESS
# define LAST_SYNC_KEY BB_SYNC_META_LAST_SUCCESS
#else
# define LAST_SYNC_KEY "sync.last_success"
#endif

#define STATUS_WIDTH 17

static void
print_line (const char *label,
            const char *value)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *with_colon = g_strdup_printf ("%s:", label);

  bb_cli_append_padded (line, with_colon, STATUS_WIDTH);
  g_string_append_printf (line, " %s", value != NULL ? value : "");
  g_print ("%s\n", line->str);
}

/* "PCSO 4521, Police officer or PCSO, staff number 4521" */
static char *
dup_identity_text (BbSession *session)
{
  const char *number = bb_session_get_staff_number (session);

  if (number != NULL && *number != '\0')
    return g_strdup_printf (_("%s, %s, staff number %s"),
                            bb_session_get_display_name (session),
                            bb_role_get_label (bb_session_get_role (session)),
                            number);

  return g_strdup_printf ("%s, %s", bb_session_get_display_name (session),
                          bb_role_get_label (bb_session_get_role (session)));
}

int
bb_cli_cmd_status (BbCli  *cli,
                   int     argc,
                   char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *records = NULL;
  g_autofree char *pending = NULL;
  g_autofree char *user = NULL;
  g_autofree char *last_sync = NULL;
  g_autofree char *last_sync_text = NULL;
  BbQuery query = { NULL };
  BbSession *session;
  BbStore *store;
  guint n_records = 0;

  context = bb_cli_option_context_new (cli, argv[0], NULL,
                                       _("Show how many records this device holds, how many changes\n"
                                         "wait to be sent, who is signed in and when the last sync was."),
                                       NULL, NULL);
  if (!bb_cli_parse_no_arguments (context, argv[0], &argc, &argv))
    return BB_CLI_EXIT_USAGE;

  session = bb_cli_get_session (cli);
  if (session == NULL)
    return BB_CLI_EXIT_INVALID;
  store = bb_session_get_store (session);

  if (!bb_store_count_records (store, &query, &n_records, &error))
    {
      bb_cli_error (_("can not count the records: %s"), error->message);
      return BB_CLI_EXIT_INVALID;
    }

  records = g_strdup_printf ("%u", n_records);
  pending = g_strdup_printf ("%u", bb_store_outbox_count (store));

  if (bb_session_is_signed_in (session))
    {
      g_autofree char *identity = dup_identity_text (session);

      user = g_strdup_printf (_("signed in as %s (user name %s) at %s"), identity,
                              bb_session_get_username (session),
                              bb_session_get_server_url (session));
    }
  else if (bb_session_has_identity (session))
    {
      g_autofree char *identity = dup_identity_text (session);

      user = g_strdup_printf (_("not signed in (local user: %s)"), identity);
    }
  else
    user = g_strdup (_("not signed in (no local user: run “beatbook-cli identity --name NAME --role ROLE”)"));

  last_sync = bb_store_get_meta (store, LAST_SYNC_KEY);
  if (last_sync != NULL && *last_sync != '\0')
    last_sync_text = bb_time_format_local (last_sync, "%-d %B %Y %H:%M %Z");
  else
    last_sync_text = g_strdup (_("never"));

  print_line (_("Records"), records);
  print_line (_("Pending changes"), pending);
  print_line (_("User"), user);
  print_line (_("Last sync"), last_sync_text);
  print_line (_("Profile"), bb_profile_get_name (bb_session_get_profile (session)));
  print_line (_("Data directory"), bb_session_get_data_dir (session));

  return BB_CLI_EXIT_OK;
}

static char *
dup_roles_text (void)
{
  GString *out = g_string_new (NULL);

  for (BbRole role = BB_ROLE_OFFICER; role <= BB_ROLE_ADMIN; role++)
    g_string_append_printf (out, "%s%s", out->len > 0 ? ", " : "", bb_role_to_string (role));

  return g_string_free (out, FALSE);
}

int
bb_cli_cmd_identity (BbCli  *cli,
                     int     argc,
                     char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *role_id = NULL;
  g_autofree char *staff_number = NULL;
  g_autofree char *roles = dup_roles_text ();
  g_autofree char *description = NULL;
  g_autofree char *text = NULL;
  BbSession *session;
  BbRole role;
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name,
      N_("The name records are signed with, e.g. “PCSO 4521”"), N_("NAME") },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role_id,
      N_("officer, warden, councillor, supervisor or admin"), N_("ROLE") },
    { "staff-number", 0, 0, G_OPTION_ARG_STRING, &staff_number,
      N_("Force (collar) or staff number"), N_("N") },
    { NULL }
  };

  description = g_strdup_printf (_("Without options, prints the current identity. With --name and --role,\n"
                                   "sets it: records added afterwards have this author. Roles: %s.\n"
                                   "The role decides which kinds may be created (see “beatbook-cli kinds”)."),
                                 roles);
  context = bb_cli_option_context_new (cli, argv[0], NULL,
                                       _("Show or set who is using this device."),
                                       description, entries);
  if (!bb_cli_parse_no_arguments (context, argv[0], &argc, &argv))
    return BB_CLI_EXIT_USAGE;

  if (name == NULL && role_id == NULL && staff_number == NULL)
    {
      session = bb_cli_get_session (cli);
      if (session == NULL)
        return BB_CLI_EXIT_INVALID;

      if (!bb_session_has_identity (session))
        {
          bb_cli_error ("%s", _("nobody is set up on this device yet. "
                                "Run “beatbook-cli identity --name NAME --role ROLE”."));
          return BB_CLI_EXIT_INVALID;
        }

      print_line (_("Name"), bb_session_get_display_name (session));
      print_line (_("Role"), bb_role_to_string (bb_session_get_role (session)));
      print_line (_("Staff number"), bb_session_get_staff_number (session));
      print_line (_("User id"), bb_session_get_user_id (session));
      return BB_CLI_EXIT_OK;
    }

  if (name == NULL)
    return bb_cli_usage_error (context, argv[0], _("--name NAME is missing."));
  if (role_id == NULL)
    return bb_cli_usage_error (context, argv[0], _("--role ROLE is missing."));

  role = bb_role_from_string (role_id);
  if (role == BB_ROLE_NONE)
    {
      bb_cli_error (_("unknown role “%s”. The roles are: %s."), role_id, roles);
      return BB_CLI_EXIT_INVALID;
    }

  session = bb_cli_get_session (cli);
  if (session == NULL)
    return BB_CLI_EXIT_INVALID;

  /* A signed-in user's name and role are the server's. */
  if (bb_session_is_signed_in (session))
    {
      bb_cli_error (_("signed in as %s: the name and role come from the server. "
                      "Run “beatbook-cli logout” first to change the device's local identity."),
                    bb_session_get_username (session));
      return BB_CLI_EXIT_INVALID;
    }

  if (!bb_session_set_identity (session, name, role, staff_number, &error))
    {
      bb_cli_error (_("the identity was not set: %s"), error->message);
      return BB_CLI_EXIT_INVALID;
    }

  text = dup_identity_text (session);
  g_print (_("This device now logs records as %s.\n"), text);

  return BB_CLI_EXIT_OK;
}

int
bb_cli_cmd_kinds (BbCli  *cli,
                  int     argc,
                  char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  const BbKindSpec * const *kinds = bb_kind_all ();
  BbSession *session;
  BbRole role;

  context = bb_cli_option_context_new (cli, argv[0], NULL,
                                       _("List the record kinds, their default priority, and whether\n"
                                         "the current role may create them."),
                                       NULL, NULL);
  if (!bb_cli_parse_no_arguments (context, argv[0], &argc, &argv))
    return BB_CLI_EXIT_USAGE;

  session = bb_cli_get_session (cli);
  if (session == NULL)
    return BB_CLI_EXIT_INVALID;
  role = bb_session_get_role (session);

  if (role == BB_ROLE_NONE)
    g_print ("%s\n\n", _("No identity is set: run “beatbook-cli identity --name NAME --role ROLE”."));
  else
    g_print (_("Role: %s\n\n"), bb_role_to_string (role));

  for (guint i = 0; kinds[i] != NULL; i++)
    {
      g_autoptr(GString) line = g_string_new (NULL);
      g_autofree char *priority = g_strdup_printf (_("priority %d"), kinds[i]->default_priority);

      bb_cli_append_padded (line, kinds[i]->id, 20);
      g_string_append (line, "  ");
      bb_cli_append_padded (line, bb_kind_get_label (kinds[i]), 20);
      g_string_append (line, "  ");
      bb_cli_append_padded (line, priority, 11);
      g_string_append (line, "  ");
      g_string_append (line, bb_kind_can_create (kinds[i], role) ? _("may create")
                                                                 : _("may not create"));
      g_print ("%s\n", line->str);
    }

  return BB_CLI_EXIT_OK;
}
