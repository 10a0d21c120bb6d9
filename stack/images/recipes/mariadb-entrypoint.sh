#!/bin/sh
# The part of the official image's entrypoint the stack relies on: a first start initialises
# the data dir and creates root@'%' with MARIADB_ROOT_PASSWORD (root@localhost keeps socket auth).
set -eu
case "${1:-}" in
    -*) set -- mariadbd "$@" ;;
esac
if [ "${1:-}" = mariadbd ] && [ ! -d /var/lib/mysql/mysql ]; then
    : "${MARIADB_ROOT_PASSWORD:?must be set to initialise the database}"
    mariadb-install-db --datadir=/var/lib/mysql --auth-root-authentication-method=socket \
        --skip-test-db --skip-name-resolve > /dev/null
    # SQL string literal: backslashes and quotes doubled
    password=$(printf '%s' "$MARIADB_ROOT_PASSWORD" | sed -e 's/\\/\\\\/g' -e "s/'/''/g")
    init=$(mktemp)
    printf "CREATE USER 'root'@'%%' IDENTIFIED BY '%s';\nGRANT ALL ON *.* TO 'root'@'%%' WITH GRANT OPTION;\n" \
        "$password" > "$init"
    set -- "$@" --init-file="$init"
fi
exec "$@"
