/* bb-store.h: the device's local SQLite store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "bb-record.h"

G_BEGIN_DECLS

#define BB_STORE_ERROR (bb_store_error_quark ())

typedef enum {
  BB_STORE_ERROR_FAILED,    /* SQLite said no; the message says why */
  BB_STORE_ERROR_NOT_FOUND, /* no record with that id */
  BB_STORE_ERROR_CORRUPT,   /* the file is not a Beatbook database */
  BB_STORE_ERROR_TOO_NEW,   /* written by a newer Beatbook */
} BbStoreError;

/* What a list shows. Every member is optional (NULL / 0 = no filter). */
typedef struct
{
  const char *kind;          /* one kind id */
  const char *search;        /* words typed by a person; matched as prefixes */
  const char *ward;
  const char *author_id;
  const char *review_state;
  const char *from;          /* occurred_at >= from (ISO UTC) */
  const char *to;            /* occurred_at <  to   (ISO UTC) */
  int         priority;      /* 1..4 */
  gboolean    include_deleted;
} BbQuery;

/* A draft: an editor's unsaved state, kept across crashes. */
typedef struct
{
  char *id;
  char *kind;
  char *record_id;   /* the record being edited, NULL for a new one */
  char *json;        /* the editor's state, opaque to the store */
  char *updated_at;
} BbDraft;

void       bb_draft_free              (BbDraft *draft);

#define BB_TYPE_STORE (bb_store_get_type ())
G_DECLARE_FINAL_TYPE (BbStore, bb_store, BB, STORE, GObject)

GQuark     bb_store_error_quark       (void);

/* The schema version this build writes (PRAGMA user_version). */
#define BB_STORE_SCHEMA_VERSION bb_store_schema_version ()
int        bb_store_schema_version    (void);

/* Opens (creating and migrating as needed) the database at @path. */
BbStore   *bb_store_open              (const char  *path,
                                       GError     **error);
const char *bb_store_get_path         (BbStore     *self);

/* Saves a new record (rev 0 in @record) or an edit: in one transaction it
 * writes the record with rev + 1, created_at/updated_at, sync state pending,
 * and puts it in the outbox. @record is updated to what was stored. Returns
 * only after commit. */
gboolean   bb_store_save_record       (BbStore     *self,
                                       BbRecord    *record,
                                       GError     **error);
/* Tombstones the record (deleted, rev + 1, outbox), in one transaction. */
gboolean   bb_store_delete_record     (BbStore     *self,
                                       const char  *id,
                                       GError     **error);
/* (transfer full): the record, deleted ones included; NULL and
 * BB_STORE_ERROR_NOT_FOUND when there is none. */
BbRecord  *bb_store_get_record        (BbStore     *self,
                                       const char  *id,
                                       GError     **error);
/* (transfer full) (element-type BbRecord): newest first (occurred_at, then id),
 * at most @limit from @offset. */
GPtrArray *bb_store_list_records      (BbStore     *self,
                                       const BbQuery *query,
                                       guint        offset,
                                       guint        limit,
                                       GError     **error);
gboolean   bb_store_count_records     (BbStore     *self,
                                       const BbQuery *query,
                                       guint       *n_records,
                                       GError     **error);
/* How many record rows list/get have read from SQLite since the store was
 * opened (for tests that prove lists are paged). */
guint64    bb_store_get_rows_fetched  (BbStore     *self);

/* The outbox: records saved here and not yet answered for by the server,
 * oldest first. (transfer full) (element-type BbRecord) */
GPtrArray *bb_store_outbox_list       (BbStore     *self,
                                       guint        limit,
                                       GError     **error);
guint      bb_store_outbox_count      (BbStore     *self);

/* Drafts. @draft_id is the caller's (a UUID); saving again replaces it. */
gboolean   bb_store_save_draft        (BbStore     *self,
                                       const char  *draft_id,
                                       const char  *kind,
                                       const char  *record_id,
                                       const char  *json,
                                       GError     **error);
/* (transfer full) (element-type BbDraft): newest first. */
GPtrArray *bb_store_list_drafts       (BbStore     *self,
                                       GError     **error);
gboolean   bb_store_delete_draft      (BbStore     *self,
                                       const char  *draft_id,
                                       GError     **error);

/* Small settings kept with the data: identity, sync cursor, last sync. */
char      *bb_store_get_meta          (BbStore     *self,
                                       const char  *key);
gboolean   bb_store_set_meta          (BbStore     *self,
                                       const char  *key,
                                       const char  *value,
                                       GError     **error);

G_END_DECLS
