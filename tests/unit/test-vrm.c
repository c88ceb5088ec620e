/* test-vrm.c: registration marks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include "bb-vrm.h"

typedef struct
{
  const char  *typed;
  BbVrmFormat  format;
  const char  *display;
} VrmCase;

static void
check_cases (const VrmCase *cases,
             guint          n_cases)
{
  for (guint i = 0; i < n_cases; i++)
    {
      g_autofree char *display = bb_vrm_format_display (cases[i].typed);

      g_test_message ("“%s”", cases[i].typed);
      g_assert_cmpint (bb_vrm_recognise (cases[i].typed), ==, cases[i].format);
      g_assert_cmpstr (display, ==, cases[i].display);
    }
}

static void
test_normalise_removes_spaces_and_hyphens (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "AB12 CDE", "AB12CDE" },
    { "ab12cde", "AB12CDE" },
    { "  ab-12 c de ", "AB12CDE" },
    { "a\t123\nbcd", "A123BCD" },
    { "", "" },
    { "---", "" },
    { "FR-AB-123-CD", "FRAB123CD" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *normal = bb_vrm_normalise (cases[i].in);

      g_assert_cmpstr (normal, ==, cases[i].out);
    }
  g_assert_null (bb_vrm_normalise (NULL));
}

static void
test_current_format (void)
{
  static const VrmCase cases[] = {
    { "AB12CDE", BB_VRM_CURRENT, "AB12 CDE" },
    { "ab12 cde", BB_VRM_CURRENT, "AB12 CDE" },
    { "Ab-12-Cde", BB_VRM_CURRENT, "AB12 CDE" },
    { "  KX73 ABC ", BB_VRM_CURRENT, "KX73 ABC" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_prefix_format (void)
{
  static const VrmCase cases[] = {
    { "A123BCD", BB_VRM_PREFIX, "A123 BCD" },
    { "a1 bcd", BB_VRM_PREFIX, "A1 BCD" },
    { "P 45 XYZ", BB_VRM_PREFIX, "P45 XYZ" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_suffix_format (void)
{
  static const VrmCase cases[] = {
    { "ABC123A", BB_VRM_SUFFIX, "ABC 123A" },
    { "abc 1a", BB_VRM_SUFFIX, "ABC 1A" },
    { "XYZ-45-T", BB_VRM_SUFFIX, "XYZ 45T" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_dateless_format (void)
{
  static const VrmCase cases[] = {
    { "A1", BB_VRM_DATELESS, "A 1" },
    { "ABC1234", BB_VRM_DATELESS, "ABC 1234" },
    { "abcd 123", BB_VRM_DATELESS, "ABCD 123" },
    { "1 A", BB_VRM_DATELESS, "1 A" },
    { "1234ab", BB_VRM_DATELESS, "1234 AB" },
    { "123 ABCD", BB_VRM_DATELESS, "123 ABCD" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_northern_ireland_format (void)
{
  static const VrmCase cases[] = {
    { "ABZ1234", BB_VRM_NORTHERN_IRELAND, "ABZ 1234" },
    { "abz 1234", BB_VRM_NORTHERN_IRELAND, "ABZ 1234" },
    { "GIL 12", BB_VRM_NORTHERN_IRELAND, "GIL 12" },
    { "OI 123", BB_VRM_NORTHERN_IRELAND, "OI 123" },
    { "UZ-1", BB_VRM_NORTHERN_IRELAND, "UZ 1" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

/* ABC1234 has the shape of both dateless and Northern Irish marks; the
 * letters decide. */
