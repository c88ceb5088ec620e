/* bb-record.c: one record of any kind, and its JSON codec
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

#include <string.h>

#include "bb-i18n.h"
#include "bb-json-span.h"
#include "bb-record.h"
#include "bb-time.h"
#include "bb-vrm.h"

struct _BbRecord
{
  GObject      parent_instance;

  char        *id;
  char        *kind;
  gint64       rev;
  gint64       base_rev;
  gint64       seq;
  gboolean     deleted;
  char        *occurred_at;
  int          priority;
  JsonObject  *fields;
  char        *created_at;
  char        *updated_at;
  char        *author_id;
  char        *author_name;
  char        *author_role;
  char        *review_state;
  JsonArray   *review_comments;
  BbSyncState  sync_state;
  char        *sync_message;
  char        *personal_purged_at;
};

G_DEFINE_FINAL_TYPE (BbRecord, bb_record, G_TYPE_OBJECT)

G_DEFINE_QUARK (bb-record-error-quark, bb_record_error)

static void
bb_record_finalize (GObject *object)
{
  BbRecord *self = (BbRecord *)object;

  g_free (self->id);
  g_free (self->kind);
  g_free (self->occurred_at);
  g_clear_pointer (&self->fields, json_object_unref);
  g_free (self->created_at);
  g_free (self->updated_at);
  g_free (self->author_id);
  g_free (self->author_name);
  g_free (self->author_role);
  g_free (self->review_state);
  g_clear_pointer (&self->review_comments, json_array_unref);
  g_free (self->sync_message);
  g_free (self->personal_purged_at);

  G_OBJECT_CLASS (bb_record_parent_class)->finalize (object);
}

static void
bb_record_class_init (BbRecordClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bb_record_finalize;
}

static void
bb_record_init (BbRecord *self)
{
  self->fields = json_object_new ();
  self->review_state = g_strdup ("new");
  self->priority = 2;
  self->sync_state = BB_SYNC_STATE_PENDING;
}

/* JSON helpers */

JsonNode *
bb_json_node_copy (JsonNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonNode *copy = json_node_new (JSON_NODE_OBJECT);

        json_node_take_object (copy, bb_json_object_copy (json_node_get_object (node)));
        return copy;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        JsonArray *out = json_array_sized_new (json_array_get_length (array));
        JsonNode *copy = json_node_new (JSON_NODE_ARRAY);

        for (guint i = 0; i < json_array_get_length (array); i++)
          json_array_add_element (out, bb_json_node_copy (json_array_get_element (array, i)));
        json_node_take_array (copy, out);
        return copy;
      }

    case JSON_NODE_VALUE:
    case JSON_NODE_NULL:
    default:
      return json_node_copy (node);
    }
}

JsonObject *
bb_json_object_copy (JsonObject *object)
{
  JsonObject *out;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  g_return_val_if_fail (object != NULL, NULL);

  out = json_object_new ();
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    json_object_set_member (out, name, bb_json_node_copy (member));

  return out;
}

char *
bb_uuid_new (void)
{
  return g_uuid_string_random ();
}

gboolean
bb_uuid_is_valid (const char *str)
{
  /* Any RFC 4122 UUID is accepted: devices make v4, but a back office
   * importing older data may not. */
  return str != NULL && g_uuid_string_is_valid (str);
}

/* Construction */

BbRecord *
bb_record_new (const char *kind)
{
  const BbKindSpec *spec;
  BbRecord *self;

  g_return_val_if_fail (kind != NULL, NULL);

  self = g_object_new (BB_TYPE_RECORD, NULL);
  self->id = bb_uuid_new ();
  self->kind = g_strdup (kind);
  self->occurred_at = bb_time_now_iso ();
  spec = bb_kind_lookup (kind);
  if (spec != NULL)
    self->priority = bb_kind_default_priority (spec, NULL);

  return self;
}

