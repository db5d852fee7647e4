"""Links, addresses inside links, other-platform handles, and the one-call extract_contacts."""

import pytest

from scraping.contacts import (
    ContactInfo,
    emails_in_urls,
    extract_contacts,
    extract_urls,
    normalise_links,
    social_handles,
)


def test_extract_urls_from_a_bio():
    bio = (
        "Links: linktr.ee/jane, https://www.YouTube.com/@JaneDoe. "
        "(see https://en.wikipedia.org/wiki/Foo_(bar)) www.janedoe.com/shop! HTTP://Shop.X.COM/ "
        "jane.tv and again https://linktr.ee/jane"
    )
    assert extract_urls(bio) == [
        "https://linktr.ee/jane",
        "https://www.youtube.com/@JaneDoe",
        "https://en.wikipedia.org/wiki/Foo_(bar)",
        "https://www.janedoe.com/shop",
        "http://shop.x.com",
        "https://jane.tv",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "hi@brand.com",
        "jane.doe.studio@brand.com",
        "follow @brand.co and @jane.doe.art",
        "Mr.Beast it.Me e.g. node.js v1.2.3",
        "cook.eat.love | beauty.fashion.travel",
        "jane(at)gmail.com, jane [at] janedoe.com",
        "mailto:hi@brand.com",
        "",
        None,
    ],
)
def test_extract_urls_ignores_non_links(text):
    assert extract_urls(text) == []


def test_extract_urls_unwraps_instagram_redirects():
    wrapped = "https://l.instagram.com/?u=https%3A%2F%2Flinktr.ee%2Fjane&e=AT0abc"
    assert extract_urls(wrapped) == ["https://linktr.ee/jane"]


def test_normalise_links_accepts_every_platform_shape():
    tiktok_bio_link = {"link": "linktr.ee/tt.jane", "risk": 0}
    instagram_bio_links = [
        {
            "title": "Shop",
            "url": "https://shop.jane.com/",
            "lynx_url": "https://l.instagram.com/?u=https%3A%2F%2Fshop.jane.com%2F",
            "link_type": "external",
        },
        {"title": "", "url": None, "lynx_url": "https://l.instagram.com/?u=https%3A%2F%2Fa.co%2Fb"},
    ]
    youtube_links = ["https://twitter.com/jane", "youtube.com/@Jane", "https://twitter.com/jane"]
    assert normalise_links([tiktok_bio_link, instagram_bio_links, youtube_links, None, ""]) == [
        "https://linktr.ee/tt.jane",
        "https://shop.jane.com",
        "https://a.co/b",
        "https://twitter.com/jane",
        "https://youtube.com/@Jane",
    ]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (None, []),
        ("https://jane.com", ["https://jane.com"]),
        ({"url": "https://jane.com/a"}, ["https://jane.com/a"]),
        ({"title": "Blog", "url": "jane.blog"}, ["https://jane.blog"]),
        (["mailto:jane@x.com", "jane@x.com", "@jane", "not a link"], []),
        ("see beacons.ai/jane and jane.com", ["https://beacons.ai/jane", "https://jane.com"]),
        ("https://user:secret@jane.com/x", ["https://jane.com/x"]),
    ],
)
def test_normalise_links_shapes(values, expected):
    assert normalise_links(values) == expected


def test_emails_in_urls():
    urls = [
        "mailto:Info@Jane.com?subject=Collab",
        "https://jane.com/contact?email=press%40jane.com",
        "https://user:pw@host.com/",
        "https://youtube.com/@name",
        "https://medium.com/@name",
        "biz@jane.com",
        "https://site.com/contact/team@site.com",
        "https://l.instagram.com/?u=mailto%3Aigbiz%40jane.com",
        "mailto:info@jane.com",
        "https://cdn.site.com/img/logo@2x.png",
    ]
    found = emails_in_urls(urls, source="bio_link")
    assert [d.email for d in found] == [
        "info@jane.com",
        "press@jane.com",
        "biz@jane.com",
        "team@site.com",
        "igbiz@jane.com",
    ]
    assert {d.source for d in found} == {"bio_link"}
    assert not any(d.deobfuscated for d in found)


