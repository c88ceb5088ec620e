/* bb-chip-row.c: a row that picks one entry of a short list in one tap or key
 *
 * A short list (up to BB_SHORT_LIST_MAX entries) costs a drop-down three to
 * five keys and can run off a small screen; as a row of toggle buttons that
 * wraps it is one tap, or one key: the first letter of an entry picks it
 * (again: the next entry with that letter), arrows move along the row and
 * pick, Space picks or clears the chip with the focus. The row is one Tab
 * stop, on the chosen chip (else the first).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-editor"

#include "config.h"

#include "beatbook.h"
#include "bb-chip-row.h"

struct _BbChipRow
{
  AdwPreferencesRow parent_instance;

  GtkLabel         *title_label;
  GtkLabel         *required_label;
  GtkFlowBox       *flow_box;

  GPtrArray        *buttons;     /* (element-type GtkToggleButton), in order */
  char             *selected_id;
  gboolean          syncing;
};

G_DEFINE_FINAL_TYPE (BbChipRow, bb_chip_row, ADW_TYPE_PREFERENCES_ROW)

enum {
  PROP_0,
  PROP_SELECTED_ID,
  N_PROPS
};

enum {
  CHOSEN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char *
button_id (GtkWidget *button)
{
  return g_object_get_data (G_OBJECT (button), "bb-id");
}

static void
sync_buttons (BbChipRow *self)
{
  self->syncing = TRUE;
  for (guint i = 0; i < self->buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (self->buttons, i);
      gboolean active = g_strcmp0 (button_id (button), self->selected_id) == 0;

      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), active);
      /* The choice shows with a tick, not by colour alone. */
      gtk_widget_set_visible (g_object_get_data (G_OBJECT (button), "bb-tick"), active);
    }
  self->syncing = FALSE;
}

static void
select_id (BbChipRow  *self,
           const char *id)
{
  if (g_strcmp0 (self->selected_id, id) == 0)
    {
      sync_buttons (self);
      return;
    }

  g_free (self->selected_id);
  self->selected_id = g_strdup (id);
  sync_buttons (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_ID]);
}

static void
on_button_toggled (GtkToggleButton *button,
                   BbChipRow       *self)
{
  if (self->syncing)
    return;

  if (gtk_toggle_button_get_active (button))
    select_id (self, button_id (GTK_WIDGET (button)));
  else if (g_strcmp0 (button_id (GTK_WIDGET (button)), self->selected_id) == 0)
    /* Tapping the chosen chip again clears the choice. */
    select_id (self, NULL);
}

static GtkWidget *
focused_button (BbChipRow *self,
                guint     *index)
{
  for (guint i = 0; i < self->buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (self->buttons, i);

      if (gtk_widget_has_focus (button))
        {
          *index = i;
          return button;
        }
    }

  return NULL;
}

static GtkWidget *
entry_button (BbChipRow *self)
{
  for (guint i = 0; i < self->buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (self->buttons, i);

      if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)))
        return button;
    }

  return self->buttons->len > 0 ? g_ptr_array_index (self->buttons, 0) : NULL;
}

static void
pick_button (BbChipRow *self,
             GtkWidget *button)
{
  gtk_widget_grab_focus (button);
  select_id (self, button_id (button));
}

/* The next entry after @from whose label starts with @c, wrapping round. */
static GtkWidget *
button_for_letter (BbChipRow *self,
                   gunichar   c,
                   guint      from)
{
  guint n = self->buttons->len;

  c = g_unichar_tolower (c);
  for (guint k = 1; k <= n; k++)
    {
      GtkWidget *button = g_ptr_array_index (self->buttons, (from + k) % n);
      const char *label = g_object_get_data (G_OBJECT (button), "bb-label");

      if (label != NULL && g_unichar_tolower (g_utf8_get_char (label)) == c)
        return button;
    }

  return NULL;
}

