/* bb-server-auth.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server"

#include "config.h"

#include <argon2.h>
#include <string.h>

#include "bb-i18n.h"
#include "bb-server-auth.h"
#include "bb-server-util.h"

/* OWASP's recommended minimum for Argon2id (19 MiB, 2 passes, 1 lane):
 * about 30 ms here, so a login stays quick while guessing stays dear. The
 * parameters travel inside each encoded hash, so raising them later keeps
 * old hashes verifiable. */
#define ARGON2_T_COST   2
#define ARGON2_M_COST   (19 * 1024)
#define ARGON2_LANES    1
#define ARGON2_SALT_LEN 16
#define ARGON2_HASH_LEN 32

char *
bb_server_password_hash (const char  *password,
                         GError     **error)
{
  guint8 salt[ARGON2_SALT_LEN];
  g_autofree char *encoded = NULL;
  gsize encoded_len;
  int rc;

  g_return_val_if_fail (password != NULL, NULL);

  if (!bb_server_random_bytes (salt, sizeof salt, error))
    return NULL;

  encoded_len = argon2_encodedlen (ARGON2_T_COST, ARGON2_M_COST, ARGON2_LANES,
                                   ARGON2_SALT_LEN, ARGON2_HASH_LEN, Argon2_id);
  encoded = g_malloc0 (encoded_len);
  rc = argon2id_hash_encoded (ARGON2_T_COST, ARGON2_M_COST, ARGON2_LANES,
                              password, strlen (password),
                              salt, sizeof salt, ARGON2_HASH_LEN,
                              encoded, encoded_len);
  if (rc != ARGON2_OK)
    {
      g_set_error (error, BB_SERVER_ERROR, BB_SERVER_ERROR_HASH,
                   _("Could not hash the password: %s"),
                   argon2_error_message (rc));
      return NULL;
    }

  return g_steal_pointer (&encoded);
}

static const char *
dummy_hash (void)
{
  static char *dummy;

  /* Made once per process from a random password, so no password matches it
   * and it costs exactly what a real verification costs. */
  if (g_once_init_enter (&dummy))
    {
      guint8 raw[16] = { 0 };
      g_autofree char *password = NULL;
      char *hash;

      if (!bb_server_random_bytes (raw, sizeof raw, NULL))
        memset (raw, 0x5a, sizeof raw);
      password = bb_server_hex_encode (raw, sizeof raw);
      hash = bb_server_password_hash (password, NULL);
      g_once_init_leave (&dummy, hash != NULL ? hash : g_strdup ("invalid"));
    }

  return dummy;
}

gboolean
bb_server_password_verify (const char *encoded,
                           const char *password)
{
  gboolean known = encoded != NULL;

  if (password == NULL)
    password = "";
  if (!known)
    encoded = dummy_hash ();

  return argon2id_verify (encoded, password, strlen (password)) == ARGON2_OK && known;
}

char *
bb_server_token_new (GError **error)
{
  guint8 raw[BB_SERVER_TOKEN_BYTES];
  char *token;

  if (!bb_server_random_bytes (raw, sizeof raw, error))
    return NULL;
  token = bb_server_hex_encode (raw, sizeof raw);
  memset (raw, 0, sizeof raw);

  return token;
}

char *
bb_server_token_hash (const char *token)
{
  g_return_val_if_fail (token != NULL, NULL);

  return bb_server_sha256_hex (token, -1);
}
