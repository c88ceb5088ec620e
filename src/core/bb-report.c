/* bb-report.c: the partnership's figures for a period
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-report"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>

#include "bb-csv.h"
#include "bb-i18n.h"
#include "bb-kind.h"
#include "bb-report.h"
#include "bb-time.h"

/* A supervisor's store holds years of records: never more than a page in
 * memory. */
#define REPORT_PAGE_SIZE 500
#define REPORT_DEFAULT_HOTSPOTS 10
/* Items that sort after every profile entry (ids the profile no longer has). */
#define RANK_UNKNOWN G_MAXINT64

G_DEFINE_QUARK (bb-report-error-quark, bb_report_error)

static const char * const section_ids[] = {
  BB_REPORT_SECTION_TOTAL,
  BB_REPORT_SECTION_KIND,
  BB_REPORT_SECTION_PRIORITY,
  BB_REPORT_SECTION_WARD,
  BB_REPORT_SECTION_PRIORITY_WARD,
  BB_REPORT_SECTION_MONTH,
  BB_REPORT_SECTION_CATEGORY,
  BB_REPORT_SECTION_CATEGORY_WARD,
  BB_REPORT_SECTION_HOTSPOT,
  BB_REPORT_SECTION_S59,
  BB_REPORT_SECTION_ENGAGEMENT,
  BB_REPORT_SECTION_VAWG,
  BB_REPORT_SECTION_UNSAFE_SPOT,
  NULL,
};

/* The item first, so an Entry is also a BbReportItem. */
typedef struct
{
  BbReportItem item;
  gint64       rank;
} Entry;

typedef struct
{
  GHashTable *by_key; /* key -> Entry (owned) */
  GPtrArray  *items;  /* Entry, in order (borrowed); built when counting ends */
} Section;

struct _BbReport
{
  GObject     parent_instance;

  BbProfile  *profile;
  GTimeZone  *tz;
  char       *from_date;
  char       *to_date;
  char       *previous_from_date;
  GDateTime  *from;          /* local midnights */
  GDateTime  *to;
  GDateTime  *previous_from;
  char       *from_utc;
  char       *to_utc;
  char       *previous_from_utc;
  guint       hotspot_limit;
  char       *generated_by;
  char       *generated_at;

  GHashTable *sections;      /* id -> Section */
  /* Engagement partners, a set per period, and the months of each period. */
  GHashTable *partners[2];
  GHashTable *months[2];     /* "2026-03" -> count (GINT_TO_POINTER) */
};

G_DEFINE_FINAL_TYPE (BbReport, bb_report, G_TYPE_OBJECT)

enum { CURRENT = 0, PREVIOUS = 1 };

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->item.key);
  g_free (entry->item.label);
  g_free (entry->item.previous_key);
  g_free (entry->item.previous_label);
  g_free (entry);
}

static void
section_free (gpointer data)
{
  Section *section = data;

  g_clear_pointer (&section->items, g_ptr_array_unref);
  g_hash_table_unref (section->by_key);
  g_free (section);
}

static Section *
section_new (void)
{
  Section *section = g_new0 (Section, 1);

  section->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, entry_free);
  return section;
}

static void
bb_report_finalize (GObject *object)
{
  BbReport *self = BB_REPORT (object);

  g_clear_object (&self->profile);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  g_free (self->from_date);
  g_free (self->to_date);
  g_free (self->previous_from_date);
  g_clear_pointer (&self->from, g_date_time_unref);
  g_clear_pointer (&self->to, g_date_time_unref);
  g_clear_pointer (&self->previous_from, g_date_time_unref);
  g_free (self->from_utc);
  g_free (self->to_utc);
  g_free (self->previous_from_utc);
  g_free (self->generated_by);
  g_free (self->generated_at);
  g_clear_pointer (&self->sections, g_hash_table_unref);
  for (guint i = 0; i < 2; i++)
    {
      g_clear_pointer (&self->partners[i], g_hash_table_unref);
      g_clear_pointer (&self->months[i], g_hash_table_unref);
    }

  G_OBJECT_CLASS (bb_report_parent_class)->finalize (object);
}

static void
bb_report_class_init (BbReportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bb_report_finalize;
}

static void
bb_report_init (BbReport *self)
{
  self->hotspot_limit = REPORT_DEFAULT_HOTSPOTS;
}

/* Periods */

static GDateTime *
local_midnight (GTimeZone  *tz,
                const char *date,
                const char *what,
                GError    **error)
{
  g_autoptr(GDateTime) utc = NULL;

  if (date == NULL || *date == '\0')
    {
      g_set_error (error, BB_REPORT_ERROR, BB_REPORT_ERROR_INVALID_PERIOD,
                   /* Translators: %s is "from" or "to" */
                   _("The “%s” date is missing"), what);
      return NULL;
    }

  utc = strlen (date) == 10 ? bb_date_parse (date) : NULL;
  if (utc == NULL)
    {
      g_set_error (error, BB_REPORT_ERROR, BB_REPORT_ERROR_INVALID_PERIOD,
                   _("“%s” is not a date: write it as YYYY-MM-DD, e.g. 2026-03-01"),
                   date);
      return NULL;
    }

  /* London changes its clocks at 01:00 UTC, so midnight always exists. */
  return g_date_time_new (tz,
                          g_date_time_get_year (utc),
                          g_date_time_get_month (utc),
                          g_date_time_get_day_of_month (utc),
                          0, 0, 0);
}

static char *
format_utc (GDateTime *local)
{
  return bb_time_format_iso (local);
}

static GDateTime *
previous_start (GTimeZone *tz,
                GDateTime *from,
                GDateTime *to)
{
  int fy = g_date_time_get_year (from), fm = g_date_time_get_month (from);
  int ty = g_date_time_get_year (to), tm = g_date_time_get_month (to);

  /* A quarter is compared with the quarter before it, not with a period
   * that starts a day early because the quarters differ in length. */
  if (g_date_time_get_day_of_month (from) == 1
      && g_date_time_get_day_of_month (to) == 1)
    {
      int months = (ty * 12 + tm) - (fy * 12 + fm);
      int index = fy * 12 + (fm - 1) - months;

      return g_date_time_new (tz, index / 12, index % 12 + 1, 1, 0, 0, 0);
    }
  else
    {
      GDate df, dt;
      gint days;

      g_date_clear (&df, 1);
      g_date_clear (&dt, 1);
      g_date_set_dmy (&df, g_date_time_get_day_of_month (from), fm, fy);
      g_date_set_dmy (&dt, g_date_time_get_day_of_month (to), tm, ty);
      days = g_date_days_between (&df, &dt);
      g_date_subtract_days (&df, days);
      return g_date_time_new (tz, g_date_get_year (&df), g_date_get_month (&df),
                              g_date_get_day (&df), 0, 0, 0);
    }
}