BbRecord *
bb_record_copy (BbRecord *self)
{
  BbRecord *copy;

  g_return_val_if_fail (BB_IS_RECORD (self), NULL);

  copy = g_object_new (BB_TYPE_RECORD, NULL);
  copy->id = g_strdup (self->id);
  copy->kind = g_strdup (self->kind);
  copy->rev = self->rev;
  copy->base_rev = self->base_rev;
  copy->seq = self->seq;
  copy->deleted = self->deleted;
  copy->occurred_at = g_strdup (self->occurred_at);
  copy->priority = self->priority;
  json_object_unref (copy->fields);
  copy->fields = bb_json_object_copy (self->fields);
  copy->created_at = g_strdup (self->created_at);
  copy->updated_at = g_strdup (self->updated_at);
  copy->author_id = g_strdup (self->author_id);
  copy->author_name = g_strdup (self->author_name);
  copy->author_role = g_strdup (self->author_role);
  g_free (copy->review_state);
  copy->review_state = g_strdup (self->review_state);
  if (self->review_comments != NULL)
    {
      g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), self->review_comments);
      g_autoptr(JsonNode) node_copy = bb_json_node_copy (node);

      copy->review_comments = json_node_dup_array (node_copy);
    }
  copy->sync_state = self->sync_state;
  copy->sync_message = g_strdup (self->sync_message);
  copy->personal_purged_at = g_strdup (self->personal_purged_at);

  return copy;
}

/* Accessors */

#define STRING_ACCESSORS(field)                                         \
  const char *                                                          \
  bb_record_get_##field (BbRecord *self)                                \
  {                                                                     \
    g_return_val_if_fail (BB_IS_RECORD (self), NULL);                   \
    return self->field;                                                 \
  }                                                                     \
  void                                                                  \
  bb_record_set_##field (BbRecord *self, const char *value)             \
  {                                                                     \
    g_return_if_fail (BB_IS_RECORD (self));                             \
    if (self->field != value)                                           \
      {                                                                 \
        g_free (self->field);                                           \
        self->field = g_strdup (value);                                 \
      }                                                                 \
  }

#define INT_ACCESSORS(type, field)                                      \
  type                                                                  \
  bb_record_get_##field (BbRecord *self)                                \
  {                                                                     \
    g_return_val_if_fail (BB_IS_RECORD (self), 0);                      \
    return self->field;                                                 \
  }                                                                     \
  void                                                                  \
  bb_record_set_##field (BbRecord *self, type value)                    \
  {                                                                     \
    g_return_if_fail (BB_IS_RECORD (self));                             \
    self->field = value;                                                \
  }

STRING_ACCESSORS (id)
STRING_ACCESSORS (occurred_at)
STRING_ACCESSORS (created_at)
STRING_ACCESSORS (updated_at)
STRING_ACCESSORS (sync_message)
STRING_ACCESSORS (personal_purged_at)
INT_ACCESSORS (gint64, rev)
INT_ACCESSORS (gint64, base_rev)
INT_ACCESSORS (gint64, seq)
INT_ACCESSORS (int, priority)
INT_ACCESSORS (BbSyncState, sync_state)

gboolean
bb_record_get_deleted (BbRecord *self)
{
  g_return_val_if_fail (BB_IS_RECORD (self), FALSE);
  return self->deleted;
}

void
bb_record_set_deleted (BbRecord *self,
                       gboolean  deleted)
{
  g_return_if_fail (BB_IS_RECORD (self));
  self->deleted = !!deleted;
}

const char *
bb_record_get_kind (BbRecord *self)
{
  g_return_val_if_fail (BB_IS_RECORD (self), NULL);
  return self->kind;
}

const BbKindSpec *
bb_record_get_kind_spec (BbRecord *self)
{
  g_return_val_if_fail (BB_IS_RECORD (self), NULL);
  return bb_kind_lookup (self->kind);
}

JsonObject *
bb_record_get_fields (BbRecord *self)
{
  g_return_val_if_fail (BB_IS_RECORD (self), NULL);
  return self->fields;
}

void
bb_record_set_fields (BbRecord   *self,
                      JsonObject *fields)
{
  g_return_if_fail (BB_IS_RECORD (self));
  g_return_if_fail (fields != NULL);

  json_object_ref (fields);
  json_object_unref (self->fields);
  self->fields = fields;
}

