#!/usr/bin/env bash
# Start/stop a throw-away embedded Milvus 2.3.5 standalone server for the
# `milvus` feature tests.  No Docker, no network access needed: the server
# binary comes from the PyPI package `milvus==2.3.5` (see setup-venv.sh).
#
#   tests/milvus/server.sh start DATA_DIR   # prints MILVUS_ADDR=127.0.0.1:PORT
#   tests/milvus/server.sh stop  DATA_DIR
#   tests/milvus/server.sh status DATA_DIR  # exit 0 if running
#
# Environment:
#   MILVUS_PY             python of the venv            (default /tmp/mvenv/bin/python)
#   MILVUS_PORT           client port on 127.0.0.1      (default 19530; 0 = pick a free port)
#   MILVUS_START_TIMEOUT  seconds to wait for readiness (default 120)
#   MILVUS_STOP_TIMEOUT   seconds to wait after SIGTERM before SIGKILL (default 30)
#   MILVUS_NETNS          auto | 1 | 0                  (default auto)
#
# Listen addresses: Milvus 2.3 ignores `<component>.ip` for listening -- every
# gRPC server binds ":port" (all interfaces), and so does the metrics/healthz
# HTTP server (METRICS_PORT).  It cannot be configured.  So by default
# (MILVUS_NETNS=auto, needs CAP_SYS_ADMIN, i.e. root in most sandboxes) the
# server runs in a private network namespace that only has `lo`, and a small
# forwarder in the host namespace listens on 127.0.0.1:PORT only and relays
# to the proxy port inside the namespace.  Nothing is reachable from outside
# and several servers can run at the same time (they do not compete for
# etcd's 2379/2380 or the coordinators' ports).
# With MILVUS_NETNS=0 (or auto when unshare(CLONE_NEWNET) is not permitted)
# the server runs directly: embedded etcd is moved to free 127.0.0.1 ports,
# the other ports are the first free ones from the template defaults on, but
# the gRPC/metrics ports then bind on all interfaces (a warning is printed).
#
# The server (forwarder + milvus) runs in its own session / process group;
# DATA_DIR/server.pid holds "PID PGID".  `start` returns once the server
# answers GetVersion and CheckHealth (fresh DATA_DIR: ~7 s; reusing a DATA_DIR
# of a stopped server: ~35 s, until its old sessions expire).  `stop` asks the
# supervisor to end milvus (SIGTERM, again after 5 s -- its graceful stop can
# hang --, SIGKILL after 15 s), then SIGKILLs the group after
# MILVUS_STOP_TIMEOUT.  Logs: DATA_DIR/logs/{supervisor,milvus-stdout,milvus-stderr}.log
set -euo pipefail

PY=${MILVUS_PY:-/tmp/mvenv/bin/python}
PORT=${MILVUS_PORT:-19530}
START_TIMEOUT=${MILVUS_START_TIMEOUT:-120}
STOP_TIMEOUT=${MILVUS_STOP_TIMEOUT:-30}
NETNS=${MILVUS_NETNS:-auto}
MARKER=pairproof-milvus-supervisor

usage() {
    echo "usage: $0 start|stop|status DATA_DIR" >&2
    exit 2
}

