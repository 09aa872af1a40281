-- Finding people (src/modules/people/search.ts).
-- Frozen once shipped: add a new migration instead of editing this one.
--
-- A search for a mistyped name looks for "a first name that sounds the same and a surname a typo
-- or two away" (and the other way round). These indexes pair each name's phonetic key with the
-- first letter of the other name, so that check reads only the few people it could be rather than
-- everyone called Oliver; a leading key alone still serves plain sound-alike look-ups, so they
-- replace the single-key indexes of 0002.
CREATE INDEX people_given_key_family_initial ON people (given_name_key, lower(left(family_name, 1)));
CREATE INDEX people_family_key_given_initial ON people (family_name_key, lower(left(given_name, 1)));
DROP INDEX people_given_key;
DROP INDEX people_family_key;

-- The same for previous names. dmetaphone is immutable, so these are plain expression indexes with
-- nothing to keep up to date (people's own keys are kept by trigger, 0002).
CREATE INDEX person_names_given_key_family_initial ON person_names (dmetaphone(given_name), lower(left(family_name, 1)));
CREATE INDEX person_names_family_key_given_initial ON person_names (dmetaphone(family_name), lower(left(given_name, 1)));
