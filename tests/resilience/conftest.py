import pytest

from tests.resilience.harness import postgres_admin_url


@pytest.fixture
def pg_admin_url() -> str:
    url = postgres_admin_url()
    if url is None:
        pytest.skip(
            "resilience runs start real processes against PostgreSQL: set DATABASE_URL to "
            "postgres://… (the `make test-postgres` run does)"
        )
    return url
