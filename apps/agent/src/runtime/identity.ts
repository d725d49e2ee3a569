// Registration and credential trouble. A 401 is not fixed by hammering the API: the agent says clearly what
// happened, then waits long, watching credential.json so an operator's re-registration takes effect at once.
import { hostname, platform, release } from 'node:os';
import type { ApiError } from '../api/api-error';
import { sleep } from '../api/backoff';
import type { ApiClient } from '../api/client';
import type { CredentialStore } from '../api/credential-store';
import { StoppedError, withRetry } from '../api/retry';
import type { AgentConfig } from '../config';
import type { Logger } from '../logs/logger';
import { AGENT_VERSION } from '../version';

const FILE_CHECK_MS = 2000;

export class Identity {
  constructor(
    private readonly config: AgentConfig,
    private readonly credentials: CredentialStore,
    private readonly api: ApiClient,
    private readonly logger: Logger,
    private readonly stop: AbortSignal,
  ) {}

  /** Returns once there is a credential: from credential.json, or by registering with the token. */
  async ensure(): Promise<void> {
    for (;;) {
      if (this.stop.aborted) throw new StoppedError('agent stopping');
      const existing = await this.credentials.load().catch((err: Error) => {
        this.logger.error(`${err.message}; fix or delete it`);
        return null;
      });
      if (existing) {
        if (existing.serverUrl !== this.config.serverUrl) {
          this.logger.warn(
            `credential.json was issued by ${existing.serverUrl}, not ${this.config.serverUrl}; using it anyway`,
          );
        }
        this.logger.info(`instance ${existing.instanceName} (${existing.instanceId}) using ${this.credentials.path}`);
        return;
      }
      const token = this.config.registrationToken;
      if (!token) {
        this.logger.error(
          `not registered: ${this.credentials.path} does not exist and no registration token is configured (DROVER_REGISTRATION_TOKEN)`,
        );
        await this.waitForCredentialFile();
        continue;
      }
      try {
        await this.register(token);
        return;
      } catch (err) {
        if (err instanceof StoppedError) throw err;
        this.logger.error(
          `registration failed: ${(err as Error).message}; trying again in ${this.config.unauthorizedBackoffMs / 1000}s`,
        );
        await this.waitForCredentialFile();
      }
    }
  }

  /** The onUnauthorized handler for every authenticated call. */
  async unauthorized(err: ApiError): Promise<void> {
    this.logger.error(
      `${err.message} — the API rejected this instance's credential (revoked, instance deregistered, or issued by another server). ` +
        `To register again: stop the agent, delete ${this.credentials.path}, set a new DROVER_REGISTRATION_TOKEN and start it. ` +
        `Retrying in ${Math.round(this.config.unauthorizedBackoffMs / 1000)}s.`,
    );
    await this.waitForCredentialFile();
    await this.ensure();
  }

  private async register(token: string): Promise<void> {
    const response = await withRetry(
      'register',
      () =>
        this.api.register(
          {
            registrationToken: token,
            name: this.config.instanceName,
            tags: this.config.tags,
            hostname: hostname().slice(0, 255),
            platform: `${platform()} ${release()}`.slice(0, 100),
            agentVersion: AGENT_VERSION,
          },
          this.stop,
        ),
      {
        policy: { baseMs: this.config.backoffBaseMs, capMs: this.config.backoffCapMs },
        logger: this.logger,
        signal: this.stop,
        onUnauthorized: async (e) => {
          throw e; // a rejected registration token: the caller waits long before trying again
        },
      },
    );
    await this.credentials.save({
      instanceId: response.instanceId,
      instanceName: response.instanceName,
      credential: response.credential,
      serverUrl: this.config.serverUrl,
      registeredAt: new Date().toISOString(),
    });
    this.logger.info(
      `registered as ${response.instanceName} (${response.instanceId}); credential saved to ${this.credentials.path}`,
    );
  }

  /** Waits up to the long backoff, returning early when credential.json appears, changes or disappears. */
  private async waitForCredentialFile(): Promise<void> {
    const deadline = Date.now() + this.config.unauthorizedBackoffMs;
    while (Date.now() < deadline && !this.stop.aborted) {
      await sleep(Math.min(FILE_CHECK_MS, deadline - Date.now()), this.stop);
      if (await this.credentials.changedOnDisk()) return;
    }
    if (this.stop.aborted) throw new StoppedError('agent stopping');
  }
}
