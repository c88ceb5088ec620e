/* bb-kind.c: the four record kinds as field tables
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook"

#include "config.h"

#include <string.h>

#include "bb-i18n.h"
#include "bb-kind.h"

/* Flags spelled short: the tables below read better as data. */
#define REQ   BB_FIELD_FLAG_REQUIRED
#define PERS  BB_FIELD_FLAG_PERSONAL
#define SRCH  BB_FIELD_FLAG_SEARCHABLE
#define MULTI BB_FIELD_FLAG_MULTILINE
#define END   { NULL }

/* The fields of sync-api.md "Records on the wire". Keys are part of the
 * contract: never rename one. */

/* sync-api.md "Evidence (blobs)": the bytes travel apart, by their hash.
 * The size is an integer in bytes; bb-validate.c checks it, the hash, the
 * type and the profile's limits. */
static const BbFieldSpec attachment_fields[] = {
  { "sha256", BB_FIELD_TEXT, REQ, NULL, N_("SHA-256"), NULL, 64 },
  { "name", BB_FIELD_TEXT, REQ, NULL, N_("File name"), NULL, 255 },
  { "media_type", BB_FIELD_TEXT, REQ, NULL, N_("Type"), NULL, 64 },
  { "size", BB_FIELD_NUMBER, REQ, NULL, N_("Size") },
  { "taken_at", BB_FIELD_TIME, 0, NULL, N_("Taken") },
  END
};

static const BbFieldSpec common_fields[] = {
  { "ward", BB_FIELD_CHOICE, REQ, "wards", N_("Ward") },
  { "place", BB_FIELD_TEXT, SRCH, NULL, N_("Place or street"), NULL, 200 },
  { "lat", BB_FIELD_NUMBER, 0, NULL, N_("Latitude") },
  { "lon", BB_FIELD_NUMBER, 0, NULL, N_("Longitude") },
  { "ended_at", BB_FIELD_TIME, 0, NULL, N_("Ended") },
  { "notes", BB_FIELD_TEXT, SRCH | MULTI, NULL, N_("Notes") },
  { "attachments", BB_FIELD_OBJECT_LIST, BB_FIELD_FLAG_EVIDENCE, NULL, N_("Photos and files"), attachment_fields },
  END
};

static const BbFieldSpec unsafe_spot_fields[] = {
  { "place", BB_FIELD_TEXT, SRCH, NULL, N_("Place"), NULL, 200 },
  { "ward", BB_FIELD_CHOICE, 0, "wards", N_("Ward") },
  { "category", BB_FIELD_CHOICE, REQ, "unsafe_spot_category", N_("Category") },
  { "description", BB_FIELD_TEXT, SRCH | MULTI, NULL, N_("Description") },
  END
};

/* A point on a walk's route: a place named, and where it is if known. */
static const BbFieldSpec waypoint_fields[] = {
  { "place", BB_FIELD_TEXT, REQ | SRCH, NULL, N_("Place"), NULL, 200 },
  { "lat", BB_FIELD_NUMBER, 0, NULL, N_("Latitude") },
  { "lon", BB_FIELD_NUMBER, 0, NULL, N_("Longitude") },
  END
};

