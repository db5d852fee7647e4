"""Creator bios with the exact emails a careful human would copy out of them, in order.

Shared by tests/contacts/test_emails.py and bench/emails.py, so it imports nothing.
Each case is ``(bio_text, [expected emails, lower case, de-duplicated, in order])``.
Traps (handles, retina image names, version strings, URLs with ``@``, prose with "at" and "dot",
addresses without a TLD or split over two lines) expect nothing. The domains are made up.
"""

CASES: list[tuple[str, list[str]]] = [
    # --- English: plain addresses, punctuation, case, plus-addressing, long TLDs
    (
        "✨ Lifestyle & travel | NYC 🗽\n📩 collabs: sarah.miles@gmail.com",
        ["sarah.miles@gmail.com"],
    ),
    (
        "Fitness coach 💪 Online programs below ⬇️\nBusiness: first+collabs@brand.com",
        ["first+collabs@brand.com"],
    ),
    (
        "Photographer based in Austin. Bookings → hello@janedoe.photography",
        ["hello@janedoe.photography"],
    ),
    (
        "Makeup artist | Tutorials every Tue\nFor PR packages: pr@glowagency.agency.",
        ["pr@glowagency.agency"],
    ),
    (
        "Music producer 🎧 Beats for sale. Contact: (beats@808studio.studio)",
        ["beats@808studio.studio"],
    ),
    ("Email me: MIKE.JOHNSON@OUTLOOK.COM", ["mike.johnson@outlook.com"]),
    (
        "Vegan recipes 🌱 | New video every Sunday | inquiries - mgmt@talent.co.uk, "
        "personal: amy_cooks@yahoo.com",
        ["mgmt@talent.co.uk", "amy_cooks@yahoo.com"],
    ),
    ("Twitter: @the.real.sam | Email: sam@samtalks.fm", ["sam@samtalks.fm"]),
    (
        "business → team@creatorhub.co.\nPersonal → jess@jess.me.",
        ["team@creatorhub.co", "jess@jess.me"],
    ),
    ("📧 hello+brands@wanderlust.travel 📍 Lisbon", ["hello+brands@wanderlust.travel"]),
    ("Mail: press@news.studio.nyc", ["press@news.studio.nyc"]),
    ("Dog mom 🐶 Mgmt: Kelly@TalentBureau.Agency", ["kelly@talentbureau.agency"]),
    ("Inquiries: <bookings@djnova.live>", ["bookings@djnova.live"]),
    ("'Contact': \"info@northfilms.film\"", ["info@northfilms.film"]),
    ("Portfolio + rates: mailto:hey@pixelpete.design", ["hey@pixelpete.design"]),
    (
        "Emails: a.b-c_d@sub.mail.company.com; e.f@company.com",
        ["a.b-c_d@sub.mail.company.com", "e.f@company.com"],
    ),
    (
        "lisa@lisaeats.com | lisa@lisaeats.com | LISA@LISAEATS.COM (same inbox, I promise)",
        ["lisa@lisaeats.com"],
    ),
    (
        "Support the channel: paypal.me/chrisplays ☕ or chris@chrisplays.tv",
        ["chris@chrisplays.tv"],
    ),
    ("Collab? → collab@creator-house.com!", ["collab@creator-house.com"]),
    ("Contact: info@brand.com.Thanks for stopping by!", ["info@brand.com"]),
    (
        "Booking: mgmt@wavesagency.com\nPress: press@wavesagency.com\n",
        ["mgmt@wavesagency.com", "press@wavesagency.com"],
    ),
    (
        "ig: @maria.cooks | yt: youtube.com/@mariacooks | 💌 maria.cooks@proton.me",
        ["maria.cooks@proton.me"],
    ),
    (
        "Icons: cat@2x.png dog@3x.png — email me: icons@pawprint.design",
        ["icons@pawprint.design"],
    ),
    (
        "Emails with plus tags work: anna+youtube@annacreates.co and anna+ig@annacreates.co",
        ["anna+youtube@annacreates.co", "anna+ig@annacreates.co"],
    ),
    (
        "Long TLDs: shoot@lightandlens.photography & hello@brand.international",
        ["shoot@lightandlens.photography", "hello@brand.international"],
    ),
    (
        "Manager: sarah@MGMT.co.uk / Agent: tom@agency.co.uk",
        ["sarah@mgmt.co.uk", "tom@agency.co.uk"],
    ),
    ("Booking — DJ Kilo\nbooking@djkilo.com\nRider upon request", ["booking@djkilo.com"]),
    ("✉️ jo@jo.dev ✉️ jo@jo.dev", ["jo@jo.dev"]),
    ("sponsor: sponsor@gaming-network.gg (no cold pitches)", ["sponsor@gaming-network.gg"]),
    ("My Linktree: linktr.ee/kaylafit | kayla@kaylafit.co", ["kayla@kaylafit.co"]),
    ("(info@cafe-luna.com)", ["info@cafe-luna.com"]),
    ("Surf crew 🌊 [collabs@surfcrew.com.au]", ["collabs@surfcrew.com.au"]),
    (
        "👉 inquiries@creator.tv, 👉 backup: creator.tv@gmail.com",
        ["inquiries@creator.tv", "creator.tv@gmail.com"],
    ),
    ("user.name@sub-domain.example-host.org", ["user.name@sub-domain.example-host.org"]),
    ("Replies within 48h ⏳ partnerships@dailydose.news", ["partnerships@dailydose.news"]),
    (
        "Coach | email: coach.maya@maya-fit.health | podcast: mayafit.fm",
        ["coach.maya@maya-fit.health"],
    ),
    (
        "Visit us at www.brand.com or email us at hello@brand.com",
        ["hello@brand.com"],
    ),
    ("Email me at info@streetsnaps.net for prints", ["info@streetsnaps.net"]),
    (
        "CV: https://drive.google.com/file/d/abc?usp=sharing | email= sam.design@icloud.com",
        ["sam.design@icloud.com"],
    ),
    # --- English: obfuscated
    ("Collabs 👉 anna [at] annawrites [dot] com", ["anna@annawrites.com"]),
    ("Business inquiries only: jake(at)jakeplays(dot)gg", ["jake@jakeplays.gg"]),
    ("Tech reviews | contact: tom AT techtom DOT io", ["tom@techtom.io"]),
    ("For collabs email ben at gmail dot com", ["ben@gmail.com"]),
    (
        "Reach us at hello [at] twomoms [dot] blog or call 555-0199",
        ["hello@twomoms.blog"],
    ),
    ("Questions? hello at mysite.com", ["hello@mysite.com"]),
    ("Email: hello @ thestudio.com", ["hello@thestudio.com"]),
    ("Unicode spacing: nina\u3000[at]\u3000ninadraws\u3000[dot]\u3000art", ["nina@ninadraws.art"]),
    (
        "Gaming | Twitch: twitch.tv/nightowl | biz: nightowl {at} owlmedia {dot} co {dot} uk",
        ["nightowl@owlmedia.co.uk"],
    ),
    ("the.real.ben [at] outlook.com", ["the.real.ben@outlook.com"]),
    ("Let's talk 📞 or email — hi(@)nomadnick.com", ["hi@nomadnick.com"]),
    ("contact: lee [@] leecreates.studio", ["lee@leecreates.studio"]),
    ("Contact — Maria — ＭＡＲＩＡ＠ＳＴＵＤＩＯ．ＣＯＭ", ["maria@studio.com"]),
    ("Copy-paste safe: sv\u200ben@svenbikes.cc", ["sven@svenbikes.cc"]),
    (
        "Personal: a@xmail.com | Business: b [at] ymedia [dot] com | again A@XMAIL.COM",
        ["a@xmail.com", "b@ymedia.com"],
    ),
    ("john dot smith at gmail dot com", ["john.smith@gmail.com"]),
    ("Old-school: info at rosebakery dot co dot uk", ["info@rosebakery.co.uk"]),
    # --- traps: nothing to find
    ("Meet me at the gym. Dot your i's and cross your t's 💯", []),
    ("Shop my favorites @ amazon.com/shop/kayla 🛍️", []),
    ("Follow @nike @adidas for the drops 👟 | DM for collabs", []),
    ("New wallpapers! Download logo@2x.png and icon@3x.webp from my Patreon", []),
    ("Dev + streamer. npm i mytool@1.2.3 | v1.2@3.4 changelog on GitHub", []),
    ("Clone my dotfiles: git@github.com:jdev/dotfiles.git ✌️", []),
    ("Writing at https://medium.com/@lena.writes and youtube.com/@lenawrites", []),
    ("Old site: https://admin:hunter2@ftp.lenaphoto.com/uploads", []),
    ("contact me at myname@domain", []),
    ("📩 business email in link below 👇", []),
    ("Price list: 2@5.99 each, 3 for 15", []),
    ("Retina assets: hero@2x.jpg, hero@3x.jpg", []),
    ("follow my backup @chris.plays.tv", []),
    ("Emails split: james@bigbrand.\ncom (old)", []),
    ("Icons by me • sticker@2x.gif • available on Etsy", []),
    ("Available at Sephora and Ulta. Dot com exclusives coming soon!", []),
    ("python@3.11 and node@20.1 fan", []),
    ("DM me on IG @jess_at_home ✨", []),
    ("Follow for more!!! 🔥🔥 #fitness #gym @gymshark athlete", []),
    ("Watch my latest: https://www.tiktok.com/@dance.queen/video/7234567890", []),
    ("Spam trap: not-an-email@localhost, admin@192.168.0.1", []),
    ("v2.0 out now!! patch notes @ discord.gg/abc", []),
    ("Check @mkbhd's review! Email in channel 'about' tab", []),
    ("Photo credit: photo@2x.jpeg by @lens.master", []),
    ("Contact: emma.lee@studio", []),
    ("Not an email: foo@bar or @foo.bar or foo@.com or foo@bar.c", []),
    ("Join me at 8pm. at least once. Dot dot dot...", []),
    ("Sale! 2 for $10 @ shopmyfits.com this weekend", []),
    ("Find us at thebrand dot com and shop at nike.com", []),
    ("Brand ambassador for @lululemon.uk 🧘‍♀️ and @on.running", []),
    # --- more real-world shapes
    ("Mastodon: @jane@mastodon.social | IG @jane.codes", []),
    ("Tickets at ticketmaster dot com 🎟️ Tour dates below", []),
    ("Stream (at) twitch.tv/nightowl every Friday", []),
    ("Email me at jane dot doe at gmail dot com", ["jane.doe@gmail.com"]),
    ("Bookings: sam at samsings.com 🎤", ["sam@samsings.com"]),
    ("email — kate.m@icloud.com—thanks!", ["kate.m@icloud.com"]),
    ("Contact:kate@kateknits.shop|IG:kateknits", ["kate@kateknits.shop"]),
    ("[email me](mailto:jo@jo.dev) · [blog](https://jo.dev)", ["jo@jo.dev"]),
    ("Collabs @brand.official 🤝 (tag us!)", []),
    # --- prose with "at" and "dot com" is not an address (obfuscation.py, weak separators)
    ("We are at a dot com startup, building tools for creators 🚀", []),
    ("We're at a dot com startup 🚀", []),
    ("Founder at Acme dot com | ex-Google | dad of 2", []),
    ("Business: Founder at Acme dot com", []),  # a job title, even after a contact cue
    ("CEO @ Acme dot io ☕", []),
    ("Leg day? Meet me at the gym dot com 😂", []),
    ("Everything I learned at a dot com 📚", []),
    ("Working at home dot com since 2019", []),
    ("Discount codes at glowshop dot com 💸", []),
    ("Shoutout to jane at acme dot com for the edit 🎬", []),  # nothing but "dot": prose
    # ... and the same words with evidence of an address
    ("Email: jane at acme dot com", ["jane@acme.com"]),
    ("Contact:\njane at acme dot com", ["jane@acme.com"]),
    ("Ceramics 🏺 jane AT acme DOT com", ["jane@acme.com"]),
    ("Pottery classes 🏺 jane at gmail dot com", ["jane@gmail.com"]),
    ("Pottery 🏺 jane [at] acme [dot] com", ["jane@acme.com"]),
    # --- stylised names and handles with "@" and dots: the TLD is a word, or there is no local
    ("Little monster 🦄 l@dy.gaga fan account", []),
    ("c@t.lover 🐈 | b@by.face", []),
    ("@john.doe | ig: @sara.k.official | snap @mike.b", []),
    ("tiktok@jane.doe ✨ ig@jane.doe.official", []),
    ("l@dy.gaga fan page | real inbox: lady@gagafans.com", ["lady@gagafans.com"]),
    # a platform label glued to a real domain cannot be told from an inbox (emails.py, rule 3)
    ("TikTok deals → tiktok@janedoe.com", ["tiktok@janedoe.com"]),
    # a delegated TLD that is not on the curated list
    ("Horse girl 🐴 saddle@stables.horse", ["saddle@stables.horse"]),
    # --- apostrophes belong to the local part; quotes around an address do not
    ("Irish baker 🍀 orders: o'brien@gmail.com", ["o'brien@gmail.com"]),
    ("Booking: d’angelo@dangelomusic.com", ["d'angelo@dangelomusic.com"]),  # a phone's ’
    ("Say hi → 'jane@janedraws.art'", ["jane@janedraws.art"]),
    ("Write to ‘siobhan.o’neill@gmail.com’ 🍀", ["siobhan.o'neill@gmail.com"]),
    ("Cookies 🍪 o'brien [at] obrienbakes [dot] ie", ["o'brien@obrienbakes.ie"]),
    # --- a path right after an address, outside a URL, is not part of it
    ("contact: jane@gmail.com/", ["jane@gmail.com"]),
    ("Bookings: jane@studio.com/booking", ["jane@studio.com"]),
    ("Old FTP: ftp://jane:pw@files.janestudio.com/raw ✌️", []),
    # --- punctuation right before an address
    ("Business inquiries...jane@gmail.com", ["jane@gmail.com"]),
    ("Collabs…jane@gmail.com", ["jane@gmail.com"]),
    ("email:jane@gmail.com", ["jane@gmail.com"]),
    ("DM or email (jane@gmail.com)", ["jane@gmail.com"]),
    ("Bookings→jane@gmail.com", ["jane@gmail.com"]),
    (
        "- hello@thecraftroom.co.uk\n-orders@thecraftroom.co.uk",
        ["hello@thecraftroom.co.uk", "orders@thecraftroom.co.uk"],
    ),
    # --- known limitations, kept in the table so the numbers stay honest (see test_emails.py)
    # a one-sided space before @ reads exactly like a handle ("Collabs @brand.official" above)
    ("Mail: hola @luzdiaz.es", ["hola@luzdiaz.es"]),
    # --- Spanish
    (
        "🇲🇽 Creadora de contenido | Colaboraciones: contacto@mariafit.com.mx",
        ["contacto@mariafit.com.mx"],
    ),
    ("Correo para marcas 👉 lucia.viajes[arroba]gmail[punto]com", ["lucia.viajes@gmail.com"]),
    (
        "Maquillaje y belleza 💄\nEscríbeme a: Valeria.Beauty@Hotmail.es ✨",
        ["valeria.beauty@hotmail.es"],
    ),
    (
        "Recetas fáciles 🍳 | Contacto: carlos arroba cocinaconcarlos punto es",
        ["carlos@cocinaconcarlos.es"],
    ),
    ("Nos vemos en el gym a las 7. ¡Sígueme @dani_fit!", []),
    ("Escríbeme a maria arroba gmail.com 💌", ["maria@gmail.com"]),
    ("Escríbeme: sofia @ sofiaart . com", ["sofia@sofiaart.com"]),
    (
        "Diseño gráfico 🎨 | Trabajemos juntos ➜ estudio@disenoluna.com.ar",
        ["estudio@disenoluna.com.ar"],
    ),
    # --- German
    ("Reisen & Fotografie 📸 | Anfragen: kontakt(at)lenareist.de", ["kontakt@lenareist.de"]),
    ("Impressum & Kooperationen: jonas.mueller (at) web (dot) de", ["jonas.mueller@web.de"]),
    (
        "Kochen mit Oma 👵 | E-Mail: oma.kocht@gmx.net – keine DMs bitte!",
        ["oma.kocht@gmx.net"],
    ),
    (
        "Kontakt über Management: info@talentmanagement-berlin.de.",
        ["info@talentmanagement-berlin.de"],
    ),
    ("Anfragen gerne an jürgen@bergfreunde-tirol.at 🏔️", ["jürgen@bergfreunde-tirol.at"]),
    # --- French
    (
        "Créatrice lifestyle 🇫🇷 | Contact pro : chloe.martin@agence-influence.fr",
        ["chloe.martin@agence-influence.fr"],
    ),
    ("Pour les collabs : julie (arobase) juliestyle (point) fr", ["julie@juliestyle.fr"]),
    ("Partenariats ➜ partenariats@lesbonsplans.paris 🗼", ["partenariats@lesbonsplans.paris"]),
    ("Au point de vue beauté, rendez-vous at Sephora point final.", []),
    # --- Portuguese
    ("🇧🇷 Moda e beleza | Parcerias: contato@blogdabia.com.br", ["contato@blogdabia.com.br"]),
    (
        "Publi: rafa.games@uol.com.br ou rafagames@gmail.com 🎮",
        ["rafa.games@uol.com.br", "rafagames@gmail.com"],
    ),
    (
        "Divulgação e parcerias: atendimento@casadamaria.com.br 🏡 Respondo em até 48h",
        ["atendimento@casadamaria.com.br"],
    ),
    ("Receitas veganas 🌿 e-mail: ana(arroba)anaveg(ponto)com(ponto)br", ["ana@anaveg.com.br"]),
    # --- Korean
    ("뷰티 크리에이터 💄 협업 문의: beautyjin@naver.com", ["beautyjin@naver.com"]),
    ("📧 비즈니스 문의 ▶ contact@seoulvlog.kr\n인스타 @seoul.vlog", ["contact@seoulvlog.kr"]),
    ("게임 방송 🎮 문의는 dm 또는 gamer_lee@daum.net 으로", ["gamer_lee@daum.net"]),
    ("협찬 문의 jin(골뱅이)naver.com", ["jin@naver.com"]),
    # --- Japanese
    ("お仕事のご依頼はwork@yuki-channel.jpまで", ["work@yuki-channel.jp"]),
    (
        "料理動画を毎日投稿🍳 お問い合わせ：ｉｎｆｏ＠ｃｏｏｋｉｎｇｍａｍａ．ｊｐ",
        ["info@cookingmama.jp"],
    ),
    ("【お仕事の依頼】 hana★hanastyle.jp （★を@に変えてください）", ["hana@hanastyle.jp"]),
    (
        "ゲーム実況者です！ご連絡は kenta.games@gmail.com へお願いします。",
        ["kenta.games@gmail.com"],
    ),
    ("旅行好き✈️ 連絡先：taro＠travel-taro．com", ["taro@travel-taro.com"]),
    (
        "撮影・PR案件はこちら info@kumamoto-eats.jp、個人 yuki@kumamoto-eats.jp。",
        ["info@kumamoto-eats.jp", "yuki@kumamoto-eats.jp"],
    ),
    # --- Arabic
    ("مدونة طبخ 🍲 | للتواصل: chef.amal@gmail.com", ["chef.amal@gmail.com"]),
    ("للإعلانات والتعاون 📩 ads@khaleejvibes.ae", ["ads@khaleejvibes.ae"]),
    # --- Russian
    ("Блогер о путешествиях ✈️ По рекламе: reklama@travelmasha.ru", ["reklama@travelmasha.ru"]),
    ("Сотрудничество: ivan.petrov(собака)yandex(точка)ru", ["ivan.petrov@yandex.ru"]),
    ("Почта для связи — Olga.Fit@Mail.Ru.", ["olga.fit@mail.ru"]),
    # --- Hindi
    ("टेक रिव्यू 📱 | बिज़नेस के लिए ईमेल: rahul.tech@gmail.com", ["rahul.tech@gmail.com"]),
    (
        "Desi fashion 👗 | Collab ke liye mail karein: priya [at] desidiva [dot] in",
        ["priya@desidiva.in"],
    ),
]
