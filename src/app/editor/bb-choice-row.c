/* bb-choice-row.c: a row that picks one entry of a long list, with search
 *
 * Made for the keyboard and a gloved finger alike: opening the list puts the
 * focus in its search, typing filters, Up and Down move the highlight, Enter
 * picks it, Escape closes and gives the focus back to the button. On a closed
 * picker with the focus, typing a letter opens it and starts the search.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-editor"

#include "config.h"

#include <string.h>

#include "beatbook.h"
#include "bb-choice-row.h"
#include "bb-typing.h"

struct _BbChoiceRow
{
  AdwActionRow    parent_instance;

  GtkMenuButton  *button;
  GtkInscription *value_label;
  GtkPopover     *popover;
  GtkSearchEntry *search_entry;
  GtkScrolledWindow *scroller;
  GtkListBox     *list_box;
  GtkLabel       *empty_label;

  GPtrArray      *ids;     /* (element-type utf8): row i holds ids[i]; NULL = none */
  GPtrArray      *labels;  /* (element-type utf8) */
  char           *none_label;
  char           *selected_id;
  char           *filtered_text; /* the search the list is filtered by */
};

G_DEFINE_FINAL_TYPE (BbChoiceRow, bb_choice_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_SELECTED_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Folds case and accents so "joydens" finds "Joyden's Wood" and "e" finds "é". */
static char *
fold (const char *text)
{
  g_autofree char *normalised = g_utf8_normalize (text, -1, G_NORMALIZE_ALL);
  g_autofree char *folded = g_utf8_casefold (normalised != NULL ? normalised : "", -1);
  GString *out = g_string_new (NULL);

  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* Combining marks left by the decomposition carry no meaning for search;
       * apostrophes join a word ("joyden's" -> "joydens"). */
      if (g_unichar_ismark (c) || c == '\'' || c == 0x2019)
        continue;
      if (g_unichar_isalnum (c))
        g_string_append_unichar (out, c);
      else
        g_string_append_c (out, ' ');
    }

  return g_string_free (out, FALSE);
}

gboolean
bb_choice_label_matches (const char *label,
                         const char *query)
{
  g_autofree char *folded_label = NULL;
  g_autofree char *folded_query = NULL;
  g_auto(GStrv) label_words = NULL;
  g_auto(GStrv) query_words = NULL;

  g_return_val_if_fail (label != NULL, FALSE);

  if (query == NULL)
    return TRUE;

  folded_label = fold (label);
  folded_query = fold (query);
  label_words = g_strsplit (folded_label, " ", -1);
  query_words = g_strsplit (folded_query, " ", -1);

  for (guint q = 0; query_words[q] != NULL; q++)
    {
      gboolean found = FALSE;

      if (query_words[q][0] == '\0')
        continue;

      for (guint l = 0; label_words[l] != NULL && !found; l++)
        found = g_str_has_prefix (label_words[l], query_words[q]);

      if (!found)
        return FALSE;
    }

  return TRUE;
}

static const char *
label_for_id (BbChoiceRow *self,
              const char  *id)
{
  for (guint i = 0; i < self->ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->ids, i), id) == 0)
      return g_ptr_array_index (self->labels, i);

  return NULL;
}

static void
update_value_label (BbChoiceRow *self)
{
  const char *label = NULL;
  g_autofree char *description = NULL;

  if (self->selected_id != NULL)
    {
      label = label_for_id (self, self->selected_id);
      if (label == NULL)
        label = self->selected_id;
    }

  if (label == NULL)
    {
      gtk_inscription_set_text (self->value_label,
                                self->none_label != NULL ? self->none_label : _("Choose…"));
      gtk_widget_add_css_class (GTK_WIDGET (self->value_label), "dim-label");
    }
  else
    {
      gtk_inscription_set_text (self->value_label, label);
      gtk_widget_remove_css_class (GTK_WIDGET (self->value_label), "dim-label");
    }
  /* Lines enough for the text at 360 px (about 24 characters a line
   * there), up to four: the longest priority fits whole. The row keeps
   * them at any width (a list row gets its minimum height), so a long
   * value leaves a line spare at 1366; a short one takes one line. */
  {
    int lines = CLAMP ((g_utf8_strlen (gtk_inscription_get_text (self->value_label), -1) + 23) / 24, 1, 4);

    gtk_inscription_set_min_lines (self->value_label, lines);
    gtk_inscription_set_nat_lines (self->value_label, lines);
  }

  /* The button reads as "Ward: Town", not just "Town". */
  description = g_strdup_printf ("%s: %s",
                                 adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self)),
                                 gtk_inscription_get_text (self->value_label));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                  -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), gtk_inscription_get_text (self->value_label));
}

