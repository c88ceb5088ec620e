/* bb-location-row.h: "Use my location" in the editor's "When and where"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bb-editor-form.h"
#include "bb-location-source.h"

G_BEGIN_DECLS

#define BB_TYPE_LOCATION_ROW (bb_location_row_get_type ())
G_DECLARE_FINAL_TYPE (BbLocationRow, bb_location_row, BB, LOCATION_ROW, AdwPreferencesRow)

/* A row that fills @form's "lat" and "lon" from @source (the default source
 * when NULL) and suggests the ward of the point from the profile's
 * boundaries, for typed numbers too. It never sets the ward unasked, and
 * the numbers stay editable. */
GtkWidget  *bb_location_row_new              (BbForm           *form,
                                              BbLocationSource *source);

/* (transfer none): what the row says under "Location". */
const char *bb_location_row_get_status       (BbLocationRow    *self);
/* TRUE while the source is being asked. */
gboolean    bb_location_row_get_locating     (BbLocationRow    *self);
/* (transfer none) (nullable): the ward the point is in, when offered. */
const char *bb_location_row_get_suggested_ward (BbLocationRow  *self);

/* "Accurate to about 35 m (GeoClue)": the words for a position's
 * accuracy, rounded as a person would say it. (transfer full) */
char       *bb_location_describe_accuracy    (double            accuracy,
                                              const char       *source_name);

G_END_DECLS
