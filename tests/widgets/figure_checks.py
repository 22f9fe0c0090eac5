"""Reading what an explorer drew: labelled axes, lines by gid, texts."""

from nnlib import viz

OKABE_ITO = {colour.lower() for colour in viz.PALETTE.values()}


def assert_axes_labelled(fig):
    """Every visible axes has both axis labels and a title (a colour bar: its one label)."""
    for ax in fig.axes:
        if not ax.axison:
            continue
        if ax.get_label() == "<colorbar>":
            assert ax.get_ylabel() or ax.get_xlabel(), "colorbar without a label"
        else:
            assert ax.get_xlabel() and ax.get_ylabel(), f"axes {ax.get_title()!r} lacks an axis label"
            assert ax.get_title(), "axes without a title"


def line(ax, gid):
    (found,) = [candidate for candidate in ax.lines if candidate.get_gid() == gid]
    return found


def texts(fig):
    return [text.get_text() for ax in fig.axes for text in ax.texts]
