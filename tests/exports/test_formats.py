"""The one column schema of every export, read back from the CSV: exact headers and cells."""

from datetime import UTC, datetime

import pytest
from django.apps import apps

from exports.columns import HEADERS
from exports.safety import FORMULA_STARTS
from tests.factories import make_campaign, make_creator, make_job

pytestmark = pytest.mark.django_db

FOUND = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
PUBLISHED = datetime(2025, 3, 1, 23, 30, tzinfo=UTC)
BIO = 'Runner, coach & "dreamer"\nDM for collabs 💌 — café olé\r\nno; semicolons, either'
NAME = 'Maya Åström, "MA" 🏃‍♀️'
SOURCES = "Email 1: written in the bio; Email 2: on a page linked from the bio"
LINKS = "https://linktr.ee/maya; https://www.instagram.com/maya.runs"
SOCIAL = "https://www.instagram.com/maya.runs/; https://x.com/mayaruns"
CAPTION = '=HYPERLINK("http://evil.example","win") #running'

EXPECTED_HEADER = [
    "Platform", "Handle", "Display name", "Profile URL", "Followers", "Verified", "Private",
    "Engagement", "Median views", "Email 1", "Email 2", "Email 3", "Email 4", "Email 5",
    "More emails", "Email sources", "Links", "Social links", "Bio", "Content URL",
    "Content title", "Content description", "Views", "Likes", "Comments", "Shares",
    "Published date", "Duration (seconds)", "Hashtags", "Similarity", "Search",
    "Keywords/Target", "Profile status", "Found at",
]  # fmt: skip


def add_rich(job, **overrides):
    """A creator with every exported field set, awkward characters included."""
    fields = {
        "username": "maya.runs",
        "display_name": NAME,
        "followers": 12500,
        "bio": BIO,
        "emails": ["maya@example.com", "team@maya.example"],
        # Details in another order than the emails: the sources must follow the emails.
        "email_details": [
            {
                "email": "team@maya.example",
                "source": "bio_link",
                "deobfuscated": False,
                "roleBased": True,
            },
            {
                "email": "maya@example.com",
                "source": "bio",
                "deobfuscated": True,
                "roleBased": False,
            },
        ],
        "has_email": True,
        "links": ["https://linktr.ee/maya", "https://www.instagram.com/maya.runs"],
        "social_handles": {"twitter": "mayaruns", "instagram": "maya.runs"},
        "verified": True,
        "is_private": False,
        "profile_url": "https://www.tiktok.com/@maya.runs",
        "content_title": "Marathon prep, week 1 🏅",
        "content_description": CAPTION,
        "content_url": "https://www.tiktok.com/@maya.runs/video/1",
        "views": 1000,
        "likes": 120,
        "comments": 0,  # a real zero stays 0
        "shares": None,  # unknown stays blank
        "engagement": 0.12,
        "published_at": PUBLISHED,
        "duration_seconds": 61,
        "hashtags": ["running", "café"],
        "similarity_score": 72.5,
        "created_at": FOUND,
    }
    return make_creator(job, **{**fields, **overrides})


def add_sparse(job):
    """A creator we know almost nothing about: blanks, never made-up zeros."""
    return make_creator(job, username="quiet", created_at=FOUND)


def row(cells: dict[str, str]) -> list[str]:
    """A full expected row: the given cells, and what a creator we know nothing about has in
    the others (blank, booleans No, profile Read)."""
    assert set(cells) <= set(EXPECTED_HEADER), set(cells) - set(EXPECTED_HEADER)
    blank = {name: "" for name in EXPECTED_HEADER}
    blank.update({"Verified": "No", "Private": "No", "Profile status": "Read"})
    return [{**blank, **cells}[name] for name in EXPECTED_HEADER]


@pytest.fixture
def campaign(user):
    return make_campaign(user)


def test_the_schema_is_the_documented_one():
    assert list(HEADERS) == EXPECTED_HEADER


# Every search type: the same header, the same cells; only Platform, Search and
# Keywords/Target say which search the row came from.
SEARCHES = [
    ("tiktok", "keyword", {"keywords": ["running", "yoga"]}, "TikTok",
     "TikTok keyword: running, yoga", "running, yoga"),
    ("tiktok", "similar", {"target_username": "maya"}, "TikTok",
     "TikTok similar: @maya", "maya"),
    ("instagram", "hashtag", {"keywords": ["fitness", "gym"]}, "Instagram",
     "Instagram hashtag: #fitness, #gym", "#fitness, #gym"),
    ("instagram", "similar", {"target_username": "maya.runs"}, "Instagram",
     "Instagram similar: @maya.runs", "maya.runs"),
    ("youtube", "keyword", {"keywords": ["marathon"]}, "YouTube",
     "YouTube keyword: marathon", "marathon"),
    ("youtube", "similar", {"target_username": "mayaruns"}, "YouTube",
     "YouTube similar: @mayaruns", "mayaruns"),
]  # fmt: skip


