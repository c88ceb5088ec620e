/* bb-geo.c: ward boundaries (point in polygon) and the hotspot grid
 *
 * The boundaries are small (a district has a dozen or two wards of a few
 * hundred points each), so a crossing count over every ring of every ward,
 * after a bounding-box test, answers far faster than a person presses a
 * button; no spatial index is needed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-geo"

#include "config.h"

#include <math.h>

#include "bb-geo.h"
#include "bb-i18n.h"

G_DEFINE_QUARK (bb-geo-error-quark, bb_geo_error)

typedef struct
{
  double x; /* longitude */
  double y; /* latitude */
} BbPoint;

/* One feature: every ring of every polygon of it, outer and inner alike,
 * since the even-odd rule needs no telling them apart. */
typedef struct
{
  char      *ward;
  GPtrArray *rings; /* (element-type GArray of BbPoint) */
  double     west, east, south, north;
} BbArea;

struct _BbWardBoundaries
{
  GPtrArray *areas; /* (element-type BbArea) */
  GPtrArray *wards; /* (element-type utf8) */
};

static void
bb_area_free (gpointer data)
{
  BbArea *area = data;

  g_free (area->ward);
  g_ptr_array_unref (area->rings);
  g_free (area);
}

static gboolean
fail (GError    **error,
      const char *source,
      const char *path,
      const char *format,
      ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (GError    **error,
      const char *source,
      const char *path,
      const char *format,
      ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, BB_GEO_ERROR, BB_GEO_ERROR_INVALID,
               "%s: %s: %s", source, path, what);
  return FALSE;
}

static gboolean
node_is_number (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

/* A linear ring: at least four positions [lon, lat], the last equal to the
 * first (RFC 7946 3.1.6). The closing position is kept: the crossing count
 * walks edges i-1 -> i. */
static gboolean
parse_ring (BbArea     *area,
            JsonNode   *node,
            const char *source,
            const char *path,
            GError    **error)
{
  g_autoptr(GArray) ring = g_array_new (FALSE, FALSE, sizeof (BbPoint));
  JsonArray *positions;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (error, source, path, _("a ring must be a list of positions"));
  positions = json_node_get_array (node);
  n = json_array_get_length (positions);
  if (n < 4)
    return fail (error, source, path,
                 _("a ring needs at least 4 positions (the last one repeating the first), not %u"),
                 n);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *position = json_array_get_element (positions, i);
      JsonArray *pair;
      BbPoint point;

      if (!JSON_NODE_HOLDS_ARRAY (position)
          || json_array_get_length (pair = json_node_get_array (position)) < 2
          || !node_is_number (json_array_get_element (pair, 0))
          || !node_is_number (json_array_get_element (pair, 1)))
        return fail (error, source, path,
                     _("position %u must be [longitude, latitude] in numbers"), i);
      point.x = json_array_get_double_element (pair, 0);
      point.y = json_array_get_double_element (pair, 1);
      if (point.x < -180.0 || point.x > 180.0 || point.y < -90.0 || point.y > 90.0)
        return fail (error, source, path,
                     _("position %u is not a longitude and latitude in degrees"), i);
      g_array_append_val (ring, point);

      area->west = MIN (area->west, point.x);
      area->east = MAX (area->east, point.x);
      area->south = MIN (area->south, point.y);
      area->north = MAX (area->north, point.y);
    }

  if (g_array_index (ring, BbPoint, 0).x != g_array_index (ring, BbPoint, n - 1).x
      || g_array_index (ring, BbPoint, 0).y != g_array_index (ring, BbPoint, n - 1).y)
    return fail (error, source, path,
                 _("a ring must end where it starts"));

  g_ptr_array_add (area->rings, g_steal_pointer (&ring));
  return TRUE;
}

