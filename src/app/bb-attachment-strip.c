/* bb-attachment-strip.c: a record's photos and files as thumbnails
 *
 * Used by the editor, the record view and the supervisors' review. A file
 * attached on this device is read from its evidence directory; one that
 * came with a pulled record is fetched from the server the first time it is
 * shown (bb_session_get_evidence, off the UI thread), then kept. A document
 * shows as an icon with its name. Activating a thumbnail opens the viewer.
 * A file still being copied in by the editor shows as a placeholder (a
 * spinner and how far the copy is) where its thumbnail will be.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

#include "bb-attachment-strip.h"
#include "bb-i18n.h"
#include "bb-photo-viewer.h"

#define THUMBNAIL_SIZE 96

struct _BbAttachmentStrip
{
  AdwBin        parent_instance;

  GtkLabel     *status_label;
  GtkFlowBox   *flow;

  BbSession    *session;
  GPtrArray    *attachments;  /* (element-type BbAttachment) */
  GPtrArray    *textures;     /* (element-type GdkTexture): NULL until loaded, or a document */
  GPtrArray    *pictures;     /* (element-type GtkPicture) (unowned), per attachment */
  GPtrArray    *pending;      /* (element-type Pending): files being attached, in order */
  GCancellable *cancellable;
  char         *status;
  gboolean      editable;
};

/* A file still being attached: a placeholder after the thumbnails. */
typedef struct
{
  guint           id;
  char           *name;
  double          fraction;
  GtkProgressBar *bar;        /* (unowned) (nullable): on screen */
} Pending;

G_DEFINE_FINAL_TYPE (BbAttachmentStrip, bb_attachment_strip, ADW_TYPE_BIN)

enum {
  SIGNAL_REMOVE_REQUESTED,
  SIGNAL_STOP_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  BbSession    *session;
  BbAttachment *attachment;
  guint         index;
  GPtrArray    *generation;  /* the strip's textures array when it started */
} LoadJob;

static void
pending_free (Pending *pending)
{
  g_free (pending->name);
  g_free (pending);
}

static void
load_job_free (LoadJob *job)
{
  g_object_unref (job->session);
  bb_attachment_free (job->attachment);
  g_ptr_array_unref (job->generation);
  g_free (job);
}

/* Entries stay NULL until loaded, and for documents. */
static void
unref_nullable (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

static gboolean
is_image (const BbAttachment *attachment)
{
  return g_strcmp0 (attachment->media_type, "image/jpeg") == 0 ||
         g_strcmp0 (attachment->media_type, "image/png") == 0;
}

/* What a load gives: the picture whole, for the viewer, and a copy scaled
 * down for the strip. Drawing a 20-megapixel texture at thumbnail size
 * held the UI thread for a tenth of a second the first time it was shown;
 * the scaling is done here, in the worker, instead. */
typedef struct
{
  GdkTexture *full;
  GdkTexture *thumbnail;
} Loaded;

static void
loaded_free (Loaded *loaded)
{
  g_clear_object (&loaded->full);
  g_clear_object (&loaded->thumbnail);
  g_free (loaded);
}

static GdkTexture *
scale_for_thumbnail (GBytes *bytes)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(GdkPixbuf) pixbuf = NULL;

  /* Twice the size on screen, for a scale-2 display. */
  pixbuf = gdk_pixbuf_new_from_stream_at_scale (stream, 2 * THUMBNAIL_SIZE, 2 * THUMBNAIL_SIZE,
                                                TRUE, NULL, NULL);
  return pixbuf != NULL ? gdk_texture_new_for_pixbuf (pixbuf) : NULL;
}

