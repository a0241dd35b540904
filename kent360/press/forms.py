from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kent360.organizations.models import Directorate, Role, Staff
from kent360.press.models import ContactList, EventKind, OutletKind, OutletScope, ReleaseKind


class ReleaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReleaseKind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = forms.CharField(label=_("Text"), widget=forms.HiddenInput(attrs={"id": "id_body"}))
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separate with commas."))
    project = forms.CharField(label=_("Related project"), required=False)
    directorate = forms.ModelChoiceField(
        label=_("Related directorate"), queryset=Directorate.objects.none(), required=False
    )
    shared_with_network = forms.BooleanField(label=_("Share with the network"), required=False)

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["directorate"].queryset = Directorate.objects.filter(  # type: ignore[attr-defined]
            organisation_id=staff.organisation_id
        )


class TextForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = forms.CharField(label=_("Text"), widget=forms.HiddenInput(attrs={"id": "id_body"}))


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Publish at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class ConfigForm(forms.Form):
    approval_roles = forms.CharField(
        label=_("Approval chain"),
        help_text=_("Roles in order, separated by commas: pr_manager, org_admin."),
    )
    from_email = forms.EmailField(label=_("Sender e-mail"), required=False)

    def clean_approval_roles(self) -> list[str]:
        roles = [r.strip() for r in self.cleaned_data["approval_roles"].split(",") if r.strip()]
        if any(r not in Role.values for r in roles):
            raise forms.ValidationError(_("Unknown role."))
        return roles


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    location = forms.CharField(label=_("Location"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_public = forms.BooleanField(label=_("Public"), required=False, initial=True)
    shared_with_network = forms.BooleanField(label=_("Share with the network"), required=False)


class ListForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    is_segment = forms.BooleanField(
        label=_("Segment (matches contacts by filters)"), required=False
    )
    outlet_kind = forms.ChoiceField(
        label=_("Outlet kind"), choices=[("", "—"), *OutletKind.choices], required=False
    )
    outlet_scope = forms.ChoiceField(
        label=_("Scope"), choices=[("", "—"), *OutletScope.choices], required=False
    )
    beat = forms.CharField(label=_("Beat"), required=False)


class DistributeForm(forms.Form):
    lists = forms.ModelMultipleChoiceField(
        label=_("Lists"), queryset=ContactList.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, staff: Staff, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lists"].queryset = ContactList.objects.filter(  # type: ignore[attr-defined]
            organisation_id=staff.organisation_id
        )
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            (c, n) for c, n in settings.LANGUAGES if c in languages
        ]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))


class DetailsForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReleaseKind.choices)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separate with commas."))
    project = forms.CharField(label=_("Related project"), required=False, max_length=200)
    directorate = forms.ModelChoiceField(
        label=_("Related directorate"), queryset=Directorate.objects.none(), required=False
    )
    shared_with_network = forms.BooleanField(label=_("Share with the network"), required=False)
    image = forms.FileField(
        label=_("Main image"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF; shown in the newsroom and in link previews."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["directorate"].queryset = Directorate.objects.filter(  # type: ignore[attr-defined]
            organisation_id=staff.organisation_id
        )
