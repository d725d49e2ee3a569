-- CreateEnum
CREATE TYPE "NotificationTargetKind" AS ENUM ('webhook', 'slack');

-- CreateEnum
CREATE TYPE "NotificationDeliveryStatus" AS ENUM ('pending', 'delivered', 'failed');

-- CreateTable
CREATE TABLE "notification_targets" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "NotificationTargetKind" NOT NULL,
    "urlEnc" TEXT NOT NULL,
    "urlDisplay" TEXT NOT NULL,
    "secretEnc" TEXT,
    "secretPrefix" TEXT,
    "description" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "notification_targets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_events" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "type" TEXT NOT NULL,
    "deploymentId" TEXT,
    "deploymentTargetId" UUID,
    "batch" INTEGER,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_deliveries" (
    "id" UUID NOT NULL,
    "eventId" UUID NOT NULL,
    "targetId" UUID NOT NULL,
    "triggerName" TEXT NOT NULL,
    "deploymentId" TEXT,
    "seq" BIGINT NOT NULL,
    "status" "NotificationDeliveryStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastAttemptAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),
    "responseStatus" INTEGER,
    "latencyMs" INTEGER,
    "responseExcerpt" TEXT,
    "error" TEXT,
    "summarizedIn" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "notification_targets_name_key" ON "notification_targets"("name");

-- CreateIndex
CREATE UNIQUE INDEX "notification_events_seq_key" ON "notification_events"("seq");

-- CreateIndex
CREATE INDEX "notification_events_deploymentId_seq_idx" ON "notification_events"("deploymentId", "seq");

-- CreateIndex
CREATE INDEX "notification_deliveries_targetId_createdAt_idx" ON "notification_deliveries"("targetId", "createdAt");

-- CreateIndex
CREATE INDEX "notification_deliveries_targetId_deploymentId_seq_idx" ON "notification_deliveries"("targetId", "deploymentId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "notification_deliveries_eventId_targetId_key" ON "notification_deliveries"("eventId", "targetId");

-- AddForeignKey
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "notification_events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "notification_targets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
