/* bb-server-store-sqlite.c: the SQLite engine of the server's store
 *
 * One file in WAL mode. Statements are prepared once and kept for the life
 * of the connection, so a push batch of 500 changes reuses them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server"

#include "config.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "bb-i18n.h"
#include "bb-server-store.h"

/* "BBSV" in ASCII: tells a server database from the app's or anyone's. */
#define APPLICATION_ID 0x42425356
/* How long a writer waits for another connection's write to end. */
#define BUSY_TIMEOUT_MS 20000

typedef struct
{
  BbServerStore  parent;
  sqlite3       *db;
  char          *path;
  GHashTable    *statements; /* SQL text -> sqlite3_stmt */
  gboolean       in_transaction;
  gboolean       in_savepoint;
} BbServerStoreSqlite;

static const char *migrations[] = {
  /* 1: the first schema. */
  "CREATE TABLE users ("
  "  id TEXT PRIMARY KEY,"
  "  username TEXT NOT NULL UNIQUE,"
  "  display_name TEXT NOT NULL,"
  "  role TEXT NOT NULL,"
  "  staff_number TEXT,"
  "  password_hash TEXT NOT NULL,"
  "  disabled INTEGER NOT NULL DEFAULT 0,"
  "  created_at TEXT NOT NULL);"
  "CREATE TABLE devices ("
  "  id TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  user_id TEXT REFERENCES users (id),"
  "  created_at TEXT NOT NULL,"
  "  revoked_at TEXT);"
  "CREATE TABLE sessions ("
  "  token_hash TEXT PRIMARY KEY,"
  "  user_id TEXT NOT NULL REFERENCES users (id),"
  "  device_id TEXT NOT NULL REFERENCES devices (id),"
  "  created_at TEXT NOT NULL,"
  "  expires_at TEXT NOT NULL,"
  "  revoked INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX sessions_by_user ON sessions (user_id);"
  "CREATE TABLE login_failures ("
  "  id INTEGER PRIMARY KEY,"
  "  username TEXT NOT NULL,"
  "  at TEXT NOT NULL);"
  "CREATE INDEX login_failures_by_user ON login_failures (username, at);"
  "CREATE TABLE counters ("
  "  name TEXT PRIMARY KEY,"
  "  value INTEGER NOT NULL);"
  "INSERT INTO counters (name, value) VALUES ('record_seq', 0);"
  "CREATE TABLE records ("
  "  id TEXT PRIMARY KEY,"
  "  kind TEXT NOT NULL,"
  "  rev INTEGER NOT NULL,"
  "  seq INTEGER NOT NULL UNIQUE,"
  "  deleted INTEGER NOT NULL DEFAULT 0,"
  "  occurred_at TEXT NOT NULL,"
  "  created_at TEXT NOT NULL,"
  "  updated_at TEXT NOT NULL,"
  "  priority INTEGER NOT NULL,"
  "  author_id TEXT NOT NULL REFERENCES users (id),"
  "  fields TEXT NOT NULL,"
  "  review_state TEXT NOT NULL DEFAULT 'new',"
  "  review TEXT NOT NULL DEFAULT '[]',"
  "  lookup_vrm TEXT,"
  "  lookup_surname TEXT,"
  "  lookup_dob TEXT);"
  "CREATE INDEX records_by_author ON records (author_id, seq);"
  "CREATE INDEX records_by_kind ON records (kind, occurred_at);"
  "CREATE INDEX records_by_vrm ON records (lookup_vrm) WHERE lookup_vrm IS NOT NULL;"
  "CREATE INDEX records_by_person ON records (lookup_surname, lookup_dob)"
  "  WHERE lookup_surname IS NOT NULL;"
  /* Which (id, rev) a push applied, so a retried batch gets the same answer. */
  "CREATE TABLE record_revisions ("
  "  record_id TEXT NOT NULL,"
  "  rev INTEGER NOT NULL,"
  "  change_hash TEXT NOT NULL,"
  "  seq INTEGER NOT NULL,"
  "  PRIMARY KEY (record_id, rev)) WITHOUT ROWID;"
  "CREATE TABLE audit ("
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  at TEXT NOT NULL,"
  "  user_id TEXT,"
  "  device_id TEXT,"
  "  action TEXT NOT NULL,"
  "  record_id TEXT,"
  "  detail TEXT);"
  /* DPA 2018 s62: the log is append-only, whatever code or person runs SQL. */
  "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
  "  BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;"
  "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
  "  BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;",
  /* 2: which device's push wrote a record's current revision, so its own
   * pull can leave it out. */
  "ALTER TABLE records ADD COLUMN written_by TEXT;",
  /* 3: which evidence files each live record lists, kept by record_put, so
   * a file is served to whoever may see one of them and dropped with them. */
  "CREATE TABLE record_blobs ("
  "  sha256 TEXT NOT NULL,"
  "  record_id TEXT NOT NULL REFERENCES records (id),"
  "  PRIMARY KEY (sha256, record_id)) WITHOUT ROWID;"
  "CREATE INDEX record_blobs_by_record ON record_blobs (record_id);"
  "INSERT OR IGNORE INTO record_blobs (sha256, record_id)"
  "  SELECT json_extract (a.value, '$.sha256'), r.id"
  "  FROM records r, json_each (r.fields, '$.attachments') a"
  "  WHERE r.deleted = 0 AND json_valid (r.fields)"
  "  AND json_type (a.value, '$.sha256') = 'text';",
};

