/* bb-profile.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-profile"

#include "config.h"

#include <gio/gio.h>
#include <stdarg.h>
#include <string.h>

#include "bb-core-resources.h"
#include "bb-geo.h"
#include "bb-i18n.h"
#include "bb-profile.h"

#define BB_PROFILE_RESOURCE "/org/beatbook/Beatbook/core/profiles/dartford.json"
#define BB_PROFILE_N_PRIORITIES 4

/* One list of choices, with an index so that validation (which asks once per
 * field of every record) never scans the list. */
typedef struct
{
  GPtrArray  *choices; /* (element-type BbChoice) (owned) */
  GHashTable *by_id;   /* id -> BbChoice (borrowed from @choices) */
} BbChoiceList;

struct _BbProfile
{
  GObject     parent_instance;

  JsonNode   *root;
  char       *id;
  char       *name;
  char       *timezone;

  GHashTable *lists;   /* list name -> BbChoiceList */
  char       *priority_labels[BB_PROFILE_N_PRIORITIES + 1];

  gboolean    warning_required_before_seizure;
  int         s59_window_days;
  int         device_personal_data_days;
  int         max_attachment_bytes;
  int         max_attachments;
  GHashTable *retention_days; /* kind -> GINT_TO_POINTER (days) */

  char       *base_dir;          /* where a named boundaries file is looked for */
  JsonNode   *boundaries_node;   /* the FeatureCollection, however it was given */
  BbWardBoundaries *boundaries;  /* NULL: the profile has none */

  char       *map_tile_url;      /* NULL: no map */
  char       *map_attribution;
  int         map_max_zoom;
};

G_DEFINE_TYPE (BbProfile, bb_profile, G_TYPE_OBJECT)

G_DEFINE_QUARK (bb-profile-error-quark, bb_profile_error)

/* Every list sync-api.md "Profile" names: a profile without one of them
 * could not describe some record, so it is refused when loaded. */
static const char * const required_enums[] = {
  "walk_type", "age_band", "unsafe_spot_category", "observation_category",
  "action_taken", "severity", "fly_tip_size", "waste_type", "land_type",
  "pspo_order", "pspo_outcome", "offence", "alarm_distress", "vehicle_type",
  "warned_party", "delivery", "event_type", "topic", "concern",
};

/* Line numbers, recorded while json-glib parses, so that a semantic error
 * found afterwards can still point at the right line of the file. */
typedef struct
{
  GHashTable *container_lines; /* JsonObject / JsonArray -> first line */
  GHashTable *member_lines;    /* JsonObject -> (name -> line) */
  GHashTable *element_lines;   /* JsonArray -> GArray of lines */
  GArray     *open_lines;      /* start lines of the containers being parsed */
  guint       duplicate_line;
  char       *duplicate_member;
} BbLineMap;

typedef struct
{
  const char *source;
  BbLineMap  *lines;
  GError    **error;
} BbCheck;

static void
bb_choice_free (gpointer data)
{
  BbChoice *choice = data;

  g_free (choice->id);
  g_free (choice->label);
  g_free (choice);
}

static void
bb_choice_list_free (gpointer data)
{
  BbChoiceList *list = data;

  g_ptr_array_unref (list->choices);
  g_hash_table_unref (list->by_id);
  g_free (list);
}

static BbChoiceList *
bb_choice_list_new (void)
{
  BbChoiceList *list = g_new0 (BbChoiceList, 1);

  list->choices = g_ptr_array_new_with_free_func (bb_choice_free);
  list->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  return list;
}

static void
line_map_free (BbLineMap *map)
{
  g_hash_table_unref (map->container_lines);
  g_hash_table_unref (map->member_lines);
  g_hash_table_unref (map->element_lines);
  g_array_unref (map->open_lines);
  g_free (map->duplicate_member);
  g_free (map);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbLineMap, line_map_free)

static BbLineMap *
line_map_new (void)
{
  BbLineMap *map = g_new0 (BbLineMap, 1);

  map->container_lines = g_hash_table_new (NULL, NULL);
  map->member_lines = g_hash_table_new_full (NULL, NULL, NULL,
                                             (GDestroyNotify) g_hash_table_unref);
  map->element_lines = g_hash_table_new_full (NULL, NULL, NULL,
                                              (GDestroyNotify) g_array_unref);
  map->open_lines = g_array_new (FALSE, FALSE, sizeof (guint));
  return map;
}

static void
on_container_start (JsonParser *parser,
                    BbLineMap  *map)
{
  guint line = json_parser_get_current_line (parser);

  g_array_append_val (map->open_lines, line);
}

static guint
pop_open_line (BbLineMap *map)
{
  guint line;

  if (map->open_lines->len == 0)
    return 0;
  line = g_array_index (map->open_lines, guint, map->open_lines->len - 1);
  g_array_set_size (map->open_lines, map->open_lines->len - 1);
  return line;
}

