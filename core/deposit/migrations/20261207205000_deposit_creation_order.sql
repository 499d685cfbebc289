-- Lists are paged in creation order, (created_at, id), after a cursor: read from an index,
-- not sorted out of the whole table on every page.
CREATE INDEX deposit_accounts_created ON deposit_accounts (created_at, id);
CREATE INDEX deposit_deposits_created ON deposit_deposits (created_at, id);
CREATE INDEX deposit_withdrawals_created ON deposit_withdrawals (created_at, id);
