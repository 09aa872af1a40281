-- The family portal's content (issue 9): what families see and say. The family's own view of a plan,
-- an assessment, a review or a conference (kept beside the professional text, never overwriting it);
-- corrections the worker must answer; documents shared with a family account before a meeting, with a
-- read receipt; and messages between the family and their worker. Every row names the child it is
-- about (so a merge moves it) and, where the family wrote it, the family account that did.

-- The family's own view, in their words, on something written about the child.
CREATE TABLE family_contributions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  child_id uuid NOT NULL REFERENCES people(id),
  account_id uuid NOT NULL REFERENCES family_accounts(id),
  -- The kind of account when written (a parent, the young person, a supporter).
  author_kind text NOT NULL CHECK (author_kind IN ('parent', 'young_person', 'supporter')),
  about_type text NOT NULL CHECK (about_type IN ('plan', 'assessment', 'plan_review', 'conference')),
  about_id uuid NOT NULL,
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX family_contributions_about ON family_contributions (about_type, about_id, created_at);
CREATE INDEX family_contributions_child ON family_contributions (child_id, created_at);

-- A comment on, or a factual error flagged in, what is written. The worker must answer: agreed (and
-- corrected) or not agreed, with the reason. The family sees the answer.
CREATE TABLE family_corrections (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  child_id uuid NOT NULL REFERENCES people(id),
  account_id uuid NOT NULL REFERENCES family_accounts(id),
  about_type text NOT NULL CHECK (about_type IN ('plan', 'assessment', 'plan_review', 'conference')),
  about_id uuid NOT NULL,
  -- What is written that the family says is wrong (their quote), and what they say is right.
  what_is_wrong text CHECK (what_is_wrong IS NULL OR length(what_is_wrong) <= 2000),
  comment text NOT NULL CHECK (length(comment) BETWEEN 1 AND 5000),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'agreed', 'not_agreed')),
  answer text CHECK (answer IS NULL OR length(answer) <= 5000),
  answered_by uuid REFERENCES users(id),
  answered_at timestamptz,
  CHECK ((status = 'open') = (answered_at IS NULL)),
  CHECK (status = 'open' OR (answered_by IS NOT NULL AND answer IS NOT NULL)),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX family_corrections_child ON family_corrections (child_id, created_at);
CREATE INDEX family_corrections_open ON family_corrections (organisation_id) WHERE status = 'open';

-- A document of the child's record shared with one family account (a report before a meeting), and
-- when that account first and last opened it: the read receipt the worker sees.
CREATE TABLE family_document_shares (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  document_id uuid NOT NULL REFERENCES documents(id),
  child_id uuid NOT NULL REFERENCES people(id),
  account_id uuid NOT NULL REFERENCES family_accounts(id),
  -- The meeting the report is for, when there is one.
  conference_id uuid REFERENCES conferences(id),
  shared_by uuid NOT NULL REFERENCES users(id),
  shared_at timestamptz NOT NULL DEFAULT now(),
  first_read_at timestamptz,
  last_read_at timestamptz,
  times_read integer NOT NULL DEFAULT 0 CHECK (times_read >= 0),
  withdrawn_at timestamptz,
  withdrawn_by uuid REFERENCES users(id),
  UNIQUE (document_id, account_id)
);
CREATE INDEX family_document_shares_account ON family_document_shares (account_id, child_id) WHERE withdrawn_at IS NULL;
CREATE INDEX family_document_shares_child ON family_document_shares (child_id);

-- Messages between a family account and the child's worker: threads of plain text. Not an
-- emergency channel (the pages say who to call out of hours).
CREATE TABLE family_message_threads (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  child_id uuid NOT NULL REFERENCES people(id),
  account_id uuid NOT NULL REFERENCES family_accounts(id),
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
  started_by text NOT NULL CHECK (started_by IN ('family', 'staff')),
  last_message_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX family_message_threads_child ON family_message_threads (child_id, last_message_at);
CREATE INDEX family_message_threads_account ON family_message_threads (account_id, last_message_at);

CREATE TABLE family_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  thread_id uuid NOT NULL REFERENCES family_message_threads(id),
  from_account_id uuid REFERENCES family_accounts(id),
  from_user_id uuid REFERENCES users(id),
  CHECK ((from_account_id IS NULL) <> (from_user_id IS NULL)),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
  sent_at timestamptz NOT NULL DEFAULT now(),
  -- When the other side first opened it.
  read_at timestamptz
);
CREATE INDEX family_messages_thread ON family_messages (thread_id, sent_at);
