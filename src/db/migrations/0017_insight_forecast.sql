-- Insight: benchmarking (the council's own figures at a date beside its published ones) and the
-- demand forecast for children in care. Definitions in docs/insight/benchmarking.md and
-- docs/insight/forecast.md. Frozen once shipped: add a new migration instead of editing this one.

-- The council's ONS code for the DfE tables: organisations.la_code, or for a generated authority
-- (the demo council) its synthetic run's la_code.
CREATE VIEW insight_council_codes AS
SELECT o.id AS organisation_id,
  coalesce(o.la_code, (SELECT r.la_code FROM synthetic_runs r WHERE r.organisation_id = o.id
    ORDER BY r.run_number DESC LIMIT 1)) AS la_code
FROM organisations o
WHERE o.kind = 'local_authority';

-- Periods of care that count as being looked after: every period except those made only of short
-- breaks (all of its legal statuses V3 or V4), as the DfE counts children looked after. A period
-- with no legal status recorded counts. Children only, merged records left out.
CREATE VIEW insight_care_spells AS
SELECT cp.id AS care_period_id, cp.person_id, p.organisation_id, p.date_of_birth,
  cp.started_on, cp.ended_on
FROM care_periods cp
JOIN people p ON p.id = cp.person_id
WHERE p.merged_into IS NULL AND p.is_child
  AND (EXISTS (SELECT 1 FROM legal_statuses ls WHERE ls.care_period_id = cp.id AND ls.code NOT IN ('V3', 'V4'))
    OR NOT EXISTS (SELECT 1 FROM legal_statuses ls WHERE ls.care_period_id = cp.id));

-- Spells of statutory involvement whose number open at a date is published at 31 March:
--   cin        a CIN referral (the CIN census "children in need"), from referral_date to closed_on
--   cp_plan    a child protection plan (not a draft), from started_on to ended_on
--   looked_after  a period of care (insight_care_spells)
-- A spell is open on day d when it started on or before d and has not ended, or ended after d (a
-- spell ending on 31 March is not open at 31 March, as the DfE counts).
CREATE VIEW insight_open_spells AS
SELECT 'cin'::text AS kind, e.person_id, e.organisation_id, r.referral_date AS started_on, r.closed_on AS ended_on
FROM cin_referrals r
JOIN help_episodes e ON e.id = r.episode_id
JOIN people p ON p.id = e.person_id AND p.merged_into IS NULL AND p.is_child
UNION ALL
SELECT 'cp_plan', pl.person_id, p.organisation_id, pl.started_on, pl.ended_on
FROM plans pl
JOIN people p ON p.id = pl.person_id AND p.merged_into IS NULL AND p.is_child
WHERE pl.kind = 'child_protection' AND pl.status <> 'draft'
UNION ALL
SELECT 'looked_after', s.person_id, s.organisation_id, s.started_on, s.ended_on
FROM insight_care_spells s;

-- The forecast's placement groups (SSDA903 placement type):
--   fostering    U1-U6 foster carers (relatives and friends, and others)
--   residential  K1 secure children's home, K2 children's home, R1 residential care home,
--                R2 NHS/health trust, R5 young offender institution, S1 residential school
--   supported    K3 supported accommodation
--   parents      P1 placed with parents or others with parental responsibility
--   adoption     A3-A6 placed for adoption
--   other        everything else (R3 family centre, P3 residential employment, T0-T4 temporary, Z11-Z14)
CREATE FUNCTION insight_forecast_group(placement_type text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN placement_type IN ('U1', 'U2', 'U3', 'U4', 'U5', 'U6') THEN 'fostering'
    WHEN placement_type IN ('K1', 'K2', 'R1', 'R2', 'R5', 'S1') THEN 'residential'
    WHEN placement_type = 'K3' THEN 'supported'
    WHEN placement_type = 'P1' THEN 'parents'
    WHEN placement_type IN ('A3', 'A4', 'A5', 'A6') THEN 'adoption'
    ELSE 'other'
  END
$$;

-- Each placement within a counted period of care, clipped to the period, half-open [started_on,
-- ended_on): the child is in the placement from started_on and has left it on ended_on (null while
-- open). With what follows it: the next placement's group in the same period, whether it is the
-- period's last placement (then ended_on is the day care ended) and whether it is the first.
CREATE VIEW insight_care_segments AS
SELECT s.care_period_id, s.person_id, s.organisation_id, s.date_of_birth,
  s.started_on AS period_started_on, s.ended_on AS period_ended_on,
  greatest(pl.started_on, s.started_on) AS started_on,
  CASE WHEN pl.ended_on IS NULL THEN s.ended_on
       WHEN s.ended_on IS NULL THEN pl.ended_on
       ELSE least(pl.ended_on, s.ended_on) END AS ended_on,
  insight_forecast_group(pl.placement_type) AS placement_group,
  pl.weekly_cost_pence,
  lead(insight_forecast_group(pl.placement_type)) OVER w AS next_group,
  row_number() OVER w = 1 AS is_first
FROM insight_care_spells s
JOIN placements pl ON pl.care_period_id = s.care_period_id
WHERE s.ended_on IS NULL OR pl.started_on < s.ended_on
-- The organisation is in the partition so that a query for one council reads only its rows.
WINDOW w AS (PARTITION BY s.organisation_id, s.care_period_id ORDER BY pl.started_on, pl.created_at);
