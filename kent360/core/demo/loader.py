"""Load the demo: İzmir metropolitan with the Bornova district, and a Tehran district.

Idempotent: organisations, directorates, categories and users are looked up by their
codes first, and sample requests carry idempotency keys, so a second run adds nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kent360.core.demo import data
from kent360.organizations import services as org_services
from kent360.organizations.models import Category, Directorate, Organisation, Role, Staff
from kent360.requests import services as req_services
from kent360.requests.models import Channel, Kind, Request, RequestEvent

DEMO_PASSWORD = "kent360-demo"  # noqa: S105 (published demo accounts)


def _org(slug: str, **fields: Any) -> Organisation:
    org = Organisation.objects.filter(slug=slug).first()
    return org or org_services.organisation_create(slug=slug, **fields)


def _directorate(org: Organisation, code: str, name: str) -> Directorate:
    d = Directorate.objects.filter(organisation=org, code=code).first()
    return d or org_services.directorate_create(organisation=org, code=code, name=name)


def _category(
    org: Organisation, code: str, name: str, directorate: Directorate, sla: int, keywords: str = ""
) -> Category:
    c = Category.objects.filter(organisation=org, code=code).first()
    return c or org_services.category_create(
        organisation=org,
        code=code,
        name=name,
        default_directorate=directorate,
        sla_hours=sla,
        keywords=keywords,
    )


def _staff(
    org: Organisation,
    username: str,
    role: str,
    first: str,
    last: str,
    directorate: Directorate | None = None,
    language: str = "tr",
    superuser: bool = False,
) -> Staff:
    user = get_user_model().objects.filter(username=username).first()
    if user is not None:
        return user.staff
    staff = org_services.staff_create(
        organisation=org,
        username=username,
        password=DEMO_PASSWORD,
        role=role,
        directorate=directorate,
        first_name=first,
        last_name=last,
        email=f"{username}@{org.slug}.kent360.local",
        language=language,
    )
    if superuser:
        staff.user.is_staff = True
        staff.user.is_superuser = True
        staff.user.save(update_fields=["is_staff", "is_superuser"])
    return staff


@transaction.atomic
def load_demo(*, requests_per_org: int = 300, seed: int = 360) -> dict[str, int]:
    izmir = _org(
        "izmir",
        name="İzmir Büyükşehir Belediyesi",
        kind=Organisation.Kind.METROPOLITAN,
        code_prefix="IZM",
        latitude=38.4192,
        longitude=27.1287,
    )
    bornova = _org(
        "bornova",
        name="Bornova Belediyesi",
        kind=Organisation.Kind.DISTRICT,
        parent=izmir,
        code_prefix="BRN",
        latitude=38.4697,
        longitude=27.2211,
        email="bilgi@bornova.bel.tr",
        phone="+90 232 999 00 00",
    )
    tehran = _org(
        "tehran6",
        name="شهرداری منطقه ۶ تهران",
        default_language="fa",
        code_prefix="THR",
        time_zone="Asia/Tehran",
        country="IR",
        latitude=35.7219,
        longitude=51.3890,
    )

    dirs = {code: _directorate(bornova, code, name) for code, name in data.DIRECTORATES}
    cats = {
        code: _category(bornova, code, name, dirs[dcode], sla, kw)
        for code, name, dcode, sla, kw in data.CATEGORIES
    }
    for code, name in data.DIRECTORATES[:6]:
        _directorate(izmir, code, name)
    _staff(izmir, "izmir.admin", Role.ORG_ADMIN, "Derya", "Erdem")
    _staff(izmir, "izmir.basin", Role.PRESS_OFFICER, "Okan", "Gür")

    staff = {
        "admin": _staff(bornova, "admin", Role.ORG_ADMIN, "Selin", "Aksoy", superuser=True),
        "pr": _staff(bornova, "pr", Role.PR_MANAGER, "Murat", "Ergin"),
        "basin": _staff(bornova, "basin", Role.PRESS_OFFICER, "Gizem", "Tan"),
        "masa": _staff(bornova, "masa", Role.AGENT, "Hülya", "Öner"),
        "cagri": _staff(bornova, "cagri", Role.AGENT, "Kerem", "Işık"),
    }
    for code, first, last in [
        ("fen-isleri", "Ali", "Uçar"),
        ("temizlik", "Serkan", "Baş"),
        ("park-bahce", "Nur", "Yeşil"),
        ("zabita", "Cem", "Şen"),
        ("veteriner", "Pınar", "Can"),
    ]:
        short = code.split("-")[0]
        staff[f"{short}.mudur"] = _staff(
            bornova, f"{short}.mudur", Role.DIRECTORATE_MANAGER, first, last, directorate=dirs[code]
        )
        staff[f"{short}.personel"] = _staff(
            bornova,
            f"{short}.personel",
            Role.DIRECTORATE_STAFF,
            "Deniz",
            last,
            directorate=dirs[code],
        )

    tdirs = {code: _directorate(tehran, code, name) for code, name in data.TEHRAN_DIRECTORATES}
    tcats = {
        code: _category(tehran, code, name, tdirs[d], sla)
        for code, name, d, sla in data.TEHRAN_CATEGORIES
    }
    tstaff = {
        "admin": _staff(tehran, "tehran.admin", Role.ORG_ADMIN, "Sara", "Ahmadi", language="fa"),
        "agent": _staff(tehran, "tehran.masa", Role.AGENT, "Reza", "Karimi", language="fa"),
        "worker": _staff(
            tehran,
            "tehran.khadamat",
            Role.DIRECTORATE_STAFF,
            "Ali",
            "Hosseini",
            directorate=tdirs["khadamat"],
            language="fa",
        ),
    }

    rng = random.Random(seed)
    created = _bornova_requests(bornova, cats, dirs, staff, rng, requests_per_org)
    created += _tehran_requests(tehran, tcats, tstaff, rng)
    return {
        "organisations": Organisation.objects.count(),
        "new_requests": created,
        "requests": Request.objects.count(),
    }


def _bornova_requests(
    org: Organisation,
    cats: dict[str, Category],
    dirs: dict[str, Directorate],
    staff: dict[str, Staff],
    rng: random.Random,
    n: int,
) -> int:
    now = timezone.now()
    channels = [
        Channel.DESK,
        Channel.PHONE,
        Channel.PHONE,
        Channel.WEB,
        Channel.WEB,
        Channel.EMAIL,
        Channel.FIELD,
        Channel.SOCIAL,
        Channel.PETITION,
        Channel.CIMER,
    ]
    created = 0
    for i in range(n):
        roll = rng.random()
        if roll < 0.04:
            cat_code = rng.choice(["park-bakim", "asfalt"])
            subject, text = rng.choice(data.THANKS)
            kind, language = Kind.THANKS, "tr"
        elif roll < 0.07:
            cat_code, subject, text = rng.choice(data.ENGLISH)
            kind, language = Kind.COMPLAINT, "en"
        elif roll < 0.09:
            cat_code, subject, text = rng.choice(data.PERSIAN)
            kind, language = Kind.COMPLAINT, "fa"
        else:
            cat_code = rng.choice(list(data.TEXTS))
            subject, text = rng.choice(data.TEXTS[cat_code])
            kind = rng.choice([Kind.REQUEST, Kind.COMPLAINT, Kind.COMPLAINT])
            if cat_code in ("imar-bilgi", "spor-tesis", "kentsel-donusum-bilgi"):
                kind = Kind.INFORMATION
            if cat_code == "kultur-etkinlik":
                kind = Kind.SUGGESTION
            language = "tr"
        street = rng.choice(data.STREETS)
        text = text.format(street=street, n=rng.randint(1, 180))
        created_at = now - timedelta(days=rng.uniform(0, 90), hours=rng.uniform(0, 23))
        first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
        lat = 38.4697 + rng.uniform(-0.03, 0.03)
        lon = 27.2211 + rng.uniform(-0.04, 0.04)
        result = req_services.request_create(
            organisation=org,
            actor=staff["masa"] if rng.random() < 0.5 else None,
            channel=rng.choice(channels),
            subject=subject,
            text=text,
            kind=kind,
            category=cats[cat_code] if rng.random() < 0.85 else None,
            language=language,
            latitude=round(lat, 6),
            longitude=round(lon, 6),
            address=f"{street} No:{rng.randint(1, 180)}",
            neighbourhood=rng.choice(data.NEIGHBOURHOODS),
            contact_name=f"{first} {last}",
            contact_phone=f"+90 5{rng.randint(30, 59)} {rng.randint(100, 999)} "
            f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
            contact_email=f"vatandas{i}@example.org" if rng.random() < 0.4 else "",
            idempotency_key=f"demo-bornova-{i}",
            created_at=created_at,
            notify=False,
            actor_label="Web" if rng.random() < 0.5 else "",
        )
        if not result.created:
            continue
        created += 1
        _progress(result.request, staff, cats[cat_code], rng, now)
    return created


def _worker_for(request: Request, staff: dict[str, Staff]) -> Staff:
    for s in staff.values():
        if s.role == Role.DIRECTORATE_STAFF and s.directorate_id == request.directorate_id:
            return s
    return staff["pr"]


def _progress(
    request: Request,
    staff: dict[str, Staff],
    intended: Category,
    rng: random.Random,
    now: Any,
) -> None:
    """Move a sample request along its life, older ones further, then space out the events."""
    age_days = (now - request.created_at).total_seconds() / 86400
    # Older requests are mostly answered and closed; a tail stays open as a real backlog.
    stage = min(6, int(age_days / 1.2 + rng.random() * 3))
    if rng.random() < 0.07:
        stage = min(stage, rng.randint(0, 3))
    agent, pr = staff["masa"], staff["pr"]
    if stage == 0:
        return
    if request.directorate is None:
        # the desk reads the text and picks the category the citizen did not
        request = req_services.request_triage(request=request, actor=agent, category=intended)
    if stage >= 2:
        if rng.random() < 0.08:
            others = Directorate.objects.filter(organisation_id=request.organisation_id)
            target = rng.choice([d for d in others if d.pk != request.directorate_id])
            request = req_services.request_transfer(
                request=request,
                actor=pr,
                directorate=target,
                reason="Konu ilgili müdürlüğün görev alanında.",
            )
        worker = _worker_for(request, staff)
        assignee = worker if worker.role == Role.DIRECTORATE_STAFF else None
        request = req_services.request_assign(request=request, actor=pr, assignee=assignee)
    if stage >= 3:
        worker = _worker_for(request, staff)
        request = req_services.request_start(request=request, actor=worker)
        if rng.random() < 0.3:
            req_services.request_add_note(
                request=request,
                actor=worker,
                text="Ekip yönlendirildi, yerinde inceleme yapılacak.",
            )
    if stage >= 4:
        worker = _worker_for(request, staff)
        request = req_services.request_answer(
            request=request,
            actor=worker,
            answer="Talebiniz ekiplerimizce yerinde incelenmiş ve gerekli çalışma yapılmıştır. "
            "İlginiz için teşekkür ederiz.",
        )
    if stage >= 5:
        request = req_services.request_close(request=request, actor=pr)
    _spread_events(request, rng, now)


def _spread_events(request: Request, rng: random.Random, now: Any) -> None:
    events = list(RequestEvent.objects.filter(request=request).order_by("id"))
    at = request.created_at
    limit = now - timedelta(minutes=5)
    for event in events[1:]:
        at = min(at + timedelta(hours=rng.uniform(0.5, 30)), limit)
        event.created_at = at
        if event.to_state == "answered":
            request.first_answered_at = request.first_answered_at and at
        if event.to_state == "closed":
            request.closed_at = at
    RequestEvent.objects.bulk_update(events, ["created_at"])
    Request.objects.filter(pk=request.pk).update(
        first_answered_at=request.first_answered_at, closed_at=request.closed_at
    )


def _tehran_requests(
    org: Organisation, cats: dict[str, Category], staff: dict[str, Staff], rng: random.Random
) -> int:
    now = timezone.now()
    created = 0
    for i in range(24):
        code, subject, text = data.TEHRAN_TEXTS[i % len(data.TEHRAN_TEXTS)]
        result = req_services.request_create(
            organisation=org,
            actor=staff["agent"],
            channel=rng.choice([Channel.PHONE, Channel.WEB, Channel.DESK]),
            subject=subject,
            text=text,
            category=cats[code],
            language="fa",
            neighbourhood=rng.choice(["یوسف‌آباد", "امیرآباد", "ولیعصر", "جمالزاده"]),
            contact_name=rng.choice(["مریم رضایی", "حسین محمدی", "زهرا کریمی"]),
            contact_phone=f"+98 912 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            idempotency_key=f"demo-tehran-{i}",
            created_at=now - timedelta(days=rng.uniform(0, 40)),
            notify=False,
        )
        if result.created:
            created += 1
            if i % 3 == 0 and result.request.directorate_id == staff["worker"].directorate_id:
                req_services.request_assign(
                    request=result.request, actor=staff["admin"], assignee=staff["worker"]
                )
    return created
