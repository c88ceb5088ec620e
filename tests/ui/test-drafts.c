/* test-drafts.c: typing in the editor survives closing, crashing and SIGKILL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "bb-choice-row.h"
#include "bb-editor.h"
#include "test-files.h"

#define PLACE "Westgate car park"
#define DESCRIPTION "Street drinking by the pay machines."

typedef struct
{
  char      *dir;
  BbSession *session;
  GtkWidget *window;
  BbEditor  *editor;
} Fixture;

/* Helpers */

static gboolean
set_true (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_true, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static BbSession *
open_session (const char *dir)
{
  g_autoptr(GError) error = NULL;
  BbSession *session = bb_session_new (dir, &error);

  g_assert_no_error (error);
  if (!bb_session_has_identity (session))
    {
      bb_session_set_identity (session, "PCSO 4521", BB_ROLE_OFFICER, "4521", &error);
      g_assert_no_error (error);
    }
  return session;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("beatbook-drafts-XXXXXX", &error);
  g_assert_no_error (error);
  f->session = open_session (f->dir);
  f->window = gtk_window_new ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->session);
  bb_test_remove_tree (f->dir);
  g_free (f->dir);
}

static void
show_editor (GtkWidget *window,
             BbEditor  *editor)
{
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (editor));
  gtk_window_present (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
type_text (BbEditor   *editor,
           const char *path,
           const char *text)
{
  GtkWidget *widget = bb_editor_get_field_widget (editor, path);

  g_assert_nonnull (widget);
  if (GTK_IS_TEXT_VIEW (widget))
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget)), text, -1);
  else
    gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

static char *
read_text (BbEditor   *editor,
           const char *path)
{
  GtkWidget *widget = bb_editor_get_field_widget (editor, path);

  g_assert_nonnull (widget);
  if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextIter start, end;
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    }
  return g_strdup (gtk_editable_get_text (GTK_EDITABLE (widget)));
}

static GPtrArray *
list_drafts (BbSession *session)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *drafts = bb_store_list_drafts (bb_session_get_store (session), &error);

  g_assert_no_error (error);
  return drafts;
}

static const char *
draft_place (BbDraft *draft)
{
  static char *place;
  g_autoptr(JsonNode) state = json_from_string (draft->json, NULL);
  JsonObject *fields;

  g_assert_nonnull (state);
  fields = json_object_get_object_member (json_node_get_object (state), "fields");
  g_free (place);
  place = g_strdup (json_object_get_string_member_with_default (fields, "place", NULL));
  return place;
}

static void
type_observation (BbEditor *editor)
{
  bb_choice_row_set_selected_id (BB_CHOICE_ROW (bb_editor_get_field_widget (editor, "ward")), "town");
  type_text (editor, "place", PLACE);
  type_text (editor, "description", DESCRIPTION);
  type_text (editor, "lat", "north-ish");
}

/* Tests */

static void
test_draft_is_written_while_typing (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  BbDraft *draft;

  f->editor = bb_editor_new (f->session, BB_KIND_PATROL_OBSERVATION, NULL, NULL, NULL);
  show_editor (f->window, f->editor);

  /* Opening an editor is not typing: no draft yet. */
  before = list_drafts (f->session);
  g_assert_cmpuint (before->len, ==, 0);

  type_observation (f->editor);
  wait_ms (900);

  after = list_drafts (f->session);
  g_assert_cmpuint (after->len, ==, 1);
  draft = g_ptr_array_index (after, 0);
  g_assert_cmpstr (draft->id, ==, bb_editor_get_draft_id (f->editor));
  g_assert_cmpstr (draft->kind, ==, BB_KIND_PATROL_OBSERVATION);
  g_assert_null (draft->record_id);
  g_assert_cmpstr (draft_place (draft), ==, PLACE);
}

