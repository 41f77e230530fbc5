"""The jwt scheme: identities, scopes per verb, settings refused at build, OpenAPI."""

from __future__ import annotations

from typing import Any

import pytest

from camshaft import Handler
from camshaft.errors import ConfigurationError
from camshaft.permissions import has_scopes, is_owner
from camshaft.testing import make_app, make_client


class Notes(Handler):
    resource_name = "notes"
    authentication = ("jwt",)
    scopes = {"GET": ["notes:read"], "POST": ["notes:write"], "DELETE": ["notes:admin"]}

    def read(self, key: str | None = None) -> Any:
        i = self.identity
        return {"who": i.id, "kind": i.kind, "scopes": sorted(i.scopes), "user": i.user_id}

    def create(self, data: Any) -> Any:
        return ({"created": data}, 201)

    def delete(self, key: str) -> Any:
        return None


class Undeclared(Handler):
    resource_name = "undeclared"
    authentication = ("jwt",)

    def read(self, key: str | None = None) -> Any:
        return {"who": self.identity.id}


class ByPermission(Handler):
    resource_name = "byperm"
    authentication = ("jwt",)
    permissions = {"GET": has_scopes("notes:read")}

    def read(self, key: str | None = None) -> Any:
        return {"who": self.identity.id}


def app_for(helpers: Any, *handlers: type, **settings: Any) -> Any:
    return make_app(
        list(handlers) or [Notes], plugins=("jwt",), settings=helpers.hs_settings(**settings)
    )


@pytest.mark.parametrize(
    ("minted_by", "alg"),
    [("joserfc", "HS256"), ("pyjwt", "HS256"), ("joserfc", "HS512"), ("pyjwt", "HS384")],
    ids=lambda v: str(v),
)
def test_tokens_from_joserfc_and_pyjwt_both_verify(
    jwt_helpers: Any, minted_by: str, alg: str
) -> None:
    app = app_for(jwt_helpers, algorithms=["HS256", "HS384", "HS512"])
    token = (
        jwt_helpers.hs_token(alg=alg)
        if minted_by == "joserfc"
        else jwt_helpers.pyjwt_token(alg=alg)
    )
    response = make_client(app).get("/notes/1", headers=jwt_helpers.bearer(token))
    assert response.status_code == 200, response.json
    assert response.json == {
        "who": "alice",
        "kind": "user",
        "scopes": ["notes:read", "notes:write"],
        "user": "alice",
    }


@pytest.mark.parametrize("minted_by", ["joserfc", "pyjwt"])
def test_rs256_tokens_verify_with_a_pem_public_key(jwt_helpers: Any, minted_by: str) -> None:
    app = app_for(jwt_helpers, key=jwt_helpers.RSA_PUBLIC_PEM, algorithms=["RS256"])
    if minted_by == "joserfc":
        token = jwt_helpers.rs_token()
    else:
        token = jwt_helpers.pyjwt_token(key=jwt_helpers.RSA_PRIVATE_PEM, alg="RS256")
    response = make_client(app).get("/notes/1", headers=jwt_helpers.bearer(token))
    assert response.status_code == 200, response.json


def test_a_pem_file_path_is_read(jwt_helpers: Any, tmp_path: Any) -> None:
    pem = tmp_path / "issuer.pem"
    pem.write_text(jwt_helpers.RSA_PUBLIC_PEM)
    app = app_for(jwt_helpers, key=str(pem), algorithms=["RS256"])
    response = make_client(app).get("/notes/1", headers=jwt_helpers.bearer(jwt_helpers.rs_token()))
    assert response.status_code == 200


