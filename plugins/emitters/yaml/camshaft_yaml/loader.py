"""Safe YAML loading: plain data only, no anchors, no aliases, no object-building tags.

:class:`SafeYamlLoader` is PyYAML's pure-Python ``SafeLoader`` narrowed further:

* anchors (``&a``) and aliases (``*a``) are refused where they appear, so an alias bomb
  ("billion laughs") is refused at its first anchor instead of expanding;
* only the plain scalar tags (null, bool, int, float, str) and sequences and mappings
  are constructed; any other tag (``!!python/object``, ``!!binary``, ``!!timestamp``,
  ``!!set``, local ``!tags``) is refused; timestamps written without a tag stay strings;
* containers nesting deeper than ``max_depth`` are refused while composing, before any
  recursion can run deep;
* mapping keys must be strings and unique, floats must be finite (like JSON).

Every refusal is a :class:`camshaft.errors.BadRequest` (400).
"""

from __future__ import annotations

import math
from typing import Any

import yaml

from camshaft.errors import BadRequest

__all__ = ["SafeYamlLoader", "load"]

_SAFE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "str", "seq", "map")
)


def _refuse_tag(loader: SafeYamlLoader, node: yaml.Node) -> Any:
    raise BadRequest(
        f"YAML tag {node.tag!r} is not accepted; send plain data.", title="Unsafe YAML"
    )


def _finite_float(loader: SafeYamlLoader, node: yaml.ScalarNode) -> float:
    value = yaml.SafeLoader.construct_yaml_float(loader, node)
    if not math.isfinite(value):
        raise BadRequest(f"{node.value!r} is not allowed: numbers must be finite.")
    return value


class SafeYamlLoader(yaml.SafeLoader):
    """A ``SafeLoader`` that refuses anchors, aliases, non-plain tags and deep nesting."""

    # Without the timestamp, merge and value resolvers an untagged "2024-01-01" is a
    # string, as it would be in JSON; bool/int/float/null resolve as YAML 1.1 says.
    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag in _SAFE_TAGS]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    yaml_constructors = {
        **{t: f for t, f in yaml.SafeLoader.yaml_constructors.items() if t in _SAFE_TAGS},
        "tag:yaml.org,2002:float": _finite_float,
        None: _refuse_tag,
    }
    yaml_multi_constructors = {}

    def __init__(self, stream: str, max_depth: int) -> None:
        super().__init__(stream)
        self._max_depth = max_depth
        self._depth = 0

    def fetch_flow_collection_start(self, TokenClass: type) -> None:
        # The scanner reads ahead over a whole run of "[" or "{" (each might start a
        # key) before the composer sees one; stop at the limit, not at the body's end.
        super().fetch_flow_collection_start(TokenClass)
        if self.flow_level > self._max_depth:
            raise self._too_deep()

    def _too_deep(self) -> BadRequest:
        return BadRequest(
            f"The body nests deeper than {self._max_depth} levels.", title="Too deeply nested"
        )

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        # types-PyYAML leaves Parser.peek_event unannotated (it returns an Event).
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            raise BadRequest("YAML aliases are not accepted.", title="Unsafe YAML")
        if getattr(event, "anchor", None) is not None:
            raise BadRequest("YAML anchors are not accepted.", title="Unsafe YAML")
        if not isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > self._max_depth:
            raise self._too_deep()
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        if len(mapping) != len(node.value):
            raise BadRequest("The body repeats a mapping key.", title="Malformed YAML")
        for key in mapping:
            if not isinstance(key, str):
                raise BadRequest(
                    f"Mapping keys must be strings, got {key!r}.", title="Malformed YAML"
                )
        return mapping


def load(body: bytes, max_depth: int) -> Any:
    """Parse one YAML document (UTF-8 text) into plain data.

    :raises BadRequest: the body is not YAML, holds several documents, or breaks a rule
        of :class:`SafeYamlLoader`.
    """
    try:
        # UTF-8 only (RFC 9512 allows no other encoding for application/yaml).
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"The body is not UTF-8: {exc}", title="Malformed YAML") from None
    loader = SafeYamlLoader(text, max_depth)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise BadRequest(f"The body is not valid YAML: {exc}", title="Malformed YAML") from None
    except ValueError as exc:  # e.g. an integer past Python's digit limit
        raise BadRequest(
            f"The body is not acceptable YAML: {exc}", title="Malformed YAML"
        ) from None
    except RecursionError:  # belt and braces: depth is checked while composing
        raise BadRequest("The body nests too deeply.", title="Too deeply nested") from None
    finally:
        loader.dispose()
