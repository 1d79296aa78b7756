"""The reviewers' web application (`shenhe serve`): server-rendered pages over the store."""

from web.app import create_app

__all__ = ["create_app"]
