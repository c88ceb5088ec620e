/* bb-sync-engine.c: when to sync, off the caller's thread, and how it went
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-sync"

#include "config.h"

#include <string.h>

#include "bb-i18n.h"
#include "bb-sync-engine.h"

typedef enum {
  OP_SYNC,
  OP_SIGN_IN,
  OP_SIGN_OUT,
} OpKind;

/* One network operation on the session, run in the engine's worker. */
typedef struct
{
  OpKind         kind;
  BbSession     *session;
  /* The store the session had when the operation started: kept alive until
   * the caller's thread has heard the result, because a revoked device's
   * wipe swaps the session's store in the worker while the caller may still
   * be using the old one. */
  BbStore       *store_before;
  gboolean       store_changed;
  BbSyncStats    stats;

  char          *server_url;
  char          *ca_file;
  char          *username;
  char          *password;
  char          *device_name;
  BbSecretPlace  place;
} Op;

struct _BbSyncEngine
{
  GObject            parent_instance;

  BbSession         *session;
  GNetworkMonitor   *monitor;
  gulong             network_changed_id;
  gboolean           network_available;
  GThreadPool       *pool;
  GRand             *rand;

  BbSyncEngineState  state;
  guint              pending;
  guint              attention;
  char              *last_success;
  char              *last_error;
  guint              attempt;
  guint              retry_delay_ms;

  guint              interval;
  guint              debounce;

  gboolean           syncing;
  gboolean           again;
  gboolean           stopped;
  GCancellable      *sync_cancellable;

  guint              debounce_id;
  guint              retry_id;
  guint              interval_id;
};

G_DEFINE_FINAL_TYPE (BbSyncEngine, bb_sync_engine, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_STATE,
  PROP_PENDING,
  PROP_ATTENTION,
  PROP_LAST_SUCCESS,
  PROP_LAST_ERROR,
  PROP_ATTEMPT,
  PROP_INTERVAL,
  PROP_DEBOUNCE,
  N_PROPS
};

enum {
  SIGNAL_SYNCED,
  SIGNAL_STORE_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_cycle (BbSyncEngine *self);

GType
bb_sync_engine_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { BB_SYNC_ENGINE_STATE_SIGNED_OUT, "BB_SYNC_ENGINE_STATE_SIGNED_OUT", "signed-out" },
        { BB_SYNC_ENGINE_STATE_OFFLINE, "BB_SYNC_ENGINE_STATE_OFFLINE", "offline" },
        { BB_SYNC_ENGINE_STATE_IDLE, "BB_SYNC_ENGINE_STATE_IDLE", "idle" },
        { BB_SYNC_ENGINE_STATE_SYNCING, "BB_SYNC_ENGINE_STATE_SYNCING", "syncing" },
        { BB_SYNC_ENGINE_STATE_ERROR, "BB_SYNC_ENGINE_STATE_ERROR", "error" },
        { 0, NULL, NULL }
      };
      GType id = g_enum_register_static (g_intern_static_string ("BbSyncEngineState"), values);

      g_once_init_leave (&type_id, id);
    }
  return type_id;
}

/* Pure helpers */

guint
bb_sync_backoff_delay_ms (guint  attempt,
                          GRand *rand)
{
  guint64 base = BB_SYNC_BACKOFF_FIRST_MS;
  double factor;
  guint64 delay;

  if (attempt == 0)
    attempt = 1;
  /* Past the cap doubling only overflows: stop early. */
  for (guint i = 1; i < attempt && base < BB_SYNC_BACKOFF_MAX_MS; i++)
    base *= 2;
  base = MIN (base, (guint64) BB_SYNC_BACKOFF_MAX_MS);

  factor = rand != NULL ? g_rand_double_range (rand, 0.8, 1.2) : g_random_double_range (0.8, 1.2);
  delay = (guint64) (base * factor);
  return (guint) MIN (delay, (guint64) BB_SYNC_BACKOFF_MAX_MS);
}

