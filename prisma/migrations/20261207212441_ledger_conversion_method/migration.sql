-- CONVERSION: cash exchanged between currencies inside a portfolio (amount leaves in `currency`,
-- to_amount arrives in to_currency).
ALTER TYPE "TransactionType" ADD VALUE IF NOT EXISTS 'CONVERSION';

ALTER TABLE "transactions" ADD COLUMN "to_amount" DECIMAL(38,16),
ADD COLUMN "to_currency" VARCHAR(3),
ADD COLUMN "cost_basis_method" "CostBasisMethod";

-- An elected method applies forward: every SELL (and TRANSFER_OUT) recorded so far keeps the method it was closed
-- by, which is the portfolio's current one (a SELL naming its lots keeps none).
UPDATE "transactions" t SET "cost_basis_method" = p."cost_basis_method"
  FROM "portfolios" p
 WHERE p."id" = t."portfolio_id" AND t."type" IN ('SELL', 'TRANSFER_OUT') AND cardinality(t."lot_ids") = 0;
