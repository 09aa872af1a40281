-- Insight: the front door and the escalator (issue 8; definitions in docs/insight/front-door.md and
-- docs/insight/escalator.md). Each measure is defined once here; the views in
-- src/modules/insight/views/ filter these rows (src/modules/insight/filters.ts) and count them.
-- Frozen once shipped: add a new migration instead of editing this one.

-- Bank holidays in England and Wales, 2000 to 2050, as src/platform/working-days.ts computes them (a
-- test checks the two agree). When GOV.UK announces a one-off change, add it there and here (in a
-- new migration).
CREATE TABLE insight_bank_holidays (
  day date PRIMARY KEY,
  name text NOT NULL
);

INSERT INTO insight_bank_holidays (day, name) VALUES
  ('2000-01-03', 'New Year’s Day (substitute day)'),
  ('2000-04-21', 'Good Friday'),
  ('2000-04-24', 'Easter Monday'),
  ('2000-05-01', 'Early May bank holiday'),
  ('2000-05-29', 'Spring bank holiday'),
  ('2000-08-28', 'Summer bank holiday'),
  ('2000-12-25', 'Christmas Day'),
  ('2000-12-26', 'Boxing Day'),
  ('2001-01-01', 'New Year’s Day'),
  ('2001-04-13', 'Good Friday'),
  ('2001-04-16', 'Easter Monday'),
  ('2001-05-07', 'Early May bank holiday'),
  ('2001-05-28', 'Spring bank holiday'),
  ('2001-08-27', 'Summer bank holiday'),
  ('2001-12-25', 'Christmas Day'),
  ('2001-12-26', 'Boxing Day'),
  ('2002-01-01', 'New Year’s Day'),
  ('2002-03-29', 'Good Friday'),
  ('2002-04-01', 'Easter Monday'),
  ('2002-05-06', 'Early May bank holiday'),
  ('2002-06-03', 'Queen’s Golden Jubilee'),
  ('2002-06-04', 'Spring bank holiday'),
  ('2002-08-26', 'Summer bank holiday'),
  ('2002-12-25', 'Christmas Day'),
  ('2002-12-26', 'Boxing Day'),
  ('2003-01-01', 'New Year’s Day'),
  ('2003-04-18', 'Good Friday'),
  ('2003-04-21', 'Easter Monday'),
  ('2003-05-05', 'Early May bank holiday'),
  ('2003-05-26', 'Spring bank holiday'),
  ('2003-08-25', 'Summer bank holiday'),
  ('2003-12-25', 'Christmas Day'),
  ('2003-12-26', 'Boxing Day'),
  ('2004-01-01', 'New Year’s Day'),
  ('2004-04-09', 'Good Friday'),
  ('2004-04-12', 'Easter Monday'),
  ('2004-05-03', 'Early May bank holiday'),
  ('2004-05-31', 'Spring bank holiday'),
  ('2004-08-30', 'Summer bank holiday'),
  ('2004-12-27', 'Christmas Day (substitute day)'),
  ('2004-12-28', 'Boxing Day (substitute day)'),
  ('2005-01-03', 'New Year’s Day (substitute day)'),
  ('2005-03-25', 'Good Friday'),
  ('2005-03-28', 'Easter Monday'),
  ('2005-05-02', 'Early May bank holiday'),
  ('2005-05-30', 'Spring bank holiday'),
  ('2005-08-29', 'Summer bank holiday'),
  ('2005-12-26', 'Boxing Day'),
  ('2005-12-27', 'Christmas Day (substitute day)'),
  ('2006-01-02', 'New Year’s Day (substitute day)'),
  ('2006-04-14', 'Good Friday'),
  ('2006-04-17', 'Easter Monday'),
  ('2006-05-01', 'Early May bank holiday'),
  ('2006-05-29', 'Spring bank holiday'),
  ('2006-08-28', 'Summer bank holiday'),
  ('2006-12-25', 'Christmas Day'),
  ('2006-12-26', 'Boxing Day'),
  ('2007-01-01', 'New Year’s Day'),
  ('2007-04-06', 'Good Friday'),
  ('2007-04-09', 'Easter Monday'),
  ('2007-05-07', 'Early May bank holiday'),
  ('2007-05-28', 'Spring bank holiday'),
  ('2007-08-27', 'Summer bank holiday'),
  ('2007-12-25', 'Christmas Day'),
  ('2007-12-26', 'Boxing Day'),
  ('2008-01-01', 'New Year’s Day'),
  ('2008-03-21', 'Good Friday'),
  ('2008-03-24', 'Easter Monday'),
  ('2008-05-05', 'Early May bank holiday'),
  ('2008-05-26', 'Spring bank holiday'),
  ('2008-08-25', 'Summer bank holiday'),
  ('2008-12-25', 'Christmas Day'),
  ('2008-12-26', 'Boxing Day'),
  ('2009-01-01', 'New Year’s Day'),
  ('2009-04-10', 'Good Friday'),
  ('2009-04-13', 'Easter Monday'),
  ('2009-05-04', 'Early May bank holiday'),
  ('2009-05-25', 'Spring bank holiday'),
  ('2009-08-31', 'Summer bank holiday'),
  ('2009-12-25', 'Christmas Day'),
  ('2009-12-28', 'Boxing Day (substitute day)'),
  ('2010-01-01', 'New Year’s Day'),
  ('2010-04-02', 'Good Friday'),
  ('2010-04-05', 'Easter Monday'),
  ('2010-05-03', 'Early May bank holiday'),
  ('2010-05-31', 'Spring bank holiday'),
  ('2010-08-30', 'Summer bank holiday'),
  ('2010-12-27', 'Christmas Day (substitute day)'),
  ('2010-12-28', 'Boxing Day (substitute day)'),
  ('2011-01-03', 'New Year’s Day (substitute day)'),
  ('2011-04-22', 'Good Friday'),
  ('2011-04-25', 'Easter Monday'),
  ('2011-04-29', 'Royal wedding'),
  ('2011-05-02', 'Early May bank holiday'),
  ('2011-05-30', 'Spring bank holiday'),
  ('2011-08-29', 'Summer bank holiday'),
  ('2011-12-26', 'Boxing Day'),
  ('2011-12-27', 'Christmas Day (substitute day)'),
  ('2012-01-02', 'New Year’s Day (substitute day)'),
  ('2012-04-06', 'Good Friday'),
  ('2012-04-09', 'Easter Monday'),
  ('2012-05-07', 'Early May bank holiday'),
  ('2012-06-04', 'Spring bank holiday'),
  ('2012-06-05', 'Queen’s Diamond Jubilee'),
  ('2012-08-27', 'Summer bank holiday'),
  ('2012-12-25', 'Christmas Day'),
  ('2012-12-26', 'Boxing Day'),
  ('2013-01-01', 'New Year’s Day'),
  ('2013-03-29', 'Good Friday'),
  ('2013-04-01', 'Easter Monday'),
  ('2013-05-06', 'Early May bank holiday'),
  ('2013-05-27', 'Spring bank holiday'),
  ('2013-08-26', 'Summer bank holiday'),
  ('2013-12-25', 'Christmas Day'),
  ('2013-12-26', 'Boxing Day'),
  ('2014-01-01', 'New Year’s Day'),
  ('2014-04-18', 'Good Friday'),
  ('2014-04-21', 'Easter Monday'),
  ('2014-05-05', 'Early May bank holiday'),
  ('2014-05-26', 'Spring bank holiday'),
  ('2014-08-25', 'Summer bank holiday'),
  ('2014-12-25', 'Christmas Day'),
  ('2014-12-26', 'Boxing Day'),
  ('2015-01-01', 'New Year’s Day'),
  ('2015-04-03', 'Good Friday'),
  ('2015-04-06', 'Easter Monday'),
  ('2015-05-04', 'Early May bank holiday'),
  ('2015-05-25', 'Spring bank holiday'),
  ('2015-08-31', 'Summer bank holiday'),
  ('2015-12-25', 'Christmas Day'),
  ('2015-12-28', 'Boxing Day (substitute day)'),
  ('2016-01-01', 'New Year’s Day'),
  ('2016-03-25', 'Good Friday'),
  ('2016-03-28', 'Easter Monday'),
  ('2016-05-02', 'Early May bank holiday'),
  ('2016-05-30', 'Spring bank holiday'),
  ('2016-08-29', 'Summer bank holiday'),
  ('2016-12-26', 'Boxing Day'),
  ('2016-12-27', 'Christmas Day (substitute day)'),
  ('2017-01-02', 'New Year’s Day (substitute day)'),
  ('2017-04-14', 'Good Friday'),
  ('2017-04-17', 'Easter Monday'),
  ('2017-05-01', 'Early May bank holiday'),
  ('2017-05-29', 'Spring bank holiday'),
  ('2017-08-28', 'Summer bank holiday'),
  ('2017-12-25', 'Christmas Day'),
  ('2017-12-26', 'Boxing Day'),
  ('2018-01-01', 'New Year’s Day'),
  ('2018-03-30', 'Good Friday'),
  ('2018-04-02', 'Easter Monday'),
  ('2018-05-07', 'Early May bank holiday'),
  ('2018-05-28', 'Spring bank holiday'),
  ('2018-08-27', 'Summer bank holiday'),
  ('2018-12-25', 'Christmas Day'),
  ('2018-12-26', 'Boxing Day'),
  ('2019-01-01', 'New Year’s Day'),
  ('2019-04-19', 'Good Friday'),
  ('2019-04-22', 'Easter Monday'),
  ('2019-05-06', 'Early May bank holiday'),
  ('2019-05-27', 'Spring bank holiday'),
  ('2019-08-26', 'Summer bank holiday'),
  ('2019-12-25', 'Christmas Day'),
  ('2019-12-26', 'Boxing Day'),
  ('2020-01-01', 'New Year’s Day'),
  ('2020-04-10', 'Good Friday'),
  ('2020-04-13', 'Easter Monday'),
  ('2020-05-08', 'Early May bank holiday (VE day)'),
  ('2020-05-25', 'Spring bank holiday'),
  ('2020-08-31', 'Summer bank holiday'),
  ('2020-12-25', 'Christmas Day'),
  ('2020-12-28', 'Boxing Day (substitute day)'),
  ('2021-01-01', 'New Year’s Day'),
  ('2021-04-02', 'Good Friday'),
  ('2021-04-05', 'Easter Monday'),
  ('2021-05-03', 'Early May bank holiday'),
  ('2021-05-31', 'Spring bank holiday'),
  ('2021-08-30', 'Summer bank holiday'),
  ('2021-12-27', 'Christmas Day (substitute day)'),
  ('2021-12-28', 'Boxing Day (substitute day)'),
  ('2022-01-03', 'New Year’s Day (substitute day)'),
  ('2022-04-15', 'Good Friday'),
  ('2022-04-18', 'Easter Monday'),
  ('2022-05-02', 'Early May bank holiday'),
  ('2022-06-02', 'Spring bank holiday'),
  ('2022-06-03', 'Platinum Jubilee bank holiday'),
  ('2022-08-29', 'Summer bank holiday'),
  ('2022-09-19', 'Bank Holiday for the State Funeral of Queen Elizabeth II'),
  ('2022-12-26', 'Boxing Day'),
  ('2022-12-27', 'Christmas Day (substitute day)'),
  ('2023-01-02', 'New Year’s Day (substitute day)'),
  ('2023-04-07', 'Good Friday'),
  ('2023-04-10', 'Easter Monday'),
  ('2023-05-01', 'Early May bank holiday'),
  ('2023-05-08', 'Bank holiday for the coronation of King Charles III'),
  ('2023-05-29', 'Spring bank holiday'),
  ('2023-08-28', 'Summer bank holiday'),
  ('2023-12-25', 'Christmas Day'),
  ('2023-12-26', 'Boxing Day'),
  ('2024-01-01', 'New Year’s Day'),
  ('2024-03-29', 'Good Friday'),
  ('2024-04-01', 'Easter Monday'),
  ('2024-05-06', 'Early May bank holiday'),
  ('2024-05-27', 'Spring bank holiday'),
  ('2024-08-26', 'Summer bank holiday'),
  ('2024-12-25', 'Christmas Day'),
  ('2024-12-26', 'Boxing Day'),
  ('2025-01-01', 'New Year’s Day'),
  ('2025-04-18', 'Good Friday'),
  ('2025-04-21', 'Easter Monday'),
  ('2025-05-05', 'Early May bank holiday'),
  ('2025-05-26', 'Spring bank holiday'),
  ('2025-08-25', 'Summer bank holiday'),
  ('2025-12-25', 'Christmas Day'),
  ('2025-12-26', 'Boxing Day'),
  ('2026-01-01', 'New Year’s Day'),
  ('2026-04-03', 'Good Friday'),
  ('2026-04-06', 'Easter Monday'),
  ('2026-05-04', 'Early May bank holiday'),
  ('2026-05-25', 'Spring bank holiday'),
  ('2026-08-31', 'Summer bank holiday'),
  ('2026-12-25', 'Christmas Day'),
  ('2026-12-28', 'Boxing Day (substitute day)'),
  ('2027-01-01', 'New Year’s Day'),
  ('2027-03-26', 'Good Friday'),
  ('2027-03-29', 'Easter Monday'),
  ('2027-05-03', 'Early May bank holiday'),
  ('2027-05-31', 'Spring bank holiday'),
  ('2027-08-30', 'Summer bank holiday'),
  ('2027-12-27', 'Christmas Day (substitute day)'),
  ('2027-12-28', 'Boxing Day (substitute day)'),
  ('2028-01-03', 'New Year’s Day (substitute day)'),
  ('2028-04-14', 'Good Friday'),
  ('2028-04-17', 'Easter Monday'),
  ('2028-05-01', 'Early May bank holiday'),
  ('2028-05-29', 'Spring bank holiday'),
  ('2028-08-28', 'Summer bank holiday'),
  ('2028-12-25', 'Christmas Day'),
  ('2028-12-26', 'Boxing Day'),
  ('2029-01-01', 'New Year’s Day'),
  ('2029-03-30', 'Good Friday'),
  ('2029-04-02', 'Easter Monday'),
  ('2029-05-07', 'Early May bank holiday'),
  ('2029-05-28', 'Spring bank holiday'),
  ('2029-08-27', 'Summer bank holiday'),
  ('2029-12-25', 'Christmas Day'),
  ('2029-12-26', 'Boxing Day'),
  ('2030-01-01', 'New Year’s Day'),
  ('2030-04-19', 'Good Friday'),
  ('2030-04-22', 'Easter Monday'),
  ('2030-05-06', 'Early May bank holiday'),
  ('2030-05-27', 'Spring bank holiday'),
  ('2030-08-26', 'Summer bank holiday'),
  ('2030-12-25', 'Christmas Day'),
  ('2030-12-26', 'Boxing Day'),
  ('2031-01-01', 'New Year’s Day'),
  ('2031-04-11', 'Good Friday'),
  ('2031-04-14', 'Easter Monday'),
  ('2031-05-05', 'Early May bank holiday'),
  ('2031-05-26', 'Spring bank holiday'),
  ('2031-08-25', 'Summer bank holiday'),
  ('2031-12-25', 'Christmas Day'),
  ('2031-12-26', 'Boxing Day'),
  ('2032-01-01', 'New Year’s Day'),
  ('2032-03-26', 'Good Friday'),
  ('2032-03-29', 'Easter Monday'),
  ('2032-05-03', 'Early May bank holiday'),
  ('2032-05-31', 'Spring bank holiday'),
  ('2032-08-30', 'Summer bank holiday'),
  ('2032-12-27', 'Christmas Day (substitute day)'),
  ('2032-12-28', 'Boxing Day (substitute day)'),
  ('2033-01-03', 'New Year’s Day (substitute day)'),
  ('2033-04-15', 'Good Friday'),
  ('2033-04-18', 'Easter Monday'),
  ('2033-05-02', 'Early May bank holiday'),
  ('2033-05-30', 'Spring bank holiday'),
  ('2033-08-29', 'Summer bank holiday'),
  ('2033-12-26', 'Boxing Day'),
  ('2033-12-27', 'Christmas Day (substitute day)'),
  ('2034-01-02', 'New Year’s Day (substitute day)'),
  ('2034-04-07', 'Good Friday'),
  ('2034-04-10', 'Easter Monday'),
  ('2034-05-01', 'Early May bank holiday'),
  ('2034-05-29', 'Spring bank holiday'),
  ('2034-08-28', 'Summer bank holiday'),
  ('2034-12-25', 'Christmas Day'),
  ('2034-12-26', 'Boxing Day'),
  ('2035-01-01', 'New Year’s Day'),
  ('2035-03-23', 'Good Friday'),
  ('2035-03-26', 'Easter Monday'),
  ('2035-05-07', 'Early May bank holiday'),
  ('2035-05-28', 'Spring bank holiday'),
  ('2035-08-27', 'Summer bank holiday'),
  ('2035-12-25', 'Christmas Day'),
  ('2035-12-26', 'Boxing Day'),
  ('2036-01-01', 'New Year’s Day'),
  ('2036-04-11', 'Good Friday'),
  ('2036-04-14', 'Easter Monday'),
  ('2036-05-05', 'Early May bank holiday'),
  ('2036-05-26', 'Spring bank holiday'),
  ('2036-08-25', 'Summer bank holiday'),
  ('2036-12-25', 'Christmas Day'),
  ('2036-12-26', 'Boxing Day'),
  ('2037-01-01', 'New Year’s Day'),
  ('2037-04-03', 'Good Friday'),
  ('2037-04-06', 'Easter Monday'),
  ('2037-05-04', 'Early May bank holiday'),
  ('2037-05-25', 'Spring bank holiday'),
  ('2037-08-31', 'Summer bank holiday'),
  ('2037-12-25', 'Christmas Day'),
  ('2037-12-28', 'Boxing Day (substitute day)'),
  ('2038-01-01', 'New Year’s Day'),
  ('2038-04-23', 'Good Friday'),
  ('2038-04-26', 'Easter Monday'),
  ('2038-05-03', 'Early May bank holiday'),
  ('2038-05-31', 'Spring bank holiday'),
  ('2038-08-30', 'Summer bank holiday'),
  ('2038-12-27', 'Christmas Day (substitute day)'),
  ('2038-12-28', 'Boxing Day (substitute day)'),
  ('2039-01-03', 'New Year’s Day (substitute day)'),
  ('2039-04-08', 'Good Friday'),
  ('2039-04-11', 'Easter Monday'),
  ('2039-05-02', 'Early May bank holiday'),
  ('2039-05-30', 'Spring bank holiday'),
  ('2039-08-29', 'Summer bank holiday'),
  ('2039-12-26', 'Boxing Day'),
  ('2039-12-27', 'Christmas Day (substitute day)'),
  ('2040-01-02', 'New Year’s Day (substitute day)'),
  ('2040-03-30', 'Good Friday'),
  ('2040-04-02', 'Easter Monday'),
  ('2040-05-07', 'Early May bank holiday'),
  ('2040-05-28', 'Spring bank holiday'),
  ('2040-08-27', 'Summer bank holiday'),
  ('2040-12-25', 'Christmas Day'),
  ('2040-12-26', 'Boxing Day'),
  ('2041-01-01', 'New Year’s Day'),
  ('2041-04-19', 'Good Friday'),
  ('2041-04-22', 'Easter Monday'),
  ('2041-05-06', 'Early May bank holiday'),
  ('2041-05-27', 'Spring bank holiday'),
  ('2041-08-26', 'Summer bank holiday'),
  ('2041-12-25', 'Christmas Day'),
  ('2041-12-26', 'Boxing Day'),
  ('2042-01-01', 'New Year’s Day'),
  ('2042-04-04', 'Good Friday'),
  ('2042-04-07', 'Easter Monday'),
  ('2042-05-05', 'Early May bank holiday'),
  ('2042-05-26', 'Spring bank holiday'),
  ('2042-08-25', 'Summer bank holiday'),
  ('2042-12-25', 'Christmas Day'),
  ('2042-12-26', 'Boxing Day'),
  ('2043-01-01', 'New Year’s Day'),
  ('2043-03-27', 'Good Friday'),
  ('2043-03-30', 'Easter Monday'),
  ('2043-05-04', 'Early May bank holiday'),
  ('2043-05-25', 'Spring bank holiday'),
  ('2043-08-31', 'Summer bank holiday'),
  ('2043-12-25', 'Christmas Day'),
  ('2043-12-28', 'Boxing Day (substitute day)'),
  ('2044-01-01', 'New Year’s Day'),
  ('2044-04-15', 'Good Friday'),
  ('2044-04-18', 'Easter Monday'),
  ('2044-05-02', 'Early May bank holiday'),
  ('2044-05-30', 'Spring bank holiday'),
  ('2044-08-29', 'Summer bank holiday'),
  ('2044-12-26', 'Boxing Day'),
  ('2044-12-27', 'Christmas Day (substitute day)'),
  ('2045-01-02', 'New Year’s Day (substitute day)'),
  ('2045-04-07', 'Good Friday'),
  ('2045-04-10', 'Easter Monday'),
  ('2045-05-01', 'Early May bank holiday'),
  ('2045-05-29', 'Spring bank holiday'),
  ('2045-08-28', 'Summer bank holiday'),
  ('2045-12-25', 'Christmas Day'),
  ('2045-12-26', 'Boxing Day'),
  ('2046-01-01', 'New Year’s Day'),
  ('2046-03-23', 'Good Friday'),
  ('2046-03-26', 'Easter Monday'),
  ('2046-05-07', 'Early May bank holiday'),
  ('2046-05-28', 'Spring bank holiday'),
  ('2046-08-27', 'Summer bank holiday'),
  ('2046-12-25', 'Christmas Day'),
  ('2046-12-26', 'Boxing Day'),
  ('2047-01-01', 'New Year’s Day'),
  ('2047-04-12', 'Good Friday'),
  ('2047-04-15', 'Easter Monday'),
  ('2047-05-06', 'Early May bank holiday'),
  ('2047-05-27', 'Spring bank holiday'),
  ('2047-08-26', 'Summer bank holiday'),
  ('2047-12-25', 'Christmas Day'),
  ('2047-12-26', 'Boxing Day'),
  ('2048-01-01', 'New Year’s Day'),
  ('2048-04-03', 'Good Friday'),
  ('2048-04-06', 'Easter Monday'),
  ('2048-05-04', 'Early May bank holiday'),
  ('2048-05-25', 'Spring bank holiday'),
  ('2048-08-31', 'Summer bank holiday'),
  ('2048-12-25', 'Christmas Day'),
  ('2048-12-28', 'Boxing Day (substitute day)'),
  ('2049-01-01', 'New Year’s Day'),
  ('2049-04-16', 'Good Friday'),
  ('2049-04-19', 'Easter Monday'),
  ('2049-05-03', 'Early May bank holiday'),
  ('2049-05-31', 'Spring bank holiday'),
  ('2049-08-30', 'Summer bank holiday'),
  ('2049-12-27', 'Christmas Day (substitute day)'),
  ('2049-12-28', 'Boxing Day (substitute day)'),
  ('2050-01-03', 'New Year’s Day (substitute day)'),
  ('2050-04-08', 'Good Friday'),
  ('2050-04-11', 'Easter Monday'),
  ('2050-05-02', 'Early May bank holiday'),
  ('2050-05-30', 'Spring bank holiday'),
  ('2050-08-29', 'Summer bank holiday'),
  ('2050-12-26', 'Boxing Day'),
  ('2050-12-27', 'Christmas Day (substitute day)');

