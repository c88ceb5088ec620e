/* cli-ward.c: the ward command (which ward of the profile holds a point)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-cli"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cli-private.h"

/* A coordinate typed by a person: a plain decimal number with nothing
 * after it. "51,44" or "51.4N" is refused rather than read as 51. */
static gboolean
parse_degrees (const char *text,
               double      min,
               double      max,
               double     *out)
{
  char *end = NULL;
  double value;

  if (text == NULL || *text == '\0')
    return FALSE;
  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (value) || value < min || value > max)
    return FALSE;
  *out = value;
  return TRUE;
}

static gboolean
looks_like_number (const char *text)
{
  double ignored;

  return parse_degrees (text, -G_MAXDOUBLE, G_MAXDOUBLE, &ignored);
}

int
bb_cli_cmd_ward (BbCli  *cli,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BbProfile) profile = NULL;
  g_autoptr(GPtrArray) numbers = g_ptr_array_new ();
  g_autoptr(GPtrArray) rest = g_ptr_array_new ();
  g_auto(GStrv) rest_argv = NULL;
  int rest_argc;
  double lat, lon;
  const char *ward;

  context = bb_cli_option_context_new (cli, argv[0], _("LAT LON"),
                                       _("Name the ward of the profile whose boundary holds a point\n"
                                         "(WGS84 degrees, latitude first, a “.” for the decimal point)."),
                                       _("Prints the ward’s id and label. The profile is $BEATBOOK_PROFILE,\n"
                                         "else the built-in one; it needs “ward_boundaries”.\n"
                                         "Exit status 1: the point is outside every ward of the profile;\n"
                                         "2: not two numbers, or the profile has no ward boundaries."),
                                       NULL);

  /* "-0.5" would read as an option: numbers are set aside before the
   * options are parsed, so a point west of Greenwich needs no "--". */
  g_ptr_array_add (rest, argv[0]);
  for (int i = 1; i < argc; i++)
    g_ptr_array_add (looks_like_number (argv[i]) ? numbers : rest, argv[i]);
  rest_argc = rest->len;
  rest_argv = g_new0 (char *, rest->len + 1);
  for (guint i = 0; i < rest->len; i++)
    rest_argv[i] = g_strdup (g_ptr_array_index (rest, i));
  {
    char **parse_argv = rest_argv;

    if (!bb_cli_parse (context, argv[0], &rest_argc, &parse_argv))
      return BB_CLI_EXIT_USAGE;
    if (rest_argc > 1)
      return bb_cli_usage_error (context, argv[0],
                                 _("“%s” is not a number of degrees (write 51.4462, not 51,4462 or 51.4462N)."),
                                 parse_argv[1]);
  }

  if (numbers->len != 2)
    return bb_cli_usage_error (context, argv[0], "%s",
                               _("give a latitude and a longitude, such as “51.4462 0.2180”."));
  if (!parse_degrees (g_ptr_array_index (numbers, 0), -90.0, 90.0, &lat))
    return bb_cli_usage_error (context, argv[0],
                               _("the latitude must be from -90 to 90, not %s."),
                               (const char *) g_ptr_array_index (numbers, 0));
  if (!parse_degrees (g_ptr_array_index (numbers, 1), -180.0, 180.0, &lon))
    return bb_cli_usage_error (context, argv[0],
                               _("the longitude must be from -180 to 180, not %s."),
                               (const char *) g_ptr_array_index (numbers, 1));

  profile = bb_profile_load_default (&error);
  if (profile == NULL)
    {
      bb_cli_error ("%s", error->message);
      return BB_CLI_EXIT_INVALID;
    }
  if (bb_profile_get_ward_boundaries (profile) == NULL)
    {
      bb_cli_error (_("the profile “%s” has no ward boundaries (“ward_boundaries”), "
                      "so no ward can be found from a point."),
                    bb_profile_get_id (profile));
      return BB_CLI_EXIT_USAGE;
    }

  ward = bb_profile_find_ward (profile, lat, lon);
  if (ward == NULL)
    {
      bb_cli_error ("%s", _("outside every ward of the profile"));
      return BB_CLI_EXIT_INVALID;
    }

  g_print ("%s\t%s\n", ward, bb_profile_get_choice_label (profile, "wards", ward));
  return BB_CLI_EXIT_OK;
}
