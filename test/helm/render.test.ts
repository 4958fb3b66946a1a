// What a reviewer checks in the rendered chart, asserted on `helm template` output for the
// default values and for every optional feature on (helm/meterline/ci/all-features-values.yaml).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALL_FEATURES,
  CONSUMER_ROLES,
  HTTP_ROLES,
  ROLES,
  component,
  containers,
  get,
  ofKind,
  podLabels,
  podSpec,
  render,
  selects,
  type Container,
  type K8sObject,
} from './chart.js';

const variants: Record<string, K8sObject[]> = {};
before(async () => {
  variants.defaults = await render();
  variants['all features'] = await render({ values: [ALL_FEATURES] });
});

const workloads = (objs: K8sObject[]) => [...ofKind(objs, 'Deployment'), ...ofKind(objs, 'Job')];
const matchLabels = (o: K8sObject): Record<string, string> =>
  (get(o, 'spec.selector.matchLabels') as Record<string, string> | undefined) ?? {};

for (const name of ['defaults', 'all features']) {
  describe(`rendered with ${name}`, () => {
    const objs = () => variants[name] ?? assert.fail('not rendered');

    test('one Deployment per role, running `meterline <role>` as the container argument', () => {
      const deps = ofKind(objs(), 'Deployment');
      assert.deepEqual(deps.map(component).sort(), [...ROLES].sort());
      for (const d of deps) {
        const [c] = containers(d);
        assert.equal(containers(d).length, 1, d.metadata.name);
        assert.equal(c?.args?.[0], component(d), `${d.metadata.name} runs its own role`);
        assert.equal(d.metadata.name, `ml-meterline-${component(d)}`);
      }
    });

    test('every Deployment container has liveness and readiness probes on /healthz and /readyz', () => {
      for (const d of ofKind(objs(), 'Deployment')) {
        for (const c of containers(d)) {
          const where = `${d.metadata.name}/${c.name}`;
          assert.equal(c.livenessProbe?.httpGet?.path, '/healthz', where);
          assert.equal(c.readinessProbe?.httpGet?.path, '/readyz', where);
          // The probes hit the port the container declares (named or numbered).
          for (const port of [c.livenessProbe?.httpGet?.port, c.readinessProbe?.httpGet?.port]) {
            assert.ok(c.ports?.some((p) => p.name === port || p.containerPort === port), `${where}: probe port ${String(port)} declared`);
          }
          assert.equal(envValue(c, 'PORT'), String(c.ports?.find((p) => p.name === 'http')?.containerPort), `${where}: PORT = http port`);
        }
      }
    });

    test('every container (roles and migration Job) has resources and a non-root, read-only security context', () => {
      const all = workloads(objs());
      assert.ok(all.length >= 5);
      for (const w of all) {
        const pod = podSpec(w);
        for (const c of containers(w)) {
          const where = `${w.kind}/${w.metadata.name}/${c.name}`;
          assert.ok(c.resources?.requests?.cpu, `${where}: cpu request`);
          assert.ok(c.resources?.requests?.memory, `${where}: memory request`);
          assert.ok(c.resources?.limits?.memory, `${where}: memory limit`);
          const runAsNonRoot = get(c, 'securityContext.runAsNonRoot') ?? get(pod, 'securityContext.runAsNonRoot');
          assert.equal(runAsNonRoot, true, `${where}: runAsNonRoot`);
          assert.equal(get(c, 'securityContext.readOnlyRootFilesystem'), true, `${where}: readOnlyRootFilesystem`);
          assert.equal(get(c, 'securityContext.allowPrivilegeEscalation'), false, `${where}: allowPrivilegeEscalation`);
          const uid = (get(c, 'securityContext.runAsUser') ?? get(pod, 'securityContext.runAsUser')) as number;
          assert.ok(uid > 0, `${where}: numeric non-zero uid`);
          // A read-only root needs a writable /tmp.
          assert.ok(c.volumeMounts?.some((m) => m.mountPath === '/tmp'), `${where}: /tmp mounted`);
        }
      }
    });

    test("every Deployment's selector matches its own pod labels and no other Deployment's", () => {
      const deps = ofKind(objs(), 'Deployment');
      for (const d of deps) {
        assert.ok(selects(matchLabels(d), podLabels(d)), `${d.metadata.name}: selector ⊆ pod labels`);
        const others = deps.filter((o) => o !== d && selects(matchLabels(d), podLabels(o)));
        assert.deepEqual(others.map((o) => o.metadata.name), [], `${d.metadata.name}: selector overlaps`);
      }
    });

    test("each Service selects exactly one Deployment's pods, on a port the pods declare", () => {
      const deps = ofKind(objs(), 'Deployment');
      const services = ofKind(objs(), 'Service');
      for (const role of HTTP_ROLES) assert.ok(services.some((s) => component(s) === role), `Service for ${role}`);
      for (const s of services) {
        const selector = get(s, 'spec.selector') as Record<string, string>;
        const hits = deps.filter((d) => selects(selector, podLabels(d)));
        assert.equal(hits.length, 1, `${s.metadata.name} selects ${hits.length} Deployments`);
        const ports = get(s, 'spec.ports') as { targetPort: string }[];
        const c = containers(hits[0]!)[0]!;
        for (const p of ports) assert.ok(c.ports?.some((cp) => cp.name === p.targetPort), `${s.metadata.name} → ${p.targetPort}`);
      }
    });

    test('PDBs, HPAs and ScaledObjects each point at one existing Deployment', () => {
      const deps = ofKind(objs(), 'Deployment');
      const names = new Set(deps.map((d) => d.metadata.name));
      for (const p of ofKind(objs(), 'PodDisruptionBudget')) {
        const hits = deps.filter((d) => selects(get(p, 'spec.selector.matchLabels') as Record<string, string>, podLabels(d)));
        assert.equal(hits.length, 1, p.metadata.name);
      }
      for (const o of [...ofKind(objs(), 'HorizontalPodAutoscaler'), ...ofKind(objs(), 'ScaledObject')]) {
        assert.ok(names.has(get(o, 'spec.scaleTargetRef.name') as string), `${o.kind} ${o.metadata.name}`);
      }
    });

    test('every object carries the standard app.kubernetes.io labels', () => {
      for (const o of objs()) {
        const l = o.metadata.labels ?? {};
        for (const k of ['name', 'instance', 'version', 'managed-by', 'part-of']) {
          assert.ok(l[`app.kubernetes.io/${k}`], `${o.kind}/${o.metadata.name}: app.kubernetes.io/${k}`);
        }
        assert.equal(l['app.kubernetes.io/instance'], 'ml');
        assert.equal(l['app.kubernetes.io/managed-by'], 'Helm');
      }
    });

    test('the catalogue ConfigMap holds the file METERLINE_CATALOG names, mounted in every role', () => {
      const [cm] = ofKind(objs(), 'ConfigMap');
      assert.ok(cm?.data?.['catalog.yaml']?.includes('currency:'), 'catalogue content');
      for (const d of ofKind(objs(), 'Deployment')) {
        const c = containers(d)[0]!;
        const mount = c.volumeMounts?.find((m) => m.name === 'catalog');
        assert.equal(envValue(c, 'METERLINE_CATALOG'), `${mount?.mountPath}/catalog.yaml`, d.metadata.name);
        const vol = (podSpec(d).volumes as { name: string; configMap?: { name: string } }[]).find((v) => v.name === 'catalog');
        assert.equal(vol?.configMap?.name, cm?.metadata.name);
      }
    });

    test('the migration Job is a pre-install/pre-upgrade hook running `meterline migrate`', () => {
      const [job] = ofKind(objs(), 'Job');
      assert.ok(job);
      assert.equal(job.metadata.annotations?.['helm.sh/hook'], 'pre-install,pre-upgrade');
      assert.deepEqual(containers(job)[0]?.args, ['migrate']);
      assert.equal(get(job, 'spec.template.spec.restartPolicy'), 'Never');
    });
  });
}

