"""Writes of the routing app: routing a new request, training a model, loading holidays.

Rules (see models.py): the router acts only on a request nobody has categorised; at or
above the organisation's threshold it assigns, below it leaves the request in the triage
queue with its suggestion. A retrained model replaces the current one only when it is
not worse (macro-F1) on the same held-out requests.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kent360.core.audit import audit
from kent360.core.errors import DomainError
from kent360.core.fastsql import insert
from kent360.organizations.models import Category, Directorate, Organisation, Role, Staff
from kent360.requests.models import OPEN_STATES, EventType, Request, RequestEvent
from kent360.routing.calendar import DATA_DIR
from kent360.routing.keywords import keyword_matches
from kent360.routing.ml import CategoryInfo, TextClassifier, digest, evaluate, request_text
from kent360.routing.models import Holiday, RoutingDecision, RoutingModel, RoutingSettings

log = logging.getLogger(__name__)
MIN_TRAINING_EXAMPLES = 20
HELD_OUT_SHARE = 5  # one request in five (by tracking code) is never trained on

_CACHE: dict[int, tuple[str, TextClassifier]] = {}


def routing_settings_get(organisation: Organisation) -> RoutingSettings:
    settings_row, _created = RoutingSettings.objects.get_or_create(organisation=organisation)
    return settings_row


def current_model(organisation: Organisation) -> tuple[RoutingModel, TextClassifier] | None:
    """The organisation's current classifier, unpickled once per process and version."""
    row = (
        RoutingModel.objects.filter(organisation=organisation, is_current=True)
        .only("pk", "sha256", "version")
        .first()
    )
    if row is None:
        return None
    cached = _CACHE.get(organisation.pk)
    if cached is None or cached[0] != row.sha256:
        blob = bytes(RoutingModel.objects.values_list("blob", flat=True).get(pk=row.pk))
        if digest(blob) != row.sha256:
            log.error("routing model %s of %s is corrupt", row.version, organisation.pk)
            return None
        cached = (row.sha256, TextClassifier.loads(blob))
        _CACHE[organisation.pk] = cached
    return row, cached[1]


@dataclass(frozen=True)
class Suggestion:
    source: str
    category: Category | None
    directorate: Directorate | None
    confidence: float
    alternatives: list[list[Any]]
    model: RoutingModel | None = None


def routing_suggest(*, organisation: Organisation, subject: str, text: str) -> Suggestion:
    """The router's guess for a text: the trained model if there is one, else keywords."""
    categories = {
        c.code: c
        for c in Category.objects.filter(organisation=organisation, is_active=True).select_related(
            "default_directorate"
        )
    }
    loaded = current_model(organisation)
    if loaded is not None:
        row, model = loaded
        prediction = model.predict(request_text(subject, text))
        category = categories.get(prediction.label)
        if category is not None:
            directorate = _directorate_for(organisation, model, category)
            return Suggestion(
                RoutingDecision.Source.MODEL,
                category,
                directorate,
                prediction.confidence,
                [[label, round(p, 4)] for label, p in prediction.alternatives],
                row,
            )
    matches = keyword_matches(f"{subject} {text}", categories.values())
    if matches:
        best = matches[0]
        return Suggestion(
            RoutingDecision.Source.KEYWORDS,
            best.category,
            best.category.default_directorate,
            best.confidence,
            [[m.category.code, round(m.confidence, 4)] for m in matches[:3]],
        )
    return Suggestion(RoutingDecision.Source.NONE, None, None, 0.0, [])


def _directorate_for(
    organisation: Organisation, model: TextClassifier, category: Category
) -> Directorate:
    """Where requests of this category ended up in history (transfers teach this)."""
    code = getattr(model, "directorate_for", {}).get(category.code)
    if code and code != category.default_directorate.code:
        found = Directorate.objects.filter(
            organisation=organisation, code=code, is_active=True
        ).first()
        if found is not None:
            return found
    return category.default_directorate


