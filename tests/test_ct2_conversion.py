"""The CTranslate2 conversion cache under concurrent use, with the converters replaced by
fakes that write the files a conversion leaves (a real conversion takes ~30 s)."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

from slm_guardian.model import ct2_model


class _Saves:
    def save_pretrained(self, folder) -> None:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / "config").write_text("{}")


def test_two_conversions_of_one_adapter_at_once_both_succeed(tmp_path, monkeypatch):
    """Two processes converting the same adapter (two `guardian eval` runs started together)
    used to share one staging folder, and the second one's clean-up deleted the first one's
    files mid-conversion. Both calls now return a whole conversion."""
    both_started = threading.Barrier(2, timeout=10)
    first_done = threading.Event()
    arrivals: list[str] = []

    class FakeConverter:
        """Reads the merged model folder and writes into an existing parent, as the real one
        does; the second call to start waits inside its conversion until the first has
        finished and cleaned up."""

        def __init__(self, model_dir: str, rows=None) -> None:
            assert Path(model_dir, "config").is_file(), "the merged model is gone"
            self.model_dir = model_dir

        def convert(self, out: str, quantization=None, force=False) -> None:
            if not Path(out).name.startswith("detector"):
                arrivals.append(threading.current_thread().name)
                both_started.wait()
                if arrivals[0] != threading.current_thread().name:
                    first_done.wait(timeout=10)
            Path(out).mkdir(exist_ok=True)
            (Path(out) / "model.bin").write_bytes(b"weights")

    monkeypatch.setattr(ct2_model, "TransformersConverter", FakeConverter)
    monkeypatch.setattr(ct2_model, "DetectorConverter", FakeConverter)
    monkeypatch.setattr(ct2_model, "detector_rows", lambda fmt: [0, 1])
    reference = SimpleNamespace(model=_Saves(), fmt=SimpleNamespace(tokenizer=_Saves()))
    target = tmp_path / "cache" / "adapter"
    errors: list[BaseException] = []

    def run() -> None:
        try:
            ct2_model.convert(reference, target)
            first_done.set()
        except BaseException as error:  # reported below, with the thread's error
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ct2_model._converted(target)
    assert [p.name for p in target.parent.iterdir()] == ["adapter"]  # no staging folder left
