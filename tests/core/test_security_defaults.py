"""Safe defaults of the kernel (issue 10): failed authentications limited per address,
no control characters in response headers, trusted hosts and ``base_url`` for absolute
URLs, ``Vary`` naming every header that selects the representation."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from camshaft import Handler, Identity, Result, hookimpl
from camshaft._kernel.auth.identity import AuthScheme
from camshaft.cli import open_host_warning
from camshaft.errors import ConfigurationError, Unauthorized
from camshaft.testing import make_app, make_client


def _scheme(authenticate: Any) -> AuthScheme:
    return AuthScheme("token", authenticate, lambda request: 'Token realm="t"', vary=("X-Token",))


def _authenticate(request: Any) -> Identity | None:
    value = request.header("X-Token")
    if value is None:
        return None
    if value != "good":
        raise Unauthorized("Invalid token.")
    return Identity(id="alice", scheme="token")


class TokenPlugin:
    camshaft_name = "token-scheme"

    @hookimpl
    def camshaft_auth_schemes(self) -> list[AuthScheme]:
        return [_scheme(_authenticate)]


class Things(Handler):
    resource_name = "things"
    authentication = ("token",)

    def read(self, key: str) -> Any:
        return {"id": key}

    def create(self, data: Any) -> Any:
        return data


def _app(**settings: Any) -> Any:
    return make_app([Things], plugins=[TokenPlugin()], settings=settings)


# ------------------------------------------------------------- failed authentications


@pytest.mark.parametrize("method", ["get", "post"], ids=["reads", "writes"])
def test_ten_failures_from_an_address_then_429_even_for_good_credentials(method: str) -> None:
    client = make_client(_app())
    call = getattr(client, method)
    path = "/things/1" if method == "get" else "/things/"
    for _ in range(10):
        assert call(path, json={}, headers={"X-Token": "bad"}).status_code == 401
    blocked = call(path, json={}, headers={"X-Token": "bad"})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1
    # The right credentials are refused too: a guesser learns nothing from the answer.
    assert call(path, json={}, headers={"X-Token": "good"}).status_code == 429


def test_addresses_are_counted_apart() -> None:
    client = make_client(_app())
    for _ in range(11):
        client.get("/things/1", headers={"X-Token": "bad"})
    other = client.get(
        "/things/1", headers={"X-Token": "good"}, environ_base={"REMOTE_ADDR": "192.0.2.9"}
    )
    assert other.status_code == 200


def test_requests_without_credentials_are_not_failures() -> None:
    client = make_client(_app())
    for _ in range(15):
        assert client.get("/things/1").status_code == 401
    assert client.get("/things/1", headers={"X-Token": "good"}).status_code == 200


def test_the_rate_is_a_setting_and_can_be_turned_off() -> None:
    client = make_client(_app(auth={"failures": "2/minute"}))
    codes = [client.get("/things/1", headers={"X-Token": "bad"}).status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    client = make_client(_app(auth={"failures": "off"}))
    codes = {client.get("/things/1", headers={"X-Token": "bad"}).status_code for _ in range(30)}
    assert codes == {401}
    with pytest.raises(ConfigurationError, match="auth.failures"):
        _app(auth={"failures": "lots"})


# ------------------------------------------------------------------ response headers


class Echo(Handler):
    """Writes client-chosen values into headers, as careless handlers do."""

    resource_name = "echo"

    def read(self, key: str) -> Any:
        return Result({"id": key}, 200, {"X-Echo": self.request.args.get("v", "")})

    def create(self, data: Any) -> Any:
        return data


@pytest.mark.parametrize("value", ["a\r\nSet-Cookie: x=1", "a\nb", "a\rb", "a\x00b", "a\x7fb"])
def test_control_characters_in_a_header_value_are_400_before_the_response(value: str) -> None:
    response = make_client(make_app([Echo])).get("/echo/1", query_string={"v": value})
    assert response.status_code == 400
    assert "X-Echo" not in response.headers and "Set-Cookie" not in response.headers
    assert response.json["title"] == "Unsafe header value"


def test_a_tab_in_a_header_value_is_allowed() -> None:
    response = make_client(make_app([Echo])).get("/echo/1", query_string={"v": "a\tb"})
    assert response.status_code == 200 and response.headers["X-Echo"] == "a\tb"


@pytest.mark.parametrize(
    ("key", "encoded"),
    [("a\r\nX-Evil: 1", "a%0D%0AX-Evil:%201"), ("sp ace", "sp%20ace"), ("é", "%C3%A9")],
)
def test_keys_in_location_are_percent_encoded(key: str, encoded: str) -> None:
    response = make_client(make_app([Echo])).post("/echo/", json={"id": key})
    assert response.status_code == 201
    assert response.headers["Location"] == f"http://localhost/echo/{encoded}"
    assert "X-Evil" not in response.headers


# ------------------------------------------------------------------ hosts and URLs


class Items(Handler):
    resource_name = "items"
    pagination = True

    def read(self, key: str | None = None) -> Any:
        if key is None:
            return [{"id": str(i)} for i in range(5)]
        return {"id": key}

    def create(self, data: Any) -> Any:
        return data


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("api.example.org", 200),
        ("API.example.org:8443", 200),
        ("eu.example.net", 200),
        ("a.b.example.net", 200),
        ("example.net", 400),
        ("evil.example", 400),
        ("api.example.org.evil.example", 400),
    ],
)
def test_trusted_hosts_answer_only_their_names(host: str, status: int) -> None:
    app = make_app([Items], settings={"trusted_hosts": ["api.example.org", "*.example.net"]})
    response = make_client(app).get("/items/1", headers={"Host": host})
    assert response.status_code == status


@pytest.mark.parametrize("host", ["a b", "a/b", "x@evil.example", "a\tb", "[zz]:1"])
def test_malformed_host_is_400_even_when_any_host_is_trusted(host: str) -> None:
    assert make_client(make_app([Items])).get("/", headers={"Host": host}).status_code == 400


def test_bad_trusted_hosts_pattern_fails_the_start() -> None:
    with pytest.raises(ConfigurationError, match="trusted_hosts"):
        make_app([Items], settings={"trusted_hosts": ["api.*.org"]})


def test_base_url_is_the_only_base_of_absolute_urls() -> None:
    app = make_app([Items], settings={"base_url": "https://api.example.org/v/"})
    client = make_client(app)
    headers = {"Host": "attacker.example"}
    created = client.post("/items/", json={"id": "x"}, headers=headers)
    assert created.headers["Location"] == "https://api.example.org/v/items/x"
    page = client.get("/items/?per_page=2", headers=headers)
    assert "attacker" not in page.headers["Link"]
    assert page.headers["Link"].startswith("<https://api.example.org/v/items/")
    assert all(item["url"].startswith("https://api.example.org/v/") for item in page.json)


@pytest.mark.parametrize("value", ["api.example.org", "ftp://x", "https://x/?q=1", "https://a b"])
def test_malformed_base_url_fails_the_start(value: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        make_app([Items], settings={"base_url": value})


def test_serving_on_a_public_address_with_any_host_warns() -> None:
    app = make_app([Items])
    assert open_host_warning(app, "0.0.0.0") is not None
    assert open_host_warning(app, "127.0.0.1") is None
    assert open_host_warning(app, "::1") is None
    trusted = make_app([Items], settings={"trusted_hosts": ["api.example.org"]})
    assert open_host_warning(trusted, "0.0.0.0") is None


# ---------------------------------------------------------------------------- Vary


def test_vary_names_accept_the_version_header_and_credential_headers() -> None:
    app = make_app([Things, Items], plugins=[TokenPlugin()])
    client = make_client(app)
    assert client.get("/items/1").headers["Vary"] == "Accept, API-Version"
    vary = client.get("/things/1", headers={"X-Token": "good"}).headers["Vary"]
    assert vary == "Accept, API-Version, Authorization, X-Token"


def test_vary_leaves_out_the_version_header_when_that_strategy_is_off() -> None:
    app = make_app([Items], settings={"versioning": {"strategies": ["url"]}})
    assert make_client(app).get("/items/1").headers["Vary"] == "Accept"


def test_a_refused_header_is_logged_by_name(caplog: Any) -> None:
    # A refused response is logged once, naming the header, so the cause can be found.
    with caplog.at_level(logging.WARNING, logger="camshaft"):
        make_client(make_app([Echo])).get("/echo/1", query_string={"v": "a\nb"})
    assert any("X-Echo" in r.getMessage() for r in caplog.records)
