/* bb-format.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include <string.h>

#include "bb-format.h"
#include "bb-i18n.h"

static const struct {
  const char *id;
  const char *label;
  const char *icon;
} review_states[] = {
  { "new", N_("Awaiting review"), "document-open-recent-symbolic" },
  { "reviewed", N_("Reviewed"), "object-select-symbolic" },
  { "returned", N_("Returned for more information"), "mail-mark-important-symbolic" },
  { "closed", N_("Closed"), "emblem-default-symbolic" },
};

static guint
review_state_index (const char *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (review_states); i++)
    if (g_strcmp0 (review_states[i].id, state) == 0)
      return i;

  return 0;
}

const char *
bb_review_state_get_label (const char *state)
{
  return _(review_states[review_state_index (state)].label);
}

const char *
bb_review_state_get_icon (const char *state)
{
  return review_states[review_state_index (state)].icon;
}

const char *
bb_sync_state_get_icon (BbSyncState state)
{
  switch (state)
    {
    case BB_SYNC_STATE_PENDING:
      return "emblem-synchronizing-symbolic";
    case BB_SYNC_STATE_SYNCED:
      return "emblem-ok-symbolic";
    case BB_SYNC_STATE_REJECTED:
      return "dialog-error-symbolic";
    case BB_SYNC_STATE_CONFLICT:
      return "dialog-warning-symbolic";
    default:
      return "dialog-question-symbolic";
    }
}

static GDateTime *
to_local (GDateTime *dt)
{
  g_autoptr(GTimeZone) tz = bb_time_zone_local (NULL);

  return g_date_time_to_timezone (dt, tz);
}

static gboolean
same_local_day (GDateTime *a,
                GDateTime *b)
{
  return g_date_time_get_year (a) == g_date_time_get_year (b) &&
         g_date_time_get_day_of_year (a) == g_date_time_get_day_of_year (b);
}

static GDateTime *
now_or (GDateTime *now)
{
  if (now != NULL)
    return g_date_time_ref (now);

  return g_date_time_new_now_utc ();
}

char *
bb_format_time_short (const char *iso,
                      GDateTime  *now)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) now_utc = NULL;
  g_autoptr(GDateTime) now_local = NULL;
  g_autofree char *clock = NULL;

  if (iso == NULL || *iso == '\0')
    return g_strdup ("");

  utc = bb_time_parse (iso);
  if (utc == NULL)
    return g_strdup (iso);

  local = to_local (utc);
  now_utc = now_or (now);
  now_local = to_local (now_utc);
  clock = g_date_time_format (local, "%H:%M");

  if (same_local_day (local, now_local))
    /* Translators: a time today, "Today, 21:14" */
    return g_strdup_printf (_("Today, %s"), clock);

  if (g_date_time_get_year (local) == g_date_time_get_year (now_local))
    /* Translators: g_date_time_format(): "28 Nov, 21:14" */
    return g_date_time_format (local, _("%-d %b, %H:%M"));

  /* Translators: g_date_time_format(): "28 Nov 2025, 21:14" */
  return g_date_time_format (local, _("%-d %b %Y, %H:%M"));
}

char *
bb_format_state_line (guint       pending,
                      const char *last_sync_iso,
                      GDateTime  *now)
{
  g_autofree char *waiting = NULL;
  g_autofree char *synced = NULL;
  g_autoptr(GDateTime) last = NULL;

  if (pending == 0)
    waiting = g_strdup (_("Nothing waiting to send"));
  else
    waiting = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%u change waiting",
                                            "%u changes waiting",
                                            pending),
                               pending);

  if (last_sync_iso != NULL)
    last = bb_time_parse (last_sync_iso);

  if (last == NULL)
    synced = g_strdup (_("Not synced yet"));
  else
    {
      g_autoptr(GDateTime) local = to_local (last);
      g_autoptr(GDateTime) now_utc = now_or (now);
      g_autoptr(GDateTime) now_local = to_local (now_utc);
      g_autofree char *when = NULL;

      if (same_local_day (local, now_local))
        when = g_date_time_format (local, "%H:%M");
      else
        /* Translators: g_date_time_format(): "28 Nov, 21:14" */
        when = g_date_time_format (local, _("%-d %b, %H:%M"));

      /* Translators: "Last synced 21:14" or "Last synced 28 Nov, 21:14" */
      synced = g_strdup_printf (_("Last synced %s"), when);
    }

  /* Translators: the header's state line, "2 changes waiting · Not synced yet" */
  return g_strdup_printf (_("%s · %s"), waiting, synced);
}

