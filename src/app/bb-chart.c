/* bb-chart.c: a bar chart of a period against the previous one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Drawn with cairo inside a GtkSnapshot. The colours come from the style
 * (libadwaita's named colours), so the chart follows the light and dark
 * styles and high contrast. Screen readers get the same figures as text.
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include "bb-chart.h"
#include "bb-i18n.h"
#include "bb-report.h"

#define ROW_HEIGHT     30
#define LEGEND_HEIGHT  28
#define PADDING        6
#define VALUE_GAP      6
#define MIN_BAR_SPACE  80

typedef struct
{
  char   *label;
  gint64  current;
  gint64  previous;
} Bar;

struct _BbChart
{
  GtkWidget  parent_instance;

  char      *title;
  GArray    *bars;   /* of Bar */
  char      *text;
};

G_DEFINE_FINAL_TYPE (BbChart, bb_chart, GTK_TYPE_WIDGET)

static void
bar_clear (Bar *bar)
{
  g_clear_pointer (&bar->label, g_free);
}

static void
update_text (BbChart *self)
{
  GString *text = g_string_new (NULL);

  if (self->bars->len == 0)
    g_string_append (text, _("Nothing recorded in either period."));

  for (guint i = 0; i < self->bars->len; i++)
    {
      Bar *bar = &g_array_index (self->bars, Bar, i);
      g_autofree char *change = bb_report_format_change (bar->current, bar->previous);

      if (i > 0)
        g_string_append_c (text, ' ');
      if (change != NULL)
        /* Translators: one bar of a chart: "Town: 12, previously 8 (+50.0%)." */
        g_string_append_printf (text, _("%s: %lld, previously %lld (%s)."),
                                bar->label, (long long) bar->current, (long long) bar->previous, change);
      else
        g_string_append_printf (text, _("%s: %lld, previously %lld."),
                                bar->label, (long long) bar->current, (long long) bar->previous);
    }

  g_free (self->text);
  self->text = g_string_free (text, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->title != NULL ? self->title : "",
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->text,
                                  -1);
}

static void
lookup_color (GtkWidget  *widget,
              const char *name,
              GdkRGBA    *color,
              const char *fallback)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (context, name, color))
    gdk_rgba_parse (color, fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
foreground_color (GtkWidget *widget,
                  GdkRGBA   *color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static int
label_width (BbChart *self)
{
  int widest = 0;

  for (guint i = 0; i < self->bars->len; i++)
    {
      Bar *bar = &g_array_index (self->bars, Bar, i);
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), bar->label);
      int w;

      pango_layout_get_pixel_size (layout, &w, NULL);
      widest = MAX (widest, w);
    }

  return widest;
}

static void
bb_chart_measure (GtkWidget      *widget,
                  GtkOrientation  orientation,
                  int             for_size,
                  int            *minimum,
                  int            *natural,
                  int            *minimum_baseline,
                  int            *natural_baseline)
{
  BbChart *self = BB_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int labels = MIN (label_width (self), 200);

      *minimum = labels + MIN_BAR_SPACE + 2 * PADDING;
      *natural = MAX (*minimum, 420);
    }
  else
    {
      *minimum = *natural = LEGEND_HEIGHT + MAX (1u, self->bars->len) * ROW_HEIGHT + 2 * PADDING;
    }
}

static void
draw_text (cairo_t       *cr,
           PangoLayout   *layout,
           const GdkRGBA *color,
           double         x,
           double         y)
{
  cairo_move_to (cr, x, y);
  gdk_cairo_set_source_rgba (cr, color);
  pango_cairo_show_layout (cr, layout);
}

