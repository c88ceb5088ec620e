/* bb-time.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-time"

#include "config.h"

#include <string.h>

#include "bb-time.h"

#define BB_TIME_DEFAULT_ZONE "Europe/London"

/**
 * bb_time_format_iso:
 * @dt: a date and time in any zone
 *
 * Returns: (transfer full): @dt in UTC to the whole second,
 *   "2026-03-01T21:14:00Z".
 */
char *
bb_time_format_iso (GDateTime *dt)
{
  g_autoptr(GDateTime) utc = NULL;

  g_return_val_if_fail (dt != NULL, NULL);

  utc = g_date_time_to_utc (dt);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

/**
 * bb_time_now_iso:
 *
 * Returns: (transfer full): the current time, "2026-03-01T21:14:00Z".
 */
char *
bb_time_now_iso (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return bb_time_format_iso (now);
}

/* g_date_time_new_from_iso8601() also takes week dates, ordinal dates and
 * a bare "T" time; the wire format wants only YYYY-MM-DDTHH:MM[:SS[.f]]
 * followed by Z or an offset, so the shape is checked first. */
static gboolean
has_wire_shape (const char *str)
{
  static const char shape[] = "dddd-dd-ddTdd:dd";
  size_t len = strlen (str);
  const char *p;

  if (len < sizeof shape - 1)
    return FALSE;
  for (guint i = 0; i < sizeof shape - 1; i++)
    if (shape[i] == 'd' ? !g_ascii_isdigit (str[i]) : str[i] != shape[i])
      return FALSE;

  p = str + sizeof shape - 1;
  if (*p == ':')
    {
      p++;
      if (!g_ascii_isdigit (p[0]) || !g_ascii_isdigit (p[1]))
        return FALSE;
      p += 2;
      if (*p == '.' || *p == ',')
        {
          p++;
          if (!g_ascii_isdigit (*p))
            return FALSE;
          while (g_ascii_isdigit (*p))
            p++;
        }
    }

  /* A time without a zone would be read in whatever zone the machine is
   * in, so it is refused rather than guessed. */
  if (*p == 'Z')
    return p[1] == '\0';
  if (*p == '+' || *p == '-')
    {
      p++;
      if (!g_ascii_isdigit (p[0]) || !g_ascii_isdigit (p[1]))
        return FALSE;
      p += 2;
      if (*p == ':')
        p++;
      if (*p == '\0')
        return TRUE;
      return g_ascii_isdigit (p[0]) && g_ascii_isdigit (p[1]) && p[2] == '\0';
    }
  return FALSE;
}

/**
 * bb_time_parse:
 * @str: (nullable): "2026-03-01T21:14:00Z" or with an offset,
 *   "2026-07-01T22:14:00+01:00"
 *
 * Returns: (transfer full) (nullable): the time in UTC, or %NULL when @str
 *   is not a complete date and time with a zone.
 */
GDateTime *
bb_time_parse (const char *str)
{
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) dt = NULL;

  if (str == NULL || !has_wire_shape (str))
    return NULL;

  utc = g_time_zone_new_utc ();
  dt = g_date_time_new_from_iso8601 (str, utc);
  if (dt == NULL)
    return NULL;
  return g_date_time_to_utc (dt);
}

/**
 * bb_date_parse:
 * @str: (nullable): a calendar date, "1990-04-01"
 *
 * Returns: (transfer full) (nullable): midnight UTC of that day, or %NULL
 *   when @str is not exactly YYYY-MM-DD or not a real date (2026-02-30).
 */
GDateTime *
bb_date_parse (const char *str)
{
  int year, month, day;

  if (str == NULL || strlen (str) != 10 || str[4] != '-' || str[7] != '-')
    return NULL;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (str[i]))
      return NULL;

  year = g_ascii_digit_value (str[0]) * 1000 + g_ascii_digit_value (str[1]) * 100
         + g_ascii_digit_value (str[2]) * 10 + g_ascii_digit_value (str[3]);
  month = g_ascii_digit_value (str[5]) * 10 + g_ascii_digit_value (str[6]);
  day = g_ascii_digit_value (str[8]) * 10 + g_ascii_digit_value (str[9]);

  if (year < 1 || !g_date_valid_dmy (day, month, year))
    return NULL;
  return g_date_time_new_utc (year, month, day, 0, 0, 0);
}

static GTimeZone *
zone_or_utc (const char *tz_id)
{
  static gsize warned = 0;
  GTimeZone *tz = g_time_zone_new_identifier (tz_id);

  if (tz != NULL)
    return tz;

  /* Once is enough: without tzdata every time on screen would repeat it. */
  if (g_once_init_enter (&warned))
    {
      g_warning ("Time zone “%s” is unknown (is tzdata installed?); showing times in UTC",
                 tz_id);
      g_once_init_leave (&warned, 1);
    }
  return g_time_zone_new_utc ();
}

/**
 * bb_time_zone_local:
 * @tz_id: (nullable): an IANA zone such as the profile's "timezone", or
 *   %NULL for Europe/London
 *
 * Returns: (transfer full): the zone; UTC only when the zone database
 *   does not know @tz_id (tzdata missing), with a warning.
 */
GTimeZone *
bb_time_zone_local (const char *tz_id)
{
  static GTimeZone *london = NULL;

  /* Lists and exports format thousands of times; reading the zone file
   * once is enough for the zone almost every call asks for. */
  if (tz_id == NULL || *tz_id == '\0' || g_str_equal (tz_id, BB_TIME_DEFAULT_ZONE))
    {
      if (g_once_init_enter (&london))
        g_once_init_leave (&london, zone_or_utc (BB_TIME_DEFAULT_ZONE));
      return g_time_zone_ref (london);
    }

  return zone_or_utc (tz_id);
}

/**
 * bb_time_format_local:
 * @iso: (nullable): a time as stored, "2026-03-01T21:14:00Z"
 * @format: a g_date_time_format() format, e.g. "%d/%m/%Y %H:%M"
 *
 * Returns: (transfer full): @iso in Europe/London time, or a copy of @iso
 *   when it does not parse (so a bad value is still shown, never lost).
 */
char *
bb_time_format_local (const char *iso,
                      const char *format)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  char *text;

  g_return_val_if_fail (format != NULL, NULL);

  dt = bb_time_parse (iso);
  if (dt == NULL)
    return g_strdup (iso);

  tz = bb_time_zone_local (NULL);
  local = g_date_time_to_timezone (dt, tz);
  text = g_date_time_format (local, format);
  return text != NULL ? text : g_strdup (iso);
}

/**
 * bb_time_add_months_iso:
 * @iso: (nullable): a time as stored
 * @months: calendar months to add (may be negative)
 *
 * Adds calendar months in UTC, keeping the time of day; a day that the
 * target month lacks becomes its last day (29 February 2024 + 12 months is
 * 28 February 2025).
 *
 * Returns: (transfer full) (nullable): the result as ISO UTC, or %NULL when
 *   @iso does not parse or the result is out of range.
 */
char *
bb_time_add_months_iso (const char *iso,
                        int         months)
{
  g_autoptr(GDateTime) dt = bb_time_parse (iso);
  g_autoptr(GDateTime) result = NULL;

  if (dt == NULL)
    return NULL;

  /* g_date_time_add_months() already clamps to the end of a shorter month. */
  result = g_date_time_add_months (dt, months);
  if (result == NULL)
    return NULL;
  return bb_time_format_iso (result);
}
