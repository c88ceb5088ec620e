/* test-evidence.c: photos and files on records, on the device
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <utime.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <libexif/exif-data.h>

#include "beatbook.h"
#include "test-files.h"

static const guint8 png_magic[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

/* Bytes that sniff as a PNG, different for each @seed. */
static GBytes *
fake_png (guint seed,
          gsize size)
{
  guint8 *data = g_malloc (size);

  memcpy (data, png_magic, sizeof png_magic);
  for (gsize i = sizeof png_magic; i < size; i++)
    data[i] = (guint8) ((i * 31 + seed * 7) & 0xff);
  return g_bytes_new_take (data, size);
}

static guint
count_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* Sniffing and hashing */

static void
test_sniff_by_content (void)
{
  static const guint8 jpeg[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 0x10 };
  static const char pdf[] = "%PDF-1.7\n";
  static const char text[] = "just some text, named photo.jpg";
  static const guint8 gif[] = { 'G', 'I', 'F', '8', '9', 'a' };

  g_assert_cmpstr (bb_evidence_sniff (jpeg, sizeof jpeg), ==, "image/jpeg");
  g_assert_cmpstr (bb_evidence_sniff (png_magic, sizeof png_magic), ==, "image/png");
  g_assert_cmpstr (bb_evidence_sniff ((const guint8 *) pdf, strlen (pdf)), ==, "application/pdf");
  g_assert_null (bb_evidence_sniff ((const guint8 *) text, strlen (text)));
  g_assert_null (bb_evidence_sniff (gif, sizeof gif));
  /* Cut short: a PNG's first four bytes are not a PNG. */
  g_assert_null (bb_evidence_sniff (png_magic, 4));
  g_assert_null (bb_evidence_sniff (NULL, 0));
}

