"""The page walk's machinery (tests/test_page_walk.py): visible text, links, a bounded
breadth-first walk with one client, and the checks run on every page.

Everything here reads HTML with the standard library's parser: no new dependency.
"""

import ast
import functools
import json
import re
import unicodedata
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import polib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "wagtail_mentorat"

# --- reading a page ------------------------------------------------------------------------

VOID_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip
# Never read: code and styles; text in <code> (a CSV column's name on the import screen),
# the contents of a <textarea> (what a person typed) and anything marked hidden.
SKIPPED_TAGS = {"script", "style", "noscript", "template", "code", "kbd", "samp", "textarea"}
INLINE_TAGS = {"a", "span", "strong", "em", "b", "i", "abbr", "time", "small", "mark", "sup"}
# Text in other elements ends a run of words: "<td>Actif</td><td>Mentor</td>" is not
# "ActifMentor".
BLOCK_BREAK = " | "


class _Reader(HTMLParser):
    """Visible text (no <script>, <style>, attribute, comment or hidden element), the
    page's links, its first <h1>, and the labels and links of Wagtail's admin sidebar
    (rendered from JSON)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.links = []
        self.h1 = None
        self._h1_parts = None
        self._skip = None  # [tag, depth] of the element being skipped
        self._sidebar = None
        self.sidebar_json = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if self._skip is not None:
            if tag == self._skip[0]:
                self._skip[1] += 1
            return
        if tag in SKIPPED_TAGS or "hidden" in attrs:
            if tag == "script" and attrs.get("id") == "wagtail-sidebar-props":
                self._sidebar = []
            if tag not in VOID_TAGS:
                self._skip = [tag, 1]
            return
        if tag == "h1" and self.h1 is None:
            self._h1_parts = []
        if tag not in INLINE_TAGS:
            self.parts.append(BLOCK_BREAK)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self._skip is not None:
            if tag == self._skip[0]:
                self._skip[1] -= 1
                if not self._skip[1]:
                    self._skip = None
                    if self._sidebar is not None:
                        self.sidebar_json = "".join(self._sidebar)
                        self._sidebar = None
            return
        if tag == "h1" and self._h1_parts is not None:
            self.h1 = " ".join("".join(self._h1_parts).split())
            self._h1_parts = None
        if tag not in VOID_TAGS and tag not in INLINE_TAGS:
            self.parts.append(BLOCK_BREAK)

    def handle_data(self, data):
        if self._skip is not None:
            if self._sidebar is not None:
                self._sidebar.append(data)
            return
        self.parts.append(data)
        if self._h1_parts is not None:
            self._h1_parts.append(data)


@dataclass
class Page:
    url: str
    status: int
    text: str = ""  # visible text, whitespace collapsed
    links: list = field(default_factory=list)
    h1: str | None = None
    menu: list = field(default_factory=list)  # (label, url, parent label) of the sidebar


def _sidebar_items(data, parent=""):
    """(label, url, parent label) for every item of Wagtail's packed sidebar props."""
    items = []
    if isinstance(data, dict):
        args = data.get("_args")
        if data.get("_type", "").startswith("wagtail.sidebar.") and args:
            if not isinstance(args[0], dict) or "label" not in args[0]:
                return _sidebar_items(args, parent)
            label, url = args[0]["label"], args[0].get("url")
            items.append((label, url or "", parent))
            for child in args[1:]:
                items += _sidebar_items(child, label)
            return items
        for value in data.values():
            items += _sidebar_items(value, parent)
    elif isinstance(data, list):
        for value in data:
            items += _sidebar_items(value, parent)
    return items


def read(url, status, html):
    reader = _Reader()
    reader.feed(html)
    reader.close()
    menu = []
    if reader.sidebar_json:
        try:
            menu = _sidebar_items(json.loads(reader.sidebar_json))
        except ValueError:
            menu = []
    # The sidebar's labels are read on screen like any text.
    labels = [BLOCK_BREAK + label for label, _url, _parent in menu]
    text = " ".join("".join(reader.parts + labels).split())
    text = re.sub(r"(?:\s*\|\s*)+", " | ", text)
    links = reader.links + [item_url for _label, item_url, _parent in menu if item_url]
    return Page(url, status, text, links, reader.h1, menu)


# --- walking --------------------------------------------------------------------------------

