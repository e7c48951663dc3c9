"""Text helpers shared by the search indexes and the matching."""

import re
import threading
import unicodedata
from functools import lru_cache

from django.utils.html import strip_tags
from wagtail.search import index

WORD_RE = re.compile(r"\w+")
_local = threading.local()


def fold_accents(text):
    """Return ``text`` without diacritics: "développement" -> "developpement".

    Wagtail's database search backend matches accents literally on PostgreSQL;
    indexing a folded copy of the text and folding the query makes French search
    accent-insensitive on every backend.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def french_stemmer():
    # Snowball stemmers keep state while stemming a word: one per thread.
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _local.stemmer = snowballstemmer.stemmer("french")
    return stemmer


@lru_cache(maxsize=100_000)
def stem(word):
    """The French stem of one word. Cached: a language has far fewer distinct words than
    an index has occurrences, and stemming was most of the time spent indexing pages."""
    return french_stemmer().stemWord(word)


def search_words(text):
    """The words of ``text``, accent-folded and lower-cased, each followed by its French
    stem when the stem differs: "Supervisions évaluées" -> ["supervisions", "supervis",
    "evaluees", "evalu"].

    Used on both sides, the index text and the query, so "supervisions" finds
    "supervision" and "mentorats" finds "mentorat" whatever the search backend does
    with French (PostgreSQL's default configuration stems English; SQLite's none).
    """
    words = []
    for word in WORD_RE.findall((text or "").lower()):
        folded = fold_accents(word)
        # The stemmer reads accents ("évaluées" -> "évalu") but a query may have none
        # ("evaluees" -> "evalue"): keep both stems, folded.
        forms = [folded, fold_accents(stem(word)), stem(folded)]
        words.extend(dict.fromkeys(form for form in forms if form))
    return words


def search_query_text(query):
    """A search query reduced to folded words and stems, without repeats.

    Words only: the backends' query syntaxes (FTS5, tsquery) never see raw input.
    """
    return " ".join(dict.fromkeys(search_words(query)))


class AccentInsensitiveSearchMixin:
    """Adds an accent-folded, French-stemmed copy of a page's searchable text to its
    search index (see ``search_words``).

    A page lists the attributes to fold in ``folded_search_attributes``.
    """

    folded_search_attributes = ("title",)

    def folded_search_text(self):
        parts = []
        for name in self.folded_search_attributes:
            value = getattr(self, name, "")
            if hasattr(value, "get_searchable_content"):
                value = " ".join(str(p) for p in value.get_searchable_content())
            elif hasattr(value, "source"):  # RichText
                value = value.source
            parts.append(str(value or ""))
        return " ".join(search_words(strip_tags(" ".join(parts))))


folded_search_field = index.SearchField("folded_search_text")
