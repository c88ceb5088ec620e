/* bb-quick-start.h: start a record by what happened ("fly", "asb", a mark)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "bb-kind.h"
#include "bb-profile.h"

G_BEGIN_DECLS

/* One way to start a record: a kind, and the fields it starts with. */
typedef struct
{
  const BbKindSpec *kind;
  char             *title;    /* "Fly-tipping", "AB12 CDE", "Section 59 warning" */
  char             *subtitle; /* (nullable) the kind's label when @title is not it */
  JsonObject       *fields;   /* the preset fields, in the record's shape; may be empty */
} BbQuickStart;

void       bb_quick_start_free  (BbQuickStart *start);

/* The ways to start a record of a kind @role may create that @text
 * describes, best first: every word of @text must begin a word of a kind's
 * label (or its short name, "s59") or of one of the choices of the kind's
 * first required choice field (a patrol observation's category, a walk's
 * type...); a registration mark starts a Section 59 warning (and a patrol
 * observation) with the vehicle's mark filled in, and "s59" followed by a
 * mark does the same. Empty @text lists the kinds @role may create.
 *
 * Returns: (transfer full) (element-type BbQuickStart): never NULL, possibly
 * empty. */
GPtrArray *bb_quick_start_match (BbProfile  *profile,
                                 BbRole      role,
                                 const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbQuickStart, bb_quick_start_free)

G_END_DECLS