static void
test_destroying_the_editor_keeps_the_draft (Fixture       *f,
                                            gconstpointer  data)
{
  g_autoptr(GPtrArray) drafts = NULL;
  g_autofree char *draft_id = NULL;
  BbDraft *draft;

  f->editor = bb_editor_new (f->session, BB_KIND_PATROL_OBSERVATION, NULL, NULL, NULL);
  show_editor (f->window, f->editor);
  type_observation (f->editor);
  wait_ms (900);
  /* The last keystroke lands just before the window goes: no debounce runs. */
  type_text (f->editor, "place", PLACE ", north end");
  draft_id = g_strdup (bb_editor_get_draft_id (f->editor));

  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
  while (g_main_context_iteration (NULL, FALSE))
    ;

  drafts = list_drafts (f->session);
  g_assert_cmpuint (drafts->len, ==, 1);
  draft = g_ptr_array_index (drafts, 0);
  g_assert_cmpstr (draft->id, ==, draft_id);
  g_assert_cmpstr (draft_place (draft), ==, PLACE ", north end");
}

static void
test_restored_draft_shows_the_typing (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GPtrArray) left = NULL;
  g_autofree char *place = NULL;
  g_autofree char *description = NULL;
  g_autofree char *lat = NULL;
  BbEditor *restored;
  BbDraft *draft;
  GtkWidget *window;

  f->editor = bb_editor_new (f->session, BB_KIND_PATROL_OBSERVATION, NULL, NULL, NULL);
  show_editor (f->window, f->editor);
  type_observation (f->editor);
  wait_ms (900);
  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = gtk_window_new ();

  drafts = list_drafts (f->session);
  g_assert_cmpuint (drafts->len, ==, 1);
  draft = g_ptr_array_index (drafts, 0);

  restored = bb_editor_new (f->session, draft->kind, NULL, draft->id, draft->json);
  window = f->window;
  show_editor (window, restored);
  g_assert_cmpstr (bb_editor_get_draft_id (restored), ==, draft->id);
  g_assert_true (bb_editor_get_modified (restored));
  place = read_text (restored, "place");
  g_assert_cmpstr (place, ==, PLACE);
  description = read_text (restored, "description");
  g_assert_cmpstr (description, ==, DESCRIPTION);
  /* Even text that is not a valid value yet comes back as typed. */
  lat = read_text (restored, "lat");
  g_assert_cmpstr (lat, ==, "north-ish");
  g_assert_cmpstr (bb_choice_row_get_selected_id (BB_CHOICE_ROW (bb_editor_get_field_widget (restored, "ward"))),
                   ==, "town");

  /* Finishing the record uses up the draft. */
  type_text (restored, "lat", "");
  bb_choice_row_set_selected_id (BB_CHOICE_ROW (bb_editor_get_field_widget (restored, "category")),
                                 "street_drinking");
  g_assert_true (bb_editor_save (restored));
  left = list_drafts (f->session);
  g_assert_cmpuint (left->len, ==, 0);
}

static void
test_close_keeps_or_discards (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) kept = NULL;
  g_autoptr(GPtrArray) gone = NULL;
  BbEditor *second;
  GtkWidget *window;

  f->editor = bb_editor_new (f->session, BB_KIND_ENGAGEMENT_EVENT, NULL, NULL, NULL);
  show_editor (f->window, f->editor);
  type_text (f->editor, "title", "Ward surgery, Temple Hill library");
  /* Closed before the debounce: closing writes it. */
  bb_editor_close (f->editor, FALSE);
  kept = list_drafts (f->session);
  g_assert_cmpuint (kept->len, ==, 1);

  window = gtk_window_new ();
  second = bb_editor_new (f->session, BB_KIND_ENGAGEMENT_EVENT, NULL, NULL, NULL);
  show_editor (window, second);
  type_text (second, "title", "Street briefing, Swanscombe");
  wait_ms (900);
  bb_editor_close (second, TRUE);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;

  /* Only the discarded one went. */
  gone = list_drafts (f->session);
  g_assert_cmpuint (gone->len, ==, 1);
  g_assert_cmpstr (((BbDraft *) g_ptr_array_index (gone, 0))->id, ==, bb_editor_get_draft_id (f->editor));
}

