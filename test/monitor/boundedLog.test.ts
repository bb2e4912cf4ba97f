import { describe, expect, it } from 'vitest';
import { BoundedLog } from '../../src/monitor/BoundedLog.js';

describe('BoundedLog (the monitor histories)', () => {
  it('keeps exactly the newest capacity entries in order, through many wraps', () => {
    const log = new BoundedLog<number>(5);
    expect(log.all()).toEqual([]);
    expect(log.last()).toBeUndefined();
    for (let n = 1; n <= 23; n++) {
      log.push(n);
      const want = Array.from({ length: Math.min(n, 5) }, (_, i) => n - Math.min(n, 5) + i + 1);
      expect(log.all()).toEqual(want);
      expect([...log]).toEqual(want);
      expect(log.size).toBe(want.length);
      expect(log.first()).toBe(want[0]);
      expect(log.last()).toBe(n);
      expect(log.at(want.length)).toBeUndefined();
    }
  });

  it('hands out copies: changing one does not change the log', () => {
    const log = new BoundedLog<number>(3);
    [1, 2, 3, 4].forEach((n) => log.push(n));
    const copy = log.all();
    copy.push(99);
    expect(log.all()).toEqual([2, 3, 4]);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new BoundedLog(0)).toThrow(/capacity >= 1/);
  });
});
