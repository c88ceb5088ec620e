/* bb-csv.h: CSV export that spreadsheets open (RFC 4180, UTF-8)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "bb-profile.h"
#include "bb-record.h"
#include "bb-validate.h"

G_BEGIN_DECLS

/* Appends @value to @out quoted as RFC 4180 asks (commas, quotes, newlines).
 * Guards against formula injection: a value starting with =, +, -, @, a tab
 * or a carriage return gets a leading apostrophe, so a spreadsheet shows it
 * as text instead of running it. A value that is a plain decimal number
 * ("-1.5", "+3", "-29.4%") is left alone: a spreadsheet reads it as a number,
 * which runs nothing, and a longitude must stay a number. NULL is an empty
 * cell. */
void     bb_csv_append_value   (GString      *out,
                                const char   *value);
/* (transfer full): the column names of @kind's CSV, in order: id, kind,
 * occurred_at (local time), occurred_at_utc, ended_at, priority, ward, place,
 * lat, lon, notes, author, review_state, sync_state, then the kind's fields
 * (nested objects as "vehicle.vrm"; a list of objects is one column). */
GStrv    bb_csv_dup_columns    (const char   *kind);
/* Appends the header row (CRLF at the end, no BOM). */
void     bb_csv_append_header  (GString      *out,
                                const char   *kind);
/* Appends @record's row (CRLF at the end): times in the profile's local time
 * as "2026-03-01 21:14" (occurred_at_utc as stored), enum ids as labels,
 * booleans as yes/no, lists of values joined with "; ", lists of objects
 * as "part part; part part". */
void     bb_csv_append_record  (GString      *out,
                                BbProfile    *profile,
                                BbRecord     *record);
/* Streaming, for exports too big to hold: the BOM and the header row, then
 * one call per record. */
gboolean bb_csv_write_header   (GOutputStream *out,
                                const char    *kind,
                                GCancellable  *cancellable,
                                GError       **error);
gboolean bb_csv_write_record   (GOutputStream *out,
                                BbProfile     *profile,
                                BbRecord      *record,
                                GCancellable  *cancellable,
                                GError       **error);
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

/* Reading back what the writer wrote (beatbook-cli import). */

typedef struct _BbCsvReader BbCsvReader;

/* A reader of RFC 4180 rows from @in (a leading BOM skipped; CRLF or LF
 * line ends; quoted cells may hold commas, quotes and line breaks). */
BbCsvReader *bb_csv_reader_new    (GInputStream  *in);
void         bb_csv_reader_free   (BbCsvReader   *reader);
/* (transfer full) (nullable): the next row's cells; NULL at the end (no
 * @error) or on a read error or a quote left open. *@line is the line the
 * row starts on (1 for the first). */
GStrv        bb_csv_reader_next   (BbCsvReader   *reader,
                                   guint         *line,
                                   GError       **error);

/* What one exported row says about a record. @header is the file's first
 * row. Columns the device or server fills (id, author, review_state,
 * sync_state, the local occurred_at when occurred_at_utc is there, derived
 * fields) are read past. Labels are turned back into ids, "yes"/"no" into
 * booleans, local times (in @profile's zone) into UTC, "; " lists into
 * arrays. A cell that can not be read back becomes a BbProblem in
 * @problems, with the column's name as its path. (transfer full) on
 * @kind, @occurred_at and @fields; @priority is 0 when the cell is empty. */
void         bb_csv_read_record   (BbProfile     *profile,
                                   GStrv          header,
                                   GStrv          row,
                                   char         **kind,
                                   char         **occurred_at,
                                   int           *priority,
                                   JsonObject   **fields,
                                   GPtrArray     *problems);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbCsvReader, bb_csv_reader_free)

G_END_DECLS
