"""Extraction quality: trafilatura alone vs the kent360 media pipeline, side by side.

1. The article-extraction-benchmark (181 pages): P/R/F1 over word 4-shingles of the body,
   averaged over pages (the benchmark authors' metric).
2. The labelled Turkish/Persian seed pages (kent360/media/tests/data/seed_pages): body F1,
   title exact match, publication date accuracy (to the minute).

Run: /work/main/.venv/bin/python benchmarks/media_extraction.py
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kent360.settings")

import trafilatura  # noqa: E402

from kent360.core.text import normalize_persian  # noqa: E402
from kent360.media.pipeline.extract import extract_document, extract_html  # noqa: E402

BENCH = Path("/work/shared/datasets/article-extraction-benchmark")
SEED_PAGES = ROOT / "kent360/media/tests/data/seed_pages"


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = normalize_persian(text or "").split()
    return {tuple(words[i : i + n]) for i in range(max(len(words) - n + 1, 1))} if words else set()


def prf(pred: str, truth: str) -> tuple[float, float, float]:
    p, t = shingles(pred), shingles(truth)
    if not p and not t:
        return 1.0, 1.0, 1.0
    tp = len(p & t)
    precision = tp / len(p) if p else 0.0
    recall = tp / len(t) if t else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def mean(rows: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    return tuple(sum(r[i] for r in rows) / len(rows) for i in range(3))  # type: ignore[return-value]


def main() -> None:
    truth = json.loads((BENCH / "ground-truth.json").read_text())
    alone, ours = [], []
    for pid, item in sorted(truth.items()):
        html = gzip.decompress((BENCH / "html" / f"{pid}.html.gz").read_bytes()).decode("utf-8")
        alone.append(prf(trafilatura.extract(html) or "", item["articleBody"]))
        try:
            ex = extract_html(html, item.get("url"))
            body = f"{ex.title}\n{ex.text}" if ex.title else ex.text
        except Exception:
            body = ""
        ours.append(prf(body, item["articleBody"]))
    print(f"article-extraction-benchmark ({len(truth)} pages), word 4-shingles, mean over pages")
    print(f"{'':24}{'P':>8}{'R':>8}{'F1':>8}")
    for name, rows in (("trafilatura alone", alone), ("kent360 pipeline", ours)):
        p, r, f = mean(rows)
        print(f"{name:24}{p:8.3f}{r:8.3f}{f:8.3f}")

    expected = json.loads((SEED_PAGES / "expected.json").read_text(encoding="utf-8"))
    alone, ours = [], []
    titles = dates_ok = dates_alone = 0
    for name, exp in sorted(expected.items()):
        data = (SEED_PAGES / name).read_bytes()
        html = data.decode(exp.get("charset", "") or "utf-8", errors="replace")
        from kent360.media.pipeline.fetch import decode_bytes

        html = decode_bytes(data)
        doc = trafilatura.bare_extraction(html, with_metadata=True)
        alone.append(prf(doc.text if doc else "", exp["body"]))
        want = datetime.fromisoformat(exp["date"]).astimezone(UTC)
        if (
            doc is not None
            and doc.date
            and doc.date[:10]
            == want.astimezone(datetime.fromisoformat(exp["date"]).tzinfo).date().isoformat()
        ):
            dates_alone += 1
        ex = extract_document(data, name)
        ours.append(prf(ex.text, exp["body"]))
        titles += normalize_persian(ex.title) == normalize_persian(exp["title"])
        dates_ok += ex.published_at == want
    n = len(expected)
    print(f"\nTurkish/Persian seed pages ({n} pages, labelled)")
    print(f"{'':24}{'P':>8}{'R':>8}{'F1':>8}  date")
    p, r, f = mean(alone)
    print(f"{'trafilatura alone':24}{p:8.3f}{r:8.3f}{f:8.3f}  {dates_alone}/{n} (day only)")
    p, r, f = mean(ours)
    print(f"{'kent360 pipeline':24}{p:8.3f}{r:8.3f}{f:8.3f}  {dates_ok}/{n} (to the minute)")
    print(f"titles exact: {titles}/{n}")


if __name__ == "__main__":
    main()
