/* bb-attachments-row.c: photos and files in the editor
 *
 * The row lists the form's fields.attachments (kept by the form as loaded,
 * bb_form_set_attachments) and adds to it from three places: the native
 * file chooser, a drop of files, and a picture on the clipboard (saved as
 * PNG bytes and hashed as stored). A file is checked against the profile's
 * limits and kept in the evidence directory before it is listed, so a draft
 * that lists it survives a crash with its file. Removing one only takes it
 * off the list: the file stays until nothing lists it (bb-store-evidence.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-editor"

#include "config.h"

#include "bb-attachments-row.h"
#include "bb-format.h"
#include "bb-i18n.h"

struct _BbAttachmentsRow
{
  AdwBin             parent_instance;

  AdwPreferencesGroup *group;
  GtkButton         *add_button;
  GtkButton         *paste_button;
  GtkLabel          *message_label;
  AdwActionRow      *exif_row;
  GtkButton         *exif_button;
  BbAttachmentStrip *strip;

  BbSession         *session;
  BbForm            *form;      /* not owned: the editor owns both */
  GtkFileChooserNative *chooser;
  BbExifOffer        offer;
  char              *message;
};

G_DEFINE_FINAL_TYPE (BbAttachmentsRow, bb_attachments_row, ADW_TYPE_BIN)

static void
set_message (BbAttachmentsRow *self,
             const char       *message)
{
  g_free (self->message);
  self->message = g_strdup (message);
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
}

void
bb_attachments_row_reload (BbAttachmentsRow *self)
{
  g_autoptr(GPtrArray) attachments = NULL;

  g_return_if_fail (BB_IS_ATTACHMENTS_ROW (self));

  attachments = bb_form_dup_attachments (self->form);
  bb_attachment_strip_set (self->strip, self->session, attachments, TRUE);
}

/* Offers what the photo's EXIF says, in the profile's time zone. */
static void
offer_exif (BbAttachmentsRow   *self,
            const BbAttachment *attachment)
{
  g_autofree char *dir = bb_store_dup_evidence_dir (bb_session_get_store (self->session));
  g_autoptr(GBytes) bytes = bb_evidence_read (dir, attachment->sha256, NULL);
  g_autoptr(GTimeZone) zone = bb_time_zone_local (bb_profile_get_timezone (bb_session_get_profile (self->session)));
  g_autoptr(GString) text = g_string_new (NULL);
  gsize length = 0;
  const guint8 *data = bytes != NULL ? g_bytes_get_data (bytes, &length) : NULL;

  bb_exif_offer_clear (&self->offer);
  if (data == NULL || !bb_evidence_read_exif (data, length, zone, &self->offer))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->exif_row), FALSE);
      return;
    }

  if (self->offer.taken_at != NULL)
    {
      g_autofree char *when = bb_format_time_long (self->offer.taken_at);

      /* Translators: when a photo was taken, from its EXIF */
      g_string_append_printf (text, _("Taken %s"), when);
    }
  if (self->offer.has_position)
    {
      if (text->len > 0)
        g_string_append (text, " · ");
      g_string_append_printf (text, "%.5f, %.5f", self->offer.lat, self->offer.lon);
    }
  adw_action_row_set_subtitle (self->exif_row, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->exif_row), TRUE);
}

static gboolean
add_attachment (BbAttachmentsRow *self,
                BbAttachment     *attachment)
{
  g_autoptr(GPtrArray) attachments = bb_form_dup_attachments (self->form);

  for (guint i = 0; i < attachments->len; i++)
    if (g_str_equal (((BbAttachment *) attachments->pdata[i])->sha256, attachment->sha256))
      {
        set_message (self, _("This file is attached already."));
        bb_attachment_free (attachment);
        return TRUE;
      }

  offer_exif (self, attachment);
  g_ptr_array_add (attachments, attachment);
  bb_form_set_attachments (self->form, attachments);
  set_message (self, NULL);
  bb_attachments_row_reload (self);
  return TRUE;
}

