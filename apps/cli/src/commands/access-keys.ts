// drover access-key: access key ids and secrets for the aws CLI and AWS SDKs pointed at Drover's CodeDeploy-compatible
// endpoint (docs/aws-compatibility.md).
import { Role } from '@drover/contracts';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Io } from '../io';
import { table, time } from '../output/format';
import { action, confirm, listOptions, listPage, ok, type ListOpts, type RunState } from './shared';

const role = (text: string) => {
  const r = Role.safeParse(text);
  if (!r.success) throw new InvalidArgumentError('use viewer, deployer or admin.');
  return r.data;
};

export function accessKeysCommand(io: Io, state: RunState): Command {
  const cmd = new Command('access-key')
    .alias('access-keys')
    .description('Access keys for the aws CLI and AWS SDKs (SigV4 credentials of the CodeDeploy-compatible endpoint)');

  cmd
    .command('create')
    .description('Create an access key acting with your role (or a lower one); the secret is shown only once')
    .requiredOption('--name <name>', 'what the key is for (shown in lists and the audit log)')
    .addOption(new Option('--role <role>', 'at most your own role').argParser(role))
    .addHelpText(
      'after',
      '\nExamples:\n  drover access-key create --name ci\n  drover access-key create --name dashboards --role viewer --output json',
    )
    .action(
      action<{ name: string; role?: Role }>(io, state, async (ctx, _args, opts) => {
        const client = await ctx.client();
        const k = await client.accessKeys.create({ name: opts.name, ...(opts.role ? { role: opts.role } : {}) });
        const endpoint = `${((await ctx.settings()).url ?? '').replace(/\/$/, '')}/aws/codedeploy`;
        ctx.emit(k, () => [
          `Created access key ${k.accessKeyId} (${k.name}, role ${k.role})`,
          `AWS_ACCESS_KEY_ID=${k.accessKeyId}`,
          `AWS_SECRET_ACCESS_KEY=${k.secretAccessKey}`,
          `Use it with: aws deploy <command> --endpoint-url ${endpoint} (any --region)`,
        ]);
        ctx.note(ctx.io.err.yellow('warning: this is the only time the secret access key is shown'));
      }),
    );

  listOptions(
    cmd
      .command('list')
      .alias('ls')
      .description('List your access keys (every key for admins); never the secrets')
      .option('--include-revoked', 'include revoked keys'),
    100,
  ).action(
    action<ListOpts & { includeRevoked?: boolean }>(io, state, async (ctx, _args, opts) => {
      const client = await ctx.client();
      const page = await listPage(opts, (cursor, limit) =>
        client.accessKeys.list({ all: !!opts.includeRevoked, cursor, limit }),
      );
      ctx.emit(page, () =>
        page.items.length === 0
          ? 'No access keys. Create one with drover access-key create --name <name>'
          : table(
              ['ACCESS KEY ID', 'NAME', 'ROLE', 'OWNER', 'CREATED', 'LAST USED', 'REVOKED'],
              page.items.map((k) => [
                k.accessKeyId,
                k.name,
                k.role,
                k.owner?.email ?? '-',
                time(k.createdAt),
                k.lastUsedAt ? time(k.lastUsedAt) : '-',
                k.revokedAt ? time(k.revokedAt) : '-',
              ]),
              ctx.io.out,
            ),
      );
    }),
  );

  cmd
    .command('revoke <accessKeyId>')
    .description('Revoke an access key: requests signed with it are refused at once')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      action<{ yes?: boolean }>(io, state, async (ctx, [id], opts) => {
        const client = await ctx.client();
        await confirm(ctx, `Revoke access key ${id}?`, opts.yes);
        await client.accessKeys.revoke(id!);
        ctx.emit(ok, () => `Revoked access key ${id}`);
      }),
    );

  return cmd;
}
