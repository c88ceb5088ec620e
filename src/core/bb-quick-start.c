/* bb-quick-start.c: start a record by what happened
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On patrol the officer knows what happened ("fly-tipping", "a car with
 * this mark"), not which form it belongs in. The window's quick-start search
 * turns a few typed letters into a kind and the fields it starts with. The
 * candidates are data: each kind the role may create, and the choices of
 * the kind's first required choice field (a patrol observation's category,
 * a walk's type, an event's type, a warning's offence), so a profile's own
 * categories are found without code. A word of the query matches the
 * beginning of a word, as the record list's search does.
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

#include <string.h>

#include "bb-i18n.h"
#include "bb-quick-start.h"
#include "bb-vrm.h"

/* Short names people use for a kind that its label does not contain. */
static const struct
{
  const char *kind;
  const char *words;
} kind_aliases[] = {
  { BB_KIND_S59_WARNING, "s59" },
  { BB_KIND_VAWG_WALK, "safety" },
};

/* Scores: a registration mark is the most specific thing one can type. */
#define SCORE_MARK       1000
#define SCORE_MARK_OTHER  999

typedef struct
{
  BbQuickStart *start;
  int           score;
  guint         order;
} Candidate;

void
bb_quick_start_free (BbQuickStart *start)
{
  if (start == NULL)
    return;

  g_free (start->title);
  g_free (start->subtitle);
  g_clear_pointer (&start->fields, json_object_unref);
  g_free (start);
}

static BbQuickStart *
quick_start_new (const BbKindSpec *kind,
                 const char       *title,
                 const char       *subtitle)
{
  BbQuickStart *start = g_new0 (BbQuickStart, 1);

  start->kind = kind;
  start->title = g_strdup (title);
  start->subtitle = g_strdup (subtitle);
  start->fields = json_object_new ();
  return start;
}

static const char *
kind_alias (const BbKindSpec *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_aliases); i++)
    if (g_strcmp0 (kind_aliases[i].kind, kind->id) == 0)
      return kind_aliases[i].words;
  return "";
}

/* The words of @text, folded (case, accents) for matching. */
static char **
fold_words (const char *text)
{
  return g_str_tokenize_and_fold (text != NULL ? text : "", NULL, NULL);
}

static gboolean
begins_a_word (char       **words,
               const char  *token)
{
  for (guint i = 0; words[i] != NULL; i++)
    if (g_str_has_prefix (words[i], token))
      return TRUE;
  return FALSE;
}

/* 0 when a token of @query begins no word of @primary or @secondary; else
 * 2 per token found in @primary, 1 per token found only in @secondary, and
 * 1 more when the first token begins @primary's first word. */
static int
score_words (char       **query,
             char       **primary,
             char       **secondary)
{
  int score = 0;

  for (guint i = 0; query[i] != NULL; i++)
    {
      if (begins_a_word (primary, query[i]))
        score += 2;
      else if (secondary != NULL && begins_a_word (secondary, query[i]))
        score += 1;
      else
        return 0;
    }

  if (query[0] != NULL && primary[0] != NULL && g_str_has_prefix (primary[0], query[0]))
    score += 1;
  return score;
}

/* The field a kind is told apart by: its first required choice field with
 * a profile list. NULL when it has none. */
static const BbFieldSpec *
leading_choice_field (const BbKindSpec *kind)
{
  for (const BbFieldSpec *field = kind->fields; field != NULL && field->name != NULL; field++)
    if (field->type == BB_FIELD_CHOICE && (field->flags & BB_FIELD_FLAG_REQUIRED) != 0 &&
        field->choices != NULL)
      return field;
  return NULL;
}

static gboolean
has_letter_and_digit (const char *text)
{
  gboolean letter = FALSE, digit = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      letter |= g_ascii_isalpha (*p);
      digit |= g_ascii_isdigit (*p);
    }
  return letter && digit;
}

/* The registration mark @text stands for, normalised, or NULL. "s59" and
 * "section 59" alone are the kind's name, not a mark; after them anything
 * with a letter and a digit is taken as the mark (foreign plates exist). */
static char *
find_mark (const char *text,
           gboolean   *explicit_s59)
{
  g_autofree char *folded = g_utf8_strdown (text, -1);
  const char *rest = g_strstrip (folded);
  g_autofree char *mark = NULL;

  *explicit_s59 = FALSE;
  if (g_str_has_prefix (rest, "s59 ") || g_str_has_prefix (rest, "section 59 "))
    {
      *explicit_s59 = TRUE;
      rest = strchr (rest, ' ') + 1;
      if (g_str_has_prefix (rest, "59 "))
        rest += 3;
    }

  mark = bb_vrm_normalise (rest);
  if (mark == NULL || *mark == '\0' || !has_letter_and_digit (mark))
    return NULL;
  if (g_strcmp0 (mark, "S59") == 0)
    return NULL;
  if (!*explicit_s59 && bb_vrm_recognise (mark) == BB_VRM_UNRECOGNISED)
    return NULL;
  /* Marks are letters and digits only: "fly 2" is a query, not a plate. */
  for (const char *p = mark; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p))
      return NULL;

  return g_steal_pointer (&mark);
}

