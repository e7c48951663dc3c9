"""Demo guides and programme pages, in French (Quebec), written from the seeds.

``build(home_page, programmes)`` is idempotent: it finds each page by slug under its
parent and leaves what a previous run made as it is. The main guide (mentoring vs
coaching vs supervision, seed 000) gets an English translation through Wagtail's
locales (``copy_for_translation``).
"""

from wagtail.models import Locale

from wagtail_mentorat import setup
from wagtail_mentorat.guides.models import GuideIndexPage, GuidePage, ProgrammePage

PRACTICES_FR = ["Mentorat", "Coaching", "Supervision", "Formation", "Soutien entre pairs"]
PRACTICES_EN = ["Mentoring", "Coaching", "Supervision", "Training", "Peer support"]

# Criteria as rows, practices as columns (seed 000: the differences between them).
TABLE_FR = [
    (
        "But",
        [
            "Développer des compétences par le transfert d'expertise, de connaissances et de "
            "ressources",
            "Atteindre un objectif précis de performance",
            "Encadrer la pratique et assurer des services sécuritaires et de qualité",
            "Acquérir des connaissances ou des techniques définies",
            "Échanger entre collègues, discuter de cas, briser l'isolement",
        ],
    ),
    (
        "Qui dirige",
        [
            "Le mentoré, selon ses objectifs; le mentor guide",
            "Le coach, selon un plan",
            "Le superviseur ou le gestionnaire",
            "Le formateur",
            "Le groupe",
        ],
    ),
    (
        "Relation",
        [
            "Inégale par l'expérience : le mentor est guide, conseiller et modèle",
            "Centrée sur la tâche",
            "Hiérarchique ou professionnelle",
            "Pédagogique",
            "Égalitaire, entre partenaires égaux",
        ],
    ),
    (
        "Durée",
        [
            "Quelques mois (au plus 6 mois, ou 1 an selon le programme)",
            "Quelques séances",
            "Continue, tout au long de l'emploi",
            "Le temps de la formation",
            "Continue, selon les besoins",
        ],
    ),
    (
        "Savoir-être ou savoir-faire",
        [
            "Surtout le savoir-être : une façon de penser et d'agir",
            "Surtout le savoir-faire",
            "Le savoir-faire et le respect des normes",
            "Le savoir-faire",
            "Les deux, par l'échange",
        ],
    ),
    (
        "Confidentialité",
        [
            "Confidentielle; le mentor assure un suivi au gestionnaire sur la sécurité et la "
            "qualité des services",
            "Convenue avec le coach",
            "Non : la supervision rend compte à l'organisation",
            "Sans objet",
            "Selon les règles du groupe",
        ],
    ),
    (
        "Pour qui",
        [
            "Nouveaux intervenants, changement de programme ou de clientèle, compétence "
            "spécifique à développer",
            "Personne qui vise un résultat précis à court terme",
            "Tout le personnel clinique",
            "Toute personne qui a besoin de connaissances précises",
            "Toute personne qui veut échanger avec ses pairs",
        ],
    ),
]
TABLE_EN = [
    (
        "Purpose",
        [
            "Develop skills through the transfer of expertise, knowledge and resources",
            "Reach a specific performance goal",
            "Oversee practice and ensure safe, quality services",
            "Acquire defined knowledge or techniques",
            "Exchange with colleagues, discuss cases, break isolation",
        ],
    ),
    (
        "Who leads",
        [
            "The mentee, following their objectives; the mentor guides",
            "The coach, following a plan",
            "The supervisor or the manager",
            "The trainer",
            "The group",
        ],
    ),
    (
        "Relationship",
        [
            "Unequal in experience: the mentor is a guide, an adviser and a role model",
            "Focused on the task",
            "Hierarchical or professional",
            "Teaching",
            "Equal, between equal partners",
        ],
    ),
    (
        "Duration",
        [
            "A few months (6 months at most, or 1 year depending on the programme)",
            "A few sessions",
            "Ongoing, throughout employment",
            "The length of the course",
            "Ongoing, as needed",
        ],
    ),
    (
        "Soft skills or know-how",
        [
            "Mostly soft skills (savoir-être): a way of thinking and acting",
            "Mostly know-how",
            "Know-how and compliance with standards",
            "Know-how",
            "Both, through exchange",
        ],
    ),
    (
        "Confidentiality",
        [
            "Confidential; the mentor still reports to the manager on safe, quality service",
            "Agreed with the coach",
            "No: supervision reports to the organisation",
            "Not applicable",
            "According to the group's rules",
        ],
    ),
    (
        "Who it suits",
        [
            "New practitioners, a new programme or clientele, a specific skill to develop",
            "Someone aiming at a precise short-term result",
            "All clinical staff",
            "Anyone who needs specific knowledge",
            "Anyone who wants to exchange with peers",
        ],
    ),
]


