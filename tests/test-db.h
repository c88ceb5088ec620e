/* test-db.h: a fresh server database for a test, SQLite or PostgreSQL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server, sync and audit suites run twice (see their meson.build): once
 * on SQLite files, once with BEATBOOK_TEST_BACKEND=postgresql on the
 * cluster that BEATBOOK_TEST_PG_URI names (.ci/run starts one). Each test
 * asks for a fresh database here: a file in its directory, or a database
 * of its own created on that cluster (and dropped afterwards).
 *
 * Header-only; functions are static and marked unused.
 */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__GNUC__)
# pragma GCC diagnostic ignored "-Wunused-function"
#endif

static gboolean
test_db_is_postgresql (void)
{
  return g_strcmp0 (g_getenv ("BEATBOOK_TEST_BACKEND"), "postgresql") == 0;
}

/* Call first in main(). The PostgreSQL variant without a cluster: loud,
 * and a failure in CI (never a skip there), a skip elsewhere. */
static void
test_db_require (void)
{
  const char *uri = g_getenv ("BEATBOOK_TEST_PG_URI");
  gboolean ci = g_strcmp0 (g_getenv ("CI"), "true") == 0;

  if (!test_db_is_postgresql () || (uri != NULL && *uri != '\0'))
    return;

  fprintf (stderr,
           "\n"
           "************************************************************\n"
           "* THE POSTGRESQL VARIANT OF THIS SUITE DID NOT RUN:        *\n"
           "* BEATBOOK_TEST_PG_URI is not set. Start a cluster with    *\n"
           "*   .ci/pg-test-cluster start DIR                          *\n"
           "* and export the URI it prints (as .ci/run does).          *\n"
           "************************************************************\n\n");
  exit (ci ? 1 : 77);
}

/* The cluster's URI with @dbname as its database. (transfer full) */
static char *
test_db_pg_uri_for (const char *dbname)
{
  const char *base = g_getenv ("BEATBOOK_TEST_PG_URI");
  const char *authority, *path, *query;
  g_autofree char *prefix = NULL;

  g_assert_nonnull (base);
  authority = strstr (base, "://");
  g_assert_nonnull (authority);
  authority += 3;
  path = authority + strcspn (authority, "/?");
  query = strchr (path, '?');
  prefix = g_strndup (base, (gsize) (path - base));
  return g_strconcat (prefix, "/", dbname, query != NULL ? query : "", NULL);
}

static PGconn *
test_db_pg_admin (void)
{
  PGconn *conn = PQconnectdb (g_getenv ("BEATBOOK_TEST_PG_URI"));

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("cannot connect to BEATBOOK_TEST_PG_URI: %s", PQerrorMessage (conn));
  return conn;
}

static void
test_db_pg_exec (const char *uri,
                 const char *sql)
{
  PGconn *conn = uri != NULL ? PQconnectdb (uri) : test_db_pg_admin ();
  PGresult *res;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("cannot connect to %s: %s", uri, PQerrorMessage (conn));
  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  PQclear (res);
  PQfinish (conn);
}

/* The database name of a URI test_db_new() made. */
static char *
test_db_pg_name (const char *uri)
{
  const char *slash = strrchr (uri, '/');
  const char *query = strchr (slash, '?');

  return g_strndup (slash + 1, query != NULL ? (gsize) (query - slash - 1) : strlen (slash + 1));
}

/* A fresh, empty database: the file @dir/@name, or a new database on the
 * cluster (made from @template, a URI test_db_new() returned, when given:
 * PostgreSQL copies it, as the SQLite variant copies the file). The --db
 * argument for beatbook-server. (transfer full) */
static char *
test_db_new_from (const char *dir,
                  const char *name,
                  const char *template)
{
  static gint counter;
  g_autofree char *dbname = NULL;
  g_autofree char *sql = NULL;

  if (!test_db_is_postgresql ())
    {
      char *path = g_build_filename (dir, name, NULL);

      if (template != NULL)
        {
          const char *suffixes[] = { "", "-wal", NULL };

          for (guint i = 0; suffixes[i] != NULL; i++)
            {
              g_autofree char *from = g_strconcat (template, suffixes[i], NULL);
              g_autofree char *to = g_strconcat (path, suffixes[i], NULL);
              g_autofree char *data = NULL;
              g_autoptr(GError) error = NULL;
              gsize len;

              if (!g_file_test (from, G_FILE_TEST_EXISTS))
                continue;
              g_file_get_contents (from, &data, &len, &error);
              g_assert_no_error (error);
              g_file_set_contents (to, data, (gssize) len, &error);
              g_assert_no_error (error);
            }
        }
      return path;
    }

  dbname = g_strdup_printf ("bbtest_%d_%d_%08x", (int) getpid (),
                            g_atomic_int_add (&counter, 1), g_random_int ());
  if (template != NULL)
    {
      g_autofree char *from = test_db_pg_name (template);

      sql = g_strdup_printf ("CREATE DATABASE %s TEMPLATE %s", dbname, from);
    }
  else
    {
      sql = g_strdup_printf ("CREATE DATABASE %s", dbname);
    }
  test_db_pg_exec (NULL, sql);
  return test_db_pg_uri_for (dbname);
}