# Never followed: leaving, logging out, deleting, changing data or the language, files.
SKIP = re.compile(
    r"^/(static|media|documents|docs)/|^/i18n/|/(deconnexion|logout)/|/(delete|supprimer)/"
    r"|/(unpublish|lock|unlock|copy|move|revert|restore|approve|reject|cancel|resend|send"
    r"|publish|convert_alias|workflow|rollback|disable|enable|nouvelle-adresse)/"
    r"|\.(ics|pdf|zip)$"
    # Wagtail's generic screens that show none of the app's text: previews of an empty
    # page, usage counts, bulk actions, multiple uploads.
    r"|^/admin/.*/(preview|usage|bulk|multiple)/|^/admin/pages/(create|search)/",
    re.I,
)
# Query parameters that only sort, page or say where to come back: not another page.
NOISE_PARAMETERS = {"ordering", "p", "next", "mode", "q"}
# Addresses of the app come before Wagtail's own screens when the walk is cut short.
APP = re.compile(r"^/(?!admin/)|mentorat|formation|training|registrationpage|guide", re.I)
EXPORTS_PER_WALK = 2  # "?export=…" links kept per role and language: their status is checked
EXPORT = re.compile(r"[?&](export|format)=")
QUERY_VARIANTS = 3  # filtered views of one listing ("?state=…", "?overdue=…")


def pattern_of(path):
    """The URL with its ids folded: /mentorat/jumelages/12/ and /…/13/ are one pattern."""
    parts = urlsplit(path)
    keys = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    folded = re.sub(r"/\d+(?=/|$)", "/<id>", parts.path)
    folded = re.sub(r"/[0-9a-f]{8}-[0-9a-f-]{27}(?=/|$)", "/<uuid>", folded)
    return folded + ("?" + "&".join(keys) if keys else "")


def local_path(href, base):
    """The site-relative address of a link, or None when it leaves the site."""
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(href)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None
    if parts.netloc and parts.netloc not in ("testserver", "localhost"):
        return None
    path = parts.path
    if not path:
        path = urlsplit(base).path
    elif not path.startswith("/"):
        path = urlsplit(base).path.rsplit("/", 1)[0] + "/" + path
    query = "&".join(
        pair
        for pair in parts.query.split("&")
        if pair and pair.split("=", 1)[0] not in NOISE_PARAMETERS
    )
    return path + (f"?{query}" if query else "")


# Pages that read the same whoever reads them (guides, the training modules' text, the
# search page): one role reads them per language, the others skip them.
SHARED = re.compile(r"^/(guides|le-mentorat|mentoring|recherche|search|formation|training)/.")


def walk(client, starts, limit, per_pattern=2, shared=None):
    """Breadth first from the start pages, same-site GET links only, at most ``limit``
    pages and ``per_pattern`` addresses of one pattern; a ``SHARED`` page already in
    ``shared`` (a set kept across roles) is skipped. Returns the pages read."""
    app, other = deque(starts), deque()
    shared = set() if shared is None else shared
    seen, patterns, exports, pages = set(starts) | shared, Counter(), 0, []
    while (app or other) and len(pages) < limit:
        queue = app if app else other
        url = queue.popleft()
        if url in shared:
            continue  # queued before another role read it
        if SHARED.search(url):
            shared.add(url)
        response = client.get(url)
        status = response.status_code
        if status in (301, 302, 303, 307, 308):
            target = local_path(response["Location"], url)
            pages.append(Page(url, status))
            if target and target not in seen and not SKIP.search(target):
                seen.add(target)
                queue.appendleft(target)
            continue
        kind = response.get("Content-Type", "")
        if "html" not in kind or getattr(response, "streaming", False):
            pages.append(Page(url, status))
            continue
        page = read(url, status, response.content.decode())
        page.html = response.content.decode()
        pages.append(page)
        for href in page.links:
            target = local_path(href, url)
            if target is None or target in seen or SKIP.search(target):
                continue
            if EXPORT.search(target):
                if exports >= EXPORTS_PER_WALK:
                    continue
                exports += 1
            key = pattern_of(target)
            listing = pattern_of(target.split("?")[0]) + "?" if "?" in target else None
            if patterns[key] >= per_pattern or (listing and patterns[listing] >= QUERY_VARIANTS):
                continue
            patterns[key] += 1
            if listing:
                patterns[listing] += 1
            seen.add(target)
            (app if APP.search(target) else other).append(target)
    return pages


