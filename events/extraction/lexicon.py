"""Trigger words of each event type, per language, compared by lemma (morphology.py).

A trigger is a sequence of lemmas; up to three other words may stand between
them ("closed its embassy", "imposed new sanctions on", "ввела против России
санкции"). A word ending in `*` matches any word it begins ("авиасообщ*"); one starting with `~` may stand up to eight
words after the previous one, as a passive's verb after its subject ("air traffic between Russia and Egypt was
completely interrupted"). A
word matches a token's lemma or the token itself, so that words a lemmatiser
does not know ("нон грата") still match as written.

These are Chancery's own lists, written from how news and ministries word each
kind of event; the keywords curators keep on each EventType count too
(event_types.py). The longer trigger wins where two overlap.
"""

TRIGGERS = {
    "en": {
        "talks": ["talk", "talks", "negotiation", "negotiate", "consultation", "round of talk", "stability dialogue",
                  "strategic dialogue", "partnership dialogue", "dialogue session", "round of dialogue"],
        "meeting": ["meet", "meeting", "visit", "met", "host talk", "hold talk", "trip to", "arrive in",
                    "joint session"],
        "meeting.summit": ["summit"],
        "proposal": ["propose", "proposal", "offer", "invite", "invitation", "suggest", "roadmap", "road map"],
        "agreement": ["agreement", "sign", "treaty", "agree", "deal", "memorandum", "declaration",
                      "joint statement",
                      # Relations are set up or restored by agreement of both sides: an agreement.
                      "restore diplomatic relation", "restore relation", "restore diplomatic tie", "restore tie",
                      "resume diplomatic relation", "re-establish diplomatic relation", "reestablish relation",
                      "establish diplomatic relation", "normalize relation", "normalise relation"],
        "sanctions.imposed": ["impose sanction", "sanction", "blacklist", "asset freeze", "freeze asset",
                              "visa ban", "extend sanction", "renew sanction", "prolong sanction",
                              "restrictive measure", "embargo", "impose restriction", "magnitsky list"],
        "sanctions.lifted": ["lift sanction", "ease sanction", "sanction relief", "remove sanction",
                             "waive sanction", "end sanction", "relief from sanction", "lift the sanction", "delist",
                             "loosen sanction", "loosening of sanction", "relax sanction",
                             # The verb governs an object of its own words: "lifted a handful of Iran-related
                             # sanctions", "removed some of the remaining sanctions".
                             "lift ~sanction", "ease ~sanction", "remove ~sanction", "waive ~sanction"],
        "property.seizure": ["seize", "seizure", "confiscate", "restrict access", "strip diplomatic status",
                             "take over", "block access", "close compound", "deny access", "bar access",
                             "take control of", "remove diplomatic status", "revoke diplomatic status"],
        "property.return": ["return property", "return diplomatic property", "hand back", "give back",
                            "return of property", "return the property", "return of diplomatic property"],
        "flights.ban": ["ban flight", "suspend flight", "close airspace", "closure of airspace", "flight ban",
                        "halt flight", "ban aircraft", "airspace closure", "ban plane", "airspace close",
                        "interrupt air traffic", "suspend air traffic", "ban on flight", "close its airspace",
                        "close sky", "abolish flight", "cancel flight", "suspension of flight", "flight cancel*",
                        "flight suspend*", "flight abolish*", "flight halt*", "air traffic ~interrupt*", "cut flight",
                        "cut air link", "cut off flight",
                        "air traffic ~suspend*", "ban airline"],
        "flights.resumed": ["resume flight", "direct flight", "restore flight", "resumption of flight",
                            "reopen air traffic", "restore air traffic", "resume air traffic", "restore air link",
                            "lift restriction on flight", "resume regular flight", "flight resume",
                            "air traffic resume", "restoration of air link", "resumption of air traffic",
                            "air traffic ~resume", "flight restore", "lift restriction on air traffic",
                            "resume air link", "resume aviation link", "restore aviation link",
                            "cancel* decree ban*", "lift ban on flight", "lift flight ban", "end flight ban",
                            "lift the ban on flight",
                            # An airline resumes its services: "Syria's national airline resumed regular
                            # services to Saudi Arabia".
                            "airline ~resume", "carrier ~resume", "airline ~restore"],
        "diplomats.expelled": ["expel", "expulsion", "persona non grata", "non grata", "non gratae",
                               "order to leave", "kick out", "oust", "declare persona", "hour to leave",
                               "day to leave", "week to leave"],
        "diplomats.staff_limits": ["cut staff", "reduce staff", "staff cap", "limit the number", "cut the number",
                                   "reduce the number", "hiring ban", "ban hire", "reduce the size",
                                   "cut the size", "staff reduction", "reduce its staff", "cut its staff",
                                   "cap on staff", "staff limit", "restriction on diplomatic visa",
                                   "cap diplomatic visa", "limit diplomatic visa"],
        "missions.closed": ["close embassy", "close consulate", "shut embassy", "shut consulate", "order to close",
                            "order to shut", "closure of consulate", "closure of embassy", "shut down",
                            "close mission", "suspend operation", "suspend the work", "close the consulate",
                            "close its embassy", "close its consulate",
                            # "suspend its diplomatic and consular missions", "suspend the embassy's operations".
                            "suspend ~mission", "suspend ~embassy", "suspend ~consulate"],
        "missions.reopened": ["reopen", "reopening", "resume operation", "open embassy", "open an embassy",
                              "resume work", "raise flag", "open a consulate", "open consulate"],
    },
    "ru": {
        "talks": ["переговоры", "консультация", "переговорный", "обсуждать с", "обсудить с"],
        "meeting": ["встреча", "встретиться", "визит", "посетить", "прибыть", "провести переговоры"],
        "meeting.summit": ["саммит", "встреча на высший уровень", "встреча на высокий уровень",
                           "встреча глава государство", "встреча президент", "встреча лидер"],
        "statement": ["заявление", "заявить"],
        "proposal": ["предложить", "предложение", "пригласить", "приглашение", "предлагать"],
        "agreement": ["соглашение", "подписать", "договоренность", "договор", "договориться", "меморандум",
                      "условиться",
                      "восстановить дипломатический отношение", "восстановление дипломатический отношение",
                      "установить дипломатический отношение", "установление дипломатический отношение",
                      "восстановить отношение", "нормализовать отношение", "нормализация отношение"],
        "sanctions.imposed": ["ввести санкция", "санкция против", "санкционный список", "расширить список",
                              "расширение список", "продлить санкция", "ограничительный мера",
                              "заморозить актив", "ввести ограничение", "санкция в отношение", "новый санкция",
                              "список магнитский", "запрет на въезд", "пакет санкция", "расширить санкция",
                              "ужесточить санкция",
                              "санкция ~ввести", "санкция ~продлить"],
        "sanctions.lifted": ["снять санкция", "отменить санкция", "ослабить санкция", "смягчить санкция",
                             "снятие санкция", "отмена санкция", "ослабление санкция",
                             "исключить из санкционный список",
                             "вывести из-под санкция", "санкция ~снять", "санкция ~отменить"],
        "property.seizure": ["изъять", "конфисковать", "захватить", "лишить статус", "арестовать",
                             "заблокировать доступ", "отобрать", "изъятие", "конфискация", "захват",
                             "блокировать", "заблокировать", "отнять", "перекрыть доступ", "ворваться"],
        "property.return": ["вернуть собственность", "возвращение собственность", "возврат собственность",
                            "вернуть дипсобственность", "возврат дипсобственность", "возвращение дипсобственность",
                            "вернуть дача", "возврат дача", "возвращение дача"],
        "flights.ban": ["закрыть воздушный пространство", "закрыть небо", "запрет на полет", "запретить полет",
                        "приостановить авиасообщ*", "ограничение на полет", "прекратить авиасообщ*",
                        "закрытие воздушный пространство", "запрет полет", "прервать авиасообщ*",
                        "отменить рейс", "запретить рейс", "воздушный пространство закрытый",
                        "закрывать воздушный пространство", "приостанавливать авиасообщ*", "прекратить полет",
                        "приостановить полет", "авиасообщ* ~прервать", "авиасообщ* ~приостановить", "запрет на пролет",
                        "запретить пролет", "приостановить рейс", "прекратить рейс", "приостановка авиасообщ*",
                        "прекращение авиасообщ*", "приостановка рейс", "приостановка полет", "закрытие небо"],
        "flights.resumed": ["возобновить авиасообщ*", "прямой авиасообщ*", "прямой рейс", "возобновление авиасообщ*",
                            "восстановить авиасообщ*", "возобновить полет", "возобновить рейс",
                            "восстановление авиасообщ*", "возобновление полет", "возобновление рейс",
                            "прямой перелет", "открыть авиасообщ*", "открывать авиасообщ*",
                            "возобновлять авиасообщ*", "возобновлять полет", "возобновлять рейс",
                            "восстанавливать авиасообщ*", "авиасообщ* ~возобновить", "авиасообщ* ~возобновиться",
                            "авиасообщ* ~восстановить", "полет ~возобновить", "полет ~возобновиться",
                            "рейс ~возобновить", "рейс ~возобновиться", "восстановить рейс", "восстановление рейс",
                            "возобновление прямой",
                            # The reflexive and imperfective verbs a schedule is told with ("с 21 сентября
                            # возобновляется авиасообщение"), "воздушное сообщение" for "авиасообщение", and the
                            # "авиарейсы" that "открываются".
                            "возобновляться авиасообщ*", "возобновляться полет", "возобновляться рейс",
                            "возобновить воздушный сообщение", "возобновлять воздушный сообщение",
                            "возобновляться воздушный сообщение", "возобновление воздушный сообщение",
                            "восстановить воздушный сообщение", "воздушный сообщение ~возобновиться",
                            "открыть авиарейс*", "открываться авиарейс*", "открывать авиарейс*",
                            "возобновить авиарейс*", "возобновлять авиарейс*", "возобновляться авиарейс*",
                            "авиарейс* ~возобновиться", "открываться авиасообщ*",
                            "авиакомпания ~возобновить", "авиаперевозчик ~возобновить"],
        "diplomats.expelled": ["выслать", "высылка", "выдворить", "выдворение", "нон грат*", "персона нон",
                               "покинуть территория", "покинуть страна", "выслан", "высылать", "выдворять",
                               "предписать покинуть", "вынудить покинуть", "потребовать покинуть",
                               "прекращение аккредитация", "прекратить аккредитация", "лишить аккредитация"],
        "diplomats.staff_limits": ["сократить штат", "сокращение штат", "сокращение численность",
                                   "сократить численность", "сокращение персонал", "запрет на наем",
                                   "запретить нанимать", "ограничить численность", "сократить персонал",
                                   "сократить число", "сокращение число", "до паритет", "ограничение численность",
                                   "сократить количество", "сокращение количество", "штат сократить",
                                   "сократить присутствие", "сокращение присутствие", "ограничить наем",
                                   "ограничение на наем", "ограничение наем", "запретить наем", "запрет наем",
                                   "наем местный персонал", "уравнивание численность", "уравнять численность",
                                   "численность сотрудник ~сократить", "количество сотрудник ~сократить",
                                   "численность сотрудник ~ограничить", "количество сотрудник ~ограничить",
                                   "численность персонал ~сократить", "штат ~сократить"],
        "missions.closed": ["закрыть посольство", "закрыть консульство", "закрытие консульство",
                            "закрыть генконсульство", "закрытие генконсульство", "закрытие посольство",
                            "прекратить работа посольство", "приостановить работа", "отозвать согласие",
                            "закрыть генеральный консульство", "закрытие генеральный консульство",
                            "прекратить деятельность", "закрыть дипмиссия", "закрыть представительство",
                            "закрыть диппредставительство", "эвакуировать посольство", "эвакуация посольство",
                            "закрытие дипмиссия",
                            "закрытие представительство", "закрытие диппредставительство",
                            "прекратить работа генконсульство", "прекратить работа консульство", "прекращение работа"],
        "missions.reopened": ["возобновить работа", "открыть посольство", "возобновление работа",
                              "вновь открыть", "открытие посольство", "возобновить деятельность",
                              "открыть генконсульство", "открыть консульство", "возобновление деятельность",
                              "открыть диппредставительство", "открыть представительство", "открыть дипмиссия",
                              "открытие генконсульство", "открытие консульство", "открытие диппредставительство"],
    },
}  # fmt: skip


# Triggers and keywords that describe rather than act: they type an event only when no verb of the same family
# does ("direct flights were cancelled" is a ban; "the first direct flight landed" a resumption).
DESCRIPTIVE = {"en": frozenset({"direct flight", "direct flights"})}


def compiled(language):
    """[(code, trigger text, (word, ...))] for a language, longest triggers first."""
    result = []
    for code, triggers in TRIGGERS.get(language, {}).items():
        for trigger in triggers:
            words = tuple(trigger.replace("ё", "е").split())
            result.append((code, trigger, words))
    return sorted(result, key=lambda item: -len(item[2]))
