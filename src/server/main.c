/* main.c: beatbook-server, the central sync endpoint (sync-api.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server"

#include "config.h"

#include <glib-unix.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "bb-i18n.h"
#include "bb-kind.h"
#include "bb-profile.h"
#include "bb-server.h"
#include "bb-server-auth.h"
#include "bb-server-migrate.h"
#include "bb-server-net.h"
#include "bb-server-retention.h"
#include "bb-server-store.h"
#include "bb-server-util.h"

/* Exit statuses: 0 done, 1 it failed, 2 the command line was wrong. */
#define EXIT_FAILED 1
#define EXIT_USAGE  2

/* How long SIGTERM waits for requests in flight before closing anyway. */
#define SHUTDOWN_GRACE_MS 10000

static const char commands_summary[] =
  N_("Commands:\n"
     "  serve          Answer the sync API over HTTP or HTTPS\n"
     "  user add       Create a user (the password is read from standard input)\n"
     "  user disable   Disable a user and revoke their sessions\n"
     "  device revoke  Revoke a device: it is told to wipe its data\n"
     "  migrate        Move a partnership from a SQLite file into PostgreSQL\n"
     "  erase-expired  Erase the records past their kind's retention period\n"
     "\n"
     "Run “beatbook-server COMMAND --help” for the options of a command.");

static int
usage_error (const char *command,
             const char *message)
{
  g_printerr ("beatbook-server%s%s: %s\n", command != NULL ? " " : "",
              command != NULL ? command : "", message);
  g_printerr (_("Run “beatbook-server%s%s --help” for help.\n"),
              command != NULL ? " " : "", command != NULL ? command : "");
  return EXIT_USAGE;
}

