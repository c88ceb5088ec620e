/* test-evidence-ui.c: photos in the editor, as a person attaches them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <cairo.h>
#include <math.h>
#include <glib/gstdio.h>
#include <string.h>

#include "bb-attachment-strip.h"
#include "bb-attachments-row.h"
#include "bb-choice-row.h"
#include "bb-editor.h"
#include "bb-photo-viewer.h"
#include "test-files.h"

typedef struct
{
  char      *dir;
  BbSession *session;
  GtkWidget *window;
  BbEditor  *editor;
} Fixture;

static gboolean
set_true (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until @done says so, for at most @ms. */
static gboolean
wait_for (gboolean (*done) (gpointer),
          gpointer   data,
          guint      ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (ms, set_true, &timed_out);

  while (!done (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return done (data);
}

static cairo_status_t
append_bytes (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* A real PNG: a fly-tip the colour of a mattress, @width by @height. */
static GBytes *
make_png (int width,
          int height)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);
  GByteArray *out = g_byte_array_new ();

  cairo_set_source_rgb (cr, 0.35, 0.55, 0.3);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.85, 0.8, 0.6);
  cairo_rectangle (cr, width / 4.0, height / 3.0, width / 2.0, height / 3.0);
  cairo_fill (cr);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png_stream (surface, append_bytes, out), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  return g_byte_array_free_to_bytes (out);
}

/* A real photo-sized PNG of noise, which does not compress: about @mib
 * MiB, written as @path. */
