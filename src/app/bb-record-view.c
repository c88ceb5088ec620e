/* bb-record-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include "bb-attachment-strip.h"
#include "bb-conflict-view.h"
#include "bb-format.h"
#include "bb-i18n.h"
#include "bb-map.h"
#include "bb-record-view.h"
#include "bb-sync-indicator.h"

struct _BbRecordView
{
  AdwBin     parent_instance;

  BbRecord  *record;
  BbSession *session;
  GString   *text;   /* what is shown, for tests */

  GtkImage  *kind_icon;
  GtkLabel  *title_label;
  GtkLabel  *subtitle_label;
  GtkBox    *groups_box;
  GtkScrolledWindow *scroller;
  BbMap     *map;    /* (owned) (nullable): made when a record has a point */
};

G_DEFINE_FINAL_TYPE (BbRecordView, bb_record_view, ADW_TYPE_BIN)

static AdwPreferencesGroup *
add_group (BbRecordView *self,
           const char   *title)
{
  GtkWidget *group = adw_preferences_group_new ();

  if (title != NULL)
    {
      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
      g_string_append_printf (self->text, "[%s]\n", title);
    }
  gtk_box_append (self->groups_box, group);

  return ADW_PREFERENCES_GROUP (group);
}

/* A label above its value, the value in body text: it is what is read. */
static GtkWidget *
add_row (BbRecordView        *self,
         AdwPreferencesGroup *group,
         const char          *label,
         const char          *value,
         const char          *icon_name)
{
  GtkWidget *row = adw_preferences_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *caption = gtk_label_new (label);
  GtkWidget *body = gtk_label_new (value);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), label);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_add_css_class (row, "bb-property");

  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_label_set_wrap (GTK_LABEL (caption), TRUE);
  gtk_widget_add_css_class (caption, "caption");
  gtk_widget_add_css_class (caption, "dim-label");

  gtk_label_set_xalign (GTK_LABEL (body), 0);
  gtk_label_set_wrap (GTK_LABEL (body), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (body), PANGO_WRAP_WORD_CHAR);

  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (texts), caption);
  gtk_box_append (GTK_BOX (texts), body);
  if (icon_name != NULL)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name (icon_name);

      gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, value, -1);
      gtk_box_append (GTK_BOX (box), icon);
    }
  gtk_box_append (GTK_BOX (box), texts);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  /* Read as "Ward: Temple Hill". */
  {
    g_autofree char *spoken = g_strdup_printf ("%s: %s", label, value);

    gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, spoken, -1);
  }

  adw_preferences_group_add (group, row);
  g_string_append_printf (self->text, "%s: %s\n", label, value);

  return row;
}

static guint
add_fields (BbRecordView        *self,
            AdwPreferencesGroup *group,
            BbProfile           *profile,
            const BbFieldSpec   *specs,
            JsonObject          *fields,
            gboolean             nested_groups);

static void
add_object_group (BbRecordView      *self,
                  BbProfile         *profile,
                  const BbFieldSpec *spec,
                  const char        *title,
                  JsonObject        *object)
{
  AdwPreferencesGroup *group = add_group (self, title);

  if (add_fields (self, group, profile, spec->children, object, FALSE) == 0)
    {
      /* An empty part would be a titled box with nothing in it. */
      gtk_box_remove (self->groups_box, GTK_WIDGET (group));
    }
}

static void
add_vrm_row (BbRecordView        *self,
             AdwPreferencesGroup *group,
             const BbFieldSpec   *spec,
             const char          *vrm)
{
  g_autofree char *display = bb_vrm_format_display (vrm);
  BbVrmFormat format = bb_vrm_recognise (vrm);
  g_autofree char *value = NULL;

  if (format == BB_VRM_UNRECOGNISED)
    value = g_strdup_printf (_("%s (not a recognised GB or NI format: check it)"), display);
  else
    value = g_strdup_printf ("%s (%s)", display, bb_vrm_format_label (format));

  add_row (self, group, _(spec->label), value,
           format == BB_VRM_UNRECOGNISED ? "dialog-warning-symbolic" : NULL);
}