-- Working days after `from_day` up to and including `to_day` (0 when `to_day` is on or before
-- `from_day`), as workingDaysBetween in src/platform/working-days.ts: Monday to Friday, less bank
-- holidays on weekdays. Weekdays are counted from a Monday origin (1970-01-05) so no calendar walk
-- is needed.
CREATE FUNCTION insight_working_days(from_day date, to_day date) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN to_day IS NULL OR from_day IS NULL THEN NULL
    WHEN to_day <= from_day THEN 0
    ELSE
      (floor((to_day - DATE '1970-01-05') / 7.0)::int * 5
        + least((to_day - DATE '1970-01-05') - floor((to_day - DATE '1970-01-05') / 7.0)::int * 7 + 1, 5))
      - (floor((from_day - DATE '1970-01-05') / 7.0)::int * 5
        + least((from_day - DATE '1970-01-05') - floor((from_day - DATE '1970-01-05') / 7.0)::int * 7 + 1, 5))
      - (SELECT count(*)::int FROM insight_bank_holidays h
          WHERE h.day > from_day AND h.day <= to_day AND extract(isodow FROM h.day) < 6)
  END
$$;

-- The front door: every request for help that reached the council (drafts left out), one row each.
--   received_on, decided_on   the dates in England of receiving and deciding the request
--   working_days_to_decision  working days after the day received up to the day decided (0 = same day)
--   repeat_within_12_months   the same child had another request received in the 12 months before
--                             this one (earlier in time; on the same instant, the lower id first)
CREATE VIEW insight_front_door_requests AS
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
  insight_working_days((r.received_at AT TIME ZONE 'Europe/London')::date,
    (r.decided_at AT TIME ZONE 'Europe/London')::date) AS working_days_to_decision,
  r.person_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM help_requests p
    WHERE p.person_id = r.person_id AND p.id <> r.id AND p.status <> 'draft'
      AND p.received_at > r.received_at - interval '12 months'
      AND (p.received_at < r.received_at OR (p.received_at = r.received_at AND p.id < r.id))
  ) AS repeat_within_12_months