def _table(title, practices, rows):
    return (
        "comparison",
        {
            "title": title,
            "intro": "",
            "practices": practices,
            "rows": [{"criterion": name, "cells": cells} for name, cells in rows],
        },
    )


def _answer(label, goto="", practice="", text="", page=None):
    return {
        "label": label,
        "next_question": goto,
        "result_practice": practice,
        "result_text": text,
        "result_page": page.pk if page else None,
    }


def _questionnaire_fr(programme_page):
    return (
        "questionnaire",
        {
            "title": "De quel accompagnement ai-je besoin?",
            "intro": "Répondez à deux ou trois questions : nous vous indiquons la pratique "
            "et la page qui correspondent à votre besoin.",
            "questions": [
                {
                    "identifier": "besoin",
                    "question": "Que cherchez-vous d'abord?",
                    "help": "",
                    "answers": [
                        _answer("Développer une compétence ou m'intégrer", goto="duree"),
                        _answer(
                            "Faire valider ma pratique ou une décision clinique",
                            practice="Supervision",
                            text="La supervision encadre la pratique et la qualité des "
                            "services. Parlez-en à votre gestionnaire.",
                        ),
                        _answer(
                            "Apprendre une technique ou une connaissance précise",
                            practice="Formation",
                            text="Consultez le catalogue de formation ou demandez une "
                            "activité de formation.",
                        ),
                        _answer(
                            "Échanger avec des collègues de même niveau",
                            practice="Soutien entre pairs",
                            text="Les discussions de cas et les échanges entre collègues "
                            "offrent une relation égalitaire.",
                        ),
                    ],
                },
                {
                    "identifier": "duree",
                    "question": "Sur combien de temps et avec quelle relation?",
                    "help": "",
                    "answers": [
                        _answer(
                            "Quelques mois, avec une personne d'expérience qui me guide",
                            practice="Mentorat",
                            text="Le mentorat est une relation de soutien et d'échanges, "
                            "confidentielle, sur quelques mois.",
                            page=programme_page,
                        ),
                        _answer(
                            "Quelques séances pour atteindre un résultat précis",
                            practice="Coaching",
                            text="Le coaching vise un objectif précis de performance, à "
                            "court terme.",
                        ),
                    ],
                },
            ],
        },
    )


