"""Content negotiation: ``?format=``, ``Accept`` with q-values, and the default format."""

from __future__ import annotations

from collections.abc import Sequence

from camshaft._kernel.emission.descriptors import Emitter
from camshaft.errors import ConfigurationError, NotAcceptable

__all__ = ["Negotiator", "parse_accept"]

_CACHE_SIZE = 512


def _split(text: str, sep: str) -> list[str]:
    """``text`` cut at ``sep`` outside quoted strings (RFC 9110 §5.6.4); a backslash
    inside quotes escapes the next character."""
    parts, start, quoted, escaped = [], 0, False, False
    for i, char in enumerate(text):
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == sep and not quoted:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        out, escaped = [], False
        for char in value[1:-1]:
            if char == "\\" and not escaped:
                escaped = True
                continue
            out.append(char)
            escaped = False
        return "".join(out)
    return value


def parse_accept(header: str) -> list[tuple[str, str, float, dict[str, str]]]:
    """Parse an Accept header into ``(type, subtype, q, params)`` tuples, in client order.

    Commas and semicolons inside quoted parameter values do not separate anything.
    Malformed ranges are skipped; a malformed or out-of-range q counts as 0.
    """
    ranges = []
    for part in _split(header, ","):
        media, *raw_params = _split(part, ";")
        media = media.strip().lower()
        if "/" not in media:
            if media == "*":
                media = "*/*"
            else:
                continue
        main, _, sub = media.partition("/")
        q = 1.0
        params: dict[str, str] = {}
        for raw in raw_params:
            name, _, value = raw.partition("=")
            name, value = name.strip().lower(), _unquote(value.strip())
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0:
                    q = 0.0
            elif name:
                params[name] = value
        ranges.append((main, sub, q, params))
    return ranges


class Negotiator:
    """Chooses an emitter for a request.

    :param emitters: every emitter, in the server's order of preference (the default first).
    :param default_format: the format answering when the client names none, or (unless
        ``strict``) when nothing it accepts exists.
    :param strict: answer 406 instead of falling back to the default.
    """

    __slots__ = ("_by_format", "_cache", "_types", "default", "emitters", "strict")

    def __init__(self, emitters: Sequence[Emitter], default_format: str, strict: bool) -> None:
        self._by_format = {e.format: e for e in emitters}
        if default_format not in self._by_format:
            raise ConfigurationError(
                f"default_format {default_format!r} has no emitter; "
                f"installed formats: {', '.join(sorted(self._by_format)) or 'none'}"
            )
        self.default = self._by_format[default_format]
        self.emitters = [self.default, *(e for e in emitters if e is not self.default)]
        # (emitter, type, subtype, exact only): a problem media type is chosen only when
        # asked for by name, so "application/json;q=0, */*" still excludes JSON.
        self._types: list[tuple[Emitter, str, str, bool]] = []
        for e in self.emitters:
            for media, exact in ((e.media_type, False), (e.problem_media_type, True)):
                if media:
                    main, _, sub = media.lower().partition("/")
                    self._types.append((e, main, sub, exact))
        self.strict = strict
        # Accept -> (emitter, version, whether only a problem media type matched)
        self._cache: dict[str, tuple[Emitter, str | None, bool]] = {}

    @property
    def formats(self) -> list[str]:
        return [e.format for e in self.emitters]

    def by_format(self, name: str) -> Emitter:
        """The emitter for ``?format=name``.

        :raises NotAcceptable: no installed format has that name (the client asked for it
            explicitly, so there is no fallback, strict or not).
        """
        emitter = self._by_format.get(name.lower())
        if emitter is not None:
            return emitter
        raise NotAcceptable(
            f"No format {name!r} is installed; available: {', '.join(self.formats)}.",
            available=[e.media_type for e in self.emitters],
            formats=self.formats,
        )

    def by_accept(self, accept: str | None) -> tuple[Emitter, str | None]:
        """The emitter for an Accept header, and the ``version`` parameter of the media
        range it matched, if any.

        :raises NotAcceptable: nothing acceptable exists, under strict negotiation.
        """
        if not accept:
            return self.default, None
        hit = self._chosen(accept)
        return hit[0], hit[1]

    def problems_only(self, accept: str | None) -> bool:
        """Whether ``accept`` admits nothing but problem documents
        (``Accept: application/problem+json``): no success can be represented."""
        return bool(accept) and self._chosen(accept)[2]  # type: ignore[arg-type]

    def problems_only_error(self) -> NotAcceptable:
        """The 406 for a success when :meth:`problems_only`."""
        return self._not_acceptable("an Accept that admits only problem documents")

    def _chosen(self, accept: str) -> tuple[Emitter, str | None, bool]:
        hit = self._cache.get(accept)
        if hit is None:
            hit = self._choose(accept)
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[accept] = hit
        return hit

    def _choose(self, accept: str) -> tuple[Emitter, str | None, bool]:
        ranges = parse_accept(accept)
        best: tuple[bool, float, int, int, int] | None = None
        chosen: tuple[Emitter, str | None, bool] | None = None
        for server_pos, (emitter, main, sub, exact_only) in enumerate(self._types):
            # The most specific range matching this type decides its q (RFC 9110 §12.5.1).
            match = None
            for client_pos, (rmain, rsub, q, params) in enumerate(ranges):
                if rmain == main and rsub == sub:
                    spec = 2
                elif exact_only:
                    continue
                elif rmain == main and rsub == "*":
                    spec = 1
                elif rmain == "*" and rsub == "*":
                    spec = 0
                else:
                    continue
                if match is None or spec > match[0]:
                    match = (spec, q, client_pos, params)
            if match is None or match[1] <= 0:
                continue
            # A problem type is chosen only when no success type is acceptable at all.
            key = (not exact_only, match[1], match[0], -match[2], -server_pos)
            if best is None or key > best:
                best, chosen = key, (emitter, match[3].get("version"), exact_only)
        if chosen is not None:
            return chosen
        if self.strict:
            raise self._not_acceptable(f"Accept: {accept}")
        return self.default, None, False

    def _not_acceptable(self, asked: str) -> NotAcceptable:
        offered = ", ".join(e.media_type for e in self.emitters)
        return NotAcceptable(
            f"Nothing matching {asked} can be produced; available: {offered}.",
            available=[e.media_type for e in self.emitters],
        )
