/* bb-typing.c: keys typed before an entry can take them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include "bb-typing.h"

/* Does to @editable what the key would have done had it reached it: a
 * printable character goes on the end, Backspace takes the last one off.
 * Returns FALSE for any other key, which is left to its handler. */
gboolean
bb_editable_type_key (GtkEditable *editable,
                      guint        keyval)
{
  int length;
  gunichar c;

  g_return_val_if_fail (GTK_IS_EDITABLE (editable), FALSE);

  length = (int) g_utf8_strlen (gtk_editable_get_text (editable), -1);

  if (keyval == GDK_KEY_BackSpace)
    {
      if (length > 0)
        gtk_editable_delete_text (editable, length - 1, length);
      return TRUE;
    }

  c = gdk_keyval_to_unicode (keyval);
  if (c == 0 || !g_unichar_isprint (c))
    return FALSE;

  {
    char utf8[8] = { 0 };

    g_unichar_to_utf8 (c, utf8);
    gtk_editable_insert_text (editable, utf8, -1, &length);
    gtk_editable_set_position (editable, length);
  }
  return TRUE;
}
