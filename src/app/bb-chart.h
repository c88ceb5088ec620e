/* bb-chart.h: a bar chart of a period against the previous one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BB_TYPE_CHART (bb_chart_get_type ())
G_DECLARE_FINAL_TYPE (BbChart, bb_chart, BB, CHART, GtkWidget)

GtkWidget  *bb_chart_new          (const char *title);
void        bb_chart_set_title    (BbChart    *self,
                                   const char *title);
const char *bb_chart_get_title    (BbChart    *self);
/* Removes every bar. */
void        bb_chart_clear        (BbChart    *self);
/* One bar: @current for the period and @previous for the period before
 * (drawn as a thinner outlined bar under it, so the two differ by shape as
 * well as colour). */
void        bb_chart_add_bar      (BbChart    *self,
                                   const char *label,
                                   gint64      current,
                                   gint64      previous);
guint       bb_chart_get_n_bars   (BbChart    *self);
/* (transfer none): the figures in words, also the chart's accessible
 * description: "Town: 12, previously 8 (+50.0%). ..." */
const char *bb_chart_get_text     (BbChart    *self);

G_END_DECLS