static void
on_object_end (JsonParser *parser,
               JsonObject *object,
               BbLineMap  *map)
{
  g_hash_table_insert (map->container_lines, object,
                       GUINT_TO_POINTER (pop_open_line (map)));
}

static void
on_array_end (JsonParser *parser,
              JsonArray  *array,
              BbLineMap  *map)
{
  g_hash_table_insert (map->container_lines, array,
                       GUINT_TO_POINTER (pop_open_line (map)));
}

/* Emitted once the member's value is parsed: for a scalar that is still the
 * member's own line; containers get their start line from on_*_end. */
static void
on_object_member (JsonParser *parser,
                  JsonObject *object,
                  const char *name,
                  BbLineMap  *map)
{
  GHashTable *names = g_hash_table_lookup (map->member_lines, object);
  guint line = json_parser_get_current_line (parser);

  if (names == NULL)
    {
      names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (map->member_lines, object, names);
    }

  /* json-glib silently keeps the last of two equal keys; a profile with
   * two "wards" is a mistake that would otherwise go unseen. */
  if (g_hash_table_contains (names, name))
    {
      if (map->duplicate_member == NULL)
        {
          map->duplicate_member = g_strdup (name);
          map->duplicate_line = line;
        }
      return;
    }
  g_hash_table_insert (names, g_strdup (name), GUINT_TO_POINTER (line));
}

static void
on_array_element (JsonParser *parser,
                  JsonArray  *array,
                  int         index,
                  BbLineMap  *map)
{
  GArray *lines = g_hash_table_lookup (map->element_lines, array);
  guint line = json_parser_get_current_line (parser);

  if (lines == NULL)
    {
      lines = g_array_new (FALSE, TRUE, sizeof (guint));
      g_hash_table_insert (map->element_lines, array, lines);
    }
  if ((guint) index >= lines->len)
    g_array_set_size (lines, index + 1);
  g_array_index (lines, guint, index) = line;
}

static guint
container_line (BbCheck  *check,
                gpointer  container)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (check->lines->container_lines,
                                                container));
}

static guint
node_start_line (BbCheck  *check,
                 JsonNode *node,
                 guint     fallback)
{
  guint line = 0;

  if (JSON_NODE_HOLDS_OBJECT (node))
    line = container_line (check, json_node_get_object (node));
  else if (JSON_NODE_HOLDS_ARRAY (node))
    line = container_line (check, json_node_get_array (node));
  return line != 0 ? line : fallback;
}

static guint
member_line (BbCheck    *check,
             JsonObject *object,
             const char *name)
{
  GHashTable *names = g_hash_table_lookup (check->lines->member_lines, object);
  guint fallback = container_line (check, object);
  JsonNode *node = json_object_get_member (object, name);
  guint line = 0;

  if (names != NULL)
    line = GPOINTER_TO_UINT (g_hash_table_lookup (names, name));
  if (line == 0)
    line = fallback;
  return node != NULL ? node_start_line (check, node, line) : line;
}

static guint
element_line (BbCheck   *check,
              JsonArray *array,
              guint      index)
{
  GArray *lines = g_hash_table_lookup (check->lines->element_lines, array);
  guint line = 0;

  if (lines != NULL && index < lines->len)
    line = g_array_index (lines, guint, index);
  if (line == 0)
    line = container_line (check, array);
  return node_start_line (check, json_array_get_element (array, index), line);
}

G_GNUC_PRINTF (4, 5)
static gboolean
check_fail (BbCheck    *check,
            guint       line,
            const char *path,
            const char *format,
            ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  if (path != NULL && *path != '\0')
    g_set_error (check->error, BB_PROFILE_ERROR, BB_PROFILE_ERROR_INVALID,
                 "%s:%u: %s: %s", check->source, MAX (line, 1), path, what);
  else
    g_set_error (check->error, BB_PROFILE_ERROR, BB_PROFILE_ERROR_INVALID,
                 "%s:%u: %s", check->source, MAX (line, 1), what);
  return FALSE;
}

static const char *
describe_node (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return _("an object");
  if (JSON_NODE_HOLDS_ARRAY (node))
    return _("a list");
  if (JSON_NODE_HOLDS_NULL (node))
    return _("null");

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return _("text");
    case G_TYPE_BOOLEAN:
      return _("true or false");
    default:
      return _("a number");
    }
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

/* The member @name of @object, which must exist; NULL (with the error set)
 * when it does not. */
static JsonNode *
require_member (BbCheck    *check,
                JsonObject *object,
                const char *path,
                const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    check_fail (check, container_line (check, object), path,
                _("“%s” is missing"), name);
  return node;
}

