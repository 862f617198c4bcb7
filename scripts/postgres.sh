#!/usr/bin/env bash
# A throwaway PostgreSQL cluster, for the tests and the queue benchmark.
#
#   scripts/postgres.sh start DIR [WATCH_PID]   prints the cluster's URL once it accepts connections
#   scripts/postgres.sh stop DIR                stops it and removes DIR
#
# Installs Debian's postgresql when it is missing (as root), creates the cluster in DIR, run by
# the postgres user when started as root (PostgreSQL refuses to run as root), on a free
# loopback port, with trust authentication and no fsync (it is thrown away). With WATCH_PID,
# the cluster stops and DIR is removed once that process has exited, however it ended.
set -euo pipefail
# Descriptors the caller let us inherit (a test process's sockets and pipes) must not live on in
# the server and the watcher started below: a process waiting for one of them to close, such as
# Foundation's Process watching its children, would wait as long as the cluster runs. 255 is the
# script itself.
for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ] && [ "$fd" != 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done
command=${1:?usage: postgres.sh start|stop DIR [WATCH_PID]}
dir=${2:?usage: postgres.sh start|stop DIR [WATCH_PID]}

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$command" in
stop)
    bin=$(bindir)
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
start)
    if [ -z "$(bindir)" ]; then
        if [ "$(id -u)" != 0 ]; then
            echo "PostgreSQL is not installed and installing it needs root: apt-get install postgresql" >&2
            exit 1
        fi
        echo "installing Debian's postgresql ..." >&2
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    bin=$(bindir)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U nodeflow -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300" \
        start >"$dir/pg_ctl.log" 2>&1 </dev/null || { cat "$dir/pg_ctl.log" "$dir/data/server.log" >&2; exit 1; }
    if [ -n "${3:-}" ]; then
        # Detached from the caller's output, so that reading this script's output ends.
        setsid nohup bash -c "while kill -0 $3 2>/dev/null; do sleep 1; done; '$0' stop '$dir'" </dev/null >/dev/null 2>&1 &
    fi
    echo "postgres://nodeflow@127.0.0.1:$port/postgres?sslmode=disable"
    ;;
*)
    echo "usage: postgres.sh start|stop DIR [WATCH_PID]" >&2
    exit 2
    ;;
esac
