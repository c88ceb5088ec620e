/* bb-tile-source.c: map tiles from the profile's tile server, kept on disk
 *
 * A tile is looked for on the disk first (ShumateFileCache, under the
 * user's cache directory); one younger than a week is used as it is. An
 * older one, or none, is asked of the server, with the tile's ETag so an
 * unchanged tile costs a 304. When the server cannot be reached the tile
 * on the disk is used however old, and the source says it is offline, so
 * the map can say it shows what was kept. Patrols are often without
 * signal: a map seen at the station still works in the street.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-map"

#include "config.h"

#include <libsoup/soup.h>

#include "bb-tile-source.h"

/* A tile is refreshed when it is older than this. */
#define TILE_FRESH_SECONDS (7 * 24 * 3600)
/* The cache may use this much disk (bytes); ShumateFileCache drops the
 * least recently used tiles beyond it. */
#define TILE_CACHE_BYTES (200 * 1000 * 1000)

struct _BbTileSource
{
  ShumateDataSource  parent_instance;

  char              *url_template;
  ShumateFileCache  *cache;
  SoupSession       *session;
  gboolean           offline;
  guint              n_fetched;
  guint              n_from_cache;
  guint              n_missing;
};

G_DEFINE_FINAL_TYPE (BbTileSource, bb_tile_source, SHUMATE_TYPE_DATA_SOURCE)

enum {
  PROP_0,
  PROP_OFFLINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  int         x, y, z;
  GBytes     *cached;
  char       *etag;
  SoupMessage *message;
} TileRequest;

static void
tile_request_free (gpointer data)
{
  TileRequest *request = data;

  g_clear_pointer (&request->cached, g_bytes_unref);
  g_free (request->etag);
  g_clear_object (&request->message);
  g_free (request);
}

static void
set_offline (BbTileSource *self,
             gboolean      offline)
{
  if (self->offline == offline)
    return;
  self->offline = offline;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE]);
}

static char *
tile_url (BbTileSource *self,
          int           x,
          int           y,
          int           z)
{
  GString *url = g_string_new (self->url_template);
  char number[16];

  g_snprintf (number, sizeof number, "%d", x);
  g_string_replace (url, "{x}", number, 0);
  g_snprintf (number, sizeof number, "%d", y);
  g_string_replace (url, "{y}", number, 0);
  g_snprintf (number, sizeof number, "%d", z);
  g_string_replace (url, "{z}", number, 0);
  return g_string_free (url, FALSE);
}

/* libshumate 1.0's raster renderer draws what "received-data" brings; the
 * task's result only says the tile is done. */
static void
return_tile (GTask  *task,
             GBytes *bytes)
{
  BbTileSource *self = g_task_get_source_object (task);
  TileRequest *request = g_task_get_task_data (task);

  g_signal_emit_by_name (self, "received-data", request->x, request->y, request->z, bytes);
  g_task_return_pointer (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
}

/* The server could not give the tile: the one on the disk, if any. */
static void
fall_back (GTask        *task,
           const char   *why)
{
  BbTileSource *self = g_task_get_source_object (task);
  TileRequest *request = g_task_get_task_data (task);

  set_offline (self, TRUE);
  if (request->cached != NULL)
    {
      self->n_from_cache++;
      return_tile (task, request->cached);
      return;
    }
  self->n_missing++;
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE,
                           "tile %d/%d/%d: %s", request->z, request->x, request->y, why);
}

static void
on_stored (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!shumate_file_cache_store_tile_finish (SHUMATE_FILE_CACHE (object), result, &error))
    g_debug ("A tile was not kept on the disk: %s", error->message);
}

static void
on_fetched (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BbTileSource *self = g_task_get_source_object (task);
  TileRequest *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  guint status;

  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      fall_back (task, error->message);
      return;
    }

  status = soup_message_get_status (request->message);
  if (status == SOUP_STATUS_NOT_MODIFIED && request->cached != NULL)
    {
      shumate_file_cache_mark_up_to_date (self->cache, request->x, request->y, request->z);
      set_offline (self, FALSE);
      self->n_from_cache++;
      return_tile (task, request->cached);
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autofree char *why = g_strdup_printf ("HTTP %u", status);

      fall_back (task, why);
      return;
    }

  set_offline (self, FALSE);
  self->n_fetched++;
  shumate_file_cache_store_tile_async (self->cache, request->x, request->y, request->z, bytes,
                                       soup_message_headers_get_one (
                                         soup_message_get_response_headers (request->message), "ETag"),
                                       NULL, on_stored, NULL);
  return_tile (task, bytes);
}