static void
append_part (GString    *out,
             const char *part)
{
  if (part == NULL || *part == '\0')
    return;

  if (out->len > 0)
    g_string_append (out, " · ");
  g_string_append (out, part);
}

char *
bb_format_record_subtitle (BbRecord  *record,
                           BbProfile *profile,
                           GDateTime *now)
{
  GString *out = g_string_new (NULL);
  const char *ward = bb_record_get_field_string (record, "ward");
  g_autofree char *when = bb_format_time_short (bb_record_get_occurred_at (record), now);

  if (ward != NULL)
    {
      const char *label = profile != NULL ? bb_profile_get_choice_label (profile, "wards", ward) : NULL;

      append_part (out, label != NULL ? label : ward);
    }
  append_part (out, bb_record_get_field_string (record, "place"));
  append_part (out, when);

  return g_string_free (out, FALSE);
}

static char *
choice_label (BbProfile  *profile,
              const char *list,
              const char *id)
{
  const char *label = NULL;

  if (profile != NULL && list != NULL)
    label = bb_profile_get_choice_label (profile, list, id);

  return g_strdup (label != NULL ? label : id);
}

static char *
format_number (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.6f", value));
}

char *
bb_format_field_value (BbProfile         *profile,
                       const BbFieldSpec *spec,
                       JsonNode          *value)
{
  g_return_val_if_fail (spec != NULL, NULL);

  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    return NULL;

  switch (spec->type)
    {
    case BB_FIELD_TEXT:
    case BB_FIELD_CHOICE:
    case BB_FIELD_TIME:
    case BB_FIELD_DATE:
    case BB_FIELD_VRM:
      {
        const char *str;

        if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
          return NULL;
        str = json_node_get_string (value);
        if (str == NULL || *str == '\0')
          return NULL;

        if (spec->type == BB_FIELD_CHOICE)
          return choice_label (profile, spec->choices, str);
        if (spec->type == BB_FIELD_TIME)
          return bb_format_time_long (str);
        if (spec->type == BB_FIELD_DATE)
          return bb_format_date (str);
        if (spec->type == BB_FIELD_VRM)
          return bb_vrm_format_display (str);
        return g_strdup (str);
      }

    case BB_FIELD_COUNT:
      if (!JSON_NODE_HOLDS_VALUE (value))
        return NULL;
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));

    case BB_FIELD_NUMBER:
      if (!JSON_NODE_HOLDS_VALUE (value))
        return NULL;
      return format_number (json_node_get_double (value));

    case BB_FIELD_BOOL:
      if (!JSON_NODE_HOLDS_VALUE (value))
        return NULL;
      return g_strdup (json_node_get_boolean (value) ? _("Yes") : _("No"));

    case BB_FIELD_CHOICE_LIST:
    case BB_FIELD_TEXT_LIST:
      {
        JsonArray *array;
        GString *out;

        if (!JSON_NODE_HOLDS_ARRAY (value))
          return NULL;
        array = json_node_get_array (value);
        out = g_string_new (NULL);
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            JsonNode *item = json_array_get_element (array, i);
            g_autofree char *text = NULL;

            if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
              continue;
            if (spec->type == BB_FIELD_CHOICE_LIST)
              text = choice_label (profile, spec->choices, json_node_get_string (item));
            else
              text = g_strdup (json_node_get_string (item));
            if (text == NULL || *text == '\0')
              continue;
            if (out->len > 0)
              g_string_append (out, ", ");
            g_string_append (out, text);
          }
        if (out->len == 0)
          {
            g_string_free (out, TRUE);
            return NULL;
          }
        return g_string_free (out, FALSE);
      }

    case BB_FIELD_ID_LIST:
      {
        guint n;

        if (!JSON_NODE_HOLDS_ARRAY (value))
          return NULL;
        n = json_array_get_length (json_node_get_array (value));
        if (n == 0)
          return NULL;
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u record", "%u records", n), n);
      }

    case BB_FIELD_OBJECT:
    case BB_FIELD_OBJECT_LIST:
    default:
      return NULL;
    }
}

