-- Registration throughput (#21): a token's uses are counted from the instances registered with it instead of a
-- counter on the token's row, which every registration with that token had to lock until commit.
-- AlterTable
ALTER TABLE "agent_registration_tokens" DROP COLUMN "usedCount";

-- CreateIndex
CREATE INDEX "instances_registrationTokenId_idx" ON "instances"("registrationTokenId");