describe('autoscaling switches', () => {
  test('KEDA on: a ScaledObject per consumer role on its input topic, no HPA for them, HPA kept for ingest/api', () => {
    const objs = variants['all features'] ?? assert.fail();
    const scaled = ofKind(objs, 'ScaledObject');
    assert.deepEqual(scaled.map(component).sort(), [...CONSUMER_ROLES].sort());
    const hpaRoles = ofKind(objs, 'HorizontalPodAutoscaler').map(component).sort();
    // all-features asks for an HPA on aggregate too; KEDA must win.
    assert.deepEqual(hpaRoles, ['api', 'ingest']);
    // The lag trigger watches the topic each role consumes, with the release's topic prefix.
    const topicOf = (role: string) =>
      get((get(scaled.find((s) => component(s) === role), 'spec.triggers') as Json[])[0], 'metadata.topic');
    assert.equal(topicOf('aggregate'), 'prod.metrics.raw');
    assert.equal(topicOf('sink'), 'prod.usage.rollups');
    assert.equal(topicOf('rate'), 'prod.usage.rollups');
    for (const s of scaled) {
      const trig = (get(s, 'spec.triggers') as Json[])[0];
      assert.equal(get(trig, 'type'), 'kafka');
      // The roles' group ids carry the topic prefix too (prod. in all-features).
      assert.equal(get(trig, 'metadata.consumerGroup'), `prod.meterline-${component(s)}`);
      assert.equal(get(trig, 'authenticationRef.name'), 'ml-meterline-kafka');
    }
    // Whatever KEDA or an HPA scales has no fixed replica count to fight it.
    for (const d of ofKind(objs, 'Deployment')) assert.equal(get(d, 'spec.replicas'), undefined, d.metadata.name);
  });

  test('KEDA off: no ScaledObject, and autoscaling.enabled gives consumer roles a CPU HPA', async () => {
    const objs = await render({ setJson: { 'roles.sink.autoscaling.enabled': true } });
    assert.equal(ofKind(objs, 'ScaledObject').length, 0);
    assert.equal(ofKind(objs, 'TriggerAuthentication').length, 0);
    assert.deepEqual(ofKind(objs, 'HorizontalPodAutoscaler').map(component), ['sink']);
    const deps = ofKind(objs, 'Deployment');
    assert.equal(get(deps.find((d) => component(d) === 'sink'), 'spec.replicas'), undefined);
    assert.equal(get(deps.find((d) => component(d) === 'rate'), 'spec.replicas'), 2);
  });

  test('defaults: fixed replicas, no HPA, no KEDA, no ServiceMonitor', () => {
    const objs = variants.defaults ?? assert.fail();
    for (const kind of ['HorizontalPodAutoscaler', 'ScaledObject', 'ServiceMonitor']) assert.equal(ofKind(objs, kind).length, 0, kind);
    for (const d of ofKind(objs, 'Deployment')) assert.equal(get(d, 'spec.replicas'), 2);
  });
});

