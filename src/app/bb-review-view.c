/* bb-review-view.c: a supervisor's view of every record, to review and export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A supervisor's store holds the whole partnership after a sync, so this is
 * the store's list with every filter BbQuery has. Reviews are queued in the
 * store and applied to the local copy at once: they work offline and go at
 * the next sync (bb_sync_run).
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include "bb-attachment-strip.h"

#include <adwaita.h>

#include "bb-dashboard.h"
#include "bb-format.h"
#include "bb-i18n.h"
#include "bb-record-list-model.h"
#include "bb-record-row.h"
#include "bb-review-date.h"
#include "bb-map.h"
#include "bb-review-view.h"

/* Records read per query while exporting. */
#define EXPORT_PAGE 500

/* The count above the list stops here ("More than 1,000 records"): a
 * count of every match takes seconds at a million records, and past a
 * thousand the exact number tells a supervisor nothing a filter would
 * not. */
#define COUNT_CAP 1000

struct _BbReviewView
{
  GtkWidget          parent_instance;

  BbSession         *session;
  BbRecordListModel *model;
  GtkSingleSelection *selection;
  BbRecord          *record;
  char              *count_text;
  GCancellable      *count_cancellable;
  char              *state_text;
  char              *comment_error;
  gboolean           filling;

  /* Ids behind each drop-down's items; NULL at 0 is "all". */
  GPtrArray         *kind_ids;
  GPtrArray         *ward_ids;
  GPtrArray         *author_ids;
  GPtrArray         *state_ids;
  /* The query's strings, owned here. */
  char              *from_utc;
  char              *to_utc;

  GtkWidget         *kind_drop;
  GtkWidget         *ward_drop;
  GtkWidget         *author_drop;
  GtkWidget         *priority_drop;
  GtkWidget         *state_drop;
  GtkWidget         *from_date;
  GtkWidget         *to_date;
  GtkFileChooserNative *chooser;

  AdwLeaflet        *leaflet;
  GtkSearchEntry    *search;
  GtkFlowBox        *filters;
  GtkFlowBox        *actions;
  GtkToggleButton   *unreviewed_button;
  GtkButton         *clear_button;
  GtkLabel          *count_label;
  GtkButton         *export_button;
  GtkStack          *list_stack;
  GtkToggleButton   *map_button;
  BbMap             *map;
  GtkListView       *list_view;
  GtkStack          *detail_stack;
  GtkButton         *back_button;
  GtkLabel          *title_label;
  GtkLabel          *subtitle_label;
  GtkImage          *state_icon;
  GtkLabel          *state_label;
  GtkLabel          *queue_label;
  GtkLabel          *fields_label;
  GtkWidget         *attachment_strip;
  GtkBox            *comments_box;
  GtkTextView       *comment_view;
  GtkLabel          *comment_message;
};

G_DEFINE_FINAL_TYPE (BbReviewView, bb_review_view, GTK_TYPE_WIDGET)

static void apply_filters (BbReviewView *self);
static gboolean show_id (BbReviewView *self,
                         const char   *id);
static void on_map_toggled (BbReviewView *self);

/* Helpers */

static BbProfile *
profile_of (BbReviewView *self)
{
  return bb_session_get_profile (self->session);
}

static BbStore *
store_of (BbReviewView *self)
{
  return bb_session_get_store (self->session);
}

static const char *
selected_id (GtkWidget *drop,
             GPtrArray *ids)
{
  guint i = gtk_drop_down_get_selected (GTK_DROP_DOWN (drop));

  return i < ids->len ? g_ptr_array_index (ids, i) : NULL;
}

static void
select_id (GtkWidget  *drop,
           GPtrArray  *ids,
           const char *id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (ids, i), id) == 0)
      {
        gtk_drop_down_set_selected (GTK_DROP_DOWN (drop), i);
        return;
      }
  gtk_drop_down_set_selected (GTK_DROP_DOWN (drop), 0);
}

static GtkWidget *
make_drop_down (BbReviewView *self,
                const char   *accessible_label,
                GtkStringList *labels)
{
  /* gtk_drop_down_new() takes the model: the caller keeps its own. */
  GtkWidget *drop = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (labels)), NULL);

  gtk_drop_down_set_enable_search (GTK_DROP_DOWN (drop), g_list_model_get_n_items (G_LIST_MODEL (labels)) > 8);
  if (gtk_drop_down_get_enable_search (GTK_DROP_DOWN (drop)))
    {
      g_autoptr(GtkExpression) expression =
        gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");
      gtk_drop_down_set_expression (GTK_DROP_DOWN (drop), expression);
    }
  gtk_widget_set_tooltip_text (drop, accessible_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (drop),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label, -1);
  gtk_flow_box_append (self->filters, drop);
  return drop;
}

/* Local date "2026-03-01" (London midnight) as an ISO UTC time, @days later. */
static char *
local_date_to_utc (BbReviewView *self,
                   const char   *date,
                   int           days)
{
  g_autoptr(GTimeZone) tz = bb_time_zone_local (bb_profile_get_timezone (profile_of (self)));
  g_autoptr(GDateTime) day = date != NULL ? bb_date_parse (date) : NULL;
  g_autoptr(GDateTime) local = NULL;

  if (day == NULL)
    return NULL;
  local = g_date_time_new (tz, g_date_time_get_year (day), g_date_time_get_month (day),
                           g_date_time_get_day_of_month (day), 0, 0, 0);
  if (days != 0)
    {
      /* Calendar days, so a BST change inside the day is counted right. */
      GDateTime *later = g_date_time_add_days (local, days);
      g_date_time_unref (local);
      local = later;
    }
  return bb_time_format_iso (local);
}