static gboolean
parse_polygon (BbArea     *area,
               JsonNode   *node,
               const char *source,
               const char *path,
               GError    **error)
{
  JsonArray *rings;

  if (!JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length (rings = json_node_get_array (node)) == 0)
    return fail (error, source, path, _("a polygon must be a list of rings"));

  for (guint i = 0; i < json_array_get_length (rings); i++)
    {
      g_autofree char *ring_path = g_strdup_printf ("%s[%u]", path, i);

      if (!parse_ring (area, json_array_get_element (rings, i), source,
                       ring_path, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_feature (BbWardBoundaries *self,
               JsonNode         *node,
               guint             index,
               const char       *source,
               GError          **error)
{
  g_autofree char *path = g_strdup_printf ("features[%u]", index);
  g_autofree char *coordinates_path = NULL;
  JsonObject *feature, *properties, *geometry;
  JsonNode *coordinates;
  const char *type, *ward;
  BbArea *area;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, source, path, _("a feature must be an object"));
  feature = json_node_get_object (node);
  if (g_strcmp0 (json_object_get_string_member_with_default (feature, "type", NULL),
                 "Feature") != 0)
    return fail (error, source, path, _("“type” must be “Feature”"));

  properties = json_object_has_member (feature, "properties")
               && JSON_NODE_HOLDS_OBJECT (json_object_get_member (feature, "properties"))
               ? json_object_get_object_member (feature, "properties") : NULL;
  ward = properties != NULL
         ? json_object_get_string_member_with_default (properties, "ward", NULL)
         : NULL;
  if (ward == NULL || *ward == '\0')
    return fail (error, source, path,
                 _("“properties.ward” (the id of a ward of the profile) is missing"));

  if (!json_object_has_member (feature, "geometry")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (feature, "geometry")))
    return fail (error, source, path, _("“geometry” must be an object"));
  geometry = json_object_get_object_member (feature, "geometry");
  type = json_object_get_string_member_with_default (geometry, "type", "");
  coordinates = json_object_get_member (geometry, "coordinates");
  if (coordinates == NULL || !JSON_NODE_HOLDS_ARRAY (coordinates))
    return fail (error, source, path, _("“geometry.coordinates” must be a list"));

  area = g_new0 (BbArea, 1);
  area->ward = g_strdup (ward);
  area->rings = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  area->west = area->south = G_MAXDOUBLE;
  area->east = area->north = -G_MAXDOUBLE;
  g_ptr_array_add (self->areas, area);

  coordinates_path = g_strdup_printf ("%s.geometry.coordinates", path);
  if (g_str_equal (type, "Polygon"))
    return parse_polygon (area, coordinates, source, coordinates_path, error);
  if (g_str_equal (type, "MultiPolygon"))
    {
      JsonArray *polygons = json_node_get_array (coordinates);

      if (json_array_get_length (polygons) == 0)
        return fail (error, source, coordinates_path,
                     _("a MultiPolygon must hold at least one polygon"));
      for (guint i = 0; i < json_array_get_length (polygons); i++)
        {
          g_autofree char *polygon_path = g_strdup_printf ("%s[%u]", coordinates_path, i);

          if (!parse_polygon (area, json_array_get_element (polygons, i),
                              source, polygon_path, error))
            return FALSE;
        }
      return TRUE;
    }

  return fail (error, source, path,
               _("“geometry.type” must be “Polygon” or “MultiPolygon”, not “%s”"), type);
}

/**
 * bb_ward_boundaries_new_from_json:
 * @node: a GeoJSON FeatureCollection
 * @source: the file's name, for errors
 * @error: return location for a #BB_GEO_ERROR
 *
 * Returns: (transfer full) (nullable): the boundaries, or %NULL with @error
 *   naming the feature and what is wrong with it.
 */
BbWardBoundaries *
bb_ward_boundaries_new_from_json (JsonNode   *node,
                                  const char *source,
                                  GError    **error)
{
  g_autoptr(BbWardBoundaries) self = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonObject *collection;
  JsonNode *features_node;
  JsonArray *features;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (source == NULL)
    source = "ward_boundaries";

  if (!JSON_NODE_HOLDS_OBJECT (node)
      || g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (node),
                                                                "type", NULL),
                    "FeatureCollection") != 0)
    {
      g_set_error (error, BB_GEO_ERROR, BB_GEO_ERROR_INVALID,
                   _("%s: ward boundaries must be a GeoJSON “FeatureCollection”"), source);
      return NULL;
    }
  collection = json_node_get_object (node);
  features_node = json_object_get_member (collection, "features");
  if (features_node == NULL || !JSON_NODE_HOLDS_ARRAY (features_node)
      || json_array_get_length (json_node_get_array (features_node)) == 0)
    {
      g_set_error (error, BB_GEO_ERROR, BB_GEO_ERROR_INVALID,
                   _("%s: “features” must be a list of at least one feature"), source);
      return NULL;
    }
  features = json_node_get_array (features_node);

  self = g_new0 (BbWardBoundaries, 1);
  self->areas = g_ptr_array_new_with_free_func (bb_area_free);
  self->wards = g_ptr_array_new ();
  for (guint i = 0; i < json_array_get_length (features); i++)
    {
      BbArea *area;

      if (!parse_feature (self, json_array_get_element (features, i), i, source, error))
        return NULL;
      area = g_ptr_array_index (self->areas, self->areas->len - 1);
      if (g_hash_table_add (seen, area->ward))
        g_ptr_array_add (self->wards, area->ward);
    }

  return g_steal_pointer (&self);
}

