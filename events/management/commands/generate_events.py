"""Synthetic but realistic events for benchmarks: `manage.py generate_events --events N --seed S`.

What it adds, deterministically for a seed (same seed, same starting database:
same events, byte for byte in `export_dataset`):

- actors, shared by every seed: a state per ISO 3166-1 code (an existing state
  actor of that country is reused, so the demo's `russia` stays `russia`), its
  government and ministries (with parents), officials, companies, and a few
  dozen intergovernmental organizations; a few thousand in all;
- N events `gen-S-0000001`...: states drawn from a Zipf-like distribution, so a
  few dyads (the United States and Russia, China, ...) are very active and most
  are quiet; every type, status and review state (mostly published); dates from
  1990 to the end of 2026 (denser in later years) known to the day, month or year,
  some with ends; one to three sources each from publishers of a fixed pool, with
  quotes written from a vocabulary so that `q` finds things; tags; a third
  located, with coordinates; a few relations between events.

Rows go in by chunks of CHUNK events, with COPY on PostgreSQL and bulk_create
elsewhere, in one transaction and constant memory. No history rows are written
(bulk inserts skip django-simple-history's signals): generated data has no past.
"""

import datetime
import io
import queue
import random
import re
import threading
import unicodedata
from bisect import bisect
from itertools import accumulate

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from events import dates
from events.countries import COUNTRIES
from events.models import Actor, Citation, Event, EventRelation, EventType, Participant, Source, Tag
from events.postgres import copy_line
from events.progress import progress_bar

CHUNK = 5000
"""Events generated and written per round; fixed, since the random stream must not depend on it."""

REBUILD_FROM = 100_000
"""From this many events (and at least as many as stored), indexes and foreign keys are made after the load."""

FIRST_DAY = datetime.date(1990, 1, 1)
LAST_DAY = datetime.date(2026, 12, 31)
"""The dates' range: fixed rather than 'today', so that a seed gives the same events on any day."""

ACTOR_SEED = "chancery-actors-v1"
"""The actors do not depend on --seed: runs with different seeds share them."""

# The most active states first (the head of the Zipf distribution); the others follow in a fixed shuffle.
PROMINENT = (
    "USA RUS CHN GBR FRA DEU UKR TUR IRN ISR IND JPN SAU KOR PRK POL ITA QAT ARE EGY PAK SYR BLR KAZ CAN "
    "AUS BRA HUN SRB GEO ARM AZE VNM IDN ZAF NGA MEX VEN CUB AFG ESP NLD BEL SWE FIN NOR CHE AUT CZE ROU "
    "BGR GRC LTU LVA EST MDA IRQ JOR LBN OMN KWT BHR YEM LBY DZA MAR TUN ETH KEN SDN MLI NER ARG CHL COL "
    "PER BOL NIC PHL THA MYS SGP MMR BGD LKA NPL MNG UZB TKM KGZ TJK"
).split()
ZIPF_EXPONENT = 1.1

# States whose short name is not the slug of their ISO name.
STATE_IDS = {
    "RUS": "russia",
    "COD": "dr-congo",
    "PSE": "palestine",
    "FSM": "micronesia",
    "VAT": "holy-see",
    "VGB": "british-virgin-islands",
    "VIR": "us-virgin-islands",
    "GBR": "united-kingdom",
    "USA": "united-states",
}

ADJECTIVES = {
    "USA": "US", "RUS": "Russian", "CHN": "Chinese", "GBR": "British", "FRA": "French", "DEU": "German",
    "UKR": "Ukrainian", "TUR": "Turkish", "IRN": "Iranian", "ISR": "Israeli", "IND": "Indian", "JPN": "Japanese",
    "SAU": "Saudi", "KOR": "South Korean", "PRK": "North Korean", "POL": "Polish", "ITA": "Italian",
}  # fmt: skip

IGOS = (
    ("united-nations", "United Nations", ["UN"]),
    ("european-union", "European Union", ["EU", "Brussels"]),
    ("nato", "NATO", ["North Atlantic Treaty Organization", "the Alliance"]),
    ("osce", "OSCE", ["Organization for Security and Co-operation in Europe"]),
    ("african-union", "African Union", ["AU"]),
    ("asean", "ASEAN", ["Association of Southeast Asian Nations"]),
    ("arab-league", "Arab League", ["League of Arab States"]),
    ("opec", "OPEC", ["Organization of the Petroleum Exporting Countries"]),
    ("brics", "BRICS", []),
    ("g7", "G7", ["Group of Seven"]),
    ("g20", "G20", ["Group of Twenty"]),
    ("sco", "Shanghai Cooperation Organisation", ["SCO"]),
    ("csto", "Collective Security Treaty Organization", ["CSTO"]),
    ("eaeu", "Eurasian Economic Union", ["EAEU"]),
    ("council-of-europe", "Council of Europe", []),
    ("iaea", "International Atomic Energy Agency", ["IAEA"]),
    ("wto", "World Trade Organization", ["WTO"]),
    ("imf", "International Monetary Fund", ["IMF"]),
    ("world-bank", "World Bank", []),
    ("oas", "Organization of American States", ["OAS"]),
    ("gcc", "Gulf Cooperation Council", ["GCC"]),
    ("oic", "Organisation of Islamic Cooperation", ["OIC"]),
    ("mercosur", "Mercosur", []),
    ("icao", "International Civil Aviation Organization", ["ICAO"]),
    ("unesco", "UNESCO", []),
    ("who", "World Health Organization", ["WHO"]),
    ("interpol", "Interpol", []),
    ("commonwealth", "Commonwealth of Nations", ["the Commonwealth"]),
)

