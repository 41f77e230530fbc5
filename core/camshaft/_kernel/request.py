"""The request object handlers see: a thin, lazy view over the WSGI environ."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote

from werkzeug.datastructures import EnvironHeaders, FileStorage, MultiDict

from camshaft._kernel.auth.identity import ANONYMOUS, Identity
from camshaft._kernel.emission.descriptors import ParseLimits
from camshaft.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

if TYPE_CHECKING:
    from camshaft._kernel.app import App
    from camshaft._kernel.emission.descriptors import Emitter

__all__ = ["Request"]

_MISSING: Any = object()
_CHUNK = 64 * 1024
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
#: The most fields and files one form body may hold (Werkzeug's own default).
MAX_FORM_PARTS = 1000


class Request:
    """One request.

    :ivar environ: the WSGI environ.
    :ivar method: the HTTP method, upper case.
    :ivar path: the decoded path.
    :ivar params: the route's path parameters (``{"key": "1"}``).
    :ivar version: the API version being served (``"1.0"``).
    :ivar identity: who is asking (:data:`camshaft.ANONYMOUS` until a scheme accepts).
    :ivar emitter: the emitter chosen for the response.
    """

    __slots__ = (
        "_args",
        "_body",
        "_data",
        "_files",
        "_form",
        "_headers",
        "app",
        "emitter",
        "environ",
        "identity",
        "method",
        "params",
        "path",
        "url_version",
        "version",
    )

    def __init__(self, environ: dict[str, Any], app: App, path: str) -> None:
        self.environ = environ
        self.app = app
        self.method: str = environ.get("REQUEST_METHOD", "GET").upper()
        self.path = path
        self.params: dict[str, Any] = {}
        self.version: str = ""
        #: The version named by a ``/v1.1/`` path prefix, if the client used one.
        self.url_version: str | None = None
        self.identity: Identity = ANONYMOUS
        self.emitter: Emitter | None = None
        self._args: MultiDict[str, str] | None = None
        self._headers: EnvironHeaders | None = None
        self._body: bytes | None = None
        self._data: Any = _MISSING
        self._form: MultiDict[str, str] | None = None
        self._files: MultiDict[str, FileStorage] | None = None

    @property
    def headers(self) -> EnvironHeaders:
        """The request headers, by case-insensitive name (``headers["If-Match"]``,
        ``headers.get("X-Request-Id")``); see also :meth:`header`."""
        if self._headers is None:
            self._headers = EnvironHeaders(self.environ)
        return self._headers

    @property
    def args(self) -> MultiDict[str, str]:
        """The query string parameters."""
        if self._args is None:
            qs = self.environ.get("QUERY_STRING", "")
            self._args = MultiDict(parse_qsl(qs, keep_blank_values=True)) if qs else MultiDict()
        return self._args

    @property
    def remote_addr(self) -> str | None:
        return self.environ.get("REMOTE_ADDR")

    @property
    def content_type(self) -> str:
        """The media type of the body, lower case, without parameters ('' when absent)."""
        return str(self.environ.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()

    @property
    def base_url(self) -> str:
        """Scheme, host and script root: what an absolute link starts with."""
        env = self.environ
        host = (
            env.get("HTTP_HOST")
            or f"{env.get('SERVER_NAME', 'localhost')}:{env.get('SERVER_PORT', '80')}"
        )
        root = env.get("SCRIPT_NAME", "").rstrip("/")
        if root:
            root = quote(root)
        return f"{env.get('wsgi.url_scheme', 'http')}://{host}{root}"

    @property
    def body(self) -> bytes:
        """The raw body, at most ``max_body_size`` bytes (413 past that, also when chunked)."""
        if self._body is None:
            self._body = self._read_body(self.app.parse_limits.max_body_size)
        return self._body

    def _read_body(self, limit: int) -> bytes:
        env = self.environ
        length_header = env.get("CONTENT_LENGTH", "")
        stream = env.get("wsgi.input")
        if length_header:
            try:
                length = int(length_header)
            except ValueError:
                raise BadRequest("Content-Length is not a number.") from None
            if length < 0:
                raise BadRequest("Content-Length is negative.")
            if length > limit:
                raise _too_large(limit)
            return stream.read(length) if stream is not None and length else b""
        chunked = "chunked" in env.get("HTTP_TRANSFER_ENCODING", "").lower()
        if stream is None or not (chunked or env.get("wsgi.input_terminated")):
            return b""
        parts, size = [], 0
        while True:  # read no further than one byte past the limit
            chunk = stream.read(min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
        return b"".join(parts)

    @property
    def data(self) -> Any:
        """The parsed body (None when empty), by Content-Type.

        :raises UnsupportedMediaType: no parser for the Content-Type (415).
        :raises BadRequest: the body does not parse or breaks a limit (400).
        :raises PayloadTooLarge: the body is over the size limit (413).
        """
        if self._data is _MISSING:
            body = self.body
            if not body:
                self._data = None
            else:
                self._data = self.app.parse_body(self.content_type, body)
        return self._data

    @property
    def form(self) -> MultiDict[str, str]:
        """The fields of a ``multipart/form-data`` or ``application/x-www-form-urlencoded``
        body (empty for any other body), within the body size limit.

        :raises BadRequest: the body is not a well-formed form (400).
        :raises PayloadTooLarge: the body is over ``max_body_size`` (413).
        """
        self._parse_form()
        assert self._form is not None
        return self._form

    @property
    def files(self) -> MultiDict[str, FileStorage]:
        """The files of a ``multipart/form-data`` body, by field name (empty for any other
        body): Werkzeug :class:`~werkzeug.datastructures.FileStorage` objects with
        ``filename``, ``mimetype``, ``read()`` and ``save(path)``. The whole body is
        bounded by ``max_body_size`` (413); the file name is the client's: never use it
        as a path unchecked (``werkzeug.utils.secure_filename``).

        :raises BadRequest: the body is not well-formed multipart (400).
        :raises PayloadTooLarge: the body is over ``max_body_size`` (413).
        """
        self._parse_form()
        assert self._files is not None
        return self._files

    def _parse_form(self) -> None:
        if self._form is not None:
            return
        if self.content_type not in _FORM_TYPES:
            self._form, self._files = MultiDict(), MultiDict()
            return
        from io import BytesIO

        from werkzeug.exceptions import RequestEntityTooLarge
        from werkzeug.formparser import parse_form_data

        body = self.body  # read within the size limit, chunked or not
        limit = self.app.parse_limits.max_body_size
        environ = {
            **self.environ,
            "wsgi.input": BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
        }
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        try:
            _, form, files = parse_form_data(
                environ,
                # The body is in memory already (and bounded): no temporary files.
                stream_factory=lambda *args, **kwargs: BytesIO(),
                max_form_memory_size=limit,
                max_content_length=limit,
                silent=False,
                max_form_parts=MAX_FORM_PARTS,
            )
        except RequestEntityTooLarge:
            raise _too_large(limit) from None
        except ValueError as exc:
            raise BadRequest(f"The form body is malformed: {exc}", title="Malformed form") from None
        self._form, self._files = form, files

    @property
    def parse_limits(self) -> ParseLimits:
        return self.app.parse_limits

    def header(self, name: str, default: str | None = None) -> str | None:
        """One request header by name, without building the whole header view."""
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        value = self.environ.get(key, default)
        return value

    def url_for(self, path: str) -> str:
        """An absolute URL for an app path (``/events/1``)."""
        return self.base_url + path


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The request body exceeds the limit of {limit} bytes.")


def require_parser_for(media_type: str, known: dict[str, Any]) -> Any:
    parser = known.get(media_type)
    if parser is None:
        shown = media_type or "(none)"
        raise UnsupportedMediaType(
            f"Content-Type {shown} is not supported; send one of: {', '.join(sorted(known))}."
        )
    return parser
