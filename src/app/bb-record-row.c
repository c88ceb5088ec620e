/* bb-record-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include "bb-format.h"
#include "bb-i18n.h"
#include "bb-record-row.h"

struct _BbRecordRow
{
  GtkWidget  parent_instance;

  BbRecord  *record;
  char      *search;

  GtkWidget *box;
  GtkImage  *kind_icon;
  GtkLabel  *title_label;
  GtkLabel  *subtitle_label;
  GtkWidget *states_box;
  GtkWidget *review_box;
  GtkWidget *sync_box;
  GtkImage  *review_icon;
  GtkLabel  *review_label;
  GtkImage  *sync_icon;
  GtkLabel  *sync_label;
};

G_DEFINE_FINAL_TYPE (BbRecordRow, bb_record_row, GTK_TYPE_WIDGET)

static void
bb_record_row_dispose (GObject *object)
{
  BbRecordRow *self = BB_RECORD_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), BB_TYPE_RECORD_ROW);
  g_clear_object (&self->record);

  G_OBJECT_CLASS (bb_record_row_parent_class)->dispose (object);
}

static void
bb_record_row_finalize (GObject *object)
{
  BbRecordRow *self = BB_RECORD_ROW (object);

  g_free (self->search);

  G_OBJECT_CLASS (bb_record_row_parent_class)->finalize (object);
}

static void
bb_record_row_class_init (BbRecordRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bb_record_row_dispose;
  object_class->finalize = bb_record_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/beatbook/Beatbook/bb-record-row.ui");
  gtk_widget_class_bind_template_child (widget_class, BbRecordRow, box);
  gtk_widget_class_bind_template_child (widget_class, BbRecordRow, kind_icon);
  gtk_widget_class_bind_template_child (widget_class, BbRecordRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, BbRecordRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, BbRecordRow, states_box);
  gtk_widget_class_bind_template_child (widget_class, BbRecordRow, review_box);
  gtk_widget_class_bind_template_child (widget_class, BbRecordRow, sync_box);
  gtk_widget_class_bind_template_child (widget_class, BbRecordRow, review_icon);
  gtk_widget_class_bind_template_child (widget_class, BbRecordRow, review_label);
  gtk_widget_class_bind_template_child (widget_class, BbRecordRow, sync_icon);
  gtk_widget_class_bind_template_child (widget_class, BbRecordRow, sync_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "bbrecordrow");
}

static void
bb_record_row_init (BbRecordRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
bb_record_row_new (void)
{
  return g_object_new (BB_TYPE_RECORD_ROW, NULL);
}

void
bb_record_row_set_record (BbRecordRow *self,
                          BbRecord    *record,
                          BbProfile   *profile)
{
  const BbKindSpec *kind;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *review_line = NULL;
  g_autofree char *sync_line = NULL;
  g_autofree char *title_markup = NULL;
  g_autofree char *subtitle_markup = NULL;
  const char *review_state;
  BbSyncState sync_state;

  g_return_if_fail (BB_IS_RECORD_ROW (self));
  g_return_if_fail (record == NULL || BB_IS_RECORD (record));

  g_set_object (&self->record, record);

  if (record == NULL)
    {
      gtk_label_set_text (self->title_label, "");
      gtk_label_set_text (self->subtitle_label, "");
      gtk_label_set_text (self->review_label, "");
      gtk_label_set_text (self->sync_label, "");
      gtk_widget_set_visible (self->states_box, FALSE);
      return;
    }

  kind = bb_record_get_kind_spec (record);
  title = bb_record_dup_title (record, profile);
  subtitle = bb_format_record_subtitle (record, profile, NULL);
  review_state = bb_record_get_review_state (record);
  sync_state = bb_record_get_sync_state (record);

  gtk_image_set_from_icon_name (self->kind_icon, kind != NULL ? kind->icon_name : "text-x-generic-symbolic");
  /* The icon stands for the kind: say it, for people who cannot see it. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->kind_icon),
                               kind != NULL ? bb_kind_get_label (kind) : bb_record_get_kind (record));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->kind_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  kind != NULL ? bb_kind_get_label (kind) : bb_record_get_kind (record),
                                  -1);

  /* What the search found shows in bold, so a long list is read at a glance. */
  title_markup = bb_format_highlight (title != NULL && *title != '\0' ? title : _("Untitled record"),
                                      self->search);
  subtitle_markup = bb_format_highlight (subtitle, self->search);
  gtk_label_set_markup (self->title_label, title_markup);
  gtk_label_set_markup (self->subtitle_label, subtitle_markup);
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), *subtitle != '\0');

  /* States show only where they need attention (returned, refused, in
   * conflict, long unsynced): "Awaiting review · Waiting to sync" on every
   * row would be noise, and would leave room for fewer rows. */
  review_line = bb_format_row_review_line (record);
  gtk_image_set_from_icon_name (self->review_icon, bb_review_state_get_icon (review_state));
  gtk_label_set_text (self->review_label, review_line != NULL ? review_line : "");
  /* A long comment is cut in the row: the whole of it on hover. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->review_label), review_line);
  gtk_widget_set_visible (self->review_box, review_line != NULL);

  sync_line = bb_format_row_sync_line (record, NULL);
  gtk_image_set_from_icon_name (self->sync_icon, bb_sync_state_get_icon (sync_state));
  gtk_label_set_text (self->sync_label, sync_line != NULL ? sync_line : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->sync_label), sync_line);
  gtk_widget_set_visible (self->sync_box, sync_line != NULL);

  gtk_widget_set_visible (self->states_box, review_line != NULL || sync_line != NULL);

  /* Colour backs up the words; it never carries the meaning alone. */
  gtk_widget_remove_css_class (GTK_WIDGET (self->sync_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->sync_label), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->review_label), "warning");
  if (sync_state == BB_SYNC_STATE_REJECTED)
    gtk_widget_add_css_class (GTK_WIDGET (self->sync_label), "error");
  else if (sync_state == BB_SYNC_STATE_CONFLICT)
    gtk_widget_add_css_class (GTK_WIDGET (self->sync_label), "warning");
  if (g_strcmp0 (review_state, "returned") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->review_label), "warning");
}

void
bb_record_row_set_search (BbRecordRow *self,
                          const char  *search)
{
  g_return_if_fail (BB_IS_RECORD_ROW (self));

  g_free (self->search);
  self->search = g_strdup (search);
}

BbRecord *
bb_record_row_get_record (BbRecordRow *self)
{
  g_return_val_if_fail (BB_IS_RECORD_ROW (self), NULL);

  return self->record;
}

char *
bb_record_row_dup_text (BbRecordRow *self)
{
  g_return_val_if_fail (BB_IS_RECORD_ROW (self), NULL);

  GString *text = g_string_new (gtk_label_get_text (self->title_label));

  g_string_append_printf (text, "\n%s", gtk_label_get_text (self->subtitle_label));
  if (gtk_widget_get_visible (self->review_box))
    g_string_append_printf (text, "\n%s", gtk_label_get_text (self->review_label));
  if (gtk_widget_get_visible (self->sync_box))
    g_string_append_printf (text, "\n%s", gtk_label_get_text (self->sync_label));
  return g_string_free (text, FALSE);
}
