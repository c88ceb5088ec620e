/* bb-chip-row.h: a row that picks one entry of a short list in one tap or key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BB_TYPE_CHIP_ROW (bb_chip_row_get_type ())
G_DECLARE_FINAL_TYPE (BbChipRow, bb_chip_row, BB, CHIP_ROW, AdwPreferencesRow)

GtkWidget  *bb_chip_row_new             (void);
/* @choices: (element-type BbChoice) (transfer none), copied. */
void        bb_chip_row_set_choices     (BbChipRow   *self,
                                         GPtrArray   *choices);
void        bb_chip_row_set_required    (BbChipRow   *self,
                                         gboolean     required);
/* (nullable): NULL when none is chosen. */
const char *bb_chip_row_get_selected_id (BbChipRow   *self);
/* An id that is not in the list is kept and shown as a chip of its own, so
 * nothing read from a record is dropped. NULL clears. */
void        bb_chip_row_set_selected_id (BbChipRow   *self,
                                         const char  *id);
/* (transfer none) (nullable): the toggle button of @id, for tests. */
GtkWidget  *bb_chip_row_get_button      (BbChipRow   *self,
                                         const char  *id);

G_END_DECLS