char *
bb_format_review_line (BbRecord *record)
{
  const char *state = bb_record_get_review_state (record);
  JsonArray *comments = bb_record_get_review_comments (record);
  guint n = comments != NULL ? json_array_get_length (comments) : 0;

  if (g_strcmp0 (state, "returned") == 0 && n > 0)
    {
      JsonNode *last = json_array_get_element (comments, n - 1);
      const char *text = NULL;

      if (JSON_NODE_HOLDS_OBJECT (last))
        text = json_object_get_string_member_with_default (json_node_get_object (last), "text", NULL);
      if (text != NULL && *text != '\0')
        /* TRANSLATORS: a record a supervisor sent back; %s is their comment */
        return g_strdup_printf (_("Returned: %s"), text);
    }

  return g_strdup (bb_review_state_get_label (state));
}

char *
bb_format_row_review_line (BbRecord *record)
{
  g_return_val_if_fail (BB_IS_RECORD (record), NULL);

  if (g_strcmp0 (bb_record_get_review_state (record), "returned") != 0)
    return NULL;
  return bb_format_review_line (record);
}

char *
bb_format_row_sync_line (BbRecord  *record,
                         GDateTime *now)
{
  BbSyncState state;
  const char *saved;
  g_autoptr(GDateTime) saved_at = NULL;
  g_autoptr(GDateTime) now_utc = NULL;
  g_autofree char *when = NULL;

  g_return_val_if_fail (BB_IS_RECORD (record), NULL);

  state = bb_record_get_sync_state (record);
  if (state == BB_SYNC_STATE_REJECTED || state == BB_SYNC_STATE_CONFLICT)
    return bb_format_sync_line (record);
  if (state != BB_SYNC_STATE_PENDING)
    return NULL;

  saved = bb_record_get_updated_at (record);
  if (saved == NULL || *saved == '\0')
    saved = bb_record_get_created_at (record);
  saved_at = saved != NULL ? bb_time_parse (saved) : NULL;
  if (saved_at == NULL)
    return NULL;

  now_utc = now_or (now);
  if (g_date_time_difference (now_utc, saved_at) < BB_FORMAT_LONG_UNSYNCED_HOURS * G_TIME_SPAN_HOUR)
    return NULL;

  when = bb_format_time_short (saved, now);
  /* Translators: a change saved long ago and still on the device only;
   * %s is when it was saved, "28 Nov, 21:14" */
  return g_strdup_printf (_("Not synced since %s"), when);
}

/* TRUE when @token (folded) begins the text at @p; *@end is set past the
 * matching characters. */
static gboolean
token_begins_at (const char  *p,
                 const char  *token,
                 const char **end)
{
  const char *t = token;

  while (*t != '\0')
    {
      gunichar a, b;

      if (*p == '\0')
        return FALSE;
      a = g_unichar_tolower (g_utf8_get_char (p));
      b = g_utf8_get_char (t);
      if (a != b)
        {
          /* Accents fold away in the search: "e" finds "é". */
          gunichar decomposed[4];
          gsize n = g_unichar_fully_decompose (a, FALSE, decomposed, G_N_ELEMENTS (decomposed));

          if (n == 0 || decomposed[0] != b)
            return FALSE;
        }
      p = g_utf8_next_char (p);
      t = g_utf8_next_char (t);
    }

  *end = p;
  return TRUE;
}

char *
bb_format_highlight (const char *text,
                     const char *search)
{
  g_auto(GStrv) tokens = NULL;
  GString *markup;
  gboolean at_word_start = TRUE;
  const char *p;

  if (text == NULL)
    return g_strdup ("");
  if (search == NULL)
    return g_markup_escape_text (text, -1);

  tokens = g_str_tokenize_and_fold (search, NULL, NULL);
  if (tokens == NULL || tokens[0] == NULL)
    return g_markup_escape_text (text, -1);

  markup = g_string_new (NULL);
  for (p = text; *p != '\0'; )
    {
      gunichar c = g_utf8_get_char (p);
      const char *next = g_utf8_next_char (p);

      if (at_word_start && g_unichar_isalnum (c))
        {
          const char *longest = NULL;

          for (guint i = 0; tokens[i] != NULL; i++)
            {
              const char *end;

              if (token_begins_at (p, tokens[i], &end) && (longest == NULL || end > longest))
                longest = end;
            }
          if (longest != NULL)
            {
              g_autofree char *part = g_markup_escape_text (p, longest - p);

              g_string_append_printf (markup, "<b>%s</b>", part);
              p = longest;
              at_word_start = FALSE;
              continue;
            }
        }

      {
        g_autofree char *part = g_markup_escape_text (p, next - p);

        g_string_append (markup, part);
      }
      at_word_start = !g_unichar_isalnum (c);
      p = next;
    }

  return g_string_free (markup, FALSE);
}

