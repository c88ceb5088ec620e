/* bench-store.c: how fast the local store saves, lists and searches
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints figures only; it asserts nothing about time. Run with
 * `meson test -C BUILD --benchmark` or directly:
 *   bench-store [--max N] [--dir DIR]
 * (N records at most, 1000000 by default; DIR for the database, a new
 * temporary folder by default, removed afterwards).
 */
#define G_LOG_DOMAIN "beatbook-bench"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "beatbook.h"
#include "test-files.h"

#define PAGE_SIZE 50
#define PULL_BATCH 10000
#define REPEATS 7

static const char * const wards[] = {
  "bean_village_park", "brent", "bridge", "burnham", "darenth", "ebbsfleet",
  "greenhithe_knockhall", "heath", "joydens_wood", "longfield_new_barn_southfleet",
  "maypole_leyton_cross", "newtown", "princes", "stone_castle", "stone_house",
  "swanscombe", "temple_hill", "town", "west_hill", "wilmington_sutton_hawley",
};

static const char * const places[] = {
  "Crossways Boulevard", "Dartford Heath", "Joyce Green Lane", "Darenth Country Park",
  "Central Park", "War Memorial", "Westgate car park", "High Street", "Market Place",
  "Lowfield Street", "Cotton Lane", "Birchwood Road",
};

static const char * const words[] = {
  "youths", "gathering", "bikes", "rubble", "mattress", "bags", "shouting",
  "cans", "graffiti", "fire", "smoke", "car", "cruising", "music", "dispersed",
  "advised", "residents", "complained", "evening", "morning", "wall", "bench",
  "shop", "alley", "gate", "fence", "broken", "lighting", "dark", "path",
};

static const char * const categories[] = {
  "asb_youths", "nuisance_vehicle", "off_road_bike", "fly_tipping", "drug_dealing",
  "street_drinking", "criminal_damage", "deliberate_fire",
};

static char *data_dir;
static gboolean remove_dir;

/* A record as the server would send it in a pull: synced, with a seq. */
static BbRecord *
make_pulled_record (guint64 n,
                    GRand  *rand)
{
  BbRecord *record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GDateTime) base = g_date_time_new_utc (2025, 1, 1, 0, 0, 0);
  g_autoptr(GDateTime) when = g_date_time_add_seconds (base, g_rand_int_range (rand, 0, 700 * 86400));
  g_autofree char *occurred_at = g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ");
  g_autoptr(GString) description = g_string_new (NULL);

  for (guint i = 0; i < 12; i++)
    {
      if (i > 0)
        g_string_append_c (description, ' ');
      g_string_append (description, words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
    }
  g_string_append_printf (description, " ref%" G_GUINT64_FORMAT, n);

  json_object_set_string_member (fields, "ward", wards[n % G_N_ELEMENTS (wards)]);
  json_object_set_string_member (fields, "place", places[g_rand_int_range (rand, 0, G_N_ELEMENTS (places))]);
  json_object_set_string_member (fields, "category", categories[n % G_N_ELEMENTS (categories)]);
  json_object_set_string_member (fields, "description", description->str);
  json_object_set_int_member (fields, "people_involved", g_rand_int_range (rand, 0, 12));
  bb_record_set_fields (record, fields);
  bb_record_set_occurred_at (record, occurred_at);
  bb_record_set_updated_at (record, occurred_at);
  bb_record_set_priority (record, 1 + (int) (n % 4));
  bb_record_set_rev (record, 1);
  bb_record_set_base_rev (record, 1);
  bb_record_set_seq (record, (gint64) n + 1);
  bb_record_set_author (record, "user-4521", "PCSO 4521", "officer");
  return record;
}

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

static void
print_memory (void)
{
  g_autofree char *status = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return;

  lines = g_strsplit (status, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "VmRSS:") || g_str_has_prefix (lines[i], "VmHWM:"))
      {
        g_autofree char *squeezed = g_strdup (lines[i]);

        g_print ("  %s\n", g_strdelimit (squeezed, "\t", ' '));
      }
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

typedef struct
{
  BbStore       *store;
  const BbQuery *query;
  guint          offset;
} ListJob;

/* Median milliseconds of opening a list page: count, then the first page. */
static double
time_page_open (BbStore       *store,
                const BbQuery *query,
                guint          offset,
                guint         *n_out)
{
  double times[REPEATS];

  for (guint r = 0; r < REPEATS; r++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) page = NULL;
      gint64 start = g_get_monotonic_time ();
      guint n = 0;

      if (!bb_store_count_records (store, query, &n, &error) ||
          (page = bb_store_list_records (store, query, offset, PAGE_SIZE, &error)) == NULL)
        g_error ("list: %s", error->message);
      times[r] = seconds_since (start) * 1000.0;
      *n_out = n;
    }

  qsort (times, REPEATS, sizeof times[0], compare_doubles);
  return times[REPEATS / 2];
}

