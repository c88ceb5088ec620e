/* bb-server-auth.h: password hashing (Argon2id) and session tokens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Passwords shorter than this are refused when a user is created. */
#define BB_SERVER_PASSWORD_MIN_LENGTH 8
/* Longer ones are refused too: Argon2 would hash them, but a megabyte
 * "password" is an attack, not a password. */
#define BB_SERVER_PASSWORD_MAX_LENGTH 1024
/* Bytes of randomness in a session token (256 bits). */
#define BB_SERVER_TOKEN_BYTES 32

/* (transfer full) (nullable): the Argon2id encoded hash of @password with a
 * fresh random salt ("$argon2id$v=19$m=...,t=...,p=...$salt$hash"). */
char     *bb_server_password_hash        (const char  *password,
                                          GError     **error);
/* Whether @password matches @encoded (constant time in the password).
 * With @encoded NULL (an unknown user) it still spends the same hashing
 * time against a dummy hash and returns FALSE, so the answer time does not
 * tell whether a user exists. */
gboolean  bb_server_password_verify      (const char  *encoded,
                                          const char  *password);

/* (transfer full) (nullable): a new token, 64 lower-case hex characters. */
char     *bb_server_token_new            (GError     **error);
/* (transfer full): what the store keeps instead of the token itself. */
char     *bb_server_token_hash           (const char  *token);

G_END_DECLS