BbReport *
bb_report_new (BbProfile   *profile,
               const char  *from_date,
               const char  *to_date,
               GError     **error)
{
  g_autoptr(BbReport) self = NULL;

  g_return_val_if_fail (BB_IS_PROFILE (profile), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (BB_TYPE_REPORT, NULL);
  self->profile = g_object_ref (profile);
  self->tz = bb_time_zone_local (bb_profile_get_timezone (profile));

  self->from = local_midnight (self->tz, from_date, "from", error);
  if (self->from == NULL)
    return NULL;
  self->to = local_midnight (self->tz, to_date, "to", error);
  if (self->to == NULL)
    return NULL;
  if (g_date_time_compare (self->to, self->from) <= 0)
    {
      g_set_error (error, BB_REPORT_ERROR, BB_REPORT_ERROR_INVALID_PERIOD,
                   _("The period must end after it starts: %s is not after %s"),
                   to_date, from_date);
      return NULL;
    }

  self->previous_from = previous_start (self->tz, self->from, self->to);
  if (self->previous_from == NULL)
    {
      g_set_error (error, BB_REPORT_ERROR, BB_REPORT_ERROR_INVALID_PERIOD,
                   _("The period from %s to %s is too early to compare with the one before"),
                   from_date, to_date);
      return NULL;
    }

  self->from_date = g_date_time_format (self->from, "%Y-%m-%d");
  self->to_date = g_date_time_format (self->to, "%Y-%m-%d");
  self->previous_from_date = g_date_time_format (self->previous_from, "%Y-%m-%d");
  self->from_utc = format_utc (self->from);
  self->to_utc = format_utc (self->to);
  self->previous_from_utc = format_utc (self->previous_from);
  self->generated_at = bb_time_now_iso ();

  return g_steal_pointer (&self);
}

void
bb_report_set_hotspot_limit (BbReport *self,
                             guint     limit)
{
  g_return_if_fail (BB_IS_REPORT (self));
  self->hotspot_limit = limit;
}

void
bb_report_set_generated_by (BbReport   *self,
                            const char *display_name)
{
  g_return_if_fail (BB_IS_REPORT (self));
  g_free (self->generated_by);
  self->generated_by = g_strdup (display_name);
}

void
bb_report_set_generated_at (BbReport   *self,
                            const char *iso)
{
  g_return_if_fail (BB_IS_REPORT (self));
  g_return_if_fail (iso != NULL);
  g_free (self->generated_at);
  self->generated_at = g_strdup (iso);
}

const char *
bb_report_get_from_utc (BbReport *self)
{
  g_return_val_if_fail (BB_IS_REPORT (self), NULL);
  return self->from_utc;
}

const char *
bb_report_get_to_utc (BbReport *self)
{
  g_return_val_if_fail (BB_IS_REPORT (self), NULL);
  return self->to_utc;
}

const char *
bb_report_get_previous_from_utc (BbReport *self)
{
  g_return_val_if_fail (BB_IS_REPORT (self), NULL);
  return self->previous_from_utc;
}

const char *
bb_report_get_from_date (BbReport *self)
{
  g_return_val_if_fail (BB_IS_REPORT (self), NULL);
  return self->from_date;
}

const char *
bb_report_get_to_date (BbReport *self)
{
  g_return_val_if_fail (BB_IS_REPORT (self), NULL);
  return self->to_date;
}

const char *
bb_report_get_previous_from_date (BbReport *self)
{
  g_return_val_if_fail (BB_IS_REPORT (self), NULL);
  return self->previous_from_date;
}

/* Counting */

static Section *
get_section (BbReport   *self,
             const char *id)
{
  return g_hash_table_lookup (self->sections, id);
}

/* The entry for @key, made with @label and @rank the first time. */
static Entry *
section_entry (Section    *section,
               const char *key,
               const char *label,
               gint64      rank)
{
  Entry *entry = g_hash_table_lookup (section->by_key, key);

  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      entry->item.key = g_strdup (key);
      entry->item.label = g_strdup (label != NULL ? label : key);
      entry->rank = rank;
      g_hash_table_insert (section->by_key, entry->item.key, entry);
    }

  return entry;
}

static void
entry_add (Entry  *entry,
           int     period,
           gint64  amount)
{
  if (period == CURRENT)
    entry->item.current += amount;
  else
    entry->item.previous += amount;
}

static gint64
choice_rank (BbProfile  *profile,
             const char *list,
             const char *id)
{
  GPtrArray *choices = bb_profile_get_choices (profile, list);

  for (guint i = 0; choices != NULL && i < choices->len; i++)
    {
      BbChoice *choice = g_ptr_array_index (choices, i);

      if (g_strcmp0 (choice->id, id) == 0)
        return i;
    }

  return RANK_UNKNOWN;
}

static const char *
choice_label (BbProfile  *profile,
              const char *list,
              const char *id)
{
  const char *label = bb_profile_get_choice_label (profile, list, id);

  return label != NULL ? label : id;
}

/* Every entry of a profile list is shown, the quiet ones too: a ward with
 * nothing logged is a figure as well. */
static void
seed_choices (BbReport   *self,
              const char *section_id,
              const char *list)
{
  Section *section = get_section (self, section_id);
  GPtrArray *choices = bb_profile_get_choices (self->profile, list);

  for (guint i = 0; choices != NULL && i < choices->len; i++)
    {
      BbChoice *choice = g_ptr_array_index (choices, i);

      section_entry (section, choice->id, choice->label, i);
    }
}

static char *
priority_label (BbReport *self,
                int       priority)
{
  const char *label = bb_profile_get_priority_label (self->profile, priority);

  if (label == NULL)
    return g_strdup_printf (_("Priority %d"), priority);
  return g_strdup_printf (_("Priority %d: %s"), priority, label);
}

static void
reset_counts (BbReport *self)
{
  const BbKindSpec * const *kinds = bb_kind_all ();
  Section *section;

  g_clear_pointer (&self->sections, g_hash_table_unref);
  self->sections = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, section_free);
  for (guint i = 0; section_ids[i] != NULL; i++)
    g_hash_table_insert (self->sections, (gpointer) section_ids[i], section_new ());

  for (guint i = 0; i < 2; i++)
    {
      g_clear_pointer (&self->partners[i], g_hash_table_unref);
      g_clear_pointer (&self->months[i], g_hash_table_unref);
      self->partners[i] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      self->months[i] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }

  section_entry (get_section (self, BB_REPORT_SECTION_TOTAL), "records",
                 _("Records"), 0);

  section = get_section (self, BB_REPORT_SECTION_KIND);
  for (guint i = 0; kinds[i] != NULL; i++)
    section_entry (section, kinds[i]->id, _(kinds[i]->plural_label), i);

  section = get_section (self, BB_REPORT_SECTION_PRIORITY);
  for (int p = 1; p <= 4; p++)
    {
      g_autofree char *key = g_strdup_printf ("%d", p);
      g_autofree char *label = priority_label (self, p);

      section_entry (section, key, label, p);
    }

  seed_choices (self, BB_REPORT_SECTION_WARD, "wards");
  seed_choices (self, BB_REPORT_SECTION_CATEGORY, "observation_category");
  seed_choices (self, BB_REPORT_SECTION_UNSAFE_SPOT, "unsafe_spot_category");

  section = get_section (self, BB_REPORT_SECTION_S59);
  section_entry (section, "warnings", _("Warnings issued"), 0);
  section_entry (section, "seizures", _("Vehicles seized"), 1);

  section = get_section (self, BB_REPORT_SECTION_ENGAGEMENT);
  section_entry (section, "events", _("Events"), 0);
  section_entry (section, "attendees", _("Attendees"), 1);
  section_entry (section, "partners", _("Partners involved"), 2);

  section = get_section (self, BB_REPORT_SECTION_VAWG);
  section_entry (section, "walks", _("Walks"), 0);
  section_entry (section, "unsafe_spots", _("Unsafe spots reported"), 1);
}

