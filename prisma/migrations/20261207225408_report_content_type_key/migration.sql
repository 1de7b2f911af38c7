-- A tax report comes as CSV or PDF for the same year: the content type is part of a report's key.
DROP INDEX "reports_portfolio_id_kind_from_date_to_date_key";
CREATE UNIQUE INDEX "reports_portfolio_id_kind_from_date_to_date_content_type_key" ON "reports"("portfolio_id", "kind", "from_date", "to_date", "content_type");
