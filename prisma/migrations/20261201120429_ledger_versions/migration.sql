-- CreateTable
CREATE TABLE "ledger_versions" (
    "portfolio_id" UUID NOT NULL,
    "version" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "ledger_versions_pkey" PRIMARY KEY ("portfolio_id")
);

-- AddForeignKey
ALTER TABLE "ledger_versions" ADD CONSTRAINT "ledger_versions_portfolio_id_fkey" FOREIGN KEY ("portfolio_id") REFERENCES "portfolios"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every write to a portfolio's transactions raises its ledger version, once per statement (a
-- 10,000-row import is one raise per portfolio). A portfolio being deleted is skipped: its rows
-- go with it.
CREATE FUNCTION ledger_version_raise() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_versions (portfolio_id, version)
  SELECT DISTINCT c.portfolio_id, 1 FROM changed_rows c
   WHERE EXISTS (SELECT 1 FROM portfolios p WHERE p.id = c.portfolio_id)
  ON CONFLICT (portfolio_id) DO UPDATE SET version = ledger_versions.version + 1;
  RETURN NULL;
END $$;

CREATE TRIGGER transactions_version_insert AFTER INSERT ON transactions
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_version_raise();
CREATE TRIGGER transactions_version_delete AFTER DELETE ON transactions
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_version_raise();
-- An update that moves a row to another portfolio would raise only the new one; rows never move.
CREATE TRIGGER transactions_version_update AFTER UPDATE ON transactions
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_version_raise();
