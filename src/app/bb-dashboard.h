/* bb-dashboard.h: the partnership's figures for a period, with charts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "beatbook.h"
#include "bb-chart.h"

G_BEGIN_DECLS

#define BB_TYPE_DASHBOARD (bb_dashboard_get_type ())
G_DECLARE_FINAL_TYPE (BbDashboard, bb_dashboard, BB, DASHBOARD, GtkWidget)

/* The periods offered, in the order the period list shows them. */
typedef enum {
  BB_DASHBOARD_THIS_MONTH,
  BB_DASHBOARD_LAST_MONTH,
  BB_DASHBOARD_THIS_QUARTER,
  BB_DASHBOARD_LAST_QUARTER,
  BB_DASHBOARD_LAST_12_MONTHS,
  BB_DASHBOARD_CHOSEN,
} BbDashboardPreset;

/* The local dates [@from, @to) of @preset on the day @today ("2026-11-28").
 * (transfer full) both. FALSE for BB_DASHBOARD_CHOSEN or a bad @today. */
gboolean     bb_dashboard_preset_dates   (BbDashboardPreset   preset,
                                          const char         *today,
                                          char              **from,
                                          char              **to);

GtkWidget   *bb_dashboard_new            (BbSession         *session);
void         bb_dashboard_set_preset     (BbDashboard       *self,
                                          BbDashboardPreset  preset);
/* The period [@from, @to) in local dates; the "to" picker shows the last
 * day included. Counts again. */
void         bb_dashboard_set_period     (BbDashboard       *self,
                                          const char        *from,
                                          const char        *to);
/* Counts the store again for the current period. */
void         bb_dashboard_refresh        (BbDashboard       *self);
/* TRUE while a count runs in the background (refresh is asynchronous). */
gboolean     bb_dashboard_is_busy        (BbDashboard       *self);
/* (transfer none) (nullable): the figures shown. */
BbReport    *bb_dashboard_get_report     (BbDashboard       *self);
/* (transfer none) (nullable): the chart of a section ("kind", "ward",
 * "priority", "month"). */
BbChart     *bb_dashboard_get_chart      (BbDashboard       *self,
                                          const char        *section);
/* Writes the PDF report of the period to @file and queues the export
 * notice for the server's audit log. */
gboolean     bb_dashboard_export_pdf     (BbDashboard       *self,
                                          GFile             *file,
                                          GError           **error);

G_END_DECLS
