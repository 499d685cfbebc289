-- Lists are paged in creation order, (created_at, id), after a cursor: read from an index,
-- not sorted out of the whole table on every page.
CREATE INDEX governance_approval_processes_created ON governance_approval_processes (created_at, id);
CREATE INDEX governance_committees_created ON governance_committees (created_at, id);
CREATE INDEX governance_policies_created ON governance_policies (created_at, id);
