"""Results folders written all at once: nothing half-written, nothing mixed, nothing lost.

``siting run … --out DIR`` (and the app's runs) write their files through :func:`write_atomic`:

1. the files go to a staging folder beside DIR, ``.siting-<pid>-new-<token>``;
2. when they are all written, the staging folder takes DIR's place in one step: on Linux an
   atomic exchange of the two names (``renameat2(RENAME_EXCHANGE)``), elsewhere a rename of DIR
   to ``.siting-<pid>-old-<token>-<name>`` followed by the rename of the staging folder to DIR;
3. the previous results (now under the staging name) are deleted.

So DIR always holds one complete set of results, the old or the new, never a mixture. A failed
or interrupted write deletes its staging folder (``finally``; the CLI turns SIGTERM into an
exception so this runs). What a killed process (SIGKILL, power cut) leaves behind is swept by
the next write into the same parent folder (:func:`sweep_stale`): staging folders of dead
processes are deleted, and a backup whose DIR went missing between the two renames of step 2
is put back.

:func:`check_out_dir` runs *before* a solve: ``--out`` must be a folder (or not exist yet) in a
writable parent, and an existing folder must hold only siting results (a marker file
:data:`MARKER`, or only the files siting writes), so that a typo cannot replace an unrelated
folder.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from siting.errors import InputError, clip

#: Prefix of staging and backup folders beside a results folder.
PREFIX = ".siting-"
#: Marker file in every results folder siting writes.
MARKER = ".siting-results.json"
#: Files a results folder may hold without the marker (written by earlier versions).
RESULT_FILES = frozenset({"summary.json", "sites.csv", "sites.gpkg", "sites.geojson",
                          "solution.nc", "report.html", "pareto.nc", "pareto.csv", "pareto.png",
                          "pareto.html", MARKER})
_STALE = re.compile(r"^\.siting-(\d+)-(new|old)-([0-9a-f]+)(?:-(.*))?$")
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def check_out_dir(out: str | os.PathLike, flag: str = "--out") -> Path:
    """Refuse an unusable results folder before any work is done (exit 2).

    Returns the folder as a Path. Raises :class:`~siting.errors.InputError` when ``out`` is an
    existing file, lies under a file, is the current folder or one of its parents, holds files
    that are not siting results, or its parent folder cannot be written.
    """
    out = Path(out)
    shown = clip(str(out), 200)
    try:
        if out.exists() and not out.is_dir():
            raise InputError(f"{flag} {shown}: is a file, not a folder")
        resolved = out.resolve()
        cwd = Path.cwd().resolve()
        if resolved == cwd or resolved in cwd.parents:
            raise InputError(f"{flag} {shown}: is the current folder or one of its parents; "
                             "results replace the whole folder, give a new or results folder")
        if out.is_dir():
            foreign = sorted(p.name for p in out.iterdir() if p.name not in RESULT_FILES)
            if foreign and not (out / MARKER).is_file():
                raise InputError(f"{flag} {shown}: holds files that are not siting results "
                                 f"({clip(', '.join(foreign[:3]), 120)}); results replace "
                                 "the whole folder, so give an empty, new or results folder")
            if not os.access(out, os.W_OK | os.X_OK):
                raise InputError(f"{flag} {shown}: the folder is not writable")
        parent = resolved.parent
        probe_at = parent
        while not probe_at.exists():
            probe_at = probe_at.parent
        if not probe_at.is_dir():
            raise InputError(f"{flag} {shown}: {clip(str(probe_at), 120)} is a file, not a "
                             "folder")
        if probe_at == parent:
            probe = parent / f"{PREFIX}{os.getpid()}-new-{secrets.token_hex(4)}"
            try:
                probe.mkdir()
            except OSError as exc:
                raise InputError(f"{flag} {shown}: cannot write in {clip(str(parent), 120)} "
                                 f"({exc.strerror or exc})") from None
            probe.rmdir()
        elif not os.access(probe_at, os.W_OK | os.X_OK):
            raise InputError(f"{flag} {shown}: cannot create folders in "
                             f"{clip(str(probe_at), 120)} (not writable)")
    except OSError as exc:
        raise InputError(f"{flag} {shown}: unusable ({exc.strerror or exc})") from None
    return out


def sweep_stale(parent: str | os.PathLike) -> list[Path]:
    """Clean up after processes that died while writing into ``parent``: delete their staging
    folders, put back a results folder left under its backup name. Returns what was removed
    or restored."""
    parent = Path(parent)
    done = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return done
    for p in entries:
        m = _STALE.match(p.name)
        if m is None or _alive(int(m.group(1))):
            continue
        kind, target = m.group(2), m.group(4)
        if kind == "old" and target and not (parent / target).exists():
            try:
                os.rename(p, parent / target)
                done.append(parent / target)
                continue
            except OSError:
                pass
        if kind == "new" or (target and (parent / target).exists()):
            shutil.rmtree(p, ignore_errors=True)
            done.append(p)
    return done


def sweep_stale_solver_folders() -> None:
    """Delete the temporary folders of solver child processes whose parent died."""
    tmp = Path(tempfile.gettempdir())
    try:
        entries = list(tmp.glob("siting-solve-*"))
    except OSError:
        return
    for p in entries:
        m = re.match(r"^siting-solve-(\d+)-", p.name)
        if m and not _alive(int(m.group(1))):
            shutil.rmtree(p, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False when not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                   ctypes.c_uint]
    r = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if r == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # the file system cannot exchange: fall back to two renames
    raise OSError(err, os.strerror(err), str(b))


def _fsync_tree(folder: Path) -> None:
    for f in folder.iterdir():
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(out: str | os.PathLike, writer: Callable[[Path], list[Path]],
                 meta: dict | None = None) -> list[Path]:
    """Write a results folder at once (module doc).

    Parameters
    ----------
    out : path
        The results folder (created, or replaced as a whole).
    writer : callable
        ``writer(folder) -> [files]`` writes every file into ``folder`` (the staging folder).
    meta : dict, optional
        Written into the marker file :data:`MARKER` (with the time).

    Returns
    -------
    list of Path
        The files, at their final place in ``out``.
    """
    out = Path(out)
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(parent)
    pid, token = os.getpid(), secrets.token_hex(4)
    stage = parent / f"{PREFIX}{pid}-new-{token}"
    stage.mkdir()
    backup = None
    try:
        files = writer(stage)
        (stage / MARKER).write_text(json.dumps({"written_by": "siting", "time": time.time(),
                                                **(meta or {})}, default=str) + "\n")
        _fsync_tree(stage)
        final = out.resolve()
        if not final.exists() and not final.is_symlink():
            os.rename(stage, final)
        elif _exchange(stage, final):
            pass  # stage now holds the previous results; deleted below
        else:
            name = f"{PREFIX}{pid}-old-{token}-{final.name}"
            backup = parent / (name if len(os.fsencode(name)) <= 255 else
                               f"{PREFIX}{pid}-old-{token}")
            os.rename(final, backup)
            os.rename(stage, final)
        return [final / Path(f).name for f in files]
    finally:
        if backup is not None and backup.exists() and not out.exists():
            os.rename(backup, out)  # interrupted between the two renames: put the old back
        shutil.rmtree(stage, ignore_errors=True)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)


__all__ = ["check_out_dir", "write_atomic", "sweep_stale", "sweep_stale_solver_folders",
           "MARKER", "PREFIX", "RESULT_FILES"]