MINISTRIES = ("foreign-ministry", "defence-ministry", "economy-ministry", "energy-ministry", "justice-ministry")
MINISTRY_NAMES = {
    "foreign-ministry": "Ministry of Foreign Affairs",
    "defence-ministry": "Ministry of Defence",
    "economy-ministry": "Ministry of Economy",
    "energy-ministry": "Ministry of Energy",
    "justice-ministry": "Ministry of Justice",
}
OFFICES = ("president", "prime-minister", "foreign-minister", "ambassador", "envoy", "deputy-foreign-minister")
COMPANY_KINDS = (
    "National Oil Company", "Gas", "Airlines", "Railways", "Shipping", "Bank", "Steel", "Grain Trading",
    "Nuclear", "Telecom", "Mining", "Defence Industries",
)  # fmt: skip

FIRST_NAMES = (
    "Anna Boris Carlos Dmitri Elena Farid Grace Hiroshi Ingrid Jamal Katarzyna Li Maria Nikolai Olga Pedro "
    "Rania Sergei Tomas Ursula Viktor Wei Yusuf Zainab Ahmed Beatriz Chen David Emine Felipe Giorgi Hassan "
    "Irina Jonas Kenji Lucia Mehmet Nadia Omar Priya Rashid Sofia Tariq Valentina Xavier Yara"
).split()
LAST_NAMES = (
    "Ivanov Smith Garcia Kowalski Nakamura Haddad Okafor Petrov Schmidt Rossi Dubois Novak Yilmaz Kim Wang "
    "Singh Hosseini Cohen Mendes Andersson Horvath Popescu Georgiev Kuznetsov Tanaka Moreau Lopez Ahmadi "
    "Volkov Fischer Bianchi Nowak Demir Park Zhang Sharma Rahimi Levi Silva Nilsson Szabo Ionescu Dimitrov "
    "Sokolov Suzuki Laurent Hernandez Karimi"
).split()

# (city, country, latitude, longitude): where diplomacy happens.
VENUES = (
    ("Geneva", "CHE", 46.2044, 6.1432),
    ("Vienna", "AUT", 48.2082, 16.3738),
    ("Brussels", "BEL", 50.8503, 4.3517),
    ("New York", "USA", 40.7128, -74.006),
    ("Washington", "USA", 38.9072, -77.0369),
    ("Moscow", "RUS", 55.7558, 37.6173),
    ("Beijing", "CHN", 39.9042, 116.4074),
    ("London", "GBR", 51.5072, -0.1276),
    ("Paris", "FRA", 48.8566, 2.3522),
    ("Berlin", "DEU", 52.52, 13.405),
    ("Istanbul", "TUR", 41.0082, 28.9784),
    ("Ankara", "TUR", 39.9334, 32.8597),
    ("Riyadh", "SAU", 24.7136, 46.6753),
    ("Doha", "QAT", 25.2854, 51.531),
    ("Abu Dhabi", "ARE", 24.4539, 54.3773),
    ("Kyiv", "UKR", 50.4501, 30.5234),
    ("Minsk", "BLR", 53.9006, 27.559),
    ("Tehran", "IRN", 35.6892, 51.389),
    ("Jerusalem", "ISR", 31.7683, 35.2137),
    ("Cairo", "EGY", 30.0444, 31.2357),
    ("New Delhi", "IND", 28.6139, 77.209),
    ("Tokyo", "JPN", 35.6762, 139.6503),
    ("Seoul", "KOR", 37.5665, 126.978),
    ("Pyongyang", "PRK", 39.0392, 125.7625),
    ("Warsaw", "POL", 52.2297, 21.0122),
    ("Rome", "ITA", 41.9028, 12.4964),
    ("Helsinki", "FIN", 60.1699, 24.9384),
    ("Astana", "KAZ", 51.1694, 71.4491),
    ("Baku", "AZE", 40.4093, 49.8671),
    ("Yerevan", "ARM", 40.1792, 44.4991),
    ("Tbilisi", "GEO", 41.7151, 44.8271),
    ("Belgrade", "SRB", 44.7866, 20.4489),
    ("Budapest", "HUN", 47.4979, 19.0402),
    ("Islamabad", "PAK", 33.6844, 73.0479),
    ("Kabul", "AFG", 34.5553, 69.2075),
    ("Damascus", "SYR", 33.5138, 36.2765),
    ("Baghdad", "IRQ", 33.3152, 44.3661),
    ("Amman", "JOR", 31.9454, 35.9284),
    ("Beirut", "LBN", 33.8938, 35.5018),
    ("Muscat", "OMN", 23.588, 58.3829),
    ("Hanoi", "VNM", 21.0278, 105.8342),
    ("Jakarta", "IDN", -6.2088, 106.8456),
    ("Pretoria", "ZAF", -25.7479, 28.2293),
    ("Abuja", "NGA", 9.0765, 7.3986),
    ("Mexico City", "MEX", 19.4326, -99.1332),
    ("Caracas", "VEN", 10.4806, -66.9036),
    ("Havana", "CUB", 23.1136, -82.3666),
    ("Brasilia", "BRA", -15.7939, -47.8828),
    ("Ottawa", "CAN", 45.4215, -75.6972),
    ("Canberra", "AUS", -35.2809, 149.13),
    ("Madrid", "ESP", 40.4168, -3.7038),
    ("The Hague", "NLD", 52.0705, 4.3007),
    ("Stockholm", "SWE", 59.3293, 18.0686),
    ("Oslo", "NOR", 59.9139, 10.7522),
    ("Prague", "CZE", 50.0755, 14.4378),
    ("Bucharest", "ROU", 44.4268, 26.1025),
    ("Sofia", "BGR", 42.6977, 23.3219),
    ("Athens", "GRC", 37.9838, 23.7275),
    ("Vilnius", "LTU", 54.6872, 25.2797),
    ("Riga", "LVA", 56.9496, 24.1052),
    ("Tallinn", "EST", 59.437, 24.7536),
    ("Chisinau", "MDA", 47.0105, 28.8638),
    ("Addis Ababa", "ETH", 9.032, 38.7469),
    ("Nairobi", "KEN", -1.2921, 36.8219),
    ("Algiers", "DZA", 36.7538, 3.0588),
    ("Rabat", "MAR", 34.0209, -6.8416),
    ("Buenos Aires", "ARG", -34.6037, -58.3816),
    ("Bogota", "COL", 4.711, -74.0721),
    ("Manila", "PHL", 14.5995, 120.9842),
    ("Bangkok", "THA", 13.7563, 100.5018),
    ("Singapore", "SGP", 1.3521, 103.8198),
    ("Ulaanbaatar", "MNG", 47.8864, 106.9057),
    ("Tashkent", "UZB", 41.2995, 69.2401),
    ("Sochi", "RUS", 43.6028, 39.7342),
    ("Davos", "CHE", 46.8003, 9.8361),
    ("Munich", "DEU", 48.1351, 11.582),
    ("Antalya", "TUR", 36.8969, 30.7133),
    ("Jeddah", "SAU", 21.4858, 39.1925),
    ("Anchorage", "USA", 61.2181, -149.9003),
    ("Camp David", "USA", 39.6483, -77.465),
)

