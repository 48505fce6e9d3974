import random
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import helpers


def draw():
    return random.random(), np.random.rand(), torch.rand(1).item()


def test_setup_makes_every_generator_repeat():
    helpers.setup(seed=3)
    first = draw()
    helpers.setup(seed=3)
    assert draw() == first
    helpers.setup(seed=4)
    assert draw() != first


def test_setup_uses_one_thread_and_returns_nothing():
    torch.set_num_threads(2)
    assert helpers.setup() is None
    assert torch.get_num_threads() == 1


def test_setup_silences_only_the_named_warning():
    helpers.setup()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        helpers.setup()  # re-installs its filters on top of the default
        warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to...", UserWarning)
        warnings.warn("something else", UserWarning)
    assert [str(w.message) for w in caught] == ["something else"]


@pytest.mark.parametrize("seed, error", [("0", TypeError), (1.5, TypeError), (True, TypeError), (None, TypeError),
                                         (-1, ValueError), (2**32, ValueError)])
def test_bad_seed_gets_one_sentence_that_says_what_to_pass(seed, error):
    with pytest.raises(error) as raised:
        helpers.setup(seed)
    message = str(raised.value)
    assert message.startswith("helpers.setup(seed) takes a whole number from 0 to 2**32 - 1, such as "
                              "helpers.setup(0); got ")
    assert repr(seed) in message or str(seed) in message
    assert message.count(". ") == 0  # one sentence


def test_a_numpy_integer_is_a_seed_like_any_other():
    helpers.setup(np.int64(3))
    first = draw()
    helpers.setup(3)
    assert draw() == first


@pytest.mark.parametrize("language", ["fr", "zh", "ZH-CN", None, 1])
def test_an_unknown_language_gets_one_sentence_naming_the_choices(language):
    with pytest.raises(ValueError, match=r"takes 'en' or 'zh-CN'; got") as error:
        helpers.setup(language=language)
    assert "\n" not in str(error.value)


def test_the_language_chooses_the_catalog_and_setup_goes_back_to_english():
    from helpers.session import language, tr

    helpers.setup(language="zh-CN")
    assert language() == "zh-CN" and tr("Correct.") == "正确。"
    assert tr("{what}: expected a set, got {got}", what="x", got="y") == "x：应当是一个集合，得到的是y"
    assert tr("a template no catalog has") == "a template no catalog has"  # English when none is written
    helpers.setup()
    assert language() == "en" and tr("Correct.") == "Correct."


def test_figures_speak_chinese_only_with_a_font_that_has_its_glyphs(monkeypatch):
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    from helpers.session import tr_figure

    fonts = font_manager.fontManager.ttflist
    without = [font for font in fonts if font.name not in helpers.session.CJK_FONTS]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", without)
    helpers.setup(language="zh-CN")
    assert tr_figure("count") == "count" and plt.rcParams["font.family"] == ["DejaVu Sans"]
    cjk = font_manager.FontEntry(fname="wqy.ttc", name="WenQuanYi Micro Hei")
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [*without, cjk])
    helpers.setup(language="zh-CN")
    assert tr_figure("count") == "个数" and plt.rcParams["font.family"] == ["DejaVu Sans", "WenQuanYi Micro Hei"]
    helpers.setup()
    assert tr_figure("count") == "count" and plt.rcParams["font.family"] == ["DejaVu Sans"]


def test_import_helpers_loads_a_chapter_module_only_when_it_is_used():
    code = ("import sys, helpers; before = 'helpers.weight_decay' in sys.modules; helpers.weight_decay; "
            "print(before, 'helpers.weight_decay' in sys.modules, hasattr(helpers, 'no_such_module'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True", "False"]
