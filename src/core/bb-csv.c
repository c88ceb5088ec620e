/* bb-csv.c: CSV export that spreadsheets open (RFC 4180, UTF-8)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bb-csv.h"
#include "bb-i18n.h"
#include "bb-time.h"

#define CSV_EOL "\r\n"
#define CSV_BOM "\xEF\xBB\xBF"
/* Local times in cells: sortable, and read as a date by spreadsheets. */
#define CSV_TIME_FORMAT "%Y-%m-%d %H:%M"
/* Between the items of a list, and between the parts of one item. */
#define CSV_ITEM_SEPARATOR "; "
#define CSV_PART_SEPARATOR " "

static const char * const common_columns[] = {
  "id", "kind", "occurred_at", "occurred_at_utc", "ended_at", "priority",
  "ward", "place", "lat", "lon", "notes", "author", "review_state",
  "sync_state",
};

/* "-1.5", "+3", "12", "-29.4%": what a spreadsheet reads as a number. */
static gboolean
is_plain_number (const char *value)
{
  const char *p = value;
  gboolean digits = FALSE;

  if (*p == '+' || *p == '-')
    p++;
  while (g_ascii_isdigit (*p))
    p++, digits = TRUE;
  if (*p == '.')
    {
      p++;
      while (g_ascii_isdigit (*p))
        p++, digits = TRUE;
    }
  if (*p == '%')
    p++;

  return digits && *p == '\0';
}

static gboolean
needs_formula_guard (const char *value)
{
  switch (value[0])
    {
    case '=':
    case '@':
    case '\t':
    case '\r':
      return TRUE;
    case '+':
    case '-':
      return !is_plain_number (value);
    default:
      return FALSE;
    }
}

void
bb_csv_append_value (GString    *out,
                     const char *value)
{
  gboolean quote;

  g_return_if_fail (out != NULL);

  if (value == NULL || *value == '\0')
    return;

  quote = strpbrk (value, ",\"\r\n") != NULL;

  if (quote)
    g_string_append_c (out, '"');
  if (needs_formula_guard (value))
    g_string_append_c (out, '\'');

  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }

  if (quote)
    g_string_append_c (out, '"');
}

static void
collect_columns (GPtrArray         *columns,
                 const char        *prefix,
                 const BbFieldSpec *table)
{
  for (const BbFieldSpec *spec = table; spec != NULL && spec->name != NULL; spec++)
    {
      g_autofree char *name = prefix != NULL ? g_strdup_printf ("%s.%s", prefix, spec->name)
                                             : g_strdup (spec->name);

      if (spec->type == BB_FIELD_OBJECT)
        collect_columns (columns, name, spec->children);
      else
        g_ptr_array_add (columns, g_steal_pointer (&name));
    }
}

GStrv
bb_csv_dup_columns (const char *kind)
{
  const BbKindSpec *spec = bb_kind_lookup (kind);
  GPtrArray *columns;

  g_return_val_if_fail (spec != NULL, NULL);

  columns = g_ptr_array_new ();
  for (guint i = 0; i < G_N_ELEMENTS (common_columns); i++)
    g_ptr_array_add (columns, g_strdup (common_columns[i]));
  collect_columns (columns, NULL, spec->fields);
  g_ptr_array_add (columns, NULL);

  return (GStrv) g_ptr_array_free (columns, FALSE);
}

void
bb_csv_append_header (GString    *out,
                      const char *kind)
{
  g_auto(GStrv) columns = NULL;

  g_return_if_fail (out != NULL);
  g_return_if_fail (bb_kind_lookup (kind) != NULL);

  columns = bb_csv_dup_columns (kind);
  for (guint i = 0; columns[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      bb_csv_append_value (out, columns[i]);
    }
  g_string_append (out, CSV_EOL);
}

/* One row under construction. */
typedef struct
{
  GString   *out;
  BbProfile *profile;
  GTimeZone *zone;
  gboolean   first;
} Row;

static void
row_add (Row        *row,
         const char *value)
{
  if (!row->first)
    g_string_append_c (row->out, ',');
  row->first = FALSE;
  bb_csv_append_value (row->out, value);
}

static char *
dup_local_time (Row        *row,
                const char *iso)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (iso == NULL || *iso == '\0')
    return NULL;

  utc = bb_time_parse (iso);
  if (utc == NULL)
    return g_strdup (iso);
  local = g_date_time_to_timezone (utc, row->zone);

  return g_date_time_format (local, CSV_TIME_FORMAT);
}

