/* bb-server-store-pg.c: the PostgreSQL engine of the server's store
 *
 * For partnerships that outgrow one machine: several beatbook-server
 * processes share one database. What a device sees must not change, so
 * this engine keeps the SQLite engine's guarantees:
 *
 * - One writer at a time. begin() takes a transaction-scoped advisory lock
 *   (the cluster-wide twin of SQLite's BEGIN IMMEDIATE), so a push reads a
 *   record's rev and writes the next one with no other server in between,
 *   and a seq (records or audit) is only ever taken by the one transaction
 *   holding the lock, which keeps it until its commit is visible. Seq order
 *   is therefore commit order: a reader following `next` can never pass a
 *   seq whose change becomes visible later (docs/architecture.md explains
 *   the choice). Readers take no lock and never wait.
 * - Each change in its own savepoint, as with SQLite.
 * - The audit table refuses UPDATE, DELETE and TRUNCATE by trigger; the
 *   operator's roles (docs/operations.md) withhold the rights as well.
 *
 * Connections come from a small pool (a transaction keeps its connection
 * until it ends; a connection that broke is dropped and replaced), and every
 * statement is prepared once per connection and kept.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server"

#include "config.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "bb-i18n.h"
#include "bb-server-store.h"

/* "BBSV" (0x42425356): the key of the advisory lock every writer holds to its commit. */
#define WRITE_LOCK_KEY     1112691542
/* "BBSM": another key, held while the schema is being migrated. */
#define MIGRATION_LOCK_KEY 1112691533
/* Connections a store keeps open at most: one for each thread that may
 * use it at once (the server's request workers) and one for the main
 * thread. */
#define POOL_MAX           (BB_SERVER_STORE_MAX_THREADS + 1)
#define MAX_PARAMS         20

typedef struct
{
  PGconn     *conn;
  GHashTable *prepared;   /* SQL text (static) -> statement name */
  guint       n_prepared;
  gboolean    in_savepoint;
} PgConn;

typedef struct
{
  BbServerStore  parent;
  char          *uri;
  char          *display;  /* "database D on HOST:PORT", no password */
  GMutex         lock;
  GCond          cond;
  GPtrArray     *idle;     /* PgConn */
  guint          n_open;
  GHashTable    *tx;       /* GThread -> PgConn of its running transaction */
} BbServerStorePg;

static const char *migrations[] = {
  /* 1: the first schema, as the SQLite engine's. Times are canonical UTC
   * text compared byte by byte (COLLATE "C"), as SQLite compares them. */
  "CREATE TABLE users ("
  "  id text PRIMARY KEY,"
  "  username text NOT NULL UNIQUE,"
  "  display_name text NOT NULL,"
  "  role text NOT NULL,"
  "  staff_number text,"
  "  password_hash text NOT NULL,"
  "  disabled boolean NOT NULL DEFAULT false,"
  "  created_at text COLLATE \"C\" NOT NULL);"
  "CREATE TABLE devices ("
  "  id text PRIMARY KEY,"
  "  name text NOT NULL,"
  "  user_id text REFERENCES users (id),"
  "  created_at text COLLATE \"C\" NOT NULL,"
  "  revoked_at text COLLATE \"C\");"
  "CREATE TABLE sessions ("
  "  token_hash text PRIMARY KEY,"
  "  user_id text NOT NULL REFERENCES users (id),"
  "  device_id text NOT NULL REFERENCES devices (id),"
  "  created_at text COLLATE \"C\" NOT NULL,"
  "  expires_at text COLLATE \"C\" NOT NULL,"
  "  revoked boolean NOT NULL DEFAULT false);"
  "CREATE INDEX sessions_by_user ON sessions (user_id);"
  "CREATE TABLE login_failures ("
  "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
  "  username text NOT NULL,"
  "  at text COLLATE \"C\" NOT NULL);"
  "CREATE INDEX login_failures_by_user ON login_failures (username, at);"
  /* Taken only under the write lock (see the top of this file). A counter
   * row rather than a sequence, so a change rolled back to its savepoint
   * gives its seq back, as with SQLite: no gaps. */
  "CREATE TABLE counters ("
  "  name text PRIMARY KEY,"
  "  value bigint NOT NULL);"
  "INSERT INTO counters (name, value) VALUES ('record_seq', 0);"
  "CREATE TABLE records ("
  "  id text PRIMARY KEY,"
  "  kind text NOT NULL,"
  "  rev bigint NOT NULL,"
  "  seq bigint NOT NULL UNIQUE,"
  "  deleted boolean NOT NULL DEFAULT false,"
  "  occurred_at text COLLATE \"C\" NOT NULL,"
  "  created_at text COLLATE \"C\" NOT NULL,"
  "  updated_at text COLLATE \"C\" NOT NULL,"
  "  priority integer NOT NULL,"
  "  author_id text NOT NULL REFERENCES users (id),"
  "  fields text NOT NULL,"
  "  review_state text NOT NULL DEFAULT 'new',"
  "  review text NOT NULL DEFAULT '[]',"
  "  lookup_vrm text,"
  "  lookup_surname text,"
  "  lookup_dob text COLLATE \"C\");"
  "CREATE INDEX records_by_author ON records (author_id, seq);"
  "CREATE INDEX records_by_kind ON records (kind, occurred_at);"
  "CREATE INDEX records_by_vrm ON records (lookup_vrm) WHERE lookup_vrm IS NOT NULL;"
  "CREATE INDEX records_by_person ON records (lookup_surname, lookup_dob)"
  "  WHERE lookup_surname IS NOT NULL;"
  "CREATE TABLE record_revisions ("
  "  record_id text NOT NULL,"
  "  rev bigint NOT NULL,"
  "  change_hash text NOT NULL,"
  "  seq bigint NOT NULL,"
  "  PRIMARY KEY (record_id, rev));"
  "CREATE TABLE audit ("
  "  seq bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
  "  at text COLLATE \"C\" NOT NULL,"
  "  user_id text,"
  "  device_id text,"
  "  action text NOT NULL,"
  "  record_id text,"
  "  detail text);"
  /* DPA 2018 s62: the log is append-only, whatever code or person runs SQL. */
  "CREATE FUNCTION audit_append_only () RETURNS trigger LANGUAGE plpgsql AS"
  "  $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;"
  "CREATE TRIGGER audit_no_update_or_delete BEFORE UPDATE OR DELETE ON audit"
  "  FOR EACH ROW EXECUTE FUNCTION audit_append_only ();"
  "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit"
  "  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only ();",
  /* 2: which device's push wrote a record's current revision, so its own
   * pull can leave it out (as the SQLite engine's step 2). */
  "ALTER TABLE records ADD COLUMN written_by text;",
};

