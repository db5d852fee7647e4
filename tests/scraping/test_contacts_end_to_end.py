"""Every search fills emails with provenance that match what the fake server put in the
creator's bio, links and email fields (the fake universe keeps the ground truth)."""

import pytest

from fake_scrapecreators import universe as fake
from scraping.services import job_create

pytestmark = pytest.mark.django_db(transaction=True)

SEARCHES = [
    ("tiktok", "keyword", {"keywords": ["running"]}),
    ("tiktok", "similar", {"target_username": "trailrunner_maya"}),
    ("instagram", "hashtag", {"keywords": ["trailrunning"]}),
    ("instagram", "similar", {"target_username": "maya.trailruns"}),
    ("youtube", "keyword", {"keywords": ["trail running"]}),
    ("youtube", "similar", {"target_username": "TrailRunnerMaya"}),
]


def truth_for(creator) -> dict:
    if creator.platform == "tiktok":
        return fake.tiktok_profile_truth(creator.username)
    if creator.platform == "instagram":
        return fake.instagram_profile_truth(creator.username)
    return fake.youtube_channel_truth(creator.external_id)


@pytest.mark.parametrize(("platform", "search_type", "params"), SEARCHES)
def test_emails_and_provenance_match_the_source(
    fake_api, user, campaign, platform, search_type, params
):
    job = job_create(
        owner=user,
        campaign=campaign,
        platform=platform,
        search_type=search_type,
        target_results=40,
        **params,
    )
    job.refresh_from_db()
    assert job.status == "completed"
    with_email = 0
    for creator in job.creators.all():
        truth = truth_for(creator)
        assert sorted(creator.emails) == sorted(truth["emails"]), creator.username
        for detail in creator.email_details:
            assert detail["source"] in truth["sources"][detail["email"]], (creator.username, detail)
        assert creator.has_email == bool(truth["emails"])
        with_email += bool(creator.emails)
    assert with_email >= 5  # about 40% of the universe publishes an email
