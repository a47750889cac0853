"""The readers shipped inside the package load offline and read held-out lines."""

import pytest

from finvision.data import synthetic
from finvision.data.synthetic import fonts
from finvision.metrics import functional
from finvision.models import TextLineRecognizer
from finvision.models.presets import list_builtin_presets, read_preset

GENERATORS = {"mrz": synthetic.mrz_lines, "micr": synthetic.micr_lines}
SHIPPED = [name for name in GENERATORS if name in list_builtin_presets()]


def test_the_mrz_and_micr_readers_are_shipped():
    assert SHIPPED == ["mrz", "micr"]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_reader_reads_held_out_noisy_lines(name):
    try:
        fonts.find_ocr_b_font()
    except fonts.FontNotFoundError:
        pytest.skip(f"OCR-B is not installed (Debian package {fonts.OCR_B_PACKAGE})")
    preset = read_preset(name)  # checks the weights' SHA-256
    assert preset.weights_path.stat().st_size < 8_000_000
    reader = TextLineRecognizer.from_preset(name)
    lines = GENERATORS[name](48, seed=424_242, height=reader.height, nuisance=0.5)
    predicted = reader.predict_text([line.image for line in lines])
    error = functional.character_error_rate([line.text for line in lines], predicted)
    assert error <= 0.02
