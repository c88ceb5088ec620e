/* bb-server-records.c: push, pull, review and the Section 59 look-up
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server"

#include "config.h"

#include <nettle/sha2.h>
#include <string.h>

#include "bb-i18n.h"
#include "bb-json-span.h"
#include "bb-server-blobs.h"
#include "bb-record.h"
#include "bb-server-private.h"
#include "bb-server-util.h"
#include "bb-time.h"
#include "bb-validate.h"
#include "bb-vrm.h"

/* Longest query values accepted by the look-up. */
#define MAX_LOOKUP_VRM_LENGTH     32
#define MAX_LOOKUP_SURNAME_LENGTH 200

/* Reading JSON without trusting its types */

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
member_int (JsonObject *object,
            const char *name,
            gint64     *value)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (node);
  return TRUE;
}

static gboolean
member_bool (JsonObject *object,
             const char *name,
             gboolean   *value)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;
  *value = json_node_get_boolean (node);
  return TRUE;
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

/* (transfer full): @text parsed, or a new empty object/array on a bad value. */
static JsonNode *
parse_stored (const char *text,
              JsonNodeType type)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (text != NULL && json_parser_load_from_data (parser, text, -1, NULL))
    {
      root = json_parser_get_root (parser);
      if (root != NULL && JSON_NODE_TYPE (root) == type)
        return json_node_copy (root);
    }

  root = json_node_new (type);
  if (type == JSON_NODE_OBJECT)
    json_node_take_object (root, json_object_new ());
  else
    json_node_take_array (root, json_array_new ());
  return root;
}

/* The pull shape of sync-api.md. */

static JsonNode *
record_to_json (BbServerRecord *record)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) fields = parse_stored (record->fields_json, JSON_NODE_OBJECT);
  g_autoptr(JsonNode) comments = parse_stored (record->review_json, JSON_NODE_ARRAY);

  /* Derived fields are computed on the way out, so a fix to a rule reaches
   * every record at its next change without rewriting the table. */
  if (!record->deleted)
    bb_fields_add_derived (record->kind, record->occurred_at, json_node_get_object (fields));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, record->id);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, record->kind);
  json_builder_set_member_name (builder, "rev");
  json_builder_add_int_value (builder, record->rev);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, record->seq);
  json_builder_set_member_name (builder, "deleted");
  json_builder_add_boolean_value (builder, record->deleted);
  json_builder_set_member_name (builder, "occurred_at");
  json_builder_add_string_value (builder, record->occurred_at);
  json_builder_set_member_name (builder, "updated_at");
  json_builder_add_string_value (builder, record->updated_at);
  json_builder_set_member_name (builder, "priority");
  json_builder_add_int_value (builder, record->priority);
  json_builder_set_member_name (builder, "author");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, record->author_id);
  json_builder_set_member_name (builder, "display_name");
  json_builder_add_string_value (builder, record->author_name != NULL ? record->author_name : "");
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, record->author_role != NULL ? record->author_role : "");
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "fields");
  json_builder_add_value (builder, g_steal_pointer (&fields));
  json_builder_set_member_name (builder, "review");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, record->review_state != NULL ? record->review_state : "new");
  json_builder_set_member_name (builder, "comments");
  json_builder_add_value (builder, g_steal_pointer (&comments));
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static gboolean
may_see_everything (BbRole role)
{
  return role == BB_ROLE_SUPERVISOR || role == BB_ROLE_ADMIN;
}

static char *
s59_window_start (BbRequest *req)
{
  int days = bb_profile_get_s59_window_days (req->profile);

  if (days <= 0)
    days = 365;
  return bb_server_time_from_now (-(gint64) days * 24 * 3600);
}

/* The look-up keys of an s59 warning's fields. */
static void
set_lookup_keys (BbServerRecord *record,
                 JsonObject     *fields)
{
  JsonObject *vehicle = member_object (fields, "vehicle");
  JsonObject *driver = member_object (fields, "driver");
  const char *vrm = member_string (vehicle, "vrm");
  const char *name = member_string (driver, "name");
  const char *dob = member_string (driver, "date_of_birth");

  if (vrm != NULL && *vrm != '\0')
    record->lookup_vrm = bb_vrm_normalise (vrm);
  if (name != NULL)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (name));
      const char *last = strrchr (trimmed, ' ');

      last = last != NULL ? last + 1 : trimmed;
      if (*last != '\0')
        record->lookup_surname = g_utf8_casefold (last, -1);
    }
  if (dob != NULL && *dob != '\0')
    record->lookup_dob = g_strdup (dob);
}

/* Push */

typedef enum {
  OUTCOME_APPLIED,
  OUTCOME_DUPLICATE,
  OUTCOME_CONFLICT,
  OUTCOME_REJECTED,
  OUTCOME_STORAGE_FAILED,
} Outcome;

typedef struct
{
  Outcome         outcome;
  gint64          rev;
  gint64          seq;
  const char     *code;
  char           *message;
  char           *field;
  BbServerRecord *server_copy;
  GPtrArray      *dropped_blobs; /* a deleted record's files, to remove after commit */
} ChangeResult;

