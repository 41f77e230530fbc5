"""A million rows in every streamable format, in constant memory (issue 11, "Streaming,
every streamable format").

Each format runs in a fresh interpreter (``python -c`` of :data:`CHILD`): it builds an
app with every installed plugin, records its peak resident set (Linux's ``VmHWM``, the
process's own), calls the app with ``GET /rows/?format=<name>`` for a handler that
yields :data:`ROWS` rows from a generator, consumes the response chunk by chunk keeping
nothing but counters, and reads the peak again. The difference is what the export
needed beyond the idle process; it must stay under :data:`MAX_GROWTH_MIB` (the target
of issue 16), whatever the body's size (45 MiB of msgpack, 100 MiB of XML).

Every row is accounted for: the child counts its rows' names in the bytes as they pass
(a name cut between two chunks counts once), and the last row must be in the body's
tail. The formats run two at a time, as the machine has two cores.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from camshaft import App

ROWS = 1_000_000
MAX_GROWTH_MIB = 5.0

#: The child: ``argv[1]`` the format, ``argv[2]`` the rows; prints one JSON line.
CHILD = r"""
import json, sys
from werkzeug.test import EnvironBuilder
from camshaft import App, Handler

def peak_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])

fmt, rows = sys.argv[1], int(sys.argv[2])

class RowHandler(Handler):
    resource_name = "rows"
    fields = ("id", "name", "amount")
    links = False

    def read(self):
        return ({"id": i, "name": f"customer {i}", "amount": i * 0.25} for i in range(rows))

app = App([RowHandler])
seen = {}
def start_response(status, headers, exc_info=None):
    seen["status"], seen["headers"] = status, dict(headers)

environ = EnvironBuilder(path="/rows/", query_string={"format": fmt}).get_environ()
token = b"customer "
before = peak_kib()
body = app(environ, start_response)
size = count = 0
carry = tail = b""
try:
    for chunk in body:
        size += len(chunk)
        data = carry + chunk
        count += data.count(token)
        carry = data[-(len(token) - 1):]
        tail = (tail + chunk)[-4096:]
finally:
    getattr(body, "close", lambda: None)()
after = peak_kib()
print(json.dumps({
    "status": seen["status"],
    "type": seen["headers"].get("Content-Type"),
    "size": size,
    "rows": count,
    "last": f"customer {rows - 1}".encode() in tail,
    "growth_mib": (after - before) / 1024,
}))
"""


def _streamable_formats() -> list[str]:
    """Every installed format whose emitter streams (the app loads every plugin)."""
    app = App([])
    return sorted(e.format for e in app.emitters.values() if e.stream is not None)


FORMATS = _streamable_formats()


def _export(fmt: str) -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, "-c", CHILD, fmt, str(ROWS)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def exports() -> dict[str, dict[str, Any]]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(FORMATS, pool.map(_export, FORMATS), strict=True))


def test_every_installed_streaming_format_is_measured() -> None:
    """The formats of the plugins this suite installs are all here (a renamed attribute
    or a lost ``stream`` would otherwise drop a format from the measurement silently)."""
    expected = {"json", "ndjson"}
    for module, fmt in [
        ("camshaft_csv", "csv"),
        ("camshaft_yaml", "yaml"),
        ("camshaft_xml", "xml"),
        ("camshaft_msgpack", "msgpack"),
    ]:
        try:
            __import__(module)
        except ImportError:
            continue
        expected.add(fmt)
    assert expected <= set(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_million_rows_stream_in_constant_memory(
    fmt: str, exports: dict[str, dict[str, Any]]
) -> None:
    result = exports[fmt]
    assert result["status"] == "200 OK", result
    assert result["rows"] == ROWS, result
    assert result["last"], result
    assert result["size"] > ROWS * 10, result  # the body really is far larger than memory
    assert result["growth_mib"] < MAX_GROWTH_MIB, result
