// Small helpers to read a YAML AST while remembering where each value came from, so every validation
// error can name its line. Kept separate from the appspec rules so those read like a schema.
import { isMap, isScalar, isSeq, type LineCounter, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { AppSpecError } from './errors';

export type YNode = Node | null | undefined;

export class Walker {
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

  /** The entries of a mapping, rejecting keys outside `allowed` so typos ("hook:") do not pass silently. */
  entries(node: YNode, field: string, allowed: readonly string[] | null): Map<string, { key: Node; value: YNode }> {
    if (!isMap(node)) this.fail(node, field, 'must be a mapping');
    const out = new Map<string, { key: Node; value: YNode }>();
    for (const pair of (node as YAMLMap).items as Pair<unknown, unknown>[]) {
      const key = pair.key as YNode;
      if (!isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number')) {
        this.fail(key, field, 'keys must be plain strings', this.lineOf(node));
      }
      const name = String((key as { value: unknown }).value);
      const childField = field ? `${field}.${name}` : name;
      if (allowed && !allowed.includes(name)) {
        this.fail(key, childField, `unknown field (allowed: ${allowed.join(', ')})`);
      }
      if (out.has(name)) this.fail(key, childField, 'duplicate key (each key may appear once)');
      out.set(name, { key: key as Node, value: pair.value as YNode });
    }
    return out;
  }

  /** A sequence's items; a single scalar is accepted as a one-item list where `lenient` says so. */
  items(node: YNode, field: string, lenient = false): YNode[] {
    if (isSeq(node)) return (node as YAMLSeq).items as YNode[];
    if (lenient && isScalar(node)) return [node];
    return this.fail(node, field, 'must be a list');
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

  /** A string; numbers are accepted and converted (`runas: 1000`, `owner: 33`). */
  string(node: YNode, field: string): string {
    const value = this.scalar(node, field);
    if (typeof value === 'boolean') this.fail(node, field, 'must be a string');
    const text = String(value);
    if (text.length === 0) this.fail(node, field, 'must not be empty');
    if (text.includes('\0')) this.fail(node, field, 'must not contain NUL characters');
    return text;
  }
}
