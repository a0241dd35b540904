"""Sentence splitting of kent360.core.text used for mention context and tone."""

from __future__ import annotations

from kent360.core.text import sentence_at, sentence_spans, split_sentences


def test_turkish_titles_do_not_end_a_sentence():
    text = "Doç. Dr. Ayşe Yılmaz konuştu. Prof. Dr. Mehmet Öz de katıldı."
    assert split_sentences(text) == [
        "Doç. Dr. Ayşe Yılmaz konuştu.",
        "Prof. Dr. Mehmet Öz de katıldı.",
    ]


def test_ordinals_and_initials_do_not_end_a_sentence():
    text = "Bornova 3. Cadde’de çalışma var. M. Kemal Bulvarı kapandı! Neden?"
    assert split_sentences(text) == [
        "Bornova 3. Cadde’de çalışma var.",
        "M. Kemal Bulvarı kapandı!",
        "Neden?",
    ]


def test_persian_question_mark_and_full_stop():
    text = "شهرداری منطقه ۶ چه کرد؟ پارک جدید افتتاح شد. مردم راضی‌اند."
    assert split_sentences(text) == [
        "شهرداری منطقه ۶ چه کرد؟",
        "پارک جدید افتتاح شد.",
        "مردم راضی‌اند.",
    ]


def test_quotes_and_line_breaks():
    text = "Başkan “Söz verdik.” dedi.\nYeni paragraf\n\nSon cümle… Bitti"
    assert split_sentences(text) == [
        "Başkan “Söz verdik.”",
        "dedi.",
        "Yeni paragraf",
        "Son cümle…",
        "Bitti",
    ]


def test_spans_are_offsets_into_the_text_without_surrounding_space():
    text = "  Birinci cümle.   İkinci cümle?  "
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["Birinci cümle.", "İkinci cümle?"]
    assert spans[0][0] == 2
    assert sentence_spans("") == [] and sentence_spans("   \n ") == []


def test_sentence_at_finds_the_sentence_of_an_offset():
    text = "Hava güzel. Başkan İduğ’a tepki büyüyor. Park açıldı."
    offset = text.index("İduğ")
    assert sentence_at(text, offset) == "Başkan İduğ’a tepki büyüyor."
    assert sentence_at(text, 0) == "Hava güzel."


def test_sentence_at_cuts_a_long_sentence_around_the_offset():
    text = "kelime " * 400 + "Bornova " + "kelime " * 400 + "."
    offset = text.index("Bornova")
    part = sentence_at(text, offset, max_chars=100)
    assert len(part) <= 100 and "Bornova" in part
