"""shenhe (审核): reads SME service institutions' application materials for reviewers."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("shenhe")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
