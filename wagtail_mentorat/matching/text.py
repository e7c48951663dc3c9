"""French text to comparable stems: accents, inflections and little words do not count."""

import re

from ..text import fold_accents, stem

WORD_RE = re.compile(r"[^\W\d_]+")
STOPWORDS = frozenset(
    fold_accents(w)
    for w in """a au aux avec ce ces dans de des du elle en et etre il je la le les leur lui ma
    mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur
    ta te tes toi ton tu un une vos votre vous c d j l m n s t y a ete etre avoir plus tres
    mieux bien faire afin aupres lors entre chez sans sous comme tout tous toute toutes
    developper developpement competence competences mes objectifs attentes mentor""".split()
)


def stems(text):
    """The set of French stems of ``text``: "Évaluations en santé mentale" ->
    {"evalu", "sant", "mental"}."""
    result = set()
    for word in WORD_RE.findall(fold_accents(text or "").lower()):
        if len(word) > 2 and word not in STOPWORDS:
            result.add(stem(word))
    return frozenset(result)