static char *
dup_number (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  char *end;

  /* Always ".", whatever the locale, and no trailing zeros. */
  g_ascii_formatd (buffer, sizeof buffer, "%.7f", value);
  end = buffer + strlen (buffer);
  while (end > buffer && end[-1] == '0')
    *--end = '\0';
  if (end > buffer && end[-1] == '.')
    *--end = '\0';

  return g_strdup (buffer);
}

static const char *
choice_label (Row        *row,
              const char *list,
              const char *id)
{
  const char *label = bb_profile_get_choice_label (row->profile, list, id);

  /* An id the profile no longer has still tells the reader something. */
  return label != NULL ? label : id;
}

static char *dup_cell (Row               *row,
                       const BbFieldSpec *spec,
                       JsonNode          *node);

/* The parts of one object of a list, in table order, empty parts left out:
 * "AB12CDE Ford Focus blue". */
static void
append_object_parts (Row               *row,
                     GString           *text,
                     const BbFieldSpec *children,
                     JsonObject        *object)
{
  for (const BbFieldSpec *child = children; child != NULL && child->name != NULL; child++)
    {
      JsonNode *node = json_object_get_member (object, child->name);
      g_autofree char *part = NULL;

      if (node == NULL)
        continue;

      if (child->type == BB_FIELD_OBJECT && JSON_NODE_HOLDS_OBJECT (node))
        {
          append_object_parts (row, text, child->children, json_node_get_object (node));
          continue;
        }

      part = dup_cell (row, child, node);
      if (part == NULL || *part == '\0')
        continue;
      if (text->len > 0)
        g_string_append (text, CSV_PART_SEPARATOR);
      g_string_append (text, part);
    }
}

/* (transfer full) (nullable): the text of one cell. */
static char *
dup_cell (Row               *row,
          const BbFieldSpec *spec,
          JsonNode          *node)
{
  GType value_type;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      GString *text = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          g_autoptr(GString) item_text = g_string_new (NULL);

          if (spec->type == BB_FIELD_OBJECT_LIST && JSON_NODE_HOLDS_OBJECT (item))
            append_object_parts (row, item_text, spec->children, json_node_get_object (item));
          else if (JSON_NODE_HOLDS_VALUE (item) &&
                   json_node_get_value_type (item) == G_TYPE_STRING)
            g_string_append (item_text,
                             spec->type == BB_FIELD_CHOICE_LIST
                               ? choice_label (row, spec->choices, json_node_get_string (item))
                               : json_node_get_string (item));
          else
            {
              g_autofree char *raw = json_to_string (item, FALSE);

              g_string_append (item_text, raw);
            }

          if (item_text->len == 0)
            continue;
          if (text->len > 0)
            g_string_append (text, CSV_ITEM_SEPARATOR);
          g_string_append_len (text, item_text->str, item_text->len);
        }

      return g_string_free (text, FALSE);
    }

  if (!JSON_NODE_HOLDS_VALUE (node))
    {
      /* A stored record is validated; anything else is still shown, not
       * lost. */
      return json_to_string (node, FALSE);
    }

  value_type = json_node_get_value_type (node);

  switch (spec->type)
    {
    case BB_FIELD_BOOL:
      if (value_type == G_TYPE_BOOLEAN)
        /* Not translated: a column's values stay the same on every
         * device, like its name. */
        return g_strdup (json_node_get_boolean (node) ? "yes" : "no");
      break;

    case BB_FIELD_CHOICE:
      if (value_type == G_TYPE_STRING)
        return g_strdup (choice_label (row, spec->choices, json_node_get_string (node)));
      break;

    case BB_FIELD_TIME:
      if (value_type == G_TYPE_STRING)
        return dup_local_time (row, json_node_get_string (node));
      break;

    case BB_FIELD_NUMBER:
    case BB_FIELD_COUNT:
      if (value_type == G_TYPE_INT64)
        return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      if (value_type == G_TYPE_DOUBLE)
        return dup_number (json_node_get_double (node));
      break;

    case BB_FIELD_TEXT:
    case BB_FIELD_DATE:
    case BB_FIELD_VRM:
    case BB_FIELD_CHOICE_LIST:
    case BB_FIELD_TEXT_LIST:
    case BB_FIELD_ID_LIST:
    case BB_FIELD_OBJECT:
    case BB_FIELD_OBJECT_LIST:
    default:
      break;
    }

  if (value_type == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));

  return json_to_string (node, FALSE);
}

