/* bb-map.c: records as points on a map from the profile's tile source
 *
 * The tiles come from the profile's `map` (docs/api.md, "Profile") through
 * BbTileSource, which keeps them on the disk. Each record is a round mark
 * in its kind's colour with the kind's letter on it (colour is never the
 * only sign), and the legend names every kind in words. Marks closer than
 * a mark's width at the current zoom become one mark with their number;
 * zooming in splits them again. Clicking a mark opens its record
 * ("point-activated"); clicking a group zooms in on it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-map"

#include "config.h"

#include <math.h>

#include "bb-map.h"

/* Marks nearer than this many pixels are grouped. */
#define CLUSTER_PIXELS 44.0
#define TILE_SIZE 256
#define SINGLE_POINT_ZOOM 16

struct _BbMap
{
  AdwBin              parent_instance;

  ShumateSimpleMap   *simple_map;
  GtkLabel           *offline_label;
  GtkFlowBox         *legend;

  BbTileSource       *tiles;
  ShumateMarkerLayer *markers;
  GPtrArray          *points;      /* (element-type BbMapPoint) */
  guint               recluster_id;
  double              clustered_zoom;
};

G_DEFINE_FINAL_TYPE (BbMap, bb_map, ADW_TYPE_BIN)

enum {
  POINT_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Each kind's mark: a CSS class for its colour and a letter, so the kinds
 * tell apart without colour too. */
static const struct
{
  const char *kind;
  const char *css;
  const char *letter; /* N_() */
} kind_marks[] = {
  /* Translators: the letter on a map mark for a VAWG walk */
  { BB_KIND_VAWG_WALK, "bb-map-walk", N_("W") },
  /* Translators: the letter on a map mark for a patrol observation */
  { BB_KIND_PATROL_OBSERVATION, "bb-map-observation", N_("O") },
  /* Translators: the letter on a map mark for a Section 59 warning */
  { BB_KIND_S59_WARNING, "bb-map-s59", N_("S") },
  /* Translators: the letter on a map mark for an engagement event */
  { BB_KIND_ENGAGEMENT_EVENT, "bb-map-engagement", N_("E") },
};

BbMapPoint *
bb_map_point_new (const char *id,
                  const char *kind,
                  const char *label,
                  double      lat,
                  double      lon)
{
  BbMapPoint *point = g_new0 (BbMapPoint, 1);

  point->id = g_strdup (id);
  point->kind = g_strdup (kind);
  point->label = g_strdup (label);
  point->lat = lat;
  point->lon = lon;
  return point;
}

void
bb_map_point_free (BbMapPoint *point)
{
  if (point == NULL)
    return;
  g_free (point->id);
  g_free (point->kind);
  g_free (point->label);
  g_free (point);
}

static gboolean
field_number (JsonObject *fields,
              const char *name,
              double     *out)
{
  JsonNode *node = fields != NULL ? json_object_get_member (fields, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || (json_node_get_value_type (node) != G_TYPE_DOUBLE
          && json_node_get_value_type (node) != G_TYPE_INT64))
    return FALSE;
  *out = json_node_get_double (node);
  return isfinite (*out);
}

BbMapPoint *
bb_map_point_new_for_record (BbRecord  *record,
                             BbProfile *profile)
{
  JsonObject *fields = bb_record_get_fields (record);
  const BbKindSpec *kind = bb_kind_lookup (bb_record_get_kind (record));
  const char *place = bb_record_get_field_string (record, "place");
  g_autofree char *label = NULL;
  double lat, lon;

  if (!field_number (fields, "lat", &lat) || !field_number (fields, "lon", &lon)
      || fabs (lat) > 85.0511 || fabs (lon) > 180.0)
    return NULL;

  if (place != NULL && *place != '\0')
    /* Translators: a map mark's tooltip, "Patrol observation · Joyce Green Lane" */
    label = g_strdup_printf (_("%s · %s"), kind != NULL ? bb_kind_get_label (kind) : "", place);
  else
    label = g_strdup (kind != NULL ? bb_kind_get_label (kind) : bb_record_get_kind (record));

  return bb_map_point_new (bb_record_get_id (record), bb_record_get_kind (record), label, lat, lon);
}

/* Web Mercator, in pixels of the whole world at @zoom. */
static void
project (double  lat,
         double  lon,
         double  zoom,
         double *x,
         double *y)
{
  double size = TILE_SIZE * pow (2.0, zoom);
  double phi = lat * G_PI / 180.0;

  *x = (lon + 180.0) / 360.0 * size;
  *y = (1.0 - log (tan (phi) + 1.0 / cos (phi)) / G_PI) / 2.0 * size;
}

static guint
mark_index (const char *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_marks); i++)
    if (g_strcmp0 (kind_marks[i].kind, kind) == 0)
      return i;
  return 0;
}

