-- Finding people by one word quickly (src/modules/people/search.ts; measured with bench/search.ts).
-- Frozen once shipped: add a new migration instead of editing this one.
--
-- A single mistyped word ("Smiht") used to be matched against every person's whole name by
-- trigrams, which hands over every Smith (some 26,000 in a million) to be read and ranked. Instead
-- the search first looks the word up in `search_names`, the distinct names in use (a few thousand
-- rows however many people there are), to learn which names it could mean ("smith", "smyth"), and
-- then reads people by those exact names through the btree indexes below, already in result order,
-- stopping after the 51 it needs.
--
-- One row per distinct lower-case name and the part of a name it is used as: 'given', 'preferred'
-- or 'family', current (people) and previous (person_names) names together. `people` counts the
-- rows using it (merged records included: a merge moves rows, it does not rename anyone); a name no
-- longer used by anyone is removed. Kept by the statement-level triggers below, so a bulk load or a
-- merge that moves thousands of rows adjusts each name once.
CREATE TABLE search_names (
  name text NOT NULL,
  part text NOT NULL CHECK (part IN ('given', 'preferred', 'family')),
  -- Double-metaphone key of the name, as people.given_name_key / family_name_key.
  name_key text,
  people integer NOT NULL CHECK (people > 0),
  PRIMARY KEY (name, part)
);
CREATE INDEX search_names_trgm ON search_names USING gin (name gin_trgm_ops);
CREATE INDEX search_names_key ON search_names (name_key);

-- Adds `delta` uses of each (name, part) given; removes names nobody uses any more. Rows are taken
-- in name order so that concurrent changes lock them in the same order.
CREATE FUNCTION search_names_adjust(changes jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  WITH c AS (
    SELECT x.name, x.part, sum(x.delta)::int AS delta
    FROM jsonb_to_recordset(changes) AS x(name text, part text, delta int)
    WHERE x.name IS NOT NULL AND x.name <> ''
    GROUP BY x.name, x.part
    HAVING sum(x.delta) <> 0
  ), up AS (
    UPDATE search_names s SET people = s.people + c.delta
    FROM c WHERE s.name = c.name AND s.part = c.part AND s.people + c.delta > 0
    RETURNING s.name, s.part
  ), gone AS (
    DELETE FROM search_names s USING c
    WHERE s.name = c.name AND s.part = c.part AND s.people + c.delta <= 0
    RETURNING s.name, s.part
  )
  INSERT INTO search_names (name, part, name_key, people)
  SELECT c.name, c.part, dmetaphone(c.name), c.delta FROM c
  WHERE c.delta > 0
    AND NOT EXISTS (SELECT 1 FROM up WHERE up.name = c.name AND up.part = c.part)
    AND NOT EXISTS (SELECT 1 FROM gone WHERE gone.name = c.name AND gone.part = c.part)
  ORDER BY c.name, c.part
  -- Another transaction added the same new name meanwhile.
  ON CONFLICT (name, part) DO UPDATE SET people = search_names.people + excluded.people;
END $$;

CREATE FUNCTION people_search_names() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changes jsonb := '[]'::jsonb;
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    changes := changes || coalesce((
      SELECT jsonb_agg(jsonb_build_object('name', v.name, 'part', v.part, 'delta', 1))
      FROM new_rows n, LATERAL (VALUES (lower(n.given_name), 'given'), (lower(n.preferred_name), 'preferred'),
        (lower(n.family_name), 'family')) AS v(name, part)
      WHERE v.name IS NOT NULL), '[]'::jsonb);
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    changes := changes || coalesce((
      SELECT jsonb_agg(jsonb_build_object('name', v.name, 'part', v.part, 'delta', -1))
      FROM old_rows o, LATERAL (VALUES (lower(o.given_name), 'given'), (lower(o.preferred_name), 'preferred'),
        (lower(o.family_name), 'family')) AS v(name, part)
      WHERE v.name IS NOT NULL), '[]'::jsonb);
  END IF;
  PERFORM search_names_adjust(changes);
  RETURN NULL;
END $$;

CREATE FUNCTION person_names_search_names() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changes jsonb := '[]'::jsonb;
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    changes := changes || coalesce((
      SELECT jsonb_agg(jsonb_build_object('name', v.name, 'part', v.part, 'delta', 1))
      FROM new_rows n, LATERAL (VALUES (lower(n.given_name), 'given'), (lower(n.family_name), 'family')) AS v(name, part)
      WHERE v.name IS NOT NULL), '[]'::jsonb);
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    changes := changes || coalesce((
      SELECT jsonb_agg(jsonb_build_object('name', v.name, 'part', v.part, 'delta', -1))
      FROM old_rows o, LATERAL (VALUES (lower(o.given_name), 'given'), (lower(o.family_name), 'family')) AS v(name, part)
      WHERE v.name IS NOT NULL), '[]'::jsonb);
  END IF;
  PERFORM search_names_adjust(changes);
  RETURN NULL;
END $$;

-- A trigger with transition tables has one event each.
CREATE TRIGGER people_search_names_insert AFTER INSERT ON people
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION people_search_names();
CREATE TRIGGER people_search_names_update AFTER UPDATE ON people
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION people_search_names();
CREATE TRIGGER people_search_names_delete AFTER DELETE ON people
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION people_search_names();
CREATE TRIGGER person_names_search_names_insert AFTER INSERT ON person_names
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_names_search_names();
CREATE TRIGGER person_names_search_names_update AFTER UPDATE ON person_names
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_names_search_names();
CREATE TRIGGER person_names_search_names_delete AFTER DELETE ON person_names
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION person_names_search_names();

INSERT INTO search_names (name, part, name_key, people)
SELECT v.name, v.part, dmetaphone(v.name), count(*)
FROM (
  SELECT lower(given_name) AS name, 'given' AS part FROM people
  UNION ALL SELECT lower(preferred_name), 'preferred' FROM people WHERE preferred_name IS NOT NULL
  UNION ALL SELECT lower(family_name), 'family' FROM people
  UNION ALL SELECT lower(given_name), 'given' FROM person_names
  UNION ALL SELECT lower(family_name), 'family' FROM person_names
) AS v
WHERE v.name <> ''
GROUP BY v.name, v.part;

-- People by an exact name, in the order results are shown (family name, given name, id), so a
-- search reads only as many as it shows. Merged records are never shown, so never indexed here.
CREATE INDEX people_family_name_order ON people (lower(family_name), family_name, given_name, id)
  WHERE merged_into IS NULL;
CREATE INDEX people_given_name_order ON people (lower(given_name), family_name, given_name, id)
  WHERE merged_into IS NULL;
CREATE INDEX people_preferred_name_order ON people (lower(preferred_name), family_name, given_name, id)
  WHERE merged_into IS NULL AND preferred_name IS NOT NULL;
CREATE INDEX person_names_given_lower ON person_names (lower(given_name));
CREATE INDEX person_names_family_lower ON person_names (lower(family_name));
