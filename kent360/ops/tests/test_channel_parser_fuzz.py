"""Hypothesis fuzzing of the parsers inbound channels and news pages go through: MIME
e-mail, HTML extraction, CİMER CSV/XML imports and date parsing (Turkish and Jalali).

The rule each property checks: hostile or broken input gives the parser's own clear error
(or nothing), never an unexpected exception that would lose the item. Bounded by
KENT360_FUZZ_EXAMPLES so CI stays quick; derandomized so a failure reproduces.
"""

from __future__ import annotations

import os
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kent360.intake.parsers import ParseError
from kent360.intake.parsers.cimer import ImportFileError, read_rows
from kent360.intake.parsers.email import _bodies, html_to_text, parse_mime
from kent360.media.pipeline.dates import parse_date
from kent360.media.pipeline.extract import ExtractionError, extract_html

EXAMPLES = int(os.environ.get("KENT360_FUZZ_EXAMPLES", "80"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
LETTERS = "İIıiŞşĞğÜüÖöÇç'’ يكی‌۰۱۲٣٤ \u200c\n\t<>&\";=:/-.,0123456789"
noisy_text = st.text(
    alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from(LETTERS)), max_size=400
)

MIME_PIECES = [
    b"From: a@example.org\r\n",
    b"To: b@bornova.bel.tr\r\n",
    b"Subject: =?utf-8?b?w4fDtnA=?=\r\n",
    b"MIME-Version: 1.0\r\n",
    b"Content-Type: multipart/mixed; boundary=XX\r\n",
    b"Content-Type: text/html; charset=windows-1254\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"\r\n",
    b"--XX\r\n",
    b"--XX--\r\n",
    b"<p>\xc7\xf6p</p>\r\n",
    b"=C3=A7\r\n",
    b"\xff\xfe\x00",
    b'Content-Disposition: attachment; filename="../../x.pdf"\r\n',
]


@FUZZ
@given(st.lists(st.sampled_from(MIME_PIECES) | st.binary(max_size=60), max_size=25))
def test_mime_parsing_never_crashes(pieces: list[bytes]) -> None:
    raw = b"".join(pieces)
    try:
        msg = parse_mime(raw)
        text, html, attachments = _bodies(msg)
    except ParseError:
        return
    assert isinstance(text, str) and isinstance(html, str)
    assert all(isinstance(name, str) and isinstance(data, bytes) for name, data in attachments)


@FUZZ
@given(noisy_text)
def test_html_sanitising_returns_text(markup: str) -> None:
    out = html_to_text(markup)
    assert isinstance(out, str) and "<script" not in out.lower()


HTML_PIECES = [
    "<html>",
    "<head><meta charset='windows-1256'>",
    "<title>Başlık</title>",
    "<body>",
    "<article><h1>Bornova’da çöp</h1>",
    "<p>",
    "</p>",
    "<script>x()</script>",
    "<div class='date'>27 اردیبهشت ۱۴۰۰</div>",
    "<!--",
    "-->",
    "<![CDATA[",
    "&#x0;",
    "</article>",
    "</body></html>",
]


@FUZZ
@given(st.lists(st.sampled_from(HTML_PIECES) | noisy_text, max_size=30))
def test_html_extraction_gives_an_article_or_a_clear_error(pieces: list[str]) -> None:
    try:
        article = extract_html("".join(pieces), url="https://haber.example.org/a")
    except ExtractionError:
        return
    assert isinstance(article.text, str)
    assert article.published_at is None or article.published_at.tzinfo is not None


@FUZZ
@given(st.lists(st.lists(noisy_text, max_size=6), max_size=8), st.sampled_from([",", ";"]))
def test_cimer_csv_rows_or_a_clear_error(rows: list[list[str]], sep: str) -> None:
    data = "\n".join(sep.join(r) for r in [["Başvuru No", "Tarih", "Konu"], *rows]).encode()
    try:
        parsed = read_rows("cimer.csv", data)
    except ImportFileError:
        return
    assert all(isinstance(row, dict) for row in parsed)


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [
                "<?xml version='1.0'?>",
                "<basvurular>",
                "<basvuru>",
                "<BasvuruNo>12</BasvuruNo>",
                "</basvuru>",
                "</basvurular>",
                "<!DOCTYPE x [<!ENTITY a 'b'>]>",
                "&a;",
                "<x/>",
            ]
        )
        | noisy_text,
        max_size=15,
    )
)
def test_cimer_xml_rows_or_a_clear_error(pieces: list[str]) -> None:
    try:
        parsed = read_rows("cimer.xml", "".join(pieces).encode())
    except ImportFileError:
        return
    assert all(isinstance(row, dict) for row in parsed)


DATE_PIECES = [
    "11 Şubat 2021 Perşembe - 10:09",
    "10.02.2018 00:00",
    "3 gün önce",
    "۲۷ اردیبهشت ۱۴۰۰",
    "13:30 - 27 اردیبهشت 1400",
    "31.02.2020",
    "99:99",
    "ي",
    "ك",
    "1399/12/30",
    "Yayınlanma Tarihi :",
]


@FUZZ
@given(
    st.lists(st.sampled_from(DATE_PIECES) | noisy_text, max_size=4),
    st.sampled_from([None, "tr", "fa", "en"]),
)
def test_date_parsing_gives_an_aware_date_or_none(pieces: list[str], lang: str | None) -> None:
    value = parse_date(" ".join(pieces), lang=lang)
    assert value is None or (isinstance(value, datetime) and value.tzinfo is not None)


def test_regression_csv_bytes_that_are_neither_utf8_nor_windows_1254():
    """Found by atheris (tests/fuzz/atheris_parsers.py cimer_csv): 0x8D and 0x8E are
    undefined in Windows-1254, and the fallback decode raised UnicodeDecodeError."""
    import pytest

    for data in (b"F\x8d", b"\x8e", "Başvuru No;Konu\n1;Çöp".encode("cp1254") + b"\x81"):
        with pytest.raises(ImportFileError, match="neither UTF-8 nor Windows-1254"):
            read_rows("cimer.csv", data)
    turkish = "Başvuru No;Başvuru Tarihi;Başvuru Metni\n12;01.02.2024;Çöp ışık\n".encode("cp1254")
    assert read_rows("cimer.csv", turkish)[0]["text"] == "Çöp ışık"
