"""TextLineRecognizer: shapes, CTC decoding against brute force, learning, round trips."""

import itertools

import keras
import numpy as np
import pytest

from finvision.documents.alphabets import decode_labels, encode_texts, resolve_alphabet
from finvision.models.text_recognition import (
    TextLineRecognizer,
    greedy_confidence,
    greedy_labels,
    line_backbone,
    prepare_lines,
)

# 16 x 10 px glyph cells (2.5 CTC steps each, so repeats like "11" can be separated).
GLYPHS = {
    "0": np.pad(np.zeros((8, 6)), ((4, 4), (2, 2)), constant_values=255),
    "1": np.pad(np.zeros((12, 2)), ((2, 2), (4, 4)), constant_values=255),
}


def draw(text, width=56):
    line = np.full((16, width), 255.0)
    for position, character in enumerate(text):
        line[:, 3 + 10 * position : 13 + 10 * position] = GLYPHS[character]
    return line[:, :, None]


@pytest.fixture(scope="module")
def reader():
    keras.utils.set_random_seed(0)
    return TextLineRecognizer("01", height=16, lstm_units=16, dropout=0.0)


def test_output_is_one_step_per_four_columns(reader):
    for width in (24, 40, 64):
        logits = reader.predict_on_batch(np.full((2, 16, width, 1), 255.0, "float32"))
        assert logits.shape == (2, width // 4, 3) and logits.dtype == np.float32


def brute_force_best_labelling(probabilities, alphabet):
    """The most probable labelling, summing every path that collapses to it."""
    steps, classes = probabilities.shape
    totals = {}
    for path in itertools.product(range(classes), repeat=steps):
        collapsed = [label for label, _ in itertools.groupby(path) if label != 0]
        text = "".join(alphabet[label - 1] for label in collapsed)
        totals[text] = totals.get(text, 0.0) + np.prod(probabilities[np.arange(steps), path])
    return max(totals, key=totals.get), totals


def test_beam_search_finds_the_most_probable_labelling_where_greedy_does_not(reader):
    # Greedy takes blank at every step (""), but "0" is more probable over all paths.
    probabilities = np.array([[0.4, 0.35, 0.25], [0.4, 0.35, 0.25], [0.4, 0.35, 0.25]])
    best, totals = brute_force_best_labelling(probabilities, "01")
    assert best == "0" and totals["0"] > totals[""]
    logits = np.log(probabilities)[None]
    greedy, greedy_confidence = reader.decode(logits)
    beam, beam_confidence = reader.decode(logits, strategy="beam_search", beam_width=8)
    assert greedy == [""] and beam == ["0"]
    np.testing.assert_allclose(greedy_confidence, [0.4], rtol=1e-5)  # 0.4 ** (3 / 3)
    np.testing.assert_allclose(beam_confidence, [totals["0"] ** (1 / 3)], rtol=1e-3)


def test_greedy_merges_repeats_and_drops_blanks(reader):
    path = [1, 1, 0, 1, 2, 2, 0]  # "0", "0" (after a blank), "1"
    logits = np.full((1, len(path), 3), -5.0)
    logits[0, np.arange(len(path)), path] = 5.0
    assert reader.decode(logits)[0] == ["001"]


def peaks_of_runs_by_hand(probabilities):
    """The product of each run's largest probability along the greedy path, with groupby."""
    best = probabilities.argmax(axis=-1)
    confidence, step = 1.0, 0
    for _, run in itertools.groupby(best):
        length = len(list(run))
        confidence *= probabilities[step : step + length].max()
        step += length
    return confidence


def test_greedy_confidence_is_the_product_of_run_peaks(reader):
    rng = np.random.default_rng(3)
    logits = rng.normal(scale=3.0, size=(20, 12, 4))  # many runs, of both classes
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    expected = [peaks_of_runs_by_hand(row) for row in probabilities]
    np.testing.assert_allclose(greedy_confidence(logits), expected, rtol=1e-5)
    # A doubtful character among sure steps: the confidence is about its peak, 0.55,
    # where the geometric mean over the steps would say 0.95.
    sure = np.tile([0.98, 0.01, 0.01], (20, 1))
    sure[10] = [0.30, 0.55, 0.15]
    assert greedy_confidence(np.log(sure)[None])[0] == pytest.approx(0.98 * 0.55 * 0.98, 1e-5)
    assert reader.decode(np.log(sure)[None])[0] == ["0"]


@pytest.mark.parametrize("shape", [(4, 3), (1, 0, 3), (1, 4, 1)])
def test_greedy_confidence_names_the_shape_it_needs(shape):
    with pytest.raises(ValueError, match=r"`logits` must be \(lines, time steps, classes\)"):
        greedy_confidence(np.zeros(shape))


@pytest.mark.slow
def test_learns_a_two_glyph_alphabet():
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(0)
    texts = ["".join(rng.choice(["0", "1"], rng.integers(1, 5))) for _ in range(64)]
    images = np.stack([draw(text) for text in texts]).astype("float32")
    model = TextLineRecognizer("01", height=16, lstm_units=16, dropout=0.0)
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    model.fit(images, model.encode(texts), batch_size=16, epochs=45, verbose=0)
    predicted = model.predict_text(images)
    accuracy = np.mean([p == t for p, t in zip(predicted, texts, strict=True)])
    assert accuracy >= 0.9, (accuracy, predicted[:8], texts[:8])


def test_predict_text_reads_lines_of_any_width_and_height(reader):
    lines = [draw("01", 24)[:, :, 0], np.repeat(draw("1", 40), 3, axis=-1), draw("0", 80)[::2, ::2]]
    texts, confidence = reader.predict_text(lines, return_confidence=True, batch_size=2)
    assert len(texts) == 3 and confidence.shape == (3,)
    assert np.all((confidence > 0) & (confidence <= 1))


def test_prepare_lines_converts_pads_and_resizes():
    rgb = np.zeros((16, 8, 3), "uint8")
    rgb[..., 0] = 100
    batch = prepare_lines([rgb, np.zeros((32, 8))], 16, 1)
    assert batch.shape == (2, 16, 8, 1)
    np.testing.assert_allclose(batch[0, :, :, 0], 29.9, rtol=1e-5)  # 0.299 * 100
    padded = prepare_lines([np.zeros((16, 4)), np.zeros((16, 10))], 16, 1)
    assert (padded[0, :, 4:] == 255.0).all() and (padded[0, :, :4] == 0.0).all()


@pytest.mark.parametrize(
    ("images", "message"),
    [
        ([], "`images` is empty"),
        ([np.zeros((4, 4, 2))], r"image 0 has shape \(4, 4, 2\)"),
        ([np.full((16, 4), np.nan)], "Line image 0 holds NaN"),
    ],
)
def test_prepare_lines_errors(images, message):
    with pytest.raises(ValueError, match=message):
        prepare_lines(images, 16, 1)


def test_round_trips_give_identical_logits(reader, tmp_path):
    images = np.stack([draw("0110"), draw("1")]).astype("float32")
    expected = reader.predict_on_batch(images)
    reader.save(tmp_path / "reader.keras")
    reloaded = keras.saving.load_model(tmp_path / "reader.keras", safe_mode=True)
    np.testing.assert_array_equal(reloaded.predict_on_batch(images), expected)
    preset = TextLineRecognizer.from_preset(reader.save_preset(tmp_path / "preset"))
    np.testing.assert_array_equal(preset.predict_on_batch(images), expected)
    assert preset.alphabet == "01" and preset.height == 16


def test_mixed_precision_keeps_float32_logits():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = TextLineRecognizer("mrz", height=16, lstm_units=4)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert model.predict_on_batch(np.zeros((1, 16, 32, 1), "uint8")).dtype == np.float32


def test_alphabets_and_encoding():
    assert resolve_alphabet("mrz") == "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
    with pytest.raises(ValueError, match=r"repeats the characters \['a'\]"):
        resolve_alphabet("aba")
    with pytest.raises(ValueError, match=r"Text 'A1' holds characters outside .*\['A'\]"):
        encode_texts(["A1"], "01")
    with pytest.raises(ValueError, match="`length` 1 is shorter than the longest text"):
        encode_texts(["01"], "01", length=1)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"height": 20}, ValueError, "`height` must be a multiple of 16; received 20"),
        ({"channels": 2}, ValueError, "`channels` must be 1 or 3; received 2"),
        ({"lstm_units": 0}, ValueError, "`lstm_units` must be an integer >= 1"),
        ({"dropout": 1.0}, ValueError, r"`dropout` must be a number in \[0, 1\)"),
        ({"backbone": "vgg"}, TypeError, "`backbone` must be a keras.Model; received str"),
        ({"backbone": line_backbone(32)}, ValueError, r"must map \(None, 16, None, 1\)"),
    ],
)
def test_bad_arguments(arguments, error, message):
    with pytest.raises(error, match=message):
        TextLineRecognizer("01", **{"height": 16, **arguments})


