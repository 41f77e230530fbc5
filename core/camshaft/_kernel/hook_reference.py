"""docs/hooks.md, rendered from the hookspecs themselves.

``python -m camshaft._kernel.hook_reference > docs/hooks.md`` regenerates the page; a test
fails when the page and the specs disagree, so the reference cannot go stale.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from camshaft._kernel import hookspecs

__all__ = ["render"]

_INTRO = """\
# Hook reference

*Reference.* Every hook a plugin can implement, generated from
`core/camshaft/_kernel/hookspecs.py` by `python -m camshaft._kernel.hook_reference` (a test
fails when this page and the specs disagree). Implement a hook by defining a function of
the same name decorated with `camshaft.plugin.hookimpl` in your plugin module; accept only
the arguments you need — pluggy passes keyword arguments, so a hook can gain arguments
without breaking your plugin.

**Registration hooks** run once when an app is built and return descriptors; the request
path then calls those plain objects, never pluggy. **Decision hooks** run per request, and
only when some plugin implements them. Installed plugins are called before the builtins
(the builtins' implementations are `trylast`), so for a name two plugins both provide, the
installed one wins; the `order` setting (`order.emitters = ["yaml", "json"]`) puts named
plugins first.
"""

_SECTION = re.compile(r"^# -{10,}\n# (?P<title>[^\n]+)\n# -{10,}$", re.MULTILINE)
_HOOK = re.compile(r"^def (camshaft_\w+)\(", re.MULTILINE)


def _sections() -> list[tuple[str, list[str]]]:
    """(section title, hook names in source order) as the specs module groups them."""
    source = Path(inspect.getfile(hookspecs)).read_text()
    marks = list(_SECTION.finditer(source))
    out = []
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(source)
        out.append((mark["title"], _HOOK.findall(source, mark.end(), end)))
    return out


def _signature(name: str) -> str:
    func = getattr(hookspecs, name)
    sig = inspect.signature(func)
    params = ", ".join(
        f"{p.name}: {p.annotation}" if p.annotation is not p.empty else p.name
        for p in sig.parameters.values()
    )
    return f"def {name}({params}) -> {sig.return_annotation}"


def render() -> str:
    """The whole reference page as Markdown."""
    parts = [_INTRO]
    for title, names in _sections():
        parts.append(f"# {title}\n")
        for name in names:
            doc = inspect.getdoc(getattr(hookspecs, name)) or ""
            # A signature is not runnable: the docs test skips the block.
            block = f"<!-- not-run -->\n```python\n{_signature(name)}\n```"
            parts.append(f"## `{name}`\n\n{block}\n\n{doc}\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
