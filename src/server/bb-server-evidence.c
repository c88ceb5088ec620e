/* bb-server-evidence.c: PUT, HEAD and GET /api/v1/blobs/{sha256}
 *
 * sync-api.md "Evidence (blobs)". An upload's bytes go to disk as they
 * arrive (bb-server-blobs.c), never into memory whole: a PUT is checked and
 * started once its headers are in, so an oversize or unauthorised one is
 * refused before a byte of its body is read, and a dropped connection keeps
 * what arrived for the client to go on from (HEAD -> Upload-Offset).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-server"

#include "config.h"

#include <string.h>

#include "bb-evidence.h"
#include "bb-i18n.h"
#include "bb-server-private.h"

typedef struct
{
  BbBlobUpload *upload;
  GHashTable   *uploading;  /* (unowned) the server's set of hashes under way */
  char         *sha256;
  gint64        start;      /* the first byte this part carries */
  gint64        end;        /* one past the last byte this part carries */
  gint64        total;      /* the whole file's size */
  gint64        received;   /* bytes of the body that arrived */
  gboolean      overrun;    /* more bytes than the range said */
  GError       *error;      /* writing failed */
} UploadState;

static const char upload_key[] = "bb-server-upload";

static void
upload_state_free (UploadState *state)
{
  /* The hash is free for the next attempt once this request is gone,
   * however it ended (answered, dropped, server shutting down). */
  g_hash_table_remove (state->uploading, state->sha256);
  bb_blob_upload_free (state->upload);
  g_clear_error (&state->error);
  g_free (state->sha256);
  g_free (state);
}

static gint64
max_bytes (BbRequest *req)
{
  int max = bb_profile_get_max_attachment_bytes (req->profile);

  return max > 0 ? max : BB_PROFILE_DEFAULT_MAX_ATTACHMENT_BYTES;
}

static void
set_offset_header (BbRequest *req,
                   gint64     offset)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, offset);

  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "Upload-Offset", text);
}

/* An early answer: the body will not be read, so the connection closes. */
static void
refuse_early (BbRequest  *req,
              guint       status,
              const char *code,
              const char *message)
{
  bb_request_error (req, status, code, message);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "Connection", "close");
}

static void
reply_blob_json (BbRequest  *req,
                 guint       status,
                 const char *sha256,
                 gint64      size,
                 gint64      offset)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sha256");
  json_builder_add_string_value (builder, sha256);
  if (size >= 0)
    {
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, size);
    }
  if (offset >= 0)
    {
      json_builder_set_member_name (builder, "upload_offset");
      json_builder_add_int_value (builder, offset);
    }
  json_builder_end_object (builder);
  bb_request_reply_json (req, status, json_builder_get_root (builder));
}

/* "bytes START-END/TOTAL" */
static gboolean
parse_content_range (const char *text,
                     gint64     *start,
                     gint64     *end,
                     gint64     *total)
{
  g_auto(GStrv) halves = NULL;
  g_auto(GStrv) range = NULL;
  guint64 a, b, t;

  if (text == NULL || !g_str_has_prefix (text, "bytes "))
    return FALSE;
  halves = g_strsplit (text + 6, "/", 2);
  if (g_strv_length (halves) != 2)
    return FALSE;
  range = g_strsplit (halves[0], "-", 2);
  if (g_strv_length (range) != 2 ||
      !g_ascii_string_to_unsigned (range[0], 10, 0, G_MAXINT64, &a, NULL) ||
      !g_ascii_string_to_unsigned (range[1], 10, 0, G_MAXINT64, &b, NULL) ||
      !g_ascii_string_to_unsigned (halves[1], 10, 1, G_MAXINT64, &t, NULL) ||
      a > b || b >= t)
    return FALSE;

  *start = (gint64) a;
  *end = (gint64) b + 1;
  *total = (gint64) t;
  return TRUE;
}

static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              UploadState       *state)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (chunk, &size);

  state->received += (gint64) size;
  if (state->error != NULL || state->overrun)
    return;
  if (bb_blob_upload_get_offset (state->upload) + (gint64) size > state->end)
    {
      state->overrun = TRUE;
      return;
    }
  bb_blob_upload_write (state->upload, data, size, &state->error);
}

