/* test-map.c: maps from a tile server on loopback, under Xvfb
 *
 * A SoupServer in the test serves generated PNG tiles and counts what it
 * is asked. The profile is tests/profiles/testshire.json (made-up wards
 * near 0° N 0° E, test data) with a `map` pointing at that server; tiles
 * are kept in a temporary $XDG_CACHE_HOME.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "bb-map.h"
#include "bb-record-view.h"
#include "bb-review-view.h"
#include "test-files.h"

static char *tmp_dir;
static char *profile_path;
static SoupServer *server;
static guint tile_requests;
static GBytes *tile_png;

/* The tile server */

static cairo_status_t
append_png (void                *closure,
            const unsigned char *data,
            unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static GBytes *
make_tile (void)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 256, 256);
  cairo_t *cr = cairo_create (surface);
  GByteArray *png = g_byte_array_new ();

  cairo_set_source_rgb (cr, 0.87, 0.91, 0.84);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, 6);
  cairo_move_to (cr, 0, 128);
  cairo_line_to (cr, 256, 128);
  cairo_stroke (cr);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png_stream (surface, append_png, png), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  return g_byte_array_free_to_bytes (png);
}

static void
on_tile_request (SoupServer        *soup_server,
                 SoupServerMessage *message,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  int z, x, y;
  char tail[8] = "";

  if (sscanf (path, "/%d/%d/%d%7s", &z, &x, &y, tail) != 4 || g_strcmp0 (tail, ".png") != 0
      || z < 0 || z > 22 || x < 0 || y < 0 || x >= (1 << z) || y >= (1 << z))
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  tile_requests++;
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "image/png", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (tile_png, NULL),
                                    g_bytes_get_size (tile_png));
}

static guint
start_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  guint port;

  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, "/", on_tile_request, NULL, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  port = g_uri_get_port (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  return port;
}

/* testshire.json with `map` on the loopback server, beside a copy of its
 * boundaries. */
static void
write_profile (guint port)
{
  g_autofree char *source = g_test_build_filename (G_TEST_DIST, "profiles", "testshire.json", NULL);
  g_autofree char *geo_source = g_test_build_filename (G_TEST_DIST, "profiles",
                                                       "testshire-wards.geojson", NULL);
  g_autofree char *geo_text = NULL;
  g_autofree char *geo_copy = g_build_filename (tmp_dir, "testshire-wards.geojson", NULL);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/{z}/{x}/{y}.png", port);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *map = json_object_new ();

  g_assert_true (g_file_get_contents (geo_source, &geo_text, NULL, NULL));
  g_assert_true (g_file_set_contents (geo_copy, geo_text, -1, NULL));
  json_parser_load_from_file (parser, source, &error);
  g_assert_no_error (error);
  json_object_set_string_member (map, "tile_url", url);
  json_object_set_string_member (map, "attribution", "Test tiles (generated)");
  json_object_set_int_member (map, "max_zoom", 18);
  json_object_set_object_member (json_node_get_object (json_parser_get_root (parser)), "map", map);
  json_generator_set_root (generator, json_parser_get_root (parser));
  profile_path = g_build_filename (tmp_dir, "testshire.json", NULL);
  g_assert_true (json_generator_to_file (generator, profile_path, &error));
  g_assert_no_error (error);
}

/* Helpers */

typedef gboolean (*Condition) (gpointer data);

/* Runs the main loop until @condition holds. The bound is only against a
 * hang (a broken build waits for ever); nothing is timed. */
