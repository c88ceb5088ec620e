/* bb-server-migrate.c: moving a partnership from SQLite to PostgreSQL
 *
 * "beatbook-server migrate --from PATH --to postgresql://..." copies every
 * table row for row, keeping ids, seqs and token hashes, so devices go on
 * syncing from the cursors they hold with the tokens they have. All of it
 * is one PostgreSQL transaction under the writers' lock: it lands whole or
 * not at all. Before committing, each table is read back from PostgreSQL
 * and its row count and SHA-256 (over the rows in key order, in one text
 * form for both engines) compared with the source's. A target that holds
 * any data is refused, so running it twice changes nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <string.h>

#include "bb-i18n.h"
#include "bb-server-migrate.h"
#include "bb-server-store.h"

/* The key of the writers' lock (bb-server-store-pg.c). */
#define WRITE_LOCK_KEY "1112691542"

/* Column types, one letter each: text, integer, boolean. */
typedef struct
{
  const char *table;
  const char *columns;
  const char *types;
  const char *order_sqlite;
  const char *order_pg;
} TableSpec;

/* In foreign-key order. login_failures has no id column here: PostgreSQL
 * numbers them itself, in the same order. */
static const TableSpec tables[] = {
  { "users", "id, username, display_name, role, staff_number, password_hash, disabled, created_at",
    "ttttttbt", "id", "id COLLATE \"C\"" },
  { "devices", "id, name, user_id, created_at, revoked_at",
    "ttttt", "id", "id COLLATE \"C\"" },
  { "sessions", "token_hash, user_id, device_id, created_at, expires_at, revoked",
    "tttttb", "token_hash", "token_hash COLLATE \"C\"" },
  { "login_failures", "username, at",
    "tt", "id", "id" },
  { "records", "id, kind, rev, seq, deleted, occurred_at, created_at, updated_at, priority,"
    " author_id, fields, review_state, review, lookup_vrm, lookup_surname, lookup_dob, written_by",
    "ttiibtttitttttttt", "seq", "seq" },
  { "record_revisions", "record_id, rev, change_hash, seq",
    "titi", "record_id, rev", "record_id COLLATE \"C\", rev" },
  { "audit", "seq, at, user_id, device_id, action, record_id, detail",
    "itttttt", "seq", "seq" },
};

typedef struct
{
  guint      rows;
  GChecksum *sum;
} Tally;

static void
tally_init (Tally *t)
{
  t->rows = 0;
  t->sum = g_checksum_new (G_CHECKSUM_SHA256);
}

/* One text form for a value from either engine: NULL, booleans as t/f. */
static void
tally_value (Tally       *t,
             const char  *value,
             char         type,
             gboolean     first)
{
  static const guchar unit = 0x1f, null_mark[] = "\\N";

  if (!first)
    g_checksum_update (t->sum, &unit, 1);
  if (value == NULL)
    g_checksum_update (t->sum, null_mark, 2);
  else if (type == 'b')
    g_checksum_update (t->sum, (const guchar *) ((value[0] == 't' || value[0] == '1') ? "t" : "f"), 1);
  else
    g_checksum_update (t->sum, (const guchar *) value, (gssize) strlen (value));
}

static void
tally_row_end (Tally *t)
{
  static const guchar record = 0x1e;

  g_checksum_update (t->sum, &record, 1);
  t->rows++;
}

static gboolean
pg_ok (PGresult    *res,
       PGconn      *conn,
       const char  *what,
       GError     **error)
{
  ExecStatusType status = PQresultStatus (res);

  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    return TRUE;
  {
    g_autofree char *message = g_strstrip (g_strdup (PQerrorMessage (conn)));

    g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_FAILED,
                 _("PostgreSQL refused %s: %s"), what, message);
  }
  return FALSE;
}

static gboolean
pg_exec (PGconn      *conn,
         const char  *sql,
         GError     **error)
{
  PGresult *res = PQexec (conn, sql);
  gboolean ok = pg_ok (res, conn, sql, error);

  PQclear (res);
  return ok;
}

static gboolean
sqlite_failed (sqlite3     *db,
               const char  *path,
               GError     **error)
{
  g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_FAILED,
               _("Could not read %s: %s"), path, sqlite3_errmsg (db));
  return FALSE;
}

