// `meterline keys create|revoke|list`: API keys in PostgreSQL (SPEC §8, §10). `create` prints
// the new key once, alone on stdout's last line (scripts take `| tail -n1`); details go to stderr.
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseFlags } from '../args.js';
import { loadConfig } from '../../config/env.js';
import { createPool } from '../../db/pool.js';
import { isKind } from '../../lib/errors.js';
import { issueKey, isKeyRole, KEY_ROLES, pgKeyStore, type ApiKey } from '../../api/auth/index.js';

const USAGE = 'usage: meterline keys create --role agent|finance|customer [--customer ID] [--description TEXT] | revoke KEY_ID | list [--json]';

const describe = (k: ApiKey) =>
  [k.id, k.role.padEnd(8), (k.customer ?? '-').padEnd(12), `${k.prefix}…`, new Date(k.createdAtMs).toISOString(),
    k.revokedAtMs !== undefined ? `revoked ${new Date(k.revokedAtMs).toISOString()}` : 'active', k.description ?? ''].join('  ').trimEnd();

export const command: Command = {
  summary: 'API keys: create --role agent|finance|customer [--customer ID], revoke KEY_ID, list',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== 'create' && sub !== 'revoke' && sub !== 'list') throw new UsageError(USAGE);
    const { values, positionals } = parseFlags(rest, { role: { type: 'string' }, customer: { type: 'string' }, description: { type: 'string' }, json: { type: 'boolean' } }, true);
    const config = loadConfig();
    const pool = createPool(config.database, { applicationName: 'meterline-keys', max: 1 });
    const store = pgKeyStore(pool);
    try {
      if (sub === 'create') {
        if (!values.role || !isKeyRole(values.role)) throw new UsageError(`--role must be one of ${KEY_ROLES.join(', ')}`);
        const { key, secret } = await issueKey(store, {
          role: values.role,
          ...(values.customer ? { customer: values.customer } : {}),
          ...(values.description ? { description: values.description } : {}),
        });
        process.stderr.write(`created ${key.role} key ${key.id}${key.customer ? ` for customer ${key.customer}` : ''}; it is shown once, store it now:\n`);
        process.stdout.write(`${secret}\n`);
        return 0;
      }
      if (sub === 'revoke') {
        const id = positionals[0];
        if (!id || positionals.length > 1) throw new UsageError('usage: meterline keys revoke KEY_ID');
        let key: ApiKey;
        try {
          key = await store.revoke(id);
        } catch (err) {
          if (!isKind(err, 'not_found')) throw err;
          process.stderr.write(`meterline keys: ${err.message}\n`);
          return 1;
        }
        process.stdout.write(`revoked ${key.id} at ${new Date(key.revokedAtMs ?? 0).toISOString()} (running processes drop it from their caches at once; one whose database connection is down, within 10 s)\n`);
        return 0;
      }
      const keys = await store.list();
      process.stdout.write(values.json ? `${JSON.stringify({ keys })}\n` : keys.map(describe).join('\n') + (keys.length ? '\n' : ''));
      return 0;
    } finally {
      await pool.end();
    }
  },
};
