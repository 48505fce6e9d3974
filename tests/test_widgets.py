import io

import ipywidgets
import pytest
from matplotlib.figure import Figure

from helpers.widgets import Panel, figure_png


def line_panel():
    calls = []

    def render(fig, slope, label):
        calls.append((slope, label))
        ax = fig.axes[0] if fig.axes else fig.add_subplot()
        ax.clear()
        ax.plot([0, 1], [0, slope])
        return f"{label}: slope {slope}"

    controls = {"slope": ipywidgets.FloatSlider(value=1.0, min=0.0, max=3.0),
                "label": ipywidgets.Dropdown(options=["a", "b"], value="a")}
    return Panel("Lines", controls, render), calls


def test_first_render_happens_on_construction():
    panel, calls = line_panel()
    assert calls == [(1.0, "a")]
    assert panel.text == "a: slope 1.0"
    assert panel.image.value[:4] == b"\x89PNG"


def test_first_values_are_refused_as_set_refuses_them_and_else_shown_first():
    def make(**values):
        return Panel("t", {"n": ipywidgets.IntSlider(min=1, max=5), "m": ipywidgets.Dropdown(options=["a", "b"])},
                     lambda fig, n, m: f"{n}{m}", values=values)

    assert make(n=4, m="b").text == "4b"
    with pytest.raises(ValueError, match=r"^n must be a whole number from 1 to 5, got 9$"):
        make(n=9)
    with pytest.raises(ValueError, match=r"^k is not a control of this panel; its controls are \['m', 'n'\]$"):
        make(k=1)


def test_a_control_change_redraws_the_image_and_text():
    panel, calls = line_panel()
    before = panel.image.value
    panel.controls["slope"].value = 2.5  # as the browser would
    assert calls[-1] == (2.5, "a")
    assert panel.image.value != before
    assert "slope 2.5" in panel.caption.value
    assert len(panel.timings) == 2


def test_set_changes_several_controls_with_one_redraw():
    panel, calls = line_panel()
    panel.set(slope=0.5, label="b")
    assert calls == [(1.0, "a"), (0.5, "b")]
    panel.controls["label"].value = "a"  # observers are back after set()
    assert calls[-1] == (0.5, "a")


def test_set_rejects_unknown_controls():
    panel, _ = line_panel()
    with pytest.raises(ValueError, match="angle is not a control of this panel; its controls are"):
        panel.set(angle=3)


