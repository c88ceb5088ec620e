/* bb-window.h: the main window (records list, record view, editor)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bb-application.h"
#include "bb-first-run.h"
#include "bb-record-list-model.h"
#include "bb-record-view.h"
#include "bb-editor.h"

G_BEGIN_DECLS

#define BB_TYPE_WINDOW (bb_window_get_type ())
G_DECLARE_FINAL_TYPE (BbWindow, bb_window, BB, WINDOW, AdwApplicationWindow)

BbWindow          *bb_window_new              (BbApplication *application);

/* Reload runs on the session's BbSession::records-changed (a sync, a
 * conflict resolved, a sign-out); refresh_state through
 * bb_application_refresh_state. */
void               bb_window_reload           (BbWindow      *self);
void               bb_window_refresh_state    (BbWindow      *self);

/* Opens the editor for a new record of @kind (refused with a message when
 * the user's role may not create it). */
void               bb_window_new_record       (BbWindow      *self,
                                               const char    *kind);
/* Shows the record @id read-only in the detail pane. */
gboolean           bb_window_show_record      (BbWindow      *self,
                                               const char    *id);
/* The kinds the user may create, most used lately first. (transfer container) */
GPtrArray         *bb_window_dup_creatable_kinds (BbWindow   *self);

/* For tests: what is on screen. */
const char        *bb_window_get_page         (BbWindow      *self); /* "error", "first-run", "home" */
const char        *bb_window_get_detail_page  (BbWindow      *self); /* "empty", "view", "editor" */
const char        *bb_window_get_list_page    (BbWindow      *self); /* "list", "empty" */
BbFirstRun        *bb_window_get_first_run    (BbWindow      *self);
BbRecordListModel *bb_window_get_model        (BbWindow      *self);
GtkSelectionModel *bb_window_get_selection    (BbWindow      *self);
BbRecordView      *bb_window_get_record_view  (BbWindow      *self);
BbEditor          *bb_window_get_editor       (BbWindow      *self);
GtkWidget         *bb_window_get_search_entry (BbWindow      *self);
GtkWidget         *bb_window_get_kind_dropdown (BbWindow     *self);
GtkWidget         *bb_window_get_list_view    (BbWindow      *self);
/* (nullable): the title and description of the list's empty state. */
const char        *bb_window_get_empty_title  (BbWindow      *self);
const char        *bb_window_get_state_line   (BbWindow      *self);
/* (nullable): the text of the last toast shown. */
const char        *bb_window_get_last_toast   (BbWindow      *self);
/* How many drafts the list offers to restore. */
guint              bb_window_get_n_drafts     (BbWindow      *self);

G_END_DECLS
