// Keeps a kafkajs consumer alive whatever it crashed on. kafkajs restarts a crashed consumer
// only when the error is "retriable" by its rules; a non-retriable one (a TypeError in a
// handler, an error object that says retriable: false, a broker answer it gives up on) leaves
// the consumer disconnected while the process runs on, consuming nothing, silently. Here every
// crash marks the role not ready, a crash kafkajs will not restart is restarted after a backoff,
// and the next group join clears the mark.
import type { Consumer, ConsumerRunConfig, Producer } from 'kafkajs';
import type { Logger } from '../observability/log.js';
import type { RoleHealth } from './health.js';
import { backoffMs, retryTransient, sleep } from './retry.js';

export interface Supervised {
  /** Stops restarting (call before consumer.disconnect()). */
  stop(): void;
}

export function superviseConsumer(consumer: Consumer, run: ConsumerRunConfig, o: { log: Logger; health: RoleHealth }): Supervised {
  const stopping = new AbortController();
  let attempt = 0;
  const removeJoin = consumer.on(consumer.events.GROUP_JOIN, () => {
    attempt = 0;
    o.health.set('consumer', undefined);
  });
  const restart = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      attempt++;
      try {
        await sleep(backoffMs(attempt, 500, 10_000), stopping.signal);
        await consumer.connect();
        await consumer.run(run);
        return;
      } catch (err) {
        if (stopping.signal.aborted) return;
        o.log.warn({ attempt, err: (err as Error).message }, 'kafka consumer restart failed; trying again');
      }
    }
  };
  const removeCrash = consumer.on(consumer.events.CRASH, (e) => {
    const error = e.payload.error;
    o.health.set('consumer', `crashed (${error.message}); restarting`);
    if (e.payload.restart || stopping.signal.aborted) return;
    o.log.error({ err: error.message }, 'kafka consumer stopped on an error kafkajs does not retry; restarting it');
    void restart();
  });
  return {
    stop() {
      stopping.abort(new Error('stopping'));
      removeJoin();
      removeCrash();
    },
  };
}

/**
 * Connects (the consumer and the producer it writes with, if any), subscribes and starts consuming under
 * supervision. A broker that is away or still electing leaders at start is waited for (not
 * ready meanwhile), not a reason to exit.
 */
export async function consumeSupervised(
  consumer: Consumer,
  producer: Producer | undefined,
  topic: string,
  run: ConsumerRunConfig,
  o: { role: string; log: Logger; health: RoleHealth },
): Promise<Supervised> {
  const supervised = superviseConsumer(consumer, run, o);
  await retryTransient(
    `${o.role}: joining the consumer group`,
    async () => {
      await Promise.all([consumer.connect(), producer?.connect()]);
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run(run);
    },
    { log: o.log, onRetry: (err) => o.health.set('consumer', `cannot join: ${(err as Error).message}`) },
  );
  return supervised;
}