PUBLISHERS = (
    ("Reuters", "www.reuters.com", "en"),
    ("Associated Press", "apnews.com", "en"),
    ("AFP", "www.afp.com", "en"),
    ("RT", "www.rt.com", "en"),
    ("TASS", "tass.com", "en"),
    ("BBC News", "www.bbc.com", "en"),
    ("Xinhua", "english.news.cn", "en"),
    ("Al Jazeera", "www.aljazeera.com", "en"),
    ("Deutsche Welle", "www.dw.com", "en"),
    ("US Department of State", "www.state.gov", "en"),
    ("Interfax", "interfax.com", "en"),
    ("Ministry of Foreign Affairs of Russia", "mid.ru", "ru"),
    ("The Guardian", "www.theguardian.com", "en"),
    ("France 24", "www.france24.com", "en"),
    ("Anadolu Agency", "www.aa.com.tr", "en"),
    ("The New York Times", "www.nytimes.com", "en"),
    ("Financial Times", "www.ft.com", "en"),
    ("Kyiv Independent", "kyivindependent.com", "en"),
    ("Global Times", "www.globaltimes.cn", "en"),
    ("Kyodo News", "english.kyodonews.net", "en"),
    ("Yonhap", "en.yna.co.kr", "en"),
    ("Le Monde", "www.lemonde.fr", "fr"),
    ("The Washington Post", "www.washingtonpost.com", "en"),
    ("Politico Europe", "www.politico.eu", "en"),
    ("Kommersant", "www.kommersant.ru", "ru"),
    ("RIA Novosti", "ria.ru", "ru"),
    ("Dawn", "www.dawn.com", "en"),
    ("Arab News", "www.arabnews.com", "en"),
    ("Tehran Times", "www.tehrantimes.com", "en"),
    ("Haaretz", "www.haaretz.com", "en"),
    ("European External Action Service", "www.eeas.europa.eu", "en"),
    ("UN News", "news.un.org", "en"),
    ("US Treasury", "home.treasury.gov", "en"),
    ("Kremlin", "en.kremlin.ru", "en"),
    ("Ministry of Foreign Affairs of China", "www.fmprc.gov.cn", "en"),
    ("GOV.UK", "www.gov.uk", "en"),
    ("Bloomberg", "www.bloomberg.com", "en"),
    ("Nikkei Asia", "asia.nikkei.com", "en"),
    ("South China Morning Post", "www.scmp.com", "en"),
    ("Radio Free Europe/Radio Liberty", "www.rferl.org", "en"),
    ("Meduza", "meduza.io", "en"),
    ("Daily Sabah", "www.dailysabah.com", "en"),
    ("The Hindu", "www.thehindu.com", "en"),
    ("Korea Herald", "www.koreaherald.com", "en"),
    ("El País", "elpais.com", "es"),
    ("EFE", "efe.com", "es"),
    ("ANSA", "www.ansa.it", "it"),
    ("PAP", "www.pap.pl", "pl"),
    ("Ukrinform", "www.ukrinform.net", "en"),
    ("BelTA", "eng.belta.by", "en"),
    ("Kazinform", "www.inform.kz", "en"),
    ("IRNA", "en.irna.ir", "en"),
    ("Saudi Press Agency", "www.spa.gov.sa", "en"),
    ("WAM", "www.wam.ae", "en"),
    ("Agência Brasil", "agenciabrasil.ebc.com.br", "pt"),
    ("Daily Maverick", "www.dailymaverick.co.za", "en"),
    ("Premium Times", "www.premiumtimesng.com", "en"),
    ("The Japan Times", "www.japantimes.co.jp", "en"),
)

TOPICS = (
    "embassy operations", "energy supplies", "gas transit", "grain exports", "the nuclear programme", "arms control",
    "a prisoner exchange", "maritime borders", "the visa regime", "direct flights", "fishing rights", "cyber attacks",
    "election interference", "debt relief", "pipeline construction", "trade tariffs", "steel quotas", "oil prices",
    "a ceasefire", "humanitarian corridors", "refugee returns", "border demarcation", "military exercises",
    "missile deployments", "chemical weapons", "space cooperation", "Arctic shipping", "rare earth exports",
    "semiconductor controls", "frozen assets", "diplomatic property", "consular access", "detained journalists",
    "climate finance", "water sharing", "hydropower dams", "fertilizer shipments", "the peace process",
    "peacekeeping forces", "sanctions relief", "export controls", "the grain corridor", "airspace closures",
    "a free trade agreement", "investment protection", "nuclear fuel supplies", "uranium enrichment",
    "the strategic dialogue", "counter-terrorism", "migration", "drug trafficking", "the Black Sea", "the Caspian Sea",
    "the South China Sea", "the Korean Peninsula", "the Middle East", "the Balkans", "the Caucasus", "Central Asia",
    "wheat deliveries", "LNG contracts", "electricity exports", "railway links", "port access", "Arctic research",
    "vaccine supplies", "cultural exchanges", "student visas", "church property", "war graves", "archives",
)  # fmt: skip