# ---------------------------------------------------------------------------
# python: write DATA_DIR/configs/milvus.yaml and unpack the binaries.
# argv: DATA_DIR NETNS(auto|1|0) PORT ; prints the chosen mode ("netns"/"direct")
prep_code() {
    cat <<'PYEOF'
import ctypes, fcntl, os, socket, struct, sys
from milvus import MilvusServerConfig, _initialize_data_files

data_dir, want_netns, port = os.path.abspath(sys.argv[1]), sys.argv[2], int(sys.argv[3])

def netns_possible():
    pid = os.fork()
    if pid == 0:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.unshare(0x40000000) != 0:      # CLONE_NEWNET
                os._exit(1)
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            ifr = struct.pack('16sH14s', b'lo', 0, b'\0' * 14)
            flags = struct.unpack('16sH', fcntl.ioctl(s, 0x8913, ifr)[:18])[1]   # SIOCGIFFLAGS
            fcntl.ioctl(s, 0x8914, struct.pack('16sH14s', b'lo', flags | 1, b'\0' * 14))  # SIOCSIFFLAGS
            os._exit(0)
        except BaseException:
            os._exit(1)
    return os.waitpid(pid, 0)[1] == 0

if want_netns == '1':
    if not netns_possible():
        sys.exit('MILVUS_NETNS=1 but unshare(CLONE_NEWNET) is not permitted')
    mode = 'netns'
elif want_netns == '0':
    mode = 'direct'
else:
    mode = 'netns' if netns_possible() else 'direct'

cfg = MilvusServerConfig(data_dir=data_dir)
cfg.resolve_storage()          # configs/ logs/ data/ + etcd/rocksmq/storage paths
if mode == 'direct':
    # every *_port of the template -> a free 127.0.0.1 port; proxy -> PORT
    if port:
        cfg.configs['proxy_port'] = port
    cfg.resolve_all_listen_ports()
    cfg.cleanup_listen_ports()
# (netns mode: template defaults 19530, 53100, ... inside the private namespace)

# advertised (registered) addresses: loopback, never the host's external IP
for comp in ('rootCoord', 'proxy', 'queryCoord', 'queryNode', 'indexNode', 'dataCoord', 'dataNode'):
    cfg.set(comp + '.ip', '127.0.0.1')
cfg.write_config()

conf_file = os.path.join(data_dir, 'configs', 'milvus.yaml')
with open(conf_file, encoding='utf-8') as f:
    text = f.read()
text = text.replace('localhost', '127.0.0.1')
if mode == 'direct':
    # embedded etcd defaults to 127.0.0.1:2379/2380 regardless of etcd.endpoints;
    # give it free ports via an embed config file (etcd.config.path).
    socks = []
    def free():
        s = socket.socket(); s.bind(('127.0.0.1', 0)); socks.append(s); return s.getsockname()[1]
    cport, pport = free(), free()
    for s in socks:
        s.close()
    etcd_yaml = os.path.join(data_dir, 'configs', 'embedEtcd.yaml')
    with open(etcd_yaml, 'w', encoding='utf-8') as f:
        f.write(f'name: default\n'
                f'listen-client-urls: http://127.0.0.1:{cport}\n'
                f'advertise-client-urls: http://127.0.0.1:{cport}\n'
                f'listen-peer-urls: http://127.0.0.1:{pport}\n'
                f'initial-advertise-peer-urls: http://127.0.0.1:{pport}\n'
                f'initial-cluster: default=http://127.0.0.1:{pport}\n')
    text = text.replace('\netcd:\n', f'\netcd:\n  config:\n    path: {etcd_yaml}\n', 1)
    with open(os.path.join(data_dir, 'configs', 'proxy_port'), 'w') as f:
        f.write(str(cfg.get('proxy_port')))
with open(conf_file, 'w', encoding='utf-8') as f:
    f.write(text)

_initialize_data_files(data_dir)   # unpack bin/milvus + libs (cached by md5)
print(mode)
PYEOF
}

# ---------------------------------------------------------------------------
# python supervisor: own session; runs milvus (optionally in a new netns) and,
# in netns mode, forwards 127.0.0.1:PORT (host) -> 127.0.0.1:19530 (netns).
# argv: MARKER DATA_DIR MODE PORT
supervisor_code() {
    cat <<'PYEOF'
import asyncio, ctypes, fcntl, os, signal, socket, struct, subprocess, sys, time

_, _marker, data_dir, mode, port = sys.argv[:5]
port = int(port)
try:
    os.setsid()
except OSError:
    pass
pgid = os.getpgid(0)
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000
INNER_PROXY_PORT = 19530

def log(*a):
    print(time.strftime('%H:%M:%S'), *a, flush=True)

def enter_new_netns():              # preexec_fn of the milvus child
    if libc.unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), 'unshare(CLONE_NEWNET)')
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ifr = struct.pack('16sH14s', b'lo', 0, b'\0' * 14)
    flags = struct.unpack('16sH', fcntl.ioctl(s, 0x8913, ifr)[:18])[1]
    fcntl.ioctl(s, 0x8914, struct.pack('16sH14s', b'lo', flags | 1, b'\0' * 14))
    s.close()

def free_port():
    s = socket.socket(); s.bind(('127.0.0.1', 0)); p = s.getsockname()[1]; s.close(); return p

listener = None
if mode == 'netns':
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(('127.0.0.1', port))          # host namespace, loopback only
    listener.listen(128)
    listen_port = listener.getsockname()[1]
    metrics_port = 9091
else:
    with open(os.path.join(data_dir, 'configs', 'proxy_port')) as f:
        listen_port = int(f.read())
    metrics_port = free_port()

bin_dir = os.path.join(data_dir, 'bin')
env = dict(os.environ)
env.update(DEPLOY_MODE='STANDALONE', METRICS_PORT=str(metrics_port),
           MILVUS_RUN_DIR=os.path.join(data_dir, 'run'),
           LD_LIBRARY_PATH=bin_dir + ':' + os.environ.get('LD_LIBRARY_PATH', ''))
out = open(os.path.join(data_dir, 'logs', 'milvus-stdout.log'), 'ab')
err = open(os.path.join(data_dir, 'logs', 'milvus-stderr.log'), 'ab')
proc = subprocess.Popen([os.path.join(bin_dir, 'milvus'), 'run', 'standalone'],
                        cwd=data_dir, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                        preexec_fn=enter_new_netns if mode == 'netns' else None)
