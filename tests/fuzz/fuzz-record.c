/* fuzz-record.c: the record decoder and validator against any bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The bytes go the way a pushed change or a pulled record goes: the text
 * check, json-glib, the change validator, the record decoder and its
 * encoder.
 */
#include "config.h"

#include <stdint.h>

#include "beatbook.h"

static BbProfile *profile;

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;

  g_log_set_always_fatal (G_LOG_LEVEL_ERROR);
  profile = bb_profile_load_default (&error);
  if (profile == NULL)
    g_error ("no profile: %s", error->message);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 3, 2, 12, 0, 0);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(BbRecord) record = NULL;
  JsonNode *root;

  if (!g_utf8_validate_len ((const char *) data, size, NULL) ||
      !bb_json_check_text ((const char *) data, size, 32, NULL) ||
      !json_parser_load_from_data (parser, (const char *) data, (gssize) size, NULL))
    return 0;
  root = json_parser_get_root (parser);
  if (root == NULL)
    return 0;

  problems = bb_validate_change (profile, root, now);
  g_free (bb_problems_to_string (problems));

  record = bb_record_new_from_json (root, NULL);
  if (record != NULL)
    {
      g_autoptr(JsonNode) again = bb_record_to_json (record, TRUE);
      g_autoptr(BbRecord) copy = bb_record_new_from_json (again, NULL);

      /* What the encoder writes, the decoder reads. */
      if (copy == NULL)
        g_error ("a record written by bb_record_to_json() does not read back");
    }
  return 0;
}
