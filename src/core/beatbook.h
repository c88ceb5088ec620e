/* beatbook.h: everything libbeatbook offers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bb-client.h"
#include "bb-csv.h"
#include "bb-geo.h"
#include "bb-evidence.h"
#include "bb-i18n.h"
#include "bb-json-check.h"
#include "bb-json-span.h"
#include "bb-kind.h"
#include "bb-lookup.h"
#include "bb-profile.h"
#include "bb-quick-start.h"
#include "bb-record.h"
#include "bb-report.h"
#include "bb-secret.h"
#include "bb-session.h"
#include "bb-store.h"
#include "bb-sync.h"
#include "bb-sync-engine.h"
#include "bb-time.h"
#include "bb-validate.h"
#include "bb-vrm.h"