static const BbFieldSpec vawg_walk_fields[] = {
  { "walk_type", BB_FIELD_CHOICE, REQ, "walk_type", N_("Walk type") },
  { "route", BB_FIELD_TEXT, SRCH | MULTI, NULL, N_("Route") },
  { "waypoints", BB_FIELD_OBJECT_LIST, 0, NULL, N_("Waypoints"), waypoint_fields },
  { "officers_present", BB_FIELD_TEXT_LIST, SRCH, NULL, N_("Officers present") },
  { "councillors_present", BB_FIELD_TEXT_LIST, SRCH, NULL, N_("Councillors present") },
  { "partners", BB_FIELD_CHOICE_LIST, 0, "partners", N_("Partners present") },
  { "public_engaged", BB_FIELD_COUNT, 0, NULL, N_("Members of the public engaged") },
  { "age_band", BB_FIELD_CHOICE, 0, "age_band", N_("Participant age band") },
  { "unsafe_spots", BB_FIELD_OBJECT_LIST, 0, NULL, N_("Unsafe spots"), unsafe_spot_fields },
  { "reports_taken", BB_FIELD_COUNT, 0, NULL, N_("Reports taken") },
  { "streetsafe_reports", BB_FIELD_COUNT, 0, NULL, N_("StreetSafe reports made") },
  { "referrals", BB_FIELD_CHOICE_LIST, 0, "partners", N_("Referrals") },
  { "follow_up", BB_FIELD_TEXT, SRCH | MULTI, NULL, N_("Follow-up actions") },
  END
};

static const BbFieldSpec vehicle_fields[] = {
  { "vrm", BB_FIELD_VRM, SRCH, NULL, N_("Registration mark"), NULL, 16 },
  { "make", BB_FIELD_TEXT, SRCH, NULL, N_("Make"), NULL, 60 },
  { "model", BB_FIELD_TEXT, SRCH, NULL, N_("Model"), NULL, 60 },
  { "colour", BB_FIELD_TEXT, SRCH, NULL, N_("Colour"), NULL, 40 },
  END
};

static const BbFieldSpec fly_tip_fields[] = {
  { "size", BB_FIELD_CHOICE, REQ, "fly_tip_size", N_("Size") },
  { "waste_type", BB_FIELD_CHOICE, REQ, "waste_type", N_("Waste type") },
  { "land_type", BB_FIELD_CHOICE, REQ, "land_type", N_("Land type") },
  { "evidence_checked", BB_FIELD_BOOL, 0, NULL, N_("Evidence checked before clearance") },
  END
};

static const BbFieldSpec pspo_fields[] = {
  { "order", BB_FIELD_CHOICE, REQ, "pspo_order", N_("Order") },
  { "prohibition", BB_FIELD_TEXT, 0, NULL, N_("Prohibition breached"), NULL, 500 },
  { "outcome", BB_FIELD_CHOICE, REQ, "pspo_outcome", N_("Outcome") },
  { "fpn_reference", BB_FIELD_TEXT, SRCH, NULL, N_("FPN reference"), NULL, 60 },
  END
};

static const BbFieldSpec patrol_observation_fields[] = {
  { "category", BB_FIELD_CHOICE, REQ, "observation_category", N_("Category") },
  { "description", BB_FIELD_TEXT, REQ | SRCH | MULTI, NULL, N_("Description") },
  { "people_involved", BB_FIELD_COUNT, 0, NULL, N_("People involved") },
  { "vehicles", BB_FIELD_OBJECT_LIST, 0, NULL, N_("Vehicles"), vehicle_fields },
  { "action_taken", BB_FIELD_CHOICE, 0, "action_taken", N_("Action taken") },
  { "referred_to", BB_FIELD_CHOICE_LIST, 0, "partners", N_("Referred to") },
  { "crime_reference", BB_FIELD_TEXT, SRCH, NULL, N_("Crime reference"), NULL, 60 },
  { "severity", BB_FIELD_CHOICE, 0, "severity", N_("Severity") },
  { "fly_tip", BB_FIELD_OBJECT, 0, NULL, N_("Fly-tipping"), fly_tip_fields },
  { "pspo", BB_FIELD_OBJECT, 0, NULL, N_("PSPO breach"), pspo_fields },
  END
};

static const BbFieldSpec s59_vehicle_fields[] = {
  { "type", BB_FIELD_CHOICE, REQ, "vehicle_type", N_("Vehicle type") },
  { "vrm", BB_FIELD_VRM, SRCH, NULL, N_("Registration mark"), NULL, 16 },
  { "make", BB_FIELD_TEXT, SRCH, NULL, N_("Make"), NULL, 60 },
  { "model", BB_FIELD_TEXT, SRCH, NULL, N_("Model"), NULL, 60 },
  { "colour", BB_FIELD_TEXT, SRCH, NULL, N_("Colour"), NULL, 40 },
  END
};

