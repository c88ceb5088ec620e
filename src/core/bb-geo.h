/* bb-geo.h: ward boundaries (point in polygon) and the hotspot grid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BB_GEO_ERROR (bb_geo_error_quark ())

typedef enum {
  BB_GEO_ERROR_INVALID, /* not a FeatureCollection of (Multi)Polygons with properties.ward */
} BbGeoError;

/* The wards' areas of a profile, from its GeoJSON `ward_boundaries`. */
typedef struct _BbWardBoundaries BbWardBoundaries;

GQuark            bb_geo_error_quark           (void);

/* @node: a GeoJSON FeatureCollection whose Polygon and MultiPolygon features
 * carry properties.ward (sync-api.md "Profile"). @source names the file in
 * errors ("boundaries.geojson: features[2].geometry: ..."). Ward ids are not
 * checked here: the profile checks them against its wards.
 * Returns: (transfer full) (nullable) */
BbWardBoundaries *bb_ward_boundaries_new_from_json (JsonNode   *node,
                                                    const char *source,
                                                    GError    **error);
void              bb_ward_boundaries_free      (BbWardBoundaries *self);

/* (transfer none) (element-type utf8): every ward id named by a feature,
 * in the order of the file, each once. */
GPtrArray        *bb_ward_boundaries_get_wards (BbWardBoundaries *self);

/* The ward whose area holds the point (WGS84 degrees), or NULL when none
 * does. Rings are read with the even-odd rule, so a hole (an inner ring)
 * is outside its polygon, and the parts of a MultiPolygon are one area.
 *
 * On an edge, the answer is the same every time and never two wards: a
 * point exactly on a boundary belongs to the area east of it (for an edge
 * running north-south) or north of it (for an edge running east-west), as
 * with a half-open box [west, east) x [south, north). So a point on the
 * edge two wards share goes to exactly one of them, and a point on the
 * outer west or south edge of the whole area is inside, on the east or
 * north edge outside. When features overlap (they should not), the first
 * in the file wins. (transfer none) */
const char       *bb_ward_boundaries_find_ward (BbWardBoundaries *self,
                                                double            lat,
                                                double            lon);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbWardBoundaries, bb_ward_boundaries_free)

/* The hotspot grid: cells of about @metres by @metres. A cell is named by
 * its row (from the latitude) and its column (from the longitude, with the
 * width in degrees taken at the row's middle so cells stay near square).
 * The centre of the cell is written to @centre_lat/@centre_lon. */
void              bb_geo_grid_cell             (double  lat,
                                                double  lon,
                                                double  metres,
                                                gint64 *row,
                                                gint64 *column,
                                                double *centre_lat,
                                                double *centre_lon);

G_END_DECLS
