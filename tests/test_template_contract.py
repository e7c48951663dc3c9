"""The template contract (issue 16): the app's pages work inside any host's base template.

Every front-end template of the package extends ``wagtail_mentorat/base.html``, which
extends the host's base named by ``WAGTAIL_MENTORAT["BASE_TEMPLATE"]`` and fills only its
``title`` and ``content`` blocks; the app's CSS is loaded inside ``content``, uses only
``mentorat``-prefixed classes, and styles nothing outside the app's root element.
"""

import copy
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape
from wagtail.models import get_page_models

from wagtail_mentorat.guides.models import GuidePage
from wagtail_mentorat.privacy.purposes import Purpose
from wagtail_mentorat.templating import MentoratPageMixin
from wagtail_mentorat.training.models import TrainingModulePage

PACKAGE = Path(settings.BASE_DIR) / "wagtail_mentorat"
APP_BASE = "wagtail_mentorat/base.html"
# The blocks a page of the app may fill: the host's `title`, and the app base's own.
PAGE_BLOCKS = {"title", "mentorat_css", "mentorat_content", "mentorat_js"}
# The host blocks the app base fills (`messages` it empties, for a host that has one).
HOST_BLOCKS = {"title", "content", "messages"}
# Classes Django itself renders inside the app's forms (error lists, help text): styled
# under `.mentorat` only.
DJANGO_CLASSES = {"errorlist", "helptext"}
# Wagtail's block previews (admin) extend Wagtail's preview page, not the host's base.
PREVIEWS = {"mentorat_guides/blocks/preview.html"}

EXTENDS = re.compile(r"""\{%\s*extends\s+["']([^"']+)["']\s*%\}""")
BLOCK = re.compile(r"\{%\s*block\s+(\w+)\s*%\}")
CLASS_ATTRIBUTE = re.compile(r"""(?<![\w-])class="([^"]*)\"""")
TEMPLATE_TAG = re.compile(r"\{%.*?%\}")
VARIABLE = re.compile(r"\{\{.*?\}\}")
CSS_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


def _templates():
    for root in PACKAGE.rglob("templates"):
        for path in sorted(root.rglob("*.html")):
            yield path.relative_to(root).as_posix(), path


def _is_admin_folder(folder):
    return any('{% extends "wagtailadmin/' in t.read_text() for t in folder.glob("*.html"))


def front_end_templates():
    """The package's templates rendered on the front end, by name: all but the emails and
    the Wagtail admin's (a folder where one template extends Wagtail's admin is admin)."""
    found = {}
    for name, path in _templates():
        parts = set(name.split("/"))
        if parts & {"admin", "email"} or name in PREVIEWS or name == APP_BASE:
            continue
        if _is_admin_folder(path.parent):
            continue
        found[name] = path.read_text()
    return found


def stylesheets(front_end_only=False):
    """The package's stylesheets: {path: text without comments}."""
    sheets = {}
    for path in sorted(PACKAGE.rglob("static/**/*.css")):
        if front_end_only and "mentorat_indicators" in path.parts:
            continue  # the indicators' stylesheets serve the Wagtail admin only
        sheets[path.relative_to(PACKAGE).as_posix()] = re.sub(
            r"/\*.*?\*/", "", path.read_text(), flags=re.S
        )
    return sheets


def selectors(css):
    """Every selector of a stylesheet, commas inside :is()/:not()/:where() kept together."""
    for group in re.findall(r"([^{}]+)\{", css):
        group = group.strip()
        if group.startswith("@"):
            continue
        depth, current = 0, ""
        for char in group:
            depth += {"(": 1, ")": -1}.get(char, 0)
            if char == "," and depth == 0:
                yield current.strip()
                current = ""
            else:
                current += char
        yield current.strip()


def defined_classes():
    return {
        name
        for css in stylesheets().values()
        for selector in selectors(css)
        for name in CSS_CLASS.findall(selector)
    }


def template_classes(text):
    """(class, is_dynamic) for each class a template writes in a class attribute. A
    template tag splits a value (`a{% if x %} b{% endif %}` gives `a` and `b`); a variable
    makes a class dynamic (`mentorat-badge--{{ state }}` gives `mentorat-badge--{}`)."""
    for value in CLASS_ATTRIBUTE.findall(text):
        value = VARIABLE.sub("{}", TEMPLATE_TAG.sub(" ", value))
        for name in value.split():
            yield name, "{}" in name


# --------------------------------------------------------------- the templates' shape


def test_the_front_end_templates_are_found():
    templates = front_end_templates()
    for name in (
        "wagtail_mentorat/space/dashboard.html",
        "mentorat_training/training_module_page.html",
        "mentorat_guides/guide_page.html",
        "mentorat_privacy/privacy.html",
        "mentorat_notifications/settings.html",
        "mentorat_guides/blocks/questionnaire.html",
    ):
        assert name in templates
    assert not any(name.startswith("mentorat_indicators/") for name in templates)
    assert not any("/email/" in name or "/admin/" in name for name in templates)


