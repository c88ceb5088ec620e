/* bb-json-span.c: where values lie in JSON text, to use the bytes received
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server hashes each change of a push, and stores its fields, from the
 * bytes the device sent instead of writing them out again from the parsed
 * tree. These functions find those bytes. They are strict: anything that
 * is not RFC 8259 JSON (json-glib also takes comments and other liberties)
 * makes them give up, and the caller uses the tree as before; the caller
 * also checks that they found as many values as the parser did.
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

#include <string.h>

#include "bb-json-span.h"

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static gsize
skip_space (const char *data,
            gsize       length,
            gsize       i)
{
  while (i < length && is_space (data[i]))
    i++;
  return i;
}

/* @i at the opening quote: the index after the closing one, or 0. Sets
 * @escaped when the string holds a backslash. */
static gsize
skip_string (const char *data,
             gsize       length,
             gsize       i,
             gboolean   *escaped)
{
  for (i++; i < length; i++)
    {
      unsigned char c = (unsigned char) data[i];

      if (c > '\\')
        continue;
      if (c == '"')
        return i + 1;
      if (c < 0x20)
        return 0;
      if (c == '\\')
        {
          if (escaped != NULL)
            *escaped = TRUE;
          if (++i >= length || strchr ("\"\\/bfnrtu", data[i]) == NULL)
            return 0;
        }
    }
  return 0;
}

static gsize
skip_digits (const char *data,
             gsize       length,
             gsize       i)
{
  while (i < length && g_ascii_isdigit (data[i]))
    i++;
  return i;
}

/* A number or a literal at @i: the index after it, or 0. */
static gsize
skip_scalar (const char *data,
             gsize       length,
             gsize       i)
{
  static const char * const literals[] = { "true", "false", "null" };
  gsize start;

  for (guint k = 0; k < G_N_ELEMENTS (literals); k++)
    {
      gsize n = strlen (literals[k]);

      if (length - i >= n && memcmp (data + i, literals[k], n) == 0)
        return i + n;
    }

  if (i < length && data[i] == '-')
    i++;
  if (i >= length || !g_ascii_isdigit (data[i]))
    return 0;
  if (data[i] == '0')
    i++;
  else
    i = skip_digits (data, length, i);
  if (i < length && data[i] == '.')
    {
      start = ++i;
      if ((i = skip_digits (data, length, i)) == start)
        return 0;
    }
  if (i < length && (data[i] == 'e' || data[i] == 'E'))
    {
      i++;
      if (i < length && (data[i] == '+' || data[i] == '-'))
        i++;
      start = i;
      if ((i = skip_digits (data, length, i)) == start)
        return 0;
    }
  return i;
}

/* Deeper than this, the caller falls back to the parsed tree (the server
 * refuses bodies nested deeper anyway). */
#define MAX_DEPTH 64

typedef struct
{
  char  str[MAX_DEPTH];
  guint len;
} Brackets;

static gboolean
push_open (Brackets *open,
           char      c)
{
  if (open->len >= MAX_DEPTH)
    return FALSE;
  open->str[open->len++] = c;
  return TRUE;
}

/* Whether @c closes the innermost of @open. */
static gboolean
pop_close (Brackets *open,
           char      c)
{
  if (open->len == 0 || c != (open->str[open->len - 1] == '{' ? '}' : ']'))
    return FALSE;
  open->len--;
  return TRUE;
}

/* The value at @i (no space before it): the index after it, or 0. Nesting
 * is followed with a stack of brackets, not recursion. */
static gsize
skip_value (const char *data,
            gsize       length,
            gsize       i)
{
  Brackets open = { { 0 }, 0 };

  for (;;)
    {
      char c;

      /* A value. */
      i = skip_space (data, length, i);
      if (i >= length)
        return 0;
      c = data[i];
      if (c == '{' || c == '[')
        {
          if (!push_open (&open, c))
            return 0;
          i = skip_space (data, length, i + 1);
          if (i < length && data[i] == (c == '{' ? '}' : ']'))
            {
              pop_close (&open, data[i]);
              i++;
            }
          else if (c == '{')
            {
              /* The first member's name. */
              if (i >= length || data[i] != '"' || (i = skip_string (data, length, i, NULL)) == 0)
                return 0;
              i = skip_space (data, length, i);
              if (i >= length || data[i] != ':')
                return 0;
              i++;
              continue;
            }
          else
            continue;
        }
      else if (c == '"')
        i = skip_string (data, length, i, NULL);
      else
        i = skip_scalar (data, length, i);
      if (i == 0)
        return 0;

      /* After a value: the end, a comma (then the next member's name in
       * an object), or closing brackets. */
      for (;;)
        {
          if (open.len == 0)
            return i;
          i = skip_space (data, length, i);
          if (i >= length)
            return 0;
          if (data[i] == ',')
            {
              i = skip_space (data, length, i + 1);
              if (open.str[open.len - 1] == '{')
                {
                  if (i >= length || data[i] != '"' || (i = skip_string (data, length, i, NULL)) == 0)
                    return 0;
                  i = skip_space (data, length, i);
                  if (i >= length || data[i] != ':')
                    return 0;
                  i++;
                }
              break;
            }
          if (!pop_close (&open, data[i]))
            return 0;
          i++;
        }
    }
}

