// drover revisions: list, get, register (a bundle hosted elsewhere) and download revisions.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BundleType, RevisionSortBy, SortOrder } from '@drover/contracts';
import { Command, Option } from 'commander';
import { CliError } from '../errors';
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
    .description('Register a bundle hosted elsewhere (agents download it and check its SHA-256)')
    .requiredOption('-a, --app <name>', 'application')
    .requiredOption('--bundle-url <url>', 'http(s) URL of the bundle (agents download it from there)')
    .requiredOption('--sha256 <hex>', "the bundle's SHA-256")
    .addOption(new Option('--bundle-type <type>', 'archive format').choices(BundleType.options).makeOptionMandatory())
    .option('--size <bytes>', "the bundle's size", nonNegativeInt)
    .option('--description <text>', 'shown with the revision')
    .action(
      action<{
        app: string;
        bundleUrl: string;
        sha256: string;
        bundleType: 'tgz';
        size?: number;
        description?: string;
      }>(io, state, async (ctx, _args, o) => {
        const { revision, created } = await (
          await ctx.client()
        ).revisions.register(o.app, {
          url: o.bundleUrl,
          sha256: o.sha256,
          bundleType: o.bundleType,
          size: o.size,
          description: o.description,
        });
        ctx.emit(revision, () => revisionLine(revision, created).replace('Uploaded', 'Registered'));
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
