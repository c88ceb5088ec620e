/* bb-profile.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

#include "bb-profile.h"
