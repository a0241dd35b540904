from typing import Any

from django.db import migrations

import kent360.social.fields


def encrypt_existing(apps: Any, schema_editor: Any) -> None:
    """Rows written before encryption hold the plain token; saving encrypts it."""
    SocialAccount = apps.get_model("social", "SocialAccount")
    for account in SocialAccount.objects.all().only("pk", "access_token"):
        account.save(update_fields=["access_token"])


def decrypt_existing(apps: Any, schema_editor: Any) -> None:
    SocialAccount = apps.get_model("social", "SocialAccount")
    table = SocialAccount._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        for pk, token in SocialAccount.objects.values_list("pk", "access_token"):
            cursor.execute(f"UPDATE {table} SET access_token = %s WHERE id = %s", [token, pk])


class Migration(migrations.Migration):
    dependencies = [
        ("social", "0001_social_media"),
    ]

    operations = [
        migrations.AlterField(
            model_name="socialaccount",
            name="access_token",
            field=kent360.social.fields.EncryptedTextField(verbose_name="access token"),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
