/* bb-sign-in-dialog.c: sign in to the partnership's server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include <string.h>

#include "bb-i18n.h"
#include "bb-sign-in-dialog.h"

/* Kept in the local user's store, to fill the form next time. */
#define META_LAST_SERVER   "signin.last_server"
#define META_LAST_USERNAME "signin.last_username"

struct _BbSignInDialog
{
  AdwWindow         parent_instance;

  BbSyncEngine     *engine;
  GCancellable     *cancellable;
  char             *ca_file;
  char             *stage;
  char             *message;
  char             *done_text;
  BbSecretPlace     place;
  AdwMessageDialog *adopt_question;
  GtkFileChooserNative *chooser;

  /* template */
  GtkStack         *stack;
  GtkWidget        *cancel_button;
  GtkWidget        *sign_in_button;
  AdwEntryRow      *server_row;
  AdwEntryRow      *username_row;
  AdwEntryRow      *password_row;
  AdwActionRow     *ca_row;
  GtkWidget        *ca_clear_button;
  GtkWidget        *message_box;
  GtkLabel         *message_label;
  GtkWidget        *working_box;
  AdwStatusPage    *done_page;
};

G_DEFINE_FINAL_TYPE (BbSignInDialog, bb_sign_in_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_SIGNED_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Helpers */

static BbSession *
get_session (BbSignInDialog *self)
{
  return bb_sync_engine_get_session (self->engine);
}

static void
set_stage (BbSignInDialog *self,
           const char     *stage)
{
  gboolean working = g_str_equal (stage, "working");
  gboolean form = g_str_equal (stage, "form") || working;

  g_free (self->stage);
  self->stage = g_strdup (stage);

  /* An entry made insensitive while focused keeps its cursor blinking with
   * no focus (GTK warns): hand the focus to a button that stays usable. */
  if (working)
    gtk_widget_grab_focus (self->cancel_button);

  gtk_stack_set_visible_child_name (self->stack, form ? "form" : "done");
  gtk_widget_set_visible (self->working_box, working);
  gtk_widget_set_sensitive (self->sign_in_button, g_str_equal (stage, "form"));
  gtk_widget_set_visible (self->sign_in_button, form);
  gtk_widget_set_visible (self->cancel_button, form);
  gtk_widget_set_sensitive (GTK_WIDGET (self->server_row), !working);
  gtk_widget_set_sensitive (GTK_WIDGET (self->username_row), !working);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !working);
  gtk_widget_set_sensitive (GTK_WIDGET (self->ca_row), !working);
}

/* A problem, in plain words, under the form; @focus is the row to fix. */
static void
show_message (BbSignInDialog *self,
              const char     *message,
              GtkWidget      *focus)
{
  g_free (self->message);
  self->message = g_strdup (message);
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (self->message_box, message != NULL);

  gtk_widget_remove_css_class (GTK_WIDGET (self->server_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->username_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->password_row), "error");
  if (focus != NULL)
    {
      gtk_widget_add_css_class (focus, "error");
      gtk_widget_grab_focus (focus);
    }
}

static void
update_ca_row (BbSignInDialog *self)
{
  if (self->ca_file != NULL)
    {
      g_autofree char *name = g_path_get_basename (self->ca_file);

      adw_action_row_set_subtitle (self->ca_row, name);
    }
  else
    adw_action_row_set_subtitle (self->ca_row, _("None: the system’s trusted certificates are used"));
  gtk_widget_set_visible (self->ca_clear_button, self->ca_file != NULL);
}

