#!/usr/bin/env bash
# Creates the project virtualenv with dytt installed in it (editable, with dev extras).
# Everything else the stack needs (MariaDB, etcd, MinIO, Zipkin) is installed by
# `dyttctl install`, which runs from inside this virtualenv.
set -euo pipefail
venv=${1:-.venv}
python=${PYTHON:-python3}

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "bootstrap: dytt needs Python >= 3.11; $python is $("$python" --version 2>&1)" >&2
    exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -e '.[dev]'
echo "bootstrap: $venv is ready ($("$venv/bin/python" --version))"
