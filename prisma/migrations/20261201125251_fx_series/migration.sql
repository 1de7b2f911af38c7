-- CreateTable
CREATE TABLE "fx_series" (
    "pair" VARCHAR(6) NOT NULL,
    "source" VARCHAR(20) NOT NULL,
    "from_date" DATE NOT NULL,
    "to_date" DATE NOT NULL,
    "covered_from" DATE NOT NULL,
    "points" JSONB NOT NULL,
    "fetched_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "fx_series_pkey" PRIMARY KEY ("pair")
);
