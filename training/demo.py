"""Demo training content, in French (Quebec) and English, written from seeds 002 and 004.

``build(home_page)`` is idempotent: it finds what a previous run made (by slug or
title) and leaves it as it is. Question and choice ids are derived from fixed names,
so a rebuilt demo has the same ids.
"""

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale

from wagtail_mentorat import setup
from wagtail_mentorat.training.models import (
    LearningPathModule,
    LearningPathPage,
    TrainingIndexPage,
    TrainingModulePage,
    TrainingSession,
)

# The demo group whose members read the training reports (its permissions: home.demo).
COORDINATORS_GROUP = "Coordination du programme"
_NAMESPACE = uuid.UUID("9a0b3a43-8a1c-4f53-9d0e-6a1f5b2c7e10")


def _id(*parts):
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _p(html):
    return ("paragraph", html)


def _callout(kind, title, html):
    return ("callout", {"kind": kind, "title": title, "text": html})


def _case(title, situation, questions, discussion):
    return (
        "case_study",
        {
            "title": title,
            "situation": situation,
            "questions": questions,
            "discussion": discussion,
        },
    )


def _question(kind, text, choices):
    """choices: [(text, correct, feedback), ...]"""
    return (kind, {"question": text, "choices": choices})


def _body(slug, items):
    body = []
    for number, (kind, value) in enumerate(items, start=1):
        block_id = _id(slug, str(number))
        if kind in ("single_choice", "multiple_choice"):
            value = {
                "question": value["question"],
                "choices": [
                    {
                        "type": "item",
                        "id": _id(slug, str(number), str(index)),
                        "value": {"text": text, "correct": correct, "feedback": feedback},
                    }
                    for index, (text, correct, feedback) in enumerate(value["choices"], start=1)
                ],
            }
        body.append({"type": kind, "value": value, "id": block_id})
    return body


