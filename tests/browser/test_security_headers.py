"""The Content-Security-Policy in a real browser: the pages' own scripts run (nonce),
an injected one does not, and sign-in lockout and two-factor show in the page."""

from __future__ import annotations

import pytest

from kent360.organizations.models import Role
from kent360.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_own_scripts_run_injected_ones_do_not(page, live_server, world, make_request):
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    hostile = make_request(subject="<script>window.pwned=1</script>Çukur", text="x")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", world.staff[Role.AGENT].user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/requests/")
    # the desk page's inline script (nonce) ran: it set dir="auto" on the text box
    page.goto(f"{live_server.url}/requests/new/")
    assert page.get_attribute("#id_text", "dir") == "auto"
    # the language menu's handler (formerly an inline onchange) still works
    page.select_option("#language-form select", "en")
    page.wait_for_function("document.documentElement.lang === 'en'")
    # escaped citizen text is shown as text and never runs; an injected inline script
    # (as if escaping had failed) is refused by the browser
    page.goto(f"{live_server.url}/requests/{hostile.tracking_code}/")
    assert "<script>window.pwned=1</script>" in page.inner_text("body")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = 1'; document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.pwned === undefined && window.injected === undefined")
    assert any("script-src" in v for v in violations)  # the refusal was the CSP's
    assert len([v for v in violations if "inline" in v]) == 1  # only the injected one
