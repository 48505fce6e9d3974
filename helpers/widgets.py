"""The chapters' widget frame: a :class:`Panel` wires ipywidgets controls to a ``render`` function
that draws on one matplotlib figure (made once, sent as PNG bytes) and returns a line of text."""

from __future__ import annotations

import html
import io
import numbers
import time
from typing import Any, Callable, Mapping

import ipywidgets
import numpy as np
import PIL.Image
from IPython.display import display
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from helpers.session import tr


def figure_png(fig: Figure) -> bytes:
    """``fig`` drawn once at its own dpi, as PNG bytes."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    # Agg and Pillow, not savefig: setup() makes savefig's bbox "tight", which draws a figure twice, and a
    # widget's figure is laid out already. Light compression: the bytes go to the browser once.
    fig.canvas.draw()
    pixels, buffer = np.asarray(fig.canvas.buffer_rgba()), io.BytesIO()
    # An opaque figure (every chapter's) as RGB: a quarter fewer bytes to filter, compress and decode.
    opaque = pixels[..., :3] if (pixels[..., 3] == 255).all() else pixels
    PIL.Image.fromarray(opaque).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


class Backdrop(Artist):
    """Pixels covering a whole figure of fixed size, pasted unscaled under everything else. Text (ticks,
    labels, legends) is the slow part of a matplotlib redraw: a widget whose axes keep fixed ranges draws
    them once per ``key`` with ``draw(fig, key)``, and each update draws only its data over them. Add it
    to the figure (``fig.add_artist``) before ``show``; ``keys`` are drawn with the first, so that no
    later update is slow."""

    def __init__(self, draw: Callable[[Figure, Any], Any], keys=()) -> None:
        super().__init__()
        self.draw_static, self.keys, self.drawn, self.pixels = draw, tuple(keys), {}, None
        self.set_zorder(-1)  # under the axes, whatever order they were added in

    def show(self, key=None):
        """Paste the pixels drawn for ``key`` (drawing them the first time); return what ``draw`` returned."""
        for missing in [each for each in (key, *self.keys) if each not in self.drawn]:
            fig = Figure(figsize=self.figure.get_size_inches(), dpi=self.figure.dpi)
            result = self.draw_static(fig, missing)
            FigureCanvasAgg(fig).draw()
            self.drawn[missing] = np.asarray(fig.canvas.buffer_rgba()).copy(), result
        self.pixels, result = self.drawn[key]
        return result

    def draw(self, renderer) -> None:  # at the figure's corner: figure_png draws without a tight bounding box
        if self.pixels is None or not self.get_visible():
            return
        gc = renderer.new_gc()
        renderer.draw_image(gc, 0, 0, self.pixels[::-1])
        gc.restore()


class Panel:
    """Controls, one figure drawn by ``render(fig, **values)``, and a text line. ``controls`` maps each
    keyword of ``render`` to an ipywidgets control; whenever one changes, ``render`` redraws the figure
    and its returned text is shown under it. ``values`` are first values, refused as :meth:`set` refuses
    them; ``timings`` keeps the seconds each update took (render plus PNG encoding)."""

    def __init__(self, title: str, controls: Mapping[str, ipywidgets.ValueWidget],
                 render: Callable[..., str], *, values: Mapping[str, Any] | None = None,
                 figsize: tuple[float, float] = (6.0, 3.5), dpi: int = 90) -> None:
        self.title, self.controls, self.render, self.dpi, self.quiet = tr(title), dict(controls), render, dpi, False
        self._refuse(values or {})
        for name, value in (values or {}).items():
            self.controls[name].value = value
        # No layout engine: a render places its axes itself, and an update measures no labels.
        self.figure = Figure(figsize=figsize, dpi=dpi)
        # Shown at its own pixel size, not stretched to the output width (which blurs it).
        self.image = ipywidgets.Image(format="png", layout=ipywidgets.Layout(align_self="flex-start"))
        self.caption = ipywidgets.HTML()
        self.timings: list[float] = []
        for control in self.controls.values():
            control.description = tr(control.description)  # a name like "lr" is its own translation
            control.observe(self._on_change, names="value")
        header = ipywidgets.HTML(f"<b>{html.escape(self.title)}</b>")
        row = ipywidgets.HBox(list(self.controls.values()), layout=ipywidgets.Layout(flex_flow="row wrap"))
        self.widget = ipywidgets.VBox([header, row, self.image, self.caption])  # the row wraps on a narrow screen
        self.update()

    @property
    def values(self) -> dict[str, Any]:
        return {name: control.value for name, control in self.controls.items()}

    def update(self) -> None:
        start = time.perf_counter()
        self.text = str(self.render(self.figure, **self.values))
        self.image.value = figure_png(self.figure)
        # JupyterLab breaks <pre> text anywhere (word-break: break-all); wrap at spaces instead.
        self.caption.value = f'<pre style="word-break: normal">{html.escape(self.text)}</pre>'
        self.timings.append(time.perf_counter() - start)

    def set(self, **values: Any) -> None:
        """Set controls by name, as a learner would, and redraw once. A value its control cannot
        take (out of range, not an option, NaN) is refused in one sentence, and nothing changes."""
        self._refuse(values)
        with self.widget.hold_sync():
            self.quiet = True  # one redraw for all the values, not one per control
            try:
                for name, value in values.items():
                    self.controls[name].value = value
            finally:
                self.quiet = False
        self.update()

    def _refuse(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(tr("{name} is not a control of this panel; its controls are {controls}", name=name,
                                    controls=sorted(self.controls)))
            if takes := _takes(self.controls[name], value):
                raise ValueError(tr("{name} must be {takes}, got {value!r}", name=name, takes=takes, value=value))

    def _on_change(self, change: dict) -> None:
        if not self.quiet:
            self.update()

    def _ipython_display_(self) -> None:
        # The widget view for live frontends and a fixed text for nbval, GitHub and print. Built
        # here because widgets have _repr_mimebundle_ only from ipywidgets 8 (Colab runs 7).
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
