/* bb-conflict-view.c: a record changed here and on the server: compare, choose
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include "bb-conflict-view.h"
#include "bb-format.h"
#include "bb-i18n.h"

/* Below this width the two copies are stacked instead of side by side. */
#define SIDE_BY_SIDE_MIN_WIDTH 600

struct _BbConflictView
{
  AdwWindow   parent_instance;

  BbSession  *session;
  BbRecord   *mine;
  BbRecord   *theirs;
  GPtrArray  *pairs;        /* (element-type GtkBox): orient by width */
  GString    *text;
  guint       n_differences;

  /* template */
  GtkLabel   *summary_label;
  GtkLabel   *mine_meta_label;
  GtkLabel   *theirs_meta_label;
  GtkListBox *fields_list;
  GtkWidget  *keep_mine_button;
  GtkWidget  *keep_theirs_button;
  GtkLabel   *error_label;
};

G_DEFINE_FINAL_TYPE (BbConflictView, bb_conflict_view, ADW_TYPE_WINDOW)

enum {
  SIGNAL_RESOLVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Helpers */

static GtkWidget *
value_column (const char *caption,
              const char *value)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *caption_label = gtk_label_new (caption);
  GtkWidget *value_label = gtk_label_new (value != NULL ? value : _("(empty)"));