def _questionnaire_en(programme_page):
    return (
        "questionnaire",
        {
            "title": "Which support do I need?",
            "intro": "Answer two or three questions: we point you to the practice and the "
            "page that match your need.",
            "questions": [
                {
                    "identifier": "besoin",
                    "question": "What are you looking for first?",
                    "help": "",
                    "answers": [
                        _answer("To develop a skill or settle in", goto="duree"),
                        _answer(
                            "To have my practice or a clinical decision checked",
                            practice="Supervision",
                            text="Supervision oversees practice and service quality. "
                            "Talk to your manager.",
                        ),
                        _answer(
                            "To learn a specific technique or piece of knowledge",
                            practice="Training",
                            text="See the training catalogue or ask for a training activity.",
                        ),
                        _answer(
                            "To exchange with colleagues at my level",
                            practice="Peer support",
                            text="Case discussions and exchanges between colleagues offer "
                            "an equal relationship.",
                        ),
                    ],
                },
                {
                    "identifier": "duree",
                    "question": "Over how long, and with what relationship?",
                    "help": "",
                    "answers": [
                        _answer(
                            "A few months, with an experienced person who guides me",
                            practice="Mentoring",
                            text="Mentoring is a confidential relationship of support and "
                            "exchange over a few months.",
                            page=programme_page,
                        ),
                        _answer(
                            "A few sessions to reach a precise result",
                            practice="Coaching",
                            text="Coaching aims at a precise, short-term performance goal.",
                        ),
                    ],
                },
            ],
        },
    )


def _faq(title, items):
    return (
        "faq",
        {"title": title, "items": [{"question": q, "answer": a} for q, a in items]},
    )


def _callout(kind, title, html):
    return ("callout", {"kind": kind, "title": title, "text": html})


def _process(title, steps):
    return (
        "process",
        {
            "title": title,
            "steps": [{"title": t, "text": text, "who": who} for t, text, who in steps],
        },
    )


def _quote(quote, attribution="", source=""):
    return ("quote", {"quote": quote, "attribution": attribution, "source": source})


def _links(title, pages):
    return ("links", {"title": title, "links": [{"page": p.pk, "text": t} for p, t in pages]})


def main_guide_fr(programme_pages):
    cisss = programme_pages[0]
    return {
        "title": "Mentorat, coaching, supervision : lequel choisir?",
        "slug": "mentorat-coaching-supervision",
        "intro": (
            "La notion de mentorat est souvent imprécise au travail : on la confond avec le "
            "coaching, la supervision et la formation. Voici ce qui les distingue."
        ),
        "body": [
            ("heading", "Ce qui distingue chaque pratique"),
            _table("Cinq pratiques comparées", PRACTICES_FR, TABLE_FR),
            ("heading", "Lequel choisir?"),
            _questionnaire_fr(cisss),
            ("heading", "Le mentorat en bref"),
            _quote(
                "Le mentorat désigne une relation interpersonnelle de soutien, une relation "
                "d'aide, d'échanges et d'apprentissage, dans laquelle une personne "
                "d'expérience, le mentor, offre sa sagesse acquise et son expertise dans le "
                "but de favoriser le développement d'une autre personne, le mentoré.",
                "C. Cuerrier",
                "Le mentorat : lexique et répertoire de base (2002)",
            ),
            _callout(
                "important",
                "Un engagement défini",
                "<p>Le mentorat a un début, une fin et des bilans : la durée et le nombre de "
                "rencontres sont précisés dès l'entente. Personne ne s'engage dans une "
                "relation indéterminée.</p>",
            ),
            _process(
                "La démarche",
                [
                    (
                        "Le besoin est identifié",
                        "Par l'intervenant ou par son gestionnaire.",
                        "Intervenant ou gestionnaire",
                    ),
                    (
                        "Le mentor et le mentoré sont jumelés",
                        "Le mentor n'est jamais le supérieur hiérarchique du mentoré.",
                        "Gestionnaire",
                    ),
                    (
                        "L'entente de mentorat est complétée",
                        "Objectifs, fréquence des rencontres et confidentialité.",
                        "Mentor et mentoré",
                    ),
                    (
                        "Les rencontres et les bilans",
                        "Un bilan à la mi-temps et à la fin de l'entente.",
                        "Mentor et mentoré",
                    ),
                    (
                        "La fin de la relation",
                        "Quand les objectifs sont atteints, avec l'approbation du gestionnaire.",
                        "Gestionnaire",
                    ),
                ],
            ),
            _faq(
                "Questions fréquentes",
                [
                    (
                        "Mon mentor peut-il être mon gestionnaire?",
                        "<p>Non. Le mentor ne doit pas être le supérieur hiérarchique du "
                        "mentoré, ni directement ni indirectement.</p>",
                    ),
                    (
                        "Mon gestionnaire lira-t-il nos échanges?",
                        "<p>Non. La relation de mentorat est confidentielle. Le mentor assure "
                        "cependant un suivi au gestionnaire quant à la sécurité et à la "
                        "qualité des services à la clientèle.</p>",
                    ),
                    (
                        "Que faire en cas de mésentente?",
                        "<p>Les agents de planification, programmation et recherche (APPR) "
                        "peuvent soutenir les mentors et aider à gérer les mésententes.</p>",
                    ),
                ],
            ),
            _links(
                "Les programmes de mentorat",
                [(page, "La fiche synthèse du programme.") for page in programme_pages],
            ),
        ],
    }


