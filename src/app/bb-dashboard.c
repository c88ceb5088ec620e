/* bb-dashboard.c: the partnership's figures for a period, with charts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The figures are BbReport's (libbeatbook), so the dashboard, the PDF and
 * `beatbook-cli report` never disagree. Each chart has the table of the
 * same figures beside it and its figures as accessible text.
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include <adwaita.h>

#include "bb-dashboard.h"
#include "bb-i18n.h"
#include "bb-review-date.h"

struct _BbDashboard
{
  GtkWidget     parent_instance;

  BbSession    *session;
  BbReport     *report;
  GHashTable   *charts;   /* section -> BbChart (owned by the content box) */
  char         *from;
  char         *to;       /* exclusive */
  gboolean      filling;

  GtkDropDown  *preset;
  GtkBox       *dates_box;
  GtkWidget    *to_label;
  GtkWidget    *from_date;
  GtkWidget    *to_date;
  GtkButton    *export_button;
  GtkLabel     *message;
  GtkBox       *content;
  GtkFileChooserNative *chooser;

  /* Counting reads the whole period twice: it runs in a worker thread, and
   * a newer period cancels an older count. */
  GCancellable *cancellable;
  guint         busy;
};

G_DEFINE_FINAL_TYPE (BbDashboard, bb_dashboard, GTK_TYPE_WIDGET)

/* Periods */

static char *
format_date (GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date),
                          g_date_get_month (date), g_date_get_day (date));
}

gboolean
bb_dashboard_preset_dates (BbDashboardPreset   preset,
                           const char         *today,
                           char              **from,
                           char              **to)
{
  g_autoptr(GDateTime) dt = NULL;
  GDate start, end;
  int month;

  g_return_val_if_fail (from != NULL && to != NULL, FALSE);

  if (today == NULL || (dt = bb_date_parse (today)) == NULL)
    return FALSE;

  month = g_date_time_get_month (dt);
  g_date_clear (&start, 1);
  g_date_set_dmy (&start, 1, month, g_date_time_get_year (dt));

  switch (preset)
    {
    case BB_DASHBOARD_THIS_MONTH:
      end = start;
      g_date_add_months (&end, 1);
      break;
    case BB_DASHBOARD_LAST_MONTH:
      end = start;
      g_date_subtract_months (&start, 1);
      break;
    case BB_DASHBOARD_THIS_QUARTER:
      g_date_subtract_months (&start, (month - 1) % 3);
      end = start;
      g_date_add_months (&end, 3);
      break;
    case BB_DASHBOARD_LAST_QUARTER:
      g_date_subtract_months (&start, (month - 1) % 3);
      end = start;
      g_date_subtract_months (&start, 3);
      break;
    case BB_DASHBOARD_LAST_12_MONTHS:
      /* Whole months, this one included, so the comparison is with the
       * twelve whole months before. */
      end = start;
      g_date_add_months (&end, 1);
      g_date_subtract_months (&start, 11);
      break;
    case BB_DASHBOARD_CHOSEN:
    default:
      return FALSE;
    }

  *from = format_date (&start);
  *to = format_date (&end);
  return TRUE;
}

static char *
shift_date (const char *date,
            int         days)
{
  g_autoptr(GDateTime) dt = bb_date_parse (date);
  g_autoptr(GDateTime) shifted = NULL;

  if (dt == NULL)
    return NULL;
  shifted = g_date_time_add_days (dt, days);
  return g_date_time_format (shifted, "%Y-%m-%d");
}

static char *
today_local (void)
{
  g_autoptr(GTimeZone) tz = bb_time_zone_local (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);

  return g_date_time_format (now, "%Y-%m-%d");
}

/* Showing the report */

static void
show_message (BbDashboard *self,
              const char  *text)
{
  gtk_label_set_text (self->message, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message), text != NULL);
}

