/* bb-server-store.h: where beatbook-server keeps its data
 *
 * The handlers talk to this interface only. SQLite (one file, WAL) is the
 * embedded default; PostgreSQL (bb-server-store-pg.c) fills in the same
 * table of functions for several servers sharing one database.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BB_SERVER_STORE_ERROR (bb_server_store_error_quark ())

/* Threads besides the main one that may use a store (or its reopened
 * connections) at once: the server's request workers are at most this many. */
#define BB_SERVER_STORE_MAX_THREADS 8

typedef enum {
  BB_SERVER_STORE_ERROR_FAILED,    /* the database said no; the message says why */
  BB_SERVER_STORE_ERROR_NOT_FOUND, /* no such user, device or record */
  BB_SERVER_STORE_ERROR_EXISTS,    /* a user with that name exists already */
  BB_SERVER_STORE_ERROR_TOO_NEW,   /* written by a newer beatbook-server */
  BB_SERVER_STORE_ERROR_CORRUPT,   /* not a beatbook-server database */
} BbServerStoreError;

typedef struct
{
  char     *id;            /* UUID */
  char     *username;
  char     *display_name;
  char     *role;          /* "officer", "warden", ... */
  char     *staff_number;  /* nullable */
  char     *password_hash; /* Argon2id encoded */
  gboolean  disabled;
  char     *created_at;
} BbServerUser;

typedef struct
{
  char *id;                /* UUID */
  char *name;
  char *user_id;           /* who signed in when it was first seen */
  char *created_at;
  char *revoked_at;        /* nullable: not revoked */
} BbServerDevice;

typedef struct
{
  char     *token_hash;    /* SHA-256 hex of the token; the token is never kept */
  char     *user_id;
  char     *device_id;
  char     *created_at;
  char     *expires_at;
  gboolean  revoked;
} BbServerSession;

typedef struct
{
  char     *id;
  char     *kind;
  gint64    rev;
  gint64    seq;           /* set by record_put */
  gboolean  deleted;
  char     *occurred_at;
  char     *created_at;
  char     *updated_at;
  int       priority;
  char     *author_id;
  char     *author_name;   /* read only: from the users table */
  char     *author_role;   /* read only: from the users table */
  char     *fields_json;   /* the fields as the client sent them (no derived keys) */
  char     *review_state;  /* "new", "reviewed", "returned", "closed" */
  char     *review_json;   /* the comment thread, a JSON array */
  /* Section 59 look-up keys (NULL when absent). */
  char     *lookup_vrm;    /* normalised registration mark */
  char     *lookup_surname;/* last word of driver.name, folded to lower case */
  char     *lookup_dob;    /* driver.date_of_birth, "1990-04-01" */
  /* The device whose push wrote this revision exactly as that device holds
   * it, or NULL (a review, an erasure, a revision the server changed on the
   * way in): a pull leaves a device's own revisions out. Filled by
   * records_pull only; record_get leaves it NULL, so a record put back
   * reaches every device unless the caller sets it. An engine that does not
   * keep it leaves it NULL: devices then get their own revisions back. */
  char     *written_by;
} BbServerRecord;

typedef struct
{
  gint64  seq;
  char   *at;
  char   *user_id;       /* nullable */
  char   *username;      /* read only: from the users table */
  char   *device_id;     /* nullable */
  char   *action;        /* login, login_failed, create, update, ... */
  char   *record_id;     /* nullable */
  char   *detail;        /* nullable: metadata only, never personal data of a record */
} BbServerAuditEntry;

/* Which records a caller may pull (domain.md "Users and roles"). */
typedef struct
{
  const char *user_id;      /* own records */
  gboolean    everything;   /* supervisor, admin */
  const char *s59_since;    /* non-NULL: also every s59 warning issued at or after */
} BbServerScope;

typedef struct _BbServerStore BbServerStore;
typedef struct _BbServerStoreVTable BbServerStoreVTable;

struct _BbServerStoreVTable
{
  void            (*close)              (BbServerStore *self);
  /* Another connection to the same database, for another thread. NULL:
   * the store itself may be used by several threads at once. */
  BbServerStore  *(*reopen)             (BbServerStore *self, GError **error);

  /* One transaction at a time; savepoints nest inside it. */
  gboolean        (*begin)              (BbServerStore *self, GError **error);
  gboolean        (*commit)             (BbServerStore *self, GError **error);
  void            (*rollback)           (BbServerStore *self);
  gboolean        (*savepoint)          (BbServerStore *self, GError **error);
  gboolean        (*release)            (BbServerStore *self, GError **error);
  void            (*rollback_to)        (BbServerStore *self);

  gboolean        (*user_add)           (BbServerStore *self, const BbServerUser *user, GError **error);
  BbServerUser   *(*user_find)          (BbServerStore *self, const char *username, const char *id, GError **error);
  gboolean        (*user_set_disabled)  (BbServerStore *self, const char *username, gboolean disabled, GError **error);