static const BbFieldSpec driver_fields[] = {
  { "name", BB_FIELD_TEXT, PERS | SRCH, NULL, N_("Driver’s name"), NULL, 200 },
  { "date_of_birth", BB_FIELD_DATE, PERS, NULL, N_("Date of birth") },
  { "address", BB_FIELD_TEXT, PERS | MULTI, NULL, N_("Address"), NULL, 500 },
  { "postcode", BB_FIELD_TEXT, PERS, NULL, N_("Postcode"), NULL, 10 },
  END
};

static const BbFieldSpec owner_fields[] = {
  { "name", BB_FIELD_TEXT, PERS | SRCH, NULL, N_("Owner’s name"), NULL, 200 },
  { "address", BB_FIELD_TEXT, PERS | MULTI, NULL, N_("Address"), NULL, 500 },
  { "postcode", BB_FIELD_TEXT, PERS, NULL, N_("Postcode"), NULL, 10 },
  END
};

static const BbFieldSpec prior_check_fields[] = {
  { "result", BB_FIELD_TEXT, 0, NULL, N_("Result"), NULL, 500 },
  { "checked_at", BB_FIELD_TIME, 0, NULL, N_("Checked at") },
  { "source", BB_FIELD_TEXT, 0, NULL, N_("Where checked"), NULL, 100 },
  { "matches", BB_FIELD_ID_LIST, 0, NULL, N_("Earlier warnings found") },
  END
};

static const BbFieldSpec seizure_fields[] = {
  { "seized_at", BB_FIELD_TIME, 0, NULL, N_("Seized at") },
  { "ground", BB_FIELD_TEXT, MULTI, NULL, N_("Ground for seizure"), NULL, 1000 },
  { "recovery_operator", BB_FIELD_TEXT, 0, NULL, N_("Recovery operator"), NULL, 200 },
  { "notice_served", BB_FIELD_BOOL, 0, NULL, N_("Seizure notice served") },
  END
};

static const BbFieldSpec s59_warning_fields[] = {
  { "offence", BB_FIELD_CHOICE, REQ, "offence", N_("Offence") },
  { "alarm_distress", BB_FIELD_CHOICE, REQ, "alarm_distress", N_("Alarm, distress or annoyance") },
  { "circumstances", BB_FIELD_TEXT, REQ | SRCH | MULTI, NULL, N_("Circumstances") },
  { "vehicle", BB_FIELD_OBJECT, REQ, NULL, N_("Vehicle"), s59_vehicle_fields },
  { "warned_party", BB_FIELD_CHOICE, REQ, "warned_party", N_("Warned party") },
  { "driver", BB_FIELD_OBJECT, PERS, NULL, N_("Driver"), driver_fields },
  { "owner", BB_FIELD_OBJECT, PERS, NULL, N_("Owner, if different"), owner_fields },
  { "delivery", BB_FIELD_CHOICE, 0, "delivery", N_("How the warning was given") },
  { "report_reference", BB_FIELD_TEXT, SRCH, NULL, N_("Linked report reference"), NULL, 60 },
  { "bwv_reference", BB_FIELD_TEXT, SRCH, NULL, N_("Body-worn video reference"), NULL, 60 },
  { "prior_check", BB_FIELD_OBJECT, 0, NULL, N_("Prior-warning check"), prior_check_fields },
  { "seizure", BB_FIELD_OBJECT, 0, NULL, N_("Seizure"), seizure_fields },
  END
};

static const BbFieldSpec concern_fields[] = {
  { "concern", BB_FIELD_CHOICE, REQ, "concern", N_("Concern") },
  { "count", BB_FIELD_COUNT, REQ, NULL, N_("Times raised") },
  END
};