const char *
bb_sync_error_describe (const GError *error)
{
  if (error == NULL)
    return NULL;

  if (error->domain == BB_CLIENT_ERROR)
    switch ((BbClientError) error->code)
      {
      case BB_CLIENT_ERROR_UNREACHABLE:
        return _("Server unreachable");
      case BB_CLIENT_ERROR_CERTIFICATE:
        return _("Certificate not trusted");
      case BB_CLIENT_ERROR_INSECURE:
        return _("The server address must start with https://");
      case BB_CLIENT_ERROR_UNAUTHORIZED:
      case BB_CLIENT_ERROR_INVALID_CREDENTIALS:
        return _("Signed out: sign in again");
      case BB_CLIENT_ERROR_DEVICE_REVOKED:
        /* The session's sentence names whose records were wiped. */
        return error->message;
      case BB_CLIENT_ERROR_TOO_MANY_ATTEMPTS:
        return _("The server is busy");
      case BB_CLIENT_ERROR_FORBIDDEN:
        return _("The server refused to sync with this account");
      case BB_CLIENT_ERROR_NOT_FOUND:
      case BB_CLIENT_ERROR_BAD_REQUEST:
      case BB_CLIENT_ERROR_TOO_LARGE:
      case BB_CLIENT_ERROR_SERVER:
      default:
        return _("The server had a problem");
      }

  if (error->domain == BB_STORE_ERROR)
    return _("This device could not store what the server sent");

  return _("Sync failed");
}

/* Ops */

static void
op_free (Op *op)
{
  g_clear_object (&op->session);
  g_clear_object (&op->store_before);
  g_free (op->server_url);
  g_free (op->ca_file);
  g_free (op->username);
  if (op->password != NULL)
    {
      /* Not kept longer than the sign-in needs it. */
      memset (op->password, 0, strlen (op->password));
      g_free (op->password);
    }
  g_free (op->device_name);
  g_free (op);
}

static Op *
op_new (BbSyncEngine *self,
        OpKind        kind)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->session = g_object_ref (self->session);
  op->store_before = g_object_ref (bb_session_get_store (self->session));
  return op;
}

/* In the worker: one at a time, in the order they were asked for. */
static void
run_op (gpointer data,
        gpointer user_data)
{
  g_autoptr(GTask) task = data;
  Op *op = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  switch (op->kind)
    {
    case OP_SYNC:
      ok = bb_session_sync (op->session, &op->stats, cancellable, &error);
      break;
    case OP_SIGN_IN:
      ok = bb_session_sign_in (op->session, op->server_url, op->ca_file, op->username,
                               op->password, op->device_name, &op->place, cancellable, &error);
      break;
    case OP_SIGN_OUT:
      ok = bb_session_sign_out (op->session, cancellable, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  op->store_changed = bb_session_get_store (op->session) != op->store_before;

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
submit (BbSyncEngine        *self,
        Op                  *op,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, submit);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  g_thread_pool_push (self->pool, task, NULL);
}

/* State */

static void
set_state (BbSyncEngine      *self,
           BbSyncEngineState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_last_error (BbSyncEngine *self,
                const char   *message)
{
  if (g_strcmp0 (self->last_error, message) == 0)
    return;
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static void
set_attempt (BbSyncEngine *self,
             guint         attempt)
{
  if (self->attempt == attempt)
    return;
  self->attempt = attempt;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTEMPT]);
}

static void
cancel_retry (BbSyncEngine *self)
{
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_delay_ms = 0;
}

/* What the header shows when no cycle runs. */
static BbSyncEngineState
resting_state (BbSyncEngine *self)
{
  if (!bb_session_is_signed_in (self->session))
    return BB_SYNC_ENGINE_STATE_SIGNED_OUT;
  if (self->attempt > 0)
    return self->network_available ? BB_SYNC_ENGINE_STATE_ERROR : BB_SYNC_ENGINE_STATE_OFFLINE;
  return BB_SYNC_ENGINE_STATE_IDLE;
}

static void
read_store (BbSyncEngine *self)
{
  BbStore *store = bb_session_get_store (self->session);
  BbQuery rejected = { .sync_state = "rejected" };
  BbQuery conflict = { .sync_state = "conflict" };
  guint n_rejected = 0, n_conflict = 0;
  guint pending = bb_store_outbox_count (store);
  g_autofree char *last = bb_store_get_meta (store, BB_SYNC_META_LAST_SUCCESS);

  bb_store_count_records (store, &rejected, &n_rejected, NULL);
  bb_store_count_records (store, &conflict, &n_conflict, NULL);

  if (pending != self->pending)
    {
      self->pending = pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
    }
  if (n_rejected + n_conflict != self->attention)
    {
      self->attention = n_rejected + n_conflict;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTENTION]);
    }
  if (g_strcmp0 (last, self->last_success) != 0)
    {
      g_free (self->last_success);
      self->last_success = g_steal_pointer (&last);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SUCCESS]);
    }
}

