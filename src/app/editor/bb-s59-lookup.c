/* bb-s59-lookup.c: earlier Section 59 warnings, looked up while typing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-editor"

#include "config.h"

#include <string.h>

#include "bb-date-row.h"
#include "bb-format.h"
#include "bb-i18n.h"
#include "bb-s59-lookup.h"

/* prior_check.result holds at most this much (bb-kind.c). */
#define RESULT_MAX_CHARS 500

struct _BbS59Lookup
{
  GObject        parent_instance;

  BbSession     *session;
  BbForm        *form;        /* borrowed; NULL once stopped */
  char          *exclude_id;
  guint          timeout_id;
  GCancellable  *cancellable;
  guint          generation;
  gboolean       busy;
  gboolean       fill;        /* this answer goes into prior_check */
  char          *text;

  GPtrArray     *matches;     /* (element-type BbLookupMatch): device and server */
  char          *device_where;

  GtkWidget     *banner;      /* the row under the mark */
  GtkWidget     *revealer;
  GtkWidget     *icon;
  GtkWidget     *heading;
  GtkWidget     *label;
};

G_DEFINE_FINAL_TYPE (BbS59Lookup, bb_s59_lookup, G_TYPE_OBJECT)

typedef struct
{
  BbClient *client;
  char     *vrm;
  char     *name;
  char     *dob;
} OnlineQuery;

static void
online_query_free (OnlineQuery *query)
{
  g_clear_pointer (&query->client, bb_client_free);
  g_free (query->vrm);
  g_free (query->name);
  g_free (query->dob);
  g_free (query);
}

/* Helpers */