const char *
bb_record_get_author_id (BbRecord *self)
{
  g_return_val_if_fail (BB_IS_RECORD (self), NULL);
  return self->author_id;
}

const char *
bb_record_get_author_name (BbRecord *self)
{
  g_return_val_if_fail (BB_IS_RECORD (self), NULL);
  return self->author_name;
}

const char *
bb_record_get_author_role (BbRecord *self)
{
  g_return_val_if_fail (BB_IS_RECORD (self), NULL);
  return self->author_role;
}

void
bb_record_set_author (BbRecord   *self,
                      const char *id,
                      const char *display_name,
                      const char *role)
{
  g_return_if_fail (BB_IS_RECORD (self));

  g_free (self->author_id);
  g_free (self->author_name);
  g_free (self->author_role);
  self->author_id = g_strdup (id);
  self->author_name = g_strdup (display_name);
  self->author_role = g_strdup (role);
}

const char *
bb_record_get_review_state (BbRecord *self)
{
  g_return_val_if_fail (BB_IS_RECORD (self), NULL);
  return self->review_state;
}

void
bb_record_set_review_state (BbRecord   *self,
                            const char *state)
{
  g_return_if_fail (BB_IS_RECORD (self));

  g_free (self->review_state);
  self->review_state = g_strdup (state != NULL ? state : "new");
}

JsonArray *
bb_record_get_review_comments (BbRecord *self)
{
  g_return_val_if_fail (BB_IS_RECORD (self), NULL);
  return self->review_comments;
}

void
bb_record_set_review_comments (BbRecord  *self,
                               JsonArray *comments)
{
  g_return_if_fail (BB_IS_RECORD (self));

  if (comments != NULL)
    json_array_ref (comments);
  g_clear_pointer (&self->review_comments, json_array_unref);
  self->review_comments = comments;
}

static const char * const sync_state_ids[] = {
  [BB_SYNC_STATE_PENDING] = "pending",
  [BB_SYNC_STATE_SYNCED] = "synced",
  [BB_SYNC_STATE_REJECTED] = "rejected",
  [BB_SYNC_STATE_CONFLICT] = "conflict",
};

const char *
bb_sync_state_to_string (BbSyncState state)
{
  g_return_val_if_fail ((guint)state < G_N_ELEMENTS (sync_state_ids), "pending");
  return sync_state_ids[state];
}

BbSyncState
bb_sync_state_from_string (const char *str)
{
  for (guint i = 0; i < G_N_ELEMENTS (sync_state_ids); i++)
    if (g_strcmp0 (sync_state_ids[i], str) == 0)
      return (BbSyncState)i;

  return BB_SYNC_STATE_PENDING;
}

const char *
bb_sync_state_get_label (BbSyncState state)
{
  switch (state)
    {
    case BB_SYNC_STATE_PENDING:
      return _("Waiting to sync");
    case BB_SYNC_STATE_SYNCED:
      return _("Synced");
    case BB_SYNC_STATE_REJECTED:
      return _("Refused by the server");
    case BB_SYNC_STATE_CONFLICT:
      return _("Changed elsewhere too");
    default:
      g_return_val_if_reached ("");
    }
}

/* Follows "a.b" through nested objects; arrays are not walked. */
static JsonNode *
lookup_path (JsonObject *fields,
             const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonObject *object = fields;
  JsonNode *node = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (object == NULL || !json_object_has_member (object, parts[i]))
        return NULL;
      node = json_object_get_member (object, parts[i]);
      object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    }

  return node;
}

