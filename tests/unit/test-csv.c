/* test-csv.c: the CSV writer, read back with a strict RFC 4180 reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

#include <string.h>

#include "beatbook.h"
#include "../cli/csv-reader.h"

static char *
csv_value (const char *value)
{
  GString *out = g_string_new (NULL);

  bb_csv_append_value (out, value);
  return g_string_free (out, FALSE);
}

static void
assert_value (const char *value,
              const char *expected)
{
  g_autofree char *got = csv_value (value);

  g_assert_cmpstr (got, ==, expected);
}

static BbProfile *
load_profile (void)
{
  g_autoptr(GError) error = NULL;
  BbProfile *profile = bb_profile_load_default (&error);

  g_assert_no_error (error);
  g_assert_nonnull (profile);
  return profile;
}

static BbRecord *
record_from_json (const char *kind,
                  const char *occurred_at,
                  const char *fields_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (fields_json, &error);
  BbRecord *record;

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));

  record = bb_record_new (kind);
  bb_record_set_occurred_at (record, occurred_at);
  bb_record_set_fields (record, json_node_get_object (node));
  bb_record_set_author (record, "7d0ac1a4-3f0e-4b55-9bd8-4c1a8a0f6b11", "PCSO 4521", "officer");
  return record;
}

/* One record's row, read back as cells, keyed by the header. */
typedef struct
{
  GPtrArray *rows;
  GPtrArray *header;
  GPtrArray *row;
} Sheet;

static void
sheet_clear (Sheet *sheet)
{
  g_clear_pointer (&sheet->rows, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Sheet, sheet_clear)

static void
sheet_load (Sheet      *sheet,
            BbProfile  *profile,
            BbRecord   *record)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  bb_csv_append_header (text, bb_record_get_kind (record));
  bb_csv_append_record (text, profile, record);

  sheet->rows = test_csv_parse (text->str, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sheet->rows->len, ==, 2);
  sheet->header = g_ptr_array_index (sheet->rows, 0);
  sheet->row = g_ptr_array_index (sheet->rows, 1);
  g_assert_cmpuint (sheet->row->len, ==, sheet->header->len);
}

static const char *
sheet_cell (Sheet      *sheet,
            const char *column)
{
  int i = test_csv_column (sheet->header, column);

  if (i < 0)
    g_error ("no column %s", column);
  return g_ptr_array_index (sheet->row, i);
}

static void
test_quotes_commas_quotes_and_newlines (void)
{
  assert_value ("plain", "plain");
  assert_value ("Joyce Green Lane, by the gate", "\"Joyce Green Lane, by the gate\"");
  assert_value ("a \"big\" pile", "\"a \"\"big\"\" pile\"");
  assert_value ("line one\nline two", "\"line one\nline two\"");
  assert_value ("line one\r\nline two", "\"line one\r\nline two\"");
  assert_value ("\"", "\"\"\"\"");
  assert_value ("", "");
  assert_value (NULL, "");
}

static void
test_keeps_utf8_text_as_is (void)
{
  assert_value ("Zażółć gęślą jaźń", "Zażółć gęślą jaźń");
  assert_value ("café", "café");
  assert_value ("café, bar", "\"café, bar\"");
  assert_value ("Driver’s name", "Driver’s name");
}

static void
test_guards_against_formula_injection (void)
{
  assert_value ("=HYPERLINK(\"http://example.invalid\")",
                "\"'=HYPERLINK(\"\"http://example.invalid\"\")\"");
  assert_value ("=1+1", "'=1+1");
  assert_value ("+44 1322 000000", "'+44 1322 000000");
  assert_value ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0");
  assert_value ("@SUM(A1:A9)", "'@SUM(A1:A9)");
  assert_value ("\tTAB", "'\tTAB");
  assert_value ("=a,b", "\"'=a,b\"");
  /* Plain numbers are what a spreadsheet reads as numbers: nothing runs. */
  assert_value ("-1.5", "-1.5");
  assert_value ("+3", "+3");
  assert_value ("-0.0123", "-0.0123");
  assert_value ("-29.4%", "-29.4%");
  assert_value ("12", "12");
  /* Only the start of a cell matters. */
  assert_value ("a=b", "a=b");
  assert_value ("-", "'-");
  assert_value ("-.", "'-.");
}

