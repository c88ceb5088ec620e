/* bb-server-audit.c: the audit log, read and written to by devices
 *
 * GET /audit for the partnership's administrators, and POST /audit/exports,
 * the export notices devices send for every file of personal data made.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server"

#include "config.h"

#include <string.h>

#include "bb-i18n.h"
#include "bb-record.h"
#include "bb-server-auth.h"
#include "bb-server-private.h"
#include "bb-server-util.h"
#include "bb-time.h"

static void
add_nullable_string (JsonBuilder *builder,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
bb_server_handle_audit (BbRequest *req)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  gint64 since, limit, next;
  gboolean more = FALSE;

  if (req->role != BB_ROLE_ADMIN && req->role != BB_ROLE_SUPERVISOR)
    {
      bb_request_error (req, SOUP_STATUS_FORBIDDEN, "forbidden",
                        _("Only administrators and supervisors may read the audit log."));
      return;
    }
  if (!bb_request_query_int (req, "since", 0, G_MAXINT64, 0, &since) ||
      !bb_request_query_int (req, "limit", 1, 1000, 500, &limit))
    return;

  entries = bb_server_store_audit_list (req->store, since, (guint) limit, &more, &error);
  if (entries == NULL)
    {
      bb_request_storage_error (req, error);
      return;
    }

  next = since;
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "entries");
  json_builder_begin_array (builder);
  for (guint i = 0; i < entries->len; i++)
    {
      BbServerAuditEntry *entry = entries->pdata[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "seq");
      json_builder_add_int_value (builder, entry->seq);
      json_builder_set_member_name (builder, "at");
      json_builder_add_string_value (builder, entry->at);
      add_nullable_string (builder, "user", entry->username);
      add_nullable_string (builder, "device", entry->device_id);
      add_nullable_string (builder, "action", entry->action);
      add_nullable_string (builder, "record_id", entry->record_id);
      add_nullable_string (builder, "detail", entry->detail);
      json_builder_end_object (builder);
      next = entry->seq;
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "next");
  json_builder_add_int_value (builder, next);
  json_builder_set_member_name (builder, "more");
  json_builder_add_boolean_value (builder, more);
  json_builder_end_object (builder);
  bb_request_reply_json (req, SOUP_STATUS_OK, json_builder_get_root (builder));
}

/* Export notices: a device tells the server what personal data it wrote
 * out (DPA 2018 s62, disclosure), at its next sync after the export. */

#define MAX_EXPORT_RECORD_IDS  10000
#define MAX_EXPORT_FILTER      1000
#define MAX_EXPORT_RECIPIENT   200

static const char *
export_string (JsonObject *object,
               const char *name,
               gboolean   *bad)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      *bad = TRUE;
      return NULL;
    }
  return json_node_get_string (node);
}

static gboolean
is_plain_date (const char *text)
{
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL || strlen (text) != 10)
    return FALSE;
  dt = bb_date_parse (text);
  return dt != NULL;
}