static char *
test_db_new (const char *dir,
             const char *name)
{
  return test_db_new_from (dir, name, NULL);
}

/* Drops a database test_db_new() made on the cluster (a file goes with its
 * test's directory). */
static void
test_db_drop (const char *db)
{
  g_autofree char *dbname = NULL;
  g_autofree char *sql = NULL;

  if (db == NULL || !g_str_has_prefix (db, "postgres"))
    return;
  dbname = test_db_pg_name (db);
  sql = g_strdup_printf ("DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
  test_db_pg_exec (NULL, sql);
}

/* Runs @sql on the database @db (a file or a URI test_db_new() made). */
static void
test_db_exec (const char *db,
              const char *sql)
{
  sqlite3 *file = NULL;
  char *message = NULL;

  if (g_str_has_prefix (db, "postgres"))
    {
      test_db_pg_exec (db, sql);
      return;
    }
  g_assert_cmpint (sqlite3_open (db, &file), ==, SQLITE_OK);
  sqlite3_busy_timeout (file, 5000);
  if (sqlite3_exec (file, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (file);
}

/* The first column of the first row @sql returns on @db, as text, or NULL.
 * (transfer full) */
static char *
test_db_query (const char *db,
               const char *sql)
{
  char *value = NULL;

  if (g_str_has_prefix (db, "postgres"))
    {
      PGconn *conn = PQconnectdb (db);
      PGresult *res;

      if (PQstatus (conn) != CONNECTION_OK)
        g_error ("cannot connect to %s: %s", db, PQerrorMessage (conn));
      res = PQexec (conn, sql);
      if (PQresultStatus (res) != PGRES_TUPLES_OK)
        g_error ("%s: %s", sql, PQerrorMessage (conn));
      if (PQntuples (res) > 0 && !PQgetisnull (res, 0, 0))
        value = g_strdup (PQgetvalue (res, 0, 0));
      PQclear (res);
      PQfinish (conn);
    }
  else
    {
      sqlite3 *file = NULL;
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_open (db, &file), ==, SQLITE_OK);
      sqlite3_busy_timeout (file, 5000);
      if (sqlite3_prepare_v2 (file, sql, -1, &stmt, NULL) != SQLITE_OK)
        g_error ("%s: %s", sql, sqlite3_errmsg (file));
      if (sqlite3_step (stmt) == SQLITE_ROW)
        value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_finalize (stmt);
      sqlite3_close (file);
    }
  return value;
}

/* Whether @needle is anywhere in the database: in the file's bytes (free
 * pages too), or in any row of PostgreSQL's tables. */
static gboolean
test_db_contains (const char *db,
                  const char *needle)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (g_str_has_prefix (db, "postgres"))
    {
      PGconn *conn = PQconnectdb (db);
      PGresult *tables, *res;
      gboolean found = FALSE;

      if (PQstatus (conn) != CONNECTION_OK)
        g_error ("cannot connect to %s: %s", db, PQerrorMessage (conn));
      tables = PQexec (conn, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema ()");
      g_assert_cmpint (PQresultStatus (tables), ==, PGRES_TUPLES_OK);
      for (int i = 0; i < PQntuples (tables) && !found; i++)
        {
          g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s t WHERE strpos (t::text, $1) > 0",
                                                  PQgetvalue (tables, i, 0));
          const char *params[] = { needle };

          res = PQexecParams (conn, sql, 1, NULL, params, NULL, NULL, 0);
          g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
          found = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10) > 0;
          PQclear (res);
        }
      PQclear (tables);
      PQfinish (conn);
      return found;
    }

  if (!g_file_get_contents (db, &data, &len, NULL))
    return FALSE;
  for (gsize at = 0; at + strlen (needle) <= len; at++)
    if (memcmp (data + at, needle, strlen (needle)) == 0)
      return TRUE;
  return FALSE;
}
