-- A section 47 enquiry that needed no initial conference (the CIN census's ICPCnotRequired) is ended,
-- even with no completion date: an enquiry imported from a census return carries the flag and no end
-- date (test/integration/insight-imported.test.ts), and counted as "not yet ended" before this.
-- Hearth's own records set the flag only when an enquiry is completed, so their results are unchanged.
-- Same columns as 0014's view (the snapshots of 0029 select them all).
CREATE OR REPLACE VIEW insight_section47_results AS
SELECT s.id AS section47_id, s.person_id, s.started_on, s.completed_on, s.outcome, x.led_to_plan,
  CASE
    WHEN x.led_to_plan THEN 'plan'
    WHEN s.completed_on IS NULL AND s.icpc_not_required IS NOT TRUE THEN 'open'
    WHEN s.outcome = 'no_further_action' THEN 'no_further_action'
    WHEN s.outcome = 'continue_child_in_need' THEN 'child_in_need'
    WHEN s.outcome = 'initial_conference' THEN 'conference_no_plan'
    ELSE 'other'
  END AS result
FROM section47_enquiries s
CROSS JOIN LATERAL (
  SELECT EXISTS (
    SELECT 1 FROM plans p
    WHERE p.person_id = s.person_id AND p.kind = 'child_protection' AND p.status <> 'draft'
      AND p.started_on >= s.started_on AND p.started_on <= s.started_on + 90
  ) OR EXISTS (
    SELECT 1 FROM conferences c
    WHERE c.section47_id = s.id AND c.kind = 'initial' AND (c.plan_id IS NOT NULL OR c.outcome_plan IS TRUE)
  ) AS led_to_plan
) x;