static JsonObject *
require_object (BbCheck    *check,
                JsonObject *object,
                const char *path,
                const char *name)
{
  JsonNode *node = require_member (check, object, path, name);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      check_fail (check, member_line (check, object, name), path,
                  _("“%s” must be an object, not %s"), name, describe_node (node));
      return NULL;
    }
  return json_node_get_object (node);
}

static const char *
require_string (BbCheck    *check,
                JsonObject *object,
                const char *path,
                const char *name)
{
  JsonNode *node = require_member (check, object, path, name);
  const char *value;

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      check_fail (check, member_line (check, object, name), path,
                  _("“%s” must be text, not %s"), name, describe_node (node));
      return NULL;
    }
  value = json_node_get_string (node);
  if (value == NULL || is_blank (value))
    {
      check_fail (check, member_line (check, object, name), path,
                  _("“%s” is empty"), name);
      return NULL;
    }
  return value;
}

static gboolean
require_int (BbCheck    *check,
             JsonObject *object,
             const char *path,
             const char *name,
             gint64      min,
             gint64      max,
             int        *out)
{
  JsonNode *node = require_member (check, object, path, name);
  gint64 value;

  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return check_fail (check, member_line (check, object, name), path,
                       _("“%s” must be a whole number, not %s"),
                       name, describe_node (node));
  value = json_node_get_int (node);
  if (value < min || value > max)
    return check_fail (check, member_line (check, object, name), path,
                       _("“%s” must be from %lld to %lld, not %lld"),
                       name, (long long) min, (long long) max, (long long) value);
  *out = (int) value;
  return TRUE;
}

/* Ids travel in records, URLs and CSV headers; keeping them to lower-case
 * ASCII words means they never need quoting or case folding. */
static gboolean
is_valid_id (const char *id)
{
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '_')
      return FALSE;
  return *id != '\0';
}

static BbChoiceList *
parse_choice_list (BbCheck    *check,
                   JsonObject *parent,
                   const char *parent_path,
                   const char *name,
                   gboolean    may_be_empty)
{
  g_autofree char *path = NULL;
  g_autoptr(GHashTable) first_lines = NULL;
  BbChoiceList *list;
  JsonNode *node;
  JsonArray *array;
  guint n;

  path = *parent_path != '\0' ? g_strdup_printf ("%s.%s", parent_path, name)
                              : g_strdup (name);

  node = require_member (check, parent, parent_path, name);
  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      check_fail (check, member_line (check, parent, name), path,
                  _("must be a list, not %s"), describe_node (node));
      return NULL;
    }

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0 && !may_be_empty)
    {
      check_fail (check, container_line (check, array), path,
                  _("the list is empty"));
      return NULL;
    }

  list = bb_choice_list_new ();
  first_lines = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *element_path = g_strdup_printf ("%s[%u]", path, i);
      guint line = element_line (check, array, i);
      const char *id;
      const char *label;
      BbChoice *choice;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          check_fail (check, line, element_path,
                      _("must be an object with “id” and “label”, not %s"),
                      describe_node (element));
          goto failed;
        }

      id = require_string (check, json_node_get_object (element), element_path, "id");
      if (id == NULL)
        goto failed;
      if (!is_valid_id (id))
        {
          check_fail (check, line, element_path,
                      _("“id” “%s” may only use lower-case letters a-z, digits and “_”"),
                      id);
          goto failed;
        }
      if (g_hash_table_contains (list->by_id, id))
        {
          check_fail (check, line, element_path,
                      _("“id” “%s” is used twice in the list (first on line %u)"),
                      id, GPOINTER_TO_UINT (g_hash_table_lookup (first_lines, id)));
          goto failed;
        }

      label = require_string (check, json_node_get_object (element), element_path, "label");
      if (label == NULL)
        goto failed;

      choice = g_new0 (BbChoice, 1);
      choice->id = g_strdup (id);
      choice->label = g_strdup (label);
      g_ptr_array_add (list->choices, choice);
      g_hash_table_insert (list->by_id, choice->id, choice);
      g_hash_table_insert (first_lines, choice->id, GUINT_TO_POINTER (line));
    }

  return list;

failed:
  bb_choice_list_free (list);
  return NULL;
}

static gboolean
parse_priorities (BbProfile  *self,
                  BbCheck    *check,
                  JsonObject *root)
{
  JsonNode *node = require_member (check, root, "", "priorities");
  JsonArray *array;
  guint n;

  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return check_fail (check, member_line (check, root, "priorities"), "priorities",
                       _("must be a list, not %s"), describe_node (node));

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n != BB_PROFILE_N_PRIORITIES)
    return check_fail (check, container_line (check, array), "priorities",
                       _("there must be exactly %d priorities (1 to %d), not %u"),
                       BB_PROFILE_N_PRIORITIES, BB_PROFILE_N_PRIORITIES, n);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *path = g_strdup_printf ("priorities[%u]", i);
      guint line = element_line (check, array, i);
      const char *label;
      int id;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return check_fail (check, line, path,
                           _("must be an object with “id” and “label”, not %s"),
                           describe_node (element));
      if (!require_int (check, json_node_get_object (element), path, "id",
                        1, BB_PROFILE_N_PRIORITIES, &id))
        return FALSE;
      if (self->priority_labels[id] != NULL)
        return check_fail (check, line, path,
                           _("priority %d appears twice"), id);
      label = require_string (check, json_node_get_object (element), path, "label");
      if (label == NULL)
        return FALSE;
      self->priority_labels[id] = g_strdup (label);
    }

  return TRUE;
}

