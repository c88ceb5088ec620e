/* bb-secret.h: where a device keeps its sync token
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  BB_SECRET_KEYRING, /* the desktop keyring (Secret Service) */
  BB_SECRET_FILE,    /* a file only the user can read: no keyring was running */
} BbSecretPlace;

/* Stores @token for @user_key. The keyring is used when a session bus is
 * there (and $BEATBOOK_NO_KEYRING is unset); otherwise @file_path, created
 * with mode 0600. @place says where it went. */
gboolean  bb_secret_store  (const char     *user_key,
                            const char     *file_path,
                            const char     *token,
                            BbSecretPlace  *place,
                            GError        **error);
/* (transfer full) (nullable): the token, or NULL when none is kept. */
char     *bb_secret_lookup (const char     *user_key,
                            const char     *file_path);
/* Forgets the token wherever it is. */
void      bb_secret_clear  (const char     *user_key,
                            const char     *file_path);

G_END_DECLS
