-- Finding people faster by two names, one of them mistyped (src/modules/people/search.ts;
-- measured with bench/search.ts). Frozen once shipped: add a new migration instead of editing this one.
--
-- "A sound-alike given name with a family name a typo or two away" used to read every person whose
-- given name sounds right and whose family name starts with the right letter (2,800 of a million
-- for "Amelia Smyth"), fetching each row to measure the typing distance, and keeping few. The
-- search now finds the family names a typo away in `search_names` first (a few names), so the route
-- is an exact lookup of (family name, given-name key) pairs; and the same the other way round.
CREATE INDEX people_family_lower_given_key ON people (lower(family_name), given_name_key);
CREATE INDEX people_given_lower_family_key ON people (lower(given_name), family_name_key);
