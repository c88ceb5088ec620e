/* test-store-search.c: search and keyset paging give every record once,
 * newest first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A search walks the index in key order (time bucket, then num) and
 * restores the list's order (occurred_at, then id) within a bucket; lists
 * page by key. Each test compares what the store returns with the answer
 * worked out here from every record, over records that share times, have
 * times in unusual shapes, were edited to another time, were pulled (their
 * search text still waiting in search_pending) or deleted.
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "beatbook.h"
#include "test-files.h"
#include "test-store-fixture.h"
#include "bb-store-private.h"

/* Words no other field holds, so the expected matches are known here. */
static const char * const words[] = {
  "zorbit", "zorbax", "zonked", "quimble", "quasar", "quasi", "xylo", "xyster",
};

/* Times with many ties, a few in other shapes the wire allows (an offset,
 * a fraction, no seconds), which sort by their text as the list does. */
static const char * const times[] = {
  "2026-03-01T21:14:00Z", "2026-03-01T21:14:00Z", "2026-03-01T21:14:00+01:00",
  "2026-03-01T21:14:00.5Z", "2026-03-01T21:14Z", "2026-03-01T21:15:00Z",
  "2026-02-28T23:59:59Z", "2026-01-01T00:00:00Z", "2025-12-31T23:59:59Z",
  "2026-03-01T21:14:59Z", "1969-07-20T20:17:40Z", "2999-01-01T00:00:00Z",
};

typedef struct
{
  char    *dir;
  char    *path;
  BbStore *store;
  GRand   *rand;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->store = bb_test_store_new ("beatbook-search-XXXXXX", "beatbook.db",
                                      &fixture->dir, &fixture->path);
  fixture->rand = g_rand_new_with_seed (20261206);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  bb_test_store_free (&fixture->store, &fixture->dir, &fixture->path);
  g_rand_free (fixture->rand);
}

static char *
random_description (GRand *rand)
{
  GString *text = g_string_new ("seen by the shops");

  for (guint i = 0, n = g_rand_int_range (rand, 0, 4); i < n; i++)
    g_string_append_printf (text, " %s", words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
  return g_string_free (text, FALSE);
}

static BbRecord *
make_record (GRand *rand)
{
  BbRecord *record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *description = random_description (rand);

  json_object_set_string_member (fields, "ward", g_rand_boolean (rand) ? "town" : "heath");
  json_object_set_string_member (fields, "category", "fly_tipping");
  json_object_set_string_member (fields, "description", description);
  bb_record_set_fields (record, fields);
  bb_record_set_occurred_at (record, times[g_rand_int_range (rand, 0, G_N_ELEMENTS (times))]);
  bb_record_set_priority (record, 2);
  bb_record_set_author (record, "user-4521", "PCSO 4521", "officer");
  return record;
}

/* A copy as the server sends it in a pull. */
static BbRecord *
pulled (BbRecord *record,
        gint64    rev,
        gint64    seq)
{
  BbRecord *copy = bb_record_copy (record);

  bb_record_set_rev (copy, rev);
  bb_record_set_base_rev (copy, rev);
  bb_record_set_seq (copy, seq);
  bb_record_set_updated_at (copy, "2026-03-02T08:00:00Z");
  return copy;
}

/* 240 records: saved here, pulled (search text left pending), some edited
 * to another time and text both ways, some deleted. */
static void
fill_store (Fixture *fixture)
{
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) saved = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  gint64 seq = 1;

  for (guint i = 0; i < 120; i++)
    {
      g_autoptr(BbRecord) record = make_record (fixture->rand);

      g_assert_true (bb_store_save_record (fixture->store, record, &error));
      g_assert_no_error (error);
      g_ptr_array_add (saved, g_steal_pointer (&record));
    }
  for (guint i = 0; i < 120; i++)
    {
      g_autoptr(BbRecord) record = make_record (fixture->rand);

      g_ptr_array_add (page, pulled (record, 1, seq++));
    }
  g_assert_true (bb_store_apply_pull_page (fixture->store, page, "sync.cursor", seq, &error));
  g_assert_no_error (error);

  /* Edited here: a new time and new words, indexed at once. */
  for (guint i = 0; i < saved->len; i += 3)
    {
      BbRecord *record = g_ptr_array_index (saved, i);
      g_autoptr(BbRecord) fresh = make_record (fixture->rand);

      bb_record_set_occurred_at (record, bb_record_get_occurred_at (fresh));
      bb_record_set_fields (record, bb_record_get_fields (fresh));
      g_assert_true (bb_store_save_record (fixture->store, record, &error));
      g_assert_no_error (error);
    }
  /* Deleted here. */
  for (guint i = 1; i < saved->len; i += 10)
    {
      g_assert_true (bb_store_delete_record (fixture->store, bb_record_get_id (g_ptr_array_index (saved, i)), &error));
      g_assert_no_error (error);
    }

  /* Pulled again, edited on the server: new time and words, pending. */
  {
    g_autoptr(GPtrArray) again = g_ptr_array_new_with_free_func (g_object_unref);

    for (guint i = 0; i < page->len; i += 2)
      {
        g_autoptr(BbRecord) fresh = make_record (fixture->rand);
        BbRecord *copy = pulled (g_ptr_array_index (page, i), 2, seq++);

        bb_record_set_occurred_at (copy, bb_record_get_occurred_at (fresh));
        bb_record_set_fields (copy, bb_record_get_fields (fresh));
        bb_record_set_deleted (copy, i % 14 == 0);
        g_ptr_array_add (again, copy);
      }
    g_assert_true (bb_store_apply_pull_page (fixture->store, again, "sync.cursor", seq, &error));
    g_assert_no_error (error);
  }
}

