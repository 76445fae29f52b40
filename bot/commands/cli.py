"""`emad-bot`: the terminal harness, and the entry point of every platform.

Platforms add their sub-commands through the `emad_bot.commands` entry points
(see pyproject.toml), so the core never imports an adapter, and `ask`, `chat`,
`sources` and `eval` start without loading discord.py or slack-bolt.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from pydantic import ValidationError

from bot.answer.core import Core
from bot.answer.messages import DISLIKE_REASONS
from bot.bootstrap import build_core, serving_settings
from bot.commands.evaluation import evaluate, read_cases
from bot.commands.log_format import configure_logging
from bot.commands.terminal import render_reply, reply_to_dict
from bot.extras import MissingExtra, require
from bot.models import Query, Reply, ReplyKind
from bot.settings import BotSettings, StartupError, settings_error

CHAT_PROMPT = "Votre question (« aide », « sources », Ctrl-D pour quitter) > "
UNREADABLE_LINE = (
    "Ligne {number} illisible : ce n'est pas du texte UTF-8 (octet invalide en position {position}). "
    "Les autres lignes sont traitées."
)


CoreLoader = Callable[[], Core]  # builds the core (corpus, index) when a command needs it


def _ask(load: CoreLoader, args: argparse.Namespace) -> int:
    engine = load().engine
    if not args.question and not args.json:
        print('Donnez une question : emad-bot ask "Qui a financé Stability AI ?"', file=sys.stderr)
        return 2
    if args.question:
        replies: Iterator[Reply] = iter([engine.answer(Query(" ".join(args.question)))])
    else:
        replies = (engine.answer(Query(q)) if isinstance(q, str) else q for q in _stdin_questions())
    for reply in replies:
        if args.json:
            print(json.dumps(reply_to_dict(reply), ensure_ascii=False), flush=True)
        else:
            print(render_reply(reply, color=use_colour()))
    return 0


def _stdin_questions() -> Iterator[str | Reply]:
    """Each line of standard input as it arrives (not after the last one), decoded as
    UTF-8; a line that is not UTF-8 becomes an error reply, and the others go on."""
    for number, raw in enumerate(iter(sys.stdin.buffer.readline, b""), start=1):
        try:
            yield raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as error:
            yield Reply(ReplyKind.ERROR, UNREADABLE_LINE.format(number=number, position=error.start))


def _chat(load: CoreLoader, args: argparse.Namespace, answer: Callable[[Query], Reply] | None = None) -> int:
    """The interactive session; `answer` is the service's when `emad-bot run` falls back
    to it (so questions are logged as on every platform), else the engine's."""
    ask = answer or load().engine.answer
    color = use_colour()
    print(render_reply(ask(Query("aide")), color=color))
    while True:
        try:
            question = input(f"\n{CHAT_PROMPT}")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        print(render_reply(ask(Query(question)), color=color))


def _sources(load: CoreLoader, args: argparse.Namespace) -> int:
    print(render_reply(load().engine.answer(Query("sources"))))
    return 0


def _env_example(load: CoreLoader, args: argparse.Namespace) -> int:  # needs no corpus
    from importlib.resources import files

    sys.stdout.write(files("bot.data").joinpath("env.example").read_text(encoding="utf-8"))
    return 0


def _add(load: CoreLoader, args: argparse.Namespace) -> int:  # needs no index
    from bot.commands.add_article import add_article

    return add_article(args, args.settings)


def _timeline(load: CoreLoader, args: argparse.Namespace) -> int:
    if args.image is not None:
        require("matplotlib", "picture", "chronologie --image")
    command = " ".join(["chronologie", *args.filter])
    reply = load().engine.answer(Query(command))
    print(render_reply(reply, color=use_colour()))
    if args.image is not None:
        from bot.answer.timeline_picture import timeline_png

        args.image.write_bytes(timeline_png(reply.timeline))
        print(f"Image : {args.image}")
    return 0


def _eval(load: CoreLoader, args: argparse.Namespace) -> int:
    try:
        cases = read_cases(args.file)
    except (OSError, ValueError) as error:
        print(f"Jeu de questions illisible : {error}", file=sys.stderr)
        return 2
    result = evaluate(load().engine, cases)
    print(result.report())
    for question in result.misses:
        print(f"  manquée : {question}")
    return 0


def _train(load: CoreLoader, args: argparse.Namespace) -> int:
    require("sklearn", "train", "emad-bot train")
    from bot.bootstrap import build_core
    from bot.commands.train import TRAINING_FILES, train
    from bot.selector.model import Selector, shipped_model_path

    files = args.files or [Path(name) for name in TRAINING_FILES]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        print(f"Fichiers de questions introuvables : {', '.join(missing)}", file=sys.stderr)
        return 2
    engine = build_core(args.settings, Selector.untrained()).engine
    train(engine, files, args.out or args.settings.selector_model or shipped_model_path())
    return 0


