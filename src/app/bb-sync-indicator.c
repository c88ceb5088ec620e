/* bb-sync-indicator.c: the header's small "where syncing stands" button
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include "bb-i18n.h"
#include "bb-sync-indicator.h"

struct _BbSyncIndicator
{
  GtkWidget     parent_instance;

  BbSyncEngine *engine;
  gulong        notify_id;
  gboolean      engine_from_app;
  GtkWindow    *window;      /* (weak): the root, while rooted */
  gulong        application_id;

  /* template */
  GtkMenuButton *button;
  GtkImage      *icon;
  GtkLabel      *label;
  GtkLabel      *status_label;
  GtkLabel      *account_label;
  GtkLabel      *last_label;
  GtkWidget     *sync_button;
  GtkWidget     *sign_in_button;
  GtkWidget     *sign_out_button;
};

G_DEFINE_FINAL_TYPE (BbSyncIndicator, bb_sync_indicator, GTK_TYPE_WIDGET)

/* Helpers */

/* (transfer full): "14:02" today, "28 Nov, 14:02" another day, local time. */
static char *
format_when (const char *iso,
             GDateTime  *now)
{
  g_autoptr(GDateTime) utc = bb_time_parse (iso);
  g_autoptr(GTimeZone) tz = bb_time_zone_local (NULL);
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) now_local = NULL;

  if (utc == NULL)
    return NULL;
  local = g_date_time_to_timezone (utc, tz);
  if (now != NULL)
    now_local = g_date_time_to_timezone (now, tz);
  else
    now_local = g_date_time_new_now (tz);

  if (g_date_time_get_year (local) == g_date_time_get_year (now_local) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now_local))
    return g_date_time_format (local, "%H:%M");
  /* Translators: g_date_time_format(): "28 Nov, 14:02" */
  return g_date_time_format (local, _("%-d %b, %H:%M"));
}

static char *
format_waiting (guint pending)
{
  /* Translators: changes not yet sent, "3 waiting" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u waiting", "%u waiting", pending), pending);
}

char *
bb_sync_format_status (BbSyncEngineState   state,
                       guint               pending,
                       guint               attention,
                       const char         *last_success,
                       const char         *last_error,
                       GDateTime          *now,
                       const char        **icon_name)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *icon = "emblem-ok-symbolic";

  switch (state)
    {
    case BB_SYNC_ENGINE_STATE_SIGNED_OUT:
      icon = "avatar-default-symbolic";
      /* The server ending the session is news; never having signed in is not. */
      g_string_append (out, last_error != NULL ? last_error : _("Not signed in"));
      break;

    case BB_SYNC_ENGINE_STATE_OFFLINE:
      icon = "network-offline-symbolic";
      g_string_append (out, _("Offline"));
      break;

    case BB_SYNC_ENGINE_STATE_SYNCING:
      icon = "emblem-synchronizing-symbolic";
      g_string_append (out, _("Syncing…"));
      break;

    case BB_SYNC_ENGINE_STATE_ERROR:
      icon = "network-error-symbolic";
      /* Translators: "Server unreachable — will retry" */
      g_string_append_printf (out, _("%s — will retry"), last_error != NULL ? last_error : _("Sync failed"));
      break;

    case BB_SYNC_ENGINE_STATE_IDLE:
    default:
      if (pending > 0)
        {
          icon = "document-send-symbolic";
          break;
        }
      if (last_success != NULL)
        {
          g_autofree char *when = format_when (last_success, now);

          /* Translators: "Synced 14:02" or "Synced 28 Nov, 14:02" */
          g_string_append_printf (out, _("Synced %s"), when != NULL ? when : last_success);
        }
      else
        g_string_append (out, _("Not synced yet"));
      break;
    }

  if (pending > 0 && state != BB_SYNC_ENGINE_STATE_SYNCING)
    {
      g_autofree char *waiting = format_waiting (pending);

      if (out->len > 0)
        g_string_append (out, " · ");
      g_string_append (out, waiting);
    }

  if (attention > 0)
    {
      g_autofree char *check = NULL;

      /* Translators: records refused by the server or in conflict */
      check = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u to check", "%u to check", attention),
                               attention);
      g_string_append (out, " · ");
      g_string_append (out, check);
      if (state == BB_SYNC_ENGINE_STATE_IDLE)
        icon = "dialog-warning-symbolic";
    }

  if (icon_name != NULL)
    *icon_name = icon;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

