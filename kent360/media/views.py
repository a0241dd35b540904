"""The media desk: articles, stories, sources, watch list, alerts, digest and tekzip.

Thin views: forms in, services and selectors out. Only the press office (see
permissions.MEDIA_ROLES) gets in; every object is looked up in the asker's organisation.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from kent360.core.errors import DomainError
from kent360.core.web import error_text as _error_text
from kent360.core.web import first_form_error as _first_error
from kent360.core.web import staff_of as _staff
from kent360.media import digest as digest_mod
from kent360.media import forms, selectors, services
from kent360.media.models import Mention, RebuttalCase, Source, WatchEntity
from kent360.media.permissions import can_use_media
from kent360.organizations.models import Staff
from kent360.requests.views import staff_required

PAGE_SIZE = 25


def media_required(view: Any) -> Any:
    """Signed-in staff of the press office; every other role gets 403."""

    @staff_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_use_media(getattr(request, "staff", None)):
            return render(request, "403.html", status=403)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# --- articles --------------------------------------------------------------------------


@media_required
def articles(request: HttpRequest) -> HttpResponse:
    """Articles with filters; an HTMX request gets only the table."""
    staff = _staff(request)
    form = forms.ArticleFilterForm(request.GET or None, staff=staff)
    filters = selectors.ArticleFilters()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = selectors.ArticleFilters(
            source=d["source"].pk if d["source"] else None,
            tone=d["tone"],
            entity=d["entity"].pk if d["entity"] else None,
            story=d["story"],
            date_from=d["date_from"],
            date_to=d["date_to"],
            q=d["q"],
        )
    paginator = Paginator(selectors.article_list(staff=staff, filters=filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "media/partials/article_table.html", context)
    return render(request, "media/articles.html", context)


def _article_context(request: HttpRequest, article: Any) -> dict[str, Any]:
    staff = _staff(request)
    mentions = list(selectors.article_mentions(staff=staff, article=article))
    title_html, body_html = selectors.article_highlighted(article, mentions)
    return {
        "article": article,
        "mentions": mentions,
        "title_html": title_html,
        "body_html": body_html,
        "tone_form": forms.ToneForm(initial={"tone": article.tone}),
        "rebuttal_form": forms.RebuttalOpenForm(),
        "cases": article.rebuttals.all(),
        "story_size": article.story.article_count if article.story_id else 0,
    }


@media_required
def article(request: HttpRequest, article_id: int) -> HttpResponse:
    obj = selectors.article_get(staff=_staff(request), article_id=article_id)
    return render(request, "media/article.html", _article_context(request, obj))


@require_POST
@media_required
def article_tone(request: HttpRequest, article_id: int) -> HttpResponse:
    """Correct the tone of the article (or of one mention); kept as a training label."""
    staff = _staff(request)
    obj = selectors.article_get(staff=staff, article_id=article_id)
    form = forms.ToneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("media:article", article_id=obj.pk)
    mention = None
    if form.cleaned_data["mention"]:
        mention = Mention.objects.filter(pk=form.cleaned_data["mention"], article=obj).first()
        if mention is None:
            messages.error(request, _("Unknown mention."))
            return redirect("media:article", article_id=obj.pk)
    try:
        services.tone_correct(
            staff=staff, article=obj, label=form.cleaned_data["tone"], mention=mention
        )
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Tone corrected."))
    return redirect("media:article", article_id=obj.pk)


@require_POST
@media_required
def article_rebuttal(request: HttpRequest, article_id: int) -> HttpResponse:
    """Open a tekzip case against the article (within two months of publication)."""
    staff = _staff(request)
    obj = selectors.article_get(staff=staff, article_id=article_id)
    form = forms.RebuttalOpenForm(request.POST)
    form.is_valid()
    try:
        case = services.rebuttal_open(
            staff=staff,
            article=obj,
            text=form.cleaned_data.get("text", ""),
            is_daily=bool(form.cleaned_data.get("is_daily")),
        )
    except DomainError as exc:
        messages.error(request, _error_text(exc))
        return redirect("media:article", article_id=obj.pk)
    messages.success(request, _("Tekzip case opened."))
    return redirect("media:case", case_id=case.pk)


# --- stories ---------------------------------------------------------------------------


@media_required
def stories(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.story_list(staff=_staff(request)), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "media/stories.html", {"page": page, "query": ""})


@media_required
def story(request: HttpRequest, story_id: int) -> HttpResponse:
    """One story with every outlet that carried it."""
    staff = _staff(request)
    obj = selectors.story_get(staff=staff, story_id=story_id)
    arts = list(selectors.story_articles(staff=staff, story=obj))
    return render(
        request,
        "media/story.html",
        {"story": obj, "articles": arts, "outlets": sorted({a.outlet for a in arts})},
    )


# --- sources ---------------------------------------------------------------------------


@media_required
def sources(request: HttpRequest) -> HttpResponse:
    """Sources and their health, the manual URL fetch and the upload forms."""
    staff = _staff(request)
    return render(
        request,
        "media/sources.html",
        {
            "sources": selectors.source_list(staff=staff),
            "errors": selectors.ingest_errors(staff=staff, limit=15),
            "fetch_form": forms.FetchUrlForm(),
            "upload_form": forms.UploadForm(),
        },
    )


@require_http_methods(["GET", "POST"])
@media_required
def source_new(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    form = forms.SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            src = services.source_create(
                organisation=staff.organisation,
                actor=staff,
                name=d["name"],
                kind=d["kind"],
                url=d["url"],
                language=d["language"],
                reach=d["reach"],
                fetch_interval_minutes=d["fetch_interval_minutes"],
            )
        except DomainError as exc:
            form.add_error(None, _error_text(exc))
        else:
            if not d["is_active"]:
                services.source_update(source=src, actor=staff, is_active=False)
            messages.success(request, _("Source added."))
            return redirect("media:sources")
    return render(request, "media/source_form.html", {"form": form, "source": None})


@require_http_methods(["GET", "POST"])
@media_required
def source_edit(request: HttpRequest, source_id: int) -> HttpResponse:
    staff = _staff(request)
    src = selectors.source_get(staff=staff, source_id=source_id)
    form = forms.SourceForm(request.POST or None, instance=Source.objects.get(pk=src.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.source_update(
                source=src,
                actor=staff,
                **{k: form.cleaned_data[k] for k in services.SOURCE_FIELDS},
            )
        except DomainError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Source saved."))
            return redirect("media:sources")
    return render(
        request,
        "media/source_form.html",
        {"form": form, "source": src, "errors": selectors.ingest_errors(staff=staff, source=src)},
    )


@require_POST
@media_required
def source_fetch_now(request: HttpRequest, source_id: int) -> HttpResponse:
    """Queue a fetch of the source now instead of waiting for its interval."""
    from kent360.media.tasks import fetch_source

    src = selectors.source_get(staff=_staff(request), source_id=source_id)
    if src.kind == Source.Kind.MANUAL:
        messages.error(request, _("A manual source has nothing to fetch."))
    else:
        fetch_source.enqueue(src.pk)
        messages.success(request, _("Fetch queued."))
    return redirect("media:sources")


@require_POST
@media_required
def fetch_url(request: HttpRequest) -> HttpResponse:
    """Fetch one article by URL into the manual source."""
    staff = _staff(request)
    form = forms.FetchUrlForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("media:sources")
    art = services.article_fetch_url(
        organisation=staff.organisation, url=form.cleaned_data["url"], actor=staff
    )
    if art is None:
        messages.error(request, _("The page could not be fetched or read; see the errors below."))
        return redirect("media:sources")
    messages.success(request, _("Article stored."))
    return redirect("media:article", article_id=art.pk)


MAX_UPLOAD = 100 * 1024 * 1024


@require_POST
@media_required
def upload(request: HttpRequest) -> HttpResponse:
    """An uploaded page, a .zip of pages or a .warc(.gz) archive."""
    staff = _staff(request)
    form = forms.UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("media:sources")
    f = form.cleaned_data["file"]
    if f.size > MAX_UPLOAD:
        messages.error(request, _("The file is too large."))
        return redirect("media:sources")
    stored, errors = services.upload_ingest(
        organisation=staff.organisation, name=f.name, data=f.read(), actor=staff
    )
    if stored:
        messages.success(
            request,
            _("%(n)s article(s) stored, %(e)s failed.") % {"n": len(stored), "e": len(errors)},
        )
    else:
        messages.error(request, _("No article could be read from the file."))
    if len(stored) == 1:
        return redirect("media:article", article_id=stored[0].pk)
    return redirect("media:sources")


# --- watch list and alert rules --------------------------------------------------------


@require_http_methods(["GET", "POST"])
@media_required
def watch(request: HttpRequest) -> HttpResponse:
    """The watch list; the form below it adds a name."""
    staff = _staff(request)
    form = forms.WatchForm(request.POST or None, initial={"kind": WatchEntity.Kind.OTHER})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if WatchEntity.objects.filter(organisation=staff.organisation, name=d["name"]).exists():
            form.add_error("name", _("This name is already on the watch list."))
        else:
            services.watch_entity_create(
                organisation=staff.organisation,
                name=d["name"],
                kind=d["kind"],
                aliases=form.alias_list(),
                actor=staff,
            )
            messages.success(request, _("Added to the watch list."))
            return redirect("media:watch")
    return render(
        request, "media/watch.html", {"entities": selectors.watch_list(staff=staff), "form": form}
    )


@require_http_methods(["GET", "POST"])
@media_required
def watch_edit(request: HttpRequest, entity_id: int) -> HttpResponse:
    staff = _staff(request)
    entity = selectors.watch_get(staff=staff, entity_id=entity_id)
    initial = {
        "name": entity.name,
        "kind": entity.kind,
        "aliases": entity.aliases,
        "is_active": entity.is_active,
    }
    form = forms.WatchForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.watch_entity_update(
                entity=entity,
                actor=staff,
                name=d["name"],
                kind=d["kind"],
                aliases=form.alias_list(),
                is_active=d["is_active"],
            )
        except DomainError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("media:watch")
    return render(request, "media/watch_edit.html", {"entity": entity, "form": form})


@require_http_methods(["GET", "POST"])
@media_required
def alerts(request: HttpRequest) -> HttpResponse:
    """Alert rules, the alerts they raised lately, and a form for a new rule."""
    staff = _staff(request)
    form = forms.AlertRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.alert_rule_create(
            organisation=staff.organisation, actor=staff, **form.cleaned_data
        )
        messages.success(request, _("Alert rule added."))
        return redirect("media:alerts")
    return render(
        request,
        "media/alerts.html",
        {
            "rules": selectors.alert_rule_list(staff=staff),
            "recent": selectors.recent_alerts(staff=staff),
            "form": form,
        },
    )


@require_POST
@media_required
def alert_rule_toggle(request: HttpRequest, rule_id: int) -> HttpResponse:
    staff = _staff(request)
    rule = selectors.alert_rule_get(staff=staff, rule_id=rule_id)
    services.alert_rule_set_active(rule=rule, actor=staff, active=not rule.is_active)
    return redirect("media:alerts")


# --- digest ----------------------------------------------------------------------------


def _digest_now(request: HttpRequest, staff: Staff) -> datetime:
    """The digest of a chosen local day covers the 24 hours up to that day's end; today's
    covers the 24 hours up to now."""
    now = timezone.now()
    try:
        day = parse_date(request.GET.get("date", ""))
    except ValueError:  # well-formed but impossible, e.g. 2026-02-31
        day = None
    if day is None:
        return now
    tz = ZoneInfo(staff.organisation.time_zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return min(end, now)


@media_required
def digest(request: HttpRequest) -> HttpResponse:
    """Preview of the daily digest exactly as the mayor's office receives it (the document
    itself is shown in a frame so its print styles stay apart from the desk's)."""
    staff = _staff(request)
    now = _digest_now(request, staff)
    n = len(digest_mod.digest_stories(organisation=staff.organisation, now=now))
    return render(
        request,
        "media/digest_preview.html",
        {
            "now": now,
            "day": timezone.localdate(now, ZoneInfo(staff.organisation.time_zone)),
            "story_count": n,
        },
    )


