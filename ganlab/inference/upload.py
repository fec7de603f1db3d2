"""A checkpoint a visitor uploads, unpacked into a folder Explore can open.

Only ``model.json`` and ``model.safetensors`` are ever extracted, each read
with a size cap; a refused upload leaves nothing on disk.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from ganlab import limits
from ganlab.engine.checkpoints import META, WEIGHTS
from ganlab.data.decode import read_member
from ganlab.errors import GanLabError
from ganlab.inference.explore import open_generator


def unpack_upload(paths: list[str | Path]) -> Path:
    """A checkpoint a user uploaded (a .zip holding model.json + model.safetensors, or the two files)
    -> a folder that ``open_generator`` reads. Only those two names are ever extracted."""
    paths = [Path(p) for p in paths or []]
    if not paths:
        raise GanLabError("upload a checkpoint: a .zip, or model.json together with model.safetensors")
    target = Path(tempfile.mkdtemp(prefix="ganlab-upload-"))
    try:
        _unpack_into(target, paths)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # a refused upload leaves nothing behind
        raise
    return target


def _unpack_into(target: Path, paths: list[Path]) -> None:
    cap = limits.get("upload_bytes")
    wanted = {META, WEIGHTS}
    if len(paths) == 1 and zipfile.is_zipfile(paths[0]):
        with zipfile.ZipFile(paths[0]) as archive:
            members = {
                Path(m.filename).name: m
                for m in archive.infolist()
                if not m.is_dir() and Path(m.filename).name in wanted
            }
            if set(members) != wanted:
                raise GanLabError(f"{paths[0].name}: the zip must contain {META} and {WEIGHTS}")
            if sum(m.file_size for m in members.values()) > cap:
                raise GanLabError(f"{paths[0].name}: the checkpoint is larger than {limits.mb(cap)}")
            for name, member in members.items():  # read with a cap: a member may lie about its size
                (target / name).write_bytes(read_member(archive, member, cap))
    else:
        by_suffix = {".json": META, ".safetensors": WEIGHTS}
        for p in paths:
            name = by_suffix.get(p.suffix.lower())
            if p.suffix.lower() == ".zip":
                raise GanLabError(f"{p.name}: not a zip archive (damaged, or another kind of file renamed .zip)")
            if name is None:
                raise GanLabError(f"{p.name}: expected a .zip, a .json or a .safetensors file")
            if p.stat().st_size > cap:
                raise GanLabError(f"{p.name}: larger than {limits.mb(cap)}")
            (target / name).write_bytes(p.read_bytes())
        if not all((target / n).is_file() for n in wanted):
            raise GanLabError(f"upload both {META} and {WEIGHTS} (or one .zip holding them)")
    open_generator(target)  # fail here, with the checkpoint's own message, if it is not usable
