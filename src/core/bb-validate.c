/* bb-validate.c: the rules every entry point applies (app, cli, server)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

#include <math.h>
#include <string.h>

#include "bb-evidence.h"
#include "bb-i18n.h"
#include "bb-kind.h"
#include "bb-record.h"
#include "bb-time.h"
#include "bb-validate.h"
#include "bb-vrm.h"

/* A count larger than this is a typing slip, not an event. */
#define MAX_COUNT 1000000
/* More list items than this is not a record a person typed. */
#define MAX_LIST_ITEMS 200

typedef struct
{
  BbProfile *profile;
  GPtrArray *problems;
} Check;

void
bb_problem_free (BbProblem *problem)
{
  if (problem == NULL)
    return;

  g_free (problem->path);
  g_free (problem->code);
  g_free (problem->message);
  g_free (problem);
}

gboolean
bb_problems_have_errors (GPtrArray *problems)
{
  if (problems == NULL)
    return FALSE;

  for (guint i = 0; i < problems->len; i++)
    {
      const BbProblem *p = g_ptr_array_index (problems, i);

      if (p->severity == BB_PROBLEM_ERROR)
        return TRUE;
    }

  return FALSE;
}

char *
bb_problems_to_string (GPtrArray *problems)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      const BbProblem *p = g_ptr_array_index (problems, i);

      if (out->len > 0)
        g_string_append_c (out, '\n');
      g_string_append_printf (out, "%s: %s", p->path, p->message);
    }

  return g_string_free (out, FALSE);
}

G_GNUC_PRINTF (5, 6)
static void
add_problem (Check             *check,
             BbProblemSeverity  severity,
             const char        *path,
             const char        *code,
             const char        *format,
             ...)
{
  BbProblem *p = g_new0 (BbProblem, 1);
  va_list args;

  va_start (args, format);
  p->message = g_strdup_vprintf (format, args);
  va_end (args);
  p->path = g_strdup (path);
  p->code = g_strdup (code);
  p->severity = severity;
  g_ptr_array_add (check->problems, p);
}

#define invalid(check, path, ...) \
  add_problem (check, BB_PROBLEM_ERROR, path, "invalid_field", __VA_ARGS__)

static char *
join_path (const char *parent,
           const char *name)
{
  if (parent == NULL || *parent == '\0')
    return g_strdup (name);
  return g_strconcat (parent, ".", name, NULL);
}