TAGS = (
    "embassy-operations", "air-links", "energy", "oil", "gas", "nuclear", "arms-control", "trade", "grain",
    "human-rights", "prisoners", "visas", "cyber", "elections", "sanctions-evasion", "frozen-assets", "maritime",
    "arctic", "border", "ceasefire", "humanitarian", "refugees", "military", "missiles", "space", "technology",
    "semiconductors", "finance", "debt", "climate", "water", "migration", "terrorism", "drugs", "journalists",
    "consular", "property", "archives", "culture", "education", "health", "shipping", "aviation", "rail",
    "fertilizer", "uranium", "lng", "pipelines", "black-sea", "south-china-sea",
)  # fmt: skip

# Words for summaries and quotes: the first ones common, the last ones rare (Zipf), so that `q` finds
# anything from a handful of events to a good share of them.
WORDS = (
    "government officials delegation ministry spokesman talks agreement cooperation relations bilateral security "
    "economic sanctions diplomats embassy statement meeting leaders minister president foreign negotiations "
    "countries sides parties dialogue policy support measures decision response situation interests partners "
    "region international joint issues concerns pressure conflict crisis trade energy military border agreed "
    "discussed announced confirmed rejected criticized welcomed proposed signed warned demanded condemned "
    "expressed hoped stressed noted urged insisted denied accused pledged promised threatened expelled closed "
    "reopened resumed suspended restored imposed lifted extended postponed cancelled scheduled "
    "framework memorandum protocol roadmap initiative mechanism commission working group summit communique "
    "consultations envoy ambassador consulate mission staff personnel visas flights airspace carriers "
    "assets property compound residence dacha villa warehouse terminal pipeline refinery tanker cargo "
    "wheat barley sunflower fertilizer ammonia potash uranium titanium palladium nickel aluminium cobalt "
    "lithium helium neon semiconductors turbines icebreaker satellites drones missiles frigates submarines "
    "battalion garrison airbase radar artillery mines ceasefire corridor evacuation hostages detainees "
    "journalist blogger activist oligarch tycoon banker smuggler hacker spy defector courier "
    "reciprocity retaliation escalation de-escalation normalization rapprochement detente stalemate impasse "
    "breakthrough setback ultimatum moratorium embargo quarantine blockade exemption waiver carve-out "
    "Arctic Baltic Caspian Danube Bosphorus Dardanelles Svalbard Kaliningrad Transnistria Crimea Donbas "
    "Abkhazia Karabakh Kashmir Taiwan Hormuz Suez Panama Gibraltar Malacca Spratly Senkaku Kuril "
    "archipelago enclave exclave corridor isthmus strait estuary delta plateau tundra steppe "
    "zeppelin samovar accordion harpsichord marzipan saffron pistachio caviar sturgeon walrus narwhal"
).split()

TITLES = {
    "talks": (
        "{a} and {b} hold talks on {topic}",
        "{a} and {b} negotiators meet over {topic}",
        "New round of {a}-{b} consultations on {topic}",
    ),
    "meeting": ("{a} delegation visits {b}", "{a} and {b} officials meet to discuss {topic}"),
    "meeting.summit": ("{a} and {b} leaders hold summit on {topic}", "Summit of {a} and {b} ends with talk of {topic}"),
    "statement": (
        "{a} says {b} must stop {topic} disputes",
        "{a} criticizes {b} over {topic}",
        "{a} welcomes {b} move on {topic}",
    ),
    "proposal": ("{a} proposes talks with {b} on {topic}", "{a} offers {b} a deal on {topic}"),
    "agreement": ("{a} and {b} sign agreement on {topic}", "{a} and {b} agree on {topic}"),
    "sanctions": ("{a} threatens {b} with sanctions over {topic}",),
    "sanctions.imposed": ("{a} imposes sanctions on {b} over {topic}", "{a} adds {b} entities to sanctions list"),
    "sanctions.lifted": ("{a} lifts sanctions on {b}", "{a} eases restrictions on {b} after deal on {topic}"),
    "property": ("{a} and {b} dispute diplomatic property",),
    "property.seizure": ("{a} seizes {b} diplomatic property", "{a} bars {b} diplomats from compound"),
    "property.return": ("{a} returns diplomatic property to {b}",),
    "flights": ("{a} and {b} discuss air links",),
    "flights.ban": ("{a} bans flights from {b}", "{a} closes airspace to {b} carriers"),
    "flights.resumed": ("{a} and {b} resume direct flights", "Flights between {a} and {b} restart"),
    "diplomats": ("{a} summons {b} ambassador over {topic}",),
    "diplomats.expelled": ("{a} expels {n} {b} diplomats", "{a} declares {b} diplomats persona non grata"),
    "diplomats.staff_limits": ("{a} caps number of {b} embassy staff", "{a} limits movement of {b} diplomats"),
    "missions": ("{a} and {b} discuss diplomatic missions",),
    "missions.closed": ("{a} closes consulate in {b}", "{a} suspends embassy operations in {b}"),
    "missions.reopened": ("{a} reopens embassy in {b}", "{a} and {b} restore diplomatic missions"),
}
TYPE_WEIGHTS = {
    "talks": 18,
    "meeting": 10,
    "meeting.summit": 3,
    "statement": 20,
    "proposal": 5,
    "agreement": 5,
    "sanctions": 1,
    "sanctions.imposed": 7,
    "sanctions.lifted": 2,
    "property": 0.3,
    "property.seizure": 1,
    "property.return": 0.5,
    "flights": 0.3,
    "flights.ban": 1.5,
    "flights.resumed": 1,
    "diplomats": 3,
    "diplomats.expelled": 3,
    "diplomats.staff_limits": 1,
    "missions": 0.5,
    "missions.closed": 1.2,
    "missions.reopened": 0.8,
}
# Families where one side acts on the other; in the others both take part alike.
DIRECTED = {"statement", "proposal", "sanctions", "property", "flights", "diplomats", "missions"}

