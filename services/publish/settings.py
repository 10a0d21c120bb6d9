"""The publish service's settings: a service's, the upload limit, and its object storage."""

from __future__ import annotations

from pydantic import Field, SecretStr

from services.mesh.settings import ServiceSettings, UploadLimit


class PublishSettings(ServiceSettings, UploadLimit):
    """Everything the publish process needs; `dyttctl` sets it through the environment."""

    s3_endpoint: str = Field(description="host:port of the S3 API (MinIO) with the media bucket.")
    s3_access_key: str = Field(description="S3 access key of this service.")
    s3_secret_key: SecretStr = Field(description="S3 secret key.")
    s3_bucket: str = Field(default="dytt-media", description="The media bucket.")
    s3_region: str = Field(default="us-east-1", description="The bucket's region.")
