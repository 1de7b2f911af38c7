-- CreateTable
CREATE TABLE "tax_lot_reviews" (
    "portfolio_id" UUID NOT NULL,
    "month" DATE NOT NULL,
    "suggestions" INTEGER NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tax_lot_reviews_pkey" PRIMARY KEY ("portfolio_id","month")
);

-- AddForeignKey
ALTER TABLE "tax_lot_reviews" ADD CONSTRAINT "tax_lot_reviews_portfolio_id_fkey" FOREIGN KEY ("portfolio_id") REFERENCES "portfolios"("id") ON DELETE CASCADE ON UPDATE CASCADE;