static gboolean
node_is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_empty (JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (node_is_string (node))
    {
      const char *s = json_node_get_string (node);

      while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
      return *s == '\0';
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_array_get_length (json_node_get_array (node)) == 0;
  return FALSE;
}

static const char *
field_label (const BbFieldSpec *spec)
{
  return spec->label != NULL ? _(spec->label) : spec->name;
}

static void check_object (Check *check, const BbFieldSpec *table, const BbFieldSpec *extra,
                          JsonObject *object, const char *path);

static void
check_text (Check             *check,
            const BbFieldSpec *spec,
            JsonNode          *node,
            const char        *path)
{
  const char *text;
  guint max = spec->max_length > 0 ? spec->max_length : BB_FIELD_DEFAULT_MAX_LENGTH;

  if (!node_is_string (node))
    {
      invalid (check, path, _("%s must be text."), field_label (spec));
      return;
    }

  text = json_node_get_string (node);
  if (g_utf8_strlen (text, -1) > (glong)max)
    invalid (check, path, _("%s is too long: at most %u characters."), field_label (spec), max);
}

static void
check_choice (Check             *check,
              const BbFieldSpec *spec,
              JsonNode          *node,
              const char        *path)
{
  const char *id;

  if (!node_is_string (node))
    {
      invalid (check, path, _("%s must be one of the profile’s ids (text)."), field_label (spec));
      return;
    }

  id = json_node_get_string (node);
  if (check->profile != NULL && !bb_profile_has_choice (check->profile, spec->choices, id))
    invalid (check, path, _("“%s” is not a known choice for %s."), id, field_label (spec));
}

static void
check_time (Check             *check,
            const BbFieldSpec *spec,
            JsonNode          *node,
            const char        *path)
{
  g_autoptr(GDateTime) dt = NULL;

  if (node_is_string (node))
    dt = bb_time_parse (json_node_get_string (node));
  if (dt == NULL)
    invalid (check, path, _("%s must be a date and time such as 2026-03-01T21:14:00Z."),
             field_label (spec));
}

static void
check_date (Check             *check,
            const BbFieldSpec *spec,
            JsonNode          *node,
            const char        *path)
{
  g_autoptr(GDateTime) dt = NULL;

  if (node_is_string (node))
    dt = bb_date_parse (json_node_get_string (node));
  if (dt == NULL)
    invalid (check, path, _("%s must be a real date written as YYYY-MM-DD, such as 1990-04-01."),
             field_label (spec));
}

static void
check_value (Check             *check,
             const BbFieldSpec *spec,
             JsonNode          *node,
             const char        *path)
{
  switch (spec->type)
    {
    case BB_FIELD_TEXT:
      check_text (check, spec, node, path);
      break;

    case BB_FIELD_VRM:
      check_text (check, spec, node, path);
      if (node_is_string (node) &&
          bb_vrm_recognise (json_node_get_string (node)) == BB_VRM_UNRECOGNISED)
        add_problem (check, BB_PROBLEM_WARNING, path, "vrm_unrecognised",
                     _("Registration mark not recognised: check it, or save anyway."));
      break;

    case BB_FIELD_COUNT:
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
        invalid (check, path, _("%s must be a whole number."), field_label (spec));
      else if (json_node_get_int (node) < 0)
        invalid (check, path, _("%s cannot be negative."), field_label (spec));
      else if (json_node_get_int (node) > MAX_COUNT)
        invalid (check, path, _("%s is too large."), field_label (spec));
      break;

    case BB_FIELD_BOOL:
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        invalid (check, path, _("%s must be true or false."), field_label (spec));
      break;

    case BB_FIELD_NUMBER:
      if (!JSON_NODE_HOLDS_VALUE (node) ||
          (json_node_get_value_type (node) != G_TYPE_INT64 &&
           json_node_get_value_type (node) != G_TYPE_DOUBLE) ||
          !isfinite (json_node_get_double (node)))
        invalid (check, path, _("%s must be a number."), field_label (spec));
      break;

    case BB_FIELD_TIME:
      check_time (check, spec, node, path);
      break;

    case BB_FIELD_DATE:
      check_date (check, spec, node, path);
      break;

    case BB_FIELD_CHOICE:
      check_choice (check, spec, node, path);
      break;

    case BB_FIELD_CHOICE_LIST:
    case BB_FIELD_TEXT_LIST:
    case BB_FIELD_ID_LIST:
    case BB_FIELD_OBJECT_LIST:
      {
        JsonArray *array;

        if (!JSON_NODE_HOLDS_ARRAY (node))
          {
            invalid (check, path, _("%s must be a list."), field_label (spec));
            break;
          }
        array = json_node_get_array (node);
        if (json_array_get_length (array) > MAX_LIST_ITEMS)
          {
            invalid (check, path, _("%s has too many items: at most %d."),
                     field_label (spec), MAX_LIST_ITEMS);
            break;
          }
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            JsonNode *item = json_array_get_element (array, i);
            g_autofree char *item_path = g_strdup_printf ("%s[%u]", path, i);

            if (spec->type == BB_FIELD_CHOICE_LIST)
              check_choice (check, spec, item, item_path);
            else if (spec->type == BB_FIELD_TEXT_LIST)
              check_text (check, spec, item, item_path);
            else if (spec->type == BB_FIELD_ID_LIST)
              {
                if (!node_is_string (item) || !bb_uuid_is_valid (json_node_get_string (item)))
                  invalid (check, item_path, _("%s must list record ids."), field_label (spec));
              }
            else if (!JSON_NODE_HOLDS_OBJECT (item))
              invalid (check, item_path, _("Each item of %s must be an object."), field_label (spec));
            else
              check_object (check, spec->children, NULL, json_node_get_object (item), item_path);
          }
      }
      break;

    case BB_FIELD_OBJECT:
      if (!JSON_NODE_HOLDS_OBJECT (node))
        invalid (check, path, _("%s must be an object."), field_label (spec));
      else
        check_object (check, spec->children, NULL, json_node_get_object (node), path);
      break;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
table_has_vrm (const BbFieldSpec *table)
{
  for (const BbFieldSpec *f = table; f != NULL && f->name != NULL; f++)
    if (f->type == BB_FIELD_VRM)
      return TRUE;
  return FALSE;
}

/* Checks @object against @table (and @extra, the common fields at the top
 * level): every key known, every present value well formed, every required
 * key present. */
static void
check_object (Check             *check,
              const BbFieldSpec *table,
              const BbFieldSpec *extra,
              JsonObject        *object,
              const char        *path)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &node))
    {
      const BbFieldSpec *spec = bb_field_spec_find (table, name);
      g_autofree char *member_path = join_path (path, name);

      if (spec == NULL && extra != NULL)
        spec = bb_field_spec_find (extra, name);

      if (spec == NULL)
        {
          gboolean derived = (extra != NULL && (g_str_equal (name, "regime") ||
                                                g_str_equal (name, "expires_at"))) ||
                             (table_has_vrm (table) && (g_str_equal (name, "vrm_normalised") ||
                                                        g_str_equal (name, "vrm_recognised")));

          if (derived)
            invalid (check, member_path, _("“%s” is worked out by the server; do not send it."), name);
          else
            invalid (check, member_path, _("“%s” is not a field of this record."), name);
          continue;
        }

      /* An optional value may be sent as null: it means "not given". */
      if (JSON_NODE_HOLDS_NULL (node) && !(spec->flags & BB_FIELD_FLAG_REQUIRED))
        continue;

      if ((spec->flags & BB_FIELD_FLAG_REQUIRED) && node_is_empty (node))
        {
          invalid (check, member_path, _("%s is required."), field_label (spec));
          continue;
        }

      check_value (check, spec, node, member_path);
    }

  for (guint t = 0; t < 2; t++)
    {
      const BbFieldSpec *list = t == 0 ? table : extra;

      for (const BbFieldSpec *f = list; f != NULL && f->name != NULL; f++)
        {
          if ((f->flags & BB_FIELD_FLAG_REQUIRED) && !json_object_has_member (object, f->name))
            {
              g_autofree char *member_path = join_path (path, f->name);

              invalid (check, member_path, _("%s is required."), field_label (f));
            }
        }
    }
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && node_is_string (node) ? json_node_get_string (node) : NULL;
}

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static gboolean
get_number (JsonObject *object,
            const char *name,
            double     *out)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) != G_TYPE_INT64 &&
      json_node_get_value_type (node) != G_TYPE_DOUBLE)
    return FALSE;
  *out = json_node_get_double (node);
  return isfinite (*out);
}

