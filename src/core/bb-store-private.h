/* bb-store-private.h: what the bb-store*.c files share and nothing else uses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store is one object split by concern over several files; this header
 * holds its struct, the statement cache's helpers and the row types they
 * pass between them. Not installed, not included outside src/core/bb-store*.c.
 */
#pragma once

#include <sqlite3.h>

#include "bb-store.h"

G_BEGIN_DECLS

struct _BbStore
{
  GObject     parent_instance;

  char       *path;
  sqlite3    *db;
  /* SQL text -> sqlite3_stmt, prepared once and reset for reuse. */
  GHashTable *stmts;
  /* The store may be used from GTask worker threads; statements are not. */
  GMutex      lock;
  guint64     rows_fetched;
  /* A read-only connection of its own for bb_store_count_records_up_to(),
   * opened on first use: a count on a worker thread never holds @lock, so
   * the list's pages are read meanwhile (WAL: readers do not wait for each
   * other). */
  sqlite3    *count_db;
  GMutex      count_lock;
};

/* PRAGMA cache_size: 16 MiB. */
#define BB_STORE_CACHE_SIZE -16384

/* A cached statement: "freeing" it resets it, so an early return never leaves
 * a read transaction open (which would pin a WAL snapshot). */
typedef sqlite3_stmt BbCachedStmt;

static inline void
bb_cached_stmt_release (BbCachedStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbCachedStmt, bb_cached_stmt_release)

/* The columns a BbRecord is read from, in row_to_record() order. */
#define RECORD_COLUMNS \
  "id, kind, rev, base_rev, seq, deleted, occurred_at, priority, fields, " \
  "created_at, updated_at, author_id, author_name, author_role, " \
  "review_state, review_comments, sync_state, sync_message, personal_purged_at"
#define RECORD_COLUMNS_R \
  "r.id, r.kind, r.rev, r.base_rev, r.seq, r.deleted, r.occurred_at, " \
  "r.priority, r.fields, r.created_at, r.updated_at, r.author_id, " \
  "r.author_name, r.author_role, r.review_state, r.review_comments, " \
  "r.sync_state, r.sync_message, r.personal_purged_at"
/* A conflict copy is the server's: synced, by definition. */
#define CONFLICT_COLUMNS \
  "id, kind, rev, rev, seq, deleted, occurred_at, priority, fields, " \
  "created_at, updated_at, author_id, author_name, author_role, " \
  "review_state, review_comments, 'synced', NULL, NULL"

/* The outbox walked in its own order (outbox_order), each entry's record
 * found by id: the pending rows are never all read and sorted for a batch.
 * CROSS JOIN keeps SQLite from starting at records_sync_state instead. */
#define OUTBOX_PAGE_SQL \
  "SELECT " RECORD_COLUMNS_R ", o.position FROM outbox o" \
  " CROSS JOIN records r ON r.id = o.id" \
  " WHERE o.position > ?1 AND r.sync_state = 'pending'" \
  " ORDER BY o.position LIMIT ?2"
/* The outbox's own entries, less the few waiting for the user (rejected,
 * in conflict), found through the partial index of unsynced rows. Counting
 * the pending records themselves would visit every one of their rows: a
 * device that imported a million records read its whole file at start. */
#define OUTBOX_COUNT_SQL \
  "SELECT (SELECT count(*) FROM outbox)" \
  " - (SELECT count(*) FROM records r" \
  "    WHERE r.sync_state IN ('rejected', 'conflict') AND r.sync_state != 'synced'" \
  "    AND EXISTS (SELECT 1 FROM outbox o WHERE o.id = r.id))"

/* One query that runs often (each list page, each sync batch), for the test
 * that checks SQLite starts it from an index. */
typedef struct
{
  const char *name;
  char       *sql;
  /* Counts a whole (small) table: may read all of its narrowest index. */
  gboolean    whole_table;
} BbStoreHotQuery;

/* (transfer full) (element-type BbStoreHotQuery) */
GPtrArray *bb_store_hot_queries (void);
void       bb_store_hot_query_free (BbStoreHotQuery *query);

/* Builds one item from the current row of a statement. */
typedef gpointer (*RowFunc) (sqlite3_stmt *stmt);

