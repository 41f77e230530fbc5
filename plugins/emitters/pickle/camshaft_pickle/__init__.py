"""camshaft-pickle: the ``pickle`` format (``application/python-pickle``), emit only.

Opt-in: this module sets ``camshaft_opt_in = True``, so the plugin manager skips it
unless settings name it (``[plugins] enable = ["pickle"]``). There is no pickle parser
anywhere in Camshaft: unpickling runs arbitrary code, so a request body sent as
``application/python-pickle`` or ``application/x-pickle`` is a 415 whether or not this
plugin is installed.

What is pickled is plain data only, so a client needs nothing but the standard library
to load it: dicts, lists, str, int, float, bool, None, bytes, and the stdlib scalars
``datetime``/``date``/``time``, ``UUID`` and ``Decimal`` as themselves. Enums are pickled
by value, sets and tuples as lists, dict/str/int subclasses as their base types (so a
client never needs Camshaft's or the application's classes), other objects as the JSON
emitter writes them.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import pickle
import uuid
from collections.abc import Mapping
from typing import Any

from camshaft import EmitContext, Emitter, hookimpl
from camshaft.plugin import json_default

__all__ = ["EMITTER", "emit", "plain"]

#: Only registered when ``plugins.enable`` names it.
camshaft_opt_in = True

MEDIA_TYPE = "application/python-pickle"
PROTOCOL = 4  # readable by every supported Python (3.4+), unlike 5's out-of-band buffers

_NATIVE = (
    datetime.datetime,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    uuid.UUID,
    decimal.Decimal,
)


def plain(obj: Any) -> Any:
    """``obj`` rebuilt from standard-library types only (see the module docstring)."""
    if isinstance(obj, enum.Enum):
        return plain(obj.value)
    if obj is None or type(obj) in (str, int, float, bool, bytes):
        return obj
    for base in (bool, str, int, float, bytes):
        if isinstance(obj, base):
            return base(obj)  # type: ignore[arg-type]  # a subclass as its base type
    if type(obj) in _NATIVE:  # a subclass (pendulum, ...) would need its package: no
        return obj
    if isinstance(obj, Mapping):
        return {plain(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [plain(v) for v in obj]
    return plain(json_default(obj))


def emit(data: Any, ctx: EmitContext) -> bytes:
    """``data`` as a pickle (protocol 4) of standard-library objects."""
    return pickle.dumps(plain(data), protocol=PROTOCOL)


# RFC 9457 has no pickle problem type: problems are pickled dicts, served as this type.
EMITTER = Emitter(format="pickle", media_type=MEDIA_TYPE, emit=emit)


@hookimpl
def camshaft_emitters() -> list[Emitter]:
    return [EMITTER]
