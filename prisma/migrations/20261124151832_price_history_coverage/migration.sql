-- CreateTable
CREATE TABLE "price_history_coverage" (
    "asset_id" UUID NOT NULL,
    "from_date" DATE NOT NULL,
    "to_date" DATE NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "price_history_coverage_pkey" PRIMARY KEY ("asset_id")
);

-- AddForeignKey
ALTER TABLE "price_history_coverage" ADD CONSTRAINT "price_history_coverage_asset_id_fkey" FOREIGN KEY ("asset_id") REFERENCES "assets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
