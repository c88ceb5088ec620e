/* bb-location-source.c: the location interface, the default source and a
 * fixed source for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-location"

#include "config.h"

#include "bb-i18n.h"

#include "bb-location-private.h"
#include "bb-location-source.h"

G_DEFINE_QUARK (bb-location-error-quark, bb_location_error)

G_DEFINE_INTERFACE (BbLocationSource, bb_location_source, G_TYPE_OBJECT)

static BbLocationSource *default_source;
static guint timeout_seconds = 30;

static void
bb_location_source_default_init (BbLocationSourceInterface *iface)
{
}

const char *
bb_location_source_get_name (BbLocationSource *self)
{
  g_return_val_if_fail (BB_IS_LOCATION_SOURCE (self), NULL);
  return BB_LOCATION_SOURCE_GET_IFACE (self)->get_name (self);
}

void
bb_location_source_locate_async (BbLocationSource    *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (BB_IS_LOCATION_SOURCE (self));
  BB_LOCATION_SOURCE_GET_IFACE (self)->locate_async (self, cancellable, callback, user_data);
}

gboolean
bb_location_source_locate_finish (BbLocationSource  *self,
                                  GAsyncResult      *result,
                                  BbLocation        *location,
                                  GError           **error)
{
  g_return_val_if_fail (BB_IS_LOCATION_SOURCE (self), FALSE);
  g_return_val_if_fail (location != NULL, FALSE);
  return BB_LOCATION_SOURCE_GET_IFACE (self)->locate_finish (self, result, location, error);
}

guint
bb_location_get_timeout_seconds (void)
{
  return timeout_seconds;
}

void
bb_location_set_timeout_seconds (guint seconds)
{
  timeout_seconds = MAX (seconds, 1);
}

/* One wording for each reason, whichever source gives it: it always says
 * what to do instead, and typing the numbers always works. */
void
bb_location_task_return_error (GTask          *task,
                               BbLocationError code)
{
  switch (code)
    {
    case BB_LOCATION_ERROR_DENIED:
      g_task_return_new_error (task, BB_LOCATION_ERROR, code, "%s",
                               _("Location was refused: allow Beatbook in the system’s privacy "
                                 "settings, or type the latitude and longitude."));
      break;
    case BB_LOCATION_ERROR_TIMED_OUT:
      g_task_return_new_error (task, BB_LOCATION_ERROR, code,
                               _("No position came within %u seconds: try again where the "
                                 "sky is open, or type the latitude and longitude."),
                               timeout_seconds);
      break;
    case BB_LOCATION_ERROR_UNAVAILABLE:
    default:
      g_task_return_new_error (task, BB_LOCATION_ERROR, BB_LOCATION_ERROR_UNAVAILABLE, "%s",
                               _("No location service on this device: type the latitude "
                                 "and longitude, or leave them empty."));
      break;
    }
}

static BbLocationSource *
source_from_environment (const char *spec)
{
  g_auto(GStrv) parts = NULL;

  if (g_str_equal (spec, "denied"))
    return BB_LOCATION_SOURCE (bb_location_fixed_new_error (BB_LOCATION_ERROR_DENIED));
  if (g_str_equal (spec, "unavailable"))
    return BB_LOCATION_SOURCE (bb_location_fixed_new_error (BB_LOCATION_ERROR_UNAVAILABLE));
  if (g_str_equal (spec, "silent"))
    return BB_LOCATION_SOURCE (bb_location_fixed_new_silent ());

  parts = g_strsplit (spec, ",", 3);
  if (g_strv_length (parts) == 3)
    return BB_LOCATION_SOURCE (bb_location_fixed_new (g_ascii_strtod (parts[0], NULL),
                                                      g_ascii_strtod (parts[1], NULL),
                                                      g_ascii_strtod (parts[2], NULL)));

  g_warning ("BEATBOOK_TEST_LOCATION=“%s” is not LAT,LON,ACCURACY, denied, unavailable "
             "or silent: no location", spec);
  return BB_LOCATION_SOURCE (bb_location_fixed_new_error (BB_LOCATION_ERROR_UNAVAILABLE));
}

