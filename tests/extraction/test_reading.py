"""Reading an article (events/extraction/reading.py): furniture, timestamps, refusals."""

import importlib.metadata
import re

import pytest

from events.extraction import (
    MAX_CHARS,
    ExtractionError,
    propose,
    read_article,
)

from .helpers import DATA, PUBLISHED, SEED


def test_page_furniture_does_not_become_sentences():
    article = read_article(SEED.read_text(encoding="utf-8"))
    texts = [p.text for p in article.paragraphs]
    assert not any(
        t.startswith(("Read more", "FILE PHOTO", "READ MORE", "Nov 9, 2025", "0", "Dialogue on")) for t in texts
    )
    assert [p.text for p in article.paragraphs if p.linked] == [
        "US has not elaborated on nuclear test plans – Lavrov",
        "Trump sees ‘good chance’ of meeting Putin in Hungary",
    ]
    assert article.title == "A lot of ‘mess’ to clear up in Russia-US ties – Lavrov"
    assert len(article.paragraphs) == 10


def test_without_a_published_date_it_reads_the_timestamp_line():
    assert read_article(SEED.read_text(encoding="utf-8")).published == PUBLISHED


def pins(path):
    """The `name==version` lines of a requirements or constraints file, by normalized name (PEP 503)."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+)", line.strip())
        if match:
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return found


def test_the_html_cleaner_is_a_direct_requirement():
    """Reading HTML needs lxml.html.clean, which lxml ships apart (lxml_html_clean) and which trafilatura's
    dependencies reach only through lxml's `html_clean` extra; some pip and lxml combinations leave that
    extra out, and every HTML article then fails. So requirements.txt names it, at the version pinned."""
    root = DATA.parents[1]
    required, constrained = pins(root / "requirements.txt"), pins(root / "constraints.txt")
    installed = importlib.metadata.version("lxml_html_clean")
    assert (required.get("lxml-html-clean"), constrained.get("lxml-html-clean")) == (installed, installed)


@pytest.mark.parametrize(
    "content, kwargs, message",
    [
        ("", {}, "the article is empty"),
        (" \n\t ", {}, "the article is empty"),
        (b"\xff\xfe", {}, "the article is not UTF-8 text (byte 0)"),
        ("Title\nText.", {"published": "2025-13-01"}, "published: '2025-13-01' is not a date that exists"),
        ("Title\nText.", {"published": "2025-11"}, "published: '2025-11' is not a day (YYYY-MM-DD)"),
        ("Title\nText.", {"url": "ftp://example.org/a"}, "url: 'ftp://example.org/a' is not an http(s) URL"),
        (
            "<html><body><nav><a href='/'>Home</a></nav></body></html>",
            {},
            "no article text found: only a title, headings or page furniture",
        ),
        ("<html><body></body></html>", {}, "no article text found in the HTML"),
        ("Title only\n\nA heading\nRead more", {}, "no article text found: only a title, headings or page furniture"),
        ("x" * (MAX_CHARS + 1), {}, f"the article is {MAX_CHARS + 1:,} characters long; the limit is {MAX_CHARS:,}"),
    ],
)
def test_what_is_not_an_article_gets_a_clear_error(db, content, kwargs, message):
    with pytest.raises(ExtractionError) as error:
        propose(content, **kwargs)
    assert str(error.value) == message
