"""Email extraction: the bio table, precision/recall, provenance, flags, merging, fields."""

from collections import Counter
from fractions import Fraction

import pytest

from scraping.contacts import (
    EMAIL_SOURCES,
    EmailDetail,
    email_from_field,
    extract_emails,
    is_role_based,
    merge_emails,
)
from scraping.contacts.tlds import MAIL_PROVIDERS, tld_is_delegated

from .bio_cases import CASES

# Bios where the extractor is knowingly wrong; each is explained next to it in bio_cases.py.
KNOWN_MISSES = {
    "Mail: hola @luzdiaz.es",
}


def emails(text, **kw):
    return [d.email for d in extract_emails(text, **kw)]


def _case_params():
    xfail = pytest.mark.xfail(strict=True, reason="known limitation, see bio_cases.py")
    return [
        pytest.param(bio, expected, id=f"bio{i:03d}", marks=[xfail] if bio in KNOWN_MISSES else [])
        for i, (bio, expected) in enumerate(CASES)
    ]


@pytest.mark.parametrize(("bio", "expected"), _case_params())
def test_bio_table(bio, expected):
    assert emails(bio) == expected


def test_table_is_big_and_varied():
    assert len(CASES) >= 90
    assert len({bio for bio, _ in CASES}) == len(CASES)  # no duplicate rows
    assert sum(1 for _, expected in CASES if not expected) >= 25  # traps
    assert sum(len(expected) for _, expected in CASES) >= 100
    markers = ["Escríbeme", "Parcerias", "Créatrice", "Kooperationen", "협업", "お仕事"]
    markers += ["للتواصل", "Сотрудничество", "ईमेल", "Collabs"]  # es pt fr de ko ja ar ru hi en
    text = "\n".join(bio for bio, _ in CASES)
    assert [m for m in markers if m not in text] == []


def test_precision_and_recall_on_the_table():
    # Over the multiset of (case, address): TP = in both, FP = found only, FN = expected only.
    tp = fp = fn = 0
    for i, (bio, expected) in enumerate(CASES):
        want = Counter((i, e) for e in expected)
        got = Counter((i, e) for e in emails(bio))
        tp += sum((want & got).values())
        fp += sum((got - want).values())
        fn += sum((want - got).values())
    assert (tp, fp, fn) == (130, 0, 1)
    precision, recall = Fraction(tp, tp + fp), Fraction(tp, tp + fn)
    assert precision >= Fraction(98, 100)
    assert recall >= Fraction(98, 100)


@pytest.mark.parametrize(
    "text",
    [
        "@nike @adidas",
        "logo@2x.png icon@3x.webp image@2x.jpg",
        "v1.2@3.4",
        "npm i pkg@1.2.3",
        "git@github.com:org/repo.git",
        "https://medium.com/@writer youtube.com/@chan",
        "https://user:pass@host.com/path",
        "ssh://git@gitlab.com/org/repo",
        "@user.name",
        "name@domain",
        "name@domain.c",
        "@jane@mastodon.social",
        "Meet me at the gym. Dot your i's",
        "find us at brand dot com, shop at nike.com",
        "info@brand.\ncom",
        "name [at]\nbrand [dot] com",
        "at a dot com",
        "we are at a dot com startup",
        "Founder at Acme dot com",
        "jane at acme dot com",
        "l@dy.gaga c@t.lover",
        "@john.doe snap @mike.b",
        "tiktok@jane.doe",
        "it's at gmail dot com",
        "ftp://jane:pw@files.host.com",
    ],
)
def test_no_false_positives(text):
    assert emails(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("first+collabs@brand.com", "first+collabs@brand.com"),
        ("Info@Sub.Brand.CO.UK.", "info@sub.brand.co.uk"),
        ("(hello@brand.studio)!", "hello@brand.studio"),
        ("<hello@brand.com>;", "hello@brand.com"),
        ("'hello@brand.com'", "hello@brand.com"),
        ("mailto:hello@brand.com", "hello@brand.com"),
        ("info@brand.com.Thanks for visiting", "info@brand.com"),
        ("info@brand.com\nnext line", "info@brand.com"),
        ("https://brand.com/contact?email=info@brand.com", "info@brand.com"),
        ("jürgen@bergfreunde.at", "jürgen@bergfreunde.at"),
        ("o'brien@gmail.com", "o'brien@gmail.com"),
        ("d’angelo@x.com", "d'angelo@x.com"),
        ("'o'brien@x.com'", "o'brien@x.com"),
        ("jane@studio.com/booking", "jane@studio.com"),
        ("inquiries...jane@x.com", "jane@x.com"),
        ("inquiries…jane@x.com", "jane@x.com"),
        ("→jane@x.com", "jane@x.com"),
        ("saddle@stables.horse", "saddle@stables.horse"),
    ],
)
def test_literal_normalisation(text, expected):
    assert emails(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected", "deobfuscated"),
    [
        ("hello@brand.com", "hello@brand.com", False),
        ("name [at] domain [dot] com", "name@domain.com", True),
        ("name(at)domain(dot)de", "name@domain.de", True),
        ("name {at} domain {dot} co {dot} uk", "name@domain.co.uk", True),
        ("name AT domain DOT com", "name@domain.com", True),
        ("name @ domain . com", "name@domain.com", True),
        ("name＠domain．com", "name@domain.com", True),
        ("name [@] domain.com", "name@domain.com", True),
        ("name(@)domain.com", "name@domain.com", True),
        ("name\u3000(at)\u3000domain\u3000(dot)\u3000jp", "name@domain.jp", True),
        ("name\u00a0[at]\u00a0domain\u00a0[dot]\u00a0com", "name@domain.com", True),
        ("name[arroba]domain[punto]es", "name@domain.es", True),
        ("name (собака) domain (точка) ru", "name@domain.ru", True),
        ("info★brand.jp（★を@に変えてください）", "info@brand.jp", True),
        ("in\u200bfo@brand.com", "info@brand.com", True),
        ("info@brand[dot]com", "info@brand.com", True),
        ("jane AT acme DOT com", "jane@acme.com", True),
        ("d’angelo@x.com", "d'angelo@x.com", False),  # a phone's apostrophe is no disguise
    ],
)
def test_deobfuscation_flag(text, expected, deobfuscated):
    [detail] = extract_emails(text)
    assert (detail.email, detail.deobfuscated) == (expected, deobfuscated)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jane at acme dot com", []),  # "dot" alone is no evidence
        ("Email: jane at acme dot com", ["jane@acme.com"]),  # a cue before it
        ("Contact:\njane at acme dot com", ["jane@acme.com"]),  # a cue on the line above
        ("Contact:\nsee you there\njane at acme dot com", []),  # only the line just above
        ("jane at gmail dot com", ["jane@gmail.com"]),  # a mail provider
        ("hello at acme dot com", ["hello@acme.com"]),  # a role-based local part
        ("jane AT acme DOT com", ["jane@acme.com"]),  # shouted
        ("JANE AT ACME DOT COM", []),  # an all-capitals sentence shouts nothing
        ("jane @ acme . com", ["jane@acme.com"]),  # a spaced-sign dot
        ("jane at acme [dot] com", ["jane@acme.com"]),  # a bracketed dot
        ("Email: founder at acme dot com", []),  # a job title, even after a cue
    ],
)
def test_weak_at_needs_evidence(text, expected):
    assert emails(text) == expected


