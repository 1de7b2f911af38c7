/**
 * The Grafana dashboard (ops/grafana/foliograph-dashboard.json) only charts metrics the app
 * exports, grouped only by labels those metrics have (or that Prometheus adds to every target).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/platform/paths.js';
import { processRegistry } from '../src/platform/metrics.js';
import { useTestApp } from './use-test-app.js';

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
}
const dashboard = JSON.parse(readFileSync(join(PROJECT_ROOT, 'ops', 'grafana', 'foliograph-dashboard.json'), 'utf8')) as {
  panels: Panel[];
  uid: string;
};
const TARGET_LABELS = new Set(['pod', 'instance', 'job', 'namespace', 'service', 'le']);
const PROMQL_WORDS = new Set(['sum', 'max', 'min', 'avg', 'rate', 'increase', 'histogram_quantile', 'by', 'without']);

const t = useTestApp();

function exported(name: string): { labelNames: string[] } | undefined {
  const base = name.replace(/_(bucket|count|sum)$/, '');
  const metric = t.app.services.metrics.registry.getSingleMetric(base) ?? processRegistry.getSingleMetric(base);
  return metric as unknown as { labelNames: string[] } | undefined;
}

it('has a query in every chart', () => {
  const charts = dashboard.panels.filter((p) => p.type !== 'row');
  expect(charts.length).toBeGreaterThanOrEqual(15);
  for (const panel of charts) expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
});

it('references only metrics the app exports, by labels they have', () => {
  const used = new Set<string>();
  for (const panel of dashboard.panels) {
    for (const { expr } of panel.targets ?? []) {
      const bare = expr.replace(/by \([^)]*\)/g, '').replace(/"[^"]*"/g, '""');
      const names = [...bare.matchAll(/\b([a-z_][a-z0-9_]*)\s*(?=\{|\[|\))/g)].map((m) => m[1]!).filter((n) => !PROMQL_WORDS.has(n));
      expect(names.length, `${panel.title}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) {
        const metric = exported(name);
        expect(metric, `${panel.title}: ${name} is exported`).toBeDefined();
        used.add(name.replace(/_(bucket|count|sum)$/, ''));
        const labels = [...expr.matchAll(/by \(([^)]*)\)/g), ...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) =>
          m[1]!
            .split(',')
            .map((l) => l.trim().split(/[=!~]/)[0]!.trim())
            .filter(Boolean),
        );
        for (const label of labels) {
          if (TARGET_LABELS.has(label)) continue;
          expect(metric!.labelNames, `${panel.title}: ${name} has label ${label}`).toContain(label);
        }
      }
    }
  }
  // The metrics operators were promised are all on the dashboard.
  for (const name of [
    'foliograph_http_requests_total',
    'foliograph_graphql_requests_total',
    'foliograph_auth_events_total',
    'foliograph_graphql_mutations_total',
    'foliograph_jobs_total',
    'foliograph_websockets_open',
    'foliograph_subscriptions_open',
    'foliograph_market_cache_lookups_total',
    'foliograph_market_provider_calls_total',
    'foliograph_market_provider_breaker_state',
  ]) {
    expect(used, name).toContain(name);
  }
});
