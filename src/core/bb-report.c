/* bb-report.c: the partnership's figures for a period
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook"
#include "config.h"

#include "bb-report.h"

G_DEFINE_QUARK (bb-report-error-quark, bb_report_error)