int
bb_server_store_sqlite_schema_version (void)
{
  return (int) G_N_ELEMENTS (migrations);
}

static BbServerStoreSqlite *
sqlite_store (BbServerStore *store)
{
  return (BbServerStoreSqlite *) store;
}

static gboolean
db_error (BbServerStoreSqlite  *self,
          GError              **error,
          const char           *what)
{
  int code = sqlite3_extended_errcode (self->db);
  int domain_code = BB_SERVER_STORE_ERROR_FAILED;

  if ((code & 0xff) == SQLITE_NOTADB || (code & 0xff) == SQLITE_CORRUPT)
    domain_code = BB_SERVER_STORE_ERROR_CORRUPT;

  g_set_error (error, BB_SERVER_STORE_ERROR, domain_code,
               _("Database error (%s) in %s: %s"),
               what, self->path, sqlite3_errmsg (self->db));
  return FALSE;
}

static gboolean
exec_sql (BbServerStoreSqlite  *self,
          const char           *sql,
          GError              **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return db_error (self, error, sql);
  return TRUE;
}

/* (transfer none): the prepared statement for @sql, reset and unbound. */
static sqlite3_stmt *
statement (BbServerStoreSqlite  *self,
           const char           *sql,
           GError              **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt == NULL)
    {
      if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                              &stmt, NULL) != SQLITE_OK)
        {
          db_error (self, error, "prepare");
          return NULL;
        }
      g_hash_table_insert (self->statements, (gpointer) sql, stmt);
    }
  else
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
    }

  return stmt;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *value)
{
  if (value != NULL)
    sqlite3_bind_text (stmt, index, value, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* Runs @stmt, which returns no rows. */
static gboolean
step_done (BbServerStoreSqlite  *self,
           sqlite3_stmt         *stmt,
           const char           *what,
           GError              **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return db_error (self, error, what);
  return TRUE;
}

static void
sqlite_close (BbServerStore *store)
{
  BbServerStoreSqlite *self = sqlite_store (store);

  if (self->in_transaction)
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    {
      /* A clean close checkpoints the WAL into the main file. */
      if (sqlite3_close (self->db) != SQLITE_OK)
        g_warning ("Could not close %s cleanly: %s", self->path, sqlite3_errmsg (self->db));
      self->db = NULL;
    }
  g_free (self->path);
  g_free (self);
}

static BbServerStore *
sqlite_reopen (BbServerStore  *store,
               GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);

  if (strcmp (self->path, ":memory:") == 0 || *self->path == '\0')
    {
      g_set_error_literal (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_FAILED,
                           _("An in-memory or temporary database has one connection only"));
      return NULL;
    }
  /* The schema is current already: opening finds nothing to migrate. */
  return bb_server_store_sqlite_open (self->path, error);
}

static gboolean
sqlite_begin (BbServerStore  *store,
              GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);

  g_return_val_if_fail (!self->in_transaction, FALSE);

  /* IMMEDIATE takes the write lock now, so two writers (the server and a
   * command run beside it) queue on the busy timeout instead of failing
   * halfway with SQLITE_BUSY. */
  if (!exec_sql (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  self->in_transaction = TRUE;
  return TRUE;
}

static gboolean
sqlite_commit (BbServerStore  *store,
               GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);

  g_return_val_if_fail (self->in_transaction, FALSE);

  if (!exec_sql (self, "COMMIT", error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      self->in_transaction = FALSE;
      return FALSE;
    }
  self->in_transaction = FALSE;
  return TRUE;
}

static void
sqlite_rollback (BbServerStore *store)
{
  BbServerStoreSqlite *self = sqlite_store (store);

  if (!self->in_transaction)
    return;
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  self->in_transaction = FALSE;
  self->in_savepoint = FALSE;
}

static gboolean
sqlite_savepoint (BbServerStore  *store,
                  GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);

  g_return_val_if_fail (self->in_transaction && !self->in_savepoint, FALSE);

  if (!exec_sql (self, "SAVEPOINT bb_change", error))
    return FALSE;
  self->in_savepoint = TRUE;
  return TRUE;
}

static gboolean
sqlite_release (BbServerStore  *store,
                GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);

  g_return_val_if_fail (self->in_savepoint, FALSE);

  self->in_savepoint = FALSE;
  return exec_sql (self, "RELEASE bb_change", error);
}

