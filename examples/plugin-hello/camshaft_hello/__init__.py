"""camshaft-hello: a third-party Camshaft plugin, as small as a useful one gets.

It declares a settings section (``[hello]``), contributes a route (``/hello/<name>``)
and a ``text/plain`` emitter (``?format=text``), and checks its settings at startup.

It mounts a route, so it is opt-in (``camshaft_opt_in``): installing it changes no app;
an app that wants it says ``[plugins] enable = ["hello"]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from camshaft import EmitContext, Emitter, Handler, Option, Route, hookimpl
from camshaft.errors import ConfigurationError

__all__ = ["HelloHandler"]

#: A plugin that adds routes adds attack surface: only apps that enable it get it.
camshaft_opt_in = True


class HelloHandler(Handler):
    """Greets whoever is named in the path, with the configured greeting."""

    automatic_routes = False

    def read(self, name: str) -> dict[str, str]:
        greeting = self.request.app.settings.plugin("hello")["greeting"]
        return {"message": f"{greeting}, {name}!"}


def _text(data: Any, ctx: EmitContext) -> bytes:
    if isinstance(data, dict):
        return "".join(f"{k}: {v}\n" for k, v in data.items()).encode()
    return f"{data}\n".encode()


def _text_stream(items: Iterable[Any], ctx: EmitContext) -> Iterator[bytes]:
    for item in items:
        yield _text(item, ctx)


@hookimpl
def camshaft_settings_spec() -> dict[str, Option]:
    return {
        "greeting": Option(str, "Hello", "The word the /hello route greets with."),
        "path": Option(str, "/hello/<name>", "Where the greeting route lives."),
    }


@hookimpl
def camshaft_routes(settings: Any) -> list[Route]:
    return [Route(settings.plugin("hello")["path"], HelloHandler)]


@hookimpl
def camshaft_emitters() -> list[Emitter]:
    return [Emitter("text", "text/plain", _text, _text_stream, charset="utf-8")]


@hookimpl
def camshaft_startup(settings: Any) -> None:
    if not settings.plugin("hello")["greeting"].strip():
        raise ConfigurationError("[hello] greeting must not be blank")