static void
test_sha256_of_bytes (void)
{
  g_autofree char *empty = bb_evidence_sha256 ((const guint8 *) "", 0);
  g_autofree char *abc = bb_evidence_sha256 ((const guint8 *) "abc", 3);

  /* FIPS 180-2 test vectors. */
  g_assert_cmpstr (empty, ==, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  g_assert_cmpstr (abc, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_assert_true (bb_evidence_sha256_is_valid (abc));
  g_assert_false (bb_evidence_sha256_is_valid ("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
  g_assert_false (bb_evidence_sha256_is_valid ("ba7816bf"));
  g_assert_false (bb_evidence_sha256_is_valid ("../../etc/passwd"));
  g_assert_false (bb_evidence_sha256_is_valid (NULL));
}

/* EXIF, written here with libexif into a JPEG's APP1 segment. */

static ExifEntry *
add_entry (ExifData  *exif,
           ExifIfd    ifd,
           ExifTag    tag,
           ExifFormat format,
           guint      components)
{
  ExifMem *mem = exif_mem_new_default ();
  ExifEntry *entry = exif_entry_new_mem (mem);

  entry->tag = tag;
  entry->format = format;
  entry->components = components;
  entry->size = exif_format_get_size (format) * components;
  entry->data = exif_mem_alloc (mem, entry->size);
  exif_content_add_entry (exif->ifd[ifd], entry);
  exif_mem_unref (mem);
  exif_entry_unref (entry);
  return entry;
}

static void
set_degrees (ExifEntry    *entry,
             ExifByteOrder order,
             guint         deg,
             guint         min,
             guint         sec_tenths)
{
  ExifRational parts[3] = { { deg, 1 }, { min, 1 }, { sec_tenths, 10 } };

  for (guint i = 0; i < 3; i++)
    exif_set_rational (entry->data + 8 * i, order, parts[i]);
}

static GBytes *
jpeg_with_exif (const char *date_time,
                gboolean    with_gps)
{
  ExifData *exif = exif_data_new ();
  ExifByteOrder order = EXIF_BYTE_ORDER_INTEL;
  unsigned char *tiff = NULL;
  unsigned int tiff_len = 0;
  GByteArray *jpeg = g_byte_array_new ();
  static const guint8 soi[] = { 0xff, 0xd8 };
  static const guint8 eoi[] = { 0xff, 0xd9 };
  guint8 app1[4] = { 0xff, 0xe1, 0, 0 };
  ExifEntry *entry;

  exif_data_set_byte_order (exif, order);
  if (date_time != NULL)
    {
      entry = add_entry (exif, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL, EXIF_FORMAT_ASCII, 20);
      memcpy (entry->data, date_time, 20);
    }
  if (with_gps)
    {
      /* Dartford station: 51°26'39.6" N, 0°13'8.4" E. */
      entry = add_entry (exif, EXIF_IFD_GPS, (ExifTag) EXIF_TAG_GPS_LATITUDE_REF, EXIF_FORMAT_ASCII, 2);
      memcpy (entry->data, "N", 2);
      entry = add_entry (exif, EXIF_IFD_GPS, (ExifTag) EXIF_TAG_GPS_LATITUDE, EXIF_FORMAT_RATIONAL, 3);
      set_degrees (entry, order, 51, 26, 396);
      entry = add_entry (exif, EXIF_IFD_GPS, (ExifTag) EXIF_TAG_GPS_LONGITUDE_REF, EXIF_FORMAT_ASCII, 2);
      memcpy (entry->data, "E", 2);
      entry = add_entry (exif, EXIF_IFD_GPS, (ExifTag) EXIF_TAG_GPS_LONGITUDE, EXIF_FORMAT_RATIONAL, 3);
      set_degrees (entry, order, 0, 13, 84);
    }

  exif_data_save_data (exif, &tiff, &tiff_len);
  g_assert_nonnull (tiff);
  app1[2] = (guint8) ((tiff_len + 2) >> 8);
  app1[3] = (guint8) ((tiff_len + 2) & 0xff);
  g_byte_array_append (jpeg, soi, sizeof soi);
  g_byte_array_append (jpeg, app1, sizeof app1);
  g_byte_array_append (jpeg, tiff, tiff_len);
  g_byte_array_append (jpeg, eoi, sizeof eoi);
  free (tiff);
  exif_data_unref (exif);

  return g_byte_array_free_to_bytes (jpeg);
}

static void
test_exif_time_and_place_offered (void)
{
  g_autoptr(GBytes) jpeg = jpeg_with_exif ("2026:07:01 21:14:00", TRUE);
  g_autoptr(GTimeZone) london = g_time_zone_new_identifier ("Europe/London");
  g_auto(BbExifOffer) offer = { 0 };
  gsize len;
  const guint8 *data = g_bytes_get_data (jpeg, &len);

  g_assert_nonnull (london);
  g_assert_true (bb_evidence_read_exif (data, len, london, &offer));
  /* A camera writes local time: 21:14 BST is 20:14 UTC. */
  g_assert_cmpstr (offer.taken_at, ==, "2026-07-01T20:14:00Z");
  g_assert_true (offer.has_position);
  g_assert_cmpfloat_with_epsilon (offer.lat, 51.0 + 26.0 / 60 + 39.6 / 3600, 1e-6);
  g_assert_cmpfloat_with_epsilon (offer.lon, 13.0 / 60 + 8.4 / 3600, 1e-6);
}

static void
test_exif_absent_or_partial (void)
{
  g_autoptr(GBytes) no_gps = jpeg_with_exif ("2026:03:01 21:14:00", FALSE);
  g_autoptr(GBytes) nothing = jpeg_with_exif (NULL, FALSE);
  g_autoptr(GBytes) png = fake_png (1, 64);
  g_autoptr(GTimeZone) london = g_time_zone_new_identifier ("Europe/London");
  g_auto(BbExifOffer) offer = { 0 };
  gsize len;
  const guint8 *data;

  data = g_bytes_get_data (no_gps, &len);
  g_assert_true (bb_evidence_read_exif (data, len, london, &offer));
  g_assert_cmpstr (offer.taken_at, ==, "2026-03-01T21:14:00Z");
  g_assert_false (offer.has_position);
  bb_exif_offer_clear (&offer);

  data = g_bytes_get_data (nothing, &len);
  g_assert_false (bb_evidence_read_exif (data, len, london, &offer));
  g_assert_null (offer.taken_at);

  data = g_bytes_get_data (png, &len);
  g_assert_false (bb_evidence_read_exif (data, len, london, &offer));
}

/* The device's files */

typedef struct
{
  char      *dir;
  char      *db;
  BbStore   *store;
  BbProfile *profile;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("beatbook-evidence-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "user", "beatbook.db", NULL);
  f->store = bb_store_open (f->db, &error);
  g_assert_no_error (error);
  f->profile = bb_profile_load_default (&error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  g_clear_object (&f->profile);
  bb_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db);
}

static BbAttachment *
import (Fixture *f,
        GBytes  *bytes,
        GError **error)
{
  return bb_store_import_evidence (f->store, f->profile, 0, NULL, "photo.png", bytes,
                                   NULL, NULL, NULL, error);
}

static void
test_import_keeps_the_bytes_unaltered_and_private (Fixture       *f,
                                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = fake_png (3, 5000);
  g_autoptr(BbAttachment) attachment = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autofree char *evidence_dir = bb_store_dup_evidence_dir (f->store);
  g_autofree char *expected = NULL;
  g_autofree char *path = NULL;
  GStatBuf st;

  attachment = import (f, bytes, &error);
  g_assert_no_error (error);
  expected = bb_evidence_sha256 (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_assert_cmpstr (attachment->sha256, ==, expected);
  g_assert_cmpstr (attachment->media_type, ==, "image/png");
  g_assert_cmpint (attachment->size, ==, 5000);
  g_assert_cmpstr (attachment->name, ==, "photo.png");

  path = bb_evidence_path (evidence_dir, attachment->sha256);
  g_assert_cmpint (g_stat (evidence_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  back = bb_evidence_read (evidence_dir, attachment->sha256, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, bytes));
  /* No temporary file is left behind. */
  g_assert_cmpuint (count_files (evidence_dir), ==, 1);
  g_assert_cmpint (bb_store_get_blob_state (f->store, attachment->sha256), ==, BB_BLOB_STATE_WAITING);
}

static void
test_import_refuses_before_storing (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) text = g_bytes_new_static ("not a photo at all", 18);
  g_autoptr(GBytes) big = fake_png (4, (gsize) bb_profile_get_max_attachment_bytes (f->profile) + 1);
  g_autoptr(GBytes) fine = fake_png (5, 100);
  g_autoptr(BbAttachment) attachment = NULL;
  g_autofree char *evidence_dir = bb_store_dup_evidence_dir (f->store);
  g_autofree char *sparse = g_build_filename (f->dir, "huge.jpg", NULL);
  g_autoptr(GFile) sparse_file = g_file_new_for_path (sparse);
  FILE *fp;

  attachment = import (f, text, &error);
  g_assert_null (attachment);
  g_assert_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_UNSUPPORTED_TYPE);
  g_assert_nonnull (strstr (error->message, "photo.png"));
  g_clear_error (&error);

  attachment = import (f, big, &error);
  g_assert_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "photo.png"));
  g_assert_nonnull (strstr (error->message, "MiB"));
  g_clear_error (&error);

  /* A record full already. */
  attachment = bb_store_import_evidence (f->store, f->profile,
                                         (guint) bb_profile_get_max_attachments (f->profile),
                                         NULL, "tenth.png", fine, NULL, NULL, NULL, &error);
  g_assert_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_TOO_MANY);
  g_clear_error (&error);

  /* A file too large is refused by its size, before it is read. */
  fp = fopen (sparse, "w");
  g_assert_nonnull (fp);
  g_assert_cmpint (ftruncate (fileno (fp), 3LL * 1024 * 1024 * 1024), ==, 0);
  fclose (fp);
  attachment = bb_store_import_evidence (f->store, f->profile, 0, sparse_file, NULL, NULL,
                                         NULL, NULL, NULL, &error);
  g_assert_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "huge.jpg"));
  g_clear_error (&error);

  /* Nothing reached the evidence directory. */
  g_assert_cmpuint (count_files (evidence_dir), ==, 0);
  g_assert_cmpuint (bb_store_count_waiting_blobs (f->store), ==, 0);
}

