# dytt/minio: the MinIO server that `go install` built on this machine (containers here cannot
# fetch Go modules through the machine's TLS-intercepting egress), as the official image runs it.
ARG BASE=dytt/debian:bookworm
FROM ${BASE}
COPY minio /usr/local/bin/minio
RUN useradd --system --uid 10002 --home-dir /data --shell /usr/sbin/nologin minio \
 && install -d -o minio -g minio -m 0700 /data
USER minio
VOLUME /data
EXPOSE 9000 9001
ENTRYPOINT ["minio"]
CMD ["server", "/data"]
