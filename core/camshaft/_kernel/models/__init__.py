"""Models as the kernel sees them: one protocol (:class:`AdaptedModel`) over every kind
of model an adapter accepts (the builtin ``Model``, dataclasses, plugins' pydantic and
msgspec adapters)."""
