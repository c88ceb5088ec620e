/* bb-photo-viewer.h: a record's photos full size, one at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BB_TYPE_PHOTO_VIEWER (bb_photo_viewer_get_type ())
G_DECLARE_FINAL_TYPE (BbPhotoViewer, bb_photo_viewer, BB, PHOTO_VIEWER, AdwWindow)

/* @textures: (element-type GdkTexture): one per file, a NULL entry for a
 * document; @names: (element-type utf8) the files' names. Opens at @index,
 * modal over @parent (nullable). Left/Right go to the previous and next,
 * Escape closes; on a touch screen, a swipe does the same as the arrows. */
BbPhotoViewer *bb_photo_viewer_new       (GtkWindow     *parent,
                                          GPtrArray     *textures,
                                          GPtrArray     *names,
                                          guint          index);
guint          bb_photo_viewer_get_index (BbPhotoViewer *self);
void           bb_photo_viewer_step      (BbPhotoViewer *self,
                                          int            delta);

G_END_DECLS
