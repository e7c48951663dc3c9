"""axe-core on the pages each demo role reaches, at desktop and phone widths.

Each role opens its start pages and the pages one link away within the app (the demo's
front end, the package's pages and the package's admin screens), at most
``PAGES_PER_ROLE``. A serious or critical axe violation fails the test unless every node
it flags is Wagtail's own admin markup listed in ``WAGTAIL_OWN`` with the upstream issue
or the reason. Empty table headers (axe: minor) are checked too: they were found in the
package's admin tables. At 320 px no front-end page may scroll sideways (WCAG 1.4.10).

axe-core comes with ``axe-playwright-python`` (its ``axe.min.js``): nothing is fetched.
One demo build and one browser for the module keep it under two minutes.
"""

import re
from urllib.parse import urlsplit

import pytest

from home import demo
from wagtail_mentorat.guides.models import GuidePage
from wagtail_mentorat.models import Circle

from .browser import chromium_page, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 640}
PAGES_PER_ROLE = 12
BLOCKING = {"serious", "critical"}
ALSO_CHECKED = {"empty-table-header"}

ROLES = {
    "mentore1": ["/", "/mentorat/"],
    "mentor1": ["/", "/mentorat/"],
    "gestionnaire": ["/", "/mentorat/"],
    "coordination": ["/admin/"],
    # The guide edit page is added at run time (its id is the demo's).
    "redaction": ["/admin/"],
}
FRONT_PREFIXES = ("/mentorat/", "/recherche/")
# Links that download a file, leave, or lead to a destructive or history screen.
SKIP = re.compile(
    r"mes-donnees|export|telecharger|download|\.csv|\.ics|ical|imprimer|print|logout"
    r"|deconnexion|/(delete|supprimer|history|historique|revisions|unpublish|copy|move)/",
    re.I,
)

# Wagtail's own admin markup: (axe rule, pattern the flagged node's selector or HTML
# matches, upstream issue or reason). The guide blocks all have labels
# (wagtail_mentorat/guides/blocks.py): Wagtail shows them as the block's heading text.
WAGTAIL_OWN = [
    (
        "label",
        r"#\w+-\d+-value",
        "https://github.com/wagtail/wagtail/issues/11179: a field block directly in a "
        "StreamBlock or ListBlock renders its input without a <label>",
    ),
    ("label-title-only", r"#\w+-\d+-value", "https://github.com/wagtail/wagtail/issues/11179"),
    (
        "aria-input-field-name",
        r"public-DraftEditor-content",
        "https://github.com/wagtail/wagtail/issues/14205: Draftail's contenteditable has "
        "no accessible name (the label points at the hidden input)",
    ),
    (
        "scrollable-region-focusable",
        r"w-minimap__list",
        "Wagtail's page-editor minimap: collapsed, its links leave the tab order while "
        "the list keeps its scroll area; no upstream issue yet",
    ),
]
# The header may take at most this share of a phone screen (it took 34 %).
HEADER_SHARE = 0.15


def is_front_end(path):
    return not path.startswith("/admin/")


def in_app(path):
    """The demo's front end and the package's pages and admin screens."""
    if path.startswith("/admin/"):
        return "mentorat" in path
    return path == "/" or path.startswith(FRONT_PREFIXES)


def links_of(page, origin):
    """Same-origin in-app links of the page, the admin sidebar's menu included (Wagtail
    renders it from JSON, so its links are read there)."""
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    props = page.locator("#wagtail-sidebar-props")
    if props.count():
        hrefs += re.findall(r'"url":\s*"([^"]+)"', props.text_content())
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc and f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if in_app(parts.path) and not SKIP.search(path) and path not in paths:
            paths.append(path)
    return paths


def walk(page, origin, starts):
    """The start pages, then the in-app pages one link away, bounded."""
    paths = list(starts)
    for start in starts:
        page.goto(origin + start)
        paths += [path for path in links_of(page, origin) if path not in paths]
    # The package's own admin screens before Wagtail's generic snippet listings.
    paths.sort(key=lambda path: path not in starts and path.startswith("/admin/snippets/"))
    return paths[:PAGES_PER_ROLE]


def blocking(violations):
    """The violations that fail the test: serious or critical (or an empty table
    header), minus the nodes that are Wagtail's own listed markup."""
    found = []
    for violation in violations:
        if violation["impact"] not in BLOCKING and violation["id"] not in ALSO_CHECKED:
            continue
        nodes = [
            node
            for node in violation["nodes"]
            if not any(
                rule == violation["id"] and re.search(pattern, _describe(node))
                for rule, pattern, _why in WAGTAIL_OWN
            )
        ]
        if nodes:
            targets = "; ".join(" ".join(map(str, node["target"])) for node in nodes[:3])
            found.append(f"{violation['id']} ({violation['impact']}, {len(nodes)}): {targets}")
    return found


def _describe(node):
    return " ".join(map(str, node["target"])) + " " + node.get("html", "")