static void
sqlite_rollback_to (BbServerStore *store)
{
  BbServerStoreSqlite *self = sqlite_store (store);

  if (!self->in_savepoint)
    return;
  sqlite3_exec (self->db, "ROLLBACK TO bb_change; RELEASE bb_change", NULL, NULL, NULL);
  self->in_savepoint = FALSE;
}

/* Users */

static gboolean
sqlite_user_add (BbServerStore       *store,
                 const BbServerUser  *user,
                 GError             **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  sqlite3_stmt *stmt;
  int rc;

  stmt = statement (self,
                    "INSERT INTO users (id, username, display_name, role, staff_number,"
                    " password_hash, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, user->id);
  bind_text (stmt, 2, user->username);
  bind_text (stmt, 3, user->display_name);
  bind_text (stmt, 4, user->role);
  bind_text (stmt, 5, user->staff_number);
  bind_text (stmt, 6, user->password_hash);
  sqlite3_bind_int (stmt, 7, user->disabled ? 1 : 0);
  bind_text (stmt, 8, user->created_at);

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_CONSTRAINT)
    {
      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_EXISTS,
                   _("A user named “%s” exists already"), user->username);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return db_error (self, error, "add user");
  return TRUE;
}

static BbServerUser *
sqlite_user_find (BbServerStore  *store,
                  const char     *username,
                  const char     *id,
                  GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  BbServerUser *user;
  sqlite3_stmt *stmt;
  int rc;

  if (username != NULL)
    stmt = statement (self,
                      "SELECT id, username, display_name, role, staff_number, password_hash,"
                      " disabled, created_at FROM users WHERE username = ?", error);
  else
    stmt = statement (self,
                      "SELECT id, username, display_name, role, staff_number, password_hash,"
                      " disabled, created_at FROM users WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, username != NULL ? username : id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      db_error (self, error, "find user");
      sqlite3_reset (stmt);
      return NULL;
    }

  user = g_new0 (BbServerUser, 1);
  user->id = column_dup (stmt, 0);
  user->username = column_dup (stmt, 1);
  user->display_name = column_dup (stmt, 2);
  user->role = column_dup (stmt, 3);
  user->staff_number = column_dup (stmt, 4);
  user->password_hash = column_dup (stmt, 5);
  user->disabled = sqlite3_column_int (stmt, 6) != 0;
  user->created_at = column_dup (stmt, 7);
  sqlite3_reset (stmt);

  return user;
}

static gboolean
sqlite_user_set_disabled (BbServerStore  *store,
                          const char     *username,
                          gboolean        disabled,
                          GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  sqlite3_stmt *stmt;

  stmt = statement (self, "UPDATE users SET disabled = ? WHERE username = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, disabled ? 1 : 0);
  bind_text (stmt, 2, username);
  if (!step_done (self, stmt, "disable user", error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_NOT_FOUND,
                   _("There is no user named “%s”"), username);
      return FALSE;
    }

  if (disabled)
    {
      stmt = statement (self,
                        "UPDATE sessions SET revoked = 1 WHERE user_id ="
                        " (SELECT id FROM users WHERE username = ?)", error);
      if (stmt == NULL)
        return FALSE;
      bind_text (stmt, 1, username);
      if (!step_done (self, stmt, "revoke sessions", error))
        return FALSE;
    }

  return TRUE;
}

/* Devices */

static gboolean
sqlite_device_add (BbServerStore         *store,
                   const BbServerDevice  *device,
                   GError               **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  sqlite3_stmt *stmt;

  stmt = statement (self,
                    "INSERT INTO devices (id, name, user_id, created_at, revoked_at)"
                    " VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, device->id);
  bind_text (stmt, 2, device->name);
  bind_text (stmt, 3, device->user_id);
  bind_text (stmt, 4, device->created_at);
  bind_text (stmt, 5, device->revoked_at);
  return step_done (self, stmt, "add device", error);
}

static BbServerDevice *
sqlite_device_get (BbServerStore  *store,
                   const char     *id,
                   GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  BbServerDevice *device;
  sqlite3_stmt *stmt;
  int rc;

  stmt = statement (self,
                    "SELECT id, name, user_id, created_at, revoked_at FROM devices WHERE id = ?",
                    error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc != SQLITE_DONE)
        db_error (self, error, "get device");
      sqlite3_reset (stmt);
      return NULL;
    }

  device = g_new0 (BbServerDevice, 1);
  device->id = column_dup (stmt, 0);
  device->name = column_dup (stmt, 1);
  device->user_id = column_dup (stmt, 2);
  device->created_at = column_dup (stmt, 3);
  device->revoked_at = column_dup (stmt, 4);
  sqlite3_reset (stmt);

  return device;
}

static gboolean
sqlite_device_revoke (BbServerStore  *store,
                      const char     *id,
                      const char     *at,
                      GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  sqlite3_stmt *stmt;

  stmt = statement (self,
                    "UPDATE devices SET revoked_at = coalesce (revoked_at, ?) WHERE id = ?",
                    error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, at);
  bind_text (stmt, 2, id);
  if (!step_done (self, stmt, "revoke device", error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_NOT_FOUND,
                   _("There is no device with the id “%s”"), id);
      return FALSE;
    }
  return TRUE;
}

/* Sessions */

static gboolean
sqlite_session_add (BbServerStore          *store,
                    const BbServerSession  *session,
                    GError                **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  sqlite3_stmt *stmt;

  stmt = statement (self,
                    "INSERT INTO sessions (token_hash, user_id, device_id, created_at,"
                    " expires_at, revoked) VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, session->token_hash);
  bind_text (stmt, 2, session->user_id);
  bind_text (stmt, 3, session->device_id);
  bind_text (stmt, 4, session->created_at);
  bind_text (stmt, 5, session->expires_at);
  sqlite3_bind_int (stmt, 6, session->revoked ? 1 : 0);
  return step_done (self, stmt, "add session", error);
}

static BbServerSession *
sqlite_session_get (BbServerStore  *store,
                    const char     *token_hash,
                    GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  BbServerSession *session;
  sqlite3_stmt *stmt;
  int rc;

  stmt = statement (self,
                    "SELECT token_hash, user_id, device_id, created_at, expires_at, revoked"
                    " FROM sessions WHERE token_hash = ?", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, token_hash);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc != SQLITE_DONE)
        db_error (self, error, "get session");
      sqlite3_reset (stmt);
      return NULL;
    }

  session = g_new0 (BbServerSession, 1);
  session->token_hash = column_dup (stmt, 0);
  session->user_id = column_dup (stmt, 1);
  session->device_id = column_dup (stmt, 2);
  session->created_at = column_dup (stmt, 3);
  session->expires_at = column_dup (stmt, 4);
  session->revoked = sqlite3_column_int (stmt, 5) != 0;
  sqlite3_reset (stmt);

  return session;
}