static void
load_in_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  LoadJob *job = data;
  g_autoptr(GBytes) bytes = NULL;
  Loaded *loaded;
  GdkTexture *texture;
  GError *error = NULL;

  bytes = bb_session_get_evidence (job->session, job->attachment, cancellable, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  texture = gdk_texture_new_from_bytes (bytes, &error);
  if (texture == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  loaded = g_new0 (Loaded, 1);
  loaded->full = texture;
  loaded->thumbnail = scale_for_thumbnail (bytes);
  if (loaded->thumbnail == NULL)
    loaded->thumbnail = g_object_ref (texture);
  g_task_return_pointer (task, loaded, (GDestroyNotify) loaded_free);
}

static void
on_loaded (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  BbAttachmentStrip *self = BB_ATTACHMENT_STRIP (object);
  LoadJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  Loaded *loaded = g_task_propagate_pointer (G_TASK (result), &error);
  GtkPicture *picture;

  /* Shown since: another record, or the same one again. */
  if (job->generation != self->textures || job->index >= self->pictures->len)
    {
      g_clear_pointer (&loaded, loaded_free);
      return;
    }
  picture = self->pictures->pdata[job->index];

  if (loaded == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          gtk_widget_set_tooltip_text (GTK_WIDGET (picture), error->message);
          gtk_widget_add_css_class (GTK_WIDGET (picture), "dim-label");
        }
      return;
    }

  g_ptr_array_index (self->textures, job->index) = g_steal_pointer (&loaded->full);
  gtk_picture_set_paintable (picture, GDK_PAINTABLE (loaded->thumbnail));
  loaded_free (loaded);
}

static void
on_thumbnail_clicked (GtkButton         *button,
                      BbAttachmentStrip *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "bb-index"));

  bb_attachment_strip_open (self, index);
}

static void
on_remove_clicked (GtkButton         *button,
                   BbAttachmentStrip *self)
{
  const char *sha256 = g_object_get_data (G_OBJECT (button), "bb-sha256");

  g_signal_emit (self, signals[SIGNAL_REMOVE_REQUESTED], 0, sha256);
}

static GtkWidget *
make_thumbnail (BbAttachmentStrip  *self,
                const BbAttachment *attachment,
                guint               index,
                BbBlobState         state)
{
  GtkWidget *overlay = gtk_overlay_new ();
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *picture = gtk_picture_new ();
  GtkWidget *label = gtk_label_new (attachment->name);
  g_autofree char *description = NULL;

  gtk_widget_set_size_request (picture, THUMBNAIL_SIZE, THUMBNAIL_SIZE);
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_widget_add_css_class (picture, "bb-thumbnail");
  if (!is_image (attachment))
    {
      g_autoptr(GIcon) icon = g_themed_icon_new ("x-office-document-symbolic");
      g_autoptr(GtkIconPaintable) paintable =
        gtk_icon_theme_lookup_by_gicon (gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (self))),
                                        icon, 64, 1, GTK_TEXT_DIR_NONE, 0);

      gtk_picture_set_paintable (GTK_PICTURE (picture), GDK_PAINTABLE (paintable));
    }
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 14);
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), picture);
  gtk_box_append (GTK_BOX (box), label);
  if (state == BB_BLOB_STATE_WAITING)
    {
      GtkWidget *waiting = gtk_label_new (_("Waiting to upload"));

      gtk_widget_add_css_class (waiting, "caption");
      gtk_widget_add_css_class (waiting, "dim-label");
      gtk_box_append (GTK_BOX (box), waiting);
    }
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "flat");
  /* Translators: %s is a file's name, read out for the thumbnail's button */
  description = g_strdup_printf (_("Open %s"), attachment->name);
  gtk_widget_set_tooltip_text (button, description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
  g_object_set_data (G_OBJECT (button), "bb-index", GUINT_TO_POINTER (index));
  g_signal_connect (button, "clicked", G_CALLBACK (on_thumbnail_clicked), self);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), button);

  if (self->editable)
    {
      GtkWidget *remove = gtk_button_new_from_icon_name ("window-close-symbolic");
      g_autofree char *remove_label = g_strdup_printf (_("Remove %s"), attachment->name);

      gtk_widget_set_halign (remove, GTK_ALIGN_END);
      gtk_widget_set_valign (remove, GTK_ALIGN_START);
      gtk_widget_add_css_class (remove, "circular");
      gtk_widget_add_css_class (remove, "osd");
      gtk_widget_set_tooltip_text (remove, remove_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
      g_object_set_data_full (G_OBJECT (remove), "bb-sha256", g_strdup (attachment->sha256), g_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_clicked), self);
      gtk_overlay_add_overlay (GTK_OVERLAY (overlay), remove);
    }

  g_ptr_array_add (self->pictures, picture);
  return overlay;
}

