/* bench-device.c: timings inside one device process, for run-bench.py
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints one JSON line per figure; asserts nothing about time.
 *
 *   bench-device store DATA_DIR [--saves N] [--searches N]
 *     durable saves (p50/p99); the first page of the list as the app reads
 *     it (50 rows by key, no count: "first_page") and the next page after
 *     it ("next_page"); searches for random word prefixes (the first 50
 *     rows as the app reads them: "search"; the page after: "search_next";
 *     their count, which the app no longer asks for: "search_count"); and,
 *     for comparison with earlier runs, count + 50 rows as the app read
 *     them before keyset paging ("first_page_with_count"), in the store of
 *     DATA_DIR.
 *   bench-device review DATA_DIR [--searches N]
 *     the Review view's count as the app asks for it now, up to its cap of
 *     1,000 ("review_count": every query counted up to 1,001), and the
 *     count of every match it asked for before ("review_count_full"), for
 *     the same queries: word prefixes alone and with a ward, each ward,
 *     each ward with a priority, and no filter. Then the End key's page:
 *     the list's last 50 by key from the end ("end_page") and the 50 above
 *     them ("end_page_above"), for the whole list and each ward.
 *   bench-device sync DATA_DIR [--runs N]
 *     N sync cycles of the signed-in device, each timed (the no-op figure
 *     when there is nothing to send or receive).
 */
#define G_LOG_DOMAIN "beatbook-bench"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "beatbook.h"

#define PAGE 50
/* The Review view's cap (bb-review-view.c): it counts one more to know. */
#define REVIEW_COUNT_CAP 1000

/* Wards of run-bench.py's generated records. */
static const char * const bench_wards[] = {
  "bean_village_park", "brent", "bridge", "burnham", "darenth", "ebbsfleet",
  "greenhithe_knockhall", "heath", "joydens_wood", "longfield_new_barn_southfleet",
  "maypole_leyton_cross", "newtown", "princes", "stone_castle", "stone_house",
  "swanscombe", "temple_hill", "town", "west_hill", "wilmington_sutton_at_hone_hawley",
};

/* Words to search for when no --words file is given. */
static const char * const default_words[] = {
  "youths", "gathering", "bikes", "rubble", "mattress", "bags", "shouting",
  "cans", "graffiti", "fire", "smoke", "car", "cruising", "music", "dispersed",
  "advised", "residents", "complained", "evening", "morning", "wall", "bench",
  "shop", "alley", "gate", "fence", "broken", "lighting", "dark", "path", NULL
};

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

