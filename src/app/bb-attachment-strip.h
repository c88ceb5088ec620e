/* bb-attachment-strip.h: a record's photos and files as thumbnails
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "beatbook.h"

G_BEGIN_DECLS

#define BB_TYPE_ATTACHMENT_STRIP (bb_attachment_strip_get_type ())
G_DECLARE_FINAL_TYPE (BbAttachmentStrip, bb_attachment_strip, BB, ATTACHMENT_STRIP, AdwBin)

GtkWidget *bb_attachment_strip_new           (void);
/* Shows @attachments (element-type BbAttachment) of a record of @session:
 * a thumbnail each (the bytes read on this device, or fetched once from the
 * server in the background), and how many wait to upload. With @editable,
 * each has a remove button, which emits "remove-requested" with its hash. */
void       bb_attachment_strip_set           (BbAttachmentStrip *self,
                                              BbSession         *session,
                                              GPtrArray         *attachments,
                                              gboolean           editable);
/* A placeholder after the thumbnails for a file being attached, @id chosen
 * by the caller; its stop button (when editable) emits "stop-requested"
 * with @id. It stays through bb_attachment_strip_set until removed. */
void       bb_attachment_strip_add_pending   (BbAttachmentStrip *self,
                                              guint              id,
                                              const char        *name);
void       bb_attachment_strip_set_pending_fraction (BbAttachmentStrip *self,
                                              guint              id,
                                              double             fraction);
void       bb_attachment_strip_remove_pending (BbAttachmentStrip *self,
                                              guint              id);
/* Placeholders on screen (for tests). */
guint      bb_attachment_strip_count_pending (BbAttachmentStrip *self);
/* Thumbnails whose picture is on screen (for tests). */
guint      bb_attachment_strip_count_shown   (BbAttachmentStrip *self);
/* (transfer none) (nullable): what the strip says about uploads. */
const char *bb_attachment_strip_get_status   (BbAttachmentStrip *self);
/* Opens the viewer at file @index. */
void       bb_attachment_strip_open          (BbAttachmentStrip *self,
                                              guint              index);

G_END_DECLS
