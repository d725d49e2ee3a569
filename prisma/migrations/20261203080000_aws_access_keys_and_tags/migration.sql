-- CreateTable
CREATE TABLE "access_keys" (
    "id" UUID NOT NULL,
    "accessKeyId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "secretSealed" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "userId" UUID,
    "apiTokenId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "access_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "resource_tags" (
    "resourceType" TEXT NOT NULL,
    "resourceId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "resource_tags_pkey" PRIMARY KEY ("resourceType","resourceId","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "access_keys_accessKeyId_key" ON "access_keys"("accessKeyId");

-- CreateIndex
CREATE INDEX "access_keys_userId_idx" ON "access_keys"("userId");

-- CreateIndex
CREATE INDEX "access_keys_apiTokenId_idx" ON "access_keys"("apiTokenId");