static void
change_result_clear (ChangeResult *result)
{
  g_clear_pointer (&result->message, g_free);
  g_clear_pointer (&result->field, g_free);
  g_clear_pointer (&result->server_copy, bb_server_record_free);
  g_clear_pointer (&result->dropped_blobs, g_ptr_array_unref);
}

static void
reject (ChangeResult *result,
        const char   *code,
        const char   *message,
        const char   *field)
{
  result->outcome = OUTCOME_REJECTED;
  result->code = code;
  g_free (result->message);
  result->message = g_strdup (message);
  g_free (result->field);
  result->field = g_strdup (field);
}

/* The validator's codes, narrowed to the ones sync-api.md names: a missing
 * or malformed value is an invalid field like an unknown key. */
static const char *
problem_code (const BbProblem *problem)
{
  if (g_strcmp0 (problem->code, "unknown_kind") == 0)
    return "unknown_kind";
  return "invalid_field";
}

/* The hash a change is known by, to tell a retry from another edit of the
 * same revision, as the server computed it before it read the bytes sent:
 * from the change written out again by json-glib. */
static char *
change_hash_from_tree (JsonNode *change)
{
  g_autofree char *text = json_to_string (change, FALSE);

  return bb_server_sha256_hex (text, -1);
}

static void
sha256_update_run (gpointer    user_data,
                   const char *bytes,
                   gsize       n)
{
  sha256_update (user_data, n, (const guint8 *) bytes);
}

/* The hash of the change as sent (@raw, @raw_length bytes), whitespace
 * between tokens aside. For a device that writes JSON with json-glib (the
 * app and beatbook-cli) it is the hash of the tree above: the bytes are
 * the same. */
static char *
change_hash_from_bytes (const char *raw,
                        gsize       raw_length)
{
  static const char hex[] = "0123456789abcdef";
  struct sha256_ctx ctx;
  guint8 digest[SHA256_DIGEST_SIZE];
  char *text = g_malloc (2 * SHA256_DIGEST_SIZE + 1);

  sha256_init (&ctx);
  bb_json_foreach_compact_run (raw, raw_length, sha256_update_run, &ctx);
  sha256_digest (&ctx, SHA256_DIGEST_SIZE, digest);
  for (guint i = 0; i < SHA256_DIGEST_SIZE; i++)
    {
      text[2 * i] = hex[digest[i] >> 4];
      text[2 * i + 1] = hex[digest[i] & 0xf];
    }
  text[2 * SHA256_DIGEST_SIZE] = '\0';
  return text;
}

/* Applies one change of a push inside its savepoint. Its audit entry goes
 * into @audit, written with the others of the batch in the same
 * transaction once the change is kept. @raw is the change's bytes in the
 * request (NULL when they could not be told apart for certain): it is
 * hashed, and its fields stored, as sent, instead of being written out
 * again from the parsed tree. */