@transaction.atomic
def routing_route_request(
    *, request: Request, just_created: bool = False
) -> RoutingDecision | None:
    """Route a request nobody categorised: assign when confident, else the triage queue.

    A request is routed once; ``just_created`` (inside the transaction that inserted it)
    says no decision can exist yet, so none is looked for.
    """
    from kent360.requests.services import request_route

    if request.category_id is not None or request.directorate_id is not None:
        return None
    if not just_created and RoutingDecision.objects.filter(request=request).exists():
        return None
    org = request.organisation
    settings_row = routing_settings_get(org)
    suggestion = routing_suggest(organisation=org, subject=request.subject, text=request.text)
    auto = bool(
        settings_row.auto_route
        and suggestion.category is not None
        and suggestion.directorate is not None
        and suggestion.confidence >= settings_row.threshold
    )
    decision = insert(
        RoutingDecision(
            organisation=org,
            request=request,
            source=suggestion.source,
            model=suggestion.model,
            category=suggestion.category,
            directorate=suggestion.directorate,
            confidence=suggestion.confidence,
            threshold=settings_row.threshold,
            auto_routed=auto,
            alternatives=suggestion.alternatives,
        )
    )
    data = {
        "confidence": round(suggestion.confidence, 4),
        "threshold": settings_row.threshold,
        "source": suggestion.source,
        "category": suggestion.category.code if suggestion.category else "",
        "model_version": suggestion.model.version if suggestion.model else None,
        "alternatives": suggestion.alternatives,
    }
    if auto:
        assert suggestion.category is not None and suggestion.directorate is not None
        note = _("auto-routed, confidence %(c).2f") % {"c": suggestion.confidence}
        request_route(
            request=request,
            category=suggestion.category,
            directorate=suggestion.directorate,
            note=note,
            data={"auto_routed": True, **data},
            actor_label=_("Router"),
        )
    else:
        if suggestion.category is not None:
            note = _("to the triage queue: suggestion %(cat)s, confidence %(c).2f") % {
                "cat": suggestion.category.name,
                "c": suggestion.confidence,
            }
        else:
            note = _("to the triage queue: no suggestion")
        insert(
            RequestEvent(
                request=request,
                organisation_id=org.pk,
                type=EventType.ROUTING,
                actor_label=_("Router"),
                text=note,
                data={"auto_routed": False, **data},
            )
        )
    return decision


def is_held_out(tracking_code: str) -> bool:
    """A stable split: the same request is in the held-out set for every retraining, so a
    current and a candidate model are compared on requests neither was trained on."""
    return zlib.crc32(tracking_code.encode()) % HELD_OUT_SHARE == 0


@dataclass(frozen=True)
class Example:
    text: str
    category: str
    directorate: str
    tracking_code: str


def routing_examples(organisation: Organisation) -> list[Example]:
    """Labelled examples from the organisation's own history.

    The label is the request's category and directorate as people left them: a triage
    pick, a correction or a transfer overwrites what the router guessed. A request the
    router assigned and nobody has confirmed yet (still open, unchanged) is not a label.
    """
    unconfirmed = set(
        RoutingDecision.objects.filter(
            organisation=organisation,
            auto_routed=True,
            request__state__in=OPEN_STATES,
            request__first_answered_at__isnull=True,
        ).values_list("request_id", flat=True)
    )
    rows = (
        Request.objects.filter(organisation=organisation, category__isnull=False)
        .exclude(state="merged")
        .values_list(
            "pk", "subject", "text", "category__code", "directorate__code", "tracking_code"
        )
        .order_by("pk")
    )
    return [
        Example(request_text(subject, text), cat, dcode or "", code)
        for pk, subject, text, cat, dcode, code in rows
        if pk not in unconfirmed
    ]


@dataclass(frozen=True)
class TrainResult:
    accepted: bool
    reason: str
    model: RoutingModel | None
    metrics: dict[str, Any]
    current_metrics: dict[str, Any] | None


def _majority_directorates(examples: list[Example]) -> dict[str, str]:
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for e in examples:
        if e.directorate:
            votes[e.category][e.directorate] += 1
    return {cat: c.most_common(1)[0][0] for cat, c in votes.items()}


def routing_categories(organisation: Organisation) -> list[CategoryInfo]:
    """The organisation's active categories as prior knowledge for the router: name,
    description, keywords and default directorate."""
    rows = Category.objects.filter(organisation=organisation, is_active=True).select_related(
        "default_directorate"
    )
    return [
        CategoryInfo(
            code=c.code,
            name=c.name,
            description=c.description,
            keywords=c.keywords,
            directorate=c.default_directorate.code,
        )
        for c in rows.order_by("code")
    ]