static void
wait_until (Condition   condition,
            gpointer    data,
            const char *what)
{
  gint64 give_up = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > give_up)
        g_error ("still waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  /* Let the frame that shows it be drawn. */
  for (int i = 0; i < 20; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

static gboolean
tiles_shown (gpointer data)
{
  BbTileSource *tiles = bb_map_get_tile_source (data);

  return tiles != NULL && bb_tile_source_get_n_fetched (tiles) + bb_tile_source_get_n_from_cache (tiles) >= 4;
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The mark is on screen, inside the map, drawn at a size a finger hits. */
static void
assert_drawn_inside (GtkWidget *mark,
                     BbMap     *map)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_get_mapped (mark));
  g_assert_true (gtk_widget_compute_bounds (mark, GTK_WIDGET (map), &bounds));
  g_assert_cmpfloat (bounds.size.width, >=, 24);
  g_assert_cmpfloat (bounds.size.height, >=, 24);
  g_assert_cmpfloat (bounds.origin.x, >=, 0);
  g_assert_cmpfloat (bounds.origin.y, >=, 0);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (GTK_WIDGET (map)));
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, gtk_widget_get_height (GTK_WIDGET (map)));
}

static BbRecord *
save_record (BbSession  *session,
             const char *kind,
             const char *fields_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (fields_json, &error);
  g_autoptr(BbRecord) record = bb_record_new (kind);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) earlier = g_date_time_add_hours (now, -2);
  g_autofree char *at = g_date_time_format_iso8601 (earlier);
  g_autoptr(GPtrArray) problems = NULL;

  g_assert_no_error (error);
  bb_record_set_occurred_at (record, at);
  bb_record_set_priority (record, 2);
  bb_record_set_fields (record, json_node_get_object (node));
  if (!bb_session_save_record (session, record, &problems, &error))
    g_error ("not saved: %s", error != NULL ? error->message : "invalid");
  return g_steal_pointer (&record);
}

typedef struct
{
  char      *dir;
  BbSession *session;
  GtkWidget *window;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("beatbook-map-XXXXXX", &error);
  g_assert_no_error (error);
  f->session = bb_session_new (f->dir, &error);
  g_assert_no_error (error);
  bb_session_set_identity (f->session, "Sergeant (supervisor)", BB_ROLE_SUPERVISOR, "S 1024", &error);
  g_assert_no_error (error);
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 720);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->session);
  bb_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* The record view */

static void
test_record_view_shows_the_point (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(BbRecord) record = save_record (f->session, BB_KIND_PATROL_OBSERVATION,
                                            "{\"ward\": \"south\", \"place\": \"Behind the shops\","
                                            " \"lat\": 0.005, \"lon\": 0.005,"
                                            " \"category\": \"asb_youths\", \"description\": \"Bins alight\"}");
  GtkWidget *view = bb_record_view_new ();
  g_autoptr(GPtrArray) marks = NULL;
  g_autofree char *text = NULL;
  guint before = tile_requests;
  BbMap *map;
  char **ids;

  gtk_window_set_child (GTK_WINDOW (f->window), view);
  gtk_window_present (GTK_WINDOW (f->window));
  bb_record_view_set_record (BB_RECORD_VIEW (view), record, bb_session_get_profile (f->session));

  map = BB_MAP (find_widget (view, BB_TYPE_MAP));
  g_assert_nonnull (map);
  text = bb_record_view_dup_text (BB_RECORD_VIEW (view));
  g_assert_nonnull (strstr (text, "[Map]"));
  wait_until (tiles_shown, map, "the record view's tiles");

  /* Asked of the loopback server, and kept on the disk. */
  g_assert_cmpuint (tile_requests, >, before);
  g_assert_cmpuint (bb_tile_source_get_n_fetched (bb_map_get_tile_source (map)), >, 0);
  g_assert_false (bb_tile_source_get_offline (bb_map_get_tile_source (map)));
  {
    g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "beatbook", "tiles",
                                               "cache.db", NULL);

    g_assert_true (g_file_test (cache, G_FILE_TEST_IS_REGULAR));
  }

  marks = bb_map_get_marker_buttons (map);
  g_assert_cmpuint (marks->len, ==, 1);
  ids = g_object_get_data (g_ptr_array_index (marks, 0), "bb-map-ids");
  g_assert_cmpstr (ids[0], ==, bb_record_get_id (record));
  g_assert_null (ids[1]);
  g_assert_true (gtk_widget_has_css_class (g_ptr_array_index (marks, 0), "bb-map-observation"));
  assert_drawn_inside (g_ptr_array_index (marks, 0), map);
}

