/* bb-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bb-application.h"
#include "bb-i18n.h"
#include "bb-sign-in-dialog.h"
#include "bb-sync-indicator.h"
#include "bb-window.h"

struct _BbApplication
{
  AdwApplication  parent_instance;

  char           *data_dir;
  BbSession      *session;
  GError         *session_error;
  BbSyncEngine   *sync_engine;
};

G_DEFINE_FINAL_TYPE (BbApplication, bb_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_DATA_DIR,
  PROP_SYNC_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
bb_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  BbApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Closing through the window (not g_application_quit) lets it keep an
   * open editor's draft and remember its size. */
  for (GList *l = windows; l != NULL; )
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }
}

static void
bb_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  BbApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        "application-name", _("Beatbook"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The Beatbook project"),
                        "comments", _("An offline field logbook for Community Safety Partnerships: "
                                      "patrol observations, Section 59 warnings, VAWG walks and "
                                      "engagement events, recorded where they happen and synced later."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", _("© The Beatbook project"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
bb_application_help_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  BbApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  gtk_show_uri (parent, "help:beatbook", GDK_CURRENT_TIME);
}

/* Sync */

static void
update_sync_actions (BbApplication *self)
{
  gboolean signed_in = self->session != NULL && bb_session_is_signed_in (self->session);
  GAction *action;

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "sync");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), signed_in);
  action = g_action_map_lookup_action (G_ACTION_MAP (self), "sign-in");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), self->sync_engine != NULL && !signed_in);
  action = g_action_map_lookup_action (G_ACTION_MAP (self), "sign-out");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), signed_in);
}

static void
on_sync_state_changed (BbApplication *self)
{
  update_sync_actions (self);
  bb_application_refresh_state (self);
}

static void
bb_application_sync_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  BbApplication *self = user_data;

  if (self->sync_engine != NULL)
    bb_sync_engine_sync_now (self->sync_engine);
}

static void
bb_application_sign_in_action (GSimpleAction *action,
                               GVariant      *parameter,
                               gpointer       user_data)
{
  BbApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (self->sync_engine == NULL)
    return;
  gtk_window_present (GTK_WINDOW (bb_sign_in_dialog_new (self->sync_engine, parent)));
}

static void
sign_out_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(BbApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Only the local store can fail here; the user stays signed in then. */
  if (!bb_sync_engine_sign_out_finish (BB_SYNC_ENGINE (source), result, &error))
    g_warning ("Signing out failed: %s", error->message);
  update_sync_actions (self);
  bb_application_records_changed (self);
}

static void
sign_out_response (AdwMessageDialog *dialog,
                   const char       *response,
                   BbApplication    *self)
{
  if (g_strcmp0 (response, "sign-out") == 0 && self->sync_engine != NULL)
    bb_sync_engine_sign_out_async (self->sync_engine, NULL, sign_out_done, g_object_ref (self));
}