static gboolean
sqlite_session_extend (BbServerStore  *store,
                       const char     *token_hash,
                       const char     *expires_at,
                       GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  sqlite3_stmt *stmt;

  stmt = statement (self, "UPDATE sessions SET expires_at = ?2"
                          " WHERE token_hash = ?1 AND revoked = 0 AND expires_at < ?2", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, token_hash);
  bind_text (stmt, 2, expires_at);
  return step_done (self, stmt, "extend session", error);
}

static gboolean
sqlite_session_revoke (BbServerStore  *store,
                       const char     *token_hash,
                       GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  sqlite3_stmt *stmt;

  stmt = statement (self, "UPDATE sessions SET revoked = 1 WHERE token_hash = ?", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, token_hash);
  return step_done (self, stmt, "revoke session", error);
}

/* Login attempts */

static gboolean
sqlite_login_failure_add (BbServerStore  *store,
                          const char     *username,
                          const char     *at,
                          GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  sqlite3_stmt *stmt;

  stmt = statement (self, "INSERT INTO login_failures (username, at) VALUES (?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, username);
  bind_text (stmt, 2, at);
  return step_done (self, stmt, "record login failure", error);
}

static gboolean
sqlite_login_failures_count (BbServerStore  *store,
                             const char     *username,
                             const char     *since,
                             guint          *count,
                             GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  sqlite3_stmt *stmt;
  int rc;

  stmt = statement (self,
                    "SELECT count(*) FROM login_failures WHERE username = ? AND at >= ?",
                    error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, username);
  bind_text (stmt, 2, since);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return db_error (self, error, "count login failures");
    }
  *count = (guint) sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);
  return TRUE;
}

/* Records */

#define RECORD_COLUMNS \
  "r.id, r.kind, r.rev, r.seq, r.deleted, r.occurred_at, r.created_at, r.updated_at," \
  " r.priority, r.author_id, u.display_name, u.role, r.fields, r.review_state, r.review," \
  " r.lookup_vrm, r.lookup_surname, r.lookup_dob, r.written_by"

static BbServerRecord *
record_from_row (sqlite3_stmt *stmt)
{
  BbServerRecord *record = g_new0 (BbServerRecord, 1);

  record->id = column_dup (stmt, 0);
  record->kind = column_dup (stmt, 1);
  record->rev = sqlite3_column_int64 (stmt, 2);
  record->seq = sqlite3_column_int64 (stmt, 3);
  record->deleted = sqlite3_column_int (stmt, 4) != 0;
  record->occurred_at = column_dup (stmt, 5);
  record->created_at = column_dup (stmt, 6);
  record->updated_at = column_dup (stmt, 7);
  record->priority = sqlite3_column_int (stmt, 8);
  record->author_id = column_dup (stmt, 9);
  record->author_name = column_dup (stmt, 10);
  record->author_role = column_dup (stmt, 11);
  record->fields_json = column_dup (stmt, 12);
  record->review_state = column_dup (stmt, 13);
  record->review_json = column_dup (stmt, 14);
  record->lookup_vrm = column_dup (stmt, 15);
  record->lookup_surname = column_dup (stmt, 16);
  record->lookup_dob = column_dup (stmt, 17);
  record->written_by = column_dup (stmt, 18);

  return record;
}