static BbRecord *
save_with (Fixture      *f,
           BbRecord     *record,
           BbAttachment *a,
           BbAttachment *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new ();
  JsonObject *fields = bb_record_get_fields (record);

  json_object_set_string_member (fields, "ward", "town");
  json_object_set_string_member (fields, "category", "fly_tipping");
  json_object_set_string_member (fields, "description", "Bags by the bins");
  if (a != NULL)
    g_ptr_array_add (list, a);
  if (b != NULL)
    g_ptr_array_add (list, b);
  bb_attachments_set_in_fields (fields, list);
  g_assert_true (bb_store_save_record (f->store, record, &error));
  g_assert_no_error (error);
  return record;
}

static gboolean
has_file (Fixture            *f,
          const BbAttachment *attachment)
{
  g_autofree char *evidence_dir = bb_store_dup_evidence_dir (f->store);

  return bb_evidence_has (evidence_dir, attachment->sha256);
}

static void
test_file_kept_until_no_record_lists_it (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) shared_bytes = fake_png (6, 300);
  g_autoptr(GBytes) own_bytes = fake_png (7, 300);
  g_autoptr(BbAttachment) shared = import (f, shared_bytes, &error);
  g_autoptr(BbAttachment) own = import (f, own_bytes, &error);
  g_autoptr(BbRecord) first = bb_record_new (BB_KIND_PATROL_OBSERVATION);
  g_autoptr(BbRecord) second = bb_record_new (BB_KIND_PATROL_OBSERVATION);
  g_autoptr(GPtrArray) listed = NULL;
  guint removed = G_MAXUINT;

  g_assert_no_error (error);
  save_with (f, first, shared, own);
  save_with (f, second, shared, NULL);
  g_assert_cmpuint (bb_store_count_record_waiting_blobs (f->store, first), ==, 2);
  g_assert_cmpuint (bb_store_count_waiting_blobs (f->store), ==, 2);

  /* Both taken off the first record: the shared one stays for the second. */
  save_with (f, first, NULL, NULL);
  g_assert_true (bb_store_collect_evidence (f->store, 0, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed, ==, 1);
  g_assert_true (has_file (f, shared));
  g_assert_false (has_file (f, own));
  g_assert_cmpint (bb_store_get_blob_state (f->store, own->sha256), ==, BB_BLOB_STATE_ABSENT);

  /* The second record deleted: nothing lists it any more. */
  g_assert_true (bb_store_delete_record (f->store, bb_record_get_id (second), &error));
  g_assert_true (bb_store_collect_evidence (f->store, 0, &removed, &error));
  g_assert_cmpuint (removed, ==, 1);
  g_assert_false (has_file (f, shared));

  /* A file just attached and not yet in a draft is not collected early. */
  {
    g_autoptr(GBytes) fresh_bytes = fake_png (8, 300);
    g_autoptr(BbAttachment) fresh = import (f, fresh_bytes, &error);

    g_assert_true (bb_store_collect_evidence (f->store, 3600, &removed, &error));
    g_assert_cmpuint (removed, ==, 0);
    g_assert_true (has_file (f, fresh));
  }
  listed = bb_store_list_blobs_to_upload (f->store, &error);
  g_assert_no_error (error);
  /* Nothing synced yet: no file goes before its record. */
  g_assert_cmpuint (listed->len, ==, 0);
}

