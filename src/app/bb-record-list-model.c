/* bb-record-list-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list grows a page at a time instead of counting first: counting a
 * million records took longer than drawing the window. Pages are read by
 * key (bb_store_list_records_after()), each after the last record of the
 * page before, which the model remembers for every page it has read, so a
 * page dropped from memory is read again at the same cost wherever it is.
 * When a row near the end is asked for, the next page is read from an idle
 * (a GListModel must not change inside get_item()).
 *
 * The End key reaches the last record without reading every page before
 * it: bb_record_list_model_load_last() reads the list's last page by key
 * from the end (bb_store_list_records_before()) and puts it after the
 * pages read from the start, with a gap between them that closes as rows
 * beside it are shown: the tail grows upwards a page at a time as the
 * head grows downwards, each leaving out what the other holds.
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include <string.h>

#include "bb-record-list-model.h"

/* Enough pages for a few screens either side of the visible rows, at each
 * end of the list; beyond this the pages furthest from the one asked for
 * are dropped. */
#define MAX_CACHED_PAGES 16

#define PAGE_SIZE BB_RECORD_LIST_MODEL_PAGE_SIZE

struct _BbRecordListModel
{
  GObject     parent_instance;

  BbStore    *store;
  char       *kind;
  char       *search;
  /* Set by bb_record_list_model_set_filter(); strings owned. */
  BbQuery     filter;
  guint       n_items;   /* head_n + tail_n */

  /* The head: pages from the start of the list, newest first. */
  GHashTable *pages;  /* page index -> GPtrArray of BbRecord */
  /* Page k starts after starts[k] (its id and time only); starts[0] is
   * NULL. One more than the pages read while there may be more: the last
   * one is then the head's last record. */
  GPtrArray  *starts;
  guint       head_n;
  guint       grow_id;

  /* The tail, read from the end of the list when the End key asks for it
   * (bb_record_list_model_load_last()) and grown upwards: tail page j
   * holds the records just before ends[j] in the list's order, in that
   * order; ends[0] is NULL (the last records). Between head and tail is a
   * gap, filled from either side as rows near it are asked for. */
  gboolean    has_tail;
  GHashTable *tail_pages;  /* j -> GPtrArray of BbRecord */
  GPtrArray  *ends;
  guint       tail_n;
  guint       grow_tail_id;

  /* Every record is held: the head read a short page, or head and tail
   * met. */
  gboolean    complete;
  gboolean    has_total;
  guint       total;
  GError     *error;
};

static void bb_record_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BbRecordListModel, bb_record_list_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      bb_record_list_model_iface_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_KIND,
  PROP_SEARCH,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
fill_query (BbRecordListModel *self,
            BbQuery           *query)
{
  *query = self->filter;
  query->kind = self->kind;
  query->search = self->search;
}

static void
filter_clear (BbQuery *filter)
{
  g_free ((char *) filter->ward);
  g_free ((char *) filter->author_id);
  g_free ((char *) filter->review_state);
  g_free ((char *) filter->from);
  g_free ((char *) filter->to);
  *filter = (BbQuery) { 0 };
}

static void
set_error (BbRecordListModel *self,
           GError            *error)
{
  g_clear_error (&self->error);
  self->error = error;
  if (error != NULL)
    g_warning ("Could not read records: %s", error->message);
}

static void
evict_far_pages (GHashTable *pages,
                 guint       near)
{
  while (g_hash_table_size (pages) >= MAX_CACHED_PAGES)
    {
      GHashTableIter iter;
      gpointer key;
      guint far = near;
      guint far_distance = 0;

      g_hash_table_iter_init (&iter, pages);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          guint page = GPOINTER_TO_UINT (key);
          guint distance = page > near ? page - near : near - page;

          if (distance >= far_distance)
            {
              far = page;
              far_distance = distance;
            }
        }
      g_hash_table_remove (pages, GUINT_TO_POINTER (far));
    }
}

static void
unref_start (gpointer start)
{
  if (start != NULL)
    g_object_unref (start);
}