/* Triggers */

static gboolean
retry_cb (gpointer data)
{
  BbSyncEngine *self = data;

  self->retry_id = 0;
  self->retry_delay_ms = 0;
  start_cycle (self);
  return G_SOURCE_REMOVE;
}

static gboolean
debounce_cb (gpointer data)
{
  BbSyncEngine *self = data;

  self->debounce_id = 0;
  start_cycle (self);
  return G_SOURCE_REMOVE;
}

static gboolean
interval_cb (gpointer data)
{
  BbSyncEngine *self = data;

  /* A backoff already decides when the next try is. */
  if (self->retry_id == 0)
    start_cycle (self);
  return G_SOURCE_CONTINUE;
}

static void
restart_interval (BbSyncEngine *self)
{
  g_clear_handle_id (&self->interval_id, g_source_remove);
  if (self->interval > 0 && !self->stopped)
    self->interval_id = g_timeout_add_seconds (self->interval, interval_cb, self);
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    BbSyncEngine    *self)
{
  gboolean was = self->network_available;

  self->network_available = available;
  if (self->syncing)
    return;

  if (available && !was)
    {
      /* Back online: whatever the backoff said, try now. */
      cancel_retry (self);
      set_attempt (self, 0);
      start_cycle (self);
    }
  else
    set_state (self, resting_state (self));
}

/* The cycle */

static void
cycle_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  BbSyncEngine *self = BB_SYNC_ENGINE (source);
  GTask *task = G_TASK (result);
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean again = self->again;

  self->syncing = FALSE;
  self->again = FALSE;
  g_clear_object (&self->sync_cancellable);

  if (op->store_changed)
    g_signal_emit (self, signals[SIGNAL_STORE_CHANGED], 0);

  if (g_task_propagate_boolean (task, &error))
    {
      set_attempt (self, 0);
      set_last_error (self, NULL);
      read_store (self);
      set_state (self, resting_state (self));
      g_signal_emit (self, signals[SIGNAL_SYNCED], 0, &op->stats);
      if (again)
        start_cycle (self);
      return;
    }

  read_store (self);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->stopped)
    {
      set_state (self, resting_state (self));
      return;
    }

  g_debug ("Sync failed: %s", error->message);
  set_last_error (self, bb_sync_error_describe (error));

  if (g_error_matches (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNAUTHORIZED) ||
      g_error_matches (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_DEVICE_REVOKED))
    {
      /* Retrying cannot help: the user has to sign in again. */
      set_attempt (self, 0);
      cancel_retry (self);
      set_state (self, BB_SYNC_ENGINE_STATE_SIGNED_OUT);
      return;
    }

  set_attempt (self, self->attempt + 1);
  cancel_retry (self);
  self->retry_delay_ms = bb_sync_backoff_delay_ms (self->attempt, self->rand);
  self->retry_id = g_timeout_add (self->retry_delay_ms, retry_cb, self);
  set_state (self, resting_state (self));
}