static guint
add_fields (BbRecordView        *self,
            AdwPreferencesGroup *group,
            BbProfile           *profile,
            const BbFieldSpec   *specs,
            JsonObject          *fields,
            gboolean             nested_groups)
{
  guint n_rows = 0;

  if (specs == NULL || fields == NULL)
    return 0;

  for (const BbFieldSpec *spec = specs; spec->name != NULL; spec++)
    {
      JsonNode *node = json_object_get_member (fields, spec->name);

      /* Photos and files are shown as thumbnails, not as fields. */
      if (node == NULL || JSON_NODE_HOLDS_NULL (node) || (spec->flags & BB_FIELD_FLAG_EVIDENCE))
        continue;

      if (spec->type == BB_FIELD_OBJECT)
        {
          if (JSON_NODE_HOLDS_OBJECT (node))
            {
              if (nested_groups)
                add_object_group (self, profile, spec, _(spec->label), json_node_get_object (node));
              else
                n_rows += add_fields (self, group, profile, spec->children,
                                      json_node_get_object (node), FALSE);
            }
          continue;
        }

      if (spec->type == BB_FIELD_OBJECT_LIST)
        {
          JsonArray *items;
          guint n;

          if (!JSON_NODE_HOLDS_ARRAY (node))
            continue;
          items = json_node_get_array (node);
          n = json_array_get_length (items);
          for (guint i = 0; i < n; i++)
            {
              JsonNode *item = json_array_get_element (items, i);
              g_autofree char *title = NULL;

              if (!JSON_NODE_HOLDS_OBJECT (item))
                continue;
              /* Translators: a numbered part of a record, "Vehicles 2 of 3" */
              title = n > 1 ? g_strdup_printf (_("%s %u of %u"), _(spec->label), i + 1, n)
                            : g_strdup (_(spec->label));
              add_object_group (self, profile, spec, title, json_node_get_object (item));
            }
          continue;
        }

      if (spec->type == BB_FIELD_VRM &&
          JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
          *json_node_get_string (node) != '\0')
        {
          add_vrm_row (self, group, spec, json_node_get_string (node));
          n_rows++;
          continue;
        }

      {
        g_autofree char *value = bb_format_field_value (profile, spec, node);

        if (value == NULL)
          continue;
        add_row (self, group, _(spec->label), value, NULL);
        n_rows++;
      }
    }

  return n_rows;
}

static void
clear_groups (BbRecordView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->groups_box))) != NULL)
    gtk_box_remove (self->groups_box, child);
  g_string_truncate (self->text, 0);
}

static const char *
regime_label (BbRegime regime)
{
  switch (regime)
    {
    case BB_REGIME_LAW_ENFORCEMENT:
      return _("Law enforcement (DPA 2018 Part 3)");
    case BB_REGIME_UK_GDPR:
      return _("UK GDPR");
    default:
      return "";
    }
}

/* A record waiting for its author says so first, with what to do. */
static void
add_sync_notice (BbRecordView *self,
                 BbRecord     *record)
{
  BbSyncState state = bb_record_get_sync_state (record);
  AdwPreferencesGroup *group;
  GtkWidget *row;

  if (state == BB_SYNC_STATE_CONFLICT)
    {
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_Compare and Choose…"));

      group = add_group (self, NULL);
      row = add_row (self, group, _("Changed here and on the server"),
                     _("Both copies are kept until you choose which one stays."),
                     "dialog-warning-symbolic");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "record.resolve");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "suggested-action");
      gtk_box_append (GTK_BOX (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row))), button);
      g_string_append_printf (self->text, "[%s]\n", _("Compare and Choose…"));
    }
  else if (state == BB_SYNC_STATE_REJECTED)
    {
      const char *message = bb_record_get_sync_message (record);
      g_autofree char *text = NULL;

      /* Translators: the server's reason, then what to do about it */
      text = g_strdup_printf (_("%s\nEdit the record to correct it: saving sends it again."),
                              message != NULL && *message != '\0' ? message : _("No reason was given."));
      group = add_group (self, NULL);
      add_row (self, group, _("The server refused this record"), text, "dialog-error-symbolic");
    }

  if (bb_record_get_personal_purged_at (record) != NULL)
    {
      g_autofree char *day = bb_time_format_local (bb_record_get_personal_purged_at (record),
                                                   _("%-d %b %Y"));
      g_autofree char *text = NULL;

      /* Translators: %s is a date; the purge of names, dates of birth and addresses */
      text = g_strdup_printf (_("Personal details removed from this device on %s; the server keeps them."),
                              day != NULL ? day : bb_record_get_personal_purged_at (record));
      group = add_group (self, NULL);
      add_row (self, group, _("Personal details removed"), text, "security-high-symbolic");
    }
}