def test_every_front_end_page_extends_the_app_base_and_fills_only_its_blocks():
    wrong = []
    for name, text in front_end_templates().items():
        extends = EXTENDS.findall(text)
        blocks = set(BLOCK.findall(text))
        if not extends:  # an include or a block's template: no block of its own
            if blocks:
                wrong.append(f"{name}: an include defines blocks {sorted(blocks)}")
        elif extends != [APP_BASE] or not text.lstrip().startswith("{% extends"):
            wrong.append(f"{name}: extends {extends}, not {APP_BASE}")
        elif blocks - PAGE_BLOCKS:
            wrong.append(f"{name}: fills {sorted(blocks - PAGE_BLOCKS)}")
    assert not wrong, "\n".join(wrong)


def test_the_app_base_extends_the_host_base_and_fills_only_title_and_content():
    text = (PACKAGE / "templates" / APP_BASE).read_text()
    assert text.startswith('{% extends mentorat_base_template|default:"base.html" %}')
    assert set(BLOCK.findall(text)) == HOST_BLOCKS | PAGE_BLOCKS
    content = text[text.index("{% block content %}") :]
    assert "{% static 'wagtail_mentorat/mentorat.css' %}" in content
    assert '<div class="mentorat">' in content


def test_every_page_type_of_the_app_renders_through_the_contract():
    """Its template extends the app base, and its context names the host's base."""
    pages = [
        model
        for model in get_page_models()
        if model.__module__.startswith("wagtail_mentorat.") and not model._meta.abstract
    ]
    assert len(pages) >= 7
    templates = front_end_templates()
    for model in pages:
        assert issubclass(model, MentoratPageMixin), model
        assert EXTENDS.findall(templates[model.template]) == [APP_BASE], model


# ------------------------------------------------------------------- the classes


def test_every_class_in_the_front_end_templates_is_the_apps_and_is_defined():
    defined = defined_classes()
    wrong = []
    for name, text in front_end_templates().items():
        for css_class, dynamic in template_classes(text):
            if not css_class.startswith("mentorat"):
                wrong.append(f"{name}: {css_class} is not namespaced")
            elif dynamic:  # the block it modifies is defined: `mentorat-badge` for `--{}`
                stem = css_class.split("{}")[0].rstrip("-_")
                if stem not in defined:
                    wrong.append(f"{name}: {css_class} modifies {stem}, defined nowhere")
            elif css_class not in defined:
                wrong.append(f"{name}: {css_class} is in none of the app's stylesheets")
    assert not wrong, "\n".join(wrong)


def test_the_class_reader_sees_what_a_template_writes():
    text = (
        '<p class="card mentorat-x--{{ state }}{% if a %} mentorat-y{% endif %}">'
        '<div data-class="z" classname="w">'
    )
    assert list(template_classes(text)) == [
        ("card", False),
        ("mentorat-x--{}", True),
        ("mentorat-y", False),
    ]


def test_the_apps_stylesheets_are_namespaced_and_style_nothing_outside_the_app():
    wrong = []
    for path, css in stylesheets().items():
        for selector in selectors(css):
            names = set(CSS_CLASS.findall(selector)) - DJANGO_CLASSES
            wrong += [f"{path}: {selector}" for name in names if not name.startswith("mentorat")]
    for path, css in stylesheets(front_end_only=True).items():
        wrong += [
            f"{path}: {selector} reaches outside .mentorat"
            for selector in selectors(css)
            if not re.search(r"\.mentorat\b", selector)
        ]
    assert not wrong, "\n".join(wrong)


def test_colours_spacing_and_radius_are_custom_properties_a_host_may_override():
    css = stylesheets()["static/wagtail_mentorat/mentorat.css"]
    # Declared with zero specificity: any host rule on `.mentorat` wins.
    defaults = re.search(r":where\(\.mentorat\)\s*\{([^}]*)\}", css).group(1)
    declared = set(re.findall(r"(--mentorat-[\w-]+)\s*:", defaults))
    assert {"--mentorat-color-accent", "--mentorat-space", "--mentorat-radius"} <= declared
    root = re.search(r"\n\.mentorat\s*\{([^}]*)\}", css).group(1)
    assert "font: inherit" in root
    used = set()
    for sheet in stylesheets(front_end_only=True).values():
        used |= set(re.findall(r"var\((--mentorat-[\w-]+)", sheet))
        # No colour written out: every colour of the app is a custom property.
        body = re.sub(r":where\(\.mentorat\)\s*\{[^}]*\}", "", sheet)
        body = re.sub(r"@media print\s*\{.*", "", body, flags=re.S)
        assert not re.findall(r"#[0-9a-fA-F]{3,6}\b", body)
    optional = {"--mentorat-font-family", "--mentorat-color-text", "--mentorat-line-height"}
    assert used - declared == optional


