"""The plumbing behind ``ex.qN.check()``: :func:`compare` says what is wrong with a value in one
sentence; :func:`isolated` runs code from a fixed state and restores the notebook's (what ordinary
code changes, not a deliberate monkeypatch of torch); :func:`time_limit` stops a long run;
:func:`snapshot` and :func:`changes` see mutation."""

from __future__ import annotations

import contextlib
import math
import numbers
import random
import signal
import sys
import threading
from collections.abc import KeysView, Mapping, Set
from decimal import Decimal
from fractions import Fraction

import numpy as np
import torch

from helpers.session import tr


class Mismatch(Exception):  # raised inside comparisons; its message is shown to the learner as it is
    pass


class TimeLimit(BaseException):  # a BaseException, so that `except Exception` in an answer cannot swallow it
    pass


def short(text, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def describe(value) -> str:
    """A short, address-free description of ``value``, such as "the class int"; never raises."""
    try:
        kind = type(value).__name__
        if value is None:
            return "None"
        if isinstance(value, torch.Tensor):
            text = tr("a tensor of shape {shape} and dtype {dtype}" if value.layout == torch.strided
                      else "a {layout} tensor of shape {shape} and dtype {dtype}",
                      layout=value.layout, shape=list(value.shape), dtype=value.dtype)
            return text + (tr(" on the meta device") if value.is_meta else "")
        if isinstance(value, np.ndarray):
            return tr("a NumPy array of shape {shape} and dtype {dtype}", shape=list(value.shape), dtype=value.dtype)
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**12:
            return tr("an int with {digits} digits", digits=len(str(abs(value))))
        if isinstance(value, (numbers.Number, np.generic, str)):
            return tr("the {kind} {value}", kind=kind, value=short(repr(value), 40))
        if isinstance(value, type):
            return tr("the class {name}", name=value.__name__)
        if isinstance(value, torch.nn.Module):
            return tr("a module of type {kind}", kind=kind)
        if isinstance(value, (list, tuple, dict, set, frozenset)):
            return tr("a {kind} of length {length}", kind=kind, length=len(value))
        if callable(value):
            return tr("the function {name}", name=short(getattr(value, "__name__", kind), 30))
        return tr("an object of type {kind}", kind=kind)
    except Exception:
        return tr("an object that cannot be described")


def error_text(error: BaseException) -> str:
    """``TypeName: first line of the message``, short; works even when ``str(error)`` raises."""
    try:
        return f"{type(error).__name__}: {short(str(error).splitlines()[0], 120)}"
    except Exception:  # an empty message, or a __str__ that raises
        return type(error).__name__


def _number(value, what: str):
    """``value`` as an exact int or Fraction (a float when it is nan or inf)."""
    if isinstance(value, (torch.Tensor, np.ndarray)):
        if value.ndim != 0 or value.dtype in (torch.bool, np.bool_):
            raise Mismatch(tr("{what}: expected a single number, got {got}", what=what, got=describe(value)))
        if isinstance(value, torch.Tensor) and (value.is_meta or value.is_complex()):
            raise Mismatch(tr("{what}: expected a real number, got {got}", what=what, got=describe(value)))
        value = value.item() if isinstance(value, np.ndarray) else value.detach().to_dense().cpu().item()
    if isinstance(value, np.generic) and not isinstance(value, np.bool_):
        value = value.item()
    if isinstance(value, (bool, np.bool_, str)) or not isinstance(value, (numbers.Real, Decimal)):
        real = isinstance(value, numbers.Complex) and not isinstance(value, bool)
        raise Mismatch(tr("{what}: expected a real number, got {got}" if real else "{what}: expected a number, got {got}",
                          what=what, got=describe(value)))
    try:
        return int(value) if isinstance(value, numbers.Integral) else Fraction(value)
    except (ValueError, OverflowError):
        return float(value)


def _shown(number) -> str:
    big = isinstance(number, int) and abs(number) >= 10**12
    return tr("a number with {digits} digits", digits=len(str(abs(number)))) if big else f"{number}" \
        if isinstance(number, int) else f"{float(number):.6g}"


def compare(answer, expected, *, rtol: float = 1e-4, atol: float = 1e-6, same_dtype: bool = False,
            what: str | None = None) -> str | None:
    """What is wrong with ``answer`` in one sentence, or ``None``. An int is a count, equal exactly
    whatever the answer's type; a float is close within ``rtol``/``atol``; a string exact (keys are
    case-sensitive); a set matches any collection; a tensor by shape, values (dtype if ``same_dtype``).
    ``what`` names the answer in the message (default: "your answer")."""
    what = tr("your answer") if what is None else what
    try:
        _compare(answer, expected, dict(rtol=rtol, atol=atol, same_dtype=same_dtype), what)
    except Mismatch as mismatch:
        return str(mismatch)
    except RecursionError:
        return tr("{what}: it contains itself, so it cannot be compared", what=what)
    return None


def _compare(answer, expected, options: dict, what: str) -> None:  # one branch per kind of answer
    if isinstance(expected, torch.Tensor):
        _compare_tensor(answer, expected, options, what)
    elif isinstance(expected, (bool, np.bool_)):
        if isinstance(answer, torch.Tensor) and answer.ndim == 0 and answer.dtype == torch.bool:
            answer = answer.item()
        if not isinstance(answer, (bool, np.bool_)):
            raise Mismatch(tr("{what}: expected True or False, got {got}", what=what, got=describe(answer)))
        if bool(answer) != bool(expected):
            raise Mismatch(tr("{what}: {got} is not right", what=what, got=bool(answer)))
    elif isinstance(expected, numbers.Integral):
        number = _number(answer, what)
        if not isinstance(number, int) and not (isinstance(number, Fraction) and number.denominator == 1):
            raise Mismatch(tr("{what}: {got} is not the expected count (a whole number)", what=what, got=_shown(number)))
        if number != expected:
            raise Mismatch(tr("{what}: {got} is not the expected count", what=what, got=_shown(int(number))))
    elif isinstance(expected, numbers.Real):
        number = _number(answer, what)
        try:
            close = math.isclose(float(number), expected, rel_tol=options["rtol"], abs_tol=options["atol"])
        except OverflowError:
            close = False
        if not close:
            raise Mismatch(tr("{what}: {got} is not close enough to the expected value", what=what, got=_shown(number)))
    elif isinstance(expected, str):
        if not isinstance(answer, str):
            raise Mismatch(tr("{what}: expected a string, got {got}", what=what, got=describe(answer)))
        if answer.strip() != expected:
            case = tr(" (names and keys are case-sensitive)") if answer.strip().lower() == expected.lower() else ""
            raise Mismatch(tr("{what}: {got} is not the expected text", what=what, got=short(repr(answer))) + case)
    elif isinstance(expected, Mapping):
        if not isinstance(answer, Mapping):
            raise Mismatch(tr("{what}: expected a dict, got {got}", what=what, got=describe(answer)))
        if set(answer) != set(expected):
            raise Mismatch(tr("{what}: {missing} expected key(s) missing, {extra} unexpected", what=what,
                              missing=len(set(expected) - set(answer)), extra=len(set(answer) - set(expected))))
        for key in expected:
            _compare(answer[key], expected[key], options, f"{what}[{key!r}]")
    elif isinstance(expected, (set, frozenset)):
        if isinstance(answer, (str, bytes, Mapping)) or not isinstance(answer, (Set, KeysView, list, tuple)):
            raise Mismatch(tr("{what}: expected a set, got {got}", what=what, got=describe(answer)))
        try:
            got = set(answer)
        except TypeError:
            raise Mismatch(tr("{what}: its elements must be hashable, like strings or numbers", what=what)) from None
        if got != set(expected):
            raise Mismatch(tr("{what}: {extra} element(s) should not be there and {missing} are missing", what=what,
                              extra=len(got - set(expected)), missing=len(set(expected) - got)))
    elif isinstance(expected, (list, tuple)):
        if isinstance(answer, (torch.Tensor, np.ndarray)) and answer.ndim == 1:
            answer = list(answer)
        if not isinstance(answer, (list, tuple)):
            raise Mismatch(tr("{what}: expected a {kind} of length {length}, got {got}", what=what,
                              kind=type(expected).__name__, length=len(expected), got=describe(answer)))
        if len(answer) != len(expected):
            raise Mismatch(tr("{what}: expected length {length}, got {got}", what=what, length=len(expected),
                              got=len(answer)))
        for index, (got, want) in enumerate(zip(answer, expected)):
            _compare(got, want, options, f"{what}[{index}]")
    elif expected is None:
        if answer is not None:
            raise Mismatch(tr("{what}: expected None, got {got}", what=what, got=describe(answer)))
    else:
        raise TypeError(f"compare() cannot check an expected {type(expected).__name__}")


def _compare_tensor(answer, expected: torch.Tensor, options: dict, what: str) -> None:
    if not isinstance(answer, torch.Tensor):
        numpy = tr(" (torch.from_numpy converts a NumPy array)") if isinstance(answer, np.ndarray) else ""
        raise Mismatch(tr("{what}: expected a torch tensor of shape {shape}, got {got}", what=what,
                          shape=list(expected.shape), got=describe(answer)) + numpy)
    if answer.shape != expected.shape:
        raise Mismatch(tr("{what}: expected shape {shape}, got {got}", what=what, shape=list(expected.shape),
                          got=list(answer.shape)))
    if answer.is_meta or answer.is_complex():
        raise Mismatch(tr("{what}: expected real values, got {got}", what=what, got=describe(answer)))
    got, want = answer.detach().to_dense().cpu(), expected.detach().to_dense().cpu()
    bool_mismatch = (want.dtype == torch.bool) != (got.dtype == torch.bool)
    if (options["same_dtype"] and got.dtype != want.dtype) or bool_mismatch:
        raise Mismatch(tr("{what}: expected dtype {dtype}, got {got}", what=what, dtype=want.dtype, got=got.dtype))
    if want.is_floating_point() and not got.is_floating_point():
        raise Mismatch(tr("{what}: expected a float tensor, got dtype {got}", what=what, got=got.dtype))
    if want.is_floating_point():
        right = torch.isclose(got.double(), want.double(), rtol=options["rtol"], atol=options["atol"])
    else:
        right = got.double() == want.double()
    if not bool(right.all()):
        raise Mismatch(tr("{what}: {off} of {count} values are off", what=what, off=int((~right).sum()),
                          count=want.numel()))


_GLOBAL_STATE = (  # (read, write) pairs of what a check must leave as it found it
    (torch.get_rng_state, torch.set_rng_state), (np.random.get_state, np.random.set_state),
    (random.getstate, random.setstate), (torch.get_default_dtype, torch.set_default_dtype),
    (torch.get_default_device, torch.set_default_device), (torch.is_grad_enabled, torch.set_grad_enabled),
    (torch.get_num_threads, torch.set_num_threads), (torch.is_anomaly_enabled, torch.set_anomaly_enabled),
    (sys.getrecursionlimit, sys.setrecursionlimit),
)


@contextlib.contextmanager
def isolated(seed: int = 0):
    """Run the block from a known state (seeded, float32 on the CPU, grad on); restore the caller's."""
    saved = [read() for read, _ in _GLOBAL_STATE]
    try:
        for seed_generator in (torch.manual_seed, np.random.seed, random.seed):
            seed_generator(seed)
        torch.set_default_dtype(torch.float32)
        torch.set_default_device(None)
        torch.set_grad_enabled(True)
        yield
    finally:
        for (_, write), value in zip(_GLOBAL_STATE, saved):
            write(value)


def _stop(signum, frame):
    raise TimeLimit


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise :class:`TimeLimit` in the block after ``seconds``, again every 0.5 s if it is
    swallowed (Unix main thread; elsewhere the block runs without a limit)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _stop)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _tensors(value, what: str):
    """(label, tensor) for every tensor in ``value``: a module's parameters, buffers and grads too."""
    if isinstance(value, torch.Tensor):
        yield what, value
    elif isinstance(value, torch.nn.Module):
        for name, tensor in value.state_dict(keep_vars=True).items():
            yield tr("{what}'s {name}", what=what, name=name), tensor
        for name, parameter in value.named_parameters():
            yield tr("the gradient of {what}'s {name}", what=what, name=name), parameter.grad
    elif isinstance(value, (list, tuple, dict)):
        for item in value.values() if isinstance(value, dict) else value:
            yield from _tensors(item, what)


def snapshot(value) -> list:
    """A copy of every tensor in ``value``, with its requires_grad flag."""
    return [(label, None if t is None else (t.detach().clone(), t.requires_grad))
            for label, t in _tensors(value, tr("the input"))]


def changes(before: list, value) -> str | None:
    """What changed in ``value`` since ``before = snapshot(value)``, or ``None``."""
    after = list(_tensors(value, tr("the input")))
    if [label for label, _ in after] != [label for label, _ in before]:
        return tr("the input's parameters or buffers were replaced")
    for (label, old), (_, new) in zip(before, after):
        if (old is None) != (new is None):
            return tr("{label} was changed", label=label)
        if old is not None and (new.shape != old[0].shape or not torch.equal(new.detach(), old[0])):
            return tr("{label} was modified in place", label=label)
        if old is not None and new.requires_grad != old[1]:
            return tr("{label} changed its requires_grad flag", label=label)
    return None
