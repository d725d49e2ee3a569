import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeDeployment, makeTarget } from '../../../test-support/fixtures';
import { deploymentKeys } from './keys';
import { applyStreamBatch, FLUSH_MS, useDeploymentLive, type LiveOptions, type LiveSource } from './live';
import { logText, type LogState } from './live-merge';

/** A stand-in for the browser's EventSource (an external API), driven by the test. */
class FakeEventSource implements LiveSource {
  static last: FakeEventSource | null = null;
  onopen: ((e: Event) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  closed = false;
  private listeners = new Map<string, Set<(ev: MessageEvent<string>) => void>>();
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(type: string, listener: (ev: MessageEvent<string>) => void) {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener);
    this.listeners.set(type, set);
  }
  removeEventListener(type: string, listener: (ev: MessageEvent<string>) => void) {
    this.listeners.get(type)?.delete(listener);
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.(new Event('open'));
  }
  fail() {
    this.onerror?.(new Event('error'));
  }
  emit(type: string, data: unknown) {
    const ev = new MessageEvent(type, { data: JSON.stringify(data) });
    for (const l of this.listeners.get(type) ?? []) l(ev);
  }
}

const create: LiveOptions['createEventSource'] = (url) => new FakeEventSource(url);

function Probe({ id, status }: { id: string; status: 'InProgress' | 'Succeeded' }) {
  const mode = useDeploymentLive(id, status, { createEventSource: create });
  return <span data-testid="mode">{mode}</span>;
}

const wrap = (qc: QueryClient) =>
  function Wrapper({ children }: { children: ReactNode }) {
    return <QueryClientProvider client={qc}>{children}</QueryClientProvider>;
  };

describe('applyStreamBatch', () => {
  it('folds deployments, targets and open logs into the cache in one pass', () => {
    const qc = new QueryClient();
    const id = 'd-ABCDEF123';
    qc.setQueryData(deploymentKeys.targets(id), [makeTarget('web-1', 'Pending'), makeTarget('web-2', 'Pending')]);
    const logKey = deploymentKeys.log(id, 'web-1', 'BeforeInstall');
    qc.setQueryData<LogState>(logKey, { chunks: [], nextSeq: 0, droppedChars: 0 });
    const status = applyStreamBatch(qc, id, [
      { type: 'deployment', data: makeDeployment({ status: 'InProgress' }) },
      { type: 'target', data: makeTarget('web-1', 'InProgress', { lastUpdatedAt: '2026-08-14T12:00:05.000Z' }) },
      { type: 'log', data: { targetId: 'web-1', eventName: 'BeforeInstall', seq: 0, data: 'installing\n' } },
      { type: 'log', data: { targetId: 'web-2', eventName: 'BeforeInstall', seq: 0, data: 'not open\n' } },
      { type: 'deployment', data: makeDeployment({ deploymentId: 'd-OTHER0000', status: 'Failed' }) },
    ]);
    expect(status).toBe('InProgress');
    expect(qc.getQueryData(deploymentKeys.detail(id))).toMatchObject({ status: 'InProgress' });
    const targets = qc.getQueryData<ReturnType<typeof makeTarget>[]>(deploymentKeys.targets(id));
    expect(targets?.map((t) => t.status)).toEqual(['InProgress', 'Pending']);
    expect(logText(qc.getQueryData<LogState>(logKey) ?? { chunks: [], nextSeq: 0, droppedChars: 0 })).toBe(
      'installing\n',
    );
    expect(qc.getQueryData(deploymentKeys.log(id, 'web-2', 'BeforeInstall'))).toBeUndefined();
  });
});

describe('useDeploymentLive', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeEventSource.last = null;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('goes live on open, batches messages, and closes when the deployment ends', () => {
    const qc = new QueryClient();
    const id = 'd-ABCDEF123';
    qc.setQueryData(deploymentKeys.detail(id), makeDeployment({ status: 'InProgress' }));
    render(<Probe id={id} status="InProgress" />, { wrapper: wrap(qc) });
    const es = FakeEventSource.last;
    expect(es?.url).toBe(`/v1/deployments/${id}/events`);
    expect(screen.getByTestId('mode').textContent).toBe('connecting');
    act(() => es?.open());
    expect(screen.getByTestId('mode').textContent).toBe('live');

    act(() => es?.emit('deployment', makeDeployment({ status: 'Failed' })));
    // Nothing is applied until the flush timer fires.
    expect(qc.getQueryData(deploymentKeys.detail(id))).toMatchObject({ status: 'InProgress' });
    act(() => {
      vi.advanceTimersByTime(FLUSH_MS);
    });
    expect(qc.getQueryData(deploymentKeys.detail(id))).toMatchObject({ status: 'Failed' });
    expect(es?.closed).toBe(true);
    expect(screen.getByTestId('mode').textContent).toBe('done');
  });

  it('falls back to polling while the stream is down, and recovers', () => {
    const qc = new QueryClient();
    render(<Probe id="d-ABCDEF123" status="InProgress" />, { wrapper: wrap(qc) });
    const es = FakeEventSource.last;
    act(() => es?.open());
    act(() => es?.fail());
    expect(screen.getByTestId('mode').textContent).toBe('fallback');
    act(() => es?.open());
    expect(screen.getByTestId('mode').textContent).toBe('live');
  });

  it('ignores malformed messages', () => {
    const qc = new QueryClient();
    const id = 'd-ABCDEF123';
    qc.setQueryData(deploymentKeys.detail(id), makeDeployment({ status: 'InProgress' }));
    render(<Probe id={id} status="InProgress" />, { wrapper: wrap(qc) });
    const es = FakeEventSource.last;
    act(() => {
      es?.emit('deployment', { status: 'Failed' });
      vi.advanceTimersByTime(FLUSH_MS);
    });
    expect(qc.getQueryData(deploymentKeys.detail(id))).toMatchObject({ status: 'InProgress' });
    expect(es?.closed).toBe(false);
  });

  it('does not connect for a finished deployment', () => {
    const qc = new QueryClient();
    render(<Probe id="d-ABCDEF123" status="Succeeded" />, { wrapper: wrap(qc) });
    expect(FakeEventSource.last).toBeNull();
    expect(screen.getByTestId('mode').textContent).toBe('done');
  });
});
