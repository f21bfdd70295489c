#!/usr/bin/env bash
# Create .venv from Python 3.10 and install exactly the pinned packages. Idempotent: a second
# call with unchanged requirement files does nothing. Called by `make run` and `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python310() {
    local candidate
    for candidate in "${PYTHON:-}" python3.10 "$HOME"/.pyenv/versions/3.10*/bin/python3.10 \
                     /usr/local/bin/python3.10 /usr/bin/python3.10; do
        [ -n "$candidate" ] || continue
        # pyenv shims exist for every installed version but fail unless one is selected: run it.
        if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
            "$candidate" -c 'import sys; print(sys.executable)'
            return 0
        fi
    done
    return 1
}

if [ ! -x .venv/bin/python ]; then
    if ! python310=$(find_python310); then
        echo "error: Python 3.10 is required (paddlelite 2.13rc0 has wheels for CPython <= 3.10 only);" \
             "install it (for example 'pyenv install 3.10') or set PYTHON=/path/to/python3.10" >&2
        exit 1
    fi
    echo "creating .venv with $python310"
    "$python310" -m venv .venv
fi

stamp=".venv/.installed-$(cat requirements.txt requirements-nodeps.txt pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "installing pinned packages into .venv (first time only)"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r requirements.txt
    .venv/bin/python -m pip install --quiet --no-deps -r requirements-nodeps.txt
    .venv/bin/python -m pip install --quiet --no-deps -e .
    rm -f .venv/.installed-*
    touch "$stamp"
fi
