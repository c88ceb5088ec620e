/* bb-report-private.h: what the report's files share
 *
 * bb-report.c counts the figures; bb-report-text.c writes them as text and
 * CSV; bb-report-pdf.c as a PDF with charts. Callers use bb-report.h only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bb-report.h"

G_BEGIN_DECLS

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
  /* Hotspot cells of the grid: "geo:lat,lon" -> (normalised place ->
   * PlaceTally), to label each cell by the place people typed most there. */
  GHashTable *cell_places;
};

/* bb-report-text.c: words shared by the text, CSV and PDF outputs.
 * (transfer full) unless said. */
char       *bb_report_item_label     (const BbReportItem *item);
char       *bb_report_change_text    (const BbReportItem *item);
char       *bb_report_period_text    (BbReport           *self,
                                      GDateTime          *start,
                                      GDateTime          *end);
char       *bb_report_generated_text (BbReport           *self);
/* (transfer none) */
const char *bb_report_title_text     (void);

G_END_DECLS
