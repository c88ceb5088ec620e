/* bb-vrm.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-vrm"

#include "config.h"

#include <string.h>

#include "bb-i18n.h"
#include "bb-vrm.h"

/* A mark is read as runs of letters and digits: "AB12CDE" is 2 letters,
 * 2 digits, 3 letters. Every GB format is a fixed run pattern, so the runs
 * alone decide the format:
 *
 *   current          LL DD LLL          AB12 CDE
 *   prefix           L D{1,3} LLL       A123 BCD
 *   suffix           LLL D{1,3} L       ABC 123A
 *   Northern Ireland L{2,3} D{1,4}      ABZ 1234, with I or Z among the letters
 *   dateless         L{1,4} D{1,4} or D{1,4} L{1,4}, at most 7 characters
 *
 * Precedence: the three-run patterns cannot overlap each other or the
 * two-run ones. Two runs of letters then digits are Northern Ireland when
 * there are 2 or 3 letters and one of them is I or Z (Great Britain never
 * issued I or Z in its letter codes; they are the Northern Irish series),
 * otherwise dateless when the lengths fit, so ABC1234 is dateless and
 * ABZ1234 is Northern Irish. Anything else (foreign plates, trade plates
 * of other shapes, typing slips) is BB_VRM_UNRECOGNISED, which callers
 * accept with a warning: a mark is never refused. */

#define BB_VRM_MAX_LENGTH 7

typedef struct
{
  gboolean letters;
  guint    start;
  guint    length;
} BbVrmRun;

typedef struct
{
  BbVrmRun runs[BB_VRM_MAX_LENGTH];
  guint    n_runs;
} BbVrmShape;

/**
 * bb_vrm_normalise:
 * @vrm: (nullable): a registration mark as typed
 *
 * Returns: (transfer full) (nullable): @vrm in upper case without spaces or
 *   hyphens, the form marks are stored and matched in; %NULL for %NULL.
 */
char *
bb_vrm_normalise (const char *vrm)
{
  GString *out;

  if (vrm == NULL)
    return NULL;

  out = g_string_sized_new (strlen (vrm));
  for (const char *p = vrm; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p) || *p == '-')
        continue;
      g_string_append_c (out, g_ascii_toupper (*p));
    }
  return g_string_free (out, FALSE);
}

/* FALSE when @normal (already normalised) is empty, too long or holds
 * anything but A-Z and 0-9. */
static gboolean
split_runs (const char *normal,
            BbVrmShape *shape)
{
  size_t len = strlen (normal);

  shape->n_runs = 0;
  if (len == 0 || len > BB_VRM_MAX_LENGTH)
    return FALSE;

  for (guint i = 0; i < len; i++)
    {
      gboolean letter = g_ascii_isupper (normal[i]);

      if (!letter && !g_ascii_isdigit (normal[i]))
        return FALSE;
      if (shape->n_runs > 0 && shape->runs[shape->n_runs - 1].letters == letter)
        {
          shape->runs[shape->n_runs - 1].length++;
          continue;
        }
      shape->runs[shape->n_runs].letters = letter;
      shape->runs[shape->n_runs].start = i;
      shape->runs[shape->n_runs].length = 1;
      shape->n_runs++;
    }
  return TRUE;
}

static gboolean
run_has_i_or_z (const char     *normal,
                const BbVrmRun *run)
{
  for (guint i = run->start; i < run->start + run->length; i++)
    if (normal[i] == 'I' || normal[i] == 'Z')
      return TRUE;
  return FALSE;
}

static BbVrmFormat
recognise_normal (const char *normal,
                  BbVrmShape *shape)
{
  const BbVrmRun *r = shape->runs;

  if (!split_runs (normal, shape))
    return BB_VRM_UNRECOGNISED;

  if (shape->n_runs == 3 && r[0].letters)
    {
      if (r[0].length == 2 && r[1].length == 2 && r[2].length == 3)
        return BB_VRM_CURRENT;
      if (r[0].length == 1 && r[1].length <= 3 && r[2].length == 3)
        return BB_VRM_PREFIX;
      if (r[0].length == 3 && r[1].length <= 3 && r[2].length == 1)
        return BB_VRM_SUFFIX;
      return BB_VRM_UNRECOGNISED;
    }

  if (shape->n_runs != 2 || r[0].length > 4 || r[1].length > 4)
    return BB_VRM_UNRECOGNISED;

  if (r[0].letters && (r[0].length == 2 || r[0].length == 3)
      && run_has_i_or_z (normal, &r[0]))
    return BB_VRM_NORTHERN_IRELAND;

  /* split_runs() already limited the whole mark to seven characters. */
  return BB_VRM_DATELESS;
}

/**
 * bb_vrm_recognise:
 * @vrm: (nullable): a registration mark in any spelling
 *
 * Returns: the format of @vrm, or %BB_VRM_UNRECOGNISED (also for %NULL and
 *   the empty string).
 */
BbVrmFormat
bb_vrm_recognise (const char *vrm)
{
  g_autofree char *normal = bb_vrm_normalise (vrm);
  BbVrmShape shape;

  if (normal == NULL)
    return BB_VRM_UNRECOGNISED;
  return recognise_normal (normal, &shape);
}

/**
 * bb_vrm_format_label:
 * @format: a #BbVrmFormat
 *
 * Returns: (transfer none): a short, translated name of @format.
 */
const char *
bb_vrm_format_label (BbVrmFormat format)
{
  switch (format)
    {
    case BB_VRM_CURRENT:
      return _("current format");
    case BB_VRM_PREFIX:
      return _("prefix format");
    case BB_VRM_SUFFIX:
      return _("suffix format");
    case BB_VRM_DATELESS:
      return _("dateless format");
    case BB_VRM_NORTHERN_IRELAND:
      return _("Northern Ireland format");
    case BB_VRM_UNRECOGNISED:
    default:
      return _("unrecognised format");
    }
}

/**
 * bb_vrm_format_display:
 * @vrm: (nullable): a registration mark in any spelling
 *
 * Returns: (transfer full) (nullable): the mark with its conventional space
 *   ("AB12 CDE", "A123 BCD", "ABC 123A", "ABC 1234"); unrecognised marks
 *   come back normalised; %NULL for %NULL.
 */
char *
bb_vrm_format_display (const char *vrm)
{
  g_autofree char *normal = bb_vrm_normalise (vrm);
  BbVrmShape shape;
  guint split;

  if (normal == NULL)
    return NULL;

  switch (recognise_normal (normal, &shape))
    {
    case BB_VRM_CURRENT:
      /* The memory tag and age identifier go together: AB12 CDE. */
      split = 4;
      break;
    case BB_VRM_PREFIX:
      /* The age letter stays with the number: A123 BCD. */
      split = shape.runs[2].start;
      break;
    case BB_VRM_SUFFIX:
    case BB_VRM_DATELESS:
    case BB_VRM_NORTHERN_IRELAND:
      split = shape.runs[1].start;
      break;
    case BB_VRM_UNRECOGNISED:
    default:
      return g_steal_pointer (&normal);
    }

  return g_strdup_printf ("%.*s %s", (int) split, normal, normal + split);
}
