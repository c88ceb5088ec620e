/* csv-reader.h: a tiny RFC 4180 reader, so tests read the CSV back the way
 * a spreadsheet would rather than comparing it to a copy of the writer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

/* (transfer full) (element-type GPtrArray<char*>): the rows of @text. Rows
 * must end in CRLF; a bare CR or LF is allowed only inside quotes. NULL and
 * @error set on anything a strict reader refuses. A leading UTF-8 BOM is
 * skipped. */
static inline GPtrArray *
test_csv_parse (const char  *text,
                GError     **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) row = NULL;
  g_autoptr(GString) cell = NULL;
  const char *p = text;
  guint line = 1;

  if (g_str_has_prefix (p, "\xEF\xBB\xBF"))
    p += 3;

  while (*p != '\0')
    {
      gboolean quoted = FALSE;

      if (row == NULL)
        row = g_ptr_array_new_with_free_func (g_free);
      cell = g_string_new (NULL);

      if (*p == '"')
        {
          quoted = TRUE;
          p++;
          for (;;)
            {
              if (*p == '\0')
                {
                  g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
                               "line %u: quoted cell never closed", line);
                  return NULL;
                }
              if (*p == '"' && p[1] == '"')
                {
                  g_string_append_c (cell, '"');
                  p += 2;
                }
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                {
                  if (*p == '\n')
                    line++;
                  g_string_append_c (cell, *p++);
                }
            }
        }
      else
        {
          while (*p != '\0' && *p != ',' && *p != '\r' && *p != '\n')
            {
              if (*p == '"')
                {
                  g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
                               "line %u: quote inside an unquoted cell", line);
                  return NULL;
                }
              g_string_append_c (cell, *p++);
            }
        }

      g_ptr_array_add (row, g_string_free (g_steal_pointer (&cell), FALSE));

      if (*p == ',')
        {
          p++;
          continue;
        }
      if (p[0] == '\r' && p[1] == '\n')
        {
          p += 2;
          line++;
          g_ptr_array_add (rows, g_steal_pointer (&row));
          continue;
        }

      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
                   "line %u: %s after a %s cell", line,
                   *p == '\0' ? "end of text without CRLF" : "stray character",
                   quoted ? "quoted" : "plain");
      return NULL;
    }

  return g_steal_pointer (&rows);
}

/* The index of @name in the header row, or -1. */
static inline int
test_csv_column (GPtrArray  *header,
                 const char *name)
{
  for (guint i = 0; i < header->len; i++)
    if (g_strcmp0 (g_ptr_array_index (header, i), name) == 0)
      return (int) i;

  return -1;
}