static void
test_no_point_or_no_tiles_no_map (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(BbRecord) without = save_record (f->session, BB_KIND_PATROL_OBSERVATION,
                                             "{\"ward\": \"south\", \"place\": \"Somewhere\","
                                             " \"category\": \"asb_youths\", \"description\": \"No point\"}");
  g_autoptr(BbRecord) with = save_record (f->session, BB_KIND_PATROL_OBSERVATION,
                                          "{\"ward\": \"south\", \"lat\": 0.005, \"lon\": 0.005,"
                                          " \"category\": \"asb_youths\", \"description\": \"A point\"}");
  g_autoptr(GError) error = NULL;
  g_autofree char *dartford_path = g_test_build_filename (G_TEST_DIST, "..", "data", "profiles",
                                                          "dartford.json", NULL);
  g_autoptr(BbProfile) dartford = bb_profile_new_from_file (dartford_path, &error);
  GtkWidget *view = bb_record_view_new ();
  GtkWidget *map;

  g_assert_no_error (error);
  gtk_window_set_child (GTK_WINDOW (f->window), view);
  gtk_window_present (GTK_WINDOW (f->window));

  /* No point: no map. */
  bb_record_view_set_record (BB_RECORD_VIEW (view), without, bb_session_get_profile (f->session));
  map = find_widget (view, BB_TYPE_MAP);
  g_assert_true (map == NULL || !gtk_widget_get_parent (map));

  /* A profile without `map`: no map, and the rest is shown as ever. */
  bb_record_view_set_record (BB_RECORD_VIEW (view), with, dartford);
  g_assert_null (find_widget (view, BB_TYPE_MAP));
  {
    g_autofree char *text = bb_record_view_dup_text (BB_RECORD_VIEW (view));

    g_assert_null (strstr (text, "[Map]"));
    g_assert_nonnull (strstr (text, "0.005"));
  }
}

/* The supervisors' review */

static gboolean
marks_count (gpointer data)
{
  g_autoptr(GPtrArray) marks = bb_map_get_marker_buttons (data);

  return marks->len > 0;
}

static GtkWidget *
mark_with_ids (BbMap *map,
               guint  n_ids)
{
  g_autoptr(GPtrArray) marks = bb_map_get_marker_buttons (map);

  for (guint i = 0; i < marks->len; i++)
    {
      char **ids = g_object_get_data (g_ptr_array_index (marks, i), "bb-map-ids");

      if (g_strv_length (ids) == n_ids)
        return g_ptr_array_index (marks, i);
    }
  return NULL;
}

