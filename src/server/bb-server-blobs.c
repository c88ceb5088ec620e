/* bb-server-blobs.c: evidence files on the server, named by their SHA-256
 *
 * Files live on disk beside the database, not in it: "DB.blobs/SHA256" for
 * a whole file, "DB.blobs/partial/SHA256" while an upload is under way.
 * Parts are appended to the partial file as they arrive (so a dropped
 * connection loses nothing already received, and HEAD can tell the client
 * where to go on from); only once the last byte is in is the file hashed,
 * and only a file whose hash is its name is renamed into place. A crash
 * therefore never leaves a half file under a good name.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "bb-evidence.h"
#include "bb-i18n.h"
#include "bb-server-blobs.h"

struct _BbServerBlobs
{
  char *dir;
  char *partial_dir;
};

struct _BbBlobUpload
{
  int    fd;
  gint64 offset;
};

G_DEFINE_QUARK (bb-server-blobs-error-quark, bb_server_blobs_error)

static gboolean
fail_errno (GError     **error,
            int          saved,
            const char  *what,
            const char  *path)
{
  g_set_error (error, BB_SERVER_BLOBS_ERROR, BB_SERVER_BLOBS_ERROR_FAILED,
               "%s “%s”: %s", what, path, g_strerror (saved));
  return FALSE;
}

static void
sync_dir (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

char *
bb_server_blobs_dir_for_db (const char *db_path)
{
  g_return_val_if_fail (db_path != NULL, NULL);

  return g_strconcat (db_path, ".blobs", NULL);
}

BbServerBlobs *
bb_server_blobs_open (const char  *dir,
                      GError     **error)
{
  g_autoptr(BbServerBlobs) self = g_new0 (BbServerBlobs, 1);

  g_return_val_if_fail (dir != NULL, NULL);

  self->dir = g_strdup (dir);
  self->partial_dir = g_build_filename (dir, "partial", NULL);
  if (g_mkdir_with_parents (self->partial_dir, 0700) != 0)
    {
      fail_errno (error, errno, _("Cannot create"), self->partial_dir);
      return NULL;
    }
  if (g_chmod (self->dir, 0700) != 0)
    {
      fail_errno (error, errno, _("Cannot make private"), self->dir);
      return NULL;
    }

  return g_steal_pointer (&self);
}

void
bb_server_blobs_free (BbServerBlobs *self)
{
  if (self == NULL)
    return;

  g_free (self->dir);
  g_free (self->partial_dir);
  g_free (self);
}

const char *
bb_server_blobs_get_dir (BbServerBlobs *self)
{
  return self->dir;
}

static char *
whole_path (BbServerBlobs *self,
            const char    *sha256)
{
  return g_build_filename (self->dir, sha256, NULL);
}

static char *
partial_path (BbServerBlobs *self,
              const char    *sha256)
{
  return g_build_filename (self->partial_dir, sha256, NULL);
}

gboolean
bb_server_blobs_has (BbServerBlobs *self,
                     const char    *sha256,
                     gint64        *size)
{
  g_autofree char *path = NULL;
  GStatBuf st;

  g_return_val_if_fail (bb_evidence_sha256_is_valid (sha256), FALSE);

  path = whole_path (self, sha256);
  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return FALSE;
  if (size != NULL)
    *size = (gint64) st.st_size;
  return TRUE;
}

gint64
bb_server_blobs_partial_size (BbServerBlobs *self,
                              const char    *sha256)
{
  g_autofree char *path = NULL;
  GStatBuf st;

  g_return_val_if_fail (bb_evidence_sha256_is_valid (sha256), 0);

  path = partial_path (self, sha256);
  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return 0;
  return (gint64) st.st_size;
}

BbBlobUpload *
bb_server_blobs_upload_begin (BbServerBlobs  *self,
                              const char     *sha256,
                              gint64          start,
                              GError        **error)
{
  g_autofree char *path = NULL;
  BbBlobUpload *upload;
  gint64 held;
  int fd;

  g_return_val_if_fail (bb_evidence_sha256_is_valid (sha256), NULL);
  g_return_val_if_fail (start >= 0, NULL);

  held = bb_server_blobs_partial_size (self, sha256);
  if (start > held)
    {
      g_set_error (error, BB_SERVER_BLOBS_ERROR, BB_SERVER_BLOBS_ERROR_OFFSET,
                   _("This part starts at byte %lld, but the server holds %lld bytes of the file: go on from there."),
                   (long long) start, (long long) held);
      return NULL;
    }

  path = partial_path (self, sha256);
  fd = g_open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      fail_errno (error, errno, _("Cannot write"), path);
      return NULL;
    }
  /* A part sent again (the answer to the first was lost) replaces what
   * followed it: the hash at the end judges the whole. */
  if (ftruncate (fd, (off_t) start) != 0 || lseek (fd, (off_t) start, SEEK_SET) < 0)
    {
      int saved = errno;

      close (fd);
      fail_errno (error, saved, _("Cannot write"), path);
      return NULL;
    }

  upload = g_new0 (BbBlobUpload, 1);
  upload->fd = fd;
  upload->offset = start;
  return upload;
}

