/* bb-review-date.c: a button that shows a date and picks one from a calendar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include "bb-i18n.h"
#include "bb-review-date.h"
#include "beatbook.h"

struct _BbReviewDate
{
  GtkWidget    parent_instance;

  GtkWidget   *button;
  GtkCalendar *calendar;
  GtkWidget   *clear;
  char        *placeholder;
  char        *date;
  gboolean     filling;
};

G_DEFINE_FINAL_TYPE (BbReviewDate, bb_review_date, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_label (BbReviewDate *self)
{
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) dt = self->date != NULL ? bb_date_parse (self->date) : NULL;

  if (dt != NULL)
    /* Translators: a date on a button, "1 Mar 2026" (g_date_time_format) */
    text = g_date_time_format (dt, _("%-d %b %Y"));
  gtk_menu_button_set_label (GTK_MENU_BUTTON (self->button),
                             text != NULL ? text : self->placeholder);
}

static void
on_day_selected (GtkCalendar  *calendar,
                 BbReviewDate *self)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *date = NULL;

  if (self->filling)
    return;

  dt = gtk_calendar_get_date (calendar);
  date = g_date_time_format (dt, "%Y-%m-%d");
  bb_review_date_set_date (self, date);
  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->button));
}

static void
on_clear_clicked (GtkButton    *button,
                  BbReviewDate *self)
{
  bb_review_date_set_date (self, NULL);
  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->button));
}

static void
bb_review_date_dispose (GObject *object)
{
  BbReviewDate *self = BB_REVIEW_DATE (object);

  g_clear_pointer (&self->button, gtk_widget_unparent);

  G_OBJECT_CLASS (bb_review_date_parent_class)->dispose (object);
}

static void
bb_review_date_finalize (GObject *object)
{
  BbReviewDate *self = BB_REVIEW_DATE (object);

  g_clear_pointer (&self->placeholder, g_free);
  g_clear_pointer (&self->date, g_free);

  G_OBJECT_CLASS (bb_review_date_parent_class)->finalize (object);
}

static void
bb_review_date_class_init (BbReviewDateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bb_review_date_dispose;
  object_class->finalize = bb_review_date_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
bb_review_date_init (BbReviewDate *self)
{
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  self->button = gtk_menu_button_new ();
  gtk_widget_set_parent (self->button, GTK_WIDGET (self));
  self->calendar = GTK_CALENDAR (gtk_calendar_new ());
  g_signal_connect (self->calendar, "day-selected", G_CALLBACK (on_day_selected), self);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->calendar));
  self->clear = gtk_button_new_with_mnemonic (_("_Any Date"));
  g_signal_connect (self->clear, "clicked", G_CALLBACK (on_clear_clicked), self);
  gtk_box_append (GTK_BOX (box), self->clear);
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->button), popover);
}

GtkWidget *
bb_review_date_new (const char *accessible_label,
                    const char *placeholder)
{
  BbReviewDate *self = g_object_new (BB_TYPE_REVIEW_DATE, NULL);

  self->placeholder = g_strdup (placeholder != NULL ? placeholder : "");
  gtk_widget_set_visible (self->clear, placeholder != NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label, -1);
  gtk_widget_set_tooltip_text (self->button, accessible_label);
  update_label (self);
  return GTK_WIDGET (self);
}

void
bb_review_date_set_date (BbReviewDate *self,
                         const char   *date)
{
  g_autoptr(GDateTime) dt = NULL;

  g_return_if_fail (BB_IS_REVIEW_DATE (self));

  if (date != NULL && *date == '\0')
    date = NULL;
  if (date != NULL && (dt = bb_date_parse (date)) == NULL)
    {
      g_warning ("Not a date: %s", date);
      return;
    }
  if (g_strcmp0 (date, self->date) == 0)
    return;

  g_free (self->date);
  self->date = g_strdup (date);
  if (dt != NULL)
    {
      self->filling = TRUE;
      gtk_calendar_select_day (self->calendar, dt);
      self->filling = FALSE;
    }
  update_label (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

const char *
bb_review_date_get_date (BbReviewDate *self)
{
  g_return_val_if_fail (BB_IS_REVIEW_DATE (self), NULL);

  return self->date;
}