  gtk_widget_set_hexpand (box, TRUE);
  gtk_label_set_xalign (GTK_LABEL (caption_label), 0);
  gtk_widget_add_css_class (caption_label, "caption");
  gtk_widget_add_css_class (caption_label, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (value_label), 0);
  gtk_label_set_wrap (GTK_LABEL (value_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (value_label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (value_label), TRUE);
  if (value == NULL)
    gtk_widget_add_css_class (value_label, "dim-label");
  gtk_box_append (GTK_BOX (box), caption_label);
  gtk_box_append (GTK_BOX (box), value_label);
  return box;
}

static void
add_pair (BbConflictView *self,
          const char     *label,
          const char     *mine,
          const char     *theirs)
{
  gboolean differs = g_strcmp0 (mine, theirs) != 0;
  GtkWidget *row, *box, *header, *title, *pair;
  g_autofree char *spoken = NULL;

  if (mine == NULL && theirs == NULL)
    return;

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_top (box, 10);
  gtk_widget_set_margin_bottom (box, 10);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  title = gtk_label_new (label);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (header), title);
  if (differs)
    {
      /* An icon and a word: the difference never rests on colour alone. */
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
      GtkWidget *word = gtk_label_new (_("Differs"));

      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
      gtk_widget_add_css_class (icon, "warning");
      gtk_widget_add_css_class (word, "warning");
      gtk_widget_add_css_class (word, "caption-heading");
      gtk_box_append (GTK_BOX (header), icon);
      gtk_box_append (GTK_BOX (header), word);
      gtk_widget_add_css_class (row, "bb-differs");
      self->n_differences++;
    }
  gtk_box_append (GTK_BOX (box), header);

  pair = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  gtk_box_set_homogeneous (GTK_BOX (pair), TRUE);
  gtk_box_append (GTK_BOX (pair), value_column (_("Yours, on this device"), mine));
  gtk_box_append (GTK_BOX (pair), value_column (_("Theirs, on the server"), theirs));
  gtk_box_append (GTK_BOX (box), pair);
  g_ptr_array_add (self->pairs, pair);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  /* Translators: read aloud, "Place: yours High Street, theirs Station Road, differs" */
  spoken = g_strdup_printf (differs ? _("%s: yours %s, theirs %s, differs") : _("%s: yours %s, theirs %s, same"),
                            label, mine != NULL ? mine : _("(empty)"), theirs != NULL ? theirs : _("(empty)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, spoken, -1);
  /* What needs a decision comes first; the same values follow for context. */
  if (differs)
    gtk_list_box_insert (self->fields_list, row, (int) self->n_differences - 1);
  else
    gtk_list_box_append (self->fields_list, row);

  g_string_append_printf (self->text, "%s: %s | %s%s\n", label,
                          mine != NULL ? mine : "", theirs != NULL ? theirs : "",
                          differs ? " (differs)" : "");
}

static JsonNode *
member (JsonObject *object,
        const char *name)
{
  return object != NULL ? json_object_get_member (object, name) : NULL;
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static void
compare_fields (BbConflictView    *self,
                BbProfile         *profile,
                const char        *prefix,
                const BbFieldSpec *specs,
                JsonObject        *mine,
                JsonObject        *theirs)
{
  if (specs == NULL)
    return;

  for (const BbFieldSpec *spec = specs; spec->name != NULL; spec++)
    {
      g_autofree char *label = NULL;

      /* Worked out from the others: a difference there is not a choice. */
      if (spec->flags & BB_FIELD_FLAG_DERIVED)
        continue;

      label = prefix != NULL ? g_strdup_printf ("%s — %s", prefix, _(spec->label)) : g_strdup (_(spec->label));

      if (spec->type == BB_FIELD_OBJECT)
        {
          compare_fields (self, profile, label, spec->children,
                          member_object (mine, spec->name), member_object (theirs, spec->name));
          continue;
        }

      if (spec->type == BB_FIELD_OBJECT_LIST)
        {
          JsonNode *a = member (mine, spec->name);
          JsonNode *b = member (theirs, spec->name);
          JsonArray *la = a != NULL && JSON_NODE_HOLDS_ARRAY (a) ? json_node_get_array (a) : NULL;
          JsonArray *lb = b != NULL && JSON_NODE_HOLDS_ARRAY (b) ? json_node_get_array (b) : NULL;
          guint na = la != NULL ? json_array_get_length (la) : 0;
          guint nb = lb != NULL ? json_array_get_length (lb) : 0;

          for (guint i = 0; i < MAX (na, nb); i++)
            {
              JsonNode *ea = i < na ? json_array_get_element (la, i) : NULL;
              JsonNode *eb = i < nb ? json_array_get_element (lb, i) : NULL;
              /* Translators: a numbered part of a record, "Vehicles 2" */
              g_autofree char *item = g_strdup_printf (_("%s %u"), label, i + 1);

              compare_fields (self, profile, item, spec->children,
                              ea != NULL && JSON_NODE_HOLDS_OBJECT (ea) ? json_node_get_object (ea) : NULL,
                              eb != NULL && JSON_NODE_HOLDS_OBJECT (eb) ? json_node_get_object (eb) : NULL);
            }
          continue;
        }

      {
        g_autofree char *a = bb_format_field_value (profile, spec, member (mine, spec->name));
        g_autofree char *b = bb_format_field_value (profile, spec, member (theirs, spec->name));

        add_pair (self, label, a, b);
      }
    }
}

static char *
format_priority (BbProfile *profile,
                 int        priority)
{
  const char *label;

  if (priority < 1 || priority > 4)
    return NULL;
  label = profile != NULL ? bb_profile_get_priority_label (profile, priority) : NULL;
  return label != NULL ? g_strdup_printf ("%d · %s", priority, label) : g_strdup_printf ("%d", priority);
}

static char *
format_meta (BbRecord *record,
             gboolean  is_mine)
{
  g_autofree char *when = bb_format_time_short (bb_record_get_updated_at (record), NULL);
  const char *who = bb_record_get_author_name (record);

  if (is_mine)
    /* Translators: "Saved on this device Today, 14:02 (revision 3)" */
    return g_strdup_printf (_("Saved on this device %s (revision %lld)"),
                            when, (long long) bb_record_get_rev (record));
  /* Translators: "On the server since Today, 14:05 (revision 3), author PCSO 4521" */
  return g_strdup_printf (_("On the server since %s (revision %lld), author %s"),
                          when, (long long) bb_record_get_rev (record), who != NULL ? who : _("unknown"));
}

static void
build (BbConflictView *self)
{
  BbProfile *profile = bb_session_get_profile (self->session);
  const BbKindSpec *kind = bb_record_get_kind_spec (self->mine);
  JsonObject *a = bb_record_get_fields (self->mine);
  JsonObject *b = bb_record_get_fields (self->theirs);
  g_autofree char *when_a = NULL;
  g_autofree char *when_b = NULL;
  g_autofree char *prio_a = NULL;
  g_autofree char *prio_b = NULL;
  g_autofree char *meta_a = format_meta (self->mine, TRUE);
  g_autofree char *meta_b = format_meta (self->theirs, FALSE);
  g_autofree char *summary = NULL;
  const char *review_a, *review_b;

  gtk_label_set_text (self->mine_meta_label, meta_a);
  gtk_label_set_text (self->theirs_meta_label, meta_b);

  when_a = bb_time_format_local (bb_record_get_occurred_at (self->mine), _("%-d %b %Y, %H:%M"));
  when_b = bb_time_format_local (bb_record_get_occurred_at (self->theirs), _("%-d %b %Y, %H:%M"));
  add_pair (self, _("When"), when_a, when_b);
  compare_fields (self, profile, NULL, bb_kind_common_fields (), a, b);
  prio_a = format_priority (profile, bb_record_get_priority (self->mine));
  prio_b = format_priority (profile, bb_record_get_priority (self->theirs));
  add_pair (self, _("CSP priority"), prio_a, prio_b);
  if (kind != NULL)
    compare_fields (self, profile, NULL, kind->fields, a, b);
  if (bb_record_get_deleted (self->mine) != bb_record_get_deleted (self->theirs))
    add_pair (self, _("Deleted"),
              bb_record_get_deleted (self->mine) ? _("Yes") : _("No"),
              bb_record_get_deleted (self->theirs) ? _("Yes") : _("No"));
  review_a = bb_record_get_review_state (self->mine);
  review_b = bb_record_get_review_state (self->theirs);
  add_pair (self, _("Review state"), bb_review_state_get_label (review_a), bb_review_state_get_label (review_b));

  if (self->n_differences == 0)
    summary = g_strdup (_("The two copies hold the same values. Keep either: the record then syncs again."));
  else
    /* Translators: "3 fields differ. This record was changed on this device and on the server…" */
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%u field differs. This record was changed on this device and, "
                                            "meanwhile, on the server. Compare the two copies and keep one: "
                                            "the other is replaced.",
                                            "%u fields differ. This record was changed on this device and, "
                                            "meanwhile, on the server. Compare the two copies and keep one: "
                                            "the other is replaced.",
                                            self->n_differences),
                               self->n_differences);
  gtk_label_set_text (self->summary_label, summary);
}

static void
update_orientation (BbConflictView *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height;
  GtkOrientation orientation;

  if (width <= 0)
    gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  orientation = width >= SIDE_BY_SIDE_MIN_WIDTH ? GTK_ORIENTATION_HORIZONTAL : GTK_ORIENTATION_VERTICAL;

  for (guint i = 0; i < self->pairs->len; i++)
    gtk_orientable_set_orientation (g_ptr_array_index (self->pairs, i), orientation);
}

/* Callbacks */

static void
on_keep (BbConflictView *self,
         GtkButton      *button)
{
  g_autoptr(GError) error = NULL;
  gboolean keep_mine = GTK_WIDGET (button) == self->keep_mine_button;

  if (!bb_conflict_view_choose (self, keep_mine, &error))
    {
      /* Both copies are still kept: say so and let them try again. */
      g_autofree char *message = g_strdup_printf (_("The choice could not be saved: %s. Both copies are kept."),
                                                  error->message);

      gtk_label_set_text (self->error_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_size_changed (BbConflictView *self)
{
  update_orientation (self);
}

/* Overrides */

static void
bb_conflict_view_dispose (GObject *object)
{
  BbConflictView *self = BB_CONFLICT_VIEW (object);

  if (self->pairs != NULL)
    g_ptr_array_set_size (self->pairs, 0);
  gtk_widget_dispose_template (GTK_WIDGET (self), BB_TYPE_CONFLICT_VIEW);
  g_clear_object (&self->mine);
  g_clear_object (&self->theirs);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (bb_conflict_view_parent_class)->dispose (object);
}

static void
bb_conflict_view_finalize (GObject *object)
{
  BbConflictView *self = BB_CONFLICT_VIEW (object);

  g_ptr_array_unref (self->pairs);
  g_string_free (self->text, TRUE);

  G_OBJECT_CLASS (bb_conflict_view_parent_class)->finalize (object);
}

static void
bb_conflict_view_class_init (BbConflictViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bb_conflict_view_dispose;
  object_class->finalize = bb_conflict_view_finalize;

  signals[SIGNAL_RESOLVED] =
    g_signal_new ("resolved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/beatbook/Beatbook/bb-conflict-view.ui");
  gtk_widget_class_bind_template_child (widget_class, BbConflictView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, BbConflictView, mine_meta_label);
  gtk_widget_class_bind_template_child (widget_class, BbConflictView, theirs_meta_label);
  gtk_widget_class_bind_template_child (widget_class, BbConflictView, fields_list);
  gtk_widget_class_bind_template_child (widget_class, BbConflictView, keep_mine_button);
  gtk_widget_class_bind_template_child (widget_class, BbConflictView, keep_theirs_button);
  gtk_widget_class_bind_template_child (widget_class, BbConflictView, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_keep);
  gtk_widget_class_bind_template_callback (widget_class, on_size_changed);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bb_conflict_view_init (BbConflictView *self)
{
  self->pairs = g_ptr_array_new ();
  self->text = g_string_new (NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Public API */

BbConflictView *
bb_conflict_view_new (BbSession   *session,
                      const char  *id,
                      GtkWindow   *parent,
                      GError     **error)
{
  g_autoptr(BbRecord) mine = NULL;
  g_autoptr(BbRecord) theirs = NULL;
  BbConflictView *self;

  g_return_val_if_fail (BB_IS_SESSION (session), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  mine = bb_store_get_record (bb_session_get_store (session), id, error);
  if (mine == NULL)
    return NULL;
  theirs = bb_store_get_conflict_copy (bb_session_get_store (session), id, error);
  if (theirs == NULL)
    return NULL;

  self = g_object_new (BB_TYPE_CONFLICT_VIEW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
  self->session = g_object_ref (session);
  self->mine = g_steal_pointer (&mine);
  self->theirs = g_steal_pointer (&theirs);
  build (self);
  update_orientation (self);
  return self;
}

gboolean
bb_conflict_view_choose (BbConflictView  *self,
                         gboolean         keep_mine,
                         GError         **error)
{
  g_return_val_if_fail (BB_IS_CONFLICT_VIEW (self), FALSE);

  if (!bb_store_resolve_conflict (bb_session_get_store (self->session),
                                  bb_record_get_id (self->mine), keep_mine, error))
    return FALSE;

  g_signal_emit (self, signals[SIGNAL_RESOLVED], 0, keep_mine);
  return TRUE;
}

guint
bb_conflict_view_get_n_differences (BbConflictView *self)
{
  g_return_val_if_fail (BB_IS_CONFLICT_VIEW (self), 0);
  return self->n_differences;
}

char *
bb_conflict_view_dup_text (BbConflictView *self)
{
  g_return_val_if_fail (BB_IS_CONFLICT_VIEW (self), NULL);
  return g_strdup (self->text->str);
}
