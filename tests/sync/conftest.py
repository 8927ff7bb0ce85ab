"""A fake Salesforce (HTTPS, recorded shapes) and the environment pointing csbot at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fake_salesforce import FakeSalesforce

PAGE = 200  # the smallest batchSize Salesforce allows: many pages from few records


@pytest.fixture
def fake_sf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSalesforce]:
    with FakeSalesforce(tmp_path / "tls") as fake:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fake.ca_path))
        yield fake


@pytest.fixture
def sf_env(db_url: str, fake_sf: FakeSalesforce, monkeypatch: pytest.MonkeyPatch) -> FakeSalesforce:
    """csbot configured for the fake by access token (the CLI reads these at each invoke)."""
    monkeypatch.setenv("CSBOT_DATABASE_URL", db_url)
    monkeypatch.setenv("CSBOT_SALESFORCE_INSTANCE_URL", fake_sf.instance_url)
    monkeypatch.setenv("CSBOT_SALESFORCE_ACCESS_TOKEN", fake_sf.token)
    monkeypatch.setenv("CSBOT_SALESFORCE_PAGE_SIZE", str(PAGE))
    monkeypatch.setenv("CSBOT_SALESFORCE_RETRY_SECONDS", "0.001")
    monkeypatch.setenv("CSBOT_SALESFORCE_MAX_RETRIES", "3")
    monkeypatch.setenv("CSBOT_EMBEDDER", "hashing")
    return fake_sf
