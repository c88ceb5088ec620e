/* bb-evidence.c: photos and files attached to records, kept unaltered
 *
 * A file is evidence: the SHA-256 taken when it is attached is what proves,
 * later, that nobody changed it. So the bytes are kept exactly as they came,
 * named by that hash, outside the database (one directory per signed-in
 * user, owner-only), and every write goes to a temporary file that is synced
 * and renamed, so a crash leaves either the whole file or none under its name.
 * The type is read from the bytes (magic numbers), never from a file name.
 *
 * EXIF is read with libexif: a small C library that only parses, which is
 * all that is needed here (gexiv2 would bring exiv2's C++ runtime for
 * writing support Beatbook must never use on evidence).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libexif/exif-data.h>

#include "bb-evidence.h"
#include "bb-i18n.h"
#include "bb-time.h"

G_DEFINE_QUARK (bb-evidence-error-quark, bb_evidence_error)

static const char * const known_types[] = {
  "image/jpeg", "image/png", "application/pdf", NULL
};

void
bb_attachment_free (BbAttachment *attachment)
{
  if (attachment == NULL)
    return;

  g_free (attachment->sha256);
  g_free (attachment->name);
  g_free (attachment->media_type);
  g_free (attachment->taken_at);
  g_free (attachment);
}

BbAttachment *
bb_attachment_copy (const BbAttachment *attachment)
{
  BbAttachment *copy;

  g_return_val_if_fail (attachment != NULL, NULL);

  copy = g_new0 (BbAttachment, 1);
  copy->sha256 = g_strdup (attachment->sha256);
  copy->name = g_strdup (attachment->name);
  copy->media_type = g_strdup (attachment->media_type);
  copy->size = attachment->size;
  copy->taken_at = g_strdup (attachment->taken_at);

  return copy;
}

void
bb_exif_offer_clear (BbExifOffer *offer)
{
  g_clear_pointer (&offer->taken_at, g_free);
  offer->has_position = FALSE;
  offer->lat = offer->lon = 0;
}

/* Types */

const char *
bb_evidence_sniff (const guint8 *data,
                   gsize         length)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  if (data == NULL)
    return NULL;
  if (length >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
    return "image/jpeg";
  if (length >= sizeof png && memcmp (data, png, sizeof png) == 0)
    return "image/png";
  if (length >= 5 && memcmp (data, "%PDF-", 5) == 0)
    return "application/pdf";

  return NULL;
}

gboolean
bb_evidence_media_type_is_known (const char *media_type)
{
  return media_type != NULL && g_strv_contains (known_types, media_type);
}

char *
bb_evidence_sha256 (const guint8 *data,
                    gsize         length)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, length);
}

gboolean
bb_evidence_sha256_is_valid (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;

  return TRUE;
}

/* EXIF */

static gboolean
exif_rational_degrees (ExifEntry *entry,
                       ExifByteOrder order,
                       double    *out)
{
  double parts[3];

  if (entry == NULL || entry->format != EXIF_FORMAT_RATIONAL ||
      entry->components != 3 || entry->size < 24)
    return FALSE;

  for (guint i = 0; i < 3; i++)
    {
      ExifRational r = exif_get_rational (entry->data + 8 * i, order);

      if (r.denominator == 0)
        return FALSE;
      parts[i] = (double) r.numerator / (double) r.denominator;
    }
  *out = parts[0] + parts[1] / 60.0 + parts[2] / 3600.0;
  return TRUE;
}

static char
exif_ref (ExifEntry *entry)
{
  if (entry == NULL || entry->format != EXIF_FORMAT_ASCII || entry->size < 1)
    return '\0';
  return g_ascii_toupper ((char) entry->data[0]);
}

