/* bb-validate.h: the rules every entry point applies (app, cli, server)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "bb-profile.h"

G_BEGIN_DECLS

typedef enum {
  BB_PROBLEM_ERROR,   /* refuses the save */
  BB_PROBLEM_WARNING, /* shown, the save goes ahead (an unrecognised mark) */
} BbProblemSeverity;

typedef struct
{
  char              *path;     /* "vehicles[1].vrm", "occurred_at", "fields" */
  char              *code;     /* "required", "invalid_field", "unknown_kind", ... */
  char              *message;  /* a translated sentence for a person */
  BbProblemSeverity  severity;
} BbProblem;

/* Clock skew allowed for occurred_at in the future (sync-api.md: 10 minutes). */
#define BB_FUTURE_SKEW_SECONDS (10 * 60)

void       bb_problem_free           (BbProblem   *problem);
gboolean   bb_problems_have_errors   (GPtrArray   *problems);
/* (transfer full): every problem as "path: message", one per line. */
char      *bb_problems_to_string     (GPtrArray   *problems);

/* Checks a record's fields: required keys, types, enum ids against @profile,
 * counts >= 0, times and dates, lat/lon (both or neither, in range), unknown
 * keys, the conditional parts (fly_tip, pspo, driver.name), priority 1..4,
 * occurred_at not more than BB_FUTURE_SKEW_SECONDS after @now, ended_at not
 * before occurred_at. Derived keys are refused (a client never sends them).
 * Returns (transfer full) (element-type BbProblem): empty when all is well.
 * @now may be NULL for the current time. */
GPtrArray *bb_validate_record        (BbProfile   *profile,
                                      const char  *kind,
                                      const char  *occurred_at,
                                      int          priority,
                                      JsonObject  *fields,
                                      GDateTime   *now);

/* Checks a whole change of a push (sync-api.md "Push"): id (UUID), kind,
 * rev >= 1, base_rev >= 0, deleted, occurred_at, priority, fields, and no
 * other top-level keys; then bb_validate_record(). A deleted change only
 * needs id, kind, rev and base_rev. */
GPtrArray *bb_validate_change        (BbProfile   *profile,
                                      JsonNode    *change,
                                      GDateTime   *now);

G_END_DECLS
