-- CreateEnum
CREATE TYPE "LoadBalancerProvider" AS ENUM ('haproxy', 'webhook');

-- AlterTable
ALTER TABLE "deployment_groups" ADD COLUMN     "liveInstanceIds" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "deployments" ADD COLUMN     "blueGreenConfig" JSONB,
ADD COLUMN     "blueGreenPhase" TEXT,
ADD COLUMN     "continueRequestedAt" TIMESTAMP(3),
ADD COLUMN     "readyWaitEndsAt" TIMESTAMP(3),
ADD COLUMN     "terminationAt" TIMESTAMP(3),
ADD COLUMN     "trafficBindings" JSONB;

-- AlterTable
ALTER TABLE "instances" ADD COLUMN     "trafficAddress" TEXT;

-- CreateTable
CREATE TABLE "load_balancers" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "provider" "LoadBalancerProvider" NOT NULL,
    "haproxySocket" TEXT,
    "webhookUrl" TEXT,
    "webhookSecretEnc" TEXT,
    "webhookSecretPrefix" TEXT,
    "backends" TEXT[],
    "serverMapping" TEXT NOT NULL DEFAULT 'instanceName',
    "drainTimeoutSeconds" INTEGER NOT NULL DEFAULT 30,
    "healthTimeoutSeconds" INTEGER NOT NULL DEFAULT 60,
    "killSessionsOnDrainTimeout" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "load_balancers_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "load_balancers_name_key" ON "load_balancers"("name");
