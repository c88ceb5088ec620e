/* cli-add.c: the add and edit commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-cli"

#include "config.h"

#include <string.h>

#include "cli-private.h"

/* What a person may put in the JSON of add and edit. */
typedef struct
{
  const char *occurred_at; /* NULL: now (add) or unchanged (edit) */
  gboolean    has_priority;
  int         priority;
  JsonObject *fields;      /* never NULL after read_input */
} RecordInput;

static const char *
input_shape_text (void)
{
  return _("The JSON is one object:\n"
           "  {\"occurred_at\": \"2026-03-01T21:14:00Z\", \"priority\": 2,\n"
           "   \"fields\": {\"ward\": \"town\", ...}}\n"
           "occurred_at (UTC) and priority are optional; fields holds the record's\n"
           "fields with the keys of the sync API and ids from the profile.\n"
           "Run “beatbook-cli kinds” for the kinds.");
}

/* Checks the top level; every problem goes into @problems so a person sees
 * them all at once. */
static void
read_input (JsonNode    *root,
            RecordInput *input,
            GPtrArray   *problems)
{
  JsonObject *object;
  g_autoptr(GList) members = NULL;

  input->fields = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_ptr_array_add (problems,
                       bb_cli_problem_new ("record", "invalid_json", BB_PROBLEM_ERROR,
                                           _("the JSON must be an object with “fields” (and optionally “occurred_at” and “priority”)")));
      input->fields = json_object_new ();
      return;
    }

  object = json_node_get_object (root);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *node = json_object_get_member (object, key);

      if (strcmp (key, "occurred_at") == 0)
        {
          if (JSON_NODE_HOLDS_VALUE (node) &&
              json_node_get_value_type (node) == G_TYPE_STRING)
            input->occurred_at = json_node_get_string (node);
          else
            g_ptr_array_add (problems,
                             bb_cli_problem_new (key, "invalid_type", BB_PROBLEM_ERROR,
                                                 _("must be a UTC time as text, like “2026-03-01T21:14:00Z”")));
        }
      else if (strcmp (key, "priority") == 0)
        {
          if (JSON_NODE_HOLDS_VALUE (node) &&
              json_node_get_value_type (node) == G_TYPE_INT64)
            {
              gint64 value = json_node_get_int (node);

              input->has_priority = TRUE;
              /* Out of range values are left for the validator to name. */
              input->priority = (int) CLAMP (value, G_MININT, G_MAXINT);
            }
          else
            g_ptr_array_add (problems,
                             bb_cli_problem_new (key, "invalid_type", BB_PROBLEM_ERROR,
                                                 _("must be a whole number from 1 to 4")));
        }
      else if (strcmp (key, "fields") == 0)
        {
          if (JSON_NODE_HOLDS_OBJECT (node))
            input->fields = json_object_ref (json_node_get_object (node));
          else
            g_ptr_array_add (problems,
                             bb_cli_problem_new (key, "invalid_type", BB_PROBLEM_ERROR,
                                                 _("must be an object of the record's fields")));
        }
      else
        g_ptr_array_add (problems,
                         bb_cli_problem_new (key, "invalid_field", BB_PROBLEM_ERROR,
                                             _("is not a known key: the object holds only “occurred_at”, “priority” and “fields”")));
    }

  if (input->fields == NULL)
    input->fields = json_object_new ();
}

static int
report_save (BbRecord   *record,
             gboolean    saved,
             GPtrArray  *problems,
             GError     *error)
{
  bb_cli_print_problems (problems);

  if (!saved)
    {
      if (error != NULL)
        bb_cli_error (_("the record was not saved: %s"), error->message);
      else
        bb_cli_error ("%s", _("the record was not saved: correct the problems above and try again."));
      return BB_CLI_EXIT_INVALID;
    }

  g_print ("%s\n", bb_record_get_id (record));
  return BB_CLI_EXIT_OK;
}

/* Keeps each file of @paths as evidence and adds it to @fields.attachments
 * (a file listed already is not listed twice). The profile's limits are
 * checked before a file is stored. */
