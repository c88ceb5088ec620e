/* test-list.c: the records list reads the store in pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <gtk/gtk.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "bb-application.h"
#include "bb-record-list-model.h"
#include "bb-record-row.h"
#include "bb-window.h"
#include "test-files.h"

#define BIG_N 100000

static const char * const kinds[] = {
  BB_KIND_PATROL_OBSERVATION,
  BB_KIND_S59_WARNING,
  BB_KIND_VAWG_WALK,
  BB_KIND_ENGAGEMENT_EVENT,
};

static const char * const wards[] = { "town", "brent", "swanscombe", "heath", "temple_hill" };

/* Helpers */

static char *
make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("beatbook-test-list-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
wait_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  iterate ();
}

/* Record @i of a seeded set: record 0 is the newest, one minute apart. */
static BbRecord *
make_record (guint      i,
             GDateTime *newest)
{
  const char *kind = kinds[i % G_N_ELEMENTS (kinds)];
  g_autoptr(BbRecord) record = bb_record_new (kind);
  g_autoptr(GDateTime) when = g_date_time_add_minutes (newest, -(gint) i);
  g_autofree char *iso = bb_time_format_iso (when);
  g_autofree char *place = g_strdup_printf ("Seeded place %u", i);
  JsonObject *fields = bb_record_get_fields (record);

  bb_record_set_occurred_at (record, iso);
  bb_record_set_updated_at (record, iso);
  bb_record_set_rev (record, 1);
  bb_record_set_seq (record, i + 1);
  json_object_set_string_member (fields, "ward", wards[i % G_N_ELEMENTS (wards)]);
  json_object_set_string_member (fields, "place", place);
  if (g_str_equal (kind, BB_KIND_PATROL_OBSERVATION))
    {
      json_object_set_string_member (fields, "category", "fly_tipping");
      json_object_set_string_member (fields, "description", "Bags left by the gate");
    }
  else if (g_str_equal (kind, BB_KIND_ENGAGEMENT_EVENT))
    {
      json_object_set_string_member (fields, "event_type", "street_briefing");
      json_object_set_string_member (fields, "title", "Street briefing");
      json_object_set_int_member (fields, "attendees", 12);
    }
  else if (g_str_equal (kind, BB_KIND_VAWG_WALK))
    json_object_set_string_member (fields, "walk_type", "group_walk");

  return g_steal_pointer (&record);
}

/* Seeds @n records through the store's pull path: one transaction per page,
 * as a sync would write them, so 100k records take seconds, not minutes. */
static void
seed_store (BbStore *store,
            guint    n)
{
  g_autoptr(GDateTime) newest = g_date_time_new_utc (2026, 11, 1, 12, 0, 0);
  const guint batch = 5000;

  for (guint start = 0; start < n; start += batch)
    {
      g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GError) error = NULL;

      for (guint i = start; i < MIN (n, start + batch); i++)
        g_ptr_array_add (records, make_record (i, newest));

      bb_store_apply_pull_page (store, records, "test.cursor", start + records->len, &error);
      g_assert_no_error (error);
    }
}

typedef struct
{
  char    *dir;
  BbStore *store;
} ModelFixture;

static void
model_fixture_set_up (ModelFixture  *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = make_tmp_dir ();
  path = g_build_filename (fixture->dir, "test.db", NULL);
  fixture->store = bb_store_open (path, &error);
  g_assert_no_error (error);
  seed_store (fixture->store, GPOINTER_TO_UINT (data));
}