static void
test_draft_keeps_its_files_across_a_crash (Fixture       *f,
                                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = fake_png (9, 700);
  g_autoptr(BbAttachment) attachment = import (f, bytes, &error);
  g_autoptr(JsonObject) state = json_object_new ();
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GPtrArray) list = g_ptr_array_new ();
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;
  guint removed = G_MAXUINT;

  g_ptr_array_add (list, attachment);
  bb_attachments_set_in_fields (fields, list);
  json_object_set_object_member (state, "fields", json_object_ref (fields));
  node = json_node_init_object (json_node_alloc (), state);
  json = json_to_string (node, FALSE);
  g_assert_true (bb_store_save_draft (f->store, "draft-1", BB_KIND_PATROL_OBSERVATION, NULL, json, &error));

  /* The process dies; the next start opens the store again and collects. */
  g_clear_object (&f->store);
  f->store = bb_store_open (f->db, &error);
  g_assert_no_error (error);
  g_assert_true (bb_store_collect_evidence (f->store, 0, &removed, &error));
  g_assert_cmpuint (removed, ==, 0);
  g_assert_true (has_file (f, attachment));

  drafts = bb_store_list_drafts (f->store, &error);
  g_assert_cmpuint (drafts->len, ==, 1);
  {
    g_autoptr(JsonNode) parsed = json_from_string (((BbDraft *) drafts->pdata[0])->json, &error);
    JsonObject *draft_fields = json_object_get_object_member (json_node_get_object (parsed), "fields");

    back = bb_attachments_from_fields (draft_fields);
  }
  g_assert_cmpuint (back->len, ==, 1);
  g_assert_cmpstr (((BbAttachment *) back->pdata[0])->sha256, ==, attachment->sha256);

  /* The draft thrown away: the file goes with it. */
  g_assert_true (bb_store_delete_draft (f->store, "draft-1", &error));
  g_assert_true (bb_store_collect_evidence (f->store, 0, &removed, &error));
  g_assert_cmpuint (removed, ==, 1);
  g_assert_false (has_file (f, attachment));
}

