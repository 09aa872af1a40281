-- Insight: continuity, and placements and the care market (issue 8; definitions in
-- docs/insight/continuity.md and docs/insight/placements.md). Each measure is defined once here; the
-- views in src/modules/insight/views/continuity.ts and placements.ts filter these rows
-- (src/modules/insight/filters.ts) and count them.
-- Frozen once shipped: add a new migration instead of editing this one.

-- ---------------------------------------------------------------------------------------------
-- Continuity

-- Whether a member of staff is employed by the council or engaged through an agency. Nothing
-- recorded this before, so every existing account is taken to be permanent until someone says
-- otherwise.
ALTER TABLE users
  ADD COLUMN employment text NOT NULL DEFAULT 'permanent' CHECK (employment IN ('permanent', 'agency'));

-- Every allocation of a child to a team (and usually a named worker), with its dates as days in
-- England, the team's locality and the worker's employment. A worker is "in" a period when the
-- allocation started on or before its last day and had not ended before its first day.
CREATE VIEW insight_allocations AS
SELECT
  a.id AS allocation_id,
  a.person_id,
  t.organisation_id,
  a.team_id,
  t.locality_id,
  a.worker_user_id,
  u.employment,
  a.is_lead,
  a.practitioner_role,
  a.change_reason,
  a.started_at,
  a.ended_at,
  (a.started_at AT TIME ZONE 'Europe/London')::date AS started_on,
  (a.ended_at AT TIME ZONE 'Europe/London')::date AS ended_on
FROM allocations a
JOIN teams t ON t.id = a.team_id
LEFT JOIN users u ON u.id = a.worker_user_id;

-- Each change of lead allocation: a lead allocation that followed an earlier lead allocation of the
-- same child (the one that started most recently before it), with the team and worker it came from.
--   team_changed    the child was handed from one team to another (a hand-off)
--   worker_changed  the named lead worker changed (either side may have no named worker)
CREATE VIEW insight_lead_changes AS
SELECT
  a.id AS allocation_id,
  a.person_id,
  t.organisation_id,
  prev.team_id AS from_team_id,
  a.team_id AS to_team_id,
  prev.worker_user_id AS from_worker_user_id,
  a.worker_user_id AS to_worker_user_id,
  a.change_reason,
  a.started_at AS changed_at,
  (a.started_at AT TIME ZONE 'Europe/London')::date AS changed_on,
  prev.team_id <> a.team_id AS team_changed,
  prev.worker_user_id IS DISTINCT FROM a.worker_user_id AS worker_changed
FROM allocations a
JOIN teams t ON t.id = a.team_id
CROSS JOIN LATERAL (
  SELECT p.team_id, p.worker_user_id FROM allocations p
  WHERE p.person_id = a.person_id AND p.is_lead AND (p.started_at, p.id) < (a.started_at, a.id)
  ORDER BY p.started_at DESC, p.id DESC
  LIMIT 1
) prev
WHERE a.is_lead;

-- Allocations in a period are found by their start (hand-offs, changes) or by start and end.
CREATE INDEX insight_allocations_started ON allocations (started_at);

-- ---------------------------------------------------------------------------------------------
-- Placements and the care market

