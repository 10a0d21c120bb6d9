"""What `dyttctl up` does once a server is ready: the database and its user, the media bucket."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Callable
from io import BytesIO
from typing import Any

import pymysql
from minio import Minio
from minio.credentials import StaticProvider
from minio.error import MinioAdminException
from minio.minioadmin import MinioAdmin

from services.data import migrate
from services.mesh.registry import format_address
from stack.definition import Component
from stack.state import StackContext
from stack.wiring import database_url


def mysql_admin_args(ctx: StackContext, comp: Component) -> dict[str, Any]:
    """How to connect to MariaDB as its administrator, depending on who runs it."""
    provider = ctx.definition.provider_of(comp)
    if provider == "native":
        # our own datadir: root authenticates by the unix socket, no password exists to leak
        return {"unix_socket": str(ctx.run_dir / "mysql.sock"), "user": "root"}
    secrets = ctx.secrets()
    if provider == "docker":
        user, password = "root", secrets["mysql_root_password"]
    else:
        user = comp.params.get("admin_user", comp.params["user"])
        password = secrets.get("mysql_admin_password", secrets["mysql_password"])
    return {"host": ctx.host(comp), "port": comp.port, "user": user, "password": password}


def mysql_app_args(ctx: StackContext, comp: Component) -> dict[str, Any]:
    """How the services connect to MariaDB: the application user over TCP."""
    return {
        "host": ctx.host(comp),
        "port": comp.port,
        "user": comp.params["user"],
        "password": ctx.secrets()["mysql_password"],
        "database": comp.params["database"],
    }


def bootstrap_mysql(ctx: StackContext, comp: Component) -> None:
    """Create the database and the application user; keep the user's password in sync."""
    database, user = comp.params["database"], comp.params["user"]
    password = ctx.secrets()["mysql_password"]
    conn = pymysql.connect(**mysql_admin_args(ctx, comp), autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute(
                f"CREATE DATABASE IF NOT EXISTS `{database}` "
                "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
            cur.execute(f"CREATE USER IF NOT EXISTS '{user}'@'%%' IDENTIFIED BY %s", (password,))
            cur.execute(f"ALTER USER '{user}'@'%%' IDENTIFIED BY %s", (password,))
            # the test suite creates throwaway databases named after the main one
            cur.execute(f"GRANT ALL PRIVILEGES ON `{database}`.* TO '{user}'@'%'")
            cur.execute(f"GRANT ALL PRIVILEGES ON `{database}\\_%`.* TO '{user}'@'%'")
    finally:
        conn.close()
    migrate.upgrade(database_url(ctx))


def minio_client(ctx: StackContext, comp: Component) -> Minio:
    """A MinIO client with the root credentials of the stack."""
    secrets = ctx.secrets()
    return Minio(
        format_address(ctx.host(comp), comp.port),
        access_key=secrets["minio_root_user"],
        secret_key=secrets["minio_root_password"],
        secure=False,
        region=comp.params.get("region"),
    )


def public_read_policy(bucket: str) -> str:
    """A bucket policy that lets anyone GET objects (the app's players fetch media directly)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": ["*"]},
                    "Action": ["s3:GetObject"],
                    "Resource": [f"arn:aws:s3:::{bucket}/*"],
                }
            ],
        }
    )


def gradient_png(width: int, height: int, top: tuple[int, int, int],
                 bottom: tuple[int, int, int]) -> bytes:
    """A vertical-gradient PNG, made here so that no binary needs committing."""
    rows = []
    for y in range(height):
        t = y / max(1, height - 1)
        pixel = bytes(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        rows.append(b"\x00" + pixel * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


# Shown for users who have not set their own (the contract wants absolute URLs, always).
DEFAULT_MEDIA = {
    "defaults/avatar.png": lambda: gradient_png(256, 256, (255, 64, 129), (124, 77, 255)),
    "defaults/background.png": lambda: gradient_png(720, 405, (20, 20, 40), (0, 150, 136)),
}


MEDIA_POLICY = "dytt-media-rw"


def media_account_policy(bucket: str) -> dict[str, Any]:
    """What the services may do: read, write and delete objects of the media bucket, no more."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                           "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                "Resource": [f"arn:aws:s3:::{bucket}/*"],
            },
            {
                "Effect": "Allow",
                "Action": ["s3:GetBucketLocation", "s3:ListBucket",
                           "s3:ListBucketMultipartUploads"],
                "Resource": [f"arn:aws:s3:::{bucket}"],
            },
        ],
    }


def ensure_media_account(ctx: StackContext, comp: Component) -> None:
    """The services' own MinIO account (never the root one), limited to the media bucket."""
    secrets = ctx.secrets()
    admin = MinioAdmin(
        endpoint=format_address(ctx.host(comp), comp.port),
        credentials=StaticProvider(secrets["minio_root_user"], secrets["minio_root_password"]),
        region=comp.params.get("region", ""),
        secure=False,
    )
    admin.policy_add(MEDIA_POLICY, policy=media_account_policy(comp.params["bucket"]))
    # user_add also resets the password, so the account follows the secrets file
    admin.user_add(secrets["minio_media_user"], secrets["minio_media_password"])
    try:
        admin.attach_policy([MEDIA_POLICY], user=secrets["minio_media_user"])
    except MinioAdminException as exc:
        # attaching twice is refused; the policy being attached already is what we want
        if "already" not in str(exc).lower():
            raise


def bootstrap_minio(ctx: StackContext, comp: Component) -> None:
    """Create the media bucket with a public-read policy, the default images, the account."""
    client = minio_client(ctx, comp)
    bucket = comp.params["bucket"]
    if not client.bucket_exists(bucket):
        client.make_bucket(bucket)
    client.set_bucket_policy(bucket, public_read_policy(bucket))
    existing = {o.object_name for o in client.list_objects(bucket, prefix="defaults/")}
    for name, make in DEFAULT_MEDIA.items():
        if name not in existing:
            data = make()
            client.put_object(bucket, name, BytesIO(data), len(data), content_type="image/png")
    ensure_media_account(ctx, comp)


BOOTSTRAPS: dict[str, Callable[[StackContext, Component], None]] = {
    "mysql": bootstrap_mysql,
    "minio": bootstrap_minio,
}