static void
test_wipe_removes_the_files (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = fake_png (10, 900);
  g_autoptr(BbAttachment) attachment = import (f, bytes, &error);
  g_autofree char *evidence_dir = bb_store_dup_evidence_dir (f->store);

  g_assert_true (has_file (f, attachment));
  g_assert_true (bb_store_wipe (f->store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_files (evidence_dir), ==, 0);
  g_assert_cmpint (bb_store_get_blob_state (f->store, attachment->sha256), ==, BB_BLOB_STATE_ABSENT);
}

static void
test_fetched_copy_checked_against_its_hash (Fixture       *f,
                                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = fake_png (11, 400);
  g_autoptr(GBytes) other = fake_png (12, 400);
  BbAttachment attachment = { 0 };
  g_autofree char *sha = bb_evidence_sha256 (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  attachment.sha256 = sha;
  attachment.name = (char *) "from-server.png";
  attachment.media_type = (char *) "image/png";
  attachment.size = 400;

  g_assert_false (bb_store_cache_blob (f->store, &attachment, other, &error));
  g_assert_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_HASH_MISMATCH);
  g_clear_error (&error);
  g_assert_cmpint (bb_store_get_blob_state (f->store, sha), ==, BB_BLOB_STATE_ABSENT);

  g_assert_true (bb_store_cache_blob (f->store, &attachment, bytes, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bb_store_get_blob_state (f->store, sha), ==, BB_BLOB_STATE_CACHED);
  /* A cached copy is the server's: it never waits to upload. */
  g_assert_cmpuint (bb_store_count_waiting_blobs (f->store), ==, 0);
}

/* The wire shape */

static void
test_validator_checks_attachments (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BbProfile) profile = bb_profile_load_default (&error);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  JsonObject *fields;
  g_autofree char *text = NULL;
  const char *good =
    "{\"ward\": \"town\", \"category\": \"asb_youths\", \"description\": \"x\","
    " \"attachments\": [{\"sha256\": \"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\","
    " \"name\": \"a.jpg\", \"media_type\": \"image/jpeg\", \"size\": 3, \"taken_at\": \"2026-03-01T21:14:00Z\"}]}";
  const char *bad =
    "{\"ward\": \"town\", \"category\": \"asb_youths\", \"description\": \"x\","
    " \"attachments\": [{\"sha256\": \"BA78\", \"name\": \"a.gif\", \"media_type\": \"image/gif\", \"size\": 99999999999},"
    " {\"name\": \"b.jpg\", \"media_type\": \"image/jpeg\", \"size\": 1, \"colour\": \"red\"}]}";

  node = json_from_string (good, &error);
  g_assert_no_error (error);
  fields = json_node_get_object (node);
  problems = bb_validate_record (profile, BB_KIND_PATROL_OBSERVATION, "2026-03-01T21:14:00Z", 2, fields, NULL);
  text = bb_problems_to_string (problems);
  g_assert_cmpstr (text, ==, "");
  g_clear_pointer (&problems, g_ptr_array_unref);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&node, json_node_unref);

  node = json_from_string (bad, &error);
  fields = json_node_get_object (node);
  problems = bb_validate_record (profile, BB_KIND_PATROL_OBSERVATION, "2026-03-01T21:14:00Z", 2, fields, NULL);
  text = bb_problems_to_string (problems);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "attachments[0].sha256"));
  g_assert_nonnull (strstr (text, "attachments[0].media_type"));
  g_assert_nonnull (strstr (text, "attachments[0].size"));
  g_assert_nonnull (strstr (text, "attachments[1].sha256"));
  g_assert_nonnull (strstr (text, "attachments[1].colour"));
}

