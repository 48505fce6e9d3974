"""Make a notebook's printed output the same on every run and every machine, in its language."""

from __future__ import annotations

import functools
import importlib.resources
import numbers
import random
import tomllib
import warnings

import numpy as np
import torch

# Warnings whose text carries a file path or depends on the machine; each is named,
# so any other warning still reaches the learner.
_MACHINE_DEPENDENT_WARNINGS = (
    # d2l.evaluate_loss calls float() on a tensor that requires grad (torch >= 2.14).
    "Converting a tensor with requires_grad=True to a scalar",
    # torch 2.14's forward-mode AD (torch.func.jvp) loads its rules with torch.jit.script, once.
    "`torch.jit.script` is deprecated",
)

LANGUAGES = ("en", "zh-CN")
# Fonts with Chinese glyphs that matplotlib may find; without one, figures keep English words.
CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC")
_session = {"language": "en", "figure_language": "en"}


def setup(seed: int = 0, language: str = "en") -> None:
    """Seed every generator, use one CPU thread, fix print options and use PNG figures;
    ``language`` ("en" or "zh-CN") is the language of checks, hints and widgets."""
    wanted = "helpers.setup(seed) takes a whole number from 0 to 2**32 - 1, such as helpers.setup(0)"
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{wanted}; got {seed!r} ({type(seed).__name__})")
    if not 0 <= seed < 2**32:
        raise ValueError(f"{wanted}; got {seed}")
    seed = int(seed)
    if language not in LANGUAGES:
        raise ValueError(f"helpers.setup(language=...) takes {' or '.join(map(repr, LANGUAGES))}; got {language!r}")

    for seed_generator in (random.seed, np.random.seed, torch.manual_seed):
        seed_generator(seed)
    # Float sums are reduced in a different order with more threads, which changes
    # the last printed digits from one machine to the next.
    torch.set_num_threads(1)
    torch.set_printoptions(precision=4, sci_mode=False, linewidth=88)

    for message in _MACHINE_DEPENDENT_WARNINGS:
        warnings.filterwarnings("ignore", message=message)

    _session["language"] = language
    _use_png_figures(language)


def language() -> str:
    """The language ``setup()`` chose: ``"en"`` or ``"zh-CN"``."""
    return _session["language"]


def tr(template: str, /, **fields) -> str:
    """``template`` in the session's language, from ``helpers/locales/<language>.toml``; then
    ``template.format(**fields)`` when fields are given. English is the template itself."""
    return _translate(_session["language"], template, fields)


def tr_figure(template: str, /, **fields) -> str:
    """:func:`tr` for words drawn by matplotlib: English unless a font with Chinese glyphs was found."""
    return _translate(_session["figure_language"], template, fields)


def _translate(language: str, template: str, fields: dict) -> str:
    if language != "en":
        template = catalog(language).get(template, template)
    return template.format(**fields) if fields else template


@functools.cache
def catalog(language: str) -> dict[str, str]:
    return tomllib.loads((importlib.resources.files("helpers") / "locales" / f"{language}.toml").read_text("utf-8"))


def _use_png_figures(language: str) -> None:
    import matplotlib.pyplot as plt
    from IPython import get_ipython
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    cjk = [name for name in CJK_FONTS if name in installed][:1] if language != "en" else []
    _session["figure_language"] = language if cjk else "en"
    plt.rcParams.update({"figure.figsize": (5.5, 3.5), "figure.dpi": 100, "font.family": ["DejaVu Sans", *cjk],
                         "savefig.bbox": "tight", "axes.grid": True, "grid.alpha": 0.3})
    if get_ipython() is not None:
        # PNG, not SVG: nbval compares SVG text byte for byte and SVG ids change per run.
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