static void
clear_content (BbDashboard *self)
{
  GtkWidget *child;

  g_hash_table_remove_all (self->charts);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->content))) != NULL)
    gtk_box_remove (self->content, child);
}

static GtkWidget *
cell (const char *text,
      gboolean    numeric,
      const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1.0 : 0.0);
  gtk_label_set_wrap (GTK_LABEL (label), !numeric);
  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static char *
item_label (const BbReportItem *item)
{
  if (item->previous_label != NULL && item->label != NULL && *item->label != '\0')
    /* Translators: a month against the month it is compared with, "Mar 2026 (Mar 2025)" */
    return g_strdup_printf (_("%s (%s)"), item->label, item->previous_label);
  if (item->previous_label != NULL && (item->label == NULL || *item->label == '\0'))
    /* Translators: a month of the previous period with no month to match */
    return g_strdup_printf (_("— (%s)"), item->previous_label);
  return g_strdup (item->label != NULL ? item->label : item->key);
}

static GtkWidget *
make_table (GPtrArray  *items,
            const char *title)
{
  GtkWidget *grid = gtk_grid_new ();

  /* Narrow enough for 360 px: the figures' headings wrap, the spacing is
   * modest; the first column (the labels) wraps anyway. */
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_widget_set_valign (grid, GTK_ALIGN_START);
  gtk_widget_set_hexpand (grid, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (grid),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);

  gtk_grid_attach (GTK_GRID (grid), cell ("", FALSE, "caption-heading"), 0, 0, 1, 1);
  {
    const char *headings[] = { _("This period"), _("Previous"), _("Change") };

    for (guint c = 0; c < G_N_ELEMENTS (headings); c++)
      {
        GtkWidget *heading = cell (headings[c], TRUE, "caption-heading");

        gtk_label_set_wrap (GTK_LABEL (heading), TRUE);
        gtk_label_set_justify (GTK_LABEL (heading), GTK_JUSTIFY_RIGHT);
        gtk_widget_set_valign (heading, GTK_ALIGN_END);
        gtk_grid_attach (GTK_GRID (grid), heading, c + 1, 0, 1, 1);
      }
  }

  for (guint i = 0; i < items->len; i++)
    {
      const BbReportItem *item = g_ptr_array_index (items, i);
      g_autofree char *label = item_label (item);
      g_autofree char *current = g_strdup_printf ("%" G_GINT64_FORMAT, item->current);
      g_autofree char *previous = g_strdup_printf ("%" G_GINT64_FORMAT, item->previous);
      g_autofree char *change = bb_report_format_change (item->current, item->previous);

      gtk_grid_attach (GTK_GRID (grid), cell (label, FALSE, NULL), 0, i + 1, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), cell (current, TRUE, NULL), 1, i + 1, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), cell (previous, TRUE, "dim-label"), 2, i + 1, 1, 1);
      /* No change to show against nothing: a dash, not "inf%". */
      gtk_grid_attach (GTK_GRID (grid), cell (change != NULL ? change : "—", TRUE, "dim-label"), 3, i + 1, 1, 1);
    }

  if (items->len == 0)
    gtk_grid_attach (GTK_GRID (grid), cell (_("Nothing recorded in either period."), FALSE, "dim-label"),
                     0, 1, 4, 1);
  return grid;
}

static gboolean
is_charted (const char *section)
{
  return g_strcmp0 (section, BB_REPORT_SECTION_KIND) == 0 ||
         g_strcmp0 (section, BB_REPORT_SECTION_PRIORITY) == 0 ||
         g_strcmp0 (section, BB_REPORT_SECTION_WARD) == 0 ||
         g_strcmp0 (section, BB_REPORT_SECTION_MONTH) == 0;
}

