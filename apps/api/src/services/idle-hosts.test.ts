import { describe, expect, it } from 'vitest';
import { createIdleHosts } from './idle-hosts';

function setup(maxIdleMs = 60_000) {
  let t = 1_000;
  const idle = createIdleHosts({ maxIdleMs, now: () => t });
  idle.setListening(true);
  return { idle, advance: (ms: number) => (t += ms) };
}

describe('idle hosts', () => {
  it('needs a claim for a host it has never looked at', () => {
    const { idle } = setup();
    expect(idle.needsClaim('a')).toBe(true);
  });

  it('needs no claim for a host whose claim found nothing, until maxIdleMs has passed', () => {
    const { idle, advance } = setup(60_000);
    const claim = idle.beginClaim('a');
    expect(claim.wokenMeanwhile()).toBe(false);
    expect(idle.needsClaim('a')).toBe(false);
    advance(59_999);
    expect(idle.needsClaim('a')).toBe(false);
    advance(1);
    expect(idle.needsClaim('a')).toBe(true);
    expect(idle.size).toBe(0);
  });

  it('needs a claim again once a wake names the host, and only that host', () => {
    const { idle } = setup();
    idle.beginClaim('a');
    idle.beginClaim('b');
    idle.woken('a');
    expect(idle.needsClaim('a')).toBe(true);
    expect(idle.needsClaim('b')).toBe(false);
  });

  it('forgets a host whose claim found a command', () => {
    const { idle } = setup();
    idle.beginClaim('a').foundCommand();
    expect(idle.needsClaim('a')).toBe(true);
  });

  it('says a claim was overtaken by a wake that came while it ran', () => {
    const { idle } = setup();
    const claim = idle.beginClaim('a');
    idle.woken('a');
    expect(claim.wokenMeanwhile()).toBe(true);
    expect(idle.needsClaim('a')).toBe(true);
  });

  it('tells an older claim apart from a newer one of the same host', () => {
    const { idle } = setup();
    const first = idle.beginClaim('a');
    idle.woken('a');
    const second = idle.beginClaim('a');
    expect(first.wokenMeanwhile()).toBe(true);
    expect(second.wokenMeanwhile()).toBe(false);
  });

  it('remembers nothing while wakes are not being heard, and forgets everything when they stop', () => {
    const { idle } = setup();
    idle.beginClaim('a');
    idle.setListening(false);
    expect(idle.size).toBe(0);
    expect(idle.needsClaim('a')).toBe(true);
    const claim = idle.beginClaim('b');
    expect(claim.wokenMeanwhile()).toBe(false);
    expect(idle.needsClaim('b')).toBe(true);
    idle.setListening(true);
    expect(idle.needsClaim('b')).toBe(true);
  });

  it('has a claim that straddles the subscription coming back look again', () => {
    const { idle } = setup();
    idle.setListening(false);
    const claim = idle.beginClaim('a');
    idle.setListening(true);
    expect(claim.wokenMeanwhile()).toBe(true);
  });

  it('sweeps out hosts that went away', () => {
    const { idle, advance } = setup(1_000);
    idle.beginClaim('a');
    advance(500);
    idle.beginClaim('b');
    advance(500);
    idle.sweep();
    expect(idle.size).toBe(1);
    expect(idle.needsClaim('b')).toBe(false);
  });
});
