"""The search page and the campaign page offer both formats."""

import pytest
from django.urls import reverse

from tests.factories import make_campaign, make_creator, make_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(user):
    job = make_job(user, make_campaign(user), processed_results=1)
    make_creator(job, username="maya")
    return job


def test_the_search_page_offers_csv_and_excel(auth_client, job):
    page = auth_client.get(reverse("search_detail", args=[job.pk])).content.decode()
    assert f'href="/api/export/csv?jobId={job.pk}">Export CSV</a>' in page
    assert f'href="/api/export/xlsx?jobId={job.pk}">Export Excel</a>' in page


def test_the_campaign_page_offers_csv_and_excel_for_it_and_each_search(auth_client, job):
    page = auth_client.get(reverse("campaign_detail", args=[job.campaign_id])).content.decode()
    campaign = job.campaign_id
    assert f'href="/api/export/csv?campaignId={campaign}">Export campaign CSV</a>' in page
    assert f'href="/api/export/xlsx?campaignId={campaign}">Export campaign Excel</a>' in page
    assert f'href="/api/export/csv?jobId={job.pk}">CSV</a>' in page
    assert f'href="/api/export/xlsx?jobId={job.pk}">Excel</a>' in page
