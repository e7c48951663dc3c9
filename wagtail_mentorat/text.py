"""Text helpers shared by the search indexes and the matching."""

import unicodedata

from wagtail.search import index


def fold_accents(text):
    """Return ``text`` without diacritics: "développement" -> "developpement".

    Wagtail's database search backend matches accents literally on PostgreSQL;
    indexing a folded copy of the text and folding the query makes French search
    accent-insensitive on every backend.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class AccentInsensitiveSearchMixin:
    """Adds an accent-folded copy of a page's searchable text to its search index.

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
        return fold_accents(" ".join(parts))


folded_search_field = index.SearchField("folded_search_text")
