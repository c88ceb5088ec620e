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
 * Keeping a file means reading, hashing and syncing it: a large photo takes
 * seconds on a patrol laptop. So it is done off the UI thread
 * (bb_store_import_evidence_async), one file at a time in the order they
 * came, each shown at once as a placeholder with its progress; the person
 * keeps typing meanwhile. A file is listed on the form only when it is in,
 * so a draft written during a copy lists only whole files. Stopping one, or
 * closing the editor, cancels the copy (nothing half-copied is left).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-editor"

#include "config.h"

#include <string.h>

#include "bb-attachments-row.h"
#include "bb-format.h"
#include "bb-i18n.h"

/* How often the placeholders' progress is read while a file is copied. */
#define PROGRESS_INTERVAL_MS 100

/* One file to attach, from the moment it is asked for until it is in (or
 * refused, or stopped). Owned by the queue, then by the running import's
 * callback, which frees it: the row may be gone by then. */
typedef struct
{
  BbAttachmentsRow *row;          /* (nullable): NULL once the row is gone */
  guint             id;
  char             *name;
  GFile            *file;         /* a file, or... */
  GdkTexture       *texture;      /* ...a pasted picture, made PNG bytes in the worker */
  GBytes           *bytes;
  GCancellable     *cancellable;
  gint              permille;     /* (atomic): written by the worker */
  gboolean          running;
  gboolean          stopped;
} Pending;

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
  GCancellable      *paste_cancellable;
  BbExifOffer        offer;
  char              *message;

  GQueue             queue;     /* (element-type Pending): the head may be running */
  guint              next_id;
  guint              progress_source;
  guint              n_refused;
  guint              reveal_tick;   /* waiting to scroll to a new placeholder */
  guint              reveal_frames;
};

