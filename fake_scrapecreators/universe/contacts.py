"""Personas, awkward bios and the ground truth of the emails hidden in them.

Every email the universe writes anywhere is recorded in a `Truth`: the lower-cased address (a
`+tag` is part of it; obfuscation, full-width ＠, `mailto:` and trailing punctuation are not) and
the field it came from: bio, bio_link, business_email, channel_email or external_url.
Look-alikes that are NOT emails (`@handle` mentions, `logo@2x.png`, "10k @ 4:30/km") are mixed in
on purpose and never recorded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache

from .common import rng
from .topics import FIRST_NAMES, LAST_NAMES, Topic, topic_for_handle, words

SOURCES = ("bio", "bio_link", "business_email", "channel_email", "external_url")
EMAIL_SHARE = 0.40  # roughly 40% of creators publish at least one email somewhere

LANGUAGES = (("en", 58), ("ko", 7), ("ja", 6), ("ar", 5), ("de", 8), ("fr", 8), ("es", 8))
REGIONS = {
    "en": (
        ("US", "United States"),
        ("GB", "United Kingdom"),
        ("CA", "Canada"),
        ("AU", "Australia"),
    ),
    "ko": (("KR", "South Korea"),),
    "ja": (("JP", "Japan"),),
    "ar": (("SA", "Saudi Arabia"), ("AE", "United Arab Emirates"), ("EG", "Egypt")),
    "de": (("DE", "Germany"), ("AT", "Austria"), ("CH", "Switzerland")),
    "fr": (("FR", "France"), ("CA", "Canada"), ("BE", "Belgium")),
    "es": (("ES", "Spain"), ("MX", "Mexico"), ("AR", "Argentina")),
}
NATIVE_NAMES = {
    "ko": ("지우", "민준", "서연", "하은", "도윤", "수아"),
    "ja": ("ゆき", "はると", "あおい", "さくら", "けんじ"),
    "ar": ("ليلى", "عمر", "يوسف", "أمل", "فاطمة"),
}
ACCENTED = {
    "renee": "Renée",
    "lea": "Léa",
    "sofia": "Sofía",
    "ines": "Inés",
    "tomas": "Tomás",
    "muller": "Müller",
    "chloe": "Chloé",
    "beatriz": "Beatriz",
    "soren": "Søren",
}
CITIES = {
    "en": ("NYC", "LA", "London", "Toronto", "Sydney", "Austin", "Boulder, CO"),
    "ko": ("서울", "부산"),
    "ja": ("東京", "大阪"),
    "ar": ("الرياض", "دبي", "القاهرة"),
    "de": ("Berlin", "München", "Wien", "Zürich"),
    "fr": ("Paris", "Montréal", "Lyon"),
    "es": ("Madrid", "CDMX", "Buenos Aires", "Barcelona"),
}
FLAGS = {
    "US": "🇺🇸",
    "GB": "🇬🇧",
    "CA": "🇨🇦",
    "AU": "🇦🇺",
    "KR": "🇰🇷",
    "JP": "🇯🇵",
    "SA": "🇸🇦",
    "AE": "🇦🇪",
    "EG": "🇪🇬",
    "DE": "🇩🇪",
    "AT": "🇦🇹",
    "CH": "🇨🇭",
    "FR": "🇫🇷",
    "BE": "🇧🇪",
    "ES": "🇪🇸",
    "MX": "🇲🇽",
    "AR": "🇦🇷",
}
ZWJ = ("🏃🏾‍♀️", "👩‍💻", "👨‍🍳", "🏋️‍♀️", "👩‍❤️‍👨", "🧑🏻‍🎤", "🏳️‍🌈")


@dataclass(frozen=True)
class Persona:
    platform: str
    handle: str
    first: str  # romanised, lower case (used in emails)
    last: str
    display_first: str  # how the name is written in the creator's language
    topic: Topic
    language: str
    region: str
    country: str


@lru_cache(maxsize=16384)
def persona(platform: str, handle: str) -> Persona:
    r = rng("persona", platform, handle)
    tokens = words(handle)
    first = next((t for t in tokens if t in FIRST_NAMES), None) or r.choice(FIRST_NAMES)
    last = next((t for t in tokens if t in LAST_NAMES), None) or r.choice(LAST_NAMES)
    language = r.choices([k for k, _ in LANGUAGES], weights=[w for _, w in LANGUAGES])[0]
    region, country = r.choice(REGIONS[language])
    if language in NATIVE_NAMES:
        display = r.choice(NATIVE_NAMES[language])
    else:
        display = ACCENTED.get(first, first.title())
    return Persona(
        platform, handle, first, last, display, topic_for_handle(handle), language, region, country
    )


@dataclass
class Truth:
    """Emails in order of first appearance, and every field each one appears in."""

    emails: list[str] = field(default_factory=list)
    sources: dict[str, list[str]] = field(default_factory=dict)

    def add(self, email: str, source: str) -> None:
        assert source in SOURCES, source
        email = email.lower()
        if email not in self.sources:
            self.emails.append(email)
            self.sources[email] = []
        if source not in self.sources[email]:
            self.sources[email].append(source)

    def as_dict(self) -> dict:
        return {
            "emails": list(self.emails),
            "sources": {k: list(v) for k, v in self.sources.items()},
        }


# --- addresses -------------------------------------------------------------------------------

PERSONAL_DOMAINS = {
    "en": (
        "gmail.com",
        "gmail.com",
        "outlook.com",
        "yahoo.com",
        "icloud.com",
        "hotmail.com",
        "proton.me",
    ),
    "ko": ("naver.com", "naver.com", "daum.net", "gmail.com"),
    "ja": ("yahoo.co.jp", "gmail.com", "icloud.com"),
    "ar": ("gmail.com", "hotmail.com", "outlook.com"),
    "de": ("gmx.de", "web.de", "t-online.de", "gmail.com"),
    "fr": ("orange.fr", "free.fr", "gmail.com", "laposte.net"),
    "es": ("hotmail.es", "yahoo.es", "gmail.com", "outlook.es"),
}
ROLE_LOCALS = (
    "hello",
    "contact",
    "collab",
    "collabs",
    "business",
    "partnerships",
    "booking",
    "team",
    "mgmt",
    "info",
    "press",
)
BRAND_TLDS = ("com", "com", "co", "io", "de", "ca", "co.uk", "fr", "es", "studio", "media")
AGENCIES = (
    "brightside-talent.com",
    "talentcollective.co",
    "northstar-mgmt.com",
    "creatorhouse.agency",
    "wavelength.media",
)


def make_address(r: random.Random, p: Persona) -> str:
    word = p.topic.handle_words[0]
    kind = r.random()
    if kind < 0.55:  # a personal mailbox
        local = r.choice(
            [
                p.first,
                f"{p.first}.{p.last}",
                f"{p.first}{p.last}",
                f"{p.first}_{word}",
                f"{p.first}{r.randint(1, 99)}",
                f"{p.first}.{word}",
                "".join(words(p.handle))[:20],
            ]
        )
        domain = r.choice(PERSONAL_DOMAINS[p.language])
        if r.random() < 0.18:
            local += "+" + r.choice(("brands", "collabs", "pr", "biz"))
    elif kind < 0.85:  # a role address on the creator's own domain
        local = r.choice(ROLE_LOCALS)
        brand = r.choice(
            [
                f"{p.first}{word}",
                f"{p.first}{p.last}",
                f"{word}with{p.first}",
                "".join(words(p.handle))[:18],
            ]
        )
        domain = f"{brand}.{r.choice(BRAND_TLDS)}"
    else:  # management / agency
        local = r.choice([p.first, f"{p.first}.{p.last}", f"{p.first[0]}{p.last}"])
        domain = r.choice(AGENCIES)
    return f"{local}@{domain}".lower()


def write_in_text(r: random.Random, address: str) -> str:
    """How a person types `address` into a bio: the awkward formats parsers must survive."""
    local, domain = address.split("@")
    style = r.choices(
        [
            "plain",
            "trailing",
            "wrapped",
            "brackets",
            "parens",
            "words",
            "upper",
            "fullwidth",
            "mailto",
            "curly",
            "at_only",
        ],
        weights=[28, 10, 5, 10, 9, 6, 8, 6, 6, 4, 8],
    )[0]
    if style == "trailing":
        return address + r.choice([".", "!", ",", ";", "..."])
    if style == "wrapped":
        return r.choice(["({})", "<{}>", "[{}]", '"{}"']).format(address)
    if style == "brackets":
        loc = local.replace(".", " [dot] ") if r.random() < 0.5 else local
        return f"{loc} [at] {domain.replace('.', ' [dot] ')}"
    if style == "parens":
        if r.random() < 0.5:
            return f"{local}(at){domain.replace('.', '(dot)')}"
        return f"{local} (at) {domain.replace('.', ' (dot) ')}"
    if style == "words":
        return f"{local} at {domain.replace('.', ' dot ')}"
    if style == "upper":
        return address.upper()
    if style == "fullwidth":
        return f"{local}＠{domain}"
    if style == "mailto":
        return f"mailto:{address}"
    if style == "curly":
        return f"{local}{{at}}{domain}"
    if style == "at_only":
        return f"{local} [at] {domain}" if r.random() < 0.5 else f"{local}(@){domain}"
    return address


def link_with_email(r: random.Random, address: str, handle: str) -> str:
    """A link-in-bio URL that carries the email (mailto or a contact form parameter)."""
    slug = "".join(words(handle))[:20] or "me"
    return r.choice(
        [
            f"mailto:{address}",
            f"mailto:{address}?subject=Collab",
            f"https://beacons.ai/{slug}/contact?email={address}",
            f"https://{slug}.carrd.co/#contact:{address}",
        ]
    )


def plain_link(r: random.Random, handle: str) -> str:
    slug = "".join(words(handle))[:20] or "me"
    return r.choice(
        [
            f"https://linktr.ee/{slug}",
            f"https://beacons.ai/{slug}",
            f"https://stan.store/{slug}",
            f"https://www.youtube.com/@{slug}",
            f"https://{slug}.com",
            f"https://shop.{slug}.co/new?ref=bio",
        ]
    )


# --- bios ------------------------------------------------------------------------------------

CONTACT_PREFIX = {
    "en": (
        "📩",
        "✉️",
        "Business:",
        "Collabs:",
        "Contact:",
        "bookings ➜",
        "PR/brand deals:",
        "📧",
        "for business inquiries:",
    ),
    "ko": ("문의:", "📩 협업 문의", "비즈니스:"),
    "ja": ("お仕事の依頼:", "📩", "連絡先:"),
    "ar": ("للتعاون:", "📩", "للإعلانات:"),
    "de": ("Kooperationen:", "Anfragen:", "📩"),
    "fr": ("Collab :", "Contact pro :", "📩"),
    "es": ("Colaboraciones:", "Contacto:", "📩"),
}


def intro_line(r: random.Random, p: Persona) -> str:
    t, n = p.topic, p.topic.native.get(p.language, p.topic.key)
    city = r.choice(CITIES[p.language])
    lines = {
        "en": [f"{r.choice(t.phrases)} {t.emoji}", f"{r.choice(t.phrases)} | {city}"],
        "ko": [f"{n} 크리에이터 {t.emoji} | {city}", f"매일 {n} 🔥 {city}"],
        "ja": [f"{n}が大好き {t.emoji} {city}", f"{n}の毎日 ✨ {city}在住"],
        "ar": [f"صانع محتوى {n} {t.emoji}", f"{n} كل يوم ✨ {city}"],
        "de": [f"{n} mit Herz {t.emoji} | {city}", f"Alles über {n} aus {city}"],
        "fr": [f"Passionnée de {n} {t.emoji} {city}", f"{n} au quotidien ✨ {city}"],
        "es": [f"Amante de {n} {t.emoji} {city}", f"Todo sobre {n} desde {city}"],
    }[p.language]
    line = r.choice(lines)
    if p.language != "en":  # an English hashtag too, as many non-English creators do
        line += f" #{t.hashtags[0]}"
    return line


def trap_line(r: random.Random, p: Persona) -> str:
    """Text with an '@' that is not an email address."""
    other = f"{r.choice(FIRST_NAMES)}.{p.topic.handle_words[-1]}"
    brand = r.choice(("nike", "adidas", "gymshark", "lululemon", "sephora"))
    return r.choice(
        [
            f"📸 @{other}",
            f"ft. @{brand} athlete? not yet 😅",
            f"IG @{p.handle}",
            f"managed by @{other}",
            "new banner → assets/logo@2x.png lol",
            "10k @ 4:30/km pace",
            "email in my linktree 👇",
            "no DMs for collabs, email only",
            "sale @ 50% off till sunday",
            f"{r.choice(ZWJ)} {FLAGS.get(p.region, '')}".strip(),
        ]
    )


def compose_bio(
    r: random.Random, p: Persona, email_text: str | None, *, empty_share: float = 0.08
) -> str:
    """A multi-line bio; `email_text` (already obfuscated) is kept intact on its own line."""
    if email_text is None and r.random() < empty_share:
        return ""
    lines = [intro_line(r, p)]
    if r.random() < 0.45:
        lines.append(f"{r.choice(p.topic.phrases)} {FLAGS.get(p.region, '')}".strip())
    if r.random() < 0.35:
        lines.append(trap_line(r, p))
    if email_text is not None:
        prefix = r.choice(CONTACT_PREFIX[p.language])
        lines.insert(r.randint(1, len(lines)), f"{prefix} {email_text}")
    if r.random() < 0.2:
        lines.append(
            r.choice(
                [
                    "👇 links",
                    "new video every friday ⬇️",
                    "↓ shop my favourites",
                    "🔗 everything below",
                ]
            )
        )
    return "\n".join(lines)


def has_email(platform: str, handle: str) -> bool:
    return rng("has-email", platform, handle).random() < EMAIL_SHARE
