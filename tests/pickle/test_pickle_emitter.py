"""camshaft-pickle: emit only, opt-in, stdlib-only output; pickle bodies are always 415."""

from __future__ import annotations

import enum
import io
import pickle
from importlib.metadata import entry_points
from pathlib import Path

import pytest

import camshaft_pickle
from camshaft import App, EmitContext
from camshaft.errors import FieldError
from camshaft.testing import make_app, make_client
from camshaft.testing.contracts import EmitterContract
from camshaft.testing.samples import SAMPLE, Things
from camshaft_pickle import EMITTER


class Color(enum.Enum):
    RED = "red"


class TestPickleEmitterContract(EmitterContract):
    plugins = ("pickle",)
    format = "pickle"
    media_type = "application/python-pickle"
    parses = False
    sample_doc = Path(__file__).parents[2] / "docs" / "formats" / "pickle.md"

    def documented_bytes(self, block):
        return bytes.fromhex(block)


def globals_needed(body: bytes) -> set[str]:
    """Every module-level name loading the pickle imports."""
    names: set[str] = set()

    class Recorder(pickle.Unpickler):
        def find_class(self, module, name):
            names.add(f"{module}.{name}")
            return super().find_class(module, name)

    Recorder(io.BytesIO(body)).load()
    return names


def only_discovering(name: str, **plugins) -> dict:
    """Settings that autoload entry points but block every installed plugin except
    ``name`` (other plugins may need settings of their own)."""
    others = sorted({ep.name for ep in entry_points(group="camshaft")} - {name})
    return {"plugins": {"autoload": True, "block": others, **plugins}}


def test_discovered_through_its_entry_point_but_off_unless_enabled():
    app = App([Things], settings=only_discovering("pickle"), environ={})
    assert "pickle" not in app.emitters
    app = App([Things], settings=only_discovering("pickle", enable=["pickle"]), environ={})
    assert app.emitters["pickle"] is EMITTER


def test_off_unless_enabled_when_registered_explicitly():
    settings = {"plugins": {"autoload": False}}
    plugin = ("pickle", camshaft_pickle)
    assert "pickle" not in App([Things], settings=settings, plugins=[plugin], environ={}).emitters
    settings = {"plugins": {"autoload": False, "enable": ["pickle"]}}
    assert "pickle" in App([Things], settings=settings, plugins=[plugin], environ={}).emitters


def test_format_pickle_is_not_served_when_not_enabled():
    app = App([Things], settings=only_discovering("pickle"), environ={})
    response = make_client(app).get("/things/1?format=pickle")
    assert response.status_code == 406  # no installed format has that name
    assert "pickle" not in response.json["formats"]


@pytest.mark.parametrize("enabled", [True, False], ids=["plugin enabled", "plugin absent"])
@pytest.mark.parametrize("media", ["application/python-pickle", "application/x-pickle"])
def test_pickle_request_bodies_are_415(enabled, media):
    app = make_app([Things], plugins=["pickle"] if enabled else [])
    body = pickle.dumps({"title": "x"})
    response = make_client(app).post("/things/", data=body, headers={"Content-Type": media})
    assert response.status_code == 415
    assert media not in app.parsers


def test_output_needs_only_the_standard_library():
    data = {
        **SAMPLE,
        "color": Color.RED,
        "errors": [FieldError("/a", "bad")],
        "set": {2, 1},
        "pair": (1, 2),
    }
    body = EMITTER.emit(data, EmitContext())
    assert globals_needed(body) <= {
        "datetime.datetime",
        "datetime.timezone",
        "datetime.timedelta",
        "uuid.UUID",
        "decimal.Decimal",
    }
    loaded = pickle.loads(body)
    assert loaded["color"] == "red"
    assert type(loaded["errors"][0]) is dict
    assert loaded["set"] == [1, 2] and loaded["pair"] == [1, 2]
    assert loaded["updated"] == SAMPLE["updated"] and loaded["total"] == SAMPLE["total"]


def test_problem_documents_are_pickled_dicts():
    client = make_client(make_app([Things], plugins=["pickle"]))
    response = client.get("/nowhere?format=pickle")
    assert response.status_code == 404
    assert pickle.loads(response.data)["status"] == 404


def test_accept_q_values_choose_pickle_when_enabled():
    client = make_client(make_app([Things], plugins=["pickle"]))
    accept = "application/json;q=0.5, application/python-pickle;q=0.8"
    response = client.get("/things/1", headers={"Accept": accept})
    assert response.mimetype == "application/python-pickle"
    assert pickle.loads(response.data) == SAMPLE