/* Steps @stmt to its end, collecting rows; with @limit > 0, stops after
 * @limit rows and says in @more whether another followed. */
static GPtrArray *
collect_records (BbServerStoreSqlite  *self,
                 sqlite3_stmt         *stmt,
                 guint                 limit,
                 gboolean             *more,
                 GError              **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_server_record_free);
  int rc;

  if (more != NULL)
    *more = FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (limit > 0 && records->len == limit)
        {
          if (more != NULL)
            *more = TRUE;
          rc = SQLITE_DONE;
          break;
        }
      g_ptr_array_add (records, record_from_row (stmt));
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      db_error (self, error, "read records");
      return NULL;
    }

  return g_steal_pointer (&records);
}

static BbServerRecord *
sqlite_record_get (BbServerStore  *store,
                   const char     *id,
                   GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  g_autoptr(GPtrArray) found = NULL;
  BbServerRecord *record;
  sqlite3_stmt *stmt;

  stmt = statement (self,
                    "SELECT " RECORD_COLUMNS " FROM records r"
                    " LEFT JOIN users u ON u.id = r.author_id WHERE r.id = ?", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, id);
  found = collect_records (self, stmt, 0, NULL, error);
  if (found == NULL || found->len == 0)
    return NULL;

  record = g_ptr_array_steal_index (found, 0);
  /* Whoever puts this record back (a review, an erasure) writes a new
   * revision that every device must get, unless it says otherwise. */
  g_clear_pointer (&record->written_by, g_free);
  return record;
}

static gboolean
sqlite_record_rev_find (BbServerStore  *store,
                        const char     *id,
                        gint64          rev,
                        gboolean       *found,
                        char          **change_hash,
                        gint64         *seq,
                        GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  sqlite3_stmt *stmt;
  int rc;

  *found = FALSE;
  stmt = statement (self,
                    "SELECT change_hash, seq FROM record_revisions WHERE record_id = ? AND rev = ?",
                    error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, rev);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *found = TRUE;
      if (change_hash != NULL)
        *change_hash = column_dup (stmt, 0);
      if (seq != NULL)
        *seq = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return db_error (self, error, "find revision");
  return TRUE;
}

