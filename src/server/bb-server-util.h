/* bb-server-util.h: small helpers of beatbook-server (time, randomness, hashing)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BB_SERVER_ERROR (bb_server_error_quark ())

typedef enum {
  BB_SERVER_ERROR_FAILED,
  BB_SERVER_ERROR_RANDOM,    /* the kernel gave no random bytes */
  BB_SERVER_ERROR_HASH,      /* Argon2 refused to hash */
  BB_SERVER_ERROR_INVALID,   /* a bad argument from a person (command line) */
} BbServerError;

GQuark     bb_server_error_quark        (void);

/* (transfer full): @dt in UTC as "2026-03-01T21:14:00Z" (whole seconds). */
char      *bb_server_time_format        (GDateTime   *dt);
/* (transfer full): now, as above. */
char      *bb_server_time_now           (void);
/* (transfer full): now plus @seconds (may be negative), as above. */
char      *bb_server_time_from_now      (gint64       seconds);
/* (transfer full) (nullable): @iso re-written in the canonical form above,
 * so stored times compare as strings; NULL when it does not parse. */
char      *bb_server_time_canonical     (const char  *iso);

/* Fills @buf with @len bytes from the kernel's CSPRNG (getrandom(2)). */
gboolean   bb_server_random_bytes       (guint8      *buf,
                                         gsize        len,
                                         GError     **error);
/* (transfer full): lower-case hex of @data. */
char      *bb_server_hex_encode         (const guint8 *data,
                                         gsize         len);
/* (transfer full): lower-case hex SHA-256 of @str. */
char      *bb_server_sha256_hex         (const char  *str,
                                         gssize       len);
/* Compares two NUL-terminated strings in time that depends only on their
 * lengths, for secrets. */
gboolean   bb_server_secure_equal       (const char  *a,
                                         const char  *b);

G_END_DECLS
