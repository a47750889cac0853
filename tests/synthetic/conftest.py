"""Fixtures: a fixed font, so rendering tests do not depend on OCR-B being installed."""

from pathlib import Path

import pytest

from finvision.data.synthetic import fonts

DEJAVU_MONO = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")


@pytest.fixture(scope="session")
def font_path() -> str:
    """DejaVu Sans Mono (Debian fonts-dejavu-core): monospaced like OCR-B, always installed."""
    if not DEJAVU_MONO.is_file():
        pytest.skip(f"{DEJAVU_MONO} is not installed (Debian package fonts-dejavu-core)")
    return str(DEJAVU_MONO)


@pytest.fixture(scope="session")
def ocr_b() -> str:
    """The installed OCR-B font, or a skip naming the package."""
    try:
        return str(fonts.find_ocr_b_font())
    except fonts.FontNotFoundError:
        pytest.skip(f"OCR-B is not installed (Debian package {fonts.OCR_B_PACKAGE})")
