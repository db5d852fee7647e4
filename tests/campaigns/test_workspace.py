"""The dashboard, the campaign workspace and its six "new search" forms."""

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from scraping.models import ScrapingJob
from tests.factories import make_campaign, make_creator, make_job

pytestmark = pytest.mark.django_db


def post_search(client, campaign, search: str, **fields):
    data = {"search": search, f"{search}-target_results": "100"}
    data.update({f"{search}-{name}": value for name, value in fields.items()})
    return client.post(f"/campaigns/{campaign.pk}/searches/", data)


# --- dashboard -------------------------------------------------------------------------------


def test_dashboard_shows_searches_creators_found_and_what_is_running(
    auth_client, user, other_user, django_assert_max_num_queries
):
    campaign = make_campaign(user, name="Runners")
    tiktok = make_job(user, campaign, keywords=["running"], processed_results=3)
    again = make_job(user, campaign, keywords=["running"], processed_results=2)
    for external_id in ("1", "2", "3"):
        make_creator(tiktok, external_id=external_id)
    for external_id in ("2", "3"):  # found again by the second search: not new
        make_creator(again, external_id=external_id)
    running = make_job(
        user,
        campaign,
        "youtube",
        "keyword",
        keywords=["marathon"],
        status="processing",
        progress=30,
        processed_results=1,
    )
    make_creator(running, external_id="1")  # the same id on YouTube is another creator
    make_campaign(user, name="Empty one")
    stranger = make_campaign(other_user, name="Stranger's")
    make_job(other_user, stranger, status="processing")

    with django_assert_max_num_queries(8):
        page = auth_client.get("/dashboard/").content.decode()

    assert "<strong>3</strong> searches" in page
    assert "<strong>4</strong> creators found (distinct)" in page
    assert "<strong>0</strong> creators found (distinct)" in page  # the empty campaign
    assert "1 running" in page
    assert "Running now" in page
    assert f'data-job-id="{running.pk}"' in page
    assert f'data-status-url="/api/jobs/{running.pk}/"' in page
    assert 'aria-valuenow="30"' in page
    assert "YouTube keyword</strong>: marathon" in page
    assert "Stranger" not in page
    assert "<strong>0</strong> searches" in page  # the empty campaign


def test_dashboard_queries_do_not_grow_with_campaigns(auth_client, user, django_assert_num_queries):
    def add_campaign(n: int) -> None:
        campaign = make_campaign(user, name=f"Campaign {n}")
        for _ in range(2):
            job = make_job(user, campaign, processed_results=2)
            make_creator(job)
            make_creator(job)

    add_campaign(0)
    auth_client.get("/dashboard/")  # the session and config are loaded once
    with django_assert_num_queries(7) as one:
        auth_client.get("/dashboard/")
    for n in range(1, 6):
        add_campaign(n)
    with django_assert_num_queries(len(one.captured_queries)):
        page = auth_client.get("/dashboard/").content.decode()
    assert page.count("<strong>4</strong> creators found (distinct)") == 6


def test_dashboard_workspace_and_creators_page_agree_on_creators_found(auth_client, user):
    campaign = make_campaign(user)
    first = make_job(user, campaign, keywords=["running"], processed_results=30)
    second = make_job(user, campaign, keywords=["running"], processed_results=30)
    for n in range(30):
        make_creator(first, external_id=f"runner-{n}")
        make_creator(second, external_id=f"runner-{n + 10}")  # 10 new, 20 found before
    dashboard = auth_client.get("/dashboard/").content.decode()
    workspace = auth_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    creators = auth_client.get(f"/campaigns/{campaign.pk}/creators/").content.decode()
    assert "<strong>40</strong> creators found (distinct)" in dashboard
    assert "All creators (40 found, distinct)" in workspace
    assert "Showing 1–40 of 40 creators." in creators
    search = auth_client.get(f"/searches/{second.pk}/").content.decode()
    assert "Showing 1–30 of 30 creators." in search  # a search counts its own


def test_dashboard_without_running_searches_has_no_running_section(auth_client, user):
    make_job(user, make_campaign(user))
    assert "Running now" not in auth_client.get("/dashboard/").content.decode()


# --- workspace -------------------------------------------------------------------------------