static void
test_header_columns_per_kind (void)
{
  const char *common[] = {
    "id", "kind", "occurred_at", "occurred_at_utc", "ended_at", "priority",
    "ward", "place", "lat", "lon", "notes", "author", "review_state", "sync_state",
  };
  const BbKindSpec * const *kinds = bb_kind_all ();

  for (guint k = 0; kinds[k] != NULL; k++)
    {
      g_auto(GStrv) columns = bb_csv_dup_columns (kinds[k]->id);
      g_autoptr(GString) header = g_string_new (NULL);
      g_autofree char *joined = NULL;

      g_assert_cmpuint (g_strv_length (columns), >, G_N_ELEMENTS (common));
      for (guint i = 0; i < G_N_ELEMENTS (common); i++)
        g_assert_cmpstr (columns[i], ==, common[i]);

      bb_csv_append_header (header, kinds[k]->id);
      joined = g_strjoinv (",", columns);
      g_assert_true (g_str_has_suffix (header->str, "\r\n"));
      g_string_truncate (header, header->len - 2);
      g_assert_cmpstr (header->str, ==, joined);

      /* Every top-level field is there, itself or as its parts. */
      for (const BbFieldSpec *f = kinds[k]->fields; f->name != NULL; f++)
        {
          if (f->type == BB_FIELD_OBJECT)
            {
              g_autofree char *first = g_strdup_printf ("%s.%s", f->name, f->children[0].name);

              g_assert_true (g_strv_contains ((const char * const *) columns, first));
              g_assert_false (g_strv_contains ((const char * const *) columns, f->name));
            }
          else
            g_assert_true (g_strv_contains ((const char * const *) columns, f->name));
        }
    }

  {
    g_auto(GStrv) s59 = bb_csv_dup_columns (BB_KIND_S59_WARNING);
    g_auto(GStrv) patrol = bb_csv_dup_columns (BB_KIND_PATROL_OBSERVATION);

    g_assert_true (g_strv_contains ((const char * const *) s59, "vehicle.vrm"));
    g_assert_true (g_strv_contains ((const char * const *) s59, "driver.date_of_birth"));
    g_assert_true (g_strv_contains ((const char * const *) s59, "seizure.notice_served"));
    g_assert_true (g_strv_contains ((const char * const *) patrol, "vehicles"));
    g_assert_true (g_strv_contains ((const char * const *) patrol, "fly_tip.size"));
    g_assert_true (g_strv_contains ((const char * const *) patrol, "pspo.fpn_reference"));
    g_assert_false (g_strv_contains ((const char * const *) patrol, "vehicles.vrm"));
  }
}

