# dytt/mariadb: Debian's MariaDB behind the official image's interface (MARIADB_ROOT_PASSWORD,
# `mariadbd [options]` or options alone), so that the stack runs either image unchanged.
ARG BASE=dytt/debian:bookworm
FROM ${BASE}
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends mariadb-server \
 && rm -rf /var/lib/apt/lists/* /var/lib/mysql \
 && install -d -o mysql -g mysql -m 0750 /var/lib/mysql \
 && install -d -o mysql -g mysql -m 0755 /run/mysqld \
 && printf '[mariadbd]\nbind-address = 0.0.0.0\nskip-name-resolve\n' \
      > /etc/mysql/mariadb.conf.d/99-container.cnf
COPY mariadb-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
USER mysql
VOLUME /var/lib/mysql
EXPOSE 3306
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["mariadbd"]
