/* test-review.c: the supervisor's Review view and dashboard, under a display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store is seeded as a supervisor's is after a sync: records of several
 * authors, wards and kinds, pulled from the server.
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <adwaita.h>

#include "bb-chart.h"
#include "bb-dashboard.h"
#include "bb-record-row.h"
#include "bb-review-date.h"
#include "bb-review-view.h"
#include "bb-review-window.h"
#include "test-files.h"

typedef struct
{
  char      *dir;
  BbSession *session;
  char      *last_month_from;  /* local dates of last month */
  char      *last_month_to;
  char      *returned_id;      /* a record to return */
} Fixture;

/* Helpers */

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Noon UTC on local date @date plus @days. */
static char *
noon_of (const char *date,
         int         days)
{
  g_autoptr(GDateTime) day = bb_date_parse (date);
  g_autoptr(GDateTime) noon = g_date_time_add_full (day, 0, 0, days, 12, 0, 0);

  return bb_time_format_iso (noon);
}

static BbRecord *
pulled (const char *kind,
        const char *ward,
        const char *author_id,
        const char *author_name,
        const char *occurred_at,
        int         priority,
        const char *text)
{
  BbRecord *record = bb_record_new (kind);
  JsonObject *fields = bb_record_get_fields (record);
  static gint64 seq = 0;

  json_object_set_string_member (fields, "ward", ward);
  json_object_set_string_member (fields, "place", "High Street");
  if (g_str_equal (kind, BB_KIND_PATROL_OBSERVATION))
    {
      json_object_set_string_member (fields, "category", "asb_youths");
      json_object_set_string_member (fields, "description", text);
    }
  else if (g_str_equal (kind, BB_KIND_ENGAGEMENT_EVENT))
    {
      json_object_set_string_member (fields, "event_type", "street_briefing");
      json_object_set_string_member (fields, "title", text);
      json_object_set_int_member (fields, "attendees", 12);
    }
  bb_record_set_occurred_at (record, occurred_at);
  bb_record_set_priority (record, priority);
  bb_record_set_author (record, author_id, author_name, "officer");
  bb_record_set_rev (record, 1);
  bb_record_set_seq (record, ++seq);
  bb_record_set_review_state (record, "new");
  bb_record_set_updated_at (record, occurred_at);
  bb_record_set_sync_state (record, BB_SYNC_STATE_SYNCED);
  return record;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GTimeZone) tz = bb_time_zone_local (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL, *old = NULL;
  BbRecord *record;

  f->dir = g_dir_make_tmp ("beatbook-test-review-XXXXXX", &error);
  g_assert_no_error (error);
  f->session = bb_session_new (f->dir, &error);
  g_assert_no_error (error);
  g_assert_true (bb_session_set_identity (f->session, "Sergeant (supervisor)", BB_ROLE_SUPERVISOR,
                                          "2290", &error));
  g_assert_no_error (error);

  g_assert_true (bb_dashboard_preset_dates (BB_DASHBOARD_LAST_MONTH, today,
                                            &f->last_month_from, &f->last_month_to));
  t1 = noon_of (f->last_month_from, 2);
  t2 = noon_of (f->last_month_from, 9);
  t3 = noon_of (f->last_month_from, 20);
  old = noon_of (f->last_month_from, -10);

  /* Last month: 3 in Town, 1 in Swanscombe; one older; one reviewed. */
  record = pulled (BB_KIND_PATROL_OBSERVATION, "town", "u-4521", "PCSO 4521", t1, 1, "Youths on the shelter roof");
  f->returned_id = g_strdup (bb_record_get_id (record));
  g_ptr_array_add (records, record);
  g_ptr_array_add (records, pulled (BB_KIND_PATROL_OBSERVATION, "town", "u-4521", "PCSO 4521", t2, 2, "Bikes on the footpath"));
  g_ptr_array_add (records, pulled (BB_KIND_ENGAGEMENT_EVENT, "town", "u-w12", "Community warden 12", t3, 4, "Street briefing"));
  g_ptr_array_add (records, pulled (BB_KIND_PATROL_OBSERVATION, "swanscombe", "u-w12", "Community warden 12", t2, 1, "Graffiti on the underpass"));
  record = pulled (BB_KIND_PATROL_OBSERVATION, "swanscombe", "u-4521", "PCSO 4521", t3, 1, "Fly-posting");
  bb_record_set_review_state (record, "reviewed");
  g_ptr_array_add (records, record);
  g_ptr_array_add (records, pulled (BB_KIND_PATROL_OBSERVATION, "town", "u-4521", "PCSO 4521", old, 1, "Older nuisance"));

  g_assert_true (bb_store_apply_pull_page (bb_session_get_store (f->session), records,
                                           "sync.cursor", 6, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->session);
  iterate ();
  bb_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->last_month_from);
  g_free (f->last_month_to);
  g_free (f->returned_id);
}

