"""Each search's CSV, read back with the csv module: exact headers and cells."""

from datetime import UTC, datetime

import pytest

from exports.safety import FORMULA_STARTS
from exports.writers import CAMPAIGN_HEADERS, HEADERS_BY_SEARCH
from tests.factories import make_campaign, make_creator, make_job

pytestmark = pytest.mark.django_db

FOUND = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
PUBLISHED = datetime(2025, 3, 1, 23, 30, tzinfo=UTC)
BIO = 'Runner, coach & "dreamer"\nDM for collabs 💌 — café olé\r\nno; semicolons, either'
NAME = 'Maya Åström, "MA" 🏃‍♀️'
EMAILS = "maya@example.com; team@maya.example"
SOURCES = "bio; bio_link"
LINKS = "https://linktr.ee/maya; https://www.instagram.com/maya.runs"
SOCIAL = "https://www.instagram.com/maya.runs/; https://x.com/mayaruns"
CAPTION = '=HYPERLINK("http://evil.example","win") #running'


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


@pytest.fixture
def campaign(user):
    return make_campaign(user)


def test_tiktok_keyword(download, user, campaign):
    job = make_job(user, campaign, "tiktok", "keyword", keywords=["running", "yoga"])
    add_rich(job)
    add_sparse(job)
    _, rows = download(jobId=job.pk)
    assert rows == [
        [
            "Username", "Followers", "Bio", "Email", "Video URL", "Description", "Likes",
            "Comments", "Shares", "Views", "Hashtags", "Created Date", "Keywords", "Platform",
            "Email Source", "Links", "Found At",
        ],
        [
            "maya.runs", "12500", BIO, EMAILS, "https://www.tiktok.com/@maya.runs/video/1",
            "'" + CAPTION, "120", "0", "", "1000", "#running #café", "2025-03-01",
            "running, yoga", "TikTok", SOURCES, LINKS, "2025-06-02",
        ],
        [
            "quiet", "", "", "", "", "", "", "", "", "", "", "", "running, yoga", "TikTok",
            "", "", "2025-06-02",
        ],
    ]  # fmt: skip


def test_youtube_keyword(download, user, campaign):
    job = make_job(user, campaign, "youtube", "keyword", keywords=["marathon"])
    add_rich(job, content_url="https://www.youtube.com/watch?v=abc")
    add_sparse(job)
    _, rows = download(jobId=job.pk)
    assert rows == [
        [
            "Channel Name", "Subscribers", "Bio", "Email", "Social Links", "Video Title",
            "Video URL", "Published Date", "Views", "Duration (seconds)", "Hashtags", "Keywords",
            "Platform", "Email Source", "Links", "Found At",
        ],
        [
            NAME, "12500", BIO, EMAILS, SOCIAL, "Marathon prep, week 1 🏅",
            "https://www.youtube.com/watch?v=abc", "2025-03-01", "1000", "61", "#running #café",
            "marathon", "YouTube", SOURCES, LINKS, "2025-06-02",
        ],
        [
            "", "", "", "", "", "", "", "", "", "", "", "marathon", "YouTube", "", "",
            "2025-06-02",
        ],
    ]  # fmt: skip


@pytest.mark.parametrize(("platform", "label"), [("tiktok", "TikTok"), ("instagram", "Instagram")])
def test_similar(download, user, campaign, platform, label):
    job = make_job(user, campaign, platform, "similar", target_username="maya")
    add_rich(job)
    add_sparse(job)
    _, rows = download(jobId=job.pk)
    assert rows == [
        [
            "Username", "Full Name", "Followers", "Bio", "Email", "Verified", "Private",
            "Profile URL", "Similarity", "Search Type", "Platform", "Email Source", "Links",
            "Found At",
        ],
        [
            "maya.runs", NAME, "12500", BIO, EMAILS, "Yes", "No",
            "https://www.tiktok.com/@maya.runs", "72.5", "Similar", label, SOURCES, LINKS,
            "2025-06-02",
        ],
        ["quiet", "", "", "", "", "No", "No", "", "", "Similar", label, "", "", "2025-06-02"],
    ]  # fmt: skip


def test_youtube_similar(download, user, campaign):
    job = make_job(user, campaign, "youtube", "similar", target_username="mayaruns")
    add_rich(job, is_private=True)
    add_sparse(job)
    _, rows = download(jobId=job.pk)
    assert rows == [
        [
            "Channel Name", "Handle", "Bio", "Email", "Social Links", "Subscribers",
            "Target Channel", "Similarity", "Search Type", "Platform", "Email Source", "Links",
            "Found At",
        ],
        [
            NAME, "maya.runs", BIO, EMAILS, SOCIAL, "12500", "mayaruns", "72.5", "Similar",
            "YouTube", SOURCES, LINKS, "2025-06-02",
        ],
        [
            "", "quiet", "", "", "", "", "mayaruns", "", "Similar", "YouTube", "", "",
            "2025-06-02",
        ],
    ]  # fmt: skip


