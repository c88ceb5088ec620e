/* bb-lookup.h: Section 59 prior-warning look-up, on the device and online
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bb-client.h"
#include "bb-store.h"

G_BEGIN_DECLS

/* What to look for: a registration mark, or a surname and date of birth. */
typedef struct
{
  const char *vrm;
  const char *surname;
  const char *date_of_birth; /* YYYY-MM-DD */
} BbLookupQuery;

typedef struct
{
  char *id;
  char *issued_at;
  char *expires_at;
  char *vrm;
  char *driver_name;
  char *location;
  char *officer;
} BbLookupMatch;

void       bb_lookup_match_free  (BbLookupMatch *match);

/* Warnings issued in the last @window_days days in this device's synced
 * copy (and its own unsynced ones), newest first. The mark is normalised
 * before matching; surnames match without regard to case.
 * (transfer full) (element-type BbLookupMatch) */
GPtrArray *bb_lookup_offline     (BbStore             *store,
                                  const BbLookupQuery *query,
                                  int                  window_days,
                                  GError             **error);
/* The same question to the server (GET /api/v1/s59/lookup), which audits
 * it. (transfer full) (element-type BbLookupMatch) */
GPtrArray *bb_lookup_online      (BbClient            *client,
                                  const BbLookupQuery *query,
                                  GCancellable        *cancellable,
                                  GError             **error);

G_END_DECLS
