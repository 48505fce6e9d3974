"""How an exercise answer is compared and run: the plumbing behind ``ex.qN.check()``.

- :func:`compare` says what is wrong with a value, in one learner-facing sentence;
- :func:`isolated` runs code with fixed seeds and restores the notebook's global torch,
  NumPy and Python state afterwards (RNG states, default dtype and device, grad mode,
  threads), so a check neither depends on nor changes the notebook;
- :func:`time_limit` stops an answer that runs too long (Unix main thread only);
- :func:`snapshot` and :func:`changes` tell whether a call mutated its inputs.

A learner who monkeypatches torch itself on purpose is out of scope: the state saved
is the state that ordinary code changes.

>>> compare(49.5, 49)
'your answer: 49.5 is not the expected count (a whole number)'
>>> compare(torch.ones(2), torch.ones(2, dtype=torch.float64)) is None
True
"""

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


class Mismatch(Exception):
    """Raised inside comparisons; its message is shown to the learner as it is."""


class TimeLimit(BaseException):
    """Raised in the learner's code when it runs past the time limit (a BaseException,
    so an ``except Exception`` in the answer cannot swallow it)."""


def short(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def describe(value) -> str:
    """A short, address-free description of ``value`` for messages; never raises.

    >>> describe(torch.zeros(2, 3))
    'a tensor of shape [2, 3] and dtype torch.float32'
    >>> describe(int)
    'the class int'
    >>> describe(10**400)
    'an int with 401 digits'
    """
    try:
        if value is None or value is Ellipsis:
            return "None" if value is None else "the placeholder ..."
        if isinstance(value, torch.Tensor):
            kind = "a tensor" if value.layout == torch.strided else f"a {value.layout} tensor"
            where = " on the meta device" if value.is_meta else ""
            return f"{kind} of shape {list(value.shape)} and dtype {value.dtype}{where}"
        if isinstance(value, np.ndarray):
            return f"a NumPy array of shape {list(value.shape)} and dtype {value.dtype}"
        if isinstance(value, (bool, np.bool_)):
            return f"the bool {bool(value)}"
        if isinstance(value, int) and abs(value) >= 10**12:
            return f"an int with {len(str(abs(value)))} digits"
        if isinstance(value, (numbers.Number, np.generic)):
            return f"the {type(value).__name__} {short(repr(value), 30)}"
        if isinstance(value, str):
            return f"the string {short(repr(value))}"
        if isinstance(value, type):
            return f"the class {value.__name__}"
        if isinstance(value, torch.nn.Module):
            return f"a module of type {type(value).__name__}"
        if isinstance(value, (list, tuple, dict, set, frozenset)):
            return f"a {type(value).__name__} of length {len(value)}"
        if callable(value):
            return f"the function {short(getattr(value, '__name__', type(value).__name__), 30)}"
        return f"an object of type {type(value).__name__}"
    except Exception:
        return "an object that cannot be described"


def error_text(error: BaseException) -> str:
    """``TypeName: message``, one line, short; works even when ``str(error)`` raises."""
    try:
        message = short(str(error).splitlines()[0] if str(error) else "", 120)
    except Exception:
        message = ""
    name = type(error).__name__
    return f"{name}: {message}" if message else name


def _number(value, what: str):
    """``value`` as an int, Fraction or float, or a Mismatch naming what it is."""
    if isinstance(value, (bool, np.bool_)):
        raise Mismatch(f"{what}: expected a number, got {describe(value)}")
    if isinstance(value, (torch.Tensor, np.ndarray)):
        if value.ndim != 0 or value.dtype in (torch.bool, np.bool_):
            raise Mismatch(f"{what}: expected a single number, got {describe(value)}")
        if isinstance(value, torch.Tensor):
            if value.is_meta or value.is_complex():
                raise Mismatch(f"{what}: expected a real number, got {describe(value)}")
            value = value.detach().to_dense().cpu()
        value = value.item()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        raise Mismatch(f"{what}: expected a real number, got {describe(value)}")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, (numbers.Real, Decimal)):
        try:
            return Fraction(value)
        except (ValueError, OverflowError, TypeError):
            return float(value)  # nan or inf
    raise Mismatch(f"{what}: expected a number, got {describe(value)}")


def _shown(number) -> str:
    if isinstance(number, int):
        return str(number) if abs(number) < 10**12 else f"a number with {len(str(abs(number)))} digits"
    return f"{float(number):.6g}"


def _tensor_values(value, what: str) -> torch.Tensor:
    if value.is_meta:
        raise Mismatch(f"{what}: {describe(value)} holds no values")
    if value.is_complex():
        raise Mismatch(f"{what}: expected real values, got {describe(value)}")
    return value.detach().to_dense().cpu()


