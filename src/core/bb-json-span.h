/* bb-json-span.h: where values lie in JSON text, to use the bytes received
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gsize offset;
  gsize length;
} BbJsonSpan;

/* The value of the member @name of the object that @data (@length bytes)
 * is, as @span of @data. FALSE when @data is not an object in strict JSON
 * (RFC 8259: no comments, no single quotes), when the member is absent or
 * written more than once, or when a member name at that level is written
 * with escapes (it might spell @name): the caller then reads the parsed
 * tree instead. Never reads past @length. */
gboolean bb_json_find_member        (const char  *data,
                                     gsize        length,
                                     const char  *name,
                                     BbJsonSpan  *span);

/* (transfer full) (element-type BbJsonSpan) (nullable): the elements of the
 * array that @data (@length bytes) is, in order; NULL when it is not an
 * array in strict JSON. */
GArray  *bb_json_array_elements     (const char  *data,
                                     gsize        length);

/* Whether @data (@length bytes) is one value in strict JSON opening with
 * @open ('{' for an object, '[' for an array), whitespace around it
 * aside. */
gboolean bb_json_is_container      (const char  *data,
                                    gsize        length,
                                    char         open);

/* Calls @emit with each run of the @length bytes of JSON text @data that
 * lies outside the whitespace between tokens, in order. */
void     bb_json_foreach_compact_run (const char  *data,
                                      gsize        length,
                                      void       (*emit) (gpointer    user_data,
                                                          const char *bytes,
                                                          gsize       n),
                                      gpointer     user_data);

/* Feeds @checksum the @length bytes of JSON text @data without the
 * whitespace between tokens: pretty-printed and compact texts of one value
 * (written the same way otherwise) give one sum. @data must be a value
 * found by the functions above. */
void     bb_json_checksum_compact   (GChecksum   *checksum,
                                     const char  *data,
                                     gsize        length);

/* (transfer full): @data (@length bytes of a value found above) without
 * the whitespace between tokens. */
char    *bb_json_compact            (const char  *data,
                                     gsize        length);

G_END_DECLS
