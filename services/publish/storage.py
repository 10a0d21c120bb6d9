"""The services' one access to object storage (MinIO, or any S3): the media bucket.

Every call is a span ("minio <op>") and every failure is translated in one place, `_call`: a
missing object is NOT_FOUND, anything else from the store or the network is UNAVAILABLE, logged
here with its cause. The HTTP client is sized for a request path: a stopped MinIO fails a call
in under a second instead of after the SDK's minutes of retries, and big files go up in
bounded parts read from disk, never whole in memory.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from uuid import uuid4

import urllib3
from minio import Minio
from minio.error import MinioException, S3Error

from services.mesh import tracing
from services.mesh.errors import AppError, Code

if TYPE_CHECKING:
    from services.publish.settings import PublishSettings

log = logging.getLogger(__name__)

# Parts of a multipart upload, read one at a time: what one upload holds in memory at most.
PART_SIZE = 8 * 1024 * 1024
# Seconds. Connecting is instant on the stack's network, or the store is down; each socket
# read or write waits at most READ_TIMEOUT (a part is 8 MiB: well under a second on a LAN).
CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 10.0
# Retries of one request: a refused connection or a 5xx twice (0.2 s apart), a broken read
# once (a pooled keep-alive connection the server closed); a down store fails in ~0.5 s, a
# hung one in 2 x READ_TIMEOUT, not the SDK's default of 5 min x 6.
RETRIES = 2
READ_RETRIES = 1

# S3 error codes of an object that is not there (HEAD answers without a body, hence NoSuchKey
# from the SDK; some stores say NoSuchObject or NotFound).
_MISSING = frozenset({"NoSuchKey", "NoSuchObject", "NotFound"})
_EXTENSION = re.compile(r"(\.[a-z0-9]{1,8})?")
_UNAVAILABLE = "object storage is unavailable, try again"


def default_http_client(max_connections: int = 16) -> urllib3.PoolManager:
    """The HTTP client of an ObjectStore: short timeouts, few retries, a pool per worker."""
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT),
        maxsize=max_connections,
        retries=urllib3.Retry(
            total=RETRIES, read=READ_RETRIES, backoff_factor=0.2,
            status_forcelist=[500, 502, 503, 504],
        ),
    )


class ObjectStore:
    """One bucket of an S3 store, with errors as AppError and calls as spans."""

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        *,
        region: str | None = None,
        secure: bool = False,
        http_client: urllib3.PoolManager | None = None,
    ) -> None:
        """`endpoint` is host:port; an `http://` or `https://` prefix sets `secure`."""
        scheme, sep, rest = endpoint.partition("://")
        if sep:
            if scheme not in ("http", "https"):
                raise ValueError(f"unsupported scheme in S3 endpoint {endpoint!r}")
            endpoint, secure = rest.rstrip("/"), scheme == "https"
        self.endpoint = endpoint
        self.bucket = bucket
        self._http = http_client or default_http_client()
        # a region given up front spares a GetBucketLocation round trip before the first call
        self._client = Minio(
            endpoint,
            access_key=access_key or None,
            secret_key=secret_key or None,
            secure=secure,
            region=region,
            http_client=self._http,
        )

    @classmethod
    def from_settings(cls, settings: PublishSettings) -> ObjectStore:
        """The store the publish service's settings point to."""
        return cls(
            settings.s3_endpoint,
            settings.s3_access_key,
            settings.s3_secret_key.get_secret_value(),
            settings.s3_bucket,
            region=settings.s3_region,
            http_client=default_http_client(max_connections=settings.workers),
        )

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.clear()

    def __enter__(self) -> ObjectStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @staticmethod
    def new_key(prefix: str, extension: str) -> str:
        """A fresh object key, `prefix/yyyy/mm/<random hex><extension>`.

        Keys are never made from a client's file name: nothing a client sends decides where an
        object goes or what it overwrites. `extension` is ours too (".mp4", ".jpg", or "").
        """
        if not _EXTENSION.fullmatch(extension):
            raise ValueError(f"not an extension of ours: {extension!r}")
        now = datetime.now(UTC)
        return f"{prefix.strip('/')}/{now:%Y}/{now:%m}/{uuid4().hex}{extension}"

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        """Upload the file at `path` as `key`, in PART_SIZE parts when it is bigger than one."""
        size = path.stat().st_size
        with self._call("put", key, size=size):
            # one part in flight per upload: memory is PART_SIZE per concurrent upload
            self._client.fput_object(
                self.bucket, key, str(path), content_type=content_type,
                part_size=PART_SIZE, num_parallel_uploads=1,
            )

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` as `key`."""
        with self._call("put", key, size=len(data)):
            self._client.put_object(
                self.bucket, key, BytesIO(data), len(data), content_type=content_type
            )

    def delete(self, *keys: str) -> None:
        """Delete `keys`; a key that does not exist is not an error (S3 DELETE is idempotent)."""
        for key in keys:
            with self._call("delete", key):
                self._client.remove_object(self.bucket, key)

    def exists(self, key: str) -> bool:
        """Whether an object `key` exists."""
        with self._call("stat", key):
            try:
                self._client.stat_object(self.bucket, key)
            except S3Error as exc:
                if exc.code in _MISSING:
                    return False
                raise
            return True

    def keys_older_than(self, prefix: str, before: datetime) -> Iterator[str]:
        """Keys under `prefix` last written before `before` (listed lazily, page by page)."""
        with self._call("list", prefix):
            for item in self._client.list_objects(self.bucket, prefix=prefix, recursive=True):
                if item.last_modified is not None and item.last_modified < before:
                    yield item.object_name

    def get_bytes(self, key: str) -> bytes:
        """The content of `key` (whole, in memory: for tests and small objects)."""
        with self._call("get", key):
            response = self._client.get_object(self.bucket, key)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

    @contextmanager
    def _call(self, op: str, key: str, **attributes: Any) -> Iterator[None]:
        """A span around one storage call, and the one translation of its failures."""
        with tracing.span(f"minio {op}", bucket=self.bucket, key=key, **attributes):
            try:
                yield
            except S3Error as exc:
                if exc.code in _MISSING:
                    raise AppError(Code.NOT_FOUND, "no such object") from exc
                log.warning("minio %s %s/%s failed: %s", op, self.bucket, key, exc)
                raise AppError(Code.UNAVAILABLE, _UNAVAILABLE) from exc
            except (MinioException, urllib3.exceptions.HTTPError) as exc:
                log.warning("minio %s %s/%s at %s failed: %r",
                            op, self.bucket, key, self.endpoint, exc)
                raise AppError(Code.UNAVAILABLE, _UNAVAILABLE) from exc
