"""One test per hookspec, named after it, proving the kernel calls it; and the
meta-tests that keep the hook surface honest (every hook documented and tested)."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from camshaft import (
    ANONYMOUS,
    AuthScheme,
    Decision,
    Emitter,
    Handler,
    Identity,
    NonceStore,
    Option,
    Page,
    Paginator,
    Parser,
    Result,
    Route,
    Status,
    StoreBackend,
    ThrottleBackend,
    hookimpl,
)
from camshaft._kernel import hookspecs
from camshaft.builtins.memory_store import MemoryStore
from camshaft.errors import ConfigurationError
from camshaft.testing import make_app, make_client

ROOT = Path(__file__).resolve().parents[2]
HOOKS = sorted(
    name
    for name, obj in vars(hookspecs).items()
    if name.startswith("camshaft_") and inspect.isfunction(obj)
)


class Thing(Handler):
    resource_name = "things"
    links = False

    def read(self, key=None):
        return [{"id": i} for i in range(5)] if key is None else {"id": key}


def plugin(**hooks):
    """A plugin object whose hook implementations are the given functions."""
    namespace = {"camshaft_name": "testplugin"}
    for name, func in hooks.items():
        namespace[name] = staticmethod(hookimpl(func))
    return type("TestPlugin", (), namespace)()


def test_camshaft_settings_spec_declares_a_validated_section():
    p = plugin(camshaft_settings_spec=lambda: {"level": Option(int, 3)})
    assert make_app([], plugins=[p]).settings.plugin("testplugin") == {"level": 3}
    with pytest.raises(ConfigurationError, match="testplugin.level"):
        make_app([], plugins=[p], settings={"testplugin": {"level": "high"}})


def test_camshaft_startup_runs_once_with_the_built_app():
    calls = []
    p = plugin(camshaft_startup=lambda app, settings: calls.append((app, settings)))
    app = make_app([], plugins=[p])
    assert calls == [(app, app.settings)]


def test_camshaft_startup_errors_stop_the_app():
    def startup():
        raise ConfigurationError("not configured")

    with pytest.raises(ConfigurationError, match="not configured"):
        make_app([], plugins=[plugin(camshaft_startup=startup)])


def test_camshaft_routes_adds_routes():
    class Status(Handler):
        automatic_routes = False

        def read(self):
            return {"ok": True}

    p = plugin(camshaft_routes=lambda app: [Route("/status", Status)])
    assert make_client(make_app([], plugins=[p])).get("/status").json == {"ok": True}


def test_camshaft_emitters_adds_a_format():
    p = plugin(
        camshaft_emitters=lambda: [
            Emitter("upper", "text/x-upper", lambda data, ctx: str(data).upper().encode())
        ]
    )
    response = make_client(make_app([Thing], plugins=[p])).get("/things/a?format=upper")
    assert response.data == b"{'ID': 'A'}"


def test_camshaft_parsers_adds_a_body_format():
    class Echo(Handler):
        resource_name = "echo"

        def create(self, data):
            return {"got": data}, 200

    p = plugin(
        camshaft_parsers=lambda: [
            Parser("text/x-words", lambda body, limits: body.decode().split())
        ]
    )
    response = make_client(make_app([Echo], plugins=[p])).post(
        "/echo/", data=b"a b c", headers={"Content-Type": "text/x-words"}
    )
    assert response.json == {"got": ["a", "b", "c"]}


def test_camshaft_auth_schemes_adds_a_scheme_resources_can_name():
    def authenticate(request):
        token = request.header("X-Test-User")
        return Identity(token, "test") if token else None

    p = plugin(
        camshaft_auth_schemes=lambda: [
            AuthScheme("test", authenticate, lambda request: 'Test realm="x"')
        ]
    )

    class Private(Handler):
        resource_name = "private"
        authentication = ("test",)

        def read(self, key):
            return {"who": self.identity.id}

    client = make_client(make_app([Private], plugins=[p]))
    assert client.get("/private/1", headers={"X-Test-User": "ann"}).json == {"who": "ann"}
    denied = client.get("/private/1")
    assert denied.status_code == 401
    assert denied.headers["WWW-Authenticate"] == 'Test realm="x"'


def test_camshaft_authorize_can_deny_per_request():
    def authorize(identity, action):
        return False if action == "read" and identity is ANONYMOUS else None

    class Guarded(Thing):
        resource_name = "guarded"
        authentication = ("anonymous",)

    app = make_app([Thing, Guarded], plugins=[plugin(camshaft_authorize=authorize)])
    assert make_client(app).get("/guarded/1").status_code == 403
    # An open resource (no scheme named) is not governed by identity policies.
    assert make_client(app).get("/things/1").status_code == 200


def test_camshaft_stores_adds_a_store_handlers_can_name():
    opened = []

    def open_store(config):
        opened.append(config)
        return MemoryStore(config)

    p = plugin(camshaft_stores=lambda: [StoreBackend("custom", open_store)])

    class Kept(Handler):
        resource_name = "kept"
        links = False
        store = "custom"
        source = [{"id": 1, "name": "a"}]

    client = make_client(make_app([Kept], plugins=[p]))
    assert client.get("/kept/1").json == {"id": 1, "name": "a"}
    assert len(opened) == 1 and opened[0].resource == "kept"


def test_camshaft_paginators_adds_a_pagination_style():
    def first_two(request, collection):
        return Page(
            list(collection.window(0, 2)),
            collection.count(),
            {"next": "http://localhost/things/?after=2"},
        )

    class Paged(Thing):
        pagination = "firsttwo"

    p = plugin(camshaft_paginators=lambda: [Paginator("firsttwo", first_two)])
    response = make_client(make_app([Paged], plugins=[p])).get("/things/")
    assert response.json == [{"id": 0}, {"id": 1}]
    assert response.headers["Link"] == '<http://localhost/things/?after=2>; rel="next"'
    assert response.headers["X-Total-Count"] == "5"


def test_camshaft_throttle_backends_adds_a_backend():
    decisions = []

    def hit(key, rate):
        decisions.append(key)
        return Decision(len(decisions) <= 1, 0, 10.0, 10.0)

    p = plugin(camshaft_throttle_backends=lambda: [ThrottleBackend("counting", hit)])

    class Limited(Thing):
        throttle = (1, 60)

    app = make_app([Limited], plugins=[p], settings={"throttle": {"backend": "counting"}})
    client = make_client(app)
    assert client.get("/things/1").status_code == 200
    limited = client.get("/things/1")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "10"
    assert len(decisions) == 2


def test_camshaft_nonce_stores_adds_a_backend():
    seen = set()

    def add(key, ttl):
        new = key not in seen
        seen.add(key)
        return new

    p = plugin(camshaft_nonce_stores=lambda: [NonceStore("sharedtest", add, shared=True)])
    app = make_app([], plugins=[p], settings={"nonces": {"backend": "sharedtest"}})
    assert app.nonce_store.add("n1", 60) is True
    assert app.nonce_store.add("n1", 60) is False


class _SchemaModel:
    """A kind of model no builtin adapter knows: a JSON-ish type map."""

    types = {"name": str}


class _SchemaAdapted:
    def __init__(self, model):
        from camshaft.plugin import ModelField

        self.model, self.name = model, "SchemaModel"
        self.fields = tuple(ModelField(n, "string", required=True) for n in model.types)
        self.by_name = {f.name: f for f in self.fields}

    def validate(self, data, *, partial=False, allow=()):
        from camshaft.errors import FieldError
        from camshaft.plugin import raise_if, require_object, screen_members

        data = require_object(data)
        errors = screen_members(data, self.by_name, allow)
        errors += [
            FieldError(f"/{n}", "must be a string")
            for n, t in self.model.types.items()
            if n in data and not isinstance(data[n], t)
        ]
        raise_if(errors)
        return dict(data)

    def convert_text(self, name, text):
        return text

    def json_schema(self, ref_template):
        props = {n: {"type": "string", "maxLength": 9} for n in self.model.types}
        return {"type": "object", "properties": props}, {}


def test_camshaft_model_adapters_adds_a_kind_of_model():
    from camshaft.plugin import ModelAdapter

    adapter = ModelAdapter(
        "schema", lambda m: isinstance(m, type) and issubclass(m, _SchemaModel), _SchemaAdapted
    )
    p = plugin(camshaft_model_adapters=lambda: [adapter])

    class Notes(Handler):
        resource_name = "notes"
        links = False
        store = "memory"
        model = _SchemaModel

    client = make_client(make_app([Notes], plugins=[p]))
    assert client.post("/notes/", json={"name": "a"}).status_code == 201
    bad = client.post("/notes/", json={"name": 1})
    assert bad.status_code == 400
    assert bad.json["errors"] == [{"pointer": "/name", "detail": "must be a string"}]
    schema = client.get("/openapi.json").json["components"]["schemas"]["SchemaModelInput"]
    assert schema["properties"]["name"]["maxLength"] == 9
    # Without the plugin, nothing accepts the model: the build names the handler.
    with pytest.raises(ConfigurationError, match="Notes.model"):
        make_app([Notes])


def test_every_hookspec_documents_its_parameters_and_return():
    for name in HOOKS:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        params = [p for p in inspect.signature(getattr(hookspecs, name)).parameters]
        assert doc, f"{name} has no docstring"
        for param in params:
            assert f":param {param}:" in doc, f"{name} does not document {param!r}"
        returns = inspect.signature(getattr(hookspecs, name)).return_annotation
        if returns not in ("None", None):
            assert ":return:" in doc, f"{name} does not document its return value"


def test_every_hookspec_is_documented_in_docs():
    text = (ROOT / "docs" / "hooks.md").read_text()
    missing = [name for name in HOOKS if f"## `{name}`" not in text]
    assert missing == []


def test_docs_hooks_page_is_the_specs_rendered():
    """docs/hooks.md is generated; regenerate it with
    ``python -m camshaft._kernel.hook_reference > docs/hooks.md``."""
    from camshaft._kernel.hook_reference import render

    assert (ROOT / "docs" / "hooks.md").read_text() == render()


def test_every_hookspec_has_a_test_named_after_it():
    names = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        tree = ast.parse(path.read_text())
        names.update(n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))
    untested = [h for h in HOOKS if not any(re.match(rf"test_{h}(_|$)", n) for n in names)]
    assert untested == []


def test_camshaft_request_sees_the_routed_request_and_may_answer_early():
    seen = []

    def on_request(request, app):
        seen.append((request.path, request.endpoint.handler, app))
        if request.header("X-Early") == "yes":
            return Result(None, 204, {"X-Answered": "early"})
        if request.header("X-Early") == "deny":
            return Status(403)
        return None

    app = make_app([Thing], plugins=[plugin(camshaft_request=on_request)])
    client = make_client(app)
    assert client.get("/things/1").json == {"id": "1"}
    assert seen == [("/things/1", Thing, app)]
    early = client.get("/things/1", headers={"X-Early": "yes"})
    assert (early.status_code, early.headers["X-Answered"], early.data) == (204, "early", b"")
    denied = client.get("/things/1", headers={"X-Early": "deny"})
    assert denied.status_code == 403
    assert denied.headers["Content-Type"] == "application/problem+json"
    # A request that no route matches never reaches the hook.
    assert client.get("/nothing").status_code == 404
    assert len(seen) == 3


def test_camshaft_request_and_response_are_not_called_when_no_plugin_implements_them():
    # request_id is the one builtin on by default that implements them.
    app = make_app([Thing], settings={"plugins": {"block": ["request_id"]}})
    assert app._on_request is None and app._on_response is None


def test_camshaft_response_may_add_headers_to_every_response():
    seen = []

    def on_response(request, status, headers):
        seen.append((request.path, status))
        headers.append(("X-Seen", str(status)))

    app = make_app([Thing], plugins=[plugin(camshaft_response=on_response)])
    client = make_client(app)
    assert client.get("/things/1").headers["X-Seen"] == "200"
    assert client.get("/nothing").headers["X-Seen"] == "404"  # a problem response
    strict = make_app(
        [Thing],
        plugins=[plugin(camshaft_response=on_response)],
        settings={"strict_negotiation": True},
    )
    assert make_client(strict).get("/things/1?format=nope").headers["X-Seen"] == "406"
    assert client.get("/openapi.json").headers["X-Seen"] == "200"  # a Werkzeug Response
    assert [s for _, s in seen] == [200, 404, 406, 200]


def test_camshaft_response_failure_is_logged_and_the_response_sent(caplog):
    def on_response(headers):
        raise RuntimeError("boom")

    app = make_app([Thing], plugins=[plugin(camshaft_response=on_response)])
    assert make_client(app).get("/things/1").json == {"id": "1"}
    assert "camshaft_response implementation failed" in caplog.text
