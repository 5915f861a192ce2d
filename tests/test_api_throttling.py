"""Anonymous clients over the configured rate get 429, with a JSON body, not an error."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle


@pytest.fixture
def two_a_minute(monkeypatch):
    # The rate comes from ANON_THROTTLE_RATE at start-up; this sets what it would.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_anonymous_clients_over_the_rate_get_429(two_a_minute, demo):
    client = APIClient()
    assert [client.get("/api/v1/events/").status_code for _ in range(3)] == [200, 200, 429]
    response = client.get("/api/v1/timeline/")
    assert response.status_code == 429
    assert "throttled" in response.json()["detail"].lower()
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_authenticated_clients_are_not_throttled_as_anonymous(two_a_minute, demo, admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    assert {client.get("/api/v1/events/").status_code for _ in range(4)} == {200}