const char *
bb_record_get_field_string (BbRecord   *self,
                            const char *path)
{
  JsonNode *node;

  g_return_val_if_fail (BB_IS_RECORD (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  node = lookup_path (self->fields, path);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

gint64
bb_record_get_field_int (BbRecord   *self,
                         const char *path)
{
  JsonNode *node;

  g_return_val_if_fail (BB_IS_RECORD (self), -1);
  g_return_val_if_fail (path != NULL, -1);

  node = lookup_path (self->fields, path);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return -1;

  return json_node_get_int (node);
}

char *
bb_record_dup_title (BbRecord  *self,
                     BbProfile *profile)
{
  const BbKindSpec *kind;
  const char *value;

  g_return_val_if_fail (BB_IS_RECORD (self), NULL);

  kind = bb_kind_lookup (self->kind);
  if (kind == NULL)
    return g_strdup (self->kind);

  if (strcmp (kind->id, BB_KIND_S59_WARNING) == 0)
    {
      const char *vrm = bb_record_get_field_string (self, "vehicle.vrm");
      const char *type = bb_record_get_field_string (self, "vehicle.type");

      if (vrm != NULL && *vrm != '\0')
        {
          g_autofree char *display = bb_vrm_format_display (vrm);
          /* TRANSLATORS: a Section 59 warning in a list; %s is a registration mark */
          return g_strdup_printf (_("Section 59: %s"), display);
        }
      if (type != NULL && profile != NULL)
        {
          const char *label = bb_profile_get_choice_label (profile, "vehicle_type", type);

          /* TRANSLATORS: a Section 59 warning for an unregistered vehicle; %s is its type */
          return g_strdup_printf (_("Section 59: %s"), label != NULL ? label : type);
        }
      return g_strdup (bb_kind_get_label (kind));
    }

  value = bb_record_get_field_string (self, kind->title_field);
  if (value == NULL || *value == '\0')
    return g_strdup (bb_kind_get_label (kind));

  /* A choice shows its label; free text (an event's title) shows as typed. */
  {
    const BbFieldSpec *spec = bb_field_spec_find (kind->fields, kind->title_field);

    if (spec != NULL && spec->type == BB_FIELD_CHOICE && profile != NULL)
      {
        const char *label = bb_profile_get_choice_label (profile, spec->choices, value);

        if (label != NULL)
          return g_strdup (label);
      }
  }

  return g_strdup (value);
}

/* Derived fields */

static void
derive_vrms (const BbFieldSpec *table,
             JsonObject        *object,
             gboolean           add)
{
  for (const BbFieldSpec *f = table; f->name != NULL; f++)
    {
      JsonNode *node;

      if (f->type == BB_FIELD_VRM)
        {
          JsonNode *vrm_node = json_object_get_member (object, f->name);
          const char *vrm;

          json_object_remove_member (object, "vrm_normalised");
          json_object_remove_member (object, "vrm_recognised");
          if (!add || vrm_node == NULL || !JSON_NODE_HOLDS_VALUE (vrm_node) ||
              json_node_get_value_type (vrm_node) != G_TYPE_STRING)
            continue;
          vrm = json_node_get_string (vrm_node);
            {
              g_autofree char *normalised = bb_vrm_normalise (vrm);

              json_object_set_string_member (object, "vrm_normalised", normalised);
              json_object_set_boolean_member (object, "vrm_recognised",
                                              bb_vrm_recognise (normalised) != BB_VRM_UNRECOGNISED);
            }
          continue;
        }

      if (f->children == NULL || !json_object_has_member (object, f->name))
        continue;

      node = json_object_get_member (object, f->name);
      if (f->type == BB_FIELD_OBJECT && JSON_NODE_HOLDS_OBJECT (node))
        derive_vrms (f->children, json_node_get_object (node), add);
      else if (f->type == BB_FIELD_OBJECT_LIST && JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *item = json_array_get_element (array, i);

              if (JSON_NODE_HOLDS_OBJECT (item))
                derive_vrms (f->children, json_node_get_object (item), add);
            }
        }
    }
}

void
bb_fields_add_derived (const char *kind,
                       const char *occurred_at,
                       JsonObject *fields)
{
  const BbKindSpec *spec;

  g_return_if_fail (fields != NULL);

  spec = bb_kind_lookup (kind);
  if (spec == NULL)
    return;

  json_object_set_string_member (fields, "regime", bb_regime_to_string (spec->regime));

  json_object_remove_member (fields, "expires_at");
  if (strcmp (spec->id, BB_KIND_S59_WARNING) == 0 && occurred_at != NULL)
    {
      g_autofree char *expires = bb_time_add_months_iso (occurred_at, 12);

      if (expires != NULL)
        json_object_set_string_member (fields, "expires_at", expires);
    }

  derive_vrms (spec->fields, fields, TRUE);
}

void
bb_fields_strip_derived (const char *kind,
                         JsonObject *fields)
{
  const BbKindSpec *spec;

  g_return_if_fail (fields != NULL);

  json_object_remove_member (fields, "regime");
  json_object_remove_member (fields, "expires_at");

  spec = bb_kind_lookup (kind);
  if (spec != NULL)
    derive_vrms (spec->fields, fields, FALSE);
}

/* Codec */

/* Whether json-glib writes @text as a JSON string unchanged between its
 * quotes: ids, kinds and times are plain ASCII. */
static gboolean
is_plain_string (const char *text)
{
  if (text == NULL)
    return FALSE;
  for (const char *c = text; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && strchr ("-_:.+ ", *c) == NULL)
      return FALSE;
  return TRUE;
}

/* The length of @fields_text (@length bytes) without its trailing "regime"
 * member, which bb_fields_add_derived() sets last on a new record; -1 when
 * the member is anywhere else. */
static gssize
length_without_regime (const char *fields_text,
                       gsize       length)
{
  const char *first = strstr (fields_text, "\"regime\":\"");
  const char *value;

  if (first == NULL)
    return length;
  /* ,"regime":"plain"} or {"regime":"plain"} at the very end. */
  if (first == fields_text || (first[-1] != ',' && first[-1] != '{'))
    return -1;
  value = first + strlen ("\"regime\":\"");
  while (g_ascii_isalnum (*value) || *value == '_')
    value++;
  if (strcmp (value, "\"}") != 0)
    return -1;
  return first[-1] == ',' ? first - 1 - fields_text : first - fields_text;
}

char *
bb_change_text_from_stored (const char *id,
                            const char *kind,
                            gint64      rev,
                            gint64      base_rev,
                            gboolean    deleted,
                            const char *occurred_at,
                            int         priority,
                            const char *fields_text)
{
  static const char *const derived[] = {
    "\"expires_at\"", "\"vrm_normalised\"", "\"vrm_recognised\"",
  };
  GString *text;
  gsize fields_length;
  gssize kept;

  if (!is_plain_string (id) || !is_plain_string (kind) || !is_plain_string (occurred_at) ||
      fields_text == NULL)
    return NULL;

  /* bb_fields_strip_derived() would take these out: only a text without
   * them (even as words of a value) is sent as stored... */
  for (guint i = 0; i < G_N_ELEMENTS (derived); i++)
    if (strstr (fields_text, derived[i]) != NULL)
      return NULL;

  fields_length = strlen (fields_text);
  if (!bb_json_is_container (fields_text, fields_length, '{'))
    return NULL;
  /* ...but for the regime every record holds, last: cut off. */
  kept = length_without_regime (fields_text, fields_length);
  if (kept < 0)
    return NULL;

  text = g_string_sized_new (fields_length + 200);
  g_string_append_printf (text,
                          "{\"id\":\"%s\",\"kind\":\"%s\",\"rev\":%" G_GINT64_FORMAT
                          ",\"base_rev\":%" G_GINT64_FORMAT ",\"deleted\":%s"
                          ",\"occurred_at\":\"%s\",\"priority\":%d,\"fields\":",
                          id, kind, rev, base_rev, deleted ? "true" : "false",
                          occurred_at, priority);
  g_string_append_len (text, fields_text, kept);
  if ((gsize) kept < fields_length)
    g_string_append_c (text, '}');
  g_string_append_c (text, '}');
  return g_string_free (text, FALSE);
}


JsonNode *
bb_record_to_change_json (BbRecord *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) fields = NULL;
  JsonNode *fields_node;

  g_return_val_if_fail (BB_IS_RECORD (self), NULL);

  fields = bb_json_object_copy (self->fields);
  bb_fields_strip_derived (self->kind, fields);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, self->id);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, self->kind);
  json_builder_set_member_name (builder, "rev");
  json_builder_add_int_value (builder, self->rev);
  json_builder_set_member_name (builder, "base_rev");
  json_builder_add_int_value (builder, self->base_rev);
  json_builder_set_member_name (builder, "deleted");
  json_builder_add_boolean_value (builder, self->deleted);
  json_builder_set_member_name (builder, "occurred_at");
  json_builder_add_string_value (builder, self->occurred_at);
  json_builder_set_member_name (builder, "priority");
  json_builder_add_int_value (builder, self->priority);
  json_builder_set_member_name (builder, "fields");
  fields_node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (fields_node, g_steal_pointer (&fields));
  json_builder_add_value (builder, fields_node);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

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

