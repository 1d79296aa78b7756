"""Stages identify → facts for one file: its pages → its documents, each with what the extractors read.
A worker runs them right after reading a file (so they spread over the pool or the cluster); the
flow runs them only for a file whose stored documents are missing or from an older version."""

from __future__ import annotations

from typing import Any

from extractors import EXTRACT_VERSION, DocumentText, extract
from models.pages import PageText
from pipeline.identify import Identifier

__all__ = ["IDENTIFY_VERSION", "documents_with_facts", "extraction_of", "identified_rows"]

IDENTIFY_VERSION = "identify-9"
_identify = Identifier()


def identified_rows(path: str, kind: str, pages: list[PageText]) -> list[dict[str, Any]]:
    """The file's documents as the store keeps them: page range, type, confidence, clues."""
    return [{"page_start": d.page_start, "page_end": d.page_end, "doc_type": d.doc_type, "confidence": d.confidence,
             "clues": d.clues, "identify_version": IDENTIFY_VERSION} for d in _identify(path, kind, pages)]


def extraction_of(path: str, doc_type: str | None, pages: list[PageText]) -> dict[str, Any]:
    """What the extractors read from one document's pages, as stored."""
    return extract(DocumentText(path, doc_type, pages)).model_dump(mode="json")


def documents_with_facts(path: str, kind: str, pages: list[PageText]) -> list[dict[str, Any]]:
    """identified_rows, each with its extraction and the extractors' version."""
    return [row | {"extraction": extraction_of(path, row["doc_type"], pages[row["page_start"] - 1:row["page_end"]]),
                   "extract_version": EXTRACT_VERSION}
            for row in identified_rows(path, kind, pages)]