FROM help_requests r
WHERE r.status <> 'draft' AND r.received_at IS NOT NULL;

-- The escalator: one row per event at each stage, with the date that places it in a period.
--   1 request             a request for help received (about a known child), on the day received
--   2 referral            a CIN referral (cin_referrals), on its referral date
--   3 assessment          a child and family assessment, on the day it started
--   4 section47           a section 47 enquiry, on the day it started
--   5 initial_conference  an initial child protection conference held, on the day held
--   6 cp_plan             a child protection plan (not a draft), on the day it started
--   7 care                a period of care (looked after), on the day it started
CREATE VIEW insight_escalator_events AS
SELECT 1 AS stage_order, 'request'::text AS stage, r.id AS event_id, r.person_id,
  (r.received_at AT TIME ZONE 'Europe/London')::date AS event_on
FROM help_requests r
WHERE r.status <> 'draft' AND r.received_at IS NOT NULL AND r.person_id IS NOT NULL
UNION ALL
SELECT 2, 'referral', x.id, e.person_id, x.referral_date
FROM cin_referrals x JOIN help_episodes e ON e.id = x.episode_id
UNION ALL
SELECT 3, 'assessment', a.id, a.person_id, a.started_on
FROM assessments a WHERE a.kind = 'child_and_family'
UNION ALL
SELECT 4, 'section47', s.id, s.person_id, s.started_on
FROM section47_enquiries s
UNION ALL
SELECT 5, 'initial_conference', c.id, c.person_id, c.held_on
FROM conferences c WHERE c.kind = 'initial' AND c.status = 'held'
UNION ALL
SELECT 6, 'cp_plan', p.id, p.person_id, p.started_on
FROM plans p WHERE p.kind = 'child_protection' AND p.status <> 'draft'
UNION ALL
SELECT 7, 'care', cp.id, cp.person_id, cp.started_on
FROM care_periods cp;