def test_workspace_lists_searches_with_status_progress_and_plain_words(auth_client, user):
    campaign = make_campaign(user)
    make_job(
        user,
        campaign,
        "instagram",
        "hashtag",
        keywords=["trailrunning"],
        status="partial",
        progress=45,
        processed_results=45,
        processed_runs=12,
        finish_reason="The source ran dry: found 45 of 100 creators.",
    )
    running = make_job(user, campaign, status="processing", progress=20, processed_results=20)
    page = auth_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "Instagram hashtag" in page and "trailrunning" in page
    assert "The source ran dry: found 45 of 100 creators." in page
    assert 'aria-valuenow="45"' in page and 'aria-valuenow="20"' in page
    assert f'data-job-id="{running.pk}" data-status="processing"' in page
    assert f"/api/export/csv?campaignId={campaign.pk}" in page
    assert f"/campaigns/{campaign.pk}/creators/" in page
    assert "/static/js/workspace.js" in page


def test_workspace_empty_state_and_six_forms(auth_client, user):
    campaign = make_campaign(user)
    page = auth_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "No searches yet" in page
    for key in (
        "tiktok_keyword",
        "tiktok_similar",
        "instagram_hashtag",
        "instagram_similar",
        "youtube_keyword",
        "youtube_similar",
    ):
        assert f'id="panel-{key}"' in page
        assert f'name="search" value="{key}"' in page
    # The keyword campaign shows the TikTok keyword form first; the others are hidden.
    assert 'id="panel-tiktok_keyword" aria-labelledby="tab-tiktok_keyword">' in page
    assert 'id="panel-tiktok_similar" aria-labelledby="tab-tiktok_similar" hidden>' in page
    assert 'for="id_tiktok_keyword-keywords"' in page
    assert page.count('type="radio"') == 18  # 100/500/1000 on each form


def test_similar_campaign_shows_the_similar_form_first_and_search_param_wins(auth_client, user):
    campaign = make_campaign(user, search_type="similar")
    page = auth_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert 'id="panel-tiktok_similar" aria-labelledby="tab-tiktok_similar">' in page
    page = auth_client.get(f"/campaigns/{campaign.pk}/?search=youtube_keyword").content.decode()
    assert 'id="panel-youtube_keyword" aria-labelledby="tab-youtube_keyword">' in page


def test_completed_campaign_offers_reopen_instead_of_forms(auth_client, user):
    campaign = make_campaign(user, status="completed")
    page = auth_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "Reopen it to search again" in page
    assert "Start search" not in page


# --- creating searches -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("search", "fields", "platform", "search_type", "keywords", "handle"),
    [
        (
            "tiktok_keyword",
            {"keywords": "running, Running ,marathon"},
            "tiktok",
            "keyword",
            ["running", "marathon"],
            "",
        ),
        (
            "instagram_hashtag",
            {"keywords": "#trailrunning\n#ultra"},
            "instagram",
            "hashtag",
            ["trailrunning", "ultra"],
            "",
        ),
        (
            "youtube_keyword",
            {"keywords": "trail running"},
            "youtube",
            "keyword",
            ["trail running"],
            "",
        ),
        (
            "tiktok_similar",
            {"target_username": "https://www.tiktok.com/@maya.runs?lang=en"},
            "tiktok",
            "similar",
            [],
            "maya.runs",
        ),
        (
            "instagram_similar",
            {"target_username": "@maya.trailruns"},
            "instagram",
            "similar",
            [],
            "maya.trailruns",
        ),
        (
            "youtube_similar",
            {"target_username": "https://www.youtube.com/@TrailRunnerMaya"},
            "youtube",
            "similar",
            [],
            "TrailRunnerMaya",
        ),
    ],
)
def test_each_search_starts_and_redirects_to_its_page(
    auth_client, user, search, fields, platform, search_type, keywords, handle
):
    campaign = make_campaign(user)
    response = post_search(auth_client, campaign, search, **fields)
    job = ScrapingJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/searches/{job.pk}/"
    assert (job.owner, job.campaign, job.platform, job.search_type) == (
        user,
        campaign,
        platform,
        search_type,
    )
    assert (job.keywords, job.target_username, job.target_results) == (keywords, handle, 100)
    campaign.refresh_from_db()
    assert campaign.status == "active"


def test_only_the_tiktok_keyword_form_offers_related_hashtags_off_by_default(auth_client, user):
    campaign = make_campaign(user)
    page = auth_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert page.count("expand_related") == 5  # name, id, label, help and its reference
    box = (
        '<input type="checkbox" name="tiktok_keyword-expand_related" '
        'aria-describedby="id_tiktok_keyword-expand_related_help" '
        'id="id_tiktok_keyword-expand_related">'
    )
    assert box in page  # unticked
    assert (
        f'<label class="choice" for="id_tiktok_keyword-expand_related">{box} Also search ' in page
    )
    assert 'id="id_tiktok_keyword-expand_related_help"' in page


