"""Why a submitted file was not read: a stable code (for scripts, counts and tests) and a message in
Chinese (for the reviewer); and the limits that keep one hostile file from costing a batch its memory
or its time. Limits come from SHENHE_* variables, so an engineer can raise them for one batch."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

__all__ = ["Limits", "Problem", "limits", "problem"]

MESSAGES = {
    "empty_file": "文件为空（0字节）",
    "image_damaged": "图像文件已损坏或不完整，无法读取（{detail}）",
    "image_too_large": "图像尺寸 {width}×{height}，超过 {limit} 万像素的上限（可能是“解压炸弹”），未读取",
    "pdf_damaged": "PDF文件无法打开（{detail}）",
    "pdf_encrypted": "PDF文件已加密，需要密码才能打开；请提交未加密的文件",
    "too_many_pages": "文件共 {pages} 页，超过单个文件 {limit} 页的上限，未读取",
    "sheet_too_large": "工作表「{sheet}」超过 {limit} 行的上限，未读取；请只提交所需的内容",
    "unknown_format": "无法识别的文件格式",
    "executable": "可执行程序，不予读取",
    "legacy_office": "旧版Office文件（.doc/.xls/.wps），请另存为.docx/.xlsx后重新提交",
    "file_too_large": "文件 {size} MB，超过单个文件 {limit} MB 的上限，未读取",
    "zip_damaged": "压缩包无法打开：{detail}",
    "zip_truncated": "压缩包 {name} 不完整（上传或拷贝时中断，缺少文件目录）：已恢复其中 {recovered} 个完整的文件，其余文件无法读取",
    "zip_cut_off": "压缩包 {name} 不完整（上传或拷贝时中断）：其中没有一个完整的文件可以恢复，请申报单位重新提交",
    "zip_bomb": "压缩包中的文件解压后异常大（压缩比超过 {limit} 倍或超过 {size_limit} MB，可能是“压缩炸弹”），未读取",
    "zip_too_large": "压缩包解压后超过本申请 {limit} MB 的上限，此文件未读取",
    "zip_too_deep": "压缩包嵌套超过 {limit} 层，未展开",
    "unsafe_path": "压缩包内的文件名含有上级目录（..）、绝对路径或盘符，为安全起见未读取",
    "symlink": "符号链接（指向别处的文件或目录），为安全起见未读取",
    "read_failed": "读取失败：{detail}",
    "worker_failed": "读取失败（工作进程异常）：{detail}",
    "ocr_unavailable": "{detail}",
}


@dataclass(frozen=True)
class Problem:
    """A file's problem: its code and the message a reviewer reads."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def problem(code: str, **values: object) -> Problem:
    """The problem `code`, its message filled in with `values`."""
    return Problem(code, MESSAGES[code].format(**values)[:300])


@dataclass(frozen=True)
class Limits:
    """What one file, or one application's zips, may cost."""

    max_file_mb: int = 200  # a file (or a zip entry) larger is not read
    max_application_mb: int = 500  # what one application's zips may unpack to, in all (held in memory until read)
    max_zip_ratio: int = 200  # an entry that unpacks to more than this many times its packed size is a bomb
    max_zip_depth: int = 3  # zips inside zips, this many levels
    max_pages: int = 500  # pages of one file
    max_image_megapixels: int = 100  # decoded pixels of an image; a larger JPEG is decoded at a reduced size
    max_jpeg_reduction: int = 8  # JPEG decodes at 1/2, 1/4 or 1/8 of its size: 8 lets a JPEG claim 64 × the above
    max_sheet_rows: int = 20000  # rows of one worksheet

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb << 20

    @property
    def max_image_pixels(self) -> int:
        return self.max_image_megapixels * 1_000_000


def limits() -> Limits:
    """The limits, each from SHENHE_<NAME> (SHENHE_MAX_FILE_MB=500) when set, else its default."""
    chosen = {}
    for field in fields(Limits):
        text = os.environ.get(f"SHENHE_{field.name.upper()}", "").strip()
        if text:
            try:
                chosen[field.name] = max(1, int(text))
            except ValueError:
                raise ValueError(f"SHENHE_{field.name.upper()} 应为正整数，现为：{text}") from None
    return Limits(**chosen)