-- The group of an SSDA903 placement type (PLACE) and provider (PLACE_PROVIDER) the insight pages
-- count by:
--   kinship        U1-U3 foster care with a relative or friend
--   foster_own     U4-U6 with the council's own foster carers (PR1)
--   foster_agency  U4-U6 with an independent fostering agency's carers (private PR4 or voluntary PR5)
--   foster_other   U4-U6 with another council's or public body's carers, or provider not recorded
--   home_own       K1-K2 children's homes (secure or not) run by the council (PR1)
--   home_private   K1-K2 run by a private provider (PR4)
--   home_other     K1-K2 run by another council, public body or voluntary provider, or not recorded
--   supported      K3 supported accommodation
--   adoption       A3-A6 placed for adoption
--   parents        P1 placed with parents or others with parental responsibility
--   other          everything else (P3, R1-R5, S1, T0-T4 temporary, Z11-Z14)
CREATE FUNCTION insight_placement_group(place text, provider text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN place IN ('U1', 'U2', 'U3') THEN 'kinship'
    WHEN place IN ('U4', 'U5', 'U6') AND provider = 'PR1' THEN 'foster_own'
    WHEN place IN ('U4', 'U5', 'U6') AND provider IN ('PR4', 'PR5') THEN 'foster_agency'
    WHEN place IN ('U4', 'U5', 'U6') THEN 'foster_other'
    WHEN place IN ('K1', 'K2') AND provider = 'PR1' THEN 'home_own'
    WHEN place IN ('K1', 'K2') AND provider = 'PR4' THEN 'home_private'
    WHEN place IN ('K1', 'K2') THEN 'home_other'
    WHEN place = 'K3' THEN 'supported'
    WHEN place IN ('A3', 'A4', 'A5', 'A6') THEN 'adoption'
    WHEN place = 'P1' THEN 'parents'
    ELSE 'other'
  END
$$;

-- One row per placement, with what the care-market measures need:
--   ends_on            the day the child left (the placement's end, else its period of care's end);
--                      null while the child lives there. The day the child left is not a day in the
--                      placement (the SSDA903 convention: the next placement starts that day).
--   counts_as_placement  false for temporary placements (T0-T4) and for a change of arrangement with
--                      the same carer (same_carer_as_previous): neither is a move
--   is_move            counts_as_placement and an earlier placement of the same period of care exists
--   previous_change_reason  why the child left the placement before this one (REASON_PLACE_CHANGE is
--                      recorded on the placement that ended)
--   home_/placement_easting, _northing  OS grid references of the home postcode (the period of care's)
--                      and the placement postcode; the distance is worked out from them by the care
--                      module's distanceKm (src/modules/care/rules.ts)
--   outside_authority  the placement postcode's neighbourhood is in another local authority than the
--                      council's (organisations.la_code); null when either is not known
CREATE VIEW insight_placements AS
SELECT
  p.id AS placement_id,
  cp.person_id,
  e.organisation_id,
  p.care_period_id,
  cp.started_on AS care_started_on,
  cp.ended_on AS care_ended_on,
  p.placement_type,
  p.provider,
  insight_placement_group(p.placement_type, p.provider) AS placement_group,
  p.started_on,
  coalesce(p.ended_on, cp.ended_on) AS ends_on,
  p.weekly_cost_pence,
  p.with_siblings,
  p.same_carer_as_previous,
  NOT (p.placement_type IN ('T0', 'T1', 'T2', 'T3', 'T4') OR p.same_carer_as_previous) AS counts_as_placement,
  (NOT (p.placement_type IN ('T0', 'T1', 'T2', 'T3', 'T4') OR p.same_carer_as_previous)
    AND prev.id IS NOT NULL) AS is_move,
  prev.change_reason AS previous_change_reason,
  hp.easting AS home_easting,
  hp.northing AS home_northing,
  pp.easting AS placement_easting,
  pp.northing AS placement_northing,
  pl.la_code AS placement_la_code,
  CASE WHEN o.la_code IS NULL OR pl.la_code IS NULL THEN NULL ELSE pl.la_code <> o.la_code END
    AS outside_authority
FROM placements p
JOIN care_periods cp ON cp.id = p.care_period_id
JOIN help_episodes e ON e.id = cp.episode_id
JOIN organisations o ON o.id = e.organisation_id
LEFT JOIN LATERAL (
  SELECT q.id, q.change_reason FROM placements q
  WHERE q.care_period_id = p.care_period_id AND (q.started_on, q.created_at, q.id) < (p.started_on, p.created_at, p.id)
  ORDER BY q.started_on DESC, q.created_at DESC, q.id DESC
  LIMIT 1
) prev ON true
LEFT JOIN postcodes hp ON hp.postcode = cp.home_postcode
LEFT JOIN postcodes pp ON pp.postcode = p.postcode
LEFT JOIN lsoa21 pl ON pl.code = pp.lsoa21_code;

-- Periods of care with the council they belong to (the organisation of their episode of help).
-- A child is in care on a day when a period of care started on or before it and had not ended by
-- it (the day care ended is not a day in care, as for placements).
CREATE VIEW insight_care_periods AS
SELECT
  cp.id AS care_period_id,
  cp.person_id,
  e.organisation_id,
  cp.started_on,
  cp.ended_on
FROM care_periods cp
JOIN help_episodes e ON e.id = cp.episode_id;

-- Periods of care in a period are found by their start and end.
CREATE INDEX insight_care_periods_dates ON care_periods (started_on, ended_on);