def test_social_handles():
    urls = [
        "https://instagram.com/p/abc",
        "https://www.instagram.com/Jane.Doe/",
        "https://www.instagram.com/someone_else",
        "https://youtube.com/@JaneDoe/videos",
        "https://www.tiktok.com/@jane.d/video/123",
        "https://x.com/jane_d/status/1",
        "twitch.tv/janeplays",
        "https://www.linkedin.com/in/Jane-Doe",
        "snapchat.com/add/janed",
        "threads.net/@jane",
        "facebook.com/profile.php?id=1",
        "https://linktr.ee/jane",
    ]
    assert social_handles(urls) == {
        "instagram": "jane.doe",
        "youtube": "@janedoe",
        "tiktok": "jane.d",
        "twitter": "jane_d",
        "twitch": "janeplays",
        "linkedin": "in/jane-doe",
        "snapchat": "janed",
        "threads": "jane",
    }


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv",
            {"youtube": "channel/UCabcdefghijklmnopqrstuv"},
        ),
        ("youtube.com/c/JaneCooks", {"youtube": "c/janecooks"}),
        ("youtube.com/user/janecooks", {"youtube": "user/janecooks"}),
        ("https://m.youtube.com/@Jane", {"youtube": "@jane"}),
        ("https://twitter.com/@jane", {"twitter": "jane"}),
        ("https://instagram.com/_u/jane", {"instagram": "jane"}),
        ("https://www.youtube.com/watch?v=abc", {}),
        ("https://www.youtube.com/shorts/abc", {}),
        ("instagram.com/explore/tags/food", {}),
        ("instagram.com/reel/Cx1", {}),
        ("https://www.tiktok.com/discover/food", {}),
        ("https://twitter.com/home", {}),
        ("https://twitter.com/intent/tweet?text=hi", {}),
        ("https://www.facebook.com/groups/123", {}),
    ],
)
def test_social_handle_paths(url, expected):
    assert social_handles([url]) == expected


def test_social_handles_takes_a_single_url_and_skips_junk():
    assert social_handles("instagram.com/jane") == {"instagram": "jane"}
    assert social_handles([None, "", "not a url", "mailto:a@b.com", "instagram.com"]) == {}


def test_extract_contacts_merges_sources_in_order():
    info = extract_contacts(
        bio="Biz: hello [at] jane [dot] com | personal jane@jane.com | instagram.com/jane",
        link_fields=[{"link": "mailto:links@jane.com", "risk": 0}, "https://youtube.com/@Jane"],
        email_fields={"business_email": "JANE@jane.com, biz@jane.com", "channel_email": None},
        external_url="https://jane.com/?email=ext%40jane.com",
    )
    assert isinstance(info, ContactInfo)
    assert [(d.email, d.source, d.deobfuscated, d.role_based) for d in info.emails] == [
        ("hello@jane.com", "bio", True, True),
        ("jane@jane.com", "bio", False, False),  # also in business_email: the bio wins
        ("links@jane.com", "bio_link", False, False),
        ("biz@jane.com", "business_email", False, True),
        ("ext@jane.com", "external_url", False, False),
    ]
    assert info.links == [
        "https://instagram.com/jane",
        "https://youtube.com/@Jane",
        "https://jane.com/?email=ext%40jane.com",
    ]
    assert info.handles == {"instagram": "jane", "youtube": "@jane"}
    assert info.as_dict()["emails"][0] == {
        "email": "hello@jane.com",
        "source": "bio",
        "deobfuscated": True,
        "roleBased": True,
    }


def test_extract_contacts_youtube_channel_email_and_empty_profile():
    info = extract_contacts(
        bio=None, link_fields=None, email_fields={"channel_email": "Creator@Studio.tv"}
    )
    assert [(d.email, d.source) for d in info.emails] == [("creator@studio.tv", "channel_email")]
    assert (info.bio, info.links, info.handles) == ("", [], {})
    empty = extract_contacts(bio="")
    assert (empty.emails, empty.links, empty.handles) == ([], [], {})