static gboolean
parse_policy (BbProfile  *self,
              BbCheck    *check,
              JsonObject *root)
{
  JsonObject *policy = require_object (check, root, "", "policy");
  JsonObject *retention;
  JsonNode *node;
  g_autoptr(GList) kinds = NULL;

  if (policy == NULL)
    return FALSE;

  node = require_member (check, policy, "policy", "warning_required_before_seizure");
  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return check_fail (check, member_line (check, policy, "warning_required_before_seizure"),
                       "policy",
                       _("“%s” must be true or false, not %s"),
                       "warning_required_before_seizure", describe_node (node));
  self->warning_required_before_seizure = json_node_get_boolean (node);

  if (!require_int (check, policy, "policy", "s59_window_days", 1, 36500,
                    &self->s59_window_days))
    return FALSE;
  if (!require_int (check, policy, "policy", "device_personal_data_days", 0, 36500,
                    &self->device_personal_data_days))
    return FALSE;
  /* Optional: the contract's values when a profile leaves them out. */
  self->max_attachment_bytes = BB_PROFILE_DEFAULT_MAX_ATTACHMENT_BYTES;
  if (json_object_has_member (policy, "max_attachment_bytes") &&
      !require_int (check, policy, "policy", "max_attachment_bytes", 1, 1024 * 1024 * 1024,
                    &self->max_attachment_bytes))
    return FALSE;
  self->max_attachments = BB_PROFILE_DEFAULT_MAX_ATTACHMENTS;
  if (json_object_has_member (policy, "max_attachments") &&
      !require_int (check, policy, "policy", "max_attachments", 0, 100,
                    &self->max_attachments))
    return FALSE;

  retention = require_object (check, policy, "policy", "retention_days");
  if (retention == NULL)
    return FALSE;
  kinds = json_object_get_members (retention);
  for (GList *l = kinds; l != NULL; l = l->next)
    {
      int days;

      if (!require_int (check, retention, "policy.retention_days", l->data,
                        1, 36500, &days))
        return FALSE;
      g_hash_table_insert (self->retention_days, g_strdup (l->data),
                           GINT_TO_POINTER (days));
    }

  return TRUE;
}

/* `ward_boundaries`: a file name beside the profile, or the GeoJSON object
 * itself (sync-api.md "Profile"). Every feature must name a ward of the
 * profile: a boundary for a ward nobody can pick would suggest the
 * impossible. */
static gboolean
parse_ward_boundaries (BbProfile  *self,
                       BbCheck    *check,
                       JsonObject *root)
{
  JsonNode *node = json_object_get_member (root, "ward_boundaries");
  g_autoptr(GError) local_error = NULL;
  g_autofree char *source = NULL;
  GPtrArray *wards;

  if (node == NULL)
    return TRUE;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *name = json_node_get_string (node);
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      g_autoptr(JsonParser) parser = NULL;
      gsize length;

      if (name == NULL || is_blank (name))
        return check_fail (check, member_line (check, root, "ward_boundaries"), NULL,
                           _("“%s” is empty"), "ward_boundaries");
      if (self->base_dir == NULL)
        return check_fail (check, member_line (check, root, "ward_boundaries"), NULL,
                           _("“ward_boundaries” names the file “%s”, but this profile "
                             "was not read from a file: give the GeoJSON object itself"),
                           name);
      path = g_path_is_absolute (name) ? g_strdup (name)
                                       : g_build_filename (self->base_dir, name, NULL);
      if (!g_file_get_contents (path, &contents, &length, &local_error))
        return check_fail (check, member_line (check, root, "ward_boundaries"), NULL,
                           _("cannot read the ward boundaries: %s"), local_error->message);
      parser = json_parser_new ();
      if (!json_parser_load_from_data (parser, contents, length, &local_error)
          || json_parser_get_root (parser) == NULL)
        return check_fail (check, member_line (check, root, "ward_boundaries"), NULL,
                           _("the ward boundaries “%s” are not JSON: %s"), name,
                           local_error != NULL ? local_error->message : _("the file is empty"));
      self->boundaries_node = json_node_ref (json_parser_get_root (parser));
      source = g_path_get_basename (name);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      self->boundaries_node = json_node_ref (node);
      source = g_strdup_printf ("%s:%u: ward_boundaries", check->source,
                                member_line (check, root, "ward_boundaries"));
    }
  else
    return check_fail (check, member_line (check, root, "ward_boundaries"), NULL,
                       _("“ward_boundaries” must be a file name or a GeoJSON object, not %s"),
                       describe_node (node));

  self->boundaries = bb_ward_boundaries_new_from_json (self->boundaries_node, source,
                                                       &local_error);
  if (self->boundaries == NULL)
    {
      g_set_error_literal (check->error, BB_PROFILE_ERROR, BB_PROFILE_ERROR_INVALID,
                           local_error->message);
      return FALSE;
    }

  wards = bb_ward_boundaries_get_wards (self->boundaries);
  for (guint i = 0; i < wards->len; i++)
    if (!bb_profile_has_choice (self, "wards", g_ptr_array_index (wards, i)))
      {
        g_set_error (check->error, BB_PROFILE_ERROR, BB_PROFILE_ERROR_INVALID,
                     _("%s: “properties.ward” “%s” is not a ward of the profile"),
                     source, (const char *) g_ptr_array_index (wards, i));
        return FALSE;
      }

  return TRUE;
}

