// drover revisions: list, get, register (from a Git commit, an S3 object, or a bundle hosted elsewhere), follow a
// registration job, and download revisions.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BundleType, RevisionSortBy, SortOrder, type RevisionInfo } from '@drover/contracts';
import { Command, Option } from 'commander';
import { CliError, UsageError } from '../errors';
import { bytes, fields, table, time } from '../output/format';
import type { Io } from '../io';
import { revisionLine } from './push';
import { action, listOptions, listPage, nonNegativeInt, type ListOpts, type RunState } from './shared';

export function revisionsCommand(io: Io, state: RunState): Command {
  const cmd = new Command('revisions')
    .alias('revision')
    .description("An application's revisions (bundles with an appspec)");

  listOptions(
    cmd
      .command('list')
      .alias('ls')
      .description("List an application's revisions, newest first")
      .requiredOption('-a, --app <name>', 'application')
      .addOption(new Option('--sort-by <field>', 'order').choices(RevisionSortBy.options))
      .addOption(new Option('--sort-order <order>', 'direction').choices(SortOrder.options)),
    50,
  ).action(
    action<ListOpts & { app: string; sortBy?: 'registerTime'; sortOrder?: 'descending' }>(
      io,
      state,
      async (ctx, _args, opts) => {
        const client = await ctx.client();
        const page = await listPage(opts, (cursor, limit) =>
          client.revisions.list(opts.app, { cursor, limit, sortBy: opts.sortBy, sortOrder: opts.sortOrder }),
        );
        ctx.emit(page, () =>
          page.items.length === 0
            ? `No revisions in ${opts.app}. Upload one: drover push <dir> --app ${opts.app}`
            : table(
                ['ID', 'TYPE', 'SIZE', 'REGISTERED', 'LAST USED', 'DESCRIPTION'],
                page.items.map((r) => [
                  r.revisionId,
                  `${r.revisionType}/${r.bundleType}`,
                  bytes(r.size),
                  time(r.registerTime),
                  time(r.lastUsedTime),
                  r.description ?? '',
                ]),
                ctx.io.out,
              ),
        );
      },
    ),
  );

  cmd
    .command('get <revision-id>')
    .description('Show a revision')
    .requiredOption('-a, --app <name>', 'application')
    .action(
      action<{ app: string }>(io, state, async (ctx, [id], opts) => {
        const r = await (await ctx.client()).revisions.get(opts.app, id!);
        ctx.emit(r, () =>
          fields(
            [
              ['Id', r.revisionId],
              ['Application', r.applicationName],
              ['Type', `${r.revisionType} (${r.bundleType})`],
              ['Size', bytes(r.size)],
              ['SHA-256', r.sha256],
              ['Appspec', r.appspecFilename],
              ['Description', r.description],
              ['Source', sourceText(r)],
              ['Download', r.downloadUrl],
              ['Registered', time(r.registerTime)],
              ['First used', time(r.firstUsedTime)],
              ['Last used', time(r.lastUsedTime)],
            ],
            ctx.io.out,
          ),
        );
      }),
    );

  cmd
    .command('register')
    .description(
      'Register a revision: built by the server from a Git commit (--git), fetched from an S3-compatible bucket ' +
        '(--s3), or a bundle hosted elsewhere (--bundle-url)',
    )
    .requiredOption('-a, --app <name>', 'application')
    .option('--git <url>', 'Git repository URL (https:// or ssh://, git@host:owner/repo.git)')
    .option('--commit <sha|branch|tag>', 'with --git: a full commit SHA, or a branch or tag resolved to its SHA now')
    .option('--path <dir>', 'with --git: the repository subdirectory to deploy (its appspec.yml at its root)')
    .option('--s3 <bucket/key>', 'S3 object: bucket and key, e.g. releases/web/1.4.2.tgz')
    .option('--version-id <id>', 'with --s3: the object version')
    .option('--etag <etag>', 'with --s3: the ETag the object must still have (a changed object is refused)')
    .option('--secret <name>', 'source secret to fetch with (granted to the application)')
    .option('--no-wait', 'with --git or --s3: print the registration job and return at once')
    .option('--bundle-url <url>', 'http(s) URL of the bundle (agents download it from there)')
    .option('--sha256 <hex>', "with --bundle-url: the bundle's SHA-256")
    .addOption(new Option('--bundle-type <type>', 'archive format').choices(BundleType.options))
    .option('--size <bytes>', "with --bundle-url: the bundle's size", nonNegativeInt)
    .option('--description <text>', 'shown with the revision')
    .action(
      action<{
        app: string;
        git?: string;
        commit?: string;
        path?: string;
        s3?: string;
        versionId?: string;
        etag?: string;
        secret?: string;
        wait: boolean;
        bundleUrl?: string;
        sha256?: string;
        bundleType?: 'tgz';
        size?: number;
        description?: string;
      }>(io, state, async (ctx, _args, o) => {
        const sources = [o.git, o.s3, o.bundleUrl].filter((v) => v !== undefined);
        if (sources.length !== 1) {
          throw new UsageError('give one of --git, --s3 and --bundle-url', 'see drover revisions register --help');
        }
        const client = await ctx.client();
        if (o.git !== undefined || o.s3 !== undefined) {
          let job;
          if (o.git !== undefined) {
            if (!o.commit) throw new UsageError('--git needs --commit <sha|branch|tag>');
            const isSha = /^[0-9a-f]{40}$/.test(o.commit);
            job = await client.revisionSources.registerGit(o.app, {
              repositoryUrl: o.git,
              ...(isSha ? { commit: o.commit } : { ref: o.commit }),
              path: o.path,
              secretName: o.secret,
              description: o.description,
            });
          } else {
            const slash = o.s3!.indexOf('/');
            if (slash <= 0 || slash === o.s3!.length - 1) {
              throw new UsageError('--s3 takes bucket/key', 'e.g. --s3 releases/web/1.4.2.tgz');
            }
            job = await client.revisionSources.registerS3(o.app, {
              bucket: o.s3!.slice(0, slash),
              key: o.s3!.slice(slash + 1),
              versionId: o.versionId,
              eTag: o.etag,
              bundleType: o.bundleType,
              secretName: o.secret,
              description: o.description,
            });
          }
          if (!o.wait) {
            ctx.emit(job, () => `Registration ${job.jobId} started: drover revisions job ${job.jobId} --app ${o.app}`);
            return;
          }
          const done = await client.revisionSources.waitForJob(o.app, job.jobId, {
            onProgress: (line) => ctx.note(ctx.io.err.dim(line)),
          });
          if (done.status === 'Failed') {
            throw new CliError(`registration failed: ${done.error?.message ?? 'unknown error'} (${done.error?.code})`);
          }
          const revision = await client.revisions.get(o.app, done.revisionId!);
          ctx.emit(revision, () => [
            revisionLine(revision, true).replace('Uploaded', 'Registered'),
            sourceLine(revision),
          ]);
          return;
        }
        if (!o.sha256 || !o.bundleType) throw new UsageError('--bundle-url needs --sha256 and --bundle-type');
        const { revision, created } = await client.revisions.register(o.app, {
          url: o.bundleUrl!,
          sha256: o.sha256,
          bundleType: o.bundleType,
          size: o.size,
          description: o.description,
        });
        ctx.emit(revision, () => revisionLine(revision, created).replace('Uploaded', 'Registered'));
      }),
    );

  cmd
    .command('job <job-id>')
    .description('Show a Git or S3 registration: status, progress, error, revision')
    .requiredOption('-a, --app <name>', 'application')
    .action(
      action<{ app: string }>(io, state, async (ctx, [id], opts) => {
        const j = await (await ctx.client()).revisionSources.getJob(opts.app, id!);
        ctx.emit(j, () =>
          fields(
            [
              ['Job', j.jobId],
              ['Source', `${j.sourceType} ${JSON.stringify(j.request)}`],
              ['Status', j.status],
              ['Progress', j.progress],
              ['Error', j.error ? `${j.error.code}: ${j.error.message}` : null],
              ['Revision', j.revisionId],
              ['Deployment', j.deploymentId],
              ['Started', time(j.startTime)],
              ['Ended', time(j.endTime)],
            ],
            ctx.io.out,
          ),
        );
      }),
    );

  cmd
    .command('download <revision-id>')
    .description("Download a revision's bundle")
    .requiredOption('-a, --app <name>', 'application')
    .option('--file <path>', 'where to write it (default: <revision-id>.<bundle type>)')
    .action(
      action<{ app: string; file?: string }>(io, state, async (ctx, [id], opts) => {
        const client = await ctx.client();
        const r = await client.revisions.get(opts.app, id!);
        const dl = await client.revisions.download(opts.app, id!);
        if (!dl.body || dl.status !== 200) {
          throw new CliError(`this revision is hosted at ${dl.location ?? r.url ?? 'another URL'}`, {
            hint: 'download it from there',
          });
        }
        const file = opts.file ?? `${r.revisionId}.${r.bundleType}`;
        await pipeline(
          Readable.fromWeb(dl.body as import('node:stream/web').ReadableStream<Uint8Array>),
          createWriteStream(file),
        );
        ctx.emit({ file, sha256: dl.sha256, size: r.size }, () => `Wrote ${file} (${bytes(r.size)})`);
      }),
    );

  return cmd;
}

/** Where a revision came from, in one line: the commit (and its link) or the bucket/key/version. */
export function sourceText(r: RevisionInfo): string | null {
  const s = r.source;
  if (!s) return r.revisionType === 'Url' ? r.url : null;
  if (s.type === 'Git') {
    const at = `${s.repositoryUrl}${s.path ? ` (${s.path})` : ''} @ ${s.commit}${s.ref ? ` (${s.ref})` : ''}`;
    return s.commitUrl ? `${at} ${s.commitUrl}` : at;
  }
  return `s3://${s.bucket}/${s.key}${s.versionId ? ` version ${s.versionId}` : ''} ETag ${s.eTag}${s.endpoint ? ` at ${s.endpoint}` : ''}`;
}

const sourceLine = (r: RevisionInfo) => `  from ${sourceText(r) ?? 'an upload'}`;
