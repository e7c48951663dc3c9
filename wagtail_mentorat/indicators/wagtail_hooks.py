from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .. import ids, rules
from ..admin.menu import MENU_HOOK, ORDER


class CoordinatorMenuItem(MenuItem):
    def is_shown(self, request):
        return rules.is_coordinator(request.user)


@hooks.register("register_admin_urls")
def register_indicator_urls():
    from . import views

    urls = [
        path("", views.DashboardView.as_view(), name="dashboard"),
        path("references/", views.ReferencesView.as_view(), name="references"),
        path("auto-evaluation/", views.AssessmentIndexView.as_view(), name="assessments"),
        path(
            "auto-evaluation/<mentorat_id:pk>/",
            ids.record_view(views.AssessmentEditView.as_view()),
            name="assessment_edit",
        ),
        path(
            "auto-evaluation/<mentorat_id:pk>/rapport/",
            ids.record_view(views.AssessmentReportView.as_view()),
            name="assessment_report",
        ),
    ]
    return [path("mentorat/indicateurs/", include((urls, "mentorat_indicators")))]


@hooks.register(MENU_HOOK)
def register_indicators_menu_item():
    from .views import DashboardView

    return CoordinatorMenuItem(
        DashboardView.page_title,  # one name: the menu item and its page
        reverse("mentorat_indicators:dashboard"),
        icon_name="table",
        order=ORDER["indicators"],
    )


@hooks.register("construct_homepage_panels")
def add_attention_panel(request, panels):
    if rules.is_coordinator(request.user):
        from .panels import AttentionPanel

        panels.append(AttentionPanel())
