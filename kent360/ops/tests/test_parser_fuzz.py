"""Hypothesis fuzzing of the parsers citizens' input goes through: tracking codes,
phone numbers, the text module, attachment sniffing and the request-create API.

Each property is bounded (KENT360_FUZZ_EXAMPLES, default small) so CI stays quick; a crash
found here becomes a named regression test below.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kent360.citizens.services import normalise_phone
from kent360.core import text
from kent360.requests.models import TRACKING_ALPHABET, TRACKING_LENGTH, normalise_tracking_code
from kent360.requests.services import sniff_content_type

EXAMPLES = int(os.environ.get("KENT360_FUZZ_EXAMPLES", "80"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# Text as citizens type it: Turkish, Persian, Arabic forms, digits, ZWNJ, controls, emoji.
citizen_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from("İIıiŞşĞğÜüÖöÇç'’ يكی‌۰۱۲٣٤ \u200c\u200f\n\t\x00"),
    ),
    max_size=300,
)


@FUZZ
@given(raw=citizen_text)
@example(raw="brn-k7m4-9qxd")
@example(raw="ı" * 9)
@example(raw="ﬃ")  # upper-casing changes the length
def test_tracking_code_normalisation_never_fails_and_is_stable(raw):
    code = normalise_tracking_code(raw)
    assert isinstance(code, str)
    assert normalise_tracking_code(code) == code
    if len(code) == TRACKING_LENGTH + 1 and all(c in TRACKING_ALPHABET for c in code[:4]):
        assert code[4] == "-"


@FUZZ
@given(
    body=st.text(alphabet=TRACKING_ALPHABET, min_size=8, max_size=8),
    sep=st.sampled_from(["", " ", "-", "  "]),
)
def test_every_real_tracking_code_survives_what_citizens_type(body, sep):
    canonical = f"{body[:4]}-{body[4:]}"
    assert normalise_tracking_code(f" {body[:4].lower()}{sep}{body[4:]} ") == canonical
    assert normalise_tracking_code(f"BRN-{canonical}") == canonical


@FUZZ
@given(raw=citizen_text, region=st.sampled_from(["TR", "IR", "DE", "ZZ"]))
@example(raw="۰۵۳۲ ۱۱۱ ۲۲ ۳۳", region="TR")
@example(raw="+" + "9" * 250, region="TR")
def test_phone_normalisation_never_fails(raw, region):
    phone = normalise_phone(raw, region=region)
    assert phone == "" or (phone.startswith("+") and phone[1:].isdigit())
    if phone:
        assert normalise_phone(phone, region=region) == phone


@FUZZ
@given(value=citizen_text, lang=st.sampled_from([None, "tr", "fa", "en"]))
def test_text_module_functions_never_fail(value, lang):
    normalised = text.normalize(value, lang)
    assert text.normalize(normalised, lang) == normalised
    key = text.search_key(value, lang)
    assert isinstance(key, str)
    for token in text.tokens(value, lang):
        assert token and not any(ch.isspace() for ch in token)
    assert text.casefold(value, lang) == text.casefold(text.casefold(value, lang), lang)
    for start, end in text.sentence_spans(value):
        assert 0 <= start <= end <= len(value)
    assert isinstance(text.split_sentences(value), list)
    if value:
        assert len(text.sentence_at(value, len(value) // 2, max_chars=80)) <= 80 + 1
    assert text.to_ascii_digits(text.to_persian_digits(value)) == text.to_ascii_digits(value)


@FUZZ
@given(head=st.binary(max_size=16), name=st.text(max_size=40))
@example(head="İçerik 0 ğüş".encode()[:16], name="a.txt")  # found by hypothesis: split ğ
def test_sniffing_never_fails_and_text_split_mid_character_is_still_text(head, name):
    kind = sniff_content_type(head, name)
    assert kind in {
        "image/jpeg",
        "image/png",
        "application/pdf",
        "image/heic",
        "image/webp",
        "text/plain",
        "application/octet-stream",
    }


def test_regression_text_attachment_whose_16_byte_head_ends_inside_a_letter():
    head = "İçerik 0 ğüş".encode()[:16]
    with pytest.raises(UnicodeDecodeError):
        head.decode("utf-8")
    assert sniff_content_type(head, "not.txt") == "text/plain"


create_payload = st.fixed_dictionaries(
    {},
    optional={
        "kind": st.one_of(st.sampled_from(["request", "complaint", "thanks"]), citizen_text),
        "subject": st.one_of(citizen_text, st.integers(), st.none(), st.lists(st.integers())),
        "text": st.one_of(citizen_text, st.booleans(), st.none()),
        "category": st.one_of(st.sampled_from(["asfalt", "cop", "nope", ""]), st.integers()),
        "latitude": st.one_of(st.floats(allow_nan=True, allow_infinity=True), citizen_text),
        "longitude": st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.none()),
        "contact_phone": citizen_text,
        "contact_email": citizen_text,
        "priority": st.one_of(st.integers(), citizen_text),
        "language": citizen_text,
    },
)


@pytest.mark.django_db
def test_request_create_api_answers_400_or_201_never_500(world):
    from rest_framework.test import APIClient

    from kent360.organizations.models import Role

    api = APIClient()
    api.force_authenticate(world.staff[Role.AGENT].user)

    @FUZZ
    @given(payload=create_payload)
    @example(payload={"subject": "x", "text": "y", "latitude": float("nan"), "longitude": 1.0})
    @example(payload={"subject": "\x00", "text": "\x00"})
    def run(payload):
        body = json.dumps(payload)  # NaN/Infinity go out as JSON would never allow
        response = api.post("/api/v1/requests/", body, content_type="application/json")
        assert response.status_code in (200, 201, 400), (payload, response.content[:300])
        if response.status_code == 400:
            assert set(response.json()["error"]) == {"code", "message", "fields"}

    run()
