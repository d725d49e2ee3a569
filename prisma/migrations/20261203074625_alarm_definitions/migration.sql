-- CreateEnum
CREATE TYPE "AlarmKind" AS ENUM ('prometheus', 'alertmanager', 'http_probe');

-- AlterTable
ALTER TABLE "api_tokens" ADD COLUMN     "scope" TEXT;

-- CreateTable
CREATE TABLE "alarms" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "AlarmKind" NOT NULL,
    "spec" JSONB NOT NULL,
    "credentialsEnc" TEXT,
    "lastState" TEXT,
    "lastDetail" TEXT,
    "lastEvaluatedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "alarms_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alertmanager_alerts" (
    "fingerprint" TEXT NOT NULL,
    "alertname" TEXT NOT NULL,
    "labels" JSONB NOT NULL,
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "endsAt" TIMESTAMP(3),
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alertmanager_alerts_pkey" PRIMARY KEY ("fingerprint")
);

-- CreateIndex
CREATE UNIQUE INDEX "alarms_name_key" ON "alarms"("name");

-- CreateIndex
CREATE INDEX "alertmanager_alerts_alertname_idx" ON "alertmanager_alerts"("alertname");