static const BbFieldSpec action_fields[] = {
  { "text", BB_FIELD_TEXT, REQ | SRCH, NULL, N_("Action"), NULL, 1000 },
  { "owner", BB_FIELD_TEXT, SRCH, NULL, N_("Owner"), NULL, 200 },
  { "due", BB_FIELD_DATE, 0, NULL, N_("Due date") },
  END
};

static const BbFieldSpec engagement_event_fields[] = {
  { "event_type", BB_FIELD_CHOICE, REQ, "event_type", N_("Event type") },
  { "title", BB_FIELD_TEXT, REQ | SRCH, NULL, N_("Title"), NULL, 200 },
  { "attendees", BB_FIELD_COUNT, REQ, NULL, N_("Attendees") },
  { "organiser", BB_FIELD_TEXT, SRCH, NULL, N_("Organiser"), NULL, 200 },
  { "staff_present", BB_FIELD_TEXT_LIST, SRCH, NULL, N_("Staff and councillors present") },
  { "partners", BB_FIELD_CHOICE_LIST, 0, "partners", N_("Partners present") },
  { "topics", BB_FIELD_CHOICE_LIST, 0, "topic", N_("Topics") },
  { "concerns", BB_FIELD_OBJECT_LIST, 0, NULL, N_("Concerns raised"), concern_fields },
  { "items_distributed", BB_FIELD_COUNT, 0, NULL, N_("Items and leaflets distributed") },
  { "actions", BB_FIELD_OBJECT_LIST, 0, NULL, N_("Actions"), action_fields },
  END
};

#define ALL_CREATORS (BB_ROLE_BIT (BB_ROLE_OFFICER) | BB_ROLE_BIT (BB_ROLE_WARDEN) | \
                      BB_ROLE_BIT (BB_ROLE_COUNCILLOR) | BB_ROLE_BIT (BB_ROLE_SUPERVISOR))

/* Ordered as the "New" menu shows them: the most used kind first. */
static const BbKindSpec patrol_observation_kind = {
  BB_KIND_PATROL_OBSERVATION, N_("Patrol observation"), N_("Patrol observations"),
  "find-location-symbolic", 2, BB_REGIME_LAW_ENFORCEMENT,
  BB_ROLE_BIT (BB_ROLE_OFFICER) | BB_ROLE_BIT (BB_ROLE_WARDEN) | BB_ROLE_BIT (BB_ROLE_SUPERVISOR),
  "category", patrol_observation_fields,
};

static const BbKindSpec s59_warning_kind = {
  BB_KIND_S59_WARNING, N_("Section 59 warning"), N_("Section 59 warnings"),
  "dialog-warning-symbolic", 2, BB_REGIME_LAW_ENFORCEMENT,
  BB_ROLE_BIT (BB_ROLE_OFFICER) | BB_ROLE_BIT (BB_ROLE_SUPERVISOR),
  "vehicle.vrm", s59_warning_fields,
};

static const BbKindSpec vawg_walk_kind = {
  BB_KIND_VAWG_WALK, N_("VAWG walk"), N_("VAWG walks"),
  /* A safety walk is engagement with the public; crimes reported on it are
   * recorded in police systems, not here. */
  "system-users-symbolic", 1, BB_REGIME_UK_GDPR,
  ALL_CREATORS,
  "walk_type", vawg_walk_fields,
};

static const BbKindSpec engagement_event_kind = {
  BB_KIND_ENGAGEMENT_EVENT, N_("Engagement event"), N_("Engagement events"),
  "x-office-calendar-symbolic", 4, BB_REGIME_UK_GDPR,
  ALL_CREATORS,
  "title", engagement_event_fields,
};

static const BbKindSpec * const all_kinds[] = {
  &patrol_observation_kind,
  &s59_warning_kind,
  &vawg_walk_kind,
  &engagement_event_kind,
  NULL
};

const BbKindSpec * const *
bb_kind_all (void)
{
  return all_kinds;
}

