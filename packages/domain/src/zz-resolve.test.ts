import { expect, it } from 'vitest';
import { TARGET_STATUSES } from '@drover/contracts';
it('resolves', () => { expect(TARGET_STATUSES.length).toBe(7); });
