/* bb-attachments-row.h: photos and files in the editor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bb-attachment-strip.h"
#include "bb-editor-form.h"

G_BEGIN_DECLS

#define BB_TYPE_ATTACHMENTS_ROW (bb_attachments_row_get_type ())
G_DECLARE_FINAL_TYPE (BbAttachmentsRow, bb_attachments_row, BB, ATTACHMENTS_ROW, AdwBin)

/* The editor's photos and files for @form: "Add…" (a native file chooser,
 * which works inside Flatpak), "Paste" (a picture on the clipboard, kept as
 * PNG), and files dropped on @drop_area (nullable: the row itself). Each
 * file is kept unaltered before it is listed; the profile's limits are
 * checked first and a refusal is said in the row. When a photo's EXIF holds
 * a time or a place, the row offers to use them; nothing is set unasked. */
GtkWidget         *bb_attachments_row_new      (BbSession        *session,
                                                BbForm           *form,
                                                GtkWidget        *drop_area);
/* Shows the form's attachments again (after a draft or record is loaded). */
void               bb_attachments_row_reload   (BbAttachmentsRow *self);
/* What a drop or the chooser does with one file. */
gboolean           bb_attachments_row_add_file (BbAttachmentsRow *self,
                                                GFile            *file,
                                                GError          **error);
/* (transfer none) */
BbAttachmentStrip *bb_attachments_row_get_strip (BbAttachmentsRow *self);
/* (transfer none) (nullable): the refusal on screen. */
const char        *bb_attachments_row_get_message (BbAttachmentsRow *self);

G_END_DECLS