static void
model_fixture_tear_down (ModelFixture  *fixture,
                         gconstpointer  data)
{
  g_clear_object (&fixture->store);
  bb_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* Tests of the model alone */

/* Reads every page, as scrolling to the end would. */
static void
load_all (BbRecordListModel *model)
{
  guint guard = 0;

  while (bb_record_list_model_load_more (model))
    g_assert_cmpuint (++guard, <, 100000);
  g_assert_true (bb_record_list_model_get_complete (model));
}

static void
record_change (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               GArray     *changes)
{
  guint change[3] = { position, removed, added };

  g_array_append_vals (changes, change, 3);
}

static void
test_model_pages_in_order (ModelFixture  *fixture,
                           gconstpointer  data)
{
  guint n = GPOINTER_TO_UINT (data);
  g_autoptr(BbRecordListModel) model = bb_record_list_model_new (fixture->store);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) past_end = NULL;
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (guint));
  guint64 fetched;

  g_assert_cmpuint (n, >, 3 * BB_RECORD_LIST_MODEL_PAGE_SIZE);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (model)) == BB_TYPE_RECORD);

  /* It starts with the first page, uncounted; the total is counted on
   * demand. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, BB_RECORD_LIST_MODEL_PAGE_SIZE);
  g_assert_false (bb_record_list_model_get_complete (model));
  g_assert_cmpuint (bb_record_list_model_get_total (model), ==, n);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, BB_RECORD_LIST_MODEL_PAGE_SIZE);

  /* Asking for a row of the last page read grows the list by one page
   * from an idle, announced as added at the end; nothing else is read. */
  g_signal_connect (model, "items-changed", G_CALLBACK (record_change), changes);
  fetched = bb_store_get_rows_fetched (fixture->store);
  g_clear_object (&past_end);
  past_end = g_list_model_get_item (G_LIST_MODEL (model), BB_RECORD_LIST_MODEL_PAGE_SIZE - 1);
  g_assert_nonnull (past_end);
  g_assert_cmpuint (changes->len, ==, 0);
  iterate ();
  g_assert_cmpuint (changes->len, ==, 3);
  g_assert_cmpuint (g_array_index (changes, guint, 0), ==, BB_RECORD_LIST_MODEL_PAGE_SIZE);
  g_assert_cmpuint (g_array_index (changes, guint, 1), ==, 0);
  g_assert_cmpuint (g_array_index (changes, guint, 2), ==, BB_RECORD_LIST_MODEL_PAGE_SIZE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2 * BB_RECORD_LIST_MODEL_PAGE_SIZE);
  g_assert_cmpuint (bb_store_get_rows_fetched (fixture->store) - fetched, ==, BB_RECORD_LIST_MODEL_PAGE_SIZE);
  g_clear_object (&past_end);

  load_all (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n);

  all = bb_store_list_records (fixture->store, NULL, 0, n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, n);

  /* Walk backwards so every page is read out of order at least once. */
  for (guint i = n; i-- > 0;)
    {
      g_autoptr(BbRecord) item = g_list_model_get_item (G_LIST_MODEL (model), i);
      g_autofree char *expected_place = g_strdup_printf ("Seeded place %u", i);

      g_assert_nonnull (item);
      g_assert_cmpstr (bb_record_get_id (item), ==, bb_record_get_id (g_ptr_array_index (all, i)));
      /* Newest first: seeded record i is i minutes older than record 0. */
      g_assert_cmpstr (bb_record_get_field_string (item, "place"), ==, expected_place);
      g_assert_cmpuint (bb_record_list_model_get_n_cached_pages (model), <=, 16);
    }

  past_end = g_list_model_get_item (G_LIST_MODEL (model), n);
  g_assert_null (past_end);
  g_assert_null (bb_record_list_model_get_error (model));
}

static void
count_changes (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               guint      *n_changes)
{
  (*n_changes)++;
}

