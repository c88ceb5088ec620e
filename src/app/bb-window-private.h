/* bb-window-private.h: what bb-window.c and bb-window-actions.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bb-window.h"

G_BEGIN_DECLS

/* How far down the list a saved or shown record is looked for to select it:
 * a record just saved is near the top; deeper than this, paging in the whole
 * list to find it would cost more than the selection is worth. */
#define FIND_LIMIT 500
/* The New menu puts first the kinds most used among this many newest records. */
#define RECENT_KINDS 500

/* Quick-start hits shown at once: six fit above the list at 360x640. */
#define QUICK_START_ROWS 6

typedef enum {
  UNDO_NONE,
  UNDO_NEW_RECORD,  /* delete the record just created */
  UNDO_EDIT,        /* save the previous content back as a new revision */
  UNDO_DELETE,      /* restore the tombstoned record as a new revision */
  UNDO_DISCARD_DRAFT,
} UndoKind;

struct _BbWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;   /* NULL when the schema is not installed */
  BbSession            *session;
  BbRecordListModel    *model;
  GtkSingleSelection   *selection;

  BbEditor             *editor;
  BbRecord             *editing_previous;
  GPtrArray            *retired_editors;
  guint                 retire_idle_id;

  UndoKind              undo_kind;
  char                 *undo_record_id;
  BbRecord             *undo_previous;
  BbDraft              *undo_draft;
  AdwToast             *undo_toast;
  char                 *last_toast;

  GPtrArray            *draft_rows;
  guint                 suppress_selection;

  GPtrArray            *start_hits;     /* (element-type BbQuickStart) */
  guint                 start_selected;
  guint                 refocus_id;

  /* template */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwStatusPage        *error_page;
  BbFirstRun           *first_run;
  AdwLeaflet           *leaflet;
  GtkWidget            *list_pane;
  AdwHeaderBar         *list_header;
  AdwWindowTitle       *state_title;
  AdwSqueezer          *state_squeezer;
  AdwSplitButton       *new_button;
  AdwHeaderBar         *first_run_header;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkSearchBar         *start_bar;
  GtkSearchEntry       *start_entry;
  GtkListBox           *start_list;
  GtkDropDown          *kind_dropdown;
  GtkWidget            *filter_label;
  AdwPreferencesGroup  *drafts_group;
  GtkStack             *list_stack;
  GtkListView          *list_view;
  AdwStatusPage        *empty_page;
  GtkWidget            *detail_pane;
  AdwHeaderBar         *detail_header;
  GtkLabel             *detail_title;
  GtkLabel             *detail_subtitle;
  GtkWidget            *back_button;
  GtkWidget            *save_button;
  GtkStack             *detail_stack;
  BbRecordView         *record_view;
  AdwBin               *editor_bin;
};

BbProfile *_bb_window_get_profile        (BbWindow     *self);
BbStore   *_bb_window_get_store          (BbWindow     *self);
BbRole     _bb_window_get_role           (BbWindow     *self);

void       _bb_window_show_toast         (BbWindow     *self,
                                          const char   *title,
                                          gboolean      with_undo);
void       _bb_window_show_error_toast   (BbWindow     *self,
                                          const char   *what,
                                          const GError *error);
void       _bb_window_clear_undo         (BbWindow     *self);
BbDraft   *_bb_window_draft_copy         (const BbDraft *draft);
/* (transfer full): a copy of the draft @draft_id, or NULL with @error set. */
BbDraft   *_bb_window_find_draft         (BbWindow     *self,
                                          const char   *draft_id,
                                          GError      **error);
void       _bb_window_refresh_drafts     (BbWindow     *self);

void       _bb_window_select_record      (BbWindow     *self,
                                          const char   *id);
void       _bb_window_show_record_object (BbWindow     *self,
                                          BbRecord     *record);
void       _bb_window_show_list_pane     (BbWindow     *self);
void       _bb_window_focus_list         (BbWindow     *self);
void       _bb_window_update_actions     (BbWindow     *self);

/* Opens @editor (taking its floating reference); @record is the record it
 * edits, NULL for a new one. */
void       _bb_window_open_editor        (BbWindow     *self,
                                          BbEditor     *editor,
                                          BbRecord     *record);
/* Leaves the open editor; the draft is kept unless @discard. */
void       _bb_window_close_editor       (BbWindow     *self,
                                          gboolean      discard);

/* bb-window-actions.c */
void       _bb_window_class_init_actions (GtkWidgetClass *widget_class);
void       _bb_window_init_quick_start   (BbWindow     *self);
void       _bb_window_close_quick_start  (BbWindow     *self);

G_END_DECLS
