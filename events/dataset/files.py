"""The dataset's JSON text: parsing it, refusing what parsed JSON may hold but nothing can store, writing it."""

import json
import re

from .problems import DatasetError, Problem
from .records import actor_to_dict, event_to_dict

MAX_DEPTH = 32
"""How deeply lists and objects may nest in a record that comes in (an event or an actor, in a
dataset file or an API body), the record itself being the first level: an event needs three.
Deeper input is refused before anything descends into it: Python's JSON parser, and whatever
walks a value by recursion, stop at the interpreter's recursion limit (about a thousand levels,
fewer in a deep call stack) with a RecursionError."""

TOO_DEEP = f"lists and objects nested more than {MAX_DEPTH} levels deep"
NOT_UNICODE = "not Unicode text: a lone surrogate (a \\ud800 to \\udfff escape without its pair)"
SURROGATE = re.compile("[\ud800-\udfff]")


def printable(text):
    """`text` with its lone surrogates written as escapes ("\\ud800"): what a page, a log line or a
    UTF-8 response can show of a key or an id that cannot be stored."""
    if not SURROGATE.search(text):
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _path(trail):
    """'sources[0].title' from the trail (((None, 'sources'), 0), 'title')."""
    steps = []
    while trail is not None:
        trail, step = trail
        steps.append(f"[{step}]" if isinstance(step, int) else f".{printable(step)}")
    return "".join(reversed(steps)).removeprefix(".")


def unreadable(value, depth=1):
    """[(path, message)] of what in `value` (parsed JSON, at nesting `depth`) nothing may store or
    descend into: text or keys holding lone surrogates, which JSON's escapes can write ("\\ud800")
    but no UTF-8 database, page or response can hold, and lists or objects nested deeper than
    MAX_DEPTH. The walk keeps its own stack: any depth the parser returned is safe to walk."""
    if isinstance(value, str):
        return [("", NOT_UNICODE)] if SURROGATE.search(value) else []
    problems = []
    stack = [(value, depth, None)] if isinstance(value, dict | list) else []
    while stack:
        item, level, trail = stack.pop()
        if level > MAX_DEPTH:
            problems.append((_path(trail), TOO_DEEP))
            continue
        nested = []
        for key, child in item.items() if isinstance(item, dict) else enumerate(item):
            # isascii() first: most text is ASCII, and it is many times faster than the search.
            if (isinstance(child, str) and not child.isascii() and SURROGATE.search(child)) or (
                isinstance(key, str) and not key.isascii() and SURROGATE.search(key)
            ):
                problems.append((_path((trail, key)), NOT_UNICODE))
            elif isinstance(child, dict | list):
                nested.append((child, level + 1, (trail, key)))
        stack.extend(reversed(nested))  # in the document's order
    return problems


def _nesting_place(text):
    """' at line L, column C' of the bracket opening the first list or object nested deeper than MAX_DEPTH."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    depth, line, line_start = 0, 1, 0
    for token in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}\n]', text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return f" at line {line}, column {token.start() - line_start + 1}"
        elif char in "]}":
            depth -= 1
        elif char == "\n":
            line, line_start = line + 1, token.end()
    return ""


def parse_json(text):
    """The document in `text` (str or bytes); a DatasetError naming the place where it breaks."""
    try:
        return json.loads(text)
    except RecursionError:
        raise DatasetError([Problem("file", "json", f"not readable: {TOO_DEEP}{_nesting_place(text)}")]) from None
    except UnicodeDecodeError as exc:
        raise DatasetError([Problem("file", "json", f"not UTF-8 text: {exc.reason} at byte {exc.start}")]) from None
    except json.JSONDecodeError as exc:
        raise DatasetError(
            [
                Problem(
                    "file",
                    "json",
                    f"not valid JSON: {exc.msg.removesuffix(' at')} at line {exc.lineno}, column {exc.colno}",
                )
            ]
        ) from None


def indented(item, depth=2):
    text = json.dumps(item, ensure_ascii=False, indent=1)
    return "\n".join(" " * depth + line for line in text.split("\n"))


def write_dataset(out, actors, events, chunk_size=2000, progress=None):
    """Write a dataset file to the text stream `out`, item by item, in constant memory.

    The output is exactly `json.dumps(document, ensure_ascii=False, indent=1)`
    with a final newline. `progress`, if given, is called with each event written.
    """
    out.write('{\n "actors": ')
    _write_list(out, (actor_to_dict(a) for a in actors.order_by("id").iterator(chunk_size=chunk_size)))
    out.write(',\n "events": ')
    events = events.with_dataset_relations().order_by("start", "id").iterator(chunk_size=chunk_size)
    count = _write_list(out, (event_to_dict(e) for e in events), progress)
    out.write("\n}\n")
    return count


def _write_list(out, items, progress=None):
    count = 0
    for item in items:
        out.write(("," if count else "[") + "\n" + indented(item))
        count += 1
        if progress:
            progress(item)
    out.write("\n ]" if count else "[]")
    return count