@pytest.mark.parametrize(
    ("label", "delegated"),
    [
        ("com", True),
        ("COM", True),
        ("photography", True),
        ("horse", True),
        ("xn--p1ai", True),
        ("gaga", False),
        ("lover", False),
        ("doe", False),
        ("official", False),
        ("localhost", False),
    ],
)
def test_tld_is_delegated(label, delegated):
    assert tld_is_delegated(label) is delegated


def test_every_mail_provider_has_a_delegated_tld():
    assert [d for d in MAIL_PROVIDERS if not tld_is_delegated(d.rsplit(".", 1)[-1])] == []


@pytest.mark.parametrize(
    ("address", "role"),
    [
        ("info@x.com", True),
        ("contact@x.com", True),
        ("support@x.com", True),
        ("hello@x.com", True),
        ("hello+brands@x.com", True),
        ("press.office@x.com", True),
        ("info.de@x.com", True),
        ("booking-eu@x.com", True),
        ("support2@x.com", True),
        ("no-reply@x.com", True),
        ("Partnerships@x.com", True),
        ("jane@x.com", False),
        ("hello.jane@x.com", False),
        ("jane.press@x.com", False),
        ("jane+info@x.com", False),
    ],
)
def test_role_based(address, role):
    assert is_role_based(address) is role


def test_every_source_is_recorded():
    for source in EMAIL_SOURCES:
        assert extract_emails("a@brand.com", source=source)[0].source == source
        assert email_from_field("a@brand.com", source=source)[0].source == source
    assert extract_emails("a@brand.com")[0].source == "bio"


def test_unknown_source_is_rejected():
    with pytest.raises(ValueError, match="unknown email source"):
        extract_emails("a@brand.com", source="tiktok")
    with pytest.raises(ValueError, match="unknown email source"):
        email_from_field(None, source="youtube")


def test_as_dict_uses_api_field_names():
    detail = extract_emails("hello [at] brand [dot] com")[0]
    assert detail.as_dict() == {
        "email": "hello@brand.com",
        "source": "bio",
        "deobfuscated": True,
        "roleBased": True,
    }


def test_dedupe_and_order_of_appearance():
    text = "b@y.com then A@X.COM, then a [at] x [dot] com, b@y.com and c(at)z.org"
    assert emails(text) == ["b@y.com", "a@x.com", "c@z.org"]
    assert emails(None) == [] and emails("") == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Creator@Brand.com", ["creator@brand.com"]),
        ("a@x.com, b@y.com; c@z.com d@w.com", ["a@x.com", "b@y.com", "c@z.com", "d@w.com"]),
        ("a@x.com,a@x.com", ["a@x.com"]),
        (" mailto:a@x.com ", ["a@x.com"]),
        ("not an email", []),
        ("", []),
        (None, []),
    ],
)
def test_email_from_field(value, expected):
    found = email_from_field(value, source="channel_email")
    assert [d.email for d in found] == expected
    assert all(d.source == "channel_email" and not d.deobfuscated for d in found)


def test_merge_first_occurrence_wins_and_order_is_kept():
    bio = extract_emails("x@a.com y@b.com", source="bio")
    field = email_from_field("y@b.com z@c.com", source="business_email")
    merged = merge_emails(bio, field, [])
    assert [(d.email, d.source) for d in merged] == [
        ("x@a.com", "bio"),
        ("y@b.com", "bio"),
        ("z@c.com", "business_email"),
    ]
    assert merge_emails() == []
    assert isinstance(merged[0], EmailDetail)


def test_bench_reports_the_same_numbers():
    from bench.emails import run

    result = run(repeat=1)
    assert (result["ours"]["tp"], result["ours"]["fp"], result["ours"]["fn"]) == (130, 0, 1)
    assert result["naive_regex"]["precision"] < result["ours"]["precision"]
    assert result["naive_regex"]["recall"] < result["ours"]["recall"]
