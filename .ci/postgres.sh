#!/usr/bin/env bash
# A throwaway PostgreSQL server for `make test`: on loopback, on a free port, in a
# temporary folder, logging every statement (the tests read the log to see which
# filters reached the server). Debian's `postgresql` package is installed if missing
# (as root, with apt-get).
#
#   postgres.sh start DIR   start a server in DIR; prints its URL
#   postgres.sh stop DIR    stop it and remove DIR
set -euo pipefail

command=${1:?usage: postgres.sh start|stop DIR}
dir=${2:?usage: postgres.sh start|stop DIR}

find_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        if [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
    done
    if command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; return 0; fi
    return 1
}

# The server refuses to run as root: run it as the `postgres` user the package creates.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
start)
    if ! bin=$(find_bin); then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "Installing PostgreSQL (Debian's postgresql package) for the tests..." >&2
            apt-get update -qq >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
            bin=$(find_bin)
        else
            echo "PostgreSQL is not installed; install Debian's postgresql package" \
                 "(apt-get install postgresql) to run the database tests." >&2
            exit 1
        fi
    fi
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --no-create-home postgres
    fi
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bin/initdb" -D "$dir/data" -U cslib --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    # Each logged statement names its database, so a test reading the log sees only its own.
    echo "log_line_prefix = '%m [%p] %d '" >>"$dir/data/postgresql.conf"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c log_statement=all -c fsync=off" \
        start >&2
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U cslib cslib
    echo "postgresql://cslib@127.0.0.1:$port/cslib"
    ;;
stop)
    if [ -d "$dir/data" ] && bin=$(find_bin); then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: postgres.sh start|stop DIR" >&2
    exit 2
    ;;
esac
