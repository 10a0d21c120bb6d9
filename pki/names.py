"""Validation of certificate names, which double as file names and SPIFFE path segments."""

from __future__ import annotations

import re

from pki.errors import InvalidName

# Names become file names and URI path segments, so keep them boring: no dots, slashes, or case.
NAME_PATTERN = re.compile(r"[a-z0-9_-]{1,63}")


def is_valid_name(name: object) -> bool:
    """Return True if `name` is usable as a certificate name."""
    return isinstance(name, str) and NAME_PATTERN.fullmatch(name) is not None


def validate_name(name: object) -> str:
    """Return `name` unchanged if valid, else raise InvalidName."""
    if not is_valid_name(name):
        raise InvalidName(
            f"invalid certificate name {name!r}: use 1-63 lowercase letters, digits, '-' or '_'"
        )
    return name  # type: ignore[return-value]
