-- CreateTable
CREATE TABLE "sign_in_lockouts" (
    "email_hash" CHAR(64) NOT NULL,
    "failed_attempts" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sign_in_lockouts_pkey" PRIMARY KEY ("email_hash")
);

-- Carry over the runs of failures and the locks the accounts have now (keyed as src/auth does:
-- SHA-256 hex of the stored, normalized email).
INSERT INTO "sign_in_lockouts" ("email_hash", "failed_attempts", "locked_until")
SELECT encode(sha256(convert_to("email", 'UTF8')), 'hex'), "failed_login_attempts", "locked_until"
FROM "users"
WHERE "failed_login_attempts" > 0 OR "locked_until" > now();

-- AlterTable
ALTER TABLE "users" DROP COLUMN "failed_login_attempts",
DROP COLUMN "locked_until";
