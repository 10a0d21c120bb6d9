"""What routes depend on: the service clients, the token verifier and the abuse limits, built
once per app."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from gateway.auth import TokenVerifier
from gateway.limits import Limits
from gateway.rpc import Clients
from gateway.settings import GatewaySettings


@dataclass
class Services:
    """The app's connections to the rest of the stack."""

    clients: Clients
    verifier: TokenVerifier
    settings: GatewaySettings
    limits: Limits


def get_services(request: Request) -> Services:
    """The Services of the running app (set up by its lifespan)."""
    return request.app.state.services
