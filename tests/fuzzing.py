"""Fuzzing helpers: what every schemathesis run in the suite checks (no server error,
and each response conforms to the OpenAPI document: status, content type, headers,
body), and bounded hypothesis fuzzing of parsers and key validators."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from camshaft.errors import HTTPError

CONFORMANCE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# ------------------------------------------------------------ bounded fuzzing of parsers
#
# Fuzz targets run under hypothesis for FUZZ_EXAMPLES inputs each (a few seconds in CI);
# CAMSHAFT_FUZZ_EXAMPLES=200000 runs longer, on new inputs each run (docs/security.md).
# Any exception but the framework's own 4xx HTTPError fails the target.

_LONG_RUN = os.environ.get("CAMSHAFT_FUZZ_EXAMPLES")
FUZZ_EXAMPLES = int(_LONG_RUN or "300")
#: The suite's bounded run is derandomized (the same inputs every run); a long run
#: draws new inputs each time.
FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=_LONG_RUN is None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@st.composite
def mutated(draw: Any, seeds: SearchStrategy[bytes]) -> bytes:
    """A body from ``seeds`` with a few bytes flipped, inserted, deleted or repeated."""
    data = bytearray(draw(seeds))
    for _ in range(draw(st.integers(0, 4))):
        where = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["flip", "insert", "delete", "repeat"]))
        if action == "flip" and where < len(data):
            data[where] ^= 1 << draw(st.integers(0, 7))
        elif action == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=4))
        elif action == "delete":
            del data[where : where + draw(st.integers(1, 4))]
        else:
            data[where:where] = data[where : where + draw(st.integers(1, 8))] * draw(
                st.integers(1, 20)
            )
    return bytes(data)


def only_client_errors(call: Callable[[], Any]) -> Any:
    """``call()``, with a 4xx HTTPError taken as a refusal (None); anything else raises."""
    try:
        return call()
    except HTTPError as exc:
        if not 400 <= exc.status < 500:
            raise
        return None
