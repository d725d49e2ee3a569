// The one-line form of a warning, as `drover push` prints it: `app/appspec.yml:3 file: not an appspec key, …`.
import type { AppSpecWarning } from './types';

export function formatAppSpecWarning(file: string, warning: AppSpecWarning): string {
  return `${file}:${warning.line} ${warning.field}: ${warning.message}`;
}