@pytest.mark.parametrize(("platform", "kind", "given", "label", "search", "terms"), SEARCHES)
def test_every_search_type_has_the_same_columns(
    download, user, campaign, platform, kind, given, label, search, terms
):
    job = make_job(user, campaign, platform, kind, **given)
    add_rich(job)
    add_sparse(job)
    _, rows = download(jobId=job.pk)
    assert rows == [
        EXPECTED_HEADER,
        [
            label, "maya.runs", NAME, "https://www.tiktok.com/@maya.runs", "12500", "Yes",
            "No", "0.12", "", "maya@example.com", "team@maya.example", "", "", "", "", SOURCES,
            LINKS, SOCIAL, BIO, "https://www.tiktok.com/@maya.runs/video/1",
            "Marathon prep, week 1 🏅", "'" + CAPTION, "1000", "120", "0", "", "2025-03-01",
            "61", "#running #café", "72.5", search, terms, "Read", "2025-06-02",
        ],
        row({"Platform": label, "Handle": "quiet", "Search": search, "Keywords/Target": terms,
             "Found at": "2025-06-02"}),
    ]  # fmt: skip


def test_files_of_different_searches_stack_under_one_header(download, user, campaign):
    tiktok = make_job(user, campaign, "tiktok", "keyword")
    youtube = make_job(user, campaign, "youtube", "similar", target_username="mayaruns")
    add_sparse(tiktok)
    add_sparse(youtube)
    _, first = download(jobId=tiktok.pk)
    _, second = download(jobId=youtube.pk)
    assert first[0] == second[0] == EXPECTED_HEADER


def test_five_email_columns_then_more_emails(download, user, campaign):
    job = make_job(user, campaign)
    emails = [f"{name}@example.com" for name in "abcdefg"]
    make_creator(
        job,
        username="many",
        emails=emails,
        email_details=[
            {"email": "a@example.com", "source": "bio"},
            {"email": "B@example.com", "source": "channel_email"},  # matched without case
            {"email": "c@example.com", "source": "business_email"},
            {"email": "d@example.com", "source": "external_url"},
            {"email": "e@example.com", "source": "bio_link"},
            {"email": "f@example.com", "source": "something new"},
        ],  # g has no details at all
        created_at=FOUND,
    )
    _, rows = download(jobId=job.pk)
    assert rows[1] == row(
        {
            "Platform": "TikTok",
            "Handle": "many",
            "Email 1": "a@example.com",
            "Email 2": "b@example.com",
            "Email 3": "c@example.com",
            "Email 4": "d@example.com",
            "Email 5": "e@example.com",
            "More emails": "f@example.com; g@example.com",
            "Email sources": (
                "Email 1: written in the bio; Email 2: the channel's contact email; "
                "Email 3: the profile's business email; Email 4: on the profile's website; "
                "Email 5: on a page linked from the bio; Email 6: on the profile; "
                "Email 7: on the profile"
            ),
            "Search": "TikTok keyword: running",
            "Keywords/Target": "running",
            "Found at": "2025-06-02",
        }
    )


def test_engagement_is_blank_when_unknown_and_zero_when_zero(download, user, campaign):
    job = make_job(user, campaign)
    make_creator(job, username="unknown", engagement=None)
    make_creator(job, username="nobody-engaged", views=50, engagement=0.0)
    _, rows = download(jobId=job.pk)
    engagement = EXPECTED_HEADER.index("Engagement")
    assert [(r[1], r[engagement]) for r in rows[1:]] == [
        ("unknown", ""),
        ("nobody-engaged", "0.0"),
    ]


