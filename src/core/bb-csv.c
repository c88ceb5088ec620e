/* bb-csv.c: CSV export that spreadsheets open (RFC 4180, UTF-8)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

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