static gboolean
attach_files (BbSession   *session,
              JsonObject  *fields,
              char       **paths)
{
  g_autoptr(GPtrArray) attachments = bb_attachments_from_fields (fields);
  BbStore *store = bb_session_get_store (session);

  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (paths[i]);
      g_autoptr(GError) error = NULL;
      BbAttachment *attachment;
      gboolean listed = FALSE;

      attachment = bb_store_import_evidence (store, bb_session_get_profile (session),
                                             attachments->len, file, NULL, NULL,
                                             NULL, NULL, NULL, &error);
      if (attachment == NULL)
        {
          bb_cli_error (_("cannot attach “%s”: %s Nothing was saved."), paths[i], error->message);
          return FALSE;
        }
      for (guint j = 0; j < attachments->len && !listed; j++)
        listed = g_str_equal (((BbAttachment *) attachments->pdata[j])->sha256, attachment->sha256);
      if (listed)
        bb_attachment_free (attachment);
      else
        g_ptr_array_add (attachments, attachment);
    }

  bb_attachments_set_in_fields (fields, attachments);
  return TRUE;
}

/* Reads the file (or, with no file, keeps the record's fields), checks its
 * shape, attaches @attach and, when all is well, fills @record and saves
 * it. */
static int
save_from_json (BbSession  *session,
                BbRecord   *record,
                const char *json_path,
                char      **attach,
                gboolean    is_new)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) shape_problems = NULL;
  g_autoptr(JsonObject) fields = NULL;
  RecordInput input = { NULL };
  gboolean saved;
  int priority;

  shape_problems = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_problem_free);
  if (json_path != NULL)
    {
      root = bb_cli_read_json (json_path, &error);
      if (root == NULL)
        {
          bb_cli_error ("%s", error->message);
          return BB_CLI_EXIT_INVALID;
        }
      read_input (root, &input, shape_problems);
    }
  else
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), bb_record_get_fields (record));
      g_autoptr(JsonNode) copy = json_node_copy (node);

      /* Only files to attach: the record's fields stay as they are. */
      input.fields = json_object_ref (json_node_get_object (copy));
    }
  fields = input.fields;

  if (input.has_priority)
    priority = input.priority;
  else if (is_new)
    priority = bb_kind_default_priority (bb_record_get_kind_spec (record), fields);
  else
    priority = bb_record_get_priority (record);

  if (shape_problems->len > 0)
    {
      g_autoptr(GPtrArray) more = NULL;

      /* Nothing is saved, but the fields are checked too so every problem
       * shows in one go. */
      more = bb_validate_record (bb_session_get_profile (session),
                                 bb_record_get_kind (record),
                                 input.occurred_at != NULL ? input.occurred_at
                                                           : bb_record_get_occurred_at (record),
                                 priority, fields, NULL);
      g_ptr_array_extend_and_steal (shape_problems, g_steal_pointer (&more));

      return report_save (record, FALSE, shape_problems, NULL);
    }

  if (!attach_files (session, fields, attach))
    return BB_CLI_EXIT_INVALID;

  if (input.occurred_at != NULL)
    bb_record_set_occurred_at (record, input.occurred_at);
  bb_record_set_priority (record, priority);
  bb_record_set_fields (record, fields);

  saved = bb_session_save_record (session, record, &problems, &error);

  return report_save (record, saved, problems, error);
}

static gboolean
check_identity (BbSession *session)
{
  if (bb_session_has_identity (session))
    return TRUE;

  bb_cli_error ("%s",
                _("nobody is set up on this device yet, so the record would have no author.\n"
                  "Run “beatbook-cli identity --name NAME --role ROLE” first "
                  "(roles: officer, warden, councillor, supervisor, admin)."));
  return FALSE;
}