/* The async wrapper (what the editor uses) */

typedef struct
{
  GCancellable *cancellable;
  gint64        cancel_at;   /* cancel once this much is done; 0: never */
  gint64        last_done;
  gint64        total;
  guint         calls;
} ProgressSeen;

/* In the worker thread. */
static void
on_progress (gint64   done,
             gint64   total,
             gpointer data)
{
  ProgressSeen *seen = data;

  g_assert_cmpint (done, >=, seen->last_done);
  g_assert_cmpint (done, <=, total);
  seen->last_done = done;
  seen->total = total;
  seen->calls++;
  if (seen->cancel_at > 0 && done >= seen->cancel_at)
    g_cancellable_cancel (seen->cancellable);
}

static void
on_imported (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

/* Runs the async import of @file and waits for its result. */
static BbAttachment *
import_async (Fixture       *f,
              GFile         *file,
              ProgressSeen  *seen,
              BbExifOffer   *offer,
              GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  bb_store_import_evidence_async (f->store, f->profile, 0, file, NULL, NULL,
                                  on_progress, seen, seen->cancellable, on_imported, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return bb_store_import_evidence_finish (f->store, result, offer, error);
}

/* @bytes written to @name in the test's folder. */
static GFile *
file_of_bytes (Fixture    *f,
               const char *name,
               GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL));
  return g_file_new_for_path (path);
}

static void
test_import_async_keeps_the_file (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GBytes) bytes = fake_png (11, 3 * 1024 * 1024 + 17);
  g_autoptr(GFile) file = file_of_bytes (f, "photo-async.png", bytes);
  g_autofree char *evidence_dir = bb_store_dup_evidence_dir (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(BbAttachment) attachment = NULL;
  g_autoptr(GBytes) back = NULL;
  g_auto(BbExifOffer) offer = { 0 };
  ProgressSeen seen = { 0 };

  attachment = import_async (f, file, &seen, &offer, &error);
  g_assert_no_error (error);
  g_assert_nonnull (attachment);
  g_assert_cmpstr (attachment->name, ==, "photo-async.png");
  g_assert_cmpint (attachment->size, ==, (gint64) g_bytes_get_size (bytes));

  /* Read, hashed and written: each counted, and all of it done. */
  g_assert_cmpint (seen.total, ==, 3 * (gint64) g_bytes_get_size (bytes));
  g_assert_cmpint (seen.last_done, ==, seen.total);
  g_assert_cmpuint (seen.calls, >=, 3 * 4);
  /* A PNG says nothing of when or where. */
  g_assert_null (offer.taken_at);
  g_assert_false (offer.has_position);

  back = bb_evidence_read (evidence_dir, attachment->sha256, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, bytes));
  g_assert_cmpuint (count_files (evidence_dir), ==, 1);
  g_assert_cmpint (bb_store_get_blob_state (f->store, attachment->sha256), ==, BB_BLOB_STATE_WAITING);
}

/* The async import hands back a photo's whole EXIF offer (the time and
 * the place), as read from the bytes it kept. */
static void
test_import_async_offers_exif (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GBytes) jpeg = jpeg_with_exif ("2026:07:01 21:14:00", TRUE);
  g_autoptr(GFile) file = file_of_bytes (f, "photo-gps.jpg", jpeg);
  g_autoptr(GError) error = NULL;
  g_autoptr(BbAttachment) attachment = NULL;
  g_auto(BbExifOffer) offer = { 0 };
  ProgressSeen seen = { 0 };

  attachment = import_async (f, file, &seen, &offer, &error);
  g_assert_no_error (error);
  g_assert_nonnull (attachment);
  g_assert_nonnull (offer.taken_at);
  g_assert_cmpstr (offer.taken_at, ==, attachment->taken_at);
  g_assert_true (offer.has_position);
  g_assert_cmpfloat_with_epsilon (offer.lat, 51.0 + 26.0 / 60 + 39.6 / 3600, 1e-6);
  g_assert_cmpfloat_with_epsilon (offer.lon, 13.0 / 60 + 8.4 / 3600, 1e-6);
}