static char *
window_words (BbS59Lookup *self)
{
  int days = bb_profile_get_s59_window_days (bb_session_get_profile (self->session));

  if (days >= 365 && days <= 366)
    return g_strdup (_("the last 12 months"));
  /* Translators: "the last 90 days" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "the last %d day", "the last %d days", days), days);
}

static char *
format_time (const char *iso)
{
  return bb_format_time_long (iso);
}

static char *
format_date (const char *iso)
{
  return bb_format_date (iso);
}

/* "this device’s copy, synced 14:02" */
static char *
device_words (BbS59Lookup *self)
{
  g_autofree char *last = bb_store_get_meta (bb_session_get_store (self->session), BB_SYNC_META_LAST_SUCCESS);
  g_autoptr(GDateTime) utc = last != NULL ? bb_time_parse (last) : NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *when = NULL;

  if (utc == NULL)
    return g_strdup (bb_session_is_signed_in (self->session)
                     ? _("this device’s copy, not synced yet")
                     : _("this device’s own records"));

  tz = bb_time_zone_local (NULL);
  local = g_date_time_to_timezone (utc, tz);
  now = g_date_time_new_now (tz);
  if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    when = g_date_time_format (local, "%H:%M");
  else
    when = g_date_time_format (local, _("%-d %b, %H:%M"));
  /* Translators: where the look-up looked, "this device’s copy, synced 14:02" */
  return g_strdup_printf (_("this device’s copy, synced %s"), when);
}

static BbLookupMatch *
match_copy (const BbLookupMatch *match)
{
  BbLookupMatch *copy = g_new0 (BbLookupMatch, 1);

  copy->id = g_strdup (match->id);
  copy->issued_at = g_strdup (match->issued_at);
  copy->expires_at = g_strdup (match->expires_at);
  copy->vrm = g_strdup (match->vrm);
  copy->driver_name = g_strdup (match->driver_name);
  copy->location = g_strdup (match->location);
  copy->officer = g_strdup (match->officer);
  return copy;
}

/* Adds @found to @into once per warning, leaving out the one being edited. */
static void
merge_matches (GPtrArray  *into,
               GPtrArray  *found,
               const char *exclude_id)
{
  if (found == NULL)
    return;

  for (guint i = 0; i < found->len; i++)
    {
      const BbLookupMatch *match = g_ptr_array_index (found, i);
      gboolean seen = g_strcmp0 (match->id, exclude_id) == 0;

      for (guint j = 0; j < into->len && !seen; j++)
        seen = g_strcmp0 (((BbLookupMatch *) g_ptr_array_index (into, j))->id, match->id) == 0;
      if (!seen)
        g_ptr_array_add (into, match_copy (match));
    }
}

static gint
newest_first (gconstpointer a,
              gconstpointer b)
{
  const BbLookupMatch *ma = *(BbLookupMatch **) a;
  const BbLookupMatch *mb = *(BbLookupMatch **) b;

  return -g_strcmp0 (ma->issued_at, mb->issued_at);
}

/* "Issued 3 Mar 2026, 21:14 at Crossways Boulevard by PCSO 4521 — AB12 CDE,
 * expires 3 Mar 2027" */
static char *
describe_match (const BbLookupMatch *match)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *issued = format_time (match->issued_at);
  g_autofree char *expires = format_date (match->expires_at);

  g_string_append_printf (out, _("Issued %s"), issued != NULL ? issued : _("at an unknown time"));
  if (match->location != NULL && *match->location != '\0')
    g_string_append_printf (out, _(" at %s"), match->location);
  if (match->officer != NULL && *match->officer != '\0')
    g_string_append_printf (out, _(" by %s"), match->officer);
  if (match->vrm != NULL && *match->vrm != '\0')
    {
      g_autofree char *vrm = bb_vrm_format_display (match->vrm);

      g_string_append_printf (out, " — %s", vrm != NULL ? vrm : match->vrm);
    }
  if (match->driver_name != NULL && *match->driver_name != '\0')
    g_string_append_printf (out, ", %s", match->driver_name);
  if (expires != NULL)
    g_string_append_printf (out, _(", expires %s"), expires);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
banner_revealed (GtkRevealer *revealer,
                 GParamSpec  *pspec,
                 GtkWidget   *banner)
{
  /* Folded away: the row goes too, so no empty line shows in the list. */
  if (!gtk_revealer_get_reveal_child (revealer) && !gtk_revealer_get_child_revealed (revealer))
    gtk_widget_set_visible (banner, FALSE);
}

/* The banner under the mark: @heading in words (never colour alone), @text
 * under it. NULL @heading folds the banner away. */
static void
show (BbS59Lookup *self,
      const char  *heading,
      const char  *text,
      const char  *icon_name,
      const char  *style)
{
  g_free (self->text);
  self->text = g_strdup (text);
  if (self->label == NULL)
    return;

  gtk_label_set_text (GTK_LABEL (self->heading), heading != NULL ? heading : "");
  gtk_label_set_text (GTK_LABEL (self->label), text);
  gtk_image_set_from_icon_name (GTK_IMAGE (self->icon), icon_name);
  gtk_widget_remove_css_class (self->banner, "bb-s59-found");
  gtk_widget_remove_css_class (self->banner, "bb-s59-clear");
  if (style != NULL)
    gtk_widget_add_css_class (self->banner, style);
  if (heading != NULL)
    {
      gtk_widget_set_visible (self->banner, TRUE);
      gtk_revealer_set_reveal_child (GTK_REVEALER (self->revealer), TRUE);
    }
  else
    gtk_revealer_set_reveal_child (GTK_REVEALER (self->revealer), FALSE);
}

/* The answer, with where it looked (@server_words: "server", "server not
 * reached", ...). @final: the record's prior_check is filled too. */
static void
show_answer (BbS59Lookup *self,
             const char  *server_words,
             gboolean     final)
{
  g_autofree char *window = window_words (self);
  g_autofree char *where = g_strdup_printf ("%s; %s", self->device_where, server_words);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) result = g_string_new (NULL);
  g_autoptr(JsonObject) raw = json_object_new ();
  g_autofree char *now = bb_time_now_iso ();
  g_autofree char *now_text = NULL;
  BbFieldNode *node;

  g_autofree char *heading = NULL;

  g_ptr_array_sort (self->matches, newest_first);

  if (self->matches->len == 0)
    {
      /* Translators: "No warning in the last 12 months (this device’s copy, synced 14:02; server)" */
      g_string_append_printf (text, _("No warning in %s (%s)"), window, where);
      g_string_append_printf (result, _("No warning in %s"), window);
    }
  else
    {
      /* Translators: "1 warning in the last 12 months (this device’s copy, synced 14:02; server):" */
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "%u warning in %s (%s):",
                                                 "%u warnings in %s (%s):",
                                                 self->matches->len),
                              self->matches->len, window, where);
      g_string_append_printf (result, g_dngettext (GETTEXT_PACKAGE,
                                                   "%u warning in %s:",
                                                   "%u warnings in %s:",
                                                   self->matches->len),
                              self->matches->len, window);
      for (guint i = 0; i < self->matches->len; i++)
        {
          g_autofree char *line = describe_match (g_ptr_array_index (self->matches, i));

          g_string_append_printf (text, "\n• %s", line);
          g_string_append_printf (result, " %s;", line);
        }
    }

  if (self->matches->len == 0)
    heading = g_strdup (self->busy ? _("No earlier warning on this device") : _("No earlier warning found"));
  else
    /* Translators: the banner's first line, the rest says which and where it looked */
    heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Earlier warning found", "%u earlier warnings found",
                                            self->matches->len), self->matches->len);
  show (self, heading, text->str,
        self->matches->len > 0 ? "dialog-warning-symbolic" : "emblem-ok-symbolic",
        self->matches->len > 0 ? "bb-s59-found" : "bb-s59-clear");

  if (!final || !self->fill || self->form == NULL)
    return;

  /* What was found, when and where goes into the record. */
  if (g_utf8_strlen (result->str, -1) > RESULT_MAX_CHARS)
    {
      const char *end = g_utf8_offset_to_pointer (result->str, RESULT_MAX_CHARS - 1);

      g_string_truncate (result, end - result->str);
      g_string_append (result, "…");
    }
  json_object_set_string_member (raw, "prior_check.result", result->str);
  json_object_set_string_member (raw, "prior_check.source", where);

  node = bb_form_find_node (self->form, "prior_check.checked_at", FALSE);
  if (node != NULL)
    {
      /* Shown in local time; the form gives back this exact ISO time. */
      now_text = bb_date_row_format_local (now, self->form->tz);
      g_free (node->shown_iso);
      node->shown_iso = g_strdup (now);
      g_free (node->shown_text);
      node->shown_text = g_strdup (now_text);
      json_object_set_string_member (raw, "prior_check.checked_at", now_text);
    }

  node = bb_form_find_node (self->form, "prior_check.matches", FALSE);
  if (node != NULL)
    {
      g_autoptr(JsonArray) ids = json_array_new ();

      for (guint i = 0; i < self->matches->len; i++)
        json_array_add_string_element (ids, ((BbLookupMatch *) g_ptr_array_index (self->matches, i))->id);
      g_clear_pointer (&node->passthrough, json_node_unref);
      node->passthrough = json_node_init_array (json_node_alloc (), ids);
    }

  bb_form_fill_raw (self->form, raw);
}