def main_guide_en(programme_pages):
    cisss = programme_pages[0]
    return {
        "title": "Mentoring, coaching, supervision: which one?",
        "slug": "mentoring-coaching-supervision",
        "intro": (
            "Mentoring is often a vague notion at work: it gets confused with coaching, "
            "supervision and training. Here is what sets them apart."
        ),
        "body": [
            ("heading", "What sets each practice apart"),
            _table("Five practices compared", PRACTICES_EN, TABLE_EN),
            ("heading", "Which one?"),
            _questionnaire_en(cisss),
            ("heading", "Mentoring in short"),
            _quote(
                "Mentoring is a supportive interpersonal relationship of help, exchange and "
                "learning, in which an experienced person, the mentor, offers their acquired "
                "wisdom and expertise to foster the development of another person, the "
                "mentee.",
                "C. Cuerrier",
                "Le mentorat : lexique et répertoire de base (2002)",
            ),
            _callout(
                "important",
                "A defined commitment",
                "<p>Mentoring has a start, an end and reviews: its length and the number of "
                "meetings are set in the agreement. Nobody commits to an open-ended "
                "relationship.</p>",
            ),
            _process(
                "The process",
                [
                    ("The need is identified", "By the practitioner or their manager.", ""),
                    (
                        "Mentor and mentee are paired",
                        "The mentor is never the mentee's hierarchical superior.",
                        "Manager",
                    ),
                    (
                        "The mentoring agreement is completed",
                        "Objectives, meeting frequency and confidentiality.",
                        "Mentor and mentee",
                    ),
                    (
                        "Meetings and reviews",
                        "A review at mid-term and at the end of the agreement.",
                        "Mentor and mentee",
                    ),
                    (
                        "The end of the relationship",
                        "When the objectives are met, with the manager's approval.",
                        "Manager",
                    ),
                ],
            ),
            _faq(
                "Frequently asked questions",
                [
                    (
                        "Can my mentor be my manager?",
                        "<p>No. The mentor is never the mentee's hierarchical superior, "
                        "directly or indirectly.</p>",
                    ),
                    (
                        "Will my manager read our exchanges?",
                        "<p>No. Mentoring is confidential. The mentor still reports to the "
                        "manager on safe, quality service to clients.</p>",
                    ),
                    (
                        "What if we disagree?",
                        "<p>Programme staff (APPR) support mentors and help handle "
                        "disagreements.</p>",
                    ),
                ],
            ),
            _links(
                "Mentoring programmes",
                [(page, "The programme summary.") for page in programme_pages],
            ),
        ],
    }