static void
apply_change (BbRequest    *req,
              JsonNode     *change,
              const char   *raw,
              gsize         raw_length,
              GDateTime    *now,
              const char   *now_iso,
              GPtrArray    *audit,
              ChangeResult *result,
              GError      **error)
{
  JsonObject *object = json_node_get_object (change);
  g_autofree char *change_hash = raw != NULL ? change_hash_from_bytes (raw, raw_length)
                                             : change_hash_from_tree (change);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(BbServerRecord) existing = NULL;
  g_autoptr(BbServerRecord) record = NULL;
  g_autofree char *applied_hash = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *occurred_at = NULL;
  const BbKindSpec *spec;
  const char *id = member_string (object, "id");
  const char *kind = member_string (object, "kind");
  const char *action;
  JsonObject *fields;
  gint64 rev = -1, base_rev = -1, priority = 0, applied_seq = 0;
  gboolean deleted = FALSE, found = FALSE;
  /* The stored revision is the one the device holds: no need to send it back. */
  gboolean as_sent = TRUE;

  member_int (object, "rev", &rev);
  member_int (object, "base_rev", &base_rev);
  member_bool (object, "deleted", &deleted);

  /* A retry first: it must get the first answer even if the rules, or the
   * record, changed since. */
  if (id != NULL && rev > 0)
    {
      if (!bb_server_store_record_rev_find (req->store, id, rev, &found,
                                            &applied_hash, &applied_seq, error))
        {
          result->outcome = OUTCOME_STORAGE_FAILED;
          return;
        }
      /* A revision stored before the server hashed the bytes sent, from
       * a device that does not write JSON as json-glib does. */
      if (found && raw != NULL && g_strcmp0 (applied_hash, change_hash) != 0)
        {
          g_autofree char *tree_hash = change_hash_from_tree (change);

          if (g_strcmp0 (applied_hash, tree_hash) == 0)
            {
              g_free (change_hash);
              change_hash = g_steal_pointer (&tree_hash);
            }
        }
      if (found && g_strcmp0 (applied_hash, change_hash) == 0)
        {
          result->outcome = OUTCOME_DUPLICATE;
          result->rev = rev;
          result->seq = applied_seq;
          return;
        }
    }

  problems = bb_validate_change (req->profile, change, now);
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      BbProblem *problem = problems->pdata[i];

      if (problem->severity == BB_PROBLEM_ERROR)
        {
          reject (result, problem_code (problem), problem->message, problem->path);
          return;
        }
    }

  /* The validator passed, so id, kind, rev and base_rev are sound; these
   * checks are what only the server can know. */
  spec = bb_kind_lookup (kind);
  if (spec == NULL || id == NULL || rev < 1 || base_rev < 0)
    {
      reject (result, spec == NULL ? "unknown_kind" : "invalid_field",
              _("The change lacks a valid id, kind, rev or base_rev."), NULL);
      return;
    }
  if (rev <= base_rev)
    {
      reject (result, "invalid_field",
              _("“rev” must be greater than “base_rev”."), "rev");
      return;
    }

  existing = bb_server_store_record_get (req->store, id, error);
  if (existing == NULL && error != NULL && *error != NULL)
    {
      result->outcome = OUTCOME_STORAGE_FAILED;
      return;
    }

  if (existing != NULL)
    {
      result->rev = existing->rev;
      result->seq = existing->seq;

      if (g_strcmp0 (existing->author_id, req->user->id) != 0 &&
          req->role != BB_ROLE_SUPERVISOR)
        {
          reject (result, "forbidden",
                  _("Only the author of a record or a supervisor may change it."), NULL);
          return;
        }
      if (g_strcmp0 (existing->kind, kind) != 0)
        {
          reject (result, "invalid_field",
                  _("A record cannot change its kind."), "kind");
          return;
        }
      if (base_rev != existing->rev)
        {
          result->outcome = OUTCOME_CONFLICT;
          result->server_copy = g_steal_pointer (&existing);
          return;
        }
    }
  else if (base_rev != 0)
    {
      /* An edit of a revision the server never had (its revision is 0):
       * storing it would make a record from nothing, so it is a conflict,
       * with no server copy to offer. */
      result->outcome = OUTCOME_CONFLICT;
      return;
    }
  else if (!bb_kind_can_create (spec, req->role))
    {
      g_autofree char *message = g_strdup_printf (_("The role “%s” may not create a %s."),
                                                  bb_role_to_string (req->role),
                                                  bb_kind_get_label (spec));
      reject (result, "forbidden_kind", message, "kind");
      return;
    }

  record = g_new0 (BbServerRecord, 1);
  record->id = g_strdup (id);
  record->kind = g_strdup (kind);
  record->rev = rev;
  record->deleted = deleted;
  record->updated_at = g_strdup (now_iso);
  /* Author and times of receipt are the server's, never the client's. */
  record->author_id = g_strdup (existing != NULL ? existing->author_id : req->user->id);
  record->created_at = g_strdup (existing != NULL ? existing->created_at : now_iso);

  occurred_at = bb_server_time_canonical (member_string (object, "occurred_at"));
  if (occurred_at == NULL)
    occurred_at = g_strdup (existing != NULL ? existing->occurred_at : now_iso);
  if (g_strcmp0 (occurred_at, member_string (object, "occurred_at")) != 0)
    as_sent = FALSE;
  record->occurred_at = g_steal_pointer (&occurred_at);

  fields = member_object (object, "fields");
  if (member_int (object, "priority", &priority) && priority >= 1 && priority <= 4)
    record->priority = (int) priority;
  else
    {
      as_sent = FALSE;
      if (existing != NULL)
        record->priority = existing->priority;
      else
        record->priority = bb_kind_default_priority (spec, fields);
    }

  if (deleted)
    {
      /* A tombstone keeps metadata only: no personal data outlives deletion.
       * The deleting device still holds the fields: it gets the tombstone. */
      record->fields_json = g_strdup ("{}");
      as_sent = FALSE;
      if (existing != NULL && !existing->deleted)
        {
          /* Nor do the files it listed (removed once the batch is committed). */
          result->dropped_blobs = bb_server_store_record_blobs (req->store, id, error);
          if (result->dropped_blobs == NULL)
            {
              result->outcome = OUTCOME_STORAGE_FAILED;
              return;
            }
        }
    }
  else
    {
      BbJsonSpan span;

      /* The fields as sent (the validator read the same bytes, parsed),
       * unless they hold an escape: SQLite's JSON functions (the files a
       * record lists) must find every key as json-glib writes it. */
      if (fields != NULL && raw != NULL &&
          bb_json_find_member (raw, raw_length, "fields", &span) && raw[span.offset] == '{' &&
          memchr (raw + span.offset, '\\', span.length) == NULL)
        record->fields_json = bb_json_compact (raw + span.offset, span.length);
      else
        {
          g_autoptr(JsonNode) fields_node = json_node_new (JSON_NODE_OBJECT);

          if (fields != NULL)
            json_node_set_object (fields_node, fields);
          else
            json_node_take_object (fields_node, json_object_new ());
          record->fields_json = json_to_string (fields_node, FALSE);
        }
      if (g_str_equal (kind, BB_KIND_S59_WARNING))
        set_lookup_keys (record, fields);
    }

  if (existing != NULL)
    {
      /* The author's edit answers a "returned" review: it is new again. */
      gboolean resubmitted = g_strcmp0 (existing->review_state, "returned") == 0 &&
                             g_strcmp0 (existing->author_id, req->user->id) == 0;

      record->review_state = g_strdup (resubmitted ? "new" : existing->review_state);
      record->review_json = g_strdup (existing->review_json);
      /* The device still shows "returned": it must hear of the change. */
      if (resubmitted)
        as_sent = FALSE;
    }
  else
    {
      record->review_state = g_strdup ("new");
      record->review_json = g_strdup ("[]");
    }

  if (as_sent && req->device != NULL)
    record->written_by = g_strdup (req->device->id);

  if (!bb_server_store_record_put (req->store, record, change_hash, error))
    {
      result->outcome = OUTCOME_STORAGE_FAILED;
      return;
    }

  action = deleted ? "delete" : existing != NULL ? "update" : "create";
  detail = g_strdup_printf ("kind=%s rev=%" G_GINT64_FORMAT, kind, rev);
  {
    BbServerAuditEntry *entry = g_new0 (BbServerAuditEntry, 1);

    entry->at = g_strdup (now_iso);
    entry->user_id = g_strdup (req->user != NULL ? req->user->id : NULL);
    entry->device_id = g_strdup (req->device != NULL ? req->device->id : NULL);
    entry->action = g_strdup (action);
    entry->record_id = g_strdup (id);
    entry->detail = g_steal_pointer (&detail);
    g_ptr_array_add (audit, entry);
  }

  result->outcome = OUTCOME_APPLIED;
  result->rev = record->rev;
  result->seq = record->seq;
}

