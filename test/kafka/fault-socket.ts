// A kafkajs socket factory with a switch: `cut()` drops every open broker connection and
// refuses new ones (as if the broker stopped or the network partitioned), `restore()` lets
// connections through again. Lets tests stop "the broker" for one client without touching the
// shared stack's Kafka.
import net from 'node:net';
import tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

export function faultSockets() {
  let cut = false;
  const open = new Set<net.Socket>();
  const factory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    if (cut) {
      const s = new net.Socket();
      process.nextTick(() => s.destroy(Object.assign(new Error(`connect ECONNREFUSED ${host}:${port} (fault injected)`), { code: 'ECONNREFUSED' })));
      return s;
    }
    const s = ssl ? tls.connect({ host, port, ...ssl }, onConnect) : net.connect({ host, port }, onConnect);
    open.add(s);
    s.on('close', () => open.delete(s));
    return s;
  };
  return {
    factory,
    cut() {
      cut = true;
      for (const s of open) s.destroy(new Error('connection reset (fault injected)'));
    },
    restore() {
      cut = false;
    },
  };
}