/* Whether a word of @text starts with each word of @search (all lower case
 * ASCII here), as the search promises. */
static gboolean
text_matches (const char *text,
              const char *search)
{
  g_auto(GStrv) wanted = g_strsplit (search, " ", -1);
  g_auto(GStrv) have = g_strsplit (text, " ", -1);

  for (guint i = 0; wanted[i] != NULL; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; have[j] != NULL && !found; j++)
        found = g_str_has_prefix (have[j], wanted[i]);
      if (!found)
        return FALSE;
    }
  return TRUE;
}

static int
compare_list_order (gconstpointer a,
                    gconstpointer b)
{
  BbRecord *x = *(BbRecord * const *) a;
  BbRecord *y = *(BbRecord * const *) b;
  int by_time = strcmp (bb_record_get_occurred_at (y), bb_record_get_occurred_at (x));

  return by_time != 0 ? by_time : strcmp (bb_record_get_id (y), bb_record_get_id (x));
}

/* Every live record that matches @query, in the list's order, worked out
 * here from all the records (read without a search). */
static GPtrArray *
expected (BbStore       *store,
          const BbQuery *query)
{
  g_autoptr(GError) error = NULL;
  BbQuery all = *query;
  g_autoptr(GPtrArray) records = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  all.search = NULL;
  records = bb_store_list_records (store, &all, 0, G_MAXUINT, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < records->len; i++)
    {
      BbRecord *record = g_ptr_array_index (records, i);

      if (query->search == NULL ||
          text_matches (bb_record_get_field_string (record, "description"), query->search))
        g_ptr_array_add (out, g_object_ref (record));
    }
  g_ptr_array_sort (out, compare_list_order);
  return out;
}

static void
assert_same_ids (GPtrArray  *want,
                 GPtrArray  *got,
                 const char *how)
{
  for (guint i = 0; i < MIN (want->len, got->len); i++)
    if (!g_str_equal (bb_record_get_id (g_ptr_array_index (want, i)),
                      bb_record_get_id (g_ptr_array_index (got, i))))
      g_error ("%s: item %u is %s (%s), not %s (%s)", how, i,
               bb_record_get_id (g_ptr_array_index (got, i)),
               bb_record_get_occurred_at (g_ptr_array_index (got, i)),
               bb_record_get_id (g_ptr_array_index (want, i)),
               bb_record_get_occurred_at (g_ptr_array_index (want, i)));
  g_assert_cmpuint (got->len, ==, want->len);
}

/* Every page after the one before, @size at a time. */
static GPtrArray *
all_pages_by_key (BbStore       *store,
                  const BbQuery *query,
                  guint          size)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint n_pages = 0;; n_pages++)
    {
      g_autoptr(GError) error = NULL;
      BbRecord *last = out->len > 0 ? g_ptr_array_index (out, out->len - 1) : NULL;
      g_autoptr(GPtrArray) page = bb_store_list_records_after (store, query, last, size, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (page->len, <=, size);
      g_assert_cmpuint (n_pages, <, 1000);
      for (guint i = 0; i < page->len; i++)
        g_ptr_array_add (out, g_object_ref (g_ptr_array_index (page, i)));
      if (page->len < size)
        return out;
    }
}