static void
report_lists (BbStore *store,
              guint    total)
{
  struct {
    const char *label;
    BbQuery     query;
    guint       offset;
  } cases[] = {
    { "all, first page", { 0 }, 0 },
    { "all, page at the middle", { 0 }, total / 2 },
    { "one kind", { .kind = BB_KIND_PATROL_OBSERVATION }, 0 },
    { "one ward", { .ward = "temple_hill" }, 0 },
    { "ward + priority + month", { .ward = "town", .priority = 2,
                                   .from = "2025-06-01T00:00:00Z", .to = "2025-07-01T00:00:00Z" }, 0 },
    { "search, common prefix “gat”", { .search = "gat" }, 0 },
    { "search, two words", { .search = "joyce mattress" }, 0 },
    { "search, one record “ref12345”", { .search = "ref12345" }, 0 },
    { "search + ward", { .search = "graffiti", .ward = "heath" }, 0 },
  };

  g_print ("  list page open (count + %u rows), median of %u:\n", PAGE_SIZE, REPEATS);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint n = 0;
      double ms = time_page_open (store, &cases[i].query, cases[i].offset, &n);

      g_print ("    %-34s %9.2f ms  (%u matching)\n", cases[i].label, ms, n);
    }
}

static void
fill_to (BbStore *store,
         guint64 *have,
         guint64  target,
         GRand   *rand)
{
  gint64 start = g_get_monotonic_time ();
  guint64 added = 0;

  while (*have < target)
    {
      g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GError) error = NULL;
      guint64 n = MIN (PULL_BATCH, target - *have);

      for (guint64 i = 0; i < n; i++)
        g_ptr_array_add (page, make_pulled_record (*have + i, rand));

      /* One transaction per page, as a pull applies them. */
      if (!bb_store_apply_pull_page (store, page, "sync.cursor", (gint64) (*have + n), &error))
        g_error ("fill: %s", error->message);
      *have += n;
      added += n;
    }

  if (added > 0)
    g_print ("  pulled %" G_GUINT64_FORMAT " records in pages of %u: %.0f records/s "
             "(building the records included)\n",
             added, PULL_BATCH, added / seconds_since (start));
}

static void
bench_saves (BbStore *store)
{
  const guint n = 300;
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BbRecord) record = make_pulled_record (10000000 + i, rand);
      g_autoptr(GError) error = NULL;

      bb_record_set_rev (record, 0);
      bb_record_set_base_rev (record, 0);
      if (!bb_store_save_record (store, record, &error))
        g_error ("save: %s", error->message);
    }

  g_print ("  %u saves, one transaction each (synchronous=FULL): %.0f saves/s\n",
           n, n / seconds_since (start));
}

static void
print_file_size (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) == 0)
    g_print ("  database file: %.1f MiB\n", st.st_size / (1024.0 * 1024.0));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— local store benchmark");
  g_autoptr(GError) error = NULL;
  g_autoptr(BbStore) store = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20260301);
  g_autofree char *path = NULL;
  gint64 max_records = 1000000;
  guint64 have = 0;
  const guint64 sizes[] = { 100000, 1000000 };
  GOptionEntry entries[] = {
    { "max", 0, 0, G_OPTION_ARG_INT64, &max_records, "Records at most", "N" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, "Folder for the database", "DIR" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (data_dir == NULL)
    {
      data_dir = g_dir_make_tmp ("beatbook-bench-XXXXXX", &error);
      if (data_dir == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      remove_dir = TRUE;
    }
  path = g_build_filename (data_dir, "bench.db", NULL);

  store = bb_store_open (path, &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_print ("bench-store: %s\n", path);
  bench_saves (store);

  for (guint i = 0; i < G_N_ELEMENTS (sizes) && sizes[i] <= (guint64) max_records; i++)
    {
      guint total = 0;

      g_print ("\nAt %" G_GUINT64_FORMAT " records:\n", sizes[i]);
      fill_to (store, &have, sizes[i], rand);
      if (!bb_store_count_records (store, NULL, &total, &error))
        g_error ("count: %s", error->message);
      report_lists (store, total);
      print_file_size (path);
      print_memory ();
    }

  g_clear_object (&store);
  if (remove_dir)
    bb_test_remove_tree (data_dir);
  g_free (data_dir);

  return 0;
}
