/* bb-kind.h: the record kinds, described as data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  BB_ROLE_NONE = 0,
  BB_ROLE_OFFICER,
  BB_ROLE_WARDEN,
  BB_ROLE_COUNCILLOR,
  BB_ROLE_SUPERVISOR,
  BB_ROLE_ADMIN,
} BbRole;

#define BB_ROLE_BIT(r) (1u << (r))

typedef enum {
  BB_REGIME_LAW_ENFORCEMENT,
  BB_REGIME_UK_GDPR,
} BbRegime;

/* What a field holds on the wire (sync-api.md "Records on the wire"). */
typedef enum {
  BB_FIELD_TEXT,         /* string */
  BB_FIELD_COUNT,        /* integer >= 0 */
  BB_FIELD_BOOL,         /* true / false */
  BB_FIELD_NUMBER,       /* JSON number (latitude, longitude) */
  BB_FIELD_TIME,         /* ISO 8601 UTC time, "2026-03-01T21:14:00Z" */
  BB_FIELD_DATE,         /* calendar date, "1990-04-01" */
  BB_FIELD_CHOICE,       /* an id from the profile list named by ->choices */
  BB_FIELD_CHOICE_LIST,  /* array of ids from the profile list ->choices */
  BB_FIELD_TEXT_LIST,    /* array of strings */
  BB_FIELD_ID_LIST,      /* array of record ids (UUID strings) */
  BB_FIELD_VRM,          /* vehicle registration mark (string) */
  BB_FIELD_OBJECT,       /* nested object, ->children */
  BB_FIELD_OBJECT_LIST,  /* array of nested objects, ->children */
} BbFieldType;

typedef enum {
  BB_FIELD_FLAG_NONE       = 0,
  BB_FIELD_FLAG_REQUIRED   = 1 << 0, /* must be present (and non-empty) */
  BB_FIELD_FLAG_PERSONAL   = 1 << 1, /* personal data: purged from devices after review */
  BB_FIELD_FLAG_SEARCHABLE = 1 << 2, /* goes into full-text search */
  BB_FIELD_FLAG_MULTILINE  = 1 << 3, /* long text: the editor shows a text view */
  BB_FIELD_FLAG_DERIVED    = 1 << 4, /* set by the server/codec, never sent by a client */
  BB_FIELD_FLAG_EVIDENCE   = 1 << 5, /* attached files (bb-evidence.h): shown by their own widgets */
} BbFieldFlags;

typedef struct _BbFieldSpec BbFieldSpec;

/* Tables are arrays terminated by an entry whose name is NULL. */
struct _BbFieldSpec
{
  const char        *name;       /* wire key, snake_case */
  BbFieldType        type;
  BbFieldFlags       flags;
  const char        *choices;    /* profile list: "wards", "partners" or an enums key */
  const char        *label;      /* N_() marked; translate with _() / g_dgettext */
  const BbFieldSpec *children;   /* for OBJECT and OBJECT_LIST */
  guint              max_length; /* for text; 0 means the default limit */
};

typedef struct _BbKindSpec BbKindSpec;

struct _BbKindSpec
{
  const char        *id;               /* "vawg_walk" */
  const char        *label;            /* N_("VAWG walk") */
  const char        *plural_label;     /* N_("VAWG walks") */
  const char        *icon_name;        /* symbolic icon for lists */
  int                default_priority; /* 1..4 */
  BbRegime           regime;
  guint              creators;         /* BB_ROLE_BIT() mask of roles that may create it */
  const char        *title_field;      /* field path used for a list's title line */
  const BbFieldSpec *fields;           /* kind-specific fields; common ones are separate */
};

#define BB_KIND_VAWG_WALK          "vawg_walk"
#define BB_KIND_PATROL_OBSERVATION "patrol_observation"
#define BB_KIND_S59_WARNING        "s59_warning"
#define BB_KIND_ENGAGEMENT_EVENT   "engagement_event"

/* Default text limit when a spec's max_length is 0. */
#define BB_FIELD_DEFAULT_MAX_LENGTH 10000

const BbKindSpec * const *bb_kind_all            (void);
const BbKindSpec         *bb_kind_lookup         (const char   *kind_id);
const BbFieldSpec        *bb_kind_common_fields  (void);
const BbFieldSpec        *bb_field_spec_find     (const BbFieldSpec *table,
                                                  const char        *name);
const char               *bb_kind_get_label      (const BbKindSpec *kind);
gboolean                  bb_kind_can_create     (const BbKindSpec *kind,
                                                  BbRole            role);
/* The kind's default priority, refined by the fields where domain.md says so
 * (a patrol observation's category: drug dealing and licensing visits 3,
 * weapons or knife concerns 1, safeguarding, exploitation and hate
 * incidents 4). @fields may be NULL. */
int                       bb_kind_default_priority (const BbKindSpec *kind,
                                                    JsonObject       *fields);

const char *bb_role_to_string   (BbRole      role);
BbRole      bb_role_from_string (const char *str);
const char *bb_role_get_label   (BbRole      role);
const char *bb_regime_to_string (BbRegime    regime);

G_END_DECLS