/* Filling the controls */

/* A flow box's own children would take a Tab stop each, before the
 * buttons they hold. */
static void
unfocus_flow_box_children (GtkFlowBox *box)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (box)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_widget_set_focusable (child, FALSE);
}

static void
fill_filters (BbReviewView *self)
{
  g_autoptr(GtkStringList) kinds = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) wards = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) priorities = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) states = gtk_string_list_new (NULL);
  const BbKindSpec * const *all = bb_kind_all ();
  GPtrArray *ward_choices = bb_profile_get_choices (profile_of (self), "wards");
  static const char * const review_states[] = { "new", "returned", "reviewed", "closed" };

  gtk_string_list_append (kinds, _("All kinds"));
  g_ptr_array_add (self->kind_ids, NULL);
  for (guint i = 0; all[i] != NULL; i++)
    {
      gtk_string_list_append (kinds, _(all[i]->plural_label));
      g_ptr_array_add (self->kind_ids, g_strdup (all[i]->id));
    }
  self->kind_drop = make_drop_down (self, _("Kind of record"), kinds);

  gtk_string_list_append (wards, _("All wards"));
  g_ptr_array_add (self->ward_ids, NULL);
  for (guint i = 0; ward_choices != NULL && i < ward_choices->len; i++)
    {
      BbChoice *choice = g_ptr_array_index (ward_choices, i);

      gtk_string_list_append (wards, choice->label);
      g_ptr_array_add (self->ward_ids, g_strdup (choice->id));
    }
  self->ward_drop = make_drop_down (self, _("Ward"), wards);

  /* Authors change with every sync: filled by reload_authors(). */
  {
    g_autoptr(GtkStringList) authors = gtk_string_list_new (NULL);
    self->author_drop = make_drop_down (self, _("Author"), authors);
  }

  gtk_string_list_append (priorities, _("All priorities"));
  for (int p = 1; p <= 4; p++)
    {
      const char *label = bb_profile_get_priority_label (profile_of (self), p);
      /* Translators: a CSP priority in a filter, "Priority 2: Violence against women and girls" */
      g_autofree char *text = label != NULL ? g_strdup_printf (_("Priority %d: %s"), p, label)
                                            : g_strdup_printf (_("Priority %d"), p);

      gtk_string_list_append (priorities, text);
    }
  self->priority_drop = make_drop_down (self, _("CSP priority"), priorities);

  gtk_string_list_append (states, _("Any review state"));
  g_ptr_array_add (self->state_ids, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (review_states); i++)
    {
      gtk_string_list_append (states, bb_review_state_get_label (review_states[i]));
      g_ptr_array_add (self->state_ids, g_strdup (review_states[i]));
    }
  self->state_drop = make_drop_down (self, _("Review state"), states);

  self->from_date = bb_review_date_new (_("From (first day)"), _("From any date"));
  gtk_flow_box_append (self->filters, self->from_date);
  self->to_date = bb_review_date_new (_("To (last day)"), _("To any date"));
  gtk_flow_box_append (self->filters, self->to_date);

  /* The map, with the filters it follows; its place stays hidden when the
   * profile has no tile source (bb_review_view_new). */
  {
    GtkWidget *content = adw_button_content_new ();

    adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), "find-location-symbolic");
    adw_button_content_set_label (ADW_BUTTON_CONTENT (content), _("_Map"));
    adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
    self->map_button = GTK_TOGGLE_BUTTON (gtk_toggle_button_new ());
    gtk_button_set_child (GTK_BUTTON (self->map_button), content);
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->map_button),
                                 _("Show the records the filters select on a map"));
    g_signal_connect_swapped (self->map_button, "toggled", G_CALLBACK (on_map_toggled), self);
    gtk_flow_box_append (self->filters, GTK_WIDGET (self->map_button));
    gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->map_button)), FALSE);
  }

  unfocus_flow_box_children (self->filters);
  unfocus_flow_box_children (self->actions);
}

static void
reload_authors (BbReviewView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) authors = bb_store_list_authors (store_of (self), &error);
  g_autofree char *current = g_strdup (selected_id (self->author_drop, self->author_ids));
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

  if (authors == NULL)
    {
      g_warning ("Could not list the authors: %s", error->message);
      authors = g_ptr_array_new ();
    }

  g_ptr_array_set_size (self->author_ids, 0);
  gtk_string_list_append (labels, _("All authors"));
  g_ptr_array_add (self->author_ids, NULL);
  for (guint i = 0; i < authors->len; i++)
    {
      char **pair = g_ptr_array_index (authors, i);

      gtk_string_list_append (labels, pair[1]);
      g_ptr_array_add (self->author_ids, g_strdup (pair[0]));
    }

  self->filling = TRUE;
  gtk_drop_down_set_model (GTK_DROP_DOWN (self->author_drop), G_LIST_MODEL (labels));
  select_id (self->author_drop, self->author_ids, current);
  self->filling = FALSE;
}

/* The review pane */

static const char *
last_comment_text (BbRecord *record)
{
  JsonArray *comments = bb_record_get_review_comments (record);
  guint n = comments != NULL ? json_array_get_length (comments) : 0;

  if (n == 0)
    return NULL;
  return json_object_get_string_member_with_default (json_array_get_object_element (comments, n - 1),
                                                     "text", NULL);
}