int
bb_server_store_pg_schema_version (void)
{
  return (int) G_N_ELEMENTS (migrations);
}

gboolean
bb_server_store_is_pg_uri (const char *db)
{
  return db != NULL &&
         (g_str_has_prefix (db, "postgresql://") || g_str_has_prefix (db, "postgres://"));
}

static BbServerStorePg *
pg_store (BbServerStore *store)
{
  return (BbServerStorePg *) store;
}

/* Parameters of one statement, as text (PostgreSQL's text format). */
typedef struct
{
  const char *values[MAX_PARAMS];
  char       *owned[MAX_PARAMS];
  int         n;
} Params;

static void
params_clear (Params *p)
{
  for (int i = 0; i < p->n; i++)
    g_free (p->owned[i]);
  p->n = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Params, params_clear)

static void
p_text (Params     *p,
        const char *value)
{
  g_assert (p->n < MAX_PARAMS);
  p->owned[p->n] = NULL;
  p->values[p->n++] = value;
}

static void
p_int (Params *p,
       gint64  value)
{
  g_assert (p->n < MAX_PARAMS);
  p->owned[p->n] = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  p->values[p->n] = p->owned[p->n];
  p->n++;
}

static void
p_bool (Params   *p,
        gboolean  value)
{
  p_text (p, value ? "t" : "f");
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

static gboolean
pg_failed (BbServerStorePg  *self,
           PgConn           *c,
           const PGresult   *res,
           const char       *what,
           GError          **error)
{
  const char *message = res != NULL ? PQresultErrorMessage (res) : NULL;
  g_autofree char *text = NULL;

  if (message == NULL || *message == '\0')
    message = c != NULL ? PQerrorMessage (c->conn) : "";
  text = g_strstrip (g_strdup (message));
  g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_FAILED,
               _("Database error (%s) in %s: %s"), what, self->display, text);
  return FALSE;
}

static const char *
sqlstate (const PGresult *res)
{
  const char *state = res != NULL ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;

  return state != NULL ? state : "";
}

/* Runs @sql (prepared once per connection) with @p; NULL after setting
 * @error, with the result in @failed when the caller wants its SQLSTATE. */
static PGresult *
run (BbServerStorePg  *self,
     PgConn           *c,
     const char       *sql,
     Params           *p,
     const char       *what,
     char            **failed_state,
     GError          **error)
{
  const char *name = g_hash_table_lookup (c->prepared, sql);
  g_autoptr(PGresult) res = NULL;
  ExecStatusType status;

  if (name == NULL)
    {
      g_autofree char *new_name = g_strdup_printf ("bb%u", ++c->n_prepared);
      g_autoptr(PGresult) prep = PQprepare (c->conn, new_name, sql, 0, NULL);

      if (PQresultStatus (prep) != PGRES_COMMAND_OK)
        {
          pg_failed (self, c, prep, what, error);
          return NULL;
        }
      name = new_name;
      g_hash_table_insert (c->prepared, (gpointer) sql, g_steal_pointer (&new_name));
    }

  res = PQexecPrepared (c->conn, name, p != NULL ? p->n : 0, p != NULL ? p->values : NULL,
                        NULL, NULL, 0);
  status = PQresultStatus (res);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      if (failed_state != NULL)
        *failed_state = g_strdup (sqlstate (res));
      pg_failed (self, c, res, what, error);
      return NULL;
    }

  return g_steal_pointer (&res);
}

/* Plain SQL without parameters or preparation (transaction control, DDL). */
static gboolean
exec_simple (BbServerStorePg  *self,
             PgConn           *c,
             const char       *sql,
             GError          **error)
{
  g_autoptr(PGresult) res = PQexec (c->conn, sql);
  ExecStatusType status = PQresultStatus (res);

  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      /* Name the statement by its first words: a migration is long. */
      g_autofree char *what = g_strndup (sql, 40);

      return pg_failed (self, c, res, what, error);
    }
  return TRUE;
}

/* Connections */

static void
pg_conn_free (PgConn *c)
{
  if (c == NULL)
    return;
  PQfinish (c->conn);
  g_hash_table_unref (c->prepared);
  g_free (c);
}

static void
notice_quiet (void       *arg,
              const char *message)
{
  /* "relation already exists, skipping" and the like: not for the log. */
}

static PgConn *
pg_conn_open (BbServerStorePg  *self,
              GError          **error)
{
  PgConn *c = g_new0 (PgConn, 1);

  c->prepared = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  c->conn = PQconnectdb (self->uri);
  if (c->conn == NULL || PQstatus (c->conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strstrip (g_strdup (c->conn != NULL ? PQerrorMessage (c->conn)
                                                                       : "out of memory"));

      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_FAILED,
                   _("Could not connect to the %s: %s"), self->display, message);
      pg_conn_free (c);
      return NULL;
    }
  PQsetNoticeProcessor (c->conn, notice_quiet, NULL);
  {
    g_autoptr(PGresult) res = PQexec (c->conn,
                                      "SET client_encoding = 'UTF8';"
                                      "SET default_transaction_isolation = 'read committed';"
                                      "SET lock_timeout = '60s'");
    if (PQresultStatus (res) != PGRES_COMMAND_OK)
      {
        pg_failed (self, c, res, "connect", error);
        pg_conn_free (c);
        return NULL;
      }
  }

  return c;
}

/* The connection for the calling thread: its transaction's, or one from
 * the pool. Give it back with give_back(). */
static PgConn *
take (BbServerStorePg  *self,
      GError          **error)
{
  PgConn *c;

  g_mutex_lock (&self->lock);
  c = g_hash_table_lookup (self->tx, g_thread_self ());
  if (c != NULL)
    {
      g_mutex_unlock (&self->lock);
      return c;
    }
  while (self->idle->len == 0 && self->n_open >= POOL_MAX)
    g_cond_wait (&self->cond, &self->lock);
  if (self->idle->len > 0)
    {
      c = g_ptr_array_steal_index (self->idle, self->idle->len - 1);
      g_mutex_unlock (&self->lock);
      return c;
    }
  self->n_open++;
  g_mutex_unlock (&self->lock);

  c = pg_conn_open (self, error);
  if (c == NULL)
    {
      g_mutex_lock (&self->lock);
      self->n_open--;
      g_cond_signal (&self->cond);
      g_mutex_unlock (&self->lock);
    }
  return c;
}