static guint
n_attached (BbAttachmentsRow *self)
{
  g_autoptr(GPtrArray) attachments = bb_form_dup_attachments (self->form);

  return attachments->len;
}

gboolean
bb_attachments_row_add_file (BbAttachmentsRow  *self,
                             GFile             *file,
                             GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  BbAttachment *attachment;

  g_return_val_if_fail (BB_IS_ATTACHMENTS_ROW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  attachment = bb_store_import_evidence (bb_session_get_store (self->session),
                                         bb_session_get_profile (self->session),
                                         n_attached (self), file, NULL, NULL, &local_error);
  if (attachment == NULL)
    {
      set_message (self, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return add_attachment (self, attachment);
}

static gboolean
add_bytes (BbAttachmentsRow *self,
           const char       *name,
           GBytes           *bytes)
{
  g_autoptr(GError) error = NULL;
  BbAttachment *attachment;

  attachment = bb_store_import_evidence (bb_session_get_store (self->session),
                                         bb_session_get_profile (self->session),
                                         n_attached (self), NULL, name, bytes, &error);
  if (attachment == NULL)
    {
      set_message (self, error->message);
      return FALSE;
    }
  return add_attachment (self, attachment);
}

static void
on_remove_requested (BbAttachmentStrip *strip,
                     const char        *sha256,
                     BbAttachmentsRow  *self)
{
  g_autoptr(GPtrArray) attachments = bb_form_dup_attachments (self->form);

  for (guint i = 0; i < attachments->len; i++)
    if (g_str_equal (((BbAttachment *) attachments->pdata[i])->sha256, sha256))
      {
        g_ptr_array_remove_index (attachments, i);
        break;
      }
  bb_form_set_attachments (self->form, attachments);
  gtk_widget_set_visible (GTK_WIDGET (self->exif_row), FALSE);
  bb_attachments_row_reload (self);
}

static void
on_exif_clicked (BbAttachmentsRow *self)
{
  BbFieldNode *lat = bb_form_find_node (self->form, "lat", FALSE);
  BbFieldNode *lon = bb_form_find_node (self->form, "lon", FALSE);

  /* Asked for: the time and place become the record's, still editable. */
  if (self->offer.taken_at != NULL)
    {
      bb_form_set_occurred_at (self->form, self->offer.taken_at);
      if (self->form->changed != NULL)
        self->form->changed (self->form, self->form->occurred_at, self->form->user_data);
    }
  if (self->offer.has_position && lat != NULL && lon != NULL &&
      GTK_IS_EDITABLE (lat->input) && GTK_IS_EDITABLE (lon->input))
    {
      char text[G_ASCII_DTOSTR_BUF_SIZE];

      gtk_editable_set_text (GTK_EDITABLE (lat->input), g_ascii_formatd (text, sizeof text, "%.6f", self->offer.lat));
      gtk_editable_set_text (GTK_EDITABLE (lon->input), g_ascii_formatd (text, sizeof text, "%.6f", self->offer.lon));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->exif_row), FALSE);
}

static void
on_chooser_response (GtkNativeDialog  *dialog,
                     int               response,
                     BbAttachmentsRow *self)
{
  g_autoptr(GListModel) files = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          if (!bb_attachments_row_add_file (self, file, NULL))
            break;
        }
    }
  g_clear_object (&self->chooser);
}

static void
on_add_clicked (BbAttachmentsRow *self)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->chooser != NULL)
    return;

  gtk_file_filter_set_name (filter, _("Photos and PDF documents"));
  gtk_file_filter_add_mime_type (filter, "image/jpeg");
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_mime_type (filter, "application/pdf");

  self->chooser = gtk_file_chooser_native_new (_("Attach Photos or Files"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Attach"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_texture_read (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(BbAttachmentsRow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (object), result, &error);
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *name = NULL;

  if (texture == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_message (self, _("The clipboard holds no picture to attach."));
      return;
    }

  /* The picture as PNG bytes: the hash is of what is stored. */
  png = gdk_texture_save_to_png_bytes (texture);
  now = g_date_time_new_now_local ();
  name = g_date_time_format (now, "pasted-%Y%m%d-%H%M%S.png");
  add_bytes (self, name, png);
}

static void
on_paste_clicked (BbAttachmentsRow *self)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));

  gdk_clipboard_read_texture_async (clipboard, NULL, on_texture_read, g_object_ref (self));
}

