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
 * file is copied in off the UI thread, one after another in the order they
 * came, shown meanwhile as a placeholder that can be stopped; it is listed
 * on the form only once it is kept unaltered. A refusal (the profile's
 * limits, the type, a read or write error) is said in the row, naming the
 * file. When a photo's EXIF holds a time or a place, the row offers to use
 * them; nothing is set unasked. */
GtkWidget         *bb_attachments_row_new      (BbSession        *session,
                                                BbForm           *form,
                                                GtkWidget        *drop_area);
/* Shows the form's attachments again (after a draft or record is loaded). */
void               bb_attachments_row_reload   (BbAttachmentsRow *self);
/* What a drop or the chooser does with one file: queued, returns at once. */
void               bb_attachments_row_add_file (BbAttachmentsRow *self,
                                                GFile            *file);
/* Stops every copy (the editor is closing): their files are not listed,
 * and nothing half-copied is left. */
void               bb_attachments_row_cancel   (BbAttachmentsRow *self);
/* Whether copies are running or queued (the "busy" property). */
gboolean           bb_attachments_row_get_busy (BbAttachmentsRow *self);
/* Files queued or being copied that were not stopped. */
guint              bb_attachments_row_get_n_waiting (BbAttachmentsRow *self);
/* How many files were refused since the row was made: a count that moved
 * while a save waited means a file the person asked for is not in. */
guint              bb_attachments_row_get_n_refused (BbAttachmentsRow *self);
/* (transfer none) */
BbAttachmentStrip *bb_attachments_row_get_strip (BbAttachmentsRow *self);
/* (transfer none) (nullable): the refusals on screen, one a line. */
const char        *bb_attachments_row_get_message (BbAttachmentsRow *self);

G_END_DECLS
