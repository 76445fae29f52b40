"""`emad-bot`: the terminal harness, and the entry point of every platform.

Platforms add their sub-commands through the `emad_bot.commands` entry points
(see pyproject.toml), so the core never imports an adapter, and `ask`, `chat`,
`sources` and `eval` start without loading discord.py or slack-bolt.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError

from bot.bootstrap import Core, StartupError, build_core
from bot.engine import AnswerEngine
from bot.evaluation import evaluate, read_cases
from bot.models import Query
from bot.settings import BotSettings
from bot.terminal import render_reply, reply_to_dict

CHAT_PROMPT = "Votre question (« aide », « sources », Ctrl-D pour quitter) > "
log = logging.getLogger("bot")


def settings_error(error: ValidationError) -> str:
    """A settings error in French, naming each faulty setting, with no secret value."""
    lines = ["Réglages invalides :"]
    for problem in error.errors():
        name = ".".join(str(part) for part in problem["loc"]) or "?"
        lines.append(f"  - {name} : {problem['msg']}")
    return "\n".join(lines)


def _ask(engine: AnswerEngine, args: argparse.Namespace) -> int:
    questions = [" ".join(args.question)] if args.question else None
    if questions is None and not args.json:
        print('Donnez une question : emad-bot ask "Qui a financé Stability AI ?"', file=sys.stderr)
        return 2
    if questions is None:
        questions = [line.rstrip("\n") for line in sys.stdin]
    for question in questions:
        reply = engine.answer(Query(question))
        if args.json:
            print(json.dumps(reply_to_dict(reply), ensure_ascii=False), flush=True)
        else:
            print(render_reply(reply, color=sys.stdout.isatty()))
    return 0


def _chat(engine: AnswerEngine, args: argparse.Namespace) -> int:
    color = sys.stdout.isatty()
    print(render_reply(engine.answer(Query("aide")), color=color))
    while True:
        try:
            question = input(f"\n{CHAT_PROMPT}")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        print(render_reply(engine.answer(Query(question)), color=color))


def _sources(engine: AnswerEngine, args: argparse.Namespace) -> int:
    print(render_reply(engine.answer(Query("sources"))))
    return 0


def _eval(engine: AnswerEngine, args: argparse.Namespace) -> int:
    try:
        cases = read_cases(args.file)
    except (OSError, ValueError) as error:
        print(f"Jeu de questions illisible : {error}", file=sys.stderr)
        return 2
    result = evaluate(engine, cases)
    print(result.report())
    for question in result.misses:
        print(f"  manquée : {question}")
    return 0


def _bench(engine: AnswerEngine, args: argparse.Namespace) -> int:
    from bot.benchmark import run_benchmark

    sizes = [int(size) for size in args.sizes.split(",")]
    print(run_benchmark(sizes, args.questions, args.out, baselines=not args.no_baselines))
    return 0


def build_parser(with_platforms: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="emad-bot",
        description="Réponses citées sur la saga Emad Mostaque / Stability AI.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMANDE")
    ask = commands.add_parser("ask", help="répondre à une question et quitter")
    ask.add_argument("question", nargs="*", help="la question (sinon, --json lit stdin)")
    ask.add_argument("--json", action="store_true", help="une réponse JSON par question")
    ask.set_defaults(handler=_ask)
    commands.add_parser("chat", help="session interactive").set_defaults(handler=_chat)
    commands.add_parser("sources", help="lister les articles").set_defaults(handler=_sources)
    evaluation = commands.add_parser("eval", help="mesurer la qualité sur un jeu de questions")
    evaluation.add_argument("file", type=Path, help='fichier JSONL : {"q": …, "expect": […]}')
    evaluation.set_defaults(handler=_eval)
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


CORE_COMMANDS = frozenset({"ask", "chat", "sources", "eval", "bench"})


def load_core() -> Core:
    """Read the settings and build the core, or exit with a French message."""
    try:
        settings = BotSettings()
    except ValidationError as error:
        sys.exit(settings_error(error))
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return build_core(settings)
    except StartupError as error:
        sys.exit(f"Démarrage impossible : {error}")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Platforms are looked up only when asked for, so `ask` starts fast.
    args = build_parser(with_platforms=not CORE_COMMANDS & set(argv[:1])).parse_args(argv)
    handler: Callable[[AnswerEngine, argparse.Namespace], int] = getattr(args, "handler", _chat)
    core = load_core()
    try:
        return handler(core.engine, args)
    except BrokenPipeError:  # the reader went away (`emad-bot ask … | head`)
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