G_DEFINE_FINAL_TYPE (BbAttachmentsRow, bb_attachments_row, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void start_next (BbAttachmentsRow *self);

static void
pending_free (Pending *pending)
{
  g_free (pending->name);
  g_clear_object (&pending->file);
  g_clear_object (&pending->texture);
  g_clear_pointer (&pending->bytes, g_bytes_unref);
  g_clear_object (&pending->cancellable);
  g_free (pending);
}

static void
set_message (BbAttachmentsRow *self,
             const char       *message)
{
  g_free (self->message);
  self->message = g_strdup (message);
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
}

/* A refusal among several files: each is said, one a line. */
static void
add_message (BbAttachmentsRow *self,
             const char       *message)
{
  g_autofree char *text = self->message != NULL
                          ? g_strconcat (self->message, "\n", message, NULL)
                          : g_strdup (message);

  set_message (self, text);
}

void
bb_attachments_row_reload (BbAttachmentsRow *self)
{
  g_autoptr(GPtrArray) attachments = NULL;

  g_return_if_fail (BB_IS_ATTACHMENTS_ROW (self));

  attachments = bb_form_dup_attachments (self->form);
  bb_attachment_strip_set (self->strip, self->session, attachments, TRUE);
}

/* Offers what the photo's EXIF says (read by the import, in the profile's
 * time zone). Takes @offer's contents. */
static void
offer_exif (BbAttachmentsRow *self,
            BbExifOffer      *offer)
{
  g_autoptr(GString) text = g_string_new (NULL);

  bb_exif_offer_clear (&self->offer);
  self->offer = *offer;
  memset (offer, 0, sizeof *offer);
  if (self->offer.taken_at == NULL && !self->offer.has_position)
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

static void
add_attachment (BbAttachmentsRow *self,
                BbAttachment     *attachment,
                BbExifOffer      *offer)
{
  g_autoptr(GPtrArray) attachments = bb_form_dup_attachments (self->form);

  for (guint i = 0; i < attachments->len; i++)
    if (g_str_equal (((BbAttachment *) attachments->pdata[i])->sha256, attachment->sha256))
      {
        g_autofree char *text = g_strdup_printf (_("“%s” is attached already."), attachment->name);

        add_message (self, text);
        bb_attachment_free (attachment);
        return;
      }

  offer_exif (self, offer);
  g_ptr_array_add (attachments, attachment);
  bb_form_set_attachments (self->form, attachments);
  bb_attachments_row_reload (self);
}

static guint
n_attached (BbAttachmentsRow *self)
{
  g_autoptr(GPtrArray) attachments = bb_form_dup_attachments (self->form);

  return attachments->len;
}

static guint
max_count (BbAttachmentsRow *self)
{
  int max = bb_profile_get_max_attachments (bb_session_get_profile (self->session));

  return max > 0 ? (guint) max : BB_EVIDENCE_DEFAULT_MAX_COUNT;
}

/* Progress */

static gboolean
progress_tick (gpointer user_data)
{
  BbAttachmentsRow *self = user_data;

  for (GList *l = self->queue.head; l != NULL; l = l->next)
    {
      Pending *pending = l->data;

      if (pending->running)
        bb_attachment_strip_set_pending_fraction (self->strip, pending->id,
                                                  g_atomic_int_get (&pending->permille) / 1000.0);
    }
  return G_SOURCE_CONTINUE;
}

/* In the worker thread. */
static void
on_progress (gint64   done,
             gint64   total,
             gpointer user_data)
{
  Pending *pending = user_data;

  if (total > 0)
    g_atomic_int_set (&pending->permille, (gint) (done * 1000 / total));
}

static void
set_busy_changed (BbAttachmentsRow *self)
{
  if (g_queue_is_empty (&self->queue))
    g_clear_handle_id (&self->progress_source, g_source_remove);
  else if (self->progress_source == 0)
    self->progress_source = g_timeout_add (PROGRESS_INTERVAL_MS, progress_tick, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* The queue */

/* @pending has left the queue: frees it and starts the next file. */
static void
done_with (BbAttachmentsRow *self,
           Pending          *pending)
{
  pending_free (pending);
  start_next (self);
  set_busy_changed (self);
}

static void
on_imported (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Pending *pending = user_data;
  BbAttachmentsRow *self = pending->row;
  g_autoptr(GError) error = NULL;
  g_auto(BbExifOffer) offer = { 0 };
  BbAttachment *attachment;

  attachment = bb_store_import_evidence_finish (BB_STORE (object), result, &offer, &error);
  if (self == NULL)
    {
      /* The editor went away meanwhile: its copy was cancelled. */
      g_clear_pointer (&attachment, bb_attachment_free);
      pending_free (pending);
      return;
    }

  g_queue_remove (&self->queue, pending);
  bb_attachment_strip_remove_pending (self->strip, pending->id);
  if (attachment != NULL && !pending->stopped)
    add_attachment (self, attachment, &offer);
  else if (attachment != NULL)
    bb_attachment_free (attachment);
  /* A file the person stopped is not a refusal, whatever ended its copy. */
  else if (!pending->stopped && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->n_refused++;
      add_message (self, error->message);
    }
  done_with (self, pending);
}

static void
start_import (BbAttachmentsRow *self,
              Pending          *pending)
{
  bb_store_import_evidence_async (bb_session_get_store (self->session),
                                  bb_session_get_profile (self->session),
                                  n_attached (self), pending->file, pending->name, pending->bytes,
                                  on_progress, pending, pending->cancellable,
                                  on_imported, pending);
}

/* A pasted picture as PNG bytes: the hash is of what is stored. Encoding a
 * large picture takes a while too, so it is done in the worker. */
static void
encode_in_thread (GTask        *task,
                  gpointer      source,
                  gpointer      data,
                  GCancellable *cancellable)
{
  GdkTexture *texture = data;

  g_task_return_pointer (task, gdk_texture_save_to_png_bytes (texture), (GDestroyNotify) g_bytes_unref);
}

static void
on_encoded (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png = g_task_propagate_pointer (G_TASK (result), &error);

  if (pending->row == NULL)
    {
      /* The editor went away meanwhile. */
      pending_free (pending);
      return;
    }
  if (png == NULL)
    {
      /* Only a cancel (the person stopped it) ends an encoding without
       * bytes. */
      g_queue_remove (&pending->row->queue, pending);
      bb_attachment_strip_remove_pending (pending->row->strip, pending->id);
      done_with (pending->row, pending);
      return;
    }

  g_clear_object (&pending->texture);
  pending->bytes = g_steal_pointer (&png);
  start_import (pending->row, pending);
}

static void
start_next (BbAttachmentsRow *self)
{
  Pending *pending = g_queue_peek_head (&self->queue);

  if (pending == NULL || pending->running)
    return;

  pending->running = TRUE;
  if (pending->texture != NULL)
    {
      g_autoptr(GTask) task = g_task_new (NULL, pending->cancellable, on_encoded, pending);

      g_task_set_task_data (task, g_object_ref (pending->texture), g_object_unref);
      g_task_run_in_thread (task, encode_in_thread);
      return;
    }
  start_import (self, pending);
}

/* Once the new placeholders are laid out (the frame after the one they
 * were added in): scrolls the editor just enough that they show, as the
 * files came from this row (its buttons or a drop on the form). */
static gboolean
reveal_tick (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       user_data)
{
  BbAttachmentsRow *self = BB_ATTACHMENTS_ROW (widget);
  GtkWidget *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *content = scroller != NULL ? gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)) : NULL;
  graphene_point_t bottom, point;

  if (++self->reveal_frames < 2)
    return G_SOURCE_CONTINUE;
  self->reveal_tick = 0;

  bottom = GRAPHENE_POINT_INIT (0, (float) gtk_widget_get_height (GTK_WIDGET (self->strip)));
  if (GTK_IS_VIEWPORT (content))
    content = gtk_viewport_get_child (GTK_VIEWPORT (content));
  if (content != NULL &&
      gtk_widget_compute_point (GTK_WIDGET (self->strip), content, &bottom, &point))
    {
      GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
      double value = gtk_adjustment_get_value (adjustment);
      double page = gtk_adjustment_get_page_size (adjustment);

      if (point.y > value + page)
        gtk_adjustment_set_value (adjustment, point.y - page);
    }
  return G_SOURCE_REMOVE;
}

static void
reveal_placeholders (BbAttachmentsRow *self)
{
  if (self->reveal_tick != 0)
    return;
  self->reveal_frames = 0;
  self->reveal_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), reveal_tick, NULL, NULL);
}

