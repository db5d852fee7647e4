"""The OpenAPI schema and docs, and a property-based run of every operation against it."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis import checks as st_checks

from tests.factories import make_campaign, make_creator, make_job

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def wsgi_keeps_test_connection():
    """A real WSGI request closes DB connections when it ends; the test's own must survive."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token_headers(db, make_user, wsgi_keeps_test_connection):
    user = make_user("schema@example.com")
    campaign = make_campaign(user)
    job = make_job(user, campaign, status="completed", processed_results=1)
    make_creator(job, followers=10, emails=["a@b.co"], has_email=True)
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_operation_answers_5xx_or_breaks_its_schema(case, token_headers, monkeypatch):
    # Searches are created for real; keep them from running (no upstream in this test).
    monkeypatch.setattr("scraping.services.enqueue", lambda *a, **k: None)
    monkeypatch.setattr(
        "sysconfig.config._overrides",
        lambda: {
            "api.throttle_search_per_minute": 100_000,
            "api.throttle_poll_per_minute": 100_000,
        },
    )
    case.call_and_validate(
        headers=token_headers,
        checks=[
            st_checks.not_a_server_error,
            st_checks.status_code_conformance,
            st_checks.content_type_conformance,
            st_checks.response_schema_conformance,
        ],
    )


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_a_cdn(client):
    schema_response = client.get("/api/schema/")
    assert schema_response.status_code == 200
    assert b"/api/scraping/{kind}/" in schema_response.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