-- What became of each section 47 enquiry:
--   led_to_plan  a child protection plan for the child started on or after the day the enquiry
--                started and no more than 90 days after it, or an initial conference linked to the
--                enquiry made a plan
--   result       'plan' (led to a plan); 'open' (not yet completed, no plan yet); otherwise it ended
--                without a plan: 'no_further_action', 'child_in_need' (continued as child in need or
--                family help), 'conference_no_plan' (an initial conference made no plan), 'other'
--                (another or no outcome recorded)
CREATE VIEW insight_section47_results AS
SELECT s.id AS section47_id, s.person_id, s.started_on, s.completed_on, s.outcome, x.led_to_plan,
  CASE
    WHEN x.led_to_plan THEN 'plan'
    WHEN s.completed_on IS NULL THEN 'open'
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

-- Child protection plans in order for each child: plan_number 1 for the child's first plan (drafts
-- left out; plans starting on the same day ordered by id), 2 for the second, and so on; and the day
-- the child's previous plan ended.
CREATE VIEW insight_cp_plans AS
SELECT p.id AS plan_id, p.person_id, p.started_on, p.ended_on, p.initial_category,
  1 + (SELECT count(*)::int FROM plans q
    WHERE q.person_id = p.person_id AND q.kind = 'child_protection' AND q.status <> 'draft'
      AND (q.started_on < p.started_on OR (q.started_on = p.started_on AND q.id < p.id))) AS plan_number,
  (SELECT max(q.ended_on) FROM plans q
    WHERE q.person_id = p.person_id AND q.kind = 'child_protection' AND q.status <> 'draft'
      AND (q.started_on < p.started_on OR (q.started_on = p.started_on AND q.id < p.id))) AS previous_ended_on