def test_median_views_come_from_recent_content_metrics_or_stay_blank(download, user, campaign):
    metrics = apps.get_model("scraping", "CreatorMetrics")
    job = make_job(user, campaign)
    measured = make_creator(job, username="measured")
    metrics.objects.create(
        platform="tiktok", external_id=measured.external_id, metrics={"median_views": 4200}
    )
    not_yet = make_creator(job, username="not-yet")
    metrics.objects.create(platform="tiktok", external_id=not_yet.external_id, metrics={})
    no_views = make_creator(job, username="no-views")
    metrics.objects.create(
        platform="tiktok", external_id=no_views.external_id, metrics={"median_views": None}
    )
    make_creator(job, username="never-fetched")
    # Metrics are keyed by platform and upstream id: an Instagram creator's are not these.
    other = make_creator(job, username="same-id-elsewhere")
    metrics.objects.create(
        platform="instagram", external_id=other.external_id, metrics={"median_views": 9}
    )
    _, rows = download(jobId=job.pk)
    median = EXPECTED_HEADER.index("Median views")
    assert [(r[1], r[median]) for r in rows[1:]] == [
        ("measured", "4200"),
        ("not-yet", ""),
        ("no-views", ""),
        ("never-fetched", ""),
        ("same-id-elsewhere", ""),
    ]


def test_rows_follow_the_order_found(download, user, campaign):
    job = make_job(user, campaign)
    for position, name in [(3, "third"), (1, "first"), (2, "second")]:
        make_creator(job, username=name, position=position)
    _, rows = download(jobId=job.pk)
    assert [r[1] for r in rows[1:]] == ["first", "second", "third"]


def test_a_creator_whose_profile_was_unavailable_says_why(download, user, campaign):
    job = make_job(user, campaign)
    make_creator(job, username="gone", followers=900)
    make_creator(
        job,
        username="kept",
        enrichment="unavailable",
        enrichment_error="Profile not found upstream (404).",
    )
    _, rows = download(jobId=job.pk)
    status = EXPECTED_HEADER.index("Profile status")
    assert [(r[1], r[status]) for r in rows[1:]] == [
        ("gone", "Read"),
        ("kept", "Unavailable: Profile not found upstream (404)."),
    ]


def test_an_empty_job_is_just_the_header(download, user, campaign):
    job = make_job(user, campaign, "youtube", "similar")
    _, rows = download(jobId=job.pk)
    assert rows == [EXPECTED_HEADER]


def test_youtube_channel_id_target_is_labelled_without_at(download, user, campaign):
    channel_id = "UC" + "x" * 22
    job = make_job(user, campaign, "youtube", "similar", target_username=channel_id)
    make_creator(job, username="fan")
    _, rows = download(campaignId=campaign.pk)
    assert rows[1][-4:-2] == [f"YouTube similar: {channel_id}", channel_id]


# --- formula injection in every text column -------------------------------------------------
PAYLOADS = {
    "username": "=cmd|' /C calc'!A0",
    "display_name": "+1 555 0100",
    "bio": "-2 kg\nthis week",
    "profile_url": "@SUM(1+1)",
    "content_title": "\tTabbed title",
    "content_description": "\rCR first",
    "content_url": "\nLF first",
    "emails": ["=evil@example.com", "-2@example.com", "+3@example.com", "@4", "\u200b=5", "=6"],
    "email_details": [{"email": "=evil@example.com", "source": "-bio"}],
    "links": ["@link", " =spaced"],
    "social_handles": {"twitter": "=x"},
    "hashtags": ["=tag"],
}
NEUTRALISED = {
    "Handle": "'=cmd|' /C calc'!A0",
    "Display name": "'+1 555 0100",
    "Bio": "'-2 kg\nthis week",
    "Profile URL": "'@SUM(1+1)",
    "Content title": "'\tTabbed title",
    "Content description": "'\rCR first",
    "Content URL": "'\nLF first",
    "Email 1": "'=evil@example.com",
    "Email 2": "'-2@example.com",
    "Email 3": "'+3@example.com",
    "Email 4": "'@4",
    "Email 5": "'\u200b=5",
    "More emails": "'=6",
    "Links": "'@link;  =spaced",
}


def assert_no_formula(rows):
    for cells in rows:
        for cell in cells:
            assert cell[:1] not in FORMULA_STARTS, cells
            assert cell.lstrip()[:1] not in FORMULA_STARTS or cell.startswith("'"), cells