static void
test_three_letters_four_digits_precedence (void)
{
  static const VrmCase cases[] = {
    { "ABC1234", BB_VRM_DATELESS, "ABC 1234" },
    { "AIC1234", BB_VRM_NORTHERN_IRELAND, "AIC 1234" },
    { "ZBC1234", BB_VRM_NORTHERN_IRELAND, "ZBC 1234" },
    /* Four letters are never Northern Irish, even with an I. */
    { "ABIZ123", BB_VRM_DATELESS, "ABIZ 123" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_foreign_and_odd_marks_are_unrecognised (void)
{
  static const VrmCase cases[] = {
    { "AB-123-CD", BB_VRM_UNRECOGNISED, "AB123CD" },     /* France */
    { "12-ABC-3", BB_VRM_UNRECOGNISED, "12ABC3" },       /* Netherlands */
    { "WA 12345", BB_VRM_UNRECOGNISED, "WA12345" },      /* Poland */
    { "12-D-12345", BB_VRM_UNRECOGNISED, "12D12345" },   /* Ireland */
    { "AA 1234 BB", BB_VRM_UNRECOGNISED, "AA1234BB" },   /* too long */
    { "ABCDE 1", BB_VRM_UNRECOGNISED, "ABCDE1" },        /* five letters */
    { "A 12345", BB_VRM_UNRECOGNISED, "A12345" },        /* five digits */
    { "AB1 2CD", BB_VRM_UNRECOGNISED, "AB12CD" },        /* current, one short */
    { "ABCDEF", BB_VRM_UNRECOGNISED, "ABCDEF" },         /* letters only */
    { "1234", BB_VRM_UNRECOGNISED, "1234" },             /* digits only */
    { "AB12CD!", BB_VRM_UNRECOGNISED, "AB12CD!" },       /* punctuation */
    { "ÄB12CDE", BB_VRM_UNRECOGNISED, "ÄB12CDE" },       /* not A-Z */
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_null_and_empty (void)
{
  g_autofree char *empty = bb_vrm_format_display ("");
  g_autofree char *spaces = bb_vrm_format_display ("   ");

  g_assert_cmpint (bb_vrm_recognise (NULL), ==, BB_VRM_UNRECOGNISED);
  g_assert_cmpint (bb_vrm_recognise (""), ==, BB_VRM_UNRECOGNISED);
  g_assert_cmpint (bb_vrm_recognise (" - "), ==, BB_VRM_UNRECOGNISED);
  g_assert_null (bb_vrm_format_display (NULL));
  g_assert_cmpstr (empty, ==, "");
  g_assert_cmpstr (spaces, ==, "");
}

static void
test_every_format_has_its_own_label (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (int format = BB_VRM_UNRECOGNISED; format <= BB_VRM_NORTHERN_IRELAND; format++)
    {
      const char *label = bb_vrm_format_label (format);

      g_assert_nonnull (label);
      g_assert_cmpstr (label, !=, "");
      g_assert_false (g_hash_table_contains (seen, label));
      g_hash_table_add (seen, (gpointer) label);
    }
  g_assert_cmpstr (bb_vrm_format_label (BB_VRM_CURRENT), ==, "current format");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vrm/normalise/removes-spaces-and-hyphens", test_normalise_removes_spaces_and_hyphens);
  g_test_add_func ("/vrm/recognise/current-format", test_current_format);
  g_test_add_func ("/vrm/recognise/prefix-format", test_prefix_format);
  g_test_add_func ("/vrm/recognise/suffix-format", test_suffix_format);
  g_test_add_func ("/vrm/recognise/dateless-format", test_dateless_format);
  g_test_add_func ("/vrm/recognise/northern-ireland-format", test_northern_ireland_format);
  g_test_add_func ("/vrm/recognise/letters-decide-three-letters-four-digits", test_three_letters_four_digits_precedence);
  g_test_add_func ("/vrm/recognise/foreign-and-odd-marks-are-unrecognised", test_foreign_and_odd_marks_are_unrecognised);
  g_test_add_func ("/vrm/recognise/null-and-empty-are-unrecognised", test_null_and_empty);
  g_test_add_func ("/vrm/label/every-format-has-its-own", test_every_format_has_its_own_label);

  return g_test_run ();
}
