-- Insight at scale, second pass (issue 8; figures and what changed in BENCHMARKS.md, "Insight views
-- on a large authority"). Frozen once shipped: add a new migration instead of editing this one.

-- A child's section 47 enquiries by date. "Who enters care and what came before" looks up each
-- child's earlier events kind by kind (insight_prior_events); every other kind had an index by
-- child, section 47 enquiries did not (0015 names one that was never made), so each child entering
-- care read every enquiry started before their day of entry.
CREATE INDEX IF NOT EXISTS insight_section47_person ON section47_enquiries (person_id, started_on);

-- The children of a council (merged records left out), by id, with the two columns the insight
-- views read when no filter needs the base view (src/modules/insight/views/children.ts): the views
-- look up the children of the period's events here, one index-only probe each, and the locality of
-- each neighbourhood (insight_neighbourhood_localities) reads it in order instead of the table.
CREATE INDEX IF NOT EXISTS insight_people_children ON people (id) INCLUDE (organisation_id, date_of_birth)
  WHERE merged_into IS NULL AND is_child;

-- Each child's latest home address not hidden from the family (insight_neighbourhood_localities:
-- DISTINCT ON over the addresses in this order), read from the index alone.
CREATE INDEX IF NOT EXISTS insight_person_addresses_home
  ON person_addresses (person_id, started_on DESC, created_at DESC) INCLUDE (lsoa21_code)
  WHERE NOT hidden_from_family AND lsoa21_code IS NOT NULL;

-- Each child's latest allocation (insight_children and insight_neighbourhood_localities), read from
-- the index alone: 0018's index in the same order could not answer without the table, because the
-- order uses (ended_at IS NULL) and the index did not hold ended_at. This one replaces it.
CREATE INDEX IF NOT EXISTS insight_allocations_current
  ON allocations (person_id, (ended_at IS NULL) DESC, is_lead DESC, started_at DESC) INCLUDE (team_id, ended_at);
DROP INDEX IF EXISTS insight_allocations_latest;

-- Each lead allocation's previous lead allocation of the same child (insight_lead_changes: a
-- LATERAL … ORDER BY started_at DESC, id DESC LIMIT 1 for each lead allocation of the period), one
-- index-only probe each instead of reading and sorting the child's allocations.
CREATE INDEX IF NOT EXISTS insight_allocations_lead_order
  ON allocations (person_id, started_at DESC, id DESC) INCLUDE (team_id, worker_user_id) WHERE is_lead;

-- "A repeat within 12 months" (insight_front_door_requests) looks for an earlier request about the
-- same child; with this index the look-up needs no visit to the table.
CREATE INDEX IF NOT EXISTS insight_help_requests_repeat ON help_requests (person_id, received_at, id)
  WHERE status <> 'draft';

-- Working days from a request to its decision, without a query for each request. The function
-- insight_working_days (0014) counts the bank holidays between the two days with a query of its own,
-- and PostgreSQL cannot inline a function that holds a query: called for each of a year's 33,000
-- requests on a large authority it took 0.7 s of the front door's 1.6 s. Instead, every day from
-- 2000 to 2050 (the years insight_bank_holidays covers) is numbered by the working days up to and
-- including it: Monday to Friday counted as the function counts them, less the bank holidays on a
-- weekday up to that day. The working days after one day up to and including another are the
-- difference of their numbers, which is what the function gives (its weekday count less the bank
-- holidays in between). A day outside the numbered years falls back to the function.
CREATE VIEW insight_working_day_numbers AS
SELECT d.day,
  floor((d.day - DATE '1970-01-05') / 7.0)::int * 5
    + least((d.day - DATE '1970-01-05') - floor((d.day - DATE '1970-01-05') / 7.0)::int * 7 + 1, 5)
    - (count(h.day) OVER (ORDER BY d.day))::int AS number
FROM (SELECT g::date AS day FROM generate_series(DATE '2000-01-01', DATE '2050-12-31', interval '1 day') g) d
LEFT JOIN insight_bank_holidays h ON h.day = d.day AND extract(isodow FROM h.day) < 6;

-- The front door's requests as 0014 defines them; only the working days are worked out as above
-- (the same numbers).
CREATE OR REPLACE VIEW insight_front_door_requests AS
WITH numbers AS MATERIALIZED (SELECT day, number FROM insight_working_day_numbers)
SELECT
  r.id AS request_id,
  r.organisation_id,
  r.person_id,
  r.status,
  r.received_at,
  (r.received_at AT TIME ZONE 'Europe/London')::date AS received_on,
  r.requester_kind,
  r.referral_source,
  r.primary_need,
  r.decision,
  r.decision_service,
  r.decision_help_offered_instead,
  r.decided_at,
  (r.decided_at AT TIME ZONE 'Europe/London')::date AS decided_on,
  CASE
    WHEN r.decided_at IS NULL THEN NULL
    WHEN (r.decided_at AT TIME ZONE 'Europe/London')::date <= (r.received_at AT TIME ZONE 'Europe/London')::date THEN 0
    WHEN nd.number IS NOT NULL AND nr.number IS NOT NULL THEN nd.number - nr.number
    ELSE insight_working_days((r.received_at AT TIME ZONE 'Europe/London')::date,
      (r.decided_at AT TIME ZONE 'Europe/London')::date)
  END AS working_days_to_decision,
  r.person_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM help_requests p
    WHERE p.person_id = r.person_id AND p.id <> r.id AND p.status <> 'draft'
      AND p.received_at > r.received_at - interval '12 months'
      AND (p.received_at < r.received_at OR (p.received_at = r.received_at AND p.id < r.id))
  ) AS repeat_within_12_months
FROM help_requests r
LEFT JOIN numbers nr ON nr.day = (r.received_at AT TIME ZONE 'Europe/London')::date
LEFT JOIN numbers nd ON nd.day = (r.decided_at AT TIME ZONE 'Europe/London')::date
WHERE r.status <> 'draft' AND r.received_at IS NOT NULL;

-- One council's neighbourhood localities, worked out without parallel workers. In a parallel plan
-- PostgreSQL splits the council's children between the workers but has each worker read every
-- address and allocation in full for its merge joins: on a large authority the same work three
-- times over, 1.0-1.3 s against 0.34 s without (measured one after the other on Birmingham's
-- generated history). A function with its own setting keeps the view's definition in one place.
CREATE FUNCTION insight_neighbourhood_localities_of(council uuid)
RETURNS TABLE (lsoa21_code text, locality_id uuid)
LANGUAGE sql STABLE
SET max_parallel_workers_per_gather = 0
AS $$
  SELECT n.lsoa21_code, n.locality_id FROM insight_neighbourhood_localities n WHERE n.organisation_id = council
$$;