static gboolean
has_value (JsonObject *object,
           const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && !JSON_NODE_HOLDS_NULL (node);
}

/* fields.attachments beyond its shape: the hash, a known type, the
 * profile's size and count limits, each file once. */
static void
check_attachments (Check      *check,
                   JsonObject *fields)
{
  JsonNode *node = json_object_get_member (fields, "attachments");
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 max_bytes = BB_PROFILE_DEFAULT_MAX_ATTACHMENT_BYTES;
  guint max_count = BB_PROFILE_DEFAULT_MAX_ATTACHMENTS;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;
  if (check->profile != NULL)
    {
      max_bytes = bb_profile_get_max_attachment_bytes (check->profile);
      max_count = (guint) bb_profile_get_max_attachments (check->profile);
    }

  array = json_node_get_array (node);
  if (json_array_get_length (array) > max_count)
    invalid (check, "attachments",
             g_dngettext (GETTEXT_PACKAGE,
                          "A record holds at most %u file.",
                          "A record holds at most %u files.", max_count),
             max_count);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      g_autofree char *path = g_strdup_printf ("attachments[%u]", i);
      JsonObject *object;
      JsonNode *size;
      const char *sha256, *media_type;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;
      object = json_node_get_object (item);

      sha256 = get_string (object, "sha256");
      if (sha256 != NULL && !bb_evidence_sha256_is_valid (sha256))
        {
          g_autofree char *member = join_path (path, "sha256");

          invalid (check, member, _("The SHA-256 of a file must be 64 lowercase hexadecimal digits."));
        }
      else if (sha256 != NULL && !g_hash_table_add (seen, (gpointer) sha256))
        {
          g_autofree char *member = join_path (path, "sha256");

          invalid (check, member, _("The same file is attached twice."));
        }

      media_type = get_string (object, "media_type");
      if (media_type != NULL && !bb_evidence_media_type_is_known (media_type))
        {
          g_autofree char *member = join_path (path, "media_type");

          invalid (check, member, _("“%s” cannot be attached: use image/jpeg, image/png or application/pdf."),
                   media_type);
        }

      size = json_object_get_member (object, "size");
      if (size != NULL && JSON_NODE_HOLDS_VALUE (size) &&
          (json_node_get_value_type (size) != G_TYPE_INT64 ||
           json_node_get_int (size) < 1 || json_node_get_int (size) > max_bytes))
        {
          g_autofree char *member = join_path (path, "size");

          invalid (check, member, _("The size of a file must be a whole number of bytes from 1 to %lld."),
                   (long long) max_bytes);
        }
    }
}