static void
show_comments (BbReviewView *self)
{
  JsonArray *comments = bb_record_get_review_comments (self->record);
  guint n = comments != NULL ? json_array_get_length (comments) : 0;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->comments_box))) != NULL)
    gtk_box_remove (self->comments_box, child);

  if (n == 0)
    {
      GtkWidget *none = gtk_label_new (_("No comments yet."));

      gtk_label_set_xalign (GTK_LABEL (none), 0);
      gtk_widget_add_css_class (none, "dim-label");
      gtk_box_append (self->comments_box, none);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      JsonObject *comment = json_array_get_object_element (comments, i);
      const char *author = json_object_get_string_member_with_default (comment, "author", "");
      const char *at = json_object_get_string_member_with_default (comment, "at", NULL);
      gboolean pending = json_object_get_boolean_member_with_default (comment, "pending", FALSE);
      g_autofree char *when = at != NULL ? bb_format_time_short (at, NULL) : g_strdup ("");
      g_autofree char *heading = NULL;
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *label;

      if (pending)
        /* Translators: a comment's heading, "Sergeant (supervisor), Today, 21:14 · not sent yet" */
        heading = g_strdup_printf (_("%s, %s · not sent yet"), author, when);
      else
        heading = g_strdup_printf (_("%s, %s"), author, when);
      label = gtk_label_new (heading);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "caption-heading");
      gtk_box_append (GTK_BOX (box), label);
      label = gtk_label_new (json_object_get_string_member_with_default (comment, "text", ""));
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (self->comments_box, box);
    }
}

static char *
summary_of (BbReviewView *self,
            BbRecord     *record)
{
  const BbKindSpec *spec = bb_record_get_kind_spec (record);
  g_autofree char *when = bb_format_time_short (bb_record_get_occurred_at (record), NULL);
  const char *author = bb_record_get_author_name (record);
  const char *description = bb_record_get_field_string (record, "description");
  const char *notes = bb_record_get_field_string (record, "notes");
  const char *priority = bb_profile_get_priority_label (profile_of (self), bb_record_get_priority (record));
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, _("%s by %s, %s"),
                          spec != NULL ? _(spec->label) : bb_record_get_kind (record),
                          author != NULL ? author : _("an unknown author"), when);
  if (priority != NULL)
    g_string_append_printf (text, "\n%s", priority);
  if (description != NULL && *description != '\0')
    g_string_append_printf (text, "\n%s", description);
  if (notes != NULL && *notes != '\0')
    g_string_append_printf (text, "\n%s", notes);
  return g_string_free (text, FALSE);
}

static void
show_record (BbReviewView *self)
{
  g_autoptr(BbQueuedReview) queued = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *summary = NULL;
  const char *state;

  if (self->record == NULL)
    {
      gtk_stack_set_visible_child_name (self->detail_stack, "empty");
      g_clear_pointer (&self->state_text, g_free);
      return;
    }

  title = bb_record_dup_title (self->record, profile_of (self));
  subtitle = bb_format_record_subtitle (self->record, profile_of (self), NULL);
  summary = summary_of (self, self->record);
  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->subtitle_label, subtitle);
  gtk_label_set_text (self->fields_label, summary);
  {
    g_autoptr(GPtrArray) attachments = bb_attachments_from_fields (bb_record_get_fields (self->record));

    /* The evidence the supervisor reviews, fetched when first shown. */
    bb_attachment_strip_set (BB_ATTACHMENT_STRIP (self->attachment_strip), self->session, attachments, FALSE);
    gtk_widget_set_visible (self->attachment_strip, attachments->len > 0);
  }

  state = bb_record_get_review_state (self->record);
  g_free (self->state_text);
  if (g_strcmp0 (state, "returned") == 0 && last_comment_text (self->record) != NULL)
    /* Translators: a returned record's state with the supervisor's comment */
    self->state_text = g_strdup_printf (_("Returned: %s"), last_comment_text (self->record));
  else
    self->state_text = g_strdup (bb_review_state_get_label (state));
  gtk_label_set_text (self->state_label, self->state_text);
  gtk_image_set_from_icon_name (self->state_icon, bb_review_state_get_icon (state));

  queued = bb_store_get_queued_review (store_of (self), bb_record_get_id (self->record));
  gtk_widget_remove_css_class (GTK_WIDGET (self->queue_label), "error");
  if (queued != NULL && queued->error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The server refused the last review (%s): %s"),
                                               bb_review_state_get_label (queued->state), queued->error);
      gtk_label_set_text (self->queue_label, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->queue_label), "error");
    }
  else if (queued != NULL)
    gtk_label_set_text (self->queue_label, _("This review is saved on this device and goes to the server at the next sync."));
  gtk_widget_set_visible (GTK_WIDGET (self->queue_label), queued != NULL);

  show_comments (self);
  gtk_stack_set_visible_child_name (self->detail_stack, "record");
}

static void
set_comment_error (BbReviewView *self,
                   const char   *message)
{
  g_free (self->comment_error);
  self->comment_error = g_strdup (message);
  gtk_label_set_text (self->comment_message, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->comment_message), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->comment_view), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->comment_view), "error");
}

/* The list */

static void
set_count_text (BbReviewView *self,
                char         *text)
{
  g_free (self->count_text);
  self->count_text = text;
  gtk_label_set_text (self->count_label, self->count_text);
}

