"""Validating the S3 body (``{"name": "bob", "age": 41}``, see ``bench/apps``) with each
model adapter, side by side with pydantic, msgspec and DRF used directly.

Each contender states the same rules: an object with ``name`` (a string of 1 to 100
characters) and ``age`` (an integer from 0 to 200), a read-only ``id``, and nothing else.
The adapters run what the default CRUD runs on a create (``AdaptedModel.validate``,
which also refuses unknown and read-only members); "direct" rows call the library alone.
Wall-clock, best of 5 repeats; the ratio column is against pydantic direct.

    python bench/bench_models.py            (DRF rows only when djangorestframework is installed)
"""

# No "from __future__ import annotations": the classes below are local to a function,
# and msgspec resolves string annotations in the module's globals only.

import dataclasses
import timeit
from collections.abc import Callable
from typing import Annotated, Any

from camshaft._kernel.models.dataclass import DataclassModel
from camshaft._kernel.models.native import NativeModel
from camshaft.models import IntegerField, Model, StringField

BODY = {"name": "bob", "age": 41}


class AddressModel(Model):
    fields = [
        IntegerField("id", read_only=True),
        StringField("name", required=True, min_length=1, max_length=100),
        IntegerField("age", required=True, minimum=0, maximum=200),
    ]


@dataclasses.dataclass
class AddressData:
    name: str
    age: int
    id: int | None = dataclasses.field(default=None, metadata={"read_only": True})


def contenders() -> dict[str, Callable[[], Any]]:
    out: dict[str, Callable[[], Any]] = {}
    native = NativeModel(AddressModel)
    out["camshaft Model (adapter)"] = lambda: native.validate(BODY)
    data = DataclassModel(AddressData)
    out["dataclass (adapter)"] = lambda: data.validate(BODY)
    try:
        import pydantic

        from camshaft_pydantic import PydanticModel

        class AddressPydantic(pydantic.BaseModel):
            id: int | None = pydantic.Field(None, json_schema_extra={"readOnly": True})
            name: str = pydantic.Field(min_length=1, max_length=100)
            age: int = pydantic.Field(ge=0, le=200)

        adapted = PydanticModel(AddressPydantic)
        out["pydantic (adapter)"] = lambda: adapted.validate(BODY)
        direct = AddressPydantic.model_validate
        out["pydantic direct: model_validate + model_dump"] = lambda: direct(BODY).model_dump()
        out["pydantic direct: model_validate"] = lambda: AddressPydantic.model_validate(BODY)
    except ImportError:
        pass
    try:
        import msgspec

        from camshaft_msgspec import StructModel

        class AddressStruct(msgspec.Struct):
            name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
            age: Annotated[int, msgspec.Meta(ge=0, le=200)]
            id: Annotated[int | None, msgspec.Meta(extra_json_schema={"readOnly": True})] = None

        struct = StructModel(AddressStruct)
        out["msgspec (adapter)"] = lambda: struct.validate(BODY)
        out["msgspec direct: convert"] = lambda: msgspec.convert(BODY, AddressStruct)
    except ImportError:
        pass
    try:
        import django
        from django.conf import settings

        if not settings.configured:
            settings.configure(INSTALLED_APPS=["rest_framework"], USE_I18N=False)
            django.setup()
        from rest_framework import serializers

        class AddressSerializer(serializers.Serializer):  # type: ignore[misc]
            id = serializers.IntegerField(read_only=True)
            name = serializers.CharField(min_length=1, max_length=100)
            age = serializers.IntegerField(min_value=0, max_value=200)

        def drf() -> Any:
            s = AddressSerializer(data=BODY)
            s.is_valid(raise_exception=True)
            return s.validated_data

        out["DRF Serializer direct: is_valid"] = drf
    except ImportError:
        pass
    return out


def main() -> None:
    rows = []
    for name, func in contenders().items():
        func()  # warm up, and prove it accepts the body
        number = 20000
        best = min(timeit.repeat(func, number=number, repeat=5)) / number
        rows.append((name, best * 1e6))
    base = dict(rows).get("pydantic direct: model_validate + model_dump")
    print(f"{'contender':48} {'µs/call':>9} {'vs pydantic':>12}")
    for name, us in rows:
        ratio = f"{us / base:.2f}x" if base else "-"
        print(f"{name:48} {us:9.2f} {ratio:>12}")


if __name__ == "__main__":
    main()
