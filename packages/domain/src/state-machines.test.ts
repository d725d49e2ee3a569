import { DEPLOYMENT_STATUSES, LIFECYCLE_EVENT_STATUSES, TARGET_STATUSES, type TargetStatus } from '@drover/contracts';
import { describe, expect, it } from 'vitest';
import {
  ACTIVE_DEPLOYMENT_STATUSES,
  assertTransition,
  canTransition,
  InvalidTransitionError,
  isActiveDeploymentStatus,
  isTerminalDeploymentStatus,
  isTerminalEventStatus,
  isTerminalTargetStatus,
  overviewCounts,
  TERMINAL_DEPLOYMENT_STATUSES,
  TERMINAL_EVENT_STATUSES,
  TERMINAL_TARGET_STATUSES,
  TRANSITIONS,
  type Machine,
} from './state-machines';

// The spec, written independently of the implementation's tables: every legal edge, nothing else.
// prettier-ignore
const LEGAL: Record<Machine, string[]> = {
  deployment: [
    'Created→Queued', 'Created→InProgress', 'Created→Failed', 'Created→Stopped',
    'Queued→InProgress', 'Queued→Failed', 'Queued→Stopped',
    'InProgress→Baking', 'InProgress→Ready', 'InProgress→Succeeded', 'InProgress→Failed', 'InProgress→Stopped',
    'Baking→InProgress', 'Baking→Succeeded', 'Baking→Failed', 'Baking→Stopped',
    'Ready→InProgress', 'Ready→Succeeded', 'Ready→Failed', 'Ready→Stopped',
  ],
  target: [
    'Pending→InProgress', 'Pending→Skipped',
    'InProgress→Succeeded', 'InProgress→Failed', 'InProgress→Unknown', 'InProgress→Ready',
    'Ready→InProgress', 'Ready→Succeeded', 'Ready→Failed',
    'Unknown→Failed',
  ],
  event: [
    'Pending→InProgress', 'Pending→Skipped', 'Pending→Failed',
    'InProgress→Succeeded', 'InProgress→Failed', 'InProgress→Unknown',
    'Unknown→Failed',
  ],
};

const STATUSES: Record<Machine, readonly string[]> = {
  deployment: DEPLOYMENT_STATUSES,
  target: TARGET_STATUSES,
  event: LIFECYCLE_EVENT_STATUSES,
};

const TERMINAL: Record<Machine, string[]> = {
  deployment: ['Succeeded', 'Failed', 'Stopped'],
  target: ['Succeeded', 'Failed', 'Skipped'],
  event: ['Succeeded', 'Failed', 'Skipped'],
};

// As the contracts export them (through the domain), for the check that the tables agree.
const TERMINAL_STATUSES: Record<Machine, readonly string[]> = {
  deployment: TERMINAL_DEPLOYMENT_STATUSES,
  target: TERMINAL_TARGET_STATUSES,
  event: TERMINAL_EVENT_STATUSES,
};

const isTerminal: Record<Machine, (s: string) => boolean> = {
  deployment: (s) => isTerminalDeploymentStatus(s as (typeof DEPLOYMENT_STATUSES)[number]),
  target: (s) => isTerminalTargetStatus(s as TargetStatus),
  event: (s) => isTerminalEventStatus(s as (typeof LIFECYCLE_EVENT_STATUSES)[number]),
};

// canTransition is generic per machine; the matrix walks plain strings, so widen it once here.
const can = canTransition as (machine: Machine, from: string, to: string) => boolean;
const assertCan = assertTransition as (machine: Machine, from: string, to: string) => void;

const MACHINES: Machine[] = ['deployment', 'target', 'event'];
const matrix = MACHINES.flatMap((machine) =>
  STATUSES[machine].flatMap((from) =>
    STATUSES[machine].map((to) => [machine, from, to, LEGAL[machine].includes(`${from}→${to}`)] as const),
  ),
);

