"""Two-dimensional loss landscapes on which optimizers can be watched at work.

A real network's loss has millions of parameters; these functions of two
parameters ``(x, y)`` show, one at a time, the shapes that make optimization
hard: a narrow canyon, a curved valley, plateaus, a saddle, several minima.

=================  ==================================================  ==========================
landscape          f(x, y)                                             minima
=================  ==================================================  ==========================
``CANYON``         ``0.1 x**2 + 5 y**2`` (curvatures 0.2 and 10)       (0, 0)
``ROSENBROCK``     ``(1 - x)**2 + 100 (y - x**2)**2``                  (1, 1)
``BEALE``          ``(1.5 - x + xy)**2 + (2.25 - x + xy**2)**2``       (3, 0.5)
                   ``+ (2.625 - x + xy**3)**2``
``SADDLE``         ``x**2 - y**2``                                     none: a saddle at (0, 0)
``HIMMELBLAU``     ``(x**2 + y - 11)**2 + (x + y**2 - 7)**2``          four, all with f = 0
=================  ==================================================  ==========================

Each ``f`` is written with arithmetic operators only, so the same function
evaluates a float, a grid of ndarrays (for a contour plot) or nnlib Tensors
(for autograd). Each ``grad`` is the derivative worked out by hand.

:func:`optimize` runs any :mod:`nnlib.optim` optimizer on a landscape and
returns its :class:`Trajectory`, the path that the plots and explorers draw.
"""

import math
import numbers
from dataclasses import dataclass

import numpy as np

from nnlib.tensor import Tensor, no_grad

__all__ = [
    "BEALE",
    "CANYON",
    "HIMMELBLAU",
    "LANDSCAPES",
    "MAX_LOSS",
    "ROSENBROCK",
    "ROTATED_CANYON",
    "SADDLE",
    "Landscape",
    "Trajectory",
    "optimize",
    "quadratic",
]

MAX_LOSS = 1e6
"""Default of :func:`optimize`'s ``max_loss``: a loss beyond this in absolute value counts as divergence."""


class Landscape:
    """A function of two parameters with its gradient and what is known about it.

    Parameters
    ----------
    name : str
        Shown in titles and legends.
    f : callable
        ``f(x, y)``, written with operators only so that ``x`` and ``y`` may be
        floats, ndarrays of one shape (evaluated elementwise) or Tensors.
    grad : callable
        ``grad(x, y) -> (df/dx, df/dy)``, elementwise like ``f``.
    minima : list of (float, float)
        The global (and notable local) minima; empty if there are none.
    bounds : ((float, float), (float, float))
        ``((xmin, xmax), (ymin, ymax))``, the window a plot should show.
    start : (float, float)
        A start point that shows the landscape's difficulty.
    saddle_points : list of (float, float), optional
        Points where the gradient vanishes but which are neither minima nor maxima.
    description : str, optional
        One sentence on what the landscape teaches.
    """

    def __init__(self, name, f, grad, minima, bounds, start, saddle_points=(), description=""):
        self.name = name
        self.f = f
        self.grad = grad
        self.minima = [tuple(map(float, point)) for point in minima]
        self.saddle_points = [tuple(map(float, point)) for point in saddle_points]
        self.bounds = tuple(tuple(map(float, interval)) for interval in bounds)
        self.start = tuple(map(float, start))
        self.description = description

    def __call__(self, x, y):
        """Same as ``self.f(x, y)``."""
        return self.f(x, y)

    def __repr__(self):
        return f"Landscape({self.name!r}, minima={self.minima}, start={self.start})"

    def grid(self, resolution=200):
        """Evaluate ``f`` on a regular grid covering :attr:`bounds`, for contour plots.

        Returns
        -------
        xs, ys, values : ndarrays of shape (resolution, resolution)
            As made by ``np.meshgrid``: ``values[i, j] = f(xs[i, j], ys[i, j])``.
        """
        if isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral) or resolution < 2:
            raise ValueError(f"resolution must be an integer >= 2, got {resolution!r}")
        (xmin, xmax), (ymin, ymax) = self.bounds
        xs, ys = np.meshgrid(np.linspace(xmin, xmax, resolution), np.linspace(ymin, ymax, resolution))
        return xs, ys, self.f(xs, ys)


