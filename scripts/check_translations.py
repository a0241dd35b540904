#!/usr/bin/env python
"""Check the Turkish and Persian catalogs.

Counts untranslated and fuzzy entries (both must be 0), checks that every
msgstr carries the same placeholders as its msgid (%(name)s, %(n)d, %s, {var}),
and that the Persian catalog uses Persian letters (no Arabic ي U+064A or
ك U+0643). Exits non-zero on any problem.

Usage: python scripts/check_translations.py [locale_dir]
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import polib

PRINTF = re.compile(r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]")
BRACE = re.compile(r"(?<!\{)\{[A-Za-z_][A-Za-z0-9_.]*\}(?!\})")
ARABIC = {"\u064a": "ي (Arabic yeh)", "\u0643": "ك (Arabic kaf)", "\u0649": "ى (alef maksura)"}


def placeholders(text: str, printf: bool) -> Counter:
    """printf-style placeholders (when the entry uses them) and {var} fields."""
    found: Counter = Counter(BRACE.findall(text))
    if printf:
        found.update(p for p in PRINTF.findall(text) if p != "%%")
    return found


def uses_printf(entry: polib.POEntry) -> bool:
    if "python-format" in entry.flags:
        return True
    # A literal "75 %" is not a placeholder; look for real ones in the source.
    return any(p != "%%" for p in PRINTF.findall(entry.msgid + (entry.msgid_plural or "")))


def check(locale_dir: Path) -> int:
    problems = 0
    for lang in ("tr", "fa"):
        path = locale_dir / lang / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(path))
        entries = [e for e in po if not e.obsolete]
        untranslated = [e for e in entries if not e.translated() and "fuzzy" not in e.flags]
        fuzzy = [e for e in entries if "fuzzy" in e.flags]
        bad = []
        for e in entries:
            pf = uses_printf(e)
            if e.msgid_plural:
                want_s = placeholders(e.msgid, pf)
                want_p = placeholders(e.msgid_plural, pf)
                for idx, s in sorted(e.msgstr_plural.items()):
                    if not s:
                        continue
                    got = placeholders(s, pf)
                    # plural=(n > 1): form 0 is used for 0 and 1, where the
                    # count may be dropped from the singular; other forms must
                    # match the plural msgid exactly.
                    ok = got in (want_s, want_p) if idx == 0 else got == want_p
                    if not ok:
                        bad.append((e.msgid, idx, dict(want_p), dict(got)))
            elif e.msgstr:
                want = placeholders(e.msgid, pf)
                got = placeholders(e.msgstr, pf)
                if want != got:
                    bad.append((e.msgid, None, dict(want), dict(got)))
        arabic = []
        if lang == "fa":
            for e in entries:
                texts = [e.msgstr, *e.msgstr_plural.values()]
                for t in texts:
                    hits = [name for ch, name in ARABIC.items() if ch in t]
                    if hits:
                        arabic.append((e.msgid, hits))
        done = len(entries) - len(untranslated) - len(fuzzy)
        print(
            f"{lang}: {len(entries)} entries, {done} translated, "
            f"{len(untranslated)} untranslated, {len(fuzzy)} fuzzy, "
            f"{len(bad)} placeholder mismatches"
            + (f", {len(arabic)} with Arabic letters" if lang == "fa" else "")
        )
        for e in untranslated:
            print(f"  untranslated: {e.msgid!r}")
        for e in fuzzy:
            print(f"  fuzzy: {e.msgid!r}")
        for msgid, idx, want, got in bad:
            form = "" if idx is None else f" (form {idx})"
            print(f"  placeholders differ{form}: {msgid!r}: {want} != {got}")
        for msgid, hits in arabic:
            print(f"  Arabic letters {', '.join(hits)}: {msgid!r}")
        problems += len(untranslated) + len(fuzzy) + len(bad) + len(arabic)
    return 1 if problems else 0


if __name__ == "__main__":
    default = Path(__file__).resolve().parent.parent / "kent360" / "locale"
    sys.exit(check(Path(sys.argv[1]) if len(sys.argv) > 1 else default))
