"""The one interface every OCR engine offers: an image in, upright lines with boxes out."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from models.pages import TextLine


class OcrUnavailable(RuntimeError):
    """The engine (or its models) is not installed here; the message says what to install."""


@dataclass
class OcrResult:
    """Lines in reading order on the upright image, and what was done to make it upright."""

    lines: list[TextLine]
    width: int
    height: int
    rotation: int = 0  # quarter turns clockwise applied to the input
    skew_deg: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


class OcrEngine(Protocol):
    """An OCR engine: `name`, `version` and `settings` make up its cache key."""

    name: str
    version: str
    settings: dict[str, Any]

    def __call__(self, bgr: np.ndarray) -> OcrResult: ...


def engine_key(engine: OcrEngine) -> str:
    """A short stable id of engine + version + settings, for the OCR cache."""
    payload = json.dumps([engine.name, engine.version, engine.settings], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def engine_label(engine: OcrEngine) -> str:
    """What a reviewer or engineer sees as the page's source, e.g. 'rapidocr 3.10.0'."""
    return f"{engine.name} {engine.version}"