/* A record that holds only what a page after (or before) it needs. */
static BbRecord *
start_after (BbRecord *record)
{
  BbRecord *start = bb_record_new (bb_record_get_kind (record));

  bb_record_set_id (start, bb_record_get_id (record));
  bb_record_set_occurred_at (start, bb_record_get_occurred_at (record));
  return start;
}

/* TRUE when @a comes before @b in the list's order (newer, or as new with
 * a higher id), as the store compares the text. */
static gboolean
comes_before (BbRecord *a,
              BbRecord *b)
{
  int by_time = strcmp (bb_record_get_occurred_at (a), bb_record_get_occurred_at (b));

  return by_time > 0 || (by_time == 0 && strcmp (bb_record_get_id (a), bb_record_get_id (b)) > 0);
}

/* How many records page @page of a side holding @n records has. */
static guint
page_length (guint n,
             guint page)
{
  return MIN (PAGE_SIZE, n - MIN (n, page * PAGE_SIZE));
}

/* Reads head page @page (its start is known) from the store. */
static GPtrArray *
fetch_head_page (BbRecordListModel *self,
                 guint              page)
{
  GPtrArray *records;
  BbQuery query;
  GError *error = NULL;

  g_assert (page < self->starts->len);

  fill_query (self, &query);
  records = bb_store_list_records_after (self->store, &query,
                                         g_ptr_array_index (self->starts, page),
                                         PAGE_SIZE, &error);
  if (records == NULL)
    set_error (self, error);
  else
    g_debug ("Read page %u (%u records)", page, records->len);
  return records;
}

/* Reads tail page @page (its end is known) from the store. */
static GPtrArray *
fetch_tail_page (BbRecordListModel *self,
                 guint              page)
{
  GPtrArray *records;
  BbQuery query;
  GError *error = NULL;

  g_assert (page < self->ends->len);

  fill_query (self, &query);
  records = bb_store_list_records_before (self->store, &query,
                                          g_ptr_array_index (self->ends, page),
                                          PAGE_SIZE, &error);
  if (records == NULL)
    set_error (self, error);
  else
    g_debug ("Read page %u from the end (%u records)", page, records->len);
  return records;
}

static GPtrArray *
get_head_page (BbRecordListModel *self,
               guint              page)
{
  GPtrArray *records = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));

  if (records != NULL)
    return records;

  /* Read before and dropped since: read again by its start, no longer
   * than it was (the last head page may stop where the tail begins). */
  records = fetch_head_page (self, page);
  if (records == NULL)
    return NULL;
  if (records->len > page_length (self->head_n, page))
    g_ptr_array_set_size (records, page_length (self->head_n, page));
  evict_far_pages (self->pages, page);
  g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), records);
  return records;
}

static GPtrArray *
get_tail_page (BbRecordListModel *self,
               guint              page)
{
  GPtrArray *records = g_hash_table_lookup (self->tail_pages, GUINT_TO_POINTER (page));
  guint length = page_length (self->tail_n, page);

  if (records != NULL)
    return records;

  records = fetch_tail_page (self, page);
  if (records == NULL)
    return NULL;
  /* The top page may stop where the head ends: its newest records go. */
  if (records->len > length)
    g_ptr_array_remove_range (records, 0, records->len - length);
  evict_far_pages (self->tail_pages, page);
  g_hash_table_insert (self->tail_pages, GUINT_TO_POINTER (page), records);
  return records;
}

static void
announce (BbRecordListModel *self,
          guint              position,
          guint              added)
{
  if (added == 0)
    return;
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, added);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* Reads the page after the head's last one, if there may be one, and adds
 * its records (before the tail, if there is one: what the tail holds
 * already is left out, and the gap is closed). Returns how many were
 * added. */
