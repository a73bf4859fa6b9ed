#!/usr/bin/env python3
"""Several natter nodes on loopback, the way docs/DEPLOY.md lays them out.

    cluster/harness.py up              # start everything, print the URL, Ctrl-C stops it
    cluster/harness.py up --detach     # the same, but return once ready (then `down`)
    cluster/harness.py down            # stop everything `up` started
    cluster/harness.py up --broker     # also RabbitMQ, the mail going through it
    cluster/harness.py up --host 192.168.1.20   # nginx also on that address: the public URL
    cluster/harness.py stop api1 --signal KILL   # one part: api1, api2, mail, redis, nginx, s3, broker
    cluster/harness.py start api1      # start it again, same port, same settings
    cluster/harness.py status          # the state file, as JSON

What `up` starts: PostgreSQL (a private cluster, or a fresh database on the server
NATTER_TEST_POSTGRES_URL names), redis-server, an S3-compatible server for the media
(moto's server mode), with --broker RabbitMQ, an SMTP sink (aiosmtpd, into a Maildir),
two natter nodes with NATTER_ROLE=api,realtime and one with NATTER_ROLE=mail, all on
one database with one NATTER_SECRET, and nginx in front of the two api,realtime nodes
(`hash $remote_addr consistent`, so clients on different 127.0.0.x land on different
nodes). Every port is a free one picked at start. The state (ports, pids, paths) is
kept in <dir>/state.json, which every command reads: the suite in cluster/suite uses
these same commands.

Python 3.11 standard library only; the services come from Debian's packages and PyPI.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = Path(os.environ.get("NATTER_CLUSTER_DIR", Path(tempfile.gettempdir()) / "natter-cluster"))
# The debug binary the cluster build makes (see scripts/test); NATTER_BIN moves it.
DEFAULT_BIN = os.environ.get(
    "NATTER_BIN",
    str(Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug" / "natter"),
)
API_NODES = ("api1", "api2")
READY_TIMEOUT = 60.0


class HarnessError(Exception):
    """A sentence for the person who ran the harness: what failed and where to look."""


# ---------------------------------------------------------------- small helpers


_handed_out: set[int] = set()


def free_port() -> int:
    # A port is free when asked for but bound only later, by a process started after
    # others were given theirs: never hand the same one out twice (the SMTP sink and a
    # node once got the same port, and the node's /readyz was answered by the sink).
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(what: str, check, timeout: float = READY_TIMEOUT, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            tail = ""
            if log and log.exists():
                tail = "\n--- last lines of " + str(log) + ":\n" + "\n".join(log.read_text(errors="replace").splitlines()[-30:])
            raise HarnessError(f"{what} not ready after {timeout:.0f} s{tail}")
        time.sleep(0.1)


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


def alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        # A zombie (our own child that has not been waited for) counts as dead.
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".") if x.isdigit()])
    if not found:
        raise HarnessError("PostgreSQL is not installed: apt-get install -y postgresql (or set NATTER_TEST_POSTGRES_URL)")
    return found[-1]


def as_postgres() -> list[str]:
    # initdb and pg_ctl refuse root: as root the cluster belongs to the postgres user.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def spawn(cmd: list[str], log: Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> int:
    """Start `cmd` in a session of its own (so it outlives a detached `up` and a Ctrl-C
    in the terminal reaches only the harness, which then stops it in order)."""
    out = open(log, "ab")
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         env=env, cwd=cwd, start_new_session=True)
    return p.pid


def signal_and_wait(pid: int | None, sig: int, timeout: float = 15.0) -> None:
    if not alive(pid):
        return
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while alive(pid):
        reap(pid)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
        time.sleep(0.05)
    reap(pid)


def reap(pid: int) -> None:
    # Only our own children can be reaped; for the others this is a no-op.
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


# ---------------------------------------------------------------- state


class State:
    """The one record of a running cluster, in <dir>/state.json."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.path = directory / "state.json"
        self.data: dict = json.loads(self.path.read_text()) if self.path.exists() else {}

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=2))
        tmp.replace(self.path)

    def __getitem__(self, k):
        return self.data[k]

    def __setitem__(self, k, v):
        self.data[k] = v
        self.save()


# ---------------------------------------------------------------- PostgreSQL


