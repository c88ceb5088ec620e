/* bb-store-purge.c: devices hold the minimum (domain.md, docs/security.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

#include <sqlite3.h>

#include "bb-i18n.h"
#include "bb-profile.h"
#include "bb-store.h"
#include "bb-store-private.h"
#include "bb-time.h"

/* The personal fields of a Section 59 warning (bb-kind.c, PERS), as JSON
 * paths into the record's fields. */
#define PERSONAL_PATHS \
  "'$.driver.name', '$.driver.date_of_birth', '$.driver.address', '$.driver.postcode'," \
  " '$.owner.name', '$.owner.address', '$.owner.postcode'"

#define HAS_PERSONAL \
  "(json_extract (fields, '$.driver.name') IS NOT NULL" \
  " OR json_extract (fields, '$.driver.date_of_birth') IS NOT NULL" \
  " OR json_extract (fields, '$.driver.address') IS NOT NULL" \
  " OR json_extract (fields, '$.driver.postcode') IS NOT NULL" \
  " OR json_extract (fields, '$.owner.name') IS NOT NULL" \
  " OR json_extract (fields, '$.owner.address') IS NOT NULL" \
  " OR json_extract (fields, '$.owner.postcode') IS NOT NULL)"

/* Strips what it removes from the search index too, in the caller's
 * transaction. */
static gint64
purge_where_locked (BbStore     *self,
                    const char  *where,
                    const char  *first,
                    const char  *second,
                    GError     **error)
{
  g_autofree char *sql = NULL;
  g_autoptr(BbCachedStmt) stmt = NULL;
  gint64 n = 0;

  sql = g_strconcat ("UPDATE records SET fields = json_remove (fields, " PERSONAL_PATHS "),"
                     " personal_purged_at = COALESCE (personal_purged_at, ?1)"
                     " WHERE kind = 's59_warning' AND " HAS_PERSONAL " AND ", where,
                     " RETURNING num, fields, occurred_at", NULL);
  stmt = bb_store_get_stmt (self, sql, error);
  if (stmt == NULL)
    return -1;
  bb_store_bind_text (stmt, 1, first);
  if (second != NULL)
    bb_store_bind_text (stmt, 2, second);

  /* RETURNING has made every change by the first row: the index may be
   * written while the rows are read. */
  for (;;)
    {
      int rc = sqlite3_step (stmt);
      g_autoptr(JsonNode) fields = NULL;

      if (rc == SQLITE_DONE)
        break;
      if (rc != SQLITE_ROW)
        {
          bb_store_set_db_error (self, error, _("Could not remove personal details from this device"));
          return -1;
        }
      fields = bb_store_parse_json (bb_store_column_text (stmt, 1));
      if (!bb_store_index_record (self, sqlite3_column_int64 (stmt, 0),
                                  bb_store_column_text (stmt, 2), "s59_warning",
                                  fields != NULL && JSON_NODE_HOLDS_OBJECT (fields)
                                  ? json_node_get_object (fields) : NULL,
                                  TRUE, error))
        return -1;
      n++;
    }

  return n;
}

gint64
bb_store_purge_personal_data (BbStore    *self,
                              BbProfile  *profile,
                              GDateTime  *now,
                              GError    **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GDateTime) cutoff_dt = NULL;
  g_autofree char *cutoff = NULL;
  g_autofree char *now_text = NULL;
  gint64 n;

  g_return_val_if_fail (BB_IS_STORE (self), -1);
  g_return_val_if_fail (BB_IS_PROFILE (profile), -1);
  g_return_val_if_fail (now != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  cutoff_dt = g_date_time_add_days (now, -bb_profile_get_device_personal_data_days (profile));
  cutoff = bb_time_format_iso (cutoff_dt);
  now_text = bb_time_format_iso (now);

  locker = g_mutex_locker_new (&self->lock);
  if (!bb_store_begin (self, error))
    return -1;

  /* Synced (no local edit waiting, no conflict), reviewed or closed, and
   * unchanged on the server for the profile's days since. */
  n = purge_where_locked (self,
                          "deleted = 0 AND sync_state = 'synced'"
                          " AND review_state IN ('reviewed', 'closed')"
                          " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.id = records.id)"
                          " AND updated_at IS NOT NULL"
                          " AND julianday (updated_at) <= julianday (?2)",
                          now_text, cutoff, error);
  if (n < 0 || !bb_store_commit (self, error))
    {
      bb_store_rollback (self);
      return -1;
    }

  return n;
}

/* A pull of a record this device had purged brings the details back: they
 * go again at once, in the pull's transaction. */
gboolean
bb_store_repurge_pulled_locked (BbStore     *self,
                                const char  *id,
                                GError     **error)
{
  g_autofree char *now = bb_store_now_iso ();

  return purge_where_locked (self, "personal_purged_at IS NOT NULL AND id = ?2",
                             now, id, error) >= 0;
}
