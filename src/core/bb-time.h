/* bb-time.h: times on the wire (UTC ISO 8601) and on screen (Europe/London)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* (transfer full): "2026-03-01T21:14:00Z" for now (whole seconds). */
char      *bb_time_now_iso        (void);
/* (transfer full): @dt in UTC, "2026-03-01T21:14:00Z". */
char      *bb_time_format_iso     (GDateTime  *dt);
/* (transfer full) (nullable): parses ISO 8601 with "Z" or an offset;
 * NULL when @str is not a complete date and time. */
GDateTime *bb_time_parse          (const char *str);
/* (transfer full) (nullable): @str ("1990-04-01") as midnight UTC, or NULL
 * when it is not a real calendar date. */
GDateTime *bb_date_parse          (const char *str);
/* The zone records are shown in (Europe/London unless @tz_id names another). */
GTimeZone *bb_time_zone_local     (const char *tz_id);
/* (transfer full): @iso shown in the local zone with @format
 * (g_date_time_format), or a copy of @iso when it does not parse. */
char      *bb_time_format_local   (const char *iso,
                                   const char *format);
/* (transfer full) (nullable): @iso plus @months calendar months, as ISO UTC
 * (Section 59 expiry is 12 months after issue). */
char      *bb_time_add_months_iso (const char *iso,
                                   int         months);

G_END_DECLS
