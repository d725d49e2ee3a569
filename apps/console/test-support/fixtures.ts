// Contract-shaped test data. Every object is parsed by the contract schema, so fixtures cannot drift from the API.
import {
  BalancerServer,
  BlueGreenProgress,
  DeploymentGroupDetail,
  DeploymentInfo,
  InstanceDetail,
  LIFECYCLE_EVENT_NAMES,
  LoadBalancerInfoResponse,
  LoadBalancerStatus,
  PlanResponse,
  RevisionInfo,
  TargetInfo,
  type LifecycleEventInfo,
  type LifecycleEventName,
  type LifecycleEventStatus,
  type TargetStatus,
} from '@drover/contracts';

export const IN_PLACE_EVENTS: LifecycleEventName[] = [
  'ApplicationStop',
  'DownloadBundle',
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'ApplicationStart',
  'ValidateService',
];

export function makeEvent(
  name: LifecycleEventName,
  status: LifecycleEventStatus,
  over: Partial<LifecycleEventInfo> = {},
): LifecycleEventInfo {
  return {
    lifecycleEventName: name,
    status,
    startTime: status === 'Pending' || status === 'Skipped' ? null : '2026-08-14T12:00:00.000Z',
    endTime: status === 'Succeeded' || status === 'Failed' ? '2026-08-14T12:00:02.000Z' : null,
    diagnostics: null,
    attempt: status === 'Pending' ? 0 : 1,
    logBytes: 0,
    ...over,
  };
}

export function makeTarget(
  name: string,
  status: TargetStatus,
  over: Partial<TargetInfo> = {},
  events: LifecycleEventInfo[] = IN_PLACE_EVENTS.map((e) =>
    makeEvent(e, status === 'InProgress' ? 'Pending' : status === 'Unknown' || status === 'Ready' ? 'Pending' : status),
  ),
): TargetInfo {
  return TargetInfo.parse({
    targetId: name,
    instanceId: `00000000-0000-4000-8000-${String(name.length).padStart(12, '0')}`,
    label: null,
    batch: 0,
    status,
    errorCode: null,
    errorMessage: null,
    startTime: status === 'Pending' || status === 'Skipped' ? null : '2026-08-14T12:00:00.000Z',
    endTime: status === 'Succeeded' || status === 'Failed' ? '2026-08-14T12:00:14.000Z' : null,
    lastUpdatedAt: '2026-08-14T12:00:00.000Z',
    lifecycleEvents: events,
    ...over,
  });
}

export function makeDeployment(over: Partial<DeploymentInfo> = {}): DeploymentInfo {
  return DeploymentInfo.parse({
    deploymentId: 'd-ABCDEF123',
    applicationName: 'shop',
    deploymentGroupName: 'prod',
    deploymentGroupId: '11111111-1111-4111-8111-111111111111',
    revision: {
      revisionId: '22222222-2222-4222-8222-222222222222',
      sha256: 'a'.repeat(64),
      bundleType: 'tgz',
      description: null,
    },
    previousRevisionId: null,
    status: 'InProgress',
    errorInformation: null,
    creator: 'user',
    createdBy: 'admin@example.test',
    description: null,
    deploymentConfig: {
      name: 'CodeDeployDefault.OneAtATime',
      minimumHealthyHosts: { type: 'MOST_CONCURRENCY', value: 1 },
    },
    minimumHealthyHosts: 1,
    batchCount: 2,
    currentBatch: 0,
    fileExistsBehavior: 'DISALLOW',
    ignoreApplicationStopFailures: false,
    updateOutdatedInstancesOnly: false,
    autoRollbackConfiguration: null,
    rollbackInfo: { rollbackDeploymentId: null, rollbackTriggeringDeploymentId: null, rollbackMessage: null },
    deploymentOverview: { Pending: 1, InProgress: 1, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 0 },
    stopRequested: false,
    deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' },
    loadBalancers: [],
    blueGreen: null,
    alarms: null,
    createTime: '2026-08-14T11:59:00.000Z',
    startTime: '2026-08-14T12:00:00.000Z',
    completeTime: null,
    ...over,
  });
}