static BbReviewWindow *
open_window (Fixture *f)
{
  BbReviewWindow *window = bb_review_window_new (NULL, f->session);

  gtk_window_present (GTK_WINDOW (window));
  iterate ();
  return window;
}

static void
select_in (BbReviewView *view,
           const char   *filter,
           guint         position)
{
  gtk_drop_down_set_selected (GTK_DROP_DOWN (bb_review_view_get_filter_widget (view, filter)), position);
  iterate ();
}

static guint
position_of (BbReviewView *view,
             const char   *filter,
             const char   *label)
{
  GListModel *model = gtk_drop_down_get_model (GTK_DROP_DOWN (bb_review_view_get_filter_widget (view, filter)));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (gtk_string_object_get_string (item), label) == 0)
        return i;
    }
  g_error ("%s has no item “%s”", filter, label);
  return 0;
}

static guint
n_queued (Fixture *f)
{
  g_autoptr(GPtrArray) queued = bb_store_list_queued_reviews (bb_session_get_store (f->session), TRUE, NULL);

  return queued->len;
}

/* Tests */

/* Waits (at most 20 s) for the count above the list to read @expected. */
static void
wait_for_count_text (BbReviewView *view,
                     const char   *expected)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (g_strcmp0 (bb_review_view_get_count_text (view), expected) != 0 &&
         g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpstr (bb_review_view_get_count_text (view), ==, expected);
}

/* Adds @n patrol observations in Heath, last month. */
static void
add_heath_records (Fixture *f,
                   guint    n)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *when = noon_of (f->last_month_from, 1 + i % 25);

      g_ptr_array_add (records, pulled (BB_KIND_PATROL_OBSERVATION, "heath", "u-4521", "PCSO 4521",
                                        when, 1 + i % 2, "Bins set alight"));
    }
  g_assert_true (bb_store_apply_pull_page (bb_session_get_store (f->session), records,
                                           "sync.cursor", 6 + n, &error));
  g_assert_no_error (error);
}

/* More records than a page: the list shows its first page at once and the
 * count follows from a worker thread, exact up to 1,000 and "More than
 * 1,000" past it; a count under way for filters since changed never shows. */
static void
test_count_is_exact_up_to_its_cap (Fixture       *f,
                                   gconstpointer  data)
{
  BbReviewWindow *window = NULL;
  BbReviewView *view;
  g_autofree char *more_than = g_strdup_printf ("More than %'u records", 1000);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) heath = NULL;

  /* 6 + 995: one past the cap. */
  add_heath_records (f, 995);
  window = open_window (f);
  view = bb_review_window_get_review (window);
  wait_for_count_text (view, more_than);

  /* A ward of 995 records, more than a page: the count is not there the
   * moment the filter changes (the UI did not wait for it), then exact. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (bb_review_view_get_filter_widget (view, "ward")),
                              position_of (view, "ward", "Heath"));
  g_assert_cmpstr (bb_review_view_get_count_text (view), ==, "Counting records…");
  wait_for_count_text (view, "995 records");

  /* Two changes in a row: only the second one's count is shown. */
  select_in (view, "priority", 1);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (bb_review_view_get_filter_widget (view, "priority")), 2);
  wait_for_count_text (view, "497 records");
  for (guint i = 0; i < 50; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  g_assert_cmpstr (bb_review_view_get_count_text (view), ==, "497 records");
  bb_review_view_clear_filters (view);
  wait_for_count_text (view, more_than);

  /* Exactly the cap: 1,000 records, counted exactly. */
  heath = bb_store_list_records (bb_session_get_store (f->session), &(BbQuery) { .ward = "heath" }, 0, 1, &error);
  g_assert_no_error (error);
  g_assert_true (bb_store_delete_record (bb_session_get_store (f->session),
                                         bb_record_get_id (g_ptr_array_index (heath, 0)), &error));
  g_assert_no_error (error);
  bb_review_view_reload (view);
  wait_for_count_text (view, "1000 records");

  gtk_window_destroy (GTK_WINDOW (window));
  iterate ();
}