static void
add_result_json (JsonBuilder  *builder,
                 const char   *id,
                 ChangeResult *result)
{
  static const char *status_names[] = { "applied", "duplicate", "conflict", "rejected" };

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  if (id != NULL)
    json_builder_add_string_value (builder, id);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, status_names[result->outcome]);
  json_builder_set_member_name (builder, "rev");
  json_builder_add_int_value (builder, result->rev);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, result->seq);

  if (result->outcome == OUTCOME_CONFLICT)
    {
      json_builder_set_member_name (builder, "server");
      if (result->server_copy != NULL)
        json_builder_add_value (builder, record_to_json (result->server_copy));
      else
        json_builder_add_null_value (builder);
    }
  else if (result->outcome == OUTCOME_REJECTED)
    {
      json_builder_set_member_name (builder, "error");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, result->code);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, result->message);
      json_builder_set_member_name (builder, "field");
      if (result->field != NULL)
        json_builder_add_string_value (builder, result->field);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }

  json_builder_end_object (builder);
}

/* (transfer full) (nullable) (element-type BbJsonSpan): where each of the
 * @n_changes changes lies in the request's body; NULL unless every one was
 * found for certain (strict JSON, one "changes" member, as many as the
 * parser found). */
static GArray *
find_change_bytes (BbRequest *req,
                   guint      n_changes)
{
  g_autoptr(GArray) spans = NULL;
  BbJsonSpan changes;
  const char *data;
  gsize length = 0;

  if (req->body == NULL)
    return NULL;
  data = g_bytes_get_data (req->body, &length);
  if (!bb_json_find_member (data, length, "changes", &changes))
    return NULL;
  spans = bb_json_array_elements (data + changes.offset, changes.length);
  if (spans == NULL || spans->len != n_changes)
    return NULL;
  for (guint i = 0; i < spans->len; i++)
    g_array_index (spans, BbJsonSpan, i).offset += changes.offset;
  return g_steal_pointer (&spans);
}

