-- The child's page lists the child's open tasks: read by child, not by the whole tasks table.
CREATE INDEX tasks_person_open ON tasks (person_id, due_on) WHERE completed_at IS NULL;