static void
on_mark_clicked (GtkButton *button,
                 BbMap     *self)
{
  char **ids = g_object_get_data (G_OBJECT (button), "bb-map-ids");
  ShumateMap *map = shumate_simple_map_get_map (self->simple_map);
  ShumateViewport *viewport = shumate_map_get_viewport (map);
  double lat, lon;

  if (ids == NULL || ids[0] == NULL)
    return;
  if (ids[1] == NULL)
    {
      g_signal_emit (self, signals[POINT_ACTIVATED], 0, ids[0]);
      return;
    }

  /* A group: closer, until it comes apart. */
  lat = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "bb-map-lat-e6")) / 1e6;
  lon = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "bb-map-lon-e6")) / 1e6;
  shumate_map_go_to_full (map, lat, lon,
                          MIN (shumate_viewport_get_zoom_level (viewport) + 2,
                               shumate_viewport_get_max_zoom_level (viewport)));
}

static GtkWidget *
mark_new (BbMap      *self,
          GPtrArray  *group,
          double      lat,
          double      lon)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *label;
  g_auto(GStrv) ids = g_new0 (char *, group->len + 1);
  g_autofree char *tooltip = NULL;

  for (guint i = 0; i < group->len; i++)
    ids[i] = g_strdup (((BbMapPoint *) g_ptr_array_index (group, i))->id);

  gtk_widget_add_css_class (button, "bb-map-mark");
  if (group->len == 1)
    {
      BbMapPoint *point = g_ptr_array_index (group, 0);
      guint m = mark_index (point->kind);

      label = gtk_label_new (_(kind_marks[m].letter));
      gtk_widget_add_css_class (button, kind_marks[m].css);
      tooltip = g_strdup (point->label);
    }
  else
    {
      g_autofree char *count = g_strdup_printf ("%u", group->len);

      label = gtk_label_new (count);
      gtk_widget_add_css_class (button, "bb-map-group");
      tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "%u record here: zoom in to tell them apart",
                                              "%u records here: zoom in to tell them apart",
                                              group->len),
                                 group->len);
    }
  gtk_button_set_child (GTK_BUTTON (button), label);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  g_object_set_data_full (G_OBJECT (button), "bb-map-ids", g_steal_pointer (&ids),
                          (GDestroyNotify) g_strfreev);
  g_object_set_data (G_OBJECT (button), "bb-map-lat-e6", GINT_TO_POINTER ((int) lround (lat * 1e6)));
  g_object_set_data (G_OBJECT (button), "bb-map-lon-e6", GINT_TO_POINTER ((int) lround (lon * 1e6)));
  g_signal_connect (button, "clicked", G_CALLBACK (on_mark_clicked), self);
  return button;
}

/* Groups points whose marks would overlap at @zoom: a grid of the marks'
 * size, each group drawn at its points' mean. Cheap enough for a month of
 * records (a few thousand points) on every zoom step. */
static void
recluster (BbMap *self)
{
  ShumateViewport *viewport = shumate_map_get_viewport (shumate_simple_map_get_map (self->simple_map));
  double zoom = floor (shumate_viewport_get_zoom_level (viewport));
  g_autoptr(GHashTable) cells = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();

  self->clustered_zoom = zoom;
  shumate_marker_layer_remove_all (self->markers);
  if (self->points == NULL)
    return;

  for (guint i = 0; i < self->points->len; i++)
    {
      BbMapPoint *point = g_ptr_array_index (self->points, i);
      g_autofree char *key = NULL;
      GPtrArray *group;
      double x, y;

      project (point->lat, point->lon, zoom, &x, &y);
      key = g_strdup_printf ("%ld/%ld", (long) floor (x / CLUSTER_PIXELS),
                             (long) floor (y / CLUSTER_PIXELS));
      group = g_hash_table_lookup (cells, key);
      if (group == NULL)
        {
          group = g_ptr_array_new ();
          g_hash_table_insert (cells, g_steal_pointer (&key), group);
          g_ptr_array_add (order, group);
        }
      g_ptr_array_add (group, point);
    }

  for (guint i = 0; i < order->len; i++)
    {
      GPtrArray *group = g_ptr_array_index (order, i);
      ShumateMarker *marker = shumate_marker_new ();
      double lat = 0, lon = 0;

      for (guint j = 0; j < group->len; j++)
        {
          lat += ((BbMapPoint *) g_ptr_array_index (group, j))->lat;
          lon += ((BbMapPoint *) g_ptr_array_index (group, j))->lon;
        }
      lat /= group->len;
      lon /= group->len;
      shumate_location_set_location (SHUMATE_LOCATION (marker), lat, lon);
      shumate_marker_set_child (marker, mark_new (self, group, lat, lon));
      shumate_marker_layer_add_marker (self->markers, marker);
    }
}