def start_postgres(st: State) -> None:
    shared = os.environ.get("NATTER_TEST_POSTGRES_URL")
    if shared:
        # A fresh database on a server someone else runs (scripts/test has one).
        db = f"natter_cluster_{os.getpid()}_{secrets.token_hex(3)}"
        subprocess.run(["psql", "-q", shared, "-c", f"create database {db}"], check=True, capture_output=True)
        base = shared.rsplit("/", 1)[0]
        st["postgres"] = {"mode": "shared", "admin_url": shared, "database": db, "url": f"{base}/{db}"}
        return
    port = free_port()
    data = st.dir / "pg"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    log = st.dir / "postgres.log"
    subprocess.run([*as_postgres(), str(pg_bin() / "initdb"), "--no-sync", "-A", "trust", "-U", "postgres",
                    "-E", "UTF8", "--locale=C.UTF-8", "-D", str(data / "data")],
                   check=True, capture_output=True)
    st["postgres"] = {"mode": "own", "port": port, "data": str(data / "data"),
                      "url": f"postgres://postgres@127.0.0.1:{port}/postgres"}
    # fsync off: nothing of a test cluster must survive a power cut.
    opts = (f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=200 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
    if os.geteuid() == 0:
        log.touch()
        shutil.chown(log, "postgres")
    subprocess.run([*as_postgres(), str(pg_bin() / "pg_ctl"), "-D", str(data / "data"), "-l", str(log), "-s",
                    "-o", opts, "start"], check=True)
    wait_until("PostgreSQL", lambda: subprocess.run(
        [str(pg_bin() / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)]).returncode == 0, log=log)


def stop_postgres(st: State) -> None:
    pg = st.data.get("postgres")
    if not pg:
        return
    if pg["mode"] == "shared":
        subprocess.run(["psql", "-q", pg["admin_url"], "-c", f"drop database if exists {pg['database']} with (force)"],
                       capture_output=True)
    else:
        subprocess.run([*as_postgres(), str(pg_bin() / "pg_ctl"), "-D", pg["data"], "-s", "-m", "immediate", "stop"],
                       capture_output=True)


# ---------------------------------------------------------------- Redis, SMTP


def start_redis(st: State) -> None:
    r = st.data.get("redis") or {"port": free_port(), "password": secrets.token_hex(16)}
    log = st.dir / "redis.log"
    # Each node logs in as a Redis user named after it, so a test can take one right
    # from one node (`ACL SETUSER api1 -publish`: it commits but cannot publish). The
    # users are in the config file, so a restarted Redis knows them; `default` stays
    # open on loopback for redis-cli.
    conf = st.dir / "redis.conf"
    conf.write_text("".join(f"user {n} on >{r['password']} ~* &* +@all\n" for n in st["nodes"]))
    # No persistence: a restarted Redis comes back empty, as one that lost its memory does.
    r["pid"] = spawn(["redis-server", str(conf), "--port", str(r["port"]), "--bind", "127.0.0.1", "--save", "",
                      "--appendonly", "no"], log)
    st["redis"] = r
    wait_until("redis-server", lambda: port_open(r["port"]), log=log)


def start_smtp(st: State) -> None:
    m = st.data.get("smtp") or {"port": free_port(), "maildir": str(st.dir / "maildir")}
    log = st.dir / "smtp.log"
    # A real SMTP server that files each mail in a Maildir, where the suite reads the codes.
    m["pid"] = spawn([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{m['port']}",
                      "-c", "aiosmtpd.handlers.Mailbox", m["maildir"]], log)
    st["smtp"] = m
    wait_until("the SMTP sink (python3 -m pip install aiosmtpd if it is missing)",
               lambda: port_open(m["port"]), log=log)


# S3 media: moto's server mode (PyPI `moto[server]`), in memory, one bucket.
S3_BUCKET = "natter-cluster"


def start_s3(st: State) -> None:
    s3 = st.data.get("s3") or {"port": free_port()}
    log = st.dir / "s3.log"
    s3["pid"] = spawn([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3["port"])], log)
    st["s3"] = s3
    wait_until("the S3 server (python3 -m pip install 'moto[server]' if it is missing)",
               lambda: port_open(s3["port"]), log=log)
    # moto accepts an unsigned bucket creation; it keeps nothing across a restart.
    req = urllib.request.Request(f"http://127.0.0.1:{s3['port']}/{S3_BUCKET}", method="PUT")
    urllib.request.urlopen(req, timeout=10).close()


