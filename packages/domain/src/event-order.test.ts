import {
  HOOK_EVENT_NAMES,
  LIFECYCLE_EVENT_NAMES,
  type DeploymentOption,
  type LifecycleEventName,
} from '@drover/contracts';
import { describe, expect, it } from 'vitest';
import {
  eventRunner,
  isHookEvent,
  lifecycleEventsFor,
  scriptSourceFor,
  type EventPlanInput,
  type EventRunner,
  type ScriptSource,
} from './event-order';

type Row = [LifecycleEventName, EventRunner, ScriptSource];
const expand = (rows: Row[]) => rows.map(([name, runner, scriptSource]) => ({ name, runner, scriptSource }));

const IN_PLACE_NO_LB: Row[] = [
  ['ApplicationStop', 'agent', 'lastSuccessful'],
  ['DownloadBundle', 'agent', 'none'],
  ['BeforeInstall', 'agent', 'current'],
  ['Install', 'agent', 'none'],
  ['AfterInstall', 'agent', 'current'],
  ['ApplicationStart', 'agent', 'current'],
  ['ValidateService', 'agent', 'current'],
];

const IN_PLACE_WITH_LB: Row[] = [
  ['BeforeBlockTraffic', 'agent', 'lastSuccessful'],
  ['BlockTraffic', 'server', 'none'],
  ['AfterBlockTraffic', 'agent', 'lastSuccessful'],
  ['ApplicationStop', 'agent', 'lastSuccessful'],
  ['DownloadBundle', 'agent', 'none'],
  ['BeforeInstall', 'agent', 'current'],
  ['Install', 'agent', 'none'],
  ['AfterInstall', 'agent', 'current'],
  ['ApplicationStart', 'agent', 'current'],
  ['ValidateService', 'agent', 'current'],
  ['BeforeAllowTraffic', 'agent', 'current'],
  ['AllowTraffic', 'server', 'none'],
  ['AfterAllowTraffic', 'agent', 'current'],
];

const BG_REPLACEMENT: Row[] = [
  ['ApplicationStop', 'agent', 'lastSuccessful'],
  ['DownloadBundle', 'agent', 'none'],
  ['BeforeInstall', 'agent', 'current'],
  ['Install', 'agent', 'none'],
  ['AfterInstall', 'agent', 'current'],
  ['ApplicationStart', 'agent', 'current'],
  ['ValidateService', 'agent', 'current'],
  ['BeforeAllowTraffic', 'agent', 'current'],
  ['AllowTraffic', 'server', 'none'],
  ['AfterAllowTraffic', 'agent', 'current'],
];

const BG_ORIGINAL: Row[] = [
  ['BeforeBlockTraffic', 'agent', 'lastSuccessful'],
  ['BlockTraffic', 'server', 'none'],
  ['AfterBlockTraffic', 'agent', 'lastSuccessful'],
];

// A blue/green rollback sends traffic back to the originals: allow-side hooks use the last good revision.
const BG_ROLLBACK_ORIGINAL: Row[] = [
  ['BeforeAllowTraffic', 'agent', 'lastSuccessful'],
  ['AllowTraffic', 'server', 'none'],
  ['AfterAllowTraffic', 'agent', 'lastSuccessful'],
];

// ...and takes the replacements out: block-side hooks use the most recent install, i.e. the failed revision.
const BG_ROLLBACK_REPLACEMENT: Row[] = [
  ['BeforeBlockTraffic', 'agent', 'mostRecent'],
  ['BlockTraffic', 'server', 'none'],
  ['AfterBlockTraffic', 'agent', 'mostRecent'],
];

const OPTIONS: DeploymentOption[] = ['WITH_TRAFFIC_CONTROL', 'WITHOUT_TRAFFIC_CONTROL'];

