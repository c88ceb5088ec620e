/* bb-editor-form-private.h: what the parts of the editor's form share
 *
 * Private to bb-editor-form*.c: the form is one object split by concern
 * (building, values, focus, nodes) behind bb-editor-form.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bb-editor-form.h"

G_BEGIN_DECLS

/* Text */
gboolean     bb_form_word_in_list       (const char  *word,
                                         const char  *list);
gboolean     bb_form_text_is_blank      (const char  *text);
JsonNode    *bb_form_take_array         (JsonArray   *array);
JsonNode    *bb_form_take_object        (JsonObject  *object);
void         bb_form_set_accessible_label (GtkWidget *widget,
                                           const char *label);
/* (transfer full): the shortest text that reads back as exactly @value. */
char        *bb_form_format_number      (double       value);
gboolean     bb_form_parse_number       (const char  *text,
                                         double      *value);

/* Nodes */
BbFieldNode *bb_node_new                (BbForm            *form,
                                         BbFieldNode       *parent,
                                         const BbFieldSpec *spec,
                                         const char        *name);
void         bb_node_free               (gpointer     data);
void         bb_node_update_path        (BbFieldNode *node);
BbFieldNode *bb_node_find_child         (BbFieldNode *node,
                                         const char  *name);
void         bb_node_foreach            (BbFieldNode *node,
                                         GFunc        func,
                                         gpointer     user_data);
/* Inside a hidden section (fly-tipping details of a graffiti report). */
gboolean     bb_node_is_hidden          (BbFieldNode *node);
const char  *bb_node_label              (BbFieldNode *node);
gboolean     bb_node_required           (BbFieldNode *node);
/* (transfer full) (nullable) */
char        *bb_node_dup_text           (BbFieldNode *node);
void         bb_node_set_text           (BbFieldNode *node,
                                         const char  *text);
/* (nullable) */
const char  *bb_node_choice_id          (BbFieldNode *node);
void         bb_node_set_choice_id      (BbFieldNode *node,
                                         const char  *id);

/* Building (bb-editor-form.c) */
GtkWidget   *bb_form_add_choice_check   (BbFieldNode *node,
                                         const char  *id,
                                         const char  *label);
void         bb_node_update_choice_list_subtitle (BbFieldNode *node);

/* Values (bb-editor-form-values.c) */
void         bb_node_fill               (BbFieldNode *node,
                                         JsonNode    *value);

G_END_DECLS