gboolean
bb_server_blob_put_early (BbRequest  *req,
                          const char *sha256,
                          GHashTable *uploading)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *range = soup_message_headers_get_one (headers, "Content-Range");
  g_autoptr(GError) error = NULL;
  UploadState *state;
  gint64 length, start, end, total, held;

  if (req->blobs == NULL)
    {
      refuse_early (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "no_evidence_storage",
                    _("This server keeps no evidence files."));
      return FALSE;
    }
  if (!bb_evidence_sha256_is_valid (sha256))
    {
      refuse_early (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                    _("The address must end in the file’s SHA-256: 64 lowercase hexadecimal digits."));
      return FALSE;
    }
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    {
      refuse_early (req, SOUP_STATUS_LENGTH_REQUIRED, "length_required",
                    _("Send the file with a Content-Length."));
      return FALSE;
    }
  length = soup_message_headers_get_content_length (headers);

  if (range != NULL)
    {
      if (!parse_content_range (range, &start, &end, &total) || end - start != length)
        {
          refuse_early (req, SOUP_STATUS_BAD_REQUEST, "invalid_range",
                        _("Content-Range must be “bytes START-END/TOTAL” and match the Content-Length."));
          return FALSE;
        }
    }
  else
    {
      start = 0;
      end = total = length;
    }

  if (total > max_bytes (req))
    {
      g_autofree char *limit = g_format_size_full ((guint64) max_bytes (req), G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *message = g_strdup_printf (_("The file is larger than %s, the most this partnership accepts."),
                                                  limit);

      refuse_early (req, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "payload_too_large", message);
      return FALSE;
    }
  if (total == 0)
    {
      refuse_early (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                    _("The file is empty."));
      return FALSE;
    }

  if (bb_server_blobs_has (req->blobs, sha256, &held))
    {
      /* Idempotent: the bytes need not travel again. */
      reply_blob_json (req, SOUP_STATUS_OK, sha256, held, -1);
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                    "Connection", "close");
      return FALSE;
    }
  if (g_hash_table_contains (uploading, sha256))
    {
      refuse_early (req, SOUP_STATUS_CONFLICT, "upload_in_progress",
                    _("This file is being uploaded by another request; try again when it ends."));
      return FALSE;
    }

  state = g_new0 (UploadState, 1);
  state->upload = bb_server_blobs_upload_begin (req->blobs, sha256, start, &error);
  if (state->upload == NULL)
    {
      g_free (state);
      if (g_error_matches (error, BB_SERVER_BLOBS_ERROR, BB_SERVER_BLOBS_ERROR_OFFSET))
        {
          set_offset_header (req, bb_server_blobs_partial_size (req->blobs, sha256));
          refuse_early (req, SOUP_STATUS_CONFLICT, "offset_mismatch", error->message);
        }
      else
        {
          bb_request_storage_error (req, error);
          soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                        "Connection", "close");
        }
      return FALSE;
    }
  state->uploading = uploading;
  state->sha256 = g_strdup (sha256);
  state->start = start;
  state->end = end;
  state->total = total;
  g_hash_table_add (uploading, g_strdup (sha256));
  g_object_set_data_full (G_OBJECT (req->msg), upload_key, state,
                          (GDestroyNotify) upload_state_free);
  g_signal_connect (req->msg, "got-chunk", G_CALLBACK (on_got_chunk), state);

  return TRUE;
}

gint64
bb_server_blob_upload_received (SoupServerMessage *msg)
{
  UploadState *state = g_object_get_data (G_OBJECT (msg), upload_key);

  return state != NULL ? state->received : -1;
}

gboolean
bb_server_blob_upload_cut_off (SoupServerMessage *msg)
{
  UploadState *state = g_object_get_data (G_OBJECT (msg), upload_key);

  return state != NULL && state->received < state->end - state->start;
}