static gboolean
recluster_idle (gpointer data)
{
  BbMap *self = data;

  self->recluster_id = 0;
  recluster (self);
  return G_SOURCE_REMOVE;
}

static void
on_zoom_changed (BbMap *self)
{
  ShumateViewport *viewport = shumate_map_get_viewport (shumate_simple_map_get_map (self->simple_map));

  if (floor (shumate_viewport_get_zoom_level (viewport)) == self->clustered_zoom)
    return;
  if (self->recluster_id == 0)
    self->recluster_id = g_timeout_add (150, recluster_idle, self);
}

static void
on_offline_changed (BbMap *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->offline_label),
                          self->tiles != NULL && bb_tile_source_get_offline (self->tiles));
}

static void
fill_legend (BbMap *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_marks); i++)
    {
      const BbKindSpec *kind = bb_kind_lookup (kind_marks[i].kind);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *mark = gtk_label_new (_(kind_marks[i].letter));
      GtkWidget *name = gtk_label_new (kind != NULL ? bb_kind_get_label (kind) : kind_marks[i].kind);

      gtk_widget_add_css_class (mark, "bb-map-mark");
      gtk_widget_add_css_class (mark, kind_marks[i].css);
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_box_append (GTK_BOX (box), mark);
      gtk_box_append (GTK_BOX (box), name);
      gtk_flow_box_append (self->legend, box);
    }
  {
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    GtkWidget *mark = gtk_label_new ("3");
    GtkWidget *name = gtk_label_new (_("Several records (zoom in)"));

    gtk_widget_add_css_class (mark, "bb-map-mark");
    gtk_widget_add_css_class (mark, "bb-map-group");
    gtk_label_set_xalign (GTK_LABEL (name), 0);
    gtk_box_append (GTK_BOX (box), mark);
    gtk_box_append (GTK_BOX (box), name);
    gtk_flow_box_append (self->legend, box);
  }
}

static void
bb_map_dispose (GObject *object)
{
  BbMap *self = BB_MAP (object);

  g_clear_handle_id (&self->recluster_id, g_source_remove);
  if (self->tiles != NULL)
    g_signal_handlers_disconnect_by_data (self->tiles, self);
  g_clear_object (&self->tiles);
  g_clear_pointer (&self->points, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), BB_TYPE_MAP);

  G_OBJECT_CLASS (bb_map_parent_class)->dispose (object);
}

static void
bb_map_class_init (BbMapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bb_map_dispose;

  /* A record's id. */
  signals[POINT_ACTIVATED] =
    g_signal_new ("point-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (SHUMATE_TYPE_SIMPLE_MAP);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/beatbook/Beatbook/bb-map.ui");
  gtk_widget_class_bind_template_child (widget_class, BbMap, simple_map);
  gtk_widget_class_bind_template_child (widget_class, BbMap, offline_label);
  gtk_widget_class_bind_template_child (widget_class, BbMap, legend);
  gtk_widget_class_set_css_name (widget_class, "bb-map");
}

static void
bb_map_init (BbMap *self)
{
  ShumateMap *map;
  ShumateViewport *viewport;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->clustered_zoom = -1;

  map = shumate_simple_map_get_map (self->simple_map);
  viewport = shumate_map_get_viewport (map);
  self->markers = shumate_marker_layer_new (viewport);
  shumate_simple_map_add_overlay_layer (self->simple_map, SHUMATE_LAYER (self->markers));
  g_signal_connect_object (viewport, "notify::zoom-level", G_CALLBACK (on_zoom_changed),
                           self, G_CONNECT_SWAPPED);
  fill_legend (self);
}

GtkWidget *
bb_map_new (void)
{
  return g_object_new (BB_TYPE_MAP, NULL);
}

