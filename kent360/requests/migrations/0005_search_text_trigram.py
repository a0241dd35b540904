"""Trigram GIN index on Request.search_text (PostgreSQL only).

The inbox search is ``search_text LIKE '%key%'``: without it PostgreSQL reads every
request. SQLite has no pg_trgm and keeps scanning, which is fine at its sizes; the index
lives outside the model state, so both databases share one model definition.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = GinIndex(fields=["search_text"], opclasses=["gin_trgm_ops"], name="req_search_trgm_idx")


def add_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("requests", "Request"), INDEX)


def remove_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("requests", "Request"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("requests", "0004_inbox_open_filter_indexes")]

    operations = [
        TrigramExtension(),  # a no-op on databases other than PostgreSQL
        migrations.RunPython(add_index, remove_index),
    ]
