"""Moves the citizens app's former access log (CitizenAccessLog) into the one
personal-data access log, so the organisation admin's page lists every read."""

from django.db import migrations

BATCH = 2000


def forwards(apps, schema_editor):
    old = apps.get_model("citizens", "CitizenAccessLog")
    new = apps.get_model("ops", "PersonalDataAccess")
    rows = old.objects.select_related("staff__user").order_by("id").iterator(chunk_size=BATCH)
    batch = []
    for row in rows:
        user = row.staff.user if row.staff_id else None
        batch.append(
            new(
                organisation_id=row.organisation_id,
                staff_id=row.staff_id,
                staff_label=getattr(user, "username", "") if user else "",
                citizen_id=row.citizen_id,
                what=f"citizen.{row.action}"[:100],
                created_at=row.created_at,
            )
        )
        if len(batch) >= BATCH:
            new.objects.bulk_create(batch)
            batch = []
    if batch:
        new.objects.bulk_create(batch)


def backwards(apps, schema_editor):
    """Gives the citizens' entries back to the re-created CitizenAccessLog table."""
    old = apps.get_model("citizens", "CitizenAccessLog")
    new = apps.get_model("ops", "PersonalDataAccess")
    moved = new.objects.filter(what__startswith="citizen.", citizen__isnull=False)
    for row in moved.order_by("id"):
        copy = old.objects.create(
            organisation_id=row.organisation_id,
            staff_id=row.staff_id,
            citizen_id=row.citizen_id,
            action=row.what.removeprefix("citizen.")[:30],
        )
        # auto_now_add stamped the copy with the current time; the entry keeps its own
        old.objects.filter(pk=copy.pk).update(created_at=row.created_at)
    moved.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ops", "0001_security_and_retention"),
        ("citizens", "0002_handles_and_access_log"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
