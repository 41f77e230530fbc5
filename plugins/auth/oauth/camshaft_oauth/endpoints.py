"""The HTTP endpoints, contributed as custom routes (``camshaft_routes``).

OAuth 2.0: authorize (GET shows or decides, POST decides), token, revoke, introspect.
OAuth 1.0a: request token, authorize, access token. Paths come from the settings; an
empty path leaves an endpoint out. The authorize endpoints exist only when
``[oauth.authorize] authentication`` names the schemes that identify resource owners.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749.errors import OAuth2Error
from werkzeug.wrappers import Response

from camshaft import Handler, Route
from camshaft.errors import ConfigurationError, Forbidden, HTTPError, Unauthorized
from camshaft.permissions import authenticated

from .adapters import (
    CamshaftOAuth2Request,
    form_params,
    json_response,
    problem_json,
    query_params,
)
from .errors import OAuthProblem
from .oauth1_server import OAuth1Server, oauth1_request

if TYPE_CHECKING:
    from .provider import OAuthProvider

__all__ = ["routes_for"]


def _one(params: dict[str, list[str]], name: str) -> str:
    values = params.get(name)
    return values[0] if values else ""


class _Endpoint(Handler):
    """Base of the OAuth endpoints: no automatic routes, open unless told otherwise
    (``authentication = ()`` so ``auth.default`` does not apply to them)."""

    automatic_routes = False
    authentication: ClassVar[tuple[str, ...] | None] = ()
    provider: ClassVar[OAuthProvider]

    def _counted(self, respond: Callable[[], Response]) -> Response:
        """``respond()``, with client authentication failures counted against the client
        address like every scheme's (``auth.failures``): a blocked address is answered
        429 before its secret is checked, and a 401 counts one failure."""
        failures = self.request.app.auth_failures
        if failures is None:
            return respond()
        failures.check(self.request)
        try:
            response = respond()
        except HTTPError as exc:
            if exc.status == 401:
                failures.record(self.request)
            raise
        if response.status_code == 401:
            failures.record(self.request)
        return response

    def _owner(self) -> str:
        """The resource owner deciding: an authenticated user, never an anonymous
        identity, a client or a key (none of them may grant a code or a verifier).

        :raises Unauthorized: the identity is not a user.
        """
        identity = self.identity
        if identity.kind != "user" or not identity.is_authenticated:
            raise Unauthorized("The resource owner must sign in to authorize a client.")
        return str(identity.id)

    def _decide(self, client_id: str, scope: str, parts: tuple[str, ...]) -> Any:
        """The owner's decision: True (approve), False (deny), or a prompt to show.

        On POST the form's ``consent_token`` must match ``parts`` and ``decision`` says.
        """
        provider = self.provider
        request = self.request
        if request.method == "POST":
            form = form_params(request)
            if not provider.consent_signer.verify(_one(form, "consent_token"), *parts):
                raise Forbidden("The consent token is missing, expired or not for this request.")
            decision = _one(form, "decision")
            if decision not in ("approve", "deny"):
                raise OAuthProblem(400, "invalid_request", "decision must be approve or deny.")
            return decision == "approve"
        consent = provider.consent
        if consent == "auto":
            return True
        if callable(consent):
            return bool(consent(request, self.identity, client_id, scope.split()))
        return None  # prompt


class OAuth2Authorize(_Endpoint):
    """``GET``/``POST /oauth/authorize``: the authorization code grant's first leg."""

    allowed_methods = ("GET", "POST")
    # Any signed-in resource owner may answer the consent prompt (the consent token
    # binds the answer to the owner, client and scopes it was shown for).
    permissions = {"*": authenticated}

    def GET(self) -> Any:
        return self._authorize()

    def POST(self) -> Any:
        return self._authorize()

    def _authorize(self) -> Any:
        server = self.provider.oauth2
        user = self._owner()
        try:
            oauth_request = CamshaftOAuth2Request(self.request, query_params(self.request), "query")
            # Unannotated in types-authlib; it returns the authorization code grant.
            grant = server.get_consent_grant(oauth_request, end_user=user)  # type: ignore[no-untyped-call]
        except OAuth2Error as error:
            return server.handle_error_response(oauth_request, error)
        except ValueError:  # authlib refuses to quote some characters in a description
            raise OAuthProblem(400, "invalid_request", "The request is malformed.") from None
        data = oauth_request.payload.data
        client_id = grant.client.get_client_id()
        scope = oauth_request.scope or ""
        parts = (
            user,
            client_id,
            grant.redirect_uri,
            scope,
            data.get("code_challenge", ""),
            data.get("state", ""),
        )
        decision = self._decide(client_id, scope, parts)
        if decision is None:
            return {
                "client_id": client_id,
                "client_name": grant.client.name,
                "scope": scope.split(),
                "redirect_uri": grant.redirect_uri,
                "consent_token": self.provider.consent_signer.sign(*parts),
                "decision": ["approve", "deny"],
            }
        return server.create_authorization_response(
            oauth_request, grant_user=user if decision else None, grant=grant
        )