/* Rules that tie fields together (domain.md, sync-api.md). */
static void
check_rules (Check             *check,
             const BbKindSpec  *kind,
             GDateTime         *occurred,
             JsonObject        *fields)
{
  double lat = 0, lon = 0;
  gboolean has_lat = has_value (fields, "lat");
  gboolean has_lon = has_value (fields, "lon");

  check_attachments (check, fields);

  if (has_lat != has_lon)
    invalid (check, has_lat ? "lon" : "lat",
             _("Latitude and longitude go together: give both or neither."));
  if (has_lat && get_number (fields, "lat", &lat) && (lat < -90.0 || lat > 90.0))
    invalid (check, "lat", _("Latitude must be between -90 and 90."));
  if (has_lon && get_number (fields, "lon", &lon) && (lon < -180.0 || lon > 180.0))
    invalid (check, "lon", _("Longitude must be between -180 and 180."));

  if (occurred != NULL && get_string (fields, "ended_at") != NULL)
    {
      g_autoptr(GDateTime) ended = bb_time_parse (get_string (fields, "ended_at"));

      if (ended != NULL && g_date_time_compare (ended, occurred) < 0)
        invalid (check, "ended_at", _("The end time is before the start time."));
    }

  if (g_str_equal (kind->id, BB_KIND_VAWG_WALK) && has_value (fields, "waypoints") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (fields, "waypoints")))
    {
      JsonArray *waypoints = json_object_get_array_member (fields, "waypoints");

      for (guint i = 0; i < json_array_get_length (waypoints); i++)
        {
          JsonNode *element = json_array_get_element (waypoints, i);
          JsonObject *point;
          g_autofree char *lat_path = g_strdup_printf ("waypoints[%u].lat", i);
          g_autofree char *lon_path = g_strdup_printf ("waypoints[%u].lon", i);
          gboolean point_lat, point_lon;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            continue;
          point = json_node_get_object (element);
          point_lat = has_value (point, "lat");
          point_lon = has_value (point, "lon");
          if (point_lat != point_lon)
            invalid (check, point_lat ? lon_path : lat_path,
                     _("Latitude and longitude go together: give both or neither."));
          if (point_lat && get_number (point, "lat", &lat) && (lat < -90.0 || lat > 90.0))
            invalid (check, lat_path, _("Latitude must be between -90 and 90."));
          if (point_lon && get_number (point, "lon", &lon) && (lon < -180.0 || lon > 180.0))
            invalid (check, lon_path, _("Longitude must be between -180 and 180."));
        }
    }

  if (g_str_equal (kind->id, BB_KIND_PATROL_OBSERVATION))
    {
      const char *category = get_string (fields, "category");

      if (g_strcmp0 (category, "fly_tipping") == 0 && !has_value (fields, "fly_tip"))
        invalid (check, "fly_tip", _("Fly-tipping details (size, waste and land type) are required for a fly-tipping observation."));
      if (g_strcmp0 (category, "pspo_breach") == 0 && !has_value (fields, "pspo"))
        invalid (check, "pspo", _("PSPO details (order and outcome) are required for a PSPO breach."));
    }
  else if (g_str_equal (kind->id, BB_KIND_S59_WARNING))
    {
      const char *party = get_string (fields, "warned_party");

      if (g_strcmp0 (party, "driver") == 0 || g_strcmp0 (party, "both") == 0)
        {
          JsonObject *driver = get_object (fields, "driver");
          JsonNode *name = driver != NULL ? json_object_get_member (driver, "name") : NULL;

          if (name == NULL || node_is_empty (name))
            invalid (check, "driver.name", _("The driver’s name is required when the driver is warned."));
        }
    }
}

