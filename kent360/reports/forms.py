from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kent360.organizations.models import Staff
from kent360.reports import selectors
from kent360.reports.models import Frequency
from kent360.requests.forms import BootstrapForm


class KpiFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    organisation = forms.TypedChoiceField(
        label=_("Organisation"), required=False, coerce=int, empty_value=None
    )
    directorate = forms.TypedChoiceField(
        label=_("Directorate"), required=False, coerce=int, empty_value=None
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = staff
        choices = selectors.filter_choices(staff=staff)
        fields: dict[str, Any] = self.fields  # typed loosely: these are all choice fields
        fields["organisation"].choices = [("", _("All organisations"))] + [
            (o.pk, o.name) for o in choices["organisations"]
        ]
        if len(choices["organisations"]) < 2:
            del self.fields["organisation"]
        fields["directorate"].choices = [("", _("All directorates"))] + [
            (d.pk, d.name) for d in choices["directorates"]
        ]
        fields["category"].choices = [("", _("All categories"))] + [
            (c.pk, c.name) for c in choices["categories"]
        ]
        fields["channel"].choices = [("", _("All channels")), *choices["channels"]]

    def filters(self) -> selectors.KpiFilters:
        """The filters asked for, falling back to the defaults for the asker."""
        base = selectors.default_filters(staff=self.staff)
        if not self.is_bound or not self.is_valid():
            return base
        data = self.cleaned_data
        date_from: date = data.get("date_from") or base.date_from
        date_to: date = data.get("date_to") or base.date_to
        if date_to < date_from:
            date_from, date_to = date_to, date_from
        return selectors.KpiFilters(
            date_from=date_from,
            date_to=date_to,
            directorate=data.get("directorate") if "directorate" in self.data else base.directorate,
            channel=data.get("channel") or "",
            category=data.get("category"),
            organisation=data.get("organisation"),
        )


class BoundaryUploadForm(BootstrapForm):
    small = True

    file = forms.FileField(label=_("GeoJSON file"))
    name_property = forms.CharField(label=_("Name property"), initial="name", max_length=50)


class SubscriptionForm(BootstrapForm):
    small = True

    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    email = forms.EmailField(label=_("E-mail"))
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class AchievementForm(BootstrapForm):
    date_from = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
