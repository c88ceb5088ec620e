/* test-sync-ui.c: sign-in, the sync indicator and the conflict view, in the
 * real window against the real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <gtk/gtk.h>

#define SYNC_FIXTURE_SERVER_ONLY
#include "sync-fixture.h"

#include "bb-application.h"
#include "bb-conflict-view.h"
#include "bb-editor.h"
#include "bb-record-view.h"
#include "bb-s59-lookup.h"
#include "bb-sign-in-dialog.h"
#include "bb-sync-indicator.h"
#include "bb-window.h"
#include "test-files.h"

/* A wait that runs out is a hang, reported as a failure; nothing is timed. */
#define WAIT_LIMIT_SECONDS 30

/* Helpers */

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Xvfb runs no window manager, so nothing takes the focus away from an entry
 * before its window goes; without this, GTK warns about a missing focus-out. */
static void
destroy_window (GtkWindow *window)
{
  gtk_window_set_focus (window, NULL);
  iterate ();
  gtk_window_destroy (window);
  iterate ();
}

static void
wait_until (gboolean  (*done) (gpointer data),
            gpointer    data,
            const char *what)
{
  gint64 end = g_get_monotonic_time () + WAIT_LIMIT_SECONDS * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > end)
        g_error ("Gave up waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  iterate ();
}

/* The server: tests/sync/sync-fixture.h */

/* The app */

typedef struct
{
  char          *dir;
  BbApplication *app;
  BbWindow      *window;
  Server        *server;
} Fixture;

static BbSession *
fixture_session (Fixture *f)
{
  return bb_application_get_session (f->app);
}

static BbSyncEngine *
fixture_engine (Fixture *f)
{
  BbSyncEngine *engine = NULL;

  g_object_get (f->app, "sync-engine", &engine, NULL);
  g_assert_nonnull (engine);
  g_object_unref (engine);
  return engine;
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gpointer
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

static BbSyncIndicator *
fixture_indicator (Fixture *f)
{
  GtkWidget *indicator = find_widget (GTK_WIDGET (f->window), BB_TYPE_SYNC_INDICATOR);

  g_assert_nonnull (indicator);
  return BB_SYNC_INDICATOR (indicator);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static guint n_apps = 0;
  g_autoptr(GError) error = NULL;
  g_autofree char *app_id = g_strdup_printf ("%s.SyncTest%u", APP_ID, ++n_apps);

  f->dir = g_dir_make_tmp ("beatbook-test-sync-ui-XXXXXX", &error);
  g_assert_no_error (error);
  f->server = server_new ();

  f->app = g_object_new (BB_TYPE_APPLICATION,
                         "application-id", app_id,
                         "flags", G_APPLICATION_NON_UNIQUE,
                         "resource-base-path", "/org/beatbook/Beatbook",
                         "data-dir", f->dir,
                         NULL);
  g_application_register (G_APPLICATION (f->app), NULL, &error);
  g_assert_no_error (error);
  /* The test decides when to sync. */
  bb_sync_engine_set_interval (fixture_engine (f), 0);

  g_assert_true (bb_session_set_identity (fixture_session (f), "PCSO 4521", BB_ROLE_OFFICER, "4521", &error));
  g_assert_no_error (error);

  f->window = bb_window_new (f->app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 760);
  gtk_window_present (GTK_WINDOW (f->window));
  iterate ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  bb_sync_engine_stop (fixture_engine (f));
  /* Dialogs the test left open go first. */
  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i - 1);

      if (window != GTK_WINDOW (f->window))
        destroy_window (window);
    }
  gtk_window_set_focus (GTK_WINDOW (f->window), NULL);
  gtk_window_close (GTK_WINDOW (f->window));
  iterate ();
  g_clear_object (&f->app);
  server_free (f->server);
  bb_test_remove_tree (f->dir);
  g_free (f->dir);
}