static void
start_cycle (BbSyncEngine *self)
{
  Op *op;

  if (self->stopped)
    return;

  g_clear_handle_id (&self->debounce_id, g_source_remove);

  if (self->syncing)
    {
      self->again = TRUE;
      return;
    }

  read_store (self);
  if (!bb_session_is_signed_in (self->session))
    {
      cancel_retry (self);
      set_state (self, BB_SYNC_ENGINE_STATE_SIGNED_OUT);
      return;
    }

  cancel_retry (self);
  self->syncing = TRUE;
  self->sync_cancellable = g_cancellable_new ();
  set_state (self, BB_SYNC_ENGINE_STATE_SYNCING);

  op = op_new (self, OP_SYNC);
  submit (self, op, self->sync_cancellable, cycle_done, NULL);
}

/* GObject */

static void
bb_sync_engine_dispose (GObject *object)
{
  BbSyncEngine *self = BB_SYNC_ENGINE (object);

  bb_sync_engine_stop (self);
  if (self->monitor != NULL)
    g_clear_signal_handler (&self->network_changed_id, self->monitor);
  g_clear_object (&self->monitor);
  /* Every operation holds the engine, so none is left by now. */
  if (self->pool != NULL)
    {
      g_thread_pool_free (self->pool, FALSE, TRUE);
      self->pool = NULL;
    }
  g_clear_object (&self->session);

  G_OBJECT_CLASS (bb_sync_engine_parent_class)->dispose (object);
}

static void
bb_sync_engine_finalize (GObject *object)
{
  BbSyncEngine *self = BB_SYNC_ENGINE (object);

  g_free (self->last_success);
  g_free (self->last_error);
  g_rand_free (self->rand);

  G_OBJECT_CLASS (bb_sync_engine_parent_class)->finalize (object);
}

