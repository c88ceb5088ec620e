/* bb-lookup.c: Section 59 prior-warning look-up, on the device and online
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "bb-i18n.h"
#include "bb-lookup.h"
#include "bb-record.h"
#include "bb-time.h"
#include "bb-vrm.h"

#define PAGE 200

void
bb_lookup_match_free (BbLookupMatch *match)
{
  if (match == NULL)
    return;
  g_free (match->id);
  g_free (match->issued_at);
  g_free (match->expires_at);
  g_free (match->vrm);
  g_free (match->driver_name);
  g_free (match->location);
  g_free (match->officer);
  g_free (match);
}

/* The last word of a full name, folded for comparison. */
static char *
surname_key (const char *name)
{
  g_autofree char *stripped = NULL;
  const char *space;

  if (name == NULL)
    return NULL;
  stripped = g_strstrip (g_strdup (name));
  space = strrchr (stripped, ' ');
  return g_utf8_casefold (space != NULL ? space + 1 : stripped, -1);
}

static gboolean
matches (BbRecord            *record,
         const BbLookupQuery *query,
         const char          *vrm_key,
         const char          *surname)
{
  if (vrm_key != NULL)
    {
      g_autofree char *vrm = bb_vrm_normalise (bb_record_get_field_string (record, "vehicle.vrm"));

      return vrm != NULL && *vrm != '\0' && strcmp (vrm, vrm_key) == 0;
    }

  if (surname != NULL && query->date_of_birth != NULL)
    {
      g_autofree char *key = surname_key (bb_record_get_field_string (record, "driver.name"));

      return key != NULL && strcmp (key, surname) == 0 &&
             g_strcmp0 (bb_record_get_field_string (record, "driver.date_of_birth"),
                        query->date_of_birth) == 0;
    }

  return FALSE;
}

static BbLookupMatch *
match_from_record (BbRecord *record)
{
  BbLookupMatch *m = g_new0 (BbLookupMatch, 1);
  const char *place = bb_record_get_field_string (record, "place");

  m->id = g_strdup (bb_record_get_id (record));
  m->issued_at = g_strdup (bb_record_get_occurred_at (record));
  m->expires_at = bb_time_add_months_iso (m->issued_at, 12);
  m->vrm = g_strdup (bb_record_get_field_string (record, "vehicle.vrm"));
  m->driver_name = g_strdup (bb_record_get_field_string (record, "driver.name"));
  m->location = g_strdup (place != NULL ? place : bb_record_get_field_string (record, "ward"));
  m->officer = g_strdup (bb_record_get_author_name (record));
  return m;
}

static gboolean
check_query (const BbLookupQuery  *query,
             GError              **error)
{
  gboolean by_vrm = query->vrm != NULL && *query->vrm != '\0';
  gboolean by_person = query->surname != NULL && *query->surname != '\0';

  if (by_vrm == by_person)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Look up either a registration mark, or a surname with a date of birth."));
      return FALSE;
    }
  if (by_person)
    {
      g_autoptr(GDateTime) dob = bb_date_parse (query->date_of_birth);

      if (dob == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("A look-up by surname needs the date of birth as YYYY-MM-DD."));
          return FALSE;
        }
    }
  return TRUE;
}

GPtrArray *
bb_lookup_offline (BbStore             *store,
                   const BbLookupQuery *query,
                   int                  window_days,
                   GError             **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify)bb_lookup_match_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) since_dt = g_date_time_add_days (now, -window_days);
  g_autofree char *since = bb_time_format_iso (since_dt);
  g_autofree char *vrm_key = NULL;
  g_autofree char *surname = NULL;
  BbQuery q = { .kind = "s59_warning", .from = since };

  g_return_val_if_fail (BB_IS_STORE (store), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  if (!check_query (query, error))
    return NULL;

  if (query->vrm != NULL && *query->vrm != '\0')
    vrm_key = bb_vrm_normalise (query->vrm);
  else
    surname = surname_key (query->surname);

  for (guint offset = 0;; offset += PAGE)
    {
      g_autoptr(GPtrArray) page = bb_store_list_records (store, &q, offset, PAGE, error);

      if (page == NULL)
        return NULL;
      for (guint i = 0; i < page->len; i++)
        if (matches (g_ptr_array_index (page, i), query, vrm_key, surname))
          g_ptr_array_add (found, match_from_record (g_ptr_array_index (page, i)));
      if (page->len < PAGE)
        break;
    }

  /* A consultation of personal data, found or not: the server's audit
   * hears of it at the next sync, as of an export. */
  {
    g_autoptr(GPtrArray) ids = g_ptr_array_new ();

    for (guint i = 0; i < found->len; i++)
      g_ptr_array_add (ids, ((BbLookupMatch *) g_ptr_array_index (found, i))->id);
    g_ptr_array_add (ids, NULL);
    if (!bb_store_queue_lookup_notice (store, (const char * const *) ids->pdata, found->len,
                                       vrm_key != NULL ? "registration mark" : "surname and date of birth",
                                       error))
      return NULL;
  }

  return g_steal_pointer (&found);
}

static char *
dup_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

GPtrArray *
bb_lookup_online (BbClient            *client,
                  const BbLookupQuery *query,
                  GCancellable        *cancellable,
                  GError             **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify)bb_lookup_match_free);
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *path = NULL;
  JsonNode *list;

  g_return_val_if_fail (client != NULL, NULL);
  g_return_val_if_fail (query != NULL, NULL);

  if (!check_query (query, error))
    return NULL;

  if (query->vrm != NULL && *query->vrm != '\0')
    {
      g_autofree char *vrm = g_uri_escape_string (query->vrm, NULL, FALSE);

      path = g_strconcat ("/api/v1/s59/lookup?vrm=", vrm, NULL);
    }
  else
    {
      g_autofree char *surname = g_uri_escape_string (query->surname, NULL, FALSE);
      g_autofree char *dob = g_uri_escape_string (query->date_of_birth, NULL, FALSE);

      path = g_strconcat ("/api/v1/s59/lookup?surname=", surname, "&dob=", dob, NULL);
    }

  answer = bb_client_request (client, "GET", path, NULL, NULL, cancellable, error);
  if (answer == NULL)
    return NULL;

  list = JSON_NODE_HOLDS_OBJECT (answer)
         ? json_object_get_member (json_node_get_object (answer), "matches") : NULL;
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error_literal (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_SERVER,
                           _("The server’s look-up answer has no “matches” list."));
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      JsonNode *item = json_array_get_element (json_node_get_array (list), i);
      JsonObject *o;
      BbLookupMatch *m;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;
      o = json_node_get_object (item);
      m = g_new0 (BbLookupMatch, 1);
      m->id = dup_member (o, "id");
      m->issued_at = dup_member (o, "issued_at");
      m->expires_at = dup_member (o, "expires_at");
      m->vrm = dup_member (o, "vrm");
      m->driver_name = dup_member (o, "driver_name");
      m->location = dup_member (o, "location");
      m->officer = dup_member (o, "officer");
      g_ptr_array_add (found, m);
    }

  return g_steal_pointer (&found);
}