static void
bb_application_sign_out_action (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  BbApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autofree char *body = NULL;
  guint pending;
  GtkWidget *dialog;

  if (self->sync_engine == NULL)
    return;

  pending = bb_sync_engine_get_pending (self->sync_engine);
  if (pending > 0)
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u change has not been sent yet. It stays on this device, "
                                         "out of sight, and is sent when you sign in again.",
                                         "%u changes have not been sent yet. They stay on this device, "
                                         "out of sight, and are sent when you sign in again.",
                                         pending),
                            pending);
  else
    body = g_strdup (_("Your records stay on this device, out of sight, until you sign in again."));

  dialog = adw_message_dialog_new (parent, _("Sign Out?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "sign-out", _("_Sign Out"),
                                    NULL);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (sign_out_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static const GActionEntry app_actions[] = {
  { "quit", bb_application_quit_action },
  { "about", bb_application_about_action },
  { "help", bb_application_help_action },
  { "sync", bb_application_sync_action },
  { "sign-in", bb_application_sign_in_action },
  { "sign-out", bb_application_sign_out_action },
};

static gint
bb_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  BbApplication *self = BB_APPLICATION (application);
  const char *data_dir = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("beatbook %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "data-dir", "^&ay", &data_dir))
    {
      if (*data_dir == '\0')
        {
          g_printerr (_("--data-dir needs a directory, e.g. --data-dir ~/beatbook-test\n"));
          return 2;
        }
      g_free (self->data_dir);
      self->data_dir = g_canonicalize_filename (data_dir, NULL);
    }

  return G_APPLICATION_CLASS (bb_application_parent_class)->handle_local_options (application, options);
}

static void
bb_application_startup (GApplication *application)
{
  BbApplication *self = BB_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *help_accels[] = { "F1", NULL };
  static const char *sync_accels[] = { "<Control>r", NULL };

  G_APPLICATION_CLASS (bb_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.help", help_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.sync", sync_accels);

  g_clear_error (&self->session_error);
  self->session = bb_session_new (self->data_dir, &self->session_error);
  if (self->session == NULL)
    g_warning ("Could not open the data in %s: %s",
               self->data_dir != NULL ? self->data_dir : "the default data directory",
               self->session_error->message);

  /* Templates name the indicator: its type must exist before a window. */
  g_type_ensure (BB_TYPE_SYNC_INDICATOR);
  if (self->session != NULL)
    {
      self->sync_engine = bb_sync_engine_new (self->session);
      g_signal_connect_object (self->sync_engine, "synced",
                               G_CALLBACK (bb_application_records_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->sync_engine, "store-changed",
                               G_CALLBACK (bb_application_records_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->sync_engine, "notify::state",
                               G_CALLBACK (on_sync_state_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->sync_engine, "notify::pending",
                               G_CALLBACK (on_sync_state_changed), self, G_CONNECT_SWAPPED);
      /* Whatever waits from the last run goes as soon as it can. */
      bb_sync_engine_sync_now (self->sync_engine);
    }
  update_sync_actions (self);
}

/* $BEATBOOK_BENCH_FIRST_FRAME (tests/bench/run-bench.py): once the window
 * has painted its first frame with the list in it, say so on standard output
 * with the resident memory, and quit. The benchmark times start to that line. */
static void
on_bench_after_paint (GdkFrameClock *clock,
                      GtkWindow     *window)
{
  g_autofree char *status = NULL;
  const char *rss;

  g_signal_handlers_disconnect_by_func (clock, on_bench_after_paint, window);

  rss = g_file_get_contents ("/proc/self/status", &status, NULL, NULL)
        ? strstr (status, "VmRSS:") : NULL;
  g_print ("first-frame rss_kb=%ld\n", rss != NULL ? strtol (rss + strlen ("VmRSS:"), NULL, 10) : -1L);
  fflush (stdout);
  g_application_quit (G_APPLICATION (gtk_window_get_application (window)));
}

static void
on_bench_window_mapped (GtkWindow *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));

  g_signal_connect_after (clock, "after-paint", G_CALLBACK (on_bench_after_paint), window);
}

static void
bb_application_activate (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    {
      window = GTK_WINDOW (bb_window_new (BB_APPLICATION (application)));
      if (g_getenv ("BEATBOOK_BENCH_FIRST_FRAME") != NULL)
        g_signal_connect (window, "map", G_CALLBACK (on_bench_window_mapped), NULL);
    }

  gtk_window_present (window);
}

static void
bb_application_shutdown (GApplication *application)
{
  BbApplication *self = BB_APPLICATION (application);

  G_APPLICATION_CLASS (bb_application_parent_class)->shutdown (application);

  if (self->sync_engine != NULL)
    bb_sync_engine_stop (self->sync_engine);
  g_clear_object (&self->sync_engine);
  g_clear_object (&self->session);
}

static void
bb_application_finalize (GObject *object)
{
  BbApplication *self = BB_APPLICATION (object);

  g_clear_object (&self->sync_engine);
  g_clear_object (&self->session);
  g_clear_error (&self->session_error);
  g_clear_pointer (&self->data_dir, g_free);

  G_OBJECT_CLASS (bb_application_parent_class)->finalize (object);
}

static void
bb_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BbApplication *self = BB_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;
    case PROP_SYNC_ENGINE:
      g_value_set_object (value, self->sync_engine);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bb_application_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BbApplication *self = BB_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_free (self->data_dir);
      self->data_dir = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bb_application_class_init (BbApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = bb_application_finalize;
  object_class->get_property = bb_application_get_property;
  object_class->set_property = bb_application_set_property;

  app_class->handle_local_options = bb_application_handle_local_options;
  app_class->startup = bb_application_startup;
  app_class->activate = bb_application_activate;
  app_class->shutdown = bb_application_shutdown;

  /**
   * BbApplication:data-dir:
   *
   * Where the profile and the users' stores live; NULL for the default.
   * Set before startup: the session is opened there once.
   */
  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);

  /**
   * BbApplication:sync-engine:
   *
   * (nullable): syncs the session in the background; NULL before startup
   * or when the session could not be opened.
   */
  properties[PROP_SYNC_ENGINE] =
    g_param_spec_object ("sync-engine", NULL, NULL,
                         BB_TYPE_SYNC_ENGINE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bb_application_init (BbApplication *self)
{
  static const GOptionEntry options[] = {
    { "data-dir", 'd', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
      N_("Keep the records in DIR instead of the default place"), N_("DIR") },
    { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
      N_("Show the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("An offline field logbook for Community Safety Partnerships."));
}

BbApplication *
bb_application_new (void)
{
  return g_object_new (BB_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/org/beatbook/Beatbook",
                       NULL);
}

const char *
bb_application_get_data_dir (BbApplication *self)
{
  g_return_val_if_fail (BB_IS_APPLICATION (self), NULL);

  return self->data_dir;
}

BbSession *
bb_application_get_session (BbApplication *self)
{
  g_return_val_if_fail (BB_IS_APPLICATION (self), NULL);

  return self->session;
}

const GError *
bb_application_get_session_error (BbApplication *self)
{
  g_return_val_if_fail (BB_IS_APPLICATION (self), NULL);

  return self->session_error;
}

void
bb_application_records_changed (BbApplication *self)
{
  g_return_if_fail (BB_IS_APPLICATION (self));

  /* Each window listens to the session. */
  if (self->session != NULL)
    bb_session_records_changed (self->session);
}

void
bb_application_refresh_state (BbApplication *self)
{
  g_return_if_fail (BB_IS_APPLICATION (self));

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (BB_IS_WINDOW (l->data))
      bb_window_refresh_state (l->data);
}