static BbRecord *
save_observation (BbSession  *session,
                  const char *description)
{
  g_autoptr(BbRecord) record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *fields = bb_record_get_fields (record);

  json_object_set_string_member (fields, "ward", "town");
  json_object_set_string_member (fields, "place", "High Street");
  json_object_set_string_member (fields, "category", "asb_youths");
  json_object_set_string_member (fields, "description", description);
  g_assert_true (bb_session_save_record (session, record, &problems, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&record);
}

static BbSignInDialog *
open_sign_in (Fixture *f)
{
  BbSignInDialog *dialog;

  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "sign-in"));
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "sign-in", NULL);
  iterate ();
  dialog = find_toplevel (BB_TYPE_SIGN_IN_DIALOG);
  g_assert_nonnull (dialog);
  return dialog;
}

static gboolean
dialog_answered (gpointer data)
{
  return !g_str_equal (bb_sign_in_dialog_get_stage (data), "working");
}

static gboolean
engine_at_rest (gpointer data)
{
  Fixture *f = data;

  return bb_sync_engine_get_state (fixture_engine (f)) != BB_SYNC_ENGINE_STATE_SYNCING;
}

static void
sync_and_wait (Fixture *f)
{
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "sync", NULL);
  g_assert_cmpint (bb_sync_engine_get_state (fixture_engine (f)), ==, BB_SYNC_ENGINE_STATE_SYNCING);
  wait_until (engine_at_rest, f, "the sync to finish");
}

static void
sign_in_through_dialog (Fixture *f)
{
  BbSignInDialog *dialog = open_sign_in (f);

  bb_sign_in_dialog_set_fields (dialog, f->server->url, "officer1", PASSWORD);
  bb_sign_in_dialog_submit (dialog);
  wait_until (dialog_answered, dialog, "the sign-in to answer");
  g_assert_cmpstr (bb_sign_in_dialog_get_stage (dialog), ==, "done");
  destroy_window (GTK_WINDOW (dialog));
  wait_until (engine_at_rest, f, "the first sync after sign-in");
}

/* A second device, a plain session, for the other side of a conflict. */
typedef struct
{
  char      *dir;
  BbSession *session;
} Other;

static Other *
other_new (Server *server)
{
  Other *other = g_new0 (Other, 1);
  g_autoptr(GError) error = NULL;
  BbSecretPlace place;

  other->dir = g_dir_make_tmp ("beatbook-other-XXXXXX", &error);
  g_assert_no_error (error);
  other->session = bb_session_new (other->dir, &error);
  g_assert_no_error (error);
  g_assert_true (bb_session_sign_in (other->session, server->url, NULL, "sergeant", PASSWORD,
                                     "Office desktop", &place, NULL, &error));
  g_assert_no_error (error);
  return other;
}

static void
other_sync (Other *other)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (bb_session_sync (other->session, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
other_free (Other *other)
{
  g_clear_object (&other->session);
  bb_test_remove_tree (other->dir);
  g_free (other->dir);
  g_free (other);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Other, other_free)

/* Tests */

static void
test_wrong_password_is_said_inline (Fixture       *f,
                                    gconstpointer  data)
{
  BbSignInDialog *dialog = open_sign_in (f);

  /* Empty fields are named before anything is sent. */
  bb_sign_in_dialog_set_fields (dialog, f->server->url, "", "");
  bb_sign_in_dialog_submit (dialog);
  g_assert_cmpstr (bb_sign_in_dialog_get_stage (dialog), ==, "form");
  g_assert_cmpstr (bb_sign_in_dialog_get_message (dialog), ==, "Enter your username.");

  bb_sign_in_dialog_set_fields (dialog, f->server->url, "officer1", "not the password");
  bb_sign_in_dialog_submit (dialog);
  g_assert_cmpstr (bb_sign_in_dialog_get_stage (dialog), ==, "working");
  wait_until (dialog_answered, dialog, "the sign-in to answer");

  g_assert_cmpstr (bb_sign_in_dialog_get_stage (dialog), ==, "form");
  g_assert_nonnull (strstr (bb_sign_in_dialog_get_message (dialog), "Wrong username or password"));
  g_assert_false (bb_session_is_signed_in (fixture_session (f)));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "sign-in"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "sync"));
}

