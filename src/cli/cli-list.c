/* cli-list.c: the list command
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-cli"

#include "config.h"

#include "cli-private.h"

/* Column widths of the table; the title takes what it needs. */
#define ID_WIDTH    36
#define KIND_WIDTH  20
#define TIME_WIDTH  16
#define WARD_WIDTH  22
#define TITLE_WIDTH 40

typedef struct
{
  BbProfile *profile;
  gboolean   as_json;
  guint      n_records;
} ListState;

static void
print_table_header (void)
{
  g_autoptr(GString) line = g_string_new (NULL);

  bb_cli_append_padded (line, _("ID"), ID_WIDTH);
  g_string_append (line, "  ");
  bb_cli_append_padded (line, _("Kind"), KIND_WIDTH);
  g_string_append (line, "  ");
  bb_cli_append_padded (line, _("Time"), TIME_WIDTH);
  g_string_append (line, "  ");
  bb_cli_append_padded (line, _("Ward"), WARD_WIDTH);
  g_string_append (line, "  ");
  bb_cli_append_padded (line, _("Title"), TITLE_WIDTH);
  g_string_append (line, "  ");
  g_string_append (line, _("Sync"));
  g_print ("%s\n", line->str);
}

static gboolean
print_record (BbRecord  *record,
              gpointer   user_data,
              GError   **error)
{
  ListState *state = user_data;
  g_autoptr(GString) line = g_string_new (NULL);

  if (state->as_json)
    {
      g_autoptr(JsonNode) node = bb_record_to_json (record, TRUE);
      g_autofree char *text = bb_cli_json_to_string (node, TRUE);

      g_print ("%s%s", state->n_records > 0 ? ",\n" : "[\n", text);
    }
  else
    {
      const BbKindSpec *kind = bb_record_get_kind_spec (record);
      const char *ward = bb_record_get_field_string (record, "ward");
      const char *ward_label = NULL;
      g_autofree char *time = bb_cli_format_local_time (bb_record_get_occurred_at (record));
      g_autofree char *title = bb_record_dup_title (record, state->profile);
      g_autofree char *title_line = NULL;

      if (state->n_records == 0)
        print_table_header ();

      if (ward != NULL)
        ward_label = bb_profile_get_choice_label (state->profile, "wards", ward);

      /* A title is one line in a table. */
      title_line = g_strdelimit (g_strdup (title != NULL ? title : ""), "\r\n\t", ' ');

      bb_cli_append_padded (line, bb_record_get_id (record), ID_WIDTH);
      g_string_append (line, "  ");
      bb_cli_append_padded (line, kind != NULL ? bb_kind_get_label (kind)
                                               : bb_record_get_kind (record), KIND_WIDTH);
      g_string_append (line, "  ");
      bb_cli_append_padded (line, time, TIME_WIDTH);
      g_string_append (line, "  ");
      bb_cli_append_padded (line, ward_label != NULL ? ward_label : ward, WARD_WIDTH);
      g_string_append (line, "  ");
      bb_cli_append_padded (line, title_line, TITLE_WIDTH);
      g_string_append (line, "  ");
      if (bb_record_get_deleted (record))
        g_string_append_printf (line, "%s, ", _("deleted"));
      g_string_append (line, bb_sync_state_get_label (bb_record_get_sync_state (record)));
      g_print ("%s\n", line->str);
    }

  state->n_records++;

  return TRUE;
}

int
bb_cli_cmd_list (BbCli  *cli,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kind_id = NULL;
  g_autofree char *search = NULL;
  gboolean as_json = FALSE;
  gboolean deleted = FALSE;
  int limit = G_MININT; /* not given: every record */
  BbSession *session;
  BbQuery query = { NULL };
  ListState state = { NULL };
  const GOptionEntry entries[] = {
    { "kind", 'k', 0, G_OPTION_ARG_STRING, &kind_id,
      N_("Only records of KIND"), N_("KIND") },
    { "search", 's', 0, G_OPTION_ARG_STRING, &search,
      N_("Only records whose text matches all the WORDS (as word beginnings)"), N_("WORDS") },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit,
      N_("At most N records"), N_("N") },
    { "deleted", 0, 0, G_OPTION_ARG_NONE, &deleted,
      N_("Include deleted records"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json,
      N_("Print a JSON array of records (the sync API's pull shape plus sync_state)"), NULL },
    { NULL }
  };

  context = bb_cli_option_context_new (cli, argv[0], NULL,
                                       _("List records, newest first: id, kind, local time, ward,\n"
                                         "title and sync state."),
                                       _("Records are read from the store a page at a time, so a long\n"
                                         "list starts at once and needs little memory."),
                                       entries);
  if (!bb_cli_parse (context, argv[0], &argc, &argv))
    return BB_CLI_EXIT_USAGE;

  if (argc > 1)
    return bb_cli_usage_error (context, argv[0], _("unexpected argument “%s”."), argv[1]);
  if (limit == G_MININT)
    limit = 0;
  else if (limit < 1)
    return bb_cli_usage_error (context, argv[0], _("--limit must be 1 or more, not %d."), limit);

  if (kind_id != NULL && bb_cli_lookup_kind (kind_id) == NULL)
    return BB_CLI_EXIT_INVALID;

  session = bb_cli_get_session (cli);
  if (session == NULL)
    return BB_CLI_EXIT_INVALID;

  query.kind = kind_id;
  query.search = search != NULL && *search != '\0' ? search : NULL;
  query.include_deleted = deleted;
  state.profile = bb_session_get_profile (session);
  state.as_json = as_json;

  if (!bb_cli_foreach_record (bb_session_get_store (session), &query, (guint) limit,
                              print_record, &state, &error))
    {
      if (as_json && state.n_records > 0)
        g_print ("\n]\n");
      bb_cli_error (_("can not read the records: %s"), error->message);
      return BB_CLI_EXIT_INVALID;
    }

  if (as_json)
    g_print ("%s\n", state.n_records > 0 ? "\n]" : "[]");
  else if (state.n_records == 0)
    g_print ("%s\n", _("No records."));

  return BB_CLI_EXIT_OK;
}
