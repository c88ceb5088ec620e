/* bb-sync-engine.h: when to sync, off the caller's thread, and how it went
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "bb-session.h"
#include "bb-sync.h"

G_BEGIN_DECLS

/* Where syncing stands, as the header shows it. */
typedef enum {
  BB_SYNC_ENGINE_STATE_SIGNED_OUT, /* nobody signed in, or the server ended the session */
  BB_SYNC_ENGINE_STATE_OFFLINE,    /* the system has no network */
  BB_SYNC_ENGINE_STATE_IDLE,       /* nothing running; the last cycle (if any) worked */
  BB_SYNC_ENGINE_STATE_SYNCING,    /* a cycle is running */
  BB_SYNC_ENGINE_STATE_ERROR,      /* the last cycle failed: retried after a backoff */
} BbSyncEngineState;

#define BB_TYPE_SYNC_ENGINE_STATE (bb_sync_engine_state_get_type ())
GType bb_sync_engine_state_get_type (void);

/* Backoff after failures in a row (architecture.md): 2 s doubling to 5 min. */
#define BB_SYNC_BACKOFF_FIRST_MS 2000
#define BB_SYNC_BACKOFF_MAX_MS   (5 * 60 * 1000)
/* A save waits this long for more saves before a cycle starts. */
#define BB_SYNC_DEBOUNCE_MS      2000
/* Sync this often when nothing else asks. */
#define BB_SYNC_INTERVAL_SECONDS (5 * 60)

/* The delay before retry number @attempt (1 for the first retry after a
 * failure), with jitter drawn from @rand so that devices that lost the server
 * together do not come back together: between 80 % and 120 % of
 * BB_SYNC_BACKOFF_FIRST_MS * 2^(attempt-1), never above
 * BB_SYNC_BACKOFF_MAX_MS. @rand may be NULL (the global source). */
guint        bb_sync_backoff_delay_ms        (guint              attempt,
                                              GRand             *rand);

/* (transfer none): the words for @error as the header shows them:
 * "Server unreachable", "Signed out: sign in again", "Certificate not
 * trusted"… */
const char  *bb_sync_error_describe          (const GError      *error);

#define BB_TYPE_SYNC_ENGINE (bb_sync_engine_get_type ())
G_DECLARE_FINAL_TYPE (BbSyncEngine, bb_sync_engine, BB, SYNC_ENGINE, GObject)

/* Syncs @session's signed-in user in the background: after saves
 * (bb_sync_engine_queue), when the network comes back, every
 * BbSyncEngine:interval seconds and when asked (bb_sync_engine_sync_now).
 * Every network operation on @session (sync, sign-in, sign-out) runs in one
 * worker thread, one at a time, so they never overlap; results and signals
 * arrive in the thread-default main context of the caller.
 *
 * Signals: "synced" (BbSyncStats *stats) after a cycle that worked;
 * "store-changed" when the session's store was replaced behind the caller's
 * back (a revoked device was wiped and signed out). */
BbSyncEngine *bb_sync_engine_new             (BbSession         *session);
BbSession   *bb_sync_engine_get_session      (BbSyncEngine      *self);

BbSyncEngineState bb_sync_engine_get_state   (BbSyncEngine      *self);
/* Changes waiting to be sent (the store's outbox). */
guint        bb_sync_engine_get_pending      (BbSyncEngine      *self);
/* Records waiting for the user: refused by the server, or in conflict. */
guint        bb_sync_engine_get_attention    (BbSyncEngine      *self);
/* (nullable): ISO UTC time of the last cycle that worked. */
const char  *bb_sync_engine_get_last_success (BbSyncEngine      *self);
/* (nullable): a plain sentence for the last failure; NULL after a success. */
const char  *bb_sync_engine_get_last_error   (BbSyncEngine      *self);
/* Failures in a row (0 after a success). */
guint        bb_sync_engine_get_attempt      (BbSyncEngine      *self);
/* The delay of the retry now scheduled, 0 when none is. */
guint        bb_sync_engine_get_retry_delay_ms (BbSyncEngine    *self);

guint        bb_sync_engine_get_interval     (BbSyncEngine      *self);
/* Seconds between periodic cycles; 0 turns the timer off. */
void         bb_sync_engine_set_interval     (BbSyncEngine      *self,
                                              guint              seconds);
guint        bb_sync_engine_get_debounce     (BbSyncEngine      *self);
void         bb_sync_engine_set_debounce     (BbSyncEngine      *self,
                                              guint              milliseconds);
/* Seeds the jitter (tests). */
void         bb_sync_engine_set_seed         (BbSyncEngine      *self,
                                              guint32            seed);

/* A save happened: count it and, when changes wait to be sent, sync after
 * the debounce. */
void         bb_sync_engine_queue            (BbSyncEngine      *self);
/* Sync now (the user pressed Sync). While a cycle runs, one more follows it,
 * so saves made meanwhile are not left for the timer. A backoff wait is
 * cut short. Does nothing while signed out. */
void         bb_sync_engine_sync_now         (BbSyncEngine      *self);
/* Re-reads the pending count and sign-in state (the store was changed or
 * replaced by someone else). */
void         bb_sync_engine_refresh          (BbSyncEngine      *self);
/* Cancels what runs and stops every timer (application shutdown). */
void         bb_sync_engine_stop             (BbSyncEngine      *self);

/* Signs in off the caller's thread (bb_session_sign_in), after any cycle
 * that is running. The engine then syncs. */
void         bb_sync_engine_sign_in_async    (BbSyncEngine      *self,
                                              const char        *server_url,
                                              const char        *ca_file,
                                              const char        *username,
                                              const char        *password,
                                              const char        *device_name,
                                              GCancellable      *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer           user_data);
/* @place (out) (optional): where the token is kept. */
gboolean     bb_sync_engine_sign_in_finish   (BbSyncEngine      *self,
                                              GAsyncResult      *result,
                                              BbSecretPlace     *place,
                                              GError           **error);
/* Signs out off the caller's thread (bb_session_sign_out). */
void         bb_sync_engine_sign_out_async   (BbSyncEngine      *self,
                                              GCancellable      *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer           user_data);
gboolean     bb_sync_engine_sign_out_finish  (BbSyncEngine      *self,
                                              GAsyncResult      *result,
                                              GError           **error);

G_END_DECLS
