"""One extractor per document type: stored page text → facts with evidence."""

from __future__ import annotations

from extractors import (
    application_report,
    audit_report,
    authenticity_declaration,
    business_license,
    credit,
    premises,
    qualification_certificate,
    recommendation_form,
    service_evidence,
    service_photo,
    staff_roster,
)
from extractors.base import Extraction, Extractor
from extractors.layout import DocumentText

__all__ = ["EXTRACT_VERSION", "EXTRACTORS", "extract", "DocumentText", "Extraction"]

# Part of what is stored with each document's facts: bump when any extractor changes.
EXTRACT_VERSION = "extract-39"

EXTRACTORS: dict[str, Extractor] = {
    "business_license": business_license.extract,
    "legal_person_certificate": business_license.extract,
    "lease_contract": premises.extract_lease,
    "property_certificate": premises.extract_property,
    "creditchina_report": credit.extract_creditchina,
    "ccgp_record": credit.extract_ccgp,
    "staff_roster": staff_roster.extract,
    "audit_report": audit_report.extract,
    "application_report": application_report.extract,
    "service_evidence": service_evidence.extract,
    "service_photo": service_photo.extract,
    "qualification_certificate": qualification_certificate.extract,
    "authenticity_declaration": authenticity_declaration.extract,
    "recommendation_form": recommendation_form.extract,
}


def extract(doc: DocumentText) -> Extraction:
    """The facts of one document; an unknown type yields none, an extractor's crash is noted, not raised."""
    extractor = EXTRACTORS.get(doc.doc_type)
    if extractor is None:
        return Extraction()
    try:
        return extractor(doc)
    except Exception as exc:  # noqa: BLE001 - one document's bug must not stop the batch
        return Extraction(notes=[f"读取{doc.path}的事实时出错：{type(exc).__name__}: {exc}"])