static const char *
describe_sign_in_error (const GError  *error,
                        GtkWidget    **focus,
                        BbSignInDialog *self)
{
  *focus = NULL;

  if (error->domain != BB_CLIENT_ERROR)
    return error->message;

  switch ((BbClientError) error->code)
    {
    case BB_CLIENT_ERROR_INVALID_CREDENTIALS:
    case BB_CLIENT_ERROR_UNAUTHORIZED:
      *focus = GTK_WIDGET (self->password_row);
      return _("Wrong username or password. Check both and try again.");
    case BB_CLIENT_ERROR_UNREACHABLE:
      *focus = GTK_WIDGET (self->server_row);
      return _("The server could not be reached. Check the address, and that this device is online.");
    case BB_CLIENT_ERROR_CERTIFICATE:
      *focus = GTK_WIDGET (self->server_row);
      return _("The server’s certificate is not trusted, so nothing was sent. If your partnership "
               "uses its own certificate authority, choose its file below; otherwise tell your administrator.");
    case BB_CLIENT_ERROR_INSECURE:
      *focus = GTK_WIDGET (self->server_row);
      return _("The address must start with https:// (plain http is only for a server on this computer).");
    case BB_CLIENT_ERROR_TOO_MANY_ATTEMPTS:
      return _("Too many attempts: wait a few minutes, then try again.");
    case BB_CLIENT_ERROR_FORBIDDEN:
      return _("This account may not sign in from a device. Ask your administrator.");
    case BB_CLIENT_ERROR_NOT_FOUND:
      *focus = GTK_WIDGET (self->server_row);
      return _("No Beatbook server answers at that address. Check it with your administrator.");
    default:
      return error->message;
    }
}

static void
finish (BbSignInDialog *self)
{
  BbSession *session = get_session (self);
  g_autofree char *text = NULL;
  const char *who = bb_session_get_display_name (session) != NULL
                    ? bb_session_get_display_name (session)
                    : bb_session_get_username (session);

  if (self->place == BB_SECRET_KEYRING)
    /* Translators: the first %s is a person, the second a server address */
    text = g_strdup_printf (_("Signed in as %s at %s. Your sign-in is kept in the desktop keyring; "
                              "your password is not stored."),
                            who, bb_session_get_server_url (session));
  else
    text = g_strdup_printf (_("Signed in as %s at %s. No desktop keyring is running, so your sign-in "
                              "is kept in a file only your account can read, in Beatbook’s data folder; "
                              "your password is not stored."),
                            who, bb_session_get_server_url (session));

  if (self->done_text != NULL)
    {
      /* Something about the earlier records was said already: keep it. */
      g_autofree char *both = g_strdup_printf ("%s\n\n%s", text, self->done_text);

      g_free (self->done_text);
      self->done_text = g_steal_pointer (&both);
    }
  else
    self->done_text = g_steal_pointer (&text);

  adw_status_page_set_description (self->done_page, self->done_text);
  set_stage (self, "done");
  g_signal_emit (self, signals[SIGNAL_SIGNED_IN], 0);
}

static void
adopt_response (AdwMessageDialog *dialog,
                const char       *response,
                BbSignInDialog   *self)
{
  BbSession *session = get_session (self);
  g_autoptr(GError) error = NULL;
  guint adopted = 0;

  self->adopt_question = NULL;

  if (g_strcmp0 (response, "send") == 0)
    {
      if (bb_session_adopt_local_records (session, &adopted, &error))
        {
          self->done_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "%u earlier record is now yours and will be sent.",
                                                          "%u earlier records are now yours and will be sent.",
                                                          adopted),
                                             adopted);
          bb_sync_engine_sync_now (self->engine);
        }
      else
        /* Nothing is lost: adopting again later saves by id. */
        self->done_text = g_strdup_printf (_("The earlier records could not be moved: %s. "
                                             "They are still on this device."),
                                           error->message);
    }
  else
    self->done_text = g_strdup (_("The earlier records stay on this device, apart from yours: "
                                  "they show when nobody is signed in."));

  finish (self);
}