gboolean
bb_map_set_profile (BbMap     *self,
                    BbProfile *profile)
{
  const char *url;
  g_autofree char *cache_dir = NULL;
  g_autofree char *id = NULL;
  g_autoptr(ShumateRasterRenderer) renderer = NULL;
  ShumateViewport *viewport;

  g_return_val_if_fail (BB_IS_MAP (self), FALSE);
  g_return_val_if_fail (BB_IS_PROFILE (profile), FALSE);

  url = bb_profile_get_map_tile_url (profile);
  if (url == NULL)
    return FALSE;

  if (self->tiles != NULL)
    g_signal_handlers_disconnect_by_data (self->tiles, self);
  g_clear_object (&self->tiles);
  cache_dir = bb_tile_source_dup_default_cache_dir ();
  self->tiles = bb_tile_source_new (url, cache_dir);
  g_signal_connect_swapped (self->tiles, "notify::offline", G_CALLBACK (on_offline_changed), self);

  id = g_strdup_printf ("beatbook-%s", bb_profile_get_id (profile));
  renderer = shumate_raster_renderer_new_full (id, bb_profile_get_name (profile),
                                               bb_profile_get_map_attribution (profile), NULL,
                                               0, bb_profile_get_map_max_zoom (profile),
                                               TILE_SIZE, SHUMATE_MAP_PROJECTION_MERCATOR,
                                               SHUMATE_DATA_SOURCE (self->tiles));
  shumate_simple_map_set_map_source (self->simple_map, SHUMATE_MAP_SOURCE (renderer));
  /* libshumate 1.0 puts the first base layer on top of what is there: the
   * marks go back above it. */
  g_object_ref (self->markers);
  shumate_simple_map_remove_overlay_layer (self->simple_map, SHUMATE_LAYER (self->markers));
  shumate_simple_map_add_overlay_layer (self->simple_map, SHUMATE_LAYER (self->markers));
  g_object_unref (self->markers);
  viewport = shumate_map_get_viewport (shumate_simple_map_get_map (self->simple_map));
  shumate_viewport_set_max_zoom_level (viewport, bb_profile_get_map_max_zoom (profile));
  return TRUE;
}

gboolean
bb_map_has_tiles (BbMap *self)
{
  g_return_val_if_fail (BB_IS_MAP (self), FALSE);
  return self->tiles != NULL;
}

static void
fit_points (BbMap *self)
{
  ShumateMap *map = shumate_simple_map_get_map (self->simple_map);
  ShumateViewport *viewport = shumate_map_get_viewport (map);
  double south = 90, north = -90, west = 180, east = -180;
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double zoom = shumate_viewport_get_max_zoom_level (viewport);

  if (self->points == NULL || self->points->len == 0)
    return;
  if (width < 100 || height < 100)
    width = 600, height = 400;

  for (guint i = 0; i < self->points->len; i++)
    {
      BbMapPoint *point = g_ptr_array_index (self->points, i);

      south = MIN (south, point->lat);
      north = MAX (north, point->lat);
      west = MIN (west, point->lon);
      east = MAX (east, point->lon);
    }

  /* The closest zoom at which the box fits, with a mark's room around it. */
  zoom = MIN (zoom, SINGLE_POINT_ZOOM);
  for (; zoom > 1; zoom--)
    {
      double x1, y1, x2, y2;

      project (north, west, zoom, &x1, &y1);
      project (south, east, zoom, &x2, &y2);
      if (x2 - x1 <= width - 2 * CLUSTER_PIXELS && y2 - y1 <= height - 2 * CLUSTER_PIXELS)
        break;
    }

  shumate_viewport_set_zoom_level (viewport, zoom);
  shumate_map_center_on (map, (south + north) / 2, (west + east) / 2);
}

void
bb_map_set_points (BbMap     *self,
                   GPtrArray *points,
                   gboolean   fit)
{
  g_return_if_fail (BB_IS_MAP (self));

  g_clear_pointer (&self->points, g_ptr_array_unref);
  self->points = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_map_point_free);
  for (guint i = 0; points != NULL && i < points->len; i++)
    {
      BbMapPoint *point = g_ptr_array_index (points, i);

      g_ptr_array_add (self->points, bb_map_point_new (point->id, point->kind, point->label,
                                                       point->lat, point->lon));
    }

  if (fit)
    fit_points (self);
  g_clear_handle_id (&self->recluster_id, g_source_remove);
  recluster (self);
}

void
bb_map_set_show_legend (BbMap    *self,
                        gboolean  show)
{
  g_return_if_fail (BB_IS_MAP (self));
  gtk_widget_set_visible (GTK_WIDGET (self->legend), show);
}

BbTileSource *
bb_map_get_tile_source (BbMap *self)
{
  g_return_val_if_fail (BB_IS_MAP (self), NULL);
  return self->tiles;
}

ShumateMap *
bb_map_get_map (BbMap *self)
{
  g_return_val_if_fail (BB_IS_MAP (self), NULL);
  return shumate_simple_map_get_map (self->simple_map);
}

GPtrArray *
bb_map_get_marker_buttons (BbMap *self)
{
  GPtrArray *buttons = g_ptr_array_new ();
  GList *markers = shumate_marker_layer_get_markers (self->markers);

  for (GList *l = markers; l != NULL; l = l->next)
    g_ptr_array_add (buttons, shumate_marker_get_child (l->data));
  g_list_free (markers);
  return buttons;
}