export const ALL_EVENTS = LIFECYCLE_EVENT_NAMES;

/** A revision of `app` whose SHA-256 repeats `shaSeed` (so its short form is easy to assert). */
export function makeRevision(revisionId: string, shaSeed: string, over: Partial<RevisionInfo> = {}): RevisionInfo {
  return RevisionInfo.parse({
    revisionId,
    applicationName: 'shop',
    revisionType: 'Upload',
    bundleType: 'tgz',
    sha256: shaSeed.repeat(64 / shaSeed.length),
    size: 2048,
    description: null,
    appspecFilename: 'appspec.yml',
    url: null,
    downloadUrl: `/v1/applications/shop/revisions/${revisionId}/bundle`,
    registerTime: '2026-08-14T11:00:00.000Z',
    firstUsedTime: null,
    lastUsedTime: null,
    ...over,
  });
}

export function makeInstance(name: string, over: Partial<InstanceDetail> = {}): InstanceDetail {
  return InstanceDetail.parse({
    instanceId: `inst-${name}`,
    instanceName: name,
    registrationStatus: 'Registered',
    online: true,
    tags: [{ key: 'env', value: 'prod' }],
    hostname: `${name}.internal`,
    platform: 'linux',
    agentVersion: '0.1.0',
    lastSeenAt: '2026-08-14T12:00:00.000Z',
    registerTime: '2026-08-01T09:00:00.000Z',
    deregisterTime: null,
    trafficAddress: null,
    installedRevisions: [],
    ...over,
  });
}

export function makeGroup(over: Partial<DeploymentGroupDetail> = {}): DeploymentGroupDetail {
  return DeploymentGroupDetail.parse({
    deploymentGroupId: '11111111-1111-4111-8111-111111111111',
    deploymentGroupName: 'prod',
    applicationName: 'shop',
    deploymentConfigName: 'CodeDeployDefault.OneAtATime',
    computePlatform: 'Server',
    tagFilters: [{ key: 'env', value: 'prod', type: 'KEY_AND_VALUE' }],
    tagSet: null,
    instanceNames: [],
    deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' },
    autoRollbackConfiguration: null,
    alarmConfiguration: null,
    triggerConfigurations: [],
    loadBalancerInfo: null,
    blueGreenDeploymentConfiguration: null,
    outdatedInstancesStrategy: 'UPDATE',
    lastSuccessfulDeployment: null,
    lastAttemptedDeployment: null,
    createTime: '2026-08-01T09:00:00.000Z',
    updateTime: '2026-08-01T09:00:00.000Z',
    instances: [],
    ...over,
  });
}

/** A valid in-place plan over web-1 and web-2, one at a time. */
export function makePlan(over: Partial<PlanResponse> = {}): PlanResponse {
  const host = (name: string) => ({ instanceName: name, online: true, currentRevisionId: null });
  return PlanResponse.parse({
    ok: true,
    deploymentConfig: {
      name: 'CodeDeployDefault.OneAtATime',
      minimumHealthyHosts: { type: 'MOST_CONCURRENCY', value: 1 },
    },
    hostCount: 2,
    minimumHealthyHosts: 1,
    batchSize: 1,
    requiredSuccesses: 2,
    batches: [[host('web-1')], [host('web-2')]],
    explanation: '2 hosts, MOST_CONCURRENCY 1 → at least 1 healthy → one at a time',
    errorCode: null,
    offlineHosts: [],
    deploymentType: 'IN_PLACE',
    blueGreen: null,
    traffic: null,
    problems: [],
    ...over,
  });
}

// ---------------------------------------------------------------- blue/green and load balancers

/** What a replacement (Green) host runs: the install, then the traffic steps that bring it into service. */
export const REPLACEMENT_EVENTS: LifecycleEventName[] = [
  ...IN_PLACE_EVENTS,
  'BeforeAllowTraffic',
  'AllowTraffic',
  'AfterAllowTraffic',
];