static guint
count_letter (BbChipRow *self,
              gunichar   c)
{
  guint count = 0;

  c = g_unichar_tolower (c);
  for (guint i = 0; i < self->buttons->len; i++)
    {
      const char *label = g_object_get_data (g_ptr_array_index (self->buttons, i), "bb-label");

      if (label != NULL && g_unichar_tolower (g_utf8_get_char (label)) == c)
        count++;
    }

  return count;
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                gpointer               user_data)
{
  BbChipRow *self = BB_CHIP_ROW (user_data);
  guint index = 0;
  GtkWidget *current = focused_button (self, &index);
  gunichar c;

  if (current == NULL || self->buttons->len == 0 ||
      (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) != 0)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      pick_button (self, g_ptr_array_index (self->buttons, (index + 1) % self->buttons->len));
      return TRUE;

    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      pick_button (self, g_ptr_array_index (self->buttons,
                                            (index + self->buttons->len - 1) % self->buttons->len));
      return TRUE;

    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
      /* Enter keeps the chip with the focus and moves on. */
      select_id (self, button_id (current));
      g_signal_emit (self, signals[CHOSEN], 0);
      return TRUE;

    default:
      break;
    }

  c = gdk_keyval_to_unicode (keyval);
  if (c != 0 && g_unichar_isalnum (c))
    {
      const char *label = g_object_get_data (G_OBJECT (current), "bb-label");
      GtkWidget *button;

      /* A new letter starts from the top; the same letter again goes on to
       * the next entry with it. */
      if (!gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (current)) || label == NULL ||
          g_unichar_tolower (g_utf8_get_char (label)) != g_unichar_tolower (c))
        index = self->buttons->len - 1;
      button = button_for_letter (self, c, index);

      if (button != NULL)
        {
          pick_button (self, button);
          /* Only one entry with that letter: nothing left to decide here. */
          if (count_letter (self, c) == 1)
            g_signal_emit (self, signals[CHOSEN], 0);
        }
      return TRUE;
    }

  return FALSE;
}

/* One Tab stop: in on the chosen chip (or the first), out at the next Tab. */
static gboolean
bb_chip_row_focus (GtkWidget        *widget,
                   GtkDirectionType  direction)
{
  BbChipRow *self = BB_CHIP_ROW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *target;

  if (focus != NULL && gtk_widget_is_ancestor (focus, widget))
    return FALSE;

  target = entry_button (self);
  return target != NULL && gtk_widget_grab_focus (target);
}

static gboolean
bb_chip_row_grab_focus (GtkWidget *widget)
{
  GtkWidget *target = entry_button (BB_CHIP_ROW (widget));

  return target != NULL && gtk_widget_grab_focus (target);
}

static void
update_title (BbChipRow *self)
{
  const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self));

  gtk_label_set_label (self->title_label, title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->flow_box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  for (guint i = 0; i < self->buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (self->buttons, i);
      /* Read as "Size: Single bag", the field with the entry. */
      g_autofree char *label = g_strdup_printf ("%s: %s", title,
                                                (const char *) g_object_get_data (G_OBJECT (button), "bb-label"));

      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      -1);
    }
}

static GtkWidget *
add_button (BbChipRow  *self,
            const char *id,
            const char *label)
{
  GtkWidget *button = gtk_toggle_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *tick = gtk_image_new_from_icon_name ("object-select-symbolic");
  GtkWidget *text = gtk_label_new (label);
  GtkWidget *child;

  /* Long entries wrap rather than being cut: both Offence options read in full. */
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD);
  /* Short entries never break; long ones break between words only. */
  gtk_label_set_width_chars (GTK_LABEL (text), MIN ((int) g_utf8_strlen (label, -1), 16));
  gtk_label_set_max_width_chars (GTK_LABEL (text), 36);
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_widget_set_visible (tick, FALSE);
  gtk_box_append (GTK_BOX (box), tick);
  gtk_box_append (GTK_BOX (box), text);
  gtk_button_set_child (GTK_BUTTON (button), box);
  g_object_set_data (G_OBJECT (button), "bb-tick", tick);
  gtk_widget_add_css_class (button, "bb-chip");
  g_object_set_data_full (G_OBJECT (button), "bb-id", g_strdup (id), g_free);
  g_object_set_data_full (G_OBJECT (button), "bb-label", g_strdup (label), g_free);
  g_signal_connect (button, "toggled", G_CALLBACK (on_button_toggled), self);

  gtk_flow_box_append (self->flow_box, button);
  child = gtk_widget_get_parent (button);
  /* The chip takes the focus, not the flow box's cell around it. */
  gtk_widget_set_focusable (child, FALSE);
  g_ptr_array_add (self->buttons, button);

  return button;
}