BbLocationSource *
bb_location_source_get_default (void)
{
  const char *spec;

  if (default_source != NULL)
    return default_source;

  spec = g_getenv ("BEATBOOK_TEST_LOCATION");
  if (spec != NULL && *spec != '\0')
    default_source = source_from_environment (spec);
  else if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    default_source = bb_location_portal_new ();
  else
    default_source = bb_location_geoclue_new ();

  /* Built without either library: every question gets "no service". */
  if (default_source == NULL)
    default_source = BB_LOCATION_SOURCE (bb_location_fixed_new_error (BB_LOCATION_ERROR_UNAVAILABLE));

  return default_source;
}

void
bb_location_source_set_default (BbLocationSource *source)
{
  g_return_if_fail (source == NULL || BB_IS_LOCATION_SOURCE (source));
  g_set_object (&default_source, source);
}

/* The fixed source */

typedef enum { FIXED_POSITION, FIXED_ERROR, FIXED_SILENT } FixedMode;

struct _BbLocationFixed
{
  GObject         parent_instance;

  FixedMode       mode;
  BbLocation      location;
  BbLocationError code;
  guint           asked;
};

static void bb_location_fixed_iface_init (BbLocationSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BbLocationFixed, bb_location_fixed, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BB_TYPE_LOCATION_SOURCE,
                                                      bb_location_fixed_iface_init))

static const char *
fixed_get_name (BbLocationSource *source)
{
  return _("test location");
}

/* Answers from the main loop, never inside the call, as a real source
 * would. */
static gboolean
fixed_answer (gpointer data)
{
  GTask *task = data;
  BbLocationFixed *self = g_task_get_source_object (task);

  if (g_task_return_error_if_cancelled (task))
    return G_SOURCE_REMOVE;
  if (self->mode == FIXED_ERROR)
    bb_location_task_answer (task, NULL, self->code);
  else
    bb_location_task_answer (task, &self->location, 0);
  return G_SOURCE_REMOVE;
}

static void
fixed_locate_async (BbLocationSource    *source,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  BbLocationFixed *self = BB_LOCATION_FIXED (source);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, fixed_locate_async);
  self->asked++;

  if (self->mode == FIXED_SILENT)
    {
      bb_location_task_wait (task, NULL, NULL);
      return;
    }
  g_idle_add_full (G_PRIORITY_DEFAULT, fixed_answer, g_object_ref (task), g_object_unref);
}

static gboolean
fixed_locate_finish (BbLocationSource  *source,
                     GAsyncResult      *result,
                     BbLocation        *location,
                     GError           **error)
{
  return bb_location_task_finish (result, location, error);
}

static void
bb_location_fixed_iface_init (BbLocationSourceInterface *iface)
{
  iface->get_name = fixed_get_name;
  iface->locate_async = fixed_locate_async;
  iface->locate_finish = fixed_locate_finish;
}

static void
bb_location_fixed_class_init (BbLocationFixedClass *klass)
{
}

static void
bb_location_fixed_init (BbLocationFixed *self)
{
}

BbLocationFixed *
bb_location_fixed_new (double latitude,
                       double longitude,
                       double accuracy)
{
  BbLocationFixed *self = g_object_new (BB_TYPE_LOCATION_FIXED, NULL);

  self->mode = FIXED_POSITION;
  self->location.latitude = latitude;
  self->location.longitude = longitude;
  self->location.accuracy = accuracy;
  return self;
}

BbLocationFixed *
bb_location_fixed_new_error (BbLocationError code)
{
  BbLocationFixed *self = g_object_new (BB_TYPE_LOCATION_FIXED, NULL);

  self->mode = FIXED_ERROR;
  self->code = code;
  return self;
}

BbLocationFixed *
bb_location_fixed_new_silent (void)
{
  BbLocationFixed *self = g_object_new (BB_TYPE_LOCATION_FIXED, NULL);

  self->mode = FIXED_SILENT;
  return self;
}

guint
bb_location_fixed_get_asked (BbLocationFixed *self)
{
  g_return_val_if_fail (BB_IS_LOCATION_FIXED (self), 0);
  return self->asked;
}

