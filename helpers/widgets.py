"""The chapters' widget frame: a :class:`Panel` wires ipywidgets controls to a ``render`` function
that draws on one matplotlib figure (made once, sent as PNG bytes) and returns a line of text.
"""

from __future__ import annotations

import html
import io
import numbers
import time
from typing import Any, Callable, Mapping

import ipywidgets
import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox, TransformedBbox

from helpers.session import tr


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """Render ``fig`` to PNG bytes, drawing it once."""
    buffer = io.BytesIO()
    # setup() makes savefig's bbox "tight", which draws a figure twice; a widget's figure is laid
    # out already. Light compression: the bytes go to the browser once, encoding time is felt.
    with matplotlib.rc_context({"savefig.bbox": "standard"}):
        fig.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def rendered_pixels(fig: Figure) -> np.ndarray:
    """``fig`` drawn once, as the RGBA pixels (height x width x 4) a :class:`Backdrop` pastes."""
    FigureCanvasAgg(fig).draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


class Backdrop(Artist):
    """Pre-rendered RGBA pixels covering a whole figure, pasted unscaled under everything else.

    Text (ticks, labels, legends) is the slow part of a matplotlib redraw. A widget whose axes
    keep fixed ranges draws them once, keeps the pixels, and on each update draws only its
    data on top. ``pixels`` must match the size the figure is saved at (width x height x 4).
    """

    def __init__(self) -> None:
        super().__init__()
        self.pixels = None
        self.set_zorder(0)

    def get_window_extent(self, renderer=None):
        # The whole figure, so that savefig(bbox_inches="tight") crops nothing away.
        return TransformedBbox(Bbox.unit(), self.figure.transFigure)

    def draw(self, renderer) -> None:
        if self.pixels is None or not self.get_visible():
            return
        gc = renderer.new_gc()
        # The figure's corner moves when a tight bounding box adds padding around it.
        x0, y0 = self.figure.transFigure.transform((0, 0))
        renderer.draw_image(gc, round(x0), round(y0), self.pixels[::-1])
        gc.restore()


class Panel:
    """Controls, one figure drawn by ``render(fig, **values)``, and a text line.

    ``controls`` maps each keyword of ``render`` to an ipywidgets control; whenever
    one changes, ``render`` redraws the figure and its returned text is shown under it.
    ``timings`` keeps the seconds each update took (render plus PNG encoding).
    ``layout`` is the figure's layout engine.
    """

    def __init__(self, title: str, controls: Mapping[str, ipywidgets.ValueWidget],
                 render: Callable[..., str | None], *, figsize: tuple[float, float] = (6.0, 3.5), dpi: int = 90,
                 layout: str | None = "constrained") -> None:
        self.title, self.controls, self.render, self.dpi = tr(title), dict(controls), render, dpi
        # A render that places its axes itself passes layout=None: no layout pass per update.
        self.figure = Figure(figsize=figsize, layout=layout)
        # Shown at its own pixel size, not stretched to the output width (which blurs it).
        self.image = ipywidgets.Image(format="png", layout=ipywidgets.Layout(align_self="flex-start"))
        self.caption = ipywidgets.HTML()
        self.timings: list[float] = []
        self.text = ""
        for control in self.controls.values():
            control.description = tr(control.description)  # a name like "lr" is its own translation
            control.observe(self._on_change, names="value")
        header = ipywidgets.HTML(f"<b>{html.escape(self.title)}</b>")
        self.widget = ipywidgets.VBox([header, ipywidgets.HBox(list(self.controls.values())), self.image, self.caption])
        self.update()

    @property
    def values(self) -> dict[str, Any]:
        return {name: control.value for name, control in self.controls.items()}

    def update(self) -> None:
        start = time.perf_counter()
        text = self.render(self.figure, **self.values)
        self.image.value = figure_png(self.figure, dpi=self.dpi)
        self.text = "" if text is None else str(text)
        # JupyterLab breaks <pre> text anywhere (word-break: break-all); wrap at spaces instead.
        self.caption.value = f'<pre style="word-break: normal">{html.escape(self.text)}</pre>'
        self.timings.append(time.perf_counter() - start)

    def set(self, **values: Any) -> None:
        """Set controls by name, as a learner would, and redraw once. A value its control cannot
        take (out of range, not an option, NaN) is refused in one sentence, and nothing changes."""
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(tr("{name} is not a control of this panel; its controls are {controls}", name=name,
                                    controls=sorted(self.controls)))
            if takes := _takes(self.controls[name], value):
                raise ValueError(tr("{name} must be {takes}, got {value!r}", name=name, takes=takes, value=value))
        with self.widget.hold_sync():
            for control in self.controls.values():
                control.unobserve(self._on_change, names="value")
            try:
                for name, value in values.items():
                    self.controls[name].value = value
            finally:
                for control in self.controls.values():
                    control.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, change: dict) -> None:
        self.update()

    def _ipython_display_(self) -> None:
        # The widget view for live frontends and a fixed text for nbval, GitHub and print. Built
        # here because widgets have _repr_mimebundle_ only from ipywidgets 8 (Colab runs 7).
        from IPython.display import display

        view = {"version_major": 2, "version_minor": 0, "model_id": self.widget.model_id}
        display({"application/vnd.jupyter.widget-view+json": view,
                 "text/plain": tr("{title} (interactive: run the notebook to use the controls)", title=self.title)},
                raw=True)

    def __repr__(self) -> str:
        return f"<Panel {self.title!r}: controls {sorted(self.controls)}>"


def _takes(control: ipywidgets.ValueWidget, value) -> str | None:
    """What ``control`` accepts, when ``value`` is not among it; else ``None``."""
    if hasattr(control, "options"):
        options = list(getattr(control, "_options_values", control.options))
        many = isinstance(control, ipywidgets.SelectMultiple)
        chosen = list(value) if many and isinstance(value, (list, tuple)) else [value] if not many else None
        # Types must match too, so that True is not taken for 1.
        if chosen is None or not all(any(type(v) is type(o) and v == o for o in options) for v in chosen):
            return tr("a list of values from {options}" if many else "one of {options}", options=options)
    elif isinstance(control.value, bool):
        if not isinstance(value, bool):
            return tr("True or False")
    elif hasattr(control, "min"):
        low, high = control.min, control.max
        if isinstance(control, ipywidgets.FloatLogSlider):
            low, high = control.base ** low, control.base ** high
        whole = isinstance(control.value, int)
        if (isinstance(value, bool) or not isinstance(value, numbers.Real) or not low <= value <= high
                or (whole and value != int(value))):
            return tr("a whole number from {low:g} to {high:g}" if whole else "a number from {low:g} to {high:g}",
                      low=low, high=high)
    return None
