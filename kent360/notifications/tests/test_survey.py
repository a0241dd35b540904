"""The satisfaction survey and the citizen's reopening through the token link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from kent360.core.errors import DomainError
from kent360.notifications import selectors, services
from kent360.notifications.models import SurveyInvitation
from kent360.organizations.models import Role
from kent360.requests import services as req_services


@pytest.fixture
def answered(world, make_request, smtp_server, django_capture_on_commit_callbacks):
    pr = world.staff[Role.PR_MANAGER]
    with django_capture_on_commit_callbacks(execute=True):
        r = make_request(channel="email")
        req_services.request_assign(request=r, actor=pr, directorate=world.fen)
        req_services.request_answer(request=r, actor=pr, answer="Yol onarıldı.")
    body = smtp_server.bodies()[-1]
    token = re.search(r"\?t=([\w-]+)", body).group(1)
    return r, token


def test_answer_message_carries_a_working_survey_token(answered):
    r, token = answered
    invitation = selectors.survey_by_token(token)
    assert invitation is not None and invitation.request_id == r.pk
    assert SurveyInvitation.objects.get().token_hash != token  # only the hash is stored
    assert selectors.survey_by_token(token + "x") is None


def test_rating_once_through_the_public_form(answered, client, world):
    r, token = answered
    page = client.get(f"/track/{r.tracking_code}/?t={token}")
    assert b"survey-form" in page.content and b"reopen-form" in page.content
    assert b"survey-form" not in client.get(f"/track/{r.tracking_code}/?t=wrong").content
    response = client.post(
        f"/feedback/{token}/", {"action": "rate", "rating": "4", "comment": "İyi"}
    )
    assert response.status_code == 302
    invitation = SurveyInvitation.objects.get()
    assert invitation.rating == 4 and invitation.comment == "İyi"
    client.post(f"/feedback/{token}/", {"action": "rate", "rating": "1"})
    invitation.refresh_from_db()
    assert invitation.rating == 4  # a second rating is refused
    summary = selectors.satisfaction_summary(staff=world.staff[Role.PR_MANAGER])
    assert summary.answered == 1 and summary.average == 4.0 and summary.distribution[4] == 1
    assert summary.by_directorate[0]["directorate"] == "Fen İşleri Müdürlüğü"
    other = selectors.satisfaction_summary(staff=world.other_staff[Role.PR_MANAGER])
    assert other.invited == 0


def test_rating_out_of_range_is_refused(answered):
    _r, token = answered
    with pytest.raises(DomainError):
        services.survey_answer(invitation=selectors.survey_by_token(token), rating=6, comment="")


def test_citizen_reopens_within_the_period_only(answered, settings, client):
    r, token = answered
    later = timezone.now() + timedelta(days=settings.KENT360_REOPEN_DAYS + 1)
    with time_machine.travel(later), pytest.raises(DomainError):
        services.survey_reopen(invitation=selectors.survey_by_token(token), reason="Olmadı")
    client.post(f"/feedback/{token}/", {"action": "reopen", "reason": "Çukur yine açıldı"})
    r.refresh_from_db()
    assert r.state == "reopened"
    event = r.events.filter(to_state="reopened").get()
    assert event.text == "Çukur yine açıldı" and event.is_public
    with pytest.raises(DomainError):  # once only
        services.survey_reopen(invitation=selectors.survey_by_token(token), reason="Tekrar")


def test_unknown_token_page_is_404(client, db):
    assert client.get("/feedback/nope/").status_code == 404