/* Parses @argv with @entries; on failure prints why and returns FALSE. */
static gboolean
parse_options (const char    *command,
               const char    *summary,
               GOptionEntry  *entries,
               int           *argc,
               char        ***argv,
               int           *status)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("beatbook-server %s", command);

  /* So --help reads "beatbook-server user add [OPTION…]". */
  g_set_prgname (prgname);
  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = usage_error (command, error->message);
      return FALSE;
    }
  if (*argc > 1)
    {
      g_autofree char *message = g_strdup_printf (_("unexpected argument “%s”"), (*argv)[1]);
      *status = usage_error (command, message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
require (const char *command,
         const char *value,
         const char *option,
         int        *status)
{
  if (value != NULL && *value != '\0')
    return TRUE;

  {
    g_autofree char *message = g_strdup_printf (_("the option %s is required"), option);
    *status = usage_error (command, message);
  }
  return FALSE;
}

static BbServerStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  BbServerStore *store = bb_server_store_open (path, &error);

  if (store == NULL)
    g_printerr ("beatbook-server: %s\n", error->message);
  return store;
}

/* (transfer full) (nullable): the profile of @path, or the default. */
static BbProfile *
load_profile (const char *path)
{
  g_autoptr(GError) error = NULL;
  BbProfile *profile;

  if (path != NULL)
    profile = bb_profile_new_from_file (path, &error);
  else
    profile = bb_profile_load_default (&error);
  if (profile == NULL)
    g_printerr ("beatbook-server: %s\n", error->message);
  return profile;
}

/* Erases what is past retention at @as_of; prints and logs the count. */
static gboolean
sweep_retention (BbServerStore *store,
                 BbServerBlobs *blobs,
                 BbProfile     *profile,
                 GDateTime     *as_of,
                 gboolean       print)
{
  g_autoptr(GError) error = NULL;
  guint n = 0;

  if (!bb_server_erase_expired (store, blobs, profile, as_of, &n, &error))
    {
      g_printerr (_("beatbook-server: erasing the records past retention failed: %s\n"), error->message);
      return FALSE;
    }
  if (print)
    g_print ("erased %u\n", n);
  else if (n > 0)
    g_message ("Erased %u records past their retention period", n);
  return TRUE;
}

/* erase-expired */

static int
command_erase_expired (int    argc,
                       char **argv)
{
  g_autofree char *db = NULL;
  g_autofree char *as_of_text = NULL;
  g_autofree char *profile_path = NULL;
  g_autoptr(BbProfile) profile = NULL;
  g_autoptr(GDateTime) as_of = NULL;
  g_autoptr(BbServerStore) store = NULL;
  g_autoptr(BbServerBlobs) blobs = NULL;
  g_autofree char *blob_dir = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, N_("The server's database file"), N_("PATH") },
    { "blob-dir", 0, 0, G_OPTION_ARG_FILENAME, &blob_dir, N_("Where the evidence files are kept (as for serve)"), N_("DIR") },
    { "as-of", 0, 0, G_OPTION_ARG_STRING, &as_of_text, N_("Erase what is past retention at this time (ISO 8601; default now)"), N_("TIME") },
    { "profile", 0, 0, G_OPTION_ARG_FILENAME, &profile_path, N_("The partnership profile with the retention periods (default: as serve)"), N_("FILE") },
    { NULL }
  };

  if (!parse_options ("erase-expired", _("Erases every record whose kind's retention_days have passed: its fields go, a tombstone stays for the devices, and an “erase” audit entry keeps the id, kind, occurred_at and the rule. Prints “erased N”."),
                      entries, &argc, &argv, &status))
    return status;
  if (!require ("erase-expired", db, "--db", &status))
    return status;
  if (as_of_text != NULL)
    {
      as_of = g_date_time_new_from_iso8601 (as_of_text, NULL);
      if (as_of == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("--as-of “%s” is not an ISO 8601 time such as 2027-03-01T00:00:00Z"), as_of_text);
          return usage_error ("erase-expired", message);
        }
    }
  else
    as_of = g_date_time_new_now_utc ();

  profile = load_profile (profile_path);
  if (profile == NULL)
    return EXIT_FAILED;
  store = open_store (db);
  if (store == NULL)
    return EXIT_FAILED;

  /* The erased records' files go too (where the server keeps them). */
  if (blob_dir == NULL && !bb_server_store_is_pg_uri (db))
    blob_dir = bb_server_blobs_dir_for_db (db);
  if (blob_dir != NULL && g_file_test (blob_dir, G_FILE_TEST_IS_DIR))
    {
      blobs = bb_server_blobs_open (blob_dir, &error);
      if (blobs == NULL)
        {
          g_printerr (_("beatbook-server: cannot keep evidence files: %s\n"), error->message);
          return EXIT_FAILED;
        }
    }

  return sweep_retention (store, blobs, profile, as_of, TRUE) ? 0 : EXIT_FAILED;
}

/* serve */

typedef struct
{
  BbServerStore *store;
  BbServerBlobs *blobs;
  BbProfile     *profile;
} Retention;

static gboolean
daily_retention (gpointer data)
{
  Retention *retention = data;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  sweep_retention (retention->store, retention->blobs, retention->profile, now, FALSE);
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  GMainLoop *loop;
  BbServer  *server;
  gint64     deadline;
  guint      drain_id;
} ServeState;

