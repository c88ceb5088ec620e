/* bb-report.h: the partnership's figures for a period, against the one before
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "bb-profile.h"
#include "bb-store.h"

G_BEGIN_DECLS

#define BB_REPORT_ERROR (bb_report_error_quark ())

typedef enum {
  BB_REPORT_ERROR_INVALID_PERIOD, /* a date is not a date, or to <= from */
} BbReportError;

/* Sections of a report, in the order they are written. Each holds items
 * with a count for the period and for the previous period. */
#define BB_REPORT_SECTION_TOTAL           "total"           /* key: "records" */
#define BB_REPORT_SECTION_KIND            "kind"            /* key: kind id */
#define BB_REPORT_SECTION_PRIORITY        "priority"        /* key: "1".."4" */
#define BB_REPORT_SECTION_WARD            "ward"            /* key: ward id, "" when not given */
#define BB_REPORT_SECTION_PRIORITY_WARD   "priority_ward"   /* key: "2/town" */
#define BB_REPORT_SECTION_MONTH           "month"           /* key: "2026-03" (local month) */
#define BB_REPORT_SECTION_CATEGORY        "category"        /* observations; key: category id */
#define BB_REPORT_SECTION_CATEGORY_WARD   "category_ward"   /* observations; key: "fly_tipping/town" */
/* Hotspots: observations with coordinates by cells of a grid of about
 * 100 m (key: the cell's centre, "geo:51.44620,0.21800"; label: the place
 * typed most in it and the point), the others by place text (key:
 * "normalised place/ward"). */
#define BB_REPORT_SECTION_HOTSPOT         "hotspot"
#define BB_REPORT_SECTION_S59             "s59"             /* keys: "warnings", "seizures" */
#define BB_REPORT_SECTION_ENGAGEMENT      "engagement"      /* keys: "events", "attendees", "partners" */
#define BB_REPORT_SECTION_VAWG            "vawg"            /* keys: "walks", "unsafe_spots" */
#define BB_REPORT_SECTION_UNSAFE_SPOT     "unsafe_spot"     /* key: unsafe spot category id */

/* One line of a section. Month items pair the period's months with the
 * previous period's, in order: @key is the current month ("" when the
 * previous period has more months) and @previous_key the month compared. */
typedef struct
{
  char   *key;
  char   *label;
  char   *previous_key;   /* (nullable): months only */
  char   *previous_label; /* (nullable): months only */
  gint64  current;
  gint64  previous;
} BbReportItem;

#define BB_TYPE_REPORT (bb_report_get_type ())
G_DECLARE_FINAL_TYPE (BbReport, bb_report, BB, REPORT, GObject)

GQuark      bb_report_error_quark          (void);

/* A report for the local dates [@from_date, @to_date) ("2026-03-01",
 * "2026-04-01": London midnight to London midnight, in the profile's zone).
 * The previous period is as long and ends where this one starts: whole
 * months when both dates are the first of a month (a quarter against the
 * quarter before), otherwise the same number of days. Nothing is counted
 * until bb_report_collect(). */
BbReport   *bb_report_new                  (BbProfile    *profile,
                                            const char   *from_date,
                                            const char   *to_date,
                                            GError      **error);
/* How many hotspots to list (10 unless set). */
void        bb_report_set_hotspot_limit    (BbReport     *self,
                                            guint         limit);
/* Who asked for the report and when (now, in UTC, unless set). */
void        bb_report_set_generated_by     (BbReport     *self,
                                            const char   *display_name);
void        bb_report_set_generated_at     (BbReport     *self,
                                            const char   *iso);
/* Reads both periods' live records from @store, a page at a time, and
 * counts them. Deleted records never count. May be called again (a fresh
 * count). */
gboolean    bb_report_collect              (BbReport     *self,
                                            BbStore      *store,
                                            GCancellable *cancellable,
                                            GError      **error);

/* The period's bounds as ISO UTC times (to is exclusive). */
const char *bb_report_get_from_utc         (BbReport     *self);
const char *bb_report_get_to_utc           (BbReport     *self);
const char *bb_report_get_previous_from_utc (BbReport    *self);
/* The dates as given, and the previous period's local dates. */
const char *bb_report_get_from_date        (BbReport     *self);
const char *bb_report_get_to_date          (BbReport     *self);
const char *bb_report_get_previous_from_date (BbReport   *self);

/* (transfer none) (element-type BbReportItem): the section's items, in the
 * order the report shows them; NULL for an unknown section. */
GPtrArray  *bb_report_get_items            (BbReport     *self,
                                            const char   *section);
/* (transfer none) (nullable): one item. */
const BbReportItem *bb_report_find_item    (BbReport     *self,
                                            const char   *section,
                                            const char   *key);
/* (transfer none): the section's heading for people. */
const char *bb_report_section_get_title    (const char   *section);
/* (transfer none) (array zero-terminated=1): every section, in order. */
const char * const *bb_report_list_sections (void);

/* (transfer full) (nullable): the change from @previous to @current as
 * "-29.4%" / "+12.5%" / "0.0%" (one decimal), NULL when @previous is 0. */
char       *bb_report_format_change        (gint64        current,
                                            gint64        previous);

/* Output. Text for people; CSV as one table (section, item, current,
 * previous, change; CRLF lines, no BOM); PDF on A4 with a title page,
 * tables and bar charts. */
char       *bb_report_to_text              (BbReport     *self);
char       *bb_report_to_csv               (BbReport     *self);
gboolean    bb_report_write_text           (BbReport     *self,
                                            GOutputStream *out,
                                            GCancellable *cancellable,
                                            GError      **error);
gboolean    bb_report_write_csv            (BbReport     *self,
                                            GOutputStream *out,
                                            GCancellable *cancellable,
                                            GError      **error);
gboolean    bb_report_write_pdf            (BbReport     *self,
                                            GOutputStream *out,
                                            GCancellable *cancellable,
                                            GError      **error);

G_END_DECLS
