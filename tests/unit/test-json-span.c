/* test-json-span.c: finding the bytes of values in JSON text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <string.h>

#include "beatbook.h"

static char *
span_text (const char *data,
           BbJsonSpan  span)
{
  return g_strndup (data + span.offset, span.length);
}

static void
test_member_is_found_with_its_bytes (void)
{
  const char *text = " {\"device_id\": \"d\", \"changes\" : [ {\"id\": \"a\", \"fields\": {\"n\": [1, 2.5e3, -0.5]}} ,"
                     "{\"id\":\"b\\\"]}\"} ], \"more\": null}\n";
  BbJsonSpan span = { 0 };
  g_autofree char *changes = NULL;
  g_autoptr(GArray) elements = NULL;
  BbJsonSpan first, second, fields;
  g_autofree char *first_text = NULL;
  g_autofree char *second_text = NULL;
  g_autofree char *fields_text = NULL;

  g_assert_true (bb_json_find_member (text, strlen (text), "changes", &span));
  changes = span_text (text, span);
  g_assert_cmpstr (changes, ==, "[ {\"id\": \"a\", \"fields\": {\"n\": [1, 2.5e3, -0.5]}} ,"
                                "{\"id\":\"b\\\"]}\"} ]");

  elements = bb_json_array_elements (changes, strlen (changes));
  g_assert_nonnull (elements);
  g_assert_cmpuint (elements->len, ==, 2);
  first = g_array_index (elements, BbJsonSpan, 0);
  second = g_array_index (elements, BbJsonSpan, 1);
  first_text = span_text (changes, first);
  second_text = span_text (changes, second);
  g_assert_cmpstr (first_text, ==, "{\"id\": \"a\", \"fields\": {\"n\": [1, 2.5e3, -0.5]}}");
  /* A bracket or a quote inside a string ends nothing. */
  g_assert_cmpstr (second_text, ==, "{\"id\":\"b\\\"]}\"}");

  g_assert_true (bb_json_find_member (first_text, strlen (first_text), "fields", &fields));
  fields_text = span_text (first_text, fields);
  g_assert_cmpstr (fields_text, ==, "{\"n\": [1, 2.5e3, -0.5]}");

  g_assert_true (bb_json_is_container (" {\"a\": [1, {}]} ", 16, '{'));
  g_assert_true (bb_json_is_container ("[]", 2, '['));
  g_assert_false (bb_json_is_container ("{\"a\": 1} x", 10, '{'));
  g_assert_false (bb_json_is_container ("[1]", 3, '{'));
  g_assert_false (bb_json_is_container ("{\"a\": 1", 7, '{'));

  elements = (g_array_unref (elements), bb_json_array_elements (" [ ] ", 5));
  g_assert_nonnull (elements);
  g_assert_cmpuint (elements->len, ==, 0);
}

static void
test_anything_unsure_gives_up (void)
{
  /* Each is parsed by json-glib, or might name the member in disguise, or
   * is not JSON at all: the caller must fall back to the parsed tree. */
  const char * const objects[] = {
    "{\"changes\": [], \"changes\": []}",          /* twice */
    "{\"chang\\u0065s\": []}",                     /* an escaped name */
    "{\"other\": 1}",                              /* absent */
    "{\"changes\": [] /* comment */}",
    "{\"changes\": ['a']}",
    "{\"changes\": [01]}",
    "{\"changes\": [1.]}",
    "{\"changes\": [tru]}",
    "{\"changes\": [1,]}",
    "{\"changes\": [\"a\nb\"]}",                   /* a raw line break in a string */
    "{\"changes\": [{\"a\" 1}]}",
    "{\"changes\": [{\"a\": 1,}]}",
    "{\"changes\": [}",
    "{\"changes\": [[[[",
    "{\"changes\": []",
    "{\"changes\": []} trailing",
    "[\"changes\"]",
    "",
    "{",
    "{\"changes\": \"\\",
  };
  const char * const arrays[] = { "[1,]", "[,1]", "[", "[1 2]", "{}", "[1]]", "[\"a]" };

  g_autofree char *deep = NULL;
  g_autofree char *opening = g_strnfill (70, '[');
  g_autofree char *closing = g_strnfill (70, ']');
  BbJsonSpan deep_span;

  /* Nested deeper than the finder follows: it gives up, never overruns. */
  deep = g_strdup_printf ("{\"changes\": %s%s}", opening, closing);
  g_assert_false (bb_json_find_member (deep, strlen (deep), "changes", &deep_span));

  for (guint i = 0; i < G_N_ELEMENTS (objects); i++)
    {
      BbJsonSpan span = { 0 };

      if (bb_json_find_member (objects[i], strlen (objects[i]), "changes", &span))
        g_error ("found a member in %s", objects[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (arrays); i++)
    {
      g_autoptr(GArray) elements = bb_json_array_elements (arrays[i], strlen (arrays[i]));

      if (elements != NULL)
        g_error ("found elements in %s", arrays[i]);
    }
}

/* Cut short anywhere, a valid text is never read past its end. */
static void
test_cut_texts_are_not_read_past_their_end (void)
{
  const char *text = "{\"changes\": [{\"id\": \"x\\u00e9\", \"n\": -1.5E+3, \"b\": [true, false, null, {}]}]}";
  gsize length = strlen (text);

  for (gsize cut = 0; cut < length; cut++)
    {
      g_autofree char *part = g_memdup2 (text, cut);
      BbJsonSpan span = { 0 };

      /* Only the whole text is an object. */
      g_assert_false (bb_json_find_member (part, cut, "changes", &span));
    }
}

static void
test_compact_form_drops_only_spaces_between_tokens (void)
{
  const char *pretty = "{ \"a\" : [ 1 , \"x y\\\" z\" ],\n\t\"b\" : { } }";
  const char *compact = "{\"a\":[1,\"x y\\\" z\"],\"b\":{}}";
  g_autofree char *made = bb_json_compact (pretty, strlen (pretty));
  g_autoptr(GChecksum) one = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GChecksum) two = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(JsonNode) node = json_from_string (pretty, NULL);
  g_autofree char *generated = json_to_string (node, FALSE);

  g_assert_cmpstr (made, ==, compact);
  /* What json-glib writes for the same value, so a change sent by a
   * device using json-glib hashes as the server computed it before. */
  g_assert_cmpstr (made, ==, generated);

  bb_json_checksum_compact (one, pretty, strlen (pretty));
  g_checksum_update (two, (const guchar *) compact, -1);
  g_assert_cmpstr (g_checksum_get_string (one), ==, g_checksum_get_string (two));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-span/member-is-found-with-its-bytes", test_member_is_found_with_its_bytes);
  g_test_add_func ("/json-span/anything-unsure-gives-up", test_anything_unsure_gives_up);
  g_test_add_func ("/json-span/cut-texts-are-not-read-past-their-end", test_cut_texts_are_not_read_past_their_end);
  g_test_add_func ("/json-span/compact-form-drops-only-spaces-between-tokens",
                   test_compact_form_drops_only_spaces_between_tokens);

  return g_test_run ();
}
