-- Lists are paged in creation order, (created_at, id), after a cursor: read from an index,
-- not sorted out of the whole table on every page.
CREATE INDEX access_roles_created ON access_roles (created_at, id);
CREATE INDEX access_users_created ON access_users (created_at, id);