static gboolean
filter_row (GtkListBoxRow *row,
            gpointer       user_data)
{
  BbChoiceRow *self = BB_CHOICE_ROW (user_data);
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  const char *label = g_object_get_data (G_OBJECT (row), "bb-label");

  return bb_choice_label_matches (label, query);
}

static GtkListBoxRow *
first_visible_row (BbChoiceRow *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child) && gtk_widget_get_child_visible (child))
      return GTK_LIST_BOX_ROW (child);

  return NULL;
}

static GtkListBoxRow *
next_visible_row (GtkListBoxRow *row,
                  gboolean       forward)
{
  GtkWidget *child = GTK_WIDGET (row);

  do
    child = forward ? gtk_widget_get_next_sibling (child) : gtk_widget_get_prev_sibling (child);
  while (child != NULL && !(GTK_IS_LIST_BOX_ROW (child) && gtk_widget_get_child_visible (child)));

  return child != NULL ? GTK_LIST_BOX_ROW (child) : NULL;
}

/* Scrolls without moving the focus: typing goes on in the search. */
static void
scroll_to_row (BbChoiceRow   *self,
               GtkListBoxRow *row)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  graphene_rect_t bounds;
  double top, page;

  if (!gtk_widget_compute_bounds (GTK_WIDGET (row), GTK_WIDGET (self->list_box), &bounds))
    return;

  top = gtk_adjustment_get_value (adjustment);
  page = gtk_adjustment_get_page_size (adjustment);
  if (bounds.origin.y < top)
    gtk_adjustment_set_value (adjustment, bounds.origin.y);
  else if (bounds.origin.y + bounds.size.height > top + page)
    gtk_adjustment_set_value (adjustment, bounds.origin.y + bounds.size.height - page);
}

static void
highlight_row (BbChoiceRow   *self,
               GtkListBoxRow *row)
{
  if (row == NULL)
    {
      gtk_list_box_unselect_all (self->list_box);
      return;
    }

  gtk_list_box_select_row (self->list_box, row);
  scroll_to_row (self, row);
}

static void
on_search_changed (BbChoiceRow *self)
{
  GtkListBoxRow *first;

  g_free (self->filtered_text);
  self->filtered_text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  gtk_list_box_invalidate_filter (self->list_box);
  /* The filter applies on the next layout; child-visible is already set. */
  first = first_visible_row (self);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), first == NULL);
  gtk_list_box_unselect_all (self->list_box);
  if (first != NULL)
    gtk_list_box_select_row (self->list_box, first);
}

/* The search entry tells of a change only after a short delay: a key that
 * acts on the list (Enter, an arrow, Tab) and comes in before it, as a quick
 * typist's or a loaded machine's will, first filters by what was typed, so
 * Enter never takes the first entry of a list not yet narrowed. */
static void
sync_filter (BbChoiceRow *self)
{
  if (g_strcmp0 (self->filtered_text, gtk_editable_get_text (GTK_EDITABLE (self->search_entry))) != 0)
    on_search_changed (self);
}

static void
choose_row (BbChoiceRow   *self,
            GtkListBoxRow *row)
{
  bb_choice_row_set_selected_id (self, g_object_get_data (G_OBJECT (row), "bb-id"));
  gtk_popover_popdown (self->popover);
  g_signal_emit (self, signals[CHOSEN], 0);
}

static void
on_row_activated (BbChoiceRow   *self,
                  GtkListBoxRow *row)
{
  choose_row (self, row);
}

/* Enter in the search picks the highlighted match, the first one unless
 * arrows moved it: type "temp", Enter, done. */
static void
on_search_activate (BbChoiceRow *self)
{
  GtkListBoxRow *row;

  sync_filter (self);
  row = gtk_list_box_get_selected_row (self->list_box);
  if (row == NULL || !gtk_widget_get_child_visible (GTK_WIDGET (row)))
    row = first_visible_row (self);
  if (row != NULL)
    choose_row (self, row);
}