static guint
grow (BbRecordListModel *self,
      gboolean           notify)
{
  guint page = self->starts->len - 1;
  guint old_head_n = self->head_n;
  GPtrArray *records;
  guint n_read;

  if (self->complete)
    return 0;

  records = fetch_head_page (self, page);
  if (records == NULL)
    {
      self->complete = TRUE;
      return 0;
    }
  set_error (self, NULL);

  n_read = records->len;
  if (self->has_tail && self->ends->len > 0 && self->tail_n > 0)
    {
      BbRecord *tail_top = g_ptr_array_index (self->ends, self->ends->len - 1);
      guint keep = 0;

      while (keep < records->len && comes_before (g_ptr_array_index (records, keep), tail_top))
        keep++;
      g_ptr_array_set_size (records, keep);
    }

  if (n_read < PAGE_SIZE || records->len < n_read)
    self->complete = TRUE;
  else
    g_ptr_array_add (self->starts, start_after (g_ptr_array_index (records, records->len - 1)));

  evict_far_pages (self->pages, page);
  g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), records);
  self->head_n += records->len;
  self->n_items += records->len;

  if (notify)
    announce (self, old_head_n, records->len);
  return records->len;
}

/* Reads the page above the tail's top one and adds its records above it,
 * leaving out what the head holds (and closing the gap). Returns how many
 * were added. */
static guint
grow_tail (BbRecordListModel *self,
           gboolean           notify)
{
  guint page = self->ends->len - 1;
  BbRecord *head_last;
  GPtrArray *records;
  guint n_read, drop = 0;

  if (self->complete || !self->has_tail)
    return 0;

  records = fetch_tail_page (self, page);
  if (records == NULL)
    {
      self->complete = TRUE;
      return 0;
    }
  set_error (self, NULL);

  /* The head is not complete, so its last record is its last start. */
  head_last = g_ptr_array_index (self->starts, self->starts->len - 1);
  n_read = records->len;
  while (drop < records->len && !comes_before (head_last, g_ptr_array_index (records, drop)))
    drop++;
  g_ptr_array_remove_range (records, 0, drop);

  if (n_read < PAGE_SIZE || drop > 0)
    self->complete = TRUE;
  else
    g_ptr_array_add (self->ends, start_after (g_ptr_array_index (records, 0)));

  evict_far_pages (self->tail_pages, page);
  g_hash_table_insert (self->tail_pages, GUINT_TO_POINTER (page), records);
  self->tail_n += records->len;
  self->n_items += records->len;

  /* Newer than the tail's top: they go in above it, where the gap is. */
  if (notify)
    announce (self, self->head_n, records->len);
  return records->len;
}

static gboolean
grow_from_idle (gpointer data)
{
  BbRecordListModel *self = data;

  self->grow_id = 0;
  grow (self, TRUE);
  return G_SOURCE_REMOVE;
}

static gboolean
grow_tail_from_idle (gpointer data)
{
  BbRecordListModel *self = data;

  self->grow_tail_id = 0;
  grow_tail (self, TRUE);
  return G_SOURCE_REMOVE;
}

/* Forgets every page; reads the first one. */
static void
restart (BbRecordListModel *self)
{
  g_clear_handle_id (&self->grow_id, g_source_remove);
  g_clear_handle_id (&self->grow_tail_id, g_source_remove);
  g_hash_table_remove_all (self->pages);
  g_hash_table_remove_all (self->tail_pages);
  g_ptr_array_set_size (self->starts, 0);
  g_ptr_array_add (self->starts, NULL);
  g_ptr_array_set_size (self->ends, 0);
  self->has_tail = FALSE;
  self->complete = FALSE;
  self->n_items = 0;
  self->head_n = 0;
  self->tail_n = 0;
  self->has_total = FALSE;
  set_error (self, NULL);
  grow (self, FALSE);
}

/* (transfer none) The record at @position, its page read if it had been
 * dropped; NULL past the end or when the store changed under the list.
 * @schedule: grow the head or the tail from an idle when @position is near
 * the gap (or the end), as a row shown there asks. */
