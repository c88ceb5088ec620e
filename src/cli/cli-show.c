/* cli-show.c: the show and delete commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-cli"

#include "config.h"

#include <string.h>

#include "cli-private.h"

/* Width of the labels of the record's header lines. */
#define HEADER_WIDTH 14

static BbRecord *
get_record_or_complain (BbSession  *session,
                        const char *id)
{
  g_autoptr(GError) error = NULL;
  BbRecord *record;

  record = bb_store_get_record (bb_session_get_store (session), id, &error);
  if (record == NULL)
    {
      if (g_error_matches (error, BB_STORE_ERROR, BB_STORE_ERROR_NOT_FOUND))
        bb_cli_error (_("there is no record with id “%s”."), id);
      else
        bb_cli_error ("%s", error->message);
    }

  return record;
}

static void
append_indent (GString *out,
               guint    indent)
{
  for (guint i = 0; i < indent; i++)
    g_string_append_c (out, ' ');
}

/* Multi-line text keeps its line breaks, each continuation indented under
 * the value. */
static void
append_text (GString    *out,
             const char *text,
             guint       indent)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\r')
        continue;
      g_string_append_c (out, *p);
      if (*p == '\n' && p[1] != '\0')
        append_indent (out, indent);
    }
}

static const char *
choice_label (BbProfile   *profile,
              const char  *list,
              const char  *id)
{
  const char *label = bb_profile_get_choice_label (profile, list, id);

  return label != NULL ? label : id;
}

/* A scalar or list value as one line of text; NULL for objects. */
static char *
dup_value_text (BbProfile         *profile,
                const BbFieldSpec *spec,
                JsonNode          *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");

  switch (spec->type)
    {
    case BB_FIELD_OBJECT:
    case BB_FIELD_OBJECT_LIST:
      return NULL;

    default:
      break;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) &&
      spec->type != BB_FIELD_CHOICE_LIST &&
      spec->type != BB_FIELD_TEXT_LIST &&
      spec->type != BB_FIELD_ID_LIST)
    return json_to_string (node, FALSE);

  switch (spec->type)
    {
    case BB_FIELD_TEXT:
    case BB_FIELD_DATE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
      break;

    case BB_FIELD_TIME:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return bb_time_format_local (json_node_get_string (node), "%-d %B %Y %H:%M %Z");
      break;

    case BB_FIELD_COUNT:
      if (json_node_get_value_type (node) == G_TYPE_INT64)
        return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      break;

    case BB_FIELD_NUMBER:
      if (json_node_get_value_type (node) == G_TYPE_INT64 ||
          json_node_get_value_type (node) == G_TYPE_DOUBLE)
        return bb_cli_format_number (json_node_get_double (node));
      break;

    case BB_FIELD_BOOL:
      if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (node) ? _("yes") : _("no"));
      break;

    case BB_FIELD_CHOICE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return g_strdup (choice_label (profile, spec->choices, json_node_get_string (node)));
      break;

    case BB_FIELD_VRM:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        {
          const char *vrm = json_node_get_string (node);
          g_autofree char *display = bb_vrm_format_display (vrm);

          if (bb_vrm_recognise (vrm) == BB_VRM_UNRECOGNISED)
            return g_strdup_printf (_("%s (not a recognised GB or NI format)"), display);
          return g_steal_pointer (&display);
        }
      break;

    case BB_FIELD_CHOICE_LIST:
    case BB_FIELD_TEXT_LIST:
    case BB_FIELD_ID_LIST:
      if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          GString *out = g_string_new (NULL);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              const char *item = json_array_get_string_element (array, i);

              if (item == NULL)
                continue;
              if (out->len > 0)
                g_string_append (out, ", ");
              g_string_append (out, spec->type == BB_FIELD_CHOICE_LIST
                                      ? choice_label (profile, spec->choices, item)
                                      : item);
            }
          return g_string_free (out, FALSE);
        }
      break;

    case BB_FIELD_OBJECT:
    case BB_FIELD_OBJECT_LIST:
    default:
      break;
    }

  /* Stored records are validated; show whatever is there rather than
   * hide it. */
  return json_to_string (node, FALSE);
}

static void append_fields (GString           *out,
                           BbProfile         *profile,
                           const BbFieldSpec *table,
                           JsonObject        *fields,
                           guint              indent);

static void
append_field (GString           *out,
              BbProfile         *profile,
              const BbFieldSpec *spec,
              JsonNode          *node,
              guint              indent)
{
  const char *label = _(spec->label);

  append_indent (out, indent);

  if (spec->type == BB_FIELD_OBJECT && JSON_NODE_HOLDS_OBJECT (node))
    {
      g_string_append_printf (out, "%s:\n", label);
      append_fields (out, profile, spec->children, json_node_get_object (node), indent + 2);
    }
  else if (spec->type == BB_FIELD_OBJECT_LIST && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      g_string_append_printf (out, "%s:", label);
      if (json_array_get_length (array) == 0)
        g_string_append_printf (out, " %s", _("none"));
      g_string_append_c (out, '\n');

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);

          append_indent (out, indent + 2);
          g_string_append_printf (out, "%u.\n", i + 1);
          if (JSON_NODE_HOLDS_OBJECT (item))
            append_fields (out, profile, spec->children, json_node_get_object (item), indent + 4);
        }
    }
  else
    {
      g_autofree char *value = dup_value_text (profile, spec, node);

      g_string_append_printf (out, "%s: ", label);
      if (value != NULL)
        append_text (out, value, indent + 2);
      g_string_append_c (out, '\n');
    }
}

