-- Agent upgrades (#19): the agents of chosen hosts replace themselves with the server's build and restart.
-- CreateTable
CREATE TABLE "agent_upgrades" (
    "id" UUID NOT NULL,
    "targetVersion" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT NOT NULL,

    CONSTRAINT "agent_upgrades_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "agent_upgrade_targets" (
    "id" UUID NOT NULL,
    "upgradeId" UUID NOT NULL,
    "instanceId" UUID NOT NULL,
    "fromVersion" TEXT,
    "status" TEXT NOT NULL DEFAULT 'Pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "message" TEXT,
    "sentAt" TIMESTAMP(3),
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "agent_upgrade_targets_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "agent_upgrades_createdAt_idx" ON "agent_upgrades"("createdAt");

-- CreateIndex
CREATE INDEX "agent_upgrade_targets_instanceId_status_idx" ON "agent_upgrade_targets"("instanceId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "agent_upgrade_targets_upgradeId_instanceId_key" ON "agent_upgrade_targets"("upgradeId", "instanceId");

-- AddForeignKey
ALTER TABLE "agent_upgrade_targets" ADD CONSTRAINT "agent_upgrade_targets_upgradeId_fkey" FOREIGN KEY ("upgradeId") REFERENCES "agent_upgrades"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agent_upgrade_targets" ADD CONSTRAINT "agent_upgrade_targets_instanceId_fkey" FOREIGN KEY ("instanceId") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;