describe('transition matrix', () => {
  it('covers every (from, to) pair of every machine', () => {
    expect(matrix).toHaveLength(8 * 8 + 7 * 7 + 6 * 6);
  });

  it.each(matrix)('%s: %s → %s legal=%s', (machine, from, to, legal) => {
    expect(can(machine, from, to)).toBe(legal);
    if (legal) expect(() => assertCan(machine, from, to)).not.toThrow();
    else expect(() => assertCan(machine, from, to)).toThrow(InvalidTransitionError);
  });

  it.each(MACHINES)('%s: the table has an entry for every status and no unknown ones', (machine) => {
    expect(Object.keys(TRANSITIONS[machine]).sort()).toEqual([...STATUSES[machine]].sort());
  });

  it.each(MACHINES)('%s: no status moves to itself', (machine) => {
    for (const s of STATUSES[machine]) expect(can(machine, s, s)).toBe(false);
  });
});

describe('terminal statuses', () => {
  it.each(MACHINES)('%s: terminal exactly when nothing follows', (machine) => {
    for (const s of STATUSES[machine]) {
      expect(isTerminal[machine](s), s).toBe(TERMINAL[machine].includes(s));
      expect(STATUSES[machine].some((to) => can(machine, s, to))).toBe(!TERMINAL[machine].includes(s));
    }
  });

  it.each(MACHINES)('%s: the contracts name as terminal exactly the statuses the table lets go nowhere', (machine) => {
    const table: Readonly<Record<string, readonly string[]>> = TRANSITIONS[machine];
    const dead = STATUSES[machine].filter((s) => table[s]?.length === 0);
    expect([...TERMINAL_STATUSES[machine]].sort()).toEqual(dead.sort());
  });

  it.each(MACHINES)('%s: every status is reachable from Created/Pending and can reach a terminal status', (machine) => {
    const start = machine === 'deployment' ? 'Created' : 'Pending';
    const reach = (from: string): Set<string> => {
      const seen = new Set([from]);
      const queue = [from];
      for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
        for (const to of STATUSES[machine]) {
          if (can(machine, s, to) && !seen.has(to)) {
            seen.add(to);
            queue.push(to);
          }
        }
      }
      return seen;
    };
    expect([...reach(start)].sort()).toEqual([...STATUSES[machine]].sort());
    for (const s of STATUSES[machine])
      expect(
        [...reach(s)].some((r) => TERMINAL[machine].includes(r)),
        s,
      ).toBe(true);
  });
});

describe('InvalidTransitionError', () => {
  it('names the machine and both statuses', () => {
    let caught: unknown;
    try {
      assertTransition('target', 'InProgress', 'Skipped');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidTransitionError);
    expect(caught).toBeInstanceOf(Error);
    expect(caught).toMatchObject({
      name: 'InvalidTransitionError',
      machine: 'target',
      from: 'InProgress',
      to: 'Skipped',
      message: 'illegal target status change: InProgress → Skipped',
    });
  });
});

describe('active deployment statuses', () => {
  it('are the ones that hold the group slot', () => {
    expect(ACTIVE_DEPLOYMENT_STATUSES).toEqual(['Created', 'InProgress', 'Baking', 'Ready']);
    for (const s of DEPLOYMENT_STATUSES) {
      expect(isActiveDeploymentStatus(s)).toBe(ACTIVE_DEPLOYMENT_STATUSES.includes(s));
      if (isActiveDeploymentStatus(s)) expect(isTerminalDeploymentStatus(s)).toBe(false);
    }
    expect(isActiveDeploymentStatus('Queued')).toBe(false);
  });
});

describe('overviewCounts', () => {
  it('counts each status and puts Unknown under InProgress', () => {
    const statuses: TargetStatus[] = [
      'Pending',
      'Pending',
      'InProgress',
      'Unknown',
      'Succeeded',
      'Failed',
      'Skipped',
      'Ready',
    ];
    expect(overviewCounts(statuses.map((status) => ({ status })))).toEqual({
      Pending: 2,
      InProgress: 2,
      Succeeded: 1,
      Failed: 1,
      Skipped: 1,
      Ready: 1,
    });
  });

  it('is all zeros for no targets and always sums to the number of targets', () => {
    expect(overviewCounts([])).toEqual({ Pending: 0, InProgress: 0, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 0 });
    const all = TARGET_STATUSES.map((status) => ({ status }));
    const counts = overviewCounts(all);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(all.length);
  });
});