static void
test_unreachable_server_is_said_inline (Fixture       *f,
                                        gconstpointer  data)
{
  BbSignInDialog *dialog = open_sign_in (f);

  /* Port 9 (discard) on this machine: nothing listens there. */
  bb_sign_in_dialog_set_fields (dialog, "http://127.0.0.1:9", "officer1", PASSWORD);
  bb_sign_in_dialog_submit (dialog);
  wait_until (dialog_answered, dialog, "the sign-in to answer");
  g_assert_cmpstr (bb_sign_in_dialog_get_stage (dialog), ==, "form");
  g_assert_nonnull (strstr (bb_sign_in_dialog_get_message (dialog), "could not be reached"));

  /* A remote server without https is refused before any password leaves. */
  bb_sign_in_dialog_set_fields (dialog, "http://beatbook.example.org", "officer1", PASSWORD);
  bb_sign_in_dialog_submit (dialog);
  wait_until (dialog_answered, dialog, "the sign-in to answer");
  g_assert_nonnull (strstr (bb_sign_in_dialog_get_message (dialog), "https://"));
  g_assert_false (bb_session_is_signed_in (fixture_session (f)));
}

static void
test_sign_in_offers_earlier_records (Fixture       *f,
                                     gconstpointer  data)
{
  BbSignInDialog *dialog;
  AdwMessageDialog *question;
  g_autoptr(BbRecord) before = save_observation (fixture_session (f), "Logged before sign-in");
  BbSyncIndicator *indicator = fixture_indicator (f);
  guint n = 0;

  bb_window_reload (f->window);
  g_assert_cmpstr (bb_sync_indicator_get_text (indicator), ==, "Not signed in · 1 waiting");

  dialog = open_sign_in (f);
  bb_sign_in_dialog_set_fields (dialog, f->server->url, "officer1", PASSWORD);
  bb_sign_in_dialog_submit (dialog);
  wait_until (dialog_answered, dialog, "the sign-in to answer");

  /* Nothing moves without the user's say. */
  g_assert_cmpstr (bb_sign_in_dialog_get_stage (dialog), ==, "asking");
  question = bb_sign_in_dialog_get_adopt_question (dialog);
  g_assert_nonnull (question);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (question), "Send 1 record logged before sign-in as PCSO 4521?"));
  g_assert_true (bb_session_is_signed_in (fixture_session (f)));
  g_assert_cmpuint (bb_session_count_local_records (fixture_session (f)), ==, 1);

  adw_message_dialog_response (question, "send");
  iterate ();
  g_assert_cmpstr (bb_sign_in_dialog_get_stage (dialog), ==, "done");
  /* No keyring in the test: it says where the token went instead. */
  g_assert_nonnull (strstr (bb_sign_in_dialog_get_done_text (dialog), "file only your account can read"));
  g_assert_nonnull (strstr (bb_sign_in_dialog_get_done_text (dialog), "1 earlier record is now yours"));
  g_assert_cmpuint (bb_session_count_local_records (fixture_session (f)), ==, 0);

  wait_until (engine_at_rest, f, "the sync after adopting");
  g_assert_true (bb_store_count_records (bb_session_get_store (fixture_session (f)), NULL, &n, NULL));
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (bb_sync_engine_get_pending (fixture_engine (f)), ==, 0);
  g_assert_true (g_str_has_prefix (bb_sync_indicator_get_text (indicator), "Synced "));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "sign-out"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "sign-in"));
}

static void
test_indicator_after_save_and_after_sync (Fixture       *f,
                                          gconstpointer  data)
{
  BbSyncIndicator *indicator = fixture_indicator (f);
  g_autoptr(BbRecord) record = NULL;

  g_assert_cmpstr (bb_sync_indicator_get_text (indicator), ==, "Not signed in");
  sign_in_through_dialog (f);
  g_assert_cmpstr (bb_sync_engine_get_last_error (fixture_engine (f)), ==, NULL);
  g_assert_true (g_str_has_prefix (bb_sync_indicator_get_text (indicator), "Synced "));

  /* A save, as the window reloads after one: counted at once. */
  record = save_observation (fixture_session (f), "Cars revving outside the shops");
  bb_window_reload (f->window);
  g_assert_cmpstr (bb_sync_indicator_get_text (indicator), ==, "1 waiting");

  sync_and_wait (f);
  g_assert_true (g_str_has_prefix (bb_sync_indicator_get_text (indicator), "Synced "));
  g_assert_cmpuint (bb_sync_engine_get_pending (fixture_engine (f)), ==, 0);

  /* The server gone: the header says so in plain words, and keeps counting. */
  g_subprocess_send_signal (f->server->process, SIGKILL);
  g_subprocess_wait (f->server->process, NULL, NULL);
  g_clear_object (&f->server->process);
  g_object_unref (save_observation (fixture_session (f), "Logged while the server is down"));
  bb_window_reload (f->window);
  sync_and_wait (f);
  g_assert_cmpuint (bb_sync_engine_get_pending (fixture_engine (f)), ==, 1);
  if (bb_sync_engine_get_state (fixture_engine (f)) == BB_SYNC_ENGINE_STATE_ERROR)
    g_assert_cmpstr (bb_sync_indicator_get_text (indicator), ==, "Server unreachable — will retry · 1 waiting");
  else
    g_assert_cmpstr (bb_sync_indicator_get_text (indicator), ==, "Offline · 1 waiting");
}