static gboolean
drain_tick (gpointer user_data)
{
  ServeState *state = user_data;

  if (bb_server_get_n_in_flight (state->server) == 0 ||
      g_get_monotonic_time () >= state->deadline)
    {
      if (bb_server_get_n_in_flight (state->server) > 0)
        g_warning ("Closing with %u requests still unanswered after %d seconds",
                   bb_server_get_n_in_flight (state->server), SHUTDOWN_GRACE_MS / 1000);
      state->drain_id = 0;
      g_main_loop_quit (state->loop);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
on_terminate (gpointer user_data)
{
  ServeState *state = user_data;

  if (state->drain_id != 0)
    return G_SOURCE_CONTINUE;

  g_message ("Shutting down: finishing %u requests in flight",
             bb_server_get_n_in_flight (state->server));
  bb_server_begin_shutdown (state->server);
  state->deadline = g_get_monotonic_time () + (gint64) SHUTDOWN_GRACE_MS * 1000;
  state->drain_id = g_timeout_add (20, drain_tick, state);
  return G_SOURCE_CONTINUE;
}

static int
command_serve (int    argc,
               char **argv)
{
  g_autofree char *db = NULL;
  g_autofree char *address = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_autofree char *profile_path = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *blob_dir = NULL;
  BbServerBlobs *blobs = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BbProfile) profile = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  BbServerStore *store;
  BbServer *server;
  const char *exchange_log;
  ServeState state = { 0 };
  guint term_id, int_id;
  guint retention_id = 0;
  Retention retention = { 0 };
  guint fd_limit;
  int port = 8080;
  int idle_timeout = BB_SERVER_IDLE_TIMEOUT_DEFAULT;
  int status = 0;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, N_("The server's database: a SQLite file (created if missing) or a postgresql:// URI"), N_("PATH|URI") },
    { "address", 0, 0, G_OPTION_ARG_STRING, &address, N_("The IP address to listen on (default 127.0.0.1)"), N_("ADDRESS") },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, N_("The port to listen on (default 8080; 0 picks a free one)"), N_("PORT") },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, N_("PEM certificate (chain) for HTTPS"), N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, N_("PEM private key for HTTPS"), N_("FILE") },
    { "profile", 0, 0, G_OPTION_ARG_FILENAME, &profile_path, N_("The partnership profile (default: $BEATBOOK_PROFILE or the built-in Dartford profile)"), N_("FILE") },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &idle_timeout, N_("Close a connection after this many seconds with nothing moving (default 60)"), N_("SECONDS") },
    { "blob-dir", 0, 0, G_OPTION_ARG_FILENAME, &blob_dir, N_("Where evidence files (photos, PDFs) are kept (default: beside a SQLite database, DB.blobs; required to keep them with PostgreSQL)"), N_("DIR") },
    { NULL }
  };

  if (!parse_options ("serve", _("Answers the Beatbook sync API. The first line on standard output is “listening on URL”."),
                      entries, &argc, &argv, &status))
    return status;
  if (!require ("serve", db, "--db", &status))
    return status;
  if (port < 0 || port > 65535)
    return usage_error ("serve", _("--port must be from 0 to 65535"));
  if ((tls_cert == NULL) != (tls_key == NULL))
    return usage_error ("serve", _("--tls-cert and --tls-key go together"));
  if (idle_timeout < 1 || idle_timeout > 3600)
    return usage_error ("serve", _("--idle-timeout must be from 1 to 3600 seconds"));

  if (profile_path != NULL)
    profile = bb_profile_new_from_file (profile_path, &error);
  else
    profile = bb_profile_load_default (&error);
  if (profile == NULL)
    {
      g_printerr ("beatbook-server: %s\n", error->message);
      return EXIT_FAILED;
    }

  if (tls_cert != NULL)
    {
      certificate = g_tls_certificate_new_from_files (tls_cert, tls_key, &error);
      if (certificate == NULL)
        {
          g_printerr (_("beatbook-server: cannot use the TLS certificate or key: %s\n"), error->message);
          return EXIT_FAILED;
        }
      if (!bb_server_tls_certificate_check (certificate, &error))
        {
          g_printerr (_("beatbook-server: the private key %s does not belong to the certificate %s "
                        "(a TLS handshake with them fails: %s)\n"),
                      tls_key, tls_cert, error->message);
          return EXIT_FAILED;
        }
    }

  store = open_store (db);
  if (store == NULL)
    return EXIT_FAILED;

  /* Every connection holds a file descriptor: take all the system allows,
   * and keep the connections under that. */
  fd_limit = bb_server_raise_fd_limit ();
  if (fd_limit == 0)
    fd_limit = 1024;
  if (blob_dir == NULL && !bb_server_store_is_pg_uri (db))
    blob_dir = bb_server_blobs_dir_for_db (db);
  if (blob_dir != NULL)
    {
      blobs = bb_server_blobs_open (blob_dir, &error);
      if (blobs == NULL)
        {
          g_printerr (_("beatbook-server: cannot keep evidence files: %s\n"), error->message);
          bb_server_store_close (store);
          return EXIT_FAILED;
        }
    }

  /* Retention is a duty, not a job someone may forget to schedule: once
   * now, then every day while serving. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

    if (!sweep_retention (store, blobs, profile, now, FALSE))
      {
        bb_server_store_close (store);
        return EXIT_FAILED;
      }
    retention.store = store;
    retention.blobs = blobs;
    retention.profile = profile;
    retention_id = g_timeout_add_seconds (24 * 3600, daily_retention, &retention);
  }

  g_message ("Open files limit %u: at most %u connections, idle ones closed after %d s",
             fd_limit, fd_limit > 2 * BB_SERVER_FD_RESERVE ? fd_limit - BB_SERVER_FD_RESERVE : fd_limit / 2,
             idle_timeout);

  server = bb_server_new (store, profile);
  /* The test suite checks every answer against docs/openapi.yaml. */
  exchange_log = g_getenv ("BEATBOOK_EXCHANGE_LOG");
  if (exchange_log != NULL && *exchange_log != '\0')
    {
      if (!bb_server_set_exchange_log (server, exchange_log, &error))
        {
          g_printerr (_("beatbook-server: cannot open the exchange log: %s\n"), error->message);
          g_object_unref (server);
          bb_server_store_close (store);
          return EXIT_FAILED;
        }
      g_printerr (_("beatbook-server: BEATBOOK_EXCHANGE_LOG is set: every request and answer, tokens and personal data included, is appended to %s. For tests only.\n"),
                  exchange_log);
    }
  bb_server_set_connection_limits (server,
                                   fd_limit > 2 * BB_SERVER_FD_RESERVE ? fd_limit - BB_SERVER_FD_RESERVE : fd_limit / 2,
                                   (guint) idle_timeout);
  if (blobs != NULL)
    /* The server owns them from here; the daily retention borrows them. */
    bb_server_set_blobs (server, blobs);
  else
    g_message ("No --blob-dir: evidence files are refused (503) until one is given");
  if (!bb_server_listen (server, address != NULL ? address : "127.0.0.1", (guint) port,
                         certificate, &error))
    {
      g_printerr (_("beatbook-server: cannot listen: %s\n"), error->message);
      g_object_unref (server);
      bb_server_store_close (store);
      return EXIT_FAILED;
    }

  /* The handlers go in before the first line: a script may send SIGTERM
   * as soon as it has read it. */
  loop = g_main_loop_new (NULL, FALSE);
  state.loop = loop;
  state.server = server;
  term_id = g_unix_signal_add (SIGTERM, on_terminate, &state);
  int_id = g_unix_signal_add (SIGINT, on_terminate, &state);

  uri = bb_server_dup_uri (server);
  /* Scripts and tests read this first line to find the port. */
  g_print ("listening on %s\n", uri);
  fflush (stdout);

  g_main_loop_run (loop);

  g_source_remove (term_id);
  g_source_remove (int_id);
  g_clear_handle_id (&retention_id, g_source_remove);
  bb_server_close (server);
  /* Let the closed connections finish tearing down before the store goes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_object_unref (server);
  /* Closing checkpoints the WAL: the file alone is then a full copy. */
  bb_server_store_close (store);
  g_message ("Stopped");

  return 0;
}

