/* bb-secret.c: where a device keeps its sync token
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <string.h>
#include <unistd.h>

#include "bb-i18n.h"
#include "bb-secret.h"

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "org.beatbook.Beatbook.SyncToken", SECRET_SCHEMA_NONE,
    {
      { "user-key", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

/* Without a session bus, libsecret would try to start one (and a keyring
 * that then asks for a password nobody is there to type): only use it when
 * a desktop session is really running. */
static gboolean
keyring_usable (void)
{
  return g_getenv ("BEATBOOK_NO_KEYRING") == NULL &&
         g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL;
}

static gboolean
write_private_file (const char  *path,
                    const char  *contents,
                    GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
  gsize len = strlen (contents);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    goto fail;

  fd = g_open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    goto fail;
  if (write (fd, contents, len) != (gssize)len || fsync (fd) != 0)
    {
      close (fd);
      goto fail;
    }
  close (fd);
  if (g_rename (tmp, path) != 0)
    goto fail;
  return TRUE;

fail:
  {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 _("Cannot write “%s”: %s"), path, g_strerror (saved));
    g_unlink (tmp);
    return FALSE;
  }
}

gboolean
bb_secret_store (const char     *user_key,
                 const char     *file_path,
                 const char     *token,
                 BbSecretPlace  *place,
                 GError        **error)
{
  g_return_val_if_fail (user_key != NULL && file_path != NULL && token != NULL, FALSE);

  if (keyring_usable ())
    {
      g_autoptr(GError) local_error = NULL;

      if (secret_password_store_sync (token_schema (), SECRET_COLLECTION_DEFAULT,
                                      _("Beatbook sync token"), token, NULL, &local_error,
                                      "user-key", user_key, NULL))
        {
          /* Never leave an older copy in a file behind. */
          g_unlink (file_path);
          if (place != NULL)
            *place = BB_SECRET_KEYRING;
          return TRUE;
        }
      g_debug ("No keyring (%s): keeping the token in a private file", local_error->message);
    }

  if (!write_private_file (file_path, token, error))
    return FALSE;
  if (place != NULL)
    *place = BB_SECRET_FILE;
  return TRUE;
}

char *
bb_secret_lookup (const char *user_key,
                  const char *file_path)
{
  char *contents = NULL;

  g_return_val_if_fail (user_key != NULL && file_path != NULL, NULL);

  if (keyring_usable ())
    {
      char *token = secret_password_lookup_sync (token_schema (), NULL, NULL,
                                                 "user-key", user_key, NULL);

      if (token != NULL)
        {
          char *copy = g_strdup (token);

          secret_password_free (token);
          return copy;
        }
    }

  if (g_file_get_contents (file_path, &contents, NULL, NULL))
    return g_strstrip (contents);

  return NULL;
}

void
bb_secret_clear (const char *user_key,
                 const char *file_path)
{
  g_return_if_fail (user_key != NULL && file_path != NULL);

  if (keyring_usable ())
    secret_password_clear_sync (token_schema (), NULL, NULL, "user-key", user_key, NULL);
  g_unlink (file_path);
}
