"""Apple's podcast category taxonomy, with English and Norwegian Bokmål names, and a tolerant mapper.

The data is Apple's current taxonomy (19 top-level categories; the 2019 revision plus the 2021 additions
such as Leisure › Animation & Manga). ``apple_name`` is exactly what feeds write in ``itunes:category``
("&" included). Slugs are ASCII, English and stable: a top-level slug is the slugified English name with
"&" dropped ("society-culture", "tv-film"); a subcategory's slug is its parent's slug, a dash, and its own
slugified name ("news-politics", "society-culture-documentary"). URLs use them, so never change one.

`resolve` maps whatever a feed wrote (any case, "&amp;" or "and" for "&", Apple's pre-2019 names such as
"Games & Hobbies" or "Technology › Podcasting", Google Play's categories, a subcategory name given without
its parent) to a key ``(main, sub)`` of the current taxonomy, or None. It is pure; `find_category` looks the
result up in the database.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.text import slugify

if TYPE_CHECKING:
    from lytt.catalog.models import Category

# (apple name, Bokmål name, [(apple name, Bokmål name), ...]); the English name is Apple's name.
_TAXONOMY: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Arts",
        "Kunst",
        (
            ("Books", "Bøker"),
            ("Design", "Design"),
            ("Fashion & Beauty", "Mote og skjønnhet"),
            ("Food", "Mat"),
            ("Performing Arts", "Scenekunst"),
            ("Visual Arts", "Billedkunst"),
        ),
    ),
    (
        "Business",
        "Næringsliv",
        (
            ("Careers", "Karriere"),
            ("Entrepreneurship", "Gründerskap"),
            ("Investing", "Investering"),
            ("Management", "Ledelse"),
            ("Marketing", "Markedsføring"),
            ("Non-Profit", "Ideell sektor"),
        ),
    ),
    (
        "Comedy",
        "Humor",
        (
            ("Comedy Interviews", "Humorintervjuer"),
            ("Improv", "Improvisasjon"),
            ("Stand-Up", "Standup"),
        ),
    ),
    (
        "Education",
        "Utdanning",
        (
            ("Courses", "Kurs"),
            ("How To", "Slik gjør du det"),
            ("Language Learning", "Språklæring"),
            ("Self-Improvement", "Selvutvikling"),
        ),
    ),
    (
        "Fiction",
        "Fiksjon",
        (
            ("Comedy Fiction", "Komisk fiksjon"),
            ("Drama", "Drama"),
            ("Science Fiction", "Science fiction"),
        ),
    ),
    ("Government", "Offentlig forvaltning", ()),
    (
        "Health & Fitness",
        "Helse og trening",
        (
            ("Alternative Health", "Alternativ helse"),
            ("Fitness", "Trening"),
            ("Medicine", "Medisin"),
            ("Mental Health", "Psykisk helse"),
            ("Nutrition", "Ernæring"),
            ("Sexuality", "Seksualitet"),
        ),
    ),
    ("History", "Historie", ()),
    (
        "Kids & Family",
        "Barn og familie",
        (
            ("Education for Kids", "Læring for barn"),
            ("Parenting", "Foreldreskap"),
            ("Pets & Animals", "Kjæledyr og dyr"),
            ("Stories for Kids", "Fortellinger for barn"),
        ),
    ),
    (
        "Leisure",
        "Fritid",
        (
            ("Animation & Manga", "Animasjon og manga"),
            ("Automotive", "Bil og motor"),
            ("Aviation", "Luftfart"),
            ("Crafts", "Håndarbeid"),
            ("Games", "Spill"),
            ("Hobbies", "Hobbyer"),
            ("Home & Garden", "Hus og hage"),
            ("Video Games", "Dataspill"),
        ),
    ),
    (
        "Music",
        "Musikk",
        (
            ("Music Commentary", "Musikkommentar"),
            ("Music History", "Musikkhistorie"),
            ("Music Interviews", "Musikkintervjuer"),
        ),
    ),
    (
        "News",
        "Nyheter",
        (
            ("Business News", "Økonominyheter"),
            ("Daily News", "Dagsnytt"),
            ("Entertainment News", "Underholdningsnyheter"),
            ("News Commentary", "Nyhetskommentarer"),
            ("Politics", "Politikk"),
            ("Sports News", "Sportsnyheter"),
            ("Tech News", "Teknologinyheter"),
        ),
    ),
    (
        "Religion & Spirituality",
        "Religion og livssyn",
        (
            ("Buddhism", "Buddhisme"),
            ("Christianity", "Kristendom"),
            ("Hinduism", "Hinduisme"),
            ("Islam", "Islam"),
            ("Judaism", "Jødedom"),
            ("Religion", "Religion"),
            ("Spirituality", "Spiritualitet"),
        ),
    ),
    (
        "Science",
        "Vitenskap",
        (
            ("Astronomy", "Astronomi"),
            ("Chemistry", "Kjemi"),
            ("Earth Sciences", "Geofag"),
            ("Life Sciences", "Biofag"),
            ("Mathematics", "Matematikk"),
            ("Natural Sciences", "Naturvitenskap"),
            ("Nature", "Natur"),
            ("Physics", "Fysikk"),
            ("Social Sciences", "Samfunnsvitenskap"),
        ),
    ),
    (
        "Society & Culture",
        "Samfunn og kultur",
        (
            ("Documentary", "Dokumentar"),
            ("Personal Journals", "Personlige dagbøker"),
            ("Philosophy", "Filosofi"),
            ("Places & Travel", "Steder og reiser"),
            ("Relationships", "Forhold og relasjoner"),
        ),
    ),
    (
        "Sports",
        "Sport",
        (
            ("Baseball", "Baseball"),
            ("Basketball", "Basketball"),
            ("Cricket", "Cricket"),
            ("Fantasy Sports", "Fantasysport"),
            ("Football", "Amerikansk fotball"),
            ("Golf", "Golf"),
            ("Hockey", "Hockey"),
            ("Rugby", "Rugby"),
            ("Running", "Løping"),
            ("Soccer", "Fotball"),
            ("Swimming", "Svømming"),
            ("Tennis", "Tennis"),
            ("Volleyball", "Volleyball"),
            ("Wilderness", "Friluftsliv"),
            ("Wrestling", "Bryting"),
        ),
    ),
    ("Technology", "Teknologi", ()),
    ("True Crime", "True crime", ()),
    (
        "TV & Film",
        "TV og film",
        (
            ("After Shows", "Ettersnakk"),
            ("Film History", "Filmhistorie"),
            ("Film Interviews", "Filmintervjuer"),
            ("Film Reviews", "Filmanmeldelser"),
            ("TV Reviews", "TV-anmeldelser"),
        ),
    ),
)

# Old Apple names (before the 2019 revision) and Google Play names, as (main, sub or None), mapped to the
# current taxonomy. A main-only entry also covers that main with a sub the tables do not know.
_ALIASES: dict[tuple[str, str | None], tuple[str, str | None]] = {
    # Arts
    ("Arts", "Literature"): ("Arts", "Books"),
    ("Arts", "Graphic Design"): ("Arts", "Design"),
    # Business
    ("Business", "Business News"): ("News", "Business News"),
    ("Business", "Shopping"): ("Business", None),
    ("Business", "Management & Marketing"): ("Business", "Marketing"),
    # Education
    ("Education", "Educational Technology"): ("Education", None),
    ("Education", "Higher Education"): ("Education", "Courses"),
    ("Education", "K-12"): ("Education", None),
    ("Education", "Language Courses"): ("Education", "Language Learning"),
    ("Education", "Training"): ("Education", "How To"),
    # Games & Hobbies became Leisure
    ("Games & Hobbies", None): ("Leisure", None),
    ("Games & Hobbies", "Automotive"): ("Leisure", "Automotive"),
    ("Games & Hobbies", "Aviation"): ("Leisure", "Aviation"),
    ("Games & Hobbies", "Hobbies"): ("Leisure", "Hobbies"),
    ("Games & Hobbies", "Other Games"): ("Leisure", "Games"),
    ("Games & Hobbies", "Video Games"): ("Leisure", "Video Games"),
    # Government & Organizations became Government
    ("Government & Organizations", None): ("Government", None),
    ("Government & Organizations", "Non-Profit"): ("Business", "Non-Profit"),
    # Health became Health & Fitness
    ("Health", None): ("Health & Fitness", None),
    ("Health", "Alternative Health"): ("Health & Fitness", "Alternative Health"),
    ("Health", "Fitness & Nutrition"): ("Health & Fitness", "Fitness"),
    ("Health", "Self-Help"): ("Education", "Self-Improvement"),
    ("Health", "Sexuality"): ("Health & Fitness", "Sexuality"),
    ("Health & Fitness", "Fitness & Nutrition"): ("Health & Fitness", "Fitness"),
    # News & Politics became News
    ("News & Politics", None): ("News", None),
    ("News & Politics", "Politics"): ("News", "Politics"),
    # Religion & Spirituality
    ("Religion & Spirituality", "Other"): ("Religion & Spirituality", "Religion"),
    # Science & Medicine became Science (and Medicine moved to Health & Fitness)
    ("Science & Medicine", None): ("Science", None),
    ("Science & Medicine", "Medicine"): ("Health & Fitness", "Medicine"),
    ("Science & Medicine", "Natural Sciences"): ("Science", "Natural Sciences"),
    ("Science & Medicine", "Social Sciences"): ("Science", "Social Sciences"),
    # Society & Culture
    ("Society & Culture", "History"): ("History", None),
    # Sports & Recreation became Sports
    ("Sports & Recreation", None): ("Sports", None),
    ("Sports & Recreation", "Outdoor"): ("Sports", "Wilderness"),
    ("Sports", "Outdoor"): ("Sports", "Wilderness"),
    # Technology
    ("Technology", "Podcasting"): ("Technology", None),
    ("Technology", "Gadgets"): ("Technology", None),
    ("Technology", "Software How-To"): ("Technology", None),
    ("Technology", "Tech News"): ("News", "Tech News"),
    # Spellings seen in the wild and in Google Play
    ("Film & TV", None): ("TV & Film", None),
    ("TV & Movies", None): ("TV & Film", None),
    ("Kids", None): ("Kids & Family", None),
    ("Religion", None): ("Religion & Spirituality", "Religion"),
    ("Spirituality", None): ("Religion & Spirituality", "Spirituality"),
    ("Sport", None): ("Sports", None),
    ("Tech", None): ("Technology", None),
    ("Crime", None): ("True Crime", None),
}


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    """One row of the taxonomy as data (what the data migration writes)."""

    slug: str
    apple_name: str
    name_en: str
    name_nb: str
    parent_slug: str | None
    position: int


def _slug(name: str) -> str:
    return slugify(name.replace("&", " "))


def categories() -> list[CategoryInfo]:
    """The whole taxonomy, parents before their children, in Apple's order."""
    rows: list[CategoryInfo] = []
    for position, (main, main_nb, subs) in enumerate(_TAXONOMY):
        main_slug = _slug(main)
        rows.append(CategoryInfo(main_slug, main, main, main_nb, None, position))
        for sub_position, (sub, sub_nb) in enumerate(subs):
            rows.append(CategoryInfo(f"{main_slug}-{_slug(sub)}", sub, sub, sub_nb, main_slug, sub_position))
    return rows