/* The server's side, in a worker */

static GPtrArray *
lookup_online (OnlineQuery   *query,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_lookup_match_free);

  if (query->vrm != NULL)
    {
      BbLookupQuery q = { .vrm = query->vrm };
      g_autoptr(GPtrArray) found = bb_lookup_online (query->client, &q, cancellable, error);

      if (found == NULL)
        return NULL;
      merge_matches (all, found, NULL);
    }
  if (query->name != NULL && query->dob != NULL)
    {
      BbLookupQuery q = { .surname = query->name, .date_of_birth = query->dob };
      g_autoptr(GPtrArray) found = bb_lookup_online (query->client, &q, cancellable, error);

      if (found == NULL)
        return NULL;
      merge_matches (all, found, NULL);
    }
  return g_steal_pointer (&all);
}

static void
online_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *found = lookup_online (data, cancellable, &error);

  if (found == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, found, (GDestroyNotify) g_ptr_array_unref);
}

static void
online_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  BbS59Lookup *self = BB_S59_LOOKUP (source);
  guint generation = GPOINTER_TO_UINT (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = g_task_propagate_pointer (G_TASK (result), &error);

  /* A newer question was asked meanwhile, or the editor went. */
  if (generation != self->generation || self->form == NULL)
    return;

  self->busy = FALSE;
  if (found == NULL)
    {
      g_debug ("Online look-up failed: %s", error->message);
      show_answer (self, g_error_matches (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNREACHABLE)
                         ? _("server not reached") : _("server could not answer"),
                   TRUE);
      return;
    }

  merge_matches (self->matches, found, self->exclude_id);
  show_answer (self, _("server"), TRUE);
}