/* Queues a file (or a pasted picture): a placeholder shows at once. */
static void
enqueue (BbAttachmentsRow *self,
         const char       *name,
         GFile            *file,
         GdkTexture       *texture)
{
  Pending *pending;

  /* A new batch: the refusals of the last one are old news. */
  if (g_queue_is_empty (&self->queue))
    set_message (self, NULL);

  /* Refused at once rather than after the copies before it. A stopped
   * file that is still leaving the queue takes no place. */
  if (n_attached (self) + bb_attachments_row_get_n_waiting (self) >= max_count (self))
    {
      guint max = max_count (self);
      g_autofree char *text =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "“%s” was not attached: a record holds at most %u file.",
                                      "“%s” was not attached: a record holds at most %u files.",
                                      max),
                         name, max);

      self->n_refused++;
      add_message (self, text);
      return;
    }

  pending = g_new0 (Pending, 1);
  pending->row = self;
  pending->id = ++self->next_id;
  pending->name = g_strdup (name);
  pending->file = file != NULL ? g_object_ref (file) : NULL;
  pending->texture = texture != NULL ? g_object_ref (texture) : NULL;
  pending->cancellable = g_cancellable_new ();
  g_queue_push_tail (&self->queue, pending);
  bb_attachment_strip_add_pending (self->strip, pending->id, name);
  reveal_placeholders (self);

  start_next (self);
  set_busy_changed (self);
}

void
bb_attachments_row_add_file (BbAttachmentsRow *self,
                             GFile            *file)
{
  g_autofree char *name = NULL;

  g_return_if_fail (BB_IS_ATTACHMENTS_ROW (self));
  g_return_if_fail (G_IS_FILE (file));

  /* The placeholder's name until the import reads the display name. */
  name = g_file_get_basename (file);
  enqueue (self, name != NULL ? name : "", file, NULL);
}

static void
stop_pending (BbAttachmentsRow *self,
              Pending          *pending)
{
  bb_attachment_strip_remove_pending (self->strip, pending->id);
  pending->stopped = TRUE;
  g_cancellable_cancel (pending->cancellable);
  if (!pending->running)
    {
      g_queue_remove (&self->queue, pending);
      pending_free (pending);
    }
  /* A running one leaves the queue when its copy has stopped. */
}

static void
on_stop_requested (BbAttachmentStrip *strip,
                   guint              id,
                   BbAttachmentsRow  *self)
{
  for (GList *l = self->queue.head; l != NULL; l = l->next)
    {
      Pending *pending = l->data;

      if (pending->id == id && !pending->stopped)
        {
          stop_pending (self, pending);
          break;
        }
    }
  set_busy_changed (self);
}

