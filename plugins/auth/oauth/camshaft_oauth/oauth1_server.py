"""The OAuth 1.0a provider (RFC 5849): authlib's signature checks over our tables.

What authlib's servers are changed for:

* **Signature before nonce.** authlib records the nonce before checking the signature,
  so anybody could burn a client's nonces. Here the timestamp is checked first, then the
  signature, and only a request whose signature verifies has its nonce recorded.
* **Timestamps in a window both ways.** A timestamp more than ``oauth1.timestamp_window``
  seconds in the past *or the future* is refused (authlib checks the past only).
* **Replays refused atomically across workers.** ``(consumer, token, timestamp, nonce)``
  is added to ``app.nonce_store`` (shared through Redis with ``nonces.backend =
  "redis"``); ``add`` is atomic, so of two identical requests exactly one passes.
* **Header only.** OAuth parameters are accepted in the ``Authorization: OAuth`` header
  only, never from the query string or a form body.
* **Nothing changes before the signature verifies.** authlib retires whatever request
  token a failed exchange named, signed or not; here the token endpoint checks the
  consumer, its own request token, the timestamp and the signature before anything else,
  and only then the verifier. Only a verified request of the consumer the request token
  belongs to retires it.
* **Callbacks bound to the consumer.** ``oauth_callback`` must be ``oob`` or one of the
  consumer's registered callbacks, or the request token is refused (400).
* **Signature methods** are per app (``oauth1.signature_methods``); PLAINTEXT only when
  listed there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from authlib.oauth1.rfc5849 import AuthorizationServer, ResourceProtector
from authlib.oauth1.rfc5849.errors import (
    InsecureTransportError,
    InvalidClientError,
    InvalidNonceError,
    InvalidRequestError,
    InvalidTokenError,
    MissingRequiredParameterError,
    OAuth1Error,
)
from authlib.oauth1.rfc5849.signature import SIGNATURE_TYPE_HEADER
from authlib.oauth1.rfc5849.wrapper import OAuth1Request
from werkzeug.wrappers import Response

from .adapters import FORM, current_url, urlencoded_response
from .errors import OAuthProblem, from_authlib
from .models import Consumer, OAuth1Token

if TYPE_CHECKING:
    from camshaft.plugin import Request

    from .provider import OAuthProvider

__all__ = ["OAuth1Resource", "OAuth1Server", "oauth1_request"]


def oauth1_request(request: Request, *, signed: bool = True) -> OAuth1Request:
    """authlib's view of a Camshaft request.

    A form-encoded body (not on GET or HEAD) is part of the signature base string
    (RFC 5849 §3.4.1.3.1); other bodies are not.

    :param signed: whether the request must carry its OAuth parameters in the
        ``Authorization`` header (the token endpoints and protected resources); the
        authorize endpoint is reached by the owner's browser and carries none.
    :raises OAuthProblem: malformed header, parameters outside the header, duplicated
        parameters (400), or plain HTTP to a host other than the loopback.
    """
    body = None
    if request.method not in ("GET", "HEAD") and request.content_type == FORM:
        body = request.body.decode("utf-8", errors="replace")
    headers = {} if not signed else {"Authorization": request.header("Authorization") or ""}
    try:
        oauth_request = OAuth1Request(request.method, current_url(request), body, headers)
    except InsecureTransportError:
        raise OAuthProblem(400, "invalid_request", "OAuth requires HTTPS.") from None
    except OAuth1Error as exc:
        raise from_authlib(exc, request.app.settings.plugin("oauth")["realm"]) from None
    except ValueError:
        raise OAuthProblem(
            400, "invalid_request", "The Authorization header is malformed."
        ) from None
    if signed and oauth_request.signature_type != SIGNATURE_TYPE_HEADER:
        raise OAuthProblem(
            400,
            "invalid_request",
            "Send the OAuth parameters in the Authorization header, not the URL or body.",
        )
    return oauth_request


class _Checks:
    """Timestamp, signature and nonce checks shared by the server and the protector."""

    provider: OAuthProvider
    camshaft_request: Request | None = None

    def _setup(self, provider: OAuthProvider) -> None:
        self.provider = provider
        # An instance attribute: authlib's is a class attribute shared by every app.
        self.SUPPORTED_SIGNATURE_METHODS = list(provider.oauth1_settings["signature_methods"])

    def get_client_by_id(self, client_id: str) -> Consumer | None:
        return self.provider.repository.get_consumer(client_id)

    def validate_timestamp_and_nonce(self, request: OAuth1Request) -> None:
        """Only the timestamp here; the nonce is recorded after the signature checks."""
        timestamp = request.oauth_params.get("oauth_timestamp")
        if not timestamp:
            raise MissingRequiredParameterError("oauth_timestamp")
        if not request.oauth_params.get("oauth_nonce"):
            raise MissingRequiredParameterError("oauth_nonce")
        if not timestamp.isdigit():
            raise InvalidRequestError('Invalid "oauth_timestamp" value')
        window = self.provider.oauth1_settings["timestamp_window"]
        if abs(self.provider.clock() - int(timestamp)) > window:
            raise InvalidRequestError(
                f'"oauth_timestamp" is more than {window} seconds from the server\'s clock',
                status_code=401,
            )

    def validate_oauth_signature(self, request: OAuth1Request) -> None:
        super().validate_oauth_signature(request)  # type: ignore[misc]
        params = request.oauth_params
        window = self.provider.oauth1_settings["timestamp_window"]
        key = ":".join(
            (
                "camshaft-oauth:oauth1",
                params.get("oauth_consumer_key", ""),
                params.get("oauth_token", ""),
                params["oauth_timestamp"],
                params["oauth_nonce"],
            )
        )
        assert self.camshaft_request is not None
        # A timestamp is accepted for at most 2 * window seconds; keep the nonce longer.
        if not self.camshaft_request.app.nonce_store.add(key, 2 * window + 1):
            raise InvalidNonceError()


class OAuth1Server(_Checks, AuthorizationServer):
    """The temporary-credential (request token) and token (access token) endpoints.

    One instance serves one request (``camshaft_request`` is per request), made by
    :meth:`OAuthProvider.oauth1_server`.
    """

    def __init__(self, provider: OAuthProvider, request: Request) -> None:
        self._setup(provider)
        self.camshaft_request = request
        #: The request token whose consumer's signature verified on this request.
        self.verified: OAuth1Token | None = None

    if TYPE_CHECKING:
        # authlib's own (private, so not in types-authlib): get_client_by_id, its
        # answer also set as request.client.
        def _get_client(self, request: OAuth1Request) -> Consumer | None: ...

    def create_oauth1_request(self, request: Any) -> OAuth1Request:
        if not isinstance(request, OAuth1Request):
            raise TypeError("build an OAuth1Request first")
        return request

    def handle_response(self, status_code: int, payload: Any, headers: Any) -> Response:
        return urlencoded_response(status_code, payload, headers)

    def handle_error_response(self, error: OAuth1Error) -> Response:
        raise from_authlib(error, self.provider.realm)

    def create_temporary_credential(self, request: OAuth1Request) -> OAuth1Token:
        consumer = request.client
        assert isinstance(consumer, Consumer)  # set by authlib from get_client_by_id
        callback = request.redirect_uri
        if callback != "oob" and callback not in consumer.callback_uris:
            raise OAuthProblem(
                400,
                "invalid_request",
                "oauth_callback must be 'oob' or a callback registered for this consumer.",
            )
        return self.provider.repository.add_oauth1_token(
            kind="request",
            consumer_key=consumer.consumer_key,
            callback_uri=request.redirect_uri,
            scope=consumer.scope,
            ttl=self.provider.oauth1_settings["request_token_ttl"],
        )

    def get_temporary_credential(self, request: OAuth1Request) -> OAuth1Token | None:
        token = self.provider.repository.get_oauth1_token(request.token, "request")
        if token is None or token.consumer_key != request.client_id:
            return None
        return token

    def validate_token_request(self, request: OAuth1Request) -> OAuth1Request:
        """authlib's checks, reordered: the signature (over the consumer's own request
        token) before the verifier, and nothing retired until it verifies."""
        if not request.client_id:
            raise MissingRequiredParameterError("oauth_consumer_key")
        if not self._get_client(request):
            raise InvalidClientError()
        if not request.token:
            raise MissingRequiredParameterError("oauth_token")
        token = self.get_temporary_credential(request)
        if not token:
            raise InvalidTokenError()
        verifier = request.oauth_params.get("oauth_verifier")
        if not verifier:
            raise MissingRequiredParameterError("oauth_verifier")
        request.credential = token
        self.validate_timestamp_and_nonce(request)
        self.validate_oauth_signature(request)
        self.verified = token
        if not token.check_verifier(verifier):
            raise InvalidRequestError('Invalid "oauth_verifier"')
        return request

    def delete_temporary_credential(self, request: OAuth1Request) -> None:
        # Only a request token whose own consumer signed this request: a failed,
        # unsigned or foreign exchange leaves every token as it was.
        token = self.verified
        if token is not None and token.consumer_key == request.client_id:
            self.provider.repository.retire_oauth1_token(token.token)

    def create_token_credential(self, request: OAuth1Request) -> OAuth1Token:
        repository = self.provider.repository
        temporary = request.credential
        assert isinstance(temporary, OAuth1Token)  # from get_temporary_credential
        # Exchanged once: of two racing exchanges, only the one that retires it wins.
        if not repository.retire_oauth1_token(temporary.token):
            raise from_authlib(InvalidTokenError(), self.provider.realm)
        return repository.add_oauth1_token(
            kind="access",
            consumer_key=temporary.consumer_key,
            user_id=temporary.user_id,
            scope=temporary.scope,
            ttl=self.provider.oauth1_settings["access_token_ttl"] or None,
        )


class OAuth1Resource(_Checks, ResourceProtector):
    """Checks a signed request to a protected resource; one instance per request."""

    def __init__(self, provider: OAuthProvider, request: Request) -> None:
        self._setup(provider)
        self.camshaft_request = request

    def get_token_credential(self, request: OAuth1Request) -> OAuth1Token | None:
        token = self.provider.repository.get_oauth1_token(request.token, "access")
        if token is None or token.consumer_key != request.client_id:
            return None
        return token

    def check(self, oauth_request: OAuth1Request) -> OAuth1Request:
        """ResourceProtector.validate_request, on a request already built."""
        if not oauth_request.client_id:
            raise MissingRequiredParameterError("oauth_consumer_key")
        client = self.get_client_by_id(oauth_request.client_id)
        if not client:
            raise InvalidClientError()
        oauth_request.client = client
        if not oauth_request.token:
            raise MissingRequiredParameterError("oauth_token")
        token = self.get_token_credential(oauth_request)
        if not token:
            raise InvalidTokenError()
        oauth_request.credential = token
        self.validate_timestamp_and_nonce(oauth_request)
        self.validate_oauth_signature(oauth_request)
        return oauth_request