QUALITY_FR = {
    "title": "Les principes de qualité d'un programme de mentorat",
    "slug": "principes-de-qualite",
    "intro": (
        "Ce qui fait la qualité d'un programme : un équilibre entre flexibilité et besoins "
        "universels, des indicateurs revus souvent et une auto-évaluation régulière."
    ),
    "body": [
        ("heading", "Sept principes"),
        _process(
            "Principes au cœur de la qualité",
            [
                (
                    "Équilibrer flexibilité et besoins universels",
                    "Des principes fondés sur l'expérience du terrain, les valeurs des "
                    "programmes et la recherche, adaptés aux réalités locales.",
                    "",
                ),
                (
                    "Standardiser pour réduire les écarts",
                    "Des pratiques communes réduisent les écarts entre les expériences de "
                    "mentorat et minimisent les dommages.",
                    "",
                ),
                (
                    "Revoir la qualité de façon itérative",
                    "Les indicateurs ne freinent pas l'innovation : ils sont revus souvent.",
                    "Personnel du programme",
                ),
                (
                    "S'auto-évaluer",
                    "Un diagnostic sur l'action pour identifier les marges de progression.",
                    "Personnel du programme",
                ),
                (
                    "Impliquer les partenaires",
                    "Préciser ensemble les besoins et l'impact attendu.",
                    "",
                ),
                (
                    "Former les mentors et définir l'engagement",
                    "La formation et la durée de l'engagement maximisent la qualité de la "
                    "relation.",
                    "",
                ),
                (
                    "Identifier les éléments de réussite en amont",
                    "Pour répondre aux besoins, quelle que soit l'urgence.",
                    "",
                ),
            ],
        ),
        _callout(
            "warning",
            "Il n'y a jamais de risque zéro",
            "<p>Une relation qui se termine prématurément peut rompre le lien de confiance et "
            "générer un sentiment d'abandon. Des objectifs mal définis peuvent créer de la "
            "dépendance au lieu de l'autonomie. Des standards de qualité aident à minimiser "
            "ces risques.</p>",
        ),
        _quote(
            "Le mentorat est une action vivante qui évolue rapidement.",
            "",
            "Assises du Mentorat 2021, atelier « Mentorat et inégalités territoriales »",
        ),
        _faq(
            "Questions fréquentes",
            [
                (
                    "Qui suit la qualité de notre programme?",
                    "<p>Le personnel du programme suit des indicateurs (offre et demande de "
                    "mentors, engagement, bilans, fins prématurées) et procède à une "
                    "auto-évaluation.</p>",
                ),
                (
                    "Pourquoi les mentors doivent-ils être formés?",
                    "<p>La formation sensibilise les mentors à leur rôle et à l'importance "
                    "de leur engagement.</p>",
                ),
            ],
        ),
    ],
}

CHILD_PROTECTION_FR = {
    "title": "Travailler avec les services de protection de l'enfance",
    "slug": "protection-de-l-enfance",
    "intro": (
        "Pour les programmes qui accompagnent des jeunes confiés, ou ayant été confiés, aux "
        "services de protection de l'enfance : la formation du personnel et la "
        "collaboration avec les intervenants."
    ),
    "body": [
        _callout(
            "important",
            "Jamais une sanction",
            "<p>Le mentorat ne doit jamais être retiré pour sanctionner ou punir le jeune. Il "
            "doit être clairement énoncé dans la liste des services offerts au jeune.</p>",
        ),
        ("heading", "Former le personnel du programme"),
        (
            "paragraph",
            "<p>Le personnel de prestation du programme doit être bien formé : les "
            "difficultés et les meilleures pratiques du mentorat, le système de protection "
            "de l'enfance et les différences culturelles. Le personnel qui travaille avec "
            "des jeunes LGBT2SQ suit aussi des formations continues sur leurs réalités.</p>",
        ),
        ("heading", "Collaborer avec les intervenants sociaux"),
        _process(
            "Ce qu'il faut clarifier avec eux",
            [
                (
                    "La place du mentorat dans la vie du jeune",
                    "Comment le mentorat s'intègre aux services de protection et aide "
                    "l'intervenant à atteindre ses objectifs pour le jeune.",
                    "Personnel du programme",
                ),
                (
                    "Le bon moment et le bon format",
                    "Évaluer si le jeune est prêt et quel mentorat lui convient : individuel "
                    "ou de groupe.",
                    "Intervenant social",
                ),
                (
                    "Les informations à partager",
                    "Collaborer avec le mentor en respectant les limites des informations "
                    "pouvant être partagées.",
                    "Intervenant social",
                ),
                (
                    "Les changements de situation",
                    "Avertir le mentor de tout changement de placement ou de situation du jeune.",
                    "Intervenant social",
                ),
                (
                    "La continuité du jumelage",
                    "Tenir à jour les informations sur le jumelage, même si le jeune change "
                    "de foyer ou d'agence, ou s'il est adopté.",
                    "Personnel du programme",
                ),
            ],
        ),
        _quote(
            "Ces professionnels en mentorat modèlent les attributs qu'ils souhaitent voir "
            "chez les mentors : être cohérent, attentif, réactif, et fournir la structure et "
            "la direction appropriées.",
            "",
            "Meilleures pratiques de formation du personnel de prestation (7g)",
        ),
    ],
}