/* Every page before the one after it, @size at a time, from the end up:
 * turned round at the end, so it reads as the list does. */
static GPtrArray *
all_pages_backwards (BbStore       *store,
                     const BbQuery *query,
                     guint          size)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint n_pages = 0;; n_pages++)
    {
      g_autoptr(GError) error = NULL;
      BbRecord *first = out->len > 0 ? g_ptr_array_index (out, out->len - 1) : NULL;
      g_autoptr(GPtrArray) page = bb_store_list_records_before (store, query, first, size, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (page->len, <=, size);
      g_assert_cmpuint (n_pages, <, 1000);
      /* Each page in the list's order: its last is the oldest. */
      for (guint i = page->len; i-- > 0;)
        g_ptr_array_add (out, g_object_ref (g_ptr_array_index (page, i)));
      if (page->len < size)
        {
          for (guint i = 0, j = out->len; j-- > i + 1; i++)
            {
              gpointer swap = out->pdata[i];

              out->pdata[i] = out->pdata[j];
              out->pdata[j] = swap;
            }
          return out;
        }
    }
}

static GPtrArray *
all_pages_by_offset (BbStore       *store,
                     const BbQuery *query,
                     guint          size)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint offset = 0;; offset += size)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) page = bb_store_list_records (store, query, offset, size, &error);

      g_assert_no_error (error);
      for (guint i = 0; i < page->len; i++)
        g_ptr_array_add (out, g_object_ref (g_ptr_array_index (page, i)));
      if (page->len < size)
        return out;
    }
}

static void
check_query (BbStore       *store,
             const BbQuery *query,
             guint          min_expected)
{
  g_autoptr(GPtrArray) want = expected (store, query);
  g_autoptr(GPtrArray) whole = NULL;
  g_autoptr(GError) error = NULL;
  guint n = G_MAXUINT;

  g_test_message ("“%s” (ward %s): %u records", query->search, query->ward, want->len);
  g_assert_cmpuint (want->len, >=, min_expected);

  whole = bb_store_list_records (store, query, 0, G_MAXUINT, &error);
  g_assert_no_error (error);
  assert_same_ids (want, whole, "one list");

  for (guint size = 1; size <= 13; size += 4)
    {
      g_autoptr(GPtrArray) by_key = all_pages_by_key (store, query, size);
      g_autoptr(GPtrArray) by_offset = all_pages_by_offset (store, query, size);

      g_autoptr(GPtrArray) backwards = all_pages_backwards (store, query, size);

      assert_same_ids (want, by_key, "pages by key");
      assert_same_ids (want, backwards, "pages by key from the end");
      assert_same_ids (want, by_offset, "pages by offset");
    }

  g_assert_true (bb_store_count_records (store, query, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, want->len);

  /* The capped count: exact below its cap, the cap at and above it. */
  {
    const guint caps[] = { 0, 1, 7, want->len > 0 ? want->len - 1 : 0, want->len, want->len + 1, G_MAXINT };

    for (guint i = 0; i < G_N_ELEMENTS (caps); i++)
      {
        n = G_MAXUINT;
        g_assert_true (bb_store_count_records_up_to (store, query, caps[i], &n, NULL, &error));
        g_assert_no_error (error);
        g_assert_cmpuint (n, ==, MIN (want->len, caps[i]));
      }
  }
}

static void
test_search_complete_and_newest_first (Fixture       *fixture,
                                       gconstpointer  data)
{
  static const char * const searches[] = {
    "z", "zo", "zor", "zorb", "zorbi", "zorbit", "zonked", "q", "qua", "quasi",
    "quasar", "xy", "zor qua", "seen",
  };

  fill_store (fixture);
  /* The pulled records' text is not indexed yet: a search must find them. */
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT count(*) FROM search_pending"), >, 50);

  for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
    {
      check_query (fixture->store, &(BbQuery) { .search = searches[i] }, 1);
      check_query (fixture->store, &(BbQuery) { .search = searches[i], .ward = "town" }, 0);
    }
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT count(*) FROM search_pending"), ==, 0);

  /* Nothing the records no longer say, each entry under its record's key. */
  check_query (fixture->store, &(BbQuery) { .search = "nothing" }, 0);
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT count(*) FROM records_fts"), ==,
                   bb_test_sql_int (fixture->path, "SELECT count(*) FROM search_keys"));
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT count(*) FROM records_fts f"
                                           " JOIN search_keys k ON k.key = f.rowid"
                                           " AND k.num = (f.rowid & 1073741823)"), ==,
                   bb_test_sql_int (fixture->path, "SELECT count(*) FROM search_keys"));
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT count(*) FROM search_keys"), >=,
                   bb_test_sql_int (fixture->path, "SELECT count(*) FROM records WHERE deleted = 0"));
}