static void
test_filters_change_the_count (Fixture       *f,
                               gconstpointer  data)
{
  BbReviewWindow *window = open_window (f);
  BbReviewView *view = bb_review_window_get_review (window);

  g_assert_cmpuint (bb_review_view_get_n_records (view), ==, 6);
  g_assert_cmpstr (bb_review_view_get_count_text (view), ==, "6 records");

  select_in (view, "kind", position_of (view, "kind", "Engagement events"));
  g_assert_cmpstr (bb_review_view_get_count_text (view), ==, "1 record");
  select_in (view, "kind", 0);

  select_in (view, "ward", position_of (view, "ward", "Swanscombe"));
  g_assert_cmpuint (bb_review_view_get_n_records (view), ==, 2);
  select_in (view, "author", position_of (view, "author", "Community warden 12"));
  g_assert_cmpuint (bb_review_view_get_n_records (view), ==, 1);
  bb_review_view_clear_filters (view);
  g_assert_cmpuint (bb_review_view_get_n_records (view), ==, 6);

  select_in (view, "priority", 4);
  g_assert_cmpuint (bb_review_view_get_n_records (view), ==, 1);
  select_in (view, "priority", 0);
  select_in (view, "review-state", position_of (view, "review-state", "Reviewed"));
  g_assert_cmpuint (bb_review_view_get_n_records (view), ==, 1);
  select_in (view, "review-state", 0);

  gtk_editable_set_text (GTK_EDITABLE (bb_review_view_get_filter_widget (view, "search")), "graffiti");
  g_signal_emit_by_name (bb_review_view_get_filter_widget (view, "search"), "search-changed");
  iterate ();
  g_assert_cmpuint (bb_review_view_get_n_records (view), ==, 1);
  bb_review_view_clear_filters (view);

  /* Dates are local days, the last one included. */
  bb_review_date_set_date (BB_REVIEW_DATE (bb_review_view_get_filter_widget (view, "from")),
                           f->last_month_from);
  iterate ();
  g_assert_cmpuint (bb_review_view_get_n_records (view), ==, 5);

  /* The quick filter: last month, awaiting review (not the older one, not
   * the reviewed one). */
  bb_review_view_clear_filters (view);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (bb_review_view_get_filter_widget (view, "unreviewed")), TRUE);
  iterate ();
  g_assert_cmpuint (bb_review_view_get_n_records (view), ==, 4);
  g_assert_cmpstr (bb_review_date_get_date (BB_REVIEW_DATE (bb_review_view_get_filter_widget (view, "from"))),
                   ==, f->last_month_from);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (bb_review_view_get_filter_widget (view, "unreviewed")), FALSE);
  iterate ();
  g_assert_cmpuint (bb_review_view_get_n_records (view), ==, 6);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_return_needs_a_comment (Fixture       *f,
                             gconstpointer  data)
{
  BbReviewWindow *window = open_window (f);
  BbReviewView *view = bb_review_window_get_review (window);
  GtkTextBuffer *buffer;
  g_autoptr(BbRecord) stored = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *row;

  g_assert_true (bb_review_view_select (view, f->returned_id));
  g_assert_cmpstr (bb_review_view_get_state_text (view), ==, "Awaiting review");
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (bb_review_view_get_comment_widget (view)));

  /* No comment (or only spaces): refused on the comment field. */
  gtk_text_buffer_set_text (buffer, "   ", -1);
  /* Through the button's action, as a click would. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "review.mark", "s", "returned"));
  g_assert_nonnull (bb_review_view_get_comment_message (view));
  g_assert_true (gtk_widget_has_css_class (bb_review_view_get_comment_widget (view), "error"));
  g_assert_cmpuint (n_queued (f), ==, 0);
  stored = bb_store_get_record (bb_session_get_store (f->session), f->returned_id, &error);
  g_assert_cmpstr (bb_record_get_review_state (stored), ==, "new");
  g_clear_object (&stored);

  /* Typing clears the message; with a comment, it is returned at once. */
  gtk_text_buffer_set_text (buffer, "Which way did they leave?", -1);
  g_assert_null (bb_review_view_get_comment_message (view));
  g_assert_true (bb_review_view_review (view, "returned"));
  g_assert_cmpstr (bb_review_view_get_state_text (view), ==, "Returned: Which way did they leave?");
  g_assert_cmpuint (n_queued (f), ==, 1);
  stored = bb_store_get_record (bb_session_get_store (f->session), f->returned_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bb_record_get_review_state (stored), ==, "returned");
  g_assert_cmpuint (gtk_text_buffer_get_char_count (buffer), ==, 0);

  /* The list shows it returned too. */
  row = bb_record_row_new ();
  g_object_ref_sink (row);
  bb_record_row_set_record (BB_RECORD_ROW (row), stored, bb_session_get_profile (f->session));
  {
    g_autofree char *text = bb_record_row_dup_text (BB_RECORD_ROW (row));
    g_assert_nonnull (strstr (text, "Returned"));
  }
  g_object_unref (row);

  /* Mark reviewed needs no comment. */
  g_assert_true (bb_review_view_review (view, "reviewed"));
  g_assert_cmpstr (bb_review_view_get_state_text (view), ==, "Reviewed");
  g_assert_cmpuint (n_queued (f), ==, 2);

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
texture_has_drawing (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = width * 4;
  g_autofree guchar *pixels = g_malloc (stride * height);
  g_autoptr(GHashTable) colours = g_hash_table_new (NULL, NULL);

  gdk_texture_download (texture, pixels, stride);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 pixel;

        memcpy (&pixel, pixels + y * stride + x * 4, 4);
        if ((pixel >> 24) != 0 || (pixel & 0xff) != 0)
          g_hash_table_add (colours, GUINT_TO_POINTER (pixel));
      }
  /* Bars, their outlines and antialiased text: many colours, not one. */
  return g_hash_table_size (colours) > 8;
}