static void
test_model_filters_by_kind_and_search (ModelFixture  *fixture,
                                       gconstpointer  data)
{
  guint n = GPOINTER_TO_UINT (data);
  g_autoptr(BbRecordListModel) model = bb_record_list_model_new (fixture->store);
  guint n_changes = 0;
  guint n_kind;

  g_signal_connect (model, "items-changed", G_CALLBACK (count_changes), &n_changes);

  bb_record_list_model_set_kind (model, BB_KIND_S59_WARNING);
  g_assert_cmpuint (n_changes, ==, 1);
  /* Every fourth seeded record is a warning. */
  g_assert_cmpuint (bb_record_list_model_get_total (model), ==, (n + 2) / 4);
  load_all (model);
  n_kind = g_list_model_get_n_items (G_LIST_MODEL (model));
  g_assert_cmpuint (n_kind, ==, (n + 2) / 4);
  for (guint i = 0; i < n_kind; i++)
    {
      g_autoptr(BbRecord) item = g_list_model_get_item (G_LIST_MODEL (model), i);

      g_assert_cmpstr (bb_record_get_kind (item), ==, BB_KIND_S59_WARNING);
    }

  /* One change for the kind, one for each page read after the first. */
  g_assert_cmpuint (n_changes, ==, (n_kind + BB_RECORD_LIST_MODEL_PAGE_SIZE - 1) / BB_RECORD_LIST_MODEL_PAGE_SIZE);

  /* The same value again is no change. */
  n_changes = 0;
  bb_record_list_model_set_kind (model, BB_KIND_S59_WARNING);
  g_assert_cmpuint (n_changes, ==, 0);

  bb_record_list_model_set_kind (model, "");
  g_assert_null (bb_record_list_model_get_kind (model));
  g_assert_cmpuint (bb_record_list_model_get_total (model), ==, n);

  bb_record_list_model_set_search (model, "Seeded place 17");
  load_all (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), >=, 1);
  {
    g_autoptr(BbRecord) first = g_list_model_get_item (G_LIST_MODEL (model), 0);
    gboolean found = FALSE;

    g_assert_nonnull (first);
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++)
      {
        g_autoptr(BbRecord) item = g_list_model_get_item (G_LIST_MODEL (model), i);

        if (g_strcmp0 (bb_record_get_field_string (item, "place"), "Seeded place 17") == 0)
          found = TRUE;
      }
    g_assert_true (found);
  }

  bb_record_list_model_set_search (model, "nothingmatchesthisword");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);

  /* Blank search is no search. */
  bb_record_list_model_set_search (model, "   ");
  g_assert_null (bb_record_list_model_get_search (model));
  load_all (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n);
}

static void
test_model_reload_sees_a_new_save (ModelFixture  *fixture,
                                   gconstpointer  data)
{
  guint n = GPOINTER_TO_UINT (data);
  g_autoptr(BbRecordListModel) model = bb_record_list_model_new (fixture->store);
  g_autoptr(BbRecord) record = bb_record_new (BB_KIND_VAWG_WALK);
  g_autoptr(BbRecord) first = NULL;
  g_autoptr(GError) error = NULL;
  guint n_changes = 0;

  g_assert_cmpuint (bb_record_list_model_get_total (model), ==, n);
  json_object_set_string_member (bb_record_get_fields (record), "ward", "town");
  json_object_set_string_member (bb_record_get_fields (record), "walk_type", "buddy_walk");
  bb_store_save_record (fixture->store, record, &error);
  g_assert_no_error (error);

  /* Until told, the model shows what it read and counted. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, BB_RECORD_LIST_MODEL_PAGE_SIZE);
  g_assert_cmpuint (bb_record_list_model_get_total (model), ==, n);

  g_signal_connect (model, "items-changed", G_CALLBACK (count_changes), &n_changes);
  bb_record_list_model_reload (model);
  g_assert_cmpuint (n_changes, ==, 1);
  g_assert_cmpuint (bb_record_list_model_get_total (model), ==, n + 1);

  /* Saved now, it is the newest. */
  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_cmpstr (bb_record_get_id (first), ==, bb_record_get_id (record));
  g_assert_cmpuint (bb_record_list_model_find (model, bb_record_get_id (record), 10), ==, 0);
  g_assert_cmpuint (bb_record_list_model_find (model, "no-such-id", 120), ==, G_MAXUINT);
}

static void
assert_item_is (BbRecordListModel *model,
                guint              position,
                GPtrArray         *all,
                guint              index)
{
  g_autoptr(BbRecord) item = g_list_model_get_item (G_LIST_MODEL (model), position);

  g_assert_nonnull (item);
  g_assert_cmpstr (bb_record_get_id (item), ==, bb_record_get_id (g_ptr_array_index (all, index)));
}

static void
assert_change (GArray *changes,
               guint   position,
               guint   added)
{
  g_assert_cmpuint (changes->len, ==, 3);
  g_assert_cmpuint (g_array_index (changes, guint, 0), ==, position);
  g_assert_cmpuint (g_array_index (changes, guint, 1), ==, 0);
  g_assert_cmpuint (g_array_index (changes, guint, 2), ==, added);
  g_array_set_size (changes, 0);
}