static void
test_list_by_key_gives_each_record_once (Fixture       *fixture,
                                         gconstpointer  data)
{
  fill_store (fixture);

  check_query (fixture->store, &(BbQuery) { 0 }, 200);
  check_query (fixture->store, &(BbQuery) { .ward = "heath" }, 50);
  check_query (fixture->store, &(BbQuery) { .kind = BB_KIND_PATROL_OBSERVATION, .priority = 2 }, 200);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Whatever the text, a record whose time sorts later never has a lower
 * bucket; distinct whole seconds in range have distinct buckets. */
static void
test_bucket_follows_text_order (void)
{
  static const char alphabet[] = "0123456789-T:Z+. /aA\x7f";
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  gint64 previous = -1;

  for (guint i = 0; i < 4000; i++)
    {
      /* A real time, then changed here and there, cut or lengthened. */
      g_autoptr(GDateTime) when = g_date_time_new_utc (g_rand_int_range (rand, 1960, 2300),
                                                       g_rand_int_range (rand, 1, 13),
                                                       g_rand_int_range (rand, 1, 29),
                                                       g_rand_int_range (rand, 0, 24),
                                                       g_rand_int_range (rand, 0, 60),
                                                       g_rand_int_range (rand, 0, 60));
      g_autofree char *text = g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ");
      guint changes = g_rand_int_range (rand, 0, 3);

      for (guint c = 0; c < changes; c++)
        text[g_rand_int_range (rand, 0, 20)] = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
      if (g_rand_int_range (rand, 0, 8) == 0)
        text[g_rand_int_range (rand, 0, 21)] = '\0';
      g_ptr_array_add (texts, g_steal_pointer (&text));
    }
  g_ptr_array_add (texts, g_strdup (""));
  g_ptr_array_sort (texts, compare_strings);

  for (guint i = 0; i < texts->len; i++)
    {
      gint64 bucket = bb_store_search_bucket (g_ptr_array_index (texts, i));

      if (bucket < previous)
        g_error ("“%s” sorts after “%s” but has a lower bucket (%" G_GINT64_FORMAT
                 " < %" G_GINT64_FORMAT ")", (char *) g_ptr_array_index (texts, i),
                 (char *) g_ptr_array_index (texts, i - 1), bucket, previous);
      previous = bucket;
    }

  g_assert_cmpint (bb_store_search_bucket ("2026-03-01T21:14:00Z"), <,
                   bb_store_search_bucket ("2026-03-01T21:14:01Z"));
  g_assert_cmpint (bb_store_search_bucket ("2026-03-01T21:14:59Z"), <,
                   bb_store_search_bucket ("2026-03-01T21:15:00Z"));
  g_assert_cmpint (bb_store_search_bucket ("1969-12-31T23:59:59Z"), ==, 0);
  g_assert_cmpint (bb_store_search_bucket ("1969-12-31T23:59:59Z"), <,
                   bb_store_search_bucket ("1970-01-01T00:00:00Z"));
  g_assert_cmpint (bb_store_search_bucket ("2207-12-31T23:59:59Z") >> (63 - BB_SEARCH_NUM_BITS), ==, 0);
  g_assert_cmpint (bb_store_search_key ("9999-12-31T23:59:59Z", BB_SEARCH_NUM_MASK), >, 0);
}

/* More pulled records than one batch of the bulk index (ENTRY_BATCH):
 * every one is found, in order, each entry under its key. */
static void
test_bulk_index_in_batches (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) want = NULL;
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GError) error = NULL;
  BbQuery query = { .search = "zorb" };
  const guint n = 9001;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BbRecord) record = make_record (fixture->rand);
      g_autoptr(GDateTime) when = g_date_time_new_utc (2025, 1 + g_rand_int_range (fixture->rand, 0, 12),
                                                       1 + g_rand_int_range (fixture->rand, 0, 28),
                                                       g_rand_int_range (fixture->rand, 0, 24), 0, 0);
      g_autofree char *iso = g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ");

      bb_record_set_occurred_at (record, iso);
      g_ptr_array_add (page, pulled (record, 1, i + 1));
    }
  g_assert_true (bb_store_apply_pull_page (fixture->store, page, "sync.cursor", n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT count(*) FROM search_pending"), ==, n);

  want = expected (fixture->store, &query);
  g_assert_cmpuint (want->len, >, 1000);
  got = bb_store_list_records (fixture->store, &query, 0, G_MAXUINT, &error);
  g_assert_no_error (error);
  assert_same_ids (want, got, "one list");
  g_clear_pointer (&got, g_ptr_array_unref);
  got = all_pages_by_key (fixture->store, &query, 50);
  assert_same_ids (want, got, "pages by key");

  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT count(*) FROM search_pending"), ==, 0);
  g_assert_cmpint (bb_test_sql_int (fixture->path, "SELECT count(*) FROM records_fts f"
                                           " JOIN search_keys k ON k.key = f.rowid"
                                           " AND k.num = (f.rowid & 1073741823)"), ==, n);
  /* Written in bulk, with FTS5's buffer set back to its usual size. */
  g_assert_cmpint (bb_test_sql_int (fixture->path,
                            "SELECT COALESCE ((SELECT v FROM records_fts_config WHERE k = 'hashsize'),"
                            " 1048576)"),
                   ==, 1048576);
}

/* The kinds of the newest records only, tombstones left out. */
static void
test_recent_kinds (Fixture       *fixture,
                   gconstpointer  data)
{
  static const struct { const char *kind; const char *when; } rows[] = {
    { BB_KIND_VAWG_WALK, "2026-03-01T10:00:00Z" },
    { BB_KIND_VAWG_WALK, "2026-03-01T11:00:00Z" },
    { BB_KIND_VAWG_WALK, "2026-03-01T12:00:00Z" },
    { BB_KIND_PATROL_OBSERVATION, "2026-03-02T10:00:00Z" },
    { BB_KIND_PATROL_OBSERVATION, "2026-03-02T11:00:00Z" },
    { BB_KIND_PATROL_OBSERVATION, "2026-03-02T12:00:00Z" },
  };
  g_autoptr(GHashTable) newest = NULL;
  g_autoptr(GHashTable) more = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *deleted_id = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(BbRecord) record = make_record (fixture->rand);

      if (g_str_equal (rows[i].kind, BB_KIND_VAWG_WALK))
        {
          g_clear_object (&record);
          record = bb_record_new (BB_KIND_VAWG_WALK);
          json_object_set_string_member (bb_record_get_fields (record), "ward", "town");
          json_object_set_string_member (bb_record_get_fields (record), "walk_type", "buddy_walk");
        }
      bb_record_set_occurred_at (record, rows[i].when);
      g_assert_true (bb_store_save_record (fixture->store, record, &error));
      g_assert_no_error (error);
      if (i == G_N_ELEMENTS (rows) - 1)
        deleted_id = g_strdup (bb_record_get_id (record));
    }
  g_assert_true (bb_store_delete_record (fixture->store, deleted_id, &error));
  g_assert_no_error (error);

  newest = bb_store_count_recent_kinds (fixture->store, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (newest, BB_KIND_PATROL_OBSERVATION)), ==, 2);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (newest, BB_KIND_VAWG_WALK)), ==, 1);

  more = bb_store_count_recent_kinds (fixture->store, 500, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (more, BB_KIND_PATROL_OBSERVATION)), ==, 2);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (more, BB_KIND_VAWG_WALK)), ==, 3);
}

/* A count cancelled (the Review view's filter changed) stops and says so. */
static void
test_capped_count_stops_when_cancelled (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  guint n = G_MAXUINT;

  fill_store (fixture);
  g_assert_true (bb_store_count_records_up_to (fixture->store, &(BbQuery) { .search = "zor" }, 1000, &n,
                                               cancellable, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, >, 0);

  g_cancellable_cancel (cancellable);
  g_assert_false (bb_store_count_records_up_to (fixture->store, &(BbQuery) { .search = "zor" }, 1000, &n,
                                                cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (n, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/store/search/finds-every-match-newest-first-in-any-page-size",
       test_search_complete_and_newest_first);
  ADD ("/store/list/pages-by-key-give-each-record-once", test_list_by_key_gives_each_record_once);
  ADD ("/store/list/kinds-of-the-newest-records", test_recent_kinds);
  ADD ("/store/count/capped-count-stops-when-cancelled", test_capped_count_stops_when_cancelled);
  ADD ("/store/search/bulk-index-in-batches-finds-every-record", test_bulk_index_in_batches);
  g_test_add_func ("/store/search/key-bucket-follows-the-text-order", test_bucket_follows_text_order);

  return g_test_run ();
}