static void
on_stop_clicked (GtkButton         *button,
                 BbAttachmentStrip *self)
{
  guint id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "bb-pending-id"));

  g_signal_emit (self, signals[SIGNAL_STOP_REQUESTED], 0, id);
}

/* Where the photo will be: a spinner and how far the copy is, at once. */
static GtkWidget *
make_placeholder (BbAttachmentStrip *self,
                  Pending           *pending)
{
  GtkWidget *overlay = gtk_overlay_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *frame = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *bar = gtk_progress_bar_new ();
  GtkWidget *label = gtk_label_new (pending->name);
  GtkWidget *caption = gtk_label_new (_("Attaching…"));
  g_autofree char *description = NULL;

  gtk_widget_set_size_request (frame, THUMBNAIL_SIZE, THUMBNAIL_SIZE);
  gtk_widget_add_css_class (frame, "bb-thumbnail-pending");
  gtk_widget_set_halign (frame, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (spinner, GTK_ALIGN_CENTER);
  gtk_widget_set_vexpand (spinner, TRUE);
  gtk_widget_set_size_request (spinner, 32, 32);
  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), pending->fraction);
  gtk_widget_set_margin_start (bar, 8);
  gtk_widget_set_margin_end (bar, 8);
  gtk_widget_set_margin_bottom (bar, 8);
  gtk_widget_add_css_class (bar, "osd");
  gtk_box_append (GTK_BOX (frame), spinner);
  gtk_box_append (GTK_BOX (frame), bar);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 14);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (caption, "caption");
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_box_append (GTK_BOX (box), frame);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), caption);
  /* Translators: %s is a file's name, being copied into the record */
  description = g_strdup_printf (_("Attaching %s"), pending->name);
  gtk_widget_set_tooltip_text (box, description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), box);

  if (self->editable)
    {
      GtkWidget *stop = gtk_button_new_from_icon_name ("window-close-symbolic");
      /* Translators: %s is a file's name; the button stops attaching it */
      g_autofree char *stop_label = g_strdup_printf (_("Stop attaching %s"), pending->name);

      gtk_widget_set_halign (stop, GTK_ALIGN_END);
      gtk_widget_set_valign (stop, GTK_ALIGN_START);
      gtk_widget_add_css_class (stop, "circular");
      gtk_widget_add_css_class (stop, "osd");
      gtk_widget_set_tooltip_text (stop, stop_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (stop), GTK_ACCESSIBLE_PROPERTY_LABEL, stop_label, -1);
      g_object_set_data (G_OBJECT (stop), "bb-pending-id", GUINT_TO_POINTER (pending->id));
      g_signal_connect (stop, "clicked", G_CALLBACK (on_stop_clicked), self);
      gtk_overlay_add_overlay (GTK_OVERLAY (overlay), stop);
    }

  pending->bar = GTK_PROGRESS_BAR (bar);
  return overlay;
}

static void
update_flow_visible (BbAttachmentStrip *self)
{
  guint n = (self->attachments != NULL ? self->attachments->len : 0) + self->pending->len;

  gtk_widget_set_visible (GTK_WIDGET (self->flow), n > 0);
}