static void
give_back (BbServerStorePg *self,
           PgConn          *c)
{
  if (c == NULL)
    return;

  g_mutex_lock (&self->lock);
  if (g_hash_table_lookup (self->tx, g_thread_self ()) == c)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  if (PQstatus (c->conn) == CONNECTION_OK &&
      PQtransactionStatus (c->conn) == PQTRANS_IDLE)
    {
      g_ptr_array_add (self->idle, c);
    }
  else
    {
      /* Broken, or left inside a transaction: never hand it out again. */
      pg_conn_free (c);
      self->n_open--;
    }
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

static PgConn *
tx_conn (BbServerStorePg *self)
{
  PgConn *c;

  g_mutex_lock (&self->lock);
  c = g_hash_table_lookup (self->tx, g_thread_self ());
  g_mutex_unlock (&self->lock);
  return c;
}

/* A connection borrowed for one call, given back when it goes out of scope. */
typedef struct
{
  BbServerStorePg *store;
  PgConn          *conn;
} Lease;

static void
lease_clear (Lease *lease)
{
  if (lease->conn != NULL)
    give_back (lease->store, lease->conn);
  lease->conn = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Lease, lease_clear)

static gboolean
lease_take (BbServerStorePg  *self,
            Lease            *lease,
            GError          **error)
{
  lease->store = self;
  lease->conn = take (self, error);
  return lease->conn != NULL;
}

static char *
value_dup (const PGresult *res,
           int             row,
           int             column)
{
  if (PQgetisnull (res, row, column))
    return NULL;
  return g_strdup (PQgetvalue (res, row, column));
}

static gint64
value_int (const PGresult *res,
           int             row,
           int             column)
{
  return g_ascii_strtoll (PQgetvalue (res, row, column), NULL, 10);
}

static gboolean
value_bool (const PGresult *res,
            int             row,
            int             column)
{
  return PQgetvalue (res, row, column)[0] == 't';
}

static gint64
rows_changed (const PGresult *res)
{
  return g_ascii_strtoll (PQcmdTuples ((PGresult *) res), NULL, 10);
}

/* Transactions */

static void
pg_close (BbServerStore *store)
{
  BbServerStorePg *self = pg_store (store);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->tx);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      PgConn *c = value;

      g_clear_pointer (&c->conn, PQfinish);
      pg_conn_free (c);
    }
  g_hash_table_unref (self->tx);
  g_ptr_array_unref (self->idle);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->uri);
  g_free (self->display);
  g_free (self);
}

static gboolean
pg_begin (BbServerStore  *store,
          GError        **error)
{
  BbServerStorePg *self = pg_store (store);
  PgConn *c;

  g_return_val_if_fail (tx_conn (self) == NULL, FALSE);

  c = take (self, error);
  if (c == NULL)
    return FALSE;
  /* The write lock: see the top of this file. */
  if (!exec_simple (self, c, "BEGIN", error) ||
      !exec_simple (self, c, "SELECT pg_advisory_xact_lock (" G_STRINGIFY (WRITE_LOCK_KEY) ")", error))
    {
      g_autoptr(PGresult) res = PQexec (c->conn, "ROLLBACK");
      give_back (self, c);
      return FALSE;
    }
  c->in_savepoint = FALSE;
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->tx, g_thread_self (), c);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static PgConn *
tx_end (BbServerStorePg *self)
{
  PgConn *c;

  g_mutex_lock (&self->lock);
  c = g_hash_table_lookup (self->tx, g_thread_self ());
  g_hash_table_remove (self->tx, g_thread_self ());
  g_mutex_unlock (&self->lock);
  return c;
}

static gboolean
pg_commit (BbServerStore  *store,
           GError        **error)
{
  BbServerStorePg *self = pg_store (store);
  g_autoptr(PGresult) res = NULL;
  PgConn *c = tx_end (self);
  gboolean ok;

  g_return_val_if_fail (c != NULL, FALSE);

  res = PQexec (c->conn, "COMMIT");
  /* COMMIT of a failed transaction "succeeds" as ROLLBACK. */
  ok = PQresultStatus (res) == PGRES_COMMAND_OK && g_str_equal (PQcmdStatus (res), "COMMIT");
  if (!ok)
    {
      if (PQresultStatus (res) == PGRES_COMMAND_OK)
        g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_FAILED,
                     _("Database error (commit) in %s: the transaction had failed and was rolled back"),
                     self->display);
      else
        pg_failed (self, c, res, "commit", error);
      if (PQtransactionStatus (c->conn) != PQTRANS_IDLE)
        {
          g_autoptr(PGresult) rollback = PQexec (c->conn, "ROLLBACK");
        }
    }
  give_back (self, c);
  return ok;
}

static void
pg_rollback (BbServerStore *store)
{
  BbServerStorePg *self = pg_store (store);
  PgConn *c = tx_end (self);

  if (c == NULL)
    return;
  {
    g_autoptr(PGresult) res = PQexec (c->conn, "ROLLBACK");
  }
  give_back (self, c);
}

static gboolean
pg_savepoint (BbServerStore  *store,
              GError        **error)
{
  BbServerStorePg *self = pg_store (store);
  PgConn *c = tx_conn (self);

  g_return_val_if_fail (c != NULL && !c->in_savepoint, FALSE);

  if (!exec_simple (self, c, "SAVEPOINT bb_change", error))
    return FALSE;
  c->in_savepoint = TRUE;
  return TRUE;
}

static gboolean
pg_release (BbServerStore  *store,
            GError        **error)
{
  BbServerStorePg *self = pg_store (store);
  PgConn *c = tx_conn (self);

  g_return_val_if_fail (c != NULL && c->in_savepoint, FALSE);

  c->in_savepoint = FALSE;
  return exec_simple (self, c, "RELEASE SAVEPOINT bb_change", error);
}

static void
pg_rollback_to (BbServerStore *store)
{
  BbServerStorePg *self = pg_store (store);
  PgConn *c = tx_conn (self);

  if (c == NULL || !c->in_savepoint)
    return;
  {
    g_autoptr(PGresult) res = PQexec (c->conn, "ROLLBACK TO SAVEPOINT bb_change;"
                                               " RELEASE SAVEPOINT bb_change");
  }
  c->in_savepoint = FALSE;
}

/* Users */

static gboolean
pg_user_add (BbServerStore       *store,
             const BbServerUser  *user,
             GError             **error)
{
  BbServerStorePg *self = pg_store (store);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;
  g_autofree char *state = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!lease_take (self, &lease, error))
    return FALSE;
  p_text (&p, user->id);
  p_text (&p, user->username);
  p_text (&p, user->display_name);
  p_text (&p, user->role);
  p_text (&p, user->staff_number);
  p_text (&p, user->password_hash);
  p_bool (&p, user->disabled);
  p_text (&p, user->created_at);
  res = run (self, lease.conn,
             "INSERT INTO users (id, username, display_name, role, staff_number,"
             " password_hash, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
             &p, "add user", &state, &local_error);
  if (res == NULL)
    {
      if (g_strcmp0 (state, "23505") == 0)
        g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_EXISTS,
                     _("A user named “%s” exists already"), user->username);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

