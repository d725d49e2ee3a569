-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'deployer', 'viewer');

-- CreateEnum
CREATE TYPE "MinimumHealthyHostsType" AS ENUM ('HOST_COUNT', 'FLEET_PERCENT', 'MOST_CONCURRENCY');

-- CreateEnum
CREATE TYPE "DeploymentType" AS ENUM ('IN_PLACE', 'BLUE_GREEN');

-- CreateEnum
CREATE TYPE "DeploymentOption" AS ENUM ('WITH_TRAFFIC_CONTROL', 'WITHOUT_TRAFFIC_CONTROL');

-- CreateEnum
CREATE TYPE "OutdatedInstancesStrategy" AS ENUM ('UPDATE', 'IGNORE');

-- CreateEnum
CREATE TYPE "RevisionType" AS ENUM ('Upload', 'Url');

-- CreateEnum
CREATE TYPE "BundleType" AS ENUM ('tar', 'tgz', 'zip');

-- CreateEnum
CREATE TYPE "DeploymentStatus" AS ENUM ('Created', 'Queued', 'InProgress', 'Baking', 'Ready', 'Succeeded', 'Failed', 'Stopped');

-- CreateEnum
CREATE TYPE "DeploymentCreator" AS ENUM ('user', 'rollback', 'autoUpdate');

-- CreateEnum
CREATE TYPE "FileExistsBehavior" AS ENUM ('DISALLOW', 'OVERWRITE', 'RETAIN');

-- CreateEnum
CREATE TYPE "TargetStatus" AS ENUM ('Pending', 'InProgress', 'Succeeded', 'Failed', 'Skipped', 'Unknown', 'Ready');

-- CreateEnum
CREATE TYPE "TargetLabel" AS ENUM ('Blue', 'Green');

-- CreateEnum
CREATE TYPE "LifecycleEventStatus" AS ENUM ('Pending', 'InProgress', 'Succeeded', 'Failed', 'Skipped', 'Unknown');

-- CreateEnum
CREATE TYPE "LifecycleErrorCode" AS ENUM ('Success', 'ScriptMissing', 'ScriptNotExecutable', 'ScriptTimedOut', 'ScriptFailed', 'UnknownError');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'viewer',
    "mustChangePassword" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastLoginAt" TIMESTAMP(3),
    "disabledAt" TIMESTAMP(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sourceIp" TEXT,
    "userAgent" TEXT,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "createdById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "agent_registration_tokens" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "tags" JSONB NOT NULL DEFAULT '[]',
    "maxUses" INTEGER,
    "usedCount" INTEGER NOT NULL DEFAULT 0,
    "createdById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "agent_registration_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "instances" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "credentialHash" TEXT NOT NULL,
    "credentialPrefix" TEXT NOT NULL,
    "agentVersion" TEXT,
    "hostname" TEXT,
    "platform" TEXT,
    "lastSeenAt" TIMESTAMP(3),
    "registeredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deregisteredAt" TIMESTAMP(3),
    "registrationTokenId" UUID,

    CONSTRAINT "instances_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "instance_tags" (
    "instanceId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "instance_tags_pkey" PRIMARY KEY ("instanceId","key")
);

-- CreateTable
CREATE TABLE "installed_revisions" (
    "instanceId" UUID NOT NULL,
    "deploymentGroupId" UUID NOT NULL,
    "revisionId" UUID NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "installed_revisions_pkey" PRIMARY KEY ("instanceId","deploymentGroupId")
);