STATUSES = (("occurred", 84), ("scheduled", 5), ("proposed", 5), ("cancelled", 3), ("postponed", 3))
REVIEW_STATES = (("published", 92), ("reviewed", 4), ("draft", 4))
PRECISIONS = ((dates.DAY, 72), (dates.MONTH, 20), (dates.YEAR, 8))
RELATIONS = ("followed_by", "follows", "responds_to", "cancels", "part_of", "supersedes")
SAID = ("said", "stated", "told reporters", "announced", "confirmed", "insisted", "warned", "noted")


def slugify(text):
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-")


class Weighted:
    """Draws from `items` with `weights`: a bisect on cumulative weights (faster than random.choices)."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def draw(self, rng):
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


def zipf(items, exponent=ZIPF_EXPONENT):
    return Weighted(items, [1 / (rank + 1) ** exponent for rank in range(len(items))])


# ---------------------------------------------------------------- actors


class ActorPool:
    """The generated actors, shared by every seed; states reuse existing state actors of their country."""

    def __init__(self):
        rng = random.Random(ACTOR_SEED)
        rest = sorted(set(COUNTRIES) - set(PROMINENT))
        rng.shuffle(rest)
        self.codes = [code for code in PROMINENT if code in COUNTRIES] + rest
        existing_states = {}
        for actor_id, country, name in (
            Actor.objects.filter(kind=Actor.Kind.STATE)
            .exclude(country="")
            .order_by("id")
            .values_list("id", "country", "name")
        ):
            existing_states.setdefault(country, (actor_id, name))
        taken = set(Actor.objects.values_list("id", flat=True))
        self.rows = []  # Actor instances to create (ignore_conflicts: a second run finds them there)
        self.state = {}  # country -> state actor id
        self.name = {}  # actor id -> name, for titles and quotes
        self.country = {}  # actor id -> country code
        self.below = {}  # country -> [sub-actor ids]: its government, ministries, officials, companies
        for code in self.codes:
            name = COUNTRIES[code]
            short = re.sub(r"\s*\(.*\)|,.*$", "", name)
            if code in existing_states:
                actor_id, short = existing_states[code]
            else:
                actor_id = STATE_IDS.get(code) or slugify(short)
                if actor_id in taken or actor_id in self.name:
                    # Someone else's actor has the slug: ours gets the country code too.
                    actor_id = f"{actor_id}-{code.lower()}"
                self._add(actor_id, short, Actor.Kind.STATE, code, [name] if name != short else [], None)
            self.state[code] = actor_id
            self.name[actor_id] = short
            self.country[actor_id] = code
        for rank, code in enumerate(self.codes):
            self._add_below(rng, rank, code)
        for actor_id, name, aliases in IGOS:
            self._add(actor_id, name, Actor.Kind.IGO, "", aliases, None)
        self.igos = [actor_id for actor_id, _, _ in IGOS]
        self.states = zipf([self.state[code] for code in self.codes])
        self.igo_choice = zipf(self.igos, 1.0)

    def _add(self, actor_id, name, kind, country, aliases, parent):
        self.rows.append(
            Actor(id=actor_id, name=name, kind=kind, country=country, aliases=aliases, parent_id=parent, wikidata="")
        )
        self.name[actor_id] = name
        self.country[actor_id] = country

    def _add_below(self, rng, rank, code):
        state = self.state[code]
        short = self.name[state]
        adjective = ADJECTIVES.get(code, short)
        government = f"{state}-government"
        self._add(government, f"Government of {short}", Actor.Kind.GOVERNMENT, code, [], state)
        below = [government]
        ministries = MINISTRIES[: 1 if rank >= 150 else 3 if rank >= 40 else len(MINISTRIES)]
        for ministry in ministries:
            actor_id = f"{state}-{ministry}"
            self._add(actor_id, f"{MINISTRY_NAMES[ministry]} of {short}", Actor.Kind.GOVERNMENT, code, [], government)
            below.append(actor_id)
        people = 0 if rank >= 150 else 4 if rank >= 40 else 12
        for i in range(people):
            office = OFFICES[i % len(OFFICES)]
            person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            actor_id = f"{slugify(person)}-{code.lower()}-{i + 1}"
            # Diplomats belong to the foreign ministry; heads of state and government to the state.
            parent = f"{state}-foreign-ministry" if "foreign" in office or office in ("ambassador", "envoy") else state
            self._add(actor_id, person, Actor.Kind.PERSON, code, [f"{adjective} {office.replace('-', ' ')}"], parent)
            below.append(actor_id)
        companies = 0 if rank >= 80 else 3 if rank >= 20 else 8
        for kind in rng.sample(COMPANY_KINDS, companies):
            name = f"{adjective} {kind}"
            self._add(f"{slugify(name)}-{code.lower()}", name, Actor.Kind.COMPANY, code, [], None)
            below.append(f"{slugify(name)}-{code.lower()}")
        self.below[code] = below


# ---------------------------------------------------------------- writers


class OrmWriter:
    """bulk_create, for SQLite and other databases."""

    def first_source_id(self):
        # The write transaction holds SQLite's lock: no one else adds sources meanwhile.
        return (Source.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1

    def prepare(self, model, columns, rows):
        return model, [model(**dict(zip(columns, row, strict=True))) for row in rows]

    def send(self, prepared):
        model, instances = prepared
        model.objects.bulk_create(instances, batch_size=500)

    def finish(self, next_source_id):
        pass


class CopyWriter:
    """COPY ... FROM STDIN, for PostgreSQL: several times faster than INSERTs.

    With `rebuild`, the loaded tables' foreign keys and plain indexes (those
    that back no constraint) are dropped first and made again at the end,
    from their own definitions: building an index or checking a foreign key
    once over the table is far cheaper than a million times row by row (the
    full-text GIN indexes above all). It locks the tables for the run, which
    suits the large loads into benchmark databases that it is meant for.
    """

    TABLES = (Event, Participant, Citation, Source, EventRelation, Event.tags.through)

    SEARCH_COLUMN_TABLES = (Event, Participant, Citation)
    """Tables whose triggers keep the events' search columns (migration 0007): off for the load."""

    def __init__(self, rebuild=False, event_prefix=""):
        self.cursor = connection.cursor()
        # Nothing here needs to survive a crash before the commit: the whole run is one transaction.
        self.cursor.execute("SET LOCAL synchronous_commit TO OFF")
        self.extras = {}
        self.event_prefix = event_prefix
        self.indexes, self.foreign_keys = [], []
        self._switch_search_column_triggers(enable=False)
        if rebuild:
            self._drop()

    def _switch_search_column_triggers(self, enable):
        """The search columns' triggers, turned off for the load: left on, each chunk's participants and
        citations would rewrite its events twice, and with the indexes dropped each event inserted would
        scan the participants; one UPDATE after the load fills them (migration 0007's
        `events_event_fill_search_columns`), for the events of this run, whose ids start with gen-SEED-."""
        quote = connection.ops.quote_name
        # Foreign-key checks still pending (of the rows written so far) must run before a table is altered.
        self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in self.SEARCH_COLUMN_TABLES:
            table = model._meta.db_table
            self.cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname LIKE 'search\\_columns%%'"
                " ORDER BY tgname",
                [quote(table)],
            )
            for (name,) in self.cursor.fetchall():
                action = "ENABLE" if enable else "DISABLE"
                self.cursor.execute(f"ALTER TABLE {quote(table)} {action} TRIGGER {quote(name)}")

    def _drop(self):
        tables = [model._meta.db_table for model in self.TABLES]
        self.cursor.execute(
            """
            SELECT index.relname, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class index ON index.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace
              AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY index.relname
            """,
            [tables],
        )
        self.indexes = self.cursor.fetchall()
        self.cursor.execute(
            """
            SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype = 'f' AND t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace
            ORDER BY t.relname, c.conname
            """,
            [tables],
        )
        self.foreign_keys = self.cursor.fetchall()
        quote = connection.ops.quote_name
        # The checks still pending (of the actors just added) must run before a table can be altered.
        self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, name, _ in self.foreign_keys:
            self.cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _ in self.indexes:
            self.cursor.execute(f"DROP INDEX {quote(name)}")

    def first_source_id(self):
        # Sources get their ids from the generator: nobody else may add one until the commit.
        self.cursor.execute(f"LOCK TABLE {connection.ops.quote_name(Source._meta.db_table)} IN EXCLUSIVE MODE")
        self.cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Source._meta.db_table])
        return self.cursor.fetchone()[0]

    def prepare(self, model, columns, rows):
        """The COPY statement and its data; pure Python, so that it runs beside the previous chunk's COPY."""
        fields = {f.attname: f for f in model._meta.concrete_fields}
        # Columns added to the model later, with a default: filled so that COPY does not leave them NULL.
        extra = self.extras.get(model)
        if extra is None:
            extra = self.extras[model] = [
                (f.column, f.get_default())
                for f in model._meta.concrete_fields
                if f.attname not in columns and not f.primary_key and f.has_default()
            ]
        if extra:
            rows = [(*row, *(value for _, value in extra)) for row in rows]
        quote = connection.ops.quote_name
        names = ", ".join(quote(name) for name in [fields[c].column for c in columns] + [c for c, _ in extra])
        return f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN", "".join(map(copy_line, rows))

    def send(self, prepared):
        statement, data = prepared
        if data:
            self.cursor.copy_expert(statement, io.StringIO(data), 1 << 20)

    def finish(self, next_source_id):
        quote = connection.ops.quote_name
        self.cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [Source._meta.db_table, next_source_id]
        )
        if self.indexes:
            self.cursor.execute("SET LOCAL maintenance_work_mem TO '1GB'")
        # Before the indexes are made again: the events' are then built once over the filled rows.
        self.cursor.execute("SELECT events_event_fill_search_columns(%s)", [f"{self.event_prefix}%"])
        self._switch_search_column_triggers(enable=True)
        for _, definition in self.indexes:
            self.cursor.execute(definition)
        for table, name, definition in self.foreign_keys:
            self.cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        for model in self.TABLES:
            self.cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
        self.cursor.close()


