// The suite's handle on a cluster: it runs cluster/harness.py (the same commands a
// person uses by hand) and reads what the harness records: ports, logs, the Maildir.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { Client } from './client.js';

const run = promisify(execFile);
const HARNESS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'harness.py');

export class Cluster {
  constructor(dir, state) {
    this.dir = dir;
    this.state = state;
    this.url = state.public_url;
    this.clients = [];
  }

  /**
   * Start a cluster of its own in a fresh folder (under NATTER_CLUSTER_ROOT if set);
   * with `broker`, RabbitMQ too and the mail through it; with `host`, nginx listens on
   * that address too and it is the public URL; `env`, more variables for every node.
   */
  static async up({ broker = false, host, env = {} } = {}) {
    const dir = mkdtempSync(join(process.env.NATTER_CLUSTER_ROOT ?? tmpdir(), 'natter-cluster-'));
    const args = [HARNESS, '--dir', dir, 'up', '--detach', '--json', ...(broker ? ['--broker'] : []), ...(host ? ['--host', host] : []),
      ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`])];
    try {
      const { stdout } = await run('python3', args, {
        maxBuffer: 1 << 20,
      });
      return new Cluster(dir, JSON.parse(stdout));
    } catch (e) {
      throw new Error(`the harness did not start (logs in ${dir}): ${e.stderr || e.message}`);
    }
  }

  async down() {
    for (const c of this.clients) c.close();
    await run('python3', [HARNESS, '--dir', this.dir, 'down']);
    if (!process.env.NATTER_CLUSTER_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Stop one part (api1, api2, mail, redis, nginx); resolves once it has exited. */
  async stop(part, signal = 'TERM') {
    await run('python3', [HARNESS, '--dir', this.dir, 'stop', part, '--signal', signal]);
  }

  /** Start a stopped part again on its old port; resolves once it is ready. */
  async start(part) {
    await run('python3', [HARNESS, '--dir', this.dir, 'start', part]);
    await this.refresh();
  }

  /** A command to the cluster's Redis (as its `default` user), e.g. `ACL SETUSER api1 -publish`. */
  async redis(...args) {
    const { stdout } = await run('redis-cli', ['-p', String(this.state.redis.port), ...args]);
    return stdout.trim();
  }

  async refresh() {
    const { stdout } = await run('python3', [HARNESS, '--dir', this.dir, 'status']);
    this.state = JSON.parse(stdout);
  }

  /** The node (api1, api2) listening on `addr` (an nginx $upstream_addr, host:port). */
  nodeAt(addr) {
    for (const [name, n] of Object.entries(this.state.nodes)) {
      if (addr === `127.0.0.1:${n.port}`) return name;
    }
    return undefined;
  }

  nodeUrl(name) {
    return `http://127.0.0.1:${this.state.nodes[name].port}`;
  }

  /**
   * Loopback source addresses that nginx sends to each api node, found by asking: a
   * request from each address answers with the node that served it (X-Natter-Upstream,
   * set by the harness's nginx). `hash ... consistent` depends on the nodes' ports,
   * so the split differs from one run to the next.
   */
  async addressesByNode(count = 40) {
    const out = { api1: [], api2: [] };
    for (let i = 2; i < 2 + count; i++) {
      const ip = `127.0.0.${i}`;
      const probe = new Client(this, ip);
      const r = await probe.request('GET', '/readyz');
      probe.close();
      const node = this.nodeAt(r.headers['x-natter-upstream']);
      if (node) out[node].push(ip);
    }
    if (!out.api1.length || !out.api2.length) {
      throw new Error(`nginx sent every address to one node: ${JSON.stringify(out)}`);
    }
    return out;
  }

  /** A client whose connections leave from `ip`; closed with the cluster. */
  client(ip) {
    const c = new Client(this, ip);
    this.clients.push(c);
    return c;
  }

  /** The mails the SMTP sink holds for `email`: [{ name, text }], oldest first. */
  mailsFor(email) {
    const dir = this.state.smtp.maildir;
    const out = [];
    for (const sub of ['new', 'cur']) {
      let names = [];
      try {
        names = readdirSync(join(dir, sub));
      } catch {
        continue;
      }
      for (const name of names) {
        const text = readFileSync(join(dir, sub, name), 'utf8');
        const to = /^To:\s*(.*)$/im.exec(text)?.[1] ?? '';
        if (to.toLowerCase().includes(email)) out.push({ name, text });
      }
    }
    // Maildir names start with the delivery time.
    return out.sort((x, y) => (x.name < y.name ? -1 : 1));
  }

  /** How many mails the SMTP sink holds for `email`. */
  mailsTo(email) {
    return this.mailsFor(email).length;
  }

  /** The newest login code mailed to `email`, if one has arrived. */
  codeFor(email) {
    const codes = this.mailsFor(email).map((m) => /login code(?: is|:)\s*(\d{6})/.exec(m.text)?.[1]);
    return codes.filter(Boolean).at(-1);
  }

  /** nginx's access log: [{ client, upstream, request, status }], one per request. */
  accessLog() {
    return readFileSync(join(this.dir, 'nginx-access.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const m = /^(\S+) (\S+(?:, \S+)*) "([^"]*)" (\d+) (\S+)$/.exec(line);
        return m && { client: m[1], upstream: m[2], request: m[3], status: Number(m[4]), seconds: Number(m[5]) };
      })
      .filter(Boolean);
  }

  /** A node's log so far (for a failure message, or to look for a panic). */
  nodeLog(name) {
    return readFileSync(this.state.nodes[name].log, 'utf8');
  }

  /** The value of the gauge `natter_sockets` on one node, asked directly (not via nginx). */
  async socketsOn(name) {
    const res = await fetch(`${this.nodeUrl(name)}/metrics`);
    const text = await res.text();
    const m = /^natter_sockets(?:\{[^}]*\})?\s+(\d+)/m.exec(text);
    return m ? Number(m[1]) : NaN;
  }
}

/** Poll `check` until it returns something truthy, or fail after `ms` with `what`. */
export async function eventually(what, check, ms = 10_000, every = 50) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, every));
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