def axe_violations(page):
    """axe-core's violations on the page as it is now (axe stays loaded until the next
    navigation, so one page is checked at both widths without reloading)."""
    from axe_playwright_python.base import AXE_SCRIPT

    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return results["violations"]


def check(page, url, front_end, problems, label):
    """Both widths of one page: axe, then (320 px, front end) the sideways scroll."""
    page.set_viewport_size(DESKTOP)
    page.goto(url)
    for viewport in (DESKTOP, NARROW):
        page.set_viewport_size(viewport)
        where = f"{label} {urlsplit(url).path} at {viewport['width']} px"
        problems += [f"{where}: {text}" for text in blocking(axe_violations(page))]
        if viewport is NARROW and front_end:
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"{where}: {overflow} px of horizontal scroll")
            header = page.evaluate(
                "document.querySelector('.site-header').getBoundingClientRect().height"
            )
            if header > HEADER_SHARE * NARROW["height"]:
                problems.append(f"{where}: the header is {header:.0f} px high")
    page.set_viewport_size(DESKTOP)


def header_problems(page, origin):
    """On a phone the menu folds behind a button that says whether it is open; the focus
    ring on the dark header is the bright one, not the browser's faint default."""
    problems = []
    page.set_viewport_size(NARROW)
    page.goto(origin + "/mentorat/")
    toggle = page.locator(".site-header__toggle")
    nav = page.locator("#site-nav")
    if nav.is_visible() or toggle.get_attribute("aria-expanded") != "false":
        problems.append("phone: the menu is not folded")
    toggle.click()
    if not nav.is_visible() or toggle.get_attribute("aria-expanded") != "true":
        problems.append("phone: the Menu button does not open the menu")
    page.set_viewport_size(DESKTOP)
    if toggle.is_visible() or not nav.is_visible():
        problems.append("desktop: the menu is folded")
    page.goto(origin + "/")
    page.keyboard.press("Tab")  # the skip link: from now on focus rings show
    page.focus(".site-header__brand")
    focused = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.className, s.outlineStyle, s.outlineColor,"
        " s.outlineWidth]; })()"
    )
    if focused[:4] != ["site-header__brand", "solid", "rgb(255, 211, 77)", "3px"]:
        problems.append(f"focus on the header: {focused}")
    return problems


def confirmation_problems(page, circle_url):
    """A confirmation message (programme staff stop a circle taking members, then let it
    take them again): shown in a status region that axe accepts."""
    problems = []
    page.goto(circle_url)
    for _ in range(2):
        page.locator("form:has(input[name=action][value=toggle]) button").click()
        page.wait_for_load_state()
        status = page.locator("[role=status]").filter(has_text=re.compile(r"\w"))
        if not status.count():
            problems.append(f"{page.url}: no confirmation in a status region")
        problems += [f"{page.url} (message): {text}" for text in blocking(axe_violations(page))]
    return problems


def test_no_serious_violation_and_no_sideways_scroll_for_any_role(live_server):
    demo.build()
    guide = GuidePage.objects.get(slug="mentorat-coaching-supervision")
    circle = Circle.objects.order_by("pk").first().pairing_id
    starts = {**ROLES, "redaction": ROLES["redaction"] + [f"/admin/pages/{guide.pk}/edit/"]}
    problems = []
    with chromium_page(viewport=DESKTOP) as page:
        for username, role_starts in starts.items():
            page.context.clear_cookies()
            log_in(page, live_server, username, demo.DEMO_PASSWORD)
            for path in walk(page, live_server.url, role_starts):
                check(page, live_server.url + path, is_front_end(path), problems, username)
        problems += header_problems(page, live_server.url)
        page.context.clear_cookies()
        log_in(page, live_server, "coordination", demo.DEMO_PASSWORD)
        problems += confirmation_problems(page, f"{live_server.url}/mentorat/cercles/{circle}/")
    assert not problems, "\n".join(problems)


def _violation(rule, impact, *nodes):
    return {"id": rule, "impact": impact, "nodes": [{"target": [t], "html": h} for t, h in nodes]}


def test_only_listed_wagtail_markup_is_let_through():
    """The allow-list is narrow: the same rule on the app's markup, or another rule on
    Wagtail's node, still fails; minor rules pass, except empty table headers."""
    streamfield_input = ("#body-1-value-practices-0-value", '<input type="text">')
    app_input = ("#id_note", '<input type="text" name="note">')
    assert blocking([_violation("label", "critical", streamfield_input)]) == []
    assert blocking([_violation("label", "critical", streamfield_input, app_input)]) == [
        "label (critical, 1): #id_note"
    ]
    assert blocking([_violation("color-contrast", "serious", streamfield_input)]) != []
    assert blocking([_violation("listitem", "serious", ("li", "<li>"))]) != []
    assert blocking([_violation("region", "moderate", ("p", "<p>"))]) == []
    assert blocking([_violation("empty-table-header", "minor", ("th", "<th></th>"))]) != []