void
bb_server_handle_push (BbRequest *req)
{
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *now_iso = NULL;
  JsonObject *object;
  JsonNode *changes_node;
  JsonArray *changes;
  g_autoptr(GPtrArray) audit = NULL;
  g_autoptr(GPtrArray) dropped = NULL;
  g_autoptr(GArray) spans = NULL;
  const char *body_data;
  guint n_changes;

  body = bb_request_parse_body (req);
  if (body == NULL)
    return;
  object = json_node_get_object (body);

  changes_node = json_object_get_member (object, "changes");
  if (changes_node == NULL || !JSON_NODE_HOLDS_ARRAY (changes_node))
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        _("“changes” must be an array of changes."));
      return;
    }
  if (json_object_has_member (object, "device_id") && member_string (object, "device_id") == NULL)
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        _("“device_id” must be a string."));
      return;
    }
  changes = json_node_get_array (changes_node);
  n_changes = json_array_get_length (changes);
  if (n_changes > BB_SERVER_MAX_CHANGES)
    {
      g_autofree char *message = g_strdup_printf (_("A push may carry at most %d changes; this one has %u. Send them in smaller batches."),
                                                  BB_SERVER_MAX_CHANGES, n_changes);
      bb_request_error (req, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "payload_too_large", message);
      return;
    }
  for (guint i = 0; i < n_changes; i++)
    if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (changes, i)))
      {
        g_autofree char *message = g_strdup_printf (_("Change %u is not a JSON object."), i);
        bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request", message);
        return;
      }

  spans = find_change_bytes (req, n_changes);
  body_data = g_bytes_get_data (req->body, NULL);

  now = g_date_time_new_now_utc ();
  now_iso = bb_server_time_format (now);
  audit = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_server_audit_entry_free);

  /* One transaction for the batch (one fsync), one savepoint per change so
   * each is applied whole or not at all. */
  if (!bb_server_store_begin (req->store, &error))
    {
      bb_request_storage_error (req, error);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);

  dropped = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n_changes; i++)
    {
      JsonNode *change = json_array_get_element (changes, i);
      ChangeResult result = { 0 };

      guint n_audit = audit->len;

      if (!bb_server_store_savepoint (req->store, &error))
        break;
      if (spans != NULL)
        {
          BbJsonSpan *span = &g_array_index (spans, BbJsonSpan, i);

          apply_change (req, change, body_data + span->offset, span->length,
                        now, now_iso, audit, &result, &error);
        }
      else
        apply_change (req, change, NULL, 0, now, now_iso, audit, &result, &error);
      if (result.outcome == OUTCOME_STORAGE_FAILED)
        {
          change_result_clear (&result);
          break;
        }
      if (result.outcome == OUTCOME_APPLIED)
        {
          if (!bb_server_store_release (req->store, &error))
            {
              change_result_clear (&result);
              break;
            }
        }
      else
        {
          /* Nothing of it was kept, so nothing of it is logged. */
          bb_server_store_rollback_to (req->store);
          g_ptr_array_set_size (audit, n_audit);
        }

      for (guint j = 0; result.outcome == OUTCOME_APPLIED && result.dropped_blobs != NULL &&
                        j < result.dropped_blobs->len; j++)
        g_ptr_array_add (dropped, g_strdup (result.dropped_blobs->pdata[j]));

      add_result_json (builder, member_string (json_node_get_object (change), "id"), &result);
      change_result_clear (&result);
    }

  /* Every kept change keeps its own entry, written in one statement in the
   * batch's transaction: a change and its entry commit together. A storage
   * failure is the server's, not the client's: nothing of the batch is kept
   * and the client sends it again later. */
  if (error != NULL ||
      !bb_server_store_audit_append_many (req->store, (BbServerAuditEntry * const *) audit->pdata,
                                          audit->len, &error) ||
      !bb_server_store_commit (req->store, &error))
    {
      bb_server_store_rollback (req->store);
      bb_request_storage_error (req, error);
      return;
    }

  /* Files only deleted records listed go now; one another record lists
   * stays. Looked up under the write lock, so no push on another worker
   * can list a file between the look-up and its removal. A failure here
   * leaves them to the periodic sweep. */
  if (dropped->len > 0 && req->blobs != NULL &&
      (!bb_server_store_begin (req->store, &error) ||
       (bb_server_blobs_drop_unlisted (req->blobs, req->store, dropped, &error), error != NULL) ||
       !bb_server_store_commit (req->store, &error)))
    {
      bb_server_store_rollback (req->store);
      g_warning ("Could not remove the files of deleted records: %s", error->message);
      g_clear_error (&error);
    }

  json_builder_end_array (builder);
  json_builder_end_object (builder);
  bb_request_reply_json (req, SOUP_STATUS_OK, json_builder_get_root (builder));
}

/* A pull page written from the stored text */

