// A YAML syntax error in plain words, at the line where the mistake is. The YAML library reports some mistakes where
// it noticed them (an unclosed `[` at the end of the file, a too-deep line at the value above it) and leaves the
// error's `linePos` empty unless asked to prettify; its `pos` (an offset) is always set, so lines come from that.
import { isCollection, isScalar, visit, type Document, type LineCounter, type YAMLError } from 'yaml';

export interface SyntaxProblem {
  line: number;
  detail: string;
}

export function describeSyntaxError(doc: Document, text: string, lines: LineCounter): SyntaxProblem {
  const errors = doc.errors;
  const first = errors[0] as YAMLError;
  const lineAt = (offset: number) => lines.linePos(Math.min(Math.max(offset, 0), text.length)).line;
  const at = lineAt(first.pos[0]);
  const message = first.message.split('\n')[0] ?? 'invalid YAML';
  const next = errors[1];

  switch (first.code) {
    case 'TAB_AS_INDENT':
      return { line: at, detail: 'a tab is used for indentation; YAML allows spaces only' };
    case 'BLOCK_AS_IMPLICIT_KEY':
      if (/sequence/i.test(message)) return { line: at, detail: misalignedListItem };
      if (next?.code === 'MULTILINE_IMPLICIT_KEY') {
        // `key: value` followed by a line indented deeper: the deeper line is the mistake.
        return {
          line: lineAt(next.pos[1]),
          detail:
            'this line is indented deeper than the line above, which already has a value; line it up with the keys ' +
            'beside it, or move it under a key that ends with ":"',
        };
      }
      return {
        line: at,
        detail:
          'a second "key: value" on the same line; put the inner key on its own, indented line, or quote the value',
      };
    case 'MULTILINE_IMPLICIT_KEY':
      return { line: lineAt(first.pos[1]), detail: 'a key must fit on one line and end with ":"' };
    case 'BAD_INDENT':
      if (/^Flow (sequence|mapping|map)/.test(message)) return unclosedFlow(doc, first, lineAt);
      if (/sequence/i.test(message)) return { line: at, detail: misalignedListItem };
      return { line: at, detail: 'this line does not line up with the entries above it (check its indentation)' };
    case 'MISSING_CHAR':
      if (/closing .?quote/i.test(message)) return unclosedQuote(doc, first, lineAt);
      if (/^Flow (sequence|map)/.test(message)) return unclosedFlow(doc, first, lineAt);
      if (/without - indicator/.test(message)) {
        return {
          line: at,
          detail: 'this line does not line up with the keys of the list item above it (check its indentation)',
        };
      }
      if (/followed by map values/.test(message)) {
        return { line: at, detail: 'this line has no ":" after its key (each line of a mapping is "key: value")' };
      }
      return { line: at, detail: message };
    case 'BAD_SCALAR_START':
      return { line: at, detail: `${message.replace(/^Plain value/, 'a value')}; put the value in quotes` };
    case 'UNEXPECTED_TOKEN':
      return { line: at, detail: 'this line does not fit the structure above it (check its indentation and its ":")' };
    case 'MULTIPLE_DOCS':
      return { line: at, detail: 'more than one YAML document ("---"); an appspec is one document' };
    default:
      return { line: at, detail: message };
  }
}

const misalignedListItem = 'this list item ("- …") does not line up with the items above it (check its indentation)';

/** An unclosed `[` or `{`: the library notices at the end of the file; the user needs the line that opened it. */
function unclosedFlow(doc: Document, err: YAMLError, lineAt: (offset: number) => number): SyntaxProblem {
  let opened: number | undefined;
  visit(doc, (_key, node) => {
    // Still open where the library gave up: a collection closed earlier (`{…}` inside the `[`) is not the one.
    if (isCollection(node) && node.flow && node.range && node.range[0] < err.pos[0] && node.range[1] >= err.pos[0]) {
      opened = Math.max(opened ?? -1, node.range[0]);
    }
  });
  const bracket = /map/i.test(err.message) ? '{' : '[';
  if (opened === undefined) return { line: lineAt(err.pos[0]), detail: `a "${bracket}" is never closed` };
  return {
    line: lineAt(opened),
    detail: `the "${bracket}" on this line is never closed (or a line after it is not indented past its key)`,
  };
}

function unclosedQuote(doc: Document, err: YAMLError, lineAt: (offset: number) => number): SyntaxProblem {
  let opened: number | undefined;
  visit(doc, (_key, node) => {
    if (isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range) {
      if (node.range[0] < err.pos[0]) opened = Math.max(opened ?? -1, node.range[0]);
    }
  });
  const quote = err.message.includes('"') ? '"' : "'";
  return {
    line: lineAt(opened ?? err.pos[0]),
    detail: `the ${quote} opened on this line is never closed`,
  };
}
