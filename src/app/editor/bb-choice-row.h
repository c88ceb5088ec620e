/* bb-choice-row.h: a row that picks one entry of a long list, with search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BB_TYPE_CHOICE_ROW (bb_choice_row_get_type ())
G_DECLARE_FINAL_TYPE (BbChoiceRow, bb_choice_row, BB, CHOICE_ROW, AdwActionRow)

GtkWidget  *bb_choice_row_new             (void);
/* @choices: (element-type BbChoice) (transfer none), copied. @none_label:
 * the entry that clears the choice ("Not set"), or NULL when there is none. */
void        bb_choice_row_set_choices     (BbChoiceRow *self,
                                           GPtrArray   *choices,
                                           const char  *none_label);
/* (nullable) */
const char *bb_choice_row_get_selected_id (BbChoiceRow *self);
/* An id that is not in the list is kept and shown as it is, so nothing read
 * from a record is dropped. NULL clears. */
void        bb_choice_row_set_selected_id (BbChoiceRow *self,
                                           const char  *id);
/* The list the popover currently shows, for tests. (transfer none) */
GtkListBox *bb_choice_row_get_list        (BbChoiceRow *self);
GtkEditable *bb_choice_row_get_search_entry (BbChoiceRow *self);
/* Opens the list with the focus in its search. */
void        bb_choice_row_open            (BbChoiceRow *self);

/* TRUE when every word of @query starts some word of @label, ignoring case
 * and accents ("sutton" finds "Wilmington, Sutton-at-Hone & Hawley"). */
gboolean    bb_choice_label_matches       (const char  *label,
                                           const char  *query);

G_END_DECLS
