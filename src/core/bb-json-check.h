/* bb-json-check.h: what JSON text may hold before it is parsed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BB_JSON_CHECK_ERROR (bb_json_check_error_quark ())

typedef enum {
  BB_JSON_CHECK_ERROR_TOO_DEEP,      /* objects or arrays nest too deeply */
  BB_JSON_CHECK_ERROR_NUL,           /* a string holds "\u0000" */
  BB_JSON_CHECK_ERROR_OUT_OF_RANGE,  /* a whole number beyond +-BB_JSON_MAX_INTEGER */
} BbJsonCheckError;

/* The largest whole number JSON carries exactly everywhere (2^53 - 1).
 * json-glib wraps larger ones silently (99999999999999999999 reads as -1). */
#define BB_JSON_MAX_INTEGER G_GINT64_CONSTANT (9007199254740991)

GQuark   bb_json_check_error_quark (void);

/* Checks @data (@length bytes of JSON text) without building it: nesting
 * no deeper than @max_depth, no string holding a NUL (which C code would
 * cut short, so "kind\u0000" would read as "kind"), and no whole number
 * that json-glib would wrap. Whether it is JSON at all is the parser's
 * business. */
gboolean bb_json_check_text        (const char  *data,
                                    gsize        length,
                                    guint        max_depth,
                                    GError     **error);

G_END_DECLS