def test_instagram_hashtag(download, user, campaign):
    job = make_job(user, campaign, "instagram", "hashtag", keywords=["fitness"])
    add_rich(job, content_url="https://www.instagram.com/p/abc/")
    add_sparse(job)
    _, rows = download(jobId=job.pk)
    assert rows == [
        [
            "Username", "Full Name", "Followers", "Bio", "Email", "Post URL", "Caption", "Likes",
            "Comments", "Hashtags", "Platform", "Email Source", "Links", "Found At",
        ],
        [
            "maya.runs", NAME, "12500", BIO, EMAILS, "https://www.instagram.com/p/abc/",
            "'" + CAPTION, "120", "0", "#running #café", "Instagram", SOURCES, LINKS,
            "2025-06-02",
        ],
        [
            "quiet", "", "", "", "", "", "", "", "", "", "Instagram", "", "", "2025-06-02",
        ],
    ]  # fmt: skip


def test_rows_follow_the_order_found(download, user, campaign):
    job = make_job(user, campaign)
    for position, name in [(3, "third"), (1, "first"), (2, "second")]:
        make_creator(job, username=name, position=position)
    _, rows = download(jobId=job.pk)
    assert [row[0] for row in rows[1:]] == ["first", "second", "third"]


def test_an_email_without_details_has_an_unknown_source(download, user, campaign):
    job = make_job(user, campaign)
    make_creator(
        job,
        emails=["a@example.com", "b@example.com"],
        email_details=[{"email": "b@example.com", "source": "bio"}],
    )
    _, rows = download(jobId=job.pk)
    header = rows[0]
    assert rows[1][header.index("Email")] == "a@example.com; b@example.com"
    assert rows[1][header.index("Email Source")] == "unknown; bio"


def test_an_empty_job_is_just_the_header(download, user, campaign):
    job = make_job(user, campaign, "youtube", "similar")
    _, rows = download(jobId=job.pk)
    assert rows == [list(HEADERS_BY_SEARCH["youtube_similar"])]


# --- formula injection in every text column -------------------------------------------------
PAYLOADS = {
    "username": "=cmd|' /C calc'!A0",
    "display_name": "+1 555 0100",
    "bio": "-2 kg\nthis week",
    "profile_url": "@SUM(1+1)",
    "content_title": "\tTabbed title",
    "content_description": "\rCR first",
    "content_url": "\nLF first",
    "emails": ["=evil@example.com"],
    "email_details": [{"email": "=evil@example.com", "source": "-bio"}],
    "links": ["@link", " =spaced"],
}
NEUTRALISED = {
    "Username": "'=cmd|' /C calc'!A0",
    "Handle": "'=cmd|' /C calc'!A0",
    "Full Name": "'+1 555 0100",
    "Channel Name": "'+1 555 0100",
    "Creator/Channel Name": "'+1 555 0100",
    "Bio": "'-2 kg\nthis week",
    "Profile URL": "'@SUM(1+1)",
    "Video Title": "'\tTabbed title",
    "Title/Description": "'\tTabbed title",
    "Description": "'\rCR first",
    "Caption": "'\rCR first",
    "Video URL": "'\nLF first",
    "Post URL": "'\nLF first",
    "Content URL": "'\nLF first",
    "Email": "'=evil@example.com",
    "Email Source": "'-bio",
    "Links": "'@link;  =spaced",
    "Keywords": "'=1+1, -yoga",
    "Target Channel": "'+maya",
}
SEARCHES = [
    ("tiktok", "keyword"),
    ("tiktok", "similar"),
    ("instagram", "similar"),
    ("instagram", "hashtag"),
    ("youtube", "keyword"),
    ("youtube", "similar"),
]


def assert_no_formula(rows):
    for row in rows:
        for cell in row:
            assert cell[:1] not in FORMULA_STARTS, row
            assert cell.lstrip()[:1] not in FORMULA_STARTS or cell.startswith("'"), row


