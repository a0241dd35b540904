from django.conf import settings

from kent360.core.scheduling import periodic


@periodic("intake.sweep", every_seconds=120)
def sweep() -> object:
    from kent360.intake.tasks import sweep_inbound

    return sweep_inbound.enqueue()


@periodic("intake.imap", every_seconds=60)
def imap() -> object:
    from kent360.intake.tasks import poll_imap

    if not settings.KENT360_IMAP_HOST:
        return None
    return poll_imap.enqueue()


@periodic("intake.social", every_seconds=120)
def social() -> object:
    from kent360.intake.tasks import poll_social

    return poll_social.enqueue()


@periodic("intake.followers", every_seconds=60)
def followers() -> object:
    from kent360.intake.tasks import notify_followers

    return notify_followers.enqueue()