static void
write_noise_png (const char *path,
                 guint       mib)
{
  int side = (int) sqrt (mib * 1024.0 * 1024.0 / 3.0);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, side, side);
  guint32 *pixels = (guint32 *) cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface) / 4;
  guint32 state = 2463534242u;

  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++)
      {
        /* xorshift: fast, and nothing zlib can squeeze. */
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        pixels[y * stride + x] = state & 0xffffff;
      }
  cairo_surface_mark_dirty (surface);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type,
             const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type) &&
          (label == NULL || (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0)))
        return child;
      found = find_widget (child, type, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("beatbook-evidence-ui-XXXXXX", &error);
  g_assert_no_error (error);
  f->session = bb_session_new (f->dir, &error);
  g_assert_no_error (error);
  bb_session_set_identity (f->session, "Warden 17", BB_ROLE_WARDEN, "W17", &error);
  g_assert_no_error (error);

  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 800, 700);
  f->editor = bb_editor_new (f->session, BB_KIND_PATROL_OBSERVATION, NULL, NULL, NULL);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->editor));
  gtk_window_present (GTK_WINDOW (f->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
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

static BbAttachmentsRow *
row_of (Fixture *f)
{
  GtkWidget *row = find_widget (GTK_WIDGET (f->editor), BB_TYPE_ATTACHMENTS_ROW, NULL);

  g_assert_nonnull (row);
  return BB_ATTACHMENTS_ROW (row);
}

static gboolean
row_is_idle (gpointer data)
{
  return !bb_attachments_row_get_busy (data);
}

static gboolean
one_thumbnail_shown (gpointer data)
{
  return bb_attachment_strip_count_shown (data) == 1;
}

static gboolean
two_thumbnails_shown (gpointer data)
{
  return bb_attachment_strip_count_shown (data) == 2;
}

/* The draft of the editor, as the store holds it. */
static char *
draft_json (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = NULL;

  g_assert_true (bb_editor_save_draft (f->editor, &error));
  g_assert_no_error (error);
  drafts = bb_store_list_drafts (bb_session_get_store (f->session), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (drafts->len, ==, 1);
  return g_strdup (((BbDraft *) drafts->pdata[0])->json);
}

static void
test_pasted_picture_shows_its_thumbnail (Fixture       *f,
                                         gconstpointer  data)
{
  BbAttachmentsRow *row = row_of (f);
  BbAttachmentStrip *strip = bb_attachments_row_get_strip (row);
  g_autoptr(GBytes) png = make_png (120, 80);
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *dir = bb_store_dup_evidence_dir (bb_session_get_store (f->session));
  g_autoptr(GDir) listing = NULL;
  GtkWidget *paste;
  const char *name;
  guint n_files = 0;

  texture = gdk_texture_new_from_bytes (png, &error);
  g_assert_no_error (error);
  gdk_clipboard_set_texture (gtk_widget_get_clipboard (GTK_WIDGET (row)), texture);

  paste = find_widget (GTK_WIDGET (row), GTK_TYPE_BUTTON, "_Paste");
  g_assert_nonnull (paste);
  g_signal_emit_by_name (paste, "clicked");
  g_assert_true (wait_for (one_thumbnail_shown, strip, 10000));
  g_assert_null (bb_attachments_row_get_message (row));
  g_assert_nonnull (strstr (bb_attachment_strip_get_status (strip), "waiting to upload"));

  /* Kept as PNG bytes under the hash of those bytes, listed by the draft. */
  listing = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      g_autofree char *sha = NULL;
      gsize length = 0;

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      sha = bb_evidence_sha256 ((const guint8 *) contents, length);
      g_assert_cmpstr (sha, ==, name);
      g_assert_cmpstr (bb_evidence_sniff ((const guint8 *) contents, length), ==, "image/png");
      json = draft_json (f);
      g_assert_nonnull (strstr (json, name));
      n_files++;
    }
  g_assert_cmpuint (n_files, ==, 1);
}

static void
test_dropped_file_shows_and_opens_full_size (Fixture       *f,
                                             gconstpointer  data)
{
  BbAttachmentsRow *row = row_of (f);
  BbAttachmentStrip *strip = bb_attachments_row_get_strip (row);
  g_autoptr(GBytes) first = make_png (200, 150);
  g_autoptr(GBytes) second = make_png (90, 160);
  g_autofree char *first_path = g_build_filename (f->dir, "fly-tip-1.png", NULL);
  g_autofree char *second_path = g_build_filename (f->dir, "fly-tip-2.png", NULL);
  g_autofree char *text_path = g_build_filename (f->dir, "notes.jpg", NULL);
  g_autoptr(GFile) first_file = g_file_new_for_path (first_path);
  g_autoptr(GFile) second_file = g_file_new_for_path (second_path);
  g_autoptr(GFile) text_file = g_file_new_for_path (text_path);
  g_autoptr(GList) toplevels = NULL;
  BbPhotoViewer *viewer = NULL;

  g_assert_true (g_file_set_contents (first_path, g_bytes_get_data (first, NULL), g_bytes_get_size (first), NULL));
  g_assert_true (g_file_set_contents (second_path, g_bytes_get_data (second, NULL), g_bytes_get_size (second), NULL));
  g_assert_true (g_file_set_contents (text_path, "not a photo", -1, NULL));

  /* What a drop of files does. */
  bb_attachments_row_add_file (row, first_file);
  bb_attachments_row_add_file (row, second_file);
  g_assert_true (wait_for (two_thumbnails_shown, strip, 10000));
  g_assert_true (wait_for (row_is_idle, row, 10000));

  /* A text file named .jpg is refused, and says why. */
  bb_attachments_row_add_file (row, text_file);
  g_assert_true (wait_for (row_is_idle, row, 10000));
  g_assert_nonnull (bb_attachments_row_get_message (row));
  g_assert_nonnull (strstr (bb_attachments_row_get_message (row), "notes.jpg"));
  g_assert_nonnull (strstr (bb_attachments_row_get_message (row), "not a JPEG or PNG"));
  g_assert_cmpuint (bb_attachment_strip_count_shown (strip), ==, 2);
  g_assert_cmpuint (bb_attachment_strip_count_pending (strip), ==, 0);

  /* The viewer: full size, Right and Left step, Escape closes. */
  bb_attachment_strip_open (strip, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  toplevels = gtk_window_list_toplevels ();
  for (GList *l = toplevels; l != NULL; l = l->next)
    if (BB_IS_PHOTO_VIEWER (l->data))
      viewer = l->data;
  g_assert_nonnull (viewer);
  g_assert_cmpuint (bb_photo_viewer_get_index (viewer), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (viewer), "viewer.next", NULL));
  g_assert_cmpuint (bb_photo_viewer_get_index (viewer), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (viewer), "viewer.previous", NULL));
  g_assert_cmpuint (bb_photo_viewer_get_index (viewer), ==, 0);
  g_object_add_weak_pointer (G_OBJECT (viewer), (gpointer *) &viewer);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (viewer), "viewer.close", NULL));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (viewer);

  /* Saved: the record lists both, waiting to upload. */
  {
    g_autoptr(BbRecord) record = NULL;
    g_autoptr(GPtrArray) listed = NULL;
    GtkWidget *description = bb_editor_get_field_widget (f->editor, "description");
    GtkWidget *category = bb_editor_get_field_widget (f->editor, "category");

    g_assert_nonnull (description);
    g_assert_nonnull (category);
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (description)), "Bags by the garages", -1);
    bb_choice_row_set_selected_id (BB_CHOICE_ROW (category), "nuisance_vehicle");
    bb_choice_row_set_selected_id (BB_CHOICE_ROW (bb_editor_get_field_widget (f->editor, "ward")), "town");
    if (!bb_editor_save (f->editor))
      g_error ("the record with two photos was not saved");
    record = bb_editor_get_record (f->editor) != NULL
             ? g_object_ref (bb_editor_get_record (f->editor)) : NULL;
    g_assert_nonnull (record);
    listed = bb_attachments_from_fields (bb_record_get_fields (record));
    g_assert_cmpuint (listed->len, ==, 2);
    g_assert_cmpuint (bb_store_count_record_waiting_blobs (bb_session_get_store (f->session), record), ==, 2);
  }
}

