import random
import warnings

import numpy as np
import pytest
import torch

import helpers


def draw():
    return random.random(), np.random.rand(), torch.rand(1).item()


def test_setup_makes_every_generator_repeat():
    helpers.setup(seed=3)
    first = draw()
    helpers.setup(seed=3)
    assert draw() == first
    helpers.setup(seed=4)
    assert draw() != first


def test_setup_uses_one_thread_and_returns_nothing():
    torch.set_num_threads(2)
    assert helpers.setup() is None
    assert torch.get_num_threads() == 1


def test_setup_silences_only_the_named_warning():
    helpers.setup()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        helpers.setup()  # re-installs its filters on top of the default
        warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to...", UserWarning)
        warnings.warn("something else", UserWarning)
    assert [str(w.message) for w in caught] == ["something else"]


@pytest.mark.parametrize("seed, error", [("0", TypeError), (1.5, TypeError), (True, TypeError), (None, TypeError),
                                         (-1, ValueError), (2**32, ValueError)])
def test_bad_seed_gets_one_sentence_that_says_what_to_pass(seed, error):
    with pytest.raises(error) as raised:
        helpers.setup(seed)
    message = str(raised.value)
    assert message.startswith("helpers.setup(seed) takes a whole number from 0 to 2**32 - 1, such as "
                              "helpers.setup(0); got ")
    assert repr(seed) in message or str(seed) in message
    assert message.count(". ") == 0  # one sentence


def test_a_numpy_integer_is_a_seed_like_any_other():
    helpers.setup(np.int64(3))
    first = draw()
    helpers.setup(3)
    assert draw() == first
