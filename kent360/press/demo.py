"""Demo data for the press office, social media and the network (idempotent).

Bornova gets a few releases (one published in Turkish and English, one in review, one
draft), media contacts in a list, an event; İzmir shares a campaign with Bornova.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kent360.network.models import Campaign
from kent360.network.services import campaign_create
from kent360.organizations.models import Organisation, Role, Staff
from kent360.press import services
from kent360.press.models import ContactList, Event, Journalist, Outlet, Release, ReleaseTranslation

RELEASES = [
    (
        "Bornova'da yeni yaşam parkı açıldı",
        "<p>Kazımdirik Mahallesi'ndeki yaşam parkı hizmete girdi.</p>",
        ("en", "New park opens in Bornova", "<p>The park in Kazımdirik is now open.</p>"),
        "publish",
    ),
    (
        "Asfalt çalışmaları hafta sonu sürecek",
        "<p>Fen İşleri ekipleri hafta sonu da çalışacak.</p>",
        None,
        "submit",
    ),
    ("Kültür sanat sezonu programı", "<p>Yeni sezon programı hazırlanıyor.</p>", None, ""),
]
CONTACTS = [
    ("Ege Gazetesi", "newspaper", "local", "Ayşe Yılmaz", "ayse@ege-gazetesi.example", "belediye"),
    ("İzmir TV", "tv", "local", "Mehmet Öz", "mehmet@izmirtv.example", "yerel yönetim"),
    ("Anadolu Haber Ajansı", "agency", "national", "Zeynep Kaya", "zeynep@aha.example", "ekonomi"),
]


def _staff(org: Organisation, role: str) -> Staff | None:
    return Staff.objects.filter(organisation=org, role=role, is_active=True).first()


def _releases(org: Organisation, officer: Staff, pr: Staff) -> int:
    made = 0
    for title, body, other, step in RELEASES:
        if ReleaseTranslation.objects.filter(release__organisation=org, title=title).exists():
            continue
        release = services.release_create(
            organisation=org, actor=officer, title=title, body=body, tags="bornova"
        )
        if other:
            services.release_save_text(
                release=release, actor=officer, language=other[0], title=other[1], body=other[2]
            )
        if step:
            services.release_transition(release=release, actor=officer, action="submit")
        if step == "publish":
            release = services.release_transition(release=release, actor=pr, action="approve")
            services.release_transition(release=release, actor=officer, action="publish")
        made += 1
    return made


def _contacts(org: Organisation) -> None:
    media_list, _c = ContactList.objects.get_or_create(organisation=org, name="Yerel basın")
    for outlet_name, kind, scope, name, email, beat in CONTACTS:
        outlet, _o = Outlet.objects.get_or_create(
            organisation=org, name=outlet_name, defaults={"kind": kind, "scope": scope}
        )
        j, _j = Journalist.objects.get_or_create(
            organisation=org, email=email, defaults={"name": name, "outlet": outlet, "beats": beat}
        )
        media_list.members.add(j)


def load_demo() -> dict[str, int]:
    bornova = Organisation.objects.filter(slug="bornova").first()
    izmir = Organisation.objects.filter(slug="izmir").first()
    if bornova is None:
        return {}
    officer, pr = _staff(bornova, Role.PRESS_OFFICER), _staff(bornova, Role.PR_MANAGER)
    made = _releases(bornova, officer, pr) if officer and pr else 0
    _contacts(bornova)
    if (
        officer
        and not Event.objects.filter(
            organisation=bornova, title="Yaşam parkı açılış töreni"
        ).exists()
    ):
        published = Release.objects.filter(organisation=bornova, state="published")
        services.event_create(
            organisation=bornova,
            actor=officer,
            title="Yaşam parkı açılış töreni",
            kind="opening",
            starts_at=timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=3),
            location="Kazımdirik Mahallesi",
            releases=list(published[:1]),
            shared_with_network=True,
        )
    izmir_officer = _staff(izmir, Role.PRESS_OFFICER) if izmir else None
    if (
        izmir_officer
        and not Campaign.objects.filter(
            organisation=izmir, title="Su tasarrufu kampanyası"
        ).exists()
    ):
        campaign_create(
            actor=izmir_officer,
            title="Su tasarrufu kampanyası",
            message="Kuraklığa karşı suyu idareli kullanalım. #Suİzmir",
            members=[bornova],
        )
    return {"releases": made}
