-- Written by hand: one write model for trades. Until now a BUY was stored twice, as an
-- `investments` row and a `transactions` row with the same id, kept in step by triggers. From
-- here the transaction is the only record; `investments` becomes a view of the BUYs, with the
-- name, type and sector of the BUY's asset (the owner's custom asset first, then the market's),
-- no longer copied onto each lot. Every existing row and id is kept.

-- An investment without its BUY (written while the triggers were off, e.g. a bulk load with
-- session_replication_role = replica) becomes one now, as the ledger migration made them.
INSERT INTO "transactions" ("id", "portfolio_id", "type", "date", "symbol", "quantity", "price", "amount", "fee", "currency", "fx_rate", "notes", "created_at", "updated_at")
SELECT i.id, i.portfolio_id, 'BUY', i.purchase_date, i.symbol, i.quantity, i.purchase_price, i.quantity * i.purchase_price, 0,
       c.currency, ledger_same_currency_rate(c.currency, p.base_currency::text), i.notes, i.created_at, i.updated_at
FROM investments i
JOIN portfolios p ON p.id = i.portfolio_id
CROSS JOIN LATERAL (SELECT ledger_asset_currency(i.portfolio_id, i.symbol) AS currency) c
WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.id = i.id);

-- A BUY whose investment was written with the triggers off carries the investment's figures.
UPDATE "transactions" t
   SET date = i.purchase_date, symbol = i.symbol, quantity = i.quantity, price = i.purchase_price,
       amount = i.quantity * i.purchase_price, notes = i.notes
  FROM investments i
 WHERE t.id = i.id AND t.type = 'BUY'
   AND (t.date, t.symbol, t.quantity, t.price, t.notes) IS DISTINCT FROM (i.purchase_date, i.symbol, i.quantity, i.purchase_price, i.notes);

DROP TRIGGER "investments_ledger_sync" ON "investments";
DROP TRIGGER "transactions_buy_delete" ON "transactions";
DROP FUNCTION ledger_investment_sync();
DROP FUNCTION ledger_buy_delete();
DROP FUNCTION ledger_asset_currency(uuid, text);

DROP TABLE "investments";

-- Portfolio.investments pages BUYs oldest first (created_at, id) per portfolio.
CREATE INDEX "transactions_buys_portfolio_created_idx" ON "transactions" ("portfolio_id", "created_at", "id") WHERE "type" = 'BUY';

CREATE VIEW "investments" AS
SELECT t.id, t.portfolio_id, t.symbol,
       coalesce(a.name, t.symbol)::varchar(255) AS name,
       coalesce(a.type, 'OTHER'::"AssetType") AS type,
       t.quantity, t.price AS purchase_price, t.date AS purchase_date,
       a.sector, t.notes, t.created_at, t.updated_at
FROM transactions t
LEFT JOIN LATERAL (
  SELECT x.name, x.type, x.sector
  FROM assets x JOIN portfolios p ON p.id = t.portfolio_id
  WHERE x.symbol = t.symbol AND (x.owner_id IS NULL OR x.owner_id = p.owner_id)
  ORDER BY x.owner_id NULLS LAST
  LIMIT 1
) a ON true
WHERE t.type = 'BUY';