static void
make_conflict (Fixture    *f,
               Other      *other,
               const char *description,
               char      **id)
{
  g_autoptr(BbRecord) record = save_observation (fixture_session (f), "First version");
  g_autoptr(BbRecord) theirs = NULL;
  g_autoptr(BbRecord) mine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *their_text = g_strdup_printf ("Supervisor's %s", description);
  g_autofree char *my_text = g_strdup_printf ("Officer's %s", description);

  sync_and_wait (f);
  other_sync (other);

  theirs = bb_store_get_record (bb_session_get_store (other->session), bb_record_get_id (record), &error);
  g_assert_no_error (error);
  json_object_set_string_member (bb_record_get_fields (theirs), "description", their_text);
  g_assert_true (bb_session_save_record (other->session, theirs, NULL, &error));
  other_sync (other);

  mine = bb_store_get_record (bb_session_get_store (fixture_session (f)), bb_record_get_id (record), &error);
  json_object_set_string_member (bb_record_get_fields (mine), "description", my_text);
  g_assert_true (bb_session_save_record (fixture_session (f), mine, NULL, &error));
  sync_and_wait (f);

  g_clear_object (&mine);
  mine = bb_store_get_record (bb_session_get_store (fixture_session (f)), bb_record_get_id (record), &error);
  g_assert_cmpint (bb_record_get_sync_state (mine), ==, BB_SYNC_STATE_CONFLICT);
  *id = g_strdup (bb_record_get_id (record));
}

static BbConflictView *
open_conflict_view (Fixture    *f,
                    const char *id)
{
  BbRecordView *view;
  g_autofree char *text = NULL;
  BbConflictView *conflict;

  g_assert_true (bb_window_show_record (f->window, id));
  view = bb_window_get_record_view (f->window);
  text = bb_record_view_dup_text (view);
  g_assert_nonnull (strstr (text, "Changed here and on the server"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "record.resolve", NULL));
  iterate ();
  conflict = find_toplevel (BB_TYPE_CONFLICT_VIEW);
  g_assert_nonnull (conflict);
  return conflict;
}

static void
test_conflict_view_keeps_mine_or_theirs (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(Other) other = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *text = NULL;
  g_autoptr(BbRecord) after = NULL;
  g_autoptr(GError) error = NULL;
  BbConflictView *conflict;
  BbStore *store;

  sign_in_through_dialog (f);
  other = other_new (f->server);
  make_conflict (f, other, "first account", &first);
  make_conflict (f, other, "second account", &second);
  store = bb_session_get_store (fixture_session (f));

  /* Field by field, the difference named in words. */
  conflict = open_conflict_view (f, first);
  text = bb_conflict_view_dup_text (conflict);
  g_assert_nonnull (strstr (text, "Officer's first account | Supervisor's first account (differs)"));
  g_assert_nonnull (strstr (text, "High Street | High Street\n"));
  g_assert_cmpuint (bb_conflict_view_get_n_differences (conflict), ==, 1);

  g_assert_true (bb_conflict_view_choose (conflict, TRUE, &error));
  g_assert_no_error (error);
  destroy_window (GTK_WINDOW (conflict));
  wait_until (engine_at_rest, f, "the sync after keeping mine");
  after = bb_store_get_record (store, first, &error);
  g_assert_cmpint (bb_record_get_sync_state (after), ==, BB_SYNC_STATE_SYNCED);
  g_assert_cmpstr (bb_record_get_field_string (after, "description"), ==, "Officer's first account");
  /* The other device receives the choice. */
  other_sync (other);
  g_clear_object (&after);
  after = bb_store_get_record (bb_session_get_store (other->session), first, &error);
  g_assert_cmpstr (bb_record_get_field_string (after, "description"), ==, "Officer's first account");

  /* Theirs: the server's copy replaces this device's. */
  conflict = open_conflict_view (f, second);
  g_assert_true (bb_conflict_view_choose (conflict, FALSE, &error));
  g_assert_no_error (error);
  destroy_window (GTK_WINDOW (conflict));
  wait_until (engine_at_rest, f, "the sync after keeping theirs");
  g_clear_object (&after);
  after = bb_store_get_record (store, second, &error);
  g_assert_cmpint (bb_record_get_sync_state (after), ==, BB_SYNC_STATE_SYNCED);
  g_assert_cmpstr (bb_record_get_field_string (after, "description"), ==, "Supervisor's second account");
  g_assert_cmpuint (bb_sync_engine_get_attention (fixture_engine (f)), ==, 0);
}

