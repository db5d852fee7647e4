"""Deep enrichment from a search's page: the cost is shown first; a confirmed start fetches
exactly the creators whose metrics are not fresh."""

import pytest
from django.urls import reverse
from django.utils import timezone

from scraping.models import CreatorMetrics
from tests.factories import make_campaign, make_creator, make_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    tasks = []
    monkeypatch.setattr("scraping.metrics.services.enqueue", lambda *args: tasks.append(args))
    return tasks


@pytest.fixture
def search(user):
    job = make_job(user, make_campaign(user), "instagram", "hashtag", processed_results=3)
    creators = [make_creator(job, username=f"c{n}", external_id=f"ig-{n}") for n in range(3)]
    CreatorMetrics.objects.create(
        platform="instagram",
        external_id="ig-0",
        status=CreatorMetrics.Status.READY,
        fetched_at=timezone.now(),
    )
    return job, creators


def test_the_page_shows_the_cost_before_anything_is_fetched(auth_client, search, enqueued):
    job, _ = search
    page = auth_client.get(reverse("search_deep_enrichment", args=[job.pk])).content.decode()
    assert '<dd data-testid="creators">3</dd>' in page
    assert '<dd data-testid="fresh">1</dd>' in page
    assert '<dd data-testid="to-fetch">2</dd>' in page
    assert "This costs <strong>2 credits</strong> (up to 4:" in page
    assert '<input type="hidden" name="max_credits" value="4">' in page
    assert enqueued == []


def test_a_confirmed_start_fetches_only_what_is_not_fresh(auth_client, search, enqueued):
    job, creators = search
    url = reverse("search_deep_enrichment", args=[job.pk])
    response = auth_client.post(url, {"max_credits": "4"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("search_detail", args=[job.pk])
    assert "Fetching recent posts of 2 creators" in response.content.decode()
    assert [sorted(ids) for _task, _job, ids in enqueued] == [
        sorted(str(c.pk) for c in creators[1:])
    ]


def test_a_cost_above_the_confirmed_one_asks_again(auth_client, search, enqueued):
    job, _ = search
    url = reverse("search_deep_enrichment", args=[job.pk])
    response = auth_client.post(url, {"max_credits": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "Deep enrichment now costs up to 4 credits, more than the 1 confirmed." in (
        response.content.decode()
    )
    assert enqueued == []


def test_another_users_search_is_not_found(client, other_user, search, enqueued):
    job, _ = search
    client.force_login(other_user)
    url = reverse("search_deep_enrichment", args=[job.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"max_credits": "4"}).status_code == 404
    assert enqueued == []


@pytest.mark.parametrize("count", [1, 40])
def test_the_page_takes_the_same_queries_for_one_creator_or_many(
    auth_client, user, django_assert_num_queries, count
):
    job = make_job(user, make_campaign(user), processed_results=count)
    for n in range(count):
        make_creator(job, external_id=f"x-{n}")
    url = reverse("search_deep_enrichment", args=[job.pk])
    # The first request of a process also loads the knob registry; count a warm one.
    auth_client.get(url)
    # Session, user, profile (twice: onboarding and the trial banner), the search, its
    # creators and their metrics rows.
    with django_assert_num_queries(7):
        auth_client.get(url)
