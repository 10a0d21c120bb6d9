"""The typed settings of dytt's processes, read from `DYTT_SVC_*` variables.

    ProcessSettings        every process: identity, registry, PKI, logs, tracing
      ServerSettings       a gRPC server: its callers, serving and stopping
        ServiceSettings    a dytt service: the database, media URLs, display time zone
      GatewaySettings      (gateway/) the HTTP side
    UploadLimit            the upload limit, shared by the gateway and the publish service
"""

from __future__ import annotations

import ipaddress
import os
import uuid
from pathlib import Path

import psutil
from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
)

# Swarm hands secrets to a container only as files: with this variable set, a setting may also
# come from a file named like its variable (DYTT_SVC_DATABASE_URL) in that directory.
SECRETS_DIR_VARIABLE = "DYTT_SVC_SECRETS_DIR"


class ProcessSettings(BaseSettings):
    """What every dytt process needs; `dyttctl` sets it through the environment."""

    model_config = SettingsConfigDict(env_prefix="DYTT_SVC_", extra="ignore", frozen=True)

    name: str = Field(description="Component name: the registry key and the certificate identity.")
    instance_id: str = Field(
        default_factory=lambda: uuid.uuid4().hex[:12],
        description="This process among the instances of the component.",
    )
    host: str = Field(default="127.0.0.1", description="Address to listen on and to advertise.")
    advertise_host: str | None = Field(
        default=None,
        description="Address registered in etcd when it differs from `host` (which may be "
                    "0.0.0.0 in a container): an address (a pod's IP), or a network in CIDR form "
                    "whose local address is taken (a swarm task on an overlay network).",
    )
    port: int = Field(default=0, ge=0, lt=65536, description="Port to listen on; 0 picks one.")
    version: str = Field(default="0.1.0", description="Reported in the registration.")
    etcd: str = Field(
        default="127.0.0.1:12379", description="etcd endpoint(s), host:port, comma separated."
    )
    registry_ttl: int = Field(
        default=5, ge=2, description="Lease TTL (s): how long a dead instance stays listed."
    )
    pki_dir: Path = Field(description="The stack's PKI store: CA, certificates, CRL, JWT keys.")
    log_dir: Path | None = Field(
        default=None,
        description="JSON logs go to LOG_DIR/<name>/<instance>.jsonl (rotated); stderr when unset.",
    )
    zipkin_url: str | None = Field(
        default=None, description="Zipkin's span endpoint (…/api/v2/spans); no export when unset."
    )
    trace_sample_ratio: float = Field(
        default=1.0, ge=0, le=1, description="Share of new traces that are recorded and exported."
    )
    log_level: str = Field(default="INFO", description="Least severe level that is logged.")

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The environment, then the secret files of `DYTT_SVC_SECRETS_DIR` when it is set."""
        secrets_dir = os.environ.get(SECRETS_DIR_VARIABLE)
        if not secrets_dir:
            return init_settings, env_settings
        return init_settings, env_settings, SecretsSettingsSource(settings_cls, secrets_dir)

    def advertised_host(self) -> str:
        """The host other processes reach this one at, as registered in etcd."""
        if not self.advertise_host:
            return self.host
        if "/" not in self.advertise_host:
            return self.advertise_host
        network = ipaddress.ip_network(self.advertise_host, strict=False)
        for addresses in psutil.net_if_addrs().values():
            for address in addresses:
                try:
                    ip = ipaddress.ip_address(address.address.split("%")[0])
                except ValueError:
                    continue  # a MAC address
                if ip in network:
                    return str(ip)
        raise RuntimeError(f"no local address in {network} to advertise")

    @property
    def log_file(self) -> Path | None:
        """This instance's own JSON log file (one per instance: rotation is per process)."""
        return self.log_dir / self.name / f"{self.instance_id}.jsonl" if self.log_dir else None

    @property
    def etcd_endpoints(self) -> list[tuple[str, int]]:
        """The etcd endpoints as (host, port) pairs."""
        pairs = []
        for item in self.etcd.split(","):
            host, _, port = item.strip().rpartition(":")
            pairs.append((host.strip("[]"), int(port)))
        return pairs


class UploadLimit(BaseSettings):
    """The largest video a client may publish (the gateway refuses early, publish enforces)."""

    model_config = SettingsConfigDict(env_prefix="DYTT_SVC_", extra="ignore", frozen=True)

    max_upload_bytes: int = Field(
        default=200 * 1024 * 1024, gt=0,
        description="Largest video a client may publish (bytes); larger uploads are refused.",
    )


class ServerSettings(ProcessSettings):
    """A process that serves gRPC: who may call it, how it serves and how it stops."""

    allowed_callers: list[str] = Field(
        default=["gateway"], description="Identities allowed to call this service's methods."
    )
    grace_period: float = Field(
        default=10.0, gt=0, description="Seconds in-flight RPCs get to finish on SIGTERM."
    )
    deregister_delay: float = Field(
        default=1.0, ge=0,
        description="Seconds a stopping service keeps serving after it deregistered, while "
                    "clients' registry watches catch up.",
    )
    workers: int = Field(default=16, ge=1, description="Threads serving RPCs.")
    health_port: int | None = Field(
        default=None, ge=0, lt=65536,
        description="Also serve the gRPC health service alone, in plaintext, on this port: for "
                    "probes that cannot do mutual TLS (Kubernetes' grpc probe). Unset: none.",
    )


class ServiceSettings(ServerSettings):
    """A dytt service: a gRPC server over the database."""

    database_url: SecretStr = Field(
        description="SQLAlchemy URL of the database (mysql+mysqldb://...)."
    )
    media_base_url: str = Field(
        default="http://127.0.0.1:19000/dytt-media",
        description="Absolute URL prefix under which clients fetch media objects.",
    )
    display_timezone: str = Field(
        default="Asia/Shanghai",
        description="Time zone of dates shown as text (a comment's mm-dd); the app's users' zone.",
    )
