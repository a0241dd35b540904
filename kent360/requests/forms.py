from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kent360.organizations.models import Category, Directorate, Staff
from kent360.requests.models import Channel, Kind, Priority, State
from kent360.requests.selectors import InboxFilters


def style_widgets(form: forms.Form, small: bool = False) -> None:
    """Bootstrap classes on every widget, so templates can render fields as they are."""
    suffix = "-sm" if small else ""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", f"form-select form-select{suffix}")
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs.setdefault("class", f"form-control form-control{suffix}")


class BootstrapForm(forms.Form):
    small = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self, self.small)


class StaffScopedForm(BootstrapForm):
    """A form whose choices come only from the asking staff member's organisation."""

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = staff
        org = staff.organisation_id
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                model = field.queryset.model if field.queryset is not None else None
                if model is Category:
                    field.queryset = Category.objects.filter(organisation_id=org, is_active=True)
                elif model is Directorate:
                    field.queryset = Directorate.objects.filter(organisation_id=org, is_active=True)
                elif model is Staff:
                    field.queryset = Staff.objects.filter(
                        organisation_id=org, is_active=True
                    ).select_related("user", "directorate")


class DeskEntryForm(StaffScopedForm):
    """The desk / call-centre quick entry: every field reachable with Tab, submit with Enter."""

    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[
            (Channel.DESK, Channel.DESK.label),
            (Channel.PHONE, Channel.PHONE.label),
            (Channel.PETITION, Channel.PETITION.label),
            (Channel.FIELD, Channel.FIELD.label),
            (Channel.EMAIL, Channel.EMAIL.label),
            (Channel.SOCIAL, Channel.SOCIAL.label),
        ],
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.REQUEST)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))
    contact_name = forms.CharField(label=_("Citizen's name"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    neighbourhood = forms.CharField(label=_("Neighbourhood"), max_length=120, required=False)
    address = forms.CharField(label=_("Address"), max_length=500, required=False)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    language = forms.ChoiceField(
        label=_("Citizen's language"),
        choices=[("tr", _("Turkish")), ("en", _("English")), ("fa", _("Persian"))],
        initial="tr",
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, staff=staff, **kwargs)
        self.fields["channel"].widget.attrs["autofocus"] = True


class InboxFilterForm(StaffScopedForm):
    small = True
    q = forms.CharField(label=_("Search"), required=False)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All states")), ("open", _("All open")), *State.choices],
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("All categories"),
    )
    directorate = forms.ModelChoiceField(
        label=_("Directorate"),
        queryset=Directorate.objects.none(),
        required=False,
        empty_label=_("All directorates"),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices]
    )
    neighbourhood = forms.CharField(label=_("Neighbourhood"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    at_risk = forms.BooleanField(label=_("At risk"), required=False)
    triage = forms.BooleanField(label=_("Triage queue"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("-created", _("Newest")),
            ("created", _("Oldest")),
            ("due", _("Due soonest")),
            ("-priority", _("Highest priority")),
            ("-updated", _("Recently changed")),
        ],
    )


def inbox_filters(form: InboxFilterForm, *, default_state: str = "open") -> InboxFilters:
    """The inbox's filters from its form, as the inbox reads them (the staff inbox and the
    export of "this list" must agree); unbound or invalid: ``default_state`` only."""
    if not (form.is_bound and form.is_valid()):
        return InboxFilters(state=default_state)
    data = form.cleaned_data
    return InboxFilters(
        state=data["state"],
        category=data["category"].pk if data["category"] else None,
        directorate=data["directorate"].pk if data["directorate"] else None,
        channel=data["channel"],
        neighbourhood=data["neighbourhood"],
        q=data["q"],
        overdue=data["overdue"],
        at_risk=data["at_risk"],
        triage=data["triage"],
        mine=data["mine"],
        sort=data["sort"] or "-created",
    )


class AssignForm(StaffScopedForm):
    small = True
    directorate = forms.ModelChoiceField(
        label=_("Directorate"), queryset=Directorate.objects.none(), required=False
    )
    assignee = forms.ModelChoiceField(
        label=_("Person"), queryset=Staff.objects.none(), required=False
    )
    note = forms.CharField(label=_("Note"), required=False)


class TriageForm(StaffScopedForm):
    small = True
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    directorate = forms.ModelChoiceField(
        label=_("Directorate"), queryset=Directorate.objects.none(), required=False
    )
    note = forms.CharField(label=_("Note"), required=False)


class TransferForm(StaffScopedForm):
    small = True
    directorate = forms.ModelChoiceField(
        label=_("To directorate"), queryset=Directorate.objects.none()
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class TextForm(BootstrapForm):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))


class RejectForm(BootstrapForm):
    competent_body = forms.CharField(label=_("Competent body"), max_length=300)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(BootstrapForm):
    into = forms.CharField(label=_("Tracking code of the original request"), max_length=20)
    note = forms.CharField(label=_("Note"), required=False)


class TrackForm(BootstrapForm):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
