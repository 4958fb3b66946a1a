// Apicurio Registry 3.x, whose Confluent-compatible API (`/apis/ccompat/v7`) is what meterline
// talks to. Its whole distribution is one archive on Maven Central, fetched by Maven and
// unpacked once into the cache.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCommand, runLogged } from './exec.js';
import { mavenRepo } from './kafka.js';
import { REGISTRY_DATABASE } from './postgres.js';
import type { StackSettings } from './paths.js';
import type { Service, ServiceContext } from './service.js';

// 3.0.x: the 3.3 line is compiled for Java 21 (class files 65) and the stack runs on Java 17.
const VERSION = '3.0.9';
const ARTIFACT = `io.apicurio:apicurio-registry-app:${VERSION}:tar.gz:all`;
const appDir = (s: StackSettings) => join(s.paths.cacheDir, 'apicurio', VERSION);

export const registryUrl = (s: StackSettings) => `http://127.0.0.1:${s.ports.schemaRegistry}/apis/ccompat/v7`;

async function fetchApp(ctx: ServiceContext): Promise<void> {
  const s = ctx.settings;
  const dir = appDir(s);
  if (existsSync(join(dir, '.complete'))) return;
  await ensureCommand('mvn', 'maven', ctx.logFile, ctx.note);
  ctx.note(`fetching Apicurio Registry ${VERSION} from Maven Central (first run only, ~160 MB)…`);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await runLogged(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(s.paths.root, 'stack', 'kafka', 'pom.xml'),
      `-Dmaven.repo.local=${mavenRepo(s)}`,
      'dependency:copy',
      `-Dartifact=${ARTIFACT}`,
      `-DoutputDirectory=${tmp}`,
    ],
    { what: 'fetching Apicurio Registry', logFile: ctx.logFile },
  );
  const archive = join(tmp, `apicurio-registry-app-${VERSION}-all.tar.gz`);
  await runLogged('tar', ['-xzf', archive, '-C', tmp], {
    what: 'unpacking Apicurio Registry',
    logFile: ctx.logFile,
  });
  rmSync(archive, { force: true }); // the Maven repository keeps its own copy
  writeFileSync(join(tmp, '.complete'), '');
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

export const schemaRegistry: Service = {
  name: 'schema-registry',
  ports: (s) => [s.ports.schemaRegistry],
  dependsOn: ['postgres'],
  readyTimeoutMs: 120_000,
  stopSignal: 'SIGTERM',
  stopGraceMs: 20_000,

  async prepare(ctx) {
    await ensureCommand('java', 'openjdk-17-jre-headless', ctx.logFile, ctx.note);
    await fetchApp(ctx);
  },

  async launch(ctx) {
    const s = ctx.settings;
    return {
      command: 'java',
      args: [
        '-Xmx384m',
        '-XX:+UseSerialGC',
        // C1 only: starts markedly faster on a busy 2-core machine; its traffic is a few lookups.
        '-XX:TieredStopAtLevel=1',
        `-Dquarkus.http.port=${s.ports.schemaRegistry}`,
        '-Dquarkus.http.host=127.0.0.1',
        // Schemas live in the stack's PostgreSQL, not in memory: records already in Kafka name
        // their schema by id, and those ids must survive a restart of the stack.
        '-Dapicurio.storage.kind=sql',
        '-Dapicurio.storage.sql.kind=postgresql',
        `-Dapicurio.datasource.url=jdbc:postgresql://127.0.0.1:${s.ports.postgres}/${REGISTRY_DATABASE}`,
        '-Dapicurio.datasource.username=postgres',
        '-Dapicurio.datasource.password=trust', // trust authentication on loopback: any value
        '-jar',
        join(appDir(s), `apicurio-registry-app-${VERSION}-runner.jar`),
      ],
      cwd: appDir(s),
    };
  },

  async probe(s) {
    const res = await fetch(`${registryUrl(s)}/subjects`, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.ok;
  },

  env: (s) => ({ SCHEMA_REGISTRY_URL: registryUrl(s) }),
};