static BbRecord *
item_at (BbRecordListModel *self,
         guint              position,
         gboolean           schedule)
{
  GPtrArray *records;

  if (position >= self->n_items)
    return NULL;

  if (position < self->head_n)
    {
      guint page = position / PAGE_SIZE;
      guint index = position % PAGE_SIZE;

      /* A row of the head's last page is wanted: the next one is read soon. */
      if (schedule && !self->complete && self->grow_id == 0 &&
          position + PAGE_SIZE >= self->head_n)
        self->grow_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, grow_from_idle, self, NULL);

      records = get_head_page (self, page);
      /* The store changed under us without a reload (e.g. a sync): a short
       * page is possible until the owner calls bb_record_list_model_reload(). */
      if (records == NULL || index >= records->len)
        return NULL;
      return g_ptr_array_index (records, index);
    }
  else
    {
      /* The tail counts up from the list's last record. */
      guint from_top = position - self->head_n;
      guint from_end = self->tail_n - 1 - from_top;
      guint page = from_end / PAGE_SIZE;
      guint length = page_length (self->tail_n, page);
      guint index = length - 1 - from_end % PAGE_SIZE;

      if (schedule && !self->complete && self->grow_tail_id == 0 && from_top < PAGE_SIZE)
        self->grow_tail_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, grow_tail_from_idle, self, NULL);

      records = get_tail_page (self, page);
      if (records == NULL || records->len != length)
        return NULL;
      return g_ptr_array_index (records, index);
    }
}

static GType
bb_record_list_model_get_item_type (GListModel *model)
{
  return BB_TYPE_RECORD;
}

static guint
bb_record_list_model_get_n_items (GListModel *model)
{
  return BB_RECORD_LIST_MODEL (model)->n_items;
}

static gpointer
bb_record_list_model_get_item (GListModel *model,
                               guint       position)
{
  BbRecord *record = item_at (BB_RECORD_LIST_MODEL (model), position, TRUE);

  return record != NULL ? g_object_ref (record) : NULL;
}

static void
bb_record_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = bb_record_list_model_get_item_type;
  iface->get_n_items = bb_record_list_model_get_n_items;
  iface->get_item = bb_record_list_model_get_item;
}

static void
bb_record_list_model_dispose (GObject *object)
{
  BbRecordListModel *self = BB_RECORD_LIST_MODEL (object);

  g_clear_handle_id (&self->grow_id, g_source_remove);
  g_clear_handle_id (&self->grow_tail_id, g_source_remove);
  g_clear_object (&self->store);
  g_hash_table_remove_all (self->pages);
  g_hash_table_remove_all (self->tail_pages);

  G_OBJECT_CLASS (bb_record_list_model_parent_class)->dispose (object);
}

