/* bb-review-window.c: the supervisor's window: Review and Figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A window of its own, so a supervisor can keep the figures open beside the
 * logbook. It reads the store again whenever it comes to the front, which
 * is when a sync may have brought records.
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include "bb-i18n.h"
#include "bb-review-window.h"

struct _BbReviewWindow
{
  AdwApplicationWindow  parent_instance;

  BbSession            *session;
  BbReviewView         *review;
  BbDashboard          *dashboard;
  gboolean              was_active;

  AdwViewSwitcherTitle *switcher_title;
  AdwViewStack         *stack;
  AdwBin               *review_bin;
  AdwBin               *dashboard_bin;
};

G_DEFINE_FINAL_TYPE (BbReviewWindow, bb_review_window, ADW_TYPE_APPLICATION_WINDOW)

static void
on_active_changed (BbReviewWindow *self)
{
  gboolean active = gtk_window_is_active (GTK_WINDOW (self));

  if (active && !self->was_active && self->review != NULL)
    {
      bb_review_view_reload (self->review);
      bb_dashboard_refresh (self->dashboard);
    }
  self->was_active = active;
}

static void
bb_review_window_dispose (GObject *object)
{
  BbReviewWindow *self = BB_REVIEW_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), BB_TYPE_REVIEW_WINDOW);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (bb_review_window_parent_class)->dispose (object);
}

/* The header names the page shown: where the page switcher moves to the
 * bottom (narrow), "Review and Figures" did not fit beside the window's
 * buttons at 360 px ("Review a…"). */
static void
on_page_changed (BbReviewWindow *self)
{
  const char *page = adw_view_stack_get_visible_child_name (self->stack);

  adw_view_switcher_title_set_title (self->switcher_title,
                                     g_strcmp0 (page, "dashboard") == 0 ? _("Figures") : _("Review"));
}

static void
bb_review_window_class_init (BbReviewWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bb_review_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/beatbook/Beatbook/bb-review-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BbReviewWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, BbReviewWindow, stack);
  gtk_widget_class_bind_template_callback (widget_class, on_page_changed);
  gtk_widget_class_bind_template_child (widget_class, BbReviewWindow, review_bin);
  gtk_widget_class_bind_template_child (widget_class, BbReviewWindow, dashboard_bin);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
bb_review_window_init (BbReviewWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  on_page_changed (self);
  g_signal_connect_swapped (self, "notify::is-active", G_CALLBACK (on_active_changed), self);
}

BbReviewWindow *
bb_review_window_new (GtkApplication *application,
                      BbSession      *session)
{
  BbReviewWindow *self;

  g_return_val_if_fail (BB_IS_SESSION (session), NULL);

  self = g_object_new (BB_TYPE_REVIEW_WINDOW, "application", application, NULL);
  self->session = g_object_ref (session);
  self->review = BB_REVIEW_VIEW (bb_review_view_new (session));
  adw_bin_set_child (self->review_bin, GTK_WIDGET (self->review));
  self->dashboard = BB_DASHBOARD (bb_dashboard_new (session));
  adw_bin_set_child (self->dashboard_bin, GTK_WIDGET (self->dashboard));
  return self;
}

BbReviewView *
bb_review_window_get_review (BbReviewWindow *self)
{
  g_return_val_if_fail (BB_IS_REVIEW_WINDOW (self), NULL);

  return self->review;
}

BbDashboard *
bb_review_window_get_dashboard (BbReviewWindow *self)
{
  g_return_val_if_fail (BB_IS_REVIEW_WINDOW (self), NULL);

  return self->dashboard;
}

void
bb_review_window_show_page (BbReviewWindow *self,
                            const char     *page)
{
  g_return_if_fail (BB_IS_REVIEW_WINDOW (self));

  adw_view_stack_set_visible_child_name (self->stack, page);
}