def test_the_demo_styles_the_app_only_through_its_custom_properties():
    demo = (Path(settings.BASE_DIR) / "static/css/intranet.css").read_text()
    demo = re.sub(r"/\*.*?\*/", "", demo, flags=re.S)
    for selector in selectors(demo):
        names = set(CSS_CLASS.findall(selector))
        app = {name for name in names if name.startswith("mentorat")}
        assert app <= {"mentorat"}, selector
    override = re.search(r"\.mentorat\s*\{([^}]*)\}", demo).group(1)
    assert set(re.findall(r"([\w-]+)\s*:", override)) == set(
        re.findall(r"(--mentorat-[\w-]+)\s*:", override)
    )


# ------------------------------------------------------- rendered in a plain host

HOST_BASE = (
    "<!DOCTYPE html><html><head><title>{% block title %}{% endblock %} - Plain host</title>"
    '</head><body><header id="plain-host">Plain host</header>'
    "{% block content %}{% endblock %}</body></html>"
)


def plain_host():
    """The demo's settings with a host base template that has only `title` and `content`
    (no stylesheet block, no messages), named through the app's setting."""
    templates = copy.deepcopy(settings.TEMPLATES)
    engine = templates[0]
    engine["APP_DIRS"] = False
    engine["OPTIONS"]["loaders"] = [
        ("django.template.loaders.locmem.Loader", {"plain_host/base.html": HOST_BASE}),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    mentorat = {
        **getattr(settings, "WAGTAIL_MENTORAT", {}),
        "BASE_TEMPLATE": "plain_host/base.html",
    }
    return override_settings(TEMPLATES=templates, WAGTAIL_MENTORAT=mentorat)


def link(path):
    return f'<link rel="stylesheet" href="{static(path)}">'


def body_of(response):
    assert response.status_code == 200, response
    html = response.content.decode()
    return html[html.index("<body>") :]


@pytest.mark.django_db
def test_the_app_pages_render_in_a_host_base_with_only_title_and_content(client_for):
    client = client_for("mentore1")
    module = TrainingModulePage.objects.live().first()
    guide = GuidePage.objects.live().first()
    pages = {
        reverse("wagtail_mentorat:space"): ('<p class="mentorat-space-links">', None),
        module.url: (f"<h1>{escape(module.title)}</h1>", "mentorat_training/training.css"),
        guide.url: (f"<h1>{escape(guide.title)}</h1>", "mentorat_guides/guides.css"),
    }
    with plain_host():
        for url, (content, own_stylesheet) in pages.items():
            response = client.get(url)
            body = body_of(response)
            assert '<header id="plain-host">' in body, url
            assert "intranet.css" not in response.content.decode(), url  # not the demo's base
            assert link("wagtail_mentorat/mentorat.css") in body, url
            if own_stylesheet:
                assert link(own_stylesheet) in body, url
            root = body[body.index('<div class="mentorat">') :]
            assert content in root, url
        title = escape(module.seo_title or module.title)
        assert f"<title>{title} - Plain host</title>" in client.get(module.url).content.decode()

        # The host shows no messages: the app does, inside its root.
        response = client.post(
            reverse("wagtail_mentorat:privacy:consent"),
            {"purpose": Purpose.EMAIL, "decision": "withdraw"},
            follow=True,
        )
        body = body_of(response)
        [message] = [str(message) for message in response.context["messages"]]
        assert body.count(message) == 1
        assert body.index('<div class="mentorat">') < body.index(message)


@pytest.mark.django_db
def test_messages_show_once_in_the_demo(client_for):
    """The demo's base shows messages in a `messages` block, which the app base empties."""
    response = client_for("mentore1").post(
        reverse("wagtail_mentorat:privacy:consent"),
        {"purpose": Purpose.EMAIL, "decision": "withdraw"},
        follow=True,
    )
    html = response.content.decode()
    [message] = [str(message) for message in response.context["messages"]]
    assert html.count(message) == 1
    assert 'class="mentorat-alert mentorat-alert--success"' in html
    assert 'class="messages"' not in html
    # The demo's own pages keep the demo's messages.
    client = client_for("mentore1")
    client.post(
        reverse("wagtail_mentorat:privacy:consent"),
        {"purpose": Purpose.EMAIL, "decision": "give"},
    )
    html = client.get("/", follow=True).content.decode()
    assert '<div class="messages" role="status">' in html and "mentorat-alert" not in html
