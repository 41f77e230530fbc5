"""The builtin :class:`Model`: a list of fields, validated as one object."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

from camshaft.errors import BadRequest, FieldError, ValidationError
from camshaft.models.fields import Field, Invalid

__all__ = ["Model", "check_object", "pointer", "validate"]


def pointer(name: str) -> str:
    """The JSON Pointer (RFC 6901) to a top-level member."""
    return "/" + name.replace("~", "~0").replace("/", "~1")


def check_object(
    fields: Sequence[Field],
    by_name: Mapping[str, Field],
    data: Mapping[str, Any],
    *,
    partial: bool,
    allow: frozenset[str] = frozenset(),
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """``data`` checked against ``fields``: the clean dict and ``(pointer, detail)``
    problems (unknown, read-only, missing while required, or of the wrong type)."""
    errors: list[tuple[str, str]] = []
    clean: dict[str, Any] = {}
    for name, value in data.items():
        f = by_name.get(name)
        if f is None:
            errors.append((pointer(str(name)), "is not a field of this resource"))
        elif f.read_only:
            if name not in allow:
                errors.append((pointer(name), "is read-only"))
        else:
            try:
                clean[name] = f.clean(value)
            except Invalid as exc:
                errors.extend((pointer(name) + sub, detail) for sub, detail in exc.errors)
            except ValueError as exc:
                errors.append((pointer(name), str(exc)))
    if not partial:
        for f in fields:
            if f.read_only or f.name in data:
                continue
            if f.required:
                errors.append((pointer(f.name), "is required"))
            elif f.default is not None:
                clean[f.name] = f.default() if callable(f.default) else f.default
    return clean, errors


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
            read-only, missing while required, or of the wrong type or range; members
            inside nested objects and lists are pointed at (``/tags/2``).
        """
        if not isinstance(data, Mapping):
            raise BadRequest("The request body must be an object.")
        clean, errors = check_object(
            cls.fields, cls.by_name, data, partial=partial, allow=frozenset(allow)
        )
        if errors:
            raise ValidationError([FieldError(p, d) for p, d in errors])
        return clean

    @classmethod
    def convert_text(cls, name: str, text: str) -> Any:
        """A query-string value for field ``name`` as the field's type.

        :raises KeyError: no such field. :raises ValueError: the text does not convert.
        """
        return cls.by_name[name].from_text(text)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The model as a JSON Schema object (what a create or replace body may hold,
        read-only members marked ``readOnly``)."""
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {f.name: f.schema() for f in cls.fields},
            "additionalProperties": False,
        }
        required = [f.name for f in cls.fields if f.required]
        if required:
            schema["required"] = required
        return schema


def validate(
    model: Any = None, *, partial: bool | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Validate the ``data`` a handler method receives (Piston's ``@validate``).

    ``model`` defaults to the handler's ``model`` attribute (any kind of model an
    installed adapter accepts: a :class:`Model`, a dataclass, ...); ``partial``
    defaults to true for methods named ``patch`` or ``PATCH``. The method then receives
    the clean dict; an invalid body never reaches it (400 with every bad member
    listed)::

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
            adapted = self.request.app.adapt_model(chosen, type(self))
            kwargs["data"] = adapted.validate(kwargs.get("data"), partial=is_patch)
            return func(self, *args, **kwargs)

        return wrapper

    return decorate
