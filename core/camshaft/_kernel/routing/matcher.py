"""Custom routes matched by regular expressions compiled once, at build.

The Werkzeug :class:`~werkzeug.routing.Map` stays the source of truth (its rules, its
converters, and building URLs); this table only answers "which custom route serves this
path, with which arguments" without running Werkzeug's state machine per request, whose
matching leaves reference cycles for the garbage collector on every call.

Rules are tried in Werkzeug's order of preference: segment by segment, a static segment
before a converter, a converter of lower weight (``int``) before a higher one (``path``).
A test compares this table with Werkzeug's own matching on generated paths.
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.routing import Map, Rule
from werkzeug.routing.converters import BaseConverter, ValidationError
from werkzeug.routing.rules import parse_converter_args

__all__ = ["CustomMatcher"]

_VARIABLE = re.compile(
    r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?P<args>.*?)\))?:)?"
    r"(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>"
)


class _Compiled:
    __slots__ = ("converters", "endpoint", "priority", "regex")

    def __init__(self, rule: Rule, url_map: Map, index: int) -> None:
        self.endpoint = rule.endpoint
        pattern: list[str] = []
        self.converters: dict[str, BaseConverter] = {}
        priority: list[tuple[int, int]] = []
        pos = 0
        text = rule.rule
        for m in _VARIABLE.finditer(text):
            static = text[pos : m.start()]
            pattern.append(re.escape(static))
            priority.extend((0, 0) for part in static.split("/") if part)
            name = m["name"]
            conv_name = m["converter"] or "default"
            args, kwargs = parse_converter_args(m["args"]) if m["args"] else ((), {})
            converter = url_map.converters[conv_name](url_map, *args, **kwargs)
            self.converters[name] = converter
            pattern.append(f"(?P<{name}>{converter.regex})")
            priority.append((1, converter.weight))
            pos = m.end()
        tail = text[pos:]
        priority.extend((0, 0) for part in tail.split("/") if part)
        last = list(self.converters.values())[-1] if self.converters and not tail else None
        if last is not None and not last.part_isolating:
            # A path converter at the end takes a trailing slash into its value.
            self.regex = re.compile("".join(pattern))
        else:
            # strict_slashes=False: a trailing slash is optional either way.
            self.regex = re.compile("".join(pattern) + re.escape(tail.rstrip("/")) + "/?")
        self.priority = (tuple(priority), index)

    def match(self, path: str) -> dict[str, Any] | None:
        m = self.regex.fullmatch(path)
        if m is None:
            return None
        try:
            return {
                name: self.converters[name].to_python(value)
                for name, value in m.groupdict().items()
            }
        except ValidationError:  # the converter refuses the value: not this rule
            return None


class CustomMatcher:
    """The custom routes of ``url_map``, compiled."""

    __slots__ = ("_rules",)

    def __init__(self, url_map: Map) -> None:
        rules = [_Compiled(rule, url_map, i) for i, rule in enumerate(url_map.iter_rules())]
        self._rules = tuple(sorted(rules, key=lambda r: r.priority))

    def match(self, path: str) -> tuple[str, dict[str, Any]] | None:
        """``(endpoint, arguments)`` of the preferred rule matching ``path``, or None.

        A path with an empty segment (``//``) is for Werkzeug's own matching, which
        skips empty segments; the caller falls back to it.
        """
        for rule in self._rules:
            args = rule.match(path)
            if args is not None:
                return rule.endpoint, args
        return None