static const char *
ward_label (BbReport   *self,
            const char *ward)
{
  if (ward == NULL || *ward == '\0')
    return _("Ward not given");
  return choice_label (self->profile, "wards", ward);
}

/* Places typed by hand: "Joyce Green Lane", "joyce green lane " and
 * "Joyce  Green Lane" are one place. */
static char *
normalise_place (const char *place)
{
  g_autofree char *nfc = NULL;
  g_autofree char *folded = NULL;
  GString *out;
  gboolean space = FALSE;

  if (place == NULL || !g_utf8_validate (place, -1, NULL))
    return NULL;
  nfc = g_utf8_normalize (place, -1, G_NORMALIZE_ALL_COMPOSE);
  folded = g_utf8_casefold (nfc != NULL ? nfc : place, -1);

  out = g_string_new (NULL);
  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_unichar (out, c);
    }

  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/* The place as typed, with its spaces tidied, for people to read. */
static char *
tidy_place (const char *place)
{
  g_auto(GStrv) words = g_strsplit_set (place, " \t\r\n", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      if (*words[i] == '\0')
        continue;
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, words[i]);
    }
  return g_string_free (out, FALSE);
}

static void
count_observation (BbReport   *self,
                   BbRecord   *record,
                   int         period,
                   const char *ward)
{
  const char *category = bb_record_get_field_string (record, "category");
  const char *place = bb_record_get_field_string (record, "place");
  g_autofree char *norm = normalise_place (place);

  if (category != NULL)
    {
      g_autofree char *key = g_strdup_printf ("%s/%s", category, ward != NULL ? ward : "");
      g_autofree char *label = NULL;
      gint64 cat_rank = choice_rank (self->profile, "observation_category", category);
      gint64 ward_rank = choice_rank (self->profile, "wards", ward);

      entry_add (section_entry (get_section (self, BB_REPORT_SECTION_CATEGORY), category,
                                choice_label (self->profile, "observation_category", category),
                                RANK_UNKNOWN),
                 period, 1);

      label = g_strdup_printf ("%s · %s",
                               choice_label (self->profile, "observation_category", category),
                               ward_label (self, ward));
      /* Category first, then ward, both in the profile's order. */
      entry_add (section_entry (get_section (self, BB_REPORT_SECTION_CATEGORY_WARD), key, label,
                                (MIN (cat_rank, 100000) * 100000) + MIN (ward_rank, 99999)),
                 period, 1);
    }

  if (norm != NULL)
    {
      g_autofree char *key = g_strdup_printf ("%s/%s", norm, ward != NULL ? ward : "");
      g_autofree char *tidy = tidy_place (place);
      g_autofree char *label = g_strdup_printf ("%s (%s)", tidy, ward_label (self, ward));
      Entry *entry = section_entry (get_section (self, BB_REPORT_SECTION_HOTSPOT), key, label, 0);

      /* Shown as this period's people typed it, when they did. */
      if (period == CURRENT && entry->item.current == 0 && entry->rank == 0)
        {
          g_free (entry->item.label);
          entry->item.label = g_steal_pointer (&label);
          entry->rank = 1;
        }
      entry_add (entry, period, 1);
    }
}

static void
count_s59 (BbReport *self,
           BbRecord *record,
           int       period)
{
  JsonObject *fields = bb_record_get_fields (record);
  Section *section = get_section (self, BB_REPORT_SECTION_S59);
  JsonNode *seizure = fields != NULL ? json_object_get_member (fields, "seizure") : NULL;

  entry_add (section_entry (section, "warnings", NULL, 0), period, 1);
  if (seizure != NULL && JSON_NODE_HOLDS_OBJECT (seizure)
      && json_object_get_size (json_node_get_object (seizure)) > 0)
    entry_add (section_entry (section, "seizures", NULL, 1), period, 1);
}

static void
count_engagement (BbReport *self,
                  BbRecord *record,
                  int       period)
{
  JsonObject *fields = bb_record_get_fields (record);
  Section *section = get_section (self, BB_REPORT_SECTION_ENGAGEMENT);
  gint64 attendees = bb_record_get_field_int (record, "attendees");
  JsonNode *partners = fields != NULL ? json_object_get_member (fields, "partners") : NULL;

  entry_add (section_entry (section, "events", NULL, 0), period, 1);
  if (attendees > 0)
    entry_add (section_entry (section, "attendees", NULL, 1), period, attendees);

  if (partners != NULL && JSON_NODE_HOLDS_ARRAY (partners))
    {
      JsonArray *array = json_node_get_array (partners);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (node)
              && json_node_get_value_type (node) == G_TYPE_STRING)
            g_hash_table_add (self->partners[period],
                              g_strdup (json_node_get_string (node)));
        }
    }
}

static void
count_vawg (BbReport *self,
            BbRecord *record,
            int       period)
{
  JsonObject *fields = bb_record_get_fields (record);
  Section *section = get_section (self, BB_REPORT_SECTION_VAWG);
  Section *spots_section = get_section (self, BB_REPORT_SECTION_UNSAFE_SPOT);
  JsonNode *spots = fields != NULL ? json_object_get_member (fields, "unsafe_spots") : NULL;

  entry_add (section_entry (section, "walks", NULL, 0), period, 1);
  if (spots == NULL || !JSON_NODE_HOLDS_ARRAY (spots))
    return;

  for (guint i = 0; i < json_array_get_length (json_node_get_array (spots)); i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (spots), i);
      const char *category;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      entry_add (section_entry (section, "unsafe_spots", NULL, 1), period, 1);
      category = json_object_get_string_member_with_default (json_node_get_object (node),
                                                             "category", NULL);
      if (category == NULL)
        category = "other";
      entry_add (section_entry (spots_section, category,
                                choice_label (self->profile, "unsafe_spot_category", category),
                                RANK_UNKNOWN),
                 period, 1);
    }
}