/* Appends @value as a JSON string, escaped as json-glib escapes it. */
static void
append_json_string (GString    *out,
                    const char *value)
{
  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      unsigned char c = (unsigned char) *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\b':
          g_string_append (out, "\\b");
          break;
        case '\f':
          g_string_append (out, "\\f");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

static gboolean
is_text (const char *value)
{
  return value != NULL && g_utf8_validate (value, -1, NULL);
}

/* Appends @record in the pull shape without parsing its stored fields:
 * the derived field every kind has ("regime") is added to their text.
 * FALSE, with nothing appended, when a rule would add or replace more (a
 * registration mark, a Section 59 warning's expiry, a key written with an
 * escape) or a stored text is not strict JSON: record_to_json() does
 * those. The answer is the same JSON either way. */
static gboolean
append_record_text (GString        *out,
                    BbServerRecord *record)
{
  const BbKindSpec *spec = bb_kind_lookup (record->kind);
  const char *fields = record->fields_json != NULL ? record->fields_json : "{}";
  const char *review = record->review_json != NULL ? record->review_json : "[]";
  const char *name = record->author_name != NULL ? record->author_name : "";
  const char *role = record->author_role != NULL ? record->author_role : "";
  const char *state = record->review_state != NULL ? record->review_state : "new";
  gsize end;

  if (spec == NULL || !is_text (record->id) || !is_text (record->kind) ||
      !is_text (record->occurred_at) || !is_text (record->updated_at) ||
      !is_text (record->author_id) || !is_text (name) || !is_text (role) || !is_text (state))
    return FALSE;
  if (!record->deleted &&
      (g_str_equal (record->kind, BB_KIND_S59_WARNING) || strstr (fields, "\\u") != NULL ||
       strstr (fields, "vrm") != NULL || strstr (fields, "regime") != NULL ||
       strstr (fields, "expires_at") != NULL))
    return FALSE;
  if (!bb_json_is_container (fields, strlen (fields), '{') ||
      !bb_json_is_container (review, strlen (review), '['))
    return FALSE;

  g_string_append (out, "{\"id\":");
  append_json_string (out, record->id);
  g_string_append (out, ",\"kind\":");
  append_json_string (out, record->kind);
  g_string_append_printf (out, ",\"rev\":%" G_GINT64_FORMAT ",\"seq\":%" G_GINT64_FORMAT
                          ",\"deleted\":%s,\"occurred_at\":",
                          record->rev, record->seq, record->deleted ? "true" : "false");
  append_json_string (out, record->occurred_at);
  g_string_append (out, ",\"updated_at\":");
  append_json_string (out, record->updated_at);
  g_string_append_printf (out, ",\"priority\":%d,\"author\":{\"id\":", record->priority);
  append_json_string (out, record->author_id);
  g_string_append (out, ",\"display_name\":");
  append_json_string (out, name);
  g_string_append (out, ",\"role\":");
  append_json_string (out, role);
  g_string_append (out, "},\"fields\":");

  if (record->deleted)
    g_string_append (out, fields);
  else
    {
      gsize open = 0;

      /* The object's text up to its closing brace, then "regime". */
      end = strlen (fields);
      while (end > 0 && fields[end - 1] != '}')
        end--;
      end--;
      g_string_append_len (out, fields, (gssize) end);
      while (fields[open] != '{')
        open++;
      for (gsize i = open + 1; i < end; i++)
        if (!g_ascii_isspace (fields[i]))
          {
            g_string_append_c (out, ',');
            break;
          }
      g_string_append (out, "\"regime\":");
      append_json_string (out, bb_regime_to_string (spec->regime));
      g_string_append_c (out, '}');
    }

  g_string_append (out, ",\"review\":{\"state\":");
  append_json_string (out, state);
  g_string_append (out, ",\"comments\":");
  g_string_append (out, review);
  g_string_append (out, "}}");
  return TRUE;
}

/* Pull */

/* Rows a pull request reads at most while skipping the device's own. */
#define PULL_SCAN_MAX 50000

/* Written by the pulling device's own push, exactly as it holds it. */
static gboolean
is_own_revision (BbRequest      *req,
                 BbServerRecord *record)
{
  return record->written_by != NULL && req->device != NULL &&
         g_strcmp0 (record->written_by, req->device->id) == 0;
}

char *
bb_request_scope (BbRequest     *req,
                  BbServerScope *scope)
{
  char *window_start = NULL;

  memset (scope, 0, sizeof *scope);
  scope->user_id = req->user->id;
  scope->everything = may_see_everything (req->role);
  if (req->role == BB_ROLE_OFFICER)
    {
      /* Officers carry every recent warning for the offline look-up. */
      window_start = s59_window_start (req);
      scope->s59_since = window_start;
    }
  return window_start;
}

void
bb_server_handle_pull (BbRequest *req)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GString) text = NULL;
  g_autofree char *window_start = NULL;
  BbServerScope scope = { 0 };
  gint64 since, limit, last_seq;
  gboolean more = FALSE;
  guint n_sent = 0, n_scanned = 0;

  if (!bb_request_query_int (req, "since", 0, G_MAXINT64, 0, &since) ||
      !bb_request_query_int (req, "limit", 1, 1000, 500, &limit))
    return;

  window_start = bb_request_scope (req, &scope);

  /* A page holds up to @limit changes for the device; its own revisions
   * are read past (up to PULL_SCAN_MAX rows a request), so a pull after a
   * large push takes a few requests, not one per page of echoes. */
  records = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_server_record_free);
  last_seq = since;
  do
    {
      g_autoptr(GPtrArray) page = NULL;

      page = bb_server_store_records_pull (req->store, &scope, last_seq,
                                           (guint) limit - n_sent, &more, &error);
      if (page == NULL)
        {
          bb_request_storage_error (req, error);
          return;
        }
      for (guint i = 0; i < page->len; i++)
        {
          BbServerRecord *record = page->pdata[i];

          last_seq = record->seq;
          n_scanned++;
          if (is_own_revision (req, record))
            continue;
          g_ptr_array_add (records, g_steal_pointer (&page->pdata[i]));
          n_sent++;
        }
    }
  while (more && n_sent < (guint) limit && n_scanned < PULL_SCAN_MAX);

  if (n_sent > 0)
    {
      g_autoptr(GString) detail = g_string_new (NULL);

      /* DPA 2018 s62: a consultation is logged, one entry per page, naming
       * every record sent, so "who saw this person's details" has an
       * answer. */
      g_string_printf (detail, "pull since=%" G_GINT64_FORMAT " records=%u ids=", since, records->len);
      for (guint i = 0; i < records->len; i++)
        g_string_append_printf (detail, "%s%s", i > 0 ? "," : "",
                                ((BbServerRecord *) records->pdata[i])->id);
      if (!bb_request_audit (req, "view", NULL, detail->str, &error))
        {
          bb_request_storage_error (req, error);
          return;
        }
    }

  /* Written as text: most records need no tree (append_record_text). */
  text = g_string_sized_new (256 + (gsize) records->len * 1024);
  g_string_append (text, "{\"changes\":[");
  for (guint i = 0; i < records->len; i++)
    {
      if (i > 0)
        g_string_append_c (text, ',');
      if (!append_record_text (text, records->pdata[i]))
        {
          g_autoptr(JsonNode) node = record_to_json (records->pdata[i]);
          g_autofree char *written = json_to_string (node, FALSE);

          g_string_append (text, written);
        }
    }
  /* Past the last row read, sent or not: the device's own revisions are
   * not asked for again. */
  g_string_append_printf (text, "],\"next\":%" G_GINT64_FORMAT ",\"more\":%s}",
                          last_seq, more ? "true" : "false");
  bb_request_reply_json_text (req, SOUP_STATUS_OK, g_string_free (g_steal_pointer (&text), FALSE));
}