static void
resolve_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  BbRecordView *self = BB_RECORD_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GError) error = NULL;
  BbConflictView *view;

  if (self->record == NULL || self->session == NULL)
    return;

  view = bb_conflict_view_new (self->session, bb_record_get_id (self->record),
                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, &error);
  if (view == NULL)
    {
      /* Resolved meanwhile (e.g. on another window): show what is there now. */
      g_debug ("No conflict to resolve: %s", error->message);
      bb_session_records_changed (self->session);
      return;
    }
  g_signal_connect_object (view, "resolved", G_CALLBACK (bb_session_records_changed), self->session,
                           G_CONNECT_SWAPPED);
  /* The choice goes to the server at once: the other device waits for it. */
  if (bb_sync_engine_from_widget (widget) != NULL)
    g_signal_connect_object (view, "resolved", G_CALLBACK (bb_sync_engine_sync_now),
                             bb_sync_engine_from_widget (widget), G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (view));
}

/* The record's point on the profile's map, under "When and where"; no tile
 * source or no point, no map. One map for the view's life: its tiles stay
 * loaded from one record to the next. */
static void
show_map (BbRecordView *self,
          BbProfile    *profile)
{
  g_autoptr(GPtrArray) points = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_map_point_free);
  BbMapPoint *point;

  if (profile == NULL || bb_profile_get_map_tile_url (profile) == NULL)
    return;
  point = bb_map_point_new_for_record (self->record, profile);
  if (point == NULL)
    return;
  g_ptr_array_add (points, point);

  if (self->map == NULL)
    {
      self->map = g_object_ref_sink (BB_MAP (bb_map_new ()));
      bb_map_set_profile (self->map, profile);
      gtk_widget_set_size_request (GTK_WIDGET (self->map), -1, 220);
      gtk_widget_add_css_class (GTK_WIDGET (self->map), "card");
      gtk_widget_set_overflow (GTK_WIDGET (self->map), GTK_OVERFLOW_HIDDEN);
    }
  bb_map_set_points (self->map, points, TRUE);
  gtk_box_append (self->groups_box, GTK_WIDGET (self->map));
  g_string_append_printf (self->text, "[%s]\n", _("Map"));
}

