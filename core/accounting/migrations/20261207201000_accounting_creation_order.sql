-- Lists are paged in creation order, (created_at, id), after a cursor: read from an index,
-- not sorted out of the whole table on every page.
CREATE INDEX accounting_charts_created ON accounting_charts (created_at, id);
CREATE INDEX accounting_fiscal_years_created ON accounting_fiscal_years (created_at, id);
CREATE INDEX accounting_ledger_exports_created ON accounting_ledger_exports (created_at, id);
CREATE INDEX accounting_manual_transactions_created ON accounting_manual_transactions (created_at, id);
