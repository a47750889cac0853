"""Streaming CER/WER: equal to the exact functions on decoded text, inside compiled evaluate."""

import keras
import numpy as np
import pytest

from finvision import metrics
from finvision.metrics import functional as exact

VOCABULARY = " ABC<0123"  # id = position + 1; 0 is the CTC blank / padding
SPACE = 1


def _text(ids):
    return "".join(VOCABULARY[i - 1] for i in ids if i > 0)


def _random_batch(rng, batch=12, max_length=10):
    """Padded references and, for each, a corrupted hypothesis of label ids."""
    references = np.zeros((batch, max_length), dtype="int32")
    hypotheses = np.zeros((batch, max_length + 3), dtype="int32")
    for row in range(batch):
        length = int(rng.integers(0, max_length + 1))
        line = rng.integers(1, len(VOCABULARY) + 1, length)
        references[row, :length] = line
        guess = [int(i) for i in line if rng.uniform() > 0.15]
        guess = [
            int(rng.integers(1, len(VOCABULARY) + 1)) if rng.uniform() < 0.15 else i for i in guess
        ]
        if rng.uniform() < 0.3:
            guess.insert(
                int(rng.integers(0, len(guess) + 1)), int(rng.integers(1, len(VOCABULARY) + 1))
            )
        hypotheses[row, : len(guess)] = guess[: max_length + 3]
    references[0, :5] = [2, SPACE, 3, 3, SPACE]  # "A BB " ensures words and separators
    return references, hypotheses


def _ctc_path(ids, steps, rng):
    """One-hot per-step scores whose best path decodes to ``ids`` (repeats and blanks added)."""
    path = []
    for position, label in enumerate(ids):
        if position and ids[position - 1] == label:
            path.append(0)  # a blank must separate a repeated label
        path.extend([label] * int(rng.integers(1, 3)))
        if rng.uniform() < 0.3:
            path.append(0)
    path = path[:steps] + [0] * (steps - len(path))
    scores = rng.uniform(0, 0.1, (steps, len(VOCABULARY) + 1))
    scores[np.arange(steps), path] = 1.0
    return scores.astype("float32")


@pytest.mark.parametrize("seed", range(3))
def test_decoded_ids_equal_exact_functions(seed):
    references, hypotheses = _random_batch(np.random.default_rng(seed))
    texts = [_text(row) for row in references]
    guesses = [_text(row) for row in hypotheses]
    cer, wer = metrics.CharacterErrorRate(), metrics.WordErrorRate(separator_index=SPACE)
    for half in (slice(0, 5), slice(5, None)):  # streams over two batches
        cer.update_state(references[half], hypotheses[half])
        wer.update_state(references[half], hypotheses[half])
    assert float(cer.result()) == pytest.approx(
        exact.character_error_rate(texts, guesses), abs=1e-6
    )
    assert float(wer.result()) == pytest.approx(exact.word_error_rate(texts, guesses), abs=1e-6)


def test_compiled_evaluate_with_ctc_outputs_and_keras_file(tmp_path):
    rng = np.random.default_rng(3)
    references, hypotheses = _random_batch(rng, batch=16)
    steps = 56  # longest path: 13 labels, each with a blank and two repeats
    outputs = np.stack(
        [_ctc_path([int(i) for i in row if i > 0], steps, rng) for row in hypotheses]
    )
    outputs /= outputs.sum(-1, keepdims=True)
    inputs = keras.Input((steps, len(VOCABULARY) + 1))
    model = keras.Model(inputs, keras.layers.Identity()(inputs))
    model.compile(
        loss=keras.losses.CTC(),
        metrics=[metrics.CharacterErrorRate(), metrics.WordErrorRate(separator_index=SPACE)],
        jit_compile=True,
    )
    results = model.evaluate(outputs, references, batch_size=5, return_dict=True, verbose=0)
    texts = [_text(row) for row in references]
    guesses = [_text(row) for row in hypotheses]
    assert results["character_error_rate"] == pytest.approx(
        exact.character_error_rate(texts, guesses), abs=1e-6
    )
    assert results["word_error_rate"] == pytest.approx(
        exact.word_error_rate(texts, guesses), abs=1e-6
    )
    model.save(tmp_path / "ocr.keras")
    reloaded = keras.saving.load_model(tmp_path / "ocr.keras", safe_mode=True)
    again = reloaded.evaluate(outputs, references, batch_size=5, return_dict=True, verbose=0)
    assert again == pytest.approx(results)


def test_sample_weights_and_negative_padding():
    cer = metrics.CharacterErrorRate()
    references = np.array([[2, 3, 4, 0], [5, 6, 0, 0]])
    hypotheses = np.array([[2, 3, -1, -1], [5, 7, -1, -1]])  # ctc_decode pads with -1
    cer.update_state(references, hypotheses, sample_weight=np.array([2.0, 1.0]))
    # Weighted edits 2 * 1 + 1 * 1 over weighted length 2 * 3 + 1 * 2.
    assert float(cer.result()) == pytest.approx(3 / 8)


def test_empty_references_give_nan_and_config_round_trips():
    cer = metrics.CharacterErrorRate(mask_index=0)
    cer.update_state(np.zeros((2, 3)), np.array([[1, 0, 0], [0, 0, 0]]))
    assert np.isnan(float(cer.result()))
    for metric in (
        metrics.CharacterErrorRate(mask_index=3),
        metrics.WordErrorRate(2, mask_index=1),
    ):
        restored = keras.saving.deserialize_keras_object(
            keras.saving.serialize_keras_object(metric)
        )
        assert restored.get_config() == metric.get_config()


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="`separator_index` and `mask_index` must differ"):
        metrics.WordErrorRate(separator_index=0)
    with pytest.raises(ValueError, match="`mask_index` must be an int >= 0"):
        metrics.CharacterErrorRate(mask_index=-1)
    with pytest.raises(ValueError, match=r"`y_true` of shape \(batch, max_length\)"):
        metrics.CharacterErrorRate().update_state(np.zeros((2,)), np.zeros((2, 3)))