static void
show_record (BbRecordView *self,
             BbProfile    *profile)
{
  BbRecord *record = self->record;
  const BbKindSpec *kind = bb_record_get_kind_spec (record);
  const BbFieldSpec *common = bb_kind_common_fields ();
  JsonObject *fields = bb_record_get_fields (record);
  AdwPreferencesGroup *group;
  g_autofree char *title = bb_record_dup_title (record, profile);
  g_autofree char *occurred = NULL;
  const char *author = bb_record_get_author_name (record);
  const char *role = bb_record_get_author_role (record);
  JsonArray *comments;
  const char *sync_message;
  BbSyncState sync_state;
  const char *review_state;
  int priority;

  gtk_image_set_from_icon_name (self->kind_icon, kind != NULL ? kind->icon_name : "text-x-generic-symbolic");
  gtk_label_set_text (self->title_label, title != NULL && *title != '\0' ? title : _("Untitled record"));
  g_string_append_printf (self->text, "%s\n", gtk_label_get_text (self->title_label));

  if (author != NULL && *author != '\0')
    {
      g_autofree char *by = NULL;

      if (role != NULL && *role != '\0')
        /* Translators: "Patrol observation by PCSO 4521 (Police officer or PCSO)" */
        by = g_strdup_printf (_("%s by %s (%s)"),
                              kind != NULL ? bb_kind_get_label (kind) : bb_record_get_kind (record),
                              author, bb_role_get_label (bb_role_from_string (role)));
      else
        by = g_strdup_printf (_("%s by %s"),
                              kind != NULL ? bb_kind_get_label (kind) : bb_record_get_kind (record),
                              author);
      gtk_label_set_text (self->subtitle_label, by);
    }
  else
    gtk_label_set_text (self->subtitle_label,
                        kind != NULL ? bb_kind_get_label (kind) : bb_record_get_kind (record));
  g_string_append_printf (self->text, "%s\n", gtk_label_get_text (self->subtitle_label));

  add_sync_notice (self, record);

  /* When and where */
  /* Photos and files first: for a fly-tip they are the evidence. The
   * thumbnails come when shown (fetched once from the server). */
  {
    g_autoptr(GPtrArray) attachments = bb_attachments_from_fields (fields);
    BbSession *session = self->session;

    if (attachments->len > 0 && session != NULL)
      {
        GtkWidget *strip = bb_attachment_strip_new ();

        group = add_group (self, _("Photos and files"));
        adw_preferences_group_add (group, strip);
        bb_attachment_strip_set (BB_ATTACHMENT_STRIP (strip), session, attachments, FALSE);
        for (guint i = 0; i < attachments->len; i++)
          g_string_append_printf (self->text, "%s: %s (SHA-256 %s)\n", _("File"),
                                  ((BbAttachment *) attachments->pdata[i])->name,
                                  ((BbAttachment *) attachments->pdata[i])->sha256);
      }
  }

  group = add_group (self, _("When and where"));
  occurred = bb_format_time_long (bb_record_get_occurred_at (record));
  add_row (self, group,
           g_strcmp0 (bb_record_get_kind (record), BB_KIND_S59_WARNING) == 0 ? _("Issued") : _("Started"),
           occurred, NULL);
  for (const BbFieldSpec *spec = common; spec->name != NULL; spec++)
    {
      g_autofree char *value = NULL;

      if (g_strcmp0 (spec->name, "notes") == 0 || fields == NULL)
        continue;
      value = bb_format_field_value (profile, spec, json_object_get_member (fields, spec->name));
      if (value != NULL)
        add_row (self, group, _(spec->label), value, NULL);
    }
  show_map (self, profile);

  priority = bb_record_get_priority (record);
  if (priority >= 1 && priority <= 4)
    {
      const char *label = profile != NULL ? bb_profile_get_priority_label (profile, priority) : NULL;
      g_autofree char *value = label != NULL ? g_strdup_printf ("%d · %s", priority, label)
                                             : g_strdup_printf ("%d", priority);

      add_row (self, group, _("CSP priority"), value, NULL);
    }

  /* The kind's own fields, nested parts as their own groups */
  if (kind != NULL)
    {
      group = add_group (self, _("Details"));
      if (add_fields (self, group, profile, kind->fields, fields, TRUE) == 0)
        add_row (self, group, _("Details"), _("Nothing recorded"), NULL);

      if (fields != NULL && json_object_has_member (fields, "expires_at"))
        {
          g_autofree char *expires = bb_format_field_value (profile,
                                                            &(BbFieldSpec) { "expires_at", BB_FIELD_TIME, 0, NULL, NULL },
                                                            json_object_get_member (fields, "expires_at"));

          if (expires != NULL)
            add_row (self, group, _("Warning expires"), expires, NULL);
        }
    }

  if (fields != NULL && json_object_has_member (fields, "notes"))
    {
      const BbFieldSpec *notes_spec = bb_field_spec_find (common, "notes");
      g_autofree char *notes = bb_format_field_value (profile, notes_spec,
                                                      json_object_get_member (fields, "notes"));

      if (notes != NULL)
        {
          group = add_group (self, NULL);
          add_row (self, group, _(notes_spec->label), notes, NULL);
        }
    }

  /* Review */
  review_state = bb_record_get_review_state (record);
  group = add_group (self, _("Review"));
  add_row (self, group, _("Review state"), bb_review_state_get_label (review_state),
           bb_review_state_get_icon (review_state));
  comments = bb_record_get_review_comments (record);
  if (comments != NULL)
    for (guint i = 0; i < json_array_get_length (comments); i++)
      {
        JsonNode *node = json_array_get_element (comments, i);
        JsonObject *comment;
        const char *who, *at, *text;
        g_autofree char *when = NULL;
        g_autofree char *heading = NULL;

        if (!JSON_NODE_HOLDS_OBJECT (node))
          continue;
        comment = json_node_get_object (node);
        who = json_object_get_string_member_with_default (comment, "author", _("Supervisor"));
        at = json_object_get_string_member_with_default (comment, "at", NULL);
        text = json_object_get_string_member_with_default (comment, "text", "");
        when = at != NULL ? bb_format_time_long (at) : NULL;
        /* Translators: a review comment's heading, "Sergeant (supervisor), 28 Nov 2026, 21:14" */
        heading = when != NULL ? g_strdup_printf (_("%s, %s"), who, when) : g_strdup (who);
        add_row (self, group, heading, text, NULL);
      }

  /* Sync */
  sync_state = bb_record_get_sync_state (record);
  group = add_group (self, _("Sync"));
  add_row (self, group, _("Sync state"), bb_sync_state_get_label (sync_state),
           bb_sync_state_get_icon (sync_state));
  sync_message = bb_record_get_sync_message (record);
  if (sync_message != NULL && *sync_message != '\0')
    add_row (self, group, _("Message from the server"), sync_message, NULL);
  if (kind != NULL)
    add_row (self, group, _("Data protection"), regime_label (kind->regime), NULL);
  {
    g_autofree char *rev = g_strdup_printf ("%" G_GINT64_FORMAT, bb_record_get_rev (record));

    add_row (self, group, _("Revision"), rev, NULL);
  }
  add_row (self, group, _("Record ID"), bb_record_get_id (record), NULL);
}

