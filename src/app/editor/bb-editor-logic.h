/* bb-editor-logic.h: the editor's choices that need no widgets
 *
 * Pure functions, so the rules behind the form (which control a list gets,
 * where the focus goes, when a remembered place is offered rather than
 * filled in) are tested without a display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Lists up to this long are a row of toggle buttons: one tap or one key.
 * Eight, so that Flycapture's land types (whose first letters all differ)
 * are one key; a longer list is searched in a picker. */
#define BB_SHORT_LIST_MAX 8

/* A remembered place older than this is offered, not filled in. */
#define BB_PLACE_FRESH_SECONDS (60 * 60)

typedef enum {
  BB_CHOICE_CHIPS,   /* a wrapping row of toggle buttons */
  BB_CHOICE_PICKER,  /* a button opening a searchable list */
} BbChoicePresentation;

typedef struct
{
  gboolean required;
  gboolean empty;
} BbFocusCandidate;

/* @list: the profile list's name ("wards" is always a picker: people search
 * it by any word of a ward's name). */
BbChoicePresentation bb_choice_presentation_for (const char *list,
                                                 guint       n_choices);

/* TRUE when a place saved at @saved_at (ISO 8601 UTC) is recent enough, at
 * @now, to fill in without asking; FALSE for an unreadable or future time. */
gboolean             bb_place_is_fresh          (const char *saved_at,
                                                 GDateTime  *now);

/* Where the focus goes among @n fields in form order, after field @after
 * (-1: on opening). The first required field still empty after @after;
 * else, when moving on, the field right after @after; else -1 (on opening:
 * the caller's own default). */
int                  bb_focus_pick              (const BbFocusCandidate *candidates,
                                                 guint                   n,
                                                 int                     after);

G_END_DECLS