static void
test_review_map (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(BbRecord) a = NULL;
  g_autoptr(BbRecord) event = NULL;
  g_autoptr(BbRecord) far = NULL;
  GtkWidget *review;
  GtkWidget *kind_drop;
  BbMap *map;
  GtkWidget *group, *single;
  g_autoptr(GPtrArray) marks = NULL;
  ShumateViewport *viewport;
  double zoom;

  /* Three reports within about 20 m: one mark with their number. */
  a = save_record (f->session, BB_KIND_PATROL_OBSERVATION,
                   "{\"ward\": \"south\", \"place\": \"Shops\", \"lat\": 0.0050, \"lon\": 0.0050,"
                   " \"category\": \"asb_youths\", \"description\": \"One\"}");
  g_object_unref (save_record (f->session, BB_KIND_PATROL_OBSERVATION,
                               "{\"ward\": \"south\", \"place\": \"Shops\", \"lat\": 0.0051, \"lon\": 0.0051,"
                               " \"category\": \"asb_youths\", \"description\": \"Two\"}"));
  g_object_unref (save_record (f->session, BB_KIND_PATROL_OBSERVATION,
                               "{\"ward\": \"south\", \"place\": \"Shops\", \"lat\": 0.0052, \"lon\": 0.0050,"
                               " \"category\": \"asb_youths\", \"description\": \"Three\"}"));
  far = save_record (f->session, BB_KIND_PATROL_OBSERVATION,
                     "{\"ward\": \"east\", \"place\": \"Island\", \"lat\": 0.005, \"lon\": 0.035,"
                     " \"category\": \"asb_youths\", \"description\": \"Far\"}");
  event = save_record (f->session, BB_KIND_ENGAGEMENT_EVENT,
                       "{\"ward\": \"north\", \"place\": \"Hall\", \"lat\": 0.015, \"lon\": 0.002,"
                       " \"event_type\": \"street_briefing\", \"title\": \"Street briefing\", \"attendees\": 5}");
  /* No point: counted, not on the map. */
  g_object_unref (save_record (f->session, BB_KIND_PATROL_OBSERVATION,
                               "{\"ward\": \"south\", \"place\": \"Unknown\","
                               " \"category\": \"asb_youths\", \"description\": \"Nowhere\"}"));

  review = bb_review_view_new (f->session);
  gtk_window_set_child (GTK_WINDOW (f->window), review);
  gtk_window_present (GTK_WINDOW (f->window));
  map = BB_MAP (bb_review_view_get_map (BB_REVIEW_VIEW (review)));
  g_assert_nonnull (map);
  g_assert_true (bb_review_view_set_show_map (BB_REVIEW_VIEW (review), TRUE));
  g_assert_cmpstr (bb_review_view_get_count_text (BB_REVIEW_VIEW (review)), ==, "6 records, 5 on the map");
  wait_until (tiles_shown, map, "the review map's tiles");
  wait_until (marks_count, map, "the review map's marks");

  /* Coloured (and lettered) by kind; the close three are one group. */
  group = mark_with_ids (map, 3);
  g_assert_nonnull (group);
  g_assert_true (gtk_widget_has_css_class (group, "bb-map-group"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (group)))), ==, "3");
  assert_drawn_inside (group, map);
  marks = bb_map_get_marker_buttons (map);
  g_assert_cmpuint (marks->len, ==, 3);
  for (guint i = 0; i < marks->len; i++)
    {
      GtkWidget *mark = g_ptr_array_index (marks, i);
      char **ids = g_object_get_data (G_OBJECT (mark), "bb-map-ids");

      assert_drawn_inside (mark, map);
      if (g_strcmp0 (ids[0], bb_record_get_id (event)) == 0)
        {
          g_assert_true (gtk_widget_has_css_class (mark, "bb-map-engagement"));
          g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (mark)))), ==, "E");
        }
      else if (g_strcmp0 (ids[0], bb_record_get_id (far)) == 0)
        g_assert_true (gtk_widget_has_css_class (mark, "bb-map-observation"));
    }
  g_clear_pointer (&marks, g_ptr_array_unref);

  /* Clicking a mark opens its record. */
  single = mark_with_ids (map, 1);
  g_signal_emit_by_name (single, "clicked");
  g_assert_nonnull (bb_review_view_get_record (BB_REVIEW_VIEW (review)));
  g_assert_cmpstr (bb_record_get_id (bb_review_view_get_record (BB_REVIEW_VIEW (review))), ==,
                   ((char **) g_object_get_data (G_OBJECT (single), "bb-map-ids"))[0]);

  /* Clicking a group comes closer. */
  viewport = shumate_map_get_viewport (bb_map_get_map (map));
  zoom = shumate_viewport_get_zoom_level (viewport);
  g_signal_emit_by_name (group, "clicked");
  {
    gint64 give_up = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    while (shumate_viewport_get_zoom_level (viewport) <= zoom && g_get_monotonic_time () < give_up)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_cmpfloat (shumate_viewport_get_zoom_level (viewport), >, zoom);

  /* Filtered like the list: engagement events only. */
  kind_drop = bb_review_view_get_filter_widget (BB_REVIEW_VIEW (review), "kind");
  {
    GListModel *model = gtk_drop_down_get_model (GTK_DROP_DOWN (kind_drop));
    guint position = GTK_INVALID_LIST_POSITION;

    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i),
                     _(bb_kind_lookup (BB_KIND_ENGAGEMENT_EVENT)->plural_label)) == 0)
        position = i;
    g_assert_cmpuint (position, !=, GTK_INVALID_LIST_POSITION);
    gtk_drop_down_set_selected (GTK_DROP_DOWN (kind_drop), position);
  }
  g_assert_cmpstr (bb_review_view_get_count_text (BB_REVIEW_VIEW (review)), ==, "1 record, 1 on the map");
  marks = bb_map_get_marker_buttons (map);
  g_assert_cmpuint (marks->len, ==, 1);
  g_assert_true (gtk_widget_has_css_class (g_ptr_array_index (marks, 0), "bb-map-engagement"));

  /* The legend says each kind in words. */
  {
    GtkWidget *legend = find_widget (GTK_WIDGET (map), GTK_TYPE_FLOW_BOX);
    GString *words = g_string_new (NULL);
    GtkWidget *stack[64];
    int top = 0;

    g_assert_true (gtk_widget_get_visible (legend));
    stack[top++] = legend;
    while (top > 0)
      {
        GtkWidget *widget = stack[--top];

        if (GTK_IS_LABEL (widget))
          g_string_append_printf (words, "%s|", gtk_label_get_text (GTK_LABEL (widget)));
        for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL && top < 63;
             child = gtk_widget_get_next_sibling (child))
          stack[top++] = child;
      }
    for (const BbKindSpec * const *kind = bb_kind_all (); *kind != NULL; kind++)
      if (strstr (words->str, bb_kind_get_label (*kind)) == NULL)
        g_error ("the legend does not name “%s”: %s", bb_kind_get_label (*kind), words->str);
    g_string_free (words, TRUE);
  }
}