static char *
format_count (guint n)
{
  if (n > COUNT_CAP)
    {
      /* "%'u": the locale's thousands separator. */
      g_autofree char *cap = g_strdup_printf ("%'u", COUNT_CAP);

      /* Translators: above the Review view's list when the records shown
       * are more than %s (1,000); they are not counted further */
      return g_strdup_printf (_("More than %s records"), cap);
    }
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u record", "%u records", n), n);
}

static void
on_counted (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(GError) error = NULL;
  BbReviewView *self;
  guint n = 0;

  /* Cancelled when the filters changed or the view went away: @data may
   * be gone, and a newer count is on its way. */
  if (!bb_record_list_model_count_finish (BB_RECORD_LIST_MODEL (source), result, &n, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = data;
  g_clear_object (&self->count_cancellable);
  if (gtk_toggle_button_get_active (self->map_button))
    return;
  if (error != NULL)
    set_count_text (self, g_strdup_printf (_("Could not read the records: %s"), error->message));
  else
    set_count_text (self, format_count (n));
}

/* The list shows its first page at once; the count above it follows from
 * a worker thread (up to COUNT_CAP + 1), replacing any count still under
 * way for the filters before. A list read to its end is counted already. */
static void
update_count (BbReviewView *self)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  const GError *error = bb_record_list_model_get_error (self->model);

  g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);

  if (error != NULL)
    set_count_text (self, g_strdup_printf (_("Could not read the records: %s"), error->message));
  else if (bb_record_list_model_get_complete (self->model))
    set_count_text (self, format_count (n_items));
  else if (!gtk_toggle_button_get_active (self->map_button))
    {
      set_count_text (self, g_strdup (_("Counting records…")));
      self->count_cancellable = g_cancellable_new ();
      bb_record_list_model_count_async (self->model, COUNT_CAP + 1, self->count_cancellable,
                                        on_counted, self);
    }

  if (gtk_toggle_button_get_active (self->map_button))
    gtk_stack_set_visible_child_name (self->list_stack, "map");
  else
    gtk_stack_set_visible_child_name (self->list_stack, n_items > 0 ? "list" : "empty");
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), n_items > 0);
}

/* End goes to the last record, not the last one read so far: the list's
 * last page is read by key from the end, then GtkListView's End moves
 * there. */
static gboolean
on_list_key_pressed (BbReviewView    *self,
                     guint            keyval,
                     guint            keycode,
                     GdkModifierType  state)
{
  if (keyval == GDK_KEY_End || keyval == GDK_KEY_KP_End)
    bb_record_list_model_load_last (self->model);
  return GDK_EVENT_PROPAGATE;
}

/* GtkListView 4.8 looks for its tracked rows in every added item: it lets
 * go of the model while the model reloads. */
static void
reload_model (BbReviewView *self,
              const BbQuery *filter)
{
  gtk_single_selection_set_model (self->selection, NULL);
  if (filter != NULL)
    {
      bb_record_list_model_set_kind (self->model, filter->kind);
      bb_record_list_model_set_search (self->model, filter->search);
      bb_record_list_model_set_filter (self->model, filter);
    }
  else
    bb_record_list_model_reload (self->model);
  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (self->model));
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  update_count (self);
}

void
bb_review_view_get_query (BbReviewView *self,
                          BbQuery      *query)
{
  const char *search;
  guint priority;

  g_return_if_fail (BB_IS_REVIEW_VIEW (self));
  g_return_if_fail (query != NULL);

  g_clear_pointer (&self->from_utc, g_free);
  g_clear_pointer (&self->to_utc, g_free);
  self->from_utc = local_date_to_utc (self, bb_review_date_get_date (BB_REVIEW_DATE (self->from_date)), 0);
  /* The last day is included: the query's end is the next midnight. */
  self->to_utc = local_date_to_utc (self, bb_review_date_get_date (BB_REVIEW_DATE (self->to_date)), 1);

  search = gtk_editable_get_text (GTK_EDITABLE (self->search));
  priority = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->priority_drop));
  *query = (BbQuery) {
    .kind = selected_id (self->kind_drop, self->kind_ids),
    .search = search != NULL && *search != '\0' ? search : NULL,
    .ward = selected_id (self->ward_drop, self->ward_ids),
    .author_id = selected_id (self->author_drop, self->author_ids),
    .review_state = selected_id (self->state_drop, self->state_ids),
    .from = self->from_utc,
    .to = self->to_utc,
    .priority = priority >= 1 && priority <= 4 ? (int) priority : 0,
  };
}

/* At most this many records are shown on the map, the newest: a year of a
 * busy partnership's patrols; more would not be readable as points
 * anyway. The count says when the filters select more. */
#define MAP_LIMIT 5000

/* The records the filters select (the list's own query), those with a
 * point as marks on the map. The count says how many have none. */