static void
row_add_fields (Row               *row,
                const BbFieldSpec *table,
                JsonObject        *fields)
{
  for (const BbFieldSpec *spec = table; spec != NULL && spec->name != NULL; spec++)
    {
      JsonNode *node = fields != NULL ? json_object_get_member (fields, spec->name) : NULL;

      if (spec->type == BB_FIELD_OBJECT)
        {
          /* Columns for every part, filled or not, so rows line up. */
          row_add_fields (row, spec->children,
                          node != NULL && JSON_NODE_HOLDS_OBJECT (node)
                            ? json_node_get_object (node) : NULL);
        }
      else
        {
          g_autofree char *cell = dup_cell (row, spec, node);

          row_add (row, cell);
        }
    }
}

static void
row_add_common (Row        *row,
                JsonObject *fields,
                const char *name)
{
  const BbFieldSpec *spec = bb_field_spec_find (bb_kind_common_fields (), name);
  g_autofree char *cell = NULL;

  g_assert (spec != NULL);
  if (fields != NULL)
    cell = dup_cell (row, spec, json_object_get_member (fields, name));
  row_add (row, cell);
}

void
bb_csv_append_record (GString   *out,
                      BbProfile *profile,
                      BbRecord  *record)
{
  const BbKindSpec *kind;
  JsonObject *fields;
  g_autoptr(GTimeZone) zone = NULL;
  g_autofree char *occurred = NULL;
  g_autofree char *priority = NULL;
  const char *author;
  Row row;

  g_return_if_fail (out != NULL);
  g_return_if_fail (BB_IS_PROFILE (profile));
  g_return_if_fail (BB_IS_RECORD (record));

  kind = bb_record_get_kind_spec (record);
  g_return_if_fail (kind != NULL);

  fields = bb_record_get_fields (record);
  zone = bb_time_zone_local (bb_profile_get_timezone (profile));
  row = (Row) { out, profile, zone, TRUE };

  row_add (&row, bb_record_get_id (record));
  row_add (&row, kind->id);
  occurred = dup_local_time (&row, bb_record_get_occurred_at (record));
  row_add (&row, occurred);
  row_add (&row, bb_record_get_occurred_at (record));

  row_add_common (&row, fields, "ended_at");
  priority = g_strdup_printf ("%d", bb_record_get_priority (record));
  row_add (&row, priority);
  row_add_common (&row, fields, "ward");
  row_add_common (&row, fields, "place");
  row_add_common (&row, fields, "lat");
  row_add_common (&row, fields, "lon");
  row_add_common (&row, fields, "notes");

  author = bb_record_get_author_name (record);
  if (author == NULL || *author == '\0')
    author = bb_record_get_author_id (record);
  row_add (&row, author);
  row_add (&row, bb_record_get_review_state (record));
  row_add (&row, bb_sync_state_to_string (bb_record_get_sync_state (record)));

  row_add_fields (&row, kind->fields, fields);

  g_string_append (out, CSV_EOL);
}

