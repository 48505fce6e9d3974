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
    with pytest.raises(ValueError, match="values must name controls"):
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


@pytest.mark.parametrize("kwargs, error, name", [
    ({"title": ""}, TypeError, "title"),
    ({"controls": {}}, TypeError, "controls"),
    ({"controls": {"x": "slider"}}, TypeError, "controls"),
    ({"render": 3}, TypeError, "render"),
    ({"figsize": (0, 3)}, ValueError, "figsize"),
])
def test_bad_arguments_name_the_argument(kwargs, error, name):
    args = {"title": "t", "controls": {"x": ipywidgets.IntSlider()}, "render": lambda fig, x: ""}
    args.update(kwargs)
    with pytest.raises(error, match=name):
        Panel(**args)


def test_figure_png_checks_its_arguments():
    assert figure_png(Figure(figsize=(1, 1)))[:4] == b"\x89PNG"
    with pytest.raises(TypeError, match="fig"):
        figure_png("figure")
    with pytest.raises(ValueError, match="dpi"):
        figure_png(Figure(), dpi=0)


def test_layout_can_be_switched_off_and_image_keeps_its_size():
    panel = Panel("t", {"x": ipywidgets.IntSlider()}, lambda fig, x: str(x), layout=None)
    assert panel.figure.get_layout_engine() is None
    assert panel.image.layout.align_self == "flex-start"
    with pytest.raises(ValueError, match="layout"):
        Panel("t", {"x": ipywidgets.IntSlider()}, lambda fig, x: "", layout="grid")


def test_backdrop_pastes_its_pixels_under_the_data():
    import numpy as np

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from helpers.widgets import Backdrop

    fig = Figure(figsize=(1, 1), dpi=20)
    FigureCanvasAgg(fig)
    backdrop = Backdrop()
    fig.add_artist(backdrop)
    fig.canvas.draw()  # nothing yet: a white figure
    assert np.asarray(fig.canvas.buffer_rgba())[5, 5, :3].tolist() == [255, 255, 255]
    red = np.zeros((20, 20, 4), dtype=np.uint8)
    red[..., 0], red[..., 3] = 255, 255
    backdrop.pixels = red
    fig.canvas.draw()
    assert np.asarray(fig.canvas.buffer_rgba())[5, 5, :3].tolist() == [255, 0, 0]
