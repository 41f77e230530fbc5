"""The documentation's examples, run: a shown output is a tested output.

Conventions, for README.md and every page under docs/ (the HTML comments do not render):

- A ```python block is run, in order, in one namespace per page (a later block may use
  what an earlier one defined), from the repository root. A block that cannot run on its
  own (an excerpt, a plugin's own module) is preceded by ``<!-- not-run -->``.
- A ```python block preceded by ``<!-- pytest -->`` is a test file instead: all such
  blocks of a page are written to one directory and run with pytest, which must pass. A
  block whose first line is ``# conftest.py`` (or any ``# name.py``) becomes that file.
- An indented shell session preceded by ``<!-- curl MODULE:APP -->`` is checked in process
  against the app ``camshaft serve MODULE:APP`` would serve (a function is called for a
  fresh one): each ``$ curl ...`` command is sent
  (its ``-u``, ``-X``, ``-H``, ``-d``, ``-i``, ``-w '%{http_code}\\n'`` honoured) and the
  lines after it up to the next ``$`` line are its output. JSON output is compared as
  JSON; with ``-i`` the status line and each shown header; ``#`` lines are comments.
"""

from __future__ import annotations

import base64
import json
import re
import shlex
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.test import Client

from camshaft.cli import load_app

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"```[\w+-]*\s*")
MARKER = re.compile(r"<!--\s*(not-run|pytest|curl\s+(\S+))\s*-->")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # 1-based line of the opening fence or first indented line
    kind: str  # "python", "pytest", "skip" or "curl"
    text: str
    target: str = ""


def blocks(page: Path) -> list[Block]:
    """Every python block and every marked curl session of ``page``, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    marker: re.Match[str] | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if FENCE.fullmatch(line):
            # An unclosed fence runs to the end (test_every_page_has_been_read says so).
            closing = (j for j in range(i + 1, len(lines)) if FENCE.fullmatch(lines[j]))
            end = next(closing, len(lines))
            if line.strip() == "```python":
                kind = {"not-run": "skip", "pytest": "pytest"}.get(
                    marker.group(1) if marker else "", "python"
                )
                found.append(Block(page, i + 1, kind, "\n".join(lines[i + 1 : end]) + "\n"))
            marker, i = None, end + 1
            continue
        if marker and marker.group(2) and line.startswith("    "):
            end = i
            while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
                end += 1
            text = "\n".join(raw[4:] for raw in lines[i:end])
            found.append(Block(page, i + 1, "curl", text, marker.group(2)))
            marker, i = None, end
            continue
        if line.strip():
            marker = MARKER.search(line)
        i += 1
    return found


def _page_id(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def _pages_with(kind: str) -> list[Path]:
    return [page for page in PAGES if any(b.kind == kind for b in blocks(page))]


@pytest.mark.parametrize("page", _pages_with("python"), ids=_page_id)
def test_python_examples_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    module = types.ModuleType(f"docs_example_{page.stem}")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    for block in blocks(page):
        if block.kind != "python":
            continue
        code = compile(block.text, f"{_page_id(page)}:{block.line}", "exec")
        exec(code, module.__dict__)


@pytest.mark.parametrize("page", _pages_with("pytest"), ids=_page_id)
def test_pytest_examples_pass(
    page: Path, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the examples package
    files: dict[str, str] = {}
    for n, block in enumerate(b for b in blocks(page) if b.kind == "pytest"):
        first = block.text.splitlines()[0]
        name = first[2:].strip() if re.fullmatch(r"# [\w/]+\.py", first) else f"test_doc_{n}.py"
        files[name] = files.get(name, "") + block.text
    for name, text in files.items():
        pytester.path.joinpath(name).write_text(text, encoding="utf-8")
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-W", "error")
    outcomes = result.parseoutcomes()
    assert result.ret == 0, result.stdout.str()
    assert outcomes.get("passed", 0) >= 1 and set(outcomes) <= {"passed"}, outcomes


# ---------------------------------------------------------------------- curl sessions


def _commands(text: str) -> list[tuple[str, list[str]]]:
    """(command, output lines) pairs; a trailing backslash continues a command."""
    pairs: list[tuple[str, list[str]]] = []
    lines = iter(text.splitlines())
    for line in lines:
        if line.startswith("$ "):
            command = line[2:]
            while command.endswith("\\"):
                command = command[:-1] + " " + next(lines).strip()
            pairs.append((command, []))
        elif pairs and line.strip() and not line.lstrip().startswith("#"):
            pairs[-1][1].append(line)
    return pairs


def _send(client: Client, command: str) -> tuple[str, list[str]]:
    """Run one curl command against ``client``; return (what curl prints, flags)."""
    args = shlex.split(command)
    assert args[0] == "curl", command
    method, headers, data, flags, url, write = None, {}, None, [], None, None
    it = iter(args[1:])
    for arg in it:
        if arg == "-X":
            method = next(it)
        elif arg == "-H":
            name, _, value = next(it).partition(":")
            headers[name.strip()] = value.strip()
        elif arg == "-d":
            data = next(it)
        elif arg == "-u":
            headers["Authorization"] = "Basic " + base64.b64encode(next(it).encode()).decode()
        elif arg == "-w":
            write = next(it)
        elif arg == "-o":
            assert next(it) == "/dev/null", command
            flags.append("-o")
        elif arg in ("-i", "-s", "-sS"):
            flags.append(arg)
        else:
            url = arg
    assert url is not None, command
    if data is not None:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    parts = urlsplit(url)
    response = client.open(
        parts.path,
        base_url=f"{parts.scheme}://{parts.netloc}",
        query_string=parts.query,
        method=method or ("POST" if data is not None else "GET"),
        headers=headers,
        data=data,
    )
    printed = "" if "-o" in flags else response.get_data(as_text=True)
    if "-i" in flags:
        head = [f"HTTP/1.1 {response.status}"] + [f"{k}: {v}" for k, v in response.headers]
        printed = "\n".join(head) + "\n\n" + printed
    if write is not None:
        printed += write.replace("%{http_code}", str(response.status_code)).replace("\\n", "\n")
    return printed, flags


def _check(command: str, printed: str, flags: list[str], shown: list[str]) -> None:
    if not shown:
        return
    if "-i" in flags:
        head = printed.split("\n\n", 1)[0].splitlines()
        assert head[0] == shown[0], command
        for line in shown[1:]:
            assert line in head, f"{command}: header {line!r} not in {head}"
        return
    text = "\n".join(line.strip() for line in shown)
    if text.startswith(("{", "[")):
        assert json.loads(printed) == json.loads(text), command
    else:
        assert printed.strip() == text, command


def _curl_blocks() -> list[Block]:
    return [b for page in PAGES for b in blocks(page) if b.kind == "curl"]


@pytest.mark.parametrize(
    "block", _curl_blocks(), ids=lambda b: f"{_page_id(b.page)}:{b.line}"
)
def test_curl_sessions_show_what_the_app_answers(
    block: Block, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    client = Client(load_app(block.target))
    pairs = _commands(block.text)
    assert pairs, "a curl session with no $ curl line"
    for command, shown in pairs:
        printed, flags = _send(client, command)
        _check(command, printed, flags, shown)


def test_every_page_has_been_read() -> None:
    """The parser finds the blocks it should: a page's fences all pair up."""
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        fences = sum(1 for line in text.splitlines() if FENCE.fullmatch(line))
        assert fences % 2 == 0, _page_id(page)
    assert any(b.kind == "python" for b in blocks(ROOT / "README.md"))