static void
on_stop_search (BbChoiceRow *self)
{
  gtk_popover_popdown (self->popover);
}

static gboolean
on_search_key_pressed (GtkEventControllerKey *controller,
                       guint                  keyval,
                       guint                  keycode,
                       GdkModifierType        state,
                       gpointer               user_data)
{
  BbChoiceRow *self = BB_CHOICE_ROW (user_data);
  GtkListBoxRow *current;
  GtkListBoxRow *target = NULL;
  gboolean forward;

  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      sync_filter (self);
      current = gtk_list_box_get_selected_row (self->list_box);
      forward = keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Down;
      if (current == NULL || !gtk_widget_get_child_visible (GTK_WIDGET (current)))
        target = first_visible_row (self);
      else
        target = next_visible_row (current, forward);
      if (target != NULL)
        highlight_row (self, target);
      return TRUE;

    case GDK_KEY_Tab:
    case GDK_KEY_ISO_Left_Tab:
    case GDK_KEY_KP_Tab:
      /* The list is not a place to Tab through: Tab takes the highlighted
       * choice, like Enter, and the form's next field follows. */
      if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
        return FALSE;
      if (keyval == GDK_KEY_ISO_Left_Tab || (state & GDK_SHIFT_MASK) != 0)
        gtk_popover_popdown (self->popover);
      else
        on_search_activate (self);
      return TRUE;

    default:
      return FALSE;
    }
}

/* The list's size and place: it fits the window at 360x640 as at 1366x768.
 * It opens on the side of the button with more room (Xvfb, or a monitor
 * larger than the window, would otherwise let it run off the window's
 * bottom), shows as many rows as fit (up to LIST_MAX_ROWS, so a ward or a
 * category is mostly a tap, not a scroll and a tap), and is never wider than
 * the window; near the window's edge it is moved in, centred on the row
 * rather than hanging off the edge beyond the button. */
#define LIST_ROW_HEIGHT   44
#define LIST_MAX_ROWS     12
#define LIST_WIDTH        280
/* The search entry, the popover's frame and its arrow, above and below the
 * list; the popover's frame and padding either side of it. */
#define POPOVER_CHROME_HEIGHT 96
#define POPOVER_CHROME_WIDTH  32
#define WINDOW_MARGIN         6

static void
fit_popover (BbChoiceRow *self)
{
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (self)));
  graphene_rect_t bounds;
  int root_width, root_height, above, below, room, width, popover_width;
  double centre, lowest, highest, target;

  if (root == NULL || !gtk_widget_compute_bounds (GTK_WIDGET (self->button), root, &bounds))
    return;

  root_width = gtk_widget_get_width (root);
  root_height = gtk_widget_get_height (root);
  above = (int) bounds.origin.y;
  below = root_height - (int) (bounds.origin.y + bounds.size.height);
  gtk_popover_set_position (self->popover, below >= above ? GTK_POS_BOTTOM : GTK_POS_TOP);
  room = MAX (above, below) - POPOVER_CHROME_HEIGHT;
  gtk_scrolled_window_set_max_content_height (self->scroller,
                                              CLAMP (room, 3 * LIST_ROW_HEIGHT,
                                                     LIST_MAX_ROWS * LIST_ROW_HEIGHT));

  width = CLAMP (root_width - POPOVER_CHROME_WIDTH - 2 * WINDOW_MARGIN, 160, LIST_WIDTH);
  gtk_scrolled_window_set_min_content_width (self->scroller, width);

  popover_width = width + POPOVER_CHROME_WIDTH;
  centre = bounds.origin.x + bounds.size.width / 2;
  lowest = WINDOW_MARGIN + popover_width / 2.0;
  highest = root_width - WINDOW_MARGIN - popover_width / 2.0;
  target = lowest <= highest ? CLAMP (centre, lowest, highest) : root_width / 2.0;

  if (ABS (target - centre) < 1)
    {
      gtk_popover_set_pointing_to (self->popover, NULL);
      gtk_popover_set_has_arrow (self->popover, TRUE);
    }
  else
    {
      /* In the button's coordinates: a point left of it (or right), on its
       * row; without the arrow, which would point at nothing. */
      GdkRectangle rect = { (int) (target - bounds.origin.x), 0, 1, (int) bounds.size.height };

      gtk_popover_set_pointing_to (self->popover, &rect);
      gtk_popover_set_has_arrow (self->popover, FALSE);
    }
}