#define USER_COLUMNS \
  "id, username, display_name, role, staff_number, password_hash, disabled, created_at"

static BbServerUser *
user_from_row (const PGresult *res,
               int             row)
{
  BbServerUser *user = g_new0 (BbServerUser, 1);

  user->id = value_dup (res, row, 0);
  user->username = value_dup (res, row, 1);
  user->display_name = value_dup (res, row, 2);
  user->role = value_dup (res, row, 3);
  user->staff_number = value_dup (res, row, 4);
  user->password_hash = value_dup (res, row, 5);
  user->disabled = value_bool (res, row, 6);
  user->created_at = value_dup (res, row, 7);
  return user;
}

static BbServerUser *
pg_user_find (BbServerStore  *store,
              const char     *username,
              const char     *id,
              GError        **error)
{
  BbServerStorePg *self = pg_store (store);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;

  if (!lease_take (self, &lease, error))
    return NULL;
  p_text (&p, username != NULL ? username : id);
  if (username != NULL)
    res = run (self, lease.conn, "SELECT " USER_COLUMNS " FROM users WHERE username = $1",
               &p, "find user", NULL, error);
  else
    res = run (self, lease.conn, "SELECT " USER_COLUMNS " FROM users WHERE id = $1",
               &p, "find user", NULL, error);
  if (res == NULL || PQntuples (res) == 0)
    return NULL;
  return user_from_row (res, 0);
}

static gboolean
pg_user_set_disabled (BbServerStore  *store,
                      const char     *username,
                      gboolean        disabled,
                      GError        **error)
{
  BbServerStorePg *self = pg_store (store);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;

  if (!lease_take (self, &lease, error))
    return FALSE;
  p_bool (&p, disabled);
  p_text (&p, username);
  res = run (self, lease.conn, "UPDATE users SET disabled = $1 WHERE username = $2",
             &p, "disable user", NULL, error);
  if (res == NULL)
    return FALSE;
  if (rows_changed (res) == 0)
    {
      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_NOT_FOUND,
                   _("There is no user named “%s”"), username);
      return FALSE;
    }

  if (disabled)
    {
      g_auto(Params) q = { 0 };
      g_autoptr(PGresult) revoked = NULL;

      p_text (&q, username);
      revoked = run (self, lease.conn,
                     "UPDATE sessions SET revoked = true WHERE user_id ="
                     " (SELECT id FROM users WHERE username = $1)",
                     &q, "revoke sessions", NULL, error);
      if (revoked == NULL)
        return FALSE;
    }

  return TRUE;
}

/* Devices */

static gboolean
pg_device_add (BbServerStore         *store,
               const BbServerDevice  *device,
               GError               **error)
{
  BbServerStorePg *self = pg_store (store);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;

  if (!lease_take (self, &lease, error))
    return FALSE;
  p_text (&p, device->id);
  p_text (&p, device->name);
  p_text (&p, device->user_id);
  p_text (&p, device->created_at);
  p_text (&p, device->revoked_at);
  res = run (self, lease.conn,
             "INSERT INTO devices (id, name, user_id, created_at, revoked_at)"
             " VALUES ($1, $2, $3, $4, $5)", &p, "add device", NULL, error);
  return res != NULL;
}

static BbServerDevice *
pg_device_get (BbServerStore  *store,
               const char     *id,
               GError        **error)
{
  BbServerStorePg *self = pg_store (store);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;
  BbServerDevice *device;

  if (!lease_take (self, &lease, error))
    return NULL;
  p_text (&p, id);
  res = run (self, lease.conn,
             "SELECT id, name, user_id, created_at, revoked_at FROM devices WHERE id = $1",
             &p, "get device", NULL, error);
  if (res == NULL || PQntuples (res) == 0)
    return NULL;

  device = g_new0 (BbServerDevice, 1);
  device->id = value_dup (res, 0, 0);
  device->name = value_dup (res, 0, 1);
  device->user_id = value_dup (res, 0, 2);
  device->created_at = value_dup (res, 0, 3);
  device->revoked_at = value_dup (res, 0, 4);
  return device;
}

static gboolean
pg_device_revoke (BbServerStore  *store,
                  const char     *id,
                  const char     *at,
                  GError        **error)
{
  BbServerStorePg *self = pg_store (store);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;

  if (!lease_take (self, &lease, error))
    return FALSE;
  p_text (&p, at);
  p_text (&p, id);
  res = run (self, lease.conn,
             "UPDATE devices SET revoked_at = coalesce (revoked_at, $1) WHERE id = $2",
             &p, "revoke device", NULL, error);
  if (res == NULL)
    return FALSE;
  if (rows_changed (res) == 0)
    {
      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_NOT_FOUND,
                   _("There is no device with the id “%s”"), id);
      return FALSE;
    }
  return TRUE;
}

/* Sessions */

static gboolean
pg_session_add (BbServerStore          *store,
                const BbServerSession  *session,
                GError                **error)
{
  BbServerStorePg *self = pg_store (store);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;

  if (!lease_take (self, &lease, error))
    return FALSE;
  p_text (&p, session->token_hash);
  p_text (&p, session->user_id);
  p_text (&p, session->device_id);
  p_text (&p, session->created_at);
  p_text (&p, session->expires_at);
  p_bool (&p, session->revoked);
  res = run (self, lease.conn,
             "INSERT INTO sessions (token_hash, user_id, device_id, created_at,"
             " expires_at, revoked) VALUES ($1, $2, $3, $4, $5, $6)",
             &p, "add session", NULL, error);
  return res != NULL;
}

static BbServerSession *
pg_session_get (BbServerStore  *store,
                const char     *token_hash,
                GError        **error)
{
  BbServerStorePg *self = pg_store (store);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;
  BbServerSession *session;

  if (!lease_take (self, &lease, error))
    return NULL;
  p_text (&p, token_hash);
  res = run (self, lease.conn,
             "SELECT token_hash, user_id, device_id, created_at, expires_at, revoked"
             " FROM sessions WHERE token_hash = $1", &p, "get session", NULL, error);
  if (res == NULL || PQntuples (res) == 0)
    return NULL;

  session = g_new0 (BbServerSession, 1);
  session->token_hash = value_dup (res, 0, 0);
  session->user_id = value_dup (res, 0, 1);
  session->device_id = value_dup (res, 0, 2);
  session->created_at = value_dup (res, 0, 3);
  session->expires_at = value_dup (res, 0, 4);
  session->revoked = value_bool (res, 0, 5);
  return session;
}

