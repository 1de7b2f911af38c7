-- CreateEnum
CREATE TYPE "TransactionType" AS ENUM ('BUY', 'SELL', 'DIVIDEND', 'INTEREST', 'FEE', 'TAX', 'SPLIT', 'DEPOSIT', 'WITHDRAWAL', 'TRANSFER_IN', 'TRANSFER_OUT');

-- CreateEnum
CREATE TYPE "CostBasisMethod" AS ENUM ('FIFO', 'LIFO', 'HIFO', 'AVERAGE');

-- AlterTable
ALTER TABLE "portfolios" ADD COLUMN     "cost_basis_method" "CostBasisMethod" NOT NULL DEFAULT 'FIFO';

-- CreateTable
CREATE TABLE "transactions" (
    "id" UUID NOT NULL,
    "portfolio_id" UUID NOT NULL,
    "type" "TransactionType" NOT NULL,
    "date" DATE NOT NULL,
    "symbol" VARCHAR(20),
    "quantity" DECIMAL(18,8),
    "price" DECIMAL(18,8),
    "amount" DECIMAL(38,16) NOT NULL,
    "fee" DECIMAL(18,8) NOT NULL DEFAULT 0,
    "currency" VARCHAR(3) NOT NULL,
    "fx_rate" DECIMAL(28,14),
    "split_from" DECIMAL(18,8),
    "split_to" DECIMAL(18,8),
    "lot_ids" UUID[] DEFAULT ARRAY[]::UUID[],
    "notes" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "transactions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "transactions_portfolio_id_date_created_at_idx" ON "transactions"("portfolio_id", "date", "created_at");

-- CreateIndex
CREATE INDEX "transactions_portfolio_id_symbol_idx" ON "transactions"("portfolio_id", "symbol");

-- AddForeignKey
ALTER TABLE "transactions" ADD CONSTRAINT "transactions_portfolio_id_fkey" FOREIGN KEY ("portfolio_id") REFERENCES "portfolios"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand (Prisma's schema language cannot express functions and triggers).
-- Every investment is a BUY lot with the same id. The existing ones become BUYs here, in their
-- asset's currency (the owner's custom asset first, then the market asset, else the portfolio's
-- base currency); fx_rate is known only when that is the base currency (or its minor unit), else
-- NULL: the FX rate of the purchase date, looked up when read.
CREATE FUNCTION ledger_same_currency_rate(currency text, base text) RETURNS numeric
  LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN currency = base THEN 1::numeric
    WHEN currency IN ('GBp', 'GBX') AND base = 'GBP' THEN 0.01
    WHEN currency = 'ZAc' AND base = 'ZAR' THEN 0.01
    WHEN currency = 'ILA' AND base = 'ILS' THEN 0.01
  END $$;

CREATE FUNCTION ledger_asset_currency(portfolio uuid, asset_symbol text) RETURNS text
  LANGUAGE sql STABLE AS $$
  SELECT COALESCE(
    (SELECT a.currency::text FROM assets a JOIN portfolios p ON p.id = portfolio
      WHERE a.symbol = asset_symbol AND (a.owner_id IS NULL OR a.owner_id = p.owner_id)
      ORDER BY a.owner_id NULLS LAST LIMIT 1),
    (SELECT p.base_currency::text FROM portfolios p WHERE p.id = portfolio)) $$;

INSERT INTO "transactions" ("id", "portfolio_id", "type", "date", "symbol", "quantity", "price", "amount", "fee", "currency", "fx_rate", "notes", "created_at", "updated_at")
SELECT i.id, i.portfolio_id, 'BUY', i.purchase_date, i.symbol, i.quantity, i.purchase_price, i.quantity * i.purchase_price, 0,
       c.currency, ledger_same_currency_rate(c.currency, p.base_currency::text), i.notes, i.created_at, i.updated_at
FROM investments i
JOIN portfolios p ON p.id = i.portfolio_id
CROSS JOIN LATERAL (SELECT ledger_asset_currency(i.portfolio_id, i.symbol) AS currency) c;

-- From now on the BUY follows its investment however the investment is written (the API, an
-- import's bulk INSERT, the seed). A BUY recorded through recordTransaction is inserted first,
-- with its own currency, fee and rate, so the investment's insert leaves it alone.
CREATE FUNCTION ledger_investment_sync() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM transactions WHERE id = OLD.id;
    RETURN OLD;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO transactions (id, portfolio_id, type, date, symbol, quantity, price, amount, fee, currency, fx_rate, notes, created_at, updated_at)
    SELECT NEW.id, NEW.portfolio_id, 'BUY', NEW.purchase_date, NEW.symbol, NEW.quantity, NEW.purchase_price, NEW.quantity * NEW.purchase_price, 0,
           c.currency, ledger_same_currency_rate(c.currency, p.base_currency::text), NEW.notes, NEW.created_at, NEW.updated_at
    FROM portfolios p CROSS JOIN LATERAL (SELECT ledger_asset_currency(NEW.portfolio_id, NEW.symbol) AS currency) c
    WHERE p.id = NEW.portfolio_id
    ON CONFLICT (id) DO NOTHING;
    RETURN NEW;
  END IF;
  UPDATE transactions
     SET date = NEW.purchase_date, symbol = NEW.symbol, quantity = NEW.quantity, price = NEW.purchase_price,
         amount = NEW.quantity * NEW.purchase_price, notes = NEW.notes, updated_at = NEW.updated_at
   WHERE id = NEW.id;
  RETURN NEW;
END $$;

CREATE TRIGGER investments_ledger_sync AFTER INSERT OR UPDATE OR DELETE ON investments
  FOR EACH ROW EXECUTE FUNCTION ledger_investment_sync();

-- And a BUY deleted as a transaction takes its investment with it.
CREATE FUNCTION ledger_buy_delete() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM investments WHERE id = OLD.id;
  RETURN OLD;
END $$;

CREATE TRIGGER transactions_buy_delete AFTER DELETE ON transactions
  FOR EACH ROW WHEN (OLD.type = 'BUY') EXECUTE FUNCTION ledger_buy_delete();