/* Asking */

static char *
field_string (JsonObject *fields,
              const char *object,
              const char *member)
{
  JsonNode *node = json_object_get_member (fields, object);
  const char *value;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  value = json_object_get_string_member_with_default (json_node_get_object (node), member, NULL);
  if (value == NULL)
    return NULL;
  value = value + strspn (value, " \t");
  return *value != '\0' ? g_strstrip (g_strdup (value)) : NULL;
}

static void
run (BbS59Lookup *self,
     gboolean     fill)
{
  g_autoptr(JsonObject) fields = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *vrm = NULL;
  g_autofree char *name = NULL;
  g_autofree char *dob = NULL;
  int days;

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->form == NULL)
    return;
  self->fill = fill;

  fields = bb_form_collect_fields (self->form, NULL);
  vrm = field_string (fields, "vehicle", "vrm");
  name = field_string (fields, "driver", "name");
  dob = field_string (fields, "driver", "date_of_birth");
  if (name == NULL || dob == NULL)
    g_clear_pointer (&name, g_free);

  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->busy = FALSE;
  g_ptr_array_set_size (self->matches, 0);

  if (vrm == NULL && name == NULL)
    {
      show (self, NULL, _("Enter the registration mark, or the driver’s name and date of birth, "
                          "to look for earlier warnings."), "system-search-symbolic", NULL);
      g_clear_pointer (&self->text, g_free);
      return;
    }

  /* The device's copy first: it answers at once, with or without signal. */
  days = bb_profile_get_s59_window_days (bb_session_get_profile (self->session));
  if (vrm != NULL)
    {
      BbLookupQuery q = { .vrm = vrm };
      g_autoptr(GPtrArray) found = bb_lookup_offline (bb_session_get_store (self->session), &q, days, &error);

      if (found == NULL)
        g_debug ("Offline look-up failed: %s", error->message);
      g_clear_error (&error);
      merge_matches (self->matches, found, self->exclude_id);
    }
  if (name != NULL)
    {
      BbLookupQuery q = { .surname = name, .date_of_birth = dob };
      g_autoptr(GPtrArray) found = bb_lookup_offline (bb_session_get_store (self->session), &q, days, &error);

      if (found == NULL)
        g_debug ("Offline look-up failed: %s", error->message);
      g_clear_error (&error);
      merge_matches (self->matches, found, self->exclude_id);
    }
  g_free (self->device_where);
  self->device_where = device_words (self);

  if (bb_session_is_signed_in (self->session))
    {
      g_autoptr(BbClient) client = bb_session_create_client (self->session, &error);

      if (client != NULL)
        {
          OnlineQuery *query = g_new0 (OnlineQuery, 1);
          g_autoptr(GTask) task = NULL;

          query->client = g_steal_pointer (&client);
          query->vrm = g_strdup (vrm);
          query->name = g_strdup (name);
          query->dob = g_strdup (dob);

          self->cancellable = g_cancellable_new ();
          self->busy = TRUE;
          show_answer (self, _("asking the server…"), FALSE);

          task = g_task_new (self, self->cancellable, online_done, GUINT_TO_POINTER (self->generation));
          g_task_set_task_data (task, query, (GDestroyNotify) online_query_free);
          g_task_run_in_thread (task, online_thread);
          return;
        }
      show_answer (self, _("server not asked: sign in again"), TRUE);
      return;
    }

  show_answer (self, _("not signed in, server not asked"), TRUE);
}

