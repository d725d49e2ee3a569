-- AlterTable
ALTER TABLE "deployments" ADD COLUMN     "alarmCheckDueAt" TIMESTAMP(3),
ADD COLUMN     "alarmConfiguration" JSONB,
ADD COLUMN     "alarmConfigurationOverridden" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "bakeEndsAt" TIMESTAMP(3),
ADD COLUMN     "promoteRequestedAt" TIMESTAMP(3),
ADD COLUMN     "stopErrorCode" TEXT,
ADD COLUMN     "stopMessage" TEXT,
ADD COLUMN     "trafficAppliedAt" TIMESTAMP(3),
ADD COLUMN     "trafficAppliedPercent" INTEGER,
ADD COLUMN     "trafficPlan" JSONB,
ADD COLUMN     "trafficWantedPercent" INTEGER;

-- CreateTable
CREATE TABLE "traffic_shifts" (
    "id" UUID NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "percent" INTEGER NOT NULL,
    "achievedPercent" DOUBLE PRECISION,
    "reason" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMP(3),
    "ok" BOOLEAN,
    "message" TEXT,
    "log" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "traffic_shifts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deployment_alarm_checks" (
    "id" UUID NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "alarmName" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "value" DOUBLE PRECISION,
    "pendingSince" TIMESTAMP(3),
    "firstAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "count" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "deployment_alarm_checks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "deployments_alarmCheckDueAt_idx" ON "deployments"("alarmCheckDueAt");

-- CreateIndex
CREATE INDEX "traffic_shifts_deploymentId_startedAt_idx" ON "traffic_shifts"("deploymentId", "startedAt");

-- CreateIndex
CREATE INDEX "deployment_alarm_checks_deploymentId_alarmName_lastAt_idx" ON "deployment_alarm_checks"("deploymentId", "alarmName", "lastAt");

-- AddForeignKey
ALTER TABLE "traffic_shifts" ADD CONSTRAINT "traffic_shifts_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "deployments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployment_alarm_checks" ADD CONSTRAINT "deployment_alarm_checks_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "deployments"("id") ON DELETE CASCADE ON UPDATE CASCADE;