static void
add_total (BbDashboard *self)
{
  const BbReportItem *total = bb_report_find_item (self->report, BB_REPORT_SECTION_TOTAL, "records");
  gint64 current = total != NULL ? total->current : 0;
  gint64 previous = total != NULL ? total->previous : 0;
  g_autofree char *change = bb_report_format_change (current, previous);
  g_autofree char *figure = NULL;
  g_autofree char *against = NULL;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *label;

  figure = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lld record",
                                         "%lld records", current),
                            (long long) current);
  if (change != NULL)
    /* Translators: "previous period: 100 (+23.0%)" */
    against = g_strdup_printf (_("previous period: %lld (%s)"), (long long) previous, change);
  else
    against = g_strdup_printf (_("previous period: %lld"), (long long) previous);

  label = gtk_label_new (figure);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "title-1");
  gtk_box_append (GTK_BOX (box), label);
  label = gtk_label_new (against);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (self->content, box);
}

static void
add_section (BbDashboard *self,
             const char  *section)
{
  GPtrArray *items = bb_report_get_items (self->report, section);
  const char *title = bb_report_section_get_title (section);
  GtkWidget *heading, *flow, *chart;

  if (items == NULL)
    return;

  heading = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  /* Long section titles wrap: at 360 px they held the window wider. */
  gtk_label_set_wrap (GTK_LABEL (heading), TRUE);
  gtk_widget_add_css_class (heading, "title-4");
  gtk_accessible_update_property (GTK_ACCESSIBLE (heading),
                                  GTK_ACCESSIBLE_PROPERTY_LEVEL, 2, -1);
  gtk_box_append (self->content, heading);

  if (!is_charted (section))
    {
      gtk_box_append (self->content, make_table (items, title));
      return;
    }

  /* Chart and table side by side when there is room, one above the other
   * when there is not. */
  flow = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 2);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (flow), TRUE);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (flow), 24);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (flow), 12);

  chart = bb_chart_new (title);
  for (guint i = 0; i < items->len; i++)
    {
      const BbReportItem *item = g_ptr_array_index (items, i);
      g_autofree char *label = item_label (item);

      /* Twenty empty wards would hide the few that matter; the table
       * beside the chart still lists every one. */
      if (item->current == 0 && item->previous == 0)
        continue;
      bb_chart_add_bar (BB_CHART (chart), label, item->current, item->previous);
    }
  gtk_flow_box_append (GTK_FLOW_BOX (flow), chart);
  g_hash_table_insert (self->charts, g_strdup (section), chart);
  gtk_flow_box_append (GTK_FLOW_BOX (flow), make_table (items, title));
  /* The flow box's children are not focusable cells: keep them out of Tab. */
  for (GtkWidget *child = gtk_widget_get_first_child (flow); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_widget_set_focusable (child, FALSE);
  gtk_box_append (self->content, flow);
}

static void
show_report (BbDashboard *self)
{
  const char * const *sections = bb_report_list_sections ();

  clear_content (self);
  add_total (self);
  for (guint i = 0; sections[i] != NULL; i++)
    if (!g_str_equal (sections[i], BB_REPORT_SECTION_TOTAL))
      add_section (self, sections[i]);
}

static void
collect_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  BbReport *report = task_data;
  BbStore *store = g_object_get_data (G_OBJECT (task), "store");
  GError *error = NULL;

  /* The store serialises its connection with a mutex of its own. */
  if (bb_report_collect (report, store, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
collect_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  BbDashboard *self = BB_DASHBOARD (source);
  BbReport *report = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->busy--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (self, error->message);
      return;
    }

  show_message (self, NULL);
  g_set_object (&self->report, report);
  show_report (self);
}

void
bb_dashboard_refresh (BbDashboard *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbReport) report = NULL;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BB_IS_DASHBOARD (self));

  if (self->session == NULL || self->from == NULL || self->to == NULL)
    return;

  report = bb_report_new (bb_session_get_profile (self->session), self->from, self->to, &error);
  if (report == NULL)
    {
      show_message (self, error->message);
      return;
    }
  bb_report_set_generated_by (report, bb_session_get_display_name (self->session));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  self->busy++;
  task = g_task_new (self, self->cancellable, collect_done, NULL);
  g_task_set_source_tag (task, bb_dashboard_refresh);
  g_task_set_task_data (task, g_steal_pointer (&report), g_object_unref);
  g_object_set_data_full (G_OBJECT (task), "store",
                          g_object_ref (bb_session_get_store (self->session)), g_object_unref);
  g_task_run_in_thread (task, collect_in_thread);
}