FROM plans p
WHERE p.kind = 'child_protection' AND p.status <> 'draft';

-- The family of each child, for counting families rather than children. Hearth has no household
-- record, so a family is read from the recorded relationships: children who share a recorded mother,
-- or are recorded as siblings or half-siblings of each other, are one family. Each child and each of
-- the child's recorded siblings and half-siblings stands for their mother when one is recorded (the
-- lowest id if several), else for themselves; family_id is the lowest of these. So brothers and
-- sisters with the same mother, or recorded as siblings, get the same family_id, and a child with
-- none of these recorded is a family of one. One step only: children linked only through a third
-- child are one family when every pair is recorded, as Hearth records brothers and sisters.
CREATE VIEW insight_child_family AS
SELECT p.id AS person_id,
  (SELECT coalesce(m.mother_id, k.id) AS family_id
    FROM (
      SELECT p.id
      UNION
      SELECT r.related_person_id FROM relationships r
      WHERE r.person_id = p.id AND r.kind IN ('sibling', 'half-sibling')
      UNION
      SELECT r.person_id FROM relationships r
      WHERE r.related_person_id = p.id AND r.kind IN ('sibling', 'half-sibling')
    ) k (id)
    LEFT JOIN LATERAL (
      SELECT r.related_person_id AS mother_id FROM relationships r
      WHERE r.person_id = k.id AND r.kind = 'mother' ORDER BY r.related_person_id LIMIT 1
    ) m ON true
    ORDER BY 1 LIMIT 1) AS family_id
