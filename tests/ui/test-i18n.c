/* test-i18n.c: the app and the cli speak Polish when the locale asks for it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "bb-application.h"
#include "bb-window.h"

static gboolean
tree_has_label (GtkWidget  *widget,
                const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  if (ADW_IS_PREFERENCES_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (tree_has_label (child, text))
      return TRUE;

  return FALSE;
}

static void
wait_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static void
test_app_first_run_is_in_polish (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("beatbook-i18n-XXXXXX", &error);
  g_autoptr(BbApplication) app = NULL;
  BbWindow *window;

  g_assert_no_error (error);
  app = g_object_new (BB_TYPE_APPLICATION,
                      "application-id", "org.beatbook.Beatbook.TestI18n",
                      "resource-base-path", "/org/beatbook/Beatbook",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "data-dir", dir,
                      NULL);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  window = bb_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  wait_ms (200);

  g_assert_cmpstr (bb_window_get_page (window), ==, "first-run");
  /* The source text is en_GB; the screen must show the Polish. */
  g_assert_true (tree_has_label (GTK_WIDGET (window), "Kto używa tego urządzenia?"));
  g_assert_false (tree_has_label (GTK_WIDGET (window), "Who Is Using This Device?"));

  gtk_window_destroy (GTK_WINDOW (window));
  wait_ms (50);
}

static char *
run_cli (const char  *dir,
         char       **err,
         int         *status,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  va_list args;
  const char *arg;

  g_ptr_array_add (argv, (gpointer)g_getenv ("BEATBOOK_CLI"));
  g_ptr_array_add (argv, (gpointer)"--data-dir");
  g_ptr_array_add (argv, (gpointer)dir);
  va_start (args, status);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *)argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, err, &error);
  g_assert_no_error (error);
  *status = g_subprocess_get_exit_status (proc);
  return out;
}

static void
test_cli_is_in_polish (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("beatbook-i18n-XXXXXX", &error);
  g_autofree char *help = NULL;
  g_autofree char *help_err = NULL;
  g_autofree char *add = NULL;
  g_autofree char *add_err = NULL;
  g_autofree char *json = g_build_filename (dir, "event.json", NULL);
  int status = -1;

  g_assert_no_error (error);
  help = run_cli (dir, &help_err, &status, "--help", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (help, "Polecenia"));
  g_assert_null (strstr (help, "Commands:"));

  /* A refused record is explained in Polish, field by field. */
  g_free (run_cli (dir, &help_err, &status, "identity", "--name", "Radny", "--role", "councillor", NULL));
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_file_set_contents (json, "{\"fields\": {\"ward\": \"town\", \"event_type\": \"ward_surgery\"}}", -1, NULL));
  add = run_cli (dir, &add_err, &status, "add", "engagement_event", "--json", json, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (add_err, "pole wymagane"));
}

int
main (int   argc,
      char *argv[])
{
  /* Before anything reads the locale: Polish messages from the build tree. */
  g_setenv ("LANGUAGE", "pl", TRUE);
  bb_i18n_init ();

  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      g_printerr ("test-i18n: no display could be opened: skipped (run under xvfb-run -a)\n");
      return 77;
    }
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/i18n/app/first-run-is-in-polish", test_app_first_run_is_in_polish);
  g_test_add_func ("/i18n/cli/help-and-problems-are-in-polish", test_cli_is_in_polish);

  return g_test_run ();
}