static void
on_popover_show (BbChoiceRow *self)
{
  fit_popover (self);
  /* What was typed on the button before it opened is the search already. */
  on_search_changed (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_set_position (GTK_EDITABLE (self->search_entry), -1);
}

/* Focus goes back where it came from, never to the window's first widget. */
static void
on_popover_closed (BbChoiceRow *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  /* The next opening starts from an empty search. */
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  if (focus == NULL || gtk_widget_is_ancestor (focus, GTK_WIDGET (self->popover)) ||
      !gtk_widget_get_mapped (focus))
    gtk_widget_grab_focus (GTK_WIDGET (self->button));
}

/* A letter typed on the closed picker opens it and starts the search. */
static gboolean
on_button_key_pressed (GtkEventControllerKey *controller,
                       guint                  keyval,
                       guint                  keycode,
                       GdkModifierType        state,
                       gpointer               user_data)
{
  BbChoiceRow *self = BB_CHOICE_ROW (user_data);
  GtkEditable *search = GTK_EDITABLE (self->search_entry);
  gunichar c = gdk_keyval_to_unicode (keyval);

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) != 0)
    return FALSE;

  if (keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Down)
    {
      gtk_menu_button_popup (self->button);
      return TRUE;
    }

  if (gtk_widget_get_visible (GTK_WIDGET (self->popover)))
    {
      /* The list is shown but the keyboard focus has not reached its search
       * yet (opened by Enter, or by an earlier letter): Enter chooses, as it
       * would from the search, rather than toggle the list closed with
       * nothing chosen; letters go on the end of the search. */
      if (keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter)
        {
          g_signal_emit_by_name (search, "activate");
          return TRUE;
        }
      if (!bb_editable_type_key (search, keyval))
        return FALSE;
      gtk_widget_grab_focus (GTK_WIDGET (search));
      return TRUE;
    }

  /* A letter on the closed picker starts the search with it and opens the
   * list (the search is empty: it is cleared when the list closes). */
  if (c == 0 || !g_unichar_isgraph (c))
    return FALSE;
  bb_editable_type_key (search, keyval);
  gtk_menu_button_popup (self->button);

  return TRUE;
}

static void
rebuild_list (BbChoiceRow *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);

  for (guint i = 0; i < self->ids->len; i++)
    {
      const char *id = g_ptr_array_index (self->ids, i);
      const char *label = g_ptr_array_index (self->labels, i);
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *text = gtk_label_new (label);

      gtk_label_set_xalign (GTK_LABEL (text), 0);
      gtk_label_set_wrap (GTK_LABEL (text), TRUE);
      gtk_widget_add_css_class (row, "bb-choice");
      if (id == NULL)
        gtk_widget_add_css_class (text, "dim-label");
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), text);
      g_object_set_data_full (G_OBJECT (row), "bb-id", g_strdup (id), g_free);
      g_object_set_data_full (G_OBJECT (row), "bb-label", g_strdup (label), g_free);
      gtk_list_box_append (self->list_box, row);
    }
}

/* One Tab stop, the button: the list box would otherwise try the row, which
 * does not take focus, and give up on the whole group. */
static gboolean
bb_choice_row_focus (GtkWidget        *widget,
                     GtkDirectionType  direction)
{
  BbChoiceRow *self = BB_CHOICE_ROW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget)))
    return FALSE;

  return gtk_widget_grab_focus (GTK_WIDGET (self->button));
}

static gboolean
bb_choice_row_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (BB_CHOICE_ROW (widget)->button));
}

