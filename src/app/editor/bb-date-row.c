/* bb-date-row.c: an entry row for a date, or a date and time, with a calendar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-editor"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "beatbook.h"
#include "bb-date-row.h"

struct _BbDateRow
{
  AdwEntryRow    parent_instance;

  GtkMenuButton *calendar_button;

  /* Built on first use: most rows are never opened. */
  GtkCalendar   *calendar;
  GtkSpinButton *hour_spin;
  GtkSpinButton *minute_spin;

  GTimeZone     *tz;
  gboolean       with_time;
  gboolean       syncing;
};

G_DEFINE_FINAL_TYPE (BbDateRow, bb_date_row, ADW_TYPE_ENTRY_ROW)

/* Reads "YYYY-MM-DD" or "DD/MM/YYYY" from the start of @text. */
static gboolean
parse_date_part (const char  *text,
                 int         *year,
                 int         *month,
                 int         *day,
                 const char **rest)
{
  int n = 0;

  while (*text == ' ')
    text++;

  if (sscanf (text, "%4d-%2d-%2d%n", year, month, day, &n) == 3 && n == 10)
    ;
  else if (sscanf (text, "%2d/%2d/%4d%n", day, month, year, &n) == 3 && n >= 8 &&
           text[n - 5] == '/')
    ;
  else
    return FALSE;

  /* sscanf accepts signs and spaces inside numbers: only digits may stand there. */
  for (int i = 0; i < n; i++)
    if (!g_ascii_isdigit (text[i]) && text[i] != '-' && text[i] != '/')
      return FALSE;
  if (text[0] == '-')
    return FALSE;

  if (*year < 1000 || !g_date_valid_dmy (*day, *month, *year))
    return FALSE;

  *rest = text + n;
  return TRUE;
}

static gboolean
only_spaces (const char *s)
{
  for (; *s != '\0'; s++)
    if (*s != ' ')
      return FALSE;
  return TRUE;
}

char *
bb_date_row_parse_date (const char *text)
{
  int year, month, day;
  const char *rest;

  if (text == NULL || !parse_date_part (text, &year, &month, &day, &rest))
    return NULL;
  if (!only_spaces (rest))
    return NULL;

  return g_strdup_printf ("%04d-%02d-%02d", year, month, day);
}

char *
bb_date_row_parse_local (const char *text,
                         GTimeZone  *tz)
{
  g_autoptr(GDateTime) dt = NULL;
  int year, month, day, hour = -1, minute = -1, second = 0;
  const char *rest;
  int n = 0;

  if (text == NULL || !parse_date_part (text, &year, &month, &day, &rest))
    return NULL;

  if (*rest != ' ' && *rest != 'T')
    return NULL;
  while (*rest == ' ' || *rest == 'T')
    rest++;

  if (!g_ascii_isdigit (rest[0]))
    return NULL;
  if (sscanf (rest, "%2d:%2d%n", &hour, &minute, &n) != 2)
    return NULL;
  rest += n;
  if (rest[0] == ':')
    {
      if (!g_ascii_isdigit (rest[1]) || sscanf (rest, ":%2d%n", &second, &n) != 1)
        return NULL;
      rest += n;
    }
  if (!only_spaces (rest))
    return NULL;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
    return NULL;

  if (tz != NULL)
    dt = g_date_time_new (tz, year, month, day, hour, minute, second);
  else
    dt = g_date_time_new_utc (year, month, day, hour, minute, second);
  if (dt == NULL)
    return NULL;

  return bb_time_format_iso (dt);
}

char *
bb_date_row_format_local (const char *iso,
                          GTimeZone  *tz)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (iso == NULL)
    return NULL;

  dt = bb_time_parse (iso);
  if (dt == NULL)
    return NULL;

  local = tz != NULL ? g_date_time_to_timezone (dt, tz) : g_date_time_to_utc (dt);

  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

/* The calendar and the spin buttons write the text; the text is the value. */
static void
write_text_from_popover (BbDateRow *self)
{
  g_autoptr(GDateTime) date = NULL;
  g_autofree char *text = NULL;

  if (self->syncing || self->calendar == NULL)
    return;

  date = gtk_calendar_get_date (self->calendar);
  if (self->with_time)
    text = g_strdup_printf ("%04d-%02d-%02d %02d:%02d",
                            g_date_time_get_year (date),
                            g_date_time_get_month (date),
                            g_date_time_get_day_of_month (date),
                            gtk_spin_button_get_value_as_int (self->hour_spin),
                            gtk_spin_button_get_value_as_int (self->minute_spin));
  else
    text = g_date_time_format (date, "%Y-%m-%d");

  gtk_editable_set_text (GTK_EDITABLE (self), text);
}

static void
on_day_selected (BbDateRow *self)
{
  write_text_from_popover (self);
}

static void
on_time_changed (BbDateRow *self)
{
  write_text_from_popover (self);
}

static void
on_now_clicked (BbDateRow *self)
{
  g_autoptr(GDateTime) now = self->tz != NULL ? g_date_time_new_now (self->tz)
                                              : g_date_time_new_now_utc ();
  g_autofree char *text = NULL;

  text = g_date_time_format (now, self->with_time ? "%Y-%m-%d %H:%M" : "%Y-%m-%d");
  gtk_editable_set_text (GTK_EDITABLE (self), text);
  gtk_menu_button_popdown (self->calendar_button);
}

