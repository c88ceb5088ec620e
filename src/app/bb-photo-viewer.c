/* bb-photo-viewer.c: a record's photos full size, one at a time
 *
 * Opened from a thumbnail (editor, record view, review). Keyboard: Left and
 * Right step through the files, Escape closes; touch: a horizontal swipe
 * steps, the header's buttons do the same for a pointer. The picture is
 * shown as it is, scaled down to fit, never altered.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

#include "bb-i18n.h"
#include "bb-photo-viewer.h"

/* A swipe faster than this (pixels per second) steps. */
#define SWIPE_VELOCITY 300.0

struct _BbPhotoViewer
{
  AdwWindow        parent_instance;

  AdwWindowTitle  *window_title;
  GtkStack        *stack;
  GtkPicture      *picture;
  AdwStatusPage   *document_page;

  GPtrArray       *textures; /* (element-type GdkTexture) (nullable entries) */
  GPtrArray       *names;
  guint            index;
};

G_DEFINE_FINAL_TYPE (BbPhotoViewer, bb_photo_viewer, ADW_TYPE_WINDOW)

static void
show_current (BbPhotoViewer *self)
{
  g_autofree char *position = NULL;
  GdkTexture *texture;
  const char *name;

  if (self->textures == NULL || self->textures->len == 0)
    return;

  texture = self->textures->pdata[self->index];
  name = self->names->pdata[self->index];
  /* Translators: "2 of 5", the file shown among the record's files */
  position = g_strdup_printf (_("%u of %u"), self->index + 1, self->textures->len);
  adw_window_title_set_title (self->window_title, name);
  adw_window_title_set_subtitle (self->window_title, position);
  gtk_window_set_title (GTK_WINDOW (self), name);

  if (texture != NULL)
    {
      gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->picture),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      gtk_stack_set_visible_child_name (self->stack, "picture");
    }
  else
    {
      adw_status_page_set_title (self->document_page, name);
      gtk_stack_set_visible_child_name (self->stack, "document");
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "viewer.previous", self->index > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "viewer.next", self->index + 1 < self->textures->len);
}

void
bb_photo_viewer_step (BbPhotoViewer *self,
                      int            delta)
{
  gint64 next;

  g_return_if_fail (BB_IS_PHOTO_VIEWER (self));

  next = (gint64) self->index + delta;
  if (self->textures == NULL || next < 0 || next >= (gint64) self->textures->len)
    return;
  self->index = (guint) next;
  show_current (self);
}

guint
bb_photo_viewer_get_index (BbPhotoViewer *self)
{
  g_return_val_if_fail (BB_IS_PHOTO_VIEWER (self), 0);

  return self->index;
}

static void
previous_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  bb_photo_viewer_step (BB_PHOTO_VIEWER (widget), -1);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  bb_photo_viewer_step (BB_PHOTO_VIEWER (widget), 1);
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  gtk_window_close (GTK_WINDOW (widget));
}

static void
on_swipe (GtkGestureSwipe *gesture,
          double           velocity_x,
          double           velocity_y,
          BbPhotoViewer   *self)
{
  if (ABS (velocity_x) < SWIPE_VELOCITY || ABS (velocity_x) < ABS (velocity_y))
    return;
  /* The finger drags the picture: leftwards brings the next one. */
  bb_photo_viewer_step (self, velocity_x < 0 ? 1 : -1);
}

static void
bb_photo_viewer_dispose (GObject *object)
{
  BbPhotoViewer *self = (BbPhotoViewer *) object;

  g_clear_pointer (&self->textures, g_ptr_array_unref);
  g_clear_pointer (&self->names, g_ptr_array_unref);

  G_OBJECT_CLASS (bb_photo_viewer_parent_class)->dispose (object);
}

static void
bb_photo_viewer_class_init (BbPhotoViewerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bb_photo_viewer_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/beatbook/Beatbook/bb-photo-viewer.ui");
  gtk_widget_class_bind_template_child (widget_class, BbPhotoViewer, window_title);
  gtk_widget_class_bind_template_child (widget_class, BbPhotoViewer, stack);
  gtk_widget_class_bind_template_child (widget_class, BbPhotoViewer, picture);
  gtk_widget_class_bind_template_child (widget_class, BbPhotoViewer, document_page);

  gtk_widget_class_install_action (widget_class, "viewer.previous", NULL, previous_action);
  gtk_widget_class_install_action (widget_class, "viewer.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "viewer.close", NULL, close_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "viewer.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "viewer.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "viewer.close", NULL);
}

static void
bb_photo_viewer_init (BbPhotoViewer *self)
{
  GtkGesture *swipe;

  gtk_widget_init_template (GTK_WIDGET (self));

  swipe = gtk_gesture_swipe_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (swipe), TRUE);
  g_signal_connect (swipe, "swipe", G_CALLBACK (on_swipe), self);
  gtk_widget_add_controller (GTK_WIDGET (self->stack), GTK_EVENT_CONTROLLER (swipe));
}

BbPhotoViewer *
bb_photo_viewer_new (GtkWindow *parent,
                     GPtrArray *textures,
                     GPtrArray *names,
                     guint      index)
{
  BbPhotoViewer *self;

  g_return_val_if_fail (textures != NULL && names != NULL, NULL);
  g_return_val_if_fail (textures->len == names->len, NULL);

  self = g_object_new (BB_TYPE_PHOTO_VIEWER, NULL);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  self->textures = g_ptr_array_ref (textures);
  self->names = g_ptr_array_ref (names);
  self->index = MIN (index, textures->len > 0 ? textures->len - 1 : 0);
  show_current (self);

  return self;
}