log('milvus pid', proc.pid, 'pgid', pgid, 'mode', mode, 'port', listen_port)

with open(os.path.join(data_dir, 'server.addr.tmp'), 'w') as f:
    f.write(f'127.0.0.1:{listen_port}\n')
os.rename(os.path.join(data_dir, 'server.addr.tmp'), os.path.join(data_dir, 'server.addr'))

stopping = False
def signal_milvus(sig):
    try:
        proc.send_signal(sig)
    except ProcessLookupError:
        pass

async def escalate():
    # Milvus 2.3's graceful stop can hang (query node waiting for a gone
    # rootcoord); a second SIGTERM ends it, SIGKILL as a last resort.
    for sig, delay in ((signal.SIGTERM, 5), (signal.SIGKILL, 10)):
        for _ in range(delay * 10):
            if proc.poll() is not None:
                return
            await asyncio.sleep(0.1)
        log('milvus still running, sending', sig.name)
        signal_milvus(sig)

def shutdown(*_):
    global stopping
    if stopping:
        return
    stopping = True
    log('stopping milvus')
    signal_milvus(signal.SIGTERM)
    asyncio.get_running_loop().create_task(escalate())

async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(1 << 18)
            if not data:
                break
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        pass

async def handle(creader, cwriter):
    loop = asyncio.get_running_loop()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)   # created in milvus' netns
    s.setblocking(False)
    try:
        await loop.sock_connect(s, ('127.0.0.1', INNER_PROXY_PORT))
    except OSError:
        s.close(); cwriter.close(); return
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sreader, swriter = await asyncio.open_connection(sock=s)
    await asyncio.gather(pipe(creader, swriter), pipe(sreader, cwriter))
    for w in (swriter, cwriter):
        try:
            w.close()
        except Exception:
            pass

async def main():
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, shutdown)
    loop.add_signal_handler(signal.SIGINT, shutdown)
    server = None
    if listener is not None:
        fd = os.open(f'/proc/{proc.pid}/ns/net', os.O_RDONLY)
        if libc.setns(fd, CLONE_NEWNET) != 0:      # new sockets -> milvus' netns
            raise OSError(ctypes.get_errno(), 'setns')
        os.close(fd)
        server = await asyncio.start_server(handle, sock=listener)
    while proc.poll() is None:
        await asyncio.sleep(0.5)
    log('milvus exited with', proc.returncode)
    if server is not None:
        server.close()

asyncio.run(main())
sys.exit(0 if stopping else 1)
PYEOF
}

# ---------------------------------------------------------------------------
# python: wait until the server answers (GetVersion + CheckHealth).
# argv: HOST PORT TIMEOUT SUPERVISOR_PID
wait_code() {
    cat <<'PYEOF'
import sys, time
from pymilvus import connections, utility
host, port, timeout, sup = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])

def alive(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False

deadline = time.time() + timeout
last = None
while time.time() < deadline:
    if not alive(sup):
        sys.exit(f'milvus server exited during start-up (last error: {last})')
    try:
        connections.connect(alias='probe', host=host, port=port, timeout=5)
        version = utility.get_server_version(using='probe', timeout=5)
        healthy = True
        try:
            from pymilvus.grpc_gen import milvus_pb2
            stub = connections._fetch_handler('probe')._stub
            r = stub.CheckHealth(milvus_pb2.CheckHealthRequest(), timeout=5)
            healthy = r.isHealthy
            if not healthy:
                last = 'unhealthy: ' + '; '.join(r.reasons)
        except AttributeError:
            pass
        if healthy:
            print(version, file=sys.stderr)
            sys.exit(0)
    except Exception as e:   # not up yet
        last = e
    try:
        connections.disconnect('probe')
    except Exception:
        pass
    time.sleep(1)
sys.exit(f'milvus server not ready after {timeout:.0f}s (last error: {last})')
PYEOF
}

# ---------------------------------------------------------------------------
read_pidfile() {   # sets SUP_PID SUP_PGID; returns 1 if no pid file
    local f="$1/server.pid"
    [[ -f "$f" ]] || return 1
    read -r SUP_PID SUP_PGID <"$f" || true
    [[ -n "${SUP_PGID:-}" ]] || return 1
}

group_alive() {   # any process left in process group $1 ?
    kill -0 -- "-$1" 2>/dev/null
}

