// The agent protocol: what drover-agent and the API say to each other. Both sides validate with these schemas.
// Every call but register authenticates with the instance credential (Authorization: Bearer <credential>).
import { z } from 'zod';
import {
  BundleType,
  DeploymentType,
  FileExistsBehavior,
  LifecycleErrorCode,
  LifecycleEventName,
  LifecycleEventStatus,
} from './vocabulary';
import { AgentArtefact } from './agent-downloads';
import { MAX_INT4 } from './common';

export const AGENT_API_PREFIX = '/agent/v1';
/** The longest the server holds a poll open. */
export const MAX_POLL_WAIT_SECONDS = 25;
/** Largest log chunk the server accepts, in bytes of UTF-8. */
export const MAX_LOG_CHUNK_BYTES = 64 * 1024;
/** UTF-8 length without Buffer, so the contracts also load in the browser (the console). */
const utf8 = new TextEncoder();
export const utf8ByteLength = (s: string): number => utf8.encode(s).length;

export const Tag = z.object({
  key: z.string().min(1).max(128),
  value: z.string().max(256).default(''),
});
export type Tag = z.infer<typeof Tag>;

export const InstanceName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._+=,@-]+$/, 'use letters, digits and ._+=,@- only')
  .refine((n) => n !== '.' && n !== '..', 'the names . and .. are reserved');

// POST /agent/v1/register (authenticated by the registration token in the body)
export const AgentRegisterRequest = z.object({
  registrationToken: z.string().min(1).max(200),
  name: InstanceName,
  tags: z.array(Tag).max(50).default([]),
  hostname: z.string().max(255).optional(),
  platform: z.string().max(100).optional(),
  agentVersion: z.string().max(100).optional(),
});
export type AgentRegisterRequest = z.infer<typeof AgentRegisterRequest>;
export const AgentRegisterResponse = z.object({
  instanceId: z.string(),
  instanceName: z.string(),
  /** Shown once; the agent stores it (mode 0600) and sends it on every later call. */
  credential: z.string(),
});
export type AgentRegisterResponse = z.infer<typeof AgentRegisterResponse>;

/** One lifecycle event to run on this host. A new attempt of the same event gets a new commandId. */
export const HostCommand = z.object({
  commandId: z.string().uuid(),
  deploymentId: z.string(),
  lifecycleEvent: LifecycleEventName,
  attempt: z.number().int().min(1),
  deploymentGroupId: z.string(),
  deploymentGroupName: z.string(),
  applicationName: z.string(),
});
export type HostCommand = z.infer<typeof HostCommand>;

/** An agent upgrade handed to the host's agent (the operation is in agent-upgrades.ts). */
export const AgentUpgradeOrder = z.object({
  upgradeId: z.string(),
  version: z.string(),
  /** The builds on offer; the agent takes the one of its own kind (the .mjs bundle or its platform's executable). */
  artefacts: z.array(AgentArtefact),
});
export type AgentUpgradeOrder = z.infer<typeof AgentUpgradeOrder>;
// POST /agent/v1/upgrades/:upgradeId/failure: the agent could not upgrade (no build of its kind, a bad checksum, a
// build that would not start) and says why; it keeps running its current version.
export const AgentUpgradeFailureRequest = z.object({ message: z.string().min(1).max(2000) });
export type AgentUpgradeFailureRequest = z.infer<typeof AgentUpgradeFailureRequest>;
/** recorded: false when the upgrade had already ended for this host. */
export const AgentUpgradeFailureResponse = z.object({ recorded: z.boolean() });
export type AgentUpgradeFailureResponse = z.infer<typeof AgentUpgradeFailureResponse>;

// POST /agent/v1/poll — long-poll for the next command; also the agent's heartbeat while idle.
export const AgentPollRequest = z.object({
  agentVersion: z.string().max(100).optional(),
  /** How long the server may hold the request when there is no work (capped at MAX_POLL_WAIT_SECONDS). */
  waitSeconds: z.number().int().min(0).max(MAX_POLL_WAIT_SECONDS).default(MAX_POLL_WAIT_SECONDS),
});
export type AgentPollRequest = z.infer<typeof AgentPollRequest>;
export const AgentPollResponse = z.object({
  command: HostCommand.nullable(),
  /** Set instead of a command when this host's agent is to replace itself (agent-upgrades.ts); older agents ignore it. */
  upgrade: AgentUpgradeOrder.nullable().optional(),
});
export type AgentPollResponse = z.infer<typeof AgentPollResponse>;