static void
fill_map (BbReviewView  *self,
          const BbQuery *query,
          gboolean       fit)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) points = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_map_point_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean more;

  /* One more than is shown: to know, and say, that there are more. */
  records = bb_store_list_records (store_of (self), query, 0, MAP_LIMIT + 1, &error);
  if (records == NULL)
    {
      g_warning ("Could not read the records for the map: %s", error->message);
      return;
    }
  more = records->len > MAP_LIMIT;
  if (more)
    g_ptr_array_set_size (records, MAP_LIMIT);
  for (guint i = 0; i < records->len; i++)
    {
      BbMapPoint *point = bb_map_point_new_for_record (g_ptr_array_index (records, i),
                                                       profile_of (self));

      if (point != NULL)
        g_ptr_array_add (points, point);
    }
  bb_map_set_points (self->map, points, fit);

  if (more)
    /* Translators: the count above the map when the filters select more
     * records than it shows: "More than 5000 records: the newest 5000,
     * 4210 of them on the map" (the first two numbers are always 5000) */
    text = g_strdup_printf (_("More than %u records: the newest %u, %u of them on the map"),
                            (guint) MAP_LIMIT, (guint) MAP_LIMIT, points->len);
  else
    /* Translators: the count above the map, "12 records, 9 on the map" */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u record, %u on the map",
                                         "%u records, %u on the map", records->len),
                            records->len, points->len);
  set_count_text (self, g_steal_pointer (&text));
}

static void
apply_filters (BbReviewView *self)
{
  BbQuery query;

  if (self->filling)
    return;

  bb_review_view_get_query (self, &query);
  reload_model (self, &query);
  if (gtk_toggle_button_get_active (self->map_button))
    fill_map (self, &query, TRUE);
}

static void
on_map_toggled (BbReviewView *self)
{
  apply_filters (self);
}

static void
on_point_activated (BbMap        *map,
                    const char   *id,
                    BbReviewView *self)
{
  if (!show_id (self, id))
    return;
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_filter_changed (BbReviewView *self)
{
  if (self->filling)
    return;
  /* A hand-made change ends the quick filter's claim on the controls. */
  self->filling = TRUE;
  gtk_toggle_button_set_active (self->unreviewed_button, FALSE);
  self->filling = FALSE;
  apply_filters (self);
}

void
bb_review_view_clear_filters (BbReviewView *self)
{
  g_return_if_fail (BB_IS_REVIEW_VIEW (self));

  self->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->search), "");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->kind_drop), 0);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->ward_drop), 0);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->author_drop), 0);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->priority_drop), 0);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->state_drop), 0);
  bb_review_date_set_date (BB_REVIEW_DATE (self->from_date), NULL);
  bb_review_date_set_date (BB_REVIEW_DATE (self->to_date), NULL);
  gtk_toggle_button_set_active (self->unreviewed_button, FALSE);
  self->filling = FALSE;
  apply_filters (self);
}

void
bb_review_view_show_unreviewed_last_month (BbReviewView *self)
{
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *today = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *last_day = NULL;

  g_return_if_fail (BB_IS_REVIEW_VIEW (self));

  tz = bb_time_zone_local (bb_profile_get_timezone (profile_of (self)));
  now = g_date_time_new_now (tz);
  today = g_date_time_format (now, "%Y-%m-%d");
  if (!bb_dashboard_preset_dates (BB_DASHBOARD_LAST_MONTH, today, &from, &to))
    return;
  {
    g_autoptr(GDateTime) end = bb_date_parse (to);
    g_autoptr(GDateTime) before = g_date_time_add_days (end, -1);
    last_day = g_date_time_format (before, "%Y-%m-%d");
  }

  self->filling = TRUE;
  select_id (self->state_drop, self->state_ids, "new");
  bb_review_date_set_date (BB_REVIEW_DATE (self->from_date), from);
  bb_review_date_set_date (BB_REVIEW_DATE (self->to_date), last_day);
  gtk_toggle_button_set_active (self->unreviewed_button, TRUE);
  self->filling = FALSE;
  apply_filters (self);
}

static void
on_unreviewed_toggled (GtkToggleButton *button,
                       BbReviewView    *self)
{
  if (self->filling)
    return;
  if (gtk_toggle_button_get_active (button))
    bb_review_view_show_unreviewed_last_month (self);
  else
    bb_review_view_clear_filters (self);
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           BbReviewView             *self)
{
  gtk_list_item_set_child (item, bb_record_row_new ());
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          BbReviewView             *self)
{
  BbRecord *record = gtk_list_item_get_item (item);

  bb_record_row_set_record (BB_RECORD_ROW (gtk_list_item_get_child (item)), record, profile_of (self));
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            BbReviewView             *self)
{
  bb_record_row_set_record (BB_RECORD_ROW (gtk_list_item_get_child (item)), NULL, NULL);
}

static gboolean
show_id (BbReviewView *self,
         const char   *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbRecord) record = bb_store_get_record (store_of (self), id, &error);

  if (record == NULL)
    {
      g_warning ("Could not read record %s: %s", id, error->message);
      return FALSE;
    }
  if (self->record == NULL || g_strcmp0 (bb_record_get_id (self->record), id) != 0)
    {
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->comment_view), "", -1);
      set_comment_error (self, NULL);
    }
  g_set_object (&self->record, record);
  show_record (self);
  return TRUE;
}

static void
on_activate (GtkListView  *list_view,
             guint         position,
             BbReviewView *self)
{
  g_autoptr(BbRecord) record = g_list_model_get_item (G_LIST_MODEL (self->model), position);

  if (record == NULL)
    return;
  show_id (self, bb_record_get_id (record));
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  gtk_widget_grab_focus (GTK_WIDGET (self->comment_view));
}

static void
on_back_clicked (GtkButton    *button,
                 BbReviewView *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
on_folded (BbReviewView *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), adw_leaflet_get_folded (self->leaflet));
}

/* Reviewing */