group_is_ours() {   # does process group $1 belong to this DATA_DIR's server?
    local pgid="$1" dir="$2" p cmd
    for p in /proc/[0-9]*; do
        [[ -r "$p/stat" ]] || continue
        local stat
        stat=$(cat "$p/stat" 2>/dev/null) || continue
        stat=${stat##*) }
        # fields after ") ": state ppid pgrp ...
        local -a f=($stat)
        [[ "${f[2]}" == "$pgid" ]] || continue
        cmd=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
        if [[ "$cmd" == *"$MARKER $dir "* || "$cmd" == "$dir/bin/milvus "* ]]; then
            return 0
        fi
    done
    return 1
}

do_stop() {
    local dir="$1"
    if ! read_pidfile "$dir"; then
        echo "milvus: no $dir/server.pid, nothing to stop" >&2
        return 0
    fi
    if group_alive "$SUP_PGID"; then
        if ! group_is_ours "$SUP_PGID" "$dir"; then
            echo "milvus: process group $SUP_PGID is not ours; not killing it" >&2
            rm -f "$dir/server.pid" "$dir/server.addr"
            return 1
        fi
        # the supervisor stops milvus (SIGTERM, again after 5 s, SIGKILL after 15 s);
        # if it is gone, signal the group directly
        if [[ -n "${SUP_PID:-}" ]] && kill -0 "$SUP_PID" 2>/dev/null; then
            kill -TERM "$SUP_PID" 2>/dev/null || true
        else
            kill -TERM -- "-$SUP_PGID" 2>/dev/null || true
        fi
        local waited=0
        while group_alive "$SUP_PGID" && ((waited < STOP_TIMEOUT * 10)); do
            sleep 0.1
            waited=$((waited + 1))
        done
        if group_alive "$SUP_PGID"; then
            echo "milvus: still running after ${STOP_TIMEOUT}s, sending SIGKILL" >&2
            kill -KILL -- "-$SUP_PGID" 2>/dev/null || true
            while group_alive "$SUP_PGID"; do sleep 0.1; done
        fi
    fi
    rm -f "$dir/server.pid" "$dir/server.addr"
}

do_start() {
    local dir="$1"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    if read_pidfile "$dir" && group_alive "$SUP_PGID"; then
        echo "milvus: already running (pgid $SUP_PGID) for $dir" >&2
        return 1
    fi
    rm -f "$dir/server.pid" "$dir/server.addr"
    [[ -x "$PY" ]] || { echo "milvus: python '$PY' not found (run tests/milvus/setup-venv.sh)" >&2; return 1; }

    local want=auto
    case "$NETNS" in
        1 | yes | true) want=1 ;;
        0 | no | false) want=0 ;;
    esac
    local mode
    mode=$("$PY" -c "$(prep_code)" "$dir" "$want" "$PORT")
    if [[ "$mode" == direct ]]; then
        echo "milvus: WARNING: no private network namespace; Milvus 2.3 gRPC/metrics ports bind on all interfaces" >&2
    fi

    # detached: own session, no inherited stdio (so `$(server.sh start ...)` returns)
    "$PY" -c "$(supervisor_code)" "$MARKER" "$dir" "$mode" "$PORT" \
        </dev/null >>"$dir/logs/supervisor.log" 2>&1 &
    local sup=$!
    echo "$sup $sup" >"$dir/server.pid"   # setsid() in the supervisor: pgid == pid

    local i=0
    while [[ ! -s "$dir/server.addr" ]]; do
        if ! kill -0 "$sup" 2>/dev/null || ((i > 600)); then
            echo "milvus: supervisor failed, see $dir/logs/supervisor.log:" >&2
            tail -n 20 "$dir/logs/supervisor.log" >&2 || true
            do_stop "$dir" || true
            return 1
        fi
        sleep 0.1
        i=$((i + 1))
    done
    local addr
    addr=$(cat "$dir/server.addr")
    if ! "$PY" -c "$(wait_code)" "${addr%:*}" "${addr##*:}" "$START_TIMEOUT" "$sup" 2>>"$dir/logs/supervisor.log"; then
        echo "milvus: server did not come up; logs in $dir/logs:" >&2
        tail -n 5 "$dir/logs/supervisor.log" >&2 || true
        tail -n 20 "$dir/logs/milvus-stderr.log" >&2 || true
        do_stop "$dir" || true
        return 1
    fi
    echo "MILVUS_ADDR=$addr"
}

[[ $# -eq 2 ]] || usage
case "$1" in
    start) do_start "$2" ;;
    stop) do_stop "$(cd "$2" 2>/dev/null && pwd -P || echo "$2")" ;;
    status)
        dir=$(cd "$2" && pwd -P)
        if read_pidfile "$dir" && group_alive "$SUP_PGID"; then
            echo "MILVUS_ADDR=$(cat "$dir/server.addr" 2>/dev/null)"
        else
            exit 1
        fi
        ;;
    *) usage ;;
esac