static char *
exif_time (ExifData  *exif,
           GTimeZone *zone)
{
  ExifEntry *entry = exif_content_get_entry (exif->ifd[EXIF_IFD_EXIF], EXIF_TAG_DATE_TIME_ORIGINAL);
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) local = NULL;
  int y, mo, d, h, mi, s;

  if (entry == NULL)
    entry = exif_content_get_entry (exif->ifd[EXIF_IFD_0], EXIF_TAG_DATE_TIME);
  if (entry == NULL || entry->format != EXIF_FORMAT_ASCII || entry->size < 19)
    return NULL;

  /* "2026:03:01 21:14:00": no zone in the field; cameras keep local time. */
  text = g_strndup ((const char *) entry->data, entry->size);
  if (sscanf (text, "%4d:%2d:%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6)
    return NULL;
  local = g_date_time_new (zone, y, mo, d, h, mi, s);
  if (local == NULL)
    return NULL;

  return bb_time_format_iso (local);
}

gboolean
bb_evidence_read_exif (const guint8 *data,
                       gsize         length,
                       GTimeZone    *zone,
                       BbExifOffer  *offer)
{
  ExifData *exif;
  ExifByteOrder order;
  ExifContent *gps;
  double lat, lon;
  char lat_ref, lon_ref;

  g_return_val_if_fail (offer != NULL, FALSE);

  memset (offer, 0, sizeof *offer);
  if (data == NULL || g_strcmp0 (bb_evidence_sniff (data, length), "image/jpeg") != 0)
    return FALSE;
  if (length > G_MAXUINT)
    return FALSE;

  exif = exif_data_new_from_data (data, (unsigned int) length);
  if (exif == NULL)
    return FALSE;

  order = exif_data_get_byte_order (exif);
  offer->taken_at = exif_time (exif, zone);

  gps = exif->ifd[EXIF_IFD_GPS];
  lat_ref = exif_ref (exif_content_get_entry (gps, (ExifTag) EXIF_TAG_GPS_LATITUDE_REF));
  lon_ref = exif_ref (exif_content_get_entry (gps, (ExifTag) EXIF_TAG_GPS_LONGITUDE_REF));
  if (exif_rational_degrees (exif_content_get_entry (gps, (ExifTag) EXIF_TAG_GPS_LATITUDE), order, &lat) &&
      exif_rational_degrees (exif_content_get_entry (gps, (ExifTag) EXIF_TAG_GPS_LONGITUDE), order, &lon) &&
      (lat_ref == 'N' || lat_ref == 'S') && (lon_ref == 'E' || lon_ref == 'W') &&
      lat <= 90.0 && lon <= 180.0)
    {
      offer->has_position = TRUE;
      offer->lat = lat_ref == 'S' ? -lat : lat;
      offer->lon = lon_ref == 'W' ? -lon : lon;
    }

  exif_data_unref (exif);
  return offer->taken_at != NULL || offer->has_position;
}

/* Files */

char *
bb_evidence_dir_for_store (const char *db_path)
{
  g_autofree char *parent = NULL;

  g_return_val_if_fail (db_path != NULL, NULL);

  parent = g_path_get_dirname (db_path);
  return g_build_filename (parent, "evidence", NULL);
}

char *
bb_evidence_path (const char *dir,
                  const char *sha256)
{
  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (bb_evidence_sha256_is_valid (sha256), NULL);

  return g_build_filename (dir, sha256, NULL);
}

gboolean
bb_evidence_has (const char *dir,
                 const char *sha256)
{
  g_autofree char *path = NULL;

  if (!bb_evidence_sha256_is_valid (sha256))
    return FALSE;
  path = bb_evidence_path (dir, sha256);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static gboolean
ensure_dir (const char  *dir,
            GError     **error)
{
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_FAILED,
                   _("Cannot create “%s”: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  /* Made by an older run or by hand: evidence is for its owner only. */
  if (g_chmod (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_FAILED,
                   _("Cannot make “%s” private: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Work is done in pieces of this size, so a cancel is noticed soon and the
 * progress moves: a 20 MiB photo is twenty steps of reading, hashing and
 * writing each. */
#define IMPORT_CHUNK (1024 * 1024)

/* How far an import is, for its progress callback: reading, hashing and
 * writing each count the file's size once. */
typedef struct
{
  BbEvidenceProgressFunc  func;
  gpointer                data;
  gint64                  done;
  gint64                  total;
} Progress;

static void
progress_add (Progress *progress,
              gint64    n)
{
  progress->done += n;
  if (progress->func != NULL)
    progress->func (MIN (progress->done, progress->total), progress->total, progress->data);
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         length,
           GCancellable *cancellable,
           Progress     *progress)
{
  while (length > 0)
    {
      gssize n;

      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      n = write (fd, data, MIN (length, IMPORT_CHUNK));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          /* write() said nothing in errno when it wrote nothing. */
          if (n == 0)
            errno = ENOSPC;
          return FALSE;
        }
      data += n;
      length -= (gsize) n;
      if (progress != NULL)
        progress_add (progress, n);
    }
  return TRUE;
}

static void
sync_dir (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  /* The rename is durable only once the directory is. */
  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

/* A copy cut short by a crash or a quit (nothing could remove it then)
 * leaves a temporary file nothing lists: gone when an hour old. */
static void
remove_stale_incoming (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  gint64 cutoff = g_get_real_time () / G_USEC_PER_SEC - 3600;
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf st;

      if (!g_str_has_prefix (name, ".incoming-"))
        continue;
      path = g_build_filename (dir, name, NULL);
      if (g_stat (path, &st) == 0 && (gint64) st.st_mtime < cutoff)
        g_unlink (path);
    }
}

/* Writes @bytes as @dir/@sha256: temporary file, fsync, rename. @name is
 * the file as the person knows it, for messages. A cancel before the rename
 * removes the temporary file: nothing half-copied is ever left, and nothing
 * is kept under the hash unless it is whole. */
static gboolean
write_file (const char    *dir,
            const char    *sha256,
            const char    *name,
            GBytes        *bytes,
            GCancellable  *cancellable,
            Progress      *progress,
            GError       **error)
{
  g_autofree char *path = NULL;
  g_autofree char *tmp = NULL;
  const guint8 *data;
  gsize length;
  int fd, saved;

  if (!ensure_dir (dir, error))
    return FALSE;
  path = bb_evidence_path (dir, sha256);
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return TRUE;

  remove_stale_incoming (dir);
  tmp = g_build_filename (dir, ".incoming-XXXXXX", NULL);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_FAILED,
                   _("Cannot keep “%s”: cannot write in “%s”: %s"), name, dir, g_strerror (saved));
      return FALSE;
    }

  data = g_bytes_get_data (bytes, &length);
  if (!write_all (fd, data, length, cancellable, progress) || fsync (fd) != 0)
    {
      saved = errno;
      close (fd);
      g_unlink (tmp);
      if (!g_cancellable_set_error_if_cancelled (cancellable, error))
        g_set_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_FAILED,
                     _("Cannot keep “%s”: %s"), name, g_strerror (saved));
      return FALSE;
    }
  close (fd);

  /* The last moment a cancel is heeded: after the rename the file is kept. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_unlink (tmp);
      return FALSE;
    }
  if (g_rename (tmp, path) != 0)
    {
      saved = errno;
      g_unlink (tmp);
      g_set_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_FAILED,
                   _("Cannot keep “%s” in “%s”: %s"), name, dir, g_strerror (saved));
      return FALSE;
    }
  sync_dir (dir);

  return TRUE;
}

static gint64
max_bytes (BbProfile *profile)
{
  gint64 max = profile != NULL ? bb_profile_get_max_attachment_bytes (profile) : 0;

  return max > 0 ? max : BB_EVIDENCE_DEFAULT_MAX_BYTES;
}

static guint
max_count (BbProfile *profile)
{
  int max = profile != NULL ? bb_profile_get_max_attachments (profile) : 0;

  return max > 0 ? (guint) max : BB_EVIDENCE_DEFAULT_MAX_COUNT;
}

static char *
format_size (gint64 bytes)
{
  return g_format_size_full ((guint64) bytes, G_FORMAT_SIZE_IEC_UNITS);
}

static gboolean
check_count (BbProfile  *profile,
             guint       n_attached,
             GError    **error)
{
  guint max = max_count (profile);

  if (n_attached >= max)
    {
      g_set_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_TOO_MANY,
                   g_dngettext (GETTEXT_PACKAGE,
                                "A record holds at most %u file; remove one before attaching another.",
                                "A record holds at most %u files; remove one before attaching another.",
                                max),
                   max);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_size (BbProfile   *profile,
            const char  *name,
            gint64       size,
            GError     **error)
{
  gint64 max = max_bytes (profile);

  if (size == 0)
    {
      g_set_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_EMPTY,
                   _("“%s” is empty: there is nothing to attach."), name);
      return FALSE;
    }
  if (size > max)
    {
      g_autofree char *have = format_size (size);
      g_autofree char *limit = format_size (max);

      g_set_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_TOO_LARGE,
                   _("“%s” is %s; files of up to %s can be attached."), name, have, limit);
      return FALSE;
    }
  return TRUE;
}

/* SHA-256 a piece at a time, so a cancel is heard during a large file. */
static char *
hash_bytes (const guint8  *data,
            gsize          length,
            GCancellable  *cancellable,
            Progress      *progress,
            GError       **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  for (gsize at = 0; at < length; at += IMPORT_CHUNK)
    {
      gsize n = MIN (length - at, IMPORT_CHUNK);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      g_checksum_update (checksum, data + at, (gssize) n);
      progress_add (progress, (gint64) n);
    }
  return g_strdup (g_checksum_get_string (checksum));
}

static BbAttachment *
import_bytes (const char    *dir,
              BbProfile     *profile,
              guint          n_attached,
              const char    *name,
              GBytes        *bytes,
              GCancellable  *cancellable,
              Progress      *progress,
              BbExifOffer   *offer,
              GError       **error)
{
  g_autoptr(BbAttachment) attachment = NULL;
  g_auto(BbExifOffer) exif = { 0 };
  g_autoptr(GTimeZone) zone = NULL;
  const char *media_type;
  const guint8 *data;
  gsize length;

  data = g_bytes_get_data (bytes, &length);
  if (!check_count (profile, n_attached, error) ||
      !check_size (profile, name, (gint64) length, error))
    return NULL;

  media_type = bb_evidence_sniff (data, length);
  if (media_type == NULL)
    {
      g_set_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_UNSUPPORTED_TYPE,
                   _("“%s” is not a JPEG or PNG photo or a PDF document; only those can be attached."),
                   name);
      return NULL;
    }

  attachment = g_new0 (BbAttachment, 1);
  attachment->sha256 = hash_bytes (data, length, cancellable, progress, error);
  if (attachment->sha256 == NULL)
    return NULL;
  attachment->name = g_strdup (name);
  attachment->media_type = g_strdup (media_type);
  attachment->size = (gint64) length;

  zone = profile != NULL ? bb_time_zone_local (bb_profile_get_timezone (profile)) : g_time_zone_new_utc ();
  if (bb_evidence_read_exif (data, length, zone, &exif))
    attachment->taken_at = g_strdup (exif.taken_at);

  if (!write_file (dir, attachment->sha256, name, bytes, cancellable, progress, error))
    return NULL;

  if (offer != NULL)
    {
      bb_exif_offer_clear (offer);
      *offer = exif;
      memset (&exif, 0, sizeof exif);
    }

  return g_steal_pointer (&attachment);
}

BbAttachment *
bb_evidence_import_bytes (const char              *dir,
                          BbProfile               *profile,
                          guint                    n_attached,
                          const char              *name,
                          GBytes                  *bytes,
                          GCancellable            *cancellable,
                          BbEvidenceProgressFunc   progress_func,
                          gpointer                 progress_data,
                          BbExifOffer             *offer,
                          GError                 **error)
{
  Progress progress = { progress_func, progress_data, 0, 0 };

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  /* Hashed and written: the bytes are in memory already. */
  progress.total = 2 * (gint64) g_bytes_get_size (bytes);
  return import_bytes (dir, profile, n_attached, name, bytes, cancellable, &progress,
                       offer, error);
}

/* Reads @file whole, a piece at a time; never more than @max bytes (a file
 * that grew since its size was checked is refused as too large). */
static GBytes *
read_file (GFile         *file,
           const char    *name,
           gint64         size,
           gint64         max,
           GCancellable  *cancellable,
           Progress      *progress,
           GError       **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GByteArray) buffer = NULL;
  g_autoptr(GError) local_error = NULL;

  stream = g_file_read (file, cancellable, &local_error);
  if (stream == NULL)
    goto failed;

  /* Room for the end-of-file read too: no reallocation on the way. */
  buffer = g_byte_array_sized_new ((guint) MIN (size, max) + IMPORT_CHUNK);
  for (;;)
    {
      guint at = buffer->len;
      gssize n;

      g_byte_array_set_size (buffer, at + IMPORT_CHUNK);
      n = g_input_stream_read (G_INPUT_STREAM (stream), buffer->data + at, IMPORT_CHUNK,
                               cancellable, &local_error);
      if (n < 0)
        goto failed;
      g_byte_array_set_size (buffer, at + (guint) n);
      if (n == 0)
        break;
      if ((gint64) buffer->len > max)
        {
          g_autofree char *limit = g_format_size_full ((guint64) max, G_FORMAT_SIZE_IEC_UNITS);

          g_set_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_TOO_LARGE,
                       _("“%s” is larger than %s, the most that can be attached."), name, limit);
          return NULL;
        }
      progress_add (progress, n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&buffer));

failed:
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    g_set_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_FAILED,
                 _("Cannot read “%s”: %s"), name, local_error->message);
  return NULL;
}