static void
toast (BbReviewView *self,
       const char   *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

gboolean
bb_review_view_review (BbReviewView *self,
                       const char   *state)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *comment = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  const char *done;

  g_return_val_if_fail (BB_IS_REVIEW_VIEW (self), FALSE);

  if (self->record == NULL)
    return FALSE;

  buffer = gtk_text_view_get_buffer (self->comment_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  comment = g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));

  if (g_strcmp0 (state, "returned") == 0 && *comment == '\0')
    {
      set_comment_error (self, _("Write what the author must add or correct before returning the record."));
      gtk_widget_grab_focus (GTK_WIDGET (self->comment_view));
      return FALSE;
    }

  id = g_strdup (bb_record_get_id (self->record));
  if (!bb_store_queue_review (store_of (self), id, state, comment,
                              bb_session_get_display_name (self->session), &error))
    {
      /* Nothing typed is lost: the comment stays in the field. */
      set_comment_error (self, error->message);
      return FALSE;
    }

  set_comment_error (self, NULL);
  gtk_text_buffer_set_text (buffer, "", -1);
  bb_review_view_reload (self);

  if (g_str_equal (state, "returned"))
    done = _("Returned to the author; sent at the next sync");
  else if (g_str_equal (state, "closed"))
    done = _("Closed; sent at the next sync");
  else
    done = _("Marked reviewed; sent at the next sync");
  toast (self, done);
  /* Does nothing while signed out or with no such action (tests). */
  gtk_widget_activate_action (GTK_WIDGET (self), "app.sync", NULL);
  return TRUE;
}

static void
mark_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  bb_review_view_review (BB_REVIEW_VIEW (widget), g_variant_get_string (parameter, NULL));
}

static void
on_comment_changed (GtkTextBuffer *buffer,
                    BbReviewView  *self)
{
  if (self->comment_error != NULL && gtk_text_buffer_get_char_count (buffer) > 0)
    set_comment_error (self, NULL);
}

/* Export */

static char *
describe_filter (BbReviewView *self)
{
  GString *text = g_string_new (NULL);
  struct { const char *name; GtkWidget *drop; } drops[] = {
    { _("Kind"), self->kind_drop }, { _("Ward"), self->ward_drop },
    { _("Author"), self->author_drop }, { _("Priority"), self->priority_drop },
    { _("Review state"), self->state_drop },
  };
  const char *from = bb_review_date_get_date (BB_REVIEW_DATE (self->from_date));
  const char *to = bb_review_date_get_date (BB_REVIEW_DATE (self->to_date));
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search));

  for (guint i = 0; i < G_N_ELEMENTS (drops); i++)
    {
      GtkStringObject *item = gtk_drop_down_get_selected_item (GTK_DROP_DOWN (drops[i].drop));

      if (gtk_drop_down_get_selected (GTK_DROP_DOWN (drops[i].drop)) == 0 || item == NULL)
        continue;
      g_string_append_printf (text, "%s%s: %s", text->len > 0 ? "; " : "", drops[i].name,
                              gtk_string_object_get_string (item));
    }
  if (from != NULL)
    g_string_append_printf (text, "%s%s: %s", text->len > 0 ? "; " : "", _("From"), from);
  if (to != NULL)
    g_string_append_printf (text, "%s%s: %s", text->len > 0 ? "; " : "", _("To"), to);
  if (search != NULL && *search != '\0')
    g_string_append_printf (text, "%s%s: %s", text->len > 0 ? "; " : "", _("Search"), search);
  if (text->len == 0)
    g_string_append (text, _("All records"));
  return g_string_free (text, FALSE);
}

static gboolean
export_kind (BbReviewView  *self,
             GFile         *folder,
             const char    *stamp,
             BbQuery       *query,
             GPtrArray     *ids,
             guint         *n_records,
             gboolean      *written,
             GError       **error)
{
  g_autoptr(GFileOutputStream) out = NULL;
  guint offset = 0;

  *written = FALSE;
  for (;;)
    {
      g_autoptr(GPtrArray) page = bb_store_list_records (store_of (self), query, offset, EXPORT_PAGE, error);

      if (page == NULL)
        return FALSE;
      if (page->len == 0)
        break;

      if (out == NULL)
        {
          g_autofree char *name = g_strdup_printf ("beatbook-%s-%s.csv", query->kind, stamp);
          g_autoptr(GFile) file = g_file_get_child (folder, name);

          out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, error);
          if (out == NULL || !bb_csv_write_header (G_OUTPUT_STREAM (out), query->kind, NULL, error))
            return FALSE;
        }
      for (guint i = 0; i < page->len; i++)
        {
          BbRecord *record = g_ptr_array_index (page, i);

          if (!bb_csv_write_record (G_OUTPUT_STREAM (out), profile_of (self), record, NULL, error))
            return FALSE;
          if (ids->len <= BB_EXPORT_NOTICE_MAX_IDS)
            g_ptr_array_add (ids, g_strdup (bb_record_get_id (record)));
          (*n_records)++;
        }
      offset += page->len;
    }

  if (out != NULL && !g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error))
    return FALSE;
  *written = out != NULL;
  return TRUE;
}

