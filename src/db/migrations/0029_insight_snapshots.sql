-- Insight snapshots (issue 8; ADR 11; docs/insight/README.md, "Snapshots"; figures in BENCHMARKS.md).
--
-- Each measure stays defined once, as the plain view of 0013-0027. Here each view the pages read is
-- also kept as a materialised view with the same columns, twice over: `<view>_snapshot_a` and
-- `<view>_snapshot_b`. A refresh (`refreshInsightSnapshots`, src/modules/insight/snapshot.ts: in the
-- server every HEARTH_INSIGHT_REFRESH_MINUTES, or `npx hearth insight refresh`) fills the set the
-- pages are not reading, then records that it finished; the pages read the set of the latest finished
-- refresh and say when it was taken (before any refresh, the plain views). So a refresh never makes a
-- page wait (a plain REFRESH locks its view while it runs), every page reads one consistent set, and
-- the refresh runs at the speed of a plain REFRESH (CONCURRENTLY, which compares the old rows with the
-- new, was many times slower on a large authority: BENCHMARKS.md). The sets are created empty.


-- REFRESH MATERIALIZED VIEW runs with a safe search_path (PostgreSQL 17, as PGlite is): a function
-- that names a table must carry its own. This one (working days, with its query of bank holidays) is
-- never inlined, so the setting costs nothing.
ALTER FUNCTION insight_working_days(date, date) SET search_path FROM CURRENT;

-- Set a.
CREATE MATERIALIZED VIEW insight_children_snapshot_a AS SELECT * FROM insight_children WITH NO DATA;
CREATE UNIQUE INDEX insight_children_snapshot_a_key ON insight_children_snapshot_a (person_id);
CREATE INDEX insight_children_snapshot_a_council ON insight_children_snapshot_a (organisation_id);
CREATE MATERIALIZED VIEW insight_front_door_requests_snapshot_a AS SELECT * FROM insight_front_door_requests WITH NO DATA;
CREATE INDEX insight_front_door_requests_snapshot_a_received ON insight_front_door_requests_snapshot_a (organisation_id, received_at);
CREATE MATERIALIZED VIEW insight_escalator_events_snapshot_a AS SELECT * FROM insight_escalator_events WITH NO DATA;
CREATE INDEX insight_escalator_events_snapshot_a_on ON insight_escalator_events_snapshot_a (event_on) INCLUDE (stage, person_id);
CREATE MATERIALIZED VIEW insight_section47_results_snapshot_a AS SELECT * FROM insight_section47_results WITH NO DATA;
CREATE INDEX insight_section47_results_snapshot_a_started ON insight_section47_results_snapshot_a (started_on) INCLUDE (person_id, result);
CREATE MATERIALIZED VIEW insight_cp_plans_snapshot_a AS SELECT * FROM insight_cp_plans WITH NO DATA;
CREATE INDEX insight_cp_plans_snapshot_a_started ON insight_cp_plans_snapshot_a (started_on) INCLUDE (person_id, plan_number);
CREATE MATERIALIZED VIEW insight_child_family_snapshot_a AS SELECT * FROM insight_child_family WITH NO DATA;
CREATE UNIQUE INDEX insight_child_family_snapshot_a_key ON insight_child_family_snapshot_a (person_id) INCLUDE (family_id);
CREATE MATERIALIZED VIEW insight_stage_events_snapshot_a AS SELECT * FROM insight_stage_events WITH NO DATA;
CREATE INDEX insight_stage_events_snapshot_a_on ON insight_stage_events_snapshot_a (organisation_id, event_on) INCLUDE (person_id, stage, lsoa21_code);
CREATE MATERIALIZED VIEW insight_neighbourhood_localities_snapshot_a AS SELECT * FROM insight_neighbourhood_localities WITH NO DATA;
CREATE UNIQUE INDEX insight_neighbourhood_localities_snapshot_a_key ON insight_neighbourhood_localities_snapshot_a (organisation_id, lsoa21_code) INCLUDE (locality_id);
CREATE MATERIALIZED VIEW insight_allocations_snapshot_a AS SELECT * FROM insight_allocations WITH NO DATA;
CREATE INDEX insight_allocations_snapshot_a_started ON insight_allocations_snapshot_a (started_at);
CREATE MATERIALIZED VIEW insight_lead_changes_snapshot_a AS SELECT * FROM insight_lead_changes WITH NO DATA;
CREATE INDEX insight_lead_changes_snapshot_a_changed ON insight_lead_changes_snapshot_a (changed_at);