BbAttachment *
bb_evidence_import_file (const char              *dir,
                         BbProfile               *profile,
                         guint                    n_attached,
                         GFile                   *file,
                         GCancellable            *cancellable,
                         BbEvidenceProgressFunc   progress_func,
                         gpointer                 progress_data,
                         BbExifOffer             *offer,
                         GError                 **error)
{
  Progress progress = { progress_func, progress_data, 0, 0 };
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;
  gint64 size;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  info = g_file_query_info (file,
                            G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                            G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                            G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, cancellable, &local_error);
  if (info == NULL)
    {
      g_autofree char *shown = g_file_get_parse_name (file);

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_FAILED,
                     _("Cannot read “%s”: %s"), shown, local_error->message);
      return NULL;
    }
  name = g_strdup (g_file_info_get_display_name (info));
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_FAILED,
                   _("“%s” is not a file."), name);
      return NULL;
    }

  /* Refused before a byte is read: a 4 GB video never reaches memory. */
  size = g_file_info_get_size (info);
  if (!check_count (profile, n_attached, error) ||
      !check_size (profile, name, size, error))
    return NULL;

  /* Read, hashed and written. */
  progress.total = 3 * size;
  bytes = read_file (file, name, size, max_bytes (profile), cancellable, &progress, error);
  if (bytes == NULL)
    return NULL;
  /* It may have shrunk since: count what is there. */
  progress.total = progress.done + 2 * (gint64) g_bytes_get_size (bytes);

  return import_bytes (dir, profile, n_attached, name, bytes, cancellable, &progress,
                       offer, error);
}