class OAuth2Token(_Endpoint):
    """``POST /oauth/token``: authorization_code, refresh_token, client_credentials."""

    allowed_methods = ("POST",)

    def POST(self) -> Response:
        try:
            params = form_params(self.request)
            oauth_request = CamshaftOAuth2Request(self.request, params, "form")
            # types-authlib says a tuple; authlib answers handle_response's, ours a Response.
            return self._counted(
                lambda: cast(Response, self.provider.oauth2.create_token_response(oauth_request))
            )
        except OAuthProblem as problem:
            return problem_json(problem, self.request.path)  # RFC 6749 §5.2


class OAuth2Revoke(_Endpoint):
    """``POST /oauth/revoke`` (RFC 7009)."""

    allowed_methods = ("POST",)

    def POST(self) -> Response:
        try:
            oauth_request = CamshaftOAuth2Request(self.request, form_params(self.request), "form")
            return self._counted(
                # Unannotated in types-authlib; it answers our handle_response's Response.
                lambda: self.provider.oauth2.create_endpoint_response(  # type: ignore[no-untyped-call]
                    "revocation", oauth_request
                )
            )
        except OAuthProblem as problem:
            return problem_json(problem, self.request.path)  # RFC 6749 §5.2, as RFC 7009 / 7662 say


class OAuth2Introspect(_Endpoint):
    """``POST /oauth/introspect`` (RFC 7662)."""

    allowed_methods = ("POST",)

    def POST(self) -> Response:
        try:
            oauth_request = CamshaftOAuth2Request(self.request, form_params(self.request), "form")
            return self._counted(
                # Unannotated in types-authlib; it answers our handle_response's Response.
                lambda: self.provider.oauth2.create_endpoint_response(  # type: ignore[no-untyped-call]
                    "introspection", oauth_request
                )
            )
        except OAuthProblem as problem:
            return problem_json(problem, self.request.path)  # RFC 6749 §5.2, as RFC 7009 / 7662 say


class OAuth1RequestToken(_Endpoint):
    """``POST /oauth1/request_token``: temporary credentials (RFC 5849 §2.1)."""

    allowed_methods = ("POST",)

    def POST(self) -> Response:
        server = OAuth1Server(self.provider, self.request)
        return self._counted(
            # Unannotated in types-authlib; it answers our handle_response's Response.
            lambda: server.create_temporary_credentials_response(  # type: ignore[no-untyped-call]
                oauth1_request(self.request)
            )
        )


class OAuth1AccessToken(_Endpoint):
    """``POST /oauth1/access_token``: token credentials (RFC 5849 §2.3)."""

    allowed_methods = ("POST",)

    def POST(self) -> Response:
        server = OAuth1Server(self.provider, self.request)
        return self._counted(
            # Unannotated in types-authlib; it answers our handle_response's Response.
            lambda: server.create_token_response(  # type: ignore[no-untyped-call]
                oauth1_request(self.request)
            )
        )


