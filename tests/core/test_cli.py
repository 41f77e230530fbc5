from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from camshaft.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def in_repo(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_routes_lists_each_route_with_verbs_handler_and_version(in_repo, capsys):
    assert main(["routes", "examples.events.app:app"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["PATH", "METHODS", "HANDLER", "VERSION"]
    assert any(
        "/events/{key}" in row and "EventHandler_v12" in row and "1.2" in row for row in lines
    )
    assert any("EventHandler " in row + " " and "1.0 (default)" in row for row in lines)


def test_plugins_lists_builtins_with_their_hooks(capsys):
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    json_line = next(row for row in out.splitlines() if row.startswith("json "))
    assert "camshaft" in json_line and "builtin" in json_line and "emitters, parsers" in json_line


def test_bad_targets_are_clear_errors(in_repo):
    with pytest.raises(SystemExit, match="expected MODULE:APP"):
        main(["routes", "examples.events.app"])
    with pytest.raises(SystemExit, match="cannot import"):
        main(["routes", "no.such.module:app"])
    with pytest.raises(SystemExit, match="has no attribute"):
        main(["routes", "examples.events.app:nothing"])


def test_configuration_errors_exit_2_with_a_message(tmp_path, monkeypatch, capsys):
    (tmp_path / "badapp.py").write_text(
        "from camshaft import App\ndef app():\n    return App([], settings={'nope': 1})\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["routes", "badapp:app"]) == 2
    assert "unknown setting 'nope'" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 15.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_serve_runs_the_development_server():
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "camshaft.cli",
            "serve",
            "examples.events.app:app",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = wait_for(f"http://127.0.0.1:{port}/v1.2/events/3", proc)
        assert b'"version":"1.2"' in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.gunicorn
def test_the_events_example_under_gunicorn_workers():
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "examples.events.app:app"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/events/1", proc) == (
            b'{"id":1,"message":"Hello!","url":"http://127.0.0.1:%d/events/1"}' % port
        )
        bodies = {wait_for(f"http://127.0.0.1:{port}/v1.1/events/{i}", proc) for i in range(20)}
        assert len(bodies) == 20 and all(b'"version":"1.1"' in b for b in bodies)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/events/..")
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(request, timeout=5)
        assert info.value.code == 400
        assert info.value.headers["Content-Type"] == "application/problem+json"
        info.value.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_version_names_the_installed_distribution(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"camshaft {version('camshaft')}"


@pytest.mark.parametrize("argv", [["--help"], ["serve", "--help"], ["openapi", "--help"]],
                         ids=["top-level help", "serve help", "openapi help"])
def test_help_is_plain_text(argv, capsys):
    with pytest.raises(SystemExit):
        main(argv)
    out = capsys.readouterr().out
    assert "``" not in out and ":class:" not in out and ":func:" not in out


def test_serve_help_shows_host_and_port_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--host HOST address to listen on (default: 127.0.0.1)" in out
    assert "--port PORT port to listen on (default: 8000)" in out


@pytest.mark.parametrize("port", ["70000", "-1", "http"], ids=["too big", "negative", "a word"])
def test_a_bad_port_is_a_usage_error_not_a_traceback(port, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "examples.events.app:app", "--port", port])
    assert exit_info.value.code == 2
    assert "argument --port" in capsys.readouterr().err


def test_docs_cli_md_shows_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    listing = capsys.readouterr().out.split("COMMAND\n", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in listing.splitlines() if line.startswith("    ")]
    commands = [row.split()[0] for row in rows if not row.startswith("     ")]
    assert {"serve", "routes", "plugins", "openapi"} <= set(commands)
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in commands:
        assert f"camshaft {command}" in page, command


def test_docs_cli_md_routes_sample_is_the_output(in_repo, monkeypatch, capsys):
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    block = page.split("<!-- cli-output -->\n\n", 1)[1].split("\n\n", 1)[0]
    command, *shown = [line[4:] for line in block.splitlines()]
    assert command == "$ CAMSHAFT_DISABLE_PLUGIN_AUTOLOAD=1 camshaft routes examples.events.app:app"
    monkeypatch.setenv("CAMSHAFT_DISABLE_PLUGIN_AUTOLOAD", "1")
    # A fresh import, as the command makes: the module builds its app at import time.
    monkeypatch.delitem(sys.modules, "examples.events.app", raising=False)
    assert main(["routes", "examples.events.app:app"]) == 0
    assert capsys.readouterr().out.splitlines() == shown
