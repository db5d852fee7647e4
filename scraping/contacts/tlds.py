"""Top-level domains: which exist, and which to trust when a domain could be a word.

A literal address (``a@b.photography``) is accepted with any TLD that IANA has delegated
(``iana_tlds.txt``), so new TLDs work but stylised words do not: ``l@dy.gaga`` and
``c@t.lover`` end in words, not TLDs.

The curated ``KNOWN_TLDS`` is only consulted where the evidence is weak: spelled-out dots
(``name at brand dot com``), bare domains in bios (``linktr.ee/x``) and a sentence glued to an
address (``info@brand.com.Thanks``). It is deliberately not the full IANA list, which contains
ordinary words (``.dot``, ``.you``, ``.final``) that would turn prose into addresses.
"""

from __future__ import annotations

from pathlib import Path


def _words(text: str) -> frozenset[str]:
    """Word lists are kept as text: hundreds of short entries read better that way."""
    return frozenset(text.split())


# ISO 3166 country codes that are delegated ccTLDs (plus .eu, .su, .ac, .uk).
COUNTRY_TLDS = _words(
    """
    ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs
    bt bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee
    eg er es et eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm
    hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb
    lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz
    na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs
    ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl
    tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw
    """
)

# Legacy generic TLDs and the new gTLDs creators, brands and agencies actually use.
GENERIC_TLDS = _words(
    """
    com net org edu gov mil int info biz name pro mobi asia tel travel jobs aero coop museum cat
    app dev page blog shop store online site website web tech digital cloud host email mail
    media news live life world today global group company agency studio studios design
    photography photo photos pics pictures gallery art arts film films movie video videos music
    band audio radio show events club social community network systems solutions services
    consulting management marketing academy school education training institute university
    college courses coach fitness yoga health care clinic beauty hair makeup salon spa skin
    fashion style boutique clothing shoes jewelry luxury gold love wedding family kids baby pet
    pets dog vet garden house home homes realestate properties estate land build construction
    engineering energy solar green eco earth farm food cooking recipes kitchen restaurant cafe bar
    pub pizza wine beer coffee menu delivery tours trip vacations holiday flights cruises hotel
    hotels city town london nyc paris berlin tokyo wien hamburg koeln bayern amsterdam brussels
    barcelona madrid miami vegas boston quebec scot wales africa games game gaming play fun fans
    team sport sports soccer football golf bike cars car auto racing run surf ski fit finance
    money bank capital fund investments cash credit tax legal law lawyer attorney software code
    computer technology data zone space xyz top icu vip win click link one guru ninja rocks cool
    lol fyi plus ltd llc inc gmbh ventures partners holdings enterprises industries works work
    tools expert center support help direct express best deals sale shopping market reviews
    wiki chat church faith tattoo graphics press productions creative ink bio red blue black pink
    moe kim ooo gay men mom cyou lat uno international
    """
)

KNOWN_TLDS = COUNTRY_TLDS | GENERIC_TLDS

# Last labels that mark a file name, not a host (``logo@2x.png``). ``.ai`` is deliberately
# absent: it is a popular ccTLD. ``.mov`` and ``.zip`` are real TLDs but never a contact.
FILE_EXTENSIONS = _words(
    """
    png jpg jpeg gif webp svg bmp tif tiff ico heic heif avif psd raw mp4 mov m4v webm avi mkv
    mp3 wav m4a ogg flac pdf doc docx xls xlsx ppt pptx txt csv json xml html htm css js ts php
    zip rar gz tgz tar exe dmg apk ipa
    """
)

# Free mail providers: an address there is clearly an address even when written with a spaced
# or spelled-out ``@`` ("jane @ gmail.com").
MAIL_PROVIDERS = _words(
    """
    gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr yahoo.es yahoo.de yahoo.com.br
    yahoo.co.jp ymail.com hotmail.com hotmail.co.uk hotmail.fr hotmail.es hotmail.de hotmail.it
    outlook.com outlook.de outlook.fr outlook.es live.com msn.com icloud.com me.com mac.com
    aol.com proton.me protonmail.com pm.me gmx.de gmx.net gmx.com web.de t-online.de mail.ru
    yandex.ru ya.ru naver.com daum.net hanmail.net kakao.com qq.com 163.com 126.com uol.com.br
    bol.com.br terra.com.br orange.fr free.fr laposte.net sfr.fr libero.it rediffmail.com
    zoho.com fastmail.com hey.com tutanota.com
    """
)


# Every delegated TLD, lower case. The file is IANA's own list, unedited, so refreshing it is a
# plain download of https://data.iana.org/TLD/tlds-alpha-by-domain.txt over it.
_IANA_LINES = Path(__file__).with_name("iana_tlds.txt").read_text(encoding="ascii").splitlines()
DELEGATED_TLDS = frozenset(line.lower() for line in _IANA_LINES if not line.startswith("#"))


def tld_is_delegated(label: str) -> bool:
    """``com``, ``photography``, ``xn--p1ai`` are; ``gaga``, ``lover``, ``doe`` are not."""
    return label.lower() in DELEGATED_TLDS


def tld_looks_real(label: str) -> bool:
    """The shape of a TLD: 2+ ASCII letters, or an IDN in punycode (``xn--p1ai``).

    Enough for a link with a scheme; an email address needs ``tld_is_delegated``.
    """
    label = label.lower()
    if label.startswith("xn--"):
        return len(label) > 4
    return label.isascii() and label.isalpha() and 2 <= len(label) <= 24