def test_a_jwks_file_picks_the_key_by_kid(jwt_helpers: Any, tmp_path: Any) -> None:
    from joserfc.jwk import KeySet

    keys = KeySet([jwt_helpers.RSA_KEY, jwt_helpers.RSA_OTHER, jwt_helpers.EC_KEY])
    path = tmp_path / "jwks.json"
    path.write_text(__import__("json").dumps(keys.as_dict(private=False)))
    app = app_for(jwt_helpers, key=str(path), algorithms=["RS256", "ES256"])
    client = make_client(app)
    for key in (jwt_helpers.RSA_KEY, jwt_helpers.RSA_OTHER):
        response = client.get("/notes/1", headers=jwt_helpers.bearer(jwt_helpers.rs_token(key)))
        assert response.status_code == 200
    ec = jwt_helpers.pyjwt_token(
        key=jwt_helpers.EC_KEY.as_pem(private=True), alg="ES256", headers={"kid": "ec-1"}
    )
    assert client.get("/notes/1", headers=jwt_helpers.bearer(ec)).status_code == 200


def test_scp_list_gives_scopes(jwt_helpers: Any) -> None:
    token = jwt_helpers.pyjwt_token(scope=None, scp=["notes:read"])
    response = make_client(app_for(jwt_helpers)).get("/notes/1", headers=jwt_helpers.bearer(token))
    assert response.json["scopes"] == ["notes:read"]


@pytest.mark.parametrize(
    "marker",
    [{"client_id": "svc"}, {"gty": "client-credentials"}],
    ids=["client_id equals sub", "gty client-credentials"],
)
def test_a_client_credentials_token_is_a_client_not_a_user(jwt_helpers: Any, marker: Any) -> None:
    token = jwt_helpers.hs_token(sub="svc", **marker)
    response = make_client(app_for(jwt_helpers)).get("/notes/1", headers=jwt_helpers.bearer(token))
    assert response.json["kind"] == "client" and response.json["user"] is None


def test_a_token_for_a_user_through_a_client_is_the_user(jwt_helpers: Any) -> None:
    token = jwt_helpers.hs_token(client_id="webapp")
    response = make_client(app_for(jwt_helpers)).get("/notes/1", headers=jwt_helpers.bearer(token))
    assert response.json["kind"] == "user" and response.json["who"] == "alice"


def test_a_client_is_never_the_owner_of_a_users_object(jwt_helpers: Any) -> None:
    rule = is_owner("owner")
    from camshaft_jwt import identity_of

    client = identity_of({"sub": "alice", "client_id": "alice"}, {})
    user = identity_of({"sub": "alice"}, {})
    assert rule(None, user, {"owner": "alice"}) is True  # type: ignore[arg-type]
    assert rule(None, client, {"owner": "alice"}) is False  # type: ignore[arg-type]


def test_insufficient_scope_is_403_with_the_rfc6750_challenge(jwt_helpers: Any) -> None:
    client = make_client(app_for(jwt_helpers))
    token = jwt_helpers.hs_token(scope="notes:read")
    response = client.delete("/notes/1", headers=jwt_helpers.bearer(token))
    assert response.status_code == 403
    assert response.json["error"] == "insufficient_scope"
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer ") and 'error="insufficient_scope"' in challenge
    assert 'scope="notes:admin"' in challenge


def test_declared_scopes_grant_a_write(jwt_helpers: Any) -> None:
    client = make_client(app_for(jwt_helpers))
    token = jwt_helpers.hs_token(scope="notes:write")
    response = client.post("/notes/", json={"t": 1}, headers=jwt_helpers.bearer(token))
    assert response.status_code == 201, response.json
    assert (
        client.post(
            "/notes/", json={}, headers=jwt_helpers.bearer(jwt_helpers.hs_token(scope="notes:read"))
        ).status_code
        == 403
    )


def test_a_verb_the_scopes_do_not_name_is_refused(jwt_helpers: Any) -> None:
    client = make_client(app_for(jwt_helpers))
    token = jwt_helpers.hs_token(scope="notes:read notes:write notes:admin")
    assert client.put("/notes/1", json={}, headers=jwt_helpers.bearer(token)).status_code in (
        403,
        405,
    )