/* Nearest-rank percentile of @n sorted values. */
static double
percentile (GArray *values,
            double  p)
{
  guint rank;

  g_array_sort (values, compare_doubles);
  if (values->len == 0)
    return 0;
  rank = (guint) (p / 100.0 * values->len + 0.999999);
  rank = CLAMP (rank, 1, values->len);
  return g_array_index (values, double, rank - 1);
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
print_figure (const char *figure,
              GArray     *ms,
              const char *extra)
{
  g_print ("{\"figure\": \"%s\", \"n\": %u, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f%s%s}\n",
           figure, ms->len, percentile (ms, 50), percentile (ms, 99), percentile (ms, 100),
           extra != NULL ? ", " : "", extra != NULL ? extra : "");
}

/* The first page as the app reads it: 50 rows by key, no count. */
static gboolean
time_page (BbStore       *store,
           const BbQuery *query,
           GArray        *ms,
           GError       **error)
{
  g_autoptr(GPtrArray) page = NULL;
  gint64 start = g_get_monotonic_time ();

  page = bb_store_list_records_after (store, query, NULL, PAGE, error);
  if (page == NULL)
    return FALSE;
  g_array_append_val (ms, (double) { ms_since (start) });
  return TRUE;
}

/* The page after the first one, by key. */
static gboolean
time_next_page (BbStore       *store,
                const BbQuery *query,
                GArray        *ms,
                GError       **error)
{
  g_autoptr(GPtrArray) first = bb_store_list_records_after (store, query, NULL, PAGE, error);
  g_autoptr(GPtrArray) page = NULL;
  gint64 start;

  if (first == NULL)
    return FALSE;
  if (first->len < PAGE)
    return TRUE;
  start = g_get_monotonic_time ();
  page = bb_store_list_records_after (store, query, g_ptr_array_index (first, first->len - 1),
                                      PAGE, error);
  if (page == NULL)
    return FALSE;
  g_array_append_val (ms, (double) { ms_since (start) });
  return TRUE;
}

/* Count, then the first page by offset: how the app opened a list before. */
static gboolean
time_counted_page (BbStore       *store,
                   const BbQuery *query,
                   GArray        *ms,
                   guint         *n_matching,
                   GError       **error)
{
  g_autoptr(GPtrArray) page = NULL;
  gint64 start = g_get_monotonic_time ();

  if (!bb_store_count_records (store, query, n_matching, error))
    return FALSE;
  page = bb_store_list_records (store, query, 0, PAGE, error);
  if (page == NULL)
    return FALSE;
  g_array_append_val (ms, (double) { ms_since (start) });
  return TRUE;
}

static int
run_store (BbSession          *session,
           const char * const *words,
           guint               n_saves,
           guint               n_searches)
{
  BbStore *store = bb_session_get_store (session);
  g_autoptr(GArray) save_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) page_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) next_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) counted_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) search_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) search_next_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) search_count_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);
  g_autoptr(GError) error = NULL;
  g_autofree char *extra = NULL;
  guint n_records = 0, n_matching = 0;
  guint64 total_matching = 0;
  gint64 count_start;

  /* The first page as a list opens it, cold (just after opening) first. */
  for (guint i = 0; i < 20; i++)
    if (!time_page (store, NULL, page_ms, &error))
      goto fail;
  extra = g_strdup_printf ("\"first_cold_ms\": %.3f", g_array_index (page_ms, double, 0));
  print_figure ("first_page", page_ms, extra);
  g_clear_pointer (&extra, g_free);

  for (guint i = 0; i < 20; i++)
    if (!time_next_page (store, NULL, next_ms, &error))
      goto fail;
  print_figure ("next_page", next_ms, NULL);

  count_start = g_get_monotonic_time ();
  if (!bb_store_count_records (store, NULL, &n_records, &error))
    goto fail;
  extra = g_strdup_printf ("\"records\": %u, \"count_ms\": %.3f", n_records, ms_since (count_start));
  for (guint i = 0; i < 20; i++)
    if (!time_counted_page (store, NULL, counted_ms, &n_matching, &error))
      goto fail;
  print_figure ("first_page_with_count", counted_ms, extra);
  g_clear_pointer (&extra, g_free);

  for (guint i = 0; i < n_searches; i++)
    {
      const char *word = words[g_rand_int_range (rand, 0, (gint32) g_strv_length ((GStrv) words))];
      /* A prefix of 3 letters up to the whole word, as someone typing. */
      guint length = (guint) g_rand_int_range (rand, 3, (gint32) MAX (strlen (word), 3) + 1);
      g_autofree char *prefix = g_strndup (word, length);
      BbQuery query = { .search = prefix };

      if (!time_page (store, &query, search_ms, &error) ||
          !time_next_page (store, &query, search_next_ms, &error) ||
          !time_counted_page (store, &query, search_count_ms, &n_matching, &error))
        goto fail;
      total_matching += n_matching;
    }
  extra = g_strdup_printf ("\"records\": %u, \"mean_matching\": %.0f", n_records,
                           n_searches > 0 ? (double) total_matching / n_searches : 0.0);
  print_figure ("search", search_ms, extra);
  print_figure ("search_next", search_next_ms, extra);
  print_figure ("search_count", search_count_ms, extra);
  g_clear_pointer (&extra, g_free);

  for (guint i = 0; i < n_saves; i++)
    {
      g_autoptr(BbRecord) record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
      g_autoptr(JsonObject) fields = json_object_new ();
      g_autoptr(GPtrArray) problems = NULL;
      g_autofree char *now = bb_time_now_iso ();
      gint64 start;

      json_object_set_string_member (fields, "ward", "town");
      json_object_set_string_member (fields, "category", "asb_youths");
      json_object_set_string_member (fields, "description", "benchmark save: youths gathering by the shop");
      bb_record_set_fields (record, fields);
      bb_record_set_occurred_at (record, now);
      bb_record_set_priority (record, 3);

      start = g_get_monotonic_time ();
      if (!bb_session_save_record (session, record, &problems, &error))
        {
          if (error == NULL)
            {
              g_autofree char *text = bb_problems_to_string (problems);

              g_printerr ("bench-device: the save was refused: %s\n", text);
              return 1;
            }
          goto fail;
        }
      g_array_append_val (save_ms, (double) { ms_since (start) });
    }
  extra = g_strdup_printf ("\"records\": %u", n_records);
  print_figure ("save", save_ms, extra);

  return 0;

