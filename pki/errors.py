"""The single exception hierarchy of the pki package; every message is one line."""

from __future__ import annotations


class PkiError(Exception):
    """Base class of every error the pki package raises on purpose."""

    def __init__(self, message: str) -> None:
        # Callers print str(err) as a single status line, so fold any stray newlines away.
        super().__init__(" ".join(str(message).split()))


class InvalidName(PkiError):
    """A certificate name is not a short lowercase identifier."""


class CertNotFound(PkiError):
    """A certificate, key, or other PKI file that was needed does not exist."""


class InvalidMaterial(PkiError):
    """A file or object exists but is unreadable, of the wrong type, or inconsistent."""


class MaterialExists(PkiError):
    """Refusing to overwrite existing material without an explicit force."""


class InvalidToken(PkiError):
    """A JWT failed verification; `reason` is a short machine-friendly cause."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"invalid token: {reason}")
