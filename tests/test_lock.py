"""requirements.lock (scripts/lock.sh) and pyproject.toml agree: every declared dependency, runtime and test,
is pinned exactly, at a version its specifier allows; the OCR stack is held to compatible releases."""

from __future__ import annotations

import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from conftest import ROOT

OCR_STACK = ("rapidocr", "onnxruntime", "opencv-python-headless", "pyclipper", "numpy", "pytesseract")


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]


def declared() -> list[Requirement]:
    p = project()
    return [Requirement(r) for r in p["dependencies"] + p["optional-dependencies"]["test"]]


def pins() -> dict[str, Version]:
    out = {}
    for line in (ROOT / "requirements.lock").read_text("utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, version = line.partition("==")
        assert version and ";" not in line and " " not in line, f"not an exact pin: {line!r}"
        assert canonicalize_name(name) not in out, f"pinned twice: {name}"
        out[canonicalize_name(name)] = Version(version)
    return out


def test_every_declared_dependency_is_pinned_within_its_specifier():
    locked = pins()
    for req in declared():
        name = canonicalize_name(req.name)
        assert name in locked, f"{req} is not in requirements.lock: run scripts/lock.sh"
        assert req.specifier.contains(locked[name], prereleases=True), \
            f"requirements.lock pins {name}=={locked[name]}, outside {req}: run scripts/lock.sh"


def test_ocr_stack_is_held_to_compatible_releases():
    by_name = {canonicalize_name(r.name): r for r in declared()}
    for name in OCR_STACK:
        assert any(s.operator == "~=" for s in by_name[name].specifier), f"{by_name[name]} should use ~="


def test_build_backend_understands_the_plain_license_string():
    build = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["build-system"]
    setuptools = next(Requirement(r) for r in build["requires"] if Requirement(r).name == "setuptools")
    assert isinstance(project()["license"], str)
    assert not setuptools.specifier.contains("76.9") and setuptools.specifier.contains("77.0")
