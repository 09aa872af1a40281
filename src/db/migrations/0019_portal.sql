-- The family portal: parents, young people and the supporters they nominate, invited by a worker to
-- see a child's record. An account belongs to one person (the parent or young person themself) and
-- sees the children listed in family_account_children, each limited to the sections a worker allows.

CREATE TABLE family_accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  -- The parent, young person or supporter themself (a person in the record).
  person_id uuid NOT NULL REFERENCES people(id),
  kind text NOT NULL CHECK (kind IN ('parent', 'young_person', 'supporter')),
  -- Where one-time sign-in codes go: at least one.
  email text,
  mobile text,
  CHECK (email IS NOT NULL OR mobile IS NOT NULL),
  -- A supporter (parent advocate) sees what the nominating account chooses.
  nominated_by_account_id uuid REFERENCES family_accounts(id),
  status text NOT NULL DEFAULT 'invited' CHECK (status IN ('invited', 'active', 'withdrawn')),
  invited_by uuid REFERENCES users(id),
  invited_at timestamptz NOT NULL DEFAULT now(),
  first_signed_in_at timestamptz,
  withdrawn_at timestamptz,
  withdrawn_by uuid REFERENCES users(id),
  withdrawn_reason text,
  CHECK (status <> 'withdrawn' OR withdrawn_reason IS NOT NULL),
  -- GOV.UK One Login / council OIDC subject, once linked.
  oidc_subject text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX family_accounts_email ON family_accounts (organisation_id, lower(email)) WHERE status <> 'withdrawn' AND email IS NOT NULL;
CREATE INDEX family_accounts_person ON family_accounts (person_id);

-- Which children's records an account may see, and which sections. sections NULL = every section.
-- Sections: 'plan', 'meetings', 'reports', 'views', 'messages', 'records', 'seen'.
CREATE TABLE family_account_children (
  account_id uuid NOT NULL REFERENCES family_accounts(id),
  child_id uuid NOT NULL REFERENCES people(id),
  sections text[],
  limited_reason text,
  CHECK (sections IS NULL OR limited_reason IS NOT NULL),
  granted_by uuid REFERENCES users(id),
  granted_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  ended_reason text,
  CHECK (ended_at IS NULL OR ended_reason IS NOT NULL),
  PRIMARY KEY (account_id, child_id)
);
CREATE INDEX family_account_children_child ON family_account_children (child_id) WHERE ended_at IS NULL;

-- A young person's own account: the worker's judgement of their competence to use the portal
-- (guidance: from age 12, but it is a judgement about the young person, not an age).
ALTER TABLE family_accounts ADD COLUMN competence_judgement text;
ALTER TABLE family_accounts ADD CONSTRAINT family_accounts_competence
  CHECK (kind <> 'young_person' OR competence_judgement IS NOT NULL);

-- One-time sign-in codes. Only an HMAC of the code is kept (keyed by the service secret, so a copy of
-- the table does not give the 6-digit codes away); a code lasts 10 minutes and allows 5 attempts.
CREATE TABLE family_sign_in_codes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id uuid NOT NULL REFERENCES family_accounts(id),
  code_hash text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('email', 'sms')),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  used_at timestamptz
);
CREATE INDEX family_sign_in_codes_account ON family_sign_in_codes (account_id, created_at);

-- Portal sessions: separate from staff sessions (a staff cookie never opens the portal, and the
-- other way round). Only the hash of the cookie's token is kept.
CREATE TABLE family_sessions (
  id_hash text PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES family_accounts(id),
  csrf_secret text NOT NULL,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX family_sessions_account ON family_sessions (account_id);