static void
test_row_shows_labels_local_times_and_flat_lists (void)
{
  g_autoptr(BbProfile) profile = load_profile ();
  g_autoptr(BbRecord) record = NULL;
  g_auto(Sheet) sheet = { NULL };

  record = record_from_json (BB_KIND_PATROL_OBSERVATION,
                             /* Summer time: London is an hour ahead. */
                             "2026-06-01T12:05:00Z",
                             "{\"ward\": \"joydens_wood\","
                             " \"place\": \"Joyce Green Lane, by the gate\","
                             " \"lat\": 51.4612, \"lon\": -0.0123,"
                             " \"notes\": \"a \\\"big\\\" pile,\\nsecond line\","
                             " \"ended_at\": \"2026-06-01T13:00:00Z\","
                             " \"category\": \"fly_tipping\","
                             " \"description\": \"=1+2 tyres\","
                             " \"people_involved\": 3,"
                             " \"vehicles\": [{\"vrm\": \"AB12CDE\", \"make\": \"Ford\", \"model\": \"Focus\", \"colour\": \"blue\"},"
                             "                {\"vrm\": \"XY99ZZZ\", \"colour\": \"café red\"}],"
                             " \"referred_to\": [\"dartford_borough_council\", \"victim_support\"],"
                             " \"fly_tip\": {\"size\": \"small_van_load\", \"waste_type\": \"tyres\","
                             "               \"land_type\": \"highway\", \"evidence_checked\": false}}");

  sheet_load (&sheet, profile, record);

  g_assert_cmpstr (sheet_cell (&sheet, "id"), ==, bb_record_get_id (record));
  g_assert_cmpstr (sheet_cell (&sheet, "kind"), ==, "patrol_observation");
  g_assert_cmpstr (sheet_cell (&sheet, "occurred_at"), ==, "2026-06-01 13:05");
  g_assert_cmpstr (sheet_cell (&sheet, "occurred_at_utc"), ==, "2026-06-01T12:05:00Z");
  g_assert_cmpstr (sheet_cell (&sheet, "ended_at"), ==, "2026-06-01 14:00");
  g_assert_cmpstr (sheet_cell (&sheet, "ward"), ==,
                   bb_profile_get_choice_label (profile, "wards", "joydens_wood"));
  g_assert_cmpstr (sheet_cell (&sheet, "place"), ==, "Joyce Green Lane, by the gate");
  g_assert_cmpstr (sheet_cell (&sheet, "lat"), ==, "51.4612");
  g_assert_cmpstr (sheet_cell (&sheet, "lon"), ==, "-0.0123");
  g_assert_cmpstr (sheet_cell (&sheet, "notes"), ==, "a \"big\" pile,\nsecond line");
  g_assert_cmpstr (sheet_cell (&sheet, "author"), ==, "PCSO 4521");
  g_assert_cmpstr (sheet_cell (&sheet, "review_state"), ==, "new");
  g_assert_cmpstr (sheet_cell (&sheet, "sync_state"), ==, "pending");
  g_assert_cmpstr (sheet_cell (&sheet, "category"), ==,
                   bb_profile_get_choice_label (profile, "observation_category", "fly_tipping"));
  g_assert_cmpstr (sheet_cell (&sheet, "description"), ==, "'=1+2 tyres");
  g_assert_cmpstr (sheet_cell (&sheet, "people_involved"), ==, "3");
  g_assert_cmpstr (sheet_cell (&sheet, "vehicles"), ==,
                   "AB12CDE Ford Focus blue; XY99ZZZ café red");
  {
    g_autofree char *expected =
      g_strdup_printf ("%s; %s",
                       bb_profile_get_choice_label (profile, "partners", "dartford_borough_council"),
                       bb_profile_get_choice_label (profile, "partners", "victim_support"));

    g_assert_cmpstr (sheet_cell (&sheet, "referred_to"), ==, expected);
  }
  g_assert_cmpstr (sheet_cell (&sheet, "fly_tip.size"), ==,
                   bb_profile_get_choice_label (profile, "fly_tip_size", "small_van_load"));
  g_assert_cmpstr (sheet_cell (&sheet, "fly_tip.evidence_checked"), ==, "no");
  /* Absent fields are empty cells, so every row lines up. */
  g_assert_cmpstr (sheet_cell (&sheet, "crime_reference"), ==, "");
  g_assert_cmpstr (sheet_cell (&sheet, "pspo.order"), ==, "");
}

