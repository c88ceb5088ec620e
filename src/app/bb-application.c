/* bb-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include "bb-application.h"
#include "bb-i18n.h"
#include "bb-window.h"

struct _BbApplication
{
  AdwApplication  parent_instance;

  char           *data_dir;
  BbSession      *session;
  GError         *session_error;
};

G_DEFINE_FINAL_TYPE (BbApplication, bb_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_DATA_DIR,
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

static const GActionEntry app_actions[] = {
  { "quit", bb_application_quit_action },
  { "about", bb_application_about_action },
  { "help", bb_application_help_action },
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

  G_APPLICATION_CLASS (bb_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.help", help_accels);

  g_clear_error (&self->session_error);
  self->session = bb_session_new (self->data_dir, &self->session_error);
  if (self->session == NULL)
    g_warning ("Could not open the data in %s: %s",
               self->data_dir != NULL ? self->data_dir : "the default data directory",
               self->session_error->message);
}

static void
bb_application_activate (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    window = GTK_WINDOW (bb_window_new (BB_APPLICATION (application)));

  gtk_window_present (window);
}

static void
bb_application_shutdown (GApplication *application)
{
  BbApplication *self = BB_APPLICATION (application);

  G_APPLICATION_CLASS (bb_application_parent_class)->shutdown (application);

  g_clear_object (&self->session);
}

static void
bb_application_finalize (GObject *object)
{
  BbApplication *self = BB_APPLICATION (object);

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

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (BB_IS_WINDOW (l->data))
      bb_window_reload (l->data);
}

void
bb_application_refresh_state (BbApplication *self)
{
  g_return_if_fail (BB_IS_APPLICATION (self));

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (BB_IS_WINDOW (l->data))
      bb_window_refresh_state (l->data);
}