FROM people p
WHERE p.merged_into IS NULL AND p.is_child;

-- Indexes for the measures: each stage's events by date (a period's events without reading the
-- whole history), plans by child and date, and conferences by their enquiry.
CREATE INDEX IF NOT EXISTS insight_fd_help_requests_received ON help_requests (organisation_id, received_at);
CREATE INDEX IF NOT EXISTS insight_fd_cin_referrals_date ON cin_referrals (referral_date);
CREATE INDEX IF NOT EXISTS insight_fd_assessments_started ON assessments (started_on)
  WHERE kind = 'child_and_family';
CREATE INDEX IF NOT EXISTS insight_fd_section47_started ON section47_enquiries (started_on);
CREATE INDEX IF NOT EXISTS insight_fd_conferences_initial ON conferences (held_on) WHERE kind = 'initial';
CREATE INDEX IF NOT EXISTS insight_fd_conferences_section47 ON conferences (section47_id)
  WHERE section47_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS insight_fd_plans_cp_started ON plans (started_on) WHERE kind = 'child_protection';
CREATE INDEX IF NOT EXISTS insight_fd_plans_cp_person ON plans (person_id, started_on)
  WHERE kind = 'child_protection';
CREATE INDEX IF NOT EXISTS insight_fd_care_periods_started ON care_periods (started_on);
