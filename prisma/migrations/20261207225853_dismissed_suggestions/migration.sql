-- Corporate actions the user dismissed from Portfolio.suggestedTransactions (owned by ledger):
-- one row per portfolio and action (type, symbol, ex-date).
CREATE TABLE "dismissed_suggestions" (
    "portfolio_id" UUID NOT NULL,
    "type" "TransactionType" NOT NULL,
    "symbol" VARCHAR(20) NOT NULL,
    "ex_date" DATE NOT NULL,
    "dismissed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dismissed_suggestions_pkey" PRIMARY KEY ("portfolio_id","type","symbol","ex_date")
);

-- AddForeignKey
ALTER TABLE "dismissed_suggestions" ADD CONSTRAINT "dismissed_suggestions_portfolio_id_fkey" FOREIGN KEY ("portfolio_id") REFERENCES "portfolios"("id") ON DELETE CASCADE ON UPDATE CASCADE;