gboolean
bb_dashboard_is_busy (BbDashboard *self)
{
  g_return_val_if_fail (BB_IS_DASHBOARD (self), FALSE);
  return self->busy > 0;
}

/* Period controls */

static void
show_period (BbDashboard *self)
{
  g_autofree char *last_day = shift_date (self->to, -1);

  self->filling = TRUE;
  bb_review_date_set_date (BB_REVIEW_DATE (self->from_date), self->from);
  bb_review_date_set_date (BB_REVIEW_DATE (self->to_date), last_day);
  self->filling = FALSE;
}

void
bb_dashboard_set_period (BbDashboard *self,
                         const char  *from,
                         const char  *to)
{
  g_return_if_fail (BB_IS_DASHBOARD (self));

  g_free (self->from);
  self->from = g_strdup (from);
  g_free (self->to);
  self->to = g_strdup (to);
  show_period (self);
  bb_dashboard_refresh (self);
}

void
bb_dashboard_set_preset (BbDashboard       *self,
                         BbDashboardPreset  preset)
{
  g_autofree char *today = today_local ();
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  g_return_if_fail (BB_IS_DASHBOARD (self));

  self->filling = TRUE;
  gtk_drop_down_set_selected (self->preset, preset);
  self->filling = FALSE;

  if (bb_dashboard_preset_dates (preset, today, &from, &to))
    bb_dashboard_set_period (self, from, to);
}

static void
on_preset_selected (GtkDropDown *drop_down,
                    GParamSpec  *pspec,
                    BbDashboard *self)
{
  if (self->filling)
    return;
  bb_dashboard_set_preset (self, gtk_drop_down_get_selected (drop_down));
}

static void
on_date_changed (BbReviewDate *date,
                 BbDashboard  *self)
{
  const char *from = bb_review_date_get_date (BB_REVIEW_DATE (self->from_date));
  const char *last = bb_review_date_get_date (BB_REVIEW_DATE (self->to_date));
  g_autofree char *to = NULL;

  if (self->filling || from == NULL || last == NULL)
    return;

  self->filling = TRUE;
  gtk_drop_down_set_selected (self->preset, BB_DASHBOARD_CHOSEN);
  self->filling = FALSE;

  to = shift_date (last, 1);
  if (g_strcmp0 (from, to) >= 0)
    {
      show_message (self, _("The period ends before it starts: choose a last day after the first."));
      return;
    }
  g_free (self->from);
  self->from = g_strdup (from);
  g_free (self->to);
  self->to = g_steal_pointer (&to);
  bb_dashboard_refresh (self);
}

/* Export */

static void
toast (BbDashboard *self,
       const char  *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

gboolean
bb_dashboard_export_pdf (BbDashboard  *self,
                         GFile        *file,
                         GError      **error)
{
  g_autoptr(GFileOutputStream) out = NULL;
  const BbReportItem *total;

  g_return_val_if_fail (BB_IS_DASHBOARD (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (self->report == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("There are no figures to export: choose a period first."));
      return FALSE;
    }

  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, error);
  if (out == NULL ||
      !bb_report_write_pdf (self->report, G_OUTPUT_STREAM (out), NULL, error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error))
    return FALSE;

  /* Hotspots name places and small counts can point at people: the
   * report is logged as a disclosure like a CSV. */
  total = bb_report_find_item (self->report, BB_REPORT_SECTION_TOTAL, "records");
  return bb_store_queue_export_notice (bb_session_get_store (self->session), "pdf", NULL,
                                       total != NULL ? (guint) total->current : 0,
                                       bb_report_get_from_date (self->report),
                                       bb_report_get_to_date (self->report),
                                       NULL, NULL, error);
}

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     BbDashboard     *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file == NULL)
    return;

  if (!bb_dashboard_export_pdf (self, file, &error))
    {
      g_autofree char *text = g_strdup_printf (_("The report was not saved: %s"), error->message);
      show_message (self, text);
      return;
    }
  toast (self, _("Report saved; the export is logged at the next sync"));
}