/* Waiting, shared by the sources: a question holds its task until it is
 * answered, timed out or cancelled, whichever comes first; the others then
 * find it answered and do nothing. */

typedef struct
{
  GTask          *task;
  guint           timeout_id;
  gulong          cancelled_id;
  GCancellable   *cancellable;
  GDestroyNotify  stop;
  gpointer        stop_data;
} Wait;

#define WAIT_KEY "bb-location-wait"
#define ANSWERED_KEY "bb-location-answered"

static void
wait_end (Wait *wait)
{
  g_clear_handle_id (&wait->timeout_id, g_source_remove);
  if (wait->cancelled_id != 0)
    g_signal_handler_disconnect (wait->cancellable, wait->cancelled_id);
  g_clear_object (&wait->cancellable);
  if (wait->stop != NULL)
    wait->stop (wait->stop_data);
  g_object_set_data (G_OBJECT (wait->task), WAIT_KEY, NULL);
  g_object_unref (wait->task);
  g_free (wait);
}

static gboolean
on_wait_timeout (gpointer data)
{
  Wait *wait = data;

  wait->timeout_id = 0;
  bb_location_task_answer (wait->task, NULL, BB_LOCATION_ERROR_TIMED_OUT);
  return G_SOURCE_REMOVE;
}

static gboolean
on_wait_cancelled_idle (gpointer data)
{
  GTask *task = data;
  Wait *wait = g_object_get_data (G_OBJECT (task), WAIT_KEY);

  if (!bb_location_task_is_answered (task))
    {
      g_object_set_data (G_OBJECT (task), ANSWERED_KEY, GINT_TO_POINTER (1));
      g_task_return_error_if_cancelled (task);
    }
  if (wait != NULL)
    wait_end (wait);
  return G_SOURCE_REMOVE;
}

static void
on_wait_cancelled (GCancellable *cancellable,
                   gpointer      data)
{
  Wait *wait = data;

  /* Not inside the cancellable's own signal, whose handler ending the wait
   * would disconnect. */
  g_idle_add_full (G_PRIORITY_DEFAULT, on_wait_cancelled_idle,
                   g_object_ref (wait->task), g_object_unref);
}

void
bb_location_task_wait (GTask          *task,
                       GDestroyNotify  stop,
                       gpointer        stop_data)
{
  Wait *wait = g_new0 (Wait, 1);
  GCancellable *cancellable = g_task_get_cancellable (task);

  wait->task = g_object_ref (task);
  wait->stop = stop;
  wait->stop_data = stop_data;
  wait->timeout_id = g_timeout_add_seconds (timeout_seconds, on_wait_timeout, wait);
  if (cancellable != NULL)
    {
      wait->cancellable = g_object_ref (cancellable);
      wait->cancelled_id = g_signal_connect (cancellable, "cancelled",
                                             G_CALLBACK (on_wait_cancelled), wait);
    }
  g_object_set_data (G_OBJECT (task), WAIT_KEY, wait);
  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    on_wait_cancelled (cancellable, wait);
}

gboolean
bb_location_task_is_answered (GTask *task)
{
  return g_object_get_data (G_OBJECT (task), ANSWERED_KEY) != NULL;
}

void
bb_location_task_answer (GTask            *task,
                         const BbLocation *location,
                         int               code)
{
  Wait *wait;

  if (bb_location_task_is_answered (task))
    return;
  g_object_set_data (G_OBJECT (task), ANSWERED_KEY, GINT_TO_POINTER (1));
  if (location != NULL)
    g_task_return_pointer (task, g_memdup2 (location, sizeof *location), g_free);
  else
    bb_location_task_return_error (task, code);

  wait = g_object_get_data (G_OBJECT (task), WAIT_KEY);
  if (wait != NULL)
    wait_end (wait);
}

gboolean
bb_location_task_finish (GAsyncResult  *result,
                         BbLocation    *location,
                         GError       **error)
{
  g_autofree BbLocation *found = g_task_propagate_pointer (G_TASK (result), error);

  if (found == NULL)
    return FALSE;
  *location = *found;
  return TRUE;
}
