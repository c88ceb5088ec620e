/* device-crowd.h: many devices, each a thread with its own HTTP session,
 * talking to real beatbook-servers on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by test-crowd.c (fifty devices, one server) and test-scale-out.c
 * (fifty devices, three servers on one database). Before including it, a
 * test defines PASSWORD and DEVICE_NAME (a format with the device's index)
 * and the two functions it calls:
 *
 *   static const char *crowd_base_url (void);   where a request goes
 *   static char *crowd_username (guint user);  a user's sign-in name
 */
#pragma once

#include <string.h>

#include "api-helpers.h"

static const char *crowd_base_url (void);
static char *crowd_username (guint user);

typedef struct
{
  char   *id;
  gint64  rev;
  gint64  seq;
} Change;

typedef struct
{
  guint        index;
  guint        user;
  char        *device_id;
  char        *token;
  char        *user_id;
  GArray      *applied;   /* Change: what its pushes applied */
  GArray      *seen;      /* Change: what its pulls returned, in order */
  GArray      *own;       /* Change: its records, latest rev, for edits */
  gint64       cursor;
  guint        n_requests;
  guint        n_duplicates;
  char        *failure;   /* the first thing that went wrong */
} Device;

static void
change_clear (gpointer data)
{
  Change *c = data;

  g_free (c->id);
}

/* Frees what a device holds (not the device itself). */
static void
device_clear (Device *d)
{
  g_clear_pointer (&d->applied, g_array_unref);
  g_clear_pointer (&d->seen, g_array_unref);
  g_clear_pointer (&d->own, g_array_unref);
  g_clear_pointer (&d->user_id, g_free);
  g_clear_pointer (&d->device_id, g_free);
  g_clear_pointer (&d->token, g_free);
  g_clear_pointer (&d->failure, g_free);
}

