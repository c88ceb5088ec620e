/* bb-report-text.c: the report as text for people and as CSV
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-report"

#include "config.h"

#include <string.h>

#include "bb-csv.h"
#include "bb-i18n.h"
#include "bb-kind.h"
#include "bb-report-private.h"
#include "bb-time.h"

char *
bb_report_item_label (const BbReportItem *item)
{
  if (item->previous_label != NULL)
    /* Translators: a month of the period against the same month of the
     * previous period, "March 2026 against December 2025" */
    return g_strdup_printf (_("%s against %s"), item->label, item->previous_label);
  return g_strdup (item->label);
}

char *
bb_report_change_text (const BbReportItem *item)
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
char *
bb_report_period_text (BbReport  *self,
             GDateTime *start,
             GDateTime *end)
{
  g_autofree char *first = local_date (self, start, 0);
  g_autofree char *last = local_date (self, end, -1);

  /* Translators: a period of whole days, "1 March 2026 to 31 March 2026" */
  return g_strdup_printf (_("%s to %s"), first, last);
}

char *
bb_report_generated_text (BbReport *self)
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

const char *
bb_report_title_text (void)
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
  const char * const *sections = bb_report_list_sections ();
  GString *out;
  g_autofree char *period = NULL;
  g_autofree char *previous = NULL;
  g_autofree char *generated = NULL;

  g_return_val_if_fail (BB_IS_REPORT (self), NULL);
  g_return_val_if_fail (self->sections != NULL, NULL);

  period = bb_report_period_text (self, self->from, self->to);
  previous = bb_report_period_text (self, self->previous_from, self->from);
  generated = bb_report_generated_text (self);

  out = g_string_new (NULL);
  g_string_append_printf (out, "%s\n%s\n\n", bb_profile_get_name (self->profile), bb_report_title_text ());
  g_string_append_printf (out, _("Period: %s (%s)"), period, bb_profile_get_timezone (self->profile));
  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("Compared with: %s"), previous);
  g_string_append_c (out, '\n');
  g_string_append_printf (out, "%s\n", generated);

  for (guint s = 0; sections[s] != NULL; s++)
    {
      GPtrArray *items = bb_report_get_items (self, sections[s]);
      const char *title = bb_report_section_get_title (sections[s]);

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
          g_autofree char *label = bb_report_item_label (item);
          g_autofree char *current = g_strdup_printf ("%" G_GINT64_FORMAT, item->current);
          g_autofree char *prev = g_strdup_printf ("%" G_GINT64_FORMAT, item->previous);
          g_autofree char *change = bb_report_change_text (item);
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
  const char * const *sections = bb_report_list_sections ();
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

  for (guint s = 0; sections[s] != NULL; s++)
    {
      GPtrArray *items = bb_report_get_items (self, sections[s]);

      for (guint i = 0; i < items->len; i++)
        {
          const BbReportItem *item = g_ptr_array_index (items, i);
          g_autofree char *label = bb_report_item_label (item);
          g_autofree char *current = g_strdup_printf ("%" G_GINT64_FORMAT, item->current);
          g_autofree char *prev = g_strdup_printf ("%" G_GINT64_FORMAT, item->previous);
          g_autofree char *change = bb_report_format_change (item->current, item->previous);

          bb_csv_append_value (out, bb_report_section_get_title (sections[s]));
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
