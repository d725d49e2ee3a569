/** Where an appspec is wrong, precisely enough for a user to fix it without guessing. */
export interface AppSpecErrorDetails {
  file: string;
  /** 1-based line of the offending node (or of its parent when the field is missing). */
  line: number;
  /** Dotted path such as `hooks.BeforeInstall[0].timeout`; `yaml` for syntax errors. */
  field: string;
  /** What is wrong, without the location prefix. */
  detail: string;
}

export class AppSpecError extends Error {
  readonly file: string;
  readonly line: number;
  readonly field: string;
  readonly detail: string;

  constructor(details: AppSpecErrorDetails) {
    // The message is the one-line form users see in diagnostics: `appspec.yml:12 hooks.X[0].timeout: …`.
    super(`${details.file}:${details.line} ${details.field}: ${details.detail}`);
    this.name = 'AppSpecError';
    this.file = details.file;
    this.line = details.line;
    this.field = details.field;
    this.detail = details.detail;
  }

  toJSON(): AppSpecErrorDetails & { message: string } {
    return { file: this.file, line: this.line, field: this.field, detail: this.detail, message: this.message };
  }
}
