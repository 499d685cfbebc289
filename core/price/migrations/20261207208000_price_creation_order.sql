-- Lists are paged in creation order, (created_at, id), after a cursor: read from an index,
-- not sorted out of the whole table on every page.
CREATE INDEX price_providers_created ON price_providers (created_at, id);