char *
bb_format_sync_line (BbRecord *record)
{
  BbSyncState state = bb_record_get_sync_state (record);
  const char *message = bb_record_get_sync_message (record);

  if (state == BB_SYNC_STATE_REJECTED && message != NULL && *message != '\0')
    /* TRANSLATORS: a change the server refused; %s is the server's reason */
    return g_strdup_printf (_("Refused: %s"), message);

  return g_strdup (bb_sync_state_get_label (state));
}

char *
bb_format_time_long (const char *iso)
{
  if (iso == NULL || *iso == '\0')
    return NULL;
  /* Translators: g_date_time_format(): "28 Nov 2026, 21:14" */
  return bb_time_format_local (iso, _("%-d %b %Y, %H:%M"));
}

char *
bb_format_date (const char *date)
{
  g_autoptr(GDateTime) parsed = NULL;

  if (date == NULL || *date == '\0')
    return NULL;
  if (strlen (date) > 10)
    /* Translators: g_date_time_format() for a calendar date, "3 Mar 2026" */
    return bb_time_format_local (date, _("%-d %b %Y"));
  parsed = bb_date_parse (date);
  return parsed != NULL ? g_date_time_format (parsed, _("%-d %b %Y")) : g_strdup (date);
}

/* Kinds' titles */

/* Header case is English: each language says its titles as it does (the
 * Polish ones are sentences), so every title is a string of its own, never
 * a label capitalised in code. */
static const struct {
  const char *kind;
  const char *title;
  const char *new_title;
  const char *edit_title;
  const char *none_yet;
  const char *new_sentence;
} kind_titles[] = {
  { BB_KIND_PATROL_OBSERVATION, N_("Patrol Observation"), N_("New Patrol Observation"),
    N_("Edit Patrol Observation"), N_("No Patrol Observations Yet"), N_("New patrol observation") },
  { BB_KIND_S59_WARNING, N_("Section 59 Warning"), N_("New Section 59 Warning"),
    N_("Edit Section 59 Warning"), N_("No Section 59 Warnings Yet"), N_("New Section 59 warning") },
  { BB_KIND_VAWG_WALK, N_("VAWG Walk"), N_("New VAWG Walk"),
    N_("Edit VAWG Walk"), N_("No VAWG Walks Yet"), N_("New VAWG walk") },
  { BB_KIND_ENGAGEMENT_EVENT, N_("Engagement Event"), N_("New Engagement Event"),
    N_("Edit Engagement Event"), N_("No Engagement Events Yet"), N_("New engagement event") },
};

static int
kind_title_index (const BbKindSpec *kind)
{
  for (guint i = 0; kind != NULL && i < G_N_ELEMENTS (kind_titles); i++)
    if (g_strcmp0 (kind_titles[i].kind, kind->id) == 0)
      return (int) i;
  return -1;
}

const char *
bb_format_kind_title (const BbKindSpec *kind)
{
  int i = kind_title_index (kind);

  g_return_val_if_fail (kind != NULL, NULL);
  return i >= 0 ? _(kind_titles[i].title) : bb_kind_get_label (kind);
}

const char *
bb_format_kind_new_title (const BbKindSpec *kind)
{
  int i = kind_title_index (kind);

  g_return_val_if_fail (kind != NULL, NULL);
  return i >= 0 ? _(kind_titles[i].new_title) : bb_kind_get_label (kind);
}

const char *
bb_format_kind_edit_title (const BbKindSpec *kind)
{
  int i = kind_title_index (kind);

  g_return_val_if_fail (kind != NULL, NULL);
  return i >= 0 ? _(kind_titles[i].edit_title) : bb_kind_get_label (kind);
}

const char *
bb_format_kind_none_yet (const BbKindSpec *kind)
{
  int i = kind_title_index (kind);

  g_return_val_if_fail (kind != NULL, NULL);
  return i >= 0 ? _(kind_titles[i].none_yet) : _("No Records Yet");
}

const char *
bb_format_kind_new_sentence (const BbKindSpec *kind)
{
  int i = kind_title_index (kind);

  g_return_val_if_fail (kind != NULL, NULL);
  return i >= 0 ? _(kind_titles[i].new_sentence) : bb_kind_get_label (kind);
}
