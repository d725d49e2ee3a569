// Turns a byte stream into lines without holding more than one line in memory; very long lines are cut so a
// script printing megabytes without a newline cannot grow the agent's memory.
import { StringDecoder } from 'node:string_decoder';

export const MAX_LINE_CHARS = 16 * 1024;

export class LineSplitter {
  private partial = '';
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly maxLine = MAX_LINE_CHARS) {}

  push(chunk: Buffer): string[] {
    const text = this.partial + this.decoder.write(chunk);
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    const lines = parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    while (this.partial.length >= this.maxLine) {
      lines.push(this.partial.slice(0, this.maxLine));
      this.partial = this.partial.slice(this.maxLine);
    }
    return lines.flatMap((l) => this.cut(l));
  }

  end(): string[] {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return rest === '' ? [] : this.cut(rest);
  }

  private cut(line: string): string[] {
    if (line.length <= this.maxLine) return [line];
    const out: string[] = [];
    for (let i = 0; i < line.length; i += this.maxLine) out.push(line.slice(i, i + this.maxLine));
    return out;
  }
}