gboolean
bb_review_view_export_csv (BbReviewView  *self,
                           GFile         *folder,
                           guint         *n_files,
                           guint         *n_records,
                           GError       **error)
{
  const BbKindSpec * const *all = bb_kind_all ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d-%H%M%S");
  g_autofree char *filter = NULL;
  BbQuery query;
  guint files = 0, records = 0;

  g_return_val_if_fail (BB_IS_REVIEW_VIEW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (folder), FALSE);

  bb_review_view_get_query (self, &query);
  for (guint i = 0; all[i] != NULL; i++)
    {
      BbQuery one = query;
      gboolean written;

      if (query.kind != NULL && g_strcmp0 (query.kind, all[i]->id) != 0)
        continue;
      one.kind = all[i]->id;
      if (!export_kind (self, folder, stamp, &one, ids, &records, &written, error))
        return FALSE;
      files += written ? 1 : 0;
    }

  if (records > 0)
    {
      filter = describe_filter (self);
      g_ptr_array_add (ids, NULL);
      if (!bb_store_queue_export_notice (store_of (self), "csv",
                                         records <= BB_EXPORT_NOTICE_MAX_IDS ? (const char * const *) ids->pdata : NULL,
                                         records, NULL, NULL, filter, NULL, error))
        return FALSE;
    }

  if (n_files != NULL)
    *n_files = files;
  if (n_records != NULL)
    *n_records = records;
  return TRUE;
}

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     BbReviewView    *self)
{
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint files = 0, records = 0;

  if (response == GTK_RESPONSE_ACCEPT)
    folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (folder == NULL)
    return;

  if (!bb_review_view_export_csv (self, folder, &files, &records, &error))
    {
      text = g_strdup_printf (_("The export did not finish: %s"), error->message);
      toast (self, text);
      return;
    }
  /* Translators: "Exported 12 records in 2 files; logged at the next sync" */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Exported %u record in %u file(s); logged at the next sync",
                                       "Exported %u records in %u file(s); logged at the next sync",
                                       records),
                          records, files);
  toast (self, text);
}

static void
on_export_clicked (GtkButton    *button,
                   BbReviewView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Export to a Folder"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* GObject */

static void
bb_review_view_dispose (GObject *object)
{
  BbReviewView *self = BB_REVIEW_VIEW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), BB_TYPE_REVIEW_VIEW);
  /* GTK 4.8 leaves the template's top-level child in place. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_clear_object (&self->record);
  g_clear_object (&self->session);
  g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);

  G_OBJECT_CLASS (bb_review_view_parent_class)->dispose (object);
}

static void
bb_review_view_finalize (GObject *object)
{
  BbReviewView *self = BB_REVIEW_VIEW (object);

  g_clear_pointer (&self->kind_ids, g_ptr_array_unref);
  g_clear_pointer (&self->ward_ids, g_ptr_array_unref);
  g_clear_pointer (&self->author_ids, g_ptr_array_unref);
  g_clear_pointer (&self->state_ids, g_ptr_array_unref);
  g_clear_pointer (&self->count_text, g_free);
  g_clear_pointer (&self->state_text, g_free);
  g_clear_pointer (&self->comment_error, g_free);
  g_clear_pointer (&self->from_utc, g_free);
  g_clear_pointer (&self->to_utc, g_free);

  G_OBJECT_CLASS (bb_review_view_parent_class)->finalize (object);
}

static void
bb_review_view_class_init (BbReviewViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bb_review_view_dispose;
  object_class->finalize = bb_review_view_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/beatbook/Beatbook/bb-review-view.ui");
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, leaflet);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, search);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, filters);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, actions);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, unreviewed_button);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, clear_button);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, count_label);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, export_button);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, list_stack);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, map);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, list_view);
  gtk_widget_class_bind_template_callback (widget_class, on_list_key_pressed);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, back_button);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, title_label);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, state_icon);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, state_label);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, queue_label);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, fields_label);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, comments_box);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, comment_view);
  gtk_widget_class_bind_template_child (widget_class, BbReviewView, comment_message);

  gtk_widget_class_install_action (widget_class, "review.mark", "s", mark_action);
}

static void
bb_review_view_init (BbReviewView *self)
{
  GtkListItemFactory *factory;

  g_type_ensure (ADW_TYPE_CLAMP);
  g_type_ensure (ADW_TYPE_LEAFLET);
  g_type_ensure (ADW_TYPE_STATUS_PAGE);
  g_type_ensure (BB_TYPE_MAP);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->attachment_strip = bb_attachment_strip_new ();
  gtk_widget_set_visible (self->attachment_strip, FALSE);
  gtk_widget_insert_after (self->attachment_strip,
                           gtk_widget_get_parent (GTK_WIDGET (self->fields_label)),
                           GTK_WIDGET (self->fields_label));

  self->kind_ids = g_ptr_array_new_with_free_func (g_free);
  self->ward_ids = g_ptr_array_new_with_free_func (g_free);
  self->author_ids = g_ptr_array_new_with_free_func (g_free);
  self->state_ids = g_ptr_array_new_with_free_func (g_free);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect (self->list_view, "activate", G_CALLBACK (on_activate), self);
  g_signal_connect (self->back_button, "clicked", G_CALLBACK (on_back_clicked), self);
  g_signal_connect_swapped (self->leaflet, "notify::folded", G_CALLBACK (on_folded), self);
  g_signal_connect_swapped (self->search, "search-changed", G_CALLBACK (on_filter_changed), self);
  g_signal_connect (self->unreviewed_button, "toggled", G_CALLBACK (on_unreviewed_toggled), self);
  g_signal_connect_swapped (self->clear_button, "clicked", G_CALLBACK (bb_review_view_clear_filters), self);
  g_signal_connect (self->export_button, "clicked", G_CALLBACK (on_export_clicked), self);
  g_signal_connect (self->map, "point-activated", G_CALLBACK (on_point_activated), self);
  g_signal_connect (gtk_text_view_get_buffer (self->comment_view), "changed",
                    G_CALLBACK (on_comment_changed), self);
  on_folded (self);
}

GtkWidget *
bb_review_view_new (BbSession *session)
{
  BbReviewView *self;
  GtkWidget *filters[5];

  g_return_val_if_fail (BB_IS_SESSION (session), NULL);

  self = g_object_new (BB_TYPE_REVIEW_VIEW, NULL);
  self->session = g_object_ref (session);
  self->model = bb_record_list_model_new (bb_session_get_store (session));

  self->filling = TRUE;
  fill_filters (self);
  reload_authors (self);
  self->filling = FALSE;

  /* No tile source in the profile: no map, and no button for one. */
  if (bb_map_set_profile (self->map, bb_session_get_profile (session)))
    {
      bb_map_set_show_legend (self->map, TRUE);
      gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->map_button)), TRUE);
    }

  filters[0] = self->kind_drop;
  filters[1] = self->ward_drop;
  filters[2] = self->author_drop;
  filters[3] = self->priority_drop;
  filters[4] = self->state_drop;
  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    g_signal_connect_swapped (filters[i], "notify::selected", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->from_date, "changed", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->to_date, "changed", G_CALLBACK (on_filter_changed), self);

  apply_filters (self);
  return GTK_WIDGET (self);
}