def test_a_resource_declaring_no_scopes_refuses_tokens_by_default(jwt_helpers: Any) -> None:
    client = make_client(app_for(jwt_helpers, Undeclared))
    response = client.get("/undeclared/1", headers=jwt_helpers.bearer(jwt_helpers.hs_token()))
    assert response.status_code == 403 and response.json["error"] == "insufficient_scope"


def test_scopes_required_false_leaves_it_to_permissions(jwt_helpers: Any) -> None:
    app = app_for(jwt_helpers, Undeclared, ByPermission, scopes_required=False)
    client = make_client(app)
    assert (
        client.get("/undeclared/1", headers=jwt_helpers.bearer(jwt_helpers.hs_token())).status_code
        == 200
    )
    reader = jwt_helpers.bearer(jwt_helpers.hs_token(scope="notes:read"))
    writer = jwt_helpers.bearer(jwt_helpers.hs_token(scope="notes:write"))
    assert client.get("/byperm/1", headers=reader).status_code == 200
    assert client.get("/byperm/1", headers=writer).status_code == 403


def test_head_needs_what_get_needs(jwt_helpers: Any) -> None:
    client = make_client(app_for(jwt_helpers))
    assert (
        client.head(
            "/notes/1", headers=jwt_helpers.bearer(jwt_helpers.hs_token(scope="notes:read"))
        ).status_code
        == 200
    )
    assert (
        client.head(
            "/notes/1", headers=jwt_helpers.bearer(jwt_helpers.hs_token(scope="x"))
        ).status_code
        == 403
    )


def test_openapi_describes_a_bearer_jwt_scheme(jwt_helpers: Any) -> None:
    document = make_client(app_for(jwt_helpers)).get("/openapi.json").json
    scheme = document["components"]["securitySchemes"]["jwt"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert scheme["bearerFormat"] == "JWT"


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"algorithms": []}, "jwt.algorithms is required"),
        ({"algorithms": ["none"]}, "none"),
        ({"key": ""}, "jwt.key is required"),
        ({"key": "short"}, "at least 32 bytes"),
        ({"algorithms": ["RS256"]}, r"verifies HS\* algorithms only"),
        ({"algorithms": ["RS256", "HS256"], "key": "PEM"}, "algorithm confusion"),
        ({"algorithms": ["HS256"], "key": "PEM"}, "algorithm confusion"),
        ({"algorithms": ["ES256"], "key": "PEM"}, "cannot be read"),
        ({"key": "http://issuer.example/jwks.json"}, "must use https"),
        ({"leeway": -1}, "leeway"),
    ],
    ids=[
        "no algorithms",
        "alg none",
        "no key",
        "a short secret",
        "a secret for RS256",
        "a PEM for RS256 and HS256",
        "a PEM as an HMAC secret",
        "an RSA PEM for ES256",
        "a JWKS URL over plain http",
        "negative leeway",
    ],
)
def test_bad_settings_fail_the_build(jwt_helpers: Any, section: Any, message: str) -> None:
    if section.get("key") == "PEM":
        section = dict(section, key=jwt_helpers.RSA_PUBLIC_PEM)
    with pytest.raises(ConfigurationError, match=message):
        app_for(jwt_helpers, **section)


def test_a_bad_scopes_declaration_fails_the_build(jwt_helpers: Any) -> None:
    class Typo(Handler):
        resource_name = "typo"
        authentication = ("jwt",)
        scopes = {"FETCH": ["x"]}

        def read(self, key: str | None = None) -> Any:
            return {}

    with pytest.raises(ConfigurationError, match="FETCH"):
        app_for(jwt_helpers, Typo)


def test_the_plugin_unconfigured_registers_nothing() -> None:
    class Open(Handler):
        resource_name = "open"

        def read(self, key: str | None = None) -> Any:
            return {}

    app = make_app([Open], plugins=("jwt",))
    assert make_client(app).get("/open/1").status_code == 200
