"""Matching a contact to a citizen: by national id, phone or e-mail, inside one
organisation, never an anonymised record; and on PostgreSQL by one index probe however
many citizens the organisation has."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.utils import timezone

from kent360.citizens import services
from kent360.citizens.models import Citizen


def test_the_same_phone_in_another_spelling_is_the_same_citizen(world):
    first = services.citizen_match_or_create(
        organisation=world.org, name="Gülşen Işık", phone="0532 111 22 33"
    )
    again = services.citizen_match_or_create(organisation=world.org, phone="+90 (532) 111-2233")
    assert first is not None and again is not None
    assert again.pk == first.pk and again.phone == "+905321112233"


def test_an_e_mail_in_capitals_matches_and_fills_in_what_was_missing(world):
    first = services.citizen_match_or_create(organisation=world.org, email="Ilker@Example.org")
    again = services.citizen_match_or_create(
        organisation=world.org, email="ilker@example.org", phone="05441234567", name="İlker"
    )
    assert again is not None and first is not None and again.pk == first.pk
    again.refresh_from_db()
    assert (again.name, again.phone) == ("İlker", "+905441234567")


def test_another_organisations_citizen_is_never_matched(world):
    theirs = services.citizen_match_or_create(organisation=world.other_org, phone="05321112233")
    ours = services.citizen_match_or_create(organisation=world.org, phone="05321112233")
    assert theirs is not None and ours is not None
    assert ours.pk != theirs.pk and ours.organisation_id == world.org.pk


def test_an_anonymised_citizen_is_not_matched_again(world):
    gone = services.citizen_match_or_create(organisation=world.org, phone="05321112233")
    assert gone is not None
    Citizen.objects.filter(pk=gone.pk).update(anonymised_at=timezone.now())
    new = services.citizen_match_or_create(organisation=world.org, phone="05321112233")
    assert new is not None and new.pk != gone.pk


def test_a_contact_without_an_identifier_is_anonymous_and_blank_fields_match_nobody(world):
    assert services.citizen_match_or_create(organisation=world.org, name="Ayşe") is None
    with_phone = services.citizen_match_or_create(organisation=world.org, phone="05321112233")
    by_mail = services.citizen_match_or_create(organisation=world.org, email="a@example.org")
    assert with_phone is not None and by_mail is not None and with_phone.pk != by_mail.pk


def test_national_id_matches_through_its_keyed_hash_only(world):
    first = services.citizen_match_or_create(organisation=world.org, national_id="12345678901")
    again = services.citizen_match_or_create(organisation=world.org, national_id="123 456 789 01")
    assert first is not None and again is not None and again.pk == first.pk
    assert "12345678901" not in first.national_id_hash


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's planner; SQLite plans per query"
)
@pytest.mark.parametrize("field", ["phone", "email", "national_id_hash"])
def test_the_prepared_match_probes_one_index_on_postgresql(world, field):
    """The statement is prepared, so PostgreSQL may plan it once without the values; that
    generic plan must still go straight to the organisation's matching row instead of
    reading every citizen of the organisation (the plan it chose before)."""
    Citizen.objects.bulk_create(
        Citizen(
            organisation=world.org,
            phone=f"+90532{i:07d}",
            email=f"c{i}@example.org",
            national_id_hash=f"{i:064d}",
        )
        for i in range(3000)
    )
    sql = services._MATCH[field].sql(connection)
    numbered = iter(range(1, 10))
    sql = re.sub("%s", lambda _m: f"${next(numbered)}", sql)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE citizens_citizen")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE k360_match AS {sql}")
        try:
            cursor.execute("EXPLAIN (FORMAT JSON) EXECUTE k360_match(%s, %s)", [world.org.pk, "x"])
            plan = str(cursor.fetchone()[0])
        finally:
            cursor.execute("DEALLOCATE k360_match")
    short = {"phone": "phone", "email": "email", "national_id_hash": "nid"}[field]
    assert f"citizen_org_{short}_idx" in plan
    assert "Bitmap" not in plan and "Seq Scan" not in plan
