"""The gateway's settings: a process's settings plus what only the HTTP side needs."""

from __future__ import annotations

from pydantic import Field, field_validator

from gateway.limits import LimitSettings, Rate
from services.mesh.settings import ProcessSettings, UploadLimit


class GatewaySettings(ProcessSettings, UploadLimit):
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

    # Abuse limits, per gateway process (see gateway.limits). A register or login costs ~250 ms
    # of bcrypt CPU in the user service; actions write rows and counters.
    login_per_username: str = Field(
        default="10/60s burst 30",
        description="Register and login attempts per username. Sustained 10 a minute stops "
                    "password guessing at one name; the burst of 30 lets the camp's test "
                    "client run twice in a row (each of its tests registers, then logs in, its "
                    "two fixed users: about 20 attempts per name).",
    )
    login_per_address: str = Field(
        default="60/60s burst 60",
        description="Register and login attempts per client address: a quarter of a core of "
                    "bcrypt sustained; the burst covers a shared NAT or the camp client run twice.",
    )
    actions_per_user: str = Field(
        default="20/1s burst 40",
        description="Actions (publish, favorite, comment, relation, message) per user: far above "
                    "what a person taps, far below what a script can send.",
    )
    limit_max_keys: int = Field(
        default=100_000, gt=0,
        description="Keys each limit tracks at most; the least recently used go first.",
    )

    @field_validator("login_per_username", "login_per_address", "actions_per_user")
    @classmethod
    def _is_rate(cls, value: str) -> str:
        Rate.parse(value)
        return value

    def limit_settings(self) -> LimitSettings:
        """The abuse limits configured for this gateway."""
        return LimitSettings(self.login_per_username, self.login_per_address,
                             self.actions_per_user, self.limit_max_keys)