void
bb_s59_lookup_run (BbS59Lookup *self)
{
  g_return_if_fail (BB_IS_S59_LOOKUP (self));
  run (self, TRUE);
}

void
bb_s59_lookup_show (BbS59Lookup *self)
{
  g_return_if_fail (BB_IS_S59_LOOKUP (self));
  run (self, FALSE);
}

static void
delay_done (gpointer data)
{
  BbS59Lookup *self = data;

  self->timeout_id = 0;
  bb_s59_lookup_run (self);
}

void
bb_s59_lookup_changed (BbS59Lookup *self,
                       BbFieldNode *node)
{
  g_return_if_fail (BB_IS_S59_LOOKUP (self));

  if (self->form == NULL || node == NULL || node->path == NULL)
    return;
  if (g_strcmp0 (node->path, "vehicle.vrm") != 0 &&
      g_strcmp0 (node->path, "driver.name") != 0 &&
      g_strcmp0 (node->path, "driver.date_of_birth") != 0)
    return;

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->timeout_id = g_timeout_add_once (BB_S59_LOOKUP_DELAY_MS, delay_done, self);
}

/* Building */

static void
word_seizure_section (BbS59Lookup *self)
{
  BbFieldNode *seizure = bb_form_find_node (self->form, "seizure", FALSE);
  g_autofree char *window = window_words (self);
  g_autofree char *text = NULL;

  if (seizure == NULL || seizure->group == NULL || !ADW_IS_PREFERENCES_GROUP (seizure->group))
    return;

  if (bb_profile_get_warning_required_before_seizure (bb_session_get_profile (self->session)))
    /* Translators: %s is "the last 12 months" */
    text = g_strdup_printf (_("Required before seizure: a warning in %s for this vehicle or driver "
                              "(see the look-up above)."), window);
  else
    text = g_strdup_printf (_("For information: under this partnership’s policy, a warning in %s "
                              "does not decide seizure."), window);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (seizure->group), text);
}

static void
build (BbS59Lookup *self)
{
  BbFieldNode *mark = bb_form_find_node (self->form, "vehicle.vrm", FALSE);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *words = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *under;
  GtkWidget *list;

  /* A preferences row, so it sits in the mark's list right under it (and
   * under the mark's own message), not below the whole group. */
  self->banner = g_object_ref_sink (adw_preferences_row_new ());
  gtk_widget_add_css_class (self->banner, "bb-s59-banner");
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self->banner), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (self->banner), FALSE);
  gtk_widget_set_focusable (self->banner, FALSE);
  gtk_widget_set_visible (self->banner, FALSE);

  self->icon = gtk_image_new_from_icon_name ("system-search-symbolic");
  gtk_widget_set_valign (self->icon, GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->icon), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  self->heading = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->heading), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->heading), 0);
  gtk_widget_add_css_class (self->heading, "heading");
  self->label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (self->label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (self->label), 0);
  /* It can be selected and copied with the pointer, but it is not a Tab
   * stop: Tab goes on from the mark to the make, and focus never leaves the
   * whole text highlighted. */
  gtk_label_set_selectable (GTK_LABEL (self->label), TRUE);
  gtk_widget_set_focusable (self->label, FALSE);
  gtk_widget_set_hexpand (words, TRUE);
  gtk_box_append (GTK_BOX (words), self->heading);
  gtk_box_append (GTK_BOX (words), self->label);
  gtk_box_append (GTK_BOX (box), self->icon);
  gtk_box_append (GTK_BOX (box), words);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  self->revealer = gtk_revealer_new ();
  gtk_revealer_set_transition_type (GTK_REVEALER (self->revealer), GTK_REVEALER_TRANSITION_TYPE_SLIDE_DOWN);
  gtk_revealer_set_child (GTK_REVEALER (self->revealer), box);
  g_signal_connect_object (self->revealer, "notify::child-revealed",
                           G_CALLBACK (banner_revealed), self->banner, 0);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (self->banner), self->revealer);

  under = mark != NULL ? (mark->message_row != NULL ? mark->message_row : mark->row) : NULL;
  list = under != NULL ? gtk_widget_get_parent (under) : NULL;
  if (list != NULL && GTK_IS_LIST_BOX (list))
    gtk_list_box_insert (GTK_LIST_BOX (list), self->banner,
                         gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (under)) + 1);
  else
    gtk_box_append (self->form->box, self->banner);

  show (self, NULL, _("Enter the registration mark, or the driver’s name and date of birth, "
                      "to look for earlier warnings."), "system-search-symbolic", NULL);
  g_clear_pointer (&self->text, g_free);
  word_seizure_section (self);
}