/* `map`: where the app's maps take their tiles (docs/api.md, "Profile").
 * Optional: without it the app shows no map. */
static gboolean
parse_map (BbProfile  *self,
           BbCheck    *check,
           JsonObject *root)
{
  JsonObject *map;
  const char *url, *attribution;

  if (!json_object_has_member (root, "map"))
    return TRUE;
  if ((map = require_object (check, root, "", "map")) == NULL)
    return FALSE;

  if ((url = require_string (check, map, "map", "tile_url")) == NULL)
    return FALSE;
  if ((!g_str_has_prefix (url, "https://") && !g_str_has_prefix (url, "http://"))
      || strstr (url, "{z}") == NULL || strstr (url, "{x}") == NULL
      || strstr (url, "{y}") == NULL)
    return check_fail (check, member_line (check, map, "tile_url"), "map",
                       _("“tile_url” must be an http or https address with {z}, {x} "
                         "and {y} in it, not “%s”"), url);
  if ((attribution = require_string (check, map, "map", "attribution")) == NULL)
    return FALSE;

  self->map_max_zoom = 19;
  if (json_object_has_member (map, "max_zoom")
      && !require_int (check, map, "map", "max_zoom", 1, 22, &self->map_max_zoom))
    return FALSE;

  self->map_tile_url = g_strdup (url);
  self->map_attribution = g_strdup (attribution);
  return TRUE;
}

static gboolean
parse_profile (BbProfile *self,
               BbCheck   *check)
{
  JsonObject *root;
  JsonObject *enums;
  const char *value;
  BbChoiceList *list;
  g_autoptr(GList) enum_names = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (self->root))
    return check_fail (check, 1, NULL,
                       _("a profile must be a JSON object, not %s"),
                       describe_node (self->root));
  root = json_node_get_object (self->root);

  if ((value = require_string (check, root, "", "id")) == NULL)
    return FALSE;
  if (!is_valid_id (value))
    return check_fail (check, member_line (check, root, "id"), NULL,
                       _("“id” “%s” may only use lower-case letters a-z, digits and “_”"),
                       value);
  self->id = g_strdup (value);
  if ((value = require_string (check, root, "", "name")) == NULL)
    return FALSE;
  self->name = g_strdup (value);
  if ((value = require_string (check, root, "", "timezone")) == NULL)
    return FALSE;
  self->timezone = g_strdup (value);

  if ((list = parse_choice_list (check, root, "", "wards", FALSE)) == NULL)
    return FALSE;
  g_hash_table_insert (self->lists, g_strdup ("wards"), list);
  if ((list = parse_choice_list (check, root, "", "partners", TRUE)) == NULL)
    return FALSE;
  g_hash_table_insert (self->lists, g_strdup ("partners"), list);

  if (!parse_priorities (self, check, root))
    return FALSE;

  if ((enums = require_object (check, root, "", "enums")) == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (required_enums); i++)
    if (!json_object_has_member (enums, required_enums[i]))
      return check_fail (check, container_line (check, enums), "enums",
                         _("“%s” is missing"), required_enums[i]);

  /* A partnership may add lists of its own; they are checked the same way
   * and offered through bb_profile_get_choices(). Wards and partners keep
   * their top-level meaning. */
  enum_names = json_object_get_members (enums);
  for (GList *l = enum_names; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (g_str_equal (name, "wards") || g_str_equal (name, "partners"))
        return check_fail (check, member_line (check, enums, name), "enums",
                           _("“%s” is a top-level list, not an enumeration"), name);
      if ((list = parse_choice_list (check, enums, "enums", name, TRUE)) == NULL)
        return FALSE;
      g_hash_table_insert (self->lists, g_strdup (name), list);
    }

  return parse_policy (self, check, root)
         && parse_ward_boundaries (self, check, root)
         && parse_map (self, check, root);
}

