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