static void
ask_about_local_records (BbSignInDialog *self,
                         guint           n_local)
{
  BbSession *session = get_session (self);
  const char *who = bb_session_get_display_name (session) != NULL
                    ? bb_session_get_display_name (session)
                    : bb_session_get_username (session);
  g_autofree char *body = NULL;
  g_autofree char *send = NULL;
  GtkWidget *dialog;

  /* Translators: "Send 3 records logged before sign-in as PCSO 4521?" */
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Send %u record logged before sign-in as %s? It becomes yours "
                                       "and goes to the server. Kept, it stays on this device only.",
                                       "Send %u records logged before sign-in as %s? They become yours "
                                       "and go to the server. Kept, they stay on this device only.",
                                       n_local),
                          n_local, who);
  /* Translators: a button, "Send as PCSO 4521" */
  send = g_strdup_printf (_("_Send as %s"), who);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Records Logged Before Sign-In"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "keep", _("_Keep on This Device"),
                                    "send", send,
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "send",
                                              ADW_RESPONSE_SUGGESTED);
  /* Escape must not decide for them which user the records belong to. */
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "send");
  g_signal_connect_object (dialog, "response", G_CALLBACK (adopt_response), self, 0);

  self->adopt_question = ADW_MESSAGE_DIALOG (dialog);
  set_stage (self, "asking");
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
sign_in_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(BbSignInDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  guint n_local;

  if (!bb_sync_engine_sign_in_finish (BB_SYNC_ENGINE (source), result, &self->place, &error))
    {
      GtkWidget *focus = NULL;
      const char *message;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_stage (self, "form");
      message = describe_sign_in_error (error, &focus, self);
      show_message (self, message, focus);
      return;
    }

  /* The password has done its job. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  show_message (self, NULL, NULL);

  n_local = bb_session_count_local_records (get_session (self));
  if (n_local > 0)
    ask_about_local_records (self, n_local);
  else
    finish (self);
}

/* Callbacks */

static void
on_sign_in_clicked (BbSignInDialog *self)
{
  g_autofree char *server = NULL;
  g_autofree char *username = NULL;
  const char *password;
  BbStore *store = bb_session_get_store (get_session (self));

  if (!g_str_equal (self->stage, "form"))
    return;

  server = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
  username = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->username_row))));
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  if (*server == '\0')
    {
      show_message (self, _("Enter the server’s address, e.g. https://beatbook.example.org"),
                    GTK_WIDGET (self->server_row));
      return;
    }
  if (*username == '\0')
    {
      show_message (self, _("Enter your username."), GTK_WIDGET (self->username_row));
      return;
    }
  if (*password == '\0')
    {
      show_message (self, _("Enter your password."), GTK_WIDGET (self->password_row));
      return;
    }

  /* People type the host name only: https is what a partnership runs. */
  if (strstr (server, "://") == NULL)
    {
      char *with_scheme = g_strconcat ("https://", server, NULL);

      g_free (server);
      server = with_scheme;
      gtk_editable_set_text (GTK_EDITABLE (self->server_row), server);
    }

  /* Remembered for the form only, in the device's local store. */
  bb_store_set_meta (store, META_LAST_SERVER, server, NULL);
  bb_store_set_meta (store, META_LAST_USERNAME, username, NULL);

  show_message (self, NULL, NULL);
  set_stage (self, "working");
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  bb_sync_engine_sign_in_async (self->engine, server, self->ca_file, username, password, NULL,
                                self->cancellable, sign_in_done, g_object_ref (self));
}

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     BbSignInDialog  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      g_free (self->ca_file);
      self->ca_file = file != NULL ? g_file_get_path (file) : NULL;
      update_ca_row (self);
    }
  g_clear_object (&self->chooser);
}

static void
on_choose_ca_clicked (BbSignInDialog *self)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Choose the Certificate Authority File"),
                                               GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Choose"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Certificates (PEM)"));
  gtk_file_filter_add_pattern (filter, "*.pem");
  gtk_file_filter_add_pattern (filter, "*.crt");
  gtk_file_filter_add_pattern (filter, "*.cer");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_clear_ca_clicked (BbSignInDialog *self)
{
  g_clear_pointer (&self->ca_file, g_free);
  update_ca_row (self);
}