static gboolean
sqlite_record_put (BbServerStore   *store,
                   BbServerRecord  *record,
                   const char      *change_hash,
                   GError         **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  sqlite3_stmt *stmt;
  gint64 seq;
  int rc;

  g_return_val_if_fail (self->in_transaction, FALSE);

  stmt = statement (self,
                    "UPDATE counters SET value = value + 1 WHERE name = 'record_seq'"
                    " RETURNING value", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return db_error (self, error, "next seq");
    }
  seq = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  stmt = statement (self,
                    "INSERT INTO records (id, kind, rev, seq, deleted, occurred_at, created_at,"
                    " updated_at, priority, author_id, fields, review_state, review,"
                    " lookup_vrm, lookup_surname, lookup_dob, written_by)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
                    " ON CONFLICT (id) DO UPDATE SET kind = ?2, rev = ?3, seq = ?4, deleted = ?5,"
                    " occurred_at = ?6, updated_at = ?8, priority = ?9, fields = ?11,"
                    " review_state = ?12, review = ?13, lookup_vrm = ?14,"
                    " lookup_surname = ?15, lookup_dob = ?16, written_by = ?17", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, record->id);
  bind_text (stmt, 2, record->kind);
  sqlite3_bind_int64 (stmt, 3, record->rev);
  sqlite3_bind_int64 (stmt, 4, seq);
  sqlite3_bind_int (stmt, 5, record->deleted ? 1 : 0);
  bind_text (stmt, 6, record->occurred_at);
  bind_text (stmt, 7, record->created_at);
  bind_text (stmt, 8, record->updated_at);
  sqlite3_bind_int (stmt, 9, record->priority);
  bind_text (stmt, 10, record->author_id);
  bind_text (stmt, 11, record->fields_json != NULL ? record->fields_json : "{}");
  bind_text (stmt, 12, record->review_state != NULL ? record->review_state : "new");
  bind_text (stmt, 13, record->review_json != NULL ? record->review_json : "[]");
  bind_text (stmt, 14, record->lookup_vrm);
  bind_text (stmt, 15, record->lookup_surname);
  bind_text (stmt, 16, record->lookup_dob);
  bind_text (stmt, 17, record->written_by);
  if (!step_done (self, stmt, "store record", error))
    return FALSE;

  if (change_hash != NULL)
    {
      stmt = statement (self,
                        "INSERT INTO record_revisions (record_id, rev, change_hash, seq)"
                        " VALUES (?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      bind_text (stmt, 1, record->id);
      sqlite3_bind_int64 (stmt, 2, record->rev);
      bind_text (stmt, 3, change_hash);
      sqlite3_bind_int64 (stmt, 4, seq);
      if (!step_done (self, stmt, "store revision", error))
        return FALSE;
    }

  /* The files it lists now; a tombstone lists none. */
  stmt = statement (self, "DELETE FROM record_blobs WHERE record_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, record->id);
  if (!step_done (self, stmt, "forget listed files", error))
    return FALSE;
  /* SQLite would parse the fields to find none: most records list no
   * file, and a record listing one has the key in its text. */
  if (!record->deleted && record->fields_json != NULL &&
      strstr (record->fields_json, "\"attachments\"") != NULL)
    {
      stmt = statement (self,
                        "INSERT OR IGNORE INTO record_blobs (sha256, record_id)"
                        " SELECT json_extract (a.value, '$.sha256'), ?1"
                        " FROM json_each (?2, '$.attachments') a"
                        " WHERE json_type (a.value, '$.sha256') = 'text'", error);
      if (stmt == NULL)
        return FALSE;
      bind_text (stmt, 1, record->id);
      bind_text (stmt, 2, record->fields_json);
      if (!step_done (self, stmt, "list files", error))
        return FALSE;
    }

  record->seq = seq;
  return TRUE;
}

static gboolean
sqlite_blob_find (BbServerStore        *store,
                  const char           *sha256,
                  const BbServerScope  *scope,
                  const char           *except,
                  char                **record_id,
                  GError              **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  sqlite3_stmt *stmt;
  int rc;

  *record_id = NULL;
  stmt = statement (self,
                    "SELECT r.id FROM record_blobs b JOIN records r ON r.id = b.record_id"
                    " WHERE b.sha256 = ?1 AND r.deleted = 0"
                    " AND (?5 IS NULL OR r.id <> ?5)"
                    " AND (?2 OR r.author_id = ?3"
                    "  OR (?4 IS NOT NULL AND r.kind = 's59_warning' AND r.occurred_at >= ?4))"
                    " ORDER BY r.seq LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, sha256);
  sqlite3_bind_int (stmt, 2, scope->everything ? 1 : 0);
  bind_text (stmt, 3, scope->user_id);
  bind_text (stmt, 4, scope->s59_since);
  bind_text (stmt, 5, except);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *record_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return db_error (self, error, "find a file's record");
  return TRUE;
}

static GPtrArray *
sqlite_record_blobs (BbServerStore  *store,
                     const char     *record_id,
                     GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  g_autoptr(GPtrArray) hashes = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = statement (self, "SELECT sha256 FROM record_blobs WHERE record_id = ? ORDER BY sha256", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, record_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (hashes, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      db_error (self, error, "list a record's files");
      return NULL;
    }
  return g_steal_pointer (&hashes);
}

static GPtrArray *
sqlite_records_pull (BbServerStore        *store,
                     const BbServerScope  *scope,
                     gint64                since,
                     guint                 limit,
                     gboolean             *more,
                     GError              **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  sqlite3_stmt *stmt;

  stmt = statement (self,
                    "SELECT " RECORD_COLUMNS " FROM records r"
                    " LEFT JOIN users u ON u.id = r.author_id"
                    " WHERE r.seq > ?1 AND (?2 OR r.author_id = ?3"
                    "  OR (?4 IS NOT NULL AND r.kind = 's59_warning' AND r.occurred_at >= ?4))"
                    " ORDER BY r.seq LIMIT ?5", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, since);
  sqlite3_bind_int (stmt, 2, scope->everything ? 1 : 0);
  bind_text (stmt, 3, scope->user_id);
  bind_text (stmt, 4, scope->s59_since);
  /* One more than asked, to know whether there is more. */
  sqlite3_bind_int64 (stmt, 5, (gint64) limit + 1);

  return collect_records (self, stmt, limit, more, error);
}

static GPtrArray *
sqlite_s59_lookup (BbServerStore  *store,
                   const char     *vrm,
                   const char     *surname,
                   const char     *dob,
                   const char     *issued_since,
                   GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  sqlite3_stmt *stmt;

  stmt = statement (self,
                    "SELECT " RECORD_COLUMNS " FROM records r"
                    " LEFT JOIN users u ON u.id = r.author_id"
                    " WHERE r.kind = 's59_warning' AND r.deleted = 0 AND r.occurred_at >= ?4"
                    " AND ((?1 IS NOT NULL AND r.lookup_vrm = ?1)"
                    "  OR (?2 IS NOT NULL AND r.lookup_surname = ?2 AND r.lookup_dob = ?3))"
                    " ORDER BY r.occurred_at DESC, r.id LIMIT 500", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, vrm);
  bind_text (stmt, 2, surname);
  bind_text (stmt, 3, dob);
  bind_text (stmt, 4, issued_since);

  return collect_records (self, stmt, 0, NULL, error);
}

/* Audit */

static gboolean
sqlite_audit_append (BbServerStore             *store,
                     const BbServerAuditEntry  *entry,
                     GError                   **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  sqlite3_stmt *stmt;

  stmt = statement (self,
                    "INSERT INTO audit (at, user_id, device_id, action, record_id, detail)"
                    " VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, entry->at);
  bind_text (stmt, 2, entry->user_id);
  bind_text (stmt, 3, entry->device_id);
  bind_text (stmt, 4, entry->action);
  bind_text (stmt, 5, entry->record_id);
  bind_text (stmt, 6, entry->detail);
  return step_done (self, stmt, "append audit entry", error);
}

/* Rows per multi-row INSERT of the audit log. */
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
        g_string_append (text, i == 0 ? "(?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?)");
      sql = g_string_free (text, FALSE);
      g_once_init_leave (&once, 1);
    }

  return sql;
}

static gboolean
sqlite_audit_append_many (BbServerStore              *store,
                          BbServerAuditEntry * const *entries,
                          guint                       n_entries,
                          GError                    **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  guint done = 0;

  /* Rows of one INSERT get consecutive seqs in the order given. */
  while (n_entries - done >= AUDIT_ROWS_PER_INSERT)
    {
      sqlite3_stmt *stmt = statement (self, audit_many_sql (), error);

      if (stmt == NULL)
        return FALSE;
      for (guint i = 0; i < AUDIT_ROWS_PER_INSERT; i++)
        {
          const BbServerAuditEntry *entry = entries[done + i];
          int base = (int) i * 6;

          bind_text (stmt, base + 1, entry->at);
          bind_text (stmt, base + 2, entry->user_id);
          bind_text (stmt, base + 3, entry->device_id);
          bind_text (stmt, base + 4, entry->action);
          bind_text (stmt, base + 5, entry->record_id);
          bind_text (stmt, base + 6, entry->detail);
        }
      if (!step_done (self, stmt, "append audit entries", error))
        return FALSE;
      done += AUDIT_ROWS_PER_INSERT;
    }

  for (; done < n_entries; done++)
    if (!sqlite_audit_append (store, entries[done], error))
      return FALSE;

  return TRUE;
}

static GPtrArray *
sqlite_audit_list (BbServerStore  *store,
                   gint64          since,
                   guint           limit,
                   gboolean       *more,
                   GError        **error)
{
  BbServerStoreSqlite *self = sqlite_store (store);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_server_audit_entry_free);
  sqlite3_stmt *stmt;
  int rc;

  *more = FALSE;
  stmt = statement (self,
                    "SELECT a.seq, a.at, a.user_id, u.username, a.device_id, a.action,"
                    " a.record_id, a.detail FROM audit a LEFT JOIN users u ON u.id = a.user_id"
                    " WHERE a.seq > ? ORDER BY a.seq LIMIT ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, since);
  sqlite3_bind_int64 (stmt, 2, (gint64) limit + 1);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      BbServerAuditEntry *entry;

      if (entries->len == limit)
        {
          *more = TRUE;
          rc = SQLITE_DONE;
          break;
        }
      entry = g_new0 (BbServerAuditEntry, 1);
      entry->seq = sqlite3_column_int64 (stmt, 0);
      entry->at = column_dup (stmt, 1);
      entry->user_id = column_dup (stmt, 2);
      entry->username = column_dup (stmt, 3);
      entry->device_id = column_dup (stmt, 4);
      entry->action = column_dup (stmt, 5);
      entry->record_id = column_dup (stmt, 6);
      entry->detail = column_dup (stmt, 7);
      g_ptr_array_add (entries, entry);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      db_error (self, error, "read audit log");
      return NULL;
    }

  return g_steal_pointer (&entries);
}

static const BbServerStoreVTable sqlite_vtable = {
  .close = sqlite_close,
  .reopen = sqlite_reopen,
  .begin = sqlite_begin,
  .commit = sqlite_commit,
  .rollback = sqlite_rollback,
  .savepoint = sqlite_savepoint,
  .release = sqlite_release,
  .rollback_to = sqlite_rollback_to,
  .user_add = sqlite_user_add,
  .user_find = sqlite_user_find,
  .user_set_disabled = sqlite_user_set_disabled,
  .device_add = sqlite_device_add,
  .device_get = sqlite_device_get,
  .device_revoke = sqlite_device_revoke,
  .session_add = sqlite_session_add,
  .session_get = sqlite_session_get,
  .session_revoke = sqlite_session_revoke,
  .session_extend = sqlite_session_extend,
  .login_failure_add = sqlite_login_failure_add,
  .login_failures_count = sqlite_login_failures_count,
  .record_get = sqlite_record_get,
  .record_rev_find = sqlite_record_rev_find,
  .record_put = sqlite_record_put,
  .records_pull = sqlite_records_pull,
  .blob_find = sqlite_blob_find,
  .record_blobs = sqlite_record_blobs,
  .s59_lookup = sqlite_s59_lookup,
  .audit_append = sqlite_audit_append,
  .audit_append_many = sqlite_audit_append_many,
  .audit_list = sqlite_audit_list,
};

static gboolean
query_int (BbServerStoreSqlite  *self,
           const char           *sql,
           int                  *value,
           GError              **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return db_error (self, error, sql);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    return db_error (self, error, sql);
  return TRUE;
}

static gboolean
migrate (BbServerStoreSqlite  *self,
         GError              **error)
{
  int version = 0, app_id = 0, n_tables = 0;

  if (!query_int (self, "PRAGMA user_version", &version, error) ||
      !query_int (self, "PRAGMA application_id", &app_id, error) ||
      !query_int (self, "SELECT count(*) FROM sqlite_schema", &n_tables, error))
    return FALSE;

  if ((app_id != 0 && app_id != APPLICATION_ID) || (app_id == 0 && n_tables > 0))
    {
      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_CORRUPT,
                   _("%s is not a beatbook-server database"), self->path);
      return FALSE;
    }
  if (version > bb_server_store_sqlite_schema_version ())
    {
      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_TOO_NEW,
                   _("%s was written by a newer beatbook-server (schema %d; this one knows %d)"),
                   self->path, version, bb_server_store_sqlite_schema_version ());
      return FALSE;
    }

  for (int i = version; i < bb_server_store_sqlite_schema_version (); i++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d;"
                                               "PRAGMA application_id = %d;",
                                               i + 1, APPLICATION_ID);

      /* Each step in its own transaction: a crash leaves the last good one. */
      if (!exec_sql (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!exec_sql (self, migrations[i], error) || !exec_sql (self, bump, error))
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
      if (!exec_sql (self, "COMMIT", error))
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
    }

  return TRUE;
}