/* user add */

/* (transfer full) (nullable): one line from standard input, without its
 * line ending; the terminal does not echo it. */
static char *
read_password (void)
{
  struct termios saved, quiet;
  gboolean tty = isatty (STDIN_FILENO);
  char buf[BB_SERVER_PASSWORD_MAX_LENGTH + 4];
  char *line;
  gsize len;

  if (tty)
    {
      g_printerr (_("Password: "));
      tcgetattr (STDIN_FILENO, &saved);
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }

  line = fgets (buf, sizeof buf, stdin);

  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }
  if (line == NULL)
    return NULL;

  len = strlen (buf);
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
    buf[--len] = '\0';
  line = g_strndup (buf, len);
  memset (buf, 0, sizeof buf);

  return line;
}

static int
command_user_add (int    argc,
                  char **argv)
{
  g_autofree char *db = NULL;
  g_autofree char *username = NULL;
  g_autofree char *role = NULL;
  g_autofree char *display_name = NULL;
  g_autofree char *staff_number = NULL;
  g_autofree char *password = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BbServerStore) store = NULL;
  BbServerUser user = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *now = NULL;
  g_autofree char *hash = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, N_("The server's database: a SQLite file or a postgresql:// URI"), N_("PATH|URI") },
    { "username", 0, 0, G_OPTION_ARG_STRING, &username, N_("The name to sign in with"), N_("U") },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role, N_("officer, warden, councillor, supervisor or admin"), N_("ROLE") },
    { "display-name", 0, 0, G_OPTION_ARG_STRING, &display_name, N_("The name shown on records, e.g. “PCSO 4521”"), N_("NAME") },
    { "staff-number", 0, 0, G_OPTION_ARG_STRING, &staff_number, N_("Force (collar) or staff number"), N_("N") },
    { NULL }
  };

  if (!parse_options ("user add", _("Creates a user. The password is read from standard input (one line, at least 8 characters)."),
                      entries, &argc, &argv, &status))
    return status;
  if (!require ("user add", db, "--db", &status) ||
      !require ("user add", username, "--username", &status) ||
      !require ("user add", role, "--role", &status) ||
      !require ("user add", display_name, "--display-name", &status))
    return status;
  if (bb_role_from_string (role) == BB_ROLE_NONE)
    {
      g_autofree char *message = g_strdup_printf (_("“%s” is not a role: use officer, warden, councillor, supervisor or admin"), role);
      return usage_error ("user add", message);
    }
  if (g_utf8_strlen (username, -1) > 200 || strpbrk (username, " \t\r\n") != NULL)
    return usage_error ("user add", _("the username must be at most 200 characters, without spaces"));

  password = read_password ();
  if (password == NULL || *password == '\0')
    {
      g_printerr (_("beatbook-server user add: the password is empty; give it on standard input\n"));
      return EXIT_FAILED;
    }
  if (g_utf8_strlen (password, -1) < BB_SERVER_PASSWORD_MIN_LENGTH)
    {
      g_printerr (_("beatbook-server user add: the password is too short: it needs at least %d characters\n"),
                  BB_SERVER_PASSWORD_MIN_LENGTH);
      return EXIT_FAILED;
    }
  if (strlen (password) > BB_SERVER_PASSWORD_MAX_LENGTH)
    {
      g_printerr (_("beatbook-server user add: the password is too long: at most %d characters\n"),
                  BB_SERVER_PASSWORD_MAX_LENGTH);
      return EXIT_FAILED;
    }

  hash = bb_server_password_hash (password, &error);
  memset (password, 0, strlen (password));
  if (hash == NULL)
    {
      g_printerr ("beatbook-server user add: %s\n", error->message);
      return EXIT_FAILED;
    }

  store = open_store (db);
  if (store == NULL)
    return EXIT_FAILED;

  id = g_uuid_string_random ();
  now = bb_server_time_now ();
  user.id = id;
  user.username = username;
  user.display_name = display_name;
  user.role = (char *) bb_role_to_string (bb_role_from_string (role));
  user.staff_number = staff_number;
  user.password_hash = hash;
  user.created_at = now;
  if (!bb_server_store_user_add (store, &user, &error))
    {
      g_printerr ("beatbook-server user add: %s\n", error->message);
      return EXIT_FAILED;
    }

  g_print (_("Added user %s (%s), id %s\n"), username, user.role, id);
  return 0;
}