def _learn(load: CoreLoader, args: argparse.Namespace) -> int:
    import sqlite3

    require("sklearn", "train", "emad-bot learn")
    from bot.bootstrap import build_core
    from bot.commands.learn import learn
    from bot.commands.train import TRAINING_FILES
    from bot.selector.model import Selector, shipped_model_path
    from bot.service.question_log import QuestionLog

    path = serving_settings().database_path
    if not path.is_file():
        print(f"Pas de journal des questions ici ({path}, réglage BOT_DATABASE_PATH).", file=sys.stderr)
        return 1
    try:
        labels = QuestionLog(path).window_labels()
    except (sqlite3.Error, OSError) as error:
        print(f"Journal des questions illisible ({path}) : {error}", file=sys.stderr)
        return 1
    files = [Path(name) for name in TRAINING_FILES]
    if missing := [str(f) for f in files if not f.is_file()]:
        print(f"Fichiers de questions introuvables : {', '.join(missing)}", file=sys.stderr)
        return 2
    installed = Selector.load(args.settings.selector_model)
    engine = build_core(args.settings, installed).engine
    out = args.settings.selector_model or shipped_model_path()
    learn(engine, files, labels, installed, out)
    return 0


def _bench(load: CoreLoader, args: argparse.Namespace) -> int:
    for module in ("bm25s", "numba", "matplotlib"):
        require(module, "bench", "emad-bot bench")
    from bot.commands.benchmark import run_benchmark

    sizes = [int(size) for size in args.sizes.split(",")]
    print(run_benchmark(sizes, args.questions, args.out, baselines=not args.no_baselines))
    return 0


def _run(load: CoreLoader, args: argparse.Namespace) -> int:
    from bot.bootstrap import serve

    core = load()

    def terminal(answer: Callable[[Query], Reply]) -> int:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a service manager's stop: exit 0
        return _chat(lambda: core, args, answer)

    return serve(core, terminal)


STATS_LINE_CHARS = 100


def _one_line(question: str) -> str:
    """A logged question on one line, cut with « … » past `STATS_LINE_CHARS`."""
    line = " ".join(question.split())
    return line if len(line) <= STATS_LINE_CHARS else line[: STATS_LINE_CHARS - 1].rstrip() + "…"


def _since(value: str) -> float:
    """`7d`, `30d` (days back from now) or `AAAA-MM-JJ`, as a timestamp."""
    import datetime as dt
    import time

    if value[:-1].isdigit() and value.endswith("d"):
        return time.time() - int(value[:-1]) * 86_400
    try:
        return dt.datetime.fromisoformat(value).timestamp()
    except ValueError:
        raise argparse.ArgumentTypeError(f"« {value} » : écrivez 7d, 30d ou une date AAAA-MM-JJ") from None


def _stats(load: CoreLoader, args: argparse.Namespace) -> int:  # needs no corpus
    import json
    import sqlite3

    from bot.service.question_log import QuestionLog

    if args.image is not None:
        require("matplotlib", "picture", "stats --image")
    path = serving_settings().database_path
    if not path.is_file():
        print(f"Pas encore de journal des questions ici ({path}, réglage BOT_DATABASE_PATH) : "
              "rien à compter.", file=sys.stderr)  # fmt: skip
        return 0
    try:
        log = QuestionLog(path)
        stats = log.stats(limit=args.limit, since=args.since, platform=args.platform)
        per_day = log.per_day(args.since, args.platform) if args.image is not None else []
    except (sqlite3.Error, OSError) as error:
        print(f"Journal des questions illisible ({path}) : {error}", file=sys.stderr)
        return 1
    if args.image is not None:
        from bot.commands.stats_picture import stats_png

        args.image.write_bytes(stats_png(per_day, stats.unanswered))
        print(f"Image : {args.image}", file=sys.stderr if args.json else sys.stdout)  # JSON stays clean
    if args.json:
        print(json.dumps({
            "most_asked": [{"question": q, "count": n} for q, n in stats.most_asked],
            "unanswered": [{"question": q, "count": n} for q, n in stats.unanswered],
            "worst_rated": [{"question": q, "up": u, "down": d} for q, u, d in stats.worst_rated],
            "reasons": [{"reason": r, "count": n} for r, n in stats.reasons],
        }, ensure_ascii=False, indent=1))  # fmt: skip
        return 0
    sections = [
        ("Questions les plus posées", [f"{n} × {_one_line(q)}" for q, n in stats.most_asked]),
        ("Sans réponse (articles à ajouter ?)", [f"{n} × {_one_line(q)}" for q, n in stats.unanswered]),
        ("Réponses les moins bien notées",
         [f"👍 {up} 👎 {down} — {_one_line(q)}" for q, up, down in stats.worst_rated]),
        ("Raisons des 👎", [f"{n} × {DISLIKE_REASONS.get(r, r)}" for r, n in stats.reasons]),
    ]  # fmt: skip
    for title, lines in sections:
        print(f"\n{title} :")
        print("\n".join(f"  {line}" for line in lines) or "  (aucune)")
    return 0