JsonNode *
bb_record_to_json (BbRecord *self,
                   gboolean  with_local_state)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  JsonNode *node;

  g_return_val_if_fail (BB_IS_RECORD (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, self->id);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, self->kind);
  json_builder_set_member_name (builder, "rev");
  json_builder_add_int_value (builder, self->rev);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, self->seq);
  json_builder_set_member_name (builder, "deleted");
  json_builder_add_boolean_value (builder, self->deleted);
  add_nullable_string (builder, "occurred_at", self->occurred_at);
  add_nullable_string (builder, "updated_at", self->updated_at);
  json_builder_set_member_name (builder, "priority");
  json_builder_add_int_value (builder, self->priority);

  json_builder_set_member_name (builder, "author");
  json_builder_begin_object (builder);
  add_nullable_string (builder, "id", self->author_id);
  add_nullable_string (builder, "display_name", self->author_name);
  add_nullable_string (builder, "role", self->author_role);
  json_builder_end_object (builder);

  {
    g_autoptr(JsonNode) fields = json_node_init_object (json_node_alloc (), self->fields);

    json_builder_set_member_name (builder, "fields");
    json_builder_add_value (builder, bb_json_node_copy (fields));
  }

  json_builder_set_member_name (builder, "review");
  json_builder_begin_object (builder);
  add_nullable_string (builder, "state", self->review_state);
  json_builder_set_member_name (builder, "comments");
  if (self->review_comments != NULL)
    {
      g_autoptr(JsonNode) comments = json_node_init_array (json_node_alloc (), self->review_comments);

      json_builder_add_value (builder, bb_json_node_copy (comments));
    }
  else
    {
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);

  if (with_local_state)
    {
      add_nullable_string (builder, "created_at", self->created_at);
      json_builder_set_member_name (builder, "base_rev");
      json_builder_add_int_value (builder, self->base_rev);
      json_builder_set_member_name (builder, "sync_state");
      json_builder_add_string_value (builder, bb_sync_state_to_string (self->sync_state));
      if (self->sync_message != NULL)
        add_nullable_string (builder, "sync_message", self->sync_message);
    }

  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  return node;
}

