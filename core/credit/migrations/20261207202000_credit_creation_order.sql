-- Lists are paged in creation order, (created_at, id), after a cursor: read from an index,
-- not sorted out of the whole table on every page.
CREATE INDEX credit_accrual_cycles_created ON credit_accrual_cycles (created_at, id);
CREATE INDEX credit_disbursals_created ON credit_disbursals (created_at, id);
CREATE INDEX credit_facilities_created ON credit_facilities (created_at, id);
CREATE INDEX credit_liquidations_created ON credit_liquidations (created_at, id);
CREATE INDEX credit_obligations_created ON credit_obligations (created_at, id);
CREATE INDEX credit_payments_created ON credit_payments (created_at, id);
CREATE INDEX credit_terms_templates_created ON credit_terms_templates (created_at, id);
