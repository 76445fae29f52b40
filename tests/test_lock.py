"""The locks and pyproject.toml agree: every package a lock pins is one the project's
requirements need (and at a version they accept), and every package they need is pinned.
The tests run in the dev venv, installed from requirements/dev.txt, whose packages'
metadata give each one's own requirements."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
SERVING_EXTRAS = ("slack", "discord")  # what scripts/setup installs for serving


def pins(lock: str) -> dict[str, str]:
    """name → version of every package the lock installs on this machine."""
    found = {}
    for line in (ROOT / "requirements" / lock).read_text().splitlines():
        if match := PIN.match(line):
            name, version, marker = match.groups()
            if marker is None or Requirement(f"x; {marker}").marker.evaluate():  # type: ignore[union-attr]
                found[canonicalize_name(name)] = version
    return found


def project_requirements(extras: tuple[str, ...]) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in extras:
        wanted += project["optional-dependencies"][extra]
    return [Requirement(text) for text in wanted]


def closure(roots: list[Requirement]) -> set[str]:
    """Every distribution `roots` need here, following installed metadata."""
    needed: set[str] = set()
    todo = [(r, "") for r in roots]
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker and not requirement.marker.evaluate(default_environment() | {"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        for wanted_extra in sorted(requirement.extras) or [""]:
            key = f"{name}[{wanted_extra}]"
            if key in needed:
                continue
            needed.add(key)
            dist = importlib.metadata.distribution(name)
            todo += [(Requirement(text), wanted_extra) for text in dist.requires or []]
    return {key.split("[")[0] for key in needed}


@pytest.mark.parametrize(
    ("lock", "extras"),
    [
        ("serve.txt", SERVING_EXTRAS),
        ("dev.txt", ("slack", "discord", "fast", "picture", "train", "bench", "dev")),
    ],
)
def test_a_lock_pins_exactly_what_the_project_needs(lock: str, extras: tuple[str, ...]) -> None:
    locked = pins(lock)
    roots = project_requirements(extras)
    for requirement in roots:
        version = locked.get(canonicalize_name(requirement.name))
        assert version is not None, f"{requirement.name} absent de requirements/{lock}"
        assert requirement.specifier.contains(version, prereleases=True), f"{requirement} ≠ {version}"
    needed = closure(roots)
    assert needed - locked.keys() == set(), f"requis mais absents de requirements/{lock}"
    assert locked.keys() - needed == set(), f"verrouillés sans que rien ne les demande ({lock})"


def test_the_dev_lock_keeps_the_serving_versions() -> None:
    serving, dev = pins("serve.txt"), pins("dev.txt")
    assert {name: dev.get(name) for name in serving} == serving


def test_the_installed_packages_are_the_locked_ones() -> None:
    for name, version in pins("dev.txt").items():
        assert importlib.metadata.version(name) == version, name


def test_the_bootstrap_lock_brings_a_pip_that_reads_extras_right() -> None:
    version = pins("bootstrap.txt")["pip"]
    assert tuple(int(part) for part in version.split(".")[:2]) >= (23, 3)  # pip < 23.3 mis-resolves extras
