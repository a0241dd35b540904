"""Sign-in throttling, two-factor, API keys, CSRF, security headers, access log."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kent360.core.models import ApiKey, AuditEvent, hash_api_key
from kent360.ops import totp
from kent360.ops.models import PersonalDataAccess, RecoveryCode
from kent360.organizations.models import Role
from kent360.testing import PASSWORD, login, staff_api_key


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _post_login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


# ------------------------------------------------------------------ throttling


def test_username_is_locked_after_repeated_failures_even_with_right_password(world, settings):
    settings.KENT360_LOGIN_MAX_FAILURES = 3
    agent = world.staff[Role.AGENT].user.username
    client = Client()
    for _ in range(2):
        assert "Too many" not in _post_login(client, agent, "wrong").content.decode()
    third = _post_login(client, agent, "wrong").content.decode()
    assert "Too many failed sign-in attempts" in third
    refused = _post_login(client, agent, PASSWORD)
    assert refused.status_code == 200 and "Too many failed sign-in attempts" in (
        refused.content.decode()
    )
    assert "_auth_user_id" not in client.session
    actions = list(
        AuditEvent.objects.filter(target_type="auth.login", target_id=agent).values_list(
            "action", flat=True
        )
    )
    assert actions.count("login.failed") == 3
    assert "login.locked" in actions and "login.refused_locked" in actions
    assert AuditEvent.objects.filter(action="login.locked", organisation=world.org).exists()
    # another user is not locked by someone else's failures
    assert (
        _post_login(client, world.staff[Role.PR_MANAGER].user.username, PASSWORD).status_code == 302
    )


def test_one_address_is_locked_after_many_failures_across_usernames(world, settings):
    settings.KENT360_LOGIN_MAX_FAILURES_PER_IP = 4
    client = Client()
    for i in range(4):
        _post_login(client, f"nobody-{i}", "wrong", ip="10.9.9.9")
    locked = _post_login(client, world.staff[Role.AGENT].user.username, PASSWORD, ip="10.9.9.9")
    assert "Too many failed sign-in attempts" in locked.content.decode()
    elsewhere = _post_login(client, world.staff[Role.AGENT].user.username, PASSWORD, ip="10.1.1.1")
    assert elsewhere.status_code == 302


def test_lockout_ends_after_the_lockout_period(world, settings):
    import time_machine

    settings.KENT360_LOGIN_MAX_FAILURES = 2
    settings.KENT360_LOGIN_LOCKOUT_SECONDS = 60
    agent = world.staff[Role.AGENT].user.username
    with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False) as traveller:
        client = Client()
        _post_login(client, agent, "x")
        _post_login(client, agent, "x")
        assert "Too many" in _post_login(client, agent, PASSWORD).content.decode()
        traveller.shift(61)
        assert _post_login(client, agent, PASSWORD).status_code == 302


# ------------------------------------------------------------------ TOTP


def test_rfc6238_reference_values():
    # RFC 6238 appendix B, SHA-1 secret "12345678901234567890", truncated to 6 digits
    import base64

    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp.totp(secret, 59) == "287082"
    assert totp.totp(secret, 1111111109) == "081804"
    assert totp.totp(secret, 1234567890) == "005924"
    assert totp.totp(secret, 2000000000) == "279037"
    assert totp.match_step(secret, "287082", when=59 + 30) == 1
    assert totp.match_step(secret, "287082", when=59 + 90) is None
    uri = totp.provisioning_uri(secret, account="ayşe", issuer="kent360")
    assert uri.startswith("otpauth://totp/kent360%3Aay%C5%9Fe?secret=") and "period=30" in uri


def _enrol(client: Client) -> tuple[str, list[str]]:
    page = client.post(reverse("ops:two_factor"), {"step": "begin"}).content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert "otpauth://totp/" in page
    done = client.post(
        reverse("ops:two_factor"), {"step": "confirm", "code": totp.totp(secret, None)}
    ).content.decode()
    codes = re.findall(r"<li>([A-Z0-9]{5}-[A-Z0-9]{5})</li>", done)
    assert len(codes) == 10
    return secret, codes


def test_two_factor_enrolment_and_sign_in(world):
    import time

    staff = world.staff[Role.PR_MANAGER]
    client = login(Client(), staff)
    assert "Set up" in client.get(reverse("ops:two_factor")).content.decode()
    secret, codes = _enrol(client)
    # recovery codes are stored hashed only
    stored = list(RecoveryCode.objects.filter(user=staff.user).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not set(codes) & set(stored)
    client.logout()

    fresh = Client()
    response = _post_login(fresh, staff.user.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("ops:two_factor_verify")
    assert "_auth_user_id" not in fresh.session  # the password alone signs nobody in
    assert fresh.get(reverse("requests:inbox")).status_code == 302
    wrong = fresh.post(reverse("ops:two_factor_verify"), {"code": "000000"})
    assert "The code is not right" in wrong.content.decode()
    # the code used at enrolment cannot be replayed; the next step's code works
    next_code = totp.totp(secret, time.time() + 30)
    ok = fresh.post(reverse("ops:two_factor_verify"), {"code": next_code})
    assert ok.status_code == 302 and fresh.get(reverse("requests:inbox")).status_code == 200
    fresh.logout()

    # a recovery code works exactly once
    again = Client()
    _post_login(again, staff.user.username, PASSWORD)
    assert again.post(reverse("ops:two_factor_verify"), {"code": codes[0]}).status_code == 302
    again.logout()
    third = Client()
    _post_login(third, staff.user.username, PASSWORD)
    reuse = third.post(reverse("ops:two_factor_verify"), {"code": codes[0]})
    assert reuse.status_code == 200 and "_auth_user_id" not in third.session
    assert AuditEvent.objects.filter(action="two_factor.recovery_code_used").count() == 1


def test_two_factor_verify_without_password_step_goes_to_sign_in(db):
    response = Client().get(reverse("ops:two_factor_verify"))
    assert response.status_code == 302 and response["Location"] == reverse("login")


# ------------------------------------------------------------------ API keys


def test_staff_creates_sees_once_uses_and_revokes_own_key(world):
    staff = world.staff[Role.AGENT]
    client = login(Client(), staff)
    page = client.post(reverse("ops:api_keys"), {"name": "çağrı merkezi"})
    raw = re.search(r'id="new-key">(k360_[A-Za-z0-9_-]+)<', page.content.decode()).group(1)
    assert page["Cache-Control"] == "no-store"
    key = ApiKey.objects.get(user=staff.user)
    assert key.key_hash == hash_api_key(raw) and raw not in key.key_hash
    assert raw not in client.get(reverse("ops:api_keys")).content.decode()  # shown once
    api = Client()
    assert api.get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 200
    # someone else cannot revoke it
    other = login(Client(), world.staff[Role.ORG_ADMIN])
    assert other.post(reverse("ops:api_key_revoke", args=[key.pk])).status_code == 404
    client.post(reverse("ops:api_key_revoke", args=[key.pk]))
    assert api.get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 401
    assert AuditEvent.objects.filter(action="api_key.revoked", target_id=str(key.pk)).exists()


def test_apikey_command_prints_the_key_last(world, capsys):
    call_command("apikey", "create", "--user", world.staff[Role.AGENT].user.username)
    out = capsys.readouterr().out.strip().splitlines()
    raw = out[-1]
    assert raw.startswith("k360_")
    assert ApiKey.objects.get(key_hash=hash_api_key(raw)).organisation == world.org
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("apikey", "create", "--user", "nobody")


# ------------------------------------------------------------------ CSRF and headers


def test_staff_posts_without_csrf_token_are_refused(world, make_request):
    r = make_request()
    client = Client(enforce_csrf_checks=True)
    login(client, world.staff[Role.PR_MANAGER])
    for url, data in [
        (reverse("requests:act", args=[r.tracking_code, "note"]), {"text": "x"}),
        (reverse("requests:desk"), {"subject": "x", "text": "y"}),
        (reverse("ops:api_keys"), {"name": "x"}),
        (reverse("ops:two_factor"), {"step": "begin"}),
        (reverse("logout"), {}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert r.events.filter(type="note").count() == 0 and not ApiKey.objects.exists()


def test_security_headers_and_csp_nonce_on_inline_scripts(world):
    client = login(Client(), world.staff[Role.AGENT])
    response = client.get(reverse("requests:desk"))
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert len(inline) >= 2 and all(f'nonce="{nonce}"' in attrs for attrs in inline)
    assert "onchange=" not in html and "onclick=" not in html
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=(self)" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert re.fullmatch(r"[0-9a-f]{16}", response["X-Request-ID"])
    # a fresh nonce every response
    again = client.get(reverse("requests:desk"))["Content-Security-Policy"]
    assert again != csp


def test_api_docs_work_under_the_csp(db):
    response = Client().get(reverse("api-docs"))
    html = response.content.decode()
    assert response.status_code == 200
    assert not re.findall(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html)


# ------------------------------------------------------------------ access log


def test_viewing_a_request_is_logged_and_listed_for_the_org_admin(world, make_request):
    r = make_request()
    agent = world.staff[Role.AGENT]
    client = login(Client(), agent)
    client.get(reverse("requests:detail", args=[r.tracking_code]), REMOTE_ADDR="10.2.3.4")
    raw = staff_api_key(agent)
    Client().get(f"/api/v1/requests/{r.tracking_code}/", HTTP_AUTHORIZATION=f"Token {raw}")
    entries = list(PersonalDataAccess.objects.order_by("id"))
    assert [(e.what, e.staff, e.request, e.citizen) for e in entries] == [
        ("request.detail", agent, r, r.citizen),
        ("api.request.retrieve", agent, r, r.citizen),
    ]
    assert entries[0].ip == "10.2.3.4" and entries[0].organisation == world.org
    admin = login(Client(), world.staff[Role.ORG_ADMIN])
    page = admin.get(reverse("ops:access_log")).content.decode()
    assert r.tracking_code in page and agent.user.username in page
    assert (
        login(Client(), world.staff[Role.PR_MANAGER]).get(reverse("ops:access_log")).status_code
        == 403
    )
    other_admin = login(Client(), world.other_staff[Role.ORG_ADMIN])
    assert r.tracking_code not in other_admin.get(reverse("ops:access_log")).content.decode()


def test_every_screen_with_personal_data_writes_to_the_one_log(world, make_request):
    """Request page, API, citizen file, its exports and the desk lookup: one log, one page."""
    r = make_request(contact_phone="0532 111 22 33")
    agent = world.staff[Role.AGENT]
    client = login(Client(), agent)
    client.get(reverse("requests:detail", args=[r.tracking_code]))
    client.get(reverse("citizens:detail", args=[r.citizen_id]), REMOTE_ADDR="10.7.7.7")
    client.get(reverse("citizens:export_json", args=[r.citizen_id]))
    client.get(reverse("citizens:export_pdf", args=[r.citizen_id]))
    client.get("/intake/caller/", {"contact_phone": "05321112233"})
    entries = list(PersonalDataAccess.objects.order_by("id"))
    assert [(e.what, e.citizen_id, e.staff) for e in entries] == [
        ("request.detail", r.citizen_id, agent),
        ("citizen.view", r.citizen_id, agent),
        ("citizen.export", r.citizen_id, agent),
        ("citizen.export", r.citizen_id, agent),
        ("citizen.desk_lookup", r.citizen_id, agent),
    ]
    assert entries[1].ip == "10.7.7.7"
    page = login(Client(), world.staff[Role.ORG_ADMIN]).get(reverse("ops:access_log"))
    html = page.content.decode()
    for what in ("request.detail", "citizen.view", "citizen.export", "citizen.desk_lookup"):
        assert what in html
    only_exports = login(Client(), world.staff[Role.ORG_ADMIN]).get(
        reverse("ops:access_log"), {"q": "citizen.export"}
    )
    assert only_exports.content.decode().count("<td>citizen.export</td>") == 2
    assert "request.detail" not in only_exports.content.decode()


def test_national_ids_are_stored_only_as_keyed_hashes(world, settings):
    from kent360.citizens.services import citizen_match_or_create, national_id_hash

    c = citizen_match_or_create(organisation=world.org, name="A", national_id="123 456 789 01")
    assert c.national_id_hash == national_id_hash("12345678901")
    assert "12345678901" not in str(c.__dict__)
    settings.KENT360_HASH_KEY = "another-key"
    assert national_id_hash("12345678901") != c.national_id_hash  # keyed, not a bare hash
    import hashlib

    assert c.national_id_hash != hashlib.sha256(b"12345678901").hexdigest()


def test_lockout_message_is_in_the_users_language(world, settings):
    settings.KENT360_LOGIN_MAX_FAILURES = 1
    client = Client(HTTP_ACCEPT_LANGUAGE="tr")
    page = _post_login(client, world.staff[Role.AGENT].user.username, "x").content.decode()
    assert "Çok fazla başarısız giriş denemesi. 15 dakika sonra yeniden deneyin." in page
