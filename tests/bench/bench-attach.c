/* bench-attach.c: how long attaching a large photo holds the UI thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Attaches a photo-sized PNG of noise (19.5 MiB, under the default limit)
 * to a real editor in a real window, twice:
 *   - "on the UI thread": bb_store_import_evidence called from the main
 *     loop, which is what bb_attachments_row_add_file did before the copy
 *     moved to a worker;
 *   - "in the worker": bb_attachments_row_add_file as the editor does now,
 *     until the thumbnail replaces the placeholder.
 * For each it prints the longest gap between two runs of a 1 ms timeout
 * (how long the main loop could not turn) and between two frames of the
 * window's frame clock. Figures only: it asserts nothing about time.
 * Needs a display: xvfb-run -a meson test -C _build --benchmark bench-attach
 */
#define G_LOG_DOMAIN "beatbook-bench"

#include "config.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <math.h>

#include "bb-attachment-strip.h"
#include "bb-attachments-row.h"
#include "bb-editor.h"

typedef struct
{
  gint64 last_tick;
  gint64 max_tick_gap;
  gint64 last_frame;
  gint64 max_frame_gap;
  guint  frames;
  gint64 start;
  gint64 max_tick_gap_at;  /* when the longest gap ended, from start */
} Gaps;

static void
gaps_reset (Gaps *gaps)
{
  gint64 now = g_get_monotonic_time ();

  *gaps = (Gaps) { now, 0, now, 0, 0, now, 0 };
}

static gboolean
on_tick (gpointer data)
{
  Gaps *gaps = data;
  gint64 now = g_get_monotonic_time ();

  if (now - gaps->last_tick > gaps->max_tick_gap)
    {
      gaps->max_tick_gap = now - gaps->last_tick;
      gaps->max_tick_gap_at = now - gaps->start;
    }
  gaps->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
on_frame (GtkWidget     *widget,
          GdkFrameClock *clock,
          gpointer       data)
{
  Gaps *gaps = data;
  gint64 now = g_get_monotonic_time ();

  gaps->max_frame_gap = MAX (gaps->max_frame_gap, now - gaps->last_frame);
  gaps->last_frame = now;
  gaps->frames++;
  return G_SOURCE_CONTINUE;
}

static void
write_noise_png (const char *path,
                 double      mib,
                 guint32     seed)
{
  int side = (int) sqrt (mib * 1024.0 * 1024.0 / 3.0);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, side, side);
  guint32 *pixels = (guint32 *) cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface) / 4;

  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++)
      {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        pixels[y * stride + x] = seed & 0xffffff;
      }
  cairo_surface_mark_dirty (surface);
  if (cairo_surface_write_to_png (surface, path) != CAIRO_STATUS_SUCCESS)
    g_error ("cannot write %s", path);
  cairo_surface_destroy (surface);
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        return child;
      found = find_widget (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
settle (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

static void
report (const char *how,
        Gaps       *gaps,
        gint64      in_call,
        gint64      total)
{
  g_print ("%-20s call %7.1f ms  until shown %7.1f ms  longest loop gap %7.1f ms (ending at %.1f ms)  "
           "longest frame gap %7.1f ms  (%u frames)\n",
           how, in_call / 1000.0, total / 1000.0, gaps->max_tick_gap / 1000.0,
           gaps->max_tick_gap_at / 1000.0, gaps->max_frame_gap / 1000.0, gaps->frames);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *first_path = NULL;
  g_autofree char *second_path = NULL;
  g_autoptr(GFile) first = NULL;
  g_autoptr(GFile) second = NULL;
  g_autoptr(BbSession) session = NULL;
  g_autoptr(BbAttachment) attachment = NULL;
  BbAttachmentsRow *row;
  BbAttachmentStrip *strip;
  GtkWidget *window;
  BbEditor *editor;
  Gaps gaps;
  gint64 start, returned;
  guint tick_id;
  double mib = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 19.5;

  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
  if (!gtk_init_check ())
    {
      g_printerr ("bench-attach: no display (run under xvfb-run -a)\n");
      return 77;
    }
  adw_init ();

  dir = g_dir_make_tmp ("beatbook-bench-attach-XXXXXX", &error);
  g_assert_no_error (error);
  session = bb_session_new (dir, &error);
  g_assert_no_error (error);
  bb_session_set_identity (session, "Warden 17", BB_ROLE_WARDEN, "W17", &error);
  g_assert_no_error (error);

  first_path = g_build_filename (dir, "first.png", NULL);
  second_path = g_build_filename (dir, "second.png", NULL);
  write_noise_png (first_path, mib, 2463534242u);
  write_noise_png (second_path, mib, 88675123u);
  first = g_file_new_for_path (first_path);
  second = g_file_new_for_path (second_path);
  {
    g_autoptr(GFileInfo) info = g_file_query_info (first, G_FILE_ATTRIBUTE_STANDARD_SIZE, 0, NULL, NULL);

    g_print ("photo: %.1f MiB PNG of noise\n", g_file_info_get_size (info) / 1048576.0);
  }

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1366, 768);
  editor = bb_editor_new (session, BB_KIND_PATROL_OBSERVATION, NULL, NULL, NULL);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (editor));
  gtk_window_present (GTK_WINDOW (window));
  settle (500);
  row = BB_ATTACHMENTS_ROW (find_widget (GTK_WIDGET (editor), BB_TYPE_ATTACHMENTS_ROW));
  strip = bb_attachments_row_get_strip (row);

  gtk_widget_add_tick_callback (window, on_frame, &gaps, NULL);
  tick_id = g_timeout_add (1, on_tick, &gaps);

  /* What the editor did before: the whole import on the UI thread. */
  settle (200);
  gaps_reset (&gaps);
  start = g_get_monotonic_time ();
  attachment = bb_store_import_evidence (bb_session_get_store (session), bb_session_get_profile (session),
                                         0, first, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  returned = g_get_monotonic_time ();
  settle (200);
  report ("on the UI thread", &gaps, returned - start, returned - start);

  /* What it does now. */
  settle (200);
  gaps_reset (&gaps);
  start = g_get_monotonic_time ();
  bb_attachments_row_add_file (row, second);
  returned = g_get_monotonic_time ();
  while (bb_attachments_row_get_busy (row))
    g_main_context_iteration (NULL, TRUE);
  g_print ("in the worker: the file was in after %.1f ms\n", (g_get_monotonic_time () - start) / 1000.0);
  while (bb_attachment_strip_count_shown (strip) < 1)
    g_main_context_iteration (NULL, TRUE);
  report ("in the worker", &gaps, returned - start, g_get_monotonic_time () - start);
  gaps_reset (&gaps);
  settle (300);
  g_print ("after the thumbnail, 300 ms: longest loop gap %.1f ms, longest frame gap %.1f ms\n",
           gaps.max_tick_gap / 1000.0, gaps.max_frame_gap / 1000.0);

  g_source_remove (tick_id);
  gtk_window_destroy (GTK_WINDOW (window));
  settle (100);
  {
    g_autoptr(GDir) listing = NULL;
    g_autofree char *evidence = bb_store_dup_evidence_dir (bb_session_get_store (session));
    const char *name;

    g_clear_object (&session);
    listing = g_dir_open (evidence, 0, NULL);
    while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
      {
        g_autofree char *path = g_build_filename (evidence, name, NULL);

        g_unlink (path);
      }
    g_rmdir (evidence);
  }
  return 0;
}
