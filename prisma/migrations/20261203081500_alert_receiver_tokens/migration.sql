-- The receiver takes tokens of its own (alert_receiver_tokens) rather than scoped API tokens.
-- AlterTable
ALTER TABLE "api_tokens" DROP COLUMN "scope";

-- CreateTable
CREATE TABLE "alert_receiver_tokens" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "alert_receiver_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "alert_receiver_tokens_tokenHash_key" ON "alert_receiver_tokens"("tokenHash");
