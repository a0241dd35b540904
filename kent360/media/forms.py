"""Forms of the media desk. Choices that name rows are limited to the asker's organisation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kent360.media.models import AlertRule, RebuttalCase, Source, Story, Tone, WatchEntity
from kent360.organizations.models import Staff

SELECT = {"class": "form-select form-select-sm"}
INPUT = {"class": "form-control form-control-sm"}


class ArticleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(INPUT))
    source = forms.ModelChoiceField(
        label=_("Source"),
        queryset=Source.objects.none(),
        required=False,
        empty_label=_("All sources"),
        widget=forms.Select(SELECT),
    )
    tone = forms.ChoiceField(
        label=_("Tone"),
        choices=[("", _("Any tone")), *Tone.choices],
        required=False,
        widget=forms.Select(SELECT),
    )
    entity = forms.ModelChoiceField(
        label=_("Mentions"),
        queryset=WatchEntity.objects.none(),
        required=False,
        empty_label=_("Any watched name"),
        widget=forms.Select(SELECT),
    )
    story = forms.IntegerField(required=False, widget=forms.HiddenInput)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({**INPUT, "type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput({**INPUT, "type": "date"})
    )

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = staff.organisation_id
        self.fields["source"].queryset = Source.objects.filter(organisation_id=org)  # type: ignore[attr-defined]
        self.fields["entity"].queryset = WatchEntity.objects.filter(organisation_id=org)  # type: ignore[attr-defined]
        self.staff = staff

    def clean_story(self) -> int | None:
        pk = self.cleaned_data.get("story")
        if pk and not Story.objects.filter(pk=pk, organisation_id=self.staff.organisation_id):
            raise forms.ValidationError(_("Unknown story."))
        return pk


class ToneForm(forms.Form):
    tone = forms.ChoiceField(label=_("Tone"), choices=Tone.choices, widget=forms.Select(SELECT))
    mention = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RebuttalOpenForm(forms.Form):
    is_daily = forms.BooleanField(label=_("Daily periodical"), required=False, initial=True)
    text = forms.CharField(
        label=_("Rebuttal text"),
        required=False,
        widget=forms.Textarea({**INPUT, "rows": 4, "dir": "auto"}),
    )


class SourceForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=1000,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(INPUT),
    )

    class Meta:
        model = Source
        fields = ["name", "kind", "url", "language", "reach", "fetch_interval_minutes", "is_active"]
        widgets = {
            "name": forms.TextInput(INPUT),
            "kind": forms.Select(SELECT),
            "language": forms.Select(
                SELECT, choices=[("", "—"), ("tr", "tr"), ("fa", "fa"), ("en", "en")]
            ),
            "reach": forms.Select(SELECT),
            "fetch_interval_minutes": forms.NumberInput({**INPUT, "min": 5}),
        }

    def clean_fetch_interval_minutes(self) -> int:
        minutes = self.cleaned_data["fetch_interval_minutes"]
        if minutes < 5:
            raise forms.ValidationError(_("Fetch at most every five minutes."))
        return int(minutes)


class FetchUrlForm(forms.Form):
    url = forms.URLField(
        label=_("Article URL"), max_length=2000, assume_scheme="https", widget=forms.URLInput(INPUT)
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Page, .zip or .warc file"),
        widget=forms.ClearableFileInput(
            {**INPUT, "accept": ".html,.htm,.txt,.gz,.zip,.warc,.warc.gz"}
        ),
    )


class WatchForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(INPUT))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=WatchEntity.Kind.choices, widget=forms.Select(SELECT)
    )
    aliases = forms.CharField(
        label=_("Aliases"),
        required=False,
        help_text=_("Other names, one per line."),
        widget=forms.Textarea({**INPUT, "rows": 3, "dir": "auto"}),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.cleaned_data["aliases"].splitlines() if a.strip()]


class AlertRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(INPUT))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=AlertRule.Kind.choices, widget=forms.Select(SELECT)
    )
    entity_kind = forms.ChoiceField(
        label=_("Watched kind"),
        choices=[("", _("Any")), *WatchEntity.Kind.choices],
        required=False,
        widget=forms.Select(SELECT),
    )
    min_outlets = forms.IntegerField(
        label=_("Minimum outlets"), min_value=2, initial=3, widget=forms.NumberInput(INPUT)
    )
    window_minutes = forms.IntegerField(
        label=_("Within (minutes)"), min_value=5, initial=60, widget=forms.NumberInput(INPUT)
    )


class CaseTextForm(forms.Form):
    text = forms.CharField(
        label=_("Rebuttal text"), widget=forms.Textarea({**INPUT, "rows": 6, "dir": "auto"})
    )


class CaseSendForm(forms.Form):
    sent_on = forms.DateField(
        label=_("Delivered to the outlet on"), widget=forms.DateInput({**INPUT, "type": "date"})
    )


class CaseOutcomeForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea({**INPUT, "rows": 2, "dir": "auto"}),
    )


CASE_STATES = RebuttalCase.State
