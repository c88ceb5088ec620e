/* bb-location-row.c: "Use my location" in the editor's "When and where"
 *
 * The row asks its BbLocationSource (GeoClue, the portal, or a fixed source
 * in tests) once per press, writes the answer into the form's latitude and
 * longitude as if typed, says how accurate it is, and offers the ward the
 * point lies in. Whatever the source says (no service, refused, nothing
 * heard), the numbers stay typeable and nothing else waits for it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-editor"

#include "config.h"

#include <math.h>
#include <string.h>

#include "bb-i18n.h"

#include "bb-choice-row.h"
#include "bb-location-row.h"

struct _BbLocationRow
{
  AdwPreferencesRow  parent_instance;

  GtkLabel          *status_label;
  GtkSpinner        *spinner;
  GtkButton         *locate_button;
  GtkBox            *ward_box;
  GtkLabel          *ward_label;
  GtkButton         *ward_button;

  BbForm            *form;      /* not owned: the form owns the editor's rows */
  BbLocationSource  *source;
  GCancellable      *cancellable;
  char              *suggested_ward;
  gboolean           locating;
};

G_DEFINE_FINAL_TYPE (BbLocationRow, bb_location_row, ADW_TYPE_PREFERENCES_ROW)

/* Rounded as a person says it: 7 m, 35 m, 120 m, 1.5 km. */
char *
bb_location_describe_accuracy (double      accuracy,
                               const char *source_name)
{
  g_autofree char *distance = NULL;

  if (!(accuracy > 0) || !isfinite (accuracy))
    /* Translators: %s is where the position came from ("GeoClue") */
    return g_strdup_printf (_("Found by %s, which does not say how accurately."), source_name);

  if (accuracy < 10)
    distance = g_strdup_printf (_("%d m"), (int) MAX (1, lround (accuracy)));
  else if (accuracy < 100)
    distance = g_strdup_printf (_("%d m"), (int) (lround (accuracy / 5.0) * 5));
  else if (accuracy < 1000)
    distance = g_strdup_printf (_("%d m"), (int) (lround (accuracy / 10.0) * 10));
  else
    {
      char number[G_ASCII_DTOSTR_BUF_SIZE];

      g_snprintf (number, sizeof number, "%.1f", accuracy / 1000.0);
      distance = g_strdup_printf (_("%s km"), number);
    }

  if (accuracy > 500)
    /* Translators: "Accurate to about 1.5 km (GeoClue): rough, check the numbers." */
    return g_strdup_printf (_("Accurate to about %s (%s): rough, check the numbers."),
                            distance, source_name);
  /* Translators: "Accurate to about 35 m (GeoClue)." */
  return g_strdup_printf (_("Accurate to about %s (%s)."), distance, source_name);
}

static GtkEditable *
number_input (BbLocationRow *self,
              const char    *name)
{
  BbFieldNode *node = bb_form_find_node (self->form, name, FALSE);

  return node != NULL && GTK_IS_EDITABLE (node->input) ? GTK_EDITABLE (node->input) : NULL;
}

static BbChoiceRow *
ward_input (BbLocationRow *self)
{
  BbFieldNode *node = bb_form_find_node (self->form, "ward", FALSE);

  return node != NULL && BB_IS_CHOICE_ROW (node->input) ? BB_CHOICE_ROW (node->input) : NULL;
}

/* A number typed as the form reads it ("51.4462", "51,4462"). */
static gboolean
read_number (GtkEditable *editable,
             double      *value)
{
  g_autofree char *text = NULL;
  char *end = NULL;

  if (editable == NULL)
    return FALSE;
  text = g_strstrip (g_strdup (gtk_editable_get_text (editable)));
  if (*text == '\0')
    return FALSE;
  g_strdelimit (text, ",", '.');
  *value = g_ascii_strtod (text, &end);
  return end != text && *end == '\0' && isfinite (*value);
}

static void
set_status (BbLocationRow *self,
            const char    *text,
            gboolean       warning)
{
  gtk_label_set_label (self->status_label, text);
  if (warning)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "warning");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
    }
}

/* The ward of the numbers as they stand, offered and never set: a point
 * on a ward's edge, or a position 300 m out, can be wrong, and the person
 * knows where they are. */
static void
update_suggestion (BbLocationRow *self)
{
  BbProfile *profile = self->form->profile;
  BbChoiceRow *ward_row = ward_input (self);
  const char *chosen = ward_row != NULL ? bb_choice_row_get_selected_id (ward_row) : NULL;
  const char *ward;
  double lat, lon;

  g_clear_pointer (&self->suggested_ward, g_free);

  if (bb_profile_get_ward_boundaries (profile) == NULL
      || !read_number (number_input (self, "lat"), &lat)
      || !read_number (number_input (self, "lon"), &lon)
      || fabs (lat) > 90 || fabs (lon) > 180)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->ward_box), FALSE);
      return;
    }

  ward = bb_profile_find_ward (profile, lat, lon);
  gtk_widget_set_visible (GTK_WIDGET (self->ward_box), TRUE);
  if (ward == NULL)
    {
      gtk_label_set_label (self->ward_label,
                           _("This point is outside every ward of the profile."));
      gtk_widget_set_visible (GTK_WIDGET (self->ward_button), FALSE);
      return;
    }

  self->suggested_ward = g_strdup (ward);
  if (g_strcmp0 (ward, chosen) == 0)
    {
      g_autofree char *text =
        /* Translators: %s is a ward */
        g_strdup_printf (_("This point is in %s, the ward chosen."),
                         bb_profile_get_choice_label (profile, "wards", ward));

      gtk_label_set_label (self->ward_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->ward_button), FALSE);
    }
  else
    {
      g_autofree char *text =
        /* Translators: %s is a ward */
        g_strdup_printf (_("This point is in %s."),
                         bb_profile_get_choice_label (profile, "wards", ward));

      gtk_label_set_label (self->ward_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->ward_button), TRUE);
    }
}

