"""Providers run the stack's components: native processes, docker containers, or nothing at all
(external endpoints that are only health-checked)."""

from __future__ import annotations

from stack.providers.base import Instance, Provider
from stack.providers.docker import DockerProvider
from stack.providers.external import ExternalProvider
from stack.providers.native import NativeProvider

__all__ = ["DockerProvider", "ExternalProvider", "Instance", "NativeProvider", "Provider", "get"]


def get(name: str) -> Provider:
    """The provider called `name`."""
    providers: dict[str, type[Provider]] = {
        "native": NativeProvider,
        "docker": DockerProvider,
        "external": ExternalProvider,
    }
    return providers[name]()
