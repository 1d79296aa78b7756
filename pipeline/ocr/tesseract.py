"""Tesseract `chi_sim` through pytesseract, the alternative engine (Debian tesseract-ocr-chi-sim)."""

from __future__ import annotations

import os
import re

import cv2
import numpy as np

from pipeline.ocr.base import OcrResult, OcrUnavailable
from pipeline.ocr.preprocess import skew_degrees, suppress_red_seals, to_ocr_result
from pipeline.ocr.rapid import PIPELINE_REVISION, PpOcr, orient

# psm 3 keeps ruled tables readable (psm 6 destroys them); one OpenMP thread gives the same
# text for half the CPU (../shared/spec/ocr-notes.md).
DEFAULT_SETTINGS = {"lang": "chi_sim", "psm": 3, "min_confidence": 30}
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")


class TesseractEngine:
    """Tesseract on the upright, deskewed, seal-suppressed page (orientation found with PP-OCR)."""

    name = "tesseract"

    def __init__(self, **settings: object) -> None:
        import pytesseract

        self.settings = {**DEFAULT_SETTINGS, **settings}
        try:
            version = str(pytesseract.get_tesseract_version())
            languages = pytesseract.get_languages(config="")
        except (pytesseract.TesseractNotFoundError, OSError) as exc:
            raise OcrUnavailable("未找到 Tesseract：请安装 Debian 软件包 tesseract-ocr tesseract-ocr-chi-sim") from exc
        if self.settings["lang"] not in languages:
            raise OcrUnavailable(f"Tesseract 缺少语言包 {self.settings['lang']}：请安装 tesseract-ocr-chi-sim")
        self.version = f"{version} {PIPELINE_REVISION}"
        self._tess = pytesseract
        self._pp = PpOcr()
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    def __call__(self, bgr: np.ndarray) -> OcrResult:
        upright, turns, quads = orient(self._pp, suppress_red_seals(bgr))
        skew = skew_degrees(quads)
        straight, back = _deskew(upright, skew)
        data = self._tess.image_to_data(
            cv2.cvtColor(straight, cv2.COLOR_BGR2RGB), lang=self.settings["lang"],
            config=f"--psm {self.settings['psm']}", output_type=self._tess.Output.DICT)
        grouped: dict[tuple[int, int, int], list[int]] = {}
        for i, word in enumerate(data["text"]):
            if word.strip() and float(data["conf"][i]) >= 0:
                grouped.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]), []).append(i)
        found = []
        for indices in grouped.values():
            confidences = [float(data["conf"][i]) for i in indices]
            if sum(confidences) / len(confidences) < self.settings["min_confidence"]:
                continue
            x0 = min(data["left"][i] for i in indices)
            y0 = min(data["top"][i] for i in indices)
            x1 = max(data["left"][i] + data["width"][i] for i in indices)
            y1 = max(data["top"][i] + data["height"][i] for i in indices)
            text = _CJK_GAP.sub("", " ".join(data["text"][i] for i in indices)).strip()
            found.append((back((x0, y0, x1, y1)), text, sum(confidences) / len(confidences) / 100))
        return to_ocr_result(found, skew, upright, turns)


def _deskew(bgr: np.ndarray, skew: float):
    """The image turned back by `skew` degrees, and a function mapping its boxes to the input."""
    if abs(skew) < 0.3:
        return bgr, lambda box: tuple(float(v) for v in box)
    height, width = bgr.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), skew, 1.0)
    straight = cv2.warpAffine(bgr, matrix, (width, height), borderValue=(255, 255, 255))
    inverse = cv2.invertAffineTransform(matrix)

    def back(box):
        x0, y0, x1, y1 = box
        corners = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=np.float64)
        mapped = corners @ inverse.T
        return (round(float(mapped[:, 0].min()), 1), round(float(mapped[:, 1].min()), 1),
                round(float(mapped[:, 0].max()), 1), round(float(mapped[:, 1].max()), 1))

    return straight, back
