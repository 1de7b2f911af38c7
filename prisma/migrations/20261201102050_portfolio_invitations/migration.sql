-- CreateTable
CREATE TABLE "portfolio_invitations" (
    "id" UUID NOT NULL,
    "portfolio_id" UUID NOT NULL,
    "email" VARCHAR(255) NOT NULL,
    "permission" "Permission" NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL,
    "invited_by" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "portfolio_invitations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "portfolio_invitations_token_hash_key" ON "portfolio_invitations"("token_hash");

-- CreateIndex
CREATE INDEX "portfolio_invitations_email_idx" ON "portfolio_invitations"("email");

-- CreateIndex
CREATE UNIQUE INDEX "portfolio_invitations_portfolio_id_email_key" ON "portfolio_invitations"("portfolio_id", "email");

-- AddForeignKey
ALTER TABLE "portfolio_invitations" ADD CONSTRAINT "portfolio_invitations_portfolio_id_fkey" FOREIGN KEY ("portfolio_id") REFERENCES "portfolios"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "portfolio_invitations" ADD CONSTRAINT "portfolio_invitations_invited_by_fkey" FOREIGN KEY ("invited_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