# RabbitMQ (Debian's rabbitmq-server) runs as the rabbitmq user with folders of its own
# and private ports (FIELD-NOTES.md); epmd and the broker share one process group, so a
# stop reaches the whole Erlang VM.
def start_broker(st: State) -> None:
    b = st.data.get("broker") or {"port": free_port(), "dist_port": free_port(), "epmd_port": free_port(),
                                  "dir": str(st.dir / "rabbitmq")}
    base = Path(b["dir"])
    for sub_dir in ("mnesia", "log"):
        (base / sub_dir).mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "rabbitmq:rabbitmq", str(base)], check=True)
    env = dict(os.environ, HOME=str(base), RABBITMQ_NODENAME=f"natter-cluster-{b['port']}@localhost",
               RABBITMQ_NODE_IP_ADDRESS="127.0.0.1", RABBITMQ_NODE_PORT=str(b["port"]),
               RABBITMQ_DIST_PORT=str(b["dist_port"]), ERL_EPMD_PORT=str(b["epmd_port"]),
               RABBITMQ_MNESIA_BASE=str(base / "mnesia"), RABBITMQ_LOG_BASE=str(base / "log"),
               RABBITMQ_ENABLED_PLUGINS_FILE=str(base / "enabled_plugins"))
    as_rabbit = ["runuser", "-u", "rabbitmq", "--"] if os.geteuid() == 0 else []
    script = f"epmd -port {b['epmd_port']} & exec /usr/lib/rabbitmq/bin/rabbitmq-server"
    b["pid"] = spawn([*as_rabbit, "sh", "-c", script], st.dir / "broker.log", env=env, cwd=base)
    st["broker"] = b
    # The AMQP port opens seconds after the node answers a ping: wait for the port.
    wait_until("rabbitmq-server (apt-get install -y rabbitmq-server if it is missing)",
               lambda: port_open(b["port"]), timeout=120, log=st.dir / "broker.log")


def stop_group(pid: int | None, sig: int) -> None:
    if not alive(pid):
        return
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return
    signal_and_wait(pid, sig)


# ---------------------------------------------------------------- natter nodes


def node_env(st: State, name: str) -> dict[str, str]:
    node = st["nodes"][name]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NATTER_")}
    env.update({
        "NATTER_LISTEN": f"127.0.0.1:{node['port']}",
        # Users open nginx: cookies, CORS and the signed image links follow it.
        "NATTER_PUBLIC_URL": st["public_url"],
        "NATTER_DATA_DIR": node["data_dir"],
        "NATTER_DATABASE_URL": st["postgres"]["url"],
        "NATTER_SECRET": st["secret"],
        "NATTER_REDIS_URL": f"redis://{name}:{st['redis']['password']}@127.0.0.1:{st['redis']['port']}/0",
        "NATTER_ROLE": node["role"],
        # nginx is the only proxy; natter counts each request for the client behind it.
        "NATTER_TRUSTED_PROXIES": "127.0.0.1",
        "NATTER_SMTP_URL": f"smtp://127.0.0.1:{st['smtp']['port']}?tls=none",
        "NATTER_LOG": os.environ.get("NATTER_CLUSTER_LOG", "info"),
        # Media on S3: every api node reads what another one stored.
        "NATTER_MEDIA_URL": f"s3://{S3_BUCKET}/media",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{st['s3']['port']}",
        "AWS_ALLOW_HTTP": "true",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "natter-cluster",
        "AWS_SECRET_ACCESS_KEY": "natter-cluster",
    })
    if "broker" in st.data:
        env["NATTER_AMQP_URL"] = f"amqp://guest:guest@127.0.0.1:{st['broker']['port']}/%2f"
    env.update(st.data.get("extra_env", {}))
    return env


def start_node(st: State, name: str) -> None:
    node = st["nodes"][name]
    log = Path(node["log"])
    with open(log, "ab") as f:
        f.write(f"=== harness: starting {name} at {time.strftime('%H:%M:%S')}\n".encode())
    node["pid"] = spawn([st["bin"], "serve"], log, env=node_env(st, name))
    nodes = st["nodes"]
    nodes[name] = node
    st["nodes"] = nodes
    wait_ready(st, name)


def wait_ready(st: State, name: str) -> None:
    node = st["nodes"][name]

    def ready() -> bool:
        if not alive(node["pid"]):
            raise HarnessError(f"natter {name} exited during start-up; its log is {node['log']}:\n"
                               + "\n".join(Path(node["log"]).read_text(errors="replace").splitlines()[-20:]))
        return http_status(f"http://127.0.0.1:{node['port']}/readyz") == 200

    wait_until(f"natter {name} (/readyz)", ready, log=Path(node["log"]))


# ---------------------------------------------------------------- nginx

