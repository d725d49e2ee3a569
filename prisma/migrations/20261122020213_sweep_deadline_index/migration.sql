-- The sweeper finds ready and in-flight events by their deadline alone: an index led by status let the planner
-- answer the lookups of one host (claim its next command) by reading every in-flight event of the fleet.
-- Finished events keep no deadline, and a ready event not yet taken gets one (the default ack timeout, 300 s),
-- as the engine now sets it when a batch starts.
UPDATE "lifecycle_events" SET "deadlineAt" = NULL
 WHERE "deadlineAt" IS NOT NULL AND "status" NOT IN ('Pending', 'InProgress');

UPDATE "lifecycle_events" SET "deadlineAt" = "readyAt" + interval '300 seconds'
 WHERE "status" = 'Pending' AND "readyAt" IS NOT NULL AND "deadlineAt" IS NULL;

-- DropIndex
DROP INDEX "lifecycle_events_status_deadlineAt_idx";

-- CreateIndex
CREATE INDEX "lifecycle_events_deadlineAt_idx" ON "lifecycle_events"("deadlineAt");
