/* bb-location-geoclue.c: the device's position from GeoClue (outside Flatpak)
 *
 * GClueSimple starts a GeoClue client on the system bus and completes with
 * the first position. Where GeoClue is not installed or not running, the
 * bus says so at once (no service of that name): "no location service".
 * Where its agent refuses the app: "refused". Where it runs but has no
 * source (offline, no GPS), nothing comes, and the shared wait gives up.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-location"

#include "config.h"

#include "bb-i18n.h"

#include "bb-location-private.h"

#ifdef HAVE_GEOCLUE

#include <geoclue.h>

#define BB_TYPE_LOCATION_GEOCLUE (bb_location_geoclue_get_type ())
G_DECLARE_FINAL_TYPE (BbLocationGeoclue, bb_location_geoclue, BB, LOCATION_GEOCLUE, GObject)

struct _BbLocationGeoclue
{
  GObject parent_instance;
};

static void bb_location_geoclue_iface_init (BbLocationSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BbLocationGeoclue, bb_location_geoclue, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BB_TYPE_LOCATION_SOURCE,
                                                      bb_location_geoclue_iface_init))

static const char *
geoclue_get_name (BbLocationSource *source)
{
  return "GeoClue";
}

static BbLocationError
error_code (const GError *error)
{
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED))
    return BB_LOCATION_ERROR_DENIED;
  return BB_LOCATION_ERROR_UNAVAILABLE;
}

static void
answer_from (GTask         *task,
             GClueLocation *location)
{
  BbLocation found;

  found.latitude = gclue_location_get_latitude (location);
  found.longitude = gclue_location_get_longitude (location);
  found.accuracy = gclue_location_get_accuracy (location);
  bb_location_task_answer (task, &found, 0);
}

static void
on_location_notify (GClueSimple *simple,
                    GParamSpec  *pspec,
                    GTask       *task)
{
  GClueLocation *location = gclue_simple_get_location (simple);

  if (location != NULL)
    answer_from (task, location);
}

static void
on_simple_ready (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GClueSimple) simple = gclue_simple_new_with_thresholds_finish (result, &error);
  GClueLocation *location;

  if (simple == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_info ("GeoClue: %s", error->message);
      bb_location_task_answer (task, NULL, error_code (error));
      return;
    }
  if (bb_location_task_is_answered (task))
    return;

  location = gclue_simple_get_location (simple);
  if (location != NULL)
    {
      answer_from (task, location);
      return;
    }

  /* Kept (with the client running) until the question ends. */
  g_signal_connect_object (simple, "notify::location", G_CALLBACK (on_location_notify),
                           task, 0);
  g_object_set_data_full (G_OBJECT (task), "bb-geoclue-simple",
                          g_steal_pointer (&simple), g_object_unref);
}

static void
stop_question (gpointer data)
{
  GCancellable *cancellable = data;

  g_cancellable_cancel (cancellable);
  g_object_unref (cancellable);
}

static void
geoclue_locate_async (BbLocationSource    *source,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (source, cancellable, callback, user_data);
  GCancellable *inner = g_cancellable_new ();

  g_task_set_source_tag (task, geoclue_locate_async);
  bb_location_task_wait (task, stop_question, g_object_ref (inner));
  gclue_simple_new_with_thresholds (APP_ID, GCLUE_ACCURACY_LEVEL_EXACT, 0, 0, inner,
                                    on_simple_ready, g_object_ref (task));
  g_object_unref (inner);
}

static gboolean
geoclue_locate_finish (BbLocationSource  *source,
                       GAsyncResult      *result,
                       BbLocation        *location,
                       GError           **error)
{
  return bb_location_task_finish (result, location, error);
}

static void
bb_location_geoclue_iface_init (BbLocationSourceInterface *iface)
{
  iface->get_name = geoclue_get_name;
  iface->locate_async = geoclue_locate_async;
  iface->locate_finish = geoclue_locate_finish;
}

static void
bb_location_geoclue_class_init (BbLocationGeoclueClass *klass)
{
}

static void
bb_location_geoclue_init (BbLocationGeoclue *self)
{
}

BbLocationSource *
bb_location_geoclue_new (void)
{
  return g_object_new (BB_TYPE_LOCATION_GEOCLUE, NULL);
}

#else /* !HAVE_GEOCLUE */

BbLocationSource *
bb_location_geoclue_new (void)
{
  return NULL;
}

#endif
