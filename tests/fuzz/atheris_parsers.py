"""Coverage-guided fuzzing (atheris / libFuzzer) of the parsers outside input goes through.

    python tests/fuzz/atheris_parsers.py <target> -runs=20000 [-max_len=4096] [corpus_dir]

Targets: mime, html_text, extract, cimer_csv, cimer_xml, dates, phone. Each feeds the
fuzzer's bytes to one parser and accepts only the parser's own, documented refusal
(ParseError, ExtractionError, ImportFileError); anything else raised is a crash, which
libFuzzer reports with the input that caused it (saved as crash-*), and that input then
becomes a regression test. tests/fuzz/test_atheris.py runs every target for a bounded
number of runs in CI; hypothesis covers the same parsers with structured input in
kent360/ops/tests/test_*fuzz.py.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kent360.settings")
os.environ.setdefault("KENT360_VAR_DIR", "/tmp/kent360-fuzz")

import atheris  # noqa: E402
import django  # noqa: E402

django.setup()
from kent360.citizens.services import normalise_phone  # noqa: E402
from kent360.core import text  # noqa: E402
from kent360.intake.parsers import ParseError  # noqa: E402
from kent360.intake.parsers.cimer import ImportFileError, read_rows  # noqa: E402
from kent360.intake.parsers.email import _bodies, html_to_text, parse_mime  # noqa: E402
from kent360.media.pipeline.dates import parse_date  # noqa: E402
from kent360.media.pipeline.extract import ExtractionError, extract_html  # noqa: E402


def _text(data: bytes) -> str:
    return atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))


def mime(data: bytes) -> None:
    try:
        text_body, html_body, attachments = _bodies(parse_mime(data))
    except ParseError:
        return
    assert isinstance(text_body, str) and isinstance(html_body, str)
    for name, payload in attachments:
        assert isinstance(name, str) and isinstance(payload, bytes)
        assert "/" not in name and "\\" not in name and name not in (".", "..")


def html_text(data: bytes) -> None:
    out = html_to_text(_text(data))
    assert isinstance(out, str) and "<script" not in out.lower()


def extract(data: bytes) -> None:
    try:
        article = extract_html(_text(data), url="https://haber.example.org/a")
    except ExtractionError:
        return
    assert article.published_at is None or article.published_at.tzinfo is not None


def cimer_csv(data: bytes) -> None:
    try:
        rows = read_rows("cimer.csv", data)
    except ImportFileError:
        return
    assert all(isinstance(row, dict) for row in rows)


def cimer_xml(data: bytes) -> None:
    try:
        rows = read_rows("cimer.xml", data)
    except ImportFileError:
        return
    assert all(isinstance(row, dict) for row in rows)


def dates(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    lang = provider.PickValueInList([None, "tr", "fa", "en"])
    value = parse_date(provider.ConsumeUnicodeNoSurrogates(200), lang=lang)
    assert value is None or value.tzinfo is not None


def phone(data: bytes) -> None:
    raw = _text(data)
    number = normalise_phone(raw, region="TR")
    assert number == "" or (number.startswith("+") and number[1:].isdigit())
    assert text.normalize(text.normalize(raw, "fa"), "fa") == text.normalize(raw, "fa")


TARGETS: dict[str, Callable[[bytes], None]] = {
    "mime": mime,
    "html_text": html_text,
    "extract": extract,
    "cimer_csv": cimer_csv,
    "cimer_xml": cimer_xml,
    "dates": dates,
    "phone": phone,
}


# Our parsers and the pure-Python libraries under them report coverage, so the fuzzer can
# steer by it (atheris.instrument_all() would take minutes over all of Django).
INSTRUMENTED = [
    "kent360.intake.parsers.email",
    "kent360.intake.parsers.cimer",
    "kent360.media.pipeline.extract",
    "kent360.media.pipeline.dates",
    "kent360.core.text",
    "kent360.citizens.services",
    "email.feedparser",
    "email.message",
    "email._header_value_parser",
    "email.utils",
]


def _instrument(names: list[str]) -> None:
    import importlib
    import inspect

    for name in names:
        module = importlib.import_module(name)
        for value in list(vars(module).values()):
            functions = [value] if inspect.isfunction(value) else []
            if inspect.isclass(value) and value.__module__ == name:
                functions = [f for f in vars(value).values() if inspect.isfunction(f)]
            for function in functions:
                if function.__module__ == name:
                    try:
                        atheris.instrument_func(function)
                    except Exception:  # noqa: S112 (a few code shapes are not supported)
                        continue


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        raise SystemExit(f"usage: {sys.argv[0]} <{'|'.join(TARGETS)}> [libFuzzer options]")
    target = TARGETS[sys.argv[1]]
    _instrument(INSTRUMENTED)
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
