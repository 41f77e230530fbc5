"""YAML emission: safe representers only, keys in the order given, no anchors.

Rich scalars are written as the builtin JSON emitter writes them (datetimes and dates as
ISO 8601 strings, UUIDs and Decimals as strings, enums by value, bytes as base64, sets
as sorted sequences), so a value reads the same in every format.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import yaml

from camshaft.plugin import EmitContext, json_default

from .loader import resolve_plain

__all__ = ["emit", "stream"]

_BREAKS = frozenset("\x85\u2028\u2029\ufeff")
_WIDTH = 1 << 30  # never fold long strings: the bytes stay easy to predict and diff


def _plain(obj: Any) -> Any:
    """The plain value PyYAML's safe representers can write for ``obj``."""
    if isinstance(obj, enum.Enum):
        return obj.value
    for base in (str, int, float, bytes):
        if isinstance(obj, base):
            return base(obj)  # type: ignore[arg-type]  # a subclass as its base type
    if isinstance(obj, Mapping):
        return dict(obj)
    if isinstance(obj, list | tuple):
        return list(obj)
    return json_default(obj)


#: libyaml's emitter when PyYAML was built with it (several times faster), else PyYAML's
#: own; the representers, and so the document, are the same.
_BASE: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


if TYPE_CHECKING:
    # What the mixin extends at run time (it is only ever mixed into a SafeDumper): lets
    # mypy check its methods and their super() calls against PyYAML's.
    _Mixin = yaml.SafeDumper
else:
    _Mixin = object


class _Representers(_Mixin):
    """JSON's representations of rich scalars and no aliases, over either dumper."""

    def represent_str(self, data: str) -> yaml.ScalarNode:
        # With allow_unicode PyYAML writes NEL, LS, PS and BOM raw inside single quotes,
        # where a reader folds or drops them; double quotes escape them (\N, \L, \P).
        if not _BREAKS.isdisjoint(data):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        # PyYAML quotes what YAML 1.1 would read as another type; a YAML 1.2 reader
        # (ours) also reads "1e3", "0o17" and "1." as numbers: quote those too.
        if not _reads_as_str(data):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style="'")
        return super().represent_str(data)

    def ignore_aliases(self, data: Any) -> bool:
        # The same object twice would otherwise be written as an anchor and an alias,
        # which our own loader (rightly) refuses.
        return True


def _reads_as_str(text: str) -> bool:
    """Whether a YAML 1.2 core schema reader takes ``text``, written plain, as a string."""
    try:
        return type(resolve_plain(text)) is str
    except ValueError:  # digits past Python's int conversion limit: a number to YAML
        return False


class SafeYamlDumper(_Representers, _BASE):  # type: ignore[misc,valid-type]
    """``SafeDumper`` (libyaml's when available) with JSON's representations of rich
    scalars and no aliases."""


class PureSafeYamlDumper(_Representers, yaml.SafeDumper):
    """The same in pure Python (to compare, and where libyaml is missing)."""


def _as_plain(dumper: _Representers, obj: Any) -> yaml.Node:
    return dumper.represent_data(_plain(obj))


def _as_iso(dumper: _Representers, obj: datetime.date) -> yaml.Node:
    return dumper.represent_str(obj.isoformat())


def _as_base64(dumper: _Representers, obj: bytes) -> yaml.Node:
    return dumper.represent_data(json_default(obj))


for _dumper in (SafeYamlDumper, PureSafeYamlDumper):
    _dumper.add_representer(str, _dumper.represent_str)
    _dumper.add_representer(datetime.datetime, _as_iso)
    _dumper.add_representer(datetime.date, _as_iso)
    _dumper.add_representer(bytes, _as_base64)
    _dumper.add_representer(set, _as_plain)
    _dumper.add_representer(tuple, _as_plain)
    _dumper.add_multi_representer(object, _as_plain)


def _dump(data: Any, dumper: type[yaml.SafeDumper] = SafeYamlDumper) -> bytes:
    return yaml.dump(
        data,
        Dumper=dumper,
        encoding="utf-8",
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=_WIDTH,
    )


def emit(data: Any, ctx: EmitContext) -> bytes:
    """One YAML document for ``data`` (a collection is a block sequence)."""
    return _dump(data)


def stream(items: Iterable[Any], ctx: EmitContext) -> Iterator[bytes]:
    """A block sequence written one ``- item`` at a time (the same bytes as :func:`emit`).

    An empty collection is ``[]``. A block sequence cut short is still valid YAML, so a
    client must rely on HTTP framing (a missing last chunk) to notice an aborted stream.
    """
    empty = True
    for item in items:
        empty = False
        yield _dump([item])
    if empty:
        yield _dump([])
