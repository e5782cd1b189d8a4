#!/usr/bin/env bash
# Wall time from `git clone` to the first Datasette page, following only the README's first
# line in a new virtual environment, with empty pip and encoder caches:
#
#   bash benchmarks/fresh_install.sh [REPO]      # REPO: what to clone (default: this checkout)
#
# Needs port 8001 free (the README's default). Leaves nothing behind: the clone, venv and
# caches live in one temporary folder that is removed at the end.
set -euo pipefail
repo="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
work="$(mktemp -d "${TMPDIR:-/tmp}/mediastance-fresh.XXXXXX")"
demo_pid=""
cleanup() {
  if [ -n "$demo_pid" ]; then kill "$demo_pid" 2>/dev/null || true; wait "$demo_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export PIP_NO_CACHE_DIR=1 MEDIASTANCE_CACHE="$work/encoder-cache" XDG_CACHE_HOME="$work/xdg-cache"
unset MEDIASTANCE_DB MEDIASTANCE_CONFIG
if curl -s -o /dev/null http://127.0.0.1:8001/; then echo "port 8001 is in use" >&2; exit 2; fi

now() { date +%s.%N; }
t0=$(now)
git clone -q "$repo" "$work/mediastance"
cd "$work/mediastance"
python3 -m venv .venv
set +u; . .venv/bin/activate; set -u
t1=$(now)
( pip install -e . > "$work/install.log" 2>&1 && now > "$work/installed" && exec mediastance demo ) \
  > "$work/demo.log" 2>&1 &
demo_pid=$!
until curl -sf -o /dev/null http://127.0.0.1:8001/; do
  if ! kill -0 "$demo_pid" 2>/dev/null; then
    echo "the demo ended without serving:" >&2; tail -20 "$work/install.log" "$work/demo.log" >&2; exit 1
  fi
  sleep 0.5
done
t3=$(now)
python3 - "$t0" "$t1" "$(cat "$work/installed")" "$t3" <<'PY'
import sys
t0, t1, t2, t3 = map(float, sys.argv[1:])
print(f"clone + venv {t1 - t0:.1f} s; pip install -e . {t2 - t1:.1f} s; "
      f"demo to first page {t3 - t2:.1f} s; git clone to first Datasette page {t3 - t0:.1f} s")
PY
grep -h "built in" "$work/demo.log" || true