CISSS_PAGE = {
    "title": "Mentorat clinique du CISSS — fiche synthèse",
    "slug": "mentorat-clinique",
    "purpose": (
        "<p>Développer une relation de soutien et d'échanges visant le développement des "
        "compétences par le transfert d'expertise, de connaissances et de ressources. Le "
        "mentor agit à titre de guide, de conseiller et de modèle.</p>"
    ),
    "audience": (
        "<ul><li>Nouveaux intervenants du CISSS;</li><li>Intervenants qui intègrent un "
        "nouveau programme ou service ou qui présentent un besoin de développer une "
        "compétence spécifique (ex. : nouvelle clientèle);</li><li>Intervenants présentant "
        "un besoin de développement de compétences selon l'évaluation du "
        "gestionnaire.</li></ul>"
    ),
    "context_of_use": (
        "<p>Le besoin est identifié par l'intervenant et/ou le gestionnaire. Par la suite, "
        "le mentor et le mentoré sont jumelés par le gestionnaire concerné puis complètent "
        "l'entente de mentorat. La relation, basée sur un partage des savoirs, se développe "
        "sur quelques mois et prend fin lorsque le mentoré et le mentor jugent que les "
        "objectifs de développement ont été atteints, à la suite de l'approbation du "
        "gestionnaire.</p>"
    ),
    "important_information": (
        "<p>Les agents de planification, programmation et recherche (APPR) de la DSM peuvent "
        "offrir leur soutien aux mentors et contribuer à la gestion des mésententes en cas "
        "de besoin.</p>"
    ),
}

SERVICE_PAGE = {
    "title": "Service de mentorat des conseillers",
    "slug": "service-de-mentorat",
    "purpose": (
        "<p>Accompagner le conseiller dans une démarche qui va au-delà d'une réponse directe "
        "à la question d'un client : améliorer son expertise avec un mentor assigné selon "
        "son lieu de travail et ses besoins.</p>"
    ),
    "audience": "<p>Conseillers et conseillères qui veulent améliorer leur expertise.</p>",
    "context_of_use": (
        "<p>Inscrivez-vous au service. Un mentor vous est assigné en fonction de votre lieu "
        "de travail et des besoins exprimés (champs d'expertise, objectifs de développement "
        "et attentes). Le premier contact précise vos besoins et établit un plan d'action, "
        "s'il y a lieu. Des activités de formation sont organisées à la demande des mentorés "
        "ou à l'initiative des mentors.</p>"
    ),
}


