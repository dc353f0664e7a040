# scripts/sim-env.sh -- sourced by the demo and the tests: start the Zendesk
# simulator over HTTP and HTTPS with a throwaway certificate, and export
#   ZD_SIM_URL        http://127.0.0.1:<port>
#   ZD_SIM_HTTPS_URL  https://localhost:<port>
#   ZD_SIM_CA         the certificate (world-readable: the cluster runs as postgres)
#   ZD_SIM_DIR        the simulator's scratch directory
# Usage: start_simulator [simulator options...]; stop_simulator
# (the caller sets its own traps and calls stop_simulator from them).

ZD_PYTHON=/usr/bin/python3
ZD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

start_simulator() {
  ZD_SIM_DIR=$(mktemp -d /tmp/zendesk_sim.XXXXXX)
  chmod 755 "$ZD_SIM_DIR"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$ZD_SIM_DIR/key.pem" -out "$ZD_SIM_DIR/cert.pem" 2>/dev/null
  chmod 644 "$ZD_SIM_DIR/cert.pem"
  PYTHONPATH="${ZD_SIM_SRC:-$ZD_ROOT/sim}" "$ZD_PYTHON" -m zendesk_sim --port 0 --https-port 0 \
    --cert "$ZD_SIM_DIR/cert.pem" --key "$ZD_SIM_DIR/key.pem" \
    --ready-file "$ZD_SIM_DIR/ready.json" "$@" >"$ZD_SIM_DIR/sim.log" 2>&1 &
  ZD_SIM_PID=$!
  # a large account (--tickets 1000000) takes a while to generate
  for _ in $(seq 1 $(( ${ZD_SIM_START_SECONDS:-300} * 10 ))); do
    [ -f "$ZD_SIM_DIR/ready.json" ] && break
    kill -0 "$ZD_SIM_PID" 2>/dev/null || { cat "$ZD_SIM_DIR/sim.log" >&2; return 1; }
    sleep 0.1
  done
  [ -f "$ZD_SIM_DIR/ready.json" ] || { echo "simulator did not start" >&2; return 1; }
  ZD_SIM_URL=$("$ZD_PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["http_url"])' "$ZD_SIM_DIR/ready.json")
  ZD_SIM_HTTPS_URL=$("$ZD_PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["https_url"])' "$ZD_SIM_DIR/ready.json")
  ZD_SIM_CA="$ZD_SIM_DIR/cert.pem"
  export ZD_SIM_URL ZD_SIM_HTTPS_URL ZD_SIM_CA ZD_SIM_DIR ZD_SIM_PID
}

stop_simulator() {
  if [ -n "${ZD_SIM_PID:-}" ]; then
    kill "$ZD_SIM_PID" 2>/dev/null || true
    wait "$ZD_SIM_PID" 2>/dev/null || true
    ZD_SIM_PID=
  fi
  if [ -n "${ZD_SIM_DIR:-}" ] && [ -d "$ZD_SIM_DIR" ]; then
    rm -rf "$ZD_SIM_DIR"
  fi
}
