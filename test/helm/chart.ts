// Shared by the chart tests: helm (built once into the meterline cache by stack/helm.ts), and
// `helm template` output parsed into plain objects. Not a test file itself.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { ensureHelm } from '../../stack/helm.js';

const run = promisify(execFile);

export const CHART = fileURLToPath(new URL('../../helm/meterline', import.meta.url));
export const ALL_FEATURES = fileURLToPath(new URL('../../helm/meterline/ci/all-features-values.yaml', import.meta.url));
export const RELEASE = 'ml';
export const ROLES = ['ingest', 'aggregate', 'sink', 'rate', 'api'] as const;
export const CONSUMER_ROLES = ['aggregate', 'sink', 'rate'] as const;
export const HTTP_ROLES = ['ingest', 'api'] as const;

/** A rendered Kubernetes object, loosely typed: the tests read fields by path. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  [key: string]: unknown;
}

let helmPromise: Promise<string> | undefined;
/** The helm binary; the first call of the process may build it (minutes, with progress on stderr). */
export const helm = (): Promise<string> => (helmPromise ??= ensureHelm());

export interface HelmArgs {
  values?: string[];
  /** `--set-json` pairs: path → JSON value, so types are exact (a string stays a string). */
  setJson?: Record<string, unknown>;
}

function flags(a: HelmArgs): string[] {
  const out: string[] = [];
  for (const f of a.values ?? []) out.push('-f', f);
  for (const [k, v] of Object.entries(a.setJson ?? {})) out.push('--set-json', `${k}=${JSON.stringify(v)}`);
  return out;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm and returns its exit code and output (a failing helm is a result, not a throw). */
export async function helmRun(args: string[]): Promise<HelmResult> {
  const bin = await helm();
  try {
    const { stdout, stderr } = await run(bin, args, { maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export const lint = (a: HelmArgs = {}): Promise<HelmResult> => helmRun(['lint', '--strict', CHART, ...flags(a)]);

export const templateRaw = (a: HelmArgs = {}): Promise<HelmResult> =>
  helmRun(['template', RELEASE, CHART, '--namespace', 'billing', ...flags(a)]);

/** `helm template` parsed into objects; throws with helm's message if rendering fails. */
export async function render(a: HelmArgs = {}): Promise<K8sObject[]> {
  const r = await templateRaw(a);
  if (r.code !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(r.stdout)) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
    const v = doc.toJS() as K8sObject | null;
    if (v !== null) objects.push(v);
  }
  return objects;
}

export const ofKind = (objs: K8sObject[], kind: string): K8sObject[] => objs.filter((o) => o.kind === kind);
export const component = (o: K8sObject): string | undefined => o.metadata.labels?.['app.kubernetes.io/component'];

/** Loose record access for nested manifest fields. */
export type Json = Record<string, unknown>;
export const get = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Json)[k] : undefined), o);

export interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Json;
  volumeMounts?: { name: string; mountPath: string }[];
}

/** Pod template of a Deployment or Job. */
export const podSpec = (o: K8sObject): Json => get(o, 'spec.template.spec') as Json;
export const containers = (o: K8sObject): Container[] => (podSpec(o).containers as Container[] | undefined) ?? [];
export const podLabels = (o: K8sObject): Record<string, string> =>
  (get(o, 'spec.template.metadata.labels') as Record<string, string> | undefined) ?? {};

/** True when every pair of `selector` is among `labels` (how Kubernetes matches matchLabels). */
export const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

export const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name);