def routing_train(*, organisation: Organisation, note: str = "") -> TrainResult:
    """Train a candidate from history and make it current only if it is not worse.

    The candidate learns from the labelled requests not held out, and from the categories'
    names, descriptions and keywords (pseudo-examples); both models are judged on the
    held-out requests, by category and by directorate.
    """
    examples = routing_examples(organisation)
    train = [e for e in examples if not is_held_out(e.tracking_code)]
    test = [e for e in examples if is_held_out(e.tracking_code)]
    if len(train) < MIN_TRAINING_EXAMPLES or len({e.category for e in train}) < 2:
        return TrainResult(
            False,
            _("Not enough labelled requests to train (%(n)d).") % {"n": len(train)},
            None,
            {},
            None,
        )
    categories = routing_categories(organisation)
    model = TextClassifier.fit(
        [e.text for e in train], [e.category for e in train], categories=categories
    )
    model.directorate_for = {**model.directorate_for, **_majority_directorates(examples)}
    texts, labels = [e.text for e in test], [e.category for e in test]
    metrics = evaluate(model, texts, labels, model.directorate_for)
    current = current_model(organisation)
    current_metrics = None
    if current is not None:
        current_metrics = evaluate(current[1], texts, labels, model.directorate_for)
    worse = current_metrics is not None and (
        metrics["macro_f1"] < current_metrics["macro_f1"] or metrics["n"] == 0
    )
    row = _store_model(
        organisation=organisation,
        model=model,
        metrics=metrics,
        current_metrics=current_metrics,
        n_train=len(train),
        n_test=len(test),
        accepted=not worse,
        note=note,
    )
    if worse:
        reason = _(
            "Kept version %(v)d: the new model is worse on the held-out requests "
            "(macro-F1 %(new).3f < %(old).3f)."
        ) % {
            "v": current[0].version if current else 0,
            "new": metrics["macro_f1"],
            "old": current_metrics["macro_f1"] if current_metrics else 0.0,
        }
    else:
        reason = _("Version %(v)d is now current.") % {"v": row.version}
    return TrainResult(not worse, reason, row, metrics, current_metrics)


@transaction.atomic
def _store_model(
    *,
    organisation: Organisation,
    model: TextClassifier,
    metrics: dict[str, Any],
    current_metrics: dict[str, Any] | None,
    n_train: int,
    n_test: int,
    accepted: bool,
    note: str,
) -> RoutingModel:
    blob = model.dumps()
    # Serialise concurrent trainings of one organisation on its settings row.
    RoutingSettings.objects.get_or_create(organisation=organisation)
    RoutingSettings.objects.select_for_update().get(organisation=organisation)
    version = (
        RoutingModel.objects.filter(organisation=organisation).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    if accepted:
        RoutingModel.objects.filter(organisation=organisation, is_current=True).update(
            is_current=False
        )
    row = RoutingModel.objects.create(
        organisation=organisation,
        version=version,
        blob=blob,
        sha256=digest(blob),
        size=len(blob),
        metrics={"held_out": metrics, "current_on_same_set": current_metrics},
        n_train=n_train,
        n_test=n_test,
        is_current=accepted,
        accepted=accepted,
        note=note[:300],
    )
    audit(
        action="routing.model_trained",
        target=row,
        organisation=organisation,
        data={
            "version": version,
            "accepted": accepted,
            "accuracy": metrics["accuracy"],
            "macro_f1": metrics["macro_f1"],
        },
    )
    return row


@transaction.atomic
def holidays_load(*, country: str) -> int:
    """Load the shipped holiday list of a country (idempotent); returns the rows added."""
    path = DATA_DIR / f"{country.lower()}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    added = 0
    for item in data["holidays"]:
        try:
            with transaction.atomic():
                _obj, created = Holiday.objects.get_or_create(
                    country=country.upper(),
                    organisation=None,
                    date=date.fromisoformat(item["date"]),
                    name=item["name"],
                    defaults={"kind": item["kind"], "half_day": item["half_day"]},
                )
        except IntegrityError:
            created = False
        added += int(created)
    return added


def routing_model_age_days(organisation: Organisation) -> float | None:
    row = RoutingModel.objects.filter(organisation=organisation, is_current=True).first()
    if row is None:
        return None
    return (timezone.now() - row.created_at).total_seconds() / 86400


def _require_admin(actor: Staff) -> None:
    if actor.role not in (Role.ORG_ADMIN, Role.PR_MANAGER):
        raise DomainError(_("Only admins and PR managers change routing."), code="not_allowed")


@transaction.atomic
def routing_settings_update(*, actor: Staff, threshold: float, auto_route: bool) -> RoutingSettings:
    """Change the confidence the router needs to assign on its own (0–1)."""
    _require_admin(actor)
    if not 0.0 <= threshold <= 1.0:
        raise DomainError(_("The threshold is a number between 0 and 1."))
    row = routing_settings_get(actor.organisation)
    row.threshold = threshold
    row.auto_route = auto_route
    row.save()
    audit(
        action="routing.settings",
        target=row,
        actor=actor,
        data={"threshold": threshold, "auto_route": auto_route},
    )
    return row


@transaction.atomic
def category_keywords_update(*, actor: Staff, category: Category, keywords: str) -> Category:
    """The keyword rules of a category (one per line), the router's fallback without history."""
    _require_admin(actor)
    if category.organisation_id != actor.organisation_id:
        raise DomainError(_("The category belongs to another organisation."))
    lines = [line.strip() for line in keywords.splitlines() if line.strip()]
    category.keywords = "\n".join(dict.fromkeys(lines))
    category.save(update_fields=["keywords"])
    audit(action="routing.keywords", target=category, actor=actor, data={"n": len(lines)})
    return category
