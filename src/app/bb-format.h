/* bb-format.h: the words and icons the app shows for records and states
 *
 * Pure functions of values, so they are tested without a display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "beatbook.h"

G_BEGIN_DECLS

/* (transfer full): the header's state line, e.g.
 * "2 changes waiting · Not synced yet" or "All changes sent · Last synced 21:14".
 * @last_sync_iso is the store's "sync.last_success" (NULL: never); @now may be
 * NULL for the current time. */
char       *bb_format_state_line        (guint        pending,
                                         const char  *last_sync_iso,
                                         GDateTime   *now);

/* (transfer none): words and icon for a review state ("new", "reviewed",
 * "returned", "closed"); unknown states read as "new". */
const char *bb_review_state_get_label   (const char  *state);
const char *bb_review_state_get_icon    (const char  *state);

/* (transfer full): the review state as a list row says it: a returned
 * record carries the supervisor's latest comment, "Returned: add the crime
 * reference", so the author sees what to do without opening it. */
char       *bb_format_review_line       (BbRecord    *record);
/* (transfer full): the sync state as a list row says it: a refused change
 * carries the server's reason, "Refused: ward: ...". */
char       *bb_format_sync_line         (BbRecord    *record);

/* Hours a saved change may wait to sync before its list row says so. */
#define BB_FORMAT_LONG_UNSYNCED_HOURS 24

/* (transfer full) (nullable): the review line a list row shows, only when
 * the record needs its author: a returned record. Awaiting review, reviewed
 * and closed are the common case; the row stays quiet (NULL). */
char       *bb_format_row_review_line   (BbRecord    *record);
/* (transfer full) (nullable): the sync line a list row shows, only when it
 * needs attention: refused, in conflict, or saved more than
 * BB_FORMAT_LONG_UNSYNCED_HOURS ago and still waiting ("Not synced since
 * 28 Nov, 21:14"). Waiting a little and synced are common: NULL. @now may
 * be NULL for the current time. */
char       *bb_format_row_sync_line     (BbRecord    *record,
                                         GDateTime   *now);
/* (transfer full): @text as Pango markup (escaped) with the beginnings of
 * its words that match a word of @search in bold, as the list's search
 * matches them. @search NULL or blank: @text escaped. */
char       *bb_format_highlight         (const char  *text,
                                         const char  *search);
/* (transfer none): the icon beside bb_sync_state_get_label(). */
const char *bb_sync_state_get_icon      (BbSyncState  state);

/* (transfer full): @iso as shown in lists, "28 Nov 2026, 21:14" in the
 * profile's zone; "Today, 21:14" when it is today there. @now may be NULL. */
char       *bb_format_time_short        (const char  *iso,
                                         GDateTime   *now);

/* (transfer full) (nullable): @iso as the editor and the record view show
 * it, "3 Mar 2026, 21:14" in the profile's zone (London); NULL when @iso is
 * NULL or empty. The one full time format of the app. */
char       *bb_format_time_long         (const char  *iso);
/* (transfer full) (nullable): a calendar date ("2026-03-03") or the date of
 * an ISO time, "3 Mar 2026"; NULL when empty. */
char       *bb_format_date              (const char  *date);

/* (transfer full): the list's second line: ward label, place and time,
 * joined with " · ", skipping what is empty. */
char       *bb_format_record_subtitle   (BbRecord    *record,
                                         BbProfile   *profile,
                                         GDateTime   *now);

/* (transfer full) (nullable): a field's value for a person, from its spec:
 * enum ids as profile labels, times in local time, booleans as Yes/No.
 * NULL when the value is empty (nothing to show). Objects and lists of
 * objects are not handled here (NULL): the caller shows their parts. */
char       *bb_format_field_value       (BbProfile         *profile,
                                         const BbFieldSpec *spec,
                                         JsonNode          *value);

/* A kind's name where it is a title, in header case (the GNOME HIG's rule,
 * docs/architecture.md "Interface text"): a header bar, a menu item, an
 * empty list's title. Falls back to the kind's own label. (transfer none) */
const char *bb_format_kind_title        (const BbKindSpec *kind);
/* "New Patrol Observation", "Edit Patrol Observation": the editor's title.
 * (transfer none) */
const char *bb_format_kind_new_title    (const BbKindSpec *kind);
const char *bb_format_kind_edit_title   (const BbKindSpec *kind);
/* "No Patrol Observations Yet": the list's title when it shows one kind and
 * has none. (transfer none) */
const char *bb_format_kind_none_yet     (const BbKindSpec *kind);
/* "New patrol observation": the same in a sentence (a tooltip). (transfer none) */
const char *bb_format_kind_new_sentence (const BbKindSpec *kind);

G_END_DECLS