/* What a write puts in the columns that are the store's, not the record's. */
typedef struct
{
  gint64      rev;
  gint64      base_rev;
  gint64      seq;
  const char *created_at;
  const char *updated_at;
  BbSyncState sync_state;
  const char *sync_message;
  /* Leave the search text to bb_store_index_pending(); @was_indexed: the
   * row may have an entry already. */
  gboolean    defer_index;
  gboolean    was_indexed;
} BbRowState;

/* What the store holds about a record before a write. */
typedef struct
{
  gboolean found;
  gint64   rev;
  gint64   base_rev;
  gint64   seq;
  gboolean deleted;
  gboolean queued;       /* has an outbox entry */
  gboolean in_conflict;  /* has a server copy waiting */
  char    *created_at;
  char    *sync_message;
} BbLocalState;

static inline void
bb_store_local_state_clear (BbLocalState *state)
{
  g_clear_pointer (&state->created_at, g_free);
  g_clear_pointer (&state->sync_message, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BbLocalState, bb_store_local_state_clear)

extern const char * const bb_store_sync_state_ids[4];

/* bb-store.c */

BbSyncState bb_store_sync_state_from_id (const char *id);

char *bb_store_now_iso (void);

void bb_store_set_db_error (BbStore     *self,
                            GError     **error,
                            const char  *doing);

BbCachedStmt *bb_store_get_stmt (BbStore     *self,
                                 const char  *sql,
                                 GError     **error);

void bb_store_bind_text (sqlite3_stmt *stmt,
                         int           index,
                         const char   *text);

void bb_store_bind_named_text (sqlite3_stmt *stmt,
                               const char   *name,
                               const char   *text);

gboolean bb_store_step_done (BbStore       *self,
                             sqlite3_stmt  *stmt,
                             const char    *doing,
                             GError       **error);

gboolean bb_store_query_int (BbStore     *self,
                             const char  *sql,
                             gint64      *value,
                             GError     **error);

gboolean bb_store_begin (BbStore  *self,
                         GError  **error);

void bb_store_rollback (BbStore *self);

gboolean bb_store_commit (BbStore  *self,
                          GError  **error);

char *bb_store_object_to_string (JsonObject *object);

char *bb_store_array_to_string (JsonArray *array);

JsonNode *bb_store_parse_json (const char *text);

const char *bb_store_column_text (sqlite3_stmt *stmt,
                                  int           column);

gboolean bb_store_collect_rows (BbStore       *self,
                                sqlite3_stmt  *stmt,
                                GPtrArray     *items,
                                RowFunc        row,
                                const char    *what,
                                GError       **error);

gboolean bb_store_set_meta_locked (BbStore     *self,
                                   const char  *key,
                                   const char  *value,
                                   GError     **error);

/* bb-store-evidence.c */

gboolean bb_store_remove_evidence_files (BbStore  *self,
                                         GError  **error);

/* bb-store-search.c */

char *bb_store_search_to_match (const char *search);

/* records_fts's rowid: bb_store_search_bucket (occurred_at) above
 * BB_SEARCH_NUM_BITS bits of num. The bucket (whole seconds from 1970 to
 * 2207, in a mixed radix) never decreases as occurred_at sorts higher, for
 * any string: an entry with a lower bucket is an older record. */
#define BB_SEARCH_NUM_BITS 30
#define BB_SEARCH_NUM_MASK ((G_GINT64_CONSTANT (1) << BB_SEARCH_NUM_BITS) - 1)
#define BB_SEARCH_NUM_MASK_SQL "1073741823"
#define BB_SEARCH_FIRST_YEAR 1970
#define BB_SEARCH_YEARS 238

gint64 bb_store_search_bucket (const char *occurred_at);
gint64 bb_store_search_key    (const char *occurred_at,
                               gint64      num);

/* (transfer full): what records_fts indexes for a record of @kind: the
 * searchable fields' text, "" when there is none. Reads no store (any
 * thread). */
char *bb_store_search_text_for (const char *kind,
                                JsonObject *fields);

gboolean bb_store_index_record (BbStore     *self,
                                gint64       num,
                                const char  *occurred_at,
                                const char  *kind,
                                JsonObject  *fields,
                                gboolean     was_indexed,
                                GError     **error);
/* bb_store_index_pending() with the lock held, outside a transaction. */
gboolean bb_store_repurge_pulled_locked (BbStore     *self,
                                         const char  *id,
                                         GError     **error);

gboolean bb_store_flush_search_pending_locked (BbStore  *self,
                                               guint    *n_indexed,
                                               GError  **error);

gboolean bb_store_fill_search_index (BbStore  *self,
                                     GError  **error);
gboolean bb_store_rekey_search_index (BbStore  *self,
                                      GError  **error);

/* bb-store-search-entries.c */

/* FALSE (@error set) when @num does not fit below a key's bucket. */
gboolean bb_store_search_check_num    (BbStore     *self,
                                       gint64       num,
                                       GError     **error);
/* One entry: @key in search_keys for @num, @text in records_fts. */
gboolean bb_store_search_insert_entry (BbStore     *self,
                                       gint64       num,
                                       gint64       key,
                                       const char  *text,
                                       GError     **error);

/* Entries in bulk: a batch collects them and is written in key order
 * whenever @batch are held and at bb_store_search_entries_write(), which
 * the caller runs at the end. FTS5 writes what it holds out as a segment
 * at each batch (or each megabyte of terms, its "hashsize"), and merges
 * segments as they add up: larger batches, fewer segments, less merging. */
#define BB_SEARCH_ENTRY_BATCH 4000
/* Many at once: an import writes 16,000 a batch with FTS5 holding up to
 * 8 MiB of terms (bb_store_search_set_hashsize()), a quarter of the
 * segments of the usual batches, so a quarter of the merging, which was
 * nearly half of the indexing. The text a pull left goes 8,000 a batch
 * with 4 MiB: about 8% less time than the usual batches for 6 MB more, where
 * the import's sizes took the pull past the 60 MB it keeps under. */
#define BB_SEARCH_BULK_BATCH 16000
#define BB_SEARCH_BULK_HASHSIZE 8388608
#define BB_SEARCH_PULL_BATCH 8000
#define BB_SEARCH_PULL_HASHSIZE 4194304
/* FTS5's own. */
#define BB_SEARCH_HASHSIZE 1048576

typedef struct _BbSearchEntries BbSearchEntries;

BbSearchEntries *bb_store_search_entries_new   (guint             batch);
void             bb_store_search_entries_free  (BbSearchEntries  *entries);
/* Takes @text; an empty text makes no entry. */
gboolean         bb_store_search_entries_add   (BbStore          *self,
                                                BbSearchEntries  *entries,
                                                gint64            num,
                                                const char       *occurred_at,
                                                char             *text,
                                                GError          **error);
gboolean         bb_store_search_entries_write (BbStore          *self,
                                                BbSearchEntries  *entries,
                                                GError          **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbSearchEntries, bb_store_search_entries_free)
/* FTS5's "hashsize", the bytes of terms it holds before it writes them
 * out: set inside a bulk writer's transaction, and set back to
 * BB_SEARCH_HASHSIZE before it commits. */
gboolean         bb_store_search_set_hashsize  (BbStore          *self,
                                                gint64            bytes,
                                                GError          **error);

/* bb-store-records.c */

/* The "ward" member of @fields when it is text, else NULL. */
const char *bb_store_ward_of (JsonObject *fields);

BbRecord *bb_store_row_to_record (BbStore       *self,
                                  sqlite3_stmt  *stmt,
                                  GError       **error);

gboolean bb_store_append_record_rows (BbStore       *self,
                                      sqlite3_stmt  *stmt,
                                      GPtrArray     *records,
                                      const char    *what,
                                      GError       **error);

gboolean bb_store_write_record_row (BbStore           *self,
                                    BbRecord          *record,
                                    const BbRowState  *state,
                                    GError           **error);

gboolean bb_store_enqueue (BbStore     *self,
                           const char  *id,
                           gint64       rev,
                           const char  *now,
                           GError     **error);

gboolean bb_store_run_with_id (BbStore     *self,
                               const char  *sql,
                               const char  *id,
                               const char  *doing,
                               GError     **error);

gboolean bb_store_read_local_state (BbStore       *self,
                                    const char    *id,
                                    BbLocalState  *state,
                                    GError       **error);

void bb_store_set_not_found (GError     **error,
                             const char  *id);

BbRecord *bb_store_get_record_locked (BbStore     *self,
                                      const char  *sql,
                                      const char  *id,
                                      GError     **error);

/* bb-store-sync.c */

gboolean bb_store_apply_pulled_record (BbStore   *self,
                                       BbRecord  *record,
                                       GError   **error);

G_END_DECLS
