-- CreateEnum
CREATE TYPE "SourceSecretKind" AS ENUM ('GitToken', 'GitSshKey', 'S3');

-- CreateEnum
CREATE TYPE "RevisionJobStatus" AS ENUM ('Pending', 'Running', 'Succeeded', 'Failed');

-- CreateEnum
CREATE TYPE "GitHost" AS ENUM ('github', 'gitlab', 'gitea');

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "RevisionType" ADD VALUE 'Git';
ALTER TYPE "RevisionType" ADD VALUE 'S3';

-- AlterTable
ALTER TABLE "revisions" ADD COLUMN     "source" JSONB;

-- CreateTable
CREATE TABLE "source_secrets" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "SourceSecretKind" NOT NULL,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "sealed" TEXT NOT NULL,
    "allApplications" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "source_secrets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "source_secret_grants" (
    "secretId" UUID NOT NULL,
    "applicationId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "source_secret_grants_pkey" PRIMARY KEY ("secretId","applicationId")
);

-- CreateTable
CREATE TABLE "revision_jobs" (
    "id" UUID NOT NULL,
    "applicationId" UUID NOT NULL,
    "sourceType" "RevisionType" NOT NULL,
    "request" JSONB NOT NULL,
    "status" "RevisionJobStatus" NOT NULL DEFAULT 'Pending',
    "progress" TEXT,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "revisionId" UUID,
    "deployGroupName" TEXT,
    "deploymentId" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "heartbeatAt" TIMESTAMP(3),

    CONSTRAINT "revision_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "git_triggers" (
    "id" UUID NOT NULL,
    "applicationId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "provider" "GitHost" NOT NULL,
    "repositoryUrl" TEXT NOT NULL,
    "branch" TEXT NOT NULL,
    "path" TEXT,
    "credentialSecretId" UUID,
    "sealedWebhookSecret" TEXT NOT NULL,
    "deploymentGroupName" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastDeliveryAt" TIMESTAMP(3),

    CONSTRAINT "git_triggers_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "source_secrets_name_key" ON "source_secrets"("name");

-- CreateIndex
CREATE INDEX "source_secret_grants_applicationId_idx" ON "source_secret_grants"("applicationId");

-- CreateIndex
CREATE INDEX "revision_jobs_applicationId_createdAt_idx" ON "revision_jobs"("applicationId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "git_triggers_applicationId_name_key" ON "git_triggers"("applicationId", "name");

-- AddForeignKey
ALTER TABLE "source_secret_grants" ADD CONSTRAINT "source_secret_grants_secretId_fkey" FOREIGN KEY ("secretId") REFERENCES "source_secrets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "source_secret_grants" ADD CONSTRAINT "source_secret_grants_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "revision_jobs" ADD CONSTRAINT "revision_jobs_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "git_triggers" ADD CONSTRAINT "git_triggers_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "git_triggers" ADD CONSTRAINT "git_triggers_credentialSecretId_fkey" FOREIGN KEY ("credentialSecretId") REFERENCES "source_secrets"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
