/**
 * The Kubernetes manifests: every overlay renders with `kubectl kustomize` (offline), every
 * object validates against the Kubernetes OpenAPI schema (kubernetes-models), and the rules we
 * rely on in production hold (probes, pinned images, non-root, read-only root, limits, drains),
 * plus what a current cluster needs: no snippet annotations, every public path routed, no
 * `replicas` under an HPA, image overrides that work, hashed ConfigMaps, egress rules, alert
 * rules on metrics that exist, an HTTP liveness for the worker and a backup CronJob.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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

/** Every metric name the code declares (`name: 'foliograph_…'`). */
function declaredMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
        for (const m of readFileSync(path, 'utf8').matchAll(/name: '(foliograph_\w+)'/g)) names.add(m[1]!);
    }
  };
  walk(join(PROJECT_ROOT, 'src'));
  return names;
}

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
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Job' || o.kind === 'CronJob')
    .map((o) => {
      const template = o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec.template;
      return { name: `${o.kind}/${o.metadata.name}`, object: o, template, pod: template.spec };
    });
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
      'PrometheusRule',
      'CronJob',
      'PersistentVolumeClaim',
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
          // The pod's name reaches the trace resource.
          expect(container.env.find((e: { name: string }) => e.name === 'POD_NAME')?.valueFrom?.fieldRef?.fieldPath, label).toBe(
            'metadata.name',
          );
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
    const data = (config as unknown as { data: Record<string, string> }).data;
    expect(data).toMatchObject({
      NODE_ENV: 'production',
      RUN_WORKER_IN_PROCESS: 'false',
      METRICS_PORT: '9464',
      DATABASE_POOL_SIZE: expect.stringMatching(/^\d+$/),
    });
    // Links in emails point at the public host the Ingress serves, over https.
    const host = find(objects, 'Ingress', 'foliograph').spec.rules[0].host;
    expect(data.PUBLIC_URL).toBe(`https://${host}`);
    // preStop + the app's shutdown timeout fit in the grace period.
    expect(api.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(pause + Number(data.SHUTDOWN_TIMEOUT_MS) / 1000);
  });

  it('routes every public path over TLS with one / prefix and no snippet annotation; /metrics is not on the routed port', () => {
    const ingress = find(objects, 'Ingress', 'foliograph');
    expect(ingress.spec.tls[0].secretName).toBeTruthy();
    const paths = ingress.spec.rules.flatMap((r: any) => r.http.paths); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(paths).toEqual([{ path: '/', pathType: 'Prefix', backend: { service: { name: 'foliograph-api', port: { name: 'http' } } } }]);
    // What `/` covers: every path the API serves publicly.
    const routed = (path: string) => paths.some((p: { path: string }) => path.startsWith(p.path));
    for (const path of ['/graphql', '/api/v1/portfolios', '/reports/abc', '/email/unsubscribe', '/.well-known/jwks.json', '/health']) {
      expect(routed(path), path).toBe(true);
    }
    // The Service's http port is the container's http port (4000); /metrics lives on 9464 only.
    const service = find(objects, 'Service', 'foliograph-api');
    expect(service.spec.ports.find((p: { name: string }) => p.name === 'http').targetPort).toBe('http');
    const config = objects.find((o) => o.kind === 'ConfigMap') as unknown as { data: Record<string, string> };
    expect(Number(config.data.METRICS_PORT)).toBeGreaterThan(0);
    expect(Number(ingress.metadata.annotations!['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
    for (const object of objects) {
      for (const key of Object.keys(object.metadata.annotations ?? {}))
        expect(key, `${object.kind}/${object.metadata.name}`).not.toMatch(/snippet/);
    }
  });

  it('sets no replicas on a Deployment an HPA scales', () => {
    for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
      const target = find(objects, hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
      expect(target.spec.replicas, target.metadata.name).toBeUndefined();
    }
  });

  it('names a hashed ConfigMap, so a configuration change rolls every pod that reads it', () => {
    const configMaps = objects.filter((o) => o.kind === 'ConfigMap');
    expect(configMaps).toHaveLength(1);
    const name = configMaps[0]!.metadata.name;
    expect(name).toMatch(/^foliograph-config-[a-z0-9]{10}$/);
    for (const { name: pod, pod: spec } of podSpecs(objects)) {
      const refs = spec.containers.flatMap((c: any) => (c.envFrom ?? []).map((e: any) => e.configMapRef?.name).filter(Boolean)); // eslint-disable-line @typescript-eslint/no-explicit-any
      if (!pod.startsWith('CronJob')) expect(refs, pod).toEqual([name]);
    }
  });

  it("uses the overlay's image, pinned, in every foliograph container", () => {
    const kustomization = readFileSync(join(OVERLAYS_DIR, overlay, 'kustomization.yaml'), 'utf8');
    const override = /- name: foliograph\n\s+newName: (\S+)\n\s+newTag: (\S+)/.exec(kustomization);
    expect(override, 'images: override for foliograph').not.toBeNull();
    const wanted = `${override![1]}:${override![2]}`;
    const images = podSpecs(objects)
      .filter(({ name }) => !name.startsWith('CronJob'))
      .flatMap(({ pod }) => pod.containers.map((c: { image: string }) => c.image));
    expect(new Set(images)).toEqual(new Set([wanted]));
  });

  it('gives the worker an HTTP liveness probe on its metrics port', () => {
    const worker = find(objects, 'Deployment', 'foliograph-worker').spec.template.spec.containers[0];
    expect(worker.livenessProbe.httpGet).toEqual({ path: '/health', port: 'metrics' });
    expect(worker.livenessProbe.tcpSocket).toBeUndefined();
  });

  it('limits egress to DNS, PostgreSQL, Redis, SMTP, OTLP and public HTTPS', () => {
    const egress = find(objects, 'NetworkPolicy', 'foliograph-egress');
    expect(egress.spec.policyTypes).toEqual(['Egress']);
    expect(egress.spec.podSelector.matchLabels).toEqual({ 'foliograph.dev/database-client': 'true' });
    const ports = egress.spec.egress.flatMap((rule: any) => rule.ports.map((p: any) => `${p.protocol}/${p.port}`)); // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const port of ['UDP/53', 'TCP/53', 'TCP/5432', 'TCP/6379', 'TCP/587', 'TCP/4318', 'TCP/443']) expect(ports, port).toContain(port);
    const https = egress.spec.egress.find((rule: any) => rule.ports.some((p: any) => p.port === 443)); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(https.to[0].ipBlock.except).toEqual(expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']));
    // Every pod that talks to the databases is covered by the egress policy.
    for (const { name, template } of podSpecs(objects))
      expect(template.metadata.labels['foliograph.dev/database-client'], name).toBe('true');
  });

  it('alerts on 5xx rate, p99 latency, queue backlog, Redis down and job failures, with metrics the code exports', () => {
    const rules = find(objects, 'PrometheusRule', 'foliograph').spec.groups.flatMap((g: any) => g.rules); // eslint-disable-line @typescript-eslint/no-explicit-any
    const byName = (alert: string) => rules.find((r: { alert: string }) => r.alert === alert)?.expr as string;
    expect(byName('FoliographHighErrorRate')).toMatch(/foliograph_http_requests_total\{status=~"5\.\."\}/);
    expect(byName('FoliographSlowRequests')).toMatch(/histogram_quantile\(0\.99,.*foliograph_http_request_duration_seconds_bucket/s);
    expect(byName('FoliographQueueBacklog')).toMatch(/foliograph_queue_jobs\{state="waiting"\}/);
    expect(byName('FoliographRedisDown')).toMatch(/foliograph_redis_up/);
    expect(byName('FoliographJobsFailing')).toMatch(/foliograph_jobs_total\{outcome="failed"\}/);
    const declared = declaredMetrics();
    for (const rule of rules) {
      for (const [used] of (rule.expr as string).matchAll(/foliograph_\w+/g)) {
        expect(declared, `${rule.alert}: ${used}`).toContain(used.replace(/_(bucket|count|sum)$/, ''));
      }
    }
  });

  it('backs PostgreSQL up nightly onto a volume, as a non-root, read-only pod with files 0600', () => {
    const cron = find(objects, 'CronJob', 'foliograph-backup');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    const pod = cron.spec.jobTemplate.spec.template.spec;
    const container = pod.containers[0];
    expect(container.image).toMatch(/^postgres:\d+\.\d+/);
    expect(container.command.join(' ')).toMatch(/umask 077[\s\S]*pg_dump[\s\S]*pg_restore --list/);
    const volume = pod.volumes.find((v: any) => v.persistentVolumeClaim); // eslint-disable-line @typescript-eslint/no-explicit-any
    find(objects, 'PersistentVolumeClaim', volume.persistentVolumeClaim.claimName);
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
    for (const { name, template } of podSpecs(objects)) {
      expect(template.metadata.labels['foliograph.dev/database-client'], name).toBe('true');
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

it("production runs 3 API pods (the HPA's minimum) and 2 workers", () => {
  const objects = render('production');
  expect(find(objects, 'Deployment', 'foliograph-worker').spec.replicas).toBe(2);
  expect(find(objects, 'HorizontalPodAutoscaler', 'foliograph-api').spec.minReplicas).toBe(3);
});