gboolean
bb_csv_write_header (GOutputStream  *out,
                     const char     *kind,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_autoptr(GString) text = NULL;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (bb_kind_lookup (kind) != NULL, FALSE);

  /* The BOM makes spreadsheet programs read the file as UTF-8 rather than
   * the system's legacy code page. */
  text = g_string_new (CSV_BOM);
  bb_csv_append_header (text, kind);

  return g_output_stream_write_all (out, text->str, text->len, NULL, cancellable, error);
}

gboolean
bb_csv_write_record (GOutputStream  *out,
                     BbProfile      *profile,
                     BbRecord       *record,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_autoptr(GString) text = NULL;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (BB_IS_PROFILE (profile), FALSE);
  g_return_val_if_fail (BB_IS_RECORD (record), FALSE);

  text = g_string_new (NULL);
  bb_csv_append_record (text, profile, record);

  return g_output_stream_write_all (out, text->str, text->len, NULL, cancellable, error);
}

gboolean
bb_csv_write_records (GOutputStream  *out,
                      BbProfile      *profile,
                      const char     *kind,
                      GPtrArray      *records,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (BB_IS_PROFILE (profile), FALSE);
  g_return_val_if_fail (bb_kind_lookup (kind) != NULL, FALSE);
  g_return_val_if_fail (records != NULL, FALSE);

  if (!bb_csv_write_header (out, kind, cancellable, error))
    return FALSE;

  for (guint i = 0; i < records->len; i++)
    {
      BbRecord *record = g_ptr_array_index (records, i);

      if (g_strcmp0 (bb_record_get_kind (record), kind) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("record %s is a %s, not a %s: one CSV file holds one kind"),
                       bb_record_get_id (record), bb_record_get_kind (record), kind);
          return FALSE;
        }

      if (!bb_csv_write_record (out, profile, record, cancellable, error))
        return FALSE;
    }

  return TRUE;
}

/* Reading */

struct _BbCsvReader
{
  GDataInputStream *in;
  guint             line;   /* lines read so far */
  gboolean          started;
};

BbCsvReader *
bb_csv_reader_new (GInputStream *in)
{
  BbCsvReader *reader;

  g_return_val_if_fail (G_IS_INPUT_STREAM (in), NULL);

  reader = g_new0 (BbCsvReader, 1);
  reader->in = g_data_input_stream_new (in);
  g_data_input_stream_set_newline_type (reader->in, G_DATA_STREAM_NEWLINE_TYPE_LF);
  return reader;
}

void
bb_csv_reader_free (BbCsvReader *reader)
{
  if (reader == NULL)
    return;

  g_clear_object (&reader->in);
  g_free (reader);
}

/* (transfer full) (nullable): the next line without its end of line. */
static char *
reader_read_line (BbCsvReader  *reader,
                  GError      **error)
{
  gsize length = 0;
  char *line = g_data_input_stream_read_line (reader->in, &length, NULL, error);

  if (line == NULL)
    return NULL;

  reader->line++;
  return line;
}