static void
count_record (BbReport *self,
              BbRecord *record)
{
  g_autoptr(GDateTime) at = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *month = NULL;
  g_autofree char *priority_key = NULL;
  g_autofree char *priority_ward_key = NULL;
  g_autofree char *priority_ward_label = NULL;
  g_autofree char *plabel = NULL;
  const char *kind = bb_record_get_kind (record);
  const char *ward = bb_record_get_field_string (record, "ward");
  const BbKindSpec *spec = bb_kind_lookup (kind);
  int priority = bb_record_get_priority (record);
  int period;

  if (bb_record_get_deleted (record))
    return;
  at = bb_time_parse (bb_record_get_occurred_at (record));
  if (at == NULL)
    return;
  if (g_date_time_compare (at, self->previous_from) < 0
      || g_date_time_compare (at, self->to) >= 0)
    return;
  period = g_date_time_compare (at, self->from) < 0 ? PREVIOUS : CURRENT;

  if (ward != NULL && *ward == '\0')
    ward = NULL;

  entry_add (section_entry (get_section (self, BB_REPORT_SECTION_TOTAL), "records", NULL, 0),
             period, 1);
  entry_add (section_entry (get_section (self, BB_REPORT_SECTION_KIND), kind,
                            spec != NULL ? _(spec->plural_label) : kind, RANK_UNKNOWN),
             period, 1);

  priority_key = g_strdup_printf ("%d", priority);
  plabel = priority_label (self, priority);
  entry_add (section_entry (get_section (self, BB_REPORT_SECTION_PRIORITY), priority_key,
                            plabel, priority),
             period, 1);

  entry_add (section_entry (get_section (self, BB_REPORT_SECTION_WARD), ward != NULL ? ward : "",
                            ward_label (self, ward), RANK_UNKNOWN),
             period, 1);

  priority_ward_key = g_strdup_printf ("%d/%s", priority, ward != NULL ? ward : "");
  priority_ward_label = g_strdup_printf (_("Priority %d · %s"), priority, ward_label (self, ward));
  entry_add (section_entry (get_section (self, BB_REPORT_SECTION_PRIORITY_WARD),
                            priority_ward_key, priority_ward_label,
                            (gint64) priority * 100000
                            + MIN (choice_rank (self->profile, "wards", ward), 99999)),
             period, 1);

  local = g_date_time_to_timezone (at, self->tz);
  month = g_date_time_format (local, "%Y-%m");
  g_hash_table_insert (self->months[period], g_strdup (month),
                       GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (self->months[period], month)) + 1));

  if (g_strcmp0 (kind, BB_KIND_PATROL_OBSERVATION) == 0)
    count_observation (self, record, period, ward);
  else if (g_strcmp0 (kind, BB_KIND_S59_WARNING) == 0)
    count_s59 (self, record, period);
  else if (g_strcmp0 (kind, BB_KIND_ENGAGEMENT_EVENT) == 0)
    count_engagement (self, record, period);
  else if (g_strcmp0 (kind, BB_KIND_VAWG_WALK) == 0)
    count_vawg (self, record, period);
}

static int
compare_rank (gconstpointer a,
              gconstpointer b)
{
  const Entry *ea = *(const Entry * const *) a;
  const Entry *eb = *(const Entry * const *) b;

  if (ea->rank != eb->rank)
    return ea->rank < eb->rank ? -1 : 1;
  return g_utf8_collate (ea->item.label, eb->item.label);
}

static int
compare_hotspot (gconstpointer a,
                 gconstpointer b)
{
  const Entry *ea = *(const Entry * const *) a;
  const Entry *eb = *(const Entry * const *) b;

  if (ea->item.current != eb->item.current)
    return ea->item.current > eb->item.current ? -1 : 1;
  if (ea->item.previous != eb->item.previous)
    return ea->item.previous > eb->item.previous ? -1 : 1;
  return g_utf8_collate (ea->item.label, eb->item.label);
}

/* The local months of [start, end), as "2026-03". */
static GPtrArray *
months_between (GTimeZone *tz,
                GDateTime *start,
                GDateTime *end)
{
  GPtrArray *months = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) month = g_date_time_new (tz, g_date_time_get_year (start),
                                                g_date_time_get_month (start), 1, 0, 0, 0);

  while (g_date_time_compare (month, end) < 0)
    {
      GDateTime *next = g_date_time_add_months (month, 1);

      g_ptr_array_add (months, g_date_time_format (month, "%Y-%m"));
      g_date_time_unref (month);
      month = next;
    }

  return months;
}

static char *
month_label (GTimeZone  *tz,
             const char *key)
{
  int year = 0, month = 0;
  g_autoptr(GDateTime) dt = NULL;

  if (sscanf (key, "%d-%d", &year, &month) != 2)
    return g_strdup (key);
  dt = g_date_time_new (tz, year, month, 1, 0, 0, 0);
  if (dt == NULL)
    return g_strdup (key);
  /* Translators: a month in a report, see g_date_time_format() */
  return g_date_time_format (dt, _("%B %Y"));
}

/* Months pair up in order: the first month of the period with the first
 * month of the previous period, and so on. */
static void
build_months (BbReport *self)
{
  Section *section = get_section (self, BB_REPORT_SECTION_MONTH);
  g_autoptr(GPtrArray) current = months_between (self->tz, self->from, self->to);
  g_autoptr(GPtrArray) previous = months_between (self->tz, self->previous_from, self->from);
  guint n = MAX (current->len, previous->len);

  for (guint i = 0; i < n; i++)
    {
      const char *cur = i < current->len ? g_ptr_array_index (current, i) : "";
      const char *prev = i < previous->len ? g_ptr_array_index (previous, i) : NULL;
      g_autofree char *label = *cur != '\0' ? month_label (self->tz, cur) : g_strdup ("—");
      g_autofree char *key = *cur != '\0' ? g_strdup (cur) : g_strdup_printf ("-%u", i);
      Entry *entry = section_entry (section, key, label, i);

      entry->item.current = GPOINTER_TO_INT (g_hash_table_lookup (self->months[CURRENT], cur));
      if (prev != NULL)
        {
          entry->item.previous_key = g_strdup (prev);
          entry->item.previous_label = month_label (self->tz, prev);
          entry->item.previous = GPOINTER_TO_INT (g_hash_table_lookup (self->months[PREVIOUS], prev));
        }
    }
}

static void
finish_counts (BbReport *self)
{
  GHashTableIter iter;
  gpointer key, value;
  Section *section;

  section = get_section (self, BB_REPORT_SECTION_ENGAGEMENT);
  section_entry (section, "partners", NULL, 2)->item.current = g_hash_table_size (self->partners[CURRENT]);
  section_entry (section, "partners", NULL, 2)->item.previous = g_hash_table_size (self->partners[PREVIOUS]);

  build_months (self);

  g_hash_table_iter_init (&iter, self->sections);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GHashTableIter entries;
      gpointer entry;

      section = value;
      section->items = g_ptr_array_new ();
      g_hash_table_iter_init (&entries, section->by_key);
      while (g_hash_table_iter_next (&entries, NULL, &entry))
        {
          /* Hotspots are this period's places; ones quiet now are not hot. */
          if (g_str_equal (key, BB_REPORT_SECTION_HOTSPOT) && ((Entry *) entry)->item.current == 0)
            continue;
          g_ptr_array_add (section->items, entry);
        }

      if (g_str_equal (key, BB_REPORT_SECTION_HOTSPOT))
        {
          g_ptr_array_sort (section->items, compare_hotspot);
          if (section->items->len > self->hotspot_limit)
            g_ptr_array_set_size (section->items, self->hotspot_limit);
        }
      else
        g_ptr_array_sort (section->items, compare_rank);
    }
}