@pytest.mark.parametrize(("ticked", "expands"), [({"expand_related": "on"}, True), ({}, False)])
def test_the_form_starts_a_search_with_or_without_related_hashtags(
    auth_client, user, ticked, expands
):
    campaign = make_campaign(user)
    response = post_search(auth_client, campaign, "tiktok_keyword", keywords="running", **ticked)
    assert response.status_code == 302
    job = ScrapingJob.objects.get()
    assert job.expand_related is expands
    assert ("related" in job.state) is expands


def test_another_search_ignores_the_related_hashtags_box(auth_client, user):
    campaign = make_campaign(user)
    post_search(auth_client, campaign, "youtube_keyword", keywords="running", expand_related="on")
    assert ScrapingJob.objects.get().expand_related is False


@pytest.mark.parametrize(
    ("search", "fields", "target", "error"),
    [
        ("tiktok_keyword", {"keywords": ""}, "100", "Enter at least one keyword."),
        ("tiktok_keyword", {"keywords": " , ,\n"}, "100", "Enter at least one keyword."),
        ("instagram_hashtag", {"keywords": "#"}, "100", "Enter at least one hashtag."),
        (
            "youtube_keyword",
            {"keywords": ",".join(f"k{i}" for i in range(11))},
            "100",
            "Use at most 10 keywords (you gave 11).",
        ),
        (
            "tiktok_keyword",
            {"keywords": "x" * 101},
            "100",
            "is too long: a keyword has at most 100 characters.",
        ),
        ("tiktok_similar", {"target_username": ""}, "100", "Enter a handle or profile URL."),
        (
            "tiktok_similar",
            {"target_username": "not a handle!"},
            "100",
            "is not a valid TikTok handle",
        ),
        (
            "instagram_similar",
            {"target_username": "https://www.tiktok.com/@maya"},
            "100",
            "That link is not a valid Instagram profile URL.",
        ),
        ("youtube_similar", {"target_username": "@x"}, "100", "is not a valid YouTube handle"),
        ("tiktok_keyword", {"keywords": "running"}, "250", "Choose a target of 100, 500 or 1000."),
        ("tiktok_keyword", {"keywords": "running"}, "", "Choose a target of 100, 500 or 1000."),
        (
            "youtube_similar",
            {"target_username": "maya"},
            "lots",
            "Choose a target of 100, 500 or 1000.",
        ),
    ],
)
def test_invalid_searches_show_inline_errors_never_a_500(
    auth_client, user, search, fields, target, error
):
    campaign = make_campaign(user)
    data = {"search": search, f"{search}-target_results": target}
    data.update({f"{search}-{k}": v for k, v in fields.items()})
    response = auth_client.post(f"/campaigns/{campaign.pk}/searches/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert error in page.replace("&quot;", '"').replace("&#x27;", "'")
    assert 'class="error"' in page
    # The failed form is the one shown, keeping what was typed.
    assert f'id="panel-{search}" aria-labelledby="tab-{search}">' in page
    assert not ScrapingJob.objects.exists()


def test_entered_terms_are_kept_after_an_error(auth_client, user):
    campaign = make_campaign(user)
    response = post_search(auth_client, campaign, "tiktok_keyword", keywords="running")
    assert response.status_code == 302
    data = {
        "search": "tiktok_keyword",
        "tiktok_keyword-keywords": "trail, road",
        "tiktok_keyword-target_results": "7",
    }
    page = auth_client.post(f"/campaigns/{campaign.pk}/searches/", data).content.decode()
    assert "trail, road</textarea>" in page


def test_a_completed_campaign_refuses_new_searches_inline(auth_client, user):
    campaign = make_campaign(user, status="completed")
    response = post_search(auth_client, campaign, "tiktok_keyword", keywords="running")
    assert response.status_code == 200
    assert "This campaign is completed. Reopen it to run new searches." in response.content.decode()
    assert not ScrapingJob.objects.exists()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.COMPLETED


def test_unknown_search_kind_is_a_message_not_a_500(auth_client, user):
    campaign = make_campaign(user)
    response = auth_client.post(
        f"/campaigns/{campaign.pk}/searches/", {"search": "myspace_psychic"}, follow=True
    )
    assert response.status_code == 200
    assert "Choose one of the six searches." in response.content.decode()
    assert not ScrapingJob.objects.exists()


def test_search_create_needs_post(auth_client, user):
    campaign = make_campaign(user)
    assert auth_client.get(f"/campaigns/{campaign.pk}/searches/").status_code == 405


# --- ownership -------------------------------------------------------------------------------


def test_another_users_campaign_is_404_for_new_searches(client, user, other_user):
    campaign = make_campaign(user)
    client.force_login(other_user)
    response = post_search(client, campaign, "tiktok_keyword", keywords="running")
    assert response.status_code == 404
    assert not ScrapingJob.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/searches/{job}/"),
        ("get", "/searches/{job}/?sort=-followers&has_email=true"),
        ("post", "/searches/{job}/cancel/"),
        ("post", "/searches/{job}/retry/"),
        ("get", "/campaigns/{campaign}/creators/"),
        ("get", "/campaigns/{campaign}/"),
        ("post", "/campaigns/{campaign}/searches/"),
    ],
)
def test_another_users_searches_are_404_on_every_page(client, user, other_user, method, path):
    campaign = make_campaign(user)
    job = make_job(user, campaign, status="processing")
    make_creator(job, username="secret_creator")
    client.force_login(other_user)
    response = getattr(client, method)(path.format(job=job.pk, campaign=campaign.pk))
    assert response.status_code == 404
    assert "secret_creator" not in response.content.decode()
    job.refresh_from_db()
    assert job.status == "processing"


