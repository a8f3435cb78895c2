"""The language of a run: --lang, else CHUYI_LANG, else the locale, else Chinese."""

from __future__ import annotations

import pytest

from chuyi_cli.i18n import default_lang

LOCALE_VARS = ("CHUYI_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture
def bare(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment where nothing names a language (as under cron or `env -i`)."""
    for var in LOCALE_VARS:
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({}, "zh"),
        ({"LANG": "C"}, "zh"),
        ({"LANG": "POSIX"}, "zh"),
        ({"LANG": "C.UTF-8"}, "zh"),
        ({"LANG": "fr_FR.UTF-8"}, "zh"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.Big5"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "EN_GB"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "C"}, "zh"),
        ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.GB18030"}, "zh"),
        ({"LANG": "zh_CN.UTF-8", "CHUYI_LANG": "en"}, "en"),
        ({"LANG": "en_US.UTF-8", "CHUYI_LANG": "ZH"}, "zh"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": ""}, "en"),
    ],
)
def test_the_default_language_follows_chuyi_lang_then_the_locale_then_chinese(bare, env, lang):
    for var, value in env.items():
        bare.setenv(var, value)
    assert default_lang() == lang


def test_a_run_with_no_locale_speaks_chinese(chuyi, bare):
    out = chuyi("status").stdout
    assert "完成度" in out and "Completion" not in out


def test_a_c_locale_speaks_chinese_even_beside_an_english_lang(chuyi, bare):
    bare.setenv("LANG", "en_US.UTF-8")
    bare.setenv("LC_ALL", "C")
    assert "完成度" in chuyi("status").stdout


def test_chuyi_lang_beats_the_locale_and_the_option_beats_both(chuyi, bare):
    bare.setenv("LANG", "zh_CN.UTF-8")
    bare.setenv("CHUYI_LANG", "en")
    assert "Completion" in chuyi("status").stdout
    assert "完成度" in chuyi("--lang", "zh", "status").stdout
    assert "完成度" in chuyi("status", "--lang", "zh").stdout


def test_an_english_locale_speaks_english(chuyi, bare):
    bare.setenv("LANG", "en_GB.UTF-8")
    assert "Completion" in chuyi("status").stdout