def test_bad_strategy(reader):
    with pytest.raises(ValueError, match="`strategy` must be one of"):
        reader.decode(np.zeros((1, 2, 3)), strategy="viterbi")


def test_a_compiled_reader_reloads_compiled(tmp_path, recwarn):
    model = TextLineRecognizer("01", height=16, lstm_units=4)
    model.compile(optimizer=keras.optimizers.SGD(0.01))
    model.save(tmp_path / "compiled.keras")
    reloaded = keras.saving.load_model(tmp_path / "compiled.keras", safe_mode=True)
    assert isinstance(reloaded.loss, keras.losses.CTC)
    assert isinstance(reloaded.optimizer, keras.optimizers.SGD)
    assert not [w for w in recwarn if "compile()" in str(w.message)]


def test_predict_text_refuses_one_unbatched_line_and_a_batch_size_below_one(reader):
    line = np.full((reader.height, 56), 255, "uint8")
    with pytest.raises(ValueError, match=r"received one image of shape \(16, 56\): pass \[image\]"):
        reader.predict_text(line)
    with pytest.raises(ValueError, match=r"`batch_size` must be an integer >= 1; received 0"):
        reader.predict_text([line], batch_size=0)


@pytest.mark.parametrize("width", [1, 2, 3])
def test_lines_narrower_than_one_time_step_are_padded_with_paper_and_read(reader, width):
    line = np.zeros((reader.height, width), "uint8")
    batch = prepare_lines([line], reader.height, reader.channels)
    assert batch.shape[2] == 4
    assert (batch[0, :, :width] == 0).all() and (batch[0, :, width:] == 255).all()
    texts, confidence = reader.predict_text([line], return_confidence=True)
    assert len(texts) == 1 and 0 < confidence[0] <= 1


def test_greedy_decoding_matches_tensorflows_ctc_greedy_decoder():
    # Random logits with long runs and many blanks, against keras.ops.ctc_decode (TF's
    # ctc_greedy_decoder) as the oracle.
    rng = np.random.default_rng(7)
    best = np.repeat(rng.integers(0, 4, (16, 10)), 3, axis=1)
    logits = rng.normal(0, 0.1, (16, 30, 4)) + 3 * np.eye(4)[best]
    decoded, _ = keras.ops.ctc_decode(logits, np.full(16, 30), strategy="greedy", mask_index=0)
    expected = [decode_labels(row, "abc") for row in keras.ops.convert_to_numpy(decoded[0])]
    ours = keras.ops.convert_to_numpy(greedy_labels(logits))
    assert [decode_labels(row, "abc") for row in ours] == expected
    assert any(len(text) > 5 for text in expected)