// POST /agent/v1/heartbeat — sent while a hook runs, so a busy agent is never mistaken for a lost one.
export const AgentHeartbeatRequest = z.object({
  commandIds: z.array(z.string().uuid()).max(100).default([]),
  rssBytes: z.number().int().nonnegative().optional(),
});
export type AgentHeartbeatRequest = z.infer<typeof AgentHeartbeatRequest>;
export const CommandStatus = z.enum(['Pending', 'InProgress', 'Succeeded', 'Failed']);
export type CommandStatus = z.infer<typeof CommandStatus>;
export const AgentHeartbeatResponse = z.object({
  /** Current server-side status of each command named; a terminal one means "stop working on it". */
  commands: z.array(z.object({ commandId: z.string(), status: CommandStatus })),
});
export type AgentHeartbeatResponse = z.infer<typeof AgentHeartbeatResponse>;

export const RevisionRef = z.object({
  revisionId: z.string(),
  bundleType: BundleType,
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
  size: z.number().int().nonnegative(),
  /** Absolute URL, or a path on the API server (download with the instance credential). */
  downloadUrl: z.string(),
  appspecFilename: z.string(),
});
export type RevisionRef = z.infer<typeof RevisionRef>;

// GET /agent/v1/deployments/:deploymentId/spec
export const DeploymentSpec = z.object({
  deploymentId: z.string(),
  applicationName: z.string(),
  deploymentGroupId: z.string(),
  deploymentGroupName: z.string(),
  deploymentCreator: z.string(),
  deploymentType: DeploymentType,
  revision: RevisionRef,
  /** The revision last installed successfully on this host for this group: where ApplicationStop and
   *  Before/AfterBlockTraffic scripts come from. Null on a host's first deployment. */
  previousRevision: RevisionRef.nullable(),
  fileExistsBehavior: FileExistsBehavior,
  ignoreApplicationStopFailures: z.boolean(),
  /** Environment for hook scripts (LIFECYCLE_EVENT is added per event by the agent). */
  environment: z.record(z.string(), z.string()),
});
export type DeploymentSpec = z.infer<typeof DeploymentSpec>;

// POST /agent/v1/commands/:commandId/ack
export const AgentAckRequest = z.object({
  /** True when the selected appspec has no scripts for this event. */
  isNoop: z.boolean().default(false),
  /** Sum of the event's script timeouts: the server fails the event if it has not completed by then (plus grace). */
  timeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(3600 * 13)
    .optional(),
});
export type AgentAckRequest = z.infer<typeof AgentAckRequest>;
export const AgentAckResponse = z.object({ status: CommandStatus });
export type AgentAckResponse = z.infer<typeof AgentAckResponse>;

// POST /agent/v1/commands/:commandId/logs — ordered chunks of hook output; a repeated seq is ignored.
export const AgentLogRequest = z.object({
  seq: z.number().int().min(0).max(MAX_INT4),
  data: z.string().refine((s) => utf8ByteLength(s) <= MAX_LOG_CHUNK_BYTES, {
    message: `at most ${MAX_LOG_CHUNK_BYTES} bytes per chunk`,
  }),
});
export type AgentLogRequest = z.infer<typeof AgentLogRequest>;
export const AgentLogResponse = z.object({ accepted: z.boolean(), status: CommandStatus });
export type AgentLogResponse = z.infer<typeof AgentLogResponse>;

export const Diagnostics = z.object({
  errorCode: LifecycleErrorCode,
  scriptName: z.string().max(1024).optional(),
  message: z.string().max(8192).optional(),
  /** The last few KB of output; the full output arrives through /logs. */
  logTail: z.string().max(8192).optional(),
});
export type Diagnostics = z.infer<typeof Diagnostics>;

// POST /agent/v1/commands/:commandId/complete
export const AgentCompleteRequest = z.object({
  status: z.enum(['Succeeded', 'Failed']),
  diagnostics: Diagnostics,
  /** The event had nothing to run on the host. Such an event may be completed without an ack. */
  isNoop: z.boolean().optional(),
});
export type AgentCompleteRequest = z.infer<typeof AgentCompleteRequest>;
export const AgentCompleteResponse = z.object({
  /** The status the server recorded (a replayed completion returns the first one's result). */
  status: CommandStatus,
  /** The host's next command when one is ready right away, saving a poll round trip. */
  next: HostCommand.nullable(),
});
export type AgentCompleteResponse = z.infer<typeof AgentCompleteResponse>;

export const lifecycleStatusToCommandStatus = (s: LifecycleEventStatus): CommandStatus =>
  s === 'Succeeded' || s === 'Skipped' ? 'Succeeded' : s === 'Failed' || s === 'Unknown' ? 'Failed' : s;