static void
append_fields (GString           *out,
               BbProfile         *profile,
               const BbFieldSpec *table,
               JsonObject        *fields,
               guint              indent)
{
  for (const BbFieldSpec *spec = table; spec != NULL && spec->name != NULL; spec++)
    {
      JsonNode *node = json_object_get_member (fields, spec->name);

      /* Files are listed with their upload state, below. */
      if (spec->flags & BB_FIELD_FLAG_EVIDENCE)
        continue;
      if (node != NULL)
        append_field (out, profile, spec, node, indent);
    }
}

static void
append_header_line (GString    *out,
                    const char *label,
                    const char *value)
{
  g_autofree char *with_colon = g_strdup_printf ("%s:", label);

  bb_cli_append_padded (out, with_colon, HEADER_WIDTH);
  g_string_append_c (out, ' ');
  append_text (out, value != NULL ? value : "", HEADER_WIDTH + 1);
  g_string_append_c (out, '\n');
}

static const char *
blob_state_label (BbBlobState state)
{
  switch (state)
    {
    case BB_BLOB_STATE_WAITING:
      return _("waiting to upload");
    case BB_BLOB_STATE_UPLOADED:
      return _("uploaded");
    case BB_BLOB_STATE_CACHED:
      return _("on the server, copy on this device");
    case BB_BLOB_STATE_ABSENT:
    default:
      return _("on the server, not on this device");
    }
}

/* "Photos and files:" then one numbered entry per file: name, type, size,
 * where it stands, and its SHA-256 (the proof it was never altered). */
static void
append_attachments (GString    *out,
                    BbStore    *store,
                    JsonObject *fields)
{
  g_autoptr(GPtrArray) attachments = bb_attachments_from_fields (fields);

  if (attachments->len == 0)
    return;

  g_string_append_printf (out, "%s:\n", _("Photos and files"));
  for (guint i = 0; i < attachments->len; i++)
    {
      BbAttachment *attachment = attachments->pdata[i];
      g_autofree char *size = g_format_size ((guint64) attachment->size);
      BbBlobState state = bb_store_get_blob_state (store, attachment->sha256);

      g_string_append_printf (out, "  %u. %s (%s, %s): %s\n", i + 1, attachment->name,
                              attachment->media_type, size, blob_state_label (state));
      g_string_append_printf (out, "     SHA-256 %s\n", attachment->sha256);
      if (attachment->taken_at != NULL)
        {
          g_autofree char *taken = bb_cli_format_local_time (attachment->taken_at);

          g_string_append_printf (out, "     %s %s\n", _("Taken"), taken);
        }
    }
}

static char *
dup_record_text (BbRecord  *record,
                 BbStore   *store,
                 BbProfile *profile)
{
  const BbKindSpec *kind = bb_record_get_kind_spec (record);
  JsonObject *fields = bb_record_get_fields (record);
  GString *out = g_string_new (NULL);
  g_autofree char *title = bb_record_dup_title (record, profile);
  g_autofree char *occurred = NULL;
  g_autofree char *priority = NULL;
  g_autofree char *author = NULL;
  g_autofree char *revision = NULL;
  const char *priority_label;
  const char *sync_message;
  JsonArray *comments;

  g_string_append_printf (out, "%s\n\n", title);

  append_header_line (out, _("ID"), bb_record_get_id (record));
  append_header_line (out, _("Kind"), kind != NULL ? bb_kind_get_label (kind)
                                                   : bb_record_get_kind (record));
  occurred = bb_time_format_local (bb_record_get_occurred_at (record), "%-d %B %Y %H:%M %Z");
  append_header_line (out, _("Occurred"), occurred);

  priority_label = bb_profile_get_priority_label (profile, bb_record_get_priority (record));
  priority = priority_label != NULL
    ? g_strdup_printf ("%d, %s", bb_record_get_priority (record), priority_label)
    : g_strdup_printf ("%d", bb_record_get_priority (record));
  append_header_line (out, _("Priority"), priority);

  if (bb_record_get_author_name (record) != NULL || bb_record_get_author_id (record) != NULL)
    {
      const char *name = bb_record_get_author_name (record);
      const char *role = bb_record_get_author_role (record);

      if (name == NULL)
        name = bb_record_get_author_id (record);
      author = role != NULL
        ? g_strdup_printf ("%s (%s)", name, bb_role_get_label (bb_role_from_string (role)))
        : g_strdup (name);
      append_header_line (out, _("Author"), author);
    }

  if (kind != NULL)
    append_header_line (out, _("Data regime"),
                        kind->regime == BB_REGIME_LAW_ENFORCEMENT
                          ? _("law enforcement (DPA 2018 Part 3)")
                          : _("UK GDPR"));

  if (json_object_has_member (fields, "expires_at"))
    {
      g_autofree char *expires =
        bb_time_format_local (json_object_get_string_member (fields, "expires_at"),
                              "%-d %B %Y %H:%M %Z");

      append_header_line (out, _("Expires"), expires);
    }

  revision = g_strdup_printf ("%" G_GINT64_FORMAT, bb_record_get_rev (record));
  append_header_line (out, _("Revision"), revision);
  append_header_line (out, _("Review"), bb_record_get_review_state (record));

  comments = bb_record_get_review_comments (record);
  for (guint i = 0; comments != NULL && i < json_array_get_length (comments); i++)
    {
      JsonObject *comment = json_array_get_object_element (comments, i);
      g_autofree char *line = NULL;
      g_autofree char *at = NULL;

      if (comment == NULL)
        continue;
      at = bb_cli_format_local_time (json_object_get_string_member_with_default (comment, "at", ""));
      line = g_strdup_printf ("%s, %s: %s",
                              json_object_get_string_member_with_default (comment, "author", ""),
                              at,
                              json_object_get_string_member_with_default (comment, "text", ""));
      append_header_line (out, _("Comment"), line);
    }

  append_header_line (out, _("Sync state"),
                      bb_sync_state_get_label (bb_record_get_sync_state (record)));
  sync_message = bb_record_get_sync_message (record);
  if (sync_message != NULL && *sync_message != '\0')
    append_header_line (out, _("Sync message"), sync_message);

  if (bb_record_get_deleted (record))
    append_header_line (out, _("Deleted"), _("yes"));

  g_string_append_c (out, '\n');
  append_fields (out, profile, bb_kind_common_fields (), fields, 0);
  if (kind != NULL)
    append_fields (out, profile, kind->fields, fields, 0);
  append_attachments (out, store, fields);

  return g_string_free (out, FALSE);
}

