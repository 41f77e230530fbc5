"""MessagePack parsing within the body limit.

The unpacker's buffer is limited by the body size limit, and every string, bin, array
and map length by the body's own size; ext types (including the timestamp ext) are
refused; map keys must be strings and unique; containers may nest at most ``max_depth``
deep; the body must hold exactly one object; NaN, infinities and integers outside the
signed 64-bit range are refused (:func:`camshaft.plugin.check_value`). Each refusal is a
400.
"""

from __future__ import annotations

from typing import Any

import msgpack

from camshaft.errors import BadRequest, PayloadTooLarge
from camshaft.plugin import check_value

__all__ = ["load"]

_SCALARS = (str, bytes, int, float, bool, type(None))


def _bad(detail: str) -> BadRequest:
    return BadRequest(detail, title="Malformed MessagePack")


def _refuse_ext(code: int, data: bytes) -> Any:
    raise _bad(f"MessagePack ext type {code} is not accepted.")


def _pairs(pairs: list[tuple[Any, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _bad("A map repeats a key.")
    for key in out:
        if not isinstance(key, str):
            raise _bad(f"Map keys must be strings, got {type(key).__name__}.")
    return out


def _check(data: Any, max_depth: int) -> None:
    """Depth and types of unpacked data, without recursion (timestamps arrive as
    ``msgpack.Timestamp`` without calling the ext hook, so they are refused here)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, list | dict):
            depth += 1
            if depth > max_depth:
                raise BadRequest(
                    f"The body nests deeper than {max_depth} levels.", title="Too deeply nested"
                )
            members = value.values() if isinstance(value, dict) else value
            stack.extend((m, depth) for m in members if not isinstance(m, _SCALARS))
        elif not isinstance(value, _SCALARS):
            raise _bad(f"MessagePack {type(value).__name__} values are not accepted.")


def load(body: bytes, max_depth: int, max_size: int) -> Any:
    """The one object ``body`` holds.

    :raises BadRequest: not msgpack, trailing data, a declared length past the body's
        size, an ext type, a non-string or repeated key, or nesting past ``max_depth``.
    :raises PayloadTooLarge: ``body`` is longer than ``max_size``.
    """
    if len(body) > max_size:  # the kernel's 413 comes first; this guards direct calls
        raise PayloadTooLarge(f"The request body exceeds the limit of {max_size} bytes.")
    # No declared length can be honest past the body's own size: a header claiming more
    # is refused before anything is allocated for it.
    length = len(body)
    unpacker = msgpack.Unpacker(
        raw=False,
        use_list=True,
        strict_map_key=True,
        object_pairs_hook=_pairs,
        ext_hook=_refuse_ext,
        max_buffer_size=max_size,
        max_str_len=length,
        max_bin_len=length,
        max_array_len=length,
        max_map_len=length // 2,
        max_ext_len=0,
    )
    try:
        unpacker.feed(body)
        data = unpacker.unpack()
        if unpacker.tell() != len(body):
            raise _bad("The body holds data after the first MessagePack object.")
    except msgpack.exceptions.StackError:  # past the C unpacker's own nesting limit
        raise BadRequest(
            f"The body nests deeper than {max_depth} levels.", title="Too deeply nested"
        ) from None
    except msgpack.OutOfData:
        raise _bad("The body ends in the middle of a MessagePack object.") from None
    except (msgpack.UnpackException, ValueError, TypeError) as exc:
        # FormatError, StackError, ExtraData, invalid UTF-8 strings, length limits...
        raise _bad(
            f"The body is not acceptable MessagePack: {str(exc) or type(exc).__name__}"
        ) from None
    except RecursionError:  # the pure-Python fallback unpacker recurses
        raise BadRequest("The body nests too deeply.", title="Too deeply nested") from None
    _check(data, max_depth)
    check_value(data)  # NaN, infinities, uint64 past int64
    return data
