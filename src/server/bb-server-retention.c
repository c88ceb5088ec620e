/* bb-server-retention.c: records past their kind's retention are erased
 *
 * domain.md: retention is configurable per kind; records past it are
 * erased (tombstoned to devices) with an audit entry that keeps metadata
 * only. The sweep reads every live record once (a daily job over a
 * partnership's records, well within a second per hundred thousand), so it
 * needs nothing of the store beyond what pull and push use.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server"

#include "config.h"

#include <json-glib/json-glib.h>

#include "bb-kind.h"
#include "bb-server-blobs.h"
#include "bb-server-retention.h"
#include "bb-server-util.h"

#define PAGE 500

/* The ids of live records of @profile's kinds that occurred before their
 * kind's cut-off. */
static GPtrArray *
find_expired (BbServerStore  *store,
              BbProfile      *profile,
              GDateTime      *as_of,
              GError        **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  BbServerScope scope = { .everything = TRUE };
  gint64 since = 0;
  gboolean more = TRUE;

  while (more)
    {
      g_autoptr(GPtrArray) page = bb_server_store_records_pull (store, &scope, since, PAGE, &more, error);

      if (page == NULL)
        return NULL;
      for (guint i = 0; i < page->len; i++)
        {
          BbServerRecord *record = page->pdata[i];
          int days = bb_profile_get_retention_days (profile, record->kind);
          g_autoptr(GDateTime) occurred = NULL;
          g_autoptr(GDateTime) cut_off = NULL;

          since = record->seq;
          /* A tombstone holds metadata only already. */
          if (record->deleted || days <= 0)
            continue;
          occurred = g_date_time_new_from_iso8601 (record->occurred_at, NULL);
          cut_off = g_date_time_add_days (as_of, -days);
          if (occurred != NULL && g_date_time_compare (occurred, cut_off) < 0)
            g_ptr_array_add (ids, g_strdup (record->id));
        }
      if (page->len == 0)
        break;
    }

  return g_steal_pointer (&ids);
}

static gboolean
erase_one (BbServerStore  *store,
           BbServerBlobs  *blobs,
           BbProfile      *profile,
           const char     *id,
           const char     *now,
           gboolean       *erased,
           GError        **error)
{
  g_autoptr(BbServerRecord) record = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) detail_node = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *rule = NULL;
  g_autoptr(GPtrArray) hashes = NULL;
  BbServerAuditEntry entry = { 0 };

  *erased = FALSE;
  if (!bb_server_store_begin (store, error))
    return FALSE;
  record = bb_server_store_record_get (store, id, error);
  if (record == NULL)
    {
      bb_server_store_rollback (store);
      /* Gone meanwhile: nothing to erase. */
      return *error == NULL;
    }
  if (record->deleted)
    {
      bb_server_store_rollback (store);
      return TRUE;
    }

  rule = g_strdup_printf ("retention_days.%s=%d", record->kind,
                          bb_profile_get_retention_days (profile, record->kind));
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, record->kind);
  json_builder_set_member_name (builder, "occurred_at");
  json_builder_add_string_value (builder, record->occurred_at);
  json_builder_set_member_name (builder, "rule");
  json_builder_add_string_value (builder, rule);
  json_builder_end_object (builder);
  detail_node = json_builder_get_root (builder);
  detail = json_to_string (detail_node, FALSE);

  /* Its evidence files go with it, once nothing else lists them. */
  hashes = bb_server_store_record_blobs (store, id, error);
  if (hashes == NULL)
    {
      bb_server_store_rollback (store);
      return FALSE;
    }

  /* What was personal goes; what says a record existed stays. */
  record->deleted = TRUE;
  record->rev++;
  g_free (record->fields_json);
  record->fields_json = g_strdup ("{}");
  g_free (record->review_json);
  record->review_json = g_strdup ("[]");
  g_clear_pointer (&record->lookup_vrm, g_free);
  g_clear_pointer (&record->lookup_surname, g_free);
  g_clear_pointer (&record->lookup_dob, g_free);
  g_free (record->updated_at);
  record->updated_at = g_strdup (now);

  entry.at = (char *) now;
  entry.action = (char *) "erase";
  entry.record_id = record->id;
  entry.detail = detail;

  if (!bb_server_store_record_put (store, record, NULL, error) ||
      !bb_server_store_audit_append (store, &entry, error) ||
      !bb_server_store_commit (store, error))
    {
      bb_server_store_rollback (store);
      return FALSE;
    }

  *erased = TRUE;
  if (blobs != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      bb_server_blobs_drop_unlisted (blobs, store, hashes, &local_error);
      /* Left to the hourly sweep of files no record lists. */
      if (local_error != NULL)
        g_warning ("Could not remove the files of an erased record: %s", local_error->message);
    }
  return TRUE;
}

gboolean
bb_server_erase_expired (BbServerStore  *store,
                         BbServerBlobs  *blobs,
                         BbProfile      *profile,
                         GDateTime      *as_of,
                         guint          *n_erased,
                         GError        **error)
{
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *now = bb_server_time_now ();

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (BB_IS_PROFILE (profile), FALSE);
  g_return_val_if_fail (as_of != NULL, FALSE);

  *n_erased = 0;
  ids = find_expired (store, profile, as_of, error);
  if (ids == NULL)
    return FALSE;

  for (guint i = 0; i < ids->len; i++)
    {
      gboolean erased = FALSE;

      if (!erase_one (store, blobs, profile, ids->pdata[i], now, &erased, error))
        return FALSE;
      if (erased)
        (*n_erased)++;
    }

  return TRUE;
}