/* Offline */

static gboolean
offline_known (gpointer data)
{
  return bb_tile_source_get_offline (bb_map_get_tile_source (data));
}

static GtkWidget *
offline_notice (BbMap *map)
{
  GtkWidget *stack[256];
  int top = 0;

  stack[top++] = GTK_WIDGET (map);
  while (top > 0)
    {
      GtkWidget *widget = stack[--top];

      if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "bb-map-offline"))
        return widget;
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL && top < 255;
           child = gtk_widget_get_next_sibling (child))
        stack[top++] = child;
    }
  return NULL;
}

/* More records than the map shows: the newest are shown, and the count
 * says there are more instead of giving the cap as the number. */
static void
test_review_map_says_when_there_are_more (Fixture       *f,
                                          gconstpointer  data)
{
  g_autoptr(BbStoreImport) import = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *review;
  const guint n = 5001;

  import = bb_store_import_begin (bb_session_get_store (f->session), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BbRecord) record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
      g_autoptr(JsonObject) fields = json_object_new ();
      g_autofree char *at = g_strdup_printf ("2026-%02u-%02uT%02u:%02u:00Z",
                                             1 + i % 11, 1 + i % 28, i % 24, i % 60);

      json_object_set_string_member (fields, "ward", "south");
      json_object_set_string_member (fields, "place", "Shops");
      json_object_set_double_member (fields, "lat", 0.005 + (i % 50) * 0.0002);
      json_object_set_double_member (fields, "lon", 0.005 + (i / 50) * 0.0002);
      json_object_set_string_member (fields, "category", "asb_youths");
      json_object_set_string_member (fields, "description", "Many");
      bb_record_set_fields (record, fields);
      bb_record_set_occurred_at (record, at);
      bb_record_set_priority (record, 2);
      bb_record_set_author (record, "user-1", "PC 1", "officer");
      g_assert_true (bb_store_import_add (import, record, &error));
      g_assert_no_error (error);
    }
  g_assert_true (bb_store_import_commit (g_steal_pointer (&import), &error));
  g_assert_no_error (error);

  review = bb_review_view_new (f->session);
  gtk_window_set_child (GTK_WINDOW (f->window), review);
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (bb_review_view_set_show_map (BB_REVIEW_VIEW (review), TRUE));
  g_assert_cmpstr (bb_review_view_get_count_text (BB_REVIEW_VIEW (review)), ==,
                   "More than 5000 records: the newest 5000, 5000 of them on the map");
}

