// Upload progress on stderr: a bar redrawn in place on a terminal; a line at every quarter otherwise (CI logs).
import type { ProgressCallback } from '@drover/client';
import type { Context } from '../context';
import { line } from '../io';
import { bytes } from './format';

export function uploadProgress(ctx: Context, label: string): { onProgress: ProgressCallback; done(): void } {
  const err = ctx.io.stderr;
  const c = ctx.io.err;
  let last = 0;
  let quarter = -1;
  let drawn = false;
  return {
    onProgress(sent, total) {
      const pct = total ? Math.min(100, Math.floor((sent / total) * 100)) : undefined;
      if (err.isTTY) {
        const now = Date.now();
        if (now - last < 100 && sent !== total) return;
        last = now;
        const width = 24;
        const filled = pct === undefined ? 0 : Math.round((pct / 100) * width);
        const barText = c.green('█'.repeat(filled)) + c.dim('░'.repeat(width - filled));
        err.write(`\r\x1b[2K${label} ${barText} ${pct ?? '?'}% ${bytes(sent)}${total ? ` / ${bytes(total)}` : ''}`);
        drawn = true;
        return;
      }
      const q = pct === undefined ? 0 : Math.floor(pct / 25);
      if (q > quarter) {
        quarter = q;
        line(err, `${label} ${pct ?? 0}% (${bytes(sent)}${total ? ` of ${bytes(total)}` : ''})`);
      }
    },
    done() {
      if (drawn) err.write('\r\x1b[2K');
    },
  };
}