static gboolean
get_optional (JsonObject  *object,
              const char  *name,
              GType        type,
              JsonNode   **out,
              GError     **error)
{
  JsonNode *node;

  *out = NULL;
  if (!json_object_has_member (object, name))
    return TRUE;

  node = json_object_get_member (object, name);
  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) ||
      (type == G_TYPE_INT64 && json_node_get_value_type (node) != G_TYPE_INT64) ||
      (type == G_TYPE_STRING && json_node_get_value_type (node) != G_TYPE_STRING) ||
      (type == G_TYPE_BOOLEAN && json_node_get_value_type (node) != G_TYPE_BOOLEAN))
    {
      g_set_error (error, BB_RECORD_ERROR, BB_RECORD_ERROR_INVALID,
                   /* TRANSLATORS: %s is a JSON key such as "rev" */
                   _("“%s” has the wrong type"), name);
      return FALSE;
    }

  *out = node;
  return TRUE;
}

#define READ_STRING(obj, name, target)                                  \
  G_STMT_START {                                                        \
    JsonNode *n_;                                                       \
    if (!get_optional (obj, name, G_TYPE_STRING, &n_, error))           \
      return NULL;                                                      \
    if (n_ != NULL)                                                     \
      {                                                                 \
        g_free (target);                                                \
        target = g_strdup (json_node_get_string (n_));                  \
      }                                                                 \
  } G_STMT_END

