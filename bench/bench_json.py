"""JSON benchmark: the builtin JSON emitter/parser against camshaft-orjson.

Emits and parses a 100-item list of dicts (six fields each: int, str, float, bool,
None, and a datetime the emitters turn into an ISO 8601 string) through each format's
``emit`` and ``parse`` functions, exactly as the app calls them. Every round times one
batch per implementation in alternating order, so machine noise lands on both alike;
the figure reported is the median per-call time over rounds, and the ratio is
builtin / orjson (how many times faster orjson is).

    python bench/bench_json.py                   # 200 rounds of 50 calls
    python bench/bench_json.py --rounds 500 --batch 20

Needs ``pip install -e . -e plugins/emitters/orjson`` (orjson is also listed in
bench/requirements.txt). Exit status is 0 either way: a measurement, not a test.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

import camshaft_orjson
from camshaft import EmitContext, ParseLimits
from camshaft.builtins import json_format


def items(n: int = 100) -> list[dict[str, Any]]:
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    return [
        {
            "id": i,
            "title": f"Event number {i}",
            "score": i * 1.25,
            "public": i % 2 == 0,
            "note": None,
            "at": start + datetime.timedelta(minutes=i),
        }
        for i in range(n)
    ]


def timed(fn: Callable[[], Any], batch: int) -> float:
    begin = time.perf_counter()
    for _ in range(batch):
        fn()
    return (time.perf_counter() - begin) / batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()

    data = items()
    ctx = EmitContext(many=True)
    limits = ParseLimits()
    body = json_format.emit(data, ctx)
    assert camshaft_orjson.parse(body, limits) == json_format.parse(body, limits)
    cases = {
        "emit": {
            "builtin": lambda: json_format.emit(data, ctx),
            "orjson": lambda: camshaft_orjson.emit(data, ctx),
        },
        "parse": {
            "builtin": lambda: json_format.parse(body, limits),
            "orjson": lambda: camshaft_orjson.parse(body, limits),
        },
    }
    print(f"100-item list, {len(body)} bytes of JSON; {args.rounds} rounds of {args.batch}")
    gc.collect()
    for op, impls in cases.items():
        samples: dict[str, list[float]] = {name: [] for name in impls}
        names = list(impls)
        for fn in impls.values():  # warm up
            timed(fn, args.batch)
        for round_ in range(args.rounds):
            for name in names if round_ % 2 == 0 else reversed(names):
                samples[name].append(timed(impls[name], args.batch))
        medians = {name: statistics.median(s) for name, s in samples.items()}
        ratio = medians["builtin"] / medians["orjson"]
        shown = ", ".join(f"{name} {m * 1e6:8.1f} us" for name, m in medians.items())
        print(f"{op:5}: {shown}  -> orjson is {ratio:.1f}x faster")


if __name__ == "__main__":
    main()