/* A copy cut short by a quit leaves a temporary file: the next import
 * removes it once it is an hour old, and leaves a recent one alone (it may
 * be another copy under way). */
static void
test_import_removes_stale_temporary_files (Fixture       *f,
                                           gconstpointer  data)
{
  g_autofree char *evidence_dir = bb_store_dup_evidence_dir (f->store);
  g_autofree char *stale = g_build_filename (evidence_dir, ".incoming-stale1", NULL);
  g_autofree char *recent = g_build_filename (evidence_dir, ".incoming-recent", NULL);
  g_autoptr(GBytes) bytes = fake_png (14, 4000);
  g_autoptr(BbAttachment) attachment = NULL;
  g_autoptr(GError) error = NULL;
  struct utimbuf old = { 0 };

  g_assert_cmpint (g_mkdir_with_parents (evidence_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (stale, "half a photo", -1, NULL));
  g_assert_true (g_file_set_contents (recent, "half another", -1, NULL));
  old.actime = old.modtime = time (NULL) - 2 * 3600;
  g_assert_cmpint (g_utime (stale, &old), ==, 0);

  attachment = import (f, bytes, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (recent, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (evidence_dir), ==, 2);
}

/* Cancelled while the copy is being written: the temporary file goes, no
 * file is kept under the hash, and no row says it waits to upload. */
static void
test_import_async_cancelled_mid_copy_leaves_nothing (Fixture       *f,
                                                     gconstpointer  data)
{
  gsize size = 8 * 1024 * 1024 + 5;
  g_autoptr(GBytes) bytes = fake_png (12, size);
  g_autoptr(GFile) file = file_of_bytes (f, "big.png", bytes);
  g_autofree char *evidence_dir = bb_store_dup_evidence_dir (f->store);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BbAttachment) attachment = NULL;
  ProgressSeen seen = { 0 };

  /* Read and hashed, then 2 MiB into the writing. */
  seen.cancellable = cancellable;
  seen.cancel_at = 2 * (gint64) size + 2 * 1024 * 1024;
  attachment = import_async (f, file, &seen, NULL, &error);
  g_assert_null (attachment);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (seen.last_done, >=, seen.cancel_at);
  g_assert_cmpint (seen.last_done, <, seen.total);
  g_assert_cmpuint (count_files (evidence_dir), ==, 0);
  g_assert_cmpuint (bb_store_count_waiting_blobs (f->store), ==, 0);
  g_clear_error (&error);

  /* Cancelled while it is read. */
  g_cancellable_reset (cancellable);
  seen = (ProgressSeen) { cancellable, 1, 0, 0, 0 };
  attachment = import_async (f, file, &seen, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (seen.last_done, <=, (gint64) size);
  g_assert_cmpuint (count_files (evidence_dir), ==, 0);
  g_clear_error (&error);

  /* The blocking call (the cli's) hears a cancel too. */
  attachment = bb_store_import_evidence (f->store, f->profile, 0, file, NULL, NULL,
                                         cancellable, NULL, NULL, &error);
  g_assert_null (attachment);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (count_files (evidence_dir), ==, 0);
}

/* A refusal from the worker names the file and says why. */
static void
test_import_async_refusal_names_the_file (Fixture       *f,
                                          gconstpointer  data)
{
  g_autofree char *missing_path = g_build_filename (f->dir, "gone.jpg", NULL);
  g_autofree char *text_path = g_build_filename (f->dir, "notes.jpg", NULL);
  g_autofree char *evidence_dir = bb_store_dup_evidence_dir (f->store);
  g_autoptr(GFile) missing = g_file_new_for_path (missing_path);
  g_autoptr(GFile) text = g_file_new_for_path (text_path);
  g_autoptr(GError) error = NULL;
  g_autoptr(BbAttachment) attachment = NULL;
  ProgressSeen seen = { 0 };

  attachment = import_async (f, missing, &seen, NULL, &error);
  g_assert_null (attachment);
  g_assert_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "gone.jpg"));
  g_assert_nonnull (strstr (error->message, "No such file"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (text_path, "not a photo at all", -1, NULL));
  attachment = import_async (f, text, &seen, NULL, &error);
  g_assert_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_UNSUPPORTED_TYPE);
  g_assert_nonnull (strstr (error->message, "notes.jpg"));
  g_assert_cmpuint (count_files (evidence_dir), ==, 0);
}