gboolean
bb_report_collect (BbReport      *self,
                   BbStore       *store,
                   GCancellable  *cancellable,
                   GError       **error)
{
  BbQuery query = { NULL };
  guint offset = 0;

  g_return_val_if_fail (BB_IS_REPORT (self), FALSE);
  g_return_val_if_fail (BB_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  reset_counts (self);

  query.from = self->previous_from_utc;
  query.to = self->to_utc;
  query.include_deleted = FALSE;

  for (;;)
    {
      g_autoptr(GPtrArray) page = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      page = bb_store_list_records (store, &query, offset, REPORT_PAGE_SIZE, error);
      if (page == NULL)
        return FALSE;

      for (guint i = 0; i < page->len; i++)
        count_record (self, g_ptr_array_index (page, i));

      if (page->len < REPORT_PAGE_SIZE)
        break;
      offset += page->len;
    }

  finish_counts (self);
  return TRUE;
}

GPtrArray *
bb_report_get_items (BbReport   *self,
                     const char *section_id)
{
  Section *section;

  g_return_val_if_fail (BB_IS_REPORT (self), NULL);
  g_return_val_if_fail (section_id != NULL, NULL);

  if (self->sections == NULL)
    return NULL;
  section = get_section (self, section_id);
  return section != NULL ? section->items : NULL;
}

const BbReportItem *
bb_report_find_item (BbReport   *self,
                     const char *section_id,
                     const char *key)
{
  GPtrArray *items = bb_report_get_items (self, section_id);

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      const BbReportItem *item = g_ptr_array_index (items, i);

      if (g_strcmp0 (item->key, key) == 0)
        return item;
    }

  return NULL;
}

const char * const *
bb_report_list_sections (void)
{
  return section_ids;
}

const char *
bb_report_section_get_title (const char *section)
{
  static const struct { const char *id; const char *title; } titles[] = {
    { BB_REPORT_SECTION_TOTAL, N_("All records") },
    { BB_REPORT_SECTION_KIND, N_("Records by kind") },
    { BB_REPORT_SECTION_PRIORITY, N_("Records by CSP priority") },
    { BB_REPORT_SECTION_WARD, N_("Records by ward") },
    { BB_REPORT_SECTION_PRIORITY_WARD, N_("Records by priority and ward") },
    { BB_REPORT_SECTION_MONTH, N_("Records by month") },
    { BB_REPORT_SECTION_CATEGORY, N_("Patrol observations by category") },
    { BB_REPORT_SECTION_CATEGORY_WARD, N_("Patrol observations by category and ward") },
    { BB_REPORT_SECTION_HOTSPOT, N_("Hotspots: places with most patrol observations") },
    { BB_REPORT_SECTION_S59, N_("Section 59 warnings and seizures") },
    { BB_REPORT_SECTION_ENGAGEMENT, N_("Engagement reach") },
    { BB_REPORT_SECTION_VAWG, N_("VAWG walks") },
    { BB_REPORT_SECTION_UNSAFE_SPOT, N_("Unsafe spots by category") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    if (g_strcmp0 (titles[i].id, section) == 0)
      return _(titles[i].title);

  return section;
}

char *
bb_report_format_change (gint64 current,
                         gint64 previous)
{
  double tenths;
  gint64 rounded;

  if (previous == 0)
    return NULL;

  /* Tenths of a percent, rounded half away from zero, so the sign shown is
   * the sign of the change and never "-0.0%". */
  tenths = ((double) (current - previous) * 1000.0) / (double) previous;
  rounded = (gint64) llround (tenths);
  if (rounded == 0)
    return g_strdup ("0.0%");
  return g_strdup_printf ("%s%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT "%%",
                          rounded > 0 ? "+" : "-",
                          ABS (rounded) / 10, ABS (rounded) % 10);
}

/* Output */

static char *
item_label (const BbReportItem *item)
{
  if (item->previous_label != NULL)
    /* Translators: a month of the period against the same month of the
     * previous period, "March 2026 against December 2025" */
    return g_strdup_printf (_("%s against %s"), item->label, item->previous_label);
  return g_strdup (item->label);
}

static char *
change_text (const BbReportItem *item)
{
  char *change = bb_report_format_change (item->current, item->previous);

  /* Translators: the change against a previous period of nothing */
  return change != NULL ? change : g_strdup (_("n/a"));
}

static char *
local_date (BbReport  *self,
            GDateTime *dt,
            int        days)
{
  g_autoptr(GDateTime) shifted = g_date_time_add_days (dt, days);

  /* Translators: a date in a report, see g_date_time_format() */
  return g_date_time_format (shifted, _("%-d %B %Y"));
}

/* "1 March 2026 to 31 March 2026": the end date shown is the last day in. */
static char *
period_text (BbReport  *self,
             GDateTime *start,
             GDateTime *end)
{
  g_autofree char *first = local_date (self, start, 0);
  g_autofree char *last = local_date (self, end, -1);

  /* Translators: a period of whole days, "1 March 2026 to 31 March 2026" */
  return g_strdup_printf (_("%s to %s"), first, last);
}

static char *
generated_text (BbReport *self)
{
  g_autoptr(GDateTime) at = bb_time_parse (self->generated_at);
  g_autoptr(GDateTime) local = at != NULL ? g_date_time_to_timezone (at, self->tz) : NULL;
  /* Translators: when a report was made, see g_date_time_format() */
  g_autofree char *when = local != NULL ? g_date_time_format (local, _("%-d %B %Y %H:%M"))
                                        : g_strdup (self->generated_at);

  if (self->generated_by != NULL && *self->generated_by != '\0')
    /* Translators: "Generated 1 April 2026 09:00 by PCSO 4521" */
    return g_strdup_printf (_("Generated %s by %s"), when, self->generated_by);
  return g_strdup_printf (_("Generated %s"), when);
}

static const char *
report_title (void)
{
  return _("Community safety figures");
}

static void
append_padded_left (GString    *out,
                    const char *text,
                    guint       width)
{
  glong len = g_utf8_strlen (text, -1);

  for (glong i = len; i < (glong) width; i++)
    g_string_append_c (out, ' ');
  g_string_append (out, text);
}

#define TEXT_LABEL_WIDTH 44

char *
bb_report_to_text (BbReport *self)
{
  GString *out;
  g_autofree char *period = NULL;
  g_autofree char *previous = NULL;
  g_autofree char *generated = NULL;

  g_return_val_if_fail (BB_IS_REPORT (self), NULL);
  g_return_val_if_fail (self->sections != NULL, NULL);

  period = period_text (self, self->from, self->to);
  previous = period_text (self, self->previous_from, self->from);
  generated = generated_text (self);

  out = g_string_new (NULL);
  g_string_append_printf (out, "%s\n%s\n\n", bb_profile_get_name (self->profile), report_title ());
  g_string_append_printf (out, _("Period: %s (%s)"), period, bb_profile_get_timezone (self->profile));
  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("Compared with: %s"), previous);
  g_string_append_c (out, '\n');
  g_string_append_printf (out, "%s\n", generated);

  for (guint s = 0; section_ids[s] != NULL; s++)
    {
      GPtrArray *items = bb_report_get_items (self, section_ids[s]);
      const char *title = bb_report_section_get_title (section_ids[s]);

      g_string_append_printf (out, "\n%s\n", title);
      for (glong i = g_utf8_strlen (title, -1); i > 0; i--)
        g_string_append_c (out, '-');
      g_string_append_c (out, '\n');

      if (items->len == 0)
        {
          g_string_append_printf (out, "  %s\n", _("Nothing logged in this period."));
          continue;
        }

      g_string_append (out, "  ");
      append_padded_left (out, "", TEXT_LABEL_WIDTH);
      append_padded_left (out, _("This period"), 12);
      append_padded_left (out, _("Previous"), 10);
      append_padded_left (out, _("Change"), 9);
      g_string_append_c (out, '\n');

      for (guint i = 0; i < items->len; i++)
        {
          const BbReportItem *item = g_ptr_array_index (items, i);
          g_autofree char *label = item_label (item);
          g_autofree char *current = g_strdup_printf ("%" G_GINT64_FORMAT, item->current);
          g_autofree char *prev = g_strdup_printf ("%" G_GINT64_FORMAT, item->previous);
          g_autofree char *change = change_text (item);
          glong len = g_utf8_strlen (label, -1);

          g_string_append (out, "  ");
          g_string_append (out, label);
          /* A long label keeps every word: the figures go on the next line. */
          if (len > TEXT_LABEL_WIDTH)
            {
              g_string_append (out, "\n  ");
              len = 0;
            }
          for (glong pad = len; pad < TEXT_LABEL_WIDTH; pad++)
            g_string_append_c (out, ' ');
          append_padded_left (out, current, 12);
          append_padded_left (out, prev, 10);
          append_padded_left (out, change, 9);
          g_string_append_c (out, '\n');
        }
    }

  return g_string_free (out, FALSE);
}

char *
bb_report_to_csv (BbReport *self)
{
  GString *out;
  static const char * const header[] = { "section", "item", "current", "previous", "change" };

  g_return_val_if_fail (BB_IS_REPORT (self), NULL);
  g_return_val_if_fail (self->sections != NULL, NULL);

  out = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (header); i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      bb_csv_append_value (out, header[i]);
    }
  g_string_append (out, "\r\n");

  for (guint s = 0; section_ids[s] != NULL; s++)
    {
      GPtrArray *items = bb_report_get_items (self, section_ids[s]);

      for (guint i = 0; i < items->len; i++)
        {
          const BbReportItem *item = g_ptr_array_index (items, i);
          g_autofree char *label = item_label (item);
          g_autofree char *current = g_strdup_printf ("%" G_GINT64_FORMAT, item->current);
          g_autofree char *prev = g_strdup_printf ("%" G_GINT64_FORMAT, item->previous);
          g_autofree char *change = bb_report_format_change (item->current, item->previous);

          bb_csv_append_value (out, bb_report_section_get_title (section_ids[s]));
          g_string_append_c (out, ',');
          bb_csv_append_value (out, label);
          g_string_append_c (out, ',');
          bb_csv_append_value (out, current);
          g_string_append_c (out, ',');
          bb_csv_append_value (out, prev);
          g_string_append_c (out, ',');
          bb_csv_append_value (out, change != NULL ? change : _("n/a"));
          g_string_append (out, "\r\n");
        }
    }

  return g_string_free (out, FALSE);
}