static void
test_draft_of_an_edit_reopens_the_record (Fixture       *f,
                                          gconstpointer  data)
{
  g_autoptr(BbRecord) record = bb_record_new (BB_KIND_VAWG_WALK);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BbRecord) stored = NULL;
  BbEditor *restored;
  BbDraft *draft;

  json_object_set_string_member (fields, "ward", "greenhithe_knockhall");
  json_object_set_string_member (fields, "walk_type", "group_walk");
  bb_record_set_fields (record, fields);
  g_assert_true (bb_session_save_record (f->session, record, NULL, &error));
  g_assert_no_error (error);

  f->editor = bb_editor_new (f->session, NULL, record, NULL, NULL);
  show_editor (f->window, f->editor);
  type_text (f->editor, "route", "Station, riverside path, Ingress Park");
  wait_ms (900);
  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = gtk_window_new ();

  drafts = list_drafts (f->session);
  g_assert_cmpuint (drafts->len, ==, 1);
  draft = g_ptr_array_index (drafts, 0);
  g_assert_cmpstr (draft->record_id, ==, bb_record_get_id (record));

  /* The shell passes only what the draft says. */
  restored = bb_editor_new (f->session, draft->kind, NULL, draft->id, draft->json);
  show_editor (f->window, restored);
  g_assert_nonnull (bb_editor_get_record (restored));
  g_assert_true (bb_editor_save (restored));

  stored = bb_store_get_record (bb_session_get_store (f->session), bb_record_get_id (record), &error);
  g_assert_no_error (error);
  g_assert_cmpint (bb_record_get_rev (stored), ==, 2);
  g_assert_cmpstr (bb_record_get_field_string (stored, "route"), ==, "Station, riverside path, Ingress Park");
}