static gboolean
lookup_answered (gpointer data)
{
  BbS59Lookup *lookup = data;

  return bb_s59_lookup_get_text (lookup) != NULL && !bb_s59_lookup_get_busy (lookup);
}

static gboolean
lookup_found_nothing (gpointer data)
{
  return lookup_answered (data) &&
         g_str_has_prefix (bb_s59_lookup_get_text (data), "No warning");
}

/* The banner is shown, and it is the first thing under the mark's row: the
 * rows between (the mark's own message, while it has none) are hidden. */
static gboolean
lookup_folded (gpointer data)
{
  return bb_s59_lookup_get_heading (data) == NULL;
}

static void
assert_banner_under_mark (BbEditor    *editor,
                          BbS59Lookup *lookup)
{
  GtkWidget *banner = bb_s59_lookup_get_banner (lookup);
  GtkWidget *input = bb_editor_get_field_widget (editor, "vehicle.vrm");
  GtkWidget *row = gtk_widget_get_ancestor (input, GTK_TYPE_LIST_BOX_ROW);
  GtkWidget *next;

  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_visible (banner));
  g_assert_true (gtk_widget_is_drawable (banner));
  g_assert_nonnull (bb_s59_lookup_get_heading (lookup));
  for (next = gtk_widget_get_next_sibling (row);
       next != NULL && !gtk_widget_get_visible (next);
       next = gtk_widget_get_next_sibling (next))
    ;
  g_assert_true (next == banner);
}

