/* bb-vrm.h: vehicle registration marks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  BB_VRM_UNRECOGNISED = 0,
  BB_VRM_CURRENT,          /* AB12 CDE (2001 on) */
  BB_VRM_PREFIX,           /* A123 BCD (1983-2001) */
  BB_VRM_SUFFIX,           /* ABC 123A (1963-1983) */
  BB_VRM_DATELESS,         /* 1-4 letters + 1-4 digits, either order */
  BB_VRM_NORTHERN_IRELAND, /* ABC 1234 (and the shorter NI series) */
} BbVrmFormat;

/* (transfer full): upper case, spaces and hyphens removed; NULL for NULL. */
char        *bb_vrm_normalise       (const char *vrm);
/* Recognises @vrm in any spelling (it is normalised first). */
BbVrmFormat  bb_vrm_recognise       (const char *vrm);
/* (transfer none): a short name for the format, translated, e.g. "current format". */
const char  *bb_vrm_format_label    (BbVrmFormat format);
/* (transfer full): the mark as people write it, "AB12 CDE"; unrecognised
 * marks come back normalised. */
char        *bb_vrm_format_display  (const char *vrm);

G_END_DECLS
