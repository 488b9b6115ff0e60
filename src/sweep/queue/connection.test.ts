import { describe, expect, it } from 'vitest';
import { parseQueueUrl } from './connection.js';

describe('parseQueueUrl', () => {
  it('reads host, port and database, with defaults 6379 and 0', () => {
    const a = parseQueueUrl('redis://10.0.0.5:6380/3');
    expect(a.ok && a.value).toEqual({ host: '10.0.0.5', port: 6380, db: 3, tls: false, display: 'redis://10.0.0.5:6380/3' });
    const b = parseQueueUrl('redis://queue.lan');
    expect(b.ok && [b.value.host, b.value.port, b.value.db]).toEqual(['queue.lan', 6379, 0]);
  });

  it('takes credentials and TLS but never shows the password', () => {
    const r = parseQueueUrl('rediss://sweeper:s%40cret@[::1]:6390/1');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([r.value.host, r.value.username, r.value.password, r.value.tls]).toEqual(['::1', 'sweeper', 's@cret', true]);
    expect(r.value.display).toBe('rediss://sweeper:***@[::1]:6390/1');
    expect(r.value.display).not.toContain('cret');
  });

  it('rejects what it cannot honour, with a queue.url diagnostic', () => {
    for (const bad of ['localhost:6379', 'http://h:1/0', 'redis://h:1/zero', 'redis://h:1/0?queue=x', 'redis:///0']) {
      const r = parseQueueUrl(bad);
      expect(r.ok ? bad : r.errors.map((e) => `${e.code} ${e.path}`)).toEqual(['queue.url --queue']);
    }
  });
});