void
bb_attachments_row_cancel (BbAttachmentsRow *self)
{
  GList *l;

  g_return_if_fail (BB_IS_ATTACHMENTS_ROW (self));

  g_cancellable_cancel (self->paste_cancellable);
  l = self->queue.head;
  while (l != NULL)
    {
      GList *next = l->next;
      Pending *pending = l->data;

      if (!pending->stopped)
        stop_pending (self, pending);
      l = next;
    }
  set_busy_changed (self);
}

gboolean
bb_attachments_row_get_busy (BbAttachmentsRow *self)
{
  g_return_val_if_fail (BB_IS_ATTACHMENTS_ROW (self), FALSE);

  return !g_queue_is_empty (&self->queue);
}

guint
bb_attachments_row_get_n_waiting (BbAttachmentsRow *self)
{
  guint n = 0;

  g_return_val_if_fail (BB_IS_ATTACHMENTS_ROW (self), 0);

  for (GList *l = self->queue.head; l != NULL; l = l->next)
    if (!((Pending *) l->data)->stopped)
      n++;
  return n;
}

guint
bb_attachments_row_get_n_refused (BbAttachmentsRow *self)
{
  g_return_val_if_fail (BB_IS_ATTACHMENTS_ROW (self), 0);

  return self->n_refused;
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

          bb_attachments_row_add_file (self, file);
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
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *name = NULL;

  if (texture == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_message (self, _("The clipboard holds no picture to attach."));
      return;
    }
  /* The editor closed while the clipboard was read. */
  if (g_cancellable_is_cancelled (self->paste_cancellable))
    return;

  now = g_date_time_new_now_local ();
  name = g_date_time_format (now, "pasted-%Y%m%d-%H%M%S.png");
  enqueue (self, name, NULL, texture);
}

static void
on_paste_clicked (BbAttachmentsRow *self)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));

  gdk_clipboard_read_texture_async (clipboard, self->paste_cancellable, on_texture_read, g_object_ref (self));
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
    bb_attachments_row_add_file (self, l->data);
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

  if (self->reveal_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->reveal_tick);
  self->reveal_tick = 0;

  /* Copies still running finish on their own and free their entry. */
  g_cancellable_cancel (self->paste_cancellable);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  while (!g_queue_is_empty (&self->queue))
    {
      Pending *pending = g_queue_pop_head (&self->queue);

      g_cancellable_cancel (pending->cancellable);
      if (pending->running)
        pending->row = NULL;
      else
        pending_free (pending);
    }
  g_clear_object (&self->session);

  G_OBJECT_CLASS (bb_attachments_row_parent_class)->dispose (object);
}

static void
bb_attachments_row_finalize (GObject *object)
{
  BbAttachmentsRow *self = (BbAttachmentsRow *) object;

  bb_exif_offer_clear (&self->offer);
  g_free (self->message);
  g_clear_object (&self->paste_cancellable);

  G_OBJECT_CLASS (bb_attachments_row_parent_class)->finalize (object);
}

static void
bb_attachments_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  BbAttachmentsRow *self = BB_ATTACHMENTS_ROW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, bb_attachments_row_get_busy (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bb_attachments_row_class_init (BbAttachmentsRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bb_attachments_row_dispose;
  object_class->finalize = bb_attachments_row_finalize;
  object_class->get_property = bb_attachments_row_get_property;

  /**
   * BbAttachmentsRow:busy:
   *
   * Whether files are still being copied in (or stopping).
   */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

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
  g_queue_init (&self->queue);
  self->paste_cancellable = g_cancellable_new ();

  g_signal_connect_swapped (self->add_button, "clicked", G_CALLBACK (on_add_clicked), self);
  g_signal_connect_swapped (self->paste_button, "clicked", G_CALLBACK (on_paste_clicked), self);
  g_signal_connect_swapped (self->exif_button, "clicked", G_CALLBACK (on_exif_clicked), self);
  g_signal_connect (self->strip, "remove-requested", G_CALLBACK (on_remove_requested), self);
  g_signal_connect (self->strip, "stop-requested", G_CALLBACK (on_stop_requested), self);
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