#define READ_INT(obj, name, target)                                     \
  G_STMT_START {                                                        \
    JsonNode *n_;                                                       \
    if (!get_optional (obj, name, G_TYPE_INT64, &n_, error))            \
      return NULL;                                                      \
    if (n_ != NULL)                                                     \
      target = json_node_get_int (n_);                                  \
  } G_STMT_END

BbRecord *
bb_record_new_from_json (JsonNode  *node,
                         GError   **error)
{
  g_autoptr(BbRecord) self = NULL;
  JsonObject *object;
  JsonNode *n;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, BB_RECORD_ERROR, BB_RECORD_ERROR_INVALID,
                           _("A record must be a JSON object"));
      return NULL;
    }
  object = json_node_get_object (node);

  self = g_object_new (BB_TYPE_RECORD, NULL);
  READ_STRING (object, "id", self->id);
  READ_STRING (object, "kind", self->kind);
  if (!bb_uuid_is_valid (self->id))
    {
      g_set_error_literal (error, BB_RECORD_ERROR, BB_RECORD_ERROR_INVALID,
                           _("The record has no valid “id”"));
      return NULL;
    }
  if (bb_kind_lookup (self->kind) == NULL)
    {
      g_set_error (error, BB_RECORD_ERROR, BB_RECORD_ERROR_INVALID,
                   _("“%s” is not a kind of record"), self->kind ? self->kind : "");
      return NULL;
    }

  READ_INT (object, "rev", self->rev);
  READ_INT (object, "base_rev", self->base_rev);
  READ_INT (object, "seq", self->seq);
  if (!get_optional (object, "deleted", G_TYPE_BOOLEAN, &n, error))
    return NULL;
  if (n != NULL)
    self->deleted = json_node_get_boolean (n);
  READ_STRING (object, "occurred_at", self->occurred_at);
  READ_STRING (object, "created_at", self->created_at);
  READ_STRING (object, "updated_at", self->updated_at);
  {
    gint64 priority = self->priority;

    READ_INT (object, "priority", priority);
    self->priority = (int)CLAMP (priority, 0, 99);
  }

  if (json_object_has_member (object, "fields"))
    {
      n = json_object_get_member (object, "fields");
      if (!JSON_NODE_HOLDS_OBJECT (n))
        {
          g_set_error_literal (error, BB_RECORD_ERROR, BB_RECORD_ERROR_INVALID,
                               _("“fields” must be a JSON object"));
          return NULL;
        }
      json_object_unref (self->fields);
      self->fields = bb_json_object_copy (json_node_get_object (n));
    }

  if (json_object_has_member (object, "author") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "author")))
    {
      JsonObject *author = json_object_get_object_member (object, "author");

      READ_STRING (author, "id", self->author_id);
      READ_STRING (author, "display_name", self->author_name);
      READ_STRING (author, "role", self->author_role);
    }

  if (json_object_has_member (object, "review") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "review")))
    {
      JsonObject *review = json_object_get_object_member (object, "review");

      READ_STRING (review, "state", self->review_state);
      if (json_object_has_member (review, "comments") &&
          JSON_NODE_HOLDS_ARRAY (json_object_get_member (review, "comments")))
        {
          g_autoptr(JsonNode) copy = bb_json_node_copy (json_object_get_member (review, "comments"));

          self->review_comments = json_node_dup_array (copy);
        }
    }

  {
    char *state = NULL;

    READ_STRING (object, "sync_state", state);
    if (state != NULL)
      self->sync_state = bb_sync_state_from_string (state);
    g_free (state);
  }
  READ_STRING (object, "sync_message", self->sync_message);

  if (self->occurred_at == NULL)
    {
      g_set_error_literal (error, BB_RECORD_ERROR, BB_RECORD_ERROR_INVALID,
                           _("The record has no “occurred_at”"));
      return NULL;
    }

  return g_steal_pointer (&self);
}