static void
test_offline_uses_the_tiles_kept (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(BbRecord) record = save_record (f->session, BB_KIND_PATROL_OBSERVATION,
                                            "{\"ward\": \"south\", \"lat\": 0.005, \"lon\": 0.005,"
                                            " \"category\": \"asb_youths\", \"description\": \"Again\"}");
  GtkWidget *view = bb_record_view_new ();
  guint before;
  BbMap *map;
  BbTileSource *tiles;
  ShumateViewport *viewport;
  g_autoptr(GPtrArray) marks = NULL;

  /* The first test saw this place online; now the server is gone. */
  soup_server_disconnect (server);
  before = tile_requests;

  gtk_window_set_child (GTK_WINDOW (f->window), view);
  gtk_window_present (GTK_WINDOW (f->window));
  bb_record_view_set_record (BB_RECORD_VIEW (view), record, bb_session_get_profile (f->session));
  map = BB_MAP (find_widget (view, BB_TYPE_MAP));
  tiles = bb_map_get_tile_source (map);
  wait_until (tiles_shown, map, "tiles from the disk");
  g_assert_cmpuint (bb_tile_source_get_n_from_cache (tiles), >=, 4);
  g_assert_cmpuint (bb_tile_source_get_n_fetched (tiles), ==, 0);
  g_assert_cmpuint (tile_requests, ==, before);
  marks = bb_map_get_marker_buttons (map);
  g_assert_cmpuint (marks->len, ==, 1);
  assert_drawn_inside (g_ptr_array_index (marks, 0), map);

  /* Closer in, where nothing was kept: the map says it is offline, the
   * mark stays. */
  viewport = shumate_map_get_viewport (bb_map_get_map (map));
  shumate_viewport_set_zoom_level (viewport, shumate_viewport_get_zoom_level (viewport) + 2);
  wait_until (offline_known, map, "the map to notice it is offline");
  g_assert_cmpuint (bb_tile_source_get_n_missing (tiles), >, 0);
  g_assert_true (gtk_widget_get_visible (offline_notice (map)));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (offline_notice (map))), "Offline"));
  g_clear_pointer (&marks, g_ptr_array_unref);
  marks = bb_map_get_marker_buttons (map);
  g_assert_cmpuint (marks->len, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = NULL;
  int status;

  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
  /* Before anything reads it: GLib keeps the first answer. */
  tmp_dir = g_dir_make_tmp ("beatbook-map-test-XXXXXX", NULL);
  cache = g_build_filename (tmp_dir, "cache", NULL);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      g_printerr ("test-map: no display, skipping (run under xvfb-run -a)\n");
      return 77;
    }
  adw_init ();

  tile_png = make_tile ();
  write_profile (start_server ());
  g_setenv ("BEATBOOK_PROFILE", profile_path, TRUE);

#define ADD(path, func) g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)
  ADD ("/map/record-view/shows-the-point-on-tiles-from-the-server", test_record_view_shows_the_point);
  ADD ("/map/record-view/no-point-or-no-tile-source-means-no-map", test_no_point_or_no_tiles_no_map);
  ADD ("/map/review/marks-by-kind-grouped-filtered-and-opening-the-record", test_review_map);
  ADD ("/map/review/says-when-there-are-more-than-it-shows", test_review_map_says_when_there_are_more);
  /* Last: it takes the server down. */
  ADD ("/map/offline/uses-the-tiles-kept-and-says-so", test_offline_uses_the_tiles_kept);
#undef ADD

  status = g_test_run ();

  g_clear_object (&server);
  g_bytes_unref (tile_png);
  bb_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (profile_path);
  return status;
}
