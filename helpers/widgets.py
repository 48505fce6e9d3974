"""A small frame for the chapters' interactive figures.

A :class:`Panel` wires ipywidgets controls to a plain ``render`` function that draws
on one matplotlib figure and returns a line of text. The figure is made once and
sent to the browser as PNG bytes in an ``Image`` widget, so an update costs one
redraw and no new figure.

>>> import ipywidgets
>>> def render(fig, scale):
...     ax = fig.axes[0] if fig.axes else fig.add_subplot()
...     ax.clear()
...     ax.plot([0, 1], [0, scale])
...     return f"slope {scale}"
>>> panel = Panel("Demo", {"scale": ipywidgets.FloatSlider(value=1.0, min=0, max=2)}, render)
>>> panel.text
'slope 1.0'
>>> panel.set(scale=2.0)
>>> panel.text
'slope 2.0'
"""

from __future__ import annotations

import html
import io
import time
from typing import Any, Callable, Mapping

import ipywidgets
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox, TransformedBbox

Render = Callable[..., "str | None"]


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """Render ``fig`` to PNG bytes.

    >>> figure_png(Figure(figsize=(1, 1)))[:4]
    b'\\x89PNG'
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 10 <= dpi <= 600:
        raise ValueError(f"dpi must be an int between 10 and 600, got {dpi!r}")
    buffer = io.BytesIO()
    # The figure's own layout already fits; a tight bbox would draw it twice per update.
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches=None)
    return buffer.getvalue()


class Backdrop(Artist):
    """Pre-rendered RGBA pixels covering a whole figure, pasted unscaled under everything else.

    Text (ticks, labels, legends) is the slow part of a matplotlib redraw. A widget whose axes
    keep fixed ranges draws them once, keeps the pixels, and on each update draws only its
    data on top. ``pixels`` must match the size the figure is saved at (width x height x 4).

    >>> import numpy as np
    >>> fig = Figure(figsize=(1, 1), dpi=10)
    >>> backdrop = Backdrop()
    >>> _ = fig.add_artist(backdrop)
    >>> backdrop.pixels = np.zeros((10, 10, 4), dtype=np.uint8)
    >>> figure_png(fig, dpi=10)[:4]
    b'\x89PNG'
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
    ``layout`` is the figure's layout engine; pass ``None`` when ``render`` places the axes.
    """

    def __init__(self, title: str, controls: Mapping[str, ipywidgets.ValueWidget], render: Render,
                 *, figsize: tuple[float, float] = (6.0, 3.5), dpi: int = 90,
                 layout: str | None = "constrained") -> None:
        if not isinstance(title, str) or not title:
            raise TypeError(f"title must be a non-empty str, got {title!r}")
        if not isinstance(controls, Mapping) or not controls:
            raise TypeError("controls must be a non-empty dict of name -> ipywidgets control")
        for name, control in controls.items():
            if not isinstance(control, ipywidgets.ValueWidget):
                raise TypeError(f"controls[{name!r}] must be an ipywidgets control with a value, "
                                f"got {type(control).__name__}")
        if not callable(render):
            raise TypeError(f"render must be callable, got {type(render).__name__}")
        if (not isinstance(figsize, tuple) or len(figsize) != 2
                or not all(isinstance(v, (int, float)) and 0 < v <= 20 for v in figsize)):
            raise ValueError(f"figsize must be a (width, height) tuple in inches, each in (0, 20], got {figsize!r}")
        self.title = title
        self.controls = dict(controls)
        self.render = render
        self.dpi = dpi
        if layout not in (None, "constrained", "tight"):
            raise ValueError(f"layout must be None, 'constrained' or 'tight', got {layout!r}")
        # A render that places its axes itself passes layout=None: no layout pass per update.
        self.figure = Figure(figsize=figsize, layout=layout)
        # Shown at its own pixel size, not stretched to the output width (which blurs it).
        self.image = ipywidgets.Image(format="png", layout=ipywidgets.Layout(align_self="flex-start"))
        self.caption = ipywidgets.HTML()
        self.timings: list[float] = []
        self.text = ""
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        header = ipywidgets.HTML(f"<b>{html.escape(title)}</b>")
        self.widget = ipywidgets.VBox([header, ipywidgets.HBox(list(self.controls.values())),
                                       self.image, self.caption])
        self.update()

    @property
    def values(self) -> dict[str, Any]:
        return {name: control.value for name, control in self.controls.items()}

    def update(self) -> None:
        """Redraw the figure and the text for the controls' current values."""
        start = time.perf_counter()
        text = self.render(self.figure, **self.values)
        self.image.value = figure_png(self.figure, dpi=self.dpi)
        self.text = "" if text is None else str(text)
        # JupyterLab breaks <pre> text anywhere (word-break: break-all); wrap at spaces instead.
        self.caption.value = f'<pre style="word-break: normal">{html.escape(self.text)}</pre>'
        self.timings.append(time.perf_counter() - start)

    def set(self, **values: Any) -> None:
        """Set controls by name, as a learner would, and redraw once.

        >>> import ipywidgets
        >>> panel = Panel("t", {"n": ipywidgets.IntSlider(value=1)}, lambda fig, n: str(n))
        >>> panel.set(n=3); panel.text
        '3'
        """
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f"values must name controls of this panel ({sorted(self.controls)}), got {unknown}")
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
                 "text/plain": f"{self.title} (interactive: run the notebook to use the controls)"}, raw=True)

    def __repr__(self) -> str:
        return f"<Panel {self.title!r}: controls {sorted(self.controls)}>"
