"""Model registry: each saved model is a directory with a payload, optional torch weights and a
manifest (kind, version, library versions, data-through month, metrics, sha256 of every file).

Loading checks the manifest before touching the payload: a hash that does not match (a corrupt or
altered file) or library versions that differ from the running ones refuse to load with a
:class:`RegistryError` saying why. torch weights are read with ``weights_only=True``; the payload
pickle holds no torch objects. (The hash guards against corruption, not against someone who can
write both files: keep the model directory private.)
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import pickle
import platform
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

FORMAT = 1
PAYLOAD = "payload.pkl"
WEIGHTS = "weights.pt"
MANIFEST = "manifest.json"
_CHECKED = ("numpy", "pandas", "river", "torch")


class RegistryError(Exception):
    """A model artifact that cannot be loaded (missing, corrupt, or built by other libraries)."""


@dataclass
class Manifest:
    name: str
    version: int
    kind: str
    class_path: str
    data_through: str | None
    created_at: float
    libraries: dict[str, str]
    files: dict[str, str]
    metrics: dict = field(default_factory=dict)
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose formats a payload depends on (torch only if loaded)."""
    out = {"python": platform.python_version()}
    for name in _CHECKED:
        if name == "torch" and "torch" not in __import__("sys").modules:
            continue
        try:
            out[name] = importlib.import_module(name).__version__
        except ImportError:
            pass
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _minor(v: str) -> str:
    return ".".join(v.split("+")[0].split(".")[:2])


class Registry:
    """Versions of named models under ``root`` (``root/name/v0001/...`` and ``root/name/CURRENT``)."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    def versions(self, name: str) -> list[int]:
        d = self.root / name
        if not d.exists():
            return []
        return sorted(
            int(p.name[1:])
            for p in d.iterdir()
            if p.is_dir() and p.name.startswith("v") and p.name[1:].isdigit()
        )

    def current(self, name: str) -> int | None:
        pointer = self.root / name / "CURRENT"
        if pointer.exists():
            return int(pointer.read_text().strip())
        versions = self.versions(name)
        return versions[-1] if versions else None

    def save(
        self,
        name: str,
        model,
        *,
        data_through: str | None = None,
        metrics: dict | None = None,
        make_current: bool = True,
        keep: int = 10,
    ) -> Manifest:
        """Write a new version of ``name`` (atomically: a temp directory renamed into place)."""
        base = self.root / name
        base.mkdir(parents=True, exist_ok=True)
        version = (self.versions(name) or [0])[-1] + 1
        tmp = base / f".tmp-{os.getpid()}-{version}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        weights = model.export_weights() if hasattr(model, "export_weights") else None
        with open(tmp / PAYLOAD, "wb") as f:
            pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
        files = {PAYLOAD: _sha256(tmp / PAYLOAD)}
        if weights:
            import torch

            torch.save(weights, tmp / WEIGHTS)
            files[WEIGHTS] = _sha256(tmp / WEIGHTS)
        manifest = Manifest(
            name=name,
            version=version,
            kind=getattr(model, "kind", "?"),
            class_path=f"{type(model).__module__}.{type(model).__qualname__}",
            data_through=data_through,
            created_at=time.time(),
            libraries=library_versions(),
            files=files,
            metrics=_jsonable(metrics or {}),
        )
        (tmp / MANIFEST).write_text(manifest.to_json())
        final = base / f"v{version:04d}"
        tmp.rename(final)
        if make_current:
            self.set_current(name, version)
        self._prune(name, keep)
        return manifest

    def set_current(self, name: str, version: int) -> None:
        pointer = self.root / name / "CURRENT"
        tmp = pointer.with_suffix(".tmp")
        tmp.write_text(str(version))
        tmp.replace(pointer)

    def manifest(self, name: str, version: int | None = None) -> Manifest:
        version = self.current(name) if version is None else version
        if version is None:
            raise RegistryError(f"no saved model named {name!r} in {self.root}")
        path = self.root / name / f"v{version:04d}" / MANIFEST
        try:
            data = json.loads(path.read_text())
            return Manifest(**data)
        except FileNotFoundError:
            raise RegistryError(f"model {name!r} v{version}: manifest missing ({path})") from None
        except (ValueError, TypeError) as exc:
            raise RegistryError(f"model {name!r} v{version}: unreadable manifest ({exc})") from None

    def check(
        self, name: str, version: int | None = None, *, check_libraries: bool = True
    ) -> Manifest:
        """The manifest of a version that :meth:`load` would accept, without unpickling anything
        (library versions read from the installed packages' metadata, so torch is not imported);
        raises :class:`RegistryError` saying why it would be refused."""
        manifest = self.manifest(name, version)
        self._check(manifest, name, check_libraries, _installed_versions)
        return manifest

    def _check(self, manifest: Manifest, name: str, check_libraries: bool, running_of) -> None:
        where = f"model {name!r} v{manifest.version}"
        if manifest.format != FORMAT:
            raise RegistryError(
                f"{where}: artifact format {manifest.format}, this code reads {FORMAT}"
            )
        folder = self.root / name / f"v{manifest.version:04d}"
        for fname, digest in manifest.files.items():
            path = folder / fname
            if not path.exists():
                raise RegistryError(f"{where}: file {fname} is missing")
            if _sha256(path) != digest:
                raise RegistryError(
                    f"{where}: {fname} does not match its sha256 in the manifest "
                    "(corrupt or altered); refusing to load"
                )
        if check_libraries:
            running = running_of(manifest)
            for lib, saved in manifest.libraries.items():
                if lib == "python":
                    continue
                now = running.get(lib)
                if now is not None and _minor(now) != _minor(saved):
                    raise RegistryError(
                        f"{where}: saved with {lib} {saved}, running {now}; "
                        "refusing to load (retrain with `crimecast train`)"
                    )

    def load(self, name: str, version: int | None = None, *, check_libraries: bool = True):
        """``(model, manifest)``; raises :class:`RegistryError` if anything does not match."""
        manifest = self.manifest(name, version)
        self._check(manifest, name, check_libraries, _loaded_versions)
        where = f"model {name!r} v{manifest.version}"
        folder = self.root / name / f"v{manifest.version:04d}"
        with open(folder / PAYLOAD, "rb") as f:
            model = pickle.load(f)
        if f"{type(model).__module__}.{type(model).__qualname__}" != manifest.class_path:
            raise RegistryError(
                f"{where}: payload is a {type(model).__qualname__}, the manifest "
                f"says {manifest.class_path}"
            )
        if WEIGHTS in manifest.files:
            import torch

            weights = torch.load(folder / WEIGHTS, weights_only=True, map_location="cpu")
            model.import_weights(weights)
        return model, manifest

    def _prune(self, name: str, keep: int) -> None:
        current = self.current(name)
        for v in self.versions(name)[:-keep]:
            if v != current:
                shutil.rmtree(self.root / name / f"v{v:04d}", ignore_errors=True)


def _loaded_versions(manifest: Manifest) -> dict[str, str]:
    running = library_versions()
    if "torch" not in running and WEIGHTS in manifest.files:
        import torch

        running["torch"] = torch.__version__
    return running


def _installed_versions(manifest: Manifest) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for lib in manifest.libraries:
        try:
            out[lib] = version(lib)
        except PackageNotFoundError:
            pass
    return out


def _jsonable(obj):
    return json.loads(json.dumps(obj, default=float))
