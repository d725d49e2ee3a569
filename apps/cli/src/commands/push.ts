// drover push <dir> --app A: check the appspec locally, pack the directory, upload it with progress, print the
// revision. Also the first half of `drover deploy --dir`.
import { createReadStream } from 'node:fs';
import type { DroverClient, UploadResult } from '@drover/client';
import type { RevisionInfo } from '@drover/contracts';
import { Command, Option } from 'commander';
import { checkBundleDir } from '../bundle/appspec';
import { packDir } from '../bundle/pack';
import type { Context } from '../context';
import type { Io } from '../io';
import { bytes, shortId } from '../output/format';
import { uploadProgress } from '../output/upload-progress';
import { action, type RunState } from './shared';

export interface PushOptions {
  app: string;
  description?: string | undefined;
  bundleType: 'tgz' | 'tar';
  ignoreHiddenFiles?: boolean | undefined;
}

/** The packing options; `drover deploy --dir` adds them without --description, which it has already. */
export function pushOptions(cmd: Command, withDescription = true): Command {
  if (withDescription) cmd.option('--description <text>', 'shown with the revision (e.g. a version or commit)');
  return cmd
    .addOption(new Option('--bundle-type <type>', 'archive format').choices(['tgz', 'tar']).default('tgz'))
    .option('--ignore-hidden-files', 'leave out files and directories whose names start with "."');
}

export async function pushDirectory(
  ctx: Context,
  client: DroverClient,
  dir: string,
  opts: PushOptions,
): Promise<UploadResult> {
  const ignoreHidden = Boolean(opts.ignoreHiddenFiles);
  const checked = await checkBundleDir(dir, { ignoreHidden });
  for (const w of checked.warnings) ctx.note(`${ctx.io.err.yellow('warning:')} ${w}`);
  const bundle = await packDir(checked.dir, { bundleType: opts.bundleType, ignoreHidden });
  try {
    const progress = uploadProgress(ctx, `Uploading ${dir} (${bytes(bundle.size)})`);
    try {
      return await client.revisions.upload(opts.app, createReadStream(bundle.file), {
        bundleType: bundle.bundleType,
        description: opts.description,
        size: bundle.size,
        onProgress: progress.onProgress,
      });
    } finally {
      progress.done();
    }
  } finally {
    await bundle.cleanup();
  }
}

export const revisionLine = (r: RevisionInfo, created: boolean) =>
  `${created ? 'Uploaded' : 'Already uploaded:'} revision ${r.revisionId} to ${r.applicationName} (${r.bundleType}, ${bytes(r.size)}, sha256 ${shortId(r.sha256)}…)`;

export function pushCommand(io: Io, state: RunState): Command {
  return pushOptions(
    new Command('push')
      .description('Check, pack and upload a directory as a revision')
      .argument('<dir>', 'directory with appspec.yml at its top')
      .requiredOption('-a, --app <name>', 'application'),
  )
    .addHelpText(
      'after',
      `
The appspec is checked with the agent's own parser before anything is sent; an error names the file, line and
field. What CodeDeploy would run but silently ignore (a misspelt top-level key such as "file:", "overwrite:" in
a files entry, a hook outside "hooks:") and scripts that are missing or not executable are reported as warnings on
stderr; they do not stop the push.

Examples:
  drover push ./build --app shop --description "v1.4.2"
  REVISION=$(drover push ./build --app shop --output json | jq -r .revisionId)`,
    )
    .action(
      action<PushOptions>(io, state, async (ctx, [dir], opts) => {
        const client = await ctx.client();
        const { revision, created } = await pushDirectory(ctx, client, dir!, opts);
        ctx.emit(revision, () => [
          revisionLine(revision, created),
          ctx.io.out.dim(
            `Deploy it: drover deploy --app ${revision.applicationName} --group <group> --revision ${revision.revisionId} --wait`,
          ),
        ]);
      }),
    );
}