/* Copies one table, tallying what it read. */
static gboolean
copy_table (const TableSpec  *spec,
            sqlite3          *src,
            const char       *from,
            PGconn           *dst,
            Tally            *tally,
            GError          **error)
{
  g_autofree char *select = g_strdup_printf ("SELECT %s FROM %s ORDER BY %s",
                                             spec->columns, spec->table, spec->order_sqlite);
  g_autoptr(GString) insert = g_string_new (NULL);
  g_autofree char *stmt_name = g_strdup_printf ("migrate_%s", spec->table);
  int n_columns = (int) strlen (spec->types);
  sqlite3_stmt *stmt = NULL;
  PGresult *res;
  int rc;

  g_string_printf (insert, "INSERT INTO %s (%s) VALUES (", spec->table, spec->columns);
  for (int i = 0; i < n_columns; i++)
    g_string_append_printf (insert, "%s$%d", i > 0 ? ", " : "", i + 1);
  g_string_append (insert, ")");
  res = PQprepare (dst, stmt_name, insert->str, 0, NULL);
  if (!pg_ok (res, dst, insert->str, error))
    {
      PQclear (res);
      return FALSE;
    }
  PQclear (res);

  if (sqlite3_prepare_v2 (src, select, -1, &stmt, NULL) != SQLITE_OK)
    return sqlite_failed (src, from, error);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *values[32];
      gboolean ok;

      for (int i = 0; i < n_columns; i++)
        {
          const char *v = sqlite3_column_type (stmt, i) == SQLITE_NULL
                          ? NULL : (const char *) sqlite3_column_text (stmt, i);

          if (v != NULL && spec->types[i] == 'b')
            v = g_str_equal (v, "0") ? "f" : "t";
          values[i] = v;
          tally_value (tally, v, spec->types[i], i == 0);
        }
      tally_row_end (tally);

      res = PQexecPrepared (dst, stmt_name, n_columns, values, NULL, NULL, 0);
      ok = pg_ok (res, dst, spec->table, error);
      PQclear (res);
      if (!ok)
        {
          sqlite3_finalize (stmt);
          return FALSE;
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return sqlite_failed (src, from, error);
  return TRUE;
}

/* Reads the table back from PostgreSQL, tallying it the same way. */
static gboolean
tally_pg (const TableSpec  *spec,
          PGconn           *dst,
          Tally            *tally,
          GError          **error)
{
  g_autofree char *select = g_strdup_printf ("SELECT %s FROM %s ORDER BY %s",
                                             spec->columns, spec->table, spec->order_pg);
  int n_columns = (int) strlen (spec->types);
  PGresult *res = PQexec (dst, select);

  if (!pg_ok (res, dst, select, error))
    {
      PQclear (res);
      return FALSE;
    }
  for (int r = 0; r < PQntuples (res); r++)
    {
      for (int i = 0; i < n_columns; i++)
        tally_value (tally, PQgetisnull (res, r, i) ? NULL : PQgetvalue (res, r, i),
                     spec->types[i], i == 0);
      tally_row_end (tally);
    }
  PQclear (res);
  return TRUE;
}

/* Tables the move leaves behind on purpose: the seq counter is set from the
 * file's afterwards; SQLite keeps its own bookkeeping; record_blobs is an
 * index of the records' fields.attachments, which the PostgreSQL engine
 * reads from the fields themselves. */
static const char *not_moved[] = { "counters", "sqlite_sequence", "record_blobs", NULL };
/* Columns known and left behind on purpose (none at present: records'
 * written_by moves, so devices are still spared their own revisions). */
static const char *columns_not_moved[] = { NULL };

/* Refuses a file with a table or column this build does not know how to
 * move, so nothing is ever left behind without a word (a newer server's
 * file, or a schema step that forgot this list). */
static gboolean
check_schema_known (sqlite3     *src,
                    const char  *from,
                    GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (src, "SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info (m.name) p"
                               " WHERE m.type = 'table' ORDER BY m.name, p.cid", -1, &stmt, NULL) != SQLITE_OK)
    return sqlite_failed (src, from, error);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *table = (const char *) sqlite3_column_text (stmt, 0);
      const char *column = (const char *) sqlite3_column_text (stmt, 1);
      const TableSpec *spec = NULL;
      gboolean known = FALSE;

      if (g_strv_contains (not_moved, table))
        continue;
      {
        g_autofree char *qualified = g_strdup_printf ("%s.%s", table, column);

        if (g_strv_contains (columns_not_moved, qualified))
          continue;
      }
      for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
        if (g_str_equal (tables[i].table, table))
          spec = &tables[i];
      if (spec != NULL)
        {
          g_auto(GStrv) columns = g_strsplit (spec->columns, ",", -1);

          /* login_failures' id is numbered anew in the same order. */
          known = g_str_equal (table, "login_failures") && g_str_equal (column, "id");
          for (guint i = 0; columns[i] != NULL && !known; i++)
            known = g_str_equal (g_strstrip (columns[i]), column);
        }
      if (!known)
        {
          g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_FAILED,
                       _("%s has %s.%s, which this beatbook-server does not know how to move; "
                         "nothing was changed"), from, table, column);
          sqlite3_finalize (stmt);
          return FALSE;
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return sqlite_failed (src, from, error);
  return TRUE;
}

