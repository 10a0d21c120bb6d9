"""The gateway's settings: a service's settings plus what only the HTTP side needs."""

from __future__ import annotations

from pydantic import Field

from services.common.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    """Everything the gateway process needs; `dyttctl` sets it through the environment."""

    name: str = "gateway"
    rpc_timeout: float = Field(default=5.0, gt=0, description="Deadline of each RPC (s).")
    publish_timeout: float = Field(
        default=120.0, gt=0, description="Deadline of a publish RPC, upload included (s)."
    )
    listen_fd: int | None = Field(
        default=None,
        description="Listening socket inherited from the supervisor (shared by every gateway).",
    )
    drain_delay: float = Field(
        default=1.0, ge=0,
        description="Seconds a stopping gateway keeps serving, answering `Connection: close`, so "
                    "clients move their keep-alive connections before it closes them.",
    )
    drain_timeout: float = Field(
        default=10.0, gt=0, description="Seconds in-flight requests get to finish on SIGTERM."
    )