/* Review */

void
bb_server_handle_review (BbRequest  *req,
                         const char *record_id)
{
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BbServerRecord) record = NULL;
  g_autoptr(JsonNode) comments = NULL;
  g_autofree char *now = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *stripped_comment = NULL;
  JsonObject *object;
  JsonNode *comment_node;
  const char *state;
  const char *comment = NULL;

  /* sync-api.md "Review (supervisors)": 403 for every other role, admin
   * included (domain.md: admins manage users and devices). */
  if (req->role != BB_ROLE_SUPERVISOR)
    {
      bb_request_error (req, SOUP_STATUS_FORBIDDEN, "forbidden",
                        _("Only supervisors review records."));
      return;
    }

  body = bb_request_parse_body (req);
  if (body == NULL)
    return;
  object = json_node_get_object (body);

  state = member_string (object, "state");
  if (state == NULL ||
      (!g_str_equal (state, "reviewed") && !g_str_equal (state, "returned") &&
       !g_str_equal (state, "closed")))
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        _("“state” must be “reviewed”, “returned” or “closed”."));
      return;
    }
  comment_node = json_object_get_member (object, "comment");
  if (comment_node != NULL && !JSON_NODE_HOLDS_NULL (comment_node))
    {
      comment = member_string (object, "comment");
      if (comment == NULL)
        {
          bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                            _("“comment” must be a string."));
          return;
        }
      if (g_utf8_strlen (comment, -1) > BB_FIELD_DEFAULT_MAX_LENGTH)
        {
          bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                            _("“comment” is too long."));
          return;
        }
    }
  if (comment != NULL)
    stripped_comment = g_strstrip (g_strdup (comment));
  if (g_str_equal (state, "returned") &&
      (stripped_comment == NULL || *stripped_comment == '\0'))
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        _("A returned record needs a comment telling the author what is missing."));
      return;
    }

  /* Read under the write lock: two supervisors reviewing one record at
   * once (on two of the server's workers, or two servers) each add their
   * comment to the thread the other left, and neither is lost. */
  if (!bb_server_store_begin (req->store, &error))
    {
      bb_request_storage_error (req, error);
      return;
    }
  record = bb_server_store_record_get (req->store, record_id, &error);
  if (error != NULL)
    {
      bb_server_store_rollback (req->store);
      bb_request_storage_error (req, error);
      return;
    }
  if (record == NULL || record->deleted)
    {
      bb_server_store_rollback (req->store);
      bb_request_error (req, SOUP_STATUS_NOT_FOUND, "not_found",
                        _("There is no record with that id."));
      return;
    }

  now = bb_server_time_now ();
  comments = parse_stored (record->review_json, JSON_NODE_ARRAY);
  if (stripped_comment != NULL && *stripped_comment != '\0')
    {
      JsonObject *entry = json_object_new ();

      json_object_set_string_member (entry, "author", req->user->display_name);
      json_object_set_string_member (entry, "at", now);
      json_object_set_string_member (entry, "text", comment);
      json_array_add_object_element (json_node_get_array (comments), entry);
    }
  g_free (record->review_state);
  record->review_state = g_strdup (state);
  g_free (record->review_json);
  record->review_json = json_to_string (comments, FALSE);
  /* A review is news to every device, the author's above all. */
  g_clear_pointer (&record->written_by, g_free);

  detail = g_strdup_printf ("state=%s", state);
  if (!bb_server_store_record_put (req->store, record, NULL, &error) ||
      !bb_request_audit (req, "review", record->id, detail, &error) ||
      !bb_server_store_commit (req->store, &error))
    {
      bb_server_store_rollback (req->store);
      bb_request_storage_error (req, error);
      return;
    }

  bb_request_reply_json (req, SOUP_STATUS_OK, record_to_json (record));
}

/* Section 59 look-up */

static gboolean
is_calendar_date (const char *text)
{
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL || strlen (text) != 10)
    return FALSE;
  dt = bb_date_parse (text);
  return dt != NULL;
}

