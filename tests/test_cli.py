from typer.testing import CliRunner

from shenhe import __version__
from shenhe.cli import app

runner = CliRunner()


def test_version_prints_the_package_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_lists_the_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("process", "eval", "fixtures"):
        assert command in result.output


def test_unknown_ruleset_is_refused(tmp_path):
    result = runner.invoke(app, ["process", str(tmp_path), "--rules", "nowhere", "--as-of", "2026-06-30"])
    assert result.exit_code == 2
    assert "未知的规则集" in result.output


def test_bad_as_of_is_refused(tmp_path):
    result = runner.invoke(app, ["process", str(tmp_path), "--rules", "hubei-yanxuan", "--as-of", "30/06/2026"])
    assert result.exit_code == 2