static void
bb_record_view_dispose (GObject *object)
{
  BbRecordView *self = BB_RECORD_VIEW (object);

  /* The template's root is the bin's child: AdwBin must let go of it
   * before the template drops it, or it unparents a dead widget. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), BB_TYPE_RECORD_VIEW);
  g_clear_object (&self->record);
  g_clear_object (&self->session);
  g_clear_object (&self->map);

  G_OBJECT_CLASS (bb_record_view_parent_class)->dispose (object);
}

static void
bb_record_view_finalize (GObject *object)
{
  BbRecordView *self = BB_RECORD_VIEW (object);

  g_string_free (self->text, TRUE);

  G_OBJECT_CLASS (bb_record_view_parent_class)->finalize (object);
}

static void
bb_record_view_class_init (BbRecordViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bb_record_view_dispose;
  object_class->finalize = bb_record_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/beatbook/Beatbook/bb-record-view.ui");
  gtk_widget_class_bind_template_child (widget_class, BbRecordView, kind_icon);
  gtk_widget_class_bind_template_child (widget_class, BbRecordView, title_label);
  gtk_widget_class_bind_template_child (widget_class, BbRecordView, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, BbRecordView, groups_box);
  gtk_widget_class_bind_template_child (widget_class, BbRecordView, scroller);

  gtk_widget_class_install_action (widget_class, "record.resolve", NULL, resolve_action);
}

static void
bb_record_view_init (BbRecordView *self)
{
  self->text = g_string_new (NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
bb_record_view_new (void)
{
  return g_object_new (BB_TYPE_RECORD_VIEW, NULL);
}

void
bb_record_view_set_record (BbRecordView *self,
                           BbRecord     *record,
                           BbProfile    *profile)
{
  GtkAdjustment *vadj;

  g_return_if_fail (BB_IS_RECORD_VIEW (self));
  g_return_if_fail (record == NULL || BB_IS_RECORD (record));

  g_set_object (&self->record, record);
  clear_groups (self);
  if (record != NULL)
    show_record (self, profile);

  /* A different record starts at its top, not where the last one was left. */
  vadj = gtk_scrolled_window_get_vadjustment (self->scroller);
  gtk_adjustment_set_value (vadj, gtk_adjustment_get_lower (vadj));
}

void
bb_record_view_set_session (BbRecordView *self,
                            BbSession    *session)
{
  g_return_if_fail (BB_IS_RECORD_VIEW (self));
  g_return_if_fail (session == NULL || BB_IS_SESSION (session));

  g_set_object (&self->session, session);
}

BbRecord *
bb_record_view_get_record (BbRecordView *self)
{
  g_return_val_if_fail (BB_IS_RECORD_VIEW (self), NULL);

  return self->record;
}

char *
bb_record_view_dup_text (BbRecordView *self)
{
  g_return_val_if_fail (BB_IS_RECORD_VIEW (self), NULL);

  return g_strdup (self->text->str);
}