def compare(answer, expected, *, rtol: float = 1e-4, atol: float = 1e-6, same_dtype: bool = False,
            what: str = "your answer") -> str | None:
    """Return what is wrong with ``answer`` in one sentence, or ``None`` when it matches.

    An int ``expected`` is a count: equal exactly, whatever the answer's type. A float is
    compared within ``rtol``/``atol``. Strings compare exactly (surrounding spaces aside),
    since keys and names are case-sensitive. Sets accept any collection of the same
    elements. A tensor must match in shape and values; its dtype only if ``same_dtype``.
    """
    try:
        _compare(answer, expected, rtol, atol, same_dtype, what)
    except Mismatch as mismatch:
        return str(mismatch)
    except RecursionError:
        return f"{what}: it contains itself, so it cannot be compared"
    return None


def _compare(answer, expected, rtol, atol, same_dtype, what):  # noqa: C901 (one branch per kind)
    if isinstance(expected, torch.Tensor):
        _compare_tensor(answer, expected, rtol, atol, same_dtype, what)
    elif isinstance(expected, (bool, np.bool_)):
        if isinstance(answer, torch.Tensor) and answer.ndim == 0 and answer.dtype == torch.bool:
            answer = answer.item()
        if not isinstance(answer, (bool, np.bool_)):
            raise Mismatch(f"{what}: expected True or False, got {describe(answer)}")
        if bool(answer) != bool(expected):
            raise Mismatch(f"{what}: {bool(answer)} is not right")
    elif isinstance(expected, numbers.Integral):
        number = _number(answer, what)
        if isinstance(number, float) or (isinstance(number, Fraction) and number.denominator != 1):
            raise Mismatch(f"{what}: {_shown(number)} is not the expected count (a whole number)")
        if number != expected:
            raise Mismatch(f"{what}: {_shown(int(number))} is not the expected count")
    elif isinstance(expected, numbers.Real):
        number = _number(answer, what)
        try:
            value = float(number)
        except OverflowError:
            raise Mismatch(f"{what}: {_shown(number)} is far from the expected value") from None
        if not math.isclose(value, expected, rel_tol=rtol, abs_tol=atol):
            raise Mismatch(f"{what}: {value:.6g} is not close enough to the expected value")
    elif isinstance(expected, str):
        if not isinstance(answer, str):
            raise Mismatch(f"{what}: expected a string, got {describe(answer)}")
        if answer.strip() != expected:
            case = " (names and keys are case-sensitive)" if answer.strip().lower() == expected.lower() else ""
            raise Mismatch(f"{what}: {short(repr(answer))} is not the expected text{case}")
    elif isinstance(expected, Mapping):
        if not isinstance(answer, Mapping):
            raise Mismatch(f"{what}: expected a dict, got {describe(answer)}")
        missing = [key for key in expected if key not in answer]
        extra = [key for key in answer if key not in expected]
        if missing or extra:
            parts = ([f"{len(missing)} expected key(s) missing"] if missing else []) + \
                    ([f"unexpected key(s) {short(repr(extra))}"] if extra else [])
            raise Mismatch(f"{what}: " + "; ".join(parts))
        for key in expected:
            _compare(answer[key], expected[key], rtol, atol, same_dtype, f"{what}[{key!r}]")
    elif isinstance(expected, (set, frozenset)):
        if isinstance(answer, (str, bytes, Mapping)) or not isinstance(answer, (Set, KeysView, list, tuple)):
            raise Mismatch(f"{what}: expected a set, got {describe(answer)}")
        try:
            got = set(answer)
        except TypeError:
            raise Mismatch(f"{what}: its elements must be hashable, like strings or numbers") from None
        if got != set(expected):
            raise Mismatch(f"{what}: {len(got - set(expected))} element(s) should not be there and "
                           f"{len(set(expected) - got)} are missing")
    elif isinstance(expected, (list, tuple)):
        if isinstance(answer, (torch.Tensor, np.ndarray)) and answer.ndim == 1:
            answer = list(answer)
        if not isinstance(answer, (list, tuple)):
            raise Mismatch(f"{what}: expected a {type(expected).__name__} of length {len(expected)}, "
                           f"got {describe(answer)}")
        if len(answer) != len(expected):
            raise Mismatch(f"{what}: expected length {len(expected)}, got {len(answer)}")
        for index, (got, want) in enumerate(zip(answer, expected)):
            _compare(got, want, rtol, atol, same_dtype, f"{what}[{index}]")
    elif expected is None:
        if answer is not None:
            raise Mismatch(f"{what}: expected None, got {describe(answer)}")
    else:
        raise TypeError(f"compare() cannot check an expected {type(expected).__name__}")