# ------------------------------------------------------------- the landscapes
def quadratic(
    curvatures=(0.2, 10.0), angle=0.0, name="quadratic", start=(-9.0, 2.0), bounds=None, description=None
):
    """A quadratic bowl ``f = (a u**2 + b v**2) / 2`` whose axes ``(u, v)`` are turned by ``angle``.

    ``(u, v)`` are ``(x, y)`` rotated by ``angle`` radians, so ``a`` and ``b``
    are the curvatures (the eigenvalues of the Hessian) along the two axes of
    the elliptic contours. With ``b > a`` the bowl is a canyon of condition
    number ``b / a``. Plain gradient descent with learning rate ``lr``
    multiplies the distance to the minimum along each axis by ``1 - lr * a``
    and ``1 - lr * b`` per step: it zig-zags across the canyon when
    ``lr > 1 / b`` and diverges when ``lr > 2 / b``.

    Parameters
    ----------
    curvatures : (float, float), default (0.2, 10.0)
        ``(a, b)``, both > 0.
    angle : float, default 0.0
        Rotation of the bowl's axes in radians (0: ``u = x``, ``v = y``).
    name : str, default "quadratic"
    start : (float, float), default (-9.0, 2.0)
    bounds : ((float, float), (float, float)), optional
        Defaults to ``((-10, 10), (-10, 10))`` when rotated and
        ``((-10, 10), (-4, 4))`` otherwise.
    description : str, optional
        Defaults to a sentence naming the curvatures and condition number.

    Returns
    -------
    Landscape
        With the minimum at the origin.
    """
    a, b = (float(c) for c in curvatures)
    if not (a > 0 and b > 0):
        raise ValueError(f"curvatures must both be > 0 for a bowl with a minimum, got {curvatures!r}")
    c, s = math.cos(angle), math.sin(angle)

    def f(x, y):
        if angle == 0:  # no rotation: keep the graph of f small when it is drawn
            return 0.5 * a * x**2 + 0.5 * b * y**2
        u = c * x + s * y
        v = c * y - s * x
        return 0.5 * a * u**2 + 0.5 * b * v**2

    def grad(x, y):
        df_du = a * (c * x + s * y)
        df_dv = b * (c * y - s * x)
        return c * df_du - s * df_dv, s * df_du + c * df_dv  # rotated back to (x, y)

    if bounds is None:
        bounds = ((-10.0, 10.0), (-4.0, 4.0)) if angle == 0 else ((-10.0, 10.0), (-10.0, 10.0))
    if description is None:
        description = f"a quadratic bowl with curvatures {a:g} and {b:g} (condition number {b / a:g})"
    return Landscape(name, f, grad, minima=[(0.0, 0.0)], bounds=bounds, start=start, description=description)


CANYON = quadratic(
    curvatures=(0.2, 10.0),
    name="canyon",
    start=(-9.0, 2.0),
    description=(
        "a narrow canyon, 50 times more curved across (y) than along (x): gradient descent zig-zags "
        "between its walls for lr > 0.1, diverges for lr > 0.2, and crawls along its floor"
    ),
)

# The same canyon turned by 45 degrees, started at the canyon's start turned with it: the same problem
# in coordinates that no longer follow its axes. Methods that treat every direction alike (gradient
# descent, momentum) take the same path turned, and reach the same losses; methods that scale each
# coordinate separately (Adagrad, RMSprop, Adam) lose their advantage.
_TURN = math.pi / 4
ROTATED_CANYON = quadratic(
    curvatures=(0.2, 10.0),
    angle=_TURN,
    name="rotated canyon",
    start=(
        math.cos(_TURN) * CANYON.start[0] - math.sin(_TURN) * CANYON.start[1],
        math.sin(_TURN) * CANYON.start[0] + math.cos(_TURN) * CANYON.start[1],
    ),
    description=(
        "the canyon turned by 45 degrees, so that its floor runs along the diagonal: the same "
        "curvatures 0.2 and 10, but no longer along the coordinate axes"
    ),
)


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_grad(x, y):
    return -2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)


ROSENBROCK = Landscape(
    "Rosenbrock",
    _rosenbrock,
    _rosenbrock_grad,
    minima=[(1.0, 1.0)],
    bounds=((-2.0, 2.0), (-1.0, 3.0)),
    start=(-1.2, 1.0),  # Rosenbrock's own start point (1960)
    description="a curved, flat-bottomed valley: easy to find, slow to follow to the minimum at (1, 1)",
)


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _beale_grad(x, y):
    r1 = 1.5 - x + x * y
    r2 = 2.25 - x + x * y**2
    r3 = 2.625 - x + x * y**3
    gx = 2 * r1 * (y - 1) + 2 * r2 * (y**2 - 1) + 2 * r3 * (y**3 - 1)
    gy = 2 * r1 * x + 2 * r2 * (2 * x * y) + 2 * r3 * (3 * x * y**2)
    return gx, gy


BEALE = Landscape(
    "Beale",
    _beale,
    _beale_grad,
    minima=[(3.0, 0.5)],
    bounds=((-4.5, 4.5), (-4.5, 4.5)),
    start=(1.0, 1.5),
    saddle_points=[(0.0, 1.0)],
    description="flat plateaus next to steep walls: gradients span many orders of magnitude",
)


def _saddle(x, y):
    return x**2 - y**2


def _saddle_grad(x, y):
    return 2 * x, -2 * y


SADDLE = Landscape(
    "saddle",
    _saddle,
    _saddle_grad,
    minima=[],
    bounds=((-2.0, 2.0), (-2.0, 2.0)),
    start=(-1.8, 0.01),
    saddle_points=[(0.0, 0.0)],
    description=(
        "a saddle point at (0, 0): the gradient vanishes there, but it is a minimum along x and a "
        "maximum along y; starting almost on the x-axis, descent slows down near it before escaping"
    ),
)


def _himmelblau(x, y):
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmelblau_grad(x, y):
    r1 = x**2 + y - 11
    r2 = x + y**2 - 7
    return 4 * x * r1 + 2 * r2, 2 * r1 + 4 * y * r2


