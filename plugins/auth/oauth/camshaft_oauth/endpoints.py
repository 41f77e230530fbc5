"""The HTTP endpoints, contributed as custom routes (``camshaft_routes``).

OAuth 2.0: authorize (GET shows or decides, POST decides), token, revoke, introspect.
OAuth 1.0a: request token, authorize, access token. Paths come from the settings; an
empty path leaves an endpoint out. The authorize endpoints exist only when
``[oauth.authorize] authentication`` names the schemes that identify resource owners.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, ClassVar

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749.errors import OAuth2Error
from werkzeug.wrappers import Response

from camshaft import Handler, Route
from camshaft.errors import Forbidden

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

    def GET(self) -> Any:
        return self._authorize()

    def POST(self) -> Any:
        return self._authorize()

    def _authorize(self) -> Any:
        server = self.provider.oauth2
        user = str(self.identity.id)
        try:
            oauth_request = CamshaftOAuth2Request(self.request, query_params(self.request), "query")
            grant = server.get_consent_grant(oauth_request, end_user=user)
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
            return self.provider.oauth2.create_token_response(oauth_request)  # type: ignore[no-any-return]
        except OAuthProblem as problem:
            return problem_json(problem, self.request.path)  # RFC 6749 §5.2


class OAuth2Revoke(_Endpoint):
    """``POST /oauth/revoke`` (RFC 7009)."""

    allowed_methods = ("POST",)

    def POST(self) -> Response:
        try:
            oauth_request = CamshaftOAuth2Request(self.request, form_params(self.request), "form")
            return self.provider.oauth2.create_endpoint_response("revocation", oauth_request)  # type: ignore[no-any-return]
        except OAuthProblem as problem:
            return problem_json(problem, self.request.path)  # RFC 6749 §5.2, as RFC 7009 / 7662 say


class OAuth2Introspect(_Endpoint):
    """``POST /oauth/introspect`` (RFC 7662)."""

    allowed_methods = ("POST",)

    def POST(self) -> Response:
        try:
            oauth_request = CamshaftOAuth2Request(self.request, form_params(self.request), "form")
            return self.provider.oauth2.create_endpoint_response("introspection", oauth_request)  # type: ignore[no-any-return]
        except OAuthProblem as problem:
            return problem_json(problem, self.request.path)  # RFC 6749 §5.2, as RFC 7009 / 7662 say


class OAuth1RequestToken(_Endpoint):
    """``POST /oauth1/request_token``: temporary credentials (RFC 5849 §2.1)."""

    allowed_methods = ("POST",)

    def POST(self) -> Response:
        server = OAuth1Server(self.provider, self.request)
        return server.create_temporary_credentials_response(oauth1_request(self.request))  # type: ignore[no-any-return]


class OAuth1AccessToken(_Endpoint):
    """``POST /oauth1/access_token``: token credentials (RFC 5849 §2.3)."""

    allowed_methods = ("POST",)

    def POST(self) -> Response:
        server = OAuth1Server(self.provider, self.request)
        return server.create_token_response(oauth1_request(self.request))  # type: ignore[no-any-return]


class OAuth1Authorize(_Endpoint):
    """``GET``/``POST /oauth1/authorize?oauth_token=...``: the owner approves a request
    token (RFC 5849 §2.2). Redirects to the consumer's callback with ``oauth_token`` and
    ``oauth_verifier``; for an ``oob`` callback without a registered one, answers them as
    JSON for the owner to copy."""

    allowed_methods = ("GET", "POST")

    def GET(self) -> Any:
        return self._authorize()

    def POST(self) -> Any:
        return self._authorize()

    def _authorize(self) -> Any:
        repository = self.provider.repository
        token_value = _one(query_params(self.request), "oauth_token")
        temporary = repository.get_oauth1_token(token_value, "request") if token_value else None
        if temporary is None or temporary.user_id is not None:
            raise OAuthProblem(400, "invalid_token", "The request token is unknown or used.")
        consumer = repository.get_consumer(temporary.consumer_key)
        if consumer is None:
            raise OAuthProblem(400, "invalid_token", "The request token is unknown or used.")
        user = str(self.identity.id)
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
            callback = consumer.callback_uri
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
