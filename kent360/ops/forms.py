from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kent360.ops import services


def lockout_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return ngettext(
        "Too many failed sign-in attempts. Try again in %(n)d minute.",
        "Too many failed sign-in attempts. Try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing attempts while the username or address is locked."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        ip = services.client_ip(self.request) if self.request else ""
        remaining = services.login_lockout_remaining(username=username, ip=ip)
        if remaining:
            services.login_refused_while_locked(username=username, ip=ip)
            raise ValidationError(lockout_message(remaining), code="locked")
        try:
            return super().clean()
        except ValidationError:
            if services.login_failed(username=username, ip=ip):
                raise ValidationError(
                    lockout_message(services.login_lockout_remaining(username=username, ip=ip)),
                    code="locked",
                ) from None
            raise


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