fail:
  g_printerr ("bench-device: %s\n", error->message);
  return 1;
}

static int
run_review (BbSession          *session,
            const char * const *words,
            guint               n_searches)
{
  BbStore *store = bb_session_get_store (session);
  g_autoptr(GArray) capped_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) full_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) end_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) above_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GPtrArray) prefixes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) queries = g_array_new (FALSE, TRUE, sizeof (BbQuery));
  g_autoptr(GRand) rand = g_rand_new_with_seed (16);
  g_autoptr(GError) error = NULL;
  g_autofree char *extra = NULL;
  guint n_capped = 0, n_wrong = 0;

  for (guint i = 0; i < n_searches; i++)
    {
      const char *word = words[g_rand_int_range (rand, 0, (gint32) g_strv_length ((GStrv) words))];
      guint length = (guint) g_rand_int_range (rand, 3, (gint32) MAX (strlen (word), 3) + 1);
      char *prefix = g_strndup (word, length);

      g_ptr_array_add (prefixes, prefix);
      g_array_append_val (queries, ((BbQuery) { .search = prefix }));
      g_array_append_val (queries, ((BbQuery) {
        .search = prefix,
        .ward = bench_wards[g_rand_int_range (rand, 0, G_N_ELEMENTS (bench_wards))] }));
    }
  for (guint i = 0; i < G_N_ELEMENTS (bench_wards); i++)
    {
      g_array_append_val (queries, ((BbQuery) { .ward = bench_wards[i] }));
      g_array_append_val (queries, ((BbQuery) { .ward = bench_wards[i], .priority = 1 + i % 4 }));
    }
  g_array_append_val (queries, ((BbQuery) { 0 }));

  for (guint i = 0; i < queries->len; i++)
    {
      const BbQuery *query = &g_array_index (queries, BbQuery, i);
      guint capped = 0, full = 0;
      gint64 start = g_get_monotonic_time ();

      if (!bb_store_count_records_up_to (store, query, REVIEW_COUNT_CAP + 1, &capped, NULL, &error))
        goto fail;
      g_array_append_val (capped_ms, (double) { ms_since (start) });

      start = g_get_monotonic_time ();
      if (!bb_store_count_records (store, query, &full, &error))
        goto fail;
      g_array_append_val (full_ms, (double) { ms_since (start) });

      if (capped > REVIEW_COUNT_CAP)
        n_capped++;
      if (capped != MIN (full, REVIEW_COUNT_CAP + 1))
        n_wrong++;
    }

  extra = g_strdup_printf ("\"cap\": %u, \"over_cap\": %u, \"disagree_with_full_count\": %u",
                           REVIEW_COUNT_CAP, n_capped, n_wrong);
  print_figure ("review_count", capped_ms, extra);
  print_figure ("review_count_full", full_ms, NULL);

  /* The End key: the list's last page by key from the end, and the page
   * above it, for the whole list and for each ward. */
  for (guint i = 0; i <= G_N_ELEMENTS (bench_wards); i++)
    {
      BbQuery query = { .ward = i < G_N_ELEMENTS (bench_wards) ? bench_wards[i] : NULL };
      g_autoptr(GPtrArray) last = NULL;
      g_autoptr(GPtrArray) above = NULL;
      gint64 start = g_get_monotonic_time ();

      last = bb_store_list_records_before (store, &query, NULL, PAGE, &error);
      if (last == NULL)
        goto fail;
      g_array_append_val (end_ms, (double) { ms_since (start) });
      if (last->len < PAGE)
        continue;
      start = g_get_monotonic_time ();
      above = bb_store_list_records_before (store, &query, g_ptr_array_index (last, 0), PAGE, &error);
      if (above == NULL)
        goto fail;
      g_array_append_val (above_ms, (double) { ms_since (start) });
    }
  print_figure ("end_page", end_ms, NULL);
  print_figure ("end_page_above", above_ms, NULL);
  return n_wrong == 0 ? 0 : 1;

