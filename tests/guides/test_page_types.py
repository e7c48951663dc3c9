"""Which page may live where, and each page type renders, previews and is editable."""

import pytest
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from home.models import ContentPage, HomePage
from wagtail_mentorat.guides.models import GuideIndexPage, GuidePage, ProgrammePage
from wagtail_mentorat.models import Programme


class PageTypeRulesTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        root = Page.get_first_root_node()
        cls.home = root.add_child(instance=HomePage(title="Accueil", slug="accueil-regles"))
        site = Site.objects.get(is_default_site=True)
        site.root_page = cls.home
        site.save()  # save(), not update(): clears Wagtail's cached site root paths
        cls.index = cls.home.add_child(instance=GuideIndexPage(title="Guides", slug="guides"))
        cls.programme = Programme.objects.create(name="Programme des règles")

    def setUp(self):
        super().setUp()
        self.user = self.login()

    def test_guides_index_goes_under_the_home_page_once(self):
        self.assertCanCreateAt(HomePage, GuideIndexPage)
        self.assertFalse(GuideIndexPage.can_create_at(self.home))  # one per parent
        self.assertCanNotCreateAt(GuidePage, GuideIndexPage)
        self.assertCanNotCreateAt(ProgrammePage, GuideIndexPage)

    def test_guides_live_under_the_index_or_under_another_guide(self):
        self.assertAllowedParentPageTypes(GuidePage, {GuideIndexPage, GuidePage})
        self.assertCanNotCreateAt(HomePage, GuidePage)
        self.assertCanNotCreateAt(ContentPage, GuidePage)
        self.assertCanNotCreateAt(ProgrammePage, GuidePage)

    def test_programme_pages_live_under_the_index_and_have_no_children(self):
        self.assertAllowedParentPageTypes(ProgrammePage, {GuideIndexPage})
        self.assertAllowedSubpageTypes(ProgrammePage, {})
        self.assertCanNotCreateAt(GuidePage, ProgrammePage)
        self.assertCanNotCreateAt(HomePage, ProgrammePage)

    def test_index_holds_guides_and_programme_pages_only(self):
        self.assertAllowedSubpageTypes(GuideIndexPage, {GuidePage, ProgrammePage})

    def test_editor_creates_a_guide_with_every_block_through_the_admin(self):
        body = streamfield(
            [
                ("heading", "Comparer"),
                ("paragraph", rich_text("<p>Le mentorat est une relation de soutien.</p>")),
                (
                    "comparison",
                    {
                        "title": "Trois pratiques",
                        "intro": "",
                        "practices": streamfield([("item", "Mentorat"), ("item", "Coaching")]),
                        "rows": streamfield(
                            [
                                (
                                    "item",
                                    {
                                        "criterion": "Relation",
                                        "cells": streamfield(
                                            [("item", "Inégale"), ("item", "Centrée")]
                                        ),
                                    },
                                )
                            ]
                        ),
                    },
                ),
                (
                    "callout",
                    {
                        "kind": "important",
                        "title": "Jamais une sanction",
                        "text": rich_text("<p>Le mentorat n'est jamais retiré pour punir.</p>"),
                    },
                ),
                (
                    "quote",
                    {"quote": "« Guide, conseiller et modèle »", "attribution": "", "source": ""},
                ),
            ]
        )
        self.assertCanCreate(
            self.index,
            GuidePage,
            nested_form_data({"title": "Mentorat ou coaching", "intro": "", "body": body}),
        )
        guide = GuidePage.objects.get(title="Mentorat ou coaching")
        kinds = [block.block_type for block in guide.body]
        self.assertEqual(kinds, ["heading", "paragraph", "comparison", "callout", "quote"])
        self.assertEqual(guide.body[4].value["quote"], "Guide, conseiller et modèle")

    def test_admin_refuses_a_guide_whose_comparison_table_is_empty(self):
        body = streamfield(
            [
                (
                    "comparison",
                    {
                        "title": "Vide",
                        "intro": "",
                        "practices": streamfield([]),
                        "rows": streamfield([]),
                    },
                )
            ]
        )
        data = nested_form_data(
            {"title": "Guide vide", "slug": "guide-vide", "intro": "", "body": body}
        )
        data["action-publish"] = "action-publish"
        response = self.client.post(
            f"/admin/pages/add/mentorat_guides/guidepage/{self.index.pk}/", data
        )
        self.assertEqual(response.status_code, 200)  # the form again, with its errors
        self.assertFalse(GuidePage.objects.filter(slug="guide-vide").exists())
        body_error = response.context["form"].errors["body"].as_data()[0]
        table_error = body_error.block_errors[0]
        self.assertEqual(
            set(table_error.block_errors), {"practices", "rows"}
        )  # both said, where they apply

    def test_each_page_type_renders_and_previews(self):
        guide = self.index.add_child(
            instance=GuidePage(title="Guide", body=[{"type": "heading", "value": "Une section"}])
        )
        programme_page = self.index.add_child(
            instance=ProgrammePage(title="Fiche", programme=self.programme)
        )
        guide_data = nested_form_data(
            {
                "title": "Guide",
                "slug": "guide",
                "intro": "En bref",
                "body": streamfield([("heading", "Une section")]),
            }
        )
        programme_data = nested_form_data(
            {
                "title": "Fiche",
                "slug": "fiche",
                "programme": self.programme.pk,
                "purpose": rich_text("<p>Développer des compétences.</p>"),
                "audience": rich_text(""),
                "context_of_use": rich_text(""),
                "important_information": rich_text(""),
                "registration_page": "",
                "registration_url": "",
                "registration_label": "",
                "body": streamfield([]),
            }
        )
        index_data = nested_form_data({"title": "Guides", "slug": "guides", "intro": rich_text("")})
        for page, data in (
            (self.index, index_data),
            (guide, guide_data),
            (programme_page, programme_data),
        ):
            with self.subTest(page=type(page).__name__):
                # The intranet needs a login; the preview helper logs out when done.
                self.assertPageIsRenderable(page, user=self.user)
                self.assertPageIsPreviewable(page, post_data=data, user=self.user)
                self.assertPageIsEditable(page, post_data=data, user=self.user)


@pytest.mark.django_db
def test_a_programme_has_one_page_per_language(programme_page, programme, guides_index):
    from django.core.exceptions import ValidationError

    second = ProgrammePage(title="Doublon", slug="doublon", programme=programme)
    with pytest.raises(ValidationError) as error:
        guides_index.add_child(instance=second)
    assert "programme" in error.value.message_dict