HIMMELBLAU = Landscape(
    "Himmelblau",
    _himmelblau,
    _himmelblau_grad,
    # the four common roots of x**2 + y - 11 and x + y**2 - 7, where f = 0
    minima=[
        (3.0, 2.0),
        (-2.805118086952745, 3.131312518250573),
        (-3.779310253377747, -3.283185991286169),
        (3.584428340330492, -1.848126526964404),
    ],
    bounds=((-5.0, 5.0), (-5.0, 5.0)),
    start=(0.0, 0.0),
    description="four equally deep minima: which one an optimizer reaches depends on where and how it starts",
)

LANDSCAPES = {
    landscape.name.lower(): landscape
    for landscape in (CANYON, ROTATED_CANYON, ROSENBROCK, BEALE, SADDLE, HIMMELBLAU)
}
"""The landscapes by lower-case name: ``canyon``, ``rotated canyon``, ``rosenbrock``, ``beale``,
``saddle``, ``himmelblau``."""


# --------------------------------------------------------------- optimization
@dataclass(frozen=True, eq=False)
class Trajectory:
    """The path of an optimizer on a landscape.

    Attributes
    ----------
    points : ndarray of shape (k + 1, 2)
        The start and the point after each of the ``k`` steps that were kept.
    losses : ndarray of shape (k + 1,)
        ``f`` at each point.
    diverged_at : int or None
        The first step whose point or loss was not finite or whose loss
        exceeded ``max_loss`` in absolute value; that point is *not* in
        ``points``, so then ``len(points) == diverged_at``. ``None`` if all
        steps were kept.
    """

    points: np.ndarray
    losses: np.ndarray
    diverged_at: int | None = None

    @property
    def diverged(self):
        """True if the run stopped because it diverged."""
        return self.diverged_at is not None


def _loss(f, x, y):
    """``f(x, y)`` for Python floats, inf where they overflow (Python raises where numpy returns inf)."""
    try:
        return f(x, y)
    except OverflowError:
        return math.inf


def optimize(landscape, optimizer_factory, start=None, steps=100, max_loss=MAX_LOSS):
    """Run an optimizer on a landscape and record its path.

    The parameter is a float64 tensor of shape (2,). Each step sets its
    ``.grad`` from the landscape's closed-form gradient and calls the
    optimizer's ``step()``, exactly as a training loop does after
    ``backward()`` (which is not needed here, and skipping it keeps a few
    hundred steps within milliseconds).

    Parameters
    ----------
    landscape : Landscape
    optimizer_factory : callable
        Maps a list of parameters to an optimizer, e.g.
        ``lambda params: nnlib.optim.SGD(params, lr=0.1, momentum=0.9)``.
    start : (float, float), optional
        Defaults to ``landscape.start``.
    steps : int, default 100
        Number of optimizer steps (at most; fewer if it diverges).
    max_loss : float, default MAX_LOSS (1e6)
        A loss larger than this in absolute value counts as divergence
        (``math.inf``: only non-finite values do).

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> from nnlib import optim
    >>> path = optimize(CANYON, lambda params: optim.SGD(params, lr=0.15), steps=50)  # doctest: +SKIP
    >>> path.points.shape  # doctest: +SKIP
    (51, 2)
    """
    if not isinstance(landscape, Landscape):
        raise TypeError(
            f"landscape must be a Landscape (e.g. landscapes.CANYON), got {type(landscape).__name__}"
        )
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    if not (isinstance(max_loss, numbers.Real) and max_loss > 0):
        raise ValueError(f"max_loss must be a number > 0, got {max_loss!r}")
    start = landscape.start if start is None else start
    try:
        start = np.array(start, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"start must be a point (x, y) of two numbers, got {start!r}") from None
    if start.shape != (2,) or not np.isfinite(start).all():
        raise ValueError(f"start must be a point (x, y) of two finite numbers, got {start.tolist()!r}")

    f, grad = landscape.f, landscape.grad
    x, y = start.tolist()
    loss = _loss(f, x, y)
    if not (math.isfinite(loss) and abs(loss) <= max_loss):
        raise ValueError(f"the loss at start {start.tolist()} is {loss}, beyond max_loss={max_loss:g}")
    param = Tensor(start, requires_grad=True)
    optimizer = optimizer_factory([param])
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(
            "optimizer_factory must return an optimizer with a step() method, e.g. "
            f"lambda params: optim.SGD(params, lr=0.1); got {type(optimizer).__name__}"
        )

    points, losses, diverged_at = [(x, y)], [loss], None
    with no_grad(), np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, steps + 1):
            try:
                param.grad = np.array(grad(x, y), dtype=np.float64)
            except OverflowError:
                diverged_at = step
                break
            optimizer.step()
            x, y = param.data.tolist()
            loss = _loss(f, x, y)
            if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(loss) and abs(loss) <= max_loss):
                diverged_at = step
                break
            points.append((x, y))
            losses.append(loss)
    return Trajectory(np.array(points, dtype=np.float64), np.array(losses, dtype=np.float64), diverged_at)