static gboolean
pg_session_extend (BbServerStore  *store,
                   const char     *token_hash,
                   const char     *expires_at,
                   GError        **error)
{
  BbServerStorePg *self = pg_store (store);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;

  if (!lease_take (self, &lease, error))
    return FALSE;
  p_text (&p, token_hash);
  p_text (&p, expires_at);
  res = run (self, lease.conn, "UPDATE sessions SET expires_at = $2"
                               " WHERE token_hash = $1 AND NOT revoked AND expires_at < $2",
             &p, "extend session", NULL, error);
  return res != NULL;
}

static gboolean
pg_session_revoke (BbServerStore  *store,
                   const char     *token_hash,
                   GError        **error)
{
  BbServerStorePg *self = pg_store (store);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;

  if (!lease_take (self, &lease, error))
    return FALSE;
  p_text (&p, token_hash);
  res = run (self, lease.conn, "UPDATE sessions SET revoked = true WHERE token_hash = $1",
             &p, "revoke session", NULL, error);
  return res != NULL;
}

/* Login attempts */

static gboolean
pg_login_failure_add (BbServerStore  *store,
                      const char     *username,
                      const char     *at,
                      GError        **error)
{
  BbServerStorePg *self = pg_store (store);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;

  if (!lease_take (self, &lease, error))
    return FALSE;
  p_text (&p, username);
  p_text (&p, at);
  res = run (self, lease.conn, "INSERT INTO login_failures (username, at) VALUES ($1, $2)",
             &p, "record login failure", NULL, error);
  return res != NULL;
}

static gboolean
pg_login_failures_count (BbServerStore  *store,
                         const char     *username,
                         const char     *since,
                         guint          *count,
                         GError        **error)
{
  BbServerStorePg *self = pg_store (store);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;

  if (!lease_take (self, &lease, error))
    return FALSE;
  p_text (&p, username);
  p_text (&p, since);
  res = run (self, lease.conn,
             "SELECT count(*) FROM login_failures WHERE username = $1 AND at >= $2",
             &p, "count login failures", NULL, error);
  if (res == NULL)
    return FALSE;
  *count = (guint) value_int (res, 0, 0);
  return TRUE;
}

/* Records */

#define RECORD_COLUMNS \
  "r.id, r.kind, r.rev, r.seq, r.deleted, r.occurred_at, r.created_at, r.updated_at," \
  " r.priority, r.author_id, u.display_name, u.role, r.fields, r.review_state, r.review," \
  " r.lookup_vrm, r.lookup_surname, r.lookup_dob, r.written_by"

static BbServerRecord *
record_from_row (const PGresult *res,
                 int             row)
{
  BbServerRecord *record = g_new0 (BbServerRecord, 1);

  record->id = value_dup (res, row, 0);
  record->kind = value_dup (res, row, 1);
  record->rev = value_int (res, row, 2);
  record->seq = value_int (res, row, 3);
  record->deleted = value_bool (res, row, 4);
  record->occurred_at = value_dup (res, row, 5);
  record->created_at = value_dup (res, row, 6);
  record->updated_at = value_dup (res, row, 7);
  record->priority = (int) value_int (res, row, 8);
  record->author_id = value_dup (res, row, 9);
  record->author_name = value_dup (res, row, 10);
  record->author_role = value_dup (res, row, 11);
  record->fields_json = value_dup (res, row, 12);
  record->review_state = value_dup (res, row, 13);
  record->review_json = value_dup (res, row, 14);
  record->lookup_vrm = value_dup (res, row, 15);
  record->lookup_surname = value_dup (res, row, 16);
  record->lookup_dob = value_dup (res, row, 17);
  record->written_by = value_dup (res, row, 18);
  return record;
}

/* The rows of @res; with @limit > 0, at most @limit and @more says whether
 * another followed. */
static GPtrArray *
collect_records (const PGresult *res,
                 guint           limit,
                 gboolean       *more)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_server_record_free);
  int n = PQntuples (res);

  if (more != NULL)
    *more = limit > 0 && (guint) n > limit;
  for (int i = 0; i < n && (limit == 0 || (guint) i < limit); i++)
    g_ptr_array_add (records, record_from_row (res, i));
  return records;
}

static BbServerRecord *
pg_record_get (BbServerStore  *store,
               const char     *id,
               GError        **error)
{
  BbServerStorePg *self = pg_store (store);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;
  BbServerRecord *record;

  if (!lease_take (self, &lease, error))
    return NULL;
  p_text (&p, id);
  res = run (self, lease.conn,
             "SELECT " RECORD_COLUMNS " FROM records r"
             " LEFT JOIN users u ON u.id = r.author_id WHERE r.id = $1",
             &p, "get record", NULL, error);
  if (res == NULL || PQntuples (res) == 0)
    return NULL;
  record = record_from_row (res, 0);
  /* Whoever puts this record back (a review, an erasure) writes a new
   * revision that every device must get, unless it says otherwise. */
  g_clear_pointer (&record->written_by, g_free);
  return record;
}

static gboolean
pg_record_rev_find (BbServerStore  *store,
                    const char     *id,
                    gint64          rev,
                    gboolean       *found,
                    char          **change_hash,
                    gint64         *seq,
                    GError        **error)
{
  BbServerStorePg *self = pg_store (store);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;

  *found = FALSE;
  if (!lease_take (self, &lease, error))
    return FALSE;
  p_text (&p, id);
  p_int (&p, rev);
  res = run (self, lease.conn,
             "SELECT change_hash, seq FROM record_revisions WHERE record_id = $1 AND rev = $2",
             &p, "find revision", NULL, error);
  if (res == NULL)
    return FALSE;
  if (PQntuples (res) > 0)
    {
      *found = TRUE;
      if (change_hash != NULL)
        *change_hash = value_dup (res, 0, 0);
      if (seq != NULL)
        *seq = value_int (res, 0, 1);
    }
  return TRUE;
}

