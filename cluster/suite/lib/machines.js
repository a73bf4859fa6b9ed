// Other machines on one box: each a Linux network namespace on a bridge of its own
// subnet, so a browser started inside one reaches nginx from an address of its own.
// A browser cannot choose its source address, and nginx hashes on it: this is how two
// browsers land on different nodes, as two people's laptops would. Needs root (or
// CAP_NET_ADMIN) and `ip` from iproute2.
import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ip = (...args) => run('ip', args);

export class Machines {
  /** A bridge `10.231.<n>.1/24` for this process; `host` is the address nginx adds. */
  constructor() {
    const n = 20 + (process.pid % 200);
    this.subnet = `10.231.${n}`;
    this.host = `${this.subnet}.1`;
    this.bridge = `nbr${process.pid % 100000}`;
    this.names = [];
  }

  async up() {
    try {
      await ip('link', 'add', this.bridge, 'type', 'bridge');
    } catch (e) {
      throw new Error(`cannot make a network bridge (root and iproute2 needed): ${e.stderr || e.message}`);
    }
    await ip('addr', 'add', `${this.host}/24`, 'dev', this.bridge);
    await ip('link', 'set', this.bridge, 'up');
  }

  /** A namespace `name` with address `<subnet>.<last>` on the bridge. */
  async add(name, last) {
    const ns = `${this.bridge}-${name}`;
    const outside = `${ns.slice(0, 11)}h`;
    await ip('netns', 'add', ns);
    this.names.push(ns);
    await ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    await ip('link', 'set', outside, 'master', this.bridge);
    await ip('link', 'set', outside, 'up');
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
    await ip('-n', ns, 'link', 'set', 'eth0', 'up');
    await this.readdress(name, last);
    return ns;
  }

  /** Give machine `name` the address `<subnet>.<last>` instead of the one it had. */
  async readdress(name, last) {
    const ns = `${this.bridge}-${name}`;
    await ip('-n', ns, 'addr', 'flush', 'dev', 'eth0');
    await ip('-n', ns, 'addr', 'add', `${this.subnet}.${last}/24`, 'dev', 'eth0');
  }

  /** Run a command on machine `name`: { stdout, stderr }. */
  exec(name, cmd, args) {
    return run('ip', ['netns', 'exec', `${this.bridge}-${name}`, cmd, ...args], { timeout: 15_000 });
  }

  /** An executable that starts Chromium on machine `name` (Playwright's executablePath). */
  chromium(name, dir) {
    const path = join(dir, `chromium-${name}.sh`);
    writeFileSync(path, `#!/bin/sh\nexec ip netns exec ${this.bridge}-${name} /usr/bin/chromium "$@"\n`);
    chmodSync(path, 0o755);
    return path;
  }

  async down() {
    for (const ns of this.names) await ip('netns', 'del', ns).catch(() => {});
    // Deleting a namespace deletes its veth pair; then the bridge.
    await ip('link', 'del', this.bridge).catch(() => {});
  }
}