static void
bb_chart_snapshot (GtkWidget   *widget,
                   GtkSnapshot *snapshot)
{
  BbChart *self = BB_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(PangoLayout) layout = NULL;
  GdkRGBA fg, accent, previous;
  cairo_t *cr;
  gint64 max = 1;
  int labels, value_space, bar_x, bar_space, text_h;
  double y;

  if (width <= 0 || height <= 0)
    return;

  foreground_color (widget, &fg);
  lookup_color (widget, "accent_bg_color", &accent, "#3584e4");
  previous = fg;
  previous.alpha = 0.45;

  for (guint i = 0; i < self->bars->len; i++)
    {
      Bar *bar = &g_array_index (self->bars, Bar, i);
      max = MAX (max, MAX (bar->current, bar->previous));
    }

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  layout = gtk_widget_create_pango_layout (widget, NULL);

  /* Legend: a filled block for this period, an outline for the previous. */
  y = PADDING;
  pango_layout_set_text (layout, _("This period"), -1);
  pango_layout_get_pixel_size (layout, NULL, &text_h);
  gdk_cairo_set_source_rgba (cr, &accent);
  cairo_rectangle (cr, PADDING, y + 3, 14, 12);
  cairo_fill (cr);
  draw_text (cr, layout, &fg, PADDING + 20, y + (18 - text_h) / 2.0);
  {
    int w;
    double x;

    pango_layout_get_pixel_size (layout, &w, NULL);
    x = PADDING + 20 + w + 18;
    gdk_cairo_set_source_rgba (cr, &previous);
    cairo_set_line_width (cr, 1.5);
    cairo_rectangle (cr, x + 0.75, y + 6.75, 14 - 1.5, 6 - 1.5);
    cairo_stroke (cr);
    pango_layout_set_text (layout, _("Previous period"), -1);
    draw_text (cr, layout, &fg, x + 20, y + (18 - text_h) / 2.0);
  }

  if (self->bars->len == 0)
    {
      pango_layout_set_text (layout, _("Nothing recorded in either period."), -1);
      draw_text (cr, layout, &fg, PADDING, LEGEND_HEIGHT + PADDING);
      cairo_destroy (cr);
      return;
    }

  labels = MIN (label_width (self), width / 3);
  {
    g_autofree char *widest = g_strdup_printf ("%" G_GINT64_FORMAT, max);
    pango_layout_set_text (layout, widest, -1);
    pango_layout_get_pixel_size (layout, &value_space, NULL);
  }
  bar_x = PADDING + labels + VALUE_GAP * 2;
  bar_space = MAX (10, width - bar_x - value_space - VALUE_GAP - PADDING);

  for (guint i = 0; i < self->bars->len; i++)
    {
      Bar *bar = &g_array_index (self->bars, Bar, i);
      g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, bar->current);
      double row_y = LEGEND_HEIGHT + PADDING + i * ROW_HEIGHT;
      double current_w = (double) bar_space * bar->current / max;
      double previous_w = (double) bar_space * bar->previous / max;
      int h;

      /* The label, cut to its column with an ellipsis. */
      pango_layout_set_text (layout, bar->label, -1);
      pango_layout_set_width (layout, labels * PANGO_SCALE);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_get_pixel_size (layout, NULL, &h);
      draw_text (cr, layout, &fg, PADDING, row_y + (ROW_HEIGHT - 8 - h) / 2.0);
      pango_layout_set_width (layout, -1);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_NONE);

      if (bar->current > 0)
        {
          gdk_cairo_set_source_rgba (cr, &accent);
          cairo_rectangle (cr, bar_x, row_y + 2, MAX (2.0, current_w), ROW_HEIGHT - 14);
          cairo_fill (cr);
        }
      if (bar->previous > 0)
        {
          gdk_cairo_set_source_rgba (cr, &previous);
          cairo_set_line_width (cr, 1.5);
          cairo_rectangle (cr, bar_x + 0.75, row_y + ROW_HEIGHT - 10 + 0.75,
                           MAX (2.0, previous_w - 1.5), 6 - 1.5);
          cairo_stroke (cr);
        }

      pango_layout_set_text (layout, value, -1);
      pango_layout_get_pixel_size (layout, NULL, &h);
      draw_text (cr, layout, &fg, bar_x + current_w + VALUE_GAP, row_y + (ROW_HEIGHT - 8 - h) / 2.0);
    }

  cairo_destroy (cr);
}

static void
bb_chart_css_changed (GtkWidget         *widget,
                      GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (bb_chart_parent_class)->css_changed (widget, change);
  /* Light to dark, or high contrast: new colours. */
  gtk_widget_queue_draw (widget);
}

static void
bb_chart_finalize (GObject *object)
{
  BbChart *self = BB_CHART (object);

  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->bars, g_array_unref);
  g_clear_pointer (&self->text, g_free);

  G_OBJECT_CLASS (bb_chart_parent_class)->finalize (object);
}

static void
bb_chart_class_init (BbChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = bb_chart_finalize;
  widget_class->measure = bb_chart_measure;
  widget_class->snapshot = bb_chart_snapshot;
  widget_class->css_changed = bb_chart_css_changed;

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
bb_chart_init (BbChart *self)
{
  self->bars = g_array_new (FALSE, TRUE, sizeof (Bar));
  g_array_set_clear_func (self->bars, (GDestroyNotify) bar_clear);
  update_text (self);
}

GtkWidget *
bb_chart_new (const char *title)
{
  BbChart *self = g_object_new (BB_TYPE_CHART, NULL);

  bb_chart_set_title (self, title);
  return GTK_WIDGET (self);
}

void
bb_chart_set_title (BbChart    *self,
                    const char *title)
{
  g_return_if_fail (BB_IS_CHART (self));

  g_free (self->title);
  self->title = g_strdup (title);
  update_text (self);
}

const char *
bb_chart_get_title (BbChart *self)
{
  g_return_val_if_fail (BB_IS_CHART (self), NULL);

  return self->title;
}

void
bb_chart_clear (BbChart *self)
{
  g_return_if_fail (BB_IS_CHART (self));

  g_array_set_size (self->bars, 0);
  update_text (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
bb_chart_add_bar (BbChart    *self,
                  const char *label,
                  gint64      current,
                  gint64      previous)
{
  Bar bar = { g_strdup (label != NULL ? label : ""), MAX (current, 0), MAX (previous, 0) };

  g_return_if_fail (BB_IS_CHART (self));

  g_array_append_val (self->bars, bar);
  update_text (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
bb_chart_get_n_bars (BbChart *self)
{
  g_return_val_if_fail (BB_IS_CHART (self), 0);

  return self->bars->len;
}

const char *
bb_chart_get_text (BbChart *self)
{
  g_return_val_if_fail (BB_IS_CHART (self), NULL);

  return self->text;
}