static gboolean
pg_record_put (BbServerStore   *store,
               BbServerRecord  *record,
               const char      *change_hash,
               GError         **error)
{
  BbServerStorePg *self = pg_store (store);
  PgConn *c = tx_conn (self);
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;
  gint64 seq;

  g_return_val_if_fail (c != NULL, FALSE);

  p_text (&p, record->id);
  p_text (&p, record->kind);
  p_int (&p, record->rev);
  p_bool (&p, record->deleted);
  p_text (&p, record->occurred_at);
  p_text (&p, record->created_at);
  p_text (&p, record->updated_at);
  p_int (&p, record->priority);
  p_text (&p, record->author_id);
  p_text (&p, record->fields_json != NULL ? record->fields_json : "{}");
  p_text (&p, record->review_state != NULL ? record->review_state : "new");
  p_text (&p, record->review_json != NULL ? record->review_json : "[]");
  p_text (&p, record->lookup_vrm);
  p_text (&p, record->lookup_surname);
  p_text (&p, record->lookup_dob);
  p_text (&p, change_hash);
  p_text (&p, record->written_by);
  /* One round trip: the next seq (under the write lock taken in begin(),
   * see the top of this file), the record, and the revision a push
   * applied. */
  res = run (self, c,
             "WITH next AS (UPDATE counters SET value = value + 1"
             "  WHERE name = 'record_seq' RETURNING value),"
             " stored AS (INSERT INTO records (id, kind, rev, seq, deleted, occurred_at,"
             "  created_at, updated_at, priority, author_id, fields, review_state, review,"
             "  lookup_vrm, lookup_surname, lookup_dob, written_by)"
             "  SELECT $1, $2, $3::bigint, next.value, $4::boolean, $5, $6, $7, $8::integer,"
             "  $9, $10, $11, $12, $13, $14, $15, $17::text FROM next"
             "  ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, rev = EXCLUDED.rev,"
             "  seq = EXCLUDED.seq, deleted = EXCLUDED.deleted,"
             "  occurred_at = EXCLUDED.occurred_at, updated_at = EXCLUDED.updated_at,"
             "  priority = EXCLUDED.priority, fields = EXCLUDED.fields,"
             "  review_state = EXCLUDED.review_state, review = EXCLUDED.review,"
             "  lookup_vrm = EXCLUDED.lookup_vrm, lookup_surname = EXCLUDED.lookup_surname,"
             "  lookup_dob = EXCLUDED.lookup_dob, written_by = EXCLUDED.written_by RETURNING seq),"
             " revision AS (INSERT INTO record_revisions (record_id, rev, change_hash, seq)"
             "  SELECT $1, $3::bigint, $16::text, stored.seq FROM stored WHERE $16::text IS NOT NULL)"
             " SELECT seq FROM stored",
             &p, "store record", NULL, error);
  if (res == NULL)
    return FALSE;
  if (PQntuples (res) != 1)
    {
      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_FAILED,
                   _("Database error (store record) in %s: no seq counter"), self->display);
      return FALSE;
    }
  seq = value_int (res, 0, 0);

  record->seq = seq;
  return TRUE;
}

static GPtrArray *
pg_records_pull (BbServerStore        *store,
                 const BbServerScope  *scope,
                 gint64                since,
                 guint                 limit,
                 gboolean             *more,
                 GError              **error)
{
  BbServerStorePg *self = pg_store (store);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;

  if (!lease_take (self, &lease, error))
    return NULL;
  p_int (&p, since);
  p_bool (&p, scope->everything);
  p_text (&p, scope->user_id);
  p_text (&p, scope->s59_since);
  /* One more than asked, to know whether there is more. */
  p_int (&p, (gint64) limit + 1);
  res = run (self, lease.conn,
             "SELECT " RECORD_COLUMNS " FROM records r"
             " LEFT JOIN users u ON u.id = r.author_id"
             " WHERE r.seq > $1 AND ($2::boolean OR r.author_id = $3::text"
             "  OR ($4::text IS NOT NULL AND r.kind = 's59_warning' AND r.occurred_at >= $4::text))"
             " ORDER BY r.seq LIMIT $5",
             &p, "read records", NULL, error);
  if (res == NULL)
    return NULL;
  return collect_records (res, limit, more);
}

/* The files a record lists are read from its fields (jsonb containment),
 * with no table of their own to keep in step. */
#define PG_ATTACHMENTS(r) \
  "jsonb_array_elements (CASE WHEN jsonb_typeof (" r ".fields::jsonb -> 'attachments') = 'array'" \
  " THEN " r ".fields::jsonb -> 'attachments' ELSE '[]'::jsonb END)"

static gboolean
pg_blob_find (BbServerStore        *store,
              const char           *sha256,
              const BbServerScope  *scope,
              const char           *except,
              char                **record_id,
              GError              **error)
{
  BbServerStorePg *self = pg_store (store);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;

  *record_id = NULL;
  if (!lease_take (self, &lease, error))
    return FALSE;
  p_text (&p, sha256);
  p_bool (&p, scope->everything);
  p_text (&p, scope->user_id);
  p_text (&p, scope->s59_since);
  p_text (&p, except);
  res = run (self, lease.conn,
             "SELECT r.id FROM records r"
             " WHERE NOT r.deleted AND ($5::text IS NULL OR r.id <> $5::text)"
             " AND r.fields::jsonb @> jsonb_build_object ('attachments',"
             "  jsonb_build_array (jsonb_build_object ('sha256', $1::text)))"
             " AND ($2::boolean OR r.author_id = $3::text"
             "  OR ($4::text IS NOT NULL AND r.kind = 's59_warning' AND r.occurred_at >= $4::text))"
             " ORDER BY r.seq LIMIT 1",
             &p, "find a file's record", NULL, error);
  if (res == NULL)
    return FALSE;
  if (PQntuples (res) > 0)
    *record_id = value_dup (res, 0, 0);
  return TRUE;
}

static GPtrArray *
pg_record_blobs (BbServerStore  *store,
                 const char     *record_id,
                 GError        **error)
{
  BbServerStorePg *self = pg_store (store);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;
  GPtrArray *hashes;

  if (!lease_take (self, &lease, error))
    return NULL;
  p_text (&p, record_id);
  res = run (self, lease.conn,
             "SELECT DISTINCT a ->> 'sha256' FROM records r, " PG_ATTACHMENTS ("r") " a"
             " WHERE r.id = $1 AND NOT r.deleted AND jsonb_typeof (a -> 'sha256') = 'string'"
             " ORDER BY 1",
             &p, "list a record's files", NULL, error);
  if (res == NULL)
    return NULL;
  hashes = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < PQntuples (res); i++)
    g_ptr_array_add (hashes, value_dup (res, i, 0));
  return hashes;
}

static GPtrArray *
pg_s59_lookup (BbServerStore  *store,
               const char     *vrm,
               const char     *surname,
               const char     *dob,
               const char     *issued_since,
               GError        **error)
{
  BbServerStorePg *self = pg_store (store);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;

  if (!lease_take (self, &lease, error))
    return NULL;
  p_text (&p, vrm);
  p_text (&p, surname);
  p_text (&p, dob);
  p_text (&p, issued_since);
  res = run (self, lease.conn,
             "SELECT " RECORD_COLUMNS " FROM records r"
             " LEFT JOIN users u ON u.id = r.author_id"
             " WHERE r.kind = 's59_warning' AND NOT r.deleted AND r.occurred_at >= $4::text"
             " AND (($1::text IS NOT NULL AND r.lookup_vrm = $1::text)"
             "  OR ($2::text IS NOT NULL AND r.lookup_surname = $2::text"
             "      AND r.lookup_dob = $3::text))"
             " ORDER BY r.occurred_at DESC, r.id LIMIT 500",
             &p, "look up warnings", NULL, error);
  if (res == NULL)
    return NULL;
  return collect_records (res, 0, NULL);
}

