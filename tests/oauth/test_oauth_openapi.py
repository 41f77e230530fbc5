"""camshaft-oauth in the OpenAPI document: the ``oauth2`` flows and scopes, ``oauth1`` as a
described scheme, each operation's scopes, and the endpoints' real bodies and responses
(checked with openapi-spec-validator, then by schemathesis against the served app)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import requests
from openapi_spec_validator import validate

from camshaft import AuthScheme, Handler, Identity, hookimpl
from camshaft.openapi import build_document
from camshaft.testing import make_app

schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402

from tests.fuzzing import CONFORMANCE_CHECKS  # noqa: E402

OWNER = {"X-Test-User": "alice"}


@pytest.fixture
def h(oauth_helpers: Any) -> Any:
    return oauth_helpers


@pytest.fixture
def app(h: Any) -> Any:
    app = h.build_app(consent="prompt", oauth2={"scopes_supported": ["read", "write", "admin"]})
    repository = h.provider_for(app).repository
    repository.add_client(
        "web-app",
        secret="web-secret-0123456789-0123456789-abcd",
        redirect_uris=[h.REDIRECT],
        grant_types=["authorization_code", "refresh_token", "client_credentials"],
        scope="read write",
        may_introspect=True,
    )
    repository.add_consumer("printer", secret="printer-secret", scope="read")
    return app


@pytest.fixture
def document(app: Any) -> dict[str, Any]:
    document = build_document(app)
    validate(document)
    return document


# ------------------------------------------------------------------ schemes


def test_oauth2_is_described_with_both_flows_and_every_known_scope(
    document: dict[str, Any],
) -> None:
    scheme = document["components"]["securitySchemes"]["oauth2"]
    assert scheme["type"] == "oauth2"
    code = scheme["flows"]["authorizationCode"]
    assert code["authorizationUrl"] == "/oauth/authorize"
    assert code["tokenUrl"] == code["refreshUrl"] == "/oauth/token"
    assert scheme["flows"]["clientCredentials"]["tokenUrl"] == "/oauth/token"
    # handlers' scopes and oauth2.scopes_supported; what a scope grants is its description
    assert set(code["scopes"]) == {"read", "write", "admin"}
    assert code["scopes"]["read"] == "Needed for GET /notes/{key}."
    assert scheme["flows"]["clientCredentials"]["scopes"] == code["scopes"]


def test_without_an_authorize_endpoint_only_client_credentials_is_offered() -> None:
    app = make_app(
        [ArchiveHandler],
        plugins=["oauth", _KeyPlugin()],
        settings={"oauth": {"url": "sqlite:///:memory:"}},
    )
    document = build_document(app)
    validate(document)
    assert set(document["components"]["securitySchemes"]["oauth2"]["flows"]) == {
        "clientCredentials"
    }
    assert "/oauth/authorize" not in document["paths"]


def test_without_a_token_endpoint_oauth2_stays_a_bearer_scheme(h: Any) -> None:
    app = h.build_app(oauth2={"token_path": ""})
    document = build_document(app)
    validate(document)
    scheme = document["components"]["securitySchemes"]["oauth2"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


def test_oauth1_is_a_described_http_scheme_naming_its_endpoints(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["oauth1"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "OAuth")
    assert "RFC 5849" in scheme["description"]
    assert scheme["x-oauth1"] == {
        "requestTokenUrl": "/oauth1/request_token",
        "authorizationUrl": "/oauth1/authorize",
        "accessTokenUrl": "/oauth1/access_token",
        "signatureMethods": ["HMAC-SHA1", "RSA-SHA1"],
        "timestampWindow": 300,
    }


def test_each_operation_lists_the_scopes_its_verb_needs(document: dict[str, Any]) -> None:
    item = document["paths"]["/notes/{key}"]
    assert item["get"]["security"] == [{"oauth2": ["read"]}, {"oauth1": ["read"]}]
    assert item["put"]["security"] == [{"oauth2": ["write"]}, {"oauth1": ["write"]}]


class _KeyPlugin:
    """An ``X-Key`` scheme, so a resource can accept something besides tokens."""

    camshaft_name = "test-key"

    @hookimpl
    def camshaft_auth_schemes(self) -> list[AuthScheme]:
        def authenticate(request: Any) -> Identity | None:
            return Identity(id="k", scheme="key") if request.header("X-Key") else None

        return [AuthScheme("key", authenticate, lambda request: 'Key realm="t"')]


class ArchiveHandler(Handler):
    """Tokens may read; only a key may delete (no scope is declared for DELETE)."""

    resource_name = "archive"
    authentication = ("oauth2", "key")
    scopes = {"GET": ["archive:read"]}

    def read(self, key: str | None = None) -> Any:
        return {}

    def delete(self, key: str) -> None:
        return None


def test_a_verb_no_scope_grants_does_not_offer_the_token_schemes() -> None:
    app = make_app(
        [ArchiveHandler],
        plugins=["oauth", _KeyPlugin()],
        settings={"oauth": {"url": "sqlite:///:memory:"}},
    )
    document = build_document(app)
    validate(document)
    item = document["paths"]["/archive/{key}"]
    assert item["get"]["security"] == [{"oauth2": ["archive:read"]}, {"key": []}]
    assert item["delete"]["security"] == [{"key": []}]


# ------------------------------------------------------------------ endpoints


def test_the_token_endpoint_documents_its_form_body_and_rfc6749_answers(
    document: dict[str, Any],
) -> None:
    token = document["paths"]["/oauth/token"]["post"]
    assert list(token["requestBody"]["content"]) == ["application/x-www-form-urlencoded"]
    responses = token["responses"]
    assert responses["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OAuthToken"
    }
    assert {"400", "401"} <= set(responses)
    assert not {"201", "204"} & set(responses)  # the generated guesses are gone
    # RFC 6749 §5.2: token endpoint errors are application/json.
    assert list(responses["400"]["content"]) == ["application/json"]
    problem = responses["400"]["content"]["application/json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/OAuthError"}


# ------------------------------------------------------------------ conformance


@pytest.fixture
def served(app: Any, document: dict[str, Any], live_server: Any) -> tuple[Any, str]:
    return schemathesis.openapi.from_dict(document), live_server(app)


def _call(schema: Any, base: str, path: str, method: str, **case: Any) -> Any:
    """One request, checked by schemathesis against the document; the response."""
    operation = schema[path][method]
    with requests.Session() as session:
        return operation.Case(**case).call_and_validate(
            base_url=base, session=session, checks=CONFORMANCE_CHECKS
        )


@pytest.mark.slow
def test_real_answers_of_every_endpoint_conform_to_the_document(
    served: tuple[Any, str], h: Any
) -> None:
    schema, base = served
    form = "application/x-www-form-urlencoded"
    client = {
        "Authorization": "Basic "
        + base64.b64encode(b"web-app:web-secret-0123456789-0123456789-abcd").decode()
    }

    token = _call(
        schema,
        base,
        "/oauth/token",
        "POST",
        body={"grant_type": "client_credentials", "scope": "read"},
        media_type=form,
        headers=client,
    )
    assert token.status_code == 200
    access = token.json()["access_token"]
    for body, headers, status in [
        ({"grant_type": "authorization_code", "code": "nope"}, client, 400),
        ({"grant_type": "client_credentials"}, {"Authorization": "Basic eDp5"}, 401),
        ({"grant_type": "password"}, client, 400),
    ]:
        refused = _call(
            schema, base, "/oauth/token", "POST", body=body, media_type=form, headers=headers
        )
        assert refused.status_code == status
        assert refused.json()["error"]

    introspected = _call(
        schema,
        base,
        "/oauth/introspect",
        "POST",
        body={"token": access},
        media_type=form,
        headers=client,
    )
    assert introspected.json()["active"] is True
    revoked = _call(
        schema,
        base,
        "/oauth/revoke",
        "POST",
        body={"token": access},
        media_type=form,
        headers=client,
    )
    assert revoked.status_code == 200

    query = {
        "response_type": "code",
        "client_id": "web-app",
        "redirect_uri": h.REDIRECT,
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
    }
    prompt = _call(schema, base, "/oauth/authorize", "GET", query=query, headers=OWNER)
    assert prompt.status_code == 200
    decided = _call(
        schema,
        base,
        "/oauth/authorize",
        "POST",
        query=query,
        headers=OWNER,
        body={"consent_token": prompt.json()["consent_token"], "decision": "approve"},
        media_type=form,
    )
    assert decided.status_code == 302

    unsigned = _call(schema, base, "/oauth1/request_token", "POST", headers={})
    assert unsigned.status_code in (400, 401)
    unknown = _call(
        schema, base, "/oauth1/authorize", "GET", query={"oauth_token": "nope"}, headers=OWNER
    )
    assert unknown.status_code == 400


@pytest.mark.slow
def test_schemathesis_finds_nothing_on_the_oauth_endpoints(served: tuple[Any, str]) -> None:
    schema, base = served
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().path.startswith(("/oauth/", "/oauth1/"))
    ]
    assert len(operations) == 9  # token, revoke, introspect, 2 x 2 authorize, 2 OAuth 1.0a
    with requests.Session() as session:
        for operation in operations:
            for mode, examples in (
                (schemathesis.GenerationMode.POSITIVE, 15),
                (schemathesis.GenerationMode.NEGATIVE, 5),
            ):

                @settings(
                    max_examples=examples,
                    derandomize=True,  # a fixed seed: the same examples every run
                    database=None,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=operation.as_strategy(mode))
                def run(case: Any) -> None:
                    case.call_and_validate(
                        base_url=base, session=session, headers=OWNER, checks=CONFORMANCE_CHECKS
                    )

                run()
