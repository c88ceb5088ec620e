/* bb-profile.h: a partnership profile (wards, partners, enumerations, policy)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "bb-geo.h"

G_BEGIN_DECLS

#define BB_PROFILE_ERROR (bb_profile_error_quark ())

typedef enum {
  BB_PROFILE_ERROR_NOT_FOUND, /* the file could not be read */
  BB_PROFILE_ERROR_SYNTAX,    /* not JSON */
  BB_PROFILE_ERROR_INVALID,   /* JSON, but not a valid profile */
} BbProfileError;

/* One entry of a profile list: a ward, a partner or an enumerated value. */
typedef struct
{
  char *id;
  char *label;
} BbChoice;

#define BB_TYPE_PROFILE (bb_profile_get_type ())
G_DECLARE_FINAL_TYPE (BbProfile, bb_profile, BB, PROFILE, GObject)

GQuark      bb_profile_error_quark           (void);

/* Errors name the file, the line and what is wrong:
 * "dartford.json:12: enums.walk_type[2]: “id” is missing". */
BbProfile  *bb_profile_new_from_file         (const char  *path,
                                              GError     **error);
BbProfile  *bb_profile_new_from_data         (const char  *data,
                                              gssize       length,
                                              const char  *source_name,
                                              GError     **error);
/* $BEATBOOK_PROFILE if set, else the Dartford profile built into the library. */
BbProfile  *bb_profile_load_default          (GError     **error);

const char *bb_profile_get_id                (BbProfile   *self);
const char *bb_profile_get_name              (BbProfile   *self);
const char *bb_profile_get_timezone          (BbProfile   *self);

/* @list is "wards", "partners" or a key of "enums" ("walk_type", ...).
 * Returns (transfer none) (element-type BbChoice), or NULL for an unknown list. */
GPtrArray  *bb_profile_get_choices           (BbProfile   *self,
                                              const char  *list);
gboolean    bb_profile_has_choice            (BbProfile   *self,
                                              const char  *list,
                                              const char  *id);
/* (transfer none) (nullable): the label, or NULL when @id is not in @list. */
const char *bb_profile_get_choice_label      (BbProfile   *self,
                                              const char  *list,
                                              const char  *id);
/* (transfer none) (nullable) */
const char *bb_profile_get_priority_label    (BbProfile   *self,
                                              int          priority);

gboolean    bb_profile_get_warning_required_before_seizure (BbProfile *self);
int         bb_profile_get_s59_window_days   (BbProfile   *self);
/* 0 when the profile sets no retention for @kind. */
int         bb_profile_get_retention_days    (BbProfile   *self,
                                              const char  *kind);
int         bb_profile_get_device_personal_data_days (BbProfile *self);

/* Ward boundaries (`ward_boundaries`). (transfer none) (nullable): NULL
 * when the profile has none. */
BbWardBoundaries *bb_profile_get_ward_boundaries (BbProfile *self);
/* (transfer none) (nullable): the ward holding the point, or NULL (no
 * boundaries, or outside them all). A suggestion: never set it unasked. */
const char *bb_profile_find_ward             (BbProfile   *self,
                                              double       lat,
                                              double       lon);

/* The map's tile source (`map`). (transfer none) (nullable): NULL when the
 * profile names none, and then the app shows no map. */
const char *bb_profile_get_map_tile_url      (BbProfile   *self);
const char *bb_profile_get_map_attribution   (BbProfile   *self);
/* 0 when there is no tile source. */
int         bb_profile_get_map_max_zoom      (BbProfile   *self);

/* policy.max_attachment_bytes and policy.max_attachments (sync-api.md),
 * with the contract's values when the profile sets none. */
#define BB_PROFILE_DEFAULT_MAX_ATTACHMENT_BYTES (20 * 1024 * 1024)
#define BB_PROFILE_DEFAULT_MAX_ATTACHMENTS      10
int         bb_profile_get_max_attachment_bytes (BbProfile *self);
int         bb_profile_get_max_attachments   (BbProfile   *self);

/* (transfer full): the profile as JSON, in the shape of sync-api.md "Profile";
 * `ward_boundaries` given as a file is the GeoJSON object itself here. */
JsonNode   *bb_profile_to_json               (BbProfile   *self);

G_END_DECLS