void
bb_server_handle_audit_exports (BbRequest *req)
{
  static const char * const known[] = {
    "id", "what", "count", "record_ids", "period", "made_at", "filter", "recipient", NULL
  };
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) detail_builder = NULL;
  g_autoptr(JsonNode) detail_node = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *record_detail = NULL;
  g_autofree char *made_at = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *object;
  JsonNode *count_node, *ids_node, *period_node;
  JsonArray *ids = NULL;
  const char *id, *what, *filter, *recipient, *made_at_text;
  const char *period_from = NULL, *period_to = NULL;
  gboolean bad = FALSE;
  gboolean is_lookup;
  gint64 count;
  guint n_entries = 0;

  body = bb_request_parse_body (req);
  if (body == NULL)
    return;
  object = json_node_get_object (body);

  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (known, l->data))
      {
        g_autofree char *message = g_strdup_printf (_("“%s” is not part of an export notice."),
                                                    (const char *) l->data);

        bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", message);
        return;
      }

  id = export_string (object, "id", &bad);
  if (bad || !bb_uuid_is_valid (id))
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        _("“id” must be a UUID made by the device for this export."));
      return;
    }
  what = export_string (object, "what", &bad);
  if (bad || (g_strcmp0 (what, "csv") != 0 && g_strcmp0 (what, "pdf") != 0 &&
              g_strcmp0 (what, "json") != 0 && g_strcmp0 (what, "lookup") != 0))
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        _("“what” must be “csv”, “json”, “pdf” or “lookup”."));
      return;
    }
  /* Every role looks up Section 59 warnings on its device; only
   * supervisors and administrators export. */
  is_lookup = strcmp (what, "lookup") == 0;
  if (!is_lookup && req->role != BB_ROLE_ADMIN && req->role != BB_ROLE_SUPERVISOR)
    {
      bb_request_error (req, SOUP_STATUS_FORBIDDEN, "forbidden",
                        _("Only administrators and supervisors export records."));
      return;
    }
  count_node = json_object_get_member (object, "count");
  if (count_node == NULL || !JSON_NODE_HOLDS_VALUE (count_node) ||
      json_node_get_value_type (count_node) != G_TYPE_INT64 ||
      (count = json_node_get_int (count_node)) < 0)
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        _("“count” must be the number of records exported, 0 or more."));
      return;
    }

  ids_node = json_object_get_member (object, "record_ids");
  if (ids_node != NULL && !JSON_NODE_HOLDS_NULL (ids_node))
    {
      if (!JSON_NODE_HOLDS_ARRAY (ids_node))
        bad = TRUE;
      else
        {
          ids = json_node_get_array (ids_node);
          for (guint i = 0; i < json_array_get_length (ids) && !bad; i++)
            {
              JsonNode *element = json_array_get_element (ids, i);

              bad = !JSON_NODE_HOLDS_VALUE (element) ||
                    json_node_get_value_type (element) != G_TYPE_STRING ||
                    !bb_uuid_is_valid (json_node_get_string (element));
            }
        }
      if (bad)
        {
          bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                            _("“record_ids” must be a list of record ids."));
          return;
        }
      if (json_array_get_length (ids) > MAX_EXPORT_RECORD_IDS)
        {
          bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                            _("“record_ids” lists more than 10000 records; describe a larger export by its filter and count."));
          return;
        }
    }

  period_node = json_object_get_member (object, "period");
  if (period_node != NULL && !JSON_NODE_HOLDS_NULL (period_node))
    {
      JsonObject *period = JSON_NODE_HOLDS_OBJECT (period_node) ? json_node_get_object (period_node) : NULL;

      if (period != NULL)
        {
          period_from = export_string (period, "from", &bad);
          period_to = export_string (period, "to", &bad);
        }
      if (period == NULL || bad || !is_plain_date (period_from) || !is_plain_date (period_to) ||
          strcmp (period_from, period_to) >= 0)
        {
          bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                            _("“period” must be {\"from\": DATE, \"to\": DATE} with from before to."));
          return;
        }
    }

  made_at_text = export_string (object, "made_at", &bad);
  if (!bad && made_at_text != NULL)
    made_at = bb_server_time_canonical (made_at_text);
  if (bad || (made_at_text != NULL && made_at == NULL))
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        _("“made_at” must be an ISO 8601 time."));
      return;
    }
  filter = export_string (object, "filter", &bad);
  recipient = export_string (object, "recipient", &bad);
  if (bad ||
      (filter != NULL && g_utf8_strlen (filter, -1) > MAX_EXPORT_FILTER) ||
      (recipient != NULL && g_utf8_strlen (recipient, -1) > MAX_EXPORT_RECIPIENT))
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        _("“filter” (up to 1000 characters) and “recipient” (up to 200) must be text."));
      return;
    }

  /* The entry's detail is JSON, so a reader's tool can take it apart. */
  detail_builder = json_builder_new ();
  json_builder_begin_object (detail_builder);
  json_builder_set_member_name (detail_builder, is_lookup ? "lookup_id" : "export_id");
  json_builder_add_string_value (detail_builder, id);
  json_builder_set_member_name (detail_builder, "what");
  json_builder_add_string_value (detail_builder, what);
  json_builder_set_member_name (detail_builder, "count");
  json_builder_add_int_value (detail_builder, count);
  if (made_at != NULL)
    {
      json_builder_set_member_name (detail_builder, "made_at");
      json_builder_add_string_value (detail_builder, made_at);
    }
  if (period_from != NULL)
    {
      json_builder_set_member_name (detail_builder, "period");
      json_builder_begin_object (detail_builder);
      json_builder_set_member_name (detail_builder, "from");
      json_builder_add_string_value (detail_builder, period_from);
      json_builder_set_member_name (detail_builder, "to");
      json_builder_add_string_value (detail_builder, period_to);
      json_builder_end_object (detail_builder);
    }
  if (filter != NULL)
    {
      json_builder_set_member_name (detail_builder, "filter");
      json_builder_add_string_value (detail_builder, filter);
    }
  if (recipient != NULL)
    {
      json_builder_set_member_name (detail_builder, "recipient");
      json_builder_add_string_value (detail_builder, recipient);
    }
  json_builder_end_object (detail_builder);
  detail_node = json_builder_get_root (detail_builder);
  detail = json_to_string (detail_node, FALSE);
  record_detail = g_strdup_printf ("{\"%s\":\"%s\",\"what\":\"%s\"}",
                                   is_lookup ? "lookup_id" : "export_id", id, what);

  /* One entry for the export, and one per record listed so that a record's
   * own history shows every disclosure of it. */
  if (!bb_server_store_begin (req->store, &error))
    goto storage_failed;
  if (!bb_request_audit (req, is_lookup ? "lookup" : "export", NULL, detail, &error))
    goto storage_failed_rollback;
  n_entries++;
  for (guint i = 0; ids != NULL && i < json_array_get_length (ids); i++)
    {
      if (!bb_request_audit (req, is_lookup ? "lookup" : "export",
                             json_array_get_string_element (ids, i),
                             record_detail, &error))
        goto storage_failed_rollback;
      n_entries++;
    }
  if (!bb_server_store_commit (req->store, &error))
    goto storage_failed_rollback;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "entries");
  json_builder_add_int_value (builder, n_entries);
  json_builder_end_object (builder);
  bb_request_reply_json (req, SOUP_STATUS_CREATED, json_builder_get_root (builder));
  return;

storage_failed_rollback:
  bb_server_store_rollback (req->store);
storage_failed:
  bb_request_storage_error (req, error);
}