static void
test_lists_of_objects_are_flattened_readably (void)
{
  g_autoptr(BbProfile) profile = load_profile ();
  g_autoptr(BbRecord) event = NULL;
  g_autoptr(BbRecord) walk = NULL;
  g_auto(Sheet) event_sheet = { NULL };
  g_auto(Sheet) walk_sheet = { NULL };
  g_autofree char *concerns = NULL;
  g_autofree char *spots = NULL;
  g_autofree char *topics = NULL;

  event = record_from_json (BB_KIND_ENGAGEMENT_EVENT, "2026-01-10T10:00:00Z",
                            "{\"ward\": \"heath\", \"event_type\": \"public_meeting\","
                            " \"title\": \"Zażółć; meeting\", \"attendees\": 40,"
                            " \"staff_present\": [\"Community warden\", \"PCSO 4521\"],"
                            " \"topics\": [\"asb\", \"drugs\"],"
                            " \"concerns\": [{\"concern\": \"drug_dealing\", \"count\": 5},"
                            "                {\"concern\": \"robbery\", \"count\": 1}],"
                            " \"actions\": [{\"text\": \"Extra patrols\", \"owner\": \"Neighbourhood team\", \"due\": \"2026-02-01\"},"
                            "               {\"text\": \"Leaflets\"}]}");
  sheet_load (&event_sheet, profile, event);

  concerns = g_strdup_printf ("%s 5; %s 1",
                              bb_profile_get_choice_label (profile, "concern", "drug_dealing"),
                              bb_profile_get_choice_label (profile, "concern", "robbery"));
  g_assert_cmpstr (sheet_cell (&event_sheet, "concerns"), ==, concerns);
  g_assert_cmpstr (sheet_cell (&event_sheet, "actions"), ==,
                   "Extra patrols Neighbourhood team 2026-02-01; Leaflets");
  g_assert_cmpstr (sheet_cell (&event_sheet, "staff_present"), ==, "Community warden; PCSO 4521");
  topics = g_strdup_printf ("%s; %s",
                            bb_profile_get_choice_label (profile, "topic", "asb"),
                            bb_profile_get_choice_label (profile, "topic", "drugs"));
  g_assert_cmpstr (sheet_cell (&event_sheet, "topics"), ==, topics);
  g_assert_cmpstr (sheet_cell (&event_sheet, "title"), ==, "Zażółć; meeting");
  g_assert_cmpstr (sheet_cell (&event_sheet, "priority"), ==, "4");

  walk = record_from_json (BB_KIND_VAWG_WALK, "2026-02-20T20:00:00Z",
                           "{\"ward\": \"town\", \"walk_type\": \"group_walk\","
                           " \"unsafe_spots\": [{\"place\": \"Central Park underpass\", \"ward\": \"town\","
                           "                     \"category\": \"poor_street_lighting\"},"
                           "                    {\"category\": \"cctv_gap\", \"description\": \"by the, gate\"}]}");
  sheet_load (&walk_sheet, profile, walk);

  spots = g_strdup_printf ("Central Park underpass %s %s; %s by the, gate",
                           bb_profile_get_choice_label (profile, "wards", "town"),
                           bb_profile_get_choice_label (profile, "unsafe_spot_category", "poor_street_lighting"),
                           bb_profile_get_choice_label (profile, "unsafe_spot_category", "cctv_gap"));
  g_assert_cmpstr (sheet_cell (&walk_sheet, "unsafe_spots"), ==, spots);
}

