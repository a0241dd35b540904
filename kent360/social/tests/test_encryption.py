from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from kent360.organizations.models import Role
from kent360.social import services
from kent360.social.fields import PREFIX
from kent360.social.models import SocialAccount

pytestmark = pytest.mark.django_db

TOKEN = "mastodon-token-4f9a2c7e"


def _column(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM social_socialaccount WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def _account(world) -> SocialAccount:
    return services.account_create(
        organisation=world.org,
        actor=world.staff[Role.ORG_ADMIN],
        network="mastodon",
        name="Bornova",
        api_base="https://mastodon.example",
        access_token=TOKEN,
    )


def test_access_token_is_encrypted_in_the_database_and_read_back_in_clear(world):
    account = _account(world)
    stored = _column(account.pk)
    assert TOKEN not in stored and stored.startswith(PREFIX)
    assert SocialAccount.objects.get(pk=account.pk).access_token == TOKEN
    # two saves of the same token never store the same bytes (Fernet uses a fresh IV)
    account.save()
    assert _column(account.pk) != stored
    assert SocialAccount.objects.get(pk=account.pk).access_token == TOKEN


def test_data_migration_encrypts_tokens_stored_in_plain_text(world):
    account = _account(world)
    with connection.cursor() as cursor:  # a row as written before encryption existed
        cursor.execute(
            "UPDATE social_socialaccount SET access_token = %s WHERE id = %s", [TOKEN, account.pk]
        )
    assert _column(account.pk) == TOKEN
    assert SocialAccount.objects.get(pk=account.pk).access_token == TOKEN
    migration = importlib.import_module("kent360.social.migrations.0002_encrypt_access_tokens")
    migration.encrypt_existing(apps, None)
    assert TOKEN not in _column(account.pk)
    assert SocialAccount.objects.get(pk=account.pk).access_token == TOKEN


def test_a_changed_field_key_is_a_clear_configuration_error(world, settings):
    account = _account(world)
    settings.KENT360_FIELD_KEY = "another key"
    with pytest.raises(ImproperlyConfigured):
        SocialAccount.objects.get(pk=account.pk)
