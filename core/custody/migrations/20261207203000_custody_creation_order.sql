-- Lists are paged in creation order, (created_at, id), after a cursor: read from an index,
-- not sorted out of the whole table on every page.
CREATE INDEX custodians_created ON custodians (created_at, id);
CREATE INDEX wallets_created ON wallets (created_at, id);
