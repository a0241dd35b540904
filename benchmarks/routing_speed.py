"""Routing speed: predictions per second on one core, and the size of the stored model.

Trains the production pipeline on the demo + realistic training CSVs (run
benchmarks/make_datasets.py first), then classifies texts one request at a time (as
request creation does) and in batches of 256 (as a bulk re-routing would).

Run: taskset -c 0 /work/main/.venv/bin/python benchmarks/routing_speed.py
"""

from __future__ import annotations

import csv
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kent360.settings")
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")


def read(name: str) -> tuple[list[str], list[str]]:
    with (ROOT / "benchmarks" / "data" / name).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r["category"] for r in rows]


def main() -> None:
    import django

    django.setup()
    from kent360.routing.ml import TextClassifier

    x1, y1 = read("demo_train.csv")
    x2, y2 = read("realistic_train.csv")
    xt, _yt = read("realistic_test.csv")
    xd, _yd = read("demo_test.csv")
    model = TextClassifier.fit(x1 + x2, y1 + y2)
    blob = model.dumps()
    model = TextClassifier.loads(blob)
    texts = (xt + xd) * 4
    model.predict(texts[0])  # warm-up
    started = time.perf_counter()
    for text in texts:
        model.predict(text)
    single = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    for i in range(0, len(texts), 256):
        model.predict_many(texts[i : i + 256])
    batch = len(texts) / (time.perf_counter() - started)
    print(f"model size {len(blob) / 1e6:.2f} MB ({len(model.labels)} categories)")
    print(f"one at a time: {single:,.0f} predictions/s over {len(texts)} texts")
    print(f"batches of 256: {batch:,.0f} predictions/s")


if __name__ == "__main__":
    main()
