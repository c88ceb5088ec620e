/* bb-server-migrate.h: moving a partnership from SQLite to PostgreSQL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Copies every user, device, session, login failure, record (with its
 * revisions and seq), review and audit entry from the SQLite database at
 * @from into the PostgreSQL database at @to, which must hold no data yet
 * (BB_SERVER_STORE_ERROR_EXISTS otherwise, with nothing changed). Each
 * table's row count and SHA-256 on both sides is appended to @report, one
 * line each; any difference rolls everything back. The evidence files kept
 * beside the file (@from.blobs) are copied into @blob_dir, each checked
 * by its hash; @blob_dir may be NULL only when there are none. */
gboolean bb_server_migrate_sqlite_to_pg (const char  *from,
                                         const char  *to,
                                         const char  *blob_dir,
                                         GString     *report,
                                         GError     **error);

G_END_DECLS