static void
on_close_clicked (BbSignInDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

/* Overrides */

static void
bb_sign_in_dialog_dispose (GObject *object)
{
  BbSignInDialog *self = BB_SIGN_IN_DIALOG (object);

  /* A sign-in still running finishes in the engine; only its answer to this
   * dialog is dropped. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->chooser, on_chooser_response, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), BB_TYPE_SIGN_IN_DIALOG);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (bb_sign_in_dialog_parent_class)->dispose (object);
}

static void
bb_sign_in_dialog_finalize (GObject *object)
{
  BbSignInDialog *self = BB_SIGN_IN_DIALOG (object);

  g_free (self->ca_file);
  g_free (self->stage);
  g_free (self->message);
  g_free (self->done_text);

  G_OBJECT_CLASS (bb_sign_in_dialog_parent_class)->finalize (object);
}

static void
bb_sign_in_dialog_class_init (BbSignInDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bb_sign_in_dialog_dispose;
  object_class->finalize = bb_sign_in_dialog_finalize;

  signals[SIGNAL_SIGNED_IN] =
    g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/beatbook/Beatbook/bb-sign-in-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, BbSignInDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, BbSignInDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, BbSignInDialog, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, BbSignInDialog, server_row);
  gtk_widget_class_bind_template_child (widget_class, BbSignInDialog, username_row);
  gtk_widget_class_bind_template_child (widget_class, BbSignInDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, BbSignInDialog, ca_row);
  gtk_widget_class_bind_template_child (widget_class, BbSignInDialog, ca_clear_button);
  gtk_widget_class_bind_template_child (widget_class, BbSignInDialog, message_box);
  gtk_widget_class_bind_template_child (widget_class, BbSignInDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, BbSignInDialog, working_box);
  gtk_widget_class_bind_template_child (widget_class, BbSignInDialog, done_page);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_in_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_ca_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_clear_ca_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_close_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bb_sign_in_dialog_init (BbSignInDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->stage = g_strdup ("form");
  update_ca_row (self);
}

/* Public API */

BbSignInDialog *
bb_sign_in_dialog_new (BbSyncEngine *engine,
                       GtkWindow    *parent)
{
  BbSignInDialog *self;
  BbStore *store;
  g_autofree char *server = NULL;
  g_autofree char *username = NULL;

  g_return_val_if_fail (BB_IS_SYNC_ENGINE (engine), NULL);
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  self = g_object_new (BB_TYPE_SIGN_IN_DIALOG,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
  self->engine = g_object_ref (engine);

  store = bb_session_get_store (get_session (self));
  server = bb_store_get_meta (store, META_LAST_SERVER);
  username = bb_store_get_meta (store, META_LAST_USERNAME);
  if (server != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), server);
  if (username != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->username_row), username);
  set_stage (self, "form");

  /* Start where typing is still needed. */
  if (server == NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
  else if (username == NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->username_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));

  return self;
}

void
bb_sign_in_dialog_set_fields (BbSignInDialog *self,
                              const char     *server_url,
                              const char     *username,
                              const char     *password)
{
  g_return_if_fail (BB_IS_SIGN_IN_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server_url != NULL ? server_url : "");
  gtk_editable_set_text (GTK_EDITABLE (self->username_row), username != NULL ? username : "");
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password != NULL ? password : "");
}

void
bb_sign_in_dialog_submit (BbSignInDialog *self)
{
  g_return_if_fail (BB_IS_SIGN_IN_DIALOG (self));
  on_sign_in_clicked (self);
}

const char *
bb_sign_in_dialog_get_stage (BbSignInDialog *self)
{
  g_return_val_if_fail (BB_IS_SIGN_IN_DIALOG (self), NULL);
  return self->stage;
}

const char *
bb_sign_in_dialog_get_message (BbSignInDialog *self)
{
  g_return_val_if_fail (BB_IS_SIGN_IN_DIALOG (self), NULL);
  return self->message;
}

const char *
bb_sign_in_dialog_get_done_text (BbSignInDialog *self)
{
  g_return_val_if_fail (BB_IS_SIGN_IN_DIALOG (self), NULL);
  return g_str_equal (self->stage, "done") ? self->done_text : NULL;
}

AdwMessageDialog *
bb_sign_in_dialog_get_adopt_question (BbSignInDialog *self)
{
  g_return_val_if_fail (BB_IS_SIGN_IN_DIALOG (self), NULL);
  return self->adopt_question;
}