static void
bb_choice_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  BbChoiceRow *self = BB_CHOICE_ROW (object);

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
bb_choice_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  BbChoiceRow *self = BB_CHOICE_ROW (object);

  switch (prop_id)
    {
    case PROP_SELECTED_ID:
      bb_choice_row_set_selected_id (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bb_choice_row_finalize (GObject *object)
{
  BbChoiceRow *self = BB_CHOICE_ROW (object);

  g_clear_pointer (&self->ids, g_ptr_array_unref);
  g_clear_pointer (&self->labels, g_ptr_array_unref);
  g_clear_pointer (&self->none_label, g_free);
  g_clear_pointer (&self->selected_id, g_free);
  g_clear_pointer (&self->filtered_text, g_free);

  G_OBJECT_CLASS (bb_choice_row_parent_class)->finalize (object);
}

static void
bb_choice_row_class_init (BbChoiceRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = bb_choice_row_get_property;
  object_class->set_property = bb_choice_row_set_property;
  object_class->finalize = bb_choice_row_finalize;
  widget_class->focus = bb_choice_row_focus;
  widget_class->grab_focus = bb_choice_row_grab_focus;

  properties[PROP_SELECTED_ID] =
    g_param_spec_string ("selected-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BbChoiceRow::chosen:
   *
   * The person picked an entry from the list (by key, click or touch); the
   * form moves on to the next field that needs one.
   */
  signals[CHOSEN] = g_signal_new ("chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/beatbook/Beatbook/editor/bb-choice-row.ui");
  gtk_widget_class_bind_template_child (widget_class, BbChoiceRow, button);
  gtk_widget_class_bind_template_child (widget_class, BbChoiceRow, value_label);
  gtk_widget_class_bind_template_child (widget_class, BbChoiceRow, popover);
  gtk_widget_class_bind_template_child (widget_class, BbChoiceRow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, BbChoiceRow, scroller);
  gtk_widget_class_bind_template_child (widget_class, BbChoiceRow, list_box);
  gtk_widget_class_bind_template_child (widget_class, BbChoiceRow, empty_label);
  gtk_widget_class_bind_template_callback (widget_class, on_popover_show);
  gtk_widget_class_bind_template_callback (widget_class, on_popover_closed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
}

static void
bb_choice_row_init (BbChoiceRow *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->ids = g_ptr_array_new_with_free_func (g_free);
  self->labels = g_ptr_array_new_with_free_func (g_free);

  gtk_list_box_set_filter_func (self->list_box, filter_row, self, NULL);

  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_search_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), keys);

  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_button_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->button), keys);

  g_signal_connect_swapped (self, "notify::title", G_CALLBACK (update_value_label), self);
  update_value_label (self);
}

GtkWidget *
bb_choice_row_new (void)
{
  return g_object_new (BB_TYPE_CHOICE_ROW, NULL);
}

void
bb_choice_row_set_choices (BbChoiceRow *self,
                           GPtrArray   *choices,
                           const char  *none_label)
{
  g_return_if_fail (BB_IS_CHOICE_ROW (self));

  g_ptr_array_set_size (self->ids, 0);
  g_ptr_array_set_size (self->labels, 0);
  g_free (self->none_label);
  self->none_label = g_strdup (none_label);

  if (none_label != NULL)
    {
      g_ptr_array_add (self->ids, NULL);
      g_ptr_array_add (self->labels, g_strdup (none_label));
    }

  for (guint i = 0; choices != NULL && i < choices->len; i++)
    {
      BbChoice *choice = g_ptr_array_index (choices, i);

      g_ptr_array_add (self->ids, g_strdup (choice->id));
      g_ptr_array_add (self->labels, g_strdup (choice->label));
    }

  rebuild_list (self);
  update_value_label (self);
}

const char *
bb_choice_row_get_selected_id (BbChoiceRow *self)
{
  g_return_val_if_fail (BB_IS_CHOICE_ROW (self), NULL);

  return self->selected_id;
}

void
bb_choice_row_set_selected_id (BbChoiceRow *self,
                               const char  *id)
{
  g_return_if_fail (BB_IS_CHOICE_ROW (self));

  if (id != NULL && id[0] == '\0')
    id = NULL;

  if (g_strcmp0 (self->selected_id, id) == 0)
    return;

  g_free (self->selected_id);
  self->selected_id = g_strdup (id);
  update_value_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_ID]);
}

GtkListBox *
bb_choice_row_get_list (BbChoiceRow *self)
{
  g_return_val_if_fail (BB_IS_CHOICE_ROW (self), NULL);

  return self->list_box;
}

void
bb_choice_row_open (BbChoiceRow *self)
{
  g_return_if_fail (BB_IS_CHOICE_ROW (self));

  gtk_menu_button_popup (self->button);
}

GtkEditable *
bb_choice_row_get_search_entry (BbChoiceRow *self)
{
  g_return_val_if_fail (BB_IS_CHOICE_ROW (self), NULL);

  return GTK_EDITABLE (self->search_entry);
}
