"""The citizens' access log is now part of ops.PersonalDataAccess (rows copied by
ops 0002_import_citizen_access_log before the table goes)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("citizens", "0002_handles_and_access_log"),
        ("ops", "0002_import_citizen_access_log"),
    ]

    operations = [migrations.DeleteModel(name="CitizenAccessLog")]
