-- What Prisma does not model, applied by Drover's migration runner right after migration.sql, in the same
-- transaction (packages/db/src/migrate.ts): a partial index and the functions and triggers that write the
-- notification outbox.

-- Undelivered rows, for the worker's outbox sweep.
CREATE INDEX "notification_deliveries_due_idx" ON "notification_deliveries"("nextAttemptAt") WHERE "status" = 'pending';

-- ---------------------------------------------------------------------------------------------------------------
-- The outbox is written by the database itself, in the transaction that changes a deployment's or a host's status:
-- whichever code path makes the change (the worker's advance, a stop, the agent protocol's batched completion
-- statement, the sweeper, a traffic step), the event is recorded with it or not at all. Rows are written only for
-- event types some trigger configuration of the deployment's group selects, so groups without triggers pay one
-- lookup per status change. Deliveries point at notification targets by id or name (triggerTargetArn).

CREATE FUNCTION drover_iso(ts timestamp) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT to_char(ts, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

-- The deployment part of every payload, as it is at the moment of the change.
CREATE FUNCTION drover_notification_deployment(dep_id text) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'deploymentId', d.id,
    'applicationName', a.name,
    'deploymentGroupName', g.name,
    'revisionId', d."revisionId",
    'revisionDescription', r.description,
    'status', d.status,
    'deploymentType', d."deploymentType",
    'creator', d.creator,
    'createdBy', d."createdBy",
    'description', d.description,
    'createTime', drover_iso(d."createdAt"),
    'startTime', drover_iso(d."startedAt"),
    'completeTime', drover_iso(d."completedAt"),
    'errorInformation', CASE WHEN d."errorCode" IS NULL THEN NULL
                             ELSE jsonb_build_object('code', d."errorCode", 'message', d."errorMessage") END,
    'rollbackInfo', CASE WHEN d."rollbackDeploymentId" IS NULL AND d."rollbackTriggeringDeploymentId" IS NULL THEN NULL
                         ELSE jsonb_build_object('rollbackDeploymentId', d."rollbackDeploymentId",
                                                 'rollbackTriggeringDeploymentId', d."rollbackTriggeringDeploymentId",
                                                 'rollbackMessage', d."rollbackMessage") END,
    'deploymentOverview', (
      SELECT jsonb_build_object(
        'Pending', count(*) FILTER (WHERE t.status = 'Pending'),
        'InProgress', count(*) FILTER (WHERE t.status IN ('InProgress', 'Unknown')),
        'Succeeded', count(*) FILTER (WHERE t.status = 'Succeeded'),
        'Failed', count(*) FILTER (WHERE t.status = 'Failed'),
        'Skipped', count(*) FILTER (WHERE t.status = 'Skipped'),
        'Ready', count(*) FILTER (WHERE t.status = 'Ready'))
        FROM deployment_targets t WHERE t."deploymentId" = d.id))
  FROM deployments d
  JOIN applications a ON a.id = d."applicationId"
  JOIN deployment_groups g ON g.id = d."deploymentGroupId"
  JOIN revisions r ON r.id = d."revisionId"
  WHERE d.id = dep_id
$$;

CREATE FUNCTION drover_notify_deployment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  kinds text[] := '{}';
  triggers jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status = 'Failed' THEN kinds := kinds || 'DeploymentFailure'::text; END IF;
  ELSE
    IF NEW.status IS DISTINCT FROM OLD.status THEN
      kinds := kinds || (CASE
        WHEN NEW.status = 'InProgress' AND OLD.status IN ('Created', 'Queued') THEN 'DeploymentStart'
        WHEN NEW.status = 'Succeeded' THEN 'DeploymentSuccess'
        WHEN NEW.status = 'Failed' THEN 'DeploymentFailure'
        WHEN NEW.status = 'Stopped' THEN 'DeploymentStop'
        WHEN NEW.status = 'Ready' THEN 'DeploymentReady' END)::text;
    END IF;
    IF NEW."rollbackDeploymentId" IS NOT NULL AND OLD."rollbackDeploymentId" IS NULL THEN
      kinds := kinds || 'DeploymentRollback'::text;
    END IF;
  END IF;
  kinds := array_remove(kinds, NULL);
  IF cardinality(kinds) = 0 THEN RETURN NULL; END IF;
  SELECT g."triggerConfigurations" INTO triggers FROM deployment_groups g WHERE g.id = NEW."deploymentGroupId";
  IF triggers IS NULL OR jsonb_array_length(triggers) = 0 THEN RETURN NULL; END IF;
  WITH wanted AS (
    SELECT k.kind, k.n FROM unnest(kinds) WITH ORDINALITY AS k(kind, n)
     WHERE triggers @> jsonb_build_array(jsonb_build_object('triggerEvents', jsonb_build_array(k.kind)))),
  ev AS (
    INSERT INTO notification_events (id, type, "deploymentId", payload)
    SELECT gen_random_uuid(), w.kind, NEW.id, jsonb_build_object('deployment', drover_notification_deployment(NEW.id))
      FROM wanted w ORDER BY w.n
    RETURNING id, type, seq)
  INSERT INTO notification_deliveries (id, "eventId", "targetId", "triggerName", "deploymentId", seq)
  SELECT DISTINCT ON (ev.id, t.id) gen_random_uuid(), ev.id, t.id, tc->>'triggerName', NEW.id, ev.seq
    FROM ev
    CROSS JOIN jsonb_array_elements(triggers) tc
    JOIN notification_targets t ON t.name = tc->>'triggerTargetArn' OR t.id::text = tc->>'triggerTargetArn'
   WHERE tc->'triggerEvents' ? ev.type
   ORDER BY ev.id, t.id;
  RETURN NULL;