static void
handle_put (BbRequest  *req,
            const char *sha256)
{
  UploadState *state = g_object_get_data (G_OBJECT (req->msg), upload_key);
  g_autoptr(GError) error = NULL;
  g_autofree char *media_type = NULL;
  gint64 offset;

  if (state == NULL || !g_str_equal (state->sha256, sha256))
    {
      /* The early step answered already. */
      return;
    }
  if (state->error != NULL)
    {
      bb_request_storage_error (req, state->error);
      return;
    }
  if (state->overrun)
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_range",
                        _("The body carries more bytes than its Content-Range says."));
      return;
    }

  offset = bb_blob_upload_get_offset (state->upload);
  if (!bb_blob_upload_sync (state->upload, &error))
    {
      bb_request_storage_error (req, error);
      return;
    }
  if (offset < state->total)
    {
      /* A part: stored; the client goes on from here. */
      set_offset_header (req, offset);
      reply_blob_json (req, SOUP_STATUS_ACCEPTED, sha256, -1, offset);
      return;
    }

  g_clear_pointer (&state->upload, bb_blob_upload_free);
  state->upload = NULL;
  if (!bb_server_blobs_finish (req->blobs, sha256, &media_type, &error))
    {
      if (g_error_matches (error, BB_SERVER_BLOBS_ERROR, BB_SERVER_BLOBS_ERROR_HASH_MISMATCH))
        bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "hash_mismatch", error->message);
      else if (g_error_matches (error, BB_SERVER_BLOBS_ERROR, BB_SERVER_BLOBS_ERROR_UNSUPPORTED_TYPE))
        bb_request_error (req, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", error->message);
      else
        bb_request_storage_error (req, error);
      return;
    }

  reply_blob_json (req, SOUP_STATUS_CREATED, sha256, state->total, -1);
}

static void
handle_head (BbRequest  *req,
             const char *sha256)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (req->msg);
  gint64 size;

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  if (bb_server_blobs_has (req->blobs, sha256, &size))
    {
      soup_server_message_set_status (req->msg, SOUP_STATUS_OK, NULL);
      soup_message_headers_set_content_length (headers, size);
      return;
    }

  set_offset_header (req, bb_server_blobs_partial_size (req->blobs, sha256));
  soup_server_message_set_status (req->msg, SOUP_STATUS_NOT_FOUND, NULL);
  soup_message_headers_set_content_length (headers, 0);
}

static void
handle_get (BbRequest  *req,
            const char *sha256)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *window_start = NULL;
  g_autofree char *record_id = NULL;
  g_autofree char *media_type = NULL;
  g_autofree char *detail = NULL;
  BbServerScope scope;
  SoupMessageHeaders *headers;

  if (!bb_server_blobs_has (req->blobs, sha256, NULL))
    {
      bb_request_error (req, SOUP_STATUS_NOT_FOUND, "not_found",
                        _("The server holds no file with this SHA-256."));
      return;
    }

  window_start = bb_request_scope (req, &scope);
  if (!bb_server_store_blob_find (req->store, sha256, &scope, NULL, &record_id, &error))
    {
      bb_request_storage_error (req, error);
      return;
    }
  if (record_id == NULL)
    {
      bb_request_error (req, SOUP_STATUS_FORBIDDEN, "forbidden",
                        _("No record you may see lists this file."));
      return;
    }

  bytes = bb_server_blobs_read (req->blobs, sha256, &media_type, &error);
  if (bytes == NULL)
    {
      bb_request_storage_error (req, error);
      return;
    }

  /* DPA 2018 s62: seeing evidence is a consultation of the record. */
  detail = g_strdup_printf ("blob=%s", sha256);
  if (!bb_request_audit (req, "view", record_id, detail, &error))
    {
      bb_request_storage_error (req, error);
      return;
    }

  headers = soup_server_message_get_response_headers (req->msg);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_set_content_type (headers, media_type != NULL ? media_type : "application/octet-stream", NULL);
  soup_server_message_set_status (req->msg, SOUP_STATUS_OK, NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (req->msg), bytes);
}

void
bb_server_handle_blob (BbRequest  *req,
                       const char *sha256)
{
  const char *method = soup_server_message_get_method (req->msg);

  if (g_str_equal (method, "PUT"))
    {
      handle_put (req, sha256);
      return;
    }

  if (req->blobs == NULL)
    {
      bb_request_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "no_evidence_storage",
                        _("This server keeps no evidence files."));
      return;
    }
  if (!bb_evidence_sha256_is_valid (sha256))
    {
      bb_request_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        _("The address must end in the file’s SHA-256: 64 lowercase hexadecimal digits."));
      return;
    }

  if (g_str_equal (method, "HEAD"))
    handle_head (req, sha256);
  else
    handle_get (req, sha256);
}
