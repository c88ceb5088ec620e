/* bb-editor-form.h: the editor's form, built from the kinds' field tables
 *
 * Private to src/app/editor: BbEditor owns one BbForm.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "beatbook.h"
#include "bb-editor-logic.h"

G_BEGIN_DECLS

typedef struct _BbForm      BbForm;
typedef struct _BbFieldNode BbFieldNode;

/* @node is the field the person changed. */
typedef void (*BbFormChangedFunc) (BbForm      *form,
                                   BbFieldNode *node,
                                   gpointer     user_data);

/* One field of the form. Objects and lists have children; a list's children
 * are its items, each an object (OBJECT_LIST) or a text (TEXT_LIST). */
struct _BbFieldNode
{
  BbForm            *form;
  BbFieldNode       *parent;
  const BbFieldSpec *spec;       /* for an item: the list's spec */
  char              *name;       /* wire key; NULL for the root and items */
  char              *path;       /* "vehicles[0].vrm": items by position on screen */
  int                index;      /* an item's position on screen, else -1 */
  int                json_index; /* an item's position in the collected array, -1: left out */
  gboolean           is_item;
  gboolean           is_meta;    /* occurred_at and priority: not in fields */
  GPtrArray         *children;   /* (element-type BbFieldNode) */

  GtkWidget         *input;      /* what bb_editor_get_field_widget returns */
  GtkWidget         *row;        /* gets the "error"/"warning" style */
  GtkWidget         *message_row;   /* a leaf's message, the row under it */
  GtkWidget         *message_label;
  GtkWidget         *section;    /* a container's outermost widget (hidden by conditions) */
  GtkWidget         *group;      /* the group (or expander) its rows go into */
  GtkWidget         *items_box;  /* OBJECT_LIST: where the items' groups go */
  GtkWidget         *add_button;
  GtkWidget         *remove_button;
  GtkWidget         *expander;   /* collapsible object */
  GtkWidget         *suggestion_row;    /* TEXT: a remembered value offered */
  GtkWidget         *suggestion_button;
  char              *suggestion;
  GPtrArray         *choice_ids; /* CHOICE_LIST: the ids in order */
  GHashTable        *checks;     /* CHOICE_LIST: id -> GtkCheckButton */

  gboolean           has_value;  /* COUNT/BOOL: set by the person or loaded */
  gboolean           touched;    /* changed by the person (or a descendant was) */
  JsonNode          *passthrough;/* ID_LIST: kept as loaded, not editable here */
  JsonObject        *extras;     /* unknown keys of an object, kept as loaded */
  char              *shown_text; /* TIME: the text shown for shown_iso ... */
  char              *shown_iso;  /* ... so an untouched time keeps its seconds */

  char              *local_message;  /* a problem only the form can see (bad text) */
  BbProblemSeverity  local_severity;
  char              *message;        /* the message on screen, NULL for none */
  BbProblemSeverity  severity;
};

struct _BbForm
{
  BbProfile         *profile;
  const BbKindSpec  *kind;
  GTimeZone         *tz;
  GtkBox            *box;        /* sections are appended here */
  BbFieldNode       *root;
  BbFieldNode       *occurred_at;
  BbFieldNode       *priority;
  int                filling;    /* > 0 while the form sets its own widgets */
  gboolean           priority_set; /* the person chose the priority */
  BbFormChangedFunc  changed;
  gpointer           user_data;
};

BbForm      *bb_form_new               (BbProfile         *profile,
                                        const BbKindSpec  *kind,
                                        GtkBox            *box,
                                        BbFormChangedFunc  changed,
                                        gpointer           user_data);
void         bb_form_free              (BbForm            *form);

/* (transfer full): the fields as they stand, empty values left out. Problems
 * the form sees itself (a number that is not one, a time that does not parse,
 * an unrecognised mark) are put on their nodes' local_message. @raw, when not
 * NULL, receives the text of inputs that could not be read, by path. */
JsonObject  *bb_form_collect_fields    (BbForm            *form,
                                        JsonObject        *raw);
/* (transfer full) (nullable): occurred_at as ISO UTC, NULL when unreadable. */
char        *bb_form_get_occurred_at   (BbForm            *form);
int          bb_form_get_priority      (BbForm            *form);

void         bb_form_set_occurred_at   (BbForm            *form,
                                        const char        *iso);
void         bb_form_set_priority      (BbForm            *form,
                                        int                priority);
/* Fills every field from @fields (NULL clears); derived keys are ignored. */
void         bb_form_fill_fields       (BbForm            *form,
                                        JsonObject        *fields);
/* Puts back texts saved by collect's @raw. */
void         bb_form_fill_raw          (BbForm            *form,
                                        JsonObject        *raw);
/* Shows or hides conditional sections (fly-tipping, PSPO) and notes. */
void         bb_form_update_conditions (BbForm            *form);

/* @path on screen ("vehicles[0].vrm"); with @by_json_index, list positions
 * count only the items that were collected (problems' paths). */
BbFieldNode *bb_form_find_node         (BbForm            *form,
                                        const char        *path,
                                        gboolean           by_json_index);

void         bb_form_clear_messages    (BbForm            *form);
void         bb_form_set_node_message  (BbFieldNode       *node,
                                        const char        *message,
                                        BbProblemSeverity  severity);
/* Depth first, in the order of the form: the first node showing an error. */
BbFieldNode *bb_form_first_error       (BbForm            *form);
/* Calls @func on every node, depth first in form order. */
void         bb_form_foreach           (BbForm            *form,
                                        GFunc              func,
                                        gpointer           user_data);
/* Moves the keyboard focus to @node (opening a collapsed section). */
void         bb_form_focus_node        (BbFieldNode       *node);
/* (nullable): the first required field still empty, in form order (hidden
 * sections left out); NULL when every required field is filled. */
BbFieldNode *bb_form_first_empty_required (BbForm       *form);
/* (nullable): the first field of the kind's own (after when and where). */
BbFieldNode *bb_form_first_kind_field  (BbForm            *form);
/* Moves the focus on from @after: to the next required field still empty,
 * else the field right after it. */
void         bb_form_focus_next        (BbForm            *form,
                                        BbFieldNode       *after);
/* Offers @text for the text field at @path (a place remembered from an
 * older record) instead of filling it in: shown under the field with
 * @explanation and a button, taken with one key (Enter in the empty field,
 * or Alt+U). NULL @text withdraws the offer. */
void         bb_form_suggest_text      (BbForm            *form,
                                        const char        *path,
                                        const char        *text,
                                        const char        *explanation);
/* (nullable): the text offered for @path, NULL when none is. */
const char  *bb_form_get_suggestion    (BbForm            *form,
                                        const char        *path);
/* Fills @node with the text offered for it. */
void         bb_form_use_suggestion    (BbFieldNode       *node);
/* Adds an empty item to a list node; returns it. */
BbFieldNode *bb_form_add_item          (BbFieldNode       *list);

/* fields.attachments, which the form keeps as loaded and shows nowhere
 * itself. (transfer full) (element-type BbAttachment) */
GPtrArray   *bb_form_dup_attachments   (BbForm            *form);
/* Replaces fields.attachments, as a change by the person. */
void         bb_form_set_attachments   (BbForm            *form,
                                        GPtrArray         *attachments);

G_END_DECLS
