-- AlterTable
ALTER TABLE "portfolio_snapshots" ADD COLUMN     "ledger_fingerprint" TEXT;
