// Apache Kafka 4.x, one combined broker+controller node in KRaft mode, run from the jars Maven
// fetches for stack/kafka/pom.xml (no tarball). Jars are cached per pom content.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCommand, runLogged } from './exec.js';
import { ensureDirs } from './process.js';
import { tcpAnswers } from './net.js';
import type { StackSettings } from './paths.js';
import type { Service, ServiceContext } from './service.js';

const pomFile = (s: StackSettings) => join(s.paths.root, 'stack', 'kafka', 'pom.xml');
const dataDir = (s: StackSettings) => join(s.paths.data, 'kafka');
const logDirs = (s: StackSettings) => join(dataDir(s), 'logs');
const propertiesFile = (s: StackSettings) => join(dataDir(s), 'server.properties');

/** Cached jar folder, keyed by the pom's content so a version bump fetches afresh. */
function libsDir(s: StackSettings): string {
  const hash = createHash('sha256')
    .update(readFileSync(pomFile(s)))
    .digest('hex')
    .slice(0, 12);
  return join(s.paths.cacheDir, 'kafka', hash);
}

/** Maven's local repository lives in our cache too, so a fresh clone needs no network. */
export const mavenRepo = (s: StackSettings) => join(s.paths.cacheDir, 'm2');

function serverProperties(s: StackSettings): string {
  const { kafka, kafkaController } = s.ports;
  const props: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${kafkaController}`,
    listeners: `PLAINTEXT://127.0.0.1:${kafka},CONTROLLER://127.0.0.1:${kafkaController}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${kafka}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': logDirs(s),
    // One node: every internal topic must accept a single replica (defaults are 3/2).
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    // Few internal partitions: they are created on first use and each costs start-up time.
    'offsets.topic.num.partitions': 4,
    'transaction.state.log.num.partitions': 4,
    // Tests join groups constantly; the 3 s default delay would slow each first join.
    'group.initial.rebalance.delay.ms': 0,
    'num.partitions': 1,
    'auto.create.topics.enable': 'true',
    'num.network.threads': 2,
    'num.io.threads': 4,
  };
  return `# Written by meterline stack up; edits are overwritten.\n${Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

function java(s: StackSettings, mainClass: string, args: string[], heap: string): string[] {
  return [
    `-Xmx${heap}`,
    `-Xms${heap}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(s.paths.root, 'stack', 'kafka', 'log4j2.properties')}`,
    '-cp',
    `${join(libsDir(s), '*')}`,
    mainClass,
    ...args,
  ];
}

async function fetchJars(ctx: ServiceContext): Promise<void> {
  const s = ctx.settings;
  const dir = libsDir(s);
  if (existsSync(join(dir, '.complete'))) return;
  await ensureCommand('mvn', 'maven', ctx.logFile, ctx.note);
  ctx.note('fetching Kafka jars from Maven Central (first run only)…');
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await runLogged(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      pomFile(s),
      `-Dmaven.repo.local=${mavenRepo(s)}`,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${tmp}`,
      '-DincludeScope=runtime',
    ],
    { what: 'fetching Kafka jars', logFile: ctx.logFile },
  );
  writeFileSync(join(tmp, '.complete'), '');
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir); // only a complete folder ever has the final name
}

export const kafka: Service = {
  name: 'kafka',
  ports: (s) => [s.ports.kafka, s.ports.kafkaController],
  readyTimeoutMs: 120_000,
  stopSignal: 'SIGTERM', // controlled shutdown
  stopGraceMs: 30_000,

  async prepare(ctx) {
    const s = ctx.settings;
    await ensureCommand('java', 'openjdk-17-jre-headless', ctx.logFile, ctx.note);
    await fetchJars(ctx);
    ensureDirs(logDirs(s));
    writeFileSync(propertiesFile(s), serverProperties(s));
    if (!existsSync(join(logDirs(s), 'meta.properties'))) {
      ctx.note('formatting the KRaft storage…');
      // Kafka's cluster id is a random UUID in URL-safe base64 without padding (22 characters).
      // One starting with '-' would be read as an option by the tool's argument parser.
      let clusterId = randomBytes(16).toString('base64url');
      while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
      await runLogged(
        'java',
        java(s, 'kafka.tools.StorageTool', ['format', '-t', clusterId, '-c', propertiesFile(s)], '256m'),
        {
          what: 'formatting Kafka storage',
          logFile: ctx.logFile,
        },
      );
    }
  },

  async launch(ctx) {
    const s = ctx.settings;
    return { command: 'java', args: java(s, 'kafka.Kafka', [propertiesFile(s)], '768m'), cwd: dataDir(s) };
  },

  async probe(s) {
    if (!(await tcpAnswers(s.ports.kafka))) return false;
    const { Kafka, logLevel } = await import('kafkajs');
    const admin = new Kafka({
      clientId: 'meterline-stack',
      brokers: [`127.0.0.1:${s.ports.kafka}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 2000,
    }).admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return true;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },

  env: (s) => ({ KAFKA_BROKERS: `127.0.0.1:${s.ports.kafka}` }),
};