NGINX_CONF = """\
# Written by cluster/harness.py; docs/DEPLOY.md shows the production form of it.
daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
{user}
events {{ worker_connections 4096; }}

http {{
    # Test only: who asked, which node answered, so the suite can check the spread.
    log_format natter '$remote_addr $upstream_addr "$request" $status $request_time';
    access_log {dir}/nginx-access.log natter;
    client_body_temp_path {dir}/nginx-tmp/body;
    proxy_temp_path {dir}/nginx-tmp/proxy;
    fastcgi_temp_path {dir}/nginx-tmp/fastcgi;
    uwsgi_temp_path {dir}/nginx-tmp/uwsgi;
    scgi_temp_path {dir}/nginx-tmp/scgi;

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}

    upstream natter {{
        # ip_hash would hash only 127.0.0 (three octets): every loopback client on one node.
        hash $remote_addr consistent;
{servers}
    }}

    server {{
        listen 127.0.0.1:{port};
{host_listen}        # natter takes images up to 10 MiB plus the text fields.
        client_max_body_size 11m;

        location / {{
            proxy_pass http://natter;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # A socket is quiet between pings (25 s): far below this.
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
            # A node that refuses or times out the connection: try the other one.
            proxy_next_upstream error timeout;
            # Test only: which node answered (the suite checks the spread with it).
            add_header X-Natter-Upstream $upstream_addr always;
        }}
    }}
}}
"""


def write_nginx_conf(st: State) -> Path:
    ng = st["nginx"]
    tmp = st.dir / "nginx-tmp"
    tmp.mkdir(exist_ok=True)
    user = ""
    if os.geteuid() == 0:
        # Workers run as nobody: they write upload bodies into nginx-tmp.
        user = "user nobody nogroup;"
        shutil.chown(tmp, "nobody")
    servers = "\n".join(
        # A node that failed once is left alone for 2 s, then tried again.
        f"        server 127.0.0.1:{st['nodes'][n]['port']} max_fails=1 fail_timeout=2s;" for n in API_NODES)
    conf = st.dir / "nginx.conf"
    host = st.data.get("host", "127.0.0.1")
    # The suite's clients and the readiness checks keep using loopback.
    host_listen = "" if host == "127.0.0.1" else f"        listen {host}:{ng['port']};\n"
    conf.write_text(NGINX_CONF.format(dir=st.dir, user=user, servers=servers, port=ng["port"], host_listen=host_listen))
    return conf


def start_nginx(st: State) -> None:
    ng = st["nginx"]
    conf = write_nginx_conf(st)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise HarnessError("nginx is not installed: apt-get install -y nginx")
    log = st.dir / "nginx-error.log"
    ng["pid"] = spawn([nginx, "-p", str(st.dir), "-c", str(conf), "-e", str(log)], st.dir / "nginx.out")
    st["nginx"] = ng
    wait_until("nginx", lambda: http_status(f"{st['public_url']}/readyz") == 200, log=log)


# ---------------------------------------------------------------- up / down


def up(directory: Path, binary: str, extra_env: dict[str, str], broker: bool = False, host: str = "127.0.0.1") -> State:
    if (directory / "state.json").exists():
        raise HarnessError(f"{directory} already holds a cluster: `cluster/harness.py down --dir {directory}` first")
    if not Path(binary).exists():
        raise HarnessError(f"no natter binary at {binary}: build it (cargo build -p natter) or set NATTER_BIN")
    directory.mkdir(parents=True, exist_ok=True)
    # PostgreSQL and the nginx workers run as other users and need to pass through.
    directory.chmod(0o755)
    st = State(directory)
    nginx_port = free_port()
    st.data.update({
        "bin": binary,
        # Where people reach nginx (another machine's browser: a LAN address); nginx
        # listens on loopback too. Cookies, CORS and signed image links follow it.
        "host": host,
        "public_url": f"http://{host}:{nginx_port}",
        "secret": secrets.token_hex(32),
        "extra_env": extra_env,
        "nginx": {"port": nginx_port},
        "nodes": {},
    })
    # Each node a data directory of its own: media are on S3, the secret comes from
    # NATTER_SECRET, so nothing on disk is shared.
    nodes = {n: {"role": "api,realtime", "data_dir": str(directory / f"data-{n}")} for n in API_NODES}
    nodes["mail"] = {"role": "mail", "data_dir": str(directory / "data-mail")}
    for name, node in nodes.items():
        node.update(port=free_port(), log=str(directory / f"{name}.log"), pid=None)
    st["nodes"] = nodes
    try:
        start_postgres(st)
        start_redis(st)
        start_s3(st)
        if broker:
            start_broker(st)
        start_smtp(st)
        # One node first: it applies the migrations, which the others then find done.
        start_node(st, "api1")
        for name in ("api2", "mail"):
            start_node(st, name)
        start_nginx(st)
    except BaseException:
        down(directory)
        raise
    return st


PARTS = (*API_NODES, "mail", "nginx", "smtp", "redis", "s3", "broker")