/* Audit */

static gboolean
pg_audit_append (BbServerStore             *store,
                 const BbServerAuditEntry  *entry,
                 GError                   **error)
{
  BbServerStorePg *self = pg_store (store);
  gboolean own_transaction = tx_conn (self) == NULL;
  g_autoptr(PGresult) res = NULL;
  g_auto(Params) p = { 0 };
  PgConn *c;

  /* Its seq too is taken under the write lock, so the audit log's cursor
   * has the same guarantee as pull's. */
  if (own_transaction && !pg_begin (store, error))
    return FALSE;
  c = tx_conn (self);

  p_text (&p, entry->at);
  p_text (&p, entry->user_id);
  p_text (&p, entry->device_id);
  p_text (&p, entry->action);
  p_text (&p, entry->record_id);
  p_text (&p, entry->detail);
  res = run (self, c,
             "INSERT INTO audit (at, user_id, device_id, action, record_id, detail)"
             " VALUES ($1, $2, $3, $4, $5, $6)", &p, "append audit entry", NULL, error);
  if (res == NULL)
    {
      if (own_transaction)
        pg_rollback (store);
      return FALSE;
    }
  if (own_transaction)
    return pg_commit (store, error);
  return TRUE;
}

/* Rows per multi-row INSERT of the audit log (six parameters each). */
#define AUDIT_ROWS_PER_INSERT 50

static const char *
audit_many_sql (void)
{
  static gsize once = 0;
  static char *sql;

  if (g_once_init_enter (&once))
    {
      GString *text = g_string_new ("INSERT INTO audit (at, user_id, device_id, action, record_id, detail) VALUES ");

      for (guint i = 0; i < AUDIT_ROWS_PER_INSERT; i++)
        g_string_append_printf (text, "%s($%u, $%u, $%u, $%u, $%u, $%u)", i == 0 ? "" : ", ",
                                i * 6 + 1, i * 6 + 2, i * 6 + 3, i * 6 + 4, i * 6 + 5, i * 6 + 6);
      sql = g_string_free (text, FALSE);
      g_once_init_leave (&once, 1);
    }

  return sql;
}

static gboolean
pg_audit_append_many (BbServerStore              *store,
                      BbServerAuditEntry * const *entries,
                      guint                       n_entries,
                      GError                    **error)
{
  BbServerStorePg *self = pg_store (store);
  gboolean own_transaction = tx_conn (self) == NULL;
  guint done = 0;
  PgConn *c;

  /* Under the write lock, like audit_append. */
  if (own_transaction && !pg_begin (store, error))
    return FALSE;
  c = tx_conn (self);

  /* The rows of one INSERT get consecutive seqs in the order given. */
  while (n_entries - done >= AUDIT_ROWS_PER_INSERT)
    {
      const char *values[AUDIT_ROWS_PER_INSERT * 6];
      const char *name = g_hash_table_lookup (c->prepared, audit_many_sql ());
      g_autoptr(PGresult) res = NULL;

      for (guint i = 0; i < AUDIT_ROWS_PER_INSERT; i++)
        {
          const BbServerAuditEntry *entry = entries[done + i];

          values[i * 6 + 0] = entry->at;
          values[i * 6 + 1] = entry->user_id;
          values[i * 6 + 2] = entry->device_id;
          values[i * 6 + 3] = entry->action;
          values[i * 6 + 4] = entry->record_id;
          values[i * 6 + 5] = entry->detail;
        }
      if (name == NULL)
        {
          g_autofree char *new_name = g_strdup_printf ("bb%u", ++c->n_prepared);
          g_autoptr(PGresult) prep = PQprepare (c->conn, new_name, audit_many_sql (), 0, NULL);

          if (PQresultStatus (prep) != PGRES_COMMAND_OK)
            {
              pg_failed (self, c, prep, "append audit entries", error);
              goto failed;
            }
          name = new_name;
          g_hash_table_insert (c->prepared, (gpointer) audit_many_sql (), g_steal_pointer (&new_name));
        }
      res = PQexecPrepared (c->conn, name, AUDIT_ROWS_PER_INSERT * 6, values, NULL, NULL, 0);
      if (PQresultStatus (res) != PGRES_COMMAND_OK)
        {
          pg_failed (self, c, res, "append audit entries", error);
          goto failed;
        }
      done += AUDIT_ROWS_PER_INSERT;
    }

  for (; done < n_entries; done++)
    if (!pg_audit_append (store, entries[done], error))
      goto failed;

  if (own_transaction)
    return pg_commit (store, error);
  return TRUE;

failed:
  if (own_transaction)
    pg_rollback (store);
  return FALSE;
}

static GPtrArray *
pg_audit_list (BbServerStore  *store,
               gint64          since,
               guint           limit,
               gboolean       *more,
               GError        **error)
{
  BbServerStorePg *self = pg_store (store);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_server_audit_entry_free);
  g_auto(Lease) lease = { 0 };
  g_auto(Params) p = { 0 };
  g_autoptr(PGresult) res = NULL;
  int n;

  *more = FALSE;
  if (!lease_take (self, &lease, error))
    return NULL;
  p_int (&p, since);
  p_int (&p, (gint64) limit + 1);
  res = run (self, lease.conn,
             "SELECT a.seq, a.at, a.user_id, u.username, a.device_id, a.action,"
             " a.record_id, a.detail FROM audit a LEFT JOIN users u ON u.id = a.user_id"
             " WHERE a.seq > $1 ORDER BY a.seq LIMIT $2",
             &p, "read audit log", NULL, error);
  if (res == NULL)
    return NULL;

  n = PQntuples (res);
  *more = (guint) n > limit;
  for (int i = 0; i < n && (guint) i < limit; i++)
    {
      BbServerAuditEntry *entry = g_new0 (BbServerAuditEntry, 1);

      entry->seq = value_int (res, i, 0);
      entry->at = value_dup (res, i, 1);
      entry->user_id = value_dup (res, i, 2);
      entry->username = value_dup (res, i, 3);
      entry->device_id = value_dup (res, i, 4);
      entry->action = value_dup (res, i, 5);
      entry->record_id = value_dup (res, i, 6);
      entry->detail = value_dup (res, i, 7);
      g_ptr_array_add (entries, entry);
    }

  return g_steal_pointer (&entries);
}