def _norm(name: str) -> str:
    """A comparison key: entities decoded, "and"/"+" as "&", case, accents, spacing and dashes ignored."""
    text = html.unescape(html.unescape(name))  # feeds double-escape: "&amp;amp;"
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"\band\b|\+", "&", text)
    text = re.sub(r"[\s\-_/.,]+", "", text)
    return text


_MAINS: dict[str, str] = {_norm(main): main for main, _, _ in _TAXONOMY}
_SUBS: dict[tuple[str, str], str] = {
    (main, _norm(sub)): sub for main, _, subs in _TAXONOMY for sub, _ in subs
}
_SUB_ONLY: dict[str, list[tuple[str, str]]] = {}
for _main, _, _subs in _TAXONOMY:
    for _sub, _ in _subs:
        _SUB_ONLY.setdefault(_norm(_sub), []).append((_main, _sub))
_ALIAS_KEYS: dict[tuple[str, str | None], tuple[str, str | None]] = {
    (_norm(main), _norm(sub) if sub else None): target for (main, sub), target in _ALIASES.items()
}
_SLUGS: dict[tuple[str, str | None], str] = {}
for _main, _, _subs in _TAXONOMY:
    _SLUGS[(_main, None)] = _slug(_main)
    for _sub, _ in _subs:
        _SLUGS[(_main, _sub)] = f"{_slug(_main)}-{_slug(_sub)}"