/* A write that fails half-way (the file size limit stands in for a full
 * disk: the kernel refuses the rest of the bytes as it would with no space
 * left) names the file and why, and leaves no temporary file and no row. */
static void
test_import_async_write_failure_leaves_nothing (Fixture       *f,
                                                gconstpointer  data)
{
  gsize size = 6 * 1024 * 1024 + 3;
  g_autoptr(GBytes) bytes = fake_png (13, size);
  g_autoptr(GFile) file = file_of_bytes (f, "van.png", bytes);
  g_autofree char *evidence_dir = bb_store_dup_evidence_dir (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(BbAttachment) attachment = NULL;
  struct rlimit old_limit, limit;
  ProgressSeen seen = { 0 };
  void (*old_handler) (int);

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &old_limit), ==, 0);
  limit = old_limit;
  limit.rlim_cur = 2 * 1024 * 1024;
  old_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);

  attachment = import_async (f, file, &seen, NULL, &error);

  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &old_limit), ==, 0);
  signal (SIGXFSZ, old_handler);

  g_assert_null (attachment);
  g_assert_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "van.png"));
  g_assert_nonnull (strstr (error->message, g_strerror (EFBIG)));
  g_assert_cmpuint (count_files (evidence_dir), ==, 0);
  g_assert_cmpuint (bb_store_count_waiting_blobs (f->store), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/evidence/sniff/type-from-content-not-name", test_sniff_by_content);
  g_test_add_func ("/evidence/hash/sha256-of-the-bytes", test_sha256_of_bytes);
  g_test_add_func ("/evidence/exif/time-and-place-offered", test_exif_time_and_place_offered);
  g_test_add_func ("/evidence/exif/absent-or-partial", test_exif_absent_or_partial);
  g_test_add_func ("/evidence/validate/attachments-checked", test_validator_checks_attachments);
  g_test_add ("/evidence/store/import-keeps-bytes-unaltered-and-private", Fixture, NULL,
              fixture_setup, test_import_keeps_the_bytes_unaltered_and_private, fixture_teardown);
  g_test_add ("/evidence/store/import-async-keeps-the-file", Fixture, NULL,
              fixture_setup, test_import_async_keeps_the_file, fixture_teardown);
  g_test_add ("/evidence/store/import-async-offers-exif", Fixture, NULL,
              fixture_setup, test_import_async_offers_exif, fixture_teardown);
  g_test_add ("/evidence/store/import-async-cancelled-mid-copy-leaves-nothing", Fixture, NULL,
              fixture_setup, test_import_async_cancelled_mid_copy_leaves_nothing, fixture_teardown);
  g_test_add ("/evidence/store/import-async-refusal-names-the-file", Fixture, NULL,
              fixture_setup, test_import_async_refusal_names_the_file, fixture_teardown);
  g_test_add ("/evidence/store/import-removes-stale-temporary-files", Fixture, NULL,
              fixture_setup, test_import_removes_stale_temporary_files, fixture_teardown);
  g_test_add ("/evidence/store/import-async-write-failure-leaves-nothing", Fixture, NULL,
              fixture_setup, test_import_async_write_failure_leaves_nothing, fixture_teardown);
  g_test_add ("/evidence/store/import-refuses-before-storing", Fixture, NULL,
              fixture_setup, test_import_refuses_before_storing, fixture_teardown);
  g_test_add ("/evidence/store/file-kept-until-no-record-lists-it", Fixture, NULL,
              fixture_setup, test_file_kept_until_no_record_lists_it, fixture_teardown);
  g_test_add ("/evidence/store/draft-keeps-its-files-across-a-crash", Fixture, NULL,
              fixture_setup, test_draft_keeps_its_files_across_a_crash, fixture_teardown);
  g_test_add ("/evidence/store/wipe-removes-the-files", Fixture, NULL,
              fixture_setup, test_wipe_removes_the_files, fixture_teardown);
  g_test_add ("/evidence/store/fetched-copy-checked-against-its-hash", Fixture, NULL,
              fixture_setup, test_fetched_copy_checked_against_its_hash, fixture_teardown);

  return g_test_run ();
}
