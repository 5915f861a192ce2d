"""Which language an article is written in: English and Russian are read, any other is refused by name."""

import functools
import re

from .errors import ExtractionError

READ = {"en": "English", "ru": "Russian"}
# Names for the refusal message; a language not listed is named by its ISO 639-1 code.
NAMES = {
    "uk": "Ukrainian", "be": "Belarusian", "bg": "Bulgarian", "sr": "Serbian", "mk": "Macedonian",
    "kk": "Kazakh", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
    "pl": "Polish", "cs": "Czech", "sk": "Slovak", "ro": "Romanian", "hu": "Hungarian", "nl": "Dutch",
    "sv": "Swedish", "no": "Norwegian", "da": "Danish", "fi": "Finnish", "et": "Estonian", "lv": "Latvian",
    "lt": "Lithuanian", "tr": "Turkish", "ar": "Arabic", "fa": "Persian", "he": "Hebrew", "zh": "Chinese",
    "ja": "Japanese", "ko": "Korean", "hy": "Armenian", "ka": "Georgian", "el": "Greek", "hi": "Hindi",
}  # fmt: skip
SURE = 0.95
"""py3langid's probability above which a language it names is believed; below, the script decides."""
MIN_LETTERS = 200
"""Shorter texts are told apart by their script alone: a language model guesses wildly on a sentence."""

_LETTER = re.compile(r"[^\W\d_]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def detect(text):
    """'en' or 'ru'; ExtractionError naming the language of a text in another one."""
    sample = text[:4000]
    letters = _LETTER.findall(sample)
    cyrillic = sum(1 for letter in letters if _CYRILLIC.match(letter))
    by_script = "ru" if cyrillic * 2 > len(letters) else "en"
    if len(letters) < MIN_LETTERS:
        return by_script
    code, probability = _identifier().classify(sample)
    if code in READ:
        return code
    if probability < SURE:
        return by_script
    name = NAMES.get(code, f"the language with code {code!r}")
    raise ExtractionError(f"the article is in {name}; Chancery proposes events from English and Russian articles only")


@functools.cache
def _identifier():
    # Loading the model takes about a second and a half, once per process.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
