"""Form bodies: ``application/x-www-form-urlencoded`` and ``multipart/form-data``.

Parsed with Werkzeug's form parser, within the ``forms.*`` limits (each breach a 413
problem naming its setting; a malformed body a 400). Text fields become the request's
data (a ``dict``: one string per name, a list for a repeated name), validated by the
handler's model like a JSON body -- the builtin fields and pydantic both accept numbers
and booleans as text. Files are streamed to temporary files (kept in memory up to
500 KiB each, on disk past that), never held whole, and reach the handler as
``request.files``: ``{field name: UploadedFile}``.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.http import parse_options_header
from werkzeug.wsgi import LimitedStream

from camshaft.errors import BadRequest, PayloadTooLarge

if TYPE_CHECKING:
    from camshaft._kernel.request import Request

__all__ = ["FORM_TYPES", "UploadedFile", "parse_form"]

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
_SPOOL = 500 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One uploaded file.

    :ivar field: the form field it came in.
    :ivar filename: the name the client gave it (untrusted: never a path to write to).
    :ivar content_type: the media type the client gave it (untrusted).
    :ivar size: its size in bytes.
    :ivar stream: a binary file object positioned at its start.
    """

    field: str
    filename: str
    content_type: str
    size: int
    stream: IO[bytes]

    def read(self) -> bytes:
        """The whole content (mind ``size`` before calling this on a large file)."""
        self.stream.seek(0)
        return self.stream.read()


class _Counted:
    """A read-only stream that stops the upload once more than ``limit`` bytes came."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._stream, self._limit, self._seen = stream, limit, 0

    def read(self, size: int = -1) -> bytes:
        want = self._limit + 1 - self._seen
        chunk = self._stream.read(want if size < 0 else min(size, want))
        self._seen += len(chunk)
        if self._seen > self._limit:
            raise _limit("forms.max_size", self._limit, "The form body")
        return chunk


class _Spool:
    """A temporary file that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.file = tempfile.SpooledTemporaryFile(max_size=_SPOOL, mode="w+b")
        self.limit, self.size = limit, 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            self.file.close()
            raise _limit("forms.max_file_size", self.limit, "An uploaded file")
        return self.file.write(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.file.seek(offset, whence)

    def read(self, size: int = -1) -> bytes:
        return self.file.read(size)

    def close(self) -> None:
        self.file.close()


def _limit(setting: str, value: int, what: str) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"{what} exceeds the limit of {value} bytes ({setting}).", title="Form too large"
    )


def _too_many(parts: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The form has more than {parts} parts (forms.max_parts).", title="Form too large"
    )


def parse_form(request: Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """The text fields and files of ``request``'s form body.

    :raises PayloadTooLarge: a ``forms.*`` limit is exceeded (413; the message names it).
    :raises BadRequest: the body is malformed, or a multipart body has no boundary (400).
    """
    limits = request.app.settings["forms"]
    env = request.environ
    length = _content_length(env.get("CONTENT_LENGTH"))
    if length is not None and length > limits["max_size"]:
        raise _limit("forms.max_size", limits["max_size"], "The form body")
    stream = env.get("wsgi.input")
    if stream is None or (length is None and not _terminated(env)):
        return {}, {}
    mimetype, options = parse_options_header(env.get("CONTENT_TYPE"))
    if mimetype == "multipart/form-data" and not options.get("boundary"):
        raise BadRequest("A multipart/form-data body needs a boundary parameter.")
    spools: list[_Spool] = []

    def factory(*_: Any, **__: Any) -> Any:
        spools.append(_Spool(limits["max_file_size"]))
        return spools[-1]

    parser = FormDataParser(
        stream_factory=factory,
        # Not max_form_memory_size: Werkzeug checks it against its read buffer (64 KiB
        # at a time, file data included); text fields are measured below, and their
        # memory is bounded by forms.max_size.
        max_form_parts=limits["max_parts"],
        silent=False,
    )
    try:
        form, files = _parse(parser, stream, length, limits["max_size"], mimetype, options)
        return _checked(form, files, limits)
    except BaseException:
        for spool in spools:
            spool.close()
        raise


def _parse(
    parser: FormDataParser,
    stream: IO[bytes],
    length: int | None,
    max_size: int,
    mimetype: str,
    options: dict[str, str],
) -> tuple[Any, Any]:
    source = LimitedStream(stream, length) if length is not None else stream
    try:
        _, form, files = parser.parse(
            _Counted(source, max_size),  # type: ignore[arg-type]
            mimetype,
            length,
            options,
        )
    except RequestEntityTooLarge:  # the one limit given to Werkzeug
        raise _too_many(parser.max_form_parts or 0) from None
    except ValueError as exc:
        raise BadRequest(f"The form body is malformed: {exc}.", title="Malformed form") from None
    return form, files


def _checked(
    form: Any, files: Any, limits: dict[str, int]
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    fields = list(form.items(multi=True))
    if len(fields) + len(files) > limits["max_parts"]:
        raise _too_many(limits["max_parts"])
    for name, value in fields:
        if len(value.encode()) > limits["max_field_size"]:
            raise _limit("forms.max_field_size", limits["max_field_size"], f"Field {name!r}")
    data: dict[str, Any] = {}
    for name in form:
        values = form.getlist(name)
        data[name] = values[0] if len(values) == 1 else values
    uploads: dict[str, UploadedFile] = {}
    for name, storage in files.items(multi=True):
        spool = storage.stream
        assert isinstance(spool, _Spool)
        spool.file.seek(0)
        if name in uploads:  # one file per field name: the last one sent
            uploads[name].stream.close()
        uploads[name] = UploadedFile(
            name,
            storage.filename or "",
            storage.content_type or "application/octet-stream",
            spool.size,
            spool.file,
        )
    return data, uploads


def close_files(files: dict[str, UploadedFile]) -> None:
    """Close (and so delete) a request's uploaded files."""
    for upload in files.values():
        upload.stream.close()


def _content_length(value: str | None) -> int | None:
    if not value:
        return None
    try:
        length = int(value)
    except ValueError:
        raise BadRequest("Content-Length is not a number.") from None
    if length < 0:
        raise BadRequest("Content-Length is negative.")
    return length


def _terminated(env: dict[str, Any]) -> bool:
    return "chunked" in env.get("HTTP_TRANSFER_ENCODING", "").lower() or bool(
        env.get("wsgi.input_terminated")
    )