PROGRAMME_PAGES_EN = [
    {
        "title": "CISSS clinical mentoring — programme summary",
        "slug": "clinical-mentoring",
        "purpose": (
            "<p>Build a supportive relationship of exchange aimed at developing skills "
            "through the transfer of expertise, knowledge and resources. The mentor acts as "
            "a guide, an adviser and a role model.</p>"
        ),
        "audience": (
            "<ul><li>New practitioners at the CISSS;</li><li>Practitioners joining a new "
            "programme or service, or needing a specific skill (e.g. a new "
            "clientele);</li><li>Practitioners whose manager assessed a development "
            "need.</li></ul>"
        ),
        "context_of_use": (
            "<p>The need is identified by the practitioner and/or the manager. The manager "
            "pairs mentor and mentee, who then complete the mentoring agreement. The "
            "relationship ends when both judge the objectives met, with the manager's "
            "approval.</p>"
        ),
        "important_information": (
            "<p>Programme staff (APPR) support mentors and help handle disagreements.</p>"
        ),
    },
    {
        "title": "Counsellors' mentoring service",
        "slug": "mentoring-service",
        "purpose": (
            "<p>Support counsellors beyond a direct answer to a client's question: improve "
            "their expertise with a mentor assigned by workplace and needs.</p>"
        ),
        "audience": "<p>Counsellors who want to improve their expertise.</p>",
        "context_of_use": (
            "<p>Register for the service. A mentor is assigned according to your workplace "
            "and the needs you state. The first contact clarifies your needs and sets an "
            "action plan if needed.</p>"
        ),
    },
]


def _child(parent, model, slug):
    return model.objects.child_of(parent).filter(slug=slug).first()


def _streamfield(items):
    return [{"type": kind, "value": value} for kind, value in items]


def _ensure(parent, model, fields, **extra):
    page = _child(parent, model, fields["slug"])
    if page is not None:
        return page
    values = {k: v for k, v in fields.items() if k != "body"}
    if "body" in fields:
        values["body"] = _streamfield(fields["body"])
    page = parent.add_child(instance=model(**values, **extra))
    page.save_revision().publish()
    return page


def _ensure_translation(page, locale, fields):
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.specific
    translation = page.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(translation, name, _streamfield(value) if name == "body" else value)
    translation.save_revision().publish()
    return translation


def _registration_page(home_page):
    """The app's "Je veux m'inscrire" page (seed 004), when the intranet has one."""
    from wagtail_mentorat import models

    model = getattr(models, "RegistrationPage", None)
    if model is None:
        return None
    return model.objects.live().filter(locale=home_page.locale).first()


def build(home_page, programmes):
    """The guides section under ``home_page``; ``programmes``: the two seed programmes,
    the CISSS's (seed 001) first, then the counsellors' service (seed 004)."""
    english, _ = Locale.objects.get_or_create(language_code="en")
    # The index in French and English: made by ``mentorat_setup``, as on any host.
    index = GuideIndexPage.objects.child_of(home_page).first()
    if index is None:
        setup.ensure_pages(home_page, setup.Report())
        index = GuideIndexPage.objects.child_of(home_page).get()
    cisss, service = programmes
    programme_pages = [
        _ensure(index, ProgrammePage, CISSS_PAGE, programme=cisss),
        _ensure(index, ProgrammePage, SERVICE_PAGE, programme=service),
    ]
    registration = _registration_page(home_page)
    for page in programme_pages:
        if registration is not None and page.registration_page_id is None:
            page.registration_page = registration
            page.save_revision().publish()
    if not programme_pages[1].body:
        programme_pages[1].body = _streamfield(
            [
                (
                    "responsibilities",
                    {
                        "title": "Responsabilités prévues à l'entente",
                        "programme": service.pk,
                        "mentor": [],
                        "mentee": [],
                    },
                )
            ]
        )
        programme_pages[1].save_revision().publish()
    for page, fields in zip(programme_pages, PROGRAMME_PAGES_EN, strict=True):
        _ensure_translation(page, english, fields)
    main = _ensure(index, GuidePage, main_guide_fr(programme_pages))
    english_fields = main_guide_en(programme_pages)
    main_en = _ensure_translation(main, english, english_fields)
    quality = _ensure(index, GuidePage, QUALITY_FR)
    child_protection = _ensure(index, GuidePage, CHILD_PROTECTION_FR)
    return {
        "index": index,
        "programme_pages": programme_pages,
        "main_guide": main,
        "main_guide_en": main_en,
        "quality": quality,
        "child_protection": child_protection,
    }
