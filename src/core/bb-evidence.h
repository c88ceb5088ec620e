/* bb-evidence.h: photos and files attached to records, kept unaltered
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "bb-profile.h"

G_BEGIN_DECLS

#define BB_EVIDENCE_ERROR (bb_evidence_error_quark ())

typedef enum {
  BB_EVIDENCE_ERROR_FAILED,           /* reading or writing failed; the message says why */
  BB_EVIDENCE_ERROR_TOO_LARGE,        /* over the profile's max_attachment_bytes */
  BB_EVIDENCE_ERROR_TOO_MANY,         /* the record has max_attachments already */
  BB_EVIDENCE_ERROR_UNSUPPORTED_TYPE, /* the bytes are not JPEG, PNG or PDF */
  BB_EVIDENCE_ERROR_EMPTY,            /* an empty file */
  BB_EVIDENCE_ERROR_HASH_MISMATCH,    /* the bytes are not the ones named */
  BB_EVIDENCE_ERROR_NOT_FOUND,        /* this device does not hold the file */
} BbEvidenceError;

/* The contract's defaults, used when a profile sets none. */
#define BB_EVIDENCE_DEFAULT_MAX_BYTES (20 * 1024 * 1024)
#define BB_EVIDENCE_DEFAULT_MAX_COUNT 10

/* One entry of fields.attachments (sync-api.md "Evidence (blobs)"). */
typedef struct
{
  char   *sha256;      /* 64 lowercase hex digits */
  char   *name;        /* the file's name when it was attached */
  char   *media_type;  /* image/jpeg, image/png or application/pdf */
  gint64  size;        /* bytes */
  char   *taken_at;    /* (nullable): ISO 8601 UTC */
} BbAttachment;

/* What a photo's EXIF says. Offered to the user, never applied by itself. */
typedef struct
{
  char     *taken_at;      /* (nullable): ISO 8601 UTC */
  gboolean  has_position;
  double    lat;           /* WGS84 degrees, south negative */
  double    lon;           /* WGS84 degrees, west negative */
} BbExifOffer;

GQuark        bb_evidence_error_quark      (void);

void          bb_attachment_free           (BbAttachment *attachment);
BbAttachment *bb_attachment_copy           (const BbAttachment *attachment);
void          bb_exif_offer_clear          (BbExifOffer *offer);

/* The media type the bytes show (JPEG, PNG or PDF by their magic bytes, never
 * by a file name), or NULL for anything else. */
const char   *bb_evidence_sniff            (const guint8 *data,
                                            gsize         length);
gboolean      bb_evidence_media_type_is_known (const char *media_type);
/* (transfer full): SHA-256 of @data as 64 lowercase hex digits. */
char         *bb_evidence_sha256           (const guint8 *data,
                                            gsize         length);
gboolean      bb_evidence_sha256_is_valid  (const char   *text);

/* Reads DateTimeOriginal (taken as local time in @zone, as cameras write
 * it) and the GPS position of a JPEG's EXIF. FALSE when there is neither. */
gboolean      bb_evidence_read_exif        (const guint8 *data,
                                            gsize         length,
                                            GTimeZone    *zone,
                                            BbExifOffer  *offer);

/* The directory of a store's files: "evidence" beside its database. */
char         *bb_evidence_dir_for_store    (const char   *db_path);
/* (transfer full): where the file @sha256 lives in @dir. */
char         *bb_evidence_path             (const char   *dir,
                                            const char   *sha256);
gboolean      bb_evidence_has              (const char   *dir,
                                            const char   *sha256);

/* How far an import is: @done of @total units of work (the file read,
 * hashed and written, each counting its size once). Called from the thread
 * the import runs in. */
typedef void (*BbEvidenceProgressFunc) (gint64   done,
                                        gint64   total,
                                        gpointer user_data);

/* Checks @bytes against the profile's limits (@n_attached files are on the
 * record already) and the known types, then keeps them in @dir under their
 * hash: written to a temporary file, synced and renamed, owner-only. A file
 * held already is left as it is. Blocks: run it off the UI thread
 * (bb_store_import_evidence_async). A cancel through @cancellable is heard
 * between pieces of a megabyte, up to the rename: the temporary file is
 * removed and G_IO_ERROR_CANCELLED returned. @offer (nullable) receives
 * what a photo's EXIF says, read from the bytes in memory. (transfer full) */
BbAttachment *bb_evidence_import_bytes     (const char   *dir,
                                            BbProfile    *profile,
                                            guint         n_attached,
                                            const char   *name,
                                            GBytes       *bytes,
                                            GCancellable *cancellable,
                                            BbEvidenceProgressFunc progress_func,
                                            gpointer      progress_data,
                                            BbExifOffer  *offer,
                                            GError      **error);
/* The same for a file: its size is checked before it is read. */
BbAttachment *bb_evidence_import_file      (const char   *dir,
                                            BbProfile    *profile,
                                            guint         n_attached,
                                            GFile        *file,
                                            GCancellable *cancellable,
                                            BbEvidenceProgressFunc progress_func,
                                            gpointer      progress_data,
                                            BbExifOffer  *offer,
                                            GError      **error);
/* Keeps @bytes (fetched from the server) under @sha256 after checking that
 * they hash to it. */
gboolean      bb_evidence_store_fetched    (const char   *dir,
                                            const char   *sha256,
                                            GBytes       *bytes,
                                            GError      **error);
/* (transfer full): the bytes of @sha256; BB_EVIDENCE_ERROR_NOT_FOUND when
 * this device does not hold them. */
GBytes       *bb_evidence_read             (const char   *dir,
                                            const char   *sha256,
                                            GError      **error);
gboolean      bb_evidence_remove           (const char   *dir,
                                            const char   *sha256,
                                            GError      **error);

/* (transfer full) (element-type BbAttachment): fields.attachments; entries
 * that are not objects with a valid sha256 are left out. */
GPtrArray    *bb_attachments_from_fields   (JsonObject   *fields);
/* Replaces fields.attachments (removes it for an empty list). */
void          bb_attachments_set_in_fields (JsonObject   *fields,
                                            GPtrArray    *attachments);
/* (transfer full): the wire object of @attachment. */
JsonObject   *bb_attachment_to_json        (const BbAttachment *attachment);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbAttachment, bb_attachment_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BbExifOffer, bb_exif_offer_clear)

G_END_DECLS
