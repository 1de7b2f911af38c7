-- AlterTable
ALTER TABLE "email_outbox" ADD COLUMN     "dedupe_key" TEXT,
ADD COLUMN     "job" JSONB,
ADD COLUMN     "queued_at" TIMESTAMPTZ(3),
ADD COLUMN     "sent_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE UNIQUE INDEX "email_outbox_dedupe_key_key" ON "email_outbox"("dedupe_key");