/** What an original (Blue) host runs: the traffic steps that take it out of service. */
export const ORIGINAL_EVENTS: LifecycleEventName[] = ['BeforeBlockTraffic', 'BlockTraffic', 'AfterBlockTraffic'];

export function makeBlueGreen(over: Partial<BlueGreenProgress> = {}): BlueGreenProgress {
  return BlueGreenProgress.parse({
    phase: 'install',
    trafficOn: 'original',
    readyWaitEndsAt: null,
    terminationAt: null,
    readyAction: 'STOP_DEPLOYMENT',
    terminateAction: 'TERMINATE',
    isRollback: false,
    traffic: null,
    ...over,
  });
}

/** A blue/green deployment driving balancer `edge`, backend `web`; `bg` sets its progress. */
export function makeBlueGreenDeployment(
  bg: Partial<BlueGreenProgress> = {},
  over: Partial<DeploymentInfo> = {},
): DeploymentInfo {
  return makeDeployment({
    deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    loadBalancers: [{ loadBalancerName: 'edge', backend: 'web' }],
    batchCount: 1,
    blueGreen: makeBlueGreen(bg),
    ...over,
  });
}

/** A host of one side: Blue (original) hosts run the block steps, Green (replacement) hosts install and allow. */
export function makeSideTarget(
  name: string,
  label: 'Blue' | 'Green',
  status: TargetStatus,
  over: Partial<TargetInfo> = {},
): TargetInfo {
  const names = label === 'Blue' ? ORIGINAL_EVENTS : REPLACEMENT_EVENTS;
  const eventStatus: LifecycleEventStatus =
    status === 'Succeeded' || status === 'Failed' || status === 'Skipped' ? status : 'Pending';
  return makeTarget(
    name,
    status,
    { label, ...over },
    names.map((e) => makeEvent(e, eventStatus)),
  );
}

export function makeLoadBalancer(name: string, over: Partial<LoadBalancerInfoResponse> = {}): LoadBalancerInfoResponse {
  return LoadBalancerInfoResponse.parse({
    loadBalancerId: `33333333-3333-4333-8333-${String(name.length).padStart(12, '0')}`,
    loadBalancerName: name,
    provider: 'haproxy',
    haproxy: { socket: 'unix:/run/haproxy/admin.sock' },
    webhook: null,
    backends: ['web'],
    serverMapping: 'instanceName',
    drainTimeoutSeconds: 30,
    healthTimeoutSeconds: 60,
    killSessionsOnDrainTimeout: false,
    usedBy: [],
    createTime: '2026-08-01T09:00:00.000Z',
    updateTime: '2026-08-01T09:00:00.000Z',
    ...over,
  });
}

/** A webhook balancer as the API shows it after creation: only the start of its secret. */
export function makeWebhookBalancer(
  name: string,
  over: Partial<LoadBalancerInfoResponse> = {},
): LoadBalancerInfoResponse {
  return makeLoadBalancer(name, {
    provider: 'webhook',
    haproxy: null,
    webhook: { url: 'https://lb-control.example.test/drover', secretPrefix: 'whsec_abc123' },
    ...over,
  });
}

/** One server as the balancer reports it; healthy and in service unless told otherwise. */
export function makeServer(server: string, over: Partial<BalancerServer> = {}): BalancerServer {
  return BalancerServer.parse({
    backend: 'web',
    server,
    status: 'UP',
    adminState: 'ready',
    health: 'up',
    checkStatus: 'L7OK',
    sessions: 0,
    queued: 0,
    weight: 100,
    address: '10.0.0.1:8080',
    instanceName: server,
    ...over,
  });
}

export function makeBalancerStatus(
  name: string,
  servers: BalancerServer[],
  over: Partial<LoadBalancerStatus> = {},
): LoadBalancerStatus {
  return LoadBalancerStatus.parse({
    loadBalancerName: name,
    reachable: true,
    error: null,
    servers,
    readAt: '2026-08-14T12:00:00.000Z',
    ...over,
  });
}