static void
test_s59_lookup_shows_an_earlier_warning (Fixture       *f,
                                          gconstpointer  data)
{
  g_autoptr(BbRecord) earlier = bb_record_new (BB_KIND_S59_WARNING);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) parsed = NULL;
  BbEditor *editor;
  BbS59Lookup *lookup;
  GtkWidget *input;
  const char *text;

  sign_in_through_dialog (f);

  /* A warning given earlier to the same car, already on the server. */
  parsed = json_from_string ("{\"ward\": \"greenhithe_knockhall\", \"place\": \"Crossways Boulevard\","
                             " \"offence\": \"rta_s3\", \"alarm_distress\": \"is_causing\","
                             " \"circumstances\": \"Car cruising meet.\", \"warned_party\": \"driver\","
                             " \"vehicle\": {\"type\": \"car\", \"vrm\": \"AB12CDE\"},"
                             " \"driver\": {\"name\": \"Driver (warned party)\", \"date_of_birth\": \"1999-05-01\"}}",
                             &error);
  g_assert_no_error (error);
  bb_record_set_fields (earlier, json_node_get_object (parsed));
  g_assert_true (bb_session_save_record (fixture_session (f), earlier, &problems, &error));
  g_assert_no_error (error);
  sync_and_wait (f);

  bb_window_new_record (f->window, BB_KIND_S59_WARNING);
  editor = bb_window_get_editor (f->window);
  g_assert_nonnull (editor);
  lookup = bb_s59_lookup_from_editor (GTK_WIDGET (editor));
  g_assert_nonnull (lookup);
  /* Nothing to look for yet: it says what it needs, and nothing more. */
  g_assert_null (bb_s59_lookup_get_text (lookup));

  input = bb_editor_get_field_widget (editor, "vehicle.vrm");
  g_assert_true (GTK_IS_EDITABLE (input));
  gtk_editable_set_text (GTK_EDITABLE (input), "ab12 cde");
  wait_until (lookup_answered, lookup, "the look-up to answer");

  text = bb_s59_lookup_get_text (lookup);
  g_test_message ("look-up: %s", text);
  g_assert_nonnull (strstr (text, "1 warning in the last 12 months"));
  /* Where it looked: the device's copy and the server. */
  g_assert_nonnull (strstr (text, "this device’s copy, synced "));
  g_assert_nonnull (strstr (text, "; server)"));
  /* When, where, by whom, expiry. */
  g_assert_nonnull (strstr (text, "Crossways Boulevard"));
  g_assert_nonnull (strstr (text, "by PCSO 4521"));
  g_assert_nonnull (strstr (text, "expires"));
  /* Said in a banner right under the mark, in words first. */
  assert_banner_under_mark (editor, lookup);
  g_assert_cmpstr (bb_s59_lookup_get_heading (lookup), ==, "Earlier warning found");

  /* The record being written keeps what was found. */
  input = bb_editor_get_field_widget (editor, "prior_check.result");
  g_assert_true (GTK_IS_EDITABLE (input));
  g_assert_true (g_str_has_prefix (gtk_editable_get_text (GTK_EDITABLE (input)),
                                   "1 warning in the last 12 months:"));
  input = bb_editor_get_field_widget (editor, "prior_check.source");
  g_assert_nonnull (strstr (gtk_editable_get_text (GTK_EDITABLE (input)), "server"));

  /* Another car: nothing found, and it still says where it looked. */
  input = bb_editor_get_field_widget (editor, "vehicle.vrm");
  gtk_editable_set_text (GTK_EDITABLE (input), "XY99 ZZZ");
  wait_until (lookup_found_nothing, lookup, "the look-up to find nothing for another car");
  g_assert_true (g_str_has_prefix (bb_s59_lookup_get_text (lookup), "No warning in the last 12 months (this device’s copy, synced "));
  assert_banner_under_mark (editor, lookup);
  g_assert_cmpstr (bb_s59_lookup_get_heading (lookup), ==, "No earlier warning found");

  /* No mark, no name: the banner folds away. */
  gtk_editable_set_text (GTK_EDITABLE (input), "");
  wait_until (lookup_folded, lookup, "the banner to fold away");
  bb_editor_close (editor, TRUE);
}

int
main (int argc, char *argv[])
{
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("BEATBOOK_NO_KEYRING", "1", TRUE);

  test_db_require ();
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      g_printerr ("No display: skipping the sync UI tests (run them under xvfb-run)\n");
      return 77;
    }
  if (g_getenv ("BEATBOOK_SERVER") == NULL)
    {
      g_printerr ("BEATBOOK_SERVER is not set: skipping the sync UI tests\n");
      return 77;
    }
  adw_init ();

  g_test_add ("/ui/sync/sign-in/wrong-password-is-said-inline", Fixture, NULL,
              fixture_set_up, test_wrong_password_is_said_inline, fixture_tear_down);
  g_test_add ("/ui/sync/sign-in/unreachable-or-insecure-server-is-said-inline", Fixture, NULL,
              fixture_set_up, test_unreachable_server_is_said_inline, fixture_tear_down);
  g_test_add ("/ui/sync/sign-in/offers-the-records-logged-before", Fixture, NULL,
              fixture_set_up, test_sign_in_offers_earlier_records, fixture_tear_down);
  g_test_add ("/ui/sync/indicator/says-waiting-after-a-save-and-synced-after-a-sync", Fixture, NULL,
              fixture_set_up, test_indicator_after_save_and_after_sync, fixture_tear_down);
  g_test_add ("/ui/sync/conflict/view-keeps-mine-or-theirs", Fixture, NULL,
              fixture_set_up, test_conflict_view_keeps_mine_or_theirs, fixture_tear_down);

  g_test_add ("/ui/sync/s59/look-up-shows-an-earlier-warning", Fixture, NULL,
              fixture_set_up, test_s59_lookup_shows_an_earlier_warning, fixture_tear_down);

  return g_test_run ();
}
