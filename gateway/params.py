"""Request parameters: query string first, then the form body (the client sends both ways)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from fastapi import Request
from python_multipart.multipart import parse_options_header
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartParser

from services.mesh.errors import AppError, Code

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


async def read_params(request: Request) -> AsyncIterator[Params]:
    """The request's parameters (a dependency); uploads are closed after the response."""
    async with request_params(request) as params:
        yield params


@asynccontextmanager
async def request_params(request: Request) -> AsyncIterator[Params]:
    """Merge query and form parameters; the query wins where both name a field.

    Text must be valid UTF-8. Starlette decodes leniently (U+FFFD in query strings and
    urlencoded forms, latin-1 in multipart fields), which would store mojibake; so the raw bytes
    are checked strictly and invalid text is refused, naming the field.
    """
    _check_urlencoded(request.scope["query_string"])
    values: dict[str, str] = {}
    files: dict[str, UploadFile] = {}
    form: FormData | None = None
    content_type = request.headers.get("content-type", "")
    # GETs carry form fields too (the official tests attach them)
    if content_type.startswith(_FORM_TYPES):
        if content_type.startswith("multipart/form-data"):
            form = await _multipart(request)
        else:
            _check_urlencoded(await request.body())
            form = await _form(request)
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                files.setdefault(key, value)
            else:
                values.setdefault(key, value)
    values.update(request.query_params)
    try:
        yield Params(values, files)
    finally:
        if form is not None:
            await form.close()


async def _form(request: Request) -> FormData:
    try:
        return await request.form()
    except Exception as exc:  # malformed bodies
        raise AppError(Code.INVALID_ARGUMENT, "the form body cannot be parsed") from exc


def _not_utf8(name: str) -> AppError:
    return AppError(Code.INVALID_ARGUMENT, f"{name[:40]} is not valid UTF-8")


def _check_urlencoded(raw: bytes) -> None:
    """Refuse a query string or urlencoded body whose names or values are not UTF-8."""
    for pair in raw.split(b"&"):
        name, _, value = pair.partition(b"=")
        try:
            field = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            raise _not_utf8("a parameter name") from None
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            raise _not_utf8(field) from None


class _StrictMultiPartParser(MultiPartParser):
    """Starlette's parser, noting the text fields that are not valid in their charset (it
    would silently decode them as latin-1). It reads the parser's current part and charset,
    which are private: tests/gateway/test_params.py catches a Starlette that changes them."""

    invalid: list[str]

    def on_part_end(self) -> None:
        part = self._current_part
        if part.file is None:
            try:
                bytes(part.data).decode(self._charset or "utf-8")
            except (UnicodeDecodeError, LookupError):
                self.invalid.append(part.field_name)
        super().on_part_end()

    def on_headers_finished(self) -> None:
        super().on_headers_finished()
        _, options = parse_options_header(self._current_part.content_disposition)
        try:
            options.get(b"name", b"").decode(self._charset or "utf-8")
        except (UnicodeDecodeError, LookupError):
            self.invalid.append("a field name")


async def _multipart(request: Request) -> FormData:
    """The multipart form of `request`, parsed like `Request.form()` but strict about text."""
    try:
        async with aclosing(request.stream()) as stream:
            parser = _StrictMultiPartParser(request.headers, stream)
            parser.invalid = []
            form = await parser.parse()
    except Exception as exc:  # malformed multipart bodies
        raise AppError(Code.INVALID_ARGUMENT, "the form body cannot be parsed") from exc
    if parser.invalid:
        await form.close()
        raise _not_utf8(parser.invalid[0])
    return form
