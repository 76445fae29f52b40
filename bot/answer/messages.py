"""Every text of the core that a user reads, in French, in one place."""

from __future__ import annotations

EXAMPLE_QUESTIONS = (
    "Qui a financé Stability AI ?",
    "Pourquoi Emad Mostaque a-t-il démissionné ?",
    "Qu'est-ce que SchellingAI ?",
    "Qui dirige Stability AI après son départ ?",
)

HELP = (
    "Je réponds aux questions sur la saga Emad Mostaque / Stability AI (Stable Diffusion, "
    "les investisseurs, la démission, SchellingAI…) par des extraits d'articles de presse, "
    "chacun avec sa source. Je n'invente rien : si les articles ne disent rien, je le dis.\n"
    "Commandes : « aide » affiche ce message, « sources » liste les articles, « chronologie » "
    "(ou « chronologie 2024 », « chronologie démission ») raconte la saga dans l'ordre."
)
ANSWER = "Voici ce que disent les articles :"
CLOSEST = (
    "Je ne suis pas certain que les articles répondent exactement à cette question ; "
    "voici les passages les plus proches :"
)
SMALL_TALK = (
    "Bonjour ! Je suis emad-bot, un bot : je réponds aux questions sur la saga "
    "Emad Mostaque / Stability AI par des extraits d'articles de presse, chacun avec sa source. "
    "Essayez par exemple :"
)
ENGLISH = "I answer from French news articles, so the passages below are quoted in French."
NOT_FOUND = (
    "Je n'ai rien trouvé dans les articles sur cette question. "
    "Essayez d'autres mots, ou une de ces questions :"
)
EMPTY_QUESTION = "Posez-moi une question sur la saga Emad Mostaque / Stability AI, par exemple :"
SOURCES = "Les articles que je connais ({count}) :"
TRUNCATED = "Votre question était trop longue : seuls ses {limit} premiers caractères ont été lus."
COOLDOWN = "Doucement : vous avez posé beaucoup de questions d'affilée. Réessayez dans {seconds} seconde(s)."
FEEDBACK_THANKS = "Merci pour votre avis !"
DISLIKE_ASK = "Merci ! Qu'est-ce qui n'allait pas ?"
DISLIKE_REASONS = {  # stored key → button label
    "hors_sujet": "Hors sujet",
    "incomplet": "Incomplet",
    "mauvaise_source": "Mauvaise source",
    "autre": "Autre",
}
CHOOSE_BUTTON = "✅ C'est celui-ci ({number})"  # under a hedged answer: which citation answered
CHOICE_THANKS = "Merci : ce choix m'aidera à mieux répondre."
PASSAGE = "Le passage entier :"
PASSAGE_GONE = "Ce passage n'est plus dans les articles (le corpus a changé depuis la réponse)."
FEEDBACK_LOST = "Cet avis n'a pas pu être enregistré (question inconnue ou journal indisponible)."
NOT_IN_CHANNEL = (
    "Je ne peux pas répondre dans ce salon : je n'y suis pas invité. Invitez-moi avec "
    "« /invite @emad-bot », ou posez-moi la question ici. Voici la réponse :"
)
CANNOT_POST_HERE = (
    "Je n'ai pas pu répondre dans ce salon (il me manque peut-être une permission). Voici la réponse :"
)
ERROR = "Désolé, une erreur est survenue pendant la recherche. Réessayez dans un instant."

# Channel lists, hand-off to maintainers, sharing a private answer.
ANSWERS_ONLY_IN = (
    "Je ne réponds pas publiquement {here}. Posez-moi la question dans {channels}, "
    "en message privé, ou avec /emad (réponse visible de vous seul)."
)
ANSWERS_NOWHERE_HERE = (
    "Je ne réponds pas publiquement {here}. Posez-moi la question en message privé, "
    "ou avec /emad (réponse visible de vous seul)."
)
ANSWERS_ELSEWHERE = (
    "Je ne réponds pas publiquement {here}. Mentionnez-moi dans un autre salon, "
    "écrivez-moi en message privé, ou utilisez /emad (réponse visible de vous seul)."
)
ANSWERED_PRIVATELY_HERE = (
    "Je ne réponds pas publiquement dans ce salon : cette réponse n'est visible que de vous."
)
HAND_OFF_REFUSED = "Question sans réponse fiable"
HAND_OFF_DISLIKED = "Réponse jugée mauvaise (👎 : {reason})"
HAND_OFF_WHERE = "posée {where}"
HAND_OFF_IN_DM = "en message privé"
REPLY_KIND_NAMES = {  # how the maintainers read a reply's kind
    "answer": "réponse sûre",
    "closest": "réponse prudente (passages les plus proches)",
    "not_found": "refus (rien de fiable dans les articles)",
}
SHARE_BUTTON = "📣 Partager dans le salon"
SHARED_BY = "partagé par {name}"
SHARED = "Réponse partagée dans le salon."
SHARE_ALREADY = "Cette réponse a déjà été partagée."
SHARE_EXPIRED = (
    "Cette réponse ne peut plus être partagée (trop ancienne, ou le bot a redémarré) : reposez la question."
)
SHARE_NOT_HERE = "Je ne peux pas partager de réponse publiquement dans ce salon."
SHARE_FAILED = "Le partage a échoué : je n'ai pas pu écrire dans ce salon."
SHARE_UNSURE = "Le partage n'a peut-être pas abouti (Slack ou Discord n'a pas répondu) : regardez le salon."

TIMELINE = "La saga dans l'ordre, d'après les articles ({count} événement(s) datés) :"
TIMELINE_FILTERED = "La saga dans l'ordre, d'après les articles ({filter}, {count} événement(s)) :"
TIMELINE_EMPTY = (
    "Aucun événement daté dans les articles pour « {filter} ». Essayez « chronologie » seul, "
    "ou une année (« chronologie 2024 »)."
)
TIMELINE_MORE = (
    "… et {count} autre(s) : précisez, par exemple « chronologie 2024 » ou « chronologie démission »."
)

TIMELINE_COMMANDS = frozenset({"chronologie", "timeline", "/chronologie", "!chronologie"})
HELP_COMMANDS = frozenset({"aide", "help", "?", "/aide", "!aide"})
SOURCES_COMMANDS = frozenset({"sources", "source", "/sources", "!sources"})