GStrv
bb_csv_reader_next (BbCsvReader  *reader,
                    guint        *line,
                    GError      **error)
{
  g_autoptr(GStrvBuilder) cells = NULL;
  g_autoptr(GString) cell = NULL;
  g_autofree char *text = NULL;
  GError *local_error = NULL;
  gboolean quoted = FALSE;
  const char *p;

  g_return_val_if_fail (reader != NULL, NULL);

  text = reader_read_line (reader, &local_error);
  if (text == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      return NULL;
    }
  if (line != NULL)
    *line = reader->line;

  p = text;
  if (!reader->started)
    {
      reader->started = TRUE;
      if (g_str_has_prefix (p, CSV_BOM))
        p += strlen (CSV_BOM);
    }

  cells = g_strv_builder_new ();
  cell = g_string_new (NULL);

  for (;;)
    {
      if (*p == '\0')
        {
          g_autofree char *next = NULL;

          if (!quoted)
            break;

          /* A line break inside quotes belongs to the cell. */
          next = reader_read_line (reader, &local_error);
          if (next == NULL)
            {
              if (local_error != NULL)
                g_propagate_error (error, local_error);
              else
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                             _("a quoted cell opened on line %u is never closed"),
                             line != NULL ? *line : reader->line);
              return NULL;
            }
          g_string_append_c (cell, '\n');
          g_free (text);
          text = g_steal_pointer (&next);
          p = text;
          continue;
        }

      if (quoted)
        {
          if (*p == '"' && p[1] == '"')
            {
              g_string_append_c (cell, '"');
              p += 2;
            }
          else if (*p == '"')
            {
              quoted = FALSE;
              p++;
            }
          else
            g_string_append_c (cell, *p++);
        }
      else if (*p == '"' && cell->len == 0)
        {
          quoted = TRUE;
          p++;
        }
      else if (*p == ',')
        {
          g_strv_builder_add (cells, cell->str);
          g_string_truncate (cell, 0);
          p++;
        }
      else if (*p == '\r' && p[1] == '\0')
        p++; /* CRLF: the line's end, not the cell's text */
      else
        g_string_append_c (cell, *p++);
    }

  g_strv_builder_add (cells, cell->str);
  return g_strv_builder_end (cells);
}

static void
add_problem (GPtrArray  *problems,
             const char *path,
             const char *code,
             char       *message)
{
  BbProblem *problem = g_new0 (BbProblem, 1);

  problem->path = g_strdup (path);
  problem->code = g_strdup (code);
  problem->message = message;
  problem->severity = BB_PROBLEM_ERROR;
  g_ptr_array_add (problems, problem);
}

/* The writer's guard against formulas, taken off again. */
static const char *
unguarded (const char *value)
{
  if (value[0] == '\'' && value[1] != '\0' && needs_formula_guard (value + 1))
    return value + 1;
  return value;
}

/* The id of a choice given by its label (as exported) or by its id. */
static const char *
choice_id (BbProfile  *profile,
           const char *list,
           const char *text)
{
  GPtrArray *choices = bb_profile_get_choices (profile, list);

  for (guint i = 0; choices != NULL && i < choices->len; i++)
    {
      BbChoice *choice = g_ptr_array_index (choices, i);

      if (g_strcmp0 (choice->label, text) == 0 || g_strcmp0 (choice->id, text) == 0)
        return choice->id;
    }

  return NULL;
}

/* (transfer full) (nullable): a local "2026-03-01 21:14" (or a UTC ISO time)
 * as UTC ISO. */
static char *
utc_from_cell (GTimeZone  *zone,
               const char *text)
{
  g_autoptr(GDateTime) parsed = bb_time_parse (text);
  int year, month, day, hour, minute;
  char end;

  if (parsed != NULL)
    return bb_time_format_iso (parsed);

  if (sscanf (text, "%4d-%2d-%2d %2d:%2d%c", &year, &month, &day, &hour, &minute, &end) == 5)
    {
      g_autoptr(GDateTime) local = g_date_time_new (zone, year, month, day, hour, minute, 0);
      g_autoptr(GDateTime) utc = NULL;

      if (local == NULL)
        return NULL;
      utc = g_date_time_to_utc (local);
      return bb_time_format_iso (utc);
    }

  return NULL;
}

/* Splits an exported list ("a; b; c"). */
static GStrv
split_list (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ";", -1);
  g_autoptr(GStrvBuilder) items = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_strv_builder_add (items, unguarded (parts[i]));
    }

  return g_strv_builder_end (items);
}

/* (transfer full) (nullable): the JSON value of one cell; a problem in
 * @problems when it can not be read. */