-- CreateTable
CREATE TABLE "applications" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "computePlatform" TEXT NOT NULL DEFAULT 'Server',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "applications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deployment_configs" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "minimumHealthyHostsType" "MinimumHealthyHostsType" NOT NULL,
    "minimumHealthyHostsValue" INTEGER NOT NULL,
    "computePlatform" TEXT NOT NULL DEFAULT 'Server',
    "trafficRoutingConfig" JSONB,
    "zonalConfig" JSONB,
    "predefined" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deployment_configs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deployment_groups" (
    "id" UUID NOT NULL,
    "applicationId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "deploymentConfigId" UUID NOT NULL,
    "tagFilters" JSONB NOT NULL DEFAULT '[]',
    "tagSet" JSONB,
    "instanceNames" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "deploymentType" "DeploymentType" NOT NULL DEFAULT 'IN_PLACE',
    "deploymentOption" "DeploymentOption" NOT NULL DEFAULT 'WITHOUT_TRAFFIC_CONTROL',
    "loadBalancerInfo" JSONB,
    "autoRollbackConfiguration" JSONB,
    "alarmConfiguration" JSONB,
    "triggerConfigurations" JSONB NOT NULL DEFAULT '[]',
    "outdatedInstancesStrategy" "OutdatedInstancesStrategy" NOT NULL DEFAULT 'UPDATE',
    "blueGreenConfiguration" JSONB,
    "lastSuccessfulDeploymentId" TEXT,
    "lastAttemptedDeploymentId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "deployment_groups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "revisions" (
    "id" UUID NOT NULL,
    "applicationId" UUID NOT NULL,
    "revisionType" "RevisionType" NOT NULL,
    "storageKey" TEXT,
    "url" TEXT,
    "sha256" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "bundleType" "BundleType" NOT NULL,
    "description" TEXT,
    "appspecFilename" TEXT NOT NULL DEFAULT 'appspec.yml',
    "registeredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "firstUsedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "revisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deployments" (
    "id" TEXT NOT NULL,
    "applicationId" UUID NOT NULL,
    "deploymentGroupId" UUID NOT NULL,
    "revisionId" UUID NOT NULL,
    "previousRevisionId" UUID,
    "status" "DeploymentStatus" NOT NULL DEFAULT 'Created',
    "activeGroupId" UUID,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "creator" "DeploymentCreator" NOT NULL DEFAULT 'user',
    "createdBy" TEXT,
    "description" TEXT,
    "configSnapshot" JSONB NOT NULL,
    "deploymentType" "DeploymentType" NOT NULL DEFAULT 'IN_PLACE',
    "deploymentOption" "DeploymentOption" NOT NULL DEFAULT 'WITHOUT_TRAFFIC_CONTROL',
    "fileExistsBehavior" "FileExistsBehavior" NOT NULL DEFAULT 'DISALLOW',
    "ignoreApplicationStopFailures" BOOLEAN NOT NULL DEFAULT false,
    "updateOutdatedInstancesOnly" BOOLEAN NOT NULL DEFAULT false,
    "autoRollbackConfiguration" JSONB,
    "rollbackDeploymentId" TEXT,
    "rollbackTriggeringDeploymentId" TEXT,
    "rollbackMessage" TEXT,
    "autoUpdateRootDeploymentId" TEXT,
    "minimumHealthyHosts" INTEGER NOT NULL DEFAULT 0,
    "batchCount" INTEGER NOT NULL DEFAULT 0,
    "currentBatch" INTEGER NOT NULL DEFAULT -1,
    "stopRequestedAt" TIMESTAMP(3),
    "stopRollback" BOOLEAN NOT NULL DEFAULT false,
    "pendingCount" INTEGER NOT NULL DEFAULT 0,
    "inProgressCount" INTEGER NOT NULL DEFAULT 0,
    "succeededCount" INTEGER NOT NULL DEFAULT 0,
    "failedCount" INTEGER NOT NULL DEFAULT 0,
    "skippedCount" INTEGER NOT NULL DEFAULT 0,
    "readyCount" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "deployments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deployment_targets" (
    "id" UUID NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "instanceId" UUID NOT NULL,
    "instanceName" TEXT NOT NULL,
    "label" "TargetLabel",
    "batch" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "status" "TargetStatus" NOT NULL DEFAULT 'Pending',
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "startedAt" TIMESTAMP(3),
    "endedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "deployment_targets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lifecycle_events" (
    "id" UUID NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "targetId" UUID NOT NULL,
    "instanceId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "status" "LifecycleEventStatus" NOT NULL DEFAULT 'Pending',
    "readyAt" TIMESTAMP(3),
    "commandId" UUID,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "dispatchedAt" TIMESTAMP(3),
    "ackedAt" TIMESTAMP(3),
    "deadlineAt" TIMESTAMP(3),
    "isNoop" BOOLEAN NOT NULL DEFAULT false,
    "scriptRevisionId" UUID,
    "startedAt" TIMESTAMP(3),
    "endedAt" TIMESTAMP(3),
    "errorCode" "LifecycleErrorCode",
    "scriptName" TEXT,
    "message" TEXT,
    "logTail" TEXT,
    "logBytes" INTEGER NOT NULL DEFAULT 0,
    "logChunks" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "lifecycle_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "log_chunks" (
    "id" BIGSERIAL NOT NULL,
    "eventId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "log_chunks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT,
    "actorName" TEXT,
    "action" TEXT NOT NULL,
    "resourceType" TEXT NOT NULL,
    "resourceId" TEXT,
    "sourceIp" TEXT,
    "requestId" TEXT,
    "details" JSONB,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "sessions_tokenHash_key" ON "sessions"("tokenHash");

-- CreateIndex
CREATE INDEX "sessions_userId_idx" ON "sessions"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_tokenHash_key" ON "api_tokens"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "agent_registration_tokens_tokenHash_key" ON "agent_registration_tokens"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "instances_name_key" ON "instances"("name");

-- CreateIndex
CREATE UNIQUE INDEX "instances_credentialHash_key" ON "instances"("credentialHash");

-- CreateIndex
CREATE INDEX "instances_deregisteredAt_lastSeenAt_idx" ON "instances"("deregisteredAt", "lastSeenAt");

-- CreateIndex
CREATE INDEX "instance_tags_key_value_idx" ON "instance_tags"("key", "value");

-- CreateIndex
CREATE INDEX "installed_revisions_deploymentGroupId_idx" ON "installed_revisions"("deploymentGroupId");

-- CreateIndex
CREATE UNIQUE INDEX "applications_name_key" ON "applications"("name");

-- CreateIndex
CREATE UNIQUE INDEX "deployment_configs_name_key" ON "deployment_configs"("name");

-- CreateIndex
CREATE UNIQUE INDEX "deployment_groups_applicationId_name_key" ON "deployment_groups"("applicationId", "name");

-- CreateIndex
CREATE INDEX "revisions_applicationId_registeredAt_idx" ON "revisions"("applicationId", "registeredAt");

-- CreateIndex
CREATE UNIQUE INDEX "revisions_applicationId_sha256_key" ON "revisions"("applicationId", "sha256");

-- CreateIndex
CREATE UNIQUE INDEX "deployments_activeGroupId_key" ON "deployments"("activeGroupId");

-- CreateIndex
CREATE INDEX "deployments_deploymentGroupId_status_createdAt_idx" ON "deployments"("deploymentGroupId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "deployments_applicationId_createdAt_idx" ON "deployments"("applicationId", "createdAt");

-- CreateIndex
CREATE INDEX "deployments_status_idx" ON "deployments"("status");

-- CreateIndex
CREATE INDEX "deployments_createdAt_idx" ON "deployments"("createdAt");

-- CreateIndex
CREATE INDEX "deployment_targets_deploymentId_batch_status_idx" ON "deployment_targets"("deploymentId", "batch", "status");

-- CreateIndex
CREATE INDEX "deployment_targets_instanceId_status_idx" ON "deployment_targets"("instanceId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "deployment_targets_deploymentId_instanceId_key" ON "deployment_targets"("deploymentId", "instanceId");

-- CreateIndex
CREATE UNIQUE INDEX "lifecycle_events_commandId_key" ON "lifecycle_events"("commandId");

-- CreateIndex
CREATE INDEX "lifecycle_events_instanceId_status_readyAt_idx" ON "lifecycle_events"("instanceId", "status", "readyAt");

-- CreateIndex
CREATE INDEX "lifecycle_events_deploymentId_status_idx" ON "lifecycle_events"("deploymentId", "status");

-- CreateIndex
CREATE INDEX "lifecycle_events_status_deadlineAt_idx" ON "lifecycle_events"("status", "deadlineAt");

-- CreateIndex
CREATE UNIQUE INDEX "lifecycle_events_targetId_position_key" ON "lifecycle_events"("targetId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "log_chunks_eventId_seq_key" ON "log_chunks"("eventId", "seq");

-- CreateIndex
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");

-- CreateIndex
CREATE INDEX "audit_events_resourceType_resourceId_idx" ON "audit_events"("resourceType", "resourceId");

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "instances" ADD CONSTRAINT "instances_registrationTokenId_fkey" FOREIGN KEY ("registrationTokenId") REFERENCES "agent_registration_tokens"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "instance_tags" ADD CONSTRAINT "instance_tags_instanceId_fkey" FOREIGN KEY ("instanceId") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "installed_revisions" ADD CONSTRAINT "installed_revisions_instanceId_fkey" FOREIGN KEY ("instanceId") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "installed_revisions" ADD CONSTRAINT "installed_revisions_deploymentGroupId_fkey" FOREIGN KEY ("deploymentGroupId") REFERENCES "deployment_groups"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "installed_revisions" ADD CONSTRAINT "installed_revisions_revisionId_fkey" FOREIGN KEY ("revisionId") REFERENCES "revisions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployment_groups" ADD CONSTRAINT "deployment_groups_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployment_groups" ADD CONSTRAINT "deployment_groups_deploymentConfigId_fkey" FOREIGN KEY ("deploymentConfigId") REFERENCES "deployment_configs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "revisions" ADD CONSTRAINT "revisions_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "applications"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_deploymentGroupId_fkey" FOREIGN KEY ("deploymentGroupId") REFERENCES "deployment_groups"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_revisionId_fkey" FOREIGN KEY ("revisionId") REFERENCES "revisions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_previousRevisionId_fkey" FOREIGN KEY ("previousRevisionId") REFERENCES "revisions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployment_targets" ADD CONSTRAINT "deployment_targets_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "deployments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployment_targets" ADD CONSTRAINT "deployment_targets_instanceId_fkey" FOREIGN KEY ("instanceId") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lifecycle_events" ADD CONSTRAINT "lifecycle_events_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "deployments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lifecycle_events" ADD CONSTRAINT "lifecycle_events_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "deployment_targets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "log_chunks" ADD CONSTRAINT "log_chunks_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "lifecycle_events"("id") ON DELETE CASCADE ON UPDATE CASCADE;
