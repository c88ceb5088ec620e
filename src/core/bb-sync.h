/* bb-sync.h: one sync cycle: push the outbox, then pull until done
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bb-client.h"
#include "bb-store.h"

G_BEGIN_DECLS

/* At most this many changes per push request (sync-api.md). */
#define BB_SYNC_MAX_BATCH 500
/* Records per pull page asked for: the API's most, so a large pull takes
 * as few requests and commits as it can. */
#define BB_SYNC_PULL_LIMIT 1000

/* Meta keys the cycle keeps in the store. */
#define BB_SYNC_META_CURSOR       "sync.cursor"
#define BB_SYNC_META_LAST_SUCCESS "sync.last_success"

typedef struct
{
  guint pushed;    /* changes the server now holds (applied or duplicate) */
  guint pulled;    /* records received */
  guint conflicts; /* records waiting for the user to choose mine/theirs */
  guint rejected;  /* changes the server refused in this cycle */
  guint uploaded;  /* evidence files the server now holds */
} BbSyncStats;

/* Evidence files travel in parts of this size, each resumable. */
#define BB_SYNC_BLOB_PART_BYTES (1024 * 1024)

/* Pushes every outbox entry in batches, a few in flight at once on their own
 * connections (halving a batch the server finds too large), uploads the evidence files of the records the server now holds
 * (going on from the server's offset after a dropped connection), then
 * pulls from the stored cursor until the server has no more, asking for
 * each page while the one before is stored.
 * Each answer is applied in the store's transaction for it, so a cycle cut
 * short anywhere loses nothing and a retry duplicates nothing. Errors are
 * BB_CLIENT_ERROR (UNREACHABLE, UNAUTHORIZED, DEVICE_REVOKED, ...) or
 * BB_STORE_ERROR. Synchronous: run it off the UI thread. */
gboolean bb_sync_run (BbStore       *store,
                      BbClient      *client,
                      const char    *device_id,
                      BbSyncStats   *stats,
                      GCancellable  *cancellable,
                      GError       **error);

G_END_DECLS
