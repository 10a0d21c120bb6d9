# dytt/zipkin: Zipkin's exec jar (from Maven Central, fetched on this machine) on Debian's JRE;
# like the official image it reads STORAGE_TYPE, MEM_MAX_SPANS and JAVA_OPTS.
ARG BASE=dytt/debian:bookworm
FROM ${BASE}
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10003 --home-dir /zipkin --shell /usr/sbin/nologin zipkin
COPY zipkin-server-exec.jar /zipkin/zipkin.jar
USER zipkin
ENV STORAGE_TYPE=mem JAVA_OPTS="-Xms64m -Xmx512m"
EXPOSE 9411
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /zipkin/zipkin.jar \"$@\"", "zipkin"]
