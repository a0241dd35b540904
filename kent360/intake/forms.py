"""Forms of the intake: the public web form and staff screens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kent360.organizations.models import Category, Organisation
from kent360.requests.models import Kind


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/heic,image/heif"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class WebReportForm(forms.Form):
    """What a citizen fills in on the public form (no account needed)."""

    kind = forms.ChoiceField(label=_("What is it?"), choices=Kind.choices, initial=Kind.REQUEST)
    category = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("I don't know"),
    )
    text = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
        max_length=5000,
    )
    address = forms.CharField(label=_("Address"), max_length=500, required=False)
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )
    photos = MultipleFileField(label=_("Photos (JPEG, PNG, HEIC)"), required=False)
    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    consent = forms.BooleanField(
        label=_(
            "I have read the personal data (KVKK) notice and agree that my data is "
            "processed to handle this application."
        ),
        required=True,
    )
    # Honeypot: hidden from people by CSS, filled in by naive bots.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation, is_active=True
        ).order_by("name")

    def clean_photos(self) -> list[Any]:
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > settings.KENT360_WEBFORM_MAX_PHOTOS:
            raise forms.ValidationError(
                _("At most %(n)d photos.") % {"n": settings.KENT360_WEBFORM_MAX_PHOTOS}
            )
        return photos

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        return data


class ConvertForm(forms.Form):
    """Staff fix what could not be parsed and make it a request."""

    subject = forms.CharField(label=_("Subject"), max_length=300)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.REQUEST)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    address = forms.CharField(label=_("Address"), max_length=500, required=False)
    contact_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    external_ref = forms.CharField(label=_("External reference"), max_length=100, required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation, is_active=True
        )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