MODULES = [
    {
        "slug": "difficultes-et-meilleures-pratiques",
        "title": "Les difficultés et les meilleures pratiques du mentorat",
        "summary": (
            "Ce qui fait réussir un jumelage, ce qui le fragilise, et le rôle du personnel "
            "du programme à chaque étape de la relation."
        ),
        "estimated_minutes": 30,
        "audience": ("mentors", "mentees", "staff"),
        "pass_mark": 60,
        "validity_months": None,
        "body": [
            _p(
                "<p>Le personnel qui recrute, sélectionne, forme, jumelle et fait le suivi des "
                "participants soutient la relation de mentorat à chaque étape de son "
                "développement. Idéalement, il modèle les attributs qu'il souhaite voir chez "
                "les mentors : être cohérent, attentif, réactif, et fournir la structure et la "
                "direction appropriées.</p>"
            ),
            _p(
                "<h2>Les difficultés fréquentes</h2><ul><li>Des attentes floues de part et "
                "d'autre : on ne sait pas à quoi on s'engage.</li><li>Des rencontres trop "
                "espacées : la relation s'essouffle.</li><li>Un mentor sollicité seulement pour "
                "des réponses rapides plutôt que pour une démarche.</li></ul>"
            ),
            _callout(
                "tip",
                "Bonne pratique",
                "<p>Convenez dès la première rencontre des objectifs, de la fréquence des "
                "rencontres et de la façon de se joindre. Au moins quatre rencontres sont "
                "recommandées, par exemple une heure toutes les quatre à six semaines.</p>",
            ),
            _case(
                "Un jumelage qui s'essouffle",
                "<p>Après deux rencontres, la personne mentorée annule les suivantes. Le "
                "mentor pense qu'elle n'est plus intéressée.</p>",
                [
                    "Qu'est-ce qui a pu être mal défini au départ?",
                    "Qui devrait prendre contact, et comment?",
                ],
                "<p>Le personnel du programme fait un suivi auprès des deux personnes, sans "
                "jugement, pour clarifier les attentes et ajuster la fréquence.</p>",
            ),
            _question(
                "single_choice",
                "Combien de rencontres sont recommandées, au minimum, pendant un jumelage?",
                [
                    (
                        "Une seule, au besoin",
                        False,
                        "Une rencontre ne suffit pas à bâtir la confiance.",
                    ),
                    (
                        "Au moins quatre",
                        True,
                        "Exact : par exemple une heure toutes les 4 à 6 semaines.",
                    ),
                    (
                        "Une par semaine, obligatoirement",
                        False,
                        "La fréquence se convient entre les deux personnes.",
                    ),
                ],
            ),
            _question(
                "multiple_choice",
                "Quels attributs le personnel du programme devrait-il modeler?",
                [
                    ("Être cohérent", True, "Oui : la cohérence rassure les participants."),
                    ("Être réactif", True, "Oui : répondre vite soutient le jumelage."),
                    (
                        "Décider à la place du mentor",
                        False,
                        "Non : le personnel soutient, il ne remplace pas.",
                    ),
                    (
                        "Fournir une structure appropriée",
                        True,
                        "Oui : la structure aide la relation à durer.",
                    ),
                ],
            ),
            _question(
                "single_choice",
                "Un jumelage s'essouffle. Que fait d'abord le personnel du programme?",
                [
                    (
                        "Il met fin au jumelage",
                        False,
                        "Trop tôt : on cherche d'abord à comprendre.",
                    ),
                    (
                        "Il fait un suivi auprès des deux personnes",
                        True,
                        "Exact : clarifier les attentes d'abord.",
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "travailler-avec-la-protection-de-la-jeunesse",
        "title": "Travailler avec les intervenants de la protection de la jeunesse",
        "summary": (
            "Comment le mentorat s'intègre dans la vie d'un jeune qui reçoit des services de "
            "protection, et comment collaborer avec son intervenante ou son intervenant social."
        ),
        "estimated_minutes": 40,
        "audience": ("mentors", "staff"),
        "pass_mark": 60,
        "validity_months": None,
        "body": [
            _p(
                "<p>Le personnel du programme collabore avec les services de protection de "
                "l'enfance pour que les intervenants sociaux connaissent le programme et ses "
                "attentes. Le mentorat peut aider les intervenants à atteindre leurs objectifs "
                "pour les jeunes dont ils s'occupent.</p>"
            ),
            _callout(
                "warning",
                "Jamais une sanction",
                "<p>Le mentorat ne doit jamais être retiré pour sanctionner ou punir le jeune. "
                "Il est clairement inscrit dans la liste des services offerts au jeune.</p>",
            ),
            _p(
                "<h2>Ce que l'on convient avec l'intervenant</h2><ul><li>Évaluer si le jeune "
                "est prêt, et quel mentorat lui convient (individuel ou de groupe).</li><li>Ce "
                "qui peut et doit être partagé avec le mentor, et ses limites.</li><li>Avertir "
                "le mentor de tout changement de placement ou de situation du jeune.</li><li>Des "
                "procédures pour que le jumelage continue si le jeune change d'agence.</li></ul>"
            ),
            _case(
                "Un changement de placement",
                "<p>Le jeune que vous accompagnez change de famille d'accueil et d'agence. "
                "La nouvelle agence ne sait rien du jumelage.</p>",
                ["Qui doit informer qui?", "Comment éviter que la relation s'interrompe?"],
                "<p>L'intervenant avertit le mentor; le programme transmet l'information sur "
                "le jumelage à la nouvelle agence, selon l'entente de partage convenue.</p>",
            ),
            _question(
                "single_choice",
                "Le jeune a enfreint une règle de son foyer. Peut-on suspendre son mentorat?",
                [
                    (
                        "Oui, pour quelques semaines",
                        False,
                        "Non : le mentorat n'est jamais une sanction.",
                    ),
                    (
                        "Non, le mentorat n'est jamais retiré pour punir",
                        True,
                        "Le soutien du mentor continue, quoi qu'il arrive.",
                    ),
                ],
            ),
            _question(
                "multiple_choice",
                "Que doit faire l'intervenant social lors d'un changement de placement?",
                [
                    ("Avertir le mentor", True, "Oui : le mentor doit savoir ce qui change."),
                    (
                        "Noter le jumelage au dossier du jeune",
                        True,
                        "Oui : la nouvelle équipe en sera informée.",
                    ),
                    ("Mettre fin au jumelage", False, "Non : on cherche à ce qu'il se poursuive."),
                ],
            ),
        ],
    },
    {
        "slug": "differences-culturelles",
        "title": "Les différences culturelles dans la relation de mentorat",
        "summary": ("Reconnaître ses propres repères culturels et adapter sa façon d'accompagner."),
        "estimated_minutes": 25,
        "audience": ("mentors", "mentees", "staff", "managers"),
        "pass_mark": 60,
        "validity_months": None,
        "body": [
            _p(
                "<p>La formation du personnel porte aussi sur les différences culturelles : "
                "elle le rend mieux à même de soutenir efficacement les jumelages. Chacun "
                "arrive avec ses repères : rapport au temps, à l'autorité, à la famille, façon "
                "de demander de l'aide.</p>"
            ),
            _callout(
                "info",
                "À retenir",
                "<p>Posez des questions ouvertes plutôt que de supposer. Ce qui vous semble "
                "un manque d'engagement peut être une autre façon de faire.</p>",
            ),
            _question(
                "single_choice",
                "La personne mentorée arrive souvent en retard. Quelle est la meilleure "
                "première réaction?",
                [
                    (
                        "En parler ouvertement pour comprendre",
                        True,
                        "Exact : on cherche d'abord à comprendre.",
                    ),
                    (
                        "Signaler un manque d'engagement",
                        False,
                        "Trop rapide : le rapport au temps varie.",
                    ),
                ],
            ),
            _question(
                "multiple_choice",
                "Quelles attitudes aident à tenir compte des différences culturelles?",
                [
                    (
                        "Poser des questions ouvertes",
                        True,
                        "Elles laissent la personne dire ce qui compte pour elle.",
                    ),
                    (
                        "Reconnaître ses propres repères",
                        True,
                        "Nos repères ne sont pas ceux de tout le monde.",
                    ),
                    (
                        "Appliquer la même approche à tout le monde",
                        False,
                        "Non : on adapte sa façon d'accompagner.",
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "jeunes-lgbt2sq",
        "title": "Accompagner les jeunes LGBT2SQ (formation continue)",
        "summary": (
            "Le personnel qui travaille avec des jeunes LGBT2SQ suit une formation continue : "
            "ce module est à refaire chaque année."
        ),
        "estimated_minutes": 45,
        "audience": ("mentors", "staff"),
        "pass_mark": 80,
        "validity_months": 12,
        "body": [
            _p(
                "<p>Le personnel travaillant avec des jeunes LGBT2SQ doit suivre des "
                "formations continues sur les questions qui les concernent. Le programme "
                "envisage un partenariat avec des organismes qui leur viennent en aide; de "
                "nombreuses ressources sont accessibles en ligne ou dans la communauté.</p>"
            ),
            _callout(
                "tip",
                "Formation continue",
                "<p>Votre attestation est valide douze mois. Un rappel s'affiche dans votre "
                "espace trente jours avant son échéance.</p>",
            ),
            _p(
                "<h2>Des repères</h2><ul><li>Utiliser le prénom et les pronoms que la personne "
                "indique.</li><li>Respecter la confidentialité : ne jamais dévoiler "
                "l'orientation ou l'identité d'un jeune sans son accord.</li><li>Connaître les "
                "ressources de soutien de la région.</li></ul>"
            ),
            _question(
                "single_choice",
                "À quelle fréquence ce module doit-il être refait?",
                [
                    ("Jamais, une fois suffit", False, "Non : il s'agit d'une formation continue."),
                    ("Chaque année", True, "Exact : l'attestation est valide douze mois."),
                ],
            ),
            _question(
                "single_choice",
                "Un jeune vous confie son orientation. Pouvez-vous en parler à son intervenant?",
                [
                    ("Oui, c'est utile au dossier", False, "Non : pas sans son accord."),
                    (
                        "Seulement avec son accord",
                        True,
                        "Exact : la confidentialité est essentielle.",
                    ),
                ],
            ),
            _question(
                "multiple_choice",
                "Quelles pratiques sont attendues?",
                [
                    (
                        "Utiliser les pronoms indiqués par la personne",
                        True,
                        "C'est une marque de respect simple et attendue.",
                    ),
                    (
                        "Connaître les ressources de soutien",
                        True,
                        "On peut y orienter le jeune au besoin.",
                    ),
                    (
                        "Deviner l'identité d'un jeune d'après son apparence",
                        False,
                        "Non : on ne suppose pas.",
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "responsabilites-mentor-mentore",
        "title": "Les responsabilités du mentor et de la personne mentorée",
        "summary": (
            "L'entente de mentorat : ce à quoi chacun s'engage, et les délais de réponse convenus."
        ),
        "estimated_minutes": 20,
        "audience": ("mentors", "mentees"),
        "pass_mark": 60,
        "validity_months": None,
        "body": [
            _p(
                "<p>La réussite d'une relation de mentorat dépend d'une entente qui implique "
                "des responsabilités de part et d'autre.</p><h2>La personne mentorée</h2><ul>"
                "<li>S'engage pleinement dans la démarche.</li><li>Précise ses besoins, en "
                "indiquant ce qui doit être répondu rapidement (un client en attente).</li>"
                "<li>Fait confiance au mentor et ne craint pas d'exposer ses lacunes.</li><li>"
                "Contacte le mentor au besoin, en sachant qu'un délai de 24 à 48 heures est "
                "acceptable.</li><li>Respecte l'entente sur la fréquence des rencontres.</li>"
                "</ul><h2>Le mentor</h2><ul><li>Écoute attentivement les besoins exprimés."
                "</li><li>Convient des objectifs avec la personne mentorée.</li><li>Répond aux "
                "besoins urgents dans un délai de 24 à 48 heures.</li><li>Propose plusieurs "
                "stratégies d'apprentissage, pouvant impliquer plus d'un mentor.</li><li>Définit "
                "clairement sa contribution et celle des autres mentors.</li></ul>"
            ),
            _callout(
                "info",
                "Le premier contact",
                "<p>Le mentor communique avec la personne mentorée dans les 48 à 72 heures "
                "qui suivent l'assignation.</p>",
            ),
            _question(
                "single_choice",
                "Dans quel délai le mentor communique-t-il avec la personne mentorée après "
                "l'assignation?",
                [
                    (
                        "Dans la journée",
                        False,
                        "Plus tôt que nécessaire : le délai convenu est de 48 à 72 heures.",
                    ),
                    (
                        "Dans les 48 à 72 heures",
                        True,
                        "C'est le délai convenu après l'assignation.",
                    ),
                    (
                        "Dans les deux semaines",
                        False,
                        "Trop long : le délai convenu est de 48 à 72 heures.",
                    ),
                ],
            ),
            _question(
                "multiple_choice",
                "Quelles sont des responsabilités de la personne mentorée?",
                [
                    (
                        "Préciser ses besoins",
                        True,
                        "Le mentor peut alors cibler son soutien.",
                    ),
                    (
                        "Respecter la fréquence des rencontres convenue",
                        True,
                        "La régularité fait avancer la relation.",
                    ),
                    (
                        "Exiger une réponse dans l'heure",
                        False,
                        "Non : 24 à 48 heures est acceptable.",
                    ),
                ],
            ),
        ],
    },
]


# English translations of the modules, keyed by the French module's slug. The body keeps
# the French block order, so questions and choices get the same ids in both languages.
MODULES_EN = {
    "difficultes-et-meilleures-pratiques": {
        "slug": "difficulties-and-best-practices",
        "title": "The difficulties and best practices of mentoring",
        "summary": (
            "What makes a pairing succeed, what weakens it, and the role of programme staff "
            "at each stage of the relationship."
        ),
        "body": [
            _p(
                "<p>The staff who recruit, select, train, pair and follow up participants "
                "support the mentoring relationship at each stage of its development. Ideally, "
                "they model the qualities they want to see in mentors: being consistent, "
                "attentive and responsive, and providing the right structure and direction.</p>"
            ),
            _p(
                "<h2>Common difficulties</h2><ul><li>Unclear expectations on both sides: "
                "nobody knows what they are committing to.</li><li>Meetings too far apart: the "
                "relationship runs out of steam.</li><li>A mentor asked only for quick answers "
                "rather than for a learning process.</li></ul>"
            ),
            _callout(
                "tip",
                "Good practice",
                "<p>At the first meeting, agree on the goals, how often you will meet and how "
                "to reach each other. At least four meetings are recommended, for example one "
                "hour every four to six weeks.</p>",
            ),
            _case(
                "A pairing running out of steam",
                "<p>After two meetings, the mentee cancels the next ones. The mentor thinks "
                "she is no longer interested.</p>",
                [
                    "What may have been poorly defined at the start?",
                    "Who should get in touch, and how?",
                ],
                "<p>Programme staff follow up with both people, without judgement, to clarify "
                "expectations and adjust how often they meet.</p>",
            ),
            _question(
                "single_choice",
                "How many meetings are recommended, at least, during a pairing?",
                [
                    ("Just one, as needed", False, "One meeting is not enough to build trust."),
                    ("At least four", True, "Right: for example one hour every 4 to 6 weeks."),
                    (
                        "One a week, without exception",
                        False,
                        "How often to meet is agreed between the two people.",
                    ),
                ],
            ),
            _question(
                "multiple_choice",
                "Which qualities should programme staff model?",
                [
                    ("Being consistent", True, "Yes: consistency reassures participants."),
                    ("Being responsive", True, "Yes: answering quickly supports the pairing."),
                    (
                        "Deciding in the mentor's place",
                        False,
                        "No: staff support the mentor, they do not replace them.",
                    ),
                    (
                        "Providing the right structure",
                        True,
                        "Yes: structure helps the relationship last.",
                    ),
                ],
            ),
            _question(
                "single_choice",
                "A pairing is running out of steam. What do programme staff do first?",
                [
                    ("They end the pairing", False, "Too soon: first, try to understand."),
                    (
                        "They follow up with both people",
                        True,
                        "Right: clarify expectations first.",
                    ),
                ],
            ),
        ],
    },
    "travailler-avec-la-protection-de-la-jeunesse": {
        "slug": "working-with-youth-protection",
        "title": "Working with youth protection workers",
        "summary": (
            "How mentoring fits into the life of a young person receiving protection "
            "services, and how to work with their social worker."
        ),
        "body": [
            _p(
                "<p>Programme staff work with child protection services so that social "
                "workers know the programme and what it expects. Mentoring can help workers "
                "reach their goals for the young people in their care.</p>"
            ),
            _callout(
                "warning",
                "Never a sanction",
                "<p>Mentoring must never be withdrawn to sanction or punish the young person. "
                "It is clearly listed among the services offered to them.</p>",
            ),
            _p(
                "<h2>What to agree on with the social worker</h2><ul><li>Whether the young "
                "person is ready, and which mentoring suits them (one-to-one or group).</li>"
                "<li>What can and must be shared with the mentor, and its limits.</li><li>"
                "Telling the mentor about any change in the young person's placement or "
                "situation.</li><li>Procedures so the pairing continues if the young person "
                "changes agency.</li></ul>"
            ),
            _case(
                "A change of placement",
                "<p>The young person you support moves to another foster family and another "
                "agency. The new agency knows nothing about the pairing.</p>",
                ["Who must tell whom?", "How can the relationship be kept from breaking off?"],
                "<p>The social worker tells the mentor; the programme passes the information "
                "about the pairing on to the new agency, under the agreed sharing agreement.</p>",
            ),
            _question(
                "single_choice",
                "The young person broke a rule of their home. Can their mentoring be suspended?",
                [
                    ("Yes, for a few weeks", False, "No: mentoring is never a sanction."),
                    (
                        "No, mentoring is never withdrawn as a punishment",
                        True,
                        "Right: it stays among the services offered.",
                    ),
                ],
            ),
            _question(
                "multiple_choice",
                "What should the social worker do when the placement changes?",
                [
                    ("Tell the mentor", True, "Yes: the mentor needs to know what changes."),
                    (
                        "Note the pairing in the young person's file",
                        True,
                        "Yes: the new team will be informed.",
                    ),
                    ("End the pairing", False, "No: the aim is for it to continue."),
                ],
            ),
        ],
    },
    "differences-culturelles": {
        "slug": "cultural-differences",
        "title": "Cultural differences in the mentoring relationship",
        "summary": "Recognising your own cultural bearings and adapting the way you support.",
        "body": [
            _p(
                "<p>Staff training also covers cultural differences: it helps staff support "
                "pairings effectively. Everyone comes with their own bearings: how they relate "
                "to time, to authority, to family, how they ask for help.</p>"
            ),
            _callout(
                "info",
                "Remember",
                "<p>Ask open questions rather than assume. What looks like a lack of "
                "commitment may be another way of doing things.</p>",
            ),
            _question(
                "single_choice",
                "The mentee often arrives late. What is the best first reaction?",
                [
                    (
                        "Talk about it openly to understand",
                        True,
                        "Right: first, try to understand.",
                    ),
                    (
                        "Report a lack of commitment",
                        False,
                        "Too quick: how people relate to time varies.",
                    ),
                ],
            ),
            _question(
                "multiple_choice",
                "Which attitudes help take cultural differences into account?",
                [
                    ("Asking open questions", True, "Yes: they let the person explain."),
                    (
                        "Recognising your own bearings",
                        True,
                        "Yes: they shape what you expect of others.",
                    ),
                    (
                        "Using the same approach with everyone",
                        False,
                        "No: adapt the way you support.",
                    ),
                ],
            ),
        ],
    },
    "jeunes-lgbt2sq": {
        "slug": "lgbt2sq-youth",
        "title": "Supporting LGBT2SQ youth (continuing training)",
        "summary": (
            "Staff who work with LGBT2SQ youth take continuing training: this module is to "
            "be taken again every year."
        ),
        "body": [
            _p(
                "<p>Staff who work with LGBT2SQ youth must take continuing training on the "
                "issues that concern them. The programme is considering partnerships with "
                "organisations that help them; many resources are available online or in the "
                "community.</p>"
            ),
            _callout(
                "tip",
                "Continuing training",
                "<p>Your certificate is valid for twelve months. A reminder appears in your "
                "space thirty days before it expires.</p>",
            ),
            _p(
                "<h2>Guidelines</h2><ul><li>Use the first name and pronouns the person gives."
                "</li><li>Respect confidentiality: never disclose a young person's orientation "
                "or identity without their consent.</li><li>Know the support resources in the "
                "region.</li></ul>"
            ),
            _question(
                "single_choice",
                "How often must this module be taken again?",
                [
                    ("Never, once is enough", False, "No: this is continuing training."),
                    ("Every year", True, "Right: the certificate is valid for twelve months."),
                ],
            ),
            _question(
                "single_choice",
                "A young person tells you their orientation. May you tell their social worker?",
                [
                    ("Yes, it is useful for the file", False, "No: not without their consent."),
                    ("Only with their consent", True, "Right: confidentiality is essential."),
                ],
            ),
            _question(
                "multiple_choice",
                "Which practices are expected?",
                [
                    (
                        "Using the pronouns the person gives",
                        True,
                        "Yes: it shows respect for who they are.",
                    ),
                    (
                        "Knowing the support resources",
                        True,
                        "Yes: you can refer the young person.",
                    ),
                    (
                        "Guessing a young person's identity from their appearance",
                        False,
                        "No: never assume.",
                    ),
                ],
            ),
        ],
    },
    "responsabilites-mentor-mentore": {
        "slug": "mentor-and-mentee-responsibilities",
        "title": "The responsibilities of the mentor and the mentee",
        "summary": (
            "The mentoring agreement: what each person commits to, and the agreed response times."
        ),
        "body": [
            _p(
                "<p>A successful mentoring relationship depends on an agreement with "
                "responsibilities on both sides.</p><h2>The mentee</h2><ul><li>Commits fully "
                "to the process.</li><li>States their needs, saying what must be answered "
                "quickly (a client waiting).</li><li>Trusts the mentor and is not afraid to "
                "show their gaps.</li><li>Contacts the mentor as needed, knowing that 24 to 48 "
                "hours is an acceptable delay.</li><li>Keeps to the agreed meeting frequency."
                "</li></ul><h2>The mentor</h2><ul><li>Listens carefully to the needs "
                "expressed.</li><li>Agrees on the goals with the mentee.</li><li>Answers "
                "urgent needs within 24 to 48 hours.</li><li>Offers several learning "
                "strategies, which may involve more than one mentor.</li><li>Clearly defines "
                "their contribution and that of the other mentors.</li></ul>"
            ),
            _callout(
                "info",
                "The first contact",
                "<p>The mentor contacts the mentee within 48 to 72 hours of the assignment.</p>",
            ),
            _question(
                "single_choice",
                "How soon after the assignment does the mentor contact the mentee?",
                [
                    ("The same day", False, "Not required: the agreed time is 48 to 72 hours."),
                    ("Within 48 to 72 hours", True, "Right: that is the agreed time."),
                    ("Within two weeks", False, "Too long: the agreed time is 48 to 72 hours."),
                ],
            ),
            _question(
                "multiple_choice",
                "Which are responsibilities of the mentee?",
                [
                    ("Stating their needs", True, "Yes: the mentor can then help."),
                    (
                        "Keeping to the agreed meeting frequency",
                        True,
                        "Yes: it is part of the agreement.",
                    ),
                    (
                        "Demanding an answer within the hour",
                        False,
                        "No: 24 to 48 hours is acceptable.",
                    ),
                ],
            ),
        ],
    },
}


PATH = {
    "title": "Avant votre premier jumelage",
    "slug": "avant-votre-premier-jumelage",
    "intro": (
        "<p>Les modules à suivre avant d'être jumelé, dans l'ordre proposé. Le mentorat "
        "recommande au moins deux heures de formation avant un premier jumelage.</p>"
    ),
    "modules": [
        "responsabilites-mentor-mentore",
        "difficultes-et-meilleures-pratiques",
        "differences-culturelles",
        "travailler-avec-la-protection-de-la-jeunesse",
    ],
}

PATH_EN = {
    "title": "Before your first pairing",
    "slug": "before-your-first-pairing",
    "intro": (
        "<p>The modules to take before being paired, in the suggested order. Mentoring "
        "recommends at least two hours of training before a first pairing.</p>"
    ),
}

SESSION = {
    "title": "Atelier : les différences culturelles en mentorat",
    "module": "differences-culturelles",
    "description": (
        "Atelier offert à la demande des personnes mentorées : études de cas et échanges, "
        "animé par l'équipe du programme."
    ),
    "place": "CLSC de Limoilou, salle 204",
    "capacity": 8,
}


def _publish(page):
    page.save_revision().publish()
    return page


def ensure_index(home_page, locale=None):
    """The training index under ``home_page`` (or under its translation in ``locale``),
    made by ``mentorat_setup`` in every content language, as on any host."""
    index = TrainingIndexPage.objects.child_of(home_page).first()
    if index is None:
        setup.ensure_pages(home_page, setup.Report())
        index = TrainingIndexPage.objects.child_of(home_page).get()
    if locale is None:
        return index
    translation = index.get_translation_or_none(locale)
    return translation and translation.specific


def ensure_modules(index):
    modules = {}
    for spec in MODULES:
        module = TrainingModulePage.objects.child_of(index).filter(slug=spec["slug"]).first()
        if module is None:
            module = index.add_child(
                instance=TrainingModulePage(
                    locale=index.locale,
                    title=spec["title"],
                    slug=spec["slug"],
                    summary=spec["summary"],
                    estimated_minutes=spec["estimated_minutes"],
                    for_mentors="mentors" in spec["audience"],
                    for_mentees="mentees" in spec["audience"],
                    for_staff="staff" in spec["audience"],
                    for_managers="managers" in spec["audience"],
                    pass_mark=spec["pass_mark"],
                    validity_months=spec["validity_months"],
                    body=_body(spec["slug"], spec["body"]),
                )
            )
            _publish(module)
        modules[spec["slug"]] = module
    return modules


def ensure_path(index, modules):
    path = LearningPathPage.objects.child_of(index).filter(slug=PATH["slug"]).first()
    if path is None:
        path = LearningPathPage(
            locale=index.locale, title=PATH["title"], slug=PATH["slug"], intro=PATH["intro"]
        )
        path.path_modules = [
            LearningPathModule(module=modules[slug], sort_order=order)
            for order, slug in enumerate(PATH["modules"])
        ]
        index.add_child(instance=path)
        _publish(path)
    return path


def _translate(page, locale, fields):
    """``page``'s translation in ``locale``, made once with ``fields`` and published; a
    translation already there (an editor may have reworded it) is left as it is."""
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.specific, False
    translation = page.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(translation, name, value)
    return translation, True


def ensure_english(home_page, modules, path):
    """The English training: the modules and the learning path, translations of the
    French ones (same translation keys, same question ids)."""
    english = Locale.objects.filter(language_code="en").first()
    if english is None or ensure_index(home_page, english) is None:
        return {}
    translated = {}
    for slug, module in modules.items():
        spec = MODULES_EN[slug]
        page, created = _translate(
            module,
            english,
            {
                "title": spec["title"],
                "slug": spec["slug"],
                "summary": spec["summary"],
                # The French slug: the same question and choice ids as the French module.
                "body": _body(slug, spec["body"]),
            },
        )
        if created:
            _publish(page)
        translated[slug] = page
    path_en, created = _translate(
        path, english, {name: PATH_EN[name] for name in ("title", "slug", "intro")}
    )
    if created:
        path_en.path_modules = [
            LearningPathModule(module=translated[slug], sort_order=order)
            for order, slug in enumerate(PATH["modules"])
        ]
        _publish(path_en)
    return {"modules_en": translated, "path_en": path_en}


def ensure_session(modules):
    session = TrainingSession.objects.filter(title=SESSION["title"]).first()
    if session is None:
        starts = (timezone.localtime() + timedelta(days=21)).replace(
            hour=13, minute=30, second=0, microsecond=0
        )
        session = TrainingSession.objects.create(
            title=SESSION["title"],
            description=SESSION["description"],
            module=modules[SESSION["module"]],
            place=SESSION["place"],
            capacity=SESSION["capacity"],
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
        )
    return session


@transaction.atomic
def build(home_page):
    index = ensure_index(home_page)
    modules = ensure_modules(index)
    path = ensure_path(index, modules)
    session = ensure_session(modules)
    english = ensure_english(home_page, modules, path)
    return {
        "training_index": index,
        "modules": modules,
        "path": path,
        "session": session,
        **english,
    }
