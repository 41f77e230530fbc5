"""CORS (the ``cors`` builtin) over HTTP, and from a real browser (headless Chromium)."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from camshaft import Handler
from camshaft.errors import ConfigurationError
from camshaft.testing import make_app, make_client

ALLOWED = "https://app.example.org"


class Note(Handler):
    resource_name = "notes"
    links = False
    authentication = ("secret",)

    def read(self, key=None):
        return {"id": key or "1", "who": self.request.identity.id}


class Open(Handler):
    resource_name = "open"
    links = False

    def read(self, key=None):
        return {"id": key or "1"}

    def create(self, data):
        return data


class Closed(Open):
    resource_name = "closed"
    cors = False


class Wide(Open):
    resource_name = "wide"
    cors = {"origins": ["https://*.partner.net"], "max_age": 5}


def _secret_scheme():
    from camshaft import AuthScheme, Identity
    from camshaft.errors import Unauthorized

    def authenticate(request):
        value = request.header("Authorization")
        if value is None:
            return None
        if value != "Bearer s3cret":
            raise Unauthorized("bad token")
        return Identity("alice", "secret")

    return AuthScheme("secret", authenticate, lambda request: "Bearer")


class SecretPlugin:
    camshaft_name = "secret"

    @staticmethod
    def camshaft_auth_schemes():
        return [_secret_scheme()]


from camshaft import hookimpl  # noqa: E402

SecretPlugin.camshaft_auth_schemes = staticmethod(hookimpl(SecretPlugin.camshaft_auth_schemes))


def app_with(**cors):
    cors.setdefault("origins", [ALLOWED, "https://*.example.com"])
    return make_app([Note, Open, Closed, Wide], plugins=[SecretPlugin()], settings={"cors": cors})


def preflight(client, path, origin, method="PUT", headers="content-type"):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )


def test_cors_is_off_without_a_section():
    response = make_client(make_app([Open])).get("/open/1", headers={"Origin": ALLOWED})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" not in response.headers["Vary"]


def test_preflight_is_answered_before_authentication():
    client = make_client(app_with(credentials=True))
    response = preflight(client, "/notes/1", ALLOWED)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]
    assert response.headers["Access-Control-Max-Age"] == "600"
    assert "Origin" in response.headers["Vary"]
    # The actual request still needs credentials.
    assert client.get("/notes/1", headers={"Origin": ALLOWED}).status_code == 401


def test_actual_response_to_an_allowed_origin_exposes_headers():
    client = make_client(app_with())
    response = client.get("/notes/1", headers={"Origin": ALLOWED, "Authorization": "Bearer s3cret"})
    assert response.json == {"id": "1", "who": "alice"}
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Access-Control-Allow-Credentials" not in response.headers
    exposed = response.headers["Access-Control-Expose-Headers"]
    assert "ETag" in exposed and "X-Request-ID" in exposed and "RateLimit" in exposed
    assert response.headers["Vary"].endswith("Origin")


def test_problem_responses_carry_cors_headers_too():
    client = make_client(app_with())
    response = client.get("/notes/1", headers={"Origin": ALLOWED, "Authorization": "Bearer no"})
    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    missing = client.get("/nothing", headers={"Origin": ALLOWED})
    assert missing.status_code == 404
    assert missing.headers["Access-Control-Allow-Origin"] == ALLOWED


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example.net",
        "null",
        "https://app.example.org.evil.net",
        "https://example.com",  # the pattern needs a subdomain
        "https://a.example.com/path",
        "https://a.example.com\r\nSet-Cookie: x=1",
        "http://app.example.org",  # another scheme is another origin
        "https://app.example.org:8443",
        "x" * 5000,
    ],
    ids=lambda o: repr(o[:40]),
)
def test_a_disallowed_or_malformed_origin_gets_no_cors_headers(origin):
    client = make_client(app_with(credentials=True))
    # Straight into the environ: the test client refuses a newline in a header.
    env = {"HTTP_ORIGIN": origin, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT"}
    actual = client.get("/open/1", environ_overrides={"HTTP_ORIGIN": origin})
    for response in (actual, client.options("/open/1", environ_overrides=env)):
        assert response.status_code in (200, 204)
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Access-Control-Allow-Credentials" not in response.headers
        assert "Origin" in response.headers["Vary"]


def test_a_pattern_allows_subdomains():
    client = make_client(app_with())
    response = client.get("/open/1", headers={"Origin": "https://a.b.example.com"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://a.b.example.com"


def test_any_origin_is_a_star_without_credentials():
    client = make_client(app_with(origins=["*"]))
    response = client.get("/open/1", headers={"Origin": "https://anyone.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert (
        "Access-Control-Allow-Origin"
        not in client.get("/open/1", headers={"Origin": "null"}).headers
    )


def test_star_with_credentials_refuses_to_start():
    with pytest.raises(ConfigurationError, match="credentials"):
        app_with(origins=["*"], credentials=True)


@pytest.mark.parametrize("origins", [["app.example.org"], ["https://*"], ["https://a.*.org"]])
def test_malformed_origin_settings_refuse_to_start(origins):
    with pytest.raises(ConfigurationError, match="origin"):
        app_with(origins=origins)


def test_per_handler_override():
    client = make_client(app_with())
    closed = client.get("/closed/1", headers={"Origin": ALLOWED})
    assert "Access-Control-Allow-Origin" not in closed.headers
    wide = preflight(client, "/wide/1", "https://x.partner.net")
    assert wide.headers["Access-Control-Allow-Origin"] == "https://x.partner.net"
    assert wide.headers["Access-Control-Max-Age"] == "5"
    assert "Access-Control-Allow-Origin" not in preflight(client, "/wide/1", ALLOWED).headers


def test_unknown_override_key_refuses_to_start():
    class Bad(Open):
        resource_name = "bad"
        cors = {"origin": ["https://a.example"]}

    with pytest.raises(ConfigurationError, match="Bad.cors"):
        make_app([Bad], settings={"cors": {"origins": []}})


# ---------------------------------------------------------------------------
# A real browser: a page on one port calling the API on another.
# ---------------------------------------------------------------------------

PAGE = """<!doctype html><html><body><pre id="out">pending</pre><script>
const api = "http://127.0.0.1:%(api)d";
async function run() {
  const lines = [];
  async function attempt(name, url, init) {
    try {
      const r = await fetch(url, init);
      const body = await r.text();
      lines.push(name + " " + r.status + " " + body.replace(/\\s/g, "") +
                 " etag-visible=" + (r.headers.get("X-Request-ID") !== null));
    } catch (e) { lines.push(name + " BLOCKED " + e.name); }
  }
  await attempt("get", api + "/notes/7", {headers: {"Authorization": "Bearer s3cret"}});
  await attempt("post", api + "/open/", {method: "POST",
      headers: {"Content-Type": "application/json"}, body: JSON.stringify({id: "9"})});
  await attempt("closed", api + "/closed/1", {});
  document.getElementById("out").textContent = lines.join("\\n");
}
run();
</script></body></html>"""


@contextmanager
def serving(app) -> Iterator[int]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join()


def _page_app(api_port: int):
    def page(environ, start_response):
        return Response(PAGE % {"api": api_port}, content_type="text/html")(environ, start_response)

    return page


def _browse(url: str) -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium is not None
    result = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--virtual-time-budget=10000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


@pytest.mark.skipif(
    shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
    reason="headless Chromium is not installed (apt-get install -y chromium; .ci/run does it)",
)
@pytest.mark.parametrize("allowed", [True, False], ids=["allowed origin", "other origin"])
def test_a_browser_on_another_origin(allowed):
    with serving(_page_app(0)) as probe:  # learn a free port for the page first
        page_port = probe
    origin = f"http://127.0.0.1:{page_port}" if allowed else "http://127.0.0.1:1"
    api = make_app(
        [Note, Open, Closed], plugins=[SecretPlugin()], settings={"cors": {"origins": [origin]}}
    )
    with serving(api) as api_port:
        page = make_server("127.0.0.1", page_port, _page_app(api_port), threaded=True)
        thread = threading.Thread(target=page.serve_forever, daemon=True)
        thread.start()
        try:
            dom = _browse(f"http://127.0.0.1:{page_port}/")
        finally:
            page.shutdown()
            thread.join()
    out = dom.split('<pre id="out">', 1)[1].split("</pre>", 1)[0]
    lines = out.splitlines()
    if allowed:
        assert lines == [
            'get 200 {"id":"7","who":"alice"} etag-visible=true',
            'post 201 {"id":"9"} etag-visible=true',
            "closed BLOCKED TypeError",
        ]
    else:
        assert lines == [
            "get BLOCKED TypeError",
            "post BLOCKED TypeError",
            "closed BLOCKED TypeError",
        ]
