# Shared by bin/start and bin/test: a virtualenv in .venv with the project's dependencies.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
install_deps() {  # $1 = extras ("" or "[test]")
  local stamp=".venv/.installed$1" want
  want="$(sha1sum pyproject.toml | cut -c1-40)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q ".$1"
    echo "$want" > "$stamp"
  fi
}
