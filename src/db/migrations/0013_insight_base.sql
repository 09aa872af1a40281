-- Insight: the children every measure is about, with the attributes the pages filter and break
-- down by. One row per child or young person of a council (merged records left out):
--   ethnic_group  the DfE major group of the ethnicity code (White, Mixed, Asian, Black, Other, Unknown)
--   disabled      true when any disability other than NONE is recorded, false for NONE, null when none
--   lsoa21_code   the neighbourhood of the child's latest address (its start date latest), and its
--   imd_decile    IMD 2025 decile (1 = most deprived)
--   team_id, locality_id  the team of the child's latest allocation (the lead first), and its locality
-- Measures (later migrations, docs/insight/) join their events to this view.
CREATE VIEW insight_children AS
SELECT
  p.id AS person_id,
  p.organisation_id,
  p.sex,
  p.ethnicity,
  CASE
    WHEN p.ethnicity IN ('WBRI', 'WIRI', 'WOTH', 'WIRT', 'WROM') THEN 'White'
    WHEN p.ethnicity IN ('MWBC', 'MWBA', 'MWAS', 'MOTH') THEN 'Mixed'
    WHEN p.ethnicity IN ('AIND', 'APKN', 'ABAN', 'AOTH') THEN 'Asian'
    WHEN p.ethnicity IN ('BCRB', 'BAFR', 'BOTH') THEN 'Black'
    WHEN p.ethnicity IN ('CHNE', 'OOTH') THEN 'Other'
    ELSE 'Unknown'
  END AS ethnic_group,
  CASE
    WHEN cardinality(p.disabilities) = 0 THEN NULL
    ELSE EXISTS (SELECT 1 FROM unnest(p.disabilities) d WHERE d <> 'NONE')
  END AS disabled,
  p.date_of_birth,
  a.lsoa21_code,
  l.imd_decile,
  al.team_id,
  t.locality_id
FROM people p
LEFT JOIN LATERAL (
  SELECT pa.lsoa21_code FROM person_addresses pa
  WHERE pa.person_id = p.id
  ORDER BY pa.started_on DESC, pa.created_at DESC
  LIMIT 1
) a ON true
LEFT JOIN lsoa21 l ON l.code = a.lsoa21_code
LEFT JOIN LATERAL (
  SELECT al.team_id FROM allocations al
  WHERE al.person_id = p.id
  ORDER BY (al.ended_at IS NULL) DESC, al.is_lead DESC, al.started_at DESC
  LIMIT 1
) al ON true
LEFT JOIN teams t ON t.id = al.team_id
WHERE p.merged_into IS NULL AND p.is_child;

-- The roles that read insight: performance analysts, senior leaders and service managers.
INSERT INTO role_permissions (role_id, resource, action, scope) VALUES
  ('performance_analyst', 'insight', 'read', 'authority'),
  ('senior_leader', 'insight', 'read', 'authority'),
  ('service_manager', 'insight', 'read', 'authority');
