/* bb-location-portal.c: the device's position from the location portal
 * (inside Flatpak, where GeoClue is out of reach)
 *
 * The portal asks the person once; a refusal comes back as a cancelled or
 * denied start.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-location"

#include "config.h"

#include "bb-i18n.h"

#include "bb-location-private.h"

#ifdef HAVE_LIBPORTAL

#include <libportal/portal.h>

#define BB_TYPE_LOCATION_PORTAL (bb_location_portal_get_type ())
G_DECLARE_FINAL_TYPE (BbLocationPortal, bb_location_portal, BB, LOCATION_PORTAL, GObject)

struct _BbLocationPortal
{
  GObject parent_instance;
};

static void bb_location_portal_iface_init (BbLocationSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BbLocationPortal, bb_location_portal, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BB_TYPE_LOCATION_SOURCE,
                                                      bb_location_portal_iface_init))

typedef struct
{
  GTask        *task;    /* not owned: the question lives inside it */
  XdpPortal    *portal;
  GCancellable *cancellable;
  gulong        updated_id;
  gboolean      started;
} Question;

static void
question_stop (gpointer data)
{
  Question *question = data;

  g_cancellable_cancel (question->cancellable);
  if (question->updated_id != 0)
    g_signal_handler_disconnect (question->portal, question->updated_id);
  if (question->started)
    xdp_portal_location_monitor_stop (question->portal);
  g_object_set_data (G_OBJECT (question->task), "bb-portal-question", NULL);
  g_object_unref (question->portal);
  g_object_unref (question->cancellable);
  g_free (question);
}

static const char *
portal_get_name (BbLocationSource *source)
{
  return _("location portal");
}

static void
on_location_updated (XdpPortal  *portal,
                     double      latitude,
                     double      longitude,
                     double      altitude,
                     double      accuracy,
                     double      speed,
                     double      heading,
                     const char *description,
                     gint64      timestamp_s,
                     gint64      timestamp_ms,
                     GTask      *task)
{
  BbLocation found = { latitude, longitude, accuracy };

  bb_location_task_answer (task, &found, 0);
}

static void
on_started (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Question *question = g_object_get_data (G_OBJECT (task), "bb-portal-question");

  if (xdp_portal_location_monitor_start_finish (XDP_PORTAL (object), result, &error))
    {
      if (question != NULL)
        question->started = TRUE;
      return;
    }

  if (bb_location_task_is_answered (task))
    return;
  g_info ("Location portal: %s", error->message);
  /* The person closing the portal's dialog comes back as "cancelled". */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED))
    bb_location_task_answer (task, NULL, BB_LOCATION_ERROR_DENIED);
  else
    bb_location_task_answer (task, NULL, BB_LOCATION_ERROR_UNAVAILABLE);
}

static void
portal_locate_async (BbLocationSource    *source,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (source, cancellable, callback, user_data);
  Question *question = g_new0 (Question, 1);

  g_task_set_source_tag (task, portal_locate_async);
  /* Without a portal, starting fails at once: "no location service". */
  question->task = task;
  question->portal = xdp_portal_new ();
  question->cancellable = g_cancellable_new ();
  question->updated_id = g_signal_connect (question->portal, "location-updated",
                                           G_CALLBACK (on_location_updated), task);
  g_object_set_data (G_OBJECT (task), "bb-portal-question", question);
  bb_location_task_wait (task, question_stop, question);

  xdp_portal_location_monitor_start (question->portal, NULL, 0, 0, XDP_LOCATION_ACCURACY_EXACT,
                                     XDP_LOCATION_MONITOR_FLAG_NONE, question->cancellable,
                                     on_started, g_object_ref (task));
}

static gboolean
portal_locate_finish (BbLocationSource  *source,
                      GAsyncResult      *result,
                      BbLocation        *location,
                      GError           **error)
{
  return bb_location_task_finish (result, location, error);
}

static void
bb_location_portal_iface_init (BbLocationSourceInterface *iface)
{
  iface->get_name = portal_get_name;
  iface->locate_async = portal_locate_async;
  iface->locate_finish = portal_locate_finish;
}

static void
bb_location_portal_class_init (BbLocationPortalClass *klass)
{
}

static void
bb_location_portal_init (BbLocationPortal *self)
{
}

BbLocationSource *
bb_location_portal_new (void)
{
  return g_object_new (BB_TYPE_LOCATION_PORTAL, NULL);
}

#else /* !HAVE_LIBPORTAL */

BbLocationSource *
bb_location_portal_new (void)
{
  return NULL;
}

#endif
