/* bb-editor-logic.c: the editor's choices that need no widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-editor"

#include "config.h"

#include "bb-editor-logic.h"

BbChoicePresentation
bb_choice_presentation_for (const char *list,
                            guint       n_choices)
{
  if (g_strcmp0 (list, "wards") == 0)
    return BB_CHOICE_PICKER;

  return n_choices <= BB_SHORT_LIST_MAX ? BB_CHOICE_CHIPS : BB_CHOICE_PICKER;
}

gboolean
bb_place_is_fresh (const char *saved_at,
                   GDateTime  *now)
{
  g_autoptr(GDateTime) then = NULL;
  GTimeSpan age;

  g_return_val_if_fail (now != NULL, FALSE);

  if (saved_at == NULL || saved_at[0] == '\0')
    return FALSE;

  then = g_date_time_new_from_iso8601 (saved_at, NULL);
  if (then == NULL)
    return FALSE;

  age = g_date_time_difference (now, then);
  /* A clock set back makes a place from "the future": ask rather than trust it. */
  return age >= 0 && age <= (GTimeSpan) BB_PLACE_FRESH_SECONDS * G_TIME_SPAN_SECOND;
}

int
bb_focus_pick (const BbFocusCandidate *candidates,
               guint                   n,
               int                     after)
{
  g_return_val_if_fail (n == 0 || candidates != NULL, -1);

  for (guint i = after < 0 ? 0 : (guint) after + 1; i < n; i++)
    if (candidates[i].required && candidates[i].empty)
      return (int) i;

  if (after >= 0 && (guint) after + 1 < n)
    return after + 1;

  return -1;
}
