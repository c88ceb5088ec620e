/* bb-server-retention.h: records past their kind's retention are erased
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bb-profile.h"
#include "bb-server-blobs.h"
#include "bb-server-store.h"

G_BEGIN_DECLS

/* Erases every record whose kind's retention_days (from @profile) have
 * passed at @as_of: its fields and review comments go, a tombstone stays
 * with a new seq (devices pull it as deleted and drop their copy), and an
 * "erase" audit entry keeps only the id, kind, occurred_at and the rule
 * applied. A kind without retention_days is kept. Each record is erased
 * in its own transaction. The evidence files it listed that no other record
 * lists are removed from @blobs (nullable) after its commit. */
gboolean bb_server_erase_expired (BbServerStore  *store,
                                  BbServerBlobs  *blobs,
                                  BbProfile      *profile,
                                  GDateTime      *as_of,
                                  guint          *n_erased,
                                  GError        **error);

G_END_DECLS
