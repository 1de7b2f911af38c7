-- AlterTable: the broker's own id of an imported transaction, and the key an import skips it by
-- (the broker's id, or the row's content and its position among identical rows of its file).
ALTER TABLE "transactions" ADD COLUMN "external_id" VARCHAR(255),
ADD COLUMN "import_key" VARCHAR(80);

-- CreateIndex
CREATE UNIQUE INDEX "transactions_portfolio_id_import_key_key" ON "transactions"("portfolio_id", "import_key");