static void
bb_profile_finalize (GObject *object)
{
  BbProfile *self = (BbProfile *) object;

  g_clear_pointer (&self->root, json_node_unref);
  g_free (self->id);
  g_free (self->name);
  g_free (self->timezone);
  g_hash_table_unref (self->lists);
  g_hash_table_unref (self->retention_days);
  g_free (self->base_dir);
  g_clear_pointer (&self->boundaries_node, json_node_unref);
  g_clear_pointer (&self->boundaries, bb_ward_boundaries_free);
  g_free (self->map_tile_url);
  g_free (self->map_attribution);
  for (guint i = 0; i < G_N_ELEMENTS (self->priority_labels); i++)
    g_free (self->priority_labels[i]);

  G_OBJECT_CLASS (bb_profile_parent_class)->finalize (object);
}

static void
bb_profile_class_init (BbProfileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bb_profile_finalize;
}

static void
bb_profile_init (BbProfile *self)
{
  self->lists = g_hash_table_new_full (g_str_hash, g_str_equal,
                                       g_free, bb_choice_list_free);
  self->retention_days = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                g_free, NULL);
}

/* json-glib names the input "<data>" when it is parsed from memory; the
 * person reading the message wants the file's name instead. */
static void
set_syntax_error (GError     **error,
                  const GError *parse_error,
                  const char   *source_name)
{
  const char *message = parse_error->message;

  if (g_str_has_prefix (message, "<data>:"))
    message += strlen ("<data>");
  else
    {
      g_set_error (error, BB_PROFILE_ERROR, BB_PROFILE_ERROR_SYNTAX,
                   "%s: %s", source_name, message);
      return;
    }
  g_set_error (error, BB_PROFILE_ERROR, BB_PROFILE_ERROR_SYNTAX,
               "%s%s", source_name, message);
}

/**
 * bb_profile_new_from_data:
 * @data: the profile as JSON text
 * @length: length of @data, or -1 when it is nul-terminated
 * @source_name: the name used in error messages (usually the file's name)
 * @error: return location for a #BB_PROFILE_ERROR
 *
 * Returns: (transfer full) (nullable): the profile, or %NULL when @data is
 *   not JSON or not a complete, valid profile.
 */
static BbProfile *
profile_new (const char  *data,
             gssize       length,
             const char  *source_name,
             const char  *base_dir,
             GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(BbLineMap) lines = NULL;
  g_autoptr(BbProfile) self = NULL;
  g_autoptr(GError) parse_error = NULL;
  BbCheck check;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (source_name == NULL)
    source_name = "profile";
  if (length < 0)
    length = strlen (data);

  if (!g_utf8_validate (data, length, NULL))
    {
      g_set_error (error, BB_PROFILE_ERROR, BB_PROFILE_ERROR_SYNTAX,
                   _("%s: the file is not UTF-8 text"), source_name);
      return NULL;
    }

  parser = json_parser_new ();
  lines = line_map_new ();
  g_signal_connect (parser, "object-start", G_CALLBACK (on_container_start), lines);
  g_signal_connect (parser, "array-start", G_CALLBACK (on_container_start), lines);
  g_signal_connect (parser, "object-end", G_CALLBACK (on_object_end), lines);
  g_signal_connect (parser, "array-end", G_CALLBACK (on_array_end), lines);
  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member), lines);
  g_signal_connect (parser, "array-element", G_CALLBACK (on_array_element), lines);

  if (!json_parser_load_from_data (parser, data, length, &parse_error))
    {
      set_syntax_error (error, parse_error, source_name);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, BB_PROFILE_ERROR, BB_PROFILE_ERROR_SYNTAX,
                   _("%s:1: the file is empty"), source_name);
      return NULL;
    }
  if (lines->duplicate_member != NULL)
    {
      g_set_error (error, BB_PROFILE_ERROR, BB_PROFILE_ERROR_INVALID,
                   _("%s:%u: “%s” appears twice in the same object"),
                   source_name, lines->duplicate_line, lines->duplicate_member);
      return NULL;
    }

  self = g_object_new (BB_TYPE_PROFILE, NULL);
  self->root = json_node_ref (json_parser_get_root (parser));
  self->base_dir = g_strdup (base_dir);

  check.source = source_name;
  check.lines = lines;
  check.error = error;
  if (!parse_profile (self, &check))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * bb_profile_new_from_data:
 * @data: the profile as JSON text
 * @length: length of @data, or -1 when it is nul-terminated
 * @source_name: the name used in error messages (usually the file's name)
 * @error: return location for a #BB_PROFILE_ERROR
 *
 * A profile from memory has no directory, so its `ward_boundaries`, if
 * any, must be the GeoJSON object itself.
 *
 * Returns: (transfer full) (nullable): the profile, or %NULL when @data is
 *   not JSON or not a complete, valid profile.
 */
BbProfile *
bb_profile_new_from_data (const char  *data,
                          gssize       length,
                          const char  *source_name,
                          GError     **error)
{
  return profile_new (data, length, source_name, NULL, error);
}

/**
 * bb_profile_new_from_file:
 * @path: a profile file, such as the bundled dartford.json
 * @error: return location for a #BB_PROFILE_ERROR
 *
 * Returns: (transfer full) (nullable): the profile, or %NULL.
 */
BbProfile *
bb_profile_new_from_file (const char  *path,
                          GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *dirname = NULL;
  g_autoptr(GError) read_error = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &read_error))
    {
      g_set_error (error, BB_PROFILE_ERROR, BB_PROFILE_ERROR_NOT_FOUND,
                   _("Cannot read the profile: %s"), read_error->message);
      return NULL;
    }

  basename = g_path_get_basename (path);
  dirname = g_path_get_dirname (path);
  return profile_new (contents, length, basename, dirname, error);
}

