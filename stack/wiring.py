"""How dyttctl wires a service or the gateway to the rest of the stack: its environment.

The service side reads these variables into `services.mesh.settings.ServiceSettings`.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from services.data.db import DRIVER
from services.mesh.registry import format_address
from stack.definition import Component
from stack.state import StackContext

SERVICE_KINDS = ("service", "gateway")


def in_containers(ctx: StackContext, comp: Component) -> bool:
    """Whether `comp` runs on the stack's container network (the docker provider)."""
    return ctx.definition.provider_of(comp) == "docker"


def _address(ctx: StackContext, name: str, seen_from: Component | None = None) -> str:
    """Where component `name` answers, as the process of `seen_from` reaches it: another
    container by its name on the network, anything else at its host and port."""
    comp = ctx.definition.components[name]
    if seen_from is not None and comp.docker is not None and in_containers(ctx, seen_from) \
            and in_containers(ctx, comp):
        return format_address(comp.name, comp.docker.inner_port("main", comp.port))
    return format_address(ctx.host(comp), comp.port)


def advertised_host(ctx: StackContext, comp: Component) -> str:
    """The host a service or gateway registers in etcd: its name on the container network
    (which its certificate carries), else the host it listens on."""
    return comp.name if in_containers(ctx, comp) else ctx.host(comp)


def database_url(ctx: StackContext, database: str | None = None,
                 seen_from: Component | None = None) -> str:
    """The SQLAlchemy URL the services use (the application user), of `database` or dytt's,
    as the process of `seen_from` reaches the server (default: from this machine)."""
    mysql = ctx.definition.components["mysql"]
    user = quote(mysql.params["user"], safe="")
    password = quote(ctx.secrets()["mysql_password"], safe="")
    return (
        f"{DRIVER}://{user}:{password}@{_address(ctx, 'mysql', seen_from)}/"
        f"{database or mysql.params['database']}?charset=utf8mb4"
    )


def media_base_url(ctx: StackContext) -> str:
    """Where clients fetch media: the configured public URL, else MinIO's bucket URL."""
    configured = ctx.definition.stack.public_media_url
    if configured:
        return configured.rstrip("/")
    minio = ctx.definition.components["minio"]
    return f"{ctx.endpoint(minio)}/{minio.params['bucket']}"


def service_env(ctx: StackContext, comp: Component) -> dict[str, str]:
    """The `DYTT_SVC_*` environment of a service or gateway process."""
    if comp.kind not in SERVICE_KINDS:
        return {}
    # a service's or gateway's `params` are settings too (`login_per_username = "10/60s"` ->
    # DYTT_SVC_LOGIN_PER_USERNAME); the wiring below comes after, so it always wins
    env = {f"DYTT_SVC_{key.upper()}": value for key, value in comp.params.items()}
    zipkin = _address(ctx, "zipkin", comp)
    env |= {
        "DYTT_SVC_NAME": comp.name,
        "DYTT_SVC_HOST": ctx.host(comp),
        "DYTT_SVC_PORT": str(comp.port),
        "DYTT_SVC_ETCD": _address(ctx, "etcd", comp),
        "DYTT_SVC_PKI_DIR": str(ctx.home / "pki"),
        "DYTT_SVC_ALLOWED_CALLERS": json.dumps(comp.callers),
        "DYTT_SVC_MEDIA_BASE_URL": media_base_url(ctx),
        "DYTT_SVC_LOG_DIR": str(ctx.log_dir),
        "DYTT_SVC_MAX_UPLOAD_BYTES": str(ctx.definition.stack.max_upload_mb * 2**20),
        "DYTT_SVC_ZIPKIN_URL": f"http://{zipkin}/api/v2/spans",
        "PYTHONUNBUFFERED": "1",
    }
    if in_containers(ctx, comp):
        # every interface of its own container; registered under its name on the network
        env["DYTT_SVC_HOST"] = "0.0.0.0"
        env["DYTT_SVC_ADVERTISE_HOST"] = advertised_host(ctx, comp)
    if "mysql" in comp.depends_on:
        env["DYTT_SVC_DATABASE_URL"] = database_url(ctx, seen_from=comp)
    if "minio" in comp.depends_on:
        env.update(storage_env(ctx, comp))
    return env


def storage_env(ctx: StackContext, seen_from: Component | None = None) -> dict[str, str]:
    """How a service reaches the media bucket: MinIO's S3 API with the media account."""
    minio = ctx.definition.components["minio"]
    secrets = ctx.secrets()
    return {
        "DYTT_SVC_S3_ENDPOINT": _address(ctx, "minio", seen_from),
        "DYTT_SVC_S3_ACCESS_KEY": secrets["minio_media_user"],
        "DYTT_SVC_S3_SECRET_KEY": secrets["minio_media_password"],
        "DYTT_SVC_S3_BUCKET": minio.params["bucket"],
        "DYTT_SVC_S3_REGION": minio.params.get("region", "us-east-1"),
    }
