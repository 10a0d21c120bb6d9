"""The stack's errors: every one carries a single line an operator can act on.

StackError
 +-- DefinitionError     the stack definition or an override is invalid
 +-- BinaryMissing       a server's program is not installed
 +-- PortTaken           a port the stack needs is held by another process
 +-- StartFailed         a component exited or could not be started
 +-- ReadinessTimeout    a component did not become ready in time
 +-- ProviderUnavailable a provider cannot work here (e.g. no Docker engine answers)
 +-- InstallFailed       `dyttctl install` could not get a server
 +-- ImageBuildFailed    `dyttctl images build` could not build an image
"""


class StackError(Exception):
    """Base of every error the stack machinery raises on purpose."""


class DefinitionError(StackError):
    """The stack definition, the config file or an environment override is invalid."""


class BinaryMissing(StackError):
    """A component's program is not installed."""


class PortTaken(StackError):
    """A port the stack needs is already held by another process."""


class StartFailed(StackError):
    """A component exited during start-up or could not be spawned."""


class ReadinessTimeout(StackError):
    """A component did not pass its readiness check in time."""


class ProviderUnavailable(StackError):
    """A provider cannot work on this machine."""


class InstallFailed(StackError):
    """Getting a server failed."""


class ImageBuildFailed(StackError):
    """Building a container image failed."""
