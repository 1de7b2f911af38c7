-- Multi-device sync (portfolioChanges): every Activity row gets its portfolio's next sequence,
-- taken from portfolios.change_sequence in the change's own transaction.
ALTER TABLE "portfolios" ADD COLUMN     "change_sequence" INTEGER NOT NULL DEFAULT 0;

ALTER TABLE "portfolio_activities" ADD COLUMN     "sequence" INTEGER;

-- The history so far, numbered in the order it happened.
WITH numbered AS (
  SELECT id, row_number() OVER (PARTITION BY portfolio_id ORDER BY created_at, id) AS n FROM "portfolio_activities"
)
UPDATE "portfolio_activities" a SET "sequence" = numbered.n FROM numbered WHERE a.id = numbered.id;
UPDATE "portfolios" p SET "change_sequence" = latest.n
FROM (SELECT portfolio_id, max("sequence") AS n FROM "portfolio_activities" GROUP BY portfolio_id) latest
WHERE latest.portfolio_id = p.id;

-- CreateIndex
CREATE UNIQUE INDEX "portfolio_activities_portfolio_id_sequence_key" ON "portfolio_activities"("portfolio_id", "sequence");