gboolean
bb_evidence_store_fetched (const char  *dir,
                           const char  *sha256,
                           GBytes      *bytes,
                           GError     **error)
{
  g_autofree char *actual = NULL;
  const guint8 *data;
  gsize length;

  g_return_val_if_fail (bb_evidence_sha256_is_valid (sha256), FALSE);

  data = g_bytes_get_data (bytes, &length);
  actual = bb_evidence_sha256 (data, length);
  if (!g_str_equal (actual, sha256))
    {
      g_set_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_HASH_MISMATCH,
                   _("The file received is not the one the record lists (its SHA-256 differs); it was not kept."));
      return FALSE;
    }

  return write_file (dir, sha256, sha256, bytes, NULL, NULL, error);
}

GBytes *
bb_evidence_read (const char  *dir,
                  const char  *sha256,
                  GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!bb_evidence_sha256_is_valid (sha256))
    {
      g_set_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_NOT_FOUND,
                   _("“%s” is not a SHA-256."), sha256 != NULL ? sha256 : "");
      return NULL;
    }
  path = bb_evidence_path (dir, sha256);
  mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (mapped == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_NOT_FOUND,
                     _("This device does not hold the file yet."));
      else
        g_set_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_FAILED,
                     _("Cannot read the file: %s"), local_error->message);
      return NULL;
    }

  return g_mapped_file_get_bytes (mapped);
}