static void
add_candidate (GPtrArray    *candidates,
               BbQuickStart *start,
               int           score)
{
  Candidate *candidate = g_new0 (Candidate, 1);

  candidate->start = start;
  candidate->score = score;
  candidate->order = candidates->len;
  g_ptr_array_add (candidates, candidate);
}

static int
compare_candidates (gconstpointer a,
                    gconstpointer b)
{
  const Candidate *ca = *(const Candidate **) a;
  const Candidate *cb = *(const Candidate **) b;

  if (ca->score != cb->score)
    return ca->score > cb->score ? -1 : 1;
  return ca->order < cb->order ? -1 : ca->order > cb->order;
}

static void
add_mark_candidates (GPtrArray   *candidates,
                     BbRole       role,
                     const char  *mark,
                     gboolean     explicit_s59)
{
  const BbKindSpec *s59 = bb_kind_lookup (BB_KIND_S59_WARNING);
  const BbKindSpec *patrol = bb_kind_lookup (BB_KIND_PATROL_OBSERVATION);
  g_autofree char *display = bb_vrm_format_display (mark);

  if (s59 != NULL && bb_kind_can_create (s59, role))
    {
      BbQuickStart *start = quick_start_new (s59, display, bb_kind_get_label (s59));
      JsonObject *vehicle = json_object_new ();

      json_object_set_string_member (vehicle, "vrm", mark);
      json_object_set_object_member (start->fields, "vehicle", vehicle);
      add_candidate (candidates, start, SCORE_MARK);
    }

  if (!explicit_s59 && patrol != NULL && bb_kind_can_create (patrol, role))
    {
      BbQuickStart *start = quick_start_new (patrol, display, bb_kind_get_label (patrol));
      JsonArray *vehicles = json_array_new ();
      JsonObject *vehicle = json_object_new ();

      json_object_set_string_member (vehicle, "vrm", mark);
      json_array_add_object_element (vehicles, vehicle);
      json_object_set_array_member (start->fields, "vehicles", vehicles);
      add_candidate (candidates, start, SCORE_MARK_OTHER);
    }
}

GPtrArray *
bb_quick_start_match (BbProfile  *profile,
                      BbRole      role,
                      const char *text)
{
  const BbKindSpec * const *kinds = bb_kind_all ();
  g_autoptr(GPtrArray) candidates = g_ptr_array_new ();
  g_auto(GStrv) query = fold_words (text);
  g_autofree char *mark = NULL;
  gboolean explicit_s59 = FALSE;
  GPtrArray *result;

  g_return_val_if_fail (profile == NULL || BB_IS_PROFILE (profile), NULL);

  if (text != NULL)
    mark = find_mark (text, &explicit_s59);
  if (mark != NULL)
    add_mark_candidates (candidates, role, mark, explicit_s59);

  for (guint k = 0; kinds[k] != NULL && mark == NULL; k++)
    {
      const BbKindSpec *kind = kinds[k];
      const BbFieldSpec *field = leading_choice_field (kind);
      g_autofree char *kind_text = NULL;
      g_auto(GStrv) kind_words = NULL;
      GPtrArray *choices;
      int score;

      if (!bb_kind_can_create (kind, role))
        continue;

      kind_text = g_strjoin (" ", bb_kind_get_label (kind), _(kind->plural_label),
                             kind_alias (kind), NULL);
      kind_words = fold_words (kind_text);

      if (query[0] == NULL)
        {
          add_candidate (candidates, quick_start_new (kind, bb_kind_get_label (kind), NULL), 1);
          continue;
        }

      score = score_words (query, kind_words, NULL);
      if (score > 0)
        add_candidate (candidates, quick_start_new (kind, bb_kind_get_label (kind), NULL), score);

      choices = field != NULL && profile != NULL ? bb_profile_get_choices (profile, field->choices) : NULL;
      for (guint i = 0; choices != NULL && i < choices->len; i++)
        {
          BbChoice *choice = g_ptr_array_index (choices, i);
          g_auto(GStrv) choice_words = fold_words (choice->label);
          BbQuickStart *start;

          score = score_words (query, choice_words, kind_words);
          if (score == 0)
            continue;

          start = quick_start_new (kind, choice->label, bb_kind_get_label (kind));
          json_object_set_string_member (start->fields, field->name, choice->id);
          add_candidate (candidates, start, score);
        }
    }

  g_ptr_array_sort (candidates, compare_candidates);

  result = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_quick_start_free);
  for (guint i = 0; i < candidates->len; i++)
    {
      Candidate *candidate = g_ptr_array_index (candidates, i);

      g_ptr_array_add (result, candidate->start);
      g_free (candidate);
    }
  return result;
}
