# dytt/app: the gateway and every gRPC service; the container's command picks which
# (`python -m gateway`, `python -m services.feed`, ...). Built by `dyttctl images build app`,
# which makes the context: this file, dytt's runtime packages and `wheels/` (every dependency
# as a wheel, fetched on the host: the build then needs no index, and no compiler either).
#
#   BASE   a Debian bookworm image: the one `dyttctl images build` makes with debootstrap,
#          or debian:bookworm-slim where a registry answers
ARG BASE=dytt/debian:bookworm

FROM ${BASE} AS build
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3.11 python3.11-venv \
 && rm -rf /var/lib/apt/lists/*
COPY wheels/ /wheels/
RUN python3.11 -m venv /opt/dytt \
 && /opt/dytt/bin/pip install --no-cache-dir --no-index --find-links=/wheels \
      -r /wheels/requirements.txt \
 && /opt/dytt/bin/pip uninstall -y -q pip

FROM ${BASE}
ARG DEBIAN_FRONTEND=noninteractive
# the interpreter and the MySQL client library mysqlclient links: no pip, no headers, no compiler
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3.11 libmariadb3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin dytt
COPY --from=build /opt/dytt /opt/dytt
WORKDIR /app
COPY protos/ protos/
COPY pki/ pki/
COPY services/ services/
COPY gateway/ gateway/
RUN python3.11 -m compileall -q /app
ENV PATH=/opt/dytt/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
USER 10001:10001
# DYTT_SVC_HEALTH_URL: grpc://127.0.0.1:PORT (a service's plaintext health-only port) or
# http://127.0.0.1:PORT/healthz (the gateway); the docker provider sets it
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["sh", "-c", "exec python -m services.mesh.probe \"$DYTT_SVC_HEALTH_URL\""]
CMD ["python", "-m", "gateway"]