fail:
  g_printerr ("bench-device: %s\n", error->message);
  return 1;
}

static int
run_sync (BbSession *session,
          guint      n_runs)
{
  g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *extra = NULL;
  guint64 pushed = 0, pulled = 0;
  double first = 0;

  for (guint i = 0; i < n_runs; i++)
    {
      g_autoptr(GError) error = NULL;
      BbSyncStats stats = { 0 };
      gint64 start = g_get_monotonic_time ();

      if (!bb_session_sync (session, &stats, NULL, &error))
        {
          g_printerr ("bench-device: sync failed: %s\n", error->message);
          return 1;
        }
      if (i == 0)
        first = ms_since (start);
      g_array_append_val (ms, (double) { ms_since (start) });
      pushed += stats.pushed;
      pulled += stats.pulled;
    }

  extra = g_strdup_printf ("\"first_ms\": %.3f, \"pushed\": %" G_GUINT64_FORMAT
                           ", \"pulled\": %" G_GUINT64_FORMAT, first, pushed, pulled);
  print_figure ("sync_in_process", ms, extra);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("store|review|sync DATA_DIR");
  g_autoptr(GError) error = NULL;
  g_autoptr(BbSession) session = NULL;
  int saves = 200, searches = 60, runs = 5;
  g_autofree char *words_path = NULL;
  g_auto(GStrv) words = NULL;
  const GOptionEntry entries[] = {
    { "words", 0, 0, G_OPTION_ARG_FILENAME, &words_path, "Search prefixes of the words of FILE, one a line", "FILE" },
    { "saves", 0, 0, G_OPTION_ARG_INT, &saves, "Durable saves to time", "N" },
    { "searches", 0, 0, G_OPTION_ARG_INT, &searches, "Searches to time", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Sync cycles to time", "N" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 3 ||
      saves < 0 || searches < 0 || runs < 1)
    {
      g_printerr ("usage: bench-device store|review|sync DATA_DIR [--saves N] [--searches N] [--runs N]\n");
      return 2;
    }

  session = bb_session_new (argv[2], &error);
  if (session == NULL)
    {
      g_printerr ("bench-device: %s\n", error->message);
      return 1;
    }

  if (words_path != NULL)
    {
      g_autofree char *text = NULL;

      if (!g_file_get_contents (words_path, &text, NULL, &error))
        {
          g_printerr ("bench-device: %s\n", error->message);
          return 1;
        }
      words = g_strsplit (g_strstrip (text), "\n", -1);
    }

  if (g_str_equal (argv[1], "store"))
    return run_store (session, words != NULL ? (const char * const *) words : default_words,
                      (guint) saves, (guint) searches);
  if (g_str_equal (argv[1], "review"))
    return run_review (session, words != NULL ? (const char * const *) words : default_words,
                       (guint) searches);
  if (g_str_equal (argv[1], "sync"))
    return run_sync (session, (guint) runs);

  g_printerr ("bench-device: unknown mode “%s”\n", argv[1]);
  return 2;
}