gboolean
bb_blob_upload_write (BbBlobUpload  *upload,
                      const guint8  *data,
                      gsize          length,
                      GError       **error)
{
  while (length > 0)
    {
      gssize n = write (upload->fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return fail_errno (error, errno, _("Cannot write"), _("an upload"));
      data += n;
      length -= (gsize) n;
      upload->offset += n;
    }
  return TRUE;
}

gint64
bb_blob_upload_get_offset (BbBlobUpload *upload)
{
  return upload->offset;
}

gboolean
bb_blob_upload_sync (BbBlobUpload  *upload,
                     GError       **error)
{
  if (fsync (upload->fd) != 0)
    return fail_errno (error, errno, _("Cannot write"), _("an upload"));
  return TRUE;
}

void
bb_blob_upload_free (BbBlobUpload *upload)
{
  if (upload == NULL)
    return;

  if (upload->fd >= 0)
    close (upload->fd);
  g_free (upload);
}

/* Hashes the file at @path, and reads its first bytes for the type. */
static char *
hash_file (const char    *path,
           const char   **media_type,
           GError       **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 buffer[64 * 1024];
  gboolean first = TRUE;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      fail_errno (error, errno, _("Cannot read"), path);
      return NULL;
    }
  *media_type = NULL;
  for (;;)
    {
      gssize n = read (fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          close (fd);
          fail_errno (error, saved, _("Cannot read"), path);
          return NULL;
        }
      if (n == 0)
        break;
      if (first)
        *media_type = bb_evidence_sniff (buffer, (gsize) n);
      first = FALSE;
      g_checksum_update (checksum, buffer, n);
    }
  close (fd);

  return g_strdup (g_checksum_get_string (checksum));
}

gboolean
bb_server_blobs_finish (BbServerBlobs  *self,
                        const char     *sha256,
                        char          **media_type,
                        GError        **error)
{
  g_autofree char *partial = NULL;
  g_autofree char *whole = NULL;
  g_autofree char *actual = NULL;
  const char *sniffed = NULL;

  g_return_val_if_fail (bb_evidence_sha256_is_valid (sha256), FALSE);

  partial = partial_path (self, sha256);
  whole = whole_path (self, sha256);
  actual = hash_file (partial, &sniffed, error);
  if (actual == NULL)
    return FALSE;

  if (!g_str_equal (actual, sha256))
    {
      g_unlink (partial);
      g_set_error (error, BB_SERVER_BLOBS_ERROR, BB_SERVER_BLOBS_ERROR_HASH_MISMATCH,
                   _("The bytes received hash to %s, not to the SHA-256 in the address; nothing was kept."),
                   actual);
      return FALSE;
    }
  if (sniffed == NULL)
    {
      g_unlink (partial);
      g_set_error (error, BB_SERVER_BLOBS_ERROR, BB_SERVER_BLOBS_ERROR_UNSUPPORTED_TYPE,
                   _("The file is not a JPEG or PNG photo or a PDF document (judged by its content); nothing was kept."));
      return FALSE;
    }

  if (g_rename (partial, whole) != 0)
    return fail_errno (error, errno, _("Cannot keep"), whole);
  sync_dir (self->dir);

  if (media_type != NULL)
    *media_type = g_strdup (sniffed);
  return TRUE;
}

void
bb_server_blobs_discard (BbServerBlobs *self,
                         const char    *sha256)
{
  g_autofree char *path = NULL;

  g_return_if_fail (bb_evidence_sha256_is_valid (sha256));

  path = partial_path (self, sha256);
  g_unlink (path);
}