static void
on_done_clicked (BbDateRow *self)
{
  gtk_menu_button_popdown (self->calendar_button);
}

/* Opens the calendar on the day already typed, or today. */
static void
sync_popover_from_text (BbDateRow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self));
  g_autoptr(GDateTime) shown = NULL;

  if (self->with_time)
    {
      g_autofree char *iso = bb_date_row_parse_local (text, self->tz);

      if (iso != NULL)
        {
          g_autoptr(GDateTime) utc = bb_time_parse (iso);

          if (utc != NULL)
            shown = self->tz != NULL ? g_date_time_to_timezone (utc, self->tz)
                                     : g_date_time_ref (utc);
        }
    }
  else
    {
      g_autofree char *date = bb_date_row_parse_date (text);

      if (date != NULL)
        shown = bb_date_parse (date);
    }

  if (shown == NULL)
    shown = self->tz != NULL ? g_date_time_new_now (self->tz) : g_date_time_new_now_utc ();

  self->syncing = TRUE;
  gtk_calendar_select_day (self->calendar, shown);
  if (self->with_time)
    {
      gtk_spin_button_set_value (self->hour_spin, g_date_time_get_hour (shown));
      gtk_spin_button_set_value (self->minute_spin, g_date_time_get_minute (shown));
    }
  self->syncing = FALSE;
}

static GtkSpinButton *
make_time_spin (BbDateRow  *self,
                int         max,
                const char *accessible_name)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (0, max, 1);

  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_spin_button_set_wrap (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_orientable_set_orientation (GTK_ORIENTABLE (spin), GTK_ORIENTATION_VERTICAL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_name,
                                  -1);
  g_signal_connect_swapped (spin, "value-changed", G_CALLBACK (on_time_changed), self);

  return GTK_SPIN_BUTTON (spin);
}

static void
create_popup (GtkMenuButton *button,
              gpointer       user_data)
{
  BbDateRow *self = BB_DATE_ROW (user_data);
  GtkWidget *popover, *box, *buttons, *now, *done;

  if (self->calendar == NULL)
    {
      popover = gtk_popover_new ();
      box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

      self->calendar = GTK_CALENDAR (gtk_calendar_new ());
      g_signal_connect_swapped (self->calendar, "day-selected",
                                G_CALLBACK (on_day_selected), self);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->calendar));

      if (self->with_time)
        {
          GtkWidget *time_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
          GtkWidget *colon = gtk_label_new (":");

          gtk_widget_set_halign (time_box, GTK_ALIGN_CENTER);
          self->hour_spin = make_time_spin (self, 23, _("Hour"));
          self->minute_spin = make_time_spin (self, 59, _("Minute"));
          gtk_box_append (GTK_BOX (time_box), GTK_WIDGET (self->hour_spin));
          gtk_box_append (GTK_BOX (time_box), colon);
          gtk_box_append (GTK_BOX (time_box), GTK_WIDGET (self->minute_spin));
          gtk_box_append (GTK_BOX (box), time_box);
        }

      buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      gtk_box_set_homogeneous (GTK_BOX (buttons), TRUE);
      now = gtk_button_new_with_mnemonic (self->with_time ? _("_Now") : _("_Today"));
      done = gtk_button_new_with_mnemonic (_("_Done"));
      gtk_widget_add_css_class (done, "suggested-action");
      g_signal_connect_swapped (now, "clicked", G_CALLBACK (on_now_clicked), self);
      g_signal_connect_swapped (done, "clicked", G_CALLBACK (on_done_clicked), self);
      gtk_box_append (GTK_BOX (buttons), now);
      gtk_box_append (GTK_BOX (buttons), done);
      gtk_box_append (GTK_BOX (box), buttons);

      gtk_popover_set_child (GTK_POPOVER (popover), box);
      gtk_menu_button_set_popover (button, popover);
    }

  sync_popover_from_text (self);
}

static void
bb_date_row_finalize (GObject *object)
{
  BbDateRow *self = BB_DATE_ROW (object);

  g_clear_pointer (&self->tz, g_time_zone_unref);

  G_OBJECT_CLASS (bb_date_row_parent_class)->finalize (object);
}

static void
bb_date_row_class_init (BbDateRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = bb_date_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/beatbook/Beatbook/editor/bb-date-row.ui");
  gtk_widget_class_bind_template_child (widget_class, BbDateRow, calendar_button);
}

static void
bb_date_row_init (BbDateRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_menu_button_set_create_popup_func (self->calendar_button, create_popup, self, NULL);
}

GtkWidget *
bb_date_row_new (gboolean   with_time,
                 GTimeZone *tz)
{
  BbDateRow *self = g_object_new (BB_TYPE_DATE_ROW, NULL);

  self->with_time = with_time;
  self->tz = tz != NULL ? g_time_zone_ref (tz) : NULL;
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->calendar_button),
                               with_time ? _("Choose the date and time")
                                         : _("Choose the date"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->calendar_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  with_time ? _("Choose the date and time")
                                            : _("Choose the date"),
                                  -1);

  return GTK_WIDGET (self);
}

gboolean
bb_date_row_get_with_time (BbDateRow *self)
{
  g_return_val_if_fail (BB_IS_DATE_ROW (self), FALSE);

  return self->with_time;
}
