-- Asking for records (subject access, UK GDPR article 15): a parent or young person asks in the portal,
-- or staff log a request that came by letter, phone, email or in person. The reply is due one calendar
-- month from receipt. Staff assemble the bundle from the child's record, redact with a stated reason,
-- and a different member of staff approves; approval freezes the rendered bundle.

INSERT INTO role_permissions (role_id, resource, action, scope) VALUES
  ('practitioner', 'records_request', 'prepare', 'team'),
  ('team_manager', 'records_request', 'prepare', 'team'),
  ('team_manager', 'records_request', 'approve', 'team'),
  ('administrator', 'records_request', 'prepare', 'authority'),
  ('administrator', 'records_request', 'approve', 'authority');

CREATE TABLE records_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  -- Whose record: the child, or the young person themself.
  child_id uuid NOT NULL REFERENCES people(id),
  -- The portal account that asked (or that staff chose to receive the bundle), if any.
  family_account_id uuid REFERENCES family_accounts(id),
  -- Who asked, in words, when logged by staff (e.g. "Mother, by letter").
  requester_description text,
  channel text NOT NULL CHECK (channel IN ('portal', 'letter', 'phone', 'email', 'in_person')),
  what_wanted text NOT NULL,
  date_from date,
  date_to date,
  CHECK (date_from IS NULL OR date_to IS NULL OR date_from <= date_to),
  received_on date NOT NULL,
  due_on date NOT NULL,
  status text NOT NULL DEFAULT 'received'
    CHECK (status IN ('received', 'preparing', 'awaiting_approval', 'released')),
  logged_by uuid REFERENCES users(id),
  prepared_by uuid REFERENCES users(id),
  assembled_at timestamptz,
  submitted_by uuid REFERENCES users(id),
  submitted_at timestamptz,
  -- Why the approver sent the bundle back (latest only; the audit log keeps the history).
  returned_note text,
  approved_by uuid REFERENCES users(id),
  released_at timestamptz,
  CHECK (approved_by IS NULL OR approved_by <> submitted_by),
  -- The bundle as released: frozen, so later changes to the record do not alter it.
  released_html text,
  released_text text,
  CHECK (status <> 'released' OR (released_html IS NOT NULL AND released_text IS NOT NULL AND approved_by IS NOT NULL)),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX records_requests_open ON records_requests (organisation_id, due_on) WHERE status <> 'released';
CREATE INDEX records_requests_account ON records_requests (family_account_id);
CREATE INDEX records_requests_child ON records_requests (child_id);

-- The candidate content, copied from the record when the bundle is assembled (so redactions point at
-- fixed text). Only allow-listed, family-facing fields are copied.
CREATE TABLE records_request_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  request_id uuid NOT NULL REFERENCES records_requests(id),
  position integer NOT NULL,
  source_type text NOT NULL CHECK (source_type IN ('plan', 'assessment', 'visit', 'chronology')),
  source_id uuid NOT NULL,
  occurred_on date,
  heading text NOT NULL,
  body text NOT NULL,
  UNIQUE (request_id, position)
);
CREATE INDEX records_request_items_request ON records_request_items (request_id);

-- A redaction: the whole item, or every occurrence of a passage of its text, with the reason the
-- reader is shown in its place.
CREATE TABLE records_request_redactions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  request_id uuid NOT NULL REFERENCES records_requests(id),
  item_id uuid NOT NULL REFERENCES records_request_items(id),
  scope text NOT NULL CHECK (scope IN ('item', 'passage')),
  passage text,
  CHECK ((scope = 'passage') = (passage IS NOT NULL)),
  reason text NOT NULL CHECK (reason IN ('third_party', 'serious_harm', 'legal_privilege', 'other')),
  reason_text text,
  CHECK (reason <> 'other' OR reason_text IS NOT NULL),
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX records_request_redactions_request ON records_request_redactions (request_id);
