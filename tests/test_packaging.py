"""A wheel of the package works on its own: data, presets and the app ship as package data.

The wheel is built and installed (without dependencies) into a fresh virtual environment that
borrows the test environment's third-party packages but not its editable ``siting``; then
``siting run quick``, ``siting data info`` and ``siting app`` run from an unrelated folder.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "siting").rglob(
        "__init__.py")}
    assert found <= listed, sorted(found - listed)


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                            "-q", "-w", str(dist), str(ROOT)], capture_output=True, text=True,
                           timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
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
    return venv, env, elsewhere


def test_installed_wheel_runs_from_another_folder(wheel_env):
    venv, env, cwd = wheel_env
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
    venv, env, cwd = wheel_env
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