BbSyncEngine *
bb_sync_engine_from_widget (GtkWidget *widget)
{
  GApplication *app = NULL;
  BbSyncEngine *engine = NULL;
  GtkRoot *root = widget != NULL ? gtk_widget_get_root (widget) : NULL;

  /* A window belongs to its own app; only a widget in no window at all
   * falls back to the default one. */
  if (root != NULL && GTK_IS_WINDOW (root))
    app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (root)));
  else
    app = g_application_get_default ();
  if (app == NULL || g_object_class_find_property (G_OBJECT_GET_CLASS (app), "sync-engine") == NULL)
    return NULL;

  g_object_get (app, "sync-engine", &engine, NULL);
  /* The application keeps its reference: hand out a borrowed one. */
  if (engine != NULL)
    g_object_unref (engine);
  return engine;
}

static void
update (BbSyncIndicator *self)
{
  g_autofree char *text = NULL;
  g_autofree char *account = NULL;
  g_autofree char *last = NULL;
  const char *icon = NULL;
  BbSyncEngineState state;
  BbSession *session;
  gboolean signed_in;

  gtk_widget_set_visible (GTK_WIDGET (self), self->engine != NULL);
  if (self->engine == NULL)
    return;

  state = bb_sync_engine_get_state (self->engine);
  session = bb_sync_engine_get_session (self->engine);
  signed_in = bb_session_is_signed_in (session);

  text = bb_sync_format_status (state,
                                bb_sync_engine_get_pending (self->engine),
                                bb_sync_engine_get_attention (self->engine),
                                bb_sync_engine_get_last_success (self->engine),
                                bb_sync_engine_get_last_error (self->engine),
                                NULL, &icon);
  gtk_label_set_text (self->label, text);
  gtk_image_set_from_icon_name (self->icon, icon);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), text);
  gtk_label_set_text (self->status_label, text);
  {
    /* Read as one sentence: the icon adds nothing the words do not say. */
    g_autofree char *spoken = g_strdup_printf (_("Sync: %s"), text);

    gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, spoken, -1);
  }

  if (signed_in)
    /* Translators: "Signed in as PCSO 4521 at https://beatbook.example.org" */
    account = g_strdup_printf (_("Signed in as %s at %s"),
                               bb_session_get_display_name (session) != NULL
                               ? bb_session_get_display_name (session)
                               : bb_session_get_username (session),
                               bb_session_get_server_url (session));
  else
    account = g_strdup (_("Records stay on this device until you sign in to your partnership’s server."));
  gtk_label_set_text (self->account_label, account);

  if (bb_sync_engine_get_last_success (self->engine) != NULL)
    {
      g_autofree char *when = format_when (bb_sync_engine_get_last_success (self->engine), NULL);

      last = g_strdup_printf (_("Last synced %s"), when);
    }
  gtk_label_set_text (self->last_label, last != NULL ? last : "");
  gtk_widget_set_visible (GTK_WIDGET (self->last_label), last != NULL && signed_in);

  gtk_widget_set_visible (self->sync_button, signed_in);
  gtk_widget_set_visible (self->sign_in_button, !signed_in);
  gtk_widget_set_visible (self->sign_out_button, signed_in);

  gtk_widget_remove_css_class (GTK_WIDGET (self->button), "warning");
  if (state == BB_SYNC_ENGINE_STATE_ERROR ||
      (state == BB_SYNC_ENGINE_STATE_SIGNED_OUT && bb_sync_engine_get_last_error (self->engine) != NULL))
    gtk_widget_add_css_class (GTK_WIDGET (self->button), "warning");
}

/* Callbacks */

static void
on_popover_button_clicked (BbSyncIndicator *self)
{
  /* The action opens a dialog or starts a sync: the popover has done its job. */
  gtk_menu_button_popdown (self->button);
}