/**
 * bb_profile_load_default:
 * @error: return location for a #BB_PROFILE_ERROR
 *
 * Loads the file named by $BEATBOOK_PROFILE when it is set, so that another
 * partnership (or a test) can bring its own; otherwise the Dartford profile
 * built into the library.
 *
 * Returns: (transfer full) (nullable): the profile, or %NULL.
 */
BbProfile *
bb_profile_load_default (GError **error)
{
  const char *path = g_getenv ("BEATBOOK_PROFILE");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) lookup_error = NULL;
  gsize length;
  const char *data;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (path != NULL && *path != '\0')
    return bb_profile_new_from_file (path, error);

  /* Asking the library's own resource (not the global table) also makes the
   * linker keep it when libbeatbook is linked without --whole-archive. */
  bytes = g_resource_lookup_data (bb_core_get_resource (), BB_PROFILE_RESOURCE,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &lookup_error);
  if (bytes == NULL)
    {
      g_set_error (error, BB_PROFILE_ERROR, BB_PROFILE_ERROR_NOT_FOUND,
                   _("The built-in profile is missing: %s"), lookup_error->message);
      return NULL;
    }
  data = g_bytes_get_data (bytes, &length);
  return bb_profile_new_from_data (data, length, "dartford.json", error);
}

const char *
bb_profile_get_id (BbProfile *self)
{
  g_return_val_if_fail (BB_IS_PROFILE (self), NULL);
  return self->id;
}

const char *
bb_profile_get_name (BbProfile *self)
{
  g_return_val_if_fail (BB_IS_PROFILE (self), NULL);
  return self->name;
}

const char *
bb_profile_get_timezone (BbProfile *self)
{
  g_return_val_if_fail (BB_IS_PROFILE (self), NULL);
  return self->timezone;
}

/**
 * bb_profile_get_choices:
 * @self: a #BbProfile
 * @list: "wards", "partners" or a key of "enums"
 *
 * Returns: (transfer none) (element-type BbChoice) (nullable): the choices
 *   in the profile's order, or %NULL for an unknown list.
 */
GPtrArray *
bb_profile_get_choices (BbProfile  *self,
                        const char *list)
{
  BbChoiceList *choices;

  g_return_val_if_fail (BB_IS_PROFILE (self), NULL);
  g_return_val_if_fail (list != NULL, NULL);

  choices = g_hash_table_lookup (self->lists, list);
  return choices != NULL ? choices->choices : NULL;
}

gboolean
bb_profile_has_choice (BbProfile  *self,
                       const char *list,
                       const char *id)
{
  return bb_profile_get_choice_label (self, list, id) != NULL;
}

/**
 * bb_profile_get_choice_label:
 *
 * Returns: (transfer none) (nullable): the label, or %NULL when @id is not
 *   in @list (or @list is unknown).
 */
const char *
bb_profile_get_choice_label (BbProfile  *self,
                             const char *list,
                             const char *id)
{
  BbChoiceList *choices;
  BbChoice *choice;

  g_return_val_if_fail (BB_IS_PROFILE (self), NULL);
  g_return_val_if_fail (list != NULL, NULL);

  if (id == NULL)
    return NULL;
  choices = g_hash_table_lookup (self->lists, list);
  if (choices == NULL)
    return NULL;
  choice = g_hash_table_lookup (choices->by_id, id);
  return choice != NULL ? choice->label : NULL;
}

/**
 * bb_profile_get_priority_label:
 *
 * Returns: (transfer none) (nullable): the label of CSP priority @priority
 *   (1 to 4), or %NULL outside that range.
 */
