/* bb-csv.h: CSV export that spreadsheets open (RFC 4180, UTF-8)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "bb-record.h"

G_BEGIN_DECLS

/* Appends @value to @out quoted as RFC 4180 asks (commas, quotes, newlines). */
void     bb_csv_append_value   (GString      *out,
                                const char   *value);
/* Writes a header row and one row per record of one kind: common columns,
 * then one column per field of the kind (nested parts as "vehicle.vrm"),
 * lists flattened readably ("AB12CDE Ford Focus blue; ..."), enum ids shown
 * with their labels from @profile. Lines end in CRLF; a UTF-8 BOM starts the
 * file so spreadsheet programs detect the encoding. */
gboolean bb_csv_write_records  (GOutputStream *out,
                                BbProfile     *profile,
                                const char    *kind,
                                GPtrArray     *records,
                                GCancellable  *cancellable,
                                GError       **error);

G_END_DECLS