void
bb_ward_boundaries_free (BbWardBoundaries *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->areas);
  g_ptr_array_unref (self->wards);
  g_free (self);
}

GPtrArray *
bb_ward_boundaries_get_wards (BbWardBoundaries *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->wards;
}

/* Crossings of a ray from the point towards the east, counted with the
 * half-open rule: an edge counts when one end is north of the point's
 * latitude and the other is not, and it crosses strictly east of the
 * point. Each edge is computed from its southern end, so the edge two
 * wards share gives bit-for-bit the same crossing whichever way round
 * each ward's ring walks it: that is what makes a point on a shared edge
 * belong to exactly one ward. */
static gboolean
ring_flips (GArray *ring,
            double  x,
            double  y)
{
  gboolean inside = FALSE;

  for (guint i = 1; i < ring->len; i++)
    {
      const BbPoint *a = &g_array_index (ring, BbPoint, i - 1);
      const BbPoint *b = &g_array_index (ring, BbPoint, i);
      const BbPoint *low, *high;
      double crossing;

      if ((a->y > y) == (b->y > y))
        continue;
      low = a->y < b->y ? a : b;
      high = a->y < b->y ? b : a;
      crossing = low->x + (y - low->y) * (high->x - low->x) / (high->y - low->y);
      if (crossing > x)
        inside = !inside;
    }

  return inside;
}

static gboolean
area_contains (const BbArea *area,
               double        x,
               double        y)
{
  gboolean inside = FALSE;

  /* The box is closed on every side: the half-open rule below decides. */
  if (x < area->west || x > area->east || y < area->south || y > area->north)
    return FALSE;

  for (guint i = 0; i < area->rings->len; i++)
    if (ring_flips (g_ptr_array_index (area->rings, i), x, y))
      inside = !inside;

  return inside;
}

const char *
bb_ward_boundaries_find_ward (BbWardBoundaries *self,
                              double            lat,
                              double            lon)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (!isfinite (lat) || !isfinite (lon))
    return NULL;

  for (guint i = 0; i < self->areas->len; i++)
    {
      const BbArea *area = g_ptr_array_index (self->areas, i);

      if (area_contains (area, lon, lat))
        return area->ward;
    }

  return NULL;
}

/* Metres in a degree of latitude (the mean; the Earth's flattening changes
 * it by under 1 %, far less than a cell's worth). */
#define BB_GEO_METRES_PER_DEGREE 111320.0

void
bb_geo_grid_cell (double  lat,
                  double  lon,
                  double  metres,
                  gint64 *row,
                  gint64 *column,
                  double *centre_lat,
                  double *centre_lon)
{
  double height = metres / BB_GEO_METRES_PER_DEGREE;
  double middle, width;
  gint64 r, c;

  g_return_if_fail (metres > 0);

  r = (gint64) floor ((lat + 90.0) / height);
  middle = -90.0 + (r + 0.5) * height;
  /* Near a pole a degree of longitude shrinks to nothing: the widest cell
   * is a whole turn, never a division by zero. */
  width = MIN (360.0, height / MAX (cos (middle * G_PI / 180.0), 1e-6));
  c = (gint64) floor ((lon + 180.0) / width);

  if (row != NULL)
    *row = r;
  if (column != NULL)
    *column = c;
  if (centre_lat != NULL)
    *centre_lat = middle;
  if (centre_lon != NULL)
    *centre_lon = -180.0 + (c + 0.5) * width;
}