/* GObject */

static void
bb_s59_lookup_dispose (GObject *object)
{
  BbS59Lookup *self = BB_S59_LOOKUP (object);

  bb_s59_lookup_stop (self);
  g_clear_object (&self->banner);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (bb_s59_lookup_parent_class)->dispose (object);
}

static void
bb_s59_lookup_finalize (GObject *object)
{
  BbS59Lookup *self = BB_S59_LOOKUP (object);

  g_free (self->exclude_id);
  g_free (self->text);
  g_free (self->device_where);
  g_ptr_array_unref (self->matches);

  G_OBJECT_CLASS (bb_s59_lookup_parent_class)->finalize (object);
}

static void
bb_s59_lookup_class_init (BbS59LookupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bb_s59_lookup_dispose;
  object_class->finalize = bb_s59_lookup_finalize;
}

static void
bb_s59_lookup_init (BbS59Lookup *self)
{
  self->matches = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_lookup_match_free);
}

/* Public API */

BbS59Lookup *
bb_s59_lookup_new (BbSession  *session,
                   BbForm     *form,
                   const char *exclude_id)
{
  BbS59Lookup *self;

  g_return_val_if_fail (BB_IS_SESSION (session), NULL);
  g_return_val_if_fail (form != NULL, NULL);

  self = g_object_new (BB_TYPE_S59_LOOKUP, NULL);
  self->session = g_object_ref (session);
  self->form = form;
  self->exclude_id = g_strdup (exclude_id);
  build (self);
  return self;
}

void
bb_s59_lookup_stop (BbS59Lookup *self)
{
  g_return_if_fail (BB_IS_S59_LOOKUP (self));

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->form = NULL;
  self->label = NULL;
  self->heading = NULL;
  self->icon = NULL;
  self->busy = FALSE;
}

BbS59Lookup *
bb_s59_lookup_from_editor (GtkWidget *editor)
{
  g_return_val_if_fail (GTK_IS_WIDGET (editor), NULL);
  return g_object_get_data (G_OBJECT (editor), "bb-s59-lookup");
}

const char *
bb_s59_lookup_get_text (BbS59Lookup *self)
{
  g_return_val_if_fail (BB_IS_S59_LOOKUP (self), NULL);
  return self->text;
}

gboolean
bb_s59_lookup_get_busy (BbS59Lookup *self)
{
  g_return_val_if_fail (BB_IS_S59_LOOKUP (self), FALSE);
  return self->busy;
}

GtkWidget *
bb_s59_lookup_get_banner (BbS59Lookup *self)
{
  g_return_val_if_fail (BB_IS_S59_LOOKUP (self), NULL);
  return self->banner;
}

const char *
bb_s59_lookup_get_heading (BbS59Lookup *self)
{
  g_return_val_if_fail (BB_IS_S59_LOOKUP (self), NULL);
  if (self->heading == NULL || !gtk_revealer_get_reveal_child (GTK_REVEALER (self->revealer)))
    return NULL;
  return gtk_label_get_text (GTK_LABEL (self->heading));
}
