"""Request parameters: query string first, then the form body (the client sends both ways)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import UploadFile

from services.common.errors import AppError, Code

MAX_INT64 = 2**63 - 1
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Params:
    """The merged parameters of one request, with typed accessors that fail clearly."""

    values: Mapping[str, str]
    files: Mapping[str, UploadFile]

    def text(self, name: str, *, required: bool = True) -> str | None:
        """A string parameter; missing and required is an error."""
        value = self.values.get(name)
        if value is None and required:
            raise AppError(Code.INVALID_ARGUMENT, f"{name} is required")
        return value

    def _int(self, name: str, raw: str, kind: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            message = f"{name} must be an integer, got {raw[:40]!r}"
            raise AppError(Code.INVALID_ARGUMENT, message) from None
        if not -MAX_INT64 - 1 <= value <= MAX_INT64:
            raise AppError(Code.INVALID_ARGUMENT, f"{name} must be {kind}")
        return value

    def positive_id(self, name: str, *, required: bool = True) -> int | None:
        """An id: a positive int64."""
        raw = self.values.get(name)
        if raw is None or raw == "":
            if required:
                raise AppError(Code.INVALID_ARGUMENT, f"{name} is required")
            return None
        value = self._int(name, raw, "a positive 64-bit integer")
        if value <= 0:
            raise AppError(Code.INVALID_ARGUMENT, f"{name} must be a positive 64-bit integer")
        return value

    def non_negative(self, name: str) -> int:
        """A non-negative int64; missing or empty is 0."""
        raw = self.values.get(name)
        if raw is None or raw == "":
            return 0
        value = self._int(name, raw, "a non-negative 64-bit integer")
        if value < 0:
            raise AppError(Code.INVALID_ARGUMENT, f"{name} must not be negative, got {value}")
        return value

    def action(self, name: str, allowed: Mapping[int, str]) -> str:
        """An enumerated action (e.g. action_type 1 or 2); the name of the one given."""
        raw = self.values.get(name)
        choices = ", ".join(f"{k} ({v})" for k, v in allowed.items())
        if raw is None or raw == "":
            raise AppError(Code.INVALID_ARGUMENT, f"{name} is required: {choices}")
        try:
            return allowed[int(raw)]
        except (ValueError, KeyError):
            message = f"{name} must be one of {choices}, got {raw[:40]!r}"
            raise AppError(Code.INVALID_ARGUMENT, message) from None

    def file(self, name: str) -> UploadFile:
        """An uploaded file (multipart)."""
        upload = self.files.get(name)
        if upload is None:
            message = f"{name} is required: the video file, sent as multipart/form-data"
            raise AppError(Code.INVALID_ARGUMENT, message)
        return upload

    @property
    def token(self) -> str | None:
        """The `token` parameter, None when absent or empty."""
        return self.values.get("token") or None


async def read_params(request: Request) -> Params:
    """Merge query and form parameters; the query wins where both name a field."""
    values: dict[str, str] = {}
    files: dict[str, UploadFile] = {}
    content_type = request.headers.get("content-type", "")
    # GETs carry form fields too (the official tests attach them)
    if content_type.startswith(_FORM_TYPES):
        try:
            form = await request.form()
        except Exception as exc:  # malformed multipart bodies
            raise AppError(Code.INVALID_ARGUMENT, "the form body cannot be parsed") from exc
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                files.setdefault(key, value)
            else:
                values.setdefault(key, value)
    values.update(request.query_params)
    return Params(values, files)