static JsonNode *
cell_to_node (BbProfile         *profile,
              GTimeZone         *zone,
              const BbFieldSpec *spec,
              const char        *column,
              const char        *text,
              GPtrArray         *problems)
{
  JsonNode *node = NULL;

  text = unguarded (text);

  switch (spec->type)
    {
    case BB_FIELD_TEXT:
    case BB_FIELD_DATE:
    case BB_FIELD_VRM:
      node = json_node_init_string (json_node_alloc (), text);
      break;

    case BB_FIELD_COUNT:
    case BB_FIELD_NUMBER:
      {
        char *end = NULL;
        gint64 whole = g_ascii_strtoll (text, &end, 10);

        if (end != text && *end == '\0')
          node = json_node_init_int (json_node_alloc (), whole);
        else if (spec->type == BB_FIELD_NUMBER)
          {
            double value = g_ascii_strtod (text, &end);

            if (end != text && *end == '\0')
              node = json_node_init_double (json_node_alloc (), value);
          }
        if (node == NULL)
          add_problem (problems, column, "invalid_type",
                       g_strdup_printf (_("“%s” is not a number"), text));
      }
      break;

    case BB_FIELD_BOOL:
      if (g_ascii_strcasecmp (text, "yes") == 0 || g_ascii_strcasecmp (text, "true") == 0)
        node = json_node_init_boolean (json_node_alloc (), TRUE);
      else if (g_ascii_strcasecmp (text, "no") == 0 || g_ascii_strcasecmp (text, "false") == 0)
        node = json_node_init_boolean (json_node_alloc (), FALSE);
      else
        add_problem (problems, column, "invalid_type",
                     g_strdup_printf (_("“%s” is not “yes” or “no”"), text));
      break;

    case BB_FIELD_TIME:
      {
        g_autofree char *utc = utc_from_cell (zone, text);

        if (utc != NULL)
          node = json_node_init_string (json_node_alloc (), utc);
        else
          add_problem (problems, column, "invalid_time",
                       g_strdup_printf (_("“%s” is not a time like “2026-03-01 21:14”"), text));
      }
      break;

    case BB_FIELD_CHOICE:
      {
        const char *id = choice_id (profile, spec->choices, text);

        if (id != NULL)
          node = json_node_init_string (json_node_alloc (), id);
        else
          add_problem (problems, column, "invalid_choice",
                       g_strdup_printf (_("“%s” is not one of the profile’s choices"), text));
      }
      break;

    case BB_FIELD_CHOICE_LIST:
    case BB_FIELD_TEXT_LIST:
    case BB_FIELD_ID_LIST:
      {
        g_auto(GStrv) items = split_list (text);
        g_autoptr(JsonArray) array = json_array_new ();

        for (guint i = 0; items[i] != NULL; i++)
          {
            const char *value = items[i];

            if (spec->type == BB_FIELD_CHOICE_LIST &&
                (value = choice_id (profile, spec->choices, items[i])) == NULL)
              {
                add_problem (problems, column, "invalid_choice",
                             g_strdup_printf (_("“%s” is not one of the profile’s choices"), items[i]));
                return NULL;
              }
            json_array_add_string_element (array, value);
          }
        node = json_node_init_array (json_node_alloc (), array);
      }
      break;

    case BB_FIELD_OBJECT:
    case BB_FIELD_OBJECT_LIST:
    default:
      add_problem (problems, column, "not_readable",
                   g_strdup (_("a list of several parts can not be read back from CSV: "
                               "import such records as JSON Lines")));
      break;
    }

  return node;
}

/* The spec of column @name ("vehicle.vrm") in @table; NULL if none. */
static const BbFieldSpec *
column_spec (const BbFieldSpec *table,
             const char        *name)
{
  g_auto(GStrv) parts = g_strsplit (name, ".", -1);
  const BbFieldSpec *spec = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      spec = table != NULL ? bb_field_spec_find (table, parts[i]) : NULL;
      if (spec == NULL)
        return NULL;
      table = spec->children;
    }

  return spec;
}