static void
finalize_statement (gpointer data)
{
  sqlite3_finalize (data);
}

/* Creates @path readable by its owner only, or takes the others' rights
 * away from an existing one (and its -wal and -shm): the records are
 * police and personal data, and a usual umask (022) would let every local
 * account read them. SQLite gives the journal files the database's mode. */
static void
restrict_to_owner (const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };
  GStatBuf st;
  int fd;

  if (g_stat (path, &st) != 0)
    {
      fd = g_open (path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
      if (fd >= 0)
        close (fd);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      if (g_stat (file, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & 0077) != 0)
        g_chmod (file, st.st_mode & 0700);
    }
}

BbServerStore *
bb_server_store_sqlite_open (const char  *path,
                             GError     **error)
{
  BbServerStoreSqlite *self;
  g_autoptr(BbServerStore) store = NULL;
  const char *max_pages;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_new0 (BbServerStoreSqlite, 1);
  self->parent.vtable = &sqlite_vtable;
  self->path = g_strdup (path);
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, finalize_statement);
  store = (BbServerStore *) self;

  if (strcmp (path, ":memory:") != 0)
    restrict_to_owner (path);
  if (sqlite3_open_v2 (path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK)
    {
      if (self->db == NULL)
        {
          g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_FAILED,
                       _("Could not open %s: out of memory"), path);
          return NULL;
        }
      db_error (self, error, "open");
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 0);
  /* The server's workers each have a connection: a writer waits for the
   * one before it (a push of 500 changes takes well under a second) rather
   * than failing. */
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  /* synchronous=FULL: a push answered "applied" must survive a power cut. */
  if (!exec_sql (self, "PRAGMA journal_mode = WAL", error) ||
      !exec_sql (self, "PRAGMA synchronous = FULL", error) ||
      !exec_sql (self, "PRAGMA foreign_keys = ON", error) ||
      !migrate (self, error))
    return NULL;

  /* Tests only (tests/faults): a database that cannot grow past this many
   * pages (SQLite keeps at least the pages it has), as on a full disk. */
  max_pages = g_getenv ("BEATBOOK_TEST_MAX_PAGE_COUNT");
  if (max_pages != NULL && *max_pages != '\0')
    {
      g_autofree char *sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GUINT64_FORMAT,
                                              g_ascii_strtoull (max_pages, NULL, 10));

      if (!exec_sql (self, sql, error))
        return NULL;
    }

  return g_steal_pointer (&store);
}
