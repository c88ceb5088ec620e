/* bb-location-source.h: where the device is, from whatever can tell
 *
 * One question ("where am I?"), one answer or one clear reason why not.
 * GeoClue answers on a desktop, the location portal inside Flatpak, and a
 * fixed source in tests (and for screenshots), so the editor's logic never
 * needs a location service to be tested.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BB_LOCATION_ERROR (bb_location_error_quark ())

typedef enum {
  BB_LOCATION_ERROR_UNAVAILABLE, /* no location service on this device */
  BB_LOCATION_ERROR_DENIED,      /* the person (or the system) refused */
  BB_LOCATION_ERROR_TIMED_OUT,   /* the service is there, but gave no position */
} BbLocationError;

typedef struct
{
  double latitude;  /* WGS84 degrees */
  double longitude;
  double accuracy;  /* metres, radius; 0 when the source does not say */
} BbLocation;

#define BB_TYPE_LOCATION_SOURCE (bb_location_source_get_type ())
G_DECLARE_INTERFACE (BbLocationSource, bb_location_source, BB, LOCATION_SOURCE, GObject)

struct _BbLocationSourceInterface
{
  GTypeInterface parent_iface;

  /* The name people see in "Within 20 m (GeoClue)". */
  const char *(*get_name)      (BbLocationSource     *self);
  void        (*locate_async)  (BbLocationSource     *self,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data);
  gboolean    (*locate_finish) (BbLocationSource     *self,
                                GAsyncResult         *result,
                                BbLocation           *location,
                                GError              **error);
};

GQuark            bb_location_error_quark       (void);

const char       *bb_location_source_get_name   (BbLocationSource     *self);
/* Asks once for the device's position. Completes with a position, or a
 * BB_LOCATION_ERROR (or G_IO_ERROR_CANCELLED); never waits for ever: a
 * source that hears nothing gives up with TIMED_OUT. */
void              bb_location_source_locate_async  (BbLocationSource  *self,
                                                    GCancellable      *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer           user_data);
gboolean          bb_location_source_locate_finish (BbLocationSource  *self,
                                                    GAsyncResult      *result,
                                                    BbLocation        *location,
                                                    GError           **error);

/* The source the app uses: the one set with _set_default(), else a fixed
 * one from $BEATBOOK_TEST_LOCATION ("LAT,LON,ACCURACY", "denied",
 * "unavailable" or "silent": for tests and screenshots), else the location
 * portal inside Flatpak (/.flatpak-info exists), else GeoClue.
 * (transfer none) */
BbLocationSource *bb_location_source_get_default (void);
/* @source: (nullable): NULL goes back to choosing as above. */
void              bb_location_source_set_default (BbLocationSource *source);

/* How long a source waits for a first position (30 s unless set; tests set
 * less). */
guint             bb_location_get_timeout_seconds (void);
void              bb_location_set_timeout_seconds (guint seconds);

/* A source that always gives the same answer. */
#define BB_TYPE_LOCATION_FIXED (bb_location_fixed_get_type ())
G_DECLARE_FINAL_TYPE (BbLocationFixed, bb_location_fixed, BB, LOCATION_FIXED, GObject)

BbLocationFixed  *bb_location_fixed_new          (double latitude,
                                                  double longitude,
                                                  double accuracy);
BbLocationFixed  *bb_location_fixed_new_error    (BbLocationError code);
/* Never answers; only the timeout (or cancelling) ends the question. */
BbLocationFixed  *bb_location_fixed_new_silent   (void);
/* How many times it was asked. */
guint             bb_location_fixed_get_asked    (BbLocationFixed *self);

/* The real sources; NULL when the build has no support for them. */
BbLocationSource *bb_location_geoclue_new        (void);
BbLocationSource *bb_location_portal_new         (void);

G_END_DECLS