def part_pid(st: State, part: str) -> int | None:
    if part in st["nodes"]:
        return st["nodes"][part].get("pid")
    return st.data.get(part, {}).get("pid")


def stop_part(st: State, part: str, sig: int) -> None:
    if part == "broker":
        stop_group(part_pid(st, part), sig)
    else:
        signal_and_wait(part_pid(st, part), sig)


def start_part(st: State, part: str) -> None:
    if alive(part_pid(st, part)):
        raise HarnessError(f"{part} is running already")
    if part in st["nodes"]:
        start_node(st, part)
    elif part == "redis":
        start_redis(st)
    elif part == "smtp":
        start_smtp(st)
    elif part == "s3":
        start_s3(st)
    elif part == "broker" and "broker" in st.data:
        start_broker(st)
    elif part == "nginx":
        start_nginx(st)
    else:
        raise HarnessError(f"no part named {part}; the parts are {', '.join(PARTS)}")


def down(directory: Path) -> None:
    st = State(directory)
    if not st.data:
        return
    # The front door first, then the nodes (SIGTERM: they finish what they hold),
    # then what they depend on.
    for part in PARTS:
        try:
            stop_part(st, part, signal.SIGTERM)
        except KeyError:
            pass
    stop_postgres(st)
    st.path.unlink(missing_ok=True)


def describe(st: State) -> str:
    n = st["nodes"]
    lines = [
        f"natter is up at {st['public_url']} (nginx -> api1 :{n['api1']['port']}, api2 :{n['api2']['port']}; "
        f"mail :{n['mail']['port']})",
        f"  PostgreSQL {st['postgres']['url']}  Redis redis://127.0.0.1:{st['redis']['port']}  "
        f"SMTP 127.0.0.1:{st['smtp']['port']} -> {st['smtp']['maildir']}",
        f"  S3 (moto) http://127.0.0.1:{st['s3']['port']}/{S3_BUCKET}"
        + (f"  RabbitMQ amqp://127.0.0.1:{st['broker']['port']}" if "broker" in st.data else ""),
        f"  logs and state in {st.dir}",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="cluster/harness.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"where state and logs go (default {DEFAULT_DIR})")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p_up = sub.add_parser("up", help="start the cluster")
    p_up.add_argument("--bin", default=DEFAULT_BIN, help="the natter binary (default $NATTER_BIN or target/debug/natter)")
    p_up.add_argument("--detach", action="store_true", help="return once ready instead of waiting for Ctrl-C")
    p_up.add_argument("--json", action="store_true", help="print the state as JSON instead of sentences")
    p_up.add_argument("--broker", action="store_true", help="also RabbitMQ: mail goes through it (NATTER_AMQP_URL)")
    p_up.add_argument("--host", default="127.0.0.1", help="the address people open, nginx listens there too (default 127.0.0.1); "
                      "not loopback means a closed install unless --env NATTER_SIGNUP=open")
    # Any other NATTER_* setting (or AWS_*) for every node.
    p_up.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="a variable for every node")
    sub.add_parser("down", help="stop everything `up` started")
    sub.add_parser("status", help="print the state file")
    p_stop = sub.add_parser("stop", help="stop one part")
    p_stop.add_argument("part", choices=PARTS)
    p_stop.add_argument("--signal", default="TERM", choices=["TERM", "KILL", "INT"])
    p_start = sub.add_parser("start", help="start one stopped part again, on its old port")
    p_start.add_argument("part", choices=PARTS)
    args = ap.parse_args(argv)
    directory = args.dir.resolve()
    try:
        if args.cmd == "up":
            extra = dict(kv.split("=", 1) for kv in args.env)
            st = up(directory, args.bin, extra, broker=args.broker, host=args.host)
            if args.json:
                print(json.dumps(st.data), flush=True)
            else:
                print(describe(st), flush=True)
            if args.detach:
                if not args.json:
                    print(f"stop it with: {sys.argv[0]} --dir {directory} down")
                return 0
            print("press Ctrl-C to stop it", flush=True)
            stopping = []
            signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
            try:
                while not stopping:
                    time.sleep(0.5)
            except KeyboardInterrupt:
                pass
            down(directory)
            return 0
        if args.cmd == "down":
            down(directory)
            return 0
        st = State(directory)
        if not st.data:
            raise HarnessError(f"no cluster in {directory}: `cluster/harness.py up` first")
        if args.cmd == "status":
            print(json.dumps(st.data, indent=2))
        elif args.cmd == "stop":
            stop_part(st, args.part, getattr(signal, "SIG" + args.signal))
        elif args.cmd == "start":
            start_part(st, args.part)
        return 0
    except HarnessError as e:
        print(f"harness: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
