"""Intake on the committed sample batch: every submitted file found, junk skipped, broken files named."""

from __future__ import annotations

from pathlib import Path

from pipeline.intake import read_batch, sniff
from tests.conftest import REPO, read_truth

SAMPLES = REPO / "samples"


def test_intake_finds_every_truth_document_and_no_junk(small_batches):
    for root in list(small_batches.values()) + [SAMPLES / "hubei-yanxuan", SAMPLES / "changzhi-shifan"]:
        truth = {r["application_id"]: r for r in read_truth(root)}
        apps = {a.application_id: a for a in read_batch(root / "batch")}
        assert set(apps) == set(truth)
        for app_id, record in truth.items():
            found = {f.path: f for f in apps[app_id].files}
            assert set(found) == {d["path"] for d in record["documents"]}, app_id
            for doc in record["documents"]:
                f = found[doc["path"]]
                assert f.sha256 == doc["sha256"]
                assert (f.error is None) == (doc["status"] == "ok"), (app_id, doc["path"], f.error)


def test_sniff_reads_bytes_not_names():
    assert sniff(b"\xff\xd8\xff\xe0" + bytes(20)) == "jpeg"
    assert sniff(b"%PDF-1.4\n") == "pdf"
    assert sniff(b"MZ\x90\x00") == "exe"  # a program, whatever it is called
    assert sniff(b"\x00\x01garbage") == "unknown"


def test_missing_batch_folder_is_a_clear_error(tmp_path: Path):
    import pytest
    with pytest.raises(NotADirectoryError, match="批次目录不存在"):
        list(read_batch(tmp_path / "nope"))


def test_office_leftovers_are_nobodys_submission():
    from pipeline.intake import is_junk

    for leftover in ("材料/~WRL0001.tmp", "~WRD0000.tmp", "~$申请报告.docx", "报告/.~lock.申请报告.docx#", "__MACOSX/a.jpg",
                     "Thumbs.db"):
        assert is_junk(leftover), leftover
    for material in ("营业执照.jpg", "附件~1.pdf", "申请报告.tmp.pdf", "名册.xlsx"):
        assert not is_junk(material), material