/* Sets @node at the dotted @name inside @fields, making the objects on the way. */
static void
set_at_path (JsonObject *fields,
             const char *name,
             JsonNode   *node)
{
  g_auto(GStrv) parts = g_strsplit (name, ".", -1);
  JsonObject *object = fields;
  guint n = g_strv_length (parts);

  for (guint i = 0; i + 1 < n; i++)
    {
      JsonNode *child = json_object_get_member (object, parts[i]);

      if (child == NULL || !JSON_NODE_HOLDS_OBJECT (child))
        {
          json_object_set_object_member (object, parts[i], json_object_new ());
          child = json_object_get_member (object, parts[i]);
        }
      object = json_node_get_object (child);
    }

  json_object_set_member (object, parts[n - 1], node);
}

void
bb_csv_read_record (BbProfile   *profile,
                    GStrv        header,
                    GStrv        row,
                    char       **kind,
                    char       **occurred_at,
                    int         *priority,
                    JsonObject **fields,
                    GPtrArray   *problems)
{
  g_autoptr(GTimeZone) zone = NULL;
  g_autofree char *local_occurred = NULL;
  const BbKindSpec *spec = NULL;
  guint n_header, n_row;

  g_return_if_fail (BB_IS_PROFILE (profile));
  g_return_if_fail (header != NULL && row != NULL);

  *kind = NULL;
  *occurred_at = NULL;
  *priority = 0;
  *fields = json_object_new ();
  zone = bb_time_zone_local (bb_profile_get_timezone (profile));

  n_header = g_strv_length (header);
  n_row = g_strv_length (row);
  if (n_row != n_header)
    add_problem (problems, "row", "invalid_row",
                 g_strdup_printf (_("the row has %u cells where the header has %u"),
                                  n_row, n_header));

  for (guint i = 0; i < n_header && i < n_row; i++)
    if (g_str_equal (header[i], "kind"))
      {
        *kind = g_strdup (row[i]);
        spec = bb_kind_lookup (row[i]);
      }

  if (spec == NULL)
    {
      add_problem (problems, "kind", "unknown_kind",
                   *kind != NULL && **kind != '\0'
                   ? g_strdup_printf (_("“%s” is not a kind of record"), *kind)
                   : g_strdup (_("the row names no kind (a “kind” column is needed)")));
      return;
    }

  for (guint i = 0; i < n_header && i < n_row; i++)
    {
      const char *column = header[i];
      const char *text = row[i];
      const BbFieldSpec *field;
      JsonNode *node;

      if (*text == '\0')
        continue;

      if (g_str_equal (column, "id") || g_str_equal (column, "kind") ||
          g_str_equal (column, "author") || g_str_equal (column, "review_state") ||
          g_str_equal (column, "sync_state"))
        continue;
      if (g_str_equal (column, "occurred_at"))
        {
          local_occurred = utc_from_cell (zone, text);
          if (local_occurred == NULL)
            add_problem (problems, column, "invalid_time",
                         g_strdup_printf (_("“%s” is not a time like “2026-03-01 21:14”"), text));
          continue;
        }
      if (g_str_equal (column, "occurred_at_utc"))
        {
          g_free (*occurred_at);
          *occurred_at = g_strdup (text);
          continue;
        }
      if (g_str_equal (column, "priority"))
        {
          char *end = NULL;
          gint64 value = g_ascii_strtoll (text, &end, 10);

          if (end == text || *end != '\0')
            add_problem (problems, column, "invalid_type",
                         g_strdup (_("must be a whole number from 1 to 4")));
          else
            *priority = (int) CLAMP (value, G_MININT, G_MAXINT);
          continue;
        }

      field = column_spec (bb_kind_common_fields (), column);
      if (field == NULL)
        field = column_spec (spec->fields, column);
      if (field == NULL)
        {
          add_problem (problems, column, "invalid_field",
                       g_strdup_printf (_("“%s” is not a column of a %s"), column,
                                        bb_kind_get_label (spec)));
          continue;
        }
      if (field->flags & BB_FIELD_FLAG_DERIVED)
        continue;

      node = cell_to_node (profile, zone, field, column, text, problems);
      if (node != NULL)
        set_at_path (*fields, column, node);
    }

  if (*occurred_at == NULL)
    *occurred_at = g_steal_pointer (&local_occurred);
}