static void
test_dashboard_draws_and_describes (Fixture       *f,
                                    gconstpointer  data)
{
  BbReviewWindow *window = open_window (f);
  BbDashboard *dashboard = bb_review_window_get_dashboard (window);
  BbChart *chart;
  const BbReportItem *total;
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf_path = g_build_filename (f->dir, "report.pdf", NULL);
  g_autoptr(GFile) pdf = g_file_new_for_path (pdf_path);
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) notices = NULL;
  gsize length = 0;
  int width, height;

  bb_review_window_show_page (window, "dashboard");
  bb_dashboard_set_preset (dashboard, BB_DASHBOARD_LAST_MONTH);
  /* The count runs in a worker thread; its answer arrives in the main loop. */
  {
    gint64 give_up = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    g_assert_true (bb_dashboard_is_busy (dashboard));
    while (bb_dashboard_is_busy (dashboard) && g_get_monotonic_time () < give_up)
      g_main_context_iteration (NULL, TRUE);
    g_assert_false (bb_dashboard_is_busy (dashboard));
  }
  iterate ();

  total = bb_report_find_item (bb_dashboard_get_report (dashboard), "total", "records");
  g_assert_nonnull (total);
  g_assert_cmpint (total->current, ==, 5);
  g_assert_cmpint (total->previous, ==, 1);

  chart = bb_dashboard_get_chart (dashboard, "ward");
  g_assert_nonnull (chart);
  g_assert_cmpuint (bb_chart_get_n_bars (chart), >=, 2);
  g_test_message ("%s", bb_chart_get_text (chart));
  g_assert_nonnull (strstr (bb_chart_get_text (chart), "Town: 3, previously 1 (+200.0%)"));
  g_assert_nonnull (strstr (bb_chart_get_text (chart), "Swanscombe: 2, previously 0"));
  g_assert_nonnull (bb_dashboard_get_chart (dashboard, "kind"));
  g_assert_nonnull (bb_dashboard_get_chart (dashboard, "month"));

  /* Drawn, and not blank. */
  while (gtk_widget_get_width (GTK_WIDGET (chart)) == 0)
    g_main_context_iteration (NULL, TRUE);
  width = gtk_widget_get_width (GTK_WIDGET (chart));
  height = gtk_widget_get_height (GTK_WIDGET (chart));
  paintable = gtk_widget_paintable_new (GTK_WIDGET (chart));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (texture_has_drawing (texture));
  if (g_getenv ("BEATBOOK_TEST_SAVE_CHART") != NULL)
    gdk_texture_save_to_png (texture, g_getenv ("BEATBOOK_TEST_SAVE_CHART"));

  /* An empty chart says so in words. */
  {
    GtkWidget *empty = g_object_ref_sink (bb_chart_new ("Nothing"));
    g_assert_nonnull (strstr (bb_chart_get_text (BB_CHART (empty)), "Nothing recorded"));
    g_object_unref (empty);
  }

  /* The PDF is written and its export logged at the next sync. */
  g_assert_true (bb_dashboard_export_pdf (dashboard, pdf, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (pdf_path, &contents, &length, &error));
  g_assert_cmpuint (length, >, 4);
  g_assert_true (g_str_has_prefix (contents, "%PDF"));
  notices = bb_store_list_export_notices (bb_session_get_store (f->session), TRUE, &error);
  g_assert_cmpuint (notices->len, ==, 1);
  g_assert_nonnull (strstr (((BbExportNotice *) g_ptr_array_index (notices, 0))->body, "\"pdf\""));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_csv_export_writes_one_file_per_kind (Fixture       *f,
                                          gconstpointer  data)
{
  BbReviewWindow *window = open_window (f);
  BbReviewView *view = bb_review_window_get_review (window);
  g_autoptr(GError) error = NULL;
  g_autofree char *out_dir = g_build_filename (f->dir, "export", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (out_dir);
  g_autoptr(GPtrArray) notices = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint files = 0, records = 0, seen = 0;

  g_assert_cmpint (g_mkdir (out_dir, 0700), ==, 0);
  select_in (view, "ward", position_of (view, "ward", "Town"));
  g_assert_true (bb_review_view_export_csv (view, folder, &files, &records, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (files, ==, 2);
  g_assert_cmpuint (records, ==, 4);

  dir = g_dir_open (out_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_assert_true (g_str_has_suffix (name, ".csv"));
      seen++;
    }
  g_assert_cmpuint (seen, ==, 2);

  notices = bb_store_list_export_notices (bb_session_get_store (f->session), TRUE, &error);
  g_assert_cmpuint (notices->len, ==, 1);
  g_assert_nonnull (strstr (((BbExportNotice *) g_ptr_array_index (notices, 0))->body, f->returned_id));
  g_assert_nonnull (strstr (((BbExportNotice *) g_ptr_array_index (notices, 0))->body, "Ward: Town"));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_presets (void)
{
  struct { BbDashboardPreset preset; const char *today, *from, *to; } cases[] = {
    { BB_DASHBOARD_THIS_MONTH, "2026-11-28", "2026-11-01", "2026-12-01" },
    { BB_DASHBOARD_LAST_MONTH, "2026-01-15", "2025-12-01", "2026-01-01" },
    { BB_DASHBOARD_THIS_QUARTER, "2026-11-28", "2026-10-01", "2027-01-01" },
    { BB_DASHBOARD_LAST_QUARTER, "2026-02-03", "2025-10-01", "2026-01-01" },
    { BB_DASHBOARD_LAST_12_MONTHS, "2026-11-28", "2025-12-01", "2026-12-01" },
  };
  char *from = NULL, *to = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_true (bb_dashboard_preset_dates (cases[i].preset, cases[i].today, &from, &to));
      g_assert_cmpstr (from, ==, cases[i].from);
      g_assert_cmpstr (to, ==, cases[i].to);
      g_clear_pointer (&from, g_free);
      g_clear_pointer (&to, g_free);
    }
  g_assert_false (bb_dashboard_preset_dates (BB_DASHBOARD_CHOSEN, "2026-11-28", &from, &to));
  g_assert_false (bb_dashboard_preset_dates (BB_DASHBOARD_THIS_MONTH, "28/11/2026", &from, &to));
}

/* The widgets under @widget that need more than @limit pixels of width, for
 * a failure message that says where to look. */
static void
collect_too_wide (GtkWidget *widget,
                  int        limit,
                  GString   *out)
{
  int minimum = 0;

  if (!gtk_widget_get_visible (widget))
    return;
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  if (minimum <= limit)
    return;
  g_string_append_printf (out, " %s (%d px%s%s%s)", G_OBJECT_TYPE_NAME (widget), minimum,
                          GTK_IS_LABEL (widget) ? ": “" : "",
                          GTK_IS_LABEL (widget) ? gtk_label_get_text (GTK_LABEL (widget)) : "",
                          GTK_IS_LABEL (widget) ? "”" : "");
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_too_wide (child, limit, out);
}

/* The first widget of @type under @widget, depth first. */
static GtkWidget *
find_by_type (GtkWidget *widget,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A supervisor on a 360x640 tablet: the window, on either page, takes that
 * size (it once could not shrink below about 630 px), and its header names
 * the page shown ("Review and Figures" was cut to "Review a…" beside the
 * window's buttons). */
static void
test_window_fits_a_phone (Fixture       *f,
                          gconstpointer  data)
{
  BbReviewWindow *window = open_window (f);
  const char *pages[] = { "review", "dashboard" };

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      GtkWidget *stack = NULL;
      int min_width = 0, min_height = 0;

      /* The stack is found by type: the window's template keeps it private. */
      for (GtkWidget *w = GTK_WIDGET (window); w != NULL && stack == NULL;)
        {
          GtkWidget *next = NULL;

          for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
            if (ADW_IS_VIEW_STACK (c))
              stack = c;
            else if (next == NULL && gtk_widget_get_first_child (c) != NULL)
              next = c;
          w = stack == NULL ? next : NULL;
        }
      g_assert_nonnull (stack);
      adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), pages[i]);
      gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
      iterate ();

      gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
      if (min_width > 360)
        {
          g_autoptr(GString) culprits = g_string_new (NULL);

          /* 300, not 360: a culprit's parents add their margins. */
          collect_too_wide (GTK_WIDGET (window), 300, culprits);
          g_error ("the review window's %s page needs %d px of width, more than 360; "
                   "widgets needing over 300 px:%s",
                   pages[i], min_width, culprits->str);
        }
      gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_VERTICAL, 360, &min_height, NULL, NULL, NULL);
      g_assert_cmpint (min_height, <=, 640);

      {
        GtkWidget *title = find_by_type (GTK_WIDGET (window), ADW_TYPE_VIEW_SWITCHER_TITLE);

        g_assert_nonnull (title);
        g_assert_cmpstr (adw_view_switcher_title_get_title (ADW_VIEW_SWITCHER_TITLE (title)), ==,
                         i == 0 ? "Review" : "Figures");
      }
    }

  gtk_window_destroy (GTK_WINDOW (window));
  iterate ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      g_printerr ("test-review: no display could be opened: skipped (run under xvfb-run -a)\n");
      return 77;
    }
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/review/dashboard/presets-are-whole-local-months", test_presets);
  g_test_add ("/review/view/filters-change-the-count", Fixture, NULL,
              fixture_set_up, test_filters_change_the_count, fixture_tear_down);
  g_test_add ("/review/view/count-is-exact-up-to-its-cap", Fixture, NULL,
              fixture_set_up, test_count_is_exact_up_to_its_cap, fixture_tear_down);
  g_test_add ("/review/view/return-needs-a-comment-and-applies-at-once", Fixture, NULL,
              fixture_set_up, test_return_needs_a_comment, fixture_tear_down);
  g_test_add ("/review/dashboard/chart-draws-and-describes-its-figures", Fixture, NULL,
              fixture_set_up, test_dashboard_draws_and_describes, fixture_tear_down);
  g_test_add ("/review/export/csv-writes-one-file-per-kind-and-queues-a-notice", Fixture, NULL,
              fixture_set_up, test_csv_export_writes_one_file_per_kind, fixture_tear_down);
  g_test_add ("/review/window/fits-a-360-by-640-screen-on-either-page", Fixture, NULL,
              fixture_set_up, test_window_fits_a_phone, fixture_tear_down);

  return g_test_run ();
}