@pytest.mark.parametrize(("platform", "kind"), [(p, k) for p, k, *_ in SEARCHES])
def test_formula_starts_are_neutralised_in_every_text_column(
    download, user, campaign, platform, kind
):
    job = make_job(
        user,
        campaign,
        platform,
        kind,
        keywords=[] if kind == "similar" else ["=1+1", "-yoga"],
        target_username="+maya" if kind == "similar" else "",
    )
    make_creator(job, **PAYLOADS)
    _, rows = download(jobId=job.pk)
    header, cells = rows
    assert {name: cells[header.index(name)] for name in NEUTRALISED} == NEUTRALISED
    # A hashtag search's terms start with "#": nothing a spreadsheet would evaluate.
    terms = {"keyword": "'=1+1, -yoga", "hashtag": "#=1+1, #-yoga", "similar": "'+maya"}
    assert cells[header.index("Keywords/Target")] == terms[kind]
    assert_no_formula(rows)


def test_formula_starts_are_neutralised_in_the_campaign_file(download, user, campaign):
    keyword = make_job(user, campaign, keywords=["=1+1", "-yoga"])
    similar = make_job(user, campaign, "tiktok", "similar", target_username="@maya")
    make_creator(keyword, external_id="same", **PAYLOADS)
    make_creator(similar, external_id="same", **PAYLOADS)
    _, rows = download(campaignId=campaign.pk)
    header, cells = rows
    assert {name: cells[header.index(name)] for name in NEUTRALISED} == NEUTRALISED
    assert cells[header.index("Keywords/Target")] == "'=1+1, -yoga; @maya"
    assert cells[header.index("Search")] == "TikTok keyword: =1+1, -yoga; TikTok similar: @@maya"
    assert_no_formula(rows)


# --- the campaign file ----------------------------------------------------------------------
def at(day: int, hour: int = 8) -> datetime:
    return datetime(2025, 6, day, hour, 0, tzinfo=UTC)


def test_campaign_file_has_one_row_per_creator_across_searches(download, user, make_user):
    campaign = make_campaign(user, name="Été 🌞 launch")
    tiktok_kw = make_job(user, campaign, keywords=["running", "yoga"], created_at=at(1))
    tiktok_sim = make_job(user, campaign, "tiktok", "similar", target_username="maya")
    instagram = make_job(user, campaign, "instagram", "hashtag", keywords=["fitness", "gym"])
    youtube = make_job(user, campaign, "youtube", "keyword", keywords=["marathon"])
    # Alpha: found by the keyword search on June 1st, then by the similar search on June 3rd.
    make_creator(
        tiktok_kw,
        external_id="tt-1",
        username="alpha",
        display_name="Alpha Old",
        profile_url="https://www.tiktok.com/@alpha",
        followers=1000,
        verified=True,
        bio="old bio",
        emails=["a@example.com"],
        email_details=[{"email": "a@example.com", "source": "bio"}],
        links=["https://a.example"],
        social_handles={"instagram": "alpha.ig"},
        content_url="https://www.tiktok.com/@alpha/video/1",
        content_description="first video, with a comma",
        views=10,
        likes=1,
        comments=0,
        engagement=0.1,
        published_at=at(1, 6),
        duration_seconds=15,
        hashtags=["run"],
        created_at=at(1, 10),
    )
    make_creator(
        tiktok_sim,
        external_id="tt-1",
        username="alpha",
        display_name="Alpha",
        followers=1500,
        verified=False,
        bio="new bio",
        emails=["b@example.com", "a@example.com"],
        email_details=[
            {"email": "b@example.com", "source": "bio_link"},
            {"email": "a@example.com", "source": "external_url"},
        ],
        links=["https://b.example", "https://a.example"],
        similarity_score=80.0,
        created_at=at(3),
    )
    # Charlie: same platform, found after Alpha's first time, before Bravo.
    make_creator(tiktok_kw, external_id="tt-0", username="charlie", created_at=at(1, 11))
    make_creator(tiktok_sim, external_id="tt-2", username="bravo", followers=5, created_at=at(3))
    # Delta and a different Instagram creator that shares Alpha's upstream id (not merged).
    make_creator(
        instagram,
        external_id="ig-1",
        username="delta",
        content_url="https://www.instagram.com/p/d/",
        content_description="+ gains",
        likes=7,
        hashtags=["gym"],
        created_at=at(2, 8),
    )
    make_creator(instagram, external_id="tt-1", username="foxtrot", created_at=at(2, 9))
    make_creator(
        youtube,
        external_id="UC1",
        username="echo",
        display_name="Echo Channel",
        followers=None,
        content_title="Marathon tips",
        content_description="long description",
        content_url="https://www.youtube.com/watch?v=e",
        views=99,
        created_at=at(4),
    )
    # Another user's campaign never leaks into this file.
    stranger = make_user("someone@example.com")
    theirs = make_job(stranger, make_campaign(stranger), keywords=["running"])
    make_creator(theirs, external_id="tt-1", username="alpha-elsewhere")

    _, rows = download(campaignId=campaign.pk)

    assert rows == [
        EXPECTED_HEADER,
        row({
            "Platform": "TikTok", "Handle": "alpha", "Display name": "Alpha",
            "Profile URL": "https://www.tiktok.com/@alpha", "Followers": "1500",
            "Verified": "No", "Engagement": "0.1",
            "Email 1": "b@example.com", "Email 2": "a@example.com",
            "Email sources": "Email 1: on a page linked from the bio; "
                             "Email 2: on the profile's website",
            "Links": "https://b.example; https://a.example",
            "Social links": "https://www.instagram.com/alpha.ig/", "Bio": "new bio",
            "Content URL": "https://www.tiktok.com/@alpha/video/1",
            "Content description": "first video, with a comma", "Views": "10", "Likes": "1",
            "Comments": "0", "Published date": "2025-06-01", "Duration (seconds)": "15",
            "Hashtags": "#run", "Similarity": "80.0",
            "Search": "TikTok keyword: running, yoga; TikTok similar: @maya",
            "Keywords/Target": "running, yoga; maya", "Found at": "2025-06-01",
        }),
        row({
            "Platform": "TikTok", "Handle": "charlie", "Search": "TikTok keyword: running, yoga",
            "Keywords/Target": "running, yoga", "Found at": "2025-06-01",
        }),
        row({
            "Platform": "TikTok", "Handle": "bravo", "Followers": "5",
            "Search": "TikTok similar: @maya", "Keywords/Target": "maya", "Found at": "2025-06-03",
        }),
        row({
            "Platform": "Instagram", "Handle": "delta",
            "Content URL": "https://www.instagram.com/p/d/", "Content description": "'+ gains",
            "Likes": "7", "Hashtags": "#gym", "Search": "Instagram hashtag: #fitness, #gym",
            "Keywords/Target": "#fitness, #gym", "Found at": "2025-06-02",
        }),
        row({
            "Platform": "Instagram", "Handle": "foxtrot",
            "Search": "Instagram hashtag: #fitness, #gym", "Keywords/Target": "#fitness, #gym",
            "Found at": "2025-06-02",
        }),
        row({
            "Platform": "YouTube", "Handle": "echo", "Display name": "Echo Channel",
            "Content URL": "https://www.youtube.com/watch?v=e", "Content title": "Marathon tips",
            "Content description": "long description", "Views": "99",
            "Search": "YouTube keyword: marathon", "Keywords/Target": "marathon",
            "Found at": "2025-06-04",
        }),
    ]  # fmt: skip


