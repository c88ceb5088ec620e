/* bb-i18n.h: gettext for libbeatbook and the programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gi18n-lib.h>

G_BEGIN_DECLS

/* Binds the text domain and sets the locale from the environment.
 * Every program calls it first in main(). */
void bb_i18n_init (void);

G_END_DECLS
