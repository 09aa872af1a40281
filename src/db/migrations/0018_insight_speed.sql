-- Insight at scale (issue 8; figures in BENCHMARKS.md, "Insight views on a large authority").
-- Frozen once shipped: add a new migration instead of editing this one.
--
-- Just-in-time compilation off for this database. An insight query over a large authority has a
-- high estimated cost, so PostgreSQL compiles it with LLVM before running it: on Birmingham's
-- generated history (about 336,000 children) that compilation alone took 10 of the 36 seconds of the
-- placements view's query (EXPLAIN ANALYZE: 422 functions, optimisation 6.9 s), and seconds in every
-- other view, on every run: Hearth sends each query as a prepared statement but the compiled code is
-- not kept between executions. Hearth's other queries are small and never reach the threshold.
-- The setting applies to sessions opened after this migration (restart Hearth to have it at once).
-- It needs the database's owner: a role that does not own it gets a warning, and the database
-- administrator can run `ALTER DATABASE <name> SET jit = off` instead. PGlite has no JIT; the
-- setting is recorded there and changes nothing.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'Hearth could not turn JIT compilation off for database %: insight pages will be slower on a large authority. Ask its owner to run ALTER DATABASE % SET jit = off.',
    current_database(), current_database();
END
$$;

-- The base view insight_children looks up each child's latest address and latest allocation (a
-- LATERAL … ORDER BY … LIMIT 1 for each child). With only an index on person_id, each lookup read
-- every address or allocation of the child and sorted them; on a large authority a figure joined to
-- the base view makes 336,000 of each (12 of the placements view's seconds, JIT aside). These
-- indexes hold the rows in the order the view asks for, with the one column it reads, so each
-- lookup is a single index-only probe.
CREATE INDEX insight_person_addresses_latest
  ON person_addresses (person_id, started_on DESC, created_at DESC) INCLUDE (lsoa21_code);
CREATE INDEX insight_allocations_latest
  ON allocations (person_id, (ended_at IS NULL) DESC, is_lead DESC, started_at DESC) INCLUDE (team_id);