static void
on_export_clicked (GtkButton   *button,
                   BbDashboard *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *name = NULL;

  if (self->report == NULL || self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Save the Report"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  name = g_strdup_printf ("beatbook-report-%s-to-%s.pdf", self->from, self->to);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* GObject */

static void
bb_dashboard_dispose (GObject *object)
{
  BbDashboard *self = BB_DASHBOARD (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), BB_TYPE_DASHBOARD);
  /* GTK 4.8 leaves the template's top-level child in place. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->report);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (bb_dashboard_parent_class)->dispose (object);
}

static void
bb_dashboard_finalize (GObject *object)
{
  BbDashboard *self = BB_DASHBOARD (object);

  g_clear_pointer (&self->charts, g_hash_table_unref);
  g_clear_pointer (&self->from, g_free);
  g_clear_pointer (&self->to, g_free);

  G_OBJECT_CLASS (bb_dashboard_parent_class)->finalize (object);
}

static void
bb_dashboard_class_init (BbDashboardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bb_dashboard_dispose;
  object_class->finalize = bb_dashboard_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/beatbook/Beatbook/bb-dashboard.ui");
  gtk_widget_class_bind_template_child (widget_class, BbDashboard, preset);
  gtk_widget_class_bind_template_child (widget_class, BbDashboard, dates_box);
  gtk_widget_class_bind_template_child (widget_class, BbDashboard, to_label);
  gtk_widget_class_bind_template_child (widget_class, BbDashboard, export_button);
  gtk_widget_class_bind_template_child (widget_class, BbDashboard, message);
  gtk_widget_class_bind_template_child (widget_class, BbDashboard, content);
}

static void
bb_dashboard_init (BbDashboard *self)
{
  g_type_ensure (ADW_TYPE_CLAMP);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->charts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  self->from_date = bb_review_date_new (_("First day of the period"), NULL);
  gtk_box_insert_child_after (self->dates_box, self->from_date,
                              gtk_widget_get_first_child (GTK_WIDGET (self->dates_box)));
  self->to_date = bb_review_date_new (_("Last day of the period"), NULL);
  gtk_box_append (self->dates_box, self->to_date);
  g_signal_connect (self->from_date, "changed", G_CALLBACK (on_date_changed), self);
  g_signal_connect (self->to_date, "changed", G_CALLBACK (on_date_changed), self);

  g_signal_connect (self->preset, "notify::selected", G_CALLBACK (on_preset_selected), self);
  g_signal_connect (self->export_button, "clicked", G_CALLBACK (on_export_clicked), self);
}

GtkWidget *
bb_dashboard_new (BbSession *session)
{
  BbDashboard *self;

  g_return_val_if_fail (BB_IS_SESSION (session), NULL);

  self = g_object_new (BB_TYPE_DASHBOARD, NULL);
  self->session = g_object_ref (session);
  bb_dashboard_set_preset (self, BB_DASHBOARD_LAST_MONTH);
  return GTK_WIDGET (self);
}

BbReport *
bb_dashboard_get_report (BbDashboard *self)
{
  g_return_val_if_fail (BB_IS_DASHBOARD (self), NULL);

  return self->report;
}

BbChart *
bb_dashboard_get_chart (BbDashboard *self,
                        const char  *section)
{
  g_return_val_if_fail (BB_IS_DASHBOARD (self), NULL);

  return g_hash_table_lookup (self->charts, section);
}
