"""A wheel of the package works on its own: data, presets and the app ship as package data.

The wheel is built from a temporary copy of the checkout's files (tracked, and new ones git
does not ignore), so the checkout itself gets no ``build/`` and no rewritten
``siting.egg-info`` (a stale ``build/lib`` could put deleted modules into a later wheel). It is
installed (without dependencies) into a fresh virtual environment that borrows the test
environment's third-party packages but not its editable ``siting``; then ``siting run quick``,
``siting data info`` and ``siting app`` run from an unrelated folder.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "siting").rglob(
        "__init__.py")}
    assert found <= listed, sorted(found - listed)


#: Build products and local state that are not sources (used when there is no git).
NOT_SOURCES = {".git", ".venv", "build", "dist", "__pycache__", ".pytest_cache", ".ruff_cache",
               ".hypothesis", "test-artifacts", ".ipynb_checkpoints", "results", "out"}


def source_files() -> list[str]:
    """The checkout's files a commit would hold: tracked ones and new ones git does not ignore
    (without git: every file outside build products and local state)."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], cwd=ROOT, capture_output=True, check=True,
                             timeout=60).stdout.decode()
        names = [n for n in out.split("\0") if n]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (e.g. an sdist)
        names = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*")
                 if p.is_file() and not set(p.relative_to(ROOT).parts) & NOT_SOURCES
                 and not any(part.endswith(".egg-info") for part in p.relative_to(ROOT).parts)]
    return [n for n in names if (ROOT / n).is_file()]  # a file deleted but not yet staged: gone


def _checkout_state() -> dict[str, float]:
    """Build products in the checkout and their modification times."""
    state = {}
    for top in [ROOT / "build", ROOT / "dist", *ROOT.glob("*.egg-info")]:
        for p in [top, *top.rglob("*")] if top.exists() else []:
            state[str(p.relative_to(ROOT))] = p.stat().st_mtime_ns
    return state


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    for name in source_files():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, src / name)
    dist = tmp / "dist"
    before = _checkout_state()
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                            "-q", "-w", str(dist), str(src)], capture_output=True, text=True,
                           timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    assert _checkout_state() == before, "building the wheel touched the checkout"
    wheel = next(dist.glob("siting-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    py = venv / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()"
                                "['purelib'])"], capture_output=True, text=True,
                               check=True).stdout.strip())
    # the test environment's third-party packages, without its .pth files (no editable siting)
    (site / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    inst = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q",
                           "--no-deps", "--no-index", str(wheel)], capture_output=True, text=True,
                          timeout=300)
    if inst.returncode != 0:  # pip older than 22.3 has no --python: install with a target
        inst = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                               "--no-index", "--target", str(site), str(wheel)],
                              capture_output=True, text=True, timeout=300)
    assert inst.returncode == 0, inst.stderr[-2000:]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SITING_", "PYTHONPATH"))}
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return venv, env, elsewhere, wheel


def test_wheel_holds_the_modules_of_the_sources_and_no_others(wheel_env):
    """Exactly the package's modules of the sources (a module deleted since an earlier build
    must not come back from a stale build folder)."""
    wheel = wheel_env[3]
    with zipfile.ZipFile(wheel) as z:
        shipped = {n for n in z.namelist() if n.startswith("siting/") and n.endswith(".py")
                   and not n.startswith("siting/resources/")}
    sources = {n for n in source_files() if n.startswith("siting/") and n.endswith(".py")
               and not n.startswith("siting/resources/")}
    assert shipped == sources
    assert "siting/app/report.py" in shipped and "siting/report.py" not in shipped


def test_installed_wheel_runs_from_another_folder(wheel_env):
    venv, env, cwd, _ = wheel_env
    exe = str(venv / "bin" / "siting")
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import siting, siting.paths as p; print(siting.__file__); "
                            "print(p.embedded_data_dir()); print(p.models_dir())"],
                           cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert where.returncode == 0, where.stderr
    mod, data_dir, models = where.stdout.split()
    assert str(venv) in mod and str(venv) in data_dir and str(venv) in models
    assert (Path(models) / "quick.toml").is_file()
    assert (Path(data_dir) / "manifest.json").is_file()
    out = subprocess.run([exe, "run", "quick", "--out", "res"], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-1500:] + out.stderr[-1500:]
    summary = json.loads((cwd / "res" / "summary.json").read_text())
    assert summary["status"] in ("optimal", "time_limit") and summary["open_sites"]
    assert summary["verification"]["ok"] is True
    info = subprocess.run([exe, "data", "info"], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)
    assert info.returncode == 0 and "787" in info.stdout, info.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_installed_wheel_serves_the_app(wheel_env):
    venv, env, cwd, _ = wheel_env
    port = _free_port()
    proc = subprocess.Popen([str(venv / "bin" / "siting"), "app", "--port", str(port)],
                            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        ok = False
        while time.time() < deadline and not ok:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                            timeout=2) as r:
                    ok = r.status == 200
            except OSError:
                time.sleep(0.5)
        assert ok, "the app did not answer on its health endpoint"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