describe('role switches and monitoring', () => {
  test('a disabled role renders no Deployment, Service, PDB, ScaledObject or ServiceMonitor', async () => {
    const objs = await render({ values: [ALL_FEATURES], setJson: { 'roles.rate.enabled': false, 'roles.api.enabled': false } });
    const left = objs.filter((o) => ['rate', 'api'].includes(component(o) ?? ''));
    assert.deepEqual(left.map((o) => `${o.kind}/${o.metadata.name}`), []);
    assert.deepEqual(ofKind(objs, 'Deployment').map(component).sort(), ['aggregate', 'ingest', 'sink']);
  });

  test('ServiceMonitor on: one per role, each matching exactly one Service that exposes the metrics port', () => {
    const objs = variants['all features'] ?? assert.fail();
    const monitors = ofKind(objs, 'ServiceMonitor');
    assert.deepEqual(monitors.map(component).sort(), [...ROLES].sort());
    const services = ofKind(objs, 'Service');
    for (const m of monitors) {
      const sel = get(m, 'spec.selector.matchLabels') as Record<string, string>;
      const hits = services.filter((s) => selects(sel, s.metadata.labels ?? {}));
      assert.equal(hits.length, 1, m.metadata.name);
      const port = get((get(m, 'spec.endpoints') as Json[])[0], 'port');
      assert.ok((get(hits[0], 'spec.ports') as { name: string }[]).some((p) => p.name === port));
      assert.equal(m.metadata.labels?.release, 'prometheus');
    }
  });
});

type Json = Record<string, unknown>;
function envValue(c: Container, name: string): string | undefined {
  return c.env?.find((e) => e.name === name)?.value;
}