gboolean
bb_evidence_remove (const char  *dir,
                    const char  *sha256,
                    GError     **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (bb_evidence_sha256_is_valid (sha256), FALSE);

  path = bb_evidence_path (dir, sha256);
  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved = errno;

      g_set_error (error, BB_EVIDENCE_ERROR, BB_EVIDENCE_ERROR_FAILED,
                   _("Cannot remove “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* The wire */

JsonObject *
bb_attachment_to_json (const BbAttachment *attachment)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "sha256", attachment->sha256);
  json_object_set_string_member (object, "name", attachment->name);
  json_object_set_string_member (object, "media_type", attachment->media_type);
  json_object_set_int_member (object, "size", attachment->size);
  if (attachment->taken_at != NULL)
    json_object_set_string_member (object, "taken_at", attachment->taken_at);

  return object;
}

GPtrArray *
bb_attachments_from_fields (JsonObject *fields)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) bb_attachment_free);
  JsonNode *node = fields != NULL ? json_object_get_member (fields, "attachments") : NULL;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return out;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *object;
      BbAttachment *attachment;
      const char *sha256;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      object = json_node_get_object (element);
      sha256 = json_object_get_string_member_with_default (object, "sha256", NULL);
      if (!bb_evidence_sha256_is_valid (sha256))
        continue;

      attachment = g_new0 (BbAttachment, 1);
      attachment->sha256 = g_strdup (sha256);
      attachment->name = g_strdup (json_object_get_string_member_with_default (object, "name", ""));
      attachment->media_type = g_strdup (json_object_get_string_member_with_default (object, "media_type", ""));
      attachment->size = json_object_get_int_member_with_default (object, "size", 0);
      attachment->taken_at = g_strdup (json_object_get_string_member_with_default (object, "taken_at", NULL));
      g_ptr_array_add (out, attachment);
    }

  return out;
}

void
bb_attachments_set_in_fields (JsonObject *fields,
                              GPtrArray  *attachments)
{
  JsonArray *array;

  g_return_if_fail (fields != NULL);

  if (attachments == NULL || attachments->len == 0)
    {
      json_object_remove_member (fields, "attachments");
      return;
    }

  array = json_array_sized_new (attachments->len);
  for (guint i = 0; i < attachments->len; i++)
    json_array_add_object_element (array, bb_attachment_to_json (attachments->pdata[i]));
  json_object_set_array_member (fields, "attachments", array);
}
