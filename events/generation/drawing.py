"""The drawing of `generate_events`: the actors shared by every seed, and one seed's events with their parts.

Pure Python over the vocabulary (`events.generation.vocabulary`) and one random stream per seed: the rows
of each chunk as tuples, written by `events.generation.writing`.
"""

import datetime
import random
import re

from events import dates
from events.countries import COUNTRIES
from events.models import Actor

from .vocabulary import (
    ACTOR_SEED,
    ADJECTIVES,
    COMPANY_KINDS,
    DIRECTED,
    FIRST_DAY,
    FIRST_NAMES,
    IGOS,
    LAST_DAY,
    LAST_NAMES,
    MINISTRIES,
    MINISTRY_NAMES,
    OFFICES,
    PRECISIONS,
    PROMINENT,
    PUBLISHERS,
    RELATIONS,
    REVIEW_STATES,
    SAID,
    STATE_IDS,
    STATUSES,
    TAGS,
    TITLES,
    TOPICS,
    TYPE_WEIGHTS,
    VENUES,
    WORDS,
    Weighted,
    slugify,
    zipf,
)  # fmt: skip


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
