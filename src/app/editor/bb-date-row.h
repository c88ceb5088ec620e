/* bb-date-row.h: an entry row for a date, or a date and time, with a calendar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BB_TYPE_DATE_ROW (bb_date_row_get_type ())
G_DECLARE_FINAL_TYPE (BbDateRow, bb_date_row, BB, DATE_ROW, AdwEntryRow)

/* @with_time: the text is "2026-03-01 21:14" in @tz (a local time) rather
 * than a plain date "2026-03-01". @tz may be NULL for a plain date. */
GtkWidget *bb_date_row_new            (gboolean    with_time,
                                       GTimeZone  *tz);
gboolean   bb_date_row_get_with_time  (BbDateRow  *self);

/* Pure helpers, shared with the editor and its tests.
 * (transfer full) (nullable): @iso (UTC) as local text in @tz,
 * "2026-03-01 21:14"; NULL when @iso does not parse. */
char      *bb_date_row_format_local   (const char *iso,
                                       GTimeZone  *tz);
/* (transfer full) (nullable): local text typed by a person, as ISO UTC.
 * Accepts "2026-03-01 21:14", "2026-03-01T21:14", with optional seconds, and
 * the British order "01/03/2026 21:14". NULL when it is not a real time. */
char      *bb_date_row_parse_local    (const char *text,
                                       GTimeZone  *tz);
/* (transfer full) (nullable): a date typed as "2026-03-01" or "01/03/2026",
 * as "2026-03-01"; NULL when it is not a real calendar date. */
char      *bb_date_row_parse_date     (const char *text);

G_END_DECLS