static void
bb_sync_engine_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BbSyncEngine *self = BB_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PENDING:
      g_value_set_uint (value, self->pending);
      break;
    case PROP_ATTENTION:
      g_value_set_uint (value, self->attention);
      break;
    case PROP_LAST_SUCCESS:
      g_value_set_string (value, self->last_success);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_ATTEMPT:
      g_value_set_uint (value, self->attempt);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_DEBOUNCE:
      g_value_set_uint (value, self->debounce);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bb_sync_engine_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BbSyncEngine *self = BB_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_INTERVAL:
      bb_sync_engine_set_interval (self, g_value_get_uint (value));
      break;
    case PROP_DEBOUNCE:
      bb_sync_engine_set_debounce (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bb_sync_engine_constructed (GObject *object)
{
  BbSyncEngine *self = BB_SYNC_ENGINE (object);

  G_OBJECT_CLASS (bb_sync_engine_parent_class)->constructed (object);

  g_assert (BB_IS_SESSION (self->session));

  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_available = g_network_monitor_get_network_available (self->monitor);
  self->network_changed_id = g_signal_connect (self->monitor, "network-changed",
                                               G_CALLBACK (on_network_changed), self);

  read_store (self);
  self->state = resting_state (self);
  restart_interval (self);
}

static void
bb_sync_engine_class_init (BbSyncEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = bb_sync_engine_constructed;
  object_class->dispose = bb_sync_engine_dispose;
  object_class->finalize = bb_sync_engine_finalize;
  object_class->get_property = bb_sync_engine_get_property;
  object_class->set_property = bb_sync_engine_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, BB_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, BB_TYPE_SYNC_ENGINE_STATE,
                       BB_SYNC_ENGINE_STATE_SIGNED_OUT,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PENDING] =
    g_param_spec_uint ("pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BbSyncEngine:attention:
   *
   * Records the user has to act on: refused by the server, or in conflict.
   */
  properties[PROP_ATTENTION] =
    g_param_spec_uint ("attention", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_SUCCESS] =
    g_param_spec_string ("last-success", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ATTEMPT] =
    g_param_spec_uint ("attempt", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 0, G_MAXUINT, BB_SYNC_INTERVAL_SECONDS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);
  properties[PROP_DEBOUNCE] =
    g_param_spec_uint ("debounce", NULL, NULL, 0, G_MAXUINT, BB_SYNC_DEBOUNCE_MS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SYNCED] =
    g_signal_new ("synced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_STORE_CHANGED] =
    g_signal_new ("store-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bb_sync_engine_init (BbSyncEngine *self)
{
  self->rand = g_rand_new ();
  self->state = BB_SYNC_ENGINE_STATE_SIGNED_OUT;
  /* One worker: sync, sign-in and sign-out on one session never overlap. */
  self->pool = g_thread_pool_new (run_op, NULL, 1, FALSE, NULL);
}

/* Public API */

BbSyncEngine *
bb_sync_engine_new (BbSession *session)
{
  g_return_val_if_fail (BB_IS_SESSION (session), NULL);

  return g_object_new (BB_TYPE_SYNC_ENGINE, "session", session, NULL);
}

BbSession *
bb_sync_engine_get_session (BbSyncEngine *self)
{
  g_return_val_if_fail (BB_IS_SYNC_ENGINE (self), NULL);
  return self->session;
}

BbSyncEngineState
bb_sync_engine_get_state (BbSyncEngine *self)
{
  g_return_val_if_fail (BB_IS_SYNC_ENGINE (self), BB_SYNC_ENGINE_STATE_SIGNED_OUT);
  return self->state;
}

guint
bb_sync_engine_get_pending (BbSyncEngine *self)
{
  g_return_val_if_fail (BB_IS_SYNC_ENGINE (self), 0);
  return self->pending;
}

guint
bb_sync_engine_get_attention (BbSyncEngine *self)
{
  g_return_val_if_fail (BB_IS_SYNC_ENGINE (self), 0);
  return self->attention;
}

const char *
bb_sync_engine_get_last_success (BbSyncEngine *self)
{
  g_return_val_if_fail (BB_IS_SYNC_ENGINE (self), NULL);
  return self->last_success;
}

const char *
bb_sync_engine_get_last_error (BbSyncEngine *self)
{
  g_return_val_if_fail (BB_IS_SYNC_ENGINE (self), NULL);
  return self->last_error;
}

guint
bb_sync_engine_get_attempt (BbSyncEngine *self)
{
  g_return_val_if_fail (BB_IS_SYNC_ENGINE (self), 0);
  return self->attempt;
}

guint
bb_sync_engine_get_retry_delay_ms (BbSyncEngine *self)
{
  g_return_val_if_fail (BB_IS_SYNC_ENGINE (self), 0);
  return self->retry_id != 0 ? self->retry_delay_ms : 0;
}

guint
bb_sync_engine_get_interval (BbSyncEngine *self)
{
  g_return_val_if_fail (BB_IS_SYNC_ENGINE (self), 0);
  return self->interval;
}

void
bb_sync_engine_set_interval (BbSyncEngine *self,
                             guint         seconds)
{
  g_return_if_fail (BB_IS_SYNC_ENGINE (self));

  if (self->interval == seconds)
    return;
  self->interval = seconds;
  /* Before construction ends there is no session to sync yet. */
  if (self->session != NULL)
    restart_interval (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

guint
bb_sync_engine_get_debounce (BbSyncEngine *self)
{
  g_return_val_if_fail (BB_IS_SYNC_ENGINE (self), 0);
  return self->debounce;
}

void
bb_sync_engine_set_debounce (BbSyncEngine *self,
                             guint         milliseconds)
{
  g_return_if_fail (BB_IS_SYNC_ENGINE (self));

  if (self->debounce == milliseconds)
    return;
  self->debounce = milliseconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEBOUNCE]);
}

void
bb_sync_engine_set_seed (BbSyncEngine *self,
                         guint32       seed)
{
  g_return_if_fail (BB_IS_SYNC_ENGINE (self));
  g_rand_set_seed (self->rand, seed);
}

void
bb_sync_engine_queue (BbSyncEngine *self)
{
  g_return_if_fail (BB_IS_SYNC_ENGINE (self));

  read_store (self);
  /* Nothing to send: the timer and the user cover receiving. */
  if (self->stopped || !bb_session_is_signed_in (self->session) || self->pending == 0)
    return;
  /* While backing off, the retry sends it: a save must not hammer a server
   * that is down. */
  if (self->retry_id != 0)
    return;
  if (self->syncing)
    {
      self->again = TRUE;
      return;
    }

  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add (self->debounce, debounce_cb, self);
}

void
bb_sync_engine_sync_now (BbSyncEngine *self)
{
  g_return_if_fail (BB_IS_SYNC_ENGINE (self));
  start_cycle (self);
}

void
bb_sync_engine_refresh (BbSyncEngine *self)
{
  g_return_if_fail (BB_IS_SYNC_ENGINE (self));

  read_store (self);
  if (!self->syncing)
    {
      if (!bb_session_is_signed_in (self->session))
        cancel_retry (self);
      set_state (self, resting_state (self));
    }
}

void
bb_sync_engine_stop (BbSyncEngine *self)
{
  g_return_if_fail (BB_IS_SYNC_ENGINE (self));

  self->stopped = TRUE;
  if (self->sync_cancellable != NULL)
    g_cancellable_cancel (self->sync_cancellable);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_clear_handle_id (&self->interval_id, g_source_remove);
  cancel_retry (self);
}

static void
session_op_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  BbSyncEngine *self = BB_SYNC_ENGINE (source);
  g_autoptr(GTask) outer = user_data;
  Op *op = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  /* A new user: the last one's failures and timers are not theirs. */
  if (ok)
    {
      set_attempt (self, 0);
      set_last_error (self, NULL);
      cancel_retry (self);
    }
  if (op->store_changed)
    g_signal_emit (self, signals[SIGNAL_STORE_CHANGED], 0);
  read_store (self);
  if (!self->syncing)
    set_state (self, resting_state (self));

  if (!ok)
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }

  if (op->kind == OP_SIGN_IN)
    {
      g_task_set_task_data (outer, GINT_TO_POINTER (op->place), NULL);
      start_cycle (self);
    }
  g_task_return_boolean (outer, TRUE);
}

void
bb_sync_engine_sign_in_async (BbSyncEngine        *self,
                              const char          *server_url,
                              const char          *ca_file,
                              const char          *username,
                              const char          *password,
                              const char          *device_name,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *outer;
  Op *op;

  g_return_if_fail (BB_IS_SYNC_ENGINE (self));
  g_return_if_fail (server_url != NULL && username != NULL && password != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, bb_sync_engine_sign_in_async);

  op = op_new (self, OP_SIGN_IN);
  op->server_url = g_strdup (server_url);
  op->ca_file = ca_file != NULL && *ca_file != '\0' ? g_strdup (ca_file) : NULL;
  op->username = g_strdup (username);
  op->password = g_strdup (password);
  op->device_name = g_strdup (device_name);
  submit (self, op, cancellable, session_op_done, outer);
}

gboolean
bb_sync_engine_sign_in_finish (BbSyncEngine  *self,
                               GAsyncResult  *result,
                               BbSecretPlace *place,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bb_sync_engine_sign_in_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (place != NULL)
    *place = GPOINTER_TO_INT (g_task_get_task_data (G_TASK (result)));
  return TRUE;
}

void
bb_sync_engine_sign_out_async (BbSyncEngine        *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *outer;

  g_return_if_fail (BB_IS_SYNC_ENGINE (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, bb_sync_engine_sign_out_async);

  /* A cycle still running would only be cut off by the sign-out. */
  if (self->sync_cancellable != NULL)
    g_cancellable_cancel (self->sync_cancellable);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  cancel_retry (self);

  submit (self, op_new (self, OP_SIGN_OUT), cancellable, session_op_done, outer);
}

gboolean
bb_sync_engine_sign_out_finish (BbSyncEngine  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bb_sync_engine_sign_out_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