static const BbServerStoreVTable pg_vtable = {
  .close = pg_close,
  .begin = pg_begin,
  .commit = pg_commit,
  .rollback = pg_rollback,
  .savepoint = pg_savepoint,
  .release = pg_release,
  .rollback_to = pg_rollback_to,
  .user_add = pg_user_add,
  .user_find = pg_user_find,
  .user_set_disabled = pg_user_set_disabled,
  .device_add = pg_device_add,
  .device_get = pg_device_get,
  .device_revoke = pg_device_revoke,
  .session_add = pg_session_add,
  .session_get = pg_session_get,
  .session_revoke = pg_session_revoke,
  .session_extend = pg_session_extend,
  .login_failure_add = pg_login_failure_add,
  .login_failures_count = pg_login_failures_count,
  .record_get = pg_record_get,
  .record_rev_find = pg_record_rev_find,
  .record_put = pg_record_put,
  .records_pull = pg_records_pull,
  .blob_find = pg_blob_find,
  .record_blobs = pg_record_blobs,
  .s59_lookup = pg_s59_lookup,
  .audit_append = pg_audit_append,
  .audit_append_many = pg_audit_append_many,
  .audit_list = pg_audit_list,
};

/* Schema */

static gboolean
query_int (BbServerStorePg  *self,
           PgConn           *c,
           const char       *sql,
           gint64           *value,
           GError          **error)
{
  g_autoptr(PGresult) res = PQexec (c->conn, sql);

  if (PQresultStatus (res) != PGRES_TUPLES_OK || PQntuples (res) != 1)
    return pg_failed (self, c, res, sql, error);
  *value = PQgetisnull (res, 0, 0) ? 0 : value_int (res, 0, 0);
  return TRUE;
}

static gboolean
migrate_locked (BbServerStorePg  *self,
                PgConn           *c,
                GError          **error)
{
  gint64 have_table = 0, n_tables = 0, version = 0;

  if (!query_int (self, c,
                  "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema ()"
                  " AND tablename = 'beatbook_server'", &have_table, error) ||
      !query_int (self, c,
                  "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema ()",
                  &n_tables, error))
    return FALSE;

  if (have_table == 0 && n_tables > 0)
    {
      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_CORRUPT,
                   _("The %s is not a beatbook-server database: it has tables of something else"),
                   self->display);
      return FALSE;
    }
  if (have_table > 0 &&
      !query_int (self, c, "SELECT schema_version FROM beatbook_server", &version, error))
    return FALSE;
  if (version > bb_server_store_pg_schema_version ())
    {
      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_TOO_NEW,
                   _("The %s was written by a newer beatbook-server (schema %d; this one knows %d)"),
                   self->display, (int) version, bb_server_store_pg_schema_version ());
      return FALSE;
    }

  for (int i = (int) version; i < bb_server_store_pg_schema_version (); i++)
    {
      g_autofree char *bump = g_strdup_printf ("UPDATE beatbook_server SET schema_version = %d", i + 1);

      /* Each step in its own transaction: DDL is transactional here. */
      if (!exec_simple (self, c, "BEGIN", error))
        return FALSE;
      if ((i == 0 &&
           !exec_simple (self, c,
                         "CREATE TABLE beatbook_server (schema_version integer NOT NULL);"
                         "INSERT INTO beatbook_server VALUES (0)", error)) ||
          !exec_simple (self, c, migrations[i], error) ||
          !exec_simple (self, c, bump, error) ||
          !exec_simple (self, c, "COMMIT", error))
        {
          g_autoptr(PGresult) res = PQexec (c->conn, "ROLLBACK");
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
migrate (BbServerStorePg  *self,
         GError          **error)
{
  g_auto(Lease) lease = { 0 };
  gboolean ok;

  if (!lease_take (self, &lease, error))
    return FALSE;
  /* Servers started together wait for the first one's migration. */
  if (!exec_simple (self, lease.conn,
                    "SELECT pg_advisory_lock (" G_STRINGIFY (MIGRATION_LOCK_KEY) ")", error))
    return FALSE;
  ok = migrate_locked (self, lease.conn, error);
  {
    g_autoptr(PGresult) res = PQexec (lease.conn->conn,
                                      "SELECT pg_advisory_unlock (" G_STRINGIFY (MIGRATION_LOCK_KEY) ")");
  }
  return ok;
}

/* "database D on HOST:PORT" for messages: never the password. */
static char *
describe_uri (const char *uri)
{
  PQconninfoOption *options = PQconninfoParse (uri, NULL);
  const char *dbname = NULL, *host = NULL, *port = NULL, *user = NULL;
  char *text;

  if (options == NULL)
    return g_strdup (_("PostgreSQL database"));
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    {
      if (o->val == NULL)
        continue;
      if (g_str_equal (o->keyword, "dbname"))
        dbname = o->val;
      else if (g_str_equal (o->keyword, "host"))
        host = o->val;
      else if (g_str_equal (o->keyword, "port"))
        port = o->val;
      else if (g_str_equal (o->keyword, "user"))
        user = o->val;
    }
  text = g_strdup_printf (_("PostgreSQL database “%s” on %s:%s"),
                          dbname != NULL ? dbname : (user != NULL ? user : "?"),
                          host != NULL ? host : "localhost", port != NULL ? port : "5432");
  PQconninfoFree (options);
  return text;
}

BbServerStore *
bb_server_store_pg_open (const char  *uri,
                         GError     **error)
{
  BbServerStorePg *self;
  g_autoptr(BbServerStore) store = NULL;
  g_autofree char *parse_error = NULL;
  PQconninfoOption *options;

  g_return_val_if_fail (uri != NULL, NULL);

  options = PQconninfoParse (uri, &parse_error);
  if (options == NULL)
    {
      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_FAILED,
                   _("“%s…” is not a PostgreSQL connection URI: %s"),
                   strncmp (uri, "postgres://", 11) == 0 ? "postgres://" : "postgresql://",
                   parse_error != NULL ? g_strstrip (parse_error) : "");
      if (parse_error != NULL)
        PQfreemem (g_steal_pointer (&parse_error));
      return NULL;
    }
  PQconninfoFree (options);

  self = g_new0 (BbServerStorePg, 1);
  self->parent.vtable = &pg_vtable;
  self->uri = g_strdup (uri);
  self->display = describe_uri (uri);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->idle = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_conn_free);
  self->tx = g_hash_table_new (g_direct_hash, g_direct_equal);
  store = (BbServerStore *) self;

  if (!migrate (self, error))
    return NULL;

  return g_steal_pointer (&store);
}
