/* bb-first-run.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include "bb-first-run.h"
#include "bb-i18n.h"

/* An admin manages users and devices on the server; nobody logs records as one. */
static const BbRole offered_roles[] = {
  BB_ROLE_OFFICER,
  BB_ROLE_WARDEN,
  BB_ROLE_COUNCILLOR,
  BB_ROLE_SUPERVISOR,
};

struct _BbFirstRun
{
  GtkBox       parent_instance;

  BbSession   *session;
  char        *message;

  AdwEntryRow *name_row;
  AdwComboRow *role_row;
  AdwEntryRow *number_row;
  GtkButton   *start_button;
  GtkLabel    *message_label;
  GtkLabel    *number_hint;
  GtkLabel    *role_hint;
};

G_DEFINE_FINAL_TYPE (BbFirstRun, bb_first_run, GTK_TYPE_BOX)

enum {
  SIGNAL_IDENTITY_SET,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static BbRole
selected_role (BbFirstRun *self)
{
  guint position = adw_combo_row_get_selected (self->role_row);

  if (position == GTK_INVALID_LIST_POSITION)
    return BB_ROLE_NONE;

  return bb_first_run_role_at (position);
}

static gboolean
role_needs_number (BbRole role)
{
  /* domain.md: officers are identified by their force (collar) number. */
  return role == BB_ROLE_OFFICER;
}

static void
show_message (BbFirstRun *self,
              const char *message)
{
  g_free (self->message);
  self->message = g_strdup (message);
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
}

static void
update_state (BbFirstRun *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_autofree char *number = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->number_row))));
  BbRole role = selected_role (self);
  g_autofree char *description = bb_first_run_describe_role (role);
  gboolean complete;

  /* Under the form, not in the role row: at 360 px a subtitle there
   * leaves no room for the role itself. */
  gtk_label_set_text (self->role_hint, description);
  gtk_label_set_text (self->number_hint,
                      role_needs_number (role)
                        ? _("Your force (collar) number is needed: it is how your records are attributed.")
                        : _("Your staff number, if you have one."));

  complete = *name != '\0' && role != BB_ROLE_NONE &&
             (!role_needs_number (role) || *number != '\0');
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), complete);
}

static void
on_changed (BbFirstRun *self)
{
  show_message (self, NULL);
  update_state (self);
}

static void
on_start (BbFirstRun *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_autofree char *number = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->number_row))));
  BbRole role = selected_role (self);
  g_autoptr(GError) error = NULL;

  if (*name == '\0')
    {
      show_message (self, _("Enter your name: it is shown on the records you make."));
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return;
    }
  if (g_utf8_strlen (name, -1) > 200)
    {
      show_message (self, _("That name is longer than 200 characters: shorten it."));
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return;
    }
  if (role == BB_ROLE_NONE)
    {
      show_message (self, _("Choose your role."));
      gtk_widget_grab_focus (GTK_WIDGET (self->role_row));
      return;
    }
  if (role_needs_number (role) && *number == '\0')
    {
      show_message (self, _("Enter your force number: police officers and PCSOs are identified by it."));
      gtk_widget_grab_focus (GTK_WIDGET (self->number_row));
      return;
    }
  if (g_utf8_strlen (number, -1) > 40)
    {
      show_message (self, _("That staff or force number is longer than 40 characters: check it."));
      gtk_widget_grab_focus (GTK_WIDGET (self->number_row));
      return;
    }

  if (self->session == NULL)
    {
      show_message (self, _("The records could not be opened, so nothing can be saved."));
      return;
    }

  if (!bb_session_set_identity (self->session, name, role, *number != '\0' ? number : NULL, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not save who you are: %s"), error->message);

      show_message (self, message);
      return;
    }

  show_message (self, NULL);
  g_signal_emit (self, signals[SIGNAL_IDENTITY_SET], 0);
}

static void
on_entry_activated (BbFirstRun *self)
{
  if (gtk_widget_get_sensitive (GTK_WIDGET (self->start_button)))
    on_start (self);
  else
    gtk_widget_child_focus (GTK_WIDGET (self), GTK_DIR_TAB_FORWARD);
}

static void
bb_first_run_dispose (GObject *object)
{
  BbFirstRun *self = BB_FIRST_RUN (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), BB_TYPE_FIRST_RUN);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (bb_first_run_parent_class)->dispose (object);
}

