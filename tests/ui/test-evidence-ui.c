/* test-evidence-ui.c: photos in the editor, as a person attaches them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <string.h>

#include "bb-attachment-strip.h"
#include "bb-attachments-row.h"
#include "bb-choice-row.h"
#include "bb-editor.h"
#include "bb-photo-viewer.h"

typedef struct
{
  char      *dir;
  BbSession *session;
  GtkWidget *window;
  BbEditor  *editor;
} Fixture;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

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
  remove_tree (f->dir);
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
  g_autoptr(GError) error = NULL;
  g_autoptr(GList) toplevels = NULL;
  BbPhotoViewer *viewer = NULL;

  g_assert_true (g_file_set_contents (first_path, g_bytes_get_data (first, NULL), g_bytes_get_size (first), NULL));
  g_assert_true (g_file_set_contents (second_path, g_bytes_get_data (second, NULL), g_bytes_get_size (second), NULL));
  g_assert_true (g_file_set_contents (text_path, "not a photo", -1, NULL));

  /* What a drop of files does. */
  g_assert_true (bb_attachments_row_add_file (row, first_file, &error));
  g_assert_true (bb_attachments_row_add_file (row, second_file, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (two_thumbnails_shown, strip, 10000));

  /* A text file named .jpg is refused, and says why. */
  g_assert_false (bb_attachments_row_add_file (row, text_file, &error));
  g_assert_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_UNSUPPORTED_TYPE);
  g_assert_nonnull (strstr (bb_attachments_row_get_message (row), "notes.jpg"));
  g_assert_cmpuint (bb_attachment_strip_count_shown (strip), ==, 2);

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

  return g_test_run ();
}
