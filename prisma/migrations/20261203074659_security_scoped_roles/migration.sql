-- Security hardening (#18): registration-token bounds, token lineage, the expiring first-start password, and roles
-- scoped to applications (role_grants).

-- AlterTable
ALTER TABLE "agent_registration_tokens" ADD COLUMN     "allowExtraTags" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "namePattern" TEXT;

-- AlterTable
ALTER TABLE "api_tokens" ADD COLUMN     "parentTokenId" UUID,
ADD COLUMN     "scopedOnly" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "passwordExpiresAt" TIMESTAMP(3),
ADD COLUMN     "scopedOnly" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "role_grants" (
    "id" UUID NOT NULL,
    "userId" UUID,
    "apiTokenId" UUID,
    "applicationId" UUID NOT NULL,
    "deploymentGroupName" TEXT,
    "role" "Role" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "role_grants_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "role_grants_userId_idx" ON "role_grants"("userId");

-- CreateIndex
CREATE INDEX "role_grants_apiTokenId_idx" ON "role_grants"("apiTokenId");

-- CreateIndex
CREATE INDEX "role_grants_applicationId_idx" ON "role_grants"("applicationId");

-- CreateIndex
CREATE INDEX "api_tokens_parentTokenId_idx" ON "api_tokens"("parentTokenId");

-- AddForeignKey
ALTER TABLE "role_grants" ADD CONSTRAINT "role_grants_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "role_grants" ADD CONSTRAINT "role_grants_apiTokenId_fkey" FOREIGN KEY ("apiTokenId") REFERENCES "api_tokens"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "role_grants" ADD CONSTRAINT "role_grants_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;
