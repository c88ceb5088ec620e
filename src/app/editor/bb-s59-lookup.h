/* bb-s59-lookup.h: earlier Section 59 warnings, looked up while typing
 *
 * Private to src/app/editor: a Section 59 editor owns one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "beatbook.h"
#include "bb-editor-form.h"

G_BEGIN_DECLS

/* After this long without typing in the mark, name or date of birth. */
#define BB_S59_LOOKUP_DELAY_MS 600

#define BB_TYPE_S59_LOOKUP (bb_s59_lookup_get_type ())
G_DECLARE_FINAL_TYPE (BbS59Lookup, bb_s59_lookup, BB, S59_LOOKUP, GObject)

/* Shows its answer in a banner right under @form's registration mark and words the seizure
 * section by the profile's policy. @exclude_id (nullable): the warning being
 * edited, which is not its own earlier warning. */
BbS59Lookup *bb_s59_lookup_new       (BbSession    *session,
                                      BbForm       *form,
                                      const char   *exclude_id);
/* The person changed @node: look again after the delay when it is the
 * mark, the driver's name or date of birth. */
void         bb_s59_lookup_changed   (BbS59Lookup  *self,
                                      BbFieldNode  *node);
/* Look now, and fill the record's prior_check with the answer. */
void         bb_s59_lookup_run       (BbS59Lookup  *self);
/* Look now and show the answer, leaving prior_check as it is (a record or
 * draft just loaded keeps the check made when it was written). */
void         bb_s59_lookup_show      (BbS59Lookup  *self);
/* (nullable) (transfer none): the look-up of a Section 59 editor (tests). */
BbS59Lookup *bb_s59_lookup_from_editor (GtkWidget  *editor);
/* The form is going away: nothing touches it from now on. */
void         bb_s59_lookup_stop      (BbS59Lookup  *self);
/* (nullable): what the answer says; NULL before anything was looked up. */
const char  *bb_s59_lookup_get_text  (BbS59Lookup  *self);
/* TRUE while the server has not answered yet. */
gboolean     bb_s59_lookup_get_busy  (BbS59Lookup  *self);

/* (transfer none): the banner row under the mark (tests). */
GtkWidget   *bb_s59_lookup_get_banner  (BbS59Lookup  *self);
/* (nullable): the banner's first line, NULL while it is folded away. */
const char  *bb_s59_lookup_get_heading (BbS59Lookup  *self);

G_END_DECLS