def test_campaign_profile_comes_from_a_search_that_read_it(download, user, campaign):
    read = make_job(user, campaign, keywords=["running"])
    unread = make_job(user, campaign, keywords=["yoga"])
    make_creator(
        read, external_id="1", username="maya", verified=True, bio="Coach", created_at=at(1)
    )
    # Found again later, but the profile could not be read: the row holds only what the
    # search returned, which must not overwrite what was read.
    make_creator(
        unread,
        external_id="1",
        username="maya",
        verified=False,
        bio="",
        enrichment="unavailable",
        enrichment_error="Rate limited.",
        created_at=at(2),
    )
    make_creator(unread, external_id="2", username="lost", enrichment="unavailable")
    _, rows = download(campaignId=campaign.pk)
    verified, bio, status = (
        EXPECTED_HEADER.index(n) for n in ("Verified", "Bio", "Profile status")
    )
    assert [(r[1], r[verified], r[bio], r[status]) for r in rows[1:]] == [
        ("maya", "Yes", "Coach", "Read"),
        ("lost", "No", "", "Unavailable"),
    ]  # fmt: skip


def test_campaign_similarity_is_the_highest_any_search_gave(download, user, campaign):
    first = make_job(user, campaign, "tiktok", "similar", target_username="maya")
    second = make_job(user, campaign, "tiktok", "similar", target_username="zoe")
    make_creator(first, external_id="1", similarity_score=91.0, created_at=at(1))
    make_creator(second, external_id="1", similarity_score=40.5, created_at=at(2))
    _, rows = download(campaignId=campaign.pk)
    assert rows[1][EXPECTED_HEADER.index("Similarity")] == "91.0"


def test_empty_campaign_is_just_the_header(download, campaign):
    _, rows = download(campaignId=campaign.pk)
    assert rows == [EXPECTED_HEADER]