static gboolean
fail (Device     *d,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (Device     *d,
      const char *format,
      ...)
{
  va_list args;

  if (d->failure == NULL)
    {
      va_start (args, format);
      d->failure = g_strdup_vprintf (format, args);
      va_end (args);
    }
  return FALSE;
}

/* One request; the parsed body, or NULL after recording why. */
static JsonNode *
http (Device      *d,
      SoupSession *session,
      const char  *method,
      const char  *path,
      const char  *body)
{
  g_autofree char *url = g_strconcat (crowd_base_url (), path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  guint status;

  if (d->token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", d->token, NULL);
      soup_message_headers_append (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  d->n_requests++;
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  if (reply == NULL)
    {
      fail (d, "%s %s: %s", method, path, error->message);
      return NULL;
    }
  status = soup_message_get_status (msg);
  if (status != 200 && status != 201)
    {
      fail (d, "%s %s: %u %.*s", method, path, status,
            (int) g_bytes_get_size (reply), (const char *) g_bytes_get_data (reply, NULL));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                   (gssize) g_bytes_get_size (reply), &error))
    {
      fail (d, "%s %s: not JSON: %s", method, path, error->message);
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

static gboolean
sign_in (Device      *d,
         SoupSession *session)
{
  g_autofree char *username = crowd_username (d->user);
  g_autofree char *body = g_strdup_printf ("{\"username\": \"%s\", \"password\": \"" PASSWORD "\","
                                           " \"device_name\": \"" DEVICE_NAME "\"}",
                                           username, d->index);
  g_autoptr(JsonNode) reply = http (d, session, "POST", "/api/v1/sessions", body);
  JsonObject *o;

  if (reply == NULL)
    return FALSE;
  o = json_node_get_object (reply);
  d->token = g_strdup (json_object_get_string_member (o, "token"));
  d->device_id = g_strdup (json_object_get_string_member (o, "device_id"));
  d->user_id = g_strdup (json_object_get_string_member (json_object_get_object_member (o, "user"), "id"));
  return TRUE;
}

static void
append_change (GString    *body,
               const char *id,
               gint64      rev,
               guint       n)
{
  g_autofree char *when = api_time_from_now (-3600);

  g_string_append_printf (body,
                          "%s{\"id\": \"%s\", \"kind\": \"patrol_observation\", \"rev\": %" G_GINT64_FORMAT ","
                          " \"base_rev\": %" G_GINT64_FORMAT ", \"deleted\": false,"
                          " \"occurred_at\": \"%s\", \"priority\": 2,"
                          " \"fields\": {\"ward\": \"town\", \"place\": \"High Street\","
                          " \"category\": \"asb_youths\", \"description\": \"Round %" G_GINT64_FORMAT "\","
                          " \"people_involved\": %u}}",
                          n > 0 ? ", " : "", id, rev, rev - 1, when, rev, n);
}

/* Pulls from the cursor until `more` is false. */
static gboolean
pull (Device      *d,
      SoupSession *session)
{
  gboolean more = TRUE;

  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/sync/pull?since=%" G_GINT64_FORMAT "&limit=%d",
                                               d->cursor, g_random_int_range (5, 60));
      g_autoptr(JsonNode) reply = http (d, session, "GET", path, NULL);
      JsonObject *o;
      JsonArray *changes;
      gint64 last = d->cursor;

      if (reply == NULL)
        return FALSE;
      o = json_node_get_object (reply);
      changes = json_object_get_array_member (o, "changes");
      for (guint i = 0; i < json_array_get_length (changes); i++)
        {
          JsonObject *c = json_array_get_object_element (changes, i);
          Change seen = { 0 };

          seen.id = g_strdup (json_object_get_string_member (c, "id"));
          seen.rev = json_object_get_int_member (c, "rev");
          seen.seq = json_object_get_int_member (c, "seq");
          g_array_append_val (d->seen, seen);
          if (seen.seq <= last)
            return fail (d, "pull since %" G_GINT64_FORMAT " returned seq %" G_GINT64_FORMAT
                         " after %" G_GINT64_FORMAT, d->cursor, seen.seq, last);
          last = seen.seq;
        }
      if (json_object_get_int_member (o, "next") < last)
        return fail (d, "next %" G_GINT64_FORMAT " is behind the last seq %" G_GINT64_FORMAT,
                     json_object_get_int_member (o, "next"), last);
      d->cursor = json_object_get_int_member (o, "next");
      more = json_object_get_boolean_member (o, "more");
    }
  return TRUE;
}

/* What a device pulled, checked against @final (record id -> its last
 * applied Change) and @author (record id -> the user who wrote it): in seq
 * order with nothing twice, only what its user may see (a @supervisor sees
 * everything), none of its own revisions back, and nothing lost: the last
 * revision of every record in its scope, from its pulls or its pushes. */
static void
device_check_pulls (Device     *d,
                    guint       index,
                    gboolean    supervisor,
                    GHashTable *final,
                    GHashTable *author)
{
  GHashTableIter iter;
  gpointer key, value;
  g_autoptr(GHashTable) last = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 previous = 0;

  for (guint j = 0; j < d->seen->len; j++)
    {
      Change *c = &g_array_index (d->seen, Change, j);
      Change *applied = g_hash_table_lookup (final, c->id);
      guint owner;

      /* In seq order, nothing twice. */
      g_assert_cmpint (c->seq, >, previous);
      previous = c->seq;
      /* Only what its user may see, and only what was applied. */
      g_assert_nonnull (applied);
      owner = GPOINTER_TO_UINT (g_hash_table_lookup (author, c->id));
      if (!supervisor)
        g_assert_cmpuint (owner, ==, d->user);
      g_assert_cmpint (c->seq, <=, applied->seq);
      g_hash_table_insert (last, c->id, c);
    }

  /* None of its own revisions came back; what it pushed, it knows. */
  for (guint j = 0; j < d->applied->len; j++)
    {
      Change *own = &g_array_index (d->applied, Change, j);
      Change *seen = g_hash_table_lookup (last, own->id);

      for (guint k = 0; k < d->seen->len; k++)
        g_assert_cmpint (g_array_index (d->seen, Change, k).seq, !=, own->seq);
      if (seen == NULL || seen->seq < own->seq)
        g_hash_table_insert (last, own->id, own);
    }

  /* Nothing lost: the last revision of every record in its scope. */
  g_hash_table_iter_init (&iter, final);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Change *want = value;
      Change *got = g_hash_table_lookup (last, key);
      guint owner = GPOINTER_TO_UINT (g_hash_table_lookup (author, key));

      if (!supervisor && owner != d->user)
        continue;
      if (got == NULL)
        g_error ("device %u never saw record %s (seq %" G_GINT64_FORMAT ")",
                 index, (char *) key, want->seq);
      g_assert_cmpint (got->seq, ==, want->seq);
      g_assert_cmpint (got->rev, ==, want->rev);
    }}