int
bb_cli_cmd_show (BbCli  *cli,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BbRecord) record = NULL;
  gboolean as_json = FALSE;
  BbSession *session;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json,
      N_("Print the record as JSON (the sync API's pull shape plus sync_state)"), NULL },
    { NULL }
  };

  context = bb_cli_option_context_new (cli, argv[0], "ID",
                                       _("Show one record: its kind, title, time in local time,\n"
                                         "every field with its label, and its sync state."),
                                       _("Deleted records are shown too, marked as deleted."),
                                       entries);
  if (!bb_cli_parse (context, argv[0], &argc, &argv))
    return BB_CLI_EXIT_USAGE;

  if (argc < 2)
    return bb_cli_usage_error (context, argv[0], _("the id of the record is missing."));
  if (argc > 2)
    return bb_cli_usage_error (context, argv[0], _("unexpected argument “%s”."), argv[2]);

  session = bb_cli_get_session (cli);
  if (session == NULL)
    return BB_CLI_EXIT_INVALID;

  record = get_record_or_complain (session, argv[1]);
  if (record == NULL)
    return BB_CLI_EXIT_INVALID;

  if (as_json)
    {
      g_autoptr(JsonNode) node = bb_record_to_json (record, TRUE);
      g_autofree char *text = bb_cli_json_to_string (node, TRUE);

      g_print ("%s\n", text);
    }
  else
    {
      g_autofree char *text = dup_record_text (record, bb_session_get_store (session),
                                               bb_session_get_profile (session));

      g_print ("%s", text);
    }

  return BB_CLI_EXIT_OK;
}

int
bb_cli_cmd_delete (BbCli  *cli,
                   int     argc,
                   char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BbRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  BbSession *session;

  context = bb_cli_option_context_new (cli, argv[0], "ID",
                                       _("Delete a record."),
                                       _("The record is kept as a tombstone until the next sync tells the\n"
                                         "server, so the deletion reaches every device."),
                                       NULL);
  if (!bb_cli_parse (context, argv[0], &argc, &argv))
    return BB_CLI_EXIT_USAGE;

  if (argc < 2)
    return bb_cli_usage_error (context, argv[0], _("the id of the record is missing."));
  if (argc > 2)
    return bb_cli_usage_error (context, argv[0], _("unexpected argument “%s”."), argv[2]);

  session = bb_cli_get_session (cli);
  if (session == NULL)
    return BB_CLI_EXIT_INVALID;

  record = get_record_or_complain (session, argv[1]);
  if (record == NULL)
    return BB_CLI_EXIT_INVALID;

  if (bb_record_get_deleted (record))
    {
      bb_cli_error (_("record “%s” is already deleted."), argv[1]);
      return BB_CLI_EXIT_INVALID;
    }

  if (!bb_store_delete_record (bb_session_get_store (session), argv[1], &error))
    {
      bb_cli_error (_("record “%s” was not deleted: %s"), argv[1], error->message);
      return BB_CLI_EXIT_INVALID;
    }

  g_print (_("Deleted %s\n"), argv[1]);

  return BB_CLI_EXIT_OK;
}
