# dytt/etcd: Debian's etcd server; the stack passes the same command as to the official image.
ARG BASE=dytt/debian:bookworm
FROM ${BASE}
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends etcd-server \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o etcd -g etcd -m 0700 /etcd-data
USER etcd
VOLUME /etcd-data
EXPOSE 2379 2380
CMD ["etcd", "--data-dir=/etcd-data"]