GPtrArray *
bb_validate_record (BbProfile   *profile,
                    const char  *kind_id,
                    const char  *occurred_at,
                    int          priority,
                    JsonObject  *fields,
                    GDateTime   *now)
{
  Check check = { profile, g_ptr_array_new_with_free_func ((GDestroyNotify)bb_problem_free) };
  const BbKindSpec *kind = bb_kind_lookup (kind_id);
  g_autoptr(GDateTime) occurred = NULL;
  g_autoptr(GDateTime) now_owned = NULL;

  if (kind == NULL)
    {
      add_problem (&check, BB_PROBLEM_ERROR, "kind", "unknown_kind",
                   _("“%s” is not a kind of record: use vawg_walk, patrol_observation, s59_warning or engagement_event."),
                   kind_id != NULL ? kind_id : "");
      return check.problems;
    }

  if (now == NULL)
    now = now_owned = g_date_time_new_now_utc ();

  if (occurred_at == NULL || (occurred = bb_time_parse (occurred_at)) == NULL)
    invalid (&check, "occurred_at", _("The time must be a date and time such as 2026-03-01T21:14:00Z."));
  else if (g_date_time_difference (occurred, now) > (GTimeSpan)BB_FUTURE_SKEW_SECONDS * G_TIME_SPAN_SECOND)
    invalid (&check, "occurred_at", _("The time is in the future: check the date and time."));

  if (priority < 1 || priority > 4)
    invalid (&check, "priority", _("Priority must be one of the four CSP priorities (1 to 4)."));

  if (fields == NULL)
    {
      invalid (&check, "fields", _("The record has no fields."));
      return check.problems;
    }

  check_object (&check, kind->fields, bb_kind_common_fields (), fields, NULL);
  check_rules (&check, kind, occurred, fields);

  return check.problems;
}

static const char * const change_keys[] = {
  "id", "kind", "rev", "base_rev", "deleted", "occurred_at", "priority", "fields", NULL
};

static gboolean
get_int_member (Check      *check,
                JsonObject *object,
                const char *name,
                gint64      min,
                gint64     *out)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    {
      invalid (check, name, _("“%s” must be a whole number."), name);
      return FALSE;
    }
  *out = json_node_get_int (node);
  if (*out < min)
    {
      invalid (check, name, _("“%s” must be at least %d."), name, (int)min);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
bb_validate_change (BbProfile *profile,
                    JsonNode  *change,
                    GDateTime *now)
{
  Check check = { profile, g_ptr_array_new_with_free_func ((GDestroyNotify)bb_problem_free) };
  JsonObject *object;
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;
  const char *id, *kind;
  gint64 rev = 0, base_rev = 0, priority = 0;
  gboolean deleted = FALSE;

  if (change == NULL || !JSON_NODE_HOLDS_OBJECT (change))
    {
      invalid (&check, "", _("A change must be a JSON object."));
      return check.problems;
    }
  object = json_node_get_object (change);

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &node))
    if (!g_strv_contains (change_keys, name))
      invalid (&check, name, _("“%s” is not part of a change."), name);

  id = get_string (object, "id");
  if (!bb_uuid_is_valid (id))
    invalid (&check, "id", _("“id” must be a UUID made by the device."));

  kind = get_string (object, "kind");
  if (bb_kind_lookup (kind) == NULL)
    {
      add_problem (&check, BB_PROBLEM_ERROR, "kind", "unknown_kind",
                   _("“%s” is not a kind of record: use vawg_walk, patrol_observation, s59_warning or engagement_event."),
                   kind != NULL ? kind : "");
      return check.problems;
    }

  get_int_member (&check, object, "rev", 1, &rev);
  get_int_member (&check, object, "base_rev", 0, &base_rev);
  if (rev > 0 && base_rev >= rev)
    invalid (&check, "base_rev", _("“base_rev” must be lower than “rev”."));

  node = json_object_get_member (object, "deleted");
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        invalid (&check, "deleted", _("“deleted” must be true or false."));
      else
        deleted = json_node_get_boolean (node);
    }

  /* A tombstone carries no content worth checking. */
  if (deleted)
    return check.problems;

  if (!get_int_member (&check, object, "priority", G_MININT64, &priority))
    priority = 1;

  node = json_object_get_member (object, "fields");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      invalid (&check, "fields", _("“fields” must be a JSON object."));
      return check.problems;
    }

  {
    g_autoptr(GPtrArray) more = bb_validate_record (profile, kind, get_string (object, "occurred_at"),
                                                    (int)CLAMP (priority, -1, 99),
                                                    json_node_get_object (node), now);

    for (guint i = 0; i < more->len; i++)
      g_ptr_array_add (check.problems, g_steal_pointer (&more->pdata[i]));
    g_ptr_array_set_free_func (more, NULL);
  }

  return check.problems;
}