int
bb_cli_cmd_add (BbCli  *cli,
                int     argc,
                char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BbRecord) record = NULL;
  g_autofree char *json_path = NULL;
  g_auto(GStrv) attach = NULL;
  const BbKindSpec *kind;
  BbSession *session;
  BbRole role;
  const GOptionEntry entries[] = {
    { "json", 'j', 0, G_OPTION_ARG_FILENAME, &json_path,
      N_("Read the record from FILE (“-” for standard input)"), N_("FILE") },
    { "attach", 'a', 0, G_OPTION_ARG_FILENAME_ARRAY, &attach,
      N_("Attach a photo or file (JPEG, PNG or PDF); repeat for more"), N_("FILE") },
    { NULL }
  };

  context = bb_cli_option_context_new (cli, argv[0], "KIND",
                                       _("Add a record of KIND, described by a JSON file, as the\n"
                                         "device's current user. Prints the new record's id."),
                                       input_shape_text (), entries);
  if (!bb_cli_parse (context, argv[0], &argc, &argv))
    return BB_CLI_EXIT_USAGE;

  if (argc < 2)
    return bb_cli_usage_error (context, argv[0], _("the kind of record is missing."));
  if (argc > 2)
    return bb_cli_usage_error (context, argv[0], _("unexpected argument “%s”."), argv[2]);
  if (json_path == NULL)
    return bb_cli_usage_error (context, argv[0], _("--json FILE is missing."));

  kind = bb_cli_lookup_kind (argv[1]);
  if (kind == NULL)
    return BB_CLI_EXIT_INVALID;

  session = bb_cli_get_session (cli);
  if (session == NULL)
    return BB_CLI_EXIT_INVALID;

  if (!check_identity (session))
    return BB_CLI_EXIT_INVALID;

  role = bb_session_get_role (session);
  if (!bb_kind_can_create (kind, role))
    {
      bb_cli_error (_("your role (%s) may not create a record of kind “%s” (%s); "
                      "nothing was saved. Run “beatbook-cli kinds” to see what you may create."),
                    bb_role_get_label (role), kind->id, bb_kind_get_label (kind));
      return BB_CLI_EXIT_INVALID;
    }

  record = bb_record_new (kind->id);

  return save_from_json (session, record, json_path, attach, TRUE);
}

int
bb_cli_cmd_edit (BbCli  *cli,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BbRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json_path = NULL;
  g_auto(GStrv) attach = NULL;
  BbSession *session;
  const GOptionEntry entries[] = {
    { "json", 'j', 0, G_OPTION_ARG_FILENAME, &json_path,
      N_("Read the changes from FILE (“-” for standard input)"), N_("FILE") },
    { "attach", 'a', 0, G_OPTION_ARG_FILENAME_ARRAY, &attach,
      N_("Attach a photo or file (JPEG, PNG or PDF); repeat for more"), N_("FILE") },
    { NULL }
  };
  g_autofree char *description =
    g_strdup_printf ("%s\n\n%s",
                     _("occurred_at and priority replace the record's when given and are\n"
                       "kept otherwise. “fields” replaces the record's fields AS A WHOLE:\n"
                       "give every field the record should keep, not only the changed ones\n"
                       "(“beatbook-cli show ID --json” prints them). With --attach and no\n"
                       "--json, the fields stay and the files are added to them."),
                     input_shape_text ());

  context = bb_cli_option_context_new (cli, argv[0], "ID",
                                       _("Change a record: saves a new revision of it."),
                                       description, entries);
  if (!bb_cli_parse (context, argv[0], &argc, &argv))
    return BB_CLI_EXIT_USAGE;

  if (argc < 2)
    return bb_cli_usage_error (context, argv[0], _("the id of the record is missing."));
  if (argc > 2)
    return bb_cli_usage_error (context, argv[0], _("unexpected argument “%s”."), argv[2]);
  if (json_path == NULL && attach == NULL)
    return bb_cli_usage_error (context, argv[0], _("--json FILE or --attach FILE is missing."));

  session = bb_cli_get_session (cli);
  if (session == NULL)
    return BB_CLI_EXIT_INVALID;

  if (!check_identity (session))
    return BB_CLI_EXIT_INVALID;

  record = bb_store_get_record (bb_session_get_store (session), argv[1], &error);
  if (record == NULL)
    {
      if (g_error_matches (error, BB_STORE_ERROR, BB_STORE_ERROR_NOT_FOUND))
        bb_cli_error (_("there is no record with id “%s”."), argv[1]);
      else
        bb_cli_error ("%s", error->message);
      return BB_CLI_EXIT_INVALID;
    }

  if (bb_record_get_deleted (record))
    {
      bb_cli_error (_("record “%s” is deleted and can not be changed."), argv[1]);
      return BB_CLI_EXIT_INVALID;
    }

  return save_from_json (session, record, json_path, attach, FALSE);
}
