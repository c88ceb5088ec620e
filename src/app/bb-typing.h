/* bb-typing.h: keys typed before an entry can take them
 *
 * GTK gives no key events to an entry that is not mapped yet: a search bar
 * sliding in, a picker's popover on its way. Whoever has the keys meanwhile
 * (the window, the picker's button) hands them on with this, so quick
 * typing loses nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean bb_editable_type_key (GtkEditable *editable,
                               guint        keyval);

G_END_DECLS