static int
command_user_disable (int    argc,
                      char **argv)
{
  g_autofree char *db = NULL;
  g_autofree char *username = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BbServerStore) store = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, N_("The server's database: a SQLite file or a postgresql:// URI"), N_("PATH|URI") },
    { "username", 0, 0, G_OPTION_ARG_STRING, &username, N_("The user to disable"), N_("U") },
    { NULL }
  };

  if (!parse_options ("user disable", _("Disables a user and revokes every session token they hold."),
                      entries, &argc, &argv, &status))
    return status;
  if (!require ("user disable", db, "--db", &status) ||
      !require ("user disable", username, "--username", &status))
    return status;

  store = open_store (db);
  if (store == NULL)
    return EXIT_FAILED;

  if (!bb_server_store_begin (store, &error) ||
      !bb_server_store_user_set_disabled (store, username, TRUE, &error) ||
      !bb_server_store_commit (store, &error))
    {
      bb_server_store_rollback (store);
      g_printerr ("beatbook-server user disable: %s\n", error->message);
      return EXIT_FAILED;
    }

  g_print (_("Disabled user %s; their sessions are revoked\n"), username);
  return 0;
}

static int
command_device_revoke (int    argc,
                       char **argv)
{
  g_autofree char *db = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *now = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BbServerStore) store = NULL;
  BbServerAuditEntry entry = { 0 };
  int status = 0;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, N_("The server's database: a SQLite file or a postgresql:// URI"), N_("PATH|URI") },
    { "device-id", 0, 0, G_OPTION_ARG_STRING, &device_id, N_("The device to revoke (as in the audit log)"), N_("ID") },
    { NULL }
  };

  if (!parse_options ("device revoke", _("Revokes a device: its next request is answered “device_revoked” and it wipes its local data."),
                      entries, &argc, &argv, &status))
    return status;
  if (!require ("device revoke", db, "--db", &status) ||
      !require ("device revoke", device_id, "--device-id", &status))
    return status;

  store = open_store (db);
  if (store == NULL)
    return EXIT_FAILED;

  now = bb_server_time_now ();
  entry.at = now;
  entry.device_id = device_id;
  entry.action = (char *) "device_revoked";
  entry.detail = (char *) "revoked from the command line";
  if (!bb_server_store_begin (store, &error) ||
      !bb_server_store_device_revoke (store, device_id, now, &error) ||
      !bb_server_store_audit_append (store, &entry, &error) ||
      !bb_server_store_commit (store, &error))
    {
      bb_server_store_rollback (store);
      g_printerr ("beatbook-server device revoke: %s\n", error->message);
      return EXIT_FAILED;
    }

  g_print (_("Revoked device %s\n"), device_id);
  return 0;
}