def test_unknown_search_is_404(auth_client):
    assert auth_client.get("/searches/00000000-0000-0000-0000-000000000000/").status_code == 404


# --- cancel and retry ------------------------------------------------------------------------


def test_cancel_a_running_search(auth_client, user):
    job = make_job(user, make_campaign(user), status="processing", progress=40)
    response = auth_client.post(f"/searches/{job.pk}/cancel/", follow=True)
    job.refresh_from_db()
    assert (job.status, job.progress) == ("cancelled", 40)
    page = response.content.decode()
    assert "Search cancelled. The creators found so far are kept." in page
    assert "Cancelled by the user." in page
    assert "Retry search" in page


def test_cancel_a_finished_search_is_a_message_not_a_500(auth_client, user):
    job = make_job(user, make_campaign(user), status="completed")
    response = auth_client.post(f"/searches/{job.pk}/cancel/", follow=True)
    assert response.status_code == 200
    assert "This search is already completed: nothing to cancel." in response.content.decode()
    job.refresh_from_db()
    assert job.status == "completed"


def test_retry_a_timed_out_search(auth_client, user):
    job = make_job(
        user, make_campaign(user), status="timeout", progress=30, completed_at=timezone.now()
    )
    # The first step is enqueued on commit; this test's transaction never commits, so the job
    # stays pending here (the engine's own tests run it).
    response = auth_client.post(f"/searches/{job.pk}/retry/")
    assert response["Location"] == f"/searches/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.completed_at) == ("pending", None)


def test_retry_a_running_search_is_a_message(auth_client, user):
    job = make_job(user, make_campaign(user), status="processing")
    response = auth_client.post(f"/searches/{job.pk}/retry/", follow=True)
    assert "A processing search cannot be retried." in response.content.decode()


def test_cancel_returns_to_a_safe_next_page_only(auth_client, user):
    campaign = make_campaign(user)
    job = make_job(user, campaign, status="processing")
    response = auth_client.post(
        f"/searches/{job.pk}/cancel/", {"next": f"/campaigns/{campaign.pk}/"}
    )
    assert response["Location"] == f"/campaigns/{campaign.pk}/"
    job2 = make_job(user, campaign, status="processing")
    response = auth_client.post(f"/searches/{job2.pk}/cancel/", {"next": "https://evil.example/"})
    assert response["Location"] == f"/searches/{job2.pk}/"


def test_starting_a_similar_search_announces_a_look_up_not_a_success(
    auth_client, user, monkeypatch
):
    monkeypatch.setattr("scraping.services.enqueue", lambda *args: None)
    campaign = make_campaign(user)
    response = post_search(auth_client, campaign, "tiktok_similar", target_username="@maya")
    page = auth_client.get(response["Location"]).content.decode()
    assert (
        '<li class="message info">Looking up @maya: similar creators appear here once the '
        "account is found.</li>"
    ) in page
    keyword = post_search(auth_client, campaign, "tiktok_keyword", keywords="running")
    page = auth_client.get(keyword["Location"]).content.decode()
    assert '<li class="message success">TikTok keywords search started for running.</li>' in page
