"""Models: typed fields that validate what clients send (Python REST API Framework's
Model, Piston's ``@validate``).

A model lists its fields::

    class AddressModel(Model):
        fields = [
            IntegerField("id", read_only=True),
            StringField("name", required=True, max_length=100),
            IntegerField("age", required=True, minimum=0),
            ListField("tags", StringField("tag", max_length=20), max_items=10),
        ]

``AddressModel.validate(data)`` returns a clean dict of converted values or raises
:class:`camshaft.errors.ValidationError` listing *every* bad member as a
:class:`~camshaft.errors.FieldError` with a JSON Pointer. Unknown members and writes to
read-only members are errors too: nothing is mass-assigned silently.

A handler that names a ``model`` and a ``store`` gets its input validated by the default
CRUD; a handler method of your own opts in with :func:`validate`. Standard-library
dataclasses are models too (and pydantic models and msgspec Structs with their plugins):
see ``docs/models.md``.
"""

from camshaft.models.compound import ListField, ObjectField
from camshaft.models.fields import (
    INT_LIMIT,
    BooleanField,
    ChoiceField,
    DateField,
    DateTimeField,
    DecimalField,
    EmailField,
    Field,
    FloatField,
    IntegerField,
    StringField,
    URLField,
    UUIDField,
)
from camshaft.models.model import Model, validate

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
    "ListField",
    "Model",
    "ObjectField",
    "StringField",
    "URLField",
    "UUIDField",
    "validate",
]