void
bb_review_view_reload (BbReviewView *self)
{
  g_autofree char *id = NULL;
  guint position;

  g_return_if_fail (BB_IS_REVIEW_VIEW (self));

  reload_authors (self);
  reload_model (self, NULL);
  if (gtk_toggle_button_get_active (self->map_button))
    {
      BbQuery query;

      /* New records join the map; the view stays where it was. */
      bb_review_view_get_query (self, &query);
      fill_map (self, &query, FALSE);
    }
  if (self->record != NULL)
    {
      id = g_strdup (bb_record_get_id (self->record));
      if (!show_id (self, id))
        {
          g_clear_object (&self->record);
          show_record (self);
        }
      position = bb_record_list_model_find (self->model, id, 500);
      if (position != G_MAXUINT)
        gtk_single_selection_set_selected (self->selection, position);
    }
}

guint
bb_review_view_get_n_records (BbReviewView *self)
{
  g_return_val_if_fail (BB_IS_REVIEW_VIEW (self), 0);

  return bb_record_list_model_get_total (self->model);
}

gboolean
bb_review_view_set_show_map (BbReviewView *self,
                             gboolean      show)
{
  g_return_val_if_fail (BB_IS_REVIEW_VIEW (self), FALSE);

  if (!bb_map_has_tiles (self->map))
    return FALSE;
  gtk_toggle_button_set_active (self->map_button, show);
  return TRUE;
}

GtkWidget *
bb_review_view_get_map (BbReviewView *self)
{
  g_return_val_if_fail (BB_IS_REVIEW_VIEW (self), NULL);
  return bb_map_has_tiles (self->map) ? GTK_WIDGET (self->map) : NULL;
}

const char *
bb_review_view_get_count_text (BbReviewView *self)
{
  g_return_val_if_fail (BB_IS_REVIEW_VIEW (self), NULL);

  return self->count_text;
}

GtkWidget *
bb_review_view_get_filter_widget (BbReviewView *self,
                                  const char   *name)
{
  g_return_val_if_fail (BB_IS_REVIEW_VIEW (self), NULL);

  if (g_strcmp0 (name, "search") == 0)
    return GTK_WIDGET (self->search);
  if (g_strcmp0 (name, "kind") == 0)
    return self->kind_drop;
  if (g_strcmp0 (name, "ward") == 0)
    return self->ward_drop;
  if (g_strcmp0 (name, "author") == 0)
    return self->author_drop;
  if (g_strcmp0 (name, "priority") == 0)
    return self->priority_drop;
  if (g_strcmp0 (name, "review-state") == 0)
    return self->state_drop;
  if (g_strcmp0 (name, "from") == 0)
    return self->from_date;
  if (g_strcmp0 (name, "to") == 0)
    return self->to_date;
  if (g_strcmp0 (name, "unreviewed") == 0)
    return GTK_WIDGET (self->unreviewed_button);
  return NULL;
}

gboolean
bb_review_view_select (BbReviewView *self,
                       const char   *id)
{
  guint position;

  g_return_val_if_fail (BB_IS_REVIEW_VIEW (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!show_id (self, id))
    return FALSE;
  position = bb_record_list_model_find (self->model, id, 500);
  if (position != G_MAXUINT)
    gtk_single_selection_set_selected (self->selection, position);
  return TRUE;
}

BbRecord *
bb_review_view_get_record (BbReviewView *self)
{
  g_return_val_if_fail (BB_IS_REVIEW_VIEW (self), NULL);

  return self->record;
}

GtkWidget *
bb_review_view_get_comment_widget (BbReviewView *self)
{
  g_return_val_if_fail (BB_IS_REVIEW_VIEW (self), NULL);

  return GTK_WIDGET (self->comment_view);
}

const char *
bb_review_view_get_comment_message (BbReviewView *self)
{
  g_return_val_if_fail (BB_IS_REVIEW_VIEW (self), NULL);

  return self->comment_error;
}

const char *
bb_review_view_get_state_text (BbReviewView *self)
{
  g_return_val_if_fail (BB_IS_REVIEW_VIEW (self), NULL);

  return self->state_text;
}