/* The End key: the last page is read from the end, not every page before
 * it; the gap between the pages read from the start and from the end
 * closes from either side, and then every record is there once, in
 * order. */
static void
test_model_end_reads_the_last_page (ModelFixture  *fixture,
                                    gconstpointer  data)
{
  const guint page = BB_RECORD_LIST_MODEL_PAGE_SIZE;
  guint n = GPOINTER_TO_UINT (data);
  g_autoptr(BbRecordListModel) model = bb_record_list_model_new (fixture->store);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) top_of_tail = NULL;
  guint64 fetched;

  g_assert_cmpuint (n, >, 4 * page);
  g_assert_cmpuint (n % page, !=, 0);
  all = bb_store_list_records (fixture->store, NULL, 0, n, &error);
  g_assert_no_error (error);
  g_signal_connect (model, "items-changed", G_CALLBACK (record_change), changes);

  /* One page read, from the end: the last item is the last record. */
  fetched = bb_store_get_rows_fetched (fixture->store);
  g_assert_true (bb_record_list_model_load_last (model));
  g_assert_cmpuint (bb_store_get_rows_fetched (fixture->store) - fetched, ==, page);
  assert_change (changes, page, page);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2 * page);
  g_assert_false (bb_record_list_model_get_complete (model));
  assert_item_is (model, 2 * page - 1, all, n - 1);
  assert_item_is (model, page, all, n - page);
  /* Read already: nothing more. */
  g_assert_false (bb_record_list_model_load_last (model));
  g_assert_cmpuint (changes->len, ==, 0);

  /* A row shown at the top of the end's pages reads the page above them
   * from an idle, put in where the gap is. */
  top_of_tail = g_list_model_get_item (G_LIST_MODEL (model), page);
  g_assert_cmpuint (changes->len, ==, 0);
  iterate ();
  assert_change (changes, page, page);
  assert_item_is (model, page, all, n - 2 * page);
  assert_item_is (model, 3 * page - 1, all, n - 1);

  /* The pages from the start grow into the gap from their side. */
  g_assert_true (bb_record_list_model_load_more (model));
  assert_change (changes, page, page);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 4 * page);

  /* Until the two meet: what the start's pages hold is left out. */
  while (!bb_record_list_model_get_complete (model))
    {
      bb_record_list_model_fill_gap (model);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), <=, n);
    }
  g_assert_false (bb_record_list_model_fill_gap (model));
  g_assert_false (bb_record_list_model_load_more (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n);
  g_assert_cmpuint (bb_record_list_model_get_total (model), ==, n);

  /* Every record once, in order; backwards, so pages are read again. */
  for (guint i = n; i-- > 0;)
    {
      assert_item_is (model, i, all, i);
      g_assert_cmpuint (bb_record_list_model_get_n_cached_pages (model), <=, 2 * 16);
    }
  g_assert_null (bb_record_list_model_get_error (model));
  g_assert_cmpuint (bb_record_list_model_find (model, bb_record_get_id (g_ptr_array_index (all, n - 1)), n),
                    ==, n - 1);

  /* A list whose last page overlaps its first: 60 warnings, each once. */
  bb_record_list_model_set_kind (model, BB_KIND_S59_WARNING);
  g_clear_pointer (&all, g_ptr_array_unref);
  all = bb_store_list_records (fixture->store, &(BbQuery) { .kind = BB_KIND_S59_WARNING }, 0, n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, >, page);
  g_assert_cmpuint (all->len, <, 2 * page);
  g_assert_true (bb_record_list_model_load_last (model));
  g_assert_true (bb_record_list_model_get_complete (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, all->len);
  for (guint i = 0; i < all->len; i++)
    assert_item_is (model, i, all, i);

  /* A reload starts again from the top, with no end read. */
  bb_record_list_model_set_kind (model, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, page);
}

/* The real window over 100k records */

static GtkWidget *
find_scrolled_window (GtkWidget *widget)
{
  while (widget != NULL && !GTK_IS_SCROLLED_WINDOW (widget))
    widget = gtk_widget_get_parent (widget);
  return widget;
}

static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  if (BB_IS_RECORD_ROW (widget) && gtk_widget_get_mapped (widget))
    g_ptr_array_add (rows, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_rows (child, rows);
}

static void
test_window_shows_100k_records_paged (void)
{
  int row_height;
  g_autofree char *dir = make_tmp_dir ();
  g_autoptr(BbApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  BbWindow *window;
  BbStore *store;
  GtkWidget *list_view, *scroller;
  GtkAdjustment *vadj;
  guint64 fetched_before, fetched_after_show, fetched_after_scroll;
  guint n_shown;
  gint64 started;

  /* Seed the user's store through a session, as the app will open it. */
  {
    g_autoptr(BbSession) session = bb_session_new (dir, &error);

    g_assert_no_error (error);
    bb_session_set_identity (session, "PCSO 4521", BB_ROLE_OFFICER, "4521", &error);
    g_assert_no_error (error);
    started = g_get_monotonic_time ();
    seed_store (bb_session_get_store (session), BIG_N);
    g_test_message ("Seeded %u records in %.1f s", BIG_N,
                    (g_get_monotonic_time () - started) / 1e6);
  }

  app = g_object_new (BB_TYPE_APPLICATION,
                      "application-id", "org.beatbook.Beatbook.TestList",
                      "resource-base-path", "/org/beatbook/Beatbook",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "data-dir", dir,
                      NULL);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bb_application_get_session (app));

  store = bb_session_get_store (bb_application_get_session (app));
  fetched_before = bb_store_get_rows_fetched (store);

  window = bb_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1366, 768);
  gtk_window_present (GTK_WINDOW (window));
  wait_ms (300);

  g_assert_cmpstr (bb_window_get_page (window), ==, "home");
  /* The list holds the pages read, not a count of the 100k. */
  n_shown = g_list_model_get_n_items (G_LIST_MODEL (bb_window_get_model (window)));
  g_test_message ("Rows in the list once shown: %u", n_shown);
  g_assert_cmpuint (n_shown, >=, BB_RECORD_LIST_MODEL_PAGE_SIZE);
  g_assert_cmpuint (n_shown, <=, 8 * BB_RECORD_LIST_MODEL_PAGE_SIZE);
  g_assert_false (bb_record_list_model_get_complete (bb_window_get_model (window)));

  fetched_after_show = bb_store_get_rows_fetched (store) - fetched_before;
  g_test_message ("Rows read to show the list: %" G_GUINT64_FORMAT, fetched_after_show);
  g_assert_cmpuint (fetched_after_show, >, 0);
  /* GtkListView keeps up to 200 rows around what is visible (4.8), so a few
   * pages are read: a fixed handful, not a share of the 100k. */
  g_assert_cmpuint (fetched_after_show, <=, 8 * BB_RECORD_LIST_MODEL_PAGE_SIZE);

  /* The rows on screen are the newest records, in order. */
  list_view = bb_window_get_list_view (window);
  collect_rows (list_view, rows);
  g_assert_cmpuint (rows->len, >, 3);
  {
    g_autoptr(GDateTime) newest = g_date_time_new_utc (2026, 11, 1, 12, 0, 0);
    g_autofree char *newest_iso = bb_time_format_iso (newest);
    gboolean saw_newest = FALSE;

    for (guint i = 0; i < rows->len; i++)
      {
        BbRecord *record = bb_record_row_get_record (g_ptr_array_index (rows, i));

        g_assert_nonnull (record);
        if (g_strcmp0 (bb_record_get_occurred_at (record), newest_iso) == 0)
          saw_newest = TRUE;
      }
    g_assert_true (saw_newest);
  }

  /* Scroll a few screens down, as a person would: about 60 rows a step,
   * whatever the rows' height (the reads follow rows, not pixels). */
  scroller = find_scrolled_window (list_view);
  g_assert_nonnull (scroller);
  vadj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  row_height = gtk_widget_get_height (gtk_widget_get_parent (g_ptr_array_index (rows, 0)));
  g_assert_cmpint (row_height, >, 0);
  for (guint step = 1; step <= 10; step++)
    {
      gtk_adjustment_set_value (vadj, step * 60.0 * row_height);
      wait_ms (30);
    }
  g_assert_cmpfloat (gtk_adjustment_get_value (vadj), >, 0.0);

  /* Scrolling down grew the list by the pages read. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (bb_window_get_model (window))), >, n_shown);
  fetched_after_scroll = bb_store_get_rows_fetched (store) - fetched_before;
  g_test_message ("Rows read after scrolling: %" G_GUINT64_FORMAT, fetched_after_scroll);
  /* Rows far past the first pages were shown, so more were read: the
   * count only ever grows, and a list that stopped reading would leave it
   * where it was. */
  g_assert_cmpuint (fetched_after_scroll, >, fetched_after_show);
  g_assert_cmpuint (fetched_after_scroll, <=, 20 * BB_RECORD_LIST_MODEL_PAGE_SIZE);
  g_assert_cmpuint (bb_record_list_model_get_n_cached_pages (bb_window_get_model (window)), <=, 16);

  /* The kind filter starts again without reading every warning. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (bb_window_get_kind_dropdown (window)), 2);
  wait_ms (100);
  g_assert_cmpuint (bb_record_list_model_get_total (bb_window_get_model (window)), ==, BIG_N / 4);
  g_assert_cmpuint (bb_store_get_rows_fetched (store) - fetched_before, <=, 24 * BB_RECORD_LIST_MODEL_PAGE_SIZE);

  gtk_window_destroy (GTK_WINDOW (window));
  iterate ();
  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  bb_test_remove_tree (dir);
}

/* The record of the row that has the keyboard focus, if any. */
static BbRecord *
focused_record (GtkWindow *window)
{
  GtkWidget *widget = gtk_root_get_focus (GTK_ROOT (window));

  while (widget != NULL && !BB_IS_RECORD_ROW (widget))
    widget = gtk_widget_get_first_child (widget);
  return widget != NULL ? bb_record_row_get_record (BB_RECORD_ROW (widget)) : NULL;
}

/* Runs xdotool with @args (NULL-terminated), as a keyboard would send keys:
 * XTEST events to the window with the X input focus. */
static void
xdotool (const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = 0;
  va_list args;

  g_ptr_array_add (argv, (char *) "xdotool");
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
}

/* Waits (at most 20 s) until the focused row shows record @index of @all. */
static gboolean
wait_for_focus_on (GtkWindow *window,
                   GPtrArray *all,
                   guint      index)
{
  const char *want = bb_record_get_id (g_ptr_array_index (all, index));
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      BbRecord *record = focused_record (window);

      if (record != NULL && g_strcmp0 (bb_record_get_id (record), want) == 0)
        return TRUE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  {
    BbRecord *record = focused_record (window);

    g_printerr ("focus is on %s, not on record %u (%s)\n",
                record != NULL ? bb_record_get_field_string (record, "place") : "no record",
                index, bb_record_get_field_string (g_ptr_array_index (all, index), "place"));
  }
  return FALSE;
}

/* End, Ctrl+End and Home sent as real key events (xdotool, XTEST) to the
 * window: End reaches the last record, not the last one read, reading its
 * page from the end rather than every page before it. */
static void
test_window_end_key_goes_to_the_last_record (void)
{
  const guint n = 5000;
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *xid = NULL;
  g_autoptr(BbApplication) app = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *program = g_find_program_in_path ("xdotool");
  BbWindow *window;
  BbStore *store;
  GtkWidget *list_view;
  guint64 fetched;
  gint64 deadline;

#ifdef GDK_WINDOWING_X11
  if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
#endif
    {
      g_test_skip ("real key events need an X display (run under xvfb-run)");
      return;
    }
  if (program == NULL)
    {
      g_test_skip ("xdotool is not installed (.ci/packages lists it)");
      return;
    }

  {
    g_autoptr(BbSession) session = bb_session_new (dir, &error);

    g_assert_no_error (error);
    bb_session_set_identity (session, "PCSO 4521", BB_ROLE_OFFICER, "4521", &error);
    g_assert_no_error (error);
    seed_store (bb_session_get_store (session), n);
    all = bb_store_list_records (bb_session_get_store (session), NULL, 0, n, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (all->len, ==, n);
  }

  app = g_object_new (BB_TYPE_APPLICATION,
                      "application-id", "org.beatbook.Beatbook.TestListEnd",
                      "resource-base-path", "/org/beatbook/Beatbook",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "data-dir", dir,
                      NULL);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  store = bb_session_get_store (bb_application_get_session (app));

  window = bb_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1366, 768);
  gtk_window_present (GTK_WINDOW (window));
  /* Every kind (the window keeps the last one chosen, in the settings). */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (bb_window_get_kind_dropdown (window)), 0);
  wait_ms (300);

#ifdef GDK_WINDOWING_X11
  xid = g_strdup_printf ("%lu", (unsigned long) gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window))));