/* Overrides */

static void set_engine (BbSyncIndicator *self, BbSyncEngine *engine);

static void
follow_application (BbSyncIndicator *self)
{
  set_engine (self, bb_sync_engine_from_widget (GTK_WIDGET (self)));
}

static void
bb_sync_indicator_root (GtkWidget *widget)
{
  BbSyncIndicator *self = BB_SYNC_INDICATOR (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (bb_sync_indicator_parent_class)->root (widget);

  if (!self->engine_from_app)
    return;

  /* A window gets its application after its template is built: follow it. */
  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root))
    {
      self->window = GTK_WINDOW (root);
      self->application_id = g_signal_connect_object (root, "notify::application",
                                                      G_CALLBACK (follow_application), self,
                                                      G_CONNECT_SWAPPED);
    }
  follow_application (self);
}

static void
bb_sync_indicator_unroot (GtkWidget *widget)
{
  BbSyncIndicator *self = BB_SYNC_INDICATOR (widget);

  if (self->window != NULL)
    g_clear_signal_handler (&self->application_id, self->window);
  self->window = NULL;

  GTK_WIDGET_CLASS (bb_sync_indicator_parent_class)->unroot (widget);
}

static void
bb_sync_indicator_dispose (GObject *object)
{
  BbSyncIndicator *self = BB_SYNC_INDICATOR (object);

  set_engine (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), BB_TYPE_SYNC_INDICATOR);

  G_OBJECT_CLASS (bb_sync_indicator_parent_class)->dispose (object);
}

static void
bb_sync_indicator_class_init (BbSyncIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bb_sync_indicator_dispose;
  widget_class->root = bb_sync_indicator_root;
  widget_class->unroot = bb_sync_indicator_unroot;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/beatbook/Beatbook/bb-sync-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, BbSyncIndicator, button);
  gtk_widget_class_bind_template_child (widget_class, BbSyncIndicator, icon);
  gtk_widget_class_bind_template_child (widget_class, BbSyncIndicator, label);
  gtk_widget_class_bind_template_child (widget_class, BbSyncIndicator, status_label);
  gtk_widget_class_bind_template_child (widget_class, BbSyncIndicator, account_label);
  gtk_widget_class_bind_template_child (widget_class, BbSyncIndicator, last_label);
  gtk_widget_class_bind_template_child (widget_class, BbSyncIndicator, sync_button);
  gtk_widget_class_bind_template_child (widget_class, BbSyncIndicator, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, BbSyncIndicator, sign_out_button);
  gtk_widget_class_bind_template_callback (widget_class, on_popover_button_clicked);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "bbsyncindicator");
}

static void
bb_sync_indicator_init (BbSyncIndicator *self)
{
  self->engine_from_app = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  update (self);
}

/* Public API */

GtkWidget *
bb_sync_indicator_new (void)
{
  return g_object_new (BB_TYPE_SYNC_INDICATOR, NULL);
}

void
bb_sync_indicator_set_engine (BbSyncIndicator *self,
                              BbSyncEngine    *engine)
{
  g_return_if_fail (BB_IS_SYNC_INDICATOR (self));
  g_return_if_fail (engine == NULL || BB_IS_SYNC_ENGINE (engine));

  /* Told explicitly: the application's engine no longer applies. */
  self->engine_from_app = FALSE;
  set_engine (self, engine);
}

static void
set_engine (BbSyncIndicator *self,
            BbSyncEngine    *engine)
{
  if (self->engine == engine)
    return;

  if (self->engine != NULL)
    g_clear_signal_handler (&self->notify_id, self->engine);
  g_set_object (&self->engine, engine);
  if (engine != NULL)
    self->notify_id = g_signal_connect_object (engine, "notify", G_CALLBACK (update), self,
                                               G_CONNECT_SWAPPED);
  update (self);
}

const char *
bb_sync_indicator_get_text (BbSyncIndicator *self)
{
  g_return_val_if_fail (BB_IS_SYNC_INDICATOR (self), NULL);

  return gtk_label_get_text (self->label);
}
