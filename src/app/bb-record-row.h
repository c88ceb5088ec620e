/* bb-record-row.h: one line of the records list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "beatbook.h"

G_BEGIN_DECLS

#define BB_TYPE_RECORD_ROW (bb_record_row_get_type ())
G_DECLARE_FINAL_TYPE (BbRecordRow, bb_record_row, BB, RECORD_ROW, GtkWidget)

GtkWidget *bb_record_row_new        (void);
/* Shows @record (NULL clears the row); @profile gives ward and enum labels. */
void       bb_record_row_set_record (BbRecordRow *self,
                                     BbRecord    *record,
                                     BbProfile   *profile);
BbRecord  *bb_record_row_get_record (BbRecordRow *self);
/* The words of the list's search (NULL: none): their matches show in bold
 * from the next bb_record_row_set_record(). */
void       bb_record_row_set_search (BbRecordRow *self,
                                     const char  *search);
/* The text of the row, for tests: title, subtitle and the states it shows
 * (only those that need attention), one per line. (transfer full) */
char      *bb_record_row_dup_text   (BbRecordRow *self);

G_END_DECLS