static void
test_nested_objects_fill_their_columns (void)
{
  g_autoptr(BbProfile) profile = load_profile ();
  g_autoptr(BbRecord) record = NULL;
  g_auto(Sheet) sheet = { NULL };

  record = record_from_json (BB_KIND_S59_WARNING, "2026-02-14T19:30:00Z",
                             "{\"ward\": \"greenhithe_knockhall\", \"offence\": \"rta_s34\","
                             " \"alarm_distress\": \"is_causing\", \"circumstances\": \"Off-road bike on the heath\","
                             " \"vehicle\": {\"type\": \"off_road_bike\"},"
                             " \"warned_party\": \"driver\","
                             " \"driver\": {\"name\": \"Driver (warned party)\", \"date_of_birth\": \"1999-05-01\","
                             "              \"address\": \"1 Example Road\\nDartford\"},"
                             " \"seizure\": {\"notice_served\": true, \"seized_at\": \"2026-07-01T09:00:00Z\"}}");
  sheet_load (&sheet, profile, record);

  g_assert_cmpstr (sheet_cell (&sheet, "vehicle.type"), ==,
                   bb_profile_get_choice_label (profile, "vehicle_type", "off_road_bike"));
  g_assert_cmpstr (sheet_cell (&sheet, "vehicle.vrm"), ==, "");
  g_assert_cmpstr (sheet_cell (&sheet, "driver.name"), ==, "Driver (warned party)");
  g_assert_cmpstr (sheet_cell (&sheet, "driver.date_of_birth"), ==, "1999-05-01");
  g_assert_cmpstr (sheet_cell (&sheet, "driver.address"), ==, "1 Example Road\nDartford");
  g_assert_cmpstr (sheet_cell (&sheet, "seizure.notice_served"), ==, "yes");
  g_assert_cmpstr (sheet_cell (&sheet, "seizure.seized_at"), ==, "2026-07-01 10:00");
  g_assert_cmpstr (sheet_cell (&sheet, "owner.name"), ==, "");
  g_assert_cmpstr (sheet_cell (&sheet, "offence"), ==,
                   bb_profile_get_choice_label (profile, "offence", "rta_s34"));
}

static void
test_stream_starts_with_bom_and_ends_rows_with_crlf (void)
{
  g_autoptr(BbProfile) profile = load_profile ();
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gsize size;

  g_ptr_array_add (records, record_from_json (BB_KIND_VAWG_WALK, "2026-02-20T20:00:00Z",
                                              "{\"ward\": \"town\", \"walk_type\": \"group_walk\"}"));
  g_ptr_array_add (records, record_from_json (BB_KIND_VAWG_WALK, "2026-02-21T20:00:00Z",
                                              "{\"ward\": \"brent\", \"walk_type\": \"buddy_walk\","
                                              " \"route\": \"one\\ntwo\"}"));

  g_assert_true (bb_csv_write_records (out, profile, BB_KIND_VAWG_WALK, records, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, NULL));

  size = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
  text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)), size);
  g_assert_true (g_str_has_prefix (text, "\xEF\xBB\xBF" "id,kind,"));
  g_assert_true (g_str_has_suffix (text, "\r\n"));

  rows = test_csv_parse (text, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 3);
  for (guint i = 1; i < rows->len; i++)
    g_assert_cmpuint (((GPtrArray *) g_ptr_array_index (rows, i))->len, ==,
                      ((GPtrArray *) g_ptr_array_index (rows, 0))->len);
}

static void
test_refuses_a_record_of_another_kind (void)
{
  g_autoptr(BbProfile) profile = load_profile ();
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (records, record_from_json (BB_KIND_ENGAGEMENT_EVENT, "2026-01-10T10:00:00Z",
                                              "{\"ward\": \"heath\"}"));

  g_assert_false (bb_csv_write_records (out, profile, BB_KIND_VAWG_WALK, records, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "engagement_event"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/csv/value/quotes-commas-quotes-and-newlines", test_quotes_commas_quotes_and_newlines);
  g_test_add_func ("/csv/value/keeps-utf8-text-as-is", test_keeps_utf8_text_as_is);
  g_test_add_func ("/csv/value/guards-against-formula-injection", test_guards_against_formula_injection);
  g_test_add_func ("/csv/header/has-the-columns-of-each-kind", test_header_columns_per_kind);
  g_test_add_func ("/csv/row/shows-labels-local-times-and-flat-lists", test_row_shows_labels_local_times_and_flat_lists);
  g_test_add_func ("/csv/row/flattens-lists-of-objects-readably", test_lists_of_objects_are_flattened_readably);
  g_test_add_func ("/csv/row/fills-the-columns-of-nested-objects", test_nested_objects_fill_their_columns);
  g_test_add_func ("/csv/stream/starts-with-a-bom-and-ends-rows-with-crlf", test_stream_starts_with_bom_and_ends_rows_with_crlf);
  g_test_add_func ("/csv/stream/refuses-a-record-of-another-kind", test_refuses_a_record_of_another_kind);

  return g_test_run ();
}
