"""Conditional requests as RFC 9110 §13 defines them: validators and preconditions.

A resource's **version** is the opaque token its store changes on every write. The
``ETag`` of one *representation* of it is that version followed by ``~`` and a short
hash of what else shapes the bytes (the format, ``?fields=`` / ``?exclude=``, the API
version, the handler class), so JSON and YAML of the same state carry different strong
tags (§8.8.3). ``If-Match`` and ``If-None-Match`` on a write compare *versions* (the tag
with its suffix removed), so a client may send back the tag of whichever
representation it read; ``If-None-Match`` on GET/HEAD compares whole tags (weakly, §13.1.2).

:class:`Preconditions` parses the four headers (with :func:`werkzeug.http.parse_etags`;
a malformed entity-tag list is a 400 naming the header), :meth:`Preconditions.read`
evaluates them for GET/HEAD (304 or 412) and :func:`conditional_write` runs a write
under them: read, authorize, evaluate, then write with a compare-and-swap on the
version that was evaluated, so nothing changes between the check and the write.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from werkzeug.datastructures import ETags
from werkzeug.http import http_date, parse_date, parse_etags

from camshaft.errors import BadRequest, Conflict, NotFound, PreconditionFailed

if TYPE_CHECKING:
    from camshaft._kernel.request import Request

__all__ = [
    "Current",
    "Preconditions",
    "conditional_write",
    "last_modified",
    "representation_tag",
    "version_of",
]

T = TypeVar("T")

_ETAG = r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"'
#: ``*``, or entity tags separated by commas (empty list elements tolerated, §5.6.1).
_ETAG_LIST = re.compile(rf"\s*(?:\*|(?:,\s*)*{_ETAG}(?:\s*,(?:\s*,)*\s*{_ETAG})*(?:\s*,)*)\s*")
_SUFFIX = re.compile(r"~[0-9a-f]{8}$")
_TAG_CACHE: dict[tuple[Any, ...], str] = {}
_TAG_CACHE_SIZE = 512

#: Times a conditional write re-reads a record that changed under it before a 409.
ATTEMPTS = 3


def version_of(tag: str) -> str:
    """The stored version an entity tag (unquoted) names: the tag without its
    representation suffix."""
    return _SUFFIX.sub("", tag)


def representation_tag(request: Request, version: str, *extra: object) -> str:
    """The strong entity tag (unquoted) of the representation ``request`` selects of
    ``version``: the version, ``~``, and 8 hex digits of a hash of the format, the
    ``fields`` / ``exclude`` selection, the API version and ``extra``."""
    emitter = request.emitter or request.app.negotiator.default
    args = request.args if request.environ.get("QUERY_STRING") else None
    selection = (
        (tuple(args.getlist("fields")), tuple(args.getlist("exclude"))) if args else ((), ())
    )
    key = (emitter.format, selection, request.version, extra)
    suffix = _TAG_CACHE.get(key)
    if suffix is None:
        suffix = hashlib.blake2s(repr(key).encode(), digest_size=4).hexdigest()
        if len(_TAG_CACHE) >= _TAG_CACHE_SIZE:
            _TAG_CACHE.clear()
        _TAG_CACHE[key] = suffix
    return f"{version}~{suffix}"


def _etags(request: Request, name: str) -> ETags | None:
    value = request.header(name)
    if value is None:
        return None
    if _ETAG_LIST.fullmatch(value) is None or not value.strip(" \t,"):
        raise BadRequest(
            f"The {name} header is malformed: send '*' or a comma-separated list of "
            'quoted entity tags such as "abc" or W/"abc".',
            title=f"Invalid {name}",
        )
    etags = parse_etags(value)
    if etags.star_tag:
        return etags
    # parse_etags gives None for the empty tag "": it is a tag like any other.
    strong = {t or "" for t in etags.as_set()}
    return ETags(strong, {t or "" for t in etags.as_set(include_weak=True)} - strong)


def _date(request: Request, name: str) -> datetime | None:
    value = request.header(name)
    return None if value is None else parse_date(value)  # not a date: ignored (§13.1.3)


def _seconds(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class Current:
    """What a precondition is evaluated against: the stored version and, when known, the
    time of the last change; ``data`` is what the caller read (for authorization)."""

    version: str | None
    modified: datetime | None = None
    data: Any = None


@dataclass(frozen=True, slots=True)
class Preconditions:
    """The preconditions a request carries (RFC 9110 §13.1).

    :raises BadRequest: (from :meth:`of`) If-Match or If-None-Match is not ``*`` or a
        list of quoted entity tags.
    """

    if_match: ETags | None = None
    if_none_match: ETags | None = None
    if_modified_since: datetime | None = None
    if_unmodified_since: datetime | None = None

    @classmethod
    def of(cls, request: Request) -> Preconditions:
        env = request.environ
        if not any(
            k in env
            for k in (
                "HTTP_IF_MATCH",
                "HTTP_IF_NONE_MATCH",
                "HTTP_IF_MODIFIED_SINCE",
                "HTTP_IF_UNMODIFIED_SINCE",
            )
        ):
            return _NONE
        return cls(
            _etags(request, "If-Match"),
            _etags(request, "If-None-Match"),
            _date(request, "If-Modified-Since"),
            _date(request, "If-Unmodified-Since"),
        )

    @property
    def create_only(self) -> bool:
        """``If-None-Match: *``: the write may only create."""
        return self.if_none_match is not None and self.if_none_match.star_tag

    @property
    def single_version(self) -> str | None:
        """The version ``If-Match`` names when it names exactly one strong tag (a write
        can then be one compare-and-swap, nothing read first)."""
        if self.if_match is None or self.if_match.star_tag:
            return None
        strong = self.if_match.as_set()
        if len(strong) != 1 or self.if_match.as_set(include_weak=True) != strong:
            return None
        return version_of(next(iter(strong)))

    def needs_current(self) -> bool:
        """Whether evaluating these before a write needs the current record read first
        (anything beyond at most one strong If-Match tag and ``If-None-Match: *``)."""
        if self.if_match is not None and self.single_version is None:
            return True
        if self.if_none_match is not None and not self.create_only:
            return True
        return self.if_match is None and self.if_unmodified_since is not None

    def _match_fails(self, current: Current) -> bool:
        """Steps 1 and 2 of §13.2.2: If-Match (strong, by version), else
        If-Unmodified-Since."""
        if self.if_match is not None:
            if self.if_match.star_tag:
                return False
            return not any(version_of(t) == current.version for t in self.if_match.as_set())
        if self.if_unmodified_since is not None and current.modified is not None:
            return _seconds(current.modified) > _seconds(self.if_unmodified_since)
        return False

    def check_write(self, current: Current | None) -> None:
        """Evaluate for a state-changing request on ``current`` (None: no such record).

        :raises PreconditionFailed: a condition is false.
        """
        if current is None:
            if self.if_match is not None:
                raise PreconditionFailed("If-Match: there is no current representation.")
            return
        if self._match_fails(current):
            raise PreconditionFailed(
                "The resource has changed: the validator sent does not match the current one."
            )
        inm = self.if_none_match
        if inm is not None and (
            inm.star_tag or any(version_of(t) == current.version for t in inm.as_set(True))
        ):
            raise PreconditionFailed("If-None-Match: the current representation matches.")

    def read(self, current: Current, tag: str | None) -> bool:
        """Evaluate for GET/HEAD of ``current``, whose selected representation has the
        (unquoted) ``tag``: True when the answer is 304 Not Modified.

        :raises PreconditionFailed: If-Match or If-Unmodified-Since is false.
        """
        if self._match_fails(current):
            raise PreconditionFailed(
                "The resource has changed: the validator sent does not match the current one."
            )
        inm = self.if_none_match
        if inm is not None:
            return inm.star_tag or (tag is not None and inm.contains_weak(tag))
        ims = self.if_modified_since
        if ims is not None and current.modified is not None:
            return _seconds(current.modified) <= _seconds(ims)
        return False


_NONE = Preconditions()


def conditional_write(
    pre: Preconditions,
    *,
    read: Callable[[], Current | None],
    write: Callable[[str | None, bool], T],
    authorize: Callable[[Current], None] | None = None,
    creates: bool = False,
    missing: str = "No such resource.",
) -> tuple[T, bool]:
    """``write(expected_version, create_only)`` under ``pre``, after ``authorize``.

    Nothing is read first when there is nothing to authorize and the preconditions are at
    most one strong ``If-Match`` tag (one compare-and-swap) or ``If-None-Match: *``
    (create-only). Otherwise the current record is read, authorized, the preconditions are
    evaluated on it (authorization first: RFC 9110 §13.2.1), and it is written only at the
    version evaluated; if it changed in between, round again (at most :data:`ATTEMPTS`).

    :param creates: the method may create a missing resource (PUT): a missing resource
        then fails ``If-Match`` with 412; otherwise it is a 404.
    :return: what ``write`` returned and whether it created the resource.
    :raises PreconditionFailed: a precondition is false.
    :raises NotFound: the resource does not exist (and the method cannot create it).
    :raises Conflict: the resource kept changing.
    """
    if authorize is None and not pre.needs_current():
        create_only = creates and pre.create_only
        try:
            return write(pre.single_version, create_only), create_only
        except NotFound:
            if creates and pre.if_match is not None:
                raise PreconditionFailed("If-Match: there is no current representation.") from None
            raise
    for _ in range(ATTEMPTS):
        current = read()
        if current is None:
            if not creates:
                raise NotFound(missing)
            pre.check_write(None)
            conditional = pre.if_none_match is not None
            # Without any condition a PUT on nothing does what the store does (create or
            # 404); with If-None-Match it may only create, so a racing create is refused.
            return write(None, conditional), conditional
        if authorize is not None:
            authorize(current)
        pre.check_write(current)
        try:
            return write(current.version, False), False
        except (PreconditionFailed, NotFound):
            continue  # changed or deleted since it was read: evaluate again
    raise Conflict("The resource kept changing while it was being written; try again.")


def last_modified(moment: datetime) -> str:
    """``moment`` as an HTTP-date (``Last-Modified``)."""
    return http_date(_seconds(moment))
