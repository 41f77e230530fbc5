"""Models: typed fields that validate what clients send (Python REST API Framework's
Model, Piston's ``@validate``).

A model lists its fields::

    class AddressModel(Model):
        fields = [
            IntegerField("id", read_only=True),
            StringField("name", required=True, max_length=100),
            IntegerField("age", required=True, minimum=0),
        ]

``AddressModel.validate(data)`` returns a clean dict of converted values or raises
:class:`camshaft.errors.ValidationError` listing *every* bad member as a
:class:`~camshaft.errors.FieldError` with a JSON Pointer. Unknown members and writes to
read-only members are errors too: nothing is mass-assigned silently.

A handler that names a ``model`` and a ``store`` gets its input validated by the default
CRUD; a handler method of your own opts in with :func:`validate`.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

from camshaft.errors import BadRequest, FieldError, ValidationError

#: Integers every emitter can write satisfy ``-INT_LIMIT < n < INT_LIMIT`` (64 bits,
#: msgpack's range); integer fields and every parser refuse the rest with a 400.
INT_LIMIT = 2**63

__all__ = [
    "BooleanField",
    "ChoiceField",
    "DateTimeField",
    "Field",
    "FloatField",
    "IntegerField",
    "Model",
    "StringField",
    "validate",
]

#: A custom validator: called with the converted value; raises ValueError to reject it.
Validator = Callable[[Any], object]


def _pointer(name: str) -> str:
    """The JSON Pointer (RFC 6901) to a top-level member."""
    return "/" + name.replace("~", "~0").replace("/", "~1")


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
        """Convert, then run the custom validators. Raises ValueError with the reason."""
        if value is None:
            if not self.nullable:
                raise ValueError("may not be null")
            return None
        value = self.convert(value)
        for check in self.validators:
            check(value)
        return value


class StringField(Field):
    """A string, optionally with ``min_length`` and ``max_length`` (in characters).

    NUL and the other C0 control characters but tab, line feed and carriage return (and
    DEL) are refused: they break log lines, C libraries and XML. ``allow_control=True``
    accepts them (for data that really is binary-ish text).
    """

    __slots__ = ("allow_control", "max_length", "min_length")
    type_name = "string"

    def __init__(
        self,
        name: str,
        *,
        min_length: int = 0,
        max_length: int | None = None,
        allow_control: bool = False,
        **kw: Any,
    ) -> None:
        super().__init__(name, **kw)
        self.min_length = min_length
        self.max_length = max_length
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
        return value


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


class IntegerField(_Number):
    """An integer, optionally bounded. A string of digits is accepted too (formats such as
    XML and forms carry no types); booleans and fractions are not."""

    __slots__ = ()
    type_name = "integer"

    def convert(self, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("must be an integer")
        if isinstance(value, str):
            try:
                value = int(value.strip(), 10)
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
            except OverflowError:  # an integer with hundreds of digits
                raise ValueError("must be a finite number") from None
        else:
            raise ValueError("must be a number")
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return self._bounded(value)


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
        elif isinstance(value, str):
            try:
                parsed = datetime.datetime.fromisoformat(value.strip())
            except ValueError:
                raise ValueError("must be an ISO 8601 date-time") from None
        else:
            raise ValueError("must be an ISO 8601 date-time")
        if self.aware and parsed.tzinfo is None:
            raise ValueError("must carry a UTC offset")
        return parsed


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
        if isinstance(value, bool) or value not in self.choices:
            shown = ", ".join(map(repr, self.choices))
            raise ValueError(f"must be one of {shown}")
        return value

    def from_text(self, text: str) -> Any:
        for choice in self.choices:
            if str(choice) == text:
                return choice
        return self.convert(text)


class Model:
    """A description of a resource's data: its :class:`Field` list.

    Subclasses set ``fields``; the class is used as is (it is never instantiated).
    """

    fields: ClassVar[Sequence[Field]] = ()
    #: Field objects by name, filled in for each subclass.
    by_name: ClassVar[dict[str, Field]] = {}

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls.by_name = {}
        for f in cls.fields:
            if f.name in cls.by_name:
                raise ValueError(f"{cls.__name__} declares field {f.name!r} twice")
            cls.by_name[f.name] = f

    @classmethod
    def validate(
        cls, data: Any, *, partial: bool = False, allow: Iterable[str] = ()
    ) -> dict[str, Any]:
        """Check and convert a request body.

        :param data: the parsed body; must be an object.
        :param partial: a PATCH: only the members sent are checked, none is required and
            no default is filled in.
        :param allow: read-only members that may be sent anyway (the caller has checked
            them, e.g. a key equal to the URL's).
        :return: a new dict of converted values, defaults filled in (unless ``partial``).
        :raises BadRequest: ``data`` is not an object.
        :raises ValidationError: one :class:`FieldError` per bad member: unknown,
            read-only, missing while required, or of the wrong type or range.
        """
        if not isinstance(data, Mapping):
            raise BadRequest("The request body must be an object.")
        allowed = frozenset(allow)
        errors: list[FieldError] = []
        clean: dict[str, Any] = {}
        by_name = cls.by_name
        for name, value in data.items():
            f = by_name.get(name)
            if f is None:
                errors.append(FieldError(_pointer(str(name)), "is not a field of this resource"))
            elif f.read_only:
                if name not in allowed:
                    errors.append(FieldError(_pointer(name), "is read-only"))
            else:
                try:
                    clean[name] = f.clean(value)
                except ValueError as exc:
                    errors.append(FieldError(_pointer(name), str(exc)))
        if not partial:
            for f in cls.fields:
                if f.read_only or f.name in data:
                    continue
                if f.required:
                    errors.append(FieldError(_pointer(f.name), "is required"))
                elif f.default is not None:
                    clean[f.name] = f.default() if callable(f.default) else f.default
        if errors:
            raise ValidationError(errors)
        return clean

    @classmethod
    def convert_text(cls, name: str, text: str) -> Any:
        """A query-string value for field ``name`` as the field's type.

        :raises KeyError: no such field. :raises ValueError: the text does not convert.
        """
        return cls.by_name[name].from_text(text)


def validate(
    model: type[Model] | None = None, *, partial: bool | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Validate the ``data`` a handler method receives (Piston's ``@validate``).

    ``model`` defaults to the handler's ``model`` attribute; ``partial`` defaults to true
    for methods named ``patch`` or ``PATCH``. The method then receives the clean dict;
    an invalid body never reaches it (400 with every bad member listed)::

        class NoteHandler(Handler):
            model = NoteModel

            @validate()
            def create(self, data):
                ...
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        is_patch = func.__name__.lower() == "patch" if partial is None else partial

        @functools.wraps(func)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            chosen = model or getattr(type(self), "model", None)
            if chosen is None:
                raise TypeError(f"{type(self).__name__}.{func.__name__}: no model to validate")
            kwargs["data"] = chosen.validate(kwargs.get("data"), partial=is_patch)
            return func(self, *args, **kwargs)

        return wrapper

    return decorate
