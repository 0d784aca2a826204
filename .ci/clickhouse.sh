#!/usr/bin/env bash
# A throwaway ClickHouse server for the warehouse integration tests:
#   .ci/clickhouse.sh start   install Debian's package if missing, write a config into a
#                             temporary folder, start the server as a plain process on
#                             127.0.0.1 only, wait until it answers
#   .ci/clickhouse.sh stop    stop it and remove the folder
# The folder is $PACER_CH_DIR (default /tmp/pacer-clickhouse). Ports: the first free HTTP
# port from 18123 up (written to $PACER_CH_DIR/http_port), native 19000 and interserver
# 19100 plus the same offset. Users: `pacer` with the password in $PACER_CH_DIR/password
# (random, never printed), and `default` without one; both only from 127.0.0.1.
set -euo pipefail
DIR=${PACER_CH_DIR:-/tmp/pacer-clickhouse}

# True when something already listens on 127.0.0.1:$1.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install_if_missing() {
    local missing=()
    command -v clickhouse-server >/dev/null 2>&1 || missing+=(clickhouse-server clickhouse-client)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    if [ ${#missing[@]} -eq 0 ]; then return 0; fi
    apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 &&
            apt-get install -y -q "${missing[@]}" >/dev/null; }
}

start() {
    install_if_missing
    stop_quietly
    mkdir -p "$DIR/data" "$DIR/tmp" "$DIR/user_files" "$DIR/log"
    local offset HTTP_PORT TCP_PORT INTER_PORT
    for offset in $(seq 0 20); do
        HTTP_PORT=$((18123 + offset)) TCP_PORT=$((19000 + offset)) INTER_PORT=$((19100 + offset))
        if ! port_busy "$HTTP_PORT" && ! port_busy "$TCP_PORT" && ! port_busy "$INTER_PORT"; then
            break
        fi
    done
    echo "$HTTP_PORT" >"$DIR/http_port"
    local password
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    printf '%s' "$password" >"$DIR/password"
    chmod 600 "$DIR/password"
    local sha
    sha=$(printf '%s' "$password" | sha256sum | cut -d' ' -f1)
    cat >"$DIR/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><log>$DIR/log/server.log</log><errorlog>$DIR/log/error.log</errorlog><console>0</console></logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>$HTTP_PORT</http_port>
    <tcp_port>$TCP_PORT</tcp_port>
    <interserver_http_port>$INTER_PORT</interserver_http_port>
    <path>$DIR/data/</path>
    <tmp_path>$DIR/tmp/</tmp_path>
    <user_files_path>$DIR/user_files/</user_files_path>
    <users_config>$DIR/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mark_cache_size>268435456</mark_cache_size>
    <max_concurrent_queries>20</max_concurrent_queries>
</yandex>
XML
    cat >"$DIR/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>8000000000</max_memory_usage></default></profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile><quota>default</quota>
        </default>
        <pacer>
            <password_sha256_hex>$sha</password_sha256_hex>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile><quota>default</quota>
        </pacer>
    </users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
    # exec: the recorded pid is the server's own.
    (cd "$DIR" && exec clickhouse-server --config-file="$DIR/config.xml" \
        >"$DIR/log/stdout.log" 2>&1 </dev/null) &
    echo $! >"$DIR/pid"
    for _ in $(seq 1 120); do
        if curl -fsS "http://127.0.0.1:$HTTP_PORT/ping" >/dev/null 2>&1; then
            echo "clickhouse: listening on http://127.0.0.1:$HTTP_PORT ($(curl -fsS "http://127.0.0.1:$HTTP_PORT/?query=SELECT%20version()"))"
            return 0
        fi
        if ! kill -0 "$(cat "$DIR/pid")" 2>/dev/null; then break; fi
        sleep 0.5
    done
    echo "clickhouse: the server did not answer on 127.0.0.1:$HTTP_PORT; its log:" >&2
    tail -n 30 "$DIR/log/stdout.log" "$DIR/log/error.log" >&2 2>/dev/null || true
    return 1
}

stop_quietly() {
    if [ -f "$DIR/pid" ]; then
        local pid
        pid=$(cat "$DIR/pid")
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
            kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$DIR/pid"
    fi
}

stop() {
    stop_quietly
    rm -rf "$DIR"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
