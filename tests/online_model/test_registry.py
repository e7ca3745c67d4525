"""The registry refuses corrupt or mismatched artifacts with a clear message."""

from __future__ import annotations

import json

import pytest

from online_model import SES
from online_model.registry import Registry, RegistryError


@pytest.fixture
def saved(tmp_path, small_panel):
    model = SES(0.2)
    model.learn_many(small_panel)
    reg = Registry(tmp_path)
    manifest = reg.save("served", model, data_through=model.last_month, metrics={"mae": 0.7})
    return reg, manifest, tmp_path / "served" / f"v{manifest.version:04d}"


def test_manifest_records_what_and_how(saved):
    """The manifest names kind, version, data-through month, libraries, metrics and hashes."""
    reg, manifest, folder = saved
    data = json.loads((folder / "manifest.json").read_text())
    assert data["kind"] == "ses" and data["version"] == 1 and data["data_through"] == "2023-12"
    assert {"numpy", "river", "python"} <= set(data["libraries"])
    assert len(data["files"]["payload.pkl"]) == 64 and data["metrics"] == {"mae": 0.7}


def test_corrupt_payload_refuses_to_load(saved):
    """One changed byte in the payload fails the sha256 check."""
    reg, _, folder = saved
    blob = bytearray((folder / "payload.pkl").read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    (folder / "payload.pkl").write_bytes(bytes(blob))
    with pytest.raises(RegistryError, match="sha256"):
        reg.load("served")


def test_library_mismatch_refuses_to_load(saved):
    """A payload written by another river version is refused, naming both versions."""
    reg, _, folder = saved
    data = json.loads((folder / "manifest.json").read_text())
    data["libraries"]["river"] = "0.1.0"
    (folder / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(RegistryError, match="river 0.1.0"):
        reg.load("served")


def test_missing_model_and_missing_file_are_clear(saved, tmp_path):
    """No model, or a file gone, is a RegistryError that says so."""
    reg, _, folder = saved
    with pytest.raises(RegistryError, match="no saved model"):
        reg.load("other")
    (folder / "payload.pkl").unlink()
    with pytest.raises(RegistryError, match="missing"):
        reg.load("served")


def test_torch_weights_load_weights_only(tmp_path, small_panel):
    """An LSTM saves its networks as plain tensors (weights.pt) and loads them back."""
    from online_model.lstm import LSTMForecaster

    model = LSTMForecaster(hidden=4, epochs=1, window=6)
    model.learn_many(small_panel.loc[:, :"2022-06"])
    reg = Registry(tmp_path)
    manifest = reg.save("lstm", model, data_through=model.last_month)
    assert "weights.pt" in manifest.files
    import torch

    weights = torch.load(tmp_path / "lstm" / "v0001" / "weights.pt", weights_only=True)
    assert set(weights) == {"champion"}
    loaded, _ = reg.load("lstm")
    assert loaded.forecast(2).equals(model.forecast(2))


def test_versions_and_current_pointer(saved, small_panel):
    """Each save is a new version and becomes current."""
    reg, _, _ = saved
    reg.save("served", SES(0.2))
    assert reg.versions("served") == [1, 2] and reg.current("served") == 2