GBytes *
bb_server_blobs_read (BbServerBlobs  *self,
                      const char     *sha256,
                      char          **media_type,
                      GError        **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local_error = NULL;
  GBytes *bytes;
  const guint8 *data;
  gsize length;

  g_return_val_if_fail (bb_evidence_sha256_is_valid (sha256), NULL);

  path = whole_path (self, sha256);
  mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (mapped == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, BB_SERVER_BLOBS_ERROR, BB_SERVER_BLOBS_ERROR_NOT_FOUND,
                     _("The server holds no such file."));
      else
        g_set_error (error, BB_SERVER_BLOBS_ERROR, BB_SERVER_BLOBS_ERROR_FAILED,
                     "%s", local_error->message);
      return NULL;
    }

  bytes = g_mapped_file_get_bytes (mapped);
  data = g_bytes_get_data (bytes, &length);
  if (media_type != NULL)
    *media_type = g_strdup (bb_evidence_sniff (data, length));
  return bytes;
}

static gboolean
remove_whole (BbServerBlobs  *self,
              const char     *sha256,
              GError        **error)
{
  g_autofree char *path = whole_path (self, sha256);

  if (g_unlink (path) != 0 && errno != ENOENT)
    return fail_errno (error, errno, _("Cannot remove"), path);
  return TRUE;
}

/* Whether a record other than @except lists @sha256. */
static gboolean
is_listed (BbServerStore  *store,
           const char     *sha256,
           const char     *except,
           gboolean       *listed,
           GError        **error)
{
  g_autofree char *record_id = NULL;
  BbServerScope anyone = { NULL, TRUE, NULL };

  if (!bb_server_store_blob_find (store, sha256, &anyone, except, &record_id, error))
    return FALSE;
  *listed = record_id != NULL;
  return TRUE;
}

guint
bb_server_blobs_drop_unlisted (BbServerBlobs  *self,
                               BbServerStore  *store,
                               GPtrArray      *hashes,
                               GError        **error)
{
  guint n = 0;

  for (guint i = 0; hashes != NULL && i < hashes->len; i++)
    {
      const char *sha256 = hashes->pdata[i];
      gboolean listed = TRUE;

      if (!bb_evidence_sha256_is_valid (sha256))
        continue;
      if (!is_listed (store, sha256, NULL, &listed, error))
        return n;
      if (!listed && bb_server_blobs_has (self, sha256, NULL))
        {
          if (!remove_whole (self, sha256, error))
            return n;
          n++;
        }
    }
  return n;
}

gint
bb_server_blobs_erase_record (BbServerBlobs  *self,
                              BbServerStore  *store,
                              const char     *record_id,
                              GError        **error)
{
  g_autoptr(GPtrArray) hashes = NULL;
  gint n = 0;

  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (record_id != NULL, -1);

  hashes = bb_server_store_record_blobs (store, record_id, error);
  if (hashes == NULL)
    return -1;

  for (guint i = 0; i < hashes->len; i++)
    {
      const char *sha256 = hashes->pdata[i];
      gboolean listed = TRUE;

      if (!is_listed (store, sha256, record_id, &listed, error))
        return -1;
      if (!listed && bb_server_blobs_has (self, sha256, NULL))
        {
          if (!remove_whole (self, sha256, error))
            return -1;
          n++;
        }
    }
  return n;
}

static gboolean
older_than (const char *path,
            gint64      cutoff)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 && (gint64) st.st_mtime < cutoff;
}

gint
bb_server_blobs_sweep (BbServerBlobs  *self,
                       BbServerStore  *store,
                       gint64          max_age_seconds,
                       GError        **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GDir) partial = NULL;
  gint64 cutoff = g_get_real_time () / G_USEC_PER_SEC - max_age_seconds;
  const char *name;
  gint n = 0;

  g_return_val_if_fail (self != NULL, -1);

  dir = g_dir_open (self->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      gboolean listed = TRUE;

      if (!bb_evidence_sha256_is_valid (name))
        continue;
      path = whole_path (self, name);
      if (!older_than (path, cutoff))
        continue;
      if (!is_listed (store, name, NULL, &listed, error))
        return -1;
      if (!listed)
        {
          if (!remove_whole (self, name, error))
            return -1;
          n++;
        }
    }

  partial = g_dir_open (self->partial_dir, 0, NULL);
  while (partial != NULL && (name = g_dir_read_name (partial)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->partial_dir, name, NULL);

      if (older_than (path, cutoff) && g_unlink (path) == 0)
        n++;
    }

  return n;
}
