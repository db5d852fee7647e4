"""What people type into the search forms and the creators' filters, read one way everywhere."""

import re

import pytest
from django.core.exceptions import ValidationError

from core.numbers import abbreviated_count
from scraping.models import ScrapingJob
from scraping.validation import normalize_terms
from tests.factories import make_campaign

SPACE = (
    "“{0}” has a space, and a hashtag is one word: write “{1}”, or separate hashtags with commas."
)
NOT_A_HASHTAG = "“{0}” is not a hashtag: use letters or digits, like “trailrunning”."
CHARACTERS = (
    "“{0}” has characters a hashtag cannot have (only letters, digits and underscores): "
    "write “{1}”."
)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("trail running", SPACE.format("trail running", "trailrunning")),
        ("#trail   running", SPACE.format("trail running", "trailrunning")),
        ("#trail #running", SPACE.format("trail #running", "trailrunning")),
        ("🔥🔥", NOT_A_HASHTAG.format("🔥🔥")),
        ("❤️", NOT_A_HASHTAG.format("❤️")),  # an emoji with its variation selector
        ("🏃‍♀️", NOT_A_HASHTAG.format("🏃‍♀️")),  # joined by a zero-width joiner
        ("!!!", NOT_A_HASHTAG.format("!!!")),
        ("#...", NOT_A_HASHTAG.format("...")),
        ("___", NOT_A_HASHTAG.format("___")),
        ("🔥 !!", NOT_A_HASHTAG.format("🔥 !!")),
        ("trail-running", CHARACTERS.format("trail-running", "trailrunning")),
        ("running🔥", CHARACTERS.format("running🔥", "running")),
        ("run.club", CHARACTERS.format("run.club", "runclub")),
    ],
)
def test_a_hashtag_that_is_not_one_word_is_refused_with_what_to_write(typed, message):
    with pytest.raises(ValidationError) as caught:
        normalize_terms(["ultra", typed], label="hashtag")
    assert caught.value.messages == [message]


@pytest.mark.parametrize(
    ("typed", "terms"),
    [
        ("#trailrunning", ["trailrunning"]),
        ("#trail, #running", ["trail", "running"]),
        ("trail\nrunning", ["trail", "running"]),
        ("run_club, 10k, café, ランニング, दौड़", ["run_club", "10k", "café", "ランニング", "दौड़"]),
        ("#Trail, #trail", ["Trail"]),  # the same hashtag once
    ],
)
def test_hashtags_of_any_script_with_digits_and_underscores_are_kept(typed, terms):
    assert normalize_terms(typed, label="hashtag") == terms


def test_keywords_keep_their_spaces_and_symbols():
    assert normalize_terms("trail running,  gear   review , 🔥 tips", label="keyword") == [
        "trail running",
        "gear review",
        "🔥 tips",
    ]


@pytest.mark.django_db
def test_the_hashtag_form_says_what_to_write_at_its_field(auth_client, user):
    campaign = make_campaign(user)
    response = auth_client.post(
        f"/campaigns/{campaign.pk}/searches/",
        {
            "search": "instagram_hashtag",
            "instagram_hashtag-keywords": "trail running",
            "instagram_hashtag-target_results": "100",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        '<p class="error" role="alert">“trail running” has a space, and a hashtag is one word: '
        "write “trailrunning”, or separate hashtags with commas.</p>" in page
    )
    assert re.search(
        r'<textarea name="instagram_hashtag-keywords"[^>]* aria-invalid="true"[^>]*>\s*trail running<',
        page,
    )  # what was typed, marked invalid: the page's script puts the focus there
    assert not ScrapingJob.objects.exists()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("1200", 1_200),
        ("1,200", 1_200),
        ("1 200", 1_200),
        (" 12,345,678 ", 12_345_678),
        ("10k", 10_000),
        ("10K", 10_000),
        ("2.5m", 2_500_000),
        ("2.5 M", 2_500_000),
        ("1.25k", 1_250),
        ("1b", 1_000_000_000),
        ("1,000b", 10**12),
        ("1_000", 1_000),
        ("1,200.5k", 1_200_500),
        ("", None),
        ("lots", None),
        ("-5", None),
        ("1.5", None),  # a follower count is whole
        ("1.2345k", None),  # 1,234.5
        ("2,5m", None),  # a decimal comma: refused, not read as 25 million
        ("12,34", None),
        ("1,2345", None),
        ("10kk", None),
        ("2t", None),
        ("²", None),
        ("٣", None),
        ("1,001b", None),  # above the maximum
        ("9" * 31, None),
    ],
)
def test_follower_counts_are_read_as_people_write_them(text, value):
    assert abbreviated_count(text, maximum=10**12) == value