@pytest.mark.parametrize(("platform", "search_type"), SEARCHES)
def test_formula_starts_are_neutralised_in_every_text_column(
    download, user, campaign, platform, search_type
):
    job = make_job(
        user,
        campaign,
        platform,
        search_type,
        keywords=[] if search_type == "similar" else ["=1+1", "-yoga"],
        target_username="+maya" if search_type == "similar" else "",
    )
    make_creator(job, **PAYLOADS)
    _, rows = download(jobId=job.pk)
    header, row = rows
    checked = {name: row[header.index(name)] for name in header if name in NEUTRALISED}
    assert checked == {name: NEUTRALISED[name] for name in checked}
    assert {"Email", "Email Source", "Links", "Bio"} <= set(checked)
    assert_no_formula(rows)


def test_formula_starts_are_neutralised_in_the_campaign_file(download, user, campaign):
    keyword = make_job(user, campaign, keywords=["=1+1", "-yoga"])
    similar = make_job(user, campaign, "tiktok", "similar", target_username="@maya")
    make_creator(keyword, external_id="same", **PAYLOADS)
    make_creator(similar, external_id="same", **PAYLOADS)
    _, rows = download(campaignId=campaign.pk)
    header, row = rows
    checked = {name: row[header.index(name)] for name in header if name in NEUTRALISED}
    assert checked == {name: NEUTRALISED[name] for name in checked}
    assert row[header.index("Keywords/Target")] == "'=1+1, -yoga; @maya"
    assert row[header.index("Search")] == "TikTok keyword: =1+1, -yoga; TikTok similar: @@maya"
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
        bio="old bio",
        emails=["a@example.com"],
        email_details=[{"email": "a@example.com", "source": "bio"}],
        links=["https://a.example"],
        content_url="https://www.tiktok.com/@alpha/video/1",
        content_description="first video, with a comma",
        views=10,
        likes=1,
        comments=0,
        hashtags=["run"],
        created_at=at(1, 10),
    )
    make_creator(
        tiktok_sim,
        external_id="tt-1",
        username="alpha",
        display_name="Alpha",
        followers=1500,
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

    assert rows[0] == list(CAMPAIGN_HEADERS) == [
        "Platform", "Creator/Channel Name", "Username", "Followers", "Bio", "Email",
        "Profile URL", "Content URL", "Title/Description", "Views", "Likes", "Comments",
        "Shares", "Hashtags", "Keywords/Target", "Search", "Email Source", "Links", "Found At",
    ]  # fmt: skip
    assert rows[1:] == [
        [
            "TikTok", "Alpha", "alpha", "1500", "new bio", "b@example.com; a@example.com",
            "https://www.tiktok.com/@alpha", "https://www.tiktok.com/@alpha/video/1",
            "first video, with a comma", "10", "1", "0", "", "#run", "running, yoga; maya",
            "TikTok keyword: running, yoga; TikTok similar: @maya", "bio_link; external_url",
            "https://b.example; https://a.example", "2025-06-01",
        ],
        [
            "TikTok", "", "charlie", "", "", "", "", "", "", "", "", "", "", "",
            "running, yoga", "TikTok keyword: running, yoga", "", "", "2025-06-01",
        ],
        [
            "TikTok", "", "bravo", "5", "", "", "", "", "", "", "", "", "", "", "maya",
            "TikTok similar: @maya", "", "", "2025-06-03",
        ],
        [
            "Instagram", "", "delta", "", "", "", "", "https://www.instagram.com/p/d/",
            "'+ gains", "", "7", "", "", "#gym", "#fitness, #gym",
            "Instagram hashtag: #fitness, #gym", "", "", "2025-06-02",
        ],
        [
            "Instagram", "", "foxtrot", "", "", "", "", "", "", "", "", "", "", "",
            "#fitness, #gym", "Instagram hashtag: #fitness, #gym", "", "", "2025-06-02",
        ],
        [
            "YouTube", "Echo Channel", "echo", "", "", "", "", "https://www.youtube.com/watch?v=e",
            "Marathon tips", "99", "", "", "", "", "marathon", "YouTube keyword: marathon", "",
            "", "2025-06-04",
        ],
    ]  # fmt: skip


def test_youtube_channel_id_target_is_labelled_without_at(download, user, campaign):
    channel_id = "UC" + "x" * 22
    job = make_job(user, campaign, "youtube", "similar", target_username=channel_id)
    make_creator(job, username="fan")
    _, rows = download(campaignId=campaign.pk)
    header, row = rows
    assert row[header.index("Keywords/Target")] == channel_id
    assert row[header.index("Search")] == f"YouTube similar: {channel_id}"


def test_empty_campaign_is_just_the_header(download, campaign):
    _, rows = download(campaignId=campaign.pk)
    assert rows == [list(CAMPAIGN_HEADERS)]