static void
bb_record_list_model_finalize (GObject *object)
{
  BbRecordListModel *self = BB_RECORD_LIST_MODEL (object);

  g_clear_pointer (&self->kind, g_free);
  g_clear_pointer (&self->search, g_free);
  filter_clear (&self->filter);
  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_clear_pointer (&self->starts, g_ptr_array_unref);
  g_clear_pointer (&self->tail_pages, g_hash_table_unref);
  g_clear_pointer (&self->ends, g_ptr_array_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (bb_record_list_model_parent_class)->finalize (object);
}

static void
bb_record_list_model_constructed (GObject *object)
{
  BbRecordListModel *self = BB_RECORD_LIST_MODEL (object);

  G_OBJECT_CLASS (bb_record_list_model_parent_class)->constructed (object);

  g_assert (self->store != NULL);
  restart (self);
}

static void
bb_record_list_model_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  BbRecordListModel *self = BB_RECORD_LIST_MODEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_KIND:
      g_value_set_string (value, self->kind);
      break;
    case PROP_SEARCH:
      g_value_set_string (value, self->search);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_items);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bb_record_list_model_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  BbRecordListModel *self = BB_RECORD_LIST_MODEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_KIND:
      bb_record_list_model_set_kind (self, g_value_get_string (value));
      break;
    case PROP_SEARCH:
      bb_record_list_model_set_search (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bb_record_list_model_class_init (BbRecordListModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = bb_record_list_model_constructed;
  object_class->dispose = bb_record_list_model_dispose;
  object_class->finalize = bb_record_list_model_finalize;
  object_class->get_property = bb_record_list_model_get_property;
  object_class->set_property = bb_record_list_model_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         BB_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIND] =
    g_param_spec_string ("kind", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEARCH] =
    g_param_spec_string ("search", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bb_record_list_model_init (BbRecordListModel *self)
{
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  self->starts = g_ptr_array_new_with_free_func (unref_start);
  self->tail_pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  self->ends = g_ptr_array_new_with_free_func (unref_start);
}

BbRecordListModel *
bb_record_list_model_new (BbStore *store)
{
  g_return_val_if_fail (BB_IS_STORE (store), NULL);

  return g_object_new (BB_TYPE_RECORD_LIST_MODEL, "store", store, NULL);
}

BbStore *
bb_record_list_model_get_store (BbRecordListModel *self)
{
  g_return_val_if_fail (BB_IS_RECORD_LIST_MODEL (self), NULL);

  return self->store;
}

void
bb_record_list_model_reload (BbRecordListModel *self)
{
  guint old_n;

  g_return_if_fail (BB_IS_RECORD_LIST_MODEL (self));

  /* Still being constructed: constructed() reads the first page. */
  if (self->store == NULL)
    return;

  old_n = self->n_items;
  restart (self);

  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, self->n_items);
  if (old_n != self->n_items)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static char *
normalise_empty (const char *str)
{
  g_autofree char *copy = NULL;

  if (str == NULL)
    return NULL;

  copy = g_strstrip (g_strdup (str));
  if (*copy == '\0')
    return NULL;

  return g_steal_pointer (&copy);
}

void
bb_record_list_model_set_kind (BbRecordListModel *self,
                               const char        *kind)
{
  g_autofree char *value = normalise_empty (kind);

  g_return_if_fail (BB_IS_RECORD_LIST_MODEL (self));

  if (g_strcmp0 (value, self->kind) == 0)
    return;

  g_free (self->kind);
  self->kind = g_steal_pointer (&value);
  bb_record_list_model_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
}

const char *
bb_record_list_model_get_kind (BbRecordListModel *self)
{
  g_return_val_if_fail (BB_IS_RECORD_LIST_MODEL (self), NULL);

  return self->kind;
}

void
bb_record_list_model_set_search (BbRecordListModel *self,
                                 const char        *search)
{
  g_autofree char *value = normalise_empty (search);

  g_return_if_fail (BB_IS_RECORD_LIST_MODEL (self));

  if (g_strcmp0 (value, self->search) == 0)
    return;

  g_free (self->search);
  self->search = g_steal_pointer (&value);
  bb_record_list_model_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);
}

void
bb_record_list_model_set_filter (BbRecordListModel *self,
                                 const BbQuery     *filter)
{
  g_return_if_fail (BB_IS_RECORD_LIST_MODEL (self));

  filter_clear (&self->filter);
  if (filter != NULL)
    {
      self->filter.ward = normalise_empty (filter->ward);
      self->filter.author_id = normalise_empty (filter->author_id);
      self->filter.review_state = normalise_empty (filter->review_state);
      self->filter.from = normalise_empty (filter->from);
      self->filter.to = normalise_empty (filter->to);
      self->filter.priority = filter->priority;
    }
  bb_record_list_model_reload (self);
}

const char *
bb_record_list_model_get_search (BbRecordListModel *self)
{
  g_return_val_if_fail (BB_IS_RECORD_LIST_MODEL (self), NULL);

  return self->search;
}

guint
bb_record_list_model_find (BbRecordListModel *self,
                           const char        *id,
                           guint              max_scan)
{
  g_return_val_if_fail (BB_IS_RECORD_LIST_MODEL (self), G_MAXUINT);
  g_return_val_if_fail (id != NULL, G_MAXUINT);

  for (guint position = 0; position < max_scan; position++)
    {
      BbRecord *record;

      /* Past what has been read from the start: read on, as scrolling
       * there would (the tail, if any, is reached once the gap closes). */
      while (position >= self->head_n && !self->complete)
        if (grow (self, TRUE) == 0)
          break;
      if (position >= self->head_n && !self->complete)
        break;

      record = item_at (self, position, FALSE);
      if (record == NULL)
        break;
      if (g_strcmp0 (bb_record_get_id (record), id) == 0)
        return position;
    }

  return G_MAXUINT;
}

gboolean
bb_record_list_model_load_more (BbRecordListModel *self)
{
  g_return_val_if_fail (BB_IS_RECORD_LIST_MODEL (self), FALSE);

  return grow (self, TRUE) > 0;
}

gboolean
bb_record_list_model_load_last (BbRecordListModel *self)
{
  g_return_val_if_fail (BB_IS_RECORD_LIST_MODEL (self), FALSE);

  if (self->complete || self->has_tail)
    return FALSE;

  g_ptr_array_add (self->ends, NULL);
  self->has_tail = TRUE;
  return grow_tail (self, TRUE) > 0;
}

gboolean
bb_record_list_model_fill_gap (BbRecordListModel *self)
{
  g_return_val_if_fail (BB_IS_RECORD_LIST_MODEL (self), FALSE);

  return grow_tail (self, TRUE) > 0;
}

gboolean
bb_record_list_model_get_complete (BbRecordListModel *self)
{
  g_return_val_if_fail (BB_IS_RECORD_LIST_MODEL (self), TRUE);

  return self->complete;
}

guint
bb_record_list_model_get_total (BbRecordListModel *self)
{
  BbQuery query;
  GError *error = NULL;

  g_return_val_if_fail (BB_IS_RECORD_LIST_MODEL (self), 0);

  if (self->complete)
    return self->n_items;
  if (self->has_total)
    return self->total;

  fill_query (self, &query);
  if (!bb_store_count_records (self->store, &query, &self->total, &error))
    {
      set_error (self, error);
      return self->n_items;
    }
  self->has_total = TRUE;
  return self->total;
}

/* What a worker thread counts: the query as it was asked, strings owned. */
typedef struct
{
  BbQuery query;
  guint   limit;
} CountJob;

static void
count_job_free (CountJob *job)
{
  g_free ((char *) job->query.kind);
  g_free ((char *) job->query.search);
  filter_clear (&job->query);
  g_free (job);
}

static void
count_in_thread (GTask        *task,
                 gpointer      source,
                 gpointer      data,
                 GCancellable *cancellable)
{
  BbRecordListModel *self = source;
  CountJob *job = data;
  GError *error = NULL;
  guint n = 0;

  if (!bb_store_count_records_up_to (self->store, &job->query, job->limit, &n, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

void
bb_record_list_model_count_async (BbRecordListModel   *self,
                                  guint                limit,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CountJob *job;

  g_return_if_fail (BB_IS_RECORD_LIST_MODEL (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  job = g_new0 (CountJob, 1);
  job->limit = limit;
  job->query = (BbQuery) {
    .kind = g_strdup (self->kind),
    .search = g_strdup (self->search),
    .ward = g_strdup (self->filter.ward),
    .author_id = g_strdup (self->filter.author_id),
    .review_state = g_strdup (self->filter.review_state),
    .from = g_strdup (self->filter.from),
    .to = g_strdup (self->filter.to),
    .priority = self->filter.priority,
  };

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bb_record_list_model_count_async);
  g_task_set_task_data (task, job, (GDestroyNotify) count_job_free);
  g_task_run_in_thread (task, count_in_thread);
}

gboolean
bb_record_list_model_count_finish (BbRecordListModel  *self,
                                   GAsyncResult       *result,
                                   guint              *n_records,
                                   GError            **error)
{
  gssize n;

  g_return_val_if_fail (BB_IS_RECORD_LIST_MODEL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (n_records != NULL, FALSE);

  n = g_task_propagate_int (G_TASK (result), error);
  if (n < 0)
    return FALSE;
  *n_records = (guint) n;
  return TRUE;
}

const GError *
bb_record_list_model_get_error (BbRecordListModel *self)
{
  g_return_val_if_fail (BB_IS_RECORD_LIST_MODEL (self), NULL);

  return self->error;
}

guint
bb_record_list_model_get_n_cached_pages (BbRecordListModel *self)
{
  g_return_val_if_fail (BB_IS_RECORD_LIST_MODEL (self), 0);

  return g_hash_table_size (self->pages) + g_hash_table_size (self->tail_pages);
}