static int
command_migrate (int    argc,
                 char **argv)
{
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *blob_dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) report = g_string_new (NULL);
  int status = 0;
  gboolean ok;
  GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_FILENAME, &from, N_("The SQLite database file to move from"), N_("PATH") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("The PostgreSQL database to move into (postgresql://…), empty"), N_("URI") },
    { "blob-dir", 0, 0, G_OPTION_ARG_FILENAME, &blob_dir, N_("Where the PostgreSQL servers keep evidence files: those beside the file (PATH.blobs) are copied there"), N_("DIR") },
    { NULL }
  };

  if (!parse_options ("migrate", _("Moves a partnership’s users, devices, sessions, records with their revisions and seq order, reviews, audit log and evidence files from a SQLite file into an empty PostgreSQL database, in one transaction, and prints each table’s row count and checksum on both sides. Devices go on syncing with their tokens and cursors. Stop the server first."),
                      entries, &argc, &argv, &status))
    return status;
  if (!require ("migrate", from, "--from", &status) ||
      !require ("migrate", to, "--to", &status))
    return status;
  if (bb_server_store_is_pg_uri (from))
    return usage_error ("migrate", _("--from takes the path of a SQLite file"));
  if (!bb_server_store_is_pg_uri (to))
    return usage_error ("migrate", _("--to takes a postgresql:// or postgres:// URI"));

  ok = bb_server_migrate_sqlite_to_pg (from, to, blob_dir, report, &error);
  if (report->len > 0)
    {
      g_print ("%-17s %7s    %-7s %s\n", _("table"), _("rows"), _("rows"), _("checksums (SQLite = PostgreSQL)"));
      g_print ("%s", report->str);
    }
  if (!ok)
    {
      g_printerr ("beatbook-server migrate: %s\n", error->message);
      return EXIT_FAILED;
    }

  g_print (_("Moved %s into PostgreSQL: every table’s rows and checksums match\n"), from);
  return 0;
}

