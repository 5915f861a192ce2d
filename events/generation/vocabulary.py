"""What `generate_events` draws from: states' order of activity, actors' names, venues, publishers, topics, tags,
words and titles, with the weights of types, statuses, review states and precisions, and the weighted draw.

Fixed data: the same seed draws the same events from it on any day and any machine.
"""

import datetime
import re
import unicodedata
from bisect import bisect
from itertools import accumulate

from events import dates

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
