/* fuzz-profile.c: the partnership profile loader against any bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "beatbook.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbProfile) profile = bb_profile_new_from_data ((const char *) data, (gssize) size,
                                                           "fuzz.json", &error);

  if (profile == NULL)
    {
      /* A refused profile says why. */
      if (error == NULL || error->message == NULL || *error->message == '\0')
        g_error ("a profile was refused without a message");
      return 0;
    }

  /* A loaded profile answers every question a device asks of it. */
  (void) bb_profile_get_id (profile);
  (void) bb_profile_get_s59_window_days (profile);
  (void) bb_profile_get_device_personal_data_days (profile);
  for (guint i = 0; i < 4; i++)
    {
      static const char * const kinds[] = { "vawg_walk", "patrol_observation", "s59_warning", "engagement_event" };
      (void) bb_profile_get_retention_days (profile, kinds[i]);
    }
  {
    g_autoptr(JsonNode) json = bb_profile_to_json (profile);
  }
  return 0;
}
