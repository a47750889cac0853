"""Seeded synthetic financial data: MRZ and MICR lines, cheques, signatures, tampering.

Every generator takes ``count`` and a non-negative ``seed`` and returns a list
of frozen dataclasses holding NumPy uint8 images (the classification sets,
``document_types`` and ``tampered_pairs``, return one dataclass of stacked
arrays). Sample ``i`` depends only on the seed and ``i`` (one
``numpy.random.Generator`` per sample, no global random state), so the same
arguments give the same data on every run, and a longer run
extends a shorter one. Rendering needs NumPy and Pillow only; the optional
``nuisance=`` strength adds capture nuisance through
:class:`finvision.preprocessing.DocumentAugmentation`.

Text is drawn in OCR-B from the Debian package ``fonts-ocr-b``, found at run
time; pass ``font_path=`` for another font. MICR lines use E-13B glyphs drawn
by :mod:`~finvision.data.synthetic.micr` itself.

Example:
>>> from finvision.data import synthetic
>>> from finvision.documents.mrz import parse_mrz
>>> mrz = synthetic.random_mrz(1, seed=0, formats=["TD3"])[0]
>>> parse_mrz(mrz.lines) == mrz
True
>>> line = synthetic.micr_lines(1, seed=0)[0]
>>> set(line.text) <= set(synthetic.MICR_ALPHABET)
True
"""

from finvision.data.synthetic.cheques import CHEQUE_FIELDS, Cheque, amount_in_words, cheques
from finvision.data.synthetic.clips import BLINK_CLIP_CLASSES, Clips, blink_clips
from finvision.data.synthetic.documents import (
    DOCUMENT_TYPES,
    DocumentImages,
    document_types,
    tampered_pairs,
)
from finvision.data.synthetic.fonts import (
    OCR_B_PACKAGE,
    FontNotFoundError,
    find_ocr_b_font,
)
from finvision.data.synthetic.micr import (
    MICR_ALPHABET,
    MICR_SYMBOLS,
    MICR_UNICODE,
    aba_check_digit,
    micr_lines,
    micr_to_unicode,
    render_micr_line,
)
from finvision.data.synthetic.mrz import MRZBlock, mrz_blocks, mrz_lines, random_mrz
from finvision.data.synthetic.nuisance import apply_nuisance
from finvision.data.synthetic.pages import PAGE_KINDS, ZONES, DocumentPage, document_pages
from finvision.data.synthetic.signatures import (
    PAIR_KINDS,
    SignaturePair,
    SignatureWriter,
    signature_image,
    signature_pairs,
    signature_writer,
)
from finvision.data.synthetic.tamper import (
    TAMPER_KINDS,
    TamperedImage,
    tamper,
    tampered_documents,
)
from finvision.data.synthetic.text import TextLine, render_text_line
from finvision.data.synthetic.vocabulary import COUNTRY_CODES
from finvision.documents.mrz import MRZ_ALPHABET

__all__ = [
    "BLINK_CLIP_CLASSES",
    "CHEQUE_FIELDS",
    "COUNTRY_CODES",
    "DOCUMENT_TYPES",
    "MICR_ALPHABET",
    "MICR_SYMBOLS",
    "MICR_UNICODE",
    "MRZ_ALPHABET",
    "OCR_B_PACKAGE",
    "PAIR_KINDS",
    "TAMPER_KINDS",
    "Cheque",
    "Clips",
    "DocumentImages",
    "FontNotFoundError",
    "MRZBlock",
    "SignaturePair",
    "SignatureWriter",
    "TamperedImage",
    "TextLine",
    "aba_check_digit",
    "amount_in_words",
    "apply_nuisance",
    "blink_clips",
    "cheques",
    "document_types",
    "document_pages",
    "DocumentPage",
    "PAGE_KINDS",
    "ZONES",
    "find_ocr_b_font",
    "micr_lines",
    "micr_to_unicode",
    "mrz_blocks",
    "mrz_lines",
    "random_mrz",
    "render_micr_line",
    "render_text_line",
    "signature_image",
    "signature_pairs",
    "signature_writer",
    "tamper",
    "tampered_documents",
    "tampered_pairs",
]
