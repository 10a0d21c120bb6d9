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
# mysqlclient, the services' MySQL driver, builds against MariaDB's C client library
if ! pkg-config --exists libmariadb 2>/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
    echo "bootstrap: installing libmariadb-dev and pkg-config (Debian's packages)"
    install() {
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            libmariadb-dev pkg-config >/dev/null
    }
    install || { $sudo apt-get update -qq && install; }
fi
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -e '.[dev]'
echo "bootstrap: $venv is ready ($("$venv/bin/python" --version))"