END $$;

CREATE TRIGGER drover_notify_deployment_insert AFTER INSERT ON deployments
  FOR EACH ROW WHEN (NEW.status = 'Failed') EXECUTE FUNCTION drover_notify_deployment();
CREATE TRIGGER drover_notify_deployment_update AFTER UPDATE ON deployments
  FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status
                     OR (NEW."rollbackDeploymentId" IS NOT NULL AND OLD."rollbackDeploymentId" IS NULL))
  EXECUTE FUNCTION drover_notify_deployment();

-- Host status changes, set-based: the agent protocol's completion statement finishes many hosts in one statement,
-- and this adds no round trip to it, and no row for groups whose triggers select no instance event.
CREATE FUNCTION drover_notify_targets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH changed AS (
    SELECT n.id, n."deploymentId", n."instanceId", n."instanceName", n.status, n.batch, n.label, n."errorCode",
           n."errorMessage",
           CASE WHEN n.status = 'InProgress' AND o.status = 'Pending' THEN 'InstanceStart'
                WHEN n.status = 'Succeeded' THEN 'InstanceSuccess'
                WHEN n.status = 'Failed' THEN 'InstanceFailure'
                WHEN n.status = 'Ready' THEN 'InstanceReady' END AS kind
      FROM new_targets n JOIN old_targets o ON o.id = n.id
     WHERE n.status IS DISTINCT FROM o.status),
  wanted AS MATERIALIZED (
    SELECT c.*, g."triggerConfigurations" AS triggers, a.name AS "applicationName", g.name AS "groupName",
           d."revisionId", d.status AS "deploymentStatus"
      FROM changed c
      JOIN deployments d ON d.id = c."deploymentId"
      JOIN deployment_groups g ON g.id = d."deploymentGroupId"
      JOIN applications a ON a.id = d."applicationId"
     WHERE c.kind IS NOT NULL
       AND g."triggerConfigurations" @> jsonb_build_array(jsonb_build_object('triggerEvents', jsonb_build_array(c.kind)))),
  ev AS (
    INSERT INTO notification_events (id, type, "deploymentId", "deploymentTargetId", batch, payload)
    SELECT gen_random_uuid(), w.kind, w."deploymentId", w.id, w.batch, jsonb_build_object(
             'deployment', jsonb_build_object('deploymentId', w."deploymentId", 'applicationName', w."applicationName",
                                              'deploymentGroupName', w."groupName", 'revisionId', w."revisionId",
                                              'status', w."deploymentStatus"),
             'instance', jsonb_build_object(
               'instanceId', w."instanceId", 'instanceName', w."instanceName", 'status', w.status,
               'batch', w.batch, 'label', w.label,
               'errorInformation', CASE WHEN w."errorCode" IS NULL THEN NULL
                                        ELSE jsonb_build_object('code', w."errorCode", 'message', w."errorMessage") END,
               'lifecycleEvents', CASE WHEN w.kind = 'InstanceStart' THEN NULL ELSE (
                 SELECT jsonb_agg(jsonb_build_object('lifecycleEvent', e.name, 'status', e.status,
                                                     'startTime', drover_iso(e."startedAt"),
                                                     'endTime', drover_iso(e."endedAt")) ORDER BY e.position)
                   FROM lifecycle_events e WHERE e."targetId" = w.id) END))
      FROM wanted w ORDER BY w.batch, w."instanceName"
    RETURNING id, type, seq, "deploymentTargetId")
  INSERT INTO notification_deliveries (id, "eventId", "targetId", "triggerName", "deploymentId", seq)
  SELECT DISTINCT ON (ev.id, t.id) gen_random_uuid(), ev.id, t.id, tc->>'triggerName', w."deploymentId", ev.seq
    FROM ev
    JOIN wanted w ON w.id = ev."deploymentTargetId"
    CROSS JOIN jsonb_array_elements(w.triggers) tc
    JOIN notification_targets t ON t.name = tc->>'triggerTargetArn' OR t.id::text = tc->>'triggerTargetArn'
   WHERE tc->'triggerEvents' ? ev.type
   ORDER BY ev.id, t.id;
  RETURN NULL;
END $$;

CREATE TRIGGER drover_notify_targets AFTER UPDATE ON deployment_targets
  REFERENCING OLD TABLE AS old_targets NEW TABLE AS new_targets
  FOR EACH STATEMENT EXECUTE FUNCTION drover_notify_targets();