# ---------------------------------------------------------------- events

EVENT_COLUMNS = (
    "id", "title", "summary", "type_id", "status", "start", "start_precision", "end", "end_precision", "span_end",
    "location_name", "location_country", "location_lat", "location_lon", "review_state",
    "created_at", "updated_at", "reviewed_at", "published_at",
)  # fmt: skip
SOURCE_COLUMNS = ("id", "url", "title", "publisher", "published", "language", "archive_url")
PARTICIPANT_COLUMNS = ("event_id", "actor_id", "role")
CITATION_COLUMNS = ("event_id", "source_id", "quote", "claimed_by_id")
RELATION_COLUMNS = ("from_event_id", "to_event_id", "relation")
TAG_COLUMNS = ("event_id", "tag_id")


class EventGenerator:
    """The random stream of one seed: events, with their participants, sources, tags and relations."""

    def __init__(self, seed, actors, type_codes, now, first_source_id):
        self.seed = seed
        self.next_source_id = first_source_id
        self.rng = random.Random(seed)
        self.actors = actors
        self.now = now
        self.types = Weighted(type_codes, [TYPE_WEIGHTS.get(code, 0.5) for code in type_codes])
        self.statuses = Weighted(*zip(*STATUSES, strict=True))
        self.review_states = Weighted(*zip(*REVIEW_STATES, strict=True))
        self.precisions = Weighted(*zip(*PRECISIONS, strict=True))
        self.topics = zipf(TOPICS, 0.8)
        self.tags = zipf(TAGS, 0.9)
        # Text is cut from one long Zipf-distributed stream of words: a draw per sentence, not per word.
        words = zipf(WORDS, 1.0)
        self.word_stream = [words.draw(self.rng) for _ in range(1 << 16)]
        self.topic_slugs = {topic: slugify(topic) for topic in TOPICS}
        self.publishers = zipf(PUBLISHERS, 0.9)
        self.venues = zipf(VENUES, 0.8)
        self.venues_by_country = {}
        for venue in VENUES:
            self.venues_by_country.setdefault(venue[1], []).append(venue)
        self.days = (LAST_DAY - FIRST_DAY).days
        self.source_count = 0

    # -- one event

    def pick_side(self, state_id):
        """The state itself, or (less often) its government, a ministry, an official or a company."""
        rng = self.rng
        if rng.random() < 0.62:
            return state_id
        below = self.actors.below[self.actors.country[state_id]]
        return below[int(len(below) * rng.random() ** 1.6)]

    def pick_date(self):
        rng = self.rng
        # Later years hold more events: the density grows like t^0.7.
        day = FIRST_DAY + datetime.timedelta(days=int(self.days * rng.random() ** 0.6))
        precision = self.precisions.draw(rng)
        if precision == dates.MONTH:
            day = day.replace(day=1)
        elif precision == dates.YEAR:
            day = day.replace(month=1, day=1)
        end, end_precision = None, ""
        if rng.random() < 0.14:
            end_precision = precision if rng.random() < 0.8 else self.precisions.draw(rng)
            if end_precision == dates.DAY:
                end = day + datetime.timedelta(days=1 + int(rng.expovariate(1 / 6)))
            elif end_precision == dates.MONTH:
                months = day.year * 12 + day.month - 1 + 1 + int(rng.expovariate(1 / 4))
                end = datetime.date(months // 12, months % 12 + 1, 1)
            else:
                end = datetime.date(day.year + 1 + int(rng.expovariate(1 / 1.5)), 1, 1)
        return day, precision, end, end_precision

    def sentence(self, k):
        start = int(self.rng.random() * (len(self.word_stream) - k))
        return " ".join(self.word_stream[start : start + k])

    def chunk(self, first, count, width):
        """Rows of events first..first+count-1, with their sources, participants, citations, relations, tags."""
        rng = self.rng
        actors = self.actors
        names = actors.name
        events, participants, citations, relations, tags, sources = [], [], [], [], [], []
        dyad_sources = {}  # (state, state) -> indexes in `sources`, for later events of the chunk
        last_of_dyad = {}
        for number in range(first, first + count):
            event_id = f"gen-{self.seed}-{number:0{width}d}"
            type_code = self.types.draw(rng)
            family = type_code.split(".")[0]
            state_a = actors.states.draw(rng)
            state_b = actors.states.draw(rng)
            while state_b == state_a:
                state_b = actors.states.draw(rng)
            side_a, side_b = self.pick_side(state_a), self.pick_side(state_b)
            roles = []
            if family in DIRECTED:
                roles += [(side_a, "initiator"), (side_b, "target")]
                if family == "sanctions" and rng.random() < 0.4:
                    extra = actors.below[actors.country[state_b]][-1]
                    if extra != side_b:
                        roles.append((extra, "target"))
            else:
                roles += [(side_a, "participant"), (side_b, "participant")]
                if type_code == "meeting.summit":
                    for _ in range(int(rng.random() * 3)):
                        other = actors.states.draw(rng)
                        if other not in (side_a, side_b):
                            roles.append((other, "participant"))
                if rng.random() < 0.08:
                    roles.append((actors.igo_choice.draw(rng), "participant"))
            host = None
            roll = rng.random()
            if roll < 0.12:
                host = actors.states.draw(rng)
                if host not in (state_a, state_b) or rng.random() < 0.5:
                    roles.append((host, "host"))
                else:
                    host = None
            elif roll < 0.17 and family not in DIRECTED:
                roles.append((actors.igo_choice.draw(rng), "mediator"))
            seen = set()
            for actor_id, role in roles:
                if (actor_id, role) not in seen:
                    seen.add((actor_id, role))
                    participants.append((event_id, actor_id, role))

            start, precision, end, end_precision = self.pick_date()
            span_end = dates.period_end(end, end_precision) if end else dates.period_end(start, precision)
            topic = self.topics.draw(rng)
            name_a, name_b = names[side_a], names[side_b]
            template = TITLES.get(type_code) or TITLES.get(family) or ("{a} and {b}: {topic}",)
            title = template[int(rng.random() * len(template))].format(
                a=name_a, b=name_b, topic=topic, n=2 + int(rng.expovariate(1 / 8))
            )
            summary = (
                f"Officials of {name_a} and {name_b} discussed {topic}; {self.sentence(8)}."
                if rng.random() < 0.7
                else ""
            )

            location = ("", "", None, None)
            if rng.random() < 0.34:
                # The host's city, else most often one of the two sides', else a usual venue (Geneva, Vienna...).
                place = host
                if place is None and rng.random() < 0.7:
                    place = state_a if rng.random() < 0.5 else state_b
                local = self.venues_by_country.get(actors.country[place]) if place else None
                location = local[int(rng.random() * len(local))] if local else self.venues.draw(rng)
            review_state = self.review_states.draw(rng)
            events.append(
                (
                    event_id, title, summary, type_code, self.statuses.draw(rng), start, precision, end,
                    end_precision, span_end, *location, review_state, self.now, self.now,
                    self.now if review_state != "draft" else None, self.now if review_state == "published" else None,
                )
            )  # fmt: skip

            # One to three sources: an article of its own, and maybe one on the same two states
            # that an earlier event of the chunk cites (a review of their relations).
            dyad = (state_a, state_b) if state_a < state_b else (state_b, state_a)
            about_dyad = dyad_sources.setdefault(dyad, [])
            cited = []
            for i in range(1 if rng.random() < 0.45 else 2 if rng.random() < 0.7 else 3):
                if i > 0 and about_dyad and rng.random() < 0.5:
                    index = about_dyad[int(rng.random() * len(about_dyad))]
                    if index in cited:
                        continue
                else:
                    index = len(sources)
                    sources.append(self.source(start, precision, title, type_code, topic))
                    about_dyad.append(index)
                cited.append(index)
                speaker = name_a if rng.random() < 0.6 else name_b
                quote = (
                    f"{speaker} {SAID[int(rng.random() * len(SAID))]} the two sides discussed {topic}: "
                    f"{self.sentence(6 + int(rng.random() * 10))}."
                )
                claimed_by = side_a if rng.random() < 0.2 else None
                citations.append((event_id, index, quote, claimed_by))

            if rng.random() < 0.55:
                for slug in {self.tags.draw(rng) for _ in range(1 + int(rng.random() * 3))}:
                    tags.append((event_id, slug))

            earlier = last_of_dyad.get(dyad)
            if earlier is not None and rng.random() < 0.15:
                relations.append((event_id, earlier, RELATIONS[int(rng.random() * len(RELATIONS))]))
            last_of_dyad[dyad] = event_id

        first_id = self.next_source_id
        self.next_source_id += len(sources)
        sources = [(first_id + i, *source) for i, source in enumerate(sources)]
        citations = [(event_id, first_id + index, quote, claimed) for event_id, index, quote, claimed in citations]
        return {
            "sources": sources,
            "events": events,
            "participants": participants,
            "citations": citations,
            "relations": relations,
            "tags": sorted(tags),
        }

    def source(self, start, precision, title, type_code, topic):
        rng = self.rng
        self.source_count += 1
        publisher, host, language = self.publishers.draw(rng)
        period_end = dates.period_end(start, precision)
        published = start + datetime.timedelta(days=int(rng.random() * ((period_end - start).days + 1)))
        published += datetime.timedelta(days=int(rng.expovariate(1 / 2)))
        slug = f"{type_code.replace('.', '-').replace('_', '-')}-{self.topic_slugs[topic]}"
        url = f"https://{host}/news/{published.year}/{published.month:02d}/{slug}-g{self.seed}-{self.source_count}"
        archive = ""
        if rng.random() < 0.05:
            archive = f"https://web.archive.org/web/{published.year}{published.month:02d}{published.day:02d}/{url}"
        return (url, title, publisher, None if rng.random() < 0.03 else published,
                language if rng.random() < 0.9 else "en", archive)  # fmt: skip


class Command(BaseCommand):
    help = (
        "Add N synthetic but realistic events (with a few thousand actors, sources, participants, tags and "
        "relations) for benchmarks; deterministic for a seed and a starting database. Event ids are "
        "gen-SEED-NUMBER, so runs with different seeds add up. Written with COPY on PostgreSQL, bulk_create "
        "elsewhere, in one transaction: no history rows are made for generated data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, required=True, help="how many events to add (N)")
        parser.add_argument("--seed", type=int, default=1, help="the random seed (S >= 0); event ids are gen-S-...")

    def handle(self, *args, events, seed, **options):
        if events < 0:
            raise CommandError("--events must be 0 or more")
        if seed < 0:
            raise CommandError("--seed must be 0 or more")
        prefix = f"gen-{seed}-"
        if Event.objects.filter(id__startswith=prefix).exists():
            raise CommandError(f"events {prefix}... exist already: use another --seed to add more")
        type_codes = list(EventType.objects.order_by("code").values_list("code", flat=True))
        if not type_codes:
            raise CommandError("no event types: run migrate first")
        width = max(7, len(str(events)))
        started = timezone.now()
        with transaction.atomic():
            actors = ActorPool()
            Actor.objects.bulk_create(sorted(actors.rows, key=lambda a: a.parent_id is not None), ignore_conflicts=True)
            Tag.objects.bulk_create([Tag(slug=slug) for slug in TAGS], ignore_conflicts=True)
            if connection.vendor == "postgresql":
                # Rebuilding indexes and foreign keys pays when the load is large and at least doubles the table.
                writer = CopyWriter(
                    rebuild=events >= REBUILD_FROM and events >= Event.objects.count(), event_prefix=prefix
                )
            else:
                writer = OrmWriter()
            generator = EventGenerator(seed, actors, type_codes, started, writer.first_source_id())

            def chunks():
                for first in range(1, events + 1, CHUNK):
                    rows = generator.chunk(first, min(CHUNK, events + 1 - first), width)
                    yield (
                        len(rows["events"]),
                        [writer.prepare(model, columns, rows[key]) for key, model, columns in TABLES],
                    )

            with progress_bar(total=events, desc="generate") as bar:
                for count, statements in in_background(chunks()):
                    for statement in statements:
                        writer.send(statement)
                    bar.update(count)
            writer.finish(generator.next_source_id)
        seconds = (timezone.now() - started).total_seconds()
        rate = f", {events / seconds:,.0f} events/s" if seconds > 0 and events else ""
        self.stdout.write(
            f"generated {events} events {prefix}... and {generator.source_count} sources in {seconds:.1f} s{rate}"
        )


# What each chunk writes, in an order that inserts what is referenced first.
TABLES = (
    ("sources", Source, SOURCE_COLUMNS),
    ("events", Event, EVENT_COLUMNS),
    ("participants", Participant, PARTICIPANT_COLUMNS),
    ("citations", Citation, CITATION_COLUMNS),
    ("relations", EventRelation, RELATION_COLUMNS),
    ("tags", Event.tags.through, TAG_COLUMNS),
)


def in_background(items, ahead=2):
    """Iterate `items` in a thread, up to `ahead` items ahead of the caller.

    Generating the next chunk (pure Python) then runs while the database
    takes the previous one (psycopg2 releases the GIL while it waits): two
    cores, both busy.
    """
    results = queue.Queue(maxsize=ahead)
    stop = threading.Event()
    done = object()

    def produce():
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        results.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            results.put(done)
        except BaseException as exc:  # handed to the caller, who raises it
            results.put(exc)

    thread = threading.Thread(target=produce, name="generate_events", daemon=True)
    thread.start()
    try:
        while (item := results.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()
