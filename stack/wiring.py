"""How dyttctl wires a service or the gateway to the rest of the stack: its environment.

The service side reads these variables into `services.mesh.settings.ServiceSettings`.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from services.mesh.registry import format_address
from stack.definition import Component
from stack.state import StackContext

SERVICE_KINDS = ("service", "gateway")


def _address(ctx: StackContext, name: str) -> str:
    comp = ctx.definition.components[name]
    return format_address(ctx.host(comp), comp.port)


def database_url(ctx: StackContext, database: str | None = None) -> str:
    """The SQLAlchemy URL the services use (the application user), of `database` or dytt's."""
    mysql = ctx.definition.components["mysql"]
    user = quote(mysql.params["user"], safe="")
    password = quote(ctx.secrets()["mysql_password"], safe="")
    return (
        f"mysql+pymysql://{user}:{password}@{_address(ctx, 'mysql')}/"
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
    env |= {
        "DYTT_SVC_NAME": comp.name,
        "DYTT_SVC_HOST": ctx.host(comp),
        "DYTT_SVC_PORT": str(comp.port),
        "DYTT_SVC_ETCD": _address(ctx, "etcd"),
        "DYTT_SVC_PKI_DIR": str(ctx.home / "pki"),
        "DYTT_SVC_ALLOWED_CALLERS": json.dumps(comp.callers),
        "DYTT_SVC_MEDIA_BASE_URL": media_base_url(ctx),
        "DYTT_SVC_LOG_DIR": str(ctx.log_dir),
        "DYTT_SVC_MAX_UPLOAD_BYTES": str(ctx.definition.stack.max_upload_mb * 2**20),
        "DYTT_SVC_ZIPKIN_URL": f"{ctx.endpoint(ctx.definition.components['zipkin'])}/api/v2/spans",
        "PYTHONUNBUFFERED": "1",
    }
    if "mysql" in comp.depends_on:
        env["DYTT_SVC_DATABASE_URL"] = database_url(ctx)
    if "minio" in comp.depends_on:
        env.update(storage_env(ctx))
    return env


def storage_env(ctx: StackContext) -> dict[str, str]:
    """How a service reaches the media bucket: MinIO's S3 API with the media account."""
    minio = ctx.definition.components["minio"]
    secrets = ctx.secrets()
    return {
        "DYTT_SVC_S3_ENDPOINT": _address(ctx, "minio"),
        "DYTT_SVC_S3_ACCESS_KEY": secrets["minio_media_user"],
        "DYTT_SVC_S3_SECRET_KEY": secrets["minio_media_password"],
        "DYTT_SVC_S3_BUCKET": minio.params["bucket"],
        "DYTT_SVC_S3_REGION": minio.params.get("region", "us-east-1"),
    }
