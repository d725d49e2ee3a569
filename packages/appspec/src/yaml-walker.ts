// Small helpers to read a YAML AST while remembering where each value came from, so every refusal and every warning
// can name its line. Kept separate from the appspec rules so those read like a schema.
import { isMap, isScalar, isSeq, type LineCounter, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { AppSpecError } from './errors';
import type { AppSpecWarning } from './types';

export type YNode = Node | null | undefined;
export interface Entry {
  key: Node;
  value: YNode;
}

export class Walker {
  readonly warnings: AppSpecWarning[] = [];

  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  lineOf(node: YNode, fallbackLine = 1): number {
    const offset = node?.range?.[0];
    return offset === undefined ? fallbackLine : this.lines.linePos(offset).line;
  }

  fail(node: YNode, field: string, detail: string, fallbackLine = 1): never {
    throw new AppSpecError({ file: this.file, line: this.lineOf(node, fallbackLine), field, detail });
  }

  warn(node: YNode, field: string, message: string, fallbackLine = 1): void {
    this.warnings.push({ line: this.lineOf(node, fallbackLine), field, message });
  }

  /**
   * The entries of a mapping by key. Like CodeDeploy's agent (Ruby's YAML loader), a key written twice keeps its
   * last value; the earlier one is ignored, which hides whatever it held, so it is reported as a warning.
   */
  entries(node: YNode, field: string): Map<string, Entry> {
    if (!isMap(node)) this.fail(node, field || 'appspec', 'must be a mapping (key: value lines)');
    const out = new Map<string, Entry>();
    for (const pair of (node as YAMLMap).items as Pair<unknown, unknown>[]) {
      const key = pair.key as YNode;
      if (!isScalar(key) || key.value === null || typeof key.value === 'object') {
        this.fail(key, field, 'keys must be plain words', this.lineOf(node));
      }
      const name = this.sourceText(key);
      const childField = field ? `${field}.${name}` : name;
      const earlier = out.get(name);
      if (earlier) {
        this.warn(
          earlier.key,
          childField,
          `written twice (again on line ${this.lineOf(key)}); as in CodeDeploy, the later one wins and this one is ignored`,
        );
        out.delete(name); // re-inserted below, so iteration follows the winning key's position
      }
      out.set(name, { key: key as Node, value: pair.value as YNode });
    }
    return out;
  }

  /** A sequence's items. */
  items(node: YNode, field: string, example: string): YNode[] {
    if (isSeq(node)) return (node as YAMLSeq).items as YNode[];
    return this.fail(node, field, `must be a list (${example})`);
  }

  isNull(node: YNode): boolean {
    return node === null || node === undefined || (isScalar(node) && node.value === null);
  }

  scalar(node: YNode, field: string): string | number | boolean {
    if (!isScalar(node) || node.value === null) this.fail(node, field, 'must be a value, not a list or mapping');
    const value = (node as { value: unknown }).value;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    return this.fail(node, field, 'must be a string or number');
  }

  /** True when the scalar was written in quotes (or as a block scalar) rather than plain. */
  isQuoted(node: YNode): boolean {
    return isScalar(node) && node.type !== undefined && node.type !== 'PLAIN';
  }

  /**
   * A value as text, exactly as written: `00010358` stays "00010358" and `1.10` stays "1.10", where the YAML
   * library would read numbers. CodeDeploy's agents keep such values as written wherever a path or name is meant.
   */
  text(node: YNode, field: string): string {
    this.scalar(node, field);
    const text = this.sourceText(node);
    if (text.length === 0) this.fail(node, field, 'must not be empty');
    if (text.includes('\0')) this.fail(node, field, 'must not contain NUL characters');
    return text;
  }

  private sourceText(node: YNode): string {
    const scalar = node as { source?: unknown; value: unknown };
    return typeof scalar.source === 'string' ? scalar.source : String(scalar.value);
  }
}
