"""Camshaft requests as authlib sees them, and authlib's answers as WSGI responses.

Parameters are read from exactly one place: the query string for the authorization
endpoint (where RFC 6749 puts them), an ``application/x-www-form-urlencoded`` body for
the token, revocation and introspection endpoints, so a client secret, code or token is
never taken from a URL (where it would end up in logs and ``Referer`` headers).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from authlib.oauth2.rfc6749 import OAuth2Payload, OAuth2Request
from authlib.oauth2.rfc6749.errors import InsecureTransportError
from werkzeug.wrappers import Response
from werkzeug.wsgi import get_current_url

from .errors import OAuthProblem

if TYPE_CHECKING:
    from camshaft.plugin import Request

__all__ = [
    "CamshaftOAuth2Request",
    "current_url",
    "form_params",
    "json_response",
    "query_params",
    "urlencoded_response",
]

FORM = "application/x-www-form-urlencoded"
NO_STORE = (("Cache-Control", "no-store"), ("Pragma", "no-cache"))


def current_url(request: Request) -> str:
    """The URL the client asked for (scheme, host, path and query), as it signed it."""
    return str(get_current_url(request.environ))


def _pairs(text: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(text, keep_blank_values=True, strict_parsing=False, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise OAuthProblem(400, "invalid_request", "The parameters are not valid UTF-8.") from None


def _single(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Parameters by name; RFC 6749 §3.1 and §3.2 forbid repeating one."""
    values: dict[str, list[str]] = defaultdict(list)
    for name, value in pairs:
        values[name].append(value)
    repeated = sorted(n for n, v in values.items() if len(v) > 1)
    if repeated:
        raise OAuthProblem(
            400, "invalid_request", f"Parameters must not be repeated: {', '.join(repeated)}."
        )
    return values


def query_params(request: Request) -> dict[str, list[str]]:
    """The query string's parameters (each at most once)."""
    return _single(_pairs(request.environ.get("QUERY_STRING", "")))


def form_params(request: Request) -> dict[str, list[str]]:
    """The form-encoded body's parameters (each at most once).

    :raises OAuthProblem: another Content-Type, a body that is not UTF-8, or a repeated
        parameter (400 ``invalid_request``); 413 past the app's body size limit.
    """
    if request.content_type != FORM:
        raise OAuthProblem(
            400, "invalid_request", f"Send the parameters as {FORM} in the request body."
        )
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise OAuthProblem(400, "invalid_request", "The body is not valid UTF-8.") from None
    return _single(_pairs(text))


class _Payload(OAuth2Payload):
    def __init__(self, values: Mapping[str, list[str]]) -> None:
        self._datalist = dict(values)
        self._data = {k: v[0] for k, v in values.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> dict[str, list[str]]:
        return self._datalist


class CamshaftOAuth2Request(OAuth2Request):
    """An authlib request over a Camshaft request, with its parameters from one place.

    :param params: the parameters (from :func:`query_params` or :func:`form_params`).
    :param source: ``"query"`` or ``"form"``: where they came from.
    :raises OAuthProblem: the request came over plain HTTP to a host other than the
        loopback (``insecure_transport``).
    """

    payload: _Payload  # always set, unlike authlib's Optional one

    def __init__(self, request: Request, params: Mapping[str, list[str]], source: str) -> None:
        try:
            # Werkzeug's headers are a case-insensitive mapping, not a typing.Mapping.
            headers: Any = request.headers
            super().__init__(request.method, current_url(request), headers=headers)
        except InsecureTransportError:
            raise OAuthProblem(
                400, "invalid_request", "OAuth 2.0 requires HTTPS (or a loopback address)."
            ) from None
        self.payload = _Payload(params)
        self._source = source
        self.camshaft_request = request

    @property
    def args(self) -> dict[str, str | None]:
        return dict(self.payload.data) if self._source == "query" else {}

    @property
    def form(self) -> dict[str, str]:
        return self.payload.data if self._source == "form" else {}


def _headers(headers: Iterable[tuple[str, str]], content_type: str) -> list[tuple[str, str]]:
    out = [
        (k, v) for k, v in headers if k.lower() not in ("content-type", "cache-control", "pragma")
    ]
    out.append(("Content-Type", content_type))
    out.extend(NO_STORE)
    return out


def json_response(status: int, body: Any, headers: Iterable[tuple[str, str]] = ()) -> Response:
    """A JSON response that no cache keeps (token and introspection responses)."""
    if isinstance(body, str) and not body:
        return Response(b"", status=status, headers=_headers(headers, "text/plain"))
    payload = body if isinstance(body, str | bytes) else json.dumps(body)
    return Response(payload, status=status, headers=_headers(headers, "application/json"))


def problem_json(problem: OAuthProblem, instance: str | None = None) -> Response:
    """An OAuth error as RFC 6749 §5.2 wants it from the token endpoint (and RFC 7009 /
    7662 from revocation and introspection): ``application/json``, never cached; the
    body is the problem document, whose ``error`` and ``error_description`` are the OAuth
    members."""
    return json_response(problem.status, problem.to_problem(instance), problem.headers)


def urlencoded_response(
    status: int, body: Any, headers: Iterable[tuple[str, str]] = ()
) -> Response:
    """A form-encoded response (OAuth 1.0a token responses)."""
    if isinstance(body, list | tuple):
        body = urlencode([(k, "true" if v is True else str(v)) for k, v in body])
    return Response(body or b"", status=status, headers=_headers(headers, FORM))