  gboolean        (*device_add)         (BbServerStore *self, const BbServerDevice *device, GError **error);
  BbServerDevice *(*device_get)         (BbServerStore *self, const char *id, GError **error);
  gboolean        (*device_revoke)      (BbServerStore *self, const char *id, const char *at, GError **error);

  gboolean        (*session_add)        (BbServerStore *self, const BbServerSession *session, GError **error);
  BbServerSession*(*session_get)        (BbServerStore *self, const char *token_hash, GError **error);
  gboolean        (*session_revoke)     (BbServerStore *self, const char *token_hash, GError **error);
  gboolean        (*session_extend)     (BbServerStore *self, const char *token_hash, const char *expires_at, GError **error);

  gboolean        (*login_failure_add)  (BbServerStore *self, const char *username, const char *at, GError **error);
  gboolean        (*login_failures_count)(BbServerStore *self, const char *username, const char *since, guint *count, GError **error);

  BbServerRecord *(*record_get)         (BbServerStore *self, const char *id, GError **error);
  gboolean        (*record_rev_find)    (BbServerStore *self, const char *id, gint64 rev, gboolean *found, char **change_hash, gint64 *seq, GError **error);
  gboolean        (*record_put)         (BbServerStore *self, BbServerRecord *record, const char *change_hash, GError **error);
  GPtrArray      *(*records_pull)       (BbServerStore *self, const BbServerScope *scope, gint64 since, guint limit, gboolean *more, GError **error);
  gboolean        (*blob_find)          (BbServerStore *self, const char *sha256, const BbServerScope *scope, const char *except, char **record_id, GError **error);
  GPtrArray      *(*record_blobs)       (BbServerStore *self, const char *record_id, GError **error);
  GPtrArray      *(*s59_lookup)         (BbServerStore *self, const char *vrm, const char *surname, const char *dob, const char *issued_since, GError **error);

  gboolean        (*audit_append)       (BbServerStore *self, const BbServerAuditEntry *entry, GError **error);
  /* Optional: several entries in one statement (else one by one). */
  gboolean        (*audit_append_many)  (BbServerStore *self, BbServerAuditEntry * const *entries, guint n_entries, GError **error);
  GPtrArray      *(*audit_list)         (BbServerStore *self, gint64 since, guint limit, gboolean *more, GError **error);
};

struct _BbServerStore
{
  const BbServerStoreVTable *vtable;
};

GQuark           bb_server_store_error_quark (void);

/* Opens @db: a PostgreSQL connection URI (postgresql:// or postgres://)
 * or else the path of a SQLite file; either is created and migrated as
 * needed. */
BbServerStore   *bb_server_store_open        (const char *db,
                                              GError    **error);
/* Whether @db names a PostgreSQL database rather than a file. */
gboolean         bb_server_store_is_pg_uri   (const char *db);

/* Opens (creating and migrating as needed) the SQLite database at @path. */
BbServerStore   *bb_server_store_sqlite_open (const char *path,
                                              GError    **error);
/* The schema version this build writes (PRAGMA user_version). */
int              bb_server_store_sqlite_schema_version (void);
/* Opens (migrating as needed) the PostgreSQL database at @uri. */
BbServerStore   *bb_server_store_pg_open     (const char *uri,
                                              GError    **error);
/* The schema version this build writes (table beatbook_server). */
int              bb_server_store_pg_schema_version (void);

void             bb_server_store_close       (BbServerStore *self);

/* Whether several threads may use @self at once (PostgreSQL: a pool of
 * connections, one per thread's transaction). Else each thread needs its
 * own store, from bb_server_store_reopen(). */
gboolean         bb_server_store_is_thread_safe (BbServerStore *self);
/* (transfer full): another connection to the database of @self, for
 * another thread (a SQLite file: WAL lets its readers and one writer go
 * on together, and writers queue on the busy timeout). Fails for an
 * in-memory database, which has one connection only. */
BbServerStore   *bb_server_store_reopen      (BbServerStore *self,
                                              GError       **error);

gboolean         bb_server_store_begin       (BbServerStore *self, GError **error);
gboolean         bb_server_store_commit      (BbServerStore *self, GError **error);
void             bb_server_store_rollback    (BbServerStore *self);
gboolean         bb_server_store_savepoint   (BbServerStore *self, GError **error);
gboolean         bb_server_store_release     (BbServerStore *self, GError **error);
void             bb_server_store_rollback_to (BbServerStore *self);

/* Fails with BB_SERVER_STORE_ERROR_EXISTS when the username is taken. */
gboolean         bb_server_store_user_add    (BbServerStore *self,
                                              const BbServerUser *user,
                                              GError       **error);
/* (transfer full) (nullable): by @username, or by @id when @username is
 * NULL; NULL without error when there is none. */
BbServerUser    *bb_server_store_user_find   (BbServerStore *self,
                                              const char    *username,
                                              const char    *id,
                                              GError       **error);
/* Disabling also revokes every session of the user. */
gboolean         bb_server_store_user_set_disabled (BbServerStore *self,
                                              const char    *username,
                                              gboolean       disabled,
                                              GError       **error);

gboolean         bb_server_store_device_add  (BbServerStore *self,
                                              const BbServerDevice *device,
                                              GError       **error);
