"""A database outage answers 503 + Retry-After with the API error shape, never a bare 500."""

import pytest
from django.test import Client

from kent360.testing import database_unreachable, in_thread, login

pytestmark = pytest.mark.django_db


def test_api_call_during_an_outage_gets_a_retryable_json_503(world):
    client = Client(HTTP_AUTHORIZATION="Token k360_whatever")
    with database_unreachable():
        response = in_thread(
            lambda: client.post(
                "/api/v1/requests/",
                {"subject": "Çukur", "text": "var"},
                content_type="application/json",
                headers={"Idempotency-Key": "k-1"},
            )
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "unavailable"


def test_open311_post_during_an_outage_gets_a_retryable_503(world):
    client = Client()
    with database_unreachable():
        response = in_thread(
            lambda: client.post(
                "/open311/v2/requests.json", {"service_code": "asfalt", "api_key": "k360_x"}
            )
        )
    assert response.status_code == 503 and response["Retry-After"]
    assert response.json()["error"]["code"] == "unavailable"


def test_page_whose_middleware_meets_the_outage_gets_503_not_500(world):
    client = login(Client(raise_request_exception=False), world.staff["agent"])
    with database_unreachable():
        # The session is read in middleware, before any view: the 500 handler answers.
        response = in_thread(lambda: client.get("/requests/", headers={"Accept": "text/html"}))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "text/html" in response["Content-Type"]


def test_the_service_answers_again_after_the_outage(world):
    client = Client()
    with database_unreachable():
        assert in_thread(lambda: client.get("/health/")).status_code == 503
    assert client.get("/health/").status_code == 200
    assert login(Client(), world.staff["agent"]).get("/requests/").status_code == 200