static void
set_number (GtkEditable *editable,
            double       value)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];
  char *end;

  /* Six decimals are ten centimetres: more is noise. */
  g_ascii_formatd (text, sizeof text, "%.6f", value);
  end = text + strlen (text) - 1;
  while (end > text && *end == '0' && end[-1] != '.')
    *end-- = '\0';
  gtk_editable_set_text (editable, text);
}

static void
on_located (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(BbLocationRow) self = user_data;
  g_autoptr(GError) error = NULL;
  BbLocation location;
  GtkEditable *lat, *lon;

  if (!bb_location_source_locate_finish (BB_LOCATION_SOURCE (object), result, &location, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->locating = FALSE;
      gtk_spinner_stop (self->spinner);
      gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
      set_status (self, error->message, TRUE);
      return;
    }

  self->locating = FALSE;
  gtk_spinner_stop (self->spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);

  lat = number_input (self, "lat");
  lon = number_input (self, "lon");
  if (lat != NULL && lon != NULL)
    {
      g_autofree char *status = bb_location_describe_accuracy (
          location.accuracy, bb_location_source_get_name (self->source));

      set_number (lat, location.latitude);
      set_number (lon, location.longitude);
      set_status (self, status, FALSE);
    }
  update_suggestion (self);
}

static void
on_locate_clicked (BbLocationRow *self)
{
  /* One question at a time. The button stays sensitive: a focused button
   * made insensitive hands the focus to the top of the form, and the form
   * would scroll away from where the person is. */
  if (self->locating)
    return;
  self->locating = TRUE;

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), TRUE);
  gtk_spinner_start (self->spinner);
  set_status (self, _("Finding where you are…"), FALSE);

  bb_location_source_locate_async (self->source, self->cancellable, on_located,
                                   g_object_ref (self));
}

static void
on_ward_clicked (BbLocationRow *self)
{
  BbChoiceRow *ward_row = ward_input (self);
  g_autofree char *ward = g_strdup (self->suggested_ward);

  if (ward_row == NULL || ward == NULL)
    return;
  bb_choice_row_set_selected_id (ward_row, ward);
  update_suggestion (self);
  /* The button just went away: keep the keyboard somewhere sensible. */
  gtk_widget_grab_focus (GTK_WIDGET (self->locate_button));
}

static void
bb_location_row_dispose (GObject *object)
{
  BbLocationRow *self = BB_LOCATION_ROW (object);

  /* A closed editor stops asking. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->source);

  G_OBJECT_CLASS (bb_location_row_parent_class)->dispose (object);
}

static void
bb_location_row_finalize (GObject *object)
{
  BbLocationRow *self = BB_LOCATION_ROW (object);

  g_free (self->suggested_ward);

  G_OBJECT_CLASS (bb_location_row_parent_class)->finalize (object);
}

static void
bb_location_row_class_init (BbLocationRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bb_location_row_dispose;
  object_class->finalize = bb_location_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/beatbook/Beatbook/editor/bb-location-row.ui");
  gtk_widget_class_bind_template_child (widget_class, BbLocationRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, BbLocationRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, BbLocationRow, locate_button);
  gtk_widget_class_bind_template_child (widget_class, BbLocationRow, ward_box);
  gtk_widget_class_bind_template_child (widget_class, BbLocationRow, ward_label);
  gtk_widget_class_bind_template_child (widget_class, BbLocationRow, ward_button);
  gtk_widget_class_bind_template_callback (widget_class, on_locate_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_ward_clicked);
}

static void
bb_location_row_init (BbLocationRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  set_status (self, _("Fills in the latitude and longitude; they can be typed too."), FALSE);
}

GtkWidget *
bb_location_row_new (BbForm           *form,
                     BbLocationSource *source)
{
  BbLocationRow *self;
  GtkEditable *lat, *lon;
  BbChoiceRow *ward;

  g_return_val_if_fail (form != NULL, NULL);
  g_return_val_if_fail (source == NULL || BB_IS_LOCATION_SOURCE (source), NULL);

  self = g_object_new (BB_TYPE_LOCATION_ROW, NULL);
  self->form = form;
  self->source = g_object_ref (source != NULL ? source : bb_location_source_get_default ());

  /* Typed numbers get a suggestion too; choosing a ward updates it. */
  if ((lat = number_input (self, "lat")) != NULL)
    g_signal_connect_object (lat, "changed", G_CALLBACK (update_suggestion), self,
                             G_CONNECT_SWAPPED);
  if ((lon = number_input (self, "lon")) != NULL)
    g_signal_connect_object (lon, "changed", G_CALLBACK (update_suggestion), self,
                             G_CONNECT_SWAPPED);
  if ((ward = ward_input (self)) != NULL)
    g_signal_connect_object (ward, "notify::selected-id", G_CALLBACK (update_suggestion),
                             self, G_CONNECT_SWAPPED);

  return GTK_WIDGET (self);
}

const char *
bb_location_row_get_status (BbLocationRow *self)
{
  g_return_val_if_fail (BB_IS_LOCATION_ROW (self), NULL);
  return gtk_label_get_label (self->status_label);
}

gboolean
bb_location_row_get_locating (BbLocationRow *self)
{
  g_return_val_if_fail (BB_IS_LOCATION_ROW (self), FALSE);
  return self->locating;
}

const char *
bb_location_row_get_suggested_ward (BbLocationRow *self)
{
  g_return_val_if_fail (BB_IS_LOCATION_ROW (self), NULL);
  return self->suggested_ward;
}