static void
test_draft_of_a_deleted_record_makes_a_new_one (Fixture       *f,
                                                gconstpointer  data)
{
  g_autoptr(BbRecord) record = bb_record_new (BB_KIND_VAWG_WALK);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *route = NULL;
  BbEditor *restored;
  BbDraft *draft;
  guint n = 0;
  BbQuery query = { 0 };

  json_object_set_string_member (fields, "ward", "stone_castle");
  json_object_set_string_member (fields, "walk_type", "buddy_walk");
  bb_record_set_fields (record, fields);
  g_assert_true (bb_session_save_record (f->session, record, NULL, &error));
  g_assert_no_error (error);

  f->editor = bb_editor_new (f->session, NULL, record, NULL, NULL);
  show_editor (f->window, f->editor);
  type_text (f->editor, "route", "Bluewater path to the station");
  bb_editor_close (f->editor, FALSE);
  g_assert_true (bb_store_delete_record (bb_session_get_store (f->session),
                                         bb_record_get_id (record), &error));
  g_assert_no_error (error);

  drafts = list_drafts (f->session);
  g_assert_cmpuint (drafts->len, ==, 1);
  draft = g_ptr_array_index (drafts, 0);

  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = gtk_window_new ();
  restored = bb_editor_new (f->session, draft->kind, NULL, draft->id, draft->json);
  show_editor (f->window, restored);
  g_assert_null (bb_editor_get_record (restored));
  route = read_text (restored, "route");
  g_assert_cmpstr (route, ==, "Bluewater path to the station");

  g_assert_true (bb_editor_save (restored));
  bb_store_count_records (bb_session_get_store (f->session), &query, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
}

static void
test_unreadable_draft_is_left_alone (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autofree char *draft_id = bb_uuid_new ();
  g_autofree char *place = NULL;

  bb_store_save_draft (bb_session_get_store (f->session), draft_id, BB_KIND_PATROL_OBSERVATION,
                       NULL, "{\"fields\": [1, 2", &error);
  g_assert_no_error (error);

  f->editor = bb_editor_new (f->session, BB_KIND_PATROL_OBSERVATION, NULL, draft_id, "{\"fields\": [1, 2");
  show_editor (f->window, f->editor);
  g_assert_cmpstr (bb_editor_get_draft_id (f->editor), !=, draft_id);
  place = read_text (f->editor, "place");
  g_assert_cmpstr (place, ==, "");

  type_text (f->editor, "place", PLACE);
  wait_ms (900);
  drafts = list_drafts (f->session);
  g_assert_cmpuint (drafts->len, ==, 2);
  for (guint i = 0; i < drafts->len; i++)
    {
      BbDraft *draft = g_ptr_array_index (drafts, i);

      if (g_strcmp0 (draft->id, draft_id) == 0)
        g_assert_cmpstr (draft->json, ==, "{\"fields\": [1, 2");
    }
}

/* SIGKILL: a child process types, waits past the debounce, says so and is
 * killed; the parent then finds the draft. */

static int
run_child (const char *dir)
{
  BbSession *session;
  GtkWidget *window;
  BbEditor *editor;

  if (!gtk_init_check ())
    return 77;
  adw_init ();

  session = open_session (dir);
  window = gtk_window_new ();
  editor = bb_editor_new (session, BB_KIND_PATROL_OBSERVATION, NULL, NULL, NULL);
  show_editor (window, editor);
  type_observation (editor);
  wait_ms (900);

  g_print ("typed %s\n", bb_editor_get_draft_id (editor));
  fflush (stdout);

  /* Wait to be killed; never clean up. */
  for (;;)
    g_main_context_iteration (NULL, TRUE);

  return 1;
}

static void
test_draft_survives_sigkill (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", &error);
  g_autofree char *line = NULL;
  g_autoptr(BbSession) session = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  BbDraft *draft;

  g_assert_no_error (error);

  /* The parent holds no store open while the child writes. */
  g_clear_object (&f->session);

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            self_exe, "--draft-child", f->dir, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL)
    {
      g_subprocess_wait (child, NULL, NULL);
      if (g_subprocess_get_if_exited (child) && g_subprocess_get_exit_status (child) == 77)
        {
          g_test_skip ("the child could not open the display");
          return;
        }
      g_error ("the child ended without typing");
    }
  g_assert_true (g_str_has_prefix (line, "typed "));

  g_subprocess_force_exit (child);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);

  session = open_session (f->dir);
  drafts = list_drafts (session);
  g_assert_cmpuint (drafts->len, ==, 1);
  draft = g_ptr_array_index (drafts, 0);
  g_assert_cmpstr (draft->id, ==, line + strlen ("typed "));
  g_assert_cmpstr (draft_place (draft), ==, PLACE);

  /* And the app can offer it back. */
  {
    BbEditor *restored = bb_editor_new (session, draft->kind, NULL, draft->id, draft->json);
    g_autofree char *description = NULL;

    show_editor (f->window, restored);
    description = read_text (restored, "description");
    g_assert_cmpstr (description, ==, DESCRIPTION);
    gtk_window_destroy (GTK_WINDOW (f->window));
    f->window = NULL;
    while (g_main_context_iteration (NULL, FALSE))
      ;
  }
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && g_str_equal (argv[1], "--draft-child"))
    return run_child (argv[2]);

  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      g_printerr ("test-drafts: no display, skipping (run under xvfb-run -a)\n");
      return 77;
    }
  adw_init ();

#define ADD(path, func) g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)
  ADD ("/drafts/are-written-while-typing", test_draft_is_written_while_typing);
  ADD ("/drafts/are-kept-when-the-editor-is-destroyed", test_destroying_the_editor_keeps_the_draft);
  ADD ("/drafts/come-back-with-what-was-typed-and-go-on-save", test_restored_draft_shows_the_typing);
  ADD ("/drafts/are-kept-on-close-and-deleted-on-discard", test_close_keeps_or_discards);
  ADD ("/drafts/of-an-edit-reopen-the-record", test_draft_of_an_edit_reopens_the_record);
  ADD ("/drafts/of-a-deleted-record-make-a-new-one", test_draft_of_a_deleted_record_makes_a_new_one);
  ADD ("/drafts/that-cannot-be-read-are-left-alone", test_unreadable_draft_is_left_alone);
  ADD ("/drafts/survive-sigkill", test_draft_survives_sigkill);
#undef ADD

  return g_test_run ();
}