static gint64
pg_count (PGconn     *dst,
          const char *sql)
{
  PGresult *res = PQexec (dst, sql);
  gint64 n = -1;

  if (PQresultStatus (res) == PGRES_TUPLES_OK && PQntuples (res) == 1)
    n = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
  PQclear (res);
  return n;
}

static gboolean
migrate_in_transaction (const char  *from,
                        sqlite3     *src,
                        PGconn      *dst,
                        GString     *report,
                        GError     **error)
{
  gint64 held;
  gboolean all_match = TRUE;
  sqlite3_stmt *stmt = NULL;
  gint64 record_seq = 0;

  if (!check_schema_known (src, from, error))
    return FALSE;

  /* Nobody writes while the partnership moves in. */
  if (!pg_exec (dst, "SELECT pg_advisory_xact_lock (" WRITE_LOCK_KEY ")", error))
    return FALSE;

  held = pg_count (dst, "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM devices)"
                        " + (SELECT count(*) FROM records) + (SELECT count(*) FROM audit)");
  if (held != 0)
    {
      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_EXISTS,
                   _("The PostgreSQL database already holds a partnership’s data "
                     "(users, devices, records or audit entries): migrate only into an "
                     "empty database. Nothing was changed."));
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      Tally source, target;
      g_autofree char *line = NULL;
      const char *source_sum, *target_sum;
      gboolean match;

      tally_init (&source);
      tally_init (&target);
      if (!copy_table (&tables[i], src, from, dst, &source, error) ||
          !tally_pg (&tables[i], dst, &target, error))
        {
          g_checksum_free (source.sum);
          g_checksum_free (target.sum);
          return FALSE;
        }
      source_sum = g_checksum_get_string (source.sum);
      target_sum = g_checksum_get_string (target.sum);
      match = source.rows == target.rows && g_str_equal (source_sum, target_sum);
      all_match = all_match && match;
      g_string_append_printf (report, "%-17s %7u -> %-7u sha256 %.16s %s %.16s  %s\n",
                              tables[i].table, source.rows, target.rows, source_sum,
                              match ? "=" : "≠", target_sum,
                              match ? _("match") : _("DIFFER"));
      g_checksum_free (source.sum);
      g_checksum_free (target.sum);
    }

  if (!all_match)
    {
      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_FAILED,
                   _("What PostgreSQL holds differs from the SQLite file; nothing was changed"));
      return FALSE;
    }

  /* The next seqs follow on from the file's. */
  if (sqlite3_prepare_v2 (src, "SELECT value FROM counters WHERE name = 'record_seq'",
                          -1, &stmt, NULL) != SQLITE_OK)
    return sqlite_failed (src, from, error);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    record_seq = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  {
    g_autofree char *sql = g_strdup_printf ("UPDATE counters SET value = GREATEST (%" G_GINT64_FORMAT ","
                                            " (SELECT coalesce (max (seq), 0) FROM records))"
                                            " WHERE name = 'record_seq'", record_seq);

    if (!pg_exec (dst, sql, error) ||
        !pg_exec (dst, "SELECT setval (pg_get_serial_sequence ('audit', 'seq'),"
                       " coalesce ((SELECT max (seq) FROM audit), 1),"
                       " (SELECT count(*) > 0 FROM audit))", error))
      return FALSE;
  }

  return TRUE;
}

static gboolean
is_sha256_name (const char *name)
{
  if (strlen (name) != 64)
    return FALSE;
  for (const char *c = name; *c != '\0'; c++)
    if (!g_ascii_isdigit (*c) && !(*c >= 'a' && *c <= 'f'))
      return FALSE;
  return TRUE;
}

static char *
sha256_of_file (const char  *path,
                GError     **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, error);
  guchar buffer[65536];
  gssize n;

  if (in == NULL)
    return NULL;
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buffer, sizeof buffer, NULL, error)) > 0)
    g_checksum_update (sum, buffer, n);
  if (n < 0)
    return NULL;
  return g_strdup (g_checksum_get_string (sum));
}

/* Copies the evidence files (whole ones, named by their SHA-256) from
 * beside the file into @blob_dir, each checked by hashing the copy. A file
 * already there with the right bytes is left as it is. Unfinished uploads
 * stay behind: devices resume them. */