/* Files in the evidence directory, temporary ones included. */
static guint
count_evidence_files (Fixture *f)
{
  g_autofree char *dir = bb_store_dup_evidence_dir (bb_session_get_store (f->session));
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (listing != NULL && g_dir_read_name (listing) != NULL)
    n++;
  return n;
}

/* Files kept under their hash (temporary ones left out). */
static guint
count_kept_files (Fixture *f)
{
  g_autofree char *dir = bb_store_dup_evidence_dir (bb_session_get_store (f->session));
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    if (bb_evidence_sha256_is_valid (name))
      n++;
  return n;
}

/* The largest picture the strip draws, in pixels across. */
static int
widest_thumbnail (GtkWidget *widget)
{
  int widest = 0;

  if (GTK_IS_PICTURE (widget) && gtk_picture_get_paintable (GTK_PICTURE (widget)) != NULL)
    widest = gdk_paintable_get_intrinsic_width (gtk_picture_get_paintable (GTK_PICTURE (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    widest = MAX (widest, widest_thumbnail (child));
  return widest;
}

static GPtrArray *
form_attachments (Fixture *f)
{
  g_autofree char *json = bb_editor_dup_state_json (f->editor);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *state;

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  state = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (state, "fields"));
  return bb_attachments_from_fields (json_object_get_object_member (state, "fields"));
}

typedef struct
{
  BbAttachmentsRow *row;
  guint             ticks;
  guint             ticks_while_busy;
} Ticker;

static gboolean
tick (gpointer data)
{
  Ticker *ticker = data;

  ticker->ticks++;
  if (bb_attachments_row_get_busy (ticker->row))
    ticker->ticks_while_busy++;
  return G_SOURCE_CONTINUE;
}

static void
type_description (Fixture    *f,
                  const char *text)
{
  GtkWidget *description = bb_editor_get_field_widget (f->editor, "description");

  g_assert_nonnull (description);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (description)), text, -1);
}

static void
fill_required (Fixture *f)
{
  type_description (f, "Bags by the garages");
  bb_choice_row_set_selected_id (BB_CHOICE_ROW (bb_editor_get_field_widget (f->editor, "category")),
                                 "nuisance_vehicle");
  bb_choice_row_set_selected_id (BB_CHOICE_ROW (bb_editor_get_field_widget (f->editor, "ward")), "town");
}

/* The old path read, hashed and synced the file inside add_file, so nothing
 * else ran until it was in. Now the placeholder shows at once, the main
 * loop keeps turning (a timeout fires again and again) while the file is
 * copied, typing goes on, and a draft written meanwhile lists only files
 * that are in. */
