"""Parse cost: YAML against JSON on the same ~100 KiB document (issue 10: YAML <= 10x JSON).

The document is a list of records (ints, strings, floats, booleans, nulls, a short
list and a nested mapping each), written by each format's own emitter, so both bodies
carry the same data; each is parsed by the parser the app calls (``app.parse_body``
with the default limits), which includes the checks every parser runs. Every round
times one batch per parser in alternating order, so machine noise lands on all alike;
the figure reported is the median per-call time over rounds, and the ratio is each
parser's median over the builtin JSON parser's.

    python bench/bench_parse_cost.py                   # 40 rounds of 5 calls
    python bench/bench_parse_cost.py --rounds 100 --batch 10
    python bench/bench_parse_cost.py --pure-python     # also PyYAML's pure-Python parser

Needs ``pip install -e . -e plugins/emitters/yaml`` (and ``plugins/emitters/orjson`` to
include it). Exit status is 0 either way: a measurement, not a test.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import statistics
import time
from collections.abc import Callable
from typing import Any

import camshaft_yaml
from camshaft import EmitContext
from camshaft.builtins import json_format
from camshaft.testing import make_app
from camshaft_yaml import loader


def records(target_bytes: int = 100 * 1024) -> list[dict[str, Any]]:
    """Records until their JSON is about ``target_bytes`` long."""
    out: list[dict[str, Any]] = []
    size = 2
    i = 0
    while size < target_bytes:
        item = {
            "id": i,
            "title": f"Event number {i}: a short title",
            "score": i * 1.25,
            "public": i % 2 == 0,
            "note": None,
            "tags": ["alpha", "beta", f"t{i % 7}"],
            "where": {"city": "Lyon", "lat": 45.76, "lon": 4.84},
        }
        out.append(item)
        size += len(json_format.emit(item, EmitContext())) + 1
        i += 1
    return out


def timed(fn: Callable[[], Any], batch: int) -> float:
    begin = time.perf_counter()
    for _ in range(batch):
        fn()
    return (time.perf_counter() - begin) / batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--batch", type=int, default=5)
    parser.add_argument(
        "--pure-python", action="store_true", help="also time PyYAML's pure-Python parser"
    )
    args = parser.parse_args()

    data = records()
    builtin = make_app([], plugins=["yaml"])
    json_body = builtin.emitters["json"].emit(data, EmitContext(many=True))
    yaml_body = camshaft_yaml.EMITTER.emit(data, EmitContext(many=True))
    assert builtin.parse_body("application/json", json_body) == data
    assert builtin.parse_body("application/yaml", yaml_body) == data

    def yaml_pure_python() -> Any:
        loader.LIBYAML = False
        try:
            return builtin.parse_body("application/yaml", yaml_body)
        finally:
            loader.LIBYAML = libyaml

    libyaml = loader.LIBYAML
    impls: dict[str, Callable[[], Any]] = {
        "json (builtin)": lambda: builtin.parse_body("application/json", json_body),
    }
    if importlib.util.find_spec("camshaft_orjson") is not None:
        fast = make_app([], plugins=["orjson"])
        impls["json (orjson)"] = lambda: fast.parse_body("application/json", json_body)
    impls["yaml (libyaml)" if libyaml else "yaml (pure Python)"] = lambda: builtin.parse_body(
        "application/yaml", yaml_body
    )
    if args.pure_python and libyaml:
        impls["yaml (pure Python)"] = yaml_pure_python

    print(
        f"{len(data)} records: {len(json_body)} bytes of JSON, {len(yaml_body)} bytes of "
        f"YAML; {args.rounds} rounds of {args.batch}"
    )
    names = list(impls)
    samples: dict[str, list[float]] = {name: [] for name in names}
    gc.collect()
    for fn in impls.values():  # warm up
        timed(fn, 1)
    for round_ in range(args.rounds):
        for name in names if round_ % 2 == 0 else reversed(names):
            samples[name].append(timed(impls[name], args.batch))
    medians = {name: statistics.median(s) for name, s in samples.items()}
    base = medians["json (builtin)"]
    for name, median in medians.items():
        print(f"{name:20} {median * 1e3:8.2f} ms   {median / base:6.1f}x json (builtin)")


if __name__ == "__main__":
    main()
