/* bb-json-check.c: what JSON text may hold before it is parsed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

#include <string.h>

#include "bb-i18n.h"
#include "bb-json-check.h"

G_DEFINE_QUARK (bb-json-check-error-quark, bb_json_check_error)

/* Whether the digits @digits (@n of them, no sign) exceed BB_JSON_MAX_INTEGER. */
static gboolean
integer_too_large (const char *digits,
                   gsize       n)
{
  static const char max[] = "9007199254740991";

  while (n > 1 && *digits == '0')
    {
      digits++;
      n--;
    }
  if (n != strlen (max))
    return n > strlen (max);
  return memcmp (digits, max, n) > 0;
}

gboolean
bb_json_check_text (const char  *data,
                    gsize        length,
                    guint        max_depth,
                    GError     **error)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\' && i + 1 < length)
            {
              if (data[i + 1] == 'u' && i + 5 < length &&
                  memcmp (data + i + 2, "0000", 4) == 0)
                {
                  g_set_error (error, BB_JSON_CHECK_ERROR, BB_JSON_CHECK_ERROR_NUL,
                               _("A text value holds a NUL character (\\u0000), which no field may contain."));
                  return FALSE;
                }
              i++;
            }
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            {
              g_set_error (error, BB_JSON_CHECK_ERROR, BB_JSON_CHECK_ERROR_TOO_DEEP,
                           _("Objects or arrays nest more than %u levels deep."), max_depth);
              return FALSE;
            }
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
      else if (c == '-' || g_ascii_isdigit (c))
        {
          gsize start = i, digits;
          gboolean whole = TRUE;

          if (c == '-')
            i++;
          digits = i;
          while (i < length && g_ascii_isdigit (data[i]))
            i++;
          /* A fraction or an exponent makes a double, which cannot wrap. */
          if (i < length && (data[i] == '.' || data[i] == 'e' || data[i] == 'E'))
            whole = FALSE;
          while (i < length && (g_ascii_isdigit (data[i]) || strchr (".eE+-", data[i]) != NULL))
            i++;
          if (whole && integer_too_large (data + digits, i - digits))
            {
              g_set_error (error, BB_JSON_CHECK_ERROR, BB_JSON_CHECK_ERROR_OUT_OF_RANGE,
                           _("The number %.*s is out of range: whole numbers must lie between -9007199254740991 and 9007199254740991."),
                           (int) MIN (i - start, 40), data + start);
              return FALSE;
            }
          i--;
        }
    }

  return TRUE;
}
