import pytest

from kent360.core import text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("İSTANBUL", "istanbul"),
        ("IĞDIR", "ığdır"),
        ("Bornova'da", "bornova da"),
        ("Belediyesi’nin", "belediyesi nin"),
        ("ÇÖP KUTUSU", "çöp kutusu"),
    ],
)
def test_turkish_normalisation(raw: str, expected: str) -> None:
    assert text.normalize(raw, "tr") == expected


def test_generic_lower_would_be_wrong_for_turkish() -> None:
    # str.lower() leaves a combining dot after "i" for "İ"; ours must not.
    assert "İ".lower() != "i"
    assert text.turkish_lower("İzmir") == "izmir"
    assert text.turkish_upper("ılık iğde") == "ILIK İĞDE"


def test_persian_letters_digits_and_zwnj() -> None:
    assert text.normalize_persian("شهرداري كرج") == "شهرداری کرج"
    assert text.to_ascii_digits("۲۷ اردیبهشت ۱۴۰۰") == "27 اردیبهشت 1400"
    assert text.to_ascii_digits("٢٠٢١") == "2021"
    assert text.to_persian_digits("1400") == "۱۴۰۰"
    # a ZWNJ with stray spaces around it and a zero-width joiner collapse to one ZWNJ
    assert text.normalize_persian("می \u200c خواهم\u200d") == "می\u200cخواهم"
    assert text.normalize_persian("مـــدرسه") == "مدرسه"


def test_search_key_folds_turkish_letters() -> None:
    assert text.search_key("Çöp Toplanmadı") == text.search_key("cop toplanmadi")
    assert "kazimdirik" in text.search_key("KAZIMDİRİK'te")


def test_tokens_split_persian_compounds_and_suffixes() -> None:
    assert text.tokens("Bornova'da çöp") == ["bornova", "da", "çöp"]
    assert text.tokens("کتاب\u200cها") == ["کتاب", "ها"]