def displayed(obj):
    """The outputs IPython records when a cell ends with ``obj``, as in a notebook."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    with capture_output() as captured:
        shell.displayhook(obj)
    return [output.data for output in captured.outputs]


def test_a_panel_shows_as_its_widget_with_a_fixed_text():
    panel, _ = line_panel()
    (bundle,) = displayed(panel)
    assert bundle["text/plain"] == "Lines (interactive: run the notebook to use the controls)"
    assert bundle["application/vnd.jupyter.widget-view+json"] == {
        "version_major": 2, "version_minor": 0, "model_id": panel.widget.model_id}


@pytest.mark.parametrize("control, good, bad, says", [
    (ipywidgets.IntSlider(value=2, min=1, max=5), 5, [0, 6, 2.5, True, "3", float("nan")], "a whole number from 1 to 5"),
    (ipywidgets.FloatSlider(value=0.5, min=0, max=1), 1, [1.5, -0.1, float("nan"), None], "a number from 0 to 1"),
    (ipywidgets.FloatLogSlider(value=1, base=10, min=-2, max=2), 100, [1000, 0.001, 0], "a number from 0.01 to 100"),
    (ipywidgets.Dropdown(options=[("first", 0), ("second", 2)], value=0), 2, [1, "first", False, 2.0], "one of [0, 2]"),
    (ipywidgets.ToggleButtons(options=["a", "b"], value="a"), "b", ["A", None], "one of ['a', 'b']"),
    (ipywidgets.Checkbox(value=False), True, [1, "yes", None], "True or False"),
    (ipywidgets.SelectMultiple(options=["x", "y"], value=("x",)), ("y", "x"), ["x", ("x", "z")],
     "a list of values from ['x', 'y']"),
])
def test_set_refuses_what_a_control_cannot_take_in_one_sentence(control, good, bad, says):
    panel = Panel("t", {"v": control}, lambda fig, v: repr(v))
    for value in bad:
        with pytest.raises(ValueError) as refusal:
            panel.set(v=value)
        assert str(refusal.value) == f"v must be {says}, got {value!r}"
    assert panel.timings and len(panel.timings) == 1, "a refused value changes nothing"
    panel.set(v=good)
    assert panel.text == repr(control.value) and len(panel.timings) == 2


def test_figure_png_draws_the_figure_once_even_with_a_tight_savefig_setting():
    import matplotlib

    from PIL import Image

    fig = Figure(figsize=(1, 2), dpi=30)
    draws = []
    fig.add_artist(type("Counter", (matplotlib.artist.Artist,), {"draw": lambda self, r: draws.append(1)})())
    with matplotlib.rc_context({"savefig.bbox": "tight"}):
        png = figure_png(fig)
    assert draws == [1] and Image.open(io.BytesIO(png)).size == (30, 60)  # the figure's own size and dpi


def test_figure_png_holds_the_pixels_agg_drew():
    import numpy as np

    from PIL import Image

    fig = Figure(figsize=(3, 2), dpi=50)
    ax = fig.add_subplot()
    ax.plot([0, 1, 0.3], color="C1", alpha=0.6, linewidth=3)
    ax.set_title("λ = 3, ‖w‖")
    opaque = Image.open(io.BytesIO(figure_png(fig)))
    assert opaque.format == "PNG" and opaque.mode == "RGB"  # no alpha channel to send when every pixel is opaque
    assert np.array_equal(np.asarray(opaque.convert("RGBA")), np.asarray(fig.canvas.buffer_rgba()))
    fig.patch.set_alpha(0.5)  # a translucent background: alpha is kept
    translucent = Image.open(io.BytesIO(figure_png(fig)))
    assert translucent.mode == "RGBA"
    assert np.array_equal(np.asarray(translucent), np.asarray(fig.canvas.buffer_rgba()))


def test_the_figure_has_no_layout_engine_and_the_image_keeps_its_size():
    panel = Panel("t", {"x": ipywidgets.IntSlider()}, lambda fig, x: str(x))
    assert panel.figure.get_layout_engine() is None
    assert panel.image.layout.align_self == "flex-start"


def test_backdrop_pastes_its_pixels_under_the_data_and_draws_each_key_once():
    import numpy as np

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from helpers.widgets import Backdrop

    calls = []

    def paint(fig, colour):
        calls.append(colour)
        fig.patch.set_facecolor(colour)
        return f"{colour} drawn"

    fig = Figure(figsize=(1, 1), dpi=20)
    FigureCanvasAgg(fig)
    backdrop = fig.add_artist(Backdrop(paint))
    fig.canvas.draw()  # nothing yet: a white figure
    assert np.asarray(fig.canvas.buffer_rgba())[5, 5, :3].tolist() == [255, 255, 255]
    assert backdrop.show("red") == "red drawn" and backdrop.pixels.shape == (20, 20, 4)
    fig.canvas.draw()
    assert np.asarray(fig.canvas.buffer_rgba())[5, 5, :3].tolist() == [255, 0, 0]
    red = backdrop.pixels
    backdrop.show("blue")
    assert backdrop.show("red") == "red drawn" and backdrop.pixels is red and calls == ["red", "blue"]
    eager = fig.add_artist(Backdrop(paint, keys=["green", "red"]))
    eager.show("blue")
    assert calls[2:] == ["blue", "green", "red"]  # every key with the first show, then none again
    eager.show("green")
    assert len(calls) == 5
