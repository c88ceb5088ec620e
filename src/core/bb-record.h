/* bb-record.h: one record of any kind, and its JSON codec
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "bb-kind.h"
#include "bb-profile.h"

G_BEGIN_DECLS

#define BB_RECORD_ERROR (bb_record_error_quark ())

typedef enum {
  BB_RECORD_ERROR_INVALID, /* the JSON is not a record */
} BbRecordError;

/* Where a record stands with the server, on this device. */
typedef enum {
  BB_SYNC_STATE_PENDING,  /* saved here, not yet accepted by the server */
  BB_SYNC_STATE_SYNCED,   /* the server holds this revision */
  BB_SYNC_STATE_REJECTED, /* the server refused it: see sync message */
  BB_SYNC_STATE_CONFLICT, /* changed elsewhere too: the user must choose */
} BbSyncState;

#define BB_TYPE_RECORD (bb_record_get_type ())
G_DECLARE_FINAL_TYPE (BbRecord, bb_record, BB, RECORD, GObject)

GQuark       bb_record_error_quark       (void);

/* A new record with a fresh UUID v4, rev 0, occurred_at now, the kind's
 * default priority and empty fields. */
BbRecord    *bb_record_new               (const char  *kind);
BbRecord    *bb_record_copy              (BbRecord    *self);

const char  *bb_record_get_id            (BbRecord    *self);
void         bb_record_set_id            (BbRecord    *self, const char *id);
const char  *bb_record_get_kind          (BbRecord    *self);
const BbKindSpec *bb_record_get_kind_spec (BbRecord   *self);
gint64       bb_record_get_rev           (BbRecord    *self);
void         bb_record_set_rev           (BbRecord    *self, gint64 rev);
/* The server revision this device's copy was based on (0: never synced). */
gint64       bb_record_get_base_rev      (BbRecord    *self);
void         bb_record_set_base_rev      (BbRecord    *self, gint64 rev);
gint64       bb_record_get_seq           (BbRecord    *self);
void         bb_record_set_seq           (BbRecord    *self, gint64 seq);
gboolean     bb_record_get_deleted       (BbRecord    *self);
void         bb_record_set_deleted       (BbRecord    *self, gboolean deleted);
const char  *bb_record_get_occurred_at   (BbRecord    *self);
void         bb_record_set_occurred_at   (BbRecord    *self, const char *iso);
int          bb_record_get_priority      (BbRecord    *self);
void         bb_record_set_priority      (BbRecord    *self, int priority);
/* (transfer none): the kind-specific and common fields (ward, place, ...). */
JsonObject  *bb_record_get_fields        (BbRecord    *self);
/* Takes a reference on @fields. */
void         bb_record_set_fields        (BbRecord    *self, JsonObject *fields);
const char  *bb_record_get_created_at    (BbRecord    *self);
void         bb_record_set_created_at    (BbRecord    *self, const char *iso);
const char  *bb_record_get_updated_at    (BbRecord    *self);
void         bb_record_set_updated_at    (BbRecord    *self, const char *iso);
const char  *bb_record_get_author_id     (BbRecord    *self);
const char  *bb_record_get_author_name   (BbRecord    *self);
const char  *bb_record_get_author_role   (BbRecord    *self);
void         bb_record_set_author        (BbRecord    *self,
                                          const char  *id,
                                          const char  *display_name,
                                          const char  *role);
/* "new", "reviewed", "returned" or "closed". */
const char  *bb_record_get_review_state  (BbRecord    *self);
void         bb_record_set_review_state  (BbRecord    *self, const char *state);
/* (transfer none) (nullable): [{"author", "at", "text"}] */
JsonArray   *bb_record_get_review_comments (BbRecord  *self);
void         bb_record_set_review_comments (BbRecord  *self, JsonArray *comments);
BbSyncState  bb_record_get_sync_state    (BbRecord    *self);
void         bb_record_set_sync_state    (BbRecord    *self, BbSyncState state);
/* The server's message for a rejected change, or the conflict note. */
const char  *bb_record_get_sync_message  (BbRecord    *self);
void         bb_record_set_sync_message  (BbRecord    *self, const char *message);
/* When this device removed the warning's personal details (the server
 * keeps them), or NULL. Device-side only: never sent. */
const char  *bb_record_get_personal_purged_at (BbRecord *self);
void         bb_record_set_personal_purged_at (BbRecord *self, const char *when);

const char  *bb_sync_state_to_string     (BbSyncState  state);
BbSyncState  bb_sync_state_from_string   (const char  *str);
const char  *bb_sync_state_get_label     (BbSyncState  state);

/* Convenience: a string/int member of fields by dotted path
 * ("vehicle.vrm", "driver.name"); NULL / -1 when absent. */
const char  *bb_record_get_field_string  (BbRecord    *self, const char *path);
gint64       bb_record_get_field_int     (BbRecord    *self, const char *path);

/* (transfer full): the one-line title a list shows, e.g.
 * "Fly-tipping · Joyce Green Lane" or "S59 · AB12 CDE". */
char        *bb_record_dup_title         (BbRecord    *self,
                                          BbProfile   *profile);

/* Codec. The push shape of sync-api.md: id, kind, rev, base_rev, deleted,
 * occurred_at, priority, fields (derived fields removed). (transfer full) */
JsonNode    *bb_record_to_change_json    (BbRecord    *self);
/* The pull shape, plus "sync_state" (and "sync_message") when
 * @with_local_state is TRUE. (transfer full) */
JsonNode    *bb_record_to_json           (BbRecord    *self,
                                          gboolean     with_local_state);
/* Reads the pull shape (or the push shape). (transfer full) */
BbRecord    *bb_record_new_from_json     (JsonNode    *node,
                                          GError     **error);

/* Derived fields (sync-api.md): expires_at for s59 warnings, regime, and
 * vrm_normalised / vrm_recognised beside every registration mark. Adds them to
 * @fields in place. */
void         bb_fields_add_derived       (const char  *kind,
                                          const char  *occurred_at,
                                          JsonObject  *fields);
/* Removes every derived key from @fields in place (before a push). */
void         bb_fields_strip_derived     (const char  *kind,
                                          JsonObject  *fields);

/* The change a push sends for a record, as json-glib writes
 * bb_record_to_change_json() out (compact), made from the record's stored
 * columns without parsing them: @fields_text is its stored fields (as
 * json-glib wrote them). NULL when that cannot be done for certain (a
 * value that needs escaping, fields that may hold a derived member, fields
 * that are not one JSON object): the caller then goes through the record. */
char        *bb_change_text_from_stored  (const char  *id,
                                          const char  *kind,
                                          gint64       rev,
                                          gint64       base_rev,
                                          gboolean     deleted,
                                          const char  *occurred_at,
                                          int          priority,
                                          const char  *fields_text);

/* (transfer full): a deep copy (json-glib's own copies share children). */
JsonObject  *bb_json_object_copy         (JsonObject  *object);
/* (transfer full): a deep copy of any node. */
JsonNode    *bb_json_node_copy           (JsonNode    *node);

/* (transfer full): a new random UUID v4 string. */
char        *bb_uuid_new                 (void);
gboolean     bb_uuid_is_valid            (const char  *str);

G_END_DECLS