void
bb_server_handle_lookup (BbRequest *req)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *window_start = NULL;
  g_autofree char *vrm = NULL;
  g_autofree char *surname = NULL;
  g_autofree char *detail = NULL;
  const char *vrm_param = NULL, *surname_param = NULL, *dob = NULL;

  if (req->role != BB_ROLE_OFFICER && req->role != BB_ROLE_SUPERVISOR)
    {
      bb_request_error (req, SOUP_STATUS_FORBIDDEN, "forbidden",
                        _("Only police officers and supervisors may look up Section 59 warnings."));
      return;
    }

  if (req->query != NULL)
    {
      vrm_param = g_hash_table_lookup (req->query, "vrm");
      surname_param = g_hash_table_lookup (req->query, "surname");
      dob = g_hash_table_lookup (req->query, "dob");
    }

  if (vrm_param != NULL && *vrm_param != '\0')
    {
      if (strlen (vrm_param) > MAX_LOOKUP_VRM_LENGTH || !g_utf8_validate (vrm_param, -1, NULL))
        {
          bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter",
                            _("“vrm” is not a registration mark."));
          return;
        }
      vrm = bb_vrm_normalise (vrm_param);
    }
  if (surname_param != NULL || dob != NULL)
    {
      g_autofree char *stripped = NULL;

      if (surname_param == NULL || dob == NULL)
        {
          bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter",
                            _("A look-up by person needs both “surname” and “dob”."));
          return;
        }
      stripped = g_strstrip (g_strdup (surname_param));
      if (*stripped == '\0' || !g_utf8_validate (stripped, -1, NULL) ||
          g_utf8_strlen (stripped, -1) > MAX_LOOKUP_SURNAME_LENGTH)
        {
          bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter",
                            _("“surname” must be a name."));
          return;
        }
      if (!is_calendar_date (dob))
        {
          bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter",
                            _("“dob” must be a date written as 1990-04-01."));
          return;
        }
      surname = g_utf8_casefold (stripped, -1);
    }
  if (vrm == NULL && surname == NULL)
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter",
                        _("Give “vrm”, or “surname” and “dob”."));
      return;
    }

  window_start = s59_window_start (req);
  matches = bb_server_store_s59_lookup (req->store, vrm, surname, surname != NULL ? dob : NULL,
                                        window_start, &error);
  if (matches == NULL)
    {
      bb_request_storage_error (req, error);
      return;
    }

  /* Every look-up is an audited consultation, found or not, naming the
   * records it showed. */
  {
    g_autoptr(GString) ids = g_string_new (NULL);

    for (guint i = 0; i < matches->len; i++)
      g_string_append_printf (ids, "%s%s", i > 0 ? "," : "", ((BbServerRecord *) matches->pdata[i])->id);
    if (vrm != NULL && surname != NULL)
      detail = g_strdup_printf ("vrm=%s surname=%s dob=%s matches=%u ids=%s", vrm, surname, dob, matches->len, ids->str);
    else if (vrm != NULL)
      detail = g_strdup_printf ("vrm=%s matches=%u ids=%s", vrm, matches->len, ids->str);
    else
      detail = g_strdup_printf ("surname=%s dob=%s matches=%u ids=%s", surname, dob, matches->len, ids->str);
  }
  if (!bb_request_audit (req, "lookup", NULL, detail, &error))
    {
      bb_request_storage_error (req, error);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "matches");
  json_builder_begin_array (builder);
  for (guint i = 0; i < matches->len; i++)
    {
      BbServerRecord *record = matches->pdata[i];
      g_autoptr(JsonNode) fields_node = parse_stored (record->fields_json, JSON_NODE_OBJECT);
      JsonObject *fields = json_node_get_object (fields_node);
      g_autofree char *expires_at = bb_time_add_months_iso (record->occurred_at, 12);
      const char *place = member_string (fields, "place");
      const char *ward = member_string (fields, "ward");
      const char *ward_label = ward != NULL ? bb_profile_get_choice_label (req->profile, "wards", ward) : NULL;
      g_autofree char *location = NULL;

      if (place != NULL && *place != '\0' && ward_label != NULL)
        location = g_strdup_printf ("%s, %s", place, ward_label);
      else if (place != NULL && *place != '\0')
        location = g_strdup (place);
      else
        location = g_strdup (ward_label != NULL ? ward_label : ward);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, record->id);
      json_builder_set_member_name (builder, "issued_at");
      json_builder_add_string_value (builder, record->occurred_at);
      json_builder_set_member_name (builder, "expires_at");
      json_builder_add_string_value (builder, expires_at);
      json_builder_set_member_name (builder, "vrm");
      if (member_string (member_object (fields, "vehicle"), "vrm") != NULL)
        json_builder_add_string_value (builder, member_string (member_object (fields, "vehicle"), "vrm"));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "driver_name");
      if (member_string (member_object (fields, "driver"), "name") != NULL)
        json_builder_add_string_value (builder, member_string (member_object (fields, "driver"), "name"));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "location");
      if (location != NULL)
        json_builder_add_string_value (builder, location);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "officer");
      json_builder_add_string_value (builder, record->author_name != NULL ? record->author_name : "");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "window_days");
  json_builder_add_int_value (builder, bb_profile_get_s59_window_days (req->profile));
  json_builder_end_object (builder);
  bb_request_reply_json (req, SOUP_STATUS_OK, json_builder_get_root (builder));
}