/* (transfer full) (nullable): NULL without error when there is none. */
BbServerDevice  *bb_server_store_device_get  (BbServerStore *self,
                                              const char    *id,
                                              GError       **error);
gboolean         bb_server_store_device_revoke (BbServerStore *self,
                                              const char    *id,
                                              const char    *at,
                                              GError       **error);

gboolean         bb_server_store_session_add (BbServerStore *self,
                                              const BbServerSession *session,
                                              GError       **error);
/* (transfer full) (nullable): NULL without error when there is none. */
BbServerSession *bb_server_store_session_get (BbServerStore *self,
                                              const char    *token_hash,
                                              GError       **error);
/* Moves the expiry of a live (not revoked) session later, to @expires_at;
 * never earlier, and never for a revoked one. */
gboolean         bb_server_store_session_extend (BbServerStore *self,
                                              const char    *token_hash,
                                              const char    *expires_at,
                                              GError       **error);
gboolean         bb_server_store_session_revoke (BbServerStore *self,
                                              const char    *token_hash,
                                              GError       **error);

gboolean         bb_server_store_login_failure_add (BbServerStore *self,
                                              const char    *username,
                                              const char    *at,
                                              GError       **error);
/* Failures for @username at or after @since. */
gboolean         bb_server_store_login_failures_count (BbServerStore *self,
                                              const char    *username,
                                              const char    *since,
                                              guint         *count,
                                              GError       **error);

/* (transfer full) (nullable): NULL without error when there is none. */
BbServerRecord  *bb_server_store_record_get  (BbServerStore *self,
                                              const char    *id,
                                              GError       **error);
/* Whether revision @rev of @id was applied by a push, with the hash of the
 * change that made it and the seq it got then. */
gboolean         bb_server_store_record_rev_find (BbServerStore *self,
                                              const char    *id,
                                              gint64         rev,
                                              gboolean      *found,
                                              char         **change_hash,
                                              gint64        *seq,
                                              GError       **error);
/* Inserts or replaces the record with the next seq (written into
 * @record->seq). With @change_hash, also remembers (id, rev) as applied by a
 * push, for retries. Call inside a transaction, with its audit entry. */
gboolean         bb_server_store_record_put  (BbServerStore *self,
                                              BbServerRecord *record,
                                              const char    *change_hash,
                                              GError       **error);
/* (transfer full) (element-type BbServerRecord): records with seq > @since
 * that @scope may see, in seq order, at most @limit. */
GPtrArray       *bb_server_store_records_pull (BbServerStore *self,
                                              const BbServerScope *scope,
                                              gint64         since,
                                              guint          limit,
                                              gboolean      *more,
                                              GError       **error);
/* A live record, other than @except (nullable), that lists the evidence
 * file @sha256 and that @scope may see: its id in @record_id (transfer
 * full), or NULL when there is none. */
gboolean         bb_server_store_blob_find   (BbServerStore *self,
                                              const char    *sha256,
                                              const BbServerScope *scope,
                                              const char    *except,
                                              char         **record_id,
                                              GError       **error);
/* (transfer full) (element-type utf8): the SHA-256 of every file the live
 * record @record_id lists (none for a tombstone). */
GPtrArray       *bb_server_store_record_blobs (BbServerStore *self,
                                              const char    *record_id,
                                              GError       **error);
/* (transfer full) (element-type BbServerRecord): live s59 warnings issued
 * at or after @issued_since, by @vrm (normalised) or by @surname (lower
 * case) and @dob. Newest first. */
GPtrArray       *bb_server_store_s59_lookup  (BbServerStore *self,
                                              const char    *vrm,
                                              const char    *surname,
                                              const char    *dob,
                                              const char    *issued_since,
                                              GError       **error);

/* Appends an entry (its seq is chosen by the store). Nothing changes or
 * removes one afterwards. */
gboolean         bb_server_store_audit_append (BbServerStore *self,
                                              const BbServerAuditEntry *entry,
                                              GError       **error);
/* Appends @n_entries entries, in order, each with its own seq: a push's
 * entries in one statement where the engine can. */
gboolean         bb_server_store_audit_append_many (BbServerStore *self,
                                              BbServerAuditEntry * const *entries,
                                              guint          n_entries,
                                              GError       **error);
/* (transfer full) (element-type BbServerAuditEntry) */
GPtrArray       *bb_server_store_audit_list  (BbServerStore *self,
                                              gint64         since,
                                              guint          limit,
                                              gboolean      *more,
                                              GError       **error);

void bb_server_user_free         (BbServerUser *user);
void bb_server_device_free       (BbServerDevice *device);
void bb_server_session_free      (BbServerSession *session);
void bb_server_record_free       (BbServerRecord *record);
void bb_server_audit_entry_free  (BbServerAuditEntry *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbServerUser, bb_server_user_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbServerDevice, bb_server_device_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbServerSession, bb_server_session_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbServerRecord, bb_server_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbServerAuditEntry, bb_server_audit_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbServerStore, bb_server_store_close)

G_END_DECLS