def _compare_tensor(answer, expected, rtol, atol, same_dtype, what):
    if isinstance(answer, np.ndarray):
        raise Mismatch(f"{what}: expected a torch tensor, got a NumPy array (torch.from_numpy converts it)")
    if not isinstance(answer, torch.Tensor):
        raise Mismatch(f"{what}: expected a tensor of shape {list(expected.shape)}, got {describe(answer)}")
    if answer.shape != expected.shape:
        raise Mismatch(f"{what}: expected shape {list(expected.shape)}, got {list(answer.shape)}")
    if same_dtype and answer.dtype != expected.dtype:
        raise Mismatch(f"{what}: expected dtype {expected.dtype}, got {answer.dtype}")
    got, want = _tensor_values(answer, what), _tensor_values(expected, what)
    if want.dtype == torch.bool or got.dtype == torch.bool:
        if got.dtype != want.dtype:
            raise Mismatch(f"{what}: expected dtype {want.dtype}, got {got.dtype}")
    elif want.is_floating_point() and not got.is_floating_point():
        raise Mismatch(f"{what}: expected a float tensor, got dtype {got.dtype}")
    if not want.is_floating_point():
        if not torch.equal(got.to(want.dtype) if got.is_floating_point() else got, want) or \
                (got.is_floating_point() and not torch.equal(got, got.round())):
            wrong = int((got != want).sum())
            raise Mismatch(f"{what}: {wrong} of {want.numel()} entries are not right")
        return
    close = torch.isclose(got.double(), want.double(), rtol=rtol, atol=atol)
    if not bool(close.all()):
        raise Mismatch(f"{what}: {int((~close).sum())} of {want.numel()} values are off")


def _save_state() -> dict:
    return {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate(),
            "dtype": torch.get_default_dtype(), "device": torch.get_default_device(),
            "grad": torch.is_grad_enabled(), "threads": torch.get_num_threads(),
            "anomaly": torch.is_anomaly_enabled(), "recursion": sys.getrecursionlimit()}


def _restore_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])
    torch.set_default_dtype(state["dtype"])
    torch.set_default_device(state["device"])
    torch.set_grad_enabled(state["grad"])
    torch.set_num_threads(state["threads"])
    torch.set_anomaly_enabled(state["anomaly"])
    sys.setrecursionlimit(state["recursion"])


@contextlib.contextmanager
def isolated(seed: int = 0):
    """Run the block from a known state (seeded, float32, grad on) and put the caller's back."""
    state = _save_state()
    try:
        torch.manual_seed(seed)
        np.random.seed(seed)
        random.seed(seed)
        torch.set_default_dtype(torch.float32)
        torch.set_default_device(None)
        torch.set_grad_enabled(True)
        yield
    finally:
        _restore_state(state)


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise :class:`TimeLimit` inside the block after ``seconds`` (where SIGALRM exists)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def stop(signum, frame):
        raise TimeLimit

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)  # again every 0.5 s if swallowed
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def snapshot(value):
    """A deep copy of the tensors in ``value`` (a tensor, module, or list/tuple/dict of them)."""
    if isinstance(value, torch.Tensor):
        return (value.detach().clone(), value.requires_grad)
    if isinstance(value, torch.nn.Module):
        tensors = {name: snapshot(tensor) for name, tensor in value.state_dict(keep_vars=True).items()}
        grads = {name: None if p.grad is None else p.grad.detach().clone()
                 for name, p in value.named_parameters()}
        return (tensors, grads)
    if isinstance(value, (list, tuple)):
        return [snapshot(item) for item in value]
    if isinstance(value, dict):
        return {key: snapshot(item) for key, item in value.items()}
    return None


def changes(before, value, what: str = "the input") -> str | None:
    """What changed in ``value`` since ``snapshot(value)`` returned ``before``, or ``None``."""
    if isinstance(value, torch.Tensor):
        data, requires_grad = before
        if value.shape != data.shape or not torch.equal(value.detach(), data):
            return f"{what} was modified in place"
        return f"{what} changed its requires_grad flag" if value.requires_grad != requires_grad else None
    if isinstance(value, torch.nn.Module):
        tensors, grads = before
        for name, tensor in value.state_dict(keep_vars=True).items():
            problem = (changes(tensors[name], tensor, f"{what}'s {name}") if name in tensors
                       else f"{what} gained {name}")
            if problem:
                return problem
        for name, p in value.named_parameters():
            old = grads.get(name)
            if (old is None) != (p.grad is None) or (old is not None and not torch.equal(old, p.grad)):
                return f"the gradient of {what}'s {name} was changed"
        return None
    if isinstance(value, (list, tuple, dict)):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            problem = changes(before[key], item, what)
            if problem:
                return problem
    return None