def resolve(main: str, sub: str | None = None) -> tuple[str, str | None] | None:
    """Map a feed's (category, subcategory) to a current (main, sub) key, or None when unknown.

    A known main with an unknown sub resolves to the main alone: the show still lands in the right place.
    """
    main_key = _norm(main or "")
    sub_key = _norm(sub) if sub else None
    if not main_key:
        return None
    if sub_key and (main_key, sub_key) in _ALIAS_KEYS:
        return _ALIAS_KEYS[(main_key, sub_key)]
    current = _MAINS.get(main_key)
    if current is not None:
        if sub_key and (current, sub_key) in _SUBS:
            return current, _SUBS[(current, sub_key)]
        return current, None
    if (main_key, None) in _ALIAS_KEYS:
        target = _ALIAS_KEYS[(main_key, None)]
        if sub_key and target[1] is None and (target[0], sub_key) in _SUBS:
            return target[0], _SUBS[(target[0], sub_key)]
        return target
    # A subcategory written without its parent ("Politics"), when its name is unambiguous.
    candidates = _SUB_ONLY.get(main_key, [])
    if len(candidates) == 1:
        return candidates[0]
    return None


def slug_for(main: str, sub: str | None = None) -> str | None:
    """The stable slug of the category a feed's (category, subcategory) maps to, or None."""
    key = resolve(main, sub)
    return _SLUGS.get(key) if key else None


def find_category(main: str, sub: str | None = None) -> Category | None:
    """The `Category` row a feed's (category, subcategory) maps to, or None when unknown."""
    from lytt.catalog.models import Category

    slug = slug_for(main, sub)
    if slug is None:
        return None
    return Category.objects.filter(slug=slug).first()


def sync_categories(category_model: Any) -> int:
    """Create or update every taxonomy row (by slug) with the given model class; returns rows written.

    Used by the data migration with the historical model, so it only touches the fields of migration 0001.
    Categories an operator added by hand are left alone.
    """
    by_slug: dict[str, Any] = {}
    written = 0
    for info in categories():
        parent = by_slug.get(info.parent_slug) if info.parent_slug else None
        row, _ = category_model.objects.update_or_create(
            slug=info.slug,
            defaults={
                "apple_name": info.apple_name,
                "name_en": info.name_en,
                "name_nb": info.name_nb,
                "parent": parent,
                "position": info.position,
            },
        )
        by_slug[info.slug] = row
        written += 1
    return written
