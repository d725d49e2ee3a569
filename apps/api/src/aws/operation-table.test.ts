// The operation table names every CodeDeploy operation once, each has a handler, and docs/aws-compatibility.md
// carries exactly the table the code renders.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPATIBILITY_DOC, tableRows } from '../scripts/write-aws-compatibility-table';
import { HANDLERS, OPERATION_SUPPORT, renderOperationTable } from './operation-table';

describe('the CodeDeploy operation table', () => {
  it('has all 47 operations, each with a handler and a support level', () => {
    expect(Object.keys(OPERATION_SUPPORT)).toHaveLength(47);
    expect(Object.keys(HANDLERS).sort()).toEqual(Object.keys(OPERATION_SUPPORT).sort());
    for (const [name, [support, note]] of Object.entries(OPERATION_SUPPORT)) {
      // What is partly or not supported says why.
      if (support !== 'supported') expect(note, name).not.toBe('');
    }
  });

  it('is the one in docs/aws-compatibility.md (pnpm exec tsx apps/api/src/scripts/write-aws-compatibility-table.ts)', () => {
    const page = readFileSync(COMPATIBILITY_DOC, 'utf8');
    const rows = tableRows(page);
    expect(rows).toEqual(tableRows(renderOperationTable()));
    expect(rows).toHaveLength(48);
    expect(rows).toContainEqual(['`CreateDeployment`', 'partly', OPERATION_SUPPORT.CreateDeployment![1]]);
  });
});