const BbKindSpec *
bb_kind_lookup (const char *kind_id)
{
  if (kind_id == NULL)
    return NULL;

  for (guint i = 0; all_kinds[i] != NULL; i++)
    if (strcmp (all_kinds[i]->id, kind_id) == 0)
      return all_kinds[i];

  return NULL;
}

const BbFieldSpec *
bb_kind_common_fields (void)
{
  return common_fields;
}

const BbFieldSpec *
bb_field_spec_find (const BbFieldSpec *table,
                    const char        *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  if (table == NULL)
    return NULL;

  for (const BbFieldSpec *f = table; f->name != NULL; f++)
    if (strcmp (f->name, name) == 0)
      return f;

  return NULL;
}

const char *
bb_kind_get_label (const BbKindSpec *kind)
{
  g_return_val_if_fail (kind != NULL, NULL);

  return _(kind->label);
}

gboolean
bb_kind_can_create (const BbKindSpec *kind,
                    BbRole            role)
{
  g_return_val_if_fail (kind != NULL, FALSE);

  return role != BB_ROLE_NONE && (kind->creators & BB_ROLE_BIT (role)) != 0;
}

/* Observation categories whose default priority is not the kind's own. */
static const struct {
  const char *category;
  int         priority;
} category_priorities[] = {
  /* 1: serious violent crime */
  { "weapons_knife_concern", 1 },
  /* 3: preventing offending and reducing re-offending (domain.md: drug
   * dealing is 3, not ASB's 2) */
  { "drug_dealing", 3 },
  { "licensing_visit", 3 },
  /* 4: protecting vulnerable people and strengthening communities */
  { "safeguarding_concern", 4 },
  { "exploitation_concern", 4 },
  { "hate_incident", 4 },
};

int
bb_kind_default_priority (const BbKindSpec *kind,
                          JsonObject       *fields)
{
  g_return_val_if_fail (kind != NULL, 2);

  /* Categories that belong to another strategy priority than the kind's 2
   * (persistent ASB and environmental crime). */
  if (fields != NULL &&
      strcmp (kind->id, BB_KIND_PATROL_OBSERVATION) == 0 &&
      json_object_has_member (fields, "category"))
    {
      JsonNode *node = json_object_get_member (fields, "category");

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        {
          const char *category = json_node_get_string (node);

          for (guint i = 0; i < G_N_ELEMENTS (category_priorities); i++)
            if (g_strcmp0 (category, category_priorities[i].category) == 0)
              return category_priorities[i].priority;
        }
    }

  return kind->default_priority;
}

static const struct {
  BbRole      role;
  const char *id;
  const char *label;
} roles[] = {
  { BB_ROLE_OFFICER, "officer", N_("Police officer or PCSO") },
  { BB_ROLE_WARDEN, "warden", N_("Community warden") },
  { BB_ROLE_COUNCILLOR, "councillor", N_("Ward councillor") },
  { BB_ROLE_SUPERVISOR, "supervisor", N_("Supervisor") },
  { BB_ROLE_ADMIN, "admin", N_("Administrator") },
};

const char *
bb_role_to_string (BbRole role)
{
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (roles[i].role == role)
      return roles[i].id;

  return NULL;
}

BbRole
bb_role_from_string (const char *str)
{
  if (str == NULL)
    return BB_ROLE_NONE;

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (strcmp (roles[i].id, str) == 0)
      return roles[i].role;

  return BB_ROLE_NONE;
}

const char *
bb_role_get_label (BbRole role)
{
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (roles[i].role == role)
      return _(roles[i].label);

  return _("No role");
}

const char *
bb_regime_to_string (BbRegime regime)
{
  switch (regime)
    {
    case BB_REGIME_LAW_ENFORCEMENT:
      return "law_enforcement";
    case BB_REGIME_UK_GDPR:
      return "uk_gdpr";
    default:
      g_return_val_if_reached (NULL);
    }
}
