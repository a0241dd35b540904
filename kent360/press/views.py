"""Press office pages (staff) and the public newsroom. Thin: forms in, services out."""

from __future__ import annotations

import calendar as pycalendar
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from kent360.core.errors import DomainError
from kent360.core.web import first_form_error as _first_error
from kent360.core.web import staff_of as _staff
from kent360.organizations.models import Organisation
from kent360.press import contacts, distribution, forms, ical, permissions, selectors, services
from kent360.press.models import Delivery, DeliveryState, ReleaseState
from kent360.press.workflow import allowed_actions
from kent360.requests.views import staff_required


def press_required(view: Any) -> Any:
    """Press roles only; everyone else gets 403 (signed-out users go to sign-in)."""

    @staff_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.can_view(_staff(request)):
            return render(request, "403.html", status=403)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _error(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return str(exc.message)
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


@press_required
def release_list(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    state = request.GET.get("state", "")
    releases = selectors.release_list(staff=staff, state=state, q=request.GET.get("q", ""))
    return render(
        request,
        "press/release_list.html",
        {"releases": releases[:200], "states": ReleaseState.choices, "state": state},
    )


@press_required
@require_http_methods(["GET", "POST"])
def release_new(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    form = forms.ReleaseForm(
        request.POST or None, staff=staff, initial={"language": translation.get_language()}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            release = services.release_create(
                organisation=staff.organisation,
                actor=staff,
                title=d["title"],
                body=d["body"],
                summary=d["summary"],
                language=d["language"],
                kind=d["kind"],
                tags=d["tags"],
                directorate=d["directorate"],
                project=d["project"],
                shared_with_network=d["shared_with_network"],
            )
        except DomainError as exc:
            form.add_error(None, _error(exc))
        else:
            messages.success(request, _("Draft saved."))
            return redirect("press:release", release=release.pk)
    return render(request, "press/release_form.html", {"form": form})


@press_required
def release_detail(request: HttpRequest, release: int) -> HttpResponse:
    staff = _staff(request)
    obj = selectors.release_get(staff=staff, pk=release)
    lang = request.GET.get("lang") or obj.default_language
    t = obj.translation(lang) if lang in obj.languages else None
    text_form = forms.TextForm(
        initial={
            "language": lang,
            "title": t.title if t else "",
            "summary": t.summary if t else "",
            "body": t.body if t else "",
        }
    )
    chain = services.approval_chain(obj)
    context = {
        "obj": obj,
        "lang": lang,
        "t": t,
        "text_form": text_form,
        "can_edit": permissions.can_write(staff) and obj.state == ReleaseState.DRAFT,
        "actions": [a for a in allowed_actions(obj.state) if services.can_do(staff, obj, a.name)],
        "schedule_form": forms.ScheduleForm(),
        "chain": chain,
        "events": obj.events.select_related("actor__user"),
        "versions": obj.versions.filter(language=lang).order_by("-number"),
        "attachments": obj.attachments.all(),
        "distributions": obj.distributions.all()[:20],
    }
    return render(request, "press/release_detail.html", context)


@press_required
@require_POST
def release_text(request: HttpRequest, release: int) -> HttpResponse:
    staff = _staff(request)
    obj = selectors.release_get(staff=staff, pk=release)
    form = forms.TextForm(request.POST)
    lang = request.POST.get("language", obj.default_language)
    if not form.is_valid():
        messages.error(request, _first_error(form))
    else:
        d = form.cleaned_data
        try:
            v = services.release_save_text(
                release=obj,
                actor=staff,
                language=d["language"],
                title=d["title"],
                summary=d["summary"],
                body=d["body"],
            )
        except DomainError as exc:
            messages.error(request, _error(exc))
        else:
            messages.success(request, _("Saved as a new version.") if v else _("No changes."))
    return redirect(f"{request.path.rsplit('/text/', 1)[0]}/?lang={lang}")


@press_required
@require_POST
def release_action(request: HttpRequest, release: int, action: str) -> HttpResponse:
    staff = _staff(request)
    obj = selectors.release_get(staff=staff, pk=release)
    try:
        if action == "comment":
            services.release_comment(release=obj, actor=staff, text=request.POST.get("text", ""))
        elif action == "attach":
            upload = request.FILES.get("file")
            if upload is None:
                raise DomainError(_("Choose a file."))
            services.release_attach(release=obj, actor=staff, upload=upload)
        else:
            scheduled_at = None
            if action == "schedule":
                form = forms.ScheduleForm(request.POST)
                if not form.is_valid():
                    raise DomainError(_first_error(form))
                scheduled_at = form.cleaned_data["scheduled_at"]
            services.release_transition(
                release=obj,
                actor=staff,
                action=action,
                text=request.POST.get("text", ""),
                scheduled_at=scheduled_at,
            )
    except DomainError as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("press:release", release=obj.pk)


@press_required
@require_http_methods(["GET", "POST"])
def release_details(request: HttpRequest, release: int) -> HttpResponse:
    """Tags, directorate, project, kind, network sharing and the main image of a draft."""
    staff = _staff(request)
    obj = selectors.release_get(staff=staff, pk=release)
    form = forms.DetailsForm(
        request.POST or None,
        request.FILES or None,
        staff=staff,
        initial={
            "kind": obj.kind,
            "tags": obj.tags,
            "project": obj.project,
            "directorate": obj.directorate_id,
            "shared_with_network": obj.shared_with_network,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                services.release_update_details(
                    release=obj,
                    actor=staff,
                    tags=d["tags"],
                    project=d["project"],
                    directorate=d["directorate"],
                    shared_with_network=d["shared_with_network"],
                    kind=d["kind"],
                )
                if d["image"]:
                    services.release_set_image(release=obj, actor=staff, upload=d["image"])
        except DomainError as exc:
            form.add_error(None, _error(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("press:release", release=obj.pk)
    can_edit = permissions.can_write(staff) and obj.state == ReleaseState.DRAFT
    return render(
        request, "press/release_details.html", {"obj": obj, "form": form, "can_edit": can_edit}
    )


@press_required
def release_diff(request: HttpRequest, release: int) -> HttpResponse:
    obj = selectors.release_get(staff=_staff(request), pk=release)
    lang = request.GET.get("lang") or obj.default_language
    numbers = sorted(obj.versions.filter(language=lang).values_list("number", flat=True))
    try:
        a = int(request.GET.get("a") or (numbers[-2] if len(numbers) > 1 else 1))
        b = int(request.GET.get("b") or (numbers[-1] if numbers else 1))
    except ValueError as exc:
        raise Http404 from exc
    lines = selectors.release_diff(release=obj, language=lang, a=a, b=b) if numbers else []
    return render(
        request,
        "press/release_diff.html",
        {"obj": obj, "lines": lines, "a": a, "b": b, "lang": lang, "numbers": numbers},
    )


@press_required
@require_http_methods(["GET", "POST"])
def release_distribute(request: HttpRequest, release: int) -> HttpResponse:
    staff = _staff(request)
    obj = selectors.release_get(staff=staff, pk=release)
    form = forms.DistributeForm(
        request.POST or None,
        staff=staff,
        languages=obj.languages,
        initial={"language": obj.default_language},
    )
    if request.method == "POST" and form.is_valid():
        try:
            dist = distribution.distribution_create(
                release=obj,
                actor=staff,
                lists=list(form.cleaned_data["lists"]),
                language=form.cleaned_data["language"],
            )
        except DomainError as exc:
            form.add_error(None, _error(exc))
        else:
            messages.success(request, _("Sending started."))
            return redirect("press:distribution", distribution=dist.pk)
    return render(request, "press/distribute.html", {"obj": obj, "form": form})


@press_required
def distribution_detail(request: HttpRequest, distribution: int) -> HttpResponse:
    dist = selectors.distribution_get(staff=_staff(request), pk=distribution)
    deliveries = Delivery.objects.filter(distribution=dist).select_related("journalist")
    counts = {s: deliveries.filter(state=s).count() for s in DeliveryState.values}
    return render(
        request,
        "press/distribution.html",
        {"dist": dist, "deliveries": deliveries, "counts": counts},
    )


@press_required
@require_http_methods(["GET", "POST"])
def contact_list(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    import_form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and import_form.is_valid():
        upload = import_form.cleaned_data["file"]
        try:
            result = contacts.contacts_import(staff=staff, filename=upload.name, data=upload.read())
        except DomainError as exc:
            messages.error(request, _error(exc))
        else:
            messages.success(
                request,
                _("%(c)s added, %(u)s updated.") % {"c": result.created, "u": result.updated},
            )
            for err in result.errors[:20]:
                messages.warning(request, err)
        return redirect("press:contacts")
    context = {
        "journalists": selectors.journalist_list(staff=staff, q=request.GET.get("q", ""))[:500],
        "lists": selectors.contact_lists(staff=staff),
        "import_form": import_form,
        "list_form": forms.ListForm(),
        "can_write": permissions.can_write(staff),
    }
    return render(request, "press/contacts.html", context)


@press_required
@require_POST
def list_create(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    form = forms.ListForm(request.POST)
    if not permissions.can_write(staff):
        return render(request, "403.html", status=403)
    if form.is_valid():
        ids = request.POST.getlist("members")
        try:
            contacts.contact_list_create(
                staff=staff,
                members=list(selectors.journalist_list(staff=staff).filter(pk__in=ids)),
                **form.cleaned_data,
            )
        except DomainError as exc:
            messages.error(request, _error(exc))
        else:
            messages.success(request, _("List saved."))
    else:
        messages.error(request, _first_error(form))
    return redirect("press:contacts")


@press_required
def contacts_export(request: HttpRequest, fmt: str) -> HttpResponse:
    staff = _staff(request)
    if fmt == "csv":
        response = HttpResponse(
            contacts.contacts_export_csv(staff=staff), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        response = HttpResponse(
            contacts.contacts_export_xlsx(staff=staff),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="contacts.{fmt}"'
    return response


def _month_grid(day: date) -> list[list[date]]:
    return pycalendar.Calendar(firstweekday=0).monthdatescalendar(day.year, day.month)


@press_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    """Month, week or list view of the organisation's events."""
    staff = _staff(request)
    view = request.GET.get("view", "month")
    try:
        day = date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else None
    except ValueError:
        day = None
    day = day or timezone.localdate()
    context = _calendar_context(
        events_for=lambda s, e: list(selectors.event_list(staff=staff, start=s, end=e)),
        view=view,
        day=day,
    )
    context["event_form"] = forms.EventForm()
    context["can_write"] = permissions.can_write(staff)
    return render(request, "press/calendar.html", context)


def _calendar_context(*, events_for: Any, view: str, day: date) -> dict[str, Any]:
    """Shared by the press calendar and the network's shared calendar."""
    tz = timezone.get_current_timezone()
    if view == "week":
        start_day = day - timedelta(days=day.weekday())
        days = [start_day + timedelta(days=i) for i in range(7)]
        weeks = [days]
        prev_day, next_day = day - timedelta(days=7), day + timedelta(days=7)
    elif view == "list":
        start_day = day
        weeks = []
        days = [day + timedelta(days=i) for i in range(60)]
        prev_day, next_day = day - timedelta(days=60), day + timedelta(days=60)
    else:
        view = "month"
        weeks = _month_grid(day)
        days = [d for w in weeks for d in w]
        first = day.replace(day=1)
        prev_day = (first - timedelta(days=1)).replace(day=1)
        next_day = (first + timedelta(days=32)).replace(day=1)
    start = datetime.combine(days[0], time.min, tzinfo=tz)
    end = datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=tz)
    events = events_for(start, end)
    by_day: dict[date, list[Any]] = {}
    for e in events:
        by_day.setdefault(timezone.localtime(e.starts_at).date(), []).append(e)
    return {
        "view": view,
        "day": day,
        "weeks": [[(d, by_day.get(d, [])) for d in w] for w in weeks],
        "events": events,
        "prev_day": prev_day,
        "next_day": next_day,
        "today": timezone.localdate(),
    }


@press_required
@require_POST
def event_new(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    form = forms.EventForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("press:calendar")
    try:
        event = services.event_create(
            organisation=staff.organisation, actor=staff, **form.cleaned_data
        )
    except DomainError as exc:
        messages.error(request, _error(exc))
        return redirect("press:calendar")
    messages.success(request, _("Event saved."))
    return redirect("press:event", event=event.pk)


@press_required
def event_detail(request: HttpRequest, event: int) -> HttpResponse:
    obj = selectors.event_get(staff=_staff(request), pk=event)
    return render(request, "press/event_detail.html", {"event": obj})


@press_required
def calendar_export(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    text = ical.calendar(
        selectors.event_list(staff=staff), name=staff.organisation.name, now=timezone.now()
    )
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="press-calendar.ics"'
    return response


@press_required
@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    config = services.press_config(staff.organisation)
    form = forms.ConfigForm(
        request.POST or None,
        initial={
            "approval_roles": ", ".join(config.approval_roles),
            "from_email": config.from_email,
        },
    )
    if request.method == "POST":
        if not permissions.can_configure(staff):
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                services.press_config_set(
                    organisation=staff.organisation,
                    actor=staff,
                    approval_roles=form.cleaned_data["approval_roles"],
                )
            except DomainError as exc:
                form.add_error(None, _error(exc))
            else:
                config.from_email = form.cleaned_data["from_email"]
                config.save(update_fields=["from_email"])
                messages.success(request, _("Saved."))
                return redirect("press:settings")
    return render(
        request,
        "press/settings.html",
        {"form": form, "config": config, "can_configure": permissions.can_configure(staff)},
    )


# --- public pages -------------------------------------------------------------------------


def _org(slug: str) -> Organisation:
    return get_object_or_404(Organisation, slug=slug, is_active=True)


def newsroom(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _org(org)
    q = request.GET.get("q", "")
    lang = request.GET.get("lang", "")
    releases = selectors.newsroom_releases(
        organisation=organisation, q=q, language=lang, kind=request.GET.get("kind", "")
    )[:100]
    items = [(r, r.translation(lang or translation.get_language())) for r in releases]
    upcoming = selectors.public_events(organisation=organisation).filter(
        starts_at__gte=timezone.now()
    )[:10]
    return render(
        request,
        "press/newsroom.html",
        {"org": organisation, "items": items, "q": q, "lang": lang, "upcoming": upcoming},
    )


def newsroom_release(request: HttpRequest, org: str, slug: str) -> HttpResponse:
    organisation = _org(org)
    release = selectors.newsroom_release(organisation=organisation, slug=slug)
    lang = request.GET.get("lang") or translation.get_language()
    t = release.translation(lang)
    return render(
        request,
        "press/newsroom_release.html",
        {
            "org": organisation,
            "release": release,
            "t": t,
            "text_dir": "rtl" if t and t.language == "fa" else "ltr",
            "attachments": release.attachments.all(),
            "page_url": request.build_absolute_uri(),
            "image_url": request.build_absolute_uri(
                reverse("press_public:release_image", args=[organisation.slug, release.slug])
            )
            if release.image
            else "",
        },
    )


def _public_file(file: Any, *, content_type: str, filename: str, inline: bool) -> FileResponse:
    response = FileResponse(
        file.open("rb"), content_type=content_type, as_attachment=not inline, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def newsroom_attachment(request: HttpRequest, org: str, slug: str, attachment: int) -> FileResponse:
    """A file of a published release; drafts' and archived releases' files are 404."""
    release = selectors.newsroom_release(organisation=_org(org), slug=slug)
    att = release.attachments.filter(pk=attachment).first()
    if att is None:
        raise Http404
    return _public_file(
        att.file, content_type=att.content_type, filename=att.original_name, inline=False
    )


def newsroom_image(request: HttpRequest, org: str, slug: str) -> FileResponse:
    """The main image of a published release (the newsroom and og:image point here)."""
    release = selectors.newsroom_release(organisation=_org(org), slug=slug)
    if not release.image:
        raise Http404
    name = release.image.name or ""
    ext = name.rsplit(".", 1)[-1].lower()
    content_type = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(
        ext, "image/gif"
    )
    return _public_file(release.image, content_type=content_type, filename=name, inline=True)


def newsroom_ical(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _org(org)
    text = ical.calendar(
        selectors.public_events(organisation=organisation),
        name=organisation.name,
        now=timezone.now(),
    )
    return HttpResponse(text, content_type="text/calendar; charset=utf-8")


@csrf_exempt  # the signed token is the credential; one-click mail clients post without CSRF
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (mail scanners follow links); POST, also RFC 8058 one-click, unsubscribes."""
    journalist = distribution.journalist_from_token(token)
    if journalist is None:
        raise Http404
    done = journalist.unsubscribed_at is not None
    if request.method == "POST":
        distribution.journalist_unsubscribe(journalist=journalist)
        done = True
    return render(request, "press/unsubscribe.html", {"journalist": journalist, "done": done})