static gboolean
write_string (GOutputStream *out,
              const char    *text,
              GCancellable  *cancellable,
              GError       **error)
{
  return g_output_stream_write_all (out, text, strlen (text), NULL, cancellable, error);
}

gboolean
bb_report_write_text (BbReport      *self,
                      GOutputStream *out,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (BB_IS_REPORT (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  text = bb_report_to_text (self);
  return write_string (out, text, cancellable, error);
}

gboolean
bb_report_write_csv (BbReport      *self,
                     GOutputStream *out,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autofree char *csv = NULL;

  g_return_val_if_fail (BB_IS_REPORT (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  csv = bb_report_to_csv (self);
  return write_string (out, csv, cancellable, error);
}

/* PDF: A4 in points, cairo's own text (no Pango in libbeatbook). */

#define PDF_WIDTH   595.276
#define PDF_HEIGHT  841.89
#define PDF_MARGIN  56.0
#define PDF_TOP     64.0
#define PDF_BOTTOM  (PDF_HEIGHT - 64.0)
#define PDF_FONT    "sans-serif"
#define PDF_BODY    9.5
#define PDF_LINE    13.0
/* Table columns: label, then three right-aligned figures. */
#define PDF_COL_CURRENT  (PDF_WIDTH - PDF_MARGIN - 150.0)
#define PDF_COL_PREVIOUS (PDF_WIDTH - PDF_MARGIN - 75.0)
#define PDF_COL_CHANGE   (PDF_WIDTH - PDF_MARGIN)
#define PDF_LABEL_WIDTH  (PDF_COL_CURRENT - PDF_MARGIN - 50.0)
/* Bar charts */
#define PDF_CHART_LABEL  170.0
#define PDF_CHART_ROW    19.0

typedef struct
{
  GOutputStream *out;
  GCancellable  *cancellable;
  GError        *error;
} PdfSink;

typedef struct
{
  BbReport *report;
  cairo_t  *cr;
  double    y;
  guint     page;
  char     *footer;
} Pdf;

static cairo_status_t
pdf_write (void                *closure,
           const unsigned char *data,
           unsigned int         length)
{
  PdfSink *sink = closure;

  if (sink->error != NULL)
    return CAIRO_STATUS_WRITE_ERROR;
  if (!g_output_stream_write_all (sink->out, data, length, NULL,
                                  sink->cancellable, &sink->error))
    return CAIRO_STATUS_WRITE_ERROR;
  return CAIRO_STATUS_SUCCESS;
}

static void
pdf_font (Pdf    *pdf,
          double  size,
          gboolean bold)
{
  cairo_select_font_face (pdf->cr, PDF_FONT, CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (pdf->cr, size);
}

static double
pdf_text_width (Pdf        *pdf,
                const char *text)
{
  cairo_text_extents_t extents;

  cairo_text_extents (pdf->cr, text, &extents);
  return extents.x_advance;
}

static void
pdf_show (Pdf        *pdf,
          double      x,
          double      y,
          const char *text)
{
  cairo_move_to (pdf->cr, x, y);
  cairo_show_text (pdf->cr, text);
}

static void
pdf_show_right (Pdf        *pdf,
                double      right,
                double      y,
                const char *text)
{
  pdf_show (pdf, right - pdf_text_width (pdf, text), y, text);
}

/* (transfer full): @text cut with "…" to fit @width. */
static char *
pdf_fit (Pdf        *pdf,
         const char *text,
         double      width)
{
  g_autofree char *cut = NULL;
  glong len;

  if (pdf_text_width (pdf, text) <= width)
    return g_strdup (text);

  len = g_utf8_strlen (text, -1);
  while (len > 0)
    {
      g_autofree char *prefix = g_utf8_substring (text, 0, --len);

      g_free (cut);
      cut = g_strconcat (g_strchomp (prefix), "…", NULL);
      if (pdf_text_width (pdf, cut) <= width)
        return g_steal_pointer (&cut);
    }

  return g_strdup ("…");
}

/* (transfer full) (element-type utf8): @text in lines no wider than @width,
 * broken between words. */
static GPtrArray *
pdf_wrap (Pdf        *pdf,
          const char *text,
          double      width)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  GString *line = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *candidate = NULL;

      if (*words[i] == '\0')
        continue;
      candidate = line->len > 0 ? g_strdup_printf ("%s %s", line->str, words[i])
                                : g_strdup (words[i]);
      if (line->len > 0 && pdf_text_width (pdf, candidate) > width)
        {
          g_ptr_array_add (lines, pdf_fit (pdf, line->str, width));
          g_string_assign (line, words[i]);
        }
      else
        g_string_assign (line, candidate);
    }
  if (line->len > 0 || lines->len == 0)
    g_ptr_array_add (lines, pdf_fit (pdf, line->str, width));
  g_string_free (line, TRUE);

  return lines;
}

static void
pdf_footer (Pdf *pdf)
{
  g_autofree char *page = g_strdup_printf (_("Page %u"), pdf->page);

  cairo_save (pdf->cr);
  pdf_font (pdf, 7.5, FALSE);
  cairo_set_source_rgb (pdf->cr, 0.4, 0.4, 0.4);
  pdf_show (pdf, PDF_MARGIN, PDF_HEIGHT - 32.0, pdf->footer);
  pdf_show_right (pdf, PDF_WIDTH - PDF_MARGIN, PDF_HEIGHT - 32.0, page);
  cairo_restore (pdf->cr);
}

static void
pdf_new_page (Pdf *pdf)
{
  pdf_footer (pdf);
  cairo_show_page (pdf->cr);
  pdf->page++;
  pdf->y = PDF_TOP;
}

/* Starts a new page unless @height more fits on this one. */
static void
pdf_need (Pdf    *pdf,
          double  height)
{
  if (pdf->y + height > PDF_BOTTOM)
    pdf_new_page (pdf);
}

static void
pdf_title_page (Pdf *pdf)
{
  BbReport *self = pdf->report;
  g_autofree char *period = period_text (self, self->from, self->to);
  g_autofree char *previous = period_text (self, self->previous_from, self->from);
  g_autofree char *generated = generated_text (self);
  g_autofree char *period_line = g_strdup_printf (_("Period: %s (%s)"), period,
                                                  bb_profile_get_timezone (self->profile));
  g_autofree char *previous_line = g_strdup_printf (_("Compared with: %s"), previous);
  const BbReportItem *total = bb_report_find_item (self, BB_REPORT_SECTION_TOTAL, "records");
  g_autoptr(GPtrArray) name = NULL;
  double y = 220.0;

  cairo_set_source_rgb (pdf->cr, 0.1, 0.2, 0.4);
  pdf_font (pdf, 24.0, TRUE);
  name = pdf_wrap (pdf, bb_profile_get_name (self->profile), PDF_WIDTH - 2 * PDF_MARGIN);
  for (guint i = 0; i < name->len; i++, y += 30.0)
    pdf_show (pdf, PDF_MARGIN, y, g_ptr_array_index (name, i));

  pdf_font (pdf, 18.0, FALSE);
  pdf_show (pdf, PDF_MARGIN, y + 8.0, report_title ());
  y += 60.0;

  cairo_set_source_rgb (pdf->cr, 0, 0, 0);
  pdf_font (pdf, 12.0, FALSE);
  pdf_show (pdf, PDF_MARGIN, y, period_line);
  pdf_show (pdf, PDF_MARGIN, y + 18.0, previous_line);
  pdf_show (pdf, PDF_MARGIN, y + 36.0, generated);

  if (total != NULL)
    {
      g_autofree char *change = change_text (total);
      g_autofree char *current = g_strdup_printf ("%" G_GINT64_FORMAT, total->current);
      g_autofree char *previous_count = g_strdup_printf ("%" G_GINT64_FORMAT, total->previous);
      g_autofree char *summary =
        g_strdup_printf (_("Records in the period: %s (previous period: %s, change: %s)"),
                         current, previous_count, change);

      pdf_font (pdf, 12.0, TRUE);
      pdf_show (pdf, PDF_MARGIN, y + 72.0, summary);
    }

  pdf_font (pdf, 9.0, FALSE);
  cairo_set_source_rgb (pdf->cr, 0.3, 0.3, 0.3);
  pdf_show (pdf, PDF_MARGIN, PDF_BOTTOM - 20.0,
            _("Counts of live records in this device's store; deleted records are not counted."));
  cairo_set_source_rgb (pdf->cr, 0, 0, 0);
}

static void
pdf_table_header (Pdf *pdf)
{
  pdf_font (pdf, 8.5, TRUE);
  cairo_set_source_rgb (pdf->cr, 0.3, 0.3, 0.3);
  pdf_show_right (pdf, PDF_COL_CURRENT, pdf->y, _("This period"));
  pdf_show_right (pdf, PDF_COL_PREVIOUS, pdf->y, _("Previous"));
  pdf_show_right (pdf, PDF_COL_CHANGE, pdf->y, _("Change"));
  cairo_set_source_rgb (pdf->cr, 0, 0, 0);
  cairo_set_line_width (pdf->cr, 0.5);
  cairo_move_to (pdf->cr, PDF_MARGIN, pdf->y + 4.0);
  cairo_line_to (pdf->cr, PDF_WIDTH - PDF_MARGIN, pdf->y + 4.0);
  cairo_stroke (pdf->cr);
  pdf->y += PDF_LINE + 2.0;
}

static void
pdf_heading (Pdf        *pdf,
             const char *title)
{
  /* A heading never ends a page alone. */
  pdf_need (pdf, 24.0 + 3 * PDF_LINE);
  pdf->y += 10.0;
  pdf_font (pdf, 13.0, TRUE);
  cairo_set_source_rgb (pdf->cr, 0.1, 0.2, 0.4);
  pdf_show (pdf, PDF_MARGIN, pdf->y, title);
  cairo_set_source_rgb (pdf->cr, 0, 0, 0);
  pdf->y += 20.0;
}

static void
pdf_table (Pdf        *pdf,
           const char *section,
           GPtrArray  *items)
{
  pdf_table_header (pdf);

  for (guint i = 0; i < items->len; i++)
    {
      const BbReportItem *item = g_ptr_array_index (items, i);
      g_autofree char *label = item_label (item);
      g_autofree char *current = g_strdup_printf ("%" G_GINT64_FORMAT, item->current);
      g_autofree char *previous = g_strdup_printf ("%" G_GINT64_FORMAT, item->previous);
      g_autofree char *change = change_text (item);
      g_autoptr(GPtrArray) lines = NULL;

      pdf_font (pdf, PDF_BODY, FALSE);
      lines = pdf_wrap (pdf, label, PDF_LABEL_WIDTH);
      if (pdf->y + lines->len * PDF_LINE > PDF_BOTTOM)
        {
          pdf_new_page (pdf);
          pdf_font (pdf, 9.0, TRUE);
          {
            /* Translators: a table's heading on the page it continues on */
            g_autofree char *cont = g_strdup_printf (_("%s (continued)"),
                                                     bb_report_section_get_title (section));
            pdf_show (pdf, PDF_MARGIN, pdf->y, cont);
          }
          pdf->y += PDF_LINE + 4.0;
          pdf_table_header (pdf);
          pdf_font (pdf, PDF_BODY, FALSE);
        }

      for (guint l = 0; l < lines->len; l++)
        pdf_show (pdf, PDF_MARGIN, pdf->y + l * PDF_LINE, g_ptr_array_index (lines, l));
      pdf_show_right (pdf, PDF_COL_CURRENT, pdf->y, current);
      pdf_show_right (pdf, PDF_COL_PREVIOUS, pdf->y, previous);
      pdf_show_right (pdf, PDF_COL_CHANGE, pdf->y, change);
      pdf->y += lines->len * PDF_LINE + 2.0;
    }
}

static void
pdf_legend (Pdf *pdf)
{
  double x = PDF_MARGIN + PDF_CHART_LABEL;

  pdf_font (pdf, 8.0, FALSE);
  cairo_set_source_rgb (pdf->cr, 0.16, 0.38, 0.67);
  cairo_rectangle (pdf->cr, x, pdf->y - 7.0, 10.0, 7.0);
  cairo_fill (pdf->cr);
  cairo_set_source_rgb (pdf->cr, 0, 0, 0);
  pdf_show (pdf, x + 14.0, pdf->y, _("This period"));
  x += 14.0 + pdf_text_width (pdf, _("This period")) + 20.0;
  cairo_set_source_rgb (pdf->cr, 0.72, 0.72, 0.72);
  cairo_rectangle (pdf->cr, x, pdf->y - 6.0, 10.0, 5.0);
  cairo_fill (pdf->cr);
  cairo_set_source_rgb (pdf->cr, 0, 0, 0);
  pdf_show (pdf, x + 14.0, pdf->y, _("Previous period"));
  pdf->y += PDF_LINE;
}

/* Horizontal bars, this period over the previous one, on one scale. */
static void
pdf_chart (Pdf       *pdf,
           GPtrArray *items)
{
  double bar_left = PDF_MARGIN + PDF_CHART_LABEL;
  double bar_width = PDF_WIDTH - PDF_MARGIN - bar_left - 40.0;
  gint64 max = 0;

  for (guint i = 0; i < items->len; i++)
    {
      const BbReportItem *item = g_ptr_array_index (items, i);

      max = MAX (max, MAX (item->current, item->previous));
    }
  if (max == 0)
    return;

  pdf_need (pdf, 2 * PDF_LINE + MIN (items->len, 4) * PDF_CHART_ROW);
  pdf->y += 6.0;
  pdf_legend (pdf);

  for (guint i = 0; i < items->len; i++)
    {
      const BbReportItem *item = g_ptr_array_index (items, i);
      g_autofree char *label = NULL;
      g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, item->current);
      double current = bar_width * (double) item->current / (double) max;
      double previous = bar_width * (double) item->previous / (double) max;

      if (pdf->y + PDF_CHART_ROW > PDF_BOTTOM)
        {
          pdf_new_page (pdf);
          pdf_legend (pdf);
        }

      pdf_font (pdf, 8.0, FALSE);
      label = pdf_fit (pdf, item->label, PDF_CHART_LABEL - 8.0);
      pdf_show (pdf, PDF_MARGIN, pdf->y + 7.0, label);

      cairo_set_source_rgb (pdf->cr, 0.16, 0.38, 0.67);
      cairo_rectangle (pdf->cr, bar_left, pdf->y, MAX (current, 0.5), 8.0);
      cairo_fill (pdf->cr);
      cairo_set_source_rgb (pdf->cr, 0.72, 0.72, 0.72);
      cairo_rectangle (pdf->cr, bar_left, pdf->y + 9.5, MAX (previous, 0.5), 5.0);
      cairo_fill (pdf->cr);
      cairo_set_source_rgb (pdf->cr, 0, 0, 0);
      pdf_show (pdf, bar_left + current + 4.0, pdf->y + 7.0, value);

      pdf->y += PDF_CHART_ROW;
    }
}

static gboolean
section_has_chart (const char *section)
{
  static const char * const charted[] = {
    BB_REPORT_SECTION_KIND, BB_REPORT_SECTION_PRIORITY, BB_REPORT_SECTION_WARD,
    BB_REPORT_SECTION_MONTH, BB_REPORT_SECTION_CATEGORY, BB_REPORT_SECTION_HOTSPOT,
    BB_REPORT_SECTION_UNSAFE_SPOT, NULL,
  };

  return g_strv_contains (charted, section);
}

gboolean
bb_report_write_pdf (BbReport      *self,
                     GOutputStream *out,
                     GCancellable  *cancellable,
                     GError       **error)
{
  PdfSink sink = { out, cancellable, NULL };
  cairo_surface_t *surface;
  cairo_status_t status;
  g_autofree char *period = NULL;
  Pdf pdf = { NULL };

  g_return_val_if_fail (BB_IS_REPORT (self), FALSE);
  g_return_val_if_fail (self->sections != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  surface = cairo_pdf_surface_create_for_stream (pdf_write, &sink, PDF_WIDTH, PDF_HEIGHT);
  period = period_text (self, self->from, self->to);
  {
    g_autofree char *title = g_strdup_printf ("%s: %s, %s", bb_profile_get_name (self->profile),
                                              report_title (), period);

    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title);
    if (self->generated_by != NULL)
      cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_AUTHOR, self->generated_by);
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Beatbook " PACKAGE_VERSION);
  }

  pdf.report = self;
  pdf.cr = cairo_create (surface);
  pdf.page = 1;
  pdf.footer = g_strdup_printf ("%s · %s · %s", bb_profile_get_name (self->profile),
                                report_title (), period);

  pdf_title_page (&pdf);
  pdf_new_page (&pdf);

  for (guint s = 0; section_ids[s] != NULL; s++)
    {
      GPtrArray *items = bb_report_get_items (self, section_ids[s]);

      if (g_str_equal (section_ids[s], BB_REPORT_SECTION_TOTAL))
        continue;

      pdf_heading (&pdf, bb_report_section_get_title (section_ids[s]));
      if (items->len == 0)
        {
          pdf_font (&pdf, PDF_BODY, FALSE);
          pdf_show (&pdf, PDF_MARGIN, pdf.y, _("Nothing logged in this period."));
          pdf.y += PDF_LINE;
          continue;
        }

      pdf_table (&pdf, section_ids[s], items);
      if (section_has_chart (section_ids[s]))
        pdf_chart (&pdf, items);
    }

  pdf_footer (&pdf);
  cairo_show_page (pdf.cr);
  cairo_destroy (pdf.cr);
  g_free (pdf.footer);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (sink.error != NULL)
    {
      g_propagate_error (error, sink.error);
      return FALSE;
    }
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not make the PDF: %s"), cairo_status_to_string (status));
      return FALSE;
    }

  return TRUE;
}