static gboolean
on_drop (GtkDropTarget    *target,
         const GValue     *value,
         double            x,
         double            y,
         BbAttachmentsRow *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  files = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = files; l != NULL; l = l->next)
    if (!bb_attachments_row_add_file (self, l->data, NULL))
      break;
  g_slist_free (files);
  return TRUE;
}

BbAttachmentStrip *
bb_attachments_row_get_strip (BbAttachmentsRow *self)
{
  g_return_val_if_fail (BB_IS_ATTACHMENTS_ROW (self), NULL);

  return self->strip;
}

const char *
bb_attachments_row_get_message (BbAttachmentsRow *self)
{
  g_return_val_if_fail (BB_IS_ATTACHMENTS_ROW (self), NULL);

  return self->message;
}

static void
bb_attachments_row_dispose (GObject *object)
{
  BbAttachmentsRow *self = (BbAttachmentsRow *) object;

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (bb_attachments_row_parent_class)->dispose (object);
}

static void
bb_attachments_row_finalize (GObject *object)
{
  BbAttachmentsRow *self = (BbAttachmentsRow *) object;

  bb_exif_offer_clear (&self->offer);
  g_free (self->message);

  G_OBJECT_CLASS (bb_attachments_row_parent_class)->finalize (object);
}

static void
bb_attachments_row_class_init (BbAttachmentsRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bb_attachments_row_dispose;
  object_class->finalize = bb_attachments_row_finalize;

  g_type_ensure (BB_TYPE_ATTACHMENT_STRIP);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/beatbook/Beatbook/editor/bb-attachments-row.ui");
  gtk_widget_class_bind_template_child (widget_class, BbAttachmentsRow, group);
  gtk_widget_class_bind_template_child (widget_class, BbAttachmentsRow, add_button);
  gtk_widget_class_bind_template_child (widget_class, BbAttachmentsRow, paste_button);
  gtk_widget_class_bind_template_child (widget_class, BbAttachmentsRow, message_label);
  gtk_widget_class_bind_template_child (widget_class, BbAttachmentsRow, exif_row);
  gtk_widget_class_bind_template_child (widget_class, BbAttachmentsRow, exif_button);
  gtk_widget_class_bind_template_child (widget_class, BbAttachmentsRow, strip);
}

static void
bb_attachments_row_init (BbAttachmentsRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->add_button, "clicked", G_CALLBACK (on_add_clicked), self);
  g_signal_connect_swapped (self->paste_button, "clicked", G_CALLBACK (on_paste_clicked), self);
  g_signal_connect_swapped (self->exif_button, "clicked", G_CALLBACK (on_exif_clicked), self);
  g_signal_connect (self->strip, "remove-requested", G_CALLBACK (on_remove_requested), self);
}

GtkWidget *
bb_attachments_row_new (BbSession *session,
                        BbForm    *form,
                        GtkWidget *drop_area)
{
  BbAttachmentsRow *self;
  GtkDropTarget *target;

  g_return_val_if_fail (BB_IS_SESSION (session), NULL);
  g_return_val_if_fail (form != NULL, NULL);

  self = g_object_new (BB_TYPE_ATTACHMENTS_ROW, NULL);
  self->session = g_object_ref (session);
  self->form = form;

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (target, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (drop_area != NULL ? drop_area : GTK_WIDGET (self),
                             GTK_EVENT_CONTROLLER (target));

  bb_attachments_row_reload (self);
  return GTK_WIDGET (self);
}
