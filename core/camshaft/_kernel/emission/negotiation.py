"""Content negotiation: ``?format=``, ``Accept`` with q-values, and the default format."""

from __future__ import annotations

from collections.abc import Sequence

from camshaft._kernel.emission.descriptors import Emitter
from camshaft.errors import ConfigurationError, NotAcceptable

__all__ = ["Negotiator", "parse_accept"]

_CACHE_SIZE = 512


def parse_accept(header: str) -> list[tuple[str, str, float, dict[str, str]]]:
    """Parse an Accept header into ``(type, subtype, q, params)`` tuples, in client order.

    Malformed ranges are skipped; a malformed or out-of-range q counts as 0.
    """
    ranges = []
    for part in header.split(","):
        media, *raw_params = part.split(";")
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
            name, value = name.strip().lower(), value.strip().strip('"')
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
        self._cache: dict[str, tuple[Emitter, str | None]] = {}

    @property
    def formats(self) -> list[str]:
        return [e.format for e in self.emitters]

    def by_format(self, name: str) -> Emitter:
        """The emitter for ``?format=name``.

        :raises NotAcceptable: unknown format under strict negotiation.
        """
        emitter = self._by_format.get(name.lower())
        if emitter is not None:
            return emitter
        if self.strict:
            raise self._not_acceptable(f"format {name!r}")
        return self.default

    def by_accept(self, accept: str | None) -> tuple[Emitter, str | None]:
        """The emitter for an Accept header, and the ``version`` parameter of the media
        range it matched, if any.

        :raises NotAcceptable: nothing acceptable exists, under strict negotiation.
        """
        if not accept:
            return self.default, None
        hit = self._cache.get(accept)
        if hit is None:
            hit = self._choose(accept)
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[accept] = hit
        return hit

    def _choose(self, accept: str) -> tuple[Emitter, str | None]:
        ranges = parse_accept(accept)
        best: tuple[float, int, int, int] | None = None
        chosen: tuple[Emitter, str | None] | None = None
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
            key = (match[1], match[0], -match[2], -server_pos)
            if best is None or key > best:
                best, chosen = key, (emitter, match[3].get("version"))
        if chosen is not None:
            return chosen
        if self.strict:
            raise self._not_acceptable(f"Accept: {accept}")
        return self.default, None

    def _not_acceptable(self, asked: str) -> NotAcceptable:
        offered = ", ".join(e.media_type for e in self.emitters)
        return NotAcceptable(
            f"Nothing matching {asked} can be produced; available: {offered}.",
            available=[e.media_type for e in self.emitters],
        )
