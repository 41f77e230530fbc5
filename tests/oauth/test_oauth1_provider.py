"""The OAuth 1.0a provider: the three-legged dance, signatures, timestamps and replays."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.oauth1 import ClientAuth
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from oauthlib.oauth1 import Client as OAuth1Signer

from camshaft.testing import make_client

BASE = "http://localhost"
OWNER = {"X-Test-User": "alice"}
CALLBACK = "https://consumer.example/ready"


@pytest.fixture
def h(oauth_helpers: Any) -> Any:
    return oauth_helpers


@pytest.fixture
def clock(h: Any) -> Any:
    return h.FakeClock()


@pytest.fixture
def app(h: Any, clock: Any) -> Any:
    app = h.build_app()
    provider = h.provider_for(app)
    provider.clock = clock
    provider.repository.add_consumer(
        "printer", secret="printer-secret", scope="read", callback_uri=CALLBACK
    )
    return app


@pytest.fixture
def client(app: Any) -> Any:
    return make_client(app)


def signed(signer: OAuth1Signer, method: str, path: str, **kw: Any) -> dict[str, str]:
    _, headers, _ = signer.sign(BASE + path, http_method=method, **kw)
    return dict(headers)


def access_token(app: Any, consumer: str = "printer") -> Any:
    return app_repository(app).add_oauth1_token(
        kind="access", consumer_key=consumer, user_id="alice", scope="read"
    )


def app_repository(app: Any) -> Any:
    from camshaft_oauth import provider_for

    return provider_for(app).repository


def resource_signer(app: Any, clock: Any, **kw: Any) -> OAuth1Signer:
    token = access_token(app)
    options = {"timestamp": str(int(clock.now))}
    options.update(kw)
    return OAuth1Signer(
        "printer",
        client_secret=kw.pop("client_secret", "printer-secret"),
        resource_owner_key=token.token,
        resource_owner_secret=token.secret,
        **{k: v for k, v in options.items() if k != "client_secret"},
    )


# ------------------------------------------------------------------ the dance


def test_three_legged_dance(client: Any, clock: Any) -> None:
    ts = str(int(clock.now))
    leg1 = OAuth1Signer(
        "printer", client_secret="printer-secret", callback_uri=CALLBACK, timestamp=ts
    )
    response = client.post(
        "/oauth1/request_token", headers=signed(leg1, "POST", "/oauth1/request_token")
    )
    assert response.status_code == 200, response.data
    assert response.headers["Cache-Control"] == "no-store"
    temp = {k: v[0] for k, v in parse_qs(response.get_data(as_text=True)).items()}
    assert temp["oauth_callback_confirmed"] == "true"

    approval = client.get(
        "/oauth1/authorize", query_string={"oauth_token": temp["oauth_token"]}, headers=OWNER
    )
    assert approval.status_code == 302
    location = approval.headers["Location"]
    assert location.startswith(CALLBACK)
    back = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert back["oauth_token"] == temp["oauth_token"]

    leg3 = OAuth1Signer(
        "printer",
        client_secret="printer-secret",
        resource_owner_key=temp["oauth_token"],
        resource_owner_secret=temp["oauth_token_secret"],
        verifier=back["oauth_verifier"],
        timestamp=ts,
    )
    exchanged = client.post(
        "/oauth1/access_token", headers=signed(leg3, "POST", "/oauth1/access_token")
    )
    assert exchanged.status_code == 200, exchanged.data
    final = {k: v[0] for k, v in parse_qs(exchanged.get_data(as_text=True)).items()}

    # The request token is spent: exchanging it again fails.
    again = client.post(
        "/oauth1/access_token", headers=signed(leg3, "POST", "/oauth1/access_token")
    )
    assert again.status_code == 401

    reader = OAuth1Signer(
        "printer",
        client_secret="printer-secret",
        resource_owner_key=final["oauth_token"],
        resource_owner_secret=final["oauth_token_secret"],
        timestamp=ts,
    )
    notes = client.get("/notes/1", headers=signed(reader, "GET", "/notes/1"))
    assert notes.status_code == 200
    assert notes.json["who"] == "alice" and notes.json["scheme"] == "oauth1"


def test_access_token_needs_the_owners_verifier(client: Any, clock: Any) -> None:
    ts = str(int(clock.now))
    leg1 = OAuth1Signer("printer", client_secret="printer-secret", callback_uri="oob", timestamp=ts)
    temp = parse_qs(
        client.post(
            "/oauth1/request_token", headers=signed(leg1, "POST", "/oauth1/request_token")
        ).get_data(as_text=True)
    )
    leg3 = OAuth1Signer(
        "printer",
        client_secret="printer-secret",
        resource_owner_key=temp["oauth_token"][0],
        resource_owner_secret=temp["oauth_token_secret"][0],
        verifier="guessed-verifier",
        timestamp=ts,
    )
    response = client.post(
        "/oauth1/access_token", headers=signed(leg3, "POST", "/oauth1/access_token")
    )
    assert response.status_code == 400
    assert b"oauth_verifier" in response.data


def test_oob_authorization_without_callback_answers_the_verifier(
    app: Any, client: Any, clock: Any
) -> None:
    app_repository(app).add_consumer("kiosk", secret="kiosk-secret", scope="read")
    leg1 = OAuth1Signer(
        "kiosk", client_secret="kiosk-secret", callback_uri="oob", timestamp=str(int(clock.now))
    )
    temp = parse_qs(
        client.post(
            "/oauth1/request_token", headers=signed(leg1, "POST", "/oauth1/request_token")
        ).get_data(as_text=True)
    )
    response = client.get(
        "/oauth1/authorize", query_string={"oauth_token": temp["oauth_token"][0]}, headers=OWNER
    )
    assert response.status_code == 200
    assert response.json["oauth_token"] == temp["oauth_token"][0]
    assert response.json["oauth_verifier"]


# ------------------------------------------------------------------ resource protection


def test_replayed_request_is_refused(app: Any, client: Any, clock: Any) -> None:
    headers = signed(resource_signer(app, clock, nonce="n-0001"), "GET", "/notes/1")
    assert client.get("/notes/1", headers=headers).status_code == 200
    replay = client.get("/notes/1", headers=headers)
    assert replay.status_code == 401
    assert replay.headers["WWW-Authenticate"].startswith('OAuth realm="camshaft"')


def test_wrong_signature_is_refused_and_does_not_burn_the_nonce(
    app: Any, client: Any, clock: Any
) -> None:
    token = access_token(app)
    ts = str(int(clock.now))

    def signer(secret: str) -> OAuth1Signer:
        return OAuth1Signer(
            "printer",
            client_secret=secret,
            resource_owner_key=token.token,
            resource_owner_secret=token.secret,
            nonce="shared-nonce",
            timestamp=ts,
        )

    forged = client.get("/notes/1", headers=signed(signer("not-the-secret"), "GET", "/notes/1"))
    assert forged.status_code == 401
    assert forged.json["error"] == "invalid_signature"
    # The forgery's nonce was not recorded, so the real client is not locked out.
    real = client.get("/notes/1", headers=signed(signer("printer-secret"), "GET", "/notes/1"))
    assert real.status_code == 200


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(-301, False), (301, False), (-299, True), (299, True)],
    ids=["too old", "too far in the future", "just within the past", "just within the future"],
)
def test_timestamp_window(app: Any, client: Any, clock: Any, offset: int, accepted: bool) -> None:
    signer = resource_signer(app, clock, timestamp=str(int(clock.now) + offset))
    response = client.get("/notes/1", headers=signed(signer, "GET", "/notes/1"))
    assert response.status_code == (200 if accepted else 401)


def test_signature_covers_the_path(app: Any, client: Any, clock: Any) -> None:
    headers = signed(resource_signer(app, clock), "GET", "/notes/1")
    assert client.get("/notes/2", headers=headers).status_code == 401


def test_unknown_token_and_consumer_are_401(app: Any, client: Any, clock: Any) -> None:
    ts = str(int(clock.now))
    unknown_token = OAuth1Signer(
        "printer",
        client_secret="printer-secret",
        resource_owner_key="nope",
        resource_owner_secret="nope",
        timestamp=ts,
    )
    assert (
        client.get("/notes/1", headers=signed(unknown_token, "GET", "/notes/1")).status_code == 401
    )
    unknown_consumer = OAuth1Signer(
        "stranger", client_secret="x", resource_owner_key="nope", timestamp=ts
    )
    response = client.get("/notes/1", headers=signed(unknown_consumer, "GET", "/notes/1"))
    assert response.status_code == 401


def test_oauth_parameters_in_the_query_string_are_refused(
    app: Any, client: Any, clock: Any
) -> None:
    signer = resource_signer(app, clock, signature_type="QUERY")
    uri, _, _ = signer.sign(BASE + "/notes/1", http_method="GET")
    response = client.get(uri.removeprefix(BASE))
    assert response.status_code == 401
    assert "error" not in response.json  # not even looked at: no credentials seen
    leg1 = OAuth1Signer(
        "printer",
        client_secret="printer-secret",
        callback_uri="oob",
        timestamp=str(int(clock.now)),
        signature_type="QUERY",
    )
    uri, _, _ = leg1.sign(BASE + "/oauth1/request_token", http_method="POST")
    assert client.post(uri.removeprefix(BASE)).status_code == 400


def test_insufficient_scope_for_oauth1_tokens(app: Any, client: Any, clock: Any) -> None:
    response = client.put(
        "/notes/1",
        json={"x": 1},
        headers=signed(resource_signer(app, clock), "PUT", "/notes/1"),
    )
    assert response.status_code == 403 and response.json["error"] == "insufficient_scope"


def test_form_body_is_part_of_the_signature(app: Any, client: Any, clock: Any) -> None:
    app_repository(app).add_consumer("writer", secret="w-secret", scope="read write")
    token = app_repository(app).add_oauth1_token(
        kind="access", consumer_key="writer", user_id="alice", scope="read write"
    )
    signer = OAuth1Signer(
        "writer",
        client_secret="w-secret",
        resource_owner_key=token.token,
        resource_owner_secret=token.secret,
        timestamp=str(int(clock.now)),
    )
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    _, headers, _ = signer.sign(BASE + "/notes/1", "PUT", body="text=signed", headers=form)
    tampered = client.put("/notes/1", data="text=tampered", headers=dict(headers))
    assert tampered.status_code == 401


# ------------------------------------------------------------------ signature methods


def test_plaintext_is_refused_unless_enabled(h: Any, clock: Any) -> None:
    for enabled in (False, True):
        methods = ["HMAC-SHA1", "PLAINTEXT"] if enabled else ["HMAC-SHA1"]
        app = h.build_app(oauth1={"signature_methods": methods})
        h.provider_for(app).clock = clock
        h.provider_for(app).repository.add_consumer(
            "printer", secret="printer-secret", scope="read"
        )
        signer = resource_signer(app, clock, signature_method="PLAINTEXT")
        response = make_client(app).get("/notes/1", headers=signed(signer, "GET", "/notes/1"))
        assert response.status_code == (200 if enabled else 400), (enabled, response.data)


def test_rsa_sha1(h: Any) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    app = h.build_app()  # real clock: authlib's signer stamps the real time
    repository = h.provider_for(app).repository
    repository.add_consumer("rsa-app", rsa_public_key=public_pem.decode(), scope="read")
    token = repository.add_oauth1_token(
        kind="access", consumer_key="rsa-app", user_id="bob", scope="read"
    )

    def headers(private: bytes) -> dict[str, str]:
        auth = ClientAuth(
            "rsa-app",
            token=token.token,
            token_secret=token.secret,
            rsa_key=private,
            signature_method="RSA-SHA1",
        )
        _, signed_headers, _ = auth.prepare("GET", BASE + "/notes/1", {}, "")
        return dict(signed_headers)

    client = make_client(app)
    response = client.get("/notes/1", headers=headers(private_pem))
    assert response.status_code == 200 and response.json["who"] == "bob"
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    assert client.get("/notes/1", headers=headers(other)).status_code == 401
    # An RSA-only consumer has no shared secret: HMAC with an empty key is refused.
    hmac_signer = OAuth1Signer(
        "rsa-app",
        client_secret="",
        resource_owner_key=token.token,
        resource_owner_secret=token.secret,
    )
    assert client.get("/notes/1", headers=signed(hmac_signer, "GET", "/notes/1")).status_code == 401
