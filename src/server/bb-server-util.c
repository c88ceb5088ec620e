/* bb-server-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "bb-i18n.h"
#include "bb-server-util.h"

G_DEFINE_QUARK (bb-server-error-quark, bb_server_error)

char *
bb_server_time_format (GDateTime *dt)
{
  g_autoptr(GDateTime) utc = NULL;

  g_return_val_if_fail (dt != NULL, NULL);

  utc = g_date_time_to_utc (dt);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

char *
bb_server_time_now (void)
{
  return bb_server_time_from_now (0);
}

char *
bb_server_time_from_now (gint64 seconds)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_seconds (now, (gdouble) seconds);

  return bb_server_time_format (then);
}

char *
bb_server_time_canonical (const char *iso)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GTimeZone) utc = NULL;

  if (iso == NULL || *iso == '\0')
    return NULL;

  utc = g_time_zone_new_utc ();
  dt = g_date_time_new_from_iso8601 (iso, utc);
  if (dt == NULL)
    return NULL;
  return bb_server_time_format (dt);
}

gboolean
bb_server_random_bytes (guint8  *buf,
                        gsize    len,
                        GError **error)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = getrandom (buf + done, len - done, 0);

      if (n < 0)
        {
          int saved = errno;

          if (saved == EINTR)
            continue;
          g_set_error (error, BB_SERVER_ERROR, BB_SERVER_ERROR_RANDOM,
                       _("Could not read random bytes from the kernel: %s"),
                       g_strerror (saved));
          return FALSE;
        }
      done += (gsize) n;
    }

  return TRUE;
}

char *
bb_server_hex_encode (const guint8 *data,
                      gsize         len)
{
  static const char digits[] = "0123456789abcdef";
  char *out = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = digits[data[i] >> 4];
      out[2 * i + 1] = digits[data[i] & 0xf];
    }
  out[len * 2] = '\0';

  return out;
}

char *
bb_server_sha256_hex (const char *str,
                      gssize      len)
{
  g_return_val_if_fail (str != NULL, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, str, len);
}

gboolean
bb_server_secure_equal (const char *a,
                        const char *b)
{
  gsize la, lb;
  guint8 diff;

  if (a == NULL || b == NULL)
    return FALSE;

  la = strlen (a);
  lb = strlen (b);
  diff = la != lb;
  /* Walk the whole of @a whatever the lengths, so the time says nothing
   * about where the first difference lies. */
  for (gsize i = 0; i < la; i++)
    diff |= (guint8) a[i] ^ (guint8) (i < lb ? b[i] : 0);

  return diff == 0;
}