def build_parser(with_platforms: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="emad-bot",
        description="Réponses citées sur la saga Emad Mostaque / Stability AI.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMANDE")
    ask = commands.add_parser("ask", help="répondre à une question et quitter")
    ask.add_argument("question", nargs="*", help="la question (sinon, --json lit stdin)")
    ask.add_argument("--json", action="store_true", help="une réponse JSON par question")
    ask.set_defaults(handler=_ask)
    commands.add_parser("chat", help="session interactive").set_defaults(handler=_chat)
    commands.add_parser("sources", help="lister les articles").set_defaults(handler=_sources)
    add = commands.add_parser("add", help="ajouter un article de presse au corpus, depuis son lien")
    add.add_argument("source", help="le lien de l'article (http/https), ou une page enregistrée (.html)")
    add.add_argument("--url", help="le lien à noter pour une page enregistrée")
    add.add_argument("--lang", help="la langue attendue (défaut : fr)")
    add.add_argument("--yes", action="store_true", help="ajouter sans demander de confirmation")
    add.add_argument("--timeout", type=float, help="secondes pour toute la page (défaut : BOT_FETCH_SECONDS)")
    add.set_defaults(handler=_add)
    timeline = commands.add_parser("chronologie", help="la saga dans l'ordre, datée et citée")
    timeline.add_argument("filter", nargs="*", help="une année (2024) ou des mots (démission)")
    timeline.add_argument("--image", type=Path, metavar="FICHIER.png", help="dessiner la chronologie")
    timeline.set_defaults(handler=_timeline)
    evaluation = commands.add_parser("eval", help="mesurer la qualité sur un jeu de questions")
    evaluation.add_argument("file", type=Path, help='fichier JSONL : {"q": …, "expect": […]}')
    evaluation.set_defaults(handler=_eval)
    commands.add_parser("run", help="servir toutes les plateformes configurées").set_defaults(handler=_run)
    commands.add_parser(
        "env-example", help="afficher le modèle de .env (tous les réglages, commentés)"
    ).set_defaults(handler=_env_example)
    stats = commands.add_parser("stats", help="questions fréquentes, sans réponse, mal notées")
    stats.add_argument("--limit", type=int, default=10, help="lignes par section")
    stats.add_argument("--since", type=_since, metavar="7d|30d|AAAA-MM-JJ", help="depuis quand")
    stats.add_argument("--platform", choices=("slack", "discord", "terminal"), help="une seule plateforme")
    stats.add_argument("--json", action="store_true", help="un objet JSON")
    stats.add_argument("--image", type=Path, metavar="FICHIER.png", help="dessiner les questions par jour")
    stats.set_defaults(handler=_stats)
    training = commands.add_parser("train", help="apprendre les poids du sélecteur (extra « train »)")
    training.add_argument("files", type=Path, nargs="*", help="questions étiquetées, JSONL (défaut : eval/)")
    training.add_argument("--out", type=Path, help="fichier du modèle (défaut : celui livré, bot/data)")
    training.set_defaults(handler=_train)
    commands.add_parser(
        "learn", help="réapprendre avec les choix des utilisateurs, si ce n'est pas pire (extra « train »)"
    ).set_defaults(handler=_learn)
    bench = commands.add_parser("bench", help="mesurer la vitesse (extra « bench »)")
    bench.add_argument("--sizes", default="1000,10000,100000", help="tailles en passages")
    bench.add_argument("--questions", type=int, default=200, help="questions par taille")
    bench.add_argument("--out", type=Path, default=Path("docs/benchmark"), help="sans extension")
    bench.add_argument("--no-baselines", action="store_true", help="sans rank-bm25 ni bm25s")
    bench.set_defaults(handler=_bench)
    if with_platforms:
        from importlib.metadata import entry_points

        for platform in entry_points(group="emad_bot.commands"):
            platform.load()(commands)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("emad-bot")
    except PackageNotFoundError:
        return "inconnue"


CORE_COMMANDS = frozenset(
    {"ask", "chat", "sources", "chronologie", "add", "eval", "bench", "stats", "train", "learn"}
)


def use_colour() -> bool:
    """Colour on a terminal, unless NO_COLOR is set (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def read_settings() -> BotSettings:
    """Read the core's settings and set up logging, or exit with a French message."""
    try:
        settings = BotSettings()
    except ValidationError as error:
        sys.exit(settings_error(error))
    configure_logging(settings.log_level, settings.log_format)
    return settings


def core_loader(settings: BotSettings) -> CoreLoader:
    """Builds the core once, the first time a command asks for it (`stats`, `discord
    invite` and `discord sync` never do, so they work without a corpus)."""
    built: list[Core] = []

    def load() -> Core:
        if not built:
            try:
                built.append(build_core(settings))
            except StartupError as error:
                sys.exit(f"Démarrage impossible : {error}")
        return built[0]

    return load


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Platforms are looked up only when asked for, so `ask` starts fast.
    args = build_parser(with_platforms=not CORE_COMMANDS & set(argv[:1])).parse_args(argv)
    handler: Callable[[CoreLoader, argparse.Namespace], int] = getattr(args, "handler", _chat)
    settings = read_settings()
    args.settings = settings
    load = core_loader(settings)
    try:
        return handler(load, args)
    except MissingExtra as error:
        sys.exit(str(error))
    except StartupError as error:
        sys.exit(f"Démarrage impossible : {error}")
    except BrokenPipeError:  # the reader went away (`emad-bot ask … | head`)
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