static void
bb_chip_row_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  BbChipRow *self = BB_CHIP_ROW (object);

  switch (prop_id)
    {
    case PROP_SELECTED_ID:
      g_value_set_string (value, self->selected_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bb_chip_row_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  BbChipRow *self = BB_CHIP_ROW (object);

  switch (prop_id)
    {
    case PROP_SELECTED_ID:
      bb_chip_row_set_selected_id (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bb_chip_row_finalize (GObject *object)
{
  BbChipRow *self = BB_CHIP_ROW (object);

  g_clear_pointer (&self->buttons, g_ptr_array_unref);
  g_clear_pointer (&self->selected_id, g_free);

  G_OBJECT_CLASS (bb_chip_row_parent_class)->finalize (object);
}

static void
bb_chip_row_class_init (BbChipRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = bb_chip_row_get_property;
  object_class->set_property = bb_chip_row_set_property;
  object_class->finalize = bb_chip_row_finalize;
  widget_class->focus = bb_chip_row_focus;
  widget_class->grab_focus = bb_chip_row_grab_focus;

  properties[PROP_SELECTED_ID] =
    g_param_spec_string ("selected-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BbChipRow::chosen:
   *
   * The person settled the choice by key (Enter, or a letter only one entry
   * starts with); the form moves on to the next field that needs one.
   */
  signals[CHOSEN] = g_signal_new ("chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/beatbook/Beatbook/editor/bb-chip-row.ui");
  gtk_widget_class_bind_template_child (widget_class, BbChipRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, BbChipRow, required_label);
  gtk_widget_class_bind_template_child (widget_class, BbChipRow, flow_box);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
bb_chip_row_init (BbChipRow *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->buttons = g_ptr_array_new ();

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  g_signal_connect_swapped (self, "notify::title", G_CALLBACK (update_title), self);
}

/* Public API */

GtkWidget *
bb_chip_row_new (void)
{
  return g_object_new (BB_TYPE_CHIP_ROW, NULL);
}

void
bb_chip_row_set_choices (BbChipRow *self,
                         GPtrArray *choices)
{
  GtkWidget *child;

  g_return_if_fail (BB_IS_CHIP_ROW (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->flow_box))) != NULL)
    gtk_flow_box_remove (self->flow_box, child);
  g_ptr_array_set_size (self->buttons, 0);

  for (guint i = 0; choices != NULL && i < choices->len; i++)
    {
      BbChoice *choice = g_ptr_array_index (choices, i);

      add_button (self, choice->id, choice->label);
    }

  update_title (self);
  sync_buttons (self);
}

void
bb_chip_row_set_required (BbChipRow *self,
                          gboolean   required)
{
  g_return_if_fail (BB_IS_CHIP_ROW (self));

  gtk_widget_set_visible (GTK_WIDGET (self->required_label), required);
}

const char *
bb_chip_row_get_selected_id (BbChipRow *self)
{
  g_return_val_if_fail (BB_IS_CHIP_ROW (self), NULL);

  return self->selected_id;
}

void
bb_chip_row_set_selected_id (BbChipRow  *self,
                             const char *id)
{
  g_return_if_fail (BB_IS_CHIP_ROW (self));

  if (id != NULL && id[0] == '\0')
    id = NULL;

  /* An id the profile no longer has: kept and shown as it is. */
  if (id != NULL && bb_chip_row_get_button (self, id) == NULL)
    {
      add_button (self, id, id);
      update_title (self);
    }

  select_id (self, id);
}

GtkWidget *
bb_chip_row_get_button (BbChipRow  *self,
                        const char *id)
{
  g_return_val_if_fail (BB_IS_CHIP_ROW (self), NULL);

  for (guint i = 0; i < self->buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (self->buttons, i);

      if (g_strcmp0 (button_id (button), id) == 0)
        return button;
    }

  return NULL;
}