static void
on_cache_read (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BbTileSource *self = g_task_get_source_object (task);
  TileRequest *request = g_task_get_task_data (task);
  g_autoptr(GDateTime) modified = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *url = NULL;
  GCancellable *cancellable;

  request->cached = shumate_file_cache_get_tile_finish (SHUMATE_FILE_CACHE (object), &request->etag,
                                                        &modified, result, NULL);
  if (request->cached != NULL && modified != NULL
      && g_date_time_difference (now, modified) < TILE_FRESH_SECONDS * G_TIME_SPAN_SECOND)
    {
      self->n_from_cache++;
      return_tile (task, request->cached);
      return;
    }

  url = tile_url (self, request->x, request->y, request->z);
  request->message = soup_message_new (SOUP_METHOD_GET, url);
  if (request->message == NULL)
    {
      fall_back (task, "not a valid address");
      return;
    }
  if (request->cached != NULL && request->etag != NULL)
    soup_message_headers_append (soup_message_get_request_headers (request->message),
                                 "If-None-Match", request->etag);
  cancellable = g_task_get_cancellable (task);
  soup_session_send_and_read_async (self->session, request->message, G_PRIORITY_DEFAULT,
                                    cancellable, on_fetched, g_steal_pointer (&task));
}

static void
get_tile_data_async (ShumateDataSource   *source,
                     int                  x,
                     int                  y,
                     int                  zoom_level,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  BbTileSource *self = BB_TILE_SOURCE (source);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  TileRequest *request = g_new0 (TileRequest, 1);

  g_task_set_source_tag (task, get_tile_data_async);
  request->x = x;
  request->y = y;
  request->z = zoom_level;
  g_task_set_task_data (task, request, tile_request_free);

  shumate_file_cache_get_tile_async (self->cache, x, y, zoom_level, cancellable,
                                     on_cache_read, g_steal_pointer (&task));
}

static GBytes *
get_tile_data_finish (ShumateDataSource  *source,
                      GAsyncResult       *result,
                      GError            **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
bb_tile_source_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BbTileSource *self = BB_TILE_SOURCE (object);

  switch (prop_id)
    {
    case PROP_OFFLINE:
      g_value_set_boolean (value, self->offline);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bb_tile_source_finalize (GObject *object)
{
  BbTileSource *self = BB_TILE_SOURCE (object);

  g_free (self->url_template);
  g_clear_object (&self->cache);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (bb_tile_source_parent_class)->finalize (object);
}

static void
bb_tile_source_class_init (BbTileSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ShumateDataSourceClass *source_class = SHUMATE_DATA_SOURCE_CLASS (klass);

  object_class->get_property = bb_tile_source_get_property;
  object_class->finalize = bb_tile_source_finalize;
  source_class->get_tile_data_async = get_tile_data_async;
  source_class->get_tile_data_finish = get_tile_data_finish;

  properties[PROP_OFFLINE] =
    g_param_spec_boolean ("offline", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bb_tile_source_init (BbTileSource *self)
{
}

char *
bb_tile_source_dup_default_cache_dir (void)
{
  return g_build_filename (g_get_user_cache_dir (), "beatbook", "tiles", NULL);
}

BbTileSource *
bb_tile_source_new (const char *url_template,
                    const char *cache_dir)
{
  BbTileSource *self;
  g_autofree char *key = NULL;
  g_autofree char *user_agent = NULL;

  g_return_val_if_fail (url_template != NULL, NULL);
  g_return_val_if_fail (cache_dir != NULL, NULL);

  self = g_object_new (BB_TYPE_TILE_SOURCE, NULL);
  self->url_template = g_strdup (url_template);
  /* Each tile server's tiles apart, in one file. */
  key = g_strcanon (g_strdup (url_template),
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", '_');
  self->cache = shumate_file_cache_new_full (TILE_CACHE_BYTES, key, cache_dir);
  /* Tile servers ask every client to say who it is. */
  user_agent = g_strdup_printf ("Beatbook/%s (libshumate)", PACKAGE_VERSION);
  self->session = soup_session_new_with_options ("user-agent", user_agent,
                                                 "max-conns-per-host", 4,
                                                 "timeout", 20,
                                                 NULL);
  return self;
}

gboolean
bb_tile_source_get_offline (BbTileSource *self)
{
  g_return_val_if_fail (BB_IS_TILE_SOURCE (self), FALSE);
  return self->offline;
}

guint
bb_tile_source_get_n_fetched (BbTileSource *self)
{
  g_return_val_if_fail (BB_IS_TILE_SOURCE (self), 0);
  return self->n_fetched;
}

guint
bb_tile_source_get_n_from_cache (BbTileSource *self)
{
  g_return_val_if_fail (BB_IS_TILE_SOURCE (self), 0);
  return self->n_from_cache;
}

guint
bb_tile_source_get_n_missing (BbTileSource *self)
{
  g_return_val_if_fail (BB_IS_TILE_SOURCE (self), 0);
  return self->n_missing;
}