static void
test_large_photo_keeps_the_editor_responsive (Fixture       *f,
                                              gconstpointer  data)
{
  BbAttachmentsRow *row = row_of (f);
  BbAttachmentStrip *strip = bb_attachments_row_get_strip (row);
  g_autofree char *path = g_build_filename (f->dir, "big-photo.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GPtrArray) listed = NULL;
  g_autofree char *json = NULL;
  Ticker ticker = { row, 0, 0 };
  guint id;

  write_noise_png (path, 19);

  id = g_timeout_add (1, tick, &ticker);
  bb_attachments_row_add_file (row, file);

  /* At once: a placeholder where the photo will be, nothing listed yet.
   * add_file returned before the file was read, hashed and synced (the old
   * path returned with it kept). */
  g_assert_cmpuint (count_kept_files (f), ==, 0);
  g_assert_true (bb_attachments_row_get_busy (row));
  g_assert_cmpuint (bb_attachment_strip_count_pending (strip), ==, 1);
  g_assert_cmpuint (bb_attachment_strip_count_shown (strip), ==, 0);

  /* Typing goes on; the draft written now lists no file. */
  type_description (f, "Mattress by the garages");
  json = draft_json (f);
  g_assert_null (strstr (json, "attachments"));
  g_assert_nonnull (strstr (json, "Mattress by the garages"));

  g_assert_true (wait_for (one_thumbnail_shown, strip, 60000));
  g_source_remove (id);

  /* The loop went on turning while the file was copied in (on the old
   * path it could not turn once before add_file returned with the file in).
   * Usually dozens of times; under a sanitizer, where each frame is slow,
   * a handful: two is what is asserted. */
  g_test_message ("%u ticks while busy, %u in all", ticker.ticks_while_busy, ticker.ticks);
  g_assert_cmpuint (ticker.ticks_while_busy, >=, 2);
  g_assert_cmpuint (bb_attachment_strip_count_pending (strip), ==, 0);
  g_assert_false (bb_attachments_row_get_busy (row));
  g_assert_null (bb_attachments_row_get_message (row));
  /* The strip draws a copy scaled in the worker, not the 2,500 px photo. */
  g_assert_cmpint (widest_thumbnail (GTK_WIDGET (strip)), >, 0);
  g_assert_cmpint (widest_thumbnail (GTK_WIDGET (strip)), <=, 192);

  listed = form_attachments (f);
  g_assert_cmpuint (listed->len, ==, 1);
  g_assert_cmpstr (((BbAttachment *) listed->pdata[0])->name, ==, "big-photo.png");
  g_clear_pointer (&json, g_free);
  json = draft_json (f);
  g_assert_nonnull (strstr (json, ((BbAttachment *) listed->pdata[0])->sha256));
  g_assert_nonnull (strstr (json, "Mattress by the garages"));
  g_assert_cmpuint (count_evidence_files (f), ==, 1);
}

/* Closing the editor mid-copy stops it: the typing is kept as a draft, no
 * file is listed and none is left behind, whole or half-copied. */
static void
test_closing_mid_import_leaves_nothing (Fixture       *f,
                                        gconstpointer  data)
{
  BbAttachmentsRow *row = row_of (f);
  g_autofree char *path = g_build_filename (f->dir, "big-photo.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GError) error = NULL;

  write_noise_png (path, 16);
  type_description (f, "Sofa on the verge");
  bb_attachments_row_add_file (row, file);
  g_assert_true (bb_attachments_row_get_busy (row));

  bb_editor_close (f->editor, FALSE);
  /* Stopping takes until the worker hears it. */
  g_assert_true (wait_for (row_is_idle, row, 60000));

  g_assert_cmpuint (count_evidence_files (f), ==, 0);
  g_assert_cmpuint (bb_store_count_waiting_blobs (bb_session_get_store (f->session)), ==, 0);
  drafts = bb_store_list_drafts (bb_session_get_store (f->session), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (drafts->len, ==, 1);
  g_assert_nonnull (strstr (((BbDraft *) drafts->pdata[0])->json, "Sofa on the verge"));
  g_assert_null (strstr (((BbDraft *) drafts->pdata[0])->json, "attachments"));
}

/* More files while one is copied: each in the order it came; the one
 * stopped by its button is neither listed nor kept. */
static void
test_files_go_in_order_and_a_pending_one_can_be_stopped (Fixture       *f,
                                                         gconstpointer  data)
{
  BbAttachmentsRow *row = row_of (f);
  BbAttachmentStrip *strip = bb_attachments_row_get_strip (row);
  g_autofree char *big_path = g_build_filename (f->dir, "big-photo.png", NULL);
  g_autofree char *first_path = g_build_filename (f->dir, "fly-tip-1.png", NULL);
  g_autofree char *second_path = g_build_filename (f->dir, "fly-tip-2.png", NULL);
  g_autoptr(GFile) big = g_file_new_for_path (big_path);
  g_autoptr(GFile) first_file = g_file_new_for_path (first_path);
  g_autoptr(GFile) second_file = g_file_new_for_path (second_path);
  g_autoptr(GBytes) first = make_png (200, 150);
  g_autoptr(GBytes) second = make_png (90, 160);
  g_autoptr(GPtrArray) listed = NULL;
  GtkWidget *stop;

  write_noise_png (big_path, 16);
  g_assert_true (g_file_set_contents (first_path, g_bytes_get_data (first, NULL), g_bytes_get_size (first), NULL));
  g_assert_true (g_file_set_contents (second_path, g_bytes_get_data (second, NULL), g_bytes_get_size (second), NULL));

  bb_attachments_row_add_file (row, big);
  bb_attachments_row_add_file (row, first_file);
  bb_attachments_row_add_file (row, second_file);
  g_assert_cmpuint (bb_attachment_strip_count_pending (strip), ==, 3);
  g_assert_cmpuint (bb_attachments_row_get_n_waiting (row), ==, 3);

  /* The big one's stop button, as a person would press it. */
  stop = NULL;
  {
    g_autoptr(GPtrArray) stack = g_ptr_array_new ();

    g_ptr_array_add (stack, strip);
    while (stack->len > 0 && stop == NULL)
      {
        GtkWidget *w = g_ptr_array_steal_index (stack, stack->len - 1);

        if (GTK_IS_BUTTON (w) &&
            g_strcmp0 (gtk_widget_get_tooltip_text (w), "Stop attaching big-photo.png") == 0)
          stop = w;
        for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
          g_ptr_array_add (stack, c);
      }
  }
  g_assert_nonnull (stop);
  g_signal_emit_by_name (stop, "clicked");
  g_assert_cmpuint (bb_attachment_strip_count_pending (strip), ==, 2);

  g_assert_true (wait_for (row_is_idle, row, 60000));
  g_assert_true (wait_for (two_thumbnails_shown, strip, 10000));
  listed = form_attachments (f);
  g_assert_cmpuint (listed->len, ==, 2);
  g_assert_cmpstr (((BbAttachment *) listed->pdata[0])->name, ==, "fly-tip-1.png");
  g_assert_cmpstr (((BbAttachment *) listed->pdata[1])->name, ==, "fly-tip-2.png");
  g_assert_cmpuint (count_evidence_files (f), ==, 2);
  g_assert_null (bb_attachments_row_get_message (row));
}

/* A file stopped while it is copied no longer counts towards the most a
 * record holds, even before its copy has heard the stop: with one stopped,
 * as many new files as the record holds still go in. */
static void
test_a_stopped_file_leaves_room (Fixture       *f,
                                 gconstpointer  data)
{
  BbAttachmentsRow *row = row_of (f);
  BbAttachmentStrip *strip = bb_attachments_row_get_strip (row);
  g_autofree char *big_path = g_build_filename (f->dir, "big-photo.png", NULL);
  g_autoptr(GFile) big = g_file_new_for_path (big_path);
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  g_autoptr(GPtrArray) listed = NULL;
  GtkWidget *stop = NULL;

  write_noise_png (big_path, 16);
  bb_attachments_row_add_file (row, big);

  g_ptr_array_add (stack, strip);
  while (stack->len > 0 && stop == NULL)
    {
      GtkWidget *w = g_ptr_array_steal_index (stack, stack->len - 1);

      if (GTK_IS_BUTTON (w) &&
          g_strcmp0 (gtk_widget_get_tooltip_text (w), "Stop attaching big-photo.png") == 0)
        stop = w;
      for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
        g_ptr_array_add (stack, c);
    }
  g_assert_nonnull (stop);
  g_signal_emit_by_name (stop, "clicked");
  g_assert_cmpuint (bb_attachments_row_get_n_waiting (row), ==, 0);

  /* At once, before the stopped copy has ended. */
  for (guint i = 0; i < BB_PROFILE_DEFAULT_MAX_ATTACHMENTS; i++)
    {
      g_autofree char *name = g_strdup_printf ("fly-tip-%u.png", i);
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GBytes) png = make_png (20 + (int) i, 20);

      g_assert_true (g_file_set_contents (path, g_bytes_get_data (png, NULL), g_bytes_get_size (png), NULL));
      bb_attachments_row_add_file (row, file);
    }
  g_assert_cmpuint (bb_attachments_row_get_n_refused (row), ==, 0);
  g_assert_null (bb_attachments_row_get_message (row));

  g_assert_true (wait_for (row_is_idle, row, 60000));
  listed = form_attachments (f);
  g_assert_cmpuint (listed->len, ==, BB_PROFILE_DEFAULT_MAX_ATTACHMENTS);
  g_assert_cmpuint (bb_attachments_row_get_n_refused (row), ==, 0);
}

static void
on_saved (BbEditor *editor,
          BbRecord *record,
          gpointer  data)
{
  g_set_object ((BbRecord **) data, record);
}

static gboolean
record_saved (gpointer data)
{
  return *(BbRecord **) data != NULL;
}

/* Save while a file is copied in: the save waits, then the record lists a
 * file that is kept. */
static void
test_save_waits_for_the_file (Fixture       *f,
                              gconstpointer  data)
{
  BbAttachmentsRow *row = row_of (f);
  g_autofree char *path = g_build_filename (f->dir, "big-photo.png", NULL);
  g_autofree char *dir = bb_store_dup_evidence_dir (bb_session_get_store (f->session));
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(BbRecord) saved = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  write_noise_png (path, 16);
  fill_required (f);
  g_signal_connect (f->editor, "saved", G_CALLBACK (on_saved), &saved);

  bb_attachments_row_add_file (row, file);
  g_assert_false (bb_editor_save (f->editor));
  g_assert_null (saved);

  g_assert_true (wait_for (record_saved, &saved, 60000));
  listed = bb_attachments_from_fields (bb_record_get_fields (saved));
  g_assert_cmpuint (listed->len, ==, 1);
  g_assert_true (bb_evidence_has (dir, ((BbAttachment *) listed->pdata[0])->sha256));
  records = bb_store_list_records (bb_session_get_store (f->session), NULL, 0, G_MAXUINT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
}

/* A refusal names the file and why; a save that waited for it is not made
 * (the person asked for that file), nothing typed or attached is lost, and
 * saving again keeps the record without it. */
static void
test_refusal_names_the_file_and_loses_nothing (Fixture       *f,
                                               gconstpointer  data)
{
  BbAttachmentsRow *row = row_of (f);
  g_autofree char *good_path = g_build_filename (f->dir, "fly-tip-1.png", NULL);
  g_autofree char *missing_path = g_build_filename (f->dir, "gone.jpg", NULL);
  g_autoptr(GFile) good = g_file_new_for_path (good_path);
  g_autoptr(GFile) missing = g_file_new_for_path (missing_path);
  g_autoptr(GBytes) png = make_png (200, 150);
  g_autoptr(BbRecord) saved = NULL;
  g_autoptr(GPtrArray) listed = NULL;

  g_assert_true (g_file_set_contents (good_path, g_bytes_get_data (png, NULL), g_bytes_get_size (png), NULL));
  fill_required (f);
  g_signal_connect (f->editor, "saved", G_CALLBACK (on_saved), &saved);

  bb_attachments_row_add_file (row, good);
  bb_attachments_row_add_file (row, missing);
  g_assert_false (bb_editor_save (f->editor));
  g_assert_true (wait_for (row_is_idle, row, 60000));
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_null (saved);
  g_assert_nonnull (bb_attachments_row_get_message (row));
  g_assert_nonnull (strstr (bb_attachments_row_get_message (row), "gone.jpg"));
  g_assert_nonnull (strstr (bb_attachments_row_get_message (row), "No such file"));
  listed = form_attachments (f);
  g_assert_cmpuint (listed->len, ==, 1);

  g_assert_true (bb_editor_save (f->editor));
  g_assert_nonnull (saved);
  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = bb_attachments_from_fields (bb_record_get_fields (saved));
  g_assert_cmpuint (listed->len, ==, 1);
  g_assert_cmpstr (((BbAttachment *) listed->pdata[0])->name, ==, "fly-tip-1.png");
  g_assert_cmpstr (bb_record_get_field_string (saved, "description"), ==, "Bags by the garages");
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      g_printerr ("test-evidence-ui: no display, skipping (run under xvfb-run -a)\n");
      return 77;
    }
  adw_init ();

#define ADD(path, func) g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)
  ADD ("/evidence-ui/pasted-picture-shows-its-thumbnail", test_pasted_picture_shows_its_thumbnail);
  ADD ("/evidence-ui/dropped-files-show-and-open-full-size", test_dropped_file_shows_and_opens_full_size);
  ADD ("/evidence-ui/large-photo-keeps-the-editor-responsive", test_large_photo_keeps_the_editor_responsive);
  ADD ("/evidence-ui/closing-mid-import-leaves-nothing", test_closing_mid_import_leaves_nothing);
  ADD ("/evidence-ui/files-go-in-order-and-a-pending-one-can-be-stopped",
       test_files_go_in_order_and_a_pending_one_can_be_stopped);
  ADD ("/evidence-ui/save-waits-for-the-file", test_save_waits_for_the_file);
  ADD ("/evidence-ui/a-stopped-file-leaves-room", test_a_stopped_file_leaves_room);
  ADD ("/evidence-ui/refusal-names-the-file-and-loses-nothing", test_refusal_names_the_file_and_loses_nothing);

  return g_test_run ();
}
