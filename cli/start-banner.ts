// What `meterline start` prints once everything runs: where the console is and how to sign in
// (the development key, shown only the first time), and — with --demo — the simulated fleet.
import type pg from 'pg';
import { issueKey, pgKeyStore } from '../api/auth/index.js';
import { DEV_KEY_DESCRIPTION, ensureDevKey } from '../console/dev-key.js';
import { startDemo } from '../loadgen/demo.js';

/** A development key only on the local stack, and never in production. */
export const devKeyWanted = (localStack: boolean, env: NodeJS.ProcessEnv = process.env): boolean => localStack && env.NODE_ENV !== 'production';

export interface BannerOptions {
  pool: pg.Pool;
  port: number;
  /** Create (first start) and mention the development key: local stack, not production. */
  devKey: boolean;
  demo: boolean;
  print?: (line: string) => void;
  warn?: (line: string) => void;
}

/** Prints the banner, starts the demo fleet; the returned function stops it. */
export async function announce(o: BannerOptions): Promise<() => Promise<void>> {
  const print = o.print ?? ((l: string) => console.log(l));
  const url = `http://localhost:${o.port}`;
  print('');
  print(`meterline is running. Web console: ${url}/`);
  if (o.devKey) {
    const dev = await ensureDevKey(o.pool);
    if (dev.secret) {
      print('  Sign in with this development finance key (shown once, only its hash is stored):');
      print(`    ${dev.secret}`);
    } else {
      print(`  Sign in with the development key printed on the first start (${dev.key.id}, "${DEV_KEY_DESCRIPTION}"),`);
      print('  or make another: node bin/meterline.js keys create --role finance');
    }
  } else {
    print('  Sign in with a finance or customer key: node bin/meterline.js keys create --role finance');
  }
  if (!o.demo) {
    print('  No usage arriving? `npm start -- --demo` runs a small simulated fleet. Ctrl-C stops.');
    print('');
    return async () => undefined;
  }
  const store = pgKeyStore(o.pool);
  const agent = await issueKey(store, { role: 'agent', description: 'demo fleet (npm start -- --demo)' });
  let warned = false;
  const demo = startDemo({
    url,
    key: agent.secret,
    onError: (err) => {
      if (!warned) (o.warn ?? print)(`demo: ${err.message}`);
      warned = true;
    },
  });
  print('  Demo: 3 simulated servers (srv-0001…srv-0003) send usage every 10 s, the last 2 hours');
  print('  back-filled; open Usage (minute granularity) and Invoices (the current drafts grow). Ctrl-C stops.');
  print('');
  return async () => {
    await demo.stop();
    await store.revoke(agent.key.id).catch(() => undefined); // the demo's key dies with the demo
  };
}
