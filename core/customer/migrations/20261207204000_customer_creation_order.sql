-- Lists are paged in creation order, (created_at, id), after a cursor: read from an index,
-- not sorted out of the whole table on every page.
CREATE INDEX customer_customers_created ON customer_customers (created_at, id);
CREATE INDEX customer_prospects_created ON customer_prospects (created_at, id);