describe('lifecycleEventsFor', () => {
  // prettier-ignore
  it.each<[string, EventPlanInput, Row[]]>([
    ['in-place without traffic control', { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' }, IN_PLACE_NO_LB],
    ['in-place with traffic control', { deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL' }, IN_PLACE_WITH_LB],
    ['in-place rollback without traffic control', { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL', isRollback: true }, IN_PLACE_NO_LB],
    ['in-place rollback with traffic control', { deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL', isRollback: true }, IN_PLACE_WITH_LB],
    ['in-place ignores a label', { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL', label: 'Blue' }, IN_PLACE_NO_LB],
    ...OPTIONS.flatMap((deploymentOption): [string, EventPlanInput, Row[]][] => [
      [`blue/green replacement (${deploymentOption})`, { deploymentType: 'BLUE_GREEN', deploymentOption, label: 'Green' }, BG_REPLACEMENT],
      [`blue/green original (${deploymentOption})`, { deploymentType: 'BLUE_GREEN', deploymentOption, label: 'Blue' }, BG_ORIGINAL],
      [`blue/green rollback, original (${deploymentOption})`, { deploymentType: 'BLUE_GREEN', deploymentOption, label: 'Blue', isRollback: true }, BG_ROLLBACK_ORIGINAL],
      [`blue/green rollback, replacement (${deploymentOption})`, { deploymentType: 'BLUE_GREEN', deploymentOption, label: 'Green', isRollback: true }, BG_ROLLBACK_REPLACEMENT],
    ]),
  ])('%s', (_scenario, input, rows) => {
    expect(lifecycleEventsFor(input)).toEqual(expand(rows));
  });

  it('keeps every list in canonical order', () => {
    const rank = (name: LifecycleEventName) => LIFECYCLE_EVENT_NAMES.indexOf(name);
    for (const rows of [
      IN_PLACE_NO_LB,
      IN_PLACE_WITH_LB,
      BG_REPLACEMENT,
      BG_ORIGINAL,
      BG_ROLLBACK_ORIGINAL,
      BG_ROLLBACK_REPLACEMENT,
    ]) {
      const ranks = rows.map(([name]) => rank(name));
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    }
    expect(IN_PLACE_WITH_LB.map(([name]) => name)).toEqual(LIFECYCLE_EVENT_NAMES);
  });

  it.each([undefined, null])('refuses a blue/green target without a label (%s)', (label) => {
    expect(() =>
      lifecycleEventsFor({ deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL', label }),
    ).toThrow(/needs a label/);
  });

  it('returns a fresh array each call, so callers cannot corrupt the shared order', () => {
    const input: EventPlanInput = { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' };
    lifecycleEventsFor(input).pop();
    expect(lifecycleEventsFor(input)).toHaveLength(7);
  });
});

describe('eventRunner', () => {
  it('sends only BlockTraffic and AllowTraffic to the server', () => {
    const server = LIFECYCLE_EVENT_NAMES.filter((name) => eventRunner(name) === 'server');
    expect(server).toEqual(['BlockTraffic', 'AllowTraffic']);
  });
});

describe('scriptSourceFor', () => {
  it('gives scripts to hook events only', () => {
    for (const name of LIFECYCLE_EVENT_NAMES) {
      for (const rollback of [false, true]) {
        expect(scriptSourceFor(name, rollback) === 'none').toBe(!isHookEvent(name));
      }
    }
  });

  it('runs ApplicationStop from the last successful revision even in a blue/green rollback', () => {
    expect(scriptSourceFor('ApplicationStop', true)).toBe('lastSuccessful');
  });
});

describe('isHookEvent', () => {
  it.each(LIFECYCLE_EVENT_NAMES.map((name) => [name, (HOOK_EVENT_NAMES as readonly string[]).includes(name)] as const))(
    '%s → %s',
    (name, expected) => {
      expect(isHookEvent(name)).toBe(expected);
    },
  );

  it.each(['Start', 'End', 'TestTraffic', 'applicationstop', ''])('rejects %j', (name) => {
    expect(isHookEvent(name)).toBe(false);
  });
});
