/* fuzz-vrm.c: the registration-mark parser against any text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "beatbook.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *normal = NULL;
  g_autofree char *again = NULL;
  g_autofree char *display = NULL;

  if (!g_utf8_validate (text, -1, NULL))
    return 0;

  normal = bb_vrm_normalise (text);
  (void) bb_vrm_format_label (bb_vrm_recognise (text));
  display = bb_vrm_format_display (text);
  if (normal != NULL)
    {
      /* Normalising is idempotent, and the mark is recognised the same. */
      again = bb_vrm_normalise (normal);
      if (g_strcmp0 (again, normal) != 0)
        g_error ("normalising “%s” gave “%s”, then “%s”", text, normal, again);
      if (bb_vrm_recognise (normal) != bb_vrm_recognise (text))
        g_error ("“%s” and its normal form “%s” are recognised differently", text, normal);
    }
  return 0;
}
