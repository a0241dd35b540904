import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in English here; the Turkish default is covered elsewhere."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