const char *
bb_profile_get_priority_label (BbProfile *self,
                               int        priority)
{
  g_return_val_if_fail (BB_IS_PROFILE (self), NULL);

  if (priority < 1 || priority > BB_PROFILE_N_PRIORITIES)
    return NULL;
  return self->priority_labels[priority];
}

gboolean
bb_profile_get_warning_required_before_seizure (BbProfile *self)
{
  g_return_val_if_fail (BB_IS_PROFILE (self), FALSE);
  return self->warning_required_before_seizure;
}

int
bb_profile_get_s59_window_days (BbProfile *self)
{
  g_return_val_if_fail (BB_IS_PROFILE (self), 0);
  return self->s59_window_days;
}

int
bb_profile_get_retention_days (BbProfile  *self,
                               const char *kind)
{
  g_return_val_if_fail (BB_IS_PROFILE (self), 0);

  if (kind == NULL)
    return 0;
  return GPOINTER_TO_INT (g_hash_table_lookup (self->retention_days, kind));
}

int
bb_profile_get_max_attachment_bytes (BbProfile *self)
{
  g_return_val_if_fail (BB_IS_PROFILE (self), BB_PROFILE_DEFAULT_MAX_ATTACHMENT_BYTES);

  return self->max_attachment_bytes;
}

int
bb_profile_get_max_attachments (BbProfile *self)
{
  g_return_val_if_fail (BB_IS_PROFILE (self), BB_PROFILE_DEFAULT_MAX_ATTACHMENTS);

  return self->max_attachments;
}

int
bb_profile_get_device_personal_data_days (BbProfile *self)
{
  g_return_val_if_fail (BB_IS_PROFILE (self), 0);
  return self->device_personal_data_days;
}

/* json_node_copy() shares objects and arrays with the original; a caller
 * that edits the copy (the server adds nothing, but a test might) must not
 * change the loaded profile under everyone else. */
static JsonNode *
deep_copy (JsonNode *node)
{
  JsonNode *copy;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonObject *out = json_object_new ();
      g_autoptr(GList) names = json_object_get_members (object);

      for (GList *l = names; l != NULL; l = l->next)
        json_object_set_member (out, l->data,
                                deep_copy (json_object_get_member (object, l->data)));
      copy = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (copy, out);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      JsonArray *out = json_array_sized_new (json_array_get_length (array));

      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (out, deep_copy (json_array_get_element (array, i)));
      copy = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (copy, out);
    }
  else
    copy = json_node_copy (node);

  return copy;
}

/**
 * bb_profile_to_json:
 *
 * Returns: (transfer full): a deep copy of the profile as it was loaded, in
 *   the shape of sync-api.md "Profile".
 */
JsonNode *
bb_profile_to_json (BbProfile *self)
{
  JsonNode *copy;

  g_return_val_if_fail (BB_IS_PROFILE (self), NULL);

  copy = deep_copy (self->root);
  /* A file name means nothing to a device that fetched the profile over
   * the network: it gets the boundaries themselves. */
  if (self->boundaries_node != NULL)
    json_object_set_member (json_node_get_object (copy), "ward_boundaries",
                            deep_copy (self->boundaries_node));
  return copy;
}

/**
 * bb_profile_get_ward_boundaries:
 *
 * Returns: (transfer none) (nullable): the wards' areas, or %NULL when the
 *   profile has no `ward_boundaries`.
 */
BbWardBoundaries *
bb_profile_get_ward_boundaries (BbProfile *self)
{
  g_return_val_if_fail (BB_IS_PROFILE (self), NULL);
  return self->boundaries;
}

/**
 * bb_profile_find_ward:
 * @lat: latitude, WGS84 degrees
 * @lon: longitude, WGS84 degrees
 *
 * Returns: (transfer none) (nullable): the id of the ward whose boundary
 *   holds the point (see bb_ward_boundaries_find_ward() for points on an
 *   edge), or %NULL when the profile has no boundaries or the point is
 *   outside all of them.
 */
const char *
bb_profile_find_ward (BbProfile *self,
                      double     lat,
                      double     lon)
{
  g_return_val_if_fail (BB_IS_PROFILE (self), NULL);

  if (self->boundaries == NULL)
    return NULL;
  return bb_ward_boundaries_find_ward (self->boundaries, lat, lon);
}

const char *
bb_profile_get_map_tile_url (BbProfile *self)
{
  g_return_val_if_fail (BB_IS_PROFILE (self), NULL);
  return self->map_tile_url;
}

const char *
bb_profile_get_map_attribution (BbProfile *self)
{
  g_return_val_if_fail (BB_IS_PROFILE (self), NULL);
  return self->map_attribution;
}

int
bb_profile_get_map_max_zoom (BbProfile *self)
{
  g_return_val_if_fail (BB_IS_PROFILE (self), 0);
  return self->map_tile_url != NULL ? self->map_max_zoom : 0;
}
