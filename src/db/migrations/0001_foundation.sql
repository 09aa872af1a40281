-- Foundation schema: organisations, localities, teams, staff accounts and sessions, the permission
-- model, a minimal person record with allocations, break-glass grants and the hash-chained audit log.
-- Frozen: never edit after it has shipped (the runner checks a checksum); add a new migration instead.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

CREATE TABLE organisations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('local_authority', 'school', 'health', 'police', 'community', 'other')),
  la_code text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE localities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  name text NOT NULL,
  UNIQUE (organisation_id, name)
);

CREATE TABLE teams (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  locality_id uuid REFERENCES localities(id),
  name text NOT NULL,
  UNIQUE (organisation_id, name)
);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  email text NOT NULL,
  display_name text NOT NULL,
  password_hash text,
  totp_secret text,
  totp_enrolled_at timestamptz,
  totp_last_step bigint,
  oidc_subject text,
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_oidc_subject_key ON users (oidc_subject) WHERE oidc_subject IS NOT NULL;

CREATE TABLE team_memberships (
  user_id uuid NOT NULL REFERENCES users(id),
  team_id uuid NOT NULL REFERENCES teams(id),
  PRIMARY KEY (user_id, team_id)
);
CREATE INDEX team_memberships_team ON team_memberships (team_id);

CREATE TABLE roles (
  id text PRIMARY KEY,
  name text NOT NULL,
  description text NOT NULL
);

CREATE TABLE role_permissions (
  role_id text NOT NULL REFERENCES roles(id),
  resource text NOT NULL,
  action text NOT NULL,
  scope text NOT NULL CHECK (scope IN ('own', 'team', 'locality', 'authority')),
  PRIMARY KEY (role_id, resource, action)
);

CREATE TABLE user_roles (
  user_id uuid NOT NULL REFERENCES users(id),
  role_id text NOT NULL REFERENCES roles(id),
  PRIMARY KEY (user_id, role_id)
);

CREATE TABLE sessions (
  id_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id),
  stage text NOT NULL CHECK (stage IN ('password', 'full')),
  csrf_secret text NOT NULL,
  pending_totp_secret text,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_throttle (
  key text PRIMARY KEY,
  window_started_at timestamptz NOT NULL,
  failures integer NOT NULL
);

CREATE TABLE people (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  given_name text NOT NULL,
  family_name text NOT NULL,
  date_of_birth date,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);

CREATE TABLE allocations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES people(id),
  team_id uuid NOT NULL REFERENCES teams(id),
  worker_user_id uuid REFERENCES users(id),
  started_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz
);
CREATE INDEX allocations_person ON allocations (person_id) WHERE ended_at IS NULL;
CREATE INDEX allocations_team ON allocations (team_id) WHERE ended_at IS NULL;
CREATE INDEX allocations_worker ON allocations (worker_user_id) WHERE ended_at IS NULL;

CREATE TABLE break_glass_grants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id),
  person_id uuid NOT NULL REFERENCES people(id),
  reason_code text NOT NULL,
  reason text NOT NULL,
  granted_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  reviewed_by uuid REFERENCES users(id),
  reviewed_at timestamptz
);
CREATE INDEX break_glass_active ON break_glass_grants (user_id, person_id, expires_at);

CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  occurred_at timestamptz NOT NULL,
  actor_user_id uuid,
  action text NOT NULL,
  entity_type text NOT NULL,
  entity_id text,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  request_id text,
  prev_hash text NOT NULL,
  row_hash text NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, occurred_at);
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, occurred_at);

-- The canonical text of an audit row: what its hash covers.
CREATE FUNCTION audit_canonical(r audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT concat_ws('|', r.seq::text,
    to_char(r.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    coalesce(r.actor_user_id::text, '-'), r.action, r.entity_type, coalesce(r.entity_id, '-'),
    r.detail::text, coalesce(r.request_id, '-'), r.prev_hash)
$$;

-- Chains each new row to the one before, under a transaction-scoped lock so the chain never forks.
CREATE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last audit_log%ROWTYPE;
BEGIN
  PERFORM pg_advisory_xact_lock(7335001);
  SELECT * INTO last FROM audit_log ORDER BY seq DESC LIMIT 1;
  NEW.seq := coalesce(last.seq, 0) + 1;
  NEW.prev_hash := coalesce(last.row_hash, repeat('0', 64));
  NEW.occurred_at := coalesce(NEW.occurred_at, now());
  NEW.row_hash := encode(sha256(convert_to(audit_canonical(NEW), 'UTF8')), 'hex');
  RETURN NEW;
END $$;
CREATE TRIGGER audit_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_chain();

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

INSERT INTO roles (id, name, description) VALUES
  ('practitioner', 'Practitioner', 'Social worker or family help practitioner: sees the children their team works with'),
  ('team_manager', 'Team manager', 'Manages a team: sees and allocates its children, reviews break-glass access'),
  ('service_manager', 'Service manager', 'Sees every child in their locality'),
  ('senior_leader', 'Senior leader', 'Sees every child in the authority'),
  ('administrator', 'Administrator', 'Manages staff accounts, roles and teams; reads the audit log');

INSERT INTO role_permissions (role_id, resource, action, scope) VALUES
  ('practitioner', 'person', 'read', 'team'),
  ('practitioner', 'person', 'write', 'own'),
  ('team_manager', 'person', 'read', 'team'),
  ('team_manager', 'person', 'write', 'team'),
  ('team_manager', 'break_glass', 'review', 'team'),
  ('team_manager', 'audit', 'read', 'team'),
  ('service_manager', 'person', 'read', 'locality'),
  ('service_manager', 'break_glass', 'review', 'locality'),
  ('senior_leader', 'person', 'read', 'authority'),
  ('administrator', 'user', 'admin', 'authority'),
  ('administrator', 'audit', 'read', 'authority'),
  ('administrator', 'break_glass', 'review', 'authority');
