"""The model protocol: what the kernel asks of a handler's ``model``, whatever its kind.

An adapter (:class:`ModelAdapter`, contributed by the ``camshaft_model_adapters`` hook)
recognises a kind of model and wraps it as an :class:`AdaptedModel`. The app resolves
each handler's model once, when it is built; the default CRUD, stores, filters,
ordering and the OpenAPI document then use only this protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from camshaft.errors import BadRequest, FieldError, ValidationError

__all__ = [
    "AdaptedModel",
    "ModelAdapter",
    "ModelField",
    "fields_from_schema",
    "json_pointer",
    "raise_if",
    "require_object",
    "schema_type",
    "screen_members",
    "writable_body",
]


@dataclass(frozen=True, slots=True)
class ModelField:
    """One top-level member of a model.

    :ivar name: the member's name in the data.
    :ivar type: its JSON type (``"string"``, ``"integer"``, ``"number"``, ``"boolean"``,
        ``"object"``, ``"array"``), or ``""`` when it may hold several.
    :ivar read_only: set by the server; a client that sends it gets a 400, and a replace
        keeps the stored value (:func:`camshaft.plugin.writable_members`).
    :ivar required: a create or replace must send it.
    :ivar schema: the member's JSON Schema.
    """

    name: str
    type: str = ""
    read_only: bool = False
    required: bool = False
    schema: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class AdaptedModel(Protocol):
    """A model as the kernel uses it.

    :ivar model: the model as the handler named it.
    :ivar name: a name for its OpenAPI components (the class name).
    :ivar fields: its top-level members, in order.
    :ivar by_name: the same, by name.
    """

    # Read-only properties, so that a class keeping them in plain attributes (or slots)
    # matches the protocol.
    @property
    def model(self) -> Any: ...
    @property
    def name(self) -> str: ...
    @property
    def fields(self) -> tuple[ModelField, ...]: ...
    @property
    def by_name(self) -> Mapping[str, ModelField]: ...

    def validate(
        self, data: Any, *, partial: bool = False, allow: Iterable[str] = ()
    ) -> dict[str, Any]:
        """Check and convert a request body (create and replace; with ``partial`` a
        patch: only the members sent, no defaults).

        :param allow: read-only members that may be sent anyway (a key equal to the URL's).
        :return: a new dict of Python values, ready for a store.
        :raises BadRequest: ``data`` is not an object.
        :raises ValidationError: one :class:`~camshaft.errors.FieldError` per problem,
            each with a JSON Pointer (``/address/city``); unknown and read-only members
            are problems too.
        """
        ...

    def convert_text(self, name: str, text: str) -> Any:
        """A query-string value for field ``name`` (filters) as the field's type.

        :raises KeyError: no such field. :raises ValueError: the text does not convert.
        """
        ...

    def json_schema(self, ref_template: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The model as a JSON Schema object and the named schemas it refers to.

        :param ref_template: how to refer to a named schema, with ``{model}`` for its
            name (``"#/components/schemas/{model}"``).
        :return: ``(schema, definitions)``; read-only members carry ``readOnly: true``.
        """
        ...


@dataclass(frozen=True, slots=True)
class ModelAdapter:
    """A kind of model a handler may name in ``model = ...``.

    :ivar name: the adapter's name (``"dataclass"``, ``"pydantic"``).
    :ivar matches: ``matches(model) -> bool``: whether this adapter takes ``model``.
    :ivar adapt: ``adapt(model) -> AdaptedModel``, called once per model when the app
        is built; raises :class:`~camshaft.errors.ConfigurationError` for a model it
        cannot serve (a field type it does not know).
    """

    name: str
    matches: Callable[[Any], bool]
    adapt: Callable[[Any], AdaptedModel]


def json_pointer(path: Sequence[str | int]) -> str:
    """The JSON Pointer (RFC 6901) to ``path`` (``("tags", 2)`` is ``/tags/2``)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def require_object(data: Any) -> Mapping[str, Any]:
    """``data`` when it is an object. :raises BadRequest: it is not."""
    if not isinstance(data, Mapping):
        raise BadRequest("The request body must be an object.")
    return data


def screen_members(
    data: Mapping[str, Any], by_name: Mapping[str, ModelField], allow: Iterable[str] = ()
) -> list[FieldError]:
    """Problems every adapter reports the same way: members the model does not have
    (nothing is mass-assigned silently) and read-only members not in ``allow``."""
    allowed = frozenset(allow)
    errors = []
    for name in data:
        f = by_name.get(name)
        if f is None:
            errors.append(FieldError(json_pointer([str(name)]), "is not a field of this resource"))
        elif f.read_only and name not in allowed:
            errors.append(FieldError(json_pointer([name]), "is read-only"))
    return errors


def writable_body(
    data: Mapping[str, Any], by_name: Mapping[str, ModelField], allow: Iterable[str] = ()
) -> dict[str, Any]:
    """The members of ``data`` an adapter validates: those the model has, less read-only
    ones not in ``allow`` (:func:`screen_members` reports the others)."""
    allowed = frozenset(allow)
    return {
        k: v
        for k, v in data.items()
        if (f := by_name.get(k)) is not None and (not f.read_only or k in allowed)
    }


def raise_if(errors: list[FieldError]) -> None:
    """:raises ValidationError: ``errors`` is not empty."""
    if errors:
        raise ValidationError(errors)


def schema_type(schema: Mapping[str, Any]) -> str:
    """The JSON type a member schema names, ignoring ``null``; ``""`` when not one."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind is None:
        options = [s for s in schema.get("anyOf", ()) if s.get("type") != "null"]
        if len(options) == 1:
            return schema_type(options[0])
    return kind if isinstance(kind, str) else ""


def fields_from_schema(schema: Mapping[str, Any]) -> tuple[ModelField, ...]:
    """:class:`ModelField` objects from a JSON Schema object (adapters whose library
    writes the schema use this): ``readOnly`` marks read-only members."""
    required = set(schema.get("required", ()))
    return tuple(
        ModelField(
            name,
            schema_type(sub),
            read_only=bool(sub.get("readOnly")),
            required=name in required and not sub.get("readOnly"),
            schema=sub,
        )
        for name, sub in schema.get("properties", {}).items()
    )