# --- the app's messages ---------------------------------------------------------------------

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|\{\{.*?\}\}|\{%.*?%\}")
WORD = re.compile(r"[^\W\d_]+")
# The demo's own folders, beside the package.
DEMO = ["home", "training", "search", "templates", "intranet"]
GETTEXT = {
    "_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext",
    "pgettext_lazy", "npgettext", "npgettext_lazy",
}  # fmt: skip
TEMPLATE_MESSAGE = re.compile(
    r"""\{%\s*(?:trans|translate)\s+(?:"([^"]+)"|'([^']+)')"""
    r"|\{%\s*blocktrans(?:late)?\b([^%]*)%\}(.*?)\{%\s*endblocktrans(?:late)?\s*%\}",
    re.S,
)
PLURAL_TAG = re.compile(r"\{%\s*plural\s*%\}")


def catalogues():
    """The French catalogues of the package and its sub-apps, and the demo's."""
    files = sorted(PACKAGE.glob("**/locale/fr/LC_MESSAGES/django.po"))
    files.append(ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    return [polib.pofile(str(path)) for path in files]


@functools.cache
def _pairs():
    """(English, French) of every translated message of the catalogues."""
    pairs = []
    for catalogue in catalogues():
        for entry in catalogue.translated_entries():
            if "fuzzy" in entry.flags:
                continue
            if entry.msgid_plural:
                pairs.append((entry.msgid, entry.msgstr_plural.get(0, "")))
                pairs.append((entry.msgid_plural, entry.msgstr_plural.get(1, "")))
            else:
                pairs.append((entry.msgid, entry.msgstr))
    return tuple(pairs)


def _python_messages(path):
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError):
        return
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in GETTEXT:
            continue
        args = node.args[1:] if name.startswith(("pgettext", "npgettext")) else node.args
        for arg in args[:2]:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield arg.value


def _block_message(text, options):
    """A {% blocktranslate %} body as its catalogue msgid: "%" doubled, variables as
    "%(name)s", lines trimmed when the tag says so."""
    text = re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", text.replace("%", "%%"))
    if "trimmed" in options:
        text = " ".join(line.strip() for line in text.splitlines() if line.strip())
    return text


def _template_messages(path):
    for match in TEMPLATE_MESSAGE.finditer(path.read_text(encoding="utf-8")):
        double, single, options, body = match.groups()
        if body is None:
            yield double or single
            continue
        for form in PLURAL_TAG.split(body):
            yield _block_message(form, options)


@functools.cache
def source_messages():
    """Every message the package and the demo mark for translation in their code and
    templates, found or not in a catalogue (a message never extracted is English too)."""
    messages = set()
    for folder in [PACKAGE, *(ROOT / name for name in DEMO)]:
        for path in folder.rglob("*.py"):
            if "migrations" not in path.parts:
                messages.update(_python_messages(path))
        for path in folder.rglob("*.html"):
            messages.update(_template_messages(path))
        for path in folder.rglob("*.txt"):
            messages.update(_template_messages(path))
    return messages


def _fragments(text):
    """The literal runs of a message around its placeholders, long enough to be telling:
    at least two words and twelve characters."""
    for piece in PLACEHOLDER.split(text):
        for line in piece.split("\n"):
            line = " ".join(re.sub(r"<[^>]+>", " ", line).split()).strip(" :;,.!?()«»\"'")
            if len(line) >= 12 and len(line.split()) >= 2:
                yield line


@functools.cache
def foreign_phrases():
    """{"fr": English phrases a French page must not show, "en": French phrases an
    English page must not show}: every message of the code and of the catalogues whose
    French differs, or that has no French at all."""
    english, french = set(), set()
    translated = {}
    for msgid, msgstr in _pairs():
        translated[msgid] = msgstr
        if msgstr and msgid != msgstr:
            english.update(_fragments(msgid))
            french.update(_fragments(msgstr))
    for msgid in source_messages():
        if translated.get(msgid) != msgid:
            english.update(_fragments(msgid))
    # A phrase written the same in both languages (a name, "Mentorat clinique…") is not a
    # word of the other language.
    common = english & french
    return {"fr": sorted(english - common), "en": sorted(french - common)}


def plain(word):
    """Lower case, accents removed: the form the matching's stems are cut from."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words_by_language():
    """{"fr": the words of the catalogues' French, "en": of their English and of the code's
    messages}, lower-cased."""
    words = {"fr": set(), "en": set()}
    for msgid, msgstr in _pairs():
        words["en"].update(w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", msgid)))
        words["fr"].update(w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", msgstr)))
    for msgid in source_messages():
        words["en"].update(w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", msgid)))
    return words
