"""Scalar field types: each converts a parsed body member (or a query-string value) and
describes itself as a JSON Schema."""

from __future__ import annotations

import datetime
import decimal
import math
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

#: Integers every emitter can write satisfy ``-INT_LIMIT < n < INT_LIMIT`` (64 bits,
#: msgpack's range); integer fields and every parser refuse the rest with a 400.
INT_LIMIT = 2**63
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The JSON Schema pattern of a string without those characters.
_NO_CONTROL = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$"

__all__ = [
    "INT_LIMIT",
    "BooleanField",
    "ChoiceField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "EmailField",
    "Field",
    "FloatField",
    "IntegerField",
    "Invalid",
    "StringField",
    "URLField",
    "UUIDField",
    "json_value",
]

#: A custom validator: called with the converted value; raises ValueError to reject it.
Validator = Callable[[Any], object]


class Invalid(ValueError):
    """Several problems inside one compound value: ``(pointer, detail)`` pairs, each
    pointer relative to the value (``"/0/name"``)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{p}: {d}" for p, d in errors))
        self.errors = errors


def json_value(value: Any) -> bool:
    """Whether ``value`` can appear in a JSON document as is (for ``default``/``enum``)."""
    if value is None or isinstance(value, bool | int | str):
        return True
    return isinstance(value, float) and math.isfinite(value)


class Field:
    """One member of a model.

    :param name: the member's name in the data.
    :param required: must be present on create and replace (never checked on patch).
    :param read_only: set by the server (ids, versions, timestamps); a client that sends
        it gets a 400.
    :param nullable: whether ``null`` is accepted; defaults to ``not required``.
    :param default: the value a create or replace gets when the member is absent
        (a callable is called each time); absent members without one stay absent.
    :param validators: extra checks on the converted value; each raises ValueError with
        the reason.
    """

    __slots__ = ("default", "name", "nullable", "read_only", "required", "validators")

    #: What the field holds, for documentation and error messages.
    type_name: ClassVar[str] = "value"

    def __init__(
        self,
        name: str,
        *,
        required: bool = False,
        read_only: bool = False,
        nullable: bool | None = None,
        default: Any = None,
        validators: Iterable[Validator] = (),
    ) -> None:
        self.name = name
        self.required = required and not read_only
        self.read_only = read_only
        self.nullable = (not required) if nullable is None else nullable
        self.default = default
        self.validators = tuple(validators)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    def convert(self, value: Any) -> Any:
        """The Python value for a parsed body member; raises ValueError with the reason."""
        return value

    def from_text(self, text: str) -> Any:
        """The Python value for a query-string value; raises ValueError with the reason."""
        return self.convert(text)

    def clean(self, value: Any) -> Any:
        """Convert, then run the custom validators. Raises ValueError with the reason
        (:class:`Invalid` for problems inside a compound value)."""
        if value is None:
            if not self.nullable:
                raise ValueError("may not be null")
            return None
        value = self.convert(value)
        for check in self.validators:
            check(value)
        return value

    def value_schema(self) -> dict[str, Any]:
        """The JSON Schema of a non-null value of this field."""
        return {}

    def schema(self) -> dict[str, Any]:
        """The member's JSON Schema: its value, ``null`` when nullable, ``readOnly`` and
        a JSON ``default``."""
        schema = self.value_schema()
        if self.nullable:
            if isinstance(schema.get("type"), str):
                schema["type"] = [schema["type"], "null"]
            elif "enum" in schema:
                schema["enum"] = [*schema["enum"], None]
            elif schema:
                schema = {"anyOf": [schema, {"type": "null"}]}
        if self.read_only:
            schema["readOnly"] = True
        if self.default is not None and not callable(self.default) and json_value(self.default):
            schema["default"] = self.default
        return schema


class StringField(Field):
    """A string, optionally with ``min_length`` and ``max_length`` (in characters) and a
    ``pattern`` (a regular expression the whole string must match).

    NUL and the other C0 control characters but tab, line feed and carriage return (and
    DEL) are refused: they break log lines, C libraries and XML. ``allow_control=True``
    accepts them (for data that really is binary-ish text).
    """

    __slots__ = ("allow_control", "max_length", "min_length", "pattern")
    type_name = "string"
    #: A JSON Schema ``format`` for documentation, or None.
    format: ClassVar[str | None] = None

    def __init__(
        self,
        name: str,
        *,
        min_length: int = 0,
        max_length: int | None = None,
        pattern: str | None = None,
        allow_control: bool = False,
        **kw: Any,
    ) -> None:
        super().__init__(name, **kw)
        self.min_length = min_length
        self.max_length = max_length
        self.pattern = re.compile(pattern) if pattern is not None else None
        self.allow_control = allow_control

    def convert(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError("must be a string")
        if not self.allow_control and (bad := _CONTROL.search(value)):
            raise ValueError(f"must not hold control character U+{ord(bad.group()):04X}")
        if len(value) < self.min_length:
            raise ValueError(f"must be at least {self.min_length} characters long")
        if self.max_length is not None and len(value) > self.max_length:
            raise ValueError(f"must be at most {self.max_length} characters long")
        if self.pattern is not None and self.pattern.fullmatch(value) is None:
            raise ValueError(f"must match the pattern {self.pattern.pattern!r}")
        return value

    def value_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string"}
        if self.format:
            schema["format"] = self.format
        if self.min_length:
            schema["minLength"] = self.min_length
        if self.max_length is not None:
            schema["maxLength"] = self.max_length
        if self.pattern is not None:
            schema["pattern"] = f"^(?:{self.pattern.pattern})$"
        if not self.allow_control:
            # What convert() refuses, said in the schema (both patterns must hold).
            if "pattern" in schema:
                schema["allOf"] = [{"pattern": _NO_CONTROL}]
            else:
                schema["pattern"] = _NO_CONTROL
        return schema


# Deliberately simple: one @, a dot in the domain, no spaces. Deliverability is for mail.
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")


class EmailField(StringField):
    """An e-mail address (``local@domain.tld``; at most 254 characters)."""

    __slots__ = ()
    type_name = "email"
    format = "email"

    def __init__(self, name: str, *, max_length: int | None = 254, **kw: Any) -> None:
        super().__init__(name, max_length=max_length, **kw)

    def convert(self, value: Any) -> Any:
        value = super().convert(value)
        if _EMAIL.fullmatch(value) is None:
            raise ValueError("must be an e-mail address")
        return value


class URLField(StringField):
    """An absolute ``http`` or ``https`` URL (the ``schemes`` allowed; at most 2,000
    characters): ``javascript:`` and ``file:`` URLs are refused by default."""

    __slots__ = ("schemes",)
    type_name = "url"
    format = "uri"

    def __init__(
        self,
        name: str,
        *,
        schemes: Iterable[str] = ("http", "https"),
        max_length: int | None = 2000,
        **kw: Any,
    ) -> None:
        super().__init__(name, max_length=max_length, **kw)
        self.schemes = tuple(s.lower() for s in schemes)

    def convert(self, value: Any) -> Any:
        from urllib.parse import urlsplit

        value = super().convert(value)
        try:
            parts = urlsplit(value)
        except ValueError:
            raise ValueError("must be a URL") from None
        if parts.scheme.lower() not in self.schemes or not parts.netloc or " " in value:
            raise ValueError(f"must be a URL starting with {' or '.join(self.schemes)}://")
        return value


class _Number(Field):
    __slots__ = ("maximum", "minimum")

    def __init__(
        self,
        name: str,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(name, **kw)
        self.minimum = minimum
        self.maximum = maximum

    def _bounded(self, value: Any) -> Any:
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"must be at least {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"must be at most {self.maximum}")
        return value

    def value_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": self.type_name}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return schema


class IntegerField(_Number):
    """An integer, optionally bounded. A string of digits is accepted too (formats such as
    XML and forms carry no types); booleans and fractions are not."""

    __slots__ = ()
    type_name = "integer"

    def convert(self, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("must be an integer")
        if isinstance(value, str):
            text = value.strip()
            # Python's int() of a 100,000-digit string is quadratic: refuse long ones.
            if len(text) > 40:
                raise ValueError("must be an integer of at most 40 digits")
            try:
                value = int(text, 10)
            except ValueError:
                raise ValueError("must be an integer") from None
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        elif not isinstance(value, int):
            raise ValueError("must be an integer")
        if not -INT_LIMIT < value < INT_LIMIT:  # what every format and store can keep
            raise ValueError("must be within the signed 64-bit range")
        return self._bounded(value)


class FloatField(_Number):
    """A finite number, optionally bounded; integers are widened, numeric strings parsed."""

    __slots__ = ()
    type_name = "number"

    def convert(self, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("must be a number")
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise ValueError("must be a number") from None
        elif isinstance(value, int | float):
            try:
                value = float(value)
            except OverflowError:
                raise ValueError("must be a finite number") from None
        else:
            raise ValueError("must be a number")
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return self._bounded(value)


class DecimalField(_Number):
    """An exact decimal number (:class:`decimal.Decimal`), from a JSON number or a string
    (``"19.99"``), optionally with at most ``max_digits`` digits of which
    ``decimal_places`` after the point. Emitted as a string, so no precision is lost."""

    __slots__ = ("decimal_places", "max_digits")
    type_name = "decimal"

    def __init__(
        self,
        name: str,
        *,
        max_digits: int | None = None,
        decimal_places: int | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(name, **kw)
        self.max_digits = max_digits
        self.decimal_places = decimal_places

    def convert(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, str | int | float | decimal.Decimal):
            raise ValueError("must be a decimal number")
        text = str(value).strip()
        if len(text) > 100:
            raise ValueError("must be a decimal number of at most 100 characters")
        try:
            number = decimal.Decimal(text)
        except decimal.InvalidOperation:
            raise ValueError("must be a decimal number") from None
        if not number.is_finite():
            raise ValueError("must be a finite decimal number")
        _sign, digits, exponent = number.as_tuple()
        assert isinstance(exponent, int)
        places = max(0, -exponent)
        if self.decimal_places is not None and places > self.decimal_places:
            raise ValueError(f"must have at most {self.decimal_places} decimal places")
        if self.max_digits is not None and max(len(digits), places) > self.max_digits:
            raise ValueError(f"must have at most {self.max_digits} digits")
        return self._bounded(number)

    def value_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "format": "decimal"}
        schema["pattern"] = r"^-?\d+(\.\d+)?$"
        return schema


_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


class BooleanField(Field):
    """``true``/``false``; as text also ``1``/``0``, ``yes``/``no``, ``on``/``off``."""

    __slots__ = ()
    type_name = "boolean"

    def convert(self, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            text = value.strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
        raise ValueError("must be a boolean")

    def value_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


class DateTimeField(Field):
    """An ISO 8601 date-time (``2024-05-01T12:00:00+00:00``), as a :class:`datetime`.

    :param aware: require an offset (``Z`` or ``+hh:mm``); naive values are rejected.
    """

    __slots__ = ("aware",)
    type_name = "date-time"

    def __init__(self, name: str, *, aware: bool = False, **kw: Any) -> None:
        super().__init__(name, **kw)
        self.aware = aware

    def convert(self, value: Any) -> Any:
        if isinstance(value, datetime.datetime):
            parsed = value
        elif isinstance(value, str) and len(value) <= 64:
            try:
                parsed = datetime.datetime.fromisoformat(value.strip())
            except ValueError:
                raise ValueError("must be an ISO 8601 date-time") from None
        else:
            raise ValueError("must be an ISO 8601 date-time")
        if self.aware and parsed.tzinfo is None:
            raise ValueError("must carry a UTC offset")
        return parsed

    def value_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date-time"}


class DateField(Field):
    """An ISO 8601 calendar date (``2024-05-01``), as a :class:`datetime.date`."""

    __slots__ = ()
    type_name = "date"

    def convert(self, value: Any) -> Any:
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        if isinstance(value, str) and len(value.strip()) == 10:
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise ValueError("must be an ISO 8601 date (YYYY-MM-DD)")

    def value_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


class UUIDField(Field):
    """A UUID in its canonical text form, as a :class:`uuid.UUID`."""

    __slots__ = ()
    type_name = "uuid"

    def convert(self, value: Any) -> Any:
        if isinstance(value, uuid.UUID):
            return value
        if isinstance(value, str) and len(value) <= 45:
            try:
                return uuid.UUID(value.strip())
            except ValueError:
                pass
        raise ValueError("must be a UUID")

    def value_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "uuid"}


class ChoiceField(Field):
    """One of a fixed set of values (strings or numbers)."""

    __slots__ = ("choices",)
    type_name = "choice"

    def __init__(self, name: str, choices: Iterable[Any], **kw: Any) -> None:
        super().__init__(name, **kw)
        self.choices = tuple(choices)
        if not self.choices:
            raise ValueError(f"ChoiceField {name!r} needs at least one choice")

    def convert(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError(f"must be one of {', '.join(map(repr, self.choices))}")
        if value not in self.choices:
            raise ValueError(f"must be one of {', '.join(map(repr, self.choices))}")
        return value

    def from_text(self, text: str) -> Any:
        for choice in self.choices:
            if str(choice) == text:
                return choice
        return self.convert(text)

    def value_schema(self) -> dict[str, Any]:
        return {"enum": [c for c in self.choices if json_value(c)]}
