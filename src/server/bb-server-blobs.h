/* bb-server-blobs.h: evidence files on the server, named by their SHA-256
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "bb-server-store.h"

G_BEGIN_DECLS

#define BB_SERVER_BLOBS_ERROR (bb_server_blobs_error_quark ())

typedef enum {
  BB_SERVER_BLOBS_ERROR_FAILED,           /* the disk said no; the message says why */
  BB_SERVER_BLOBS_ERROR_HASH_MISMATCH,    /* the bytes received hash to another value */
  BB_SERVER_BLOBS_ERROR_UNSUPPORTED_TYPE, /* not JPEG, PNG or PDF by its content */
  BB_SERVER_BLOBS_ERROR_OFFSET,           /* a part that does not follow what is held */
  BB_SERVER_BLOBS_ERROR_NOT_FOUND,        /* no such complete file */
} BbServerBlobsError;

/* Files older than this that no record lists are dropped (sync-api.md). */
#define BB_SERVER_BLOBS_UNLISTED_SECONDS (24 * 3600)

typedef struct _BbServerBlobs BbServerBlobs;
typedef struct _BbBlobUpload BbBlobUpload;

GQuark         bb_server_blobs_error_quark  (void);

/* (transfer full): the directory beside a database file: "PATH.blobs". */
char          *bb_server_blobs_dir_for_db   (const char     *db_path);
/* Opens (creating, owner-only) the directory of files. */
BbServerBlobs *bb_server_blobs_open         (const char     *dir,
                                             GError        **error);
void           bb_server_blobs_free         (BbServerBlobs  *self);
const char    *bb_server_blobs_get_dir      (BbServerBlobs  *self);

/* Whether the complete file @sha256 is held, and its size. */
gboolean       bb_server_blobs_has          (BbServerBlobs  *self,
                                             const char     *sha256,
                                             gint64         *size);
/* How many bytes of an unfinished upload of @sha256 are held (0: none). */
gint64         bb_server_blobs_partial_size (BbServerBlobs  *self,
                                             const char     *sha256);

/* Starts writing the bytes from @start of @sha256's upload. What is held
 * beyond @start is cut off; a @start beyond what is held fails with
 * BB_SERVER_BLOBS_ERROR_OFFSET. (transfer full) */
BbBlobUpload  *bb_server_blobs_upload_begin (BbServerBlobs  *self,
                                             const char     *sha256,
                                             gint64          start,
                                             GError        **error);
gboolean       bb_blob_upload_write         (BbBlobUpload   *upload,
                                             const guint8   *data,
                                             gsize           length,
                                             GError        **error);
/* Bytes held now (start plus what was written). */
gint64         bb_blob_upload_get_offset    (BbBlobUpload   *upload);
/* Flushes what was written to disk. */
gboolean       bb_blob_upload_sync          (BbBlobUpload   *upload,
                                             GError        **error);
void           bb_blob_upload_free          (BbBlobUpload   *upload);

/* The upload of @sha256 is whole: hashes what is held, and only when it is
 * @sha256 and a known type, renames it into place (a crash never leaves a
 * half file under a good name). On a mismatch or an unknown type the bytes
 * are dropped. @media_type: (out) (optional) (transfer full). */
gboolean       bb_server_blobs_finish       (BbServerBlobs  *self,
                                             const char     *sha256,
                                             char          **media_type,
                                             GError        **error);
/* Drops an unfinished upload. */
void           bb_server_blobs_discard      (BbServerBlobs  *self,
                                             const char     *sha256);
/* (transfer full): the bytes of @sha256; @media_type sniffed from them. */
GBytes        *bb_server_blobs_read         (BbServerBlobs  *self,
                                             const char     *sha256,
                                             char          **media_type,
                                             GError        **error);

/* Removes the files of @hashes that no record lists any more. Returns how
 * many went. */
guint          bb_server_blobs_drop_unlisted (BbServerBlobs *self,
                                             BbServerStore  *store,
                                             GPtrArray      *hashes,
                                             GError        **error);
/* Removes the files record @record_id lists that no other record lists.
 * Call it before the record's fields are erased (erase-expired, delete): it
 * reads the list from the record. Returns how many went, or -1 on error. */
gint           bb_server_blobs_erase_record (BbServerBlobs  *self,
                                             BbServerStore  *store,
                                             const char     *record_id,
                                             GError        **error);
/* Drops files that no record lists and unfinished uploads, both when older
 * than @max_age_seconds. Returns how many went, or -1 on error. */
gint           bb_server_blobs_sweep        (BbServerBlobs  *self,
                                             BbServerStore  *store,
                                             gint64          max_age_seconds,
                                             GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbServerBlobs, bb_server_blobs_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbBlobUpload, bb_blob_upload_free)

G_END_DECLS