static void
bb_first_run_finalize (GObject *object)
{
  BbFirstRun *self = BB_FIRST_RUN (object);

  g_free (self->message);

  G_OBJECT_CLASS (bb_first_run_parent_class)->finalize (object);
}

static void
bb_first_run_class_init (BbFirstRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bb_first_run_dispose;
  object_class->finalize = bb_first_run_finalize;

  /**
   * BbFirstRun::identity-set:
   *
   * The identity was saved in the session: the app can go on to the list.
   */
  signals[SIGNAL_IDENTITY_SET] =
    g_signal_new ("identity-set",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/beatbook/Beatbook/bb-first-run.ui");
  gtk_widget_class_bind_template_child (widget_class, BbFirstRun, name_row);
  gtk_widget_class_bind_template_child (widget_class, BbFirstRun, role_row);
  gtk_widget_class_bind_template_child (widget_class, BbFirstRun, number_row);
  gtk_widget_class_bind_template_child (widget_class, BbFirstRun, start_button);
  gtk_widget_class_bind_template_child (widget_class, BbFirstRun, message_label);
  gtk_widget_class_bind_template_child (widget_class, BbFirstRun, number_hint);
  gtk_widget_class_bind_template_child (widget_class, BbFirstRun, role_hint);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_start);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
}

static void
bb_first_run_init (BbFirstRun *self)
{
  g_autoptr(GtkStringList) roles = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (offered_roles); i++)
    gtk_string_list_append (roles, bb_role_get_label (offered_roles[i]));
  adw_combo_row_set_model (self->role_row, G_LIST_MODEL (roles));
  adw_combo_row_set_selected (self->role_row, 0);

  /* The entry rows' text boxes are named by the row titles. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->name_row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Your name"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->number_row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Staff or force number"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->role_row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Role"), -1);

  update_state (self);
}

GtkWidget *
bb_first_run_new (BbSession *session)
{
  BbFirstRun *self = g_object_new (BB_TYPE_FIRST_RUN, NULL);

  bb_first_run_set_session (self, session);
  return GTK_WIDGET (self);
}

void
bb_first_run_set_session (BbFirstRun *self,
                          BbSession  *session)
{
  g_return_if_fail (BB_IS_FIRST_RUN (self));
  g_return_if_fail (session == NULL || BB_IS_SESSION (session));

  g_set_object (&self->session, session);
}

BbRole
bb_first_run_role_at (guint position)
{
  if (position >= G_N_ELEMENTS (offered_roles))
    return BB_ROLE_NONE;

  return offered_roles[position];
}

guint
bb_first_run_n_roles (void)
{
  return G_N_ELEMENTS (offered_roles);
}

char *
bb_first_run_describe_role (BbRole role)
{
  const BbKindSpec * const *kinds = bb_kind_all ();
  GString *names = g_string_new (NULL);

  for (guint i = 0; kinds[i] != NULL; i++)
    {
      if (!bb_kind_can_create (kinds[i], role))
        continue;
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, _(kinds[i]->plural_label));
    }

  if (names->len == 0)
    {
      g_string_free (names, TRUE);
      return g_strdup (_("Cannot create records on this device"));
    }

  /* Translators: the kinds a role may create, "Can create: Patrol observations, VAWG walks" */
  {
    g_autofree char *list = g_string_free (names, FALSE);

    return g_strdup_printf (_("Can create: %s"), list);
  }
}

GtkWidget *
bb_first_run_get_name_row (BbFirstRun *self)
{
  g_return_val_if_fail (BB_IS_FIRST_RUN (self), NULL);

  return GTK_WIDGET (self->name_row);
}

GtkWidget *
bb_first_run_get_role_row (BbFirstRun *self)
{
  g_return_val_if_fail (BB_IS_FIRST_RUN (self), NULL);

  return GTK_WIDGET (self->role_row);
}

GtkWidget *
bb_first_run_get_number_row (BbFirstRun *self)
{
  g_return_val_if_fail (BB_IS_FIRST_RUN (self), NULL);

  return GTK_WIDGET (self->number_row);
}

GtkWidget *
bb_first_run_get_start_button (BbFirstRun *self)
{
  g_return_val_if_fail (BB_IS_FIRST_RUN (self), NULL);

  return GTK_WIDGET (self->start_button);
}

const char *
bb_first_run_get_message (BbFirstRun *self)
{
  g_return_val_if_fail (BB_IS_FIRST_RUN (self), NULL);

  return self->message;
}
