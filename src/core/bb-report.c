/* bb-report.c: the partnership's figures for a period (counting them)
 *
 * The outputs are bb-report-text.c (text and CSV) and bb-report-pdf.c (PDF
 * and its charts), behind the same header.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-report"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bb-csv.h"
#include "bb-i18n.h"
#include "bb-geo.h"
#include "bb-kind.h"
#include "bb-report-private.h"
#include "bb-time.h"

/* A supervisor's store holds years of records: never more than a page in
 * memory. */
#define REPORT_PAGE_SIZE 500
#define REPORT_DEFAULT_HOTSPOTS 10
/* Observations with coordinates are counted in cells of this size: about a
 * street's length, so reports of one spot typed three ways are one hotspot
 * and the two ends of a long road are two. */
#define REPORT_HOTSPOT_CELL_METRES 100.0
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
  g_clear_pointer (&self->cell_places, g_hash_table_unref);
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
  g_clear_pointer (&self->cell_places, g_hash_table_unref);
  self->cell_places = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_hash_table_unref);
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

/* How often a place was typed in one cell of the grid. */
typedef struct
{
  char   *tidy;     /* as typed the latest time in the period shown (records
                     * are read newest first), else in the previous one */
  gint64  count[2]; /* CURRENT, PREVIOUS */
} PlaceTally;

static void
place_tally_free (gpointer data)
{
  PlaceTally *tally = data;

  g_free (tally->tidy);
  g_free (tally);
}

/* The record's point, when it has both numbers (the validator sees that
 * they come in pairs and in range). */
static gboolean
record_point (BbRecord *record,
              double   *lat,
              double   *lon)
{
  JsonObject *fields = bb_record_get_fields (record);
  JsonNode *lat_node, *lon_node;

  if (fields == NULL)
    return FALSE;
  lat_node = json_object_get_member (fields, "lat");
  lon_node = json_object_get_member (fields, "lon");
  if (lat_node == NULL || lon_node == NULL
      || !JSON_NODE_HOLDS_VALUE (lat_node) || !JSON_NODE_HOLDS_VALUE (lon_node)
      || (json_node_get_value_type (lat_node) != G_TYPE_DOUBLE
          && json_node_get_value_type (lat_node) != G_TYPE_INT64)
      || (json_node_get_value_type (lon_node) != G_TYPE_DOUBLE
          && json_node_get_value_type (lon_node) != G_TYPE_INT64))
    return FALSE;
  *lat = json_node_get_double (lat_node);
  *lon = json_node_get_double (lon_node);
  return isfinite (*lat) && isfinite (*lon) && fabs (*lat) <= 90.0 && fabs (*lon) <= 180.0;
}

/* "51.4462, 0.2180": four decimals are about ten metres, finer than a
 * cell; always with a "." whatever the locale, like the CSV. */
static char *
format_point (double lat,
              double lon)
{
  char lat_text[G_ASCII_DTOSTR_BUF_SIZE];
  char lon_text[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (lat_text, sizeof lat_text, "%.4f", lat);
  g_ascii_formatd (lon_text, sizeof lon_text, "%.4f", lon);
  return g_strdup_printf ("%s, %s", lat_text, lon_text);
}

/* A hotspot from coordinates: the grid cell holding the point. Its key is
 * the cell's centre as a geo: URI (RFC 5870); its label is set when
 * counting ends, from the place typed most in it. */
static void
count_cell (BbReport   *self,
            int         period,
            double      lat,
            double      lon,
            const char *place,
            const char *norm)
{
  char lat_text[G_ASCII_DTOSTR_BUF_SIZE];
  char lon_text[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *key = NULL;
  g_autofree char *point = NULL;
  double centre_lat, centre_lon;
  GHashTable *places;

  bb_geo_grid_cell (lat, lon, REPORT_HOTSPOT_CELL_METRES, NULL, NULL,
                    &centre_lat, &centre_lon);
  g_ascii_formatd (lat_text, sizeof lat_text, "%.5f", centre_lat);
  g_ascii_formatd (lon_text, sizeof lon_text, "%.5f", centre_lon);
  key = g_strdup_printf ("geo:%s,%s", lat_text, lon_text);
  point = format_point (centre_lat, centre_lon);

  entry_add (section_entry (get_section (self, BB_REPORT_SECTION_HOTSPOT), key, point, 0),
             period, 1);

  if (norm == NULL)
    return;
  places = g_hash_table_lookup (self->cell_places, key);
  if (places == NULL)
    {
      places = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, place_tally_free);
      g_hash_table_insert (self->cell_places, g_strdup (key), places);
    }
  {
    PlaceTally *tally = g_hash_table_lookup (places, norm);

    if (tally == NULL)
      {
        tally = g_new0 (PlaceTally, 1);
        tally->tidy = tidy_place (place);
        g_hash_table_insert (places, g_strdup (norm), tally);
      }
    else if (period == CURRENT && tally->count[CURRENT] == 0)
      {
        g_free (tally->tidy);
        tally->tidy = tidy_place (place);
      }
    tally->count[period]++;
  }
}

/* Each cell named by the place typed most in it this period (then in the
 * previous one, then the first in collation order), with its point:
 * "Joyce Green Lane, around 51.4462, 0.2180". A cell where nobody typed a
 * place is named by its point alone. */
static void
label_cells (BbReport *self)
{
  Section *section = get_section (self, BB_REPORT_SECTION_HOTSPOT);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, section->by_key);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Entry *entry = value;
      GHashTable *places;
      GHashTableIter places_iter;
      gpointer tally_value;
      PlaceTally *best = NULL;
      g_autofree char *point = NULL;

      if (!g_str_has_prefix (key, "geo:"))
        continue;
      point = g_strdup (entry->item.label);
      places = g_hash_table_lookup (self->cell_places, key);
      if (places != NULL)
        {
          g_hash_table_iter_init (&places_iter, places);
          while (g_hash_table_iter_next (&places_iter, NULL, &tally_value))
            {
              PlaceTally *tally = tally_value;

              if (best == NULL
                  || tally->count[CURRENT] > best->count[CURRENT]
                  || (tally->count[CURRENT] == best->count[CURRENT]
                      && (tally->count[PREVIOUS] > best->count[PREVIOUS]
                          || (tally->count[PREVIOUS] == best->count[PREVIOUS]
                              && g_utf8_collate (tally->tidy, best->tidy) < 0))))
                best = tally;
            }
        }

      g_free (entry->item.label);
      if (best != NULL)
        /* Translators: a hotspot of the grid, "Joyce Green Lane, around 51.4462, 0.2180" */
        entry->item.label = g_strdup_printf (_("%s, around %s"), best->tidy, point);
      else
        /* Translators: a hotspot of the grid where no place was typed, "Around 51.4462, 0.2180" */
        entry->item.label = g_strdup_printf (_("Around %s"), point);
    }
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
  double lat, lon;

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

  /* Where the device gave coordinates they say where; the place text only
   * names the cell. Typed places are the hotspots of the rest. */
  if (record_point (record, &lat, &lon))
    count_cell (self, period, lat, lon, place, norm);
  else if (norm != NULL)
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
  label_cells (self);

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
