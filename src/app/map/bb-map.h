/* bb-map.h: records as points on a map from the profile's tile source
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "beatbook.h"
#include "bb-tile-source.h"

G_BEGIN_DECLS

/* One record on the map. */
typedef struct
{
  char   *id;
  char   *kind;
  char   *label;  /* the tooltip: "Patrol observation · Joyce Green Lane" */
  double  lat;
  double  lon;
} BbMapPoint;

BbMapPoint *bb_map_point_new   (const char *id,
                                const char *kind,
                                const char *label,
                                double      lat,
                                double      lon);
void        bb_map_point_free  (BbMapPoint *point);

/* The record's point, when it has one. (transfer full) (nullable) */
BbMapPoint *bb_map_point_new_for_record (BbRecord  *record,
                                         BbProfile *profile);

#define BB_TYPE_MAP (bb_map_get_type ())
G_DECLARE_FINAL_TYPE (BbMap, bb_map, BB, MAP, AdwBin)

GtkWidget    *bb_map_new               (void);
/* Takes the tile source from @profile's `map`. FALSE, and the map stays
 * empty (its owner hides it), when the profile names none. */
gboolean      bb_map_set_profile       (BbMap      *self,
                                        BbProfile  *profile);
gboolean      bb_map_has_tiles         (BbMap      *self);
/* @points: (element-type BbMapPoint) (transfer none). Shown one marker each,
 * or one marker with their number where they crowd (closer than a marker's
 * width at this zoom). With @fit, the view moves to show them all. */
void          bb_map_set_points        (BbMap      *self,
                                        GPtrArray  *points,
                                        gboolean    fit);
/* The legend: each kind's mark and name, in words. */
void          bb_map_set_show_legend   (BbMap      *self,
                                        gboolean    show);
/* (transfer none) (nullable) */
BbTileSource *bb_map_get_tile_source   (BbMap      *self);
ShumateMap   *bb_map_get_map           (BbMap      *self);
/* The markers on the map now: (transfer container) (element-type GtkButton),
 * each with "bb-map-ids" data (a GStrv of the records it stands for). */
GPtrArray    *bb_map_get_marker_buttons (BbMap     *self);

G_END_DECLS
