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
/* Thumbnails whose picture is on screen (for tests). */
guint      bb_attachment_strip_count_shown   (BbAttachmentStrip *self);
/* (transfer none) (nullable): what the strip says about uploads. */
const char *bb_attachment_strip_get_status   (BbAttachmentStrip *self);
/* Opens the viewer at file @index. */
void       bb_attachment_strip_open          (BbAttachmentStrip *self,
                                              guint              index);

G_END_DECLS
