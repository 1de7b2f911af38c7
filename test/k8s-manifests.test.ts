/**
 * The Kubernetes manifests: every overlay renders with `kubectl kustomize` (offline), every
 * object validates against the Kubernetes OpenAPI schema (kubernetes-models), and the rules we
 * rely on in production hold (probes, pinned images, non-root, read-only root, limits, drains).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import * as core from 'kubernetes-models/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as batch from 'kubernetes-models/batch/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as policy from 'kubernetes-models/policy/v1';
import * as monitoring from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { PROJECT_ROOT } from '../src/platform/paths.js';

type Model = new (data: Record<string, unknown>) => { validate(): void };
const MODELS: Record<string, Record<string, unknown>> = {
  v1: core,
  'apps/v1': apps,
  'batch/v1': batch,
  'networking.k8s.io/v1': networking,
  'autoscaling/v2': autoscaling,
  'policy/v1': policy,
  'monitoring.coreos.com/v1': monitoring,
};

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const OVERLAYS_DIR = join(PROJECT_ROOT, 'k8s', 'overlays');
const overlays = readdirSync(OVERLAYS_DIR);

function render(overlay: string): K8sObject[] {
  const text = execFileSync('kubectl', ['kustomize', join(OVERLAYS_DIR, overlay)], { encoding: 'utf8' });
  return parseAllDocuments(text)
    .map((d) => d.toJSON() as K8sObject)
    .filter(Boolean);
}

function podSpecs(objects: K8sObject[]) {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
    .map((o) => ({ name: `${o.kind}/${o.metadata.name}`, object: o, pod: o.spec.template.spec }));
}

const find = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} missing`);
  return found;
};

it('has a development and a production overlay', () => {
  expect(overlays.sort()).toEqual(['development', 'production']);
});

describe.each(overlays)('overlay %s', (overlay) => {
  const objects = render(overlay);

  it('renders every kind the deployment needs', () => {
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of [
      'Deployment',
      'Job',
      'Service',
      'Ingress',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'ConfigMap',
      'NetworkPolicy',
      'ServiceMonitor',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
    expect(objects.every((o) => o.metadata.namespace)).toBe(true);
  });

  it('validates every object against the Kubernetes OpenAPI schema', () => {
    for (const object of objects) {
      const model = MODELS[object.apiVersion]?.[object.kind] as Model | undefined;
      expect(model, `${object.apiVersion} ${object.kind} has a schema`).toBeDefined();
      expect(
        () => new model!(object as unknown as Record<string, unknown>).validate(),
        `${object.kind}/${object.metadata.name}`,
      ).not.toThrow();
    }
  });

  it('the schema validation catches a broken object (the check can fail)', () => {
    const api = structuredClone(find(objects, 'Deployment', 'foliograph-api'));
    api.spec.replicas = 'three';
    expect(() => new apps.Deployment(api as never).validate()).toThrow();
  });

  it('runs every container non-root, read-only, with pinned images, limits and probes', () => {
    for (const { name, pod } of podSpecs(objects)) {
      expect(pod.securityContext?.runAsNonRoot, name).toBe(true);
      expect(pod.automountServiceAccountToken, name).toBe(false);
      for (const container of pod.containers) {
        const label = `${name}:${container.name}`;
        expect(container.image, label).toMatch(/:[\w.-]+$/);
        expect(container.image, label).not.toMatch(/:latest$/);
        expect(container.securityContext?.readOnlyRootFilesystem, label).toBe(true);
        expect(container.securityContext?.allowPrivilegeEscalation, label).toBe(false);
        expect(container.resources?.requests?.cpu && container.resources?.requests?.memory, label).toBeTruthy();
        expect(container.resources?.limits?.cpu && container.resources?.limits?.memory, label).toBeTruthy();
        // Secrets are referenced by name only; no value sits in the manifests.
        for (const env of container.env ?? []) expect(env.name, label).not.toMatch(/KEY|SECRET|PASSWORD|TOKEN|DSN|_URL$/);
        expect(container.envFrom.map((e: any) => e.secretRef?.name).filter(Boolean), label).toEqual(['foliograph-secrets']); // eslint-disable-line @typescript-eslint/no-explicit-any
        if (name.startsWith('Deployment')) {
          expect(container.readinessProbe, label).toBeDefined();
          expect(container.livenessProbe, label).toBeDefined();
        }
      }
    }
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  });

  it('rolls the API out without losing capacity and drains before SIGTERM', () => {
    const api = find(objects, 'Deployment', 'foliograph-api');
    expect(api.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    const container = api.spec.template.spec.containers[0];
    expect(container.readinessProbe.httpGet.path).toBe('/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/health');
    const pause = Number(container.lifecycle.preStop.exec.command.at(-1));
    expect(pause).toBeGreaterThan(0);
    expect(api.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(pause + 10);
    expect(container.env.find((e: { name: string }) => e.name === 'MARKET_FEED_INTERVAL_MS').value).toBe('0');
    const config = find(objects, 'ConfigMap', objects.find((o) => o.kind === 'ConfigMap')!.metadata.name);
    expect((config as unknown as { data: Record<string, string> }).data).toMatchObject({
      NODE_ENV: 'production',
      RUN_WORKER_IN_PROCESS: 'false',
      METRICS_PORT: '9464',
    });
  });

  it('routes /graphql (HTTP and WebSocket) over TLS with long proxy timeouts, not /metrics', () => {
    const ingress = find(objects, 'Ingress', 'foliograph');
    expect(ingress.spec.tls[0].secretName).toBeTruthy();
    const paths = ingress.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.path)); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(paths).toContain('/graphql');
    expect(paths).not.toContain('/metrics');
    expect(paths).not.toContain('/');
    expect(Number(ingress.metadata.annotations!['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
    expect(ingress.metadata.annotations!['nginx.ingress.kubernetes.io/configuration-snippet']).toMatch(/Upgrade \$http_upgrade/);
  });

  it('lets only foliograph pods reach PostgreSQL and Redis', () => {
    for (const [name, port] of [
      ['postgresql-clients', 5432],
      ['redis-clients', 6379],
    ] as const) {
      const policy = find(objects, 'NetworkPolicy', name);
      expect(policy.spec.policyTypes).toEqual(['Ingress']);
      expect(policy.spec.ingress).toEqual([
        { from: [{ podSelector: { matchLabels: { 'foliograph.dev/database-client': 'true' } } }], ports: [{ protocol: 'TCP', port }] },
      ]);
    }
    for (const { name, pod, object } of podSpecs(objects)) {
      expect(object.spec.template.metadata.labels['foliograph.dev/database-client'], name).toBe('true');
      expect(pod).toBeDefined();
    }
  });

  it('scales on CPU, keeps a disruption budget, and is scraped on the metrics port', () => {
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'foliograph-api');
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
    expect(find(objects, 'PodDisruptionBudget', 'foliograph-api').spec.minAvailable).toBeDefined();
    const monitor = find(objects, 'ServiceMonitor', 'foliograph');
    expect(monitor.spec.endpoints[0].port).toBe('metrics');
  });
});

it('production runs 3 API pods and 2 workers', () => {
  const objects = render('production');
  expect(find(objects, 'Deployment', 'foliograph-api').spec.replicas).toBe(3);
  expect(find(objects, 'Deployment', 'foliograph-worker').spec.replicas).toBe(2);
  expect(find(objects, 'HorizontalPodAutoscaler', 'foliograph-api').spec.minReplicas).toBe(3);
});