static void
print_help (gboolean to_stderr)
{
  g_autofree char *text = g_strdup_printf ("%s\n  beatbook-server COMMAND [OPTIONS]\n\n%s\n",
                                           _("Usage:"), _(commands_summary));

  if (to_stderr)
    g_printerr ("%s", text);
  else
    g_print ("%s", text);
}

int
main (int   argc,
      char *argv[])
{
  const char *command;

#ifdef M_ARENA_MAX
  /* glibc gives every thread that allocates a heap of its own, each kept
   * near its high-water mark: the request workers, each building a push's
   * or a pull page's JSON, would hold several times one request's memory
   * (66 MB against 55 for one device's push and pull of 20,000 records).
   * Two heaps: 45 MB. */
  mallopt (M_ARENA_MAX, 2);
#endif

  bb_i18n_init ();
  g_set_prgname ("beatbook-server");

  if (argc < 2)
    {
      print_help (TRUE);
      return EXIT_USAGE;
    }

  command = argv[1];
  if (g_str_equal (command, "--help") || g_str_equal (command, "-h") ||
      g_str_equal (command, "help"))
    {
      print_help (FALSE);
      return 0;
    }
  if (g_str_equal (command, "--version"))
    {
      g_print ("beatbook-server %s\n", PACKAGE_VERSION);
      return 0;
    }

  /* Each command parses from its own name on, so --help is per command. */
  if (g_str_equal (command, "serve"))
    return command_serve (argc - 1, argv + 1);
  if (g_str_equal (command, "migrate"))
    return command_migrate (argc - 1, argv + 1);
  if (g_str_equal (command, "erase-expired"))
    return command_erase_expired (argc - 1, argv + 1);

  if (g_str_equal (command, "user") || g_str_equal (command, "device"))
    {
      const char *sub = argc > 2 ? argv[2] : NULL;

      if (g_str_equal (command, "user") && g_strcmp0 (sub, "add") == 0)
        return command_user_add (argc - 2, argv + 2);
      if (g_str_equal (command, "user") && g_strcmp0 (sub, "disable") == 0)
        return command_user_disable (argc - 2, argv + 2);
      if (g_str_equal (command, "device") && g_strcmp0 (sub, "revoke") == 0)
        return command_device_revoke (argc - 2, argv + 2);

      {
        g_autofree char *message = NULL;

        if (sub == NULL || g_str_has_prefix (sub, "-"))
          message = g_strdup_printf (_("“%s” needs a subcommand: %s"), command,
                                     g_str_equal (command, "user") ? "add, disable" : "revoke");
        else
          message = g_strdup_printf (_("unknown command “%s %s”"), command, sub);
        g_printerr ("beatbook-server: %s\n\n", message);
        print_help (TRUE);
        return EXIT_USAGE;
      }
    }

  g_printerr (_("beatbook-server: unknown command “%s”\n\n"), command);
  print_help (TRUE);
  return EXIT_USAGE;
}