class OAuth1Authorize(_Endpoint):
    """``GET``/``POST /oauth1/authorize?oauth_token=...``: the owner approves a request
    token (RFC 5849 §2.2). Redirects to the consumer's callback with ``oauth_token`` and
    ``oauth_verifier``; for an ``oob`` callback without a registered one, answers them as
    JSON for the owner to copy."""

    permissions = {"*": authenticated}

    allowed_methods = ("GET", "POST")

    def GET(self) -> Any:
        return self._authorize()

    def POST(self) -> Any:
        return self._authorize()

    def _authorize(self) -> Any:
        user = self._owner()
        repository = self.provider.repository
        token_value = _one(query_params(self.request), "oauth_token")
        temporary = repository.get_oauth1_token(token_value, "request") if token_value else None
        if temporary is None or temporary.user_id is not None:
            raise OAuthProblem(400, "invalid_token", "The request token is unknown or used.")
        consumer = repository.get_consumer(temporary.consumer_key)
        if consumer is None:
            raise OAuthProblem(400, "invalid_token", "The request token is unknown or used.")
        parts = (user, consumer.consumer_key, temporary.token, temporary.scope)
        decision = self._decide(consumer.consumer_key, temporary.scope, parts)
        if decision is None:
            return {
                "consumer_key": consumer.consumer_key,
                "consumer_name": consumer.name,
                "scope": temporary.scope.split(),
                "consent_token": self.provider.consent_signer.sign(*parts),
                "decision": ["approve", "deny"],
            }
        callback = temporary.callback_uri
        if not callback or callback == "oob":
            callback = consumer.get_default_redirect_uri()
        if not decision:
            repository.retire_oauth1_token(temporary.token)
            if callback:
                location = add_params_to_uri(callback, [("error", "access_denied")])
                return json_response(302, "", [("Location", location)])
            raise Forbidden("The resource owner denied the request.")
        verifier = secrets.token_urlsafe(24)
        if not repository.authorize_request_token(temporary.token, user, verifier):
            raise OAuthProblem(400, "invalid_token", "The request token is unknown or used.")
        params = [("oauth_token", temporary.token), ("oauth_verifier", verifier)]
        if callback:
            return json_response(302, "", [("Location", add_params_to_uri(callback, params))])
        return json_response(200, dict(params))


def routes_for(provider: OAuthProvider) -> list[Route]:
    """This app's endpoint routes, bound to its provider."""
    oauth2 = provider.oauth2_settings
    oauth1 = provider.oauth1_settings
    owner_schemes = tuple(provider.authorize_settings["authentication"])
    if "anonymous" in owner_schemes:
        raise ConfigurationError(
            "oauth.authorize.authentication must name schemes that identify resource "
            "owners; 'anonymous' would let nobody grant codes and verifiers"
        )

    def bind(cls: type[_Endpoint], **attrs: Any) -> type[_Endpoint]:
        return type(cls.__name__, (cls,), {"provider": provider, **attrs})

    table: list[tuple[str, type[_Endpoint]]] = [
        (oauth2["token_path"], bind(OAuth2Token)),
        (oauth2["revoke_path"], bind(OAuth2Revoke)),
        (oauth2["introspect_path"], bind(OAuth2Introspect)),
        (oauth1["request_token_path"], bind(OAuth1RequestToken)),
        (oauth1["access_token_path"], bind(OAuth1AccessToken)),
    ]
    if owner_schemes:
        table.append(
            (oauth2["authorize_path"], bind(OAuth2Authorize, authentication=owner_schemes))
        )
        table.append(
            (oauth1["authorize_path"], bind(OAuth1Authorize, authentication=owner_schemes))
        )
    return [Route(path, cls) for path, cls in table if path]