static gboolean
copy_blobs (const char  *from,
            const char  *blob_dir,
            GString     *report,
            GError     **error)
{
  g_autofree char *source = g_strconcat (from, ".blobs", NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint n_source = 0, n_copied = 0, n_present = 0;

  if (!g_file_test (source, G_FILE_TEST_IS_DIR))
    return TRUE;
  dir = g_dir_open (source, 0, error);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (source, name, NULL);

      if (is_sha256_name (name) && g_file_test (path, G_FILE_TEST_IS_REGULAR))
        n_source++;
    }
  if (n_source == 0)
    return TRUE;
  if (blob_dir == NULL)
    {
      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_FAILED,
                   _("%s holds %u evidence files: give --blob-dir DIR, the directory the "
                     "PostgreSQL servers keep them in; nothing was changed"), source, n_source);
      return FALSE;
    }
  if (g_mkdir_with_parents (blob_dir, 0700) != 0)
    {
      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_FAILED,
                   _("Cannot create %s: %s"), blob_dir, g_strerror (errno));
      return FALSE;
    }

  g_dir_rewind (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (source, name, NULL);
      g_autofree char *target = g_build_filename (blob_dir, name, NULL);
      g_autofree char *partial = g_strconcat (target, ".migrating", NULL);
      g_autofree char *held = NULL;
      g_autofree char *copied = NULL;
      g_autoptr(GFile) src = NULL;
      g_autoptr(GFile) dst = NULL;

      if (!is_sha256_name (name) || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      if (g_file_test (target, G_FILE_TEST_EXISTS))
        {
          held = sha256_of_file (target, error);
          if (held == NULL)
            return FALSE;
          if (g_str_equal (held, name))
            {
              n_present++;
              continue;
            }
        }
      src = g_file_new_for_path (path);
      dst = g_file_new_for_path (partial);
      if (!g_file_copy (src, dst, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error))
        return FALSE;
      copied = sha256_of_file (partial, error);
      if (copied == NULL)
        return FALSE;
      if (!g_str_equal (copied, name))
        {
          g_unlink (partial);
          g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_FAILED,
                       _("The evidence file %s does not hash to its name (it is %s); "
                         "nothing was changed in PostgreSQL"), path, copied);
          return FALSE;
        }
      if (g_rename (partial, target) != 0)
        {
          g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_FAILED,
                       _("Cannot rename %s: %s"), partial, g_strerror (errno));
          return FALSE;
        }
      n_copied++;
    }

  g_string_append_printf (report, "%-17s %7u -> %-7u sha256 of each file checked: %u copied, %u there already\n",
                          "evidence files", n_source, n_copied + n_present, n_copied, n_present);
  return TRUE;
}

gboolean
bb_server_migrate_sqlite_to_pg (const char  *from,
                                const char  *to,
                                const char  *blob_dir,
                                GString     *report,
                                GError     **error)
{
  g_autoptr(BbServerStore) store = NULL;
  sqlite3 *src = NULL;
  PGconn *dst = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (from != NULL && to != NULL && report != NULL, FALSE);

  if (!g_file_test (from, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_NOT_FOUND,
                   _("There is no SQLite database at %s"), from);
      return FALSE;
    }

  /* Both brought to this build's schema (and the file checked to be a
   * beatbook-server database) by opening them as the server would. */
  store = bb_server_store_sqlite_open (from, error);
  if (store == NULL)
    return FALSE;
  g_clear_pointer (&store, bb_server_store_close);
  store = bb_server_store_pg_open (to, error);
  if (store == NULL)
    return FALSE;
  g_clear_pointer (&store, bb_server_store_close);

  if (sqlite3_open_v2 (from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      sqlite_failed (src, from, error);
      sqlite3_close (src);
      return FALSE;
    }
  sqlite3_busy_timeout (src, 5000);
  dst = PQconnectdb (to);
  if (PQstatus (dst) != CONNECTION_OK)
    {
      g_autofree char *message = g_strstrip (g_strdup (PQerrorMessage (dst)));

      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_FAILED,
                   _("Could not connect to PostgreSQL: %s"), message);
      goto out;
    }

  /* A second run is refused before any file is touched (and again below,
   * under the lock, in case a server wrote meanwhile). */
  if (pg_count (dst, "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM devices)"
                     " + (SELECT count(*) FROM records) + (SELECT count(*) FROM audit)") != 0)
    {
      g_set_error (error, BB_SERVER_STORE_ERROR, BB_SERVER_STORE_ERROR_EXISTS,
                   _("The PostgreSQL database already holds a partnership’s data "
                     "(users, devices, records or audit entries): migrate only into an "
                     "empty database. Nothing was changed."));
      goto out;
    }
  if (!copy_blobs (from, blob_dir, report, error))
    goto out;

  /* One snapshot of the file; one transaction in PostgreSQL. */
  if (sqlite3_exec (src, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    {
      sqlite_failed (src, from, error);
      goto out;
    }
  if (!pg_exec (dst, "BEGIN", error))
    goto out;

  if (!migrate_in_transaction (from, src, dst, report, error))
    {
      PQclear (PQexec (dst, "ROLLBACK"));
      goto out;
    }
  if (!pg_exec (dst, "COMMIT", error))
    goto out;
  ok = TRUE;

out:
  sqlite3_exec (src, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (src);
  PQfinish (dst);
  return ok;
}