@xframe_options_sameorigin
@media_required
def digest_html(request: HttpRequest) -> HttpResponse:
    """The digest document as e-mailed (HTML body); framed by the preview page."""
    staff = _staff(request)
    now = _digest_now(request, staff)
    return HttpResponse(digest_mod.render_html(organisation=staff.organisation, now=now))


@media_required
def digest_pdf(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    now = _digest_now(request, staff)
    html = digest_mod.render_html(organisation=staff.organisation, now=now)
    day = timezone.localdate(now, ZoneInfo(staff.organisation.time_zone))
    response = HttpResponse(digest_mod.render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="digest-{day.isoformat()}.pdf"'
    return response


# --- tekzip ----------------------------------------------------------------------------


@media_required
def cases(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    state = request.GET.get("state", "open")
    if state not in ("", "open", *RebuttalCase.State.values):
        state = "open"
    paginator = Paginator(selectors.rebuttal_list(staff=staff, state=state), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "media/cases.html",
        {
            "page": page,
            "state": state,
            "states": RebuttalCase.State.choices,
            "query": f"state={state}",
        },
    )


@media_required
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    """A tekzip case: its deadlines, reminders sent, events and the next steps."""
    staff = _staff(request)
    obj = selectors.rebuttal_get(staff=staff, case_id=case_id)
    events = list(selectors.rebuttal_events(staff=staff, case=obj))
    return render(
        request,
        "media/case.html",
        {
            "case": obj,
            "events": [e for e in events if not e.kind.startswith("reminder:")],
            "reminders": [e for e in events if e.kind.startswith("reminder:")],
            "next_deadline": selectors.rebuttal_next_deadline(obj),
            "length_ok": services.rebuttal_length_ok(obj),
            "text_form": forms.CaseTextForm(initial={"text": obj.text}),
            "send_form": forms.CaseSendForm(initial={"sent_on": timezone.localdate()}),
            "outcome_form": forms.CaseOutcomeForm(),
            "article_words": len(obj.article.text.split()),
            "text_words": len(obj.text.split()),
        },
    )


CASE_ACTIONS = {"text", "send", "published", "refused", "court", "close"}


@require_POST
@media_required
def case_act(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """Edit the draft, record sending, or record what happened next."""
    staff = _staff(request)
    obj = selectors.rebuttal_get(staff=staff, case_id=case_id)
    if action not in CASE_ACTIONS:
        messages.error(request, _("Unknown step."))
        return redirect("media:case", case_id=obj.pk)
    try:
        if action == "text":
            form: Any = forms.CaseTextForm(request.POST)
            if not form.is_valid():
                raise DomainError(_first_error(form))
            services.rebuttal_update_text(staff=staff, case=obj, text=form.cleaned_data["text"])
        elif action == "send":
            form = forms.CaseSendForm(request.POST)
            if not form.is_valid():
                raise DomainError(_first_error(form))
            services.rebuttal_send(staff=staff, case=obj, sent_on=form.cleaned_data["sent_on"])
        else:
            form = forms.CaseOutcomeForm(request.POST)
            form.is_valid()
            services.rebuttal_record(
                staff=staff, case=obj, outcome=action, note=form.cleaned_data.get("note", "")
            )
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("media:case", case_id=obj.pk)
