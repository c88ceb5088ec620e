/* bb-record-list-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include "bb-record-list-model.h"

/* Enough pages for a few screens either side of the visible rows; beyond
 * this the pages furthest from the one asked for are dropped. */
#define MAX_CACHED_PAGES 16

struct _BbRecordListModel
{
  GObject     parent_instance;

  BbStore    *store;
  char       *kind;
  char       *search;
  /* Set by bb_record_list_model_set_filter(); strings owned. */
  BbQuery     filter;
  guint       n_items;
  GHashTable *pages;  /* page index -> GPtrArray of BbRecord */
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

static guint
count_items (BbRecordListModel *self)
{
  BbQuery query;
  guint n = 0;
  GError *error = NULL;

  fill_query (self, &query);
  if (!bb_store_count_records (self->store, &query, &n, &error))
    {
      set_error (self, error);
      return 0;
    }

  set_error (self, NULL);
  return n;
}

static void
evict_far_pages (BbRecordListModel *self,
                 guint              near)
{
  while (g_hash_table_size (self->pages) >= MAX_CACHED_PAGES)
    {
      GHashTableIter iter;
      gpointer key;
      guint far = near;
      guint far_distance = 0;

      g_hash_table_iter_init (&iter, self->pages);
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
      g_hash_table_remove (self->pages, GUINT_TO_POINTER (far));
    }
}

static GPtrArray *
get_page (BbRecordListModel *self,
          guint              page)
{
  GPtrArray *records;
  BbQuery query;
  GError *error = NULL;

  records = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));
  if (records != NULL)
    return records;

  fill_query (self, &query);
  records = bb_store_list_records (self->store, &query,
                                   page * BB_RECORD_LIST_MODEL_PAGE_SIZE,
                                   BB_RECORD_LIST_MODEL_PAGE_SIZE,
                                   &error);
  if (records == NULL)
    {
      set_error (self, error);
      return NULL;
    }

  g_debug ("Read page %u (%u records)", page, records->len);
  evict_far_pages (self, page);
  g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), records);
  return records;
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
  BbRecordListModel *self = BB_RECORD_LIST_MODEL (model);
  guint page = position / BB_RECORD_LIST_MODEL_PAGE_SIZE;
  guint index = position % BB_RECORD_LIST_MODEL_PAGE_SIZE;
  GPtrArray *records;

  if (position >= self->n_items)
    return NULL;

  records = get_page (self, page);
  /* The store changed under us without a reload (e.g. a sync): a short page
   * is possible until the owner calls bb_record_list_model_reload(). */
  if (records == NULL || index >= records->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (records, index));
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

  g_clear_object (&self->store);
  g_hash_table_remove_all (self->pages);

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
  g_clear_error (&self->error);

  G_OBJECT_CLASS (bb_record_list_model_parent_class)->finalize (object);
}

static void
bb_record_list_model_constructed (GObject *object)
{
  BbRecordListModel *self = BB_RECORD_LIST_MODEL (object);

  G_OBJECT_CLASS (bb_record_list_model_parent_class)->constructed (object);

  g_assert (self->store != NULL);
  self->n_items = count_items (self);
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

  /* Still being constructed: constructed() counts. */
  if (self->store == NULL)
    return;

  old_n = self->n_items;
  g_hash_table_remove_all (self->pages);
  self->n_items = count_items (self);

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
  guint limit;

  g_return_val_if_fail (BB_IS_RECORD_LIST_MODEL (self), G_MAXUINT);
  g_return_val_if_fail (id != NULL, G_MAXUINT);

  limit = MIN (max_scan, self->n_items);
  for (guint page = 0; page * BB_RECORD_LIST_MODEL_PAGE_SIZE < limit; page++)
    {
      GPtrArray *records = get_page (self, page);

      if (records == NULL)
        break;

      for (guint i = 0; i < records->len; i++)
        {
          guint position = page * BB_RECORD_LIST_MODEL_PAGE_SIZE + i;

          if (position >= limit)
            return G_MAXUINT;
          if (g_strcmp0 (bb_record_get_id (g_ptr_array_index (records, i)), id) == 0)
            return position;
        }
    }

  return G_MAXUINT;
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

  return g_hash_table_size (self->pages);
}
