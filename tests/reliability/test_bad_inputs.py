"""Bad input, counted: every case of the corpus fails with its documented error and a clear message.

The corpus is :data:`tests.reliability.bad_inputs.CASES`. A message is clear
when it names the argument (or file) at fault and the value received. Where
the documented behaviour is not an error (NaN pixels through a layer, NaN
scores in a streaming metric), the tests below pin that behaviour instead.
"""

import re
from collections import Counter

import numpy as np
import pytest

from finvision import metrics
from finvision import preprocessing as fp
from tests.reliability.bad_inputs import CASES, build_context

MIN_CASES = 60
MIN_MODULES = 8


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    return build_context(tmp_path_factory.mktemp("bad_inputs"))


def _param(case):
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_bad_input_fails_clearly(case, context):
    with pytest.raises(case.error) as caught:
        case.call(context)
    message = str(caught.value)
    assert re.search(case.argument, message), f"argument {case.argument!r} not in: {message}"
    assert re.search(case.received, message), f"value {case.received!r} not in: {message}"


def test_corpus_size_and_reach():
    ids = [case.id for case in CASES]
    per_module = Counter(case.module for case in CASES)
    print(f"\nbad-input corpus: {len(CASES)} cases, {len(per_module)} modules: {dict(per_module)}")
    assert len(set(ids)) == len(ids)
    assert len(CASES) >= MIN_CASES
    assert len(per_module) >= MIN_MODULES


@pytest.mark.parametrize(
    "layer", [fp.Grayscale(), fp.ContrastStretch(), fp.BackboneNormalization("torch")]
)
def test_nan_pixels_stay_nan_through_deterministic_layers(layer):
    # Documented behaviour, not an error: layers run inside graphs and do not
    # check values, so a NaN pixel gives NaN where it is used ("NaN in, NaN out")
    # and never turns into a plausible finite image.
    images = np.full((1, 8, 8, 3), 128.0, dtype="float32")
    images[0, 2, 3] = np.nan
    outputs = np.asarray(layer(images))
    assert np.isnan(outputs[0, 2, 3]).any()


def test_streaming_metric_marks_nan_scores_and_empty_state_as_nan():
    # Documented in finvision.metrics.streaming: a NaN score makes the result NaN
    # until reset_state, and a result needing both classes is NaN before both.
    metric = metrics.EqualErrorRate(num_thresholds=11)
    assert np.isnan(float(metric.result()))
    metric.update_state([0, 1, 1], [0.1, 0.9, 0.8])
    assert float(metric.result()) == 0.0
    metric.update_state([1], [np.nan])
    assert np.isnan(float(metric.result()))
    metric.reset_state()
    metric.update_state([0, 1], [0.2, 0.7])
    assert float(metric.result()) == 0.0
