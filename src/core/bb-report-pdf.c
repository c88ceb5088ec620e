/* bb-report-pdf.c: the report as an A4 PDF with tables and bar charts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-report"

#include "config.h"

#include <math.h>
#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>

#include "bb-i18n.h"
#include "bb-kind.h"
#include "bb-report-private.h"

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
  g_autofree char *period = bb_report_period_text (self, self->from, self->to);
  g_autofree char *previous = bb_report_period_text (self, self->previous_from, self->from);
  g_autofree char *generated = bb_report_generated_text (self);
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
  pdf_show (pdf, PDF_MARGIN, y + 8.0, bb_report_title_text ());
  y += 60.0;

  cairo_set_source_rgb (pdf->cr, 0, 0, 0);
  pdf_font (pdf, 12.0, FALSE);
  pdf_show (pdf, PDF_MARGIN, y, period_line);
  pdf_show (pdf, PDF_MARGIN, y + 18.0, previous_line);
  pdf_show (pdf, PDF_MARGIN, y + 36.0, generated);

  if (total != NULL)
    {
      g_autofree char *change = bb_report_change_text (total);
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
      g_autofree char *label = bb_report_item_label (item);
      g_autofree char *current = g_strdup_printf ("%" G_GINT64_FORMAT, item->current);
      g_autofree char *previous = g_strdup_printf ("%" G_GINT64_FORMAT, item->previous);
      g_autofree char *change = bb_report_change_text (item);
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
  const char * const *sections = bb_report_list_sections ();
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
  period = bb_report_period_text (self, self->from, self->to);
  {
    g_autofree char *title = g_strdup_printf ("%s: %s, %s", bb_profile_get_name (self->profile),
                                              bb_report_title_text (), period);

    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title);
    if (self->generated_by != NULL)
      cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_AUTHOR, self->generated_by);
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Beatbook " PACKAGE_VERSION);
  }

  pdf.report = self;
  pdf.cr = cairo_create (surface);
  pdf.page = 1;
  pdf.footer = g_strdup_printf ("%s · %s · %s", bb_profile_get_name (self->profile),
                                bb_report_title_text (), period);

  pdf_title_page (&pdf);
  pdf_new_page (&pdf);

  for (guint s = 0; sections[s] != NULL; s++)
    {
      GPtrArray *items = bb_report_get_items (self, sections[s]);

      if (g_str_equal (sections[s], BB_REPORT_SECTION_TOTAL))
        continue;

      pdf_heading (&pdf, bb_report_section_get_title (sections[s]));
      if (items->len == 0)
        {
          pdf_font (&pdf, PDF_BODY, FALSE);
          pdf_show (&pdf, PDF_MARGIN, pdf.y, _("Nothing logged in this period."));
          pdf.y += PDF_LINE;
          continue;
        }

      pdf_table (&pdf, sections[s], items);
      if (section_has_chart (sections[s]))
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