gboolean
bb_json_find_member (const char *data,
                     gsize       length,
                     const char *name,
                     BbJsonSpan *span)
{
  gsize name_length;
  gsize i;
  gboolean found = FALSE;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (name != NULL && span != NULL, FALSE);

  name_length = strlen (name);
  i = skip_space (data, length, 0);
  if (i >= length || data[i] != '{')
    return FALSE;
  i = skip_space (data, length, i + 1);
  if (i < length && data[i] == '}')
    return FALSE;

  for (;;)
    {
      gboolean escaped = FALSE;
      gsize name_start, name_end, value_end;

      if (i >= length || data[i] != '"')
        return FALSE;
      name_start = i + 1;
      if ((i = skip_string (data, length, i, &escaped)) == 0 || escaped)
        return FALSE;
      name_end = i - 1;
      i = skip_space (data, length, i);
      if (i >= length || data[i] != ':')
        return FALSE;
      i = skip_space (data, length, i + 1);
      if ((value_end = skip_value (data, length, i)) == 0)
        return FALSE;

      if (name_end - name_start == name_length &&
          memcmp (data + name_start, name, name_length) == 0)
        {
          if (found)
            return FALSE;
          found = TRUE;
          span->offset = i;
          span->length = value_end - i;
        }

      i = skip_space (data, length, value_end);
      if (i < length && data[i] == ',')
        {
          i = skip_space (data, length, i + 1);
          continue;
        }
      if (i < length && data[i] == '}')
        return found && skip_space (data, length, i + 1) == length;
      return FALSE;
    }
}

GArray *
bb_json_array_elements (const char *data,
                        gsize       length)
{
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (BbJsonSpan));
  gsize i;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  i = skip_space (data, length, 0);
  if (i >= length || data[i] != '[')
    return NULL;
  i = skip_space (data, length, i + 1);
  if (i < length && data[i] == ']')
    return skip_space (data, length, i + 1) == length ? g_steal_pointer (&spans) : NULL;

  for (;;)
    {
      BbJsonSpan span = { i, 0 };
      gsize end = skip_value (data, length, i);

      if (end == 0)
        return NULL;
      span.length = end - i;
      g_array_append_val (spans, span);

      i = skip_space (data, length, end);
      if (i < length && data[i] == ',')
        {
          i = skip_space (data, length, i + 1);
          continue;
        }
      if (i < length && data[i] == ']')
        return skip_space (data, length, i + 1) == length ? g_steal_pointer (&spans) : NULL;
      return NULL;
    }
}

gboolean
bb_json_is_container (const char *data,
                      gsize       length,
                      char        open)
{
  gsize i, end;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  i = skip_space (data, length, 0);
  if (i >= length || data[i] != open)
    return FALSE;
  end = skip_value (data, length, i);
  return end != 0 && skip_space (data, length, end) == length;
}

void
bb_json_foreach_compact_run (const char *data,
                             gsize       length,
                             void      (*emit) (gpointer, const char *, gsize),
                             gpointer    user_data)
{
  gsize run = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (is_space (c))
        {
          if (i > run)
            emit (user_data, data + run, i - run);
          run = i + 1;
        }
    }
  if (length > run)
    emit (user_data, data + run, length - run);
}

static void
emit_checksum (gpointer    user_data,
               const char *bytes,
               gsize       n)
{
  g_checksum_update (user_data, (const guchar *) bytes, (gssize) n);
}

static void
emit_string (gpointer    user_data,
             const char *bytes,
             gsize       n)
{
  g_string_append_len (user_data, bytes, (gssize) n);
}

void
bb_json_checksum_compact (GChecksum  *checksum,
                          const char *data,
                          gsize       length)
{
  g_return_if_fail (checksum != NULL);
  g_return_if_fail (data != NULL || length == 0);

  bb_json_foreach_compact_run (data, length, emit_checksum, checksum);
}

char *
bb_json_compact (const char *data,
                 gsize       length)
{
  GString *text;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  text = g_string_sized_new (length + 1);
  bb_json_foreach_compact_run (data, length, emit_string, text);
  return g_string_free (text, FALSE);
}