-- Set b.
CREATE MATERIALIZED VIEW insight_children_snapshot_b AS SELECT * FROM insight_children WITH NO DATA;
CREATE UNIQUE INDEX insight_children_snapshot_b_key ON insight_children_snapshot_b (person_id);
CREATE INDEX insight_children_snapshot_b_council ON insight_children_snapshot_b (organisation_id);
CREATE MATERIALIZED VIEW insight_front_door_requests_snapshot_b AS SELECT * FROM insight_front_door_requests WITH NO DATA;
CREATE INDEX insight_front_door_requests_snapshot_b_received ON insight_front_door_requests_snapshot_b (organisation_id, received_at);
CREATE MATERIALIZED VIEW insight_escalator_events_snapshot_b AS SELECT * FROM insight_escalator_events WITH NO DATA;
CREATE INDEX insight_escalator_events_snapshot_b_on ON insight_escalator_events_snapshot_b (event_on) INCLUDE (stage, person_id);
CREATE MATERIALIZED VIEW insight_section47_results_snapshot_b AS SELECT * FROM insight_section47_results WITH NO DATA;
CREATE INDEX insight_section47_results_snapshot_b_started ON insight_section47_results_snapshot_b (started_on) INCLUDE (person_id, result);
CREATE MATERIALIZED VIEW insight_cp_plans_snapshot_b AS SELECT * FROM insight_cp_plans WITH NO DATA;
CREATE INDEX insight_cp_plans_snapshot_b_started ON insight_cp_plans_snapshot_b (started_on) INCLUDE (person_id, plan_number);
CREATE MATERIALIZED VIEW insight_child_family_snapshot_b AS SELECT * FROM insight_child_family WITH NO DATA;
CREATE UNIQUE INDEX insight_child_family_snapshot_b_key ON insight_child_family_snapshot_b (person_id) INCLUDE (family_id);
CREATE MATERIALIZED VIEW insight_stage_events_snapshot_b AS SELECT * FROM insight_stage_events WITH NO DATA;
CREATE INDEX insight_stage_events_snapshot_b_on ON insight_stage_events_snapshot_b (organisation_id, event_on) INCLUDE (person_id, stage, lsoa21_code);
CREATE MATERIALIZED VIEW insight_neighbourhood_localities_snapshot_b AS SELECT * FROM insight_neighbourhood_localities WITH NO DATA;
CREATE UNIQUE INDEX insight_neighbourhood_localities_snapshot_b_key ON insight_neighbourhood_localities_snapshot_b (organisation_id, lsoa21_code) INCLUDE (locality_id);
CREATE MATERIALIZED VIEW insight_allocations_snapshot_b AS SELECT * FROM insight_allocations WITH NO DATA;
CREATE INDEX insight_allocations_snapshot_b_started ON insight_allocations_snapshot_b (started_at);
CREATE MATERIALIZED VIEW insight_lead_changes_snapshot_b AS SELECT * FROM insight_lead_changes WITH NO DATA;
CREATE INDEX insight_lead_changes_snapshot_b_changed ON insight_lead_changes_snapshot_b (changed_at);

-- Each refresh: which set it filled, when it started and finished, how long each snapshot took, and
-- why it failed if it did. The pages read the set of the latest finished one ("figures as at …").
CREATE TABLE insight_snapshot_refreshes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  snapshot_set text NOT NULL CHECK (snapshot_set IN ('snapshot_a', 'snapshot_b')),
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  failed_at timestamptz,
  failure text,
  trigger text NOT NULL CHECK (trigger IN ('schedule', 'command', 'analyst', 'start', 'test')),
  timings jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX insight_snapshot_refreshes_finished ON insight_snapshot_refreshes (finished_at DESC)
  WHERE finished_at IS NOT NULL;