void
bb_attachment_strip_set (BbAttachmentStrip *self,
                         BbSession         *session,
                         GPtrArray         *attachments,
                         gboolean           editable)
{
  BbStore *store;
  GtkWidget *child;
  guint waiting = 0;

  g_return_if_fail (BB_IS_ATTACHMENT_STRIP (self));
  g_return_if_fail (BB_IS_SESSION (session));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->session, session);
  self->editable = editable;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->flow))) != NULL)
    gtk_flow_box_remove (self->flow, child);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  g_clear_pointer (&self->textures, g_ptr_array_unref);
  g_ptr_array_set_size (self->pictures, 0);

  self->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_attachment_free);
  self->textures = g_ptr_array_new_with_free_func (unref_nullable);
  store = bb_session_get_store (session);

  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    {
      BbAttachment *attachment = bb_attachment_copy (attachments->pdata[i]);
      BbBlobState state = bb_store_get_blob_state (store, attachment->sha256);

      g_ptr_array_add (self->attachments, attachment);
      g_ptr_array_add (self->textures, NULL);
      gtk_flow_box_append (self->flow, make_thumbnail (self, attachment, i, state));
      if (state == BB_BLOB_STATE_WAITING)
        waiting++;

      if (is_image (attachment))
        {
          g_autoptr(GTask) task = g_task_new (self, self->cancellable, on_loaded, NULL);
          LoadJob *job = g_new0 (LoadJob, 1);

          job->session = g_object_ref (session);
          job->attachment = bb_attachment_copy (attachment);
          job->index = i;
          job->generation = g_ptr_array_ref (self->textures);
          g_task_set_task_data (task, job, (GDestroyNotify) load_job_free);
          g_task_run_in_thread (task, load_in_thread);
        }
    }

  g_clear_pointer (&self->status, g_free);
  if (waiting > 0)
    self->status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 "%u photo or file waiting to upload: it goes at the next sync.",
                                                 "%u photos or files waiting to upload: they go at the next sync.",
                                                 waiting),
                                    waiting);
  gtk_label_set_text (self->status_label, self->status != NULL ? self->status : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), self->status != NULL);

  /* Files still being attached come last, where they will be. */
  for (guint i = 0; i < self->pending->len; i++)
    gtk_flow_box_append (self->flow, make_placeholder (self, self->pending->pdata[i]));
  update_flow_visible (self);
}

static Pending *
find_pending (BbAttachmentStrip *self,
              guint              id,
              guint             *index)
{
  for (guint i = 0; i < self->pending->len; i++)
    if (((Pending *) self->pending->pdata[i])->id == id)
      {
        if (index != NULL)
          *index = i;
        return self->pending->pdata[i];
      }
  return NULL;
}

void
bb_attachment_strip_add_pending (BbAttachmentStrip *self,
                                 guint              id,
                                 const char        *name)
{
  Pending *pending;

  g_return_if_fail (BB_IS_ATTACHMENT_STRIP (self));
  g_return_if_fail (name != NULL);

  pending = g_new0 (Pending, 1);
  pending->id = id;
  pending->name = g_strdup (name);
  g_ptr_array_add (self->pending, pending);
  gtk_flow_box_append (self->flow, make_placeholder (self, pending));
  update_flow_visible (self);
}

void
bb_attachment_strip_set_pending_fraction (BbAttachmentStrip *self,
                                          guint              id,
                                          double             fraction)
{
  Pending *pending;

  g_return_if_fail (BB_IS_ATTACHMENT_STRIP (self));

  pending = find_pending (self, id, NULL);
  if (pending == NULL)
    return;
  pending->fraction = CLAMP (fraction, 0.0, 1.0);
  if (pending->bar != NULL)
    gtk_progress_bar_set_fraction (pending->bar, pending->fraction);
}

void
bb_attachment_strip_remove_pending (BbAttachmentStrip *self,
                                    guint              id)
{
  Pending *pending;
  GtkWidget *bar;
  guint index;

  g_return_if_fail (BB_IS_ATTACHMENT_STRIP (self));

  pending = find_pending (self, id, &index);
  if (pending == NULL)
    return;

  /* The placeholder's flow box child holds its bar. */
  bar = pending->bar != NULL ? GTK_WIDGET (pending->bar) : NULL;
  if (bar != NULL)
    {
      GtkWidget *child = gtk_widget_get_ancestor (bar, GTK_TYPE_FLOW_BOX_CHILD);

      if (child != NULL)
        gtk_flow_box_remove (self->flow, child);
    }
  g_ptr_array_remove_index (self->pending, index);
  update_flow_visible (self);
}

