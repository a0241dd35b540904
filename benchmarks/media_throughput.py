"""End-to-end throughput: trafilatura alone vs the kent360 pipeline, side by side, one core.

Pipeline = extraction (trafilatura body + our metadata) + publication date + mentions +
tone + MinHash story grouping (in-memory LSH). Both run over the same pages in one
process, alternating, so the ratio is fair on a shared machine.

Run:   /work/main/.venv/bin/python benchmarks/media_throughput.py [--rounds 3]
Long:  /work/main/.venv/bin/python benchmarks/media_throughput.py --long 100000
       (cycles the 181 pages for N pages, pipeline only, printing RSS every 10k pages)
"""

from __future__ import annotations

import argparse
import gc
import gzip
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kent360.settings")

import trafilatura  # noqa: E402

from kent360.media.pipeline import grouping  # noqa: E402
from kent360.media.pipeline.extract import extract_html  # noqa: E402
from kent360.media.pipeline.mentions import Matcher, WatchTerm  # noqa: E402
from kent360.media.pipeline.tone import tone  # noqa: E402

BENCH = Path("/work/shared/datasets/article-extraction-benchmark/html")
WATCH = Matcher(
    [
        WatchTerm("Bornova Belediyesi", ["Bornova Belediye Başkanı"]),
        WatchTerm("Mustafa İduğ", ["İduğ"]),
        WatchTerm("Samandağ"),
        WatchTerm("Hatay Büyükşehir Belediyesi"),
        WatchTerm("Lütfü Savaş"),
        WatchTerm("Trump", ["Donald Trump"]),
        WatchTerm("London"),
        WatchTerm("European Union", ["EU"]),
        WatchTerm("سازمان شهرداری‌ها و دهیاری‌های کشور"),
        WatchTerm("مهدی جمالی‌نژاد"),
    ]
)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pipeline(index: grouping.StoryIndex, key: int, html: str) -> None:
    ex = extract_html(html)
    full = f"{ex.title}\n{ex.text}"
    WATCH.find(full)
    tone(full)
    index.assign(key, grouping.minhash(ex.text))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--long", type=int, default=0)
    args = ap.parse_args()
    pages = [
        gzip.decompress(p.read_bytes()).decode("utf-8") for p in sorted(BENCH.glob("*.html.gz"))
    ]
    if args.long:
        index = grouping.StoryIndex()
        start = time.perf_counter()
        print(f"pages  rss_mb  pages/s   (start rss {rss_mb():.1f} MB)")
        for i in range(args.long):
            pipeline(index, i, pages[i % len(pages)])
            if i >= 5000:  # the index keeps a sliding window (the DB keeps 7 days)
                index.remove(i - 5000)
            if (i + 1) % 10000 == 0:
                gc.collect()
                print(
                    f"{i + 1:6d}  {rss_mb():6.1f}  {(i + 1) / (time.perf_counter() - start):7.1f}",
                    flush=True,
                )
        return
    for h in pages[:5]:  # warm up imports and caches
        trafilatura.extract(h)
        pipeline(grouping.StoryIndex(), 0, h)
    t_alone = t_ours = 0.0
    n = 0
    for r in range(args.rounds):
        index = grouping.StoryIndex()
        for i, h in enumerate(pages):
            t0 = time.perf_counter()
            trafilatura.extract(h)
            t1 = time.perf_counter()
            pipeline(index, r * 1000 + i, h)
            t2 = time.perf_counter()
            t_alone += t1 - t0
            t_ours += t2 - t1
            n += 1
    print(f"{n} pages ({len(pages)} x {args.rounds} rounds), one process, one core")
    for label, seconds in (("trafilatura.extract alone", t_alone), ("kent360 pipeline", t_ours)):
        print(f"{label:26}: {n / seconds:7.1f} pages/s  ({1000 * seconds / n:5.1f} ms/page)")
    print(f"time ratio pipeline / trafilatura alone: {t_ours / t_alone:.2f}")
    print(f"rss {rss_mb():.1f} MB")


if __name__ == "__main__":
    main()
