/**
 * deploy/grafana-dashboard.json asks only for metrics the app exports: each series name in its
 * queries is a family (or a histogram's `_bucket`) in a scrape with every metric defined.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMetrics } from '@/tests/fixtures/metrics-text';

type Panel = { id: number; type: string; targets?: Array<{ expr: string }> };
const dashboard = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../../deploy/grafana-dashboard.json'), 'utf8')) as { panels: Panel[] };
let exported: Set<string>;

beforeAll(async () => {
  process.env.TETHER_DATA_DIR = mkdtempSync(path.join(tmpdir(), 'tether-dashboard-'));
  // The modules that define the app's metrics, as the server loads them.
  await Promise.all(
    ['@/features/runs/server/run-registry', '@/features/agents/server/agent-pool', '@/features/timeline/server/event-stream', '@/features/push/server/send', './http-requests'].map(
      (module) => import(module),
    ),
  );
  const { scrapedRegistry } = await import('./registry');
  const { families } = readMetrics(await scrapedRegistry().metrics());
  exported = new Set([...families.values()].flatMap(({ name, type }) => (type === 'HISTOGRAM' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name])));
});

describe('the Grafana dashboard', () => {
  it('queries only metrics the app exports', () => {
    const queried = dashboard.panels.flatMap((panel) => panel.targets ?? []).flatMap(({ expr }) => expr.match(/\b(tether|process|nodejs)_[a-z0-9_]+\b/g) ?? []);
    expect(queried.length).toBeGreaterThan(15);
    expect(queried.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('gives each panel its own id', () => {
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
