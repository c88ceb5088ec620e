/* bb-editor.h: the record editor, one generic form for every kind
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "beatbook.h"

G_BEGIN_DECLS

#define BB_TYPE_EDITOR (bb_editor_get_type ())
G_DECLARE_FINAL_TYPE (BbEditor, bb_editor, BB, EDITOR, AdwBin)

/* A new record of @kind (@record NULL), or an edit of @record (a copy is
 * edited; @kind may then be NULL). @draft_id/@draft_json restore a draft
 * (both NULL otherwise); a draft that cannot be read is left in the store
 * untouched and the editor says so above the form. */
BbEditor   *bb_editor_new               (BbSession  *session,
                                         const char *kind,
                                         BbRecord   *record,
                                         const char *draft_id,
                                         const char *draft_json);
/* A new record of the same kind prefilled from @previous ("repeat last"):
 * everything except the id, times, counts, free-text notes and descriptions,
 * personal details and registration marks (those belong to one incident). */
BbEditor   *bb_editor_new_from_previous (BbSession  *session,
                                         BbRecord   *previous);
/* A new record of @kind with @fields (in the record's shape) filled in over
 * the usual defaults: the window's quick start ("fly" -> a fly-tipping
 * observation). A Section 59 warning with a mark looks it up at once. */
BbEditor   *bb_editor_new_with_fields   (BbSession  *session,
                                         const char *kind,
                                         JsonObject *fields);

/* Validates; when nothing blocks, saves through bb_session_save_record,
 * deletes the draft, emits "saved" and returns TRUE. Otherwise shows every
 * problem on its field, focuses the first and returns FALSE; nothing typed is
 * lost. While files are still being attached it returns FALSE, says so
 * above the form and saves (emitting "saved") once they are in; if one of
 * them is refused meanwhile, it does not save and says why. Closing the
 * editor before then cancels both. */
gboolean    bb_editor_save              (BbEditor   *self);
/* Leaves without saving: the draft is kept (and offered again) unless
 * @discard. Emits "closed". */
void        bb_editor_close             (BbEditor   *self,
                                         gboolean    discard);

const char *bb_editor_get_kind          (BbEditor   *self);
const char *bb_editor_get_draft_id      (BbEditor   *self);
gboolean    bb_editor_get_modified      (BbEditor   *self);
/* "New patrol observation", "Edit Section 59 warning": for the header. */
const char *bb_editor_get_title         (BbEditor   *self);
/* (nullable) (transfer none): the record being edited, NULL for a new one. */
BbRecord   *bb_editor_get_record        (BbEditor   *self);

/* For tests and the shell: the input widget of a field path ("ward",
 * "vehicle.vrm", "vehicles[0].vrm", "occurred_at", "priority"), and the
 * message shown for it (NULL if none). A choice-list option is reached as
 * "partners/kent_police" (its GtkCheckButton); an item's Remove button as
 * "vehicles[0]/remove" and a list's Add button as "vehicles/add". */
GtkWidget  *bb_editor_get_field_widget  (BbEditor   *self,
                                         const char *path);
const char *bb_editor_get_field_message (BbEditor   *self,
                                         const char *path);
/* (transfer none) (nullable): a value remembered from an earlier record and
 * offered for @path (an old place), not filled in; NULL when none is. */
const char *bb_editor_get_suggestion    (BbEditor   *self,
                                         const char *path);
/* (transfer none) (nullable): problems that belong to no field, one per
 * line, as shown above the form. */
const char *bb_editor_get_summary       (BbEditor   *self);

/* (transfer full): the editor's state as the draft JSON it stores. */
char       *bb_editor_dup_state_json    (BbEditor   *self);
/* Saves the draft now if anything changed (the debounce does it otherwise). */
gboolean    bb_editor_save_draft        (BbEditor   *self,
                                         GError    **error);

/* Pure helper behind bb_editor_new_from_previous: (transfer full) a copy of
 * @fields of @kind without what belongs to one incident only. */
JsonObject *bb_editor_fields_for_repeat (const char *kind,
                                         JsonObject *fields);

G_END_DECLS
