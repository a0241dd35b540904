"""Publication dates from Turkish, Persian and English news pages.

Rules:
- Turkish dates are day-month-year ("10.02.2018 00:00", "11 Şubat 2021 Perşembe - 10:09");
  a numeric date is never read month-first for tr or fa.
- Persian dates are Jalali (Solar Hijri) when the year is below 1700 ("۲۷ اردیبهشت ۱۴۰۰",
  "13:30 - 27 اردیبهشت 1400" → 2021-05-17 13:30 Asia/Tehran); Persian/Arabic digits and
  letter variants (ي→ی, ك→ک) are normalised before parsing.
- Relative dates ("3 gün önce", "۲ ساعت پیش", "dün") count back from the fetch time.
- A date without a zone is local to the page's language (tr → Europe/Istanbul,
  fa → Asia/Tehran) unless the caller says otherwise; results are aware datetimes in UTC.
- Dates in the future (beyond a day of clock skew) or before 1990 are not publication dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import jdatetime

from kent360.core.text import normalize_persian, to_ascii_digits

LANGUAGE_ZONES = {"tr": "Europe/Istanbul", "fa": "Asia/Tehran"}

TR_MONTHS = {
    "ocak": 1,
    "şubat": 2,
    "subat": 2,
    "mart": 3,
    "nisan": 4,
    "mayıs": 5,
    "mayis": 5,
    "haziran": 6,
    "temmuz": 7,
    "ağustos": 8,
    "agustos": 8,
    "eylül": 9,
    "eylul": 9,
    "ekim": 10,
    "kasım": 11,
    "kasim": 11,
    "aralık": 12,
    "aralik": 12,
}
EN_MONTHS = {
    m: i + 1
    for i, ms in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in ms
}
FA_MONTHS = {
    "فروردین": 1,
    "اردیبهشت": 2,
    "خرداد": 3,
    "تیر": 4,
    "مرداد": 5,
    "امرداد": 5,
    "شهریور": 6,
    "مهر": 7,
    "آبان": 8,
    "آذر": 9,
    "دی": 10,
    "بهمن": 11,
    "اسفند": 12,
}
# Gregorian month names as written in Persian (used by some Iranian sites).
FA_GREGORIAN_MONTHS = {
    "ژانویه": 1,
    "فوریه": 2,
    "مارس": 3,
    "آوریل": 4,
    "مه": 5,
    "می": 5,
    "ژوئن": 6,
    "ژوئیه": 7,
    "اوت": 8,
    "سپتامبر": 9,
    "اکتبر": 10,
    "نوامبر": 11,
    "دسامبر": 12,
}
TR_WEEKDAYS = "pazartesi|salı|sali|çarşamba|carsamba|perşembe|persembe|cuma|cumartesi|pazar"
FA_WEEKDAYS = "شنبه|یکشنبه|یک‌شنبه|دوشنبه|سه‌شنبه|سه شنبه|چهارشنبه|پنجشنبه|پنج‌شنبه|جمعه"

_TIME = r"(?:\s*(?:[-–,|/]|saat|ساعت)?\s*(\d{1,2})[:.](\d{2})(?::\d{2})?)?"
_TIME_BEFORE = re.compile(r"(\d{1,2}):(\d{2})\s*[-–,|]?\s*$")

_tr_names = "|".join(sorted(TR_MONTHS, key=len, reverse=True))
_en_names = "|".join(sorted(EN_MONTHS, key=len, reverse=True))
_fa_names = "|".join(sorted(FA_MONTHS, key=len, reverse=True))
_fag_names = "|".join(sorted(FA_GREGORIAN_MONTHS, key=len, reverse=True))

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "iso",
        re.compile(
            r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?"
            r"(Z|[+-]\d{2}:?\d{2})?)?"
        ),
    ),
    (
        "tr_named",
        re.compile(
            rf"(?<!\w)(\d{{1,2}})\.?\s*({_tr_names})\s*,?\s*(\d{{4}})(?:\s*,?\s*(?:{TR_WEEKDAYS}))?{_TIME}",
            re.IGNORECASE,
        ),
    ),
    (
        "en_named",
        re.compile(rf"(?<!\w)(\d{{1,2}})\s+({_en_names})\.?,?\s+(\d{{4}}){_TIME}", re.IGNORECASE),
    ),
    (
        "en_named_mdy",
        re.compile(
            rf"(?<!\w)({_en_names})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}}){_TIME}",
            re.IGNORECASE,
        ),
    ),
    ("fa_named", re.compile(rf"(?<!\w)(\d{{1,2}})\s*({_fa_names})(?:\s*ماه)?\s*(\d{{4}}){_TIME}")),
    ("fa_gregorian", re.compile(rf"(?<!\w)(\d{{1,2}})\s*({_fag_names})\s*(\d{{4}}){_TIME}")),
    ("ymd", re.compile(r"(?<![\d.])(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?![\d])" + _TIME)),
    ("dmy", re.compile(r"(?<![\d.])(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?!\d)" + _TIME)),
    (
        "relative_tr",
        re.compile(
            r"(?<!\w)(\d+|bir)\s+(saniye|dakika|dk|saat|gün|hafta|ay|yıl)\s+önce", re.IGNORECASE
        ),
    ),
    ("relative_fa", re.compile(r"(\d+|یک)\s*(ثانیه|دقیقه|ساعت|روز|هفته|ماه|سال)\s*(?:قبل|پیش)")),
    (
        "relative_en",
        re.compile(
            r"(?<!\w)(\d+|an?|one)\s+(second|minute|hour|day|week|month|year)s?\s+ago",
            re.IGNORECASE,
        ),
    ),
    ("yesterday", re.compile(r"(?<!\w)(dün|yesterday|دیروز)(?!\w)" + _TIME, re.IGNORECASE)),
]

_UNIT_SECONDS = {
    "saniye": 1,
    "dakika": 60,
    "dk": 60,
    "saat": 3600,
    "gün": 86400,
    "hafta": 604800,
    "ay": 2592000,
    "yıl": 31536000,
    "ثانیه": 1,
    "دقیقه": 60,
    "ساعت": 3600,
    "روز": 86400,
    "هفته": 604800,
    "ماه": 2592000,
    "سال": 31536000,
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 604800,
    "month": 2592000,
    "year": 31536000,
}

MIN_YEAR = 1990


@dataclass(frozen=True)
class FoundDate:
    """A date found in text: the aware UTC value, where it was and what it looked like."""

    value: datetime
    start: int
    end: int
    text: str
    kind: str
    has_time: bool


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_for(lang: str | None, default: str = "Europe/Istanbul") -> str:
    return LANGUAGE_ZONES.get(lang or "", default)


def prepare(text: str) -> str:
    """Persian letters and digits normalised; the length of ``text`` is kept when possible."""
    return to_ascii_digits(normalize_persian(text)) if _needs_persian(text) else text


def _needs_persian(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text[:4000]) or any(
        "\u06f0" <= ch <= "\u06f9" for ch in text
    )


def _local(y: int, mo: int, d: int, h: int, mi: int, tz: str) -> datetime | None:
    try:
        return datetime(y, mo, d, h, mi, tzinfo=_zone(tz)).astimezone(UTC)
    except ValueError:
        return None


def jalali_to_utc(
    y: int, mo: int, d: int, h: int = 0, mi: int = 0, tz: str = "Asia/Tehran"
) -> datetime | None:
    """A Jalali calendar date and local time as an aware UTC datetime."""
    try:
        g = jdatetime.date(y, mo, d).togregorian()
    except ValueError:
        return None
    return _local(g.year, g.month, g.day, h, mi, tz)


def _ymd(y: int, mo: int, d: int, h: int, mi: int, tz: str) -> datetime | None:
    if y < 1700:
        return jalali_to_utc(y, mo, d, h, mi, tz if tz != "Europe/Istanbul" else "Asia/Tehran")
    return _local(y, mo, d, h, mi, tz)


def _hm(groups: tuple[str | None, ...], i: int) -> tuple[int, int, bool]:
    if len(groups) > i + 1 and groups[i] is not None and groups[i + 1] is not None:
        h, mi = int(groups[i]), int(groups[i + 1])  # type: ignore[arg-type]
        if h < 24 and mi < 60:
            return h, mi, True
    return 0, 0, False


def _convert(
    kind: str, m: re.Match[str], tz: str, now: datetime, prefix: str
) -> tuple[datetime | None, bool]:
    g = m.groups()
    if kind == "iso":
        y, mo, d = int(g[0]), int(g[1]), int(g[2])
        h, mi, has_time = _hm(g, 3)
        if g[5]:
            off = g[5].replace(":", "")
            if off == "Z":
                zone = UTC
            else:
                sign = 1 if off[0] == "+" else -1
                from datetime import timezone as _tz

                zone = _tz(sign * timedelta(hours=int(off[1:3]), minutes=int(off[3:5])))
            try:
                return datetime(y, mo, d, h, mi, tzinfo=zone).astimezone(UTC), has_time
            except ValueError:
                return None, False
        return _ymd(y, mo, d, h, mi, tz), has_time
    if kind in ("tr_named", "en_named", "fa_named", "fa_gregorian"):
        table = {
            "tr_named": TR_MONTHS,
            "en_named": EN_MONTHS,
            "fa_named": FA_MONTHS,
            "fa_gregorian": FA_GREGORIAN_MONTHS,
        }[kind]
        name = g[1].replace("I", "ı").replace("İ", "i").lower()
        d, mo, y = int(g[0]), table[name], int(g[2])
        h, mi, has_time = _hm(g, 3)
        if not has_time:
            before = _TIME_BEFORE.search(prefix)
            if before:
                h, mi, has_time = _hm(before.groups(), 0)
        if kind == "fa_named":
            return jalali_to_utc(
                y, mo, d, h, mi, tz if tz != "Europe/Istanbul" else "Asia/Tehran"
            ), has_time
        return _local(y, mo, d, h, mi, tz), has_time
    if kind == "en_named_mdy":
        mo, d, y = EN_MONTHS[g[0].lower()], int(g[1]), int(g[2])
        h, mi, has_time = _hm(g, 3)
        return _local(y, mo, d, h, mi, tz), has_time
    if kind == "ymd":
        h, mi, has_time = _hm(g, 3)
        return _ymd(int(g[0]), int(g[1]), int(g[2]), h, mi, tz), has_time
    if kind == "dmy":
        # Day first, always: Turkish and Persian pages never write month-first.
        h, mi, has_time = _hm(g, 3)
        return _ymd(int(g[2]), int(g[1]), int(g[0]), h, mi, tz), has_time
    if kind.startswith("relative"):
        n = 1 if not g[0][0].isdigit() else int(g[0])
        return (now - timedelta(seconds=n * _UNIT_SECONDS[g[1].lower()])).astimezone(UTC), True
    if kind == "yesterday":
        local = now.astimezone(_zone(tz)) - timedelta(days=1)
        h, mi, has_time = _hm(g, 1)
        return _local(local.year, local.month, local.day, h, mi, tz), has_time
    return None, False


def find_dates(
    text: str, *, lang: str | None = None, tz: str | None = None, now: datetime | None = None
) -> list[FoundDate]:
    """Every plausible date in ``text``, in order of position.

    Overlapping candidates are resolved in favour of the more specific pattern (the
    pattern list is ordered from most to least specific).
    """
    now = now or datetime.now(UTC)
    zone = tz or zone_for(lang)
    work = prepare(text)
    if len(work) != len(text):
        text = work
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    latest = now + timedelta(days=1)
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(work):
            a, b = m.span()
            if any(a < tb and ta < b for ta, tb in taken):
                continue
            value, has_time = _convert(kind, m, zone, now, work[max(0, a - 12) : a])
            if value is None or value.year < MIN_YEAR or value > latest:
                continue
            taken.append((a, b))
            found.append(FoundDate(value, a, b, text[a:b], kind, has_time))
    found.sort(key=lambda f: f.start)
    return found


def parse_date(
    text: str, *, lang: str | None = None, tz: str | None = None, now: datetime | None = None
) -> datetime | None:
    """One date string → aware UTC datetime (our patterns first, then dateparser).

    dateparser is the fallback for forms our patterns do not know; it is told the language
    and a day-first order, and Jalali strings go through its calendars extra only after
    the Persian letters are normalised.
    """
    if not text or not text.strip():
        return None
    found = find_dates(text, lang=lang, tz=tz, now=now)
    if found:
        return found[0].value
    return _dateparser(prepare(text), lang=lang, tz=tz or zone_for(lang), now=now)


def _dateparser(text: str, *, lang: str | None, tz: str, now: datetime | None) -> datetime | None:
    import dateparser

    settings = {
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
        "TIMEZONE": tz,
        "TO_TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True,
    }
    if now is not None:
        settings["RELATIVE_BASE"] = now.astimezone(_zone(tz)).replace(tzinfo=None)  # type: ignore[assignment]
    if lang == "fa" and any(name in text for name in FA_MONTHS):
        from dateparser.calendars.jalali import JalaliCalendar

        try:
            result = JalaliCalendar(text).get_date()
        except (ValueError, TypeError):
            result = None
        if result and result.date_obj:
            value = result.date_obj
            if value.tzinfo is None:
                value = value.replace(tzinfo=_zone(tz))
            value = value.astimezone(UTC)
            return None if value > (now or datetime.now(UTC)) + timedelta(days=1) else value
    languages = [lang] if lang in ("tr", "fa", "en") else ["tr", "en", "fa"]
    value = dateparser.parse(text[:200], languages=languages, settings=settings)  # type: ignore[arg-type]
    if value is None or value.year < MIN_YEAR:
        return None
    value = value.astimezone(UTC)
    return None if value > (now or datetime.now(UTC)) + timedelta(days=1) else value


def publication_date(
    text: str,
    *,
    anchor: int | None = None,
    lang: str | None = None,
    tz: str | None = None,
    now: datetime | None = None,
    before: int = 800,
    after: int = 1500,
) -> FoundDate | None:
    """The publication date of a page from its visible text.

    News pages print the date next to the headline, so the date nearest to ``anchor``
    (where the title is) within ``before``/``after`` characters wins; without an anchor,
    the first date of the text. Dates with a time of day beat bare dates at equal distance.
    """
    start = 0 if anchor is None else max(0, anchor - before)
    end = (anchor if anchor is not None else 0) + after
    window = text[start:end]
    found = find_dates(window, lang=lang, tz=tz, now=now)
    if not found:
        return None
    if anchor is None:
        return found[0]
    rel = anchor - start

    def distance(f: FoundDate) -> tuple[int, int]:
        dist = rel - f.end if f.end <= rel else max(0, f.start - rel)
        return (dist, 0 if f.has_time else 1)

    best = min(found, key=distance)
    return FoundDate(
        best.value, best.start + start, best.end + start, best.text, best.kind, best.has_time
    )