#endif
  /* No window manager under Xvfb: the window is given the X input focus. */
  xdotool ("windowfocus", "--sync", xid, NULL);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!gtk_window_is_active (GTK_WINDOW (window)) && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  g_assert_true (gtk_window_is_active (GTK_WINDOW (window)));

  /* Focus on a row of the list, then Home: the first record. */
  list_view = bb_window_get_list_view (window);
  gtk_widget_grab_focus (list_view);
  if (gtk_root_get_focus (GTK_ROOT (window)) == list_view)
    gtk_widget_child_focus (list_view, GTK_DIR_TAB_FORWARD);
  g_assert_nonnull (focused_record (GTK_WINDOW (window)));
  xdotool ("key", "Home", NULL);
  g_assert_true (wait_for_focus_on (GTK_WINDOW (window), all, 0));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (bb_window_get_model (window))), <, n);

  fetched = bb_store_get_rows_fetched (store);
  xdotool ("key", "End", NULL);
  g_assert_true (wait_for_focus_on (GTK_WINDOW (window), all, n - 1));
  /* The last page and the rows GtkListView keeps around the ones shown
   * (up to 200 in 4.8), read upwards from the end: not the 5,000. */
  wait_ms (200);
  g_test_message ("Rows read for End: %" G_GUINT64_FORMAT, bb_store_get_rows_fetched (store) - fetched);
  g_assert_cmpuint (bb_store_get_rows_fetched (store) - fetched, <=, 12 * BB_RECORD_LIST_MODEL_PAGE_SIZE);
  g_assert_false (bb_record_list_model_get_complete (bb_window_get_model (window)));

  /* Up from the last record: the record before it, read from the end. */
  xdotool ("key", "Up", NULL);
  g_assert_true (wait_for_focus_on (GTK_WINDOW (window), all, n - 2));

  xdotool ("key", "Home", NULL);
  g_assert_true (wait_for_focus_on (GTK_WINDOW (window), all, 0));

  xdotool ("key", "ctrl+End", NULL);
  g_assert_true (wait_for_focus_on (GTK_WINDOW (window), all, n - 1));

  gtk_window_destroy (GTK_WINDOW (window));
  iterate ();
  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  bb_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      g_printerr ("test-list: no display could be opened: skipped (run under xvfb-run -a)\n");
      return 77;
    }
  /* Quiet, deterministic: no portal, no animations between checks. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add ("/list/model/returns-every-page-in-order-newest-first", ModelFixture,
              GUINT_TO_POINTER (237), model_fixture_set_up,
              test_model_pages_in_order, model_fixture_tear_down);
  g_test_add ("/list/model/filters-by-kind-and-search-words", ModelFixture,
              GUINT_TO_POINTER (237), model_fixture_set_up,
              test_model_filters_by_kind_and_search, model_fixture_tear_down);
  g_test_add ("/list/model/end-reads-the-last-page-and-closes-the-gap", ModelFixture,
              GUINT_TO_POINTER (237), model_fixture_set_up,
              test_model_end_reads_the_last_page, model_fixture_tear_down);
  g_test_add ("/list/model/reload-shows-a-new-save-first", ModelFixture,
              GUINT_TO_POINTER (120), model_fixture_set_up,
              test_model_reload_sees_a_new_save, model_fixture_tear_down);
  g_test_add_func ("/list/window/shows-100k-records-reading-only-a-few-pages",
                   test_window_shows_100k_records_paged);
  g_test_add_func ("/list/window/end-key-goes-to-the-last-record",
                   test_window_end_key_goes_to_the_last_record);

  return g_test_run ();
}