guint
bb_attachment_strip_count_pending (BbAttachmentStrip *self)
{
  g_return_val_if_fail (BB_IS_ATTACHMENT_STRIP (self), 0);

  return self->pending->len;
}

guint
bb_attachment_strip_count_shown (BbAttachmentStrip *self)
{
  guint n = 0;

  g_return_val_if_fail (BB_IS_ATTACHMENT_STRIP (self), 0);

  for (guint i = 0; self->textures != NULL && i < self->textures->len; i++)
    if (self->textures->pdata[i] != NULL)
      n++;
  return n;
}

const char *
bb_attachment_strip_get_status (BbAttachmentStrip *self)
{
  g_return_val_if_fail (BB_IS_ATTACHMENT_STRIP (self), NULL);

  return self->status;
}

void
bb_attachment_strip_open (BbAttachmentStrip *self,
                          guint              index)
{
  g_autoptr(GPtrArray) textures = NULL;
  g_autoptr(GPtrArray) names = NULL;
  GtkRoot *root;
  BbPhotoViewer *viewer;

  g_return_if_fail (BB_IS_ATTACHMENT_STRIP (self));

  if (self->attachments == NULL || index >= self->attachments->len)
    return;

  textures = g_ptr_array_new_with_free_func (unref_nullable);
  names = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->attachments->len; i++)
    {
      GdkTexture *texture = self->textures->pdata[i];

      g_ptr_array_add (textures, texture != NULL ? g_object_ref (texture) : NULL);
      g_ptr_array_add (names, g_strdup (((BbAttachment *) self->attachments->pdata[i])->name));
    }

  root = gtk_widget_get_root (GTK_WIDGET (self));
  viewer = bb_photo_viewer_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, textures, names, index);
  gtk_window_present (GTK_WINDOW (viewer));
}

static void
bb_attachment_strip_dispose (GObject *object)
{
  BbAttachmentStrip *self = (BbAttachmentStrip *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  g_clear_pointer (&self->textures, g_ptr_array_unref);
  g_clear_pointer (&self->pictures, g_ptr_array_unref);
  if (self->pending != NULL)
    for (guint i = 0; i < self->pending->len; i++)
      ((Pending *) self->pending->pdata[i])->bar = NULL;

  G_OBJECT_CLASS (bb_attachment_strip_parent_class)->dispose (object);
}

static void
bb_attachment_strip_finalize (GObject *object)
{
  BbAttachmentStrip *self = (BbAttachmentStrip *) object;

  g_free (self->status);
  g_ptr_array_unref (self->pending);

  G_OBJECT_CLASS (bb_attachment_strip_parent_class)->finalize (object);
}

static void
bb_attachment_strip_class_init (BbAttachmentStripClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bb_attachment_strip_dispose;
  object_class->finalize = bb_attachment_strip_finalize;

  /**
   * BbAttachmentStrip::remove-requested:
   * @sha256: the file the person asked to take off the record
   */
  signals[SIGNAL_REMOVE_REQUESTED] =
    g_signal_new ("remove-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * BbAttachmentStrip::stop-requested:
   * @id: the file being attached (bb_attachment_strip_add_pending) that the
   *   person asked to stop attaching
   */
  signals[SIGNAL_STOP_REQUESTED] =
    g_signal_new ("stop-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/beatbook/Beatbook/bb-attachment-strip.ui");
  gtk_widget_class_bind_template_child (widget_class, BbAttachmentStrip, status_label);
  gtk_widget_class_bind_template_child (widget_class, BbAttachmentStrip, flow);
}

static void
bb_attachment_strip_init (BbAttachmentStrip *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->pictures = g_ptr_array_new ();
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);
}

GtkWidget *
bb_attachment_strip_new (void)
{
  return g_object_new (BB_TYPE_ATTACHMENT_STRIP, NULL);
}
